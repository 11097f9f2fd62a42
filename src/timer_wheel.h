/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The expiry timer wheel of one network namespace; see timer_wheel.c.
 *
 * The wheel is striped: an entry lives in stripe sfw_conn_stripe(ct), and the
 * stripe's lock is also the entry's lock (protocol state, status, expiry,
 * counters). The index math below is plain arithmetic, shared with the
 * userspace unit tests.
 */
#ifndef _SFW_TIMER_WHEEL_H
#define _SFW_TIMER_WHEEL_H

#include "sfw_core.h"

#ifdef __KERNEL__
#include <linux/math64.h>
#define sfw_div_u64(a, b)	div_u64(a, b)
#else
#define sfw_div_u64(a, b)	((a) / (b))
#endif

#define SFW_WHEEL_STRIPES	16	/* locks, and wheels, per namespace */
#define SFW_WHEEL_SLOTS		256	/* slots per stripe: a power of two */
#define SFW_WHEEL_TICK_MS	250	/* one slot */
#define SFW_WHEEL_BUDGET	1024	/* entries examined per run, all stripes */
#define SFW_WHEEL_BATCH		16	/* entries expired between looks at the clock */
#define SFW_WHEEL_RUN_US	500	/* a run stops once it has taken this long */
#define SFW_WHEEL_HIST		32	/* log2 buckets: 0, then [2^(k-1), 2^k); the last open */

/*
 * The tick in which an entry that expires @left jiffies from now (now in
 * tick @now_tick, at jiffy @now_j64) must be examined: the first tick that
 * starts at or after its expiry, so that it is due when examined.
 */
static inline u64 sfw_timer_wheel_target(u64 now_j64, s32 left, u32 tick_j)
{
	u64 exp = left > 0 ? now_j64 + (u32)left : now_j64;

	return sfw_div_u64(exp + tick_j - 1, tick_j);
}

static inline unsigned int sfw_timer_wheel_slot(u64 tick)
{
	return tick & (SFW_WHEEL_SLOTS - 1);
}

/*
 * The histogram bucket of @v: 0 for 0, k for [2^(k-1), 2^k), the last
 * bucket open above. A loop, not fls(): it is shared with userspace.
 */
static inline unsigned int sfw_timer_wheel_bucket(u64 v)
{
	unsigned int k = 0;

	while (v && k < SFW_WHEEL_HIST - 1) {
		v >>= 1;
		k++;
	}
	return v ? SFW_WHEEL_HIST - 1 : k;
}

/* The kernel's, or tests/fuzz/kstand's stand-in for it (fuzz_table.c). */
#if defined(__KERNEL__) || defined(SFW_STAND_KERNEL)
#include <linux/spinlock.h>
#include <linux/workqueue.h>

struct sfw_conn;
struct seq_file;

struct sfw_wheel_stripe {
	spinlock_t lock;
	u64 clock;			/* the next tick to examine */
	unsigned int n;			/* entries filed here, carry included */
	struct hlist_head carry;	/* examined this tick, due a lap later */
	struct hlist_head slot[SFW_WHEEL_SLOTS];
} ____cacheline_aligned_in_smp;

/*
 * The work the wheel did, for /proc/net/sfw/wheel: written by the worker
 * alone (one writer: no atomics, nothing on the packet path), read with
 * READ_ONCE. Histograms count by sfw_timer_wheel_bucket().
 */
struct sfw_wheel_stats {
	unsigned long examined;			/* entries examined, all runs */
	unsigned long reaped;			/* entries expired */
	unsigned long examined_max;		/* the most one run examined */
	unsigned long lag_max;			/* jiffies: latest reaping past an expiry */
	unsigned long examined_hist[SFW_WHEEL_HIST];	/* runs, by entries examined */
	unsigned long lag_hist[SFW_WHEEL_HIST];		/* confirmed ones reaped, by lag in jiffies */
};

struct sfw_timer_wheel {
	struct sfw_wheel_stripe stripe[SFW_WHEEL_STRIPES];
	struct delayed_work work;
	void (*reap)(void *owner, struct hlist_head *expired);
	/* May shorten the expiry of an entry examined before it is due. */
	void (*adapt)(void *owner, struct sfw_conn *ct, u32 now);
	void *owner;
	u32 tick_j;
	unsigned int next_stripe;
	unsigned int max_run_us;	/* longest run so far */
	unsigned long runs;		/* worker runs so far */
	struct sfw_wheel_stats stats;
	atomic_t filed;			/* entries filed, all stripes */
	unsigned long flags;		/* SFW_WHEEL_IDLE */
	bool stopping;
};

/* The worker sleeps: no run is queued until an entry is filed. */
#define SFW_WHEEL_IDLE	0

/* Module load: the self-tests, in a debug build. */
int sfw_timer_wheel_init(void);

struct sfw_timer_wheel *sfw_timer_wheel_create(void (*reap)(void *, struct hlist_head *),
					       void (*adapt)(void *, struct sfw_conn *, u32),
					       void *owner);
void sfw_timer_wheel_destroy(struct sfw_timer_wheel *w);
void sfw_timer_wheel_stop(struct sfw_timer_wheel *w);

static inline spinlock_t *sfw_timer_wheel_lock(struct sfw_timer_wheel *w, u8 stripe)
{
	return &w->stripe[stripe].lock;
}

/* The stripe lock of @ct is held for all three. */
void sfw_timer_wheel_add(struct sfw_timer_wheel *w, struct sfw_conn *ct, u32 when);
void sfw_timer_wheel_shorten(struct sfw_timer_wheel *w, struct sfw_conn *ct, u32 expires);
void sfw_timer_wheel_del(struct sfw_timer_wheel *w, struct sfw_conn *ct);

/* Unlink every entry of stripe @i into @out (namespace exit). */
void sfw_timer_wheel_drain(struct sfw_timer_wheel *w, unsigned int i,
			   struct hlist_head *out);

/* /proc/net/sfw/wheel; the file's data is the wheel (proc.c). */
int sfw_timer_wheel_show(struct seq_file *seq, void *v);
#endif /* __KERNEL__ || SFW_STAND_KERNEL */

#endif /* _SFW_TIMER_WHEEL_H */
