// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the rule matcher and address sets (src/ruleset.c,
 * src/addrset.c). The index must never change a verdict: random rule sets
 * are checked packet by packet against a plain scan of every rule.
 */
#include "ruleset.h"
#include "tap.h"

static u64 rng = 0x9e3779b97f4a7c15ULL;

static u32 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (u32)rng;
}

static struct sfw_prefix pfx4(u32 host_order, u8 len)
{
	struct sfw_prefix p = { .l3num = SFW_AF_INET, .len = len };

	p.addr.ip = htonl(host_order);
	sfw_prefix_normalize(&p);
	return p;
}

static void test_addrset(void)
{
	enum { N = 100000 };
	struct sfw_prefix *e = calloc(N, sizeof(*e));
	struct sfw_addrset *set;
	char why[128] = "";
	int ok = 0;
	u32 i;

	/* 10.x.y.z/32 for even z, and 172.16.k.0/24 for k < 200. */
	for (i = 0; i < N - 200; i++)
		e[i] = pfx4(0x0a000000 | (i * 2 & 0xffffff), 32);
	for (i = 0; i < 200; i++)
		e[N - 200 + i] = pfx4(0xac100000 | i << 8, 24);
	set = sfw_addrset_build(e, N, 42);
	if (!set) {
		snprintf(why, sizeof(why), "build failed");
		goto out;
	}
	for (i = 0; i < 200000; i++) {
		u32 a = 0x0a000000 | (rnd() & 0x3ffff);
		union sfw_addr x = { .ip = htonl(a) };
		bool want = !(a & 1) && (a & 0xffffff) / 2 < N - 200;

		if (sfw_addrset_lookup(set, SFW_AF_INET, &x) != want) {
			snprintf(why, sizeof(why), "10.x: %08x gave %d", a, !want);
			goto out;
		}
		a = 0xac100000 | (rnd() & 0xffff);
		x.ip = htonl(a);
		want = ((a >> 8) & 0xff) < 200;
		if (sfw_addrset_lookup(set, SFW_AF_INET, &x) != want) {
			snprintf(why, sizeof(why), "172.16: %08x gave %d", a, !want);
			goto out;
		}
	}
	/* An IPv4 set says nothing about IPv6. */
	{
		union sfw_addr x = { .ip6 = { htonl(0x0a000000), 0, 0, 0 } };

		if (sfw_addrset_lookup(set, SFW_AF_INET6, &x)) {
			snprintf(why, sizeof(why), "IPv6 address matched an IPv4 set");
			goto out;
		}
	}
	ok = 1;
out:
	sfw_addrset_free(set);
	free(e);
	tap_result(ok, "addrset: 100k elements, /32 and /24, longest-prefix membership", why);
}

static void test_prefix(void)
{
	struct sfw_prefix p = { .l3num = SFW_AF_INET6, .len = 64 };
	struct sfw_prefix bad = { .l3num = SFW_AF_INET, .len = 33 };
	union sfw_addr in = { .ip6 = { htonl(0xfd000000), htonl(1), htonl(5), htonl(6) } };
	union sfw_addr out = { .ip6 = { htonl(0xfd000000), htonl(2), 0, 0 } };
	int ok;

	p.addr = in;
	ok = !sfw_prefix_normalize(&p) && !p.addr.ip6[2] && !p.addr.ip6[3] &&
	     sfw_prefix_match(&p, SFW_AF_INET6, &in) && !sfw_prefix_match(&p, SFW_AF_INET6, &out) &&
	     !sfw_prefix_match(&p, SFW_AF_INET, &in) && sfw_prefix_normalize(&bad) == -EINVAL;
	tap_result(ok, "prefix: IPv6 /64 normalized and matched; /33 on IPv4 refused", NULL);
}

/* A random rule over a small space, so that random packets hit them. */
static void random_rule(struct sfw_rule *r, struct sfw_port_range *dp, struct sfw_port_range *sp,
			const char **dset)
{
	memset(r, 0, sizeof(*r));
	r->saddr_set = r->daddr_set = -1;
	*dset = NULL;
	r->action = rnd() % (SFW_ACT_REJECT + 1);	/* filter actions: valid in every filter chain */
	if (rnd() % 3)
		r->l4proto = rnd() % 2 ? SFW_IPPROTO_TCP : SFW_IPPROTO_UDP;
	if (r->l4proto && rnd() % 4) {
		r->ndport = 1 + rnd() % 2;
		dp[0].lo = dp[0].hi = 1 + rnd() % 16;
		dp[1].lo = 1 + rnd() % 16;
		dp[1].hi = dp[1].lo + rnd() % (rnd() % 8 ? 3 : 400);	/* some too wide to index */
	}
	if (r->l4proto && !(rnd() % 4)) {
		r->nsport = 1;
		sp[0].lo = 1 + rnd() % 8;
		sp[0].hi = sp[0].lo + rnd() % 4;
	}
	if (!(rnd() % 3))
		r->ctstate = 1 + rnd() % ((1 << SFW_CT_COUNT) - 1);
	if (!(rnd() % 4))
		r->saddr = pfx4(0x0a000000 | (rnd() % 4) << 8, 24);
	if (!(rnd() % 6))
		*dset = "dst";
	if (!(rnd() % 8))
		strcpy(r->iif, rnd() % 2 ? "lan0" : "wan0");
	if (!(rnd() % 10) && !r->l4proto)
		r->family = SFW_AF_INET;
}

/* What sfw_ruleset_trace() reported: the rules reached and why each failed. */
struct trace {
	u32 n, rule[1024];
	enum sfw_explain_fail fail[1024];
};

static void trace_step(void *arg, u32 rule, enum sfw_explain_fail fail)
{
	struct trace *tr = arg;

	if (tr->n < 1024) {
		tr->rule[tr->n] = rule;
		tr->fail[tr->n] = fail;
	}
	tr->n++;
}

/* The trace agrees with the match: ascending, the last one is @got and alone matched. */
static int trace_agrees(const struct sfw_ruleset *rs, const struct sfw_match_pkt *m, s32 got,
			char *why, size_t len)
{
	static struct trace tr;
	s32 t;
	u32 i;

	tr.n = 0;
	t = sfw_ruleset_trace(rs, SFW_CHAIN_FORWARD, m, trace_step, &tr);
	if (t != got) {
		snprintf(why, len, "trace says rule %d, match says %d", t, got);
		return 0;
	}
	for (i = 0; i < tr.n && i < 1024; i++) {
		bool last = i + 1 == tr.n;

		if ((i && tr.rule[i] <= tr.rule[i - 1]) ||
		    tr.fail[i] != sfw_rule_mismatch(rs, &rs->chain[SFW_CHAIN_FORWARD].rules[tr.rule[i]], m) ||
		    (tr.fail[i] == SFW_EXPLAIN_MATCHED) != (last && got >= 0) ||
		    (last && got >= 0 && tr.rule[i] != (u32)got)) {
			snprintf(why, len, "trace step %u (rule %u, fail %d) disagrees", i, tr.rule[i],
				 tr.fail[i]);
			return 0;
		}
	}
	return 1;
}

