/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * sfw: the generic netlink API shared by the sfw module and sfwctl.
 *
 * Family "sfw" (SFW_GENL_NAME), version SFW_GENL_VERSION. Every command
 * acts on the caller's network namespace and needs CAP_NET_ADMIN in the
 * namespace's user namespace.
 *
 * The commands are documented here as they are added.
 */
#ifndef _UAPI_LINUX_SFW_H
#define _UAPI_LINUX_SFW_H

#define SFW_GENL_NAME		"sfw"
#define SFW_GENL_VERSION	1

/* The version sfwctl and the module report. */
#define SFW_VERSION_STRING	"0.1.0"

enum sfw_cmd {
	SFW_CMD_UNSPEC,
	__SFW_CMD_LAST
};
#define SFW_CMD_MAX (__SFW_CMD_LAST - 1)

#endif /* _UAPI_LINUX_SFW_H */
