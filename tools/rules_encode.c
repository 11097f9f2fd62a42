// SPDX-License-Identifier: GPL-2.0
/*
 * rules_encode.c - rules, sets and flowtables as netlink attributes (every SFW_A_RULE
 * sfwctl sends is written by rules_put_rule()), and the sender of a rule
 * set load's transaction: RULESET_ADD messages of up to
 * MSG_MAX bytes (a large set continues from one message to the next),
 * each sent when full. A refused message is reported with the file's
 * line of the rule or set in it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/sfw.h>

#include "rules_nl.h"

int rules_chain_number(const char *s)
{
	unsigned int c;

	for (c = 0; c < SFW_CHAIN_COUNT; c++)
		if (!strcmp(s, sfw_chain_names[c]))
			return c;
	return -1;
}

/* ---- building requests ---- */

bool rules_put_prefix(struct nlmsghdr *nlh, uint16_t type, const struct sfw_prefix *p)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, MSG_MAX, type);
	bool v4 = p->l3num == SFW_AF_INET;

	if (!nest)
		return false;
	if (!mnl_attr_put_check(nlh, MSG_MAX, v4 ? SFW_ADDR_A_V4 : SFW_ADDR_A_V6, v4 ? 4 : 16,
				&p->addr) ||
	    !mnl_attr_put_u8_check(nlh, MSG_MAX, SFW_ADDR_A_LEN, p->len)) {
		mnl_attr_nest_cancel(nlh, nest);
		return false;
	}
	mnl_attr_nest_end(nlh, nest);
	return true;
}

static bool put_ports(struct nlmsghdr *nlh, uint16_t type, const struct sfw_port_range *p, u16 n)
{
	struct nlattr *nest, *range;
	u16 i;

	if (!n)
		return true;
	nest = mnl_attr_nest_start_check(nlh, MSG_MAX, type);
	if (!nest)
		return false;
	for (i = 0; i < n; i++) {
		range = mnl_attr_nest_start_check(nlh, MSG_MAX, SFW_PORTS_A_RANGE);
		if (!range || !mnl_attr_put_u16_check(nlh, MSG_MAX, SFW_RANGE_A_LO, htons(p[i].lo)) ||
		    !mnl_attr_put_u16_check(nlh, MSG_MAX, SFW_RANGE_A_HI, htons(p[i].hi))) {
			mnl_attr_nest_cancel(nlh, nest);
			return false;
		}
		mnl_attr_nest_end(nlh, range);
	}
	mnl_attr_nest_end(nlh, nest);
	return true;
}

/* A NAT target's address: V4 or V6, no length. */
static bool put_target_addr(struct nlmsghdr *nlh, uint16_t type, u8 l3num, const union sfw_addr *a)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, MSG_MAX, type);
	bool v4 = l3num == SFW_AF_INET;

	if (!nest)
		return false;
	if (!mnl_attr_put_check(nlh, MSG_MAX, v4 ? SFW_ADDR_A_V4 : SFW_ADDR_A_V6, v4 ? 4 : 16, a)) {
		mnl_attr_nest_cancel(nlh, nest);
		return false;
	}
	mnl_attr_nest_end(nlh, nest);
	return true;
}

static bool put_target(struct nlmsghdr *nlh, const struct sfw_nat_range *t)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, MSG_MAX, SFW_NAT_A_TARGET);
	size_t alen = t->l3num == SFW_AF_INET ? 4 : 16;
	bool ok;

	if (!nest)
		return false;
	ok = (!t->l3num || put_target_addr(nlh, SFW_TARGET_A_ADDR_LO, t->l3num, &t->lo)) &&
	     (!t->l3num || !memcmp(&t->lo, &t->hi, alen) ||
	      put_target_addr(nlh, SFW_TARGET_A_ADDR_HI, t->l3num, &t->hi)) &&
	     (!t->port_lo || mnl_attr_put_u16_check(nlh, MSG_MAX, SFW_TARGET_A_PORT_LO,
						     htons(t->port_lo))) &&
	     (!t->port_lo || t->port_hi == t->port_lo ||
	      mnl_attr_put_u16_check(nlh, MSG_MAX, SFW_TARGET_A_PORT_HI, htons(t->port_hi)));
	if (!ok) {
		mnl_attr_nest_cancel(nlh, nest);
		return false;
	}
	mnl_attr_nest_end(nlh, nest);
	return true;
}

