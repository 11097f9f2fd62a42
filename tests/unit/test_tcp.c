// SPDX-License-Identifier: GPL-2.0
/*
 * TCP state machine tests.  Each scenario is a table of segments, one row
 * per segment: direction, flags, seq, ack, window, payload length, and
 * the state expected after it (or ERR with the reason, REFUSE when the
 * segment may not create the entry, REOPEN when it reopens a closed one).
 * Segments are built as IPv4 bytes and go through the parser first.
 */
#include <stdio.h>
#include "proto.h"
#include "pktbuild.h"
#include "tap.h"

enum { O = 1, R = 2 };			/* row direction; 0 ends a table */

#define S	SFW_TCPH_SYN
#define A	SFW_TCPH_ACK
#define F	SFW_TCPH_FIN
#define RS	SFW_TCPH_RST
#define P	SFW_TCPH_PSH
#define U	SFW_TCPH_URG

#define ERR	100	/* INVALID, state unchanged; .reason says why */
#define REFUSE	101	/* sfw_proto_tcp_new() refused; .reason says why */
#define REOPEN	102	/* entry must be deleted and recreated */

#define WS(x)	((x) + 1)	/* .ws: window scale option; 0 = none */

/* .chk bits */
#define ASSURED	0x01	/* res.assured on this row */
#define DESTROY	0x02	/* res.destroy on this row */
#define LOOSEN	0x04	/* before this row: a rule's `ct loose` (sfw_proto_tcp_loosen()) */

struct row {
	int dir;
	u8 flags;
	u32 seq, ack;
	u16 win, len;
	int expect;
	u8 reason;
	u32 tmo;	/* expected timeout if non-zero */
	u8 ws;
	u8 chk;
};

struct scenario {
	const char *name;
	const struct row *rows;
	u8 loose_off, liberal;
	u32 max_retrans_tmo;	/* override tcp_timeout_max_retrans */
};

/* One row: direction, flags, seq, ack, window, length, expected; then optional fields. */
#define T(d, f, s, a, w, l, exp, ...) \
	{ .dir = (d), .flags = (f), .seq = (s), .ack = (a), .win = (w), .len = (l), \
	  .expect = (exp), __VA_ARGS__ }

#define C_ISN	1000u
#define S_ISN	5000u

/* The three-way handshake most scenarios start with. */
#define HANDSHAKE \
	T(O, S, C_ISN, 0, 64240, 0, SFW_TCP_SYN_SENT, .tmo = 120), \
	T(R, S | A, S_ISN, C_ISN + 1, 65160, 0, SFW_TCP_SYN_RECV, .tmo = 60), \
	{ O, A,     C_ISN + 1, S_ISN + 1, 64240, 0, SFW_TCP_ESTABLISHED, .tmo = 432000, .chk = ASSURED }

static const struct row handshake[] = {
	HANDSHAKE,
	/* data, not yet acked: unacknowledged timeout */
	T(O, A | P, C_ISN + 1, S_ISN + 1, 64240, 100, SFW_TCP_ESTABLISHED, .tmo = 300),
	T(R, A, S_ISN + 1, C_ISN + 101, 65160, 0, SFW_TCP_ESTABLISHED, .tmo = 432000),
	{ 0 }
};

static const struct row simultaneous_open[] = {
	T(O, S, C_ISN, 0, 64240, 0, SFW_TCP_SYN_SENT),
	T(R, S, S_ISN, 0, 65160, 0, SFW_TCP_SYN_SENT2),
	T(O, S | A, C_ISN, S_ISN + 1, 64240, 0, SFW_TCP_SYN_RECV),
	T(R, S | A, S_ISN, C_ISN + 1, 65160, 0, SFW_TCP_SYN_RECV),	/* ignored */
	T(R, A, S_ISN + 1, C_ISN + 1, 65160, 0, SFW_TCP_ESTABLISHED, .chk = ASSURED),
	{ 0 }
};

/*
 * Found by tests/fuzz (regress/conntrack/simopen-flag-on-invalid-syn): a
 * reply SYN refused as out of window used to mark the open simultaneous
 * anyway, and the server's own ACK then made the entry ESTABLISHED and
 * ASSURED without the client's final ACK.
 */
