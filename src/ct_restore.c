// SPDX-License-Identifier: GPL-2.0
/*
 * ct_restore.c - putting a saved connection back (SFW_CMD_CT_RESTORE).
 *
 * The record has passed sfw_ct_record_check() (ct_record.c) in netlink.c.
 * Here it becomes an entry as a packet would have made it: the entry is
 * hashed under the tuple the filter hooks see, its NAT bindings under the
 * outer tuples (nat.c), its devices looked up by name in the namespace.
 * The rule set is not consulted: a restore puts back what was admitted,
 * and the `--recheck` of the rule set load that precedes it, or a later
 * one, is what ends connections a new rule set refuses.
 *
 * A helper's state (FTP) is not restored: a restored control connection
 * has no helper, so data connections it announces afterwards are not
 * RELATED.
 */
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <net/netlink.h>

#include "conntrack.h"
#include "ct_restore.h"
#include "nat.h"

/* The ifindex of device @name in @sn's namespace, 0 for "", -ENODEV if there is none. */
static int dev_index(struct sfw_net *sn, const char *name)
{
	struct net_device *dev;
	int ifindex = -ENODEV;

	if (!name[0])
		return 0;
	rcu_read_lock();
	dev = dev_get_by_name_rcu(sn->net, name);
	if (dev)
		ifindex = dev->ifindex;
	rcu_read_unlock();
	return ifindex;
}

int sfw_ct_restore(struct sfw_net *sn, const struct sfw_ct_record *r,
		   struct netlink_ext_ack *extack)
{
	bool nat = sfw_ct_record_dnat(r) || sfw_ct_record_snat(r);
	int masq, in, ret;
	struct sfw_tuple inner;
	struct sfw_conn *ct;
	enum sfw_dir dir;
	u32 h;

	masq = dev_index(sn, r->masq_dev);
	in = dev_index(sn, r->in_dev);
	if (masq < 0 || in < 0) {
		NL_SET_ERR_MSG(extack, "a device the connection names is not in this namespace");
		return -ENODEV;
	}
	sfw_ct_record_inner(r, &inner);
	h = sfw_conntrack_hash(&inner, sn->net_id);

	rcu_read_lock();
	local_bh_disable();
	if (sfw_conntrack_lookup(sn, &inner, &dir)) {
		ret = -EEXIST;
		goto out;
	}
	/*
	 * As a packet's (BHs off, for the early drop), but charged to the
	 * caller's cgroup: a task with BHs off is still in_task().
	 */
	ct = sfw_conntrack_alloc(sn, h, (nat ? SFW_CONN_X_NAT : 0) |
				 (r->local ? SFW_CONN_X_LOCAL : 0), GFP_ATOMIC | __GFP_ACCOUNT);
	if (!ct) {
		NL_SET_ERR_MSG(extack, "the connection table is full");
		ret = -ENOSPC;
		goto out;
	}
	if (nat) {
		ret = sfw_nat_restore(sn, ct, r, masq, in);
		if (ret) {
			sfw_conntrack_free(sn, ct);
			goto out;
		}
	}
	ret = sfw_conntrack_restore(sn, ct, &inner, h, r);
	if (ret == -ENOSPC)
		NL_SET_ERR_MSG(extack, "a chain of the table is full");
out:
	local_bh_enable();
	rcu_read_unlock();
	if (ret == -EEXIST)
		NL_SET_ERR_MSG(extack, "a connection with that tuple is tracked already");
	return ret;
}
