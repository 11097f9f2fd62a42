// SPDX-License-Identifier: GPL-2.0
/*
 * sfw-pkt: send a hand-made packet (or COUNT copies of it) through a raw
 * socket.  The VM tests use it for what real stacks never send: SYN+FIN,
 * a TCP header cut short, a data offset of 2, a wrong checksum, an ICMP
 * error quoting a packet of a connection the tracker knows.  The whole IP
 * packet is built here, byte by byte, so what goes out is exactly what the
 * test asked for.
 *
 * IPv4 goes out through socket(AF_INET, SOCK_RAW, IPPROTO_RAW), which
 * implies IP_HDRINCL.  The kernel rewrites the IPv4 total length and header
 * checksum (raw_send_hdrinc()); both are already right here, truncated or
 * not, so that changes nothing.
 *
 * IPv6 goes out through socket(AF_INET6, SOCK_RAW, IPPROTO_RAW) with
 * IPV6_HDRINCL, and the kernel sends the header untouched.  Where that
 * socket cannot be had (or with --l4-socket) the packet goes through a raw
 * socket of its own L4 protocol instead, with IPV6_CHECKSUM off.  The
 * kernel then writes the IPv6 header itself: the source must be a local
 * address (freebind is tried), the payload length always matches what is
 * sent (--truncate still works), and ICMPv6 is always checksummed by the
 * kernel, so --bad-csum is refused for ICMPv6 there.
 *
 * Exit status: 0 sent, 1 socket or send error, 2 bad argument.
 */
#define _GNU_SOURCE		/* struct in6_pktinfo */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IPV6_HDRINCL
#define IPV6_HDRINCL	36
#endif
#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND	78
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* The kernel's __printf (checkpatch asks for it, then flags this definition). */
#define __printf(a, b)	__attribute__((__format__(__printf__, a, b)))

#define IP4_HLEN	20
#define IP6_HLEN	40
#define TCP_HLEN	20
#define UDP_HLEN	8
#define ICMP_HLEN	8
#define IP_MAXLEN	65535
#define PKT_MAX		(IP6_HLEN + IP_MAXLEN)

#define PROTO_TCP	6
#define PROTO_UDP	17
#define PROTO_ICMP	1
#define PROTO_ICMPV6	58

enum proto { P_TCP, P_UDP, P_ICMP, P_COUNT };

#define PT	(1U << P_TCP)
#define PU	(1U << P_UDP)
#define PI	(1U << P_ICMP)

static const char * const proto_names[P_COUNT] = {
	[P_TCP] = "tcp",
	[P_UDP] = "udp",
	[P_ICMP] = "icmp",
};

/* TCP flag letters, in the order -v prints them. */
static const struct {
	char letter;
	uint8_t bit;
} tcp_flags[] = {
	{ 'S', 0x02 }, { 'A', 0x10 }, { 'F', 0x01 }, { 'R', 0x04 },
	{ 'P', 0x08 }, { 'U', 0x20 }, { 'E', 0x40 }, { 'C', 0x80 },
};

enum {
	O_TTL = 256, O_FLOWS, O_SPORT, O_DPORT, O_FLAGS, O_SEQ, O_ACK, O_WIN, O_LEN,
	O_WSCALE, O_DOFF, O_TRUNCATE, O_BAD_CSUM, O_TYPE, O_CODE, O_ID,
	O_INNER_PROTO, O_INNER_SRC, O_INNER_DST, O_INNER_SPORT, O_INNER_DPORT,
	O_INNER_SEQ, O_L4_SOCKET, O_LAST
};

