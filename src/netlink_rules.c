// SPDX-License-Identifier: GPL-2.0
/*
 * The rule commands of the "sfw" family: loading a rule set as one
 * transaction, dumping it, changing single rules and set elements (see
 * include/uapi/linux/sfw.h for the commands, rules.c for the running set).
 *
 * A transaction's life: BEGIN creates it for (namespace, socket portid),
 * ADDs feed rules straight into a struct sfw_ruleset_builder (which checks
 * each one, so an error names the rule) and stage set elements (a set may
 * span messages), COMMIT compiles the whole and swaps it in with
 * sfw_rules_replace(). Whatever happens, the transaction ends at COMMIT,
 * ABORT, the first error, the release of its socket (NETLINK_URELEASE) or
 * the namespace's exit, and is freed there. Only one is open per
 * namespace: a second BEGIN gets EBUSY.
 *
 * Single-rule changes rebuild a builder from the running rule set plus the
 * change, compile it and replace the running set, so they are as atomic
 * as a load.
 *
 * Dumps hold nothing between messages: the cursor (phase, chain, rule,
 * set, element) lives in cb->args and is checked against the rule set of
 * the moment, and every change through this file bumps the namespace's
 * rules_changes, the dump's sequence, so a dump that straddled a change
 * of its namespace's rules is flagged NLM_F_DUMP_INTR (and no other is).
 *
 * Memory: what a request makes us allocate (its parsed copy, staged
 * elements, the builder, the rule set) is charged to the sender's memory
 * cgroup, and the elements staged for a load, like those a SET_ADD
 * leaves, are bounded by net.sfw.set_elements_max (ENOSPC).
 *
 * Locking, all of it per namespace, so that no namespace waits for
 * another's: sn->txn_lock guards sn->txn, the open transaction (and the
 * transaction while it is there); sn->rules_nl_lock serializes every
 * change of the namespace's rules made here (read the running set, build,
 * replace, wait for the grace period), which are all the changes there
 * are once the namespace is up. They are never held together, and no two
 * namespaces' locks ever are. sn->rules_nl_lock -> sn->rules_lock
 * (inside rules.c).
 */
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "compat.h"
#include "netlink.h"
#include "rules.h"
#include "sfw.h"

#define SFW_TXN_ELEMS_MAX	(1U << 24)	/* staged set elements, all sets (sfw_addrset_build's cap) */

struct txn_set {
	char name[SFW_SET_NAME_LEN];
	u32 timeout;		/* SFW_SET_A_TIMEOUT; 0: none */
	u32 n, cap;
	struct sfw_prefix *elems;
};

struct sfw_rules_txn {
	const struct net *net;	/* the txn goes before the net does */
	u32 portid;
	struct sfw_ruleset_builder *b;
	u32 nrules[SFW_CHAIN_COUNT];
	u32 nelems;		/* over all sets */
	u32 nsets;
	struct txn_set sets[SFW_SETS_MAX];
};


/*
 * Formatted extack messages. From 6.2 the message is kept in the extack
 * itself. Before, it must outlive the handler (the ack is built after it
 * returns): take a slot of a static ring, which a message only shares
 * with one 64 errors later. The last byte of each slot stays NUL, so a
 * reused slot is garbled at worst, never unterminated.
 */
#ifndef SFW_COMPAT_EXTACK_FMT
#define EXTACK_RING 64
static char extack_ring[EXTACK_RING][SFW_ERR_LEN + 32];
static atomic_t extack_next = ATOMIC_INIT(0);
#endif

static __printf(3, 4) void rules_err(struct netlink_ext_ack *extack, const struct nlattr *attr,
				     const char *fmt, ...)
{
	char msg[SFW_ERR_LEN + 32];
	va_list ap;

	if (!extack)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
#ifdef SFW_COMPAT_EXTACK_FMT
	NL_SET_ERR_MSG_FMT(extack, "%s", msg);
#else
	{
		char *slot = extack_ring[(u32)atomic_inc_return(&extack_next) % EXTACK_RING];

		strscpy(slot, msg, sizeof(extack_ring[0]) - 1);
		extack->_msg = slot;
	}
#endif
	if (attr)
		NL_SET_BAD_ATTR(extack, attr);
}

/* Policies: one per nest, one per op over the top level. */

