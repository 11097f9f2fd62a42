// SPDX-License-Identifier: GPL-2.0
/*
 * Parser tests: each case builds a packet (often a broken one), parses it
 * from an exactly-sized heap buffer, and checks the reason and a few
 * fields.  ASan turns any read past the packet into a failure.  The last
 * cases parse every prefix and random mutations of valid packets.
 */
#include <stdio.h>
#include "proto.h"
#include "pktbuild.h"
#include "tap.h"

#define C4	"10.0.1.2"
#define S4	"10.0.2.2"
#define C6	"2001:db8:1::2"
#define S6	"2001:db8:2::2"

struct pcase {
	const char *name;
	u8 l3num;
	unsigned int (*build)(u8 *b);
	int reason;
	/* extra checks on a successful parse; returns NULL or what failed */
	const char *(*check)(const struct sfw_pkt *pkt);
};

static unsigned int tcp4(u8 *b, u8 flags, const struct pb_tcpopt *o, unsigned int paylen)
{
	unsigned int n = pb_tcp(b + 20, 40000, 80, 1000, 0, flags, 64240, o, paylen);

	return pb_ipv4(b, C4, S4, SFW_IPPROTO_TCP, n) + n;
}

static unsigned int b_tcp4_ok(u8 *b)
{
	struct pb_tcpopt o = { .wscale = 20, .sack_perm = true };

	return tcp4(b, SFW_TCPH_SYN, &o, 10);
}

static const char *c_tcp4_ok(const struct sfw_pkt *pkt)
{
	if (pkt->tuple.l3num != SFW_AF_INET || pkt->tuple.l4proto != SFW_IPPROTO_TCP)
		return "l3num/l4proto";
	if (ntohs(pkt->tuple.sport) != 40000 || ntohs(pkt->tuple.dport) != 80)
		return "ports";
	if (pkt->tuple.src.ip != inet_addr(C4) || pkt->tuple.dst.ip != inet_addr(S4))
		return "addresses";
	if (pkt->tuple.src.ip6[1] || pkt->tuple.pad[0] || pkt->tuple.pad[1])
		return "tuple not zero-padded";
	if (pkt->tcp.seq != 1000 || pkt->tcp.flags != SFW_TCPH_SYN || pkt->tcp.window != 64240)
		return "tcp fields";
	if (pkt->tcp.wscale != 14)
		return "wscale not clamped to 14";
	if (!pkt->tcp.sack_perm)
		return "sack_perm";
	if (pkt->payload_len != 10 || pkt->l4_off != 20 || pkt->tcp.doff != 7)
		return "lengths";
	return NULL;
}

static unsigned int b_ipv4_short(u8 *b)
{
	tcp4(b, SFW_TCPH_SYN, NULL, 0);
	return 12;
}

static unsigned int b_ipv4_version(u8 *b)
{
	unsigned int n = tcp4(b, SFW_TCPH_SYN, NULL, 0);

	b[0] = 0x55;
	return n;
}

static unsigned int b_ipv4_ihl4(u8 *b)
{
	unsigned int n = tcp4(b, SFW_TCPH_SYN, NULL, 0);

	b[0] = 0x44;
	return n;
}

/* ihl says 60 bytes of header but tot_len is 40. */
static unsigned int b_ipv4_ihl_gt_tot(u8 *b)
{
	unsigned int n = tcp4(b, SFW_TCPH_SYN, NULL, 0);

	b[0] = 0x4f;
	return n;
}

static unsigned int b_ipv4_tot_gt_buf(u8 *b)
{
	unsigned int n = tcp4(b, SFW_TCPH_SYN, NULL, 0);

	pb_put16(b + 2, n + 100);
	return n;
}

/* Link-layer padding after the IP packet is ignored. */
static unsigned int b_ipv4_padded(u8 *b)
{
	unsigned int n = tcp4(b, SFW_TCPH_ACK, NULL, 0);

	memset(b + n, 0xee, 6);
	return n + 6;
}

static const char *c_ipv4_padded(const struct sfw_pkt *pkt)
{
	return pkt->len == 40 && pkt->payload_len == 0 ? NULL : "padding counted";
}

static unsigned int b_ipv4_frag_later(u8 *b)
{
	unsigned int n = tcp4(b, SFW_TCPH_ACK, NULL, 0);

	pb_put16(b + 6, 185);	/* offset 1480 */
	return n;
}