static const struct option longopts[] = {
	{ "ttl",		required_argument,	NULL, O_TTL },
	{ "flows",		required_argument,	NULL, O_FLOWS },
	{ "sport",		required_argument,	NULL, O_SPORT },
	{ "dport",		required_argument,	NULL, O_DPORT },
	{ "flags",		required_argument,	NULL, O_FLAGS },
	{ "seq",		required_argument,	NULL, O_SEQ },
	{ "ack",		required_argument,	NULL, O_ACK },
	{ "win",		required_argument,	NULL, O_WIN },
	{ "len",		required_argument,	NULL, O_LEN },
	{ "wscale",		required_argument,	NULL, O_WSCALE },
	{ "doff",		required_argument,	NULL, O_DOFF },
	{ "truncate",		required_argument,	NULL, O_TRUNCATE },
	{ "bad-csum",		no_argument,		NULL, O_BAD_CSUM },
	{ "type",		required_argument,	NULL, O_TYPE },
	{ "code",		required_argument,	NULL, O_CODE },
	{ "id",			required_argument,	NULL, O_ID },
	{ "inner-proto",	required_argument,	NULL, O_INNER_PROTO },
	{ "inner-src",		required_argument,	NULL, O_INNER_SRC },
	{ "inner-dst",		required_argument,	NULL, O_INNER_DST },
	{ "inner-sport",	required_argument,	NULL, O_INNER_SPORT },
	{ "inner-dport",	required_argument,	NULL, O_INNER_DPORT },
	{ "inner-seq",		required_argument,	NULL, O_INNER_SEQ },
	{ "l4-socket",		no_argument,		NULL, O_L4_SOCKET },
	{ "help",		no_argument,		NULL, 'h' },
	{ NULL,			0,			NULL, 0 }
};

/* Which PROTOs take each long option; 0 means any (a global option). */
static const unsigned int opt_protos[O_LAST] = {
	[O_FLOWS] = PT | PU,		[O_SPORT] = PT | PU,
	[O_DPORT] = PT | PU,
	[O_FLAGS] = PT,			[O_SEQ] = PT | PI,
	[O_ACK] = PT,			[O_WIN] = PT,
	[O_LEN] = PT | PU | PI,		[O_WSCALE] = PT,
	[O_DOFF] = PT,			[O_TRUNCATE] = PT | PU | PI,
	[O_BAD_CSUM] = PT | PU | PI,	[O_TYPE] = PI,
	[O_CODE] = PI,			[O_ID] = PI,
	[O_INNER_PROTO] = PI,		[O_INNER_SRC] = PI,
	[O_INNER_DST] = PI,		[O_INNER_SPORT] = PI,
	[O_INNER_DPORT] = PI,		[O_INNER_SEQ] = PI,
};

static const char usage[] =
"usage: sfw-pkt [-6] [-v] -s SRC -d DST [-c COUNT] [--ttl N] PROTO [options]\n"
"Send a hand-made IP packet through a raw socket (for conntrack tests).\n"
"  -6            IPv6: SRC, DST and --inner-* addresses are IPv6\n"
"  -s SRC        source address written into the IP header (need not be local)\n"
"  -d DST        destination address\n"
"  -c COUNT      send the same packet COUNT times (1)\n"
"  --flows N     N flows: the packet with source port sport, sport+1, ... (1)\n"
"  --ttl N       IPv4 TTL or IPv6 hop limit (64)\n"
"  -v            print one line per packet sent\n"
"  -h, --help    this text\n"
"PROTO and its options (numbers are decimal or 0x hex):\n"
"  tcp  --sport N --dport N [--flags FLAGS] [--seq N] [--ack N] [--win N] [--len N]\n"
"       [--wscale N] [--doff N] [--truncate N] [--bad-csum]\n"
"       FLAGS: letters from S A F R P U (e.g. SA, FA, R, \"\" for none), or \"none\";\n"
"              also E (ECE) and C (CWR).  Defaults: S, seq 0, ack 0, win 65535, len 0\n"
"       --len N       N zero bytes of payload\n"
"       --wscale N    add a window-scale option (kind 3), NOP-padded to 4 bytes\n"
"       --doff N      write N as data offset (e.g. 2 or 15, bad on purpose)\n"
"       --truncate N  cut the whole IP packet to N bytes after building it (IP total\n"
"                     length / payload length are set to the truncated size, so the\n"
"                     IP layer accepts it but the L4 header is short)\n"
"       --bad-csum    send a wrong L4 checksum (the right one, complemented)\n"
"  udp  --sport N --dport N [--len N] [--bad-csum] [--truncate N]\n"
"  icmp --type N [--code N] [--id N] [--seq N]      (ICMPv6 with -6)\n"
"       [--inner-proto tcp|udp|icmp --inner-src A --inner-dst A --inner-sport N --inner-dport N]\n"
"       [--inner-seq N] [--len N] [--bad-csum] [--truncate N]\n"
"       --id/--seq fill header bytes 4-7 (echo id/seq; 0 by default); in an error\n"
"       that is the unused word, or the MTU (--seq for IPv4 frag-needed).\n"
"       The --inner-* options build an ICMP error that quotes an embedded IP packet\n"
"       (IP header + first 8 bytes of its L4 header) with those fields, as a router\n"
"       would for a packet it could not deliver.  --inner-seq is the quoted TCP\n"
"       sequence number (0).  For icmp inner packets: --inner-sport is the echo id,\n"
"       --inner-seq the echo sequence, type echo request; --inner-dport is refused.\n"
"       e.g. port unreachable: --type 3 --code 3 (IPv4), --type 1 --code 4 (IPv6);\n"
"       echo request: --type 8 (IPv4), --type 128 (IPv6)\n"
"  --l4-socket   (IPv6) send through a raw socket of the L4 protocol, the fallback\n"
"                used when IPV6_HDRINCL is unavailable: SRC must be local or\n"
"                freebind-able, and ICMPv6 --bad-csum is not possible\n"
"Exit status: 0 sent, 1 socket or send error, 2 bad argument.\n";

