// SPDX-License-Identifier: GPL-2.0
/*
 * A packet's way through sfw: one pass per hook, read top to bottom as
 * NPF's npf_packet_handler() reads: parse once -> find the connection ->
 * its state machine -> the rules -> create state on pass -> verdict.
 *
 * Where the pass runs, and why there:
 *
 *  - At the three filter points only, FORWARD, LOCAL_IN and LOCAL_OUT, at
 *    the filter priority. A packet crosses one of them, once (a looped
 *    back one: see below), so the tracker's verdict never has to be
 *    carried from one hook to another. Nothing is kept per packet between
 *    hooks: no note keyed by an skb's address, no mark that a reused
 *    address or a packet queued to userspace and reinjected (NFQUEUE)
 *    could make stale. Each pass works from what is in the packet now.
 *
 *  - These points lie between nf_nat's two manipulations: destination NAT
 *    at PRE_ROUTING and LOCAL_OUT (NF_IP_PRI_NAT_DST, -100) and source NAT
 *    at POST_ROUTING and LOCAL_IN (NF_IP_PRI_NAT_SRC, 100). When the
 *    kernel's NAT translates beside sfw, every packet of a connection is
 *    seen from the same side: the original direction after DNAT and
 *    before SNAT, the reply after un-SNAT and before un-DNAT (the tuples
 *    iptables' filter table sees). A reply's tuple is then the exact
 *    inverse of the original's, and the one entry, hashed under both,
 *    finds it. Tracking at PRE_ROUTING (before DNAT) and confirming at
 *    POST_ROUTING (after SNAT), as sfw once did, saw two different flows.
 *
 *  - Create on pass: a new connection's first transition runs on a
 *    private state; the rules judge the packet as NEW; only if they accept
 *    it is the entry allocated, hashed and confirmed. Dropped packets cost
 *    no allocation and leave no state. A packet dropped after sfw's
 *    verdict (by a later hook, a full queue) leaves its entry to expire on
 *    its protocol's timeout, as in NPF and pf.
 *
 *  - Expectations and helpers. A rule that accepts a connection's first
 *    packet with `ct helper set ftp` makes its entry a helper connection
 *    (struct sfw_conn_help, expect.h) for its life; each later packet of
 *    it that carries payload and that the rules accept goes through the
 *    helper (expect.c, helper_ftp.c), which files the data connection it
 *    saw announced as an expectation. A packet no entry knows that makes
 *    its protocol's first transition and matches an expectation consumes
 *    it and is RELATED: the rules see `ct state related`, and its entry
 *    is created on pass as any other. Behind NAT the helper rewrites the
 *    announcement (nat_helper.c) and the data connection is translated
 *    at PRE_ROUTING, where its entry is made; its first packet then
 *    consumes the expectation here, on the inner tuple, all the same.
 *
 *  - INVALID packets meet the rules too, with the reason they were
 *    counted under (v.reason), so `ct state invalid reason X` can take
 *    one kind and leave the rest. They see no entry. When the entry's
 *    state machine refused the packet and the accepting rule says `ct
 *    loose`, that entry turns liberal (proto_tcp.c: no window checks on
 *    it from then on) and the packet goes through it after all.
 *
 *  - Looped-back packets (between two local sockets) are tracked once, on
 *    their way out at LOCAL_OUT. At LOCAL_IN from a loopback device the
 *    input chain judges them by their entry, which the pass looks up but
 *    does not move (stat "ignore").
 *
 *  - BHs are off for the pass: softirq brings most packets, and LOCAL_OUT
 *    and a reinjected packet may come from process context. The entry and
 *    rule-counter updates below rely on it.
 *
 * Drops: every NF_DROP of the pass goes through drop(), which records it
 * in the namespace's drop log (drop_log.c) with its reason: a rule or the
 * policy (which, and the tracker's verdict), or the tracker's own refusal
 * (table full, an entry that could not be hashed or translated, a helper).
 *
 * Cost: one parse and one lockless lookup per packet; a lock only on the
 * entry's wheel stripe. A new connection also reads the namespace's
 * expectation count (one more lookup only while expectations exist);
 * a helper connection's packets take its helper lock. PRE_ROUTING and POST_ROUTING only count packets
 * (hooks.c); they are where sfw's own address translation belongs.
 */
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/netfilter/nf_conntrack.h>

