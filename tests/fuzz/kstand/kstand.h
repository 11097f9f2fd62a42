/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kstand.h - a single-threaded stand-in for the kernel API that the
 * connection table (src/conntrack.c) and the timer wheel
 * (src/timer_wheel.c) use, so that fuzz_table.c runs those two files as
 * they are, under ASan and UBSan.
 *
 * The <linux/...> and <net/...> headers those files include resolve to
 * the one-line files beside this one, which include it. What it maps:
 *
 *  - locks are flags that trap when taken twice or released untaken: one
 *    thread cannot race, but it can self-deadlock, and that is caught;
 *  - call_rcu() queues; kstand_rcu_quiesce() (a grace period, called by
 *    the driver between packets) runs the queue, so a reader that kept a
 *    pointer across a free is a use after free ASan reports;
 *  - kmem caches count live objects, and their destroy traps on a leak;
 *    objects keep the cache's alignment (conn.h finds a node's direction
 *    from its address);
 *  - jiffies is a variable the driver moves; ktime_get_ns() stands still,
 *    so the wheel's time budget never ends a run (its entry budget does);
 *  - WARN_ON and friends trap: a warning is a bug.
 */
#ifndef _SFW_KSTAND_H
#define _SFW_KSTAND_H

#include "stand/sfw_shim.h"

#include <stdlib.h>
#include <string.h>

#define SFW_STAND_KERNEL 1

void kstand_bug(const char *file, int line, const char *what);
#define KSTAND_TRAP(what)	kstand_bug(__FILE__, __LINE__, what)

/* ---- compiler and basic macros ---- */
#define __read_mostly
#define ____cacheline_aligned_in_smp
#define __percpu
#define __acquires(x)
#define __releases(x)
#define __acquire(x)		((void)0)
#define __release(x)		((void)0)
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#endif
#define WRITE_ONCE(x, v)	((x) = (v))
#define swap(a, b)		do { __typeof__(a) __t = (a); (a) = (b); (b) = __t; } while (0)
#define clamp(v, lo, hi)	min(max(v, lo), hi)
#define WARN_ON(c)		({ bool __c = !!(c); if (__c) KSTAND_TRAP("WARN_ON(" #c ")"); __c; })
#define WARN_ON_ONCE(c)		WARN_ON(c)
#define BUG_ON(c)		do { if (c) KSTAND_TRAP("BUG_ON(" #c ")"); } while (0)
#define pr_err(...)		fprintf(stderr, __VA_ARGS__)
#define pr_debug(...)		do { } while (0)
#define net_warn_ratelimited(...)	do { } while (0)
#define cpu_relax()		KSTAND_TRAP("spinning with one thread")
#define cond_resched()		do { } while (0)
#define might_sleep()		do { } while (0)
#define cmpxchg(p, o, n)	__sync_val_compare_and_swap(p, o, n)
#define smp_store_release(p, v)	(*(p) = (v))
#define smp_load_acquire(p)	(*(p))
#define smp_mb__after_atomic()	do { } while (0)
#define smp_mb()		do { } while (0)

/* ---- errors ---- */
#define MAX_ERRNO	4095
#define IS_ERR_VALUE(x)	((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long error) { return (void *)error; }
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
static inline bool IS_ERR(const void *ptr) { return IS_ERR_VALUE((unsigned long)ptr); }
static inline int PTR_ERR_OR_ZERO(const void *ptr) { return IS_ERR(ptr) ? (int)PTR_ERR(ptr) : 0; }
#ifndef ENOTRECOVERABLE
#define ENOTRECOVERABLE 131
#endif

/* ---- module ---- */
#define module_param(name, type, perm)
#define MODULE_PARM_DESC(name, desc)

/* ---- arithmetic ---- */
static inline bool is_power_of_2(unsigned long n) { return n && !(n & (n - 1)); }
static inline unsigned long rounddown_pow_of_two(unsigned long n)
{
	return 1UL << (63 - __builtin_clzl(n));
}
#define div_u64(a, b)		((u64)(a) / (b))
#define NSEC_PER_USEC		1000L
#define PAGE_SHIFT		12
static inline unsigned long totalram_pages(void) { return 1UL << 18; }