static unsigned int b_ipv4_frag_first(u8 *b)
{
	unsigned int n = tcp4(b, SFW_TCPH_ACK, NULL, 100);

	pb_put16(b + 6, 0x2000);	/* MF */
	return n;
}

static const char *c_frag_first(const struct sfw_pkt *pkt)
{
	return pkt->flags & SFW_PKT_F_FRAG ? NULL : "SFW_PKT_F_FRAG not set";
}

static unsigned int b_ipv4_options(u8 *b)
{
	unsigned int n = pb_udp(b + 24, 53, 53, 4);

	pb_ipv4(b, C4, S4, SFW_IPPROTO_UDP, n + 4);
	b[0] = 0x46;
	memset(b + 20, 1, 4);	/* NOPs */
	return 24 + n;
}

static const char *c_ipv4_options(const struct sfw_pkt *pkt)
{
	return pkt->l4_off == 24 && pkt->payload_len == 4 ? NULL : "options not skipped";
}

static unsigned int b_tcp_short(u8 *b)
{
	pb_tcp(b + 20, 1, 2, 3, 4, SFW_TCPH_SYN, 5, NULL, 0);
	return pb_ipv4(b, C4, S4, SFW_IPPROTO_TCP, 10) + 10;
}

static unsigned int b_tcp_doff4(u8 *b)
{
	unsigned int n = tcp4(b, SFW_TCPH_SYN, NULL, 0);

	b[32] = 4 << 4;
	return n;
}

static unsigned int b_tcp_doff_big(u8 *b)
{
	unsigned int n = tcp4(b, SFW_TCPH_SYN, NULL, 0);

	b[32] = 15 << 4;
	return n;
}

/* Option with length 0, then a window scale that must not be read. */
static unsigned int b_tcp_bad_opt(u8 *b)
{
	unsigned int n = tcp4(b, SFW_TCPH_SYN, NULL, 8);

	b[32] = 7 << 4;
	b[40] = 8;	/* timestamps kind... */
	b[41] = 0;	/* ...with length 0 */
	b[42] = 3;
	b[43] = 3;
	b[44] = 7;
	return n;
}

static const char *c_no_wscale(const struct sfw_pkt *pkt)
{
	return pkt->tcp.wscale == SFW_TCP_WSCALE_NONE ? NULL : "wscale read from bad options";
}

/* Window scale option whose length runs past the header. */
static unsigned int b_tcp_opt_overrun(u8 *b)
{
	unsigned int n = tcp4(b, SFW_TCPH_SYN, NULL, 4);

	b[32] = 6 << 4;
	b[40] = 1;
	b[41] = 1;
	b[42] = 3;
	b[43] = 3;	/* wscale needs 3 bytes, 2 left */
	return n;
}

static unsigned int b_udp_short(u8 *b)
{
	pb_udp(b + 20, 1, 2, 0);
	return pb_ipv4(b, C4, S4, SFW_IPPROTO_UDP, 6) + 6;
}

static unsigned int b_udp_len_small(u8 *b)
{
	unsigned int n = pb_udp(b + 20, 1, 2, 10);

	pb_put16(b + 24, 4);
	return pb_ipv4(b, C4, S4, SFW_IPPROTO_UDP, n) + n;
}

static unsigned int b_udp_len_big(u8 *b)
{
	unsigned int n = pb_udp(b + 20, 1, 2, 10);

	pb_put16(b + 24, 100);
	return pb_ipv4(b, C4, S4, SFW_IPPROTO_UDP, n) + n;
}

static unsigned int b_icmp_short(u8 *b)
{
	pb_icmp(b + 20, SFW_ICMP_ECHO, 0, 7, 1);
	return pb_ipv4(b, C4, S4, SFW_IPPROTO_ICMP, 4) + 4;
}

static unsigned int b_icmp_echo(u8 *b)
{
	unsigned int n = pb_icmp(b + 20, SFW_ICMP_ECHO, 0, 0x1234, 1);

	return pb_ipv4(b, C4, S4, SFW_IPPROTO_ICMP, n) + n;
}

