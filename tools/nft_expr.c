// SPDX-License-Identifier: GPL-2.0
/*
 * nft_expr.c - import-nft's translation of one rule's expressions.
 *
 * It reads them the way nft's own delinearizer does, one load followed
 * by the comparison that consumes it: "meta load iifname; cmp eq" is
 * `iif NAME`, "payload load 4b @ network + 12; bitwise; cmp eq" is
 * `ip saddr PREFIX`, "ct load state; bitwise; cmp neq 0" is `ct state
 * ...`, "payload load 1b @ network + 6; cmp eq" in an IPv6 rule is `ip6
 * nexthdr`, and so on. Whatever does not fit is reported with
 * nft_xerr(), once.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include "nft_import.h"

void nft_xerr(struct xlate *x, const char *fmt, ...)
{
	va_list ap;

	if (x->rr)
		fprintf(stderr, "sfwctl: import-nft: table %s %s chain %s handle %" PRIu64 ": ",
			x->fam, x->table, x->chain, x->handle);
	else
		fprintf(stderr, "sfwctl: import-nft: table %s %s chain %s: ", x->fam, x->table, x->chain);
	/* libnftnl's text of the expression, as `nft --debug=netlink` shows it */
	if (x->expr) {
		char text[256];

		if (nftnl_expr_snprintf(text, sizeof(text), x->expr, NFTNL_OUTPUT_DEFAULT, 0) >= 0)
			fprintf(stderr, "[ %s %s]: ", nftnl_expr_get_str(x->expr, NFTNL_EXPR_NAME),
				text);
		else
			fprintf(stderr, "[ %s ]: ", nftnl_expr_get_str(x->expr, NFTNL_EXPR_NAME));
	}
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	x->errors++;
}

/* A netmask of @len bytes as a prefix length, or -1 if it is not one. */
int nft_mask_len(const uint8_t *m, uint32_t len)
{
	uint32_t i;
	int bits = 0;
	bool zero = false;

	for (i = 0; i < len * 8; i++) {
		bool one = m[i / 8] & (0x80 >> (i % 8));

		if (one && zero)
			return -1;
		if (one)
			bits++;
		else
			zero = true;
	}
	return bits;
}

static const char *meta_name(uint32_t k)
{
	static char buf[16];

	switch (k) {
	case NFT_META_LEN: return "length";
	case NFT_META_PROTOCOL: return "protocol";
	case NFT_META_PRIORITY: return "priority";
	case NFT_META_MARK: return "mark";
	case NFT_META_IIF: return "iif (by index; use iifname)";
	case NFT_META_OIF: return "oif (by index; use oifname)";
	case NFT_META_IIFTYPE: return "iiftype";
	case NFT_META_SKUID: return "skuid";
	case NFT_META_SKGID: return "skgid";
	case NFT_META_PKTTYPE: return "pkttype";
	}
	snprintf(buf, sizeof(buf), "key %u", k);
	return buf;
}

static u8 rule_family(struct xlate *x)
{
	if (x->family == NFPROTO_IPV4)
		return SFW_AF_INET;
	if (x->family == NFPROTO_IPV6)
		return SFW_AF_INET6;
	return x->rr->r.family;
}

/*
 * The address loaded from the network header: 's' or 'd', or 0. nft loads
 * only the bytes a prefix needs ("ip saddr 10.0.1.0/24" loads 3 bytes).
 */
static char addr_side(struct xlate *x, u8 *l3num)
{
	u8 fam = rule_family(x);

	if (x->load != L_NET || !x->len)
		return 0;
	if (fam == SFW_AF_INET && x->len <= 4 && (x->offset == 12 || x->offset == 16)) {
		*l3num = SFW_AF_INET;
		return x->offset == 12 ? 's' : 'd';
	}
	if (fam == SFW_AF_INET6 && x->len <= 16 && (x->offset == 8 || x->offset == 24)) {
		*l3num = SFW_AF_INET6;
		return x->offset == 8 ? 's' : 'd';
	}
	return 0;
}

/* The port loaded from the transport header: 's' or 'd', or 0. */
static char port_side(struct xlate *x)
{
	u8 p = x->rr->r.l4proto;

	if (x->load != L_TRANSPORT || x->len != 2 || x->masked ||
	    (p != SFW_IPPROTO_TCP && p != SFW_IPPROTO_UDP) || x->offset > 2 || x->offset % 2)
		return 0;
	return x->offset == 0 ? 's' : 'd';
}

static bool icmp_type_load(struct xlate *x)
{
	u8 p = x->rr->r.l4proto;

	return x->load == L_TRANSPORT && x->offset == 0 && x->len == 1 && !x->masked &&
	       (p == SFW_IPPROTO_ICMP || p == SFW_IPPROTO_ICMPV6);
}

