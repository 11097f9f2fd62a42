// SPDX-License-Identifier: GPL-2.0
/*
 * proto_udp.c - UDP "connections".
 *
 * Any datagram creates an entry (UNREPLIED, udp_timeout).  Once the other
 * side has answered, the entry is ESTABLISHED; if it is still in use after
 * SFW_UDP_STREAM_AGE it is a stream: ASSURED, with udp_timeout_stream.
 * The caller passes the entry's age, so the unit keeps no clock; it may
 * keep the creation time it computes the age from in ->start, which this
 * unit leaves alone.
 */
#include "proto.h"

bool sfw_proto_udp_new(struct sfw_udp_state *st, const struct sfw_pkt *pkt,
		       const struct sfw_ct_params *p, u8 *reason)
{
	/* Every datagram may open a flow; nothing to check. */
	(void)pkt;
	(void)p;
	(void)reason;
	/* Not a memset: ->start belongs to the caller. */
	st->flags = 0;
	return true;
}

int sfw_proto_udp_packet(struct sfw_udp_state *st, const struct sfw_pkt *pkt,
			 enum sfw_dir dir, u32 age, const struct sfw_ct_params *p,
			 struct sfw_proto_result *res)
{
	(void)pkt;
	memset(res, 0, sizeof(*res));
	if (dir == SFW_DIR_REPLY && !(st->flags & SFW_PS_SEEN_REPLY)) {
		st->flags |= SFW_PS_SEEN_REPLY;
		res->changed = true;
	}
	if (!(st->flags & SFW_PS_SEEN_REPLY)) {
		res->ctinfo = SFW_CT_NEW;
		res->timeout = p->udp_timeout;
		return 0;
	}

	res->ctinfo = SFW_CT_ESTABLISHED;
	if (age < SFW_UDP_STREAM_AGE) {
		/* Replied, but maybe just one query and its answer (DNS). */
		res->timeout = p->udp_timeout;
		return 0;
	}
	res->timeout = p->udp_timeout_stream;
	if (!(st->flags & SFW_PS_ASSURED)) {
		st->flags |= SFW_PS_ASSURED;
		res->assured = true;
	}
	return 0;
}
