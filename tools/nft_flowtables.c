// SPDX-License-Identifier: GPL-2.0
/*
 * nft_flowtables.c - import-nft's flowtables: nft's `flow add @ft` (the
 * flow_offload expression) and the flowtable it names, with its devices.
 *
 * nft's flow add is a statement: the packet goes on through the chain,
 * and a connection is offloaded only once it is established (nft never
 * offloads a new or related packet's connection). sfw's flow add is
 * terminal, an accept, since sfw is first-match. The two agree when the
 * rule accepts anyway, or when it matches established packets only (an
 * offloaded connection skips nft's chain from then on); any other rule
 * would accept packets nft goes on judging, and is named instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libnftnl/flowtable.h>
#include "nft_import.h"

struct ft_find {
	uint32_t family;
	const char *table, *name;
	struct nftnl_flowtable *found;
};

static int ft_match(struct nftnl_flowtable *ft, void *data)
{
	struct ft_find *f = data;

	if (!f->found && nftnl_flowtable_get_u32(ft, NFTNL_FLOWTABLE_FAMILY) == f->family &&
	    !strcmp(nftnl_flowtable_get_str(ft, NFTNL_FLOWTABLE_TABLE), f->table) &&
	    !strcmp(nftnl_flowtable_get_str(ft, NFTNL_FLOWTABLE_NAME), f->name))
		f->found = ft;
	return 0;
}

/* Copy flowtable @name of the rule's table into x->rf once; false after reporting why not. */
static bool ft_import(struct xlate *x, const char *name)
{
	struct ft_find f = { x->family, x->table, name, NULL };
	const char *const *devs;
	struct rules_flowtable *ft;
	u32 i, k, n;

	for (i = 0; i < x->rf->nflowtables; i++) {
		if (strcmp(x->rf->flowtables[i].name, name))
			continue;
		if (strcmp(x->ft_tables[i], x->table)) {
			nft_xerr(x, "flowtable %s: a flowtable of that name in table %s too (name a TABLE)",
				 name, x->ft_tables[i]);
			return false;
		}
		return true;
	}
	if (strlen(name) >= SFW_SET_NAME_LEN) {
		nft_xerr(x, "flowtable %s: the name is too long for sfw", name);
		return false;
	}
	if (x->rf->nflowtables >= SFW_FLOWTABLES_MAX) {
		nft_xerr(x, "flowtable %s: sfw has %u flowtables at most", name, SFW_FLOWTABLES_MAX);
		return false;
	}
	nftnl_flowtable_list_foreach(x->o->flowtables, ft_match, &f);
	devs = f.found ? nftnl_flowtable_get_array(f.found, NFTNL_FLOWTABLE_DEVICES) : NULL;
	for (n = 0; devs && devs[n]; n++)
		;
	if (!n || n > SFW_FLOWTABLE_DEVS_MAX) {
		nft_xerr(x, "flowtable %s: %s", name, !f.found ? "not found" :
			 n ? "more than 32 devices" : "no devices");
		return false;
	}
	ft = &x->rf->flowtables[x->rf->nflowtables];
	memset(ft, 0, sizeof(*ft));
	strcpy(ft->name, name);
	for (i = 0; i < n; i++) {
		if (strlen(devs[i]) >= SFW_IFNAMSIZ) {
			nft_xerr(x, "flowtable %s: device name %s too long", name, devs[i]);
			return false;
		}
		/* nft lets a device be in two flowtables of different tables; sfw does not. */
		for (k = 0; k < x->rf->nflowtables; k++)
			for (u32 d = 0; d < x->rf->flowtables[k].ndevs; d++)
				if (!strcmp(x->rf->flowtables[k].devs[d], devs[i])) {
					nft_xerr(x, "flowtable %s: device %s is in flowtable %s too (sfw: one at most)",
						 name, devs[i], x->rf->flowtables[k].name);
					return false;
				}
		strcpy(ft->devs[ft->ndevs++], devs[i]);
	}
	x->ft_tables[x->rf->nflowtables++] = x->table;
	return true;
}

void nft_flow_offload(struct xlate *x, const struct nftnl_expr *e)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_FLOW_TABLE_NAME);

	if (!name) {
		nft_xerr(x, "flow add without a flowtable");
		return;
	}
	if (x->rr->flow_table[0]) {
		nft_xerr(x, "a second flow add");
		return;
	}
	if (x->sc != SFW_CHAIN_FORWARD) {
		nft_xerr(x, "flow add outside the forward chain");
		return;
	}
	if (ft_import(x, name))
		strcpy(x->rr->flow_table, name);
}

void nft_flow_offload_end(struct xlate *x)
{
	struct sfw_rule *r = &x->rr->r;

	if (!x->rr->flow_table[0])
		return;
	if (x->verdict) {
		if (r->action != SFW_ACT_ACCEPT)
			nft_xerr(x, "flow add with drop or reject (sfw's flow add is an accept)");
		return;
	}
	if (r->ctstate != 1U << SFW_CT_ESTABLISHED) {
		nft_xerr(x, "flow add without accept matches more than ct state established: nft goes on judging those packets, sfw's flow add would accept them");
		return;
	}
	r->action = SFW_ACT_ACCEPT;
	x->verdict = true;
}
