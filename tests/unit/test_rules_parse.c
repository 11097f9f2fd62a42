// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the rule file parser and printer (tools/rules_parse.c,
 * tools/rules_print.c).
 *
 * One row per snippet: the expected printed form, or the expected error
 * "t.rules:LINE:COL: message 'word'". Every accepted snippet must also
 * survive parse -> print -> parse -> print unchanged and build and
 * compile through the rule set builder; every rejected one must leave
 * nothing allocated (LeakSanitizer checks at exit).
 */
#include <stdlib.h>
#include "rules_parse.h"
#include "tap.h"

#define F "t.rules"

struct row {
	const char *in;
	const char *want;	/* printed form, or the error when it starts with F ":" */
};

static const struct row rows[] = {
	/* The syntax of issue 5, printed back canonically. */
	{ "# comment\nchain input policy drop\n  ct state established,related accept\n",
	  "chain input policy drop\n  ct state established,related accept\n" },
	{ "chain input\n", "chain input policy accept\n" },
	{ "chain input policy drop ; tcp dport 22 accept", "chain input policy drop\n  tcp dport 22 accept\n" },
	{ "chain output policy accept\r\n  accept\r\n", "chain output policy accept\n  accept\n" },
	{ "chain input\n ct state { new , invalid } drop\n",
	  "chain input policy accept\n  ct state new,invalid drop\n" },
	{ "chain input\n ct state untracked, related accept\n",
	  "chain input policy accept\n  ct state related,untracked accept\n" },
	{ "chain input\n iif lo accept\n iifname eth0 oifname \"wan+0\" drop\n",
	  "chain input policy accept\n  iif lo accept\n  iif eth0 oif \"wan+0\" drop\n" },
	{ "chain input\n meta iifname lan0 meta oifname wan0 accept\n",
	  "chain input policy accept\n  iif lan0 oif wan0 accept\n" },
	{ "chain input\n tcp dport { 80, 443, 8000-8080 } accept\n",
	  "chain input policy accept\n  tcp dport { 80, 443, 8000-8080 } accept\n" },
	{ "chain input\n tcp dport {\n 80,\n 443,\n} accept\n",
	  "chain input policy accept\n  tcp dport { 80, 443 } accept\n" },
	{ "chain input\n udp sport 53 udp dport 1024-65535 accept\n",
	  "chain input policy accept\n  udp sport 53 udp dport 1024-65535 accept\n" },
	{ "chain input\n tcp dport 0 accept\n", "chain input policy accept\n  tcp dport 0 accept\n" },
	{ "chain input\n udp dport 53 ip daddr 10.0.0.0/8 accept\n",
	  "chain input policy accept\n  ip daddr 10.0.0.0/8 udp dport 53 accept\n" },
	{ "chain input\n ip saddr 10.1.2.3/8 ip daddr 192.0.2.7/32 drop\n",
	  "chain input policy accept\n  ip saddr 10.0.0.0/8 ip daddr 192.0.2.7 drop\n" },
	{ "chain input\n inet saddr 10.0.0.1 accept\n",
	  "chain input policy accept\n  ip saddr 10.0.0.1 accept\n" },
	{ "chain input\n ip6 saddr 2001:db8::/32 icmpv6 type echo-request accept\n",
	  "chain input policy accept\n  ip6 saddr 2001:db8::/32 icmpv6 type echo-request accept\n" },
	{ "chain input\n ip saddr @trusted icmp type echo-request accept\nset trusted { 10.0.0.0/8, 192.0.2.7, 2001:db8::/48 }\n",
	  "chain input policy accept\n  ip saddr @trusted icmp type echo-request accept\n"
	  "set trusted { 10.0.0.0/8, 192.0.2.7, 2001:db8::/48 }\n" },
	{ "set s { 10.0.0.1 }\nchain input\n inet daddr @s accept\n ip6 saddr @s drop\n",
	  "chain input policy accept\n  inet daddr @s accept\n  ip6 saddr @s drop\nset s { 10.0.0.1 }\n" },
	{ "set big {\n 10.0.0.1, 10.0.0.2,\n 10.0.0.3,\n 10.0.0.4, 10.0.0.5, }\nset e { }\n",
	  "set big {\n  10.0.0.1,\n  10.0.0.2,\n  10.0.0.3,\n  10.0.0.4,\n  10.0.0.5\n}\nset e { }\n" },
	{ "chain input\n icmp type 42 accept\n icmpv6 type packet-too-big accept\n icmpv6 type 1 drop\n",
	  "chain input policy accept\n  icmp type 42 accept\n  icmpv6 type packet-too-big accept\n"
	  "  icmpv6 type destination-unreachable drop\n" },
	{ "chain input\n meta l4proto udp reject\n meta l4proto 47 drop\n meta l4proto 6 tcp dport 1 accept\n",
	  "chain input policy accept\n  meta l4proto udp reject\n  meta l4proto 47 drop\n  tcp dport 1 accept\n" },
	{ "chain forward policy drop\n iif g0 oif g1 tcp dport 21 ct helper set ftp accept\n"
	  " tcp dport 21 ct helper set \"ftp\" log accept\n",
	  "chain forward policy drop\n"
	  "  iif g0 oif g1 tcp dport 21 ct helper set ftp accept\n"
	  "  tcp dport 21 ct helper set ftp log accept\n" },
	/* Issue 16: INVALID by reason, and `ct loose` (an accept). */
	{ "chain forward policy drop\n ct state invalid reason { tcp_seq_out_of_window, tcp_ack_too_old } log accept\n"
	  " ct state invalid reason tcp_seq_out_of_window ct loose\n"
	  " ct state invalid reason bad_tcp_flags counter drop\n"
	  " reason tcp_ack_too_old ct state invalid accept\n"
	  " ct state invalid reason {tcp_rst_out_of_window,tcp_seq_out_of_window} log prefix oow ct loose\n",
	  "chain forward policy drop\n"
	  "  ct state invalid reason { tcp_seq_out_of_window, tcp_ack_too_old } log accept\n"
	  "  ct state invalid reason tcp_seq_out_of_window ct loose\n"
	  "  ct state invalid reason bad_tcp_flags drop\n"
	  "  ct state invalid reason tcp_ack_too_old accept\n"
	  "  ct state invalid reason { tcp_seq_out_of_window, tcp_rst_out_of_window } log prefix \"oow\" ct loose\n" },
	/* Issue 16: per-source limits. */
	{ "chain input policy drop\n tcp dport 22 ct state new ct count over 10 reject\n"
	  " ct count over 3 by ip saddr/24 log drop\n"
	  " ct count over 100 by ip6 saddr/64 counter drop\n"
	  " ct state new ct count over 0 drop\n",
	  "chain input policy drop\n"
	  "  tcp dport 22 ct state new ct count over 10 reject\n"
	  "  ct count over 3 by ip saddr/24 log drop\n"
	  "  ct count over 100 by ip6 saddr/64 drop\n"
	  "  ct state new ct count over 0 drop\n" },
	{ "chain input policy drop\n tcp dport 22 ct count over 5 add @blocked reject\n ip saddr @blocked drop\n"
	  "set blocked { timeout 10m }\nset ban2 { 10.0.0.1, timeout 90 }\nset b3 { timeout 2h,\n 10.9.9.9 }\n",
	  "chain input policy drop\n"
	  "  tcp dport 22 ct count over 5 add @blocked reject\n"
	  "  ip saddr @blocked drop\n"
	  "set blocked { timeout 10m }\n"
	  "set ban2 { timeout 90, 10.0.0.1 }\n"
	  "set b3 { timeout 2h, 10.9.9.9 }\n" },
	{ "chain forward\n tcp dport 22 ct state new ct rate over 3/minute add @b reject\n"
	  " ct rate over 100/second burst 200 by ip saddr/24 drop\n"
	  " ct rate over 1/hour by ip6 saddr/64 ct count over 2 log drop\nset b { timeout 1h }\n",
	  "chain forward policy accept\n"
	  "  tcp dport 22 ct state new ct rate over 3/minute add @b reject\n"
	  "  ct rate over 100/second burst 200 by ip saddr/24 drop\n"
	  "  ct count over 2 ct rate over 1/hour by ip6 saddr/64 log drop\n"
	  "set b { timeout 1h }\n" },
	{ "chain input\n meta nfproto ipv6 accept\n meta nfproto ipv4 meta l4proto icmp drop\n",
	  "chain input policy accept\n  meta nfproto ipv6 accept\n  meta nfproto ipv4 meta l4proto icmp drop\n" },
	{ "chain input\n tcp dport 23 log prefix \"telnet: \" reject\n log drop\n log prefix x accept\n",
	  "chain input policy accept\n  tcp dport 23 log prefix \"telnet: \" reject\n  log drop\n"
	  "  log prefix \"x\" accept\n" },
	{ "chain input\n log prefix \"a \\\"q\\\" \\\\\" accept\n",
	  "chain input policy accept\n  log prefix \"a \\\"q\\\" \\\\\" accept\n" },
	{ "chain input\n tcp dport 22 counter packets 12 bytes 3400 accept\n counter drop\n",
	  "chain input policy accept\n  tcp dport 22 accept\n  drop\n" },
	{ "chain forward policy drop\n ct state established,related accept\n iif lan0 oif wan0 accept\n"
	  "chain input policy drop\nchain output policy accept\n",
	  "chain input policy drop\nchain forward policy drop\n  ct state established,related accept\n"
	  "  iif lan0 oif wan0 accept\nchain output policy accept\n" },
	/* Issue 15: flowtables and `flow add @ft`, an accept that offloads. */
	{ "flowtable ft { devices = { lan0, wan0 } }\nchain forward policy drop\n"
	  " ct state established flow add @ft\n ct state new iif lan0 flow add @ft accept\n",
	  "chain forward policy drop\n  ct state established flow add @ft\n"
	  "  iif lan0 ct state new flow add @ft\n"
	  "flowtable ft { devices = { lan0, wan0 } }\n" },
	{ "chain forward\n tcp dport 80 counter log prefix web flow add @f1\n"
	  "flowtable f1 {\n  hook ingress priority 0; devices = { \"a+b\", c.1,\n d-2, };\n}\n"
	  "flowtable f2 { devices = wan0; hook ingress priority -100 }\n"
	  "flowtable f3 { hook ingress priority filter\n devices = { x } }\n",
	  "chain forward policy accept\n  tcp dport 80 log prefix \"web\" flow add @f1\n"
	  "flowtable f1 { devices = { \"a+b\", c.1, d-2 } }\n"
	  "flowtable f2 { devices = { wan0 } }\nflowtable f3 { devices = { x } }\n" },
	{ "chain forward\n ct state invalid reason tcp_ack_too_old flow add @ft ct loose\n"
	  "flowtable ft { devices = { e0 } }\nset ft { }\n",
	  "chain forward policy accept\n  ct state invalid reason tcp_ack_too_old flow add @ft ct loose\n"
	  "set ft { }\nflowtable ft { devices = { e0 } }\n" },
	{ "flowtable ft { devices = { e0 } }\n", "flowtable ft { devices = { e0 } }\n" },
	{ "", "" },
	{ "# only a comment", "" },

	/* Errors: position and offending word; the first one wins. */
	{ "chain input\n  foo accept\n", F ":2:3: unknown word 'foo'" },
	{ "chain input\n  tcp dport\n", F ":2:7: missing value after 'dport'" },
	{ "chain input\n  tcp\n", F ":2:3: missing value after 'tcp'" },
	{ "chain input\n  tcp flags syn accept\n", F ":2:7: expected sport or dport, not 'flags'" },
	{ "chain input\n  ip saddr 10.0.0.300 accept\n", F ":2:12: bad IPv4 address '10.0.0.300'" },
	{ "chain input\n  ip saddr 10.0.0.0/33 accept\n", F ":2:12: bad prefix length '10.0.0.0/33'" },
	{ "chain input\n  ip saddr 10.0.0.0/ accept\n", F ":2:12: bad prefix length '10.0.0.0/'" },
	{ "chain input\n  ip6 saddr 2001:db8::/129 accept\n", F ":2:13: bad prefix length '2001:db8::/129'" },
	{ "chain input\n  ip6 saddr 2001:zz8::1 accept\n", F ":2:13: bad IPv6 address '2001:zz8::1'" },
	{ "chain input\n  ip saddr 2001:db8::1 accept\n", F ":2:12: IPv6 address after ip: '2001:db8::1'" },
	{ "chain input\n  ip saddr { 10.0.0.1 } accept\n", F ":2:12: bad address '{'" },
	{ "chain input\n  tcp dport 65536 accept\n", F ":2:13: bad port '65536'" },
	{ "chain input\n  tcp dport http accept\n", F ":2:13: bad port 'http'" },
	{ "chain input\n  tcp dport 8080-80 accept\n", F ":2:13: port range is backwards '8080-80'" },
	{ "chain input\n  tcp dport 80- accept\n", F ":2:13: bad port range '80-'" },
	{ "chain input\n  tcp dport { } accept\n", F ":2:15: empty port list at '}'" },
	{ "chain input\n  tcp dport { 1 2 } accept\n", F ":2:17: expected ',' or '}', not '2'" },
	{ "chain input\n  tcp dport 22 accept drop\n", F ":2:23: second action 'drop'" },
	{ "chain input\n  accept tcp dport 22\n", F ":2:10: the action must come last; found after it 'tcp'" },
	{ "chain input\n  tcp dport 22\n", F ":2:13: rule needs an action (accept, drop or reject) after '22'" },
	{ "chain input\n  tcp dport { 22, 23 }\nchain output\n",
	  F ":2:22: rule needs an action (accept, drop or reject) after '}'" },
	{ "chain input\n  dport 22 accept\n", F ":2:3: ports need tcp or udp before 'dport'" },
	{ "chain input\n  meta l4proto icmp tcp dport 22 accept\n",
	  F ":2:21: conflicting protocols: icmp, then 'tcp'" },
	{ "chain input\n  tcp dport 22 udp sport 53 accept\n", F ":2:16: conflicting protocols: tcp, then 'udp'" },
	{ "chain input\n  ip saddr 10.0.0.1 ip6 daddr ::1 accept\n",
	  F ":2:21: conflicting families: ip, then 'ip6'" },
	{ "chain input\n  ip6 saddr ::1 icmp type echo-request accept\n",
	  F ":2:17: conflicting families: ip6, then 'icmp'" },
	{ "chain input\n  meta nfproto ipv4 ip6 saddr @s accept\nset s { ::1 }\n",
	  F ":2:21: conflicting families: ip, then 'ip6'" },
	{ "chain input\n  ip saddr 10.0.0.1 ip saddr 10.0.0.2 accept\n", F ":2:24: second match on 'saddr'" },
	{ "chain input\n  tcp dport 1 tcp dport 2 accept\n", F ":2:19: second match on 'dport'" },
	{ "chain input\n  ct state new ct state invalid accept\n", F ":2:19: second match on 'state'" },
	{ "chain input\n  iif a iif b accept\n", F ":2:9: second match on 'iif'" },
	{ "chain input\n  log log accept\n", F ":2:7: second 'log'" },
	{ "chain input\n  counter counter accept\n", F ":2:11: second 'counter'" },
	{ "chain input\n  counter packets x bytes 1 accept\n", F ":2:19: bad number 'x'" },
	{ "chain input\n  counter packets 1 accept\n", F ":2:21: expected bytes, not 'accept'" },
	{ "chain input\n  ct state bogus accept\n",
	  F ":2:12: unknown ct state (new, established, related, invalid, untracked) 'bogus'" },
	{ "chain input\n  ct state new, accept\n",
	  F ":2:17: unknown ct state (new, established, related, invalid, untracked) 'accept'" },
	{ "chain input\n ct state invalid reason tcp_foo accept\n",
	  F ":2:26: unknown invalid reason (see /proc/net/sfw/invalid) 'tcp_foo'" },
	{ "chain input\n ct state invalid reason { bad_checksum, none } accept\n",
	  F ":2:42: unknown invalid reason (see /proc/net/sfw/invalid) 'none'" },
	{ "chain input\n ct state invalid reason { } accept\n", F ":2:28: empty reason list at '}'" },
	{ "chain input\n ct state invalid reason fragment reason fragment accept\n",
	  F ":2:35: second match on 'reason'" },
	{ "chain input\n reason bad_checksum drop\n",
	  F ":2:2: reason needs ct state invalid, and no other state; at 'reason'" },
	{ "chain input\n ct state new,invalid reason bad_checksum drop\n",
	  F ":2:23: reason needs ct state invalid, and no other state; at 'reason'" },
	{ "chain input\n ct state invalid reason bad_tcp_flags ct loose\n",
	  F ":2:40: ct loose needs ct state invalid reason among tcp_seq_out_of_window, tcp_ack_beyond_end, tcp_ack_too_old, tcp_rst_out_of_window; at 'ct'" },
	{ "chain input\n ct state invalid ct loose\n",
	  F ":2:19: ct loose needs ct state invalid reason among tcp_seq_out_of_window, tcp_ack_beyond_end, tcp_ack_too_old, tcp_rst_out_of_window; at 'ct'" },
	{ "chain prerouting\n ct state invalid reason tcp_ack_too_old ct loose\n",
	  F ":2:42: ct loose needs accept, chain input, forward or output, and TCP window reasons only: 'ct'" },
	{ "chain input\n ct state invalid reason tcp_ack_too_old ct loose accept\n",
	  F ":2:51: second action 'accept'" },
	{ "chain input\n ct state invalid reason tcp_ack_too_old accept ct loose\n",
	  F ":2:49: the action must come last; found after it 'ct'" },
	{ "chain input\n  ct status new accept\n", F ":2:6: expected state, helper, loose, count or rate, not 'status'" },
	{ "chain input\n add @nope drop\n", F ":2:6: unknown set '@nope'" },
	{ "chain input\n add @a add @a drop\nset a { }\n", F ":2:9: second 'add'" },
	{ "chain input\n add blocked drop\n",
	  F ":2:6: bad set name (a letter, then letters, digits, _ - .; at most 31) 'blocked'" },
	{ "set a { timeout 0 }\n", F ":1:17: a set's timeout is at least 1s, not '0'" },
	{ "set a { timeout 8d }\n", F ":1:17: bad duration (N, Ns, Nm or Nh, at most 604800s) '8d'" },
	{ "set a { timeout 1m, timeout 2m }\n", F ":1:21: second 'timeout'" },
	{ "chain input\n ct rate over 5 drop\n",
	  F ":2:15: ct rate over: N/second, N/minute or N/hour, N from 1 to 1000000, not '5'" },
	{ "chain input\n ct rate over 5/day drop\n",
	  F ":2:15: ct rate over: N/second, N/minute or N/hour, N from 1 to 1000000, not '5/day'" },
	{ "chain input\n ct rate over 0/second drop\n",
	  F ":2:15: ct rate over: N/second, N/minute or N/hour, N from 1 to 1000000, not '0/second'" },
	{ "chain input\n ct rate over 5/second burst 0 drop\n",
	  F ":2:30: ct rate burst: 1 to 1000000, not '0'" },
	{ "chain input\n ct rate over 5/second by ip saddr/40 drop\n",
	  F ":2:30: ct rate by ip: expected saddr/LEN (up to /32), not 'saddr/40'" },
	{ "chain prerouting\n ct rate over 5/second drop\n",
	  F ":2:24: ct rate is valid in chains input, forward and output: 'drop'" },
	{ "chain input\n ct count 10 drop\n", F ":2:11: ct count: expected over, not '10'" },
	{ "chain input\n ct count over ten drop\n", F ":2:16: ct count over: a number up to 16777216, not 'ten'" },
	{ "chain input\n ct count over 1 ct count over 2 drop\n", F ":2:21: second match on 'count'" },
	{ "chain input\n ct count over 3 by ether saddr/24 drop\n",
	  F ":2:21: ct count by: expected ip or ip6, not 'ether'" },
	{ "chain input\n ct count over 3 by ip saddr/33 drop\n",
	  F ":2:24: ct count by ip: expected saddr/LEN (up to /32), not 'saddr/33'" },
	{ "chain input\n ct count over 3 by ip daddr/24 drop\n",
	  F ":2:24: ct count by ip: expected saddr/LEN (up to /32), not 'daddr/24'" },
	{ "chain input\n ip6 saddr ::1 ct count over 3 by ip saddr/24 drop\n",
	  F ":2:35: ct count by ip saddr in a rule for ip6; at 'ip'" },
	{ "chain forward\n  udp dport 21 ct helper set ftp accept\n",
	  F ":2:34: ct helper set ftp needs tcp and accept, in input, forward or output; at 'accept'" },
	{ "chain forward\n  tcp dport 21 ct helper set ftp drop\n",
	  F ":2:34: ct helper set ftp needs tcp and accept, in input, forward or output; at 'drop'" },
	{ "chain forward\n  tcp dport 21 ct helper set tftp accept\n",
	  F ":2:30: unknown ct helper (ftp), not 'tftp'" },
	{ "chain forward\n  tcp dport 21 ct helper ftp accept\n", F ":2:26: expected set, not 'ftp'" },
	{ "chain forward\n  ct helper set ftp ct helper set ftp tcp dport 21 accept\n",
	  F ":2:24: second ct 'helper'" },
	{ "chain input\n  icmp type bogus accept\n", F ":2:13: unknown icmp type 'bogus'" },
	{ "chain input\n  icmp type packet-too-big accept\n", F ":2:13: unknown icmp type 'packet-too-big'" },
	{ "chain input\n  icmpv6 type 256 accept\n", F ":2:15: unknown icmpv6 type '256'" },
	{ "chain input\n  meta l4proto 0 accept\n", F ":2:16: unknown protocol '0'" },
	{ "chain input\n  meta mark 1 accept\n",
	  F ":2:8: unknown meta key (l4proto, nfproto, iifname, oifname) 'mark'" },
	{ "chain input\n  iif abcdefghijklmnop accept\n",
	  F ":2:7: bad interface name (1 to 15 characters) 'abcdefghijklmnop'" },
	{ "chain input\n  iif \"\" accept\n", F ":2:7: bad interface name (1 to 15 characters) '\"\"'" },
	{ "chain input\n  iif a/b accept\n",
	  F ":2:7: bad interface name (no spaces, '/', ':' or control characters) 'a/b'" },
	{ "chain input\n  log prefix \"0123456789012345678901234567890123\" drop\n",
	  F ":2:14: log prefix longer than 31 characters '\"0123456789012345678901234567890123\"'" },
	{ "chain input\n  log prefix \"a\tb\" drop\n",
	  F ":2:14: control character in log prefix '\"a\\x09b\"'" },
	{ "chain input\n  log prefix \"telnet: reject\n", F ":2:14: unterminated string '\"telnet: reject'" },
	{ "chain input\n  log prefix \"a\\n\" drop\n",
	  F ":2:16: bad escape (only \\\" and \\\\) in string at '\\n'" },
	{ "chain input\n  tcp dport { 80, 443\n", F ":2:13: unterminated '{'" },
	{ "chain input\n  tcp dport { 80, 443\n  accept\n", F ":3:3: expected ',' or '}', not 'accept'" },
	{ "chain input\n  ct state { new\n", F ":2:12: unterminated '{'" },
	{ "chain input\n  iif eth:0 accept\n",
	  F ":2:7: bad interface name (no spaces, '/', ':' or control characters) 'eth:0'" },
	{ "set s { 10.0.0.1,\n 10.0.0.2\n", F ":1:7: unterminated '{'" },
	{ "chain input\n  tcp dport 22 accept $\n", F ":2:23: unexpected character '$'" },
	{ "chain input\n  tcp dport 22 accept \x01\n", F ":2:23: unexpected character '\\x01'" },
	{ "tcp dport 22 accept\n", F ":1:1: rule outside a chain (start one with `chain input`) at 'tcp'" },
	{ "chain input\nset s { }\n  accept\n",
	  F ":3:3: rule outside a chain (start one with `chain input`) at 'accept'" },
	{ "chain input\nchain input\n", F ":2:7: chain defined twice (first on line 1) 'input'" },
	{ "chain nat\n",
	  F ":1:7: unknown chain (input, forward, output, prerouting, postrouting) 'nat'" },
	{ "chain\n", F ":1:1: missing value after 'chain'" },
	{ "chain input policy reject\n", F ":1:20: policy must be accept or drop, not 'reject'" },
	{ "chain input policy drop extra\n", F ":1:25: expected the end of the line, not 'extra'" },
	{ "set a { }\nset a { 10.0.0.1 }\n", F ":2:5: set defined twice (first on line 1) 'a'" },
	{ "set 1a { }\n",
	  F ":1:5: bad set name (a letter, then letters, digits, _ - .; at most 31) '1a'" },
	{ "set a 10.0.0.1\n", F ":1:7: expected '{', not '10.0.0.1'" },
	{ "set a { 10.0.0.1 10.0.0.2 }\n", F ":1:18: expected ',' or '}', not '10.0.0.2'" },
	{ "set a { 10.0.0.1 } x\n", F ":1:20: expected the end of the line, not 'x'" },
	{ "chain input\n  ip saddr @nope accept\n  ip daddr @other accept\nset other { }\n",
	  F ":2:12: unknown set '@nope'" },
	{ "chain input\n  ip saddr @a-very-long-set-name-that-goes-on-and-on accept\n",
	  F ":2:12: bad set name (a letter, then letters, digits, _ - .; at most 31) "
	  "'@a-very-long-set-name-that-goes-on-and-on'" },
	/* NAT: the examples of sfwctl(8), printed back canonically. */
	{ "chain postrouting\n oif wan0 masquerade\n", "chain postrouting policy accept\n  oif wan0 masquerade\n" },
	{ "chain postrouting\n meta l4proto tcp oif wan0 masquerade to :20000-30000\n",
	  "chain postrouting policy accept\n  oif wan0 meta l4proto tcp masquerade to :20000-30000\n" },
	{ "chain postrouting\n ip saddr 10.0.1.0/24 oif wan0 meta l4proto udp snat to 192.0.2.1-192.0.2.4:20000-60000\n",
	  "chain postrouting policy accept\n  oif wan0 ip saddr 10.0.1.0/24 meta l4proto udp snat to 192.0.2.1-192.0.2.4:20000-60000\n" },
	{ "chain postrouting\n ip saddr 10.0.1.0/24 oif wan0 snat to 192.0.2.1-192.0.2.4\n",
	  "chain postrouting policy accept\n  oif wan0 ip saddr 10.0.1.0/24 snat to 192.0.2.1-192.0.2.4\n" },
	{ "chain postrouting\n ip6 saddr fd00::/64 oif wan0 meta l4proto tcp snat to [2001:db8::1]:1024-65535\n",
	  "chain postrouting policy accept\n  oif wan0 ip6 saddr fd00::/64 meta l4proto tcp snat to [2001:db8::1]:1024-65535\n" },
	{ "chain postrouting\n ip6 saddr fd00::/64 oif wan0 snat to 2001:db8::1\n",
	  "chain postrouting policy accept\n  oif wan0 ip6 saddr fd00::/64 snat to 2001:db8::1\n" },
	{ "chain postrouting\n oif wan0 snat to 2001:db8::1-2001:db8::ff\n",
	  "chain postrouting policy accept\n  oif wan0 snat to 2001:db8::1-2001:db8::ff\n" },
	/* An IPv6 target that starts with "::" is an address, not :PORTS (fuzz). */
	{ "chain postrouting\n oif wan0 ip6 daddr fd00::/64 snat to 0::ff\n",
	  "chain postrouting policy accept\n  oif wan0 ip6 daddr fd00::/64 snat to ::ff\n" },
	{ "chain postrouting\n oif wan0 snat to ::1-::ff\n",
	  "chain postrouting policy accept\n  oif wan0 snat to ::1-::ff\n" },
	{ "chain postrouting\n tcp sport 80 snat to [2001:db8::1-2001:db8::2]:80\n",
	  "chain postrouting policy accept\n  tcp sport 80 snat to [2001:db8::1-2001:db8::2]:80\n" },
	{ "chain prerouting\n iif wan0 tcp dport 80 dnat to 10.0.1.50:8080\n",
	  "chain prerouting policy accept\n  iif wan0 tcp dport 80 dnat to 10.0.1.50:8080\n" },
	{ "chain prerouting\n iif wan0 tcp dport 443 dnat to { 10.0.1.50, 10.0.1.51, 10.0.1.52 } lb hash\n",
	  "chain prerouting policy accept\n  iif wan0 tcp dport 443 dnat to { 10.0.1.50, 10.0.1.51, 10.0.1.52 } lb hash\n" },
	{ "chain prerouting\n iif wan0 udp dport 53 dnat to { 10.0.1.60, 10.0.1.61 } lb rr sticky timeout 30\n",
	  "chain prerouting policy accept\n  iif wan0 udp dport 53 dnat to { 10.0.1.60, 10.0.1.61 } lb rr sticky timeout 30\n" },
	{ "chain prerouting\n iif wan0 tcp dport 8443 dnat to { [fd00::50]:8443, [fd00::51]:8443 } lb hash sticky timeout 10m\n",
	  "chain prerouting policy accept\n  iif wan0 tcp dport 8443 dnat to { [fd00::50]:8443, [fd00::51]:8443 } lb hash sticky timeout 10m\n" },
	{ "chain prerouting\n tcp dport 80 dnat to {\n 10.0.0.1,\n 10.0.0.2:8080-8090,\n} lb rr sticky timeout 3600s\n",
	  "chain prerouting policy accept\n  tcp dport 80 dnat to { 10.0.0.1, 10.0.0.2:8080-8090 } lb rr sticky timeout 1h\n" },
	{ "chain prerouting policy accept\n iif lo accept\n ip saddr 10.0.0.0/8 drop\n dnat to fd00::1\n",
	  "chain prerouting policy accept\n  iif lo accept\n  ip saddr 10.0.0.0/8 drop\n  dnat to fd00::1\n" },
	{ "chain postrouting\n meta nfproto ipv4 masquerade\n", "chain postrouting policy accept\n  meta nfproto ipv4 masquerade\n" },
	{ "chain postrouting\n counter log prefix \"nat \" snat to 192.0.2.1\n",
	  "chain postrouting policy accept\n  log prefix \"nat \" snat to 192.0.2.1\n" },
	/* NAT: what the chains and statements refuse. */
	{ "chain postrouting\n icmp type echo-request masquerade to :20000-30000\n",
	  F ":2:39: ports in a rule for a protocol without ports: ':20000-30000'" },
	{ "chain postrouting policy drop\n",
	  F ":1:26: the policy of chain postrouting must be accept, not 'drop'" },
	{ "chain prerouting policy drop\n",
	  F ":1:25: the policy of chain prerouting must be accept, not 'drop'" },
	{ "chain prerouting\n snat to 192.0.2.1\n",
	  F ":2:2: snat is only valid in chain postrouting: 'snat'" },
	{ "chain postrouting\n masquerade\nchain prerouting\n masquerade\n",
	  F ":4:2: masquerade is only valid in chain postrouting: 'masquerade'" },
	{ "chain postrouting\n dnat to 10.0.0.1\n",
	  F ":2:2: dnat is only valid in chain prerouting: 'dnat'" },
	{ "chain input\n dnat to 10.0.0.1\n",
	  F ":2:2: dnat is only valid in chain prerouting: 'dnat'" },
	{ "chain forward\n masquerade\n",
	  F ":2:2: masquerade is only valid in chain postrouting: 'masquerade'" },
	{ "chain prerouting\n tcp dport 25 reject\n",
	  F ":2:15: reject is not valid in chain prerouting (accept, drop, dnat): 'reject'" },
	{ "chain postrouting\n reject\n",
	  F ":2:2: reject is not valid in chain postrouting (accept, drop, snat, masquerade): 'reject'" },
	{ "chain prerouting\n oif wan0 dnat to 10.0.0.1\n",
	  F ":2:11: prerouting cannot match oif (there is no route yet): 'dnat'" },
	{ "chain prerouting\n oif wan0 accept\n",
	  F ":2:11: prerouting cannot match oif (there is no route yet): 'accept'" },
	{ "chain postrouting\n snat\n",
	  F ":2:2: snat needs exactly one target (an address or range): 'snat'" },
	{ "chain postrouting\n snat to { 192.0.2.1, 192.0.2.2 }\n",
	  F ":2:2: snat needs exactly one target (an address or range): 'snat'" },
	{ "chain postrouting\n tcp dport 80 snat to :1024-2048\n",
	  F ":2:15: snat target 1 needs an address: 'snat'" },
	{ "chain prerouting\n dnat\n", F ":2:2: dnat needs 1 to 256 targets (it has 0): 'dnat'" },
	{ "chain prerouting\n dnat to 10.0.0.1-10.0.0.3\n",
	  F ":2:2: dnat target 1: one address, not a range (list backends in { }): 'dnat'" },
	{ "chain prerouting\n dnat to { 10.0.0.1, 10.0.0.2 }\n",
	  F ":2:2: dnat to 2 targets needs lb hash or lb rr: 'dnat'" },
	{ "chain prerouting\n dnat to 10.0.0.1 lb hash\n",
	  F ":2:2: lb needs more than one dnat target: 'dnat'" },
	{ "chain prerouting\n dnat to { 10.0.0.1 } lb rr\n",
	  F ":2:2: lb needs more than one dnat target: 'dnat'" },
	{ "chain prerouting\n dnat to 10.0.0.1 sticky timeout 30\n",
	  F ":2:2: sticky needs lb hash or lb rr: 'dnat'" },
	{ "chain prerouting\n dnat to { 10.0.0.1, 10.0.0.2 } lb rr sticky timeout 25h\n",
	  F ":2:54: bad duration (N, Ns, Nm or Nh, at most 86400s) '25h'" },
	{ "chain prerouting\n dnat to { 10.0.0.1, 10.0.0.2 } lb rr sticky timeout 2d\n",
	  F ":2:54: bad duration (N, Ns, Nm or Nh, at most 86400s) '2d'" },
	{ "chain prerouting\n dnat to { 10.0.0.1, 10.0.0.2 } sticky timeout 5 lb rr\n",
	  F ":2:50: dnat: to, then lb, then sticky; found out of order 'lb'" },
	{ "chain prerouting\n dnat to { 10.0.0.1, 10.0.0.2 } lb fish\n",
	  F ":2:36: lb is hash or rr, not 'fish'" },
	{ "chain prerouting\n dnat to { 10.0.0.1, 10.0.0.2 } lb rr sticky 5\n",
	  F ":2:46: expected timeout, not '5'" },
	{ "chain prerouting\n dnat to { }\n", F ":2:12: empty target list at '}'" },
	{ "chain prerouting\n dnat to { 10.0.0.1, 10.0.0.2\n", F ":2:10: unterminated '{'" },
	{ "chain prerouting\n dnat to 10.0.0.1 accept\n",
	  F ":2:19: the action must come last; found after it 'accept'" },
	{ "chain postrouting\n masquerade to 192.0.2.1\n",
	  F ":2:2: masquerade takes ports only, not an address: 'masquerade'" },
	{ "chain postrouting\n tcp dport 1 masquerade to { :1000, :2000 }\n",
	  F ":2:14: masquerade takes at most one port range: 'masquerade'" },
	{ "chain postrouting\n masquerade lb hash\n", F ":2:2: lb is for dnat only: 'masquerade'" },
	{ "chain prerouting\n tcp dport 1 dnat to 10.0.0.1:90-80\n",
	  F ":2:22: port range is backwards in '10.0.0.1:90-80'" },
	{ "chain prerouting\n tcp dport 1 dnat to 10.0.0.1:0\n", F ":2:22: port 0 in '10.0.0.1:0'" },
	{ "chain prerouting\n tcp dport 1 dnat to 10.0.0.1:99999\n",
	  F ":2:22: bad port in '10.0.0.1:99999'" },
	{ "chain prerouting\n dnat to 10.0.0.1:80\n",
	  "chain prerouting policy accept\n  dnat to 10.0.0.1:80\n" },
	{ "chain postrouting\n oif wan0 masquerade to :20000-30000\n",
	  "chain postrouting policy accept\n  oif wan0 masquerade to :20000-30000\n" },
	{ "chain postrouting\n ip saddr 10.0.1.0/24 oif wan0 snat to 192.0.2.1-192.0.2.4:20000-60000\n",
	  "chain postrouting policy accept\n  oif wan0 ip saddr 10.0.1.0/24 snat to 192.0.2.1-192.0.2.4:20000-60000\n" },
	{ "chain prerouting\n ip saddr 10.0.0.0/8 dnat to fd00::1\n",
	  F ":2:30: IPv6 target in a rule for IPv4: 'fd00::1'" },
	{ "chain prerouting\n dnat to { 10.0.0.1, fd00::1 } lb rr\n",
	  F ":2:22: IPv6 target in a rule for IPv4: 'fd00::1'" },
	{ "chain postrouting\n snat to 192.0.2.9-192.0.2.1\n",
	  F ":2:10: address range is backwards in '192.0.2.9-192.0.2.1'" },
	{ "chain postrouting\n snat to 192.0.2.1-fd00::1\n",
	  F ":2:10: IPv4 and IPv6 mixed in '192.0.2.1-fd00::1'" },
	{ "chain postrouting\n snat to 2001:db8::1-2001:db8:1::1\n",
	  F ":2:2: snat target 1: an IPv6 range may vary in its last 32 bits only: 'snat'" },
	{ "chain postrouting\n snat to 0.0.0.0-255.255.255.255\n",
	  F ":2:2: snat target 1: address range too wide: 'snat'" },
	{ "chain postrouting\n snat to 0.0.0.1-255.255.255.255\n",
	  "chain postrouting policy accept\n  snat to 0.0.0.1-255.255.255.255\n" },
	{ "chain prerouting\n dnat to 10.0.0.300\n", F ":2:10: bad IPv4 address in '10.0.0.300'" },
	{ "chain prerouting\n tcp dport 1 dnat to [fd00::1:80\n",
	  F ":2:22: missing ']' in '[fd00::1:80'" },
	{ "chain prerouting\n tcp dport 1 dnat to [fd00::1]80\n",
	  F ":2:22: expected ':' after ']' in '[fd00::1]80'" },
	{ "chain prerouting\n dnat to 10.0.0.1]\n", F ":2:10: bad NAT target '10.0.0.1]'" },
	{ "chain prerouting\n dnat to\n", F ":2:7: missing value after 'to'" },
	{ "chain input\n accept to 10.0.0.1\n",
	  F ":2:9: the action must come last; found after it 'to'" },
	{ "chain prerouting\n tcp dport 80\n",
	  F ":2:12: rule needs an action (accept, drop or dnat) after '80'" },
	/* Flowtables: every check of the builder, at its word. */
	{ "chain forward\n flow add @nope\n", F ":2:11: unknown flowtable '@nope'" },
	{ "chain forward\n ip saddr @ft flow add @ft\nflowtable ft { devices = { e0 } }\n",
	  F ":2:11: unknown set '@ft'" },
	{ "chain input\n flow add @ft\nflowtable ft { devices = { e0 } }\n",
	  F ":2:2: flow add is valid in chain forward only; at 'flow'" },
	{ "chain prerouting\n flow add @ft dnat to 10.0.0.1\nflowtable ft { devices = { e0 } }\n",
	  F ":2:2: flow add is valid in chain forward only; at 'flow'" },
	{ "chain forward\n flow add @ft drop\nflowtable ft { devices = { e0 } }\n",
	  F ":2:15: flow add needs accept (or no action), not 'drop'" },
	{ "chain forward\n flow add @ft reject\nflowtable ft { devices = { e0 } }\n",
	  F ":2:15: flow add needs accept (or no action), not 'reject'" },
	{ "chain forward\n accept flow add @ft\n",
	  F ":2:9: the action must come last; found after it 'flow'" },
	{ "chain forward\n flow add @a flow add @b\n", F ":2:14: second 'flow'" },
	{ "chain forward\n flow offload @a\n", F ":2:7: flow: expected add, not 'offload'" },
	{ "chain forward\n flow add ft\n",
	  F ":2:11: bad flowtable name (a letter, then letters, digits, _ - .; at most 31) 'ft'" },
	{ "chain forward\n flow add\n", F ":2:7: missing value after 'add'" },
	{ "flowtable a { devices = { e0, e1 } }\nflowtable b { devices = { e2, e1 } }\n",
	  F ":2:31: a device is in one flowtable at most; already in a (line 1): 'e1'" },
	{ "flowtable a { devices = { e0, e1, e0 } }\n",
	  F ":1:35: device given twice in flowtable a: 'e0'" },
	{ "flowtable a { devices = { } }\n", F ":1:27: empty device list at '}'" },
	{ "flowtable a { }\n", F ":1:15: flowtable a needs devices = { ... } before '}'" },
	{ "flowtable a { hook ingress priority 0 }\n",
	  F ":1:39: flowtable a needs devices = { ... } before '}'" },
	{ "flowtable a { devices = { e0 } devices = { e1 } }\n", F ":1:32: second 'devices'" },
	{ "flowtable a { devices { e0 } }\n", F ":1:23: expected '=' after devices, not '{'" },
	{ "flowtable a { devices = { e0 }\n", F ":1:13: unterminated '{'" },
	{ "flowtable a { devices = { e0 } } accept\n", F ":1:34: expected the end of the line, not 'accept'" },
	{ "flowtable abcdefghijabcdefghijabcdefghijab { devices = { e0 } }\n",
	  F ":1:11: bad flowtable name (a letter, then letters, digits, _ - .; at most 31) 'abcdefghijabcdefghijabcdefghijab'" },
	{ "flowtable 1a { devices = { e0 } }\n",
	  F ":1:11: bad flowtable name (a letter, then letters, digits, _ - .; at most 31) '1a'" },
	{ "flowtable a { devices = { e0 } }\nflowtable a { devices = { e1 } }\n",
	  F ":2:11: flowtable defined twice (first on line 1) 'a'" },
	{ "flowtable a { devices = { abcdefghijklmnop } }\n",
	  F ":1:27: bad interface name (1 to 15 characters) 'abcdefghijklmnop'" },
	{ "flowtable a { devices = { \"e+0\", \"e/1\" } }\n",
	  F ":1:34: bad interface name (no spaces, '/', ':' or control characters) '\"e/1\"'" },
	{ "flowtable a { hook egress priority 0; devices = { e0 } }\n",
	  F ":1:20: a flowtable's hook is ingress, not 'egress'" },
	{ "flowtable a { hook ingress prio 0; devices = { e0 } }\n",
	  F ":1:28: expected priority, not 'prio'" },
	{ "flowtable a { hook ingress priority raw; devices = { e0 } }\n",
	  F ":1:37: flowtable priority: a number or filter, not 'raw'" },
	{ "flowtable a { hook ingress priority 0; hook ingress priority 0; devices = { e0 } }\n",
	  F ":1:40: second 'hook'" },
	{ "flowtable a { flags offload; devices = { e0 } }\n",
	  F ":1:15: not supported in a flowtable (sfw's fast path is software only, and counts in the connection): 'flags'" },
	{ "flowtable a { device = { e0 } }\n",
	  F ":1:15: expected devices or hook in a flowtable, not 'device'" },
	{ "chain forward\n tcp dport 1 flowtable a { devices = { e0 } }\n",
	  F ":2:14: rule needs an action (accept, drop or reject) before 'flowtable'" },

	/* The first error wins, even when an unknown set comes before it. */
	{ "chain input\n  ip saddr @nope accept\n  bogus\n", F ":3:3: unknown word 'bogus'" },
	{ "chain input\n  bogus\n  tcp dport 99999 accept\n", F ":2:3: unknown word 'bogus'" },
};