static const char *c_icmp_echo(const struct sfw_pkt *pkt)
{
	if (ntohs(pkt->tuple.sport) != 0x1234 || ntohs(pkt->tuple.dport) != SFW_ICMP_ECHO << 8)
		return "id/type not in the tuple";
	return pkt->icmp.is_error ? "echo flagged as error" : NULL;
}

/* Port unreachable from the server's router quoting the client's UDP datagram. */
static unsigned int icmp_err4(u8 *b, unsigned int quote)
{
	u8 inner[64];
	unsigned int n = pb_udp(inner + 20, 40000, 53, 20);

	n += pb_ipv4(inner, C4, S4, SFW_IPPROTO_UDP, n);
	if (quote > n)
		quote = n;
	pb_icmp(b + 20, SFW_ICMP_DEST_UNREACH, 3, 0, 0);
	memcpy(b + 28, inner, quote);
	return pb_ipv4(b, "10.0.9.9", C4, SFW_IPPROTO_ICMP, 8 + quote) + 8 + quote;
}

static unsigned int b_icmp_err_ok(u8 *b)
{
	return icmp_err4(b, 28);
}

static const char *c_icmp_err_ok(const struct sfw_pkt *pkt)
{
	const struct sfw_tuple *t = &pkt->icmp.inner;

	if (!pkt->icmp.is_error)
		return "not an error";
	if (t->l4proto != SFW_IPPROTO_UDP || ntohs(t->sport) != 40000 || ntohs(t->dport) != 53 ||
	    t->src.ip != inet_addr(C4) || t->dst.ip != inet_addr(S4))
		return "inner tuple";
	return NULL;
}

static unsigned int b_icmp_err_trunc_ip(u8 *b)
{
	return icmp_err4(b, 12);
}

static unsigned int b_icmp_err_no_l4(u8 *b)
{
	return icmp_err4(b, 22);
}

/* Time exceeded quoting a port unreachable: an error about an error. */
static unsigned int b_icmp_err_in_err(u8 *b)
{
	u8 inner[80];
	unsigned int n = icmp_err4(inner, 28);

	pb_icmp(b + 20, SFW_ICMP_TIME_EXCEEDED, 0, 0, 0);
	memcpy(b + 28, inner, n);
	return pb_ipv4(b, "10.0.9.8", "10.0.9.9", SFW_IPPROTO_ICMP, 8 + n) + 8 + n;
}

static unsigned int tcp6_ext(u8 *b, const u8 *chain, unsigned int nchain)
{
	unsigned int i, off = 40, n;

	for (i = 0; i < nchain; i++) {
		u8 next = i + 1 < nchain ? chain[i + 1] : SFW_IPPROTO_TCP;

		if (chain[i] == 44)
			off += pb_frag6(b + off, next, 0, true);
		else
			off += pb_ext6(b + off, next, 0);
	}
	n = pb_tcp(b + off, 40000, 443, 1, 0, SFW_TCPH_SYN, 1000, NULL, 0);
	pb_ipv6(b, C6, S6, nchain ? chain[0] : SFW_IPPROTO_TCP, off - 40 + n);
	return off + n;
}

static unsigned int b_ipv6_tcp(u8 *b)
{
	return tcp6_ext(b, NULL, 0);
}

static const char *c_ipv6_tcp(const struct sfw_pkt *pkt)
{
	if (pkt->tuple.l3num != SFW_AF_INET6 || pkt->tuple.l4proto != SFW_IPPROTO_TCP ||
	    ntohs(pkt->tuple.dport) != 443 || pkt->l4_off != 40)
		return "tuple";
	return NULL;
}

static unsigned int b_ipv6_short(u8 *b)
{
	tcp6_ext(b, NULL, 0);
	return 30;
}

static unsigned int b_ipv6_plen_big(u8 *b)
{
	unsigned int n = tcp6_ext(b, NULL, 0);

	pb_put16(b + 4, 200);
	return n;
}

static unsigned int b_ipv6_chain(u8 *b)
{
	static const u8 chain[] = { 0, 60, 43, 44 };

	return tcp6_ext(b, chain, sizeof(chain));
}

static const char *c_ipv6_chain(const struct sfw_pkt *pkt)
{
	if (pkt->l4_off != 72 || pkt->tuple.l4proto != SFW_IPPROTO_TCP)
		return "extension headers not walked";
	return pkt->flags & SFW_PKT_F_FRAG ? NULL : "first fragment not flagged";
}

