// SPDX-License-Identifier: GPL-2.0
/*
 * rules_rule.c - one rule of a rule file: its matches (addresses and
 * sets, ports, ICMP types, interfaces, meta, ct), counter and log, and
 * its action; NAT statements are rules_nat.c's. A rule is assembled in a
 * struct rule_ctx and appended to its chain only once it is complete.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <ctype.h>
#include <inttypes.h>
#include <arpa/inet.h>
#include "rules_parse_priv.h"

int rules_parse_prefix(struct parser *p, const struct tok *t, u8 fam, struct sfw_prefix *pf)
{
	const char *slash;
	char addr[64];
	size_t alen;
	u64 len;

	memset(pf, 0, sizeof(*pf));
	if (t->type != T_WORD)
		return lex_fail(p, t, "bad address");
	slash = memchr(t->s, '/', t->len);
	alen = slash ? (size_t)(slash - t->s) : t->len;
	if (alen >= sizeof(addr))
		return lex_fail(p, t, "bad address");
	memcpy(addr, t->s, alen);
	addr[alen] = 0;
	if (memchr(addr, ':', alen)) {
		if (inet_pton(AF_INET6, addr, &pf->addr) != 1)
			return lex_fail(p, t, "bad IPv6 address");
		pf->l3num = SFW_AF_INET6;
		pf->len = 128;
	} else {
		if (inet_pton(AF_INET, addr, &pf->addr) != 1)
			return lex_fail(p, t, "bad IPv4 address");
		pf->l3num = SFW_AF_INET;
		pf->len = 32;
	}
	if (fam && fam != pf->l3num)
		return lex_fail(p, t, "%s address after %s:",
			    pf->l3num == SFW_AF_INET ? "IPv4" : "IPv6",
			    fam == SFW_AF_INET ? "ip" : "ip6");
	if (slash) {
		if (!lex_parse_num(slash + 1, t->len - alen - 1, pf->len, &len))
			return lex_fail(p, t, "bad prefix length");
		pf->len = len;
	}
	sfw_prefix_normalize(pf);
	return 0;
}

bool rules_set_name_ok(const char *s, size_t len)
{
	size_t i;

	if (!len || len >= SFW_SET_NAME_LEN || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (i = 1; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

struct rules_set *rules_file_find_set(struct rules_file *rf, const char *name, size_t len)
{
	u32 i;

	for (i = 0; i < rf->nsets; i++)
		if (strlen(rf->sets[i].name) == len && !memcmp(rf->sets[i].name, name, len))
			return &rf->sets[i];
	return NULL;
}

struct rules_flowtable *rules_file_find_flowtable(struct rules_file *rf, const char *name,
						  size_t len)
{
	u32 i;

	for (i = 0; i < rf->nflowtables; i++)
		if (strlen(rf->flowtables[i].name) == len &&
		    !memcmp(rf->flowtables[i].name, name, len))
			return &rf->flowtables[i];
	return NULL;
}

struct rules_flowtable *rules_file_flowtable_of(struct rules_file *rf, const char *dev)
{
	u32 i, k;

	for (i = 0; i < rf->nflowtables; i++)
		for (k = 0; k < rf->flowtables[i].ndevs; k++)
			if (!strcmp(rf->flowtables[i].devs[k], dev))
				return &rf->flowtables[i];
	return NULL;
}

/* Grow @*arr of @size-byte items to hold @want; 0 or -1. */
int rules_grow_array(void **arr, u32 *cap, u32 want, size_t size)
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

static const char *fam_name(u8 fam)
{
	return fam == SFW_AF_INET ? "ip" : "ip6";
}

static int set_family(struct parser *p, struct rule_ctx *c, u8 fam, const struct tok *kw)
{
	if (c->rr.r.family && c->rr.r.family != fam)
		return lex_fail(p, kw, "conflicting families: %s, then", fam_name(c->rr.r.family));
	c->rr.r.family = fam;
	return 0;
}

static int set_proto(struct parser *p, struct rule_ctx *c, u8 proto, const struct tok *kw)
{
	if (c->rr.r.l4proto && c->rr.r.l4proto != proto) {
		const char *n = sfw_rules_name_of(sfw_rules_protos, c->rr.r.l4proto);

		if (n)
			return lex_fail(p, kw, "conflicting protocols: %s, then", n);
		return lex_fail(p, kw, "conflicting protocols: %u, then", c->rr.r.l4proto);
	}
	c->rr.r.l4proto = proto;
	return 0;
}

