// SPDX-License-Identifier: GPL-2.0
/*
 * Per-source limits: `ct count over N` (the connections from the
 * packet's source address) and `ct count over N by ip saddr/24` (from
 * its prefix), as pf's max-src-conn and nft's ct count; and `ct rate over
 * N/second [burst M]` (new connections per source), as pf's
 * max-src-conn-rate (a token bucket per source: see struct
 * srclimit_rate below).
 *
 * What is counted: the connections that a count rule let through (it
 * did not match) and that were then created, per source address or
 * prefix; all count rules of one prefix length share the count. A
 * connection keeps its count until its entry is destroyed.
 *
 * Exact under concurrency: a new connection's first packet that reaches
 * a count rule takes its count then, with an atomic increment unless the
 * count is already N (sfw_srclimit_over()); path.c gives it back if the
 * packet is dropped or its entry cannot be made, and the entry gives it
 * back when it dies. Two CPUs admitting at once can never pass N.
 *
 * Records: one per (slot, masked source) with connections counted, in a
 * hash table per namespace made on the first rule set with a count rule
 * (GFP_KERNEL_ACCOUNT, sized from conntrack_max). A record is created
 * from the packet path (GFP_ATOMIC, from a named cache) and freed, after
 * a grace period, when its last connection goes, so the records never
 * outnumber the counted connections; and they are capped at conntrack_max
 * (or 65536 when it is 0): past the cap a count rule matches, as if over.
 *
 * Slots: a connection's xflags has SFW_SRCLIMIT_SLOTS bits (srclimit.h);
 * slot k names one (family, prefix length), or the whole address of
 * either family (`ct count over N` without `by`). A rule set's count
 * rules are given slots when it replaces the running one; a slot changes
 * meaning only when no running rule names it and no connection holds a
 * count in it.
 *
 * Locking: lookups under RCU; a per-stripe spinlock (BHs off) guards
 * inserting and unlinking. A record's count never rises from 0: the one
 * that brings it to 0 holds the stripe lock (atomic_dec_and_lock) and
 * unlinks it.
 */
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/random.h>
#include <linux/rculist.h>
#include <linux/slab.h>

#include "conntrack.h"
#include "srclimit.h"

#define SRCLIMIT_LOCKS		64
#define SRCLIMIT_RECORDS_MAX	65536	/* when conntrack_max is 0 */

struct srclimit_slot {
	u8 l3num;		/* 0: the whole address of either family */
	u8 len;
};

struct sfw_srclimit_net {
	struct srclimit_slot slot[SFW_SRCLIMIT_SLOTS];
	atomic_t users[SFW_SRCLIMIT_SLOTS];	/* counts held in each slot */
	atomic_t records;			/* both kinds */
	u32 seed;
	u32 mask;
	spinlock_t locks[SRCLIMIT_LOCKS];
	struct hlist_head *rates;		/* the token buckets: under the stripe locks only */
	struct hlist_head table[];
};

/*
 * `ct rate over N/UNIT burst M`: a token bucket per (limit, masked
 * source), in nanoseconds of credit. A new connection costs UNIT / N;
 * credit accrues with time up to M connections' worth. Read and changed
 * under the stripe lock only (no RCU): a bucket full again is unlinked
 * and freed by the next check that walks its chain, so idle sources
 * cost nothing for long, and all records are capped together.
 */
struct srclimit_rate {
	struct hlist_node node;
	union sfw_addr addr;	/* masked */
	u8 l3num, len;
	u32 rate, unit, burst;	/* the limit's: one bucket per limit */
	u64 credit;		/* ns */
	u64 last;		/* ns, ktime_get_ns() */
};

struct srclimit_rec {
	struct hlist_node node;
	struct rcu_head rcu;
	union sfw_addr addr;	/* masked */
	u8 l3num;
	u8 slot;
	atomic_t conns;		/* 0: being unlinked */
};

