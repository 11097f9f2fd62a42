/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ruleset.h - a compiled rule set and its matcher (portable).
 *
 * Three chains, input, forward and output, each a list of rules and a
 * policy. Rules are checked in order and the first that matches decides,
 * as in nft. A rule set is built whole (struct sfw_ruleset_builder), then
 * compiled into an immutable struct sfw_ruleset that the kernel swaps in
 * with one pointer. Only the address sets inside it change afterwards,
 * each by a pointer swap of its own.
 *
 * Compiling indexes every chain by (L4 protocol, destination port): a
 * packet is checked against the rules that name its port and the rules
 * that name no port (or too many to index), merged in rule order. Rules
 * for other ports are never looked at, so a new connection's cost does
 * not grow with rules that do not concern it.
 */
#ifndef _SFW_RULESET_H
#define _SFW_RULESET_H

#include "sfw_core.h"
#include "addrset.h"
#include "names.h"	/* and with it the uapi enums */

#ifndef __KERNEL__
#define __rcu
#define sfw_rcu_dereference(p)		(p)
#define sfw_rcu_init_pointer(p, v)	((p) = (v))
#else
#include <linux/rcupdate.h>
#define sfw_rcu_dereference(p)		rcu_dereference(p)
#define sfw_rcu_init_pointer(p, v)	RCU_INIT_POINTER(p, v)
#endif

enum sfw_chain {
	SFW_CHAIN_INPUT,
	SFW_CHAIN_FORWARD,
	SFW_CHAIN_OUTPUT,
	SFW_CHAIN_PREROUTING,	/* destination NAT of a new flow */
	SFW_CHAIN_POSTROUTING,	/* source NAT of a new flow */
	SFW_CHAIN_COUNT
};

enum sfw_action {
	SFW_ACT_ACCEPT,
	SFW_ACT_DROP,
	SFW_ACT_REJECT,
	SFW_ACT_SNAT,
	SFW_ACT_DNAT,
	SFW_ACT_MASQUERADE,
	SFW_ACT_COUNT
};

extern const char *const sfw_chain_names[SFW_CHAIN_COUNT];
extern const char *const sfw_action_names[SFW_ACT_COUNT];

#define SFW_RULE_F_LOG		0x01	/* log matching packets, rate-limited */
#define SFW_RULE_F_ICMP_TYPE	0x02	/* icmp_type is set */
#define SFW_RULE_F_HELPER_FTP	0x04	/* ct helper set ftp: accept, TCP; input, forward, output */
#define SFW_RULE_F_CT_LOOSE	0x08	/* ct loose: accept; the entry stops checking windows */
#define SFW_RULE_F_CT_COUNT	0x10	/* ct count over count_max [by saddr/count_len] */
#define SFW_RULE_F_CT_RATE	0x20	/* ct rate over rate/rate_unit [burst] [by saddr/rate_len] */

#define SFW_IFNAMSIZ		16
#define SFW_LOG_PREFIX_LEN	32
#define SFW_SET_NAME_LEN	32
#define SFW_RULES_MAX		65536	/* per chain */
#define SFW_SETS_MAX		256
#define SFW_PORT_RANGES_MAX	256	/* per port match */
#define SFW_INDEX_PORTS_MAX	256	/* ports a rule may spread over the index */

struct sfw_port_range {
	u16 lo, hi;		/* host order, lo <= hi */
};

#define SFW_NAT_TARGETS_MAX	256

/* A NAT target: an address (range, SNAT) and a port range (0, 0: keep). */
struct sfw_nat_range {
	union sfw_addr lo, hi;	/* lo == hi: one address; masquerade: none */
	u16 port_lo, port_hi;	/* host order */
	u8 l3num;		/* SFW_AF_INET, SFW_AF_INET6; 0: masquerade */
};

enum sfw_nat_lb_mode {
	SFW_LB_NONE,
	SFW_LB_HASH,
	SFW_LB_RR,
	SFW_LB_COUNT
};

/*
 * One rule. A zero (or empty) field matches anything; the ports and sets
 * are stored outside, in the rule set.
 */
