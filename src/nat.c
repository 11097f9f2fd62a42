// SPDX-License-Identifier: GPL-2.0
/*
 * sfw's own address translation: masquerade, SNAT and DNAT with load
 * balancing, through sfw's tracker alone (nf_nat is not used).
 *
 * Where a packet is translated, and why there:
 *
 *  - DNAT and the undoing of SNAT at PRE_ROUTING (NF_IP_PRI_NAT_DST),
 *    before routing, so that a translated destination is routed; SNAT and
 *    the undoing of DNAT at POST_ROUTING (NF_IP_PRI_NAT_SRC), after it.
 *    The filter hooks (path.c) run in between and see each connection
 *    from the inside: the original direction after DNAT and before SNAT,
 *    replies after un-SNAT and before un-DNAT, exactly as they see a
 *    connection nf_nat translates. So the tracker needs nothing new: an
 *    entry is hashed, both ways, under that inner tuple (conntrack.c).
 *
 *  - The two tuples outside, the first packet as it arrived (before DNAT)
 *    and a reply as it arrives (to the SNAT address and port), are kept
 *    in the entry (struct sfw_conn_nat) and hashed in the namespace's NAT
 *    table, an rhashtable, when they differ from the inner ones. At
 *    PRE_ROUTING a packet is looked up there by its tuple; at POST_ROUTING
 *    in the connection table by its tuple, which is the inner one. Each
 *    hook derives what to do from the packet as it is now: nothing is
 *    carried between hooks, and a packet reinjected from NFQUEUE or
 *    translated by nf_nat meanwhile is simply looked up again.
 *
 *  - Translation is decided once, on a flow's first packet, and kept for
 *    the connection's life. DNAT is decided at PRE_ROUTING (the
 *    prerouting chain), which must create the entry there, before the
 *    filter hook judges the packet: it is inserted unconfirmed and the
 *    filter hook confirms it or deletes it (conntrack.c). SNAT is decided
 *    when the filter hook (FORWARD or LOCAL_OUT) creates or confirms the
 *    entry, by the postrouting chain, whose output device is known there.
 *
 *  - Ports: the original one when it is free; otherwise, from a random
 *    offset, a bounded number of candidates (128, then 64, 32, 16, each
 *    round from a new offset), as nf_nat does. A candidate is free when
 *    no translated connection replies to it (the NAT table, whose insert
 *    is the atomic check: a clash is retried) and no entry of the
 *    gateway's own uses it (the connection table). ICMP echo identifiers
 *    are translated as ports are. Exhaustion drops the packet, counted
 *    per SNAT address (/proc/net/sfw/nat) and logged, rate-limited.
 *
 *  - Checksums are updated incrementally (inet_proto_csum_replace*()); a
 *    zero UDP checksum stays zero. An ICMP error about a translated flow
 *    has the packet it quotes translated back, its own destination or
 *    source with it, and its checksum computed again.
 *
 *  - Masquerade takes the output device's primary address. When an
 *    address goes from a device, or the device goes down, a work item
 *    ends the masqueraded connections whose address is no longer there.
 *
 * What is not translated: locally generated packets' destinations (no
 * LOCAL_OUT DNAT), and fragments after the first (defragmented first).
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/siphash.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/addrconf.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>

#include "conntrack.h"
#include "expect.h"
#include "nat.h"
#include "path.h"
#include "rules.h"

#define SFW_NAT_ADDRS		64	/* SNAT addresses counted, per namespace */
#define SFW_NAT_RR		64	/* round-robin counters */
#define SFW_STICKY_BUCKETS	1024
#define SFW_STICKY_WAYS		4
#define SFW_NAT_PENDING_SECS	5	/* an unconfirmed entry's life */

/* Per SNAT address: what /proc/net/sfw/nat shows. */
struct sfw_nat_addr {
	union sfw_addr addr;
	u8 l3num;
	atomic_t in_use;
	atomic_t clashes;
	atomic_t exhausted;
};

struct sfw_sticky {
	union sfw_addr client;
	u32 expires;		/* jiffies */
	u16 rule;		/* the prerouting rule, from 1 (0: free) */
	u16 target;
	u8 l3num;
};

/* A namespace's NAT state. */
struct sfw_nat_net {
	struct rhashtable keys;
	atomic_t count;			/* translated entries */
	siphash_key_t lb_key;		/* lb hash, drawn at each load */
	atomic_t rr[SFW_NAT_RR];
	spinlock_t lock;		/* addrs, sticky */
	unsigned int naddrs;
	struct sfw_nat_addr addrs[SFW_NAT_ADDRS];
	struct sfw_sticky *sticky;	/* while the rule set has sticky rules */
	struct work_struct masq_work;	/* an address or device went */
	struct sfw_net *sn;
};

static const struct rhashtable_params sfw_nat_params = {
	.head_offset = offsetof(struct sfw_nat_key, node),
	.key_offset = offsetof(struct sfw_nat_key, t),
	.key_len = SFW_TUPLE_KEY_LEN,
	.automatic_shrinking = true,
};

/* One side of a tuple: an address and a port (ICMP: the echo id). */
struct sfw_ep {
	union sfw_addr addr;
	__be16 port;
};

static bool has_ports(u8 l4proto)
{
	return l4proto == SFW_IPPROTO_TCP || l4proto == SFW_IPPROTO_UDP;
}

static bool is_icmp(u8 l4proto)
{
	return l4proto == SFW_IPPROTO_ICMP || l4proto == SFW_IPPROTO_ICMPV6;
}

static void ep_get(const struct sfw_tuple *t, bool src, struct sfw_ep *e)
{
	e->addr = src ? t->src : t->dst;
	if (has_ports(t->l4proto))
		e->port = src ? t->sport : t->dport;
	else if (is_icmp(t->l4proto))
		e->port = t->sport;
	else
		e->port = 0;
}

static void ep_set(struct sfw_tuple *t, bool src, const struct sfw_ep *e)
{
	if (src)
		t->src = e->addr;
	else
		t->dst = e->addr;
	if (has_ports(t->l4proto)) {
		if (src)
			t->sport = e->port;
		else
			t->dport = e->port;
	} else if (is_icmp(t->l4proto)) {
		t->sport = e->port;
	}
}

