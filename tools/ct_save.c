// SPDX-License-Identifier: GPL-2.0
/*
 * ct_save.c: ct save and ct restore, the table to a file and back
 * (ct_file.c holds the format). A save is the CT_GET dump with
 * SFW_A_CT_FULL, one line per connection. A restore reads and checks the
 * whole file first, with the module's own check (src/ct_record.c), and
 * sends nothing if any line is wrong; then one SFW_CMD_CT_RESTORE per
 * connection.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/sfw.h>

#include "sfwctl.h"
#include "ct.h"
#include "ct_file.h"

/* ---- save: SFW_A_CT (full) -> a record ---- */

static void tuple_to(const struct tuple *in, struct sfw_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->l3num = (uint8_t)in->l3;
	t->l4proto = (uint8_t)in->l4;
	memcpy(&t->src, in->src, in->l3 == AF_INET ? 4 : 16);
	memcpy(&t->dst, in->dst, in->l3 == AF_INET ? 4 : 16);
	if (in->l4 == SFW_IPPROTO_TCP || in->l4 == SFW_IPPROTO_UDP) {
		t->sport = htons(in->sport);
		t->dport = htons(in->dport);
	} else if (is_icmp(in->l3, in->l4)) {
		t->sport = htons(in->id);
		t->dport = htons((uint16_t)(in->type << 8 | in->code));
	}
}

static const enum mnl_attr_data_type tcpd_types[SFW_CT_TCPD_A_MAX + 1] = {
	[SFW_CT_TCPD_A_END] = MNL_TYPE_U32,
	[SFW_CT_TCPD_A_MAXEND] = MNL_TYPE_U32,
	[SFW_CT_TCPD_A_MAXWIN] = MNL_TYPE_U32,
	[SFW_CT_TCPD_A_WSCALE] = MNL_TYPE_U8,
	[SFW_CT_TCPD_A_FLAGS] = MNL_TYPE_U8,
};

static int tcpd_cb(const struct nlattr *attr, void *data)
{
	struct sfw_ct_record_dir *w = data;
	int type = mnl_attr_get_type(attr);

	if (type > SFW_CT_TCPD_A_MAX)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, tcpd_types[type]) < 0)
		return MNL_CB_ERROR;
	switch (type) {
	case SFW_CT_TCPD_A_END:
		w->end = mnl_attr_get_u32(attr);
		break;
	case SFW_CT_TCPD_A_MAXEND:
		w->maxend = mnl_attr_get_u32(attr);
		break;
	case SFW_CT_TCPD_A_MAXWIN:
		w->maxwin = mnl_attr_get_u32(attr);
		break;
	case SFW_CT_TCPD_A_WSCALE:
		w->wscale = mnl_attr_get_u8(attr);
		break;
	case SFW_CT_TCPD_A_FLAGS:
		w->flags = mnl_attr_get_u8(attr);
		break;
	}
	return MNL_CB_OK;
}

static const enum mnl_attr_data_type tcp_types[SFW_CT_TCP_A_MAX + 1] = {
	[SFW_CT_TCP_A_FLAGS] = MNL_TYPE_U8,
	[SFW_CT_TCP_A_RETRANS] = MNL_TYPE_U8,
	[SFW_CT_TCP_A_ORIG] = MNL_TYPE_NESTED,
	[SFW_CT_TCP_A_REPLY] = MNL_TYPE_NESTED,
};

static int tcp_cb(const struct nlattr *attr, void *data)
{
	struct sfw_ct_record *r = data;
	int type = mnl_attr_get_type(attr);

	if (type > SFW_CT_TCP_A_MAX)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, tcp_types[type]) < 0)
		return MNL_CB_ERROR;
	switch (type) {
	case SFW_CT_TCP_A_FLAGS:
		r->tcp_flags = mnl_attr_get_u8(attr);
		break;
	case SFW_CT_TCP_A_RETRANS:
		r->tcp_retrans = mnl_attr_get_u8(attr);
		break;
	case SFW_CT_TCP_A_ORIG:
		return mnl_attr_parse_nested(attr, tcpd_cb, &r->win[0]);
	case SFW_CT_TCP_A_REPLY:
		return mnl_attr_parse_nested(attr, tcpd_cb, &r->win[1]);
	}
	return MNL_CB_OK;
}

/*
 * The attributes only a save asks for (SFW_A_CT_FULL); conn_parse()
 * (conn.c) reads the ones every connection message has.
 */
