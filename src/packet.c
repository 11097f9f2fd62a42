// SPDX-License-Identifier: GPL-2.0
/*
 * packet.c - bytes of an IPv4/IPv6 packet -> struct sfw_pkt.
 *
 * This is where packets are validated before the tracker looks at them:
 * every length field is checked against the bytes that are really there,
 * every read goes through rd(), which refuses to read past the end of the
 * L3 packet, and the IPv6 extension header walk is bounded.  A packet that
 * fails a check is reported with a reason, never partly parsed.
 *
 * The unit is portable (see sfw_core.h): no sk_buff, no allocation, no
 * locks; it runs in whatever context the caller is in.  The tuple and the
 * names tables for the shared enums also live here.
 */
#include "packet.h"

/* More IPv6 extension headers than this and we give up (bad_l3_header). */
#define SFW_IPV6_MAX_EXTHDRS	8

#define NEXTHDR_HOP	0
#define NEXTHDR_ROUTING	43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_AUTH	51
#define NEXTHDR_DEST	60

struct parser {
	const u8 *head;		/* bytes [0, head_len) lie here, contiguous */
	unsigned int head_len;
	sfw_read_fn read;	/* the others are read through this */
	const void *ctx;
};

/* Where the IP header(s) ended and what follows them. */
struct l3info {
	unsigned int l4_off;
	unsigned int end;	/* end of the L3 packet (inner: of what is quoted) */
	u8 proto;
	bool frag;		/* first fragment, more to come */
};

static inline u16 get16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static inline u32 get32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

/* @len bytes at @off, or NULL if they are not all before @end. */
static const u8 *rd(const struct parser *ps, unsigned int off, unsigned int len,
		    unsigned int end, void *buf)
{
	if (off > end || len > end - off)
		return NULL;
	if (off + len <= ps->head_len)
		return ps->head + off;
	return ps->read(ps->ctx, off, len, buf);
}

const void *sfw_packet_read_flat(const void *ctx, unsigned int off,
				 unsigned int len, void *buf)
{
	const struct sfw_flat *f = ctx;

	(void)buf;	/* contiguous: nothing to copy */
	if (off > f->len || len > f->len - off)
		return NULL;
	return f->data + off;
}

bool sfw_packet_icmp_is_error(u8 l3num, u8 type)
{
	if (l3num == SFW_AF_INET6)
		return type < 128 && type >= SFW_ICMPV6_DEST_UNREACH &&
		       type <= SFW_ICMPV6_PARAMPROB;

	switch (type) {
	case SFW_ICMP_DEST_UNREACH:
	case SFW_ICMP_SOURCE_QUENCH:
	case SFW_ICMP_REDIRECT:
	case SFW_ICMP_TIME_EXCEEDED:
	case SFW_ICMP_PARAMETERPROB:
		return true;
	}
	return false;
}

/* Query/answer types whose header carries an identifier (the tuple's sport). */
static bool icmp_has_id(u8 l3num, u8 type)
{
	if (l3num == SFW_AF_INET6)
		return type == SFW_ICMPV6_ECHO_REQUEST || type == SFW_ICMPV6_ECHO_REPLY;

	switch (type) {
	case SFW_ICMP_ECHOREPLY:
	case SFW_ICMP_ECHO:
	case SFW_ICMP_TIMESTAMP:
	case SFW_ICMP_TIMESTAMPREPLY:
	case SFW_ICMP_INFO_REQUEST:
	case SFW_ICMP_INFO_REPLY:
	case SFW_ICMP_ADDRESS:
	case SFW_ICMP_ADDRESSREPLY:
		return true;
	}
	return false;
}

/*
 * IPv4 header at @off.  For the header quoted in an ICMP error (@inner)
 * tot_len describes the original packet, of which only a prefix is quoted,
 * so it only bounds, and is not checked against, the bytes present.
 */
