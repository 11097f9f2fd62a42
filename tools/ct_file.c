// SPDX-License-Identifier: GPL-2.0
/*
 * ct_file.c: the text format of a saved connection table.
 *
 *	# comments and blank lines anywhere
 *	sfw-conntrack 1
 *	tcp src=10.0.1.2 dst=10.0.2.2 sport=40000 dport=22 reply-src=10.0.2.2
 *	    reply-dst=10.0.2.1 reply-sport=22 reply-dport=40000 timeout=431990
 *	    status=seen_reply,assured packets=10,12 bytes=1000,2000
 *	    state=ESTABLISHED tcp-flags=- retrans=0
 *	    win-orig=END,MAXEND,MAXWIN,WSCALE,FLAGS win-reply=... [masq=DEV]
 *	    [in=DEV] [local]
 *
 * (one line per connection). The first word is the protocol: tcp, udp,
 * icmp, icmpv6, or a number for the others. The key=value words follow
 * conntrack -L's names where it has them; reply-* are the reply tuple,
 * which differs from the original's inverse where NAT translated it. ICMP
 * has type=, code=, id= and reply-type=, reply-code=, reply-id= instead
 * of ports. Every word is checked, then the whole connection by
 * sfw_ct_record_check(), the module's own check: an error names the line
 * and the column of the word at fault.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_file.h"
#include "names.h"
#include "rules_parse_priv.h"	/* lex_parse_num(): the rule lexer's decimal reader */

#define CT_FILE_MAGIC	"sfw-conntrack"
#define LINE_MAX_WORDS	64

int ct_file_header(char *buf, size_t size)
{
	return snprintf(buf, size,
			"# sfw connection table (sfwctl ct save); restore with sfwctl ct restore\n"
			"%s %d\n", CT_FILE_MAGIC, CT_FILE_VERSION);
}

/* ---- writing ---- */

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->len < o->size ? o->buf + o->len : NULL,
		      o->len < o->size ? o->size - o->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += n;
}

static bool v4(const struct sfw_tuple *t)
{
	return t->l3num == SFW_AF_INET;
}

static bool icmp(const struct sfw_tuple *t)
{
	return (t->l3num == SFW_AF_INET && t->l4proto == SFW_IPPROTO_ICMP) ||
	       (t->l3num == SFW_AF_INET6 && t->l4proto == SFW_IPPROTO_ICMPV6);
}

static bool ports(const struct sfw_tuple *t)
{
	return t->l4proto == SFW_IPPROTO_TCP || t->l4proto == SFW_IPPROTO_UDP;
}

static void put_addr(struct out *o, const char *key, const struct sfw_tuple *t,
		     const union sfw_addr *a)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(v4(t) ? AF_INET : AF_INET6, a, s, sizeof(s));
	put(o, " %s=%s", key, s);
}

static void put_tuple(struct out *o, const char *pfx, const struct sfw_tuple *t)
{
	char k[32];

	snprintf(k, sizeof(k), "%ssrc", pfx);
	put_addr(o, k, t, &t->src);
	snprintf(k, sizeof(k), "%sdst", pfx);
	put_addr(o, k, t, &t->dst);
	if (ports(t))
		put(o, " %ssport=%u %sdport=%u", pfx, ntohs(t->sport), pfx, ntohs(t->dport));
	else if (icmp(t))
		put(o, " %stype=%u %scode=%u %sid=%u", pfx, ntohs(t->dport) >> 8, pfx,
		    ntohs(t->dport) & 0xff, pfx, ntohs(t->sport));
}

/* Flag names, in bit order. */
static const char *const status_names[] = { NULL, "seen_reply", "assured" };
static const char *const tcp_flag_names[] = { "pickup", "simopen", "liberal" };

static void put_flags(struct out *o, const char *key, uint32_t v, const char *const *names,
		      unsigned int n)
{
	const char *sep = "";
	unsigned int i;

	put(o, " %s=", key);
	if (!v)
		put(o, "-");
	for (i = 0; i < n; i++)
		if (names[i] && (v & (1U << i))) {
			put(o, "%s%s", sep, names[i]);
			sep = ",";
		}
}

