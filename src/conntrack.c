// SPDX-License-Identifier: GPL-2.0
/*
 * The connection table: hash, locks, lookup, insert, delete, early drop,
 * expiry and the one walk that /proc, netlink and recheck share. What a
 * packet does with it is path.c's.
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
 *  created    by path.c, once the first packet of a connection made its
 *             protocol's first transition and the rules accepted it
 *             (sfw_conntrack_alloc(), _insert()): hashed both ways,
 *             CONFIRMED, counted, filed on the wheel. A connection that
 *             sfw translates at PRE_ROUTING (DNAT, nat.c) is inserted there,
 *             before routing, unconfirmed: the filter hook confirms it when
 *             its rules accept the packet, else it is deleted, and if the
 *             packet never gets there it dies on the wheel in seconds.
 *             Unconfirmed entries are invisible to users and send no events.
 *             A connection a rule gave a helper is a bigger object
 *             (struct sfw_conn_help, expect.h), from a third cache.
 *  updated    by each packet under the entry's wheel-stripe lock:
 *             protocol state, expiry, counters (conn.h).
 *  deleted    by whoever sets DYING first under that lock: the wheel at
 *             expiry, a SYN that reopens it, early drop, a user, recheck,
 *             namespace exit. The deleter takes it off the wheel, unhashes
 *             it, ends its expectation (expect.c) and frees it after an
 *             RCU grace period.
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
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>

#include "compat.h"
#include "conntrack.h"
#include "srclimit.h"
#include "ct_limits.h"
#include "expect.h"
#include "flowtable.h"
#include "nat.h"
#include "netlink.h"
#include "timer_wheel.h"

#define SFW_HASH_LOCKS		1024
#define SFW_MAX_CHAIN		64
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
static struct kmem_cache *sfw_conn_nat_cache __read_mostly;
static struct kmem_cache *sfw_conn_help_cache __read_mostly;

u32 sfw_conntrack_hash(const struct sfw_tuple *t, u32 net_id)
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

/* The entry with tuple @t (whose sfw_conntrack_hash() is @hash) either way round. */
struct sfw_conn *sfw_conntrack_find(struct sfw_net *sn, const struct sfw_tuple *t,
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
	return sfw_conntrack_find(sn, t, sfw_conntrack_hash(t, sn->net_id), dir);
}

/* The cache an entry of kind @xflags comes from. */
static struct kmem_cache *conn_cache(u8 xflags)
{
	if (xflags & SFW_CONN_X_HELPER)
		return sfw_conn_help_cache;
	return xflags & SFW_CONN_X_NAT ? sfw_conn_nat_cache : sfw_conn_cache;
}

static void conn_free_rcu(struct rcu_head *head)
{
	struct sfw_conn *ct = container_of(head, struct sfw_conn, rcu);

	kmem_cache_free(conn_cache(ct->xflags), ct);
}

const char *const sfw_ct_end_names[SFW_END_COUNT] = {
	[SFW_END_NONE] = "",
	[SFW_END_EXPIRED] = "expired",
	[SFW_END_DELETED] = "deleted",
	[SFW_END_RECHECK] = "recheck",
	[SFW_END_REOPENED] = "reopened",
	[SFW_END_EARLY_DROP] = "early_drop",
	[SFW_END_REFUSED] = "refused",
	[SFW_END_BACKEND_GONE] = "backend_gone",
	[SFW_END_ADDRESS_GONE] = "address_gone",
	[SFW_END_NAMESPACE] = "namespace",
};

