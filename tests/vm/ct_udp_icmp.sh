#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: release
# UDP and ICMP through the gateway, over IPv4 and IPv6:
#   a DNS-like query to nobody    [UNREPLIED]
#   a query and its answer        replied: no [UNREPLIED], both directions counted
#   udp_timeout=2                 an unreplied entry is gone within 3 s
#   ping                          an echo entry: type/code/id, echo-reply back
#   a query to a closed port      the ICMP port unreachable is RELATED
#
#   client ---- gateway (read here) ---- server
source lib.sh
need socat sfw-pkt

trap cleanup EXIT

gateway_up || exit $ksft_fail

for f in 4 6; do
	set_family $f
	path_up || continue

	# A query nobody answers.
	ip netns exec "$client" $PKT -s "$C" -d "$NOWHERE" udp --sport 41000 --dport 53 --len 30 ||
		fail "IPv$f: sfw-pkt udp"
	check_ct "IPv$f: unanswered query is [UNREPLIED]" "$gateway" \
		"^$L3 +[0-9]+ udp +17 [0-9]+ src=$C_P dst=$NOWHERE_P sport=41000 dport=53 packets=1 bytes=[0-9]+ \[UNREPLIED\] src=$NOWHERE_P dst=$C_P sport=53 dport=41000 packets=0 bytes=0 mark=0"

	# A query and its answer.
	ip netns exec "$server" socat -T 5 $SOCAT_UDP_LISTEN:5353,reuseaddr SYSTEM:'echo answer' &
	busywait 5000 udp_listening "$server" 5353 || fail "IPv$f: no UDP listener on the server"
	got=$(echo query | ip netns exec "$client" socat -T 3 - "$SOCAT_UDP:5353,sourceport=41053")
	check_eq "IPv$f: the query was answered" "$got" answer
	check_ct "IPv$f: answered query is replied" "$gateway" \
		"^$L3 +[0-9]+ udp +17 [0-9]+ src=$C_P dst=$S_P sport=41053 dport=5353 packets=1 bytes=[0-9]+ src=$S_P dst=$C_P sport=5353 dport=41053 packets=1 bytes=[0-9]+ mark=0"

	# Ping.
	ip netns exec "$client" $PING -c 2 -i 0.3 "$S" >/dev/null || fail "IPv$f: ping"
	check_ct "IPv$f: ping makes an echo entry" "$gateway" \
		"^$L3 +[0-9]+ $ICMP +[0-9]+ [0-9]+ src=$C_P dst=$S_P type=$ECHO code=0 id=[0-9]+ packets=[0-9]+ bytes=[0-9]+ src=$S_P dst=$C_P type=$ECHOREPLY code=0 id=[0-9]+ packets=[0-9]+"

	# A query to a closed port: the server's port unreachable is RELATED.
	rel0=$(sfw_stat "$gateway" related)
	nomatch0=$(invalid "$gateway" icmp_error_no_match)
	ip netns exec "$client" $PKT -s "$C" -d "$S" udp --sport 42000 --dport 9 ||
		fail "IPv$f: sfw-pkt udp to a closed port"
	busywait 3000 test "$(sfw_stat "$gateway" related)" -gt "$rel0"
	check_eq "IPv$f: port unreachable counted RELATED" "$(($(sfw_stat "$gateway" related) - rel0))" 1
	check_eq "IPv$f: and not INVALID" "$(($(invalid "$gateway" icmp_error_no_match) - nomatch0))" 0
done

# Expiry: with udp_timeout 2 s an unreplied entry is gone within 3 s.
set_family 4
ip netns exec "$gateway" sysctl -qw net.sfw.udp_timeout=2 || fail "set net.sfw.udp_timeout"
ip netns exec "$client" $PKT -s "$C" -d "$NOWHERE" udp --sport 43000 --dport 53
check_ct "udp_timeout=2: the entry is there" "$gateway" "sport=43000 dport=53" 1000
start=${EPOCHREALTIME/./}
# Gone from a table that can be read: "! grep" alone would pass on a
# /proc file that is not there.
if busywait 3000 ct_gone "$gateway" 'sport=43000 dport=53'; then
	pass "udp_timeout=2: gone after $(( (${EPOCHREALTIME/./} - start) / 1000 )) ms (limit 3000)"
else
	fail "udp_timeout=2: entry still there after 3 s"
fi
exit $ret
