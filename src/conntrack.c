// SPDX-License-Identifier: GPL-2.0
/*
 * The connection tracker: the table, and a packet's way through it.
 *
 * Table: one array of hlist_nulls heads shared by all namespaces, hashsize
 * buckets (a power of two). An entry is hashed twice, once per direction,
 * by hsiphash over that direction's tuple and the namespace's id, under a
 * key drawn at load time, so nobody can aim packets at one bucket and no
 * namespace sees another's entries. Lookups are lockless under RCU; writers
 * take striped bucket locks (two, in ascending order). A chain that holds
 * SFW_MAX_CHAIN nodes takes no more (stat "chainlength").
 *
 * Life of an entry:
 *  created    by the first packet of a connection at PRE_ROUTING or
 *             LOCAL_OUT, once its protocol accepted it and made the first
 *             transition on the still private entry. It is hashed and
 *             counted at once, so the packet's own retransmission finds it,
 *             but it is not CONFIRMED: users do not see it, and the wheel
 *             gives it SFW_GRACE_MS to become confirmed.
 *  confirmed  when that packet reaches LOCAL_IN or POST_ROUTING. A packet
 *             dropped on its way leaves nothing once the grace is over.
 *  updated    by each packet under the entry's wheel-stripe lock:
 *             protocol state, expiry, counters (conn.h).
 *  deleted    by whoever sets DYING first under that lock: the wheel at
 *             expiry, a SYN that reopens it, early drop, namespace exit.
 *             The deleter takes it off the wheel, unhashes it and frees it
 *             after an RCU grace period.
 *
 * Lock order: wheel stripe -> hash bucket. No lock is shared by all
 * connections: a stripe lock is one of 16 per namespace, a bucket lock
 * one of SFW_HASH_LOCKS.
 */
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/siphash.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>
#include <net/netfilter/nf_conntrack.h>

#include "compat.h"
#include "conntrack.h"
#include "netlink.h"
#include "packet.h"
#include "timer_wheel.h"

#define SFW_HASH_LOCKS		1024
#define SFW_MAX_CHAIN		64
#define SFW_GRACE_MS		2000	/* to become confirmed */
#define SFW_EARLY_DROP_BUCKETS	8

/* 0 sizes the table from memory, as nf_conntrack does. */
static unsigned int hashsize;
module_param(hashsize, uint, 0400);
MODULE_PARM_DESC(hashsize, "connection hash buckets: 0 (auto) or a power of two, 16..2^24");

#define SFW_HASHSIZE_MIN	16U
#define SFW_HASHSIZE_MAX	(1U << 24)

static struct hlist_nulls_head *sfw_table __read_mostly;
static unsigned int sfw_table_mask __read_mostly;
static spinlock_t sfw_table_locks[SFW_HASH_LOCKS];
static hsiphash_key_t sfw_hash_key __read_mostly;
static struct kmem_cache *sfw_conn_cache __read_mostly;

static u32 tuple_hash(const struct sfw_tuple *t, u32 net_id)
{
	struct {
		struct sfw_tuple t;
		u32 net_id;
	} in = { .t = *t, .net_id = net_id };

	return hsiphash(&in, sizeof(in), &sfw_hash_key);
}

static unsigned int bucket_of(u32 hash)
{
	return hash & sfw_table_mask;
}

unsigned int sfw_conntrack_buckets(void)
{
	return sfw_table_mask + 1;
}

struct hlist_nulls_head *sfw_conntrack_bucket(unsigned int i)
{
	return &sfw_table[i];
}

u32 sfw_conntrack_timeout_left(const struct sfw_conn *ct)
{
	s32 left = (s32)(READ_ONCE(ct->expires) - (u32)jiffies);

	return left > 0 ? (u32)left / HZ : 0;
}

/*
 * BHs are off: the packet path takes these from softirq. Two buckets
 * that share a lock take it once; __acquire()/__release() tell sparse
 * that both ways hold "two".
 */
static void buckets_lock(unsigned int b0, unsigned int b1)
	__acquires(bucket0) __acquires(bucket1)
{
	unsigned int l0 = b0 % SFW_HASH_LOCKS, l1 = b1 % SFW_HASH_LOCKS;

	if (l0 > l1)
		swap(l0, l1);
	spin_lock(&sfw_table_locks[l0]);
	if (l1 != l0)
		spin_lock_nested(&sfw_table_locks[l1], SINGLE_DEPTH_NESTING);
	else
		__acquire(bucket1);
}

static void buckets_unlock(unsigned int b0, unsigned int b1)
	__releases(bucket0) __releases(bucket1)
{
	unsigned int l0 = b0 % SFW_HASH_LOCKS, l1 = b1 % SFW_HASH_LOCKS;

	if (l1 != l0)
		spin_unlock(&sfw_table_locks[l1]);
	else
		__release(bucket1);
	spin_unlock(&sfw_table_locks[l0]);
}

/*
 * The key bytes of two tuples are equal: addresses and ports as 32-bit
 * words (struct sfw_tuple is 4-aligned), then the protocols. Inline, as
 * it runs for each node of a chain on every packet.
 */