/* @ct is DYING and off the wheel: unhash it, uncount it, free it. */
void sfw_conntrack_destroy(struct sfw_net *sn, struct sfw_conn *ct, enum sfw_ct_end why)
{
	struct sfw_tuple t, inv;
	unsigned int b0, b1;

	sfw_conn_tuple(ct, &t);
	sfw_tuple_invert(&t, &inv);
	b0 = bucket_of(sfw_conntrack_hash(&t, ct->net_id));
	b1 = bucket_of(sfw_conntrack_hash(&inv, ct->net_id));

	local_bh_disable();
	buckets_lock(b0, b1);
	hlist_nulls_del_rcu(&ct->hnode[SFW_DIR_ORIGINAL]);
	hlist_nulls_del_rcu(&ct->hnode[SFW_DIR_REPLY]);
	buckets_unlock(b0, b1);
	local_bh_enable();
	/* The event shows the tuples users saw: before the NAT keys go. */
	sfw_netlink_event(sn, ct, SFW_EVENT_DESTROY, why);
	/* Off the fast path while its NAT tuples, the records' keys, are there. */
	sfw_flowtable_forget(sn, ct);
	sfw_nat_unhash(sn, ct);
	sfw_expect_master_gone(sn, ct);
	sfw_srclimit_conn_put(sn, ct);

	atomic_dec(&sn->count);
	sfw_stat_inc(sn, SFW_STAT_DELETE);
	call_rcu(&ct->rcu, conn_free_rcu);
}

/* Stripe lock held: claim @ct for deletion. */
bool sfw_conntrack_claim(struct sfw_net *sn, struct sfw_conn *ct)
{
	if (ct->status & SFW_CONN_DYING)
		return false;
	ct->status |= SFW_CONN_DYING;
	sfw_timer_wheel_del(sn->wheel, ct);
	return true;
}

bool sfw_conntrack_delete(struct sfw_net *sn, struct sfw_conn *ct, enum sfw_ct_end why)
{
	spinlock_t *lock = sfw_timer_wheel_lock(sn->wheel, sfw_conn_stripe(ct));
	bool mine;

	spin_lock_bh(lock);
	mine = sfw_conntrack_claim(sn, ct);
	spin_unlock_bh(lock);
	if (mine)
		sfw_conntrack_destroy(sn, ct, why);
	return mine;
}

/*
 * Adaptive timeouts (ct_limits.h): @secs as jiffies, scaled for how full
 * the namespace's table is now.
 */
u32 sfw_conntrack_timeout(struct sfw_net *sn, u32 secs)
{
	return sfw_ct_limits_scale(secs * HZ, atomic_read(&sn->count),
				   READ_ONCE(sn->conntrack_max),
				   READ_ONCE(sn->adaptive_start), READ_ONCE(sn->adaptive_end));
}

/*
 * The timeout the protocol gives an entry in @ct's state, unscaled: the
 * most its last packet can have set (a TCP entry's retransmission or
 * unacknowledged timeout may be shorter).
 */
static u32 state_timeout(u8 l4proto, const union sfw_proto_state *ps,
			 const struct sfw_ct_params *p)
{
	switch (l4proto) {
	case SFW_IPPROTO_TCP:
		return READ_ONCE(p->tcp_timeouts[ps->tcp.state]);
	case SFW_IPPROTO_UDP:
		return ps->udp.flags & SFW_PS_ASSURED ? READ_ONCE(p->udp_timeout_stream) :
							READ_ONCE(p->udp_timeout);
	case SFW_IPPROTO_ICMP:
		return READ_ONCE(p->icmp_timeout);
	case SFW_IPPROTO_ICMPV6:
		return READ_ONCE(p->icmpv6_timeout);
	default:
		return READ_ONCE(p->generic_timeout);
	}
}

/*
 * The wheel examines @ct, not due by its expiry, at jiffy @now (stripe
 * lock held): with adaptive timeouts on, it has at most its state's
 * timeout scaled for the table as it is now left to live. An entry is
 * examined at least once a lap of the wheel (timer_wheel.c), so a table
 * that fills shortens every idle entry within a lap, with no walk.
 */
static void conn_adapt(void *owner, struct sfw_conn *ct, u32 now)
{
	struct sfw_net *sn = owner;
	u32 start = READ_ONCE(sn->adaptive_start), end = READ_ONCE(sn->adaptive_end);
	u32 left;

	if (!start || start >= end)
		return;
	left = sfw_conntrack_timeout(sn, state_timeout(ct->tuple.l4proto, &ct->ps, &sn->params));
	if ((s32)(now + left - ct->expires) < 0)
		WRITE_ONCE(ct->expires, now + left);
}

