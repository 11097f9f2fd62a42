// SPDX-License-Identifier: GPL-2.0
/*
 * rules_print.c - a struct rules_file back to text, or to JSON.
 *
 * The text form is canonical: matches in one fixed order, names for
 * protocols and ICMP types where there are names, ports and states in
 * the order given, and a family word only where no other match implies
 * it. Printing what sfw_rules_parse() read, and parsing that, gives the
 * same rules; printing again gives the same text (tests/unit checks it).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "rules_parse.h"
#include "json.h"

#define PREFIX_STRLEN (INET6_ADDRSTRLEN + 4)

/* ADDR, or ADDR/LEN where it is not a host. */
static const char *prefix_str(const struct sfw_prefix *p, char *buf)
{
	int af = p->l3num == SFW_AF_INET ? AF_INET : AF_INET6;
	size_t n;

	inet_ntop(af, &p->addr, buf, INET6_ADDRSTRLEN);
	n = strlen(buf);
	if (p->len != (af == AF_INET ? 32 : 128))
		snprintf(buf + n, PREFIX_STRLEN - n, "/%u", p->len);
	return buf;
}

static void print_prefix(FILE *f, const struct sfw_prefix *p)
{
	char buf[PREFIX_STRLEN];

	fputs(prefix_str(p, buf), f);
}

static void print_ports(FILE *f, const struct sfw_port_range *p, u16 n)
{
	u16 i;

	if (n > 1)
		fputs("{ ", f);
	for (i = 0; i < n; i++) {
		if (i)
			fputs(", ", f);
		if (p[i].lo == p[i].hi)
			fprintf(f, "%u", p[i].lo);
		else
			fprintf(f, "%u-%u", p[i].lo, p[i].hi);
	}
	if (n > 1)
		fputs(" }", f);
}

/* A name as a bare word if it lexes as one, else as a "string". */
static void print_name(FILE *f, const char *s)
{
	const char *c;

	for (c = s; *c; c++)
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') &&
		    !(*c >= '0' && *c <= '9') && !strchr("_.:-", *c))
			break;
	if (*s && !*c && *s != '@') {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (c = s; *c; c++) {
		if (*c == '"' || *c == '\\')
			fputc('\\', f);
		fputc(*c, f);
	}
	fputc('"', f);
}

/* A NAT target: ADDR[-ADDR][:PORTS], [IPV6[-IPV6]]:PORTS or :PORTS. */
static void print_target(FILE *f, const struct sfw_nat_range *t)
{
	char lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];
	int af = t->l3num == SFW_AF_INET ? AF_INET : AF_INET6;
	bool v6p = t->l3num == SFW_AF_INET6 && t->port_lo;

	if (t->l3num) {
		inet_ntop(af, &t->lo, lo, sizeof(lo));
		inet_ntop(af, &t->hi, hi, sizeof(hi));
		fprintf(f, "%s%s", v6p ? "[" : "", lo);
		if (strcmp(lo, hi))
			fprintf(f, "-%s", hi);
		if (v6p)
			fputc(']', f);
	}
	if (t->port_lo) {
		fprintf(f, ":%u", t->port_lo);
		if (t->port_hi != t->port_lo)
			fprintf(f, "-%u", t->port_hi);
	}
}

/* Seconds in the largest unit that says them exactly. */
static void print_duration(FILE *f, u32 s)
{
	if (s && !(s % 3600))
		fprintf(f, "%uh", s / 3600);
	else if (s && !(s % 60))
		fprintf(f, "%um", s / 60);
	else
		fprintf(f, "%u", s);
}

