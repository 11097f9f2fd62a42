// SPDX-License-Identifier: GPL-2.0
/*
 * sfwctl_nft.c: `sfwctl ruleset import-nft [TABLE] [--load]`.
 *
 * Reads the live nftables rule set of the caller's namespace through
 * libnftnl (tables, chains, rules, sets and their elements, one dump
 * each) and translates it into a struct rules_file, which is printed with
 * rules_print.c or loaded through the same path as `ruleset load`.
 *
 * The translation reads each rule's expressions the way nft's own
 * delinearizer does, one load followed by the comparison that consumes
 * it: "meta load iifname; cmp eq" is `iif NAME`, "payload load 4b @
 * network + 12; bitwise; cmp eq" is `ip saddr PREFIX`, "ct load state;
 * bitwise; cmp neq 0" is `ct state ...`, and so on. Whatever does not fit
 * that subset (another expression, a negation, a jump, a chain at another
 * hook) is reported with its table, chain and rule handle as `nft -a list
 * ruleset` shows them, every such place is listed, and nothing is printed
 * or loaded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/table.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/expr.h>
#include <libnftnl/set.h>
#include "sfwctl.h"
#include "rules_parse.h"

#define NFT_BUF (1U << 20)

/* ---- reading: one dump per object type ---- */

struct nft_objs {
	struct nftnl_table_list *tables;
	struct nftnl_chain_list *chains;
	struct nftnl_rule_list *rules;
	struct nftnl_set_list *sets;
};

static struct mnl_socket *nft_sock;
static unsigned int nft_portid, nft_seq;
static char *nft_buf;

static int nft_talk(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	unsigned int seq = nlh->nlmsg_seq;
	int n;

	if (mnl_socket_sendto(nft_sock, nlh, nlh->nlmsg_len) < 0)
		return -1;
	while ((n = mnl_socket_recvfrom(nft_sock, nft_buf, NFT_BUF)) > 0) {
		n = mnl_cb_run(nft_buf, n, seq, nft_portid, cb, data);
		if (n <= 0)
			return n;
	}
	return n;
}

static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_table *t = nftnl_table_alloc();

	if (!t || nftnl_table_nlmsg_parse(nlh, t) < 0)
		die("import-nft: cannot parse a table");
	nftnl_table_list_add_tail(t, data);
	return MNL_CB_OK;
}

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (!c || nftnl_chain_nlmsg_parse(nlh, c) < 0)
		die("import-nft: cannot parse a chain");
	nftnl_chain_list_add_tail(c, data);
	return MNL_CB_OK;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r || nftnl_rule_nlmsg_parse(nlh, r) < 0)
		die("import-nft: cannot parse a rule");
	nftnl_rule_list_add_tail(r, data);
	return MNL_CB_OK;
}

static int set_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s || nftnl_set_nlmsg_parse(nlh, s) < 0)
		die("import-nft: cannot parse a set");
	nftnl_set_list_add_tail(s, data);
	return MNL_CB_OK;
}

static int elem_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nftnl_set_elems_nlmsg_parse(nlh, data) < 0)
		die("import-nft: cannot parse set elements");
	return MNL_CB_OK;
}

