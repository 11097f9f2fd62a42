// SPDX-License-Identifier: GPL-2.0
/*
 * Expectations: the data connections a helper saw announced on a control
 * connection (its master), which may open through a filter that admits
 * only `ct state established,related`. See helper_ftp.c for what FTP
 * announces.
 *
 * Table: per namespace, SFW_EXPECT_BUCKETS hlist heads keyed by (L4
 * protocol, destination address and port) under a random key; the
 * source address must match too, its port is a wildcard.
 *
 * Life of an expectation:
 *  created    by the helper (path.c -> sfw_helper_packet()), on a packet of
 *             its master that the rules accepted; at most one per master,
 *             the newest replacing the older, and net.sfw.expect_max per
 *             namespace (read-only in a namespace a user namespace owns).
 *  consumed   by the first packet of a new connection that matches it
 *             (path.c): that packet is RELATED, and its entry is created
 *             on pass as any other.
 *  deleted    at expiry (SFW_EXPECT_TIMEOUT: a lookup ignores it, the gc
 *             work unlinks it), when its master replaces it, or when the
 *             master is destroyed (conntrack.c calls
 *             sfw_expect_master_gone()). Freed after a grace period.
 *
 * Locking: lookups under RCU; every change under the namespace's expect
 * lock, taken with BHs off; it nests in no other lock (the helper's own
 * lock, struct sfw_conn_help, is dropped before an expectation is
 * filed). An unlinked expectation's node.pprev is LIST_POISON2, which
 * tells a racing consumer it lost. The master pointer of a linked
 * expectation is always valid: the master unlinks it, under the expect
 * lock, after it is marked DYING and before it is freed, and a DYING
 * master files nothing new.
 */
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "expect.h"

#define SFW_EXPECT_BUCKETS	256
#define SFW_EXPECT_TIMEOUT	(300 * HZ)
#define SFW_EXPECT_GC		(10 * HZ)
#define SFW_EXPECT_MAX		4096	/* net.sfw.expect_max's default */
#define SFW_EXPECT_NAT_TRIES	16	/* ports tried for a translated one */

struct sfw_expect {
	struct hlist_node node;		/* in table[], by (dst, dport) */
	struct hlist_node nat_node;	/* in nat_table[], by (nat_dst, nat_dport) */
	struct rcu_head rcu;
	struct sfw_conn *master;
	union sfw_addr src;
	union sfw_addr dst;
	union sfw_addr nat_dst;		/* announced in place of dst (nat) */
	__be16 dport;
	__be16 nat_dport;
	u8 l3num;
	u8 l4proto;
	u8 nat;				/* nat_node is linked */
	u32 expires;		/* jiffies */
};

struct sfw_expect_net {
	spinlock_t lock;
	atomic_t count;
	u32 seed;
	struct delayed_work gc;
	struct sfw_net *sn;
	struct hlist_head table[SFW_EXPECT_BUCKETS];
	struct hlist_head nat_table[SFW_EXPECT_BUCKETS];
};

static u32 bucket(const struct sfw_expect_net *en, const union sfw_addr *dst, __be16 dport,
		  u8 l4proto)
{
	return jhash2((const u32 *)dst, sizeof(*dst) / sizeof(u32),
		      en->seed ^ ((u32)ntohs(dport) << 8 | l4proto)) % SFW_EXPECT_BUCKETS;
}

static bool expired(const struct sfw_expect *exp)
{
	return (s32)((u32)jiffies - exp->expires) >= 0;
}

/* Expect lock held: unlink @exp, free it after a grace period. */
static void unlink_expect(struct sfw_expect_net *en, struct sfw_expect *exp)
{
	struct sfw_conn_help *help = sfw_conn_help(exp->master);

	if (help->exp == exp)
		help->exp = NULL;
	hlist_del_rcu(&exp->node);
	if (exp->nat)
		hlist_del_rcu(&exp->nat_node);
	atomic_dec(&en->count);
	sfw_stat_inc(en->sn, SFW_STAT_EXPECT_DELETE);
	kfree_rcu(exp, rcu);
}