static bool tuple_key_equal(const struct sfw_tuple *a, const struct sfw_tuple *b)
{
	const u32 *x = (const u32 *)a, *y = (const u32 *)b;
	u32 diff = 0;
	unsigned int i;

	BUILD_BUG_ON(offsetof(struct sfw_tuple, l3num) != 9 * sizeof(u32));
	for (i = 0; i < 9; i++)
		diff |= x[i] ^ y[i];
	return !diff && a->l3num == b->l3num && a->l4proto == b->l4proto;
}

/* Does node @dir of @ct carry tuple @t (whose inverse is @inv)? */
static bool conn_match(const struct sfw_conn *ct, enum sfw_dir dir, u32 net_id,
		       const struct sfw_tuple *t, const struct sfw_tuple *inv)
{
	return ct->net_id == net_id &&
	       tuple_key_equal(&ct->tuple, dir == SFW_DIR_ORIGINAL ? t : inv);
}

/* The entry with tuple @t (whose tuple_hash() is @hash) either way round. */
static struct sfw_conn *conn_lookup(struct sfw_net *sn, const struct sfw_tuple *t,
				    u32 hash, enum sfw_dir *dir)
{
	unsigned int b = bucket_of(hash);
	struct hlist_nulls_node *n;
	struct sfw_tuple inv;
	bool inverted = false;

begin:
	sfw_conn_for_each_node(n, &sfw_table[b]) {
		struct sfw_conn *ct = sfw_conn_from_node(n, dir);

		if (ct->net_id != sn->net_id)
			continue;
		/* A reply node keeps the original tuple: invert once, if ever. */
		if (*dir == SFW_DIR_REPLY && !inverted) {
			sfw_tuple_invert(t, &inv);
			inverted = true;
		}
		if (tuple_key_equal(&ct->tuple, *dir == SFW_DIR_ORIGINAL ? t : &inv) &&
		    !(READ_ONCE(ct->status) & SFW_CONN_DYING))
			return ct;
	}
	/*
	 * Entries are freed only after a grace period and never move to
	 * another chain, so this does not happen today; it is what keeps a
	 * walk that strayed from being wrong if that ever changes.
	 */
	if (get_nulls_value(n) != b) {
		sfw_stat_inc(sn, SFW_STAT_SEARCH_RESTART);
		goto begin;
	}
	return NULL;
}

struct sfw_conn *sfw_conntrack_lookup(struct sfw_net *sn, const struct sfw_tuple *t,
				      enum sfw_dir *dir)
{
	return conn_lookup(sn, t, tuple_hash(t, sn->net_id), dir);
}

static void conn_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(sfw_conn_cache, container_of(head, struct sfw_conn, rcu));
}

/* @ct is DYING and off the wheel: unhash it, uncount it, free it. */
static void conn_destroy(struct sfw_net *sn, struct sfw_conn *ct)
{
	struct sfw_tuple t, inv;
	unsigned int b0, b1;

	sfw_conn_tuple(ct, &t);
	sfw_tuple_invert(&t, &inv);
	b0 = bucket_of(tuple_hash(&t, ct->net_id));
	b1 = bucket_of(tuple_hash(&inv, ct->net_id));

	local_bh_disable();
	buckets_lock(b0, b1);
	hlist_nulls_del_rcu(&ct->hnode[SFW_DIR_ORIGINAL]);
	hlist_nulls_del_rcu(&ct->hnode[SFW_DIR_REPLY]);
	buckets_unlock(b0, b1);
	local_bh_enable();

	if (!(ct->status & SFW_CONN_CONFIRMED))
		atomic_dec(&sn->unconfirmed);
	atomic_dec(&sn->count);
	sfw_stat_inc(sn, SFW_STAT_DELETE);
	sfw_netlink_event(sn, ct, SFW_EVENT_DESTROY);
	call_rcu(&ct->rcu, conn_free_rcu);
}

/* Stripe lock held: claim @ct for deletion. */
static bool conn_claim(struct sfw_conn *ct)
{
	if (ct->status & SFW_CONN_DYING)
		return false;
	ct->status |= SFW_CONN_DYING;
	sfw_timer_wheel_del(ct);
	return true;
}

bool sfw_conntrack_delete(struct sfw_net *sn, struct sfw_conn *ct)
{
	spinlock_t *lock = sfw_timer_wheel_lock(sn->wheel, sfw_conn_stripe(ct));
	bool mine;

	spin_lock_bh(lock);
	mine = conn_claim(ct);
	spin_unlock_bh(lock);
	if (mine)
		conn_destroy(sn, ct);
	return mine;
}

/* The wheel hands over expired entries, DYING and off the wheel. */
static void conn_reap(void *owner, struct hlist_head *expired)
{
	struct sfw_net *sn = owner;
	struct hlist_node *tmp;
	struct sfw_conn *ct;

	hlist_for_each_entry_safe(ct, tmp, expired, wnode) {
		sfw_stat_inc(sn, SFW_STAT_REAPED);
		conn_destroy(sn, ct);
	}
}

