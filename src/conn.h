/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The connection object: one per tracked connection, 160 bytes.
 *
 * It is hashed twice in the one global table, once per direction, through
 * hnode[SFW_DIR_ORIGINAL] and hnode[SFW_DIR_REPLY]. Only the original
 * tuple is stored; a lookup compares a reply-direction node against the
 * inverted tuple. Which of the two nodes a chain walk landed on is told
 * by the node's address: objects are SFW_CONN_ALIGN (32) aligned and
 * hnode[1] sits 16 bytes in, so bit 4 of a node's address is its
 * direction (sfw_conn_from_node()).
 *
 * Locking: the protocol state, status, expiry and accounting of an entry
 * are written under the lock of its timer-wheel stripe (->wheel, see
 * timer_wheel.c); readers of /proc and dumps read them with READ_ONCE
 * under RCU and may see a packet's update half done, as nf_conntrack's
 * readers may. The rcu_head overlays the wheel link: an entry leaves the
 * wheel before it is handed to call_rcu(), and nobody walks the wheel
 * under RCU.
 */
#ifndef _SFW_CONN_H
#define _SFW_CONN_H

#include <linux/list_nulls.h>
#include <linux/rculist_nulls.h>

#include "sfw_core.h"
#include "proto.h"

/* ->status: written under the wheel-stripe lock. */
#define SFW_CONN_CONFIRMED	0x01	/* its first packet passed the filter hooks */
#define SFW_CONN_SEEN_REPLY	0x02
#define SFW_CONN_ASSURED	0x04
#define SFW_CONN_DYING		0x08	/* claimed for deletion; being unhashed */
#define SFW_CONN_STRIPE_SHIFT	4	/* the rest: the wheel stripe, fixed at birth */

/* ->xflags: what kind of object it is, set before it is hashed. */
#define SFW_CONN_X_NAT		0x01	/* a struct sfw_conn_nat (nat.h) */
/* 0x02: SFW_CONN_X_HELPER, a struct sfw_conn_help (expect.h) */
#define SFW_CONN_X_LOCAL	0x04	/* the gateway's own: made at LOCAL_IN or LOCAL_OUT */
/* 0x08..0x40: SFW_CONN_X_SRC_ALL, the per-source counts it holds (srclimit.h) */

#define SFW_CONN_ALIGN		32
#define SFW_TUPLE_KEY_LEN	offsetof(struct sfw_tuple, pad)

struct sfw_conn {
	struct hlist_nulls_node hnode[SFW_DIR_COUNT];
	union {
		struct sfw_tuple tuple;		/* original direction */
		struct {
			/* the tuple's two always-zero pad bytes, put to use */
			u8 __key[SFW_TUPLE_KEY_LEN];
			u8 status;		/* SFW_CONN_*; high nibble: wheel stripe */
			u8 xflags;		/* SFW_CONN_X_*: fixed at birth */
		};
	};
	union sfw_proto_state ps;
	u32 net_id;		/* net->ns.inum */
	u32 expires;		/* jiffies */
	union {
		struct hlist_node wnode;	/* in a timer-wheel slot */
		struct rcu_head rcu;		/* after it left the wheel */
	};
	u32 packets[SFW_DIR_COUNT];
	u64 bytes[SFW_DIR_COUNT];
};

/* The timer-wheel stripe whose lock guards @ct (timer_wheel.c). */
static inline u8 sfw_conn_stripe(const struct sfw_conn *ct)
{
	return READ_ONCE(ct->status) >> SFW_CONN_STRIPE_SHIFT;
}

static_assert(sizeof(struct sfw_conn) <= 160, "the connection object is 160 bytes at most");

static inline enum sfw_dir sfw_conn_node_dir(const struct hlist_nulls_node *n)
{
	return ((unsigned long)n & sizeof(struct hlist_nulls_node)) ?
	       SFW_DIR_REPLY : SFW_DIR_ORIGINAL;
}

static inline struct sfw_conn *sfw_conn_from_node(const struct hlist_nulls_node *n,
						  enum sfw_dir *dir)
{
	*dir = sfw_conn_node_dir(n);
	return container_of((struct hlist_nulls_node *)n, struct sfw_conn, hnode[*dir]);
}

/*
 * Walk the nodes of one chain, under RCU or the chain's bucket lock;
 * sfw_conn_from_node() turns a node into its entry and direction.
 */
#define sfw_conn_for_each_node(n, head)					\
	for (n = rcu_dereference_raw(hlist_nulls_first_rcu(head));	\
	     !is_a_nulls(n);						\
	     n = rcu_dereference_raw(hlist_nulls_next_rcu(n)))

/* The tuple as it would be looked up: the pad bytes zeroed. */
static inline void sfw_conn_tuple(const struct sfw_conn *ct, struct sfw_tuple *t)
{
	*t = ct->tuple;
	t->pad[0] = 0;
	t->pad[1] = 0;
}

#endif /* _SFW_CONN_H */
