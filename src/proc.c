// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/sfw: what sfw shows through procfs, per namespace.
 *
 *   stat   one row per possible CPU, every value %08x, under a header
 *          line, as /proc/net/stat/nf_conntrack prints them.
 *
 * Readers see per-CPU counters summed at read time; no lock is taken.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "sfw.h"

const char *const sfw_stat_names[SFW_STAT_COUNT] = {
	[SFW_STAT_PRE_ROUTING] = "pre_routing",
	[SFW_STAT_LOCAL_IN] = "local_in",
	[SFW_STAT_FORWARD] = "forward",
	[SFW_STAT_LOCAL_OUT] = "local_out",
	[SFW_STAT_POST_ROUTING] = "post_routing",
};

static int sfw_proc_stat_show(struct seq_file *seq, void *v)
{
	struct sfw_net *sn = sfw_net(seq_file_single_net(seq));
	int cpu, i;

	for (i = 0; i < SFW_STAT_COUNT; i++)
		seq_printf(seq, "%s%s", i ? " " : "", sfw_stat_names[i]);
	seq_putc(seq, '\n');

	for_each_possible_cpu(cpu) {
		const struct sfw_cpu_stats *st = per_cpu_ptr(sn->stats, cpu);

		for (i = 0; i < SFW_STAT_COUNT; i++)
			seq_printf(seq, "%s%08x", i ? " " : "", READ_ONCE(st->cnt[i]));
		seq_putc(seq, '\n');
	}
	return 0;
}

int sfw_proc_init_net(struct net *net, struct sfw_net *sn)
{
	sn->proc_dir = proc_net_mkdir(net, "sfw", net->proc_net);
	if (!sn->proc_dir)
		return -ENOMEM;

	if (!proc_create_net_single("stat", 0444, sn->proc_dir,
				    sfw_proc_stat_show, NULL)) {
		proc_remove(sn->proc_dir);
		return -ENOMEM;
	}
	return 0;
}

void sfw_proc_uninit_net(struct net *net, struct sfw_net *sn)
{
	proc_remove(sn->proc_dir);
}