static void conn_reap_all(struct sfw_net *sn, struct hlist_head *expired,
			  enum sfw_ct_end why)
{
	struct hlist_node *tmp;
	struct sfw_conn *ct;

	hlist_for_each_entry_safe(ct, tmp, expired, wnode) {
		sfw_stat_inc(sn, SFW_STAT_REAPED);
		sfw_conntrack_destroy(sn, ct, why);
	}
}

/* The wheel hands over expired entries, DYING and off the wheel. */
static void conn_reap(void *owner, struct hlist_head *expired)
{
	conn_reap_all(owner, expired, SFW_END_EXPIRED);
}

/*
 * Table full: evict a non-assured entry of this namespace from the new
 * flow's bucket or the next few, as nf_conntrack's early drop does. A
 * forwarded newcomer (not @local) never evicts one of the gateway's own:
 * a flood through it must not cost the admin a half-open ssh.
 */
static bool early_drop(struct sfw_net *sn, u32 hash, bool local)
{
	unsigned int i;

	for (i = 0; i < SFW_EARLY_DROP_BUCKETS; i++) {
		unsigned int b = bucket_of(hash + i);
		struct hlist_nulls_node *n;
		enum sfw_dir dir;

		sfw_conn_for_each_node(n, &sfw_table[b]) {
			struct sfw_conn *ct = sfw_conn_from_node(n, &dir);

			if (dir != SFW_DIR_ORIGINAL || ct->net_id != sn->net_id ||
			    READ_ONCE(ct->status) & (SFW_CONN_ASSURED | SFW_CONN_DYING) ||
			    (!local && ct->xflags & SFW_CONN_X_LOCAL))
				continue;
			if (sfw_conntrack_delete(sn, ct, SFW_END_EARLY_DROP)) {
				sfw_stat_inc(sn, SFW_STAT_EARLY_DROP);
				return true;
			}
		}
	}
	return false;
}

/*
 * Count one more entry, making room if its share of the table is full:
 * the whole table for the gateway's own connection (@local), all but
 * conntrack_reserve percent of it for a forwarded one (ct_limits.h).
 */