/* ---- time ---- */
#define HZ			100
extern unsigned long kstand_jiffies;
#define jiffies			kstand_jiffies
static inline u64 get_jiffies_64(void) { return kstand_jiffies; }
static inline unsigned long msecs_to_jiffies(unsigned int ms) { return ms * HZ / 1000; }
static inline u64 ktime_get_ns(void) { return 0; }

/* ---- atomics (one thread) ---- */
typedef struct { int counter; } atomic_t;
typedef struct { long long counter; } atomic64_t;	/* sfw_net.drop_ids */
#define ATOMIC_INIT(i)		{ (i) }
static inline int atomic_read(const atomic_t *v) { return v->counter; }
static inline void atomic_set(atomic_t *v, int i) { v->counter = i; }
static inline void atomic_inc(atomic_t *v) { v->counter++; }
static inline void atomic_dec(atomic_t *v) { v->counter--; }
static inline int atomic_inc_return(atomic_t *v) { return ++v->counter; }
static inline int atomic_dec_return(atomic_t *v) { return --v->counter; }
#define set_bit(nr, addr)	(*(addr) |= 1UL << (nr))
#define clear_bit(nr, addr)	(*(addr) &= ~(1UL << (nr)))
#define test_bit(nr, addr)	(!!(*(addr) & (1UL << (nr))))
static inline bool test_and_clear_bit(long nr, unsigned long *addr)
{
	bool was = test_bit(nr, addr);

	clear_bit(nr, addr);
	return was;
}
static inline bool test_and_set_bit(long nr, unsigned long *addr)
{
	bool was = test_bit(nr, addr);

	set_bit(nr, addr);
	return was;
}

/* ---- locks: flags that catch a second take and a stray release ---- */
typedef struct { int held; } spinlock_t;
struct mutex { int held; };
#define SINGLE_DEPTH_NESTING	1
static inline void spin_lock_init(spinlock_t *l) { l->held = 0; }
/*
 * KSTAND_ATOMIC_LOCKS (bench/micro): take it with a locked exchange and
 * drop it with a release store, the instructions an uncontended kernel
 * spin lock costs on x86.
 */
static inline void kstand_lock(spinlock_t *l)
{
#ifdef KSTAND_ATOMIC_LOCKS
	if (__atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE))
#else
	if (l->held)
#endif
		KSTAND_TRAP("spin lock taken twice: self-deadlock");
	l->held = 1;
}
static inline void kstand_unlock(spinlock_t *l)
{
	if (!l->held)
		KSTAND_TRAP("spin lock released but not held");
#ifdef KSTAND_ATOMIC_LOCKS
	__atomic_store_n(&l->held, 0, __ATOMIC_RELEASE);
#else
	l->held = 0;
#endif
}
#define spin_lock(l)		kstand_lock(l)
#define spin_lock_bh(l)		kstand_lock(l)
#define spin_lock_nested(l, s)	kstand_lock(l)
#define spin_unlock(l)		kstand_unlock(l)
#define spin_unlock_bh(l)	kstand_unlock(l)
#define local_bh_disable()	do { } while (0)
#define local_bh_enable()	do { } while (0)
#define mutex_init(m)		((m)->held = 0)
#define lockdep_assert_held(l)	do { if (!(l)->held) KSTAND_TRAP("lock not held"); } while (0)

/* ---- RCU: a queue of callbacks that a grace period runs ---- */
struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};
void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head));
void kstand_rcu_quiesce(void);
#define rcu_barrier()		kstand_rcu_quiesce()
#define synchronize_rcu()	kstand_rcu_quiesce()
#define rcu_read_lock()		do { } while (0)
#define rcu_read_unlock()	do { } while (0)
#define rcu_dereference_raw(p)	(p)
#define rcu_dereference(p)	(p)
#define __rcu
#define RCU_INIT_POINTER(p, v)	((p) = (v))

