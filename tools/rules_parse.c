// SPDX-License-Identifier: GPL-2.0
/*
 * rules_parse.c - the rule file parser; see rules_parse.h and the grammar
 * in sfwctl(8).
 *
 * A hand-written lexer over the whole buffer (sets may span lines inside
 * braces) with one token of push-back, and a recursive-descent parser
 * that builds a struct rules_file as it goes. A rule is assembled in a
 * local struct and appended only once it is complete. The first error is
 * recorded with its position and the offending word, every later step
 * returns at once, and the caller frees the partial file: nothing
 * half-built ever leaves sfw_rules_parse(). Set references are checked
 * at the end, so a set may be defined after the rules that use it.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <ctype.h>
#include <inttypes.h>
#include <arpa/inet.h>
#include "rules_parse.h"

const char *const sfw_rules_ctstate_names[SFW_CT_COUNT] = {
	[SFW_CT_NEW] = "new",
	[SFW_CT_ESTABLISHED] = "established",
	[SFW_CT_RELATED] = "related",
	[SFW_CT_INVALID] = "invalid",
	[SFW_CT_UNTRACKED] = "untracked",
};

/* nft's names (nft describe icmp_type), so that rules read the same. */
const struct sfw_rules_name sfw_rules_icmp_types[] = {
	{ "echo-reply", 0 },
	{ "destination-unreachable", 3 },
	{ "source-quench", 4 },
	{ "redirect", 5 },
	{ "echo-request", 8 },
	{ "router-advertisement", 9 },
	{ "router-solicitation", 10 },
	{ "time-exceeded", 11 },
	{ "parameter-problem", 12 },
	{ "timestamp-request", 13 },
	{ "timestamp-reply", 14 },
	{ "info-request", 15 },
	{ "info-reply", 16 },
	{ "address-mask-request", 17 },
	{ "address-mask-reply", 18 },
	{ NULL, 0 }
};

const struct sfw_rules_name sfw_rules_icmpv6_types[] = {
	{ "destination-unreachable", 1 },
	{ "packet-too-big", 2 },
	{ "time-exceeded", 3 },
	{ "parameter-problem", 4 },
	{ "echo-request", 128 },
	{ "echo-reply", 129 },
	{ "mld-listener-query", 130 },
	{ "mld-listener-report", 131 },
	{ "mld-listener-done", 132 },
	{ "nd-router-solicit", 133 },
	{ "nd-router-advert", 134 },
	{ "nd-neighbor-solicit", 135 },
	{ "nd-neighbor-advert", 136 },
	{ "nd-redirect", 137 },
	{ "router-renumbering", 138 },
	{ "ind-neighbor-solicit", 141 },
	{ "ind-neighbor-advert", 142 },
	{ "mld2-listener-report", 143 },
	{ NULL, 0 }
};

const struct sfw_rules_name sfw_rules_protos[] = {
	{ "icmp", SFW_IPPROTO_ICMP },
	{ "tcp", SFW_IPPROTO_TCP },
	{ "udp", SFW_IPPROTO_UDP },
	{ "icmpv6", SFW_IPPROTO_ICMPV6 },
	{ NULL, 0 }
};

const char *sfw_rules_name_of(const struct sfw_rules_name *tab, unsigned int val)
{
	for (; tab->name; tab++)
		if (tab->val == val)
			return tab->name;
	return NULL;
}

enum tok_type { T_EOF, T_EOL, T_WORD, T_STRING, T_LBRACE, T_RBRACE, T_COMMA };

struct tok {
	enum tok_type type;
	const char *s;		/* the text in the buffer (a string's, quotes included) */
	size_t len;
	u32 line, col;
};

struct set_ref {
	char name[SFW_SET_NAME_LEN];
	u32 line, col;
};

struct parser {
	const char *fname, *buf;
	size_t len, pos, line_start;
	u32 line;
	struct tok tok, last;	/* the current token; the one before it */
	bool pushed;		/* tok is to be returned again */
	struct sfw_ruleset_builder *b;	/* scratch: checks NAT rules as they come */
	bool failed;
	char *err;
	struct rules_file *rf;
	struct set_ref *refs;
	u32 nrefs, cap_refs;
	char str[SFW_RULES_LINE_MAX + 1];	/* the current string token, unescaped */
};

/* Append @word to @out for a message: quoted, escaped, cut at 48 bytes. */
static void quote_word(char *out, size_t size, const char *s, size_t len)
{
	size_t o = 0, i;

	out[o++] = '\'';
	for (i = 0; i < len && o < size - 8; i++) {
		unsigned char c = s[i];

		if (i == 48) {
			o += snprintf(out + o, size - o, "...");
			break;
		}
		if (c >= 0x20 && c < 0x7f)
			out[o++] = c;
		else
			o += snprintf(out + o, size - o, "\\x%02x", c);
	}
	out[o++] = '\'';
	out[o] = 0;
}

/* Record the first error: "FILE:LINE:COL: message 'word'"; always -1. */
static int __attribute__((format(printf, 3, 4)))
fail(struct parser *p, const struct tok *t, const char *fmt, ...)
{
	char msg[256], word[128];
	va_list ap;

	if (p->failed)
		return -1;
	p->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	quote_word(word, sizeof(word), t->s, t->len);
	snprintf(p->err, SFW_RULES_ERR_LEN, "%s:%u:%u: %s %s", p->fname, t->line, t->col, msg,
		 word);
	return -1;
}

static int nomem(struct parser *p)
{
	if (!p->failed)
		snprintf(p->err, SFW_RULES_ERR_LEN, "%s: out of memory", p->fname);
	p->failed = true;
	return -1;
}

static bool is_word_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '.' || c == ':' || c == '/' || c == '@' ||
	       c == '-' || c == '[' || c == ']';
}

/* At the start of a line: refuse it if it is too long, before reading it. */
static int start_line(struct parser *p)
{
	const char *nl = memchr(p->buf + p->pos, '\n', p->len - p->pos);
	size_t n = (nl ? (size_t)(nl - p->buf) : p->len) - p->pos;
	struct tok t;

	p->line_start = p->pos;
	if (n <= SFW_RULES_LINE_MAX)
		return 0;
	t = (struct tok){ T_WORD, p->buf + p->pos + SFW_RULES_LINE_MAX, 16, p->line,
			  SFW_RULES_LINE_MAX + 1 };
	if (t.len > n - SFW_RULES_LINE_MAX)
		t.len = n - SFW_RULES_LINE_MAX;
	return fail(p, &t, "line longer than %u characters at", SFW_RULES_LINE_MAX);
}

