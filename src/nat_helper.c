// SPDX-License-Identifier: GPL-2.0
/*
 * A helper's announcements under NAT: an FTP client behind masquerade
 * says PORT with its inside address, a server behind DNAT says 227 with
 * its own; the peer outside can reach neither. As nf_nat_ftp does:
 *
 *  - The announcement is rewritten, at the filter hook where the helper
 *    reads it (path.c), to the announcer's outside address (the SNAT
 *    address, or the address the client connected to) and a port: the
 *    announced one if no other rewritten announcement waits there, else
 *    one of the next 15 (expect.c).
 *  - The expectation waits at both: at the outside address and port for
 *    PRE_ROUTING, which translates the data connection's first packet to
 *    the inside ones (nat.c), and at the inside ones for the filter hook,
 *    which makes it RELATED (path.c), as without NAT.
 *  - A rewrite changes the length of the stream: each direction keeps a
 *    correction (struct sfw_seqadj, as nf_conntrack_seqadj): the
 *    sequence numbers of its later packets move at POST_ROUTING, after
 *    the filter; the acknowledgements and SACK blocks coming back move
 *    back at PRE_ROUTING, before it. So the tracker sees each side's own
 *    numbers, and needs no offsets of its own.
 *  - A retransmission of the rewritten segment is rewritten again (the
 *    parser does not read bytes twice); the last rewrite of each
 *    direction is kept for it.
 *
 * Not rewritten: an announcement split across segments (logged), nor
 * one in a GSO packet. Its data connection then fails, as with nf_nat.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/ip6_checksum.h>
#include <net/tcp.h>

#include "conntrack.h"
#include "expect.h"
#include "nat_helper.h"

/*
 * The address the sender of @dir on @ct has outside, as its peer sees it:
 * false if it is not translated.
 */
static bool outside_addr(const struct sfw_conn *ct, enum sfw_dir dir, union sfw_addr *a)
{
	const struct sfw_conn_nat *cn = sfw_conn_nat(ct);
	struct sfw_tuple inner;
	u8 manip;

	if (!cn)
		return false;
	/* Pairs with the release that publishes a binding. */
	manip = smp_load_acquire(&cn->manip);
	sfw_conn_tuple(ct, &inner);
	if (dir == SFW_DIR_ORIGINAL && (manip & SFW_NAT_SRC)) {
		*a = cn->key[SFW_DIR_REPLY].t.dst;
		return memcmp(a, &inner.src, sizeof(*a));
	}
	if (dir == SFW_DIR_REPLY && (manip & SFW_NAT_DST)) {
		*a = cn->key[SFW_DIR_ORIGINAL].t.dst;
		return memcmp(a, &inner.dst, sizeof(*a));
	}
	return false;
}

/* The TCP checksum of @skb (TCP at @l4off from the IP header), from scratch. */
static void tcp_checksum(struct sk_buff *skb, unsigned int noff, unsigned int l4off, u8 l3num)
{
	struct tcphdr *th = (struct tcphdr *)(skb->data + noff + l4off);
	unsigned int len = skb->len - noff - l4off;

	if (l3num == SFW_AF_INET) {
		const struct iphdr *iph = (const struct iphdr *)(skb->data + noff);

		if (skb->ip_summed == CHECKSUM_PARTIAL) {
			th->check = ~tcp_v4_check(len, iph->saddr, iph->daddr, 0);
			return;
		}
		th->check = 0;
		th->check = tcp_v4_check(len, iph->saddr, iph->daddr, csum_partial(th, len, 0));
	} else {
		const struct ipv6hdr *ip6h = (const struct ipv6hdr *)(skb->data + noff);

		if (skb->ip_summed == CHECKSUM_PARTIAL) {
			th->check = ~tcp_v6_check(len, &ip6h->saddr, &ip6h->daddr, 0);
			return;
		}
		th->check = 0;
		th->check = tcp_v6_check(len, &ip6h->saddr, &ip6h->daddr,
					 csum_partial(th, len, 0));
	}
	skb->ip_summed = CHECKSUM_NONE;
}

/*
 * Replace @old_len bytes at @off into the TCP payload of @skb by @text
 * (@new_len bytes); the IP length and the checksums follow.
 */