static void test_index_equals_scan(void)
{
	char why[SFW_ERR_LEN + 64] = "", err[SFW_ERR_LEN];
	struct sfw_prefix dst[2] = { pfx4(0xc0000200, 24), pfx4(0xc6336401, 32) };
	int ok = 0, round;

	for (round = 0; round < 200; round++) {
		struct sfw_ruleset_builder *b = sfw_ruleset_builder_new();
		struct sfw_ruleset *rs;
		u32 nrules = 1 + rnd() % 300, i, k;

		sfw_ruleset_builder_set(b, "dst", dst, 2, err);
		for (i = 0; i < nrules; i++) {
			struct sfw_port_range dp[2], sp[1];
			const char *dset;
			struct sfw_rule r;

			random_rule(&r, dp, sp, &dset);
			if (sfw_ruleset_builder_rule(b, SFW_CHAIN_FORWARD, &r, sp, dp, NULL, dset, err)) {
				snprintf(why, sizeof(why), "round %d rule %u refused: %s", round, i, err);
				sfw_ruleset_builder_free(b);
				goto out;
			}
		}
		rs = sfw_ruleset_compile(b, 7, err);
		sfw_ruleset_builder_free(b);
		if (!rs) {
			snprintf(why, sizeof(why), "round %d: compile: %s", round, err);
			goto out;
		}
		for (k = 0; k < 500; k++) {
			struct sfw_tuple t = { .l3num = SFW_AF_INET };
			struct sfw_match_pkt m = { .t = &t, .ctinfo = rnd() % SFW_CT_COUNT };
			s32 got, want = -1;

			t.l4proto = rnd() % 3 ? (rnd() % 2 ? SFW_IPPROTO_TCP : SFW_IPPROTO_UDP)
					      : SFW_IPPROTO_ICMP;
			t.src.ip = htonl(0x0a000000 | (rnd() % 6) << 8 | 1);
			t.dst.ip = htonl(rnd() % 2 ? 0xc0000205 : 0xc6336401 + rnd() % 2);
			t.sport = htons(1 + rnd() % 12);
			t.dport = htons(1 + rnd() % 420);
			m.iif = rnd() % 3 ? "lan0" : "wan0";
			for (i = 0; i < rs->chain[SFW_CHAIN_FORWARD].n; i++) {
				if (sfw_rule_match(rs, &rs->chain[SFW_CHAIN_FORWARD].rules[i], &m)) {
					want = i;
					break;
				}
			}
			got = sfw_ruleset_match(rs, SFW_CHAIN_FORWARD, &m);
			if (got != want) {
				snprintf(why, sizeof(why), "round %d packet %u: index says rule %d, a scan says %d",
					 round, k, got, want);
				sfw_ruleset_free(rs);
				goto out;
			}
			if (!trace_agrees(rs, &m, got, why, sizeof(why))) {
				sfw_ruleset_free(rs);
				goto out;
			}
		}
		sfw_ruleset_free(rs);
	}
	ok = 1;
out:
	tap_result(ok, "ruleset: the index gives the verdict a full scan gives, and the trace "
		   "(explain) agrees (200 random sets)", why);
}

/* One row per bad rule: what is wrong with it and the word the error must contain. */
/* A random element of a small universe, so that adds and removes collide. */
static struct sfw_prefix rnd_elem(void)
{
	struct sfw_prefix p = { 0 };
	static const u8 lens4[] = { 32, 32, 32, 24, 16, 0 };
	static const u8 lens6[] = { 128, 128, 64, 48 };

	if (rnd() % 4) {
		p.l3num = SFW_AF_INET;
		p.addr.ip = htonl(0x0a000000 | (rnd() % 3000) << 4);
		p.len = lens4[rnd() % sizeof(lens4)];
	} else {
		p.l3num = SFW_AF_INET6;
		p.addr.ip6[0] = htonl(0x20010db8);
		p.addr.ip6[3] = htonl(rnd() % 500);
		p.len = lens6[rnd() % sizeof(lens6)];
	}
	sfw_prefix_normalize(&p);
	return p;
}

/* @a equals @b: the same elements in the same order, the same answers. */
static int same_set(const struct sfw_addrset *a, const struct sfw_addrset *b, char *why)
{
	u32 i, n = sfw_addrset_count(a);

	if (n != sfw_addrset_count(b)) {
		sprintf(why, "%u elements, from scratch %u", n, sfw_addrset_count(b));
		return 0;
	}
	if (n && memcmp(sfw_addrset_elems(a), sfw_addrset_elems(b), n * sizeof(struct sfw_prefix))) {
		sprintf(why, "elements differ from a build from scratch");
		return 0;
	}
	/* Every element is found by its own address; random ones agree. */
	for (i = 0; i < n + 2000; i++) {
		struct sfw_prefix p = i < n ? sfw_addrset_elems(a)[i] : rnd_elem();
		bool x = sfw_addrset_lookup(a, p.l3num, &p.addr);

		if (i < n && !x) {
			sprintf(why, "element %u not found", i);
			return 0;
		}
		if (x != sfw_addrset_lookup(b, p.l3num, &p.addr)) {
			sprintf(why, "lookup %u: incremental %d, from scratch %d", i, x, !x);
			return 0;
		}
	}
	return 1;
}

