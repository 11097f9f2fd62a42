/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sfwctl.h - what the sfwctl files share: the netlink connection and
 * requests (transport.c), errors (args.c), the subcommand table's type and
 * each command group's entry. Only libc and libmnl types here:
 * ruleset_cmd.c and its kin also include the portable rule set headers.
 */
#ifndef _SFWCTL_H
#define _SFWCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

#define RECV_BUF (1U << 20)

struct nl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	uint16_t family;
	uint32_t events_group;
	uint32_t drops_group;
	char *buf;
	char errmsg[256];	/* the kernel's extack message */
};

typedef int (*msg_cb)(const struct nlmsghdr *nlh, void *data);

struct sfwctl_cmd {
	const char *name;
	int (*run)(struct nl *nl, int argc, char **argv);
	const char *help;
	bool needs_nl;
};

extern bool json;

/* Exit 2 with "sfwctl: <message> (sfwctl help)"; exit 1 with "sfwctl: <message>". */
void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* args.c: getopt_long over the words after a command (see args_start). */
struct option;
struct args {
	const char *cmd;
	void (*help)(void);
	int argc;
	char **av;
};
void args_start(struct args *a, const char *cmd, int argc, char **argv, void (*help)(void));
int args_next(struct args *a, const char *shortopts, const struct option *longopts);
char **args_rest(struct args *a, int *n);
/* Take every @flag (a word such as --recheck, anywhere) out of argv; whether there was one. */
bool args_take_flag(int *argc, char **argv, const char *flag);
/* A decimal number from 0 to @max, or a usage error naming @opt. */
int64_t arg_number(const char *opt, const char *s, uint32_t max);
char **args_plain(struct args *a, const char *cmd, int argc, char **argv,
		  void (*help)(void), int max, int *n);

void *sfwctl_grow(void *arr, uint32_t *cap, uint32_t want, size_t size);

/* transport.c */
/* Connect and resolve the family; dies when the module is not loaded. */
void nl_open(struct nl *nl);
/* nl_open() once: commands call it after their arguments parsed. */
void nl_ready(struct nl *nl);
/* A request in nl->buf: the header of family @type, command @cmd. */
struct nlmsghdr *msg_start(struct nl *nl, uint16_t type, uint8_t cmd, uint16_t flags);
/* Send @nlh, run @cb on each reply until the ack or NLMSG_DONE: 0, or -1 with errno. */
int request(struct nl *nl, struct nlmsghdr *nlh, msg_cb cb, void *data);
/* Print the kernel's extack message for a failed @what and exit 1. */
void kernel_error(struct nl *nl, const char *what) __attribute__((noreturn));
/* With SFWCTL_VERBOSE set: the replies' count, datagrams and bytes on stderr. */
void nl_report_counts(void);

/* stats.c, config.c, monitor.c (ct.c's commands are in ct.h) */
int cmd_stats(struct nl *nl, int argc, char **argv);
/* stats_prom.c: stats -o prometheus */
int stats_prometheus(struct nl *nl);
int cmd_config(struct nl *nl, int argc, char **argv);
int cmd_monitor(struct nl *nl, int argc, char **argv);
/* drops.c */
int cmd_drops(struct nl *nl, int argc, char **argv);

/* ruleset_cmd.c, rule_set_cmd.c */
int cmd_ruleset(struct nl *nl, int argc, char **argv);
int cmd_rule(struct nl *nl, int argc, char **argv);
int cmd_set(struct nl *nl, int argc, char **argv);
int cmd_counters(struct nl *nl, int argc, char **argv);
void rules_help(void);
struct rules_file;
/* How rules_file_load() ends: commit (maybe recheck), check only, or preview. */
enum rules_load_how {
	LOAD_COMMIT,		/* swap it in */
	LOAD_RECHECK,		/* swap it in, then end what it refuses */
	LOAD_CHECK,		/* check here only: no module needed */
	LOAD_DRY_RUN,		/* list what LOAD_RECHECK would end; change nothing */
};
/* Check @rf here, then load it as `ruleset load` does. 0, or 1 after saying why. */
int rules_file_load(struct nl *nl, struct rules_file *rf, enum rules_load_how how);

/* explain.c */
int cmd_explain(struct nl *nl, int argc, char **argv);

/* nft_import.c */
int ruleset_import_nft(struct nl *nl, int argc, char **argv);

#endif /* _SFWCTL_H */
