// SPDX-License-Identifier: GPL-2.0
/*
 * The rule set a namespace runs, and the verdicts of the filter hooks.
 *
 * Life of a rule set: built and compiled whole from what the control plane
 * sent (ruleset.c), it replaces the running one with one pointer swap
 * under RCU, so that a packet sees the old set or the new one, never a
 * mix. The old one is freed once no packet can hold it. Its counters are
 * per CPU, allocated with it. Address sets change on their own: an
 * update makes the set's next version from the current one and the
 * changed elements (addrset.c) and swaps that one pointer.
 *
 * Memory: everything a request makes sfw allocate here (and in
 * ruleset.c, addrset.c, netlink_rules.c) is charged to the sender's
 * memory cgroup (GFP_KERNEL_ACCOUNT), and the elements of all of a
 * namespace's sets together are bounded by net.sfw.set_elements_max,
 * which a namespace owned by a user namespace cannot raise.
 *
 * Verdicts: accept, drop, or reject (a TCP RST, else an ICMP/ICMPv6 port
 * unreachable for UDP and administratively prohibited otherwise; the
 * kernel rate-limits the ICMP). A connection's entry is created only
 * once its first packet is accepted (path.c), so dropped traffic leaves
 * no state. A rule may log, rate-limited.
 *
 * Recheck (sfwctl ruleset load --recheck): after a replace, every
 * confirmed entry of the namespace is judged again as if its first packet
 * came now, and those the new rules would not admit are deleted, so a
 * banned address loses the connections it already had. A rule or set
 * change may ask for the same. A preview (sfwctl ruleset load --recheck
 * --dry-run) asks sfw_rules_refuses() of a compiled set that is never
 * swapped in, so it lists exactly what the recheck would delete.
 *
 * Locking: rules_lock (a mutex) serializes writers; packets only read
 * under RCU.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/random.h>
#include <net/addrconf.h>
#include <net/ip6_route.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/route.h>
#include <net/netfilter/ipv6/nf_reject.h>

#include "conntrack.h"
#include "expect.h"
#include "flowtable.h"
#include "nat.h"
#include "rules.h"
#include "setadd.h"
#include "srclimit.h"

static u64 sfw_set_seed __read_mostly;

void sfw_rules_counter(const struct sfw_rules *r, u32 i, struct sfw_rule_counter *out)
{
	int cpu;

	out->packets = 0;
	out->bytes = 0;
	for_each_possible_cpu(cpu) {
		const struct sfw_rule_counter *c = r->cnt[cpu] + i;

		out->packets += READ_ONCE(c->packets);
		out->bytes += READ_ONCE(c->bytes);
	}
}

static void reject(struct sk_buff *skb, const struct nf_hook_state *state,
		   const struct sfw_ct_verdict *v)
{
	const struct sfw_tuple *t = &v->pkt.tuple;
	bool tcp = v->parsed && t->l4proto == SFW_IPPROTO_TCP;

	/* Never answer an RST or an ICMP error; icmp_send() checks the rest. */
	if (tcp && (v->pkt.tcp.flags & SFW_TCPH_RST))
		return;
	if (state->pf == NFPROTO_IPV4) {
		if (tcp)
			nf_send_reset(state->net, state->sk, skb, state->hook);
		else
			nf_send_unreach(skb, v->parsed && t->l4proto == SFW_IPPROTO_UDP ?
					ICMP_PORT_UNREACH : ICMP_PKT_FILTERED, state->hook);
	} else {
		if (tcp)
			nf_send_reset6(state->net, state->sk, skb, state->hook);
		else
			nf_send_unreach6(state->net, skb,
					 v->parsed && t->l4proto == SFW_IPPROTO_UDP ?
					 ICMPV6_PORT_UNREACH : ICMPV6_ADM_PROHIBITED, state->hook);
	}
}

