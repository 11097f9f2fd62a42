// SPDX-License-Identifier: GPL-2.0
/*
 * sfwctl: control tool for the sfw stateful firewall.
 *
 * This file is the command table and main() only. Subcommands are
 * dispatched through one table; an unknown word is a usage error (exit
 * 2); a kernel error prints the kernel's extended ACK message and exits 1.
 * Requests go over generic netlink (transport.c) to the family "sfw"
 * (include/uapi/linux/sfw.h). Each command group has its file: ct.c
 * (with conn.c, a connection decoded and printed), stats.c, config.c,
 * monitor.c, drops.c (the drop log), ruleset_cmd.c and rule_set_cmd.c (the rule set, its rules
 * and sets), nft_import.c (import-nft); args.c holds the argument
 * parsing and the two ways out (usage_error, die).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <linux/sfw.h>

#include "sfwctl.h"
#include "ct.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int cmd_version(struct nl *nl, int argc, char **argv)
{
	(void)nl;
	(void)argv;
	if (argc > 0)
		usage_error("version: unknown argument '%s'", argv[0]);
	printf("sfwctl %s\n", SFW_VERSION_STRING);
	return 0;
}

static int cmd_help(struct nl *nl, int argc, char **argv);
static int cmd_ct(struct nl *nl, int argc, char **argv);

static const struct sfwctl_cmd ct_cmds[] = {
	{ "list", ct_list, "list connections (filters, -o extended, -j; --expect: expectations)",
	  true },
	{ "get", ct_get, "show one connection by its tuple", true },
	{ "delete", ct_delete, "delete one connection, or those a filter matches", true },
	{ "flush", ct_flush, "delete every connection", true },
	{ "save", ct_save, "write every connection to a file, for ct restore", true },
	{ "restore", ct_restore, "put back the connections ct save wrote", true },
};

static const struct sfwctl_cmd cmds[] = {
	{ "ct", cmd_ct, "connections: list, get, delete, flush, save, restore", false },
	{ "stats", cmd_stats, "per-CPU and total counters, INVALID reasons", true },
	{ "config", cmd_config, "get or set the net.sfw.* settings", true },
	{ "monitor", cmd_monitor, "print connection events as they happen", true },
	{ "drops", cmd_drops, "the drop log: recent drops and why (-f: follow)", true },
	{ "ruleset", cmd_ruleset, "the rule set: load, show, flush", false },
	{ "rule", cmd_rule, "one rule: add, insert, delete", false },
	{ "set", cmd_set, "address set elements: add, del, list", false },
	{ "counters", cmd_counters, "rule counters: reset", false },
	{ "explain", cmd_explain, "why a packet gets its verdict: the rules it reaches", true },
	{ "version", cmd_version, "print sfwctl's version", false },
	{ "help", cmd_help, "list the commands", false },
};

static int cmd_help(struct nl *nl, int argc, char **argv)
{
	size_t i;

	(void)nl;
	(void)argc;
	(void)argv;
	printf("usage: sfwctl <command> [args]   (sfwctl <command> -h for its arguments)\n\n"
	       "commands:\n");
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		printf("  %-10s %s\n", cmds[i].name, cmds[i].help);
	for (i = 0; i < ARRAY_SIZE(ct_cmds); i++)
		printf("  ct %-7s %s\n", ct_cmds[i].name, ct_cmds[i].help);
	rules_help();
	return 0;
}

static int run(const struct sfwctl_cmd *c, int argc, char **argv)
{
	struct nl nl = {};

	return c->run(&nl, argc, argv);
}

static int cmd_ct(struct nl *nl, int argc, char **argv)
{
	size_t i;

	(void)nl;
	if (argc < 1 || !strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
		puts("usage: sfwctl ct list|get|delete|flush [args]");
		for (i = 0; i < ARRAY_SIZE(ct_cmds); i++)
			printf("  ct %-7s %s\n", ct_cmds[i].name, ct_cmds[i].help);
		return argc < 1 ? 2 : 0;
	}
	for (i = 0; i < ARRAY_SIZE(ct_cmds); i++)
		if (!strcmp(argv[0], ct_cmds[i].name))
			return run(&ct_cmds[i], argc - 1, argv + 1);
	fprintf(stderr, "sfwctl: unknown command 'ct %s'\n", argv[0]);
	return 2;
}

/*
 * Global options come before the command: -j (JSON output, which every
 * command also takes after its name), -h and -V. getopt stops at the
 * first word that is not an option, the command's name.
 */
int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	size_t i;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hjV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cmd_help(NULL, 0, NULL);
		case 'V':
			return cmd_version(NULL, 0, NULL);
		case 'j':
			json = true;
			break;
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cmd_help(NULL, 0, NULL), 2;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(argv[optind], cmds[i].name))
			return run(&cmds[i], argc - optind - 1, argv + optind + 1);

	fprintf(stderr, "sfwctl: unknown command '%s'\n", argv[optind]);
	return 2;
}
