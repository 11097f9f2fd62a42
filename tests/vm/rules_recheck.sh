#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: release
# `sfwctl ruleset load --recheck` expires exactly the connections the new
# rules would not admit, and nothing else; a load without it leaves them.
# Four connections through the gateway: TCP to 6001, 6002 and 6003, UDP to
# 6004, all admitted by the first rule set. The second admits 6001 and
# 6004 only: loaded plainly, all four stay; loaded with --recheck, 6002
# and 6003 go (and their next packet is INVALID with tcp_loose=0), 6001
# and 6004 stay. Before that, --recheck --dry-run lists exactly the two
# that --recheck then ends, and changes nothing. Then for IPv6, a banned
# source loses its connection. Last, --recheck on one rule or set change:
# rule insert, rule delete and set add end what the changed rules refuse.
#
#   client ---- gateway (sfw) ---- server
source lib.sh
need socat sfwctl

trap cleanup EXIT
T=$(mktemp -d)

gateway_up || exit $ksft_fail
gw sysctl -qw net.sfw.tcp_loose=0
busywait 5000 ip netns exec "$client" ping -c 1 -W 1 10.0.2.2 >/dev/null || fail "no path client -> server"
gw sfwctl ct flush >/dev/null 2>&1	# the ping's entry: only the test's connections below

cat >"$T/all" <<R
chain forward policy drop
  ip saddr @ban drop
  ct state established,related accept
  tcp dport 6001-6003 accept
  udp dport 6004 accept
  ip6 saddr @ok6 tcp dport 6005 accept
set ok6 { fd00:1::/64 }
set ban { }
R
cat >"$T/some" <<R
chain forward policy drop
  ip saddr @ban drop
  ct state established,related accept
  tcp dport 6001 accept
  udp dport 6004 accept
  ip6 saddr @ok6 tcp dport 6005 accept
set ok6 { fd00:1::/64 }
set ban { }
R
gw sfwctl ruleset load "$T/all" 2>/dev/null || fail "load all"

for p in 6001 6002 6003; do
	ip netns exec "$server" socat -u TCP-LISTEN:$p,reuseaddr OPEN:"$T/recv$p",creat &
done
ip netns exec "$server" socat -u TCP6-LISTEN:6005,reuseaddr OPEN:"$T/recv6005",creat &
ip netns exec "$server" socat -u UDP-RECVFROM:6004,reuseaddr,fork OPEN:/dev/null &
for p in 6001 6002 6003; do busywait 5000 listening "$server" $p; done
busywait 5000 listening "$server" 6005
for p in 6001 6002 6003; do
	tcp_open $p "$client" TCP:10.0.2.2:$p
	tcp_send $p before
done
tcp_open 6005 "$client" TCP6:[fd00:2::2]:6005
tcp_send 6005 before
echo x | ip netns exec "$client" socat -u - UDP:10.0.2.2:6004,sourceport=46004
for p in 6001 6002 6003 6005; do
	check_ct "connection to $p established" "$gateway" "ESTABLISHED .*dport=$p " 10000
done
check_ct "UDP flow to 6004" "$gateway" "udp .*dport=6004 "

gw sfwctl ruleset load "$T/some" 2>"$T/err"
check_eq "a plain load expires nothing" "$(ct_lines "$gateway" 'dport=600[1-5] ' | wc -l)" 5

# dports NS: the original direction's destination port of each entry, sorted.
dports() { awk 'match($0, /dport=[0-9]+/) { print substr($0, RSTART + 6, RLENGTH - 6) }' | sort; }

# --dry-run: the list, and nothing changed (the same entries, the same
# generation: the real --recheck below still makes generation 3).
ct_lines "$gateway" 'dport=600[1-5] ' | dports >"$T/before"
gw sfwctl ruleset load --recheck --dry-run "$T/some" >"$T/dry" 2>"$T/err"
check_eq "--dry-run says what it would do" "$(cat "$T/err")" \
	"sfwctl: dry run: --recheck would end 2 connections; nothing loaded"