/* Expect lock held: unlink the expired ones; how many went. */
static unsigned int reap(struct sfw_expect_net *en)
{
	struct sfw_expect *exp;
	struct hlist_node *tmp;
	unsigned int i, n = 0;

	for (i = 0; i < SFW_EXPECT_BUCKETS; i++)
		hlist_for_each_entry_safe(exp, tmp, &en->table[i], node)
			if (expired(exp)) {
				unlink_expect(en, exp);
				n++;
			}
	return n;
}

static void gc_work(struct work_struct *work)
{
	struct sfw_expect_net *en = container_of(to_delayed_work(work),
						 struct sfw_expect_net, gc);

	spin_lock_bh(&en->lock);
	reap(en);
	spin_unlock_bh(&en->lock);
	if (atomic_read(&en->count))
		queue_delayed_work(system_power_efficient_wq, &en->gc, SFW_EXPECT_GC);
}

bool sfw_expect_match(struct sfw_net *sn, const struct sfw_tuple *t)
{
	struct sfw_expect_net *en = sn->expect;
	struct sfw_expect *exp, *found = NULL;
	u32 b;

	if (!atomic_read(&en->count))
		return false;
	b = bucket(en, &t->dst, t->dport, t->l4proto);
	hlist_for_each_entry_rcu(exp, &en->table[b], node) {
		if (exp->l3num == t->l3num && exp->l4proto == t->l4proto &&
		    exp->dport == t->dport &&
		    !memcmp(&exp->dst, &t->dst, sizeof(exp->dst)) &&
		    !memcmp(&exp->src, &t->src, sizeof(exp->src)) && !expired(exp)) {
			found = exp;
			break;
		}
	}
	if (!found)
		return false;
	/* Whoever unlinks it first (this packet, its master, the gc) owns it. */
	spin_lock(&en->lock);
	if (found->node.pprev == LIST_POISON2) {
		spin_unlock(&en->lock);
		return false;
	}
	unlink_expect(en, found);
	spin_unlock(&en->lock);
	sfw_stat_inc(sn, SFW_STAT_EXPECT_NEW);
	return true;
}

bool sfw_expect_nat_find(struct sfw_net *sn, const struct sfw_tuple *t,
			 union sfw_addr *dst, __be16 *dport)
{
	struct sfw_expect_net *en = sn->expect;
	struct sfw_expect *exp;
	u32 b;

	if (!atomic_read(&en->count) || t->l4proto != SFW_IPPROTO_TCP)
		return false;
	b = bucket(en, &t->dst, t->dport, t->l4proto);
	hlist_for_each_entry_rcu(exp, &en->nat_table[b], nat_node) {
		if (exp->l3num == t->l3num && exp->nat_dport == t->dport &&
		    !memcmp(&exp->nat_dst, &t->dst, sizeof(exp->nat_dst)) &&
		    !memcmp(&exp->src, &t->src, sizeof(exp->src)) && !expired(exp)) {
			*dst = exp->dst;
			*dport = exp->dport;
			return true;
		}
	}
	return false;
}

/* Expect lock held: does a live expectation take (@dst, @dport) outside? */
static bool nat_taken(struct sfw_expect_net *en, u8 l3num, const union sfw_addr *dst,
		      __be16 dport)
{
	struct sfw_expect *exp;

	hlist_for_each_entry(exp, &en->nat_table[bucket(en, dst, dport, SFW_IPPROTO_TCP)],
			     nat_node)
		if (exp->l3num == l3num && exp->nat_dport == dport &&
		    !memcmp(&exp->nat_dst, dst, sizeof(*dst)) && !expired(exp))
			return true;
	return false;
}

