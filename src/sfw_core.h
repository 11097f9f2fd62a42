/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sfw_core.h - the one header the portable units include.
 *
 * packet.c and proto_*.c are built twice: in the module (Kbuild) and in
 * userspace (sfwctl, tests/unit under ASan/UBSan, tests/fuzz).  Under
 * __KERNEL__ this header pulls in the kernel's types; otherwise
 * src/stand/sfw_shim.h (the stand-in for kernel headers, as NPF's stand/)
 * maps the same names onto libc.  Nothing below may use anything else
 * from either side, so the two builds run the same code.
 *
 * It holds the definitions every tracker unit shares: the tuple, the
 * direction and ctinfo enums, and the reasons a packet is INVALID.
 */
#ifndef _SFW_CORE_H
#define _SFW_CORE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <asm/byteorder.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
/* Allocation for the portable units that build data (rule sets, sets): process context. */
#define sfw_zalloc(size)	kvzalloc(size, GFP_KERNEL)
#define sfw_free(p)		kvfree(p)
#define sfw_sort(base, n, size, cmp)	sort(base, n, size, cmp, NULL)
#else
#include "stand/sfw_shim.h"
#endif

/* By its path, as names.h does, so that every build finds it. */
#include "../include/uapi/linux/sfw.h"

/* Address family numbers as the kernel spells them (AF_INET, AF_INET6). */
#define SFW_AF_INET	2
#define SFW_AF_INET6	10

#define SFW_IPPROTO_ICMP	1
#define SFW_IPPROTO_TCP		6
#define SFW_IPPROTO_UDP		17
#define SFW_IPPROTO_ICMPV6	58

union sfw_addr {
	__be32 ip;
	__be32 ip6[4];
};

/*
 * One direction of a connection, as it appears on the wire.
 *
 * The tuple is hashed with jhash/siphash over its bytes and compared with
 * memcmp, so it must have no padding that could hold garbage: the layout
 * below has none except the explicit @pad, and every builder zeroes the
 * whole struct first (an IPv4 address leaves ip6[1..3] zero).  40 bytes.
 *
 * ICMP and ICMPv6 have no ports: @sport is the echo identifier and @dport
 * is htons(type << 8 | code) of the packet, i.e. the two bytes of the ICMP
 * header as they are on the wire.  The reply tuple of a request therefore
 * carries the reply type (see sfw_tuple_invert()).
 */
struct sfw_tuple {
	union sfw_addr src;
	union sfw_addr dst;
	__be16 sport;
	__be16 dport;
	u8 l3num;		/* SFW_AF_INET or SFW_AF_INET6 */
	u8 l4proto;		/* IPPROTO_* */
	u8 pad[2];		/* always zero */
};

static_assert(sizeof(struct sfw_tuple) == 40, "sfw_tuple must stay 40 bytes, no holes");
static_assert(offsetof(struct sfw_tuple, pad) == 38, "sfw_tuple has a hole");

enum sfw_dir {
	SFW_DIR_ORIGINAL,
	SFW_DIR_REPLY,
	SFW_DIR_COUNT
};

enum sfw_ctinfo {
	SFW_CT_NEW,
	SFW_CT_ESTABLISHED,
	SFW_CT_RELATED,
	SFW_CT_INVALID,
	SFW_CT_UNTRACKED,	/* valid but never tracked: ICMPv6 ND, MLD, RA */
	SFW_CT_COUNT
};

extern const char *const sfw_ctinfo_names[SFW_CT_COUNT];

/*
 * Why a packet was judged INVALID: enum sfw_invalid_reason, in the uapi
 * header, since rules name reasons (SFW_RULE_A_CT_REASONS). The names
 * table (sfw_invalid_names[], names.c) gives the short names
 * /proc/net/sfw/invalid shows and the rule language reads. 0 means "not
 * invalid" so that functions can return 0 or a reason.
 */
extern const char *const sfw_invalid_names[SFW_INVALID_COUNT];
static_assert(SFW_INVALID_COUNT <= 32, "a reason is a bit of SFW_RULE_A_CT_REASONS");

/*
 * Swap the addresses and ports of @in into @out, turning an ICMP request
 * type into its reply type so that @out is the tuple the answer carries.
 */
void sfw_tuple_invert(const struct sfw_tuple *in, struct sfw_tuple *out);

#endif /* _SFW_CORE_H */