static bool ep_equal(const struct sfw_ep *a, const struct sfw_ep *b)
{
	return !memcmp(&a->addr, &b->addr, sizeof(a->addr)) && a->port == b->port;
}

static bool tuple_equal(const struct sfw_tuple *a, const struct sfw_tuple *b)
{
	return !memcmp(a, b, SFW_TUPLE_KEY_LEN);
}

static struct sfw_nat_net *nat_net(const struct sfw_net *sn)
{
	return sn->nat;
}

static bool nat_active(struct sfw_net *sn)
{
	const struct sfw_rules *r = rcu_dereference(sn->rules);

	return atomic_read(&nat_net(sn)->count) ||
	       (r && (r->rs->chain[SFW_CHAIN_PREROUTING].n ||
		      r->rs->chain[SFW_CHAIN_POSTROUTING].n));
}

/* Packet surgery. */

/*
 * Rewrite one side (@src) of the IP packet at @off of @skb, whose L4
 * header (@l4proto) is @l4len bytes in at @l4off (0: leave it), from
 * @from to @to. @inner: a packet quoted in an ICMP error, whose L4 header
 * may be cut short. The caller made the bytes writable.
 */
static void manip(struct sk_buff *skb, unsigned int off, u8 l3num, u8 l4proto,
		  unsigned int l4off, unsigned int l4len, bool src,
		  const struct sfw_ep *from, const struct sfw_ep *to, bool inner)
{
	bool addr = memcmp(&from->addr, &to->addr, sizeof(from->addr));
	u8 *l4 = l4off ? skb->data + off + l4off : NULL;
	__sum16 *check = NULL;
	__be16 *port = NULL;

	if (l4 && has_ports(l4proto) && l4len >= 4)
		port = (__be16 *)(l4 + (src ? 0 : 2));
	if (l4 && l4proto == SFW_IPPROTO_TCP && l4len >= 18)
		check = &((struct tcphdr *)l4)->check;
	if (l4 && l4proto == SFW_IPPROTO_UDP && l4len >= 8) {
		check = &((struct udphdr *)l4)->check;
		/* No checksum stays no checksum (IPv4 only has them). */
		if (l3num == SFW_AF_INET && !*check)
			check = NULL;
	}
	if (l4 && is_icmp(l4proto) && l4len >= 8) {
		/* An echo's id is its port; a quoted one's checksum is left. */
		port = (__be16 *)(l4 + 4);
		if (!inner)
			check = (__sum16 *)(l4 + 2);
	}

	if (l3num == SFW_AF_INET) {
		struct iphdr *iph = (struct iphdr *)(skb->data + off);
		__be32 *a = src ? &iph->saddr : &iph->daddr;

		if (addr) {
			csum_replace4(&iph->check, *a, to->addr.ip);
			if (check && l4proto != SFW_IPPROTO_ICMP)
				inet_proto_csum_replace4(check, skb, *a, to->addr.ip, true);
			*a = to->addr.ip;
		}
	} else {
		struct ipv6hdr *ip6h = (struct ipv6hdr *)(skb->data + off);
		struct in6_addr *a = src ? &ip6h->saddr : &ip6h->daddr;

		if (addr) {
			if (check)
				inet_proto_csum_replace16(check, skb, a->s6_addr32,
							  to->addr.ip6, true);
			memcpy(a, to->addr.ip6, sizeof(*a));
		}
	}
	if (port && *port != to->port) {
		if (check)
			inet_proto_csum_replace2(check, skb, *port, to->port, false);
		*port = to->port;
	}
	if (check && l4proto == SFW_IPPROTO_UDP && !*check)
		*check = CSUM_MANGLED_0;
}

/* Make the first @len bytes from the network header writable; false: drop. */
static bool writable(struct sk_buff *skb, unsigned int len)
{
	return !skb_ensure_writable(skb, skb_network_offset(skb) + min(len, skb->len -
						skb_network_offset(skb)));
}

/* Translate one side of the packet @pkt of @skb to @to. */
static bool translate(struct sk_buff *skb, const struct sfw_pkt *pkt, bool src,
		      const struct sfw_ep *to)
{
	unsigned int off = skb_network_offset(skb);
	unsigned int l4len = min_t(unsigned int, skb->len - off - pkt->l4_off, 20);
	struct sfw_ep from;

	ep_get(&pkt->tuple, src, &from);
	if (ep_equal(&from, to))
		return true;
	if (!writable(skb, pkt->l4_off + l4len))
		return false;
	manip(skb, off, pkt->tuple.l3num, pkt->tuple.l4proto, pkt->l4_off, l4len,
	      src, &from, to, false);
	return true;
}

/*
 * An ICMP error @pkt quoting a packet of a translated flow: the quoted
 * packet's side opposite to @src goes to @to (it travelled the other
 * way), and the error's own side @src with it if it was that address.
 * Then the error's checksum is computed again.
 */
static bool translate_error(struct sk_buff *skb, const struct sfw_pkt *pkt, bool src,
			    const struct sfw_ep *to)
{
	unsigned int off = skb_network_offset(skb);
	unsigned int ioff = pkt->l4_off + 8, il4off = 0, il4len = 0, len;
	const struct sfw_tuple *q = &pkt->icmp.inner;
	struct sfw_ep from, outer, outer_to;
	u8 *l4;

	ep_get(q, !src, &from);
	if (ep_equal(&from, to))
		return true;
	len = skb->len - off;
	if (!writable(skb, len))
		return false;
	/* The quoted header: its L4 part only if plainly after it. */
	if (q->l3num == SFW_AF_INET && ioff + 20 <= len) {
		il4off = (skb->data[off + ioff] & 0x0f) * 4;
	} else if (q->l3num == SFW_AF_INET6 && ioff + 40 <= len &&
		   skb->data[off + ioff + 6] == q->l4proto) {
		il4off = 40;
	}
	if (il4off && ioff + il4off < len)
		il4len = len - ioff - il4off;
	else
		il4off = 0;
	manip(skb, off + ioff, q->l3num, q->l4proto, il4off, il4len, !src, &from, to, true);

	ep_get(&pkt->tuple, src, &outer);
	if (!memcmp(&outer.addr, &from.addr, sizeof(outer.addr))) {
		outer_to = outer;
		outer_to.addr = to->addr;
		manip(skb, off, pkt->tuple.l3num, pkt->tuple.l4proto, 0, 0, src,
		      &outer, &outer_to, false);
	}

	/* The error's checksum, over the changed quote (and IPv6's addresses). */
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		return true;
	l4 = skb->data + off + pkt->l4_off;
	len -= pkt->l4_off;
	if (pkt->tuple.l3num == SFW_AF_INET) {
		struct icmphdr *ih = (struct icmphdr *)l4;

		ih->checksum = 0;
		ih->checksum = csum_fold(skb_checksum(skb, off + pkt->l4_off, len, 0));
	} else {
		struct ipv6hdr *ip6h = (struct ipv6hdr *)(skb->data + off);
		struct icmp6hdr *ih = (struct icmp6hdr *)l4;

		ih->icmp6_cksum = 0;
		ih->icmp6_cksum = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, len,
						  IPPROTO_ICMPV6,
						  skb_checksum(skb, off + pkt->l4_off, len, 0));
	}
	skb->ip_summed = CHECKSUM_NONE;
	return true;
}

