// SPDX-License-Identifier: GPL-2.0
/*
 * rules_parse.c - the rule file parser's grammar of a file (chains, sets,
 * statements) and its entry points; see rules_parse.h and the grammar in
 * sfwctl(8). The lexer is rules_lex.c, a rule rules_rule.c (its NAT
 * statement rules_nat.c), the names rules_names.c.
 *
 * A hand-written lexer over the whole buffer (sets may span lines inside
 * braces) with one token of push-back, and a recursive-descent parser
 * that builds a struct rules_file as it goes. A rule is assembled in a
 * local struct and appended only once it is complete. The first error is
 * recorded with its position and the offending word, every later step
 * returns at once, and the caller frees the partial file: nothing
 * half-built ever leaves sfw_rules_parse(). Set and flowtable references
 * are checked at the end, so either may be defined after the rules that
 * use it.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <ctype.h>
#include <inttypes.h>
#include <arpa/inet.h>
#include "rules_parse_priv.h"

static int expect_end(struct parser *p)
{
	if (lex_next(p))
		return -1;
	if (!lex_at_end(&p->tok))
		return lex_fail(p, &p->tok, "expected the end of the line, not");
	lex_unget(p);
	return 0;
}

/* chain (input|forward|output) [policy (accept|drop)] | chain (prerouting|postrouting) [policy accept] */
static int parse_chain(struct parser *p, const struct tok *kw)
{
	struct rules_chain *chain;
	struct tok k;
	int ch;

	if (lex_value(p, kw))
		return -1;
	for (ch = 0; ch < SFW_CHAIN_COUNT; ch++)
		if (lex_is(&p->tok, sfw_chain_names[ch]))
			break;
	if (ch == SFW_CHAIN_COUNT)
		return lex_fail(p, &p->tok,
			    "unknown chain (input, forward, output, prerouting, postrouting)");
	chain = &p->rf->chain[ch];
	if (chain->defined)
		return lex_fail(p, &p->tok, "chain defined twice (first on line %u)", chain->line);
	chain->defined = true;
	chain->line = p->tok.line;
	chain->policy = SFW_ACT_ACCEPT;
	if (lex_next(p))
		return -1;
	if (lex_is(&p->tok, "policy")) {
		k = p->tok;
		if (lex_value(p, &k))
			return -1;
		if (lex_is(&p->tok, sfw_action_names[SFW_ACT_ACCEPT]))
			chain->policy = SFW_ACT_ACCEPT;
		else if (rules_nat_chain(ch))
			return lex_fail(p, &p->tok, "the policy of chain %s must be accept, not",
				    sfw_chain_names[ch]);
		else if (lex_is(&p->tok, sfw_action_names[SFW_ACT_DROP]))
			chain->policy = SFW_ACT_DROP;
		else
			return lex_fail(p, &p->tok, "policy must be accept or drop, not");
	} else {
		lex_unget(p);
	}
	if (expect_end(p))
		return -1;
	return ch;
}

/* One element of a set's list, or its timeout. */
static int set_elem(struct parser *p, void *arg)
{
	struct rules_set *s = arg;

	if (lex_is(&p->tok, "timeout")) {
		struct tok kw = p->tok;

		if (s->timeout)
			return lex_fail(p, &kw, "second");
		if (lex_value(p, &kw))
			return -1;
		if (rules_parse_duration(p, &p->tok, SFW_SET_TIMEOUT_MAX, &s->timeout))
			return -1;
		if (!s->timeout)
			return lex_fail(p, &p->tok, "a set's timeout is at least 1s, not");
		return 0;
	}
	if (s->n >= SFW_RULES_SET_MAX)
		return lex_fail(p, &p->tok, "more than %u elements in set %s at",
			    SFW_RULES_SET_MAX, s->name);
	if (rules_grow_array((void **)&s->elems, &s->cap, s->n + 1, sizeof(*s->elems)))
		return lex_nomem(p);
	if (rules_parse_prefix(p, &p->tok, 0, &s->elems[s->n]))
		return -1;
	s->n++;
	return 0;
}

