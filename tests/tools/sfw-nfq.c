// SPDX-License-Identifier: GPL-2.0
/*
 * sfw-nfq: a userspace NFQUEUE acceptor for the VM tests. It binds one
 * queue, takes each packet the kernel queues (metadata only, no payload
 * copied) and reinjects it with NF_ACCEPT, so that the hooks after the
 * queueing rule, sfw's among them, see a reinjected packet, in process
 * context. It counts what it accepted and writes the count to a file
 * on SIGTERM/SIGINT.
 *
 * usage: sfw-nfq QUEUE COUNTFILE
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>

static volatile sig_atomic_t stop;
static unsigned long accepted;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static struct nlmsghdr *nfq_hdr(char *buf, int type, unsigned int queue)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(queue);
	return nlh;
}

static int send_config(struct mnl_socket *nl, unsigned int queue, int cmd)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nfq_hdr(buf, NFQNL_MSG_CONFIG, queue);
	struct nfqnl_msg_config_cmd c = { .command = cmd };
	struct nfqnl_msg_config_params p = { .copy_range = htonl(0), .copy_mode = NFQNL_COPY_META };

	mnl_attr_put(nlh, NFQA_CFG_CMD, sizeof(c), &c);
	if (cmd == NFQNL_CFG_CMD_BIND)
		mnl_attr_put(nlh, NFQA_CFG_PARAMS, sizeof(p), &p);
	return mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ? -1 : 0;
}

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, NFQA_MAX) < 0)
		return MNL_CB_OK;
	if (type == NFQA_PACKET_HDR &&
	    mnl_attr_validate2(a, MNL_TYPE_UNSPEC, sizeof(struct nfqnl_msg_packet_hdr)) < 0)
		return MNL_CB_ERROR;
	tb[type] = a;
	return MNL_CB_OK;
}

static int packet_cb(const struct nlmsghdr *nlh, void *data)
{
	struct mnl_socket *nl = data;
	const struct nlattr *tb[NFQA_MAX + 1] = {};
	const struct nfqnl_msg_packet_hdr *ph;
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nfqnl_msg_verdict_hdr v;
	struct nlmsghdr *out;

	if (mnl_attr_parse(nlh, sizeof(*nfg), attr_cb, tb) < 0 || !tb[NFQA_PACKET_HDR])
		return MNL_CB_ERROR;
	ph = mnl_attr_get_payload(tb[NFQA_PACKET_HDR]);
	out = nfq_hdr(buf, NFQNL_MSG_VERDICT, ntohs(nfg->res_id));
	v.verdict = htonl(NF_ACCEPT);
	v.id = ph->packet_id;
	mnl_attr_put(out, NFQA_VERDICT_HDR, sizeof(v), &v);
	if (mnl_socket_sendto(nl, out, out->nlmsg_len) < 0)
		return MNL_CB_ERROR;
	accepted++;
	return MNL_CB_OK;
}

int main(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE + 0xffff];
	struct sigaction sa = { .sa_handler = on_signal };
	struct mnl_socket *nl;
	unsigned int queue;
	FILE *f;
	int n;

	if (argc != 3) {
		fprintf(stderr, "usage: sfw-nfq QUEUE COUNTFILE\n");
		return 2;
	}
	queue = (unsigned int)strtoul(argv[1], NULL, 0);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("sfw-nfq: netlink socket");
		return 1;
	}
	if (send_config(nl, queue, NFQNL_CFG_CMD_BIND) < 0) {
		perror("sfw-nfq: bind queue");
		return 1;
	}
	while (!stop) {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			perror("sfw-nfq: recv");
			break;
		}
		if (mnl_cb_run(buf, n, 0, mnl_socket_get_portid(nl), packet_cb, nl) < 0 &&
		    errno != EINTR) {
			perror("sfw-nfq: bad message");
			break;
		}
	}
	send_config(nl, queue, NFQNL_CFG_CMD_UNBIND);
	mnl_socket_close(nl);
	f = fopen(argv[2], "w");
	if (f) {
		fprintf(f, "%lu\n", accepted);
		fclose(f);
	}
	return stop ? 0 : 1;
}