/* " to ... lb ... sticky timeout ..." after snat, dnat, masquerade. */
static void print_nat(FILE *f, const struct rules_rule *rr)
{
	const struct sfw_rule *r = &rr->r;
	u16 i;

	if (r->nnat) {
		fputs(r->nnat > 1 ? " to { " : " to ", f);
		for (i = 0; i < r->nnat; i++) {
			if (i)
				fputs(", ", f);
			print_target(f, &rr->nat[i]);
		}
		if (r->nnat > 1)
			fputs(" }", f);
	}
	if (r->nat_lb)
		fprintf(f, " lb %s", r->nat_lb == SFW_LB_RR ? "rr" : "hash");
	if (r->nat_sticky) {
		fputs(" sticky timeout ", f);
		print_duration(f, r->nat_sticky);
	}
}

static const char *proto_word(u8 l4proto)
{
	return l4proto == SFW_IPPROTO_UDP ? "udp" : "tcp";
}

static void print_addr(FILE *f, const struct sfw_rule *r, const struct sfw_prefix *p,
		       const char *set, const char *side)
{
	if (set[0])
		fprintf(f, "%s %s @%s ", r->family == SFW_AF_INET ? "ip" :
			r->family == SFW_AF_INET6 ? "ip6" : "inet", side, set);
	else if (p->l3num) {
		fprintf(f, "%s %s ", p->l3num == SFW_AF_INET ? "ip" : "ip6", side);
		print_prefix(f, p);
		fputc(' ', f);
	}
}