#include "conntrack.h"
#include "drop_log.h"
#include "srclimit.h"
#include "expect.h"
#include "flowtable.h"
#include "nat.h"
#include "netlink.h"
#include "path.h"
#include "rules.h"
#include "timer_wheel.h"

static const void *skb_read(const void *ctx, unsigned int off, unsigned int len, void *buf)
{
	const struct sk_buff *skb = ctx;

	return skb_header_pointer(skb, skb_network_offset(skb) + off, len, buf);
}

/* Headers in the linear area are parsed in place; the rest are copied out. */
int sfw_path_parse(struct sfw_pkt *pkt, const struct sk_buff *skb, u8 pf)
{
	int noff = skb_network_offset(skb);
	unsigned int linear = skb_headlen(skb) > noff ? skb_headlen(skb) - noff : 0;

	return sfw_packet_parse_head(pkt, pf == NFPROTO_IPV4 ? SFW_AF_INET : SFW_AF_INET6,
				     skb_network_header(skb), linear,
				     skb_read, skb, skb->len - noff);
}

static bool checksum_bad(struct sk_buff *skb, const struct nf_hook_state *state,
			 const struct sfw_pkt *pkt)
{
	unsigned int off = skb_network_offset(skb) + pkt->l4_off;
	__be16 _check;
	const __be16 *check;

	switch (pkt->tuple.l4proto) {
	case SFW_IPPROTO_UDP:
		/* IPv4 UDP may go without a checksum. */
		check = skb_header_pointer(skb, off + 6, sizeof(_check), &_check);
		if (state->pf == NFPROTO_IPV4 && check && !*check)
			return false;
		break;
	case SFW_IPPROTO_TCP:
	case SFW_IPPROTO_ICMP:
	case SFW_IPPROTO_ICMPV6:
		break;
	default:
		return false;
	}
	return nf_checksum(skb, state->hook, off, pkt->tuple.l4proto, state->pf) != 0;
}

/* Count an INVALID packet under its reason; the reason, as counted. */
static u8 count_invalid(struct sfw_net *sn, int reason)
{
	if (reason <= 0 || reason >= SFW_INVALID_COUNT)
		reason = SFW_INVALID_TCP_BAD_TRANSITION;
	sfw_stat_inc(sn, SFW_STAT_INVALID);
	this_cpu_inc(sn->stats->invalid[reason]);
	return reason;
}

/* An ICMP error is RELATED to the connection of the packet it quotes; else @reason. */
static u8 icmp_error(struct sfw_net *sn, const struct sfw_pkt *pkt, u8 *reason)
{
	struct sfw_proto_result res;
	struct sfw_tuple lookup;
	bool found = false;
	enum sfw_dir dir;

	if (!sfw_proto_icmp_error_tuple(pkt, &lookup) &&
	    /* The error goes back to whoever sent the quoted packet. */
	    !memcmp(&pkt->tuple.dst, &lookup.src, sizeof(lookup.src)))
		found = sfw_conntrack_lookup(sn, &lookup, &dir);
	sfw_proto_icmp_error_verdict(found, &res);
	if (res.ctinfo == SFW_CT_INVALID) {
		sfw_stat_inc(sn, SFW_STAT_ICMP_ERROR);
		*reason = count_invalid(sn, res.reason);
	} else {
		sfw_stat_inc(sn, SFW_STAT_RELATED);
	}
	return res.ctinfo;
}

/*
 * A packet no entry knows: may it open a connection? Its first transition
 * runs on @ps, which nobody else sees yet. 0, or an invalid reason.
 */
static int conn_first(struct sfw_net *sn, const struct sfw_pkt *pkt,
		      union sfw_proto_state *ps, struct sfw_proto_result *res)
{
	u8 reason = 0;

	memset(ps, 0, sizeof(*ps));
	memset(res, 0, sizeof(*res));
	if (!sfw_proto_new(ps, pkt, &sn->params, &reason))
		return reason ? reason : SFW_INVALID_TCP_NOT_SYN;
	if (sfw_proto_packet(ps, pkt, SFW_DIR_ORIGINAL, 0, &sn->params, res))
		return res->reason ? res->reason : SFW_INVALID_TCP_BAD_TRANSITION;
	return 0;
}