/* "ip6 nexthdr": the first next-header field of an IPv6 header. */
static bool nexthdr_load(struct xlate *x)
{
	return x->load == L_NET && rule_family(x) == SFW_AF_INET6 && x->offset == 6 &&
	       x->len == 1 && !x->masked;
}

/*
 * sfw's l4proto is the protocol after the extension headers, where nft's
 * ip6 nexthdr is the first header's field: the two agree unless the field
 * names an extension header, which is then refused.
 */
static bool ipv6_ext_header(u8 nh)
{
	switch (nh) {
	case 0:		/* hop-by-hop options */
	case 43:	/* routing */
	case 44:	/* fragment */
	case 50:	/* ESP */
	case 51:	/* AH */
	case 59:	/* no next header */
	case 60:	/* destination options */
	case 135:	/* mobility */
	case 139:	/* HIP */
	case 140:	/* shim6 */
	case 253:	/* experiments */
	case 254:
		return true;
	}
	return false;
}

static void put_ports(struct xlate *x, char side, const struct sfw_port_range *p, u16 n)
{
	struct sfw_port_range *a = malloc(n * sizeof(*a));

	if (!a)
		die("out of memory");
	memcpy(a, p, n * sizeof(*a));
	if (side == 's') {
		free(x->rr->sports);
		x->rr->sports = a;
		x->rr->r.nsport = n;
	} else {
		free(x->rr->dports);
		x->rr->dports = a;
		x->rr->r.ndport = n;
	}
}

/* nft's ct state bits (NF_CT_STATE_BIT) -> sfw's. */
static u8 ct_bits(uint32_t v)
{
	u8 m = 0;

	if (v & 1)
		m |= 1 << SFW_CT_INVALID;
	if (v & 2)
		m |= 1 << SFW_CT_ESTABLISHED;
	if (v & 4)
		m |= 1 << SFW_CT_RELATED;
	if (v & 8)
		m |= 1 << SFW_CT_NEW;
	if (v & 64)
		m |= 1 << SFW_CT_UNTRACKED;
	return m;
}

static void x_cmp(struct xlate *x, const struct nftnl_expr *e)
{
	uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP), dlen;
	const uint8_t *d = nftnl_expr_get_data(e, NFTNL_EXPR_CMP_DATA, &dlen);
	struct sfw_rule *r = &x->rr->r;
	struct sfw_prefix *p;
	char side;
	u8 l3num;

	if (x->load == L_CT && x->key == NFT_CT_STATE) {
		uint32_t v = 0;

		memcpy(&v, d, dlen < 4 ? dlen : 4);
		if (x->masked && op == NFT_CMP_NEQ && v == 0) {
			memcpy(&v, x->mask, 4);
			r->ctstate = ct_bits(v);
		} else if (!x->masked && op == NFT_CMP_EQ) {
			r->ctstate = ct_bits(v);
		} else {
			nft_xerr(x, "this ct state comparison is not supported (only a list of states)");
		}
		x->load = L_NONE;
		return;
	}
	/* A port range from an older nft: cmp gte LO, then cmp lte HI. */
	if (op == NFT_CMP_GTE && dlen == 2 && !x->have_lo && (side = port_side(x))) {
		x->lo = d[0] << 8 | d[1];
		x->have_lo = true;
		return;		/* the load stays for the lte */
	}
	if (op == NFT_CMP_LTE && dlen == 2 && x->have_lo && (side = port_side(x))) {
		struct sfw_port_range pr = { x->lo, d[0] << 8 | d[1] };

		put_ports(x, side, &pr, 1);
		x->have_lo = false;
		x->load = L_NONE;
		return;
	}
	if (op != NFT_CMP_EQ) {
		nft_xerr(x, "a negated or ordered comparison (!=, <, >) is not supported");
		x->load = L_NONE;
		return;
	}
	if (x->load == L_META && (x->key == NFT_META_IIFNAME || x->key == NFT_META_OIFNAME) &&
	    !x->masked) {
		char *to = x->key == NFT_META_IIFNAME ? r->iif : r->oif;

		if (dlen > SFW_IFNAMSIZ || !memchr(d, 0, dlen))
			nft_xerr(x, "an interface name pattern (wildcard) is not supported");
		else
			strcpy(to, (const char *)d);
	} else if (x->load == L_META && x->key == NFT_META_NFPROTO && dlen == 1) {
		if (d[0] == NFPROTO_IPV4)
			r->family = SFW_AF_INET;
		else if (d[0] == NFPROTO_IPV6)
			r->family = SFW_AF_INET6;
		else
			nft_xerr(x, "meta nfproto %u is not supported", d[0]);
	} else if (x->load == L_META && x->key == NFT_META_L4PROTO && dlen == 1) {
		r->l4proto = d[0];
	} else if (nexthdr_load(x) && dlen == 1) {
		if (ipv6_ext_header(d[0])) {
			nft_xerr(x, "ip6 nexthdr %u is an extension header; sfw matches the protocol after them (meta l4proto)",
			     d[0]);
		} else {
			r->family = SFW_AF_INET6;
			r->l4proto = d[0];
		}
	} else if ((side = addr_side(x, &l3num))) {
		int len = x->masked ? nft_mask_len(x->mask, x->len) : (int)x->len * 8;

		if (l3num == SFW_AF_INET6 && !x->masked && x->len < 16)
			len = x->len * 8;

		p = side == 's' ? &r->saddr : &r->daddr;
		if (len < 0) {
			nft_xerr(x, "an address mask that is not a prefix is not supported");
		} else {
			memset(p, 0, sizeof(*p));
			memcpy(&p->addr, d, x->len);
			p->l3num = l3num;
			p->len = len;
			r->family = l3num;
		}
	} else if ((side = port_side(x))) {
		struct sfw_port_range pr;

		pr.lo = pr.hi = d[0] << 8 | d[1];
		put_ports(x, side, &pr, 1);
	} else if (icmp_type_load(x)) {
		r->flags |= SFW_RULE_F_ICMP_TYPE;
		r->icmp_type = d[0];
	} else {
		nft_xerr(x, "this match is not supported (only ct state, ip/ip6 saddr/daddr, ip6 nexthdr, tcp/udp sport/dport, iifname/oifname, icmp/icmpv6 type, meta l4proto/nfproto)");
	}
	x->load = L_NONE;
}