static const struct row simopen_invalid_syn[] = {
	T(O, S, C_ISN, 0, 64240, 0, SFW_TCP_SYN_SENT),
	T(R, S | A, S_ISN, 12345, 65160, 0, ERR, .reason = SFW_INVALID_TCP_ACK_BEYOND_END),
	T(R, S, 4294872296u, 0, 65160, 0, ERR, .reason = SFW_INVALID_TCP_SEQ_OUT_OF_WINDOW),
	T(R, S | A, 9000, C_ISN + 1, 65160, 0, SFW_TCP_SYN_RECV),
	T(R, A, 9001, C_ISN + 1, 65160, 0, SFW_TCP_SYN_RECV),
	{ 0 }
};

static const struct row close_client_first[] = {
	HANDSHAKE,
	T(O, F | A, C_ISN + 1, S_ISN + 1, 64240, 0, SFW_TCP_FIN_WAIT, .tmo = 120),
	T(R, A, S_ISN + 1, C_ISN + 2, 65160, 0, SFW_TCP_CLOSE_WAIT, .tmo = 60),
	T(R, F | A, S_ISN + 1, C_ISN + 2, 65160, 0, SFW_TCP_LAST_ACK, .tmo = 30),
	T(O, A, C_ISN + 2, S_ISN + 2, 64240, 0, SFW_TCP_TIME_WAIT, .tmo = 120),
	{ 0 }
};

static const struct row close_server_first[] = {
	HANDSHAKE,
	T(R, F | A, S_ISN + 1, C_ISN + 1, 65160, 0, SFW_TCP_FIN_WAIT),
	T(O, A, C_ISN + 1, S_ISN + 2, 64240, 0, SFW_TCP_CLOSE_WAIT),
	T(O, F | A, C_ISN + 1, S_ISN + 2, 64240, 0, SFW_TCP_LAST_ACK),
	T(R, A, S_ISN + 2, C_ISN + 2, 65160, 0, SFW_TCP_TIME_WAIT),
	{ 0 }
};

/* FIN+ACK answered by FIN+ACK, the usual shape on the wire. */
static const struct row close_both_fin[] = {
	HANDSHAKE,
	T(O, F | A, C_ISN + 1, S_ISN + 1, 64240, 0, SFW_TCP_FIN_WAIT),
	T(R, F | A, S_ISN + 1, C_ISN + 2, 65160, 0, SFW_TCP_LAST_ACK),
	T(O, A, C_ISN + 2, S_ISN + 2, 64240, 0, SFW_TCP_TIME_WAIT),
	T(O, A, C_ISN + 2, S_ISN + 2, 64240, 0, SFW_TCP_TIME_WAIT),	/* last ACK again */
	{ 0 }
};

static const struct row rst_in_window[] = {
	HANDSHAKE,
	T(R, RS | A, S_ISN + 1, C_ISN + 1, 0, 0, SFW_TCP_CLOSE, .tmo = 10),
	{ 0 }
};

static const struct row rst_out_of_window[] = {
	HANDSHAKE,
	T(R, RS, S_ISN + 10000000, 0, 0, 0, ERR, .reason = SFW_INVALID_TCP_RST_OUT_OF_WINDOW),
	T(R, RS, S_ISN - 10000000, 0, 0, 0, ERR, .reason = SFW_INVALID_TCP_RST_OUT_OF_WINDOW),
	T(O, A | P, C_ISN + 1, S_ISN + 1, 64240, 10, SFW_TCP_ESTABLISHED),
	{ 0 }
};

static const struct row rst_refused[] = {
	T(O, S, C_ISN, 0, 64240, 0, SFW_TCP_SYN_SENT),
	T(R, RS | A, 0, C_ISN + 1, 0, 0, SFW_TCP_CLOSE, .chk = DESTROY),
	{ 0 }
};

static const struct row syn_retransmitted[] = {
	T(O, S, C_ISN, 0, 64240, 0, SFW_TCP_SYN_SENT, .tmo = 120),
	T(O, S, C_ISN, 0, 64240, 0, SFW_TCP_SYN_SENT, .tmo = 120),
	T(O, S, C_ISN, 0, 64240, 0, SFW_TCP_SYN_SENT, .tmo = 120),
	T(R, S | A, S_ISN, C_ISN + 1, 65160, 0, SFW_TCP_SYN_RECV),
	T(R, S | A, S_ISN, C_ISN + 1, 65160, 0, SFW_TCP_SYN_RECV),	/* ignored */
	T(O, A, C_ISN + 1, S_ISN + 1, 64240, 0, SFW_TCP_ESTABLISHED, .chk = ASSURED),
	{ 0 }
};