static bool mangle(struct sk_buff *skb, const struct sfw_pkt *pkt, unsigned int off,
		   unsigned int old_len, const char *text, unsigned int new_len)
{
	unsigned int noff = skb_network_offset(skb);
	unsigned int at = noff + pkt->l4_off + pkt->tcp.doff * 4 + off;
	int delta = (int)new_len - (int)old_len;

	if (skb_is_gso(skb) || at + old_len > skb->len)
		return false;
	if (skb_ensure_writable(skb, skb->len) || skb_linearize(skb))
		return false;
	if (delta > 0 && skb_tailroom(skb) < delta &&
	    pskb_expand_head(skb, 0, delta - skb_tailroom(skb), GFP_ATOMIC))
		return false;
	if (delta > 0)
		skb_put(skb, delta);
	memmove(skb->data + at + new_len, skb->data + at + old_len,
		skb->len - (delta > 0 ? delta : 0) - at - old_len);
	memcpy(skb->data + at, text, new_len);
	if (delta < 0)
		skb_trim(skb, skb->len + delta);

	if (pkt->tuple.l3num == SFW_AF_INET) {
		struct iphdr *iph = (struct iphdr *)(skb->data + noff);

		iph->tot_len = htons(skb->len - noff);
		ip_send_check(iph);
	} else {
		struct ipv6hdr *ip6h = (struct ipv6hdr *)(skb->data + noff);

		ip6h->payload_len = htons(skb->len - noff - sizeof(*ip6h));
	}
	tcp_checksum(skb, noff, pkt->l4_off, pkt->tuple.l3num);
	return true;
}

/* Record a rewrite of @delta bytes in the packet that starts at @seq (lock held). */
static void seqadj_record(struct sfw_seqadj *sa, u32 seq, s32 delta)
{
	if (!delta)
		return;
	/* As nf_conntrack_seqadj: a rewrite behind the last one keeps its place. */
	if (sa->before == sa->after || before(sa->pos, seq)) {
		sa->pos = seq;
		sa->before = sa->after;
	}
	sa->after += delta;
}

bool sfw_nat_helper_announce(struct sfw_net *sn, struct sfw_conn *ct, enum sfw_dir dir,
			     struct sk_buff *skb, const struct sfw_pkt *pkt,
			     const struct sfw_ftp_result *res)
{
	struct sfw_conn_help *help = sfw_conn_help(ct);
	char text[SFW_FTP_ARG_MAX];
	struct sfw_ftp_rewrite *rw;
	union sfw_addr out;
	unsigned int n;
	__be16 port;
	u32 off;

	if (!outside_addr(ct, dir, &out)) {
		sfw_expect_create(sn, ct, &res->exp, NULL, NULL);
		return true;
	}
	/* Only an announcement whole in this very packet can be rewritten. */
	off = res->arg_seq - pkt->tcp.seq;
	if ((s32)off < 0 || off + res->arg_len > pkt->payload_len) {
		net_info_ratelimited("ftp: an announcement split across segments is not translated\n");
		return true;
	}
	port = res->exp.dport;
	if (sfw_expect_create(sn, ct, &res->exp, &out, &port)) {
		net_info_ratelimited("ftp: no port to translate an announcement to\n");
		return true;
	}
	n = sfw_helper_ftp_format(text, res->kind, res->delim, res->exp.l3num, &out, port);
	if (!mangle(skb, pkt, off, res->arg_len, text, n))
		return false;

	spin_lock(&help->lock);
	rw = &help->rw[dir];
	rw->seq = res->arg_seq;
	rw->old_len = res->arg_len;
	rw->new_len = (u8)n;
	memcpy(rw->text, text, n);
	seqadj_record(&help->seq[dir], pkt->tcp.seq, (s32)n - res->arg_len);
	if (help->seq[dir].after)
		WRITE_ONCE(help->adjusted, 1);
	spin_unlock(&help->lock);
	return true;
}

