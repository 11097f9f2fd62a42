/* SPDX-License-Identifier: GPL-2.0 */
/* The drop log: the last packets a namespace dropped; see drop_log.c. */
#ifndef _SFW_DROP_LOG_H
#define _SFW_DROP_LOG_H

#include <linux/netdevice.h>
#include <linux/netfilter.h>

#include "path.h"
#include "sfw.h"

/* One drop, as the log keeps it and netlink sends it (netlink_drops.c). */
struct sfw_drop_entry {
	u64 id;			/* the namespace's drop number */
	u64 time_ns;		/* ktime_get_real_ns() */
	u64 generation;		/* the rule set's (RULE, POLICY); 0: none */
	struct sfw_tuple tuple;	/* valid if parsed */
	char iif[IFNAMSIZ];
	char oif[IFNAMSIZ];
	u32 rule_pos;		/* from 1 (RULE) */
	u8 invalid;		/* enum sfw_invalid_reason; 0: none known */
	u8 hook;		/* NF_INET_* */
	u8 chain;		/* enum sfw_chain */
	u8 reason;		/* enum sfw_drop_reason */
	u8 ctinfo;		/* enum sfw_ctinfo */
	u8 tcp_state;		/* enum sfw_ct_tcp_state, if conn and TCP */
	bool parsed;
	bool conn;		/* a tracked connection existed */
};

/*
 * Record that the pass of @chain at @state drops the packet @v describes,
 * for @reason (enum sfw_drop_reason; RULE and POLICY take the rule and
 * generation from @v). BHs off, under RCU; never sleeps or waits.
 */
void sfw_drop_log_record(struct sfw_net *sn, const struct nf_hook_state *state,
			 enum sfw_chain chain, const struct sfw_ct_verdict *v, u8 reason);

/*
 * Under RCU: copy drop number @id into @e. true if the log holds it
 * (and no writer was overwriting it meanwhile). @next gets where the
 * log ends (the next number to be recorded), @first its oldest.
 */
bool sfw_drop_log_read(struct sfw_net *sn, u64 id, struct sfw_drop_entry *e);
bool sfw_drop_log_range(struct sfw_net *sn, u64 *first, u64 *next);

/* net.sfw.drop_log_size: a new, empty log of @size entries (0: none). */
int sfw_drop_log_resize(struct sfw_net *sn, unsigned int size);

int sfw_drop_log_init_net(struct net *net, struct sfw_net *sn);
void sfw_drop_log_uninit_net(struct net *net, struct sfw_net *sn);

/* netlink_drops.c: send @e to the namespace's "drops" listeners. */
void sfw_netlink_drop_event(struct sfw_net *sn, const struct sfw_drop_entry *e);

#endif /* _SFW_DROP_LOG_H */
