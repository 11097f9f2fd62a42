// SPDX-License-Identifier: GPL-2.0
/*
 * Expiry of connections: a striped timer wheel with lazy re-filing.
 *
 * Resolution: one tick is SFW_WHEEL_TICK_MS (250 ms). An entry is examined
 * in the first tick that starts at or after its expiry, so it is reaped
 * within one tick (plus the worker's scheduling delay) of its timeout.
 *
 * Range: SFW_WHEEL_SLOTS ticks (64 s). An entry due further out sits in the
 * slot its expiry maps to; when that slot comes round early, the entry is
 * looked at, found not due and re-filed. A 5-day entry costs one look
 * every 64 s.
 *
 * Lazy: a packet only stores the new expiry in ct->expires. It moves the
 * entry only when the expiry gets earlier (a TCP close), so the tick an
 * entry is filed for is never later than its expiry. The one exception:
 * adaptive timeouts (the adapt callback, conntrack.c) shorten an entry's
 * expiry when the wheel examines it, which re-files it by the new expiry
 * at once. An entry is examined at least once a lap (SFW_WHEEL_SLOTS
 * ticks), so a table that fills shortens it within a lap at most.
 *
 * Cost per tick: the entries of the due slot. A run examines at most
 * SFW_WHEEL_BUDGET entries over all stripes, holds one stripe lock at a
 * time for at most SFW_WHEEL_BATCH expiries, reaps those with no lock
 * held, and stops once it has run SFW_WHEEL_RUN_US; what is left carries
 * over to a run queued at once, so the worker yields the CPU in between
 * and a million entries due together cost many short runs, not one long
 * one. The longest run is kept in max_run_us (/proc/net/sfw/stat).
 *
 * Work done: wall time says little where the vCPU can stall (qemu TCG),
 * so each run also counts what it did (->stats, /proc/net/sfw/wheel):
 * entries examined, in all, at most, and as a log2 histogram of runs;
 * entries reaped, and how late past its expiry each was reaped (the lag,
 * its maximum and a log2 histogram in jiffies). Only the worker writes
 * them, at the end of a run, and plainly: they cost the packet path
 * nothing, and a run a few additions.
 *
 * Idle: a wheel with no entry filed does not tick. The worker goes to
 * sleep (SFW_WHEEL_IDLE) when a run ends with nothing filed, and the
 * first entry filed queues it again; a stripe that was empty moves its
 * clock to now, so a wheel woken after a day does not walk the day's
 * ticks. A thousand idle containers cost no wakeups at all. The sleep
 * and the wake-up pair through the IDLE bit and the count ->filed, each
 * side writing its own and then reading the other's across a full
 * barrier, so exactly one of them queues the next run.
 *
 * Locking: a stripe's lock protects its slots, its carry list and every
 * entry filed in it (see conn.h). Lock order: stripe -> hash bucket.
 * Nobody walks the wheel under RCU, which is why conn.h may overlay the
 * wheel link with the rcu_head once an entry is off the wheel.
 */
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/slab.h>
#ifdef __KERNEL__
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#endif

#include "conn.h"
#include "timer_wheel.h"

/* Stripe lock held: put @ct in the slot for jiffy @when; it is jiffy @now. */
static void wheel_place(struct sfw_timer_wheel *w, struct sfw_conn *ct, u32 when, u64 now)
{
	struct sfw_wheel_stripe *s = &w->stripe[sfw_conn_stripe(ct)];
	u64 t = sfw_timer_wheel_target(now, (s32)(when - (u32)now), w->tick_j);

	if (t < s->clock)
		t = s->clock;
	hlist_add_head(&ct->wnode, &s->slot[sfw_timer_wheel_slot(t)]);
}

/* The next run, at the next tick boundary. */
static void wheel_queue(struct sfw_timer_wheel *w)
{
	queue_delayed_work(system_power_efficient_wq, &w->work,
			   w->tick_j - jiffies % w->tick_j);
}

