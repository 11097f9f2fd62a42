// SPDX-License-Identifier: GPL-2.0
/*
 * The FTP helper's parser (portable: built in the module and in
 * tests/unit). It reads the control stream of a connection a rule gave
 * the helper (`ct helper set ftp`) and finds the data connection each
 * announcement opens, which path.c files as an expectation (expect.c):
 *
 *	client -> server  PORT h1,h2,h3,h4,p1,p2
 *	                  EPRT |1|a.b.c.d|port|   EPRT |2|ipv6|port|
 *	                  -> from the server's address to the client's port
 *	server -> client  227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)
 *	                  229 Entering Extended Passive Mode (|||port|)
 *	                  -> from the client's address to the server's port
 *
 * The address announced must be the announcer's own address on the control
 * connection: anything else (an FTP bounce) is counted and refused.
 *
 * Lines: each direction keeps its unfinished line (SFW_FTP_LINE_MAX
 * bytes), so a command split across segments is still seen whole. Bytes
 * are taken in sequence order: a retransmission's old bytes are skipped,
 * and a gap (a lost or reordered segment) drops the unfinished line,
 * which then waits for the next newline. A line longer than the buffer
 * is skipped whole. Nothing here allocates, locks or sees an skb.
 */
#include "helper_ftp.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A decimal number at most @max at *@p; moves *@p past it. */
static bool number(const char **p, const char *end, u32 max, u32 *out)
{
	const char *s = *p;
	u32 v = 0;

	if (s >= end || !is_digit(*s))
		return false;
	while (s < end && is_digit(*s)) {
		v = v * 10 + (u32)(*s - '0');
		if (v > max)
			return false;
		s++;
	}
	*p = s;
	*out = v;
	return true;
}

static bool expect_char(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return false;
	(*p)++;
	return true;
}

/* h1,h2,h3,h4,p1,p2 */
static bool six_numbers(const char **p, const char *end, __be32 *addr, __be16 *port)
{
	u32 v[6];
	int i;

	for (i = 0; i < 6; i++) {
		if (i && !expect_char(p, end, ','))
			return false;
		if (!number(p, end, 255, &v[i]))
			return false;
	}
	*addr = htonl(v[0] << 24 | v[1] << 16 | v[2] << 8 | v[3]);
	*port = htons((u16)(v[4] << 8 | v[5]));
	return true;
}