static int parse_ipv4(const struct parser *ps, unsigned int off, unsigned int end,
		      bool inner, struct sfw_tuple *t, struct l3info *l3)
{
	unsigned int ihl, tot, fo;
	u8 buf[20];
	const u8 *h;

	h = rd(ps, off, 20, end, buf);
	if (!h)
		return SFW_INVALID_TRUNCATED_L3;
	if (h[0] >> 4 != 4)
		return SFW_INVALID_BAD_L3_HEADER;
	ihl = (h[0] & 0x0f) * 4;
	tot = get16(h + 2);
	/*
	 * BIG TCP (6.3+): a GSO packet over 64 KiB has tot_len 0 and is as
	 * long as its buffer, as nf_conntrack takes it (skb->len). The IP
	 * layer let only such packets through with a 0, so a 0 outside is
	 * one; a quoted header is only a prefix and gets no such reading.
	 */
	if (!tot && !inner)
		tot = end - off;
	if (ihl < 20 || tot < ihl)
		return SFW_INVALID_BAD_L3_HEADER;
	if (tot <= end - off)
		end = off + tot;
	else if (!inner)
		return SFW_INVALID_TRUNCATED_L3;
	if (ihl > end - off)
		return SFW_INVALID_TRUNCATED_L3;

	fo = get16(h + 6);
	if (fo & 0x1fff)
		return SFW_INVALID_FRAGMENT;
	l3->frag = fo & 0x2000;

	t->l3num = SFW_AF_INET;
	t->l4proto = h[9];
	memcpy(&t->src.ip, h + 12, 4);
	memcpy(&t->dst.ip, h + 16, 4);
	l3->proto = h[9];
	l3->l4_off = off + ihl;
	l3->end = end;
	return 0;
}

/* IPv6 header and extension header chain at @off; @inner as for IPv4. */
static int parse_ipv6(const struct parser *ps, unsigned int off, unsigned int end,
		      bool inner, struct sfw_tuple *t, struct l3info *l3)
{
	unsigned int plen, p, hl, i, fo;
	u8 buf[40], nexthdr;
	const u8 *h;

	h = rd(ps, off, 40, end, buf);
	if (!h)
		return SFW_INVALID_TRUNCATED_L3;
	if (h[0] >> 4 != 6)
		return SFW_INVALID_BAD_L3_HEADER;
	plen = get16(h + 4);
	/*
	 * Payload length 0: a jumbogram (RFC 2675, its length in a hop-by-hop
	 * option) or an IPv6 BIG TCP packet. Either is as long as its buffer,
	 * as nf_conntrack takes it; the hop-by-hop header is skipped below.
	 */
	if (!plen && !inner && end - off > 40)
		plen = end - off - 40;
	if (plen <= end - off - 40)
		end = off + 40 + plen;
	else if (!inner)
		return SFW_INVALID_TRUNCATED_L3;

	t->l3num = SFW_AF_INET6;
	memcpy(t->src.ip6, h + 8, 16);
	memcpy(t->dst.ip6, h + 24, 16);
	nexthdr = h[6];
	l3->frag = false;

	p = off + 40;
	for (i = 0; i < SFW_IPV6_MAX_EXTHDRS; i++) {
		switch (nexthdr) {
		case NEXTHDR_HOP:
			/* RFC 8200: hop-by-hop options only right after the header. */
			if (i)
				return SFW_INVALID_BAD_L3_HEADER;
			fallthrough;
		case NEXTHDR_ROUTING:
		case NEXTHDR_DEST:
		case NEXTHDR_AUTH:
			h = rd(ps, p, 2, end, buf);
			if (!h)
				return SFW_INVALID_TRUNCATED_L3;
			if (nexthdr == NEXTHDR_AUTH)
				hl = (h[1] + 2) * 4;
			else
				hl = (h[1] + 1) * 8;
			if (hl > end - p)
				return SFW_INVALID_TRUNCATED_L3;
			nexthdr = h[0];
			p += hl;
			continue;
		case NEXTHDR_FRAGMENT:
			h = rd(ps, p, 8, end, buf);
			if (!h)
				return SFW_INVALID_TRUNCATED_L3;
			fo = get16(h + 2);
			if (fo & 0xfff8)
				return SFW_INVALID_FRAGMENT;
			l3->frag = fo & 1;
			nexthdr = h[0];
			p += 8;
			continue;
		}
		break;
	}
	if (i == SFW_IPV6_MAX_EXTHDRS)
		return SFW_INVALID_BAD_L3_HEADER;

	t->l4proto = nexthdr;
	l3->proto = nexthdr;
	l3->l4_off = p;
	l3->end = end;
	return 0;
}

static int parse_l3(const struct parser *ps, u8 l3num, unsigned int off,
		    unsigned int end, bool inner, struct sfw_tuple *t,
		    struct l3info *l3)
{
	if (l3num == SFW_AF_INET)
		return parse_ipv4(ps, off, end, inner, t, l3);
	if (l3num == SFW_AF_INET6)
		return parse_ipv6(ps, off, end, inner, t, l3);
	return SFW_INVALID_BAD_L3_HEADER;
}

static bool is_icmp(u8 l3num, u8 proto)
{
	return (l3num == SFW_AF_INET && proto == SFW_IPPROTO_ICMP) ||
	       (l3num == SFW_AF_INET6 && proto == SFW_IPPROTO_ICMPV6);
}

/*
 * TCP options: record window scale and SACK-permitted.  A malformed option
 * (length < 2 or running past the header) ends the walk; the packet is not
 * rejected for it, as the endpoints will ignore it too.
 */
