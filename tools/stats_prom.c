// SPDX-License-Identifier: GPL-2.0
/*
 * stats_prom.c: sfwctl stats -o prometheus, the counters in the Prometheus
 * text exposition format (version 0.0.4) for node_exporter's textfile
 * collector.
 *
 * The naming rule: node_exporter's own name for the same quantity with
 * "sfw_" in front. The tracker's are those of node_exporter's conntrack
 * collector (node_nf_conntrack_entries, _entries_limit, _stat_<column>
 * with /proc/net/sfw/stat's column names); what node_exporter has no name
 * for follows the same stem: sfw_node_nf_conntrack_invalid{reason} for
 * the INVALID reasons, sfw_node_rule_{packets,bytes}{chain,position} and
 * sfw_node_policy_{packets,bytes}{chain,policy} for the rule set. No name
 * ends in _total, as node_exporter's conntrack names do not; TYPE says
 * which are counters. A dashboard written for nf_conntrack needs only the
 * prefix changed.
 *
 * The values are the namespace's sfwctl runs in (ip netns exec NS sfwctl
 * ...), read in three requests: STATS_GET, CONFIG_GET conntrack_max and
 * a RULESET_GET dump (rules_dump(), which ruleset show uses too).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/sfw.h>

#include "names.h"
#include "rules_nl.h"

#define PREFIX "sfw_node_"

struct prom {
	uint64_t total[SFW_STATS_A_MAX + 1];
	uint32_t limit;
	bool have_limit;
};

static const char *const stat_help[SFW_STATS_A_MAX + 1] = {
	[SFW_STATS_A_CLASHRES] = "Inserts that found a clash and resolved it.",
	[SFW_STATS_A_FOUND] = "Lookups that found a connection.",
	[SFW_STATS_A_NEW] = "Connections created.",
	[SFW_STATS_A_INVALID] = "Packets the tracker marked INVALID (by reason: sfw_node_nf_conntrack_invalid).",
	[SFW_STATS_A_IGNORE] = "Packets the tracker ignored.",
	[SFW_STATS_A_DELETE] = "Connections deleted.",
	[SFW_STATS_A_CHAINLENGTH] = "Inserts refused because a hash chain was too long.",
	[SFW_STATS_A_INSERT] = "Connections inserted.",
	[SFW_STATS_A_INSERT_FAILED] = "Inserts that failed.",
	[SFW_STATS_A_DROP] = "Packets dropped because a connection could not be created.",
	[SFW_STATS_A_EARLY_DROP] = "Connections evicted to make room in a full table.",
	[SFW_STATS_A_ICMP_ERROR] = "ICMP errors that matched no connection.",
	[SFW_STATS_A_EXPECT_NEW] = "Expectations matched by a new connection.",
	[SFW_STATS_A_EXPECT_CREATE] = "Expectations created.",
	[SFW_STATS_A_EXPECT_DELETE] = "Expectations deleted.",
	[SFW_STATS_A_SEARCH_RESTART] = "Lookups restarted after a concurrent change.",
	[SFW_STATS_A_RELATED] = "Packets RELATED to a connection.",
	[SFW_STATS_A_PRE_ROUTING] = "Packets seen at PRE_ROUTING.",
	[SFW_STATS_A_LOCAL_IN] = "Packets seen at LOCAL_IN.",
	[SFW_STATS_A_FORWARD] = "Packets seen at FORWARD.",
	[SFW_STATS_A_LOCAL_OUT] = "Packets seen at LOCAL_OUT.",
	[SFW_STATS_A_POST_ROUTING] = "Packets seen at POST_ROUTING.",
	[SFW_STATS_A_REAPED] = "Connections removed by expiry.",
	[SFW_STATS_A_RESERVE] = "Connections of the gateway itself that fit only in its reserve (net.sfw.conntrack_reserve).",
	[SFW_STATS_A_OFFLOAD] = "Connection directions a flow add rule put on the fast path (two per connection).",
	[SFW_STATS_A_FASTPATH] = "Packets the fast path forwarded.",
};

/* A label value: backslash, double quote and newline escaped. */
static void label_value(const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			printf("\\%c", *s);
		else if (*s == '\n')
			printf("\\n");
		else
			putchar(*s);
	}
}

static void family(const char *name, const char *type, const char *help)
{
	printf("# HELP " PREFIX "%s %s\n# TYPE " PREFIX "%s %s\n", name, help, name, type);
}

static int total_cb(const struct nlattr *attr, void *data)
{
	struct prom *p = data;
	int type = mnl_attr_get_type(attr);

	if (type == SFW_STATS_A_ENTRIES) {
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		p->total[type] = mnl_attr_get_u32(attr);
	} else if (type > SFW_STATS_A_ENTRIES && type <= SFW_STATS_A_MAX &&
		   type != SFW_STATS_A_PAD) {
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		p->total[type] = mnl_attr_get_u64(attr);
	}
	return MNL_CB_OK;
}

