// SPDX-License-Identifier: GPL-2.0
/*
 * sfw-nlfuzz: send malformed requests to every command of the "sfw"
 * generic netlink family and check that each one is refused.
 *
 * Part 1 is a fixed list of malformed requests, each sent to every command
 * of SFW_CMD_* (and to command numbers the family does not have): unknown
 * and type-0 attributes, attribute lengths below the header or beyond the
 * message, wrong lengths for a type, unknown attributes inside nests,
 * values out of range, nests 200 deep, a nest of 8000 attributes, a
 * non-zero reserved header byte, a missing genl header, NLM_F_DUMP where
 * there is no dump. Then, over a small rule set loaded first, broken
 * rules, sets, chains and flowtables, each sent the ways the API takes them (RULE_ADD
 * and RULE_INSERT, SET_ADD and SET_DEL, inside a RULESET_BEGIN/ADD/COMMIT
 * transaction), and the transaction's misuses. Every one must get an
 * error (a non-zero NLMSG_ERROR, or a dump's NLMSG_DONE with an error).
 * Part 2 sends N random messages and only requires an answer to each:
 * random commands, flags and attribute trees, and as many mostly-valid
 * rules, sets and transactions with random damage, so that the rule and
 * set code (netlink_rules.c) gets past its policies. The kernel log is the
 * verdict there (the VM runner fails a test on any WARNING/BUG/KASAN).
 *
 * usage: sfw-nlfuzz [-n RANDOM_COUNT] [-s SEED] [-v]
 * Exit: 0 all refused, 1 some malformed request was accepted or got no
 * answer, 4 the family is not there. libc only.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/sfw.h>

#define BUF 65536
#define ALIGN4(x) (((x) + 3U) & ~3U)

static int fd, verbose;
static uint16_t family;
static uint32_t seq;
static unsigned char msg[BUF * 2], rbuf[BUF * 4];
static size_t len;		/* of msg so far */
static int failures, sent;

/* Message building: header, then raw attributes. */
static void start(uint16_t type, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)msg;
	struct genlmsghdr *g = (struct genlmsghdr *)(nlh + 1);

	memset(msg, 0, sizeof(struct nlmsghdr) + sizeof(*g));
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++seq;
	g->cmd = cmd;
	g->version = 1;
	len = NLMSG_HDRLEN + GENL_HDRLEN;
}

/* An attribute header with any nla_len; returns its offset. */
static size_t put_raw(uint16_t type, uint16_t nla_len, const void *data, size_t dlen)
{
	struct nlattr *a = (struct nlattr *)(msg + len);
	size_t off = len;

	a->nla_type = type;
	a->nla_len = nla_len;
	if (dlen)
		memcpy(a + 1, data, dlen);
	len += ALIGN4(NLA_HDRLEN + dlen);
	return off;
}

static size_t put(uint16_t type, const void *data, size_t dlen)
{
	return put_raw(type, NLA_HDRLEN + dlen, data, dlen);
}

static void put_u8(uint16_t type, uint8_t v) { put(type, &v, 1); }
static void put_u16(uint16_t type, uint16_t v) { put(type, &v, 2); }
static void put_u32(uint16_t type, uint32_t v) { put(type, &v, 4); }
static void put_u64(uint16_t type, uint64_t v) { put(type, &v, 8); }
static void put_str(uint16_t type, const char *s) { put(type, s, strlen(s) + 1); }
static size_t nest_start(uint16_t type) { return put(NLA_F_NESTED | type, NULL, 0); }
static void nest_end(size_t off) { ((struct nlattr *)(msg + off))->nla_len = len - off; }

/* Send; the answer's error code (0: ACK or a dump's end), or 1: no answer. */
static int talk(void)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)msg;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	uint32_t want = nlh->nlmsg_seq;
	ssize_t n;

	nlh->nlmsg_len = len;
	sent++;
	if (sendto(fd, msg, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	for (;;) {
		n = recv(fd, rbuf, sizeof(rbuf), 0);
		if (n < 0)
			return errno == EAGAIN ? 1 : -errno;
		for (nlh = (struct nlmsghdr *)rbuf; NLMSG_OK(nlh, (size_t)n); nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != want)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
			/* A dump's end carries its error, if any. */
			if (nlh->nlmsg_type == NLMSG_DONE)
				return nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)) ?
					*(int *)NLMSG_DATA(nlh) : 0;
		}
	}
}

static void expect_error(const char *what, int cmd)
{
	int ret = talk();

	if (ret < 0) {
		if (verbose)
			printf("ok: cmd %d: %s: %s\n", cmd, what, strerror(-ret));
		return;
	}
	failures++;
	printf("FAIL: cmd %d: %s: %s\n", cmd, what, ret ? "no answer" : "accepted");
}

/*
 * The commands that have a dump, as the family itself says
 * (CTRL_ATTR_OPS: each op's id and GENL_CMD_CAP_DUMP), so that a new
 * dump command cannot be missed here.
 */
static bool dumps[256];

static void read_ops(const struct nlattr *ops)
{
	const struct nlattr *op, *f;
	int rem = ops->nla_len - NLA_HDRLEN, frem;

	for (op = (const struct nlattr *)(ops + 1); rem >= NLA_HDRLEN;
	     rem -= ALIGN4(op->nla_len), op = (const struct nlattr *)((const char *)op + ALIGN4(op->nla_len))) {
		uint32_t id = 0, flags = 0;

		frem = op->nla_len - NLA_HDRLEN;
		for (f = (const struct nlattr *)(op + 1); frem >= NLA_HDRLEN;
		     frem -= ALIGN4(f->nla_len), f = (const struct nlattr *)((const char *)f + ALIGN4(f->nla_len))) {
			if (f->nla_type == CTRL_ATTR_OP_ID)
				id = *(const uint32_t *)(f + 1);
			else if (f->nla_type == CTRL_ATTR_OP_FLAGS)
				flags = *(const uint32_t *)(f + 1);
		}
		if (id < 256 && (flags & GENL_CMD_CAP_DUMP))
			dumps[id] = true;
	}
}

static uint16_t resolve(void)
{
	struct nlmsghdr *nlh;
	struct nlattr *a;
	uint16_t id = 0;
	ssize_t n;
	int rem;

	start(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	put(CTRL_ATTR_FAMILY_NAME, SFW_GENL_NAME, sizeof(SFW_GENL_NAME));
	((struct nlmsghdr *)msg)->nlmsg_len = len;
	if (send(fd, msg, len, 0) < 0)
		return 0;
	n = recv(fd, rbuf, sizeof(rbuf), 0);
	nlh = (struct nlmsghdr *)rbuf;
	if (n < 0 || !NLMSG_OK(nlh, (size_t)n) || nlh->nlmsg_type != GENL_ID_CTRL)
		return 0;
	rem = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	for (a = (struct nlattr *)((char *)NLMSG_DATA(nlh) + GENL_HDRLEN); rem >= NLA_HDRLEN;
	     rem -= ALIGN4(a->nla_len), a = (struct nlattr *)((char *)a + ALIGN4(a->nla_len))) {
		if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_OPS)
			read_ops(a);
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			id = *(uint16_t *)(a + 1);
	}
	return id;
}

/* Every command of the family, then numbers it does not have. */
static int cmds[SFW_CMD_MAX + 4];
static unsigned int ncmds;

static void init_cmds(void)
{
	int c;

	for (c = SFW_CMD_UNSPEC; c <= SFW_CMD_MAX; c++)
		cmds[ncmds++] = c;
	cmds[ncmds++] = SFW_CMD_MAX + 1;
	cmds[ncmds++] = 200;
	cmds[ncmds++] = 255;
}

/* The commands that have a dump (the family's own list, read by resolve()). */
static int has_dump(int cmd)
{
	return cmd >= 0 && cmd < 256 && dumps[cmd];
}

