// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_helper_ftp - a control stream, in chunks, through the FTP helper's
 * parser (src/helper_ftp.c), which reads what any FTP peer sends in the
 * kernel. After every chunk:
 *
 *  - the state holds at most SFW_FTP_LINE_MAX bytes per direction;
 *  - an announcement found names the announcer's own address (no bounce
 *    gets through), a nonzero port, the peer as source, and the family of
 *    the control connection;
 *  - its argument, when the chunk holds it whole, is where the result says
 *    (arg_seq, arg_len): replaced by what sfw_helper_ftp_format() writes
 *    for the same address and port (nat_helper.c's rewrite) and fed again
 *    from the state before the chunk, it gives the same announcement, and
 *    the text written fits SFW_FTP_ARG_MAX and is no longer than what it
 *    replaces (the shortest form of the same address and port). Only
 *    an argument read from the chunk's new bytes is checked so: in a
 *    retransmission's old bytes the parser read it from the earlier chunk.
 *
 * Input: a knob byte (bit 0: IPv6), then records: a byte (bit 0: the
 * server sends; bits 1-2: 0 the next bytes of that direction, 1 a
 * retransmission that many bytes back (the next byte), 2 a gap of that
 * many, 3 an arbitrary sequence number (four bytes)), a length byte, and
 * that many bytes of stream.
 */
#include <arpa/inet.h>
#include "fuzz.h"
#include "helper_ftp.c"

static void tuple(struct sfw_tuple *t, u8 l3num)
{
	memset(t, 0, sizeof(*t));
	t->l3num = l3num;
	t->l4proto = SFW_IPPROTO_TCP;
	t->sport = htons(40000);
	t->dport = htons(21);
	if (l3num == SFW_AF_INET) {
		inet_pton(AF_INET, "10.0.1.2", &t->src.ip);
		inet_pton(AF_INET, "10.0.2.2", &t->dst.ip);
	} else {
		inet_pton(AF_INET6, "2001:db8:1::2", t->src.ip6);
		inet_pton(AF_INET6, "2001:db8:2::2", t->dst.ip6);
	}
}

/* The found argument, rewritten in the chunk, parses to the same announcement. */
static void check_rewrite(const struct sfw_ftp_state *before, const struct sfw_tuple *t,
			  enum sfw_dir dir, u32 seq, const u8 *data, u32 len,
			  const struct sfw_ftp_result *res)
{
	static struct sfw_ftp_state st2;
	struct sfw_ftp_result res2;
	char arg[SFW_FTP_ARG_MAX + 64];
	u8 *buf;
	const struct sfw_ftp_dir *d = &before->dir[dir];
	u32 off = res->arg_seq - seq, seen = 0, k;

	if ((d->flags & SFW_FTP_SYNCED) && (s32)(seq - d->next_seq) < 0)
		seen = d->next_seq - seq;
	if ((s32)off < 0 || off + res->arg_len > len)
		return;		/* split across chunks: not rewritten */
	/*
	 * In a retransmission's old bytes the parser read the argument from
	 * the earlier segment, not from these bytes: rewriting them proves
	 * nothing about the parse (nat_helper.c still rewrites there, which
	 * is right when the earlier segment was lost after the gateway).
	 */
	if (off < seen)
		return;
	k = sfw_helper_ftp_format(arg, res->kind, res->delim, res->exp.l3num,
				  &res->exp.dst, res->exp.dport);
	FUZZ_CHECK(k > 0 && k <= SFW_FTP_ARG_MAX);
	/* The form written is the shortest: never longer than what was parsed. */
	FUZZ_CHECK_MSG(k <= res->arg_len, "'%.*s' is longer than the %u bytes it replaces",
		       (int)k, arg, res->arg_len);
	buf = malloc(len - res->arg_len + k);
	FUZZ_CHECK(buf);
	memcpy(buf, data, off);
	memcpy(buf + off, arg, k);
	memcpy(buf + off + k, data + off + res->arg_len, len - off - res->arg_len);
	st2 = *before;
	memset(&res2, 0, sizeof(res2));
	sfw_helper_ftp_data(&st2, t, dir, seq, buf, len - res->arg_len + k, &res2);
	free(buf);
	FUZZ_CHECK_MSG(res2.found && !memcmp(&res2.exp, &res->exp, sizeof(res->exp)),
		       "'%.*s' written in place of the argument parses differently", (int)k, arg);
}

int LLVMFuzzerTestOneInput(const u8 *in, size_t n)
{
	static struct sfw_ftp_state st, before;
	struct sfw_tuple t;
	size_t i = 1;
	u8 l3num;

	if (n < 1)
		return 0;
	l3num = (in[0] & 1) ? SFW_AF_INET6 : SFW_AF_INET;
	tuple(&t, l3num);
	memset(&st, 0, sizeof(st));
	while (i + 2 <= n) {
		enum sfw_dir dir = (in[i] & 1) ? SFW_DIR_REPLY : SFW_DIR_ORIGINAL;
		u8 mode = (in[i] >> 1) & 3, b = in[i + 1];
		struct sfw_ftp_result res;
		u32 seq = st.dir[dir].next_seq, len;
		const u8 *data;
		u8 *copy;

		i += 2;
		if (mode == 1)
			seq -= b;
		else if (mode == 2)
			seq += b;
		if (mode == 3) {
			if (i + 4 > n)
				break;
			memcpy(&seq, in + i, 4);
			i += 4;
		}
		if (i >= n)
			break;
		len = in[i++];
		if (len > n - i)
			len = (u32)(n - i);
		data = in + i;
		i += len;

		/* An exactly-sized copy: ASan sees a read past the chunk. */
		copy = malloc(len ? len : 1);
		FUZZ_CHECK(copy);
		memcpy(copy, data, len);
		before = st;
		memset(&res, 0, sizeof(res));
		sfw_helper_ftp_data(&st, &t, dir, seq, copy, len, &res);

		FUZZ_CHECK(st.dir[0].len <= SFW_FTP_LINE_MAX && st.dir[1].len <= SFW_FTP_LINE_MAX);
		if (res.found) {
			const union sfw_addr *own = dir == SFW_DIR_ORIGINAL ? &t.src : &t.dst;
			const union sfw_addr *peer = dir == SFW_DIR_ORIGINAL ? &t.dst : &t.src;

			FUZZ_CHECK(res.exp.l3num == l3num);
			FUZZ_CHECK(res.exp.dport != 0);
			FUZZ_CHECK(!memcmp(&res.exp.dst, own, sizeof(*own)));
			FUZZ_CHECK(!memcmp(&res.exp.src, peer, sizeof(*peer)));
			FUZZ_CHECK(res.kind >= SFW_FTP_PORT && res.kind <= SFW_FTP_EPSV);
			check_rewrite(&before, &t, dir, seq, copy, len, &res);
		}
		free(copy);
	}
	return 0;
}