/*
 * The state machine on @ct, found in direction @dir, under its wheel
 * stripe's lock. 0 with @res->ctinfo, a positive invalid reason, or
 * -EAGAIN when the entry is going (deleted meanwhile, or reopened by
 * this very packet): look again. The fast path (flowtable.c) runs it too.
 */
int sfw_path_update(struct sfw_net *sn, struct sfw_conn *ct, enum sfw_dir dir,
		    const struct sfw_pkt *pkt, struct sfw_proto_result *res)
{
	spinlock_t *lock = sfw_timer_wheel_lock(sn->wheel, sfw_conn_stripe(ct));
	u32 age = 0, now;

	spin_lock(lock);
	if (ct->status & SFW_CONN_DYING) {
		spin_unlock(lock);
		return -EAGAIN;
	}
	if (pkt->tuple.l4proto == SFW_IPPROTO_UDP)
		age = ((u32)jiffies - ct->ps.udp.start) / HZ;
	memset(res, 0, sizeof(*res));
	if (sfw_proto_packet(&ct->ps, pkt, dir, age, &sn->params, res)) {
		spin_unlock(lock);
		return res->reason ? res->reason : SFW_INVALID_TCP_BAD_TRANSITION;
	}
	if (res->reopen) {
		/* A new SYN on a closing connection: the old entry goes first. */
		sfw_conntrack_claim(sn, ct);
		spin_unlock(lock);
		sfw_conntrack_destroy(sn, ct, SFW_END_REOPENED);
		return -EAGAIN;
	}

	if (dir == SFW_DIR_REPLY)
		ct->status |= SFW_CONN_SEEN_REPLY;
	if (res->assured)
		ct->status |= SFW_CONN_ASSURED;
	now = (u32)jiffies;
	if (res->destroy) {
		/* An RST before any reply: done; the wheel reaps it next tick. */
		sfw_timer_wheel_shorten(sn->wheel, ct, now);
		WRITE_ONCE(ct->expires, now);
	} else if (res->timeout) {
		/* Scaled down while the table is filling (adaptive timeouts). */
		u32 expires = now + sfw_conntrack_timeout(sn, res->timeout);

		/* Later is lazy; earlier (a close) moves the entry now. */
		if ((s32)(expires - ct->expires) < 0)
			sfw_timer_wheel_shorten(sn->wheel, ct, expires);
		WRITE_ONCE(ct->expires, expires);
	}
	if (READ_ONCE(sn->params.acct)) {
		ct->packets[dir]++;
		ct->bytes[dir] += pkt->len;
	}
	if (res->changed || res->assured)
		sfw_netlink_event(sn, ct, SFW_EVENT_UPDATE, SFW_END_NONE);
	spin_unlock(lock);
	return 0;
}

/* A looped-back packet, tracked on its way out: what its entry says of it. */
static u8 conn_classify(const struct sfw_conn *ct, enum sfw_dir dir)
{
	if (dir == SFW_DIR_ORIGINAL && !(READ_ONCE(ct->status) & SFW_CONN_SEEN_REPLY))
		return SFW_CT_NEW;
	return SFW_CT_ESTABLISHED;
}

static bool looped_back(const struct nf_hook_state *state)
{
	return state->in && (state->in->flags & IFF_LOOPBACK);
}

/* Every drop of the pass: recorded in the drop log, then NF_DROP. */
static unsigned int drop(struct sfw_net *sn, const struct nf_hook_state *state,
			 enum sfw_chain chain, const struct sfw_ct_verdict *v, u8 reason)
{
	sfw_drop_log_record(sn, state, chain, v, reason);
	return NF_DROP;
}

/* What the rules' NF_DROP means: a rule (a per-source limit's), or the chain's policy. */
static u8 rules_reason(const struct sfw_ct_verdict *v)
{
	if (v->rule < 0)
		return SFW_DROP_R_POLICY;
	return v->limited ? SFW_DROP_R_SOURCE_LIMIT : SFW_DROP_R_RULE;
}