static struct kmem_cache *srclimit_cache __read_mostly;
static struct kmem_cache *srclimit_rate_cache __read_mostly;
static DEFINE_MUTEX(srclimit_cache_lock);

/* call_rcu(), not kfree_rcu(): rcu_barrier() at module exit waits for it. */
static void rec_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(srclimit_cache, container_of(head, struct srclimit_rec, rcu));
}

/*
 * @src of family @l3num masked to /@len of family @fam (@fam 0: the whole
 * address, of either family): false if @fam is another family.
 */
static bool source_prefix(u8 fam, u8 len, u8 l3num, const union sfw_addr *src,
			  struct sfw_prefix *p)
{
	if (fam && fam != l3num)
		return false;
	*p = (struct sfw_prefix){ .l3num = l3num };
	p->len = fam ? len : (l3num == SFW_AF_INET ? 32 : 128);
	if (l3num == SFW_AF_INET)
		p->addr.ip = src->ip;
	else
		p->addr = *src;
	return !sfw_prefix_normalize(p);
}

/* @src masked to slot @k's prefix: false if the slot does not apply to @l3num. */
static bool slot_key(const struct sfw_srclimit_net *sl, u8 k, u8 l3num,
		     const union sfw_addr *src, union sfw_addr *key)
{
	struct sfw_prefix p;

	if (!source_prefix(READ_ONCE(sl->slot[k].l3num), READ_ONCE(sl->slot[k].len), l3num,
			   src, &p))
		return false;
	*key = p.addr;
	return true;
}

static u32 rec_hash(const struct sfw_srclimit_net *sl, u8 k, const union sfw_addr *key)
{
	return jhash2((const u32 *)key, 4, sl->seed ^ k) & sl->mask;
}

static struct srclimit_rec *rec_find(struct sfw_srclimit_net *sl, u32 h, u8 k, u8 l3num,
				     const union sfw_addr *key)
{
	struct srclimit_rec *rec;

	hlist_for_each_entry_rcu(rec, &sl->table[h], node)
		if (rec->slot == k && rec->l3num == l3num && atomic_read(&rec->conns) &&
		    !memcmp(&rec->addr, key, sizeof(*key)))
			return rec;
	return NULL;
}

/* One more on @rec unless it holds @max already (or is being unlinked): true if taken. */
static bool rec_take(struct srclimit_rec *rec, u32 max)
{
	int c = atomic_read(&rec->conns);

	do {
		if (!c || (u32)c >= max)
			return false;
	} while (!atomic_try_cmpxchg(&rec->conns, &c, c + 1));
	return true;
}

static u32 records_max(struct sfw_net *sn)
{
	u32 max = READ_ONCE(sn->conntrack_max);

	return max ? max : SRCLIMIT_RECORDS_MAX;
}

/* Take one count in slot @k for @key, under @max: true if taken. */
static bool take(struct sfw_net *sn, struct sfw_srclimit_net *sl, u8 k, u8 l3num,
		 const union sfw_addr *key, u32 max)
{
	u32 h = rec_hash(sl, k, key);
	spinlock_t *lock = &sl->locks[h % SRCLIMIT_LOCKS];
	struct srclimit_rec *rec;
	bool ok = false;

	rec = rec_find(sl, h, k, l3num, key);
	if (rec && rec_take(rec, max))
		goto taken;
	if (!max)
		return false;
	spin_lock(lock);
	/* Under the lock a live record's count cannot fall to 0. */
	rec = rec_find(sl, h, k, l3num, key);
	if (rec) {
		ok = rec_take(rec, max);
	} else if (atomic_inc_return(&sl->records) > records_max(sn)) {
		atomic_dec(&sl->records);
	} else {
		rec = kmem_cache_zalloc(srclimit_cache, GFP_ATOMIC);
		if (rec) {
			rec->addr = *key;
			rec->l3num = l3num;
			rec->slot = k;
			atomic_set(&rec->conns, 1);
			hlist_add_head_rcu(&rec->node, &sl->table[h]);
			ok = true;
		} else {
			atomic_dec(&sl->records);
		}
	}
	spin_unlock(lock);
	if (!ok)
		return false;
taken:
	atomic_inc(&sl->users[k]);
	return true;
}

