/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ct_record.h - one saved connection: what `sfwctl ct save` writes and
 * `sfwctl ct restore` gives back (SFW_CMD_CT_RESTORE), and the one check
 * that such a connection could exist. Portable: the module checks what
 * netlink gives it, sfwctl checks a whole file before it sends a line, and
 * the fuzz target drives the same code.
 */
#ifndef _SFW_CT_RECORD_H
#define _SFW_CT_RECORD_H

#include "sfw_core.h"
#include "proto.h"

struct sfw_ct_record_dir {
	u32 end, maxend, maxwin;	/* SFW_CT_TCPD_A_* */
	u8 wscale;
	u8 flags;			/* SFW_CT_TCPD_* */
};

struct sfw_ct_record {
	struct sfw_tuple orig;		/* as its first packet arrived */
	struct sfw_tuple reply;		/* as a reply arrives (after SNAT) */
	u32 status;			/* SFW_CT_S_* */
	u32 timeout;			/* seconds left, 1 or more */
	u32 age;			/* seconds since it began */
	u64 packets[SFW_DIR_COUNT];
	u64 bytes[SFW_DIR_COUNT];
	u8 tcp_state;			/* enum sfw_ct_tcp_state */
	u8 tcp_flags;			/* SFW_CT_TCPF_* */
	u8 tcp_retrans;
	bool local;			/* SFW_CT_A_LOCAL */
	struct sfw_ct_record_dir win[SFW_DIR_COUNT];
	char masq_dev[SFW_CT_DEV_LEN];	/* "" unless masqueraded */
	char in_dev[SFW_CT_DEV_LEN];	/* "" unless DNATed and known */
};

/*
 * NULL if @r describes a connection sfw could have made; otherwise what
 * is wrong with it, as a phrase for an error message.
 */
const char *sfw_ct_record_check(const struct sfw_ct_record *r);

/*
 * The tuple the filter hooks see (the entry's own, conn.h): the original
 * with its destination as the reply's source. Equal to ->orig without
 * DNAT.
 */
void sfw_ct_record_inner(const struct sfw_ct_record *r, struct sfw_tuple *inner);
/* SFW_NAT_DST / SFW_NAT_SRC as nat.h numbers them: which translations @r carries. */
bool sfw_ct_record_dnat(const struct sfw_ct_record *r);
bool sfw_ct_record_snat(const struct sfw_ct_record *r);

/* The tracker's protocol state and a record's, both ways. */
void sfw_ct_record_to_state(const struct sfw_ct_record *r, union sfw_proto_state *ps);
void sfw_ct_record_from_state(struct sfw_ct_record *r, const union sfw_proto_state *ps);

#endif /* _SFW_CT_RECORD_H */
