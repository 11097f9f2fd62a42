// SPDX-License-Identifier: GPL-2.0
/*
 * rule_set_cmd.c - `sfwctl rule add|insert|delete` (one rule, parsed with
 * rules_parse.c as a one-rule file and checked by the module's builder)
 * and `sfwctl set add|del|list` (address set elements).
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

/* ---- rule add / insert / delete ---- */

static void rule_help(void)
{
	puts("usage: sfwctl rule add CHAIN [pos N] RULE... [--recheck]\n"
	     "       sfwctl rule insert CHAIN [pos N] RULE... [--recheck]\n"
	     "       sfwctl rule delete CHAIN N [--recheck]\n"
	     "add a rule at the end of CHAIN (input, forward, output, prerouting,\n"
	     "postrouting) or after rule N;\n"
	     "insert it at the start or before rule N; delete rule N (numbered from 1,\n"
	     "as `ruleset show` lists them). RULE is one line of the rule file syntax,\n"
	     "e.g. tcp dport 22 ct state new accept. The running set is rebuilt with\n"
	     "the change and replaced in one step; its counters start from zero.\n"
	     "--recheck then deletes the connections the changed rules would not admit.");
}

/* Send a rule change; with @recheck ask for one and say what it ended. */
static int rule_request(struct nl *nl, struct nlmsghdr *nlh, const char *what, bool recheck)
{
	struct commit_reply reply = { 0 };

	if (recheck)
		mnl_attr_put_u32(nlh, SFW_A_COMMIT_FLAGS, SFW_COMMIT_F_RECHECK);
	if (request(nl, nlh, recheck ? commit_cb : NULL, &reply) < 0)
		kernel_error(nl, what);
	if (recheck)
		commit_report(&reply, "loaded");
	return 0;
}