/*
 * The entry for a new connection whose first packet the rules accepted:
 * with the source the postrouting chain gives it, if any (nat.c), and
 * the helper the accepting rule set, if any. One of the gateway's own
 * (its first packet came in at LOCAL_IN or goes out at LOCAL_OUT) may
 * use the table's reserve (net.sfw.conntrack_reserve). 0 or -errno, as
 * sfw_conntrack_insert(), with @why the drop reason.
 */
static int create_on_pass(struct sfw_net *sn, struct sk_buff *skb,
			  const struct nf_hook_state *state, struct sfw_ct_verdict *v,
			  u32 hash, const union sfw_proto_state *ps, u32 timeout, u8 *why)
{
	const struct sfw_ruleset *rs = NULL;
	const struct sfw_rule *snat;
	struct sfw_conn *ct;
	int ret;

	snat = sfw_nat_source_rule(sn, skb, state, &v->pkt.tuple, &rs);
	ct = sfw_conntrack_alloc(sn, hash, (snat ? SFW_CONN_X_NAT : 0) |
				 (v->helper == SFW_HELPER_FTP ? SFW_CONN_X_HELPER : 0) |
				 (state->hook != NF_INET_FORWARD ? SFW_CONN_X_LOCAL : 0), GFP_ATOMIC);
	*why = SFW_DROP_R_TABLE_FULL;
	if (!ct)
		return -ENOSPC;
	if (snat) {
		ret = sfw_nat_bind_source(sn, state, ct, &v->pkt.tuple, rs, snat);
		if (ret) {
			sfw_conntrack_free(sn, ct);
			*why = SFW_DROP_R_NAT;
			return ret;
		}
	}
	if (v->helper == SFW_HELPER_FTP)
		sfw_conn_help(ct)->helper = SFW_HELPER_FTP;
	/* Its per-source counts are the entry's now, even if it dies at once. */
	ct->xflags |= v->held << SFW_CONN_X_SRC_SHIFT;
	v->held = 0;
	ret = sfw_conntrack_insert(sn, ct, &v->pkt.tuple, hash, ps, timeout, v->pkt.len, true);
	if (!ret)
		v->ct = ct;
	*why = SFW_DROP_R_INSERT_FAILED;
	return ret;
}

/*
 * An entry created at PRE_ROUTING for its translation (nat.c), whose
 * first packet the rules judged: confirm it on accept, with the source
 * the postrouting chain gives it and the helper the accepting rule set;
 * delete it on drop. One CPU does it; a packet of the same flow on
 * another meanwhile waits for it to finish.
 */
static unsigned int confirm(struct sfw_net *sn, struct sk_buff *skb,
			    const struct nf_hook_state *state, enum sfw_chain chain,
			    struct sfw_ct_verdict *v, unsigned int verdict)
{
	struct sfw_conn_nat *cn = sfw_conn_nat(v->ct);
	const struct sfw_ruleset *rs = NULL;
	const struct sfw_rule *snat;

	if (verdict != NF_ACCEPT || v->dir != SFW_DIR_ORIGINAL || !cn) {
		sfw_conntrack_delete(sn, v->ct, SFW_END_REFUSED);
		return drop(sn, state, chain, v, verdict != NF_ACCEPT ? rules_reason(v) :
			    SFW_DROP_R_INSERT_FAILED);
	}
	if (cmpxchg(&cn->binding, 0, 1)) {
		/*
		 * Another CPU confirms it this moment, BHs off as here, and
		 * holds nothing this one holds: wait, then this packet is one
		 * of the connection's, translated as it is. Dropping it would
		 * cost a DNS client's second query (A and AAAA from one
		 * socket at once) a five-second retry.
		 */
		while (!(READ_ONCE(v->ct->status) & (SFW_CONN_CONFIRMED | SFW_CONN_DYING)))
			cpu_relax();
		if (READ_ONCE(v->ct->status) & SFW_CONN_DYING)
			return drop(sn, state, chain, v, SFW_DROP_R_INSERT_FAILED);
		return NF_ACCEPT;
	}
	/* Made a helper's size at PRE_ROUTING for the rule that may say so. */
	if (v->helper == SFW_HELPER_FTP && sfw_conn_help(v->ct))
		sfw_conn_help(v->ct)->helper = SFW_HELPER_FTP;
	snat = sfw_nat_source_rule(sn, skb, state, &v->pkt.tuple, &rs);
	if (snat && sfw_nat_bind_source(sn, state, v->ct, &v->pkt.tuple, rs, snat)) {
		sfw_conntrack_delete(sn, v->ct, SFW_END_REFUSED);
		return drop(sn, state, chain, v, SFW_DROP_R_NAT);
	}
	if (!sfw_conntrack_confirm(sn, v->ct))
		return drop(sn, state, chain, v, SFW_DROP_R_INSERT_FAILED);
	sfw_stat_inc(sn, SFW_STAT_NEW);
	return NF_ACCEPT;
}