static struct rules_file *parse(const char *in, size_t len, char *err)
{
	return sfw_rules_parse(F, in, len, err);
}

static char *print(const struct rules_file *rf, unsigned int flags, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		abort();
	if (json)
		sfw_rules_print_json(m, rf, flags);
	else
		sfw_rules_print(m, rf, flags);
	fclose(m);
	return buf;
}

/* A parsed file must build and compile: the parser checks what the builder checks. */
static bool builds(const struct rules_file *rf, char *why, size_t size)
{
	struct sfw_ruleset_builder *b = sfw_ruleset_builder_new();
	char err[SFW_RULES_ERR_LEN] = "";
	struct sfw_ruleset *rs = NULL;

	if (!b)
		abort();
	if (sfw_rules_file_to_builder(rf, b, err))
		snprintf(why, size, "builder: %s", err);
	else if (!(rs = sfw_ruleset_compile(b, 7, err)))
		snprintf(why, size, "compile: %s", err);
	sfw_ruleset_free(rs);
	sfw_ruleset_builder_free(b);
	return rs != NULL;
}

static void test_rows(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct row *r = &rows[i];
		char err[SFW_RULES_ERR_LEN], why[1024] = "", name[64];
		struct rules_file *rf = parse(r->in, strlen(r->in), err);
		bool want_err = !strncmp(r->want, F ":", strlen(F) + 1);
		char *out = NULL, *out2 = NULL, *cnt = NULL;
		struct rules_file *rf2 = NULL, *rf3 = NULL;

		snprintf(name, sizeof(name), "row %u (line %u of the table)", i + 1, i + 1);
		if (want_err) {
			if (rf)
				snprintf(why, sizeof(why), "parsed, wanted %s", r->want);
			else if (strcmp(err, r->want))
				snprintf(why, sizeof(why), "got <%s> want <%s>", err, r->want);
			goto done;
		}
		if (!rf) {
			snprintf(why, sizeof(why), "error %s", err);
			goto done;
		}
		out = print(rf, 0, false);
		if (strcmp(out, r->want)) {
			snprintf(why, sizeof(why), "printed <%s> want <%s>", out, r->want);
			goto done;
		}
		/* Round trip: print -> parse -> print gives the same text. */
		rf2 = parse(out, strlen(out), err);
		if (!rf2) {
			snprintf(why, sizeof(why), "reparse of <%s>: %s", out, err);
			goto done;
		}
		out2 = print(rf2, 0, false);
		if (strcmp(out, out2)) {
			snprintf(why, sizeof(why), "round trip <%s> became <%s>", out, out2);
			goto done;
		}
		/* With counters, as `ruleset show` prints: it loads to the same rules. */
		cnt = print(rf, SFW_RULES_PRINT_COUNTERS, false);
		rf3 = parse(cnt, strlen(cnt), err);
		free(out2);
		out2 = rf3 ? print(rf3, 0, false) : NULL;
		if (!rf3 || strcmp(out, out2)) {
			snprintf(why, sizeof(why), "with counters <%s>: %s", cnt, rf3 ? out2 : err);
			goto done;
		}
		builds(rf, why, sizeof(why));
done:
		if (!tap_result(!why[0], name, why))
			tap_diag("input: <%s>", r->in);
		free(out);
		free(out2);
		free(cnt);
		sfw_rules_free(rf);
		sfw_rules_free(rf2);
		sfw_rules_free(rf3);
	}
}

