// SPDX-License-Identifier: GPL-2.0
/*
 * addrset.c - address sets with longest-prefix membership; see addrset.h.
 *
 * Layout: the elements, sorted and unique, and an open-addressing hash
 * table (linear probing) of their indices keyed by (family, length,
 * masked address). The distinct lengths of each family are listed, so a
 * lookup masks the address once per length and probes once per length.
 *
 * Changing a set (sfw_addrset_update()) makes a new version and leaves
 * the old one to its readers. Adding k elements to n: sort the k, merge
 * them into a copy of the sorted array in one pass, copy the table and
 * shift each index by the number of new elements sorted before it (a
 * binary search over the k, or for many a map the merge fills), then
 * insert the k. Removing: copy the array without them, delete their slots
 * from a copy of the table (backward shift, so no tombstones), shift the
 * indices down. Only a table that must grow (or may shrink a lot) is
 * filled again, from the already sorted array: amortized over the
 * doublings, nothing is ever sorted or hashed but the changed elements.
 * Any version equals the one sfw_addrset_build() makes from its elements.
 */
#include "addrset.h"

#define SFW_AS_EMPTY	0	/* slot value: 0 empty, else element index + 1 */
#define SFW_AS_MAP_MIN	16	/* changed elements from which indices move by a map */

struct sfw_addrset {
	u32 n;
	u32 mask;		/* table size - 1 */
	u64 seed;
	u8 nlens[2];		/* per family: 0 IPv4, 1 IPv6 */
	u8 lens[2][129];
	u32 lencnt[2][129];	/* elements of each (family, length) */
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

static u32 home(const struct sfw_addrset *set, const struct sfw_prefix *p)
{
	return prefix_hash(set->seed, p->l3num, p->len, &p->addr) & set->mask;
}

/* Table sizes: a power of two at least twice the elements, at least 16. */
static u32 table_size(u32 n)
{
	u32 size = 16;

	while (size < 2 * n)
		size <<= 1;
	return size;
}

/* An empty set of room for @n elements and @size slots, or NULL. */
static struct sfw_addrset *set_alloc(u32 n, u32 size, u64 seed)
{
	struct sfw_addrset *set = sfw_zalloc_acct(sizeof(*set));

	if (!set)
		return NULL;
	set->elems = sfw_zalloc_acct((n ? n : 1) * sizeof(*set->elems));
	set->table = sfw_zalloc_acct(size * sizeof(u32));
	if (!set->elems || !set->table) {
		sfw_addrset_free(set);
		return NULL;
	}
	set->mask = size - 1;
	set->seed = seed;
	return set;
}

static void table_insert(struct sfw_addrset *set, u32 i)
{
	u32 h = home(set, &set->elems[i]);

	while (set->table[h] != SFW_AS_EMPTY)
		h = (h + 1) & set->mask;
	set->table[h] = i + 1;
}

/* Fill the (zeroed) table from the elements. */
static void table_fill(struct sfw_addrset *set)
{
	u32 i;

	for (i = 0; i < set->n; i++)
		table_insert(set, i);
}

/*
 * Empty slot @i and close the gap (Knuth's algorithm R): an entry further
 * on moves back into it unless that would put it before its home slot.
 * The indices in the table are still those of @set->elems.
 */
static void table_delete(struct sfw_addrset *set, u32 i)
{
	u32 j = i, h;

	for (;;) {
		set->table[i] = SFW_AS_EMPTY;
		for (;;) {
			j = (j + 1) & set->mask;
			if (set->table[j] == SFW_AS_EMPTY)
				return;
			h = home(set, &set->elems[set->table[j] - 1]);
			/* Movable unless its home lies cyclically in (i, j]. */
			if (i <= j ? (h <= i || h > j) : (h <= i && h > j))
				break;
		}
		set->table[i] = set->table[j];
		i = j;
	}
}

/* The lengths present, from the counts, in one order whatever the history. */
static void lens_update(struct sfw_addrset *set)
{
	unsigned int f, len;

	for (f = 0; f < 2; f++) {
		set->nlens[f] = 0;
		for (len = 0; len <= 128; len++)
			if (set->lencnt[f][len])
				set->lens[f][set->nlens[f]++] = len;
	}
}

/* Sort @elems and drop the duplicates; the count left. */
static u32 sort_unique(struct sfw_prefix *elems, u32 n)
{
	u32 i, j;

	sfw_sort(elems, n, sizeof(*elems), prefix_cmp);
	for (i = 0, j = 0; i < n; i++)
		if (!j || prefix_cmp(&elems[j - 1], &elems[i]))
			elems[j++] = elems[i];
	return j;
}

struct sfw_addrset *sfw_addrset_build(const struct sfw_prefix *elems, u32 n, u64 seed)
{
	struct sfw_addrset *set;
	u32 i;

