// SPDX-License-Identifier: GPL-2.0
/*
 * ct.c: the connection commands, ct list (and --expect), get, delete and
 * flush. Each parses its arguments, then opens the netlink socket, then
 * sends one request (a dump for list) with the options as a tuple or a
 * filter nest.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/sfw.h>

#include "sfwctl.h"
#include "ct.h"
#include "json.h"

void opts_put_tuple(struct nlmsghdr *nlh, const struct opts *o)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SFW_A_TUPLE);
	bool v4 = o->l3 == AF_INET;

	mnl_attr_put_u8(nlh, SFW_TUPLE_A_L3, o->l3);
	mnl_attr_put_u8(nlh, SFW_TUPLE_A_L4, o->l4);
	mnl_attr_put(nlh, v4 ? SFW_TUPLE_A_SRC_V4 : SFW_TUPLE_A_SRC_V6, v4 ? 4 : 16, o->src);
	mnl_attr_put(nlh, v4 ? SFW_TUPLE_A_DST_V4 : SFW_TUPLE_A_DST_V6, v4 ? 4 : 16, o->dst);
	if (o->l4 == 6 || o->l4 == 17) {
		mnl_attr_put_u16(nlh, SFW_TUPLE_A_SPORT, htons(o->sport));
		mnl_attr_put_u16(nlh, SFW_TUPLE_A_DPORT, htons(o->dport));
	} else if (is_icmp(o->l3, o->l4)) {
		mnl_attr_put_u8(nlh, SFW_TUPLE_A_ICMP_TYPE, o->type);
		mnl_attr_put_u8(nlh, SFW_TUPLE_A_ICMP_CODE, o->code);
		mnl_attr_put_u16(nlh, SFW_TUPLE_A_ICMP_ID, htons(o->id));
	}
	mnl_attr_nest_end(nlh, nest);
}

/* Filters a dump can take: checked before the socket opens. */
static void filter_check(const struct opts *o)
{
	if (o->type >= 0 || o->code >= 0 || o->id >= 0)
		usage_error("--type, --code and --id name one ICMP connection: give -p, -s, -d too");
}

static void put_filter(struct nlmsghdr *nlh, const struct opts *o)
{
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, SFW_A_FILTER);
	if (o->l3)
		mnl_attr_put_u8(nlh, SFW_FILTER_A_L3, o->l3);
	if (o->l4 >= 0)
		mnl_attr_put_u8(nlh, SFW_FILTER_A_L4, o->l4);
	if (o->state >= 0)
		mnl_attr_put_u8(nlh, SFW_FILTER_A_TCP_STATE, o->state);
	if (o->has_src) {
		mnl_attr_put(nlh, o->l3 == AF_INET ? SFW_FILTER_A_SRC_V4 : SFW_FILTER_A_SRC_V6,
			     o->l3 == AF_INET ? 4 : 16, o->src);
		if (o->src_len >= 0)
			mnl_attr_put_u8(nlh, SFW_FILTER_A_SRC_PREFIX, o->src_len);
	}
	if (o->has_dst) {
		mnl_attr_put(nlh, o->l3 == AF_INET ? SFW_FILTER_A_DST_V4 : SFW_FILTER_A_DST_V6,
			     o->l3 == AF_INET ? 4 : 16, o->dst);
		if (o->dst_len >= 0)
			mnl_attr_put_u8(nlh, SFW_FILTER_A_DST_PREFIX, o->dst_len);
	}
	if (o->sport >= 0)
		mnl_attr_put_u16(nlh, SFW_FILTER_A_SPORT, htons(o->sport));
	if (o->dport >= 0)
		mnl_attr_put_u16(nlh, SFW_FILTER_A_DPORT, htons(o->dport));
	if (o->port >= 0)
		mnl_attr_put_u16(nlh, SFW_FILTER_A_PORT, htons(o->port));
	mnl_attr_nest_end(nlh, nest);
}

/* ---- ct ---- */

struct list_state {
	unsigned long n;
	bool extended;
};

static int ct_list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct list_state *ls = data;
	struct conn c;

	if (conn_parse(nlh, &c))
		return MNL_CB_ERROR;
	if (json) {
		/* A streamed array: each element is jansson's, one a line. */
		printf("%s\n", ls->n ? "," : "[");
		sfw_json_dump(stdout, conn_json(&c, NULL));
	} else {
		print_conn_line(&c, ls->extended);
	}
	ls->n++;
	return MNL_CB_OK;
}

static void filter_help(void)
{
	puts("filters (all given must match the original direction):\n"
	     "  -f, --family ipv4|ipv6\n"
	     "  -p, --proto tcp|udp|icmp|icmpv6|NUMBER\n"
	     "  -s, --src ADDR[/PREFIX]     -d, --dst ADDR[/PREFIX]\n"
	     "  --sport PORT  --dport PORT  --port PORT (either)\n"
	     "  --state TCP_STATE (e.g. ESTABLISHED)\n"
	     "a tuple (one connection): -p PROTO -s ADDR -d ADDR and --sport/--dport\n"
	     "  (TCP, UDP) or --type/--code/--id (ICMP, ICMPv6)");
}

