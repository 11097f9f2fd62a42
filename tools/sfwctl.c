// SPDX-License-Identifier: GPL-2.0
/*
 * sfwctl: control tool for the sfw stateful firewall.
 *
 * Subcommands are dispatched through one table. An unknown word is a
 * usage error (exit 2); a kernel error exits 1.
 */
#include <stdio.h>
#include <string.h>

#include <linux/sfw.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct sfwctl_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const struct sfwctl_cmd cmds[] = {
	{ "version", cmd_version, "print sfwctl's version" },
	{ "help", cmd_help, "list the commands" },
};

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("sfwctl %s\n", SFW_VERSION_STRING);
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	size_t i;

	(void)argc;
	(void)argv;
	printf("usage: sfwctl <command> [args]\n\ncommands:\n");
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		printf("  %-10s %s\n", cmds[i].name, cmds[i].help);
	return 0;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return cmd_help(argc, argv), 2;
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return cmd_help(argc, argv);
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version"))
		return cmd_version(argc, argv);

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].run(argc - 1, argv + 1);

	fprintf(stderr, "sfwctl: unknown command '%s'\n", argv[1]);
	return 2;
}