/* Note reference @t (@NAME) to a set or a flowtable, checked at the file's end. */
static int note_ref(struct parser *p, const struct tok *t, char *out, bool flowtable)
{
	struct set_ref *ref;

	if (t->type != T_WORD || t->s[0] != '@' || !rules_set_name_ok(t->s + 1, t->len - 1))
		return lex_fail(p, t, "bad %s name (a letter, then letters, digits, _ - .; at most %u)",
				flowtable ? "flowtable" : "set", SFW_SET_NAME_LEN - 1);
	if (rules_grow_array((void **)&p->refs, &p->cap_refs, p->nrefs + 1, sizeof(*p->refs)))
		return lex_nomem(p);
	ref = &p->refs[p->nrefs++];
	memset(ref->name, 0, sizeof(ref->name));
	memcpy(ref->name, t->s + 1, t->len - 1);
	ref->line = t->line;
	ref->col = t->col;
	ref->flowtable = flowtable;
	memcpy(out, ref->name, sizeof(ref->name));
	return 0;
}

int rules_set_ref(struct parser *p, const struct tok *t, char *out)
{
	return note_ref(p, t, out, false);
}

int rules_flowtable_ref(struct parser *p, const struct tok *t, char *out)
{
	return note_ref(p, t, out, true);
}

/* add @SET: the packet's source goes into SET when the rule matches */
static int stmt_add_set(struct parser *p, struct rule_ctx *c, const struct tok *kw)
{
	if (c->rr.add_set[0])
		return lex_fail(p, kw, "second");
	if (lex_value(p, kw))
		return -1;
	return rules_set_ref(p, &p->tok, c->rr.add_set);
}

/*
 * flow add @FT: the connection goes onto flowtable FT's fast path. It
 * accepts (sfw is first-match: the rule that offloads is the one that
 * lets the packet through), so a rule may end with it and no action.
 */
static int stmt_flow_add(struct parser *p, struct rule_ctx *c, const struct tok *kw)
{
	struct tok k;

	if (c->rr.flow_table[0])
		return lex_fail(p, kw, "second");
	c->flow = *kw;
	if (lex_value(p, kw))
		return -1;
	k = p->tok;
	if (!lex_is(&k, "add"))
		return lex_fail(p, &k, "flow: expected add, not");
	if (lex_value(p, &k))
		return -1;
	return rules_flowtable_ref(p, &p->tok, c->rr.flow_table);
}

/* (ip|ip6|inet) (saddr|daddr) (ADDR[/LEN] | @SET) */
static int match_addr(struct parser *p, struct rule_ctx *c, const struct tok *kw)
{
	u8 fam = lex_is(kw, "ip") ? SFW_AF_INET : lex_is(kw, "ip6") ? SFW_AF_INET6 : 0;
	struct tok side;
	struct sfw_prefix *pf;
	char *set;

	if (lex_value(p, kw))
		return -1;
	side = p->tok;
	if (!lex_is(&side, "saddr") && !lex_is(&side, "daddr"))
		return lex_fail(p, &side, "expected saddr or daddr, not");
	pf = lex_is(&side, "saddr") ? &c->rr.r.saddr : &c->rr.r.daddr;
	set = lex_is(&side, "saddr") ? c->rr.saddr_set : c->rr.daddr_set;
	if (pf->l3num || set[0])
		return lex_fail(p, &side, "second match on");
	if (fam && set_family(p, c, fam, kw))
		return -1;
	if (lex_value(p, &side))
		return -1;
	if (p->tok.type == T_WORD && p->tok.s[0] == '@')
		return rules_set_ref(p, &p->tok, set);
	if (rules_parse_prefix(p, &p->tok, fam, pf))
		return -1;
	return set_family(p, c, pf->l3num, kw);
}

