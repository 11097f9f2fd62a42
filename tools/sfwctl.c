// SPDX-License-Identifier: GPL-2.0
/*
 * sfwctl: control tool for the sfw stateful firewall.
 *
 * Subcommands are dispatched through one table. An unknown word is a
 * usage error (exit 2); a kernel error prints the kernel's extended ACK
 * message and exits 1. Requests go over generic netlink (libmnl) to the
 * family "sfw" (include/uapi/linux/sfw.h); replies are parsed one nest
 * level at a time with mnl_attr_parse() and a callback per level that
 * checks each attribute's type.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/sfw.h>

#include "sfwctl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *tcp_states[] = {
	"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
	"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2",
};

/* ---- errors ---- */

void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("sfwctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (sfwctl help)\n", stderr);
	exit(2);
}

void die(const char *fmt, ...)
{
	va_list ap;

	fputs("sfwctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* ---- the netlink connection ---- */

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct nl *nl = data;
	const struct nlattr *attr;
	unsigned int off;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!err->error)
		return MNL_CB_STOP;
	errno = -err->error;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		off = sizeof(*err);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
		mnl_attr_for_each(attr, nlh, off) {
			if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
			    !mnl_attr_validate(attr, MNL_TYPE_NUL_STRING))
				snprintf(nl->errmsg, sizeof(nl->errmsg), "%s",
					 mnl_attr_get_str(attr));
		}
	}
	return MNL_CB_ERROR;
}

static int noop_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_STOP;
}

struct nlmsghdr *msg_start(struct nl *nl, uint16_t type, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = SFW_GENL_VERSION;
	return nlh;
}

/* Error callbacks get struct nl; pass it along through this. */
struct talk {
	struct nl *nl;
	msg_cb cb;
	void *data;
};

/* Replies received, for SFWCTL_VERBOSE (the dump test reports them). */
static unsigned long replies, reply_bytes, datagrams;

static int talk_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;

	replies++;
	reply_bytes += nlh->nlmsg_len;

	return t->cb ? t->cb(nlh, t->data) : MNL_CB_OK;
}

static int talk_error_cb(const struct nlmsghdr *nlh, void *data)
{
	return error_cb(nlh, ((struct talk *)data)->nl);
}

int request(struct nl *nl, struct nlmsghdr *nlh, msg_cb cb, void *data)
{
	struct talk t = { nl, cb, data };
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_NOOP] = noop_cb,
		[NLMSG_ERROR] = talk_error_cb,
		[NLMSG_DONE] = done_cb,
		[NLMSG_OVERRUN] = noop_cb,
	};
	unsigned int seq = nlh->nlmsg_seq;
	int ret;

	nl->errmsg[0] = 0;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		die("send: %s", strerror(errno));
	for (;;) {
		ret = mnl_socket_recvfrom(nl->sock, nl->buf, RECV_BUF);
		if (ret < 0)
			return -1;
		datagrams++;
		ret = mnl_cb_run2(nl->buf, ret, seq, nl->portid, talk_cb, &t,
				  ctl, ARRAY_SIZE(ctl));
		if (ret == MNL_CB_ERROR)
			return -1;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

/* A request the kernel refused: its message, then exit 1. */
void kernel_error(struct nl *nl, const char *what)
{
	if (nl->errmsg[0])
		die("%s: %s (%s)", what, nl->errmsg, strerror(errno));
	die("%s: %s", what, strerror(errno));
}

struct family_info {
	uint16_t id;
	uint32_t group;
};

static int mcgrp_cb(const struct nlattr *attr, void *data)
{
	struct family_info *fi = data;
	const struct nlattr *a;
	const char *name = NULL;
	uint32_t id = 0;

	mnl_attr_for_each_nested(a, attr) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME &&
		    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
			name = mnl_attr_get_str(a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID &&
			 !mnl_attr_validate(a, MNL_TYPE_U32))
			id = mnl_attr_get_u32(a);
	}
	if (name && !strcmp(name, SFW_GENL_MCGRP_EVENTS))
		fi->group = id;
	return MNL_CB_OK;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct family_info *fi = data;
	const struct nlattr *a;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		fi->id = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		mnl_attr_for_each_nested(a, attr)
			mcgrp_cb(a, fi);
		break;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb, data);
}

static void nl_open(struct nl *nl)
{
	struct family_info fi = {};
	struct nlmsghdr *nlh;
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->buf = malloc(RECV_BUF);
	if (!nl->buf)
		die("out of memory");
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock)
		die("netlink socket: %s", strerror(errno));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink bind: %s", strerror(errno));
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = time(NULL);

	nlh = msg_start(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_ACK);
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, SFW_GENL_NAME);
	if (request(nl, nlh, family_cb, &fi) < 0 || !fi.id) {
		if (errno == ENOENT || !fi.id)
			die("sfw module not loaded");
		kernel_error(nl, "resolving the sfw family");
	}
	nl->family = fi.id;
	nl->events_group = fi.group;
}

/* Commands parse their arguments first, then open: a usage error wins. */
void nl_ready(struct nl *nl)
{
	if (!nl->sock)
		nl_open(nl);
}

/* ---- options ---- */

bool json;

struct opts {
	/* tuple / filter */
	int l3;			/* 0: any */
	int l4;			/* -1: any */
	int state;		/* -1: any */
	bool has_src, has_dst;
	int src_len, dst_len;	/* -1: a host address */
	unsigned char src[16], dst[16];
	int src_l3, dst_l3;
	long sport, dport, port, type, code, id;	/* -1: not given */
	bool extended;
};

static void opts_init(struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->l4 = o->state = -1;
	o->src_len = o->dst_len = -1;
	o->sport = o->dport = o->port = o->type = o->code = o->id = -1;
}

static long number(const char *opt, const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || end == s || v < 0 || v > max)
		usage_error("%s: '%s' is not a number from 0 to %ld", opt, s, max);
	return v;
}

