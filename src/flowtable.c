// SPDX-License-Identifier: GPL-2.0
/*
 * The fast path: established flows forwarded from the device's ingress,
 * as nftables' flowtables forward them, through sfw's own tracker.
 *
 * A rule set names flowtables, `flowtable ft { devices = { lan0, wan0 } }`,
 * and a forward rule puts the connections it accepts on one, `ct state
 * established flow add @ft`. Then:
 *
 *  - Offload (sfw_flowtable_offload(), at FORWARD, after the rules
 *    accepted an established packet): the packet's direction gets a flow
 *    record, keyed by its tuple as it arrives on the wire (before DNAT,
 *    or to the SNAT address), holding its entry, the devices it came in
 *    and goes out by (both the flowtable's), the next hop the route gave
 *    it, and the rule-set epoch that judged it. Each direction is put
 *    there by a packet of its own, so each has its own route.
 *
 *  - The fast path (ingress hook of each flowtable device): parse once,
 *    find the record, check it may go (below), run the entry's state
 *    machine as the slow path does (counters, timeouts, events, window
 *    checks: the entry stays what it would be), translate (NAT),
 *    decrement the TTL or hop limit, and hand the packet to the output
 *    device's neighbour. Routing, the netfilter hooks, and sfw's rules
 *    are skipped; nothing else is.
 *
 *  - The slow way, instead, for anything the fast path cannot answer for:
 *    no record; another input device; a rule set or set changed since the
 *    record was made (the epoch, bumped by rules.c after each swap: the
 *    slow path judges the packet by the new rules and a `flow add` rule
 *    may put it back); TCP SYN, FIN or RST (the slow path closes the
 *    connection); a packet the state machine refuses; IP options, IPv6
 *    extension headers, fragments, a TTL of 1 or a bad IPv4 header
 *    checksum (the stack answers those); a packet bigger than the output
 *    device's MTU (the stack sends the ICMP error, so PMTU discovery
 *    works); an output device gone or down.
 *
 *  - Records go with their entry: sfw_flowtable_forget() runs in
 *    sfw_conntrack_destroy() while the NAT tuples are still there. An
 *    offload racing with the entry's deletion is settled by the DYING
 *    flag: the offload inserts and then looks at the flag, the deletion
 *    sets the flag and then looks for records, with a full barrier
 *    between on each side, so one of them sees the other and removes
 *    the record; only the remover that succeeds frees it (after RCU).
 *
 *  - Hooks: a device's ingress is hooked while the running rule set's
 *    flowtables name it. Loading a rule set hooks the devices it names
 *    before the swap (a missing one refuses the load with ENODEV) and
 *    unhooks the others after it. A device that goes is unhooked; one
 *    that comes back by a name the running rules name is hooked again.
 *    The device list is under RTNL; the hook's ->priv is the namespace's
 *    struct sfw_net, which outlives every hook.
 *
 * Not offloaded: connections a helper watches (FTP control: the helper
 * reads their payload), protocols other than TCP and UDP, and a
 * direction routed into IPsec or a lightweight tunnel (the stack must
 * encapsulate it; nf_flow_table declines those too).
 * nf_conntrack, if loaded beside sfw, does not see offloaded packets, as
 * with nft's flowtables.
 */
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/rhashtable.h>
#include <linux/if_vlan.h>
#include <net/dst.h>
#include <net/ip.h>
#include <net/lwtunnel.h>
#include <net/ip6_route.h>
#include <net/neighbour.h>
#include <net/route.h>

#include "compat.h"
#include "conntrack.h"
#include "expect.h"
#include "flowtable.h"
#include "nat.h"
#include "rules.h"
#include "timer_wheel.h"

/* One direction of an offloaded connection. */
struct sfw_flow {
	struct rhash_head node;
	struct sfw_tuple key;	/* the packet as it arrives at ingress */
	struct sfw_conn *ct;
	u64 epoch;		/* sn->flow_epoch of the rules that offloaded it */
	int iif, oif;
	union sfw_addr nexthop;
	u8 dir;			/* enum sfw_dir */
	struct rcu_head rcu;
};

/* A device whose ingress is hooked. */
struct sfw_flow_dev {
	struct list_head list;
	struct nf_hook_ops ops;	/* .dev: the device */
	bool fresh;		/* hooked by this sfw_flowtable_hook(), not yet done */
	struct rcu_head rcu;
};

struct sfw_flowtable_net {
	struct rhashtable flows;
	atomic_t count;
	struct list_head devs;	/* struct sfw_flow_dev, under RTNL */
};