/* PORT or LO-HI into @r. */
static int parse_port(struct parser *p, const struct tok *t, struct sfw_port_range *r)
{
	const char *dash;
	u64 lo, hi;

	if (t->type != T_WORD)
		return lex_fail(p, t, "bad port");
	dash = memchr(t->s, '-', t->len);
	if (!dash) {
		if (!lex_parse_num(t->s, t->len, 65535, &lo))
			return lex_fail(p, t, "bad port");
		hi = lo;
	} else if (!lex_parse_num(t->s, dash - t->s, 65535, &lo) ||
		   !lex_parse_num(dash + 1, t->len - (dash - t->s) - 1, 65535, &hi)) {
		return lex_fail(p, t, "bad port range");
	}
	if (lo > hi)
		return lex_fail(p, t, "port range is backwards");
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
		return lex_fail(p, &p->tok, "more than %u ports in a list at", SFW_PORT_RANGES_MAX);
	return parse_port(p, &p->tok, &c->ports[k][c->nports[k]++]);
}

/* (tcp|udp) (sport|dport) (PORT | LO-HI | { PORT, ... }) */
static int match_ports(struct parser *p, struct rule_ctx *c, const struct tok *kw)
{
	struct tok side;
	int k;

	if (lex_value(p, kw))
		return -1;
	side = p->tok;
	if (!lex_is(&side, "sport") && !lex_is(&side, "dport"))
		return lex_fail(p, &side, "expected sport or dport, not");
	k = lex_is(&side, "dport");
	if (c->nports[k])
		return lex_fail(p, &side, "second match on");
	if (set_proto(p, c, lex_is(kw, "tcp") ? SFW_IPPROTO_TCP : SFW_IPPROTO_UDP, kw))
		return -1;
	if (lex_value(p, &side))
		return -1;
	if (p->tok.type != T_LBRACE) {
		c->nports[k] = 1;
		return parse_port(p, &p->tok, &c->ports[k][0]);
	}
	c->side = k;
	if (lex_braced_list(p, port_elem, c))
		return -1;
	if (!c->nports[k])
		return lex_fail(p, &p->tok, "empty port list at");
	return 0;
}

static int lookup_name(const struct sfw_rules_name *tab, const struct tok *t, u64 max, u64 *v)
{
	for (; tab->name; tab++) {
		if (lex_is(t, tab->name)) {
			*v = tab->val;
			return 0;
		}
	}
	return lex_tok_num(t, max, v) ? 0 : -1;
}

/* (icmp|icmpv6) type (NAME | NUMBER) */
static int match_icmp(struct parser *p, struct rule_ctx *c, const struct tok *kw)
{
	bool v6 = lex_is(kw, "icmpv6");
	struct tok type;
	u64 v;

	if (lex_value(p, kw))
		return -1;
	type = p->tok;
	if (!lex_is(&type, "type"))
		return lex_fail(p, &type, "expected type, not");
	if (c->rr.r.flags & SFW_RULE_F_ICMP_TYPE)
		return lex_fail(p, &type, "second match on");
	if (set_family(p, c, v6 ? SFW_AF_INET6 : SFW_AF_INET, kw) ||
	    set_proto(p, c, v6 ? SFW_IPPROTO_ICMPV6 : SFW_IPPROTO_ICMP, kw) || lex_value(p, &type))
		return -1;
	if (lookup_name(v6 ? sfw_rules_icmpv6_types : sfw_rules_icmp_types, &p->tok, 255, &v))
		return lex_fail(p, &p->tok, "unknown %s type", v6 ? "icmpv6" : "icmp");
	c->rr.r.flags |= SFW_RULE_F_ICMP_TYPE;
	c->rr.r.icmp_type = v;
	return 0;
}

int rules_parse_ifname(struct parser *p, const struct tok *t, char *dst)
{
	const char *s;
	size_t len;

	if (t->type == T_WORD) {
		s = t->s;
		len = t->len;
	} else if (t->type == T_STRING) {
		s = p->str;
		len = strlen(p->str);
	} else {
		return lex_fail(p, t, "bad interface name");
	}
	if (!len || len >= SFW_IFNAMSIZ || memchr(s, 0, len))
		return lex_fail(p, t, "bad interface name (1 to %u characters)", SFW_IFNAMSIZ - 1);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == '/' || s[i] == ':' || s[i] == 0x7f)
			return lex_fail(p, t,
				    "bad interface name (no spaces, '/', ':' or control characters)");
	memcpy(dst, s, len);
	dst[len] = 0;
	return 0;
}

