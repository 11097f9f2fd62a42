/* SPDX-License-Identifier: GPL-2.0 */
/* The generic netlink API (include/uapi/linux/sfw.h); see netlink.c. */
#ifndef _SFW_NETLINK_H
#define _SFW_NETLINK_H

#include <uapi/linux/sfw.h>

#include "conn.h"
#include "sfw.h"

int sfw_netlink_init(void);
void sfw_netlink_uninit(void);

/*
 * Announce @ct (confirmed; others are skipped) to the namespace's event
 * listeners: @type is an enum sfw_event_type. Any context but hard IRQ,
 * never sleeps; with nobody listening it is one check.
 */
void sfw_netlink_event(struct sfw_net *sn, const struct sfw_conn *ct, u8 type);

#endif /* _SFW_NETLINK_H */