static const struct rhashtable_params sfw_flow_params = {
	.head_offset = offsetof(struct sfw_flow, node),
	.key_offset = offsetof(struct sfw_flow, key),
	.key_len = SFW_TUPLE_KEY_LEN,
	.automatic_shrinking = true,
};

/* Records at most: two per entry the table may hold. */
static unsigned int flows_max(const struct sfw_net *sn)
{
	unsigned int max = READ_ONCE(sn->conntrack_max);

	return max ? 2 * max : 1U << 21;
}

static void flow_remove(struct sfw_flowtable_net *ftn, struct sfw_flow *f)
{
	/* Of two removers, the one that unlinks it frees it. */
	if (rhashtable_remove_fast(&ftn->flows, &f->node, sfw_flow_params))
		return;
	atomic_dec(&ftn->count);
	kfree_rcu(f, rcu);
}

/* Offload. */

/* The next hop the route gave the packet; false if there is none to use. */
static bool nexthop(const struct sk_buff *skb, u8 l3num, union sfw_addr *nh)
{
	const struct dst_entry *dst = skb_dst(skb);

	memset(nh, 0, sizeof(*nh));
	/* An IPsec bundle or a tunnel's redirect is not a neighbour's to send to. */
	if (!dst || dst_xfrm(dst) ||
	    (dst->lwtstate && lwtunnel_xmit_redirect(dst->lwtstate)))
		return false;
	if (l3num == SFW_AF_INET) {
		const struct rtable *rt = (const struct rtable *)dst;

		if (rt->rt_gw_family == AF_INET6)
			return false;
		nh->ip = rt_nexthop(rt, ip_hdr(skb)->daddr);
		return true;
	}
#if IS_ENABLED(CONFIG_IPV6)
	memcpy(nh->ip6, rt6_nexthop((struct rt6_info *)dst, &ipv6_hdr(skb)->daddr),
	       sizeof(nh->ip6));
	return true;
#else
	return false;
#endif
}

void sfw_flowtable_offload(struct sfw_net *sn, struct sk_buff *skb,
			   const struct nf_hook_state *state, const struct sfw_ct_verdict *v)
{
	struct sfw_flowtable_net *ftn = sn->flowtable;
	const struct sfw_rules *rules = rcu_dereference(sn->rules);
	const struct sfw_ruleset_flowtable *ft;
	struct sfw_conn *ct = v->ct;
	struct sfw_tuple key[SFW_DIR_COUNT];
	struct sfw_flow *f;
	union sfw_addr nh;

	if (!rules || v->flow_table < 0 || v->flow_table >= rules->rs->nflowtables ||
	    !state->in || !state->out)
		return;
	/* In and out by the flowtable's devices; TCP and UDP; no helper reading it. */
	ft = &rules->rs->flowtables[v->flow_table];
	if (!sfw_ruleset_flowtable_has(ft, state->in->name) ||
	    !sfw_ruleset_flowtable_has(ft, state->out->name))
		return;
	if (v->pkt.tuple.l4proto != SFW_IPPROTO_TCP && v->pkt.tuple.l4proto != SFW_IPPROTO_UDP)
		return;
	if (ct->xflags & SFW_CONN_X_HELPER)
		return;
	if (!nexthop(skb, v->pkt.tuple.l3num, &nh))
		return;
	sfw_nat_tuples(ct, &key[SFW_DIR_ORIGINAL], &key[SFW_DIR_REPLY]);

	f = rhashtable_lookup(&ftn->flows, &key[v->dir], sfw_flow_params);
	if (f) {
		if (f->ct != ct)
			return;		/* another's tuple: leave it the slow way */
		if (f->iif == state->in->ifindex && f->oif == state->out->ifindex &&
		    !memcmp(&f->nexthop, &nh, sizeof(nh))) {
			/* Judged again after a rule-set change: back on the fast path. */
			if (f->epoch != v->epoch)
				WRITE_ONCE(f->epoch, v->epoch);
			return;
		}
		flow_remove(ftn, f);	/* the route changed: a new record */
	}
	if (atomic_read(&ftn->count) >= flows_max(sn))
		return;
	f = kzalloc(sizeof(*f), GFP_ATOMIC);
	if (!f)
		return;
	f->key = key[v->dir];
	f->ct = ct;
	f->epoch = v->epoch;
	f->iif = state->in->ifindex;
	f->oif = state->out->ifindex;
	f->nexthop = nh;
	f->dir = v->dir;
	if (rhashtable_lookup_insert_fast(&ftn->flows, &f->node, sfw_flow_params)) {
		kfree(f);
		return;
	}
	atomic_inc(&ftn->count);
	sfw_stat_inc(sn, SFW_STAT_OFFLOAD);
	/* Pairs with sfw_flowtable_forget(): the entry's deletion sees it, or it sees DYING. */
	smp_mb();
	if (READ_ONCE(ct->status) & SFW_CONN_DYING)
		flow_remove(ftn, f);
}

