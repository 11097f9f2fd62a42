/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rules_parse.h - sfw rule files: text <-> struct rules_file.
 *
 * The parser turns a rule file (grammar in sfwctl(8), RULE FILE GRAMMAR)
 * into the five chains, their rules, the address sets and the
 * flowtables, each rule
 * held exactly as sfw_ruleset_builder_rule() (and, for NAT, _nat())
 * takes it. It checks everything the builder checks (a NAT rule by
 * feeding it to a scratch builder), so a parsed file always builds; the
 * first error wins and is reported as "FILE:LINE:COL: message 'word'",
 * and nothing is returned. The printers write a rules_file back in the
 * same syntax (optionally with counters, which the parser accepts and
 * ignores so that `sfwctl ruleset show` output loads again) or as JSON.
 *
 * Built in userspace over src/ruleset.h through src/stand/sfw_shim.h:
 * -I../src, with ../src/ruleset.c ../src/addrset.c.
 */
#ifndef _SFW_RULES_PARSE_H
#define _SFW_RULES_PARSE_H

#include <stdio.h>
#include "ruleset.h"

#define SFW_RULES_ERR_LEN	512	/* size of every @err below */
#define SFW_RULES_LINE_MAX	4096	/* characters per line */
#define SFW_RULES_SET_MAX	1000000	/* elements per set */

struct rules_rule {
	/* nsport/ndport/nnat count the arrays below; *_off, *_set unused */
	struct sfw_rule r;
	struct sfw_port_range *sports, *dports;
	struct sfw_nat_range *nat;	/* snat, dnat, masquerade: r.nnat targets */
	char saddr_set[SFW_SET_NAME_LEN], daddr_set[SFW_SET_NAME_LEN];	/* "": none */
	char add_set[SFW_SET_NAME_LEN];	/* `add @NAME`; "": none */
	char flow_table[SFW_SET_NAME_LEN];	/* `flow add @NAME` (an accept); "": none */
	u32 line;		/* where it was read; 0 if it came from elsewhere */
	u64 packets, bytes;	/* printed with SFW_RULES_PRINT_COUNTERS; never parsed */
};

struct rules_chain {
	bool defined;		/* a `chain` line named it (printers skip the others) */
	u8 policy;		/* SFW_ACT_ACCEPT or SFW_ACT_DROP */
	u32 line;
	u32 n, cap;
	struct rules_rule *rules;
};

struct rules_set {
	char name[SFW_SET_NAME_LEN];
	u32 line;
	u32 timeout;		/* seconds (`timeout` in its braces); 0: none */
	u32 n, cap;
	struct sfw_prefix *elems;	/* normalized */
};

/* `flowtable NAME { devices = { DEV, ... } }`: where the fast path runs. */
struct rules_flowtable {
	char name[SFW_SET_NAME_LEN];
	u32 line;
	u32 ndevs;		/* 1..SFW_FLOWTABLE_DEVS_MAX once complete */
	char devs[SFW_FLOWTABLE_DEVS_MAX][SFW_IFNAMSIZ];
};

struct rules_file {
	char *name;		/* file name used in messages */
	struct rules_chain chain[SFW_CHAIN_COUNT];
	u32 nsets, cap_sets;
	struct rules_set *sets;
	u32 nflowtables;	/* at most SFW_FLOWTABLES_MAX, in file order */
	struct rules_flowtable flowtables[SFW_FLOWTABLES_MAX];
};

/*
 * Parse @len bytes of @buf (need not be NUL-terminated), read from @fname.
 * NULL with @err set ("FILE:LINE:COL: message 'word'", or "FILE: out of
 * memory") on any error; nothing is left allocated.
 */
struct rules_file *sfw_rules_parse(const char *fname, const char *buf, size_t len, char *err);
void sfw_rules_free(struct rules_file *rf);

/*
 * Feed the chains' policies, the rules and the sets to @b. 0, or a
 * negative errno with @err saying "FILE:LINE: message" of the rule or set
 * the builder refused. The caller still compiles (and frees) @b.
 */
int sfw_rules_file_to_builder(const struct rules_file *rf, struct sfw_ruleset_builder *b,
			      char *err);

/* rules_print.c */
#define SFW_RULES_PRINT_COUNTERS	0x1	/* `counter packets N bytes N` per rule */

/* One rule without indentation or newline, e.g. "tcp dport 22 accept". */
void sfw_rules_print_rule(FILE *f, const struct rules_rule *rr, unsigned int flags);
/* The whole file, in the syntax sfw_rules_parse() reads. */
void sfw_rules_print(FILE *f, const struct rules_file *rf, unsigned int flags);
/* The same as one JSON object: {"chains":[...],"sets":[...],"flowtables":[...]}, newline-terminated. */
void sfw_rules_print_json(FILE *f, const struct rules_file *rf, unsigned int flags);

/* Shared by the parser and the printers. */
struct sfw_rules_name {
	const char *name;
	unsigned int val;
};

extern const struct sfw_rules_name sfw_rules_icmp_types[], sfw_rules_icmpv6_types[];
extern const struct sfw_rules_name sfw_rules_protos[];
/* The name of @val in the NULL-terminated @tab, or NULL. */
const char *sfw_rules_name_of(const struct sfw_rules_name *tab, unsigned int val);

#endif /* _SFW_RULES_PARSE_H */