static const enum mnl_attr_data_type full_types[SFW_CT_A_MAX + 1] = {
	[SFW_CT_A_AGE] = MNL_TYPE_U32,
	[SFW_CT_A_TCP] = MNL_TYPE_NESTED,
	[SFW_CT_A_MASQ_DEV] = MNL_TYPE_NUL_STRING,
	[SFW_CT_A_IN_DEV] = MNL_TYPE_NUL_STRING,
	[SFW_CT_A_LOCAL] = MNL_TYPE_FLAG,
};

static void dev_copy(char *out, const struct nlattr *attr)
{
	snprintf(out, SFW_CT_DEV_LEN, "%s", mnl_attr_get_str(attr));
}

static int full_cb(const struct nlattr *attr, void *data)
{
	struct sfw_ct_record *r = data;
	int type = mnl_attr_get_type(attr);

	if (type > SFW_CT_A_MAX || full_types[type] == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;	/* conn_parse()'s, or a newer kernel's */
	if (mnl_attr_validate(attr, full_types[type]) < 0)
		return MNL_CB_ERROR;
	switch (type) {
	case SFW_CT_A_AGE:
		r->age = mnl_attr_get_u32(attr);
		break;
	case SFW_CT_A_TCP:
		return mnl_attr_parse_nested(attr, tcp_cb, r);
	case SFW_CT_A_MASQ_DEV:
		dev_copy(r->masq_dev, attr);
		break;
	case SFW_CT_A_IN_DEV:
		dev_copy(r->in_dev, attr);
		break;
	case SFW_CT_A_LOCAL:
		r->local = true;
		break;
	}
	return MNL_CB_OK;
}

static int top_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) != SFW_A_CT)
		return MNL_CB_OK;
	return mnl_attr_parse_nested(attr, full_cb, data);
}

/* A connection message of the save's dump as a record; -1 if malformed. */
static int record_parse(const struct nlmsghdr *nlh, struct sfw_ct_record *r)
{
	struct conn c;

	memset(r, 0, sizeof(*r));
	if (conn_parse(nlh, &c))
		return -1;
	tuple_to(&c.t[0], &r->orig);
	tuple_to(&c.t[1], &r->reply);
	r->status = c.status;
	r->timeout = c.timeout;
	r->tcp_state = c.state < 0 ? 0 : (uint8_t)c.state;
	memcpy(r->packets, c.packets, sizeof(r->packets));
	memcpy(r->bytes, c.bytes, sizeof(r->bytes));
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), top_cb, r) < 0 ? -1 : 0;
}

struct save {
	FILE *out;
	unsigned long n, skipped;
};

static int save_cb(const struct nlmsghdr *nlh, void *data)
{
	struct save *sv = data;
	struct sfw_ct_record r;
	const char *why;
	char line[1024];

	if (record_parse(nlh, &r))
		return MNL_CB_ERROR;
	/* Due now: it would be gone by the time a restore reads it. */
	if (!r.timeout) {
		sv->skipped++;
		return MNL_CB_OK;
	}
	/* A save never writes what a restore would refuse. */
	why = sfw_ct_record_check(&r);
	if (why) {
		fprintf(stderr, "sfwctl: ct save: skipping a connection the kernel described "
			"inconsistently: %s\n", why);
		sv->skipped++;
		return MNL_CB_OK;
	}
	ct_file_format(&r, line, sizeof(line));
	fputs(line, sv->out);
	sv->n++;
	return MNL_CB_OK;
}

static void ct_save_help(void)
{
	puts("usage: sfwctl ct save [-o FILE]\n"
	     "write every connection of the namespace (state, TCP windows, timeouts, NAT\n"
	     "bindings, counters) to FILE or standard output, for ct restore");
}