static void log_packet(const struct sfw_rule *r, const struct nf_hook_state *state,
		       enum sfw_chain chain, const struct sfw_ct_verdict *v)
{
	const struct sfw_tuple *t = &v->pkt.tuple;
	/* An INVALID packet's reason, as /proc/net/sfw/invalid names it. */
	bool why = v->ctinfo == SFW_CT_INVALID && v->reason && v->reason < SFW_INVALID_COUNT;
	const char *reason = why ? sfw_invalid_names[v->reason] : "";

	if (!net_ratelimit())
		return;
	if (!v->parsed) {
		pr_info("%s%s %s IN=%s OUT=%s ct=%s%s%s\n", r->log_prefix, r->log_prefix[0] ? ":" : "",
			sfw_chain_names[chain], state->in ? state->in->name : "",
			state->out ? state->out->name : "", sfw_ctinfo_names[v->ctinfo],
			why ? " reason=" : "", reason);
		return;
	}
	if (t->l3num == SFW_AF_INET)
		pr_info("%s%s %s IN=%s OUT=%s SRC=%pI4 DST=%pI4 PROTO=%u SPT=%u DPT=%u ct=%s%s%s %s\n",
			r->log_prefix, r->log_prefix[0] ? ":" : "", sfw_chain_names[chain],
			state->in ? state->in->name : "", state->out ? state->out->name : "",
			&t->src.ip, &t->dst.ip, t->l4proto, ntohs(t->sport), ntohs(t->dport),
			sfw_ctinfo_names[v->ctinfo], why ? " reason=" : "", reason,
			sfw_action_names[r->action]);
	else
		pr_info("%s%s %s IN=%s OUT=%s SRC=%pI6c DST=%pI6c PROTO=%u SPT=%u DPT=%u ct=%s%s%s %s\n",
			r->log_prefix, r->log_prefix[0] ? ":" : "", sfw_chain_names[chain],
			state->in ? state->in->name : "", state->out ? state->out->name : "",
			t->src.ip6, t->dst.ip6, t->l4proto, ntohs(t->sport), ntohs(t->dport),
			sfw_ctinfo_names[v->ctinfo], why ? " reason=" : "", reason,
			sfw_action_names[r->action]);
}

s32 sfw_rules_match_count(const struct sfw_rules *rules, enum sfw_chain chain,
			  const struct sfw_match_pkt *m, unsigned int len)
{
	const struct sfw_chain_rules *c = &rules->rs->chain[chain];
	struct sfw_rule_counter *cnt;
	s32 i;

	i = sfw_ruleset_match(rules->rs, chain, m);
	/* BHs are off: nothing else on this CPU bumps these now. */
	cnt = rules->cnt[smp_processor_id()] + rules->base[chain] + (i < 0 ? c->n : (u32)i);
	cnt->packets++;
	cnt->bytes += len;
	return i;
}

struct over_arg {
	struct sfw_net *sn;
	struct sfw_ct_verdict *v;	/* NULL: only asking (explain) */
	const struct sfw_tuple *t;
	bool new;
};

/* The matcher's question (ruleset.h): does @r's per-source limit hold? */
static bool rule_over(void *arg, const struct sfw_rule *r, u8 what)
{
	struct over_arg *a = arg;
	u8 none = 0;

	/* A rate limits new connections only. */
	if (what == SFW_RULE_F_CT_RATE)
		return a->new && sfw_srclimit_rate_over(a->sn, r, a->t->l3num, &a->t->src,
							a->v && a->v->create);

	if (!a->v)
		return sfw_srclimit_over(a->sn, r, a->t->l3num, &a->t->src, false, a->new, &none);
	return sfw_srclimit_over(a->sn, r, a->t->l3num, &a->t->src, a->v->create, a->new,
				 &a->v->held);
}

unsigned int sfw_rules_filter(struct sfw_net *sn, struct sk_buff *skb,
			      const struct nf_hook_state *state, enum sfw_chain chain,
			      struct sfw_ct_verdict *v)
{
	struct sfw_rules *rules = rcu_dereference(sn->rules);
	struct over_arg oa = { .sn = sn, .v = v, .t = &v->pkt.tuple };
	const struct sfw_chain_rules *c;
	struct sfw_match_pkt m = {};
	u8 action;
	s32 i;