/* The NAT table. */

static struct sfw_conn_nat *key_find(struct sfw_nat_net *nn, const struct sfw_tuple *t,
				     enum sfw_dir *dir)
{
	struct sfw_nat_key *k = rhashtable_lookup(&nn->keys, t, sfw_nat_params);
	struct sfw_conn_nat *cn;

	if (!k)
		return NULL;
	*dir = k->dir;
	cn = container_of(k - k->dir, struct sfw_conn_nat, key[0]);
	if (READ_ONCE(cn->ct.status) & SFW_CONN_DYING)
		return NULL;
	return cn;
}

void sfw_nat_unhash(struct sfw_net *sn, struct sfw_conn *ct)
{
	struct sfw_conn_nat *cn = sfw_conn_nat(ct);
	struct sfw_nat_net *nn = nat_net(sn);

	if (!cn || !cn->manip)
		return;
	if (cn->manip & SFW_NAT_DST)
		rhashtable_remove_fast(&nn->keys, &cn->key[SFW_DIR_ORIGINAL].node, sfw_nat_params);
	if (cn->manip & SFW_NAT_SRC)
		rhashtable_remove_fast(&nn->keys, &cn->key[SFW_DIR_REPLY].node, sfw_nat_params);
	if (cn->addr_idx != SFW_NAT_NO_ADDR)
		atomic_dec(&nn->addrs[cn->addr_idx].in_use);
	cn->manip = 0;
	atomic_dec(&nn->count);
}

void sfw_nat_tuples(const struct sfw_conn *ct, struct sfw_tuple *orig, struct sfw_tuple *reply)
{
	const struct sfw_conn_nat *cn = sfw_conn_nat(ct);

	sfw_conn_tuple(ct, orig);
	sfw_tuple_invert(orig, reply);
	if (!cn)
		return;
	if (READ_ONCE(cn->manip) & SFW_NAT_DST)
		*orig = cn->key[SFW_DIR_ORIGINAL].t;
	if (READ_ONCE(cn->manip) & SFW_NAT_SRC)
		*reply = cn->key[SFW_DIR_REPLY].t;
}

/* Rules. */

/* The rule of NAT chain @chain that @t (state NEW) meets, or NULL. */
static const struct sfw_rule *nat_rule(struct sfw_net *sn, const struct sk_buff *skb,
				       const struct nf_hook_state *state, enum sfw_chain chain,
				       const struct sfw_tuple *t, const struct sfw_ruleset **rsp,
				       s32 *pos)
{
	struct sfw_rules *rules = rcu_dereference(sn->rules);
	struct sfw_match_pkt m = {};
	s32 i;

	if (!rules || !rules->rs->chain[chain].n)
		return NULL;
	m.t = t;
	m.ctinfo = SFW_CT_NEW;
	m.reason = 0;
	m.iif = state->in ? state->in->name : NULL;
	m.oif = state->out && chain != SFW_CHAIN_PREROUTING ? state->out->name : NULL;
	i = sfw_rules_match_count(rules, chain, &m, skb->len);
	if (i < 0)
		return NULL;
	*rsp = rules->rs;
	*pos = i;
	return &rules->rs->chain[chain].rules[i];
}

/*
 * A client's backend under "sticky": the first of its bucket's four ways
 * that holds it, else the way to take for it (free, expired, or else the
 * one that expires first). nn->lock held.
 */
static struct sfw_sticky *sticky_slot(struct sfw_nat_net *nn, s32 pos,
				      const struct sfw_tuple *t, bool *found)
{
	u32 h = siphash(&t->src, sizeof(t->src), &nn->lb_key) % SFW_STICKY_BUCKETS;
	struct sfw_sticky *s, *victim = NULL;
	u32 now = (u32)jiffies;
	unsigned int i;

	*found = false;
	for (i = 0; i < SFW_STICKY_WAYS; i++) {
		s = &nn->sticky[h * SFW_STICKY_WAYS + i];
		if (s->rule && (s32)(s->expires - now) <= 0)
			s->rule = 0;
		if (s->rule == pos + 1 && s->l3num == t->l3num &&
		    !memcmp(&s->client, &t->src, sizeof(s->client))) {
			*found = true;
			return s;
		}
		if (!victim || (victim->rule && (!s->rule ||
						 (s32)(s->expires - victim->expires) < 0)))
			victim = s;
	}
	return victim;
}

/* Which of @r's targets a new flow @t goes to, sticky aside. */
static u16 balance(struct sfw_nat_net *nn, const struct sfw_rule *r, s32 pos,
		   const struct sfw_tuple *t)
{
	struct {
		union sfw_addr a;
		__be16 port;
		u16 pos;
	} key = { .a = t->src, .port = t->sport, .pos = (u16)pos };

	if (r->nat_lb == SFW_LB_RR)
		return (u32)atomic_inc_return(&nn->rr[pos % SFW_NAT_RR]) % r->nnat;
	/* The hash's low 32 bits scaled onto the targets: no modulo bias to speak of. */
	return (u16)(((u64)(u32)siphash(&key, sizeof(key), &nn->lb_key) * r->nnat) >> 32);
}