bool sfw_nat_helper_resend(const struct sfw_ftp_rewrite *rw, struct sk_buff *skb,
			   const struct sfw_pkt *pkt)
{
	u32 off = rw->seq - pkt->tcp.seq;

	if (!rw->old_len || (s32)off < 0 || off + rw->old_len > pkt->payload_len)
		return true;
	return mangle(skb, pkt, off, rw->old_len, rw->text, rw->new_len);
}

/* @v, a number of the stream that @sa corrects, in the other side's numbers. */
static u32 seq_back(const struct sfw_seqadj *sa, u32 v)
{
	return after(v - sa->before, sa->pos) ? v - sa->after : v - sa->before;
}

static void replace32(struct sk_buff *skb, struct tcphdr *th, __be32 *field, u32 v)
{
	inet_proto_csum_replace4(&th->check, skb, *field, htonl(v), false);
	*field = htonl(v);
}

/* The SACK blocks of @th's options back by @sa. */
static void sack_back(struct sk_buff *skb, struct tcphdr *th, const struct sfw_seqadj *sa)
{
	u8 *opt = (u8 *)(th + 1), *end = (u8 *)th + th->doff * 4;

	while (opt < end) {
		u8 kind = opt[0], len;

		if (kind == TCPOPT_EOL)
			return;
		if (kind == TCPOPT_NOP) {
			opt++;
			continue;
		}
		if (opt + 1 >= end)
			return;
		len = opt[1];
		if (len < 2 || opt + len > end)
			return;
		if (kind == TCPOPT_SACK && len >= 10 && !((len - 2) % 8)) {
			u8 *b;

			for (b = opt + 2; b < opt + len; b += 4) {
				__be32 old, v;

				memcpy(&old, b, sizeof(old));
				v = htonl(seq_back(sa, ntohl(old)));
				inet_proto_csum_replace4(&th->check, skb, old, v, false);
				memcpy(b, &v, sizeof(v));
			}
		}
		opt += len;
	}
}

/*
 * The correction of direction @dir of @ct into @sa, if there is one to
 * make on TCP packet @pkt and the first @len bytes of @skb from the
 * network header are writable: false for nothing to do (*@ok true) or a
 * failure (*@ok false, drop).
 */
static bool correction(struct sfw_conn *ct, enum sfw_dir dir, struct sk_buff *skb,
		       const struct sfw_pkt *pkt, unsigned int len, struct sfw_seqadj *sa,
		       bool *ok)
{
	struct sfw_conn_help *help = sfw_conn_help(ct);

	*ok = true;
	if (!help || !READ_ONCE(help->adjusted) || pkt->tuple.l4proto != SFW_IPPROTO_TCP)
		return false;
	spin_lock(&help->lock);
	*sa = help->seq[dir];
	spin_unlock(&help->lock);
	if (!sa->after && !sa->before)
		return false;
	*ok = !skb_ensure_writable(skb, skb_network_offset(skb) + len);
	return *ok;
}

bool sfw_nat_helper_ack_in(struct sfw_conn *ct, enum sfw_dir dir, struct sk_buff *skb,
			   const struct sfw_pkt *pkt)
{
	struct sfw_seqadj sa;
	struct tcphdr *th;
	bool ok;

	/* Acknowledged: the other direction's numbers. */
	if (!correction(ct, !dir, skb, pkt, pkt->l4_off + pkt->tcp.doff * 4, &sa, &ok))
		return ok;
	th = (struct tcphdr *)(skb_network_header(skb) + pkt->l4_off);
	if (th->ack)
		replace32(skb, th, &th->ack_seq, seq_back(&sa, ntohl(th->ack_seq)));
	sack_back(skb, th, &sa);
	return true;
}

bool sfw_nat_helper_seq_out(struct sfw_conn *ct, enum sfw_dir dir, struct sk_buff *skb,
			    const struct sfw_pkt *pkt)
{
	struct sfw_seqadj sa;
	struct tcphdr *th;
	bool ok;
	u32 seq;

	if (!correction(ct, dir, skb, pkt, pkt->l4_off + sizeof(*th), &sa, &ok))
		return ok;
	th = (struct tcphdr *)(skb_network_header(skb) + pkt->l4_off);
	seq = ntohl(th->seq);
	replace32(skb, th, &th->seq, seq + (after(seq, sa.pos) ? sa.after : sa.before));
	return true;
}