int sfw_expect_create(struct sfw_net *sn, struct sfw_conn *master,
		      const struct sfw_ftp_expect *e, const union sfw_addr *nat_dst,
		      __be16 *nat_dport)
{
	struct sfw_conn_help *help = sfw_conn_help(master);
	struct sfw_expect_net *en = sn->expect;
	unsigned int max = READ_ONCE(sn->expect_max);
	struct sfw_expect *exp;
	int ret;

	if (!help)
		return -EINVAL;
	exp = kzalloc(sizeof(*exp), GFP_ATOMIC | __GFP_ACCOUNT);
	if (!exp)
		return -ENOMEM;
	exp->master = master;
	exp->src = e->src;
	exp->dst = e->dst;
	exp->dport = e->dport;
	exp->l3num = e->l3num;
	exp->l4proto = SFW_IPPROTO_TCP;
	exp->expires = (u32)jiffies + SFW_EXPECT_TIMEOUT;

	spin_lock(&en->lock);
	ret = -ESRCH;
	if (READ_ONCE(master->status) & SFW_CONN_DYING)
		goto out_free;
	/* One per master: the newest wins. */
	if (help->exp)
		unlink_expect(en, help->exp);
	ret = -ENOSPC;
	if (atomic_read(&en->count) >= max && !reap(en))
		goto out_free;
	if (atomic_read(&en->count) >= max)
		goto out_free;
	if (nat_dst) {
		/* The announced port if no one else was given it, else one above. */
		u16 port = ntohs(e->dport), i;

		ret = -EADDRINUSE;
		for (i = 0; i < SFW_EXPECT_NAT_TRIES; i++, port = port == 65535 ? 1024 : port + 1)
			if (!nat_taken(en, e->l3num, nat_dst, htons(port)))
				break;
		if (i == SFW_EXPECT_NAT_TRIES)
			goto out_free;
		exp->nat = 1;
		exp->nat_dst = *nat_dst;
		exp->nat_dport = htons(port);
		*nat_dport = exp->nat_dport;
		hlist_add_head_rcu(&exp->nat_node,
				   &en->nat_table[bucket(en, nat_dst, exp->nat_dport,
							 exp->l4proto)]);
	}
	hlist_add_head_rcu(&exp->node, &en->table[bucket(en, &exp->dst, exp->dport,
							  exp->l4proto)]);
	help->exp = exp;
	atomic_inc(&en->count);
	spin_unlock(&en->lock);
	sfw_stat_inc(sn, SFW_STAT_EXPECT_CREATE);
	if (!delayed_work_pending(&en->gc))
		queue_delayed_work(system_power_efficient_wq, &en->gc, SFW_EXPECT_GC);
	return 0;

out_free:
	spin_unlock(&en->lock);
	kfree(exp);
	if (ret == -ENOSPC)
		net_warn_ratelimited("expectation table full (net.sfw.expect_max %u)\n", max);
	return ret;
}

void sfw_expect_master_gone(struct sfw_net *sn, struct sfw_conn *master)
{
	struct sfw_conn_help *help = sfw_conn_help(master);
	struct sfw_expect_net *en = sn->expect;

	if (!help)
		return;
	spin_lock_bh(&en->lock);
	if (help->exp)
		unlink_expect(en, help->exp);
	spin_unlock_bh(&en->lock);
}

/*
 * The helper on one packet of @ct that the rules accepted, with payload:
 * the payload goes through the parser in chunks (it may be paged), under
 * the connection's helper lock. Under RCU, BHs off.
 */
bool sfw_helper_packet(struct sfw_net *sn, struct sfw_conn *ct, enum sfw_dir dir,
		       struct sk_buff *skb, const struct sfw_pkt *pkt)
{
	struct sfw_conn_help *help = sfw_conn_help(ct);
	unsigned int off, done = 0, len = pkt->payload_len;
	struct sfw_ftp_result res = { };
	struct sfw_ftp_rewrite prev;
	struct sfw_tuple t;
	u8 chunk[256];

	if (!help || help->helper != SFW_HELPER_FTP || !len ||
	    pkt->tuple.l4proto != SFW_IPPROTO_TCP)
		return true;
	sfw_conn_tuple(ct, &t);
	off = skb_network_offset(skb) + pkt->l4_off + pkt->tcp.doff * 4;
	spin_lock(&help->lock);
	prev = help->rw[dir];
	while (done < len) {
		unsigned int n = min_t(unsigned int, len - done, sizeof(chunk));
		const u8 *p = skb_header_pointer(skb, off + done, n, chunk);

		if (!p)
			break;
		sfw_helper_ftp_data(&help->ftp, &t, dir, pkt->tcp.seq + done, p, n, &res);
		done += n;
	}
	spin_unlock(&help->lock);

