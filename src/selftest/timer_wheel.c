// SPDX-License-Identifier: GPL-2.0
/*
 * Self-tests of the timer wheel, run at load in a debug build (-DDEBUG).
 * #included at the end of timer_wheel.c, so they see its static helpers.
 *
 * They drive one private wheel by hand: its worker is stopped, entries
 * are plain allocations that are never hashed, and wheel_advance() is
 * called with a made-up "now", so time passes as fast as the test likes.
 */

static unsigned int selftest_reaped;

static void selftest_reap(void *owner, struct hlist_head *expired)
{
	struct hlist_node *tmp;
	struct sfw_conn *ct;

	hlist_for_each_entry_safe(ct, tmp, expired, wnode) {
		hlist_del(&ct->wnode);
		selftest_reaped++;
		kfree(ct);
	}
}

/* An entry expiring at @expires, filed at jiffy @now to be examined at jiffy @when. */
static struct sfw_conn *selftest_conn(struct sfw_timer_wheel *w, u32 when, u32 expires,
				      bool confirmed, u64 now)
{
	struct sfw_conn *ct = kzalloc(sizeof(*ct), GFP_KERNEL);

	if (!ct)
		return NULL;
	ct->expires = expires;
	ct->status = confirmed ? SFW_CONN_CONFIRMED : 0;
	spin_lock_bh(&w->stripe[0].lock);
	wheel_file(w, ct, when, now);
	spin_unlock_bh(&w->stripe[0].lock);
	return ct;
}

static unsigned int selftest_filed(struct sfw_timer_wheel *w)
{
	unsigned int n = 0, j;
	struct sfw_conn *ct;

	for (j = 0; j < SFW_WHEEL_SLOTS; j++)
		hlist_for_each_entry(ct, &w->stripe[0].slot[j], wnode)
			n++;
	hlist_for_each_entry(ct, &w->stripe[0].carry, wnode)
		n++;
	return n;
}

static unsigned long selftest_runs;	/* wheel_advance() calls */

/*
 * Run the wheel at jiffy @now until it has caught up, as the worker does:
 * a run may stop early (budget, SFW_WHEEL_RUN_US) and leave a backlog.
 */
static void selftest_catch_up(struct sfw_timer_wheel *w, u64 now)
{
	unsigned int i;

	for (i = 0; i < 100000; i++) {
		selftest_runs++;
		if (!wheel_advance(w, now))
			break;
	}
}

/* The runs the examined histogram counts. */
static unsigned long selftest_hist_runs(const struct sfw_timer_wheel *w)
{
	unsigned long n = 0;
	int k;

	for (k = 0; k < SFW_WHEEL_HIST; k++)
		n += w->stats.examined_hist[k];
	return n;
}

