// SPDX-License-Identifier: GPL-2.0
/*
 * monitor.c: sfwctl monitor, connection events as conntrack -E prints
 * them. Events carry a sequence number; a gap, or a receive buffer
 * overrun (ENOBUFS), is reported and followed by a dump of the table on a
 * socket of its own ([EXISTING] lines), so the reader can resynchronise.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/sfw.h>

#include "sfwctl.h"
#include "ct.h"
#include "json.h"


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
		sfw_json_print(stdout, conn_json(&c, event_name(c.event)));
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
		/* The same flat shape as an event's line, without "seq". */
		sfw_json_print(stdout, conn_json(&c, "EXISTING"));
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

static void monitor_help(void)
{
	puts("usage: sfwctl monitor [-j]\n"
	     "print connection events (NEW, UPDATE, DESTROY) as conntrack -E does;\n"
	     "-j prints one JSON object per line. Lost events are reported and\n"
	     "followed by the table as it is ([EXISTING] lines).");
}

int cmd_monitor(struct nl *nl, int argc, char **argv)
{
	struct monitor m = { .nl = nl };
	struct sigaction sa = { .sa_handler = on_signal };
	int n, ret, bufsize = 4 << 20;
	struct args a;

	args_plain(&a, "monitor", argc, argv, monitor_help, 0, &n);
	free(a.av);
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

