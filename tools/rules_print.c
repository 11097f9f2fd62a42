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
#include "rules_parse.h"

static void print_prefix(FILE *f, const struct sfw_prefix *p)
{
	char buf[INET6_ADDRSTRLEN];
	int af = p->l3num == SFW_AF_INET ? AF_INET : AF_INET6;

	inet_ntop(af, &p->addr, buf, sizeof(buf));
	if (p->len != (af == AF_INET ? 32 : 128))
		fprintf(f, "%s/%u", buf, p->len);
	else
		fputs(buf, f);
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
	bool fam_shown = false;
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
				fprintf(f, "%s%s", n++ ? "," : "", sfw_rules_ctstate_names[i]);
		fputc(' ', f);
	}
	if (flags & SFW_RULES_PRINT_COUNTERS)
		fprintf(f, "counter packets %" PRIu64 " bytes %" PRIu64 " ", rr->packets, rr->bytes);
	if (r->flags & SFW_RULE_F_HELPER_FTP)
		fputs("ct helper set ftp ", f);
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
		for (k = 0; k < s->n; k++) {
			fputs(k ? (split ? ",\n  " : ", ") : (split ? "\n  " : " "), f);
			print_prefix(f, &s->elems[k]);
		}
		fputs(split ? "\n}\n" : " }\n", f);
	}
}

static void json_str(FILE *f, const char *s, size_t max)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < max && s[i]; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_ports(FILE *f, const char *key, const struct sfw_port_range *p, u16 n)
{
	u16 i;

	fprintf(f, ",\"%s\":[", key);
	for (i = 0; i < n; i++)
		fprintf(f, "%s[%u,%u]", i ? "," : "", p[i].lo, p[i].hi);
	fputc(']', f);
}

static void json_addr(FILE *f, const char *key, const struct sfw_prefix *p, const char *set)
{
	if (set[0]) {
		fprintf(f, ",\"%s\":", key);
		json_str(f, set, SFW_SET_NAME_LEN);
		return;
	}
	if (!p->l3num)
		return;
	fprintf(f, ",\"%s\":\"", key);
	print_prefix(f, p);
	fputc('"', f);
}

/* "nat":{"targets":[{"addr":"A","addr_hi":"B","ports":[LO,HI]}],"lb":"hash","sticky":N} */
static void json_nat(FILE *f, const struct rules_rule *rr)
{
	const struct sfw_rule *r = &rr->r;
	char a[INET6_ADDRSTRLEN];
	u16 i;

	fputs(",\"nat\":{\"targets\":[", f);
	for (i = 0; i < r->nnat; i++) {
		const struct sfw_nat_range *t = &rr->nat[i];
		int af = t->l3num == SFW_AF_INET ? AF_INET : AF_INET6;
		const char *sep = "";

		fputs(i ? ",{" : "{", f);
		if (t->l3num) {
			inet_ntop(af, &t->lo, a, sizeof(a));
			fprintf(f, "\"addr\":\"%s\"", a);
			if (memcmp(&t->lo, &t->hi, sizeof(t->lo))) {
				inet_ntop(af, &t->hi, a, sizeof(a));
				fprintf(f, ",\"addr_hi\":\"%s\"", a);
			}
			sep = ",";
		}
		if (t->port_lo)
			fprintf(f, "%s\"ports\":[%u,%u]", sep, t->port_lo, t->port_hi);
		fputc('}', f);
	}
	fputc(']', f);
	if (r->nat_lb)
		fprintf(f, ",\"lb\":\"%s\"", r->nat_lb == SFW_LB_RR ? "rr" : "hash");
	if (r->nat_sticky)
		fprintf(f, ",\"sticky\":%u", r->nat_sticky);
	fputc('}', f);
}