static int proto_number(const char *s)
{
	static const struct { const char *name; int num; } p[] = {
		{ "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "icmpv6", 58 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(p); i++)
		if (!strcmp(s, p[i].name))
			return p[i].num;
	return number("-p", s, 255);
}

static const char *proto_name(int p)
{
	switch (p) {
	case 6: return "tcp";
	case 17: return "udp";
	case 1: return "icmp";
	case 58: return "icmpv6";
	default: return "unknown";
	}
}

static void parse_addr(const char *opt, const char *arg, unsigned char *a, int *l3, int *len)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;

	snprintf(buf, sizeof(buf), "%s", arg);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = 0;
	memset(a, 0, 16);
	if (inet_pton(AF_INET, buf, a) == 1)
		*l3 = AF_INET;
	else if (inet_pton(AF_INET6, buf, a) == 1)
		*l3 = AF_INET6;
	else
		usage_error("%s: '%s' is not an IPv4 or IPv6 address", opt, arg);
	*len = slash ? number(opt, slash, *l3 == AF_INET ? 32 : 128) : -1;
}

static bool value_option(const char *a)
{
	static const char *const names[] = {
		"-f", "--family", "-p", "--proto", "-s", "--src", "-d", "--dst", "--sport",
		"--dport", "--port", "--type", "--code", "--id", "--state",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(a, names[i]))
			return true;
	return false;
}

/*
 * The options of ct list/get/delete; @allowed names the letters this
 * command takes beyond the filter: 'o' (-o extended), 'j' (-j).
 */
static void parse_opts(struct opts *o, int argc, char **argv, const char *cmd,
		       const char *allowed, void (*help)(void))
{
	int i;

	opts_init(o);
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = true;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			help();
			exit(0);
		} else if (!strcmp(a, "-j") && strchr(allowed, 'j')) {
			json = true;
			takes = false;
		} else if (!strcmp(a, "-o") && strchr(allowed, 'o')) {
			if (!v || strcmp(v, "extended"))
				usage_error("%s: -o takes 'extended'", cmd);
			o->extended = true;
		} else if (!value_option(a)) {
			usage_error("%s: unknown argument '%s'", cmd, a);
		} else if (!v) {
			usage_error("%s: %s needs a value", cmd, a);
		} else if (!strcmp(a, "-f") || !strcmp(a, "--family")) {
			if (!strcmp(v, "ipv4"))
				o->l3 = AF_INET;
			else if (!strcmp(v, "ipv6"))
				o->l3 = AF_INET6;
			else
				usage_error("%s: -f takes ipv4 or ipv6", cmd);
		} else if (!strcmp(a, "-p") || !strcmp(a, "--proto")) {
			o->l4 = proto_number(v);
		} else if (!strcmp(a, "-s") || !strcmp(a, "--src")) {
			parse_addr(a, v, o->src, &o->src_l3, &o->src_len);
			o->has_src = true;
		} else if (!strcmp(a, "-d") || !strcmp(a, "--dst")) {
			parse_addr(a, v, o->dst, &o->dst_l3, &o->dst_len);
			o->has_dst = true;
		} else if (!strcmp(a, "--sport")) {
			o->sport = number(a, v, 65535);
		} else if (!strcmp(a, "--dport")) {
			o->dport = number(a, v, 65535);
		} else if (!strcmp(a, "--port")) {
			o->port = number(a, v, 65535);
		} else if (!strcmp(a, "--type")) {
			o->type = number(a, v, 255);
		} else if (!strcmp(a, "--code")) {
			o->code = number(a, v, 255);
		} else if (!strcmp(a, "--id")) {
			o->id = number(a, v, 65535);
		} else if (!strcmp(a, "--state")) {
			size_t s;

			for (s = 0; s < ARRAY_SIZE(tcp_states); s++)
				if (!strcasecmp(v, tcp_states[s]))
					break;
			if (s == ARRAY_SIZE(tcp_states))
				usage_error("%s: unknown TCP state '%s'", cmd, v);
			o->state = s;
		} else {
			usage_error("%s: unknown argument '%s'", cmd, a);
		}
		if (takes)
			i++;
	}
	if (o->has_src && o->has_dst && o->src_l3 != o->dst_l3)
		usage_error("%s: -s and -d are of different families", cmd);
	if (!o->l3 && (o->has_src || o->has_dst))
		o->l3 = o->has_src ? o->src_l3 : o->dst_l3;
	if ((o->has_src && o->src_l3 != o->l3) || (o->has_dst && o->dst_l3 != o->l3))
		usage_error("%s: address of another family than -f", cmd);
}

static bool is_icmp(int l3, int l4)
{
	return (l3 == AF_INET && l4 == 1) || (l3 == AF_INET6 && l4 == 58);
}

/* Do the options name one connection exactly? */
static bool opts_tuple_complete(const struct opts *o)
{
	if (!o->has_src || !o->has_dst || o->src_len >= 0 || o->dst_len >= 0 || o->l4 < 0)
		return false;
	if (o->l4 == 6 || o->l4 == 17)
		return o->sport >= 0 && o->dport >= 0;
	if (is_icmp(o->l3, o->l4))
		return o->type >= 0 && o->code >= 0 && o->id >= 0;
	return true;
}

static void put_tuple(struct nlmsghdr *nlh, const struct opts *o)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SFW_A_TUPLE);
	bool v4 = o->l3 == AF_INET;

	mnl_attr_put_u8(nlh, SFW_TUPLE_A_L3, o->l3);
	mnl_attr_put_u8(nlh, SFW_TUPLE_A_L4, o->l4);
	mnl_attr_put(nlh, v4 ? SFW_TUPLE_A_SRC_V4 : SFW_TUPLE_A_SRC_V6, v4 ? 4 : 16, o->src);
	mnl_attr_put(nlh, v4 ? SFW_TUPLE_A_DST_V4 : SFW_TUPLE_A_DST_V6, v4 ? 4 : 16, o->dst);
	if (o->l4 == 6 || o->l4 == 17) {
		mnl_attr_put_u16(nlh, SFW_TUPLE_A_SPORT, htons(o->sport));
		mnl_attr_put_u16(nlh, SFW_TUPLE_A_DPORT, htons(o->dport));
	} else if (is_icmp(o->l3, o->l4)) {
		mnl_attr_put_u8(nlh, SFW_TUPLE_A_ICMP_TYPE, o->type);
		mnl_attr_put_u8(nlh, SFW_TUPLE_A_ICMP_CODE, o->code);
		mnl_attr_put_u16(nlh, SFW_TUPLE_A_ICMP_ID, htons(o->id));
	}
	mnl_attr_nest_end(nlh, nest);
}

static void put_filter(struct nlmsghdr *nlh, const struct opts *o)
{
	struct nlattr *nest;

	if (o->type >= 0 || o->code >= 0 || o->id >= 0)
		usage_error("--type, --code and --id name one ICMP connection: give -p, -s, -d too");
	nest = mnl_attr_nest_start(nlh, SFW_A_FILTER);
	if (o->l3)
		mnl_attr_put_u8(nlh, SFW_FILTER_A_L3, o->l3);
	if (o->l4 >= 0)
		mnl_attr_put_u8(nlh, SFW_FILTER_A_L4, o->l4);
	if (o->state >= 0)
		mnl_attr_put_u8(nlh, SFW_FILTER_A_TCP_STATE, o->state);
	if (o->has_src) {
		mnl_attr_put(nlh, o->l3 == AF_INET ? SFW_FILTER_A_SRC_V4 : SFW_FILTER_A_SRC_V6,
			     o->l3 == AF_INET ? 4 : 16, o->src);
		if (o->src_len >= 0)
			mnl_attr_put_u8(nlh, SFW_FILTER_A_SRC_PREFIX, o->src_len);
	}
	if (o->has_dst) {
		mnl_attr_put(nlh, o->l3 == AF_INET ? SFW_FILTER_A_DST_V4 : SFW_FILTER_A_DST_V6,
			     o->l3 == AF_INET ? 4 : 16, o->dst);
		if (o->dst_len >= 0)
			mnl_attr_put_u8(nlh, SFW_FILTER_A_DST_PREFIX, o->dst_len);
	}
	if (o->sport >= 0)
		mnl_attr_put_u16(nlh, SFW_FILTER_A_SPORT, htons(o->sport));
	if (o->dport >= 0)
		mnl_attr_put_u16(nlh, SFW_FILTER_A_DPORT, htons(o->dport));
	if (o->port >= 0)
		mnl_attr_put_u16(nlh, SFW_FILTER_A_PORT, htons(o->port));
	mnl_attr_nest_end(nlh, nest);
}

