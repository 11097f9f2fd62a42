// SPDX-License-Identifier: GPL-2.0
/*
 * sfw: a stateful firewall with its own connection tracker.
 *
 * Module init and exit only: bring up each unit in order (the global
 * connection table, then the per-namespace hooks); exit and error paths
 * take them down in reverse.
 */
#include <linux/module.h>

#include <uapi/linux/sfw.h>

#include "compat.h"
#include "conntrack.h"
#include "sfw.h"

#define SFW_VERSION SFW_VERSION_STRING

static int __init sfw_init(void)
{
	int ret;

	ret = sfw_conntrack_init();
	if (ret)
		goto err_conntrack;

	ret = sfw_hooks_init();
	if (ret)
		goto err_hooks;

	pr_info("version " SFW_VERSION " loaded\n");
	return 0;

err_hooks:
	sfw_conntrack_uninit();
err_conntrack:
	return ret;
}

static void __exit sfw_exit(void)
{
	sfw_hooks_uninit();
	sfw_conntrack_uninit();
	pr_info("unloaded\n");
}

module_init(sfw_init);
module_exit(sfw_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The sfw developers");
MODULE_DESCRIPTION("sfw: stateful firewall with its own connection tracker");
MODULE_VERSION(SFW_VERSION);