	if (n > SFW_ADDRSET_MAX)
		return NULL;
	set = sfw_zalloc_acct(sizeof(*set));
	if (!set)
		return NULL;
	set->seed = seed;
	set->elems = sfw_zalloc_acct((n ? n : 1) * sizeof(*elems));
	if (!set->elems)
		goto nomem;
	/* Sorted and unique: listing is stable and duplicates cost nothing. */
	if (n)
		memcpy(set->elems, elems, n * sizeof(*elems));
	set->n = sort_unique(set->elems, n);
	set->table = sfw_zalloc_acct(table_size(set->n) * sizeof(u32));
	if (!set->table)
		goto nomem;
	set->mask = table_size(set->n) - 1;
	table_fill(set);
	for (i = 0; i < set->n; i++)
		set->lencnt[fam(set->elems[i].l3num)][set->elems[i].len]++;
	lens_update(set);
	return set;

nomem:
	sfw_addrset_free(set);
	return NULL;
}

/* The index of @p in @set, or -1. */
static s64 find(const struct sfw_addrset *set, const struct sfw_prefix *p)
{
	u32 lo = 0, hi = set->n;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		int c = prefix_cmp(&set->elems[mid], p);

		if (!c)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* How many of the ascending @v[0..n) are below @x (@le: at most @x). */
static u32 count_below(const u32 *v, u32 n, u32 x, bool le)
{
	u32 lo = 0, hi = n;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (v[mid] < x || (le && v[mid] == x))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int set_add(const struct sfw_addrset *set, struct sfw_prefix *elems, u32 n,
		   u32 max, struct sfw_addrset **out)
{
	struct sfw_addrset *next;
	u32 k = 0, i, j, o, size, *ins, *map = NULL;

	/* Keep only the new ones, in @elems' order (sorted). */
	for (i = 0; i < n; i++)
		if (find(set, &elems[i]) < 0)
			elems[k++] = elems[i];
	*out = NULL;
	if (!k)
		return 0;
	if (max > SFW_ADDRSET_MAX)
		max = SFW_ADDRSET_MAX;
	if (set->n + k > max || set->n + k < set->n)
		return -ENOSPC;

	/* ins[j]: how many old elements sort before new element j. */
	ins = sfw_zalloc_acct(k * sizeof(*ins));
	size = table_size(set->n + k);
	if (size < set->mask + 1)
		size = set->mask + 1;
	next = ins ? set_alloc(set->n + k, size, set->seed) : NULL;
	if (!next) {
		sfw_free(ins);
		return -ENOMEM;
	}

	/* Many new ones: a map old -> new index beats a search per slot. */
	if (k > SFW_AS_MAP_MIN && size == set->mask + 1)
		map = sfw_zalloc_acct((set->n ? set->n : 1) * sizeof(*map));

	/* One merge pass. */
	for (i = 0, j = 0, o = 0; i < set->n || j < k; o++) {
		if (j < k && (i == set->n || prefix_cmp(&elems[j], &set->elems[i]) < 0)) {
			ins[j] = i;
			next->elems[o] = elems[j++];
		} else {
			if (map)
				map[i] = o;
			next->elems[o] = set->elems[i++];
		}
	}
	next->n = set->n + k;
	memcpy(next->lencnt, set->lencnt, sizeof(next->lencnt));
	for (j = 0; j < k; j++)
		next->lencnt[fam(elems[j].l3num)][elems[j].len]++;
	lens_update(next);

	if (size != set->mask + 1) {
		/* Grown: every index moves anyway. */
		table_fill(next);
	} else {
		/* Old element o is now o + (new elements sorted before it). */
		for (i = 0; i <= next->mask; i++) {
			u32 v = set->table[i];

			if (v != SFW_AS_EMPTY)
				v = map ? map[v - 1] + 1 : v + count_below(ins, k, v - 1, true);
			next->table[i] = v;
		}
		for (j = 0; j < k; j++)
			table_insert(next, ins[j] + j);
	}
	sfw_free(map);
	sfw_free(ins);
	*out = next;
	return 0;
}

static int set_del(const struct sfw_addrset *set, const struct sfw_prefix *elems, u32 n,
		   struct sfw_addrset **out)
{
	struct sfw_addrset *next;
	u32 k = 0, i, j, o, size, *del, *map = NULL;
	s64 at;

	*out = NULL;
	for (i = 0; i < n; i++)
		if (find(set, &elems[i]) >= 0)
			k++;
	if (!k)
		return 0;
	/* del[j]: the old index of the j-th element to go, ascending as @elems is. */
	del = sfw_zalloc_acct(k * sizeof(*del));
	size = set->mask + 1;
	if (size > 16 && 8 * (set->n - k) < size)
		size = table_size(set->n - k);
	next = del ? set_alloc(set->n - k, size, set->seed) : NULL;
	if (!next) {
		sfw_free(del);
		return -ENOMEM;
	}
	for (i = 0, j = 0; i < n; i++) {
		at = find(set, &elems[i]);
		if (at >= 0)
			del[j++] = (u32)at;
	}

	if (k > SFW_AS_MAP_MIN && size == set->mask + 1)
		map = sfw_zalloc_acct(set->n * sizeof(*map));
	for (i = 0, j = 0, o = 0; i < set->n; i++) {
		if (j < k && del[j] == i) {
			j++;
			continue;
		}
		if (map)
			map[i] = o;
		next->elems[o++] = set->elems[i];
	}
	next->n = set->n - k;
	memcpy(next->lencnt, set->lencnt, sizeof(next->lencnt));
	for (j = 0; j < k; j++)
		next->lencnt[fam(set->elems[del[j]].l3num)][set->elems[del[j]].len]--;
	lens_update(next);

	if (size != set->mask + 1) {
		table_fill(next);
	} else {
		/*
		 * Delete the slots while the table still holds old indices
		 * (probing needs the old elements), then shift the rest down.
		 */
		struct sfw_addrset tmp = *set;

		memcpy(next->table, set->table, size * sizeof(u32));
		tmp.table = next->table;
		for (j = 0; j < k; j++) {
			u32 h = home(&tmp, &set->elems[del[j]]);

			while (tmp.table[h] != del[j] + 1)
				h = (h + 1) & tmp.mask;
			table_delete(&tmp, h);
		}
		for (i = 0; i <= next->mask; i++) {
			u32 v = next->table[i];

			if (v != SFW_AS_EMPTY)
				next->table[i] = map ? map[v - 1] + 1 :
						 v - count_below(del, k, v - 1, false);
		}
	}
	sfw_free(map);
	sfw_free(del);
	*out = next;
	return 0;
}

int sfw_addrset_update(const struct sfw_addrset *set, struct sfw_prefix *elems, u32 n,
		       bool add, u32 max, struct sfw_addrset **out)
{
	n = sort_unique(elems, n);
	return add ? set_add(set, elems, n, max, out) : set_del(set, elems, n, out);
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
