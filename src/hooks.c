// SPDX-License-Identifier: GPL-2.0
/*
 * The packet's way in: netfilter hooks and the per-namespace life-cycle.
 *
 * pernet_operations give every network namespace, those alive at load
 * time and those created later, its own struct sfw_net and its own copy
 * of the hooks. A namespace's init brings up its units in order and its
 * exit takes them down in reverse (stats, NAT, tracker, rules, proc,
 * sysctl, hooks).
 * What a packet does in the hooks is path.c's.
 *
 * Teardown is two-step, as in iptable_filter: .pre_exit unregisters the
 * hooks, and .exit frees what they use. nf_unregister_net_hooks() does not
 * wait for packets in flight (the old hook array goes by call_rcu()), but
 * the pernet core runs synchronize_rcu() between every .pre_exit and every
 * .exit, so a CPU still inside a hook, which runs under rcu_read_lock(),
 * has left it before anything is freed, and no entry can be created after
 * the table is drained.
 */
#include <linux/netdevice.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/netns/generic.h>

#include "compat.h"
#include "conntrack.h"
#include "drop_log.h"
#include "expect.h"
#include "flowtable.h"
#include "nat.h"
#include "path.h"
#include "srclimit.h"
#include "sfw.h"

static unsigned int sfw_net_id __read_mostly;

struct sfw_net *sfw_net(const struct net *net)
{
	return net_generic(net, sfw_net_id);
}

/* FORWARD, LOCAL_IN and LOCAL_OUT: the one pass of path.c. */
static unsigned int sfw_hook_filter(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	struct sfw_net *sn = priv;
	enum sfw_chain chain;

	sfw_stat_inc(sn, SFW_STAT_HOOK + state->hook);
	switch (state->hook) {
	case NF_INET_FORWARD:
		chain = SFW_CHAIN_FORWARD;
		break;
	case NF_INET_LOCAL_IN:
		chain = SFW_CHAIN_INPUT;
		break;
	default:
		chain = SFW_CHAIN_OUTPUT;
		break;
	}
	return sfw_path_filter(sn, skb, state, chain);
}

/* PRE_ROUTING and POST_ROUTING: sfw's own address translation (nat.c). */
static unsigned int sfw_hook_nat(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	struct sfw_net *sn = priv;

	sfw_stat_inc(sn, SFW_STAT_HOOK + state->hook);
	if (state->hook == NF_INET_PRE_ROUTING)
		return sfw_nat_prerouting(sn, skb, state);
	return sfw_nat_postrouting(sn, skb, state);
}

#define SFW_OPS(fn, family, hook_nr, prio) {	\
	.hook = fn,				\
	.pf = family,				\
	.hooknum = hook_nr,			\
	.priority = prio,			\
}

/*
 * The filter points sit between nf_nat's destination (-100) and source
 * (100) translations, so that sfw sees each connection from one side
 * whatever nf_nat does (path.c says why); sfw's own translation sits
 * where nf_nat's does (nat.c). Each hook is counted once.
 */