static int lex_string(struct parser *p, struct tok *t)
{
	size_t o = 0;

	p->pos++;
	for (;;) {
		unsigned char c;

		if (p->pos >= p->len || p->buf[p->pos] == '\n') {
			t->len = p->pos - (t->s - p->buf);
			return fail(p, t, "unterminated string");
		}
		c = p->buf[p->pos++];
		if (c == '"')
			break;
		if (c == '\\') {
			if (p->pos >= p->len || (p->buf[p->pos] != '"' && p->buf[p->pos] != '\\')) {
				struct tok e = { T_STRING, p->buf + p->pos - 1,
						 p->pos < p->len ? 2 : 1, p->line,
						 (u32)(p->pos - p->line_start) };

				return fail(p, &e, "bad escape (only \\\" and \\\\) in string at");
			}
			c = p->buf[p->pos++];
		}
		p->str[o++] = c;	/* o < line length <= SFW_RULES_LINE_MAX */
	}
	p->str[o] = 0;
	t->type = T_STRING;
	t->len = p->pos - (t->s - p->buf);
	return 0;
}

/* The next token into p->tok; -1 on a lexical error. */
static int next(struct parser *p)
{
	struct tok *t = &p->tok;
	unsigned char c;

	if (p->failed)
		return -1;
	if (p->pushed) {
		p->pushed = false;
		return 0;
	}
	p->last = *t;
	while (p->pos < p->len) {
		c = p->buf[p->pos];
		if (c == ' ' || c == '\t' || c == '\r') {
			p->pos++;
		} else if (c == '#') {
			const char *nl = memchr(p->buf + p->pos, '\n', p->len - p->pos);

			p->pos = nl ? (size_t)(nl - p->buf) : p->len;
		} else {
			break;
		}
	}
	*t = (struct tok){ T_EOF, p->buf + p->pos, 0, p->line,
			   (u32)(p->pos - p->line_start + 1) };
	if (p->pos >= p->len)
		return 0;
	c = p->buf[p->pos];
	t->len = 1;
	switch (c) {
	case '\n':
		t->type = T_EOL;
		p->pos++;
		p->line++;
		return start_line(p);
	case ';':
		t->type = T_EOL;
		p->pos++;
		return 0;
	case '{':
		t->type = T_LBRACE;
		p->pos++;
		return 0;
	case '}':
		t->type = T_RBRACE;
		p->pos++;
		return 0;
	case ',':
		t->type = T_COMMA;
		p->pos++;
		return 0;
	case '"':
		return lex_string(p, t);
	}
	if (!is_word_char(c))
		return fail(p, t, "unexpected character");
	while (p->pos < p->len && is_word_char(p->buf[p->pos]))
		p->pos++;
	t->type = T_WORD;
	t->len = p->pos - (t->s - p->buf);
	return 0;
}

static void unget(struct parser *p)
{
	p->pushed = true;
}

/* The next token, skipping ends of lines (inside braces). */
static int next_in_braces(struct parser *p)
{
	do {
		if (next(p))
			return -1;
	} while (p->tok.type == T_EOL);
	return 0;
}

/*
 * A braced list, p->tok at its '{': "{ a, b, c }", a trailing comma and
 * line breaks allowed. Each element goes to @elem with p->tok at it.
 */
static int braced_list(struct parser *p, int (*elem)(struct parser *p, void *arg), void *arg)
{
	struct tok brace = p->tok;

	for (;;) {
		if (next_in_braces(p))
			return -1;
		if (p->tok.type == T_EOF)
			return fail(p, &brace, "unterminated");
		if (p->tok.type == T_RBRACE)
			return 0;
		if (elem(p, arg))
			return -1;
		if (next_in_braces(p))
			return -1;
		if (p->tok.type == T_RBRACE)
			return 0;
		if (p->tok.type == T_EOF)
			return fail(p, &brace, "unterminated");
		if (p->tok.type != T_COMMA)
			return fail(p, &p->tok, "expected ',' or '}', not");
	}
}

static bool is(const struct tok *t, const char *word)
{
	return t->type == T_WORD && t->len == strlen(word) && !memcmp(t->s, word, t->len);
}

static bool at_end(const struct tok *t)
{
	return t->type == T_EOL || t->type == T_EOF;
}

/* The value after @kw into p->tok: "missing value" if the line ends. */
static int value(struct parser *p, const struct tok *kw)
{
	struct tok k = *kw;

	if (next(p))
		return -1;
	if (at_end(&p->tok))
		return fail(p, &k, "missing value after");
	return 0;
}

/* A decimal number up to @max. */
static bool parse_num(const char *s, size_t len, u64 max, u64 *out)
{
	u64 v = 0;
	size_t i;

	if (!len || len > 20)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (max - (s[i] - '0')) / 10)
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static bool tok_num(const struct tok *t, u64 max, u64 *out)
{
	return t->type == T_WORD && parse_num(t->s, t->len, max, out);
}

/* ADDR[/LEN] of family @fam (0: either) into @pf, normalized. */
static int parse_prefix(struct parser *p, const struct tok *t, u8 fam, struct sfw_prefix *pf)
{
	const char *slash;
	char addr[64];
	size_t alen;
	u64 len;

	memset(pf, 0, sizeof(*pf));
	if (t->type != T_WORD)
		return fail(p, t, "bad address");
	slash = memchr(t->s, '/', t->len);
	alen = slash ? (size_t)(slash - t->s) : t->len;
	if (alen >= sizeof(addr))
		return fail(p, t, "bad address");
	memcpy(addr, t->s, alen);
	addr[alen] = 0;
	if (memchr(addr, ':', alen)) {
		if (inet_pton(AF_INET6, addr, &pf->addr) != 1)
			return fail(p, t, "bad IPv6 address");
		pf->l3num = SFW_AF_INET6;
		pf->len = 128;
	} else {
		if (inet_pton(AF_INET, addr, &pf->addr) != 1)
			return fail(p, t, "bad IPv4 address");
		pf->l3num = SFW_AF_INET;
		pf->len = 32;
	}
	if (fam && fam != pf->l3num)
		return fail(p, t, "%s address after %s:",
			    pf->l3num == SFW_AF_INET ? "IPv4" : "IPv6",
			    fam == SFW_AF_INET ? "ip" : "ip6");
	if (slash) {
		if (!parse_num(slash + 1, t->len - alen - 1, pf->len, &len))
			return fail(p, t, "bad prefix length");
		pf->len = len;
	}
	sfw_prefix_normalize(pf);
	return 0;
}

