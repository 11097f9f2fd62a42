// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_conntrack - packet sequences through the parser and the protocol
 * state machines, driven as src/conntrack.c drives them.
 *
 * A tiny model of the connection table (SFW_FZ_CONNS entries: protocol
 * state, original tuple, creation time, expiry) stands in for the RCU hash
 * table.  Each packet goes the kernel's way (sfw_conntrack_in): parse ->
 * ICMP error (lookup of the quoted tuple) or untracked ICMPv6 -> lookup by
 * tuple, then by inverted tuple -> sfw_proto_new + the first
 * sfw_proto_packet on a fresh state, or sfw_proto_packet on the entry ->
 * reopen or destroy deletes it.  After every call the result and the state
 * are checked against the contract in proto.h.
 *
 * Input: two bytes of knobs, then records.  A record starts with a byte
 *	bits 0-1  connection 0..3 (its addresses and ports, below)
 *	bit  2    direction: 0 client -> server, 1 server -> client
 *	bit  3    IPv6
 *	bits 4-7  what follows:
 *	  0   raw: length byte, then that many bytes of an L3 packet
 *	  1   UDP: payload length byte
 *	  2   ICMP query/answer: type, code
 *	  3   ICMP error: type, code, quote byte (connection, direction,
 *	      protocol, sent by a router, quote cut short)
 *	  4   other L3 shape: protocol byte, shape byte (IPv6 extension
 *	      headers, first fragment), then as the protocol says
 *	  5   clock: two bytes of seconds
 *	  6+  TCP: flags, option byte, seq, ack (4 each), window (2), length
 *
 * TCP seq and ack may be absolute or relative to what this end (seq) or
 * the other end (ack) sent last, so that short inputs reach the window
 * checks of long conversations.
 */
#include "fuzz.h"
#include "pktbuild.h"

#define SFW_FZ_CONNS	4
#define SFW_FZ_BUF	4400

struct entry {
	bool used;
	struct sfw_tuple tuple;		/* ORIGINAL */
	union sfw_proto_state ps;
	u32 start;			/* clock at creation: udp.start, as the kernel */
	u32 expires;
};

struct model {
	struct entry e[SFW_FZ_CONNS];
	struct sfw_ct_params p;
	u32 now;
	u32 nxt[SFW_FZ_CONNS][2];	/* TCP: next seq of each end of a connection */
};

/* SFW_FUZZ_TRACE=1 in the environment: each call and its result on stderr. */
static bool trace;

/*
 * SFW_FUZZ_ALLOW=simopen: tolerate a known, reported bug so that a long
 * run can explore past it (tests/fuzz/regress/ keeps the input that shows
 * it, and fails without this):
 *   simopen  an INVALID SYN in SYN_SENT's reply direction still sets
 *            SFW_PS_TCP_SIMOPEN (set before the window check).
 */
static bool allow_simopen;

static void dump_tcp(const char *what, const struct sfw_tcp_state *t)
{
	fprintf(stderr, "  %s: flags %#x state %u last_win %u dir0 %u/%u/%u dir1 %u/%u/%u",
		what, t->flags, t->state, t->last_win, t->dir[0].td_end, t->dir[0].td_maxend,
		t->dir[0].td_maxwin, t->dir[1].td_end, t->dir[1].td_maxend, t->dir[1].td_maxwin);
	fprintf(stderr, " last_end %u last_ack %u dflags %#x scales %#x idx %u ldf %u lws %u rt %u\n",
		t->last_end, t->last_ack, t->dflags, t->scales, t->last_index, t->last_dflags,
		t->last_wscale, t->retrans);
}

struct input {
	const u8 *d;
	size_t n;
};

static bool take(struct input *in, void *out, size_t len)
{
	if (in->n < len)
		return false;
	memcpy(out, in->d, len);
	in->d += len;
	in->n -= len;
	return true;
}

static u8 take8(struct input *in)
{
	u8 v = 0;

	take(in, &v, 1);
	return v;
}

static u32 take32(struct input *in)
{
	u8 b[4] = { 0 };

	take(in, b, 4);
	return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}

static bool is_icmp_tuple(const struct sfw_tuple *t)
{
	return (t->l3num == SFW_AF_INET && t->l4proto == SFW_IPPROTO_ICMP) ||
	       (t->l3num == SFW_AF_INET6 && t->l4proto == SFW_IPPROTO_ICMPV6);
}

