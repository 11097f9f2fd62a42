/* SPDX-License-Identifier: GPL-2.0 */
/*
 * proto.h - the per-protocol state machines of the connection tracker.
 *
 * Each unit (proto_tcp.c, proto_udp.c, proto_icmp.c, proto_generic.c) works
 * on a parsed struct sfw_pkt and the small per-connection state that lives
 * inside the connection object (union sfw_proto_state).  None of them
 * allocates, sleeps, locks or touches an sk_buff: the caller holds whatever
 * lock protects the connection (the entry's spinlock in the kernel) across
 * a call, and applies the result (timeout, assured, destroy, events).
 *
 * Life of an entry, as the caller drives it:
 *
 *	if (sfw_packet_parse(&pkt, ...))		-> INVALID(reason)
 *	if ICMP error: sfw_proto_icmp_error_tuple(), look that tuple up in
 *	    either direction; sfw_proto_icmp_error_verdict()	-> RELATED/INVALID
 *	ct = lookup(&pkt.tuple, &dir);
 *	if (!ct) {
 *		if (!sfw_proto_new(&ps, &pkt, params, &reason))	-> INVALID(reason)
 *		ct = insert(...); dir = SFW_DIR_ORIGINAL;
 *	}
 *	if (sfw_proto_packet(&ct->ps, &pkt, dir, age, params, &res))
 *							-> INVALID(res.reason)
 *	if (res.reopen)	delete ct, then start over (the packet creates a new one)
 *	else if (res.destroy) delete ct, accept the packet
 *	else refresh the timer to res.timeout (0: leave it), set ASSURED if
 *	     res.assured, send an event if res.changed
 *
 * The first packet of a connection goes through both _new and _packet, as
 * in nf_conntrack: _new initialises, _packet makes the first transition.
 *
 * All timeouts are in seconds.
 */
#ifndef _SFW_PROTO_H
#define _SFW_PROTO_H

#include "sfw_core.h"
#include "names.h"
#include "packet.h"

#define SFW_SECS	1U
#define SFW_MINS	(60U * SFW_SECS)
#define SFW_HOURS	(60U * SFW_MINS)
#define SFW_DAYS	(24U * SFW_HOURS)

/* TCP connection states, in nf_conntrack's order (ctnetlink numbers). */
enum sfw_tcp_conntrack {
	SFW_TCP_NONE,
	SFW_TCP_SYN_SENT,
	SFW_TCP_SYN_RECV,
	SFW_TCP_ESTABLISHED,
	SFW_TCP_FIN_WAIT,
	SFW_TCP_CLOSE_WAIT,
	SFW_TCP_LAST_ACK,
	SFW_TCP_TIME_WAIT,
	SFW_TCP_CLOSE,
	SFW_TCP_SYN_SENT2,
	SFW_TCP_NSTATES,
	/* Transition table marker, never stored: accept, change nothing. */
	SFW_TCP_IGNORE = SFW_TCP_NSTATES,
};

/* Flag classes, by priority: RST, SYN (SYN-ACK with ACK), FIN, ACK, none. */
enum sfw_tcp_flag_class {
	SFW_TCPF_SYN,
	SFW_TCPF_SYNACK,
	SFW_TCPF_FIN,
	SFW_TCPF_ACK,
	SFW_TCPF_RST,
	SFW_TCPF_NONE,
	SFW_TCPF_COUNT
};

/*
 * Flags shared by every protocol's state (the low bits of ->flags).  Every
 * state struct below starts with this byte, so the members of union
 * sfw_proto_state share it as a common initial sequence: code that does not
 * know the protocol may read ps->generic.flags for any entry.
 */
#define SFW_PS_SEEN_REPLY	0x01	/* a packet went in the reply direction */
#define SFW_PS_ASSURED		0x02	/* reported assured once */
/* TCP only */
#define SFW_PS_TCP_PICKUP	0x04	/* picked up mid-stream (tcp_loose) */
#define SFW_PS_TCP_LAST_REPLY	0x08	/* last_* describe a reply packet */
#define SFW_PS_TCP_SIMOPEN	0x10	/* simultaneous open seen */
#define SFW_PS_TCP_LIBERAL	0x20	/* no window checks either way: a rule's `ct loose` */