struct sfw_rule {
	u8 family;		/* 0: both; SFW_AF_INET; SFW_AF_INET6 */
	u8 l4proto;		/* 0: any */
	u8 ctstate;		/* mask of 1 << enum sfw_ctinfo; 0: any */
	u32 reasons;		/* mask of 1 << enum sfw_invalid_reason; 0: any */
	u8 flags;		/* SFW_RULE_F_* */
	u8 icmp_type;
	u8 action;		/* enum sfw_action */
	u16 nsport, ndport;	/* port ranges; 0: any port */
	u32 sport_off, dport_off;	/* into the rule set's port pool */
	s16 saddr_set, daddr_set;	/* set index, or -1 */
	struct sfw_prefix saddr, daddr;	/* len 0 with l3num 0: any */
	char iif[SFW_IFNAMSIZ], oif[SFW_IFNAMSIZ];	/* "": any */
	char log_prefix[SFW_LOG_PREFIX_LEN];
	/* SNAT, DNAT, MASQUERADE: targets in the rule set's NAT pool */
	u32 nat_off;
	u16 nnat;
	u8 nat_lb;		/* enum sfw_nat_lb_mode */
	u32 nat_sticky;		/* seconds; 0: none */
	/* ct count over count_max: the connections from the source address, or by prefix */
	u32 count_max;
	u8 count_l3num;		/* 0: the whole address; else by prefix count_len */
	u8 count_len;
	u8 count_slot;		/* the kernel's (srclimit.c); 0 elsewhere */
	s16 add_set;		/* `add @set`: the packet's source goes into it; -1: none */
	/* ct rate over rate/rate_unit burst rate_burst: new connections from the source */
	u32 rate;
	u32 rate_unit;		/* seconds: 1, 60 or 3600 */
	u32 rate_burst;		/* 0: rate */
	u8 rate_l3num;		/* 0: the whole address; else by prefix rate_len */
	u8 rate_len;
	s8 flow_table;		/* `flow add @ft`: its flowtable's index; -1: none */
};

#define SFW_CT_RATE_MAX		1000000	/* ct rate over at most this per unit */

#define SFW_CT_COUNT_MAX	SFW_CT_COUNT_OVER_MAX	/* ct count over at most this */

/* An element `add @set` put in a set with a timeout, and when it goes. */
struct sfw_set_deadline {
	struct sfw_prefix p;
	unsigned long expires;		/* jiffies */
};

struct sfw_ruleset_set {
	char name[SFW_SET_NAME_LEN];
	u8 family;			/* 0 until an element says */
	u32 timeout;			/* seconds `add @set` elements live; 0: for ever */
	struct sfw_addrset __rcu *cur;	/* swapped whole on add/del */
	/* The kernel's (setadd.c), under rules_lock: the elements that expire. */
	u32 ndl, cap_dl;
	struct sfw_set_deadline *dl;
};

#define SFW_SET_TIMEOUT_MAX	(7 * 86400)	/* a week, in seconds */

/* One chain's index: (proto, dport) -> rule numbers, plus the unindexed ones. */
struct sfw_chain_index {
	u32 nany;
	u32 *any;		/* rules checked for every packet, ascending */
	u32 mask;		/* key table size - 1 */
	struct sfw_index_key *keys;
	u32 *lists;		/* the keys' rule numbers, ascending per key */
};

struct sfw_chain_rules {
	u8 policy;		/* SFW_ACT_ACCEPT or SFW_ACT_DROP */
	u32 n;
	struct sfw_rule *rules;
	struct sfw_chain_index idx;
};

/* `flowtable NAME { devices = { DEV, ... } }`: where the fast path runs. */
struct sfw_ruleset_flowtable {
	char name[SFW_SET_NAME_LEN];
	u32 ndevs;
	char devs[SFW_FLOWTABLE_DEVS_MAX][SFW_IFNAMSIZ];
};

struct sfw_ruleset {
	u64 generation;
	struct sfw_chain_rules chain[SFW_CHAIN_COUNT];
	u32 nports;
	struct sfw_port_range *ports;
	u32 nsets;
	struct sfw_ruleset_set *sets;
	u32 nnat;
	struct sfw_nat_range *nat;
	u32 nflowtables;
	struct sfw_ruleset_flowtable *flowtables;
};

/* The flowtable named @name in @rs, or NULL. */
const struct sfw_ruleset_flowtable *sfw_ruleset_flowtable(const struct sfw_ruleset *rs,
							  const char *name);
/* Is device @dev in flowtable @ft? */
bool sfw_ruleset_flowtable_has(const struct sfw_ruleset_flowtable *ft, const char *dev);
/* The flowtable of @rs device @dev is in, or -1. */
int sfw_ruleset_flowtable_of(const struct sfw_ruleset *rs, const char *dev);