/* ---- replies: one callback per nest level ---- */

struct tuple {
	int l3, l4;
	unsigned char src[16], dst[16];
	uint16_t sport, dport, id;
	uint8_t type, code;
};

struct conn {
	struct tuple t[2];
	uint32_t status, timeout;
	int state;			/* -1: none */
	uint64_t packets[2], bytes[2];
	int event;
	uint32_t seq;
	char reason[32];		/* DESTROY: why it went; "" if not said */
	bool has_ct;
};

static const enum mnl_attr_data_type tuple_types[SFW_TUPLE_A_MAX + 1] = {
	[SFW_TUPLE_A_L3] = MNL_TYPE_U8,
	[SFW_TUPLE_A_L4] = MNL_TYPE_U8,
	[SFW_TUPLE_A_SRC_V4] = MNL_TYPE_BINARY,
	[SFW_TUPLE_A_DST_V4] = MNL_TYPE_BINARY,
	[SFW_TUPLE_A_SRC_V6] = MNL_TYPE_BINARY,
	[SFW_TUPLE_A_DST_V6] = MNL_TYPE_BINARY,
	[SFW_TUPLE_A_SPORT] = MNL_TYPE_U16,
	[SFW_TUPLE_A_DPORT] = MNL_TYPE_U16,
	[SFW_TUPLE_A_ICMP_TYPE] = MNL_TYPE_U8,
	[SFW_TUPLE_A_ICMP_CODE] = MNL_TYPE_U8,
	[SFW_TUPLE_A_ICMP_ID] = MNL_TYPE_U16,
};

static int tuple_attr_cb(const struct nlattr *attr, void *data)
{
	struct tuple *t = data;
	int type = mnl_attr_get_type(attr);
	size_t len = mnl_attr_get_payload_len(attr);

	if (type > SFW_TUPLE_A_MAX)
		return MNL_CB_OK;	/* newer kernel */
	if (mnl_attr_validate(attr, tuple_types[type]) < 0)
		return MNL_CB_ERROR;
	switch (type) {
	case SFW_TUPLE_A_L3: t->l3 = mnl_attr_get_u8(attr); break;
	case SFW_TUPLE_A_L4: t->l4 = mnl_attr_get_u8(attr); break;
	case SFW_TUPLE_A_SRC_V4:
	case SFW_TUPLE_A_SRC_V6:
		memcpy(t->src, mnl_attr_get_payload(attr), len > 16 ? 16 : len);
		break;
	case SFW_TUPLE_A_DST_V4:
	case SFW_TUPLE_A_DST_V6:
		memcpy(t->dst, mnl_attr_get_payload(attr), len > 16 ? 16 : len);
		break;
	case SFW_TUPLE_A_SPORT: t->sport = ntohs(mnl_attr_get_u16(attr)); break;
	case SFW_TUPLE_A_DPORT: t->dport = ntohs(mnl_attr_get_u16(attr)); break;
	case SFW_TUPLE_A_ICMP_TYPE: t->type = mnl_attr_get_u8(attr); break;
	case SFW_TUPLE_A_ICMP_CODE: t->code = mnl_attr_get_u8(attr); break;
	case SFW_TUPLE_A_ICMP_ID: t->id = ntohs(mnl_attr_get_u16(attr)); break;
	}
	return MNL_CB_OK;
}

static const enum mnl_attr_data_type ct_types[SFW_CT_A_MAX + 1] = {
	[SFW_CT_A_ORIG] = MNL_TYPE_NESTED,
	[SFW_CT_A_REPLY] = MNL_TYPE_NESTED,
	[SFW_CT_A_STATUS] = MNL_TYPE_U32,
	[SFW_CT_A_TIMEOUT] = MNL_TYPE_U32,
	[SFW_CT_A_TCP_STATE] = MNL_TYPE_U8,
	[SFW_CT_A_PACKETS_ORIG] = MNL_TYPE_U64,
	[SFW_CT_A_BYTES_ORIG] = MNL_TYPE_U64,
	[SFW_CT_A_PACKETS_REPLY] = MNL_TYPE_U64,
	[SFW_CT_A_BYTES_REPLY] = MNL_TYPE_U64,
	[SFW_CT_A_PAD] = MNL_TYPE_UNSPEC,
};

static int ct_attr_cb(const struct nlattr *attr, void *data)
{
	struct conn *c = data;
	int type = mnl_attr_get_type(attr);

	if (type > SFW_CT_A_MAX)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, ct_types[type]) < 0)
		return MNL_CB_ERROR;
	switch (type) {
	case SFW_CT_A_ORIG: return mnl_attr_parse_nested(attr, tuple_attr_cb, &c->t[0]);
	case SFW_CT_A_REPLY: return mnl_attr_parse_nested(attr, tuple_attr_cb, &c->t[1]);
	case SFW_CT_A_STATUS: c->status = mnl_attr_get_u32(attr); break;
	case SFW_CT_A_TIMEOUT: c->timeout = mnl_attr_get_u32(attr); break;
	case SFW_CT_A_TCP_STATE: c->state = mnl_attr_get_u8(attr); break;
	case SFW_CT_A_PACKETS_ORIG: c->packets[0] = mnl_attr_get_u64(attr); break;
	case SFW_CT_A_BYTES_ORIG: c->bytes[0] = mnl_attr_get_u64(attr); break;
	case SFW_CT_A_PACKETS_REPLY: c->packets[1] = mnl_attr_get_u64(attr); break;
	case SFW_CT_A_BYTES_REPLY: c->bytes[1] = mnl_attr_get_u64(attr); break;
	}
	return MNL_CB_OK;
}

static int top_conn_cb(const struct nlattr *attr, void *data)
{
	struct conn *c = data;

	switch (mnl_attr_get_type(attr)) {
	case SFW_A_CT:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		c->has_ct = true;
		return mnl_attr_parse_nested(attr, ct_attr_cb, c);
	case SFW_A_EVENT_TYPE:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		c->event = mnl_attr_get_u8(attr);
		break;
	case SFW_A_EVENT_SEQ:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		c->seq = mnl_attr_get_u32(attr);
		break;
	case SFW_A_EVENT_REASON:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		snprintf(c->reason, sizeof(c->reason), "%s", mnl_attr_get_str(attr));
		break;
	}
	return MNL_CB_OK;
}

static int conn_parse(const struct nlmsghdr *nlh, struct conn *c)
{
	memset(c, 0, sizeof(*c));
	c->state = -1;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), top_conn_cb, c) < 0 || !c->has_ct) {
		fprintf(stderr, "sfwctl: malformed message from the kernel\n");
		return -1;
	}
	return 0;
}

/* ---- printing ---- */

static void addr_str(const struct tuple *t, const unsigned char *a, bool full, char *buf)
{
	if (t->l3 == AF_INET) {
		inet_ntop(AF_INET, a, buf, INET6_ADDRSTRLEN);
	} else if (full) {
		/* As /proc prints it (%pI6): every group, four digits. */
		int i;

		for (i = 0; i < 8; i++)
			sprintf(buf + i * 5, "%02x%02x%s", a[2 * i], a[2 * i + 1], i < 7 ? ":" : "");
	} else {
		inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
	}
}

