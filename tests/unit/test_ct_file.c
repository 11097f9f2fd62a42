// SPDX-License-Identifier: GPL-2.0
/*
 * The save file of sfwctl ct save / ct restore (tools/ct_file.c) and the
 * module's check of a restored connection (src/ct_record.c): what a save
 * writes reads back the same, and what could not be a connection is
 * refused, with the line and column of the fault.
 */
#include <stdlib.h>
#include <string.h>

#include "ct_file.h"
#include "tap.h"

#define HEAD "sfw-conntrack 1\n"

static struct sfw_tuple tuple(int l3, int l4, const char *src, const char *dst,
			      unsigned int sport, unsigned int dport)
{
	struct sfw_tuple t;

	memset(&t, 0, sizeof(t));
	t.l3num = l3;
	t.l4proto = l4;
	inet_pton(l3 == SFW_AF_INET ? AF_INET : AF_INET6, src, &t.src);
	inet_pton(l3 == SFW_AF_INET ? AF_INET : AF_INET6, dst, &t.dst);
	t.sport = htons(sport);
	t.dport = htons(dport);
	return t;
}

/* A record, its reply the inverse of its original unless NAT says otherwise. */
static struct sfw_ct_record rec(struct sfw_tuple orig)
{
	struct sfw_ct_record r;

	memset(&r, 0, sizeof(r));
	r.orig = orig;
	sfw_tuple_invert(&orig, &r.reply);
	r.timeout = 300;
	r.status = SFW_CT_S_SEEN_REPLY | SFW_CT_S_ASSURED;
	r.packets[0] = 5;
	r.bytes[0] = 500;
	r.packets[1] = 4;
	r.bytes[1] = 4000;
	return r;
}

static struct sfw_ct_record tcp_rec(void)
{
	struct sfw_ct_record r = rec(tuple(SFW_AF_INET, SFW_IPPROTO_TCP, "10.0.1.2", "10.0.2.2",
					   40000, 22));

	r.tcp_state = SFW_CT_TCP_ESTABLISHED;
	r.tcp_flags = SFW_CT_TCPF_LIBERAL;
	r.tcp_retrans = 2;
	r.win[0] = (struct sfw_ct_record_dir){ 1000, 70000, 64240, 7,
					       SFW_CT_TCPD_WSCALE | SFW_CT_TCPD_SACK_PERM };
	r.win[1] = (struct sfw_ct_record_dir){ 4000000000U, 5000, 65160, 7, SFW_CT_TCPD_WSCALE };
	return r;
}

static void roundtrip(const char *name, const struct sfw_ct_record *r)
{
	struct sfw_ct_record *got = NULL;
	struct ct_file_error err;
	unsigned int *lines = NULL;
	char text[2048];
	size_t n = 0;
	int len;

	len = snprintf(text, sizeof(text), "%s", HEAD);
	len += ct_file_format(r, text + len, sizeof(text) - len);
	if (sfw_ct_record_check(r)) {
		tap_result(0, name, sfw_ct_record_check(r));
		return;
	}
	if (ct_file_parse(text, (size_t)len, &got, &lines, &n, &err)) {
		tap_diag("%s", text);
		tap_result(0, name, err.msg);
		return;
	}
	tap_result(n == 1 && lines[0] == 2 && !memcmp(got, r, sizeof(*r)), name,
		   "the line read back differs");
	free(got);
	free(lines);
}

static void roundtrips(void)
{
	struct sfw_ct_record r = tcp_rec();

	roundtrip("round trip: TCP, IPv4, window data and flags", &r);

	r = rec(tuple(SFW_AF_INET6, SFW_IPPROTO_UDP, "fd00:1::2", "fd00:2::2", 5353, 53));
	r.age = 12;
	r.local = true;
	roundtrip("round trip: UDP, IPv6, age, local", &r);

	/* Masqueraded ping: the reply goes to the gateway's address, the id changed. */
	r = rec(tuple(SFW_AF_INET, SFW_IPPROTO_ICMP, "10.0.1.2", "10.0.2.2", 77, 8 << 8));
	inet_pton(AF_INET, "10.0.2.1", &r.reply.dst);
	r.reply.sport = htons(1077);
	snprintf(r.masq_dev, sizeof(r.masq_dev), "wan0");
	roundtrip("round trip: ICMP echo, masqueraded, id rewritten", &r);

	/* DNAT to a backend and SNAT, as a hairpin or a load balancer with SNAT. */
	r = tcp_rec();
	r.reply = tuple(SFW_AF_INET, SFW_IPPROTO_TCP, "10.0.3.5", "10.0.3.1", 8080, 61000);
	snprintf(r.in_dev, sizeof(r.in_dev), "lan0");
	roundtrip("round trip: TCP, DNAT and SNAT, input device", &r);
	tap_result(sfw_ct_record_dnat(&r) && sfw_ct_record_snat(&r), "DNAT and SNAT told by the tuples",
		   NULL);
	r = tcp_rec();
	tap_result(!sfw_ct_record_dnat(&r) && !sfw_ct_record_snat(&r),
		   "no NAT when the reply is the inverse", NULL);

	r = rec(tuple(SFW_AF_INET, 47, "10.0.1.2", "10.0.2.2", 0, 0));
	r.status = 0;
	r.packets[1] = r.bytes[1] = 0;
	roundtrip("round trip: another protocol (GRE), by number", &r);
}

