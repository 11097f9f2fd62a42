// SPDX-License-Identifier: GPL-2.0
/*
 * net.sfw.*: the tracker's knobs, per network namespace, with the names
 * and defaults of net.netfilter.nf_conntrack_* (less the prefix).
 *
 * Timeouts are in seconds, 1 s to 20 days (expiry is kept in 32-bit
 * jiffies, which must stay below 2^31 ahead at HZ=1000). Booleans take
 * 0 or 1. A value out of range is refused with EINVAL and changes
 * nothing; the kernel's minmax handlers do that for us.
 *
 * Limits a user namespace cannot lift. The table is shared by every
 * namespace, so a namespace's conntrack_max and timeouts decide how much
 * of it that namespace may hold, and for how long. In a namespace owned
 * by any user namespace but the initial one (an unprivileged container:
 * `unshare -Urn`), they are read-only, keep the defaults every namespace
 * starts with, and writes fail with EPERM, through the sysctl and through
 * sfwctl alike; nf_conntrack makes nf_conntrack_max read-only there for
 * the same reason. The booleans (checksum, acct, tcp_loose, ...) change
 * only how the namespace judges its own packets and stay writable.
 * set_elements_max (elements in all of the namespace's address sets
 * together, 1M by default) is read-only there too, so that a container
 * cannot raise what it may make the kernel hold. So is expect_max
 * (outstanding expectations of the namespace, expect.c).
 *
 * drop_log_size (0 to SFW_DROP_LOG_MAX entries, 0: off) resizes the
 * namespace's drop log (drop_log.c), emptying it; its memory is charged
 * to the writer, so it stays writable in any namespace.
 *
 * Table limits (ct_limits.h). conntrack_reserve (percent of
 * conntrack_max, 0..50, default 5) is held for the gateway's own
 * connections; adaptive_start and adaptive_end (percent of
 * conntrack_max, 0..200, 0 = off) scale timeouts down as the table
 * fills. They only ever shrink what the namespace holds, within its own
 * conntrack_max, so a container may set them. The two adaptive ones are
 * set one at a time, each checked against the other's value then: a
 * write that would leave both nonzero with start >= end is refused with
 * EINVAL (raise end first, or lower start first); scaling is on only
 * while 0 < start < end, which the tracker checks again where it uses
 * them.
 */
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>

#include "addrset.h"
#include "compat.h"
#include "conntrack.h"
#include "drop_log.h"
#include "ct_limits.h"
#include "sfw.h"

static unsigned int timeout_min = 1;
static unsigned int timeout_max = 20 * 24 * 3600;
static unsigned int count_max = INT_MAX;
static unsigned int set_elements_limit = SFW_ADDRSET_MAX;
static unsigned int buckets_shown;
static unsigned int drop_log_max = SFW_DROP_LOG_MAX;

/* net.sfw.drop_log_size: checked as any, then the log is rebuilt at that size. */
static int drop_log_size_handler(sfw_ctl_table *table, int write, void *buffer,
				 size_t *lenp, loff_t *ppos)
{
	struct sfw_net *sn = container_of((unsigned int *)table->data, struct sfw_net,
					  drop_log_size);
	struct ctl_table tmp = *table;
	unsigned int size = READ_ONCE(sn->drop_log_size);
	int ret;

	tmp.data = &size;
	ret = proc_douintvec_minmax(&tmp, write, buffer, lenp, ppos);
	if (ret || !write)
		return ret;
	return sfw_drop_log_resize(sn, size);
}

static unsigned int reserve_max = SFW_CT_RESERVE_MAX;
static unsigned int adaptive_max = SFW_CT_ADAPTIVE_MAX;

/* A setting that bounds the namespace's share of the table (see the top). */
#define SFW_SHARE	0x8000