int ct_save(struct nl *nl, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct save sv = { .out = stdout };
	const char *path = NULL;
	struct nlmsghdr *nlh;
	char head[256];
	struct args a;
	char **rest;
	int c, n;

	args_start(&a, "ct save", argc, argv, ct_save_help);
	while ((c = args_next(&a, ":ho:", longopts)) != -1)
		if (c == 'o')
			path = optarg;
	rest = args_rest(&a, &n);
	if (n)
		usage_error("ct save: unknown argument '%s'", rest[0]);
	nl_ready(nl);
	if (path) {
		sv.out = fopen(path, "w");
		if (!sv.out)
			die("ct save: %s: %s", path, strerror(errno));
	}
	ct_file_header(head, sizeof(head));
	fputs(head, sv.out);
	nlh = msg_start(nl, nl->family, SFW_CMD_CT_GET, NLM_F_DUMP);
	mnl_attr_put(nlh, SFW_A_CT_FULL, 0, NULL);
	if (request(nl, nlh, save_cb, &sv) < 0)
		kernel_error(nl, "ct save");
	if (fflush(sv.out) || (path && fclose(sv.out)))
		die("ct save: %s: %s", path ? path : "standard output", strerror(errno));
	fprintf(stderr, "sfwctl: %lu connections saved", sv.n);
	if (sv.skipped)
		fprintf(stderr, " (%lu about to expire or inconsistent, not saved)", sv.skipped);
	fputc('\n', stderr);
	free(a.av);
	return 0;
}

/* ---- restore: a record -> SFW_CMD_CT_RESTORE ---- */

static void put_tuple(struct nlmsghdr *nlh, int type, const struct sfw_tuple *t)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);
	bool v4 = t->l3num == SFW_AF_INET;

	mnl_attr_put_u8(nlh, SFW_TUPLE_A_L3, t->l3num);
	mnl_attr_put_u8(nlh, SFW_TUPLE_A_L4, t->l4proto);
	mnl_attr_put(nlh, v4 ? SFW_TUPLE_A_SRC_V4 : SFW_TUPLE_A_SRC_V6, v4 ? 4 : 16, &t->src);
	mnl_attr_put(nlh, v4 ? SFW_TUPLE_A_DST_V4 : SFW_TUPLE_A_DST_V6, v4 ? 4 : 16, &t->dst);
	if (t->l4proto == SFW_IPPROTO_TCP || t->l4proto == SFW_IPPROTO_UDP) {
		mnl_attr_put_u16(nlh, SFW_TUPLE_A_SPORT, t->sport);
		mnl_attr_put_u16(nlh, SFW_TUPLE_A_DPORT, t->dport);
	} else if (is_icmp(t->l3num == SFW_AF_INET ? AF_INET : AF_INET6, t->l4proto)) {
		mnl_attr_put_u8(nlh, SFW_TUPLE_A_ICMP_TYPE, ntohs(t->dport) >> 8);
		mnl_attr_put_u8(nlh, SFW_TUPLE_A_ICMP_CODE, ntohs(t->dport) & 0xff);
		mnl_attr_put_u16(nlh, SFW_TUPLE_A_ICMP_ID, t->sport);
	}
	mnl_attr_nest_end(nlh, nest);
}

static void put_tcpd(struct nlmsghdr *nlh, int type, const struct sfw_ct_record_dir *w)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u32(nlh, SFW_CT_TCPD_A_END, w->end);
	mnl_attr_put_u32(nlh, SFW_CT_TCPD_A_MAXEND, w->maxend);
	mnl_attr_put_u32(nlh, SFW_CT_TCPD_A_MAXWIN, w->maxwin);
	mnl_attr_put_u8(nlh, SFW_CT_TCPD_A_WSCALE, w->wscale);
	mnl_attr_put_u8(nlh, SFW_CT_TCPD_A_FLAGS, w->flags);
	mnl_attr_nest_end(nlh, nest);
}

