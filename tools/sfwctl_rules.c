// SPDX-License-Identifier: GPL-2.0
/*
 * sfwctl_rules.c: the rule commands of sfwctl (ruleset, rule, set,
 * counters).
 *
 * A load parses the file with rules_parse.c and builds and compiles it
 * with the module's own ruleset.c, so that whatever the kernel would
 * refuse is refused here first, with the file's line. Only then is it
 * sent, as one transaction: RULESET_BEGIN, RULESET_ADD messages of up to
 * MSG_MAX bytes (a large set continues from one message to the next),
 * RULESET_COMMIT. If sfwctl dies halfway, the kernel drops the
 * transaction with the socket and nothing changes.
 *
 * `ruleset show` dumps the running set back into a struct rules_file and
 * prints it with the shared printers, so its output loads again.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <linux/genetlink.h>
#include <linux/sfw.h>

#include "sfwctl.h"
#include "rules_parse.h"

#define MSG_MAX (32 * 1024)	/* bytes per request we build */

static int chain_number(const char *s)
{
	unsigned int c;

	for (c = 0; c < SFW_CHAIN_COUNT; c++)
		if (!strcmp(s, sfw_chain_names[c]))
			return c;
	return -1;
}

/* ---- building requests ---- */

static bool put_prefix(struct nlmsghdr *nlh, uint16_t type, const struct sfw_prefix *p)
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

/* SFW_A_RULE for @rr in @chain (@pos: 0 or a position); false if it does not fit. */
static bool put_rule(struct nlmsghdr *nlh, unsigned int chain, uint32_t pos,
		     const struct rules_rule *rr)
{
	const struct sfw_rule *r = &rr->r;
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, MSG_MAX, SFW_A_RULE);
	bool ok;

	if (!nest)
		return false;
	ok = mnl_attr_put_u8_check(nlh, MSG_MAX, SFW_RULE_A_CHAIN, chain) &&
	     (!pos || mnl_attr_put_u32_check(nlh, MSG_MAX, SFW_RULE_A_POS, pos)) &&
	     mnl_attr_put_u8_check(nlh, MSG_MAX, SFW_RULE_A_ACTION, r->action) &&
	     (!r->family || mnl_attr_put_u8_check(nlh, MSG_MAX, SFW_RULE_A_FAMILY, r->family)) &&
	     (!r->l4proto || mnl_attr_put_u8_check(nlh, MSG_MAX, SFW_RULE_A_L4, r->l4proto)) &&
	     (!r->iif[0] || mnl_attr_put_strz_check(nlh, MSG_MAX, SFW_RULE_A_IIF, r->iif)) &&
	     (!r->oif[0] || mnl_attr_put_strz_check(nlh, MSG_MAX, SFW_RULE_A_OIF, r->oif)) &&
	     (!r->saddr.l3num || put_prefix(nlh, SFW_RULE_A_SADDR, &r->saddr)) &&
	     (!r->daddr.l3num || put_prefix(nlh, SFW_RULE_A_DADDR, &r->daddr)) &&
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
	     put_nat(nlh, rr);
	if (!ok) {
		mnl_attr_nest_cancel(nlh, nest);
		return false;
	}
	mnl_attr_nest_end(nlh, nest);
	return true;
}

/* A transaction's RULESET_ADD messages: filled, sent when full. */
struct sender {
	struct nl *nl;
	struct nlmsghdr *nlh;
	const struct rules_file *rf;	/* for naming the line of a refused rule */
};

static bool msg_empty(const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_len <= MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct genlmsghdr));
}

/* The kernel refused part of a load: say where in the file, if we can. */
static void load_error(struct sender *s)
{
	char chain[16];
	unsigned int n;
	int c;

	if (s->rf && sscanf(s->nl->errmsg, "%15s rule %u:", chain, &n) == 2 &&
	    (c = chain_number(chain)) >= 0 && n >= 1 && n <= s->rf->chain[c].n &&
	    s->rf->chain[c].rules[n - 1].line)
		die("%s:%u: %s (%s)", s->rf->name, s->rf->chain[c].rules[n - 1].line,
		    s->nl->errmsg, strerror(errno));
	kernel_error(s->nl, "ruleset load");
}

static void sender_start(struct sender *s)
{
	s->nlh = msg_start(s->nl, s->nl->family, SFW_CMD_RULESET_ADD, NLM_F_ACK);
}

static void sender_flush(struct sender *s)
{
	if (msg_empty(s->nlh))
		return;
	if (request(s->nl, s->nlh, NULL, NULL) < 0)
		load_error(s);
	sender_start(s);
}

static void send_rule(struct sender *s, unsigned int chain, const struct rules_rule *rr)
{
	if (put_rule(s->nlh, chain, 0, rr))
		return;
	sender_flush(s);
	if (!put_rule(s->nlh, chain, 0, rr))
		die("ruleset load: a rule does not fit in a message");
}

/* As many elements of @set from *@k on as fit; false if the nest did not even start. */
static bool put_set(struct nlmsghdr *nlh, const struct rules_set *set, u32 *k)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, MSG_MAX, SFW_A_SET), *elems;

	if (!nest)
		return false;
	if (!mnl_attr_put_strz_check(nlh, MSG_MAX, SFW_SET_A_NAME, set->name) ||
	    !(elems = mnl_attr_nest_start_check(nlh, MSG_MAX, SFW_SET_A_ELEMS))) {
		mnl_attr_nest_cancel(nlh, nest);
		return false;
	}
	while (*k < set->n && put_prefix(nlh, SFW_ELEMS_A_ADDR, &set->elems[*k]))
		(*k)++;
	mnl_attr_nest_end(nlh, elems);
	mnl_attr_nest_end(nlh, nest);
	return true;
}

static void send_set(struct sender *s, const struct rules_set *set)
{
	u32 k = 0;

	for (;;) {
		if (!put_set(s->nlh, set, &k)) {
			if (msg_empty(s->nlh))
				die("ruleset load: set %s does not fit in a message", set->name);
			sender_flush(s);
			continue;
		}
		if (k >= set->n)
			return;
		sender_flush(s);
	}
}

/* ---- parsing replies ---- */

struct nest_parse {
	const enum mnl_attr_data_type *types;
	unsigned int max;
	const struct nlattr **tb;
};

