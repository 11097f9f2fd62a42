/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ct.h - what the connection commands share: the filter and tuple options
 * (args.c), and a connection as the kernel sends it, decoded and printed
 * (conn.c) for ct list/get and for monitor.
 */
#ifndef _SFWCTL_CT_H
#define _SFWCTL_CT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

#include "names.h"	/* the module's name tables (src/names.c) */

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
	bool expect;		/* ct list --expect */
};

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

/* args.c: the filter options of ct list/get/delete (and ct list --expect). */
void opts_init(struct opts *o);
void parse_opts(struct opts *o, int argc, char **argv, const char *cmd,
		const char *allowed, void (*help)(void));
bool opts_tuple_complete(const struct opts *o);
/* ct.c: a complete tuple (opts_tuple_complete) as SFW_A_TUPLE. */
void opts_put_tuple(struct nlmsghdr *nlh, const struct opts *o);

/* conn.c */
bool is_icmp(int l3, int l4);
int tuple_attr_cb(const struct nlattr *attr, void *data);
int conn_parse(const struct nlmsghdr *nlh, struct conn *c);
const char *event_name(int e);
void addr_str(const struct tuple *t, const unsigned char *a, bool full, char *buf);
void print_tuple(const struct tuple *t, bool full);
void print_conn_line(const struct conn *c, bool extended);
/* Send the dump request @nlh; print each connection as `ct list` does (-j: one array). */
int conns_print_dump(struct nl *nl, struct nlmsghdr *nlh, bool extended, unsigned long *n);
struct json_t;
struct json_t *tuple_json(const struct tuple *t);
struct json_t *conn_json(const struct conn *c, const char *event);

/* ct.c */
int ct_list(struct nl *nl, int argc, char **argv);
int ct_get(struct nl *nl, int argc, char **argv);
int ct_delete(struct nl *nl, int argc, char **argv);
int ct_flush(struct nl *nl, int argc, char **argv);
/* ct_save.c */
int ct_save(struct nl *nl, int argc, char **argv);
int ct_restore(struct nl *nl, int argc, char **argv);

#endif /* _SFWCTL_CT_H */