/* Per-direction TCP flags: sfw_tcp_dflags() */
#define SFW_TCP_DF_WSCALE	0x01	/* sent the window scale option */
#define SFW_TCP_DF_SACK_PERM	0x02
#define SFW_TCP_DF_CLOSE_INIT	0x04	/* sent the first FIN */
#define SFW_TCP_DF_BE_LIBERAL	0x08	/* no window checks (picked up) */
#define SFW_TCP_DF_DATA_UNACK	0x10	/* sent data not yet acked */
#define SFW_TCP_DF_BITS		5	/* width of one direction's flags */
#define SFW_TCP_DF_MASK		((1U << SFW_TCP_DF_BITS) - 1)
/* The options a SYN carries, remembered in ->last_dflags */
#define SFW_TCP_DF_OPTIONS	(SFW_TCP_DF_WSCALE | SFW_TCP_DF_SACK_PERM)

/* A window scale (at most SFW_TCP_MAX_WSCALE) fits in this many bits. */
#define SFW_TCP_SCALE_BITS	4
#define SFW_TCP_SCALE_MASK	((1U << SFW_TCP_SCALE_BITS) - 1)

/*
 * ->retrans saturates here.  A tcp_max_retrans above it acts as this
 * value; nf_conntrack's default is 3.
 */
#define SFW_TCP_RETRANS_MAX	31

/*
 * Window tracking data of one direction (van Rooij): the highest sequence
 * number sent (td_end), the highest the receiver allowed (td_maxend = its
 * ack + window) and the largest window seen.  The direction's window scale
 * and SFW_TCP_DF_* flags are packed into struct sfw_tcp_state, where they
 * cost no padding: sfw_tcp_scale() and sfw_tcp_dflags().
 */
struct sfw_tcp_dir {
	u32 td_end;
	u32 td_maxend;
	u32 td_maxwin;
};

/*
 * The TCP state is 40 bytes, without holes, because the connection object
 * (conn.h) must stay at 160:
 *
 *	 0  flags	u8	SFW_PS_*
 *	 1  state	u8	enum sfw_tcp_conntrack
 *	 2  last_win	u16
 *	 4  dir[0]	12	window data, ORIGINAL
 *	16  dir[1]	12	window data, REPLY
 *	28  last_end	u32
 *	32  last_ack	u32
 *	36  one u32 of bitfields:
 *	      dflags	10	SFW_TCP_DF_* of ORIGINAL (bits 0-4), REPLY (5-9)
 *	      scales	 8	window scale of ORIGINAL (bits 0-3), REPLY (4-7)
 *	      last_index 3	enum sfw_tcp_flag_class
 *	      last_dflags 2	SFW_TCP_DF_OPTIONS of an ignored SYN
 *	      last_wscale 4	its window scale
 *	      retrans	 5	saturating at SFW_TCP_RETRANS_MAX
 *
 * @state is a byte of its own, never a bitfield: /proc reads it without
 * the entry's lock (READ_ONCE), and a bitfield write next to it would be a
 * read-modify-write of the byte it lives in.  Everything else is written
 * and read under the entry's lock.
 *
 * The last_* fields describe the last packet that was ignored or accepted,
 * to detect retransmissions (same direction, flag class, end, ack and raw
 * window, as nf_conntrack but for seq, which end and the class stand in
 * for) and to resynchronise on a SYN-ACK that answers a SYN we ignored
 * (the window data of that SYN in last_win, last_end, last_wscale and
 * last_dflags).
 */
