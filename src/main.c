// SPDX-License-Identifier: GPL-2.0
/*
 * sfw: a stateful firewall with its own connection tracker.
 *
 * Module init and exit only: check the parameters, then bring up each
 * unit in order; exit and error paths take them down in reverse.
 */
#include <linux/log2.h>
#include <linux/module.h>

#include <uapi/linux/sfw.h>

#include "compat.h"
#include "sfw.h"

#define SFW_VERSION SFW_VERSION_STRING

/* 0 picks the size from the machine's memory, as nf_conntrack does. */
static unsigned int hashsize;
module_param(hashsize, uint, 0400);
MODULE_PARM_DESC(hashsize, "connection hash buckets: 0 (auto) or a power of two, 16..2^24");

#define SFW_HASHSIZE_MIN 16U
#define SFW_HASHSIZE_MAX (1U << 24)

static int sfw_params_check(void)
{
	if (hashsize && (!is_power_of_2(hashsize) ||
			 hashsize < SFW_HASHSIZE_MIN || hashsize > SFW_HASHSIZE_MAX)) {
		pr_err("hashsize=%u is invalid: use 0 (auto) or a power of two from %u to %u\n",
		       hashsize, SFW_HASHSIZE_MIN, SFW_HASHSIZE_MAX);
		return -EINVAL;
	}
	return 0;
}

static int __init sfw_init(void)
{
	int ret;

	ret = sfw_params_check();
	if (ret)
		return ret;

	ret = sfw_hooks_init();
	if (ret)
		goto err_hooks;

	pr_info("version " SFW_VERSION " loaded\n");
	return 0;

err_hooks:
	return ret;
}

static void __exit sfw_exit(void)
{
	sfw_hooks_uninit();
	pr_info("unloaded\n");
}

module_init(sfw_init);
module_exit(sfw_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The sfw developers");
MODULE_DESCRIPTION("sfw: stateful firewall with its own connection tracker");
MODULE_VERSION(SFW_VERSION);
