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

/* What one chunk of the stream held. */
struct sfw_ftp_result {
	u8 found;		/* @exp holds the last announcement */
	u8 bounce;		/* announcements naming another address: refused */
	u8 bad;			/* announcements that did not parse */
	struct sfw_ftp_expect exp;
};

/*
 * Feed @len bytes of TCP payload that start at sequence number @seq,
 * sent in direction @dir of the control connection whose original tuple
 * (client -> server) is @t. Retransmitted bytes are skipped; a gap
 * drops the unfinished line. The caller serializes calls per connection.
 */
void sfw_helper_ftp_data(struct sfw_ftp_state *st, const struct sfw_tuple *t,
			 enum sfw_dir dir, u32 seq, const u8 *data, u32 len,
			 struct sfw_ftp_result *res);

/* Parse one line (no CR/LF) sent in @dir; exposed for the tests. */
void sfw_helper_ftp_line(const struct sfw_tuple *t, enum sfw_dir dir,
			 const char *line, unsigned int len, struct sfw_ftp_result *res);

#endif /* _SFW_HELPER_FTP_H */