/* SFW_RULE_A_NAT: the targets, lb, sticky (none for a bare masquerade). */
static bool put_nat(struct nlmsghdr *nlh, const struct rules_rule *rr)
{
	const struct sfw_rule *r = &rr->r;
	struct nlattr *nest;
	u16 i;

	if (!r->nnat && !r->nat_lb && !r->nat_sticky)
		return true;
	nest = mnl_attr_nest_start_check(nlh, MSG_MAX, SFW_RULE_A_NAT);
	if (!nest)
		return false;
	for (i = 0; i < r->nnat; i++)
		if (!put_target(nlh, &rr->nat[i]))
			goto cancel;
	if ((r->nat_lb && !mnl_attr_put_u8_check(nlh, MSG_MAX, SFW_NAT_A_LB, r->nat_lb)) ||
	    (r->nat_sticky &&
	     !mnl_attr_put_u32_check(nlh, MSG_MAX, SFW_NAT_A_STICKY, r->nat_sticky)))
		goto cancel;
	mnl_attr_nest_end(nlh, nest);
	return true;

cancel:
	mnl_attr_nest_cancel(nlh, nest);
	return false;
}

/* A rule's action and matches, in SFW_A_RULE's layout (include/uapi/linux/sfw.h). */
/* `ct count over N [by ip saddr/L]` as SFW_RULE_A_CT_COUNT. */
static bool put_ct_count(struct nlmsghdr *nlh, const struct sfw_rule *r)
{
	struct nlattr *nest;

	if (!(r->flags & SFW_RULE_F_CT_COUNT))
		return true;
	nest = mnl_attr_nest_start_check(nlh, MSG_MAX, SFW_RULE_A_CT_COUNT);
	if (!nest ||
	    !mnl_attr_put_u32_check(nlh, MSG_MAX, SFW_CT_COUNT_A_OVER, r->count_max) ||
	    (r->count_l3num &&
	     (!mnl_attr_put_u8_check(nlh, MSG_MAX, SFW_CT_COUNT_A_FAMILY, r->count_l3num) ||
	      !mnl_attr_put_u8_check(nlh, MSG_MAX, SFW_CT_COUNT_A_LEN, r->count_len))))
		return false;
	mnl_attr_nest_end(nlh, nest);
	return true;
}

/* `ct rate over N/UNIT [burst M] [by ip saddr/L]` as SFW_RULE_A_CT_RATE. */
static bool put_ct_rate(struct nlmsghdr *nlh, const struct sfw_rule *r)
{
	struct nlattr *nest;

	if (!(r->flags & SFW_RULE_F_CT_RATE))
		return true;
	nest = mnl_attr_nest_start_check(nlh, MSG_MAX, SFW_RULE_A_CT_RATE);
	if (!nest ||
	    !mnl_attr_put_u32_check(nlh, MSG_MAX, SFW_CT_RATE_A_OVER, r->rate) ||
	    !mnl_attr_put_u32_check(nlh, MSG_MAX, SFW_CT_RATE_A_UNIT, r->rate_unit) ||
	    (r->rate_burst &&
	     !mnl_attr_put_u32_check(nlh, MSG_MAX, SFW_CT_RATE_A_BURST, r->rate_burst)) ||
	    (r->rate_l3num &&
	     (!mnl_attr_put_u8_check(nlh, MSG_MAX, SFW_CT_RATE_A_FAMILY, r->rate_l3num) ||
	      !mnl_attr_put_u8_check(nlh, MSG_MAX, SFW_CT_RATE_A_LEN, r->rate_len))))
		return false;
	mnl_attr_nest_end(nlh, nest);
	return true;
}

