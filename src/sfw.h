/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sfw: what every unit of the module shares.
 *
 * struct sfw_net is the per-network-namespace state, reached through
 * net_generic(). Each unit owns its part of it and fills it in its
 * sfw_<unit>_init_net(); hooks.c calls those in order and unwinds them in
 * reverse.
 */
#ifndef _SFW_H
#define _SFW_H

#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <net/net_namespace.h>

/*
 * Per-CPU packet counters. The first five are indexed by the netfilter
 * hook number (enum nf_inet_hooks), so the hook function needs no table.
 */
enum sfw_stat {
	SFW_STAT_PRE_ROUTING = NF_INET_PRE_ROUTING,
	SFW_STAT_LOCAL_IN = NF_INET_LOCAL_IN,
	SFW_STAT_FORWARD = NF_INET_FORWARD,
	SFW_STAT_LOCAL_OUT = NF_INET_LOCAL_OUT,
	SFW_STAT_POST_ROUTING = NF_INET_POST_ROUTING,
	SFW_STAT_COUNT
};

struct sfw_cpu_stats {
	unsigned int cnt[SFW_STAT_COUNT];
};

struct sfw_net {
	struct sfw_cpu_stats __percpu *stats;
	struct proc_dir_entry *proc_dir;
};

struct sfw_net *sfw_net(const struct net *net);

static inline void sfw_stat_inc(struct sfw_net *sn, enum sfw_stat f)
{
	this_cpu_inc(sn->stats->cnt[f]);
}

extern const char *const sfw_stat_names[SFW_STAT_COUNT];

int sfw_hooks_init(void);
void sfw_hooks_uninit(void);

int sfw_proc_init_net(struct net *net, struct sfw_net *sn);
void sfw_proc_uninit_net(struct net *net, struct sfw_net *sn);

#endif /* _SFW_H */