/* What the builder gets: the rule fields, ports, set names and lines, matched for real. */
static void test_builder(void)
{
	static const char in[] =
		"chain input policy drop\n"
		"  ct state established,related accept\n"
		"  tcp dport { 22, 8000-8080 } ct state new accept\n"
		"  ip saddr @trusted icmp type echo-request accept\n"
		"  udp dport 53 reject\n"
		"chain output\n"
		"set trusted { 10.0.0.0/8, 2001:db8::/48 }\n";
	struct sfw_tuple t = { .l3num = SFW_AF_INET, .l4proto = SFW_IPPROTO_TCP };
	struct sfw_match_pkt m = { .t = &t, .ctinfo = SFW_CT_NEW };
	char err[SFW_RULES_ERR_LEN] = "", why[SFW_RULES_ERR_LEN] = "";
	struct sfw_ruleset_builder *b = sfw_ruleset_builder_new();
	struct rules_file *rf = parse(in, sizeof(in) - 1, err);
	struct sfw_ruleset *rs = NULL;
	const struct rules_rule *rr;

	if (!rf || sfw_rules_file_to_builder(rf, b, err) || !(rs = sfw_ruleset_compile(b, 1, err))) {
		snprintf(why, sizeof(why), "%s", err);
		goto out;
	}
	rr = &rf->chain[SFW_CHAIN_INPUT].rules[1];
	if (rr->line != 3 || rr->r.ndport != 2 || rr->dports[1].lo != 8000 ||
	    rr->dports[1].hi != 8080 || rr->r.l4proto != SFW_IPPROTO_TCP ||
	    rr->r.ctstate != 1U << SFW_CT_NEW) {
		snprintf(why, sizeof(why), "rule 2 read wrong");
		goto out;
	}
	if (rs->chain[SFW_CHAIN_INPUT].policy != SFW_ACT_DROP ||
	    rs->chain[SFW_CHAIN_OUTPUT].policy != SFW_ACT_ACCEPT) {
		snprintf(why, sizeof(why), "policies");
		goto out;
	}
	t.dport = htons(8042);
	if (sfw_ruleset_match(rs, SFW_CHAIN_INPUT, &m) != 1) {
		snprintf(why, sizeof(why), "tcp 8042 new: not rule 2");
		goto out;
	}
	t.dport = htons(23);
	if (sfw_ruleset_match(rs, SFW_CHAIN_INPUT, &m) != -1) {
		snprintf(why, sizeof(why), "tcp 23 new: not the policy");
		goto out;
	}
	t.l4proto = SFW_IPPROTO_ICMP;
	t.dport = htons(8 << 8);
	t.src.ip = htonl(0x0a010203);
	if (sfw_ruleset_match(rs, SFW_CHAIN_INPUT, &m) != 2)
		snprintf(why, sizeof(why), "ping from 10.1.2.3: not rule 3");
	t.src.ip = htonl(0x0b010203);
	if (!why[0] && sfw_ruleset_match(rs, SFW_CHAIN_INPUT, &m) != -1)
		snprintf(why, sizeof(why), "ping from 11.1.2.3: not the policy");
out:
	tap_result(!why[0], "builder gets the parsed rules and sets", why);
	sfw_ruleset_free(rs);
	sfw_ruleset_builder_free(b);
	sfw_rules_free(rf);
}