/* Keep each known attribute after checking its type; skip unknown ones (newer kernels). */
static int nest_cb(const struct nlattr *attr, void *data)
{
	struct nest_parse *p = data;
	unsigned int type = mnl_attr_get_type(attr);

	if (type > p->max || !p->types[type])
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, p->types[type]) < 0)
		return MNL_CB_ERROR;
	p->tb[type] = attr;
	return MNL_CB_OK;
}

static int parse_nested(const struct nlattr *nest, const enum mnl_attr_data_type *types,
			unsigned int max, const struct nlattr **tb)
{
	struct nest_parse p = { types, max, tb };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	return mnl_attr_parse_nested(nest, nest_cb, &p) < 0 ? -1 : 0;
}

static int parse_top(const struct nlmsghdr *nlh, const enum mnl_attr_data_type *types,
		     unsigned int max, const struct nlattr **tb)
{
	struct nest_parse p = { types, max, tb };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), nest_cb, &p) < 0 ? -1 : 0;
}

static const enum mnl_attr_data_type top_types[SFW_A_MAX + 1] = {
	[SFW_A_COUNT] = MNL_TYPE_U32,
	[SFW_A_CHAIN] = MNL_TYPE_NESTED,
	[SFW_A_RULE] = MNL_TYPE_NESTED,
	[SFW_A_SET] = MNL_TYPE_NESTED,
	[SFW_A_GENERATION] = MNL_TYPE_U64,
};

static const enum mnl_attr_data_type chain_types[SFW_CHAIN_A_MAX + 1] = {
	[SFW_CHAIN_A_ID] = MNL_TYPE_U8,
	[SFW_CHAIN_A_POLICY] = MNL_TYPE_U8,
	[SFW_CHAIN_A_RULES] = MNL_TYPE_U32,
	[SFW_CHAIN_A_PACKETS] = MNL_TYPE_U64,
	[SFW_CHAIN_A_BYTES] = MNL_TYPE_U64,
};

static const enum mnl_attr_data_type rule_types[SFW_RULE_A_MAX + 1] = {
	[SFW_RULE_A_CHAIN] = MNL_TYPE_U8,
	[SFW_RULE_A_POS] = MNL_TYPE_U32,
	[SFW_RULE_A_FAMILY] = MNL_TYPE_U8,
	[SFW_RULE_A_L4] = MNL_TYPE_U8,
	[SFW_RULE_A_IIF] = MNL_TYPE_NUL_STRING,
	[SFW_RULE_A_OIF] = MNL_TYPE_NUL_STRING,
	[SFW_RULE_A_SADDR] = MNL_TYPE_NESTED,
	[SFW_RULE_A_DADDR] = MNL_TYPE_NESTED,
	[SFW_RULE_A_SADDR_SET] = MNL_TYPE_NUL_STRING,
	[SFW_RULE_A_DADDR_SET] = MNL_TYPE_NUL_STRING,
	[SFW_RULE_A_SPORTS] = MNL_TYPE_NESTED,
	[SFW_RULE_A_DPORTS] = MNL_TYPE_NESTED,
	[SFW_RULE_A_ICMP_TYPE] = MNL_TYPE_U8,
	[SFW_RULE_A_CT_STATE] = MNL_TYPE_U8,
	[SFW_RULE_A_ACTION] = MNL_TYPE_U8,
	[SFW_RULE_A_LOG] = MNL_TYPE_FLAG,
	[SFW_RULE_A_LOG_PREFIX] = MNL_TYPE_NUL_STRING,
	[SFW_RULE_A_PACKETS] = MNL_TYPE_U64,
	[SFW_RULE_A_BYTES] = MNL_TYPE_U64,
	[SFW_RULE_A_NAT] = MNL_TYPE_NESTED,
	[SFW_RULE_A_CT_HELPER] = MNL_TYPE_U8,
};

static const enum mnl_attr_data_type nat_types[SFW_NAT_A_MAX + 1] = {
	[SFW_NAT_A_LB] = MNL_TYPE_U8,
	[SFW_NAT_A_STICKY] = MNL_TYPE_U32,
};

static const enum mnl_attr_data_type target_types[SFW_TARGET_A_MAX + 1] = {
	[SFW_TARGET_A_ADDR_LO] = MNL_TYPE_NESTED,
	[SFW_TARGET_A_ADDR_HI] = MNL_TYPE_NESTED,
	[SFW_TARGET_A_PORT_LO] = MNL_TYPE_U16,
	[SFW_TARGET_A_PORT_HI] = MNL_TYPE_U16,
};

static const enum mnl_attr_data_type addr_types[SFW_ADDR_A_MAX + 1] = {
	[SFW_ADDR_A_V4] = MNL_TYPE_BINARY,
	[SFW_ADDR_A_V6] = MNL_TYPE_BINARY,
	[SFW_ADDR_A_LEN] = MNL_TYPE_U8,
};

static const enum mnl_attr_data_type range_types[SFW_RANGE_A_MAX + 1] = {
	[SFW_RANGE_A_LO] = MNL_TYPE_U16,
	[SFW_RANGE_A_HI] = MNL_TYPE_U16,
};

static const enum mnl_attr_data_type set_types[SFW_SET_A_MAX + 1] = {
	[SFW_SET_A_NAME] = MNL_TYPE_NUL_STRING,
	[SFW_SET_A_ELEMS] = MNL_TYPE_NESTED,
	[SFW_SET_A_COUNT] = MNL_TYPE_U32,
};

static int get_prefix(const struct nlattr *nest, struct sfw_prefix *p)
{
	const struct nlattr *tb[SFW_ADDR_A_MAX + 1];

	memset(p, 0, sizeof(*p));
	if (parse_nested(nest, addr_types, SFW_ADDR_A_MAX, tb) || !tb[SFW_ADDR_A_LEN])
		return -1;
	if (tb[SFW_ADDR_A_V4] && mnl_attr_get_payload_len(tb[SFW_ADDR_A_V4]) == 4) {
		p->l3num = SFW_AF_INET;
		memcpy(&p->addr, mnl_attr_get_payload(tb[SFW_ADDR_A_V4]), 4);
	} else if (tb[SFW_ADDR_A_V6] && mnl_attr_get_payload_len(tb[SFW_ADDR_A_V6]) == 16) {
		p->l3num = SFW_AF_INET6;
		memcpy(&p->addr, mnl_attr_get_payload(tb[SFW_ADDR_A_V6]), 16);
	} else {
		return -1;
	}
	p->len = mnl_attr_get_u8(tb[SFW_ADDR_A_LEN]);
	return 0;
}

