#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sfwctl monitor sees a real TCP connection through the gateway as
#   [NEW] SYN_SENT, [UPDATE] ... ESTABLISHED ..., [DESTROY]
# in that order, and -j prints one JSON object per event, read with jq:
# the same events and states, sequence numbers that follow each other,
# and the connection's fields (the flat shape resync's EXISTING lines share).
#
#   client ---- gateway (sfwctl monitor here) ---- server
source lib.sh
need socat sfwctl jq

cleanup() {
	[ -n "${mon_pid:-}" ] && kill $mon_pid $monj_pid 2>/dev/null
	cleanup_std
}
trap cleanup EXIT

gateway_up --ipv4-only || exit $ksft_fail
set_family 4
path_up
# Short close timeouts, so that the connection is destroyed by expiry.
gw sfwctl config set tcp_timeout_time_wait 1
gw sfwctl config set tcp_timeout_close 1

gw sfwctl monitor >/tmp/mon.out 2>/tmp/mon.err &
mon_pid=$!
gw sfwctl monitor -j >/tmp/monj.out 2>/tmp/monj.err &
monj_pid=$!
busywait 5000 grep -q listening /tmp/mon.err || fail "monitor did not start: $(cat /tmp/mon.err)"
busywait 5000 grep -q listening /tmp/monj.err || fail "monitor -j did not start: $(cat /tmp/monj.err)"

ip netns exec "$server" socat -u TCP-LISTEN:5000,reuseaddr OPEN:/dev/null &
busywait 5000 listening "$server" 5000
echo hello | ip netns exec "$client" socat -u - TCP:"$S":5000
busywait 15000 grep -q 'DESTROY.*dport=5000 ' /tmp/mon.out ||
	fail "no DESTROY for the connection within 15 s"
sleep 1
kill $mon_pid $monj_pid
wait $mon_pid $monj_pid 2>/dev/null
mon_pid=

events=$(grep 'dport=5000 ' /tmp/mon.out | grep -o '^\[[A-Z]*\] tcp *6 [0-9]* [A-Z_0-9]*' | awk '{ print $1, $5 }')
echo "$events" | sed 's/^/    events: /'
check_eq "first event: [NEW] SYN_SENT" "$(echo "$events" | head -n 1)" "[NEW] SYN_SENT"
check_eq "last event: [DESTROY]" "$(echo "$events" | tail -n 1 | cut -d' ' -f1)" "[DESTROY]"
check_eq "one NEW, one DESTROY" "$(echo "$events" | grep -c -E '^\[(NEW|DESTROY)\]')" 2
if echo "$events" | sed -n '2,$p' | sed '$d' | grep -q '^\[UPDATE\] ESTABLISHED'; then
	pass "an [UPDATE] to ESTABLISHED between them"
else
	fail "no [UPDATE] ESTABLISHED between NEW and DESTROY"
fi
states=$(echo "$events" | grep '^\[UPDATE\]' | awk '{ print $2 }' | tr '\n' ' ')
case "$states" in
*ESTABLISHED*FIN_WAIT*|*ESTABLISHED*CLOSE_WAIT*|*ESTABLISHED*TIME_WAIT*|*ESTABLISHED*LAST_ACK*|*ESTABLISHED*CLOSE*)
	pass "UPDATEs in order: $states" ;;
*)	fail "UPDATEs out of order or missing the close: $states" ;;
esac
check_eq "no lost events reported" "$(grep -c lost /tmp/mon.err)" 0

n=$(grep -c '^\[' /tmp/mon.out)
json_check "monitor -j: one JSON object a line, as many as the text monitor's ($n)" \
	"length == $n and all(.[]; type == \"object\" and (.event | IN(\"NEW\", \"UPDATE\", \"DESTROY\"))
	 and (.seq | type) == \"number\" and (.l3 | type) == \"string\" and (.orig | type) == \"object\"
	 and (.reply | type) == \"object\" and (.conn == null))" -s </tmp/monj.out
json_check "monitor -j: sequence numbers follow each other" \
	"[.[].seq] as \$s | \$s == [range(\$s[0]; \$s[0] + (\$s | length))]" -s </tmp/monj.out
json_check "monitor -j: the connection NEW SYN_SENT, ESTABLISHED, then DESTROY" \
	"map(select(.l4 == \"tcp\" and .orig.dport == 5000)) |
	 .[0].event == \"NEW\" and .[0].state == \"SYN_SENT\" and .[-1].event == \"DESTROY\"
	 and any(.[1:-1][]; .event == \"UPDATE\" and .state == \"ESTABLISHED\")
	 and ([.[] | select(.event == \"NEW\" or .event == \"DESTROY\")] | length) == 2
	 and .[0].orig.src == \"$C\" and .[0].orig.dst == \"$S\" and .[0].reply.sport == 5000
	 and .[-1].orig.packets >= 3 and .[-1].reply.packets >= 2 and .[-1].assured == true" -s </tmp/monj.out
exit $ret