static u32 count_of(struct sfw_srclimit_net *sl, u8 k, u8 l3num, const union sfw_addr *key)
{
	struct srclimit_rec *rec = rec_find(sl, rec_hash(sl, k, key), k, l3num, key);

	return rec ? atomic_read(&rec->conns) : 0;
}

bool sfw_srclimit_over(struct sfw_net *sn, const struct sfw_rule *r, u8 l3num,
		       const union sfw_addr *src, bool create, bool new, u8 *held)
{
	struct sfw_srclimit_net *sl = rcu_dereference(sn->srclimit);
	u8 k = r->count_slot;
	union sfw_addr key;
	u32 n;

	if (!sl || k >= SFW_SRCLIMIT_SLOTS || !slot_key(sl, k, l3num, src, &key))
		return false;
	if (create && !(*held & (1U << k))) {
		if (!take(sn, sl, k, l3num, &key, r->count_max))
			return true;
		*held |= 1U << k;
		return false;
	}
	/* Counted already (its own count is in), or only asking. */
	n = count_of(sl, k, l3num, &key);
	if (create || !new)
		return n > r->count_max;
	return n >= r->count_max;
}

/* One connection of @r's rate, in ns of credit; and the most credit a bucket holds. */
static u64 rate_cost(const struct sfw_rule *r)
{
	return div_u64((u64)r->rate_unit * NSEC_PER_SEC, r->rate);
}

static u64 rate_cap(const struct sfw_rule *r)
{
	return rate_cost(r) * (r->rate_burst ? r->rate_burst : r->rate);
}

static bool rate_is(const struct srclimit_rate *rt, const struct sfw_rule *r, u8 l3num,
		    const union sfw_addr *key)
{
	return rt->l3num == l3num && rt->len == r->rate_len && rt->rate == r->rate &&
	       rt->unit == r->rate_unit && rt->burst == r->rate_burst &&
	       !memcmp(&rt->addr, key, sizeof(*key));
}

bool sfw_srclimit_rate_over(struct sfw_net *sn, const struct sfw_rule *r, u8 l3num,
			    const union sfw_addr *src, bool take)
{
	struct sfw_srclimit_net *sl = rcu_dereference(sn->srclimit);
	u64 now = ktime_get_ns(), cost, cap, credit;
	struct sfw_prefix p;
	struct srclimit_rate *rt, *found = NULL;
	struct hlist_node *tmp;
	bool over;
	spinlock_t *lock;
	u32 h;

	/* The matcher calls this only for a packet of the rule's family. */
	if (!sl || !source_prefix(r->rate_l3num, r->rate_len, l3num, src, &p))
		return false;
	cost = rate_cost(r);
	cap = rate_cap(r);
	h = (jhash2((const u32 *)&p.addr, 4, sl->seed ^ r->rate ^ r->rate_unit << 20) ^
	     p.len) & sl->mask;
	lock = &sl->locks[h % SRCLIMIT_LOCKS];
	spin_lock_bh(lock);
	hlist_for_each_entry_safe(rt, tmp, &sl->rates[h], node) {
		if (rate_is(rt, r, l3num, &p.addr)) {
			found = rt;
			continue;
		}
		/* Full again: as good as none. */
		if (now - rt->last >= div_u64(rt->unit * NSEC_PER_SEC, rt->rate) *
		    (rt->burst ? rt->burst : rt->rate)) {
			hlist_del(&rt->node);
			kmem_cache_free(srclimit_rate_cache, rt);
			atomic_dec(&sl->records);
		}
	}
	credit = found ? min(cap, found->credit + (now - found->last)) : cap;
	over = credit < cost;
	if (!take)
		goto out;
	if (!found) {
		if (atomic_inc_return(&sl->records) > records_max(sn)) {
			atomic_dec(&sl->records);
			over = true;	/* no room to remember it: as if over */
			goto out;
		}
		found = kmem_cache_zalloc(srclimit_rate_cache, GFP_ATOMIC);
		if (!found) {
			atomic_dec(&sl->records);
			over = true;
			goto out;
		}
		found->addr = p.addr;
		found->l3num = l3num;
		found->len = r->rate_len;
		found->rate = r->rate;
		found->unit = r->rate_unit;
		found->burst = r->rate_burst;
		hlist_add_head(&found->node, &sl->rates[h]);
	}
	found->credit = over ? credit : credit - cost;
	found->last = now;
out:
	spin_unlock_bh(lock);
	return over;
}