static void x_range(struct xlate *x, const struct nftnl_expr *e)
{
	uint32_t fl, tl;
	const uint8_t *from = nftnl_expr_get_data(e, NFTNL_EXPR_RANGE_FROM_DATA, &fl);
	const uint8_t *to = nftnl_expr_get_data(e, NFTNL_EXPR_RANGE_TO_DATA, &tl);
	struct sfw_port_range pr;
	char side = port_side(x);

	if (nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_OP) != NFT_RANGE_EQ || !side || fl != 2 || tl != 2) {
		nft_xerr(x, "this range is not supported (only a port range)");
	} else {
		pr.lo = from[0] << 8 | from[1];
		pr.hi = to[0] << 8 | to[1];
		put_ports(x, side, &pr, 1);
	}
	x->load = L_NONE;
}

static void x_lookup(struct xlate *x, const struct nftnl_expr *e)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);
	struct nftnl_set *s = nft_set_find(x, name);
	bool anon;
	char side;
	u8 l3num;

	if (nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_FLAGS) &&
	    (nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_FLAGS) & NFT_LOOKUP_F_INV)) {
		nft_xerr(x, "a negated set lookup (!=) is not supported");
		goto out;
	}
	if (!s) {
		nft_xerr(x, "set %s not found", name);
		goto out;
	}
	anon = nftnl_set_get_u32(s, NFTNL_SET_FLAGS) & NFT_SET_ANONYMOUS;
	if ((side = port_side(x))) {
		uint8_t (*lo)[16], (*hi)[16];
		struct sfw_port_range *pr;
		u32 i, n;

		if (nft_set_intervals(s, 2, &lo, &hi, &n) < 0 || !n || n > SFW_PORT_RANGES_MAX) {
			nft_xerr(x, "this port set is not supported");
			goto out;
		}
		pr = calloc(n, sizeof(*pr));
		if (!pr)
			die("out of memory");
		for (i = 0; i < n; i++) {
			pr[i].lo = lo[i][0] << 8 | lo[i][1];
			pr[i].hi = hi[i][0] << 8 | hi[i][1];
		}
		put_ports(x, side, pr, n);
		free(pr);
		free(lo);
		free(hi);
	} else if ((side = addr_side(x, &l3num)) && !x->masked) {
		if (anon) {
			nft_xerr(x, "an anonymous address set { a, b } is not supported (name it: "
			     "add set ... and use @name)");
		} else if (nft_set_import(x, s, l3num)) {
			strcpy(side == 's' ? x->rr->saddr_set : x->rr->daddr_set, name);
			x->rr->r.family = l3num;
		}
	} else {
		nft_xerr(x, "a set lookup on this match is not supported");
	}
out:
	x->load = L_NONE;
}

