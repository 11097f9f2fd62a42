// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_rules_match - bytes -> a rule set and packets -> the compiled
 * matcher's verdict against a naive one.
 *
 * The input builds up to three sets and a few rules per chain through
 * sfw_ruleset_builder_*(), from small pools of addresses, prefixes,
 * ports and interface names (so that rules and packets meet often), then
 * compiles them. The rest of the input is packets, each run through
 * sfw_ruleset_match(), whose (L4, port) index and set hashes are what is
 * under test. The reference below knows nothing of them: it walks the
 * rules it handed the builder in order and takes the first whose every
 * field matches, testing prefixes bit by bit and set membership by a
 * linear scan of the elements. Any difference traps with both answers.
 *
 * Between packets, the input may add elements to a set or remove them, as
 * `sfwctl set add/del` does: sfw_addrset_update() makes the set's next
 * version, which is swapped in, and the reference's list changes the same
 * way, so the incremental update (addrset.c) is checked by the lookups
 * that follow.
 *
 * A rule the builder refuses is left out of the reference too; a rule set
 * that names a set no one defined must fail to compile.
 */
#include "fuzz.h"
#include "addrset.c"
#include "ruleset.c"

#define MAX_SETS	3
#define MAX_ELEMS	8	/* when built */
#define MAX_REF_ELEMS	64	/* after updates */
#define MAX_RULES	24	/* per chain */
#define MAX_RANGES	3

/* Addresses rules and packets share: a /8, a /24 inside it, hosts. */
static const u8 pool4[8][4] = {
	{ 10, 0, 0, 1 }, { 10, 0, 0, 2 }, { 10, 0, 1, 1 }, { 10, 9, 0, 1 },
	{ 192, 0, 2, 7 }, { 192, 0, 2, 200 }, { 198, 51, 100, 1 }, { 0, 0, 0, 0 },
};
static const u8 pool6[4][16] = {
	{ 0xfd, 0, 0, 1, [15] = 2 }, { 0xfd, 0, 0, 1, [15] = 3 },
	{ 0xfd, 0, 0, 2, [15] = 2 }, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
};
static const u8 plen4[8] = { 32, 24, 16, 8, 0, 31, 25, 33 };	/* 33: refused */
static const u8 plen6[8] = { 128, 64, 48, 32, 0, 127, 65, 129 };
static const u16 ports[8] = { 22, 53, 80, 443, 1024, 8080, 65535, 0 };
static const char *const ifnames[4] = { "", "g0", "g1", "lo" };
static const u8 l4s[8] = { 0, SFW_IPPROTO_TCP, SFW_IPPROTO_UDP, SFW_IPPROTO_ICMP,
			   SFW_IPPROTO_ICMPV6, SFW_IPPROTO_TCP, SFW_IPPROTO_UDP, 47 };

static void take_addr(struct fuzz_input *in, u8 l3num, union sfw_addr *a)
{
	u8 b = fuzz_take(in);

	memset(a, 0, sizeof(*a));
	if (l3num == SFW_AF_INET)
		memcpy(a, pool4[b % 8], 4);
	else
		memcpy(a, pool6[b % 4], 16);
}

static void take_prefix(struct fuzz_input *in, struct sfw_prefix *p)
{
	u8 b = fuzz_take(in);

	memset(p, 0, sizeof(*p));
	p->l3num = b & 1 ? SFW_AF_INET6 : SFW_AF_INET;
	p->len = p->l3num == SFW_AF_INET ? plen4[b >> 1 & 7] : plen6[b >> 1 & 7];
	take_addr(in, p->l3num, &p->addr);
}

/* The reference: the first @len bits of @a and @b agree. */
static bool ref_prefix(const struct sfw_prefix *p, u8 l3num, const union sfw_addr *a)
{
	const u8 *x = (const u8 *)&p->addr, *y = (const u8 *)a;
	unsigned int i;

	if (p->l3num != l3num)
		return false;
	for (i = 0; i < p->len; i++)
		if ((x[i / 8] ^ y[i / 8]) & (0x80 >> (i % 8)))
			return false;
	return true;
}

struct ref_set {
	char name[8];
	struct sfw_prefix elems[MAX_REF_ELEMS];
	u32 n;
};

/* The reference's normalization: bits past the length cleared. */
static bool ref_normalize(struct sfw_prefix *p)
{
	u8 *a = (u8 *)&p->addr;
	unsigned int bytes = p->l3num == SFW_AF_INET ? 4 : 16, i;

	if (p->len > bytes * 8)
		return false;
	for (i = p->len; i < sizeof(p->addr) * 8; i++)
		a[i / 8] &= ~(0x80 >> (i % 8));
	return true;
}

static bool ref_same(const struct sfw_prefix *a, const struct sfw_prefix *b)
{
	return a->l3num == b->l3num && a->len == b->len && !memcmp(&a->addr, &b->addr, sizeof(a->addr));
}

