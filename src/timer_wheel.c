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
