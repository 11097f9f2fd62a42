// SPDX-License-Identifier: GPL-2.0
/*
 * args.c: sfwctl's arguments and its two ways out. A usage error prints
 * "sfwctl: <what> (sfwctl help)" and exits 2; any other failure exits 1.
 * The filter and tuple options of the ct commands are parsed here, before
 * a command opens its netlink socket.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
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

/*
 * A number from the command line, read as the rule files read theirs:
 * decimal digits only, so 010 is ten and 0x50 is refused rather than read
 * as eighty. Out of 0..@max, or not a number, is a usage error that names
 * @opt.
 */
int64_t arg_number(const char *opt, const char *s, uint32_t max)
{
	uint64_t v = 0;
	const char *c;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		usage_error("%s: '%s' is hexadecimal; numbers are decimal, as in rule files",
			    opt, s);
	for (c = s; *c; c++) {
		if (*c < '0' || *c > '9')
			usage_error("%s: '%s' is not a decimal number", opt, s);
		if (v <= max)
			v = v * 10 + (*c - '0');
	}
	if (c == s)
		usage_error("%s: a number is missing", opt);
	if (v > max)
		usage_error("%s: %s is out of range (0 to %u)", opt, s, max);
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
	return arg_number("-p", s, 255);
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
	*len = slash ? arg_number(opt, slash, *l3 == AF_INET ? 32 : 128) : -1;
}

/* ---- getopt_long over a command's words ---- */

/*
 * getopt wants a program name in argv[0], and permutes what it scans: the
 * words after the command are copied behind the command's name, so that
 * "--dport=22", "--dport 22", "-ptcp" and "-p tcp" all read the same and
 * options may come before or after the words they go with.
 */
void args_start(struct args *a, const char *cmd, int argc, char **argv,
		void (*help)(void))
{
	a->cmd = cmd;
	a->help = help;
	a->argc = argc + 1;
	a->av = calloc(argc + 2, sizeof(*a->av));
	if (!a->av)
		die("out of memory");
	a->av[0] = (char *)cmd;
	memcpy(a->av + 1, argv, argc * sizeof(*argv));
	optind = 0;	/* glibc: start over, a fresh scan */
	opterr = 0;	/* errors are ours to word */
}

/* The word getopt stopped at, as the user wrote it. */
static const char *bad_word(const struct args *a, char *buf)
{
	const char *w = a->av[optind - 1];

	if (!strncmp(w, "--", 2) || !optopt || optopt >= 256)
		return w;
	buf[0] = '-';
	buf[1] = optopt;
	buf[2] = 0;
	return buf;
}

/*
 * The next option, as getopt_long() returns it; -1 when none is left.
 * -j and -h are every command's: -j sets JSON output, -h prints @help and
 * exits 0. An unknown option, or one without its value, is a usage error.
 */
int args_next(struct args *a, const char *shortopts, const struct option *longopts)
{
	char buf[3];
	int c;

	for (;;) {
		c = getopt_long(a->argc, a->av, shortopts, longopts, NULL);
		if (c == 'j') {
			json = true;
		} else if (c == 'h') {
			a->help();
			exit(0);
		} else if (c == ':') {
			usage_error("%s: %s needs a value", a->cmd, a->av[optind - 1]);
		} else if (c == '?') {
			usage_error("%s: unknown argument '%s'", a->cmd, bad_word(a, buf));
		} else {
			return c;
		}
	}
}

/* After args_next() returned -1: the words that are not options. */
char **args_rest(struct args *a, int *n)
{
	*n = a->argc - optind;
	return a->av + optind;
}

/* A command with no options but -j and -h; more than @max words is an error. */
char **args_plain(struct args *a, const char *cmd, int argc, char **argv,
		  void (*help)(void), int max, int *n)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char **rest;

	args_start(a, cmd, argc, argv, help);
	while (args_next(a, ":jh", longopts) != -1)
		;
	rest = args_rest(a, n);
	if (*n > max)
		usage_error("%s: unknown argument '%s'", cmd, rest[max]);
	return rest;
}

