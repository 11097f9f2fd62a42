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
 * Why a packet was judged INVALID.  The names table (sfw_invalid_names[],
 * names.c) gives the short names /proc/net/sfw/invalid shows; keep the
 * two in the same order.  0 means "not invalid" so that functions can
 * return 0 or a reason.
 */
enum sfw_invalid_reason {
	SFW_INVALID_NONE = 0,
	SFW_INVALID_TRUNCATED_L3,	/* shorter than the L3 header or its length */
	SFW_INVALID_BAD_L3_HEADER,	/* version, ihl, tot_len, ext header chain */
	SFW_INVALID_TRUNCATED_L4,	/* shorter than the L4 header */
	SFW_INVALID_BAD_TCP_DOFF,	/* doff < 5 or beyond the segment */
	SFW_INVALID_BAD_UDP_LEN,	/* UDP length field < 8 or beyond the packet */
	SFW_INVALID_BAD_CHECKSUM,
	SFW_INVALID_BAD_TCP_FLAGS,	/* SYN+FIN, SYN+RST, no flags, FIN without ACK */
	SFW_INVALID_TCP_SEQ_OUT_OF_WINDOW, /* seq below or above the receive window */
	SFW_INVALID_TCP_ACK_BEYOND_END,	/* acks data the peer never sent */
	SFW_INVALID_TCP_ACK_TOO_OLD,	/* ack more than MAXACKWINDOW behind */
	SFW_INVALID_TCP_RST_OUT_OF_WINDOW,
	SFW_INVALID_TCP_BAD_TRANSITION,	/* the state table says INVALID */
	SFW_INVALID_TCP_NOT_SYN,	/* may not create: not a SYN (and no pickup) */
	SFW_INVALID_ICMP_ERROR_NO_MATCH,
	SFW_INVALID_ICMP_ERROR_MALFORMED,
	SFW_INVALID_ICMP_UNTRACKED_TYPE,
	SFW_INVALID_FRAGMENT,		/* non-first fragment: no L4 header */
	SFW_INVALID_TABLE_FULL,
	SFW_INVALID_COUNT
};

extern const char *const sfw_invalid_names[SFW_INVALID_COUNT];

/*
 * Swap the addresses and ports of @in into @out, turning an ICMP request
 * type into its reply type so that @out is the tuple the answer carries.
 */
void sfw_tuple_invert(const struct sfw_tuple *in, struct sfw_tuple *out);

#endif /* _SFW_CORE_H */
