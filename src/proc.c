// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/sfw: what sfw shows through procfs, per namespace.
 *
 *   conntrack  one line per confirmed entry, in /proc/net/nf_conntrack's
 *              format and field order (mode 0440: it shows who talks to
 *              whom)
 *   stat       one row per possible CPU, every value %08x, under a header
 *              line: nf_conntrack's columns, then sfw's own
 *   invalid    why packets were INVALID: one "reason count" line each,
 *              summed over CPUs
 *   nat        "entries N", then per SNAT address one line "addr A
 *              in_use N clashes N exhausted N"
 *   expect     one line per expectation, in
 *              /proc/net/nf_conntrack_expect's format (mode 0440); the
 *              address a rewritten one waits at is sfwctl's to show
 *   wheel      the expiry wheel's work: entries examined per run, the
 *              lag of its reaping (timer_wheel.c shows it)
 *
 * Readers take no lock: counters are per-CPU and summed when read, and
 * the table is walked under RCU, bucket by bucket.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "conntrack.h"
#include "expect.h"
#include "names.h"
#include "nat.h"
#include "sfw.h"
#include "timer_wheel.h"

/*
 * "entries" leads every row as in nf_conntrack (the namespace's count, not
 * a per-CPU value); sfw's wheel_max_us (the longest expiry run, in µs)
 * and wheel_runs (how often the expiry worker ran; it sleeps while the
 * namespace holds no entries) close it, namespace-wide like "entries".
 */
static int sfw_proc_stat_show(struct seq_file *seq, void *v)
{
	struct sfw_net *sn = sfw_net(seq_file_single_net(seq));
	unsigned int entries = atomic_read(&sn->count);
	unsigned int max_us = READ_ONCE(sn->wheel->max_run_us);
	unsigned int runs = (unsigned int)READ_ONCE(sn->wheel->runs);
	int cpu, i;

	/*
	 * The per-CPU counters are the uapi's, from CLASHRES on (netlink.c
	 * pins it); "reserve", "offload" and "fastpath", added later, come
	 * last, after the wheel's.
	 */
	seq_printf(seq, "%s ", sfw_stat_names[SFW_STATS_A_ENTRIES]);
	for (i = 0; i < SFW_STAT_RESERVE; i++)
		seq_printf(seq, " %s", sfw_stat_names[sfw_stat_attr(i)]);
	seq_puts(seq, " wheel_max_us wheel_runs");
	for (i = SFW_STAT_RESERVE; i < SFW_STAT_COUNT; i++)
		seq_printf(seq, " %s", sfw_stat_names[sfw_stat_attr(i)]);
	seq_putc(seq, '\n');

	for_each_possible_cpu(cpu) {
		const struct sfw_cpu_stats *st = per_cpu_ptr(sn->stats, cpu);

		seq_printf(seq, "%08x ", entries);
		for (i = 0; i < SFW_STAT_RESERVE; i++)
			seq_printf(seq, " %08x", READ_ONCE(st->cnt[i]));
		seq_printf(seq, " %08x %08x", max_us, runs);
		for (i = SFW_STAT_RESERVE; i < SFW_STAT_COUNT; i++)
			seq_printf(seq, " %08x", READ_ONCE(st->cnt[i]));
		seq_putc(seq, '\n');
	}
	return 0;
}

static int sfw_proc_invalid_show(struct seq_file *seq, void *v)
{
	struct sfw_net *sn = sfw_net(seq_file_single_net(seq));
	int cpu, i;

	for (i = 1; i < SFW_INVALID_COUNT; i++) {
		unsigned long sum = 0;

		for_each_possible_cpu(cpu)
			sum += READ_ONCE(per_cpu_ptr(sn->stats, cpu)->invalid[i]);
		seq_printf(seq, "%-24s %lu\n", sfw_invalid_names[i], sum);
	}
	return 0;
}

