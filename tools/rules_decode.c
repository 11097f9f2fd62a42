// SPDX-License-Identifier: GPL-2.0
/*
 * rules_decode.c - replies back into a struct rules_file: each
 * attribute's type checked per nest level (mnl_attr_parse with a table of
 * types, unknown attributes skipped for newer kernels), and the rule set
 * dump that `ruleset show` and `set list` print with the shared printers.
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

int rules_parse_top(const struct nlmsghdr *nlh, const enum mnl_attr_data_type *types,
		     unsigned int max, const struct nlattr **tb)
{
	struct nest_parse p = { types, max, tb };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), nest_cb, &p) < 0 ? -1 : 0;
}

const enum mnl_attr_data_type rules_top_types[SFW_A_MAX + 1] = {
	[SFW_A_COUNT] = MNL_TYPE_U32,
	[SFW_A_CHAIN] = MNL_TYPE_NESTED,
	[SFW_A_RULE] = MNL_TYPE_NESTED,
	[SFW_A_SET] = MNL_TYPE_NESTED,
	[SFW_A_GENERATION] = MNL_TYPE_U64,
	[SFW_A_FLOWTABLE] = MNL_TYPE_NESTED,
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
	[SFW_RULE_A_CT_REASONS] = MNL_TYPE_U32,
	[SFW_RULE_A_CT_LOOSE] = MNL_TYPE_FLAG,
	[SFW_RULE_A_CT_COUNT] = MNL_TYPE_NESTED,
	[SFW_RULE_A_ADD_SET] = MNL_TYPE_NUL_STRING,
	[SFW_RULE_A_CT_RATE] = MNL_TYPE_NESTED,
	[SFW_RULE_A_FLOW_ADD] = MNL_TYPE_NUL_STRING,
};

static const enum mnl_attr_data_type ct_rate_types[SFW_CT_RATE_A_MAX + 1] = {
	[SFW_CT_RATE_A_OVER] = MNL_TYPE_U32,
	[SFW_CT_RATE_A_UNIT] = MNL_TYPE_U32,
	[SFW_CT_RATE_A_BURST] = MNL_TYPE_U32,
	[SFW_CT_RATE_A_FAMILY] = MNL_TYPE_U8,
	[SFW_CT_RATE_A_LEN] = MNL_TYPE_U8,
};

static const enum mnl_attr_data_type ct_count_types[SFW_CT_COUNT_A_MAX + 1] = {
	[SFW_CT_COUNT_A_OVER] = MNL_TYPE_U32,
	[SFW_CT_COUNT_A_FAMILY] = MNL_TYPE_U8,
	[SFW_CT_COUNT_A_LEN] = MNL_TYPE_U8,
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
	[SFW_SET_A_TIMEOUT] = MNL_TYPE_U32,
};

static const enum mnl_attr_data_type flowtable_types[SFW_FLOWTABLE_A_MAX + 1] = {
	[SFW_FLOWTABLE_A_NAME] = MNL_TYPE_NUL_STRING,
	[SFW_FLOWTABLE_A_DEVS] = MNL_TYPE_NESTED,
};

/* SFW_RULE_A_CT_COUNT: over N, and by a prefix if both its family and length came. */
static int get_ct_count(const struct nlattr *nest, struct sfw_rule *r)
{
	const struct nlattr *tb[SFW_CT_COUNT_A_MAX + 1];

	if (parse_nested(nest, ct_count_types, SFW_CT_COUNT_A_MAX, tb) || !tb[SFW_CT_COUNT_A_OVER])
		return -1;
	r->flags |= SFW_RULE_F_CT_COUNT;
	r->count_max = mnl_attr_get_u32(tb[SFW_CT_COUNT_A_OVER]);
	if (tb[SFW_CT_COUNT_A_FAMILY] && tb[SFW_CT_COUNT_A_LEN]) {
		r->count_l3num = mnl_attr_get_u8(tb[SFW_CT_COUNT_A_FAMILY]);
		r->count_len = mnl_attr_get_u8(tb[SFW_CT_COUNT_A_LEN]);
		if ((r->count_l3num != SFW_AF_INET && r->count_l3num != SFW_AF_INET6) ||
		    r->count_len > (r->count_l3num == SFW_AF_INET ? 32 : 128))
			return -1;
	}
	return 0;
}