/*
 * One `set add` or `set del` of @n elements on both sides; false if the
 * reference cannot hold the result (then neither side changes).
 */
static bool update_set(struct sfw_ruleset *rs, struct ref_set *ref, struct sfw_prefix *elems,
		       u32 n, bool add)
{
	struct sfw_prefix norm[4];
	struct sfw_addrset *cur = NULL, *next = NULL;
	u32 i, k, j;
	int ret;

	/* As sfw_rules_set_update() does, the set gets normalized elements. */
	for (i = 0; i < n; i++) {
		norm[i] = elems[i];
		if (!ref_normalize(&norm[i]))
			return false;	/* refused before it gets here (rules.c) */
		FUZZ_CHECK(!sfw_prefix_normalize(&elems[i]));
	}
	for (i = 0; i < rs->nsets; i++)
		if (!strcmp(rs->sets[i].name, ref->name))
			cur = sfw_rcu_dereference(rs->sets[i].cur);
	if (!cur || ref->n + n > MAX_REF_ELEMS)
		return false;
	ret = sfw_addrset_update(cur, elems, n, add, 1U << 20, &next);
	FUZZ_CHECK_MSG(!ret, "set @%s: update of %u elements failed: %d", ref->name, n, ret);
	for (i = 0; i < n; i++) {
		for (k = 0; k < ref->n && !ref_same(&ref->elems[k], &norm[i]); k++)
			;
		if (add && k == ref->n)
			ref->elems[ref->n++] = norm[i];
		else if (!add && k < ref->n)
			ref->elems[k] = ref->elems[--ref->n];
	}
	if (!next)
		return true;	/* nothing changed, says the set */
	for (j = 0; j < rs->nsets; j++) {
		if (!strcmp(rs->sets[j].name, ref->name)) {
			sfw_rcu_init_pointer(rs->sets[j].cur, next);
			sfw_addrset_free(cur);
		}
	}
	FUZZ_CHECK_MSG(sfw_addrset_count(next) == ref->n, "set @%s: %u elements after the update, "
		       "the reference has %u", ref->name, sfw_addrset_count(next), ref->n);
	return true;
}

static bool ref_in_set(const struct ref_set *s, u8 l3num, const union sfw_addr *a)
{
	u32 i;

	for (i = 0; i < s->n; i++)
		if (ref_prefix(&s->elems[i], l3num, a))
			return true;
	return false;
}

struct ref_rule {
	struct sfw_rule r;
	struct sfw_port_range sp[MAX_RANGES], dp[MAX_RANGES];
	const struct ref_set *sset, *dset;
};

static bool ref_ports(const struct sfw_port_range *p, u16 n, u16 port)
{
	u16 i;

	for (i = 0; i < n; i++)
		if (p[i].lo <= port && port <= p[i].hi)
			return true;
	return false;
}

/* Every field that is set must match; a packet without a tuple matches
 * only rules that look at no part of one. */
static bool ref_match(const struct ref_rule *rr, const struct sfw_match_pkt *m)
{
	const struct sfw_rule *r = &rr->r;
	const struct sfw_tuple *t = m->t;

	if (r->ctstate && !(r->ctstate & 1U << m->ctinfo))
		return false;
	if (r->iif[0] && !(m->iif && !strcmp(r->iif, m->iif)))
		return false;
	if (r->oif[0] && !(m->oif && !strcmp(r->oif, m->oif)))
		return false;
	if (!t)
		return !r->family && !r->l4proto && !r->saddr.l3num && !r->daddr.l3num &&
		       !rr->sset && !rr->dset && !r->nsport && !r->ndport &&
		       !(r->flags & SFW_RULE_F_ICMP_TYPE);
	return (!r->family || r->family == t->l3num) &&
	       (!r->l4proto || r->l4proto == t->l4proto) &&
	       (!r->saddr.l3num || ref_prefix(&r->saddr, t->l3num, &t->src)) &&
	       (!r->daddr.l3num || ref_prefix(&r->daddr, t->l3num, &t->dst)) &&
	       (!r->nsport || ref_ports(rr->sp, r->nsport, ntohs(t->sport))) &&
	       (!r->ndport || ref_ports(rr->dp, r->ndport, ntohs(t->dport))) &&
	       (!(r->flags & SFW_RULE_F_ICMP_TYPE) ||
		((t->l4proto == SFW_IPPROTO_ICMP || t->l4proto == SFW_IPPROTO_ICMPV6) &&
		 ntohs(t->dport) >> 8 == r->icmp_type)) &&
	       (!rr->sset || ref_in_set(rr->sset, t->l3num, &t->src)) &&
	       (!rr->dset || ref_in_set(rr->dset, t->l3num, &t->dst));
}