/*
 * /proc/net/sfw/conntrack: a walk over the buckets under RCU, resumed
 * between read() calls at (bucket, index within the bucket). seq_file asks
 * for the same position again when a line did not fit, and for the next
 * one after a line that did, so the iterator remembers which position it
 * stands on. As with nf_conntrack's file, a chain that changes between
 * two read() calls may show an entry twice or miss one; sfwctl's dump does
 * not (it never splits a bucket).
 */
struct ct_iter {
	struct seq_net_private p;
	loff_t pos;		/* the position (bucket, skip) stands on */
	unsigned int bucket;
	unsigned int skip;	/* shown entries of this bucket before it */
};

/*
 * The first visible entry of this namespace (sfw_conntrack_visible()) at or
 * after (bucket, skip); moves (bucket, skip) onto it. NULL at the end.
 */
static struct sfw_conn *ct_iter_find(struct ct_iter *it, struct sfw_net *sn)
{
	for (; it->bucket < sfw_conntrack_buckets(); it->bucket++, it->skip = 0) {
		struct hlist_nulls_node *n;
		unsigned int seen = 0;
		struct sfw_conn *ct;

		sfw_conntrack_for_each_visible(ct, n, sn, it->bucket) {
			if (seen++ < it->skip)
				continue;
			it->skip = seen - 1;
			return ct;
		}
	}
	return NULL;
}

static void *ct_seq_start(struct seq_file *seq, loff_t *pos)
	__acquires(RCU)
{
	struct ct_iter *it = seq->private;
	struct sfw_net *sn = sfw_net(seq_file_net(seq));
	struct sfw_conn *ct;

	rcu_read_lock();
	if (*pos == 0 || *pos < it->pos) {
		it->pos = 0;
		it->bucket = 0;
		it->skip = 0;
	}
	ct = ct_iter_find(it, sn);
	/* A seek forward (or a first read past 0): step to the position. */
	while (ct && it->pos < *pos) {
		it->skip++;
		it->pos++;
		ct = ct_iter_find(it, sn);
	}
	return ct;
}

static void *ct_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct ct_iter *it = seq->private;

	(*pos)++;
	it->pos++;
	it->skip++;
	return ct_iter_find(it, sfw_net(seq_file_net(seq)));
}

static void ct_seq_stop(struct seq_file *seq, void *v)
	__releases(RCU)
{
	rcu_read_unlock();
}

static void ct_print_tuple(struct seq_file *seq, const struct sfw_tuple *t)
{
	if (t->l3num == SFW_AF_INET)
		seq_printf(seq, "src=%pI4 dst=%pI4 ", &t->src.ip, &t->dst.ip);
	else
		seq_printf(seq, "src=%pI6 dst=%pI6 ", t->src.ip6, t->dst.ip6);

	switch (t->l4proto) {
	case SFW_IPPROTO_TCP:
	case SFW_IPPROTO_UDP:
		seq_printf(seq, "sport=%u dport=%u ", ntohs(t->sport), ntohs(t->dport));
		break;
	case SFW_IPPROTO_ICMP:
	case SFW_IPPROTO_ICMPV6:
		seq_printf(seq, "type=%u code=%u id=%u ", ntohs(t->dport) >> 8,
			   ntohs(t->dport) & 0xff, ntohs(t->sport));
		break;
	}
}

/* SNAT addresses: ports in use, clashes met, exhaustion (nat.c). */
static int sfw_proc_nat_show(struct seq_file *seq, void *v)
{
	sfw_nat_proc_show(seq, sfw_net(seq_file_single_net(seq)));
	return 0;
}