/* ---- lists ---- */
struct hlist_node {
	struct hlist_node *next, **pprev;
};
struct hlist_head {
	struct hlist_node *first;
};
#define HLIST_HEAD(name)	struct hlist_head name = { NULL }
#define INIT_HLIST_HEAD(h)	((h)->first = NULL)
static inline bool hlist_empty(const struct hlist_head *h) { return !h->first; }
static inline bool hlist_unhashed(const struct hlist_node *n) { return !n->pprev; }
static inline void hlist_add_head(struct hlist_node *n, struct hlist_head *h)
{
	n->next = h->first;
	if (h->first)
		h->first->pprev = &n->next;
	h->first = n;
	n->pprev = &h->first;
}
static inline void __hlist_del(struct hlist_node *n)
{
	if (!n->pprev)
		KSTAND_TRAP("hlist_del of an unhashed node");
	*n->pprev = n->next;
	if (n->next)
		n->next->pprev = n->pprev;
}
static inline void hlist_del(struct hlist_node *n)
{
	__hlist_del(n);
	n->next = (void *)0x100;
	n->pprev = (void *)0x122;
}
static inline void hlist_del_init(struct hlist_node *n)
{
	if (n->pprev) {
		__hlist_del(n);
		n->next = NULL;
		n->pprev = NULL;
	}
}
static inline void hlist_move_list(struct hlist_head *old, struct hlist_head *new)
{
	new->first = old->first;
	if (new->first)
		new->first->pprev = &new->first;
	old->first = NULL;
}
#define hlist_entry(ptr, type, member)	container_of(ptr, type, member)
#define hlist_entry_safe(ptr, type, member) \
	({ __typeof__(ptr) ____ptr = (ptr); ____ptr ? hlist_entry(____ptr, type, member) : NULL; })
#define hlist_for_each_entry(pos, head, member) \
	for (pos = hlist_entry_safe((head)->first, __typeof__(*(pos)), member); pos; \
	     pos = hlist_entry_safe((pos)->member.next, __typeof__(*(pos)), member))
#define hlist_for_each_entry_safe(pos, n, head, member) \
	for (pos = hlist_entry_safe((head)->first, __typeof__(*pos), member); \
	     pos && ({ n = pos->member.next; 1; }); \
	     pos = hlist_entry_safe(n, __typeof__(*pos), member))

struct hlist_nulls_node {
	struct hlist_nulls_node *next, **pprev;
};
struct hlist_nulls_head {
	struct hlist_nulls_node *first;
};
#define NULLS_MARKER(value)	(1UL | (((long)(value)) << 1))
#define INIT_HLIST_NULLS_HEAD(ptr, nulls) \
	((ptr)->first = (struct hlist_nulls_node *)NULLS_MARKER(nulls))
static inline bool is_a_nulls(const struct hlist_nulls_node *ptr) { return (unsigned long)ptr & 1; }
static inline unsigned long get_nulls_value(const struct hlist_nulls_node *ptr)
{
	return (unsigned long)ptr >> 1;
}
#define hlist_nulls_first_rcu(head)	((head)->first)
#define hlist_nulls_next_rcu(node)	((node)->next)
static inline void hlist_nulls_add_head_rcu(struct hlist_nulls_node *n, struct hlist_nulls_head *h)
{
	struct hlist_nulls_node *first = h->first;

	n->next = first;
	n->pprev = &h->first;
	h->first = n;
	if (!is_a_nulls(first))
		first->pprev = &n->next;
}
static inline void hlist_nulls_del_rcu(struct hlist_nulls_node *n)
{
	if (n->pprev == (void *)0x122)
		KSTAND_TRAP("hlist_nulls_del_rcu twice");
	*n->pprev = n->next;
	if (!is_a_nulls(n->next))
		n->next->pprev = n->pprev;
	/* ->next stays: an RCU reader on this node walks on. */
	n->pprev = (void *)0x122;
}

/* ---- memory ---- */
typedef unsigned int gfp_t;
#define GFP_KERNEL		0u
#define GFP_ATOMIC		1u
#define GFP_KERNEL_ACCOUNT	2u
struct kmem_cache {
	size_t size, align;
	long live;
	const char *name;
};
struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
				     unsigned long flags, void (*ctor)(void *));
void *kmem_cache_zalloc(struct kmem_cache *c, gfp_t gfp);
void kmem_cache_free(struct kmem_cache *c, void *p);
void kmem_cache_destroy(struct kmem_cache *c);
static inline void *kvmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	return calloc(n, size);
}
static inline void *kvzalloc(size_t size, gfp_t gfp) { return calloc(1, size); }
static inline void *kzalloc(size_t size, gfp_t gfp) { return calloc(1, size); }
static inline void kvfree(const void *p) { free((void *)p); }
static inline void kfree(const void *p) { free((void *)p); }