/* iif|oif|iifname|oifname (NAME | "NAME") */
static int match_iface(struct parser *p, struct rule_ctx *c, const struct tok *kw)
{
	bool in = lex_is(kw, "iif") || lex_is(kw, "iifname");
	char *dst = in ? c->rr.r.iif : c->rr.r.oif;

	if (dst[0])
		return lex_fail(p, kw, "second match on");
	if (lex_value(p, kw))
		return -1;
	return rules_parse_ifname(p, &p->tok, dst);
}

/* meta (l4proto PROTO | nfproto ipv4|ipv6 | iifname NAME | oifname NAME) */
static int match_meta(struct parser *p, struct rule_ctx *c, const struct tok *kw)
{
	struct tok key;
	u64 v;

	if (lex_value(p, kw))
		return -1;
	key = p->tok;
	if (lex_is(&key, "iifname") || lex_is(&key, "oifname"))
		return match_iface(p, c, &key);
	if (lex_is(&key, "nfproto")) {
		if (lex_value(p, &key))
			return -1;
		if (!lex_is(&p->tok, "ipv4") && !lex_is(&p->tok, "ipv6"))
			return lex_fail(p, &p->tok, "expected ipv4 or ipv6, not");
		return set_family(p, c, lex_is(&p->tok, "ipv4") ? SFW_AF_INET : SFW_AF_INET6, &p->tok);
	}
	if (!lex_is(&key, "l4proto"))
		return lex_fail(p, &key, "unknown meta key (l4proto, nfproto, iifname, oifname)");
	if (lex_value(p, &key))
		return -1;
	if (lookup_name(sfw_rules_protos, &p->tok, 255, &v) || !v)
		return lex_fail(p, &p->tok, "unknown protocol");
	return set_proto(p, c, v, &p->tok);
}

/* ct helper set ftp | ct helper set "ftp" (nft's spelling) */
static int stmt_ct_helper(struct parser *p, struct rule_ctx *c, const struct tok *kw)
{
	struct tok k = *kw;

	if (c->rr.r.flags & SFW_RULE_F_HELPER_FTP)
		return lex_fail(p, kw, "second ct");
	if (lex_value(p, &k))
		return -1;
	if (!lex_is(&p->tok, "set"))
		return lex_fail(p, &p->tok, "expected set, not");
	k = p->tok;
	if (lex_value(p, &k))
		return -1;
	if (!(p->tok.type == T_STRING ? !strcmp(p->str, "ftp") : lex_is(&p->tok, "ftp")))
		return lex_fail(p, &p->tok, "unknown ct helper (ftp), not");
	c->rr.r.flags |= SFW_RULE_F_HELPER_FTP;
	return 0;
}

/* One INVALID reason of a `reason` match, by its /proc/net/sfw/invalid name. */
static int reason_elem(struct parser *p, void *arg)
{
	struct rule_ctx *c = arg;
	unsigned int i;

	for (i = 1; i < SFW_INVALID_COUNT; i++)
		if (lex_is(&p->tok, sfw_invalid_names[i]))
			break;
	if (i == SFW_INVALID_COUNT)
		return lex_fail(p, &p->tok, "unknown invalid reason (see /proc/net/sfw/invalid)");
	c->rr.r.reasons |= 1U << i;
	return 0;
}

/* reason NAME | reason { NAME, ... }: after ct state invalid (checked at the rule's end) */
static int match_reason(struct parser *p, struct rule_ctx *c, const struct tok *kw)
{
	if (c->rr.r.reasons)
		return lex_fail(p, kw, "second match on");
	c->reason = *kw;
	if (lex_value(p, kw))
		return -1;
	if (p->tok.type != T_LBRACE)
		return reason_elem(p, c);
	if (lex_braced_list(p, reason_elem, c))
		return -1;
	if (!c->rr.r.reasons)
		return lex_fail(p, &p->tok, "empty reason list at");
	return 0;
}

/* ct loose: the action that accepts and makes the connection liberal */
static int action_ct_loose(struct parser *p, struct rule_ctx *c, const struct tok *kw)
{
	if (c->have_action)
		return lex_fail(p, kw, "second action");
	c->rr.r.action = SFW_ACT_ACCEPT;
	c->rr.r.flags |= SFW_RULE_F_CT_LOOSE;
	c->have_action = true;
	c->action = *kw;
	return 0;
}