void sfw_rules_print_rule(FILE *f, const struct rules_rule *rr, unsigned int flags)
{
	const struct sfw_rule *r = &rr->r;
	bool icmp = r->flags & SFW_RULE_F_ICMP_TYPE;
	bool ports = r->nsport || r->ndport;
	bool fam_shown = false, plain;
	unsigned int i, n;

	if (r->iif[0]) {
		fputs("iif ", f);
		print_name(f, r->iif);
		fputc(' ', f);
	}
	if (r->oif[0]) {
		fputs("oif ", f);
		print_name(f, r->oif);
		fputc(' ', f);
	}
	print_addr(f, r, &r->saddr, rr->saddr_set, "saddr");
	print_addr(f, r, &r->daddr, rr->daddr_set, "daddr");
	/* What implies the family: an ip/ip6 address match, or an icmp type. */
	if ((rr->saddr_set[0] && r->family) || (rr->daddr_set[0] && r->family) ||
	    r->saddr.l3num || r->daddr.l3num)
		fam_shown = true;
	/* A NAT target's address: the rule takes its family. */
	if (r->nnat && rr->nat && rr->nat[0].l3num && rr->nat[0].l3num == r->family)
		fam_shown = true;
	if (icmp && (r->l4proto == SFW_IPPROTO_ICMP) == (r->family == SFW_AF_INET) &&
	    (r->l4proto == SFW_IPPROTO_ICMPV6) == (r->family == SFW_AF_INET6))
		fam_shown = true;
	if (r->family && !fam_shown)
		fprintf(f, "meta nfproto %s ", r->family == SFW_AF_INET ? "ipv4" : "ipv6");
	if (r->l4proto && !ports && !icmp) {
		const char *name = sfw_rules_name_of(sfw_rules_protos, r->l4proto);

		if (name)
			fprintf(f, "meta l4proto %s ", name);
		else
			fprintf(f, "meta l4proto %u ", r->l4proto);
	}
	if (r->nsport) {
		fprintf(f, "%s sport ", proto_word(r->l4proto));
		print_ports(f, rr->sports, r->nsport);
		fputc(' ', f);
	}
	if (r->ndport) {
		fprintf(f, "%s dport ", proto_word(r->l4proto));
		print_ports(f, rr->dports, r->ndport);
		fputc(' ', f);
	}
	if (icmp) {
		bool v6 = r->l4proto == SFW_IPPROTO_ICMPV6;
		const char *name = sfw_rules_name_of(v6 ? sfw_rules_icmpv6_types :
						     sfw_rules_icmp_types, r->icmp_type);

		fprintf(f, "%s type ", v6 ? "icmpv6" : "icmp");
		if (name)
			fprintf(f, "%s ", name);
		else
			fprintf(f, "%u ", r->icmp_type);
	}
	if (r->ctstate) {
		fputs("ct state ", f);
		for (i = 0, n = 0; i < SFW_CT_COUNT; i++)
			if (r->ctstate & (1U << i))
				fprintf(f, "%s%s", n++ ? "," : "", sfw_ctinfo_names[i]);
		fputc(' ', f);
	}
	if (r->reasons) {
		fputs("reason ", f);
		for (i = 0, n = 0; i < SFW_INVALID_COUNT; i++)
			if (r->reasons & (1U << i))
				n++;
		if (n > 1)
			fputs("{ ", f);
		for (i = 0, n = 0; i < SFW_INVALID_COUNT; i++)
			if (r->reasons & (1U << i))
				fprintf(f, "%s%s", n++ ? ", " : "", sfw_invalid_names[i]);
		fputs(n > 1 ? " } " : " ", f);
	}
	if (r->flags & SFW_RULE_F_CT_COUNT) {
		fprintf(f, "ct count over %u ", r->count_max);
		if (r->count_l3num)
			fprintf(f, "by %s saddr/%u ", r->count_l3num == SFW_AF_INET ? "ip" : "ip6",
				r->count_len);
	}
	if (r->flags & SFW_RULE_F_CT_RATE) {
		fprintf(f, "ct rate over %u/%s ", r->rate,
			r->rate_unit == 3600 ? "hour" : r->rate_unit == 60 ? "minute" : "second");
		if (r->rate_burst)
			fprintf(f, "burst %u ", r->rate_burst);
		if (r->rate_l3num)
			fprintf(f, "by %s saddr/%u ", r->rate_l3num == SFW_AF_INET ? "ip" : "ip6",
				r->rate_len);
	}
	if (flags & SFW_RULES_PRINT_COUNTERS)
		fprintf(f, "counter packets %" PRIu64 " bytes %" PRIu64 " ", rr->packets, rr->bytes);
	if (r->flags & SFW_RULE_F_HELPER_FTP)
		fputs("ct helper set ftp ", f);
	if (rr->add_set[0])
		fprintf(f, "add @%.*s ", SFW_SET_NAME_LEN, rr->add_set);
	if (r->flags & SFW_RULE_F_LOG) {
		fputs("log ", f);
		if (r->log_prefix[0]) {
			const char *c;

			fputs("prefix \"", f);
			for (c = r->log_prefix; *c && c < r->log_prefix + SFW_LOG_PREFIX_LEN; c++) {
				if (*c == '"' || *c == '\\')
					fputc('\\', f);
				fputc(*c, f);
			}
			fputs("\" ", f);
		}
	}
	/* flow add is an accept: a plain accept after it goes without saying. */
	plain = r->action == SFW_ACT_ACCEPT && !(r->flags & SFW_RULE_F_CT_LOOSE);
	if (rr->flow_table[0])
		fprintf(f, "flow add @%.*s%s", SFW_SET_NAME_LEN, rr->flow_table, plain ? "" : " ");
	if (r->flags & SFW_RULE_F_CT_LOOSE)
		fputs("ct loose", f);	/* an accept that loosens the connection */
	else if (!rr->flow_table[0] || !plain)
		fputs(r->action < SFW_ACT_COUNT ? sfw_action_names[r->action] : "drop", f);
	print_nat(f, rr);
}

