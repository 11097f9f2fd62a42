// SPDX-License-Identifier: GPL-2.0
/*
 * transport.c: sfwctl's generic netlink connection (libmnl).
 *
 * nl_open() binds a socket and resolves the family "sfw" and its event
 * group; a command calls nl_ready() only after its arguments parsed, so a
 * usage error never waits on the module. request() sends one message and
 * runs a callback on each reply until the ack or NLMSG_DONE; a refusal
 * leaves errno and the kernel's extack message in nl->errmsg, which
 * kernel_error() prints.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/sfw.h>

#include "sfwctl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

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
	uint32_t drops_group;
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
	else if (name && !strcmp(name, SFW_GENL_MCGRP_DROPS))
		fi->drops_group = id;
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

void nl_open(struct nl *nl)
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
	nl->drops_group = fi.drops_group;
}

/* Commands parse their arguments first, then open: a usage error wins. */
void nl_ready(struct nl *nl)
{
	if (!nl->sock)
		nl_open(nl);
}

/* SFWCTL_VERBOSE: what the replies took (the dump test reports it). */
void nl_report_counts(void)
{
	if (getenv("SFWCTL_VERBOSE"))
		fprintf(stderr, "sfwctl: %lu netlink messages in %lu datagrams, %lu bytes\n",
			replies, datagrams, reply_bytes);
}
