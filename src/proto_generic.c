// SPDX-License-Identifier: GPL-2.0
/*
 * proto_generic.c - protocols without a state machine, the defaults of the
 * tracker's knobs, and the dispatch from l4proto to a protocol unit.
 *
 * Generic entries are keyed on addresses and protocol only (ports 0): the
 * first packet creates, a reply establishes, generic_timeout refreshes.
 */
#include "proto.h"

void sfw_ct_params_init(struct sfw_ct_params *p)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < SFW_TCP_NSTATES; i++)
		p->tcp_timeouts[i] = sfw_tcp_timeouts_default[i];
	p->tcp_timeout_max_retrans = 5 * SFW_MINS;
	p->tcp_timeout_unacknowledged = 5 * SFW_MINS;
	p->udp_timeout = 30 * SFW_SECS;
	p->udp_timeout_stream = 2 * SFW_MINS;
	p->icmp_timeout = 30 * SFW_SECS;
	p->icmpv6_timeout = 30 * SFW_SECS;
	p->generic_timeout = 10 * SFW_MINS;
	p->tcp_loose = 1;
	p->tcp_be_liberal = 0;
	p->tcp_max_retrans = 3;
	p->checksum = 1;
	p->acct = 1;		/* nf_conntrack: 0; sfw counts by default */
}

bool sfw_proto_generic_new(struct sfw_generic_state *st, const struct sfw_pkt *pkt,
			   const struct sfw_ct_params *p, u8 *reason)
{
	(void)pkt;
	(void)p;
	(void)reason;
	memset(st, 0, sizeof(*st));
	return true;
}

int sfw_proto_generic_packet(struct sfw_generic_state *st, const struct sfw_pkt *pkt,
			     enum sfw_dir dir, const struct sfw_ct_params *p,
			     struct sfw_proto_result *res)
{
	(void)pkt;
	memset(res, 0, sizeof(*res));
	if (dir == SFW_DIR_REPLY && !(st->flags & SFW_PS_SEEN_REPLY)) {
		st->flags |= SFW_PS_SEEN_REPLY;
		res->changed = true;
	}
	res->ctinfo = st->flags & SFW_PS_SEEN_REPLY ? SFW_CT_ESTABLISHED : SFW_CT_NEW;
	res->timeout = p->generic_timeout;
	return 0;
}

static bool is_icmp(const struct sfw_pkt *pkt)
{
	return (pkt->tuple.l3num == SFW_AF_INET && pkt->tuple.l4proto == SFW_IPPROTO_ICMP) ||
	       (pkt->tuple.l3num == SFW_AF_INET6 && pkt->tuple.l4proto == SFW_IPPROTO_ICMPV6);
}

bool sfw_proto_new(union sfw_proto_state *ps, const struct sfw_pkt *pkt,
		   const struct sfw_ct_params *p, u8 *reason)
{
	if (pkt->tuple.l4proto == SFW_IPPROTO_TCP)
		return sfw_proto_tcp_new(&ps->tcp, pkt, p, reason);
	if (pkt->tuple.l4proto == SFW_IPPROTO_UDP)
		return sfw_proto_udp_new(&ps->udp, pkt, p, reason);
	if (is_icmp(pkt))
		return sfw_proto_icmp_new(&ps->icmp, pkt, p, reason);
	return sfw_proto_generic_new(&ps->generic, pkt, p, reason);
}

int sfw_proto_packet(union sfw_proto_state *ps, const struct sfw_pkt *pkt,
		     enum sfw_dir dir, u32 age, const struct sfw_ct_params *p,
		     struct sfw_proto_result *res)
{
	if (pkt->tuple.l4proto == SFW_IPPROTO_TCP)
		return sfw_proto_tcp_packet(&ps->tcp, pkt, dir, p, res);
	if (pkt->tuple.l4proto == SFW_IPPROTO_UDP)
		return sfw_proto_udp_packet(&ps->udp, pkt, dir, age, p, res);
	if (is_icmp(pkt))
		return sfw_proto_icmp_packet(&ps->icmp, pkt, dir, p, res);
	return sfw_proto_generic_packet(&ps->generic, pkt, dir, p, res);
}