static void test_addrset_update(void)
{
	enum { ROUNDS = 3000, MAXK = 40 };
	struct sfw_prefix batch[MAXK], *all = calloc(100000, sizeof(*all));
	struct sfw_addrset *set = sfw_addrset_build(NULL, 0, 7), *next, *ref;
	char why[160] = "";
	u32 r, i, k, n = 0, peak = 0;
	int ok = 0, ret;

	if (!set || !all)
		goto out;
	for (r = 0; r < ROUNDS; r++) {
		/* Adds win early, removes late: the table grows, then shrinks. */
		bool add = rnd() % 100 < (r < ROUNDS / 2 ? 70 : 25);
		u32 cnt = sfw_addrset_count(set);

		k = rnd() % 8 ? 1 + rnd() % 4 : rnd() % MAXK;
		for (i = 0; i < k; i++)
			batch[i] = !add && cnt && rnd() % 4 ? sfw_addrset_elems(set)[rnd() % cnt]
							    : rnd_elem();
		ret = sfw_addrset_update(set, batch, k, add, ~0U, &next);
		if (ret) {
			sprintf(why, "round %u: update gave %d", r, ret);
			goto out;
		}
		if (!next)
			next = set;
		/* The reference: the old elements plus or minus the batch, built whole. */
		n = 0;
		for (i = 0; i < cnt; i++) {
			const struct sfw_prefix *e = &sfw_addrset_elems(set)[i];
			u32 j;

			for (j = 0; !add && j < k; j++)
				if (!memcmp(e, &batch[j], sizeof(*e)))
					break;
			if (add || j == k)
				all[n++] = *e;
		}
		for (i = 0; add && i < k; i++)
			all[n++] = batch[i];
		ref = sfw_addrset_build(all, n, 7);
		if (!ref || !same_set(next, ref, why)) {
			sfw_addrset_free(ref);
			if (next != set)
				sfw_addrset_free(next);
			if (!ref)
				sprintf(why, "round %u: build failed", r);
			else
				tap_diag("round %u (%s %u): %s", r, add ? "add" : "del", k, why);
			goto out;
		}
		sfw_addrset_free(ref);
		if (next != set) {
			sfw_addrset_free(set);
			set = next;
		}
		if (sfw_addrset_count(set) > peak)
			peak = sfw_addrset_count(set);
	}
	tap_diag("incremental: %u rounds, peak %u elements, %u at the end", ROUNDS, peak,
		 sfw_addrset_count(set));

	/* Nothing new: no new version. Past the limit: ENOSPC, nothing built. */
	batch[0] = pfx4(0xc0a8ff00, 24);
	if (sfw_addrset_update(set, batch, 1, true, ~0U, &next) || !next) {
		sprintf(why, "adding to the set left at the end failed");
		goto out;
	}
	sfw_addrset_free(set);
	set = next;
	if (sfw_addrset_update(set, batch, 1, true, ~0U, &next) || next) {
		sprintf(why, "adding a present element made a new version");
		goto out;
	}
	for (i = 0; i < 8; i++)
		batch[i] = pfx4(0xc0a80000 + i, 32);
	ret = sfw_addrset_update(set, batch, 8, true, sfw_addrset_count(set) + 7, &next);
	if (ret != -ENOSPC || next) {
		sprintf(why, "8 new with room for 7 gave %d", ret);
		goto out;
	}
	ret = sfw_addrset_update(set, batch, 8, true, sfw_addrset_count(set) + 8, &next);
	if (ret || !next || sfw_addrset_count(next) != sfw_addrset_count(set) + 8) {
		sprintf(why, "8 new with room for 8 gave %d", ret);
		sfw_addrset_free(next);
		goto out;
	}
	sfw_addrset_free(next);
	ok = 1;
out:
	sfw_addrset_free(set);
	free(all);
	tap_result(ok, "addrset: incremental add/remove equals a build from scratch", why);
}

static void test_addrset_big_update(void)
{
	enum { N = 200000 };
	struct sfw_prefix *e = calloc(N, sizeof(*e)), one;
	struct sfw_addrset *set = NULL, *next = NULL, *ref = NULL;
	char why[160] = "";
	int ok = 0;
	u32 i;

	if (!e)
		goto out;
	for (i = 0; i < N; i++)
		e[i] = pfx4(0x0a000000 + 2 * i, 32);
	set = sfw_addrset_build(e, N - 1, 3);
	/* One element into the middle of 200k, and out again. */
	one = pfx4(0x0a000000 + 2 * (N / 2) + 1, 32);
	if (!set || sfw_addrset_update(set, &one, 1, true, ~0U, &next) || !next) {
		sprintf(why, "adding one failed");
		goto out;
	}
	e[N - 1] = one;
	ref = sfw_addrset_build(e, N, 3);
	if (!ref || !same_set(next, ref, why))
		goto out;
	sfw_addrset_free(ref);
	ref = sfw_addrset_build(e, N - 1, 3);
	sfw_addrset_free(set);
	set = next;
	next = NULL;
	one = pfx4(0x0a000000 + 2 * (N / 2) + 1, 32);
	if (!ref || sfw_addrset_update(set, &one, 1, false, ~0U, &next) || !next ||
	    !same_set(next, ref, why)) {
		if (!why[0])
			sprintf(why, "removing one failed");
		goto out;
	}
	ok = 1;
out:
	sfw_addrset_free(set);
	sfw_addrset_free(next);
	sfw_addrset_free(ref);
	free(e);
	tap_result(ok, "addrset: one element into 200k and out, in place of a rebuild", why);
}

static void test_builder_errors(void)
{
	struct sfw_port_range back = { 10, 5 }, p22 = { 22, 22 };
	struct sfw_prefix v6 = { .l3num = SFW_AF_INET6, .len = 64 };
	char err[SFW_ERR_LEN], why[160] = "";
	struct {
		const char *what, *needle;
		struct sfw_rule r;
		const struct sfw_port_range *dports;
		const char *dset;
	} rows[] = {
		{ "ports without tcp/udp", "ports need", { .ndport = 1 }, &p22, NULL },
		{ "backwards range", "backwards", { .l4proto = SFW_IPPROTO_TCP, .ndport = 1 }, &back, NULL },
		{ "icmp type on tcp", "icmp", { .l4proto = SFW_IPPROTO_TCP, .flags = SFW_RULE_F_ICMP_TYPE }, NULL, NULL },
		{ "ip6 address in an ip rule", "IPv6", { .family = SFW_AF_INET, .saddr = v6 }, NULL, NULL },
		{ "unknown action", "action", { .action = 9 }, NULL, NULL },
		{ "unknown ct state bits", "ct state", { .ctstate = 0xe0 }, NULL, NULL },
	};
	unsigned int i;
	int ok = 0;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		struct sfw_ruleset_builder *b = sfw_ruleset_builder_new();
		int ret;

		rows[i].r.saddr_set = rows[i].r.daddr_set = -1;
		ret = sfw_ruleset_builder_rule(b, SFW_CHAIN_INPUT, &rows[i].r, NULL, rows[i].dports,
					       NULL, rows[i].dset, err);
		sfw_ruleset_builder_free(b);
		if (!ret || !strstr(err, rows[i].needle)) {
			snprintf(why, sizeof(why), "%s: ret %d, error '%s'", rows[i].what, ret,
				 ret ? err : "");
			goto out;
		}
	}
	/* A rule naming a set that never comes fails at compile, naming it. */
	{
		struct sfw_ruleset_builder *b = sfw_ruleset_builder_new();
		struct sfw_rule r = { .saddr_set = -1, .daddr_set = -1 };
		struct sfw_ruleset *rs;

		sfw_ruleset_builder_rule(b, SFW_CHAIN_INPUT, &r, NULL, NULL, "nope", NULL, err);
		rs = sfw_ruleset_compile(b, 1, err);
		sfw_ruleset_builder_free(b);
		if (rs || !strstr(err, "input rule 1: no set @nope")) {
			snprintf(why, sizeof(why), "unknown set: '%s'", err);
			sfw_ruleset_free(rs);
			goto out;
		}
	}
	ok = 1;
