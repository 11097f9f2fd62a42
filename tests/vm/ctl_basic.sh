#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: release
# sfwctl against the module, checked against /proc/net/sfw and the sysctls:
#   ct list (all, filtered, -o extended = /proc's lines), ct get by either
#   tuple, ct delete by tuple and by filter, ct flush;
#   a deleted TCP connection is picked up again (tcp_loose=1) or its next
#   packet is INVALID (tcp_loose=0);
#   config get/set <-> net.sfw.*; stats <-> /proc/net/sfw/stat, /invalid;
#   -j output, read with jq: its fields match the text and /proc;
#   no CAP_NET_ADMIN -> EPERM; no module -> one line;
#   usage errors exit 2, kernel errors print the extack and exit 1.
#
#   client ---- gateway (sfwctl runs here) ---- server
source lib.sh
shopt -s lastpipe	# `... | json_check`: its FAIL sets ret here, not in a subshell
need socat sfw-pkt sfwctl jq sfw-nocap

trap cleanup EXIT

# proc_norm / ctl_norm: the entries without the timeout column, sorted.
proc_norm() { gw cat /proc/net/sfw/conntrack | awk '{ $5 = ""; print }' | sort; }
ctl_norm() { gw sfwctl ct list -o extended "$@" 2>/dev/null | awk '{ $5 = ""; print }' | sort; }

sfw_unload
out=$(sfwctl stats 2>&1)
check_eq "no module: one line" "$out (exit $?)" "sfwctl: sfw module not loaded (exit 1)"
sfwctl bogus 2>/dev/null
check_eq "unknown command exits 2" $? 2
sfwctl ct list --bogus 2>/dev/null
check_eq "unknown argument exits 2" $? 2
check_eq "unknown argument: one line on stderr" "$(sfwctl ct list --bogus 2>&1 | wc -l)" 1

gateway_up || exit $ksft_fail
set_family 4
busywait 5000 ip netns exec "$client" ping -c 1 -W 1 "$S" >/dev/null || fail "no path client -> server"
ip netns exec "$client" ping -6 -c 1 -W 1 fd00:2::2 >/dev/null

# Some entries: five UDP flows, a ping each way of v4, an open TCP connection.
ip netns exec "$client" sfw-pkt -s "$C" -d "$S" udp --sport 20000 --dport 7000 --flows 5
ip netns exec "$server" socat -u TCP-LISTEN:5000,reuseaddr OPEN:/dev/null &
busywait 5000 listening "$server" 5000
tcp_open c "$client" TCP:"$S":5000
tcp_send c a
check_ct "TCP connection established" "$gateway" "ESTABLISHED .*dport=5000 "
busywait 3000 bash -c "[ \$(ip netns exec $gateway cat /proc/net/sfw/conntrack | grep -c 'udp .*dport=7000 ') = 5 ]" ||
	fail "five UDP entries"

n_proc=$(ct_count "$gateway")
n_ctl=$(gw sfwctl ct list 2>&1 >/dev/null)
check_eq "ct list: summary counts /proc's entries" "$n_ctl" "sfwctl: $n_proc connections shown"
check_eq "ct list: one line per entry" "$(gw sfwctl ct list 2>/dev/null | wc -l)" "$n_proc"
# Counters and states may move between the two reads: retry a little.
if busywait 3000 bash -c "[ \"\$(ip netns exec $gateway cat /proc/net/sfw/conntrack | awk '{ \$5 = \"\"; print }' | sort)\" = \"\$(ip netns exec $gateway sfwctl ct list -o extended 2>/dev/null | awk '{ \$5 = \"\"; print }' | sort)\" ]"; then
	pass "ct list -o extended: the lines of /proc/net/sfw/conntrack"
else
	fail "ct list -o extended differs from /proc:"
	diff <(proc_norm) <(ctl_norm) | sed 's/^/      /'
fi
line=$(gw sfwctl ct list -p udp --sport 20001 2>/dev/null)
case "$line" in
"udp      17 "[0-9]*" src=$C dst=$S sport=20001 dport=7000 packets=1 bytes=28 [UNREPLIED] src=$S dst=$C sport=7000 dport=20001 packets=0 bytes=0 mark=0 zone=0 use=1")
	pass "ct list: conntrack -L's line ($line)" ;;
*)	fail "ct list: unexpected line '$line'" ;;
esac