static const struct nla_policy addr_policy[SFW_ADDR_A_MAX + 1] = {
	[SFW_ADDR_A_V4] = NLA_POLICY_EXACT_LEN(4),
	[SFW_ADDR_A_V6] = NLA_POLICY_EXACT_LEN(16),
	[SFW_ADDR_A_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

static const struct nla_policy range_policy[SFW_RANGE_A_MAX + 1] = {
	[SFW_RANGE_A_LO] = { .type = NLA_BE16 },
	[SFW_RANGE_A_HI] = { .type = NLA_BE16 },
};

static const struct nla_policy ports_policy[SFW_PORTS_A_MAX + 1] = {
	[SFW_PORTS_A_RANGE] = NLA_POLICY_NESTED(range_policy),
};

/* A NAT target's address: one address, no prefix length. */
static const struct nla_policy target_addr_policy[SFW_ADDR_A_MAX + 1] = {
	[SFW_ADDR_A_V4] = NLA_POLICY_EXACT_LEN(4),
	[SFW_ADDR_A_V6] = NLA_POLICY_EXACT_LEN(16),
};

static const struct nla_policy target_policy[SFW_TARGET_A_MAX + 1] = {
	[SFW_TARGET_A_ADDR_LO] = NLA_POLICY_NESTED(target_addr_policy),
	[SFW_TARGET_A_ADDR_HI] = NLA_POLICY_NESTED(target_addr_policy),
	[SFW_TARGET_A_PORT_LO] = { .type = NLA_BE16 },
	[SFW_TARGET_A_PORT_HI] = { .type = NLA_BE16 },
};

static const struct nla_policy nat_policy[SFW_NAT_A_MAX + 1] = {
	[SFW_NAT_A_TARGET] = NLA_POLICY_NESTED(target_policy),
	[SFW_NAT_A_LB] = NLA_POLICY_MAX(NLA_U8, SFW_NAT_LB_MAX),
	[SFW_NAT_A_STICKY] = { .type = NLA_U32 },	/* the builder caps it */
};

static const struct nla_policy ct_count_policy[SFW_CT_COUNT_A_MAX + 1] = {
	[SFW_CT_COUNT_A_OVER] = { .type = NLA_U32 },	/* the builder caps it */
	[SFW_CT_COUNT_A_FAMILY] = NLA_POLICY_RANGE(NLA_U8, AF_INET, AF_INET6),
	[SFW_CT_COUNT_A_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

static const struct nla_policy ct_rate_policy[SFW_CT_RATE_A_MAX + 1] = {
	[SFW_CT_RATE_A_OVER] = { .type = NLA_U32 },	/* the builder checks them */
	[SFW_CT_RATE_A_UNIT] = { .type = NLA_U32 },
	[SFW_CT_RATE_A_BURST] = { .type = NLA_U32 },
	[SFW_CT_RATE_A_FAMILY] = NLA_POLICY_RANGE(NLA_U8, AF_INET, AF_INET6),
	[SFW_CT_RATE_A_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

static const struct nla_policy chain_policy[SFW_CHAIN_A_MAX + 1] = {
	[SFW_CHAIN_A_ID] = NLA_POLICY_MAX(NLA_U8, SFW_CHAIN_ID_MAX),
	[SFW_CHAIN_A_POLICY] = NLA_POLICY_MAX(NLA_U8, SFW_RULE_ACT_DROP),
};

static const struct nla_policy rule_policy[SFW_RULE_A_MAX + 1] = {
	[SFW_RULE_A_CHAIN] = NLA_POLICY_MAX(NLA_U8, SFW_CHAIN_ID_MAX),
	[SFW_RULE_A_POS] = NLA_POLICY_MIN(NLA_U32, 1),
	[SFW_RULE_A_FAMILY] = NLA_POLICY_RANGE(NLA_U8, AF_INET, AF_INET6),
	[SFW_RULE_A_L4] = { .type = NLA_U8 },
	[SFW_RULE_A_IIF] = { .type = NLA_NUL_STRING, .len = SFW_RULE_IFNAME_MAX - 1 },
	[SFW_RULE_A_OIF] = { .type = NLA_NUL_STRING, .len = SFW_RULE_IFNAME_MAX - 1 },
	[SFW_RULE_A_SADDR] = NLA_POLICY_NESTED(addr_policy),
	[SFW_RULE_A_DADDR] = NLA_POLICY_NESTED(addr_policy),
	[SFW_RULE_A_SADDR_SET] = { .type = NLA_NUL_STRING, .len = SFW_SET_NAME_MAX - 1 },
	[SFW_RULE_A_DADDR_SET] = { .type = NLA_NUL_STRING, .len = SFW_SET_NAME_MAX - 1 },
	[SFW_RULE_A_SPORTS] = NLA_POLICY_NESTED(ports_policy),
	[SFW_RULE_A_DPORTS] = NLA_POLICY_NESTED(ports_policy),
	[SFW_RULE_A_ICMP_TYPE] = { .type = NLA_U8 },
	[SFW_RULE_A_CT_STATE] = NLA_POLICY_MASK(NLA_U8, SFW_CT_STATE_F_ALL),
	[SFW_RULE_A_ACTION] = NLA_POLICY_MAX(NLA_U8, SFW_RULE_ACT_MAX),
	[SFW_RULE_A_LOG] = { .type = NLA_FLAG },
	[SFW_RULE_A_LOG_PREFIX] = { .type = NLA_NUL_STRING, .len = SFW_RULE_LOG_PREFIX_MAX - 1 },
	[SFW_RULE_A_NAT] = NLA_POLICY_NESTED(nat_policy),
	[SFW_RULE_A_CT_HELPER] = NLA_POLICY_RANGE(NLA_U8, SFW_CT_HELPER_FTP, SFW_CT_HELPER_MAX),
	[SFW_RULE_A_CT_REASONS] = NLA_POLICY_MASK(NLA_U32, SFW_INVALID_REASONS_ALL),
	[SFW_RULE_A_CT_LOOSE] = { .type = NLA_FLAG },
	[SFW_RULE_A_CT_COUNT] = NLA_POLICY_NESTED(ct_count_policy),
	[SFW_RULE_A_ADD_SET] = { .type = NLA_NUL_STRING, .len = SFW_SET_NAME_MAX - 1 },
	[SFW_RULE_A_CT_RATE] = NLA_POLICY_NESTED(ct_rate_policy),
	[SFW_RULE_A_FLOW_ADD] = { .type = NLA_NUL_STRING, .len = SFW_SET_NAME_MAX - 1 },
};

/* RULE_DEL names a rule and says nothing else. */
static const struct nla_policy rule_ref_policy[SFW_RULE_A_MAX + 1] = {
	[SFW_RULE_A_CHAIN] = NLA_POLICY_MAX(NLA_U8, SFW_CHAIN_ID_MAX),
	[SFW_RULE_A_POS] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy elems_policy[SFW_ELEMS_A_MAX + 1] = {
	[SFW_ELEMS_A_ADDR] = NLA_POLICY_NESTED(addr_policy),
};

static const struct nla_policy set_policy[SFW_SET_A_MAX + 1] = {
	[SFW_SET_A_NAME] = { .type = NLA_NUL_STRING, .len = SFW_SET_NAME_MAX - 1 },
	[SFW_SET_A_ELEMS] = NLA_POLICY_NESTED(elems_policy),
	[SFW_SET_A_TIMEOUT] = { .type = NLA_U32 },	/* the builder caps it */
};

static const struct nla_policy flowtable_devs_policy[SFW_FLOWTABLE_A_MAX + 1] = {
	[SFW_FLOWTABLE_A_DEV] = { .type = NLA_NUL_STRING, .len = SFW_RULE_IFNAME_MAX - 1 },
};

static const struct nla_policy flowtable_policy[SFW_FLOWTABLE_A_MAX + 1] = {
	[SFW_FLOWTABLE_A_NAME] = { .type = NLA_NUL_STRING, .len = SFW_SET_NAME_MAX - 1 },
	[SFW_FLOWTABLE_A_DEVS] = NLA_POLICY_NESTED(flowtable_devs_policy),
};

static const struct nla_policy set_name_policy[SFW_SET_A_MAX + 1] = {
	[SFW_SET_A_NAME] = { .type = NLA_NUL_STRING, .len = SFW_SET_NAME_MAX - 1 },
};

const struct nla_policy sfw_nl_ruleset_begin_policy[SFW_A_MAX + 1] = {
	[SFW_A_CHAIN] = NLA_POLICY_NESTED(chain_policy),
};

const struct nla_policy sfw_nl_ruleset_add_policy[SFW_A_MAX + 1] = {
	[SFW_A_CHAIN] = NLA_POLICY_NESTED(chain_policy),
	[SFW_A_RULE] = NLA_POLICY_NESTED(rule_policy),
	[SFW_A_SET] = NLA_POLICY_NESTED(set_policy),
	[SFW_A_FLOWTABLE] = NLA_POLICY_NESTED(flowtable_policy),
};

const struct nla_policy sfw_nl_ruleset_commit_policy[SFW_A_MAX + 1] = {
	[SFW_A_COMMIT_FLAGS] = NLA_POLICY_MASK(NLA_U32, SFW_COMMIT_F_ALL),
};

/* A rule or set change may recheck; CHECK goes with a whole load only. */
const struct nla_policy sfw_nl_rule_policy[SFW_A_MAX + 1] = {
	[SFW_A_RULE] = NLA_POLICY_NESTED(rule_policy),
	[SFW_A_GENERATION] = { .type = NLA_U64 },
	[SFW_A_COMMIT_FLAGS] = NLA_POLICY_MASK(NLA_U32, SFW_COMMIT_F_RECHECK),
};

const struct nla_policy sfw_nl_rule_del_policy[SFW_A_MAX + 1] = {
	[SFW_A_RULE] = NLA_POLICY_NESTED(rule_ref_policy),
	[SFW_A_GENERATION] = { .type = NLA_U64 },
	[SFW_A_COMMIT_FLAGS] = NLA_POLICY_MASK(NLA_U32, SFW_COMMIT_F_RECHECK),
};

const struct nla_policy sfw_nl_set_policy[SFW_A_MAX + 1] = {
	[SFW_A_SET] = NLA_POLICY_NESTED(set_policy),
	[SFW_A_COMMIT_FLAGS] = NLA_POLICY_MASK(NLA_U32, SFW_COMMIT_F_RECHECK),
};

const struct nla_policy sfw_nl_set_get_policy[SFW_A_MAX + 1] = {
	[SFW_A_SET] = NLA_POLICY_NESTED(set_name_policy),
};

static void uapi_checks(void)
{
	BUILD_BUG_ON(SFW_CHAIN_ID_INPUT != (int)SFW_CHAIN_INPUT ||
		     SFW_CHAIN_ID_FORWARD != (int)SFW_CHAIN_FORWARD ||
		     SFW_CHAIN_ID_OUTPUT != (int)SFW_CHAIN_OUTPUT ||
		     SFW_CHAIN_ID_PREROUTING != (int)SFW_CHAIN_PREROUTING ||
		     SFW_CHAIN_ID_POSTROUTING != (int)SFW_CHAIN_POSTROUTING ||
		     SFW_CHAIN_ID_MAX + 1 != (int)SFW_CHAIN_COUNT);
	BUILD_BUG_ON(SFW_RULE_ACT_ACCEPT != (int)SFW_ACT_ACCEPT ||
		     SFW_RULE_ACT_DROP != (int)SFW_ACT_DROP ||
		     SFW_RULE_ACT_REJECT != (int)SFW_ACT_REJECT ||
		     SFW_RULE_ACT_SNAT != (int)SFW_ACT_SNAT ||
		     SFW_RULE_ACT_DNAT != (int)SFW_ACT_DNAT ||
		     SFW_RULE_ACT_MASQUERADE != (int)SFW_ACT_MASQUERADE ||
		     SFW_RULE_ACT_MAX + 1 != (int)SFW_ACT_COUNT);
	BUILD_BUG_ON(SFW_CT_STATE_F_NEW != 1U << SFW_CT_NEW ||
		     SFW_CT_STATE_F_ESTABLISHED != 1U << SFW_CT_ESTABLISHED ||
		     SFW_CT_STATE_F_RELATED != 1U << SFW_CT_RELATED ||
		     SFW_CT_STATE_F_INVALID != 1U << SFW_CT_INVALID ||
		     SFW_CT_STATE_F_UNTRACKED != 1U << SFW_CT_UNTRACKED ||
		     SFW_CT_STATE_F_ALL != (1U << SFW_CT_COUNT) - 1);
	BUILD_BUG_ON(SFW_RULE_IFNAME_MAX != SFW_IFNAMSIZ ||
		     SFW_RULE_LOG_PREFIX_MAX != SFW_LOG_PREFIX_LEN ||
		     SFW_SET_NAME_MAX != SFW_SET_NAME_LEN ||
		     SFW_RULE_PORTS_MAX != SFW_PORT_RANGES_MAX);
	BUILD_BUG_ON(SFW_NAT_LB_NONE != (int)SFW_LB_NONE ||
		     SFW_NAT_LB_HASH != (int)SFW_LB_HASH ||
		     SFW_NAT_LB_RR != (int)SFW_LB_RR ||
		     SFW_NAT_LB_MAX + 1 != (int)SFW_LB_COUNT);
}

/* Parsing requests. */

/* An SFW_ADDR_A_* nest -> a normalized prefix. */
static int addr_parse(struct sfw_prefix *p, const struct nlattr *nest,
		      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SFW_ADDR_A_MAX + 1];
	u8 max;
	int ret;

	ret = nla_parse_nested(tb, SFW_ADDR_A_MAX, nest, addr_policy, extack);
	if (ret)
		return ret;
	memset(p, 0, sizeof(*p));
	if (!!tb[SFW_ADDR_A_V4] == !!tb[SFW_ADDR_A_V6]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "an address is SFW_ADDR_A_V4 or SFW_ADDR_A_V6");
		return -EINVAL;
	}
	if (tb[SFW_ADDR_A_V4]) {
		p->l3num = SFW_AF_INET;
		nla_memcpy(&p->addr, tb[SFW_ADDR_A_V4], 4);
		max = 32;
	} else {
		p->l3num = SFW_AF_INET6;
		nla_memcpy(&p->addr, tb[SFW_ADDR_A_V6], 16);
		max = 128;
	}
	p->len = tb[SFW_ADDR_A_LEN] ? nla_get_u8(tb[SFW_ADDR_A_LEN]) : max;
	if (p->len > max) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SFW_ADDR_A_LEN], "prefix longer than the address");
		return -ERANGE;
	}
	return sfw_prefix_normalize(p);
}

/* A rule's NAT statement, in the builder's terms. */
struct nl_nat {
	const struct sfw_nat_range *t;
	u16 n;
	u8 lb;			/* enum sfw_nat_lb_mode */
	u32 sticky;
};

/*
 * A rule as a request carries it, in the builder's terms: with its NAT
 * targets about 12 KiB, so it comes from kvmalloc().
 */
struct nl_rule {
	enum sfw_chain chain;
	u32 pos;		/* 0: not given */
	struct sfw_rule r;
	char sset[SFW_SET_NAME_LEN], dset[SFW_SET_NAME_LEN];
	char aset[SFW_SET_NAME_LEN];	/* add @aset; "": none */
	char flow[SFW_SET_NAME_LEN];	/* flow add @flow; "": none */
	struct nl_nat nat;	/* .t points at targets[] */
	struct sfw_port_range sports[SFW_PORT_RANGES_MAX], dports[SFW_PORT_RANGES_MAX];
	struct sfw_nat_range targets[SFW_NAT_TARGETS_MAX];
};

static int ports_parse(struct sfw_port_range *p, u16 *n, const struct nlattr *nest,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SFW_RANGE_A_MAX + 1];
	const struct nlattr *a;
	int rem, ret;

	*n = 0;
	nla_for_each_nested(a, nest, rem) {
		if (*n == SFW_PORT_RANGES_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, a, "more than 256 port ranges");
			return -E2BIG;
		}
		ret = nla_parse_nested(tb, SFW_RANGE_A_MAX, a, range_policy, extack);
		if (ret)
			return ret;
		if (!tb[SFW_RANGE_A_LO]) {
			NL_SET_ERR_MSG_ATTR(extack, a, "port range without SFW_RANGE_A_LO");
			return -EINVAL;
		}
		p[*n].lo = ntohs(nla_get_be16(tb[SFW_RANGE_A_LO]));
		p[*n].hi = tb[SFW_RANGE_A_HI] ? ntohs(nla_get_be16(tb[SFW_RANGE_A_HI])) : p[*n].lo;
		(*n)++;
	}
	return 0;
}

