// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "sfw": connections, statistics, settings and
 * events, as include/uapi/linux/sfw.h documents them. The rule commands
 * are in netlink_rules.c; their ops are in this file's table.
 *
 * Requests: every op needs CAP_NET_ADMIN in the namespace's user
 * namespace (GENL_UNS_ADMIN_PERM, dumps too) and acts on the caller's
 * namespace. Each op has its own policy over the top-level attributes, and
 * each nest its own; an attribute an op does not take is NLA_UNSPEC in its
 * policy, so strict validation refuses it before the op runs. What a
 * policy cannot say (which attributes go together) is checked by hand
 * before anything changes, with an extack message naming the attribute.
 *
 * Dumps walk the table bucket by bucket under RCU and never split a
 * bucket across messages: a bucket that does not fit is trimmed off and
 * starts the next message, and ->start makes every message big enough for
 * the longest chain. The cursor is the bucket index alone, so entries
 * added to or removed from a chain between messages cannot make the dump
 * skip or repeat one that stays, and nothing needs
 * genl_dump_check_consistent().
 *
 * Events: the multicast group "events" (the drop log's "drops" group is
 * netlink_drops.c's). With no listener in the namespace an event costs a
 * genl_has_listeners() check. Otherwise the message is built with
 * GFP_ATOMIC (callers hold spinlocks, in softirq or the wheel's worker)
 * and numbered from the namespace's ->event_seq; the namespace's
 * ->event_lock keeps the numbering and the sending in one order, so a
 * listener can tell a lost event (ENOBUFS, or a failed allocation here,
 * which still uses up its number) from reordering. It is taken only when
 * someone listens in that namespace, and never waits for another.
 *
 * Lock order: wheel stripe -> sn->event_lock (NEW and UPDATE are sent
 * under the entry's stripe lock, so they cannot overtake its DESTROY).
 */
#include <linux/cpumask.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "compat.h"
#include "conntrack.h"
#include "ct_restore.h"
#include "expect.h"
#include "nat.h"
#include "netlink.h"
#include "rules.h"
#include "sfw.h"
#include "timer_wheel.h"


/* Off before the family goes, so that late events do not touch it. */
static bool sfw_events_on;

/* Policies: one per nest, one per op over the top level. */

static const struct nla_policy tuple_policy[SFW_TUPLE_A_MAX + 1] = {
	[SFW_TUPLE_A_L3] = NLA_POLICY_RANGE(NLA_U8, AF_INET, AF_INET6),
	[SFW_TUPLE_A_L4] = { .type = NLA_U8 },
	[SFW_TUPLE_A_SRC_V4] = NLA_POLICY_EXACT_LEN(4),
	[SFW_TUPLE_A_DST_V4] = NLA_POLICY_EXACT_LEN(4),
	[SFW_TUPLE_A_SRC_V6] = NLA_POLICY_EXACT_LEN(16),
	[SFW_TUPLE_A_DST_V6] = NLA_POLICY_EXACT_LEN(16),
	[SFW_TUPLE_A_SPORT] = { .type = NLA_BE16 },
	[SFW_TUPLE_A_DPORT] = { .type = NLA_BE16 },
	[SFW_TUPLE_A_ICMP_TYPE] = { .type = NLA_U8 },
	[SFW_TUPLE_A_ICMP_CODE] = { .type = NLA_U8 },
	[SFW_TUPLE_A_ICMP_ID] = { .type = NLA_BE16 },
};

static const struct nla_policy filter_policy[SFW_FILTER_A_MAX + 1] = {
	[SFW_FILTER_A_L3] = NLA_POLICY_RANGE(NLA_U8, AF_INET, AF_INET6),
	[SFW_FILTER_A_L4] = { .type = NLA_U8 },
	[SFW_FILTER_A_TCP_STATE] = NLA_POLICY_MAX(NLA_U8, SFW_CT_TCP_MAX),
	[SFW_FILTER_A_SRC_V4] = NLA_POLICY_EXACT_LEN(4),
	[SFW_FILTER_A_SRC_V6] = NLA_POLICY_EXACT_LEN(16),
	[SFW_FILTER_A_SRC_PREFIX] = NLA_POLICY_MAX(NLA_U8, 128),
	[SFW_FILTER_A_DST_V4] = NLA_POLICY_EXACT_LEN(4),
	[SFW_FILTER_A_DST_V6] = NLA_POLICY_EXACT_LEN(16),
	[SFW_FILTER_A_DST_PREFIX] = NLA_POLICY_MAX(NLA_U8, 128),
	[SFW_FILTER_A_SPORT] = { .type = NLA_BE16 },
	[SFW_FILTER_A_DPORT] = { .type = NLA_BE16 },
	[SFW_FILTER_A_PORT] = { .type = NLA_BE16 },
};

static const struct nla_policy config_name_policy[SFW_CONFIG_A_MAX + 1] = {
	[SFW_CONFIG_A_NAME] = { .type = NLA_NUL_STRING, .len = SFW_CONFIG_NAME_MAX - 1 },
};

static const struct nla_policy config_set_policy[SFW_CONFIG_A_MAX + 1] = {
	[SFW_CONFIG_A_NAME] = { .type = NLA_NUL_STRING, .len = SFW_CONFIG_NAME_MAX - 1 },
	[SFW_CONFIG_A_VALUE] = { .type = NLA_U32 },
};

static const struct nla_policy ct_policy[SFW_A_MAX + 1] = {
	[SFW_A_TUPLE] = NLA_POLICY_NESTED(tuple_policy),
	[SFW_A_FILTER] = NLA_POLICY_NESTED(filter_policy),
};

static const struct nla_policy ct_get_op_policy[SFW_A_MAX + 1] = {
	[SFW_A_TUPLE] = NLA_POLICY_NESTED(tuple_policy),
	[SFW_A_FILTER] = NLA_POLICY_NESTED(filter_policy),
	[SFW_A_CT_FULL] = { .type = NLA_FLAG },
};

static const struct nla_policy ct_tcp_dir_policy[SFW_CT_TCPD_A_MAX + 1] = {
	[SFW_CT_TCPD_A_END] = { .type = NLA_U32 },
	[SFW_CT_TCPD_A_MAXEND] = { .type = NLA_U32 },
	[SFW_CT_TCPD_A_MAXWIN] = { .type = NLA_U32 },
	[SFW_CT_TCPD_A_WSCALE] = NLA_POLICY_MAX(NLA_U8, SFW_TCP_MAX_WSCALE),
	[SFW_CT_TCPD_A_FLAGS] = NLA_POLICY_MASK(NLA_U8, SFW_CT_TCPD_ALL),
};

static const struct nla_policy ct_tcp_policy[SFW_CT_TCP_A_MAX + 1] = {
	[SFW_CT_TCP_A_FLAGS] = NLA_POLICY_MASK(NLA_U8, SFW_CT_TCPF_ALL),
	[SFW_CT_TCP_A_RETRANS] = NLA_POLICY_MAX(NLA_U8, SFW_TCP_RETRANS_MAX),
	[SFW_CT_TCP_A_ORIG] = NLA_POLICY_NESTED(ct_tcp_dir_policy),
	[SFW_CT_TCP_A_REPLY] = NLA_POLICY_NESTED(ct_tcp_dir_policy),
};

static const struct nla_policy ct_restore_policy[SFW_CT_A_MAX + 1] = {
	[SFW_CT_A_ORIG] = NLA_POLICY_NESTED(tuple_policy),
	[SFW_CT_A_REPLY] = NLA_POLICY_NESTED(tuple_policy),
	[SFW_CT_A_STATUS] = NLA_POLICY_MASK(NLA_U32, SFW_CT_S_SEEN_REPLY | SFW_CT_S_ASSURED),
	[SFW_CT_A_TIMEOUT] = NLA_POLICY_MIN(NLA_U32, 1),
	[SFW_CT_A_TCP_STATE] = NLA_POLICY_RANGE(NLA_U8, SFW_CT_TCP_SYN_SENT, SFW_CT_TCP_MAX),
	[SFW_CT_A_PACKETS_ORIG] = { .type = NLA_U64 },
	[SFW_CT_A_BYTES_ORIG] = { .type = NLA_U64 },
	[SFW_CT_A_PACKETS_REPLY] = { .type = NLA_U64 },
	[SFW_CT_A_BYTES_REPLY] = { .type = NLA_U64 },
	[SFW_CT_A_AGE] = { .type = NLA_U32 },
	[SFW_CT_A_TCP] = NLA_POLICY_NESTED(ct_tcp_policy),
	[SFW_CT_A_MASQ_DEV] = { .type = NLA_NUL_STRING, .len = SFW_CT_DEV_LEN - 1 },
	[SFW_CT_A_IN_DEV] = { .type = NLA_NUL_STRING, .len = SFW_CT_DEV_LEN - 1 },
	[SFW_CT_A_LOCAL] = { .type = NLA_FLAG },
};

static const struct nla_policy ct_restore_op_policy[SFW_A_MAX + 1] = {
	[SFW_A_CT] = NLA_POLICY_NESTED(ct_restore_policy),
};

static const struct nla_policy expect_get_policy[SFW_A_MAX + 1] = {
	[SFW_A_FILTER] = NLA_POLICY_NESTED(filter_policy),
};

static const struct nla_policy explain_policy[SFW_EXPLAIN_A_MAX + 1] = {
	[SFW_EXPLAIN_A_CHAIN] = NLA_POLICY_MAX(NLA_U8, SFW_CHAIN_ID_MAX),
	[SFW_EXPLAIN_A_CT_STATE] = NLA_POLICY_MAX(NLA_U8, SFW_CT_UNTRACKED),
	[SFW_EXPLAIN_A_REASON] = NLA_POLICY_RANGE(NLA_U8, 1, SFW_INVALID_COUNT - 1),
	[SFW_EXPLAIN_A_IIF] = { .type = NLA_NUL_STRING, .len = SFW_RULE_IFNAME_MAX - 1 },
	[SFW_EXPLAIN_A_OIF] = { .type = NLA_NUL_STRING, .len = SFW_RULE_IFNAME_MAX - 1 },
};

static const struct nla_policy explain_op_policy[SFW_A_MAX + 1] = {
	[SFW_A_TUPLE] = NLA_POLICY_NESTED(tuple_policy),
	[SFW_A_EXPLAIN] = NLA_POLICY_NESTED(explain_policy),
};

static const struct nla_policy config_get_op_policy[SFW_A_MAX + 1] = {
	[SFW_A_CONFIG] = NLA_POLICY_NESTED(config_name_policy),
};

static const struct nla_policy config_set_op_policy[SFW_A_MAX + 1] = {
	[SFW_A_CONFIG] = NLA_POLICY_NESTED(config_set_policy),
};

/*
 * Attributes that need or exclude one another: set the extack message
 * (a literal) on the attribute at fault, or on the nest that lacks one,
 * and give -EINVAL; 0 if all is well.
 */
#define need_attr(tb, type, nest, msg, extack) ({			\
	int __ret = 0;							\
	if (!(tb)[type]) {						\
		NL_SET_ERR_MSG_ATTR(extack, nest, msg);			\
		__ret = -EINVAL;					\
	}								\
	__ret;								\
})

#define no_attr(tb, type, msg, extack) ({				\
	int __ret = 0;							\
	if ((tb)[type]) {						\
		NL_SET_ERR_MSG_ATTR(extack, (tb)[type], msg);		\
		__ret = -EINVAL;					\
	}								\
	__ret;								\
})