/* Destination options header claiming 24 bytes, only 8 present. */
static unsigned int b_ipv6_ext_trunc(u8 *b)
{
	pb_ext6(b + 40, SFW_IPPROTO_TCP, 2);
	pb_ipv6(b, C6, S6, 60, 8);
	return 48;
}

static unsigned int b_ipv6_hbh_late(u8 *b)
{
	static const u8 chain[] = { 60, 0 };

	return tcp6_ext(b, chain, sizeof(chain));
}

static unsigned int b_ipv6_frag_later(u8 *b)
{
	unsigned int n = pb_frag6(b + 40, SFW_IPPROTO_TCP, 100, false);

	memset(b + 48, 0, 32);
	pb_ipv6(b, C6, S6, 44, n + 32);
	return 40 + n + 32;
}

static unsigned int b_ipv6_too_many(u8 *b)
{
	static const u8 chain[] = { 60, 60, 60, 60, 60, 60, 60, 60, 60 };

	return tcp6_ext(b, chain, sizeof(chain));
}

static unsigned int b_ipv6_no_next(u8 *b)
{
	pb_ipv6(b, C6, S6, 59, 8);
	memset(b + 40, 0, 8);
	return 48;
}

static unsigned int b_ipv6_jumbo(u8 *b)
{
	unsigned int n = tcp6_ext(b, NULL, 0);

	pb_put16(b + 4, 0);
	return n;
}

/* BIG TCP: a GSO packet over 64 KiB carries tot_len 0. */
static unsigned int b_ipv4_tot0(u8 *b)
{
	unsigned int n = tcp4(b, SFW_TCPH_SYN, NULL, 0);

	pb_put16(b + 2, 0);
	return n;
}

/* The whole buffer is the packet: a SYN of 20 (IPv4) or 40 (IPv6) + 20 + options. */
static const char *c_len_is_buffer(const struct sfw_pkt *pkt)
{
	if (pkt->tuple.l4proto != SFW_IPPROTO_TCP || !(pkt->tcp.flags & SFW_TCPH_SYN))
		return "TCP SYN tuple";
	return pkt->len == pkt->l4_off + pkt->tcp.doff * 4u + pkt->payload_len ?
	       NULL : "length is not the buffer's";
}

static const char *c_generic(const struct sfw_pkt *pkt)
{
	return pkt->tuple.l4proto == 59 && !pkt->tuple.sport && !pkt->tuple.dport ?
	       NULL : "generic tuple";
}

/* Packet too big quoting an IPv6 UDP datagram. */
static unsigned int b_icmp6_toobig(u8 *b)
{
	unsigned int n = pb_udp(b + 88, 5353, 5353, 100);

	pb_ipv6(b + 48, C6, S6, SFW_IPPROTO_UDP, n);
	pb_icmp(b + 40, SFW_ICMPV6_PKT_TOOBIG, 0, 0, 1280);
	pb_ipv6(b, "2001:db8:9::1", C6, SFW_IPPROTO_ICMPV6, 8 + 40 + n);
	return 40 + 8 + 40 + n;
}

static const char *c_icmp6_toobig(const struct sfw_pkt *pkt)
{
	const struct sfw_tuple *t = &pkt->icmp.inner;

	if (!pkt->icmp.is_error || t->l3num != SFW_AF_INET6 || ntohs(t->sport) != 5353)
		return "inner tuple";
	return NULL;
}

static unsigned int b_bad_family(u8 *b)
{
	return b_tcp4_ok(b);
}