static int sfw_timer_wheel_selftest(void)
{
	struct hlist_head all = HLIST_HEAD_INIT;
	struct sfw_timer_wheel *w;
	struct sfw_conn *ct;
	u64 base = get_jiffies_64();
	u32 now = (u32)base, tick, lap;
	unsigned long examined;
	int n = 0, fail = 0, i;

	w = sfw_timer_wheel_create(selftest_reap, NULL, NULL);
	if (IS_ERR(w))
		return PTR_ERR(w);
	sfw_timer_wheel_stop(w);	/* driven by hand from here on */
	tick = w->tick_j;
	lap = SFW_WHEEL_SLOTS * tick;

#define SELFTEST(cond) do {						\
	n++;								\
	if (!(cond)) {							\
		pr_err("timer_wheel self-test %d: FAIL: %s\n", n, #cond); \
		fail++;							\
	}								\
} while (0)

	/* 1-2: the target tick is the first one at or after expiry. */
	SELFTEST(sfw_timer_wheel_target(1000, 0, 10) == 100);
	SELFTEST(sfw_timer_wheel_target(1000, 1, 10) == 101);

	/* 3-4: a due entry is reaped, one due later stays filed. */
	selftest_reaped = 0;
	selftest_conn(w, now - 1, now - 1, true, base);
	selftest_conn(w, now + 3600 * HZ, now + 3600 * HZ, true, base);
	selftest_catch_up(w, base + 2 * tick);
	SELFTEST(selftest_reaped == 1);
	SELFTEST(selftest_filed(w) == 1);
	/* 5: counted: reaped two ticks and a jiffy past its expiry. */
	SELFTEST(w->stats.reaped == 1 && w->stats.lag_max == 2 * tick + 1 &&
		 w->stats.lag_hist[sfw_timer_wheel_bucket(2 * tick + 1)] == 1);

	/* 6: an unconfirmed entry goes when its grace is up, whatever its expiry. */
	selftest_conn(w, now + 2 * HZ, now + 3600 * HZ, false, base);
	selftest_catch_up(w, base + 2 * HZ + 2 * tick);
	SELFTEST(selftest_reaped == 2);
	/* 7: ... reaped, with no lag: it had no expiry to be late for. */
	SELFTEST(w->stats.reaped == 2 && w->stats.lag_max == 2 * tick + 1);

	/* 8: lazy re-filing: a far entry survives three laps of the wheel. */
	selftest_catch_up(w, base + 3 * lap);
	SELFTEST(selftest_reaped == 2 && selftest_filed(w) == 1);

	/* 9-10: ... and goes in the tick after its expiry, not before. */
	selftest_catch_up(w, base + 3600 * HZ - tick);
	SELFTEST(selftest_reaped == 2);
	selftest_catch_up(w, base + 3600 * HZ + tick);
	SELFTEST(selftest_reaped == 3 && selftest_filed(w) == 0);

	/*
	 * 11-12: bounded work: one run examines at most the budget (and stops
	 * earlier once it has run SFW_WHEEL_RUN_US); the runs that follow at
	 * once, at the same tick, take the rest.
	 */
	base += 3600 * HZ + 2 * tick;
	now = (u32)base;
	for (i = 0; i < SFW_WHEEL_BUDGET + 100; i++)
		if (!selftest_conn(w, now - 1, now - 1, true, base))
			break;
	selftest_reaped = 0;
	examined = w->stats.examined;
	selftest_runs++;
	SELFTEST(wheel_advance(w, base + tick) &&
		 selftest_reaped <= SFW_WHEEL_BUDGET);
	selftest_catch_up(w, base + tick);
	SELFTEST(selftest_reaped == SFW_WHEEL_BUDGET + 100);
	/*
	 * 13-14: each was examined once, no run beyond the budget, and every
	 * run is in the histogram.
	 */
	SELFTEST(w->stats.examined - examined == SFW_WHEEL_BUDGET + 100 &&
		 w->stats.examined_max <= SFW_WHEEL_BUDGET && w->stats.examined_max > 0);
	SELFTEST(selftest_hist_runs(w) == selftest_runs);

	/* 15: an expiry made earlier moves the entry at once. */
	selftest_reaped = 0;
	ct = selftest_conn(w, now + 3600 * HZ, now + 3600 * HZ, true, base);
	if (ct) {
		spin_lock_bh(&w->stripe[0].lock);
		ct->expires = now + 10 * HZ;
		hlist_del(&ct->wnode);	/* sfw_timer_wheel_shorten(), at the made-up now */
		wheel_file(w, ct, ct->expires, base);
		spin_unlock_bh(&w->stripe[0].lock);
	}
	selftest_catch_up(w, base + 10 * HZ + tick);
	SELFTEST(ct && selftest_reaped == 1);
#undef SELFTEST

	for (i = 0; i < SFW_WHEEL_STRIPES; i++)
		sfw_timer_wheel_drain(w, i, &all);
	selftest_reap(NULL, &all);
	sfw_timer_wheel_destroy(w);

	if (fail)
		return -EINVAL;
	pr_info("timer_wheel self-tests: pass (%d)\n", n);
	return 0;
}