static bool parse_ipv4(const char **p, const char *end, __be32 *addr)
{
	u32 v[4];
	int i;

	for (i = 0; i < 4; i++) {
		if (i && !expect_char(p, end, '.'))
			return false;
		if (!number(p, end, 255, &v[i]))
			return false;
	}
	*addr = htonl(v[0] << 24 | v[1] << 16 | v[2] << 8 | v[3]);
	return true;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* RFC 4291 text form, up to @end (no embedded IPv4 form). */
static bool parse_ipv6(const char *s, const char *end, __be32 *addr)
{
	u16 w[8] = { 0 };
	int n = 0, gap = -1, i;

	if (end - s >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		s += 2;
	}
	while (s < end) {
		u32 v = 0;
		int digits = 0;

		while (s < end && hex_value(*s) >= 0 && digits < 5) {
			v = v << 4 | (u32)hex_value(*s++);
			digits++;
		}
		if (!digits || digits > 4 || n == 8)
			return false;
		w[n++] = (u16)v;
		if (s == end)
			break;
		if (*s++ != ':' || s == end)
			return false;
		if (*s == ':') {
			if (gap >= 0)
				return false;
			gap = n;
			s++;
		}
	}
	if (gap < 0 && n != 8)
		return false;
	if (gap >= 0) {
		int move = n - gap;

		if (n == 8)
			return false;
		for (i = 0; i < move; i++) {
			w[7 - i] = w[n - 1 - i];
			w[n - 1 - i] = 0;
		}
	}
	for (i = 0; i < 4; i++)
		addr[i] = htonl((u32)w[2 * i] << 16 | w[2 * i + 1]);
	return true;
}

/* EPRT's argument: <d>proto<d>address<d>port<d>, any printable delimiter. */
static bool parse_eprt(const char *p, const char *end, u8 l3num, union sfw_addr *addr,
		       __be16 *port, const char **after)
{
	const char *a, *ae;
	char d;
	u32 proto, v;

	if (p >= end || *p < 33 || *p > 126)
		return false;
	d = *p++;
	if (!number(&p, end, 2, &proto) || !expect_char(&p, end, d))
		return false;
	if (proto != (l3num == SFW_AF_INET ? 1U : 2U))
		return false;
	a = p;
	while (p < end && *p != d)
		p++;
	ae = p;
	if (!expect_char(&p, end, d) || !number(&p, end, 65535, &v) || !v ||
	    !expect_char(&p, end, d))
		return false;
	memset(addr, 0, sizeof(*addr));
	if (proto == 1) {
		if (!parse_ipv4(&a, ae, &addr->ip) || a != ae)
			return false;
	} else if (!parse_ipv6(a, ae, addr->ip6)) {
		return false;
	}
	*port = htons((u16)v);
	*after = p;
	return true;
}

/* 229's (<d><d><d>port<d>); @arg..@after: the port's digits. */
static bool parse_epsv(const char *p, const char *end, __be16 *port, const char **arg,
		       const char **after)
{
	char d;
	u32 v;

	while (p < end && *p != '(')
		p++;
	if (!expect_char(&p, end, '(') || p >= end)
		return false;
	d = *p++;
	if (!expect_char(&p, end, d) || !expect_char(&p, end, d))
		return false;
	*arg = p;
	if (!number(&p, end, 65535, &v) || !v)
		return false;
	*after = p;
	if (!expect_char(&p, end, d))
		return false;
	*port = htons((u16)v);
	return true;
}

static bool prefix(const char *line, unsigned int len, const char *word)
{
	unsigned int i, n = strlen(word);

	if (len < n)
		return false;
	for (i = 0; i < n; i++) {
		char c = line[i];

		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (c != word[i])
			return false;
	}
	return true;
}

void sfw_helper_ftp_line(const struct sfw_tuple *t, enum sfw_dir dir,
			 const char *line, unsigned int len, struct sfw_ftp_result *res)
{
	const char *p = line, *arg = line, *end = line + len;
	const union sfw_addr *own;
	union sfw_addr addr;
	char delim = 0;
	__be16 port;
	u8 kind;
	bool ok;

	memset(&addr, 0, sizeof(addr));
	if (dir == SFW_DIR_ORIGINAL) {
		/* The client announces where it listens: the server connects. */
		own = &t->src;
		if (prefix(line, len, "PORT ")) {
			p = line + 5;
			while (p < end && *p == ' ')
				p++;
			arg = p;
			kind = SFW_FTP_PORT;
			ok = t->l3num == SFW_AF_INET && six_numbers(&p, end, &addr.ip, &port);
		} else if (prefix(line, len, "EPRT ")) {
			arg = line + 5;
			kind = SFW_FTP_EPRT;
			ok = parse_eprt(arg, end, t->l3num, &addr, &port, &p);
			delim = ok ? *arg : 0;
		} else {
			return;
		}
	} else {
		/* The server announces where it listens: the client connects. */
		own = &t->dst;
		if (prefix(line, len, "227 ")) {
			p = line + 4;
			while (p < end && !is_digit(*p))
				p++;
			arg = p;
			kind = SFW_FTP_PORT;
			ok = t->l3num == SFW_AF_INET && six_numbers(&p, end, &addr.ip, &port);
		} else if (prefix(line, len, "229 ")) {
			addr = t->dst;
			kind = SFW_FTP_EPSV;
			ok = parse_epsv(line + 4, end, &port, &arg, &p);
		} else {
			return;
		}
	}
	if (!ok || !port) {
		res->bad++;
		return;
	}
	if (memcmp(&addr, own, sizeof(addr))) {
		res->bounce++;
		return;
	}
	res->found = 1;
	res->kind = kind;
	res->delim = delim;
	res->arg_seq = (u32)(arg - line);
	res->arg_len = (u8)(p - arg);
	res->exp.l3num = t->l3num;
	res->exp.src = dir == SFW_DIR_ORIGINAL ? t->dst : t->src;
	res->exp.dst = addr;
	res->exp.dport = port;
}

/* @v in decimal at @buf: how many digits. */
static unsigned int put_decimal(char *buf, u32 v)
{
	char tmp[10];
	unsigned int n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

/*
 * @addr in RFC 5952's text form at @buf, the shortest there is: no
 * leading zeros, the longest run of two or more zero groups (the first
 * of equals) as "::". How many bytes.
 */
static unsigned int put_ipv6(char *buf, const union sfw_addr *addr)
{
	static const char hex[] = "0123456789abcdef";
	int i, best = -1, best_len = 1, run = 0;
	unsigned int n = 0;
	u16 w[8];

	for (i = 0; i < 8; i++) {
		w[i] = (u16)(ntohl(addr->ip6[i / 2]) >> (i % 2 ? 0 : 16));
		run = w[i] ? 0 : run + 1;
		if (run > best_len) {
			best_len = run;
			best = i - run + 1;
		}
	}
	for (i = 0; i < 8; i++) {
		int shift;
		bool lead = true;

		if (i == best) {
			buf[n++] = ':';
			buf[n++] = ':';
			i += best_len - 1;
			continue;
		}
		if (i && i != best + best_len)
			buf[n++] = ':';
		for (shift = 12; shift >= 0; shift -= 4) {
			u32 d = (u32)w[i] >> shift & 0xf;

			if (d || !lead || !shift) {
				buf[n++] = hex[d];
				lead = false;
			}
		}
	}
	return n;
}

unsigned int sfw_helper_ftp_format(char *buf, u8 kind, char delim, u8 l3num,
				   const union sfw_addr *addr, __be16 port)
{
	u32 a = ntohl(addr->ip), p = ntohs(port);
	unsigned int n = 0, i;

	switch (kind) {
	case SFW_FTP_PORT:
		for (i = 0; i < 4; i++) {
			n += put_decimal(buf + n, (a >> (24 - 8 * i)) & 0xff);
			buf[n++] = ',';
		}
		n += put_decimal(buf + n, p >> 8);
		buf[n++] = ',';
		n += put_decimal(buf + n, p & 0xff);
		return n;
	case SFW_FTP_EPRT:
		buf[n++] = delim;
		buf[n++] = l3num == SFW_AF_INET ? '1' : '2';
		buf[n++] = delim;
		if (l3num == SFW_AF_INET) {
			for (i = 0; i < 4; i++) {
				if (i)
					buf[n++] = '.';
				n += put_decimal(buf + n, (a >> (24 - 8 * i)) & 0xff);
			}
		} else {
			n += put_ipv6(buf + n, addr);
		}
		buf[n++] = delim;
		n += put_decimal(buf + n, p);
		buf[n++] = delim;
		return n;
	case SFW_FTP_EPSV:
		return put_decimal(buf, p);
	}
	return 0;
}

void sfw_helper_ftp_data(struct sfw_ftp_state *st, const struct sfw_tuple *t,
			 enum sfw_dir dir, u32 seq, const u8 *data, u32 len,
			 struct sfw_ftp_result *res)
{
	struct sfw_ftp_dir *d = &st->dir[dir];
	u32 i;

	if (d->flags & SFW_FTP_SYNCED) {
		s32 ahead = (s32)(seq - d->next_seq);

		if (ahead < 0) {
			/* A retransmission: skip what was seen already (unsigned: 2^31 back too). */
			u32 seen = d->next_seq - seq;

			if (seen >= len)
				return;
			data += seen;
			len -= seen;
			seq = d->next_seq;
		} else if (ahead > 0) {
			/* A gap: the unfinished line is lost. */
			d->len = 0;
			d->flags |= SFW_FTP_SKIP;
		}
	}
	d->flags |= SFW_FTP_SYNCED;
	d->next_seq = seq + len;

	for (i = 0; i < len; i++) {
		char c = (char)data[i];

		if (c == '\n') {
			unsigned int n = d->len;

			if (n && d->buf[n - 1] == '\r')
				n--;
			if (!(d->flags & SFW_FTP_SKIP)) {
				u8 found = res->found;

				res->found = 0;
				sfw_helper_ftp_line(t, dir, d->buf, n, res);
				/* The argument's place in the stream: the line began d->len bytes back. */
				if (res->found)
					res->arg_seq += seq + i - d->len;
				else
					res->found = found;
			}
			d->flags &= ~SFW_FTP_SKIP;
			d->len = 0;
			continue;
		}
		if (d->flags & SFW_FTP_SKIP)
			continue;
		if (d->len == SFW_FTP_LINE_MAX) {
			/* Too long to be one of ours: skip it whole. */
			d->len = 0;
			d->flags |= SFW_FTP_SKIP;
			continue;
		}
		d->buf[d->len++] = c;
	}
}