/*
 * Table full: evict a non-assured entry of this namespace from the new
 * flow's bucket or the next few, as nf_conntrack's early drop does.
 */
static bool early_drop(struct sfw_net *sn, u32 hash)
{
	unsigned int i;

	for (i = 0; i < SFW_EARLY_DROP_BUCKETS; i++) {
		unsigned int b = bucket_of(hash + i);
		struct hlist_nulls_node *n;
		enum sfw_dir dir;

		sfw_conn_for_each_node(n, &sfw_table[b]) {
			struct sfw_conn *ct = sfw_conn_from_node(n, &dir);

			if (dir != SFW_DIR_ORIGINAL || ct->net_id != sn->net_id ||
			    READ_ONCE(ct->status) & (SFW_CONN_ASSURED | SFW_CONN_DYING))
				continue;
			if (sfw_conntrack_delete(sn, ct)) {
				sfw_stat_inc(sn, SFW_STAT_EARLY_DROP);
				return true;
			}
		}
	}
	return false;
}

/* Count one more entry, making room if the table is full. */
static bool conn_reserve(struct sfw_net *sn, u32 hash)
{
	unsigned int max = READ_ONCE(sn->conntrack_max);

	if (atomic_inc_return(&sn->count) <= max || !max)
		return true;
	if (early_drop(sn, hash))
		return true;
	atomic_dec(&sn->count);
	return false;
}

/*
 * Stripe lock held: hash @ct both ways unless one of its tuples is
 * already there (-EEXIST) or a chain is full (-ENOSPC).
 */
static int conn_insert(struct sfw_conn *ct, const struct sfw_tuple *t,
		       const struct sfw_tuple *inv, u32 h0, u32 h1)
{
	unsigned int b[SFW_DIR_COUNT] = { bucket_of(h0), bucket_of(h1) };
	const struct sfw_tuple *want[SFW_DIR_COUNT][2] = { { t, inv }, { inv, t } };
	int ret = 0, i;

	buckets_lock(b[0], b[1]);
	for (i = 0; i < SFW_DIR_COUNT && !ret; i++) {
		struct hlist_nulls_node *n;
		unsigned int len = 0;
		enum sfw_dir dir;

		sfw_conn_for_each_node(n, &sfw_table[b[i]]) {
			struct sfw_conn *c = sfw_conn_from_node(n, &dir);

			if (++len >= SFW_MAX_CHAIN) {
				ret = -ENOSPC;
				break;
			}
			if (conn_match(c, dir, ct->net_id, want[i][0], want[i][1]) &&
			    !(c->status & SFW_CONN_DYING)) {
				ret = -EEXIST;
				break;
			}
		}
	}
	if (!ret) {
		hlist_nulls_add_head_rcu(&ct->hnode[SFW_DIR_ORIGINAL], &sfw_table[b[0]]);
		hlist_nulls_add_head_rcu(&ct->hnode[SFW_DIR_REPLY], &sfw_table[b[1]]);
	}
	buckets_unlock(b[0], b[1]);
	return ret;
}

static u32 secs_to_j(u32 secs)
{
	return secs * HZ;
}

/*
 * A packet that found no entry; @h0 is its tuple's hash. Returns 0 with
 * the entry hashed, a positive invalid reason, or a negative errno
 * (-EEXIST: lost a race, look again; anything else: drop the packet).
 */
static int conn_create(struct sfw_net *sn, const struct sfw_pkt *pkt, u32 h0,
		       struct sfw_proto_result *res, struct sfw_conn **out)
{
	union sfw_proto_state ps = {};
	struct sfw_tuple inv;
	struct sfw_conn *ct;
	spinlock_t *lock;
	u8 reason = 0;
	u32 h1;
	int ret;

	if (!sfw_proto_new(&ps, pkt, &sn->params, &reason))
		return reason ? reason : SFW_INVALID_TCP_NOT_SYN;

	if (!conn_reserve(sn, h0)) {
		sfw_stat_inc(sn, SFW_STAT_DROP);
		sfw_stat_inc(sn, SFW_STAT_INSERT_FAILED);
		net_warn_ratelimited("table full, dropping packet\n");
		return -ENOSPC;
	}

	ct = kmem_cache_zalloc(sfw_conn_cache, GFP_ATOMIC);
	if (!ct) {
		atomic_dec(&sn->count);
		sfw_stat_inc(sn, SFW_STAT_DROP);
		return -ENOMEM;
	}
	ct->tuple = pkt->tuple;
	ct->net_id = sn->net_id;
	ct->status = (h0 % SFW_WHEEL_STRIPES) << SFW_CONN_STRIPE_SHIFT;
	ct->ps = ps;
	if (pkt->tuple.l4proto == SFW_IPPROTO_UDP)
		ct->ps.udp.start = (u32)jiffies;

	/* The first transition runs on the entry while nobody else sees it. */
	if (sfw_proto_packet(&ct->ps, pkt, SFW_DIR_ORIGINAL, 0, &sn->params, res)) {
		ret = res->reason ? res->reason : SFW_INVALID_TCP_BAD_TRANSITION;
		goto err_free;
	}
	ct->expires = (u32)jiffies + secs_to_j(res->timeout);
	if (sn->params.acct) {
		ct->packets[SFW_DIR_ORIGINAL] = 1;
		ct->bytes[SFW_DIR_ORIGINAL] = pkt->len;
	}

