// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_table - the connection table itself (src/conntrack.c) and its
 * timer wheel (src/timer_wheel.c), compiled as they are against a
 * single-threaded stand-in for the kernel (kstand/kstand.h), driven by
 * bytes and checked against a model.
 *
 * Two namespaces share the one table (16 buckets; a knob can fold every
 * hash into 2 of them, so chains run long and fill up). Each record is
 * one of what the packet path (path.c) and the control plane do to it:
 *
 *	op & 7   0, 1  a packet of flow (next byte & 63) in direction op>>3 &
 *		       1 in namespace op>>4 & 1: found, its timeout set from
 *		       the next byte (0: closes it, as an RST does); or not
 *		       found, allocated (as a NAT entry, a helper entry, a
 *		       plain one or one of the gateway's own, which may use
 *		       net.sfw.conntrack_reserve's 5%, op>>5 & 3) and
 *		       inserted, confirmed unless
 *		       op>>7 says it is made at PRE_ROUTING for translation
 *		       (then for at most nat.c's 5 s until confirmed: the
 *		       wheel reaps an unconfirmed entry when first examined)
 *		 2     confirm the entry of a flow (path.c's confirm())
 *		 3     mark it ASSURED, as the state machine does
 *		 4     delete it (sfwctl ct delete, a refused NAT entry)
 *		 5     the clock moves (next byte, in wheel ticks or seconds)
 *		       and the wheel's worker runs as often as it is queued
 *		 6     a whole-table walk deletes the entries whose source
 *		       port matches the next byte (flush, recheck)
 *		 7     conntrack_max of the namespace becomes the next byte
 *
 * The model knows every entry: its namespace, tuple, expiry, whether it
 * is confirmed and assured. The table's DESTROY events (netlink.c's
 * sfw_netlink_event(), stubbed) keep it in step and are themselves
 * checked: an expired entry was due, an early-dropped one was not
 * assured, was in the new flow's eight buckets and, if the new flow is
 * forwarded, was not one of the gateway's own. After every record:
 * the count is the model's, each entry is found from both directions and
 * no other, the visible walk shows exactly the confirmed ones, an entry
 * overdue by a tick is gone, and the wheel sleeps only when empty. At the
 * end both namespaces go and every object must have been freed.
 */
#include "kstand.h"

#include "../../src/conntrack.c"
#include "../../src/timer_wheel.c"

#include "fuzz.h"
#include "kstand.c"

#define FLOWS		64
#define MODEL_MAX	(2 * FLOWS)
#define TABLE_SIZE	16

/* ---- the model ---- */

struct entry {
	bool live;
	bool confirmed;
	bool assured;
	bool local;		/* the gateway's own (SFW_CONN_X_LOCAL) */
	u8 ns;
	struct sfw_tuple t;	/* as inserted: the original direction */
	struct sfw_conn *ct;
};

static struct entry model[MODEL_MAX];
static struct sfw_net nets[2];
static struct sfw_cpu_stats stats[2];
static bool in_uninit;
static u32 allocating_hash;
static int allocating_ns = -1;
static bool allocating_local;

static int ns_of(const struct sfw_net *sn)
{
	return sn == &nets[1];
}

static struct entry *model_of(const struct sfw_conn *ct)
{
	int i;

	for (i = 0; i < MODEL_MAX; i++)
		if (model[i].live && model[i].ct == ct)
			return &model[i];
	return NULL;
}

static unsigned int model_count(int ns, bool confirmed_only)
{
	unsigned int i, n = 0;

	for (i = 0; i < MODEL_MAX; i++)
		if (model[i].live && model[i].ns == ns && (!confirmed_only || model[i].confirmed))
			n++;
	return n;
}

/* The entry of @t in @ns either way round, and which way. */
static struct entry *model_find(int ns, const struct sfw_tuple *t, enum sfw_dir *dir)
{
	struct sfw_tuple inv;
	int i;

	sfw_tuple_invert(t, &inv);
	for (i = 0; i < MODEL_MAX; i++) {
		if (!model[i].live || model[i].ns != ns)
			continue;
		if (!memcmp(&model[i].t, t, sizeof(*t))) {
			*dir = SFW_DIR_ORIGINAL;
			return &model[i];
		}
		if (!memcmp(&model[i].t, &inv, sizeof(inv))) {
			*dir = SFW_DIR_REPLY;
			return &model[i];
		}
	}
	return NULL;
}

static bool in_early_drop_reach(u32 hash, const struct sfw_tuple *t, u32 net_id)
{
	unsigned int b = bucket_of(sfw_conntrack_hash(t, net_id)), i;

	for (i = 0; i < SFW_EARLY_DROP_BUCKETS; i++)
		if (bucket_of(hash + i) == b)
			return true;
	return false;
}

/* ---- what the table calls out to ---- */

void sfw_netlink_event(struct sfw_net *sn, const struct sfw_conn *ct, u8 type,
		       enum sfw_ct_end why)
{
	struct entry *e = model_of(ct);
	s32 due = (s32)(READ_ONCE(ct->expires) - (u32)jiffies);

	FUZZ_CHECK_MSG(e, "event %u for an entry the model does not hold", type);
	FUZZ_CHECK(e->ns == ns_of(sn) && ct->net_id == sn->net_id);
	if (type == SFW_EVENT_NEW) {
		FUZZ_CHECK(ct->status & SFW_CONN_CONFIRMED);
		return;
	}
	FUZZ_CHECK(type == SFW_EVENT_DESTROY);
	FUZZ_CHECK(ct->status & SFW_CONN_DYING);
	switch (why) {
	case SFW_END_EXPIRED:
		FUZZ_CHECK_MSG(due <= 0, "reaped %d jiffies before its expiry", due);
		break;
	case SFW_END_EARLY_DROP:
		FUZZ_CHECK_MSG(!e->assured, "early drop evicted an assured entry");
		FUZZ_CHECK(allocating_ns == e->ns);
		FUZZ_CHECK_MSG(allocating_local || !e->local,
			       "early drop for a forwarded flow evicted one of the gateway's own");
		FUZZ_CHECK_MSG(in_early_drop_reach(allocating_hash, &e->t, ct->net_id),
			       "early drop evicted an entry outside the new flow's buckets");
		break;
	case SFW_END_NAMESPACE:
		FUZZ_CHECK(in_uninit);
		break;
	case SFW_END_DELETED:
		break;
	default:
		FUZZ_CHECK_MSG(false, "unexpected end %d", why);
	}
	e->live = false;
	e->ct = NULL;
}

void sfw_nat_unhash(struct sfw_net *sn, struct sfw_conn *ct)
{
	FUZZ_CHECK(ct->net_id == sn->net_id || !ct->net_id);
}

/* No flowtable here: nothing is offloaded, so nothing is forgotten. */
void sfw_flowtable_forget(struct sfw_net *sn, struct sfw_conn *ct)
{
	FUZZ_CHECK(ct->status & SFW_CONN_DYING);
}

void sfw_expect_master_gone(struct sfw_net *sn, struct sfw_conn *master)
{
	FUZZ_CHECK(master->status & SFW_CONN_DYING);
}

/* The stubbed rules have no `ct count`: nothing is ever counted. */
void sfw_srclimit_put(struct sfw_net *sn, u8 l3num, const union sfw_addr *src, u8 held)
{
	FUZZ_CHECK(!held);
}

/* ---- the driver ---- */

/* Flow @f: 10.0.0.1-4 -> 10.0.1.1-2, sports 1000-1007, TCP or UDP. No
 * flow is the inverse of another: the reply direction is the op's bit.
 */
static void flow_tuple(unsigned int f, bool reply, struct sfw_tuple *t)
{
	struct sfw_tuple o;

	memset(&o, 0, sizeof(o));
	o.l3num = SFW_AF_INET;
	o.l4proto = f & 32 ? SFW_IPPROTO_UDP : SFW_IPPROTO_TCP;
	o.src.ip = htonl(0x0a000001 + (f & 3));
	o.dst.ip = htonl(0x0a000101 + ((f >> 2) & 1));
	o.sport = htons(1000 + ((f >> 3) & 3));
	o.dport = htons(80);
	if (reply)
		sfw_tuple_invert(&o, t);
	else
		*t = o;
}

static void check_table(int ns)
{
	struct sfw_net *sn = &nets[ns];
	struct sfw_timer_wheel *w = sn->wheel;
	unsigned int b, seen = 0, i;
	struct hlist_nulls_node *n;
	struct sfw_conn *ct;

	FUZZ_CHECK_MSG((unsigned int)atomic_read(&sn->count) == model_count(ns, false),
		       "count %d, model %u", atomic_read(&sn->count), model_count(ns, false));
	for (b = 0; b < sfw_conntrack_buckets(); b++)
		sfw_conntrack_for_each_visible(ct, n, sn, b) {
			struct entry *e = model_of(ct);

			FUZZ_CHECK_MSG(e && e->confirmed && e->ns == ns,
				       "the walk shows an entry the model does not");
			seen++;
		}
	FUZZ_CHECK_MSG(seen == model_count(ns, true), "walk saw %u, model has %u confirmed",
		       seen, model_count(ns, true));

	for (i = 0; i < MODEL_MAX; i++) {
		struct sfw_tuple inv;
		enum sfw_dir dir;
		s32 late;

		if (!model[i].live || model[i].ns != ns)
			continue;
		FUZZ_CHECK(sfw_conntrack_lookup(sn, &model[i].t, &dir) == model[i].ct &&
			   dir == SFW_DIR_ORIGINAL);
		sfw_tuple_invert(&model[i].t, &inv);
		FUZZ_CHECK(sfw_conntrack_lookup(sn, &inv, &dir) == model[i].ct &&
			   dir == SFW_DIR_REPLY);
		FUZZ_CHECK(sfw_conntrack_lookup(&nets[!ns], &model[i].t, &dir) !=
			   model[i].ct);
		/* Due a tick ago, and the worker ran: it must be gone. */
		late = (s32)((u32)jiffies - model[i].ct->expires);
		FUZZ_CHECK_MSG(!w->work.work.pending || (long)(jiffies - w->work.when) < 0 ||
			       late < 0, "worker due but not run");
		FUZZ_CHECK_MSG(late < (s32)w->tick_j, "entry %u jiffies overdue, not reaped", late);
	}
	/* Asleep only with nothing filed. */
	FUZZ_CHECK_MSG(!atomic_read(&w->filed) || w->work.work.pending,
		       "the wheel sleeps with %d entries filed", atomic_read(&w->filed));
}

static void set_timeout(struct sfw_net *sn, struct sfw_conn *ct, u8 secs)
{
	spinlock_t *lock = sfw_timer_wheel_lock(sn->wheel, sfw_conn_stripe(ct));
	u32 now = (u32)jiffies, expires = now + secs * HZ;

	spin_lock(lock);
	if (!(ct->status & SFW_CONN_DYING)) {
		/* As path.c's conn_update(): later is lazy, earlier moves now. */
		if ((s32)(expires - ct->expires) < 0)
			sfw_timer_wheel_shorten(sn->wheel, ct, expires);
		WRITE_ONCE(ct->expires, expires);
	}
	spin_unlock(lock);
}

static unsigned int chain_len(unsigned int b)
{
	struct hlist_nulls_node *n;
	unsigned int len = 0;

	sfw_conn_for_each_node(n, &sfw_table[b])
		len++;
	return len;
}

static void create(int ns, const struct sfw_tuple *t, u8 kind, bool confirm, u8 secs)
{
	static const u8 xflags[4] = { 0, SFW_CONN_X_NAT, SFW_CONN_X_NAT | SFW_CONN_X_HELPER,
				      SFW_CONN_X_LOCAL };
	struct sfw_net *sn = &nets[ns];
	union sfw_proto_state ps;
	unsigned int i, slot;
	struct sfw_conn *ct;
	u32 hash = sfw_conntrack_hash(t, sn->net_id);
	unsigned int before = atomic_read(&sn->count);
	bool local = xflags[kind & 3] & SFW_CONN_X_LOCAL;
	int ret;

	allocating_hash = hash;
	allocating_ns = ns;
	allocating_local = local;
	ct = sfw_conntrack_alloc(sn, hash, xflags[kind & 3], GFP_ATOMIC);
	allocating_ns = -1;
	if (!ct) {
		/*
		 * Its share full (the whole table for the gateway's own, less
		 * the reserve for a forwarded one), and no unassured entry of
		 * this namespace it may evict in reach.
		 */
		FUZZ_CHECK(sn->conntrack_max && model_count(ns, false) >=
			   sfw_ct_limits_share(sn->conntrack_max, sn->conntrack_reserve, local));
		for (i = 0; i < MODEL_MAX; i++)
			FUZZ_CHECK_MSG(!model[i].live || model[i].ns != ns || model[i].assured ||
				       (!local && model[i].local) ||
				       !in_early_drop_reach(hash, &model[i].t, sn->net_id),
				       "table full, but an unassured entry was in reach");
		return;
	}
	/* Within the limit, or (the limit lowered under it) no fuller than before. */
	FUZZ_CHECK(!sn->conntrack_max ||
		   (unsigned int)atomic_read(&sn->count) <= max(sn->conntrack_max, before));
	for (slot = 0; slot < MODEL_MAX && model[slot].live; slot++)
		;
	FUZZ_CHECK(slot < MODEL_MAX);
	memset(&ps, 0, sizeof(ps));
	/* The model holds it from here: the insert's events may name it. */
	model[slot] = (struct entry){ .live = true, .confirmed = confirm, .local = local,
				      .ns = ns, .t = *t, .ct = ct };
	ret = sfw_conntrack_insert(sn, ct, t, hash, &ps, secs, 60, confirm);
	if (ret) {
		struct sfw_tuple inv;
		unsigned int b0, b1;

		FUZZ_CHECK_MSG(ret == -ENOSPC, "insert: %d after a lookup found nothing", ret);
		sfw_tuple_invert(t, &inv);
		b0 = bucket_of(hash);
		b1 = bucket_of(sfw_conntrack_hash(&inv, sn->net_id));
		FUZZ_CHECK_MSG(chain_len(b0) >= SFW_MAX_CHAIN - 1 || chain_len(b1) >= SFW_MAX_CHAIN - 1,
			       "insert refused with chains of %u and %u", chain_len(b0), chain_len(b1));
		model[slot].live = false;
		model[slot].ct = NULL;
		return;
	}
}

static bool kill_port(struct sfw_net *sn, struct sfw_conn *ct, void *arg)
{
	return ntohs(ct->tuple.sport) % 8 == *(u8 *)arg % 8 ||
	       ntohs(ct->tuple.dport) % 8 == *(u8 *)arg % 8;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static bool ready;
	struct fuzz_input in = { data, size };
	unsigned int ns, i;

	if (!ready) {
		hashsize = TABLE_SIZE;
		FUZZ_CHECK(!sfw_conntrack_init());
		ready = true;
	}
	kstand_hash_mask = fuzz_take(&in) & 1 ? 1 : ~0u;
	/* The kernel's jiffies start five minutes before the 32-bit wrap. */
	kstand_jiffies = (unsigned long)(unsigned int)(-300 * HZ) + fuzz_take(&in) * 97;
	memset(model, 0, sizeof(model));
	memset(stats, 0, sizeof(stats));
	for (ns = 0; ns < 2; ns++) {
		memset(&nets[ns], 0, sizeof(nets[ns]));
		nets[ns].stats = &stats[ns];
		FUZZ_CHECK(!ct_net_init(&nets[ns], 1000 + ns));
		nets[ns].conntrack_max = fuzz_take(&in) % 16 + 1;
	}

	while (in.n) {
		u8 op = fuzz_take(&in), b = fuzz_take(&in);
		struct sfw_tuple t;
		struct sfw_conn *ct;
		struct entry *e;
		enum sfw_dir dir, mdir;

		ns = op >> 4 & 1;
		flow_tuple(b & (FLOWS - 1), op >> 3 & 1, &t);
		switch (op & 7) {
		case 0:
		case 1:
			ct = sfw_conntrack_lookup(&nets[ns], &t, &dir);
			e = model_find(ns, &t, &mdir);
			FUZZ_CHECK_MSG(ct == (e ? e->ct : NULL), "lookup: table %p, model %p",
				       (void *)ct, e ? (void *)e->ct : NULL);
			if (ct) {
				FUZZ_CHECK(dir == mdir);
				/* An unconfirmed entry's packets wait for its confirm (path.c). */
				if (e->confirmed)
					set_timeout(&nets[ns], ct, fuzz_take(&in));
			} else if (op & 0x80) {
				/* Made at PRE_ROUTING: filed for nat.c's 5 s of grace only. */
				create(ns, &t, op >> 5 & 3, false, fuzz_take(&in) % 6);
			} else {
				create(ns, &t, op >> 5 & 3, true, fuzz_take(&in));
			}
			break;
		case 2:
			e = model_find(ns, &t, &mdir);
			if (e) {
				FUZZ_CHECK(sfw_conntrack_confirm(&nets[ns], e->ct) == !e->confirmed);
				e->confirmed = true;
			}
			break;
		case 3:
			e = model_find(ns, &t, &mdir);
			if (e) {
				spinlock_t *lock = sfw_timer_wheel_lock(nets[ns].wheel,
									sfw_conn_stripe(e->ct));

				spin_lock(lock);
				e->ct->status |= SFW_CONN_ASSURED;
				spin_unlock(lock);
				e->assured = true;
			}
			break;
		case 4:
			e = model_find(ns, &t, &mdir);
			if (e)
				FUZZ_CHECK(sfw_conntrack_delete(&nets[ns], e->ct, SFW_END_DELETED));
			FUZZ_CHECK(!e || !e->live);
			break;
		case 5:
			/* Ticks, or with the top bit whole seconds; then both workers. */
			kstand_jiffies += b & 0x80 ? (b & 0x7f) * HZ : b * nets[0].wheel->tick_j / 4;
			kstand_run_worker(nets[0].wheel);
			kstand_run_worker(nets[1].wheel);
			break;
		case 6: {
			u32 want = 0, got;

			for (i = 0; i < MODEL_MAX; i++)
				if (model[i].live && model[i].ns == ns && model[i].confirmed &&
				    kill_port(&nets[ns], model[i].ct, &b))
					want++;
			got = sfw_conntrack_cleanup(&nets[ns], kill_port, &b, SFW_END_DELETED);
			FUZZ_CHECK_MSG(got == want, "cleanup deleted %u, model says %u", got, want);
			break;
		}
		case 7:
			nets[ns].conntrack_max = b;
			break;
		}
		kstand_rcu_quiesce();
		check_table(0);
		check_table(1);
	}

	in_uninit = true;
	for (ns = 0; ns < 2; ns++) {
		ct_net_uninit(&nets[ns]);
		FUZZ_CHECK(!model_count(ns, false));
	}
	in_uninit = false;
	kstand_rcu_quiesce();
	FUZZ_CHECK(!sfw_conn_cache->live && !sfw_conn_nat_cache->live && !sfw_conn_help_cache->live);
	for (i = 0; i < TABLE_SIZE; i++)
		FUZZ_CHECK_MSG(is_a_nulls(sfw_table[i].first) &&
			       get_nulls_value(sfw_table[i].first) == i, "bucket %u not empty", i);
	return 0;
}