struct sfw_tcp_state {
	u8 flags;		/* SFW_PS_*; first, see above */
	u8 state;		/* enum sfw_tcp_conntrack */
	u16 last_win;		/* raw window field, unscaled */
	struct sfw_tcp_dir dir[SFW_DIR_COUNT];
	u32 last_end;
	u32 last_ack;		/* raw ack field */
	u32 dflags:SFW_DIR_COUNT * SFW_TCP_DF_BITS;
	u32 scales:SFW_DIR_COUNT * SFW_TCP_SCALE_BITS;
	u32 last_index:3;
	u32 last_dflags:2;
	u32 last_wscale:SFW_TCP_SCALE_BITS;
	u32 retrans:5;
};

static_assert(SFW_TCPF_COUNT <= 8, "last_index holds a flag class in 3 bits");
static_assert(SFW_TCP_MAX_WSCALE <= SFW_TCP_SCALE_MASK, "a window scale fits its bits");
static_assert(SFW_TCP_DF_DATA_UNACK <= SFW_TCP_DF_MASK, "SFW_TCP_DF_* fit their bits");
static_assert(SFW_TCP_DF_OPTIONS <= 3, "last_dflags holds SFW_TCP_DF_OPTIONS in 2 bits");
static_assert(SFW_TCP_RETRANS_MAX < 32, "retrans is 5 bits");
static_assert(sizeof(struct sfw_tcp_state) == 40, "sfw_tcp_state has a hole");
/* offsetof() of a bitfield does not compile: this also keeps @state a plain byte. */
static_assert(offsetof(struct sfw_tcp_state, state) == 1, "state is a plain u8 field");

/* SFW_TCP_DF_* of direction @d. */
static inline u8 sfw_tcp_dflags(const struct sfw_tcp_state *st, enum sfw_dir d)
{
	return (st->dflags >> (d * SFW_TCP_DF_BITS)) & SFW_TCP_DF_MASK;
}

/* The window scale direction @d applies to the windows it sends. */
static inline u8 sfw_tcp_scale(const struct sfw_tcp_state *st, enum sfw_dir d)
{
	return (st->scales >> (d * SFW_TCP_SCALE_BITS)) & SFW_TCP_SCALE_MASK;
}

struct sfw_udp_state {
	u8 flags;		/* SFW_PS_* */
	/*
	 * Owned by the caller: the entry's creation time, used to compute
	 * the age passed to sfw_proto_udp_packet(); the proto code never
	 * reads or writes it.
	 */
	u32 start;
};

struct sfw_icmp_state {
	u8 flags;		/* SFW_PS_* */
};

struct sfw_generic_state {
	u8 flags;		/* SFW_PS_* */
};

/* Lives in the connection object; which member is live follows l4proto. */
union sfw_proto_state {
	struct sfw_tcp_state tcp;
	struct sfw_udp_state udp;
	struct sfw_icmp_state icmp;
	struct sfw_generic_state generic;
};

static_assert(sizeof(union sfw_proto_state) <= 40,
	      "sfw_proto_state must fit the 160-byte connection object (conn.h)");
static_assert(offsetof(struct sfw_tcp_state, flags) == 0 &&
	      offsetof(struct sfw_udp_state, flags) == 0 &&
	      offsetof(struct sfw_icmp_state, flags) == 0 &&
	      offsetof(struct sfw_generic_state, flags) == 0,
	      "every protocol's flags byte is the union's first byte");

/* The per-netns knobs (sysctls), in seconds.  sfw_ct_params_init() sets the defaults. */
struct sfw_ct_params {
	u32 tcp_timeouts[SFW_TCP_NSTATES];
	u32 tcp_timeout_max_retrans;
	u32 tcp_timeout_unacknowledged;
	u32 udp_timeout;
	u32 udp_timeout_stream;
	u32 icmp_timeout;
	u32 icmpv6_timeout;
	u32 generic_timeout;
	u8 tcp_loose;
	u8 tcp_be_liberal;
	u8 tcp_max_retrans;
	u8 checksum;
	u8 acct;
};