	sfw_tuple_invert(&pkt->tuple, &inv);
	h1 = tuple_hash(&inv, sn->net_id);
	lock = sfw_timer_wheel_lock(sn->wheel, sfw_conn_stripe(ct));
	spin_lock(lock);	/* BHs are off: see conntrack_track() */
	ret = conn_insert(ct, &pkt->tuple, &inv, h0, h1);
	if (!ret) {
		atomic_inc(&sn->unconfirmed);
		sfw_timer_wheel_add(sn->wheel, ct, (u32)jiffies + msecs_to_jiffies(SFW_GRACE_MS));
	}
	spin_unlock(lock);
	if (ret == -ENOSPC) {
		sfw_stat_inc(sn, SFW_STAT_CHAINLENGTH);
		sfw_stat_inc(sn, SFW_STAT_INSERT_FAILED);
		sfw_stat_inc(sn, SFW_STAT_DROP);
	}
	if (ret)
		goto err_free;
	*out = ct;
	return 0;

err_free:
	kmem_cache_free(sfw_conn_cache, ct);
	atomic_dec(&sn->count);
	return ret;
}

static const void *skb_read(const void *ctx, unsigned int off, unsigned int len, void *buf)
{
	const struct sk_buff *skb = ctx;

	return skb_header_pointer(skb, skb_network_offset(skb) + off, len, buf);
}

/* Headers in the linear area are parsed in place; the rest are copied out. */
static int skb_parse(struct sfw_pkt *pkt, const struct sk_buff *skb, u8 pf)
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

static void count_invalid(struct sfw_net *sn, int reason)
{
	if (reason <= 0 || reason >= SFW_INVALID_COUNT)
		reason = SFW_INVALID_TCP_BAD_TRANSITION;
	sfw_stat_inc(sn, SFW_STAT_INVALID);
	this_cpu_inc(sn->stats->invalid[reason]);
}

/* An ICMP error is RELATED to the connection of the packet it quotes. */
static u8 icmp_error(struct sfw_net *sn, const struct sfw_pkt *pkt)
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
		count_invalid(sn, res.reason);
	} else {
		sfw_stat_inc(sn, SFW_STAT_RELATED);
	}
	return res.ctinfo;
}

/*
 * Packets that the state machine found INVALID on an existing entry (out
 * of window, say): the filter hooks look the entry up again and cannot
 * tell such a packet from a good one, so PRE_ROUTING marks its skb here.
 * A packet goes from PRE_ROUTING to FORWARD or LOCAL_IN in one softirq on
 * one CPU (a list of up to a NAPI batch may be in between), so a per-CPU
 * set of skb addresses suffices; PRE_ROUTING clears a stale mark left by
 * a freed skb whose address comes back. If more than SFW_INVALID_RING
 * such packets are in flight on a CPU, the oldest marks are lost and those
 * packets are judged by their entry's state.
 */
#define SFW_INVALID_RING	32

struct sfw_invalid_ring {
	const struct sk_buff *skb[SFW_INVALID_RING];
	unsigned int used;
	unsigned int next;
};

static DEFINE_PER_CPU(struct sfw_invalid_ring, sfw_invalid_ring);

/* BHs are off in both: PRE_ROUTING and the filter hooks of received packets. */
static bool invalid_ring_take(const struct sk_buff *skb)
{
	struct sfw_invalid_ring *r = this_cpu_ptr(&sfw_invalid_ring);
	unsigned int i;

	if (likely(!r->used))
		return false;
	for (i = 0; i < SFW_INVALID_RING; i++) {
		if (r->skb[i] == skb) {
			r->skb[i] = NULL;
			r->used--;
			return true;
		}
	}
	return false;
}

static void invalid_ring_put(const struct sk_buff *skb)
{
	struct sfw_invalid_ring *r = this_cpu_ptr(&sfw_invalid_ring);
	unsigned int i = r->next++ % SFW_INVALID_RING;

	if (!r->skb[i])
		r->used++;
	r->skb[i] = skb;
}

/*
 * What PRE_ROUTING made of a received packet, kept for the filter and
 * confirm hooks that see the same packet next on the same CPU, so that a
 * forwarded packet is parsed and looked up once instead of three times
 * (nf_conntrack keeps the same on skb->_nfct, which is not ours).
 *
 * A note is used only when it is certainly the packet's own:
 *  - with BHs off, as they are from PRE_ROUTING to FORWARD, LOCAL_IN and
 *    the POST_ROUTING of a forwarded packet, so that nothing else on this
 *    CPU writes the note in between;
 *  - for the same skb address, namespace, addresses and first four bytes
 *    of the L4 header (ports, or ICMP type and code), so that an skb
 *    that reuses a freed one's address and reaches these hooks without
 *    passing PRE_ROUTING here (a reinjected queued packet) is not taken
 *    for it;
 *  - only while no RCU grace period has ended since it was written, so
 *    that the entry it points to has not been freed.
 * Anything else is parsed and looked up again, as before. Sixteen slots,
 * picked by the skb's address, hold a receive batch (gro_normal_batch is
 * 8), whose PRE_ROUTING runs for the whole list before its FORWARD.
 */