static void json_rule(FILE *f, const struct rules_rule *rr, unsigned int flags)
{
	const struct sfw_rule *r = &rr->r;
	const char *name;
	unsigned int i, n;

	fputs("{", f);
	fprintf(f, "\"action\":\"%s\"", r->action < SFW_ACT_COUNT ? sfw_action_names[r->action] : "?");
	if (rr->line)
		fprintf(f, ",\"line\":%u", rr->line);
	if (r->family)
		fprintf(f, ",\"family\":\"%s\"", r->family == SFW_AF_INET ? "ip" : "ip6");
	if (r->l4proto) {
		name = sfw_rules_name_of(sfw_rules_protos, r->l4proto);
		if (name)
			fprintf(f, ",\"l4proto\":\"%s\"", name);
		else
			fprintf(f, ",\"l4proto\":%u", r->l4proto);
	}
	if (r->iif[0]) {
		fputs(",\"iif\":", f);
		json_str(f, r->iif, SFW_IFNAMSIZ);
	}
	if (r->oif[0]) {
		fputs(",\"oif\":", f);
		json_str(f, r->oif, SFW_IFNAMSIZ);
	}
	json_addr(f, rr->saddr_set[0] ? "saddr_set" : "saddr", &r->saddr, rr->saddr_set);
	json_addr(f, rr->daddr_set[0] ? "daddr_set" : "daddr", &r->daddr, rr->daddr_set);
	if (r->nsport)
		json_ports(f, "sport", rr->sports, r->nsport);
	if (r->ndport)
		json_ports(f, "dport", rr->dports, r->ndport);
	if (r->flags & SFW_RULE_F_ICMP_TYPE)
		fprintf(f, ",\"icmp_type\":%u", r->icmp_type);
	if (r->ctstate) {
		fputs(",\"ct_state\":[", f);
		for (i = 0, n = 0; i < SFW_CT_COUNT; i++)
			if (r->ctstate & (1U << i))
				fprintf(f, "%s\"%s\"", n++ ? "," : "", sfw_rules_ctstate_names[i]);
		fputc(']', f);
	}
	if (r->flags & SFW_RULE_F_HELPER_FTP)
		fputs(",\"ct_helper\":\"ftp\"", f);
	if (r->flags & SFW_RULE_F_LOG) {
		fputs(",\"log\":{\"prefix\":", f);
		json_str(f, r->log_prefix, SFW_LOG_PREFIX_LEN);
		fputc('}', f);
	}
	if (r->nnat || r->nat_lb || r->nat_sticky)
		json_nat(f, rr);
	if (flags & SFW_RULES_PRINT_COUNTERS)
		fprintf(f, ",\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64, rr->packets, rr->bytes);
	fputs(",\"text\":\"", f);
	{
		/* The rule as sfw syntax too, so scripts need not rebuild it. */
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);

		if (m) {
			sfw_rules_print_rule(m, rr, 0);
			fclose(m);
			for (i = 0; i < len; i++) {
				if (buf[i] == '"' || buf[i] == '\\')
					fputc('\\', f);
				fputc(buf[i], f);
			}
		}
		free(buf);
	}
	fputs("\"}", f);
}

void sfw_rules_print_json(FILE *f, const struct rules_file *rf, unsigned int flags)
{
	unsigned int c, nc = 0;
	u32 i, k;

	fputs("{\"chains\":[", f);
	for (c = 0; c < SFW_CHAIN_COUNT; c++) {
		const struct rules_chain *ch = &rf->chain[c];

		/* An empty NAT chain (policy accept, always) says nothing. */
		if (!ch->defined || (c >= SFW_CHAIN_PREROUTING && !ch->n))
			continue;
		fprintf(f, "%s{\"name\":\"%s\",\"policy\":\"%s\",\"rules\":[", nc++ ? "," : "",
			sfw_chain_names[c], ch->policy == SFW_ACT_DROP ? "drop" : "accept");
		for (i = 0; i < ch->n; i++) {
			if (i)
				fputc(',', f);
			json_rule(f, &ch->rules[i], flags);
		}
		fputs("]}", f);
	}
	fputs("],\"sets\":[", f);
	for (i = 0; i < rf->nsets; i++) {
		const struct rules_set *s = &rf->sets[i];

		fprintf(f, "%s{\"name\":", i ? "," : "");
		json_str(f, s->name, SFW_SET_NAME_LEN);
		fputs(",\"elements\":[", f);
		for (k = 0; k < s->n; k++) {
			fputs(k ? ",\"" : "\"", f);
			print_prefix(f, &s->elems[k]);
			fputc('"', f);
		}
		fputs("]}", f);
	}
	fputs("]}\n", f);
}
