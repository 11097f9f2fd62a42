/* SPDX-License-Identifier: GPL-2.0 */
/*
 * names.h - every name sfw shows, once, for the module and sfwctl alike.
 *
 * src/names.c is a portable unit: Kbuild links it into sfw.ko, and
 * tools/Makefile, tests/unit and tests/fuzz compile the same file over
 * src/stand/sfw_shim.h, so /proc, netlink, `sfwctl ct list` and the rule
 * language spell a state, a counter or a protocol the same way.  A table
 * is indexed by the uapi enum (include/uapi/linux/sfw.h) where there is
 * one; the tracker's own enums are pinned to those (netlink.c,
 * netlink_rules.c).  sfw_ctinfo_names[] (indexed by sfw_core.h's enum)
 * and sfw_invalid_names[] (by the uapi enum sfw_invalid_reason, which
 * rules name too: `ct state invalid reason X`) are declared in
 * sfw_core.h and defined in names.c too.
 *
 * The chains' and actions' names are the rule set unit's
 * (sfw_chain_names[], sfw_action_names[]: src/ruleset.c, which sfwctl
 * compiles too). Names the rule language alone reads (ICMP types:
 * tools/rules_names.c) and strings the module sends over netlink (why an
 * entry ended, and the INVALID reasons' names) have no second copy.
 */
#ifndef _SFW_NAMES_H
#define _SFW_NAMES_H

/* By its path, so that every build finds it without another -I. */
#include "../include/uapi/linux/sfw.h"

/* enum sfw_ct_tcp_state: nf_conntrack's spelling (/proc, ct list, ct -s). */
extern const char *const sfw_tcp_state_names[SFW_CT_TCP_MAX + 1];

/* enum sfw_stats_attr: /proc/net/sfw/stat's columns; NULL for CPU and PAD. */
extern const char *const sfw_stat_names[SFW_STATS_A_MAX + 1];

/* enum sfw_explain_fail: the test a rule failed, as the rule language spells it. */
extern const char *const sfw_explain_fail_names[SFW_EXPLAIN_FAIL_MAX + 1];
/* enum sfw_drop_reason: the drop log's reasons (sfwctl drops). */
extern const char *const sfw_drop_reason_names[SFW_DROP_R_MAX + 1];

/* "tcp", "udp", "icmp", "icmpv6", else "unknown": /proc and ct list. */
const char *sfw_l4proto_name(unsigned int l4proto);

#endif /* _SFW_NAMES_H */
