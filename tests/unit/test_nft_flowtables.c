// SPDX-License-Identifier: GPL-2.0
/*
 * import-nft's flowtables (tools/nft_flowtables.c), without nftables in
 * the kernel: nft's flow_offload expression, built with libnftnl, goes
 * through the expression translator (tools/nft_expr.c) into a rule of a
 * chain, the flowtables the nft rule set has are libnftnl objects too,
 * and each row says what the rule must become, or the error it must be
 * named with. nft's flow add goes on through the chain and offloads
 * established connections only; sfw's accepts, so only a rule with
 * accept, or one that matches ct state established alone, translates.
 * TAP on stdout.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include "nft_import.h"
#include "tap.h"

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	exit(1);
}

void *sfwctl_grow(void *arr, u32 *cap, u32 want, size_t size)
{
	if (want <= *cap)
		return arr;
	*cap = want * 2;
	arr = realloc(arr, (size_t)*cap * size);
	if (!arr)
		abort();
	return arr;
}

/* The nft rule set's flowtables: table inet "t" holds ft (lan0, wan0) and
 * other; table inet "u" holds ft too (x0), gt (lan0) and one of a long name. */
struct nft_ft {
	const char *table, *name;
	const char *devs[3];
};

static const struct nft_ft nft_fts[] = {
	{ "t", "ft", { "lan0", "wan0", NULL } },
	{ "t", "other", { "dmz0", NULL } },
	{ "u", "ft", { "x0", NULL } },
	{ "u", "gt", { "lan0", NULL } },
	{ "u", "abcdefghijabcdefghijabcdefghijab", { "y0", NULL } },
};

enum verdict { V_NONE, V_ACCEPT, V_DROP };

struct row {
	const char *name;
	const char *table, *ft;	/* the rule's table; the flowtable its flow add names */
	int chain;
	u8 ctstate;		/* the rule's ct state match (bits of SFW_CT_*) */
	enum verdict verdict;
	const char *want;	/* "lan0,wan0": the devices imported; else the error's text */
};

#define EST (1U << SFW_CT_ESTABLISHED)
#define NEW (1U << SFW_CT_NEW)

static const struct row rows[] = {
	{ "ct state established flow add @ft: an accept", "t", "ft", SFW_CHAIN_FORWARD, EST,
	  V_NONE, "lan0,wan0" },
	{ "flow add @ft accept, any state", "t", "ft", SFW_CHAIN_FORWARD, 0, V_ACCEPT, "lan0,wan0" },
	{ "flow add @ft without accept or ct state", "t", "ft", SFW_CHAIN_FORWARD, 0, V_NONE,
	  "flow add without accept matches more than ct state established" },
	{ "ct state new,established flow add @ft", "t", "ft", SFW_CHAIN_FORWARD, EST | NEW, V_NONE,
	  "flow add without accept matches more than ct state established" },
	{ "flow add @ft drop", "t", "ft", SFW_CHAIN_FORWARD, EST, V_DROP,
	  "flow add with drop or reject" },
	{ "flow add in input", "t", "ft", SFW_CHAIN_INPUT, EST, V_ACCEPT,
	  "flow add outside the forward chain" },
	{ "flow add @nosuch", "t", "nosuch", SFW_CHAIN_FORWARD, EST, V_NONE,
	  "flowtable nosuch: not found" },
	{ "flowtable name of 32 characters", "u", "abcdefghijabcdefghijabcdefghijab",
	  SFW_CHAIN_FORWARD, EST, V_NONE, "the name is too long for sfw" },
};