out:
	tap_result(ok, "ruleset: bad rules refused with a message that says why", why);
}

static struct sfw_nat_range nat4(u32 lo, u32 hi, u16 plo, u16 phi)
{
	struct sfw_nat_range t = { .l3num = SFW_AF_INET, .port_lo = plo, .port_hi = phi };

	t.lo.ip = htonl(lo);
	t.hi.ip = htonl(hi);
	return t;
}

/*
 * NAT rules through the builder, one row each: the chain, the rule, its
 * targets, lb and sticky, and the exact error ("" for none) of the
 * first step that refuses it (the rule, the targets, or the compile).
 */
static void test_nat_builder(void)
{
	enum { PRE = SFW_CHAIN_PREROUTING, POST = SFW_CHAIN_POSTROUTING };
	struct sfw_nat_range a = nat4(0x0a000001, 0x0a000001, 0, 0);
	struct sfw_nat_range a80 = nat4(0x0a000001, 0x0a000001, 80, 80);
	struct sfw_nat_range range = nat4(0xc0000201, 0xc0000204, 1024, 65535);
	struct sfw_nat_range back = nat4(0xc0000204, 0xc0000201, 0, 0);
	struct sfw_nat_range pback = nat4(0x0a000001, 0x0a000001, 90, 80);
	struct sfw_nat_range p0 = nat4(0x0a000001, 0x0a000001, 0, 80);
	struct sfw_nat_range ports = { .port_lo = 2000, .port_hi = 3000 };
	struct sfw_nat_range noaddr = { 0 };
	struct sfw_nat_range v6 = { .l3num = SFW_AF_INET6 };
	struct sfw_nat_range fam9 = { .l3num = 9 };
	struct sfw_nat_range two[2], mixed[2], many[SFW_NAT_TARGETS_MAX + 1];
	struct sfw_prefix s6 = { .l3num = SFW_AF_INET6, .len = 64 };
	const u8 TCP = SFW_IPPROTO_TCP;
	struct {
		int chain;
		struct sfw_rule r;
		const struct sfw_nat_range *t;
		u16 n;
		u8 lb;
		u32 sticky;
		bool no_nat_call;
		const char *err;
	} rows[] = {
		{ POST, { .action = SFW_ACT_MASQUERADE }, NULL, 0, 0, 0, false, "" },
		{ POST, { .action = SFW_ACT_MASQUERADE, .l4proto = TCP }, &ports, 1, 0, 0, false, "" },
		{ POST, { .action = SFW_ACT_SNAT, .l4proto = TCP }, &range, 1, 0, 0, false, "" },
		{ PRE, { .action = SFW_ACT_DNAT }, &a, 1, 0, 0, false, "" },
		{ PRE, { .action = SFW_ACT_DNAT, .l4proto = TCP }, two, 2, SFW_LB_HASH, 30, false, "" },
		{ PRE, { .action = SFW_ACT_ACCEPT }, NULL, 0, 0, 0, true, "" },
		{ POST, { .action = SFW_ACT_DROP }, NULL, 0, 0, 0, true, "" },
		{ PRE, { .action = SFW_ACT_SNAT }, &a, 1, 0, 0, false,
		  "snat is only valid in chain postrouting" },
		{ SFW_CHAIN_INPUT, { .action = SFW_ACT_DNAT }, &a, 1, 0, 0, false,
		  "dnat is only valid in chain prerouting" },
		{ POST, { .action = SFW_ACT_REJECT }, NULL, 0, 0, 0, true,
		  "reject is not valid in chain postrouting (accept, drop, snat, masquerade)" },
		{ PRE, { .action = SFW_ACT_DNAT, .oif = "wan0" }, &a, 1, 0, 0, false,
		  "prerouting cannot match oif (there is no route yet)" },
		{ POST, { .action = SFW_ACT_ACCEPT }, &a, 1, 0, 0, false,
		  "accept takes no NAT targets" },
		{ POST, { .action = SFW_ACT_SNAT }, NULL, 0, 0, 0, false,
		  "snat needs exactly one target (an address or range)" },
		{ POST, { .action = SFW_ACT_SNAT }, two, 2, 0, 0, false,
		  "snat needs exactly one target (an address or range)" },
		{ POST, { .action = SFW_ACT_SNAT }, &back, 1, 0, 0, false,
		  "snat target 1: address range is backwards" },
		{ POST, { .action = SFW_ACT_SNAT, .l4proto = TCP }, &ports, 1, 0, 0, false,
		  "snat target 1 needs an address" },
		{ POST, { .action = SFW_ACT_SNAT }, &fam9, 1, 0, 0, false,
		  "snat target 1: unknown family 9" },
		{ POST, { .action = SFW_ACT_SNAT, .l4proto = 1 }, &range, 1, 0, 0, false,
		  "snat to a port in a rule for a protocol without ports" },
		{ POST, { .action = SFW_ACT_SNAT, .saddr = s6 }, &a, 1, 0, 0, false,
		  "snat to an IPv4 address in a rule for IPv6" },
		{ POST, { .action = SFW_ACT_SNAT, .family = SFW_AF_INET }, &v6, 1, 0, 0, false,
		  "snat to an IPv6 address in a rule for IPv4" },
		{ POST, { .action = SFW_ACT_SNAT }, &a, 1, SFW_LB_RR, 0, false, "lb is for dnat only" },
		{ POST, { .action = SFW_ACT_SNAT }, NULL, 0, 0, 0, true,
		  "postrouting rule 1: snat without a target" },
		{ POST, { .action = SFW_ACT_MASQUERADE }, &a, 1, 0, 0, false,
		  "masquerade takes ports only, not an address" },
		{ POST, { .action = SFW_ACT_MASQUERADE, .l4proto = TCP }, two, 2, 0, 0, false,
		  "masquerade takes at most one port range" },
		{ PRE, { .action = SFW_ACT_DNAT }, NULL, 0, 0, 0, false,
		  "dnat needs 1 to 256 targets (it has 0)" },
		{ PRE, { .action = SFW_ACT_DNAT }, many, SFW_NAT_TARGETS_MAX + 1, SFW_LB_RR, 0, false,
		  "dnat needs 1 to 256 targets (it has 257)" },
		{ PRE, { .action = SFW_ACT_DNAT }, NULL, 0, 0, 0, true,
		  "prerouting rule 1: dnat without a target" },
		{ PRE, { .action = SFW_ACT_DNAT }, &range, 1, 0, 0, false,
		  "dnat target 1: one address, not a range (list backends in { })" },
		{ PRE, { .action = SFW_ACT_DNAT }, &noaddr, 1, 0, 0, false,
		  "dnat target 1 needs an address" },
		{ PRE, { .action = SFW_ACT_DNAT, .l4proto = TCP }, two, 2, 0, 0, false,
		  "dnat to 2 targets needs lb hash or lb rr" },
		{ PRE, { .action = SFW_ACT_DNAT }, &a, 1, SFW_LB_HASH, 0, false,
		  "lb needs more than one dnat target" },
		{ PRE, { .action = SFW_ACT_DNAT, .l4proto = TCP }, two, 2, SFW_LB_COUNT, 0, false,
		  "unknown lb mode 3" },
		{ PRE, { .action = SFW_ACT_DNAT }, &a, 1, 0, 30, false,
		  "sticky needs lb hash or lb rr" },
		{ PRE, { .action = SFW_ACT_DNAT, .l4proto = TCP }, two, 2, SFW_LB_RR, 86401, false,
		  "sticky timeout over 86400 seconds" },
		{ PRE, { .action = SFW_ACT_DNAT, .l4proto = 1 }, &a80, 1, 0, 0, false,
		  "dnat to a port in a rule for a protocol without ports" },
		{ PRE, { .action = SFW_ACT_DNAT, .l4proto = TCP }, &pback, 1, 0, 0, false,
		  "dnat target 1: bad port range 90-80" },
		{ PRE, { .action = SFW_ACT_DNAT, .l4proto = TCP }, &p0, 1, 0, 0, false,
		  "dnat target 1: bad port range 0-80" },
		{ PRE, { .action = SFW_ACT_DNAT }, mixed, 2, SFW_LB_RR, 0, false,
		  "dnat targets of both IPv4 and IPv6" },
	};
	char err[SFW_ERR_LEN], why[256] = "";
	unsigned int i;
	int ok = 0;

	two[0] = a80;
	two[1] = nat4(0x0a000002, 0x0a000002, 80, 80);
	mixed[0] = a;
	mixed[1] = v6;
	for (i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = nat4(0x0a000001 + i, 0x0a000001 + i, 0, 0);
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		struct sfw_ruleset_builder *b = sfw_ruleset_builder_new();
		struct sfw_ruleset *rs = NULL;
		int ret;

		err[0] = 0;
		rows[i].r.saddr_set = rows[i].r.daddr_set = -1;
		ret = sfw_ruleset_builder_rule(b, rows[i].chain, &rows[i].r, NULL, NULL, NULL, NULL,
					       err);
		if (!ret && !rows[i].no_nat_call)
			ret = sfw_ruleset_builder_nat(b, rows[i].chain, rows[i].t, rows[i].n,
						      rows[i].lb, rows[i].sticky, err);
		if (!ret) {
			rs = sfw_ruleset_compile(b, 1, err);
			ret = rs ? 0 : -EINVAL;
		}
		sfw_ruleset_free(rs);
		sfw_ruleset_builder_free(b);
		if (strcmp(err, rows[i].err) || !ret != !rows[i].err[0]) {
			snprintf(why, sizeof(why), "row %u: ret %d, error '%s', want '%s'", i + 1, ret,
				 err, rows[i].err);
			goto out;
		}
	}
	ok = 1;
out:
	tap_result(ok, "ruleset: NAT rules checked, each refusal with its message", why);
}

