// SPDX-License-Identifier: GPL-2.0
/*
 * The FTP helper's parser: one row per chunk of the control stream
 * (direction, sequence number, bytes), then what the row must have found:
 * an expectation (source, destination, port), a refused bounce, a line
 * that did not parse, or nothing. Scenarios are separated by a row with
 * a name; each starts with a fresh state.
 */
#include <stdio.h>
#include "helper_ftp.h"
#include "tap.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define C4	"10.0.1.2"
#define S4	"10.0.2.2"
#define C6	"2001:db8:1::2"
#define S6	"2001:db8:2::2"

enum want { NONE, FOUND, BOUNCE, BAD };

struct row {
	const char *scenario;	/* non-NULL: a new scenario starts */
	u8 l3num;		/* of the scenario's control connection */
	enum sfw_dir dir;
	u32 seq;
	const char *data;
	enum want want;
	const char *src, *dst;	/* FOUND: the expectation */
	u16 dport;
};

#define O	SFW_DIR_ORIGINAL
#define R	SFW_DIR_REPLY
#define V4	SFW_AF_INET
#define V6	SFW_AF_INET6
#define NEXT	0	/* seq: where the previous row of this direction ended */

static const char long_line[] =
	"NOOP aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

static const struct row rows[] = {
	{ "PORT", V4 },
	{ NULL, 0, O, 1000, "USER ftp\r\n", NONE },
	{ NULL, 0, O, 1010, "PORT 10,0,1,2,195,80\r\n", FOUND, S4, C4, 50000 },
	{ NULL, 0, O, 1032, "port 10,0,1,2,0,21\r\n", FOUND, S4, C4, 21 },
	{ "227 passive", V4 },
	{ NULL, 0, R, 5000, "220 hello\r\n", NONE },
	{ NULL, 0, R, 5011, "227 Entering Passive Mode (10,0,2,2,117,49).\r\n", FOUND, C4, S4, 30001 },
	{ "227 without parentheses", V4 },
	{ NULL, 0, R, 1, "227 Entering Passive Mode 10,0,2,2,4,1\r\n", FOUND, C4, S4, 1025 },
	{ "229 extended passive", V4 },
	{ NULL, 0, R, 7, "229 Entering Extended Passive Mode (|||30002|)\r\n", FOUND, C4, S4, 30002 },
	{ "EPRT IPv4", V4 },
	{ NULL, 0, O, 1, "EPRT |1|10.0.1.2|40001|\r\n", FOUND, S4, C4, 40001 },
	{ "EPRT IPv6", V6 },
	{ NULL, 0, O, 1, "EPRT |2|2001:db8:1::2|40002|\r\n", FOUND, S6, C6, 40002 },
	{ NULL, 0, O, NEXT, "EPRT !2!2001:0db8:0001:0000:0000:0000:0000:0002!40003!\r\n", FOUND, S6, C6, 40003 },
	{ NULL, 0, O, NEXT, "EPRT |1|10.0.1.2|40001|\r\n", BAD },
	{ NULL, 0, R, 9, "229 Extended Passive (!!!30003!)\r\n", FOUND, C6, S6, 30003 },
	{ NULL, 0, R, NEXT, "227 Entering Passive Mode (10,0,2,2,117,49)\r\n", BAD },
	{ "split across segments", V4 },
	{ NULL, 0, O, 100, "PORT 10,0,", NONE },
	{ NULL, 0, O, 110, "1,2,195,81\r", NONE },
	{ NULL, 0, O, 121, "\n", FOUND, S4, C4, 50001 },
	{ NULL, 0, R, 200, "227 Entering Pass", NONE },
	{ NULL, 0, R, 217, "ive Mode (10,0,2,2,117,50)\r\n", FOUND, C4, S4, 30002 },
	{ "retransmission", V4 },
	{ NULL, 0, O, 100, "PORT 10,0,1,2,", NONE },
	{ NULL, 0, O, 100, "PORT 10,0,1,2,", NONE },
	{ NULL, 0, O, 110, "1,2,195,82\r\n", FOUND, S4, C4, 50002 },
	{ NULL, 0, O, 110, "1,2,195,82\r\n", NONE },
	{ "gap drops the unfinished line", V4 },
	{ NULL, 0, O, 100, "PORT 10,0,1,2,", NONE },
	{ NULL, 0, O, 120, "195,83\r\n", NONE },
	{ NULL, 0, O, 128, "PORT 10,0,1,2,195,84\r\n", FOUND, S4, C4, 50004 },
	{ "bounce refused", V4 },
	{ NULL, 0, O, 1, "PORT 192,0,2,9,0,25\r\n", BOUNCE },
	{ NULL, 0, O, NEXT, "EPRT |1|10.0.2.2|25|\r\n", BOUNCE },
	{ NULL, 0, R, 1, "227 Entering Passive Mode (10,0,1,2,0,25)\r\n", BOUNCE },
	{ NULL, 0, R, NEXT, "PORT 10,0,1,2,195,80\r\n", NONE },
	{ "garbage", V4 },
	{ NULL, 0, O, 1, "PORT 10,0,1,2,195\r\n", BAD },
	{ NULL, 0, O, NEXT, "PORT 10,0,1,256,1,1\r\n", BAD },
	{ NULL, 0, O, NEXT, "PORT 10,0,1,2,0,0\r\n", BAD },
	{ NULL, 0, O, NEXT, "EPRT |3|10.0.1.2|1|\r\n", BAD },
	{ NULL, 0, O, NEXT, "EPRT |1|10.0.1.2.5|1|\r\n", BAD },
	{ NULL, 0, O, NEXT, "EPRT |1|10.0.1.2|99999|\r\n", BAD },
	{ NULL, 0, R, 1, "229 (|||x|)\r\n", BAD },
	{ NULL, 0, R, NEXT, "227-multi-line 10,0,2,2,1,1\r\n", NONE },
	{ NULL, 0, O, NEXT, "\x01\xff\r\n\n\n", NONE },
	{ "overlong line skipped whole", V4 },
	{ NULL, 0, O, 1, long_line, NONE },
	{ NULL, 0, O, NEXT, " PORT 10,0,1,2,195,80\r\n", NONE },
	{ NULL, 0, O, NEXT, "PORT 10,0,1,2,195,85\r\n", FOUND, S4, C4, 50005 },
};