static bool is_icmp(u8 l3, u8 l4)
{
	return (l3 == SFW_AF_INET && l4 == SFW_IPPROTO_ICMP) ||
	       (l3 == SFW_AF_INET6 && l4 == SFW_IPPROTO_ICMPV6);
}

static bool has_ports(u8 l4)
{
	return l4 == SFW_IPPROTO_TCP || l4 == SFW_IPPROTO_UDP;
}

/* SFW_A_TUPLE -> the tuple a packet would carry. */
static int tuple_parse(struct sfw_tuple *t, const struct nlattr *nest,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SFW_TUPLE_A_MAX + 1];
	int src, dst, ret;
	u8 l3, l4;

	ret = nla_parse_nested(tb, SFW_TUPLE_A_MAX, nest, tuple_policy, extack);
	if (ret)
		return ret;
	memset(t, 0, sizeof(*t));
	ret = need_attr(tb, SFW_TUPLE_A_L3, nest, "tuple without SFW_TUPLE_A_L3", extack) ?:
	      need_attr(tb, SFW_TUPLE_A_L4, nest, "tuple without SFW_TUPLE_A_L4", extack);
	if (ret)
		return ret;
	l3 = nla_get_u8(tb[SFW_TUPLE_A_L3]);
	l4 = nla_get_u8(tb[SFW_TUPLE_A_L4]);
	if (l3 != SFW_AF_INET && l3 != SFW_AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SFW_TUPLE_A_L3], "L3 is AF_INET or AF_INET6");
		return -EINVAL;
	}
	if (l3 == SFW_AF_INET) {
		src = SFW_TUPLE_A_SRC_V4;
		dst = SFW_TUPLE_A_DST_V4;
		ret = no_attr(tb, SFW_TUPLE_A_SRC_V6, "IPv6 address in an AF_INET tuple", extack) ?:
		      no_attr(tb, SFW_TUPLE_A_DST_V6, "IPv6 address in an AF_INET tuple", extack);
	} else {
		src = SFW_TUPLE_A_SRC_V6;
		dst = SFW_TUPLE_A_DST_V6;
		ret = no_attr(tb, SFW_TUPLE_A_SRC_V4, "IPv4 address in an AF_INET6 tuple", extack) ?:
		      no_attr(tb, SFW_TUPLE_A_DST_V4, "IPv4 address in an AF_INET6 tuple", extack);
	}
	ret = ret ?: need_attr(tb, src, nest, "tuple without a source address", extack) ?:
	      need_attr(tb, dst, nest, "tuple without a destination address", extack);
	if (ret)
		return ret;
	nla_memcpy(&t->src, tb[src], sizeof(t->src));
	nla_memcpy(&t->dst, tb[dst], sizeof(t->dst));
	t->l3num = l3;
	t->l4proto = l4;

	if (has_ports(l4)) {
		ret = need_attr(tb, SFW_TUPLE_A_SPORT, nest, "TCP/UDP tuple without SFW_TUPLE_A_SPORT", extack) ?:
		      need_attr(tb, SFW_TUPLE_A_DPORT, nest, "TCP/UDP tuple without SFW_TUPLE_A_DPORT", extack);
		if (ret)
			return ret;
		t->sport = nla_get_be16(tb[SFW_TUPLE_A_SPORT]);
		t->dport = nla_get_be16(tb[SFW_TUPLE_A_DPORT]);
	} else {
		ret = no_attr(tb, SFW_TUPLE_A_SPORT, "ports in a tuple of a protocol without ports", extack) ?:
		      no_attr(tb, SFW_TUPLE_A_DPORT, "ports in a tuple of a protocol without ports", extack);
		if (ret)
			return ret;
	}
	if (is_icmp(l3, l4)) {
		ret = need_attr(tb, SFW_TUPLE_A_ICMP_TYPE, nest, "ICMP tuple without SFW_TUPLE_A_ICMP_TYPE", extack) ?:
		      need_attr(tb, SFW_TUPLE_A_ICMP_CODE, nest, "ICMP tuple without SFW_TUPLE_A_ICMP_CODE", extack) ?:
		      need_attr(tb, SFW_TUPLE_A_ICMP_ID, nest, "ICMP tuple without SFW_TUPLE_A_ICMP_ID", extack);
		if (ret)
			return ret;
		t->sport = nla_get_be16(tb[SFW_TUPLE_A_ICMP_ID]);
		t->dport = htons((u16)(nla_get_u8(tb[SFW_TUPLE_A_ICMP_TYPE]) << 8 |
				       nla_get_u8(tb[SFW_TUPLE_A_ICMP_CODE])));
	} else {
		ret = no_attr(tb, SFW_TUPLE_A_ICMP_TYPE, "ICMP field in a tuple that is not ICMP", extack) ?:
		      no_attr(tb, SFW_TUPLE_A_ICMP_CODE, "ICMP field in a tuple that is not ICMP", extack) ?:
		      no_attr(tb, SFW_TUPLE_A_ICMP_ID, "ICMP field in a tuple that is not ICMP", extack);
	}
	return ret;
}

/* Filters: each field given must match the original tuple. */
#define F_L3		BIT(0)
#define F_L4		BIT(1)
#define F_STATE		BIT(2)
#define F_SRC		BIT(3)
#define F_DST		BIT(4)
#define F_SPORT		BIT(5)
#define F_DPORT		BIT(6)
#define F_PORT		BIT(7)

struct ct_filter {
	u32 has;
	u8 l3, l4, state, src_len, dst_len;
	__be16 sport, dport, port;
	union sfw_addr src, dst;
};

static int filter_addr(struct ct_filter *f, struct nlattr **tb, int v4, int v6, int plen,
		       union sfw_addr *a, u8 *len, u32 bit, struct netlink_ext_ack *extack)
{
	struct nlattr *attr = tb[v4] ?: tb[v6];
	u8 l3 = tb[v4] ? SFW_AF_INET : SFW_AF_INET6;
	u8 max = l3 == SFW_AF_INET ? 32 : 128;

	if (!attr)
		return no_attr(tb, plen, "prefix length without an address", extack);
	if (tb[v4] && tb[v6]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[v6], "both an IPv4 and an IPv6 address");
		return -EINVAL;
	}
	if ((f->has & F_L3) && f->l3 != l3) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "address of the other family than SFW_FILTER_A_L3");
		return -EINVAL;
	}
	*len = tb[plen] ? nla_get_u8(tb[plen]) : max;
	if (*len > max) {
		NL_SET_ERR_MSG_ATTR(extack, tb[plen], "prefix longer than the address");
		return -ERANGE;
	}
	memset(a, 0, sizeof(*a));
	nla_memcpy(a, attr, sizeof(*a));
	f->l3 = l3;
	f->has |= F_L3 | bit;
	return 0;
}