static void nft_read(struct nft_objs *o)
{
	struct nftnl_set_list_iter *it;
	struct nlmsghdr *nlh;
	struct nftnl_set *s;

	nft_buf = malloc(NFT_BUF);
	nft_sock = mnl_socket_open(NETLINK_NETFILTER);
	if (!nft_buf || !nft_sock || mnl_socket_bind(nft_sock, 0, MNL_SOCKET_AUTOPID) < 0)
		die("import-nft: netlink: %s", strerror(errno));
	nft_portid = mnl_socket_get_portid(nft_sock);
	nft_seq = time(NULL);
	o->tables = nftnl_table_list_alloc();
	o->chains = nftnl_chain_list_alloc();
	o->rules = nftnl_rule_list_alloc();
	o->sets = nftnl_set_list_alloc();
	if (!o->tables || !o->chains || !o->rules || !o->sets)
		die("out of memory");

	nlh = nftnl_nlmsg_build_hdr(nft_buf, NFT_MSG_GETTABLE, NFPROTO_UNSPEC, NLM_F_DUMP, ++nft_seq);
	if (nft_talk(nlh, table_cb, o->tables) < 0)
		die("import-nft: cannot list tables: %s", strerror(errno));

	nlh = nftnl_nlmsg_build_hdr(nft_buf, NFT_MSG_GETCHAIN, NFPROTO_UNSPEC, NLM_F_DUMP, ++nft_seq);
	if (nft_talk(nlh, chain_cb, o->chains) < 0)
		die("import-nft: cannot list chains: %s", strerror(errno));
	nlh = nftnl_nlmsg_build_hdr(nft_buf, NFT_MSG_GETRULE, NFPROTO_UNSPEC, NLM_F_DUMP, ++nft_seq);
	if (nft_talk(nlh, rule_cb, o->rules) < 0)
		die("import-nft: cannot list rules: %s", strerror(errno));
	nlh = nftnl_nlmsg_build_hdr(nft_buf, NFT_MSG_GETSET, NFPROTO_UNSPEC, NLM_F_DUMP, ++nft_seq);
	if (nft_talk(nlh, set_cb, o->sets) < 0)
		die("import-nft: cannot list sets: %s", strerror(errno));

	it = nftnl_set_list_iter_create(o->sets);
	while ((s = nftnl_set_list_iter_next(it))) {
		nlh = nftnl_nlmsg_build_hdr(nft_buf, NFT_MSG_GETSETELEM,
					    nftnl_set_get_u32(s, NFTNL_SET_FAMILY), NLM_F_DUMP, ++nft_seq);
		nftnl_set_elems_nlmsg_build_payload(nlh, s);
		if (nft_talk(nlh, elem_cb, s) < 0)
			die("import-nft: cannot list set %s: %s",
			    nftnl_set_get_str(s, NFTNL_SET_NAME), strerror(errno));
	}
	nftnl_set_list_iter_destroy(it);
}

/* ---- translating ---- */

struct xlate {
	struct rules_file *rf;
	const struct nft_objs *o;
	const char *only;	/* TABLE, or NULL */
	int errors;
	/* the rule being translated */
	const char *fam, *table, *chain;
	uint32_t family;
	uint64_t handle;
	struct rules_rule *rr;
	const struct nftnl_expr *expr;	/* the expression being read, for messages */
	bool verdict;
	char **bad_sets;	/* sets already reported, so that each is reported once */
	u32 nbad_sets, cap_bad_sets;
	/* the last load: what the next cmp/lookup/range compares */
	enum { L_NONE, L_META, L_CT, L_NET, L_TRANSPORT } load;
	uint32_t key, offset, len;
	uint8_t mask[16];
	bool masked;
	bool have_lo;		/* a cmp gte gave the low end of a port range */
	u16 lo;
};

static const char *family_name(uint32_t f)
{
	switch (f) {
	case NFPROTO_IPV4: return "ip";
	case NFPROTO_IPV6: return "ip6";
	case NFPROTO_INET: return "inet";
	case NFPROTO_ARP: return "arp";
	case NFPROTO_BRIDGE: return "bridge";
	case NFPROTO_NETDEV: return "netdev";
	}
	return "?";
}

static void xerr(struct xlate *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void xerr(struct xlate *x, const char *fmt, ...)
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
static int mask_len(const uint8_t *m, uint32_t len)
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
			xerr(x, "this ct state comparison is not supported (only a list of states)");
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
		xerr(x, "a negated or ordered comparison (!=, <, >) is not supported");
		x->load = L_NONE;
		return;
	}
	if (x->load == L_META && (x->key == NFT_META_IIFNAME || x->key == NFT_META_OIFNAME) &&
	    !x->masked) {
		char *to = x->key == NFT_META_IIFNAME ? r->iif : r->oif;

		if (dlen > SFW_IFNAMSIZ || !memchr(d, 0, dlen))
			xerr(x, "an interface name pattern (wildcard) is not supported");
		else
			strcpy(to, (const char *)d);
	} else if (x->load == L_META && x->key == NFT_META_NFPROTO && dlen == 1) {
		if (d[0] == NFPROTO_IPV4)
			r->family = SFW_AF_INET;
		else if (d[0] == NFPROTO_IPV6)
			r->family = SFW_AF_INET6;
		else
			xerr(x, "meta nfproto %u is not supported", d[0]);
	} else if (x->load == L_META && x->key == NFT_META_L4PROTO && dlen == 1) {
		r->l4proto = d[0];
	} else if (nexthdr_load(x) && dlen == 1) {
		if (ipv6_ext_header(d[0])) {
			xerr(x, "ip6 nexthdr %u is an extension header; sfw matches the protocol after them (meta l4proto)",
			     d[0]);
		} else {
			r->family = SFW_AF_INET6;
			r->l4proto = d[0];
		}
	} else if ((side = addr_side(x, &l3num))) {
		int len = x->masked ? mask_len(x->mask, x->len) : (int)x->len * 8;

		if (l3num == SFW_AF_INET6 && !x->masked && x->len < 16)
			len = x->len * 8;

		p = side == 's' ? &r->saddr : &r->daddr;
		if (len < 0) {
			xerr(x, "an address mask that is not a prefix is not supported");
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
		xerr(x, "this match is not supported (only ct state, ip/ip6 saddr/daddr, ip6 nexthdr, tcp/udp sport/dport, iifname/oifname, icmp/icmpv6 type, meta l4proto/nfproto)");
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
		xerr(x, "this range is not supported (only a port range)");
	} else {
		pr.lo = from[0] << 8 | from[1];
		pr.hi = to[0] << 8 | to[1];
		put_ports(x, side, &pr, 1);
	}
	x->load = L_NONE;
}