static void print_tuple(const struct tuple *t, bool full)
{
	char s[INET6_ADDRSTRLEN + 8], d[INET6_ADDRSTRLEN + 8];

	addr_str(t, t->src, full, s);
	addr_str(t, t->dst, full, d);
	printf("src=%s dst=%s ", s, d);
	if (t->l4 == 6 || t->l4 == 17)
		printf("sport=%u dport=%u ", t->sport, t->dport);
	else if (is_icmp(t->l3, t->l4))
		printf("type=%u code=%u id=%u ", t->type, t->code, t->id);
}

/* The line of /proc/net/nf_conntrack; without the L3 part unless @extended. */
static void print_conn_line(const struct conn *c, bool extended)
{
	const struct tuple *t = &c->t[0];
	int dir;

	if (extended)
		printf("%-8s %u ", t->l3 == AF_INET ? "ipv4" : "ipv6", t->l3);
	printf("%-8s %u %u ", proto_name(t->l4), t->l4, c->timeout);
	if (c->state >= 0)
		printf("%s ", c->state < (int)ARRAY_SIZE(tcp_states) ? tcp_states[c->state] : "?");
	for (dir = 0; dir < 2; dir++) {
		print_tuple(&c->t[dir], extended);
		printf("packets=%" PRIu64 " bytes=%" PRIu64 " ", c->packets[dir], c->bytes[dir]);
		if (!dir && !(c->status & SFW_CT_S_SEEN_REPLY))
			printf("[UNREPLIED] ");
	}
	if (c->status & SFW_CT_S_ASSURED)
		printf("[ASSURED] ");
	printf("mark=0 zone=0 use=1%s%s\n", c->reason[0] ? " reason=" : "", c->reason);
}

static void json_tuple(const struct tuple *t, uint64_t packets, uint64_t bytes)
{
	char s[INET6_ADDRSTRLEN + 8], d[INET6_ADDRSTRLEN + 8];

	addr_str(t, t->src, false, s);
	addr_str(t, t->dst, false, d);
	printf("{\"src\":\"%s\",\"dst\":\"%s\"", s, d);
	if (t->l4 == 6 || t->l4 == 17)
		printf(",\"sport\":%u,\"dport\":%u", t->sport, t->dport);
	else if (is_icmp(t->l3, t->l4))
		printf(",\"type\":%u,\"code\":%u,\"id\":%u", t->type, t->code, t->id);
	printf(",\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64 "}", packets, bytes);
}

static const char *event_names[] = {
	[SFW_EVENT_NEW] = "NEW", [SFW_EVENT_UPDATE] = "UPDATE", [SFW_EVENT_DESTROY] = "DESTROY",
};

static const char *event_name(int e)
{
	return e > 0 && e <= SFW_EVENT_MAX ? event_names[e] : "EVENT";
}

static void print_conn_json(const struct conn *c)
{
	const struct tuple *t = &c->t[0];

	printf("{");
	if (c->event)
		printf("\"event\":\"%s\",\"seq\":%u,", event_name(c->event), c->seq);
	/* The kernel's reason names are plain words: nothing to escape. */
	if (c->reason[0])
		printf("\"reason\":\"%s\",", c->reason);
	printf("\"l3\":\"%s\",\"l4\":\"%s\",\"l4num\":%u,\"timeout\":%u,",
	       t->l3 == AF_INET ? "ipv4" : "ipv6", proto_name(t->l4), t->l4, c->timeout);
	if (c->state >= 0)
		printf("\"state\":\"%s\",",
		       c->state < (int)ARRAY_SIZE(tcp_states) ? tcp_states[c->state] : "?");
	printf("\"orig\":");
	json_tuple(&c->t[0], c->packets[0], c->bytes[0]);
	printf(",\"reply\":");
	json_tuple(&c->t[1], c->packets[1], c->bytes[1]);
	printf(",\"unreplied\":%s,\"assured\":%s}",
	       c->status & SFW_CT_S_SEEN_REPLY ? "false" : "true",
	       c->status & SFW_CT_S_ASSURED ? "true" : "false");
}

/* ---- ct ---- */

struct list_state {
	unsigned long n;
	bool extended;
};

static int ct_list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct list_state *ls = data;
	struct conn c;

	if (conn_parse(nlh, &c))
		return MNL_CB_ERROR;
	if (json) {
		printf("%s\n", ls->n ? "," : "[");
		print_conn_json(&c);
	} else {
		print_conn_line(&c, ls->extended);
	}
	ls->n++;
	return MNL_CB_OK;
}

static void filter_help(void)
{
	puts("filters (all given must match the original direction):\n"
	     "  -f, --family ipv4|ipv6\n"
	     "  -p, --proto tcp|udp|icmp|icmpv6|NUMBER\n"
	     "  -s, --src ADDR[/PREFIX]     -d, --dst ADDR[/PREFIX]\n"
	     "  --sport PORT  --dport PORT  --port PORT (either)\n"
	     "  --state TCP_STATE (e.g. ESTABLISHED)\n"
	     "a tuple (one connection): -p PROTO -s ADDR -d ADDR and --sport/--dport\n"
	     "  (TCP, UDP) or --type/--code/--id (ICMP, ICMPv6)");
}

static void ct_list_help(void)
{
	puts("usage: sfwctl ct list [filters] [-o extended] [-j]\n"
	     "       sfwctl ct list --expect [filters] [-o extended] [-j]\n"
	     "list tracked connections in conntrack -L's format; -o extended adds\n"
	     "the L3 fields and writes IPv6 addresses in full, as /proc/net/sfw/conntrack.\n"
	     "--expect lists the expectations instead (conntrack -L expect): the data\n"
	     "connections a helper saw announced, not yet opened, one line each as in\n"
	     "/proc/net/sfw/expect, and nat=ADDR:PORT where the announcement was\n"
	     "rewritten; the filters match the expected connection (source port 0)");
	filter_help();
}

static int dump_conns(struct nl *nl, const struct opts *o, bool extended, unsigned long *n)
{
	struct list_state ls = { 0, extended };
	struct nlmsghdr *nlh;

	nl_ready(nl);
	nlh = msg_start(nl, nl->family, SFW_CMD_CT_GET, NLM_F_DUMP);

	if (o)
		put_filter(nlh, o);
	if (request(nl, nlh, ct_list_cb, &ls) < 0)
		return -1;
	*n = ls.n;
	return 0;
}

static int ct_list_expect(struct nl *nl, int argc, char **argv);

static int ct_list(struct nl *nl, int argc, char **argv)
{
	struct opts o;
	unsigned long n;
	int i;

	for (i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--expect")) {
			/* Drop the word; the rest are ct list's options. */
			memmove(argv + i, argv + i + 1, (argc - i - 1) * sizeof(*argv));
			return ct_list_expect(nl, argc - 1, argv);
		}
	parse_opts(&o, argc, argv, "ct list", "oj", ct_list_help);
	if (dump_conns(nl, &o, o.extended, &n) < 0)
		kernel_error(nl, "ct list");
	if (json)
		printf("%s]\n", n ? "\n" : "[");
	fprintf(stderr, "sfwctl: %lu connections shown\n", n);
	if (getenv("SFWCTL_VERBOSE"))
		fprintf(stderr, "sfwctl: %lu netlink messages in %lu datagrams, %lu bytes\n",
			replies, datagrams, reply_bytes);
	return 0;
}