static int filter_parse(struct ct_filter *f, const struct nlattr *nest,
			struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SFW_FILTER_A_MAX + 1];
	int ret;

	memset(f, 0, sizeof(*f));
	if (!nest)
		return 0;
	ret = nla_parse_nested(tb, SFW_FILTER_A_MAX, nest, filter_policy, extack);
	if (ret)
		return ret;
	if (tb[SFW_FILTER_A_L3]) {
		f->l3 = nla_get_u8(tb[SFW_FILTER_A_L3]);
		if (f->l3 != SFW_AF_INET && f->l3 != SFW_AF_INET6) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SFW_FILTER_A_L3], "L3 is AF_INET or AF_INET6");
			return -EINVAL;
		}
		f->has |= F_L3;
	}
	if (tb[SFW_FILTER_A_L4]) {
		f->l4 = nla_get_u8(tb[SFW_FILTER_A_L4]);
		f->has |= F_L4;
	}
	if (tb[SFW_FILTER_A_TCP_STATE]) {
		if ((f->has & F_L4) && f->l4 != SFW_IPPROTO_TCP) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SFW_FILTER_A_TCP_STATE], "TCP state for another protocol");
			return -EINVAL;
		}
		f->state = nla_get_u8(tb[SFW_FILTER_A_TCP_STATE]);
		f->l4 = SFW_IPPROTO_TCP;
		f->has |= F_L4 | F_STATE;
	}
	ret = filter_addr(f, tb, SFW_FILTER_A_SRC_V4, SFW_FILTER_A_SRC_V6, SFW_FILTER_A_SRC_PREFIX,
			  &f->src, &f->src_len, F_SRC, extack) ?:
	      filter_addr(f, tb, SFW_FILTER_A_DST_V4, SFW_FILTER_A_DST_V6, SFW_FILTER_A_DST_PREFIX,
			  &f->dst, &f->dst_len, F_DST, extack);
	if (ret)
		return ret;
	if (tb[SFW_FILTER_A_SPORT]) {
		f->sport = nla_get_be16(tb[SFW_FILTER_A_SPORT]);
		f->has |= F_SPORT;
	}
	if (tb[SFW_FILTER_A_DPORT]) {
		f->dport = nla_get_be16(tb[SFW_FILTER_A_DPORT]);
		f->has |= F_DPORT;
	}
	if (tb[SFW_FILTER_A_PORT]) {
		f->port = nla_get_be16(tb[SFW_FILTER_A_PORT]);
		f->has |= F_PORT;
	}
	return 0;
}

static bool addr_in(const union sfw_addr *a, const union sfw_addr *net, u8 len)
{
	unsigned int i;

	for (i = 0; i < 4 && len; i++) {
		u32 mask = len >= 32 ? ~0U : ~0U << (32 - len);

		if ((ntohl(a->ip6[i]) ^ ntohl(net->ip6[i])) & mask)
			return false;
		len -= min_t(u8, len, 32);
	}
	return true;
}

/* The filter's fields but the TCP state, on tuple @t. */
static bool filter_match_tuple(const struct ct_filter *f, const struct sfw_tuple *t)
{
	bool ports = has_ports(t->l4proto);

	if ((f->has & F_L3) && t->l3num != f->l3)
		return false;
	if ((f->has & F_L4) && t->l4proto != f->l4)
		return false;
	if ((f->has & F_SRC) && !addr_in(&t->src, &f->src, f->src_len))
		return false;
	if ((f->has & F_DST) && !addr_in(&t->dst, &f->dst, f->dst_len))
		return false;
	if ((f->has & (F_SPORT | F_DPORT | F_PORT)) && !ports)
		return false;
	if ((f->has & F_SPORT) && t->sport != f->sport)
		return false;
	if ((f->has & F_DPORT) && t->dport != f->dport)
		return false;
	if ((f->has & F_PORT) && t->sport != f->port && t->dport != f->port)
		return false;
	return true;
}

static bool filter_match(const struct ct_filter *f, const struct sfw_conn *ct)
{
	struct sfw_tuple orig, reply;

	if (!f->has)
		return true;
	if ((f->has & F_STATE) && READ_ONCE(ct->ps.tcp.state) != f->state)
		return false;
	/* The original tuple users see: before DNAT. */
	sfw_nat_tuples(ct, &orig, &reply);
	return filter_match_tuple(f, &orig);
}

/* Messages about one connection. */

static size_t tuple_size(void)
{
	return nla_total_size(0) +			/* nest */
	       2 * nla_total_size(sizeof(u8)) +		/* L3, L4 */
	       2 * nla_total_size(16) +			/* addresses */
	       3 * nla_total_size(sizeof(u16)) +	/* ports or ICMP id */
	       2 * nla_total_size(sizeof(u8));		/* ICMP type, code */
}

/* The payload of any message about one connection, event fields included. */
static size_t ct_msg_size(void)
{
	return nla_total_size(0) + 2 * tuple_size() +
	       2 * nla_total_size(sizeof(u32)) +	/* status, timeout */
	       nla_total_size(sizeof(u8)) +		/* TCP state */
	       4 * nla_total_size_64bit(sizeof(u64)) +	/* counters */
	       nla_total_size(sizeof(u8)) +		/* event type */
	       nla_total_size(sizeof(u32)) +		/* event seq */
	       nla_total_size(16) +			/* event reason */
	       nla_total_size(sizeof(u32)) +		/* SFW_A_CT_FULL: age */
	       nla_total_size(0) +			/* TCP */
	       2 * nla_total_size(sizeof(u8)) +		/* flags, retrans */
	       2 * (nla_total_size(0) + 3 * nla_total_size(sizeof(u32)) +
		    2 * nla_total_size(sizeof(u8))) +	/* each direction */
	       2 * nla_total_size(SFW_CT_DEV_LEN) +	/* devices */
	       nla_total_size(0);			/* local */
}

static int tuple_put(struct sk_buff *skb, int type, const struct sfw_tuple *t)
{
	struct nlattr *nest = nla_nest_start(skb, type);
	bool v4 = t->l3num == SFW_AF_INET;

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, SFW_TUPLE_A_L3, t->l3num) ||
	    nla_put_u8(skb, SFW_TUPLE_A_L4, t->l4proto) ||
	    nla_put(skb, v4 ? SFW_TUPLE_A_SRC_V4 : SFW_TUPLE_A_SRC_V6, v4 ? 4 : 16, &t->src) ||
	    nla_put(skb, v4 ? SFW_TUPLE_A_DST_V4 : SFW_TUPLE_A_DST_V6, v4 ? 4 : 16, &t->dst))
		goto cancel;
	if (has_ports(t->l4proto) &&
	    (nla_put_be16(skb, SFW_TUPLE_A_SPORT, t->sport) ||
	     nla_put_be16(skb, SFW_TUPLE_A_DPORT, t->dport)))
		goto cancel;
	if (is_icmp(t->l3num, t->l4proto) &&
	    (nla_put_u8(skb, SFW_TUPLE_A_ICMP_TYPE, ntohs(t->dport) >> 8) ||
	     nla_put_u8(skb, SFW_TUPLE_A_ICMP_CODE, ntohs(t->dport) & 0xff) ||
	     nla_put_be16(skb, SFW_TUPLE_A_ICMP_ID, t->sport)))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* For the drop log's messages (netlink_drops.c). */
int sfw_netlink_tuple_put(struct sk_buff *skb, int type, const struct sfw_tuple *t)
{
	return tuple_put(skb, type, t);
}

static int tcp_dir_put(struct sk_buff *skb, int type, const struct sfw_ct_record_dir *w)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest ||
	    nla_put_u32(skb, SFW_CT_TCPD_A_END, w->end) ||
	    nla_put_u32(skb, SFW_CT_TCPD_A_MAXEND, w->maxend) ||
	    nla_put_u32(skb, SFW_CT_TCPD_A_MAXWIN, w->maxwin) ||
	    nla_put_u8(skb, SFW_CT_TCPD_A_WSCALE, w->wscale) ||
	    nla_put_u8(skb, SFW_CT_TCPD_A_FLAGS, w->flags))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* The name of device @ifindex of @sn's namespace as attribute @type; none if it went. */
static int devname_put(struct sk_buff *skb, int type, const struct sfw_net *sn, int ifindex)
{
	struct net_device *dev = ifindex ? dev_get_by_index_rcu(sn->net, ifindex) : NULL;

	return dev ? nla_put_string(skb, type, dev->name) : 0;
}

/*
 * What a restore needs besides what every message carries (SFW_A_CT_FULL):
 * the protocol state is copied under the entry's stripe lock, so that a
 * packet's update is never seen half done. Under RCU.
 */