static int ct_seq_show(struct seq_file *seq, void *v)
{
	const struct sfw_conn *ct = v;
	struct sfw_tuple t, r;
	u8 status = READ_ONCE(ct->status);
	int dir;

	sfw_nat_tuples(ct, &t, &r);
	seq_printf(seq, "%-8s %u %-8s %u %u ",
		   t.l3num == SFW_AF_INET ? "ipv4" : "ipv6", t.l3num,
		   sfw_l4proto_name(t.l4proto), t.l4proto, sfw_conntrack_timeout_left(ct));
	if (t.l4proto == SFW_IPPROTO_TCP) {
		u8 state = READ_ONCE(ct->ps.tcp.state);

		seq_printf(seq, "%s ", state < SFW_TCP_NSTATES ?
			   sfw_tcp_state_names[state] : "?");
	}
	for (dir = 0; dir < SFW_DIR_COUNT; dir++) {
		ct_print_tuple(seq, dir == SFW_DIR_ORIGINAL ? &t : &r);
		seq_printf(seq, "packets=%u bytes=%llu ", READ_ONCE(ct->packets[dir]),
			   (unsigned long long)READ_ONCE(ct->bytes[dir]));
		if (dir == SFW_DIR_ORIGINAL && !(status & SFW_CONN_SEEN_REPLY))
			seq_puts(seq, "[UNREPLIED] ");
	}
	if (status & SFW_CONN_ASSURED)
		seq_puts(seq, "[ASSURED] ");
	seq_puts(seq, "mark=0 zone=0 use=1\n");
	return 0;
}

/*
 * /proc/net/sfw/expect, as nf_conntrack's exp_seq_show() writes a line:
 * "297 l3proto = 2 proto=6 src=10.0.2.2 dst=10.0.1.2 sport=0 dport=40123 ftp".
 * One show for the whole table: seq_file calls it again with a bigger
 * buffer when the lines did not fit (the table is net.sfw.expect_max
 * entries at most).
 */
static int expect_show_one(const struct sfw_expect_info *info, void *arg)
{
	struct seq_file *seq = arg;
	struct sfw_tuple t = {
		.src = info->src,
		.dst = info->dst,
		.dport = info->dport,
		.l3num = info->l3num,
		.l4proto = info->l4proto,
	};

	seq_printf(seq, "%u l3proto = %u proto=%u ", info->timeout, info->l3num, info->l4proto);
	ct_print_tuple(seq, &t);
	seq_printf(seq, "%s\n", info->helper);
	return seq_has_overflowed(seq) ? -EMSGSIZE : 0;
}

static int sfw_proc_expect_show(struct seq_file *seq, void *v)
{
	struct sfw_expect_pos pos = {};

	sfw_expect_walk(sfw_net(seq_file_single_net(seq)), &pos, expect_show_one, seq);
	return 0;
}

static const struct seq_operations ct_seq_ops = {
	.start = ct_seq_start,
	.next = ct_seq_next,
	.stop = ct_seq_stop,
	.show = ct_seq_show,
};

int sfw_proc_init_net(struct net *net, struct sfw_net *sn)
{
	sn->proc_dir = proc_net_mkdir(net, "sfw", net->proc_net);
	if (!sn->proc_dir)
		return -ENOMEM;

	if (!proc_create_net_single("stat", 0444, sn->proc_dir,
				    sfw_proc_stat_show, NULL) ||
	    !proc_create_net_single("invalid", 0444, sn->proc_dir,
				    sfw_proc_invalid_show, NULL) ||
	    !proc_create_net_single("nat", 0444, sn->proc_dir,
				    sfw_proc_nat_show, NULL) ||
	    !proc_create_net_single("expect", 0440, sn->proc_dir,
				    sfw_proc_expect_show, NULL) ||
	    !proc_create_net_single("wheel", 0444, sn->proc_dir, sfw_timer_wheel_show, sn->wheel) ||
	    !proc_create_net("conntrack", 0440, sn->proc_dir, &ct_seq_ops,
			     sizeof(struct ct_iter))) {
		proc_remove(sn->proc_dir);
		return -ENOMEM;
	}
	return 0;
}

void sfw_proc_uninit_net(struct net *net, struct sfw_net *sn)
{
	proc_remove(sn->proc_dir);
}