void sfw_srclimit_put(struct sfw_net *sn, u8 l3num, const union sfw_addr *src, u8 held)
{
	struct sfw_srclimit_net *sl;
	struct srclimit_rec *rec;
	union sfw_addr key;
	u8 k;

	rcu_read_lock();
	sl = rcu_dereference(sn->srclimit);
	for (k = 0; sl && k < SFW_SRCLIMIT_SLOTS; k++) {
		u32 h;

		if (!(held & (1U << k)))
			continue;
		if (WARN_ON_ONCE(!slot_key(sl, k, l3num, src, &key)))
			continue;
		h = rec_hash(sl, k, &key);
		rec = rec_find(sl, h, k, l3num, &key);
		if (WARN_ON_ONCE(!rec))
			continue;
		atomic_dec(&sl->users[k]);
		local_bh_disable();
		if (atomic_dec_and_lock(&rec->conns, &sl->locks[h % SRCLIMIT_LOCKS])) {
			hlist_del_rcu(&rec->node);
			spin_unlock(&sl->locks[h % SRCLIMIT_LOCKS]);
			atomic_dec(&sl->records);
			call_rcu(&rec->rcu, rec_free_rcu);
		}
		local_bh_enable();
	}
	rcu_read_unlock();
}

static struct sfw_srclimit_net *table_make(struct sfw_net *sn)
{
	u32 max = records_max(sn), size = 256, i;
	struct sfw_srclimit_net *sl;

	mutex_lock(&srclimit_cache_lock);
	if (!srclimit_cache)
		srclimit_cache = kmem_cache_create("sfw_srclimit", sizeof(struct srclimit_rec),
						   0, 0, NULL);
	if (!srclimit_rate_cache)
		srclimit_rate_cache = kmem_cache_create("sfw_srclimit_rate",
							sizeof(struct srclimit_rate), 0, 0, NULL);
	mutex_unlock(&srclimit_cache_lock);
	if (!srclimit_cache || !srclimit_rate_cache)
		return NULL;
	/* About two records a bucket when full, and no more than 2^16 buckets. */
	while (size < max / 2 && size < 65536)
		size <<= 1;
	sl = kvzalloc(struct_size(sl, table, size), GFP_KERNEL_ACCOUNT);
	if (!sl)
		return NULL;
	sl->rates = kvcalloc(size, sizeof(*sl->rates), GFP_KERNEL_ACCOUNT);
	if (!sl->rates) {
		kvfree(sl);
		return NULL;
	}
	sl->mask = size - 1;
	sl->seed = get_random_u32();
	for (i = 0; i < SRCLIMIT_LOCKS; i++)
		spin_lock_init(&sl->locks[i]);
	for (i = 0; i < size; i++) {
		INIT_HLIST_HEAD(&sl->table[i]);
		INIT_HLIST_HEAD(&sl->rates[i]);
	}
	return sl;
}

static bool rule_counts(const struct sfw_rule *r)
{
	return r->flags & SFW_RULE_F_CT_COUNT;
}

