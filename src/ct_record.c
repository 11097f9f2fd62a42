// SPDX-License-Identifier: GPL-2.0
/*
 * ct_record.c - one saved connection, checked as a packet would be.
 *
 * A restore (SFW_CMD_CT_RESTORE) creates an entry no packet created, so
 * this is where the rules a packet enforces are enforced instead:
 *
 *	the tuples: a family and protocol the tracker handles, IPv4
 *	    addresses with nothing in the upper words, ports only where the
 *	    protocol has them, an ICMP type that opens a connection;
 *	the reply answers the original: it is the original's inverse after
 *	    DNAT (the reply's source) and SNAT (the reply's destination),
 *	    and nothing else differs (for ICMP: the reply's type is the
 *	    answer to the original's, its code the same);
 *	the state: a TCP state the table has (not NONE), window scales
 *	    RFC 7323 allows, only the flags that exist;
 *	the counters: a packet the other way means a reply was seen.
 *
 * A record from `sfwctl ct save` of a running sfw always passes: nothing
 * is refused that the tracker can make. Timeouts are not judged here but
 * capped where the entry is made (ct_restore.c), against the namespace's
 * settings.
 */
#include "ct_record.h"

static bool is_icmp(u8 l3num, u8 l4proto)
{
	return (l3num == SFW_AF_INET && l4proto == SFW_IPPROTO_ICMP) ||
	       (l3num == SFW_AF_INET6 && l4proto == SFW_IPPROTO_ICMPV6);
}

static bool has_ports(u8 l4proto)
{
	return l4proto == SFW_IPPROTO_TCP || l4proto == SFW_IPPROTO_UDP;
}

static bool same(const struct sfw_tuple *a, const struct sfw_tuple *b)
{
	return !memcmp(a, b, offsetof(struct sfw_tuple, pad));
}

void sfw_ct_record_inner(const struct sfw_ct_record *r, struct sfw_tuple *inner)
{
	*inner = r->orig;
	inner->dst = r->reply.src;
	if (has_ports(r->orig.l4proto))
		inner->dport = r->reply.sport;
}

bool sfw_ct_record_dnat(const struct sfw_ct_record *r)
{
	struct sfw_tuple inner;

	sfw_ct_record_inner(r, &inner);
	return !same(&inner, &r->orig);
}

bool sfw_ct_record_snat(const struct sfw_ct_record *r)
{
	struct sfw_tuple inner, inv;

	sfw_ct_record_inner(r, &inner);
	sfw_tuple_invert(&inner, &inv);
	return !same(&inv, &r->reply);
}

static const char *tuple_check(const struct sfw_tuple *t)
{
	if (t->l3num != SFW_AF_INET && t->l3num != SFW_AF_INET6)
		return "the family is neither IPv4 nor IPv6";
	if (t->pad[0] || t->pad[1])
		return "the tuple has padding set";
	if (t->l3num == SFW_AF_INET &&
	    (t->src.ip6[1] || t->src.ip6[2] || t->src.ip6[3] ||
	     t->dst.ip6[1] || t->dst.ip6[2] || t->dst.ip6[3]))
		return "an IPv4 address longer than 4 bytes";
	if ((t->l3num == SFW_AF_INET && t->l4proto == SFW_IPPROTO_ICMPV6) ||
	    (t->l3num == SFW_AF_INET6 && t->l4proto == SFW_IPPROTO_ICMP))
		return "ICMP of the other family";
	if (!has_ports(t->l4proto) && !is_icmp(t->l3num, t->l4proto) && (t->sport || t->dport))
		return "ports on a protocol without ports";
	return NULL;
}

static bool win_empty(const struct sfw_ct_record_dir *w)
{
	return !w->end && !w->maxend && !w->maxwin && !w->wscale && !w->flags;
}