int ct_file_format(const struct sfw_ct_record *r, char *buf, size_t size)
{
	struct out o = { .buf = buf, .size = size };
	const char *name = sfw_l4proto_name(r->orig.l4proto);
	unsigned int d;

	if (!strcmp(name, "unknown") ||
	    (r->orig.l4proto == SFW_IPPROTO_ICMP && !v4(&r->orig)) ||
	    (r->orig.l4proto == SFW_IPPROTO_ICMPV6 && v4(&r->orig)))
		put(&o, "%u", r->orig.l4proto);
	else
		put(&o, "%s", name);
	put_tuple(&o, "", &r->orig);
	put_tuple(&o, "reply-", &r->reply);
	put(&o, " timeout=%" PRIu32, r->timeout);
	if (r->age)
		put(&o, " age=%" PRIu32, r->age);
	put_flags(&o, "status", r->status, status_names, 3);
	put(&o, " packets=%" PRIu64 ",%" PRIu64 " bytes=%" PRIu64 ",%" PRIu64,
	    r->packets[0], r->packets[1], r->bytes[0], r->bytes[1]);
	if (r->orig.l4proto == SFW_IPPROTO_TCP) {
		put(&o, " state=%s", r->tcp_state <= SFW_CT_TCP_MAX ?
				     sfw_tcp_state_names[r->tcp_state] : "?");
		put_flags(&o, "tcp-flags", r->tcp_flags, tcp_flag_names, 3);
		put(&o, " retrans=%u", r->tcp_retrans);
		for (d = 0; d < SFW_DIR_COUNT; d++)
			put(&o, " win-%s=%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%u,%u",
			    d ? "reply" : "orig", r->win[d].end, r->win[d].maxend,
			    r->win[d].maxwin, r->win[d].wscale, r->win[d].flags);
	}
	if (r->masq_dev[0])
		put(&o, " masq=%.*s", SFW_CT_DEV_LEN - 1, r->masq_dev);
	if (r->in_dev[0])
		put(&o, " in=%.*s", SFW_CT_DEV_LEN - 1, r->in_dev);
	if (r->local)
		put(&o, " local");
	put(&o, "\n");
	return (int)o.len;
}

/* ---- reading ---- */

struct word {
	const char *s;		/* not NUL-terminated */
	size_t len;
	unsigned int col;
};

struct line_ctx {
	unsigned int line;
	struct ct_file_error *err;
	struct sfw_ct_record *r;
	int l3;			/* from the first address: AF_INET or AF_INET6 */
	uint64_t seen;		/* keys given, by index in keys[] */
};

static int fail(struct line_ctx *c, unsigned int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct line_ctx *c, unsigned int col, const char *fmt, ...)
{
	va_list ap;

	c->err->line = c->line;
	c->err->col = col;
	va_start(ap, fmt);
	vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* Split @v on commas into exactly @n numbers up to @max each. */
static bool numbers(const struct word *v, unsigned int n, uint64_t max, uint64_t *out)
{
	const char *p = v->s, *end = v->s + v->len;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		const char *stop = c ? c : end;

		if ((i + 1 < n) != (c != NULL))
			return false;
		if (!lex_parse_num(p, (size_t)(stop - p), max, &out[i]))
			return false;
		p = stop + 1;
	}
	return true;
}

static bool flags(const struct word *v, const char *const *names, unsigned int n, uint32_t *out)
{
	const char *p = v->s, *end = v->s + v->len;
	unsigned int i;

	*out = 0;
	if (v->len == 1 && v->s[0] == '-')
		return true;
	while (p < end) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		size_t l = (size_t)((c ? c : end) - p);

		for (i = 0; i < n; i++)
			if (names[i] && strlen(names[i]) == l && !memcmp(names[i], p, l))
				break;
		if (i == n || (*out & (1U << i)))
			return false;
		*out |= 1U << i;
		if (!c)
			break;
		p = c + 1;
		if (p == end)
			return false;	/* a trailing comma */
	}
	return true;
}

static int addr(struct line_ctx *c, const struct word *w, const struct word *v,
		union sfw_addr *a)
{
	char s[INET6_ADDRSTRLEN + 1];
	int l3;

	if (v->len >= sizeof(s))
		return fail(c, v->col, "not an address: '%.*s'", (int)v->len, v->s);
	memcpy(s, v->s, v->len);
	s[v->len] = 0;
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->ip) == 1)
		l3 = SFW_AF_INET;
	else if (inet_pton(AF_INET6, s, a->ip6) == 1)
		l3 = SFW_AF_INET6;
	else
		return fail(c, v->col, "not an address: '%s'", s);
	if (c->l3 && c->l3 != l3)
		return fail(c, w->col, "%.*s is %s in an %s connection", (int)w->len, w->s,
			    l3 == SFW_AF_INET ? "IPv4" : "IPv6",
			    c->l3 == SFW_AF_INET ? "IPv4" : "IPv6");
	c->l3 = l3;
	return 0;
}