static struct nftnl_set *find_set(struct xlate *x, const char *name)
{
	struct nftnl_set_list_iter *it = nftnl_set_list_iter_create(x->o->sets);
	struct nftnl_set *s;

	while ((s = nftnl_set_list_iter_next(it)))
		if (nftnl_set_get_u32(s, NFTNL_SET_FAMILY) == x->family &&
		    !strcmp(nftnl_set_get_str(s, NFTNL_SET_TABLE), x->table) &&
		    !strcmp(nftnl_set_get_str(s, NFTNL_SET_NAME), name))
			break;
	nftnl_set_list_iter_destroy(it);
	return s;
}

struct elem {
	uint8_t key[16];
	bool end;
};

static int elem_cmp(const void *a, const void *b)
{
	const struct elem *x = a, *y = b;
	int c = memcmp(x->key, y->key, 16);

	return c ? c : (int)y->end - (int)x->end;	/* an end before a start at one key */
}

/* Big-endian @len-byte integer minus one, in place. */
static void be_dec(uint8_t *k, uint32_t len)
{
	while (len--) {
		if (k[len]--)
			break;
	}
}

/*
 * The set's elements as closed intervals [lo, hi] of @len-byte keys, in
 * @lo and @hi (each *n entries). Interval sets hold a start element and
 * an end element (flag INTERVAL_END, key one past the end) per range.
 */
static int set_intervals(struct nftnl_set *s, uint32_t len, uint8_t (**lo)[16],
			 uint8_t (**hi)[16], u32 *n)
{
	struct nftnl_set_elems_iter *it = nftnl_set_elems_iter_create(s);
	bool interval = nftnl_set_get_u32(s, NFTNL_SET_FLAGS) & NFT_SET_INTERVAL;
	struct nftnl_set_elem *el;
	struct elem *v = NULL;
	u32 nv = 0, cap = 0, i, k = 0;

	while ((el = nftnl_set_elems_iter_next(it))) {
		uint32_t kl;
		const void *key = nftnl_set_elem_get(el, NFTNL_SET_ELEM_KEY, &kl);

		if (!key || kl != len) {
			nftnl_set_elems_iter_destroy(it);
			free(v);
			return -1;
		}
		v = sfwctl_grow(v, &cap, nv + 1, sizeof(*v));
		memset(&v[nv], 0, sizeof(v[nv]));
		memcpy(v[nv].key, key, len);
		v[nv].end = nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_FLAGS) &&
			    (nftnl_set_elem_get_u32(el, NFTNL_SET_ELEM_FLAGS) & NFT_SET_ELEM_INTERVAL_END);
		nv++;
	}
	nftnl_set_elems_iter_destroy(it);
	qsort(v, nv, sizeof(*v), elem_cmp);
	*lo = calloc(nv + 1, 16);
	*hi = calloc(nv + 1, 16);
	if (!*lo || !*hi)
		die("out of memory");
	for (i = 0; i < nv; i++) {
		if (v[i].end)
			continue;
		memcpy((*lo)[k], v[i].key, 16);
		if (!interval) {
			memcpy((*hi)[k], v[i].key, 16);
		} else if (i + 1 < nv && v[i + 1].end) {
			memcpy((*hi)[k], v[i + 1].key, 16);
			be_dec((*hi)[k], len);
			i++;
		} else {
			memset((*hi)[k], 0xff, len);	/* open to the top */
		}
		k++;
	}
	free(v);
	*n = k;
	return 0;
}