/* What sfw_ct_record_check() refuses: a good TCP record spoiled one way each. */
static void spoil(struct sfw_ct_record *r, unsigned int i)
{
	switch (i) {
	case 0: r->tcp_state = SFW_CT_TCP_NONE; break;
	case 1: r->tcp_state = SFW_CT_TCP_MAX + 1; break;
	case 2: r->win[1].wscale = 15; break;
	case 3: r->win[0].flags = 0x20; break;
	case 4: r->tcp_flags = 0x80; break;
	case 5: r->tcp_retrans = 32; break;
	case 6: r->win[0].maxwin = 0xffffffff; break;
	case 7: r->status = SFW_CT_S_ASSURED; break;
	case 8: r->status = 0; break;
	case 9: r->status |= 1; break;
	case 10: r->timeout = 0; break;
	case 11: r->bytes[0] = 99; break;
	case 12: r->reply.l4proto = SFW_IPPROTO_ICMP; r->orig.l4proto = SFW_IPPROTO_ICMP;
		 r->orig.sport = htons(5); r->orig.dport = htons(8 << 8);
		 r->reply.sport = htons(5); r->reply.dport = htons(8 << 8);
		 r->tcp_state = 0; r->tcp_flags = 0; r->tcp_retrans = 0;
		 memset(r->win, 0, sizeof(r->win)); break;
	case 13: r->reply.l4proto = SFW_IPPROTO_UDP; break;
	case 14: r->orig.src.ip6[2] = 1; break;
	case 15: r->orig.l3num = 7; break;
	case 16: r->reply.pad[1] = 1; break;
	case 17: snprintf(r->masq_dev, sizeof(r->masq_dev), "wan0"); break;
	case 18: snprintf(r->in_dev, sizeof(r->in_dev), "lan0"); break;
	case 19: memset(r->in_dev, 'a', sizeof(r->in_dev)); break;
	}
}

static void check_refuses(void)
{
	static const struct {
		const char *name, *why;
	} cases[] = {
		{ "TCP state NONE", "no such TCP state" },
		{ "TCP state past the last", "no such TCP state" },
		{ "window scale 15", "window scale" },
		{ "unknown direction flags", "direction flags" },
		{ "unknown TCP flags", "unknown TCP flags" },
		{ "retransmissions past 31", "retransmissions" },
		{ "window above 65535 << 14", "larger than TCP" },
		{ "assured without a reply", "assured without" },
		{ "reply packets, no reply seen", "packets in reply" },
		{ "unknown status bit", "unknown status" },
		{ "no time left", "no time" },
		{ "fewer bytes than headers", "fewer bytes" },
		{ "an echo answered by an echo", "does not answer" },
		{ "reply of another protocol", "another family or protocol" },
		{ "IPv4 address with upper words", "longer than 4 bytes" },
		{ "family 7", "neither IPv4" },
		{ "padding set", "padding" },
		{ "a masquerading device without SNAT", "masquerading device" },
		{ "an input device without DNAT", "input device" },
		{ "a device name of 16 bytes", "longer than 15" },
	};
	struct sfw_ct_record r;
	const char *why;
	unsigned int i;

	r = tcp_rec();
	tap_result(!sfw_ct_record_check(&r), "check: a TCP connection passes", sfw_ct_record_check(&r));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char name[128];

		r = tcp_rec();
		spoil(&r, i);
		why = sfw_ct_record_check(&r);
		snprintf(name, sizeof(name), "check refuses: %s", cases[i].name);
		tap_result(why && strstr(why, cases[i].why), name, why ? why : "accepted");
	}

	r = rec(tuple(SFW_AF_INET, SFW_IPPROTO_ICMP, "10.0.1.2", "10.0.2.2", 77, 0 << 8));
	why = sfw_ct_record_check(&r);
	tap_result(why && strstr(why, "opens no connection"), "check refuses: an ICMP echo reply opens nothing",
		   why);
	r = rec(tuple(SFW_AF_INET, SFW_IPPROTO_UDP, "10.0.1.2", "10.0.2.2", 1, 2));
	r.tcp_state = SFW_CT_TCP_ESTABLISHED;
	why = sfw_ct_record_check(&r);
	tap_result(why && strstr(why, "not TCP"), "check refuses: TCP data on UDP", why);
	r = rec(tuple(SFW_AF_INET, 47, "10.0.1.2", "10.0.2.2", 0, 0));
	r.orig.sport = htons(5);
	sfw_tuple_invert(&r.orig, &r.reply);
	why = sfw_ct_record_check(&r);
	tap_result(why && strstr(why, "without ports"), "check refuses: ports on GRE", why);
}

