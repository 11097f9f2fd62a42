// SPDX-License-Identifier: GPL-2.0
/*
 * rules_nat.c - a rule's NAT statement (snat, dnat, masquerade: targets,
 * port ranges, lb, sticky timeout), checked as it is read by feeding the
 * rule to a scratch builder, so that a parsed file always builds.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <ctype.h>
#include <inttypes.h>
#include <arpa/inet.h>
#include "rules_parse_priv.h"

bool rules_nat_action(u8 a)
{
	return a == SFW_ACT_SNAT || a == SFW_ACT_DNAT || a == SFW_ACT_MASQUERADE;
}

bool rules_nat_chain(enum sfw_chain ch)
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
		if (!lex_parse_num(s, len, 65535, &lo))
			return lex_fail(p, t, "bad port in");
		hi = lo;
	} else if (!lex_parse_num(s, dash - s, 65535, &lo) ||
		   !lex_parse_num(dash + 1, len - (dash - s) - 1, 65535, &hi)) {
		return lex_fail(p, t, "bad port range in");
	}
	if (!lo)
		return lex_fail(p, t, "port 0 in");
	if (lo > hi)
		return lex_fail(p, t, "port range is backwards in");
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
		return lex_fail(p, t, "bad address in");
	memcpy(buf, s, len);
	buf[len] = 0;
	memset(a, 0, sizeof(*a));
	f = memchr(buf, ':', len) ? SFW_AF_INET6 : SFW_AF_INET;
	if (inet_pton(f == SFW_AF_INET6 ? AF_INET6 : AF_INET, buf, a) != 1)
		return lex_fail(p, t, "bad %s address in", f == SFW_AF_INET6 ? "IPv6" : "IPv4");
	if (*fam && *fam != f)
		return lex_fail(p, t, "IPv4 and IPv6 mixed in");
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
		return lex_fail(p, t, "bad NAT target");
	if (s[0] == '[') {
		const char *rb = memchr(s, ']', t->len);

		if (!rb)
			return lex_fail(p, t, "missing ']' in");
		if (rb + 1 < end && rb[1] != ':')
			return lex_fail(p, t, "expected ':' after ']' in");
		if (rb + 1 < end)
			ports = rb + 2;
		s++;
		aend = rb;
	} else if (memchr(s, '[', t->len) || memchr(s, ']', t->len)) {
		return lex_fail(p, t, "bad NAT target");
	} else if (s[0] == ':' && !(t->len > 1 && s[1] == ':')) {
		/* :PORTS; "::1" is a bare IPv6 address that starts with "::". */
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
			return lex_fail(p, t, "address range is backwards in");
		n->l3num = fam;
		/* The targets' family is the rule's, as the builder has it. */
		if ((c->rr.r.family && c->rr.r.family != fam) ||
		    (c->rr.r.saddr.l3num && c->rr.r.saddr.l3num != fam) ||
		    (c->rr.r.daddr.l3num && c->rr.r.daddr.l3num != fam))
			return lex_fail(p, t, "%s target in a rule for %s:",
				    fam == SFW_AF_INET ? "IPv4" : "IPv6",
				    fam == SFW_AF_INET ? "IPv6" : "IPv4");
		c->rr.r.family = fam;
	} else if (!ports) {
		return lex_fail(p, t, "bad NAT target");
	}
	/* Ports apply to TCP and UDP flows; a rule need not name one (nat.c). */
	if (n->port_lo && c->rr.r.l4proto && c->rr.r.l4proto != SFW_IPPROTO_TCP &&
	    c->rr.r.l4proto != SFW_IPPROTO_UDP)
		return lex_fail(p, t, "ports in a rule for a protocol without ports:");
	return 0;
}

/* N, Ns, Nm or Nh: seconds. */
int rules_parse_duration(struct parser *p, const struct tok *t, u64 max, u32 *out)
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
	if (t->type != T_WORD || !lex_parse_num(t->s, len, max, &v) || v * mul > max)
		return lex_fail(p, t, "bad duration (N, Ns, Nm or Nh, at most %" PRIu64 "s)", max);
	*out = v * mul;
	return 0;
}