static bool put_rule_fields(struct nlmsghdr *nlh, const struct rules_rule *rr)
{
	const struct sfw_rule *r = &rr->r;

	return mnl_attr_put_u8_check(nlh, MSG_MAX, SFW_RULE_A_ACTION, r->action) &&
	       (!r->family || mnl_attr_put_u8_check(nlh, MSG_MAX, SFW_RULE_A_FAMILY, r->family)) &&
	       (!r->l4proto || mnl_attr_put_u8_check(nlh, MSG_MAX, SFW_RULE_A_L4, r->l4proto)) &&
	       (!r->iif[0] || mnl_attr_put_strz_check(nlh, MSG_MAX, SFW_RULE_A_IIF, r->iif)) &&
	       (!r->oif[0] || mnl_attr_put_strz_check(nlh, MSG_MAX, SFW_RULE_A_OIF, r->oif)) &&
	       (!r->saddr.l3num || rules_put_prefix(nlh, SFW_RULE_A_SADDR, &r->saddr)) &&
	       (!r->daddr.l3num || rules_put_prefix(nlh, SFW_RULE_A_DADDR, &r->daddr)) &&
	       (!rr->saddr_set[0] ||
		mnl_attr_put_strz_check(nlh, MSG_MAX, SFW_RULE_A_SADDR_SET, rr->saddr_set)) &&
	       (!rr->daddr_set[0] ||
		mnl_attr_put_strz_check(nlh, MSG_MAX, SFW_RULE_A_DADDR_SET, rr->daddr_set)) &&
	       put_ports(nlh, SFW_RULE_A_SPORTS, rr->sports, r->nsport) &&
	       put_ports(nlh, SFW_RULE_A_DPORTS, rr->dports, r->ndport) &&
	       (!(r->flags & SFW_RULE_F_ICMP_TYPE) ||
		mnl_attr_put_u8_check(nlh, MSG_MAX, SFW_RULE_A_ICMP_TYPE, r->icmp_type)) &&
	       (!r->ctstate || mnl_attr_put_u8_check(nlh, MSG_MAX, SFW_RULE_A_CT_STATE, r->ctstate)) &&
	       (!(r->flags & SFW_RULE_F_LOG) || mnl_attr_put_check(nlh, MSG_MAX, SFW_RULE_A_LOG, 0, NULL)) &&
	       (!r->log_prefix[0] ||
		mnl_attr_put_strz_check(nlh, MSG_MAX, SFW_RULE_A_LOG_PREFIX, r->log_prefix)) &&
	       (!(r->flags & SFW_RULE_F_HELPER_FTP) ||
		mnl_attr_put_u8_check(nlh, MSG_MAX, SFW_RULE_A_CT_HELPER, SFW_CT_HELPER_FTP)) &&
	       (!r->reasons ||
		mnl_attr_put_u32_check(nlh, MSG_MAX, SFW_RULE_A_CT_REASONS, r->reasons)) &&
	       (!(r->flags & SFW_RULE_F_CT_LOOSE) ||
		mnl_attr_put_check(nlh, MSG_MAX, SFW_RULE_A_CT_LOOSE, 0, NULL)) &&
	       put_ct_count(nlh, r) &&
	       put_ct_rate(nlh, r) &&
	       (!rr->add_set[0] ||
		mnl_attr_put_strz_check(nlh, MSG_MAX, SFW_RULE_A_ADD_SET, rr->add_set)) &&
	       (!rr->flow_table[0] ||
		mnl_attr_put_strz_check(nlh, MSG_MAX, SFW_RULE_A_FLOW_ADD, rr->flow_table)) &&
	       put_nat(nlh, rr);
}

/*
 * SFW_A_RULE: the one encoder of a rule in sfwctl, for ruleset load (@pos
 * 0: rules go in order), rule add and insert (@pos 0 or a position) and,
 * with @rr NULL, rule delete (the reference only: @chain and @pos). The
 * module writes the same layout back in its dumps (rule_put() in
 * src/netlink_rules.c), which rules_decode.c reads for ruleset show.
 * False if it does not fit.
 */
bool rules_put_rule(struct nlmsghdr *nlh, unsigned int chain, uint32_t pos,
		    const struct rules_rule *rr)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, MSG_MAX, SFW_A_RULE);
	bool ok;

	if (!nest)
		return false;
	ok = mnl_attr_put_u8_check(nlh, MSG_MAX, SFW_RULE_A_CHAIN, chain) &&
	     (!pos || mnl_attr_put_u32_check(nlh, MSG_MAX, SFW_RULE_A_POS, pos)) &&
	     (!rr || put_rule_fields(nlh, rr));
	if (!ok) {
		mnl_attr_nest_cancel(nlh, nest);
		return false;
	}
	mnl_attr_nest_end(nlh, nest);
	return true;
}

static bool msg_empty(const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_len <= MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct genlmsghdr));
}