/*
 * SFW_CMD_CT_RESTORE: one good UDP connection (restored, then EEXIST the
 * second time: the positive control), then each way a record can be
 * wrong that the policy cannot see, which ct_record.c must refuse.
 */
enum restore_spoil {
	R_GOOD, R_NO_CT, R_NO_TIMEOUT, R_TIMEOUT_0, R_TCP_NO_STATE, R_TCP_NO_WIN, R_WSCALE_15,
	R_TCP_NONE, R_UDP_WITH_TCP, R_ICMP_REPLY_TYPE, R_ASSURED_ONLY, R_MASQ_NO_SNAT,
	R_NO_SUCH_DEV, R_MIXED_FAMILY, R_BYTES, R_COUNT
};

static void restore_tuple(uint16_t type, uint8_t l3, uint8_t l4, uint32_t src, uint32_t dst,
			  uint16_t sport, uint16_t dport)
{
	size_t n = nest_start(type);
	uint32_t a = htonl(src), b = htonl(dst);

	put_u8(SFW_TUPLE_A_L3, l3);
	put_u8(SFW_TUPLE_A_L4, l4);
	put(SFW_TUPLE_A_SRC_V4, &a, 4);
	if (l3 == 10) {
		unsigned char six[16] = { 0xfd };

		put(SFW_TUPLE_A_DST_V6, six, 16);
	} else {
		put(SFW_TUPLE_A_DST_V4, &b, 4);
	}
	if (l4 == 1) {
		put_u8(SFW_TUPLE_A_ICMP_TYPE, sport >> 8);
		put_u8(SFW_TUPLE_A_ICMP_CODE, 0);
		put_u16(SFW_TUPLE_A_ICMP_ID, htons(dport));
	} else {
		put_u16(SFW_TUPLE_A_SPORT, htons(sport));
		put_u16(SFW_TUPLE_A_DPORT, htons(dport));
	}
	nest_end(n);
}

static int restore_one(enum restore_spoil k)
{
	bool tcp = k == R_TCP_NO_STATE || k == R_TCP_NO_WIN || k == R_WSCALE_15 || k == R_TCP_NONE;
	uint8_t l4 = tcp ? 6 : k == R_ICMP_REPLY_TYPE ? 1 : 17;
	uint32_t c = 0x0a630102, sv = 0x0a630202;	/* 10.99.1.2 -> 10.99.2.2 */
	size_t ct, t, d;

	start(family, SFW_CMD_CT_RESTORE, 0);
	if (k == R_NO_CT)
		return talk();
	ct = nest_start(SFW_A_CT);
	if (k == R_ICMP_REPLY_TYPE) {
		restore_tuple(SFW_CT_A_ORIG, 2, 1, c, sv, 8 << 8, 77);
		restore_tuple(SFW_CT_A_REPLY, 2, 1, sv, c, 8 << 8, 77);	/* echo answered by echo */
	} else {
		restore_tuple(SFW_CT_A_ORIG, 2, l4, c, sv, 40000, 53);
		restore_tuple(SFW_CT_A_REPLY, k == R_MIXED_FAMILY ? 10 : 2, l4, sv, c, 53, 40000);
	}
	if (k != R_NO_TIMEOUT)
		put_u32(SFW_CT_A_TIMEOUT, k == R_TIMEOUT_0 ? 0 : 30);
	put_u32(SFW_CT_A_STATUS, k == R_ASSURED_ONLY ? SFW_CT_S_ASSURED : 0);
	put_u64(SFW_CT_A_PACKETS_ORIG, 1);
	put_u64(SFW_CT_A_BYTES_ORIG, k == R_BYTES ? 3 : 60);
	if (tcp && k != R_TCP_NO_STATE)
		put_u8(SFW_CT_A_TCP_STATE, k == R_TCP_NONE ? 0 : 3);
	if ((tcp && k != R_TCP_NO_WIN) || k == R_UDP_WITH_TCP) {
		t = nest_start(SFW_CT_A_TCP);
		for (int dir = 0; dir < 2; dir++) {
			d = nest_start(dir ? SFW_CT_TCP_A_REPLY : SFW_CT_TCP_A_ORIG);
			put_u32(SFW_CT_TCPD_A_END, 1000);
			put_u32(SFW_CT_TCPD_A_MAXEND, 70000);
			put_u32(SFW_CT_TCPD_A_MAXWIN, 64000);
			put_u8(SFW_CT_TCPD_A_WSCALE, k == R_WSCALE_15 ? 15 : 7);
			nest_end(d);
		}
		nest_end(t);
	}
	if (k == R_MASQ_NO_SNAT)
		put_str(SFW_CT_A_MASQ_DEV, "lo");
	if (k == R_NO_SUCH_DEV) {
		/* A translated reply (SNAT to .9) through a device that is not there. */
		len = ct;
		ct = nest_start(SFW_A_CT);
		restore_tuple(SFW_CT_A_ORIG, 2, 17, c, sv, 40001, 53);
		restore_tuple(SFW_CT_A_REPLY, 2, 17, sv, 0x0a630209, 53, 40001);
		put_u32(SFW_CT_A_TIMEOUT, 30);
		put_str(SFW_CT_A_MASQ_DEV, "nosuchdev0");
	}
	nest_end(ct);
	return talk();
}

static void restore_cases(void)
{
	static const char *const what[R_COUNT] = {
		[R_NO_CT] = "restore without SFW_A_CT",
		[R_NO_TIMEOUT] = "restore without a timeout",
		[R_TIMEOUT_0] = "restore with timeout 0",
		[R_TCP_NO_STATE] = "restore TCP without a state",
		[R_TCP_NO_WIN] = "restore TCP without window data",
		[R_WSCALE_15] = "restore TCP with window scale 15",
		[R_TCP_NONE] = "restore TCP in state NONE",
		[R_UDP_WITH_TCP] = "restore UDP with TCP window data",
		[R_ICMP_REPLY_TYPE] = "restore an echo answered by an echo",
		[R_ASSURED_ONLY] = "restore assured, no reply seen",
		[R_MASQ_NO_SNAT] = "restore a masquerade device without SNAT",
		[R_NO_SUCH_DEV] = "restore through a device that does not exist",
		[R_MIXED_FAMILY] = "restore with an IPv6 reply to an IPv4 original",
		[R_BYTES] = "restore a packet of 3 bytes",
	};
	int ret, k;

	ret = restore_one(R_GOOD);
	if (ret) {
		failures++;
		printf("FAIL: restore of a good UDP connection: %s\n", strerror(-ret));
	}
	ret = restore_one(R_GOOD);
	if (ret != -EEXIST) {
		failures++;
		printf("FAIL: a second restore of it: %s, not EEXIST\n", ret ? strerror(-ret) : "accepted");
	}
	for (k = R_GOOD + 1; k < R_COUNT; k++) {
		ret = restore_one((enum restore_spoil)k);
		if (ret < 0) {
			if (verbose)
				printf("ok: %s: %s\n", what[k], strerror(-ret));
			continue;
		}
		failures++;
		printf("FAIL: %s: %s\n", what[k], ret ? "no answer" : "accepted");
	}
}

