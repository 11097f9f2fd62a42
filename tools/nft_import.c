// SPDX-License-Identifier: GPL-2.0
/*
 * nft_import.c: `sfwctl ruleset import-nft [TABLE] [--load]`.
 *
 * Reads the live nftables rule set of the caller's namespace through
 * libnftnl (nft_read.c) and translates it into a struct rules_file,
 * which is printed with rules_print.c or loaded through the same path as
 * `ruleset load`. This file walks the base chains and their rules;
 * nft_expr.c translates a rule's expressions and nft_sets.c its sets.
 * Whatever does not fit (another expression, a negation, a jump, a chain
 * at another hook) is reported once with its table, chain and rule
 * handle as `nft -a list ruleset` shows them, every such place is
 * listed, and nothing is printed or loaded.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include "nft_import.h"

static const char *family_name(uint32_t f)
{
	switch (f) {
	case NFPROTO_IPV4: return "ip";
	case NFPROTO_IPV6: return "ip6";
	case NFPROTO_INET: return "inet";
	case NFPROTO_ARP: return "arp";
	case NFPROTO_BRIDGE: return "bridge";
	case NFPROTO_NETDEV: return "netdev";
	}
	return "?";
}

static int chain_of_hook(uint32_t hook)
{
	switch (hook) {
	case NF_INET_LOCAL_IN: return SFW_CHAIN_INPUT;
	case NF_INET_FORWARD: return SFW_CHAIN_FORWARD;
	case NF_INET_LOCAL_OUT: return SFW_CHAIN_OUTPUT;
	}
	return -1;
}

static bool wanted(struct xlate *x, const char *table)
{
	return !x->only || !strcmp(x->only, table);
}

static void x_rule(struct xlate *x, struct nftnl_rule *r, struct rules_chain *ch)
{
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	struct rules_rule *rr;
	int before = x->errors;

	ch->rules = sfwctl_grow(ch->rules, &ch->cap, ch->n + 1, sizeof(*ch->rules));
	rr = &ch->rules[ch->n];
	memset(rr, 0, sizeof(*rr));
	rr->r.saddr_set = rr->r.daddr_set = -1;
	x->rr = rr;
	x->handle = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
	x->verdict = false;
	x->load = L_NONE;
	it = nftnl_expr_iter_create(r);
	while ((e = nftnl_expr_iter_next(it))) {
		x->expr = e;
		nft_expr(x, e);
	}
	x->expr = NULL;
	nftnl_expr_iter_destroy(it);
	if (x->errors == before)
		nft_flow_offload_end(x);
	if (!x->verdict && x->errors == before)
		nft_xerr(x, "a rule without accept, drop or reject (sfw rules always decide)");
	ch->n++;
	x->rr = NULL;
}

static void translate(struct xlate *x)
{
	struct nftnl_chain_list_iter *ci = nftnl_chain_list_iter_create(x->o->chains);
	bool seen[SFW_CHAIN_COUNT] = { false };
	struct nftnl_chain *c;

	while ((c = nftnl_chain_list_iter_next(ci))) {
		struct nftnl_rule_list_iter *ri;
		struct rules_chain *ch;
		struct nftnl_rule *r;
		const char *type;
		int sc;

		x->family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
		x->fam = family_name(x->family);
		x->table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
		x->chain = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
		if (!wanted(x, x->table))
			continue;
		if (!nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM)) {
			nft_xerr(x, "a regular chain (a jump target) is not supported");
			continue;
		}
		type = nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE);
		sc = chain_of_hook(nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM));
		if (x->family != NFPROTO_IPV4 && x->family != NFPROTO_IPV6 &&
		    x->family != NFPROTO_INET) {
			nft_xerr(x, "only ip, ip6 and inet tables are supported");
			continue;
		}
		if (sc < 0 || !type || strcmp(type, "filter")) {
			nft_xerr(x, "only filter chains at hook input, forward or output are supported");
			continue;
		}
		if (seen[sc]) {
			nft_xerr(x, "a second chain at hook %s (sfw has one; name a TABLE)",
			     sfw_chain_names[sc]);
			continue;
		}
		seen[sc] = true;
		x->sc = sc;
		ch = &x->rf->chain[sc];
		ch->defined = true;
		ch->policy = nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) == NF_DROP ?
			     SFW_ACT_DROP : SFW_ACT_ACCEPT;

		ri = nftnl_rule_list_iter_create(x->o->rules);
		while ((r = nftnl_rule_list_iter_next(ri))) {
			if (nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY) != x->family ||
			    strcmp(nftnl_rule_get_str(r, NFTNL_RULE_TABLE), x->table) ||
			    strcmp(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), x->chain))
				continue;
			x_rule(x, r, ch);
		}
		nftnl_rule_list_iter_destroy(ri);
	}
	nftnl_chain_list_iter_destroy(ci);
}

/* Is there a table named @name (in any family), or any table at all with NULL? */
static bool table_exists(const struct nft_objs *o, const char *name)
{
	struct nftnl_table_list_iter *it = nftnl_table_list_iter_create(o->tables);
	struct nftnl_table *t;
	bool found = false;

	while (!found && (t = nftnl_table_list_iter_next(it)))
		found = !name || !strcmp(nftnl_table_get_str(t, NFTNL_TABLE_NAME), name);
	nftnl_table_list_iter_destroy(it);
	return found;
}

