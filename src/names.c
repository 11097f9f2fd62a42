// SPDX-License-Identifier: GPL-2.0
/*
 * names.c - the one copy of each name table (see names.h): built into the
 * module and into sfwctl, the unit tests and the fuzz targets.
 */
#include "sfw_core.h"
#include "names.h"

const char *const sfw_ctinfo_names[SFW_CT_COUNT] = {
	[SFW_CT_NEW]		= "new",
	[SFW_CT_ESTABLISHED]	= "established",
	[SFW_CT_RELATED]	= "related",
	[SFW_CT_INVALID]	= "invalid",
	[SFW_CT_UNTRACKED]	= "untracked",
};

const char *const sfw_invalid_names[SFW_INVALID_COUNT] = {
	[SFW_INVALID_NONE]			= "none",
	[SFW_INVALID_TRUNCATED_L3]		= "truncated_l3",
	[SFW_INVALID_BAD_L3_HEADER]		= "bad_l3_header",
	[SFW_INVALID_TRUNCATED_L4]		= "truncated_l4",
	[SFW_INVALID_BAD_TCP_DOFF]		= "bad_tcp_doff",
	[SFW_INVALID_BAD_UDP_LEN]		= "bad_udp_len",
	[SFW_INVALID_BAD_CHECKSUM]		= "bad_checksum",
	[SFW_INVALID_BAD_TCP_FLAGS]		= "bad_tcp_flags",
	[SFW_INVALID_TCP_SEQ_OUT_OF_WINDOW]	= "tcp_seq_out_of_window",
	[SFW_INVALID_TCP_ACK_BEYOND_END]	= "tcp_ack_beyond_end",
	[SFW_INVALID_TCP_ACK_TOO_OLD]		= "tcp_ack_too_old",
	[SFW_INVALID_TCP_RST_OUT_OF_WINDOW]	= "tcp_rst_out_of_window",
	[SFW_INVALID_TCP_BAD_TRANSITION]	= "tcp_bad_transition",
	[SFW_INVALID_TCP_NOT_SYN]		= "tcp_not_syn",
	[SFW_INVALID_ICMP_ERROR_NO_MATCH]	= "icmp_error_no_match",
	[SFW_INVALID_ICMP_ERROR_MALFORMED]	= "icmp_error_malformed",
	[SFW_INVALID_ICMP_UNTRACKED_TYPE]	= "icmp_untracked_type",
	[SFW_INVALID_FRAGMENT]			= "fragment",
	[SFW_INVALID_TABLE_FULL]		= "table_full",
};

const char *const sfw_explain_fail_names[SFW_EXPLAIN_FAIL_MAX + 1] = {
	[SFW_EXPLAIN_MATCHED]	= "matched",
	[SFW_EXPLAIN_CT_STATE]	= "ct state",
	[SFW_EXPLAIN_IIF]	= "iifname",
	[SFW_EXPLAIN_OIF]	= "oifname",
	[SFW_EXPLAIN_NO_TUPLE]	= "no addresses or ports",
	[SFW_EXPLAIN_FAMILY]	= "family",
	[SFW_EXPLAIN_L4]	= "protocol",
	[SFW_EXPLAIN_SADDR]	= "saddr",
	[SFW_EXPLAIN_DADDR]	= "daddr",
	[SFW_EXPLAIN_SPORT]	= "sport",
	[SFW_EXPLAIN_DPORT]	= "dport",
	[SFW_EXPLAIN_ICMP_TYPE]	= "icmp type",
	[SFW_EXPLAIN_SADDR_SET]	= "saddr set",
	[SFW_EXPLAIN_DADDR_SET]	= "daddr set",
	[SFW_EXPLAIN_CT_REASON]	= "reason",
	[SFW_EXPLAIN_CT_COUNT]	= "ct count",
	[SFW_EXPLAIN_CT_RATE]	= "ct rate",
};

