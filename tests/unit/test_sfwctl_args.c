// SPDX-License-Identifier: GPL-2.0
/*
 * sfwctl's arguments, without a kernel: the tool's own command table and
 * command files (tools/sfwctl.c, args.c, ct.c, config.c, ...) are linked
 * here over a stand-in for transport.c. The stand-in writes "netlink:" on
 * stdout when a command opens the socket, and prints each request's
 * attributes instead of sending it ("filter 7=10": attribute 7 of the
 * nest, value 10, ports in host order), so a case can check what an
 * argument became, and that a usage error came before the module was
 * touched. Each case runs sfwctl's main() in a child; TAP on stdout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/sfw.h>

#define main sfwctl_main
#include "sfwctl.c"
#undef main

#include "tap.h"

/* ---- the stand-in for transport.c ---- */

static char msgbuf[8192];

void nl_open(struct nl *nl)
{
	nl->sock = (struct mnl_socket *)1;
	nl->buf = msgbuf;
	nl->family = 0x100;
	nl->events_group = 0;
	printf("netlink:");
}

void nl_ready(struct nl *nl)
{
	if (!nl->sock)
		nl_open(nl);
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

static const char *const nest_names[] = {
	[SFW_A_FILTER] = "filter", [SFW_A_TUPLE] = "tuple", [SFW_A_CONFIG] = "config",
};

/* " filter 7=10 2=6": each nest's numeric members. */
int request(struct nl *nl, struct nlmsghdr *nlh, msg_cb cb, void *data)
{
	const struct nlattr *top, *a;

	(void)nl;
	(void)cb;
	(void)data;
	printf(" cmd=%u", ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd);
	mnl_attr_for_each(top, nlh, sizeof(struct genlmsghdr)) {
		unsigned int t = mnl_attr_get_type(top);

		printf(" %s", t < ARRAY_SIZE(nest_names) && nest_names[t] ? nest_names[t] : "?");
		mnl_attr_for_each_nested(a, top) {
			switch (mnl_attr_get_payload_len(a)) {
			case 1:
				printf(" %u=%u", mnl_attr_get_type(a), mnl_attr_get_u8(a));
				break;
			case 2:
				printf(" %u=%u", mnl_attr_get_type(a), ntohs(mnl_attr_get_u16(a)));
				break;
			case 4:
				printf(" %u=%u", mnl_attr_get_type(a), mnl_attr_get_u32(a));
				break;
			}
		}
	}
	printf("\n");
	return 0;
}

void kernel_error(struct nl *nl, const char *what)
{
	(void)nl;
	die("%s: %s", what, strerror(errno));
}

void nl_report_counts(void)
{
}

/* The rule commands are another file's; this test does not reach them. */
int cmd_ruleset(struct nl *nl, int argc, char **argv) { (void)nl; (void)argc; (void)argv; return 99; }
int cmd_rule(struct nl *nl, int argc, char **argv) { (void)nl; (void)argc; (void)argv; return 99; }
int cmd_set(struct nl *nl, int argc, char **argv) { (void)nl; (void)argc; (void)argv; return 99; }
int cmd_counters(struct nl *nl, int argc, char **argv) { (void)nl; (void)argc; (void)argv; return 99; }
int cmd_explain(struct nl *nl, int argc, char **argv) { (void)nl; (void)argc; (void)argv; return 99; }
int cmd_drops(struct nl *nl, int argc, char **argv) { (void)nl; (void)argc; (void)argv; return 99; }
void rules_help(void) {}

/* stats_prom.c reads the rule set too: here, only that stats reached it. */
int stats_prometheus(struct nl *nl)
{
	nl_ready(nl);
	printf(" prometheus\n");
	return 0;
}

/* ---- running sfwctl ---- */

/* Run "sfwctl @line" in a child: its exit status, stdout and stderr in @out. */
static int run_line(const char *line, char *out, size_t size)
{
	char copy[512], *argv[32], *w;
	int fds[2], status, argc = 0;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(fds) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		snprintf(copy, sizeof(copy), "%s", line);
		argv[argc++] = "sfwctl";
		for (w = strtok(copy, " "); w && argc < 31; w = strtok(NULL, " "))
			argv[argc++] = w;
		argv[argc] = NULL;
		exit(sfwctl_main(argc, argv));
	}
	close(fds[1]);
	while (len + 1 < size && (n = read(fds[0], out + len, size - len - 1)) > 0)
		len += n;
	out[len] = 0;
	close(fds[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * One case: sfwctl @line exits @rc, its output holds @want (NULL: not
 * checked; "!text": must not hold text), and "netlink:" appears only if
 * @touches says so.
 */
static void check(const char *name, const char *line, int rc, const char *want, bool touches)
{
	char out[4096], why[4600];
	int got = run_line(line, out, sizeof(out));
	bool touched = strstr(out, "netlink:");

	if (got != rc)
		snprintf(why, sizeof(why), "exit %d, want %d: %s", got, rc, out);
	else if (want && want[0] == '!' && strstr(out, want + 1))
		snprintf(why, sizeof(why), "output '%s' holds '%s'", out, want + 1);
	else if (want && want[0] != '!' && !strstr(out, want))
		snprintf(why, sizeof(why), "output '%s' lacks '%s'", out, want);
	else if (touched != touches)
		snprintf(why, sizeof(why), "%s the module: %s",
			 touched ? "touched" : "did not touch", out);
	else
		why[0] = 0;
	tap_result(!why[0], name, why);
}

/* " filter N=V": what the filter nest must hold. */
static const char *attr(const char *nest, int type, unsigned int value)
{
	static char buf[8][64];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s%s%d=%u", nest, nest[0] ? " " : "", type, value);
	return buf[i];
}

/*
 * stats -j and -o prometheus print every counter by its sfw_stat_names[]
 * entry and skip a nameless one: a new counter without a name would be
 * dropped without a word (offload and fastpath, issue 15, were added so).
 */
static void test_stat_names(void)
{
	char why[64] = "";
	int i;

	for (i = SFW_STATS_A_ENTRIES; i <= SFW_STATS_A_MAX; i++)
		if (i != SFW_STATS_A_PAD && !sfw_stat_names[i])
			snprintf(why, sizeof(why), "stat attribute %d has no name", i);
	tap_result(!why[0], "every stat counter has a name", why);
}

int main(void)
{
	/* getopt's two spellings of a value */
	check("--dport=22", "ct list --dport=22", 0, attr("filter", SFW_FILTER_A_DPORT, 22), true);
	check("--dport 22", "ct list --dport 22", 0, attr("filter", SFW_FILTER_A_DPORT, 22), true);
	check("-ptcp", "ct list -ptcp", 0, attr("filter", SFW_FILTER_A_L4, 6), true);
	check("-p tcp", "ct list -p tcp", 0, attr("filter", SFW_FILTER_A_L4, 6), true);
	check("--proto=udp after a filter", "ct list --sport 5 --proto=udp", 0,
	      attr("", SFW_FILTER_A_L4, 17), true);
	check("-oextended", "ct list -oextended", 0, NULL, true);
	check("-o extended", "ct list -o extended", 0, NULL, true);
	check("--family=ipv6 --state ESTABLISHED", "ct list --family=ipv6 --state ESTABLISHED",
	      0, attr("filter", SFW_FILTER_A_L3, 10), true);

	/* -j before or after the command: ct list's JSON is "[" ... "]" */
	check("-j before the command", "-j ct list", 0, "[]", true);
	check("-j after the command", "ct list -j", 0, "[]", true);
	check("-j after its filters", "ct list -p tcp -j", 0, "[]", true);
	check("no -j: no JSON", "ct list", 0, "![]", true);
	check("-j before config get", "-j config get udp_timeout", 0, "{", true);
	check("-j after config get's NAME", "config get udp_timeout -j", 0, "{", true);

	/* numbers are decimal */
	check("--dport 010 is 10", "ct list --dport 010", 0,
	      attr("filter", SFW_FILTER_A_DPORT, 10), true);
	check("--dport 0x50 refused", "ct list --dport 0x50", 2,
	      "--dport: '0x50' is hexadecimal; numbers are decimal", false);
	check("--dport 65536 out of range", "ct list --dport 65536", 2,
	      "--dport: 65536 is out of range (0 to 65535)", false);
	check("--dport -1 refused", "ct list --dport -1", 2, "--dport: '-1' is not a decimal", false);
	check("-p 017 is 17", "ct list -p 017", 0, attr("filter", SFW_FILTER_A_L4, 17), true);
	check("prefix /024 is 24", "ct list -s 10.0.0.0/024", 0,
	      attr("", SFW_FILTER_A_SRC_PREFIX, 24), true);
	check("prefix /33 names --src", "ct list -s 10.0.0.0/33", 2,
	      "--src: 33 is out of range (0 to 32)", false);
	check("config set 010 is 10", "config set udp_timeout 010", 0,
	      attr("", SFW_CONFIG_A_VALUE, 10), true);
	check("config set 0x10 refused", "config set udp_timeout 0x10", 2, "hexadecimal", false);
	check("config set 2^32 refused", "config set udp_timeout 4294967296", 2,
	      "4294967296 is out of range (0 to 4294967295)", false);

	/* a whole tuple, in both spellings */
	check("ct get: a tuple", "ct get -pudp -s 10.0.0.1 --dst=10.0.0.2 --sport=1 --dport 2", 0,
	      attr("", SFW_TUPLE_A_DPORT, 2), true);

	/* usage errors come before the module */
	check("ct delete without a filter", "ct delete", 2,
	      "ct delete: no tuple or filter given", false);
	check("ct delete -j without a filter", "ct delete -j", 2, "no tuple or filter", false);
	check("ct delete --type without a tuple", "ct delete -p icmp --type 3", 2,
	      "--type, --code and --id name one ICMP connection", false);
	check("ct list --type without a tuple", "ct list --type 3", 2, "--type, --code", false);
	check("ct delete with a filter", "ct delete -p tcp --dport 5", 0,
	      attr("filter", SFW_FILTER_A_L4, 6), true);
	check("ct get without a tuple", "ct get -p tcp", 2, "give a whole tuple", false);
	check("unknown argument", "ct list --bogus", 2, "ct list: unknown argument '--bogus'", false);
	check("a value missing", "ct list --dport", 2, "ct list: --dport needs a value", false);
	check("a word left over", "stats now", 2, "stats: unknown argument 'now'", false);
	check("stats -o prometheus", "stats -o prometheus", 0, "prometheus", true);
	check("stats --output=prometheus", "stats --output=prometheus", 0, "prometheus", true);
	check("stats -o json refused", "stats -o json", 2, "stats: -o takes 'prometheus'", false);
	check("stats -j -o prometheus refused", "stats -j -o prometheus", 2,
	      "-j and -o prometheus exclude each other", false);
	check("config get: a name too long",
	      "config get aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 2,
	      "config get: no setting", false);
	check("unknown command", "bogus", 2, "unknown command 'bogus'", false);
	check("-h: exit 0 without the module", "ct list -h", 0, "usage: sfwctl ct list", false);

	test_stat_names();
	return tap_done();
}
