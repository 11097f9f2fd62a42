// SPDX-License-Identifier: GPL-2.0
/*
 * The drop log: the last net.sfw.drop_log_size packets a namespace
 * dropped, and why, for `sfwctl drops` (a netlink dump and a multicast
 * group: netlink_drops.c). Every drop of the packet path (path.c) is
 * recorded here, by sfw_drop_log_record(), and nowhere else.
 *
 * An entry's life: a drop takes the namespace's next number (one atomic
 * add), writes its slot (number modulo size), and is overwritten size
 * drops later. Nothing else frees it; a resize replaces the whole log by
 * an empty one, and the numbers go on (while the log is off, none is
 * taken), so that a follower can tell new drops from those it saw.
 *
 * Synchronization. Writers are packets on any CPU, BHs off: they never
 * sleep and never take a lock another CPU waits for. Each slot has a
 * sequence count, odd while it is written. A writer claims its slot by
 * moving the count from even to odd with cmpxchg; if another writer holds
 * it (only when the log wrapped around within one write), the drop is not
 * recorded rather than waited for. Readers (dumps) copy a slot and keep
 * the copy only if the count was even and unchanged across the copy and
 * the number in it is the one they looked for, as a seqcount reader does.
 * The log itself is swapped under RCU (sn->drop_log): a resize,
 * serialized by drop_log_mutex, publishes the new one, waits a grace
 * period and frees the old. Memory is charged to whoever set the size
 * (GFP_KERNEL_ACCOUNT), at most SFW_DROP_LOG_MAX entries a namespace.
 */
#include <linux/netdevice.h>
#include <linux/ratelimit.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "conn.h"
#include "drop_log.h"
#include "rules.h"

struct drop_slot {
	u32 seq;			/* odd: being written */
	struct sfw_drop_entry e;
};

struct sfw_drop_log {
	u32 size;
	struct ratelimit_state events;	/* drop events sent (netlink_drops.c) */
	struct drop_slot slot[];
};

static DEFINE_MUTEX(drop_log_mutex);

static struct sfw_drop_log *log_alloc(u32 size)
{
	struct sfw_drop_log *log;

	log = kvzalloc(struct_size(log, slot, size), GFP_KERNEL_ACCOUNT);
	if (!log)
		return NULL;
	log->size = size;
	ratelimit_state_init(&log->events, HZ, SFW_DROP_EVENTS_PER_SEC);
	/* Suppressed events are in the log: nothing to tell the kernel log. */
	ratelimit_set_flags(&log->events, RATELIMIT_MSG_ON_RELEASE);
	return log;
}

static u8 ctinfo_of(const struct sfw_ct_verdict *v)
{
	return v->ctinfo < SFW_CT_COUNT ? v->ctinfo : SFW_CT_INVALID;
}

static void entry_fill(struct sfw_drop_entry *e, const struct nf_hook_state *state,
		       enum sfw_chain chain, const struct sfw_ct_verdict *v, u8 reason)
{
	const struct sfw_conn *ct = v->ct ? v->ct : v->invalid_ct;

	memset(e, 0, sizeof(*e));
	e->time_ns = ktime_get_real_ns();
	e->hook = state->hook;
	if (state->in)
		strscpy(e->iif, state->in->name, sizeof(e->iif));
	if (state->out)
		strscpy(e->oif, state->out->name, sizeof(e->oif));
	e->parsed = v->parsed;
	if (v->parsed)
		e->tuple = v->pkt.tuple;
	e->chain = chain;
	e->reason = reason;
	if (reason == SFW_DROP_R_RULE || reason == SFW_DROP_R_POLICY ||
	    reason == SFW_DROP_R_SOURCE_LIMIT) {
		e->generation = v->generation;
		e->rule_pos = v->rule >= 0 ? v->rule + 1 : 0;
	}
	e->ctinfo = ctinfo_of(v);
	e->invalid = v->reason;
	if (ct) {
		e->conn = true;
		if (v->parsed && v->pkt.tuple.l4proto == SFW_IPPROTO_TCP)
			e->tcp_state = READ_ONCE(ct->ps.tcp.state);
	}
}

void sfw_drop_log_record(struct sfw_net *sn, const struct nf_hook_state *state,
			 enum sfw_chain chain, const struct sfw_ct_verdict *v, u8 reason)
{
	struct sfw_drop_log *log = rcu_dereference(sn->drop_log);
	struct sfw_drop_entry e;
	struct drop_slot *s;
	u32 seq;

	if (!log)
		return;
	entry_fill(&e, state, chain, v, reason);
	e.id = atomic64_fetch_inc(&sn->drop_ids);
	s = &log->slot[e.id % log->size];
	seq = READ_ONCE(s->seq);
	/* Another writer is in this slot (the log wrapped): skip, never wait. */
	if ((seq & 1) || cmpxchg(&s->seq, seq, seq + 1) != seq)
		return;
	/* cmpxchg() orders the odd count before the entry's stores. */
	memcpy(&s->e, &e, sizeof(e));
	/* The entry's stores before the even count readers check against. */
	smp_store_release(&s->seq, seq + 2);

	if (__ratelimit(&log->events))
		sfw_netlink_drop_event(sn, &e);
}

bool sfw_drop_log_range(struct sfw_net *sn, u64 *first, u64 *next)
{
	struct sfw_drop_log *log = rcu_dereference(sn->drop_log);

	if (!log)
		return false;
	*next = atomic64_read(&sn->drop_ids);
	*first = *next > log->size ? *next - log->size : 0;
	return true;
}

bool sfw_drop_log_read(struct sfw_net *sn, u64 id, struct sfw_drop_entry *e)
{
	struct sfw_drop_log *log = rcu_dereference(sn->drop_log);
	const struct drop_slot *s;
	u32 seq;

	if (!log)
		return false;
	s = &log->slot[id % log->size];
	/* Pairs with the writer's release: its entry, if the count is even. */
	seq = smp_load_acquire(&s->seq);
	if (seq & 1)
		return false;
	memcpy(e, &s->e, sizeof(*e));
	/* The copy before the second look at the count, as read_seqcount_retry(). */
	smp_rmb();
	return READ_ONCE(s->seq) == seq && e->id == id && seq;
}

int sfw_drop_log_resize(struct sfw_net *sn, unsigned int size)
{
	struct sfw_drop_log *log = NULL, *old;

	if (size > SFW_DROP_LOG_MAX)
		return -EINVAL;
	mutex_lock(&drop_log_mutex);
	old = rcu_dereference_protected(sn->drop_log, lockdep_is_held(&drop_log_mutex));
	if (size) {
		log = log_alloc(size);
		if (!log) {
			mutex_unlock(&drop_log_mutex);
			return -ENOMEM;
		}
	}
	rcu_assign_pointer(sn->drop_log, log);
	WRITE_ONCE(sn->drop_log_size, size);
	mutex_unlock(&drop_log_mutex);
	/* A sysctl or netlink write: it may wait for the packets inside. */
	if (old) {
		synchronize_rcu();
		kvfree(old);
	}
	return 0;
}

int sfw_drop_log_init_net(struct net *net, struct sfw_net *sn)
{
	RCU_INIT_POINTER(sn->drop_log, NULL);
	atomic64_set(&sn->drop_ids, 0);
	return sfw_drop_log_resize(sn, SFW_DROP_LOG_DEFAULT);
}

/* The hooks are gone and a grace period has passed (hooks.c). */
void sfw_drop_log_uninit_net(struct net *net, struct sfw_net *sn)
{
	kvfree(rcu_dereference_protected(sn->drop_log, true));
	RCU_INIT_POINTER(sn->drop_log, NULL);
}
