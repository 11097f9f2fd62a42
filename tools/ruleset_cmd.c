// SPDX-License-Identifier: GPL-2.0
/*
 * ruleset_cmd.c: the rule commands' entry (ruleset, rule, set, counters)
 * and `ruleset load|show|flush`, `counters reset`.
 *
 * A load reads the file with a cap on its size and its lines, parses it
 * with rules_parse.c and builds and compiles it with the module's own
 * ruleset.c, so that whatever the kernel would refuse is refused here
 * first, with the file's line (--check stops there, with no module).
 * Only then is it sent, as one transaction: RULESET_BEGIN, RULESET_ADD
 * messages (rules_encode.c), RULESET_COMMIT. If sfwctl dies halfway, the
 * kernel drops the transaction with the socket and nothing changes.
 *
 * `ruleset show` dumps the running set back into a struct rules_file
 * (rules_decode.c) and prints it with the shared printers, so its output
 * loads again.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <linux/genetlink.h>
#include <linux/sfw.h>

#include "rules_nl.h"
#include "json.h"
#include "ct.h"

/* ---- ruleset load ---- */

/* A rule file larger than this is refused before it is parsed. */
#define RULES_FILE_MAX		(64U << 20)
#define RULES_FILE_MAX_TEXT	"64 MiB"

/*
 * Read @path (- for stdin) a chunk at a time, and stop at the first line
 * longer than SFW_RULES_LINE_MAX or past RULES_FILE_MAX bytes: /dev/zero
 * or an endless pipe fails after a few KiB, instead of growing until the
 * memory runs out. @name is the file's name in messages.
 */
static char *read_rules(const char *path, const char *name, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t cap = 1 << 16, n = 0, line_start = 0, got, i;
	unsigned int line = 1;
	struct stat st;
	char *buf, *nbuf;

	if (!f)
		die("%s: %s", path, strerror(errno));
	if (!fstat(fileno(f), &st) && S_ISREG(st.st_mode) && st.st_size > RULES_FILE_MAX)
		die("%s: larger than " RULES_FILE_MAX_TEXT, name);
	buf = malloc(cap);
	if (!buf)
		die("out of memory");
	for (;;) {
		if (n == cap) {
			/* One byte past the cap is enough to tell that it is past. */
			cap = cap * 2 > RULES_FILE_MAX ? RULES_FILE_MAX + 1 : cap * 2;
			nbuf = realloc(buf, cap);
			if (!nbuf)
				die("out of memory");
			buf = nbuf;
		}
		got = fread(buf + n, 1, cap - n, f);
		if (!got)
			break;
		for (i = n; i < n + got; i++) {
			if (buf[i] == '\n') {
				line++;
				line_start = i + 1;
			} else if (i - line_start >= SFW_RULES_LINE_MAX) {
				die("%s:%u: line longer than %u characters", name, line,
					  SFW_RULES_LINE_MAX);
			}
		}
		n += got;
		if (n > RULES_FILE_MAX)
			die("%s: larger than " RULES_FILE_MAX_TEXT, name);
	}
	if (ferror(f))
		die("%s: %s", path, strerror(errno));
	if (f != stdin)
		fclose(f);
	*len = n;
	return buf;
}

static void load_help(void)
{
	puts("usage: sfwctl ruleset load FILE|- [--check] [--recheck [--dry-run]] [-j]\n"
	     "replace the running rule set with FILE's (- reads stdin), as one step.\n"
	     "The file is parsed and checked first: an error prints FILE:LINE:COL: message\n"
	     "and nothing is loaded.\n"
	     "  --check    parse, build and compile only, without the module: print\n"
	     "             nothing and exit 0 if the file is good, 1 if it is not\n"
	     "  --recheck  then delete the connections the new rules would not admit\n"
	     "  --dry-run  with --recheck: load nothing, list the connections that\n"
	     "             --recheck would delete (as ct list; -j as ct list -j)");
}