/* [lo, hi] of @len bytes as one prefix, or -1. */
static int interval_prefix(const uint8_t *lo, const uint8_t *hi, uint32_t len)
{
	uint8_t m[16];
	uint32_t i;
	int plen;

	for (i = 0; i < len; i++)
		m[i] = ~(lo[i] ^ hi[i]);
	plen = mask_len(m, len);
	if (plen < 0)
		return -1;
	for (i = plen; i < len * 8; i++) {
		uint8_t bit = 0x80 >> (i % 8);

		if ((lo[i / 8] & bit) || !(hi[i / 8] & bit))
			return -1;
	}
	return plen;
}

/* A named address set, copied into the rules_file once. */
static bool import_set(struct xlate *x, struct nftnl_set *s, u8 l3num)
{
	const char *name = nftnl_set_get_str(s, NFTNL_SET_NAME);
	uint32_t len = l3num == SFW_AF_INET ? 4 : 16;
	uint8_t (*lo)[16], (*hi)[16];
	struct rules_set *rs;
	u32 i, n;

	u32 bad = 0;

	for (i = 0; i < x->rf->nsets; i++)
		if (!strcmp(x->rf->sets[i].name, name))
			return true;
	for (i = 0; i < x->nbad_sets; i++)
		if (!strcmp(x->bad_sets[i], name))
			return false;	/* reported at its first use */
	x->bad_sets = sfwctl_grow(x->bad_sets, &x->cap_bad_sets, x->nbad_sets + 1,
				  sizeof(*x->bad_sets));
	x->bad_sets[x->nbad_sets++] = (char *)name;
	if (strlen(name) >= SFW_SET_NAME_LEN) {
		xerr(x, "set %s: the name is too long for sfw", name);
		return false;
	}
	if (set_intervals(s, len, &lo, &hi, &n) < 0) {
		xerr(x, "set %s: not a set of addresses", name);
		return false;
	}
	x->nbad_sets--;
	x->rf->sets = sfwctl_grow(x->rf->sets, &x->rf->cap_sets, x->rf->nsets + 1, sizeof(*rs));
	rs = &x->rf->sets[x->rf->nsets++];
	memset(rs, 0, sizeof(*rs));
	strcpy(rs->name, name);
	rs->elems = calloc(n ? n : 1, sizeof(*rs->elems));
	if (!rs->elems)
		die("out of memory");
	for (i = 0; i < n; i++) {
		int plen = interval_prefix(lo[i], hi[i], len);
		struct sfw_prefix *p = &rs->elems[rs->n];

		if (plen < 0) {
			bad++;
			continue;
		}
		memcpy(&p->addr, lo[i], len);
		p->l3num = l3num;
		p->len = plen;
		rs->n++;
	}
	free(lo);
	free(hi);
	if (bad)
		xerr(x, "set %s: %u of its ranges %s not a prefix: not supported", name, bad,
		     bad == 1 ? "is" : "are");
	return true;
}

static void x_lookup(struct xlate *x, const struct nftnl_expr *e)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);
	struct nftnl_set *s = find_set(x, name);
	bool anon;
	char side;
	u8 l3num;

	if (nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_FLAGS) &&
	    (nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_FLAGS) & NFT_LOOKUP_F_INV)) {
		xerr(x, "a negated set lookup (!=) is not supported");
		goto out;
	}
	if (!s) {
		xerr(x, "set %s not found", name);
		goto out;
	}
	anon = nftnl_set_get_u32(s, NFTNL_SET_FLAGS) & NFT_SET_ANONYMOUS;
	if ((side = port_side(x))) {
		uint8_t (*lo)[16], (*hi)[16];
		struct sfw_port_range *pr;
		u32 i, n;

		if (set_intervals(s, 2, &lo, &hi, &n) < 0 || !n || n > SFW_PORT_RANGES_MAX) {
			xerr(x, "this port set is not supported");
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
			xerr(x, "an anonymous address set { a, b } is not supported (name it: "
			     "add set ... and use @name)");
		} else if (import_set(x, s, l3num)) {
			strcpy(side == 's' ? x->rr->saddr_set : x->rr->daddr_set, name);
			x->rr->r.family = l3num;
		}
	} else {
		xerr(x, "a set lookup on this match is not supported");
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
		xerr(x, "log to a group or with flags is not supported (only log [prefix])");
		return;
	}
	if (nftnl_expr_is_set(e, NFTNL_EXPR_LOG_PREFIX))
		prefix = nftnl_expr_get_str(e, NFTNL_EXPR_LOG_PREFIX);
	if (strlen(prefix) >= sizeof(r->log_prefix)) {
		xerr(x, "a log prefix longer than %zu characters is not supported",
		     sizeof(r->log_prefix) - 1);
		return;
	}
	r->flags |= SFW_RULE_F_LOG;
	strcpy(r->log_prefix, prefix);
}