void sfw_flowtable_forget(struct sfw_net *sn, struct sfw_conn *ct)
{
	struct sfw_flowtable_net *ftn = sn->flowtable;
	struct sfw_tuple key[SFW_DIR_COUNT];
	struct sfw_flow *f;
	int d;

	/* A namespace without one (the tracker's self-test at load) has none to forget. */
	if (!ftn)
		return;
	/* Pairs with the offload's: DYING is set, then records are looked for. */
	smp_mb();
	if (!atomic_read(&ftn->count))
		return;
	sfw_nat_tuples(ct, &key[SFW_DIR_ORIGINAL], &key[SFW_DIR_REPLY]);
	rcu_read_lock();
	for (d = 0; d < SFW_DIR_COUNT; d++) {
		f = rhashtable_lookup(&ftn->flows, &key[d], sfw_flow_params);
		if (f && f->ct == ct)
			flow_remove(ftn, f);
	}
	rcu_read_unlock();
}

unsigned int sfw_flowtable_count(struct sfw_net *sn)
{
	return atomic_read(&sn->flowtable->count);
}

/* The fast path. */

/* The IP header the fast path takes: no options or extensions, no fragment, TTL > 1. */
static bool header_ok(struct sk_buff *skb, u8 pf)
{
	if (pf == NFPROTO_IPV4) {
		const struct iphdr *iph;

		if (!pskb_may_pull(skb, sizeof(*iph)))
			return false;
		iph = ip_hdr(skb);
		return iph->version == 4 && iph->ihl == 5 && iph->ttl > 1 &&
		       !ip_is_fragment(iph) && ntohs(iph->tot_len) == skb->len &&
		       !ip_fast_csum(iph, iph->ihl);
	} else {
		const struct ipv6hdr *ip6h;

		if (!pskb_may_pull(skb, sizeof(*ip6h)))
			return false;
		ip6h = ipv6_hdr(skb);
		return ip6h->version == 6 && ip6h->hop_limit > 1 &&
		       (ip6h->nexthdr == IPPROTO_TCP || ip6h->nexthdr == IPPROTO_UDP) &&
		       ntohs(ip6h->payload_len) + sizeof(*ip6h) == skb->len;
	}
}

/* Fits the output device's MTU (a GSO packet: each of its segments). */
static bool fits(const struct sk_buff *skb, const struct net_device *dev)
{
	unsigned int mtu = READ_ONCE(dev->mtu);

	if (skb->len <= mtu)
		return true;
	return skb_is_gso(skb) && skb_gso_validate_network_len(skb, mtu);
}

/* Hand the packet, translated, to @dev's neighbour for @f's next hop. */
static void xmit(struct sk_buff *skb, struct net_device *dev, const struct sfw_flow *f, u8 pf)
{
	unsigned int hh_len = LL_RESERVED_SPACE(dev);

	if (pf == NFPROTO_IPV4)
		ip_decrease_ttl(ip_hdr(skb));
	else
		ipv6_hdr(skb)->hop_limit--;
	/* As ip_forward() leaves it: the checksum the device gave no longer holds. */
	skb_forward_csum(skb);
	skb_clear_tstamp(skb);
	if (skb_headroom(skb) < hh_len && dev->header_ops && skb_cow_head(skb, hh_len)) {
		kfree_skb(skb);
		return;
	}
	skb->dev = dev;
	if (pf == NFPROTO_IPV4)
		neigh_xmit(NEIGH_ARP_TABLE, dev, (void *)&f->nexthop.ip, skb);
	else
		neigh_xmit(NEIGH_ND_TABLE, dev, (void *)f->nexthop.ip6, skb);
}