struct opts {
	bool v6, verbose, l4_socket, bad_csum;
	const char *src_s, *dst_s, *inner_src_s, *inner_dst_s;
	uint8_t src[16], dst[16], inner_src[16], inner_dst[16];
	unsigned long count;
	unsigned long flows;		/* --flows: sport, sport + 1, ... */
	unsigned int ttl;
	enum proto proto;
	long sport, dport;		/* -1: not given */
	uint8_t flags;
	uint32_t seq, ack;
	unsigned int win, len;
	int wscale, doff;		/* -1: not given */
	unsigned long truncate;		/* 0: not given */
	int type, code;			/* type -1: not given */
	unsigned int id;
	int inner_proto;		/* -1: none */
	long inner_sport, inner_dport;	/* -1: not given */
	uint32_t inner_seq;
};

static _Noreturn __printf(2, 3) void die(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("sfw-pkt: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

#define bad(...)	die(2, __VA_ARGS__)

static const char *opt_name(int id)
{
	const struct option *lo;

	for (lo = longopts; lo->name; lo++)
		if (lo->val == id)
			return lo->name;
	return "?";
}

/* Decimal or 0x hex, nothing else: "010" is ten, not eight. */
static unsigned long num(int id, const char *s, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10);
	if (s[0] < '0' || s[0] > '9' || *end || errno || v > max) {
		if (id < 256)
			bad("-%c: '%s' is not a number from 0 to %lu", id, s, max);
		bad("--%s: '%s' is not a number from 0 to %lu", opt_name(id), s, max);
	}
	return v;
}

static int parse_proto(int id, const char *s)
{
	int p;

	for (p = 0; p < P_COUNT; p++)
		if (!strcmp(s, proto_names[p]))
			return p;
	if (id)
		bad("--%s: unknown protocol '%s' (tcp, udp or icmp)", opt_name(id), s);
	bad("unknown protocol '%s' (tcp, udp or icmp)", s);
}

static uint8_t parse_flags(const char *s)
{
	uint8_t flags = 0;
	size_t i;

	if (!strcmp(s, "none"))
		return 0;
	for (; *s; s++) {
		for (i = 0; i < ARRAY_SIZE(tcp_flags); i++)
			if ((*s & ~0x20) == tcp_flags[i].letter)
				break;
		if (i == ARRAY_SIZE(tcp_flags))
			bad("--flags: unknown flag '%c' (letters from SAFRPUEC, or none)", *s);
		flags |= tcp_flags[i].bit;
	}
	return flags;
}

static void parse_addr(const struct opts *o, const char *what, const char *s, uint8_t *a)
{
	if (inet_pton(o->v6 ? AF_INET6 : AF_INET, s, a) != 1)
		bad("%s: '%s' is not an IPv%c address%s", what, s, o->v6 ? '6' : '4',
		    !o->v6 && strchr(s, ':') ? " (use -6 for IPv6)" : "");
}

static void parse(int argc, char **argv, struct opts *o)
{
	bool seen[O_LAST] = { false };
	const char *proto = NULL;
	int c, i;

	memset(o, 0, sizeof(*o));
	o->count = 1;
	o->flows = 1;
	o->ttl = 64;
	o->sport = o->dport = -1;
	o->flags = 0x02;
	o->win = 65535;
	o->wscale = o->doff = -1;
	o->type = -1;
	o->inner_proto = -1;
	o->inner_sport = o->inner_dport = -1;

	/*
	 * '+': stop at PROTO, take it, and go on, so options may come
	 * before or after it whatever POSIXLY_CORRECT says.  ':': report
	 * errors here, on one line.
	 */
	opterr = 0;
	while (optind < argc) {
		c = getopt_long(argc, argv, "+:6vhs:d:c:", longopts, NULL);
		if (c == -1) {
			if (optind >= argc)
				break;
			if (proto)
				bad("unexpected argument '%s' (PROTO is '%s')", argv[optind], proto);
			proto = argv[optind++];
			continue;
		}
		if (c >= 256)
			seen[c] = true;
		switch (c) {
		case '6':
			o->v6 = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		case 's':
			o->src_s = optarg;
			break;
		case 'd':
			o->dst_s = optarg;
			break;
		case 'c':
			o->count = num(c, optarg, 1000000000);
			if (!o->count)
				bad("-c: COUNT must be at least 1");
			break;
		case O_TTL:
			o->ttl = num(c, optarg, 255);
			break;
		case O_FLOWS:
			o->flows = num(c, optarg, 65536);
			if (!o->flows)
				bad("--flows must be at least 1");
			break;
		case O_SPORT:
			o->sport = num(c, optarg, 65535);
			break;
		case O_DPORT:
			o->dport = num(c, optarg, 65535);
			break;
		case O_FLAGS:
			o->flags = parse_flags(optarg);
			break;
		case O_SEQ:
			o->seq = num(c, optarg, UINT32_MAX);
			break;
		case O_ACK:
			o->ack = num(c, optarg, UINT32_MAX);
			break;
		case O_WIN:
			o->win = num(c, optarg, 65535);
			break;
		case O_LEN:
			o->len = num(c, optarg, IP_MAXLEN);
			break;
		case O_WSCALE:
			o->wscale = num(c, optarg, 255);
			break;
		case O_DOFF:
			o->doff = num(c, optarg, 15);
			break;
		case O_TRUNCATE:
			o->truncate = num(c, optarg, PKT_MAX);
			break;
		case O_BAD_CSUM:
			o->bad_csum = true;
			break;
		case O_TYPE:
			o->type = num(c, optarg, 255);
			break;
		case O_CODE:
			o->code = num(c, optarg, 255);
			break;
		case O_ID:
			o->id = num(c, optarg, 65535);
			break;
		case O_INNER_PROTO:
			o->inner_proto = parse_proto(c, optarg);
			break;
		case O_INNER_SRC:
			o->inner_src_s = optarg;
			break;
		case O_INNER_DST:
			o->inner_dst_s = optarg;
			break;
		case O_INNER_SPORT:
			o->inner_sport = num(c, optarg, 65535);
			break;
		case O_INNER_DPORT:
			o->inner_dport = num(c, optarg, 65535);
			break;
		case O_INNER_SEQ:
			o->inner_seq = num(c, optarg, UINT32_MAX);
			break;
		case O_L4_SOCKET:
			o->l4_socket = true;
			break;
		case ':':
			bad("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt && optopt < 256)
				bad("unknown option '-%c' (try -h)", optopt);
			bad("unknown option '%s' (try -h)", argv[optind - 1]);
		}
	}

	if (!proto)
		bad("no PROTO given (tcp, udp or icmp; try -h)");
	o->proto = parse_proto(0, proto);
	for (i = 256; i < O_LAST; i++)
		if (seen[i] && opt_protos[i] && !(opt_protos[i] & (1U << o->proto)))
			bad("--%s is not a %s option", opt_name(i), proto);

	if (!o->src_s || !o->dst_s)
		bad("-s SRC and -d DST are required");
	parse_addr(o, "-s", o->src_s, o->src);
	parse_addr(o, "-d", o->dst_s, o->dst);
	if (o->l4_socket && !o->v6)
		bad("--l4-socket is for IPv6 (-6) only");

	switch (o->proto) {
	case P_TCP:
	case P_UDP:
		if (o->sport < 0 || o->dport < 0)
			bad("%s needs --sport and --dport", proto);
		break;
	case P_ICMP:
		if (o->type < 0)
			bad("icmp needs --type");
		if (o->inner_proto < 0) {
			for (i = O_INNER_SRC; i <= O_INNER_SEQ; i++)
				if (seen[i])
					bad("--%s needs --inner-proto", opt_name(i));
			break;
		}
		if (!o->inner_src_s || !o->inner_dst_s)
			bad("--inner-proto needs --inner-src and --inner-dst");
		parse_addr(o, "--inner-src", o->inner_src_s, o->inner_src);
		parse_addr(o, "--inner-dst", o->inner_dst_s, o->inner_dst);
		if (o->inner_sport < 0)
			bad("--inner-proto %s needs --inner-sport", proto_names[o->inner_proto]);
		if (o->inner_proto == P_ICMP && o->inner_dport >= 0)
			bad("--inner-dport does not apply to an icmp inner packet (--inner-sport is the echo id, --inner-seq the sequence)");
		if (o->inner_proto != P_ICMP && o->inner_dport < 0)
			bad("--inner-proto %s needs --inner-dport", proto_names[o->inner_proto]);
		if (o->inner_proto == P_UDP && seen[O_INNER_SEQ])
			bad("--inner-seq does not apply to a udp inner packet");
		break;
	default:
		break;
	}
}

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static uint64_t sum16(uint64_t sum, const uint8_t *p, size_t len)
{
	for (; len > 1; p += 2, len -= 2)
		sum += p[0] << 8 | p[1];
	if (len)
		sum += p[0] << 8;
	return sum;
}

static uint16_t fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static size_t alen(bool v6)
{
	return v6 ? 16 : 4;
}

/*
 * The L4 checksum over @len bytes at @l4, with the pseudo-header for all
 * but ICMPv4; the checksum field must be zero.  UDP sends a zero sum as
 * 0xffff, since zero there means "no checksum".  With @bad the sum is
 * complemented, and kept off 0 and 0xffff: those two are the same number
 * in one's complement (so one could verify as the other), and zero would
 * disable the UDP check.
 */
static uint16_t l4_csum(bool v6, const uint8_t *src, const uint8_t *dst, uint8_t proto,
			const uint8_t *l4, size_t len, bool bad)
{
	uint64_t sum = 0;
	uint16_t c;

	if (proto != PROTO_ICMP) {
		sum = sum16(sum, src, alen(v6));
		sum = sum16(sum, dst, alen(v6));
		sum += proto + (len >> 16) + (len & 0xffff);
	}
	c = fold(sum16(sum, l4, len));
	if (proto == PROTO_UDP && !c)
		c = 0xffff;
	if (bad) {
		c = ~c;
		if (c == 0 || c == 0xffff)
			c = 1;
	}
	return c;
}

/* Set the IP length fields for a packet of @total bytes (header included). */
static void ip_set_len(uint8_t *p, bool v6, size_t total)
{
	if (v6) {
		put16(p + 4, total - IP6_HLEN);
		return;
	}
	put16(p + 2, total);
	put16(p + 10, 0);
	put16(p + 10, fold(sum16(0, p, IP4_HLEN)));
}

static uint16_t random_id(void)
{
	uint16_t id = 0;

	if (getrandom(&id, sizeof(id), 0) != sizeof(id))
		id = time(NULL) ^ getpid();
	return id ? id : 1;
}

/* An IPv4 (DF off, random id) or IPv6 header for @l4len bytes of L4. */
static size_t ip_header(uint8_t *p, bool v6, const uint8_t *src, const uint8_t *dst,
			uint8_t proto, size_t l4len, unsigned int ttl)
{
	if (v6) {
		memset(p, 0, IP6_HLEN);
		p[0] = 0x60;
		p[6] = proto;
		p[7] = ttl;
		memcpy(p + 8, src, 16);
		memcpy(p + 24, dst, 16);
		ip_set_len(p, v6, IP6_HLEN + l4len);
		return IP6_HLEN;
	}
	memset(p, 0, IP4_HLEN);
	p[0] = 0x45;
	put16(p + 4, random_id());
	p[8] = ttl;
	p[9] = proto;
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	ip_set_len(p, v6, IP4_HLEN + l4len);
	return IP4_HLEN;
}

static uint8_t icmp_proto(bool v6)
{
	return v6 ? PROTO_ICMPV6 : PROTO_ICMP;
}

static const uint8_t l4_protos[P_COUNT] = {
	[P_TCP] = PROTO_TCP, [P_UDP] = PROTO_UDP, [P_ICMP] = PROTO_ICMP,
};

static uint8_t ip_proto(bool v6, int proto)
{
	return proto == P_ICMP ? icmp_proto(v6) : l4_protos[proto];
}

/*
 * The packet an ICMP error quotes: its IP header, which claims the whole
 * original L4 header (20 bytes for TCP), and the first 8 bytes of that
 * header, as RFC 792 routers send it.  The UDP and echo checksums, which
 * fall within those 8 bytes, are the ones the original would have had.
 */
static size_t build_inner(const struct opts *o, uint8_t *p)
{
	uint8_t l4[TCP_HLEN] = { 0 };
	uint8_t proto = ip_proto(o->v6, o->inner_proto);
	size_t l4len = ICMP_HLEN, hlen;

	switch (o->inner_proto) {
	case P_TCP:
		put16(l4, o->inner_sport);
		put16(l4 + 2, o->inner_dport);
		put32(l4 + 4, o->inner_seq);
		l4[12] = 5 << 4;
		l4[13] = 0x02;
		put16(l4 + 14, 65535);
		l4len = TCP_HLEN;
		put16(l4 + 16, l4_csum(o->v6, o->inner_src, o->inner_dst, proto, l4, l4len, false));
		break;
	case P_UDP:
		put16(l4, o->inner_sport);
		put16(l4 + 2, o->inner_dport);
		put16(l4 + 4, UDP_HLEN);
		l4len = UDP_HLEN;
		put16(l4 + 6, l4_csum(o->v6, o->inner_src, o->inner_dst, proto, l4, l4len, false));
		break;
	case P_ICMP:
		l4[0] = o->v6 ? 128 : 8;
		put16(l4 + 4, o->inner_sport);
		put16(l4 + 6, o->inner_seq);
		put16(l4 + 2, l4_csum(o->v6, o->inner_src, o->inner_dst, proto, l4, l4len, false));
		break;
	}
	hlen = ip_header(p, o->v6, o->inner_src, o->inner_dst, proto, l4len, 64);
	memcpy(p + hlen, l4, 8);
	return hlen + 8;
}

/* Build the whole packet into @pkt; returns its length after --truncate. */
static size_t build(const struct opts *o, uint8_t *pkt, size_t *full)
{
	size_t hlen = o->v6 ? IP6_HLEN : IP4_HLEN;
	size_t max_l4 = o->v6 ? IP_MAXLEN : IP_MAXLEN - IP4_HLEN;
	uint8_t proto = ip_proto(o->v6, o->proto);
	uint8_t *l4 = pkt + hlen;
	size_t l4len = 0, csum_off = 0;

	memset(pkt, 0, PKT_MAX);
	switch (o->proto) {
	case P_TCP:
		put16(l4, o->sport);
		put16(l4 + 2, o->dport);
		put32(l4 + 4, o->seq);
		put32(l4 + 8, o->ack);
		l4[13] = o->flags;
		put16(l4 + 14, o->win);
		l4len = TCP_HLEN;
		if (o->wscale >= 0) {
			l4[l4len++] = 1;	/* NOP, to a 4-byte multiple */
			l4[l4len++] = 3;	/* window scale */
			l4[l4len++] = 3;
			l4[l4len++] = o->wscale;
		}
		l4[12] = (o->doff >= 0 ? (unsigned int)o->doff : l4len / 4) << 4;
		csum_off = 16;
		break;
	case P_UDP:
		put16(l4, o->sport);
		put16(l4 + 2, o->dport);
		put16(l4 + 4, UDP_HLEN + o->len);
		l4len = UDP_HLEN;
		csum_off = 6;
		break;
	case P_ICMP:
		l4[0] = o->type;
		l4[1] = o->code;
		put16(l4 + 4, o->id);
		put16(l4 + 6, o->seq);
		l4len = ICMP_HLEN;
		if (o->inner_proto >= 0)
			l4len += build_inner(o, l4 + l4len);
		csum_off = 2;
		break;
	default:
		break;
	}
	/* The headers above are at most 56 bytes; PKT_MAX leaves room for them. */
	if (l4len + o->len > max_l4)
		bad("--len %u: the packet would exceed the IP maximum", o->len);
	l4len += o->len;	/* zero payload, already cleared */
	put16(l4 + csum_off, l4_csum(o->v6, o->src, o->dst, proto, l4, l4len, o->bad_csum));
	ip_header(pkt, o->v6, o->src, o->dst, proto, l4len, o->ttl);

	*full = hlen + l4len;
	if (!o->truncate)
		return *full;
	if (o->truncate > *full)
		bad("--truncate %lu: the packet is only %zu bytes", o->truncate, *full);
	if (o->truncate < hlen)
		bad("--truncate %lu: the IP header alone is %zu bytes", o->truncate, hlen);
	ip_set_len(pkt, o->v6, o->truncate);
	return o->truncate;
}

static void describe(const struct opts *o, char *buf, size_t size, size_t len, size_t full)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	char isrc[INET6_ADDRSTRLEN], idst[INET6_ADDRSTRLEN];
	char flags[ARRAY_SIZE(tcp_flags) + 1] = "";
	int af = o->v6 ? AF_INET6 : AF_INET;
	size_t i, n, f = 0;

	inet_ntop(af, o->src, src, sizeof(src));
	inet_ntop(af, o->dst, dst, sizeof(dst));
	n = snprintf(buf, size, "IPv%c %s > %s ttl %u ", o->v6 ? '6' : '4', src, dst, o->ttl);
	switch (o->proto) {
	case P_TCP:
		for (i = 0; i < ARRAY_SIZE(tcp_flags); i++)
			if (o->flags & tcp_flags[i].bit)
				flags[f++] = tcp_flags[i].letter;
		n += snprintf(buf + n, size - n, "tcp %ld > %ld flags %s seq %u ack %u win %u len %u",
			      o->sport, o->dport, f ? flags : "none", o->seq, o->ack, o->win, o->len);
		if (o->wscale >= 0)
			n += snprintf(buf + n, size - n, " wscale %d", o->wscale);
		if (o->doff >= 0)
			n += snprintf(buf + n, size - n, " doff %d", o->doff);
		break;
	case P_UDP:
		n += snprintf(buf + n, size - n, "udp %ld > %ld len %u", o->sport, o->dport, o->len);
		break;
	case P_ICMP:
		n += snprintf(buf + n, size - n, "icmp%s type %d code %d id %u seq %u len %u",
			      o->v6 ? "v6" : "", o->type, o->code, o->id, o->seq, o->len);
		if (o->inner_proto < 0)
			break;
		inet_ntop(af, o->inner_src, isrc, sizeof(isrc));
		inet_ntop(af, o->inner_dst, idst, sizeof(idst));
		if (o->inner_proto == P_ICMP)
			n += snprintf(buf + n, size - n, " quoting echo %s > %s id %ld seq %u",
				      isrc, idst, o->inner_sport, o->inner_seq);
		else
			n += snprintf(buf + n, size - n, " quoting %s %s.%ld > %s.%ld",
				      proto_names[o->inner_proto], isrc, o->inner_sport,
				      idst, o->inner_dport);
		break;
	default:
		break;
	}
	if (o->bad_csum)
		n += snprintf(buf + n, size - n, " bad-csum");
	if (len != full)
		snprintf(buf + n, size - n, ", %zu bytes (truncated from %zu)", len, full);
	else
		snprintf(buf + n, size - n, ", %zu bytes", len);
}

/* The raw socket; *@hdrincl is false for the IPv6 L4-socket fallback. */
static int open_socket(const struct opts *o, bool *hdrincl)
{
	int fd, one = 1, off = -1, ttl = o->ttl;

	*hdrincl = true;
	if (!o->v6) {
		fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
		if (fd < 0)
			die(1, "socket(AF_INET, SOCK_RAW, IPPROTO_RAW): %s", strerror(errno));
		return fd;
	}
	if (!o->l4_socket) {
		fd = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);
		if (fd < 0 && (errno == EPERM || errno == EACCES))
			die(1, "socket(AF_INET6, SOCK_RAW, IPPROTO_RAW): %s", strerror(errno));
		/*
		 * IPPROTO_RAW has implied header inclusion since long before
		 * IPV6_HDRINCL existed (4.5), so ENOPROTOOPT is fine.
		 */
		if (fd >= 0 &&
		    (!setsockopt(fd, IPPROTO_IPV6, IPV6_HDRINCL, &one, sizeof(one)) ||
		     errno == ENOPROTOOPT))
			return fd;
		if (fd >= 0)
			close(fd);
	}

	*hdrincl = false;
	if (o->proto == P_ICMP && o->bad_csum)
		bad("--bad-csum: the kernel checksums ICMPv6 itself without IPV6_HDRINCL");
	fd = socket(AF_INET6, SOCK_RAW, ip_proto(true, o->proto));
	if (fd < 0)
		die(1, "socket(AF_INET6, SOCK_RAW, %u): %s", ip_proto(true, o->proto),
		    strerror(errno));
	/* ICMPv6 refuses IPV6_CHECKSUM (EINVAL): the kernel always sums it. */
	if (o->proto != P_ICMP &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_CHECKSUM, &off, sizeof(off)))
		die(1, "setsockopt(IPV6_CHECKSUM): %s", strerror(errno));
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)))
		die(1, "setsockopt(IPV6_UNICAST_HOPS): %s", strerror(errno));
	/* Best effort: lets IPV6_PKTINFO name a source that is not local. */
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one)))
		setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	return fd;
}

