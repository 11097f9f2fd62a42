// SPDX-License-Identifier: GPL-2.0
/*
 * UDP, ICMP/ICMPv6 and generic state machine tests, tuple inversion, and
 * the layout guarantees the connection table relies on.
 */
#include <stdio.h>
#include "proto.h"
#include "pktbuild.h"
#include "tap.h"

#define C4	"10.0.1.2"
#define S4	"10.0.2.2"
#define C6	"2001:db8:1::2"
#define S6	"2001:db8:2::2"

static struct sfw_ct_params params;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		snprintf(why, sizeof(why), "line %d: %s", __LINE__, #cond); \
		goto out;						\
	}								\
} while (0)

static int udp4(struct sfw_pkt *pkt, bool orig)
{
	u8 b[PB_MAX];
	unsigned int n = pb_udp(b + 20, orig ? 40000 : 53, orig ? 53 : 40000, 30);

	n += pb_ipv4(b, orig ? C4 : S4, orig ? S4 : C4, SFW_IPPROTO_UDP, n);
	return pb_parse(pkt, SFW_AF_INET, b, n);
}

static int icmp4(struct sfw_pkt *pkt, const char *src, const char *dst, u8 type, u16 id)
{
	u8 b[PB_MAX];
	unsigned int n = pb_icmp(b + 20, type, 0, id, 1);

	n += pb_ipv4(b, src, dst, SFW_IPPROTO_ICMP, n);
	return pb_parse(pkt, SFW_AF_INET, b, n);
}

static int icmp6(struct sfw_pkt *pkt, const char *src, const char *dst, u8 type, u16 id)
{
	u8 b[PB_MAX];
	unsigned int n = pb_icmp(b + 40, type, 0, id, 1);

	n += pb_ipv6(b, src, dst, SFW_IPPROTO_ICMPV6, n);
	return pb_parse(pkt, SFW_AF_INET6, b, n);
}

/* Script: request at 0 s, reply at 1 s, more at 3 s, 4 s. */
static void test_udp(void)
{
	struct sfw_proto_result res;
	struct sfw_udp_state st;
	struct sfw_pkt o, r, rr;
	char why[160] = "";
	u8 reason = 0;
	int ok = 0;

	CHECK(!udp4(&o, true) && !udp4(&r, false));
	sfw_tuple_invert(&o.tuple, &rr.tuple);
	CHECK(!memcmp(&rr.tuple, &r.tuple, sizeof(r.tuple)));
	CHECK(sfw_proto_udp_new(&st, &o, &params, &reason));
	CHECK(!sfw_proto_udp_packet(&st, &o, SFW_DIR_ORIGINAL, 0, &params, &res));
	CHECK(res.ctinfo == SFW_CT_NEW && res.timeout == 30 && !res.assured);
	CHECK(!sfw_proto_udp_packet(&st, &o, SFW_DIR_ORIGINAL, 1, &params, &res));
	CHECK(res.ctinfo == SFW_CT_NEW && res.timeout == 30);
	CHECK(!sfw_proto_udp_packet(&st, &r, SFW_DIR_REPLY, 1, &params, &res));
	CHECK(res.ctinfo == SFW_CT_ESTABLISHED && res.timeout == 30 && !res.assured && res.changed);
	CHECK(!sfw_proto_udp_packet(&st, &o, SFW_DIR_ORIGINAL, 3, &params, &res));
	CHECK(res.ctinfo == SFW_CT_ESTABLISHED && res.timeout == 120 && res.assured);
	CHECK(!sfw_proto_udp_packet(&st, &r, SFW_DIR_REPLY, 4, &params, &res));
	CHECK(res.timeout == 120 && !res.assured);
	ok = 1;
out:
	tap_result(ok, "udp: new -> established -> assured stream after 2 s", why);
}

static void test_udp_unreplied(void)
{
	struct sfw_proto_result res;
	struct sfw_udp_state st;
	struct sfw_pkt o;
	char why[160] = "";
	u8 reason = 0;
	int ok = 0;

	CHECK(!udp4(&o, true));
	CHECK(sfw_proto_udp_new(&st, &o, &params, &reason));
	CHECK(!sfw_proto_udp_packet(&st, &o, SFW_DIR_ORIGINAL, 100, &params, &res));
	CHECK(res.ctinfo == SFW_CT_NEW && res.timeout == 30 && !res.assured);
	ok = 1;
out:
	tap_result(ok, "udp: unreplied stays NEW with udp_timeout", why);
}