/* What compile makes of NAT rules, and the NAT chains' own checks. */
static void test_nat_compile(void)
{
	struct sfw_ruleset_builder *b = sfw_ruleset_builder_new();
	struct sfw_port_range p80 = { 80, 80 };
	struct sfw_nat_range t[3] = { nat4(0x0a000032, 0x0a000032, 8080, 8080),
				      nat4(0x0a000033, 0x0a000033, 8080, 8080),
				      nat4(0x0a000034, 0x0a000034, 8080, 8080) };
	struct sfw_rule acc = { .action = SFW_ACT_ACCEPT, .saddr_set = -1, .daddr_set = -1,
				.iif = "lo" };
	struct sfw_rule dnat = { .action = SFW_ACT_DNAT, .l4proto = SFW_IPPROTO_TCP, .ndport = 1,
				 .saddr_set = -1, .daddr_set = -1,
				 /* stale pool fields from elsewhere: the builder ignores them */
				 .nat_off = 7, .nnat = 9, .nat_lb = 2, .nat_sticky = 5 };
	struct sfw_rule masq = { .action = SFW_ACT_MASQUERADE, .saddr_set = -1, .daddr_set = -1 };
	struct sfw_tuple tup = { .l3num = SFW_AF_INET, .l4proto = SFW_IPPROTO_TCP,
				 .dport = htons(80) };
	struct sfw_match_pkt m = { .t = &tup, .iif = "wan0" };
	char err[SFW_ERR_LEN] = "", why[160] = "";
	const struct sfw_rule *r;
	struct sfw_ruleset *rs;
	int ok = 0;

	sfw_ruleset_builder_rule(b, SFW_CHAIN_PREROUTING, &acc, NULL, NULL, NULL, NULL, err);
	sfw_ruleset_builder_rule(b, SFW_CHAIN_PREROUTING, &dnat, NULL, &p80, NULL, NULL, err);
	sfw_ruleset_builder_nat(b, SFW_CHAIN_PREROUTING, t, 3, SFW_LB_RR, 600, err);
	sfw_ruleset_builder_rule(b, SFW_CHAIN_POSTROUTING, &masq, NULL, NULL, NULL, NULL, err);
	sfw_ruleset_builder_nat(b, SFW_CHAIN_POSTROUTING, NULL, 0, 0, 0, err);
	if (!sfw_ruleset_builder_nat(b, SFW_CHAIN_PREROUTING, t, 1, 0, 0, err) ||
	    strcmp(err, "NAT targets given twice")) {
		snprintf(why, sizeof(why), "second targets for a rule: '%s'", err);
		goto out;
	}
	if (!sfw_ruleset_builder_nat(b, SFW_CHAIN_FORWARD, t, 1, 0, 0, err) ||
	    strcmp(err, "NAT targets without a rule")) {
		snprintf(why, sizeof(why), "targets without a rule: '%s'", err);
		goto out;
	}
	err[0] = 0;
	rs = sfw_ruleset_compile(b, 1, err);
	if (!rs) {
		snprintf(why, sizeof(why), "compile: '%s'", err);
		goto out;
	}
	r = &rs->chain[SFW_CHAIN_PREROUTING].rules[1];
	if (rs->nnat != 3 || r->nnat != 3 || r->nat_off != 0 || r->nat_lb != SFW_LB_RR ||
	    r->nat_sticky != 600 || r->family != SFW_AF_INET ||
	    memcmp(&rs->nat[2], &t[2], sizeof(t[2])) ||
	    rs->chain[SFW_CHAIN_POSTROUTING].rules[0].nnat != 0) {
		snprintf(why, sizeof(why), "pool %u, rule nnat %u off %u lb %u sticky %u family %u",
			 rs->nnat, r->nnat, r->nat_off, r->nat_lb, r->nat_sticky, r->family);
		sfw_ruleset_free(rs);
		goto out;
	}
	/* The NAT chains are chains: the index finds the dnat rule, iif lo does not match. */
	if (sfw_ruleset_match(rs, SFW_CHAIN_PREROUTING, &m) != 1 ||
	    sfw_ruleset_match(rs, SFW_CHAIN_POSTROUTING, &m) != 0) {
		snprintf(why, sizeof(why), "match: %d, %d", sfw_ruleset_match(rs, SFW_CHAIN_PREROUTING, &m),
			 sfw_ruleset_match(rs, SFW_CHAIN_POSTROUTING, &m));
		sfw_ruleset_free(rs);
		goto out;
	}
	sfw_ruleset_free(rs);
	/* Their policy is accept, always. */
	sfw_ruleset_builder_policy(b, SFW_CHAIN_POSTROUTING, SFW_ACT_DROP);
	rs = sfw_ruleset_compile(b, 1, err);
	if (rs || strcmp(err, "chain postrouting: the policy must be accept")) {
		snprintf(why, sizeof(why), "policy drop: '%s'", err);
		sfw_ruleset_free(rs);
		goto out;
	}
	ok = 1;
out:
	sfw_ruleset_builder_free(b);
	tap_result(ok, "ruleset: NAT targets compiled into the pool; NAT chains match and index", why);
}