/* A target's address nest into @a; its family into @l3num (which must agree if set). */
static int get_target_addr(const struct nlattr *nest, u8 *l3num, union sfw_addr *a)
{
	const struct nlattr *tb[SFW_ADDR_A_MAX + 1];
	u8 fam;

	if (parse_nested(nest, addr_types, SFW_ADDR_A_MAX, tb))
		return -1;
	memset(a, 0, sizeof(*a));
	if (tb[SFW_ADDR_A_V4] && mnl_attr_get_payload_len(tb[SFW_ADDR_A_V4]) == 4) {
		fam = SFW_AF_INET;
		memcpy(a, mnl_attr_get_payload(tb[SFW_ADDR_A_V4]), 4);
	} else if (tb[SFW_ADDR_A_V6] && mnl_attr_get_payload_len(tb[SFW_ADDR_A_V6]) == 16) {
		fam = SFW_AF_INET6;
		memcpy(a, mnl_attr_get_payload(tb[SFW_ADDR_A_V6]), 16);
	} else {
		return -1;
	}
	if (*l3num && *l3num != fam)
		return -1;
	*l3num = fam;
	return 0;
}

/* SFW_RULE_A_NAT into @rr's targets, lb and sticky. */
static int get_nat(const struct nlattr *nest, struct rules_rule *rr)
{
	const struct nlattr *tb[SFW_NAT_A_MAX + 1], *tt[SFW_TARGET_A_MAX + 1];
	const struct nlattr *a;
	u16 n = 0;

	if (parse_nested(nest, nat_types, SFW_NAT_A_MAX, tb))
		return -1;
	mnl_attr_for_each_nested(a, nest)
		n += mnl_attr_get_type(a) == SFW_NAT_A_TARGET;
	rr->nat = calloc(n ? n : 1, sizeof(*rr->nat));
	if (!rr->nat)
		die("out of memory");
	rr->r.nnat = 0;
	mnl_attr_for_each_nested(a, nest) {
		struct sfw_nat_range *t = &rr->nat[rr->r.nnat];

		if (mnl_attr_get_type(a) != SFW_NAT_A_TARGET)
			continue;
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ||
		    parse_nested(a, target_types, SFW_TARGET_A_MAX, tt))
			return -1;
		if (tt[SFW_TARGET_A_ADDR_LO]) {
			if (get_target_addr(tt[SFW_TARGET_A_ADDR_LO], &t->l3num, &t->lo))
				return -1;
			t->hi = t->lo;
		}
		if (tt[SFW_TARGET_A_ADDR_HI] &&
		    get_target_addr(tt[SFW_TARGET_A_ADDR_HI], &t->l3num, &t->hi))
			return -1;
		if (tt[SFW_TARGET_A_PORT_LO]) {
			t->port_lo = ntohs(mnl_attr_get_u16(tt[SFW_TARGET_A_PORT_LO]));
			t->port_hi = tt[SFW_TARGET_A_PORT_HI] ?
				     ntohs(mnl_attr_get_u16(tt[SFW_TARGET_A_PORT_HI])) : t->port_lo;
		}
		rr->r.nnat++;
	}
	if (tb[SFW_NAT_A_LB])
		rr->r.nat_lb = mnl_attr_get_u8(tb[SFW_NAT_A_LB]);
	if (tb[SFW_NAT_A_STICKY])
		rr->r.nat_sticky = mnl_attr_get_u32(tb[SFW_NAT_A_STICKY]);
	return 0;
}

static int get_ports(const struct nlattr *nest, struct sfw_port_range **out, u16 *n)
{
	const struct nlattr *tb[SFW_RANGE_A_MAX + 1];
	const struct nlattr *a;
	u16 i = 0;

	mnl_attr_for_each_nested(a, nest)
		i++;
	*out = calloc(i ? i : 1, sizeof(**out));
	if (!*out)
		die("out of memory");
	*n = 0;
	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) != SFW_PORTS_A_RANGE)
			continue;
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ||
		    parse_nested(a, range_types, SFW_RANGE_A_MAX, tb) || !tb[SFW_RANGE_A_LO] ||
		    !tb[SFW_RANGE_A_HI])
			return -1;
		(*out)[*n].lo = ntohs(mnl_attr_get_u16(tb[SFW_RANGE_A_LO]));
		(*out)[*n].hi = ntohs(mnl_attr_get_u16(tb[SFW_RANGE_A_HI]));
		(*n)++;
	}
	return 0;
}

/* Grow @arr of @size-byte items to hold @want (doubling); dies when out of memory. */
void *sfwctl_grow(void *arr, u32 *cap, u32 want, size_t size)
{
	u32 ncap = *cap ? *cap : 8;

	if (want <= *cap)
		return arr;
	while (ncap < want)
		ncap *= 2;
	arr = realloc(arr, (size_t)ncap * size);
	if (!arr)
		die("out of memory");
	*cap = ncap;
	return arr;
}

/* What a dump rebuilds: the running set as a rules_file, and its chains' policy counters. */
struct dump {
	struct rules_file *rf;
	uint64_t generation;
	bool have_generation, intr;
	uint64_t policy_packets[SFW_CHAIN_COUNT], policy_bytes[SFW_CHAIN_COUNT];
};

static int dump_chain(struct dump *d, const struct nlattr *nest)
{
	const struct nlattr *tb[SFW_CHAIN_A_MAX + 1];
	unsigned int c;

	if (parse_nested(nest, chain_types, SFW_CHAIN_A_MAX, tb) || !tb[SFW_CHAIN_A_ID] ||
	    !tb[SFW_CHAIN_A_POLICY] || (c = mnl_attr_get_u8(tb[SFW_CHAIN_A_ID])) >= SFW_CHAIN_COUNT)
		return -1;
	d->rf->chain[c].defined = true;
	d->rf->chain[c].policy = mnl_attr_get_u8(tb[SFW_CHAIN_A_POLICY]);
	if (tb[SFW_CHAIN_A_PACKETS])
		d->policy_packets[c] = mnl_attr_get_u64(tb[SFW_CHAIN_A_PACKETS]);
	if (tb[SFW_CHAIN_A_BYTES])
		d->policy_bytes[c] = mnl_attr_get_u64(tb[SFW_CHAIN_A_BYTES]);
	return 0;
}