static int rule_change(struct nl *nl, int argc, char **argv, uint8_t cmd)
{
	char err[SFW_RULES_ERR_LEN];
	struct rules_file *rf;
	struct nlmsghdr *nlh;
	const char *what = cmd == SFW_CMD_RULE_ADD ? "rule add" :
			   cmd == SFW_CMD_RULE_INSERT ? "rule insert" : "rule delete";
	bool recheck;
	long pos = 0;
	char *text, *p;
	size_t len = 0;
	int c, a;

	if (argc > 0 && (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help"))) {
		rule_help();
		return 0;
	}
	recheck = args_take_flag(&argc, argv, "--recheck");
	if (argc < 1 || (c = rules_chain_number(argv[0])) < 0)
		usage_error("%s: which chain? (input, forward, output, prerouting or postrouting)",
			    what);
	a = 1;
	if (cmd == SFW_CMD_RULE_DEL || (argc > 2 && !strcmp(argv[1], "pos"))) {
		const char *n = cmd == SFW_CMD_RULE_DEL ? (argc > 1 ? argv[1] : NULL) : argv[2];
		char *end;

		if (!n)
			usage_error("%s: which rule? (a number from 1)", what);
		errno = 0;
		pos = strtol(n, &end, 10);
		if (errno || *end || pos < 1 || pos > UINT32_MAX)
			usage_error("%s: '%s' is not a rule number", what, n);
		a = cmd == SFW_CMD_RULE_DEL ? 2 : 3;
	}
	if (cmd == SFW_CMD_RULE_DEL) {
		if (argc > 2)
			usage_error("%s: unknown argument '%s'", what, argv[2]);
		nl_ready(nl);
		nlh = msg_start(nl, nl->family, cmd, NLM_F_ACK);
		if (!rules_put_rule(nlh, c, pos, NULL))
			die("%s: the rule does not fit in a message", what);
		return rule_request(nl, nlh, what, recheck);
	}
	if (a >= argc)
		usage_error("%s: no rule given", what);

	/*
	 * The rule as a one-rule file: its chain on line 1, the rule on line
	 * 2, then an empty set for each @name, or for `flow add @name` a
	 * flowtable of a stand-in device, so that the parser lets the
	 * reference through (the kernel checks that the set or flowtable
	 * exists).
	 */
	for (int i = a; i < argc; i++)
		len += strlen(argv[i]) * 2 + 64;
	text = calloc(1, len + 64);
	if (!text)
		die("out of memory");
	p = text + sprintf(text, "chain %s\n", sfw_chain_names[c]);
	for (int i = a; i < argc; i++)
		p += sprintf(p, "%s%s", i > a ? " " : "", argv[i]);
	*p++ = '\n';
	for (int i = a; i < argc; i++) {
		if (argv[i][0] != '@' || !argv[i][1])
			continue;
		if (i - a >= 2 && !strcmp(argv[i - 1], "add") && !strcmp(argv[i - 2], "flow"))
			p += sprintf(p, "flowtable %s { devices = { stub%d } }\n", argv[i] + 1, i);
		else
			p += sprintf(p, "set %s { }\n", argv[i] + 1);
	}
	rf = sfw_rules_parse("rule", text, p - text, err);
	free(text);
	if (!rf) {
		/* "rule:2:COL: ..." is the rule's own column. */
		if (!strncmp(err, "rule:2:", 7))
			fprintf(stderr, "sfwctl: %s: column %s\n", what, err + 7);
		else
			fprintf(stderr, "sfwctl: %s: %s\n", what, err);
		return 1;
	}
	if (rf->chain[c].n != 1)
		usage_error("%s: one rule only", what);
	nl_ready(nl);
	nlh = msg_start(nl, nl->family, cmd, NLM_F_ACK);
	if (!rules_put_rule(nlh, c, pos, &rf->chain[c].rules[0]))
		die("%s: the rule does not fit in a message", what);
	sfw_rules_free(rf);
	return rule_request(nl, nlh, what, recheck);
}

int rule_add(struct nl *nl, int argc, char **argv)
{
	return rule_change(nl, argc, argv, SFW_CMD_RULE_ADD);
}

int rule_insert(struct nl *nl, int argc, char **argv)
{
	return rule_change(nl, argc, argv, SFW_CMD_RULE_INSERT);
}

int rule_delete(struct nl *nl, int argc, char **argv)
{
	return rule_change(nl, argc, argv, SFW_CMD_RULE_DEL);
}

/* ---- set add / del / list ---- */

static void set_help(void)
{
	puts("usage: sfwctl set add|del NAME ELEMENT... [--recheck]\n"
	     "add addresses or prefixes (10.0.0.0/8, 2001:db8::1; commas or spaces\n"
	     "between them) to the running set NAME, or remove them; they take effect\n"
	     "at once. --recheck then deletes the connections the rules with the\n"
	     "changed set would not admit.");
}

static void set_list_help(void)
{
	puts("usage: sfwctl set list [NAME] [-j]\n"
	     "print the sets (or set NAME) as the rule file writes them.");
}

static void parse_elem(const char *what, const char *word, struct sfw_prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	long len;

	memset(p, 0, sizeof(*p));
	if (strlen(word) >= sizeof(buf))
		usage_error("%s: '%s' is not an address or prefix", what, word);
	strcpy(buf, word);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = 0;
	if (inet_pton(AF_INET, buf, &p->addr) == 1)
		p->l3num = SFW_AF_INET;
	else if (inet_pton(AF_INET6, buf, &p->addr) == 1)
		p->l3num = SFW_AF_INET6;
	else
		usage_error("%s: '%s' is not an address or prefix", what, word);
	p->len = p->l3num == SFW_AF_INET ? 32 : 128;
	if (slash) {
		errno = 0;
		len = strtol(slash, &end, 10);
		if (errno || *end || end == slash || len < 0 || len > p->len)
			usage_error("%s: '%s': bad prefix length", what, word);
		p->len = len;
	}
}

static int set_change(struct nl *nl, int argc, char **argv, bool add)
{
	const char *what = add ? "set add" : "set del";
	struct commit_reply reply = { 0 };
	struct sfw_prefix *elems = NULL;
	u32 n = 0, cap = 0, k;
	struct nlmsghdr *nlh;
	bool recheck;
	int a;

	if (argc > 0 && (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help"))) {
		set_help();
		return 0;
	}
	recheck = args_take_flag(&argc, argv, "--recheck");
	if (argc < 2)
		usage_error("%s: NAME and at least one element, please", what);
	if (strlen(argv[0]) >= SFW_SET_NAME_LEN)
		usage_error("%s: set name '%s' too long", what, argv[0]);
	for (a = 1; a < argc; a++) {
		char *copy = strdup(argv[a]), *save = NULL, *w;

		if (!copy)
			die("out of memory");
		for (w = strtok_r(copy, ", {}", &save); w; w = strtok_r(NULL, ", {}", &save)) {
			elems = sfwctl_grow(elems, &cap, n + 1, sizeof(*elems));
			parse_elem(what, w, &elems[n++]);
		}
		free(copy);
	}
	if (!n)
		usage_error("%s: no element given", what);
	nl_ready(nl);
	/* Each request is one atomic change; a long list takes several. */
	for (k = 0; k < n;) {
		struct nlattr *nest, *list;
		u32 start = k;

		nlh = msg_start(nl, nl->family, add ? SFW_CMD_SET_ADD : SFW_CMD_SET_DEL, NLM_F_ACK);
		nest = mnl_attr_nest_start(nlh, SFW_A_SET);
		mnl_attr_put_strz(nlh, SFW_SET_A_NAME, argv[0]);
		list = mnl_attr_nest_start(nlh, SFW_SET_A_ELEMS);
		while (k < n && rules_put_prefix(nlh, SFW_ELEMS_A_ADDR, &elems[k]))
			k++;
		if (k == start)
			die("%s: an element does not fit in a message", what);
		mnl_attr_nest_end(nlh, list);
		mnl_attr_nest_end(nlh, nest);
		/* One recheck, after the last part. */
		if (recheck && k == n)
			mnl_attr_put_u32(nlh, SFW_A_COMMIT_FLAGS, SFW_COMMIT_F_RECHECK);
		if (request(nl, nlh, recheck && k == n ? commit_cb : NULL, &reply) < 0)
			kernel_error(nl, what);
	}
	free(elems);
	if (recheck)
		fprintf(stderr, "sfwctl: set %s changed; %u connections expired\n", argv[0],
			reply.count);
	return 0;
}

int set_add(struct nl *nl, int argc, char **argv)
{
	return set_change(nl, argc, argv, true);
}

int set_del(struct nl *nl, int argc, char **argv)
{
	return set_change(nl, argc, argv, false);
}

int set_list(struct nl *nl, int argc, char **argv)
{
	const char *name = NULL;
	struct dump d;
	int a;

	for (a = 0; a < argc; a++) {
		if (!strcmp(argv[a], "-j")) {
			json = true;
		} else if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			set_list_help();
			return 0;
		} else if (argv[a][0] == '-' || name) {
			usage_error("set list: unknown argument '%s'", argv[a]);
		} else {
			name = argv[a];
		}
	}
	if (name && strlen(name) >= SFW_SET_NAME_LEN)
		usage_error("set list: set name '%s' too long", name);
	nl_ready(nl);
	rules_dump(nl, SFW_CMD_SET_GET, name, &d);
	if (json)
		sfw_rules_print_json(stdout, d.rf, 0);
	else
		sfw_rules_print(stdout, d.rf, 0);
	sfw_rules_free(d.rf);
	return 0;
}
