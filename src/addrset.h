/* SPDX-License-Identifier: GPL-2.0 */
/*
 * addrset.h - named sets of addresses and prefixes (nft sets, pf tables).
 *
 * A set version is never changed once built: adding or removing elements
 * makes a new version from the old one, which the caller swaps in (under
 * RCU in the kernel), so lookups take no lock. Making it costs a linear
 * copy of the old version and work for the changed elements only (no
 * sort or rehash of the rest); see addrset.c. Membership costs one hash
 * probe per distinct prefix length present in the set, whatever the
 * number of elements: 100,000 /32s and /24s cost two probes, as 10 would.
 */
#ifndef _SFW_ADDRSET_H
#define _SFW_ADDRSET_H

#include "sfw_core.h"

/*
 * What the control plane builds from a request (sets here, rule sets in
 * ruleset.c) is charged to the memory cgroup of whoever sent it, as
 * nf_tables does, so a container pays for its own rules.
 */
#ifdef __KERNEL__
#define sfw_zalloc_acct(size)	kvzalloc(size, GFP_KERNEL_ACCOUNT)
#else
#define sfw_zalloc_acct(size)	sfw_zalloc(size)
#endif

#define SFW_ADDRSET_MAX		(1U << 24)	/* elements in one set, whatever the limits say */

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
 * @seed keys the hash. NULL if out of memory or more than SFW_ADDRSET_MAX.
 */
struct sfw_addrset *sfw_addrset_build(const struct sfw_prefix *elems, u32 n, u64 seed);
/*
 * The next version of @set: @set plus (@add) or minus the @n normalized
 * @elems (sorted in place; duplicates, and elements already there or, to
 * remove, not there, are ignored). @set itself is not touched, so readers
 * may go on using it. 0 with *@out the new version, or NULL if nothing
 * changes; -ENOSPC if it would hold more than @max elements (adding only);
 * -ENOMEM.
 */
int sfw_addrset_update(const struct sfw_addrset *set, struct sfw_prefix *elems, u32 n,
		       bool add, u32 max, struct sfw_addrset **out);
void sfw_addrset_free(struct sfw_addrset *set);
bool sfw_addrset_lookup(const struct sfw_addrset *set, u8 l3num, const union sfw_addr *addr);
/* The elements, sorted and unique, for listing and for building the next version. */
u32 sfw_addrset_count(const struct sfw_addrset *set);
const struct sfw_prefix *sfw_addrset_elems(const struct sfw_addrset *set);

#endif /* _SFW_ADDRSET_H */