static bool slot_is(const struct srclimit_slot *s, const struct sfw_rule *r)
{
	return s->l3num == r->count_l3num && s->len == (r->count_l3num ? r->count_len : 0);
}

/* Does @rs name slot @k? */
static bool slot_named(const struct sfw_ruleset *rs, u8 k)
{
	unsigned int c;
	u32 i;

	for (c = 0; rs && c < SFW_CHAIN_COUNT; c++)
		for (i = 0; i < rs->chain[c].n; i++)
			if (rule_counts(&rs->chain[c].rules[i]) &&
			    rs->chain[c].rules[i].count_slot == k)
				return true;
	return false;
}

int sfw_srclimit_assign(struct sfw_net *sn, struct sfw_ruleset *rs,
			const struct sfw_ruleset *old, char *err)
{
	struct sfw_srclimit_net *sl = rcu_dereference_protected(sn->srclimit,
								lockdep_is_held(&sn->rules_lock));
	u8 taken = 0;	/* slots @rs names */
	unsigned int c;
	u32 i;
	u8 k;

	for (c = 0; c < SFW_CHAIN_COUNT; c++) {
		for (i = 0; i < rs->chain[c].n; i++) {
			struct sfw_rule *r = &rs->chain[c].rules[i];

			if (!rule_counts(r) && !(r->flags & SFW_RULE_F_CT_RATE))
				continue;
			if (!sl) {
				sl = table_make(sn);
				if (!sl) {
					snprintf(err, SFW_ERR_LEN, "out of memory");
					return -ENOMEM;
				}
				rcu_assign_pointer(sn->srclimit, sl);
			}
			if (!rule_counts(r))
				continue;
			/* The slot of that prefix, if one has it and it is in use. */
			for (k = 0; k < SFW_SRCLIMIT_SLOTS; k++)
				if (slot_is(&sl->slot[k], r) &&
				    ((taken & (1U << k)) || slot_named(old, k) ||
				     atomic_read(&sl->users[k])))
					break;
			/* Else a free one: no running rule names it, no count is held in it. */
			for (k = k < SFW_SRCLIMIT_SLOTS ? k : 0; k < SFW_SRCLIMIT_SLOTS; k++) {
				if (slot_is(&sl->slot[k], r))
					break;
				if (!(taken & (1U << k)) && !slot_named(old, k) &&
				    !atomic_read(&sl->users[k])) {
					WRITE_ONCE(sl->slot[k].l3num, r->count_l3num);
					WRITE_ONCE(sl->slot[k].len, r->count_l3num ? r->count_len : 0);
					break;
				}
			}
			if (k == SFW_SRCLIMIT_SLOTS) {
				snprintf(err, SFW_ERR_LEN,
					 "ct count: more than %u prefixes in use at once",
					 SFW_SRCLIMIT_SLOTS);
				return -EBUSY;
			}
			r->count_slot = k;
			taken |= 1U << k;
		}
	}
	return 0;
}

void sfw_srclimit_uninit_net(struct sfw_net *sn)
{
	struct sfw_srclimit_net *sl = rcu_dereference_protected(sn->srclimit, true);
	u32 i;

	if (!sl)
		return;
	for (i = 0; i <= sl->mask; i++) {
		struct srclimit_rate *rt;
		struct hlist_node *tmp;

		hlist_for_each_entry_safe(rt, tmp, &sl->rates[i], node) {
			hlist_del(&rt->node);
			kmem_cache_free(srclimit_rate_cache, rt);
			atomic_dec(&sl->records);
		}
	}
	WARN_ON_ONCE(atomic_read(&sl->records));
	RCU_INIT_POINTER(sn->srclimit, NULL);
	kvfree(sl->rates);
	kvfree(sl);
}

/* Module exit, after every namespace: the records' grace periods are over. */
void sfw_srclimit_uninit(void)
{
	rcu_barrier();
	kmem_cache_destroy(srclimit_cache);
	kmem_cache_destroy(srclimit_rate_cache);
}