/* ---- the table, as conntrack.c keeps it ---- */

static struct entry *lookup(struct model *m, const struct sfw_tuple *t, enum sfw_dir *dir)
{
	struct entry *found = NULL;
	struct sfw_tuple inv;
	int i, hits = 0;

	sfw_tuple_invert(t, &inv);
	for (i = 0; i < SFW_FZ_CONNS; i++) {
		struct entry *e = &m->e[i];

		if (!e->used)
			continue;
		/* Expired: the wheel would have reaped it. */
		if ((s32)(m->now - e->expires) >= 0) {
			e->used = false;
			continue;
		}
		if (!memcmp(&e->tuple, t, sizeof(*t))) {
			if (!found)
				*dir = SFW_DIR_ORIGINAL;
		} else if (!memcmp(&e->tuple, &inv, sizeof(inv))) {
			if (!found)
				*dir = SFW_DIR_REPLY;
		} else {
			continue;
		}
		hits++;
		if (!found)
			found = e;
	}
	/* Insertion refuses a clash, so no two entries share a tuple. */
	FUZZ_CHECK(hits <= 1);
	return found;
}

static struct entry *slot(struct model *m)
{
	struct entry *old = &m->e[0];
	int i;

	for (i = 0; i < SFW_FZ_CONNS; i++) {
		if (!m->e[i].used)
			return &m->e[i];
		if ((s32)(m->e[i].expires - old->expires) < 0)
			old = &m->e[i];
	}
	/* Full: drop the one closest to expiry, as early drop would. */
	old->used = false;
	return old;
}

/* ---- invariants ---- */

static size_t state_size(const struct sfw_tuple *t)
{
	if (t->l4proto == SFW_IPPROTO_TCP)
		return sizeof(struct sfw_tcp_state);
	if (t->l4proto == SFW_IPPROTO_UDP)
		return sizeof(struct sfw_udp_state);
	if (is_icmp_tuple(t))
		return sizeof(struct sfw_icmp_state);
	return sizeof(struct sfw_generic_state);
}

/*
 * proto_tcp.c: an INVALID segment changes nothing, but for the window data
 * of a direction that this segment (re)initialises, as nf_conntrack's
 * tcp_in_window() does: one first seen (td_maxwin 0 before), and, in
 * SYN_SENT/SYN_RECV, the sender of a SYN or SYN-ACK beyond what it sent
 * before (RFC 793 reuse with higher sequence numbers).  Clear what that
 * may touch in both copies; the rest must match byte for byte.
 */
static void tcp_mask_init(struct sfw_tcp_state *a, struct sfw_tcp_state *b,
			  const struct sfw_tcp_state *before, const struct sfw_pkt *pkt,
			  enum sfw_dir dir)
{
	u32 end = pkt->tcp.seq + pkt->payload_len + !!(pkt->tcp.flags & SFW_TCPH_SYN) +
		  !!(pkt->tcp.flags & SFW_TCPH_FIN);
	bool reinit = (pkt->tcp.flags & SFW_TCPH_SYN) &&
		      /* after(), as proto_tcp.c spells it: 2^31 apart is after both ways */
		      (s32)(before->dir[dir].td_end - end) < 0 &&
		      (before->state == SFW_TCP_SYN_SENT || before->state == SFW_TCP_SYN_RECV);
	int d;

	for (d = 0; d < SFW_DIR_COUNT; d++) {
		if (before->dir[d].td_maxwin && !(reinit && d == (int)dir))
			continue;
		memset(&a->dir[d], 0, sizeof(a->dir[d]));
		memset(&b->dir[d], 0, sizeof(b->dir[d]));
		a->dflags &= ~(SFW_TCP_DF_MASK << (d * SFW_TCP_DF_BITS));
		b->dflags &= ~(SFW_TCP_DF_MASK << (d * SFW_TCP_DF_BITS));
		/*
		 * Its window scale, and the peer's: RFC 7323 scaling needs
		 * the option both ways, so a SYN-ACK without it zeroes both
		 * (init_sender()).
		 */
		a->scales = 0;
		b->scales = 0;
	}
}