static int device(struct line_ctx *c, const struct word *v, char *out)
{
	size_t i;

	if (!v->len || v->len >= SFW_CT_DEV_LEN)
		return fail(c, v->col, "a device name is 1 to %d bytes: '%.*s'",
			    SFW_CT_DEV_LEN - 1, (int)v->len, v->s);
	for (i = 0; i < v->len; i++)
		if (v->s[i] == '/' || v->s[i] == ':' || (unsigned char)v->s[i] <= ' ')
			return fail(c, v->col, "not a device name: '%.*s'", (int)v->len, v->s);
	memcpy(out, v->s, v->len);
	out[v->len] = 0;
	return 0;
}

enum key {
	K_SRC, K_DST, K_SPORT, K_DPORT, K_TYPE, K_CODE, K_ID,
	K_RSRC, K_RDST, K_RSPORT, K_RDPORT, K_RTYPE, K_RCODE, K_RID,
	K_TIMEOUT, K_AGE, K_STATUS, K_PACKETS, K_BYTES,
	K_STATE, K_TCP_FLAGS, K_RETRANS, K_WIN_ORIG, K_WIN_REPLY,
	K_MASQ, K_IN, K_LOCAL, K_COUNT
};

static const char *const keys[K_COUNT] = {
	"src", "dst", "sport", "dport", "type", "code", "id",
	"reply-src", "reply-dst", "reply-sport", "reply-dport", "reply-type", "reply-code",
	"reply-id", "timeout", "age", "status", "packets", "bytes",
	"state", "tcp-flags", "retrans", "win-orig", "win-reply",
	"masq", "in", "local",
};

#define HAS(k)	(c->seen & (1ULL << (k)))

static int tcp_state(struct line_ctx *c, const struct word *v)
{
	unsigned int i;

	for (i = 0; i <= SFW_CT_TCP_MAX; i++)
		if (strlen(sfw_tcp_state_names[i]) == v->len &&
		    !strncasecmp(sfw_tcp_state_names[i], v->s, v->len)) {
			c->r->tcp_state = (uint8_t)i;
			return 0;
		}
	return fail(c, v->col, "no such TCP state: '%.*s'", (int)v->len, v->s);
}