/* One target of a braced list. */
static int nat_elem(struct parser *p, void *arg)
{
	struct rule_ctx *c = arg;
	struct sfw_rule *r = &c->rr.r;

	if (r->nnat >= SFW_NAT_TARGETS_MAX)
		return lex_fail(p, &p->tok, "more than %u targets at", SFW_NAT_TARGETS_MAX);
	if (nat_target(p, c, &p->tok, &c->nat[r->nnat]))
		return -1;
	r->nnat++;
	return 0;
}

/*
 * After snat/dnat/masquerade: [to TARGET | to { TARGET, ... }]
 * [lb (hash|rr)] [sticky timeout DURATION], up to the end of the line.
 */
int rules_nat_stmt(struct parser *p, struct rule_ctx *c)
{
	struct sfw_rule *r = &c->rr.r;
	struct tok k;

	if (lex_next(p))
		return -1;
	if (lex_is(&p->tok, "to")) {
		k = p->tok;
		if (lex_value(p, &k))
			return -1;
		if (p->tok.type != T_LBRACE) {
			if (nat_target(p, c, &p->tok, &c->nat[0]))
				return -1;
			r->nnat = 1;
		} else {
			if (lex_braced_list(p, nat_elem, c))
				return -1;
			if (!r->nnat)
				return lex_fail(p, &p->tok, "empty target list at");
		}
		if (lex_next(p))
			return -1;
	}
	if (lex_is(&p->tok, "lb")) {
		k = p->tok;
		if (lex_value(p, &k))
			return -1;
		if (lex_is(&p->tok, "hash"))
			r->nat_lb = SFW_LB_HASH;
		else if (lex_is(&p->tok, "rr"))
			r->nat_lb = SFW_LB_RR;
		else
			return lex_fail(p, &p->tok, "lb is hash or rr, not");
		if (lex_next(p))
			return -1;
	}
	if (lex_is(&p->tok, "sticky")) {
		k = p->tok;
		if (lex_value(p, &k))
			return -1;
		if (!lex_is(&p->tok, "timeout"))
			return lex_fail(p, &p->tok, "expected timeout, not");
		k = p->tok;
		if (lex_value(p, &k) || rules_parse_duration(p, &p->tok, 86400, &r->nat_sticky))
			return -1;
		if (lex_next(p))
			return -1;
	}
	if (!lex_at_end(&p->tok)) {
		if (lex_is(&p->tok, "to") || lex_is(&p->tok, "lb") || lex_is(&p->tok, "sticky"))
			return lex_fail(p, &p->tok, "%s: to, then lb, then sticky; found out of order",
				    sfw_action_names[r->action]);
		return lex_fail(p, &p->tok, "the action must come last; found after it");
	}
	lex_unget(p);
	return 0;
}

/* A NAT rule, or any rule of a NAT chain, as the builder will see it. */
int rules_check_nat(struct parser *p, enum sfw_chain ch, struct rule_ctx *c)
{
	struct rules_rule *rr = &c->rr;
	char berr[SFW_ERR_LEN] = "";
	int ret;

	if (!rules_nat_chain(ch) && !rules_nat_action(rr->r.action))
		return 0;
	if (!p->b) {
		p->b = sfw_ruleset_builder_new();
		if (!p->b)
			return lex_nomem(p);
	}
	rr->r.nsport = c->nports[0];
	rr->r.ndport = c->nports[1];
	ret = sfw_ruleset_builder_rule(p->b, ch, &rr->r, c->ports[0], c->ports[1],
				       NULL, NULL, berr);
	if (!ret && rules_nat_action(rr->r.action))
		ret = sfw_ruleset_builder_nat(p->b, ch, c->nat, rr->r.nnat, rr->r.nat_lb,
					      rr->r.nat_sticky, berr);
	if (ret == -ENOMEM)
		return lex_nomem(p);
	if (ret)
		return lex_fail(p, &c->action, "%s:", berr);
	return 0;
}