static int ct_put_full(struct sk_buff *skb, const struct sfw_conn *ct, const struct sfw_net *sn)
{
	const struct sfw_conn_nat *cn = sfw_conn_nat(ct);
	spinlock_t *lock = sfw_timer_wheel_lock(sn->wheel, sfw_conn_stripe(ct));
	/* Pairs with nat.c's store-release: the keys and ifindexes before the flags. */
	u8 manip = cn ? smp_load_acquire(&cn->manip) : 0;
	struct sfw_ct_record r = { .orig = ct->tuple };
	union sfw_proto_state ps;
	struct nlattr *nest;

	spin_lock_bh(lock);
	ps = ct->ps;
	spin_unlock_bh(lock);
	if (ct->tuple.l4proto == SFW_IPPROTO_UDP &&
	    nla_put_u32(skb, SFW_CT_A_AGE, ((u32)jiffies - ps.udp.start) / HZ))
		return -EMSGSIZE;
	if (ct->tuple.l4proto == SFW_IPPROTO_TCP) {
		sfw_ct_record_from_state(&r, &ps);
		nest = nla_nest_start(skb, SFW_CT_A_TCP);
		if (!nest ||
		    nla_put_u8(skb, SFW_CT_TCP_A_FLAGS, r.tcp_flags) ||
		    nla_put_u8(skb, SFW_CT_TCP_A_RETRANS, r.tcp_retrans) ||
		    tcp_dir_put(skb, SFW_CT_TCP_A_ORIG, &r.win[SFW_DIR_ORIGINAL]) ||
		    tcp_dir_put(skb, SFW_CT_TCP_A_REPLY, &r.win[SFW_DIR_REPLY]))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	if ((manip & SFW_NAT_MASQ) && devname_put(skb, SFW_CT_A_MASQ_DEV, sn, cn->ifindex))
		return -EMSGSIZE;
	if ((manip & SFW_NAT_DST) && devname_put(skb, SFW_CT_A_IN_DEV, sn, cn->in_ifindex))
		return -EMSGSIZE;
	if ((ct->xflags & SFW_CONN_X_LOCAL) && nla_put_flag(skb, SFW_CT_A_LOCAL))
		return -EMSGSIZE;
	return 0;
}

static int ct_put(struct sk_buff *skb, const struct sfw_conn *ct, const struct sfw_net *full)
{
	struct nlattr *nest = nla_nest_start(skb, SFW_A_CT);
	u8 status = READ_ONCE(ct->status);
	struct sfw_tuple t, r;
	u32 s = 0;

	BUILD_BUG_ON(SFW_CT_TCP_MAX + 1 != (int)SFW_TCP_NSTATES ||
		     SFW_CT_TCP_ESTABLISHED != (int)SFW_TCP_ESTABLISHED ||
		     SFW_CT_TCP_SYN_SENT2 != (int)SFW_TCP_SYN_SENT2);
	if (!nest)
		return -EMSGSIZE;
	sfw_nat_tuples(ct, &t, &r);
	if (status & SFW_CONN_SEEN_REPLY)
		s |= SFW_CT_S_SEEN_REPLY;
	if (status & SFW_CONN_ASSURED)
		s |= SFW_CT_S_ASSURED;
	if (tuple_put(skb, SFW_CT_A_ORIG, &t) ||
	    tuple_put(skb, SFW_CT_A_REPLY, &r) ||
	    nla_put_u32(skb, SFW_CT_A_STATUS, s) ||
	    nla_put_u32(skb, SFW_CT_A_TIMEOUT, sfw_conntrack_timeout_left(ct)))
		goto cancel;
	if (t.l4proto == SFW_IPPROTO_TCP &&
	    nla_put_u8(skb, SFW_CT_A_TCP_STATE, READ_ONCE(ct->ps.tcp.state)))
		goto cancel;
	if (nla_put_u64_64bit(skb, SFW_CT_A_PACKETS_ORIG, READ_ONCE(ct->packets[SFW_DIR_ORIGINAL]),
			      SFW_CT_A_PAD) ||
	    nla_put_u64_64bit(skb, SFW_CT_A_BYTES_ORIG, READ_ONCE(ct->bytes[SFW_DIR_ORIGINAL]),
			      SFW_CT_A_PAD) ||
	    nla_put_u64_64bit(skb, SFW_CT_A_PACKETS_REPLY, READ_ONCE(ct->packets[SFW_DIR_REPLY]),
			      SFW_CT_A_PAD) ||
	    nla_put_u64_64bit(skb, SFW_CT_A_BYTES_REPLY, READ_ONCE(ct->bytes[SFW_DIR_REPLY]),
			      SFW_CT_A_PAD))
		goto cancel;
	if (full && ct_put_full(skb, ct, full))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* One whole message about @ct; on -EMSGSIZE the skb is as it was. */
static int ct_msg(struct sk_buff *skb, u32 portid, u32 seq, int flags, u8 cmd,
		  const struct sfw_conn *ct, u8 event, u32 event_seq, enum sfw_ct_end why,
		  const struct sfw_net *full)
{
	void *hdr = genlmsg_put(skb, portid, seq, &sfw_genl_family, flags, cmd);

	if (!hdr)
		return -EMSGSIZE;
	if (event && (nla_put_u8(skb, SFW_A_EVENT_TYPE, event) ||
		      nla_put_u32(skb, SFW_A_EVENT_SEQ, event_seq)))
		goto cancel;
	if (why > SFW_END_NONE && why < SFW_END_COUNT &&
	    nla_put_string(skb, SFW_A_EVENT_REASON, sfw_ct_end_names[why]))
		goto cancel;
	if (ct_put(skb, ct, full))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static struct sfw_net *info_sn(struct genl_info *info)
{
	return sfw_net(genl_info_net(info));
}

/* A message with only SFW_A_COUNT, the answer to a delete or a flush. */
static int reply_count(struct genl_info *info, u8 cmd, u32 count)
{
	struct sk_buff *skb = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	void *hdr;

	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put_reply(skb, info, &sfw_genl_family, 0, cmd);
	if (!hdr || nla_put_u32(skb, SFW_A_COUNT, count)) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
}

static int ct_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sfw_net *sn = info_sn(info);
	struct sk_buff *msg;
	struct sfw_tuple t;
	struct sfw_conn *ct;
	enum sfw_dir dir;
	int ret;

	ret = -EINVAL;
	if (info->attrs[SFW_A_FILTER]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SFW_A_FILTER],
				    "a filter goes with a dump (NLM_F_DUMP), not a get");
		return ret;
	}
	if (info->attrs[SFW_A_CT_FULL]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SFW_A_CT_FULL],
				    "SFW_A_CT_FULL goes with a dump (NLM_F_DUMP), not a get");
		return ret;
	}
	if (!info->attrs[SFW_A_TUPLE]) {
		NL_SET_ERR_MSG(info->extack, "missing SFW_A_TUPLE");
		return ret;
	}
	ret = tuple_parse(&t, info->attrs[SFW_A_TUPLE], info->extack);
	if (ret)
		return ret;

	msg = genlmsg_new(ct_msg_size(), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	rcu_read_lock();
	ct = sfw_conntrack_lookup(sn, &t, &dir);
	if (ct && sfw_conntrack_visible(ct, SFW_DIR_ORIGINAL, sn))
		ret = ct_msg(msg, info->snd_portid, info->snd_seq, 0, SFW_CMD_CT_GET, ct, 0, 0,
			     SFW_END_NONE, NULL);
	else
		ret = -ENOENT;
	rcu_read_unlock();
	if (ret) {
		nlmsg_free(msg);
		if (ret == -ENOENT)
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SFW_A_TUPLE], "no such connection");
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/* Restore: SFW_A_CT -> a record, checked as a packet would be (ct_record.c). */

static int tcp_dir_parse(struct sfw_ct_record_dir *w, const struct nlattr *nest,
			 struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SFW_CT_TCPD_A_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, SFW_CT_TCPD_A_MAX, nest, ct_tcp_dir_policy, extack) ?:
	      need_attr(tb, SFW_CT_TCPD_A_END, nest, "TCP direction without SFW_CT_TCPD_A_END", extack) ?:
	      need_attr(tb, SFW_CT_TCPD_A_MAXEND, nest, "TCP direction without SFW_CT_TCPD_A_MAXEND", extack) ?:
	      need_attr(tb, SFW_CT_TCPD_A_MAXWIN, nest, "TCP direction without SFW_CT_TCPD_A_MAXWIN", extack);
	if (ret)
		return ret;
	w->end = nla_get_u32(tb[SFW_CT_TCPD_A_END]);
	w->maxend = nla_get_u32(tb[SFW_CT_TCPD_A_MAXEND]);
	w->maxwin = nla_get_u32(tb[SFW_CT_TCPD_A_MAXWIN]);
	w->wscale = tb[SFW_CT_TCPD_A_WSCALE] ? nla_get_u8(tb[SFW_CT_TCPD_A_WSCALE]) : 0;
	w->flags = tb[SFW_CT_TCPD_A_FLAGS] ? nla_get_u8(tb[SFW_CT_TCPD_A_FLAGS]) : 0;
	return 0;
}

/* @ct: the parsed SFW_A_CT, @top: that nest. */
static int tcp_parse(struct sfw_ct_record *r, struct nlattr **ct, const struct nlattr *top,
		     struct netlink_ext_ack *extack)
{
	const struct nlattr *nest = ct[SFW_CT_A_TCP];
	struct nlattr *tb[SFW_CT_TCP_A_MAX + 1];
	int ret;