/*
 * `ct loose`: a rule accepted a packet that missed @ct's window. The
 * entry checks no windows from now on, and the packet then goes through
 * it as any other (its transition, timeout, counters).
 */
static void conn_loosen(struct sfw_net *sn, struct sfw_conn *ct, enum sfw_dir dir,
			const struct sfw_pkt *pkt)
{
	spinlock_t *lock = sfw_timer_wheel_lock(sn->wheel, sfw_conn_stripe(ct));
	struct sfw_proto_result res;

	if (pkt->tuple.l4proto != SFW_IPPROTO_TCP)
		return;
	spin_lock(lock);
	sfw_proto_tcp_loosen(&ct->ps.tcp);
	spin_unlock(lock);
	/* Gone meanwhile, or judged otherwise now: the rule accepted it all the same. */
	sfw_path_update(sn, ct, dir, pkt, &res);
}

static unsigned int judge(struct sfw_net *sn, struct sk_buff *skb,
			  const struct nf_hook_state *state, enum sfw_chain chain,
			  struct sfw_ct_verdict *v)
{
	bool track = !(state->hook == NF_INET_LOCAL_IN && looped_back(state));
	struct sfw_proto_result res;
	union sfw_proto_state ps;
	unsigned int verdict;
	int ret, tries = 0;
	u32 hash = 0;
	u8 why;

	/* 1. Parse once; what is broken by its form is INVALID. */
	ret = sfw_path_parse(&v->pkt, skb, state->pf);
	if (ret)
		goto invalid;
	v->parsed = true;
	if (state->hook != NF_INET_LOCAL_OUT && track && READ_ONCE(sn->params.checksum) &&
	    checksum_bad(skb, state, &v->pkt)) {
		ret = SFW_INVALID_BAD_CHECKSUM;
		goto invalid;
	}
	if (v->pkt.tuple.l4proto == SFW_IPPROTO_ICMP ||
	    v->pkt.tuple.l4proto == SFW_IPPROTO_ICMPV6) {
		if (v->pkt.icmp.is_error) {
			v->ctinfo = icmp_error(sn, &v->pkt, &v->reason);
			goto filter;
		}
		if (sfw_proto_icmp_untracked(&v->pkt)) {
			sfw_stat_inc(sn, SFW_STAT_IGNORE);
			v->ctinfo = SFW_CT_UNTRACKED;
			goto filter;
		}
	}

	/* 2. Find its connection, either way round. */
	hash = sfw_conntrack_hash(&v->pkt.tuple, sn->net_id);
again:
	v->ct = sfw_conntrack_find(sn, &v->pkt.tuple, hash, &v->dir);
	if (!track) {
		sfw_stat_inc(sn, SFW_STAT_IGNORE);
		if (v->ct)
			v->ctinfo = conn_classify(v->ct, v->dir);
		goto filter;
	}

