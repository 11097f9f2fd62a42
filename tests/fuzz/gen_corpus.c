// SPDX-License-Identifier: GPL-2.0
/*
 * gen_corpus - write the seed corpora of the fuzz targets:
 *
 *	gen_corpus DIR		(make -C tests/fuzz corpus)
 *
 * DIR/packet/: L3 packets, IPv4 and IPv6: a TCP handshake with options,
 * data and close, UDP, ICMP echo and errors quoting TCP/UDP/ICMP, ICMPv6
 * neighbour discovery, IPv6 extension header chains, fragments, GRE, and
 * broken and truncated variants.
 *
 * DIR/conntrack/: packet sequences in fuzz_conntrack.c's record format: a
 * handshake, data and close in IPv4 and IPv6, simultaneous open, a
 * refused connection, reopen after close, pickup, retransmissions, UDP
 * streams over time, ICMP echo and related errors, several connections
 * interleaved, and cut-short copies.
 *
 * The files are small and deterministic, so a change here shows as a diff.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include "pktbuild.h"

static const char *outdir;
static int nfiles;

static void put(const char *target, const char *name, const u8 *b, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	if (mkdir(path, 0755) && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(b, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
	nfiles++;
}

/* ---- packet: raw L3 packets ---- */

#define C4 "192.168.1.10"
#define S4 "203.0.113.5"
#define R4 "198.51.100.1"
#define C6 "2001:db8:1::10"
#define S6 "2001:db8:2::5"
#define R6 "2001:db8:ff::1"

static unsigned int ip(u8 *b, bool v6, const char *src6, const char *src4,
		       const char *dst6, const char *dst4, u8 proto, unsigned int l4)
{
	return v6 ? pb_ipv6(b, src6, dst6, proto, l4) : pb_ipv4(b, src4, dst4, proto, l4);
}

static unsigned int tcp_pkt(u8 *b, bool v6, bool reply, u8 flags, u32 seq, u32 ack,
			    const struct pb_tcpopt *o, unsigned int paylen)
{
	unsigned int hl = v6 ? 40 : 20;
	unsigned int n = pb_tcp(b + hl, reply ? 443 : 51000, reply ? 51000 : 443,
				seq, ack, flags, 64240, o, paylen);

	if (reply)
		return ip(b, v6, S6, S4, C6, C4, SFW_IPPROTO_TCP, n) + n;
	return ip(b, v6, C6, C4, S6, S4, SFW_IPPROTO_TCP, n) + n;
}

static unsigned int udp_pkt(u8 *b, bool v6, unsigned int paylen)
{
	unsigned int hl = v6 ? 40 : 20, n = pb_udp(b + hl, 5353, 53, paylen);

	return ip(b, v6, C6, C4, S6, S4, SFW_IPPROTO_UDP, n) + n;
}

static unsigned int echo_pkt(u8 *b, bool v6, bool reply)
{
	unsigned int hl = v6 ? 40 : 20, n;
	u8 type = v6 ? (reply ? SFW_ICMPV6_ECHO_REPLY : SFW_ICMPV6_ECHO_REQUEST) :
		  (reply ? SFW_ICMP_ECHOREPLY : SFW_ICMP_ECHO);

	n = pb_icmp(b + hl, type, 0, 0x4242, 7);
	memset(b + hl + n, 'p', 32);
	n += 32;
	if (reply)
		return ip(b, v6, S6, S4, C6, C4, v6 ? SFW_IPPROTO_ICMPV6 : SFW_IPPROTO_ICMP, n) + n;
	return ip(b, v6, C6, C4, S6, S4, v6 ? SFW_IPPROTO_ICMPV6 : SFW_IPPROTO_ICMP, n) + n;
}

/* An error from a router about the client's packet @quoted (@qlen bytes of it). */
static unsigned int error_pkt(u8 *b, bool v6, u8 type, u8 code, const u8 *quoted,
			      unsigned int qlen)
{
	unsigned int hl = v6 ? 40 : 20, n;

	n = pb_icmp(b + hl, type, code, 0, 0);
	memcpy(b + hl + n, quoted, qlen);
	n += qlen;
	return ip(b, v6, R6, R4, C6, C4, v6 ? SFW_IPPROTO_ICMPV6 : SFW_IPPROTO_ICMP, n) + n;
}