/* Files refused whole: the line and column of the first fault, and its words. */
static void file_errors(void)
{
	static const char tcp[] =
		"tcp src=10.0.1.2 dst=10.0.2.2 sport=40000 dport=22 reply-src=10.0.2.2 "
		"reply-dst=10.0.1.2 reply-sport=22 reply-dport=40000 timeout=300 status=seen_reply "
		"packets=1,1 bytes=60,60 state=ESTABLISHED win-orig=1,2,3,0,0 win-reply=1,2,3,0,0\n";
	static const struct {
		const char *name, *text;
		unsigned int line, col;
		const char *want;
	} cases[] = {
		{ "empty file", "", 0, 0, "no 'sfw-conntrack 1' line" },
		{ "no version line", "# x\n\ntcp src=1.2.3.4\n", 3, 1, "not an sfw save" },
		{ "version 2", "sfw-conntrack 2\n", 1, 15, "format version '2'" },
		{ "unknown protocol", HEAD "sctpx src=1\n", 2, 1, "'sctpx'" },
		{ "unknown word", HEAD "tcp colour=blue\n", 2, 5, "unknown word 'colour'" },
		{ "bad address", HEAD "udp src=10.0.1.300\n", 2, 9, "not an address: '10.0.1.300'" },
		{ "mixed families", HEAD "udp src=10.0.1.2 dst=fd00::1\n", 2, 18, "dst is IPv6 in an IPv4" },
		{ "port out of range", HEAD "udp sport=65536\n", 2, 11, "sport is a number from 0 to 65535" },
		{ "key twice", HEAD "udp timeout=1 timeout=2\n", 2, 15, "timeout given twice" },
		{ "timeout 0", HEAD "udp timeout=0\n", 2, 13, "timeout is seconds, 1 or more" },
		{ "unknown status", HEAD "udp status=tired\n", 2, 12, "status is - or seen_reply" },
		{ "bad state", HEAD "tcp state=NAPPING\n", 2, 11, "no such TCP state: 'NAPPING'" },
		{ "win with 4 numbers", HEAD "tcp win-orig=1,2,3,4\n", 2, 14, "win-orig is END" },
		{ "device too long", HEAD "udp masq=abcdefghijklmnop\n", 2, 10, "device name is 1 to 15" },
		{ "missing key", HEAD "udp src=10.0.1.2 dst=10.0.2.2 reply-src=10.0.2.2 reply-dst=10.0.1.2 timeout=5\n",
		  2, 1, "udp connection without sport=" },
		{ "TCP key on UDP", HEAD "udp src=10.0.1.2 dst=10.0.2.2 sport=1 dport=2 reply-src=10.0.2.2 "
		  "reply-dst=10.0.1.2 reply-sport=2 reply-dport=1 timeout=5 retrans=1\n", 2, 1,
		  "retrans= on a udp connection" },
		{ "second line bad, first good", HEAD "%TCP%" "tcp src=10.0.1.2\n", 3, 1,
		  "tcp connection without dst=" },
		{ "reply that answers nothing", HEAD
		  "icmp src=10.0.1.2 dst=10.0.2.2 type=8 code=0 id=5 reply-src=10.0.2.2 "
		  "reply-dst=10.0.1.2 reply-type=0 reply-code=1 reply-id=5 timeout=5\n", 2, 0,
		  "the reply tuple does not answer the original" },
		{ "NUL byte", HEAD "udp\0 src\n", 2, 0, "NUL byte" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sfw_ct_record *recs = NULL;
		struct ct_file_error err;
		unsigned int *lines = NULL;
		char text[1024], name[128];
		const char *pct = strstr(cases[i].text, "%TCP%");
		size_t len;
		int ok;

		if (pct)
			len = (size_t)snprintf(text, sizeof(text), "%.*s%s%s", (int)(pct - cases[i].text),
					       cases[i].text, tcp, pct + 5);
		else if (!strcmp(cases[i].name, "NUL byte"))
			len = sizeof(HEAD "udp\0 src\n") - 1, memcpy(text, cases[i].text, len);
		else
			len = (size_t)snprintf(text, sizeof(text), "%s", cases[i].text);
		ok = ct_file_parse(text, len, &recs, &lines, &(size_t){ 0 }, &err) == -1 &&
		     !recs && err.line == cases[i].line && err.col == cases[i].col &&
		     strstr(err.msg, cases[i].want);
		snprintf(name, sizeof(name), "file refused: %s", cases[i].name);
		if (!ok)
			tap_diag("got %u:%u: %s", err.line, err.col, err.msg);
		tap_result(ok, name, "wrong position or message");
		free(recs);
		free(lines);
	}
}

int main(void)
{
	roundtrips();
	check_refuses();
	file_errors();
	return tap_done();
}