static bool conn_reserve(struct sfw_net *sn, u32 hash, bool local)
{
	unsigned int max = READ_ONCE(sn->conntrack_max);
	unsigned int reserve = READ_ONCE(sn->conntrack_reserve);
	unsigned int n = atomic_inc_return(&sn->count);

	if (!max)
		return true;
	if (n <= sfw_ct_limits_share(max, reserve, local)) {
		if (n > sfw_ct_limits_share(max, reserve, false))
			sfw_stat_inc(sn, SFW_STAT_RESERVE);
		return true;
	}
	if (early_drop(sn, hash, local))
		return true;
	atomic_dec(&sn->count);
	if (!reserve)
		net_warn_ratelimited("table full, dropping packet\n");
	else if (local)
		net_warn_ratelimited("table full, dropping packet (the gateway's own connection: its reserve of %u%% is used up too)\n",
				     reserve);
	else
		net_warn_ratelimited("table full, dropping packet (forwarded share: %u%% is held for the gateway)\n",
				     reserve);
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

/*
 * A new entry for a connection whose hash (of its first tuple) is @hash:
 * counted against conntrack_max, making room if the table is full, and
 * allocated zeroed, of the kind @xflags says: a struct sfw_conn_nat with
 * SFW_CONN_X_NAT, a struct sfw_conn_help (expect.h) with
 * SFW_CONN_X_HELPER; SFW_CONN_X_LOCAL, the gateway's own connection,
 * may use the reserve. NULL if there is no room; the caller drops the
 * packet. BHs are off.
 */
struct sfw_conn *sfw_conntrack_alloc(struct sfw_net *sn, u32 hash, u8 xflags, gfp_t gfp)
{
	bool nat = xflags & (SFW_CONN_X_NAT | SFW_CONN_X_HELPER);
	struct sfw_conn *ct;

	if (!conn_reserve(sn, hash, xflags & SFW_CONN_X_LOCAL)) {
		sfw_stat_inc(sn, SFW_STAT_DROP);
		sfw_stat_inc(sn, SFW_STAT_INSERT_FAILED);
		return NULL;
	}
	ct = kmem_cache_zalloc(conn_cache(xflags), gfp);
	if (!ct) {
		atomic_dec(&sn->count);
		sfw_stat_inc(sn, SFW_STAT_DROP);
		return NULL;
	}
	if (nat) {
		struct sfw_conn_nat *cn = container_of(ct, struct sfw_conn_nat, ct);

		ct->xflags = SFW_CONN_X_NAT;
		cn->addr_idx = SFW_NAT_NO_ADDR;
		cn->key[SFW_DIR_REPLY].dir = SFW_DIR_REPLY;
	}
	if (xflags & SFW_CONN_X_HELPER) {
		ct->xflags |= SFW_CONN_X_HELPER;
		spin_lock_init(&sfw_conn_help(ct)->lock);
	}
	ct->xflags |= xflags & SFW_CONN_X_LOCAL;
	return ct;
}

/*
 * An entry from sfw_conntrack_alloc() that never made it into the table:
 * uncount it and free it, after a grace period, as its NAT keys may have
 * been seen.
 */
void sfw_conntrack_free(struct sfw_net *sn, struct sfw_conn *ct)
{
	sfw_nat_unhash(sn, ct);
	/* Counts it was given just before sfw_conntrack_insert() (path.c). */
	sfw_srclimit_conn_put(sn, ct);
	atomic_dec(&sn->count);
	call_rcu(&ct->rcu, conn_free_rcu);
}

/*
 * Hash @ct (from sfw_conntrack_alloc()) under tuple @t, whose hash is
 * @h0, and its inverse: its protocol state @ps after its first packet
 * (@len bytes) and expiring @timeout seconds from now. @confirm: its
 * first packet passed the filter hooks (path.c); an entry created at
 * PRE_ROUTING for its translation (nat.c) is confirmed there later, or
 * dies on the wheel. 0; -EEXIST if a packet of the same flow won the
 * race (look again), -ENOSPC if a chain is full; @ct is freed on error.
 * BHs are off.
 */
int sfw_conntrack_insert(struct sfw_net *sn, struct sfw_conn *ct, const struct sfw_tuple *t,
			 u32 h0, const union sfw_proto_state *ps, u32 timeout, u32 len,
			 bool confirm)
{
	struct sfw_tuple inv;
	u8 xflags = ct->xflags;
	spinlock_t *lock;
	u32 now = (u32)jiffies;
	int ret;

	ct->tuple = *t;		/* its pad bytes hold status and xflags */
	ct->xflags = xflags;
	ct->net_id = sn->net_id;
	ct->status = (confirm ? SFW_CONN_CONFIRMED : 0) |
		     (h0 % SFW_WHEEL_STRIPES) << SFW_CONN_STRIPE_SHIFT;
	ct->ps = *ps;
	if (t->l4proto == SFW_IPPROTO_UDP)
		ct->ps.udp.start = now;
	ct->expires = now + (confirm ? sfw_conntrack_timeout(sn, timeout) : timeout * HZ);
	if (READ_ONCE(sn->params.acct)) {
		ct->packets[SFW_DIR_ORIGINAL] = 1;
		ct->bytes[SFW_DIR_ORIGINAL] = len;
	}

	sfw_tuple_invert(t, &inv);
	lock = sfw_timer_wheel_lock(sn->wheel, sfw_conn_stripe(ct));
	spin_lock(lock);
	ret = conn_insert(ct, t, &inv, h0, sfw_conntrack_hash(&inv, sn->net_id));
	if (!ret) {
		sfw_timer_wheel_add(sn->wheel, ct, ct->expires);
		if (confirm) {
			sfw_stat_inc(sn, SFW_STAT_INSERT);
			sfw_netlink_event(sn, ct, SFW_EVENT_NEW, SFW_END_NONE);
		}
	}
	spin_unlock(lock);
	if (ret) {
		if (ret == -ENOSPC) {
			sfw_stat_inc(sn, SFW_STAT_CHAINLENGTH);
			sfw_stat_inc(sn, SFW_STAT_INSERT_FAILED);
			sfw_stat_inc(sn, SFW_STAT_DROP);
		}
		sfw_conntrack_free(sn, ct);
	}
	return ret;
}

/* The filter hooks passed the first packet of @ct, inserted unconfirmed. */
bool sfw_conntrack_confirm(struct sfw_net *sn, struct sfw_conn *ct)
{
	spinlock_t *lock = sfw_timer_wheel_lock(sn->wheel, sfw_conn_stripe(ct));
	bool done = false;

	spin_lock(lock);
	if (!(ct->status & (SFW_CONN_CONFIRMED | SFW_CONN_DYING))) {
		ct->status |= SFW_CONN_CONFIRMED;
		sfw_stat_inc(sn, SFW_STAT_INSERT);
		sfw_netlink_event(sn, ct, SFW_EVENT_NEW, SFW_END_NONE);
		done = true;
	}
	spin_unlock(lock);
	return done;
}

/*
 * A restored entry (ct_restore.c): @ct from sfw_conntrack_alloc(), its NAT
 * keys bound, hashed under @t (hash @h0) with @r's state, counters, age
 * and status, confirmed at once. Its timeout is @r's, capped at its
 * state's timeout here. 0 or -errno; @ct is freed on error. BHs are off.
 */
int sfw_conntrack_restore(struct sfw_net *sn, struct sfw_conn *ct, const struct sfw_tuple *t,
			  u32 h0, const struct sfw_ct_record *r)
{
	union sfw_proto_state ps;
	spinlock_t *lock;
	u32 secs, now;
	u8 status = 0;
	int ret;

	sfw_ct_record_to_state(r, &ps);
	secs = min(r->timeout, state_timeout(t->l4proto, &ps, &sn->params));
	/* Unconfirmed until its counters and status are in place. */
	ret = sfw_conntrack_insert(sn, ct, t, h0, &ps, max(secs, 1U), 0, false);
	if (ret)
		return ret;
	if (r->status & SFW_CT_S_SEEN_REPLY)
		status |= SFW_CONN_SEEN_REPLY;
	if (r->status & SFW_CT_S_ASSURED)
		status |= SFW_CONN_ASSURED;
	now = (u32)jiffies;
	lock = sfw_timer_wheel_lock(sn->wheel, sfw_conn_stripe(ct));
	spin_lock(lock);
	if (!(ct->status & (SFW_CONN_CONFIRMED | SFW_CONN_DYING))) {
		if (t->l4proto == SFW_IPPROTO_UDP)
			ct->ps.udp.start = now - min_t(u32, r->age, SFW_DAYS) * HZ;
		if (READ_ONCE(sn->params.acct)) {
			ct->packets[SFW_DIR_ORIGINAL] = (u32)r->packets[SFW_DIR_ORIGINAL];
			ct->packets[SFW_DIR_REPLY] = (u32)r->packets[SFW_DIR_REPLY];
			ct->bytes[SFW_DIR_ORIGINAL] = r->bytes[SFW_DIR_ORIGINAL];
			ct->bytes[SFW_DIR_REPLY] = r->bytes[SFW_DIR_REPLY];
		}
		ct->status |= status | SFW_CONN_CONFIRMED;
		sfw_stat_inc(sn, SFW_STAT_INSERT);
		sfw_netlink_event(sn, ct, SFW_EVENT_NEW, SFW_END_NONE);
	}
	spin_unlock(lock);
	return 0;
}

/* sfw_conntrack_alloc() and _insert() in one, for an entry without NAT. */
int sfw_conntrack_add(struct sfw_net *sn, const struct sfw_pkt *pkt, u32 h0,
		      const union sfw_proto_state *ps, u32 timeout, struct sfw_conn **out)
{
	struct sfw_conn *ct = sfw_conntrack_alloc(sn, h0, 0, GFP_ATOMIC);
	int ret;

	if (!ct)
		return -ENOSPC;
	ret = sfw_conntrack_insert(sn, ct, &pkt->tuple, h0, ps, timeout, pkt->len, true);
	if (!ret)
		*out = ct;
	return ret;
}

/* What users see of the table: live, original-direction nodes of @sn. */
bool sfw_conntrack_visible(const struct sfw_conn *ct, enum sfw_dir dir,
			   const struct sfw_net *sn)
{
	u8 status = READ_ONCE(ct->status);

	return dir == SFW_DIR_ORIGINAL && ct->net_id == sn->net_id &&
	       (status & SFW_CONN_CONFIRMED) && !(status & SFW_CONN_DYING);
}

/*
 * Delete every entry of @sn that @kill says should go, bucket by bucket
 * under RCU (unhashing keeps ->next, so the walk goes on); how many went.
 * Process context: it reschedules between buckets. Every whole-table
 * change (flush, delete by filter, recheck) is this walk.
 */
u32 sfw_conntrack_cleanup(struct sfw_net *sn,
			  bool (*kill)(struct sfw_net *sn, struct sfw_conn *ct, void *arg),
			  void *arg, enum sfw_ct_end why)
{
	struct sfw_conn *ct;
	unsigned int b;
	u32 count = 0;

	for (b = 0; b < sfw_conntrack_buckets(); b++) {
		struct hlist_nulls_node *n;

		rcu_read_lock();
		sfw_conntrack_for_each_visible(ct, n, sn, b)
			if (kill(sn, ct, arg) && sfw_conntrack_delete(sn, ct, why))
				count++;
		rcu_read_unlock();
		if (!(b % 1024))
			cond_resched();
	}
	return count;
}

/* The namespace-independent half of a namespace's tracker (self-tests use it alone). */
static int ct_net_init(struct sfw_net *sn, u32 net_id)
{
	sn->net_id = net_id;
	sfw_ct_params_init(&sn->params);
	sn->conntrack_max = sfw_conntrack_buckets();
	sn->conntrack_reserve = SFW_CT_RESERVE_DEFAULT;
	sn->adaptive_start = 0;
	sn->adaptive_end = 0;
	atomic_set(&sn->count, 0);
	sn->wheel = sfw_timer_wheel_create(conn_reap, conn_adapt, sn);
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
		conn_reap_all(sn, &all, SFW_END_NAMESPACE);
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
	BUILD_BUG_ON(offsetof(struct sfw_conn_nat, ct));
	BUILD_BUG_ON(offsetof(struct sfw_conn_help, cn.ct));
	sfw_conn_cache = kmem_cache_create("sfw_conn", sizeof(struct sfw_conn),
					   SFW_CONN_ALIGN, 0, NULL);
	if (!sfw_conn_cache)
		goto err_cache;
	sfw_conn_nat_cache = kmem_cache_create("sfw_conn_nat", sizeof(struct sfw_conn_nat),
					       SFW_CONN_ALIGN, 0, NULL);
	if (!sfw_conn_nat_cache)
		goto err_nat_cache;
	sfw_conn_help_cache = kmem_cache_create("sfw_conn_help", sizeof(struct sfw_conn_help),
						SFW_CONN_ALIGN, 0, NULL);
	if (!sfw_conn_help_cache)
		goto err_help_cache;
	sfw_table = kvmalloc_array(hashsize, sizeof(*sfw_table), GFP_KERNEL);
	if (!sfw_table)
		goto err_table;
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

err_table:
	kmem_cache_destroy(sfw_conn_help_cache);
err_help_cache:
	kmem_cache_destroy(sfw_conn_nat_cache);
err_nat_cache:
	kmem_cache_destroy(sfw_conn_cache);
err_cache:
	return -ENOMEM;
}

/* Every namespace is gone: wait for the frees in flight, then free. */
void sfw_conntrack_uninit(void)
{
	rcu_barrier();
	kvfree(sfw_table);
	kmem_cache_destroy(sfw_conn_help_cache);
	kmem_cache_destroy(sfw_conn_nat_cache);
	kmem_cache_destroy(sfw_conn_cache);
}

/* For the netlink API. */

/* The most nodes a chain holds: a dump makes room for one whole chain. */
unsigned int sfw_conntrack_max_chain(void)
{
	return SFW_MAX_CHAIN;
}
