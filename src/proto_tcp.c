// SPDX-License-Identifier: GPL-2.0
/*
 * proto_tcp.c - TCP connection state machine and window tracking.
 *
 * A segment is first classified by its flags (RST > SYN/SYN-ACK > FIN >
 * ACK > none); the table tcp_next[old state][direction][class] gives the
 * next state.  Then the segment must be inside the window (Guido van
 * Rooij, "Real Stateful TCP Packet Filtering in IP Filter", as in
 * nf_conntrack): an out-of-window segment is INVALID and changes nothing.
 *
 * Entry life: SYN (or, with tcp_loose, any ACK-class segment: "picked up")
 * creates it in NONE and moves it to SYN_SENT (ESTABLISHED); it goes
 * through the handshake and the close to TIME_WAIT or CLOSE, where it
 * expires, or where a new SYN reopens it (the caller deletes and
 * re-creates the entry).
 *
 * The caller serialises calls for one connection (its lock); the unit
 * keeps no other state.
 */
#include "proto.h"

/* Largest acceptable distance of an ack behind the data it acknowledges. */
#define MAXACKWINCONST	66000

#define sNO	SFW_TCP_NONE
#define sSS	SFW_TCP_SYN_SENT
#define sSR	SFW_TCP_SYN_RECV
#define sES	SFW_TCP_ESTABLISHED
#define sFW	SFW_TCP_FIN_WAIT
#define sCW	SFW_TCP_CLOSE_WAIT
#define sLA	SFW_TCP_LAST_ACK
#define sTW	SFW_TCP_TIME_WAIT
#define sCL	SFW_TCP_CLOSE
#define sS2	SFW_TCP_SYN_SENT2
#define sIG	SFW_TCP_IGNORE

#define ORIG	SFW_DIR_ORIGINAL
#define REPL	SFW_DIR_REPLY

/*
 * The transition table.  No transition leads back to NONE, so a cell that
 * is not listed (0 == sNO) means INVALID: only legal moves are written,
 * one reason each.  IGNORE: we may be out of sync with the endpoints; let
 * the segment through untouched and remember it (see tcp_ignore()).
 */