/* set NAME { [timeout DURATION,] [ADDR[/LEN] [, ADDR[/LEN]]... [,]] } */
static int parse_set(struct parser *p, const struct tok *kw)
{
	struct rules_file *rf = p->rf;
	struct rules_set *s, *other;

	if (lex_value(p, kw))
		return -1;
	if (p->tok.type != T_WORD || !rules_set_name_ok(p->tok.s, p->tok.len))
		return lex_fail(p, &p->tok, "bad set name (a letter, then letters, digits, _ - .; at most %u)",
			    SFW_SET_NAME_LEN - 1);
	other = rules_file_find_set(rf, p->tok.s, p->tok.len);
	if (other)
		return lex_fail(p, &p->tok, "set defined twice (first on line %u)", other->line);
	if (rf->nsets >= SFW_SETS_MAX)
		return lex_fail(p, &p->tok, "more than %u sets at", SFW_SETS_MAX);
	if (rules_grow_array((void **)&rf->sets, &rf->cap_sets, rf->nsets + 1, sizeof(*s)))
		return lex_nomem(p);
	s = &rf->sets[rf->nsets++];
	memset(s, 0, sizeof(*s));
	memcpy(s->name, p->tok.s, p->tok.len);
	s->line = p->tok.line;
	if (lex_value(p, &p->tok))
		return -1;
	if (p->tok.type != T_LBRACE)
		return lex_fail(p, &p->tok, "expected '{', not");
	if (lex_braced_list(p, set_elem, s))
		return -1;
	return expect_end(p);
}

/* One device of a flowtable: in no other flowtable, and not twice in this one. */
static int flowtable_dev(struct parser *p, void *arg)
{
	struct rules_flowtable *ft = arg, *other;
	char dev[SFW_IFNAMSIZ];

	if (ft->ndevs >= SFW_FLOWTABLE_DEVS_MAX)
		return lex_fail(p, &p->tok, "more than %u devices in flowtable %s at",
				SFW_FLOWTABLE_DEVS_MAX, ft->name);
	if (rules_parse_ifname(p, &p->tok, dev))
		return -1;
	other = rules_file_flowtable_of(p->rf, dev);
	if (other == ft)
		return lex_fail(p, &p->tok, "device given twice in flowtable %s:", ft->name);
	if (other)
		return lex_fail(p, &p->tok,
				"a device is in one flowtable at most; already in %s (line %u):",
				other->name, other->line);
	memcpy(ft->devs[ft->ndevs++], dev, sizeof(dev));
	return 0;
}

/* devices = { DEV, ... } | devices = DEV, p->tok at `devices`. */
static int flowtable_devices(struct parser *p, struct rules_flowtable *ft)
{
	struct tok kw = p->tok;

	if (ft->ndevs)
		return lex_fail(p, &kw, "second");
	if (lex_value(p, &kw))
		return -1;
	if (p->tok.type != T_EQUALS)
		return lex_fail(p, &p->tok, "expected '=' after devices, not");
	kw = p->tok;
	if (lex_value(p, &kw))
		return -1;
	if (p->tok.type != T_LBRACE)
		return flowtable_dev(p, ft);
	if (lex_braced_list(p, flowtable_dev, ft))
		return -1;
	if (!ft->ndevs)
		return lex_fail(p, &p->tok, "empty device list at");
	return 0;
}

/*
 * hook ingress priority PRIO, p->tok at `hook`: nft's words, read and
 * ignored. sfw's fast path runs where sfw's hooks run; the priority of
 * an nft flowtable has no meaning here.
 */
static int flowtable_hook(struct parser *p, bool *seen)
{
	struct tok kw = p->tok;
	u64 v;

	if (*seen)
		return lex_fail(p, &kw, "second");
	*seen = true;
	if (lex_value(p, &kw))
		return -1;
	if (!lex_is(&p->tok, "ingress"))
		return lex_fail(p, &p->tok, "a flowtable's hook is ingress, not");
	kw = p->tok;
	if (lex_value(p, &kw))
		return -1;
	if (!lex_is(&p->tok, "priority"))
		return lex_fail(p, &p->tok, "expected priority, not");
	kw = p->tok;
	if (lex_value(p, &kw))
		return -1;
	if (lex_is(&p->tok, "filter") ||
	    (p->tok.type == T_WORD && p->tok.s[0] == '-' &&
	     lex_parse_num(p->tok.s + 1, p->tok.len - 1, INT32_MAX, &v)) ||
	    lex_tok_num(&p->tok, INT32_MAX, &v))
		return 0;
	return lex_fail(p, &p->tok, "flowtable priority: a number or filter, not");
}

/*
 * flowtable NAME { [hook ingress priority PRIO [;]] devices = { DEV, ... } [;] }
 * (nft's syntax; `devices = DEV` for one.)
 */