static bool timeout_ok(const struct sfw_ct_params *p, const struct sfw_pkt *pkt,
		       const union sfw_proto_state *ps, const struct sfw_proto_result *r)
{
	const struct sfw_tuple *t = &pkt->tuple;
	u32 to = r->timeout, st;

	if (t->l4proto == SFW_IPPROTO_TCP) {
		if (!to)	/* ignored segment or reopen: timer left alone */
			return true;
		st = p->tcp_timeouts[ps->tcp.state];
		if (to != st && to != p->tcp_timeout_max_retrans &&
		    to != p->tcp_timeout_unacknowledged &&
		    to != p->tcp_timeouts[SFW_TCP_CLOSE])
			return false;
		/* Never longer than the state's, but a RST gets CLOSE's. */
		return to <= st || ((pkt->tcp.flags & SFW_TCPH_RST) &&
				    to == p->tcp_timeouts[SFW_TCP_CLOSE]);
	}
	if (t->l4proto == SFW_IPPROTO_UDP)
		return to == p->udp_timeout ||
		       (to == p->udp_timeout_stream && (ps->udp.flags & SFW_PS_ASSURED));
	if (is_icmp_tuple(t))
		return to == (t->l3num == SFW_AF_INET6 ? p->icmpv6_timeout : p->icmp_timeout);
	return to == p->generic_timeout;
}

/*
 * One sfw_proto_packet() call on @e, checked: @fresh is the first packet
 * of a new entry.  Returns the result for the caller to apply.
 */
static int proto_packet(struct model *m, struct entry *e, const struct sfw_pkt *pkt,
			enum sfw_dir dir, struct sfw_proto_result *res)
{
	union sfw_proto_state before = e->ps, a, b;
	size_t sz = state_size(&e->tuple);
	u8 oflags = before.generic.flags;
	u32 age = m->now - e->start;
	int ret;

	memset(res, 0xa5, sizeof(*res));
	ret = sfw_proto_packet(&e->ps, pkt, dir, age, &m->p, res);
	if (trace) {
		fprintf(stderr, "entry %td dir %d proto %u len %u", e - m->e, dir,
			pkt->tuple.l4proto, pkt->len);
		if (pkt->tuple.l4proto == SFW_IPPROTO_TCP)
			fprintf(stderr, " tcp flags %#x seq %u ack %u win %u ws %u pay %u",
				pkt->tcp.flags, pkt->tcp.seq, pkt->tcp.ack, pkt->tcp.window,
				pkt->tcp.wscale, pkt->payload_len);
		fprintf(stderr, " -> ret %d ctinfo %u state %u->%u timeout %u%s%s%s\n", ret,
			res->ctinfo, res->old_state, res->new_state, res->timeout,
			res->assured ? " assured" : "", res->destroy ? " destroy" : "",
			res->reopen ? " reopen" : "");
		if (pkt->tuple.l4proto == SFW_IPPROTO_TCP) {
			dump_tcp("before", &before.tcp);
			dump_tcp("after ", &e->ps.tcp);
		}
	}

	FUZZ_CHECK(ret >= 0 && ret < SFW_INVALID_COUNT);
	FUZZ_CHECK(res->ctinfo < SFW_CT_COUNT);
	FUZZ_CHECK(res->reason < SFW_INVALID_COUNT);
	FUZZ_CHECK((res->ctinfo == SFW_CT_INVALID) == (res->reason != 0));
	FUZZ_CHECK(ret == res->reason);
	/* RELATED comes from an ICMP error verdict, UNTRACKED before lookup. */
	FUZZ_CHECK(res->ctinfo != SFW_CT_RELATED && res->ctinfo != SFW_CT_UNTRACKED);
	/* The unit touches only its own member of the union. */
	FUZZ_CHECK(!memcmp((u8 *)&e->ps + sz, (u8 *)&before + sz, sizeof(before) - sz));
	if (pkt->tuple.l4proto == SFW_IPPROTO_UDP)
		FUZZ_CHECK(e->ps.udp.start == before.udp.start);	/* caller-owned */
	if (pkt->tuple.l4proto == SFW_IPPROTO_TCP) {
		FUZZ_CHECK(e->ps.tcp.state < SFW_TCP_NSTATES);
		FUZZ_CHECK(res->old_state == before.tcp.state);
		FUZZ_CHECK(res->new_state < SFW_TCP_NSTATES);
	}

