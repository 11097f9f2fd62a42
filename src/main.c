// SPDX-License-Identifier: GPL-2.0
/*
 * sfw: a stateful firewall with its own connection tracker.
 *
 * Module init and exit only: bring up each unit in order (the wheel's
 * self-tests, the global connection table, then the per-namespace hooks);
 * exit and error paths take them down in reverse. A debug build runs each
 * unit's self-tests in its init and refuses to load if one fails.
 */
#include <linux/module.h>

#include <uapi/linux/sfw.h>

#include "compat.h"
#include "conntrack.h"
#include "netlink.h"
#include "sfw.h"
#include "srclimit.h"
#include "timer_wheel.h"

#define SFW_VERSION SFW_VERSION_STRING

static int __init sfw_init(void)
{
	int ret;

	ret = sfw_timer_wheel_init();
	if (ret)
		goto err_timer_wheel;

	ret = sfw_conntrack_init();
	if (ret)
		goto err_conntrack;

	ret = sfw_hooks_init();
	if (ret)
		goto err_hooks;

	/*
	 * Last in, first out: a request must never reach a namespace whose
	 * struct sfw_net is not set up, and events stop before the family
	 * goes while the hooks' exit still deletes entries.
	 */
	ret = sfw_netlink_init();
	if (ret)
		goto err_netlink;

	pr_info("version " SFW_VERSION " loaded\n");
	return 0;

err_netlink:
	sfw_hooks_uninit();
	sfw_srclimit_uninit();
err_hooks:
	sfw_conntrack_uninit();
err_conntrack:
err_timer_wheel:
	return ret;
}

static void __exit sfw_exit(void)
{
	sfw_netlink_uninit();
	sfw_hooks_uninit();
	sfw_srclimit_uninit();
	sfw_conntrack_uninit();
	pr_info("unloaded\n");
}

module_init(sfw_init);
module_exit(sfw_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The sfw developers");
MODULE_DESCRIPTION("sfw: stateful firewall with its own connection tracker");
MODULE_VERSION(SFW_VERSION);