/* A target's address nest: one address, its family in @l3num (0 on entry: either). */
static int target_addr_parse(union sfw_addr *a, u8 *l3num, const struct nlattr *nest,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SFW_ADDR_A_MAX + 1];
	u8 fam;
	int ret;

	ret = nla_parse_nested(tb, SFW_ADDR_A_MAX, nest, target_addr_policy, extack);
	if (ret)
		return ret;
	if (!!tb[SFW_ADDR_A_V4] == !!tb[SFW_ADDR_A_V6]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "an address is SFW_ADDR_A_V4 or SFW_ADDR_A_V6");
		return -EINVAL;
	}
	fam = tb[SFW_ADDR_A_V4] ? SFW_AF_INET : SFW_AF_INET6;
	if (*l3num && *l3num != fam) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "the ends of an address range differ in family");
		return -EINVAL;
	}
	*l3num = fam;
	memset(a, 0, sizeof(*a));
	if (fam == SFW_AF_INET)
		nla_memcpy(a, tb[SFW_ADDR_A_V4], 4);
	else
		nla_memcpy(a, tb[SFW_ADDR_A_V6], 16);
	return 0;
}

/* One SFW_NAT_A_TARGET nest; the builder checks what it means for the rule. */
static int target_parse(struct sfw_nat_range *t, const struct nlattr *nest,
			struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SFW_TARGET_A_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, SFW_TARGET_A_MAX, nest, target_policy, extack);
	if (ret)
		return ret;
	memset(t, 0, sizeof(*t));
	if (tb[SFW_TARGET_A_ADDR_HI] && !tb[SFW_TARGET_A_ADDR_LO]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SFW_TARGET_A_ADDR_HI],
				    "SFW_TARGET_A_ADDR_HI without SFW_TARGET_A_ADDR_LO");
		return -EINVAL;
	}
	if (tb[SFW_TARGET_A_PORT_HI] && !tb[SFW_TARGET_A_PORT_LO]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SFW_TARGET_A_PORT_HI],
				    "SFW_TARGET_A_PORT_HI without SFW_TARGET_A_PORT_LO");
		return -EINVAL;
	}
	if (tb[SFW_TARGET_A_ADDR_LO]) {
		ret = target_addr_parse(&t->lo, &t->l3num, tb[SFW_TARGET_A_ADDR_LO], extack);
		if (ret)
			return ret;
		t->hi = t->lo;
	}
	if (tb[SFW_TARGET_A_ADDR_HI]) {
		ret = target_addr_parse(&t->hi, &t->l3num, tb[SFW_TARGET_A_ADDR_HI], extack);
		if (ret)
			return ret;
	}
	if (tb[SFW_TARGET_A_PORT_LO]) {
		t->port_lo = ntohs(nla_get_be16(tb[SFW_TARGET_A_PORT_LO]));
		t->port_hi = tb[SFW_TARGET_A_PORT_HI] ?
			     ntohs(nla_get_be16(tb[SFW_TARGET_A_PORT_HI])) : t->port_lo;
		if (!t->port_lo) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SFW_TARGET_A_PORT_LO], "NAT to port 0");
			return -EINVAL;
		}
	}
	return 0;
}

/* SFW_RULE_A_NAT -> @nr's targets, lb and sticky. */
static int nat_parse(struct nl_rule *nr, const struct nlattr *nest,
		     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SFW_NAT_A_MAX + 1];
	const struct nlattr *a;
	int rem, ret;

	ret = nla_parse_nested(tb, SFW_NAT_A_MAX, nest, nat_policy, extack);
	if (ret)
		return ret;
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != SFW_NAT_A_TARGET)
			continue;
		if (nr->nat.n == SFW_NAT_TARGETS_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, a, "more than SFW_NAT_TARGETS_MAX targets");
			return -E2BIG;
		}
		ret = target_parse(&nr->targets[nr->nat.n], a, extack);
		if (ret)
			return ret;
		nr->nat.n++;
	}
	if (tb[SFW_NAT_A_LB])
		nr->nat.lb = nla_get_u8(tb[SFW_NAT_A_LB]);
	if (tb[SFW_NAT_A_STICKY])
		nr->nat.sticky = nla_get_u32(tb[SFW_NAT_A_STICKY]);
	return 0;
}

/* SFW_RULE_A_CT_COUNT: over N, by the whole address or by a prefix. */
static int ct_count_parse(struct sfw_rule *r, const struct nlattr *nest,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SFW_CT_COUNT_A_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, SFW_CT_COUNT_A_MAX, nest, ct_count_policy, extack);
	if (ret)
		return ret;
	if (!tb[SFW_CT_COUNT_A_OVER]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "ct count needs SFW_CT_COUNT_A_OVER");
		return -EINVAL;
	}
	if (!tb[SFW_CT_COUNT_A_FAMILY] != !tb[SFW_CT_COUNT_A_LEN]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "ct count by: a family and a prefix length together");
		return -EINVAL;
	}
	r->flags |= SFW_RULE_F_CT_COUNT;
	r->count_max = nla_get_u32(tb[SFW_CT_COUNT_A_OVER]);
	if (tb[SFW_CT_COUNT_A_FAMILY]) {
		r->count_l3num = nla_get_u8(tb[SFW_CT_COUNT_A_FAMILY]);
		r->count_len = nla_get_u8(tb[SFW_CT_COUNT_A_LEN]);
	}
	return 0;
}

/* SFW_RULE_A_CT_RATE: over N per unit, a burst, by the whole address or a prefix. */
static int ct_rate_parse(struct sfw_rule *r, const struct nlattr *nest,
			 struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SFW_CT_RATE_A_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, SFW_CT_RATE_A_MAX, nest, ct_rate_policy, extack);
	if (ret)
		return ret;
	if (!tb[SFW_CT_RATE_A_OVER] || !tb[SFW_CT_RATE_A_UNIT]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "ct rate needs SFW_CT_RATE_A_OVER and _UNIT");
		return -EINVAL;
	}
	if (!tb[SFW_CT_RATE_A_FAMILY] != !tb[SFW_CT_RATE_A_LEN]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "ct rate by: a family and a prefix length together");
		return -EINVAL;
	}
	r->flags |= SFW_RULE_F_CT_RATE;
	r->rate = nla_get_u32(tb[SFW_CT_RATE_A_OVER]);
	r->rate_unit = nla_get_u32(tb[SFW_CT_RATE_A_UNIT]);
	if (tb[SFW_CT_RATE_A_BURST])
		r->rate_burst = nla_get_u32(tb[SFW_CT_RATE_A_BURST]);
	if (tb[SFW_CT_RATE_A_FAMILY]) {
		r->rate_l3num = nla_get_u8(tb[SFW_CT_RATE_A_FAMILY]);
		r->rate_len = nla_get_u8(tb[SFW_CT_RATE_A_LEN]);
	}
	return 0;
}