#define SFW_NOTES_ORDER	4

struct sfw_note {
	const struct sk_buff *skb;
	unsigned long gp;		/* get_state_synchronize_rcu() when written */
	u32 net_id;
	__be32 l4word;			/* the first four bytes of the L4 header */
	struct sfw_ct_verdict v;
};

static DEFINE_PER_CPU(struct sfw_note[1 << SFW_NOTES_ORDER], sfw_notes);

static struct sfw_note *note_slot(const struct sk_buff *skb)
{
	return this_cpu_ptr(&sfw_notes[hash_ptr(skb, SFW_NOTES_ORDER)]);
}

static const __be32 *l4_word(const struct sk_buff *skb, const struct sfw_pkt *pkt, __be32 *buf)
{
	return skb_header_pointer(skb, skb_network_offset(skb) + pkt->l4_off, sizeof(*buf), buf);
}

/* The note of @skb, or NULL if there is none that is certainly its own. */
static const struct sfw_note *note_find(const struct sfw_net *sn, const struct sk_buff *skb)
{
	const struct sfw_note *n;
	const struct sfw_tuple *t;
	const __be32 *w;
	__be32 buf;

	if (!in_softirq())
		return NULL;
	n = note_slot(skb);
	if (n->skb != skb || n->net_id != sn->net_id || poll_state_synchronize_rcu(n->gp))
		return NULL;
	t = &n->v.pkt.tuple;
	if (t->l3num == SFW_AF_INET) {
		const struct iphdr *iph = ip_hdr(skb);

		if (iph->saddr != t->src.ip || iph->daddr != t->dst.ip)
			return NULL;
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		if (memcmp(&ip6h->saddr, t->src.ip6, sizeof(t->src.ip6)) ||
		    memcmp(&ip6h->daddr, t->dst.ip6, sizeof(t->dst.ip6)))
			return NULL;
	}
	w = l4_word(skb, &n->v.pkt, &buf);
	return w && *w == n->l4word ? n : NULL;
}

/* PRE_ROUTING lets @skb by untracked: no note of an earlier skb may speak for it. */
void sfw_conntrack_forget(const struct sk_buff *skb)
{
	struct sfw_note *n;

	if (!in_softirq())
		return;
	n = note_slot(skb);
	if (n->skb == skb)
		n->skb = NULL;
}

static unsigned int conntrack_track(struct sfw_net *sn, struct sk_buff *skb,
				    const struct nf_hook_state *state, struct sfw_ct_verdict *v);

/*
 * conntrack_track() takes its locks with BHs off, as they are in softirq;
 * LOCAL_OUT may come from process context and turns them off here.
 */
static unsigned int track_bh_off(struct sfw_net *sn, struct sk_buff *skb,
				 const struct nf_hook_state *state, struct sfw_ct_verdict *v)
{
	unsigned int ret;

	local_bh_disable();
	ret = conntrack_track(sn, skb, state, v);
	local_bh_enable();
	return ret;
}

/* PRE_ROUTING with BHs on (not seen in practice): track with no note. */
static noinline unsigned int track_unnoted(struct sfw_net *sn, struct sk_buff *skb,
					   const struct nf_hook_state *state)
{
	struct sfw_ct_verdict v;

	return track_bh_off(sn, skb, state, &v);
}

unsigned int sfw_conntrack_in(struct sfw_net *sn, struct sk_buff *skb,
			      const struct nf_hook_state *state, struct sfw_ct_verdict *v)
{
	struct sfw_note *n;
	const __be32 *w;
	unsigned int ret;

	if (v)
		return track_bh_off(sn, skb, state, v);
	/* PRE_ROUTING: the verdict goes into a note for the later hooks. */
	if (!in_softirq())
		return track_unnoted(sn, skb, state);
	n = note_slot(skb);
	n->skb = NULL;
	ret = conntrack_track(sn, skb, state, &n->v);
	if (ret != NF_ACCEPT || !n->v.parsed)
		return ret;
	w = l4_word(skb, &n->v.pkt, &n->l4word);
	if (!w)
		return ret;
	n->l4word = *w;
	n->net_id = sn->net_id;
	n->gp = get_state_synchronize_rcu();
	n->skb = skb;
	return ret;
}