static void fixed(void)
{
	static unsigned char junk[8000 * 8];
	unsigned int c, i;
	size_t n, m;

	for (c = 0; c < ncmds; c++) {
		int cmd = cmds[c];

		start(family, cmd, 0);
		put_u32(SFW_A_MAX + 1, 1);
		expect_error("unknown top-level attribute", cmd);

		start(family, cmd, 0);
		put_u32(0, 1);
		expect_error("attribute type 0", cmd);

		start(family, cmd, 0);
		put_raw(SFW_A_COUNT, 3, NULL, 0);
		expect_error("nla_len below the header", cmd);

		start(family, cmd, 0);
		put_raw(SFW_A_COUNT, 400, "abcd", 4);
		expect_error("nla_len beyond the message", cmd);

		start(family, cmd, 0);
		put(SFW_A_TUPLE | NLA_F_NESTED, "abc", 3);
		expect_error("3-byte tuple nest", cmd);

		start(family, cmd, 0);
		n = nest_start(SFW_A_FILTER);
		put_u32(99, 0);
		nest_end(n);
		expect_error("unknown attribute in a filter", cmd);

		start(family, cmd, 0);
		n = nest_start(SFW_A_FILTER);
		put_u32(SFW_FILTER_A_L3, 2);
		nest_end(n);
		expect_error("u32 where the filter takes a u8", cmd);

		start(family, cmd, 0);
		n = nest_start(SFW_A_FILTER);
		put_u8(SFW_FILTER_A_L3, 7);
		nest_end(n);
		expect_error("filter L3 out of range", cmd);

		start(family, cmd, 0);
		n = nest_start(SFW_A_FILTER);
		put_u8(SFW_FILTER_A_SRC_PREFIX, 200);
		nest_end(n);
		expect_error("prefix out of range", cmd);

		start(family, cmd, 0);
		n = nest_start(SFW_A_FILTER);
		put(SFW_FILTER_A_SRC_V4, "abcde", 5);
		nest_end(n);
		expect_error("5-byte IPv4 address", cmd);

		start(family, cmd, 0);
		{
			size_t stack[200];

			for (i = 0; i < 200; i++)
				stack[i] = nest_start(i ? SFW_TUPLE_A_L3 : SFW_A_TUPLE);
			for (i = 200; i-- > 0;)
				nest_end(stack[i]);
		}
		expect_error("nests 200 deep", cmd);

		start(family, cmd, 0);
		n = nest_start(SFW_A_FILTER);
		for (i = 0; i < 8000; i++)
			put_u8(SFW_FILTER_A_MAX + 1 + (i % 50), 1);
		nest_end(n);
		expect_error("a nest of 8000 unknown attributes", cmd);

		start(family, cmd, 0);
		memset(junk, 0xff, sizeof(junk));
		put(SFW_A_CONFIG | NLA_F_NESTED, junk, 60000);
		expect_error("60000 bytes of 0xff in a nest", cmd);

		start(family, cmd, 0);
		((struct genlmsghdr *)(msg + NLMSG_HDRLEN))->reserved = 1;
		expect_error("reserved header field set", cmd);

		start(family, cmd, 0);
		len = NLMSG_HDRLEN + 2;
		expect_error("no room for the genl header", cmd);

		start(family, cmd, NLM_F_DUMP);
		put_u32(SFW_A_MAX + 7, 1);
		expect_error("dump with an unknown attribute", cmd);

		if (!has_dump(cmd)) {
			start(family, cmd, NLM_F_DUMP);
			expect_error("dump of a command without one", cmd);
		}
	}

	/* Attributes of the right kind but wrong together or missing. */
	start(family, SFW_CMD_CT_GET, 0);
	expect_error("get without a tuple", SFW_CMD_CT_GET);

	start(family, SFW_CMD_CT_GET, 0);
	n = nest_start(SFW_A_TUPLE);
	put_u8(SFW_TUPLE_A_L3, 2);
	nest_end(n);
	expect_error("tuple without L4 and addresses", SFW_CMD_CT_GET);

	start(family, SFW_CMD_CT_GET, 0);
	n = nest_start(SFW_A_TUPLE);
	put_u8(SFW_TUPLE_A_L3, 2);
	put_u8(SFW_TUPLE_A_L4, 6);
	put(SFW_TUPLE_A_SRC_V6, junk, 16);
	put(SFW_TUPLE_A_DST_V6, junk, 16);
	put(SFW_TUPLE_A_SPORT, "ab", 2);
	put(SFW_TUPLE_A_DPORT, "ab", 2);
	nest_end(n);
	expect_error("IPv6 addresses in an AF_INET tuple", SFW_CMD_CT_GET);

	start(family, SFW_CMD_CT_GET, 0);
	n = nest_start(SFW_A_TUPLE);
	put_u8(SFW_TUPLE_A_L3, 2);
	put_u8(SFW_TUPLE_A_L4, 17);
	put(SFW_TUPLE_A_SRC_V4, "abcd", 4);
	put(SFW_TUPLE_A_DST_V4, "abcd", 4);
	put_u8(SFW_TUPLE_A_ICMP_TYPE, 8);
	nest_end(n);
	expect_error("UDP tuple with an ICMP type, no ports", SFW_CMD_CT_GET);

	start(family, SFW_CMD_CT_DEL, 0);
	expect_error("delete with neither tuple nor filter", SFW_CMD_CT_DEL);

	start(family, SFW_CMD_CT_DEL, 0);
	m = nest_start(SFW_A_TUPLE);
	nest_end(m);
	n = nest_start(SFW_A_FILTER);
	nest_end(n);
	expect_error("delete with a tuple and a filter", SFW_CMD_CT_DEL);

	start(family, SFW_CMD_CT_DEL, 0);
	n = nest_start(SFW_A_FILTER);
	put_u8(SFW_FILTER_A_L3, 2);
	put(SFW_FILTER_A_SRC_V6, junk, 16);
	nest_end(n);
	expect_error("filter: IPv6 address with L3 AF_INET", SFW_CMD_CT_DEL);

	start(family, SFW_CMD_CT_DEL, 0);
	n = nest_start(SFW_A_FILTER);
	put_u8(SFW_FILTER_A_DST_PREFIX, 8);
	nest_end(n);
	expect_error("filter: prefix without an address", SFW_CMD_CT_DEL);

	/* The expectation dump: a filter at most, and no TCP state in it. */
	start(family, SFW_CMD_EXPECT_GET, 0);
	expect_error("expectations: a get (there is only a dump)", SFW_CMD_EXPECT_GET);

	start(family, SFW_CMD_EXPECT_GET, NLM_F_DUMP);
	n = nest_start(SFW_A_TUPLE);
	put_u8(SFW_TUPLE_A_L3, 2);
	nest_end(n);
	expect_error("expectations: dump with a tuple", SFW_CMD_EXPECT_GET);

	start(family, SFW_CMD_EXPECT_GET, NLM_F_DUMP);
	n = nest_start(SFW_A_EXPECT);
	nest_end(n);
	expect_error("expectations: dump with SFW_A_EXPECT (replies only)", SFW_CMD_EXPECT_GET);

	start(family, SFW_CMD_EXPECT_GET, NLM_F_DUMP);
	n = nest_start(SFW_A_FILTER);
	put_u8(SFW_FILTER_A_TCP_STATE, 3);
	nest_end(n);
	expect_error("expectations: filter on a TCP state", SFW_CMD_EXPECT_GET);

	start(family, SFW_CMD_EXPECT_GET, NLM_F_DUMP);
	n = nest_start(SFW_A_FILTER);
	put_u8(SFW_FILTER_A_L3, 2);
	put(SFW_FILTER_A_DST_V6, junk, 16);
	nest_end(n);
	expect_error("expectations: filter with an IPv6 address and L3 AF_INET",
		     SFW_CMD_EXPECT_GET);

	restore_cases();

	start(family, SFW_CMD_CONFIG_SET, 0);
	expect_error("config set without a setting", SFW_CMD_CONFIG_SET);

	start(family, SFW_CMD_CONFIG_SET, 0);
	n = nest_start(SFW_A_CONFIG);
	put(SFW_CONFIG_A_NAME, "tcp_loose", 10);
	nest_end(n);
	expect_error("config set without a value", SFW_CMD_CONFIG_SET);

	start(family, SFW_CMD_CONFIG_SET, 0);
	n = nest_start(SFW_A_CONFIG);
	put(SFW_CONFIG_A_NAME, "tcp_loose", 9);		/* no NUL */
	put_u32(SFW_CONFIG_A_VALUE, 1);
	nest_end(n);
	expect_error("config name without its NUL", SFW_CMD_CONFIG_SET);

	start(family, SFW_CMD_CONFIG_SET, 0);
	n = nest_start(SFW_A_CONFIG);
	memset(junk, 'a', 100);
	junk[99] = 0;
	put(SFW_CONFIG_A_NAME, junk, 100);
	put_u32(SFW_CONFIG_A_VALUE, 1);
	nest_end(n);
	expect_error("config name of 99 characters", SFW_CMD_CONFIG_SET);

	start(family, SFW_CMD_CONFIG_SET, 0);
	n = nest_start(SFW_A_CONFIG);
	put(SFW_CONFIG_A_NAME, "nonexistent", 12);
	put_u32(SFW_CONFIG_A_VALUE, 1);
	nest_end(n);
	expect_error("unknown setting", SFW_CMD_CONFIG_SET);

	start(family, SFW_CMD_CONFIG_SET, 0);
	n = nest_start(SFW_A_CONFIG);
	put(SFW_CONFIG_A_NAME, "conntrack_count", 16);
	put_u32(SFW_CONFIG_A_VALUE, 1);
	nest_end(n);
	expect_error("read-only setting", SFW_CMD_CONFIG_SET);

	/* The first is fine, the second out of range: nothing may change. */
	start(family, SFW_CMD_CONFIG_SET, 0);
	n = nest_start(SFW_A_CONFIG);
	put(SFW_CONFIG_A_NAME, "udp_timeout", 12);
	put_u32(SFW_CONFIG_A_VALUE, 77);
	nest_end(n);
	n = nest_start(SFW_A_CONFIG);
	put(SFW_CONFIG_A_NAME, "tcp_loose", 10);
	put_u32(SFW_CONFIG_A_VALUE, 2);
	nest_end(n);
	expect_error("second setting out of range", SFW_CMD_CONFIG_SET);

	start(family, SFW_CMD_CONFIG_GET, 0);
	n = nest_start(SFW_A_CONFIG);
	put(SFW_CONFIG_A_NAME, "nonexistent", 12);
	nest_end(n);
	expect_error("config get of an unknown setting", SFW_CMD_CONFIG_GET);
}