static int ruleset_load(struct nl *nl, int argc, char **argv)
{
	char err[SFW_RULES_ERR_LEN];
	const char *path = NULL, *name;
	struct rules_file *rf;
	bool check = false, recheck = false, dry_run = false;
	enum rules_load_how how = LOAD_COMMIT;
	size_t len;
	char *buf;
	int a;

	for (a = 0; a < argc; a++) {
		if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			load_help();
			return 0;
		} else if (!strcmp(argv[a], "--check")) {
			check = true;
		} else if (!strcmp(argv[a], "--recheck")) {
			recheck = true;
		} else if (!strcmp(argv[a], "--dry-run")) {
			dry_run = true;
		} else if (!strcmp(argv[a], "-j") || !strcmp(argv[a], "--json")) {
			json = true;
		} else if (argv[a][0] == '-' && argv[a][1]) {
			usage_error("ruleset load: unknown option '%s'", argv[a]);
		} else if (path) {
			usage_error("ruleset load: one file only ('%s')", argv[a]);
		} else {
			path = argv[a];
		}
	}
	if (!path)
		usage_error("ruleset load: which file? (- for stdin)");
	if (check && recheck)
		usage_error("ruleset load: --check changes nothing, so there is nothing to --recheck");
	if (dry_run && !recheck)
		usage_error("ruleset load: --dry-run previews a --recheck: give both");
	if (check)
		how = LOAD_CHECK;
	else if (dry_run)
		how = LOAD_DRY_RUN;
	else if (recheck)
		how = LOAD_RECHECK;

	name = strcmp(path, "-") ? path : "<stdin>";
	buf = read_rules(path, name, &len);
	rf = sfw_rules_parse(name, buf, len, err);
	free(buf);
	if (!rf) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	return rules_file_load(nl, rf, how);
}

/*
 * Check @rf as the kernel would (build and compile it with the kernel's
 * own units), then send it as one transaction; LOAD_CHECK stops after
 * the checks, so that no module is needed, and LOAD_DRY_RUN ends the
 * transaction with a preview instead of a commit. Frees @rf; 0, or 1
 * after printing why.
 */
int rules_file_load(struct nl *nl, struct rules_file *rf, enum rules_load_how how)
{
	char err[SFW_RULES_ERR_LEN], cerr[SFW_ERR_LEN];
	struct sfw_ruleset_builder *b;
	struct commit_reply reply = { 0 };
	struct sender s = { .nl = nl };
	struct sfw_ruleset *rs;
	struct nlmsghdr *nlh;
	unsigned int c;
	u32 i;

	/* The kernel's own checks, here first, with the file's lines. */
	b = sfw_ruleset_builder_new();
	if (!b)
		die("out of memory");
	if (sfw_rules_file_to_builder(rf, b, err)) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	cerr[0] = 0;
	rs = sfw_ruleset_compile(b, 0, cerr);
	sfw_ruleset_builder_free(b);
	if (!rs) {
		fprintf(stderr, "%s: %s\n", rf->name, cerr);
		return 1;
	}
	sfw_ruleset_free(rs);
	/* That is all the kernel would check: --check needs no module. */
	if (how == LOAD_CHECK) {
		sfw_rules_free(rf);
		return 0;
	}

	nl_ready(nl);
	s.rf = rf;
	nlh = msg_start(nl, nl->family, SFW_CMD_RULESET_BEGIN, NLM_F_ACK);
	for (c = 0; c < SFW_CHAIN_COUNT; c++) {
		struct nlattr *nest;

		if (!rf->chain[c].defined)
			continue;
		nest = mnl_attr_nest_start(nlh, SFW_A_CHAIN);
		mnl_attr_put_u8(nlh, SFW_CHAIN_A_ID, c);
		mnl_attr_put_u8(nlh, SFW_CHAIN_A_POLICY, rf->chain[c].policy);
		mnl_attr_nest_end(nlh, nest);
	}
	if (request(nl, nlh, NULL, NULL) < 0)
		kernel_error(nl, "ruleset load");
	rules_sender_start(&s);
	for (c = 0; c < SFW_CHAIN_COUNT; c++)
		for (i = 0; i < rf->chain[c].n; i++)
			rules_send_rule(&s, c, &rf->chain[c].rules[i]);
	for (i = 0; i < rf->nsets; i++)
		rules_send_set(&s, &rf->sets[i]);
	for (i = 0; i < rf->nflowtables; i++)
		rules_send_flowtable(&s, &rf->flowtables[i]);
	rules_sender_flush(&s);

	if (how == LOAD_DRY_RUN) {
		unsigned long n;

		nlh = msg_start(nl, nl->family, SFW_CMD_RULESET_PREVIEW, NLM_F_DUMP);
		if (conns_print_dump(nl, nlh, false, &n) < 0)
			rules_load_error(&s);
		fprintf(stderr, "sfwctl: dry run: --recheck would end %lu connections; nothing loaded\n",
			n);
		sfw_rules_free(rf);
		return 0;
	}
	nlh = msg_start(nl, nl->family, SFW_CMD_RULESET_COMMIT, NLM_F_ACK);
	if (how == LOAD_RECHECK)
		mnl_attr_put_u32(nlh, SFW_A_COMMIT_FLAGS, SFW_COMMIT_F_RECHECK);
	if (request(nl, nlh, commit_cb, &reply) < 0)
		rules_load_error(&s);
	commit_report(&reply, "loaded");
	sfw_rules_free(rf);
	return 0;
}