static const u8 tcp_next[SFW_TCP_NSTATES][SFW_DIR_COUNT][SFW_TCPF_COUNT] = {
	[sNO] = {
		[ORIG] = {
			[SFW_TCPF_SYN]	  = sSS, /* active open */
			[SFW_TCPF_ACK]	  = sES, /* picked up mid-stream (tcp_loose) */
		},
	},
	[sSS] = {
		[ORIG] = {
			[SFW_TCPF_SYN]	  = sSS, /* retransmitted SYN */
			[SFW_TCPF_RST]	  = sCL, /* client aborts */
		},
		[REPL] = {
			[SFW_TCPF_SYN]	  = sS2, /* simultaneous open */
			[SFW_TCPF_SYNACK] = sSR, /* handshake step 2 */
			[SFW_TCPF_ACK]	  = sIG, /* may ack an older SYN: resync later */
			[SFW_TCPF_RST]	  = sCL, /* connection refused */
		},
	},
	[sSR] = {
		[ORIG] = {
			[SFW_TCPF_SYN]	  = sIG, /* SYN of a new connection? */
			[SFW_TCPF_SYNACK] = sSR, /* our SYN-ACK in a simultaneous open */
			[SFW_TCPF_FIN]	  = sFW, /* close before the handshake ends */
			[SFW_TCPF_ACK]	  = sES, /* handshake step 3 */
			[SFW_TCPF_RST]	  = sCL,
		},
		[REPL] = {
			[SFW_TCPF_SYNACK] = sIG, /* retransmitted SYN-ACK */
			[SFW_TCPF_FIN]	  = sFW, /* server closes at once */
			[SFW_TCPF_ACK]	  = sSR, /* server data before step 3 */
			[SFW_TCPF_RST]	  = sCL,
		},
	},
	[sES] = {
		[ORIG] = {
			[SFW_TCPF_SYN]	  = sIG, /* peer may have restarted */
			[SFW_TCPF_FIN]	  = sFW, /* client closes first */
			[SFW_TCPF_ACK]	  = sES, /* data */
			[SFW_TCPF_RST]	  = sCL,
		},
		[REPL] = {
			[SFW_TCPF_SYNACK] = sIG, /* answer to an ignored SYN: resync */
			[SFW_TCPF_FIN]	  = sFW, /* server closes first */
			[SFW_TCPF_ACK]	  = sES, /* data */
			[SFW_TCPF_RST]	  = sCL,
		},
	},
	[sFW] = {
		[ORIG] = {
			[SFW_TCPF_SYN]	  = sIG,
			[SFW_TCPF_FIN]	  = sLA, /* FIN both ways */
			[SFW_TCPF_ACK]	  = sCW, /* the first FIN acked */
			[SFW_TCPF_RST]	  = sCL,
		},
		[REPL] = {
			[SFW_TCPF_SYNACK] = sIG,
			[SFW_TCPF_FIN]	  = sLA, /* FIN both ways */
			[SFW_TCPF_ACK]	  = sCW, /* the first FIN acked */
			[SFW_TCPF_RST]	  = sCL,
		},
	},
	[sCW] = {
		[ORIG] = {
			[SFW_TCPF_SYN]	  = sIG,
			[SFW_TCPF_FIN]	  = sLA, /* the other side closes too */
			[SFW_TCPF_ACK]	  = sCW, /* half-closed data */
			[SFW_TCPF_RST]	  = sCL,
		},
		[REPL] = {
			[SFW_TCPF_SYNACK] = sIG,
			[SFW_TCPF_FIN]	  = sLA, /* the other side closes too */
			[SFW_TCPF_ACK]	  = sCW, /* half-closed data */
			[SFW_TCPF_RST]	  = sCL,
		},
	},
	[sLA] = {
		[ORIG] = {
			[SFW_TCPF_SYN]	  = sIG,
			[SFW_TCPF_FIN]	  = sLA, /* retransmitted FIN */
			[SFW_TCPF_ACK]	  = sTW, /* last FIN acked */
			[SFW_TCPF_RST]	  = sCL,
		},
		[REPL] = {
			[SFW_TCPF_SYNACK] = sIG,
			[SFW_TCPF_FIN]	  = sLA, /* retransmitted FIN */
			[SFW_TCPF_ACK]	  = sTW, /* last FIN acked */
			[SFW_TCPF_RST]	  = sCL,
		},
	},
	[sTW] = {
		[ORIG] = {
			[SFW_TCPF_SYN]	  = sSS, /* reopen */
			[SFW_TCPF_FIN]	  = sTW, /* retransmitted FIN */
			[SFW_TCPF_ACK]	  = sTW, /* retransmitted last ACK */
			[SFW_TCPF_RST]	  = sCL,
		},
		[REPL] = {
			[SFW_TCPF_SYN]	  = sSS, /* reopen, roles swapped */
			[SFW_TCPF_SYNACK] = sIG,
			[SFW_TCPF_FIN]	  = sTW,
			[SFW_TCPF_ACK]	  = sTW,
			[SFW_TCPF_RST]	  = sCL,
		},
	},
	[sCL] = {
		[ORIG] = {
			[SFW_TCPF_SYN]	  = sSS, /* reopen after a reset */
			[SFW_TCPF_FIN]	  = sCL,
			[SFW_TCPF_ACK]	  = sCL,
			[SFW_TCPF_RST]	  = sCL,
		},
		[REPL] = {
			[SFW_TCPF_SYNACK] = sIG,
			[SFW_TCPF_FIN]	  = sCL,
			[SFW_TCPF_ACK]	  = sCL,
			[SFW_TCPF_RST]	  = sCL,
		},
	},
	[sS2] = {
		[ORIG] = {
			[SFW_TCPF_SYN]	  = sS2, /* retransmitted SYN */
			[SFW_TCPF_SYNACK] = sSR, /* simultaneous open, step 2 */
			[SFW_TCPF_RST]	  = sCL,
		},
		[REPL] = {
			[SFW_TCPF_SYN]	  = sS2, /* retransmitted SYN */
			[SFW_TCPF_SYNACK] = sSR, /* simultaneous open, step 2 */
			[SFW_TCPF_ACK]	  = sIG,
			[SFW_TCPF_RST]	  = sCL,
		},
	},
};