/* The kernel refused part of a load: say where in the file, if we can. */
void rules_load_error(struct sender *s)
{
	char chain[16], name[SFW_SET_NAME_LEN];
	unsigned int n;
	u32 i;
	int c;

	if (s->rf && sscanf(s->nl->errmsg, "%15s rule %u:", chain, &n) == 2 &&
	    (c = rules_chain_number(chain)) >= 0 && n >= 1 && n <= s->rf->chain[c].n &&
	    s->rf->chain[c].rules[n - 1].line)
		die("%s:%u: %s (%s)", s->rf->name, s->rf->chain[c].rules[n - 1].line,
		    s->nl->errmsg, strerror(errno));
	/* "flowtable NAME: ..." (a device that does not exist, say): its line. */
	if (s->rf && sscanf(s->nl->errmsg, "flowtable %31[^ :]", name) == 1)
		for (i = 0; i < s->rf->nflowtables; i++)
			if (!strcmp(s->rf->flowtables[i].name, name) && s->rf->flowtables[i].line)
				die("%s:%u: %s (%s)", s->rf->name, s->rf->flowtables[i].line,
				    s->nl->errmsg, strerror(errno));
	kernel_error(s->nl, "ruleset load");
}

void rules_sender_start(struct sender *s)
{
	s->nlh = msg_start(s->nl, s->nl->family, SFW_CMD_RULESET_ADD, NLM_F_ACK);
}

void rules_sender_flush(struct sender *s)
{
	if (msg_empty(s->nlh))
		return;
	if (request(s->nl, s->nlh, NULL, NULL) < 0)
		rules_load_error(s);
	rules_sender_start(s);
}

void rules_send_rule(struct sender *s, unsigned int chain, const struct rules_rule *rr)
{
	if (rules_put_rule(s->nlh, chain, 0, rr))
		return;
	rules_sender_flush(s);
	if (!rules_put_rule(s->nlh, chain, 0, rr))
		die("ruleset load: a rule does not fit in a message");
}

/* As many elements of @set from *@k on as fit; false if the nest did not even start. */
static bool put_set(struct nlmsghdr *nlh, const struct rules_set *set, u32 *k)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, MSG_MAX, SFW_A_SET), *elems;

	if (!nest)
		return false;
	if (!mnl_attr_put_strz_check(nlh, MSG_MAX, SFW_SET_A_NAME, set->name) ||
	    (set->timeout &&
	     !mnl_attr_put_u32_check(nlh, MSG_MAX, SFW_SET_A_TIMEOUT, set->timeout)) ||
	    !(elems = mnl_attr_nest_start_check(nlh, MSG_MAX, SFW_SET_A_ELEMS))) {
		mnl_attr_nest_cancel(nlh, nest);
		return false;
	}
	while (*k < set->n && rules_put_prefix(nlh, SFW_ELEMS_A_ADDR, &set->elems[*k]))
		(*k)++;
	mnl_attr_nest_end(nlh, elems);
	mnl_attr_nest_end(nlh, nest);
	return true;
}

void rules_send_set(struct sender *s, const struct rules_set *set)
{
	u32 k = 0;

	for (;;) {
		if (!put_set(s->nlh, set, &k)) {
			if (msg_empty(s->nlh))
				die("ruleset load: set %s does not fit in a message", set->name);
			rules_sender_flush(s);
			continue;
		}
		if (k >= set->n)
			return;
		rules_sender_flush(s);
	}
}

/* SFW_A_FLOWTABLE: the name and every device, in one nest; false if it does not fit. */
static bool put_flowtable(struct nlmsghdr *nlh, const struct rules_flowtable *ft)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, MSG_MAX, SFW_A_FLOWTABLE), *devs;
	u32 i;

	if (!nest)
		return false;
	if (!mnl_attr_put_strz_check(nlh, MSG_MAX, SFW_FLOWTABLE_A_NAME, ft->name))
		goto cancel;
	devs = mnl_attr_nest_start_check(nlh, MSG_MAX, SFW_FLOWTABLE_A_DEVS);
	if (!devs)
		goto cancel;
	for (i = 0; i < ft->ndevs; i++)
		if (!mnl_attr_put_strz_check(nlh, MSG_MAX, SFW_FLOWTABLE_A_DEV, ft->devs[i]))
			goto cancel;
	mnl_attr_nest_end(nlh, devs);
	mnl_attr_nest_end(nlh, nest);
	return true;

cancel:
	mnl_attr_nest_cancel(nlh, nest);
	return false;
}

void rules_send_flowtable(struct sender *s, const struct rules_flowtable *ft)
{
	if (put_flowtable(s->nlh, ft))
		return;
	rules_sender_flush(s);
	if (!put_flowtable(s->nlh, ft))
		die("ruleset load: flowtable %s does not fit in a message", ft->name);
}