/* The rule @r describes into x->rf (flow_offload, then its verdict, if any): its errors. */
static int translate(struct xlate *x, const struct row *r)
{
	struct nftnl_expr *fo = nftnl_expr_alloc("flow_offload"), *imm = NULL;
	struct rules_chain *ch = &x->rf->chain[r->chain];
	int before = x->errors;

	ch->defined = true;
	ch->rules = sfwctl_grow(ch->rules, &ch->cap, ch->n + 1, sizeof(*ch->rules));
	x->rr = &ch->rules[ch->n++];
	memset(x->rr, 0, sizeof(*x->rr));
	x->rr->r.ctstate = r->ctstate;
	x->table = r->table;
	x->chain = "c";
	x->sc = r->chain;
	x->verdict = false;
	nftnl_expr_set_str(fo, NFTNL_EXPR_FLOW_TABLE_NAME, r->ft);
	x->expr = fo;
	nft_expr(x, fo);
	if (r->verdict != V_NONE) {
		imm = nftnl_expr_alloc("immediate");
		nftnl_expr_set_u32(imm, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(imm, NFTNL_EXPR_IMM_VERDICT,
				   r->verdict == V_ACCEPT ? NF_ACCEPT : NF_DROP);
		x->expr = imm;
		nft_expr(x, imm);
	}
	x->expr = NULL;
	if (x->errors == before)
		nft_flow_offload_end(x);
	nftnl_expr_free(fo);
	if (imm)
		nftnl_expr_free(imm);
	return x->errors - before;
}

static struct nftnl_flowtable_list *nft_flowtables(void)
{
	struct nftnl_flowtable_list *l = nftnl_flowtable_list_alloc();
	unsigned int i;

	for (i = 0; i < sizeof(nft_fts) / sizeof(nft_fts[0]); i++) {
		struct nftnl_flowtable *ft = nftnl_flowtable_alloc();

		nftnl_flowtable_set_u32(ft, NFTNL_FLOWTABLE_FAMILY, NFPROTO_INET);
		nftnl_flowtable_set_str(ft, NFTNL_FLOWTABLE_TABLE, nft_fts[i].table);
		nftnl_flowtable_set_str(ft, NFTNL_FLOWTABLE_NAME, nft_fts[i].name);
		nftnl_flowtable_set_array(ft, NFTNL_FLOWTABLE_DEVICES,
					  (const char **)nft_fts[i].devs);
		nftnl_flowtable_list_add_tail(ft, l);
	}
	return l;
}

static void xlate_start(struct xlate *x, struct nft_objs *o)
{
	memset(x, 0, sizeof(*x));
	x->o = o;
	x->fam = "inet";
	x->family = NFPROTO_INET;
	x->rf = calloc(1, sizeof(*x->rf));
	if (!x->rf || !(x->rf->name = strdup("nftables")))
		abort();
}

/* One rule alone: the devices of the flowtable it brought in, or its error. */
static void test_rows(struct nft_objs *o)
{
	unsigned int i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		char *msg = NULL, got[256] = "", why[512] = "";
		size_t len = 0;
		FILE *saved = stderr;
		struct xlate x;
		int errors;
		u32 k;

		xlate_start(&x, o);
		stderr = open_memstream(&msg, &len);
		errors = translate(&x, r);
		fclose(stderr);
		stderr = saved;
		if (!errors) {
			const struct rules_rule *rr = x.rr;

			for (k = 0; x.rf->nflowtables && k < x.rf->flowtables[0].ndevs; k++)
				snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
					 k ? "," : "", x.rf->flowtables[0].devs[k]);
			if (strcmp(got, r->want))
				snprintf(why, sizeof(why), "devices <%s> want <%s>", got, r->want);
			else if (strcmp(rr->flow_table, r->ft) || rr->r.action != SFW_ACT_ACCEPT)
				snprintf(why, sizeof(why), "rule: flow add @%s, action %u",
					 rr->flow_table, rr->r.action);
		} else if (!strstr(msg, r->want)) {
			snprintf(why, sizeof(why), "error <%s> want <%s>", msg, r->want);
		} else if (errors != 1) {
			snprintf(why, sizeof(why), "%d errors: <%s>", errors, msg);
		}
		tap_result(!why[0], r->name, why);
		free(msg);
		sfw_rules_free(x.rf);
	}
}

/* Rules of two tables: one flowtable imported once; clashes named. */
static void test_tables(struct nft_objs *o)
{
	static const struct row again = { "", "t", "ft", SFW_CHAIN_FORWARD, EST, V_NONE, "" };
	static const struct row u_ft = { "", "u", "ft", SFW_CHAIN_FORWARD, EST, V_NONE, "" };
	static const struct row u_gt = { "", "u", "gt", SFW_CHAIN_FORWARD, EST, V_NONE, "" };
	struct xlate x;
	char *msg = NULL, why[512] = "";
	size_t len = 0;
	FILE *saved = stderr;
	int e1, e2, e3, e4;

	xlate_start(&x, o);
	stderr = open_memstream(&msg, &len);
	e1 = translate(&x, &rows[0]);
	e2 = translate(&x, &again);
	e3 = translate(&x, &u_ft);
	e4 = translate(&x, &u_gt);
	fclose(stderr);
	stderr = saved;
	if (e1 || e2 || x.rf->nflowtables != 1 || x.rf->chain[SFW_CHAIN_FORWARD].n != 4)
		snprintf(why, sizeof(why), "ft twice: %d %d errors, %u flowtables", e1, e2,
			 x.rf->nflowtables);
	else if (e3 != 1 || !strstr(msg, "a flowtable of that name in table t too"))
		snprintf(why, sizeof(why), "table u's ft: <%s>", msg);
	else if (e4 != 1 || !strstr(msg, "device lan0 is in flowtable ft too"))
		snprintf(why, sizeof(why), "table u's gt of lan0: <%s>", msg);
	tap_result(!why[0], "one flowtable imported once; clashes across tables named", why);
	free(msg);
	sfw_rules_free(x.rf);
}

int main(void)
{
	struct nft_objs o = { .flowtables = nft_flowtables() };

	test_rows(&o);
	test_tables(&o);
	nftnl_flowtable_list_free(o.flowtables);
	return tap_done();
}
