/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rules_nl.h - what the rule commands' files share: the netlink encoding
 * of rules, sets and flowtables (rules_encode.c), the decoding of dumps back into a
 * struct rules_file (rules_decode.c), and the rule and set commands
 * (rule_set_cmd.c) that ruleset_cmd.c's dispatch table names.
 */
#ifndef _SFWCTL_RULES_NL_H
#define _SFWCTL_RULES_NL_H

#include <linux/sfw.h>
#include "sfwctl.h"
#include "rules_parse.h"

#define MSG_MAX (32 * 1024)	/* bytes per request we build */

/* rules_encode.c */
/* A transaction's RULESET_ADD messages: filled, sent when full. */
struct sender {
	struct nl *nl;
	struct nlmsghdr *nlh;
	const struct rules_file *rf;	/* for naming the line of a refused rule */
};

int rules_chain_number(const char *s);
bool rules_put_prefix(struct nlmsghdr *nlh, uint16_t type, const struct sfw_prefix *p);
bool rules_put_rule(struct nlmsghdr *nlh, unsigned int chain, uint32_t pos,
		     const struct rules_rule *rr);
void rules_load_error(struct sender *s);
void rules_sender_start(struct sender *s);
void rules_sender_flush(struct sender *s);
void rules_send_rule(struct sender *s, unsigned int chain, const struct rules_rule *rr);
void rules_send_set(struct sender *s, const struct rules_set *set);
void rules_send_flowtable(struct sender *s, const struct rules_flowtable *ft);

/* rules_decode.c */
/* What a dump rebuilds: the running set as a rules_file, and its chains' policy counters. */
struct dump {
	struct rules_file *rf;
	uint64_t generation;
	bool have_generation, intr;
	uint64_t policy_packets[SFW_CHAIN_COUNT], policy_bytes[SFW_CHAIN_COUNT];
};

int rules_parse_top(const struct nlmsghdr *nlh, const enum mnl_attr_data_type *types,
		     unsigned int max, const struct nlattr **tb);
extern const enum mnl_attr_data_type rules_top_types[SFW_A_MAX + 1];
void rules_dump(struct nl *nl, uint8_t cmd, const char *set_name, struct dump *d);
/* The reply to a commit (or a change with --recheck): generation, and what it ended. */
struct commit_reply {
	uint64_t generation;
	uint32_t count;
	bool have_count;
};

int commit_cb(const struct nlmsghdr *nlh, void *data);
/* "sfwctl: generation N WHAT[; K connections expired]" on stderr. */
void commit_report(const struct commit_reply *c, const char *what);

/* rule_set_cmd.c */
int rule_add(struct nl *nl, int argc, char **argv);
int rule_insert(struct nl *nl, int argc, char **argv);
int rule_delete(struct nl *nl, int argc, char **argv);
int set_add(struct nl *nl, int argc, char **argv);
int set_del(struct nl *nl, int argc, char **argv);
int set_list(struct nl *nl, int argc, char **argv);

#endif /* _SFWCTL_RULES_NL_H */