	if (!rules)
		return NF_ACCEPT;
	c = &rules->rs->chain[chain];
	oa.new = v->ctinfo == SFW_CT_NEW;
	m.over = rule_over;
	m.over_arg = &oa;
	m.t = v->parsed ? &v->pkt.tuple : NULL;
	m.ctinfo = v->ctinfo;
	m.reason = v->ctinfo == SFW_CT_INVALID ? v->reason : 0;
	m.iif = state->in ? state->in->name : NULL;
	m.oif = state->out ? state->out->name : NULL;

	/* Before the rules are read: a change after this sends its flows the slow way. */
	v->epoch = smp_load_acquire(&sn->flow_epoch);
	i = sfw_rules_match_count(rules, chain, &m, skb->len);
	v->rule = i;
	v->generation = rules->generation;
	if (i < 0) {
		action = c->policy;
	} else {
		action = c->rules[i].action;
		if (c->rules[i].flags & SFW_RULE_F_LOG)
			log_packet(&c->rules[i], state, chain, v);
		if (c->rules[i].flags & SFW_RULE_F_HELPER_FTP)
			v->helper = SFW_HELPER_FTP;
		if (c->rules[i].flags & SFW_RULE_F_CT_LOOSE)
			v->loose = true;
		v->flow_table = c->rules[i].flow_table;
		if (c->rules[i].flags & (SFW_RULE_F_CT_COUNT | SFW_RULE_F_CT_RATE))
			v->limited = true;
		if (c->rules[i].add_set >= 0 && v->parsed)
			sfw_setadd_queue(sn, rules->rs->sets[c->rules[i].add_set].name,
					 v->pkt.tuple.l3num, &v->pkt.tuple.src);
	}

	switch (action) {
	case SFW_ACT_ACCEPT:
		return NF_ACCEPT;
	case SFW_ACT_REJECT:
		reject(skb, state, v);
		fallthrough;
	default:
		return NF_DROP;
	}
}

static void counters_free(struct sfw_rule_counter **cnt)
{
	int cpu;

	if (!cnt)
		return;
	for_each_possible_cpu(cpu)
		kvfree(cnt[cpu]);
	kfree(cnt);
}

static struct sfw_rule_counter **counters_alloc(u32 n)
{
	struct sfw_rule_counter **cnt;
	int cpu;

	cnt = kcalloc(nr_cpu_ids, sizeof(*cnt), GFP_KERNEL_ACCOUNT);
	if (!cnt)
		return NULL;
	for_each_possible_cpu(cpu) {
		cnt[cpu] = kvcalloc(n, sizeof(**cnt), GFP_KERNEL_ACCOUNT);
		if (!cnt[cpu]) {
			counters_free(cnt);
			return NULL;
		}
	}
	return cnt;
}

static void rules_free(struct sfw_rules *r)
{
	if (!r)
		return;
	counters_free(r->cnt);
	sfw_ruleset_free(r->rs);
	kfree(r);
}

/* Under rules_lock, after a change is swapped in: offloaded flows go the slow way. */
static void flow_epoch_bump(struct sfw_net *sn)
{
	smp_store_release(&sn->flow_epoch, sn->flow_epoch + 1);
}