static void gen_packet(void)
{
	struct pb_tcpopt o = { .wscale = 7, .sack_perm = true };
	u8 b[PB_MAX], q[PB_MAX];
	unsigned int n, qn, off, i;
	char name[64];
	int v6;

	for (v6 = 0; v6 < 2; v6++) {
		const char *f = v6 ? "6" : "4";

#define PUT(what) do {							\
		snprintf(name, sizeof(name), "%s%s", what, f);		\
		put("packet", name, b, n);				\
	} while (0)
		n = tcp_pkt(b, v6, false, SFW_TCPH_SYN, 1000, 0, &o, 0);
		PUT("tcp-syn");
		/* Every prefix of the SYN is a truncated case. */
		for (i = 1; i < n; i += 7) {
			snprintf(name, sizeof(name), "tcp-syn-cut%u-%s", i, f);
			put("packet", name, b, i);
		}
		n = tcp_pkt(b, v6, true, SFW_TCPH_SYN | SFW_TCPH_ACK, 5000, 1001, &o, 0);
		PUT("tcp-synack");
		n = tcp_pkt(b, v6, false, SFW_TCPH_ACK | SFW_TCPH_PSH, 1001, 5001, NULL, 100);
		PUT("tcp-data");
		n = tcp_pkt(b, v6, false, SFW_TCPH_FIN | SFW_TCPH_ACK, 1101, 5001, NULL, 0);
		PUT("tcp-fin");
		n = tcp_pkt(b, v6, true, SFW_TCPH_RST | SFW_TCPH_ACK, 0, 1001, NULL, 0);
		PUT("tcp-rst");
		n = tcp_pkt(b, v6, false, SFW_TCPH_ACK, 1001, 5001, NULL, 10);
		b[(v6 ? 40 : 20) + 12] = 0xf0;		/* doff 15: past the segment */
		PUT("tcp-bad-doff");
		/* Malformed options: a length running past the header. */
		n = tcp_pkt(b, v6, false, SFW_TCPH_SYN, 1000, 0, &o, 0);
		b[(v6 ? 40 : 20) + 21] = 40;
		PUT("tcp-bad-opt");

		n = udp_pkt(b, v6, 30);
		PUT("udp");
		pb_put16(b + (v6 ? 40 : 20) + 4, 200);	/* UDP length beyond the packet */
		PUT("udp-bad-len");
		n = udp_pkt(b, v6, 30);
		memset(b + n, 0, 12);			/* link-layer padding */
		n += 12;
		PUT("udp-padded");

		n = echo_pkt(b, v6, false);
		PUT("echo");
		n = echo_pkt(b, v6, true);
		PUT("echo-reply");

		/* Errors quoting a TCP SYN, a UDP datagram, an echo request. */
		qn = tcp_pkt(q, v6, false, SFW_TCPH_SYN, 1000, 0, NULL, 0);
		n = error_pkt(b, v6, v6 ? SFW_ICMPV6_DEST_UNREACH : SFW_ICMP_DEST_UNREACH,
			      v6 ? 4 : 3, q, min(qn, (v6 ? 40u : 20u) + 8));
		PUT("err-tcp");
		n = error_pkt(b, v6, v6 ? SFW_ICMPV6_DEST_UNREACH : SFW_ICMP_DEST_UNREACH,
			      v6 ? 4 : 3, q, (v6 ? 40 : 20) + 2);
		PUT("err-tcp-short");
		qn = udp_pkt(q, v6, 40);
		n = error_pkt(b, v6, v6 ? SFW_ICMPV6_TIME_EXCEED : SFW_ICMP_TIME_EXCEEDED,
			      0, q, qn);
		PUT("err-udp");
		qn = echo_pkt(q, v6, false);
		n = error_pkt(b, v6, v6 ? SFW_ICMPV6_PKT_TOOBIG : SFW_ICMP_DEST_UNREACH,
			      v6 ? 0 : 4, q, (v6 ? 40 : 20) + 8);
		PUT("err-echo");
		/* An error about an error: never sent, malformed. */
		qn = n;
		memcpy(q, b, qn);
		n = error_pkt(b, v6, v6 ? SFW_ICMPV6_DEST_UNREACH : SFW_ICMP_DEST_UNREACH,
			      1, q, (v6 ? 40 : 20) + 8);
		PUT("err-err");

		/* GRE: generic, keyed on addresses only. */
		n = (v6 ? 40 : 20) + 8;
		ip(b, v6, C6, C4, S6, S4, 47, 8);
		memset(b + n - 8, 0, 8);
		PUT("gre");
#undef PUT
	}

	/* IPv6 extension header chains in front of TCP and UDP. */
	off = 40;
	off += pb_ext6(b + off, 60, 0);			/* hop-by-hop */
	off += pb_ext6(b + off, 43, 1);			/* destination options */
	off += pb_ext6(b + off, 44, 0);			/* routing */
	off += pb_frag6(b + off, SFW_IPPROTO_UDP, 0, true);	/* first fragment */
	n = pb_udp(b + off, 5353, 53, 400);
	pb_ipv6(b, C6, S6, 0, off - 40 + 60);		/* only part of the datagram */
	put("packet", "v6-ext-frag-udp", b, off + 60);
	off = 40;
	off += pb_ext6(b + off, 51, 0);
	memset(b + off, 0, 12);				/* AH, (1 + 2) * 4 bytes */
	b[off] = SFW_IPPROTO_TCP;
	b[off + 1] = 1;
	off += 12;
	n = pb_tcp(b + off, 51000, 443, 1000, 0, SFW_TCPH_SYN, 64240, &o, 0);
	pb_ipv6(b, C6, S6, 0, off - 40 + n);
	put("packet", "v6-ext-ah-tcp", b, off + n);
	put("packet", "v6-ext-ah-tcp-cut", b, off - 6);
	off = 40 + pb_frag6(b + 40, SFW_IPPROTO_TCP, 185, false);	/* not the first */
	pb_ipv6(b, C6, S6, 44, 8 + 20);
	put("packet", "v6-frag-later", b, off + 20);

	/* IPv4 first and later fragments. */
	n = udp_pkt(b, false, 100);
	b[6] = 0x20;
	put("packet", "v4-frag-first", b, n);
	b[6] = 0x00;
	b[7] = 0x10;
	put("packet", "v4-frag-later", b, n);
	/* IPv4 options (ihl 6). */
	n = udp_pkt(q, false, 10);
	memcpy(b, q, 20);
	b[0] = 0x46;
	pb_put16(b + 2, n + 4);
	memset(b + 20, 1, 4);				/* NOPs */
	memcpy(b + 24, q + 20, n - 20);
	put("packet", "v4-options", b, n + 4);

	/* ICMPv6 neighbour solicitation: valid, never tracked. */
	n = pb_icmp(b + 40, 135, 0, 0, 0);
	memset(b + 48, 0, 16);
	pb_ipv6(b, C6, "ff02::1:ff00:5", SFW_IPPROTO_ICMPV6, 24);
	put("packet", "icmp6-ns", b, 40 + 24);
}