static void ct_get_help(void)
{
	puts("usage: sfwctl ct get TUPLE [-o extended] [-j]\n"
	     "show one connection, found by its original or its reply tuple");
	filter_help();
}

static int ct_get(struct nl *nl, int argc, char **argv)
{
	struct list_state ls = { 0, false };
	struct nlmsghdr *nlh;
	struct opts o;

	parse_opts(&o, argc, argv, "ct get", "oj", ct_get_help);
	if (!opts_tuple_complete(&o))
		usage_error("ct get: give a whole tuple: -p, -s, -d and the ports or ICMP fields");
	ls.extended = o.extended;
	nl_ready(nl);
	nlh = msg_start(nl, nl->family, SFW_CMD_CT_GET, NLM_F_ACK);
	put_tuple(nlh, &o);
	if (request(nl, nlh, ct_list_cb, &ls) < 0)
		kernel_error(nl, "ct get");
	if (json)
		printf("\n]\n");
	return 0;
}

static void ct_delete_help(void)
{
	puts("usage: sfwctl ct delete TUPLE|filters\n"
	     "delete one connection (a whole tuple), or every one the filters match");
	filter_help();
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(attr) == SFW_A_COUNT &&
		    !mnl_attr_validate(attr, MNL_TYPE_U32))
			*(uint32_t *)data = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

static int ct_delete(struct nl *nl, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	uint32_t count = 0;
	struct opts o;

	parse_opts(&o, argc, argv, "ct delete", "", ct_delete_help);
	nl_ready(nl);
	nlh = msg_start(nl, nl->family, SFW_CMD_CT_DEL, NLM_F_ACK);
	if (opts_tuple_complete(&o)) {
		put_tuple(nlh, &o);
	} else {
		if (!o.l3 && o.l4 < 0 && o.state < 0 && o.sport < 0 && o.dport < 0 && o.port < 0)
			usage_error("ct delete: no tuple or filter given (ct flush deletes all)");
		put_filter(nlh, &o);
	}
	if (request(nl, nlh, count_cb, &count) < 0)
		kernel_error(nl, "ct delete");
	fprintf(stderr, "sfwctl: %u connections deleted\n", count);
	return 0;
}

static int ct_flush(struct nl *nl, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	uint32_t count = 0;

	(void)argv;
	if (argc > 0 && (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help"))) {
		puts("usage: sfwctl ct flush\ndelete every connection of the namespace");
		return 0;
	}
	if (argc > 0)
		usage_error("ct flush: unknown argument '%s'", argv[0]);
	nl_ready(nl);
	nlh = msg_start(nl, nl->family, SFW_CMD_CT_FLUSH, NLM_F_ACK);
	if (request(nl, nlh, count_cb, &count) < 0)
		kernel_error(nl, "ct flush");
	fprintf(stderr, "sfwctl: %u connections deleted\n", count);
	return 0;
}

/* ---- ct list --expect ---- */

struct expect {
	struct tuple t, master, nat;
	uint32_t timeout;
	char helper[32];
	bool has_nat, has_expect;
};

static const enum mnl_attr_data_type expect_types[SFW_EXPECT_A_MAX + 1] = {
	[SFW_EXPECT_A_TUPLE] = MNL_TYPE_NESTED,
	[SFW_EXPECT_A_MASTER] = MNL_TYPE_NESTED,
	[SFW_EXPECT_A_NAT_TUPLE] = MNL_TYPE_NESTED,
	[SFW_EXPECT_A_TIMEOUT] = MNL_TYPE_U32,
	[SFW_EXPECT_A_HELPER] = MNL_TYPE_NUL_STRING,
};

static int expect_attr_cb(const struct nlattr *attr, void *data)
{
	struct expect *e = data;
	int type = mnl_attr_get_type(attr);

	if (type > SFW_EXPECT_A_MAX)
		return MNL_CB_OK;	/* newer kernel */
	if (mnl_attr_validate(attr, expect_types[type]) < 0)
		return MNL_CB_ERROR;
	switch (type) {
	case SFW_EXPECT_A_TUPLE: return mnl_attr_parse_nested(attr, tuple_attr_cb, &e->t);
	case SFW_EXPECT_A_MASTER: return mnl_attr_parse_nested(attr, tuple_attr_cb, &e->master);
	case SFW_EXPECT_A_NAT_TUPLE:
		e->has_nat = true;
		return mnl_attr_parse_nested(attr, tuple_attr_cb, &e->nat);
	case SFW_EXPECT_A_TIMEOUT:
		e->timeout = mnl_attr_get_u32(attr);
		break;
	case SFW_EXPECT_A_HELPER:
		snprintf(e->helper, sizeof(e->helper), "%s", mnl_attr_get_str(attr));
		break;
	}
	return MNL_CB_OK;
}

static int top_expect_cb(const struct nlattr *attr, void *data)
{
	struct expect *e = data;

	if (mnl_attr_get_type(attr) != SFW_A_EXPECT)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
		return MNL_CB_ERROR;
	e->has_expect = true;
	return mnl_attr_parse_nested(attr, expect_attr_cb, e);
}

/* JSON strings from the kernel: only plain characters are kept. */
static void json_word(const char *s)
{
	putchar('"');
	for (; *s; s++)
		putchar(*s == '"' || *s == '\\' || (unsigned char)*s < 0x20 ? '?' : *s);
	putchar('"');
}

static void json_expect_tuple(const struct tuple *t)
{
	char s[INET6_ADDRSTRLEN + 8], d[INET6_ADDRSTRLEN + 8];

	addr_str(t, t->src, false, s);
	addr_str(t, t->dst, false, d);
	printf("{\"src\":\"%s\",\"dst\":\"%s\"", s, d);
	if (t->l4 == 6 || t->l4 == 17)
		printf(",\"sport\":%u,\"dport\":%u", t->sport, t->dport);
	else if (is_icmp(t->l3, t->l4))
		printf(",\"type\":%u,\"code\":%u,\"id\":%u", t->type, t->code, t->id);
	printf("}");
}

static int ct_expect_cb(const struct nlmsghdr *nlh, void *data)
{
	struct list_state *ls = data;
	char a[INET6_ADDRSTRLEN + 8];
	struct expect e;

	memset(&e, 0, sizeof(e));
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), top_expect_cb, &e) < 0 ||
	    !e.has_expect) {
		fprintf(stderr, "sfwctl: malformed message from the kernel\n");
		return MNL_CB_ERROR;
	}
	if (json) {
		printf("%s\n{\"timeout\":%u,\"l3\":\"%s\",\"l4\":\"%s\",\"l4num\":%u,\"tuple\":",
		       ls->n ? "," : "[", e.timeout, e.t.l3 == AF_INET ? "ipv4" : "ipv6",
		       proto_name(e.t.l4), e.t.l4);
		json_expect_tuple(&e.t);
		printf(",\"master\":");
		json_expect_tuple(&e.master);
		if (e.has_nat) {
			printf(",\"nat\":");
			json_expect_tuple(&e.nat);
		}
		printf(",\"helper\":");
		json_word(e.helper);
		printf("}");
	} else {
		/* /proc/net/sfw/expect's line (nf_conntrack_expect's), then nat=. */
		printf("%u l3proto = %u proto=%u ", e.timeout, e.t.l3, e.t.l4);
		print_tuple(&e.t, ls->extended);
		printf("%s", e.helper);
		if (e.has_nat) {
			addr_str(&e.nat, e.nat.dst, ls->extended, a);
			printf(e.nat.l3 == AF_INET ? " nat=%s:%u" : " nat=[%s]:%u", a, e.nat.dport);
		}
		printf("\n");
	}
	ls->n++;
	return MNL_CB_OK;
}