const u32 sfw_tcp_timeouts_default[SFW_TCP_NSTATES] = {
	[sNO] = 2 * SFW_MINS,	/* never used: NONE is left at once */
	[sSS] = 2 * SFW_MINS,
	[sSR] = 60 * SFW_SECS,
	[sES] = 5 * SFW_DAYS,
	[sFW] = 2 * SFW_MINS,
	[sCW] = 60 * SFW_SECS,
	[sLA] = 30 * SFW_SECS,
	[sTW] = 2 * SFW_MINS,
	[sCL] = 10 * SFW_SECS,
	[sS2] = 2 * SFW_MINS,
};

/*
 * Flag combinations a real stack sends (PSH, ECE and CWR do not matter).
 * Everything else - SYN+FIN, SYN+RST, no flags, FIN without ACK - is a
 * scan or an attack.
 */
#define F(x)	SFW_TCPH_##x
static const bool tcp_valid_flags[(F(FIN) | F(SYN) | F(RST) | F(ACK) | F(URG)) + 1] = {
	[F(SYN)]			= true,
	[F(SYN) | F(URG)]		= true,
	[F(SYN) | F(ACK)]		= true,
	[F(RST)]			= true,
	[F(RST) | F(ACK)]		= true,
	[F(FIN) | F(ACK)]		= true,
	[F(FIN) | F(ACK) | F(URG)]	= true,
	[F(ACK)]			= true,
	[F(ACK) | F(URG)]		= true,
};

#undef F

/* Serial number arithmetic (RFC 1982). */
static inline bool before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static inline bool after(u32 a, u32 b)
{
	return before(b, a);
}

static u8 flag_class(u8 f)
{
	if (f & SFW_TCPH_RST)
		return SFW_TCPF_RST;
	if (f & SFW_TCPH_SYN)
		return f & SFW_TCPH_ACK ? SFW_TCPF_SYNACK : SFW_TCPF_SYN;
	if (f & SFW_TCPH_FIN)
		return SFW_TCPF_FIN;
	if (f & SFW_TCPH_ACK)
		return SFW_TCPF_ACK;
	return SFW_TCPF_NONE;
}

/* Sequence number just past the segment: SYN and FIN count as one each. */
static u32 seg_end(const struct sfw_pkt *pkt)
{
	return pkt->tcp.seq + pkt->payload_len +
	       !!(pkt->tcp.flags & SFW_TCPH_SYN) + !!(pkt->tcp.flags & SFW_TCPH_FIN);
}

int sfw_proto_tcp_check(const struct sfw_pkt *pkt)
{
	u8 f = pkt->tcp.flags & (SFW_TCPH_FIN | SFW_TCPH_SYN | SFW_TCPH_RST |
				 SFW_TCPH_ACK | SFW_TCPH_URG);

	return tcp_valid_flags[f] ? 0 : SFW_INVALID_BAD_TCP_FLAGS;
}

/*
 * The per-direction flags and window scales are bitfields of the state
 * (see proto.h); these write one direction's share.
 */
static void dflags_set(struct sfw_tcp_state *st, enum sfw_dir d, u8 f)
{
	st->dflags |= (u32)f << (d * SFW_TCP_DF_BITS);
}

static void dflags_clear(struct sfw_tcp_state *st, enum sfw_dir d, u8 f)
{
	st->dflags &= ~((u32)f << (d * SFW_TCP_DF_BITS));
}

static void scale_set(struct sfw_tcp_state *st, enum sfw_dir d, u8 scale)
{
	unsigned int shift = d * SFW_TCP_SCALE_BITS;

	st->scales = (st->scales & ~(SFW_TCP_SCALE_MASK << shift)) |
		     (u32)(scale & SFW_TCP_SCALE_MASK) << shift;
}

/* Window scale and SACK-permitted of a SYN or SYN-ACK: SFW_TCP_DF_OPTIONS. */
static u8 syn_options(const struct sfw_pkt *pkt, u8 *scale)
{
	u8 f = 0;

	*scale = 0;
	if (pkt->tcp.wscale != SFW_TCP_WSCALE_NONE) {
		*scale = pkt->tcp.wscale;	/* the parser clamped it to 14 */
		f |= SFW_TCP_DF_WSCALE;
	}
	if (pkt->tcp.sack_perm)
		f |= SFW_TCP_DF_SACK_PERM;
	return f;
}

