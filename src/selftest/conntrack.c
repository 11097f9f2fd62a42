// SPDX-License-Identifier: GPL-2.0
/*
 * Self-tests of the connection table, run at load in a debug build.
 * #included at the end of conntrack.c. Two made-up namespaces (no struct
 * net, ids no real namespace has) share the real table; every entry made
 * here is deleted again before the module goes on loading.
 */

static struct sfw_net *selftest_net(u32 id)
{
	struct sfw_net *sn = kzalloc(sizeof(*sn), GFP_KERNEL);

	if (!sn)
		return NULL;
	sn->stats = alloc_percpu(struct sfw_cpu_stats);
	if (!sn->stats || ct_net_init(sn, id)) {
		free_percpu(sn->stats);
		kfree(sn);
		return NULL;
	}
	return sn;
}

static void selftest_net_free(struct sfw_net *sn)
{
	if (!sn)
		return;
	ct_net_uninit(sn);
	free_percpu(sn->stats);
	kfree(sn);
}

/* A TCP SYN from @src:@sport to @dst:80, IPv4 or IPv6. */
static void selftest_syn(struct sfw_pkt *pkt, u8 l3num, u8 src, u8 dst, u16 sport)
{
	memset(pkt, 0, sizeof(*pkt));
	pkt->tuple.l3num = l3num;
	pkt->tuple.l4proto = SFW_IPPROTO_TCP;
	if (l3num == SFW_AF_INET) {
		pkt->tuple.src.ip = htonl(0x0a000000 | src);
		pkt->tuple.dst.ip = htonl(0x0a000000 | dst);
	} else {
		pkt->tuple.src.ip6[0] = htonl(0xfd000000);
		pkt->tuple.src.ip6[3] = htonl(src);
		pkt->tuple.dst.ip6[0] = htonl(0xfd000000);
		pkt->tuple.dst.ip6[3] = htonl(dst);
	}
	pkt->tuple.sport = htons(sport);
	pkt->tuple.dport = htons(80);
	pkt->len = 60;
	pkt->l4_off = l3num == SFW_AF_INET ? 20 : 40;
	pkt->tcp.flags = SFW_TCPH_SYN;
	pkt->tcp.seq = 1000;
	pkt->tcp.window = 65535;
	pkt->tcp.doff = 5;
	pkt->tcp.wscale = SFW_TCP_WSCALE_NONE;
}

/* A new entry as path.c makes one: the first transition, then the add. */
static int selftest_create(struct sfw_net *sn, const struct sfw_pkt *pkt,
			   struct sfw_proto_result *res, struct sfw_conn **out)
{
	union sfw_proto_state ps = {};
	u8 reason = 0;
	int ret;

	memset(res, 0, sizeof(*res));
	if (!sfw_proto_new(&ps, pkt, &sn->params, &reason) ||
	    sfw_proto_packet(&ps, pkt, SFW_DIR_ORIGINAL, 0, &sn->params, res))
		return -EINVAL;
	local_bh_disable();
	ret = sfw_conntrack_add(sn, pkt, sfw_conntrack_hash(&pkt->tuple, sn->net_id),
				&ps, res->timeout, out);
	local_bh_enable();
	return ret;
}

static int sfw_conntrack_selftest(void)
{
	struct sfw_net *a = selftest_net(0xfffffff0), *b = selftest_net(0xfffffff1);
	struct sfw_proto_result res;
	struct sfw_tuple inv;
	struct sfw_conn *ct, *other;
	struct sfw_pkt pkt;
	enum sfw_dir dir;
	int n = 0, fail = 0, i;
	u8 l3[] = { SFW_AF_INET, SFW_AF_INET6 };

	if (!a || !b) {
		selftest_net_free(a);
		selftest_net_free(b);
		return -ENOMEM;
	}

#define SELFTEST(cond) do {						\
	n++;								\
	if (!(cond)) {							\
		pr_err("conntrack self-test %d: FAIL: %s\n", n, #cond);	\
		fail++;							\
	}								\
} while (0)

	rcu_read_lock();
	for (i = 0; i < ARRAY_SIZE(l3); i++) {
		selftest_syn(&pkt, l3[i], 1, 2, 1234);
		sfw_tuple_invert(&pkt.tuple, &inv);

		/* Insert; found from both directions. */
		SELFTEST(selftest_create(a, &pkt, &res, &ct) == 0);
		ct = sfw_conntrack_lookup(a, &pkt.tuple, &dir);
		SELFTEST(ct && dir == SFW_DIR_ORIGINAL);
		SELFTEST(sfw_conntrack_lookup(a, &inv, &dir) == ct && dir == SFW_DIR_REPLY);
		SELFTEST(ct && READ_ONCE(ct->ps.tcp.state) == SFW_TCP_SYN_SENT);

		/* The same tuple again is a clash; a neighbour tuple is not found. */
		SELFTEST(selftest_create(a, &pkt, &res, &other) == -EEXIST);
		selftest_syn(&pkt, l3[i], 1, 2, 1235);
		SELFTEST(!sfw_conntrack_lookup(a, &pkt.tuple, &dir));
		selftest_syn(&pkt, l3[i], 1, 2, 1234);

		/* Namespaces: b sees nothing of a, and has its own copy. */
		SELFTEST(!sfw_conntrack_lookup(b, &pkt.tuple, &dir));
		SELFTEST(!sfw_conntrack_lookup(b, &inv, &dir));
		SELFTEST(selftest_create(b, &pkt, &res, &other) == 0);
		SELFTEST(atomic_read(&a->count) == 1 && atomic_read(&b->count) == 1);

		/* Delete in a: gone there, still in b. */
		SELFTEST(ct && sfw_conntrack_delete(a, ct, SFW_END_DELETED));
		SELFTEST(ct && !sfw_conntrack_delete(a, ct, SFW_END_DELETED));	/* only once */
		SELFTEST(!sfw_conntrack_lookup(a, &pkt.tuple, &dir));
		SELFTEST(!sfw_conntrack_lookup(a, &inv, &dir));
		ct = sfw_conntrack_lookup(b, &inv, &dir);
		SELFTEST(ct && dir == SFW_DIR_REPLY);
		SELFTEST(ct && sfw_conntrack_delete(b, ct, SFW_END_DELETED));
		SELFTEST(atomic_read(&a->count) == 0 && atomic_read(&b->count) == 0);
	}
	rcu_read_unlock();
#undef SELFTEST

	selftest_net_free(a);
	selftest_net_free(b);
	rcu_barrier();	/* the entries deleted above are back in the cache */

	if (fail)
		return -EINVAL;
	pr_info("conntrack self-tests: pass (%d)\n", n);
	return 0;
}