static int ct_rate_put(struct sk_buff *skb, const struct sfw_rule *rule)
{
	struct nlattr *nest;

	if (!(rule->flags & SFW_RULE_F_CT_RATE))
		return 0;
	nest = nla_nest_start(skb, SFW_RULE_A_CT_RATE);
	if (!nest || nla_put_u32(skb, SFW_CT_RATE_A_OVER, rule->rate) ||
	    nla_put_u32(skb, SFW_CT_RATE_A_UNIT, rule->rate_unit) ||
	    (rule->rate_burst && nla_put_u32(skb, SFW_CT_RATE_A_BURST, rule->rate_burst)) ||
	    (rule->rate_l3num &&
	     (nla_put_u8(skb, SFW_CT_RATE_A_FAMILY, rule->rate_l3num) ||
	      nla_put_u8(skb, SFW_CT_RATE_A_LEN, rule->rate_len))))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int ct_count_put(struct sk_buff *skb, const struct sfw_rule *rule)
{
	struct nlattr *nest;

	if (!(rule->flags & SFW_RULE_F_CT_COUNT))
		return 0;
	nest = nla_nest_start(skb, SFW_RULE_A_CT_COUNT);
	if (!nest || nla_put_u32(skb, SFW_CT_COUNT_A_OVER, rule->count_max) ||
	    (rule->count_l3num &&
	     (nla_put_u8(skb, SFW_CT_COUNT_A_FAMILY, rule->count_l3num) ||
	      nla_put_u8(skb, SFW_CT_COUNT_A_LEN, rule->count_len))))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * SFW_A_RULE -> @nr: the module's one decoder of a rule, for a load's ADDs
 * and for RULE_ADD and RULE_INSERT (RULE_DEL reads only the reference,
 * under rule_ref_policy). sfwctl writes it with rules_put_rule().
 */
static int rule_parse(struct nl_rule *nr, const struct nlattr *nest,
		      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SFW_RULE_A_MAX + 1];
	struct sfw_rule *r = &nr->r;
	int ret;

	ret = nla_parse_nested(tb, SFW_RULE_A_MAX, nest, rule_policy, extack);
	if (ret)
		return ret;
	memset(nr, 0, offsetof(struct nl_rule, sports));
	if (!tb[SFW_RULE_A_CHAIN] || !tb[SFW_RULE_A_ACTION]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "a rule needs SFW_RULE_A_CHAIN and SFW_RULE_A_ACTION");
		return -EINVAL;
	}
	nr->chain = nla_get_u8(tb[SFW_RULE_A_CHAIN]);
	if (tb[SFW_RULE_A_POS])
		nr->pos = nla_get_u32(tb[SFW_RULE_A_POS]);
	r->action = nla_get_u8(tb[SFW_RULE_A_ACTION]);
	if (tb[SFW_RULE_A_FAMILY])
		r->family = nla_get_u8(tb[SFW_RULE_A_FAMILY]);
	if (tb[SFW_RULE_A_L4])
		r->l4proto = nla_get_u8(tb[SFW_RULE_A_L4]);
	if (tb[SFW_RULE_A_IIF])
		nla_strscpy(r->iif, tb[SFW_RULE_A_IIF], sizeof(r->iif));
	if (tb[SFW_RULE_A_OIF])
		nla_strscpy(r->oif, tb[SFW_RULE_A_OIF], sizeof(r->oif));
	if (tb[SFW_RULE_A_SADDR_SET] && tb[SFW_RULE_A_SADDR]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SFW_RULE_A_SADDR_SET], "a source address and a set");
		return -EINVAL;
	}
	if (tb[SFW_RULE_A_DADDR_SET] && tb[SFW_RULE_A_DADDR]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SFW_RULE_A_DADDR_SET], "a destination address and a set");
		return -EINVAL;
	}
	if (tb[SFW_RULE_A_SADDR]) {
		ret = addr_parse(&r->saddr, tb[SFW_RULE_A_SADDR], extack);
		if (ret)
			return ret;
	}
	if (tb[SFW_RULE_A_DADDR]) {
		ret = addr_parse(&r->daddr, tb[SFW_RULE_A_DADDR], extack);
		if (ret)
			return ret;
	}
	if (tb[SFW_RULE_A_SADDR_SET])
		nla_strscpy(nr->sset, tb[SFW_RULE_A_SADDR_SET], sizeof(nr->sset));
	if (tb[SFW_RULE_A_DADDR_SET])
		nla_strscpy(nr->dset, tb[SFW_RULE_A_DADDR_SET], sizeof(nr->dset));
	if ((tb[SFW_RULE_A_SADDR_SET] && !nr->sset[0]) ||
	    (tb[SFW_RULE_A_DADDR_SET] && !nr->dset[0])) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "empty set name");
		return -EINVAL;
	}
	if (tb[SFW_RULE_A_SPORTS]) {
		ret = ports_parse(nr->sports, &r->nsport, tb[SFW_RULE_A_SPORTS], extack);
		if (ret)
			return ret;
	}
	if (tb[SFW_RULE_A_DPORTS]) {
		ret = ports_parse(nr->dports, &r->ndport, tb[SFW_RULE_A_DPORTS], extack);
		if (ret)
			return ret;
	}
	if (tb[SFW_RULE_A_ICMP_TYPE]) {
		r->icmp_type = nla_get_u8(tb[SFW_RULE_A_ICMP_TYPE]);
		r->flags |= SFW_RULE_F_ICMP_TYPE;
	}
	if (tb[SFW_RULE_A_CT_STATE])
		r->ctstate = nla_get_u8(tb[SFW_RULE_A_CT_STATE]);
	if (tb[SFW_RULE_A_LOG] || tb[SFW_RULE_A_LOG_PREFIX])
		r->flags |= SFW_RULE_F_LOG;
	if (tb[SFW_RULE_A_LOG_PREFIX])
		nla_strscpy(r->log_prefix, tb[SFW_RULE_A_LOG_PREFIX], sizeof(r->log_prefix));
	if (tb[SFW_RULE_A_CT_HELPER])
		r->flags |= SFW_RULE_F_HELPER_FTP;
	if (tb[SFW_RULE_A_CT_REASONS])
		r->reasons = nla_get_u32(tb[SFW_RULE_A_CT_REASONS]);
	if (tb[SFW_RULE_A_CT_LOOSE])
		r->flags |= SFW_RULE_F_CT_LOOSE;
	if (tb[SFW_RULE_A_CT_COUNT]) {
		ret = ct_count_parse(r, tb[SFW_RULE_A_CT_COUNT], extack);
		if (ret)
			return ret;
	}
	if (tb[SFW_RULE_A_CT_RATE]) {
		ret = ct_rate_parse(r, tb[SFW_RULE_A_CT_RATE], extack);
		if (ret)
			return ret;
	}
	if (tb[SFW_RULE_A_ADD_SET] &&
	    nla_strscpy(nr->aset, tb[SFW_RULE_A_ADD_SET], sizeof(nr->aset)) <= 0) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SFW_RULE_A_ADD_SET], "empty set name");
		return -EINVAL;
	}
	if (tb[SFW_RULE_A_FLOW_ADD] &&
	    nla_strscpy(nr->flow, tb[SFW_RULE_A_FLOW_ADD], sizeof(nr->flow)) <= 0) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SFW_RULE_A_FLOW_ADD], "empty flowtable name");
		return -EINVAL;
	}
	nr->nat.t = nr->targets;
	if (tb[SFW_RULE_A_NAT]) {
		ret = nat_parse(nr, tb[SFW_RULE_A_NAT], extack);
		if (ret)
			return ret;
	}
	r->saddr_set = -1;
	r->daddr_set = -1;
	return 0;
}

static bool nat_action(u8 action)
{
	return action == SFW_ACT_SNAT || action == SFW_ACT_DNAT || action == SFW_ACT_MASQUERADE;
}

/*
 * Add @nr to @chain of @b as rule number @pos (from 1), naming it in
 * errors. A NAT action always gets its targets (none is an error the
 * builder words); targets on any other action are refused there too.
 */
static int rule_build(struct sfw_ruleset_builder *b, enum sfw_chain chain, u32 pos,
		      const struct sfw_rule *r, const struct sfw_port_range *sports,
		      const struct sfw_port_range *dports, const char *sset, const char *dset,
		      const char *aset, const char *flow, const struct nl_nat *nat,
		      const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	char err[SFW_ERR_LEN] = "";
	int ret;

	ret = sfw_ruleset_builder_rule(b, chain, r, sports, dports,
				       sset && sset[0] ? sset : NULL,
				       dset && dset[0] ? dset : NULL, err);
	if (!ret && (nat_action(r->action) || nat->n || nat->lb || nat->sticky))
		ret = sfw_ruleset_builder_nat(b, chain, nat->t, nat->n, nat->lb, nat->sticky, err);
	if (!ret && aset && aset[0])
		ret = sfw_ruleset_builder_add_set(b, chain, aset, err);
	if (!ret && flow && flow[0])
		ret = sfw_ruleset_builder_flow_add(b, chain, flow, err);
	if (ret)
		rules_err(extack, attr, "%s rule %u: %s", sfw_chain_names[chain], pos, err);
	return ret;
}

/* Transactions. */

static void txn_free(struct sfw_rules_txn *t)
{
	u32 i;

	if (!t)
		return;
	for (i = 0; i < t->nsets; i++)
		kvfree(t->sets[i].elems);
	sfw_ruleset_builder_free(t->b);
	kvfree(t);
}

/* Under sn->txn_lock: the namespace's transaction, if @portid's (or @any_portid). */
static struct sfw_rules_txn *txn_find(struct sfw_net *sn, u32 portid, bool any_portid)
{
	struct sfw_rules_txn *t = sn->txn;

	return t && (any_portid || t->portid == portid) ? t : NULL;
}

/* This socket's transaction, taken from its namespace (the caller owns it), or NULL. */
static struct sfw_rules_txn *txn_take(struct sfw_net *sn, u32 portid, bool any_portid)
{
	struct sfw_rules_txn *t;

	mutex_lock(&sn->txn_lock);
	t = txn_find(sn, portid, any_portid);
	if (t)
		WRITE_ONCE(sn->txn, NULL);
	mutex_unlock(&sn->txn_lock);
	return t;
}

static void chain_policy_set(struct sfw_ruleset_builder *b, const struct nlattr *nest)
{
	struct nlattr *tb[SFW_CHAIN_A_MAX + 1];

	/* Validated by the op's policy already; this cannot fail. */
	if (nla_parse_nested(tb, SFW_CHAIN_A_MAX, nest, chain_policy, NULL))
		return;
	sfw_ruleset_builder_policy(b, nla_get_u8(tb[SFW_CHAIN_A_ID]),
				   nla_get_u8(tb[SFW_CHAIN_A_POLICY]));
}

/* SFW_A_CHAIN needs both its fields. */
static int chain_check(const struct nlattr *nest, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SFW_CHAIN_A_MAX + 1];
	int ret = nla_parse_nested(tb, SFW_CHAIN_A_MAX, nest, chain_policy, extack);
	u8 id;

	if (ret)
		return ret;
	if (!tb[SFW_CHAIN_A_ID] || !tb[SFW_CHAIN_A_POLICY]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "a chain needs SFW_CHAIN_A_ID and SFW_CHAIN_A_POLICY");
		return -EINVAL;
	}
	id = nla_get_u8(tb[SFW_CHAIN_A_ID]);
	if ((id == SFW_CHAIN_ID_PREROUTING || id == SFW_CHAIN_ID_POSTROUTING) &&
	    nla_get_u8(tb[SFW_CHAIN_A_POLICY]) != SFW_RULE_ACT_ACCEPT) {
		rules_err(extack, tb[SFW_CHAIN_A_POLICY], "chain %s: the policy must be accept",
			  sfw_chain_names[id]);
		return -EINVAL;
	}
	return 0;
}

int sfw_nl_ruleset_begin(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct sfw_net *sn = sfw_net(net);
	const struct nlattr *attr;
	struct sfw_rules_txn *t, *other;
	int rem, ret;

	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(attr) != SFW_A_CHAIN)
			continue;
		ret = chain_check(attr, info->extack);
		if (ret)
			return ret;
	}
	t = kvzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;
	t->b = sfw_ruleset_builder_new();
	if (!t->b) {
		kvfree(t);
		return -ENOMEM;
	}
	t->net = net;
	t->portid = info->snd_portid;
	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem)
		if (nla_type(attr) == SFW_A_CHAIN)
			chain_policy_set(t->b, attr);

	mutex_lock(&sn->txn_lock);
	other = txn_find(sn, 0, true);
	if (!other)
		WRITE_ONCE(sn->txn, t);
	mutex_unlock(&sn->txn_lock);
	if (other) {
		if (other->portid == info->snd_portid)
			NL_SET_ERR_MSG(info->extack, "this socket has a transaction open already");
		else
			NL_SET_ERR_MSG(info->extack, "another socket is loading a rule set in this namespace");
		txn_free(t);
		return -EBUSY;
	}
	return 0;
}

static struct txn_set *txn_set_get(struct sfw_rules_txn *t, const char *name,
				   const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	u32 i;

	for (i = 0; i < t->nsets; i++)
		if (!strcmp(t->sets[i].name, name))
			return &t->sets[i];
	if (t->nsets == SFW_SETS_MAX) {
		rules_err(extack, attr, "set @%s: too many sets (max %u)", name, SFW_SETS_MAX);
		return NULL;
	}
	strscpy(t->sets[t->nsets].name, name, SFW_SET_NAME_LEN);
	return &t->sets[t->nsets++];
}