static const struct pcase cases[] = {
	{ "parse: IPv4 TCP SYN with options", SFW_AF_INET, b_tcp4_ok, 0, c_tcp4_ok },
	{ "parse: IPv4 shorter than its header", SFW_AF_INET, b_ipv4_short, SFW_INVALID_TRUNCATED_L3, NULL },
	{ "parse: IPv4 bad version", SFW_AF_INET, b_ipv4_version, SFW_INVALID_BAD_L3_HEADER, NULL },
	{ "parse: IPv4 ihl < 5", SFW_AF_INET, b_ipv4_ihl4, SFW_INVALID_BAD_L3_HEADER, NULL },
	{ "parse: IPv4 ihl beyond tot_len", SFW_AF_INET, b_ipv4_ihl_gt_tot, SFW_INVALID_BAD_L3_HEADER, NULL },
	{ "parse: IPv4 tot_len larger than buffer", SFW_AF_INET, b_ipv4_tot_gt_buf, SFW_INVALID_TRUNCATED_L3, NULL },
	{ "parse: IPv4 trailing padding ignored", SFW_AF_INET, b_ipv4_padded, 0, c_ipv4_padded },
	{ "parse: IPv4 options skipped", SFW_AF_INET, b_ipv4_options, 0, c_ipv4_options },
	{ "parse: IPv4 non-first fragment", SFW_AF_INET, b_ipv4_frag_later, SFW_INVALID_FRAGMENT, NULL },
	{ "parse: IPv4 first fragment", SFW_AF_INET, b_ipv4_frag_first, 0, c_frag_first },
	{ "parse: TCP header truncated", SFW_AF_INET, b_tcp_short, SFW_INVALID_TRUNCATED_L4, NULL },
	{ "parse: TCP doff < 5", SFW_AF_INET, b_tcp_doff4, SFW_INVALID_BAD_TCP_DOFF, NULL },
	{ "parse: TCP doff beyond segment", SFW_AF_INET, b_tcp_doff_big, SFW_INVALID_BAD_TCP_DOFF, NULL },
	{ "parse: TCP option with length 0 ends the walk", SFW_AF_INET, b_tcp_bad_opt, 0, c_no_wscale },
	{ "parse: TCP option running past the header", SFW_AF_INET, b_tcp_opt_overrun, 0, c_no_wscale },
	{ "parse: UDP header truncated", SFW_AF_INET, b_udp_short, SFW_INVALID_TRUNCATED_L4, NULL },
	{ "parse: UDP length < 8", SFW_AF_INET, b_udp_len_small, SFW_INVALID_BAD_UDP_LEN, NULL },
	{ "parse: UDP length beyond packet", SFW_AF_INET, b_udp_len_big, SFW_INVALID_BAD_UDP_LEN, NULL },
	{ "parse: ICMP header truncated", SFW_AF_INET, b_icmp_short, SFW_INVALID_TRUNCATED_L4, NULL },
	{ "parse: ICMP echo request tuple", SFW_AF_INET, b_icmp_echo, 0, c_icmp_echo },
	{ "parse: ICMP error inner tuple", SFW_AF_INET, b_icmp_err_ok, 0, c_icmp_err_ok },
	{ "parse: ICMP error, inner IP header truncated", SFW_AF_INET, b_icmp_err_trunc_ip, SFW_INVALID_ICMP_ERROR_MALFORMED, NULL },
	{ "parse: ICMP error, inner L4 missing", SFW_AF_INET, b_icmp_err_no_l4, SFW_INVALID_ICMP_ERROR_MALFORMED, NULL },
	{ "parse: ICMP error inside an error", SFW_AF_INET, b_icmp_err_in_err, SFW_INVALID_ICMP_ERROR_MALFORMED, NULL },
	{ "parse: IPv6 TCP", SFW_AF_INET6, b_ipv6_tcp, 0, c_ipv6_tcp },
	{ "parse: IPv6 shorter than its header", SFW_AF_INET6, b_ipv6_short, SFW_INVALID_TRUNCATED_L3, NULL },
	{ "parse: IPv6 payload length beyond buffer", SFW_AF_INET6, b_ipv6_plen_big, SFW_INVALID_TRUNCATED_L3, NULL },
	{ "parse: IPv6 payload length 0 (jumbogram, BIG TCP) is the buffer's", SFW_AF_INET6, b_ipv6_jumbo, 0, c_len_is_buffer },
	{ "parse: IPv4 tot_len 0 (BIG TCP) is the buffer's", SFW_AF_INET, b_ipv4_tot0, 0, c_len_is_buffer },
	{ "parse: IPv6 hop-by-hop, dest, routing, fragment chain", SFW_AF_INET6, b_ipv6_chain, 0, c_ipv6_chain },
	{ "parse: IPv6 extension header truncated", SFW_AF_INET6, b_ipv6_ext_trunc, SFW_INVALID_TRUNCATED_L3, NULL },
	{ "parse: IPv6 hop-by-hop not first", SFW_AF_INET6, b_ipv6_hbh_late, SFW_INVALID_BAD_L3_HEADER, NULL },
	{ "parse: IPv6 non-first fragment", SFW_AF_INET6, b_ipv6_frag_later, SFW_INVALID_FRAGMENT, NULL },
	{ "parse: IPv6 too many extension headers", SFW_AF_INET6, b_ipv6_too_many, SFW_INVALID_BAD_L3_HEADER, NULL },
	{ "parse: IPv6 no next header is generic", SFW_AF_INET6, b_ipv6_no_next, 0, c_generic },
	{ "parse: ICMPv6 packet too big inner tuple", SFW_AF_INET6, b_icmp6_toobig, 0, c_icmp6_toobig },
	{ "parse: unknown family", 7, b_bad_family, SFW_INVALID_BAD_L3_HEADER, NULL },
};