static void tcp_options(struct sfw_pkt *pkt, const u8 *o, unsigned int len)
{
	unsigned int i = 0, olen;

	while (i < len) {
		u8 kind = o[i];

		if (kind == 0)		/* end of option list */
			return;
		if (kind == 1) {	/* no-op */
			i++;
			continue;
		}
		if (len - i < 2)
			return;
		olen = o[i + 1];
		if (olen < 2 || olen > len - i)
			return;
		if (kind == 3 && olen == 3)
			pkt->tcp.wscale = min_t(u8, o[i + 2], SFW_TCP_MAX_WSCALE);
		else if (kind == 4 && olen == 2)
			pkt->tcp.sack_perm = true;
		i += olen;
	}
}

static int parse_tcp(const struct parser *ps, struct sfw_pkt *pkt,
		     const struct l3info *l3)
{
	unsigned int hlen, avail = l3->end - l3->l4_off;
	u8 buf[40];
	const u8 *h;

	h = rd(ps, l3->l4_off, 20, l3->end, buf);
	if (!h)
		return SFW_INVALID_TRUNCATED_L4;
	memcpy(&pkt->tuple.sport, h, 2);
	memcpy(&pkt->tuple.dport, h + 2, 2);
	pkt->tcp.seq = get32(h + 4);
	pkt->tcp.ack = get32(h + 8);
	pkt->tcp.doff = h[12] >> 4;
	pkt->tcp.flags = h[13];
	pkt->tcp.window = get16(h + 14);
	pkt->tcp.wscale = SFW_TCP_WSCALE_NONE;

	hlen = pkt->tcp.doff * 4;
	if (hlen < 20 || hlen > avail)
		return SFW_INVALID_BAD_TCP_DOFF;
	pkt->payload_len = avail - hlen;
	if (hlen > 20) {
		h = rd(ps, l3->l4_off + 20, hlen - 20, l3->end, buf);
		if (!h)
			return SFW_INVALID_BAD_TCP_DOFF;
		tcp_options(pkt, h, hlen - 20);
	}
	return 0;
}

static int parse_udp(const struct parser *ps, struct sfw_pkt *pkt,
		     const struct l3info *l3)
{
	unsigned int ulen, avail = l3->end - l3->l4_off;
	u8 buf[8];
	const u8 *h;

	h = rd(ps, l3->l4_off, 8, l3->end, buf);
	if (!h)
		return SFW_INVALID_TRUNCATED_L4;
	memcpy(&pkt->tuple.sport, h, 2);
	memcpy(&pkt->tuple.dport, h + 2, 2);
	ulen = get16(h + 4);
	if (pkt->flags & SFW_PKT_F_FRAG) {
		/* The length covers fragments we do not have. */
		pkt->payload_len = avail - 8;
		return 0;
	}
	/* Trailing bytes after the datagram are allowed, as in nf_conntrack. */
	if (ulen < 8 || ulen > avail)
		return SFW_INVALID_BAD_UDP_LEN;
	pkt->payload_len = ulen - 8;
	return 0;
}

/* The packet quoted in an ICMP error at @off: fill @t with its tuple. */
static int parse_icmp_inner(const struct parser *ps, u8 l3num, unsigned int off,
			    unsigned int end, struct sfw_tuple *t)
{
	struct l3info l3;
	u8 buf[8];
	const u8 *h;

	if (parse_l3(ps, l3num, off, end, true, t, &l3))
		return SFW_INVALID_ICMP_ERROR_MALFORMED;

	if (is_icmp(l3num, l3.proto)) {
		h = rd(ps, l3.l4_off, 8, l3.end, buf);
		if (!h)
			return SFW_INVALID_ICMP_ERROR_MALFORMED;
		/* An error about an error is never sent (RFC 1122 3.2.2). */
		if (sfw_packet_icmp_is_error(l3num, h[0]))
			return SFW_INVALID_ICMP_ERROR_MALFORMED;
		memcpy(&t->dport, h, 2);
		if (icmp_has_id(l3num, h[0]))
			memcpy(&t->sport, h + 4, 2);
	} else if (l3.proto == SFW_IPPROTO_TCP || l3.proto == SFW_IPPROTO_UDP) {
		h = rd(ps, l3.l4_off, 4, l3.end, buf);
		if (!h)
			return SFW_INVALID_ICMP_ERROR_MALFORMED;
		memcpy(&t->sport, h, 2);
		memcpy(&t->dport, h + 2, 2);
	}
	return 0;
}

