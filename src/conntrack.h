/* SPDX-License-Identifier: GPL-2.0 */
/* The connection table; see conntrack.c. */
#ifndef _SFW_CONNTRACK_H
#define _SFW_CONNTRACK_H

#include "conn.h"
#include "ct_record.h"
#include "packet.h"
#include "sfw.h"

int sfw_conntrack_init(void);
void sfw_conntrack_uninit(void);
int sfw_conntrack_init_net(struct net *net, struct sfw_net *sn);
void sfw_conntrack_uninit_net(struct net *net, struct sfw_net *sn);

/* The hash a tuple is filed under in namespace @net_id. */
u32 sfw_conntrack_hash(const struct sfw_tuple *t, u32 net_id);
/* Under rcu_read_lock(): the live entry with tuple @t either way round. */
struct sfw_conn *sfw_conntrack_find(struct sfw_net *sn, const struct sfw_tuple *t,
				    u32 hash, enum sfw_dir *dir);
struct sfw_conn *sfw_conntrack_lookup(struct sfw_net *sn, const struct sfw_tuple *t,
				      enum sfw_dir *dir);
/*
 * Making a new entry (see conntrack.c): with BHs off (GFP_ATOMIC), or from
 * process context (a restore: GFP_KERNEL_ACCOUNT, charged to the caller).
 */
struct sfw_conn *sfw_conntrack_alloc(struct sfw_net *sn, u32 hash, u8 xflags, gfp_t gfp);
void sfw_conntrack_free(struct sfw_net *sn, struct sfw_conn *ct);
int sfw_conntrack_insert(struct sfw_net *sn, struct sfw_conn *ct, const struct sfw_tuple *t,
			 u32 h0, const union sfw_proto_state *ps, u32 timeout, u32 len,
			 bool confirm);
bool sfw_conntrack_confirm(struct sfw_net *sn, struct sfw_conn *ct);
/* BHs off: a restored entry (ct_restore.c); 0 or -errno, @ct freed on error. */
int sfw_conntrack_restore(struct sfw_net *sn, struct sfw_conn *ct, const struct sfw_tuple *t,
			  u32 h0, const struct sfw_ct_record *r);
/* BHs off: a new, confirmed entry without NAT; 0 or -errno. */
int sfw_conntrack_add(struct sfw_net *sn, const struct sfw_pkt *pkt, u32 h0,
		      const union sfw_proto_state *ps, u32 timeout, struct sfw_conn **out);
/* Why an entry went: the DESTROY event says (sfw_ct_end_names[]). */
enum sfw_ct_end {
	SFW_END_NONE,
	SFW_END_EXPIRED,
	SFW_END_DELETED,
	SFW_END_RECHECK,
	SFW_END_REOPENED,
	SFW_END_EARLY_DROP,
	SFW_END_REFUSED,
	SFW_END_BACKEND_GONE,
	SFW_END_ADDRESS_GONE,
	SFW_END_NAMESPACE,
	SFW_END_COUNT
};

extern const char *const sfw_ct_end_names[SFW_END_COUNT];

/* Delete @ct (found under RCU) for @why; false if somebody else already is. */
bool sfw_conntrack_delete(struct sfw_net *sn, struct sfw_conn *ct, enum sfw_ct_end why);
/* The two halves of a delete: claim under the stripe lock, destroy after. */
bool sfw_conntrack_claim(struct sfw_net *sn, struct sfw_conn *ct);
void sfw_conntrack_destroy(struct sfw_net *sn, struct sfw_conn *ct, enum sfw_ct_end why);

/*
 * The one walk of the table. sfw_conntrack_for_each_visible() visits the
 * entries of @sn in bucket @b that users see (live, original direction),
 * under RCU; /proc and dumps use it to resume at a bucket, and
 * sfw_conntrack_cleanup() walks every bucket with it to delete what
 * @kill picks (flush, delete by filter, recheck).
 */
unsigned int sfw_conntrack_buckets(void);
struct hlist_nulls_head *sfw_conntrack_bucket(unsigned int i);
bool sfw_conntrack_visible(const struct sfw_conn *ct, enum sfw_dir dir,
			   const struct sfw_net *sn);

/* Node @n or the first after it whose entry @sn's users see, in *@ct. */
static inline struct hlist_nulls_node *sfw_conntrack_skip(struct hlist_nulls_node *n,
							  const struct sfw_net *sn,
							  struct sfw_conn **ct)
{
	enum sfw_dir dir;

	for (; !is_a_nulls(n); n = rcu_dereference_raw(hlist_nulls_next_rcu(n))) {
		*ct = sfw_conn_from_node(n, &dir);
		if (sfw_conntrack_visible(*ct, dir, sn))
			break;
	}
	return n;
}

#define sfw_conntrack_for_each_visible(ct, n, sn, b)				\
	for (n = sfw_conntrack_skip(						\
		     rcu_dereference_raw(hlist_nulls_first_rcu(sfw_conntrack_bucket(b))), \
		     sn, &(ct));						\
	     !is_a_nulls(n);							\
	     n = sfw_conntrack_skip(rcu_dereference_raw(hlist_nulls_next_rcu(n)), sn, &(ct)))

u32 sfw_conntrack_cleanup(struct sfw_net *sn,
			  bool (*kill)(struct sfw_net *sn, struct sfw_conn *ct, void *arg),
			  void *arg, enum sfw_ct_end why);

/* @secs as jiffies, scaled by adaptive timeouts for the table's fill (ct_limits.h). */
u32 sfw_conntrack_timeout(struct sfw_net *sn, u32 secs);

/* Seconds until @ct expires (0 if due). */
u32 sfw_conntrack_timeout_left(const struct sfw_conn *ct);

/* For the netlink API. */
unsigned int sfw_conntrack_max_chain(void);

#endif /* _SFW_CONNTRACK_H */