/* Take the options of a SYN or SYN-ACK as those of direction @d. */
static void tcp_options(struct sfw_tcp_state *st, enum sfw_dir d,
			const struct sfw_pkt *pkt)
{
	u8 scale;

	dflags_clear(st, d, SFW_TCP_DF_OPTIONS);
	dflags_set(st, d, syn_options(pkt, &scale));
	scale_set(st, d, scale);
}

/* The first SYN or SYN-ACK of a direction sets up its window data. */
static void init_sender(struct sfw_tcp_state *st, const struct sfw_pkt *pkt,
			u32 end, enum sfw_dir dir)
{
	struct sfw_tcp_dir *snd = &st->dir[dir];
	enum sfw_dir rdir = !dir;

	snd->td_end = end;
	snd->td_maxend = end;
	snd->td_maxwin = pkt->tcp.window ? pkt->tcp.window : 1;
	tcp_options(st, dir, pkt);
	/* RFC 7323: scaling is used only if both sides send the option. */
	if (dir == SFW_DIR_REPLY &&
	    !(sfw_tcp_dflags(st, dir) & SFW_TCP_DF_WSCALE &&
	      sfw_tcp_dflags(st, rdir) & SFW_TCP_DF_WSCALE)) {
		scale_set(st, dir, 0);
		scale_set(st, rdir, 0);
	}
}

static void set_last_dir(struct sfw_tcp_state *st, enum sfw_dir dir)
{
	if (dir == SFW_DIR_REPLY)
		st->flags |= SFW_PS_TCP_LAST_REPLY;
	else
		st->flags &= ~SFW_PS_TCP_LAST_REPLY;
}

static enum sfw_dir last_dir(const struct sfw_tcp_state *st)
{
	return st->flags & SFW_PS_TCP_LAST_REPLY ? SFW_DIR_REPLY : SFW_DIR_ORIGINAL;
}

static u32 max_ack_window(const struct sfw_tcp_dir *snd)
{
	return snd->td_maxwin > MAXACKWINCONST ? snd->td_maxwin : MAXACKWINCONST;
}

/*
 * Is the segment inside the window?  Returns 0 and updates the window data
 * of both directions, or a reason and changes nothing but the data of a
 * direction first seen with this segment.
 */
static int tcp_in_window(struct sfw_tcp_state *st, const struct sfw_pkt *pkt,
			 enum sfw_dir dir, u8 cls, const struct sfw_ct_params *p)
{
	struct sfw_tcp_dir *snd = &st->dir[dir], *rcv = &st->dir[!dir];
	u32 seq = pkt->tcp.seq, ack = pkt->tcp.ack, end = seg_end(pkt);
	u32 win = pkt->tcp.window, swin;
	u8 f = pkt->tcp.flags;
	/* The namespace's knob, a pickup's history lost, or a rule's `ct loose`. */
	bool liberal = p->tcp_be_liberal ||
		       (sfw_tcp_dflags(st, dir) & SFW_TCP_DF_BE_LIBERAL) ||
		       (st->flags & SFW_PS_TCP_LIBERAL);
	int reason = 0;

	if (!snd->td_maxwin) {
		if (f & SFW_TCPH_SYN) {
			/* SYN-ACK, or the peer's SYN in a simultaneous open. */
			init_sender(st, pkt, end, dir);
			if (!(f & SFW_TCPH_ACK))
				return 0;
		} else {
			/* Mid-stream: no history, take what the segment says. */
			snd->td_end = end;
			swin = win << sfw_tcp_scale(st, dir);
			snd->td_maxwin = swin ? swin : 1;
			snd->td_maxend = end + snd->td_maxwin;
			if (!rcv->td_maxwin) {
				/* Nothing seen the other way yet: trust the ack. */
				rcv->td_end = ack;
				rcv->td_maxend = ack;
			} else if (ack == rcv->td_end + 1) {
				/* Likely the answer to a keepalive. */
				rcv->td_end++;
			}
		}
	} else if ((f & SFW_TCPH_SYN) && after(end, snd->td_end) &&
		   (st->state == sSS || st->state == sSR)) {
		/*
		 * RFC 793: a reinitialised TCP may reuse the connection with
		 * higher sequence numbers; start this direction over.
		 */
		init_sender(st, pkt, end, dir);
		if (dir == SFW_DIR_REPLY && !(f & SFW_TCPH_ACK))
			return 0;
	}

