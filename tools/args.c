// SPDX-License-Identifier: GPL-2.0
/*
 * args.c: sfwctl's arguments and its two ways out. A usage error prints
 * "sfwctl: <what> (sfwctl help)" and exits 2; any other failure exits 1.
 * The filter and tuple options of the ct commands are parsed here, before
 * a command opens its netlink socket.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "sfwctl.h"
#include "ct.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

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

bool json;

void opts_init(struct opts *o)
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
void parse_opts(struct opts *o, int argc, char **argv, const char *cmd,
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

			for (s = 0; s < tcp_states_count; s++)
				if (!strcasecmp(v, tcp_states[s]))
					break;
			if (s == tcp_states_count)
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


/* Do the options name one connection exactly? */
bool opts_tuple_complete(const struct opts *o)
{
	if (!o->has_src || !o->has_dst || o->src_len >= 0 || o->dst_len >= 0 || o->l4 < 0)
		return false;
	if (o->l4 == 6 || o->l4 == 17)
		return o->sport >= 0 && o->dport >= 0;
	if (is_icmp(o->l3, o->l4))
		return o->type >= 0 && o->code >= 0 && o->id >= 0;
	return true;
}