/* ---- the ct options ---- */

enum {
	OPT_SPORT = 256, OPT_DPORT, OPT_PORT, OPT_TYPE, OPT_CODE, OPT_ID, OPT_STATE,
	OPT_EXPECT,
};

static const struct option ct_longopts[] = {
	{ "family", required_argument, NULL, 'f' },
	{ "proto", required_argument, NULL, 'p' },
	{ "src", required_argument, NULL, 's' },
	{ "dst", required_argument, NULL, 'd' },
	{ "sport", required_argument, NULL, OPT_SPORT },
	{ "dport", required_argument, NULL, OPT_DPORT },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "code", required_argument, NULL, OPT_CODE },
	{ "id", required_argument, NULL, OPT_ID },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "expect", no_argument, NULL, OPT_EXPECT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/*
 * The options of ct list/get/delete; @allowed names what this command
 * takes beyond the filter: 'o' (-o extended), 'e' (--expect).
 */
void parse_opts(struct opts *o, int argc, char **argv, const char *cmd,
		const char *allowed, void (*help)(void))
{
	struct args a;
	char **rest;
	size_t s;
	int c, n;

	opts_init(o);
	args_start(&a, cmd, argc, argv, help);
	while ((c = args_next(&a, ":jhf:p:s:d:o:", ct_longopts)) != -1) {
		const char *v = optarg;

		switch (c) {
		case 'o':
			if (!strchr(allowed, 'o'))
				usage_error("%s: unknown argument '-o'", cmd);
			if (strcmp(v, "extended"))
				usage_error("%s: -o takes 'extended'", cmd);
			o->extended = true;
			break;
		case OPT_EXPECT:
			if (!strchr(allowed, 'e'))
				usage_error("%s: unknown argument '--expect'", cmd);
			o->expect = true;
			break;
		case 'f':
			if (!strcmp(v, "ipv4"))
				o->l3 = AF_INET;
			else if (!strcmp(v, "ipv6"))
				o->l3 = AF_INET6;
			else
				usage_error("%s: -f takes ipv4 or ipv6", cmd);
			break;
		case 'p':
			o->l4 = proto_number(v);
			break;
		case 's':
			parse_addr("--src", v, o->src, &o->src_l3, &o->src_len);
			o->has_src = true;
			break;
		case 'd':
			parse_addr("--dst", v, o->dst, &o->dst_l3, &o->dst_len);
			o->has_dst = true;
			break;
		case OPT_SPORT:
			o->sport = arg_number("--sport", v, 65535);
			break;
		case OPT_DPORT:
			o->dport = arg_number("--dport", v, 65535);
			break;
		case OPT_PORT:
			o->port = arg_number("--port", v, 65535);
			break;
		case OPT_TYPE:
			o->type = arg_number("--type", v, 255);
			break;
		case OPT_CODE:
			o->code = arg_number("--code", v, 255);
			break;
		case OPT_ID:
			o->id = arg_number("--id", v, 65535);
			break;
		case OPT_STATE:
			for (s = 0; s < ARRAY_SIZE(sfw_tcp_state_names); s++)
				if (!strcasecmp(v, sfw_tcp_state_names[s]))
					break;
			if (s == ARRAY_SIZE(sfw_tcp_state_names))
				usage_error("%s: unknown TCP state '%s'", cmd, v);
			o->state = s;
			break;
		}
	}
	rest = args_rest(&a, &n);
	if (n)
		usage_error("%s: unknown argument '%s'", cmd, rest[0]);
	free(a.av);
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

bool args_take_flag(int *argc, char **argv, const char *flag)
{
	bool seen = false;
	int i, j;

	for (i = j = 0; i < *argc; i++) {
		if (!strcmp(argv[i], flag))
			seen = true;
		else
			argv[j++] = argv[i];
	}
	*argc = j;
	return seen;
}
