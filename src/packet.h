/* SPDX-License-Identifier: GPL-2.0 */
/*
 * packet.h - the parsed form of a packet that the tracker works on.
 *
 * sfw_packet_parse() turns the bytes of an IPv4 or IPv6 packet into a
 * struct sfw_pkt: the tuple as seen on the wire, lengths and offsets, and
 * the L4 fields the state machines need.  It never holds an sk_buff: bytes
 * are fetched through a reader callback, skb_header_pointer() in the
 * kernel and sfw_packet_read_flat() in the tests, and every read is
 * bounds-checked by the reader.
 *
 * Checksums are not verified here (the kernel has csum helpers the
 * portable code cannot use).  The caller verifies at @l4_off with
 * nf_checksum() or similar when the checksum sysctl asks for it, and may
 * record the result in SFW_PKT_F_CSUM_OK.
 */
#ifndef _SFW_PACKET_H
#define _SFW_PACKET_H

#include "sfw_core.h"

/* TCP header flag bits (byte 13 of the header). */
#define SFW_TCPH_FIN	0x01
#define SFW_TCPH_SYN	0x02
#define SFW_TCPH_RST	0x04
#define SFW_TCPH_PSH	0x08
#define SFW_TCPH_ACK	0x10
#define SFW_TCPH_URG	0x20
#define SFW_TCPH_ECE	0x40
#define SFW_TCPH_CWR	0x80

#define SFW_TCP_WSCALE_NONE	0xff	/* no window scale option */
#define SFW_TCP_MAX_WSCALE	14	/* RFC 7323 limit, larger values clamped */

/* sfw_pkt.flags */
#define SFW_PKT_F_FRAG		0x01	/* first fragment of a fragmented packet */
#define SFW_PKT_F_CSUM_OK	0x02	/* set by the caller once verified */

/* ICMP types the parser and the ICMP unit care about. */
#define SFW_ICMP_ECHOREPLY	0
#define SFW_ICMP_DEST_UNREACH	3
#define SFW_ICMP_SOURCE_QUENCH	4
#define SFW_ICMP_REDIRECT	5
#define SFW_ICMP_ECHO		8
#define SFW_ICMP_TIME_EXCEEDED	11
#define SFW_ICMP_PARAMETERPROB	12
#define SFW_ICMP_TIMESTAMP	13
#define SFW_ICMP_TIMESTAMPREPLY	14
#define SFW_ICMP_INFO_REQUEST	15
#define SFW_ICMP_INFO_REPLY	16
#define SFW_ICMP_ADDRESS	17
#define SFW_ICMP_ADDRESSREPLY	18

#define SFW_ICMPV6_DEST_UNREACH	1
#define SFW_ICMPV6_PKT_TOOBIG	2
#define SFW_ICMPV6_TIME_EXCEED	3
#define SFW_ICMPV6_PARAMPROB	4
#define SFW_ICMPV6_ECHO_REQUEST	128
#define SFW_ICMPV6_ECHO_REPLY	129

struct sfw_pkt {
	struct sfw_tuple tuple;	/* as seen on the wire */
	u32 len;		/* L3 packet length: tot_len / 40 + payload_len */
	u32 l3_len;		/* IP header incl. IPv6 extension headers */
	u32 l4_off;		/* offset of the L4 header from the IP header */
	u32 payload_len;	/* L4 payload bytes (after TCP/UDP/ICMP header) */
	u8 flags;		/* SFW_PKT_F_* */
	union {
		struct {
			u32 seq;	/* host order */
			u32 ack;	/* host order */
			u16 window;	/* raw, unscaled, host order */
			u8 flags;	/* SFW_TCPH_* */
			u8 doff;	/* header length in 32-bit words */
			u8 wscale;	/* clamped to 14; SFW_TCP_WSCALE_NONE if absent */
			bool sack_perm;
		} tcp;
		struct {
			u8 type;
			u8 code;
			bool is_error;
			/* error only: tuple of the embedded packet, as it was sent */
			struct sfw_tuple inner;
		} icmp;
	};
};

/*
 * Return a pointer to @len bytes at offset @off of the packet behind @ctx,
 * copying them into @buf if they are not contiguous, or NULL if
 * [off, off + len) is not inside the packet.  @len is at most 60.
 * In the kernel, with skb->data at the network header (netfilter hooks):
 *
 *	static const void *skb_read(const void *ctx, unsigned int off,
 *				    unsigned int len, void *buf)
 *	{
 *		return skb_header_pointer(ctx, off, len, buf);
 *	}
 *	ret = sfw_packet_parse(&pkt, SFW_AF_INET, skb_read, skb, skb->len);
 */
typedef const void *(*sfw_read_fn)(const void *ctx, unsigned int off,
				    unsigned int len, void *buf);

/* A packet held in one flat buffer: the ctx for sfw_packet_read_flat(). */
struct sfw_flat {
	const u8 *data;
	unsigned int len;
};

const void *sfw_packet_read_flat(const void *ctx, unsigned int off,
				 unsigned int len, void *buf);

/*
 * Parse the @len bytes of an L3 packet of family @l3num (SFW_AF_INET or
 * SFW_AF_INET6) read through @read/@ctx, starting at the IP header.
 * Returns 0 with @pkt filled in, or a positive enum sfw_invalid_reason.
 * Bytes beyond the IP length (link-layer padding) are ignored.
 */
int sfw_packet_parse(struct sfw_pkt *pkt, u8 l3num, sfw_read_fn read,
		     const void *ctx, unsigned int len);

/*
 * The same, for a packet whose first @head_len bytes lie contiguous at
 * @head (an skb's linear area): those are read in place, without a call
 * through @read, which serves only what lies beyond. Same result.
 */
int sfw_packet_parse_head(struct sfw_pkt *pkt, u8 l3num, const void *head,
			  unsigned int head_len, sfw_read_fn read, const void *ctx,
			  unsigned int len);

/* Whether an ICMP (@l3num SFW_AF_INET) or ICMPv6 type is an error message. */
bool sfw_packet_icmp_is_error(u8 l3num, u8 type);

#endif /* _SFW_PACKET_H */