	if (ret) {
		FUZZ_CHECK(!res->destroy && !res->reopen && !res->assured);
		a = before;
		b = e->ps;
		if (pkt->tuple.l4proto == SFW_IPPROTO_TCP) {
			tcp_mask_init(&a.tcp, &b.tcp, &before.tcp, pkt, dir);
			if (allow_simopen) {
				a.tcp.flags &= ~SFW_PS_TCP_SIMOPEN;
				b.tcp.flags &= ~SFW_PS_TCP_SIMOPEN;
			}
		}
		FUZZ_CHECK_MSG(!memcmp(&a, &b, sizeof(a)),
			       "INVALID (%s) changed the state of a proto %u entry",
			       sfw_invalid_names[ret], pkt->tuple.l4proto);
		return ret;
	}

	/* Seen-reply and assured only ever get set. */
	FUZZ_CHECK((e->ps.generic.flags & oflags & (SFW_PS_SEEN_REPLY | SFW_PS_ASSURED)) ==
		   (oflags & (SFW_PS_SEEN_REPLY | SFW_PS_ASSURED)));
	if (res->assured)
		FUZZ_CHECK(!(oflags & SFW_PS_ASSURED) && (e->ps.generic.flags & SFW_PS_ASSURED));
	if (res->reopen)
		FUZZ_CHECK(res->destroy && !memcmp(&e->ps, &before, sizeof(before)));
	FUZZ_CHECK(res->ctinfo == SFW_CT_NEW || res->ctinfo == SFW_CT_ESTABLISHED);
	if (dir == SFW_DIR_REPLY && !res->reopen)
		FUZZ_CHECK(res->ctinfo == SFW_CT_ESTABLISHED);
	FUZZ_CHECK(timeout_ok(&m->p, pkt, &e->ps, res));
	if (pkt->tuple.l4proto == SFW_IPPROTO_TCP && !res->reopen) {
		FUZZ_CHECK(res->new_state == e->ps.tcp.state);
		FUZZ_CHECK(res->changed == (res->old_state != res->new_state));
	} else if (pkt->tuple.l4proto != SFW_IPPROTO_TCP) {
		FUZZ_CHECK(!res->destroy);
		FUZZ_CHECK((res->ctinfo == SFW_CT_ESTABLISHED) ==
			   !!(e->ps.generic.flags & SFW_PS_SEEN_REPLY));
	}
	return 0;
}

/* The caller side of sfw_conntrack_in() for one parsed packet. */
static void track(struct model *m, const struct sfw_pkt *pkt)
{
	struct sfw_proto_result res;
	struct sfw_tuple lk;
	struct entry *e;
	enum sfw_dir dir;
	int tries = 0;
	u8 reason;

	if (is_icmp_tuple(&pkt->tuple)) {
		if (pkt->icmp.is_error) {
			bool found = false;

			FUZZ_CHECK(!sfw_proto_icmp_error_tuple(pkt, &lk));
			fuzz_check_tuple(&lk, pkt->tuple.l3num);
			if (!memcmp(&pkt->tuple.dst, &lk.src, sizeof(lk.src)))
				found = lookup(m, &lk, &dir);
			memset(&res, 0xa5, sizeof(res));
			sfw_proto_icmp_error_verdict(found, &res);
			FUZZ_CHECK(res.ctinfo == (found ? SFW_CT_RELATED : SFW_CT_INVALID));
			FUZZ_CHECK(res.reason == (found ? 0 : SFW_INVALID_ICMP_ERROR_NO_MATCH));
			FUZZ_CHECK(!res.timeout && !res.destroy && !res.reopen && !res.assured);
			return;
		}
		if (sfw_proto_icmp_untracked(pkt)) {
			FUZZ_CHECK(pkt->tuple.l3num == SFW_AF_INET6);
			return;
		}
	}

again:
	e = lookup(m, &pkt->tuple, &dir);
	if (!e) {
		union sfw_proto_state ps;

		memset(&ps, 0, sizeof(ps));
		reason = 0;
		if (!sfw_proto_new(&ps, pkt, &m->p, &reason)) {
			FUZZ_CHECK(reason > 0 && reason < SFW_INVALID_COUNT);
			return;
		}
		if (pkt->tuple.l4proto == SFW_IPPROTO_TCP)
			FUZZ_CHECK(ps.tcp.state == SFW_TCP_NONE);
		e = slot(m);
		e->tuple = pkt->tuple;
		e->ps = ps;
		e->start = m->now;
		if (pkt->tuple.l4proto == SFW_IPPROTO_UDP)
			e->ps.udp.start = m->now;
		if (proto_packet(m, e, pkt, SFW_DIR_ORIGINAL, &res))
			return;		/* conn_create frees it */
		/* The first packet leaves NONE and never asks for a reopen. */
		FUZZ_CHECK(!res.reopen);
		if (pkt->tuple.l4proto == SFW_IPPROTO_TCP)
			FUZZ_CHECK(e->ps.tcp.state != SFW_TCP_NONE);
		if (res.destroy)
			return;
		e->used = true;
		e->expires = m->now + res.timeout;
		FUZZ_CHECK(res.timeout);
		return;
	}

	if (proto_packet(m, e, pkt, dir, &res))
		return;
	if (res.reopen || res.destroy) {
		e->used = false;
		if (res.reopen && tries++ < 2)
			goto again;
		return;
	}
	if (res.timeout)
		e->expires = m->now + res.timeout;
}

