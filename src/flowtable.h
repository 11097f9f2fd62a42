/* SPDX-License-Identifier: GPL-2.0 */
/* The fast path for established flows (flowtables); see flowtable.c. */
#ifndef _SFW_FLOWTABLE_H
#define _SFW_FLOWTABLE_H

#include "path.h"
#include "ruleset.h"
#include "sfw.h"

int sfw_flowtable_init(void);
void sfw_flowtable_uninit(void);
int sfw_flowtable_init_net(struct net *net, struct sfw_net *sn);
/* No packet enters the fast path after it (the netns' .pre_exit). */
void sfw_flowtable_pre_exit_net(struct net *net, struct sfw_net *sn);
void sfw_flowtable_uninit_net(struct net *net, struct sfw_net *sn);

/*
 * Before rule set @rs is swapped in: hook the ingress of every device its
 * flowtables name. 0, or -ENODEV (a device is missing) or -ENOMEM with
 * @err (SFW_ERR_LEN) saying which; then nothing new stays hooked.
 */
int sfw_flowtable_hook(struct sfw_net *sn, const struct sfw_ruleset *rs, char *err);
/* After it is swapped in (@rs NULL: a flush): unhook the devices it does not name. */
void sfw_flowtable_unhook(struct sfw_net *sn, const struct sfw_ruleset *rs);

/*
 * FORWARD, BHs off: the rules accepted @v's packet by a `flow add` rule.
 * Put its connection's direction on the fast path if it may go there.
 */
void sfw_flowtable_offload(struct sfw_net *sn, struct sk_buff *skb,
			   const struct nf_hook_state *state, const struct sfw_ct_verdict *v);
/* @ct is going (claimed, DYING): take it off the fast path. */
void sfw_flowtable_forget(struct sfw_net *sn, struct sfw_conn *ct);
/* /proc/net/sfw/stat's reader: the flows on the fast path now. */
unsigned int sfw_flowtable_count(struct sfw_net *sn);

#endif /* _SFW_FLOWTABLE_H */