	/* 3. The state machine: on the entry, or on a new one's private state. */
	if (v->ct) {
		sfw_stat_inc(sn, SFW_STAT_FOUND);
		ret = sfw_path_update(sn, v->ct, v->dir, &v->pkt, &res);
		if (ret == -EAGAIN && tries++ < 2)
			goto again;
		if (ret == -EAGAIN) {
			/* Deleted under us each time: let the rules judge it as INVALID. */
			v->ct = NULL;
			goto filter;
		}
		if (ret)
			goto invalid;
		/* Translated at PRE_ROUTING for an announcement behind NAT: RELATED. */
		if (!(READ_ONCE(v->ct->status) & SFW_CONN_CONFIRMED) &&
		    v->dir == SFW_DIR_ORIGINAL && sfw_expect_match(sn, &v->pkt.tuple))
			res.ctinfo = SFW_CT_RELATED;
	} else {
		ret = conn_first(sn, &v->pkt, &ps, &res);
		if (ret)
			goto invalid;
		/* A data connection a helper saw announced: RELATED. */
		if (sfw_expect_match(sn, &v->pkt.tuple))
			res.ctinfo = SFW_CT_RELATED;
		v->create = true;
	}
	v->ctinfo = res.ctinfo;

filter:
	/* 4. The rules, first match wins. */
	verdict = sfw_rules_filter(sn, skb, state, chain, v);
	if (v->ct && !(READ_ONCE(v->ct->status) & SFW_CONN_CONFIRMED))
		return confirm(sn, skb, state, chain, v, verdict);
	if (verdict != NF_ACCEPT)
		return drop(sn, state, chain, v, rules_reason(v));
	/* 4a. `ct loose`: the entry whose window this packet missed stops checking. */
	if (v->loose && v->invalid_ct)
		conn_loosen(sn, v->invalid_ct, v->dir, &v->pkt);
	/* 4b. What a helper connection's accepted payload announces. */
	if (v->ct && track && v->pkt.payload_len && (v->ct->xflags & SFW_CONN_X_HELPER) &&
	    !sfw_helper_packet(sn, v->ct, v->dir, skb, &v->pkt))
		return drop(sn, state, chain, v, SFW_DROP_R_HELPER);
	/* 4c. `flow add @ft`: an established flow's direction goes on the fast path. */
	if (v->flow_table >= 0 && v->ct && v->ctinfo == SFW_CT_ESTABLISHED)
		sfw_flowtable_offload(sn, skb, state, v);
	if (!v->create)
		return NF_ACCEPT;

	/* 5. Create state on pass, translated if the postrouting chain says so. */
	ret = create_on_pass(sn, skb, state, v, hash, &ps, res.timeout, &why);
	if (ret == -EEXIST && tries++ < 2) {
		/* Another CPU created it first: this packet is one of its. */
		sfw_stat_inc(sn, SFW_STAT_CLASHRES);
		v->create = false;
		goto again;
	}
	if (ret)
		return drop(sn, state, chain, v, why);
	sfw_stat_inc(sn, SFW_STAT_NEW);
	return NF_ACCEPT;

invalid:
	v->reason = count_invalid(sn, ret);
	/* The rules see no entry; a `ct loose` among them may loosen it (4a). */
	v->invalid_ct = v->ct;
	v->ct = NULL;
	v->ctinfo = SFW_CT_INVALID;
	goto filter;
}

/*
 * The pass, and what it leaves: per-source counts the packet took for a
 * connection that was not made (dropped, or made by another CPU first)
 * go back (srclimit.c).
 */
static unsigned int pass(struct sfw_net *sn, struct sk_buff *skb,
			 const struct nf_hook_state *state, enum sfw_chain chain)
{
	struct sfw_ct_verdict v = { .ctinfo = SFW_CT_INVALID, .rule = -1, .flow_table = -1 };
	unsigned int verdict = judge(sn, skb, state, chain, &v);

	if (unlikely(v.held))
		sfw_srclimit_put(sn, v.pkt.tuple.l3num, &v.pkt.tuple.src, v.held);
	return verdict;
}

unsigned int sfw_path_filter(struct sfw_net *sn, struct sk_buff *skb,
			     const struct nf_hook_state *state, enum sfw_chain chain)
{
	unsigned int verdict;

	/* With no rules, nothing judges a looped-back packet: nothing to do. */
	if (state->hook == NF_INET_LOCAL_IN && looped_back(state) && !sfw_rules_loaded(sn)) {
		sfw_stat_inc(sn, SFW_STAT_IGNORE);
		return NF_ACCEPT;
	}
	if (in_softirq())
		return pass(sn, skb, state, chain);
	local_bh_disable();
	verdict = pass(sn, skb, state, chain);
	local_bh_enable();
	return verdict;
}