/* ---- building packets ---- */

/* Connection @c's ends: a few clients share an address, so do servers. */
static void ends(u8 l3num, int c, int dir, char *src, char *dst, u16 *sport, u16 *dport)
{
	char cl[64], sv[64];

	if (l3num == SFW_AF_INET6) {
		snprintf(cl, sizeof(cl), "fd00::%d", 1 + (c >> 1));
		snprintf(sv, sizeof(sv), "fd00:1::%d", 1 + (c & 1));
	} else {
		snprintf(cl, sizeof(cl), "10.0.0.%d", 1 + (c >> 1));
		snprintf(sv, sizeof(sv), "10.0.1.%d", 1 + (c & 1));
	}
	strcpy(dir ? dst : src, cl);
	strcpy(dir ? src : dst, sv);
	*sport = dir ? 80 : 40000 + c;
	*dport = dir ? 40000 + c : 80;
}

static unsigned int ip_hdr(u8 *b, u8 l3num, const char *src, const char *dst,
			   u8 proto, unsigned int l4len)
{
	if (l3num == SFW_AF_INET6)
		return pb_ipv6(b, src, dst, proto, l4len);
	return pb_ipv4(b, src, dst, proto, l4len);
}

static unsigned int build_tcp(struct model *m, struct input *in, u8 *b, u8 l3num,
			      int c, int dir)
{
	u8 flags = take8(in), opt = take8(in);
	u32 seq = take32(in), ack = take32(in);
	u16 win = (u16)(take8(in) << 8);
	struct pb_tcpopt o = { .wscale = -1 };
	unsigned int len, n, hl = l3num == SFW_AF_INET6 ? 40 : 20;
	char src[64], dst[64];
	u16 sp, dp;

	win |= take8(in);
	len = take8(in);
	if (opt & 0x20)
		len *= 16;
	if (opt & 0x01)
		seq += m->nxt[c][dir];
	if (opt & 0x02)
		ack += m->nxt[c][!dir];
	if (opt & 0x04)
		o.wscale = opt >> 4 & 0x0f;
	o.sack_perm = opt & 0x08;
	ends(l3num, c, dir, src, dst, &sp, &dp);
	n = pb_tcp(b + hl, sp, dp, seq, ack, flags, win, &o, len);
	m->nxt[c][dir] = seq + len + !!(flags & SFW_TCPH_SYN) + !!(flags & SFW_TCPH_FIN);
	return ip_hdr(b, l3num, src, dst, SFW_IPPROTO_TCP, n) + n;
}

static unsigned int build_udp(struct input *in, u8 *b, u8 l3num, int c, int dir)
{
	unsigned int hl = l3num == SFW_AF_INET6 ? 40 : 20, n;
	char src[64], dst[64];
	u16 sp, dp;

	ends(l3num, c, dir, src, dst, &sp, &dp);
	n = pb_udp(b + hl, sp, dp, take8(in));
	return ip_hdr(b, l3num, src, dst, SFW_IPPROTO_UDP, n) + n;
}