/* Which of @r's targets a new flow @t goes to. */
static u16 pick_target(struct sfw_nat_net *nn, const struct sfw_rule *r, s32 pos,
		       const struct sfw_tuple *t)
{
	struct sfw_sticky *s;
	bool found;
	u16 target;

	if (r->nnat <= 1)
		return 0;
	if (!r->nat_sticky || !READ_ONCE(nn->sticky))
		return balance(nn, r, pos, t);
	spin_lock(&nn->lock);
	s = nn->sticky ? sticky_slot(nn, pos, t, &found) : NULL;
	if (s && found && s->target < r->nnat) {
		target = s->target;
	} else {
		target = balance(nn, r, pos, t);
		if (s) {
			s->client = t->src;
			s->l3num = t->l3num;
			s->rule = pos + 1;
			s->target = target;
		}
	}
	if (s)
		s->expires = (u32)jiffies + r->nat_sticky * HZ;
	spin_unlock(&nn->lock);
	return target;
}

/* The counters of SNAT address @a (its index), made on first use. */
static u8 addr_index(struct sfw_nat_net *nn, u8 l3num, const union sfw_addr *a)
{
	unsigned int i, n = READ_ONCE(nn->naddrs);

	for (i = 0; i < n; i++)
		if (nn->addrs[i].l3num == l3num && !memcmp(&nn->addrs[i].addr, a, sizeof(*a)))
			return i;
	spin_lock(&nn->lock);
	for (i = 0; i < nn->naddrs; i++)
		if (nn->addrs[i].l3num == l3num && !memcmp(&nn->addrs[i].addr, a, sizeof(*a)))
			break;
	if (i == nn->naddrs && i < SFW_NAT_ADDRS) {
		nn->addrs[i].addr = *a;
		nn->addrs[i].l3num = l3num;
		/* Readers see the address before the count that covers it. */
		smp_store_release(&nn->naddrs, i + 1);
	}
	spin_unlock(&nn->lock);
	return i < SFW_NAT_ADDRS ? i : SFW_NAT_NO_ADDR;
}

/* DNAT. */

/*
 * A new flow's translated tuple @t is taken: by a TCP connection that is
 * closing (TIME_WAIT, CLOSE) while @pkt is a SYN? Then that one is
 * deleted, as the tracker reopens a closing connection for a new SYN,
 * and the caller tries again. Two flows to different outside ports of
 * one backend meet this way when a client reuses its port.
 */
static bool closing(struct sfw_net *sn, const struct sfw_tuple *t, const struct sfw_pkt *pkt)
{
	struct sfw_conn *old;
	enum sfw_dir dir;
	u8 st;

	if (t->l4proto != SFW_IPPROTO_TCP ||
	    (pkt->tcp.flags & (SFW_TCPH_SYN | SFW_TCPH_ACK)) != SFW_TCPH_SYN)
		return false;
	old = sfw_conntrack_lookup(sn, t, &dir);
	if (!old)
		return true;	/* gone meanwhile: try again */
	st = READ_ONCE(old->ps.tcp.state);
	if (st != SFW_TCP_TIME_WAIT && st != SFW_TCP_CLOSE)
		return false;
	sfw_conntrack_delete(sn, old, SFW_END_REOPENED);
	return true;
}

/*
 * The first packet @pkt of a flow nobody knows, at PRE_ROUTING: if the
 * prerouting chain translates it, create its entry, unconfirmed, under
 * the translated tuple, and translate it. NF_ACCEPT or NF_DROP.
 */
static unsigned int dnat_new(struct sfw_net *sn, struct sk_buff *skb,
			     const struct nf_hook_state *state, const struct sfw_pkt *pkt)
{
	struct sfw_nat_net *nn = nat_net(sn);
	const struct sfw_nat_range *tg;
	const struct sfw_ruleset *rs;
	const struct sfw_rule *r;
	union sfw_proto_state ps;
	struct sfw_conn_nat *cn;
	struct sfw_tuple inner;
	struct sfw_conn *ct;
	struct sfw_ep to;
	u8 manip = SFW_NAT_DST, xflags = SFW_CONN_X_NAT;
	const struct sfw_rules *rules;
	bool retried = false;
	enum sfw_dir dir;
	u8 reason = 0;
	u16 target;
	s32 pos;
	u32 h;
	int ret;

	/* A data connection a helper announced behind NAT goes where it said. */
	if (sfw_expect_nat_find(sn, &pkt->tuple, &to.addr, &to.port)) {
		manip |= SFW_NAT_EXPECTED;
		goto translate;
	}
	r = nat_rule(sn, skb, state, SFW_CHAIN_PREROUTING, &pkt->tuple, &rs, &pos);
	if (!r || r->action == SFW_ACT_ACCEPT)
		return NF_ACCEPT;
	if (r->action != SFW_ACT_DNAT)
		return NF_DROP;
	if (!r->nnat)
		return NF_ACCEPT;
	target = pick_target(nn, r, pos, &pkt->tuple);
	if (WARN_ON_ONCE(target >= r->nnat))
		return NF_DROP;
	tg = &rs->nat[r->nat_off + target];
	if (tg->l3num != pkt->tuple.l3num)
		return NF_ACCEPT;
	ep_get(&pkt->tuple, false, &to);
	to.addr = tg->lo;
	if (tg->port_lo && has_ports(pkt->tuple.l4proto)) {
		u16 n = tg->port_hi - tg->port_lo + 1;

		to.port = htons(tg->port_lo + (n > 1 ? ntohs(pkt->tuple.sport) % n : 0));
	}
translate:
	inner = pkt->tuple;
	ep_set(&inner, false, &to);
	if (tuple_equal(&inner, &pkt->tuple))
		return NF_ACCEPT;
	/* One it may not open (not a SYN): untranslated, the filter judges it. */
	memset(&ps, 0, sizeof(ps));
	if (!sfw_proto_new(&ps, pkt, &sn->params, &reason))
		return NF_ACCEPT;

	h = sfw_conntrack_hash(&inner, sn->net_id);
	/* The rule that accepts it may give it a helper: room for one. */
	rules = rcu_dereference(sn->rules);
	if (pkt->tuple.l4proto == SFW_IPPROTO_TCP && rules && rules->helpers)
		xflags |= SFW_CONN_X_HELPER;
again:
	ct = sfw_conntrack_alloc(sn, h, xflags, GFP_ATOMIC);
	if (!ct)
		return NF_DROP;
	cn = container_of(ct, struct sfw_conn_nat, ct);
	cn->key[SFW_DIR_ORIGINAL].t = pkt->tuple;
	sfw_tuple_invert(&inner, &cn->key[SFW_DIR_REPLY].t);
	cn->in_ifindex = state->in ? state->in->ifindex : 0;
	ret = rhashtable_lookup_insert_fast(&nn->keys, &cn->key[SFW_DIR_ORIGINAL].node,
					    sfw_nat_params);
	if (ret) {
		/* Another CPU translated the same flow first: use its choice. */
		cn->manip = 0;
		sfw_conntrack_free(sn, ct);
		if (ret != -EEXIST)
			return NF_DROP;
		cn = key_find(nn, &pkt->tuple, &dir);
		if (!cn)
			return NF_DROP;
		ep_get(&cn->ct.tuple, false, &to);
		return translate(skb, pkt, false, &to) ? NF_ACCEPT : NF_DROP;
	}
	cn->manip = manip;
	atomic_inc(&nn->count);
	ret = sfw_conntrack_insert(sn, ct, &inner, h, &ps, SFW_NAT_PENDING_SECS, pkt->len, false);
	if (ret == -EEXIST && !retried && closing(sn, &inner, pkt)) {
		/* A new SYN meets a closing connection on the inside: it goes. */
		retried = true;
		goto again;
	}
	if (ret)
		return NF_DROP;
	if (!translate(skb, pkt, false, &to))
		return NF_DROP;
	return NF_ACCEPT;
}

