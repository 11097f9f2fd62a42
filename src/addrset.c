// SPDX-License-Identifier: GPL-2.0
/*
 * addrset.c - address sets with longest-prefix membership; see addrset.h.
 *
 * Layout: the elements, sorted and unique, and an open-addressing hash
 * table of their indices keyed by (family, length, masked address). The
 * distinct lengths of each family are listed, so a lookup masks the
 * address once per length and probes once per length.
 */
#include "addrset.h"

#define SFW_AS_EMPTY	0	/* slot value: 0 empty, else element index + 1 */

struct sfw_addrset {
	u32 n;
	u32 mask;		/* table size - 1 */
	u64 seed;
	u8 nlens[2];		/* per family: 0 IPv4, 1 IPv6 */
	u8 lens[2][129];
	struct sfw_prefix *elems;
	u32 *table;
};

static unsigned int fam(u8 l3num)
{
	return l3num == SFW_AF_INET6;
}

static void addr_mask(union sfw_addr *a, u8 l3num, u8 len)
{
	unsigned int i, words = l3num == SFW_AF_INET ? 1 : 4;

	for (i = 0; i < words; i++) {
		unsigned int bits = len > 32 * i ? len - 32 * i : 0;

		if (bits >= 32)
			continue;
		a->ip6[i] &= bits ? htonl(~0U << (32 - bits)) : 0;
	}
	if (l3num == SFW_AF_INET)
		a->ip6[1] = a->ip6[2] = a->ip6[3] = 0;
}

int sfw_prefix_normalize(struct sfw_prefix *p)
{
	if (p->l3num == SFW_AF_INET) {
		if (p->len > 32)
			return -EINVAL;
	} else if (p->l3num == SFW_AF_INET6) {
		if (p->len > 128)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	addr_mask(&p->addr, p->l3num, p->len);
	p->pad[0] = 0;
	p->pad[1] = 0;
	return 0;
}

bool sfw_prefix_match(const struct sfw_prefix *p, u8 l3num, const union sfw_addr *addr)
{
	union sfw_addr a = *addr;

	if (p->l3num != l3num)
		return false;
	addr_mask(&a, l3num, p->len);
	return !memcmp(&a, &p->addr, l3num == SFW_AF_INET ? 4 : 16);
}

/* A 64-bit mix (splitmix64's finalizer) over the key, keyed by @seed. */
static u64 mix(u64 x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static u32 prefix_hash(u64 seed, u8 l3num, u8 len, const union sfw_addr *a)
{
	u64 h = seed ^ ((u64)l3num << 8 | len);
	unsigned int i;

	for (i = 0; i < (l3num == SFW_AF_INET ? 1U : 4U); i++)
		h = mix(h ^ (__force u32)a->ip6[i]);
	return (u32)mix(h);
}

static int prefix_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct sfw_prefix));
}

struct sfw_addrset *sfw_addrset_build(const struct sfw_prefix *elems, u32 n, u64 seed)
{
	struct sfw_addrset *set;
	u32 i, j, size = 16;
	bool seen[2][129];

	if (n > (1U << 24))
		return NULL;
	set = sfw_zalloc(sizeof(*set));
	if (!set)
		return NULL;
	while (size < 2 * n)
		size <<= 1;
	set->elems = sfw_zalloc((n ? n : 1) * sizeof(*elems));
	set->table = sfw_zalloc(size * sizeof(u32));
	if (!set->elems || !set->table) {
		sfw_addrset_free(set);
		return NULL;
	}
	set->mask = size - 1;
	set->seed = seed;

	/* Sorted and unique: listing is stable and duplicates cost nothing. */
	if (n)
		memcpy(set->elems, elems, n * sizeof(*elems));
	sfw_sort(set->elems, n, sizeof(*elems), prefix_cmp);
	for (i = 0, j = 0; i < n; i++)
		if (!j || prefix_cmp(&set->elems[j - 1], &set->elems[i]))
			set->elems[j++] = set->elems[i];
	set->n = j;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < set->n; i++) {
		const struct sfw_prefix *p = &set->elems[i];
		u32 h = prefix_hash(seed, p->l3num, p->len, &p->addr) & set->mask;

		while (set->table[h] != SFW_AS_EMPTY)
			h = (h + 1) & set->mask;
		set->table[h] = i + 1;
		if (!seen[fam(p->l3num)][p->len]) {
			seen[fam(p->l3num)][p->len] = true;
			set->lens[fam(p->l3num)][set->nlens[fam(p->l3num)]++] = p->len;
		}
	}
	return set;
}

void sfw_addrset_free(struct sfw_addrset *set)
{
	if (!set)
		return;
	sfw_free(set->elems);
	sfw_free(set->table);
	sfw_free(set);
}

bool sfw_addrset_lookup(const struct sfw_addrset *set, u8 l3num, const union sfw_addr *addr)
{
	unsigned int f = fam(l3num), i;

	for (i = 0; i < set->nlens[f]; i++) {
		u8 len = set->lens[f][i];
		union sfw_addr a = *addr;
		u32 h, v;

		addr_mask(&a, l3num, len);
		h = prefix_hash(set->seed, l3num, len, &a) & set->mask;
		while ((v = set->table[h]) != SFW_AS_EMPTY) {
			const struct sfw_prefix *p = &set->elems[v - 1];

			if (p->l3num == l3num && p->len == len &&
			    !memcmp(&p->addr, &a, sizeof(a)))
				return true;
			h = (h + 1) & set->mask;
		}
	}
	return false;
}

u32 sfw_addrset_count(const struct sfw_addrset *set)
{
	return set->n;
}

const struct sfw_prefix *sfw_addrset_elems(const struct sfw_addrset *set)
{
	return set->elems;
}