static void import_help(void)
{
	puts("usage: sfwctl ruleset import-nft [TABLE] [--load [--recheck]] [-j]\n"
	     "read the live nftables rule set (of this namespace, or only TABLE) and\n"
	     "translate it into sfw's rule syntax: base filter chains at input, forward\n"
	     "and output with their policies; ct state, ip/ip6 saddr/daddr, ip6 nexthdr,\n"
	     "tcp/udp sport/dport (values, ranges, sets), iifname/oifname, icmp and\n"
	     "icmpv6 type, meta l4proto, named address sets; log [prefix]; accept,\n"
	     "drop, reject; flow add @FT with its flowtable; counters are ignored.\n"
	     "Prints the result, or loads it with --load. Anything else is named\n"
	     "once, by table, chain and rule handle (nft -a list ruleset) with\n"
	     "libnftnl's text of the expression, and nothing happens (exit 1). So\n"
	     "does a missing TABLE, or no table at all.");
}

int ruleset_import_nft(struct nl *nl, int argc, char **argv)
{
	struct xlate x = { 0 };
	struct nft_objs o;
	bool load = false, recheck = false;
	int a;

	for (a = 0; a < argc; a++) {
		if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			import_help();
			return 0;
		} else if (!strcmp(argv[a], "--load")) {
			load = true;
		} else if (!strcmp(argv[a], "--recheck")) {
			recheck = true;
		} else if (!strcmp(argv[a], "-j")) {
			json = true;
		} else if (argv[a][0] == '-') {
			usage_error("ruleset import-nft: unknown option '%s'", argv[a]);
		} else if (x.only) {
			usage_error("ruleset import-nft: one table only ('%s')", argv[a]);
		} else {
			x.only = argv[a];
		}
	}
	if (recheck && !load)
		usage_error("ruleset import-nft: --recheck goes with --load");

	nft_read(&o);
	if (!table_exists(&o, x.only)) {
		if (x.only)
			fprintf(stderr, "sfwctl: import-nft: no nftables table '%s' (nft list tables)\n",
				x.only);
		else
			fputs("sfwctl: import-nft: no nftables tables in this namespace: nothing to translate\n",
			      stderr);
		return 1;
	}
	x.o = &o;
	x.rf = calloc(1, sizeof(*x.rf));
	if (!x.rf || !(x.rf->name = strdup("nftables")))
		die("out of memory");
	translate(&x);
	if (x.errors) {
		fprintf(stderr, "sfwctl: import-nft: %d thing%s not translated; nothing %s\n",
			x.errors, x.errors == 1 ? "" : "s", load ? "loaded" : "printed");
		return 1;
	}
	if (!load) {
		if (json)
			sfw_rules_print_json(stdout, x.rf, 0);
		else
			sfw_rules_print(stdout, x.rf, 0);
		sfw_rules_free(x.rf);
		return 0;
	}
	return rules_file_load(nl, x.rf, recheck ? LOAD_RECHECK : LOAD_COMMIT);
}
