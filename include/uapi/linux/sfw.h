/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * sfw: the generic netlink API shared by the sfw module and sfwctl.
 *
 * Family "sfw" (SFW_GENL_NAME), version SFW_GENL_VERSION. Every command
 * acts on the caller's network namespace and needs CAP_NET_ADMIN in the
 * namespace's user namespace, dumps included: the table shows who talks
 * to whom. The multicast group "events" (SFW_GENL_MCGRP_EVENTS) needs the
 * same capability to join.
 *
 * Every request attribute is checked against a policy before a command
 * runs: an attribute the command does not take, a wrong length or a value
 * out of range is refused with EINVAL (or ERANGE) and an extended ACK
 * message that names it. A request either does all it says or nothing.
 * nlmsg_flags may carry NLM_F_REQUEST, NLM_F_ACK, NLM_F_ECHO and NLM_F_DUMP
 * (where a dump is listed); genlmsghdr.reserved must be 0.
 *
 * Byte order: addresses and ports are in network order (as on the wire);
 * every other integer is in host order.
 *
 * A connection is named by a tuple, its original direction as a packet
 * carries it, or its reply direction (a lookup finds either):
 *
 *	SFW_A_TUPLE: nest
 *		SFW_TUPLE_A_L3: u8, AF_INET (2) or AF_INET6 (10)
 *		SFW_TUPLE_A_L4: u8, IPPROTO_*
 *		SFW_TUPLE_A_SRC_V4 / SFW_TUPLE_A_DST_V4: 4 bytes (AF_INET)
 *		SFW_TUPLE_A_SRC_V6 / SFW_TUPLE_A_DST_V6: 16 bytes (AF_INET6)
 *		SFW_TUPLE_A_SPORT, SFW_TUPLE_A_DPORT: be16 (TCP, UDP)
 *		SFW_TUPLE_A_ICMP_TYPE, SFW_TUPLE_A_ICMP_CODE: u8,
 *		SFW_TUPLE_A_ICMP_ID: be16 (ICMP, ICMPv6)
 *
 * and described, in replies, dumps and events, by:
 *
 *	SFW_A_CT: nest
 *		SFW_CT_A_ORIG: nest, the original tuple (as above)
 *		SFW_CT_A_REPLY: nest, the reply tuple
 *		SFW_CT_A_STATUS: u32, SFW_CT_S_* bits
 *		SFW_CT_A_TIMEOUT: u32, seconds until it expires
 *		SFW_CT_A_TCP_STATE: u8, enum sfw_ct_tcp_state (TCP only)
 *		SFW_CT_A_PACKETS_ORIG, SFW_CT_A_BYTES_ORIG,
 *		SFW_CT_A_PACKETS_REPLY, SFW_CT_A_BYTES_REPLY: u64
 *
 * A filter selects connections by their original tuple; every attribute
 * given must match, none given matches all:
 *
 *	SFW_A_FILTER: nest
 *		SFW_FILTER_A_L3: u8, AF_INET or AF_INET6
 *		SFW_FILTER_A_L4: u8, IPPROTO_*
 *		SFW_FILTER_A_TCP_STATE: u8, enum sfw_ct_tcp_state (implies TCP)
 *		SFW_FILTER_A_SRC_V4 | SFW_FILTER_A_SRC_V6: address (implies L3)
 *		SFW_FILTER_A_SRC_PREFIX: u8, 0..32 or 0..128 (default: all bits)
 *		SFW_FILTER_A_DST_V4 | SFW_FILTER_A_DST_V6, SFW_FILTER_A_DST_PREFIX
 *		SFW_FILTER_A_SPORT, SFW_FILTER_A_DPORT: be16
 *		SFW_FILTER_A_PORT: be16, either port
 *
 * Commands:
 *
 * SFW_CMD_CT_GET
 *	do:   SFW_A_TUPLE (required). Reply: SFW_CMD_CT_GET with SFW_A_CT, or
 *	      ENOENT.
 *	dump: SFW_A_FILTER (optional). One SFW_CMD_CT_GET message with
 *	      SFW_A_CT per connection. A dump that spans several messages
 *	      shows each connection at most once, even while the table
 *	      changes: one that lives through the whole dump is shown
 *	      exactly once, one added or removed meanwhile may or may not be.
 *
 * SFW_CMD_CT_DEL
 *	do:   SFW_A_TUPLE (that connection; ENOENT if there is none) or
 *	      SFW_A_FILTER (every match; none is not an error), not both.
 *	      Reply: SFW_CMD_CT_DEL with SFW_A_COUNT (u32), how many were
 *	      deleted. Each deletion sends a DESTROY event.
 *
 * SFW_CMD_CT_FLUSH
 *	do:   no attributes. Deletes every connection of the namespace.
 *	      Reply: SFW_CMD_CT_FLUSH with SFW_A_COUNT.
 *
 * SFW_CMD_STATS_GET
 *	do:   no attributes. Reply: SFW_CMD_STATS_GET with
 *		SFW_A_STATS_TOTAL: nest, enum sfw_stats_attr (without CPU)
 *		SFW_A_STATS_CPU: nest, one per possible CPU, with
 *			SFW_STATS_A_CPU: u32, the CPU number
 *			and the counters, u64 each
 *		SFW_A_INVALID: nest, one per reason
 *			SFW_INVALID_A_ID: u32, SFW_INVALID_A_NAME: string,
 *			SFW_INVALID_A_COUNT: u64 (summed over CPUs)
 *	      The values are those of /proc/net/sfw/stat and
 *	      /proc/net/sfw/invalid.
 *
 * SFW_CMD_CONFIG_GET
 *	do:   SFW_A_CONFIG (optional) with SFW_CONFIG_A_NAME: that setting
 *	      only (ENOENT if unknown); none: every setting. Reply:
 *	      SFW_CMD_CONFIG_GET with one SFW_A_CONFIG nest per setting:
 *		SFW_CONFIG_A_NAME: string, as under net.sfw.
 *		SFW_CONFIG_A_VALUE: u32
 *		SFW_CONFIG_A_RANGE_MIN, SFW_CONFIG_A_RANGE_MAX: u32, the range a set takes
 *		SFW_CONFIG_A_READONLY: flag, present if it cannot be set
 *
 * SFW_CMD_CONFIG_SET
 *	do:   one or more SFW_A_CONFIG nests, each with SFW_CONFIG_A_NAME and
 *	      SFW_CONFIG_A_VALUE. Every one is checked (ENOENT for an unknown
 *	      name, EPERM for a read-only one, ERANGE out of range) before
 *	      any is applied. The settings are the net.sfw.* sysctls
 *	      themselves: a set shows there and a sysctl write shows here.
 *
 * Events (multicast group "events"), SFW_CMD_CT_EVENT messages with
 *	SFW_A_EVENT_TYPE: u8, enum sfw_event_type
 *	SFW_A_EVENT_SEQ: u32, per namespace, one more than the namespace's
 *	                 previous event: a listener that sees a gap lost
 *	                 events (or got ENOBUFS) and should dump again
 *	SFW_A_CT: the connection as it is after the change
 * NEW when a connection is confirmed (its first packet made it through),
 * UPDATE when its TCP state changes or it becomes assured, DESTROY when
 * it goes (expiry, deletion, flush, reopen, early drop, namespace exit).
 * Events of a namespace are sent in SFW_A_EVENT_SEQ order.
 */