static const char *tcp_check(const struct sfw_ct_record *r)
{
	unsigned int d;

	if (r->tcp_state == SFW_CT_TCP_NONE || r->tcp_state > SFW_CT_TCP_MAX)
		return "no such TCP state";
	if (r->tcp_flags & ~SFW_CT_TCPF_ALL)
		return "unknown TCP flags";
	if (r->tcp_retrans > SFW_TCP_RETRANS_MAX)
		return "more retransmissions than the tracker counts";
	for (d = 0; d < SFW_DIR_COUNT; d++) {
		const struct sfw_ct_record_dir *w = &r->win[d];

		if (w->wscale > SFW_TCP_MAX_WSCALE)
			return "a window scale above 14";
		if (w->flags & ~SFW_CT_TCPD_ALL)
			return "unknown TCP direction flags";
		if (w->maxwin > (u32)65535 << SFW_TCP_MAX_WSCALE)
			return "a window larger than TCP allows";
	}
	return NULL;
}

const char *sfw_ct_record_check(const struct sfw_ct_record *r)
{
	struct sfw_tuple inner, want;
	const char *why;
	unsigned int d;

	why = tuple_check(&r->orig);
	if (why)
		return why;
	why = tuple_check(&r->reply);
	if (why)
		return why;
	if (r->reply.l3num != r->orig.l3num || r->reply.l4proto != r->orig.l4proto)
		return "the reply has another family or protocol";
	if (is_icmp(r->orig.l3num, r->orig.l4proto) &&
	    !sfw_proto_icmp_is_request(r->orig.l3num, ntohs(r->orig.dport) >> 8))
		return "an ICMP type that opens no connection";
	/* The reply is the inverse of the inner tuple but for its destination (SNAT). */
	sfw_ct_record_inner(r, &inner);
	sfw_tuple_invert(&inner, &want);
	if (has_ports(r->orig.l4proto))
		want.dport = r->reply.dport;
	else if (is_icmp(r->orig.l3num, r->orig.l4proto))
		want.sport = r->reply.sport;
	want.dst = r->reply.dst;
	if (!same(&want, &r->reply))
		return "the reply tuple does not answer the original";

	if (r->status & ~(SFW_CT_S_SEEN_REPLY | SFW_CT_S_ASSURED))
		return "unknown status bits";
	if ((r->status & SFW_CT_S_ASSURED) && !(r->status & SFW_CT_S_SEEN_REPLY))
		return "assured without a reply";
	if (r->packets[SFW_DIR_REPLY] && !(r->status & SFW_CT_S_SEEN_REPLY))
		return "packets in reply but no reply seen";
	for (d = 0; d < SFW_DIR_COUNT; d++)
		if (r->packets[d] > r->bytes[d] / 20)
			return "fewer bytes than its packets' headers";
	if (!r->timeout)
		return "no time left";

	if (r->orig.l4proto == SFW_IPPROTO_TCP) {
		why = tcp_check(r);
		if (why)
			return why;
	} else if (r->tcp_state || r->tcp_flags || r->tcp_retrans ||
		   !win_empty(&r->win[0]) || !win_empty(&r->win[1])) {
		return "TCP data on a connection that is not TCP";
	}
	if (strnlen(r->masq_dev, SFW_CT_DEV_LEN) == SFW_CT_DEV_LEN ||
	    strnlen(r->in_dev, SFW_CT_DEV_LEN) == SFW_CT_DEV_LEN)
		return "a device name longer than 15 bytes";
	if (r->masq_dev[0] && !sfw_ct_record_snat(r))
		return "a masquerading device but no source translation";
	if (r->in_dev[0] && !sfw_ct_record_dnat(r))
		return "an input device but no destination translation";
	return NULL;
}

/* SFW_TCP_DF_* (proto.h) and the uapi's SFW_CT_TCPD_*, bit for bit. */
static const struct {
	u8 df, uapi;
} dflag_map[] = {
	{ SFW_TCP_DF_WSCALE, SFW_CT_TCPD_WSCALE },
	{ SFW_TCP_DF_SACK_PERM, SFW_CT_TCPD_SACK_PERM },
	{ SFW_TCP_DF_CLOSE_INIT, SFW_CT_TCPD_CLOSE_INIT },
	{ SFW_TCP_DF_BE_LIBERAL, SFW_CT_TCPD_BE_LIBERAL },
	{ SFW_TCP_DF_DATA_UNACK, SFW_CT_TCPD_DATA_UNACK },
};

