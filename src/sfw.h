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

#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <net/net_namespace.h>

#include "sfw_core.h"
#include "proto.h"

/*
 * Per-CPU counters, in the order /proc/net/sfw/stat prints them: first
 * nf_conntrack's columns (after "entries", which is the table count),
 * then sfw's own. The hook counters are indexed by SFW_STAT_HOOK +
 * enum nf_inet_hooks.
 */
enum sfw_stat {
	SFW_STAT_CLASHRES,	/* lost an insert race; used the winner */
	SFW_STAT_FOUND,		/* lookup found an entry */
	SFW_STAT_NEW,		/* entry created */
	SFW_STAT_INVALID,	/* packet judged INVALID */
	SFW_STAT_IGNORE,	/* not tracked (ND/MLD; looped back: tracked on the way out) */
	SFW_STAT_DELETE,	/* entry deleted */
	SFW_STAT_CHAINLENGTH,	/* insert refused: chain too long */
	SFW_STAT_INSERT,	/* entry inserted (its first packet passed) */
	SFW_STAT_INSERT_FAILED,	/* entry could not be inserted */
	SFW_STAT_DROP,		/* packet dropped by the tracker (table full) */
	SFW_STAT_EARLY_DROP,	/* non-assured entry evicted for a new one */
	SFW_STAT_ICMP_ERROR,	/* ICMP error that matched no connection */
	SFW_STAT_EXPECT_NEW,
	SFW_STAT_EXPECT_CREATE,
	SFW_STAT_EXPECT_DELETE,
	SFW_STAT_SEARCH_RESTART,
	SFW_STAT_RELATED,	/* ICMP error RELATED to a connection */
	SFW_STAT_HOOK,		/* + NF_INET_PRE_ROUTING .. NF_INET_POST_ROUTING */
	SFW_STAT_REAPED = SFW_STAT_HOOK + NF_INET_NUMHOOKS,	/* expired */
	/*
	 * The gateway's own connection made while the forwarded share was
	 * full: it fit only because of net.sfw.conntrack_reserve. Its uapi
	 * attribute comes after SFW_STATS_A_PAD, its /proc column after
	 * the wheel's (sfw_stat_attr()).
	 */
	SFW_STAT_RESERVE,
	SFW_STAT_OFFLOAD,	/* a direction of a flow went on the fast path (flowtable.c) */
	SFW_STAT_FASTPATH,	/* a packet the fast path forwarded */
	SFW_STAT_COUNT
};

struct sfw_cpu_stats {
	unsigned int cnt[SFW_STAT_COUNT];
	unsigned int invalid[SFW_INVALID_COUNT];
};

struct sfw_timer_wheel;
struct sfw_nat_net;
struct sfw_expect_net;
struct sfw_rules;
struct sfw_rules_txn;
struct sfw_drop_log;
struct sfw_flowtable_net;

/* net.sfw.set_elements_max's default: elements in all of a namespace's sets. */
#define SFW_SET_ELEMENTS_MAX	(1U << 20)

/* IPv4 and IPv6, each at PRE_ROUTING, LOCAL_OUT, LOCAL_IN, FORWARD, POST_ROUTING. */
#define SFW_HOOK_OPS	10

struct sfw_net {
	struct net *net;
	u32 net_id;			/* net->ns.inum, in the hash key */
	struct sfw_cpu_stats __percpu *stats;
	struct proc_dir_entry *proc_dir;
	struct ctl_table_header *sysctl_hdr;

	/* The tracker: knobs (net.sfw.*), counts, expiry. */
	struct sfw_ct_params params;
	unsigned int conntrack_max;	/* 0: no limit */
	unsigned int conntrack_reserve;	/* % of it held for the gateway (ct_limits.h) */
	unsigned int adaptive_start;	/* % of it: timeouts scale from here ... */
	unsigned int adaptive_end;	/* ... to 0 here; 0: off */
	atomic_t count;			/* entries */
	struct sfw_timer_wheel *wheel;
	struct sfw_nat_net *nat;	/* address translation (nat.c) */
	struct sfw_expect_net *expect;	/* expectations (expect.c) */
	unsigned int expect_max;	/* net.sfw.expect_max */

	/* The rule set (rules.c): NULL until one is loaded, then swapped whole. */
	struct sfw_rules __rcu *rules;
	struct mutex rules_lock;	/* serializes replacing and set changes */
	u64 rules_generation;
	unsigned int set_elements_max;	/* all sets together (net.sfw.set_elements_max) */
	/*
	 * The fast path (flowtable.c), and the epoch its flows are checked
	 * against: bumped (release) after each change of the rules or a set.
	 */
	struct sfw_flowtable_net *flowtable;
	u64 flow_epoch;
	/* Per-source counts (srclimit.c): NULL until a rule set counts. */
	struct sfw_srclimit_net __rcu *srclimit;
	/* `add @set` and set timeouts (setadd.c). */
	struct sfw_setadd_net *setadd;

	/*
	 * Rule changes through netlink (netlink_rules.c): one namespace's
	 * rebuild never waits for another's, and its changes flag only its
	 * own dumps.
	 */
	struct mutex rules_nl_lock;	/* read the running set, build, replace */
	atomic_t rules_changes;		/* the rule dumps' sequence */
	struct mutex txn_lock;		/* guards txn */
	struct sfw_rules_txn *txn;	/* the rule-set load being sent, if any */

	/* Events (netlink.c): the last sequence number sent, and its order. */
	spinlock_t event_lock;
	u32 event_seq;

	/* This namespace's copy of the hooks (hooks.c), ->priv = this. */
	struct nf_hook_ops ops[SFW_HOOK_OPS];

	/* The last drops (drop_log.c): NULL when net.sfw.drop_log_size is 0. */
	struct sfw_drop_log __rcu *drop_log;
	unsigned int drop_log_size;
	atomic64_t drop_ids;		/* the next drop's number, kept across resizes */
};

struct sfw_net *sfw_net(const struct net *net);

/* The uapi attribute (enum sfw_stats_attr) of counter @f. */
static inline int sfw_stat_attr(enum sfw_stat f)
{
	return f >= SFW_STAT_RESERVE ? SFW_STATS_A_RESERVE + (f - SFW_STAT_RESERVE) :
	       SFW_STATS_A_CLASHRES + f;
}

static inline void sfw_stat_inc(struct sfw_net *sn, enum sfw_stat f)
{
	this_cpu_inc(sn->stats->cnt[f]);
}

int sfw_hooks_init(void);
void sfw_hooks_uninit(void);

int sfw_proc_init_net(struct net *net, struct sfw_net *sn);
void sfw_proc_uninit_net(struct net *net, struct sfw_net *sn);

int sfw_rules_init_net(struct net *net, struct sfw_net *sn);
void sfw_rules_uninit_net(struct net *net, struct sfw_net *sn);

int sfw_sysctl_init_net(struct net *net, struct sfw_net *sn);
void sfw_sysctl_uninit_net(struct net *net, struct sfw_net *sn);

/* One net.sfw.* setting, for the netlink API (sysctl.c). */
struct sfw_setting {
	const char *name;
	u32 value;
	u32 min;
	u32 max;
	bool writable;
};

unsigned int sfw_sysctl_count(void);
int sfw_sysctl_find(const char *name);
void sfw_sysctl_get(struct sfw_net *sn, unsigned int i, struct sfw_setting *s);
int sfw_sysctl_check(struct sfw_net *sn, unsigned int i, u32 value);
int sfw_sysctl_set(struct sfw_net *sn, unsigned int i, u32 value);

#endif /* _SFW_H */