/* ->start is the caller's: neither _new nor _packet may touch it. */
static void test_udp_start_untouched(void)
{
	struct sfw_proto_result res;
	union sfw_proto_state ps;
	struct sfw_pkt o, r;
	char why[160] = "";
	u8 reason = 0;
	int ok = 0;

	CHECK(!udp4(&o, true) && !udp4(&r, false));
	memset(&ps, 0xa5, sizeof(ps));
	ps.udp.start = 0xdeadbeef;
	CHECK(sfw_proto_new(&ps, &o, &params, &reason));
	CHECK(ps.udp.start == 0xdeadbeef && ps.udp.flags == 0);
	CHECK(!sfw_proto_packet(&ps, &o, SFW_DIR_ORIGINAL, 0, &params, &res));
	CHECK(!sfw_proto_packet(&ps, &r, SFW_DIR_REPLY, 1, &params, &res));
	CHECK(!sfw_proto_packet(&ps, &o, SFW_DIR_ORIGINAL, 5, &params, &res));
	CHECK(res.timeout == 120 && res.assured);
	CHECK(ps.udp.start == 0xdeadbeef);
	/* The flags byte is common to every protocol's state. */
	CHECK(ps.generic.flags == (SFW_PS_SEEN_REPLY | SFW_PS_ASSURED));
	ok = 1;
out:
	tap_result(ok, "udp: start belongs to the caller, never touched", why);
}

static void test_echo(void)
{
	struct sfw_proto_result res;
	struct sfw_icmp_state st;
	struct sfw_pkt req, rep;
	struct sfw_tuple inv;
	char why[160] = "";
	u8 reason = 0;
	int ok = 0;

	CHECK(!icmp4(&req, C4, S4, SFW_ICMP_ECHO, 0x77));
	CHECK(!icmp4(&rep, S4, C4, SFW_ICMP_ECHOREPLY, 0x77));
	sfw_tuple_invert(&req.tuple, &inv);
	CHECK(!memcmp(&inv, &rep.tuple, sizeof(inv)));
	CHECK(sfw_proto_icmp_new(&st, &req, &params, &reason));
	CHECK(!sfw_proto_icmp_packet(&st, &req, SFW_DIR_ORIGINAL, &params, &res));
	CHECK(res.ctinfo == SFW_CT_NEW && res.timeout == 30);
	CHECK(!sfw_proto_icmp_packet(&st, &rep, SFW_DIR_REPLY, &params, &res));
	CHECK(res.ctinfo == SFW_CT_ESTABLISHED && res.timeout == 30);
	ok = 1;
out:
	tap_result(ok, "icmp: echo request creates, reply establishes", why);
}

static void test_echo6(void)
{
	struct sfw_proto_result res;
	struct sfw_icmp_state st;
	struct sfw_pkt req, rep;
	struct sfw_tuple inv;
	char why[160] = "";
	u8 reason = 0;
	int ok = 0;

	params.icmpv6_timeout = 31;
	CHECK(!icmp6(&req, C6, S6, SFW_ICMPV6_ECHO_REQUEST, 9));
	CHECK(!icmp6(&rep, S6, C6, SFW_ICMPV6_ECHO_REPLY, 9));
	sfw_tuple_invert(&req.tuple, &inv);
	CHECK(!memcmp(&inv, &rep.tuple, sizeof(inv)));
	CHECK(sfw_proto_icmp_new(&st, &req, &params, &reason));
	CHECK(!sfw_proto_icmp_packet(&st, &req, SFW_DIR_ORIGINAL, &params, &res));
	CHECK(res.timeout == 31);
	CHECK(!sfw_proto_icmp_packet(&st, &rep, SFW_DIR_REPLY, &params, &res));
	CHECK(res.ctinfo == SFW_CT_ESTABLISHED);
	ok = 1;
out:
	params.icmpv6_timeout = 30;
	tap_result(ok, "icmpv6: echo request creates, reply establishes", why);
}