#ifndef _UAPI_LINUX_SFW_H
#define _UAPI_LINUX_SFW_H

#define SFW_GENL_NAME		"sfw"
#define SFW_GENL_VERSION	1
#define SFW_GENL_MCGRP_EVENTS	"events"

/* The version sfwctl and the module report. */
#define SFW_VERSION_STRING	"0.1.0"

enum sfw_cmd {
	SFW_CMD_UNSPEC,
	SFW_CMD_CT_GET,
	SFW_CMD_CT_DEL,
	SFW_CMD_CT_FLUSH,
	SFW_CMD_STATS_GET,
	SFW_CMD_CONFIG_GET,
	SFW_CMD_CONFIG_SET,
	SFW_CMD_CT_EVENT,	/* kernel to user only */
	__SFW_CMD_LAST
};
#define SFW_CMD_MAX (__SFW_CMD_LAST - 1)

enum sfw_attr {
	SFW_A_UNSPEC,
	SFW_A_TUPLE,		/* nest: enum sfw_tuple_attr */
	SFW_A_CT,		/* nest: enum sfw_ct_attr */
	SFW_A_FILTER,		/* nest: enum sfw_filter_attr */
	SFW_A_COUNT,		/* u32 */
	SFW_A_STATS_TOTAL,	/* nest: enum sfw_stats_attr */
	SFW_A_STATS_CPU,	/* nest: enum sfw_stats_attr */
	SFW_A_INVALID,		/* nest: enum sfw_invalid_attr */
	SFW_A_CONFIG,		/* nest: enum sfw_config_attr */
	SFW_A_EVENT_TYPE,	/* u8: enum sfw_event_type */
	SFW_A_EVENT_SEQ,	/* u32 */
	__SFW_A_LAST
};
#define SFW_A_MAX (__SFW_A_LAST - 1)