/* The seed's rule set: established/related first, then what may start. */
static void test_stateful_basics(void)
{
	struct sfw_ruleset_builder *b = sfw_ruleset_builder_new();
	struct sfw_port_range p22 = { 22, 22 };
	struct sfw_prefix trusted = pfx4(0x0a000000, 8);
	char err[SFW_ERR_LEN], why[160] = "";
	struct sfw_rule est = { .ctstate = 1 << SFW_CT_ESTABLISHED | 1 << SFW_CT_RELATED,
				.saddr_set = -1, .daddr_set = -1 };
	struct sfw_rule inv = { .ctstate = 1 << SFW_CT_INVALID, .action = SFW_ACT_DROP,
				.saddr_set = -1, .daddr_set = -1 };
	struct sfw_rule lo = { .saddr_set = -1, .daddr_set = -1 };
	struct sfw_rule ssh = { .l4proto = SFW_IPPROTO_TCP, .ndport = 1,
				.ctstate = 1 << SFW_CT_NEW, .saddr_set = -1, .daddr_set = -1 };
	struct sfw_rule ping = { .l4proto = SFW_IPPROTO_ICMP, .flags = SFW_RULE_F_ICMP_TYPE,
				 .icmp_type = 8, .saddr_set = -1, .daddr_set = -1 };
	struct sfw_tuple t = { .l3num = SFW_AF_INET, .l4proto = SFW_IPPROTO_TCP };
	struct sfw_match_pkt m = { .t = &t };
	struct sfw_ruleset *rs;
	int ok = 0;

	strcpy(lo.iif, "lo");
	sfw_ruleset_builder_policy(b, SFW_CHAIN_INPUT, SFW_ACT_DROP);
	sfw_ruleset_builder_rule(b, SFW_CHAIN_INPUT, &est, NULL, NULL, NULL, NULL, err);
	sfw_ruleset_builder_rule(b, SFW_CHAIN_INPUT, &inv, NULL, NULL, NULL, NULL, err);
	sfw_ruleset_builder_rule(b, SFW_CHAIN_INPUT, &lo, NULL, NULL, NULL, NULL, err);
	sfw_ruleset_builder_rule(b, SFW_CHAIN_INPUT, &ssh, NULL, &p22, NULL, NULL, err);
	sfw_ruleset_builder_rule(b, SFW_CHAIN_INPUT, &ping, NULL, NULL, "trusted", NULL, err);
	sfw_ruleset_builder_set(b, "trusted", &trusted, 1, err);
	rs = sfw_ruleset_compile(b, 3, err);
	sfw_ruleset_builder_free(b);
	if (!rs) {
		snprintf(why, sizeof(why), "compile: %s", err);
		goto out;
	}

#define EXPECT(desc, want) do {							\
	s32 got = sfw_ruleset_match(rs, SFW_CHAIN_INPUT, &m);			\
	if (got != (want)) {							\
		snprintf(why, sizeof(why), "%s: rule %d, expected %d", desc, got, want); \
		goto out;							\
	}									\
} while (0)
	t.src.ip = htonl(0xc6336401);
	t.dport = htons(22);
	m.ctinfo = SFW_CT_ESTABLISHED;
	EXPECT("established ssh", 0);
	m.ctinfo = SFW_CT_INVALID;
	EXPECT("invalid", 1);
	m.ctinfo = SFW_CT_NEW;
	EXPECT("new ssh", 3);
	t.dport = htons(80);
	EXPECT("new web: the policy", -1);
	m.iif = "lo";
	EXPECT("new web on lo", 2);
	m.iif = "eth0";
	{
		/* explain's walk: ssh (rule 3, tcp dport 22) is skipped by the index. */
		static struct trace tr;

		tr.n = 0;
		if (sfw_ruleset_trace(rs, SFW_CHAIN_INPUT, &m, trace_step, &tr) != -1 || tr.n != 4 ||
		    tr.rule[0] != 0 || tr.fail[0] != SFW_EXPLAIN_CT_STATE ||
		    tr.rule[1] != 1 || tr.fail[1] != SFW_EXPLAIN_CT_STATE ||
		    tr.rule[2] != 2 || tr.fail[2] != SFW_EXPLAIN_IIF ||
		    tr.rule[3] != 4 || tr.fail[3] != SFW_EXPLAIN_L4) {
			snprintf(why, sizeof(why), "trace of new web on eth0: %u steps, wrong", tr.n);
			goto out;
		}
	}
	t.l4proto = SFW_IPPROTO_ICMP;
	t.dport = htons(8 << 8);
	EXPECT("ping from outside trusted", -1);
	t.src.ip = htonl(0x0a010203);
	EXPECT("ping from trusted", 4);
	t.dport = htons(0 << 8);
	EXPECT("echo reply is not echo request", -1);
	m.t = NULL;
	m.ctinfo = SFW_CT_INVALID;
	EXPECT("a packet with no tuple still meets ct state rules", 1);
