// SPDX-License-Identifier: GPL-2.0
/*
 * explain.c - `sfwctl explain`: why a packet gets its verdict. The module
 * judges a packet described here (SFW_CMD_EXPLAIN) with the classifier
 * real packets go through, and answers with every rule the index let it
 * reach and the first test each failed; the rules' text comes from the
 * running set's dump of the same generation. Nothing is counted or
 * created.
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
#include "ct.h"
#include "json.h"

struct explain_step {
	uint32_t pos;
	uint8_t fail;
};

struct explain {
	uint64_t generation;
	int chain, ctstate, verdict, reason;
	long rule;			/* 0: the policy */
	char iif[SFW_RULE_IFNAME_MAX], oif[SFW_RULE_IFNAME_MAX];
	struct explain_step *steps;
	uint32_t nsteps, cap;
	bool truncated, have, has_ct;
	struct conn c;			/* c.has_ct: a tracked connection */
};

static void explain_help(void)
{
	puts("usage: sfwctl explain [-4|-6] -p PROTO -s ADDR -d ADDR --sport PORT --dport PORT\n"
	     "                      [--iif DEV] [--oif DEV] [--state STATE [--reason REASON]]\n"
	     "                      [--chain CHAIN] [-j]\n"
	     "       (ICMP: --type T --code C --id ID instead of the ports)\n"
	     "judge that packet by the running rule set, as sfw judges real packets, and\n"
	     "print the chain, every rule it reaches with the first test that failed,\n"
	     "the verdict, and the tracked connection with that tuple if there is one.\n"
	     "Nothing is counted and no connection is created.\n"
	     "  --state    new (default), established, related, invalid or untracked\n"
	     "  --reason   with --state invalid: why the tracker said so (the names of\n"
	     "             /proc/net/sfw/invalid, e.g. tcp_seq_out_of_window)\n"
	     "  --chain    input, forward, output, prerouting or postrouting (default:\n"
	     "             input to this host's address, output from it, else forward)\n"
	     "  --iif, --oif  the devices (default: from the routes)");
}

static int step_cb(const struct nlattr *attr, void *data)
{
	struct explain *x = data;
	const struct nlattr *tb[SFW_EXPLAIN_STEP_A_MAX + 1] = { 0 };
	const struct nlattr *a;

	if (mnl_attr_get_type(attr) != SFW_EXPLAIN_A_STEP)
		return MNL_CB_OK;
	mnl_attr_for_each_nested(a, attr) {
		int t = mnl_attr_get_type(a);

		if (t > 0 && t <= SFW_EXPLAIN_STEP_A_MAX)
			tb[t] = a;
	}
	if (!tb[SFW_EXPLAIN_STEP_A_POS] || !tb[SFW_EXPLAIN_STEP_A_FAIL] ||
	    mnl_attr_validate(tb[SFW_EXPLAIN_STEP_A_POS], MNL_TYPE_U32) < 0 ||
	    mnl_attr_validate(tb[SFW_EXPLAIN_STEP_A_FAIL], MNL_TYPE_U8) < 0)
		return MNL_CB_ERROR;
	x->steps = sfwctl_grow(x->steps, &x->cap, x->nsteps + 1, sizeof(*x->steps));
	x->steps[x->nsteps].pos = mnl_attr_get_u32(tb[SFW_EXPLAIN_STEP_A_POS]);
	x->steps[x->nsteps].fail = mnl_attr_get_u8(tb[SFW_EXPLAIN_STEP_A_FAIL]);
	x->nsteps++;
	return MNL_CB_OK;
}

static const enum mnl_attr_data_type explain_types[SFW_EXPLAIN_A_MAX + 1] = {
	[SFW_EXPLAIN_A_CHAIN] = MNL_TYPE_U8,
	[SFW_EXPLAIN_A_CT_STATE] = MNL_TYPE_U8,
	[SFW_EXPLAIN_A_IIF] = MNL_TYPE_NUL_STRING,
	[SFW_EXPLAIN_A_OIF] = MNL_TYPE_NUL_STRING,
	[SFW_EXPLAIN_A_VERDICT] = MNL_TYPE_U8,
	[SFW_EXPLAIN_A_RULE] = MNL_TYPE_U32,
	[SFW_EXPLAIN_A_STEP] = MNL_TYPE_NESTED,
	[SFW_EXPLAIN_A_TRUNCATED] = MNL_TYPE_FLAG,
	[SFW_EXPLAIN_A_REASON] = MNL_TYPE_U8,
};

