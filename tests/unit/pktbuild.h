/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packet builders for the unit tests: write IPv4/IPv6 headers and TCP,
 * UDP, ICMP headers field by field into a buffer, so a test reads as the
 * packet it sends rather than as a hex blob.  Each returns the bytes
 * written.  Length fields are filled in by pb_finish_*() once the payload
 * is known; tests that want a broken packet patch the field afterwards.
 */
#ifndef _SFW_PKTBUILD_H
#define _SFW_PKTBUILD_H

#include <stdlib.h>
#include <arpa/inet.h>
#include "packet.h"

#define PB_MAX	1600

static inline void pb_put16(u8 *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void pb_put32(u8 *p, u32 v)
{
	pb_put16(p, v >> 16);
	pb_put16(p + 2, v & 0xffff);
}

/* 20-byte IPv4 header; tot_len covers @l4len bytes after it. */
static inline unsigned int pb_ipv4(u8 *b, const char *src, const char *dst,
				   u8 proto, unsigned int l4len)
{
	memset(b, 0, 20);
	b[0] = 0x45;
	pb_put16(b + 2, 20 + l4len);
	b[8] = 64;
	b[9] = proto;
	inet_pton(AF_INET, src, b + 12);
	inet_pton(AF_INET, dst, b + 16);
	return 20;
}

/* 40-byte IPv6 header; payload length covers @plen bytes after it. */
static inline unsigned int pb_ipv6(u8 *b, const char *src, const char *dst,
				   u8 nexthdr, unsigned int plen)
{
	memset(b, 0, 40);
	b[0] = 0x60;
	pb_put16(b + 4, plen);
	b[6] = nexthdr;
	b[7] = 64;
	inet_pton(AF_INET6, src, b + 8);
	inet_pton(AF_INET6, dst, b + 24);
	return 40;
}

/* IPv6 extension header of (@units + 1) * 8 bytes (hop-by-hop, routing, dest). */
static inline unsigned int pb_ext6(u8 *b, u8 nexthdr, u8 units)
{
	unsigned int len = (units + 1) * 8;

	memset(b, 0, len);
	b[0] = nexthdr;
	b[1] = units;
	if (len > 2) {
		b[2] = 1;	/* PadN covering the rest */
		b[3] = len - 4;
	}
	return len;
}

static inline unsigned int pb_frag6(u8 *b, u8 nexthdr, unsigned int offset8,
				    bool more)
{
	memset(b, 0, 8);
	b[0] = nexthdr;
	pb_put16(b + 2, offset8 << 3 | (more ? 1 : 0));
	pb_put32(b + 4, 0x1234);
	return 8;
}

struct pb_tcpopt {
	int wscale;		/* -1: none */
	bool sack_perm;
};

/* TCP header with options from @o (may be NULL) and @paylen zero bytes. */
static inline unsigned int pb_tcp(u8 *b, u16 sport, u16 dport, u32 seq, u32 ack,
				  u8 flags, u16 win, const struct pb_tcpopt *o,
				  unsigned int paylen)
{
	unsigned int hl = 20;

	memset(b, 0, 60);
	pb_put16(b, sport);
	pb_put16(b + 2, dport);
	pb_put32(b + 4, seq);
	pb_put32(b + 8, ack);
	b[13] = flags;
	pb_put16(b + 14, win);
	if (o && o->sack_perm) {
		b[hl++] = 4;
		b[hl++] = 2;
	}
	if (o && o->wscale >= 0) {
		b[hl++] = 1;
		b[hl++] = 3;
		b[hl++] = 3;
		b[hl++] = o->wscale;
	}
	while (hl % 4)
		b[hl++] = 0;
	b[12] = (hl / 4) << 4;
	memset(b + hl, 'x', paylen);
	return hl + paylen;
}

static inline unsigned int pb_udp(u8 *b, u16 sport, u16 dport, unsigned int paylen)
{
	pb_put16(b, sport);
	pb_put16(b + 2, dport);
	pb_put16(b + 4, 8 + paylen);
	pb_put16(b + 6, 0);
	memset(b + 8, 'u', paylen);
	return 8 + paylen;
}

/* ICMP/ICMPv6 header; id/seq for queries, unused (zero) for errors. */
static inline unsigned int pb_icmp(u8 *b, u8 type, u8 code, u16 id, u16 seq)
{
	b[0] = type;
	b[1] = code;
	pb_put16(b + 2, 0);
	pb_put16(b + 4, id);
	pb_put16(b + 6, seq);
	return 8;
}

/* Parse @len bytes of @b from an exactly-sized heap copy (ASan sees overruns). */
static inline int pb_parse(struct sfw_pkt *pkt, u8 l3num, const u8 *b, unsigned int len)
{
	u8 *copy = malloc(len ? len : 1);
	struct sfw_flat f = { .data = copy, .len = len };
	int ret;

	memcpy(copy, b, len);
	ret = sfw_packet_parse(pkt, l3num, sfw_packet_read_flat, &f, len);
	free(copy);
	return ret;
}

#endif /* _SFW_PKTBUILD_H */
