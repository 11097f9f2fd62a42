/* SPDX-License-Identifier: GPL-2.0 */
/* A helper's announcements under NAT; see nat_helper.c. */
#ifndef _SFW_NAT_HELPER_H
#define _SFW_NAT_HELPER_H

#include "helper_ftp.h"
#include "sfw.h"

struct sk_buff;
struct sfw_conn;
struct sfw_conn_help;

/*
 * One direction's sequence-number correction, as nf_conntrack's seqadj:
 * bytes after @pos (the last rewritten packet's first sequence number)
 * moved by @after, the ones before by @before.
 */
struct sfw_seqadj {
	u32 pos;
	s32 before;
	s32 after;
};

/* The last rewrite in one direction, done again on a retransmission. */
struct sfw_ftp_rewrite {
	u32 seq;		/* the argument's first byte, in the sender's numbers */
	u8 old_len;		/* 0: none */
	u8 new_len;
	char text[SFW_FTP_ARG_MAX];
};

/*
 * The helper found announcement @res in a packet of @ct sent in @dir
 * (path.c, the filter hook): file its expectation, and if the announcer's
 * address is translated, rewrite the announcement to the address and port
 * its peer can reach. False: the packet could not be rewritten (drop it).
 */
bool sfw_nat_helper_announce(struct sfw_net *sn, struct sfw_conn *ct, enum sfw_dir dir,
			     struct sk_buff *skb, const struct sfw_pkt *pkt,
			     const struct sfw_ftp_result *res);
/*
 * A retransmission of a rewritten announcement is rewritten again: @rw,
 * the last rewrite of the packet's direction (a copy taken under the
 * helper lock before this packet's own, if any).
 */
bool sfw_nat_helper_resend(const struct sfw_ftp_rewrite *rw, struct sk_buff *skb,
			   const struct sfw_pkt *pkt);
/* PRE_ROUTING: the acknowledgement and SACK blocks back to the peer's numbers. */
bool sfw_nat_helper_ack_in(struct sfw_conn *ct, enum sfw_dir dir, struct sk_buff *skb,
			   const struct sfw_pkt *pkt);
/* POST_ROUTING: the sequence number to the one the peer expects. */
bool sfw_nat_helper_seq_out(struct sfw_conn *ct, enum sfw_dir dir, struct sk_buff *skb,
			    const struct sfw_pkt *pkt);

#endif /* _SFW_NAT_HELPER_H */