	/* No ACK, or a broken stack's RST+ACK with ack 0: nothing to check. */
	if (!(f & SFW_TCPH_ACK) || ((f & SFW_TCPH_RST) && ack == 0))
		ack = rcv->td_end;
	/* A RST with seq 0 answering a SYN (RFC 793 reset generation). */
	if ((f & SFW_TCPH_RST) && seq == 0 && st->state == sSS) {
		seq = snd->td_end;
		end = snd->td_end;
	}

	if (!before(seq, snd->td_maxend + 1))
		reason = SFW_INVALID_TCP_SEQ_OUT_OF_WINDOW;	/* above */
	else if (rcv->td_maxwin && !after(end, snd->td_end - rcv->td_maxwin - 1))
		reason = SFW_INVALID_TCP_SEQ_OUT_OF_WINDOW;	/* below */
	else if (!before(ack, rcv->td_end + 1))
		reason = SFW_INVALID_TCP_ACK_BEYOND_END;
	else if (!after(ack, rcv->td_end - max_ack_window(snd) - 1))
		reason = SFW_INVALID_TCP_ACK_TOO_OLD;
	if (reason && !liberal)
		return cls == SFW_TCPF_RST ? SFW_INVALID_TCP_RST_OUT_OF_WINDOW : reason;
	/* Liberal: accept, and let the window data catch up with the segment. */

	if (!(f & SFW_TCPH_SYN))
		win <<= sfw_tcp_scale(st, dir);

	/* Sender: largest window, highest sequence sent. */
	if (snd->td_maxwin < win)
		snd->td_maxwin = win;
	if (after(end, snd->td_end)) {
		snd->td_end = end;
		dflags_set(st, dir, SFW_TCP_DF_DATA_UNACK);
	}

	/* Receiver: what it may send next is bounded by our ack + window. */
	if (rcv->td_maxwin && after(end, snd->td_maxend))
		rcv->td_maxwin += end - snd->td_maxend;
	if (after(ack + win, rcv->td_maxend - 1)) {
		rcv->td_maxend = ack + win;
		if (!win)
			rcv->td_maxend++;
	}
	if (ack == rcv->td_end)
		dflags_clear(st, !dir, SFW_TCP_DF_DATA_UNACK);

	/*
	 * The same segment again from the same side: a retransmission.  The
	 * ack must match too, or a receiver's run of pure ACKs (same end,
	 * same window, advancing ack) would count as one and cut a healthy
	 * transfer's timeout to tcp_timeout_max_retrans.  nf_conntrack also
	 * compares seq; with the same end and flag class a segment with
	 * another seq would be a repacketised retransmission anyway.
	 */
	if (cls != SFW_TCPF_RST && st->last_index == cls && last_dir(st) == dir &&
	    st->last_end == end && st->last_ack == pkt->tcp.ack &&
	    st->last_win == pkt->tcp.window) {
		if (st->retrans < SFW_TCP_RETRANS_MAX)
			st->retrans++;
	} else {
		st->last_end = end;
		st->last_ack = pkt->tcp.ack;
		st->last_win = pkt->tcp.window;
		st->retrans = 0;
	}
	return 0;
}

/*
 * A segment the table ignores.  If it is a SYN-ACK answering a SYN we
 * ignored before, client and server agree on a new connection that we
 * missed: take the window data of both and go to SYN_RECV (returns true).
 * Otherwise remember the segment for that check and let it pass.
 */