/* ---- conntrack: packet sequences ---- */

struct seq {
	u8 b[4096];
	size_t n;
};

#define H(c, dir, v6, kind)	((c) | (dir) << 2 | (v6) << 3 | (kind) << 4)
#define K_RAW	0
#define K_UDP	1
#define K_ICMP	2
#define K_ERR	3
#define K_OTHER	4
#define K_CLOCK	5
#define K_TCP	6

#define O_SEQREL	0x01
#define O_ACKREL	0x02
#define O_WSCALE(s)	(0x04 | (s) << 4)
#define O_SACK		0x08
#define O_BIG		0x20
#define REL		(O_SEQREL | O_ACKREL)

#define SYN	SFW_TCPH_SYN
#define ACK	SFW_TCPH_ACK
#define FIN	SFW_TCPH_FIN
#define RST	SFW_TCPH_RST
#define PSH	SFW_TCPH_PSH

static void b8(struct seq *s, u8 v)
{
	s->b[s->n++] = v;
}

static void start(struct seq *s, u8 k0, u8 k1)
{
	s->n = 0;
	b8(s, k0);
	b8(s, k1);
}

static void tcp(struct seq *s, int c, int dir, int v6, u8 flags, u8 opt, u32 seq,
		u32 ack, u16 win, u8 len)
{
	b8(s, H(c, dir, v6, K_TCP));
	b8(s, flags);
	b8(s, opt);
	pb_put32(s->b + s->n, seq);
	pb_put32(s->b + s->n + 4, ack);
	s->n += 8;
	b8(s, win >> 8);
	b8(s, win & 0xff);
	b8(s, len);
}

static void udp(struct seq *s, int c, int dir, int v6, u8 len)
{
	b8(s, H(c, dir, v6, K_UDP));
	b8(s, len);
}