# ct list -j, read with jq: one object per entry, the fields of the line above.
n=$(gw sfwctl ct list 2>/dev/null | wc -l)
gw sfwctl ct list -j 2>/dev/null | json_check "ct list -j: an array of the $n connections" \
	"length == $n and all(.[]; (.l3 | type) == \"string\" and (.timeout | type) == \"number\"
	 and (.orig.src | type) == \"string\" and (.reply.dst | type) == \"string\")"
gw sfwctl ct list -j -p udp --sport 20001 2>/dev/null | json_check "ct list -j: the UDP flow's fields" \
	".[0] | .l3 == \"ipv4\" and .l4 == \"udp\" and .l4num == 17 and (has(\"state\") | not)
	 and .orig == {src: \"$C\", dst: \"$S\", sport: 20001, dport: 7000, packets: 1, bytes: 28}
	 and .reply == {src: \"$S\", dst: \"$C\", sport: 7000, dport: 20001, packets: 0, bytes: 0}
	 and .unreplied == true and .assured == false"
gw sfwctl ct list -j -p tcp --dport 5000 2>/dev/null | json_check "ct list -j: the TCP connection ESTABLISHED, replied" \
	"length == 1 and .[0].state == \"ESTABLISHED\" and .[0].l4 == \"tcp\" and .[0].unreplied == false
	 and .[0].orig.dport == 5000 and .[0].reply.sport == 5000 and .[0].orig.packets >= 3"
gw sfwctl ct get -j -p udp -s "$S" -d "$C" --sport 7000 --dport 20002 2>/dev/null |
	json_check "ct get -j by the reply tuple: the one connection" \
	"length == 1 and .[0].orig.src == \"$C\" and .[0].orig.sport == 20002 and .[0].reply.src == \"$S\"
	 and .[0].orig.packets == 1 and (.[0].timeout | type) == \"number\""

# Filters, against grep over /proc.
check_eq "filter -p udp" "$(gw sfwctl ct list -p udp 2>/dev/null | wc -l)" "$(ct_lines "$gateway" '^ipv[46] +[0-9]+ udp ' | wc -l)"
check_eq "filter -p tcp --state ESTABLISHED" "$(gw sfwctl ct list -p tcp --state ESTABLISHED 2>/dev/null | wc -l)" 1
check_eq "filter --dport 7000" "$(gw sfwctl ct list --dport 7000 2>/dev/null | wc -l)" 5
check_eq "filter --port 5000" "$(gw sfwctl ct list --port 5000 2>/dev/null | wc -l)" 1
check_eq "filter -s 10.0.1.0/24" "$(gw sfwctl ct list -s 10.0.1.0/24 2>/dev/null | wc -l)" "$(ct_lines "$gateway" '^ipv4 .* src=10\.0\.1\.' | wc -l)"
check_eq "filter -s 10.0.0.0/8 -d 10.0.2.2 --dport 7000" "$(gw sfwctl ct list -s 10.0.0.0/8 -d 10.0.2.2 --dport 7000 2>/dev/null | wc -l)" 5
check_eq "filter -f ipv6" "$(gw sfwctl ct list -f ipv6 2>/dev/null | wc -l)" "$(ct_lines "$gateway" '^ipv6 ' | wc -l)"
check_eq "filter -d 10.0.9.0/24 matches nothing" "$(gw sfwctl ct list -d 10.0.9.0/24 2>/dev/null | wc -l)" 0

# get, by the original and by the reply tuple.
got=$(gw sfwctl ct get -p udp -s "$C" -d "$S" --sport 20002 --dport 7000 2>&1)
case "$got" in
"udp      17 "*" src=$C dst=$S sport=20002 dport=7000 "*) pass "ct get by the original tuple" ;;
*) fail "ct get: '$got'" ;;
esac
got2=$(gw sfwctl ct get -p udp -s "$S" -d "$C" --sport 7000 --dport 20002 2>&1)
# The third column is the timeout, which may tick between the two gets.
no_timeout() { sed -E 's/^([a-z0-9]+ +[0-9]+ +)[0-9]+ /\1/'; }
check_eq "ct get by the reply tuple: the same entry" "$(no_timeout <<<"$got2")" "$(no_timeout <<<"$got")"
err=$(gw sfwctl ct get -p udp -s "$C" -d "$S" --sport 29999 --dport 7000 2>&1)
rc=$?
check_eq "ct get of nothing: extack and exit 1" "$err (exit $rc)" "sfwctl: ct get: no such connection (No such file or directory) (exit 1)"