static int parse_flowtable(struct parser *p, const struct tok *kw)
{
	struct rules_file *rf = p->rf;
	struct rules_flowtable *ft, *other;
	struct tok brace;
	bool hook = false;

	if (lex_value(p, kw))
		return -1;
	if (p->tok.type != T_WORD || !rules_set_name_ok(p->tok.s, p->tok.len))
		return lex_fail(p, &p->tok,
				"bad flowtable name (a letter, then letters, digits, _ - .; at most %u)",
				SFW_SET_NAME_LEN - 1);
	other = rules_file_find_flowtable(rf, p->tok.s, p->tok.len);
	if (other)
		return lex_fail(p, &p->tok, "flowtable defined twice (first on line %u)", other->line);
	if (rf->nflowtables >= SFW_FLOWTABLES_MAX)
		return lex_fail(p, &p->tok, "more than %u flowtables at", SFW_FLOWTABLES_MAX);
	ft = &rf->flowtables[rf->nflowtables++];
	memset(ft, 0, sizeof(*ft));
	memcpy(ft->name, p->tok.s, p->tok.len);
	ft->line = p->tok.line;
	if (lex_value(p, &p->tok))
		return -1;
	if (p->tok.type != T_LBRACE)
		return lex_fail(p, &p->tok, "expected '{', not");
	brace = p->tok;
	for (;;) {
		if (lex_next_in_braces(p))
			return -1;
		if (p->tok.type == T_EOF)
			return lex_fail(p, &brace, "unterminated");
		if (p->tok.type == T_RBRACE)
			break;
		if (lex_is(&p->tok, "devices")) {
			if (flowtable_devices(p, ft))
				return -1;
		} else if (lex_is(&p->tok, "hook")) {
			if (flowtable_hook(p, &hook))
				return -1;
		} else if (lex_is(&p->tok, "flags") || lex_is(&p->tok, "counter")) {
			return lex_fail(p, &p->tok,
					"not supported in a flowtable (sfw's fast path is software only, and counts in the connection):");
		} else {
			return lex_fail(p, &p->tok, "expected devices or hook in a flowtable, not");
		}
	}
	if (!ft->ndevs)
		return lex_fail(p, &p->tok, "flowtable %s needs devices = { ... } before", ft->name);
	return expect_end(p);
}

static int parse_all(struct parser *p)
{
	int cur = -1;	/* the chain rules go to; a set ends it */
	u32 i;

	if (lex_start_line(p))
		return -1;
	for (;;) {
		struct tok kw;

		if (lex_next(p))
			return -1;
		kw = p->tok;
		if (kw.type == T_EOF)
			break;
		if (kw.type == T_EOL)
			continue;
		if (lex_is(&kw, "chain")) {
			cur = parse_chain(p, &kw);
			if (cur < 0)
				return -1;
		} else if (lex_is(&kw, "set")) {
			cur = -1;
			if (parse_set(p, &kw))
				return -1;
		} else if (lex_is(&kw, "flowtable")) {
			cur = -1;
			if (parse_flowtable(p, &kw))
				return -1;
		} else if (cur < 0) {
			return lex_fail(p, &kw, "rule outside a chain (start one with `chain input`) at");
		} else if (rules_parse_rule(p, cur)) {
			return -1;
		}
	}
	/* Sets and flowtables may come after their use: check the references in file order. */
	for (i = 0; i < p->nrefs; i++) {
		struct set_ref *r = &p->refs[i];
		size_t len = strlen(r->name);

		if (r->flowtable ? !rules_file_find_flowtable(p->rf, r->name, len) :
		    !rules_file_find_set(p->rf, r->name, len)) {
			struct tok t = { T_WORD, NULL, 0, r->line, r->col };
			char word[SFW_SET_NAME_LEN + 1];

			t.len = snprintf(word, sizeof(word), "@%s", r->name);
			t.s = word;
			return lex_fail(p, &t, r->flowtable ? "unknown flowtable" : "unknown set");
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

	for (i = 0; i < rf->nflowtables; i++) {
		const struct rules_flowtable *ft = &rf->flowtables[i];

		berr[0] = 0;
		ret = sfw_ruleset_builder_flowtable(b, ft->name, ft->devs, ft->ndevs, berr);
		if (ret) {
			snprintf(err, SFW_RULES_ERR_LEN, "%s:%u: %s", rf->name, ft->line, berr);
			return ret;
		}
	}
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
			if (!ret && (rules_nat_action(rr->r.action) || rr->r.nnat))
				ret = sfw_ruleset_builder_nat(b, c, rr->nat, rr->r.nnat, rr->r.nat_lb,
							      rr->r.nat_sticky, berr);
			if (!ret && rr->add_set[0])
				ret = sfw_ruleset_builder_add_set(b, c, rr->add_set, berr);
			if (!ret && rr->flow_table[0])
				ret = sfw_ruleset_builder_flow_add(b, c, rr->flow_table, berr);
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
		if (!ret && s->timeout)
			ret = sfw_ruleset_builder_set_timeout(b, s->name, s->timeout, berr);
		if (ret) {
			snprintf(err, SFW_RULES_ERR_LEN, "%s:%u: %s", rf->name, s->line, berr);
			return ret;
		}
	}
	return 0;
}
