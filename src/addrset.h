/* SPDX-License-Identifier: GPL-2.0 */
/*
 * addrset.h - named sets of addresses and prefixes (nft sets, pf tables).
 *
 * A set is built once from its elements and never changed: adding or
 * removing elements builds a new set, which the caller swaps in (under
 * RCU in the kernel). Membership costs one hash probe per distinct
 * prefix length present in the set, whatever the number of elements:
 * 100,000 /32s and /24s cost two probes, as 10 would.
 */
#ifndef _SFW_ADDRSET_H
#define _SFW_ADDRSET_H

#include "sfw_core.h"

/* An address with a prefix length; bits past @len are zero once normalized. */
struct sfw_prefix {
	union sfw_addr addr;
	u8 l3num;		/* SFW_AF_INET or SFW_AF_INET6 */
	u8 len;			/* 0..32 or 0..128 */
	u8 pad[2];		/* zero */
};

struct sfw_addrset;

/* Check @p's length against its family and clear its host bits: 0 or -EINVAL. */
int sfw_prefix_normalize(struct sfw_prefix *p);
bool sfw_prefix_match(const struct sfw_prefix *p, u8 l3num, const union sfw_addr *addr);

/*
 * Build a set from @n normalized elements (duplicates are dropped);
 * @seed keys the hash. NULL if out of memory.
 */
struct sfw_addrset *sfw_addrset_build(const struct sfw_prefix *elems, u32 n, u64 seed);
void sfw_addrset_free(struct sfw_addrset *set);
bool sfw_addrset_lookup(const struct sfw_addrset *set, u8 l3num, const union sfw_addr *addr);
/* The elements, sorted and unique, for listing and for building the next version. */
u32 sfw_addrset_count(const struct sfw_addrset *set);
const struct sfw_prefix *sfw_addrset_elems(const struct sfw_addrset *set);

#endif /* _SFW_ADDRSET_H */
