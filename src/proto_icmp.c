// SPDX-License-Identifier: GPL-2.0
/*
 * proto_icmp.c - ICMP and ICMPv6 query/answer pairs, and errors.
 *
 * Only requests create entries: echo, timestamp, information and address
 * mask (ICMPv6: echo).  The tuple's sport is the identifier and dport the
 * type/code, so the answer finds the entry through the inverted tuple
 * (sfw_tuple_invert() maps the request type to the reply type).
 *
 * Errors (unreachable, source quench, redirect, time exceeded, parameter
 * problem; ICMPv6 also packet too big) never create entries.  The parser
 * extracted the tuple of the packet quoted in the error; that packet was
 * sent by one end of a tracked connection towards the host that reports
 * the error, so its tuple is one of the connection's two tuples and a
 * plain lookup (both directions are hashed) finds the entry.  If it
 * matched the entry's ORIGINAL tuple, the error travels in the REPLY
 * direction, and the other way round.  Found: RELATED; not found: INVALID.
 */
#include "proto.h"

bool sfw_proto_icmp_is_request(u8 l3num, u8 type)
{
	if (l3num == SFW_AF_INET6)
		return type == SFW_ICMPV6_ECHO_REQUEST;

	switch (type) {
	case SFW_ICMP_ECHO:
	case SFW_ICMP_TIMESTAMP:
	case SFW_ICMP_INFO_REQUEST:
	case SFW_ICMP_ADDRESS:
		return true;
	}
	return false;
}

static u32 icmp_timeout(const struct sfw_pkt *pkt, const struct sfw_ct_params *p)
{
	return pkt->tuple.l3num == SFW_AF_INET6 ? p->icmpv6_timeout : p->icmp_timeout;
}

/*
 * ICMPv6's own plumbing: multicast listener queries and reports, router
 * and neighbour solicitations and advertisements, redirects. They are
 * valid, and IPv6 stops working if a rule set drops them as invalid, but
 * they are not connections: as nf_conntrack does, leave them untracked.
 */
bool sfw_proto_icmp_untracked(const struct sfw_pkt *pkt)
{
	if (pkt->tuple.l3num != SFW_AF_INET6)
		return false;
	switch (pkt->icmp.type) {
	case 130 ... 137:	/* MLD query/report/done, RS, RA, NS, NA, redirect */
	case 143:		/* MLDv2 report */
		return true;
	}
	return false;
}

bool sfw_proto_icmp_new(struct sfw_icmp_state *st, const struct sfw_pkt *pkt,
			const struct sfw_ct_params *p, u8 *reason)
{
	(void)p;
	if (pkt->icmp.is_error) {
		/* Errors are matched by the caller, they never create. */
		*reason = SFW_INVALID_ICMP_ERROR_NO_MATCH;
		return false;
	}
	if (!sfw_proto_icmp_is_request(pkt->tuple.l3num, pkt->icmp.type)) {
		*reason = SFW_INVALID_ICMP_UNTRACKED_TYPE;
		return false;
	}
	memset(st, 0, sizeof(*st));
	return true;
}

int sfw_proto_icmp_packet(struct sfw_icmp_state *st, const struct sfw_pkt *pkt,
			  enum sfw_dir dir, const struct sfw_ct_params *p,
			  struct sfw_proto_result *res)
{
	memset(res, 0, sizeof(*res));
	if (pkt->icmp.is_error) {
		res->ctinfo = SFW_CT_INVALID;
		res->reason = SFW_INVALID_ICMP_ERROR_MALFORMED;
		return res->reason;
	}
	if (dir == SFW_DIR_REPLY && !(st->flags & SFW_PS_SEEN_REPLY)) {
		st->flags |= SFW_PS_SEEN_REPLY;
		res->changed = true;
	}
	res->ctinfo = st->flags & SFW_PS_SEEN_REPLY ? SFW_CT_ESTABLISHED : SFW_CT_NEW;
	res->timeout = icmp_timeout(pkt, p);
	return 0;
}

int sfw_proto_icmp_error_tuple(const struct sfw_pkt *pkt, struct sfw_tuple *lookup)
{
	u8 l4 = pkt->tuple.l4proto;

	if (l4 != SFW_IPPROTO_ICMP && l4 != SFW_IPPROTO_ICMPV6)
		return SFW_INVALID_ICMP_ERROR_MALFORMED;
	if (!pkt->icmp.is_error)
		return SFW_INVALID_ICMP_ERROR_MALFORMED;
	*lookup = pkt->icmp.inner;
	return 0;
}

void sfw_proto_icmp_error_verdict(bool found, struct sfw_proto_result *res)
{
	memset(res, 0, sizeof(*res));
	if (!found) {
		res->ctinfo = SFW_CT_INVALID;
		res->reason = SFW_INVALID_ICMP_ERROR_NO_MATCH;
		return;
	}
	/* An error never refreshes the entry it is about. */
	res->ctinfo = SFW_CT_RELATED;
}