/* max_retrans timeout 77 s: the fourth identical segment lowers the timeout. */
static const struct row data_retransmitted[] = {
	HANDSHAKE,
	T(O, A | P, C_ISN + 1, S_ISN + 1, 64240, 100, SFW_TCP_ESTABLISHED, .tmo = 300),
	T(O, A | P, C_ISN + 1, S_ISN + 1, 64240, 100, SFW_TCP_ESTABLISHED, .tmo = 300),
	T(O, A | P, C_ISN + 1, S_ISN + 1, 64240, 100, SFW_TCP_ESTABLISHED, .tmo = 300),
	T(O, A | P, C_ISN + 1, S_ISN + 1, 64240, 100, SFW_TCP_ESTABLISHED, .tmo = 77),
	T(R, A, S_ISN + 1, C_ISN + 101, 65160, 0, SFW_TCP_ESTABLISHED, .tmo = 432000),
	{ 0 }
};

/*
 * The receiver of a bulk transfer acks a burst with a run of pure ACKs:
 * same end, same window, but the ack advances, so none of them is a
 * retransmission.  max_retrans timeout 77 s: were they counted, the 4th
 * would get it.  Until the last ACK the sender has unacked data (300 s);
 * then the entry is back to the established timeout.
 */
static const struct row pure_ack_run[] = {
	HANDSHAKE,
	T(O, A | P, C_ISN + 1, S_ISN + 1, 64240, 1000, SFW_TCP_ESTABLISHED, .tmo = 300),
	T(O, A | P, C_ISN + 1001, S_ISN + 1, 64240, 1000, SFW_TCP_ESTABLISHED, .tmo = 300),
	T(O, A | P, C_ISN + 2001, S_ISN + 1, 64240, 1000, SFW_TCP_ESTABLISHED, .tmo = 300),
	T(O, A | P, C_ISN + 3001, S_ISN + 1, 64240, 1000, SFW_TCP_ESTABLISHED, .tmo = 300),
	T(O, A | P, C_ISN + 4001, S_ISN + 1, 64240, 1000, SFW_TCP_ESTABLISHED, .tmo = 300),
	T(O, A | P, C_ISN + 5001, S_ISN + 1, 64240, 1000, SFW_TCP_ESTABLISHED, .tmo = 300),
	T(R, A, S_ISN + 1, C_ISN + 1001, 65160, 0, SFW_TCP_ESTABLISHED, .tmo = 300),
	T(R, A, S_ISN + 1, C_ISN + 2001, 65160, 0, SFW_TCP_ESTABLISHED, .tmo = 300),
	T(R, A, S_ISN + 1, C_ISN + 3001, 65160, 0, SFW_TCP_ESTABLISHED, .tmo = 300),
	T(R, A, S_ISN + 1, C_ISN + 4001, 65160, 0, SFW_TCP_ESTABLISHED, .tmo = 300),
	T(R, A, S_ISN + 1, C_ISN + 5001, 65160, 0, SFW_TCP_ESTABLISHED, .tmo = 300),
	T(R, A, S_ISN + 1, C_ISN + 6001, 65160, 0, SFW_TCP_ESTABLISHED, .tmo = 432000),
	{ 0 }
};

/* The very same pure ACK four times is counted: the 4th gets max_retrans (77 s). */
static const struct row pure_ack_repeated[] = {
	HANDSHAKE,
	T(O, A | P, C_ISN + 1, S_ISN + 1, 64240, 1000, SFW_TCP_ESTABLISHED, .tmo = 300),
	T(R, A, S_ISN + 1, C_ISN + 1001, 65160, 0, SFW_TCP_ESTABLISHED, .tmo = 432000),
	T(R, A, S_ISN + 1, C_ISN + 1001, 65160, 0, SFW_TCP_ESTABLISHED, .tmo = 432000),
	T(R, A, S_ISN + 1, C_ISN + 1001, 65160, 0, SFW_TCP_ESTABLISHED, .tmo = 432000),
	T(R, A, S_ISN + 1, C_ISN + 1001, 65160, 0, SFW_TCP_ESTABLISHED, .tmo = 77),
	/* Anything else resets the count. */
	T(O, A | P, C_ISN + 1001, S_ISN + 1, 64240, 1000, SFW_TCP_ESTABLISHED, .tmo = 300),
	T(R, A, S_ISN + 1, C_ISN + 2001, 65160, 0, SFW_TCP_ESTABLISHED, .tmo = 432000),
	{ 0 }
};