/* ---- ruleset show / flush, counters reset ---- */

/* The rule set's JSON, with the generation and what each policy judged. */
static void show_json(const struct dump *d)
{
	json_t *o = sfw_rules_json(d->rf, SFW_RULES_PRINT_COUNTERS), *ch;
	unsigned int c;
	size_t i;

	if (d->have_generation)
		sfw_json_set(o, "generation", sfw_json_u64(d->generation));
	json_array_foreach(json_object_get(o, "chains"), i, ch)
		for (c = 0; c < SFW_CHAIN_COUNT; c++) {
			if (strcmp(json_string_value(json_object_get(ch, "name")),
				   sfw_chain_names[c]))
				continue;
			sfw_json_set(ch, "policy_packets", sfw_json_u64(d->policy_packets[c]));
			sfw_json_set(ch, "policy_bytes", sfw_json_u64(d->policy_bytes[c]));
		}
	sfw_json_print(stdout, o);
}

static int ruleset_show(struct nl *nl, int argc, char **argv)
{
	struct dump d;
	unsigned int c;
	int a;

	for (a = 0; a < argc; a++) {
		if (!strcmp(argv[a], "-j")) {
			json = true;
		} else if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			puts("usage: sfwctl ruleset show [-j]\n"
			     "print the running rule set in rule file syntax, with each rule's\n"
			     "counters (the output loads again); -j prints JSON.");
			return 0;
		} else {
			usage_error("ruleset show: unknown argument '%s'", argv[a]);
		}
	}
	nl_ready(nl);
	rules_dump(nl, SFW_CMD_RULESET_GET, NULL, &d);
	if (json) {
		show_json(&d);
	} else if (!d.have_generation) {
		puts("# no rule set loaded: every packet is accepted");
	} else {
		printf("# generation %" PRIu64 "; packets and bytes the policies judged:", d.generation);
		for (c = 0; c < SFW_CHAIN_COUNT; c++)
			printf("%s %s %" PRIu64 " %" PRIu64, c ? "," : "", sfw_chain_names[c],
			       d.policy_packets[c], d.policy_bytes[c]);
		putchar('\n');
		sfw_rules_print(stdout, d.rf, SFW_RULES_PRINT_COUNTERS);
	}
	sfw_rules_free(d.rf);
	return 0;
}

