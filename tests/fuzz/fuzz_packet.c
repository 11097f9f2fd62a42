// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_packet - bytes -> sfw_packet_parse() -> invariants.
 *
 * The input is one L3 packet; its version nibble picks the family (6:
 * IPv6, anything else: IPv4, so bad versions are tried too).  The packet is
 * parsed three ways that must agree:
 *
 *  - from an exactly-sized heap copy through sfw_packet_read_flat(), so
 *    ASan sees any read past the end;
 *  - through a reader that always copies into the parser's @buf, as
 *    skb_header_pointer() does on a non-linear skb, so ASan sees a @buf
 *    smaller than the read it was passed to (and reads are at most 60);
 *  - cut to the L3 length the parser reported, and with link-layer padding
 *    appended: bytes beyond the IP length must not matter.
 *
 * A parsed packet is checked against the bytes it came from (offsets,
 * lengths, ports, ICMP type/code), its tuple must be zero-padded, and
 * sfw_tuple_invert() twice must give the tuple back, for ICMP queries
 * too.  An ICMP error yields its inner tuple through
 * sfw_proto_icmp_error_tuple(); nothing else does.
 */
#include "fuzz.h"

struct copy_reader {
	const u8 *data;
	unsigned int len;
	unsigned int max_end;	/* highest off + len asked for */
};

static const void *read_copy(const void *ctx, unsigned int off, unsigned int len,
			     void *buf)
{
	struct copy_reader *r = (struct copy_reader *)ctx;

	FUZZ_CHECK(len <= 60);	/* packet.h: @len is at most 60 */
	if (off > r->len || len > r->len - off)
		return NULL;
	if (off + len > r->max_end)
		r->max_end = off + len;
	memcpy(buf, r->data + off, len);
	return buf;
}

