// SPDX-License-Identifier: GPL-2.0
/*
 * drops.c: sfwctl drops [-f] [-j], the namespace's drop log
 * (SFW_CMD_DROP_GET): one line per dropped packet, oldest first, and with
 * -f the drops that follow as they happen (the "drops" group). A drop a
 * rule made is shown with that rule's text, taken from the running rule
 * set when its generation is the one the drop names; a gap in the drops'
 * numbers (the log wrapped, or events were rate-limited or lost) is
 * reported on stderr.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/sfw.h>

#include "sfwctl.h"
#include "ct.h"
#include "json.h"
#include "rules_nl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct drop {
	uint64_t id, time_ns, generation;
	int hook, reason, chain, ct_state, tcp_state;	/* -1: absent */
	uint32_t rule_pos, invalid;
	bool has_tuple, conn;
	char iif[16], oif[16];
	struct tuple t;
};

/* NF_INET_*: the hook, by the chain that runs there. */
static const char *const hook_names[] = {
	"prerouting", "input", "forward", "output", "postrouting",
};

static const char *const ct_state_names[] = {
	"NEW", "ESTABLISHED", "RELATED", "INVALID", "UNTRACKED",
};

static const enum mnl_attr_data_type drop_types[SFW_DROP_A_MAX + 1] = {
	[SFW_DROP_A_ID] = MNL_TYPE_U64,
	[SFW_DROP_A_TIME] = MNL_TYPE_U64,
	[SFW_DROP_A_HOOK] = MNL_TYPE_U8,
	[SFW_DROP_A_IIF] = MNL_TYPE_NUL_STRING,
	[SFW_DROP_A_OIF] = MNL_TYPE_NUL_STRING,
	[SFW_DROP_A_TUPLE] = MNL_TYPE_NESTED,
	[SFW_DROP_A_REASON] = MNL_TYPE_U8,
	[SFW_DROP_A_CHAIN] = MNL_TYPE_U8,
	[SFW_DROP_A_RULE_POS] = MNL_TYPE_U32,
	[SFW_DROP_A_GENERATION] = MNL_TYPE_U64,
	[SFW_DROP_A_CT_STATE] = MNL_TYPE_U8,
	[SFW_DROP_A_INVALID] = MNL_TYPE_U32,
	[SFW_DROP_A_CONN] = MNL_TYPE_FLAG,
	[SFW_DROP_A_TCP_STATE] = MNL_TYPE_U8,
	[SFW_DROP_A_PAD] = MNL_TYPE_UNSPEC,
};

static void copy_name(char *dst, const struct nlattr *attr)
{
	snprintf(dst, 16, "%s", mnl_attr_get_str(attr));
}

static int drop_attr_cb(const struct nlattr *attr, void *data)
{
	struct drop *d = data;
	int type = mnl_attr_get_type(attr);

	if (type > SFW_DROP_A_MAX)
		return MNL_CB_OK;	/* newer kernel */
	if (mnl_attr_validate(attr, drop_types[type]) < 0)
		return MNL_CB_ERROR;
	switch (type) {
	case SFW_DROP_A_ID:
		d->id = mnl_attr_get_u64(attr);
		break;
	case SFW_DROP_A_TIME:
		d->time_ns = mnl_attr_get_u64(attr);
		break;
	case SFW_DROP_A_HOOK:
		d->hook = mnl_attr_get_u8(attr);
		break;
	case SFW_DROP_A_IIF:
		copy_name(d->iif, attr);
		break;
	case SFW_DROP_A_OIF:
		copy_name(d->oif, attr);
		break;
	case SFW_DROP_A_TUPLE:
		if (mnl_attr_parse_nested(attr, tuple_attr_cb, &d->t) < 0)
			return MNL_CB_ERROR;
		d->has_tuple = true;
		break;
	case SFW_DROP_A_REASON:
		d->reason = mnl_attr_get_u8(attr);
		break;
	case SFW_DROP_A_CHAIN:
		d->chain = mnl_attr_get_u8(attr);
		break;
	case SFW_DROP_A_RULE_POS:
		d->rule_pos = mnl_attr_get_u32(attr);
		break;
	case SFW_DROP_A_GENERATION:
		d->generation = mnl_attr_get_u64(attr);
		break;
	case SFW_DROP_A_CT_STATE:
		d->ct_state = __builtin_ffs(mnl_attr_get_u8(attr)) - 1;
		break;
	case SFW_DROP_A_INVALID:
		d->invalid = mnl_attr_get_u32(attr);
		break;
	case SFW_DROP_A_CONN:
		d->conn = true;
		break;
	case SFW_DROP_A_TCP_STATE:
		d->tcp_state = mnl_attr_get_u8(attr);
		break;
	}
	return MNL_CB_OK;
}

