// SPDX-License-Identifier: GPL-2.0
/*
 * kstand.c - the running part of kstand.h, #included by the fuzz targets
 * that use it (after fuzz.h and the src/ files): the clock, the RCU queue,
 * the kmem caches, the wheel's worker, and the trap every stand-in check
 * ends in.
 */
unsigned long kstand_jiffies;
struct workqueue_struct *system_power_efficient_wq;
static struct rcu_head *rcu_queue;
u32 kstand_hash_mask = ~0u;

void kstand_bug(const char *file, int line, const char *what)
{
	fprintf(stderr, "sfw-fuzz: kstand: %s (%s:%d)\n", what, file, line);
	__builtin_trap();
}

void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head))
{
	head->func = func;
	head->next = rcu_queue;
	rcu_queue = head;
}

void kstand_rcu_quiesce(void)
{
	while (rcu_queue) {
		struct rcu_head *h = rcu_queue;

		rcu_queue = h->next;
		h->func(h);
	}
}

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
				     unsigned long flags, void (*ctor)(void *))
{
	struct kmem_cache *c = calloc(1, sizeof(*c));

	if (c) {
		c->name = name;
		c->size = size;
		c->align = align ? align : 8;
	}
	return c;
}

void *kmem_cache_zalloc(struct kmem_cache *c, gfp_t gfp)
{
	size_t n = (c->size + c->align - 1) / c->align * c->align;
	void *p = aligned_alloc(c->align, n);

	if (p) {
		memset(p, 0, n);
		c->live++;
	}
	return p;
}

void kmem_cache_free(struct kmem_cache *c, void *p)
{
	FUZZ_CHECK_MSG(((unsigned long)p & (c->align - 1)) == 0, "free of a pointer not from %s", c->name);
	c->live--;
	free(p);
}

void kmem_cache_destroy(struct kmem_cache *c)
{
	if (!c)
		return;
	FUZZ_CHECK_MSG(!c->live, "cache %s destroyed with %ld objects live", c->name, c->live);
	free(c);
}


/* The wheel's worker, run as often as it was queued for by now. */
static void kstand_run_worker(struct sfw_timer_wheel *w)
{
	unsigned int guard = 0;

	while (w->work.work.pending && (long)(jiffies - w->work.when) >= 0) {
		w->work.work.pending = 0;
		wheel_run(&w->work.work);
		kstand_rcu_quiesce();
		FUZZ_CHECK_MSG(++guard < 100000, "the wheel's worker never rests");
	}
}