/* SNAT. */

const struct sfw_rule *sfw_nat_source_rule(struct sfw_net *sn, const struct sk_buff *skb,
					   const struct nf_hook_state *state,
					   const struct sfw_tuple *t,
					   const struct sfw_ruleset **rs)
{
	const struct sfw_rule *r;
	s32 pos;

	if (state->hook != NF_INET_FORWARD && state->hook != NF_INET_LOCAL_OUT)
		return NULL;
	r = nat_rule(sn, skb, state, SFW_CHAIN_POSTROUTING, t, rs, &pos);
	if (!r || (r->action != SFW_ACT_SNAT && r->action != SFW_ACT_MASQUERADE))
		return NULL;
	return r;
}

/* The masquerade address of @dev towards @dst. */
static int masq_addr(struct sfw_net *sn, const struct net_device *dev,
		     const struct sfw_tuple *t, union sfw_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (!dev)
		return -ENODEV;
	if (t->l3num == SFW_AF_INET) {
		a->ip = inet_select_addr(dev, t->dst.ip, RT_SCOPE_UNIVERSE);
		return a->ip ? 0 : -EADDRNOTAVAIL;
	}
	return ipv6_dev_get_saddr(sn->net, dev, (const struct in6_addr *)t->dst.ip6, 0,
				  (struct in6_addr *)a->ip6) ? -EADDRNOTAVAIL : 0;
}

/* The SNAT address for @t in @tg's range, the same for a client each time. */
static void snat_addr(struct sfw_nat_net *nn, const struct sfw_nat_range *tg,
		      const struct sfw_tuple *t, union sfw_addr *a)
{
	u32 lo, hi, w = t->l3num == SFW_AF_INET ? 0 : 3;

	*a = tg->lo;
	lo = ntohl(tg->lo.ip6[w]);
	hi = ntohl(tg->hi.ip6[w]);
	if (hi > lo && !memcmp(&tg->lo, &tg->hi, w * 4))
		a->ip6[w] = htonl(lo + (u32)(siphash(&t->src, sizeof(t->src), &nn->lb_key) %
					     ((u64)hi - lo + 1)));
}

int sfw_nat_bind_source(struct sfw_net *sn, const struct nf_hook_state *state,
			struct sfw_conn *ct, const struct sfw_tuple *t,
			const struct sfw_ruleset *rs, const struct sfw_rule *r)
{
	struct sfw_conn_nat *cn = sfw_conn_nat(ct);
	struct sfw_nat_net *nn = nat_net(sn);
	const struct sfw_nat_range *tg = r->nnat ? &rs->nat[r->nat_off] : NULL;
	u32 lo = 1024, hi = 65535, n, tries, off;
	struct sfw_tuple reply;
	enum sfw_dir dir;
	struct sfw_ep to;
	u32 i;
	u8 ai;
	int ret;

	if (WARN_ON_ONCE(!cn))
		return -EINVAL;
	ep_get(t, true, &to);
	if (r->action == SFW_ACT_MASQUERADE) {
		ret = masq_addr(sn, state->out, t, &to.addr);
		if (ret) {
			net_warn_ratelimited("masquerade: %s has no address\n",
					     state->out ? state->out->name : "?");
			return ret;
		}
		cn->ifindex = state->out->ifindex;
	} else if (tg && tg->l3num == t->l3num) {
		snat_addr(nn, tg, t, &to.addr);
	} else {
		return 0;
	}
	if (tg && tg->port_lo) {
		lo = tg->port_lo;
		hi = tg->port_hi;
	} else if (has_ports(t->l4proto) && ntohs(to.port) < 1024) {
		lo = 1;
		hi = 1023;
	}
	if (is_icmp(t->l4proto)) {
		lo = 0;
		hi = 65535;
	} else if (!has_ports(t->l4proto)) {
		lo = 0;
		hi = 0;
	}

	sfw_tuple_invert(t, &reply);
	ai = addr_index(nn, t->l3num, &to.addr);
	cn->addr_idx = ai;
	/* The original port first, if it is in range; then rounds from random offsets. */
	n = hi - lo + 1;
	tries = min_t(u32, n, 128);
	off = get_random_u32() % n;
	if (ntohs(to.port) < lo || ntohs(to.port) > hi)
		to.port = htons(lo + off++ % n);
	for (i = 0;; i++) {
		ep_set(&reply, false, &to);
		cn->key[SFW_DIR_REPLY].t = reply;
		if (!sfw_conntrack_lookup(sn, &reply, &dir)) {
			ret = rhashtable_lookup_insert_fast(&nn->keys,
							    &cn->key[SFW_DIR_REPLY].node,
							    sfw_nat_params);
			if (!ret)
				break;
			if (ret != -EEXIST)
				goto fail;
		}
		if (ai != SFW_NAT_NO_ADDR)
			atomic_inc(&nn->addrs[ai].clashes);
		if (i + 1 >= tries) {
			if (tries <= 16 || n <= 1) {
				ret = -EADDRINUSE;
				goto exhausted;
			}
			tries /= 2;
			i = -1;
			off = get_random_u32() % n;
		}
		to.port = htons(lo + off++ % n);
	}
	if (!(cn->manip & SFW_NAT_DST))
		atomic_inc(&nn->count);
	/* Readers see the reply key before the flag that says it is there. */
	smp_store_release(&cn->manip, cn->manip | SFW_NAT_SRC |
			  (r->action == SFW_ACT_MASQUERADE ? SFW_NAT_MASQ : 0));
	if (ai != SFW_NAT_NO_ADDR)
		atomic_inc(&nn->addrs[ai].in_use);
	return 0;

exhausted:
	if (ai != SFW_NAT_NO_ADDR)
		atomic_inc(&nn->addrs[ai].exhausted);
	if (t->l3num == SFW_AF_INET)
		net_warn_ratelimited("nat: no free port on %pI4 for %pI4, ports %u-%u\n",
				     &to.addr.ip, &t->dst.ip, lo, hi);
	else
		net_warn_ratelimited("nat: no free port on %pI6c for %pI6c, ports %u-%u\n",
				     to.addr.ip6, t->dst.ip6, lo, hi);
fail:
	cn->addr_idx = SFW_NAT_NO_ADDR;
	sfw_tuple_invert(t, &cn->key[SFW_DIR_REPLY].t);
	return ret;
}

