// SPDX-License-Identifier: GPL-2.0
/*
 * `add @set`: a rule that matches puts the packet's source address into a
 * set, and a set with a timeout (`set blocked { timeout 10m }`) lets the
 * elements put there go by themselves, as pf's overload table with
 * expiry does.
 *
 * A set version is immutable (addrset.c) and making the next one
 * allocates, so the packet path only queues the address: a bounded
 * queue per namespace (SFW_SETADD_QUEUE; an address already waiting is
 * not queued twice, and past the bound additions are lost until the
 * queue drains) and a work item that adds them in process context, as
 * `sfwctl set add` does, and notes when each one expires.
 *
 * Expiry: the deadlines live beside the set in the running rule set
 * (struct sfw_ruleset_set's dl, under rules_lock); the same work runs
 * once a second while any are pending and removes the elements whose
 * time has come, so an element goes within a second of its timeout. Its
 * work is bounded by the elements waiting (at most the namespace's
 * net.sfw.set_elements_max). Adding an address again refreshes its time.
 * Elements listed in the rule file or added with `sfwctl set add` have
 * no deadline and stay. A new rule set starts with none pending.
 *
 * Locking: the queue's spinlock (BHs off) in the packet path; the work
 * takes rules_lock through sfw_rules_set_update() and for the deadlines.
 */
#include <linux/jiffies.h>
#include <linux/slab.h>

#include "rules.h"
#include "setadd.h"

void sfw_setadd_queue(struct sfw_net *sn, const char *name, u8 l3num, const union sfw_addr *src)
{
	struct sfw_setadd_net *sa = sn->setadd;
	struct sfw_setadd_req *q;
	u32 i;

	spin_lock(&sa->lock);
	for (i = 0; i < sa->n; i++) {
		q = &sa->q[i];
		if (q->p.l3num == l3num && !strcmp(q->name, name) &&
		    !memcmp(&q->p.addr, src, l3num == SFW_AF_INET ? 4 : 16))
			goto out;
	}
	if (sa->n == SFW_SETADD_QUEUE)
		goto out;
	q = &sa->q[sa->n++];
	memset(q, 0, sizeof(*q));
	strscpy(q->name, name, sizeof(q->name));
	q->p.l3num = l3num;
	q->p.len = l3num == SFW_AF_INET ? 32 : 128;
	if (l3num == SFW_AF_INET)
		q->p.addr.ip = src->ip;
	else
		q->p.addr = *src;
	mod_delayed_work(system_wq, &sa->work, 0);
out:
	spin_unlock(&sa->lock);
}

/* rules_lock held: the set of the running rules named @name, or NULL. */
static struct sfw_ruleset_set *set_find(struct sfw_net *sn, const char *name)
{
	struct sfw_rules *r = rcu_dereference_protected(sn->rules,
							lockdep_is_held(&sn->rules_lock));
	u32 i;

	for (i = 0; r && i < r->rs->nsets; i++)
		if (!strcmp(r->rs->sets[i].name, name))
			return &r->rs->sets[i];
	return NULL;
}

static bool same(const struct sfw_prefix *a, const struct sfw_prefix *b)
{
	return a->l3num == b->l3num && a->len == b->len && !memcmp(&a->addr, &b->addr, sizeof(a->addr));
}

/* rules_lock held: @p, just added to @s, expires @s->timeout from now. */
static void deadline_set(struct sfw_net *sn, struct sfw_ruleset_set *s,
			 const struct sfw_prefix *p)
{
	unsigned long at = jiffies + (unsigned long)s->timeout * HZ;
	u32 i;

	for (i = 0; i < s->ndl; i++) {
		if (same(&s->dl[i].p, p)) {
			s->dl[i].expires = at;
			return;
		}
	}
	if (s->ndl == s->cap_dl) {
		u32 cap = s->cap_dl ? s->cap_dl * 2 : 16;
		struct sfw_set_deadline *dl;

		if (cap > READ_ONCE(sn->set_elements_max))
			return;		/* the set is full anyway: it stays */
		/* The work's, not a user's request: no memory cgroup to charge. */
		dl = kvmalloc_array(cap, sizeof(*dl), GFP_KERNEL);
		if (!dl)
			return;
		if (s->ndl)
			memcpy(dl, s->dl, s->ndl * sizeof(*dl));
		kvfree(s->dl);
		s->dl = dl;
		s->cap_dl = cap;
	}
	s->dl[s->ndl].p = *p;
	s->dl[s->ndl++].expires = at;
}