enum sfw_tuple_attr {
	SFW_TUPLE_A_UNSPEC,
	SFW_TUPLE_A_L3,		/* u8 */
	SFW_TUPLE_A_L4,		/* u8 */
	SFW_TUPLE_A_SRC_V4,	/* 4 bytes */
	SFW_TUPLE_A_DST_V4,	/* 4 bytes */
	SFW_TUPLE_A_SRC_V6,	/* 16 bytes */
	SFW_TUPLE_A_DST_V6,	/* 16 bytes */
	SFW_TUPLE_A_SPORT,	/* be16 */
	SFW_TUPLE_A_DPORT,	/* be16 */
	SFW_TUPLE_A_ICMP_TYPE,	/* u8 */
	SFW_TUPLE_A_ICMP_CODE,	/* u8 */
	SFW_TUPLE_A_ICMP_ID,	/* be16 */
	__SFW_TUPLE_A_LAST
};
#define SFW_TUPLE_A_MAX (__SFW_TUPLE_A_LAST - 1)

enum sfw_ct_attr {
	SFW_CT_A_UNSPEC,
	SFW_CT_A_ORIG,		/* nest: enum sfw_tuple_attr */
	SFW_CT_A_REPLY,		/* nest: enum sfw_tuple_attr */
	SFW_CT_A_STATUS,	/* u32: SFW_CT_S_* */
	SFW_CT_A_TIMEOUT,	/* u32: seconds */
	SFW_CT_A_TCP_STATE,	/* u8: enum sfw_ct_tcp_state */
	SFW_CT_A_PACKETS_ORIG,	/* u64 */
	SFW_CT_A_BYTES_ORIG,	/* u64 */
	SFW_CT_A_PACKETS_REPLY,	/* u64 */
	SFW_CT_A_BYTES_REPLY,	/* u64 */
	SFW_CT_A_PAD,
	__SFW_CT_A_LAST
};
#define SFW_CT_A_MAX (__SFW_CT_A_LAST - 1)

/* SFW_CT_A_STATUS */
#define SFW_CT_S_SEEN_REPLY	(1U << 1)	/* not [UNREPLIED] */
#define SFW_CT_S_ASSURED	(1U << 2)

/* nf_conntrack's TCP states, in its (ctnetlink's) numbering. */
enum sfw_ct_tcp_state {
	SFW_CT_TCP_NONE,
	SFW_CT_TCP_SYN_SENT,
	SFW_CT_TCP_SYN_RECV,
	SFW_CT_TCP_ESTABLISHED,
	SFW_CT_TCP_FIN_WAIT,
	SFW_CT_TCP_CLOSE_WAIT,
	SFW_CT_TCP_LAST_ACK,
	SFW_CT_TCP_TIME_WAIT,
	SFW_CT_TCP_CLOSE,
	SFW_CT_TCP_SYN_SENT2,
	__SFW_CT_TCP_LAST
};
#define SFW_CT_TCP_MAX (__SFW_CT_TCP_LAST - 1)