/* nft's log: its prefix carries over; nflog groups and options do not. */
static void x_log(struct xlate *x, const struct nftnl_expr *e)
{
	struct sfw_rule *r = &x->rr->r;
	const char *prefix = "";

	if (nftnl_expr_is_set(e, NFTNL_EXPR_LOG_GROUP) ||
	    nftnl_expr_is_set(e, NFTNL_EXPR_LOG_SNAPLEN) ||
	    nftnl_expr_is_set(e, NFTNL_EXPR_LOG_QTHRESHOLD) ||
	    (nftnl_expr_is_set(e, NFTNL_EXPR_LOG_FLAGS) &&
	     nftnl_expr_get_u32(e, NFTNL_EXPR_LOG_FLAGS))) {
		nft_xerr(x, "log to a group or with flags is not supported (only log [prefix])");
		return;
	}
	if (nftnl_expr_is_set(e, NFTNL_EXPR_LOG_PREFIX))
		prefix = nftnl_expr_get_str(e, NFTNL_EXPR_LOG_PREFIX);
	if (strlen(prefix) >= sizeof(r->log_prefix)) {
		nft_xerr(x, "a log prefix longer than %zu characters is not supported",
		     sizeof(r->log_prefix) - 1);
		return;
	}
	r->flags |= SFW_RULE_F_LOG;
	strcpy(r->log_prefix, prefix);
}

void nft_expr(struct xlate *x, const struct nftnl_expr *e)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

	if (x->verdict) {
		nft_xerr(x, "'%s' after the verdict is not supported", name);
		return;
	}
	if (!strcmp(name, "counter")) {
		return;		/* sfw counts every rule */
	} else if (!strcmp(name, "meta") && nftnl_expr_is_set(e, NFTNL_EXPR_META_DREG)) {
		x->load = L_META;
		x->key = nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY);
		x->masked = false;
		if (x->key != NFT_META_IIFNAME && x->key != NFT_META_OIFNAME &&
		    x->key != NFT_META_NFPROTO && x->key != NFT_META_L4PROTO) {
			nft_xerr(x, "meta %s is not supported", meta_name(x->key));
			x->load = L_NONE;
		}
	} else if (!strcmp(name, "ct") && nftnl_expr_is_set(e, NFTNL_EXPR_CT_DREG)) {
		x->load = L_CT;
		x->key = nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY);
		x->masked = false;
		if (x->key != NFT_CT_STATE) {
			nft_xerr(x, "ct key %u is not supported (only ct state)", x->key);
			x->load = L_NONE;
		}
	} else if (!strcmp(name, "payload") && nftnl_expr_is_set(e, NFTNL_EXPR_PAYLOAD_DREG)) {
		uint32_t base = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE);

		x->have_lo = false;
		x->offset = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET);
		x->len = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN);
		x->masked = false;
		if (base == NFT_PAYLOAD_NETWORK_HEADER && x->len <= 16) {
			x->load = L_NET;
		} else if (base == NFT_PAYLOAD_TRANSPORT_HEADER && x->len <= 16) {
			x->load = L_TRANSPORT;
		} else {
			nft_xerr(x, "a payload match at base %u offset %u is not supported", base, x->offset);
			x->load = L_NONE;
		}
	} else if (!strcmp(name, "bitwise")) {
		uint32_t ml, xl;
		const uint8_t *m = nftnl_expr_get_data(e, NFTNL_EXPR_BITWISE_MASK, &ml);
		const uint8_t *xo = nftnl_expr_get_data(e, NFTNL_EXPR_BITWISE_XOR, &xl);
		uint32_t i;

		if (x->load == L_NONE || !m || ml > sizeof(x->mask) || x->masked) {
			nft_xerr(x, "a bitwise operation here is not supported");
			x->load = L_NONE;
			return;
		}
		for (i = 0; xo && i < xl; i++)
			if (xo[i]) {
				nft_xerr(x, "a bitwise xor is not supported");
				x->load = L_NONE;
				return;
			}
		memset(x->mask, 0, sizeof(x->mask));
		memcpy(x->mask, m, ml);
		x->masked = true;
	} else if (!strcmp(name, "cmp")) {
		if (x->load == L_NONE)
			return;		/* already reported */
		x_cmp(x, e);
	} else if (!strcmp(name, "range")) {
		if (x->load != L_NONE)
			x_range(x, e);
	} else if (!strcmp(name, "lookup")) {
		if (x->load != L_NONE)
			x_lookup(x, e);
	} else if (!strcmp(name, "immediate") &&
		   nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG) == NFT_REG_VERDICT) {
		int v = nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);

		if (v == NF_ACCEPT)
			x->rr->r.action = SFW_ACT_ACCEPT;
		else if (v == NF_DROP)
			x->rr->r.action = SFW_ACT_DROP;
		else
			nft_xerr(x, "this verdict (jump, goto, return, continue, queue) is not supported");
		x->verdict = true;
	} else if (!strcmp(name, "log")) {
		x_log(x, e);
	} else if (!strcmp(name, "reject")) {
		x->rr->r.action = SFW_ACT_REJECT;
		x->verdict = true;
	} else if (!strcmp(name, "flow_offload")) {
		nft_flow_offload(x, e);
	} else {
		nft_xerr(x, "the '%s' expression is not supported", name);
		x->load = L_NONE;
	}
}