/* Append the elements of an SFW_SET_A_ELEMS nest to @s. */
static int elems_add(struct sfw_rules_txn *t, struct txn_set *s, const struct nlattr *elems,
		     struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	int rem, ret, n = 0;
	u32 max;

	nla_for_each_nested(a, elems, rem)
		n++;
	if (!n)
		return 0;
	if (t->nelems + n > SFW_TXN_ELEMS_MAX) {
		rules_err(extack, elems, "set @%s: more than %u elements", s->name, SFW_TXN_ELEMS_MAX);
		return -E2BIG;
	}
	max = READ_ONCE(sfw_net(t->net)->set_elements_max);
	if (t->nelems + n > max) {
		rules_err(extack, elems,
			  "set @%s: the sets would hold more than net.sfw.set_elements_max (%u) elements",
			  s->name, max);
		return -ENOSPC;
	}
	if (s->n + n > s->cap) {
		u32 cap = max_t(u32, s->cap * 2, s->n + n);
		struct sfw_prefix *p = kvmalloc_array(cap, sizeof(*p), GFP_KERNEL_ACCOUNT);

		if (!p)
			return -ENOMEM;
		if (s->n)
			memcpy(p, s->elems, s->n * sizeof(*p));
		kvfree(s->elems);
		s->elems = p;
		s->cap = cap;
	}
	nla_for_each_nested(a, elems, rem) {
		ret = addr_parse(&s->elems[s->n], a, extack);
		if (ret)
			return ret;
		s->n++;
		t->nelems++;
	}
	return 0;
}

static int txn_add_set(struct sfw_rules_txn *t, const struct nlattr *nest,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SFW_SET_A_MAX + 1];
	char name[SFW_SET_NAME_LEN];
	struct txn_set *s;
	int ret;

	ret = nla_parse_nested(tb, SFW_SET_A_MAX, nest, set_policy, extack);
	if (ret)
		return ret;
	if (!tb[SFW_SET_A_NAME] || nla_strscpy(name, tb[SFW_SET_A_NAME], sizeof(name)) <= 0) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "a set needs a name (SFW_SET_A_NAME)");
		return -EINVAL;
	}
	s = txn_set_get(t, name, nest, extack);
	if (!s)
		return -E2BIG;
	if (tb[SFW_SET_A_TIMEOUT])
		s->timeout = nla_get_u32(tb[SFW_SET_A_TIMEOUT]);
	return tb[SFW_SET_A_ELEMS] ? elems_add(t, s, tb[SFW_SET_A_ELEMS], extack) : 0;
}

/* SFW_A_FLOWTABLE: straight into the builder, which words what is wrong. */
static int txn_add_flowtable(struct sfw_rules_txn *t, const struct nlattr *nest,
			     struct netlink_ext_ack *extack)
{
	char (*devs)[SFW_IFNAMSIZ] = NULL;
	struct nlattr *tb[SFW_FLOWTABLE_A_MAX + 1];
	char name[SFW_SET_NAME_LEN], err[SFW_ERR_LEN] = "";
	const struct nlattr *a;
	u32 n = 0;
	int rem, ret;

	ret = nla_parse_nested(tb, SFW_FLOWTABLE_A_MAX, nest, flowtable_policy, extack);
	if (ret)
		return ret;
	if (!tb[SFW_FLOWTABLE_A_NAME] ||
	    nla_strscpy(name, tb[SFW_FLOWTABLE_A_NAME], sizeof(name)) <= 0) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "a flowtable needs a name (SFW_FLOWTABLE_A_NAME)");
		return -EINVAL;
	}
	if (!tb[SFW_FLOWTABLE_A_DEVS]) {
		rules_err(extack, nest, "flowtable %s: no devices (SFW_FLOWTABLE_A_DEVS)", name);
		return -EINVAL;
	}
	devs = kcalloc(SFW_FLOWTABLE_DEVS_MAX, SFW_IFNAMSIZ, GFP_KERNEL_ACCOUNT);
	if (!devs)
		return -ENOMEM;
	ret = -EINVAL;
	nla_for_each_nested(a, tb[SFW_FLOWTABLE_A_DEVS], rem) {
		if (nla_type(a) != SFW_FLOWTABLE_A_DEV)
			continue;
		if (n >= SFW_FLOWTABLE_DEVS_MAX) {
			rules_err(extack, a, "flowtable %s: more than %u devices", name,
				  SFW_FLOWTABLE_DEVS_MAX);
			goto out;
		}
		if (nla_strscpy(devs[n], a, SFW_IFNAMSIZ) <= 0) {
			rules_err(extack, a, "flowtable %s: empty device name", name);
			goto out;
		}
		n++;
	}
	ret = sfw_ruleset_builder_flowtable(t->b, name, (const char (*)[SFW_IFNAMSIZ])devs, n, err);
	if (ret)
		rules_err(extack, nest, "%s", err);
out:
	kfree(devs);
	return ret;
}

static int txn_add_rule(struct sfw_rules_txn *t, const struct nlattr *nest,
			struct netlink_ext_ack *extack)
{
	struct nl_rule *nr = kvmalloc(sizeof(*nr), GFP_KERNEL_ACCOUNT);
	int ret;

	if (!nr)
		return -ENOMEM;
	ret = rule_parse(nr, nest, extack);
	if (!ret && nr->pos) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "a loaded rule takes no SFW_RULE_A_POS: rules go in order");
		ret = -EINVAL;
	}
	if (!ret)
		ret = rule_build(t->b, nr->chain, t->nrules[nr->chain] + 1, &nr->r, nr->sports,
				 nr->dports, nr->sset, nr->dset, nr->aset, nr->flow, &nr->nat, nest,
				 extack);
	if (!ret)
		t->nrules[nr->chain]++;
	kvfree(nr);
	return ret;
}

int sfw_nl_ruleset_add(struct sk_buff *skb, struct genl_info *info)
{
	struct sfw_net *sn = sfw_net(genl_info_net(info));
	const struct nlattr *attr;
	struct sfw_rules_txn *t;
	int rem, ret = 0;

	mutex_lock(&sn->txn_lock);
	t = txn_find(sn, info->snd_portid, false);
	if (!t) {
		mutex_unlock(&sn->txn_lock);
		NL_SET_ERR_MSG(info->extack, "no transaction open on this socket (RULESET_BEGIN)");
		return -ENOENT;
	}
	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		switch (nla_type(attr)) {
		case SFW_A_CHAIN:
			ret = chain_check(attr, info->extack);
			if (!ret)
				chain_policy_set(t->b, attr);
			break;
		case SFW_A_RULE:
			ret = txn_add_rule(t, attr, info->extack);
			break;
		case SFW_A_SET:
			ret = txn_add_set(t, attr, info->extack);
			break;
		case SFW_A_FLOWTABLE:
			ret = txn_add_flowtable(t, attr, info->extack);
			break;
		}
		if (ret)
			break;
	}
	/* Any error ends the transaction: a load is all or nothing. */
	if (ret)
		WRITE_ONCE(sn->txn, NULL);
	mutex_unlock(&sn->txn_lock);
	if (ret)
		txn_free(t);
	return ret;
}

static struct sfw_net *info_sn(struct genl_info *info)
{
	return sfw_net(genl_info_net(info));
}

/* The running rules; only under sn->rules_nl_lock, whose holders are their only writers. */
static struct sfw_rules *rules_locked(struct sfw_net *sn)
{
	return rcu_dereference_protected(sn->rules, lockdep_is_held(&sn->rules_nl_lock));
}

/* A reply with SFW_A_GENERATION and, if @count >= 0, SFW_A_COUNT. */
static int reply_generation(struct genl_info *info, u8 cmd, u64 generation, s64 count)
{
	struct sk_buff *msg = genlmsg_new(nla_total_size_64bit(sizeof(u64)) +
					  nla_total_size(sizeof(u32)), GFP_KERNEL);
	void *hdr;

	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &sfw_genl_family, 0, cmd);
	if (!hdr || nla_put_u64_64bit(msg, SFW_A_GENERATION, generation, SFW_A_PAD) ||
	    (count >= 0 && nla_put_u32(msg, SFW_A_COUNT, count))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* Compile @b; NULL with the extack set on failure. */
static struct sfw_ruleset *compile(struct sfw_ruleset_builder *b, struct netlink_ext_ack *extack)
{
	char err[SFW_ERR_LEN] = "";
	struct sfw_ruleset *rs = sfw_ruleset_compile(b, sfw_rules_seed(), err);

	if (!rs)
		rules_err(extack, NULL, "%s", err);
	return rs;
}

/* The sets @t gathered, then the whole compiled; NULL with the extack set. */
static struct sfw_ruleset *txn_compile(struct sfw_rules_txn *t, struct netlink_ext_ack *extack)
{
	char err[SFW_ERR_LEN] = "";
	u32 i;

	for (i = 0; i < t->nsets; i++) {
		struct txn_set *s = &t->sets[i];

		if (sfw_ruleset_builder_set(t->b, s->name, s->elems, s->n, err) ||
		    sfw_ruleset_builder_set_timeout(t->b, s->name, s->timeout, err)) {
			rules_err(extack, NULL, "%s", err);
			return NULL;
		}
	}
	return compile(t->b, extack);
}

struct sfw_ruleset *sfw_nl_ruleset_preview(struct sfw_net *sn, u32 portid,
					   struct netlink_ext_ack *extack)
{
	struct sfw_rules_txn *t = txn_take(sn, portid, false);
	struct sfw_ruleset *rs;

	if (!t) {
		NL_SET_ERR_MSG(extack, "no transaction open on this socket (RULESET_BEGIN)");
		return ERR_PTR(-ENOENT);
	}
	rs = txn_compile(t, extack);
	txn_free(t);
	return rs ?: ERR_PTR(-EINVAL);
}

int sfw_nl_ruleset_commit(struct sk_buff *skb, struct genl_info *info)
{
	struct sfw_net *sn = info_sn(info);
	struct sfw_ruleset *rs;
	struct sfw_rules_txn *t;
	struct sfw_rules *r;
	u32 flags = 0, expired = 0;
	char err[SFW_ERR_LEN] = "";
	u64 generation;
	int ret;

	if (info->attrs[SFW_A_COMMIT_FLAGS])
		flags = nla_get_u32(info->attrs[SFW_A_COMMIT_FLAGS]);
	if ((flags & SFW_COMMIT_F_CHECK) && (flags & SFW_COMMIT_F_RECHECK)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SFW_A_COMMIT_FLAGS],
				    "CHECK changes nothing, so there is nothing to RECHECK");
		return -EINVAL;
	}
	t = txn_take(sn, info->snd_portid, false);
	if (!t) {
		NL_SET_ERR_MSG(info->extack, "no transaction open on this socket (RULESET_BEGIN)");
		return -ENOENT;
	}
	ret = -EINVAL;
	rs = txn_compile(t, info->extack);
	if (!rs)
		goto out;

	mutex_lock(&sn->rules_nl_lock);
	if (flags & SFW_COMMIT_F_CHECK) {
		sfw_ruleset_free(rs);
		r = rules_locked(sn);
		generation = r ? r->generation : 0;
		ret = 0;
	} else {
		ret = sfw_rules_replace(sn, rs, &generation, err);
		if (ret && err[0])
			rules_err(info->extack, NULL, "%s", err);
		atomic_inc(&sn->rules_changes);
		if (!ret && (flags & SFW_COMMIT_F_RECHECK))
			ret = sfw_rules_recheck(sn, &expired);
	}
	mutex_unlock(&sn->rules_nl_lock);
	if (!ret)
		ret = reply_generation(info, SFW_CMD_RULESET_COMMIT, generation,
				       flags & SFW_COMMIT_F_RECHECK ? (s64)expired : -1);