static void icmp(struct seq *s, int c, int dir, int v6, u8 type, u8 code)
{
	b8(s, H(c, dir, v6, K_ICMP));
	b8(s, type);
	b8(s, code);
}

/* quote: bits 0-1 conn, bit 2 dir, bits 3-4 TCP/UDP/echo/GRE, 5 router, 6 short */
static void err(struct seq *s, int v6, u8 type, u8 code, u8 quote)
{
	b8(s, H(0, 0, v6, K_ERR));
	b8(s, type);
	b8(s, code);
	b8(s, quote);
}

static void other(struct seq *s, int c, int dir, int v6, u8 proto, u8 shape)
{
	b8(s, H(c, dir, v6, K_OTHER));
	b8(s, proto);
	b8(s, shape);
}

static void clock_(struct seq *s, u16 secs)
{
	b8(s, H(0, 0, 0, K_CLOCK));
	b8(s, secs >> 8);
	b8(s, secs & 0xff);
}

static void raw(struct seq *s, const u8 *p, u8 len)
{
	b8(s, H(0, 0, 0, K_RAW));
	b8(s, len);
	memcpy(s->b + s->n, p, len);
	s->n += len;
}

static void emit(const char *name, const struct seq *s)
{
	put("conntrack", name, s->b, s->n);
}

/* Handshake with options, data both ways, close from the client. */
static void tcp_conversation(struct seq *s, int c, int v6)
{
	tcp(s, c, 0, v6, SYN, O_WSCALE(7) | O_SACK, 1000, 0, 64240, 0);
	tcp(s, c, 1, v6, SYN | ACK, O_ACKREL | O_WSCALE(9) | O_SACK, 7000000, 0, 65160, 0);
	tcp(s, c, 0, v6, ACK, REL, 0, 0, 502, 0);
	tcp(s, c, 0, v6, ACK | PSH, REL, 0, 0, 502, 120);
	tcp(s, c, 1, v6, ACK | PSH, REL, 0, 0, 128, 250);
	tcp(s, c, 1, v6, ACK | PSH, REL | O_BIG, 0, 0, 128, 90);
	tcp(s, c, 0, v6, ACK, REL, 0, 0, 490, 0);
}

static void tcp_close(struct seq *s, int c, int v6, int first)
{
	tcp(s, c, first, v6, FIN | ACK, REL, 0, 0, 500, 0);
	tcp(s, c, !first, v6, ACK, REL, 0, 0, 128, 0);
	tcp(s, c, !first, v6, FIN | ACK, REL, 0, 0, 128, 0);
	tcp(s, c, first, v6, ACK, REL, 0, 0, 500, 0);
}