enum sfw_filter_attr {
	SFW_FILTER_A_UNSPEC,
	SFW_FILTER_A_L3,	/* u8 */
	SFW_FILTER_A_L4,	/* u8 */
	SFW_FILTER_A_TCP_STATE,	/* u8 */
	SFW_FILTER_A_SRC_V4,	/* 4 bytes */
	SFW_FILTER_A_SRC_V6,	/* 16 bytes */
	SFW_FILTER_A_SRC_PREFIX, /* u8 */
	SFW_FILTER_A_DST_V4,	/* 4 bytes */
	SFW_FILTER_A_DST_V6,	/* 16 bytes */
	SFW_FILTER_A_DST_PREFIX, /* u8 */
	SFW_FILTER_A_SPORT,	/* be16 */
	SFW_FILTER_A_DPORT,	/* be16 */
	SFW_FILTER_A_PORT,	/* be16 */
	__SFW_FILTER_A_LAST
};
#define SFW_FILTER_A_MAX (__SFW_FILTER_A_LAST - 1)

/*
 * The counters of /proc/net/sfw/stat, with the same names (nf_conntrack's
 * columns, then sfw's). All u64 but SFW_STATS_A_CPU and _ENTRIES (u32).
 */
enum sfw_stats_attr {
	SFW_STATS_A_UNSPEC,
	SFW_STATS_A_CPU,		/* u32 */
	SFW_STATS_A_ENTRIES,		/* u32: the namespace's count */
	SFW_STATS_A_CLASHRES,
	SFW_STATS_A_FOUND,
	SFW_STATS_A_NEW,
	SFW_STATS_A_INVALID,
	SFW_STATS_A_IGNORE,
	SFW_STATS_A_DELETE,
	SFW_STATS_A_CHAINLENGTH,
	SFW_STATS_A_INSERT,
	SFW_STATS_A_INSERT_FAILED,
	SFW_STATS_A_DROP,
	SFW_STATS_A_EARLY_DROP,
	SFW_STATS_A_ICMP_ERROR,
	SFW_STATS_A_EXPECT_NEW,
	SFW_STATS_A_EXPECT_CREATE,
	SFW_STATS_A_EXPECT_DELETE,
	SFW_STATS_A_SEARCH_RESTART,
	SFW_STATS_A_RELATED,
	SFW_STATS_A_PRE_ROUTING,
	SFW_STATS_A_LOCAL_IN,
	SFW_STATS_A_FORWARD,
	SFW_STATS_A_LOCAL_OUT,
	SFW_STATS_A_POST_ROUTING,
	SFW_STATS_A_REAPED,
	SFW_STATS_A_PAD,
	__SFW_STATS_A_LAST
};
#define SFW_STATS_A_MAX (__SFW_STATS_A_LAST - 1)

enum sfw_invalid_attr {
	SFW_INVALID_A_UNSPEC,
	SFW_INVALID_A_ID,	/* u32 */
	SFW_INVALID_A_NAME,	/* string */
	SFW_INVALID_A_COUNT,	/* u64 */
	SFW_INVALID_A_PAD,
	__SFW_INVALID_A_LAST
};
#define SFW_INVALID_A_MAX (__SFW_INVALID_A_LAST - 1)

#define SFW_CONFIG_NAME_MAX	64	/* with the NUL */

enum sfw_config_attr {
	SFW_CONFIG_A_UNSPEC,
	SFW_CONFIG_A_NAME,	/* string */
	SFW_CONFIG_A_VALUE,	/* u32 */
	SFW_CONFIG_A_RANGE_MIN,	/* u32 */
	SFW_CONFIG_A_RANGE_MAX,	/* u32 */
	SFW_CONFIG_A_READONLY,	/* flag */
	__SFW_CONFIG_A_LAST
};
#define SFW_CONFIG_A_MAX (__SFW_CONFIG_A_LAST - 1)

enum sfw_event_type {
	SFW_EVENT_NONE,
	SFW_EVENT_NEW,
	SFW_EVENT_UPDATE,
	SFW_EVENT_DESTROY,
	__SFW_EVENT_LAST
};
#define SFW_EVENT_MAX (__SFW_EVENT_LAST - 1)

#endif /* _UAPI_LINUX_SFW_H */