/* Rules and sets. */

/* An acknowledged request that must succeed (setting up, not a case). */
static void expect_ok(const char *what, int cmd)
{
	int ret = talk();

	if (ret == 0)
		return;
	failures++;
	printf("FAIL: cmd %d: %s: %s\n", cmd, what, ret > 0 ? "no answer" : strerror(-ret));
}

static void addr4(uint16_t type, const char *a4, int plen)
{
	size_t n = nest_start(type);

	put(SFW_ADDR_A_V4, a4, 4);
	if (plen >= 0)
		put_u8(SFW_ADDR_A_LEN, plen);
	nest_end(n);
}

static void ports(uint16_t type, uint16_t lo, uint16_t hi, int count)
{
	size_t n = nest_start(type), r;
	int i;

	for (i = 0; i < count; i++) {
		r = nest_start(SFW_PORTS_A_RANGE);
		put_u16(SFW_RANGE_A_LO, htons(lo));
		put_u16(SFW_RANGE_A_HI, htons(hi));
		nest_end(r);
	}
	nest_end(n);
}

/* The running rule set the rule and set cases work on: chain input with
 * two rules, set "s1". Replaced whole, so every case starts from it. */
static void load_base(void)
{
	size_t n, e;

	start(family, SFW_CMD_RULESET_ABORT, 0);	/* none open: ENOENT, fine */
	talk();
	start(family, SFW_CMD_RULESET_BEGIN, 0);
	n = nest_start(SFW_A_CHAIN);
	put_u8(SFW_CHAIN_A_ID, SFW_CHAIN_ID_INPUT);
	put_u8(SFW_CHAIN_A_POLICY, SFW_RULE_ACT_ACCEPT);
	nest_end(n);
	expect_ok("base rule set: begin", SFW_CMD_RULESET_BEGIN);
	start(family, SFW_CMD_RULESET_ADD, 0);
	n = nest_start(SFW_A_SET);
	put_str(SFW_SET_A_NAME, "s1");
	e = nest_start(SFW_SET_A_ELEMS);
	addr4(SFW_ELEMS_A_ADDR, "\x0a\0\0\0", 8);
	nest_end(e);
	nest_end(n);
	n = nest_start(SFW_A_RULE);
	put_u8(SFW_RULE_A_CHAIN, SFW_CHAIN_ID_INPUT);
	put_u8(SFW_RULE_A_L4, 6);
	ports(SFW_RULE_A_DPORTS, 22, 22, 1);
	put_u8(SFW_RULE_A_ACTION, SFW_RULE_ACT_ACCEPT);
	nest_end(n);
	n = nest_start(SFW_A_RULE);
	put_u8(SFW_RULE_A_CHAIN, SFW_CHAIN_ID_INPUT);
	put_str(SFW_RULE_A_SADDR_SET, "s1");
	put_u8(SFW_RULE_A_ACTION, SFW_RULE_ACT_DROP);
	nest_end(n);
	expect_ok("base rule set: add", SFW_CMD_RULESET_ADD);
	start(family, SFW_CMD_RULESET_COMMIT, 0);
	expect_ok("base rule set: commit", SFW_CMD_RULESET_COMMIT);
}