static const struct row fin_retransmitted[] = {
	HANDSHAKE,
	T(O, F | A, C_ISN + 1, S_ISN + 1, 64240, 0, SFW_TCP_FIN_WAIT, .tmo = 120),
	T(O, F | A, C_ISN + 1, S_ISN + 1, 64240, 0, SFW_TCP_FIN_WAIT, .tmo = 120),
	T(O, F | A, C_ISN + 1, S_ISN + 1, 64240, 0, SFW_TCP_FIN_WAIT, .tmo = 120),
	T(O, F | A, C_ISN + 1, S_ISN + 1, 64240, 0, SFW_TCP_FIN_WAIT, .tmo = 77),
	T(R, F | A, S_ISN + 1, C_ISN + 2, 65160, 0, SFW_TCP_LAST_ACK),
	T(R, F | A, S_ISN + 1, C_ISN + 2, 65160, 0, SFW_TCP_LAST_ACK),
	T(O, A, C_ISN + 2, S_ISN + 2, 64240, 0, SFW_TCP_TIME_WAIT),
	{ 0 }
};

/* Both sides scale by 7: the server may send 502 << 7 = 64256 bytes. */
static const struct row window_scaled[] = {
	T(O, S, C_ISN, 0, 64240, 0, SFW_TCP_SYN_SENT, .ws = WS(7)),
	T(R, S | A, S_ISN, C_ISN + 1, 65160, 0, SFW_TCP_SYN_RECV, .ws = WS(7)),
	T(O, A, C_ISN + 1, S_ISN + 1, 502, 0, SFW_TCP_ESTABLISHED, .chk = ASSURED),
	T(R, A, S_ISN + 1 + 60000, C_ISN + 1, 509, 1000, SFW_TCP_ESTABLISHED),
	T(R, A, S_ISN + 1 + 70000, C_ISN + 1, 509, 1000, ERR, .reason = SFW_INVALID_TCP_SEQ_OUT_OF_WINDOW),
	{ 0 }
};

/*
 * Different scales per direction (they share one bitfield): the client
 * scales by 2, the server by 9.  The client's window 1000 lets the server
 * send 4000 bytes; the server's window 200 lets the client send 102400.
 */
static const struct row window_scale_per_direction[] = {
	T(O, S, C_ISN, 0, 64240, 0, SFW_TCP_SYN_SENT, .ws = WS(2)),
	T(R, S | A, S_ISN, C_ISN + 1, 65160, 0, SFW_TCP_SYN_RECV, .ws = WS(9)),
	T(O, A, C_ISN + 1, S_ISN + 1, 1000, 0, SFW_TCP_ESTABLISHED, .chk = ASSURED),
	T(R, A, S_ISN + 1 + 3000, C_ISN + 1, 200, 900, SFW_TCP_ESTABLISHED),
	T(R, A, S_ISN + 1 + 4500, C_ISN + 1, 200, 100, ERR, .reason = SFW_INVALID_TCP_SEQ_OUT_OF_WINDOW),
	T(O, A, C_ISN + 1 + 100000, S_ISN + 3901, 1000, 1000, SFW_TCP_ESTABLISHED),
	T(O, A, C_ISN + 1 + 110000, S_ISN + 3901, 1000, 1000, ERR, .reason = SFW_INVALID_TCP_SEQ_OUT_OF_WINDOW),
	{ 0 }
};

/* Only the client offers scaling: neither side scales, 502 means 502. */
static const struct row window_scale_one_sided[] = {
	T(O, S, C_ISN, 0, 64240, 0, SFW_TCP_SYN_SENT, .ws = WS(7)),
	T(R, S | A, S_ISN, C_ISN + 1, 65160, 0, SFW_TCP_SYN_RECV),
	T(O, A, C_ISN + 1, S_ISN + 1, 502, 0, SFW_TCP_ESTABLISHED, .chk = ASSURED),
	T(R, A, S_ISN + 1 + 400, C_ISN + 1, 509, 100, SFW_TCP_ESTABLISHED),
	T(R, A, S_ISN + 1 + 1000, C_ISN + 1, 509, 100, ERR, .reason = SFW_INVALID_TCP_SEQ_OUT_OF_WINDOW),
	{ 0 }
};