#define SFW_TIMEOUT(name, field) {				\
	.procname = name,					\
	.data = &((struct sfw_net *)0)->params.field,		\
	.maxlen = sizeof(unsigned int),				\
	.mode = 0644 | SFW_SHARE,				\
	.proc_handler = proc_douintvec_minmax,			\
	.extra1 = &timeout_min,					\
	.extra2 = &timeout_max,					\
}

#define SFW_BOOL(name, field) {					\
	.procname = name,					\
	.data = &((struct sfw_net *)0)->params.field,		\
	.maxlen = sizeof(u8),					\
	.mode = 0644,						\
	.proc_handler = proc_dou8vec_minmax,			\
	.extra1 = SYSCTL_ZERO,					\
	.extra2 = SYSCTL_ONE,					\
}

#define SFW_TCP_TIMEOUT(name, state) \
	SFW_TIMEOUT("tcp_timeout_" name, tcp_timeouts[SFW_TCP_##state])

static int adaptive_handler(sfw_ctl_table *table, int write, void *buffer,
			    size_t *lenp, loff_t *ppos);

#define SFW_ADAPTIVE(name, field) {				\
	.procname = name,					\
	.data = &((struct sfw_net *)0)->field,			\
	.maxlen = sizeof(unsigned int),				\
	.mode = 0644,						\
	.proc_handler = adaptive_handler,			\
	.extra1 = SYSCTL_ZERO,					\
	.extra2 = &adaptive_max,				\
}

/*
 * .data holds the offset of the field in struct sfw_net; each namespace's
 * copy of the table is rebased onto its own struct sfw_net. The entries
 * whose data is not in struct sfw_net are marked by a NULL data here and
 * filled in by hand.
 */
static const struct ctl_table sfw_sysctl_template[] = {
	{
		.procname = "conntrack_max",
		.data = &((struct sfw_net *)0)->conntrack_max,
		.maxlen = sizeof(unsigned int),
		.mode = 0644 | SFW_SHARE,
		.proc_handler = proc_douintvec_minmax,
		.extra1 = SYSCTL_ZERO,
		.extra2 = &count_max,
	},
	{
		.procname = "conntrack_reserve",
		.data = &((struct sfw_net *)0)->conntrack_reserve,
		.maxlen = sizeof(unsigned int),
		.mode = 0644,
		.proc_handler = proc_douintvec_minmax,
		.extra1 = SYSCTL_ZERO,
		.extra2 = &reserve_max,
	},
	SFW_ADAPTIVE("adaptive_start", adaptive_start),
	SFW_ADAPTIVE("adaptive_end", adaptive_end),
	{
		.procname = "conntrack_count",
		.data = &((struct sfw_net *)0)->count,
		.maxlen = sizeof(int),
		.mode = 0444,
		.proc_handler = proc_dointvec,
	},
	{
		.procname = "conntrack_buckets",
		.maxlen = sizeof(unsigned int),
		.mode = 0444,
		.proc_handler = proc_douintvec,
	},
	SFW_BOOL("checksum", checksum),
	SFW_BOOL("acct", acct),
	SFW_BOOL("tcp_loose", tcp_loose),
	SFW_BOOL("tcp_be_liberal", tcp_be_liberal),
	{
		.procname = "tcp_max_retrans",
		.data = &((struct sfw_net *)0)->params.tcp_max_retrans,
		.maxlen = sizeof(u8),
		.mode = 0644,
		.proc_handler = proc_dou8vec_minmax,
	},
	SFW_TCP_TIMEOUT("syn_sent", SYN_SENT),
	SFW_TCP_TIMEOUT("syn_recv", SYN_RECV),
	SFW_TCP_TIMEOUT("established", ESTABLISHED),
	SFW_TCP_TIMEOUT("fin_wait", FIN_WAIT),
	SFW_TCP_TIMEOUT("close_wait", CLOSE_WAIT),
	SFW_TCP_TIMEOUT("last_ack", LAST_ACK),
	SFW_TCP_TIMEOUT("time_wait", TIME_WAIT),
	SFW_TCP_TIMEOUT("close", CLOSE),
	SFW_TIMEOUT("tcp_timeout_max_retrans", tcp_timeout_max_retrans),
	SFW_TIMEOUT("tcp_timeout_unacknowledged", tcp_timeout_unacknowledged),
	SFW_TIMEOUT("udp_timeout", udp_timeout),
	SFW_TIMEOUT("udp_timeout_stream", udp_timeout_stream),
	SFW_TIMEOUT("icmp_timeout", icmp_timeout),
	SFW_TIMEOUT("icmpv6_timeout", icmpv6_timeout),
	SFW_TIMEOUT("generic_timeout", generic_timeout),
	{
		.procname = "expect_max",
		.data = &((struct sfw_net *)0)->expect_max,
		.maxlen = sizeof(unsigned int),
		.mode = 0644 | SFW_SHARE,
		.proc_handler = proc_douintvec_minmax,
		.extra1 = SYSCTL_ZERO,
		.extra2 = &count_max,
	},
	{
		.procname = "set_elements_max",
		.data = &((struct sfw_net *)0)->set_elements_max,
		.maxlen = sizeof(unsigned int),
		.mode = 0644 | SFW_SHARE,
		.proc_handler = proc_douintvec_minmax,
		.extra1 = SYSCTL_ZERO,
		.extra2 = &set_elements_limit,
	},
	{
		.procname = "drop_log_size",
		.data = &((struct sfw_net *)0)->drop_log_size,
		.maxlen = sizeof(unsigned int),
		.mode = 0644,
		.proc_handler = drop_log_size_handler,
		.extra1 = SYSCTL_ZERO,
		.extra2 = &drop_log_max,
	},
	{ }
};

/*
 * May adaptive setting @data of @sn (its start or its end) take @value,
 * given the other's value now?
 */
static bool adaptive_pair_ok(struct sfw_net *sn, const void *data, u32 value)
{
	if (data == &sn->adaptive_start)
		return sfw_ct_limits_adaptive_ok(value, READ_ONCE(sn->adaptive_end));
	return sfw_ct_limits_adaptive_ok(READ_ONCE(sn->adaptive_start), value);
}

static struct sfw_net *adaptive_owner(sfw_ctl_table *table)
{
	if (!strcmp(table->procname, "adaptive_start"))
		return container_of((unsigned int *)table->data, struct sfw_net, adaptive_start);
	return container_of((unsigned int *)table->data, struct sfw_net, adaptive_end);
}

/* proc_douintvec_minmax() on a copy, then the pair's rule (see the top). */
static int adaptive_handler(sfw_ctl_table *table, int write, void *buffer,
			    size_t *lenp, loff_t *ppos)
{
	unsigned int value = READ_ONCE(*(unsigned int *)table->data);
	struct ctl_table tmp = *table;
	int ret;

	tmp.data = &value;
	ret = proc_douintvec_minmax(&tmp, write, buffer, lenp, ppos);
	if (ret || !write)
		return ret;
	if (!adaptive_pair_ok(adaptive_owner(table), table->data, value))
		return -EINVAL;
	WRITE_ONCE(*(unsigned int *)table->data, value);
	return 0;
}

int sfw_sysctl_init_net(struct net *net, struct sfw_net *sn)
{
	struct ctl_table *table;
	unsigned int i;

	table = kmemdup(sfw_sysctl_template, sizeof(sfw_sysctl_template), GFP_KERNEL);
	if (!table)
		return -ENOMEM;

	buckets_shown = sfw_conntrack_buckets();
	for (i = 0; i < ARRAY_SIZE(sfw_sysctl_template) - 1; i++) {
		if (!strcmp(table[i].procname, "conntrack_buckets"))
			table[i].data = &buckets_shown;
		else
			table[i].data = (char *)sn + (uintptr_t)table[i].data;
		if ((table[i].mode & SFW_SHARE) && net->user_ns != &init_user_ns)
			table[i].mode = 0444;
		table[i].mode &= ~SFW_SHARE;
	}

	sn->sysctl_hdr = sfw_register_net_sysctl(net, "net/sfw", table,
						 ARRAY_SIZE(sfw_sysctl_template) - 1);
	if (!sn->sysctl_hdr) {
		kfree(table);
		return -ENOMEM;
	}
	return 0;
}

void sfw_sysctl_uninit_net(struct net *net, struct sfw_net *sn)
{
	const struct ctl_table *table = sn->sysctl_hdr->ctl_table_arg;

	unregister_net_sysctl_table(sn->sysctl_hdr);
	kfree(table);
}

/*
 * For the netlink API: the same table, so that a setting has one name,
 * one range and one place in memory whichever way it is read or written.
 */
unsigned int sfw_sysctl_count(void)
{
	return ARRAY_SIZE(sfw_sysctl_template) - 1;
}

/* The index of setting @name, or -ENOENT. */
int sfw_sysctl_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < sfw_sysctl_count(); i++)
		if (!strcmp(sfw_sysctl_template[i].procname, name))
			return i;
	return -ENOENT;
}