static unsigned int fastpath(struct sfw_net *sn, struct sk_buff *skb, u8 pf)
{
	struct sfw_flowtable_net *ftn = sn->flowtable;
	struct sfw_proto_result res;
	struct net_device *out;
	struct sfw_flow *f;
	struct sfw_pkt pkt;

	/* 1. Parse once; only what the fast path can forward as it is. */
	if (!header_ok(skb, pf) || sfw_path_parse(&pkt, skb, pf))
		return NF_ACCEPT;
	if (pkt.tuple.l4proto == SFW_IPPROTO_TCP &&
	    (pkt.tcp.flags & (SFW_TCPH_SYN | SFW_TCPH_FIN | SFW_TCPH_RST)))
		return NF_ACCEPT;

	/* 2. Its flow: from this device, offloaded by the rules running now. */
	f = rhashtable_lookup(&ftn->flows, &pkt.tuple, sfw_flow_params);
	if (!f || f->iif != skb->dev->ifindex)
		return NF_ACCEPT;
	/* Pairs with rules.c's release after a swap: a change since sends it the slow way. */
	if (READ_ONCE(f->epoch) != smp_load_acquire(&sn->flow_epoch))
		return NF_ACCEPT;
	out = dev_get_by_index_rcu(dev_net(skb->dev), f->oif);
	if (!out || !(out->flags & IFF_UP) || !fits(skb, out))
		return NF_ACCEPT;

	/* 3. The entry's state machine, as on the slow path. */
	if (sfw_path_update(sn, f->ct, f->dir, &pkt, &res) ||
	    res.ctinfo != SFW_CT_ESTABLISHED)
		return NF_ACCEPT;

	/* 4. Translate, and out by the neighbour. */
	if ((f->ct->xflags & SFW_CONN_X_NAT) && !sfw_nat_translate_flow(skb, &pkt, f->ct, f->dir))
		return NF_DROP;
	if (skb_ensure_writable(skb, pf == NFPROTO_IPV4 ? sizeof(struct iphdr) :
				sizeof(struct ipv6hdr)))
		return NF_DROP;
	sfw_stat_inc(sn, SFW_STAT_FASTPATH);
	xmit(skb, out, f, pf);
	return NF_STOLEN;
}

/* The ingress hook of a flowtable device. */
static unsigned int sfw_flowtable_ingress(void *priv, struct sk_buff *skb,
					  const struct nf_hook_state *state)
{
	struct sfw_net *sn = priv;
	unsigned int verdict;
	u8 pf;

	if (skb->pkt_type != PACKET_HOST || skb_vlan_tag_present(skb))
		return NF_ACCEPT;
	if (skb->protocol == htons(ETH_P_IP))
		pf = NFPROTO_IPV4;
	else if (skb->protocol == htons(ETH_P_IPV6))
		pf = NFPROTO_IPV6;
	else
		return NF_ACCEPT;
	if (in_softirq())
		return fastpath(sn, skb, pf);
	local_bh_disable();
	verdict = fastpath(sn, skb, pf);
	local_bh_enable();
	return verdict;
}

/* Hooks: under RTNL. */

static struct sfw_flow_dev *dev_find(struct sfw_flowtable_net *ftn, const struct net_device *dev)
{
	struct sfw_flow_dev *fd;

	list_for_each_entry(fd, &ftn->devs, list)
		if (fd->ops.dev == dev)
			return fd;
	return NULL;
}

static int dev_hook(struct sfw_net *sn, struct net_device *dev, bool fresh)
{
	struct sfw_flow_dev *fd = kzalloc(sizeof(*fd), GFP_KERNEL_ACCOUNT);
	int ret;

	if (!fd)
		return -ENOMEM;
	fd->ops.hook = sfw_flowtable_ingress;
	fd->ops.pf = NFPROTO_NETDEV;
	fd->ops.hooknum = NF_NETDEV_INGRESS;
	fd->ops.priority = 0;
	fd->ops.dev = dev;
	fd->ops.priv = sn;
	fd->fresh = fresh;
	ret = nf_register_net_hook(sn->net, &fd->ops);
	if (ret) {
		kfree(fd);
		return ret;
	}
	list_add(&fd->list, &sn->flowtable->devs);
	return 0;
}

static void dev_unhook(struct sfw_net *sn, struct sfw_flow_dev *fd)
{
	nf_unregister_net_hook(sn->net, &fd->ops);
	list_del(&fd->list);
	/* A packet inside the hook reads ->priv, sn, not @fd; RCU all the same. */
	kfree_rcu(fd, rcu);
}