/* ---- hashing and randomness ---- */
typedef struct { unsigned long key[2]; } hsiphash_key_t;
/*
 * FNV-1a with the key folded in: the table only needs a spread. The
 * driver may mask it, to crowd every entry into a few buckets.
 */
extern u32 kstand_hash_mask;
static inline u32 hsiphash(const void *data, size_t len, const hsiphash_key_t *key)
{
	const u8 *p = data;
	u32 h = 2166136261u ^ (u32)key->key[0];

	while (len--)
		h = (h ^ *p++) * 16777619u;
	return h & kstand_hash_mask;
}
static inline void get_random_bytes(void *buf, size_t n) { memset(buf, 0, n); }

/* ---- per-CPU data: one CPU ---- */
#define this_cpu_inc(x)		((x)++)

/* ---- work ---- */
struct work_struct { int pending; };
struct delayed_work { struct work_struct work; unsigned long when; };
struct workqueue_struct { int unused; };
extern struct workqueue_struct *system_power_efficient_wq;
#define INIT_DELAYED_WORK(w, f)	((w)->work.pending = 0)
#define to_delayed_work(w)	container_of(w, struct delayed_work, work)
static inline bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *w,
				      unsigned long delay)
{
	bool was = w->work.pending;

	w->work.pending = 1;
	w->when = kstand_jiffies + delay;
	return !was;
}
static inline bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *w,
				    unsigned long delay)
{
	return queue_delayed_work(wq, w, delay);
}
static inline bool cancel_delayed_work_sync(struct delayed_work *w)
{
	bool was = w->work.pending;

	w->work.pending = 0;
	return was;
}

/* ---- networking: what the headers name, and a flat packet ---- */
enum nf_inet_hooks {
	NF_INET_PRE_ROUTING,
	NF_INET_LOCAL_IN,
	NF_INET_FORWARD,
	NF_INET_LOCAL_OUT,
	NF_INET_POST_ROUTING,
	NF_INET_NUMHOOKS
};
#define NF_DROP			0
#define NF_ACCEPT		1
#define NFPROTO_IPV4		2
#define NFPROTO_IPV6		10
#define IFF_LOOPBACK		0x8
#define IFNAMSIZ		16
struct net_device {
	unsigned int flags;
	int ifindex;
	char name[IFNAMSIZ];
};
struct nf_hook_state {
	u8 hook;
	u8 pf;
	struct net_device *in, *out;
	struct net *net;
};
/* A linear packet, its network header at data[0]. */
struct sk_buff {
	const u8 *data;
	unsigned int len;
};
static inline int skb_network_offset(const struct sk_buff *skb) { return 0; }
static inline unsigned int skb_headlen(const struct sk_buff *skb) { return skb->len; }
static inline const u8 *skb_network_header(const struct sk_buff *skb) { return skb->data; }
static inline const void *skb_header_pointer(const struct sk_buff *skb, int off, int len,
					     void *buf)
{
	if (off < 0 || len < 0 || (unsigned int)off + len > skb->len)
		return NULL;
	return skb->data + off;
}
/* Checksums are the parser's and the NIC's business, not the table's. */
static inline u16 nf_checksum(struct sk_buff *skb, unsigned int hook, unsigned int off,
				u8 protocol, unsigned short family)
{
	return 0;
}
#define in_softirq()		1
#define rcu_access_pointer(p)	(p)
struct net {
	struct {
		unsigned int inum;
	} ns;
};
struct nf_hook_ops { int unused; };
struct genl_info;
struct netlink_callback;
struct seq_file;
struct proc_dir_entry;
struct ctl_table_header;
struct genl_family { int unused; };
struct nla_policy { int unused; };
struct rhash_head { struct rhash_head *next; };
static inline int nf_defrag_ipv4_enable(struct net *net) { return 0; }
static inline void nf_defrag_ipv4_disable(struct net *net) { }
static inline int nf_defrag_ipv6_enable(struct net *net) { return 0; }
static inline void nf_defrag_ipv6_disable(struct net *net) { }

#endif /* _SFW_KSTAND_H */