/* One key=value word (or the bare word local). */
static int key_value(struct line_ctx *c, const struct word *w)
{
	struct sfw_ct_record *r = c->r;
	const char *eq = memchr(w->s, '=', w->len);
	struct word k = { w->s, eq ? (size_t)(eq - w->s) : w->len, w->col };
	struct word v = { eq ? eq + 1 : NULL, eq ? w->len - k.len - 1 : 0,
			  w->col + (unsigned int)k.len + 1 };
	struct sfw_tuple *t;
	uint64_t n[5];
	uint32_t f;
	int i;

	for (i = 0; i < K_COUNT; i++)
		if (strlen(keys[i]) == k.len && !memcmp(keys[i], k.s, k.len))
			break;
	if (i == K_COUNT)
		return fail(c, w->col, "unknown word '%.*s'", (int)k.len, k.s);
	if (HAS(i))
		return fail(c, w->col, "%s given twice", keys[i]);
	c->seen |= 1ULL << i;
	if (i == K_LOCAL) {
		if (eq)
			return fail(c, w->col, "local takes no value");
		r->local = true;
		return 0;
	}
	if (!eq || !v.len)
		return fail(c, w->col, "%s needs a value (%s=...)", keys[i], keys[i]);
	t = i >= K_RSRC && i <= K_RID ? &r->reply : &r->orig;
	switch (i) {
	case K_SRC:
	case K_RSRC:
		return addr(c, &k, &v, &t->src);
	case K_DST:
	case K_RDST:
		return addr(c, &k, &v, &t->dst);
	case K_SPORT:
	case K_RSPORT:
	case K_DPORT:
	case K_RDPORT:
	case K_ID:
	case K_RID:
		if (!lex_parse_num(v.s, v.len, 65535, n))
			return fail(c, v.col, "%s is a number from 0 to 65535", keys[i]);
		if (i == K_DPORT || i == K_RDPORT)
			t->dport = htons((uint16_t)n[0]);
		else
			t->sport = htons((uint16_t)n[0]);
		return 0;
	case K_TYPE:
	case K_RTYPE:
	case K_CODE:
	case K_RCODE:
		if (!lex_parse_num(v.s, v.len, 255, n))
			return fail(c, v.col, "%s is a number from 0 to 255", keys[i]);
		if (i == K_TYPE || i == K_RTYPE)
			t->dport = htons((uint16_t)((ntohs(t->dport) & 0xff) | n[0] << 8));
		else
			t->dport = htons((uint16_t)((ntohs(t->dport) & 0xff00) | n[0]));
		return 0;
	case K_TIMEOUT:
		if (!lex_parse_num(v.s, v.len, UINT32_MAX, n) || !n[0])
			return fail(c, v.col, "timeout is seconds, 1 or more");
		r->timeout = (uint32_t)n[0];
		return 0;
	case K_AGE:
		if (!lex_parse_num(v.s, v.len, UINT32_MAX, n))
			return fail(c, v.col, "age is seconds");
		r->age = (uint32_t)n[0];
		return 0;
	case K_STATUS:
		if (!flags(&v, status_names, 3, &f))
			return fail(c, v.col, "status is - or seen_reply, assured (comma-separated)");
		r->status = f;
		return 0;
	case K_PACKETS:
	case K_BYTES:
		if (!numbers(&v, 2, UINT64_MAX, n))
			return fail(c, v.col, "%s is two numbers, ORIGINAL,REPLY", keys[i]);
		memcpy(i == K_PACKETS ? r->packets : r->bytes, n, 2 * sizeof(n[0]));
		return 0;
	case K_STATE:
		return tcp_state(c, &v);
	case K_TCP_FLAGS:
		if (!flags(&v, tcp_flag_names, 3, &f))
			return fail(c, v.col, "tcp-flags is - or pickup, simopen, liberal (comma-separated)");
		r->tcp_flags = (uint8_t)f;
		return 0;
	case K_RETRANS:
		if (!lex_parse_num(v.s, v.len, SFW_TCP_RETRANS_MAX, n))
			return fail(c, v.col, "retrans is a number from 0 to %d", SFW_TCP_RETRANS_MAX);
		r->tcp_retrans = (uint8_t)n[0];
		return 0;
	case K_WIN_ORIG:
	case K_WIN_REPLY: {
		struct sfw_ct_record_dir *d = &r->win[i == K_WIN_REPLY];

		if (!numbers(&v, 5, UINT32_MAX, n) || n[3] > SFW_TCP_MAX_WSCALE ||
		    n[4] > SFW_CT_TCPD_ALL)
			return fail(c, v.col, "%s is END,MAXEND,MAXWIN,WSCALE (0-14),FLAGS (0-%d)",
				    keys[i], SFW_CT_TCPD_ALL);
		d->end = (uint32_t)n[0];
		d->maxend = (uint32_t)n[1];
		d->maxwin = (uint32_t)n[2];
		d->wscale = (uint8_t)n[3];
		d->flags = (uint8_t)n[4];
		return 0;
	}
	case K_MASQ:
		return device(c, &v, r->masq_dev);
	case K_IN:
		return device(c, &v, r->in_dev);
	}
	return fail(c, w->col, "unknown word '%.*s'", (int)k.len, k.s);
}

/* Which keys each kind of connection needs, and which it may not have. */
static int keys_check(struct line_ctx *c, unsigned int col)
{
	const struct sfw_tuple *t = &c->r->orig;
	uint64_t need = 1ULL << K_SRC | 1ULL << K_DST | 1ULL << K_RSRC | 1ULL << K_RDST |
			1ULL << K_TIMEOUT;
	uint64_t pkeys = 1ULL << K_SPORT | 1ULL << K_DPORT | 1ULL << K_RSPORT | 1ULL << K_RDPORT;
	uint64_t ikeys = 1ULL << K_TYPE | 1ULL << K_CODE | 1ULL << K_ID |
			 1ULL << K_RTYPE | 1ULL << K_RCODE | 1ULL << K_RID;
	uint64_t tkeys = 1ULL << K_STATE | 1ULL << K_WIN_ORIG | 1ULL << K_WIN_REPLY;
	uint64_t allow = need | 1ULL << K_AGE | 1ULL << K_STATUS | 1ULL << K_PACKETS |
			 1ULL << K_BYTES | 1ULL << K_MASQ | 1ULL << K_IN | 1ULL << K_LOCAL;
	unsigned int i;

	if (ports(t))
		need |= pkeys;
	if (icmp(t))
		need |= ikeys;
	if (t->l4proto == SFW_IPPROTO_TCP) {
		need |= tkeys;
		allow |= 1ULL << K_TCP_FLAGS | 1ULL << K_RETRANS;
	}
	allow |= need;
	for (i = 0; i < K_COUNT; i++) {
		if ((need & (1ULL << i)) && !HAS(i))
			return fail(c, col, "%s connection without %s=",
				    sfw_l4proto_name(t->l4proto), keys[i]);
		if (!(allow & (1ULL << i)) && HAS(i))
			return fail(c, col, "%s= on a %s connection", keys[i],
				    sfw_l4proto_name(t->l4proto));
	}
	return 0;
}