/* Stripe lock held: file a new entry, waking the worker if it sleeps. */
static void wheel_file(struct sfw_timer_wheel *w, struct sfw_conn *ct, u32 when, u64 now)
{
	struct sfw_wheel_stripe *s = &w->stripe[sfw_conn_stripe(ct)];
	u64 now_t = div_u64(now, w->tick_j);

	/* Nothing was due in the ticks an empty stripe slept through. */
	if (!s->n++ && s->clock < now_t)
		s->clock = now_t;
	wheel_place(w, ct, when, now);
	/* Fully ordered: pairs with the barrier in wheel_run(). */
	if (atomic_inc_return(&w->filed) == 1 && test_bit(SFW_WHEEL_IDLE, &w->flags) &&
	    test_and_clear_bit(SFW_WHEEL_IDLE, &w->flags) && !READ_ONCE(w->stopping))
		wheel_queue(w);
}

/* Stripe lock held: @ct leaves stripe @s. */
static void wheel_unfile(struct sfw_timer_wheel *w, struct sfw_wheel_stripe *s,
			 struct sfw_conn *ct)
{
	hlist_del(&ct->wnode);
	s->n--;
	atomic_dec(&w->filed);
}

void sfw_timer_wheel_add(struct sfw_timer_wheel *w, struct sfw_conn *ct, u32 when)
{
	lockdep_assert_held(&w->stripe[sfw_conn_stripe(ct)].lock);
	wheel_file(w, ct, when, get_jiffies_64());
}

void sfw_timer_wheel_shorten(struct sfw_timer_wheel *w, struct sfw_conn *ct, u32 expires)
{
	lockdep_assert_held(&w->stripe[sfw_conn_stripe(ct)].lock);
	hlist_del(&ct->wnode);
	wheel_place(w, ct, expires, get_jiffies_64());
}

void sfw_timer_wheel_del(struct sfw_timer_wheel *w, struct sfw_conn *ct)
{
	struct sfw_wheel_stripe *s = &w->stripe[sfw_conn_stripe(ct)];

	lockdep_assert_held(&s->lock);
	wheel_unfile(w, s, ct);
}

/* The worker: a confirmed entry reaped @lag jiffies past its expiry. */
static void wheel_count_lag(struct sfw_wheel_stats *st, u32 lag)
{
	unsigned int k = sfw_timer_wheel_bucket(lag);

	WRITE_ONCE(st->lag_hist[k], st->lag_hist[k] + 1);
	if (lag > st->lag_max)
		WRITE_ONCE(st->lag_max, lag);
}

/* The worker: a run that examined @n entries. */
static void wheel_count_run(struct sfw_wheel_stats *st, unsigned int n)
{
	unsigned int k = sfw_timer_wheel_bucket(n);

	WRITE_ONCE(st->examined, st->examined + n);
	WRITE_ONCE(st->examined_hist[k], st->examined_hist[k] + 1);
	if (n > st->examined_max)
		WRITE_ONCE(st->examined_max, n);
}

/*
 * Examine the due slot of @s. Returns false when the budget or the batch
 * ran out before the slot was done; the slot then still holds what is left.
 */
static bool wheel_run_slot(struct sfw_timer_wheel *w, struct sfw_wheel_stripe *s,
			   u64 now_j, unsigned int *budget, unsigned int *batch,
			   struct hlist_head *expired)
{
	unsigned int cur = sfw_timer_wheel_slot(s->clock);
	struct sfw_conn *ct;
	struct hlist_node *tmp;

	hlist_for_each_entry_safe(ct, tmp, &s->slot[cur], wnode) {
		u64 t;

		if (!*budget || !*batch)
			return false;
		(*budget)--;

		/* Adaptive timeouts may make it due sooner (conntrack.c). */
		if (w->adapt && (ct->status & SFW_CONN_CONFIRMED))
			w->adapt(w->owner, ct, (u32)now_j);
		/* Unconfirmed entries are filed for their grace period only. */
		if (!(ct->status & SFW_CONN_CONFIRMED) ||
		    (s32)((u32)now_j - ct->expires) >= 0) {
			/* The lag: an unconfirmed entry's expiry is not its grace's. */
			WRITE_ONCE(w->stats.reaped, w->stats.reaped + 1);
			if (ct->status & SFW_CONN_CONFIRMED)
				wheel_count_lag(&w->stats, (u32)now_j - ct->expires);
			wheel_unfile(w, s, ct);
			ct->status |= SFW_CONN_DYING;
			hlist_add_head(&ct->wnode, expired);
			(*batch)--;
			continue;
		}
		hlist_del(&ct->wnode);
		t = sfw_timer_wheel_target(now_j, (s32)(ct->expires - (u32)now_j), w->tick_j);
		if (sfw_timer_wheel_slot(t) == cur)
			hlist_add_head(&ct->wnode, &s->carry);
		else
			hlist_add_head(&ct->wnode, &s->slot[sfw_timer_wheel_slot(t)]);
	}
	return true;
}

