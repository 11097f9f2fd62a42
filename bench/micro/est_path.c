// SPDX-License-Identifier: GPL-2.0
/*
 * est_path - sfw's filter pass (src/path.c, src/conntrack.c,
 * src/timer_wheel.c, compiled as they are against tests/fuzz/kstand/)
 * timed on the host's own CPU, which has the caches TCG does not
 * emulate. It answers the questions of issue 15's item 2 that the VM
 * bench cannot: what one locked instruction, and where an entry sits
 * against cache lines, cost a packet of an established flow.
 *
 * It fills the table with N UDP flows (a datagram each way), then sends
 * packets of random flows through sfw_path_filter() at FORWARD, rules
 * stubbed to accept, accounting on (sfw's default), and prints the
 * median ns per packet of ROUNDS rounds. The new-flow figure is the
 * filling itself.
 *
 * Built twice (Makefile): est_path with kstand's plain-flag locks, and
 * est_path_xlock with a real atomic exchange for every spin_lock(), as
 * the kernel's uncontended lock takes. Entries are laid out as SLUB lays
 * them, back to back at STRIDE bytes: 160 is sfw's 32-byte alignment;
 * 192 is what 64-byte (cache line) alignment would cost.
 *
 *   est_path FLOWS STRIDE [PACKETS]
 * prints: "flows=N stride=S locks=plain|atomic new_ns=X est_ns=Y"
 */
#include "kstand.h"

#include "../../src/conntrack.c"
#include "../../src/timer_wheel.c"
#include "../../src/path.c"

#include <time.h>

#include "pktbuild.h"

/* kstand.c checks what it is given as the fuzz targets check it. */
#define FUZZ_CHECK_MSG(cond, ...) \
	do { if (!(cond)) { fprintf(stderr, "est_path: " __VA_ARGS__); abort(); } } while (0)

/* kstand.c's allocator is malloc's; this one below is a slab's. */
#define kmem_cache_zalloc kstand_malloc_zalloc
#define kmem_cache_free kstand_malloc_free
#include "kstand.c"
#undef kmem_cache_zalloc
#undef kmem_cache_free
static void (*const run_worker)(struct sfw_timer_wheel *w) __maybe_unused = kstand_run_worker;

static struct sfw_net net;
static struct sfw_cpu_stats stats;
static struct sfw_rules accept_all;	/* only compared with NULL */
static struct net_device dev_lan = { .ifindex = 2, .name = "lan0" };
static struct net_device dev_wan = { .ifindex = 3, .name = "wan0" };

/* ---- what lies outside the pass: the rules accept, nothing else is there ---- */

unsigned int sfw_rules_filter(struct sfw_net *sn, struct sk_buff *skb,
			      const struct nf_hook_state *state, enum sfw_chain chain,
			      struct sfw_ct_verdict *v)
{
	return NF_ACCEPT;
}

bool sfw_expect_match(struct sfw_net *sn, const struct sfw_tuple *t)
{
	return false;
}

const struct sfw_rule *sfw_nat_source_rule(struct sfw_net *sn, const struct sk_buff *skb,
					   const struct nf_hook_state *state,
					   const struct sfw_tuple *t,
					   const struct sfw_ruleset **rs)
{
	return NULL;
}

int sfw_nat_bind_source(struct sfw_net *sn, const struct nf_hook_state *state,
			struct sfw_conn *ct, const struct sfw_tuple *t,
			const struct sfw_ruleset *rs, const struct sfw_rule *r)
{
	abort();
}

bool sfw_helper_packet(struct sfw_net *sn, struct sfw_conn *ct, enum sfw_dir dir,
		       struct sk_buff *skb, const struct sfw_pkt *pkt)
{
	abort();
}

void sfw_netlink_event(struct sfw_net *sn, const struct sfw_conn *ct, u8 type,
		       enum sfw_ct_end why)
{
}

void sfw_drop_log_record(struct sfw_net *sn, const struct nf_hook_state *state,
			 enum sfw_chain chain, const struct sfw_ct_verdict *v, u8 reason)
{
	fprintf(stderr, "est_path: a packet was dropped (reason %u)\n", reason);
	exit(1);
}

void sfw_nat_unhash(struct sfw_net *sn, struct sfw_conn *ct)
{
}

void sfw_flowtable_forget(struct sfw_net *sn, struct sfw_conn *ct)
{
}

void sfw_flowtable_offload(struct sfw_net *sn, struct sk_buff *skb,
			   const struct nf_hook_state *state, const struct sfw_ct_verdict *v)
{
	abort();
}

void sfw_expect_master_gone(struct sfw_net *sn, struct sfw_conn *master)
{
}

void sfw_srclimit_put(struct sfw_net *sn, u8 l3num, const union sfw_addr *src, u8 held)
{
}

/* ---- a slab: objects back to back at one stride, never freed ---- */

static size_t stride;
static u8 *arena, *arena_end;