/* ND, MLD and router messages are valid but never tracked; echo is tracked. */
static void test_icmpv6_plumbing(void)
{
	static const struct { u8 l3num, type; bool untracked; } t[] = {
		{ SFW_AF_INET6, 130, true },	/* MLD query */
		{ SFW_AF_INET6, 133, true },	/* router solicitation */
		{ SFW_AF_INET6, 134, true },	/* router advertisement */
		{ SFW_AF_INET6, 135, true },	/* neighbour solicitation */
		{ SFW_AF_INET6, 136, true },	/* neighbour advertisement */
		{ SFW_AF_INET6, 143, true },	/* MLDv2 report */
		{ SFW_AF_INET6, SFW_ICMPV6_ECHO_REQUEST, false },
		{ SFW_AF_INET6, 138, false },	/* router renumbering: not plumbing */
		{ SFW_AF_INET, 9, false },	/* IPv4 router advertisement: invalid */
		{ SFW_AF_INET, SFW_ICMP_ECHO, false },
	};
	struct sfw_pkt pkt;
	char why[160] = "";
	size_t i;
	int ok = 0;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		if (t[i].l3num == SFW_AF_INET)
			CHECK(!icmp4(&pkt, C4, S4, t[i].type, 1));
		else
			CHECK(!icmp6(&pkt, C6, S6, t[i].type, 1));
		if (sfw_proto_icmp_untracked(&pkt) != t[i].untracked) {
			snprintf(why, sizeof(why), "family %u type %u: untracked %d, expected %d",
				 t[i].l3num, t[i].type, !t[i].untracked, t[i].untracked);
			goto out;
		}
	}
	ok = 1;
out:
	tap_result(ok, "icmpv6: ND, MLD and RA are untracked, not invalid", why);
}

static void test_untracked(void)
{
	static const struct { u8 l3num, type; } t[] = {
		{ SFW_AF_INET, SFW_ICMP_ECHOREPLY },	/* answers never create */
		{ SFW_AF_INET, 9 },			/* router advertisement */
		{ SFW_AF_INET, SFW_ICMP_TIMESTAMPREPLY },
		{ SFW_AF_INET6, SFW_ICMPV6_ECHO_REPLY },
		{ SFW_AF_INET6, 135 },			/* neighbour solicitation */
		{ SFW_AF_INET6, 134 },			/* router advertisement */
	};
	struct sfw_icmp_state st;
	struct sfw_pkt pkt;
	char why[160] = "";
	size_t i;
	int ok = 0;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		u8 reason = 0;

		if (t[i].l3num == SFW_AF_INET)
			CHECK(!icmp4(&pkt, C4, S4, t[i].type, 1));
		else
			CHECK(!icmp6(&pkt, C6, S6, t[i].type, 1));
		if (sfw_proto_icmp_new(&st, &pkt, &params, &reason) ||
		    reason != SFW_INVALID_ICMP_UNTRACKED_TYPE) {
			snprintf(why, sizeof(why), "family %u type %u created or wrong reason %u",
				 t[i].l3num, t[i].type, reason);
			goto out;
		}
	}
	{
		static const u8 req[] = { SFW_ICMP_TIMESTAMP, SFW_ICMP_INFO_REQUEST, SFW_ICMP_ADDRESS };
		u8 reason = 0;

		for (i = 0; i < ARRAY_SIZE(req); i++) {
			CHECK(!icmp4(&pkt, C4, S4, req[i], 1));
			CHECK(sfw_proto_icmp_new(&st, &pkt, &params, &reason));
		}
	}
	ok = 1;
out:
	tap_result(ok, "icmp: only requests create entries", why);
}

/*
 * Client's TCP SYN to the server; a router answers with host unreachable.
 * The quoted packet's tuple is the entry's original tuple; nothing else.
 */
static void test_error_inner(void)
{
	struct sfw_proto_result res;
	struct sfw_pkt syn, err;
	struct sfw_tuple look;
	u8 b[PB_MAX], reason = 0;
	unsigned int n, q;
	char why[160] = "";
	int ok = 0;

	n = pb_tcp(b + 20, 40000, 22, 1000, 0, SFW_TCPH_SYN, 64240, NULL, 0);
	n += pb_ipv4(b, C4, S4, SFW_IPPROTO_TCP, n);
	CHECK(!pb_parse(&syn, SFW_AF_INET, b, n));

	/* The error quotes the IP header and the first 8 bytes of TCP. */
	q = 28;
	memmove(b + 28, b, q);
	pb_icmp(b + 20, SFW_ICMP_DEST_UNREACH, 1, 0, 0);
	n = pb_ipv4(b, "10.0.9.9", C4, SFW_IPPROTO_ICMP, 8 + q) + 8 + q;
	CHECK(!pb_parse(&err, SFW_AF_INET, b, n));
	CHECK(err.icmp.is_error);
	CHECK(!sfw_proto_icmp_error_tuple(&err, &look));
	CHECK(!memcmp(&look, &syn.tuple, sizeof(look)));
	CHECK(sfw_proto_icmp_error_tuple(&syn, &look) == SFW_INVALID_ICMP_ERROR_MALFORMED);
	CHECK(!sfw_proto_icmp_new(NULL, &err, &params, &reason) &&
	      reason == SFW_INVALID_ICMP_ERROR_NO_MATCH);
	sfw_proto_icmp_error_verdict(true, &res);
	CHECK(res.ctinfo == SFW_CT_RELATED && !res.timeout);
	sfw_proto_icmp_error_verdict(false, &res);
	CHECK(res.ctinfo == SFW_CT_INVALID && res.reason == SFW_INVALID_ICMP_ERROR_NO_MATCH);
	ok = 1;
out:
	tap_result(ok, "icmp: error gives the quoted packet's tuple; RELATED/INVALID", why);
}