static int dump_rule(struct dump *d, const struct nlattr *nest)
{
	const struct nlattr *tb[SFW_RULE_A_MAX + 1];
	struct rules_chain *ch;
	struct rules_rule *rr;
	struct sfw_rule *r;
	unsigned int c;

	if (parse_nested(nest, rule_types, SFW_RULE_A_MAX, tb) || !tb[SFW_RULE_A_CHAIN] ||
	    !tb[SFW_RULE_A_ACTION] || (c = mnl_attr_get_u8(tb[SFW_RULE_A_CHAIN])) >= SFW_CHAIN_COUNT)
		return -1;
	ch = &d->rf->chain[c];
	ch->defined = true;
	ch->rules = sfwctl_grow(ch->rules, &ch->cap, ch->n + 1, sizeof(*ch->rules));
	rr = &ch->rules[ch->n++];
	memset(rr, 0, sizeof(*rr));
	r = &rr->r;
	r->action = mnl_attr_get_u8(tb[SFW_RULE_A_ACTION]);
	if (tb[SFW_RULE_A_FAMILY])
		r->family = mnl_attr_get_u8(tb[SFW_RULE_A_FAMILY]);
	if (tb[SFW_RULE_A_L4])
		r->l4proto = mnl_attr_get_u8(tb[SFW_RULE_A_L4]);
	if (tb[SFW_RULE_A_IIF])
		snprintf(r->iif, sizeof(r->iif), "%s", mnl_attr_get_str(tb[SFW_RULE_A_IIF]));
	if (tb[SFW_RULE_A_OIF])
		snprintf(r->oif, sizeof(r->oif), "%s", mnl_attr_get_str(tb[SFW_RULE_A_OIF]));
	if (tb[SFW_RULE_A_SADDR] && get_prefix(tb[SFW_RULE_A_SADDR], &r->saddr))
		return -1;
	if (tb[SFW_RULE_A_DADDR] && get_prefix(tb[SFW_RULE_A_DADDR], &r->daddr))
		return -1;
	if (tb[SFW_RULE_A_SADDR_SET])
		snprintf(rr->saddr_set, sizeof(rr->saddr_set), "%s",
			 mnl_attr_get_str(tb[SFW_RULE_A_SADDR_SET]));
	if (tb[SFW_RULE_A_DADDR_SET])
		snprintf(rr->daddr_set, sizeof(rr->daddr_set), "%s",
			 mnl_attr_get_str(tb[SFW_RULE_A_DADDR_SET]));
	if (tb[SFW_RULE_A_SPORTS] && get_ports(tb[SFW_RULE_A_SPORTS], &rr->sports, &r->nsport))
		return -1;
	if (tb[SFW_RULE_A_DPORTS] && get_ports(tb[SFW_RULE_A_DPORTS], &rr->dports, &r->ndport))
		return -1;
	if (tb[SFW_RULE_A_ICMP_TYPE]) {
		r->icmp_type = mnl_attr_get_u8(tb[SFW_RULE_A_ICMP_TYPE]);
		r->flags |= SFW_RULE_F_ICMP_TYPE;
	}
	if (tb[SFW_RULE_A_CT_STATE])
		r->ctstate = mnl_attr_get_u8(tb[SFW_RULE_A_CT_STATE]);
	if (tb[SFW_RULE_A_LOG])
		r->flags |= SFW_RULE_F_LOG;
	if (tb[SFW_RULE_A_CT_HELPER] &&
	    mnl_attr_get_u8(tb[SFW_RULE_A_CT_HELPER]) == SFW_CT_HELPER_FTP)
		r->flags |= SFW_RULE_F_HELPER_FTP;
	if (tb[SFW_RULE_A_LOG_PREFIX])
		snprintf(r->log_prefix, sizeof(r->log_prefix), "%s",
			 mnl_attr_get_str(tb[SFW_RULE_A_LOG_PREFIX]));
	if (tb[SFW_RULE_A_PACKETS])
		rr->packets = mnl_attr_get_u64(tb[SFW_RULE_A_PACKETS]);
	if (tb[SFW_RULE_A_BYTES])
		rr->bytes = mnl_attr_get_u64(tb[SFW_RULE_A_BYTES]);
	if (tb[SFW_RULE_A_NAT] && get_nat(tb[SFW_RULE_A_NAT], rr))
		return -1;
	r->saddr_set = r->daddr_set = -1;
	return 0;
}