static unsigned int split(const char *s, size_t len, struct word *w, unsigned int max)
{
	unsigned int n = 0;
	size_t i = 0;

	while (i < len) {
		size_t start;

		while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
			i++;
		if (i == len || s[i] == '#')
			break;
		start = i;
		while (i < len && s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			i++;
		if (n == max)
			return max + 1;
		w[n].s = s + start;
		w[n].len = i - start;
		w[n].col = (unsigned int)start + 1;
		n++;
	}
	return n;
}

static int parse_line(struct line_ctx *c, const struct word *w, unsigned int n)
{
	struct sfw_ct_record *r = c->r;
	const char *why;
	uint64_t p;
	unsigned int i;

	memset(r, 0, sizeof(*r));
	if ((w[0].len == 3 && !memcmp(w[0].s, "tcp", 3)))
		p = SFW_IPPROTO_TCP;
	else if (w[0].len == 3 && !memcmp(w[0].s, "udp", 3))
		p = SFW_IPPROTO_UDP;
	else if (w[0].len == 4 && !memcmp(w[0].s, "icmp", 4))
		p = SFW_IPPROTO_ICMP;
	else if (w[0].len == 6 && !memcmp(w[0].s, "icmpv6", 6))
		p = SFW_IPPROTO_ICMPV6;
	else if (!lex_parse_num(w[0].s, w[0].len, 255, &p) || !p)
		return fail(c, w[0].col, "a connection starts with its protocol (tcp, udp, icmp, icmpv6 or 1-255): '%.*s'",
			    (int)w[0].len, w[0].s);
	r->orig.l4proto = (uint8_t)p;
	r->reply.l4proto = (uint8_t)p;
	for (i = 1; i < n; i++)
		if (key_value(c, &w[i]))
			return -1;
	r->orig.l3num = (uint8_t)c->l3;
	r->reply.l3num = (uint8_t)c->l3;
	if (keys_check(c, w[0].col))
		return -1;
	why = sfw_ct_record_check(r);
	if (why)
		return fail(c, 0, "%s", why);
	return 0;
}

int ct_file_parse(const char *text, size_t len, struct sfw_ct_record **recs,
		  unsigned int **lines, size_t *n, struct ct_file_error *err)
{
	struct sfw_ct_record *out = NULL;
	unsigned int *at = NULL;
	size_t cap = 0, count = 0, pos = 0;
	struct word w[LINE_MAX_WORDS];
	struct line_ctx c = { .err = err };
	bool header = false;

	memset(err, 0, sizeof(*err));
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;
		unsigned int nw;

		c.line++;
		if (memchr(text + pos, 0, l)) {
			fail(&c, 0, "a NUL byte: this is not a save file");
			goto err;
		}
		nw = split(text + pos, l, w, LINE_MAX_WORDS);
		pos += l + (nl ? 1 : 0);
		if (!nw)
			continue;
		if (nw > LINE_MAX_WORDS) {
			fail(&c, 0, "more than %d words", LINE_MAX_WORDS);
			goto err;
		}
		if (!header) {
			uint64_t v;

			if (nw != 2 || w[0].len != strlen(CT_FILE_MAGIC) ||
			    memcmp(w[0].s, CT_FILE_MAGIC, w[0].len)) {
				fail(&c, w[0].col, "not an sfw save: it begins with '%s %d'",
				     CT_FILE_MAGIC, CT_FILE_VERSION);
				goto err;
			}
			if (!lex_parse_num(w[1].s, w[1].len, UINT32_MAX, &v) || v != CT_FILE_VERSION) {
				fail(&c, w[1].col, "format version '%.*s'; this sfwctl reads version %d",
				     (int)w[1].len, w[1].s, CT_FILE_VERSION);
				goto err;
			}
			header = true;
			continue;
		}
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			void *p1 = realloc(out, ncap * sizeof(*out));

			if (!p1) {
				fail(&c, 0, "out of memory");
				goto err;
			}
			out = p1;
			p1 = realloc(at, ncap * sizeof(*at));
			if (!p1) {
				fail(&c, 0, "out of memory");
				goto err;
			}
			at = p1;
			cap = ncap;
		}
		c.r = &out[count];
		c.l3 = 0;
		c.seen = 0;
		if (parse_line(&c, w, nw))
			goto err;
		at[count++] = c.line;
	}
	if (!header) {
		fail(&c, 0, "not an sfw save: no '%s %d' line", CT_FILE_MAGIC, CT_FILE_VERSION);
		goto err;
	}
	*recs = out;
	*lines = at;
	*n = count;
	return 0;

err:
	free(out);
	free(at);
	return -1;
}