static const struct row out_of_window[] = {
	HANDSHAKE,
	T(O, A, C_ISN + 1 + 1000000, S_ISN + 1, 64240, 10, ERR, .reason = SFW_INVALID_TCP_SEQ_OUT_OF_WINDOW),
	T(O, A, C_ISN + 1 - 1000000, S_ISN + 1, 64240, 10, ERR, .reason = SFW_INVALID_TCP_SEQ_OUT_OF_WINDOW),
	T(O, A, C_ISN + 1, S_ISN + 1 + 100000, 64240, 0, ERR, .reason = SFW_INVALID_TCP_ACK_BEYOND_END),
	T(O, A, C_ISN + 1, S_ISN + 1 - 70000, 64240, 0, ERR, .reason = SFW_INVALID_TCP_ACK_TOO_OLD),
	T(O, F | A, C_ISN + 1 + 1000000, S_ISN + 1, 64240, 0, ERR, .reason = SFW_INVALID_TCP_SEQ_OUT_OF_WINDOW),
	T(O, A, C_ISN + 1, S_ISN + 1, 64240, 10, SFW_TCP_ESTABLISHED),
	{ 0 }
};

/* With tcp_be_liberal the same segments pass. */
static const struct row out_of_window_liberal[] = {
	HANDSHAKE,
	T(O, A, C_ISN + 1 + 1000000, S_ISN + 1, 64240, 10, SFW_TCP_ESTABLISHED),
	T(O, A, C_ISN + 1, S_ISN + 1 + 100000, 64240, 0, SFW_TCP_ESTABLISHED),
	{ 0 }
};

/*
 * `ct loose` on one connection (path.c: a rule accepted a segment that
 * missed the window; the entry loosens and the segment goes through it
 * again): from then on no window is checked on it, either way, and its
 * window data follow what passes. Other connections are untouched: the
 * flag lives in the connection's state (out_of_window above keeps
 * failing).
 */
static const struct row out_of_window_loosened[] = {
	HANDSHAKE,
	T(O, A, C_ISN + 1 + 1000000, S_ISN + 1, 64240, 10, ERR, .reason = SFW_INVALID_TCP_SEQ_OUT_OF_WINDOW),
	T(O, A, C_ISN + 1 + 1000000, S_ISN + 1, 64240, 10, SFW_TCP_ESTABLISHED, .chk = LOOSEN),
	T(O, A, C_ISN + 1 + 3000000, S_ISN + 1, 64240, 10, SFW_TCP_ESTABLISHED),
	T(O, A, C_ISN + 1 - 1000000, S_ISN + 1, 64240, 10, SFW_TCP_ESTABLISHED),
	T(O, A, C_ISN + 1, S_ISN + 1 + 100000, 64240, 0, SFW_TCP_ESTABLISHED),
	T(R, A, S_ISN + 1 + 5000000, C_ISN + 1, 65160, 10, SFW_TCP_ESTABLISHED),
	T(R, A, S_ISN + 1, C_ISN + 1 - 70000, 65160, 0, SFW_TCP_ESTABLISHED),
	/* The state table still rules: a bare SYN-ACK from the client is INVALID. */
	T(O, S | A, C_ISN, S_ISN + 1, 64240, 0, ERR, .reason = SFW_INVALID_TCP_BAD_TRANSITION),
	T(O, F | A, C_ISN + 1 + 7000000, S_ISN + 1, 64240, 0, SFW_TCP_FIN_WAIT),
	{ 0 }
};

/* Picked up mid-stream: capped at 300 s until the other side answers. */
static const struct row loose_pickup[] = {
	T(O, A, 77777, 88888, 1000, 0, SFW_TCP_ESTABLISHED, .tmo = 300),
	T(O, A | P, 77777, 88888, 1000, 50, SFW_TCP_ESTABLISHED, .tmo = 300),
	T(R, A, 88888, 77827, 1000, 0, SFW_TCP_ESTABLISHED, .tmo = 432000, .chk = ASSURED),
	{ 0 }
};

static const struct row loose_off[] = {
	T(O, A, 77777, 88888, 1000, 0, REFUSE, .reason = SFW_INVALID_TCP_NOT_SYN),
	{ 0 }
};

static const struct row not_syn_refused[] = {
	T(O, S | A, C_ISN, 1, 1000, 0, REFUSE, .reason = SFW_INVALID_TCP_NOT_SYN),
	{ 0 }
};

