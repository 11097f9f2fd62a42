/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, as feature macros. This is the only file
 * that tests LINUX_VERSION_CODE; the code tests the SFW_COMPAT_* macros.
 *
 * Supported: 6.1 (Debian 12's kernel) to 6.12.
 */
#ifndef _SFW_COMPAT_H
#define _SFW_COMPAT_H

#include <linux/version.h>

#if KERNEL_VERSION(6, 1, 0) > LINUX_VERSION_CODE
#error "sfw needs Linux 6.1 or newer"
#endif

/* genl_split_ops and the per-op policy of split ops came in 6.2. */
#if KERNEL_VERSION(6, 2, 0) <= LINUX_VERSION_CODE
#define SFW_COMPAT_GENL_SPLIT_OPS 1
#endif

/*
 * register_net_sysctl() takes the table's size from 6.5 on, and from 6.11
 * tables need no empty sentinel (the size tells their end). sfw keeps the
 * sentinel for 6.1 and passes the size without it.
 */
#include <net/net_namespace.h>
#if KERNEL_VERSION(6, 5, 0) <= LINUX_VERSION_CODE
#define sfw_register_net_sysctl(net, path, table, n) \
	register_net_sysctl_sz(net, path, table, n)
#else
#define sfw_register_net_sysctl(net, path, table, n) \
	register_net_sysctl(net, path, table)
#endif

/* skb_gso_validate_network_len() moved to <net/gso.h> in 6.5. */
#if KERNEL_VERSION(6, 5, 0) <= LINUX_VERSION_CODE
#include <net/gso.h>
#else
#include <linux/skbuff.h>
#endif

/* A sysctl handler's table is const from 6.11 on. */
#if KERNEL_VERSION(6, 11, 0) <= LINUX_VERSION_CODE
#define sfw_ctl_table const struct ctl_table
#else
#define sfw_ctl_table struct ctl_table
#endif

/*
 * A dump's parsed request attributes: in the dump's struct genl_info from
 * 6.6 on (genl_info_dump()), in struct genl_dumpit_info itself before.
 * sfw uses struct genl_ops with a policy per op, which both sides take.
 */
#include <net/genetlink.h>
#if KERNEL_VERSION(6, 6, 0) <= LINUX_VERSION_CODE
#define sfw_genl_dump_attrs(cb)	(genl_info_dump(cb)->attrs)
#else
#define sfw_genl_dump_attrs(cb)	(genl_dumpit_info(cb)->attrs)
#endif

/*
 * Formatted extack messages (NL_SET_ERR_MSG_FMT, a buffer inside struct
 * netlink_ext_ack) came in 6.2; netlink_rules.c keeps its own before.
 */
#include <linux/netlink.h>
#ifdef NL_SET_ERR_MSG_FMT
#define SFW_COMPAT_EXTACK_FMT 1
#endif

#endif /* _SFW_COMPAT_H */