static ssize_t send_pkt(const struct opts *o, int fd, bool hdrincl, const uint8_t *pkt,
			size_t len)
{
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} ctl;
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct iovec iov;
	struct msghdr msg = { 0 };
	struct in6_pktinfo *pi;
	struct cmsghdr *cm;

	if (!o->v6) {
		memcpy(&sin.sin_addr, o->dst, 4);
		return sendto(fd, pkt, len, 0, (struct sockaddr *)&sin, sizeof(sin));
	}
	memcpy(&sin6.sin6_addr, o->dst, 16);
	if (hdrincl)
		return sendto(fd, pkt, len, 0, (struct sockaddr *)&sin6, sizeof(sin6));

	/* Fallback: the kernel writes the IPv6 header; the source goes in PKTINFO. */
	iov.iov_base = (void *)(pkt + IP6_HLEN);
	iov.iov_len = len - IP6_HLEN;
	memset(&ctl, 0, sizeof(ctl));
	msg.msg_name = &sin6;
	msg.msg_namelen = sizeof(sin6);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof(ctl.buf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = IPPROTO_IPV6;
	cm->cmsg_type = IPV6_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(*pi));
	pi = (struct in6_pktinfo *)CMSG_DATA(cm);
	memcpy(&pi->ipi6_addr, o->src, 16);
	if (sendmsg(fd, &msg, 0) < 0)
		return -1;
	return len;
}