int sfw_rules_replace(struct sfw_net *sn, struct sfw_ruleset *rs, u64 *generation,
		      char *err)
{
	struct sfw_rules *r, *old;
	bool pending;
	unsigned int c;
	u32 n = 0;
	int ret;

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r) {
		sfw_ruleset_free(rs);
		return -ENOMEM;
	}
	r->rs = rs;
	for (c = 0; c < SFW_CHAIN_COUNT; c++) {
		u32 i;

		r->base[c] = n;
		n += rs->chain[c].n + 1;	/* its rules, then its policy */
		for (i = 0; i < rs->chain[c].n; i++)
			r->helpers |= !!(rs->chain[c].rules[i].flags & SFW_RULE_F_HELPER_FTP);
	}
	r->ncnt = n;
	r->cnt = counters_alloc(n);
	if (!r->cnt) {
		rules_free(r);
		return -ENOMEM;
	}

	/* The flowtables' devices, hooked before the rules that offload to them. */
	ret = sfw_flowtable_hook(sn, rs, err);
	if (ret) {
		rules_free(r);
		return ret;
	}
	mutex_lock(&sn->rules_lock);
	old = rcu_dereference_protected(sn->rules, lockdep_is_held(&sn->rules_lock));
	ret = sfw_srclimit_assign(sn, rs, old ? old->rs : NULL, err);
	if (ret) {
		mutex_unlock(&sn->rules_lock);
		sfw_flowtable_unhook(sn, old ? old->rs : NULL);
		rules_free(r);
		return ret;
	}
	pending = sfw_setadd_carry(rs, old ? old->rs : NULL);
	r->generation = ++sn->rules_generation;
	rs->generation = r->generation;
	old = rcu_replace_pointer(sn->rules, r, lockdep_is_held(&sn->rules_lock));
	flow_epoch_bump(sn);
	mutex_unlock(&sn->rules_lock);
	sfw_flowtable_unhook(sn, rs);
	if (pending)
		sfw_setadd_kick(sn);
	if (generation)
		*generation = r->generation;

	synchronize_net();
	/* DNAT targets the new set no longer names lose their connections. */
	sfw_nat_targets_gone(sn, old ? old->rs : NULL, rs);
	rules_free(old);
	return 0;
}

void sfw_rules_flush(struct sfw_net *sn)
{
	struct sfw_rules *old;

	mutex_lock(&sn->rules_lock);
	old = rcu_replace_pointer(sn->rules, NULL, lockdep_is_held(&sn->rules_lock));
	if (old)
		sn->rules_generation++;
	flow_epoch_bump(sn);
	mutex_unlock(&sn->rules_lock);
	sfw_flowtable_unhook(sn, NULL);
	synchronize_net();
	sfw_nat_targets_gone(sn, old ? old->rs : NULL, NULL);
	rules_free(old);
}

void sfw_rules_counters_reset(struct sfw_net *sn)
{
	struct sfw_rules *r;
	int cpu;

	mutex_lock(&sn->rules_lock);
	r = rcu_dereference_protected(sn->rules, lockdep_is_held(&sn->rules_lock));
	/* Racy against packets counting at that moment, as nft's reset is. */
	if (r)
		for_each_possible_cpu(cpu)
			memset(r->cnt[cpu], 0, r->ncnt * sizeof(struct sfw_rule_counter));
	mutex_unlock(&sn->rules_lock);
}

/*
 * A set version a SET_ADD or SET_DEL replaced, freed after a grace period
 * without the request waiting for one (as nf_tables frees after a
 * commit): a client that sends a large set in many messages would wait
 * a grace period per message. sfw_netlink_rules_uninit() waits for the
 * callbacks before the module goes.
 */
struct set_gone {
	struct rcu_head rcu;
	struct sfw_addrset *set;
};

static void set_gone_free(struct rcu_head *rcu)
{
	struct set_gone *g = container_of(rcu, struct set_gone, rcu);

	sfw_addrset_free(g->set);
	kfree(g);
}

