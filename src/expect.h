/* SPDX-License-Identifier: GPL-2.0 */
/* Expectations (the data connections a helper announced); see expect.c. */
#ifndef _SFW_EXPECT_H
#define _SFW_EXPECT_H

#include "helper_ftp.h"
#include "nat.h"
#include "sfw.h"

/* ->xflags: a struct sfw_conn_help (below); always with SFW_CONN_X_NAT. */
#define SFW_CONN_X_HELPER	0x02

/* struct sfw_rule.helper and the entry's helper: which one. */
#define SFW_HELPER_NONE		0
#define SFW_HELPER_FTP		1

struct sfw_expect;

/*
 * A connection a rule gave a helper (`ct helper set ftp`): a NAT-sized
 * entry (its NAT part unused, manip 0, unless the connection is also
 * translated) and the helper's state. ->lock serializes the packets of
 * both directions through the parser; ->exp, the master's one outstanding
 * expectation, is guarded by the namespace's expectation lock.
 */
struct sfw_conn_help {
	struct sfw_conn_nat cn;
	spinlock_t lock;
	struct sfw_expect *exp;
	struct sfw_ftp_state ftp;
};

static inline struct sfw_conn_help *sfw_conn_help(const struct sfw_conn *ct)
{
	if (!(ct->xflags & SFW_CONN_X_HELPER))
		return NULL;
	return container_of((struct sfw_conn *)ct, struct sfw_conn_help, cn.ct);
}

int sfw_expect_init_net(struct net *net, struct sfw_net *sn);
void sfw_expect_uninit_net(struct net *net, struct sfw_net *sn);

/*
 * A new connection's first packet, tuple @t, under RCU: does an
 * expectation await it? If so it is consumed (stat expect_new): true.
 */
bool sfw_expect_match(struct sfw_net *sn, const struct sfw_tuple *t);
/*
 * @master (a helper connection) announced @e: file it, the newest
 * winning. @nat_dst non-NULL: the announcement is rewritten to
 * @nat_dst and a port chosen from *@nat_dport up (returned there), and
 * the data connection, which comes to that address and port, is
 * translated to @e's at PRE_ROUTING (sfw_expect_nat_find()).
 */
int sfw_expect_create(struct sfw_net *sn, struct sfw_conn *master,
		      const struct sfw_ftp_expect *e, const union sfw_addr *nat_dst,
		      __be16 *nat_dport);
/*
 * At PRE_ROUTING, under RCU: does a rewritten announcement await @t, the
 * first packet of a new connection as it arrives? Then the address and
 * port it goes to (@dst, @dport). The expectation stays: the filter hook
 * consumes it (sfw_expect_match()) on the translated tuple.
 */
bool sfw_expect_nat_find(struct sfw_net *sn, const struct sfw_tuple *t,
			 union sfw_addr *dst, __be16 *dport);
/* @master is being destroyed: its expectation goes with it. */
void sfw_expect_master_gone(struct sfw_net *sn, struct sfw_conn *master);

/* What path.c calls on each payload-carrying packet of a helper connection. */
struct sk_buff;
void sfw_helper_packet(struct sfw_net *sn, struct sfw_conn *ct, enum sfw_dir dir,
		       const struct sk_buff *skb, const struct sfw_pkt *pkt);

#endif /* _SFW_EXPECT_H */