/* What a packet did to a connection; the caller applies it. */
struct sfw_proto_result {
	u32 timeout;		/* seconds to expiry from now; 0: leave the timer */
	u8 ctinfo;		/* enum sfw_ctinfo */
	u8 reason;		/* enum sfw_invalid_reason if ctinfo is INVALID */
	u8 old_state;		/* TCP: state before / after the packet */
	u8 new_state;
	bool changed;		/* protocol state changed: worth an event */
	bool assured;		/* became assured with this packet */
	bool destroy;		/* delete the entry (the packet is accepted) */
	bool reopen;		/* delete the entry, then handle the packet as new */
};

/* UDP: replied and older than this -> stream timeout and assured. */
#define SFW_UDP_STREAM_AGE	(2 * SFW_SECS)

extern const u32 sfw_tcp_timeouts_default[SFW_TCP_NSTATES];

void sfw_ct_params_init(struct sfw_ct_params *p);

/* Stateless TCP checks (flag combinations): 0 or a reason. */
int sfw_proto_tcp_check(const struct sfw_pkt *pkt);
bool sfw_proto_tcp_new(struct sfw_tcp_state *st, const struct sfw_pkt *pkt,
		       const struct sfw_ct_params *p, u8 *reason);
int sfw_proto_tcp_packet(struct sfw_tcp_state *st, const struct sfw_pkt *pkt,
			 enum sfw_dir dir, const struct sfw_ct_params *p,
			 struct sfw_proto_result *res);
/*
 * `ct loose`: this connection checks no windows from now on, as all do
 * with tcp_be_liberal; its window data still follows the segments.
 */
void sfw_proto_tcp_loosen(struct sfw_tcp_state *st);

bool sfw_proto_udp_new(struct sfw_udp_state *st, const struct sfw_pkt *pkt,
		       const struct sfw_ct_params *p, u8 *reason);
/* @age: seconds since the entry was created. */
int sfw_proto_udp_packet(struct sfw_udp_state *st, const struct sfw_pkt *pkt,
			 enum sfw_dir dir, u32 age, const struct sfw_ct_params *p,
			 struct sfw_proto_result *res);

bool sfw_proto_icmp_new(struct sfw_icmp_state *st, const struct sfw_pkt *pkt,
			const struct sfw_ct_params *p, u8 *reason);
int sfw_proto_icmp_packet(struct sfw_icmp_state *st, const struct sfw_pkt *pkt,
			  enum sfw_dir dir, const struct sfw_ct_params *p,
			  struct sfw_proto_result *res);
/* An ICMP(v6) type that opens a connection: an echo, timestamp, info or address request. */
bool sfw_proto_icmp_is_request(u8 l3num, u8 type);
/* Valid ICMPv6 that is never tracked (ND, MLD): SFW_CT_UNTRACKED. */
bool sfw_proto_icmp_untracked(const struct sfw_pkt *pkt);
int sfw_proto_icmp_error_tuple(const struct sfw_pkt *pkt, struct sfw_tuple *lookup);
/* RELATED if the quoted packet's tuple was @found, else INVALID. */
void sfw_proto_icmp_error_verdict(bool found, struct sfw_proto_result *res);

bool sfw_proto_generic_new(struct sfw_generic_state *st, const struct sfw_pkt *pkt,
			   const struct sfw_ct_params *p, u8 *reason);
int sfw_proto_generic_packet(struct sfw_generic_state *st, const struct sfw_pkt *pkt,
			     enum sfw_dir dir, const struct sfw_ct_params *p,
			     struct sfw_proto_result *res);

/* Dispatch on pkt->tuple.l4proto/l3num to the units above. */
bool sfw_proto_new(union sfw_proto_state *ps, const struct sfw_pkt *pkt,
		   const struct sfw_ct_params *p, u8 *reason);
int sfw_proto_packet(union sfw_proto_state *ps, const struct sfw_pkt *pkt,
		     enum sfw_dir dir, u32 age, const struct sfw_ct_params *p,
		     struct sfw_proto_result *res);

#endif /* _SFW_PROTO_H */