out:
	txn_free(t);
	return ret;
}

int sfw_nl_ruleset_abort(struct sk_buff *skb, struct genl_info *info)
{
	struct sfw_rules_txn *t = txn_take(info_sn(info), info->snd_portid, false);

	if (!t) {
		NL_SET_ERR_MSG(info->extack, "no transaction open on this socket");
		return -ENOENT;
	}
	txn_free(t);
	return 0;
}

int sfw_nl_ruleset_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct sfw_net *sn = info_sn(info);

	mutex_lock(&sn->rules_nl_lock);
	sfw_rules_flush(sn);
	atomic_inc(&sn->rules_changes);
	mutex_unlock(&sn->rules_nl_lock);
	return 0;
}

int sfw_nl_counters_reset(struct sk_buff *skb, struct genl_info *info)
{
	sfw_rules_counters_reset(info_sn(info));
	return 0;
}

/* Single-rule changes: rebuild the running set with one rule more or less. */

struct rule_change {
	enum sfw_chain chain;
	u32 at;			/* 0-based: the new rule goes before rule @at, or rule @at goes */
	const struct nl_rule *add;	/* NULL: delete */
};

static const char *set_name(const struct sfw_ruleset *rs, s16 idx)
{
	return idx >= 0 ? rs->sets[idx].name : NULL;
}

static struct sfw_ruleset_builder *rebuild(struct sfw_net *sn, const struct sfw_ruleset *rs,
					   const struct rule_change *ch,
					   const struct nlattr *attr,
					   struct netlink_ext_ack *extack)
{
	struct sfw_ruleset_builder *b = sfw_ruleset_builder_new();
	char err[SFW_ERR_LEN] = "";
	struct nl_nat nat;
	unsigned int c;
	u32 i, pos;
	int ret;

	if (!b)
		return ERR_PTR(-ENOMEM);
	for (c = 0; c < SFW_CHAIN_COUNT; c++) {
		const struct sfw_chain_rules *cr = &rs->chain[c];

		sfw_ruleset_builder_policy(b, c, cr->policy);
		for (i = 0, pos = 1; i <= cr->n; i++) {
			const struct sfw_rule *r = &cr->rules[i];

			if (c == ch->chain && i == ch->at && ch->add) {
				const struct nl_rule *nr = ch->add;

				ret = rule_build(b, c, pos++, &nr->r, nr->sports, nr->dports,
						 nr->sset, nr->dset, nr->aset, nr->flow, &nr->nat, attr,
						 extack);
				if (ret)
					goto err;
			}
			if (i == cr->n || (c == ch->chain && i == ch->at && !ch->add))
				continue;
			nat.t = rs->nat + r->nat_off;
			nat.n = r->nnat;
			nat.lb = r->nat_lb;
			nat.sticky = r->nat_sticky;
			ret = rule_build(b, c, pos++, r, rs->ports + r->sport_off,
					 rs->ports + r->dport_off, set_name(rs, r->saddr_set),
					 set_name(rs, r->daddr_set), set_name(rs, r->add_set),
					 r->flow_table >= 0 ? rs->flowtables[r->flow_table].name : NULL,
					 &nat, NULL, extack);
			if (ret)
				goto err;
		}
	}
	for (i = 0; i < rs->nsets; i++) {
		const struct sfw_addrset *set =
			rcu_dereference_protected(rs->sets[i].cur,
						  lockdep_is_held(&sn->rules_nl_lock));

		ret = sfw_ruleset_builder_set(b, rs->sets[i].name, sfw_addrset_elems(set),
					      sfw_addrset_count(set), err);
		if (!ret)
			ret = sfw_ruleset_builder_set_timeout(b, rs->sets[i].name,
							      rs->sets[i].timeout, err);
		if (ret) {
			rules_err(extack, NULL, "%s", err);
			goto err;
		}
	}
	for (i = 0; i < rs->nflowtables; i++) {
		const struct sfw_ruleset_flowtable *ft = &rs->flowtables[i];

		ret = sfw_ruleset_builder_flowtable(b, ft->name, ft->devs, ft->ndevs, err);
		if (ret) {
			rules_err(extack, NULL, "%s", err);
			goto err;
		}
	}
	return b;

err:
	sfw_ruleset_builder_free(b);
	return ERR_PTR(ret);
}

/* Under sn->rules_nl_lock: ESTALE if the request names another generation. */
static int generation_check(const struct sfw_rules *r, struct genl_info *info)
{
	const struct nlattr *a = info->attrs[SFW_A_GENERATION];

	if (a && (!r || nla_get_u64(a) != r->generation)) {
		NL_SET_ERR_MSG_ATTR(info->extack, a, "the rule set changed since that generation");
		return -ESTALE;
	}
	return 0;
}

/* SFW_A_COMMIT_FLAGS of a rule or set change: its policy allows RECHECK only. */
static bool recheck_asked(const struct genl_info *info)
{
	const struct nlattr *a = info->attrs[SFW_A_COMMIT_FLAGS];

	return a && (nla_get_u32(a) & SFW_COMMIT_F_RECHECK);
}

static int rule_change(struct genl_info *info, u8 cmd)
{
	struct nlattr *attr = info->attrs[SFW_A_RULE];
	struct sfw_net *sn = info_sn(info);
	struct sfw_ruleset_builder *b;
	struct nl_rule *nr = NULL;
	struct rule_change ch = {};
	bool recheck = recheck_asked(info);
	char err[SFW_ERR_LEN] = "";
	struct sfw_ruleset *rs;
	struct sfw_rules *r;
	u64 generation = 0;
	u32 n, pos, expired = 0;
	int ret;

	if (!attr) {
		NL_SET_ERR_MSG(info->extack, "missing SFW_A_RULE");
		return -EINVAL;
	}
	if (cmd == SFW_CMD_RULE_DEL) {
		struct nlattr *tb[SFW_RULE_A_MAX + 1];

		ret = nla_parse_nested(tb, SFW_RULE_A_MAX, attr, rule_ref_policy, info->extack);
		if (ret)
			return ret;
		if (!tb[SFW_RULE_A_CHAIN] || !tb[SFW_RULE_A_POS]) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "deleting needs SFW_RULE_A_CHAIN and SFW_RULE_A_POS");
			return -EINVAL;
		}
		ch.chain = nla_get_u8(tb[SFW_RULE_A_CHAIN]);
		ch.at = nla_get_u32(tb[SFW_RULE_A_POS]);
	} else {
		nr = kvmalloc(sizeof(*nr), GFP_KERNEL_ACCOUNT);
		if (!nr)
			return -ENOMEM;
		ret = rule_parse(nr, attr, info->extack);
		if (ret)
			goto out_free;
		ch.chain = nr->chain;
		ch.at = nr->pos;
		ch.add = nr;
	}

	mutex_lock(&sn->rules_nl_lock);
	r = rules_locked(sn);
	ret = generation_check(r, info);
	if (ret)
		goto out;
	ret = -ENOENT;
	if (!r) {
		NL_SET_ERR_MSG(info->extack, "no rule set loaded (load one first)");
		goto out;
	}
	n = r->rs->chain[ch.chain].n;
	pos = ch.at;
	if (pos > n) {
		rules_err(info->extack, attr, "%s has no rule %u (it has %u)",
			  sfw_chain_names[ch.chain], pos, n);
		goto out;
	}
	/* ADD goes after rule @pos (or last), INSERT before it (or first), DEL is it. */
	if (cmd == SFW_CMD_RULE_ADD)
		ch.at = pos ? pos : n;
	else
		ch.at = pos ? pos - 1 : 0;
	b = rebuild(sn, r->rs, &ch, attr, info->extack);
	if (IS_ERR(b)) {
		ret = PTR_ERR(b);
		goto out;
	}
	rs = compile(b, info->extack);
	sfw_ruleset_builder_free(b);
	ret = -EINVAL;
	if (!rs)
		goto out;
	ret = sfw_rules_replace(sn, rs, &generation, err);
	if (ret && err[0])
		rules_err(info->extack, NULL, "%s", err);
	atomic_inc(&sn->rules_changes);
	if (!ret && recheck)
		ret = sfw_rules_recheck(sn, &expired);
out:
	mutex_unlock(&sn->rules_nl_lock);
	if (!ret)
		ret = reply_generation(info, cmd, generation, recheck ? (s64)expired : -1);
out_free:
	kvfree(nr);
	return ret;
}

int sfw_nl_rule_add(struct sk_buff *skb, struct genl_info *info)
{
	return rule_change(info, SFW_CMD_RULE_ADD);
}

int sfw_nl_rule_insert(struct sk_buff *skb, struct genl_info *info)
{
	return rule_change(info, SFW_CMD_RULE_INSERT);
}

int sfw_nl_rule_del(struct sk_buff *skb, struct genl_info *info)
{
	return rule_change(info, SFW_CMD_RULE_DEL);
}