#undef EXPECT
	ok = 1;
out:
	sfw_ruleset_free(rs);
	tap_result(ok, "ruleset: the seed's stateful rule set, rule by rule", why);
}

/*
 * Issue 16: INVALID by reason. A reason rule meets only INVALID packets
 * judged so for one of its reasons; the others go on to the next rule.
 * The builder refuses a reason beside another state, an unknown reason
 * bit, and `ct loose` outside the TCP window's reasons or without accept.
 */
static void test_invalid_reasons(void)
{
	struct sfw_ruleset_builder *b = sfw_ruleset_builder_new();
	char err[SFW_ERR_LEN], why[160] = "";
	struct sfw_rule oow = { .ctstate = 1 << SFW_CT_INVALID, .flags = SFW_RULE_F_CT_LOOSE,
				.reasons = 1U << SFW_INVALID_TCP_SEQ_OUT_OF_WINDOW |
					   1U << SFW_INVALID_TCP_ACK_TOO_OLD,
				.saddr_set = -1, .daddr_set = -1 };
	struct sfw_rule inv = { .ctstate = 1 << SFW_CT_INVALID, .action = SFW_ACT_DROP,
				.saddr_set = -1, .daddr_set = -1 };
	struct sfw_rule bad = oow;
	struct sfw_tuple t = { .l3num = SFW_AF_INET, .l4proto = SFW_IPPROTO_TCP };
	struct sfw_match_pkt m = { .t = &t, .ctinfo = SFW_CT_INVALID };
	struct sfw_ruleset *rs = NULL;
	int ok = 0;

#define REFUSED(desc) do {							\
	if (!sfw_ruleset_builder_rule(b, SFW_CHAIN_INPUT, &bad, NULL, NULL, NULL, NULL, err)) { \
		snprintf(why, sizeof(why), "builder took %s", desc);		\
		goto out;							\
	}									\
	bad = oow;								\
} while (0)
	bad.ctstate |= 1 << SFW_CT_NEW;
	REFUSED("a reason beside ct state new");
	bad.ctstate = 0;
	REFUSED("a reason without ct state");
	bad.reasons |= 1U << SFW_INVALID_COUNT;
	REFUSED("an unknown reason bit");
	bad.reasons = 1;
	REFUSED("reason 0 (none)");
	bad.reasons = 1U << SFW_INVALID_BAD_TCP_FLAGS;
	REFUSED("ct loose for bad_tcp_flags");
	bad.reasons = 0;
	REFUSED("ct loose without a reason");
	bad.action = SFW_ACT_DROP;
	REFUSED("ct loose with drop");
	if (!sfw_ruleset_builder_rule(b, SFW_CHAIN_PREROUTING, &bad, NULL, NULL, NULL, NULL, err)) {
		snprintf(why, sizeof(why), "builder took ct loose in prerouting");
		goto out;
	}
#undef REFUSED
	if (sfw_ruleset_builder_rule(b, SFW_CHAIN_INPUT, &oow, NULL, NULL, NULL, NULL, err) ||
	    sfw_ruleset_builder_rule(b, SFW_CHAIN_INPUT, &inv, NULL, NULL, NULL, NULL, err)) {
		snprintf(why, sizeof(why), "builder: %s", err);
		goto out;
	}
	rs = sfw_ruleset_compile(b, 3, err);
	if (!rs) {
		snprintf(why, sizeof(why), "compile: %s", err);
		goto out;
	}

#define EXPECT(desc, want) do {							\
	s32 got = sfw_ruleset_match(rs, SFW_CHAIN_INPUT, &m);			\
	if (got != (want)) {							\
		snprintf(why, sizeof(why), "%s: rule %d, expected %d", desc, got, want); \
		goto out;							\
	}									\
} while (0)
	m.reason = SFW_INVALID_TCP_SEQ_OUT_OF_WINDOW;
	EXPECT("seq out of window", 0);
	m.reason = SFW_INVALID_TCP_ACK_TOO_OLD;
	EXPECT("ack too old", 0);
	m.reason = SFW_INVALID_TCP_RST_OUT_OF_WINDOW;
	EXPECT("rst out of window: another reason", 1);
	m.reason = SFW_INVALID_NONE;
	EXPECT("INVALID with no reason known", 1);
	m.ctinfo = SFW_CT_ESTABLISHED;
	m.reason = 0;
	EXPECT("established", -1);
#undef EXPECT
	ok = 1;
out:
	sfw_ruleset_builder_free(b);
	sfw_ruleset_free(rs);
	tap_result(ok, "ruleset: ct state invalid reason, and ct loose's limits", why);
}

/*
 * Issue 16: `ct count over N [by ip saddr/L]`. The matcher asks its
 * caller (the kernel's srclimit.c; here a stand-in holding one count per
 * prefix) last, once every other test of the rule passed, and a rule
 * that counts never matches without someone to ask.
 */
struct fake_counts {
	u32 host, net;		/* connections from the address, from its /24 */
	u32 asked;
	bool rate_over;		/* what a ct rate question gets */
};

static bool fake_over(void *arg, const struct sfw_rule *r, u8 what)
{
	struct fake_counts *fc = arg;

	fc->asked++;
	if (what == SFW_RULE_F_CT_RATE)
		return fc->rate_over;
	return (r->count_l3num ? fc->net : fc->host) >= r->count_max;
}