/* [by ip saddr/LEN | by ip6 saddr/LEN] after a per-source limit (@what): 0 with *@l3num 0 if none. */
static int limit_by(struct parser *p, struct rule_ctx *c, const char *what, u8 *l3num, u8 *len)
{
	struct tok fam;
	u64 v;

	lex_next(p);
	if (!lex_is(&p->tok, "by")) {
		lex_unget(p);
		return 0;
	}
	if (lex_value(p, &p->tok))
		return -1;
	fam = p->tok;
	if (!lex_is(&fam, "ip") && !lex_is(&fam, "ip6"))
		return lex_fail(p, &fam, "%s by: expected ip or ip6, not", what);
	*l3num = lex_is(&fam, "ip") ? SFW_AF_INET : SFW_AF_INET6;
	if (lex_value(p, &fam))
		return -1;
	if (p->tok.type != T_WORD || p->tok.len < 7 || strncmp(p->tok.s, "saddr/", 6) ||
	    !lex_parse_num(p->tok.s + 6, p->tok.len - 6, *l3num == SFW_AF_INET ? 32 : 128, &v))
		return lex_fail(p, &p->tok, "%s by %s: expected saddr/LEN (up to /%u), not", what,
				*l3num == SFW_AF_INET ? "ip" : "ip6",
				*l3num == SFW_AF_INET ? 32 : 128);
	*len = (u8)v;
	if (c->rr.r.family && c->rr.r.family != *l3num)
		return lex_fail(p, &fam, "%s by %s saddr in a rule for %s; at", what,
				*l3num == SFW_AF_INET ? "ip" : "ip6",
				c->rr.r.family == SFW_AF_INET ? "ip" : "ip6");
	return 0;
}

/* ct rate over N/(second|minute|hour) [burst M] [by ip saddr/LEN | by ip6 saddr/LEN] */
static int match_ct_rate(struct parser *p, struct rule_ctx *c, const struct tok *kw)
{
	static const char *const unit_names[] = { "second", "minute", "hour" };
	static const u32 unit_secs[] = { 1, 60, 3600 };
	struct sfw_rule *r = &c->rr.r;
	const char *slash;
	unsigned int i;
	u64 v;

	if (r->flags & SFW_RULE_F_CT_RATE)
		return lex_fail(p, kw, "second match on");
	if (lex_value(p, kw))
		return -1;
	if (!lex_is(&p->tok, "over"))
		return lex_fail(p, &p->tok, "ct rate: expected over, not");
	if (lex_value(p, &p->tok))
		return -1;
	slash = p->tok.type == T_WORD ? memchr(p->tok.s, '/', p->tok.len) : NULL;
	for (i = 0; slash && i < 3; i++)
		if (strlen(unit_names[i]) == p->tok.len - (size_t)(slash + 1 - p->tok.s) &&
		    !strncmp(slash + 1, unit_names[i], strlen(unit_names[i])))
			break;
	if (!slash || i == 3 ||
	    !lex_parse_num(p->tok.s, slash - p->tok.s, SFW_CT_RATE_MAX, &v) || !v)
		return lex_fail(p, &p->tok,
				"ct rate over: N/second, N/minute or N/hour, N from 1 to %u, not",
				SFW_CT_RATE_MAX);
	r->flags |= SFW_RULE_F_CT_RATE;
	r->rate = (u32)v;
	r->rate_unit = unit_secs[i];
	lex_next(p);
	if (lex_is(&p->tok, "burst")) {
		if (lex_value(p, &p->tok))
			return -1;
		if (p->tok.type != T_WORD || !lex_tok_num(&p->tok, SFW_CT_RATE_MAX, &v) || !v)
			return lex_fail(p, &p->tok, "ct rate burst: 1 to %u, not", SFW_CT_RATE_MAX);
		r->rate_burst = (u32)v;
	} else {
		lex_unget(p);
	}
	return limit_by(p, c, "ct rate", &r->rate_l3num, &r->rate_len);
}

/* ct count over N [by ip saddr/LEN | by ip6 saddr/LEN] */
static int match_ct_count(struct parser *p, struct rule_ctx *c, const struct tok *kw)
{
	struct sfw_rule *r = &c->rr.r;
	u64 v;

	if (r->flags & SFW_RULE_F_CT_COUNT)
		return lex_fail(p, kw, "second match on");
	if (lex_value(p, kw))
		return -1;
	if (!lex_is(&p->tok, "over"))
		return lex_fail(p, &p->tok, "ct count: expected over, not");
	if (lex_value(p, &p->tok))
		return -1;
	if (p->tok.type != T_WORD || !lex_tok_num(&p->tok, SFW_CT_COUNT_MAX, &v))
		return lex_fail(p, &p->tok, "ct count over: a number up to %u, not", SFW_CT_COUNT_MAX);
	r->flags |= SFW_RULE_F_CT_COUNT;
	r->count_max = (u32)v;
	return limit_by(p, c, "ct count", &r->count_l3num, &r->count_len);
}

