// SPDX-License-Identifier: GPL-2.0
/*
 * nft_read.c - import-nft's input: this namespace's nftables tables,
 * chains, rules, sets and set elements, flowtables, one netlink dump each, parsed by
 * libnftnl into lists that the translation walks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include "nft_import.h"

#define NFT_BUF (1U << 20)

static struct mnl_socket *nft_sock;
static unsigned int nft_portid, nft_seq;
static char *nft_buf;

static int nft_talk(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	unsigned int seq = nlh->nlmsg_seq;
	int n;

	if (mnl_socket_sendto(nft_sock, nlh, nlh->nlmsg_len) < 0)
		return -1;
	while ((n = mnl_socket_recvfrom(nft_sock, nft_buf, NFT_BUF)) > 0) {
		n = mnl_cb_run(nft_buf, n, seq, nft_portid, cb, data);
		if (n <= 0)
			return n;
	}
	return n;
}

static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_table *t = nftnl_table_alloc();

	if (!t || nftnl_table_nlmsg_parse(nlh, t) < 0)
		die("import-nft: cannot parse a table");
	nftnl_table_list_add_tail(t, data);
	return MNL_CB_OK;
}

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (!c || nftnl_chain_nlmsg_parse(nlh, c) < 0)
		die("import-nft: cannot parse a chain");
	nftnl_chain_list_add_tail(c, data);
	return MNL_CB_OK;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r || nftnl_rule_nlmsg_parse(nlh, r) < 0)
		die("import-nft: cannot parse a rule");
	nftnl_rule_list_add_tail(r, data);
	return MNL_CB_OK;
}

static int set_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s || nftnl_set_nlmsg_parse(nlh, s) < 0)
		die("import-nft: cannot parse a set");
	nftnl_set_list_add_tail(s, data);
	return MNL_CB_OK;
}

static int flowtable_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_flowtable *ft = nftnl_flowtable_alloc();

	if (!ft || nftnl_flowtable_nlmsg_parse(nlh, ft) < 0)
		die("import-nft: cannot parse a flowtable");
	nftnl_flowtable_list_add_tail(ft, data);
	return MNL_CB_OK;
}

static int elem_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nftnl_set_elems_nlmsg_parse(nlh, data) < 0)
		die("import-nft: cannot parse set elements");
	return MNL_CB_OK;
}

void nft_read(struct nft_objs *o)
{
	struct nftnl_set_list_iter *it;
	struct nlmsghdr *nlh;
	struct nftnl_set *s;

	nft_buf = malloc(NFT_BUF);
	nft_sock = mnl_socket_open(NETLINK_NETFILTER);
	if (!nft_buf || !nft_sock || mnl_socket_bind(nft_sock, 0, MNL_SOCKET_AUTOPID) < 0)
		die("import-nft: netlink: %s", strerror(errno));
	nft_portid = mnl_socket_get_portid(nft_sock);
	nft_seq = time(NULL);
	o->tables = nftnl_table_list_alloc();
	o->chains = nftnl_chain_list_alloc();
	o->rules = nftnl_rule_list_alloc();
	o->sets = nftnl_set_list_alloc();
	o->flowtables = nftnl_flowtable_list_alloc();
	if (!o->tables || !o->chains || !o->rules || !o->sets || !o->flowtables)
		die("out of memory");

	nlh = nftnl_nlmsg_build_hdr(nft_buf, NFT_MSG_GETTABLE, NFPROTO_UNSPEC, NLM_F_DUMP, ++nft_seq);
	if (nft_talk(nlh, table_cb, o->tables) < 0)
		die("import-nft: cannot list tables: %s", strerror(errno));

	nlh = nftnl_nlmsg_build_hdr(nft_buf, NFT_MSG_GETCHAIN, NFPROTO_UNSPEC, NLM_F_DUMP, ++nft_seq);
	if (nft_talk(nlh, chain_cb, o->chains) < 0)
		die("import-nft: cannot list chains: %s", strerror(errno));
	nlh = nftnl_nlmsg_build_hdr(nft_buf, NFT_MSG_GETRULE, NFPROTO_UNSPEC, NLM_F_DUMP, ++nft_seq);
	if (nft_talk(nlh, rule_cb, o->rules) < 0)
		die("import-nft: cannot list rules: %s", strerror(errno));
	nlh = nftnl_nlmsg_build_hdr(nft_buf, NFT_MSG_GETSET, NFPROTO_UNSPEC, NLM_F_DUMP, ++nft_seq);
	if (nft_talk(nlh, set_cb, o->sets) < 0)
		die("import-nft: cannot list sets: %s", strerror(errno));
	nlh = nftnl_nlmsg_build_hdr(nft_buf, NFT_MSG_GETFLOWTABLE, NFPROTO_UNSPEC, NLM_F_DUMP,
				    ++nft_seq);
	if (nft_talk(nlh, flowtable_cb, o->flowtables) < 0)
		die("import-nft: cannot list flowtables: %s", strerror(errno));

	it = nftnl_set_list_iter_create(o->sets);
	while ((s = nftnl_set_list_iter_next(it))) {
		nlh = nftnl_nlmsg_build_hdr(nft_buf, NFT_MSG_GETSETELEM,
					    nftnl_set_get_u32(s, NFTNL_SET_FAMILY), NLM_F_DUMP, ++nft_seq);
		nftnl_set_elems_nlmsg_build_payload(nlh, s);
		if (nft_talk(nlh, elem_cb, s) < 0)
			die("import-nft: cannot list set %s: %s",
			    nftnl_set_get_str(s, NFTNL_SET_NAME), strerror(errno));
	}
	nftnl_set_list_iter_destroy(it);
}