static const struct row syn_in_time_wait[] = {
	HANDSHAKE,
	T(O, F | A, C_ISN + 1, S_ISN + 1, 64240, 0, SFW_TCP_FIN_WAIT),
	T(R, F | A, S_ISN + 1, C_ISN + 2, 65160, 0, SFW_TCP_LAST_ACK),
	T(O, A, C_ISN + 2, S_ISN + 2, 64240, 0, SFW_TCP_TIME_WAIT),
	T(O, S, C_ISN + 100000, 0, 64240, 0, REOPEN),
	T(R, S | A, S_ISN + 100000, C_ISN + 100001, 65160, 0, SFW_TCP_SYN_RECV),
	{ 0 }
};

static const struct row syn_in_close[] = {
	HANDSHAKE,
	T(R, RS, S_ISN + 1, 0, 0, 0, SFW_TCP_CLOSE),
	T(O, S, C_ISN + 50, 0, 64240, 0, REOPEN),
	{ 0 }
};

static const struct row bad_flags_new[] = {
	T(O, S | F, C_ISN, 0, 64240, 0, REFUSE, .reason = SFW_INVALID_BAD_TCP_FLAGS),
	T(O, S | RS, C_ISN, 0, 64240, 0, REFUSE, .reason = SFW_INVALID_BAD_TCP_FLAGS),
	T(O, 0, C_ISN, 0, 64240, 0, REFUSE, .reason = SFW_INVALID_BAD_TCP_FLAGS),
	T(O, F, C_ISN, 0, 64240, 0, REFUSE, .reason = SFW_INVALID_BAD_TCP_FLAGS),
	T(O, F | P | U, C_ISN, 0, 64240, 0, REFUSE, .reason = SFW_INVALID_BAD_TCP_FLAGS),
	{ 0 }
};

static const struct row bad_flags_established[] = {
	HANDSHAKE,
	T(O, S | F | A, C_ISN + 1, S_ISN + 1, 64240, 0, ERR, .reason = SFW_INVALID_BAD_TCP_FLAGS),
	T(O, S | RS, C_ISN + 1, S_ISN + 1, 64240, 0, ERR, .reason = SFW_INVALID_BAD_TCP_FLAGS),
	T(R, 0, S_ISN + 1, 0, 65160, 0, ERR, .reason = SFW_INVALID_BAD_TCP_FLAGS),
	T(R, F, S_ISN + 1, 0, 65160, 0, ERR, .reason = SFW_INVALID_BAD_TCP_FLAGS),
	T(O, A | U, C_ISN + 1, S_ISN + 1, 64240, 0, SFW_TCP_ESTABLISHED),
	{ 0 }
};

static const struct row bad_transition[] = {
	T(O, S, C_ISN, 0, 64240, 0, SFW_TCP_SYN_SENT),
	T(O, S | A, C_ISN, 1, 64240, 0, ERR, .reason = SFW_INVALID_TCP_BAD_TRANSITION),
	T(O, F | A, C_ISN + 1, 1, 64240, 0, ERR, .reason = SFW_INVALID_TCP_BAD_TRANSITION),
	T(R, F | A, S_ISN, C_ISN + 1, 64240, 0, ERR, .reason = SFW_INVALID_TCP_BAD_TRANSITION),
	{ 0 }
};

/*
 * The client restarted and opens anew while we still hold ESTABLISHED:
 * the SYN is ignored, the server's SYN-ACK answering it resyncs the entry.
 */
static const struct row resync_after_ignored_syn[] = {
	HANDSHAKE,
	T(O, S, 9000, 0, 64240, 0, SFW_TCP_ESTABLISHED),	/* ignored */
	T(R, S | A, 7000, 9001, 65160, 0, SFW_TCP_SYN_RECV),
	T(O, A, 9001, 7001, 64240, 0, SFW_TCP_ESTABLISHED),
	T(O, A | P, 9001, 7001, 64240, 100, SFW_TCP_ESTABLISHED),
	{ 0 }
};

/*
 * The same with window scaling: the options of the ignored SYN are kept
 * (last_wscale, last_dflags) and apply once the SYN-ACK resyncs.
 */