/* One run at jiffy @now_j; returns whether work is left over. */
static bool wheel_advance(struct sfw_timer_wheel *w, u64 now_j)
{
	unsigned int budget = SFW_WHEEL_BUDGET, n, i;
	u64 start = ktime_get_ns(), now_t = div_u64(now_j, w->tick_j);
	u64 deadline = start + SFW_WHEEL_RUN_US * NSEC_PER_USEC;
	bool backlog = false, out = false;
	HLIST_HEAD(expired);
	u32 us;

	for (n = 0; n < SFW_WHEEL_STRIPES && !out; n++) {
		struct sfw_wheel_stripe *s;
		bool caught;

		i = (w->next_stripe + n) % SFW_WHEEL_STRIPES;
		s = &w->stripe[i];
		do {
			unsigned int batch = SFW_WHEEL_BATCH;

			spin_lock_bh(&s->lock);
			while (s->clock <= now_t) {
				if (!wheel_run_slot(w, s, now_j, &budget, &batch, &expired))
					break;
				/* Done with this tick: what is due a lap later goes back. */
				hlist_move_list(&s->carry, &s->slot[sfw_timer_wheel_slot(s->clock)]);
				s->clock++;
			}
			caught = s->clock > now_t;
			spin_unlock_bh(&s->lock);

			if (!hlist_empty(&expired)) {
				w->reap(w->owner, &expired);
				INIT_HLIST_HEAD(&expired);
			}
			out = !budget || ktime_get_ns() > deadline;
		} while (!caught && !out);
		if (out) {
			/* Start where this run stopped, so no stripe starves. */
			w->next_stripe = caught ? (i + 1) % SFW_WHEEL_STRIPES : i;
			backlog = true;
		}
	}

	us = div_u64(ktime_get_ns() - start, NSEC_PER_USEC);
	if (us > READ_ONCE(w->max_run_us))
		WRITE_ONCE(w->max_run_us, us);
	wheel_count_run(&w->stats, SFW_WHEEL_BUDGET - budget);
	return backlog;
}

static void wheel_run(struct work_struct *work)
{
	struct sfw_timer_wheel *w = container_of(to_delayed_work(work),
						 struct sfw_timer_wheel, work);
	bool backlog = wheel_advance(w, get_jiffies_64());

	WRITE_ONCE(w->runs, w->runs + 1);
	if (READ_ONCE(w->stopping))
		return;
	/* A backlog goes on at once; the worker yields in between runs. */
	if (backlog) {
		queue_delayed_work(system_power_efficient_wq, &w->work, 0);
		return;
	}
	/* Sleep if nothing is filed; see the top for the pairing with wheel_file(). */
	set_bit(SFW_WHEEL_IDLE, &w->flags);
	smp_mb__after_atomic();	/* pairs with atomic_inc_return() in wheel_file() */
	if (!atomic_read(&w->filed))
		return;
	if (test_and_clear_bit(SFW_WHEEL_IDLE, &w->flags))
		wheel_queue(w);
}

struct sfw_timer_wheel *sfw_timer_wheel_create(void (*reap)(void *, struct hlist_head *),
					       void (*adapt)(void *, struct sfw_conn *, u32),
					       void *owner)
{
	struct sfw_timer_wheel *w;
	u64 now_t;
	int i, j;

	w = kvzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return ERR_PTR(-ENOMEM);

	w->tick_j = max(1U, msecs_to_jiffies(SFW_WHEEL_TICK_MS));
	w->reap = reap;
	w->adapt = adapt;
	w->owner = owner;
	now_t = div_u64(get_jiffies_64(), w->tick_j);
	for (i = 0; i < SFW_WHEEL_STRIPES; i++) {
		spin_lock_init(&w->stripe[i].lock);
		w->stripe[i].clock = now_t;
		INIT_HLIST_HEAD(&w->stripe[i].carry);
		for (j = 0; j < SFW_WHEEL_SLOTS; j++)
			INIT_HLIST_HEAD(&w->stripe[i].slot[j]);
	}
	INIT_DELAYED_WORK(&w->work, wheel_run);
	atomic_set(&w->filed, 0);
	/* Asleep until the first entry is filed. */
	set_bit(SFW_WHEEL_IDLE, &w->flags);
	return w;
}