static const struct nf_hook_ops sfw_ops[SFW_HOOK_OPS] = {
	SFW_OPS(sfw_hook_nat, NFPROTO_IPV4, NF_INET_PRE_ROUTING, NF_IP_PRI_NAT_DST),
	SFW_OPS(sfw_hook_filter, NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_IP_PRI_FILTER),
	SFW_OPS(sfw_hook_filter, NFPROTO_IPV4, NF_INET_LOCAL_IN, NF_IP_PRI_FILTER),
	SFW_OPS(sfw_hook_filter, NFPROTO_IPV4, NF_INET_FORWARD, NF_IP_PRI_FILTER),
	SFW_OPS(sfw_hook_nat, NFPROTO_IPV4, NF_INET_POST_ROUTING, NF_IP_PRI_NAT_SRC),
	SFW_OPS(sfw_hook_nat, NFPROTO_IPV6, NF_INET_PRE_ROUTING, NF_IP6_PRI_NAT_DST),
	SFW_OPS(sfw_hook_filter, NFPROTO_IPV6, NF_INET_LOCAL_OUT, NF_IP6_PRI_FILTER),
	SFW_OPS(sfw_hook_filter, NFPROTO_IPV6, NF_INET_LOCAL_IN, NF_IP6_PRI_FILTER),
	SFW_OPS(sfw_hook_filter, NFPROTO_IPV6, NF_INET_FORWARD, NF_IP6_PRI_FILTER),
	SFW_OPS(sfw_hook_nat, NFPROTO_IPV6, NF_INET_POST_ROUTING, NF_IP6_PRI_NAT_SRC),
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

	ret = sfw_nat_init_net(net, sn);
	if (ret)
		goto err_nat;

	ret = sfw_expect_init_net(net, sn);
	if (ret)
		goto err_expect;

	ret = sfw_flowtable_init_net(net, sn);
	if (ret)
		goto err_flowtable;

	ret = sfw_conntrack_init_net(net, sn);
	if (ret)
		goto err_conntrack;

	ret = sfw_rules_init_net(net, sn);
	if (ret)
		goto err_rules;

	ret = sfw_proc_init_net(net, sn);
	if (ret)
		goto err_proc;

	ret = sfw_drop_log_init_net(net, sn);
	if (ret)
		goto err_drop_log;

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
	sfw_drop_log_uninit_net(net, sn);
err_drop_log:
	sfw_proc_uninit_net(net, sn);
err_proc:
	sfw_rules_uninit_net(net, sn);
err_rules:
	sfw_conntrack_uninit_net(net, sn);
	sfw_srclimit_uninit_net(sn);
err_conntrack:
	sfw_flowtable_uninit_net(net, sn);
err_flowtable:
	sfw_expect_uninit_net(net, sn);
err_expect:
	sfw_nat_uninit_net(net, sn);
err_nat:
	free_percpu(sn->stats);
err_stats:
	return ret;
}

/* No new packet enters a hook; those inside may still run (see the top). */
static void __net_exit sfw_net_pre_exit(struct net *net)
{
	struct sfw_net *sn = sfw_net(net);

	nf_unregister_net_hooks(net, sn->ops, ARRAY_SIZE(sn->ops));
	sfw_flowtable_pre_exit_net(net, sn);
}

/* A grace period after sfw_net_pre_exit(): no packet is inside a hook. */
static void __net_exit sfw_net_exit(struct net *net)
{
	struct sfw_net *sn = sfw_net(net);

	sfw_sysctl_uninit_net(net, sn);
	sfw_drop_log_uninit_net(net, sn);
	sfw_proc_uninit_net(net, sn);
	sfw_rules_uninit_net(net, sn);
	sfw_conntrack_uninit_net(net, sn);
	sfw_srclimit_uninit_net(sn);
	sfw_flowtable_uninit_net(net, sn);
	sfw_expect_uninit_net(net, sn);
	sfw_nat_uninit_net(net, sn);
	free_percpu(sn->stats);
}

static struct pernet_operations sfw_net_ops = {
	.init = sfw_net_init,
	.pre_exit = sfw_net_pre_exit,
	.exit = sfw_net_exit,
	.id = &sfw_net_id,
	.size = sizeof(struct sfw_net),
};

int sfw_hooks_init(void)
{
	int ret;

	ret = register_pernet_subsys(&sfw_net_ops);
	if (ret)
		goto err_pernet;
	/*
	 * The masquerade notifiers look at namespaces' state: they come
	 * after it and go before it (unregistering replays NETDEV_DOWN for
	 * every device up).
	 */
	ret = sfw_nat_init();
	if (ret)
		goto err_nat;
	/* The flowtables' device notifier, likewise. */
	ret = sfw_flowtable_init();
	if (ret)
		goto err_flowtable;
	return 0;

err_flowtable:
	sfw_nat_uninit();
err_nat:
	unregister_pernet_subsys(&sfw_net_ops);
err_pernet:
	return ret;
}

void sfw_hooks_uninit(void)
{
	sfw_flowtable_uninit();
	sfw_nat_uninit();
	unregister_pernet_subsys(&sfw_net_ops);
}