/* Take the expired elements of the running sets off, one set at a time; true if any remain. */
static bool reap(struct sfw_net *sn)
{
	struct sfw_prefix gone[16];
	char name[SFW_SET_NAME_LEN];
	bool pending;
	u32 n;

	do {
		struct sfw_rules *r;
		u32 i, k;

		n = 0;
		pending = false;
		mutex_lock(&sn->rules_lock);
		r = rcu_dereference_protected(sn->rules, lockdep_is_held(&sn->rules_lock));
		for (i = 0; r && i < r->rs->nsets; i++) {
			struct sfw_ruleset_set *s = &r->rs->sets[i];

			for (k = 0; k < s->ndl && n < ARRAY_SIZE(gone);) {
				if (time_after_eq(jiffies, s->dl[k].expires)) {
					gone[n++] = s->dl[k].p;
					s->dl[k] = s->dl[--s->ndl];
				} else {
					k++;
				}
			}
			pending |= s->ndl > 0;
			if (n) {
				strscpy(name, s->name, sizeof(name));
				pending = true;	/* look again after this one */
				break;
			}
		}
		mutex_unlock(&sn->rules_lock);
		if (n)
			sfw_rules_set_update(sn, name, false, gone, n);
	} while (n);
	return pending;
}

static void setadd_work(struct work_struct *w)
{
	struct sfw_setadd_net *sa = container_of(to_delayed_work(w), struct sfw_setadd_net, work);
	struct sfw_net *sn = sa->sn;
	struct sfw_setadd_req q;
	bool pending;

	/* As `sfwctl set add` and `del` change sets (netlink_rules.c). */
	mutex_lock(&sn->rules_nl_lock);
	for (;;) {
		struct sfw_ruleset_set *s;

		spin_lock_bh(&sa->lock);
		if (!sa->n) {
			spin_unlock_bh(&sa->lock);
			break;
		}
		q = sa->q[--sa->n];
		spin_unlock_bh(&sa->lock);
		if (sfw_rules_set_update(sn, q.name, true, &q.p, 1))
			continue;
		mutex_lock(&sn->rules_lock);
		s = set_find(sn, q.name);
		if (s && s->timeout)
			deadline_set(sn, s, &q.p);
		mutex_unlock(&sn->rules_lock);
	}
	pending = reap(sn);
	atomic_inc(&sn->rules_changes);
	mutex_unlock(&sn->rules_nl_lock);
	if (pending)
		queue_delayed_work(system_wq, &sa->work, HZ);
}

/*
 * rules_lock held, @rs about to replace @old: the deadlines of @old's
 * sets go to @rs's sets of the same name and timeout (a rule change
 * rebuilds the running set with the same elements; a new file's set
 * simply finds nothing to remove). True if any are pending.
 */
bool sfw_setadd_carry(struct sfw_ruleset *rs, const struct sfw_ruleset *old)
{
	bool pending = false;
	u32 i, k;

	for (i = 0; old && i < rs->nsets; i++) {
		struct sfw_ruleset_set *s = &rs->sets[i];

		for (k = 0; k < old->nsets; k++) {
			const struct sfw_ruleset_set *o = &old->sets[k];

			if (strcmp(o->name, s->name) || !o->ndl || o->timeout != s->timeout)
				continue;
			s->dl = kvmalloc_array(o->ndl, sizeof(*s->dl), GFP_KERNEL_ACCOUNT);
			if (s->dl) {
				memcpy(s->dl, o->dl, o->ndl * sizeof(*s->dl));
				s->ndl = o->ndl;
				s->cap_dl = o->ndl;
				pending = true;
			}
			break;
		}
	}
	return pending;
}

void sfw_setadd_kick(struct sfw_net *sn)
{
	mod_delayed_work(system_wq, &sn->setadd->work, HZ);
}

int sfw_setadd_init_net(struct sfw_net *sn)
{
	struct sfw_setadd_net *sa = kzalloc(sizeof(*sa), GFP_KERNEL_ACCOUNT);

	if (!sa)
		return -ENOMEM;
	spin_lock_init(&sa->lock);
	INIT_DELAYED_WORK(&sa->work, setadd_work);
	sa->sn = sn;
	sn->setadd = sa;
	return 0;
}

/* No packet enters the hooks any more. */
void sfw_setadd_uninit_net(struct sfw_net *sn)
{
	if (!sn->setadd)
		return;
	cancel_delayed_work_sync(&sn->setadd->work);
	kfree(sn->setadd);
	sn->setadd = NULL;
}