static bool tcp_ignore(struct sfw_tcp_state *st, const struct sfw_pkt *pkt,
		       enum sfw_dir dir, u8 cls)
{
	if (cls == SFW_TCPF_SYNACK && st->last_index == SFW_TCPF_SYN &&
	    last_dir(st) != dir && pkt->tcp.ack == st->last_end) {
		enum sfw_dir sdir = !dir;	/* who sent the SYN */
		struct sfw_tcp_dir *d = &st->dir[sdir];

		d->td_end = st->last_end;
		d->td_maxend = st->last_end;
		d->td_maxwin = st->last_win ? st->last_win : 1;
		scale_set(st, sdir, st->last_wscale);
		dflags_clear(st, sdir, SFW_TCP_DF_MASK);
		dflags_set(st, sdir, st->last_dflags);
		memset(&st->dir[dir], 0, sizeof(st->dir[dir]));
		scale_set(st, dir, 0);
		dflags_clear(st, dir, SFW_TCP_DF_MASK);
		return true;
	}

	st->last_index = cls;
	set_last_dir(st, dir);
	st->last_end = seg_end(pkt);
	st->last_ack = pkt->tcp.ack;
	st->last_win = pkt->tcp.window;
	if (cls == SFW_TCPF_SYN && dir == SFW_DIR_ORIGINAL) {
		u8 scale;

		st->last_dflags = syn_options(pkt, &scale);
		st->last_wscale = scale;
	}
	return false;
}

static u32 tcp_timeout(const struct sfw_tcp_state *st, u8 cls,
		       const struct sfw_ct_params *p)
{
	u32 t = p->tcp_timeouts[st->state];
	u32 unack = p->tcp_timeout_unacknowledged;
	u32 retrans = p->tcp_timeout_max_retrans;

	if (st->retrans >= min_t(u8, p->tcp_max_retrans, SFW_TCP_RETRANS_MAX) &&
	    t > retrans)
		return retrans;
	if (cls == SFW_TCPF_RST)
		return p->tcp_timeouts[sCL];
	if ((sfw_tcp_dflags(st, SFW_DIR_ORIGINAL) | sfw_tcp_dflags(st, SFW_DIR_REPLY)) &
	    SFW_TCP_DF_DATA_UNACK && t > unack)
		return unack;
	/* Picked up and never answered: maybe asymmetric routing, maybe junk. */
	if ((st->flags & (SFW_PS_TCP_PICKUP | SFW_PS_SEEN_REPLY)) == SFW_PS_TCP_PICKUP &&
	    t > unack)
		return unack;
	/* Zero window: the receiver may stall, but not for days. */
	if (!st->last_win && t > retrans)
		return retrans;
	return t;
}

bool sfw_proto_tcp_new(struct sfw_tcp_state *st, const struct sfw_pkt *pkt,
		       const struct sfw_ct_params *p, u8 *reason)
{
	struct sfw_tcp_dir *d = &st->dir[SFW_DIR_ORIGINAL];
	int ret;
	u8 cls;

	ret = sfw_proto_tcp_check(pkt);
	if (ret) {
		*reason = ret;
		return false;
	}
	memset(st, 0, sizeof(*st));
	cls = flag_class(pkt->tcp.flags);
	if (cls == SFW_TCPF_SYN) {
		d->td_end = seg_end(pkt);
		d->td_maxend = d->td_end;
		d->td_maxwin = pkt->tcp.window ? pkt->tcp.window : 1;
		tcp_options(st, SFW_DIR_ORIGINAL, pkt);
		return true;
	}
	if (cls == SFW_TCPF_ACK && p->tcp_loose) {
		/* History lost: use this segment, and check no windows. */
		d->td_end = seg_end(pkt);
		d->td_maxwin = pkt->tcp.window ? pkt->tcp.window : 1;
		d->td_maxend = d->td_end + d->td_maxwin;
		dflags_set(st, SFW_DIR_ORIGINAL, SFW_TCP_DF_SACK_PERM | SFW_TCP_DF_BE_LIBERAL);
		dflags_set(st, SFW_DIR_REPLY, SFW_TCP_DF_SACK_PERM | SFW_TCP_DF_BE_LIBERAL);
		st->flags |= SFW_PS_TCP_PICKUP;
		return true;
	}
	*reason = SFW_INVALID_TCP_NOT_SYN;
	return false;
}