static unsigned int conntrack_track(struct sfw_net *sn, struct sk_buff *skb,
				    const struct nf_hook_state *state, struct sfw_ct_verdict *v)
{
	struct sfw_pkt *pkt = &v->pkt;
	struct sfw_proto_result res;
	struct sfw_conn *ct;
	enum sfw_dir dir;
	spinlock_t *lock;
	int ret, tries = 0;
	u32 hash, age = 0;

	lockdep_assert(in_softirq());	/* BHs off: plain spin_lock() below */
	v->ctinfo = SFW_CT_INVALID;
	v->ct = NULL;
	v->parsed = false;
	if (state->hook == NF_INET_PRE_ROUTING)
		invalid_ring_take(skb);	/* a stale mark of a freed skb at this address */
	ret = skb_parse(pkt, skb, state->pf);
	if (ret)
		goto invalid;
	v->parsed = true;
	if (state->hook == NF_INET_PRE_ROUTING && READ_ONCE(sn->params.checksum) &&
	    checksum_bad(skb, state, pkt)) {
		ret = SFW_INVALID_BAD_CHECKSUM;
		goto invalid;
	}
	if (pkt->tuple.l4proto == SFW_IPPROTO_ICMP ||
	    pkt->tuple.l4proto == SFW_IPPROTO_ICMPV6) {
		if (pkt->icmp.is_error) {
			v->ctinfo = icmp_error(sn, pkt);
			return NF_ACCEPT;
		}
		if (sfw_proto_icmp_untracked(pkt)) {
			sfw_stat_inc(sn, SFW_STAT_IGNORE);
			v->ctinfo = SFW_CT_UNTRACKED;
			return NF_ACCEPT;
		}
	}

	hash = tuple_hash(&pkt->tuple, sn->net_id);
again:
	ct = conn_lookup(sn, &pkt->tuple, hash, &dir);
	if (!ct) {
		memset(&res, 0, sizeof(res));
		ret = conn_create(sn, pkt, hash, &res, &ct);
		if (ret > 0)
			goto invalid;
		if (ret == -EEXIST && tries++ < 2) {
			sfw_stat_inc(sn, SFW_STAT_CLASHRES);
			goto again;
		}
		if (ret < 0)
			return NF_DROP;
		sfw_stat_inc(sn, SFW_STAT_NEW);
		v->ctinfo = res.ctinfo;
		/* Hashed and unconfirmed: a rule that drops the packet deletes it. */
		v->ct = ct;
		v->dir = SFW_DIR_ORIGINAL;
		return NF_ACCEPT;
	}
	sfw_stat_inc(sn, SFW_STAT_FOUND);

	lock = sfw_timer_wheel_lock(sn->wheel, sfw_conn_stripe(ct));
	spin_lock(lock);
	if (ct->status & SFW_CONN_DYING) {
		/* Lost to a deleter: the next lookup will not see it. */
		spin_unlock(lock);
		if (tries++ < 2)
			goto again;
		sfw_stat_inc(sn, SFW_STAT_IGNORE);
		return NF_ACCEPT;
	}
	if (pkt->tuple.l4proto == SFW_IPPROTO_UDP)
		age = ((u32)jiffies - ct->ps.udp.start) / HZ;
	memset(&res, 0, sizeof(res));
	if (sfw_proto_packet(&ct->ps, pkt, dir, age, &sn->params, &res)) {
		spin_unlock(lock);
		ret = res.reason;
		/* The filter hooks cannot tell this from the entry: mark the skb. */
		if (state->hook == NF_INET_PRE_ROUTING)
			invalid_ring_put(skb);
		goto invalid;
	}
	if (res.reopen) {
		conn_claim(ct);
		spin_unlock(lock);
		conn_destroy(sn, ct);
		if (tries++ < 2)
			goto again;
		v->ctinfo = res.ctinfo;
		return NF_ACCEPT;
	}

	if (dir == SFW_DIR_REPLY)
		ct->status |= SFW_CONN_SEEN_REPLY;
	if (res.assured)
		ct->status |= SFW_CONN_ASSURED;
	if (res.destroy) {
		/*
		 * An RST before any reply: the entry is done, but the filter
		 * hooks still judge this packet by it (as nf_conntrack keeps
		 * its entry on the packet), so it expires now and the wheel
		 * reaps it in its next tick instead of going at once.
		 */
		u32 now = (u32)jiffies;

		sfw_timer_wheel_shorten(sn->wheel, ct, now);
		WRITE_ONCE(ct->expires, now);
	} else if (res.timeout) {
		u32 expires = (u32)jiffies + secs_to_j(res.timeout);

		/* Later is lazy; earlier (a close) moves the entry now. */
		if ((ct->status & SFW_CONN_CONFIRMED) && (s32)(expires - ct->expires) < 0)
			sfw_timer_wheel_shorten(sn->wheel, ct, expires);
		WRITE_ONCE(ct->expires, expires);
	}
	if (READ_ONCE(sn->params.acct)) {
		ct->packets[dir]++;
		ct->bytes[dir] += pkt->len;
	}
	if (res.changed || res.assured)
		sfw_netlink_event(sn, ct, SFW_EVENT_UPDATE);
	spin_unlock(lock);
	v->ctinfo = res.ctinfo;
	v->ct = ct;
	v->dir = dir;
	return NF_ACCEPT;

invalid:
	count_invalid(sn, ret);
	return NF_ACCEPT;
}

/* The entry of a packet PRE_ROUTING kept no note of (a local one). */
static noinline struct sfw_conn *confirm_lookup(struct sfw_net *sn, const struct sk_buff *skb,
						const struct nf_hook_state *state,
						enum sfw_dir *dir)
{
	struct sfw_pkt pkt;