/* No run is in progress or queued once this returns. */
void sfw_timer_wheel_stop(struct sfw_timer_wheel *w)
{
	WRITE_ONCE(w->stopping, true);
	cancel_delayed_work_sync(&w->work);
}

void sfw_timer_wheel_drain(struct sfw_timer_wheel *w, unsigned int i,
			   struct hlist_head *out)
{
	struct sfw_wheel_stripe *s = &w->stripe[i];
	struct sfw_conn *ct;
	struct hlist_node *tmp;
	int j;

	spin_lock_bh(&s->lock);
	for (j = 0; j <= SFW_WHEEL_SLOTS; j++) {
		struct hlist_head *head = j < SFW_WHEEL_SLOTS ? &s->slot[j] : &s->carry;

		hlist_for_each_entry_safe(ct, tmp, head, wnode) {
			wheel_unfile(w, s, ct);
			ct->status |= SFW_CONN_DYING;
			hlist_add_head(&ct->wnode, out);
		}
	}
	spin_unlock_bh(&s->lock);
}

void sfw_timer_wheel_destroy(struct sfw_timer_wheel *w)
{
	kvfree(w);
}

#ifdef __KERNEL__
/* One histogram line: "NAME lo-hi:count ...", its non-empty buckets; ms converts jiffies. */
static void wheel_show_hist(struct seq_file *seq, const char *name,
			    const unsigned long *hist, bool ms)
{
	unsigned int k;

	seq_puts(seq, name);
	for (k = 0; k < SFW_WHEEL_HIST; k++) {
		unsigned long n = READ_ONCE(hist[k]);
		u64 lo = k ? 1ULL << (k - 1) : 0, hi = k ? (1ULL << k) - 1 : 0;

		if (!n)
			continue;
		if (ms) {
			lo = jiffies64_to_msecs(lo);
			hi = k ? jiffies64_to_msecs(1ULL << k) - 1 : 0;
		}
		if (k == SFW_WHEEL_HIST - 1)
			seq_printf(seq, " %llu-:%lu", lo, n);
		else if (lo == hi)
			seq_printf(seq, " %llu:%lu", lo, n);
		else
			seq_printf(seq, " %llu-%llu:%lu", lo, hi, n);
	}
	seq_putc(seq, '\n');
}

/*
 * /proc/net/sfw/wheel: "key value" lines, then the two histograms, each
 * on one line of "lo-hi:count" for its non-empty buckets (bounds
 * included; the last bucket is open above). runs is the worker's run
 * count (wheel_runs in /proc/net/sfw/stat) and the examined histogram
 * sums to it; the lag histogram counts the confirmed entries reaped (all
 * but those whose first packet never got through). Read without a lock: a
 * run that ends meanwhile may show in one figure and not yet in another.
 */
int sfw_timer_wheel_show(struct seq_file *seq, void *v)
{
	const struct sfw_timer_wheel *w = pde_data(file_inode(seq->file));
	const struct sfw_wheel_stats *st = &w->stats;

	seq_printf(seq, "runs %lu\n", READ_ONCE(w->runs));
	seq_printf(seq, "examined %lu\n", READ_ONCE(st->examined));
	seq_printf(seq, "examined_max %lu\n", READ_ONCE(st->examined_max));
	seq_printf(seq, "budget %u\n", SFW_WHEEL_BUDGET);
	seq_printf(seq, "reaped %lu\n", READ_ONCE(st->reaped));
	seq_printf(seq, "lag_max_ms %llu\n", jiffies64_to_msecs(READ_ONCE(st->lag_max)));
	seq_printf(seq, "tick_ms %u\n", jiffies_to_msecs(w->tick_j));
	seq_printf(seq, "max_run_us %u\n", READ_ONCE(w->max_run_us));
	wheel_show_hist(seq, "examined_hist", st->examined_hist, false);
	wheel_show_hist(seq, "lag_hist_ms", st->lag_hist, true);
	return 0;
}
#endif

#ifdef DEBUG
#include "selftest/timer_wheel.c"
#else
static int sfw_timer_wheel_selftest(void)
{
	return 0;
}
#endif

int sfw_timer_wheel_init(void)
{
	return sfw_timer_wheel_selftest();
}