# delete by tuple, then by filter, then flush.
gw sfwctl ct delete -p udp -s "$C" -d "$S" --sport 20000 --dport 7000 2>/dev/null
check_eq "ct delete TUPLE: gone from /proc" "$(ct_lines "$gateway" 'sport=20000 dport=7000 ' | wc -l)" 0
check_eq "ct delete TUPLE: the others stay" "$(ct_lines "$gateway" 'dport=7000 ' | wc -l)" 4
out=$(gw sfwctl ct delete -p udp --dport 7000 2>&1)
check_eq "ct delete by filter: the count" "$out" "sfwctl: 4 connections deleted"
check_eq "ct delete by filter: gone from /proc" "$(ct_lines "$gateway" 'dport=7000 ' | wc -l)" 0
check_ge "ct delete by filter: the TCP entry stays" "$(ct_lines "$gateway" 'dport=5000 ' | wc -l)" 1

# A deleted TCP connection: tcp_loose=1 picks it up at its next packet.
# (Not checked in /proc: an ACK in flight may pick it up at once.)
check_eq "TCP entry deleted" "$(gw sfwctl ct delete -p tcp --dport 5000 2>&1)" "sfwctl: 1 connections deleted"
tcp_send c b
check_ct "tcp_loose=1: the next packet picks the connection up" "$gateway" "tcp +6 [0-9]+ ESTABLISHED .*dport=5000 " 8000
tcp_close c

# tcp_loose=0: the next packet of a deleted connection is INVALID.
gw sfwctl config set tcp_loose 0 || fail "config set tcp_loose 0"
check_eq "config set shows in the sysctl" "$(gw sysctl -n net.sfw.tcp_loose)" 0
ip netns exec "$server" socat -u TCP-LISTEN:5001,reuseaddr OPEN:/dev/null &
busywait 5000 listening "$server" 5001
tcp_open c "$client" TCP:"$S":5001
tcp_send c a
check_ct "second TCP connection established" "$gateway" "ESTABLISHED .*dport=5001 "
inv0=$(invalid "$gateway" tcp_not_syn)
gw sfwctl ct delete -p tcp --dport 5001 2>/dev/null
tcp_send c b
if busywait 8000 bash -c "[ \$(ip netns exec $gateway cat /proc/net/sfw/invalid | awk '\$1 == \"tcp_not_syn\" { print \$2 }') -gt $inv0 ]"; then
	pass "tcp_loose=0: the next packet is INVALID (tcp_not_syn)"
else
	fail "tcp_loose=0: no tcp_not_syn INVALID after the delete ($(invalid "$gateway" tcp_not_syn), was $inv0)"
fi
check_eq "tcp_loose=0: no new entry" "$(ct_lines "$gateway" 'dport=5001 ' | wc -l)" 0
tcp_close c

# config: both ways, and what is refused.
gw sfwctl config set udp_timeout 77
check_eq "config set udp_timeout 77 -> sysctl" "$(gw sysctl -n net.sfw.udp_timeout)" 77
gw sysctl -qw net.sfw.udp_timeout=55
check_eq "sysctl udp_timeout=55 -> config get" "$(gw sfwctl config get udp_timeout)" "udp_timeout = 55"
check_eq "config get: every sysctl" "$(gw sfwctl config get | wc -l)" "$(gw ls /proc/sys/net/sfw | wc -l)"
err=$(gw sfwctl config set tcp_loose 2 2>&1)
check_eq "config set out of range: exit 1 with the extack" "$err (exit $?)" "sfwctl: config set: value out of the setting's range (Numerical result out of range) (exit 1)"
check_eq "config set out of range: nothing changed" "$(gw sysctl -n net.sfw.tcp_loose)" 0
err=$(gw sfwctl config set conntrack_count 5 2>&1)
check_eq "config set read-only: exit 1" "$err (exit $?)" "sfwctl: config set: read-only setting (Operation not permitted) (exit 1)"
gw sfwctl config set no_such_thing 5 2>/dev/null
check_eq "config set unknown: exit 1" $? 1
gw sfwctl config set tcp_loose 1