static int explain_attr_cb(const struct nlattr *attr, void *data)
{
	struct explain *x = data;
	int type = mnl_attr_get_type(attr);

	if (type > SFW_EXPLAIN_A_MAX)
		return MNL_CB_OK;	/* newer kernel */
	if (mnl_attr_validate(attr, explain_types[type]) < 0)
		return MNL_CB_ERROR;
	switch (type) {
	case SFW_EXPLAIN_A_CHAIN:
		x->chain = mnl_attr_get_u8(attr);
		break;
	case SFW_EXPLAIN_A_CT_STATE:
		x->ctstate = mnl_attr_get_u8(attr);
		break;
	case SFW_EXPLAIN_A_REASON:
		x->reason = mnl_attr_get_u8(attr);
		break;
	case SFW_EXPLAIN_A_IIF:
		snprintf(x->iif, sizeof(x->iif), "%s", mnl_attr_get_str(attr));
		break;
	case SFW_EXPLAIN_A_OIF:
		snprintf(x->oif, sizeof(x->oif), "%s", mnl_attr_get_str(attr));
		break;
	case SFW_EXPLAIN_A_VERDICT:
		x->verdict = mnl_attr_get_u8(attr);
		break;
	case SFW_EXPLAIN_A_RULE:
		x->rule = mnl_attr_get_u32(attr);
		break;
	case SFW_EXPLAIN_A_TRUNCATED:
		x->truncated = true;
		break;
	case SFW_EXPLAIN_A_STEP:
		return step_cb(attr, x);
	}
	return MNL_CB_OK;
}

static int explain_top_cb(const struct nlattr *attr, void *data)
{
	struct explain *x = data;

	switch (mnl_attr_get_type(attr)) {
	case SFW_A_GENERATION:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		x->generation = mnl_attr_get_u64(attr);
		break;
	case SFW_A_EXPLAIN:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		x->have = true;
		return mnl_attr_parse_nested(attr, explain_attr_cb, x);
	case SFW_A_CT:
		x->has_ct = true;
		break;
	}
	return MNL_CB_OK;
}

static int explain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct explain *x = data;

	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), explain_top_cb, x) < 0 || !x->have ||
	    x->chain < 0 || x->chain >= SFW_CHAIN_COUNT || x->verdict < 0 ||
	    x->verdict >= SFW_ACT_COUNT || x->ctstate < 0 || x->ctstate >= SFW_CT_COUNT ||
	    x->reason < 0 || x->reason >= SFW_INVALID_COUNT) {
		fprintf(stderr, "sfwctl: malformed explain reply from the kernel\n");
		return MNL_CB_ERROR;
	}
	/* The connection, if the reply holds one (conn_parse reads SFW_A_CT). */
	if (x->has_ct && conn_parse(nlh, &x->c))
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

static int named(const char *what, const char *v, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(v, names[i]))
			return i;
	usage_error("explain: unknown %s '%s'", what, v);
}

/* The rule's text, as ruleset show prints it, without its newline. */
static char *rule_text(const struct rules_rule *rr)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		die("out of memory");
	sfw_rules_print_rule(f, rr, 0);
	fclose(f);
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = 0;
	return buf;
}

static const struct rules_rule *rule_at(const struct dump *d, int chain, uint32_t pos)
{
	const struct rules_chain *c = &d->rf->chain[chain];

	return pos >= 1 && pos <= c->n ? &c->rules[pos - 1] : NULL;
}