/* Time exceeded quoting an echo request: the tuple is the echo entry's. */
static void test_error_quotes_echo(void)
{
	struct sfw_pkt req, err;
	struct sfw_tuple look;
	u8 b[PB_MAX];
	unsigned int n;
	char why[160] = "";
	int ok = 0;

	n = pb_icmp(b + 20, SFW_ICMP_ECHO, 0, 0x4242, 7);
	n += pb_ipv4(b, C4, S4, SFW_IPPROTO_ICMP, n);
	CHECK(!pb_parse(&req, SFW_AF_INET, b, n));
	memmove(b + 28, b, n);
	pb_icmp(b + 20, SFW_ICMP_TIME_EXCEEDED, 0, 0, 0);
	n = pb_ipv4(b, "10.0.9.9", C4, SFW_IPPROTO_ICMP, 8 + n) + 8 + n;
	CHECK(!pb_parse(&err, SFW_AF_INET, b, n));
	CHECK(!sfw_proto_icmp_error_tuple(&err, &look));
	CHECK(!memcmp(&look, &req.tuple, sizeof(look)));
	ok = 1;
out:
	tap_result(ok, "icmp: error quoting an echo request", why);
}

static void test_invert(void)
{
	static const u8 map4[][2] = { { 8, 0 }, { 13, 14 }, { 15, 16 }, { 17, 18 },
				      { 0, 8 }, { 14, 13 }, { 3, 3 } };
	struct sfw_tuple t, u, v;
	char why[160] = "";
	size_t i;
	int ok = 0;

	for (i = 0; i < ARRAY_SIZE(map4); i++) {
		memset(&t, 0, sizeof(t));
		t.l3num = SFW_AF_INET;
		t.l4proto = SFW_IPPROTO_ICMP;
		t.src.ip = inet_addr(C4);
		t.dst.ip = inet_addr(S4);
		t.sport = htons(99);
		t.dport = htons(map4[i][0] << 8 | 5);
		sfw_tuple_invert(&t, &u);
		CHECK(u.src.ip == t.dst.ip && u.dst.ip == t.src.ip && u.sport == t.sport);
		CHECK(u.dport == htons(map4[i][1] << 8 | 5));
	}
	t.l3num = SFW_AF_INET6;
	t.l4proto = SFW_IPPROTO_ICMPV6;
	t.dport = htons(128 << 8);
	sfw_tuple_invert(&t, &u);
	CHECK(u.dport == htons(129 << 8));
	/* TCP: ports swap; twice is the identity; in place works. */
	memset(&t, 0, sizeof(t));
	t.l3num = SFW_AF_INET6;
	t.l4proto = SFW_IPPROTO_TCP;
	t.src.ip6[0] = 1;
	t.dst.ip6[3] = 2;
	t.sport = htons(1);
	t.dport = htons(2);
	sfw_tuple_invert(&t, &u);
	CHECK(u.sport == t.dport && u.dport == t.sport && u.src.ip6[3] == 2);
	v = u;
	sfw_tuple_invert(&v, &v);
	CHECK(!memcmp(&v, &t, sizeof(t)));
	ok = 1;
out:
	tap_result(ok, "tuple: invert maps ICMP request types to replies", why);
}