static const struct row resync_scaled[] = {
	HANDSHAKE,
	T(O, S, 9000, 0, 64240, 0, SFW_TCP_ESTABLISHED, .ws = WS(7)),	/* ignored */
	T(R, S | A, 7000, 9001, 65160, 0, SFW_TCP_SYN_RECV, .ws = WS(7)),
	T(O, A, 9001, 7001, 502, 0, SFW_TCP_ESTABLISHED),
	T(R, A, 7001 + 60000, 9001, 509, 1000, SFW_TCP_ESTABLISHED),
	T(R, A, 7001 + 70000, 9001, 509, 1000, ERR, .reason = SFW_INVALID_TCP_SEQ_OUT_OF_WINDOW),
	{ 0 }
};

/* A SYN-ACK that does not answer the ignored SYN stays ignored. */
static const struct row ignored_synack_no_match[] = {
	HANDSHAKE,
	T(O, S, 9000, 0, 64240, 0, SFW_TCP_ESTABLISHED),
	T(R, S | A, 7000, 1234, 65160, 0, SFW_TCP_ESTABLISHED),
	{ 0 }
};

#define SC(n, r, ...)	{ .name = (n), .rows = (r), __VA_ARGS__ }

static const struct scenario scenarios[] = {
	SC("tcp: three-way handshake, data, unacknowledged timeout", handshake),
	SC("tcp: simultaneous open via SYN_SENT2", simultaneous_open),
	SC("tcp: an INVALID reply SYN does not make the open simultaneous", simopen_invalid_syn),
	SC("tcp: client closes first -> TIME_WAIT", close_client_first),
	SC("tcp: server closes first -> TIME_WAIT", close_server_first),
	SC("tcp: FIN answered by FIN -> LAST_ACK -> TIME_WAIT", close_both_fin),
	SC("tcp: RST in window -> CLOSE", rst_in_window),
	SC("tcp: RST out of window is INVALID, state kept", rst_out_of_window),
	SC("tcp: RST answering SYN destroys the entry", rst_refused),
	SC("tcp: retransmitted SYN and SYN-ACK", syn_retransmitted),
	SC("tcp: retransmitted data -> max_retrans timeout", data_retransmitted, .max_retrans_tmo = 77),
	SC("tcp: receiver's run of pure ACKs is not a retransmission", pure_ack_run,
	   .max_retrans_tmo = 77),
	SC("tcp: the same pure ACK 4 times -> max_retrans timeout", pure_ack_repeated,
	   .max_retrans_tmo = 77),
	SC("tcp: retransmitted FIN -> max_retrans timeout", fin_retransmitted, .max_retrans_tmo = 77),
	SC("tcp: window scaling used when both sides offer it", window_scaled),
	SC("tcp: window scaling ignored when one side offers it", window_scale_one_sided),
	SC("tcp: each direction keeps its own window scale", window_scale_per_direction),
	SC("tcp: out-of-window seq and ack are INVALID", out_of_window),
	SC("tcp: tcp_be_liberal accepts out-of-window", out_of_window_liberal, .liberal = 1),
	SC("tcp: ct loose makes one connection liberal from then on", out_of_window_loosened),
	SC("tcp: loose pickup, capped until answered", loose_pickup),
	SC("tcp: no pickup when tcp_loose=0", loose_off, .loose_off = 1),
	SC("tcp: SYN-ACK cannot create an entry", not_syn_refused),
	SC("tcp: SYN in TIME_WAIT reopens", syn_in_time_wait),
	SC("tcp: SYN in CLOSE reopens", syn_in_close),
	SC("tcp: impossible flag sets refused as new", bad_flags_new),
	SC("tcp: impossible flag sets INVALID when established", bad_flags_established),
	SC("tcp: transitions the table forbids", bad_transition),
	SC("tcp: SYN-ACK answering an ignored SYN resyncs", resync_after_ignored_syn),
	SC("tcp: resync keeps the ignored SYN's window scale", resync_scaled),
	SC("tcp: unrelated SYN-ACK stays ignored", ignored_synack_no_match),
};

static const char *state_name(int s)
{
	switch (s) {
	case ERR:
		return "ERR";
	case REFUSE:
		return "REFUSE";
	case REOPEN:
		return "REOPEN";
	}
	return s >= 0 && s < SFW_TCP_NSTATES ? sfw_tcp_state_names[s] : "?";
}

static void flags_str(u8 f, char *buf)
{
	static const char names[] = "FSRPAU";
	int i, n = 0;

	for (i = 0; i < 6; i++)
		if (f & (1 << i))
			buf[n++] = names[i];
	if (!n)
		buf[n++] = '-';
	buf[n] = 0;
}