/* Restore (ct_restore.c). */

int sfw_nat_restore(struct sfw_net *sn, struct sfw_conn *ct, const struct sfw_ct_record *r,
		    int masq_ifindex, int in_ifindex)
{
	struct sfw_conn_nat *cn = sfw_conn_nat(ct);
	struct sfw_nat_net *nn = nat_net(sn);
	u8 manip = 0;
	enum sfw_dir dir;
	int ret;

	if (WARN_ON_ONCE(!cn))
		return -EINVAL;
	cn->key[SFW_DIR_ORIGINAL].t = r->orig;
	cn->key[SFW_DIR_REPLY].t = r->reply;
	cn->ifindex = masq_ifindex;
	cn->in_ifindex = in_ifindex;
	if (sfw_ct_record_dnat(r)) {
		ret = rhashtable_lookup_insert_fast(&nn->keys, &cn->key[SFW_DIR_ORIGINAL].node,
						    sfw_nat_params);
		if (ret)
			return ret;
		manip |= SFW_NAT_DST;
	}
	if (sfw_ct_record_snat(r)) {
		/* As sfw_nat_bind_source(): the outer reply may not be another's tuple. */
		ret = sfw_conntrack_lookup(sn, &r->reply, &dir) ? -EEXIST :
		      rhashtable_lookup_insert_fast(&nn->keys, &cn->key[SFW_DIR_REPLY].node,
						    sfw_nat_params);
		if (ret) {
			if (manip)
				rhashtable_remove_fast(&nn->keys, &cn->key[SFW_DIR_ORIGINAL].node,
						       sfw_nat_params);
			return ret;
		}
		manip |= SFW_NAT_SRC | (masq_ifindex ? SFW_NAT_MASQ : 0);
		cn->addr_idx = addr_index(nn, r->reply.l3num, &r->reply.dst);
		if (cn->addr_idx != SFW_NAT_NO_ADDR)
			atomic_inc(&nn->addrs[cn->addr_idx].in_use);
	}
	atomic_inc(&nn->count);
	/* Readers see the keys before the flags that say they are there. */
	smp_store_release(&cn->manip, manip);
	return 0;
}

/* The hooks. */

/* What to look up for @pkt: its tuple, or for an ICMP error the quoted one's inverse. */
static bool nat_lookup_tuple(const struct sfw_pkt *pkt, struct sfw_tuple *t, bool *error)
{
	*error = is_icmp(pkt->tuple.l4proto) && pkt->icmp.is_error;
	if (*error)
		sfw_tuple_invert(&pkt->icmp.inner, t);
	else
		*t = pkt->tuple;
	return true;
}

static unsigned int prerouting(struct sfw_net *sn, struct sk_buff *skb,
			       const struct nf_hook_state *state)
{
	struct sfw_nat_net *nn = nat_net(sn);
	struct sfw_conn_nat *cn;
	struct sfw_tuple t;
	struct sfw_pkt pkt;
	enum sfw_dir dir;
	struct sfw_ep to;
	bool error, ok;
	__be32 daddr[4];

	if (sfw_path_parse(&pkt, skb, state->pf))
		return NF_ACCEPT;	/* the filter hook counts it INVALID */
	nat_lookup_tuple(&pkt, &t, &error);

	/* A translated flow: DNAT its first direction, undo SNAT on replies. */
	cn = key_find(nn, &t, &dir);
	if (!cn) {
		struct sfw_conn *ct = error ? NULL : sfw_conntrack_lookup(sn, &t, &dir);

		if (ct)
			return sfw_nat_helper_ack_in(ct, dir, skb, &pkt) ? NF_ACCEPT : NF_DROP;
		if (error)
			return NF_ACCEPT;
		return dnat_new(sn, skb, state, &pkt);
	}
	/* Behind a helper's rewrite: acknowledgements back to the sender's numbers. */
	if (!error && !sfw_nat_helper_ack_in(&cn->ct, dir, skb, &pkt))
		return NF_DROP;
	if (dir == SFW_DIR_ORIGINAL)
		ep_get(&cn->ct.tuple, false, &to);
	else
		ep_get(&cn->ct.tuple, true, &to);

	memcpy(daddr, pkt.tuple.dst.ip6, sizeof(daddr));
	ok = error ? translate_error(skb, &pkt, false, &to) : translate(skb, &pkt, false, &to);
	if (!ok)
		return NF_DROP;
	/* A new destination is routed anew. */
	if (state->pf == NFPROTO_IPV4 ? daddr[0] != ip_hdr(skb)->daddr :
	    memcmp(daddr, &ipv6_hdr(skb)->daddr, sizeof(daddr)))
		skb_dst_drop(skb);
	return NF_ACCEPT;
}