	/* An FTP bounce, or garbage: no expectation, and a line in the log. */
	if (res.bounce && t.l3num == SFW_AF_INET)
		net_info_ratelimited("ftp: refused an address other than the peer's %pI4 (bounce)\n",
				     dir == SFW_DIR_ORIGINAL ? &t.src.ip : &t.dst.ip);
	else if (res.bounce)
		net_info_ratelimited("ftp: refused an address other than the peer's %pI6c (bounce)\n",
				     dir == SFW_DIR_ORIGINAL ? t.src.ip6 : t.dst.ip6);
	else if (res.bad)
		net_info_ratelimited("ftp: ignored a malformed announcement\n");
	if (res.found && !sfw_nat_helper_announce(sn, ct, dir, skb, pkt, &res))
		return false;
	/*
	 * A retransmitted announcement is rewritten as it was. After the new
	 * one, if any: that lies later in the packet, so this one's place
	 * holds.
	 */
	return sfw_nat_helper_resend(&prev, skb, pkt);
}

int sfw_expect_init_net(struct net *net, struct sfw_net *sn)
{
	struct sfw_expect_net *en;
	unsigned int i;

	en = kzalloc(sizeof(*en), GFP_KERNEL_ACCOUNT);
	if (!en)
		return -ENOMEM;
	spin_lock_init(&en->lock);
	atomic_set(&en->count, 0);
	en->seed = get_random_u32();
	en->sn = sn;
	INIT_DELAYED_WORK(&en->gc, gc_work);
	for (i = 0; i < SFW_EXPECT_BUCKETS; i++) {
		INIT_HLIST_HEAD(&en->table[i]);
		INIT_HLIST_HEAD(&en->nat_table[i]);
	}
	sn->expect = en;
	sn->expect_max = SFW_EXPECT_MAX;
	return 0;
}

/* After the tracker's uninit: every master, and so every expectation, is gone. */
void sfw_expect_uninit_net(struct net *net, struct sfw_net *sn)
{
	struct sfw_expect_net *en = sn->expect;

	cancel_delayed_work_sync(&en->gc);
	WARN_ON_ONCE(atomic_read(&en->count));
	kfree(en);
}

/*
 * Listing (/proc/net/sfw/expect, SFW_CMD_EXPECT_GET): one walker for
 * both. An expectation seen linked under RCU has a valid master for the
 * rest of the read section: the master unlinks it before its own
 * call_rcu().
 */
static void expect_info(const struct sfw_expect *exp, struct sfw_expect_info *info)
{
	s32 left = (s32)(READ_ONCE(exp->expires) - (u32)jiffies);
	struct sfw_tuple reply;

	memset(info, 0, sizeof(*info));
	sfw_nat_tuples(exp->master, &info->master, &reply);
	info->src = exp->src;
	info->dst = exp->dst;
	info->dport = exp->dport;
	info->l3num = exp->l3num;
	info->l4proto = exp->l4proto;
	info->nat = exp->nat;
	if (exp->nat) {
		info->nat_dst = exp->nat_dst;
		info->nat_dport = exp->nat_dport;
	}
	info->timeout = left > 0 ? left / HZ : 0;
	info->helper = "ftp";
}

int sfw_expect_walk(struct sfw_net *sn, struct sfw_expect_pos *pos,
		    int (*fn)(const struct sfw_expect_info *info, void *arg), void *arg)
{
	struct sfw_expect_net *en = sn->expect;
	struct sfw_expect_info info;
	struct sfw_expect *exp;
	int ret = 0;

	rcu_read_lock();
	for (; pos->bucket < SFW_EXPECT_BUCKETS; pos->bucket++, pos->skip = 0) {
		unsigned int i = 0;

		hlist_for_each_entry_rcu(exp, &en->table[pos->bucket], node) {
			if (i++ < pos->skip)
				continue;
			if (!expired(exp)) {
				expect_info(exp, &info);
				ret = fn(&info, arg);
				if (ret)
					goto out;
			}
			pos->skip++;
		}
	}
out:
	rcu_read_unlock();
	return ret;
}