/* SFW_RULE_A_CT_RATE. */
static int get_ct_rate(const struct nlattr *nest, struct sfw_rule *r)
{
	const struct nlattr *tb[SFW_CT_RATE_A_MAX + 1];

	if (parse_nested(nest, ct_rate_types, SFW_CT_RATE_A_MAX, tb) || !tb[SFW_CT_RATE_A_OVER] ||
	    !tb[SFW_CT_RATE_A_UNIT])
		return -1;
	r->flags |= SFW_RULE_F_CT_RATE;
	r->rate = mnl_attr_get_u32(tb[SFW_CT_RATE_A_OVER]);
	r->rate_unit = mnl_attr_get_u32(tb[SFW_CT_RATE_A_UNIT]);
	if (tb[SFW_CT_RATE_A_BURST])
		r->rate_burst = mnl_attr_get_u32(tb[SFW_CT_RATE_A_BURST]);
	if (tb[SFW_CT_RATE_A_FAMILY] && tb[SFW_CT_RATE_A_LEN]) {
		r->rate_l3num = mnl_attr_get_u8(tb[SFW_CT_RATE_A_FAMILY]);
		r->rate_len = mnl_attr_get_u8(tb[SFW_CT_RATE_A_LEN]);
		if ((r->rate_l3num != SFW_AF_INET && r->rate_l3num != SFW_AF_INET6) ||
		    r->rate_len > (r->rate_l3num == SFW_AF_INET ? 32 : 128))
			return -1;
	}
	return 0;
}

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
	if (tb[SFW_RULE_A_CT_REASONS])
		r->reasons = mnl_attr_get_u32(tb[SFW_RULE_A_CT_REASONS]) & SFW_INVALID_REASONS_ALL;
	if (tb[SFW_RULE_A_CT_LOOSE])
		r->flags |= SFW_RULE_F_CT_LOOSE;
	if (tb[SFW_RULE_A_LOG_PREFIX])
		snprintf(r->log_prefix, sizeof(r->log_prefix), "%s",
			 mnl_attr_get_str(tb[SFW_RULE_A_LOG_PREFIX]));
	if (tb[SFW_RULE_A_PACKETS])
		rr->packets = mnl_attr_get_u64(tb[SFW_RULE_A_PACKETS]);
	if (tb[SFW_RULE_A_BYTES])
		rr->bytes = mnl_attr_get_u64(tb[SFW_RULE_A_BYTES]);
	if (tb[SFW_RULE_A_ADD_SET])
		snprintf(rr->add_set, sizeof(rr->add_set), "%s",
			 mnl_attr_get_str(tb[SFW_RULE_A_ADD_SET]));
	if (tb[SFW_RULE_A_FLOW_ADD])
		snprintf(rr->flow_table, sizeof(rr->flow_table), "%s",
			 mnl_attr_get_str(tb[SFW_RULE_A_FLOW_ADD]));
	if (tb[SFW_RULE_A_CT_RATE] && get_ct_rate(tb[SFW_RULE_A_CT_RATE], r))
		return -1;
	if (tb[SFW_RULE_A_CT_COUNT] && get_ct_count(tb[SFW_RULE_A_CT_COUNT], r))
		return -1;
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
	if (tb[SFW_SET_A_TIMEOUT])
		s->timeout = mnl_attr_get_u32(tb[SFW_SET_A_TIMEOUT]);
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

/* One flowtable, whole in its message: name and 1..SFW_FLOWTABLE_DEVS_MAX devices. */
static int dump_flowtable(struct dump *d, const struct nlattr *nest)
{
	const struct nlattr *tb[SFW_FLOWTABLE_A_MAX + 1];
	struct rules_file *rf = d->rf;
	struct rules_flowtable *ft;
	const struct nlattr *a;

	if (parse_nested(nest, flowtable_types, SFW_FLOWTABLE_A_MAX, tb) ||
	    !tb[SFW_FLOWTABLE_A_NAME] || !tb[SFW_FLOWTABLE_A_DEVS] ||
	    rf->nflowtables >= SFW_FLOWTABLES_MAX)
		return -1;
	ft = &rf->flowtables[rf->nflowtables++];
	memset(ft, 0, sizeof(*ft));
	snprintf(ft->name, sizeof(ft->name), "%s", mnl_attr_get_str(tb[SFW_FLOWTABLE_A_NAME]));
	mnl_attr_for_each_nested(a, tb[SFW_FLOWTABLE_A_DEVS]) {
		if (mnl_attr_get_type(a) != SFW_FLOWTABLE_A_DEV)
			continue;
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0 ||
		    ft->ndevs >= SFW_FLOWTABLE_DEVS_MAX)
			return -1;
		snprintf(ft->devs[ft->ndevs++], SFW_IFNAMSIZ, "%s", mnl_attr_get_str(a));
	}
	return ft->ndevs ? 0 : -1;
}

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[SFW_A_MAX + 1];
	struct dump *d = data;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		d->intr = true;
	if (rules_parse_top(nlh, rules_top_types, SFW_A_MAX, tb))
		return MNL_CB_ERROR;
	if (tb[SFW_A_GENERATION]) {
		d->generation = mnl_attr_get_u64(tb[SFW_A_GENERATION]);
		d->have_generation = true;
	}
	if ((tb[SFW_A_CHAIN] && dump_chain(d, tb[SFW_A_CHAIN])) ||
	    (tb[SFW_A_RULE] && dump_rule(d, tb[SFW_A_RULE])) ||
	    (tb[SFW_A_SET] && dump_set(d, tb[SFW_A_SET])) ||
	    (tb[SFW_A_FLOWTABLE] && dump_flowtable(d, tb[SFW_A_FLOWTABLE]))) {
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
void rules_dump(struct nl *nl, uint8_t cmd, const char *set_name, struct dump *d)
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

/* The reply to a commit, or to a rule or set change with --recheck. */
int commit_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[SFW_A_MAX + 1];
	struct commit_reply *c = data;

	if (rules_parse_top(nlh, rules_top_types, SFW_A_MAX, tb) || !tb[SFW_A_GENERATION])
		return MNL_CB_ERROR;
	c->generation = mnl_attr_get_u64(tb[SFW_A_GENERATION]);
	if (tb[SFW_A_COUNT]) {
		c->count = mnl_attr_get_u32(tb[SFW_A_COUNT]);
		c->have_count = true;
	}
	return MNL_CB_OK;
}

void commit_report(const struct commit_reply *c, const char *what)
{
	if (c->have_count)
		fprintf(stderr, "sfwctl: generation %" PRIu64 " %s; %u connections expired\n",
			c->generation, what, c->count);
	else
		fprintf(stderr, "sfwctl: generation %" PRIu64 " %s\n", c->generation, what);
}