static void ct_list_help(void)
{
	puts("usage: sfwctl ct list [filters] [-o extended] [-j]\n"
	     "       sfwctl ct list --expect [filters] [-o extended] [-j]\n"
	     "list tracked connections in conntrack -L's format; -o extended adds\n"
	     "the L3 fields and writes IPv6 addresses in full, as /proc/net/sfw/conntrack.\n"
	     "--expect lists the expectations instead (conntrack -L expect): the data\n"
	     "connections a helper saw announced, not yet opened, one line each as in\n"
	     "/proc/net/sfw/expect, and nat=ADDR:PORT where the announcement was\n"
	     "rewritten; the filters match the expected connection (source port 0)");
	filter_help();
}

int conns_print_dump(struct nl *nl, struct nlmsghdr *nlh, bool extended, unsigned long *n)
{
	struct list_state ls = { 0, extended };

	if (request(nl, nlh, ct_list_cb, &ls) < 0)
		return -1;
	if (json)
		printf("%s]\n", ls.n ? "\n" : "[");
	*n = ls.n;
	return 0;
}

static int dump_conns(struct nl *nl, const struct opts *o, bool extended, unsigned long *n)
{
	struct nlmsghdr *nlh;

	nl_ready(nl);
	nlh = msg_start(nl, nl->family, SFW_CMD_CT_GET, NLM_F_DUMP);
	if (o)
		put_filter(nlh, o);
	return conns_print_dump(nl, nlh, extended, n);
}

static int ct_list_expect(struct nl *nl, const struct opts *o);

int ct_list(struct nl *nl, int argc, char **argv)
{
	struct opts o;
	unsigned long n;

	parse_opts(&o, argc, argv, "ct list", "oe", ct_list_help);
	filter_check(&o);
	if (o.expect)
		return ct_list_expect(nl, &o);
	if (dump_conns(nl, &o, o.extended, &n) < 0)
		kernel_error(nl, "ct list");
	fprintf(stderr, "sfwctl: %lu connections shown\n", n);
	nl_report_counts();
	return 0;
}

static void ct_get_help(void)
{
	puts("usage: sfwctl ct get TUPLE [-o extended] [-j]\n"
	     "show one connection, found by its original or its reply tuple");
	filter_help();
}

int ct_get(struct nl *nl, int argc, char **argv)
{
	struct list_state ls = { 0, false };
	struct nlmsghdr *nlh;
	struct opts o;

	parse_opts(&o, argc, argv, "ct get", "o", ct_get_help);
	if (!opts_tuple_complete(&o))
		usage_error("ct get: give a whole tuple: -p, -s, -d and the ports or ICMP fields");
	ls.extended = o.extended;
	nl_ready(nl);
	nlh = msg_start(nl, nl->family, SFW_CMD_CT_GET, NLM_F_ACK);
	opts_put_tuple(nlh, &o);
	if (request(nl, nlh, ct_list_cb, &ls) < 0)
		kernel_error(nl, "ct get");
	if (json)
		printf("\n]\n");
	return 0;
}

static void ct_delete_help(void)
{
	puts("usage: sfwctl ct delete TUPLE|filters\n"
	     "delete one connection (a whole tuple), or every one the filters match");
	filter_help();
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(attr) == SFW_A_COUNT &&
		    !mnl_attr_validate(attr, MNL_TYPE_U32))
			*(uint32_t *)data = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

int ct_delete(struct nl *nl, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	uint32_t count = 0;
	struct opts o;
	bool tuple;

	parse_opts(&o, argc, argv, "ct delete", "", ct_delete_help);
	tuple = opts_tuple_complete(&o);
	if (!tuple) {
		if (!o.l3 && o.l4 < 0 && o.state < 0 && o.sport < 0 && o.dport < 0 && o.port < 0)
			usage_error("ct delete: no tuple or filter given (ct flush deletes all)");
		filter_check(&o);
	}
	nl_ready(nl);
	nlh = msg_start(nl, nl->family, SFW_CMD_CT_DEL, NLM_F_ACK);
	if (tuple)
		opts_put_tuple(nlh, &o);
	else
		put_filter(nlh, &o);
	if (request(nl, nlh, count_cb, &count) < 0)
		kernel_error(nl, "ct delete");
	fprintf(stderr, "sfwctl: %u connections deleted\n", count);
	return 0;
}

static void ct_flush_help(void)
{
	puts("usage: sfwctl ct flush\ndelete every connection of the namespace");
}

int ct_flush(struct nl *nl, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	uint32_t count = 0;
	struct args a;
	int n;

	args_plain(&a, "ct flush", argc, argv, ct_flush_help, 0, &n);
	free(a.av);
	nl_ready(nl);
	nlh = msg_start(nl, nl->family, SFW_CMD_CT_FLUSH, NLM_F_ACK);
	if (request(nl, nlh, count_cb, &count) < 0)
		kernel_error(nl, "ct flush");
	fprintf(stderr, "sfwctl: %u connections deleted\n", count);
	return 0;
}

