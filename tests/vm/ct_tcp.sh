#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: release
# A TCP connection through the gateway, as /proc/net/sfw/conntrack shows
# it at each step, over IPv4 and IPv6:
#   an unanswered SYN          SYN_SENT [UNREPLIED]
#   a socat exchange, open     ESTABLISHED [ASSURED], both directions counted
#   the same, closed           TIME_WAIT (or CLOSE)
# and no packet of the real exchange is judged INVALID.
#
#   client ---- gateway (read here) ---- server
source lib.sh
need socat sfw-pkt

trap cleanup EXIT

gateway_up || exit $ksft_fail

for f in 4 6; do
	set_family $f
	path_up || continue
	inv0=$(sfw_stat "$gateway" invalid)

	ip netns exec "$client" $PKT -s "$C" -d "$NOWHERE" tcp --sport 40000 --dport 5001 --flags S --seq 1000 ||
		fail "IPv$f: sfw-pkt SYN"
	check_ct "IPv$f: unanswered SYN is SYN_SENT [UNREPLIED]" "$gateway" \
		"^$L3 +[0-9]+ tcp +6 1[0-2][0-9] SYN_SENT src=$C_P dst=$NOWHERE_P sport=40000 dport=5001 packets=1 bytes=[0-9]+ \[UNREPLIED\] src=$NOWHERE_P dst=$C_P sport=5001 dport=40000 packets=0 bytes=0 mark=0"

	ip netns exec "$server" socat -u $SOCAT_TCP_LISTEN:5000,reuseaddr OPEN:/tmp/tcp$f.out,creat,trunc &
	busywait 5000 listening "$server" 5000 || fail "IPv$f: server did not listen"
	tcp_open c "$client" "$SOCAT_TCP:5000"
	tcp_send c hello
	check_ct "IPv$f: open connection is ESTABLISHED [ASSURED]" "$gateway" \
		"tcp +6 [0-9]+ ESTABLISHED src=$C_P dst=$S_P sport=[0-9]+ dport=5000 packets=[0-9]+ bytes=[0-9]+ src=$S_P dst=$C_P sport=5000 dport=[0-9]+ packets=[0-9]+ bytes=[0-9]+ \[ASSURED\]" 10000
	line=$(ct_lines "$gateway" "^$L3 .* dport=5000 ")
	check_eq "IPv$f: the open connection is one entry" "$(echo "$line" | grep -c .)" 1
	case "$line" in
	*UNREPLIED*) fail "IPv$f: replied connection still [UNREPLIED]" ;;
	esac
	tcp_close c
	check_ct "IPv$f: closed connection is TIME_WAIT or CLOSE" "$gateway" \
		"tcp +6 [0-9]+ (TIME_WAIT|CLOSE) src=$C_P dst=$S_P sport=[0-9]+ dport=5000 .*\[ASSURED\]"
	check_eq "IPv$f: server got the data" "$(cat /tmp/tcp$f.out)" hello
	check_eq "IPv$f: no INVALID packet in a real exchange" "$(($(sfw_stat "$gateway" invalid) - inv0))" 0
done
exit $ret