static void x_expr(struct xlate *x, const struct nftnl_expr *e)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

	if (x->verdict) {
		xerr(x, "'%s' after the verdict is not supported", name);
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
			xerr(x, "meta %s is not supported", meta_name(x->key));
			x->load = L_NONE;
		}
	} else if (!strcmp(name, "ct") && nftnl_expr_is_set(e, NFTNL_EXPR_CT_DREG)) {
		x->load = L_CT;
		x->key = nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY);
		x->masked = false;
		if (x->key != NFT_CT_STATE) {
			xerr(x, "ct key %u is not supported (only ct state)", x->key);
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
			xerr(x, "a payload match at base %u offset %u is not supported", base, x->offset);
			x->load = L_NONE;
		}
	} else if (!strcmp(name, "bitwise")) {
		uint32_t ml, xl;
		const uint8_t *m = nftnl_expr_get_data(e, NFTNL_EXPR_BITWISE_MASK, &ml);
		const uint8_t *xo = nftnl_expr_get_data(e, NFTNL_EXPR_BITWISE_XOR, &xl);
		uint32_t i;

		if (x->load == L_NONE || !m || ml > sizeof(x->mask) || x->masked) {
			xerr(x, "a bitwise operation here is not supported");
			x->load = L_NONE;
			return;
		}
		for (i = 0; xo && i < xl; i++)
			if (xo[i]) {
				xerr(x, "a bitwise xor is not supported");
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
			xerr(x, "this verdict (jump, goto, return, continue, queue) is not supported");
		x->verdict = true;
	} else if (!strcmp(name, "log")) {
		x_log(x, e);
	} else if (!strcmp(name, "reject")) {
		x->rr->r.action = SFW_ACT_REJECT;
		x->verdict = true;
	} else {
		xerr(x, "the '%s' expression is not supported", name);
		x->load = L_NONE;
	}
}

static int chain_of_hook(uint32_t hook)
{
	switch (hook) {
	case NF_INET_LOCAL_IN: return SFW_CHAIN_INPUT;
	case NF_INET_FORWARD: return SFW_CHAIN_FORWARD;
	case NF_INET_LOCAL_OUT: return SFW_CHAIN_OUTPUT;
	}
	return -1;
}

static bool wanted(struct xlate *x, const char *table)
{
	return !x->only || !strcmp(x->only, table);
}

static void x_rule(struct xlate *x, struct nftnl_rule *r, struct rules_chain *ch)
{
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	struct rules_rule *rr;
	int before = x->errors;

	ch->rules = sfwctl_grow(ch->rules, &ch->cap, ch->n + 1, sizeof(*ch->rules));
	rr = &ch->rules[ch->n];
	memset(rr, 0, sizeof(*rr));
	rr->r.saddr_set = rr->r.daddr_set = -1;
	x->rr = rr;
	x->handle = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
	x->verdict = false;
	x->load = L_NONE;
	it = nftnl_expr_iter_create(r);
	while ((e = nftnl_expr_iter_next(it))) {
		x->expr = e;
		x_expr(x, e);
	}
	x->expr = NULL;
	nftnl_expr_iter_destroy(it);
	if (!x->verdict && x->errors == before)
		xerr(x, "a rule without accept, drop or reject (sfw rules always decide)");
	ch->n++;
	x->rr = NULL;
}