const char *const sfw_tcp_state_names[SFW_CT_TCP_MAX + 1] = {
	[SFW_CT_TCP_NONE]	= "NONE",
	[SFW_CT_TCP_SYN_SENT]	= "SYN_SENT",
	[SFW_CT_TCP_SYN_RECV]	= "SYN_RECV",
	[SFW_CT_TCP_ESTABLISHED] = "ESTABLISHED",
	[SFW_CT_TCP_FIN_WAIT]	= "FIN_WAIT",
	[SFW_CT_TCP_CLOSE_WAIT]	= "CLOSE_WAIT",
	[SFW_CT_TCP_LAST_ACK]	= "LAST_ACK",
	[SFW_CT_TCP_TIME_WAIT]	= "TIME_WAIT",
	[SFW_CT_TCP_CLOSE]	= "CLOSE",
	[SFW_CT_TCP_SYN_SENT2]	= "SYN_SENT2",
};

const char *const sfw_stat_names[SFW_STATS_A_MAX + 1] = {
	[SFW_STATS_A_ENTRIES]		= "entries",
	[SFW_STATS_A_CLASHRES]		= "clashres",
	[SFW_STATS_A_FOUND]		= "found",
	[SFW_STATS_A_NEW]		= "new",
	[SFW_STATS_A_INVALID]		= "invalid",
	[SFW_STATS_A_IGNORE]		= "ignore",
	[SFW_STATS_A_DELETE]		= "delete",
	[SFW_STATS_A_CHAINLENGTH]	= "chainlength",
	[SFW_STATS_A_INSERT]		= "insert",
	[SFW_STATS_A_INSERT_FAILED]	= "insert_failed",
	[SFW_STATS_A_DROP]		= "drop",
	[SFW_STATS_A_EARLY_DROP]	= "early_drop",
	[SFW_STATS_A_ICMP_ERROR]	= "icmp_error",
	[SFW_STATS_A_EXPECT_NEW]	= "expect_new",
	[SFW_STATS_A_EXPECT_CREATE]	= "expect_create",
	[SFW_STATS_A_EXPECT_DELETE]	= "expect_delete",
	[SFW_STATS_A_SEARCH_RESTART]	= "search_restart",
	[SFW_STATS_A_RELATED]		= "related",
	[SFW_STATS_A_PRE_ROUTING]	= "pre_routing",
	[SFW_STATS_A_LOCAL_IN]		= "local_in",
	[SFW_STATS_A_FORWARD]		= "forward",
	[SFW_STATS_A_LOCAL_OUT]		= "local_out",
	[SFW_STATS_A_POST_ROUTING]	= "post_routing",
	[SFW_STATS_A_REAPED]		= "reaped",
	[SFW_STATS_A_RESERVE]		= "reserve",
	[SFW_STATS_A_OFFLOAD]		= "offload",
	[SFW_STATS_A_FASTPATH]		= "fastpath",
};

const char *sfw_l4proto_name(unsigned int l4proto)
{
	switch (l4proto) {
	case SFW_IPPROTO_TCP:
		return "tcp";
	case SFW_IPPROTO_UDP:
		return "udp";
	case SFW_IPPROTO_ICMP:
		return "icmp";
	case SFW_IPPROTO_ICMPV6:
		return "icmpv6";
	default:
		return "unknown";
	}
}

const char *const sfw_drop_reason_names[SFW_DROP_R_MAX + 1] = {
	[SFW_DROP_R_UNSPEC]		= "unknown",
	[SFW_DROP_R_RULE]		= "rule",
	[SFW_DROP_R_POLICY]		= "policy",
	[SFW_DROP_R_INVALID]		= "invalid",
	[SFW_DROP_R_TABLE_FULL]		= "table_full",
	[SFW_DROP_R_SOURCE_LIMIT]	= "source_limit",
	[SFW_DROP_R_INSERT_FAILED]	= "insert_failed",
	[SFW_DROP_R_NAT]		= "nat",
	[SFW_DROP_R_HELPER]		= "helper",
};
