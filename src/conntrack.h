/* SPDX-License-Identifier: GPL-2.0 */
/* The connection table; see conntrack.c. */
#ifndef _SFW_CONNTRACK_H
#define _SFW_CONNTRACK_H

#include <linux/netfilter.h>

#include "conn.h"
#include "packet.h"
#include "sfw.h"

int sfw_conntrack_init(void);
void sfw_conntrack_uninit(void);
int sfw_conntrack_init_net(struct net *net, struct sfw_net *sn);
void sfw_conntrack_uninit_net(struct net *net, struct sfw_net *sn);

/* What the tracker says of one packet, for the rules (valid under RCU). */
struct sfw_ct_verdict {
	struct sfw_pkt pkt;	/* its tuple is valid if parsed */
	struct sfw_conn *ct;	/* its entry, or NULL */
	enum sfw_dir dir;
	u8 ctinfo;		/* enum sfw_ctinfo */
	bool parsed;
};

/*
 * PRE_ROUTING and LOCAL_OUT: track; returns NF_ACCEPT or NF_DROP. With
 * @v NULL (PRE_ROUTING) the verdict is kept for classify() and confirm().
 */
unsigned int sfw_conntrack_in(struct sfw_net *sn, struct sk_buff *skb,
			      const struct nf_hook_state *state, struct sfw_ct_verdict *v);
/* PRE_ROUTING lets a packet by untracked (looped back). */
void sfw_conntrack_forget(const struct sk_buff *skb);
/*
 * FORWARD and LOCAL_IN: what PRE_ROUTING made of @skb, if it kept a note
 * of it (valid until the hook returns), else NULL: then classify().
 */
const struct sfw_ct_verdict *sfw_conntrack_noted(const struct sfw_net *sn,
						 const struct sk_buff *skb);
/* FORWARD and LOCAL_IN: classify a packet PRE_ROUTING tracked. */
void sfw_conntrack_classify(struct sfw_net *sn, struct sk_buff *skb,
			    const struct nf_hook_state *state, struct sfw_ct_verdict *v);
/* A rule dropped the packet: delete the entry it created, if unconfirmed. */
void sfw_conntrack_dropped(struct sfw_net *sn, const struct sfw_ct_verdict *v);
/* LOCAL_IN and POST_ROUTING: the packet made it; confirm its new entry. */
void sfw_conntrack_confirm(struct sfw_net *sn, struct sk_buff *skb,
			   const struct nf_hook_state *state);

/* Under rcu_read_lock(). */
struct sfw_conn *sfw_conntrack_lookup(struct sfw_net *sn, const struct sfw_tuple *t,
				      enum sfw_dir *dir);
/* Delete @ct (found under RCU); false if somebody else already is. */
bool sfw_conntrack_delete(struct sfw_net *sn, struct sfw_conn *ct);

/* For walkers (/proc, dumps), under rcu_read_lock(). */
unsigned int sfw_conntrack_buckets(void);
struct hlist_nulls_head *sfw_conntrack_bucket(unsigned int i);
/* Seconds until @ct expires (0 if due). */
u32 sfw_conntrack_timeout_left(const struct sfw_conn *ct);

/* For the netlink API. */
unsigned int sfw_conntrack_max_chain(void);

#endif /* _SFW_CONNTRACK_H */
