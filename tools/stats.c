// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c: sfwctl stats, the tracker's counters per CPU as conntrack -S
 * shows them, the totals, and the INVALID counts by reason.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/sfw.h>

#include "sfwctl.h"
#include "names.h"
#include "json.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))


/* conntrack -S's fields first, under its names, then sfw's own. */
static const struct { int attr; const char *name; } stat_order[] = {
	{ SFW_STATS_A_FOUND, "found" }, { SFW_STATS_A_INVALID, "invalid" },
	{ SFW_STATS_A_INSERT, "insert" }, { SFW_STATS_A_INSERT_FAILED, "insert_failed" },
	{ SFW_STATS_A_DROP, "drop" }, { SFW_STATS_A_EARLY_DROP, "early_drop" },
	{ SFW_STATS_A_ICMP_ERROR, "error" }, { SFW_STATS_A_SEARCH_RESTART, "search_restart" },
	{ SFW_STATS_A_CLASHRES, "clash_resolve" }, { SFW_STATS_A_CHAINLENGTH, "chaintoolong" },
	{ SFW_STATS_A_NEW, "new" }, { SFW_STATS_A_IGNORE, "ignore" },
	{ SFW_STATS_A_DELETE, "delete" }, { SFW_STATS_A_RELATED, "related" },
	{ SFW_STATS_A_REAPED, "reaped" },
	{ SFW_STATS_A_PRE_ROUTING, "pre_routing" }, { SFW_STATS_A_LOCAL_IN, "local_in" },
	{ SFW_STATS_A_FORWARD, "forward" }, { SFW_STATS_A_LOCAL_OUT, "local_out" },
	{ SFW_STATS_A_POST_ROUTING, "post_routing" }, { SFW_STATS_A_RESERVE, "reserve" },
	{ SFW_STATS_A_OFFLOAD, "offload" }, { SFW_STATS_A_FASTPATH, "fastpath" },
};

#define MAX_ROWS 4096
#define MAX_REASONS 64

struct stats_row {
	int cpu;		/* -1: the totals */
	uint64_t v[SFW_STATS_A_MAX + 1];
};

struct stats {
	struct stats_row rows[MAX_ROWS];
	int nrows;
	struct { char name[64]; uint64_t count; } reasons[MAX_REASONS];
	int nreasons;
	struct stats_row total;
};

static int stats_row_cb(const struct nlattr *attr, void *data)
{
	struct stats_row *r = data;
	int type = mnl_attr_get_type(attr);

	if (type == SFW_STATS_A_CPU || type == SFW_STATS_A_ENTRIES) {
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		if (type == SFW_STATS_A_CPU)
			r->cpu = mnl_attr_get_u32(attr);
		else
			r->v[type] = mnl_attr_get_u32(attr);
	} else if (type > SFW_STATS_A_ENTRIES && type <= SFW_STATS_A_MAX &&
		   type != SFW_STATS_A_PAD) {
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		r->v[type] = mnl_attr_get_u64(attr);
	}
	return MNL_CB_OK;
}

struct reason {
	const char *name;
	uint64_t count;
};

static int reason_cb(const struct nlattr *attr, void *data)
{
	struct reason *r = data;

	if (mnl_attr_get_type(attr) == SFW_INVALID_A_NAME) {
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		r->name = mnl_attr_get_str(attr);
	} else if (mnl_attr_get_type(attr) == SFW_INVALID_A_COUNT) {
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		r->count = mnl_attr_get_u64(attr);
	}
	return MNL_CB_OK;
}