static u8 dflags_to_uapi(u8 df)
{
	unsigned int i;
	u8 out = 0;

	for (i = 0; i < ARRAY_SIZE(dflag_map); i++)
		if (df & dflag_map[i].df)
			out |= dflag_map[i].uapi;
	return out;
}

static u32 dflags_from_uapi(u8 uapi)
{
	unsigned int i;
	u32 out = 0;

	for (i = 0; i < ARRAY_SIZE(dflag_map); i++)
		if (uapi & dflag_map[i].uapi)
			out |= dflag_map[i].df;
	return out;
}

void sfw_ct_record_to_state(const struct sfw_ct_record *r, union sfw_proto_state *ps)
{
	u8 flags = 0;
	unsigned int d;

	memset(ps, 0, sizeof(*ps));
	if (r->status & SFW_CT_S_SEEN_REPLY)
		flags |= SFW_PS_SEEN_REPLY;
	if (r->status & SFW_CT_S_ASSURED)
		flags |= SFW_PS_ASSURED;
	if (r->orig.l4proto != SFW_IPPROTO_TCP) {
		ps->generic.flags = flags;
		return;
	}
	if (r->tcp_flags & SFW_CT_TCPF_PICKUP)
		flags |= SFW_PS_TCP_PICKUP;
	if (r->tcp_flags & SFW_CT_TCPF_SIMOPEN)
		flags |= SFW_PS_TCP_SIMOPEN;
	if (r->tcp_flags & SFW_CT_TCPF_LIBERAL)
		flags |= SFW_PS_TCP_LIBERAL;
	ps->tcp.flags = flags;
	ps->tcp.state = r->tcp_state;
	for (d = 0; d < SFW_DIR_COUNT; d++) {
		ps->tcp.dir[d].td_end = r->win[d].end;
		ps->tcp.dir[d].td_maxend = r->win[d].maxend;
		ps->tcp.dir[d].td_maxwin = r->win[d].maxwin;
		ps->tcp.dflags |= dflags_from_uapi(r->win[d].flags) << (d * SFW_TCP_DF_BITS);
		ps->tcp.scales |= (r->win[d].wscale & SFW_TCP_SCALE_MASK) << (d * SFW_TCP_SCALE_BITS);
	}
	ps->tcp.retrans = r->tcp_retrans;
	/* No last packet: nothing to take a retransmission for. */
	ps->tcp.last_index = SFW_TCPF_NONE;
}

void sfw_ct_record_from_state(struct sfw_ct_record *r, const union sfw_proto_state *ps)
{
	const struct sfw_tcp_state *st = &ps->tcp;
	unsigned int d;

	if (r->orig.l4proto != SFW_IPPROTO_TCP)
		return;
	r->tcp_state = st->state;
	r->tcp_flags = (st->flags & SFW_PS_TCP_PICKUP ? SFW_CT_TCPF_PICKUP : 0) |
		       (st->flags & SFW_PS_TCP_SIMOPEN ? SFW_CT_TCPF_SIMOPEN : 0) |
		       (st->flags & SFW_PS_TCP_LIBERAL ? SFW_CT_TCPF_LIBERAL : 0);
	r->tcp_retrans = st->retrans;
	for (d = 0; d < SFW_DIR_COUNT; d++) {
		r->win[d].end = st->dir[d].td_end;
		r->win[d].maxend = st->dir[d].td_maxend;
		r->win[d].maxwin = st->dir[d].td_maxwin;
		r->win[d].flags = dflags_to_uapi(sfw_tcp_dflags(st, d));
		r->win[d].wscale = sfw_tcp_scale(st, d);
	}
}