int sfw_flowtable_hook(struct sfw_net *sn, const struct sfw_ruleset *rs, char *err)
{
	struct sfw_flowtable_net *ftn = sn->flowtable;
	struct sfw_flow_dev *fd, *tmp;
	struct net_device *dev;
	int ret = 0;
	u32 i, k;

	if (!rs->nflowtables)
		return 0;
	rtnl_lock();
	for (i = 0; i < rs->nflowtables && !ret; i++) {
		const struct sfw_ruleset_flowtable *ft = &rs->flowtables[i];

		for (k = 0; k < ft->ndevs && !ret; k++) {
			dev = __dev_get_by_name(sn->net, ft->devs[k]);
			if (!dev) {
				snprintf(err, SFW_ERR_LEN, "flowtable %s: no device %s",
					 ft->name, ft->devs[k]);
				ret = -ENODEV;
			} else if (!dev_find(ftn, dev)) {
				ret = dev_hook(sn, dev, true);
				if (ret)
					snprintf(err, SFW_ERR_LEN, "flowtable %s: cannot hook %s (%d)",
						 ft->name, ft->devs[k], ret);
			}
		}
	}
	/* On error nothing new stays hooked; on success nothing is new any more. */
	list_for_each_entry_safe(fd, tmp, &ftn->devs, list) {
		if (fd->fresh && ret)
			dev_unhook(sn, fd);
		else
			fd->fresh = false;
	}
	rtnl_unlock();
	return ret;
}

void sfw_flowtable_unhook(struct sfw_net *sn, const struct sfw_ruleset *rs)
{
	struct sfw_flowtable_net *ftn = sn->flowtable;
	struct sfw_flow_dev *fd, *tmp;

	rtnl_lock();
	list_for_each_entry_safe(fd, tmp, &ftn->devs, list)
		if (!rs || sfw_ruleset_flowtable_of(rs, fd->ops.dev->name) < 0)
			dev_unhook(sn, fd);
	rtnl_unlock();
}

/*
 * A device goes: its hook with it. One comes (or is renamed) by a name
 * the running rules' flowtables give: hooked.
 */
static int sfw_flowtable_dev_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct sfw_net *sn = sfw_net(dev_net(dev));
	struct sfw_flow_dev *fd;
	const struct sfw_rules *r;
	bool named;

	if (!sn || !sn->flowtable)
		return NOTIFY_DONE;
	fd = dev_find(sn->flowtable, dev);
	switch (event) {
	case NETDEV_UNREGISTER:
		if (fd)
			dev_unhook(sn, fd);
		break;
	case NETDEV_REGISTER:
	case NETDEV_CHANGENAME:
		rcu_read_lock();
		r = rcu_dereference(sn->rules);
		named = r && sfw_ruleset_flowtable_of(r->rs, dev->name) >= 0;
		rcu_read_unlock();
		if (named && !fd)
			dev_hook(sn, dev, false);
		else if (!named && fd)
			dev_unhook(sn, fd);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block sfw_flowtable_notifier = {
	.notifier_call = sfw_flowtable_dev_event,
};

int sfw_flowtable_init_net(struct net *net, struct sfw_net *sn)
{
	struct sfw_flowtable_net *ftn = kzalloc(sizeof(*ftn), GFP_KERNEL_ACCOUNT);
	int ret;

	if (!ftn)
		return -ENOMEM;
	ret = rhashtable_init(&ftn->flows, &sfw_flow_params);
	if (ret) {
		kfree(ftn);
		return ret;
	}
	INIT_LIST_HEAD(&ftn->devs);
	sn->flowtable = ftn;
	return 0;
}

void sfw_flowtable_pre_exit_net(struct net *net, struct sfw_net *sn)
{
	sfw_flowtable_unhook(sn, NULL);
}

static void flow_free(void *ptr, void *arg)
{
	kfree(ptr);
}

/* After the tracker's uninit: its entries, and with them the records, are gone. */
void sfw_flowtable_uninit_net(struct net *net, struct sfw_net *sn)
{
	struct sfw_flowtable_net *ftn = sn->flowtable;

	WARN_ON_ONCE(!list_empty(&ftn->devs));
	WARN_ON_ONCE(atomic_read(&ftn->count));
	rhashtable_free_and_destroy(&ftn->flows, flow_free, NULL);
	sn->flowtable = NULL;
	kfree(ftn);
}

int sfw_flowtable_init(void)
{
	return register_netdevice_notifier(&sfw_flowtable_notifier);
}

void sfw_flowtable_uninit(void)
{
	unregister_netdevice_notifier(&sfw_flowtable_notifier);
}