static int stats_attr_cb(const struct nlattr *attr, void *data)
{
	struct stats *s = data;
	struct reason r = { "?", 0 };

	switch (mnl_attr_get_type(attr)) {
	case SFW_A_STATS_CPU:
		if (s->nrows == MAX_ROWS)
			return MNL_CB_OK;
		s->rows[s->nrows].cpu = -1;
		if (mnl_attr_parse_nested(attr, stats_row_cb, &s->rows[s->nrows]) < 0)
			return MNL_CB_ERROR;
		s->nrows++;
		break;
	case SFW_A_STATS_TOTAL:
		s->total.cpu = -1;
		return mnl_attr_parse_nested(attr, stats_row_cb, &s->total);
	case SFW_A_INVALID:
		if (s->nreasons == MAX_REASONS)
			return MNL_CB_OK;
		if (mnl_attr_parse_nested(attr, reason_cb, &r) < 0)
			return MNL_CB_ERROR;
		snprintf(s->reasons[s->nreasons].name, sizeof(s->reasons[0].name), "%s", r.name);
		s->reasons[s->nreasons++].count = r.count;
		break;
	}
	return MNL_CB_OK;
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), stats_attr_cb, data);
}

static void print_row(const struct stats_row *r)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stat_order); i++)
		printf(" %s=%" PRIu64, stat_order[i].name, r->v[stat_order[i].attr]);
	printf("\n");
}

/* {"cpu":N (not in the totals), then every counter under /proc's name}. */
static json_t *json_row(const struct stats_row *r)
{
	json_t *o = sfw_json_object();
	int i;

	if (r->cpu >= 0)
		sfw_json_set(o, "cpu", json_integer(r->cpu));
	for (i = SFW_STATS_A_ENTRIES; i <= SFW_STATS_A_MAX; i++)
		if (sfw_stat_names[i])
			sfw_json_set(o, sfw_stat_names[i], sfw_json_u64(r->v[i]));
	return o;
}

static void stats_json(const struct stats *s)
{
	json_t *o = sfw_json_object(), *cpus = sfw_json_array(), *inv = sfw_json_object();
	int i;

	for (i = 0; i < s->nrows; i++)
		sfw_json_append(cpus, json_row(&s->rows[i]));
	sfw_json_set(o, "cpus", cpus);
	sfw_json_set(o, "total", json_row(&s->total));
	for (i = 0; i < s->nreasons; i++)
		sfw_json_set_name(inv, s->reasons[i].name, sfw_json_u64(s->reasons[i].count));
	sfw_json_set(o, "invalid", inv);
	sfw_json_print(stdout, o);
}

static void stats_help(void)
{
	puts("usage: sfwctl stats [-j | -o prometheus]\n"
	     "the tracker's counters per CPU (as conntrack -S), the totals, and\n"
	     "how many packets were INVALID for each reason; -o prometheus: those,\n"
	     "the table's limit and the rule counters for node_exporter (sfwctl(8))");
}

static const struct option stats_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "output", required_argument, NULL, 'o' },
	{ NULL, 0, NULL, 0 },
};

int cmd_stats(struct nl *nl, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct stats *s;
	struct args a;
	bool prom = false;
	char **rest;
	int i;

	args_start(&a, "stats", argc, argv, stats_help);
	while ((i = args_next(&a, ":jho:", stats_longopts)) != -1) {
		if (i == 'o' && strcmp(optarg, "prometheus"))
			usage_error("stats: -o takes 'prometheus'");
		prom = true;
	}
	rest = args_rest(&a, &i);
	if (i)
		usage_error("stats: unknown argument '%s'", rest[0]);
	free(a.av);
	if (prom && json)
		usage_error("stats: -j and -o prometheus exclude each other");
	if (prom)
		return stats_prometheus(nl);
	s = calloc(1, sizeof(*s));
	if (!s)
		die("out of memory");
	nl_ready(nl);
	nlh = msg_start(nl, nl->family, SFW_CMD_STATS_GET, NLM_F_ACK);
	if (request(nl, nlh, stats_cb, s) < 0)
		kernel_error(nl, "stats");

	if (json) {
		stats_json(s);
	} else {
		for (i = 0; i < s->nrows; i++) {
			printf("cpu=%-3d", s->rows[i].cpu);
			print_row(&s->rows[i]);
		}
		printf("total   entries=%" PRIu64, s->total.v[SFW_STATS_A_ENTRIES]);
		print_row(&s->total);
		printf("invalid:\n");
		for (i = 0; i < s->nreasons; i++)
			printf("  %-24s %" PRIu64 "\n", s->reasons[i].name, s->reasons[i].count);
	}
	free(s);
	return 0;
}