	if (skb_parse(&pkt, skb, state->pf))
		return NULL;
	if ((pkt.tuple.l4proto == SFW_IPPROTO_ICMP ||
	     pkt.tuple.l4proto == SFW_IPPROTO_ICMPV6) && pkt.icmp.is_error)
		return NULL;
	return sfw_conntrack_lookup(sn, &pkt.tuple, dir);
}

void sfw_conntrack_confirm(struct sfw_net *sn, struct sk_buff *skb,
			   const struct nf_hook_state *state)
{
	const struct sfw_note *note;
	struct sfw_conn *ct;
	enum sfw_dir dir;
	spinlock_t *lock;

	/* The common case: nothing waits for confirmation. */
	if (!atomic_read(&sn->unconfirmed))
		return;
	note = note_find(sn, skb);
	if (note) {
		ct = note->v.ct;
		dir = note->v.dir;
	} else {
		ct = confirm_lookup(sn, skb, state, &dir);
	}
	if (!ct || dir != SFW_DIR_ORIGINAL ||
	    READ_ONCE(ct->status) & SFW_CONN_CONFIRMED)
		return;

	lock = sfw_timer_wheel_lock(sn->wheel, sfw_conn_stripe(ct));
	spin_lock_bh(lock);
	if (!(ct->status & (SFW_CONN_CONFIRMED | SFW_CONN_DYING))) {
		/* The wheel re-files it by ->expires when the grace is up. */
		ct->status |= SFW_CONN_CONFIRMED;
		ct->gen = (u8)READ_ONCE(sn->rules_generation);
		atomic_dec(&sn->unconfirmed);
		sfw_stat_inc(sn, SFW_STAT_INSERT);
		sfw_netlink_event(sn, ct, SFW_EVENT_NEW);
	}
	spin_unlock_bh(lock);
}

const struct sfw_ct_verdict *sfw_conntrack_noted(const struct sfw_net *sn,
						 const struct sk_buff *skb)
{
	const struct sfw_note *note = note_find(sn, skb);

	if (!note)
		return NULL;
	if (note->v.ctinfo == SFW_CT_INVALID)
		invalid_ring_take(skb);
	return &note->v;
}

/*
 * FORWARD and LOCAL_IN: what the packet is, for the rules. PRE_ROUTING
 * tracked it already; this is the second lockless lookup, and it changes
 * nothing. A packet INVALID by its form (parse, checksum, TCP flags, an
 * ICMP error for nothing) is INVALID again here; one the state machine
 * refused carries a mark (invalid_ring_put()); the rest follow their
 * entry: NEW until the reply direction has been seen, then ESTABLISHED.
 */
void sfw_conntrack_classify(struct sfw_net *sn, struct sk_buff *skb,
			    const struct nf_hook_state *state, struct sfw_ct_verdict *v)
{
	bool marked = invalid_ring_take(skb);
	struct sfw_pkt *pkt = &v->pkt;
	struct sfw_tuple lookup;
	u8 status;

	v->ctinfo = SFW_CT_INVALID;
	v->ct = NULL;
	v->parsed = false;
	if (skb_parse(pkt, skb, state->pf))
		return;
	v->parsed = true;
	if (READ_ONCE(sn->params.checksum) && state->in && !(state->in->flags & IFF_LOOPBACK) &&
	    checksum_bad(skb, state, pkt))
		return;
	if (pkt->tuple.l4proto == SFW_IPPROTO_ICMP || pkt->tuple.l4proto == SFW_IPPROTO_ICMPV6) {
		if (pkt->icmp.is_error) {
			if (!sfw_proto_icmp_error_tuple(pkt, &lookup) &&
			    !memcmp(&pkt->tuple.dst, &lookup.src, sizeof(lookup.src)) &&
			    sfw_conntrack_lookup(sn, &lookup, &v->dir))
				v->ctinfo = SFW_CT_RELATED;
			return;
		}
		if (sfw_proto_icmp_untracked(pkt)) {
			v->ctinfo = SFW_CT_UNTRACKED;
			return;
		}
	}
	if (pkt->tuple.l4proto == SFW_IPPROTO_TCP && sfw_proto_tcp_check(pkt))
		return;
	v->ct = sfw_conntrack_lookup(sn, &pkt->tuple, &v->dir);
	if (!v->ct || marked)
		return;
	status = READ_ONCE(v->ct->status);
	if (v->dir == SFW_DIR_ORIGINAL && !(status & SFW_CONN_SEEN_REPLY))
		v->ctinfo = SFW_CT_NEW;
	else
		v->ctinfo = SFW_CT_ESTABLISHED;
}

/* A rule dropped the packet that created @v->ct: take the entry back. */
void sfw_conntrack_dropped(struct sfw_net *sn, const struct sfw_ct_verdict *v)
{
	if (v->ct && v->dir == SFW_DIR_ORIGINAL &&
	    !(READ_ONCE(v->ct->status) & SFW_CONN_CONFIRMED))
		sfw_conntrack_delete(sn, v->ct);
}

