// SPDX-License-Identifier: GPL-2.0
/*
 * The drop log over generic netlink (include/uapi/linux/sfw.h,
 * SFW_CMD_DROP_GET and the "drops" group): a dump of the namespace's
 * log (drop_log.c), and an event per drop as it is recorded.
 *
 * The dump's cursor is a drop number (cb->args[0]), and it ends where the
 * log ended when it began (cb->args[1]), so a flood of drops cannot keep
 * it going; numbers the log no longer holds are skipped.
 *
 * Events are built with GFP_ATOMIC in the packet path, BHs off, only when
 * someone listens in the namespace, and rate-limited by the log
 * (SFW_DROP_EVENTS_PER_SEC); a failed allocation or a full receive
 * buffer loses the event, never the packet path's time. The drop numbers
 * show a listener what it missed.
 */
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "drop_log.h"
#include "netlink.h"

static size_t drop_msg_size(void)
{
	return nla_total_size(0) +				/* SFW_A_DROP */
	       3 * nla_total_size_64bit(sizeof(u64)) +		/* id, time, generation */
	       2 * nla_total_size(IFNAMSIZ) +			/* devices */
	       nla_total_size(0) + 2 * nla_total_size(sizeof(u8)) +	/* tuple */
	       2 * nla_total_size(16) + 3 * nla_total_size(sizeof(u16)) +
	       2 * nla_total_size(sizeof(u8)) +
	       5 * nla_total_size(sizeof(u8)) +			/* hook .. tcp state */
	       2 * nla_total_size(sizeof(u32)) +		/* rule, invalid */
	       nla_total_size(0);				/* conn */
}

static int drop_put(struct sk_buff *skb, const struct sfw_drop_entry *e)
{
	struct nlattr *nest = nla_nest_start(skb, SFW_A_DROP);

	BUILD_BUG_ON(BIT(SFW_CT_NEW) != SFW_CT_STATE_F_NEW ||
		     BIT(SFW_CT_INVALID) != SFW_CT_STATE_F_INVALID ||
		     BIT(SFW_CT_UNTRACKED) != SFW_CT_STATE_F_UNTRACKED);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, SFW_DROP_A_ID, e->id, SFW_DROP_A_PAD) ||
	    nla_put_u64_64bit(skb, SFW_DROP_A_TIME, e->time_ns, SFW_DROP_A_PAD) ||
	    nla_put_u8(skb, SFW_DROP_A_HOOK, e->hook) ||
	    (e->iif[0] && nla_put_string(skb, SFW_DROP_A_IIF, e->iif)) ||
	    (e->oif[0] && nla_put_string(skb, SFW_DROP_A_OIF, e->oif)) ||
	    (e->parsed && sfw_netlink_tuple_put(skb, SFW_DROP_A_TUPLE, &e->tuple)) ||
	    nla_put_u8(skb, SFW_DROP_A_REASON, e->reason) ||
	    nla_put_u8(skb, SFW_DROP_A_CHAIN, e->chain) ||
	    nla_put_u8(skb, SFW_DROP_A_CT_STATE, BIT(e->ctinfo)))
		goto cancel;
	if (e->rule_pos && nla_put_u32(skb, SFW_DROP_A_RULE_POS, e->rule_pos))
		goto cancel;
	if (e->generation &&
	    nla_put_u64_64bit(skb, SFW_DROP_A_GENERATION, e->generation, SFW_DROP_A_PAD))
		goto cancel;
	if (e->invalid && nla_put_u32(skb, SFW_DROP_A_INVALID, e->invalid))
		goto cancel;
	if (e->conn && nla_put_flag(skb, SFW_DROP_A_CONN))
		goto cancel;
	if (e->conn && e->parsed && e->tuple.l4proto == SFW_IPPROTO_TCP &&
	    nla_put_u8(skb, SFW_DROP_A_TCP_STATE, e->tcp_state))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int drop_msg(struct sk_buff *skb, u32 portid, u32 seq, int flags,
		    const struct sfw_drop_entry *e)
{
	void *hdr = genlmsg_put(skb, portid, seq, &sfw_genl_family, flags, SFW_CMD_DROP_GET);

	if (!hdr)
		return -EMSGSIZE;
	if (drop_put(skb, e)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

int sfw_nl_drops_dump_start(struct netlink_callback *cb)
{
	struct sfw_net *sn = sfw_net(sock_net(cb->skb->sk));
	u64 first = 0, next = 0;

	rcu_read_lock();
	sfw_drop_log_range(sn, &first, &next);
	rcu_read_unlock();
	cb->args[0] = first;
	cb->args[1] = next;
	return 0;
}

int sfw_nl_drops_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct sfw_net *sn = sfw_net(sock_net(cb->skb->sk));
	u64 id = cb->args[0], end = cb->args[1], first, next;
	struct sfw_drop_entry e;

	rcu_read_lock();
	/* Overwritten since the last message: skip to the oldest held. */
	if (sfw_drop_log_range(sn, &first, &next) && id < first)
		id = first;
	for (; id < end; id++) {
		if (!sfw_drop_log_read(sn, id, &e))
			continue;
		if (drop_msg(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			     NLM_F_MULTI, &e))
			break;
	}
	rcu_read_unlock();
	cb->args[0] = id;
	return skb->len;
}

void sfw_netlink_drop_event(struct sfw_net *sn, const struct sfw_drop_entry *e)
{
	struct net *net = sn->net;
	struct sk_buff *skb;

	if (!genl_has_listeners(&sfw_genl_family, net, SFW_MCGRP_DROPS))
		return;
	skb = genlmsg_new(drop_msg_size(), GFP_ATOMIC);
	if (!skb)
		return;
	if (drop_msg(skb, 0, 0, 0, e)) {
		kfree_skb(skb);
		return;
	}
	genlmsg_multicast_netns(&sfw_genl_family, net, skb, 0, SFW_MCGRP_DROPS, GFP_ATOMIC);
}