static unsigned int build_icmp(struct input *in, u8 *b, u8 l3num, int c, int dir)
{
	unsigned int hl = l3num == SFW_AF_INET6 ? 40 : 20, n;
	u8 type = take8(in), code = take8(in);
	char src[64], dst[64];
	u16 sp, dp;

	ends(l3num, c, dir, src, dst, &sp, &dp);
	n = pb_icmp(b + hl, type, code, 0x100 + c, 1);
	return ip_hdr(b, l3num, src, dst,
		      l3num == SFW_AF_INET6 ? SFW_IPPROTO_ICMPV6 : SFW_IPPROTO_ICMP, n) + n;
}

/*
 * An error about a packet of connection q (quote byte: bits 0-1 q, bit 2
 * its direction, bits 3-4 TCP/UDP/echo/GRE, bit 5 sent by a router rather
 * than the quoted destination, bit 6 quote only 2 bytes of L4).
 */
static unsigned int build_icmp_error(struct model *m, struct input *in, u8 *b, u8 l3num)
{
	static const u8 protos[] = { SFW_IPPROTO_TCP, SFW_IPPROTO_UDP, 0, 47 };
	unsigned int hl = l3num == SFW_AF_INET6 ? 40 : 20, l4len, n;
	u8 type = take8(in), code = take8(in), q = take8(in);
	int qc = q & 3, qdir = q >> 2 & 1;
	u8 proto = protos[q >> 3 & 3], icmp = l3num == SFW_AF_INET6 ?
		SFW_IPPROTO_ICMPV6 : SFW_IPPROTO_ICMP;
	char src[64], dst[64];
	u8 *inner, *l4;
	u16 sp, dp;

	if (!proto)
		proto = icmp;
	ends(l3num, qc, qdir, src, dst, &sp, &dp);
	inner = b + hl + 8;
	l4 = inner + hl;
	memset(l4, 0, 8);
	if (proto == SFW_IPPROTO_TCP) {
		pb_put16(l4, sp);
		pb_put16(l4 + 2, dp);
		pb_put32(l4 + 4, m->nxt[qc][qdir]);
	} else if (proto == SFW_IPPROTO_UDP) {
		pb_udp(l4, sp, dp, 0);
	} else if (proto == icmp) {
		pb_icmp(l4, l3num == SFW_AF_INET6 ? SFW_ICMPV6_ECHO_REQUEST : SFW_ICMP_ECHO,
			0, 0x100 + qc, 1);
	}
	l4len = q & 0x40 ? 2 : 8;
	/* The quoted header describes the whole original packet. */
	ip_hdr(inner, l3num, src, dst, proto, 100);
	pb_icmp(b + hl, type, code, 0, 0);
	n = 8 + hl + l4len;
	return ip_hdr(b, l3num, q & 0x20 ? (l3num == SFW_AF_INET6 ? "fd00:ff::1" : "192.0.2.1") : dst,
		      src, icmp, n) + n;
}

/*
 * Shape byte: bits 0-1 IPv6 extension headers before the L4 header
 * (hop-by-hop, destination options, routing), bit 3 an AH, bit 2 a first
 * fragment (IPv6 fragment header, IPv4 MF).  Then a header of @proto.
 */