/* SET_ADD and SET_DEL: the elements change, the rules do not. */
static int set_change(struct genl_info *info, bool add)
{
	struct nlattr *nest = info->attrs[SFW_A_SET];
	struct nlattr *tb[SFW_SET_A_MAX + 1];
	struct sfw_net *sn = info_sn(info);
	bool recheck = recheck_asked(info);
	struct sfw_prefix *elems = NULL;
	char name[SFW_SET_NAME_LEN];
	const struct nlattr *a;
	u64 generation = 0;
	u32 expired = 0;
	int rem, ret, n = 0;

	if (!nest) {
		NL_SET_ERR_MSG(info->extack, "missing SFW_A_SET");
		return -EINVAL;
	}
	ret = nla_parse_nested(tb, SFW_SET_A_MAX, nest, set_policy, info->extack);
	if (ret)
		return ret;
	if (!tb[SFW_SET_A_NAME] || !tb[SFW_SET_A_ELEMS]) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest, "needs SFW_SET_A_NAME and SFW_SET_A_ELEMS");
		return -EINVAL;
	}
	nla_strscpy(name, tb[SFW_SET_A_NAME], sizeof(name));
	nla_for_each_nested(a, tb[SFW_SET_A_ELEMS], rem)
		n++;
	elems = kvmalloc_array(n ? n : 1, sizeof(*elems), GFP_KERNEL_ACCOUNT);
	if (!elems)
		return -ENOMEM;
	n = 0;
	nla_for_each_nested(a, tb[SFW_SET_A_ELEMS], rem) {
		ret = addr_parse(&elems[n++], a, info->extack);
		if (ret)
			goto out;
	}
	mutex_lock(&sn->rules_nl_lock);
	ret = sfw_rules_set_update(sn, name, add, elems, n);
	if (!ret)
		atomic_inc(&sn->rules_changes);
	if (!ret && recheck) {
		struct sfw_rules *r = rules_locked(sn);

		generation = r ? r->generation : 0;
		ret = sfw_rules_recheck(sn, &expired);
	}
	mutex_unlock(&sn->rules_nl_lock);
	if (!ret && recheck)
		ret = reply_generation(info, add ? SFW_CMD_SET_ADD : SFW_CMD_SET_DEL,
				       generation, expired);
	if (ret == -ENOENT)
		rules_err(info->extack, tb[SFW_SET_A_NAME], "no set @%s in the running rule set", name);
	else if (ret == -ENOSPC)
		rules_err(info->extack, tb[SFW_SET_A_ELEMS],
			  "set @%s: the sets would hold more than net.sfw.set_elements_max (%u) elements",
			  name, READ_ONCE(sn->set_elements_max));
out:
	kvfree(elems);
	return ret;
}

int sfw_nl_set_add(struct sk_buff *skb, struct genl_info *info)
{
	return set_change(info, true);
}

int sfw_nl_set_del(struct sk_buff *skb, struct genl_info *info)
{
	return set_change(info, false);
}

/* Dumps: chains, rules, sets, with a cursor that survives between messages. */

enum dump_phase { DUMP_CHAINS, DUMP_RULES, DUMP_SETS, DUMP_FLOWTABLES, DUMP_DONE };

struct rules_dump {
	enum dump_phase phase;
	bool sets_only;		/* SET_GET: no flowtables */
	u32 flowtable;		/* DUMP_FLOWTABLES */
	u32 chain, rule;	/* DUMP_CHAINS, DUMP_RULES */
	u32 set, elem;		/* DUMP_SETS */
	char name[SFW_SET_NAME_LEN];	/* SET_GET of one set; "" all */
};