/* ---- ct list --expect ---- */

struct expect {
	struct tuple t, master, nat;
	uint32_t timeout;
	char helper[32];
	bool has_nat, has_expect;
};

static const enum mnl_attr_data_type expect_types[SFW_EXPECT_A_MAX + 1] = {
	[SFW_EXPECT_A_TUPLE] = MNL_TYPE_NESTED,
	[SFW_EXPECT_A_MASTER] = MNL_TYPE_NESTED,
	[SFW_EXPECT_A_NAT_TUPLE] = MNL_TYPE_NESTED,
	[SFW_EXPECT_A_TIMEOUT] = MNL_TYPE_U32,
	[SFW_EXPECT_A_HELPER] = MNL_TYPE_NUL_STRING,
};

static int expect_attr_cb(const struct nlattr *attr, void *data)
{
	struct expect *e = data;
	int type = mnl_attr_get_type(attr);

	if (type > SFW_EXPECT_A_MAX)
		return MNL_CB_OK;	/* newer kernel */
	if (mnl_attr_validate(attr, expect_types[type]) < 0)
		return MNL_CB_ERROR;
	switch (type) {
	case SFW_EXPECT_A_TUPLE: return mnl_attr_parse_nested(attr, tuple_attr_cb, &e->t);
	case SFW_EXPECT_A_MASTER: return mnl_attr_parse_nested(attr, tuple_attr_cb, &e->master);
	case SFW_EXPECT_A_NAT_TUPLE:
		e->has_nat = true;
		return mnl_attr_parse_nested(attr, tuple_attr_cb, &e->nat);
	case SFW_EXPECT_A_TIMEOUT:
		e->timeout = mnl_attr_get_u32(attr);
		break;
	case SFW_EXPECT_A_HELPER:
		snprintf(e->helper, sizeof(e->helper), "%s", mnl_attr_get_str(attr));
		break;
	}
	return MNL_CB_OK;
}

static int top_expect_cb(const struct nlattr *attr, void *data)
{
	struct expect *e = data;

	if (mnl_attr_get_type(attr) != SFW_A_EXPECT)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
		return MNL_CB_ERROR;
	e->has_expect = true;
	return mnl_attr_parse_nested(attr, expect_attr_cb, e);
}

static int ct_expect_cb(const struct nlmsghdr *nlh, void *data)
{
	struct list_state *ls = data;
	char a[INET6_ADDRSTRLEN + 8];
	struct expect e;

	memset(&e, 0, sizeof(e));
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), top_expect_cb, &e) < 0 ||
	    !e.has_expect) {
		fprintf(stderr, "sfwctl: malformed message from the kernel\n");
		return MNL_CB_ERROR;
	}
	if (json) {
		json_t *o = sfw_json_object();

		sfw_json_set(o, "timeout", json_integer(e.timeout));
		sfw_json_set(o, "l3", sfw_json_str(e.t.l3 == AF_INET ? "ipv4" : "ipv6"));
		sfw_json_set(o, "l4", sfw_json_str(sfw_l4proto_name(e.t.l4)));
		sfw_json_set(o, "l4num", json_integer(e.t.l4));
		sfw_json_set(o, "tuple", tuple_json(&e.t));
		sfw_json_set(o, "master", tuple_json(&e.master));
		if (e.has_nat)
			sfw_json_set(o, "nat", tuple_json(&e.nat));
		sfw_json_set(o, "helper", sfw_json_string(e.helper, sizeof(e.helper)));
		printf("%s\n", ls->n ? "," : "[");
		sfw_json_dump(stdout, o);
	} else {
		/* /proc/net/sfw/expect's line (nf_conntrack_expect's), then nat=. */
		printf("%u l3proto = %u proto=%u ", e.timeout, e.t.l3, e.t.l4);
		print_tuple(&e.t, ls->extended);
		printf("%s", e.helper);
		if (e.has_nat) {
			addr_str(&e.nat, e.nat.dst, ls->extended, a);
			printf(e.nat.l3 == AF_INET ? " nat=%s:%u" : " nat=[%s]:%u", a, e.nat.dport);
		}
		printf("\n");
	}
	ls->n++;
	return MNL_CB_OK;
}

static int ct_list_expect(struct nl *nl, const struct opts *o)
{
	struct list_state ls = { 0, false };
	struct nlmsghdr *nlh;

	if (o->state >= 0)
		usage_error("ct list --expect: an expectation has no TCP state (--state)");
	ls.extended = o->extended;
	nl_ready(nl);
	nlh = msg_start(nl, nl->family, SFW_CMD_EXPECT_GET, NLM_F_DUMP);
	put_filter(nlh, o);
	if (request(nl, nlh, ct_expect_cb, &ls) < 0)
		kernel_error(nl, "ct list --expect");
	if (json)
		printf("%s]\n", ls.n ? "\n" : "[");
	fprintf(stderr, "sfwctl: %lu expectations shown\n", ls.n);
	return 0;
}

