#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: debug
# Atomic replace: 500 reloads (50 on the debug kernel, where each costs
# ten times as much; sfw's own RCU swap, which 6.12 adds nothing to, so
# not there), alternating two rule sets that both accept
# the test traffic but differ in their rules and counters, while a TCP
# stream and a ping run through the gateway. Both sets have policy drop,
# so a packet judged by a half-built or mixed set would be lost: the
# pings must all come back, the stream must arrive whole, and nothing may
# turn INVALID. Afterwards the last generation counts exactly the
# packets sent under it, each in one rule.
#
#   client ---- gateway (sfw, reloading) ---- server
source lib.sh
need socat sfwctl

trap cleanup EXIT
T=$(mktemp -d)
PAIRS=$(scaled 250)
[ "$PAIRS" -lt 25 ] && PAIRS=25

gateway_up --ipv4-only || exit $ksft_fail
busywait 5000 ip netns exec "$client" ping -c 1 -W 1 10.0.2.2 >/dev/null || fail "no path client -> server"

cat >"$T/a" <<R
chain forward policy drop
  ct state established,related accept
  tcp dport 5001 ct state new accept
  icmp type echo-request accept
R
cat >"$T/b" <<R
chain forward policy drop
  udp dport 9 drop
  icmp type echo-request ct state new accept
  ct state established,related accept
  tcp dport 5001 accept
  ip saddr 10.0.1.0/24 accept
set unused { 192.0.2.0/24 }
R
gw sfwctl ruleset load "$T/a" 2>/dev/null || fail "load a"
gen0=$(gw sfwctl ruleset show | sed -n 's/^# generation \([0-9]*\);.*/\1/p')
inv0=$(sfw_stat "$gateway" invalid)
found0=$(sfw_stat "$gateway" found)

ip netns exec "$server" socat -u TCP-LISTEN:5001,reuseaddr OPEN:"$T/recv",creat,trunc &
busywait 5000 listening "$server" 5001
touch "$T/running"
# The stream: 16 KiB chunks for as long as the reloads go on; count them.
(
	n=0
	while [ -e "$T/running" ]; do
		head -c 16384 /dev/zero
		n=$((n + 1))
		echo $n >"$T/chunks"
		sleep 0.02
	done
) | ip netns exec "$client" socat -u - TCP:10.0.2.2:5001 &
stream=$!
# Pings in rounds of 50 that each end by themselves (an interrupted ping
# would not wait for its last reply).
(
	while [ -e "$T/running" ]; do
		ip netns exec "$client" ping -q -c 50 -i 0.02 -W 2 10.0.2.2
	done
) >"$T/ping" 2>&1 &
ping_pid=$!

fails=0
for i in $(seq 1 $PAIRS); do
	gw sfwctl ruleset load "$T/b" 2>/dev/null || fails=$((fails + 1))
	gw sfwctl ruleset load "$T/a" 2>/dev/null || fails=$((fails + 1))
done
rm -f "$T/running"
wait $ping_pid
wait $stream
check_eq "$((2 * PAIRS)) reloads, none refused" $fails 0
gen1=$(gw sfwctl ruleset show | sed -n 's/^# generation \([0-9]*\);.*/\1/p')
check_eq "the generation moved by $((2 * PAIRS))" $((gen1 - gen0)) $((2 * PAIRS))
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$T/ping" | awk '{ s += $1 } END { print s }')
recv=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' "$T/ping" | awk '{ s += $1 } END { print s }')
check_ge "pings sent during the reloads" "${sent:-0}" 50
check_eq "every ping came back (none judged by a mix)" "${recv:-0}" "${sent:-x}"
busywait 3000 bash -c "[ \$(stat -c %s $T/recv) = \$((\$(cat $T/chunks) * 16384)) ]"
check_eq "the TCP stream arrived whole" "$(stat -c %s "$T/recv")" "$(($(cat "$T/chunks") * 16384))"
# The positive control of the INVALID check: the tracker counted the
# traffic (a ping's reply and each stream segment find their entry).
check_ge "the gateway's tracker saw the traffic" "$(( $(sfw_stat "$gateway" found) - found0 ))" "${recv:-50}"
check_eq "no packet turned INVALID" "$(sfw_stat "$gateway" invalid)" "$inv0"

# The last generation (set a) counts exactly what went through under it.
gw sfwctl counters reset
ip netns exec "$client" ping -c 20 -i 0.05 -W 1 10.0.2.2 >/dev/null
out=$(gw sfwctl ruleset show | grep -o 'counter packets [0-9]*' | awk '{ print $3 }' | tr '\n' ' ')
# One ping's echo entry: its first request is NEW (rule 3), all else ESTABLISHED (rule 1).
check_eq "20 pings and replies: 1 new in rule 3, 39 in rule 1, none in rule 2" "$out" "39 0 1 "
exit $ret