/* ct state NAME[,NAME]... | ct state { NAME, ... } | ct helper set ftp | ct loose | ct count */
static int match_ct(struct parser *p, struct rule_ctx *c, const struct tok *kw)
{
	struct tok state, brace = { 0 };
	bool braced;

	if (lex_value(p, kw))
		return -1;
	state = p->tok;
	if (lex_is(&state, "helper"))
		return stmt_ct_helper(p, c, &state);
	if (lex_is(&state, "loose"))
		return action_ct_loose(p, c, kw);
	if (lex_is(&state, "count"))
		return match_ct_count(p, c, &state);
	if (lex_is(&state, "rate"))
		return match_ct_rate(p, c, &state);
	if (!lex_is(&state, "state"))
		return lex_fail(p, &state, "expected state, helper, loose, count or rate, not");
	if (c->rr.r.ctstate)
		return lex_fail(p, &state, "second match on");
	if (lex_value(p, &state))
		return -1;
	braced = p->tok.type == T_LBRACE;
	if (braced) {
		brace = p->tok;
		if (lex_next_in_braces(p))
			return -1;
	}
	for (;;) {
		unsigned int i;

		if (braced && p->tok.type == T_EOF)
			return lex_fail(p, &brace, "unterminated");
		for (i = 0; i < SFW_CT_COUNT; i++)
			if (lex_is(&p->tok, sfw_ctinfo_names[i]))
				break;
		if (i == SFW_CT_COUNT)
			return lex_fail(p, &p->tok,
				    "unknown ct state (new, established, related, invalid, untracked)");
		c->rr.r.ctstate |= 1U << i;
		if (braced ? lex_next_in_braces(p) : lex_next(p))
			return -1;
		if (braced && p->tok.type == T_RBRACE)
			return 0;
		if (braced && p->tok.type == T_EOF)
			return lex_fail(p, &brace, "unterminated");
		if (p->tok.type != T_COMMA) {
			if (braced)
				return lex_fail(p, &p->tok, "expected ',' or '}', not");
			lex_unget(p);
			return 0;
		}
		if (braced ? lex_next_in_braces(p) : lex_value(p, &p->tok))
			return -1;
	}
}

/* counter [packets N bytes N]: accepted so that `ruleset show` loads; the numbers are dropped. */
static int opt_counter(struct parser *p, struct rule_ctx *c, const struct tok *kw)
{
	struct tok k;
	u64 v;

	if (c->have_counter)
		return lex_fail(p, kw, "second");
	c->have_counter = true;
	if (lex_next(p))
		return -1;
	if (!lex_is(&p->tok, "packets")) {
		lex_unget(p);
		return 0;
	}
	k = p->tok;
	if (lex_value(p, &k))
		return -1;
	if (!lex_tok_num(&p->tok, UINT64_MAX, &v))
		return lex_fail(p, &p->tok, "bad number");
	k = p->tok;
	if (lex_value(p, &k))
		return -1;
	if (!lex_is(&p->tok, "bytes"))
		return lex_fail(p, &p->tok, "expected bytes, not");
	k = p->tok;
	if (lex_value(p, &k))
		return -1;
	if (!lex_tok_num(&p->tok, UINT64_MAX, &v))
		return lex_fail(p, &p->tok, "bad number");
	return 0;
}