static int ct_list_expect(struct nl *nl, int argc, char **argv)
{
	struct list_state ls = { 0, false };
	struct nlmsghdr *nlh;
	struct opts o;

	parse_opts(&o, argc, argv, "ct list --expect", "oj", ct_list_help);
	if (o.state >= 0)
		usage_error("ct list --expect: an expectation has no TCP state (--state)");
	ls.extended = o.extended;
	nl_ready(nl);
	nlh = msg_start(nl, nl->family, SFW_CMD_EXPECT_GET, NLM_F_DUMP);
	put_filter(nlh, &o);
	if (request(nl, nlh, ct_expect_cb, &ls) < 0)
		kernel_error(nl, "ct list --expect");
	if (json)
		printf("%s]\n", ls.n ? "\n" : "[");
	fprintf(stderr, "sfwctl: %lu expectations shown\n", ls.n);
	return 0;
}

/* ---- stats ---- */

/* The counters, in the kernel's attribute order, with /proc's names. */
static const char *stat_names[SFW_STATS_A_MAX + 1] = {
	[SFW_STATS_A_ENTRIES] = "entries",
	[SFW_STATS_A_CLASHRES] = "clashres",
	[SFW_STATS_A_FOUND] = "found",
	[SFW_STATS_A_NEW] = "new",
	[SFW_STATS_A_INVALID] = "invalid",
	[SFW_STATS_A_IGNORE] = "ignore",
	[SFW_STATS_A_DELETE] = "delete",
	[SFW_STATS_A_CHAINLENGTH] = "chainlength",
	[SFW_STATS_A_INSERT] = "insert",
	[SFW_STATS_A_INSERT_FAILED] = "insert_failed",
	[SFW_STATS_A_DROP] = "drop",
	[SFW_STATS_A_EARLY_DROP] = "early_drop",
	[SFW_STATS_A_ICMP_ERROR] = "icmp_error",
	[SFW_STATS_A_EXPECT_NEW] = "expect_new",
	[SFW_STATS_A_EXPECT_CREATE] = "expect_create",
	[SFW_STATS_A_EXPECT_DELETE] = "expect_delete",
	[SFW_STATS_A_SEARCH_RESTART] = "search_restart",
	[SFW_STATS_A_RELATED] = "related",
	[SFW_STATS_A_PRE_ROUTING] = "pre_routing",
	[SFW_STATS_A_LOCAL_IN] = "local_in",
	[SFW_STATS_A_FORWARD] = "forward",
	[SFW_STATS_A_LOCAL_OUT] = "local_out",
	[SFW_STATS_A_POST_ROUTING] = "post_routing",
	[SFW_STATS_A_REAPED] = "reaped",
};

/* conntrack -S's fields first, under its names, then sfw's own. */
static const struct { int attr; const char *name; } stat_order[] = {
	{ SFW_STATS_A_FOUND, "found" }, { SFW_STATS_A_INVALID, "invalid" },
	{ SFW_STATS_A_INSERT, "insert" }, { SFW_STATS_A_INSERT_FAILED, "insert_failed" },
	{ SFW_STATS_A_DROP, "drop" }, { SFW_STATS_A_EARLY_DROP, "early_drop" },
	{ SFW_STATS_A_ICMP_ERROR, "error" }, { SFW_STATS_A_SEARCH_RESTART, "search_restart" },
	{ SFW_STATS_A_CLASHRES, "clash_resolve" }, { SFW_STATS_A_CHAINLENGTH, "chaintoolong" },
	{ SFW_STATS_A_NEW, "new" }, { SFW_STATS_A_IGNORE, "ignore" },
	{ SFW_STATS_A_DELETE, "delete" }, { SFW_STATS_A_RELATED, "related" },
	{ SFW_STATS_A_REAPED, "reaped" },
	{ SFW_STATS_A_PRE_ROUTING, "pre_routing" }, { SFW_STATS_A_LOCAL_IN, "local_in" },
	{ SFW_STATS_A_FORWARD, "forward" }, { SFW_STATS_A_LOCAL_OUT, "local_out" },
	{ SFW_STATS_A_POST_ROUTING, "post_routing" },
};

#define MAX_ROWS 4096
#define MAX_REASONS 64

struct stats_row {
	int cpu;		/* -1: the totals */
	uint64_t v[SFW_STATS_A_MAX + 1];
};

struct stats {
	struct stats_row rows[MAX_ROWS];
	int nrows;
	struct { char name[64]; uint64_t count; } reasons[MAX_REASONS];
	int nreasons;
	struct stats_row total;
};

static int stats_row_cb(const struct nlattr *attr, void *data)
{
	struct stats_row *r = data;
	int type = mnl_attr_get_type(attr);

	if (type == SFW_STATS_A_CPU || type == SFW_STATS_A_ENTRIES) {
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		if (type == SFW_STATS_A_CPU)
			r->cpu = mnl_attr_get_u32(attr);
		else
			r->v[type] = mnl_attr_get_u32(attr);
	} else if (type > SFW_STATS_A_ENTRIES && type < SFW_STATS_A_PAD) {
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		r->v[type] = mnl_attr_get_u64(attr);
	}
	return MNL_CB_OK;
}

struct reason {
	const char *name;
	uint64_t count;
};

static int reason_cb(const struct nlattr *attr, void *data)
{
	struct reason *r = data;

	if (mnl_attr_get_type(attr) == SFW_INVALID_A_NAME) {
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		r->name = mnl_attr_get_str(attr);
	} else if (mnl_attr_get_type(attr) == SFW_INVALID_A_COUNT) {
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		r->count = mnl_attr_get_u64(attr);
	}
	return MNL_CB_OK;
}

static int stats_attr_cb(const struct nlattr *attr, void *data)
{
	struct stats *s = data;
	struct reason r = { "?", 0 };

	switch (mnl_attr_get_type(attr)) {
	case SFW_A_STATS_CPU:
		if (s->nrows == MAX_ROWS)
			return MNL_CB_OK;
		s->rows[s->nrows].cpu = -1;
		if (mnl_attr_parse_nested(attr, stats_row_cb, &s->rows[s->nrows]) < 0)
			return MNL_CB_ERROR;
		s->nrows++;
		break;
	case SFW_A_STATS_TOTAL:
		s->total.cpu = -1;
		return mnl_attr_parse_nested(attr, stats_row_cb, &s->total);
	case SFW_A_INVALID:
		if (s->nreasons == MAX_REASONS)
			return MNL_CB_OK;
		if (mnl_attr_parse_nested(attr, reason_cb, &r) < 0)
			return MNL_CB_ERROR;
		snprintf(s->reasons[s->nreasons].name, sizeof(s->reasons[0].name), "%s", r.name);
		s->reasons[s->nreasons++].count = r.count;
		break;
	}
	return MNL_CB_OK;
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), stats_attr_cb, data);
}

