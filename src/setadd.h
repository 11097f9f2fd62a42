/* SPDX-License-Identifier: GPL-2.0 */
/* `add @set` and set timeouts; see setadd.c. */
#ifndef _SFW_SETADD_H
#define _SFW_SETADD_H

#include <linux/workqueue.h>

#include "ruleset.h"
#include "sfw.h"

#define SFW_SETADD_QUEUE	32	/* additions waiting at once, per namespace */

struct sfw_setadd_req {
	char name[SFW_SET_NAME_LEN];
	struct sfw_prefix p;
};

struct sfw_setadd_net {
	spinlock_t lock;		/* guards the queue */
	u32 n;
	struct sfw_setadd_req q[SFW_SETADD_QUEUE];
	struct delayed_work work;	/* adds what is queued, removes what expired */
	struct sfw_net *sn;
};

/* The packet path (BHs off, RCU): put @src (family @l3num) into set @name soon. */
void sfw_setadd_queue(struct sfw_net *sn, const char *name, u8 l3num, const union sfw_addr *src);
/* rules_lock held, @rs replacing @old: carry the deadlines over; true if any. */
bool sfw_setadd_carry(struct sfw_ruleset *rs, const struct sfw_ruleset *old);
/* Deadlines are pending: look for expired elements in a second. */
void sfw_setadd_kick(struct sfw_net *sn);

int sfw_setadd_init_net(struct sfw_net *sn);
void sfw_setadd_uninit_net(struct sfw_net *sn);

#endif /* _SFW_SETADD_H */