/* The builder gets the flowtables, and each flow add its flowtable's index. */
static void test_builder_flowtable(void)
{
	static const char in[] =
		"chain forward policy drop\n"
		"  iif lan1 flow add @b\n"
		"  ct state established flow add @a\n"
		"  accept\n"
		"flowtable a { devices = { lan0, wan0 } }\n"
		"flowtable b { devices = lan1 }\n";
	char err[SFW_RULES_ERR_LEN] = "", why[SFW_RULES_ERR_LEN] = "";
	struct sfw_ruleset_builder *b = sfw_ruleset_builder_new();
	struct rules_file *rf = parse(in, sizeof(in) - 1, err);
	struct sfw_ruleset *rs = NULL;
	const struct sfw_chain_rules *fw;

	if (!rf || sfw_rules_file_to_builder(rf, b, err) || !(rs = sfw_ruleset_compile(b, 1, err))) {
		snprintf(why, sizeof(why), "%s", err);
		goto out;
	}
	fw = &rs->chain[SFW_CHAIN_FORWARD];
	if (rs->nflowtables != 2 || strcmp(rs->flowtables[0].name, "a") ||
	    rs->flowtables[0].ndevs != 2 || strcmp(rs->flowtables[0].devs[1], "wan0") ||
	    strcmp(rs->flowtables[1].name, "b") || rs->flowtables[1].ndevs != 1)
		snprintf(why, sizeof(why), "flowtables built wrong");
	else if (fw->n != 3 || fw->rules[0].flow_table != 1 || fw->rules[1].flow_table != 0 ||
		 fw->rules[2].flow_table != -1 || fw->rules[0].action != SFW_ACT_ACCEPT)
		snprintf(why, sizeof(why), "flow add indexes wrong");
	else if (sfw_ruleset_flowtable_of(rs, "lan1") != 1 || sfw_ruleset_flowtable_of(rs, "x") != -1)
		snprintf(why, sizeof(why), "device lookup wrong");
out:
	tap_result(!why[0], "builder gets the flowtables and flow add", why);
	sfw_ruleset_free(rs);
	sfw_ruleset_builder_free(b);
	sfw_rules_free(rf);
}