static void *setting_data(struct sfw_net *sn, const struct ctl_table *t)
{
	if (!t->data)
		return &buckets_shown;
	return (char *)sn + (uintptr_t)t->data;
}

/* Setting @i of @sn: name, value, range, writable, as its sysctl has them. */
void sfw_sysctl_get(struct sfw_net *sn, unsigned int i, struct sfw_setting *s)
{
	const struct ctl_table *t = &sfw_sysctl_template[i];
	const struct ctl_table *mine = sn->sysctl_hdr->ctl_table_arg;
	const void *data = setting_data(sn, t);

	s->name = t->procname;
	s->writable = mine[i].mode & 0200;
	if (t->maxlen == sizeof(u8)) {
		s->value = READ_ONCE(*(const u8 *)data);
		s->max = U8_MAX;
	} else {
		s->value = READ_ONCE(*(const unsigned int *)data);
		s->max = UINT_MAX;
	}
	s->min = t->extra1 ? *(const unsigned int *)t->extra1 : 0;
	if (t->extra2)
		s->max = *(const unsigned int *)t->extra2;
	if (!s->writable)
		s->min = s->max = s->value;
}

/*
 * 0 if setting @i may take @value: -EPERM read-only everywhere, -EACCES
 * read-only in this namespace only (its owner is a user namespace: see
 * the top), -ERANGE out of range, -EINVAL an adaptive_start not below
 * adaptive_end (see the top).
 */
int sfw_sysctl_check(struct sfw_net *sn, unsigned int i, u32 value)
{
	struct sfw_setting s;

	sfw_sysctl_get(sn, i, &s);
	if (!s.writable)
		return sfw_sysctl_template[i].mode & 0200 ? -EACCES : -EPERM;
	if (value < s.min || value > s.max)
		return -ERANGE;
	if (sfw_sysctl_template[i].proc_handler == adaptive_handler &&
	    !adaptive_pair_ok(sn, setting_data(sn, &sfw_sysctl_template[i]), value))
		return -EINVAL;
	return 0;
}

/* After sfw_sysctl_check(): what a write to the sysctl does. 0 or -ENOMEM. */
int sfw_sysctl_set(struct sfw_net *sn, unsigned int i, u32 value)
{
	const struct ctl_table *t = &sfw_sysctl_template[i];
	void *data = setting_data(sn, t);

	if (t->proc_handler == drop_log_size_handler)
		return sfw_drop_log_resize(sn, value);
	if (t->maxlen == sizeof(u8))
		WRITE_ONCE(*(u8 *)data, value);
	else
		WRITE_ONCE(*(unsigned int *)data, value);
	return 0;
}