static unsigned int build_other(struct model *m, struct input *in, u8 *b, u8 l3num,
				int c, int dir)
{
	static const u8 kinds[] = { 0, 60, 43 };
	u8 proto = take8(in), shape = take8(in);
	unsigned int hl = l3num == SFW_AF_INET6 ? 40 : 20, off = hl, n, i, nx = 0;
	u8 chain[5];
	char src[64], dst[64];
	u16 sp, dp;

	ends(l3num, c, dir, src, dst, &sp, &dp);
	if (l3num == SFW_AF_INET6) {
		for (i = 0; i < (shape & 3u); i++)
			chain[nx++] = kinds[i];
		if (shape & 8)
			chain[nx++] = 51;
		if (shape & 4)
			chain[nx++] = 44;
		for (i = 0; i < nx; i++) {
			u8 next = i + 1 < nx ? chain[i + 1] : proto;

			if (chain[i] == 51) {
				memset(b + off, 0, 12);
				b[off] = next;
				b[off + 1] = 1;		/* (1 + 2) * 4 bytes */
				off += 12;
			} else if (chain[i] == 44) {
				off += pb_frag6(b + off, next, 0, true);
			} else {
				off += pb_ext6(b + off, next, i);
			}
		}
	}
	if (proto == SFW_IPPROTO_TCP)
		n = pb_tcp(b + off, sp, dp, m->nxt[c][dir], m->nxt[c][!dir],
			   SFW_TCPH_ACK, 1000, NULL, 0);
	else if (proto == SFW_IPPROTO_UDP)
		n = pb_udp(b + off, sp, dp, 16);
	else if (proto == SFW_IPPROTO_ICMP || proto == SFW_IPPROTO_ICMPV6)
		n = pb_icmp(b + off, l3num == SFW_AF_INET6 ? SFW_ICMPV6_ECHO_REQUEST :
			    SFW_ICMP_ECHO, 0, 0x100 + c, 2);
	else
		n = 8;		/* the zeroed buffer: no header to speak of */
	n += off - hl;
	if (l3num == SFW_AF_INET6) {
		/* pb_ipv6() writes the 40 bytes only: the chain stays. */
		pb_ipv6(b, src, dst, nx ? chain[0] : proto, n);
		return hl + n;
	}
	pb_ipv4(b, src, dst, proto, n);
	if (shape & 4)
		b[6] = 0x20;	/* MF, offset 0 */
	return hl + n;
}

static void params(struct model *m, u8 k0, u8 k1)
{
	unsigned int i;

	sfw_ct_params_init(&m->p);
	m->p.tcp_loose = k0 & 1;
	m->p.tcp_be_liberal = k0 >> 1 & 1;
	m->p.tcp_max_retrans = k0 >> 2 & 0x3f;
	if (k1 & 1) {
		/* Small distinct values: a timeout from the wrong knob shows. */
		for (i = 0; i < SFW_TCP_NSTATES; i++)
			m->p.tcp_timeouts[i] = 100 + i;
		m->p.tcp_timeout_max_retrans = 10 + (k1 >> 1 & 0x7f);
		m->p.tcp_timeout_unacknowledged = 11 + (k1 >> 1 & 0x7f);
		m->p.udp_timeout = 30;
		m->p.udp_timeout_stream = 31;
		m->p.icmp_timeout = 32;
		m->p.icmpv6_timeout = 33;
		m->p.generic_timeout = 34;
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static u8 buf[SFW_FZ_BUF];
	static bool inited;
	struct input in = { .d = data, .n = size };
	struct model m;
	int npkts = 0;

	memset(&m, 0, sizeof(m));
	if (!inited) {
		const char *allow = getenv("SFW_FUZZ_ALLOW");

		trace = getenv("SFW_FUZZ_TRACE");
		allow_simopen = allow && strstr(allow, "simopen");
		inited = true;
	}
	m.now = 1000;
	params(&m, take8(&in), take8(&in));

	while (in.n && npkts++ < 256) {
		u8 h = take8(&in), kind = h >> 4, len;
		u8 l3num = h & 8 ? SFW_AF_INET6 : SFW_AF_INET;
		int c = h & 3, dir = h >> 2 & 1;
		struct sfw_pkt pkt;
		unsigned int n;
		int ret;

		memset(buf, 0, 128);
		switch (kind) {
		case 0:
			len = take8(&in);
			n = min_t(unsigned int, len, in.n);
			take(&in, buf, n);
			l3num = n && buf[0] >> 4 == 6 ? SFW_AF_INET6 : SFW_AF_INET;
			break;
		case 1:
			n = build_udp(&in, buf, l3num, c, dir);
			break;
		case 2:
			n = build_icmp(&in, buf, l3num, c, dir);
			break;
		case 3:
			n = build_icmp_error(&m, &in, buf, l3num);
			break;
		case 4:
			n = build_other(&m, &in, buf, l3num, c, dir);
			break;
		case 5:
			m.now += take8(&in) << 8;
			m.now += take8(&in);
			continue;
		default:
			n = build_tcp(&m, &in, buf, l3num, c, dir);
			break;
		}
		ret = fuzz_parse(&pkt, l3num, buf, n);
		FUZZ_CHECK(ret >= 0 && ret < SFW_INVALID_COUNT);
		if (ret)
			continue;
		fuzz_check_tuple(&pkt.tuple, l3num);
		track(&m, &pkt);
	}
	return 0;
}
