// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_path - a packet's whole way through sfw's filter pass (src/path.c:
 * parse once, find, state machine, rules, create on pass, verdict) with
 * the real table (src/conntrack.c), wheel (src/timer_wheel.c), parser and
 * state machines, compiled as they are against tests/fuzz/kstand/. Only
 * what lies outside the pass is stubbed: the rules answer by a policy
 * the input picks per packet, the expectation table by a bit, NAT and
 * the helpers are not there.
 *
 * Input: a knob byte (bits 0-3 the table's limit, 4 accounting, 5 a rule
 * set loaded: only then does a looped-back packet meet the rules), then
 * records. A record's first byte:
 *	bits 0-1  connection 0..3 (client 10.0.1.2 or fd00:1::2, port 40000+c
 *		  -> server 10.0.2.2 or fd00:2::2, port 80 or 53)
 *	bit  2    direction: 0 client -> server, 1 server -> client
 *	bit  3    IPv6
 *	bits 4-7  0 raw bytes (length byte, then those bytes as the L3 packet),
 *		  1 UDP (payload length), 2 ICMP echo (request or reply as the
 *		  direction says; code byte), 3 ICMP error quoting the
 *		  connection (type, code), 4 the clock moves (byte: ticks) and
 *		  the wheel's worker runs, 5 delete the connection's entry,
 *		  6 the limit becomes the next byte, 7-15 TCP (flags byte,
 *		  offset byte for seq and ack around what each end sent,
 *		  payload length)
 * and each packet is followed by its policy byte: which ctinfo the rules
 * accept (bit 0 NEW, 1 ESTABLISHED, 2 RELATED, 3 INVALID and UNTRACKED),
 * the hook (bits 4-5: FORWARD, LOCAL_IN, LOCAL_OUT, LOCAL_IN from
 * loopback), whether the tuple is an expected one (bit 6) and whether
 * the rule accepting an INVALID packet of a TCP window reason says
 * `ct loose` (bit 7).
 *
 * Checked on every packet, as the pass promises (path.c's top comment):
 * what the rules saw is the entry found before, or none; INVALID comes
 * with no entry; a NEW or RELATED packet has an entry afterwards if and
 * only if it was accepted; a refused packet leaves no state; a rule's
 * drop is the verdict; a looped-back packet at LOCAL_IN moves nothing;
 * every drop, and only a drop, is recorded once in the drop log.
 * After every record, the table: its count is the nodes it holds, each
 * entry is found from both ends. At the end everything is freed.
 */
#include "kstand.h"

#include "../../src/conntrack.c"
#include "../../src/timer_wheel.c"
#include "../../src/path.c"

#include "fuzz.h"
#include "pktbuild.h"
#include "kstand.c"

#define BUF	1600

static struct sfw_net net;
static struct sfw_cpu_stats stats;
static struct net_device dev_lan = { .ifindex = 2, .name = "lan0" };
static struct net_device dev_wan = { .ifindex = 3, .name = "wan0" };
static struct net_device dev_lo = { .flags = IFF_LOOPBACK, .ifindex = 1, .name = "lo" };

/* The policy of the packet in flight, and what the rules were shown. */
static struct sfw_rules dummy_rules;	/* only ever compared with NULL */
static u8 policy;
static bool filtered;
static struct sfw_ct_verdict seen;

static bool accepts(u8 ctinfo)
{
	switch (ctinfo) {
	case SFW_CT_NEW:
		return policy & 1;
	case SFW_CT_ESTABLISHED:
		return policy & 2;
	case SFW_CT_RELATED:
		return policy & 4;
	default:
		return policy & 8;
	}
}

unsigned int sfw_rules_filter(struct sfw_net *sn, struct sk_buff *skb,
			      const struct nf_hook_state *state, enum sfw_chain chain,
			      struct sfw_ct_verdict *v)
{
	FUZZ_CHECK_MSG(!filtered, "the rules ran twice for one packet");
	filtered = true;
	/* Bit 7: a `ct loose` rule, for the reasons the builder lets it take. */
	if (v->ctinfo == SFW_CT_INVALID && (policy & 0x80) && accepts(v->ctinfo) &&
	    v->reason < 32 && ((1U << v->reason) & SFW_INVALID_REASONS_WINDOW))
		v->loose = true;
	seen = *v;
	return accepts(v->ctinfo) ? NF_ACCEPT : NF_DROP;
}

bool sfw_expect_match(struct sfw_net *sn, const struct sfw_tuple *t)
{
	return policy & 0x40;
}

const struct sfw_rule *sfw_nat_source_rule(struct sfw_net *sn, const struct sk_buff *skb,
					   const struct nf_hook_state *state,
					   const struct sfw_tuple *t,
					   const struct sfw_ruleset **rs)
{
	return NULL;
}

int sfw_nat_bind_source(struct sfw_net *sn, const struct nf_hook_state *state,
			struct sfw_conn *ct, const struct sfw_tuple *t,
			const struct sfw_ruleset *rs, const struct sfw_rule *r)
{
	FUZZ_CHECK_MSG(false, "no rule translates here");
	return -EINVAL;
}

bool sfw_helper_packet(struct sfw_net *sn, struct sfw_conn *ct, enum sfw_dir dir,
		       struct sk_buff *skb, const struct sfw_pkt *pkt)
{
	FUZZ_CHECK_MSG(false, "no rule sets a helper here");
	return true;
}

void sfw_netlink_event(struct sfw_net *sn, const struct sfw_conn *ct, u8 type,
		       enum sfw_ct_end why)
{
	FUZZ_CHECK(ct->net_id == sn->net_id);
	if (type == SFW_EVENT_DESTROY)
		FUZZ_CHECK(ct->status & SFW_CONN_DYING);
	if (type == SFW_EVENT_NEW)
		FUZZ_CHECK(ct->status & SFW_CONN_CONFIRMED);
}

/* Every drop of the pass is recorded once, with a reason (path.c's drop()). */
static unsigned int drops_recorded;

void sfw_drop_log_record(struct sfw_net *sn, const struct nf_hook_state *state,
			 enum sfw_chain chain, const struct sfw_ct_verdict *v, u8 reason)
{
	FUZZ_CHECK(reason > SFW_DROP_R_UNSPEC && reason <= SFW_DROP_R_MAX);
	FUZZ_CHECK(reason != SFW_DROP_R_RULE || v->rule >= 0);
	drops_recorded++;
}

void sfw_nat_unhash(struct sfw_net *sn, struct sfw_conn *ct)
{
}

/* No flowtable here: nothing is offloaded, so nothing is forgotten. */
void sfw_flowtable_forget(struct sfw_net *sn, struct sfw_conn *ct)
{
	FUZZ_CHECK(ct->status & SFW_CONN_DYING);
}

/* The stubbed rules never say `flow add`. */
void sfw_flowtable_offload(struct sfw_net *sn, struct sk_buff *skb,
			   const struct nf_hook_state *state, const struct sfw_ct_verdict *v)
{
	FUZZ_CHECK(false);
}

void sfw_expect_master_gone(struct sfw_net *sn, struct sfw_conn *master)
{
	FUZZ_CHECK(master->status & SFW_CONN_DYING);
}

/* The stubbed rules have no `ct count`: nothing is ever counted. */
void sfw_srclimit_put(struct sfw_net *sn, u8 l3num, const union sfw_addr *src, u8 held)
{
	FUZZ_CHECK(!held);
}

/* ---- the driver ---- */

static const char *const addr4[2] = { "10.0.1.2", "10.0.2.2" };
static const char *const addr6[2] = { "fd00:1::2", "fd00:2::2" };

/* TCP: the next sequence number each end of a connection sends. */
static u32 nxt[4][2][2];

/* The L3 header for a packet of connection @c in direction @d. */
static unsigned int l3(u8 *b, bool v6, bool d, u8 proto, unsigned int l4len)
{
	if (v6)
		return pb_ipv6(b, addr6[d], addr6[!d], proto == SFW_IPPROTO_ICMP ?
			       SFW_IPPROTO_ICMPV6 : proto, l4len);
	return pb_ipv4(b, addr4[d], addr4[!d], proto, l4len);
}

/* Build the packet a record asks for; its length, 0 if none. */
static unsigned int build(struct fuzz_input *in, u8 r, u8 *b)
{
	unsigned int c = r & 3, kind = r >> 4, n;
	bool d = r & 4, v6 = r & 8;
	u16 cport = 40000 + c, sport = c & 1 ? 53 : 80;
	u16 src = d ? sport : cport, dst = d ? cport : sport;
	u8 l4[BUF];

	switch (kind) {
	case 0:
		n = fuzz_take(in);
		for (unsigned int i = 0; i < n; i++)
			b[i] = fuzz_take(in);
		return n;
	case 1:
		n = pb_udp(l4, src, dst, fuzz_take(in) % 64);
		break;
	case 2: {
		u8 type = v6 ? (d ? 129 : 128) : (d ? 0 : 8);

		n = pb_icmp(l4, type, fuzz_take(in) % 2, 1000 + c, 1);
		if (v6)
			l4[0] = type;
		break;
	}
	case 3: {
		u8 quote[128];
		unsigned int q;

		/* The quoted packet went the other way: the error answers it. */
		q = l3(quote, v6, !d, c & 1 ? SFW_IPPROTO_UDP : SFW_IPPROTO_TCP, 8);
		q += pb_udp(quote + q, d ? cport : sport, d ? sport : cport, 0) - 8;
		n = pb_icmp(l4, v6 ? 1 : 3, fuzz_take(in) % 4, 0, 0);
		memcpy(l4 + n, quote, q);
		n += q;
		break;
	}
	default: {
		u8 flags = fuzz_take(in), off = fuzz_take(in), len = fuzz_take(in) % 128;
		u32 seq = nxt[c][v6][d] + (off & 0xf) - 8;
		u32 ack = nxt[c][v6][!d] + (off >> 4) - 8;

		n = pb_tcp(l4, src, dst, seq, ack, flags, 65535, NULL, len);
		if (!(flags & SFW_TCPH_RST))
			nxt[c][v6][d] = seq + len + !!(flags & SFW_TCPH_SYN) +
					!!(flags & SFW_TCPH_FIN);
		break;
	}
	}
	if (kind == 3)
		return l3(b, v6, d, SFW_IPPROTO_ICMP, n) + (memcpy(b + (v6 ? 40 : 20), l4, n), n);
	return l3(b, v6, d, kind == 1 ? SFW_IPPROTO_UDP : kind == 2 ? SFW_IPPROTO_ICMP :
		  SFW_IPPROTO_TCP, n) + (memcpy(b + (v6 ? 40 : 20), l4, n), n);
}

/* Count and both-way lookups of every entry in the table. */
static void check_table(void)
{
	unsigned int b, held = 0;
	struct hlist_nulls_node *n;
	enum sfw_dir dir;

	for (b = 0; b < sfw_conntrack_buckets(); b++)
		sfw_conn_for_each_node(n, &sfw_table[b]) {
			struct sfw_conn *ct = sfw_conn_from_node(n, &dir);
			struct sfw_tuple t, inv;
			enum sfw_dir got;
			bool self;

			FUZZ_CHECK(!(ct->status & SFW_CONN_DYING));
			if (dir != SFW_DIR_ORIGINAL)
				continue;
			held++;
			sfw_conn_tuple(ct, &t);
			sfw_tuple_invert(&t, &inv);
			self = !memcmp(&t, &inv, sizeof(t));	/* either way is right */
			FUZZ_CHECK(sfw_conntrack_lookup(&net, &t, &got) == ct &&
				   (self || got == SFW_DIR_ORIGINAL));
			FUZZ_CHECK(sfw_conntrack_lookup(&net, &inv, &got) == ct &&
				   (self || got == SFW_DIR_REPLY));
		}
	FUZZ_CHECK_MSG(held == (unsigned int)atomic_read(&net.count), "table holds %u, count %d",
		       held, atomic_read(&net.count));
}

static void one_packet(const u8 *pkt, unsigned int len, bool v6)
{
	static const u8 hooks[4] = { NF_INET_FORWARD, NF_INET_LOCAL_IN, NF_INET_LOCAL_OUT,
				     NF_INET_LOCAL_IN };
	static const enum sfw_chain chains[4] = { SFW_CHAIN_FORWARD, SFW_CHAIN_INPUT,
						  SFW_CHAIN_OUTPUT, SFW_CHAIN_INPUT };
	u8 *copy = malloc(len ? len : 1);
	struct sk_buff skb = { .data = copy, .len = len };
	struct nf_hook_state state = { .pf = v6 ? NFPROTO_IPV6 : NFPROTO_IPV4 };
	unsigned int h = policy >> 4 & 3, verdict, count0 = atomic_read(&net.count);
	struct sfw_conn *before = NULL, *after;
	union sfw_proto_state ps0;
	enum sfw_dir dir0 = 0, dir1;
	struct sfw_tuple inv;
	struct sfw_pkt parsed;
	u32 expires0 = 0;
	bool tuple_ok, icmp_error;

	/* An exact-size copy: ASan sees a read past the packet. */
	memcpy(copy, pkt, len);
	state.hook = hooks[h];
	state.in = h == 3 ? &dev_lo : state.hook == NF_INET_LOCAL_OUT ? NULL : &dev_lan;
	state.out = state.hook == NF_INET_LOCAL_IN ? NULL : &dev_wan;
	tuple_ok = !sfw_path_parse(&parsed, &skb, state.pf);
	if (tuple_ok) {
		before = sfw_conntrack_lookup(&net, &parsed.tuple, &dir0);
		if (before) {
			ps0 = before->ps;
			expires0 = before->expires;
		}
	}

	filtered = false;
	drops_recorded = 0;
	verdict = sfw_path_filter(&net, &skb, &state, chains[h]);
	FUZZ_CHECK_MSG(drops_recorded == (verdict == NF_DROP),
		       "a drop not recorded in the drop log, or recorded twice");
	kstand_rcu_quiesce();
	free(copy);

	FUZZ_CHECK(verdict == NF_ACCEPT || verdict == NF_DROP);
	if (!filtered) {
		/* Only a looped-back packet with no rules loaded skips them. */
		FUZZ_CHECK(h == 3 && verdict == NF_ACCEPT);
		FUZZ_CHECK((unsigned int)atomic_read(&net.count) == count0);
		return;
	}
	/* The rules' drop is the verdict. */
	FUZZ_CHECK_MSG(accepts(seen.ctinfo) || verdict == NF_DROP,
		       "the rules dropped a packet of ctinfo %u, the pass accepted it",
		       seen.ctinfo);
	/* What the rules saw: the entry found before (or none), never a new one. */
	FUZZ_CHECK_MSG(!seen.ct || seen.ct == before, "the rules saw an entry made meanwhile");
	if (seen.ctinfo == SFW_CT_INVALID)
		FUZZ_CHECK_MSG(!seen.ct, "INVALID with an entry");
	/* The entry whose state machine refused it is the one found before. */
	FUZZ_CHECK_MSG(!seen.invalid_ct || (seen.invalid_ct == before && seen.reason),
		       "INVALID by an entry not found before, or with no reason");
	FUZZ_CHECK(seen.reason < SFW_INVALID_COUNT);
	if (seen.ct)
		FUZZ_CHECK(seen.dir == dir0);
	if (h == 3) {
		/* Looped back, at LOCAL_IN: tracked on the way out, not again here. */
		FUZZ_CHECK((unsigned int)atomic_read(&net.count) == count0);
		if (before)
			FUZZ_CHECK(!memcmp(&before->ps, &ps0, sizeof(ps0)) &&
				   before->expires == expires0);
		return;
	}
	if (!tuple_ok || seen.ctinfo == SFW_CT_INVALID || seen.ctinfo == SFW_CT_UNTRACKED)
		return;
	icmp_error = (parsed.tuple.l4proto == SFW_IPPROTO_ICMP ||
		      parsed.tuple.l4proto == SFW_IPPROTO_ICMPV6) && parsed.icmp.is_error;
	after = sfw_conntrack_lookup(&net, &parsed.tuple, &dir1);
	if (!seen.ct && (seen.ctinfo == SFW_CT_NEW ||
			 (seen.ctinfo == SFW_CT_RELATED && !icmp_error))) {
		/* Create on pass: an entry exactly when the packet passed. */
		FUZZ_CHECK_MSG(!after == (verdict == NF_DROP),
			       "ctinfo %u packet %s, entry %s", seen.ctinfo,
			       verdict == NF_DROP ? "dropped" : "accepted", after ? "made" : "not made");
		/*
		 * A tuple that is its own inverse (a socket connected to
		 * itself) has both nodes in one chain: either way is right.
		 */
		sfw_tuple_invert(&parsed.tuple, &inv);
		if (after && !memcmp(&inv, &parsed.tuple, sizeof(inv)))
			dir1 = SFW_DIR_ORIGINAL;
		if (after)
			FUZZ_CHECK_MSG(dir1 == SFW_DIR_ORIGINAL && (after->status & SFW_CONN_CONFIRMED),
				       "new entry found %s, status %#x; %08x:%u -> %08x:%u proto %u",
				       dir1 ? "as reply" : "as original", after->status,
				       ntohl(parsed.tuple.src.ip), ntohs(parsed.tuple.sport),
				       ntohl(parsed.tuple.dst.ip), ntohs(parsed.tuple.dport),
				       parsed.tuple.l4proto);
	} else if (!seen.ct) {
		FUZZ_CHECK_MSG(!after || after == before, "an ICMP error made an entry");
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static bool ready;
	struct fuzz_input in = { data, size };
	static u8 pkt[BUF];

	if (!ready) {
		hashsize = 16;
		FUZZ_CHECK(!sfw_conntrack_init());
		ready = true;
	}
	kstand_hash_mask = ~0u;
	kstand_jiffies = (unsigned long)(unsigned int)(-300 * HZ);
	memset(&net, 0, sizeof(net));
	memset(&stats, 0, sizeof(stats));
	memset(nxt, 0, sizeof(nxt));
	net.stats = &stats;
	FUZZ_CHECK(!ct_net_init(&net, 7));
	{
		u8 knobs = fuzz_take(&in);

		net.conntrack_max = knobs % 16 + 1;
		net.params.checksum = 0;
		net.params.acct = knobs >> 4 & 1;
		/* Loaded or not: with none, a looped-back packet skips the pass. */
		net.rules = knobs & 0x20 ? &dummy_rules : NULL;
	}

	while (in.n) {
		u8 r = fuzz_take(&in), kind = r >> 4;
		struct sfw_tuple t;
		struct sfw_conn *ct;
		enum sfw_dir dir;
		unsigned int len;

		switch (kind) {
		case 4:
			kstand_jiffies += fuzz_take(&in) * net.wheel->tick_j;
			kstand_run_worker(net.wheel);
			break;
		case 5:
			/* Delete the entry of a packet of this connection, if any. */
			len = build(&in, (r & 0xf) | 0x10, pkt);
			if (!sfw_path_parse((struct sfw_pkt *)&seen.pkt,
					    &(struct sk_buff){ .data = pkt, .len = len },
					    r & 8 ? NFPROTO_IPV6 : NFPROTO_IPV4)) {
				t = seen.pkt.tuple;
				ct = sfw_conntrack_lookup(&net, &t, &dir);
				if (ct)
					FUZZ_CHECK(sfw_conntrack_delete(&net, ct, SFW_END_DELETED));
			}
			break;
		case 6:
			net.conntrack_max = fuzz_take(&in);
			break;
		default:
			len = build(&in, r, pkt);
			policy = fuzz_take(&in);
			one_packet(pkt, len, r & 8);
			break;
		}
		kstand_rcu_quiesce();
		check_table();
	}

	ct_net_uninit(&net);
	kstand_rcu_quiesce();
	FUZZ_CHECK(!atomic_read(&net.count));
	FUZZ_CHECK(!sfw_conn_cache->live && !sfw_conn_nat_cache->live && !sfw_conn_help_cache->live);
	return 0;
}