/* A builder error is reported as FILE:LINE of the rule. */
static void test_builder_error(void)
{
	char err[SFW_RULES_ERR_LEN] = "", why[SFW_RULES_ERR_LEN + 16] = "";
	struct sfw_ruleset_builder *b = sfw_ruleset_builder_new();
	struct rules_file *rf = parse("chain input\n\n  accept\n  drop\n", 28, err);

	/* A rule the parser cannot produce: what a kernel dump might hold. */
	rf->chain[SFW_CHAIN_INPUT].rules[1].r.action = 9;
	if (!sfw_rules_file_to_builder(rf, b, err))
		snprintf(why, sizeof(why), "builder took action 9");
	else if (strcmp(err, F ":4: unknown action 9"))
		snprintf(why, sizeof(why), "got <%s>", err);
	tap_result(!why[0], "builder error as file:line", why);
	sfw_ruleset_builder_free(b);
	sfw_rules_free(rf);

	/* A device in two flowtables, as a kernel dump might hold: the flowtable's line. */
	b = sfw_ruleset_builder_new();
	why[0] = 0;
	rf = parse("flowtable a { devices = { e0 } }\n\nflowtable b { devices = { e1 } }\n", 67, err);
	if (!rf)
		abort();
	strcpy(rf->flowtables[1].devs[0], "e0");
	if (!sfw_rules_file_to_builder(rf, b, err))
		snprintf(why, sizeof(why), "builder took e0 twice");
	else if (strcmp(err, F ":3: flowtable b: device e0 is in flowtable a"))
		snprintf(why, sizeof(why), "got <%s>", err);
	tap_result(!why[0], "flowtable builder error as file:line", why);
	sfw_ruleset_builder_free(b);
	sfw_rules_free(rf);
}

