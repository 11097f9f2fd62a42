/* SPDX-License-Identifier: GPL-2.0 */
/* Per-source connection counts (`ct count over N [by ip saddr/L]`); see srclimit.c. */
#ifndef _SFW_SRCLIMIT_H
#define _SFW_SRCLIMIT_H

#include "conn.h"
#include "ruleset.h"
#include "sfw.h"

/*
 * A connection counted by a `ct count` rule says so in its xflags, one
 * bit per slot of its namespace (struct sfw_srclimit_net): the slot names
 * the prefix it was counted under, so its destruction finds the record.
 */
#define SFW_SRCLIMIT_SLOTS	4
#define SFW_CONN_X_SRC_SHIFT	3
#define SFW_CONN_X_SRC_ALL	(((1U << SFW_SRCLIMIT_SLOTS) - 1) << SFW_CONN_X_SRC_SHIFT)

/*
 * Process context, rules_lock held, before @rs replaces @old (NULL: none):
 * give @rs's count rules their slots, making the namespace's table on
 * first use. 0, -EBUSY (more distinct prefixes than slots in use at
 * once) or -ENOMEM, with @err (SFW_ERR_LEN) saying which.
 */
int sfw_srclimit_assign(struct sfw_net *sn, struct sfw_ruleset *rs,
			const struct sfw_ruleset *old, char *err);

/*
 * Does @r's `ct count over N` hold for a packet from @src (family
 * @l3num)? Under RCU, BHs off. @create: the packet will make a new
 * connection if accepted: its count is taken here, exactly (an atomic
 * increment unless over), and recorded in *@held (slot bits) until the
 * connection owns it (SFW_CONN_X_SRC_*) or sfw_srclimit_put() gives it
 * back. Otherwise the count is only read (@new: as for a new connection).
 */
bool sfw_srclimit_over(struct sfw_net *sn, const struct sfw_rule *r, u8 l3num,
		       const union sfw_addr *src, bool create, bool new, u8 *held);
/*
 * Does @r's `ct rate over N/UNIT` hold for a new connection from @src?
 * @take: it is one (its credit is spent); else only asking (explain).
 * Under RCU.
 */
bool sfw_srclimit_rate_over(struct sfw_net *sn, const struct sfw_rule *r, u8 l3num,
			    const union sfw_addr *src, bool take);
/* Give back the counts of slots @held for @src. Any context. */
void sfw_srclimit_put(struct sfw_net *sn, u8 l3num, const union sfw_addr *src, u8 held);

static inline void sfw_srclimit_conn_put(struct sfw_net *sn, const struct sfw_conn *ct)
{
	u8 held = (ct->xflags & SFW_CONN_X_SRC_ALL) >> SFW_CONN_X_SRC_SHIFT;

	if (held)
		sfw_srclimit_put(sn, ct->tuple.l3num, &ct->tuple.src, held);
}

/* After the namespace's last connection is gone. */
void sfw_srclimit_uninit_net(struct sfw_net *sn);
/* Module exit. */
void sfw_srclimit_uninit(void);

#endif /* _SFW_SRCLIMIT_H */
