/* SPDX-License-Identifier: GPL-2.0 */
/* The live rule set of a namespace; see rules.c. */
#ifndef _SFW_RULES_H
#define _SFW_RULES_H

#include "path.h"
#include "ruleset.h"
#include "sfw.h"

struct sfw_rule_counter {
	u64 packets;
	u64 bytes;
};

/* What a namespace runs: swapped whole under RCU, freed after a grace period. */
struct sfw_rules {
	struct sfw_ruleset *rs;
	u64 generation;
	/*
	 * cnt[cpu]: each chain's rules, then its policy; chain c starts at
	 * base[c]. Not alloc_percpu(): that stops at 32 KiB, 2047 rules.
	 */
	struct sfw_rule_counter **cnt;
	u32 base[SFW_CHAIN_COUNT];
	u32 ncnt;
	bool helpers;	/* a rule says `ct helper set` */
};

/*
 * The rule of @chain that a packet of @len bytes, @m, meets, counted: its
 * index, or -1 for the chain's policy. Under RCU, BHs off. The filter
 * hooks and the NAT chains (nat.c) both judge this way.
 */
s32 sfw_rules_match_count(const struct sfw_rules *rules, enum sfw_chain chain,
			  const struct sfw_match_pkt *m, unsigned int len);

/*
 * The filter hooks: NF_ACCEPT or NF_DROP for a packet the tracker has
 * judged; @v->helper says which helper the accepting rule set.
 */
unsigned int sfw_rules_filter(struct sfw_net *sn, struct sk_buff *skb,
			      const struct nf_hook_state *state, enum sfw_chain chain,
			      struct sfw_ct_verdict *v);

static inline bool sfw_rules_loaded(struct sfw_net *sn)
{
	return rcu_access_pointer(sn->rules);
}

/*
 * Under no lock; they take rules_lock. @rs is consumed (freed on error);
 * @err (SFW_ERR_LEN) says why it was refused.
 */
int sfw_rules_replace(struct sfw_net *sn, struct sfw_ruleset *rs, u64 *generation,
		      char *err);
void sfw_rules_flush(struct sfw_net *sn);
void sfw_rules_counters_reset(struct sfw_net *sn);
/*
 * Add (@add) or remove elements of set @name, without rebuilding it:
 * -ENOENT, -EINVAL, -ENOMEM, -ENOSPC (all sets would pass
 * net.sfw.set_elements_max) or 0.
 */
int sfw_rules_set_update(struct sfw_net *sn, const char *name, bool add,
			 const struct sfw_prefix *elems, u32 n);
/* Delete the entries the running rules would not admit now; count them. */
int sfw_rules_recheck(struct sfw_net *sn, u32 *expired);
/*
 * sfwctl explain: a packet described by the user, judged by the running
 * rules as packets are, changing nothing. In: the tuple, the state to
 * assume, the chain (or chain_given false: from the addresses) and the
 * devices ("" : from the routes; filled in). Out: what decided. @step
 * sees each rule reached. Under RCU; -ENOENT without a rule set.
 */
struct sfw_explain {
	struct sfw_tuple t;
	u8 ctinfo;		/* enum sfw_ctinfo */
	u8 reason;		/* INVALID: enum sfw_invalid_reason; else 0 */
	bool chain_given;
	enum sfw_chain chain;
	char iif[IFNAMSIZ], oif[IFNAMSIZ];
	void (*step)(void *arg, u32 rule, enum sfw_explain_fail fail);
	void *arg;
	u64 generation;
	s32 rule;		/* -1: the policy */
	u8 verdict;		/* enum sfw_action */
};

int sfw_rules_explain(struct sfw_net *sn, struct sfw_explain *x);

/* Would @rs refuse @ct's first packet today (what a recheck deletes)? Under RCU. */
bool sfw_rules_refuses(struct sfw_net *sn, const struct sfw_ruleset *rs,
		       const struct sfw_conn *ct);
/* The key sets are hashed with, for rule sets built elsewhere. */
u64 sfw_rules_seed(void);
/* Sum one counter over the CPUs. */
void sfw_rules_counter(const struct sfw_rules *r, u32 i, struct sfw_rule_counter *out);

#endif /* _SFW_RULES_H */
