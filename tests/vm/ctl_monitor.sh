#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sfwctl monitor sees a real TCP connection through the gateway as
#   [NEW] SYN_SENT, [UPDATE] ... ESTABLISHED ..., [DESTROY]
# in that order, and -j prints one JSON object per event with sequence
# numbers that follow each other.
#
#   client ---- gateway (sfwctl monitor here) ---- server
source lib.sh
need socat sfwctl sfw-jsoncheck

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

if sfw-jsoncheck --lines </tmp/monj.out; then
	pass "monitor -j: every line is JSON ($(wc -l </tmp/monj.out) events)"
else
	fail "monitor -j: not JSON"
fi
seqs=$(grep -o '"seq":[0-9]*' /tmp/monj.out | cut -d: -f2)
first=$(echo "$seqs" | head -n 1)
n=$(echo "$seqs" | grep -c .)
check_eq "monitor -j: sequence numbers follow each other" "$(echo "$seqs" | tr '\n' ' ')" "$(seq "$first" $((first + n - 1)) | tr '\n' ' ')"
check_eq "monitor -j: the same events as the text monitor" "$n" "$(grep -c '^\[' /tmp/mon.out)"
exit $ret