static void test_ct_count(void)
{
	static const struct sfw_port_range ssh = { 22, 22 };
	static const struct {
		const char *what;
		u32 host, net;
		u8 l3num;
		u16 dport;
		u8 ctinfo;
		bool ask;	/* a callback given */
		s32 want;
		u32 asked;
	} rows[] = {
		{ "ssh, 9 from the address: under", 9, 0, SFW_AF_INET, 22, SFW_CT_NEW, true, 2, 2 },
		{ "ssh, the 11th: over 10", 10, 0, SFW_AF_INET, 22, SFW_CT_NEW, true, 0, 1 },
		{ "another port: the ssh rule is not asked", 10, 0, SFW_AF_INET, 80, SFW_CT_NEW, true, 2, 1 },
		{ "its /24 has 3: over 3", 0, 3, SFW_AF_INET, 80, SFW_CT_NEW, true, 1, 1 },
		{ "by ip saddr/24: an IPv6 packet never", 0, 3, SFW_AF_INET6, 80, SFW_CT_NEW, true, 2, 0 },
		{ "established: ct state first", 10, 0, SFW_AF_INET, 22, SFW_CT_ESTABLISHED, true, 2, 1 },
		{ "nobody to ask: never over", 10, 3, SFW_AF_INET, 22, SFW_CT_NEW, false, 2, 0 },
	};
	struct sfw_ruleset_builder *b = sfw_ruleset_builder_new();
	struct sfw_rule r0 = { .l4proto = SFW_IPPROTO_TCP, .ctstate = 1 << SFW_CT_NEW, .ndport = 1,
			       .flags = SFW_RULE_F_CT_COUNT, .count_max = 10,
			       .action = SFW_ACT_REJECT, .saddr_set = -1, .daddr_set = -1 };
	struct sfw_rule r1 = { .flags = SFW_RULE_F_CT_COUNT, .count_max = 3,
			       .count_l3num = SFW_AF_INET, .count_len = 24,
			       .action = SFW_ACT_DROP, .saddr_set = -1, .daddr_set = -1 };
	struct sfw_rule r2 = { .action = SFW_ACT_ACCEPT, .saddr_set = -1, .daddr_set = -1 };
	struct sfw_rule bad;
	char err[SFW_ERR_LEN], why[200] = "";
	struct sfw_ruleset *rs = NULL;
	unsigned int i;
	int ok = 0;

#define REFUSED(chain, desc) do {							if (!sfw_ruleset_builder_rule(b, chain, &bad, NULL, NULL, NULL, NULL, err)) { 		snprintf(why, sizeof(why), "builder took %s", desc);				goto out;								}									} while (0)
	bad = r1;
	REFUSED(SFW_CHAIN_PREROUTING, "ct count in prerouting");
	bad.count_len = 33;
	REFUSED(SFW_CHAIN_INPUT, "by ip saddr/33");
	bad = r1;
	bad.family = SFW_AF_INET6;
	REFUSED(SFW_CHAIN_INPUT, "by ip saddr in an ip6 rule");
	bad = r1;
	bad.count_max = SFW_CT_COUNT_MAX + 1;
	REFUSED(SFW_CHAIN_INPUT, "ct count over 2^24 + 1");
#undef REFUSED
	if (sfw_ruleset_builder_rule(b, SFW_CHAIN_INPUT, &r0, NULL, &ssh, NULL, NULL, err) ||
	    sfw_ruleset_builder_rule(b, SFW_CHAIN_INPUT, &r1, NULL, NULL, NULL, NULL, err) ||
	    sfw_ruleset_builder_rule(b, SFW_CHAIN_INPUT, &r2, NULL, NULL, NULL, NULL, err)) {
		snprintf(why, sizeof(why), "builder: %s", err);
		goto out;
	}
	rs = sfw_ruleset_compile(b, 5, err);
	if (!rs) {
		snprintf(why, sizeof(why), "compile: %s", err);
		goto out;
	}
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct fake_counts fc = { .host = rows[i].host, .net = rows[i].net };
		struct sfw_tuple t = { .l3num = rows[i].l3num, .l4proto = SFW_IPPROTO_TCP,
				       .dport = htons(rows[i].dport) };
		struct sfw_match_pkt m = { .t = &t, .ctinfo = rows[i].ctinfo };
		s32 got;

		if (rows[i].ask) {
			m.over = fake_over;
			m.over_arg = &fc;
		}
		got = sfw_ruleset_match(rs, SFW_CHAIN_INPUT, &m);
		if (got != rows[i].want || fc.asked != rows[i].asked) {
			snprintf(why, sizeof(why), "%s: rule %d asked %u times, expected %d and %u",
				 rows[i].what, got, fc.asked, rows[i].want, rows[i].asked);
			goto out;
		}
	}
	{
		struct fake_counts fc = { .host = 9 };
		struct sfw_tuple t = { .l3num = SFW_AF_INET, .l4proto = SFW_IPPROTO_TCP,
				       .dport = htons(22) };
		struct sfw_match_pkt m = { .t = &t, .ctinfo = SFW_CT_NEW, .over = fake_over,
					   .over_arg = &fc };
		enum sfw_explain_fail f = sfw_rule_mismatch(rs, &rs->chain[SFW_CHAIN_INPUT].rules[0], &m);

		if (f != SFW_EXPLAIN_CT_COUNT) {
			snprintf(why, sizeof(why), "explain: under the count fails %d, expected %d",
				 f, SFW_EXPLAIN_CT_COUNT);
			goto out;
		}
	}
	{
		/* A rule with both: count first, then rate; either failing names itself. */
		struct sfw_rule both = { .flags = SFW_RULE_F_CT_COUNT | SFW_RULE_F_CT_RATE,
					 .count_max = 5, .rate = 3, .rate_unit = 60,
					 .action = SFW_ACT_DROP, .saddr_set = -1, .daddr_set = -1 };
		struct fake_counts fc = { .host = 9 };
		struct sfw_tuple t = { .l3num = SFW_AF_INET, .l4proto = SFW_IPPROTO_UDP };
		struct sfw_match_pkt m = { .t = &t, .ctinfo = SFW_CT_NEW, .over = fake_over,
					   .over_arg = &fc };
		enum sfw_explain_fail f1, f2, f3;

		f1 = sfw_rule_mismatch(rs, &both, &m);
		fc.rate_over = true;
		f2 = sfw_rule_mismatch(rs, &both, &m);
		fc.host = 1;
		f3 = sfw_rule_mismatch(rs, &both, &m);
		if (f1 != SFW_EXPLAIN_CT_RATE || f2 != SFW_EXPLAIN_MATCHED || f3 != SFW_EXPLAIN_CT_COUNT) {
			snprintf(why, sizeof(why), "count and rate: %d %d %d, expected %d %d %d",
				 f1, f2, f3, SFW_EXPLAIN_CT_RATE, SFW_EXPLAIN_MATCHED,
				 SFW_EXPLAIN_CT_COUNT);
			goto out;
		}
		bad = both;
		bad.rate_unit = 7;
		if (!sfw_ruleset_builder_rule(b, SFW_CHAIN_INPUT, &bad, NULL, NULL, NULL, NULL, err)) {
			snprintf(why, sizeof(why), "builder took ct rate per 7 seconds");
			goto out;
		}
	}
	ok = 1;
out:
	sfw_ruleset_builder_free(b);
	sfw_ruleset_free(rs);
	tap_result(ok, "ruleset: ct count over N and ct rate, by prefix, asked last", why);
}

int main(void)
{
	test_prefix();
	test_addrset();
	test_addrset_update();
	test_addrset_big_update();
	test_builder_errors();
	test_nat_builder();
	test_nat_compile();
	test_stateful_basics();
	test_invalid_reasons();
	test_ct_count();
	test_index_equals_scan();
	return tap_done();
}