static int reason_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (type == SFW_INVALID_A_NAME && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_ERROR;
	if (type == SFW_INVALID_A_COUNT && mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
		return MNL_CB_ERROR;
	if (type <= SFW_INVALID_A_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

/* The INVALID reasons come after the totals: print each as it comes. */
static int stats_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr *tb[SFW_INVALID_A_MAX + 1] = {};

	if (mnl_attr_get_type(attr) == SFW_A_STATS_TOTAL)
		return mnl_attr_parse_nested(attr, total_cb, data);
	if (mnl_attr_get_type(attr) != SFW_A_INVALID)
		return MNL_CB_OK;
	if (mnl_attr_parse_nested(attr, reason_cb, tb) < 0)
		return MNL_CB_ERROR;
	if (!tb[SFW_INVALID_A_NAME] || !tb[SFW_INVALID_A_COUNT])
		return MNL_CB_OK;
	printf(PREFIX "nf_conntrack_invalid{reason=\"");
	label_value(mnl_attr_get_str(tb[SFW_INVALID_A_NAME]));
	printf("\"} %" PRIu64 "\n", mnl_attr_get_u64(tb[SFW_INVALID_A_COUNT]));
	return MNL_CB_OK;
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), stats_attr_cb, data);
}

static int limit_attr_cb(const struct nlattr *attr, void *data)
{
	struct prom *p = data;

	if (mnl_attr_get_type(attr) == SFW_CONFIG_A_VALUE) {
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		p->limit = mnl_attr_get_u32(attr);
		p->have_limit = true;
	}
	return MNL_CB_OK;
}

static int limit_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(attr) == SFW_A_CONFIG &&
		    mnl_attr_parse_nested(attr, limit_attr_cb, data) < 0)
			return MNL_CB_ERROR;
	return MNL_CB_OK;
}

static void print_rules(struct nl *nl)
{
	static const char *const what[2] = { "packets", "bytes" };
	struct dump d;
	unsigned int c, i, w;

	rules_dump(nl, SFW_CMD_RULESET_GET, NULL, &d);
	for (w = 0; w < 2; w++) {
		family(w ? "rule_bytes" : "rule_packets", "counter", w ?
		       "Bytes each rule matched, by chain and position (from 1)." :
		       "Packets each rule matched, by chain and position (from 1).");
		for (c = 0; c < SFW_CHAIN_COUNT; c++)
			for (i = 0; i < d.rf->chain[c].n; i++)
				printf(PREFIX "rule_%s{chain=\"%s\",position=\"%u\"} %" PRIu64 "\n",
				       what[w], sfw_chain_names[c], i + 1,
				       (uint64_t)(w ? d.rf->chain[c].rules[i].bytes :
						  d.rf->chain[c].rules[i].packets));
	}
	for (w = 0; w < 2; w++) {
		family(w ? "policy_bytes" : "policy_packets", "counter", w ?
		       "Bytes each chain's policy judged (no rule matched them)." :
		       "Packets each chain's policy judged (no rule matched them).");
		for (c = 0; c < SFW_CHAIN_COUNT; c++)
			if (d.rf->chain[c].defined)
				printf(PREFIX "policy_%s{chain=\"%s\",policy=\"%s\"} %" PRIu64 "\n",
				       what[w], sfw_chain_names[c],
				       d.rf->chain[c].policy == SFW_ACT_DROP ? "drop" : "accept",
				       w ? d.policy_bytes[c] : d.policy_packets[c]);
	}
	sfw_rules_free(d.rf);
}

/* sfwctl stats -o prometheus (stats.c dispatches here after its options). */
int stats_prometheus(struct nl *nl)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct prom p = {};
	int i;

	nl_ready(nl);
	nlh = msg_start(nl, nl->family, SFW_CMD_CONFIG_GET, NLM_F_ACK);
	nest = mnl_attr_nest_start(nlh, SFW_A_CONFIG);
	mnl_attr_put_strz(nlh, SFW_CONFIG_A_NAME, "conntrack_max");
	mnl_attr_nest_end(nlh, nest);
	if (request(nl, nlh, limit_cb, &p) < 0)
		kernel_error(nl, "stats");

	family("nf_conntrack_invalid", "counter",
	       "Packets the tracker marked INVALID, by reason (/proc/net/sfw/invalid).");
	nlh = msg_start(nl, nl->family, SFW_CMD_STATS_GET, NLM_F_ACK);
	if (request(nl, nlh, stats_cb, &p) < 0)
		kernel_error(nl, "stats");

	family("nf_conntrack_entries", "gauge", "Number of currently allocated flow entries for sfw.");
	printf(PREFIX "nf_conntrack_entries %" PRIu64 "\n", p.total[SFW_STATS_A_ENTRIES]);
	if (p.have_limit) {
		family("nf_conntrack_entries_limit", "gauge",
		       "Maximum size of sfw's connection table (net.sfw.conntrack_max).");
		printf(PREFIX "nf_conntrack_entries_limit %u\n", p.limit);
	}
	for (i = SFW_STATS_A_ENTRIES + 1; i <= SFW_STATS_A_MAX; i++) {
		char name[64];

		if (!sfw_stat_names[i])
			continue;
		snprintf(name, sizeof(name), "nf_conntrack_stat_%s", sfw_stat_names[i]);
		family(name, "counter", stat_help[i] ? stat_help[i] : "sfw stat column.");
		printf(PREFIX "%s %" PRIu64 "\n", name, p.total[i]);
	}
	print_rules(nl);
	return 0;
}