static int top_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) != SFW_A_DROP)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
		return MNL_CB_ERROR;
	return mnl_attr_parse_nested(attr, drop_attr_cb, data) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

/* 0, or -1 if @nlh is not a well-formed drop. */
static int drop_parse(const struct nlmsghdr *nlh, struct drop *d)
{
	memset(d, 0, sizeof(*d));
	d->hook = d->reason = d->chain = d->ct_state = d->tcp_state = -1;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), top_cb, d) < 0 || d->reason < 0)
		return -1;
	return 0;
}

/* The running rule set, fetched again when a drop names another generation. */
struct view {
	struct nl *nl;		/* requests (not the group's socket) */
	struct dump rules;
	bool have_rules;
	bool have_last;
	uint64_t last_id;
};

static void rules_refresh(struct view *v, uint64_t generation)
{
	if (v->have_rules && v->rules.have_generation && v->rules.generation == generation)
		return;
	if (v->have_rules)
		sfw_rules_free(v->rules.rf);
	rules_dump(v->nl, SFW_CMD_RULESET_GET, NULL, &v->rules);
	v->have_rules = true;
}

/* The rule's text, malloc'ed, if the running set is the drop's generation; else NULL. */
static char *rule_text(struct view *v, const struct drop *d)
{
	const struct rules_chain *c;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if ((d->reason != SFW_DROP_R_RULE && d->reason != SFW_DROP_R_SOURCE_LIMIT) ||
	    !d->rule_pos || d->chain < 0 ||
	    d->chain >= SFW_CHAIN_COUNT)
		return NULL;
	rules_refresh(v, d->generation);
	if (!v->rules.have_generation || v->rules.generation != d->generation)
		return NULL;
	c = &v->rules.rf->chain[d->chain];
	if (d->rule_pos > c->n)
		return NULL;
	f = open_memstream(&text, &len);
	if (!f)
		die("out of memory");
	sfw_rules_print_rule(f, &c->rules[d->rule_pos - 1], 0);
	fclose(f);
	return text;
}

