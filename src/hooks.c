// SPDX-License-Identifier: GPL-2.0
/*
 * The packet's way in: netfilter hooks and the per-namespace life-cycle.
 *
 * pernet_operations give every network namespace, those alive at load
 * time and those created later, its own struct sfw_net and its own copy
 * of the hooks. A namespace's init brings up its units in order and its
 * exit takes them down in reverse (stats, tracker, proc, sysctl, hooks);
 * nf_unregister_net_hooks() waits for packets in flight, so nothing a hook
 * uses is freed under it.
 */
#include <linux/netdevice.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/netns/generic.h>

#include "compat.h"
#include "conntrack.h"
#include "rules.h"
#include "sfw.h"

static unsigned int sfw_net_id __read_mostly;

struct sfw_net *sfw_net(const struct net *net)
{
	return net_generic(net, sfw_net_id);
}

/*
 * The kernel zeroes every stack variable (INIT_STACK_ALL_ZERO), so a
 * verdict on the stack (about 150 bytes) costs a rep stos per hook. The
 * paths that need one are kept out of line, off the common path.
 */
static noinline unsigned int track_local_out(struct sfw_net *sn, struct sk_buff *skb,
					     const struct nf_hook_state *state)
{
	struct sfw_ct_verdict v;
	unsigned int ret;

	ret = sfw_conntrack_in(sn, skb, state, &v);
	if (ret != NF_ACCEPT)
		return ret;
	return sfw_rules_filter(sn, skb, state, SFW_CHAIN_OUTPUT, &v);
}

static noinline unsigned int filter_unnoted(struct sfw_net *sn, struct sk_buff *skb,
					    const struct nf_hook_state *state,
					    enum sfw_chain chain)
{
	struct sfw_ct_verdict v;

	sfw_conntrack_classify(sn, skb, state, &v);
	return sfw_rules_filter(sn, skb, state, chain, &v);
}

/*
 * PRE_ROUTING: the packet enters the tracker. LOCAL_OUT: the same, then
 * the output chain at once, with the tracker's verdict in hand.
 */
static unsigned int sfw_hook_track(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	struct sfw_net *sn = priv;

	sfw_stat_inc(sn, SFW_STAT_HOOK + state->hook);
	if (state->hook != NF_INET_PRE_ROUTING)
		return track_local_out(sn, skb, state);
	/* A looped-back packet was tracked and filtered on its way out. */
	if (state->in && (state->in->flags & IFF_LOOPBACK)) {
		sfw_conntrack_forget(skb);
		sfw_stat_inc(sn, SFW_STAT_IGNORE);
		return NF_ACCEPT;
	}
	/* PRE_ROUTING keeps its verdict for the filter hooks (no @v). */
	return sfw_conntrack_in(sn, skb, state, NULL);
}

/*
 * LOCAL_IN and FORWARD: the rules judge the packet, with what the tracker
 * made of it at PRE_ROUTING. With no rule set loaded everything passes
 * and nothing is looked up.
 */
static unsigned int sfw_hook_filter(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	struct sfw_net *sn = priv;
	enum sfw_chain chain = state->hook == NF_INET_FORWARD ?
			       SFW_CHAIN_FORWARD : SFW_CHAIN_INPUT;
	const struct sfw_ct_verdict *v;

	sfw_stat_inc(sn, SFW_STAT_HOOK + state->hook);
	if (!sfw_rules_loaded(sn))
		return NF_ACCEPT;
	v = sfw_conntrack_noted(sn, skb);
	if (!v)
		return filter_unnoted(sn, skb, state, chain);
	return sfw_rules_filter(sn, skb, state, chain, v);
}

/* LOCAL_IN and POST_ROUTING, last of all: the packet made it. */
static unsigned int sfw_hook_confirm(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	struct sfw_net *sn = priv;

	if (state->hook == NF_INET_POST_ROUTING)
		sfw_stat_inc(sn, SFW_STAT_HOOK + state->hook);
	sfw_conntrack_confirm(sn, skb, state);
	return NF_ACCEPT;
}

#define SFW_OPS(fn, family, hook_nr, prio) {	\
	.hook = fn,				\
	.pf = family,				\
	.hooknum = hook_nr,			\
	.priority = prio,			\
}

/*
 * Tracking runs at PRE_ROUTING and LOCAL_OUT right after defragmentation
 * and nf_conntrack (LOCAL_OUT filters there too); LOCAL_IN and FORWARD
 * filter at the filter priority; confirmation is the last step of
 * LOCAL_IN and POST_ROUTING. Each hook is counted once.
 */