static const char long16[] = "aaaaaaaaaaaaaaaa";			/* 16 + NUL */
static const char long32[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";	/* 32 + NUL */

/*
 * The inside of an SFW_A_RULE nest that every way of adding a rule must
 * refuse, case K; NULL past the last. A case names its own chain and
 * action unless they are what is broken.
 */
static const char *bad_rule(int k)
{
	static const char *const what[] = {
		"rule without an action", "action out of range", "chain out of range",
		"rule without a chain", "family out of range", "iif of 16 characters",
		"saddr with IPv4 and IPv6", "IPv4 prefix of 33", "IPv6 prefix of 129",
		"empty address nest", "saddr and a saddr set", "set name of 32 characters",
		"ports without tcp or udp", "port range backwards", "257 port ranges",
		"range without its low end", "unknown attribute in the ports", "icmp type without icmp",
		"unknown ct state bit", "log prefix of 32 characters", "unknown attribute in a rule",
		"5-byte IPv4 address", "reference to no set",
		"flow add in chain input", "flow add name of 32 characters",
		"flow add to no flowtable", "flow add with drop",
	};
	size_t n;

	if (k >= (int)(sizeof(what) / sizeof(what[0])))
		return NULL;
	if (k != 2 && k != 3)	/* the last two: in forward, where flow add may stand */
		put_u8(SFW_RULE_A_CHAIN, k >= 25 ? SFW_CHAIN_ID_FORWARD : SFW_CHAIN_ID_INPUT);
	switch (k) {
	case 1: put_u8(SFW_RULE_A_ACTION, SFW_RULE_ACT_MAX + 1); return what[k];
	case 2: put_u8(SFW_RULE_A_CHAIN, SFW_CHAIN_ID_MAX + 1); break;
	case 4: put_u8(SFW_RULE_A_FAMILY, 7); break;
	case 5: put_str(SFW_RULE_A_IIF, long16); break;
	case 6:
		n = nest_start(SFW_RULE_A_SADDR);
		put(SFW_ADDR_A_V4, "\x0a\0\0\x01", 4);
		put(SFW_ADDR_A_V6, long16, 16);
		nest_end(n);
		break;
	case 7: addr4(SFW_RULE_A_SADDR, "\x0a\0\0\x01", 33); break;
	case 8:
		n = nest_start(SFW_RULE_A_DADDR);
		put(SFW_ADDR_A_V6, long16, 16);
		put_u8(SFW_ADDR_A_LEN, 129);
		nest_end(n);
		break;
	case 9: nest_end(nest_start(SFW_RULE_A_SADDR)); break;
	case 10:
		addr4(SFW_RULE_A_SADDR, "\x0a\0\0\x01", -1);
		put_str(SFW_RULE_A_SADDR_SET, "s1");
		break;
	case 11: put_str(SFW_RULE_A_DADDR_SET, long32); break;
	case 12: ports(SFW_RULE_A_DPORTS, 80, 80, 1); break;
	case 13: put_u8(SFW_RULE_A_L4, 17); ports(SFW_RULE_A_SPORTS, 5, 4, 1); break;
	case 14: put_u8(SFW_RULE_A_L4, 6); ports(SFW_RULE_A_DPORTS, 1, 2, SFW_RULE_PORTS_MAX + 1); break;
	case 15:
		put_u8(SFW_RULE_A_L4, 6);
		n = nest_start(SFW_RULE_A_DPORTS);
		{
			size_t r = nest_start(SFW_PORTS_A_RANGE);

			put_u16(SFW_RANGE_A_HI, htons(80));
			nest_end(r);
		}
		nest_end(n);
		break;
	case 16:
		put_u8(SFW_RULE_A_L4, 6);
		n = nest_start(SFW_RULE_A_DPORTS);
		put_u32(SFW_PORTS_A_MAX + 1, 1);
		nest_end(n);
		break;
	case 17: put_u8(SFW_RULE_A_L4, 6); put_u8(SFW_RULE_A_ICMP_TYPE, 8); break;
	case 18: put_u8(SFW_RULE_A_CT_STATE, SFW_CT_STATE_F_ALL + 1); break;
	case 19: put_str(SFW_RULE_A_LOG_PREFIX, long32); break;
	case 20: put_u8(SFW_RULE_A_MAX + 1, 1); break;
	case 21:
		n = nest_start(SFW_RULE_A_DADDR);
		put(SFW_ADDR_A_V4, "abcde", 5);
		nest_end(n);
		break;
	case 22: put_str(SFW_RULE_A_SADDR_SET, "nosuch"); break;
	case 23:
		put_str(SFW_RULE_A_FLOW_ADD, "ft");
		break;
	case 24:
		put_str(SFW_RULE_A_FLOW_ADD, long32);
		break;
	case 25:
		put_str(SFW_RULE_A_FLOW_ADD, "nosuch");
		break;
	case 26:
		put_str(SFW_RULE_A_FLOW_ADD, "nosuch");
		put_u8(SFW_RULE_A_ACTION, SFW_RULE_ACT_DROP);
		return what[k];
	}
	if (k != 0)
		put_u8(SFW_RULE_A_ACTION, SFW_RULE_ACT_ACCEPT);
	return what[k];
}

/* The inside of an SFW_A_SET nest that SET_ADD, SET_DEL and a transaction
 * must all refuse, case K; NULL past the last. */
static const char *bad_set(int k)
{
	static const char *const what[] = {
		"set without a name", "set name of 32 characters", "element with an IPv4 prefix of 33",
		"empty element", "unknown attribute in the elements", "element of 5 bytes",
		"unknown attribute in a set",
	};
	size_t e, a;

	if (k >= (int)(sizeof(what) / sizeof(what[0])))
		return NULL;
	if (k == 1)
		put_str(SFW_SET_A_NAME, long32);
	else if (k != 0)
		put_str(SFW_SET_A_NAME, "s1");
	e = nest_start(SFW_SET_A_ELEMS);
	switch (k) {
	case 2: addr4(SFW_ELEMS_A_ADDR, "\x0a\0\0\x01", 33); break;
	case 3: nest_end(nest_start(SFW_ELEMS_A_ADDR)); break;
	case 4: put_u32(SFW_ELEMS_A_MAX + 1, 1); break;
	case 5:
		a = nest_start(SFW_ELEMS_A_ADDR);
		put(SFW_ADDR_A_V4, "abcde", 5);
		nest_end(a);
		break;
	default: addr4(SFW_ELEMS_A_ADDR, "\xc0\0\x02\x07", -1); break;
	}
	nest_end(e);
	if (k == 6)
		put_u32(SFW_SET_A_MAX + 1, 1);
	return what[k];
}

/*
 * The inside of an SFW_A_FLOWTABLE nest that a transaction must refuse,
 * case K; NULL past the last. "lo" is the one device every namespace has.
 */
static const char *bad_flowtable(int k)
{
	static const char *const what[] = {
		"flowtable without a name", "flowtable name of 32 characters", "empty flowtable name",
		"flowtable without devices", "flowtable with an empty device list",
		"flowtable of 33 devices", "flowtable device name of 16 characters",
		"flowtable device that does not exist", "flowtable device given twice",
		"empty flowtable device name", "device list that is not a nest",
		"unknown attribute in a flowtable", "unknown attribute in the devices", NULL,
	};
	size_t d;
	int i;

	if (!what[k])	/* k counts up from 0: the NULL ends the cases */
		return NULL;
	if (k == 1)
		put_str(SFW_FLOWTABLE_A_NAME, long32);
	else if (k == 2)
		put_str(SFW_FLOWTABLE_A_NAME, "");
	else if (k != 0)
		put_str(SFW_FLOWTABLE_A_NAME, "ft");
	if (k == 3)
		return what[k];
	if (k == 10) {
		put_str(SFW_FLOWTABLE_A_DEVS, "lo");
		return what[k];
	}
	d = nest_start(SFW_FLOWTABLE_A_DEVS);
	if (k == 5) {
		for (i = 0; i <= SFW_FLOWTABLE_DEVS_MAX; i++) {
			char dev[16];

			snprintf(dev, sizeof(dev), "sfwft%d", i);
			put_str(SFW_FLOWTABLE_A_DEV, dev);
		}
	} else if (k != 4) {
		/* case 8 gives lo twice; 12 adds an unknown attribute after it */
		put_str(SFW_FLOWTABLE_A_DEV, k == 6 ? long16 : k == 7 ? "sfwnosuchdev" :
			k == 9 ? "" : "lo");
		if (k == 8)
			put_str(SFW_FLOWTABLE_A_DEV, "lo");
		if (k == 12)
			put_u32(SFW_FLOWTABLE_A_MAX + 1, 1);
	}
	nest_end(d);
	if (k == 11)
		put_u32(SFW_FLOWTABLE_A_MAX + 1, 1);
	return what[k];
}

/*
 * A transaction adding @n flowtables named @names, each of the one device
 * @devs[i] (lo, or one that does not exist): the ADD or the COMMIT must
 * fail. For what only the whole transaction can get wrong.
 */
static void expect_txn_flowtables(const char *what, int n, const char *const *names,
				  const char *const *devs)
{
	char name[160];
	size_t f, d;
	int i, ret;

	start(family, SFW_CMD_RULESET_BEGIN, 0);
	expect_ok("begin", SFW_CMD_RULESET_BEGIN);
	start(family, SFW_CMD_RULESET_ADD, 0);
	for (i = 0; i < n; i++) {
		f = nest_start(SFW_A_FLOWTABLE);
		put_str(SFW_FLOWTABLE_A_NAME, names[i]);
		d = nest_start(SFW_FLOWTABLE_A_DEVS);
		put_str(SFW_FLOWTABLE_A_DEV, devs[i]);
		nest_end(d);
		nest_end(f);
	}
	snprintf(name, sizeof(name), "transaction: %s", what);
	ret = talk();
	if (ret > 0) {
		failures++;
		printf("FAIL: cmd %d: %s: no answer\n", SFW_CMD_RULESET_ADD, name);
	} else if (ret == 0) {
		start(family, SFW_CMD_RULESET_COMMIT, 0);
		expect_error(name, SFW_CMD_RULESET_COMMIT);
	} else if (verbose) {
		printf("ok: cmd %d: %s: %s\n", SFW_CMD_RULESET_ADD, name, strerror(-ret));
	}
	start(family, SFW_CMD_RULESET_ABORT, 0);
	talk();
}

/* A broken SFW_A_CHAIN, case K; NULL past the last. */
static const char *bad_chain(int k)
{
	static const char *const what[] = {
		"chain id out of range", "chain policy reject", "chain without an id",
		"unknown attribute in a chain",
	};

	if (k >= (int)(sizeof(what) / sizeof(what[0])))
		return NULL;
	if (k != 2)
		put_u8(SFW_CHAIN_A_ID, k == 0 ? SFW_CHAIN_ID_MAX + 1 : SFW_CHAIN_ID_FORWARD);
	put_u8(SFW_CHAIN_A_POLICY, k == 1 ? SFW_RULE_ACT_REJECT : SFW_RULE_ACT_DROP);
	if (k == 3)
		put_u8(SFW_CHAIN_A_MAX + 1, 1);
	return what[k];
}

/* In a transaction: BEGIN, then ADD with what build() puts, then COMMIT
 * if the ADD passed. The ADD or the COMMIT must fail. */
static void expect_txn_error(const char *what, uint16_t nest, const char *(*build)(int), int k)
{
	char name[160];
	size_t n;
	int ret;

	start(family, SFW_CMD_RULESET_BEGIN, 0);
	expect_ok("begin", SFW_CMD_RULESET_BEGIN);
	start(family, SFW_CMD_RULESET_ADD, 0);
	n = nest_start(nest);
	build(k);
	nest_end(n);
	snprintf(name, sizeof(name), "transaction: %s", what);
	ret = talk();
	if (ret < 0) {
		if (verbose)
			printf("ok: cmd %d: %s: %s\n", SFW_CMD_RULESET_ADD, name, strerror(-ret));
	} else if (ret > 0) {
		failures++;
		printf("FAIL: cmd %d: %s: no answer\n", SFW_CMD_RULESET_ADD, name);
	} else {
		start(family, SFW_CMD_RULESET_COMMIT, 0);
		expect_error(name, SFW_CMD_RULESET_COMMIT);
	}
	start(family, SFW_CMD_RULESET_ABORT, 0);	/* ended by the error: ENOENT */
	talk();
}

static void fixed_rules(void)
{
	static const uint8_t rule_cmds[] = { SFW_CMD_RULE_ADD, SFW_CMD_RULE_INSERT };
	static const uint8_t set_cmds[] = { SFW_CMD_SET_ADD, SFW_CMD_SET_DEL };
	char name[160];
	const char *what;
	unsigned int i;
	size_t n;
	int k;

	load_base();
	for (k = 0; ; k++) {
		for (i = 0; i < 2; i++) {
			start(family, rule_cmds[i], 0);
			n = nest_start(SFW_A_RULE);
			what = bad_rule(k);
			nest_end(n);
			if (!what)
				break;
			expect_error(what, rule_cmds[i]);
		}
		if (!what)
			break;
		/* Where a rule names its chain, a transaction takes no position. */
		expect_txn_error(what, SFW_A_RULE, bad_rule, k);
	}
	for (k = 0; ; k++) {
		for (i = 0; i < 2; i++) {
			start(family, set_cmds[i], 0);
			n = nest_start(SFW_A_SET);
			what = bad_set(k);
			nest_end(n);
			if (!what)
				break;
			expect_error(what, set_cmds[i]);
		}
		if (!what)
			break;
		if (k != 0 && k != 1)	/* a transaction's new set may be any name */
			expect_txn_error(what, SFW_A_SET, bad_set, k);
	}
	for (k = 0; ; k++) {
		start(family, SFW_CMD_RULESET_BEGIN, 0);
		n = nest_start(SFW_A_CHAIN);
		what = bad_chain(k);
		nest_end(n);
		if (!what)
			break;
		snprintf(name, sizeof(name), "begin: %s", what);
		expect_error(name, SFW_CMD_RULESET_BEGIN);
		start(family, SFW_CMD_RULESET_ABORT, 0);
		talk();
		expect_txn_error(what, SFW_A_CHAIN, bad_chain, k);
	}

	/*
	 * The positive control of the flowtable cases: flowtable ft of lo and
	 * a forward rule flow add @ft load, so that each case below is
	 * refused for what it breaks, not for lo or for flow add as such.
	 */
	start(family, SFW_CMD_RULESET_BEGIN, 0);
	expect_ok("flowtable control: begin", SFW_CMD_RULESET_BEGIN);
	start(family, SFW_CMD_RULESET_ADD, 0);
	n = nest_start(SFW_A_FLOWTABLE);
	put_str(SFW_FLOWTABLE_A_NAME, "ft");
	{
		size_t d = nest_start(SFW_FLOWTABLE_A_DEVS);

		put_str(SFW_FLOWTABLE_A_DEV, "lo");
		nest_end(d);
	}
	nest_end(n);
	n = nest_start(SFW_A_RULE);
	put_u8(SFW_RULE_A_CHAIN, SFW_CHAIN_ID_FORWARD);
	put_str(SFW_RULE_A_FLOW_ADD, "ft");
	put_u8(SFW_RULE_A_ACTION, SFW_RULE_ACT_ACCEPT);
	nest_end(n);
	expect_ok("flowtable control: flowtable ft of lo, flow add @ft", SFW_CMD_RULESET_ADD);
	start(family, SFW_CMD_RULESET_COMMIT, 0);
	expect_ok("flowtable control: commit", SFW_CMD_RULESET_COMMIT);
	load_base();
	for (k = 0; ; k++) {
		start(family, SFW_CMD_RULESET_ADD, 0);	/* scratch: only to learn the case's name */
		what = bad_flowtable(k);
		if (!what)
			break;
		expect_txn_error(what, SFW_A_FLOWTABLE, bad_flowtable, k);
	}
	{
		static const char *const two[] = { "ft", "ft" }, *const other[] = { "f1", "f2" };
		static const char *const lo2[] = { "lo", "lo" };
		static const char *const nine[] = { "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9" };
		static const char *const devs9[] = { "lo", "sfwft1", "sfwft2", "sfwft3", "sfwft4",
						     "sfwft5", "sfwft6", "sfwft7", "sfwft8" };

		expect_txn_flowtables("a flowtable defined twice", 2, two, (const char *const[]){ "lo", "sfwft1" });
		expect_txn_flowtables("lo in two flowtables", 2, other, lo2);
		expect_txn_flowtables("9 flowtables", 9, nine, devs9);
	}
	start(family, SFW_CMD_RULESET_BEGIN, 0);
	expect_ok("begin", SFW_CMD_RULESET_BEGIN);
	start(family, SFW_CMD_RULESET_ADD, 0);
	put_u32(SFW_A_FLOWTABLE, 1);
	expect_error("a flowtable that is not a nest", SFW_CMD_RULESET_ADD);
	start(family, SFW_CMD_RULESET_ABORT, 0);
	talk();

	/* The transaction's misuses. */
	start(family, SFW_CMD_RULESET_ADD, 0);
	expect_error("add without a transaction", SFW_CMD_RULESET_ADD);
	start(family, SFW_CMD_RULESET_COMMIT, 0);
	expect_error("commit without a transaction", SFW_CMD_RULESET_COMMIT);
	start(family, SFW_CMD_RULESET_ABORT, 0);
	expect_error("abort without a transaction", SFW_CMD_RULESET_ABORT);
	start(family, SFW_CMD_RULESET_BEGIN, 0);
	expect_ok("begin", SFW_CMD_RULESET_BEGIN);
	start(family, SFW_CMD_RULESET_BEGIN, 0);
	expect_error("a second begin", SFW_CMD_RULESET_BEGIN);
	start(family, SFW_CMD_RULESET_ABORT, 0);
	expect_ok("abort", SFW_CMD_RULESET_ABORT);
	start(family, SFW_CMD_RULESET_BEGIN, 0);
	expect_ok("begin", SFW_CMD_RULESET_BEGIN);
	start(family, SFW_CMD_RULESET_ADD, 0);
	n = nest_start(SFW_A_RULE);
	put_u8(SFW_RULE_A_CHAIN, SFW_CHAIN_ID_INPUT);
	put_u32(SFW_RULE_A_POS, 1);
	put_u8(SFW_RULE_A_ACTION, SFW_RULE_ACT_ACCEPT);
	nest_end(n);
	expect_error("a position in a transaction", SFW_CMD_RULESET_ADD);
	start(family, SFW_CMD_RULESET_BEGIN, 0);
	expect_ok("begin", SFW_CMD_RULESET_BEGIN);
	start(family, SFW_CMD_RULESET_COMMIT, 0);
	put_u32(SFW_A_COMMIT_FLAGS, SFW_COMMIT_F_ALL + 1);
	expect_error("unknown commit flag", SFW_CMD_RULESET_COMMIT);
	start(family, SFW_CMD_RULESET_ABORT, 0);
	talk();

	/* Single rules: positions, generations and what a delete takes. */
	load_base();
	start(family, SFW_CMD_RULE_ADD, 0);
	n = nest_start(SFW_A_RULE);
	put_u8(SFW_RULE_A_CHAIN, SFW_CHAIN_ID_INPUT);
	put_u8(SFW_RULE_A_ACTION, SFW_RULE_ACT_ACCEPT);
	nest_end(n);
	put_u64(SFW_A_GENERATION, 1ULL << 60);
	expect_error("rule add with a stale generation", SFW_CMD_RULE_ADD);
	for (i = 0; i < 2; i++) {
		start(family, rule_cmds[i], 0);
		n = nest_start(SFW_A_RULE);
		put_u8(SFW_RULE_A_CHAIN, SFW_CHAIN_ID_INPUT);
		put_u32(SFW_RULE_A_POS, 99);
		put_u8(SFW_RULE_A_ACTION, SFW_RULE_ACT_ACCEPT);
		nest_end(n);
		expect_error("rule at position 99 of 2", rule_cmds[i]);
	}
	start(family, SFW_CMD_RULE_DEL, 0);
	n = nest_start(SFW_A_RULE);
	put_u8(SFW_RULE_A_CHAIN, SFW_CHAIN_ID_INPUT);
	put_u32(SFW_RULE_A_POS, 99);
	nest_end(n);
	expect_error("delete of rule 99 of 2", SFW_CMD_RULE_DEL);
	start(family, SFW_CMD_RULE_DEL, 0);
	n = nest_start(SFW_A_RULE);
	put_u8(SFW_RULE_A_CHAIN, SFW_CHAIN_ID_INPUT);
	nest_end(n);
	expect_error("delete without a position", SFW_CMD_RULE_DEL);
	start(family, SFW_CMD_RULE_DEL, 0);
	n = nest_start(SFW_A_RULE);
	put_u8(SFW_RULE_A_CHAIN, SFW_CHAIN_ID_INPUT);
	put_u32(SFW_RULE_A_POS, 1);
	put_u8(SFW_RULE_A_L4, 6);
	nest_end(n);
	expect_error("delete with a match", SFW_CMD_RULE_DEL);
	start(family, SFW_CMD_SET_ADD, 0);
	n = nest_start(SFW_A_SET);
	put_str(SFW_SET_A_NAME, "nosuch");
	nest_end(n);
	expect_error("set add to no such set", SFW_CMD_SET_ADD);
	start(family, SFW_CMD_SET_GET, NLM_F_DUMP);
	n = nest_start(SFW_A_SET);
	put_str(SFW_SET_A_NAME, "nosuch");
	nest_end(n);
	expect_error("set get of no such set", SFW_CMD_SET_GET);
	load_base();	/* what the cases above may have changed */
}

static uint32_t rnd_state;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static void random_attrs(int depth, size_t budget)
{
	int i, count = rnd() % 6;

	for (i = 0; i < count && len + 64 < sizeof(msg) / 2 && budget > 64; i++) {
		/* Top-level types, then any a nest of the API has. */
		uint16_t type = rnd() % (depth ? SFW_RULE_A_MAX + 2 : SFW_A_MAX + 2);
		unsigned char data[40];
		size_t dlen = rnd() % 20, j;

		if (depth < 4 && rnd() % 3 == 0) {
			size_t n = nest_start(type);

			random_attrs(depth + 1, budget / 2);
			nest_end(n);
			continue;
		}
		for (j = 0; j < dlen; j++)
			data[j] = rnd() % 4 ? rnd() % 4 : rnd();
		if (rnd() % 20 == 0)
			put_raw(type, rnd() % 64, data, dlen);
		else
			put(type, data, dlen);
	}
}

/*
 * Mostly-valid rule, set and chain nests with random damage: right
 * attribute types with values in and out of range, now and then a wrong
 * length or an unknown type, so that most get past the policies into
 * the rule and set code.
 */
static uint32_t pick(uint32_t valid_below)
{
	return rnd() % 8 ? rnd() % valid_below : rnd();
}

static void random_addr(uint16_t type)
{
	size_t n = nest_start(type);
	unsigned char a[16];
	unsigned int i;
	int v6 = rnd() % 2;

	for (i = 0; i < 16; i++)
		a[i] = rnd() % 3 ? 0 : rnd();
	if (rnd() % 16)
		put(v6 ? SFW_ADDR_A_V6 : SFW_ADDR_A_V4, a, v6 ? 16 : 4);
	else
		put(rnd() % (SFW_ADDR_A_MAX + 2), a, rnd() % 17);
	if (rnd() % 2)
		put_u8(SFW_ADDR_A_LEN, pick(v6 ? 129 : 33));
	nest_end(n);
}

static void random_ports(uint16_t type)
{
	size_t n = nest_start(type), r;
	int i, count = rnd() % 16 ? rnd() % 4 : rnd() % (SFW_RULE_PORTS_MAX + 8);

	for (i = 0; i < count; i++) {
		r = nest_start(rnd() % 32 ? SFW_PORTS_A_RANGE : rnd() % 4);
		if (rnd() % 8)
			put_u16(SFW_RANGE_A_LO, htons(pick(1024)));
		if (rnd() % 2)
			put_u16(SFW_RANGE_A_HI, htons(pick(2048)));
		nest_end(r);
	}
	nest_end(n);
}

static void random_rule(int with_pos)
{
	static const uint8_t l4[] = { 6, 17, 1, 58, 47, 0 };
	static const char *const names[] = { "s1", "s2", "nosuch", "", "lo", "g0" };
	size_t n = nest_start(SFW_A_RULE);

	if (rnd() % 16)
		put_u8(SFW_RULE_A_CHAIN, pick(SFW_CHAIN_ID_MAX + 1));
	if (with_pos || rnd() % 16 == 0)
		put_u32(SFW_RULE_A_POS, pick(5));
	if (rnd() % 4 == 0)
		put_u8(SFW_RULE_A_FAMILY, rnd() % 2 ? 2 : 10);
	if (rnd() % 2)
		put_u8(SFW_RULE_A_L4, rnd() % 8 ? l4[rnd() % 6] : rnd());
	if (rnd() % 6 == 0)
		put_str(rnd() % 2 ? SFW_RULE_A_IIF : SFW_RULE_A_OIF, names[rnd() % 6]);
	if (rnd() % 4 == 0)
		random_addr(rnd() % 2 ? SFW_RULE_A_SADDR : SFW_RULE_A_DADDR);
	if (rnd() % 6 == 0)
		put_str(rnd() % 2 ? SFW_RULE_A_SADDR_SET : SFW_RULE_A_DADDR_SET, names[rnd() % 3]);
	if (rnd() % 3 == 0)
		random_ports(rnd() % 2 ? SFW_RULE_A_SPORTS : SFW_RULE_A_DPORTS);
	if (rnd() % 6 == 0)
		put_u8(SFW_RULE_A_ICMP_TYPE, pick(256));
	if (rnd() % 3 == 0)
		put_u8(SFW_RULE_A_CT_STATE, pick(SFW_CT_STATE_F_ALL + 1));
	if (rnd() % 16)
		put_u8(SFW_RULE_A_ACTION, pick(SFW_RULE_ACT_MAX + 1));
	if (rnd() % 8 == 0)
		put(SFW_RULE_A_LOG, NULL, 0);
	if (rnd() % 8 == 0)
		put_str(SFW_RULE_A_LOG_PREFIX, rnd() % 4 ? "p" : long32);
	if (rnd() % 32 == 0)
		put_u64(SFW_RULE_A_PACKETS + rnd() % 3, rnd());
	if (rnd() % 8 == 0)
		put_str(SFW_RULE_A_FLOW_ADD, rnd() % 8 ? "ft" : names[rnd() % 4]);
	nest_end(n);
}

static void random_set(void)
{
	static const char *const names[] = { "s1", "s2", "s3", "", long32 };
	size_t n = nest_start(SFW_A_SET), e;
	int i, count = rnd() % 8 ? rnd() % 6 : rnd() % 300;

	if (rnd() % 16)
		put_str(SFW_SET_A_NAME, names[rnd() % 8 ? rnd() % 3 : rnd() % 5]);
	if (rnd() % 16) {
		e = nest_start(SFW_SET_A_ELEMS);
		for (i = 0; i < count; i++)
			random_addr(rnd() % 32 ? SFW_ELEMS_A_ADDR : rnd() % 4);
		nest_end(e);
	}
	nest_end(n);
}

/* A flowtable, mostly "ft" of lo and devices that may not exist. */
static void random_flowtable(void)
{
	static const char *const names[] = { "ft", "f2", "", long32 };
	static const char *const devs[] = { "lo", "g0", "g1", "sfwnosuchdev", "", long16 };
	size_t n = nest_start(SFW_A_FLOWTABLE), d;
	int i, count = rnd() % 8 ? 1 + rnd() % 3 : rnd() % 40;

	if (rnd() % 16)
		put_str(SFW_FLOWTABLE_A_NAME, names[rnd() % 8 ? rnd() % 2 : rnd() % 4]);
	if (rnd() % 16) {
		d = nest_start(SFW_FLOWTABLE_A_DEVS);
		for (i = 0; i < count; i++)
			put_str(rnd() % 32 ? SFW_FLOWTABLE_A_DEV : rnd() % 4,
				devs[rnd() % 4 ? rnd() % 3 : rnd() % 6]);
		nest_end(d);
	}
	nest_end(n);
}

static void random_chain(void)
{
	size_t n = nest_start(SFW_A_CHAIN);

	if (rnd() % 16)
		put_u8(SFW_CHAIN_A_ID, pick(SFW_CHAIN_ID_MAX + 1));
	if (rnd() % 4)
		put_u8(SFW_CHAIN_A_POLICY, pick(2));
	nest_end(n);
}

/* One random message; its command is returned for the report. */
static int random_message(void)
{
	static const uint8_t rule_cmds[] = { SFW_CMD_RULE_ADD, SFW_CMD_RULE_INSERT, SFW_CMD_RULE_DEL };
	static const uint8_t set_cmds[] = { SFW_CMD_SET_ADD, SFW_CMD_SET_DEL, SFW_CMD_SET_GET };
	int cmd, i;

	switch (rnd() % 6) {
	case 0:
	case 1:	/* anything at all, to any command number */
		cmd = rnd() % (SFW_CMD_MAX + 3);
		start(family, cmd, rnd() % 4 == 0 ? NLM_F_DUMP : 0);
		if (rnd() % 50 == 0)
			((struct genlmsghdr *)(msg + NLMSG_HDRLEN))->reserved = rnd();
		random_attrs(0, sizeof(msg) / 2);
		return cmd;
	case 2:	/* one rule */
		cmd = rule_cmds[rnd() % 3];
		start(family, cmd, 0);
		random_rule(rnd() % 2);
		if (rnd() % 4 == 0)
			put_u64(SFW_A_GENERATION, rnd() % 64);
		return cmd;
	case 3:	/* a set's elements, or a set dump */
		cmd = set_cmds[rnd() % 3];
		start(family, cmd, cmd == SFW_CMD_SET_GET ? NLM_F_DUMP : 0);
		random_set();
		return cmd;
	default: /* a step of a transaction, in a plausible order */
		cmd = (int[]){ SFW_CMD_RULESET_BEGIN, SFW_CMD_RULESET_ADD, SFW_CMD_RULESET_ADD,
			       SFW_CMD_RULESET_ADD, SFW_CMD_RULESET_COMMIT, SFW_CMD_RULESET_ABORT,
			       SFW_CMD_RULESET_GET, SFW_CMD_RULESET_FLUSH, SFW_CMD_COUNTERS_RESET }[rnd() % 9];
		start(family, cmd, cmd == SFW_CMD_RULESET_GET ? NLM_F_DUMP : 0);
		if (cmd == SFW_CMD_RULESET_BEGIN || cmd == SFW_CMD_RULESET_ADD)
			for (i = rnd() % 3; i > 0; i--)
				random_chain();
		if (cmd == SFW_CMD_RULESET_ADD) {
			for (i = rnd() % 6; i > 0; i--)
				random_rule(0);
			for (i = rnd() % 3; i > 0; i--)
				random_set();
			for (i = rnd() % 4 ? 0 : 1 + rnd() % 2; i > 0; i--)
				random_flowtable();
		}
		if (cmd == SFW_CMD_RULESET_COMMIT && rnd() % 2)
			put_u32(SFW_A_COMMIT_FLAGS, pick(SFW_COMMIT_F_ALL + 1));
		return cmd;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { 5, 0 };
	long count = 2000, accepted = 0, i;
	int opt, one = 1;
	unsigned int seed = 1;

	while ((opt = getopt(argc, argv, "n:s:v")) != -1) {
		if (opt == 'n')
			count = atol(optarg);
		else if (opt == 's')
			seed = atoi(optarg);
		else if (opt == 'v')
			verbose = 1;
		else
			return 2;
	}
	rnd_state = seed ? seed : 1;
	fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("sfw-nlfuzz: netlink socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	family = resolve();
	if (!family) {
		fprintf(stderr, "sfw-nlfuzz: no sfw family\n");
		return 4;
	}
	/* The ops list was read: CT_GET is a dump, CT_DEL is not. */
	if (!has_dump(SFW_CMD_CT_GET) || has_dump(SFW_CMD_CT_DEL)) {
		printf("FAIL: the family's op list says CT_GET has %sdump, CT_DEL %s\n",
		       has_dump(SFW_CMD_CT_GET) ? "a " : "no ",
		       has_dump(SFW_CMD_CT_DEL) ? "has one" : "none");
		return 1;
	}

	init_cmds();
	fixed();
	fixed_rules();
	printf("fixed: %d requests to %u command numbers, %d failed\n", sent, ncmds, failures);

	for (i = 0; i < count; i++) {
		int cmd = random_message(), ret;

		ret = talk();
		accepted += ret == 0;
		if (ret == 1) {
			printf("FAIL: random message %ld (cmd %d, %zu bytes): no answer\n", i, cmd, len);
			failures++;
		}
	}
	/* How many got past the policies and the checks: the code beyond. */
	printf("random: %ld messages (seed %u), %ld accepted\n", count, seed, accepted);
	return failures ? 1 : 0;
}