static void translate(struct xlate *x)
{
	struct nftnl_chain_list_iter *ci = nftnl_chain_list_iter_create(x->o->chains);
	bool seen[SFW_CHAIN_COUNT] = { false };
	struct nftnl_chain *c;

	while ((c = nftnl_chain_list_iter_next(ci))) {
		struct nftnl_rule_list_iter *ri;
		struct rules_chain *ch;
		struct nftnl_rule *r;
		const char *type;
		int sc;

		x->family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
		x->fam = family_name(x->family);
		x->table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
		x->chain = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
		if (!wanted(x, x->table))
			continue;
		if (!nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM)) {
			xerr(x, "a regular chain (a jump target) is not supported");
			continue;
		}
		type = nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE);
		sc = chain_of_hook(nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM));
		if (x->family != NFPROTO_IPV4 && x->family != NFPROTO_IPV6 &&
		    x->family != NFPROTO_INET) {
			xerr(x, "only ip, ip6 and inet tables are supported");
			continue;
		}
		if (sc < 0 || !type || strcmp(type, "filter")) {
			xerr(x, "only filter chains at hook input, forward or output are supported");
			continue;
		}
		if (seen[sc]) {
			xerr(x, "a second chain at hook %s (sfw has one; name a TABLE)",
			     sfw_chain_names[sc]);
			continue;
		}
		seen[sc] = true;
		ch = &x->rf->chain[sc];
		ch->defined = true;
		ch->policy = nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) == NF_DROP ?
			     SFW_ACT_DROP : SFW_ACT_ACCEPT;

		ri = nftnl_rule_list_iter_create(x->o->rules);
		while ((r = nftnl_rule_list_iter_next(ri))) {
			if (nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY) != x->family ||
			    strcmp(nftnl_rule_get_str(r, NFTNL_RULE_TABLE), x->table) ||
			    strcmp(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), x->chain))
				continue;
			x_rule(x, r, ch);
		}
		nftnl_rule_list_iter_destroy(ri);
	}
	nftnl_chain_list_iter_destroy(ci);
}

/* Is there a table named @name (in any family), or any table at all with NULL? */
static bool table_exists(const struct nft_objs *o, const char *name)
{
	struct nftnl_table_list_iter *it = nftnl_table_list_iter_create(o->tables);
	struct nftnl_table *t;
	bool found = false;

	while (!found && (t = nftnl_table_list_iter_next(it)))
		found = !name || !strcmp(nftnl_table_get_str(t, NFTNL_TABLE_NAME), name);
	nftnl_table_list_iter_destroy(it);
	return found;
}

static void import_help(void)
{
	puts("usage: sfwctl ruleset import-nft [TABLE] [--load [--recheck]] [-j]\n"
	     "read the live nftables rule set (of this namespace, or only TABLE) and\n"
	     "translate it into sfw's rule syntax: base filter chains at input, forward\n"
	     "and output with their policies; ct state, ip/ip6 saddr/daddr, ip6 nexthdr,\n"
	     "tcp/udp sport/dport (values, ranges, sets), iifname/oifname, icmp and\n"
	     "icmpv6 type, meta l4proto, named address sets; log [prefix]; accept,\n"
	     "drop, reject; counters are ignored. Prints the result, or loads it with\n"
	     "--load. Anything else is named once, by table, chain and rule handle\n"
	     "(nft -a list ruleset) with libnftnl's text of the expression, and\n"
	     "nothing happens (exit 1). So does a missing TABLE, or no table at all.");
}

int ruleset_import_nft(struct nl *nl, int argc, char **argv)
{
	struct xlate x = { 0 };
	struct nft_objs o;
	bool load = false, recheck = false;
	int a;

	for (a = 0; a < argc; a++) {
		if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			import_help();
			return 0;
		} else if (!strcmp(argv[a], "--load")) {
			load = true;
		} else if (!strcmp(argv[a], "--recheck")) {
			recheck = true;
		} else if (!strcmp(argv[a], "-j")) {
			json = true;
		} else if (argv[a][0] == '-') {
			usage_error("ruleset import-nft: unknown option '%s'", argv[a]);
		} else if (x.only) {
			usage_error("ruleset import-nft: one table only ('%s')", argv[a]);
		} else {
			x.only = argv[a];
		}
	}
	if (recheck && !load)
		usage_error("ruleset import-nft: --recheck goes with --load");

	nft_read(&o);
	if (!table_exists(&o, x.only)) {
		if (x.only)
			fprintf(stderr, "sfwctl: import-nft: no nftables table '%s' (nft list tables)\n",
				x.only);
		else
			fputs("sfwctl: import-nft: no nftables tables in this namespace: nothing to translate\n",
			      stderr);
		return 1;
	}
	x.o = &o;
	x.rf = calloc(1, sizeof(*x.rf));
	if (!x.rf || !(x.rf->name = strdup("nftables")))
		die("out of memory");
	translate(&x);
	if (x.errors) {
		fprintf(stderr, "sfwctl: import-nft: %d thing%s not translated; nothing %s\n",
			x.errors, x.errors == 1 ? "" : "s", load ? "loaded" : "printed");
		return 1;
	}
	if (!load) {
		if (json)
			sfw_rules_print_json(stdout, x.rf, 0);
		else
			sfw_rules_print(stdout, x.rf, 0);
		sfw_rules_free(x.rf);
		return 0;
	}
	return rules_file_load(nl, x.rf, false, recheck);
}