static void print_text(const struct explain *x, const struct dump *d, bool texts)
{
	const char *chain = sfw_chain_names[x->chain];
	uint32_t i;

	printf("chain %s, state %s%s%s, iif %s, oif %s, generation %" PRIu64 "\n", chain,
	       sfw_ctinfo_names[x->ctstate], x->reason ? " reason " : "",
	       x->reason ? sfw_invalid_names[x->reason] : "", x->iif[0] ? x->iif : "-",
	       x->oif[0] ? x->oif : "-", x->generation);
	for (i = 0; i < x->nsteps; i++) {
		const struct rules_rule *rr = texts ? rule_at(d, x->chain, x->steps[i].pos) : NULL;
		char *t = rr ? rule_text(rr) : NULL;
		uint8_t fail = x->steps[i].fail;

		printf("  %s rule %u: %-48s %s%s\n", chain, x->steps[i].pos, t ? t : "?",
		       fail ? "no: " : "",
		       fail <= SFW_EXPLAIN_FAIL_MAX ? sfw_explain_fail_names[fail] : "?");
		free(t);
	}
	if (x->truncated)
		printf("  ... (more than %u rules reached)\n", SFW_EXPLAIN_STEPS_MAX);
	if (x->rule)
		printf("verdict: %s (%s rule %ld)\n", sfw_action_names[x->verdict], chain, x->rule);
	else
		printf("verdict: %s (%s policy)\n", sfw_action_names[x->verdict], chain);
	if (x->c.has_ct) {
		fputs("connection: ", stdout);
		print_conn_line(&x->c, false);
	} else {
		puts("connection: none tracked");
	}
}

static void print_json(const struct explain *x, const struct dump *d, bool texts)
{
	json_t *o = sfw_json_object(), *steps = sfw_json_array();
	uint32_t i;

	sfw_json_set(o, "generation", sfw_json_u64(x->generation));
	sfw_json_set(o, "chain", sfw_json_str(sfw_chain_names[x->chain]));
	sfw_json_set(o, "state", sfw_json_str(sfw_ctinfo_names[x->ctstate]));
	sfw_json_set(o, "reason", x->reason ? sfw_json_str(sfw_invalid_names[x->reason]) : json_null());
	sfw_json_set(o, "iif", x->iif[0] ? sfw_json_str(x->iif) : json_null());
	sfw_json_set(o, "oif", x->oif[0] ? sfw_json_str(x->oif) : json_null());
	for (i = 0; i < x->nsteps; i++) {
		const struct rules_rule *rr = texts ? rule_at(d, x->chain, x->steps[i].pos) : NULL;
		json_t *s = sfw_json_object();
		uint8_t fail = x->steps[i].fail;
		char *t = rr ? rule_text(rr) : NULL;

		sfw_json_set(s, "rule", sfw_json_u64(x->steps[i].pos));
		sfw_json_set(s, "text", t ? sfw_json_str(t) : json_null());
		sfw_json_set(s, "matched", json_boolean(!fail));
		sfw_json_set(s, "failed", fail && fail <= SFW_EXPLAIN_FAIL_MAX ?
			     sfw_json_str(sfw_explain_fail_names[fail]) : json_null());
		sfw_json_append(steps, s);
		free(t);
	}
	sfw_json_set(o, "steps", steps);
	sfw_json_set(o, "truncated", json_boolean(x->truncated));
	sfw_json_set(o, "verdict", sfw_json_str(sfw_action_names[x->verdict]));
	sfw_json_set(o, "rule", x->rule ? sfw_json_u64(x->rule) : json_null());
	sfw_json_set(o, "connection", x->c.has_ct ? conn_json(&x->c, NULL) : json_null());
	sfw_json_print(stdout, o);
}

/* Take "--NAME VALUE" or "--NAME=VALUE" out of argv; VALUE or NULL. */
static const char *take_opt(int *argc, char **argv, const char *name)
{
	size_t n = strlen(name);
	const char *v = NULL;
	int i, j;

	for (i = j = 0; i < *argc; i++) {
		if (!strcmp(argv[i], name)) {
			if (i + 1 >= *argc)
				usage_error("explain: %s needs a value", name);
			v = argv[++i];
		} else if (!strncmp(argv[i], name, n) && argv[i][n] == '=') {
			v = argv[i] + n + 1;
		} else {
			argv[j++] = argv[i];
		}
	}
	*argc = j;
	return v;
}