void sfw_proto_tcp_loosen(struct sfw_tcp_state *st)
{
	/*
	 * A state flag, not the per-direction SFW_TCP_DF_BE_LIBERAL: a
	 * resync on an ignored SYN-ACK (tcp_ignore()) clears those, and
	 * the rule meant the connection for its whole life.
	 */
	st->flags |= SFW_PS_TCP_LIBERAL;
}

static int fail(struct sfw_proto_result *res, u8 reason)
{
	res->ctinfo = SFW_CT_INVALID;
	res->reason = reason;
	return reason;
}

int sfw_proto_tcp_packet(struct sfw_tcp_state *st, const struct sfw_pkt *pkt,
			 enum sfw_dir dir, const struct sfw_ct_params *p,
			 struct sfw_proto_result *res)
{
	bool had_reply = st->flags & SFW_PS_SEEN_REPLY;
	u8 cls, old, new;
	int ret;

	memset(res, 0, sizeof(*res));
	res->old_state = st->state;
	res->new_state = st->state;
	ret = sfw_proto_tcp_check(pkt);
	if (ret)
		return fail(res, ret);

	cls = flag_class(pkt->tcp.flags);
	old = st->state;
	new = tcp_next[old][dir][cls];

	switch (new) {
	case sNO:
		return fail(res, SFW_INVALID_TCP_BAD_TRANSITION);
	case sSS:
		if (old != sTW && old != sCL)
			break;
		/* A new connection on the tuple of a closed one. */
		res->ctinfo = SFW_CT_NEW;
		res->reopen = true;
		res->destroy = true;
		return 0;
	case sIG:
		if (tcp_ignore(st, pkt, dir, cls)) {
			old = sSS;
			new = sSR;
			break;
		}
		res->ctinfo = dir == SFW_DIR_REPLY || had_reply ?
			      SFW_CT_ESTABLISHED : SFW_CT_NEW;
		return 0;
	case sSR:
		/* The table cannot tell a simultaneous open's final ACK. */
		if (dir == SFW_DIR_REPLY && cls == SFW_TCPF_ACK &&
		    st->flags & SFW_PS_TCP_SIMOPEN)
			new = sES;
		break;
	case sLA:
		/*
		 * The table reads "FIN in FIN_WAIT/CLOSE_WAIT: both sides closed",
		 * unless it is the side that closed first sending its FIN again.
		 */
		if (cls == SFW_TCPF_FIN && (old == sFW || old == sCW) &&
		    sfw_tcp_dflags(st, dir) & SFW_TCP_DF_CLOSE_INIT)
			new = old;
		break;
	case sCL:
		/* A reset answering a SYN or ACK we let through unchecked. */
		if (cls == SFW_TCPF_RST && last_dir(st) != dir &&
		    (st->last_index == SFW_TCPF_SYN || st->last_index == SFW_TCPF_ACK) &&
		    !(st->flags & SFW_PS_ASSURED) && pkt->tcp.ack == st->last_end)
			goto in_window;
		break;
	}

	ret = tcp_in_window(st, pkt, dir, cls, p);
	if (ret)
		return fail(res, ret);

in_window:
	st->last_index = cls;
	set_last_dir(st, dir);
	st->state = new;
	/* Only a SYN that passed the window check makes an open simultaneous. */
	if (new == sS2)
		st->flags |= SFW_PS_TCP_SIMOPEN;
	if (old != new && new == sFW)
		dflags_set(st, dir, SFW_TCP_DF_CLOSE_INIT);
	if (dir == SFW_DIR_REPLY)
		st->flags |= SFW_PS_SEEN_REPLY;

	res->new_state = new;
	res->changed = res->old_state != new;
	res->timeout = tcp_timeout(st, cls, p);
	res->ctinfo = dir == SFW_DIR_REPLY || had_reply ?
		      SFW_CT_ESTABLISHED : SFW_CT_NEW;

	if (!had_reply && cls == SFW_TCPF_RST) {
		/* Refused, or aborted before any answer: nothing to keep. */
		res->destroy = true;
	} else if (st->flags & SFW_PS_SEEN_REPLY && !(st->flags & SFW_PS_ASSURED) &&
		   (old == sSR || old == sES) && new == sES) {
		/* Both sides spoke and the handshake (or pickup) completed. */
		st->flags |= SFW_PS_ASSURED;
		res->assured = true;
	}
	return 0;
}
