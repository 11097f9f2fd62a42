// SPDX-License-Identifier: GPL-2.0
/*
 * nft_sets.c - import-nft's sets: an nftables set's elements as sorted
 * intervals (a port set becomes port ranges, in nft_expr.c), and a named
 * address set copied into the rule file once, each interval as a prefix.
 * A set that cannot be copied is reported at its first use only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include "nft_import.h"

struct nftnl_set *nft_set_find(struct xlate *x, const char *name)
{
	struct nftnl_set_list_iter *it = nftnl_set_list_iter_create(x->o->sets);
	struct nftnl_set *s;

	while ((s = nftnl_set_list_iter_next(it)))
		if (nftnl_set_get_u32(s, NFTNL_SET_FAMILY) == x->family &&
		    !strcmp(nftnl_set_get_str(s, NFTNL_SET_TABLE), x->table) &&
		    !strcmp(nftnl_set_get_str(s, NFTNL_SET_NAME), name))
			break;
	nftnl_set_list_iter_destroy(it);
	return s;
}

struct elem {
	uint8_t key[16];
	bool end;
};

static int elem_cmp(const void *a, const void *b)
{
	const struct elem *x = a, *y = b;
	int c = memcmp(x->key, y->key, 16);

	return c ? c : (int)y->end - (int)x->end;	/* an end before a start at one key */
}

/* Big-endian @len-byte integer minus one, in place. */
static void be_dec(uint8_t *k, uint32_t len)
{
	while (len--) {
		if (k[len]--)
			break;
	}
}

/*
 * The set's elements as closed intervals [lo, hi] of @len-byte keys, in
 * @lo and @hi (each *n entries). Interval sets hold a start element and
 * an end element (flag INTERVAL_END, key one past the end) per range.
 */
int nft_set_intervals(struct nftnl_set *s, uint32_t len, uint8_t (**lo)[16],
			 uint8_t (**hi)[16], u32 *n)
{
	struct nftnl_set_elems_iter *it = nftnl_set_elems_iter_create(s);
	bool interval = nftnl_set_get_u32(s, NFTNL_SET_FLAGS) & NFT_SET_INTERVAL;
	struct nftnl_set_elem *el;
	struct elem *v = NULL;
	u32 nv = 0, cap = 0, i, k = 0;

	while ((el = nftnl_set_elems_iter_next(it))) {
		uint32_t kl;
		const void *key = nftnl_set_elem_get(el, NFTNL_SET_ELEM_KEY, &kl);

		if (!key || kl != len) {
			nftnl_set_elems_iter_destroy(it);
			free(v);
			return -1;
		}
		v = sfwctl_grow(v, &cap, nv + 1, sizeof(*v));
		memset(&v[nv], 0, sizeof(v[nv]));
		memcpy(v[nv].key, key, len);
		v[nv].end = nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_FLAGS) &&
			    (nftnl_set_elem_get_u32(el, NFTNL_SET_ELEM_FLAGS) & NFT_SET_ELEM_INTERVAL_END);
		nv++;
	}
	nftnl_set_elems_iter_destroy(it);
	qsort(v, nv, sizeof(*v), elem_cmp);
	*lo = calloc(nv + 1, 16);
	*hi = calloc(nv + 1, 16);
	if (!*lo || !*hi)
		die("out of memory");
	for (i = 0; i < nv; i++) {
		if (v[i].end)
			continue;
		memcpy((*lo)[k], v[i].key, 16);
		if (!interval) {
			memcpy((*hi)[k], v[i].key, 16);
		} else if (i + 1 < nv && v[i + 1].end) {
			memcpy((*hi)[k], v[i + 1].key, 16);
			be_dec((*hi)[k], len);
			i++;
		} else {
			memset((*hi)[k], 0xff, len);	/* open to the top */
		}
		k++;
	}
	free(v);
	*n = k;
	return 0;
}

/* [lo, hi] of @len bytes as one prefix, or -1. */
static int interval_prefix(const uint8_t *lo, const uint8_t *hi, uint32_t len)
{
	uint8_t m[16];
	uint32_t i;
	int plen;

	for (i = 0; i < len; i++)
		m[i] = ~(lo[i] ^ hi[i]);
	plen = nft_mask_len(m, len);
	if (plen < 0)
		return -1;
	for (i = plen; i < len * 8; i++) {
		uint8_t bit = 0x80 >> (i % 8);

		if ((lo[i / 8] & bit) || !(hi[i / 8] & bit))
			return -1;
	}
	return plen;
}

/* A named address set, copied into the rules_file once. */
bool nft_set_import(struct xlate *x, struct nftnl_set *s, u8 l3num)
{
	const char *name = nftnl_set_get_str(s, NFTNL_SET_NAME);
	uint32_t len = l3num == SFW_AF_INET ? 4 : 16;
	uint8_t (*lo)[16], (*hi)[16];
	struct rules_set *rs;
	u32 i, n;

	u32 bad = 0;

	for (i = 0; i < x->rf->nsets; i++)
		if (!strcmp(x->rf->sets[i].name, name))
			return true;
	for (i = 0; i < x->nbad_sets; i++)
		if (!strcmp(x->bad_sets[i], name))
			return false;	/* reported at its first use */
	x->bad_sets = sfwctl_grow(x->bad_sets, &x->cap_bad_sets, x->nbad_sets + 1,
				  sizeof(*x->bad_sets));
	x->bad_sets[x->nbad_sets++] = (char *)name;
	if (strlen(name) >= SFW_SET_NAME_LEN) {
		nft_xerr(x, "set %s: the name is too long for sfw", name);
		return false;
	}
	if (nft_set_intervals(s, len, &lo, &hi, &n) < 0) {
		nft_xerr(x, "set %s: not a set of addresses", name);
		return false;
	}
	x->nbad_sets--;
	x->rf->sets = sfwctl_grow(x->rf->sets, &x->rf->cap_sets, x->rf->nsets + 1, sizeof(*rs));
	rs = &x->rf->sets[x->rf->nsets++];
	memset(rs, 0, sizeof(*rs));
	strcpy(rs->name, name);
	rs->elems = calloc(n ? n : 1, sizeof(*rs->elems));
	if (!rs->elems)
		die("out of memory");
	for (i = 0; i < n; i++) {
		int plen = interval_prefix(lo[i], hi[i], len);
		struct sfw_prefix *p = &rs->elems[rs->n];

		if (plen < 0) {
			bad++;
			continue;
		}
		memcpy(&p->addr, lo[i], len);
		p->l3num = l3num;
		p->len = plen;
		rs->n++;
	}
	free(lo);
	free(hi);
	if (bad)
		nft_xerr(x, "set %s: %u of its ranges %s not a prefix: not supported", name, bad,
		     bad == 1 ? "is" : "are");
	return true;
}