int cmd_explain(struct nl *nl, int argc, char **argv)
{
	struct explain x = { .chain = -1, .ctstate = -1, .verdict = -1 };
	const char *iif, *oif, *state, *chain, *reason;
	struct dump d = { 0 };
	struct nlattr *nest;
	struct nlmsghdr *nlh;
	bool v4, v6, texts;
	struct opts o;
	int tries;

	if (argc > 0 && (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help"))) {
		explain_help();
		return 0;
	}
	iif = take_opt(&argc, argv, "--iif");
	oif = take_opt(&argc, argv, "--oif");
	state = take_opt(&argc, argv, "--state");
	chain = take_opt(&argc, argv, "--chain");
	reason = take_opt(&argc, argv, "--reason");
	v4 = args_take_flag(&argc, argv, "-4");
	v6 = args_take_flag(&argc, argv, "-6");
	parse_opts(&o, argc, argv, "explain", "", explain_help);
	if (v4 && v6)
		usage_error("explain: -4 or -6, not both");
	if ((v4 && o.l3 == AF_INET6) || (v6 && o.l3 == AF_INET))
		usage_error("explain: the addresses are not of the family -4/-6 names");
	if (o.state >= 0 || o.port >= 0)
		usage_error("explain: --state takes new, established, related, invalid or untracked; "
			    "--port is a filter (use --sport and --dport)");
	if (reason && (!state || strcmp(state, "invalid")))
		usage_error("explain: --reason goes with --state invalid");
	if (!opts_tuple_complete(&o))
		usage_error("explain: a packet needs -p, -s and -d (addresses, no prefix), and "
			    "--sport/--dport (TCP, UDP) or --type/--code/--id (ICMP)");
	if ((iif && strlen(iif) >= SFW_RULE_IFNAME_MAX) || (oif && strlen(oif) >= SFW_RULE_IFNAME_MAX))
		usage_error("explain: a device name has at most %d characters",
			    SFW_RULE_IFNAME_MAX - 1);

	nl_ready(nl);
	for (tries = 0; tries < 5; tries++) {
		free(x.steps);
		memset(&x, 0, sizeof(x));
		x.chain = x.ctstate = x.verdict = -1;
		nlh = msg_start(nl, nl->family, SFW_CMD_EXPLAIN, NLM_F_ACK);
		opts_put_tuple(nlh, &o);
		nest = mnl_attr_nest_start(nlh, SFW_A_EXPLAIN);
		if (state)
			mnl_attr_put_u8(nlh, SFW_EXPLAIN_A_CT_STATE,
					named("state", state, sfw_ctinfo_names, SFW_CT_COUNT));
		if (reason)
			mnl_attr_put_u8(nlh, SFW_EXPLAIN_A_REASON,
					named("reason", reason, sfw_invalid_names, SFW_INVALID_COUNT));
		if (chain)
			mnl_attr_put_u8(nlh, SFW_EXPLAIN_A_CHAIN,
					named("chain", chain, sfw_chain_names, SFW_CHAIN_COUNT));
		if (iif)
			mnl_attr_put_strz(nlh, SFW_EXPLAIN_A_IIF, iif);
		if (oif)
			mnl_attr_put_strz(nlh, SFW_EXPLAIN_A_OIF, oif);
		mnl_attr_nest_end(nlh, nest);
		if (request(nl, nlh, explain_cb, &x) < 0)
			kernel_error(nl, "explain");
		/* The rules' text, from a dump of the generation that judged. */
		rules_dump(nl, SFW_CMD_RULESET_GET, NULL, &d);
		if (d.have_generation && d.generation == x.generation)
			break;
		sfw_rules_free(d.rf);
		d.rf = NULL;
	}
	texts = d.rf != NULL;
	if (!texts)
		fprintf(stderr, "sfwctl: the rule set kept changing; rules shown by number only\n");
	if (json)
		print_json(&x, &d, texts);
	else
		print_text(&x, &d, texts);
	if (d.rf)
		sfw_rules_free(d.rf);
	free(x.steps);
	return 0;
}