static unsigned int postrouting(struct sfw_net *sn, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	struct sfw_conn_nat *cn;
	struct sfw_conn *ct;
	struct sfw_tuple t;
	struct sfw_pkt pkt;
	enum sfw_dir dir;
	struct sfw_ep to;
	bool error, ok;
	u8 manip;

	if (sfw_path_parse(&pkt, skb, state->pf))
		return NF_ACCEPT;
	nat_lookup_tuple(&pkt, &t, &error);
	ct = sfw_conntrack_lookup(sn, &t, &dir);
	cn = ct ? sfw_conn_nat(ct) : NULL;
	if (!cn)
		return NF_ACCEPT;
	/* After a helper's rewrite: this side's sequence numbers as the peer counts. */
	if (!error && !sfw_nat_helper_seq_out(ct, dir, skb, &pkt))
		return NF_DROP;
	/* Pairs with bind_source's release: the reply key is there if the flag is. */
	manip = smp_load_acquire(&cn->manip);
	/* SNAT the first direction, undo DNAT on replies. */
	if (dir == SFW_DIR_ORIGINAL && (manip & SFW_NAT_SRC))
		ep_get(&cn->key[SFW_DIR_REPLY].t, false, &to);
	else if (dir == SFW_DIR_REPLY && (manip & SFW_NAT_DST))
		ep_get(&cn->key[SFW_DIR_ORIGINAL].t, false, &to);
	else
		return NF_ACCEPT;
	ok = error ? translate_error(skb, &pkt, true, &to) : translate(skb, &pkt, true, &to);
	return ok ? NF_ACCEPT : NF_DROP;
}

bool sfw_nat_translate_flow(struct sk_buff *skb, const struct sfw_pkt *pkt,
			    const struct sfw_conn *ct, enum sfw_dir dir)
{
	const struct sfw_conn_nat *cn = sfw_conn_nat(ct);
	u8 manip = cn ? smp_load_acquire(&cn->manip) : 0;
	struct sfw_ep dst, src;

	/* As prerouting() then postrouting() would: the destination, then the source. */
	if (dir == SFW_DIR_ORIGINAL) {
		ep_get(&ct->tuple, false, &dst);
		if (!translate(skb, pkt, false, &dst))
			return false;
		if (manip & SFW_NAT_SRC) {
			ep_get(&cn->key[SFW_DIR_REPLY].t, false, &src);
			return translate(skb, pkt, true, &src);
		}
		return true;
	}
	ep_get(&ct->tuple, true, &dst);
	if (!translate(skb, pkt, false, &dst))
		return false;
	if (manip & SFW_NAT_DST) {
		ep_get(&cn->key[SFW_DIR_ORIGINAL].t, false, &src);
		return translate(skb, pkt, true, &src);
	}
	return true;
}

unsigned int sfw_nat_prerouting(struct sfw_net *sn, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	unsigned int verdict;

	if (!nat_active(sn))
		return NF_ACCEPT;
	local_bh_disable();
	verdict = prerouting(sn, skb, state);
	local_bh_enable();
	return verdict;
}

unsigned int sfw_nat_postrouting(struct sfw_net *sn, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	unsigned int verdict;

	if (!nat_active(sn))
		return NF_ACCEPT;
	local_bh_disable();
	verdict = postrouting(sn, skb, state);
	local_bh_enable();
	return verdict;
}

/* Rule-set changes. */

/*
 * Would rule set @rs still send @cn's first packet to its backend? The
 * prerouting rule it meets now must be a DNAT that lists that backend.
 */
static bool target_kept(struct sfw_net *sn, const struct sfw_ruleset *rs,
			const struct sfw_conn_nat *cn)
{
	const struct sfw_rule *r;
	struct net_device *dev;
	struct sfw_match_pkt m = {};
	struct sfw_tuple inner;
	struct sfw_ep ep;
	s32 i;
	u32 k;

	if (!rs)
		return false;
	sfw_conn_tuple(&cn->ct, &inner);
	ep_get(&inner, false, &ep);
	dev = dev_get_by_index_rcu(sn->net, cn->in_ifindex);
	m.t = &cn->key[SFW_DIR_ORIGINAL].t;
	m.ctinfo = SFW_CT_NEW;
	m.reason = 0;
	m.iif = dev ? dev->name : NULL;
	m.oif = NULL;
	i = sfw_ruleset_match(rs, SFW_CHAIN_PREROUTING, &m);
	if (i < 0)
		return false;
	r = &rs->chain[SFW_CHAIN_PREROUTING].rules[i];
	if (r->action != SFW_ACT_DNAT)
		return false;
	for (k = 0; k < r->nnat; k++) {
		const struct sfw_nat_range *tg = &rs->nat[r->nat_off + k];

		if (tg->l3num == inner.l3num && !memcmp(&tg->lo, &ep.addr, sizeof(ep.addr)) &&
		    (!tg->port_lo || !has_ports(inner.l4proto) ||
		     (ntohs(ep.port) >= tg->port_lo && ntohs(ep.port) <= tg->port_hi)))
			return true;
	}
	return false;
}

static bool target_gone(struct sfw_net *sn, struct sfw_conn *ct, void *arg)
{
	struct sfw_conn_nat *cn = sfw_conn_nat(ct);
	u8 manip;

	if (!cn)
		return false;
	/* Acquire: pairs with the release that publishes a binding. */
	manip = smp_load_acquire(&cn->manip);
	/* A helper's data connection follows no rule: no rule can drop it. */
	if (!(manip & SFW_NAT_DST) || (manip & SFW_NAT_EXPECTED))
		return false;
	return !target_kept(sn, arg, cn);
}