static void print_row(const struct stats_row *r)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stat_order); i++)
		printf(" %s=%" PRIu64, stat_order[i].name, r->v[stat_order[i].attr]);
	printf("\n");
}

static void json_row(const struct stats_row *r)
{
	int i;

	printf("{");
	if (r->cpu >= 0)
		printf("\"cpu\":%d,", r->cpu);
	for (i = SFW_STATS_A_ENTRIES; i < SFW_STATS_A_PAD; i++)
		printf("%s\"%s\":%" PRIu64, i == SFW_STATS_A_ENTRIES ? "" : ",", stat_names[i], r->v[i]);
	printf("}");
}

static int cmd_stats(struct nl *nl, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct stats *s;
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-j")) {
			json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			puts("usage: sfwctl stats [-j]\n"
			     "the tracker's counters per CPU (as conntrack -S), the totals, and\n"
			     "how many packets were INVALID for each reason");
			return 0;
		} else {
			usage_error("stats: unknown argument '%s'", argv[i]);
		}
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		die("out of memory");
	nl_ready(nl);
	nlh = msg_start(nl, nl->family, SFW_CMD_STATS_GET, NLM_F_ACK);
	if (request(nl, nlh, stats_cb, s) < 0)
		kernel_error(nl, "stats");

	if (json) {
		printf("{\"cpus\":[");
		for (i = 0; i < s->nrows; i++) {
			printf("%s", i ? "," : "");
			json_row(&s->rows[i]);
		}
		printf("],\"total\":");
		json_row(&s->total);
		printf(",\"invalid\":{");
		for (i = 0; i < s->nreasons; i++)
			printf("%s\"%s\":%" PRIu64, i ? "," : "", s->reasons[i].name,
			       s->reasons[i].count);
		printf("}}\n");
	} else {
		for (i = 0; i < s->nrows; i++) {
			printf("cpu=%-3d", s->rows[i].cpu);
			print_row(&s->rows[i]);
		}
		printf("total   entries=%" PRIu64, s->total.v[SFW_STATS_A_ENTRIES]);
		print_row(&s->total);
		printf("invalid:\n");
		for (i = 0; i < s->nreasons; i++)
			printf("  %-24s %" PRIu64 "\n", s->reasons[i].name, s->reasons[i].count);
	}
	free(s);
	return 0;
}

/* ---- config ---- */

struct setting {
	const char *name;
	uint32_t value, min, max;
	bool readonly;
};

static int setting_cb(const struct nlattr *attr, void *data)
{
	struct setting *s = data;
	int type = mnl_attr_get_type(attr);

	switch (type) {
	case SFW_CONFIG_A_NAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		s->name = mnl_attr_get_str(attr);
		break;
	case SFW_CONFIG_A_VALUE:
	case SFW_CONFIG_A_RANGE_MIN:
	case SFW_CONFIG_A_RANGE_MAX:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		*(type == SFW_CONFIG_A_VALUE ? &s->value : type == SFW_CONFIG_A_RANGE_MIN ?
		  &s->min : &s->max) = mnl_attr_get_u32(attr);
		break;
	case SFW_CONFIG_A_READONLY:
		s->readonly = true;
		break;
	}
	return MNL_CB_OK;
}

static int config_attr_cb(const struct nlattr *attr, void *data)
{
	struct setting s = { "?", 0, 0, 0, false };
	int *n = data;

	if (mnl_attr_get_type(attr) != SFW_A_CONFIG)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(attr, setting_cb, &s) < 0)
		return MNL_CB_ERROR;
	if (json)
		printf("%s\"%s\":{\"value\":%u,\"min\":%u,\"max\":%u,\"readonly\":%s}",
		       (*n)++ ? "," : "", s.name, s.value, s.min, s.max,
		       s.readonly ? "true" : "false");
	else
		printf("%s = %u\n", s.name, s.value);
	return MNL_CB_OK;
}

static int config_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), config_attr_cb, data);
}

static void config_help(void)
{
	puts("usage: sfwctl config get [NAME] [-j]\n"
	     "       sfwctl config set NAME VALUE\n"
	     "the net.sfw.* settings, by the same names (e.g. tcp_loose, udp_timeout)");
}

static int cmd_config(struct nl *nl, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	const char *name = NULL;
	int i, n = 0;

	if (argc < 1)
		usage_error("config: get or set?");
	if (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
		config_help();
		return 0;
	}
	if (!strcmp(argv[0], "get")) {
		for (i = 1; i < argc; i++) {
			if (!strcmp(argv[i], "-j"))
				json = true;
			else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
				return config_help(), 0;
			else if (argv[i][0] == '-' || name)
				usage_error("config get: unknown argument '%s'", argv[i]);
			else
				name = argv[i];
		}
		nl_ready(nl);
		nlh = msg_start(nl, nl->family, SFW_CMD_CONFIG_GET, NLM_F_ACK);
		if (name) {
			if (strlen(name) >= SFW_CONFIG_NAME_MAX)
				usage_error("config get: no setting '%s'", name);
			nest = mnl_attr_nest_start(nlh, SFW_A_CONFIG);
			mnl_attr_put_strz(nlh, SFW_CONFIG_A_NAME, name);
			mnl_attr_nest_end(nlh, nest);
		}
		if (json)
			printf("{");
		if (request(nl, nlh, config_cb, &n) < 0)
			kernel_error(nl, "config get");
		if (json)
			printf("}\n");
		return 0;
	}
	if (!strcmp(argv[0], "set")) {
		char *end;
		unsigned long v;

		if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
			return config_help(), 0;
		if (argc != 3)
			usage_error("config set: give NAME VALUE");
		if (strlen(argv[1]) >= SFW_CONFIG_NAME_MAX)
			usage_error("config set: no setting '%s'", argv[1]);
		errno = 0;
		v = strtoul(argv[2], &end, 0);
		if (errno || *end || end == argv[2] || argv[2][0] == '-' || v > UINT32_MAX)
			usage_error("config set: '%s' is not a number", argv[2]);
		nl_ready(nl);
		nlh = msg_start(nl, nl->family, SFW_CMD_CONFIG_SET, NLM_F_ACK);
		nest = mnl_attr_nest_start(nlh, SFW_A_CONFIG);
		mnl_attr_put_strz(nlh, SFW_CONFIG_A_NAME, argv[1]);
		mnl_attr_put_u32(nlh, SFW_CONFIG_A_VALUE, v);
		mnl_attr_nest_end(nlh, nest);
		if (request(nl, nlh, NULL, NULL) < 0)
			kernel_error(nl, "config set");
		return 0;
	}
	usage_error("config: unknown argument '%s'", argv[0]);
	return 2;
}