void *kmem_cache_zalloc(struct kmem_cache *c, gfp_t gfp)
{
	size_t n = c->size <= stride ? stride : (c->size + 63) / 64 * 64;
	void *p = arena;

	if (arena + n > arena_end)
		return NULL;
	arena += n;
	c->live++;
	return p;
}

void kmem_cache_free(struct kmem_cache *c, void *p)
{
	c->live--;
}

/* ---- the driver ---- */

#define PKT_LEN	32	/* an IPv4 header, a UDP header, room to spare */

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Flow @i's datagram, client to server (@reply: server to client). */
static void build(u8 *b, u32 i, bool reply)
{
	char cli[16], srv[16];
	unsigned int n;

	snprintf(cli, sizeof(cli), "10.%u.%u.%u", 1 + (i >> 16 & 0x3f), i >> 8 & 0xff, i & 0xff);
	snprintf(srv, sizeof(srv), "10.200.0.%u", 1 + i % 250);
	n = reply ? pb_ipv4(b, srv, cli, SFW_IPPROTO_UDP, 8) :
		    pb_ipv4(b, cli, srv, SFW_IPPROTO_UDP, 8);
	if (reply)
		pb_udp(b + n, 53, 10000 + (i >> 22), 0);
	else
		pb_udp(b + n, 10000 + (i >> 22), 53, 0);
}

static unsigned int forward(u8 *b)
{
	struct sk_buff skb = { .data = b, .len = 28 };
	struct nf_hook_state state = { .pf = NFPROTO_IPV4, .hook = NF_INET_FORWARD,
				       .in = &dev_lan, .out = &dev_wan };

	return sfw_path_filter(&net, &skb, &state, SFW_CHAIN_FORWARD);
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	enum { ROUNDS = 7 };
	u32 flows, packets, *order, x = 2463534242u;
	u64 t0, new_ns, est[ROUNDS];
	u8 *pkts;

	if (argc < 3) {
		fprintf(stderr, "usage: est_path FLOWS STRIDE [PACKETS]\n");
		return 2;
	}
	flows = strtoul(argv[1], NULL, 0);
	stride = strtoul(argv[2], NULL, 0);
	packets = argc > 3 ? strtoul(argv[3], NULL, 0) : 2000000;
	if (!flows || flows > (1u << 24) || stride < sizeof(struct sfw_conn)) {
		fprintf(stderr, "est_path: 1..2^24 flows, a stride of at least %zu\n",
			sizeof(struct sfw_conn));
		return 2;
	}
	arena = aligned_alloc(4096, ((size_t)flows * stride + 4095) / 4096 * 4096 + 4096);
	pkts = malloc((size_t)flows * PKT_LEN);
	order = malloc(packets * sizeof(*order));
	if (!arena || !pkts || !order)
		return 1;
	arena_end = arena + (size_t)flows * stride + 4096;

	hashsize = 16;
	while (hashsize < flows && hashsize < SFW_HASHSIZE_MAX)
		hashsize <<= 1;
	if (sfw_conntrack_init())
		return 1;
	net.stats = &stats;
	if (ct_net_init(&net, 7))
		return 1;
	net.conntrack_max = 0;
	net.params.checksum = 0;
	net.params.acct = 1;
	net.rules = &accept_all;

	/* New flows: the first datagram of each, then its answer. */
	for (u32 i = 0; i < flows; i++)
		build(pkts + (size_t)i * PKT_LEN, i, false);
	t0 = now_ns();
	for (u32 i = 0; i < flows; i++)
		if (forward(pkts + (size_t)i * PKT_LEN) != NF_ACCEPT)
			return 1;
	new_ns = (now_ns() - t0) / flows;
	for (u32 i = 0; i < flows; i++) {
		u8 b[PKT_LEN];

		build(b, i, true);
		if (forward(b) != NF_ACCEPT)
			return 1;
	}
	if ((u32)atomic_read(&net.count) != flows) {
		fprintf(stderr, "est_path: %d entries for %u flows\n", atomic_read(&net.count), flows);
		return 1;
	}

	/* Established: random flows (xorshift), the same order each round. */
	for (u32 i = 0; i < packets; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		order[i] = x % flows;
	}
	for (int r = 0; r < ROUNDS; r++) {
		t0 = now_ns();
		for (u32 i = 0; i < packets; i++)
			forward(pkts + (size_t)order[i] * PKT_LEN);
		est[r] = (now_ns() - t0) * 1000 / packets;
	}
	qsort(est, ROUNDS, sizeof(est[0]), cmp_u64);
	printf("flows=%u stride=%zu locks=%s new_ns=%llu est_ns=%llu.%03llu\n", flows, stride,
#ifdef KSTAND_ATOMIC_LOCKS
	       "atomic",
#else
	       "plain",
#endif
	       (unsigned long long)new_ns, (unsigned long long)(est[ROUNDS / 2] / 1000),
	       (unsigned long long)(est[ROUNDS / 2] % 1000));
	return 0;
}