static void tuple(struct sfw_tuple *t, u8 l3num)
{
	memset(t, 0, sizeof(*t));
	t->l3num = l3num;
	t->l4proto = SFW_IPPROTO_TCP;
	t->sport = htons(40000);
	t->dport = htons(21);
	inet_pton(l3num == V4 ? AF_INET : AF_INET6, l3num == V4 ? C4 : C6, &t->src);
	inet_pton(l3num == V4 ? AF_INET : AF_INET6, l3num == V4 ? S4 : S6, &t->dst);
}

static bool check(const struct row *r, const struct sfw_ftp_result *res, u8 l3num,
		  char *why, size_t n)
{
	union sfw_addr src, dst;

	switch (r->want) {
	case NONE:
		if (res->found || res->bounce || res->bad) {
			snprintf(why, n, "found %u bounce %u bad %u, want nothing",
				 res->found, res->bounce, res->bad);
			return false;
		}
		return true;
	case BOUNCE:
		if (res->found || res->bounce != 1) {
			snprintf(why, n, "found %u bounce %u, want a bounce", res->found, res->bounce);
			return false;
		}
		return true;
	case BAD:
		if (res->found || res->bad != 1) {
			snprintf(why, n, "found %u bad %u, want bad", res->found, res->bad);
			return false;
		}
		return true;
	case FOUND:
		break;
	}
	memset(&src, 0, sizeof(src));
	memset(&dst, 0, sizeof(dst));
	inet_pton(l3num == V4 ? AF_INET : AF_INET6, r->src, &src);
	inet_pton(l3num == V4 ? AF_INET : AF_INET6, r->dst, &dst);
	if (!res->found || res->exp.l3num != l3num || memcmp(&res->exp.src, &src, sizeof(src)) ||
	    memcmp(&res->exp.dst, &dst, sizeof(dst)) || ntohs(res->exp.dport) != r->dport) {
		snprintf(why, n, "found %u port %u bounce %u bad %u, want %s -> %s:%u",
			 res->found, ntohs(res->exp.dport), res->bounce, res->bad,
			 r->src, r->dst, r->dport);
		return false;
	}
	return true;
}