check_eq "--dry-run lists 6002 and 6003" "$(dports <"$T/dry" | tr '\n' ' ')" "6002 6003 "
check_eq "--dry-run ends nothing" "$(ct_lines "$gateway" 'dport=600[1-5] ' | wc -l)" 5
gw sfwctl -j ruleset load --recheck --dry-run "$T/some" >"$T/dry.json" 2>/dev/null
check_eq "--dry-run -j: a JSON array of the two" "$(jq length "$T/dry.json" 2>&1)" 2
if gw sfwctl ruleset load --dry-run "$T/some" 2>"$T/err"; then
	fail "--dry-run without --recheck was accepted"
else
	check_eq "--dry-run without --recheck: a usage error" "$(head -n 1 "$T/err")" \
		"sfwctl: ruleset load: --dry-run previews a --recheck: give both (sfwctl help)"
fi

gw sfwctl ruleset load --recheck "$T/some" 2>"$T/err"
check_eq "--recheck reports two expired" "$(cat "$T/err")" "sfwctl: generation 3 loaded; 2 connections expired"
check_eq "6001 stays" "$(ct_lines "$gateway" 'dport=6001 ' | wc -l)" 1
check_eq "6002 went" "$(ct_lines "$gateway" 'dport=6002 ' | wc -l)" 0
check_eq "6003 went" "$(ct_lines "$gateway" 'dport=6003 ' | wc -l)" 0
check_eq "6004 (UDP) stays" "$(ct_lines "$gateway" 'dport=6004 ' | wc -l)" 1
check_eq "6005 (IPv6) stays" "$(ct_lines "$gateway" 'dport=6005 ' | wc -l)" 1
ct_lines "$gateway" 'dport=600[1-5] ' | dports >"$T/after"
check_eq "--recheck ended exactly what --dry-run listed" \
	"$(grep -vxFf "$T/after" "$T/before" | tr '\n' ' ')" "$(dports <"$T/dry" | tr '\n' ' ')"

# A banned IPv6 source: take it out of the set, recheck with the same rules.
gw sfwctl set del ok6 fd00:1::/64
gw sfwctl ruleset show | grep -v '^#' | sed 's/counter packets [0-9]* bytes [0-9]* //' >"$T/now"
gw sfwctl ruleset load --recheck "$T/now" 2>"$T/err"
check_eq "--recheck after a set change: one expired" "$(cat "$T/err")" "sfwctl: generation 4 loaded; 1 connections expired"
check_eq "6005 went" "$(ct_lines "$gateway" 'dport=6005 ' | wc -l)" 0
check_eq "6001 still stays" "$(ct_lines "$gateway" 'dport=6001 ' | wc -l)" 1
for p in 6001 6002 6003 6005; do
	tcp_send $p after
	tcp_close $p
done
busywait 3000 grep -q after "$T/recv6001"
check_eq "6001's data all arrived" "$(cat "$T/recv6001" | tr '\n' ' ')" "before after "
check_eq "6002's later data was dropped" "$(cat "$T/recv6002" | tr '\n' ' ')" "before "

# --recheck on one change. Left: 6001 (closed, still tracked) and 6004
# (UDP, unreplied: refreshed here, so that its 30 s cannot run out).
echo x | ip netns exec "$client" socat -u - UDP:10.0.2.2:6004,sourceport=46004
check_eq "6001 and 6004 are tracked" "$(ct_lines "$gateway" 'dport=600[14] ' | wc -l)" 2
gw sfwctl rule insert forward udp dport 6004 drop --recheck 2>"$T/err"
check_eq "rule insert --recheck ends the UDP flow" "$(cat "$T/err")" \
	"sfwctl: generation 5 loaded; 1 connections expired"
check_eq "6004 went" "$(ct_lines "$gateway" 'dport=6004 ' | wc -l)" 0
check_eq "6001 stays" "$(ct_lines "$gateway" 'dport=6001 ' | wc -l)" 1
gw sfwctl rule delete forward 1 --recheck 2>"$T/err"
check_eq "rule delete --recheck ends nothing" "$(cat "$T/err")" \
	"sfwctl: generation 6 loaded; 0 connections expired"
gw sfwctl set add ban 10.0.1.2 --recheck 2>"$T/err"
check_eq "set add --recheck: the banned client's entry ends" "$(cat "$T/err")" \
	"sfwctl: set ban changed; 1 connections expired"
check_eq "6001 went" "$(ct_lines "$gateway" 'dport=6001 ' | wc -l)" 0
exit $ret