# stats against /proc; retried, as a stray packet may move a counter.
stats_match() {
	local stats total col got
	stats=$(ip netns exec "$gateway" sfwctl stats)
	total=$(echo "$stats" | grep '^total ')
	for col in found new invalid insert delete ignore related; do
		got=$(echo "$total" | grep -o " $col=[0-9]*" | cut -d= -f2)
		[ "$got" = "$(sfw_stat "$gateway" $col)" ] || { echo "$col: sfwctl $got, /proc $(sfw_stat "$gateway" $col)"; return 1; }
	done
	[ "$(echo "$stats" | awk '$1 == "tcp_not_syn" { print $2 }')" = "$(invalid "$gateway" tcp_not_syn)" ] ||
		{ echo "invalid tcp_not_syn differs"; return 1; }
}
# Live counters (IPv6 neighbour traffic moves them): retry until one
# comparison sees them still; the debug kernel's reads are slow.
if busywait 20000 stats_match >/dev/null; then
	pass "stats: totals and invalid reasons match /proc/net/sfw"
else
	fail "stats differ from /proc: $(stats_match)"
fi
check_eq "stats: one row per CPU" "$(gw sfwctl stats | grep -c '^cpu=')" "$(($(gw cat /proc/net/sfw/stat | wc -l) - 1))"

# JSON, read with jq: the fields, against /proc and the text output.
ncpu=$(($(gw cat /proc/net/sfw/stat | wc -l) - 1))
inv=$(invalid "$gateway" tcp_not_syn)
gw sfwctl stats -j | json_check "stats -j: a row per CPU, the totals, INVALID by reason" \
	"(.cpus | length) == $ncpu and all(.cpus[]; (.cpu | type) == \"number\" and (.found | type) == \"number\")
	 and (.total | has(\"cpu\") | not) and (.total.entries | type) == \"number\"
	 and (.total as \$t | all(\"found\", \"new\", \"invalid\", \"insert\", \"delete\", \"related\";
					  (\$t[.] | type) == \"number\"))
	 and .invalid.tcp_not_syn >= $inv and .invalid.tcp_not_syn > 0"
gw sfwctl config get -j | json_check "config get -j: every setting, with value, range and read-only" \
	"(keys | length) == $(gw ls /proc/sys/net/sfw | wc -l)
	 and .tcp_loose == {value: 1, min: 0, max: 1, readonly: false}
	 and .udp_timeout.value == 55 and .conntrack_count.readonly == true"
gw sfwctl config get udp_timeout -j | json_check "config get NAME -j: that setting only" \
	"keys == [\"udp_timeout\"] and .udp_timeout.value == 55"

# flush.
ip netns exec "$client" sfw-pkt -s "$C" -d "$S" udp --sport 30000 --dport 7000 --flows 3
busywait 3000 ct_has "$gateway" "sport=30002 " || fail "flows for the flush"
n=$(ct_count "$gateway")
out=$(gw sfwctl ct flush 2>&1)
check_eq "ct flush: the count" "$out" "sfwctl: $n connections deleted"
check_eq "ct flush: /proc is empty" "$(ct_count "$gateway")" 0
check_eq "ct list -j of an empty table" "$(gw sfwctl ct list -j 2>/dev/null | tr -d '\n')" "[]"
gw sfwctl ct list -j 2>/dev/null | json_check "ct list -j of an empty table: jq reads []" "length == 0"

# Without CAP_NET_ADMIN: EPERM, for dumps too.
for cmd in "ct list" "stats" "config get" "config set tcp_loose 1" "ct flush" "monitor"; do
	err=$(gw timeout 5 sfw-nocap sfwctl $cmd 2>&1)
	rc=$?
	case "$err" in
	*"Operation not permitted"*) check_eq "no CAP_NET_ADMIN: sfwctl $cmd refused, exit 1" $rc 1 ;;
	*) fail "no CAP_NET_ADMIN: sfwctl $cmd: '$err' (exit $rc)" ;;
	esac
done
# A user namespace's root is not root of the gateway's namespace. Every
# test kernel has user namespaces and the guest's busybox has unshare: a
# user namespace that cannot be made fails, rather than drop the check.
if err=$(gw unshare -U -r true 2>&1); then
	err=$(gw unshare -U -r sfwctl ct list 2>&1)
	case "$err" in
	*"Operation not permitted"*) pass "root of a new user namespace: EPERM" ;;
	*) fail "root of a new user namespace: '$err'" ;;
	esac
else
	fail "cannot make a user namespace to check EPERM in: '$err'"
fi
exit $ret