u32 sfw_nat_targets_gone(struct sfw_net *sn, const struct sfw_ruleset *old,
			 const struct sfw_ruleset *cur)
{
	struct sfw_nat_net *nn = nat_net(sn);
	struct sfw_sticky *sticky = NULL, *prev;
	bool want = false;
	u32 i;

	/* A new load, a new hash key: and sticky choices start afresh. */
	get_random_bytes(&nn->lb_key, sizeof(nn->lb_key));
	for (i = 0; cur && i < cur->chain[SFW_CHAIN_PREROUTING].n; i++)
		want |= !!cur->chain[SFW_CHAIN_PREROUTING].rules[i].nat_sticky;
	if (want)
		sticky = kvcalloc(SFW_STICKY_BUCKETS * SFW_STICKY_WAYS, sizeof(*sticky),
				  GFP_KERNEL_ACCOUNT);
	spin_lock_bh(&nn->lock);
	prev = nn->sticky;
	nn->sticky = sticky;
	spin_unlock_bh(&nn->lock);
	kvfree(prev);

	/* A flush translates nothing new but ends nothing either, as in nft. */
	if (!old || !cur || !old->chain[SFW_CHAIN_PREROUTING].n || !atomic_read(&nn->count))
		return 0;
	return sfw_conntrack_cleanup(sn, target_gone, (void *)cur, SFW_END_BACKEND_GONE);
}

/* Masquerade: an address or a device went. */

static bool masq_gone(struct sfw_net *sn, struct sfw_conn *ct, void *arg)
{
	struct sfw_conn_nat *cn = sfw_conn_nat(ct);
	const struct sfw_tuple *r;
	struct net_device *dev;

	if (!cn || !(READ_ONCE(cn->manip) & SFW_NAT_MASQ))
		return false;
	r = &cn->key[SFW_DIR_REPLY].t;
	dev = dev_get_by_index_rcu(sn->net, cn->ifindex);
	if (!dev || !(dev->flags & IFF_UP))
		return true;
	if (r->l3num == SFW_AF_INET)
		return __ip_dev_find(sn->net, r->dst.ip, false) != dev;
	return !ipv6_chk_addr(sn->net, (const struct in6_addr *)r->dst.ip6, dev, 0);
}

static void masq_work(struct work_struct *w)
{
	struct sfw_nat_net *nn = container_of(w, struct sfw_nat_net, masq_work);

	sfw_conntrack_cleanup(nn->sn, masq_gone, NULL, SFW_END_ADDRESS_GONE);
}

static void masq_check(struct net_device *dev)
{
	struct sfw_net *sn = sfw_net(dev_net(dev));
	struct sfw_nat_net *nn;

	rcu_read_lock();
	nn = sn ? READ_ONCE(sn->nat) : NULL;
	if (nn && atomic_read(&nn->count))
		schedule_work(&nn->masq_work);
	rcu_read_unlock();
}

static int masq_dev_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	if (event == NETDEV_DOWN)
		masq_check(netdev_notifier_info_to_dev(ptr));
	return NOTIFY_DONE;
}

static int masq_inet_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct in_ifaddr *ifa = ptr;

	if (event == NETDEV_DOWN && ifa->ifa_dev)
		masq_check(ifa->ifa_dev->dev);
	return NOTIFY_DONE;
}

static int masq_inet6_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct inet6_ifaddr *ifa = ptr;

	if (event == NETDEV_DOWN && ifa->idev)
		masq_check(ifa->idev->dev);
	return NOTIFY_DONE;
}

static struct notifier_block masq_dev_nb = { .notifier_call = masq_dev_event };
static struct notifier_block masq_inet_nb = { .notifier_call = masq_inet_event };
static struct notifier_block masq_inet6_nb = { .notifier_call = masq_inet6_event };

/* /proc/net/sfw/nat */
void sfw_nat_proc_show(struct seq_file *seq, struct sfw_net *sn)
{
	struct sfw_nat_net *nn = nat_net(sn);
	/* Pairs with addr_index()'s release: n addresses are filled in. */
	unsigned int i, n = smp_load_acquire(&nn->naddrs);

	seq_printf(seq, "entries %u\n", atomic_read(&nn->count));
	for (i = 0; i < n; i++) {
		const struct sfw_nat_addr *a = &nn->addrs[i];

		if (a->l3num == SFW_AF_INET)
			seq_printf(seq, "addr %pI4", &a->addr.ip);
		else
			seq_printf(seq, "addr %pI6c", a->addr.ip6);
		seq_printf(seq, " in_use %d clashes %d exhausted %d\n",
			   atomic_read(&a->in_use), atomic_read(&a->clashes),
			   atomic_read(&a->exhausted));
	}
}

int sfw_nat_init_net(struct net *net, struct sfw_net *sn)
{
	struct sfw_nat_net *nn;
	int ret;

	nn = kzalloc(sizeof(*nn), GFP_KERNEL_ACCOUNT);
	if (!nn)
		return -ENOMEM;
	ret = rhashtable_init(&nn->keys, &sfw_nat_params);
	if (ret) {
		kfree(nn);
		return ret;
	}
	get_random_bytes(&nn->lb_key, sizeof(nn->lb_key));
	spin_lock_init(&nn->lock);
	INIT_WORK(&nn->masq_work, masq_work);
	nn->sn = sn;
	sn->nat = nn;
	return 0;
}

/* After the tracker's: every entry, and so every key, is gone. */
void sfw_nat_uninit_net(struct net *net, struct sfw_net *sn)
{
	struct sfw_nat_net *nn = nat_net(sn);

	/* No notifier looks at @nn after the grace period, nor queues its work. */
	WRITE_ONCE(sn->nat, NULL);
	synchronize_rcu();
	cancel_work_sync(&nn->masq_work);
	WARN_ON_ONCE(atomic_read(&nn->count));
	rhashtable_destroy(&nn->keys);
	kvfree(nn->sticky);
	kfree(nn);
}

int sfw_nat_init(void)
{
	int ret;

	ret = register_netdevice_notifier(&masq_dev_nb);
	if (ret)
		goto err_dev;
	ret = register_inetaddr_notifier(&masq_inet_nb);
	if (ret)
		goto err_inet;
	ret = register_inet6addr_notifier(&masq_inet6_nb);
	if (ret)
		goto err_inet6;
	return 0;

err_inet6:
	unregister_inetaddr_notifier(&masq_inet_nb);
err_inet:
	unregister_netdevice_notifier(&masq_dev_nb);
err_dev:
	return ret;
}

void sfw_nat_uninit(void)
{
	unregister_inet6addr_notifier(&masq_inet6_nb);
	unregister_inetaddr_notifier(&masq_inet_nb);
	unregister_netdevice_notifier(&masq_dev_nb);
}