/* A command without arguments: @cmd, acked. */
static int simple(struct nl *nl, int argc, char **argv, uint8_t cmd, const char *what,
		  const char *help)
{
	struct nlmsghdr *nlh;

	if (argc > 0 && (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help"))) {
		puts(help);
		return 0;
	}
	if (argc > 0)
		usage_error("%s: unknown argument '%s'", what, argv[0]);
	nl_ready(nl);
	nlh = msg_start(nl, nl->family, cmd, NLM_F_ACK);
	if (request(nl, nlh, NULL, NULL) < 0)
		kernel_error(nl, what);
	return 0;
}

static int ruleset_flush(struct nl *nl, int argc, char **argv)
{
	return simple(nl, argc, argv, SFW_CMD_RULESET_FLUSH, "ruleset flush",
		      "usage: sfwctl ruleset flush\n"
		      "unload the rule set: every packet is accepted again.");
}

static int counters_reset(struct nl *nl, int argc, char **argv)
{
	return simple(nl, argc, argv, SFW_CMD_COUNTERS_RESET, "counters reset",
		      "usage: sfwctl counters reset\n"
		      "zero the packet and byte counters of every rule and policy.");
}

/* ---- dispatch ---- */

static const struct sfwctl_cmd ruleset_cmds[] = {
	{ "load", ruleset_load, "load a rule file as one atomic replace (--check, --recheck)", true },
	{ "show", ruleset_show, "print the running rule set with counters (-j)", true },
	{ "import-nft", ruleset_import_nft, "translate the live nftables rule set (--load)", false },
	{ "flush", ruleset_flush, "unload the rule set: accept everything", true },
};

static const struct sfwctl_cmd rule_cmds[] = {
	{ "add", rule_add, "append a rule to a chain, or after rule N", true },
	{ "insert", rule_insert, "insert a rule at a chain's start, or before rule N", true },
	{ "delete", rule_delete, "delete rule N of a chain", true },
};

static const struct sfwctl_cmd set_cmds[] = {
	{ "add", set_add, "add elements to an address set", true },
	{ "del", set_del, "remove elements from an address set", true },
	{ "list", set_list, "print the address sets (-j)", true },
};

static const struct sfwctl_cmd counters_cmds[] = {
	{ "reset", counters_reset, "zero every rule and policy counter", true },
};

#define GROUP(name, tab) { name, tab, sizeof(tab) / sizeof((tab)[0]) }

static const struct group {
	const char *name;
	const struct sfwctl_cmd *cmds;
	size_t n;
} groups[] = {
	GROUP("ruleset", ruleset_cmds),
	GROUP("rule", rule_cmds),
	GROUP("set", set_cmds),
	GROUP("counters", counters_cmds),
};

void rules_help(void)
{
	size_t g, i;
	char word[32];

	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (i = 0; i < groups[g].n; i++) {
			snprintf(word, sizeof(word), "%s %s", groups[g].name, groups[g].cmds[i].name);
			printf("  %-17s %s\n", word, groups[g].cmds[i].help);
		}
}

static int dispatch(const struct group *g, struct nl *nl, int argc, char **argv)
{
	size_t i;

	if (argc < 1 || !strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
		printf("usage: sfwctl %s", g->name);
		for (i = 0; i < g->n; i++)
			printf("%s%s", i ? "|" : " ", g->cmds[i].name);
		puts(" [args]");
		for (i = 0; i < g->n; i++)
			printf("  %s %-7s %s\n", g->name, g->cmds[i].name, g->cmds[i].help);
		return argc < 1 ? 2 : 0;
	}
	for (i = 0; i < g->n; i++)
		if (!strcmp(argv[0], g->cmds[i].name))
			return g->cmds[i].run(nl, argc - 1, argv + 1);
	fprintf(stderr, "sfwctl: unknown command '%s %s'\n", g->name, argv[0]);
	return 2;
}

int cmd_ruleset(struct nl *nl, int argc, char **argv)
{
	return dispatch(&groups[0], nl, argc, argv);
}

int cmd_rule(struct nl *nl, int argc, char **argv)
{
	return dispatch(&groups[1], nl, argc, argv);
}

int cmd_set(struct nl *nl, int argc, char **argv)
{
	return dispatch(&groups[2], nl, argc, argv);
}

int cmd_counters(struct nl *nl, int argc, char **argv)
{
	return dispatch(&groups[3], nl, argc, argv);
}
