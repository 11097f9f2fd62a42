// SPDX-License-Identifier: GPL-2.0
/*
 * sfw-nlfuzz: send malformed requests to every command of the "sfw"
 * generic netlink family and check that each one is refused.
 *
 * Part 1 is a fixed list of malformed requests, each sent to every command
 * (and to command numbers the family does not have): unknown and type-0
 * attributes, attribute lengths below the header or beyond the message,
 * wrong lengths for a type, unknown attributes inside nests, values out
 * of range, nests 200 deep, a nest of 8000 attributes, a non-zero reserved
 * header byte, a missing genl header, NLM_F_DUMP where there is no dump.
 * Every one must get an error (a non-zero NLMSG_ERROR).
 * Part 2 sends N random messages (random commands, flags, attribute
 * trees) and only requires an answer to each: the kernel log is the
 * verdict there (the VM runner fails a test on any WARNING/BUG/KASAN).
 *
 * usage: sfw-nlfuzz [-n RANDOM_COUNT] [-s SEED] [-v]
 * Exit: 0 all refused, 1 some malformed request was accepted or got no
 * answer, 4 the family is not there. libc only.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
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
static void put_u32(uint16_t type, uint32_t v) { put(type, &v, 4); }
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
			if (nlh->nlmsg_type == NLMSG_DONE)
				return 0;
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

static uint16_t resolve(void)
{
	struct nlmsghdr *nlh;
	struct nlattr *a;
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
	     rem -= ALIGN4(a->nla_len), a = (struct nlattr *)((char *)a + ALIGN4(a->nla_len)))
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			return *(uint16_t *)(a + 1);
	return 0;
}

static const int cmds[] = {
	SFW_CMD_UNSPEC, SFW_CMD_CT_GET, SFW_CMD_CT_DEL, SFW_CMD_CT_FLUSH, SFW_CMD_STATS_GET,
	SFW_CMD_CONFIG_GET, SFW_CMD_CONFIG_SET, SFW_CMD_CT_EVENT, SFW_CMD_MAX + 1, 200, 255,
};

static void fixed(void)
{
	static unsigned char junk[8000 * 8];
	unsigned int c, i;
	size_t n, m;

	for (c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
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

		if (cmd != SFW_CMD_CT_GET) {
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
		uint16_t type = rnd() % 16;
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

int main(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { 5, 0 };
	long count = 2000, i;
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

	fixed();
	printf("fixed: %d malformed requests, %d accepted\n", sent, failures);

	for (i = 0; i < count; i++) {
		int cmd = rnd() % 10, ret;

		start(family, cmd, rnd() % 4 == 0 ? NLM_F_DUMP : 0);
		if (rnd() % 50 == 0)
			((struct genlmsghdr *)(msg + NLMSG_HDRLEN))->reserved = rnd();
		random_attrs(0, sizeof(msg) / 2);
		ret = talk();
		if (ret == 1) {
			printf("FAIL: random message %ld (cmd %d, %zu bytes): no answer\n", i, cmd, len);
			failures++;
		}
	}
	printf("random: %ld messages (seed %u)\n", count, seed);
	return failures ? 1 : 0;
}
