// SPDX-License-Identifier: GPL-2.0
/*
 * rules_lex.c - the rule file lexer: a hand-written scanner over the
 * whole buffer (sets may span lines inside braces) with one token of
 * push-back, a line-length check before each line is read, and the first
 * error recorded as "FILE:LINE:COL: message 'word'" (every later step
 * returns at once). Numbers are decimal, as everywhere in sfw.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <ctype.h>
#include <inttypes.h>
#include <arpa/inet.h>
#include "rules_parse_priv.h"

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
int lex_fail(struct parser *p, const struct tok *t, const char *fmt, ...)
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

int lex_nomem(struct parser *p)
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
int lex_start_line(struct parser *p)
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
	return lex_fail(p, &t, "line longer than %u characters at", SFW_RULES_LINE_MAX);
}

static int lex_string(struct parser *p, struct tok *t)
{
	size_t o = 0;

	p->pos++;
	for (;;) {
		unsigned char c;

		if (p->pos >= p->len || p->buf[p->pos] == '\n') {
			t->len = p->pos - (t->s - p->buf);
			return lex_fail(p, t, "unterminated string");
		}
		c = p->buf[p->pos++];
		if (c == '"')
			break;
		if (c == '\\') {
			if (p->pos >= p->len || (p->buf[p->pos] != '"' && p->buf[p->pos] != '\\')) {
				struct tok e = { T_STRING, p->buf + p->pos - 1,
						 p->pos < p->len ? 2 : 1, p->line,
						 (u32)(p->pos - p->line_start) };

				return lex_fail(p, &e, "bad escape (only \\\" and \\\\) in string at");
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
int lex_next(struct parser *p)
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
		return lex_start_line(p);
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
	case '=':	/* nft's `devices = { ... }` in a flowtable */
		t->type = T_EQUALS;
		p->pos++;
		return 0;
	case '"':
		return lex_string(p, t);
	}
	if (!is_word_char(c))
		return lex_fail(p, t, "unexpected character");
	while (p->pos < p->len && is_word_char(p->buf[p->pos]))
		p->pos++;
	t->type = T_WORD;
	t->len = p->pos - (t->s - p->buf);
	return 0;
}

void lex_unget(struct parser *p)
{
	p->pushed = true;
}

/* The next token, skipping ends of lines (inside braces). */
int lex_next_in_braces(struct parser *p)
{
	do {
		if (lex_next(p))
			return -1;
	} while (p->tok.type == T_EOL);
	return 0;
}

/*
 * A braced list, p->tok at its '{': "{ a, b, c }", a trailing comma and
 * line breaks allowed. Each element goes to @elem with p->tok at it.
 */
int lex_braced_list(struct parser *p, int (*elem)(struct parser *p, void *arg), void *arg)
{
	struct tok brace = p->tok;

	for (;;) {
		if (lex_next_in_braces(p))
			return -1;
		if (p->tok.type == T_EOF)
			return lex_fail(p, &brace, "unterminated");
		if (p->tok.type == T_RBRACE)
			return 0;
		if (elem(p, arg))
			return -1;
		if (lex_next_in_braces(p))
			return -1;
		if (p->tok.type == T_RBRACE)
			return 0;
		if (p->tok.type == T_EOF)
			return lex_fail(p, &brace, "unterminated");
		if (p->tok.type != T_COMMA)
			return lex_fail(p, &p->tok, "expected ',' or '}', not");
	}
}

bool lex_is(const struct tok *t, const char *word)
{
	return t->type == T_WORD && t->len == strlen(word) && !memcmp(t->s, word, t->len);
}

bool lex_at_end(const struct tok *t)
{
	return t->type == T_EOL || t->type == T_EOF;
}

/* The value after @kw into p->tok: "missing value" if the line ends. */
int lex_value(struct parser *p, const struct tok *kw)
{
	struct tok k = *kw;

	if (lex_next(p))
		return -1;
	if (lex_at_end(&p->tok))
		return lex_fail(p, &k, "missing value after");
	return 0;
}

/* A decimal number up to @max. */
bool lex_parse_num(const char *s, size_t len, u64 max, u64 *out)
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

bool lex_tok_num(const struct tok *t, u64 max, u64 *out)
{
	return t->type == T_WORD && lex_parse_num(t->s, t->len, max, out);
}

/* ADDR[/LEN] of family @fam (0: either) into @pf, normalized. */