/* What a rule can look at: the packet's tuple (NULL if it had none), its state, the devices. */
struct sfw_match_pkt {
	const struct sfw_tuple *t;	/* ICMP: dport holds type << 8 | code */
	u8 ctinfo;		/* enum sfw_ctinfo */
	u8 reason;		/* INVALID: enum sfw_invalid_reason; else 0 */
	const char *iif, *oif;	/* NULL: none */
	/*
	 * The per-source limits (`ct count over`): does @r's hold for the
	 * packet? Asked last, once every other test of @r passed, as it
	 * may count the packet. NULL: they never hold.
	 */
	bool (*over)(void *arg, const struct sfw_rule *r, u8 what);	/* SFW_RULE_F_CT_* */
	void *over_arg;
};

/* The first rule of @chain that matches, or -1 for the chain's policy. */
s32 sfw_ruleset_match(const struct sfw_ruleset *rs, enum sfw_chain chain,
		      const struct sfw_match_pkt *m);
/* The same walk, reporting each rule reached and the first test it failed (explain). */
s32 sfw_ruleset_trace(const struct sfw_ruleset *rs, enum sfw_chain chain,
		      const struct sfw_match_pkt *m,
		      void (*step)(void *arg, u32 rule, enum sfw_explain_fail fail), void *arg);
/* The first test of @r that @m fails (uapi enum sfw_explain_fail), or SFW_EXPLAIN_MATCHED. */
enum sfw_explain_fail sfw_rule_mismatch(const struct sfw_ruleset *rs, const struct sfw_rule *r,
					const struct sfw_match_pkt *m);

static inline bool sfw_rule_match(const struct sfw_ruleset *rs, const struct sfw_rule *r,
				  const struct sfw_match_pkt *m)
{
	return sfw_rule_mismatch(rs, r, m) == SFW_EXPLAIN_MATCHED;
}

/* Building: rules in order, sets by name; then compile, or free. */
struct sfw_ruleset_builder;

struct sfw_ruleset_builder *sfw_ruleset_builder_new(void);
void sfw_ruleset_builder_free(struct sfw_ruleset_builder *b);
void sfw_ruleset_builder_policy(struct sfw_ruleset_builder *b, enum sfw_chain chain, u8 policy);
/*
 * Add a rule at the end of @chain, naming sets by name (NULL: none). 0, or
 * a negative errno with @err (at least 96 bytes) saying what is wrong.
 */
int sfw_ruleset_builder_rule(struct sfw_ruleset_builder *b, enum sfw_chain chain,
			     const struct sfw_rule *r,
			     const struct sfw_port_range *sports,
			     const struct sfw_port_range *dports,
			     const char *saddr_set, const char *daddr_set, char *err);
/*
 * Give the rule just added its NAT targets (SNAT, DNAT, MASQUERADE), its
 * load-balancing mode and sticky time. 0, or a negative errno with @err.
 */
int sfw_ruleset_builder_nat(struct sfw_ruleset_builder *b, enum sfw_chain chain,
			    const struct sfw_nat_range *t, u16 n, u8 lb, u32 sticky,
			    char *err);
int sfw_ruleset_builder_set(struct sfw_ruleset_builder *b, const char *name,
			    const struct sfw_prefix *elems, u32 n, char *err);
/* Give set @name (defined already) a timeout for what `add @set` puts in it. */
int sfw_ruleset_builder_set_timeout(struct sfw_ruleset_builder *b, const char *name,
				    u32 seconds, char *err);
/* The rule just added to @chain puts packets' sources into set @name (`add @name`). */
int sfw_ruleset_builder_add_set(struct sfw_ruleset_builder *b, enum sfw_chain chain,
				const char *name, char *err);
/*
 * Define flowtable @name with its @n devices (1..SFW_FLOWTABLE_DEVS_MAX,
 * @devs holding their names SFW_IFNAMSIZ bytes apart; a device in one
 * flowtable at most). 0, or a negative errno with @err.
 */
int sfw_ruleset_builder_flowtable(struct sfw_ruleset_builder *b, const char *name,
				  const char *devs, u32 n, char *err);
/* The rule just added to @chain puts its flows on flowtable @name (`flow add @name`). */
int sfw_ruleset_builder_flow_add(struct sfw_ruleset_builder *b, enum sfw_chain chain,
				 const char *name, char *err);
/* Compile; NULL with @err set on failure (-ENOMEM included). */
struct sfw_ruleset *sfw_ruleset_compile(struct sfw_ruleset_builder *b, u64 seed, char *err);
void sfw_ruleset_free(struct sfw_ruleset *rs);

#define SFW_ERR_LEN	96

#endif /* _SFW_RULESET_H */