static int dump_set(struct dump *d, const struct nlattr *nest)
{
	const struct nlattr *tb[SFW_SET_A_MAX + 1];
	struct rules_file *rf = d->rf;
	struct rules_set *s = NULL;
	const struct nlattr *a;
	const char *name;
	u32 i;

	if (parse_nested(nest, set_types, SFW_SET_A_MAX, tb) || !tb[SFW_SET_A_NAME])
		return -1;
	name = mnl_attr_get_str(tb[SFW_SET_A_NAME]);
	/* A set's elements continue from message to message. */
	for (i = 0; i < rf->nsets; i++)
		if (!strcmp(rf->sets[i].name, name))
			s = &rf->sets[i];
	if (!s) {
		rf->sets = sfwctl_grow(rf->sets, &rf->cap_sets, rf->nsets + 1, sizeof(*rf->sets));
		s = &rf->sets[rf->nsets++];
		memset(s, 0, sizeof(*s));
		snprintf(s->name, sizeof(s->name), "%s", name);
	}
	if (!tb[SFW_SET_A_ELEMS])
		return 0;
	mnl_attr_for_each_nested(a, tb[SFW_SET_A_ELEMS]) {
		if (mnl_attr_get_type(a) != SFW_ELEMS_A_ADDR || mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			continue;
		s->elems = sfwctl_grow(s->elems, &s->cap, s->n + 1, sizeof(*s->elems));
		if (get_prefix(a, &s->elems[s->n]))
			return -1;
		s->n++;
	}
	return 0;
}

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[SFW_A_MAX + 1];
	struct dump *d = data;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		d->intr = true;
	if (parse_top(nlh, top_types, SFW_A_MAX, tb))
		return MNL_CB_ERROR;
	if (tb[SFW_A_GENERATION]) {
		d->generation = mnl_attr_get_u64(tb[SFW_A_GENERATION]);
		d->have_generation = true;
	}
	if ((tb[SFW_A_CHAIN] && dump_chain(d, tb[SFW_A_CHAIN])) ||
	    (tb[SFW_A_RULE] && dump_rule(d, tb[SFW_A_RULE])) ||
	    (tb[SFW_A_SET] && dump_set(d, tb[SFW_A_SET]))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static struct rules_file *rf_new(const char *name)
{
	struct rules_file *rf = calloc(1, sizeof(*rf));

	if (!rf || !(rf->name = strdup(name)))
		die("out of memory");
	return rf;
}

/*
 * Dump @cmd (RULESET_GET, or SET_GET of @set_name) into @d, again while the
 * kernel says it changed under the dump.
 */
static void dump_rules(struct nl *nl, uint8_t cmd, const char *set_name, struct dump *d)
{
	int tries;

	for (tries = 0; ; tries++) {
		struct nlmsghdr *nlh = msg_start(nl, nl->family, cmd, NLM_F_DUMP);

		memset(d, 0, sizeof(*d));
		d->rf = rf_new("kernel");
		if (set_name) {
			struct nlattr *nest = mnl_attr_nest_start(nlh, SFW_A_SET);

			mnl_attr_put_strz(nlh, SFW_SET_A_NAME, set_name);
			mnl_attr_nest_end(nlh, nest);
		}
		if (request(nl, nlh, dump_cb, d) < 0)
			kernel_error(nl, cmd == SFW_CMD_SET_GET ? "set list" : "ruleset show");
		if (!d->intr)
			return;
		sfw_rules_free(d->rf);
		if (tries == 10)
			die("the rule set kept changing during the dump; try again");
	}
}

/* ---- ruleset load ---- */

/* A rule file larger than this is refused before it is parsed. */
#define RULES_FILE_MAX		(64U << 20)
#define RULES_FILE_MAX_TEXT	"64 MiB"

/*
 * Read @path (- for stdin) a chunk at a time, and stop at the first line
 * longer than SFW_RULES_LINE_MAX or past RULES_FILE_MAX bytes: /dev/zero
 * or an endless pipe fails after a few KiB, instead of growing until the
 * memory runs out. @name is the file's name in messages.
 */
static char *read_rules(const char *path, const char *name, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t cap = 1 << 16, n = 0, line_start = 0, got, i;
	unsigned int line = 1;
	struct stat st;
	char *buf, *nbuf;

	if (!f)
		die("%s: %s", path, strerror(errno));
	if (!fstat(fileno(f), &st) && S_ISREG(st.st_mode) && st.st_size > RULES_FILE_MAX)
		die("%s: larger than " RULES_FILE_MAX_TEXT, name);
	buf = malloc(cap);
	if (!buf)
		die("out of memory");
	for (;;) {
		if (n == cap) {
			/* One byte past the cap is enough to tell that it is past. */
			cap = cap * 2 > RULES_FILE_MAX ? RULES_FILE_MAX + 1 : cap * 2;
			nbuf = realloc(buf, cap);
			if (!nbuf)
				die("out of memory");
			buf = nbuf;
		}
		got = fread(buf + n, 1, cap - n, f);
		if (!got)
			break;
		for (i = n; i < n + got; i++) {
			if (buf[i] == '\n') {
				line++;
				line_start = i + 1;
			} else if (i - line_start >= SFW_RULES_LINE_MAX) {
				die("%s:%u: line longer than %u characters", name, line,
					  SFW_RULES_LINE_MAX);
			}
		}
		n += got;
		if (n > RULES_FILE_MAX)
			die("%s: larger than " RULES_FILE_MAX_TEXT, name);
	}
	if (ferror(f))
		die("%s: %s", path, strerror(errno));
	if (f != stdin)
		fclose(f);
	*len = n;
	return buf;
}

struct commit_reply {
	uint64_t generation;
	uint32_t count;
	bool have_count;
};

static int commit_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[SFW_A_MAX + 1];
	struct commit_reply *c = data;

	if (parse_top(nlh, top_types, SFW_A_MAX, tb) || !tb[SFW_A_GENERATION])
		return MNL_CB_ERROR;
	c->generation = mnl_attr_get_u64(tb[SFW_A_GENERATION]);
	if (tb[SFW_A_COUNT]) {
		c->count = mnl_attr_get_u32(tb[SFW_A_COUNT]);
		c->have_count = true;
	}
	return MNL_CB_OK;
}

static void load_help(void)
{
	puts("usage: sfwctl ruleset load FILE|- [--check] [--recheck]\n"
	     "replace the running rule set with FILE's (- reads stdin), as one step.\n"
	     "The file is parsed and checked first: an error prints FILE:LINE:COL: message\n"
	     "and nothing is loaded.\n"
	     "  --check    parse, build and compile only, without the module: print\n"
	     "             nothing and exit 0 if the file is good, 1 if it is not\n"
	     "  --recheck  then delete the connections the new rules would not admit");
}

static int ruleset_load(struct nl *nl, int argc, char **argv)
{
	char err[SFW_RULES_ERR_LEN];
	const char *path = NULL, *name;
	struct rules_file *rf;
	bool check = false, recheck = false;
	size_t len;
	char *buf;
	int a;

	for (a = 0; a < argc; a++) {
		if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			load_help();
			return 0;
		} else if (!strcmp(argv[a], "--check")) {
			check = true;
		} else if (!strcmp(argv[a], "--recheck")) {
			recheck = true;
		} else if (argv[a][0] == '-' && argv[a][1]) {
			usage_error("ruleset load: unknown option '%s'", argv[a]);
		} else if (path) {
			usage_error("ruleset load: one file only ('%s')", argv[a]);
		} else {
			path = argv[a];
		}
	}
	if (!path)
		usage_error("ruleset load: which file? (- for stdin)");
	if (check && recheck)
		usage_error("ruleset load: --check changes nothing, so there is nothing to --recheck");

	name = strcmp(path, "-") ? path : "<stdin>";
	buf = read_rules(path, name, &len);
	rf = sfw_rules_parse(name, buf, len, err);
	free(buf);
	if (!rf) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	return rules_file_load(nl, rf, check, recheck);
}