/*
 * A found announcement's argument, at res->arg_seq for res->arg_len bytes
 * of the stream, replaced by what sfw_helper_ftp_format() writes for the
 * same address and port (as nat_helper.c rewrites it), parses to the same
 * expectation from the same state @before the row: the place and the
 * format are both right.
 */
static bool rewrite_round_trip(const struct row *r, u32 seq, const struct sfw_ftp_result *res,
			       const struct sfw_ftp_state *before, const struct sfw_tuple *t,
			       char *why, size_t n)
{
	static struct sfw_ftp_state st2;
	struct sfw_ftp_result res2;
	char line[300], arg[SFW_FTP_ARG_MAX];
	u32 off = res->arg_seq - seq, len = (u32)strlen(r->data), k;

	if (off > len || off + res->arg_len > len) {
		snprintf(why, n, "argument at %u+%u outside the row's %u bytes", off,
			 res->arg_len, len);
		return false;
	}
	k = sfw_helper_ftp_format(arg, res->kind, res->delim, res->exp.l3num, &res->exp.dst,
				  res->exp.dport);
	if (k > SFW_FTP_ARG_MAX || off + k + len - off - res->arg_len >= sizeof(line)) {
		snprintf(why, n, "formatted %u bytes", k);
		return false;
	}
	memcpy(line, r->data, off);
	memcpy(line + off, arg, k);
	memcpy(line + off + k, r->data + off + res->arg_len, len - off - res->arg_len);
	st2 = *before;
	memset(&res2, 0, sizeof(res2));
	sfw_helper_ftp_data(&st2, t, r->dir, seq, (const u8 *)line, len - res->arg_len + k, &res2);
	if (!res2.found || memcmp(&res2.exp, &res->exp, sizeof(res->exp))) {
		snprintf(why, n, "'%.*s' in place of '%.*s' parses differently", (int)k, arg,
			 (int)res->arg_len, r->data + off);
		return false;
	}
	return true;
}

int main(void)
{
	static struct sfw_ftp_state st, before;
	const char *scenario = "";
	struct sfw_tuple t;
	unsigned int i;
	u32 seq;
	u8 l3num = V4;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct row *r = &rows[i];
		struct sfw_ftp_result res;
		char name[160], why[200];

		if (r->scenario) {
			scenario = r->scenario;
			l3num = r->l3num;
			tuple(&t, l3num);
			memset(&st, 0, sizeof(st));
			continue;
		}
		memset(&res, 0, sizeof(res));
		seq = r->seq == NEXT ? st.dir[r->dir].next_seq : r->seq;
		before = st;
		sfw_helper_ftp_data(&st, &t, r->dir, seq, (const u8 *)r->data,
				    strlen(r->data), &res);
		snprintf(name, sizeof(name), "%s: row %u %s seq %u", scenario, i,
			 r->dir == O ? "orig" : "reply", seq);
		tap_result(check(r, &res, l3num, why, sizeof(why)), name, why);
		/* Whole in this row (not split): rewritable, as behind NAT. */
		if (r->want == FOUND && res.found && (s32)(res.arg_seq - seq) >= 0 &&
		    res.arg_seq - seq + res.arg_len <= strlen(r->data)) {
			snprintf(name, sizeof(name), "%s: row %u rewritten in place", scenario, i);
			tap_result(rewrite_round_trip(r, seq, &res, &before, &t, why,
							      sizeof(why)), name, why);
		}
	}
	return tap_done();
}
