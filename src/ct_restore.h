/* SPDX-License-Identifier: GPL-2.0 */
/* Putting a saved connection back; see ct_restore.c. */
#ifndef _SFW_CT_RESTORE_H
#define _SFW_CT_RESTORE_H

#include "ct_record.h"
#include "sfw.h"

struct netlink_ext_ack;

/* @r passed sfw_ct_record_check(). 0, or -EEXIST, -ENODEV, -ENOSPC, -ENOMEM. */
int sfw_ct_restore(struct sfw_net *sn, const struct sfw_ct_record *r,
		   struct netlink_ext_ack *extack);

#endif /* _SFW_CT_RESTORE_H */