static u16 be16_at(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static bool pkt_is_icmp(const struct sfw_tuple *t)
{
	return (t->l3num == SFW_AF_INET && t->l4proto == SFW_IPPROTO_ICMP) ||
	       (t->l3num == SFW_AF_INET6 && t->l4proto == SFW_IPPROTO_ICMPV6);
}

static bool icmp_has_id(u8 l3num, u8 type)
{
	if (l3num == SFW_AF_INET6)
		return type == SFW_ICMPV6_ECHO_REQUEST || type == SFW_ICMPV6_ECHO_REPLY;
	return type == SFW_ICMP_ECHO || type == SFW_ICMP_ECHOREPLY ||
	       (type >= SFW_ICMP_TIMESTAMP && type <= SFW_ICMP_ADDRESSREPLY);
}

static void check_invert(const struct sfw_tuple *t)
{
	struct sfw_tuple inv, back, inplace;

	memset(&inv, 0xa5, sizeof(inv));
	sfw_tuple_invert(t, &inv);
	FUZZ_CHECK(inv.pad[0] == 0 && inv.pad[1] == 0);
	FUZZ_CHECK(inv.l3num == t->l3num && inv.l4proto == t->l4proto);
	FUZZ_CHECK(!memcmp(&inv.src, &t->dst, sizeof(inv.src)));
	FUZZ_CHECK(!memcmp(&inv.dst, &t->src, sizeof(inv.dst)));
	if (pkt_is_icmp(t)) {
		/* Same identifier; the type may turn into its answer. */
		FUZZ_CHECK(inv.sport == t->sport);
		FUZZ_CHECK((ntohs(inv.dport) & 0xff) == (ntohs(t->dport) & 0xff));
	} else {
		FUZZ_CHECK(inv.sport == t->dport && inv.dport == t->sport);
	}

	/* Twice is the identity, for ICMP requests and replies too. */
	memset(&back, 0x5a, sizeof(back));
	sfw_tuple_invert(&inv, &back);
	FUZZ_CHECK(!memcmp(&back, t, sizeof(*t)));

	/* @in and @out may be the same. */
	inplace = *t;
	sfw_tuple_invert(&inplace, &inplace);
	FUZZ_CHECK(!memcmp(&inplace, &inv, sizeof(inv)));
}

static void check_l4(const struct sfw_pkt *pkt, const u8 *d, u8 l3num)
{
	const struct sfw_tuple *t = &pkt->tuple;
	const u8 *l4 = d + pkt->l4_off;
	unsigned int avail = pkt->len - pkt->l4_off;
	struct sfw_tuple lookup;

	if (t->l4proto == SFW_IPPROTO_TCP) {
		FUZZ_CHECK(pkt->tcp.doff >= 5);
		FUZZ_CHECK(pkt->tcp.doff * 4u + pkt->payload_len == avail);
		FUZZ_CHECK(pkt->tcp.wscale <= SFW_TCP_MAX_WSCALE ||
			   pkt->tcp.wscale == SFW_TCP_WSCALE_NONE);
		FUZZ_CHECK(pkt->tcp.flags == l4[13]);
		FUZZ_CHECK(pkt->tcp.window == be16_at(l4 + 14));
		FUZZ_CHECK(!memcmp(&t->sport, l4, 2) && !memcmp(&t->dport, l4 + 2, 2));
	} else if (t->l4proto == SFW_IPPROTO_UDP) {
		FUZZ_CHECK(avail >= 8 && pkt->payload_len <= avail - 8);
		if (pkt->flags & SFW_PKT_F_FRAG)
			FUZZ_CHECK(pkt->payload_len == avail - 8);
		else
			FUZZ_CHECK(pkt->payload_len + 8 == be16_at(l4 + 4));
		FUZZ_CHECK(!memcmp(&t->sport, l4, 2) && !memcmp(&t->dport, l4 + 2, 2));
	} else if (pkt_is_icmp(t)) {
		FUZZ_CHECK(avail >= 8 && pkt->payload_len == avail - 8);
		FUZZ_CHECK(pkt->icmp.type == l4[0] && pkt->icmp.code == l4[1]);
		FUZZ_CHECK(!memcmp(&t->dport, l4, 2));
		if (icmp_has_id(l3num, l4[0]))
			FUZZ_CHECK(!memcmp(&t->sport, l4 + 4, 2));
		else
			FUZZ_CHECK(t->sport == 0);
		FUZZ_CHECK(pkt->icmp.is_error == sfw_packet_icmp_is_error(l3num, l4[0]));
		if (l3num == SFW_AF_INET)
			FUZZ_CHECK(!sfw_proto_icmp_untracked(pkt));
		if (pkt->icmp.is_error) {
			fuzz_check_tuple(&pkt->icmp.inner, l3num);
			FUZZ_CHECK(!sfw_proto_icmp_error_tuple(pkt, &lookup));
			FUZZ_CHECK(!memcmp(&lookup, &pkt->icmp.inner, sizeof(lookup)));
			check_invert(&pkt->icmp.inner);
		} else {
			FUZZ_CHECK(sfw_proto_icmp_error_tuple(pkt, &lookup) ==
				   SFW_INVALID_ICMP_ERROR_MALFORMED);
		}
	} else {
		/* Generic: keyed on addresses and protocol only. */
		FUZZ_CHECK(pkt->payload_len == avail);
		FUZZ_CHECK(t->sport == 0 && t->dport == 0);
	}
	if (!pkt_is_icmp(t))
		FUZZ_CHECK(sfw_proto_icmp_error_tuple(pkt, &lookup) ==
			   SFW_INVALID_ICMP_ERROR_MALFORMED);
}

/*
 * A length field of 0 on the outer header (IPv4 BIG TCP; IPv6 BIG TCP or
 * a jumbogram) means "as long as the buffer", as nf_conntrack takes
 * skb->len.
 */
static bool len_from_buffer(const u8 *d, u8 l3num)
{
	return l3num == SFW_AF_INET ? !be16_at(d + 2) : !be16_at(d + 4);
}

static void check_parsed(const struct sfw_pkt *pkt, const u8 *d, size_t size, u8 l3num)
{
	const struct sfw_tuple *t = &pkt->tuple;

	fuzz_check_tuple(t, l3num);
	FUZZ_CHECK(pkt->len <= size);
	FUZZ_CHECK(pkt->l3_len == pkt->l4_off);
	FUZZ_CHECK(pkt->l4_off <= pkt->len);
	FUZZ_CHECK(!(pkt->flags & ~SFW_PKT_F_FRAG));	/* CSUM_OK is the caller's */
	if (l3num == SFW_AF_INET) {
		FUZZ_CHECK(pkt->len == (len_from_buffer(d, l3num) ? size : be16_at(d + 2)));
		FUZZ_CHECK(pkt->l4_off == (d[0] & 0x0f) * 4u);
		FUZZ_CHECK(t->l4proto == d[9]);
		FUZZ_CHECK(!memcmp(&t->src.ip, d + 12, 4) && !memcmp(&t->dst.ip, d + 16, 4));
	} else {
		FUZZ_CHECK(pkt->len == (len_from_buffer(d, l3num) ? size : 40u + be16_at(d + 4)));
		FUZZ_CHECK(pkt->l4_off >= 40 && pkt->l4_off % 4 == 0);
		FUZZ_CHECK(!memcmp(t->src.ip6, d + 8, 16) && !memcmp(t->dst.ip6, d + 24, 16));
	}
	check_l4(pkt, d, l3num);
	check_invert(t);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	u8 l3num = size && data[0] >> 4 == 6 ? SFW_AF_INET6 : SFW_AF_INET;
	struct copy_reader cr = { .data = data, .len = size };
	struct copy_reader cr_rest = cr;
	struct sfw_pkt pkt, pkt2;
	int ret, ret2;
	u8 *padded;

	if (size > 65535 + 64)
		return 0;

	ret = fuzz_parse(&pkt, l3num, data, size);
	FUZZ_CHECK(ret >= 0 && ret < SFW_INVALID_COUNT);

	/* Copying reader: same answer, and only bytes inside the packet read. */
	ret2 = sfw_packet_parse(&pkt2, l3num, read_copy, &cr, size);
	FUZZ_CHECK(ret2 == ret);
	FUZZ_CHECK(!memcmp(&pkt, &pkt2, sizeof(pkt)));

	/* A linear head of any length, the rest copied: same answer again. */
	ret2 = sfw_packet_parse_head(&pkt2, l3num, data, size ? data[size - 1] % size : 0,
				     read_copy, &cr_rest, size);
	FUZZ_CHECK(ret2 == ret);
	FUZZ_CHECK(!memcmp(&pkt, &pkt2, sizeof(pkt)));
	if (ret)
		return 0;
	FUZZ_CHECK(cr.max_end <= pkt.len);
	check_parsed(&pkt, data, size, l3num);

	/* Bytes beyond the IP length are ignored: cut them, then add some.
	 * (With the length taken from the buffer, there are none such.) */
	ret2 = fuzz_parse(&pkt2, l3num, data, pkt.len);
	FUZZ_CHECK(ret2 == 0 && !memcmp(&pkt, &pkt2, sizeof(pkt)));
	if (!len_from_buffer(data, l3num)) {
		padded = malloc(pkt.len + 18);
		memcpy(padded, data, pkt.len);
		memset(padded + pkt.len, 0xee, 18);
		ret2 = fuzz_parse(&pkt2, l3num, padded, pkt.len + 18);
		free(padded);
		FUZZ_CHECK(ret2 == 0 && !memcmp(&pkt, &pkt2, sizeof(pkt)));
	}

	/* The other family never takes these bytes. */
	ret2 = fuzz_parse(&pkt2, l3num == SFW_AF_INET ? SFW_AF_INET6 : SFW_AF_INET,
			  data, size);
	FUZZ_CHECK(ret2 != 0);
	return 0;
}
