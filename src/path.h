/* SPDX-License-Identifier: GPL-2.0 */
/* A packet's way through sfw; see path.c. */
#ifndef _SFW_PATH_H
#define _SFW_PATH_H

#include <linux/netfilter.h>

#include "conn.h"
#include "packet.h"
#include "ruleset.h"
#include "sfw.h"

/* What the tracker says of one packet, for the rules (valid under RCU). */
struct sfw_ct_verdict {
	struct sfw_pkt pkt;	/* its tuple is valid if parsed */
	struct sfw_conn *ct;	/* its entry, or NULL (not yet created, INVALID) */
	/* INVALID by its entry's state machine: that entry, for `ct loose` */
	struct sfw_conn *invalid_ct;
	enum sfw_dir dir;
	u8 ctinfo;		/* enum sfw_ctinfo */
	u8 reason;		/* INVALID: enum sfw_invalid_reason (0: none known) */
	bool parsed;
	u8 helper;		/* SFW_HELPER_*: the accepting rule's (rules.c) */
	bool loose;		/* the accepting rule said `ct loose` (rules.c) */
	bool create;		/* no entry: accepted, it makes one (path.c) */
	bool limited;		/* the deciding rule was a per-source limit's (rules.c) */
	s8 flow_table;		/* the accepting rule's `flow add @ft`, or -1 (rules.c) */
	u64 epoch;		/* sn->flow_epoch before the rules judged it (rules.c) */
	u8 held;		/* per-source counts it holds (srclimit.h) until its entry does */
	/* For the drop log (drop_log.c), and reason and invalid_ct above: */
	s32 rule;		/* the rule that judged it, or -1: the policy (rules.c) */
	u64 generation;		/* of the rule set that judged it */
};

/* Parse @skb, an IPv4 or IPv6 packet (@pf) at its network header: 0 or an invalid reason. */
int sfw_path_parse(struct sfw_pkt *pkt, const struct sk_buff *skb, u8 pf);

/*
 * A packet of entry @ct, found in direction @dir: its state machine, under
 * the entry's stripe lock, BHs off. 0 with @res->ctinfo, a positive invalid
 * reason, or -EAGAIN when the entry is going: look again.
 */
int sfw_path_update(struct sfw_net *sn, struct sfw_conn *ct, enum sfw_dir dir,
		    const struct sfw_pkt *pkt, struct sfw_proto_result *res);

/* FORWARD, LOCAL_IN and LOCAL_OUT: track and judge; NF_ACCEPT or NF_DROP. */
unsigned int sfw_path_filter(struct sfw_net *sn, struct sk_buff *skb,
			     const struct nf_hook_state *state, enum sfw_chain chain);

#endif /* _SFW_PATH_H */