static void take_ranges(struct fuzz_input *in, struct sfw_port_range *p, u16 *n)
{
	u16 i;

	*n = fuzz_take(in) % (MAX_RANGES + 1);
	for (i = 0; i < *n; i++) {
		u8 b = fuzz_take(in);

		p[i].lo = ports[b & 7];
		p[i].hi = b & 0x80 ? ports[b >> 3 & 7] : p[i].lo;	/* may be backwards */
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct ref_set sets[MAX_SETS];
	static struct ref_rule rules[SFW_CHAIN_COUNT][MAX_RULES];
	struct fuzz_input in = { .d = data, .n = size };
	u32 nrules[SFW_CHAIN_COUNT] = { 0 };
	struct sfw_ruleset_builder *b;
	struct sfw_ruleset *rs;
	char err[SFW_ERR_LEN];
	bool undefined = false, nat_refused = false;
	u32 nsets = 0, i;
	u8 h;
	int c;

	b = sfw_ruleset_builder_new();
	if (!b)
		return 0;
	h = fuzz_take(&in);
	/* The NAT chains' policy is always accept. */
	for (c = 0; c < SFW_CHAIN_COUNT; c++)
		sfw_ruleset_builder_policy(b, c, c < SFW_CHAIN_PREROUTING && h >> c & 1 ?
					   SFW_ACT_DROP : SFW_ACT_ACCEPT);

	/* Sets. */
	for (i = fuzz_take(&in) % (MAX_SETS + 1); i > 0; i--) {
		struct ref_set *s = &sets[nsets];
		u32 k;

		snprintf(s->name, sizeof(s->name), "s%u", nsets);
		s->n = fuzz_take(&in) % (MAX_ELEMS + 1);
		for (k = 0; k < s->n; k++)
			take_prefix(&in, &s->elems[k]);
		if (!sfw_ruleset_builder_set(b, s->name, s->elems, s->n, err)) {
			/* The reference keeps each distinct element once, normalized. */
			u32 kept = 0, j;

			for (k = 0; k < s->n; k++) {
				ref_normalize(&s->elems[k]);
				for (j = 0; j < kept && !ref_same(&s->elems[j], &s->elems[k]); j++)
					;
				if (j == kept)
					s->elems[kept++] = s->elems[k];
			}
			s->n = kept;
			nsets++;
		}
	}

	/* Rules: 8 bytes of fields, then what they ask for. */
	for (i = fuzz_take(&in) % (3 * MAX_RULES); i > 0 && in.n; i--) {
		u8 f0 = fuzz_take(&in), f1 = fuzz_take(&in), f2 = fuzz_take(&in), f3 = fuzz_take(&in);
		u8 f4 = fuzz_take(&in);
		struct ref_rule rr;
		struct sfw_nat_range nat;
		const char *sname = NULL, *dname = NULL;

		c = f0 % SFW_CHAIN_COUNT;
		if (nrules[c] >= MAX_RULES)
			continue;
		memset(&rr, 0, sizeof(rr));
		rr.r.family = (const u8[]){ 0, 0, SFW_AF_INET, SFW_AF_INET6 }[f0 >> 2 & 3];
		rr.r.l4proto = l4s[f0 >> 4 & 7];
		rr.r.action = f1 % SFW_ACT_COUNT;
		rr.r.ctstate = f1 & 0x80 ? (f1 >> 2) & 0x1f : 0;
		strcpy(rr.r.iif, ifnames[f2 & 3]);
		strcpy(rr.r.oif, ifnames[f2 >> 2 & 3]);
		if (f2 & 0x10) {
			rr.r.flags |= SFW_RULE_F_ICMP_TYPE;
			rr.r.icmp_type = (const u8[]){ 0, 3, 8, 11, 128, 129, 135, 255 }[f2 >> 5];
		}
		if (f3 & 1)
			take_prefix(&in, &rr.r.saddr);
		if (f3 & 2)
			take_prefix(&in, &rr.r.daddr);
		if (f3 & 4)
			take_ranges(&in, rr.sp, &rr.r.nsport);
		if (f3 & 8)
			take_ranges(&in, rr.dp, &rr.r.ndport);
		/* Sets by name: one defined, or now and then one that is not. */
		if (f4 & 1 && (nsets || f4 & 0x80)) {
			sname = f4 & 0x80 ? "nosuch" : sets[(f4 >> 1) % (nsets ? nsets : 1)].name;
			rr.sset = &sets[(f4 >> 1) % (nsets ? nsets : 1)];
		}
		if (f4 & 0x20 && nsets) {
			dname = sets[(f4 >> 3) % nsets].name;
			rr.dset = &sets[(f4 >> 3) % nsets];
		}
		/* snat and dnat take one target, of the rule's family (v4 if none). */
		if (rr.r.action == SFW_ACT_SNAT || rr.r.action == SFW_ACT_DNAT) {
			if (!rr.r.family)
				rr.r.family = SFW_AF_INET;
			memset(&nat, 0, sizeof(nat));
			nat.l3num = rr.r.family;
			if (nat.l3num == SFW_AF_INET)
				nat.lo.ip = htonl(0x0a000001);
			else
				nat.lo.ip6[0] = htonl(0xfd000000), nat.lo.ip6[3] = htonl(1);
			nat.hi = nat.lo;
		}
		if (sfw_ruleset_builder_rule(b, c, &rr.r, rr.sp, rr.dp, sname, dname, err))
			continue;
		if ((rr.r.action == SFW_ACT_SNAT || rr.r.action == SFW_ACT_DNAT) &&
		    sfw_ruleset_builder_nat(b, c, &nat, 1, SFW_LB_NONE, 0, err))
			nat_refused = true;
		if (sname && !strcmp(sname, "nosuch"))
			undefined = true;
		/* The reference keeps the rule as given; the builder's copy is normalized. */
		if (!rr.r.saddr.l3num)
			memset(&rr.r.saddr, 0, sizeof(rr.r.saddr));
		if (!rr.r.daddr.l3num)
			memset(&rr.r.daddr, 0, sizeof(rr.r.daddr));
		rules[c][nrules[c]++] = rr;
	}

	err[0] = 0;
	rs = sfw_ruleset_compile(b, 0x5eed, err);
	sfw_ruleset_builder_free(b);
	if (undefined) {
		FUZZ_CHECK_MSG(!rs, "a rule set naming an undefined set compiled");
		FUZZ_CHECK(err[0]);
		return 0;
	}
	if (nat_refused)
		FUZZ_CHECK_MSG(!rs, "a snat or dnat rule without its target compiled");
	if (!rs)
		return 0;	/* out of memory, or a limit: nothing to compare */

	/* Packets of 5 bytes and addresses, or a set update. */
	while (in.n) {
		u8 p0 = fuzz_take(&in), p1 = fuzz_take(&in), p2 = fuzz_take(&in), p3, p4;
		struct sfw_prefix elems[4];
		struct sfw_tuple t;
		struct sfw_match_pkt m = { .t = &t };
		s32 got, want = -1;
		u32 k;

		if ((p0 & 0xc0) == 0x40 && nsets) {
			for (k = 0; k < (p2 >> 1 & 3u); k++)
				take_prefix(&in, &elems[k]);
			update_set(rs, &sets[p1 % nsets], elems, p2 >> 1 & 3u, p2 & 1);
			continue;
		}
		p3 = fuzz_take(&in);
		p4 = fuzz_take(&in);

		memset(&t, 0, sizeof(t));
		c = p0 % SFW_CHAIN_COUNT;
		t.l3num = p0 & 4 ? SFW_AF_INET6 : SFW_AF_INET;
		t.l4proto = l4s[p0 >> 3 & 7];
		if (!t.l4proto)
			t.l4proto = SFW_IPPROTO_TCP;
		take_addr(&in, t.l3num, &t.src);
		take_addr(&in, t.l3num, &t.dst);
		if (t.l4proto == SFW_IPPROTO_ICMP || t.l4proto == SFW_IPPROTO_ICMPV6) {
			t.sport = htons(p1);
			t.dport = htons((u16)((const u8[]){ 0, 3, 8, 11, 128, 129, 135, 255 }[p2 & 7]) << 8 |
					(p2 >> 3 & 3));
		} else {
			t.sport = htons(p1 & 0x80 ? ports[p1 & 7] : p1 * 257u);
			t.dport = htons(p2 & 0x80 ? ports[p2 & 7] : p2 * 251u);
		}
		m.ctinfo = p3 % SFW_CT_COUNT;
		m.iif = p4 & 4 ? NULL : ifnames[p4 & 3];
		m.oif = p4 & 0x20 ? NULL : ifnames[p4 >> 3 & 3];
		if (p0 & 0x80 && p3 & 0x80)
			m.t = NULL;	/* a packet the tracker had no tuple for */

		for (k = 0; k < nrules[c]; k++) {
			if (ref_match(&rules[c][k], &m)) {
				want = k;
				break;
			}
		}
		got = sfw_ruleset_match(rs, c, &m);
		FUZZ_CHECK_MSG(got == want, "chain %s: the matcher took rule %d, first match is %d "
			       "(l3 %u l4 %u sport %u dport %u ctinfo %u%s)", sfw_chain_names[c],
			       got, want, t.l3num, t.l4proto, ntohs(t.sport), ntohs(t.dport),
			       m.ctinfo, m.t ? "" : ", no tuple");
	}
	sfw_ruleset_free(rs);
	return 0;
}