static void time_str(uint64_t ns, char *buf, size_t len)
{
	time_t s = ns / 1000000000;
	struct tm tm;
	size_t n;

	localtime_r(&s, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03u", (unsigned int)(ns / 1000000 % 1000));
}

static const char *name_or(const char *const *names, size_t n, int i, const char *unknown)
{
	return i >= 0 && (size_t)i < n && names[i] ? names[i] : unknown;
}

#define NAME(table, i) name_or(table, ARRAY_SIZE(table), i, "?")

static void endpoint(const struct tuple *t, const unsigned char *a, uint16_t port, bool ports)
{
	char s[INET6_ADDRSTRLEN + 8];

	addr_str(t, a, false, s);
	if (!ports)
		printf("%s", s);
	else if (t->l3 == AF_INET6)
		printf("[%s]:%u", s, port);
	else
		printf("%s:%u", s, port);
}

static void print_text(const struct drop *d, const char *text)
{
	const struct tuple *t = &d->t;
	bool ports = t->l4 == 6 || t->l4 == 17;
	char when[64];

	time_str(d->time_ns, when, sizeof(when));
	printf("%s %s", when, NAME(hook_names, d->hook));
	if (d->iif[0])
		printf(" in=%s", d->iif);
	if (d->oif[0])
		printf(" out=%s", d->oif);
	if (d->has_tuple) {
		printf(" %s ", sfw_l4proto_name(t->l4));
		if (!strcmp(sfw_l4proto_name(t->l4), "unknown"))
			printf("proto %d ", t->l4);
		endpoint(t, t->src, t->sport, ports);
		printf(" -> ");
		endpoint(t, t->dst, t->dport, ports);
		if (is_icmp(t->l3, t->l4))
			printf(" type=%u code=%u id=%u", t->type, t->code, t->id);
	} else {
		printf(" (not parsed)");
	}
	printf(" %s", NAME(sfw_drop_reason_names, d->reason));
	if (d->reason == SFW_DROP_R_RULE || d->reason == SFW_DROP_R_SOURCE_LIMIT)
		printf(" %s#%u", NAME(sfw_chain_names, d->chain), d->rule_pos);
	else if (d->reason == SFW_DROP_R_POLICY)
		printf(" %s", NAME(sfw_chain_names, d->chain));
	if (d->reason == SFW_DROP_R_RULE || d->reason == SFW_DROP_R_SOURCE_LIMIT) {
		if (text)
			printf(" \"%s\"", text);
		else
			printf(" (generation %" PRIu64 ", no longer loaded)", d->generation);
	}
	if (d->invalid)
		printf(" invalid=%s", (size_t)d->invalid < SFW_INVALID_COUNT ?
		       sfw_invalid_names[d->invalid] : "?");
	printf(" state=%s", NAME(ct_state_names, d->ct_state));
	if (d->conn)
		printf(" conn=%s", d->tcp_state >= 0 ? NAME(sfw_tcp_state_names, d->tcp_state) :
		       "yes");
	putchar('\n');
}

static json_t *drop_json(const struct drop *d, const char *text)
{
	json_t *o = sfw_json_object();
	char when[64];

	time_str(d->time_ns, when, sizeof(when));
	sfw_json_set(o, "id", sfw_json_u64(d->id));
	sfw_json_set(o, "time", sfw_json_str(when));
	sfw_json_set(o, "time_ns", sfw_json_u64(d->time_ns));
	sfw_json_set(o, "hook", sfw_json_str(NAME(hook_names, d->hook)));
	if (d->iif[0])
		sfw_json_set(o, "iif", sfw_json_string(d->iif, sizeof(d->iif)));
	if (d->oif[0])
		sfw_json_set(o, "oif", sfw_json_string(d->oif, sizeof(d->oif)));
	if (d->has_tuple) {
		sfw_json_set(o, "l3", sfw_json_str(d->t.l3 == AF_INET ? "ipv4" : "ipv6"));
		sfw_json_set(o, "l4", sfw_json_str(sfw_l4proto_name(d->t.l4)));
		sfw_json_set(o, "l4num", json_integer(d->t.l4));
		sfw_json_set(o, "tuple", tuple_json(&d->t));
	}
	sfw_json_set(o, "reason", sfw_json_str(NAME(sfw_drop_reason_names, d->reason)));
	sfw_json_set(o, "chain", sfw_json_str(NAME(sfw_chain_names, d->chain)));
	if (d->rule_pos)
		sfw_json_set(o, "rule", json_integer(d->rule_pos));
	if (d->generation)
		sfw_json_set(o, "generation", sfw_json_u64(d->generation));
	if (text)
		sfw_json_set(o, "rule_text", sfw_json_str(text));
	if (d->invalid)
		sfw_json_set(o, "invalid", sfw_json_str((size_t)d->invalid < SFW_INVALID_COUNT ?
							sfw_invalid_names[d->invalid] : "?"));
	sfw_json_set(o, "ct_state", sfw_json_str(NAME(ct_state_names, d->ct_state)));
	sfw_json_set(o, "conn", json_boolean(d->conn));
	if (d->tcp_state >= 0)
		sfw_json_set(o, "tcp_state", sfw_json_str(NAME(sfw_tcp_state_names, d->tcp_state)));
	return o;
}

static void show(struct view *v, const struct drop *d)
{
	char *text = rule_text(v, d);

	if (v->have_last && d->id > v->last_id + 1)
		fprintf(stderr, "sfwctl: %" PRIu64 " drops not shown (numbers %" PRIu64
			" to %" PRIu64 ")\n", d->id - v->last_id - 1, v->last_id + 1, d->id - 1);
	v->have_last = true;
	v->last_id = d->id;
	if (json)
		sfw_json_print(stdout, drop_json(d, text));
	else
		print_text(d, text);
	free(text);
}

/* The dump's drops, gathered first: the rule set is fetched on the same socket. */
struct gather {
	struct drop *d;
	uint32_t n, cap;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct gather *g = data;

	g->d = sfwctl_grow(g->d, &g->cap, g->n + 1, sizeof(*g->d));
	if (drop_parse(nlh, &g->d[g->n]))
		return MNL_CB_ERROR;
	g->n++;
	return MNL_CB_OK;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct view *v = data;
	struct drop d;

	/* Joined before the dump: what it showed already is skipped. */
	if (!drop_parse(nlh, &d) && !(v->have_last && d.id <= v->last_id))
		show(v, &d);
	return MNL_CB_OK;
}

static void follow(struct nl *group, struct view *v)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int ret, bufsize = 4 << 20;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!stop) {
		ret = mnl_socket_recvfrom(group->sock, group->buf, RECV_BUF);
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				fprintf(stderr, "sfwctl: drop events were lost (ENOBUFS); "
					"the log still has them: sfwctl drops\n");
				setsockopt(mnl_socket_get_fd(group->sock), SOL_SOCKET, SO_RCVBUF,
					   &bufsize, sizeof(bufsize));
				continue;
			}
			die("drops: %s", strerror(errno));
		}
		if (mnl_cb_run(group->buf, ret, 0, 0, event_cb, v) < 0)
			die("drops: %s", strerror(errno));
	}
}