static bool set_name_ok(const char *s, size_t len)
{
	size_t i;

	if (!len || len >= SFW_SET_NAME_LEN || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (i = 1; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

static struct rules_set *file_find_set(struct rules_file *rf, const char *name, size_t len)
{
	u32 i;

	for (i = 0; i < rf->nsets; i++)
		if (strlen(rf->sets[i].name) == len && !memcmp(rf->sets[i].name, name, len))
			return &rf->sets[i];
	return NULL;
}

/* Grow @*arr of @size-byte items to hold @want; 0 or -1. */
static int grow_array(void **arr, u32 *cap, u32 want, size_t size)
{
	u32 ncap = *cap ? *cap : 8;
	void *n;

	if (want <= *cap)
		return 0;
	while (ncap < want)
		ncap *= 2;
	n = realloc(*arr, (size_t)ncap * size);
	if (!n)
		return -1;
	*arr = n;
	*cap = ncap;
	return 0;
}

/* The rule being read, before it joins its chain. */
struct rule_ctx {
	struct rules_rule rr;
	struct sfw_port_range ports[2][SFW_PORT_RANGES_MAX];	/* sport, dport */
	u16 nports[2];
	int side;		/* the port list being read: 0 sport, 1 dport */
	bool have_action, have_counter;
	struct tok action;
	struct sfw_nat_range nat[SFW_NAT_TARGETS_MAX];
};

static const char *fam_name(u8 fam)
{
	return fam == SFW_AF_INET ? "ip" : "ip6";
}

static int set_family(struct parser *p, struct rule_ctx *c, u8 fam, const struct tok *kw)
{
	if (c->rr.r.family && c->rr.r.family != fam)
		return fail(p, kw, "conflicting families: %s, then", fam_name(c->rr.r.family));
	c->rr.r.family = fam;
	return 0;
}

static int set_proto(struct parser *p, struct rule_ctx *c, u8 proto, const struct tok *kw)
{
	if (c->rr.r.l4proto && c->rr.r.l4proto != proto) {
		const char *n = sfw_rules_name_of(sfw_rules_protos, c->rr.r.l4proto);

		if (n)
			return fail(p, kw, "conflicting protocols: %s, then", n);
		return fail(p, kw, "conflicting protocols: %u, then", c->rr.r.l4proto);
	}
	c->rr.r.l4proto = proto;
	return 0;
}

/* (ip|ip6|inet) (saddr|daddr) (ADDR[/LEN] | @SET) */
static int match_addr(struct parser *p, struct rule_ctx *c, const struct tok *kw)
{
	u8 fam = is(kw, "ip") ? SFW_AF_INET : is(kw, "ip6") ? SFW_AF_INET6 : 0;
	struct tok side;
	struct sfw_prefix *pf;
	char *set;

	if (value(p, kw))
		return -1;
	side = p->tok;
	if (!is(&side, "saddr") && !is(&side, "daddr"))
		return fail(p, &side, "expected saddr or daddr, not");
	pf = is(&side, "saddr") ? &c->rr.r.saddr : &c->rr.r.daddr;
	set = is(&side, "saddr") ? c->rr.saddr_set : c->rr.daddr_set;
	if (pf->l3num || set[0])
		return fail(p, &side, "second match on");
	if (fam && set_family(p, c, fam, kw))
		return -1;
	if (value(p, &side))
		return -1;
	if (p->tok.type == T_WORD && p->tok.s[0] == '@') {
		struct set_ref *ref;

		if (!set_name_ok(p->tok.s + 1, p->tok.len - 1))
			return fail(p, &p->tok, "bad set name (a letter, then letters, digits, _ - .; at most %u)",
				    SFW_SET_NAME_LEN - 1);
		if (grow_array((void **)&p->refs, &p->cap_refs, p->nrefs + 1, sizeof(*p->refs)))
			return nomem(p);
		ref = &p->refs[p->nrefs++];
		memset(ref->name, 0, sizeof(ref->name));
		memcpy(ref->name, p->tok.s + 1, p->tok.len - 1);
		ref->line = p->tok.line;
		ref->col = p->tok.col;
		memcpy(set, ref->name, sizeof(ref->name));
		return 0;
	}
	if (parse_prefix(p, &p->tok, fam, pf))
		return -1;
	return set_family(p, c, pf->l3num, kw);
}

/* PORT or LO-HI into @r. */
static int parse_port(struct parser *p, const struct tok *t, struct sfw_port_range *r)
{
	const char *dash;
	u64 lo, hi;

	if (t->type != T_WORD)
		return fail(p, t, "bad port");
	dash = memchr(t->s, '-', t->len);
	if (!dash) {
		if (!parse_num(t->s, t->len, 65535, &lo))
			return fail(p, t, "bad port");
		hi = lo;
	} else if (!parse_num(t->s, dash - t->s, 65535, &lo) ||
		   !parse_num(dash + 1, t->len - (dash - t->s) - 1, 65535, &hi)) {
		return fail(p, t, "bad port range");
	}
	if (lo > hi)
		return fail(p, t, "port range is backwards");
	r->lo = lo;
	r->hi = hi;
	return 0;
}

/* One port or range of a braced list, to side c->side. */
static int port_elem(struct parser *p, void *arg)
{
	struct rule_ctx *c = arg;
	int k = c->side;

	if (c->nports[k] >= SFW_PORT_RANGES_MAX)
		return fail(p, &p->tok, "more than %u ports in a list at", SFW_PORT_RANGES_MAX);
	return parse_port(p, &p->tok, &c->ports[k][c->nports[k]++]);
}

/* (tcp|udp) (sport|dport) (PORT | LO-HI | { PORT, ... }) */
static int match_ports(struct parser *p, struct rule_ctx *c, const struct tok *kw)
{
	struct tok side;
	int k;

	if (value(p, kw))
		return -1;
	side = p->tok;
	if (!is(&side, "sport") && !is(&side, "dport"))
		return fail(p, &side, "expected sport or dport, not");
	k = is(&side, "dport");
	if (c->nports[k])
		return fail(p, &side, "second match on");
	if (set_proto(p, c, is(kw, "tcp") ? SFW_IPPROTO_TCP : SFW_IPPROTO_UDP, kw))
		return -1;
	if (value(p, &side))
		return -1;
	if (p->tok.type != T_LBRACE) {
		c->nports[k] = 1;
		return parse_port(p, &p->tok, &c->ports[k][0]);
	}
	c->side = k;
	if (braced_list(p, port_elem, c))
		return -1;
	if (!c->nports[k])
		return fail(p, &p->tok, "empty port list at");
	return 0;
}

static int lookup_name(const struct sfw_rules_name *tab, const struct tok *t, u64 max, u64 *v)
{
	for (; tab->name; tab++) {
		if (is(t, tab->name)) {
			*v = tab->val;
			return 0;
		}
	}
	return tok_num(t, max, v) ? 0 : -1;
}

/* (icmp|icmpv6) type (NAME | NUMBER) */
static int match_icmp(struct parser *p, struct rule_ctx *c, const struct tok *kw)
{
	bool v6 = is(kw, "icmpv6");
	struct tok type;
	u64 v;

	if (value(p, kw))
		return -1;
	type = p->tok;
	if (!is(&type, "type"))
		return fail(p, &type, "expected type, not");
	if (c->rr.r.flags & SFW_RULE_F_ICMP_TYPE)
		return fail(p, &type, "second match on");
	if (set_family(p, c, v6 ? SFW_AF_INET6 : SFW_AF_INET, kw) ||
	    set_proto(p, c, v6 ? SFW_IPPROTO_ICMPV6 : SFW_IPPROTO_ICMP, kw) || value(p, &type))
		return -1;
	if (lookup_name(v6 ? sfw_rules_icmpv6_types : sfw_rules_icmp_types, &p->tok, 255, &v))
		return fail(p, &p->tok, "unknown %s type", v6 ? "icmpv6" : "icmp");
	c->rr.r.flags |= SFW_RULE_F_ICMP_TYPE;
	c->rr.r.icmp_type = v;
	return 0;
}

/* iif|oif|iifname|oifname (NAME | "NAME") */
static int match_iface(struct parser *p, struct rule_ctx *c, const struct tok *kw)
{
	bool in = is(kw, "iif") || is(kw, "iifname");
	char *dst = in ? c->rr.r.iif : c->rr.r.oif;
	const char *s;
	size_t len;

	if (dst[0])
		return fail(p, kw, "second match on");
	if (value(p, kw))
		return -1;
	if (p->tok.type == T_WORD) {
		s = p->tok.s;
		len = p->tok.len;
	} else if (p->tok.type == T_STRING) {
		s = p->str;
		len = strlen(p->str);
	} else {
		return fail(p, &p->tok, "bad interface name");
	}
	if (!len || len >= SFW_IFNAMSIZ || memchr(s, 0, len))
		return fail(p, &p->tok, "bad interface name (1 to %u characters)", SFW_IFNAMSIZ - 1);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == '/' || s[i] == ':' || s[i] == 0x7f)
			return fail(p, &p->tok,
				    "bad interface name (no spaces, '/', ':' or control characters)");
	memcpy(dst, s, len);
	return 0;
}

/* meta (l4proto PROTO | nfproto ipv4|ipv6 | iifname NAME | oifname NAME) */
static int match_meta(struct parser *p, struct rule_ctx *c, const struct tok *kw)
{
	struct tok key;
	u64 v;

	if (value(p, kw))
		return -1;
	key = p->tok;
	if (is(&key, "iifname") || is(&key, "oifname"))
		return match_iface(p, c, &key);
	if (is(&key, "nfproto")) {
		if (value(p, &key))
			return -1;
		if (!is(&p->tok, "ipv4") && !is(&p->tok, "ipv6"))
			return fail(p, &p->tok, "expected ipv4 or ipv6, not");
		return set_family(p, c, is(&p->tok, "ipv4") ? SFW_AF_INET : SFW_AF_INET6, &p->tok);
	}
	if (!is(&key, "l4proto"))
		return fail(p, &key, "unknown meta key (l4proto, nfproto, iifname, oifname)");
	if (value(p, &key))
		return -1;
	if (lookup_name(sfw_rules_protos, &p->tok, 255, &v) || !v)
		return fail(p, &p->tok, "unknown protocol");
	return set_proto(p, c, v, &p->tok);
}

/* ct helper set ftp | ct helper set "ftp" (nft's spelling) */
static int stmt_ct_helper(struct parser *p, struct rule_ctx *c, const struct tok *kw)
{
	struct tok k = *kw;

	if (c->rr.r.flags & SFW_RULE_F_HELPER_FTP)
		return fail(p, kw, "second ct");
	if (value(p, &k))
		return -1;
	if (!is(&p->tok, "set"))
		return fail(p, &p->tok, "expected set, not");
	k = p->tok;
	if (value(p, &k))
		return -1;
	if (!(p->tok.type == T_STRING ? !strcmp(p->str, "ftp") : is(&p->tok, "ftp")))
		return fail(p, &p->tok, "unknown ct helper (ftp), not");
	c->rr.r.flags |= SFW_RULE_F_HELPER_FTP;
	return 0;
}

/* ct state NAME[,NAME]... | ct state { NAME, ... } | ct helper set ftp */
static int match_ct(struct parser *p, struct rule_ctx *c, const struct tok *kw)
{
	struct tok state, brace = { 0 };
	bool braced;

	if (value(p, kw))
		return -1;
	state = p->tok;
	if (is(&state, "helper"))
		return stmt_ct_helper(p, c, &state);
	if (!is(&state, "state"))
		return fail(p, &state, "expected state or helper, not");
	if (c->rr.r.ctstate)
		return fail(p, &state, "second match on");
	if (value(p, &state))
		return -1;
	braced = p->tok.type == T_LBRACE;
	if (braced) {
		brace = p->tok;
		if (next_in_braces(p))
			return -1;
	}
	for (;;) {
		unsigned int i;

		if (braced && p->tok.type == T_EOF)
			return fail(p, &brace, "unterminated");
		for (i = 0; i < SFW_CT_COUNT; i++)
			if (is(&p->tok, sfw_rules_ctstate_names[i]))
				break;
		if (i == SFW_CT_COUNT)
			return fail(p, &p->tok,
				    "unknown ct state (new, established, related, invalid, untracked)");
		c->rr.r.ctstate |= 1U << i;
		if (braced ? next_in_braces(p) : next(p))
			return -1;
		if (braced && p->tok.type == T_RBRACE)
			return 0;
		if (braced && p->tok.type == T_EOF)
			return fail(p, &brace, "unterminated");
		if (p->tok.type != T_COMMA) {
			if (braced)
				return fail(p, &p->tok, "expected ',' or '}', not");
			unget(p);
			return 0;
		}
		if (braced ? next_in_braces(p) : value(p, &p->tok))
			return -1;
	}
}

/* counter [packets N bytes N]: accepted so that `ruleset show` loads; the numbers are dropped. */
static int opt_counter(struct parser *p, struct rule_ctx *c, const struct tok *kw)
{
	struct tok k;
	u64 v;

	if (c->have_counter)
		return fail(p, kw, "second");
	c->have_counter = true;
	if (next(p))
		return -1;
	if (!is(&p->tok, "packets")) {
		unget(p);
		return 0;
	}
	k = p->tok;
	if (value(p, &k))
		return -1;
	if (!tok_num(&p->tok, UINT64_MAX, &v))
		return fail(p, &p->tok, "bad number");
	k = p->tok;
	if (value(p, &k))
		return -1;
	if (!is(&p->tok, "bytes"))
		return fail(p, &p->tok, "expected bytes, not");
	k = p->tok;
	if (value(p, &k))
		return -1;
	if (!tok_num(&p->tok, UINT64_MAX, &v))
		return fail(p, &p->tok, "bad number");
	return 0;
}

/* log [prefix "TEXT"] */
static int opt_log(struct parser *p, struct rule_ctx *c, const struct tok *kw)
{
	struct tok k;
	const char *s;
	size_t len, i;

	if (c->rr.r.flags & SFW_RULE_F_LOG)
		return fail(p, kw, "second");
	c->rr.r.flags |= SFW_RULE_F_LOG;
	if (next(p))
		return -1;
	if (!is(&p->tok, "prefix")) {
		unget(p);
		return 0;
	}
	k = p->tok;
	if (value(p, &k))
		return -1;
	if (p->tok.type == T_STRING) {
		s = p->str;
		len = strlen(p->str);
	} else if (p->tok.type == T_WORD) {
		s = p->tok.s;
		len = p->tok.len;
	} else {
		return fail(p, &p->tok, "bad log prefix");
	}
	if (len >= SFW_LOG_PREFIX_LEN)
		return fail(p, &p->tok, "log prefix longer than %u characters", SFW_LOG_PREFIX_LEN - 1);
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return fail(p, &p->tok, "control character in log prefix");
	memcpy(c->rr.r.log_prefix, s, len);
	return 0;
}

static int add_rule(struct parser *p, enum sfw_chain ch, struct rule_ctx *c, const struct tok *first)
{
	struct rules_chain *chain = &p->rf->chain[ch];
	struct rules_rule *rr;

	if (chain->n >= SFW_RULES_MAX)
		return fail(p, first, "more than %u rules in chain %s at", SFW_RULES_MAX,
			    sfw_chain_names[ch]);
	if (grow_array((void **)&chain->rules, &chain->cap, chain->n + 1, sizeof(*rr)))
		return nomem(p);
	rr = &chain->rules[chain->n];
	*rr = c->rr;
	rr->r.nsport = c->nports[0];
	rr->r.ndport = c->nports[1];
	rr->r.saddr_set = rr->r.daddr_set = -1;
	rr->sports = rr->dports = NULL;
	if (c->nports[0]) {
		rr->sports = malloc(c->nports[0] * sizeof(*rr->sports));
		if (!rr->sports)
			return nomem(p);
		memcpy(rr->sports, c->ports[0], c->nports[0] * sizeof(*rr->sports));
	}
	if (c->nports[1]) {
		rr->dports = malloc(c->nports[1] * sizeof(*rr->dports));
		if (!rr->dports) {
			free(rr->sports);
			return nomem(p);
		}
		memcpy(rr->dports, c->ports[1], c->nports[1] * sizeof(*rr->dports));
	}
	rr->nat = NULL;
	if (rr->r.nnat) {
		rr->nat = malloc(rr->r.nnat * sizeof(*rr->nat));
		if (!rr->nat) {
			free(rr->sports);
			free(rr->dports);
			return nomem(p);
		}
		memcpy(rr->nat, c->nat, rr->r.nnat * sizeof(*rr->nat));
	}
	chain->n++;
	return 0;
}

static bool nat_action(u8 a)
{
	return a == SFW_ACT_SNAT || a == SFW_ACT_DNAT || a == SFW_ACT_MASQUERADE;
}

static bool nat_chain(enum sfw_chain ch)
{
	return ch == SFW_CHAIN_PREROUTING || ch == SFW_CHAIN_POSTROUTING;
}

/* PORT or LO-HI of a NAT target (1..65535). */
static int nat_ports(struct parser *p, const struct tok *t, const char *s, size_t len,
		     struct sfw_nat_range *n)
{
	const char *dash = memchr(s, '-', len);
	u64 lo, hi;

	if (!dash) {
		if (!parse_num(s, len, 65535, &lo))
			return fail(p, t, "bad port in");
		hi = lo;
	} else if (!parse_num(s, dash - s, 65535, &lo) ||
		   !parse_num(dash + 1, len - (dash - s) - 1, 65535, &hi)) {
		return fail(p, t, "bad port range in");
	}
	if (!lo)
		return fail(p, t, "port 0 in");
	if (lo > hi)
		return fail(p, t, "port range is backwards in");
	n->port_lo = lo;
	n->port_hi = hi;
	return 0;
}

/* One address of a target; @fam: the family so far (0: none yet). */
static int nat_addr(struct parser *p, const struct tok *t, const char *s, size_t len,
		    u8 *fam, union sfw_addr *a)
{
	char buf[64];
	u8 f;

	if (!len || len >= sizeof(buf))
		return fail(p, t, "bad address in");
	memcpy(buf, s, len);
	buf[len] = 0;
	memset(a, 0, sizeof(*a));
	f = memchr(buf, ':', len) ? SFW_AF_INET6 : SFW_AF_INET;
	if (inet_pton(f == SFW_AF_INET6 ? AF_INET6 : AF_INET, buf, a) != 1)
		return fail(p, t, "bad %s address in", f == SFW_AF_INET6 ? "IPv6" : "IPv4");
	if (*fam && *fam != f)
		return fail(p, t, "IPv4 and IPv6 mixed in");
	*fam = f;
	return 0;
}

/*
 * A target: ADDR[-ADDR][:PORTS], [IPV6[-IPV6]]:PORTS, a bare IPV6[-IPV6],
 * or :PORTS (masquerade). The brackets set an IPv6 address off its port.
 */
static int nat_target(struct parser *p, struct rule_ctx *c, const struct tok *t,
		      struct sfw_nat_range *n)
{
	const char *s = t->s, *end = t->s + t->len, *ports = NULL, *dash;
	const char *aend;
	u8 fam = 0;

	memset(n, 0, sizeof(*n));
	if (t->type != T_WORD)
		return fail(p, t, "bad NAT target");
	if (s[0] == '[') {
		const char *rb = memchr(s, ']', t->len);

		if (!rb)
			return fail(p, t, "missing ']' in");
		if (rb + 1 < end && rb[1] != ':')
			return fail(p, t, "expected ':' after ']' in");
		if (rb + 1 < end)
			ports = rb + 2;
		s++;
		aend = rb;
	} else if (memchr(s, '[', t->len) || memchr(s, ']', t->len)) {
		return fail(p, t, "bad NAT target");
	} else if (s[0] == ':') {
		ports = s + 1;
		aend = s;
	} else {
		const char *colon = memchr(s, ':', t->len);

		/* Two colons or more: a bare IPv6 address, no port. */
		if (colon && !memchr(colon + 1, ':', end - colon - 1))
			ports = colon + 1;
		aend = colon && ports ? colon : end;
	}
	if (ports && nat_ports(p, t, ports, end - ports, n))
		return -1;
	if (aend > s) {
		dash = memchr(s, '-', aend - s);
		if (nat_addr(p, t, s, (dash ? dash : aend) - s, &fam, &n->lo))
			return -1;
		n->hi = n->lo;
		if (dash && nat_addr(p, t, dash + 1, aend - dash - 1, &fam, &n->hi))
			return -1;
		if (memcmp(&n->lo, &n->hi, sizeof(n->lo)) > 0)
			return fail(p, t, "address range is backwards in");
		n->l3num = fam;
		/* The targets' family is the rule's, as the builder has it. */
		if ((c->rr.r.family && c->rr.r.family != fam) ||
		    (c->rr.r.saddr.l3num && c->rr.r.saddr.l3num != fam) ||
		    (c->rr.r.daddr.l3num && c->rr.r.daddr.l3num != fam))
			return fail(p, t, "%s target in a rule for %s:",
				    fam == SFW_AF_INET ? "IPv4" : "IPv6",
				    fam == SFW_AF_INET ? "IPv6" : "IPv4");
		c->rr.r.family = fam;
	} else if (!ports) {
		return fail(p, t, "bad NAT target");
	}
	/* Ports apply to TCP and UDP flows; a rule need not name one (nat.c). */
	if (n->port_lo && c->rr.r.l4proto && c->rr.r.l4proto != SFW_IPPROTO_TCP &&
	    c->rr.r.l4proto != SFW_IPPROTO_UDP)
		return fail(p, t, "ports in a rule for a protocol without ports:");
	return 0;
}

/* N, Ns, Nm or Nh: seconds. */
static int parse_duration(struct parser *p, const struct tok *t, u64 max, u32 *out)
{
	u64 v, mul = 1;
	size_t len = t->len;

	if (t->type == T_WORD && len > 1) {
		switch (t->s[len - 1]) {
		case 's':
			len--;
			break;
		case 'm':
			mul = 60;
			len--;
			break;
		case 'h':
			mul = 3600;
			len--;
			break;
		}
	}
	if (t->type != T_WORD || !parse_num(t->s, len, max, &v) || v * mul > max)
		return fail(p, t, "bad duration (N, Ns, Nm or Nh, at most %" PRIu64 "s)", max);
	*out = v * mul;
	return 0;
}

/* One target of a braced list. */
static int nat_elem(struct parser *p, void *arg)
{
	struct rule_ctx *c = arg;
	struct sfw_rule *r = &c->rr.r;

	if (r->nnat >= SFW_NAT_TARGETS_MAX)
		return fail(p, &p->tok, "more than %u targets at", SFW_NAT_TARGETS_MAX);
	if (nat_target(p, c, &p->tok, &c->nat[r->nnat]))
		return -1;
	r->nnat++;
	return 0;
}

/*
 * After snat/dnat/masquerade: [to TARGET | to { TARGET, ... }]
 * [lb (hash|rr)] [sticky timeout DURATION], up to the end of the line.
 */
static int nat_stmt(struct parser *p, struct rule_ctx *c)
{
	struct sfw_rule *r = &c->rr.r;
	struct tok k;

	if (next(p))
		return -1;
	if (is(&p->tok, "to")) {
		k = p->tok;
		if (value(p, &k))
			return -1;
		if (p->tok.type != T_LBRACE) {
			if (nat_target(p, c, &p->tok, &c->nat[0]))
				return -1;
			r->nnat = 1;
		} else {
			if (braced_list(p, nat_elem, c))
				return -1;
			if (!r->nnat)
				return fail(p, &p->tok, "empty target list at");
		}
		if (next(p))
			return -1;
	}
	if (is(&p->tok, "lb")) {
		k = p->tok;
		if (value(p, &k))
			return -1;
		if (is(&p->tok, "hash"))
			r->nat_lb = SFW_LB_HASH;
		else if (is(&p->tok, "rr"))
			r->nat_lb = SFW_LB_RR;
		else
			return fail(p, &p->tok, "lb is hash or rr, not");
		if (next(p))
			return -1;
	}
	if (is(&p->tok, "sticky")) {
		k = p->tok;
		if (value(p, &k))
			return -1;
		if (!is(&p->tok, "timeout"))
			return fail(p, &p->tok, "expected timeout, not");
		k = p->tok;
		if (value(p, &k) || parse_duration(p, &p->tok, 86400, &r->nat_sticky))
			return -1;
		if (next(p))
			return -1;
	}
	if (!at_end(&p->tok)) {
		if (is(&p->tok, "to") || is(&p->tok, "lb") || is(&p->tok, "sticky"))
			return fail(p, &p->tok, "%s: to, then lb, then sticky; found out of order",
				    sfw_action_names[r->action]);
		return fail(p, &p->tok, "the action must come last; found after it");
	}
	unget(p);
	return 0;
}

/* A NAT rule, or any rule of a NAT chain, as the builder will see it. */
static int check_nat(struct parser *p, enum sfw_chain ch, struct rule_ctx *c)
{
	struct rules_rule *rr = &c->rr;
	char berr[SFW_ERR_LEN] = "";
	int ret;

	if (!nat_chain(ch) && !nat_action(rr->r.action))
		return 0;
	if (!p->b) {
		p->b = sfw_ruleset_builder_new();
		if (!p->b)
			return nomem(p);
	}
	rr->r.nsport = c->nports[0];
	rr->r.ndport = c->nports[1];
	ret = sfw_ruleset_builder_rule(p->b, ch, &rr->r, c->ports[0], c->ports[1],
				       NULL, NULL, berr);
	if (!ret && nat_action(rr->r.action))
		ret = sfw_ruleset_builder_nat(p->b, ch, c->nat, rr->r.nnat, rr->r.nat_lb,
					      rr->r.nat_sticky, berr);
	if (ret == -ENOMEM)
		return nomem(p);
	if (ret)
		return fail(p, &c->action, "%s:", berr);
	return 0;
}

static const char *const action_words[SFW_ACT_COUNT] = {
	[SFW_ACT_ACCEPT] = "accept",
	[SFW_ACT_DROP] = "drop",
	[SFW_ACT_REJECT] = "reject",
	[SFW_ACT_SNAT] = "snat",
	[SFW_ACT_DNAT] = "dnat",
	[SFW_ACT_MASQUERADE] = "masquerade",
};

/* MATCH... [counter ...] [log ...] ACTION, starting at p->tok. */
static int parse_rule(struct parser *p, enum sfw_chain ch)
{
	struct rule_ctx *c = calloc(1, sizeof(*c));
	struct tok first = p->tok, kw;
	int ret = -1;

	if (!c)
		return nomem(p);
	c->rr.line = first.line;
	for (; !at_end(&p->tok); next(p)) {
		unsigned int a;

		if (p->failed)
			goto out;
		kw = p->tok;
		for (a = 0; a < SFW_ACT_COUNT; a++)
			if (is(&kw, action_words[a]))
				break;
		if (a < SFW_ACT_COUNT && c->have_action) {
			fail(p, &kw, "second action");
			goto out;
		}
		if (c->have_action) {
			fail(p, &kw, "the action must come last; found after it");
			goto out;
		}
		if (a < SFW_ACT_COUNT) {
			c->rr.r.action = a;
			c->have_action = true;
			c->action = kw;
			if (nat_action(a))
				nat_stmt(p, c);
		} else if (is(&kw, "ip") || is(&kw, "ip6") || is(&kw, "inet")) {
			match_addr(p, c, &kw);
		} else if (is(&kw, "tcp") || is(&kw, "udp")) {
			match_ports(p, c, &kw);
		} else if (is(&kw, "icmp") || is(&kw, "icmpv6")) {
			match_icmp(p, c, &kw);
		} else if (is(&kw, "iif") || is(&kw, "oif") || is(&kw, "iifname") ||
			   is(&kw, "oifname")) {
			match_iface(p, c, &kw);
		} else if (is(&kw, "meta")) {
			match_meta(p, c, &kw);
		} else if (is(&kw, "ct")) {
			match_ct(p, c, &kw);
		} else if (is(&kw, "counter")) {
			opt_counter(p, c, &kw);
		} else if (is(&kw, "log")) {
			opt_log(p, c, &kw);
		} else if (is(&kw, "sport") || is(&kw, "dport")) {
			fail(p, &kw, "ports need tcp or udp before");
		} else if (is(&kw, "chain") || is(&kw, "set")) {
			fail(p, &kw, "rule needs an action (%s) before",
			     nat_chain(ch) ? (ch == SFW_CHAIN_PREROUTING ? "accept, drop or dnat" :
					      "accept, drop, snat or masquerade") :
			     "accept, drop or reject");
		} else {
			fail(p, &kw, "unknown word");
		}
	}
	if (p->failed)
		goto out;
	if (!c->have_action) {
		fail(p, &p->last, "rule needs an action (%s) after",
		     nat_chain(ch) ? (ch == SFW_CHAIN_PREROUTING ? "accept, drop or dnat" :
				      "accept, drop, snat or masquerade") :
		     "accept, drop or reject");
		goto out;
	}
	if (check_nat(p, ch, c))
		goto out;
	if ((c->rr.r.flags & SFW_RULE_F_HELPER_FTP) &&
	    (c->rr.r.l4proto != SFW_IPPROTO_TCP || c->rr.r.action != SFW_ACT_ACCEPT ||
	     nat_chain(ch))) {
		fail(p, &c->action, "ct helper set ftp needs tcp and accept, in input, forward or output; at");
		goto out;
	}
	unget(p);	/* the end of line (or file) is the caller's */
	ret = add_rule(p, ch, c, &first);
out:
	free(c);
	return ret;
}

static int expect_end(struct parser *p)
{
	if (next(p))
		return -1;
	if (!at_end(&p->tok))
		return fail(p, &p->tok, "expected the end of the line, not");
	unget(p);
	return 0;
}

/* chain (input|forward|output) [policy (accept|drop)] | chain (prerouting|postrouting) [policy accept] */
static int parse_chain(struct parser *p, const struct tok *kw)
{
	struct rules_chain *chain;
	struct tok k;
	int ch;

	if (value(p, kw))
		return -1;
	for (ch = 0; ch < SFW_CHAIN_COUNT; ch++)
		if (is(&p->tok, sfw_chain_names[ch]))
			break;
	if (ch == SFW_CHAIN_COUNT)
		return fail(p, &p->tok,
			    "unknown chain (input, forward, output, prerouting, postrouting)");
	chain = &p->rf->chain[ch];
	if (chain->defined)
		return fail(p, &p->tok, "chain defined twice (first on line %u)", chain->line);
	chain->defined = true;
	chain->line = p->tok.line;
	chain->policy = SFW_ACT_ACCEPT;
	if (next(p))
		return -1;
	if (is(&p->tok, "policy")) {
		k = p->tok;
		if (value(p, &k))
			return -1;
		if (is(&p->tok, "accept"))
			chain->policy = SFW_ACT_ACCEPT;
		else if (nat_chain(ch))
			return fail(p, &p->tok, "the policy of chain %s must be accept, not",
				    sfw_chain_names[ch]);
		else if (is(&p->tok, "drop"))
			chain->policy = SFW_ACT_DROP;
		else
			return fail(p, &p->tok, "policy must be accept or drop, not");
	} else {
		unget(p);
	}
	if (expect_end(p))
		return -1;
	return ch;
}

/* One element of a set's list. */
static int set_elem(struct parser *p, void *arg)
{
	struct rules_set *s = arg;

	if (s->n >= SFW_RULES_SET_MAX)
		return fail(p, &p->tok, "more than %u elements in set %s at",
			    SFW_RULES_SET_MAX, s->name);
	if (grow_array((void **)&s->elems, &s->cap, s->n + 1, sizeof(*s->elems)))
		return nomem(p);
	if (parse_prefix(p, &p->tok, 0, &s->elems[s->n]))
		return -1;
	s->n++;
	return 0;
}

/* set NAME { [ADDR[/LEN] [, ADDR[/LEN]]... [,]] } */
static int parse_set(struct parser *p, const struct tok *kw)
{
	struct rules_file *rf = p->rf;
	struct rules_set *s, *other;

	if (value(p, kw))
		return -1;
	if (p->tok.type != T_WORD || !set_name_ok(p->tok.s, p->tok.len))
		return fail(p, &p->tok, "bad set name (a letter, then letters, digits, _ - .; at most %u)",
			    SFW_SET_NAME_LEN - 1);
	other = file_find_set(rf, p->tok.s, p->tok.len);
	if (other)
		return fail(p, &p->tok, "set defined twice (first on line %u)", other->line);
	if (rf->nsets >= SFW_SETS_MAX)
		return fail(p, &p->tok, "more than %u sets at", SFW_SETS_MAX);
	if (grow_array((void **)&rf->sets, &rf->cap_sets, rf->nsets + 1, sizeof(*s)))
		return nomem(p);
	s = &rf->sets[rf->nsets++];
	memset(s, 0, sizeof(*s));
	memcpy(s->name, p->tok.s, p->tok.len);
	s->line = p->tok.line;
	if (value(p, &p->tok))
		return -1;
	if (p->tok.type != T_LBRACE)
		return fail(p, &p->tok, "expected '{', not");
	if (braced_list(p, set_elem, s))
		return -1;
	return expect_end(p);
}

static int parse_all(struct parser *p)
{
	int cur = -1;	/* the chain rules go to; a set ends it */
	u32 i;

	if (start_line(p))
		return -1;
	for (;;) {
		struct tok kw;

		if (next(p))
			return -1;
		kw = p->tok;
		if (kw.type == T_EOF)
			break;
		if (kw.type == T_EOL)
			continue;
		if (is(&kw, "chain")) {
			cur = parse_chain(p, &kw);
			if (cur < 0)
				return -1;
		} else if (is(&kw, "set")) {
			cur = -1;
			if (parse_set(p, &kw))
				return -1;
		} else if (cur < 0) {
			return fail(p, &kw, "rule outside a chain (start one with `chain input`) at");
		} else if (parse_rule(p, cur)) {
			return -1;
		}
	}
	/* Sets may come after their use: check the references in file order. */
	for (i = 0; i < p->nrefs; i++) {
		struct set_ref *r = &p->refs[i];

		if (!file_find_set(p->rf, r->name, strlen(r->name))) {
			struct tok t = { T_WORD, NULL, 0, r->line, r->col };
			char word[SFW_SET_NAME_LEN + 1];

			t.len = snprintf(word, sizeof(word), "@%s", r->name);
			t.s = word;
			return fail(p, &t, "unknown set");
		}
	}
	return 0;
}

void sfw_rules_free(struct rules_file *rf)
{
	unsigned int c;
	u32 i;

	if (!rf)
		return;
	for (c = 0; c < SFW_CHAIN_COUNT; c++) {
		for (i = 0; i < rf->chain[c].n; i++) {
			free(rf->chain[c].rules[i].sports);
			free(rf->chain[c].rules[i].dports);
			free(rf->chain[c].rules[i].nat);
		}
		free(rf->chain[c].rules);
	}
	for (i = 0; i < rf->nsets; i++)
		free(rf->sets[i].elems);
	free(rf->sets);
	free(rf->name);
	free(rf);
}

struct rules_file *sfw_rules_parse(const char *fname, const char *buf, size_t len, char *err)
{
	struct parser *p = calloc(1, sizeof(*p));
	struct rules_file *rf = calloc(1, sizeof(*rf));

	err[0] = 0;
	if (!p || !rf || !(rf->name = strdup(fname))) {
		snprintf(err, SFW_RULES_ERR_LEN, "%s: out of memory", fname);
		goto fail;
	}
	p->fname = fname;
	p->buf = buf;
	p->len = len;
	p->line = 1;
	p->err = err;
	p->rf = rf;
	if (parse_all(p))
		goto fail;
	free(p->refs);
	sfw_ruleset_builder_free(p->b);
	free(p);
	return rf;
fail:
	if (p) {
		free(p->refs);
		sfw_ruleset_builder_free(p->b);
	}
	free(p);
	sfw_rules_free(rf);
	return NULL;
}

int sfw_rules_file_to_builder(const struct rules_file *rf, struct sfw_ruleset_builder *b,
			      char *err)
{
	char berr[SFW_ERR_LEN];
	unsigned int c;
	u32 i;
	int ret;

	for (c = 0; c < SFW_CHAIN_COUNT; c++) {
		const struct rules_chain *ch = &rf->chain[c];

		if (ch->defined)
			sfw_ruleset_builder_policy(b, c, ch->policy);
		for (i = 0; i < ch->n; i++) {
			const struct rules_rule *rr = &ch->rules[i];

			berr[0] = 0;
			ret = sfw_ruleset_builder_rule(b, c, &rr->r, rr->sports, rr->dports,
						       rr->saddr_set[0] ? rr->saddr_set : NULL,
						       rr->daddr_set[0] ? rr->daddr_set : NULL, berr);
			if (!ret && (nat_action(rr->r.action) || rr->r.nnat))
				ret = sfw_ruleset_builder_nat(b, c, rr->nat, rr->r.nnat, rr->r.nat_lb,
							      rr->r.nat_sticky, berr);
			if (ret) {
				snprintf(err, SFW_RULES_ERR_LEN, "%s:%u: %s", rf->name, rr->line, berr);
				return ret;
			}
		}
	}
	for (i = 0; i < rf->nsets; i++) {
		const struct rules_set *s = &rf->sets[i];

		berr[0] = 0;
		ret = sfw_ruleset_builder_set(b, s->name, s->elems, s->n, berr);
		if (ret) {
			snprintf(err, SFW_RULES_ERR_LEN, "%s:%u: %s", rf->name, s->line, berr);
			return ret;
		}
	}
	return 0;
}