static const struct nf_hook_ops sfw_ops[SFW_HOOK_OPS] = {
	SFW_OPS(sfw_hook_track, NFPROTO_IPV4, NF_INET_PRE_ROUTING, NF_IP_PRI_CONNTRACK + 1),
	SFW_OPS(sfw_hook_track, NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_IP_PRI_CONNTRACK + 1),
	SFW_OPS(sfw_hook_filter, NFPROTO_IPV4, NF_INET_LOCAL_IN, NF_IP_PRI_FILTER),
	SFW_OPS(sfw_hook_filter, NFPROTO_IPV4, NF_INET_FORWARD, NF_IP_PRI_FILTER),
	SFW_OPS(sfw_hook_confirm, NFPROTO_IPV4, NF_INET_LOCAL_IN, NF_IP_PRI_LAST - 1),
	SFW_OPS(sfw_hook_confirm, NFPROTO_IPV4, NF_INET_POST_ROUTING, NF_IP_PRI_LAST - 1),
	SFW_OPS(sfw_hook_track, NFPROTO_IPV6, NF_INET_PRE_ROUTING, NF_IP6_PRI_CONNTRACK + 1),
	SFW_OPS(sfw_hook_track, NFPROTO_IPV6, NF_INET_LOCAL_OUT, NF_IP6_PRI_CONNTRACK + 1),
	SFW_OPS(sfw_hook_filter, NFPROTO_IPV6, NF_INET_LOCAL_IN, NF_IP6_PRI_FILTER),
	SFW_OPS(sfw_hook_filter, NFPROTO_IPV6, NF_INET_FORWARD, NF_IP6_PRI_FILTER),
	SFW_OPS(sfw_hook_confirm, NFPROTO_IPV6, NF_INET_LOCAL_IN, NF_IP6_PRI_LAST - 1),
	SFW_OPS(sfw_hook_confirm, NFPROTO_IPV6, NF_INET_POST_ROUTING, NF_IP6_PRI_LAST - 1),
};

static int __net_init sfw_net_init(struct net *net)
{
	struct sfw_net *sn = sfw_net(net);
	unsigned int i;
	int ret;

	sn->net = net;
	ret = -ENOMEM;
	sn->stats = alloc_percpu(struct sfw_cpu_stats);
	if (!sn->stats)
		goto err_stats;

	ret = sfw_conntrack_init_net(net, sn);
	if (ret)
		goto err_conntrack;

	ret = sfw_rules_init_net(net, sn);
	if (ret)
		goto err_rules;

	ret = sfw_proc_init_net(net, sn);
	if (ret)
		goto err_proc;

	ret = sfw_sysctl_init_net(net, sn);
	if (ret)
		goto err_sysctl;

	/*
	 * Each namespace registers its own copy, whose ->priv hands the
	 * hooks their sfw_net without a net_generic() lookup per packet.
	 */
	memcpy(sn->ops, sfw_ops, sizeof(sn->ops));
	for (i = 0; i < ARRAY_SIZE(sn->ops); i++)
		sn->ops[i].priv = sn;
	ret = nf_register_net_hooks(net, sn->ops, ARRAY_SIZE(sn->ops));
	if (ret)
		goto err_hooks;

	return 0;

err_hooks:
	sfw_sysctl_uninit_net(net, sn);
err_sysctl:
	sfw_proc_uninit_net(net, sn);
err_proc:
	sfw_rules_uninit_net(net, sn);
err_rules:
	sfw_conntrack_uninit_net(net, sn);
err_conntrack:
	free_percpu(sn->stats);
err_stats:
	return ret;
}

static void __net_exit sfw_net_exit(struct net *net)
{
	struct sfw_net *sn = sfw_net(net);

	nf_unregister_net_hooks(net, sn->ops, ARRAY_SIZE(sn->ops));
	sfw_sysctl_uninit_net(net, sn);
	sfw_proc_uninit_net(net, sn);
	sfw_rules_uninit_net(net, sn);
	sfw_conntrack_uninit_net(net, sn);
	free_percpu(sn->stats);
}

static struct pernet_operations sfw_net_ops = {
	.init = sfw_net_init,
	.exit = sfw_net_exit,
	.id = &sfw_net_id,
	.size = sizeof(struct sfw_net),
};

int sfw_hooks_init(void)
{
	return register_pernet_subsys(&sfw_net_ops);
}

void sfw_hooks_uninit(void)
{
	unregister_pernet_subsys(&sfw_net_ops);
}
