/* SPDX-License-Identifier: GPL-2.0 */
/*
 * helper_ftp.h - the FTP helper's parser (portable): it reads the control
 * stream of a connection to port 21 and finds the data connection each
 * PORT, EPRT, 227 or 229 announces; see helper_ftp.c.
 */
#ifndef _SFW_HELPER_FTP_H
#define _SFW_HELPER_FTP_H

#include "sfw_core.h"

/* The longest control line looked at; a longer one is skipped whole. */
#define SFW_FTP_LINE_MAX	128

/* struct sfw_ftp_dir.flags */
#define SFW_FTP_SYNCED		0x01	/* next_seq is known */
#define SFW_FTP_SKIP		0x02	/* discard up to the next newline */

/* One direction of the control stream: the unfinished line. */
struct sfw_ftp_dir {
	u32 next_seq;		/* the sequence number the next byte carries */
	u8 flags;		/* SFW_FTP_* */
	u8 len;			/* bytes in buf */
	char buf[SFW_FTP_LINE_MAX];
};

struct sfw_ftp_state {
	struct sfw_ftp_dir dir[SFW_DIR_COUNT];
};

/* A data connection announced: from @src (any port) to @dst, @dport, TCP. */
struct sfw_ftp_expect {
	union sfw_addr src;
	union sfw_addr dst;
	__be16 dport;
	u8 l3num;
};

/* Which announcement: how its argument is written. */
enum sfw_ftp_kind {
	SFW_FTP_PORT = 1,	/* h1,h2,h3,h4,p1,p2 (PORT, 227) */
	SFW_FTP_EPRT,		/* <d>1|2<d>address<d>port<d> */
	SFW_FTP_EPSV,		/* port (229's <d><d><d>port<d>) */
};

/* What one chunk of the stream held. */
struct sfw_ftp_result {
	u8 found;		/* @exp holds the last announcement */
	u8 bounce;		/* announcements naming another address: refused */
	u8 bad;			/* announcements that did not parse */
	u8 kind;		/* the last one's enum sfw_ftp_kind */
	char delim;		/* EPRT's delimiter */
	u8 arg_len;		/* its argument's length in the stream, */
	u32 arg_seq;		/* and the sequence number of its first byte */
	struct sfw_ftp_expect exp;
};

/* The longest argument sfw_helper_ftp_format() writes (EPRT, IPv6). */
#define SFW_FTP_ARG_MAX		56

/*
 * Feed @len bytes of TCP payload that start at sequence number @seq,
 * sent in direction @dir of the control connection whose original tuple
 * (client -> server) is @t. Retransmitted bytes are skipped; a gap
 * drops the unfinished line. The caller serializes calls per connection.
 */
void sfw_helper_ftp_data(struct sfw_ftp_state *st, const struct sfw_tuple *t,
			 enum sfw_dir dir, u32 seq, const u8 *data, u32 len,
			 struct sfw_ftp_result *res);

/*
 * Parse one line (no CR/LF) sent in @dir; exposed for the tests. On an
 * announcement, res->arg_seq is the argument's offset in the line.
 */
void sfw_helper_ftp_line(const struct sfw_tuple *t, enum sfw_dir dir,
			 const char *line, unsigned int len, struct sfw_ftp_result *res);

/*
 * Write the argument of announcement @kind (EPRT: delimiter @delim) for
 * address @addr (family @l3num) and @port to @buf, at least
 * SFW_FTP_ARG_MAX bytes, unterminated: how many bytes it took. Behind
 * NAT the announcement is rewritten with it (nat_helper.c).
 */
unsigned int sfw_helper_ftp_format(char *buf, u8 kind, char delim, u8 l3num,
				   const union sfw_addr *addr, __be16 port);

#endif /* _SFW_HELPER_FTP_H */