/* The namespace-independent half of a namespace's tracker (self-tests use it alone). */
static int ct_net_init(struct sfw_net *sn, u32 net_id)
{
	sn->net_id = net_id;
	sfw_ct_params_init(&sn->params);
	sn->conntrack_max = sfw_conntrack_buckets();
	atomic_set(&sn->count, 0);
	atomic_set(&sn->unconfirmed, 0);
	sn->wheel = sfw_timer_wheel_create(conn_reap, sn);
	return PTR_ERR_OR_ZERO(sn->wheel);
}

/* Nothing adds entries any more: delete them all, from the wheel. */
static void ct_net_uninit(struct sfw_net *sn)
{
	unsigned int i;

	sfw_timer_wheel_stop(sn->wheel);
	for (i = 0; i < SFW_WHEEL_STRIPES; i++) {
		HLIST_HEAD(all);

		sfw_timer_wheel_drain(sn->wheel, i, &all);
		conn_reap(sn, &all);
	}
	WARN_ON_ONCE(atomic_read(&sn->count));
	sfw_timer_wheel_destroy(sn->wheel);
}

int sfw_conntrack_init_net(struct net *net, struct sfw_net *sn)
{
	int ret;

	ret = ct_net_init(sn, net->ns.inum);
	if (ret)
		goto err_ct;
	ret = nf_defrag_ipv4_enable(net);
	if (ret)
		goto err_defrag4;
	ret = nf_defrag_ipv6_enable(net);
	if (ret)
		goto err_defrag6;
	return 0;

err_defrag6:
	nf_defrag_ipv4_disable(net);
err_defrag4:
	ct_net_uninit(sn);
err_ct:
	return ret;
}

/* The hooks are gone. */
void sfw_conntrack_uninit_net(struct net *net, struct sfw_net *sn)
{
	nf_defrag_ipv6_disable(net);
	nf_defrag_ipv4_disable(net);
	ct_net_uninit(sn);
}

#ifdef DEBUG
#include "selftest/conntrack.c"
#else
static int sfw_conntrack_selftest(void)
{
	return 0;
}
#endif

int sfw_conntrack_init(void)
{
	unsigned long nr;
	unsigned int i;

	if (hashsize && (!is_power_of_2(hashsize) ||
			 hashsize < SFW_HASHSIZE_MIN || hashsize > SFW_HASHSIZE_MAX)) {
		pr_err("hashsize=%u is invalid: use 0 (auto) or a power of two from %u to %u\n",
		       hashsize, SFW_HASHSIZE_MIN, SFW_HASHSIZE_MAX);
		return -EINVAL;
	}
	if (!hashsize) {
		/* nf_conntrack's rule: RAM / 16384 / bucket, 1024..262144. */
		nr = (totalram_pages() << PAGE_SHIFT) / 16384 / sizeof(struct hlist_nulls_head);
		hashsize = rounddown_pow_of_two(clamp(nr, 1024UL, 262144UL));
	}

	BUILD_BUG_ON(offsetof(struct sfw_conn, hnode[SFW_DIR_REPLY]) !=
		     sizeof(struct hlist_nulls_node));
	BUILD_BUG_ON(SFW_CONN_ALIGN != 2 * sizeof(struct hlist_nulls_node));
	BUILD_BUG_ON(offsetof(struct sfw_conn, status) != offsetof(struct sfw_conn, tuple.pad));
	BUILD_BUG_ON(SFW_WHEEL_STRIPES > 1 << (8 - SFW_CONN_STRIPE_SHIFT));
	sfw_conn_cache = kmem_cache_create("sfw_conn", sizeof(struct sfw_conn),
					   SFW_CONN_ALIGN, 0, NULL);
	if (!sfw_conn_cache)
		return -ENOMEM;

	sfw_table = kvmalloc_array(hashsize, sizeof(*sfw_table), GFP_KERNEL);
	if (!sfw_table) {
		kmem_cache_destroy(sfw_conn_cache);
		return -ENOMEM;
	}
	for (i = 0; i < hashsize; i++)
		INIT_HLIST_NULLS_HEAD(&sfw_table[i], i);
	sfw_table_mask = hashsize - 1;
	for (i = 0; i < SFW_HASH_LOCKS; i++)
		spin_lock_init(&sfw_table_locks[i]);
	get_random_bytes(&sfw_hash_key, sizeof(sfw_hash_key));

	pr_debug("table: %u buckets, entry %zu bytes\n", hashsize, sizeof(struct sfw_conn));

	if (sfw_conntrack_selftest()) {
		sfw_conntrack_uninit();
		return -ENOTRECOVERABLE;
	}
	return 0;
}

/* Every namespace is gone: wait for the frees in flight, then free. */
void sfw_conntrack_uninit(void)
{
	rcu_barrier();
	kvfree(sfw_table);
	kmem_cache_destroy(sfw_conn_cache);
}

/* For the netlink API. */

/* The most nodes a chain holds: a dump makes room for one whole chain. */
unsigned int sfw_conntrack_max_chain(void)
{
	return SFW_MAX_CHAIN;
}