/* Append @s to a growing buffer. */
struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->len, s, n + 1);
	b->len += n;
}

static void expect(const char *name, const char *in, size_t len, const char *want)
{
	char err[SFW_RULES_ERR_LEN] = "", why[SFW_RULES_ERR_LEN + 64] = "";
	struct rules_file *rf = parse(in, len, err);

	if (!want && !rf)
		snprintf(why, sizeof(why), "%s", err);
	else if (want && rf)
		snprintf(why, sizeof(why), "parsed, wanted %s", want);
	else if (want && strcmp(err, want))
		snprintf(why, sizeof(why), "got <%s> want <%s>", err, want);
	else if (rf)
		builds(rf, why, sizeof(why));
	tap_result(!why[0], name, why);
	sfw_rules_free(rf);
}

static void test_limits(void)
{
	struct sbuf b = { 0 };
	char line[128];
	u32 i;

	/* A line of exactly 4096 characters is fine; 4097 is not. */
	sb_add(&b, "chain input\n  accept");
	while (b.len < 12 + 4096)
		sb_add(&b, " ");
	sb_add(&b, "\n");
	expect("line of 4096 characters", b.p, b.len, NULL);
	b.len = b.len - 1;
	sb_add(&b, " \n");
	expect("line of 4097 characters", b.p, b.len, F ":2:4097: line longer than 4096 characters at ' '");

	/* 65536 rules in a chain, then one too many. */
	b.len = 0;
	sb_add(&b, "chain input\n");
	for (i = 0; i < SFW_RULES_MAX; i++) {
		snprintf(line, sizeof(line), "tcp dport %u accept\n", i);
		sb_add(&b, line);
	}
	expect("65536 rules", b.p, b.len, NULL);
	sb_add(&b, "drop\n");
	snprintf(line, sizeof(line), F ":%u:1: more than 65536 rules in chain input at 'drop'",
		 SFW_RULES_MAX + 2);
	expect("65537 rules", b.p, b.len, line);

	/* A set of 1e6 elements split across lines, then one too many. */
	b.len = 0;
	sb_add(&b, "set big {\n");
	for (i = 0; i < SFW_RULES_SET_MAX; i++) {
		snprintf(line, sizeof(line), "%u.%u.%u.%u,%s", 10 + (i >> 24), (i >> 16) & 255,
			 (i >> 8) & 255, i & 255, i % 8 == 7 ? "\n" : " ");
		sb_add(&b, line);
	}
	sb_add(&b, "}\n");
	expect("set of 1000000 elements", b.p, b.len, NULL);
	b.len -= 2;
	sb_add(&b, "1.2.3.4 }\n");
	snprintf(line, sizeof(line), F ":%u:1: more than 1000000 elements in set big at '1.2.3.4'",
		 SFW_RULES_SET_MAX / 8 + 2);
	expect("set of 1000001 elements", b.p, b.len, line);

	/* 256 ports in a list, then 257; 256 sets, then 257. */
	b.len = 0;
	sb_add(&b, "chain input\n tcp dport { 1");
	for (i = 2; i <= SFW_PORT_RANGES_MAX; i++) {
		snprintf(line, sizeof(line), ", %u", i);
		sb_add(&b, line);
	}
	expect("256 ports", b.p, b.len, F ":2:12: unterminated '{'");
	sb_add(&b, " } accept\n");
	expect("256 ports", b.p, b.len, NULL);
	b.len -= 10;
	sb_add(&b, ", 9 } accept\n");
	expect("257 ports", b.p, b.len, F ":2:1186: more than 256 ports in a list at '9'");

	b.len = 0;
	for (i = 0; i < SFW_SETS_MAX; i++) {
		snprintf(line, sizeof(line), "set s%u { }\n", i);
		sb_add(&b, line);
	}
	expect("256 sets", b.p, b.len, NULL);
	sb_add(&b, "set x { }\n");
	expect("257 sets", b.p, b.len, F ":257:5: more than 256 sets at 'x'");

	/* 32 devices in a flowtable, then 33; 8 flowtables, then 9. */
	b.len = 0;
	sb_add(&b, "flowtable ft { devices = { d0");
	for (i = 1; i < SFW_FLOWTABLE_DEVS_MAX; i++) {
		snprintf(line, sizeof(line), ", d%u", i);
		sb_add(&b, line);
	}
	sb_add(&b, " } }\n");
	expect("32 devices", b.p, b.len, NULL);
	b.len -= 5;
	sb_add(&b, ", d32 } }\n");
	expect("33 devices", b.p, b.len,
	       F ":1:178: more than 32 devices in flowtable ft at 'd32'");

	b.len = 0;
	for (i = 0; i < SFW_FLOWTABLES_MAX; i++) {
		snprintf(line, sizeof(line), "flowtable f%u { devices = { e%u } }\n", i, i);
		sb_add(&b, line);
	}
	expect("8 flowtables", b.p, b.len, NULL);
	sb_add(&b, "flowtable x { devices = { x } }\n");
	expect("9 flowtables", b.p, b.len, F ":9:11: more than 8 flowtables at 'x'");

	/* A NUL byte is a character like any other: refused, not the end. */
	expect("NUL byte", "chain input\n accept\0drop\n", 25, F ":2:8: unexpected character '\\x00'");
	/* An unterminated file with no newline at the end is fine. */
	expect("no final newline", "chain input\n accept", 19, NULL);
	free(b.p);
}

