/* SPDX-License-Identifier: GPL-2.0 */
/* sfw's own address translation; see nat.c. */
#ifndef _SFW_NAT_H
#define _SFW_NAT_H

#include <linux/rhashtable-types.h>

#include "conn.h"
#include "ct_record.h"
#include "ruleset.h"
#include "sfw.h"

struct seq_file;

/* One outer tuple of a translated connection, in the namespace's NAT table. */
struct sfw_nat_key {
	struct rhash_head node;
	struct sfw_tuple t;
	u8 dir;			/* its index in key[] */
};

/* cn->manip */
#define SFW_NAT_DST	0x01	/* DNAT: key[ORIGINAL] is hashed */
#define SFW_NAT_SRC	0x02	/* SNAT: key[REPLY] is hashed */
#define SFW_NAT_MASQ	0x04	/* the SNAT address is @ifindex's */
#define SFW_NAT_EXPECTED 0x08	/* DNAT for a helper's announcement, not a rule */

#define SFW_NAT_NO_ADDR	0xff	/* cn->addr_idx: counted nowhere */

/*
 * A translated connection: the entry (hashed under the tuples the filter
 * hooks see, conn.h) and the two tuples the wire carries outside them.
 * key[ORIGINAL] is the first packet as it arrived (before DNAT), key[REPLY]
 * a reply as it arrives (to the SNAT address); /proc and netlink show
 * these two, as nf_conntrack does. Written once, before the entry is
 * confirmed; read under RCU.
 */
struct sfw_conn_nat {
	struct sfw_conn ct;
	struct sfw_nat_key key[SFW_DIR_COUNT];
	u8 manip;		/* SFW_NAT_*: set with release, read with acquire */
	u8 binding;		/* a CPU is confirming it and binding its source */
	u8 addr_idx;		/* its SNAT address's counters, or SFW_NAT_NO_ADDR */
	int ifindex;		/* masquerade: the output device */
	int in_ifindex;		/* DNAT: the device its first packet came in by */
};

static inline struct sfw_conn_nat *sfw_conn_nat(const struct sfw_conn *ct)
{
	if (!(ct->xflags & SFW_CONN_X_NAT))
		return NULL;
	return container_of((struct sfw_conn *)ct, struct sfw_conn_nat, ct);
}

int sfw_nat_init(void);
void sfw_nat_uninit(void);
int sfw_nat_init_net(struct net *net, struct sfw_net *sn);
void sfw_nat_uninit_net(struct net *net, struct sfw_net *sn);

/* PRE_ROUTING and POST_ROUTING: translate; NF_ACCEPT or NF_DROP. */
unsigned int sfw_nat_prerouting(struct sfw_net *sn, struct sk_buff *skb,
				const struct nf_hook_state *state);
unsigned int sfw_nat_postrouting(struct sfw_net *sn, struct sk_buff *skb,
				 const struct nf_hook_state *state);

/*
 * A new connection whose first packet the filter hook at @state accepted,
 * inner tuple @t: the postrouting rule it meets, if it translates (a
 * SNAT or MASQUERADE rule), or NULL. Under RCU.
 */
const struct sfw_rule *sfw_nat_source_rule(struct sfw_net *sn, const struct sk_buff *skb,
					   const struct nf_hook_state *state,
					   const struct sfw_tuple *t,
					   const struct sfw_ruleset **rs);
/* Bind @ct (a NAT entry, inner tuple @t) to a source address and port by @r. */
int sfw_nat_bind_source(struct sfw_net *sn, const struct nf_hook_state *state,
			struct sfw_conn *ct, const struct sfw_tuple *t,
			const struct sfw_ruleset *rs, const struct sfw_rule *r);
/*
 * The fast path (flowtable.c): translate @pkt of @skb, a packet of @ct in
 * direction @dir as it arrived, both ways as PRE_ROUTING and POST_ROUTING
 * would. False: it could not be made writable (drop it).
 */
bool sfw_nat_translate_flow(struct sk_buff *skb, const struct sfw_pkt *pkt,
			    const struct sfw_conn *ct, enum sfw_dir dir);
/* @ct is going: take its outer tuples out of the NAT table. */
void sfw_nat_unhash(struct sfw_net *sn, struct sfw_conn *ct);
/* The tuples users see: as the first packet arrived, as a reply arrives. */
void sfw_nat_tuples(const struct sfw_conn *ct, struct sfw_tuple *orig, struct sfw_tuple *reply);
/*
 * A restored entry's translation: bind @ct (a NAT entry, not yet hashed)
 * to @r's outer tuples; @masq_ifindex non-zero if masqueraded. 0 or
 * -EEXIST (another holds a tuple); on error nothing is bound.
 */
int sfw_nat_restore(struct sfw_net *sn, struct sfw_conn *ct, const struct sfw_ct_record *r,
		    int masq_ifindex, int in_ifindex);
/* /proc/net/sfw/nat */
void sfw_nat_proc_show(struct seq_file *seq, struct sfw_net *sn);
/*
 * A rule set was replaced: end the DNATed connections whose backend the
 * new one no longer lists in the rule their first packet would meet.
 */
u32 sfw_nat_targets_gone(struct sfw_net *sn, const struct sfw_ruleset *old,
			 const struct sfw_ruleset *cur);

#endif /* _SFW_NAT_H */