static void drops_help(void)
{
	puts("usage: sfwctl drops [-f] [-j]\n"
	     "print the drop log: the last packets sfw dropped in this namespace\n"
	     "(net.sfw.drop_log_size of them), oldest first, one per line, with\n"
	     "why: the rule (and its text), the policy, table full, ...; -f then\n"
	     "prints each new drop as it happens; -j prints one JSON object per line.");
}

static const struct option drops_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "follow", no_argument, NULL, 'f' },
	{ NULL, 0, NULL, 0 },
};

int cmd_drops(struct nl *nl, int argc, char **argv)
{
	struct view v = { .nl = nl };
	struct gather g = { 0 };
	struct nlmsghdr *nlh;
	bool follow_on = false;
	struct nl group;
	struct args a;
	char **rest;
	uint32_t i;
	int n;

	args_start(&a, "drops", argc, argv, drops_help);
	while ((n = args_next(&a, ":jhf", drops_longopts)) != -1)
		follow_on = true;	/* -f, the only other option */
	rest = args_rest(&a, &n);
	if (n)
		usage_error("drops: unknown argument '%s'", rest[0]);
	free(a.av);
	nl_ready(nl);
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* Join first, so that nothing falls between the dump and the events. */
	if (follow_on) {
		nl_open(&group);
		if (!group.drops_group)
			die("drops: the sfw module has no drops group");
		if (mnl_socket_setsockopt(group.sock, NETLINK_ADD_MEMBERSHIP, &group.drops_group,
					  sizeof(group.drops_group)) < 0)
			die("drops -f: joining the drops group: %s", strerror(errno));
	}
	nlh = msg_start(nl, nl->family, SFW_CMD_DROP_GET, NLM_F_DUMP);
	if (request(nl, nlh, dump_cb, &g) < 0)
		kernel_error(nl, "drops");
	for (i = 0; i < g.n; i++)
		show(&v, &g.d[i]);
	free(g.d);
	if (follow_on) {
		fprintf(stderr, "sfwctl: following drops\n");
		follow(&group, &v);
	}
	if (v.have_rules)
		sfw_rules_free(v.rules.rf);
	return 0;
}