void sfw_rules_print(FILE *f, const struct rules_file *rf, unsigned int flags)
{
	unsigned int c;
	u32 i, k;

	for (c = 0; c < SFW_CHAIN_COUNT; c++) {
		const struct rules_chain *ch = &rf->chain[c];

		/* An empty NAT chain (policy accept, always) says nothing. */
		if (!ch->defined || (c >= SFW_CHAIN_PREROUTING && !ch->n))
			continue;
		fprintf(f, "chain %s policy %s\n", sfw_chain_names[c],
			ch->policy == SFW_ACT_DROP ? "drop" : "accept");
		for (i = 0; i < ch->n; i++) {
			fputs("  ", f);
			sfw_rules_print_rule(f, &ch->rules[i], flags);
			fputc('\n', f);
		}
	}
	for (i = 0; i < rf->nsets; i++) {
		const struct rules_set *s = &rf->sets[i];
		bool split = s->n > 4;	/* one element a line beyond a few */

		fprintf(f, "set %s {", s->name);
		if (s->timeout) {
			fputs(split ? "\n  timeout " : " timeout ", f);
			print_duration(f, s->timeout);
			if (s->n)
				fputc(',', f);
		}
		for (k = 0; k < s->n; k++) {
			fputs(k ? (split ? ",\n  " : ", ") : (split ? "\n  " : " "), f);
			print_prefix(f, &s->elems[k]);
		}
		fputs(split ? "\n}\n" : " }\n", f);
	}
	for (i = 0; i < rf->nflowtables; i++) {
		const struct rules_flowtable *ft = &rf->flowtables[i];

		fprintf(f, "flowtable %s { devices = { ", ft->name);
		for (k = 0; k < ft->ndevs; k++) {
			if (k)
				fputs(", ", f);
			print_name(f, ft->devs[k]);
		}
		fputs(" } }\n", f);
	}
}

/* ---- JSON, through jansson (json.c); the schema is in sfwctl(8) ---- */

static json_t *json_ports(const struct sfw_port_range *p, u16 n)
{
	json_t *arr = sfw_json_array(), *pair;
	u16 i;

	for (i = 0; i < n; i++) {
		pair = sfw_json_array();
		sfw_json_append(pair, json_integer(p[i].lo));
		sfw_json_append(pair, json_integer(p[i].hi));
		sfw_json_append(arr, pair);
	}
	return arr;
}

/* "saddr":"PREFIX", or "saddr_set":"NAME" for a match on a named set. */
static void json_addr(json_t *o, const char *side, const struct sfw_prefix *p, const char *set)
{
	char key[16], buf[PREFIX_STRLEN];

	snprintf(key, sizeof(key), "%s%s", side, set[0] ? "_set" : "");
	if (set[0])
		sfw_json_set(o, key, sfw_json_string(set, SFW_SET_NAME_LEN));
	else if (p->l3num)
		sfw_json_set(o, key, sfw_json_str(prefix_str(p, buf)));
}

/* "nat":{"targets":[{"addr":"A","addr_hi":"B","ports":[LO,HI]}],"lb":"hash","sticky":N} */
static json_t *json_nat(const struct rules_rule *rr)
{
	const struct sfw_rule *r = &rr->r;
	json_t *nat = sfw_json_object(), *targets = sfw_json_array(), *t, *ports;
	char a[INET6_ADDRSTRLEN];
	u16 i;

	for (i = 0; i < r->nnat; i++) {
		const struct sfw_nat_range *n = &rr->nat[i];
		int af = n->l3num == SFW_AF_INET ? AF_INET : AF_INET6;

		t = sfw_json_object();
		if (n->l3num) {
			inet_ntop(af, &n->lo, a, sizeof(a));
			sfw_json_set(t, "addr", sfw_json_str(a));
			if (memcmp(&n->lo, &n->hi, sizeof(n->lo))) {
				inet_ntop(af, &n->hi, a, sizeof(a));
				sfw_json_set(t, "addr_hi", sfw_json_str(a));
			}
		}
		if (n->port_lo) {
			ports = sfw_json_array();
			sfw_json_append(ports, json_integer(n->port_lo));
			sfw_json_append(ports, json_integer(n->port_hi));
			sfw_json_set(t, "ports", ports);
		}
		sfw_json_append(targets, t);
	}
	sfw_json_set(nat, "targets", targets);
	if (r->nat_lb)
		sfw_json_set(nat, "lb", sfw_json_str(r->nat_lb == SFW_LB_RR ? "rr" : "hash"));
	if (r->nat_sticky)
		sfw_json_set(nat, "sticky", json_integer(r->nat_sticky));
	return nat;
}