/*
 * Check @rf as the kernel would (build and compile it with the kernel's
 * own units), then send it as one transaction; with @check stop after
 * the checks, so that no module is needed. Frees @rf; 0, or 1 after
 * printing why.
 */
int rules_file_load(struct nl *nl, struct rules_file *rf, bool check, bool recheck)
{
	char err[SFW_RULES_ERR_LEN], cerr[SFW_ERR_LEN];
	struct sfw_ruleset_builder *b;
	struct commit_reply reply = { 0 };
	struct sender s = { .nl = nl };
	struct sfw_ruleset *rs;
	struct nlmsghdr *nlh;
	unsigned int c;
	u32 i;

	/* The kernel's own checks, here first, with the file's lines. */
	b = sfw_ruleset_builder_new();
	if (!b)
		die("out of memory");
	if (sfw_rules_file_to_builder(rf, b, err)) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	cerr[0] = 0;
	rs = sfw_ruleset_compile(b, 0, cerr);
	sfw_ruleset_builder_free(b);
	if (!rs) {
		fprintf(stderr, "%s: %s\n", rf->name, cerr);
		return 1;
	}
	sfw_ruleset_free(rs);
	/* That is all the kernel would check: --check needs no module. */
	if (check) {
		sfw_rules_free(rf);
		return 0;
	}

	nl_ready(nl);
	s.rf = rf;
	nlh = msg_start(nl, nl->family, SFW_CMD_RULESET_BEGIN, NLM_F_ACK);
	for (c = 0; c < SFW_CHAIN_COUNT; c++) {
		struct nlattr *nest;

		if (!rf->chain[c].defined)
			continue;
		nest = mnl_attr_nest_start(nlh, SFW_A_CHAIN);
		mnl_attr_put_u8(nlh, SFW_CHAIN_A_ID, c);
		mnl_attr_put_u8(nlh, SFW_CHAIN_A_POLICY, rf->chain[c].policy);
		mnl_attr_nest_end(nlh, nest);
	}
	if (request(nl, nlh, NULL, NULL) < 0)
		kernel_error(nl, "ruleset load");
	sender_start(&s);
	for (c = 0; c < SFW_CHAIN_COUNT; c++)
		for (i = 0; i < rf->chain[c].n; i++)
			send_rule(&s, c, &rf->chain[c].rules[i]);
	for (i = 0; i < rf->nsets; i++)
		send_set(&s, &rf->sets[i]);
	sender_flush(&s);

	nlh = msg_start(nl, nl->family, SFW_CMD_RULESET_COMMIT, NLM_F_ACK);
	if (recheck)
		mnl_attr_put_u32(nlh, SFW_A_COMMIT_FLAGS, SFW_COMMIT_F_RECHECK);
	if (request(nl, nlh, commit_cb, &reply) < 0)
		load_error(&s);
	if (reply.have_count)
		fprintf(stderr, "sfwctl: generation %" PRIu64 " loaded; %u connections expired\n",
			reply.generation, reply.count);
	else
		fprintf(stderr, "sfwctl: generation %" PRIu64 " loaded\n", reply.generation);
	sfw_rules_free(rf);
	return 0;
}

/* ---- ruleset show / flush, counters reset ---- */

static int ruleset_show(struct nl *nl, int argc, char **argv)
{
	struct dump d;
	unsigned int c;
	int a;

	for (a = 0; a < argc; a++) {
		if (!strcmp(argv[a], "-j")) {
			json = true;
		} else if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			puts("usage: sfwctl ruleset show [-j]\n"
			     "print the running rule set in rule file syntax, with each rule's\n"
			     "counters (the output loads again); -j prints JSON.");
			return 0;
		} else {
			usage_error("ruleset show: unknown argument '%s'", argv[a]);
		}
	}
	nl_ready(nl);
	dump_rules(nl, SFW_CMD_RULESET_GET, NULL, &d);
	if (json) {
		sfw_rules_print_json(stdout, d.rf, SFW_RULES_PRINT_COUNTERS);
	} else if (!d.have_generation) {
		puts("# no rule set loaded: every packet is accepted");
	} else {
		printf("# generation %" PRIu64 "; packets and bytes the policies judged:", d.generation);
		for (c = 0; c < SFW_CHAIN_COUNT; c++)
			printf("%s %s %" PRIu64 " %" PRIu64, c ? "," : "", sfw_chain_names[c],
			       d.policy_packets[c], d.policy_bytes[c]);
		putchar('\n');
		sfw_rules_print(stdout, d.rf, SFW_RULES_PRINT_COUNTERS);
	}
	sfw_rules_free(d.rf);
	return 0;
}

