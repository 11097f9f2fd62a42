/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rules_parse_priv.h - what the rule file parser's files share: the
 * lexer's tokens and state (rules_lex.c), the rule being read
 * (rules_rule.c, rules_nat.c), and the grammar's entry points that
 * rules_parse.c calls. Not for the parser's users: they have
 * rules_parse.h.
 */
#ifndef _SFW_RULES_PARSE_PRIV_H
#define _SFW_RULES_PARSE_PRIV_H

#include "rules_parse.h"

enum tok_type { T_EOF, T_EOL, T_WORD, T_STRING, T_LBRACE, T_RBRACE, T_COMMA, T_EQUALS };

struct tok {
	enum tok_type type;
	const char *s;		/* the text in the buffer (a string's, quotes included) */
	size_t len;
	u32 line, col;
};

struct set_ref {
	char name[SFW_SET_NAME_LEN];
	u32 line, col;
	bool flowtable;		/* `flow add @NAME`: a flowtable, not a set */
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

/* The rule being read, before it joins its chain. */
struct rule_ctx {
	struct rules_rule rr;
	struct sfw_port_range ports[2][SFW_PORT_RANGES_MAX];	/* sport, dport */
	u16 nports[2];
	int side;		/* the port list being read: 0 sport, 1 dport */
	bool have_action, have_counter;
	struct tok action;
	struct tok flow;	/* the `flow` word, if any: its checks name it */
	struct tok reason;	/* the `reason` word, if any: its checks name it */
	struct sfw_nat_range nat[SFW_NAT_TARGETS_MAX];
};

/* rules_lex.c: tokens, errors, numbers */
int lex_fail(struct parser *p, const struct tok *t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int lex_nomem(struct parser *p);
int lex_start_line(struct parser *p);
int lex_next(struct parser *p);
void lex_unget(struct parser *p);
int lex_next_in_braces(struct parser *p);
int lex_braced_list(struct parser *p, int (*elem)(struct parser *p, void *arg), void *arg);
bool lex_is(const struct tok *t, const char *word);
bool lex_at_end(const struct tok *t);
int lex_value(struct parser *p, const struct tok *kw);
bool lex_parse_num(const char *s, size_t len, u64 max, u64 *out);
bool lex_tok_num(const struct tok *t, u64 max, u64 *out);

/* rules_rule.c: one rule (matches, counter, log, action) and what a set needs */
int rules_parse_prefix(struct parser *p, const struct tok *t, u8 fam, struct sfw_prefix *pf);
bool rules_set_name_ok(const char *s, size_t len);
/* @t is @NAME: note the reference (checked at the file's end) and copy NAME to @out. */
int rules_set_ref(struct parser *p, const struct tok *t, char *out);
/* The same for `flow add @NAME`, a flowtable's name. */
int rules_flowtable_ref(struct parser *p, const struct tok *t, char *out);
struct rules_set *rules_file_find_set(struct rules_file *rf, const char *name, size_t len);
struct rules_flowtable *rules_file_find_flowtable(struct rules_file *rf, const char *name,
						  size_t len);
/* The flowtable of @rf device @dev is in, or NULL. */
struct rules_flowtable *rules_file_flowtable_of(struct rules_file *rf, const char *dev);
/* An interface name at @t (a word or a "string") into @dst (SFW_IFNAMSIZ bytes). */
int rules_parse_ifname(struct parser *p, const struct tok *t, char *dst);
int rules_grow_array(void **arr, u32 *cap, u32 want, size_t size);
int rules_parse_rule(struct parser *p, enum sfw_chain ch);

/* rules_nat.c: snat, dnat, masquerade */
bool rules_nat_action(u8 a);
bool rules_nat_chain(enum sfw_chain ch);
int rules_nat_stmt(struct parser *p, struct rule_ctx *c);
int rules_check_nat(struct parser *p, enum sfw_chain ch, struct rule_ctx *c);
/* N, Ns, Nm or Nh, at most @max seconds, into *@out. */
int rules_parse_duration(struct parser *p, const struct tok *t, u64 max, u32 *out);

#endif /* _SFW_RULES_PARSE_PRIV_H */
