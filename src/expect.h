/* SPDX-License-Identifier: GPL-2.0 */
/* Expectations (the data connections a helper announced); see expect.c. */
#ifndef _SFW_EXPECT_H
#define _SFW_EXPECT_H

#include "helper_ftp.h"
#include "nat.h"
#include "nat_helper.h"
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
 * translated) and the helper's state. One DNAT makes at PRE_ROUTING, when
 * the rule set has helper rules, is of this kind too, with ->helper
 * SFW_HELPER_NONE unless the rule that accepts it sets one. ->lock serializes the packets of
 * both directions through the parser; ->exp, the master's one outstanding
 * expectation, is guarded by the namespace's expectation lock. Behind
 * NAT (nat_helper.c) ->lock also guards the sequence corrections and the
 * last rewrite of each direction; ->adjusted, set once, says there are
 * corrections to make.
 */
struct sfw_conn_help {
	struct sfw_conn_nat cn;
	spinlock_t lock;
	struct sfw_expect *exp;
	u8 helper;		/* SFW_HELPER_*: set before the entry is confirmed */
	u8 adjusted;
	struct sfw_seqadj seq[SFW_DIR_COUNT];
	struct sfw_ftp_rewrite rw[SFW_DIR_COUNT];
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

/*
 * What path.c calls on each payload-carrying packet of a helper
 * connection; false: a rewrite failed, drop the packet.
 */
struct sk_buff;
bool sfw_helper_packet(struct sfw_net *sn, struct sfw_conn *ct, enum sfw_dir dir,
		       struct sk_buff *skb, const struct sfw_pkt *pkt);

/* What /proc/net/sfw/expect and SFW_CMD_EXPECT_GET show of one expectation. */
struct sfw_expect_info {
	struct sfw_tuple master;	/* its master's original tuple, as users see it */
	union sfw_addr src;
	union sfw_addr dst;
	union sfw_addr nat_dst;		/* nat: where it will arrive */
	__be16 dport;
	__be16 nat_dport;
	u8 l3num;
	u8 l4proto;
	u8 nat;				/* the announcement was rewritten */
	u32 timeout;			/* seconds left */
	const char *helper;		/* "ftp" */
};

/*
 * Where a walk stands: a bucket, and how many of its entries (expired ones
 * included, so that expiry does not move the rest) come before.
 */
struct sfw_expect_pos {
	unsigned int bucket;
	unsigned int skip;
};

/*
 * Call @fn on each live expectation of @sn from *@pos on, under RCU (@fn
 * must not sleep). A non-zero return from @fn stops the walk and is
 * returned, *@pos standing on that expectation, so that a next walk
 * starts with it; 0 at the end. Entries added or removed meanwhile may
 * be seen or not, and a walk resumed in a bucket that changed may see
 * one of that bucket's twice or miss one: the netlink dump resumes at a
 * bucket's start unless the bucket alone fills a message.
 */
int sfw_expect_walk(struct sfw_net *sn, struct sfw_expect_pos *pos,
		    int (*fn)(const struct sfw_expect_info *info, void *arg), void *arg);

#endif /* _SFW_EXPECT_H */