	if (r->orig.l4proto != SFW_IPPROTO_TCP)
		return no_attr(ct, SFW_CT_A_TCP, "TCP data on a connection that is not TCP", extack) ?:
		       no_attr(ct, SFW_CT_A_TCP_STATE, "a TCP state on a connection that is not TCP",
			       extack);
	ret = need_attr(ct, SFW_CT_A_TCP_STATE, top, "TCP connection without SFW_CT_A_TCP_STATE",
			extack) ?:
	      need_attr(ct, SFW_CT_A_TCP, top, "TCP connection without SFW_CT_A_TCP", extack);
	if (ret)
		return ret;
	ret = nla_parse_nested(tb, SFW_CT_TCP_A_MAX, nest, ct_tcp_policy, extack) ?:
	      need_attr(tb, SFW_CT_TCP_A_ORIG, nest, "SFW_CT_A_TCP without SFW_CT_TCP_A_ORIG", extack) ?:
	      need_attr(tb, SFW_CT_TCP_A_REPLY, nest, "SFW_CT_A_TCP without SFW_CT_TCP_A_REPLY", extack) ?:
	      tcp_dir_parse(&r->win[SFW_DIR_ORIGINAL], tb[SFW_CT_TCP_A_ORIG], extack) ?:
	      tcp_dir_parse(&r->win[SFW_DIR_REPLY], tb[SFW_CT_TCP_A_REPLY], extack);
	if (ret)
		return ret;
	r->tcp_state = nla_get_u8(ct[SFW_CT_A_TCP_STATE]);
	r->tcp_flags = tb[SFW_CT_TCP_A_FLAGS] ? nla_get_u8(tb[SFW_CT_TCP_A_FLAGS]) : 0;
	r->tcp_retrans = tb[SFW_CT_TCP_A_RETRANS] ? nla_get_u8(tb[SFW_CT_TCP_A_RETRANS]) : 0;
	return 0;
}

static u64 get_u64_or_0(const struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

static int ct_restore_doit(struct sk_buff *skb, struct genl_info *info)
{
	const struct nlattr *nest = info->attrs[SFW_A_CT];
	struct nlattr *ct[SFW_CT_A_MAX + 1];
	struct sfw_ct_record r = {};
	const char *why;
	int ret;

	if (!nest) {
		NL_SET_ERR_MSG(info->extack, "missing SFW_A_CT");
		return -EINVAL;
	}
	ret = nla_parse_nested(ct, SFW_CT_A_MAX, nest, ct_restore_policy, info->extack);
	if (ret)
		return ret;
	ret = need_attr(ct, SFW_CT_A_ORIG, nest, "SFW_A_CT without SFW_CT_A_ORIG", info->extack) ?:
	      need_attr(ct, SFW_CT_A_REPLY, nest, "SFW_A_CT without SFW_CT_A_REPLY", info->extack) ?:
	      need_attr(ct, SFW_CT_A_TIMEOUT, nest, "SFW_A_CT without SFW_CT_A_TIMEOUT", info->extack) ?:
	      tuple_parse(&r.orig, ct[SFW_CT_A_ORIG], info->extack) ?:
	      tuple_parse(&r.reply, ct[SFW_CT_A_REPLY], info->extack) ?:
	      tcp_parse(&r, ct, nest, info->extack);
	if (ret)
		return ret;
	r.timeout = nla_get_u32(ct[SFW_CT_A_TIMEOUT]);
	r.status = ct[SFW_CT_A_STATUS] ? nla_get_u32(ct[SFW_CT_A_STATUS]) : 0;
	r.age = ct[SFW_CT_A_AGE] ? nla_get_u32(ct[SFW_CT_A_AGE]) : 0;
	r.packets[SFW_DIR_ORIGINAL] = get_u64_or_0(ct[SFW_CT_A_PACKETS_ORIG]);
	r.bytes[SFW_DIR_ORIGINAL] = get_u64_or_0(ct[SFW_CT_A_BYTES_ORIG]);
	r.packets[SFW_DIR_REPLY] = get_u64_or_0(ct[SFW_CT_A_PACKETS_REPLY]);
	r.bytes[SFW_DIR_REPLY] = get_u64_or_0(ct[SFW_CT_A_BYTES_REPLY]);
	r.local = nla_get_flag(ct[SFW_CT_A_LOCAL]);
	if (ct[SFW_CT_A_MASQ_DEV])
		nla_strscpy(r.masq_dev, ct[SFW_CT_A_MASQ_DEV], sizeof(r.masq_dev));
	if (ct[SFW_CT_A_IN_DEV])
		nla_strscpy(r.in_dev, ct[SFW_CT_A_IN_DEV], sizeof(r.in_dev));
	why = sfw_ct_record_check(&r);
	if (why) {
		/* A literal of ct_record.c's, which NL_SET_ERR_MSG() cannot take by pointer. */
		NL_SET_BAD_ATTR(info->extack, nest);
		if (info->extack)
			info->extack->_msg = why;
		return -EINVAL;
	}
	return sfw_ct_restore(info_sn(info), &r, info->extack);
}

/*
 * Explain: the steps go into the reply as the walk reaches each rule (at
 * most SFW_EXPLAIN_STEPS_MAX, which the message is sized for).
 */
struct explain_reply {
	struct sk_buff *msg;
	u32 steps;
	bool truncated, nospace;
};

static void explain_step(void *arg, u32 rule, enum sfw_explain_fail fail)
{
	struct explain_reply *er = arg;
	struct nlattr *nest;

	if (er->steps == SFW_EXPLAIN_STEPS_MAX) {
		er->truncated = true;
		return;
	}
	nest = nla_nest_start(er->msg, SFW_EXPLAIN_A_STEP);
	if (!nest || nla_put_u32(er->msg, SFW_EXPLAIN_STEP_A_POS, rule + 1) ||
	    nla_put_u8(er->msg, SFW_EXPLAIN_STEP_A_FAIL, fail)) {
		if (nest)
			nla_nest_cancel(er->msg, nest);
		er->nospace = true;
		return;
	}
	nla_nest_end(er->msg, nest);
	er->steps++;
}

static size_t explain_msg_size(void)
{
	return nla_total_size(8) +			/* SFW_A_GENERATION */
	       nla_total_size(0) +			/* SFW_A_EXPLAIN */
	       3 * nla_total_size(1) + 2 * nla_total_size(SFW_RULE_IFNAME_MAX) +
	       nla_total_size(1) + nla_total_size(4) + nla_total_size(0) +
	       SFW_EXPLAIN_STEPS_MAX * nla_total_size(nla_total_size(4) + nla_total_size(1)) +
	       ct_msg_size();
}

static int explain_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[SFW_EXPLAIN_A_MAX + 1] = {};
	struct sfw_net *sn = info_sn(info);
	struct explain_reply er = {};
	struct sfw_explain x = {};
	struct nlattr *nest;
	struct sfw_conn *ct;
	enum sfw_dir dir;
	void *hdr;
	int ret;

	if (!info->attrs[SFW_A_TUPLE]) {
		NL_SET_ERR_MSG(info->extack, "missing SFW_A_TUPLE: which packet?");
		return -EINVAL;
	}
	ret = tuple_parse(&x.t, info->attrs[SFW_A_TUPLE], info->extack);
	if (ret)
		return ret;
	if (info->attrs[SFW_A_EXPLAIN]) {
		ret = nla_parse_nested(tb, SFW_EXPLAIN_A_MAX, info->attrs[SFW_A_EXPLAIN],
				       explain_policy, info->extack);
		if (ret)
			return ret;
	}
	x.ctinfo = tb[SFW_EXPLAIN_A_CT_STATE] ? nla_get_u8(tb[SFW_EXPLAIN_A_CT_STATE]) : SFW_CT_NEW;
	if (tb[SFW_EXPLAIN_A_REASON]) {
		if (x.ctinfo != SFW_CT_INVALID) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[SFW_EXPLAIN_A_REASON],
					    "a reason goes with the state INVALID");
			return -EINVAL;
		}
		x.reason = nla_get_u8(tb[SFW_EXPLAIN_A_REASON]);
	}
	if (tb[SFW_EXPLAIN_A_CHAIN]) {
		x.chain_given = true;
		x.chain = nla_get_u8(tb[SFW_EXPLAIN_A_CHAIN]);
	}
	if (tb[SFW_EXPLAIN_A_IIF])
		nla_strscpy(x.iif, tb[SFW_EXPLAIN_A_IIF], sizeof(x.iif));
	if (tb[SFW_EXPLAIN_A_OIF])
		nla_strscpy(x.oif, tb[SFW_EXPLAIN_A_OIF], sizeof(x.oif));

	er.msg = genlmsg_new(explain_msg_size(), GFP_KERNEL);
	if (!er.msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(er.msg, info, &sfw_genl_family, 0, SFW_CMD_EXPLAIN);
	nest = hdr ? nla_nest_start(er.msg, SFW_A_EXPLAIN) : NULL;
	if (!nest)
		goto nospace;
	x.step = explain_step;
	x.arg = &er;
	rcu_read_lock();
	ret = sfw_rules_explain(sn, &x);
	if (ret) {
		rcu_read_unlock();
		nlmsg_free(er.msg);
		NL_SET_ERR_MSG(info->extack, "no rule set loaded: every packet is accepted");
		return ret;
	}
	if (er.nospace || nla_put_u8(er.msg, SFW_EXPLAIN_A_CHAIN, x.chain) ||
	    nla_put_u8(er.msg, SFW_EXPLAIN_A_CT_STATE, x.ctinfo) ||
	    (x.reason && nla_put_u8(er.msg, SFW_EXPLAIN_A_REASON, x.reason)) ||
	    (x.iif[0] && nla_put_string(er.msg, SFW_EXPLAIN_A_IIF, x.iif)) ||
	    (x.oif[0] && nla_put_string(er.msg, SFW_EXPLAIN_A_OIF, x.oif)) ||
	    nla_put_u8(er.msg, SFW_EXPLAIN_A_VERDICT, x.verdict) ||
	    (x.rule >= 0 && nla_put_u32(er.msg, SFW_EXPLAIN_A_RULE, x.rule + 1)) ||
	    (er.truncated && nla_put_flag(er.msg, SFW_EXPLAIN_A_TRUNCATED))) {
		rcu_read_unlock();
		goto nospace;
	}
	nla_nest_end(er.msg, nest);
	/* The connection the tuple belongs to, if one is tracked (either direction). */
	ct = sfw_conntrack_lookup(sn, &x.t, &dir);
	if (ct && sfw_conntrack_visible(ct, SFW_DIR_ORIGINAL, sn) && ct_put(er.msg, ct, NULL)) {
		rcu_read_unlock();
		goto nospace;
	}
	rcu_read_unlock();
	if (nla_put_u64_64bit(er.msg, SFW_A_GENERATION, x.generation, SFW_A_PAD))
		goto nospace;
	genlmsg_end(er.msg, hdr);
	return genlmsg_reply(er.msg, info);

nospace:
	nlmsg_free(er.msg);
	return -EMSGSIZE;	/* cannot happen: see explain_msg_size() */
}