/* A command without arguments: @cmd, acked. */
static int simple(struct nl *nl, int argc, char **argv, uint8_t cmd, const char *what,
		  const char *help)
{
	struct nlmsghdr *nlh;

	if (argc > 0 && (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help"))) {
		puts(help);
		return 0;
	}
	if (argc > 0)
		usage_error("%s: unknown argument '%s'", what, argv[0]);
	nl_ready(nl);
	nlh = msg_start(nl, nl->family, cmd, NLM_F_ACK);
	if (request(nl, nlh, NULL, NULL) < 0)
		kernel_error(nl, what);
	return 0;
}

static int ruleset_flush(struct nl *nl, int argc, char **argv)
{
	return simple(nl, argc, argv, SFW_CMD_RULESET_FLUSH, "ruleset flush",
		      "usage: sfwctl ruleset flush\n"
		      "unload the rule set: every packet is accepted again.");
}

static int counters_reset(struct nl *nl, int argc, char **argv)
{
	return simple(nl, argc, argv, SFW_CMD_COUNTERS_RESET, "counters reset",
		      "usage: sfwctl counters reset\n"
		      "zero the packet and byte counters of every rule and policy.");
}

/* ---- rule add / insert / delete ---- */

static void rule_help(void)
{
	puts("usage: sfwctl rule add CHAIN [pos N] RULE...\n"
	     "       sfwctl rule insert CHAIN [pos N] RULE...\n"
	     "       sfwctl rule delete CHAIN N\n"
	     "add a rule at the end of CHAIN (input, forward, output, prerouting,\n"
	     "postrouting) or after rule N;\n"
	     "insert it at the start or before rule N; delete rule N (numbered from 1,\n"
	     "as `ruleset show` lists them). RULE is one line of the rule file syntax,\n"
	     "e.g. tcp dport 22 ct state new accept. The running set is rebuilt with\n"
	     "the change and replaced in one step; its counters start from zero.");
}

static int rule_change(struct nl *nl, int argc, char **argv, uint8_t cmd)
{
	char err[SFW_RULES_ERR_LEN];
	struct rules_file *rf;
	struct nlmsghdr *nlh;
	const char *what = cmd == SFW_CMD_RULE_ADD ? "rule add" :
			   cmd == SFW_CMD_RULE_INSERT ? "rule insert" : "rule delete";
	long pos = 0;
	char *text, *p;
	size_t len = 0;
	int c, a;

	if (argc > 0 && (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help"))) {
		rule_help();
		return 0;
	}
	if (argc < 1 || (c = chain_number(argv[0])) < 0)
		usage_error("%s: which chain? (input, forward, output, prerouting or postrouting)",
			    what);
	a = 1;
	if (cmd == SFW_CMD_RULE_DEL || (argc > 2 && !strcmp(argv[1], "pos"))) {
		const char *n = cmd == SFW_CMD_RULE_DEL ? (argc > 1 ? argv[1] : NULL) : argv[2];
		char *end;

		if (!n)
			usage_error("%s: which rule? (a number from 1)", what);
		errno = 0;
		pos = strtol(n, &end, 10);
		if (errno || *end || pos < 1 || pos > UINT32_MAX)
			usage_error("%s: '%s' is not a rule number", what, n);
		a = cmd == SFW_CMD_RULE_DEL ? 2 : 3;
	}
	if (cmd == SFW_CMD_RULE_DEL) {
		if (argc > 2)
			usage_error("%s: unknown argument '%s'", what, argv[2]);
		nl_ready(nl);
		nlh = msg_start(nl, nl->family, cmd, NLM_F_ACK);
		{
			struct nlattr *nest = mnl_attr_nest_start(nlh, SFW_A_RULE);

			mnl_attr_put_u8(nlh, SFW_RULE_A_CHAIN, c);
			mnl_attr_put_u32(nlh, SFW_RULE_A_POS, pos);
			mnl_attr_nest_end(nlh, nest);
		}
		if (request(nl, nlh, NULL, NULL) < 0)
			kernel_error(nl, what);
		return 0;
	}
	if (a >= argc)
		usage_error("%s: no rule given", what);

	/*
	 * The rule as a one-rule file: its chain on line 1, the rule on line
	 * 2, then an empty set for each @name so that the parser lets the
	 * reference through (the kernel checks that the set exists).
	 */
	for (int i = a; i < argc; i++)
		len += strlen(argv[i]) * 2 + 32;
	text = calloc(1, len + 64);
	if (!text)
		die("out of memory");
	p = text + sprintf(text, "chain %s\n", sfw_chain_names[c]);
	for (int i = a; i < argc; i++)
		p += sprintf(p, "%s%s", i > a ? " " : "", argv[i]);
	*p++ = '\n';
	for (int i = a; i < argc; i++)
		if (argv[i][0] == '@' && argv[i][1])
			p += sprintf(p, "set %s { }\n", argv[i] + 1);
	rf = sfw_rules_parse("rule", text, p - text, err);
	free(text);
	if (!rf) {
		/* "rule:2:COL: ..." is the rule's own column. */
		if (!strncmp(err, "rule:2:", 7))
			fprintf(stderr, "sfwctl: %s: column %s\n", what, err + 7);
		else
			fprintf(stderr, "sfwctl: %s: %s\n", what, err);
		return 1;
	}
	if (rf->chain[c].n != 1)
		usage_error("%s: one rule only", what);
	nl_ready(nl);
	nlh = msg_start(nl, nl->family, cmd, NLM_F_ACK);
	if (!put_rule(nlh, c, pos, &rf->chain[c].rules[0]))
		die("%s: the rule does not fit in a message", what);
	if (request(nl, nlh, NULL, NULL) < 0)
		kernel_error(nl, what);
	sfw_rules_free(rf);
	return 0;
}

static int rule_add(struct nl *nl, int argc, char **argv)
{
	return rule_change(nl, argc, argv, SFW_CMD_RULE_ADD);
}

static int rule_insert(struct nl *nl, int argc, char **argv)
{
	return rule_change(nl, argc, argv, SFW_CMD_RULE_INSERT);
}

static int rule_delete(struct nl *nl, int argc, char **argv)
{
	return rule_change(nl, argc, argv, SFW_CMD_RULE_DEL);
}

/* ---- set add / del / list ---- */

static void set_help(void)
{
	puts("usage: sfwctl set add|del NAME ELEMENT...\n"
	     "       sfwctl set list [NAME] [-j]\n"
	     "add addresses or prefixes (10.0.0.0/8, 2001:db8::1; commas or spaces\n"
	     "between them) to the running set NAME, or remove them; they take effect\n"
	     "at once. list prints the sets as the rule file writes them.");
}

static void parse_elem(const char *what, const char *word, struct sfw_prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	long len;

	memset(p, 0, sizeof(*p));
	if (strlen(word) >= sizeof(buf))
		usage_error("%s: '%s' is not an address or prefix", what, word);
	strcpy(buf, word);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = 0;
	if (inet_pton(AF_INET, buf, &p->addr) == 1)
		p->l3num = SFW_AF_INET;
	else if (inet_pton(AF_INET6, buf, &p->addr) == 1)
		p->l3num = SFW_AF_INET6;
	else
		usage_error("%s: '%s' is not an address or prefix", what, word);
	p->len = p->l3num == SFW_AF_INET ? 32 : 128;
	if (slash) {
		errno = 0;
		len = strtol(slash, &end, 10);
		if (errno || *end || end == slash || len < 0 || len > p->len)
			usage_error("%s: '%s': bad prefix length", what, word);
		p->len = len;
	}
}

static int set_change(struct nl *nl, int argc, char **argv, bool add)
{
	const char *what = add ? "set add" : "set del";
	struct sfw_prefix *elems = NULL;
	u32 n = 0, cap = 0, k;
	struct nlmsghdr *nlh;
	int a;

	if (argc > 0 && (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help"))) {
		set_help();
		return 0;
	}
	if (argc < 2)
		usage_error("%s: NAME and at least one element, please", what);
	if (strlen(argv[0]) >= SFW_SET_NAME_LEN)
		usage_error("%s: set name '%s' too long", what, argv[0]);
	for (a = 1; a < argc; a++) {
		char *copy = strdup(argv[a]), *save = NULL, *w;

		if (!copy)
			die("out of memory");
		for (w = strtok_r(copy, ", {}", &save); w; w = strtok_r(NULL, ", {}", &save)) {
			elems = sfwctl_grow(elems, &cap, n + 1, sizeof(*elems));
			parse_elem(what, w, &elems[n++]);
		}
		free(copy);
	}
	if (!n)
		usage_error("%s: no element given", what);
	nl_ready(nl);
	/* Each request is one atomic change; a long list takes several. */
	for (k = 0; k < n;) {
		struct nlattr *nest, *list;
		u32 start = k;

		nlh = msg_start(nl, nl->family, add ? SFW_CMD_SET_ADD : SFW_CMD_SET_DEL, NLM_F_ACK);
		nest = mnl_attr_nest_start(nlh, SFW_A_SET);
		mnl_attr_put_strz(nlh, SFW_SET_A_NAME, argv[0]);
		list = mnl_attr_nest_start(nlh, SFW_SET_A_ELEMS);
		while (k < n && put_prefix(nlh, SFW_ELEMS_A_ADDR, &elems[k]))
			k++;
		if (k == start)
			die("%s: an element does not fit in a message", what);
		mnl_attr_nest_end(nlh, list);
		mnl_attr_nest_end(nlh, nest);
		if (request(nl, nlh, NULL, NULL) < 0)
			kernel_error(nl, what);
	}
	free(elems);
	return 0;
}

static int set_add(struct nl *nl, int argc, char **argv)
{
	return set_change(nl, argc, argv, true);
}

static int set_del(struct nl *nl, int argc, char **argv)
{
	return set_change(nl, argc, argv, false);
}

static int set_list(struct nl *nl, int argc, char **argv)
{
	const char *name = NULL;
	struct dump d;
	int a;

	for (a = 0; a < argc; a++) {
		if (!strcmp(argv[a], "-j")) {
			json = true;
		} else if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			set_help();
			return 0;
		} else if (argv[a][0] == '-' || name) {
			usage_error("set list: unknown argument '%s'", argv[a]);
		} else {
			name = argv[a];
		}
	}
	if (name && strlen(name) >= SFW_SET_NAME_LEN)
		usage_error("set list: set name '%s' too long", name);
	nl_ready(nl);
	dump_rules(nl, SFW_CMD_SET_GET, name, &d);
	if (json)
		sfw_rules_print_json(stdout, d.rf, 0);
	else
		sfw_rules_print(stdout, d.rf, 0);
	sfw_rules_free(d.rf);
	return 0;
}

/* ---- dispatch ---- */

static const struct sfwctl_cmd ruleset_cmds[] = {
	{ "load", ruleset_load, "load a rule file as one atomic replace (--check, --recheck)", true },
	{ "show", ruleset_show, "print the running rule set with counters (-j)", true },
	{ "import-nft", ruleset_import_nft, "translate the live nftables rule set (--load)", false },
	{ "flush", ruleset_flush, "unload the rule set: accept everything", true },
};

static const struct sfwctl_cmd rule_cmds[] = {
	{ "add", rule_add, "append a rule to a chain, or after rule N", true },
	{ "insert", rule_insert, "insert a rule at a chain's start, or before rule N", true },
	{ "delete", rule_delete, "delete rule N of a chain", true },
};

static const struct sfwctl_cmd set_cmds[] = {
	{ "add", set_add, "add elements to an address set", true },
	{ "del", set_del, "remove elements from an address set", true },
	{ "list", set_list, "print the address sets (-j)", true },
};

static const struct sfwctl_cmd counters_cmds[] = {
	{ "reset", counters_reset, "zero every rule and policy counter", true },
};

#define GROUP(name, tab) { name, tab, sizeof(tab) / sizeof((tab)[0]) }

static const struct group {
	const char *name;
	const struct sfwctl_cmd *cmds;
	size_t n;
} groups[] = {
	GROUP("ruleset", ruleset_cmds),
	GROUP("rule", rule_cmds),
	GROUP("set", set_cmds),
	GROUP("counters", counters_cmds),
};

void rules_help(void)
{
	size_t g, i;
	char word[32];

	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (i = 0; i < groups[g].n; i++) {
			snprintf(word, sizeof(word), "%s %s", groups[g].name, groups[g].cmds[i].name);
			printf("  %-17s %s\n", word, groups[g].cmds[i].help);
		}
}

static int dispatch(const struct group *g, struct nl *nl, int argc, char **argv)
{
	size_t i;

	if (argc < 1 || !strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
		printf("usage: sfwctl %s", g->name);
		for (i = 0; i < g->n; i++)
			printf("%s%s", i ? "|" : " ", g->cmds[i].name);
		puts(" [args]");
		for (i = 0; i < g->n; i++)
			printf("  %s %-7s %s\n", g->name, g->cmds[i].name, g->cmds[i].help);
		return argc < 1 ? 2 : 0;
	}
	for (i = 0; i < g->n; i++)
		if (!strcmp(argv[0], g->cmds[i].name))
			return g->cmds[i].run(nl, argc - 1, argv + 1);
	fprintf(stderr, "sfwctl: unknown command '%s %s'\n", g->name, argv[0]);
	return 2;
}

int cmd_ruleset(struct nl *nl, int argc, char **argv)
{
	return dispatch(&groups[0], nl, argc, argv);
}

int cmd_rule(struct nl *nl, int argc, char **argv)
{
	return dispatch(&groups[1], nl, argc, argv);
}

int cmd_set(struct nl *nl, int argc, char **argv)
{
	return dispatch(&groups[2], nl, argc, argv);
}

int cmd_counters(struct nl *nl, int argc, char **argv)
{
	return dispatch(&groups[3], nl, argc, argv);
}