/* Build the segment of @r as IPv4 bytes and parse it. */
static int build(const struct row *r, struct sfw_pkt *pkt)
{
	struct pb_tcpopt o = { .wscale = r->ws ? r->ws - 1 : -1 };
	u8 b[PB_MAX];
	unsigned int n;
	bool orig = r->dir == O;

	n = pb_tcp(b + 20, orig ? 40000 : 80, orig ? 80 : 40000, r->seq, r->ack,
		   r->flags, r->win, &o, r->len);
	n += pb_ipv4(b, orig ? "10.0.1.2" : "10.0.2.2", orig ? "10.0.2.2" : "10.0.1.2",
		     SFW_IPPROTO_TCP, n);
	return pb_parse(pkt, SFW_AF_INET, b, n);
}

static int run(const struct scenario *sc, char *why, size_t whylen)
{
	struct sfw_ct_params p;
	struct sfw_tcp_state st;
	bool exists = false;
	int i;

	sfw_ct_params_init(&p);
	if (sc->loose_off)
		p.tcp_loose = 0;
	p.tcp_be_liberal = sc->liberal;
	if (sc->max_retrans_tmo)
		p.tcp_timeout_max_retrans = sc->max_retrans_tmo;

	for (i = 0; sc->rows[i].dir; i++) {
		const struct row *r = &sc->rows[i];
		struct sfw_proto_result res = { 0 };
		struct sfw_pkt pkt;
		u8 before, reason = 0;
		int got, ret;
		char fl[8];

		ret = build(r, &pkt);
		if (ret) {
			snprintf(why, whylen, "row %d: parser said %s", i,
				 sfw_invalid_names[ret]);
			return 0;
		}
		if (!exists) {
			if (!sfw_proto_tcp_new(&st, &pkt, &p, &reason)) {
				got = REFUSE;
				goto check;
			}
			exists = true;
		}
		if (r->chk & LOOSEN)
			sfw_proto_tcp_loosen(&st);
		before = st.state;
		ret = sfw_proto_tcp_packet(&st, &pkt, r->dir == O ? SFW_DIR_ORIGINAL :
					   SFW_DIR_REPLY, &p, &res);
		reason = ret;
		if (ret) {
			got = ERR;
			if (st.state != before) {
				snprintf(why, whylen, "row %d: INVALID but state moved %s -> %s",
					 i, state_name(before), state_name(st.state));
				return 0;
			}
		} else if (res.reopen) {
			got = REOPEN;
			/* What the caller does: drop the entry, create a new one. */
			if (!sfw_proto_tcp_new(&st, &pkt, &p, &reason) ||
			    sfw_proto_tcp_packet(&st, &pkt, SFW_DIR_ORIGINAL, &p, &res) ||
			    st.state != SFW_TCP_SYN_SENT) {
				snprintf(why, whylen, "row %d: reopened entry not in SYN_SENT", i);
				return 0;
			}
		} else {
			got = st.state;
		}
check:
		flags_str(r->flags, fl);
		if (got != r->expect ||
		    ((got == ERR || got == REFUSE) && reason != r->reason) ||
		    (got < SFW_TCP_NSTATES && r->tmo && res.timeout != r->tmo) ||
		    (got < SFW_TCP_NSTATES && !!(r->chk & ASSURED) != res.assured) ||
		    (got < SFW_TCP_NSTATES && !!(r->chk & DESTROY) != res.destroy)) {
			snprintf(why, whylen,
				 "row %d {%s %s seq=%u ack=%u win=%u len=%u}: expected %s%s%s "
				 "tmo=%u assured=%d destroy=%d, got %s%s%s tmo=%u assured=%d destroy=%d",
				 i, r->dir == O ? "O" : "R", fl, r->seq, r->ack, r->win, r->len,
				 state_name(r->expect), r->reason ? "/" : "",
				 r->reason ? sfw_invalid_names[r->reason] : "",
				 r->tmo, !!(r->chk & ASSURED), !!(r->chk & DESTROY),
				 state_name(got), reason ? "/" : "",
				 reason < SFW_INVALID_COUNT && reason ? sfw_invalid_names[reason] : "",
				 res.timeout, res.assured, res.destroy);
			return 0;
		}
	}
	return 1;
}

int main(void)
{
	char why[512];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(scenarios); i++) {
		why[0] = 0;
		tap_result(run(&scenarios[i], why, sizeof(why)), scenarios[i].name, why);
	}
	return tap_done();
}