/* ---- monitor ---- */

struct monitor {
	struct nl *nl;		/* the event socket */
	bool have_seq;
	uint32_t last_seq;
	bool resync;
};

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct monitor *m = data;
	struct conn c;

	if (conn_parse(nlh, &c))
		return MNL_CB_OK;
	if (m->have_seq && c.seq != m->last_seq + 1 && (int32_t)(c.seq - m->last_seq) > 0) {
		fprintf(stderr, "sfwctl: lost %u events (sequence %u to %u); resynchronising\n",
			c.seq - m->last_seq - 1, m->last_seq + 1, c.seq - 1);
		m->resync = true;
	}
	m->have_seq = true;
	m->last_seq = c.seq;
	if (json) {
		print_conn_json(&c);
		printf("\n");
	} else {
		printf("[%s] ", event_name(c.event));
		print_conn_line(&c, false);
	}
	return MNL_CB_OK;
}

/* After lost events: the table as it is now, on a socket of its own. */
struct resync_state {
	unsigned long n;
};

static int resync_cb(const struct nlmsghdr *nlh, void *data)
{
	struct resync_state *rs = data;
	struct conn c;

	if (conn_parse(nlh, &c))
		return MNL_CB_ERROR;
	if (json) {
		printf("{\"event\":\"EXISTING\",\"conn\":");
		print_conn_json(&c);
		printf("}\n");
	} else {
		printf("[EXISTING] ");
		print_conn_line(&c, false);
	}
	rs->n++;
	return MNL_CB_OK;
}

static void resync(void)
{
	struct resync_state rs = { 0 };
	struct nlmsghdr *nlh;
	struct nl dump;

	nl_open(&dump);
	nlh = msg_start(&dump, dump.family, SFW_CMD_CT_GET, NLM_F_DUMP);
	if (request(&dump, nlh, resync_cb, &rs) < 0)
		kernel_error(&dump, "monitor: resync dump");
	fprintf(stderr, "sfwctl: resynchronised: %lu connections exist\n", rs.n);
	mnl_socket_close(dump.sock);
	free(dump.buf);
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int cmd_monitor(struct nl *nl, int argc, char **argv)
{
	struct monitor m = { .nl = nl };
	struct sigaction sa = { .sa_handler = on_signal };
	int i, ret, bufsize = 4 << 20;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-j")) {
			json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			puts("usage: sfwctl monitor [-j]\n"
			     "print connection events (NEW, UPDATE, DESTROY) as conntrack -E does;\n"
			     "-j prints one JSON object per line. Lost events are reported and\n"
			     "followed by the table as it is ([EXISTING] lines).");
			return 0;
		} else {
			usage_error("monitor: unknown argument '%s'", argv[i]);
		}
	}
	nl_ready(nl);
	if (!nl->events_group)
		die("monitor: the sfw module has no event group");
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &nl->events_group,
				  sizeof(nl->events_group)) < 0) {
		if (errno == EPERM)
			die("monitor: %s", strerror(errno));
		die("monitor: joining the event group: %s", strerror(errno));
	}
	setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize));
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	fprintf(stderr, "sfwctl: listening for events\n");

	while (!stop) {
		ret = mnl_socket_recvfrom(nl->sock, nl->buf, RECV_BUF);
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				fprintf(stderr, "sfwctl: events were lost (receive buffer overrun, "
					"ENOBUFS); resynchronising\n");
				m.have_seq = false;
				resync();
				continue;
			}
			die("monitor: %s", strerror(errno));
		}
		ret = mnl_cb_run(nl->buf, ret, 0, 0, event_cb, &m);
		if (ret < 0)
			die("monitor: %s", strerror(errno));
		if (m.resync) {
			m.resync = false;
			resync();
		}
	}
	return 0;
}

/* ---- dispatch ---- */

static int cmd_version(struct nl *nl, int argc, char **argv)
{
	(void)nl;
	(void)argv;
	if (argc > 0)
		usage_error("version: unknown argument '%s'", argv[0]);
	printf("sfwctl %s\n", SFW_VERSION_STRING);
	return 0;
}

static int cmd_help(struct nl *nl, int argc, char **argv);
static int cmd_ct(struct nl *nl, int argc, char **argv);

static const struct sfwctl_cmd ct_cmds[] = {
	{ "list", ct_list, "list connections (filters, -o extended, -j; --expect: expectations)",
	  true },
	{ "get", ct_get, "show one connection by its tuple", true },
	{ "delete", ct_delete, "delete one connection, or those a filter matches", true },
	{ "flush", ct_flush, "delete every connection", true },
};

static const struct sfwctl_cmd cmds[] = {
	{ "ct", cmd_ct, "connections: list, get, delete, flush", false },
	{ "stats", cmd_stats, "per-CPU and total counters, INVALID reasons", true },
	{ "config", cmd_config, "get or set the net.sfw.* settings", true },
	{ "monitor", cmd_monitor, "print connection events as they happen", true },
	{ "ruleset", cmd_ruleset, "the rule set: load, show, flush", false },
	{ "rule", cmd_rule, "one rule: add, insert, delete", false },
	{ "set", cmd_set, "address set elements: add, del, list", false },
	{ "counters", cmd_counters, "rule counters: reset", false },
	{ "version", cmd_version, "print sfwctl's version", false },
	{ "help", cmd_help, "list the commands", false },
};

static int cmd_help(struct nl *nl, int argc, char **argv)
{
	size_t i;

	(void)nl;
	(void)argc;
	(void)argv;
	printf("usage: sfwctl <command> [args]   (sfwctl <command> -h for its arguments)\n\n"
	       "commands:\n");
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		printf("  %-10s %s\n", cmds[i].name, cmds[i].help);
	for (i = 0; i < ARRAY_SIZE(ct_cmds); i++)
		printf("  ct %-7s %s\n", ct_cmds[i].name, ct_cmds[i].help);
	rules_help();
	return 0;
}

static int run(const struct sfwctl_cmd *c, int argc, char **argv)
{
	struct nl nl = {};

	return c->run(&nl, argc, argv);
}

static int cmd_ct(struct nl *nl, int argc, char **argv)
{
	size_t i;

	(void)nl;
	if (argc < 1 || !strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
		puts("usage: sfwctl ct list|get|delete|flush [args]");
		for (i = 0; i < ARRAY_SIZE(ct_cmds); i++)
			printf("  ct %-7s %s\n", ct_cmds[i].name, ct_cmds[i].help);
		return argc < 1 ? 2 : 0;
	}
	for (i = 0; i < ARRAY_SIZE(ct_cmds); i++)
		if (!strcmp(argv[0], ct_cmds[i].name))
			return run(&ct_cmds[i], argc - 1, argv + 1);
	fprintf(stderr, "sfwctl: unknown command 'ct %s'\n", argv[0]);
	return 2;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return cmd_help(NULL, 0, NULL), 2;
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return cmd_help(NULL, 0, NULL);
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version"))
		return cmd_version(NULL, 0, NULL);

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return run(&cmds[i], argc - 2, argv + 2);

	fprintf(stderr, "sfwctl: unknown command '%s'\n", argv[1]);
	return 2;
}