/* The rule as sfw syntax too, so scripts need not rebuild it. */
static json_t *json_text(const struct rules_rule *rr)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	json_t *v;

	if (!m)
		return sfw_json_str("");
	sfw_rules_print_rule(m, rr, 0);
	fclose(m);
	v = sfw_json_string(buf, len);
	free(buf);
	return v;
}

static json_t *json_rule(const struct rules_rule *rr, unsigned int flags)
{
	const struct sfw_rule *r = &rr->r;
	json_t *o = sfw_json_object(), *st, *log;
	const char *name;
	unsigned int i;

	sfw_json_set(o, "action", sfw_json_str(r->action < SFW_ACT_COUNT ?
					       sfw_action_names[r->action] : "?"));
	if (rr->line)
		sfw_json_set(o, "line", json_integer(rr->line));
	if (r->family)
		sfw_json_set(o, "family", sfw_json_str(r->family == SFW_AF_INET ? "ip" : "ip6"));
	if (r->l4proto) {
		name = sfw_rules_name_of(sfw_rules_protos, r->l4proto);
		sfw_json_set(o, "l4proto", name ? sfw_json_str(name) : json_integer(r->l4proto));
	}
	if (r->iif[0])
		sfw_json_set(o, "iif", sfw_json_string(r->iif, SFW_IFNAMSIZ));
	if (r->oif[0])
		sfw_json_set(o, "oif", sfw_json_string(r->oif, SFW_IFNAMSIZ));
	json_addr(o, "saddr", &r->saddr, rr->saddr_set);
	json_addr(o, "daddr", &r->daddr, rr->daddr_set);
	if (r->nsport)
		sfw_json_set(o, "sport", json_ports(rr->sports, r->nsport));
	if (r->ndport)
		sfw_json_set(o, "dport", json_ports(rr->dports, r->ndport));
	if (r->flags & SFW_RULE_F_ICMP_TYPE)
		sfw_json_set(o, "icmp_type", json_integer(r->icmp_type));
	if (r->ctstate) {
		st = sfw_json_array();
		for (i = 0; i < SFW_CT_COUNT; i++)
			if (r->ctstate & (1U << i))
				sfw_json_append(st, sfw_json_str(sfw_ctinfo_names[i]));
		sfw_json_set(o, "ct_state", st);
	}
	if (r->reasons) {
		st = sfw_json_array();
		for (i = 0; i < SFW_INVALID_COUNT; i++)
			if (r->reasons & (1U << i))
				sfw_json_append(st, sfw_json_str(sfw_invalid_names[i]));
		sfw_json_set(o, "ct_reasons", st);
	}
	if (r->flags & SFW_RULE_F_HELPER_FTP)
		sfw_json_set(o, "ct_helper", sfw_json_str("ftp"));
	if (r->flags & SFW_RULE_F_CT_LOOSE)
		sfw_json_set(o, "ct_loose", json_true());
	if (r->flags & SFW_RULE_F_CT_COUNT) {
		json_t *cnt = sfw_json_object();

		sfw_json_set(cnt, "over", json_integer(r->count_max));
		if (r->count_l3num) {
			sfw_json_set(cnt, "family",
				     sfw_json_str(r->count_l3num == SFW_AF_INET ? "ip" : "ip6"));
			sfw_json_set(cnt, "prefix", json_integer(r->count_len));
		}
		sfw_json_set(o, "ct_count", cnt);
	}
	if (r->flags & SFW_RULE_F_CT_RATE) {
		json_t *rt = sfw_json_object();

		sfw_json_set(rt, "over", json_integer(r->rate));
		sfw_json_set(rt, "per_seconds", json_integer(r->rate_unit));
		sfw_json_set(rt, "burst", json_integer(r->rate_burst ? r->rate_burst : r->rate));
		if (r->rate_l3num) {
			sfw_json_set(rt, "family",
				     sfw_json_str(r->rate_l3num == SFW_AF_INET ? "ip" : "ip6"));
			sfw_json_set(rt, "prefix", json_integer(r->rate_len));
		}
		sfw_json_set(o, "ct_rate", rt);
	}
	if (rr->add_set[0])
		sfw_json_set(o, "add_set", sfw_json_string(rr->add_set, SFW_SET_NAME_LEN));
	if (rr->flow_table[0])
		sfw_json_set(o, "flow_add", sfw_json_string(rr->flow_table, SFW_SET_NAME_LEN));
	if (r->flags & SFW_RULE_F_LOG) {
		log = sfw_json_object();
		sfw_json_set(log, "prefix", sfw_json_string(r->log_prefix, SFW_LOG_PREFIX_LEN));
		sfw_json_set(o, "log", log);
	}
	if (r->nnat || r->nat_lb || r->nat_sticky)
		sfw_json_set(o, "nat", json_nat(rr));
	if (flags & SFW_RULES_PRINT_COUNTERS) {
		sfw_json_set(o, "packets", sfw_json_u64(rr->packets));
		sfw_json_set(o, "bytes", sfw_json_u64(rr->bytes));
	}
	sfw_json_set(o, "text", json_text(rr));
	return o;
}