/* log [prefix "TEXT"] */
static int opt_log(struct parser *p, struct rule_ctx *c, const struct tok *kw)
{
	struct tok k;
	const char *s;
	size_t len, i;

	if (c->rr.r.flags & SFW_RULE_F_LOG)
		return lex_fail(p, kw, "second");
	c->rr.r.flags |= SFW_RULE_F_LOG;
	if (lex_next(p))
		return -1;
	if (!lex_is(&p->tok, "prefix")) {
		lex_unget(p);
		return 0;
	}
	k = p->tok;
	if (lex_value(p, &k))
		return -1;
	if (p->tok.type == T_STRING) {
		s = p->str;
		len = strlen(p->str);
	} else if (p->tok.type == T_WORD) {
		s = p->tok.s;
		len = p->tok.len;
	} else {
		return lex_fail(p, &p->tok, "bad log prefix");
	}
	if (len >= SFW_LOG_PREFIX_LEN)
		return lex_fail(p, &p->tok, "log prefix longer than %u characters", SFW_LOG_PREFIX_LEN - 1);
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return lex_fail(p, &p->tok, "control character in log prefix");
	memcpy(c->rr.r.log_prefix, s, len);
	return 0;
}


static int add_rule(struct parser *p, enum sfw_chain ch, struct rule_ctx *c, const struct tok *first)
{
	struct rules_chain *chain = &p->rf->chain[ch];
	struct rules_rule *rr;

	if (chain->n >= SFW_RULES_MAX)
		return lex_fail(p, first, "more than %u rules in chain %s at", SFW_RULES_MAX,
			    sfw_chain_names[ch]);
	if (rules_grow_array((void **)&chain->rules, &chain->cap, chain->n + 1, sizeof(*rr)))
		return lex_nomem(p);
	rr = &chain->rules[chain->n];
	*rr = c->rr;
	rr->r.nsport = c->nports[0];
	rr->r.ndport = c->nports[1];
	rr->r.saddr_set = rr->r.daddr_set = -1;
	rr->sports = rr->dports = NULL;
	if (c->nports[0]) {
		rr->sports = malloc(c->nports[0] * sizeof(*rr->sports));
		if (!rr->sports)
			return lex_nomem(p);
		memcpy(rr->sports, c->ports[0], c->nports[0] * sizeof(*rr->sports));
	}
	if (c->nports[1]) {
		rr->dports = malloc(c->nports[1] * sizeof(*rr->dports));
		if (!rr->dports) {
			free(rr->sports);
			return lex_nomem(p);
		}
		memcpy(rr->dports, c->ports[1], c->nports[1] * sizeof(*rr->dports));
	}
	rr->nat = NULL;
	if (rr->r.nnat) {
		rr->nat = malloc(rr->r.nnat * sizeof(*rr->nat));
		if (!rr->nat) {
			free(rr->sports);
			free(rr->dports);
			return lex_nomem(p);
		}
		memcpy(rr->nat, c->nat, rr->r.nnat * sizeof(*rr->nat));
	}
	chain->n++;
	return 0;
}

/*
 * What the builder's check_ct_invalid() refuses, said at the word: a
 * `reason` narrows `ct state invalid` alone; `ct loose` answers a missed
 * TCP window. (In a NAT chain the scratch builder of rules_check_nat()
 * has refused `ct loose` already.)
 */
static int rules_check_ct_invalid(struct parser *p, struct rule_ctx *c)
{
	const struct sfw_rule *r = &c->rr.r;

	if (r->reasons && r->ctstate != 1U << SFW_CT_INVALID)
		return lex_fail(p, &c->reason, "reason needs ct state invalid, and no other state; at");
	if (!(r->flags & SFW_RULE_F_CT_LOOSE))
		return 0;
	if (!r->reasons || (r->reasons & ~SFW_INVALID_REASONS_WINDOW))
		return lex_fail(p, &c->action,
				"ct loose needs ct state invalid reason among tcp_seq_out_of_window, tcp_ack_beyond_end, tcp_ack_too_old, tcp_rst_out_of_window; at");
	return 0;
}

/*
 * What the builder's flow_add() refuses, said at the word: only a
 * forwarded packet has a way out the fast path can take, and the rule
 * that offloads a connection must be the one that lets it through.
 */
static int rules_check_flow_add(struct parser *p, enum sfw_chain ch, struct rule_ctx *c)
{
	if (!c->rr.flow_table[0])
		return 0;
	if (ch != SFW_CHAIN_FORWARD)
		return lex_fail(p, &c->flow, "flow add is valid in chain forward only; at");
	if (c->rr.r.action != SFW_ACT_ACCEPT)
		return lex_fail(p, &c->action, "flow add needs accept (or no action), not");
	return 0;
}