/*
 * Dumps: the filter and the cursor live from ->start to ->done. A
 * preview's dump (RULESET_PREVIEW) shows the entries @refused_by, a
 * compiled rule set never swapped in, would not admit.
 */
struct ct_dump {
	struct ct_filter filter;
	unsigned int bucket;
	struct sfw_ruleset *refused_by;
	bool full;		/* SFW_A_CT_FULL: for a save */
};

static int ct_dump_start(struct netlink_callback *cb)
{
	struct nlattr **attrs = sfw_genl_dump_attrs(cb);
	struct ct_dump *d;
	int ret;

	if (attrs && attrs[SFW_A_TUPLE]) {
		NL_SET_ERR_MSG_ATTR(cb->extack, attrs[SFW_A_TUPLE],
				    "a dump takes SFW_A_FILTER; a tuple goes with a get");
		return -EINVAL;
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d)
		return -ENOMEM;
	ret = filter_parse(&d->filter, attrs ? attrs[SFW_A_FILTER] : NULL, cb->extack);
	if (ret) {
		kfree(d);
		return ret;
	}
	d->full = attrs && attrs[SFW_A_CT_FULL];
	cb->args[0] = (long)d;
	/* A whole chain fits in every message (see the top of the file). */
	cb->min_dump_alloc = sfw_conntrack_max_chain() *
			     nlmsg_total_size(GENL_HDRLEN + ct_msg_size());
	return 0;
}

static int ct_dump_done(struct netlink_callback *cb)
{
	struct ct_dump *d = (struct ct_dump *)cb->args[0];

	if (d)
		sfw_ruleset_free(d->refused_by);
	kfree(d);
	return 0;
}

static int ct_preview_start(struct netlink_callback *cb)
{
	struct sfw_net *sn = sfw_net(sock_net(cb->skb->sk));
	struct sfw_ruleset *rs;
	struct ct_dump *d;

	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d)
		return -ENOMEM;
	rs = sfw_nl_ruleset_preview(sn, NETLINK_CB(cb->skb).portid, cb->extack);
	if (IS_ERR(rs)) {
		kfree(d);
		return PTR_ERR(rs);
	}
	d->refused_by = rs;
	cb->args[0] = (long)d;
	cb->min_dump_alloc = sfw_conntrack_max_chain() *
			     nlmsg_total_size(GENL_HDRLEN + ct_msg_size());
	return 0;
}

static int ct_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct sfw_net *sn = sfw_net(sock_net(skb->sk));
	struct ct_dump *d = (struct ct_dump *)cb->args[0];
	int ret = 0;

	rcu_read_lock();
	for (; d->bucket < sfw_conntrack_buckets(); d->bucket++) {
		unsigned char *mark = skb_tail_pointer(skb);
		struct hlist_nulls_node *n;
		struct sfw_conn *ct;

		sfw_conntrack_for_each_visible(ct, n, sn, d->bucket) {
			if (!filter_match(&d->filter, ct))
				continue;
			if (d->refused_by && !sfw_rules_refuses(sn, d->refused_by, ct))
				continue;
			ret = ct_msg(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				     NLM_F_MULTI, SFW_CMD_CT_GET, ct, 0, 0, SFW_END_NONE,
				     d->full ? sn : NULL);
			if (ret)
				break;
		}
		if (ret) {
			/* The bucket starts the next message. */
			nlmsg_trim(skb, mark);
			if (!skb->len)
				ret = -EMSGSIZE;	/* cannot happen: see ->start */
			else
				ret = 0;
			break;
		}
	}
	rcu_read_unlock();
	return ret ?: skb->len;
}

/*
 * Expectations: a dump over expect.c's walker. A bucket is not split
 * across messages unless it alone fills one: when a message fills up,
 * what it holds of the bucket being walked is trimmed off and the next
 * message starts at the bucket's first entry. Then an expectation that
 * stays is shown once even if its bucket changes between messages.
 */
struct expect_dump {
	struct ct_filter filter;
	struct sfw_expect_pos pos;
	/* For one dumpit call: */
	struct sk_buff *skb;
	struct netlink_callback *cb;
	unsigned int bucket;		/* the bucket being walked */
	unsigned int bucket_start;	/* skb->len where it began */
};

/* The tuple the data connection has (@to, @port: where it goes); sport 0. */
static void expect_tuple(const struct sfw_expect_info *info, const union sfw_addr *to,
			 __be16 port, struct sfw_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->l3num = info->l3num;
	t->l4proto = info->l4proto;
	t->src = info->src;
	t->dst = *to;
	t->dport = port;
}

static int expect_put(struct sk_buff *skb, const struct sfw_expect_info *info)
{
	struct nlattr *nest = nla_nest_start(skb, SFW_A_EXPECT);
	struct sfw_tuple t, nt;

	if (!nest)
		return -EMSGSIZE;
	expect_tuple(info, &info->dst, info->dport, &t);
	expect_tuple(info, &info->nat_dst, info->nat_dport, &nt);
	if (tuple_put(skb, SFW_EXPECT_A_TUPLE, &t) ||
	    tuple_put(skb, SFW_EXPECT_A_MASTER, &info->master) ||
	    (info->nat && tuple_put(skb, SFW_EXPECT_A_NAT_TUPLE, &nt)) ||
	    nla_put_u32(skb, SFW_EXPECT_A_TIMEOUT, info->timeout) ||
	    nla_put_string(skb, SFW_EXPECT_A_HELPER, info->helper)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* sfw_expect_walk()'s callback: one message per expectation that matches. */
static int expect_dump_one(const struct sfw_expect_info *info, void *arg)
{
	struct expect_dump *d = arg;
	struct sfw_tuple t;
	void *hdr;

	if (d->pos.bucket != d->bucket) {
		d->bucket = d->pos.bucket;
		d->bucket_start = d->skb->len;
	}
	expect_tuple(info, &info->dst, info->dport, &t);
	if (d->filter.has && !filter_match_tuple(&d->filter, &t))
		return 0;
	hdr = genlmsg_put(d->skb, NETLINK_CB(d->cb->skb).portid, d->cb->nlh->nlmsg_seq,
			  &sfw_genl_family, NLM_F_MULTI, SFW_CMD_EXPECT_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (expect_put(d->skb, info)) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(d->skb, hdr);
	return 0;
}

static int expect_dump_start(struct netlink_callback *cb)
{
	struct nlattr **attrs = sfw_genl_dump_attrs(cb);
	struct expect_dump *d;
	int ret;

	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d)
		return -ENOMEM;
	ret = filter_parse(&d->filter, attrs ? attrs[SFW_A_FILTER] : NULL, cb->extack);
	if (!ret && (d->filter.has & F_STATE)) {
		NL_SET_ERR_MSG_ATTR(cb->extack, attrs[SFW_A_FILTER],
				    "an expectation has no TCP state to filter on");
		ret = -EINVAL;
	}
	if (ret) {
		kfree(d);
		return ret;
	}
	cb->args[0] = (long)d;
	return 0;
}

/* Its own: a struct expect_dump is not a struct ct_dump. */
static int expect_dump_done(struct netlink_callback *cb)
{
	kfree((void *)cb->args[0]);
	return 0;
}

static int expect_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct expect_dump *d = (struct expect_dump *)cb->args[0];
	int ret;

	d->skb = skb;
	d->cb = cb;
	d->bucket = UINT_MAX;
	d->bucket_start = 0;
	ret = sfw_expect_walk(sfw_net(sock_net(skb->sk)), &d->pos, expect_dump_one, d);
	if (ret == -EMSGSIZE && d->bucket_start) {
		/* The bucket starts the next message. */
		nlmsg_trim(skb, skb->data + d->bucket_start);
		d->pos.skip = 0;
	} else if (ret == -EMSGSIZE && !skb->len) {
		return ret;	/* cannot happen: one message is a few hundred bytes */
	}
	return skb->len;
}

/* From sfw_conntrack_cleanup(): does @ct match the filter @arg? */
static bool ct_filter_kill(struct sfw_net *sn, struct sfw_conn *ct, void *arg)
{
	return filter_match(arg, ct);
}

static int ct_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sfw_net *sn = info_sn(info);
	struct nlattr *tattr = info->attrs[SFW_A_TUPLE];
	struct nlattr *fattr = info->attrs[SFW_A_FILTER];
	struct ct_filter f;
	struct sfw_tuple t;
	struct sfw_conn *ct;
	enum sfw_dir dir;
	u32 count = 0;
	int ret;

	ret = -EINVAL;
	if (tattr && fattr) {
		NL_SET_ERR_MSG_ATTR(info->extack, fattr, "a tuple or a filter, not both");
		return ret;
	}
	if (!tattr && !fattr) {
		NL_SET_ERR_MSG(info->extack, "missing SFW_A_TUPLE or SFW_A_FILTER (flush deletes all)");
		return ret;
	}
	if (fattr) {
		ret = filter_parse(&f, fattr, info->extack);
		if (ret)
			return ret;
		return reply_count(info, SFW_CMD_CT_DEL, sfw_conntrack_cleanup(sn, ct_filter_kill, &f,
								   SFW_END_DELETED));
	}

	ret = tuple_parse(&t, tattr, info->extack);
	if (ret)
		return ret;
	rcu_read_lock();
	ct = sfw_conntrack_lookup(sn, &t, &dir);
	if (ct && sfw_conntrack_visible(ct, SFW_DIR_ORIGINAL, sn) &&
	    sfw_conntrack_delete(sn, ct, SFW_END_DELETED))
		count = 1;
	rcu_read_unlock();
	if (!count) {
		NL_SET_ERR_MSG_ATTR(info->extack, tattr, "no such connection");
		return -ENOENT;
	}
	return reply_count(info, SFW_CMD_CT_DEL, count);
}