json_t *sfw_rules_json(const struct rules_file *rf, unsigned int flags)
{
	json_t *o = sfw_json_object(), *chains = sfw_json_array(), *sets = sfw_json_array();
	json_t *ch_o, *rules, *elems, *set_o, *fts;
	char buf[PREFIX_STRLEN];
	unsigned int c;
	u32 i, k;

	for (c = 0; c < SFW_CHAIN_COUNT; c++) {
		const struct rules_chain *ch = &rf->chain[c];

		/* An empty NAT chain (policy accept, always) says nothing. */
		if (!ch->defined || (c >= SFW_CHAIN_PREROUTING && !ch->n))
			continue;
		ch_o = sfw_json_object();
		sfw_json_set(ch_o, "name", sfw_json_str(sfw_chain_names[c]));
		sfw_json_set(ch_o, "policy", sfw_json_str(ch->policy == SFW_ACT_DROP ?
							  "drop" : "accept"));
		rules = sfw_json_array();
		for (i = 0; i < ch->n; i++)
			sfw_json_append(rules, json_rule(&ch->rules[i], flags));
		sfw_json_set(ch_o, "rules", rules);
		sfw_json_append(chains, ch_o);
	}
	sfw_json_set(o, "chains", chains);
	for (i = 0; i < rf->nsets; i++) {
		const struct rules_set *s = &rf->sets[i];

		set_o = sfw_json_object();
		sfw_json_set(set_o, "name", sfw_json_string(s->name, SFW_SET_NAME_LEN));
		elems = sfw_json_array();
		for (k = 0; k < s->n; k++)
			sfw_json_append(elems, sfw_json_str(prefix_str(&s->elems[k], buf)));
		sfw_json_set(set_o, "elements", elems);
		if (s->timeout)
			sfw_json_set(set_o, "timeout", json_integer(s->timeout));
		sfw_json_append(sets, set_o);
	}
	sfw_json_set(o, "sets", sets);
	fts = sfw_json_array();
	for (i = 0; i < rf->nflowtables; i++) {
		const struct rules_flowtable *ft = &rf->flowtables[i];

		set_o = sfw_json_object();
		sfw_json_set(set_o, "name", sfw_json_string(ft->name, SFW_SET_NAME_LEN));
		elems = sfw_json_array();
		for (k = 0; k < ft->ndevs; k++)
			sfw_json_append(elems, sfw_json_string(ft->devs[k], SFW_IFNAMSIZ));
		sfw_json_set(set_o, "devices", elems);
		sfw_json_append(fts, set_o);
	}
	sfw_json_set(o, "flowtables", fts);
	return o;
}

void sfw_rules_print_json(FILE *f, const struct rules_file *rf, unsigned int flags)
{
	sfw_json_print(f, sfw_rules_json(rf, flags));
}