static int addr_put(struct sk_buff *skb, int type, const struct sfw_prefix *p)
{
	struct nlattr *nest = nla_nest_start(skb, type);
	bool v4 = p->l3num == SFW_AF_INET;

	if (!nest)
		return -EMSGSIZE;
	if (nla_put(skb, v4 ? SFW_ADDR_A_V4 : SFW_ADDR_A_V6, v4 ? 4 : 16, &p->addr) ||
	    nla_put_u8(skb, SFW_ADDR_A_LEN, p->len)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int ports_put(struct sk_buff *skb, int type, const struct sfw_port_range *p, u16 n)
{
	struct nlattr *nest, *range;
	u16 i;

	if (!n)
		return 0;
	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		range = nla_nest_start(skb, SFW_PORTS_A_RANGE);
		if (!range || nla_put_be16(skb, SFW_RANGE_A_LO, htons(p[i].lo)) ||
		    nla_put_be16(skb, SFW_RANGE_A_HI, htons(p[i].hi))) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
		nla_nest_end(skb, range);
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* A NAT target's address: V4 or V6, no length. */
static int target_addr_put(struct sk_buff *skb, int type, u8 l3num, const union sfw_addr *a)
{
	struct nlattr *nest = nla_nest_start(skb, type);
	bool v4 = l3num == SFW_AF_INET;

	if (!nest)
		return -EMSGSIZE;
	if (nla_put(skb, v4 ? SFW_ADDR_A_V4 : SFW_ADDR_A_V6, v4 ? 4 : 16, a)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int target_put(struct sk_buff *skb, const struct sfw_nat_range *t)
{
	struct nlattr *nest = nla_nest_start(skb, SFW_NAT_A_TARGET);
	size_t alen = t->l3num == SFW_AF_INET ? 4 : 16;

	if (!nest)
		return -EMSGSIZE;
	if ((t->l3num && target_addr_put(skb, SFW_TARGET_A_ADDR_LO, t->l3num, &t->lo)) ||
	    (t->l3num && memcmp(&t->lo, &t->hi, alen) &&
	     target_addr_put(skb, SFW_TARGET_A_ADDR_HI, t->l3num, &t->hi)) ||
	    (t->port_lo && nla_put_be16(skb, SFW_TARGET_A_PORT_LO, htons(t->port_lo))) ||
	    (t->port_lo && t->port_hi != t->port_lo &&
	     nla_put_be16(skb, SFW_TARGET_A_PORT_HI, htons(t->port_hi)))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* SFW_RULE_A_NAT of a NAT rule (a bare masquerade has none). */
static int nat_put(struct sk_buff *skb, const struct sfw_ruleset *rs, const struct sfw_rule *r)
{
	struct nlattr *nest;
	u16 i;

	if (!r->nnat)
		return 0;
	nest = nla_nest_start(skb, SFW_RULE_A_NAT);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < r->nnat; i++)
		if (target_put(skb, &rs->nat[r->nat_off + i]))
			goto cancel;
	if ((r->nat_lb && nla_put_u8(skb, SFW_NAT_A_LB, r->nat_lb)) ||
	    (r->nat_sticky && nla_put_u32(skb, SFW_NAT_A_STICKY, r->nat_sticky)))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int chain_put(struct sk_buff *skb, const struct sfw_rules *r, u32 c)
{
	const struct sfw_chain_rules *cr = &r->rs->chain[c];
	struct nlattr *nest = nla_nest_start(skb, SFW_A_CHAIN);
	struct sfw_rule_counter cnt;

	if (!nest)
		return -EMSGSIZE;
	sfw_rules_counter(r, r->base[c] + cr->n, &cnt);
	if (nla_put_u8(skb, SFW_CHAIN_A_ID, c) ||
	    nla_put_u8(skb, SFW_CHAIN_A_POLICY, cr->policy) ||
	    nla_put_u32(skb, SFW_CHAIN_A_RULES, cr->n) ||
	    nla_put_u64_64bit(skb, SFW_CHAIN_A_PACKETS, cnt.packets, SFW_CHAIN_A_PAD) ||
	    nla_put_u64_64bit(skb, SFW_CHAIN_A_BYTES, cnt.bytes, SFW_CHAIN_A_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * Rule @i of chain @c as SFW_A_RULE: the module's one encoder of a rule,
 * the layout rule_parse() reads plus _POS and the counters; every dump of
 * rules (RULESET_GET, hence `sfwctl ruleset show`) goes through it.
 */
static int rule_put(struct sk_buff *skb, const struct sfw_rules *r, u32 c, u32 i)
{
	const struct sfw_ruleset *rs = r->rs;
	const struct sfw_rule *rule = &rs->chain[c].rules[i];
	struct nlattr *nest = nla_nest_start(skb, SFW_A_RULE);
	struct sfw_rule_counter cnt;

	if (!nest)
		return -EMSGSIZE;
	sfw_rules_counter(r, r->base[c] + i, &cnt);
	if (nla_put_u8(skb, SFW_RULE_A_CHAIN, c) ||
	    nla_put_u32(skb, SFW_RULE_A_POS, i + 1) ||
	    nla_put_u8(skb, SFW_RULE_A_ACTION, rule->action) ||
	    (rule->family && nla_put_u8(skb, SFW_RULE_A_FAMILY, rule->family)) ||
	    (rule->l4proto && nla_put_u8(skb, SFW_RULE_A_L4, rule->l4proto)) ||
	    (rule->iif[0] && nla_put_string(skb, SFW_RULE_A_IIF, rule->iif)) ||
	    (rule->oif[0] && nla_put_string(skb, SFW_RULE_A_OIF, rule->oif)) ||
	    (rule->saddr.l3num && addr_put(skb, SFW_RULE_A_SADDR, &rule->saddr)) ||
	    (rule->daddr.l3num && addr_put(skb, SFW_RULE_A_DADDR, &rule->daddr)) ||
	    (rule->saddr_set >= 0 &&
	     nla_put_string(skb, SFW_RULE_A_SADDR_SET, rs->sets[rule->saddr_set].name)) ||
	    (rule->daddr_set >= 0 &&
	     nla_put_string(skb, SFW_RULE_A_DADDR_SET, rs->sets[rule->daddr_set].name)) ||
	    ports_put(skb, SFW_RULE_A_SPORTS, rs->ports + rule->sport_off, rule->nsport) ||
	    ports_put(skb, SFW_RULE_A_DPORTS, rs->ports + rule->dport_off, rule->ndport) ||
	    ((rule->flags & SFW_RULE_F_ICMP_TYPE) &&
	     nla_put_u8(skb, SFW_RULE_A_ICMP_TYPE, rule->icmp_type)) ||
	    (rule->ctstate && nla_put_u8(skb, SFW_RULE_A_CT_STATE, rule->ctstate)) ||
	    ((rule->flags & SFW_RULE_F_LOG) && nla_put_flag(skb, SFW_RULE_A_LOG)) ||
	    (rule->log_prefix[0] && nla_put_string(skb, SFW_RULE_A_LOG_PREFIX, rule->log_prefix)) ||
	    ((rule->flags & SFW_RULE_F_HELPER_FTP) &&
	     nla_put_u8(skb, SFW_RULE_A_CT_HELPER, SFW_CT_HELPER_FTP)) ||
	    (rule->reasons && nla_put_u32(skb, SFW_RULE_A_CT_REASONS, rule->reasons)) ||
	    ((rule->flags & SFW_RULE_F_CT_LOOSE) && nla_put_flag(skb, SFW_RULE_A_CT_LOOSE)) ||
	    ct_count_put(skb, rule) ||
	    ct_rate_put(skb, rule) ||
	    (rule->add_set >= 0 &&
	     nla_put_string(skb, SFW_RULE_A_ADD_SET, rs->sets[rule->add_set].name)) ||
	    (rule->flow_table >= 0 &&
	     nla_put_string(skb, SFW_RULE_A_FLOW_ADD, rs->flowtables[rule->flow_table].name)) ||
	    nat_put(skb, rs, rule) ||
	    nla_put_u64_64bit(skb, SFW_RULE_A_PACKETS, cnt.packets, SFW_RULE_A_PAD) ||
	    nla_put_u64_64bit(skb, SFW_RULE_A_BYTES, cnt.bytes, SFW_RULE_A_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* As many of @set's elements from *@elem on as fit; -EMSGSIZE if none did. */
static int set_put(struct sk_buff *skb, const struct sfw_ruleset_set *s,
		   const struct sfw_addrset *set, u32 *elem)
{
	struct nlattr *nest = nla_nest_start(skb, SFW_A_SET), *elems;
	u32 n = sfw_addrset_count(set), start = *elem;

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(skb, SFW_SET_A_NAME, s->name) || nla_put_u32(skb, SFW_SET_A_COUNT, n) ||
	    (s->timeout && nla_put_u32(skb, SFW_SET_A_TIMEOUT, s->timeout)))
		goto cancel;
	elems = nla_nest_start(skb, SFW_SET_A_ELEMS);
	if (!elems)
		goto cancel;
	for (; *elem < n; (*elem)++)
		if (addr_put(skb, SFW_ELEMS_A_ADDR, &sfw_addrset_elems(set)[*elem]))
			break;
	if (*elem == start && start < n)
		goto cancel;
	nla_nest_end(skb, elems);
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	*elem = start;
	return -EMSGSIZE;
}

static int flowtable_put(struct sk_buff *skb, const struct sfw_ruleset_flowtable *ft)
{
	struct nlattr *nest = nla_nest_start(skb, SFW_A_FLOWTABLE), *devs;
	u32 i;

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(skb, SFW_FLOWTABLE_A_NAME, ft->name))
		goto cancel;
	devs = nla_nest_start(skb, SFW_FLOWTABLE_A_DEVS);
	if (!devs)
		goto cancel;
	for (i = 0; i < ft->ndevs; i++)
		if (nla_put_string(skb, SFW_FLOWTABLE_A_DEV, ft->devs[i]))
			goto cancel;
	nla_nest_end(skb, devs);
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int dump_start(struct netlink_callback *cb, enum dump_phase phase)
{
	struct rules_dump *d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);

	if (!d)
		return -ENOMEM;
	d->phase = phase;
	d->sets_only = phase == DUMP_SETS;
	cb->args[0] = (long)d;
	return 0;
}

int sfw_nl_ruleset_dump_start(struct netlink_callback *cb)
{
	return dump_start(cb, DUMP_CHAINS);
}

int sfw_nl_set_dump_start(struct netlink_callback *cb)
{
	struct nlattr **attrs = sfw_genl_dump_attrs(cb);
	struct sfw_net *sn = sfw_net(sock_net(cb->skb->sk));
	struct nlattr *tb[SFW_SET_A_MAX + 1];
	struct rules_dump *d;
	const struct sfw_rules *r;
	bool found = false;
	u32 i;
	int ret;

	ret = dump_start(cb, DUMP_SETS);
	if (ret || !attrs || !attrs[SFW_A_SET])
		return ret;
	d = (struct rules_dump *)cb->args[0];
	ret = nla_parse_nested(tb, SFW_SET_A_MAX, attrs[SFW_A_SET], set_name_policy, cb->extack);
	if (!ret && (!tb[SFW_SET_A_NAME] ||
		     nla_strscpy(d->name, tb[SFW_SET_A_NAME], sizeof(d->name)) <= 0)) {
		NL_SET_ERR_MSG_ATTR(cb->extack, attrs[SFW_A_SET], "missing SFW_SET_A_NAME");
		ret = -EINVAL;
	}
	if (!ret) {
		rcu_read_lock();
		r = rcu_dereference(sn->rules);
		for (i = 0; r && i < r->rs->nsets; i++)
			found |= !strcmp(r->rs->sets[i].name, d->name);
		rcu_read_unlock();
		if (!found) {
			NL_SET_ERR_MSG_ATTR(cb->extack, tb[SFW_SET_A_NAME], "no such set");
			ret = -ENOENT;
		}
	}
	if (ret) {
		kfree(d);
		cb->args[0] = 0;
	}
	return ret;
}

int sfw_nl_rules_dump_done(struct netlink_callback *cb)
{
	kfree((void *)cb->args[0]);
	return 0;
}

/* One message: the generation, then what @put adds; -EMSGSIZE if it did not fit. */
#define dump_msg(skb, cb, gen, put) ({						\
	void *__hdr = genlmsg_put(skb, NETLINK_CB((cb)->skb).portid,		\
				  (cb)->nlh->nlmsg_seq, &sfw_genl_family,	\
				  NLM_F_MULTI, dump_cmd(cb));			\
	int __ret = -EMSGSIZE;							\
	if (__hdr) {								\
		genl_dump_check_consistent(cb, __hdr);				\
		if (nla_put_u64_64bit(skb, SFW_A_GENERATION, gen, SFW_A_PAD) || (put)) \
			genlmsg_cancel(skb, __hdr);				\
		else {								\
			genlmsg_end(skb, __hdr);				\
			__ret = 0;						\
		}								\
	}									\
	__ret;									\
})

static u8 dump_cmd(struct netlink_callback *cb)
{
	const struct genlmsghdr *g = nlmsg_data(cb->nlh);

	return g->cmd;
}

int sfw_nl_rules_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct sfw_net *sn = sfw_net(sock_net(skb->sk));
	struct rules_dump *d = (struct rules_dump *)cb->args[0];
	const struct sfw_rules *r;
	const struct sfw_ruleset *rs;
	int ret = 0;

	/* Any change since the previous message flags this one. */
	cb->seq = (u32)atomic_read(&sn->rules_changes) << 1 | 1;
	rcu_read_lock();
	r = rcu_dereference(sn->rules);
	if (!r)
		goto out;
	rs = r->rs;
	while (!ret && d->phase != DUMP_DONE) {
		switch (d->phase) {
		case DUMP_CHAINS:
			if (d->chain >= SFW_CHAIN_COUNT) {
				d->phase = DUMP_RULES;
				d->chain = 0;
				d->rule = 0;
				break;
			}
			ret = dump_msg(skb, cb, r->generation, chain_put(skb, r, d->chain));
			if (!ret)
				d->chain++;
			break;
		case DUMP_RULES:
			if (d->chain >= SFW_CHAIN_COUNT) {
				d->phase = DUMP_SETS;
				break;
			}
			if (d->rule >= rs->chain[d->chain].n) {
				d->chain++;
				d->rule = 0;
				break;
			}
			ret = dump_msg(skb, cb, r->generation, rule_put(skb, r, d->chain, d->rule));
			if (!ret)
				d->rule++;
			break;
		case DUMP_SETS: {
			const struct sfw_ruleset_set *s;
			const struct sfw_addrset *set;
			u32 elem = d->elem;

			if (d->set >= rs->nsets) {
				d->phase = d->sets_only ? DUMP_DONE : DUMP_FLOWTABLES;
				break;
			}
			s = &rs->sets[d->set];
			set = rcu_dereference(s->cur);
			if ((d->name[0] && strcmp(d->name, s->name)) ||
			    (d->elem && d->elem >= sfw_addrset_count(set))) {
				d->set++;
				d->elem = 0;
				break;
			}
			ret = dump_msg(skb, cb, r->generation, set_put(skb, s, set, &elem));
			if (!ret) {
				d->elem = elem;
				/* Done with it once all went (an empty set: its one message). */
				if (elem >= sfw_addrset_count(set)) {
					d->set++;
					d->elem = 0;
				}
			}
			break;
		}
		case DUMP_FLOWTABLES:
			if (d->flowtable >= rs->nflowtables) {
				d->phase = DUMP_DONE;
				break;
			}
			ret = dump_msg(skb, cb, r->generation,
				       flowtable_put(skb, &rs->flowtables[d->flowtable]));
			if (!ret)
				d->flowtable++;
			break;
		case DUMP_DONE:
			break;
		}
	}
out:
	rcu_read_unlock();
	/* A full message ends this round; the cursor says where the next starts. */
	if (ret && skb->len)
		ret = 0;
	return ret ?: skb->len;
}

/* The end of a transaction's socket or namespace. */

static int rules_netlink_notify(struct notifier_block *nb, unsigned long event, void *ptr)
{
	const struct netlink_notify *n = ptr;
	struct sfw_net *sn;

	/*
	 * Every netlink socket's release comes here: mostly there is no
	 * transaction at all. A user socket holds its namespace, whose
	 * sfw_net is set up (rules_net_init()) before any socket exists.
	 */
	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC || !n->portid)
		return NOTIFY_DONE;
	sn = sfw_net(n->net);
	if (READ_ONCE(sn->txn))
		txn_free(txn_take(sn, n->portid, false));
	return NOTIFY_DONE;
}

static struct notifier_block rules_netlink_notifier = {
	.notifier_call = rules_netlink_notify,
};

/*
 * After sfw_net_init() (hooks.c registered its pernet_operations first),
 * before the family takes requests (sfw_netlink_init() registers it after).
 */
static int __net_init rules_net_init(struct net *net)
{
	struct sfw_net *sn = sfw_net(net);

	mutex_init(&sn->txn_lock);
	sn->txn = NULL;
	mutex_init(&sn->rules_nl_lock);
	atomic_set(&sn->rules_changes, 0);
	return 0;
}

static void __net_exit rules_net_exit(struct net *net)
{
	txn_free(txn_take(sfw_net(net), 0, true));
}

static struct pernet_operations rules_net_ops = {
	.init = rules_net_init,
	.exit = rules_net_exit,
};

int sfw_netlink_rules_init(void)
{
	int ret;

	uapi_checks();
	ret = register_pernet_subsys(&rules_net_ops);
	if (ret)
		return ret;
	ret = netlink_register_notifier(&rules_netlink_notifier);
	if (ret)
		unregister_pernet_subsys(&rules_net_ops);
	return ret;
}

void sfw_netlink_rules_uninit(void)
{
	netlink_unregister_notifier(&rules_netlink_notifier);
	/* Each namespace's open transaction goes in rules_net_exit(). */
	unregister_pernet_subsys(&rules_net_ops);
	/* The family is gone: the last set versions SET_ADD/DEL replaced are queued (rules.c). */
	rcu_barrier();
}
