/* SPDX-License-Identifier: GPL-2.0 */
/* The generic netlink API (include/uapi/linux/sfw.h); see netlink.c. */
#ifndef _SFW_NETLINK_H
#define _SFW_NETLINK_H

#include <net/genetlink.h>
#include <uapi/linux/sfw.h>

#include "conn.h"
#include "conntrack.h"
#include "sfw.h"

int sfw_netlink_init(void);
void sfw_netlink_uninit(void);

/* The family, for the ops of the other netlink_*.c files, and its groups. */
extern struct genl_family sfw_genl_family;
enum sfw_mcgrp { SFW_MCGRP_EVENTS, SFW_MCGRP_DROPS };

/* @t as an SFW_A_TUPLE-shaped nest of @type; -EMSGSIZE leaves @skb as it was. */
int sfw_netlink_tuple_put(struct sk_buff *skb, int type, const struct sfw_tuple *t);

/* The drop log's dump (netlink_drops.c). */
int sfw_nl_drops_dump_start(struct netlink_callback *cb);
int sfw_nl_drops_dump(struct sk_buff *skb, struct netlink_callback *cb);

/* The rule commands (netlink_rules.c): ops and policies for the family's table. */
int sfw_netlink_rules_init(void);
void sfw_netlink_rules_uninit(void);
int sfw_nl_ruleset_begin(struct sk_buff *skb, struct genl_info *info);
int sfw_nl_ruleset_add(struct sk_buff *skb, struct genl_info *info);
int sfw_nl_ruleset_commit(struct sk_buff *skb, struct genl_info *info);
int sfw_nl_ruleset_abort(struct sk_buff *skb, struct genl_info *info);
/* RULESET_PREVIEW's ->start: this socket's transaction, ended and compiled. */
struct netlink_ext_ack;
struct sfw_ruleset *sfw_nl_ruleset_preview(struct sfw_net *sn, u32 portid,
					   struct netlink_ext_ack *extack);
int sfw_nl_ruleset_flush(struct sk_buff *skb, struct genl_info *info);
int sfw_nl_counters_reset(struct sk_buff *skb, struct genl_info *info);
int sfw_nl_rule_add(struct sk_buff *skb, struct genl_info *info);
int sfw_nl_rule_insert(struct sk_buff *skb, struct genl_info *info);
int sfw_nl_rule_del(struct sk_buff *skb, struct genl_info *info);
int sfw_nl_set_add(struct sk_buff *skb, struct genl_info *info);
int sfw_nl_set_del(struct sk_buff *skb, struct genl_info *info);
int sfw_nl_ruleset_dump_start(struct netlink_callback *cb);
int sfw_nl_set_dump_start(struct netlink_callback *cb);
int sfw_nl_rules_dump(struct sk_buff *skb, struct netlink_callback *cb);
int sfw_nl_rules_dump_done(struct netlink_callback *cb);

extern const struct nla_policy sfw_nl_ruleset_begin_policy[SFW_A_MAX + 1];
extern const struct nla_policy sfw_nl_ruleset_add_policy[SFW_A_MAX + 1];
extern const struct nla_policy sfw_nl_ruleset_commit_policy[SFW_A_MAX + 1];
extern const struct nla_policy sfw_nl_rule_policy[SFW_A_MAX + 1];
extern const struct nla_policy sfw_nl_rule_del_policy[SFW_A_MAX + 1];
extern const struct nla_policy sfw_nl_set_policy[SFW_A_MAX + 1];
extern const struct nla_policy sfw_nl_set_get_policy[SFW_A_MAX + 1];

/*
 * Announce @ct (confirmed; others are skipped) to the namespace's event
 * listeners: @type is an enum sfw_event_type. Any context but hard IRQ,
 * never sleeps; with nobody listening it is one check.
 */
void sfw_netlink_event(struct sfw_net *sn, const struct sfw_conn *ct, u8 type,
		       enum sfw_ct_end why);

#endif /* _SFW_NETLINK_H */