int sfw_rules_set_update(struct sfw_net *sn, const char *name, bool add,
			 const struct sfw_prefix *elems, u32 n)
{
	struct sfw_addrset *cur, *set = NULL;
	struct sfw_ruleset_set *s = NULL;
	struct sfw_prefix *norm;
	struct set_gone *gone;
	struct sfw_rules *r;
	u32 i, others = 0, max = U32_MAX;
	int ret;

	/* A scratch copy: normalized, then sorted by sfw_addrset_update(). */
	norm = kvmalloc_array(n ? n : 1, sizeof(*norm), GFP_KERNEL_ACCOUNT);
	gone = kmalloc(sizeof(*gone), GFP_KERNEL_ACCOUNT);
	ret = -ENOMEM;
	if (!norm || !gone)
		goto out_free;
	ret = -EINVAL;
	for (i = 0; i < n; i++) {
		norm[i] = elems[i];
		if (sfw_prefix_normalize(&norm[i]))
			goto out_free;
	}

	mutex_lock(&sn->rules_lock);
	r = rcu_dereference_protected(sn->rules, lockdep_is_held(&sn->rules_lock));
	ret = -ENOENT;
	for (i = 0; r && i < r->rs->nsets; i++) {
		if (!strcmp(r->rs->sets[i].name, name))
			s = &r->rs->sets[i];
		else
			others += sfw_addrset_count(rcu_dereference_protected(r->rs->sets[i].cur,
						     lockdep_is_held(&sn->rules_lock)));
	}
	if (!s)
		goto out;
	cur = rcu_dereference_protected(s->cur, lockdep_is_held(&sn->rules_lock));
	/* net.sfw.set_elements_max bounds all sets together; removing always goes. */
	if (add) {
		max = READ_ONCE(sn->set_elements_max);
		max = max > others ? max - others : 0;
	}
	/* Only the changed elements are sorted and hashed (addrset.c). */
	ret = sfw_addrset_update(cur, norm, n, add, max, &set);
	if (ret || !set)
		goto out;
	rcu_assign_pointer(s->cur, set);
	flow_epoch_bump(sn);
	mutex_unlock(&sn->rules_lock);

	gone->set = cur;
	call_rcu(&gone->rcu, set_gone_free);
	kvfree(norm);
	return 0;

out:
	mutex_unlock(&sn->rules_lock);
out_free:
	kfree(gone);
	kvfree(norm);
	return ret;
}

/* The device routing would use towards @addr now, by name ("" if none). */
static void route_dev(struct net *net, u8 l3num, const union sfw_addr *addr, char *name)
{
	name[0] = 0;
	if (l3num == SFW_AF_INET) {
		struct flowi4 fl4 = { .daddr = addr->ip };
		struct rtable *rt = ip_route_output_key(net, &fl4);

		if (IS_ERR(rt))
			return;
		strscpy(name, rt->dst.dev->name, IFNAMSIZ);
		ip_rt_put(rt);
	} else {
		struct flowi6 fl6 = { .daddr = *(const struct in6_addr *)addr->ip6 };
		struct dst_entry *dst = ip6_route_output(net, NULL, &fl6);

		if (!dst->error)
			strscpy(name, dst->dev->name, IFNAMSIZ);
		dst_release(dst);
	}
}

static bool addr_local(struct net *net, u8 l3num, const union sfw_addr *addr)
{
	if (l3num == SFW_AF_INET)
		return inet_addr_type(net, addr->ip) == RTN_LOCAL;
	return ipv6_chk_addr(net, (const struct in6_addr *)addr->ip6, NULL, 0);
}

/*
 * Where a packet of @t, with no hook to say, would be judged: the chain
 * follows from the addresses (to this host: input; from it: output; else
 * forward) and the devices from routing as it is now (out towards the
 * destination, in from the source). A recheck asks this of an entry,
 * which keeps neither; explain, of a packet the user describes.
 */
static enum sfw_chain chain_of(struct sfw_net *sn, const struct sfw_tuple *t)
{
	if (addr_local(sn->net, t->l3num, &t->dst))
		return SFW_CHAIN_INPUT;
	if (addr_local(sn->net, t->l3num, &t->src))
		return SFW_CHAIN_OUTPUT;
	return SFW_CHAIN_FORWARD;
}

static void devs_of(struct sfw_net *sn, enum sfw_chain chain, const struct sfw_tuple *t,
		    char *iif, char *oif)
{
	iif[0] = 0;
	oif[0] = 0;
	if (chain != SFW_CHAIN_INPUT)
		route_dev(sn->net, t->l3num, &t->dst, oif);
	if (chain != SFW_CHAIN_OUTPUT)
		route_dev(sn->net, t->l3num, &t->src, iif);
}

