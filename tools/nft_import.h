/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nft_import.h - what the files of `sfwctl ruleset import-nft` share:
 * the nftables objects read (nft_read.c), the translation state of one
 * rule, the expression translator (nft_expr.c), the set importer
 * (nft_sets.c) and the flowtable importer (nft_flowtables.c); nft_import.c walks the chains and runs the command.
 */
#ifndef _SFWCTL_NFT_IMPORT_H
#define _SFWCTL_NFT_IMPORT_H

#include <libnftnl/table.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/expr.h>
#include <libnftnl/set.h>
#include <libnftnl/flowtable.h>
#include "sfwctl.h"
#include "rules_parse.h"

/* Everything of this namespace's nftables rule set, one dump per type. */
struct nft_objs {
	struct nftnl_table_list *tables;
	struct nftnl_chain_list *chains;
	struct nftnl_rule_list *rules;
	struct nftnl_set_list *sets;
	struct nftnl_flowtable_list *flowtables;
};

/* Dump tables, chains, rules, sets and their elements, flowtables into @o; dies on error. */
void nft_read(struct nft_objs *o);

struct xlate {
	struct rules_file *rf;
	const struct nft_objs *o;
	const char *only;	/* TABLE, or NULL */
	int errors;
	/* the rule being translated */
	const char *fam, *table, *chain;
	uint32_t family;
	int sc;			/* the sfw chain the rules go to */
	uint64_t handle;
	struct rules_rule *rr;
	const struct nftnl_expr *expr;	/* the expression being read, for messages */
	bool verdict;
	char **bad_sets;	/* sets already reported, so that each is reported once */
	u32 nbad_sets, cap_bad_sets;
	const char *ft_tables[SFW_FLOWTABLES_MAX];	/* the table of each rf->flowtables[] */
	/* the last load: what the next cmp/lookup/range compares */
	enum { L_NONE, L_META, L_CT, L_NET, L_TRANSPORT } load;
	uint32_t key, offset, len;
	uint8_t mask[16];
	bool masked;
	bool have_lo;		/* a cmp gte gave the low end of a port range */
	u16 lo;
};

/* Name what cannot be translated: table, chain, handle, the expression's text. */
void nft_xerr(struct xlate *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A netmask of @len bytes as a prefix length, or -1 if it is not one. */
int nft_mask_len(const uint8_t *m, uint32_t len);
/* Translate one expression of the rule in x->rr. */
void nft_expr(struct xlate *x, const struct nftnl_expr *e);

/* nft_sets.c */
struct nftnl_set *nft_set_find(struct xlate *x, const char *name);
/* @s's elements as sorted intervals [lo, hi] of @len bytes; -1 if not such a set. */
int nft_set_intervals(struct nftnl_set *s, uint32_t len, uint8_t (**lo)[16],
		      uint8_t (**hi)[16], u32 *n);
/* Copy the named address set @s into x->rf once; false after reporting why not. */
bool nft_set_import(struct xlate *x, struct nftnl_set *s, u8 l3num);

/* nft_flowtables.c */
/* flow_offload (`flow add @ft`): the flowtable's name, and the flowtable itself once. */
void nft_flow_offload(struct xlate *x, const struct nftnl_expr *e);
/* At the rule's end: a flow add without a verdict is an accept, if that is what nft does. */
void nft_flow_offload_end(struct xlate *x);

#endif /* _SFWCTL_NFT_IMPORT_H */