static int ct_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ct_filter all = {};

	return reply_count(info, SFW_CMD_CT_FLUSH, sfw_conntrack_cleanup(info_sn(info), ct_filter_kill,
									     &all, SFW_END_DELETED));
}

/* Statistics: the counters of /proc/net/sfw/stat and /invalid. */

static int stats_put(struct sk_buff *skb, int type, int cpu, u32 entries, const u64 *cnt)
{
	struct nlattr *nest = nla_nest_start(skb, type);
	int i;

	if (!nest)
		return -EMSGSIZE;
	if (cpu >= 0 && nla_put_u32(skb, SFW_STATS_A_CPU, cpu))
		goto cancel;
	if (nla_put_u32(skb, SFW_STATS_A_ENTRIES, entries))
		goto cancel;
	for (i = 0; i < SFW_STAT_COUNT; i++)
		if (nla_put_u64_64bit(skb, sfw_stat_attr(i), cnt[i], SFW_STATS_A_PAD))
			goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static size_t stats_size(void)
{
	size_t row = nla_total_size(0) + 2 * nla_total_size(sizeof(u32)) +
		     SFW_STAT_COUNT * nla_total_size_64bit(sizeof(u64));
	size_t reason = nla_total_size(0) + nla_total_size(sizeof(u32)) +
			nla_total_size(32) + nla_total_size_64bit(sizeof(u64));

	return (num_possible_cpus() + 1) * row + SFW_INVALID_COUNT * reason;
}

static int stats_fill(struct sk_buff *skb, struct sfw_net *sn)
{
	u32 entries = atomic_read(&sn->count);
	u64 total[SFW_STAT_COUNT] = {}, row[SFW_STAT_COUNT];
	u64 invalid[SFW_INVALID_COUNT] = {};
	int cpu, i;

	BUILD_BUG_ON(SFW_STATS_A_CLASHRES + SFW_STAT_REAPED != SFW_STATS_A_REAPED ||
		     SFW_STATS_A_CLASHRES + SFW_STAT_RELATED != SFW_STATS_A_RELATED ||
		     SFW_STATS_A_CLASHRES + SFW_STAT_HOOK + NF_INET_LOCAL_OUT !=
		     SFW_STATS_A_LOCAL_OUT ||
		     SFW_STAT_REAPED + 1 != SFW_STAT_RESERVE ||
		     SFW_STATS_A_RESERVE + (SFW_STAT_FASTPATH - SFW_STAT_RESERVE) !=
		     SFW_STATS_A_FASTPATH ||
		     SFW_STAT_FASTPATH + 1 != SFW_STAT_COUNT);
	for_each_possible_cpu(cpu) {
		const struct sfw_cpu_stats *st = per_cpu_ptr(sn->stats, cpu);

		for (i = 0; i < SFW_STAT_COUNT; i++) {
			row[i] = READ_ONCE(st->cnt[i]);
			total[i] += row[i];
		}
		for (i = 0; i < SFW_INVALID_COUNT; i++)
			invalid[i] += READ_ONCE(st->invalid[i]);
		if (stats_put(skb, SFW_A_STATS_CPU, cpu, entries, row))
			return -EMSGSIZE;
	}
	if (stats_put(skb, SFW_A_STATS_TOTAL, -1, entries, total))
		return -EMSGSIZE;
	for (i = 1; i < SFW_INVALID_COUNT; i++) {
		struct nlattr *nest = nla_nest_start(skb, SFW_A_INVALID);

		if (!nest || nla_put_u32(skb, SFW_INVALID_A_ID, i) ||
		    nla_put_string(skb, SFW_INVALID_A_NAME, sfw_invalid_names[i]) ||
		    nla_put_u64_64bit(skb, SFW_INVALID_A_COUNT, invalid[i], SFW_INVALID_A_PAD))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	return 0;
}

static int stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg = genlmsg_new(stats_size(), GFP_KERNEL);
	void *hdr;

	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &sfw_genl_family, 0, SFW_CMD_STATS_GET);
	if (!hdr || stats_fill(msg, info_sn(info))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* Settings: the net.sfw.* sysctls, through sysctl.c's table. */

static int config_put(struct sk_buff *skb, struct sfw_net *sn, unsigned int i)
{
	struct nlattr *nest = nla_nest_start(skb, SFW_A_CONFIG);
	struct sfw_setting s;

	if (!nest)
		return -EMSGSIZE;
	sfw_sysctl_get(sn, i, &s);
	if (nla_put_string(skb, SFW_CONFIG_A_NAME, s.name) ||
	    nla_put_u32(skb, SFW_CONFIG_A_VALUE, s.value) ||
	    nla_put_u32(skb, SFW_CONFIG_A_RANGE_MIN, s.min) ||
	    nla_put_u32(skb, SFW_CONFIG_A_RANGE_MAX, s.max) ||
	    (!s.writable && nla_put_flag(skb, SFW_CONFIG_A_READONLY))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* The index of the setting a SFW_A_CONFIG nest names, or an error. */
static int config_find(const struct nlattr *nest, const struct nla_policy *policy,
		       struct nlattr **tb, struct netlink_ext_ack *extack)
{
	int ret = nla_parse_nested(tb, SFW_CONFIG_A_MAX, nest, policy, extack);

	if (ret)
		return ret;
	ret = need_attr(tb, SFW_CONFIG_A_NAME, nest, "missing SFW_CONFIG_A_NAME", extack);
	if (ret)
		return ret;
	ret = sfw_sysctl_find(nla_data(tb[SFW_CONFIG_A_NAME]));
	if (ret < 0)
		NL_SET_ERR_MSG_ATTR(extack, tb[SFW_CONFIG_A_NAME], "no such setting");
	return ret;
}

static int config_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[SFW_CONFIG_A_MAX + 1];
	struct sfw_net *sn = info_sn(info);
	unsigned int i, first = 0, last = sfw_sysctl_count();
	struct sk_buff *msg;
	void *hdr;
	int ret;

	if (info->attrs[SFW_A_CONFIG]) {
		ret = config_find(info->attrs[SFW_A_CONFIG], config_name_policy, tb, info->extack);
		if (ret < 0)
			return ret;
		first = ret;
		last = ret + 1;
	}
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &sfw_genl_family, 0, SFW_CMD_CONFIG_GET);
	if (!hdr)
		goto err;
	for (i = first; i < last; i++)
		if (config_put(msg, sn, i))
			goto err;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

#define SFW_CONFIG_SET_MAX	64	/* settings in one request */

static int config_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[SFW_CONFIG_A_MAX + 1];
	struct sfw_net *sn = info_sn(info);
	struct {
		u16 index;
		u32 value;
	} *set;
	const struct nlattr *attr;
	int ret, rem, n = 0, i;

	if (!info->attrs[SFW_A_CONFIG]) {
		NL_SET_ERR_MSG(info->extack, "missing SFW_A_CONFIG");
		return -EINVAL;
	}
	set = kmalloc_array(SFW_CONFIG_SET_MAX, sizeof(*set), GFP_KERNEL_ACCOUNT);
	if (!set)
		return -ENOMEM;
	/* Check them all (the policy did each one's types), then apply. */
	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(attr) != SFW_A_CONFIG)
			continue;
		ret = -E2BIG;
		if (n == SFW_CONFIG_SET_MAX) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr, "too many settings in one request");
			goto out;
		}
		ret = config_find(attr, config_set_policy, tb, info->extack);
		if (ret < 0)
			goto out;
		set[n].index = ret;
		ret = need_attr(tb, SFW_CONFIG_A_VALUE, attr, "missing SFW_CONFIG_A_VALUE",
				info->extack);
		if (ret)
			goto out;
		set[n].value = nla_get_u32(tb[SFW_CONFIG_A_VALUE]);
		ret = sfw_sysctl_check(sn, set[n].index, set[n].value);
		if (ret == -EACCES) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[SFW_CONFIG_A_NAME],
					    "read-only in a namespace owned by a user namespace (limits and timeouts)");
			ret = -EPERM;
		} else if (ret == -EPERM) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[SFW_CONFIG_A_NAME], "read-only setting");
		} else if (ret == -EINVAL) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[SFW_CONFIG_A_VALUE],
					    "adaptive_start must stay below adaptive_end while both are set");
		} else if (ret) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[SFW_CONFIG_A_VALUE],
					    "value out of the setting's range");
		}
		if (ret)
			goto out;
		n++;
	}
	/* Only a resize of the drop log can fail here (-ENOMEM). */
	ret = 0;
	for (i = 0; i < n && !ret; i++)
		ret = sfw_sysctl_set(sn, set[i].index, set[i].value);