/* Would @rs admit @ct's first packet today? */
static bool rules_admit(struct sfw_net *sn, const struct sfw_ruleset *rs,
			const struct sfw_conn *ct)
{
	char iif[IFNAMSIZ], oif[IFNAMSIZ];
	struct sfw_match_pkt m = {};
	enum sfw_chain chain;
	struct sfw_tuple t;
	s32 i;

	sfw_conn_tuple(ct, &t);
	chain = chain_of(sn, &t);
	devs_of(sn, chain, &t, iif, oif);
	m.t = &t;
	m.ctinfo = SFW_CT_NEW;
	m.reason = 0;
	m.iif = iif[0] ? iif : NULL;
	m.oif = oif[0] ? oif : NULL;
	i = sfw_ruleset_match(rs, chain, &m);
	return (i < 0 ? rs->chain[chain].policy : rs->chain[chain].rules[i].action) ==
	       SFW_ACT_ACCEPT;
}

int sfw_rules_explain(struct sfw_net *sn, struct sfw_explain *x)
{
	const struct sfw_rules *r = rcu_dereference(sn->rules);
	struct over_arg oa = { .sn = sn, .t = &x->t, .new = x->ctinfo == SFW_CT_NEW };
	const struct sfw_chain_rules *c;
	char iif[IFNAMSIZ], oif[IFNAMSIZ];
	struct sfw_match_pkt m = { .over = rule_over, .over_arg = &oa };
	s32 i;

	if (!r)
		return -ENOENT;
	if (!x->chain_given)
		x->chain = chain_of(sn, &x->t);
	devs_of(sn, x->chain, &x->t, iif, oif);
	if (!x->iif[0])
		strscpy(x->iif, iif, sizeof(x->iif));
	if (!x->oif[0])
		strscpy(x->oif, oif, sizeof(x->oif));
	m.t = &x->t;
	m.ctinfo = x->ctinfo;
	m.reason = x->reason;
	m.iif = x->iif[0] ? x->iif : NULL;
	m.oif = x->oif[0] ? x->oif : NULL;
	c = &r->rs->chain[x->chain];
	i = sfw_ruleset_trace(r->rs, x->chain, &m, x->step, x->arg);
	x->generation = r->generation;
	x->rule = i;
	x->verdict = i < 0 ? c->policy : c->rules[i].action;
	return 0;
}

bool sfw_rules_refuses(struct sfw_net *sn, const struct sfw_ruleset *rs,
		       const struct sfw_conn *ct)
{
	return !rules_admit(sn, rs, ct);
}

/* Under RCU, from sfw_conntrack_cleanup(): would the running rules refuse @ct now? */
static bool rules_refuse(struct sfw_net *sn, struct sfw_conn *ct, void *arg)
{
	const struct sfw_rules *r = rcu_dereference(sn->rules);

	return r && sfw_rules_refuses(sn, r->rs, ct);
}

int sfw_rules_recheck(struct sfw_net *sn, u32 *expired)
{
	*expired = 0;
	if (!rcu_access_pointer(sn->rules))
		return 0;
	*expired = sfw_conntrack_cleanup(sn, rules_refuse, NULL, SFW_END_RECHECK);
	return 0;
}

u64 sfw_rules_seed(void)
{
	return sfw_set_seed;
}

int sfw_rules_init_net(struct net *net, struct sfw_net *sn)
{
	if (!sfw_set_seed)
		get_random_bytes(&sfw_set_seed, sizeof(sfw_set_seed));
	mutex_init(&sn->rules_lock);
	RCU_INIT_POINTER(sn->rules, NULL);
	sn->set_elements_max = SFW_SET_ELEMENTS_MAX;
	return sfw_setadd_init_net(sn);
}

void sfw_rules_uninit_net(struct net *net, struct sfw_net *sn)
{
	/* The hooks are gone: nobody reads it any more, nor queues additions. */
	sfw_setadd_uninit_net(sn);
	rules_free(rcu_dereference_protected(sn->rules, true));
	RCU_INIT_POINTER(sn->rules, NULL);
}