static void test_json(void)
{
	static const char in[] =
		"chain input policy drop\n"
		"  iif \"a\\\"b\" ip saddr @t tcp dport { 1, 2-3 } log prefix \"x\" accept\n"
		"set t { 10.0.0.0/8 }\n";
	static const char want[] =
		"{\"chains\":[{\"name\":\"input\",\"policy\":\"drop\",\"rules\":[{\"action\":\"accept\","
		"\"line\":2,\"family\":\"ip\",\"l4proto\":\"tcp\",\"iif\":\"a\\\"b\","
		"\"saddr_set\":\"t\",\"dport\":[[1,1],[2,3]],\"log\":{\"prefix\":\"x\"},"
		"\"packets\":0,\"bytes\":0,"
		"\"text\":\"iif \\\"a\\\\\\\"b\\\" ip saddr @t tcp dport { 1, 2-3 } log prefix \\\"x\\\" accept\"}]}],"
		"\"sets\":[{\"name\":\"t\",\"elements\":[\"10.0.0.0/8\"]}],\"flowtables\":[]}\n";
	char err[SFW_RULES_ERR_LEN] = "", why[2048] = "";
	struct rules_file *rf = parse(in, sizeof(in) - 1, err);
	char *out = rf ? print(rf, SFW_RULES_PRINT_COUNTERS, true) : NULL;

	if (!rf)
		snprintf(why, sizeof(why), "%s", err);
	else if (strcmp(out, want))
		snprintf(why, sizeof(why), "got <%s> want <%s>", out, want);
	tap_result(!why[0], "json", why);
	free(out);
	sfw_rules_free(rf);
}