out:
	kfree(set);
	return ret;
}

/* Events. */

void sfw_netlink_event(struct sfw_net *sn, const struct sfw_conn *ct, u8 type,
		       enum sfw_ct_end why)
{
	struct net *net = sn->net;
	struct sk_buff *skb;

	if (!(READ_ONCE(ct->status) & SFW_CONN_CONFIRMED))
		return;
	rcu_read_lock();
	if (!READ_ONCE(sfw_events_on) || !net ||
	    !genl_has_listeners(&sfw_genl_family, net, SFW_MCGRP_EVENTS))
		goto out;
	skb = genlmsg_new(ct_msg_size(), GFP_ATOMIC);
	spin_lock_bh(&sn->event_lock);
	/* A failure still uses up its number: listeners see the gap. */
	sn->event_seq++;
	if (skb && !ct_msg(skb, 0, 0, 0, SFW_CMD_CT_EVENT, ct, type, sn->event_seq, why,
				    NULL))
		genlmsg_multicast_netns(&sfw_genl_family, net, skb, 0, SFW_MCGRP_EVENTS,
					GFP_ATOMIC);
	else
		kfree_skb(skb);
	spin_unlock_bh(&sn->event_lock);
out:
	rcu_read_unlock();
}

static const struct genl_ops sfw_genl_ops[] = {
	{
		.cmd = SFW_CMD_CT_GET,
		.doit = ct_get_doit,
		.start = ct_dump_start,
		.dumpit = ct_dump,
		.done = ct_dump_done,
		.policy = ct_get_op_policy,
		.maxattr = SFW_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		/* A dump only, as CT_GET's and with its permission. */
		.cmd = SFW_CMD_EXPECT_GET,
		.start = expect_dump_start,
		.dumpit = expect_dump,
		.done = expect_dump_done,
		.policy = expect_get_policy,
		.maxattr = SFW_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SFW_CMD_CT_DEL,
		.doit = ct_del_doit,
		.policy = ct_policy,
		.maxattr = SFW_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		/* No policy: the core refuses every attribute (resv_start_op). */
		.cmd = SFW_CMD_CT_FLUSH,
		.doit = ct_flush_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SFW_CMD_STATS_GET,
		.doit = stats_get_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SFW_CMD_CONFIG_GET,
		.doit = config_get_doit,
		.policy = config_get_op_policy,
		.maxattr = SFW_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SFW_CMD_CONFIG_SET,
		.doit = config_set_doit,
		.policy = config_set_op_policy,
		.maxattr = SFW_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	/* Rules: netlink_rules.c. Ops without a policy take no attribute. */
	{
		.cmd = SFW_CMD_RULESET_BEGIN,
		.doit = sfw_nl_ruleset_begin,
		.policy = sfw_nl_ruleset_begin_policy,
		.maxattr = SFW_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SFW_CMD_RULESET_ADD,
		.doit = sfw_nl_ruleset_add,
		.policy = sfw_nl_ruleset_add_policy,
		.maxattr = SFW_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SFW_CMD_RULESET_COMMIT,
		.doit = sfw_nl_ruleset_commit,
		.policy = sfw_nl_ruleset_commit_policy,
		.maxattr = SFW_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SFW_CMD_RULESET_ABORT,
		.doit = sfw_nl_ruleset_abort,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SFW_CMD_RULESET_GET,
		.start = sfw_nl_ruleset_dump_start,
		.dumpit = sfw_nl_rules_dump,
		.done = sfw_nl_rules_dump_done,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SFW_CMD_RULESET_FLUSH,
		.doit = sfw_nl_ruleset_flush,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SFW_CMD_RULE_ADD,
		.doit = sfw_nl_rule_add,
		.policy = sfw_nl_rule_policy,
		.maxattr = SFW_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SFW_CMD_RULE_INSERT,
		.doit = sfw_nl_rule_insert,
		.policy = sfw_nl_rule_policy,
		.maxattr = SFW_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SFW_CMD_RULE_DEL,
		.doit = sfw_nl_rule_del,
		.policy = sfw_nl_rule_del_policy,
		.maxattr = SFW_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SFW_CMD_SET_ADD,
		.doit = sfw_nl_set_add,
		.policy = sfw_nl_set_policy,
		.maxattr = SFW_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SFW_CMD_SET_DEL,
		.doit = sfw_nl_set_del,
		.policy = sfw_nl_set_policy,
		.maxattr = SFW_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SFW_CMD_SET_GET,
		.start = sfw_nl_set_dump_start,
		.dumpit = sfw_nl_rules_dump,
		.done = sfw_nl_rules_dump_done,
		.policy = sfw_nl_set_get_policy,
		.maxattr = SFW_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SFW_CMD_COUNTERS_RESET,
		.doit = sfw_nl_counters_reset,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SFW_CMD_EXPLAIN,
		.doit = explain_doit,
		.policy = explain_op_policy,
		.maxattr = SFW_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SFW_CMD_RULESET_PREVIEW,
		.start = ct_preview_start,
		.dumpit = ct_dump,
		.done = ct_dump_done,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		/* The drop log (netlink_drops.c): a dump, with CT_GET's permission. */
		.cmd = SFW_CMD_DROP_GET,
		.start = sfw_nl_drops_dump_start,
		.dumpit = sfw_nl_drops_dump,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SFW_CMD_CT_RESTORE,
		.doit = ct_restore_doit,
		.policy = ct_restore_op_policy,
		.maxattr = SFW_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group sfw_genl_mcgrps[] = {
	[SFW_MCGRP_EVENTS] = {
		.name = SFW_GENL_MCGRP_EVENTS,
		/* Events show who talks to whom, as dumps do. */
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
	[SFW_MCGRP_DROPS] = {
		.name = SFW_GENL_MCGRP_DROPS,
		/* Drops show who talks to whom too. */
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

struct genl_family sfw_genl_family __ro_after_init = {
	.name = SFW_GENL_NAME,
	.version = SFW_GENL_VERSION,
	.maxattr = SFW_A_MAX,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = sfw_genl_ops,
	.n_ops = ARRAY_SIZE(sfw_genl_ops),
	.resv_start_op = SFW_CMD_CT_GET,
	.mcgrps = sfw_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(sfw_genl_mcgrps),
};

/*
 * After sfw_net_init() (hooks.c registered first); events start only
 * once every namespace has been here (sfw_events_on).
 */
static int __net_init events_net_init(struct net *net)
{
	spin_lock_init(&sfw_net(net)->event_lock);
	return 0;
}

static struct pernet_operations events_net_ops = {
	.init = events_net_init,
};

int sfw_netlink_init(void)
{
	int ret = register_pernet_subsys(&events_net_ops);

	if (ret)
		return ret;
	ret = sfw_netlink_rules_init();
	if (ret)
		goto err_rules;
	ret = genl_register_family(&sfw_genl_family);
	if (ret)
		goto err_family;
	WRITE_ONCE(sfw_events_on, true);
	return 0;

err_family:
	sfw_netlink_rules_uninit();
err_rules:
	unregister_pernet_subsys(&events_net_ops);
	return ret;
}

void sfw_netlink_uninit(void)
{
	WRITE_ONCE(sfw_events_on, false);
	/* Events in flight checked the flag under RCU. */
	synchronize_rcu();
	genl_unregister_family(&sfw_genl_family);
	sfw_netlink_rules_uninit();
	unregister_pernet_subsys(&events_net_ops);
}
