// SPDX-License-Identifier: GPL-2.0
/*
 * conn.c: one connection as the kernel sends it (SFW_A_CT and its tuple
 * nests), decoded one nest level at a time with mnl_attr_parse() and a
 * callback per level that checks each attribute's type, and printed as
 * conntrack -L prints it, or as JSON (json.c, jansson). ct list, ct get and monitor share it.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/sfw.h>

#include "sfwctl.h"
#include "ct.h"
#include "json.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

bool is_icmp(int l3, int l4)
{
	return (l3 == AF_INET && l4 == 1) || (l3 == AF_INET6 && l4 == 58);
}

/* ---- replies: one callback per nest level ---- */

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

int tuple_attr_cb(const struct nlattr *attr, void *data)
{
	struct tuple *t = data;
	int type = mnl_attr_get_type(attr);
	size_t len = mnl_attr_get_payload_len(attr);

	if (type > SFW_TUPLE_A_MAX)
		return MNL_CB_OK;	/* newer kernel */
	if (mnl_attr_validate(attr, tuple_types[type]) < 0)
		return MNL_CB_ERROR;
	switch (type) {
	case SFW_TUPLE_A_L3:
		t->l3 = mnl_attr_get_u8(attr);
		break;
	case SFW_TUPLE_A_L4:
		t->l4 = mnl_attr_get_u8(attr);
		break;
	case SFW_TUPLE_A_SRC_V4:
	case SFW_TUPLE_A_SRC_V6:
		memcpy(t->src, mnl_attr_get_payload(attr), len > 16 ? 16 : len);
		break;
	case SFW_TUPLE_A_DST_V4:
	case SFW_TUPLE_A_DST_V6:
		memcpy(t->dst, mnl_attr_get_payload(attr), len > 16 ? 16 : len);
		break;
	case SFW_TUPLE_A_SPORT:
		t->sport = ntohs(mnl_attr_get_u16(attr));
		break;
	case SFW_TUPLE_A_DPORT:
		t->dport = ntohs(mnl_attr_get_u16(attr));
		break;
	case SFW_TUPLE_A_ICMP_TYPE:
		t->type = mnl_attr_get_u8(attr);
		break;
	case SFW_TUPLE_A_ICMP_CODE:
		t->code = mnl_attr_get_u8(attr);
		break;
	case SFW_TUPLE_A_ICMP_ID:
		t->id = ntohs(mnl_attr_get_u16(attr));
		break;
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
	case SFW_CT_A_ORIG:
		return mnl_attr_parse_nested(attr, tuple_attr_cb, &c->t[0]);
	case SFW_CT_A_REPLY:
		return mnl_attr_parse_nested(attr, tuple_attr_cb, &c->t[1]);
	case SFW_CT_A_STATUS:
		c->status = mnl_attr_get_u32(attr);
		break;
	case SFW_CT_A_TIMEOUT:
		c->timeout = mnl_attr_get_u32(attr);
		break;
	case SFW_CT_A_TCP_STATE:
		c->state = mnl_attr_get_u8(attr);
		break;
	case SFW_CT_A_PACKETS_ORIG:
		c->packets[0] = mnl_attr_get_u64(attr);
		break;
	case SFW_CT_A_BYTES_ORIG:
		c->bytes[0] = mnl_attr_get_u64(attr);
		break;
	case SFW_CT_A_PACKETS_REPLY:
		c->packets[1] = mnl_attr_get_u64(attr);
		break;
	case SFW_CT_A_BYTES_REPLY:
		c->bytes[1] = mnl_attr_get_u64(attr);
		break;
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

int conn_parse(const struct nlmsghdr *nlh, struct conn *c)
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

void addr_str(const struct tuple *t, const unsigned char *a, bool full, char *buf)
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

void print_tuple(const struct tuple *t, bool full)
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
void print_conn_line(const struct conn *c, bool extended)
{
	const struct tuple *t = &c->t[0];
	int dir;

	if (extended)
		printf("%-8s %u ", t->l3 == AF_INET ? "ipv4" : "ipv6", t->l3);
	printf("%-8s %u %u ", sfw_l4proto_name(t->l4), t->l4, c->timeout);
	if (c->state >= 0)
		printf("%s ", c->state < (int)ARRAY_SIZE(sfw_tcp_state_names) ? sfw_tcp_state_names[c->state] : "?");
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

/* {"src","dst", then "sport","dport" or "type","code","id"}: ct and expect tuples. */
json_t *tuple_json(const struct tuple *t)
{
	char a[INET6_ADDRSTRLEN + 8];
	json_t *o = sfw_json_object();

	addr_str(t, t->src, false, a);
	sfw_json_set(o, "src", sfw_json_str(a));
	addr_str(t, t->dst, false, a);
	sfw_json_set(o, "dst", sfw_json_str(a));
	if (t->l4 == 6 || t->l4 == 17) {
		sfw_json_set(o, "sport", json_integer(t->sport));
		sfw_json_set(o, "dport", json_integer(t->dport));
	} else if (is_icmp(t->l3, t->l4)) {
		sfw_json_set(o, "type", json_integer(t->type));
		sfw_json_set(o, "code", json_integer(t->code));
		sfw_json_set(o, "id", json_integer(t->id));
	}
	return o;
}

static json_t *dir_json(const struct conn *c, int dir)
{
	json_t *o = tuple_json(&c->t[dir]);

	sfw_json_set(o, "packets", sfw_json_u64(c->packets[dir]));
	sfw_json_set(o, "bytes", sfw_json_u64(c->bytes[dir]));
	return o;
}

static const char *const event_names[] = {
	[SFW_EVENT_NEW] = "NEW", [SFW_EVENT_UPDATE] = "UPDATE", [SFW_EVENT_DESTROY] = "DESTROY",
};

const char *event_name(int e)
{
	return e > 0 && e <= SFW_EVENT_MAX ? event_names[e] : "EVENT";
}

/*
 * One flat object for ct list, ct get and every monitor line: @event is
 * NULL for ct list/get, the event's name for monitor ("EXISTING" for the
 * table dumped after lost events); "seq" comes with kernel events only.
 */
json_t *conn_json(const struct conn *c, const char *event)
{
	const struct tuple *t = &c->t[0];
	json_t *o = sfw_json_object();

	if (event)
		sfw_json_set(o, "event", sfw_json_str(event));
	if (c->event)
		sfw_json_set(o, "seq", json_integer(c->seq));
	if (c->reason[0])
		sfw_json_set(o, "reason", sfw_json_string(c->reason, sizeof(c->reason)));
	sfw_json_set(o, "l3", sfw_json_str(t->l3 == AF_INET ? "ipv4" : "ipv6"));
	sfw_json_set(o, "l4", sfw_json_str(sfw_l4proto_name(t->l4)));
	sfw_json_set(o, "l4num", json_integer(t->l4));
	sfw_json_set(o, "timeout", json_integer(c->timeout));
	if (c->state >= 0)
		sfw_json_set(o, "state", sfw_json_str(c->state < (int)ARRAY_SIZE(sfw_tcp_state_names) ?
						      sfw_tcp_state_names[c->state] : "?"));
	sfw_json_set(o, "orig", dir_json(c, 0));
	sfw_json_set(o, "reply", dir_json(c, 1));
	sfw_json_set(o, "unreplied", json_boolean(!(c->status & SFW_CT_S_SEEN_REPLY)));
	sfw_json_set(o, "assured", json_boolean(c->status & SFW_CT_S_ASSURED));
	return o;
}