/* NAT in JSON: the targets, lb and sticky, and the text beside them. */
static void test_json_nat(void)
{
	static const char in[] =
		"chain prerouting\n"
		"  tcp dport 443 dnat to { 10.0.1.50, 10.0.1.51:8443 } lb rr sticky timeout 1m\n"
		"chain postrouting\n"
		"  udp dport 53 snat to 192.0.2.1-192.0.2.4:1024-2047\n"
		"  masquerade\n";
	static const char want[] =
		"{\"chains\":[{\"name\":\"prerouting\",\"policy\":\"accept\",\"rules\":[{\"action\":\"dnat\","
		"\"line\":2,\"family\":\"ip\",\"l4proto\":\"tcp\",\"dport\":[[443,443]],"
		"\"nat\":{\"targets\":[{\"addr\":\"10.0.1.50\"},{\"addr\":\"10.0.1.51\",\"ports\":[8443,8443]}],"
		"\"lb\":\"rr\",\"sticky\":60},"
		"\"text\":\"tcp dport 443 dnat to { 10.0.1.50, 10.0.1.51:8443 } lb rr sticky timeout 1m\"}]},"
		"{\"name\":\"postrouting\",\"policy\":\"accept\",\"rules\":[{\"action\":\"snat\","
		"\"line\":4,\"family\":\"ip\",\"l4proto\":\"udp\",\"dport\":[[53,53]],"
		"\"nat\":{\"targets\":[{\"addr\":\"192.0.2.1\",\"addr_hi\":\"192.0.2.4\",\"ports\":[1024,2047]}]},"
		"\"text\":\"udp dport 53 snat to 192.0.2.1-192.0.2.4:1024-2047\"},"
		"{\"action\":\"masquerade\",\"line\":5,\"text\":\"masquerade\"}]}],\"sets\":[],"
		"\"flowtables\":[]}\n";
	char err[SFW_RULES_ERR_LEN] = "", why[4096] = "";
	struct rules_file *rf = parse(in, sizeof(in) - 1, err);
	char *out = rf ? print(rf, 0, true) : NULL;

	if (!rf)
		snprintf(why, sizeof(why), "%s", err);
	else if (strcmp(out, want))
		snprintf(why, sizeof(why), "got <%s> want <%s>", out, want);
	tap_result(!why[0], "json with NAT", why);
	free(out);
	sfw_rules_free(rf);
}

/* Flowtables in JSON: the rule's flow_add, and each flowtable's devices. */
static void test_json_flowtable(void)
{
	static const char in[] =
		"chain forward policy drop\n"
		"  ct state established flow add @ft\n"
		"flowtable ft { devices = { lan0, \"w+0\" } }\n";
	static const char want[] =
		"{\"chains\":[{\"name\":\"forward\",\"policy\":\"drop\",\"rules\":[{\"action\":\"accept\","
		"\"line\":2,\"ct_state\":[\"established\"],\"flow_add\":\"ft\","
		"\"text\":\"ct state established flow add @ft\"}]}],\"sets\":[],"
		"\"flowtables\":[{\"name\":\"ft\",\"devices\":[\"lan0\",\"w+0\"]}]}\n";
	char err[SFW_RULES_ERR_LEN] = "", why[2048] = "";
	struct rules_file *rf = parse(in, sizeof(in) - 1, err);
	char *out = rf ? print(rf, 0, true) : NULL;

	if (!rf)
		snprintf(why, sizeof(why), "%s", err);
	else if (strcmp(out, want))
		snprintf(why, sizeof(why), "got <%s> want <%s>", out, want);
	tap_result(!why[0], "json with a flowtable", why);
	free(out);
	sfw_rules_free(rf);
}

int main(void)
{
	test_rows();
	test_builder();
	test_builder_flowtable();
	test_builder_error();
	test_json();
	test_json_nat();
	test_json_flowtable();
	test_limits();
	return tap_done();
}