static void test_generic(void)
{
	struct sfw_proto_result res;
	union sfw_proto_state ps;
	struct sfw_pkt pkt;
	u8 b[PB_MAX], reason = 0;
	unsigned int n;
	char why[160] = "";
	int ok = 0;

	memset(b + 20, 0, 16);
	n = pb_ipv4(b, C4, S4, 47 /* GRE */, 16) + 16;
	CHECK(!pb_parse(&pkt, SFW_AF_INET, b, n));
	CHECK(!pkt.tuple.sport && !pkt.tuple.dport && pkt.payload_len == 16);
	CHECK(sfw_proto_new(&ps, &pkt, &params, &reason));
	CHECK(!sfw_proto_packet(&ps, &pkt, SFW_DIR_ORIGINAL, 0, &params, &res));
	CHECK(res.ctinfo == SFW_CT_NEW && res.timeout == 600);
	CHECK(!sfw_proto_packet(&ps, &pkt, SFW_DIR_REPLY, 0, &params, &res));
	CHECK(res.ctinfo == SFW_CT_ESTABLISHED);
	ok = 1;
out:
	tap_result(ok, "generic: GRE new -> established, generic_timeout", why);
}

static void test_defaults(void)
{
	struct sfw_ct_params p;
	char why[160] = "";
	int ok = 0;

	sfw_ct_params_init(&p);
	CHECK(p.tcp_timeouts[SFW_TCP_SYN_SENT] == 120 && p.tcp_timeouts[SFW_TCP_SYN_RECV] == 60);
	CHECK(p.tcp_timeouts[SFW_TCP_ESTABLISHED] == 432000);
	CHECK(p.tcp_timeouts[SFW_TCP_FIN_WAIT] == 120 && p.tcp_timeouts[SFW_TCP_CLOSE_WAIT] == 60);
	CHECK(p.tcp_timeouts[SFW_TCP_LAST_ACK] == 30 && p.tcp_timeouts[SFW_TCP_TIME_WAIT] == 120);
	CHECK(p.tcp_timeouts[SFW_TCP_CLOSE] == 10 && p.tcp_timeouts[SFW_TCP_SYN_SENT2] == 120);
	CHECK(p.tcp_timeout_max_retrans == 300 && p.tcp_timeout_unacknowledged == 300);
	CHECK(p.udp_timeout == 30 && p.udp_timeout_stream == 120);
	CHECK(p.icmp_timeout == 30 && p.icmpv6_timeout == 30 && p.generic_timeout == 600);
	CHECK(p.tcp_loose == 1 && p.tcp_be_liberal == 0 && p.tcp_max_retrans == 3);
	CHECK(p.checksum == 1 && p.acct == 1);
	ok = 1;
out:
	tap_result(ok, "params: nf_conntrack defaults", why);
}

static void test_layout(void)
{
	size_t i;
	int ok = 1;

	tap_diag("sizeof(struct sfw_tuple) = %zu", sizeof(struct sfw_tuple));
	tap_diag("sizeof(union sfw_proto_state) = %zu", sizeof(union sfw_proto_state));
	tap_diag("sizeof(struct sfw_tcp_state) = %zu", sizeof(struct sfw_tcp_state));
	tap_diag("sizeof(struct sfw_udp_state) = %zu", sizeof(struct sfw_udp_state));
	tap_diag("sizeof(struct sfw_icmp_state) = %zu", sizeof(struct sfw_icmp_state));
	tap_diag("sizeof(struct sfw_generic_state) = %zu", sizeof(struct sfw_generic_state));
	tap_diag("sizeof(struct sfw_pkt) = %zu", sizeof(struct sfw_pkt));
	if (sizeof(struct sfw_tuple) != 40 || sizeof(union sfw_proto_state) > 40)
		ok = 0;
	for (i = 0; i < SFW_INVALID_COUNT; i++)
		if (!sfw_invalid_names[i])
			ok = 0;
	for (i = 0; i < SFW_TCP_NSTATES; i++)
		if (!sfw_tcp_state_names[i])
			ok = 0;
	for (i = 0; i < SFW_CT_COUNT; i++)
		if (!sfw_ctinfo_names[i])
			ok = 0;
	tap_result(ok, "layout: tuple 40 bytes, state <= 40, every name filled", NULL);
}

int main(void)
{
	sfw_ct_params_init(&params);
	test_udp();
	test_udp_unreplied();
	test_udp_start_untouched();
	test_echo();
	test_echo6();
	test_untracked();
	test_icmpv6_plumbing();
	test_error_inner();
	test_error_quotes_echo();
	test_invert();
	test_generic();
	test_defaults();
	test_layout();
	return tap_done();
}