static void gen_conntrack(void)
{
	struct seq s;
	u8 b[PB_MAX];
	unsigned int n;
	size_t full;
	int v6;

	for (v6 = 0; v6 < 2; v6++) {
		char name[64];

#define EMIT(what) do {							\
		snprintf(name, sizeof(name), "%s%d", what, v6 ? 6 : 4);	\
		emit(name, &s);						\
	} while (0)
		start(&s, 0x0c, 0);		/* tcp_loose off, max_retrans 3 */
		tcp_conversation(&s, 0, v6);
		tcp_close(&s, 0, v6, 0);
		EMIT("tcp-full-");
		/* The same cut short after every few records. */
		full = s.n;
		for (s.n = 20; s.n < full; s.n += 29) {
			snprintf(name, sizeof(name), "tcp-full-cut%zu-%d", s.n, v6 ? 6 : 4);
			emit(name, &s);
		}

		start(&s, 0x0d, 1);		/* loose, small distinct timeouts */
		tcp_conversation(&s, 1, v6);
		tcp_close(&s, 1, v6, 1);	/* the server closes */
		clock_(&s, 30);
		tcp(&s, 1, 0, v6, SYN, O_WSCALE(7), 900000, 0, 64240, 0);	/* reopen */
		tcp(&s, 1, 1, v6, SYN | ACK, O_ACKREL, 42, 0, 65160, 0);
		tcp(&s, 1, 0, v6, ACK, REL, 0, 0, 502, 0);
		EMIT("tcp-reopen-");

		/* Refused, then retried: RST+ACK answering the SYN. */
		start(&s, 0x0c, 0);
		tcp(&s, 2, 0, v6, SYN, 0, 1000, 0, 64240, 0);
		tcp(&s, 2, 1, v6, RST | ACK, O_ACKREL, 0, 0, 0, 0);
		tcp(&s, 2, 0, v6, SYN, 0, 2000, 0, 64240, 0);
		tcp(&s, 2, 0, v6, SYN, 0, 2000, 0, 64240, 0);		/* retransmitted */
		EMIT("tcp-refused-");

		/* Simultaneous open. */
		start(&s, 0x0c, 0);
		tcp(&s, 0, 0, v6, SYN, O_WSCALE(2), 1000, 0, 64240, 0);
		tcp(&s, 0, 1, v6, SYN, O_WSCALE(3), 3000, 0, 64240, 0);
		tcp(&s, 0, 0, v6, SYN | ACK, O_ACKREL | O_WSCALE(2), 1000, 0, 64240, 0);
		tcp(&s, 0, 1, v6, SYN | ACK, O_ACKREL | O_WSCALE(3), 3000, 0, 64240, 0);
		tcp(&s, 0, 1, v6, ACK, REL, 0, 0, 64240, 0);
		tcp(&s, 0, 0, v6, ACK, REL, 0, 0, 64240, 0);
		EMIT("tcp-simopen-");

		/* Picked up mid-stream, then retransmissions and a zero window. */
		start(&s, 0x0d, 1);
		tcp(&s, 3, 0, v6, ACK | PSH, 0, 123456, 654321, 300, 100);
		tcp(&s, 3, 1, v6, ACK, O_ACKREL, 654321, 0, 200, 0);
		tcp(&s, 3, 0, v6, ACK | PSH, REL, 0, 0, 300, 100);
		tcp(&s, 3, 0, v6, ACK | PSH, REL, (u32)-100, 0, 300, 100);
		tcp(&s, 3, 0, v6, ACK | PSH, REL, (u32)-100, 0, 300, 100);
		tcp(&s, 3, 0, v6, ACK | PSH, REL, (u32)-100, 0, 300, 100);
		tcp(&s, 3, 0, v6, ACK | PSH, REL, (u32)-100, 0, 300, 100);
		tcp(&s, 3, 1, v6, ACK, REL, 0, 0, 0, 0);
		tcp(&s, 3, 0, v6, RST, REL, 0, 0, 0, 0);
		EMIT("tcp-pickup-");

		/* Out-of-window and bad flags on an established connection. */
		start(&s, 0x0c, 0);
		tcp_conversation(&s, 0, v6);
		tcp(&s, 0, 0, v6, ACK, O_ACKREL, 0x80000000u, 0, 500, 0);
		tcp(&s, 0, 1, v6, ACK, O_SEQREL, 0, 12345, 500, 0);
		tcp(&s, 0, 0, v6, SYN | FIN, REL, 0, 0, 500, 0);
		tcp(&s, 0, 0, v6, 0, REL, 0, 0, 500, 0);
		tcp(&s, 0, 1, v6, RST, O_ACKREL, 99, 0, 0, 0);
		tcp(&s, 0, 0, v6, SYN, O_WSCALE(14), 1, 0, 1000, 0);	/* peer restarted? */
		tcp(&s, 0, 1, v6, SYN | ACK, O_ACKREL, 77, 0, 1000, 0);
		EMIT("tcp-invalid-");

		/* UDP: query, answer, a stream after a few seconds, expiry. */
		start(&s, 0x0c, 1);
		udp(&s, 0, 0, v6, 40);
		udp(&s, 0, 1, v6, 200);
		clock_(&s, 3);
		udp(&s, 0, 0, v6, 40);
		udp(&s, 0, 1, v6, 40);
		clock_(&s, 200);
		udp(&s, 0, 1, v6, 40);		/* expired: the server's starts a new one */
		udp(&s, 0, 0, v6, 40);
		EMIT("udp-");

		/* Echo and answer; an error about the TCP connection and the echo. */
		start(&s, 0x0c, 0);
		icmp(&s, 0, 0, v6, v6 ? SFW_ICMPV6_ECHO_REQUEST : SFW_ICMP_ECHO, 0);
		icmp(&s, 0, 1, v6, v6 ? SFW_ICMPV6_ECHO_REPLY : SFW_ICMP_ECHOREPLY, 0);
		icmp(&s, 0, 1, v6, v6 ? SFW_ICMPV6_ECHO_REPLY : SFW_ICMP_ECHOREPLY, 0);
		icmp(&s, 1, 1, v6, v6 ? SFW_ICMPV6_ECHO_REPLY : SFW_ICMP_ECHOREPLY, 0);
		tcp(&s, 1, 0, v6, SYN, 0, 1000, 0, 64240, 0);
		err(&s, v6, v6 ? SFW_ICMPV6_DEST_UNREACH : SFW_ICMP_DEST_UNREACH, 3, 0x01);
		err(&s, v6, v6 ? SFW_ICMPV6_DEST_UNREACH : SFW_ICMP_DEST_UNREACH, 1, 0x21);
		err(&s, v6, v6 ? SFW_ICMPV6_TIME_EXCEED : SFW_ICMP_TIME_EXCEEDED, 0, 0x30);
		err(&s, v6, v6 ? SFW_ICMPV6_PKT_TOOBIG : SFW_ICMP_DEST_UNREACH, 4, 0x10);
		err(&s, v6, v6 ? SFW_ICMPV6_PARAMPROB : SFW_ICMP_PARAMETERPROB, 0, 0x41);
		err(&s, v6, v6 ? SFW_ICMPV6_DEST_UNREACH : SFW_ICMP_DEST_UNREACH, 3, 0x05);
		if (v6)
			icmp(&s, 0, 0, v6, 135, 0);	/* neighbour solicitation */
		else
			icmp(&s, 0, 0, v6, SFW_ICMP_TIMESTAMP, 0);
		EMIT("icmp-");

		/* Generic protocols, extension headers, fragments. */
		start(&s, 0x0c, 0);
		other(&s, 0, 0, v6, 47, 0);
		other(&s, 1, 1, v6, 47, 0);
		other(&s, 2, 0, v6, SFW_IPPROTO_UDP, 0x07);
		other(&s, 2, 1, v6, SFW_IPPROTO_UDP, 0x0b);
		other(&s, 3, 0, v6, SFW_IPPROTO_TCP, 0x0d);
		other(&s, 0, 0, v6, v6 ? SFW_IPPROTO_ICMPV6 : SFW_IPPROTO_ICMP, 0x03);
		other(&s, 1, 0, v6, 132, 0x04);		/* SCTP, first fragment */
		EMIT("other-");
#undef EMIT
	}

	/* Four connections at once, both families, interleaved; a fifth evicts. */
	start(&s, 0x0c, 0);
	tcp(&s, 0, 0, 0, SYN, O_WSCALE(7), 1000, 0, 64240, 0);
	udp(&s, 1, 0, 1, 20);
	tcp(&s, 2, 0, 1, SYN, 0, 5000, 0, 64240, 0);
	tcp(&s, 0, 1, 0, SYN | ACK, O_ACKREL | O_WSCALE(7), 9000, 0, 64240, 0);
	udp(&s, 1, 1, 1, 20);
	icmp(&s, 3, 0, 0, SFW_ICMP_ECHO, 0);
	tcp(&s, 2, 1, 1, SYN | ACK, O_ACKREL, 100, 0, 64240, 0);
	tcp(&s, 0, 0, 0, ACK, REL, 0, 0, 600, 0);
	other(&s, 3, 0, 1, 47, 0);			/* a fifth entry */
	tcp(&s, 2, 0, 1, ACK, REL, 0, 0, 600, 0);
	icmp(&s, 3, 1, 0, SFW_ICMP_ECHOREPLY, 0);
	tcp(&s, 0, 0, 0, FIN | ACK, REL, 0, 0, 600, 0);
	emit("multi", &s);

	/* Raw packets: a SYN and its SYN-ACK given as bytes, then junk. */
	start(&s, 0x0c, 0);
	n = tcp_pkt(b, false, false, SYN, 1000, 0, NULL, 0);
	raw(&s, b, n);
	n = tcp_pkt(b, false, true, SYN | ACK, 5000, 1001, NULL, 0);
	raw(&s, b, n);
	n = tcp_pkt(b, true, false, ACK, 1001, 5001, NULL, 10);
	raw(&s, b, n);
	raw(&s, b, 30);
	emit("raw", &s);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_corpus DIR\n");
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0755) && errno != EEXIST) {
		perror(outdir);
		return 1;
	}
	gen_packet();
	gen_conntrack();
	fprintf(stderr, "gen_corpus: %d files in %s\n", nfiles, outdir);
	return 0;
}