static int parse_icmp(const struct parser *ps, struct sfw_pkt *pkt,
		      const struct l3info *l3)
{
	u8 l3num = pkt->tuple.l3num;
	u8 buf[8];
	const u8 *h;

	h = rd(ps, l3->l4_off, 8, l3->end, buf);
	if (!h)
		return SFW_INVALID_TRUNCATED_L4;
	pkt->icmp.type = h[0];
	pkt->icmp.code = h[1];
	pkt->payload_len = l3->end - l3->l4_off - 8;
	memcpy(&pkt->tuple.dport, h, 2);
	if (icmp_has_id(l3num, h[0]))
		memcpy(&pkt->tuple.sport, h + 4, 2);

	if (!sfw_packet_icmp_is_error(l3num, h[0]))
		return 0;
	pkt->icmp.is_error = true;
	return parse_icmp_inner(ps, l3num, l3->l4_off + 8, l3->end, &pkt->icmp.inner);
}

int sfw_packet_parse(struct sfw_pkt *pkt, u8 l3num, sfw_read_fn read,
		     const void *ctx, unsigned int len)
{
	return sfw_packet_parse_head(pkt, l3num, NULL, 0, read, ctx, len);
}

int sfw_packet_parse_head(struct sfw_pkt *pkt, u8 l3num, const void *head,
			  unsigned int head_len, sfw_read_fn read, const void *ctx,
			  unsigned int len)
{
	const struct parser ps = {
		.head = head, .head_len = min(head_len, len), .read = read, .ctx = ctx,
	};
	struct l3info l3;
	int ret;

	/* Zero everything: the tuple is hashed and compared bytewise. */
	memset(pkt, 0, sizeof(*pkt));

	ret = parse_l3(&ps, l3num, 0, len, false, &pkt->tuple, &l3);
	if (ret)
		return ret;
	pkt->len = l3.end;
	pkt->l3_len = l3.l4_off;
	pkt->l4_off = l3.l4_off;
	if (l3.frag)
		pkt->flags |= SFW_PKT_F_FRAG;

	if (l3.proto == SFW_IPPROTO_TCP)
		return parse_tcp(&ps, pkt, &l3);
	if (l3.proto == SFW_IPPROTO_UDP)
		return parse_udp(&ps, pkt, &l3);
	if (is_icmp(l3num, l3.proto))
		return parse_icmp(&ps, pkt, &l3);

	pkt->payload_len = l3.end - l3.l4_off;
	return 0;
}

/* ICMP type -> the type of the answer, either way round; 0 = none. */
static u8 icmp_answer_type(u8 l3num, u8 type)
{
	static const u8 v4[] = {
		[SFW_ICMP_ECHO]			= SFW_ICMP_ECHOREPLY + 1,
		[SFW_ICMP_ECHOREPLY]		= SFW_ICMP_ECHO + 1,
		[SFW_ICMP_TIMESTAMP]		= SFW_ICMP_TIMESTAMPREPLY + 1,
		[SFW_ICMP_TIMESTAMPREPLY]	= SFW_ICMP_TIMESTAMP + 1,
		[SFW_ICMP_INFO_REQUEST]		= SFW_ICMP_INFO_REPLY + 1,
		[SFW_ICMP_INFO_REPLY]		= SFW_ICMP_INFO_REQUEST + 1,
		[SFW_ICMP_ADDRESS]		= SFW_ICMP_ADDRESSREPLY + 1,
		[SFW_ICMP_ADDRESSREPLY]		= SFW_ICMP_ADDRESS + 1,
	};

	/* The table stores type + 1 so that 0 can mean "no answer type". */
	if (l3num == SFW_AF_INET6) {
		if (type == SFW_ICMPV6_ECHO_REQUEST)
			return SFW_ICMPV6_ECHO_REPLY + 1;
		if (type == SFW_ICMPV6_ECHO_REPLY)
			return SFW_ICMPV6_ECHO_REQUEST + 1;
		return 0;
	}
	return type < ARRAY_SIZE(v4) ? v4[type] : 0;
}

void sfw_tuple_invert(const struct sfw_tuple *in, struct sfw_tuple *out)
{
	struct sfw_tuple t = *in;	/* @in and @out may be the same */

	out->src = t.dst;
	out->dst = t.src;
	out->l3num = t.l3num;
	out->l4proto = t.l4proto;
	out->pad[0] = 0;
	out->pad[1] = 0;

	if (is_icmp(t.l3num, t.l4proto)) {
		u16 tc = ntohs(t.dport);
		u8 ans = icmp_answer_type(t.l3num, tc >> 8);

		out->sport = t.sport;
		out->dport = ans ? htons((u16)((ans - 1) << 8 | (tc & 0xff))) : t.dport;
		return;
	}
	out->sport = t.dport;
	out->dport = t.sport;
}