/* MATCH... [counter ...] [log ...] [flow add @FT] ACTION, starting at p->tok. */
int rules_parse_rule(struct parser *p, enum sfw_chain ch)
{
	struct rule_ctx *c = calloc(1, sizeof(*c));
	struct tok first = p->tok, kw;
	int ret = -1;

	if (!c)
		return lex_nomem(p);
	c->rr.line = first.line;
	for (; !lex_at_end(&p->tok); lex_next(p)) {
		unsigned int a;

		if (p->failed)
			goto out;
		kw = p->tok;
		for (a = 0; a < SFW_ACT_COUNT; a++)
			if (lex_is(&kw, sfw_action_names[a]))
				break;
		if (a < SFW_ACT_COUNT && c->have_action) {
			lex_fail(p, &kw, "second action");
			goto out;
		}
		if (c->have_action) {
			lex_fail(p, &kw, "the action must come last; found after it");
			goto out;
		}
		if (a < SFW_ACT_COUNT) {
			c->rr.r.action = a;
			c->have_action = true;
			c->action = kw;
			if (rules_nat_action(a))
				rules_nat_stmt(p, c);
		} else if (lex_is(&kw, "ip") || lex_is(&kw, "ip6") || lex_is(&kw, "inet")) {
			match_addr(p, c, &kw);
		} else if (lex_is(&kw, "tcp") || lex_is(&kw, "udp")) {
			match_ports(p, c, &kw);
		} else if (lex_is(&kw, "icmp") || lex_is(&kw, "icmpv6")) {
			match_icmp(p, c, &kw);
		} else if (lex_is(&kw, "iif") || lex_is(&kw, "oif") || lex_is(&kw, "iifname") ||
			   lex_is(&kw, "oifname")) {
			match_iface(p, c, &kw);
		} else if (lex_is(&kw, "meta")) {
			match_meta(p, c, &kw);
		} else if (lex_is(&kw, "ct")) {
			match_ct(p, c, &kw);
		} else if (lex_is(&kw, "reason")) {
			match_reason(p, c, &kw);
		} else if (lex_is(&kw, "counter")) {
			opt_counter(p, c, &kw);
		} else if (lex_is(&kw, "add")) {
			stmt_add_set(p, c, &kw);
		} else if (lex_is(&kw, "flow")) {
			stmt_flow_add(p, c, &kw);
		} else if (lex_is(&kw, "log")) {
			opt_log(p, c, &kw);
		} else if (lex_is(&kw, "sport") || lex_is(&kw, "dport")) {
			lex_fail(p, &kw, "ports need tcp or udp before");
		} else if (lex_is(&kw, "chain") || lex_is(&kw, "set") || lex_is(&kw, "flowtable")) {
			lex_fail(p, &kw, "rule needs an action (%s) before",
			     rules_nat_chain(ch) ? (ch == SFW_CHAIN_PREROUTING ? "accept, drop or dnat" :
					      "accept, drop, snat or masquerade") :
			     "accept, drop or reject");
		} else {
			lex_fail(p, &kw, "unknown word");
		}
	}
	if (p->failed)
		goto out;
	if (!c->have_action && c->rr.flow_table[0]) {
		/* `flow add @ft` alone is an accept. */
		c->rr.r.action = SFW_ACT_ACCEPT;
		c->have_action = true;
		c->action = c->flow;
	}
	if (!c->have_action) {
		lex_fail(p, &p->last, "rule needs an action (%s) after",
		     rules_nat_chain(ch) ? (ch == SFW_CHAIN_PREROUTING ? "accept, drop or dnat" :
				      "accept, drop, snat or masquerade") :
		     "accept, drop or reject");
		goto out;
	}
	if (rules_check_flow_add(p, ch, c))
		goto out;
	if (rules_check_nat(p, ch, c))
		goto out;
	if ((c->rr.r.flags & SFW_RULE_F_HELPER_FTP) &&
	    (c->rr.r.l4proto != SFW_IPPROTO_TCP || c->rr.r.action != SFW_ACT_ACCEPT ||
	     rules_nat_chain(ch))) {
		lex_fail(p, &c->action, "ct helper set ftp needs tcp and accept, in input, forward or output; at");
		goto out;
	}
	if (rules_check_ct_invalid(p, c))
		goto out;
	lex_unget(p);	/* the end of line (or file) is the caller's */
	ret = add_rule(p, ch, c, &first);
out:
	free(c);
	return ret;
}