static void put_record(struct nlmsghdr *nlh, const struct sfw_ct_record *r)
{
	struct nlattr *ct = mnl_attr_nest_start(nlh, SFW_A_CT);

	put_tuple(nlh, SFW_CT_A_ORIG, &r->orig);
	put_tuple(nlh, SFW_CT_A_REPLY, &r->reply);
	mnl_attr_put_u32(nlh, SFW_CT_A_STATUS, r->status);
	mnl_attr_put_u32(nlh, SFW_CT_A_TIMEOUT, r->timeout);
	if (r->age)
		mnl_attr_put_u32(nlh, SFW_CT_A_AGE, r->age);
	mnl_attr_put_u64(nlh, SFW_CT_A_PACKETS_ORIG, r->packets[0]);
	mnl_attr_put_u64(nlh, SFW_CT_A_BYTES_ORIG, r->bytes[0]);
	mnl_attr_put_u64(nlh, SFW_CT_A_PACKETS_REPLY, r->packets[1]);
	mnl_attr_put_u64(nlh, SFW_CT_A_BYTES_REPLY, r->bytes[1]);
	if (r->orig.l4proto == SFW_IPPROTO_TCP) {
		struct nlattr *tcp;

		mnl_attr_put_u8(nlh, SFW_CT_A_TCP_STATE, r->tcp_state);
		tcp = mnl_attr_nest_start(nlh, SFW_CT_A_TCP);
		mnl_attr_put_u8(nlh, SFW_CT_TCP_A_FLAGS, r->tcp_flags);
		mnl_attr_put_u8(nlh, SFW_CT_TCP_A_RETRANS, r->tcp_retrans);
		put_tcpd(nlh, SFW_CT_TCP_A_ORIG, &r->win[0]);
		put_tcpd(nlh, SFW_CT_TCP_A_REPLY, &r->win[1]);
		mnl_attr_nest_end(nlh, tcp);
	}
	if (r->masq_dev[0])
		mnl_attr_put_strz(nlh, SFW_CT_A_MASQ_DEV, r->masq_dev);
	if (r->in_dev[0])
		mnl_attr_put_strz(nlh, SFW_CT_A_IN_DEV, r->in_dev);
	if (r->local)
		mnl_attr_put(nlh, SFW_CT_A_LOCAL, 0, NULL);
	mnl_attr_nest_end(nlh, ct);
}

static void ct_restore_help(void)
{
	puts("usage: sfwctl ct restore [FILE]\n"
	     "put back the connections ct save wrote (FILE, or standard input). The\n"
	     "whole file is checked first: one bad line and nothing is restored.\n"
	     "Connections tracked already are left as they are.");
}

/* All of @f, NUL-terminated. */
static char *slurp(FILE *f, const char *name, size_t *len)
{
	size_t cap = 1 << 16, n = 0, got;
	char *buf = malloc(cap + 1);

	if (!buf)
		die("ct restore: out of memory");
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
			if (!buf)
				die("ct restore: out of memory");
		}
	}
	if (ferror(f))
		die("ct restore: %s: %s", name, strerror(errno));
	buf[n] = 0;
	*len = n;
	return buf;
}

int ct_restore(struct nl *nl, int argc, char **argv)
{
	unsigned long restored = 0, exist = 0, refused = 0;
	const char *path = "-", *name = "standard input";
	struct sfw_ct_record *recs;
	struct ct_file_error err;
	unsigned int *lines;
	struct nlmsghdr *nlh;
	size_t n, i, len;
	char **rest, *text;
	struct args a;
	FILE *f = stdin;
	int nr;

	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};

	args_start(&a, "ct restore", argc, argv, ct_restore_help);
	while (args_next(&a, ":h", longopts) != -1)
		;
	rest = args_rest(&a, &nr);
	if (nr > 1)
		usage_error("ct restore: one file at most");
	if (nr == 1 && strcmp(rest[0], "-")) {
		path = rest[0];
		name = path;
		f = fopen(path, "r");
		if (!f)
			die("ct restore: %s: %s", path, strerror(errno));
	}
	text = slurp(f, name, &len);
	if (f != stdin)
		fclose(f);
	if (ct_file_parse(text, len, &recs, &lines, &n, &err)) {
		if (err.col)
			die("ct restore: %s:%u:%u: %s; nothing restored", name, err.line, err.col,
			    err.msg);
		die("ct restore: %s:%u: %s; nothing restored", name, err.line, err.msg);
	}
	free(text);
	nl_ready(nl);
	for (i = 0; i < n; i++) {
		nlh = msg_start(nl, nl->family, SFW_CMD_CT_RESTORE, NLM_F_ACK);
		put_record(nlh, &recs[i]);
		if (!request(nl, nlh, NULL, NULL)) {
			restored++;
		} else if (errno == EEXIST) {
			exist++;
		} else {
			refused++;
			fprintf(stderr, "sfwctl: ct restore: %s:%u: %s%s%s\n", name, lines[i],
				nl->errmsg[0] ? nl->errmsg : "", nl->errmsg[0] ? ": " : "",
				strerror(errno));
			if (errno == ENOENT || errno == EPERM || errno == EOPNOTSUPP)
				break;	/* nothing after it would do better */
		}
	}
	fprintf(stderr, "sfwctl: %lu connections restored, %lu tracked already, %lu refused\n",
		restored, exist, refused);
	free(recs);
	free(lines);
	free(a.av);
	return refused || restored + exist < n ? 1 : 0;
}
