// SPDX-License-Identifier: GPL-2.0
/*
 * A rule file through sfwctl's netlink encoding and back, without a
 * kernel: tools/rules_encode.c writes a load's RULESET_ADD messages into
 * a stand-in for transport.c, which keeps them; each top-level attribute
 * is then served back as one message of a RULESET_GET dump (as the
 * module dumps: a chain, a rule, a set or a flowtable a message) to
 * tools/rules_decode.c. What it rebuilds must print as the file did, so
 * every field the encoder sends the decoder reads, and the other way
 * round. TAP on stdout.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include "rules_nl.h"
#include "tap.h"

bool json;

/* ---- the stand-in for transport.c ---- */

#define MAX_MSGS 64

static char sendbuf[MSG_MAX * 2];
static char *sent[MAX_MSGS];	/* the RULESET_ADD messages, copied */
static unsigned int nsent;
static char *dump[4 * MAX_MSGS];	/* what the dump serves, one object each */
static unsigned int ndump;

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void kernel_error(struct nl *nl, const char *what)
{
	die("%s: %s", what, nl->errmsg);
}

struct nlmsghdr *msg_start(struct nl *nl, uint16_t type, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	return nlh;
}

static char *copy_msg(const struct nlmsghdr *nlh)
{
	char *m = malloc(nlh->nlmsg_len);

	if (!m)
		abort();
	memcpy(m, nlh, nlh->nlmsg_len);
	return m;
}

/* Keep each RULESET_ADD; answer a RULESET_GET dump with what dump[] holds. */
int request(struct nl *nl, struct nlmsghdr *nlh, msg_cb cb, void *data)
{
	uint8_t cmd = ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd;
	unsigned int i;

	(void)nl;
	if (cmd == SFW_CMD_RULESET_ADD) {
		if (nsent == MAX_MSGS)
			abort();
		sent[nsent++] = copy_msg(nlh);
		return 0;
	}
	if (cmd != SFW_CMD_RULESET_GET)
		abort();
	for (i = 0; i < ndump; i++)
		if (cb((struct nlmsghdr *)dump[i], data) != MNL_CB_OK)
			return -1;
	return 0;
}

/* A dump message holding @attr (or a chain's ID and POLICY) and the generation. */
static void dump_add(struct nl *nl, const struct nlattr *attr, int chain, u8 policy)
{
	struct nlmsghdr *nlh = msg_start(nl, 0x100, SFW_CMD_RULESET_GET, NLM_F_MULTI);
	struct nlattr *nest;

	if (ndump == sizeof(dump) / sizeof(dump[0]))
		abort();
	if (attr) {
		memcpy(mnl_nlmsg_get_payload_tail(nlh), attr, MNL_ALIGN(attr->nla_len));
		nlh->nlmsg_len += MNL_ALIGN(attr->nla_len);
	} else {
		nest = mnl_attr_nest_start(nlh, SFW_A_CHAIN);
		mnl_attr_put_u8(nlh, SFW_CHAIN_A_ID, chain);
		mnl_attr_put_u8(nlh, SFW_CHAIN_A_POLICY, policy);
		mnl_attr_nest_end(nlh, nest);
	}
	mnl_attr_put_u64(nlh, SFW_A_GENERATION, 7);
	dump[ndump++] = copy_msg(nlh);
}

static struct rules_file *parse(const char *in)
{
	char err[SFW_RULES_ERR_LEN];
	struct rules_file *rf = sfw_rules_parse("t.rules", in, strlen(in), err);

	if (!rf)
		die("%s", err);
	return rf;
}

static char *print(const struct rules_file *rf)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		abort();
	sfw_rules_print(m, rf, 0);
	fclose(m);
	return buf;
}

/* @in sent as a load would send it, dumped back, printed: the same text? */
static void round_trip(const char *name, const char *in)
{
	struct nl nl = { .family = 0x100, .buf = sendbuf };
	struct rules_file *rf = parse(in);
	struct sender s = { &nl, NULL, rf };
	char *want = print(rf), *got = NULL, why[4096] = "";
	struct nlattr *a;
	struct dump d;
	unsigned int c, i;

	rules_sender_start(&s);
	for (c = 0; c < SFW_CHAIN_COUNT; c++)
		for (i = 0; i < rf->chain[c].n; i++)
			rules_send_rule(&s, c, &rf->chain[c].rules[i]);
	for (i = 0; i < rf->nsets; i++)
		rules_send_set(&s, &rf->sets[i]);
	for (i = 0; i < rf->nflowtables; i++)
		rules_send_flowtable(&s, &rf->flowtables[i]);
	rules_sender_flush(&s);

	/* The module's dump: the chains, then each object a message, in order. */
	for (c = 0; c < SFW_CHAIN_COUNT; c++)
		if (rf->chain[c].defined)
			dump_add(&nl, NULL, c, rf->chain[c].policy);
	for (i = 0; i < nsent; i++)
		mnl_attr_for_each(a, (struct nlmsghdr *)sent[i], sizeof(struct genlmsghdr))
			dump_add(&nl, a, 0, 0);
	rules_dump(&nl, SFW_CMD_RULESET_GET, NULL, &d);
	got = print(d.rf);
	if (strcmp(got, want))
		snprintf(why, sizeof(why), "got <%s> want <%s>", got, want);
	tap_result(!why[0], name, why);
	free(want);
	free(got);
	sfw_rules_free(rf);
	sfw_rules_free(d.rf);
	for (i = 0; i < nsent; i++)
		free(sent[i]);
	for (i = 0; i < ndump; i++)
		free(dump[i]);
	nsent = ndump = 0;
}

int main(void)
{
	round_trip("rules and a set",
		   "chain input policy drop\n"
		   "  ct state established,related accept\n"
		   "  iif lo ip saddr @trusted tcp dport { 22, 8000-8080 } log prefix \"x\" accept\n"
		   "  ct count over 3 by ip saddr/24 add @trusted reject\n"
		   "set trusted { 10.0.0.0/8, 2001:db8::/48 }\n");
	round_trip("flowtables and flow add",
		   "flowtable ft { devices = { lan0, wan0 } }\n"
		   "flowtable f2 { devices = { \"w+1\" } }\n"
		   "chain forward policy drop\n"
		   "  ct state established flow add @ft\n"
		   "  iif \"w+1\" tcp dport 80 log flow add @f2\n"
		   "  ct state invalid reason tcp_ack_too_old flow add @ft ct loose\n"
		   "  iif lan0 accept\n");
	return tap_done();
}