static void run_case(const struct pcase *c)
{
	u8 b[PB_MAX] = { 0 };
	unsigned int len = c->build(b);
	struct sfw_pkt pkt;
	const char *bad = NULL;
	char why[160];
	int ret;

	ret = pb_parse(&pkt, c->l3num, b, len);
	if (ret != c->reason) {
		snprintf(why, sizeof(why), "expected %s, got %s (len %u)",
			 sfw_invalid_names[c->reason],
			 ret >= 0 && ret < SFW_INVALID_COUNT ? sfw_invalid_names[ret] : "?", len);
		tap_result(0, c->name, why);
		return;
	}
	if (!ret && c->check)
		bad = c->check(&pkt);
	tap_result(!bad, c->name, bad);
}

/*
 * Every prefix of some valid packets, with the IP length fields patched to
 * the prefix so the parser goes deeper: none may read out of bounds, and
 * all must fail with a reason (or, for a full packet, succeed).
 */
static void run_prefixes(void)
{
	unsigned int (*builders[])(u8 *) = {
		b_tcp4_ok, b_icmp_err_ok, b_ipv6_chain, b_icmp6_toobig, b_ipv4_options,
	};
	u8 l3[] = { SFW_AF_INET, SFW_AF_INET, SFW_AF_INET6, SFW_AF_INET6, SFW_AF_INET };
	char why[128] = "";
	size_t i;
	int bad = 0;

	for (i = 0; i < ARRAY_SIZE(builders); i++) {
		u8 b[PB_MAX];
		unsigned int n = builders[i](b), len;

		for (len = 0; len <= n; len++) {
			struct sfw_pkt pkt;
			int ret;

			if (l3[i] == SFW_AF_INET && len >= 4)
				pb_put16(b + 2, len);
			else if (l3[i] == SFW_AF_INET6 && len >= 40)
				pb_put16(b + 4, len - 40);
			ret = pb_parse(&pkt, l3[i], b, len);
			if (ret < 0 || ret >= SFW_INVALID_COUNT || (len == n && ret)) {
				snprintf(why, sizeof(why), "builder %zu len %u: ret %d", i, len, ret);
				bad++;
			}
		}
	}
	tap_result(!bad, "parse: every prefix of valid packets stays in bounds", why);
}

/* Random byte flips on valid packets: only ASan/UBSan can fail this. */
static void run_mutations(void)
{
	unsigned int (*builders[])(u8 *) = {
		b_tcp4_ok, b_icmp_err_ok, b_ipv6_chain, b_icmp6_toobig, b_icmp_err_in_err,
	};
	u8 l3[] = { SFW_AF_INET, SFW_AF_INET, SFW_AF_INET6, SFW_AF_INET6, SFW_AF_INET };
	unsigned int seed = 12345, i, k;
	int ok = 1;

	for (i = 0; i < 20000; i++) {
		u8 b[PB_MAX];
		unsigned int which = i % ARRAY_SIZE(builders);
		unsigned int n = builders[which](b);
		struct sfw_pkt pkt;
		int ret;

		for (k = 0; k < 3; k++) {
			seed = seed * 1103515245 + 12345;
			b[(seed >> 8) % n] = seed >> 20;
		}
		ret = pb_parse(&pkt, l3[which], b, n);
		if (ret < 0 || ret >= SFW_INVALID_COUNT)
			ok = 0;
	}
	tap_result(ok, "parse: 20000 mutated packets stay in bounds", "reason out of range");
}

int main(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(&cases[i]);
	run_prefixes();
	run_mutations();
	return tap_done();
}