int main(int argc, char **argv)
{
	static uint8_t pkt[PKT_MAX];
	char desc[512];
	size_t len, full;
	unsigned long i, f;
	bool hdrincl;
	ssize_t ret;
	struct opts o;
	int fd;

	parse(argc, argv, &o);
	len = build(&o, pkt, &full);
	fd = open_socket(&o, &hdrincl);
	if (o.verbose)
		describe(&o, desc, sizeof(desc), len, full);
	for (f = 0; f < o.flows; f++) {
		if (f) {
			/* The next flow: the next source port, wrapping at 65535. */
			o.sport = (o.sport + 1) & 0xffff;
			len = build(&o, pkt, &full);
			if (o.verbose)
				describe(&o, desc, sizeof(desc), len, full);
		}
		for (i = 1; i <= o.count; i++) {
			ret = send_pkt(&o, fd, hdrincl, pkt, len);
			if (ret < 0)
				die(1, "send %s: %s", o.dst_s, strerror(errno));
			if ((size_t)ret != len)
				die(1, "send %s: short send (%zd of %zu bytes)", o.dst_s, ret, len);
			if (o.verbose)
				printf("sfw-pkt: sent %lu/%lu %s%s\n", i, o.count, desc,
				       hdrincl ? "" : " (L4 socket)");
		}
	}
	close(fd);
	return 0;
}
