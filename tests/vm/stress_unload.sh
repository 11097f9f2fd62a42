#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: debug
# Unload with packets inside the hooks (issue #12, item 1). Each cycle
# loads sfw, loads a rule set into the gateway and unloads it, while
# three UDP floods with changing ports and a TCP stream cross the
# gateway, and namespaces holding live entries are deleted beside it.
# Before the hooks went in .pre_exit, a CPU still in sfw_rules_filter()
# used a freed rule set: a general protection fault in most runs.
#
#   client ---- gateway (sfw, forward rules) ---- server
#   10.0.1.2    10.0.1.1 / 10.0.2.1               10.0.2.2
#   3 x UDP flood, TCP stream  ---------------->  TCP sink :5001
#
# 30 cycles on the stock kernels, 10 on the debug kernel (ten times slower).
source lib.sh
need sfw-pkt sfwctl socat

CYCLES=${SFW_CYCLES:-$(scaled 30)}
[ "$CYCLES" -lt 10 ] && CYCLES=10
RULES='chain forward policy drop
  ct state established,related accept
  ct state invalid drop
  iif g0 oif g1 accept
chain input policy accept
  ct state invalid drop
'
cleanup() {
	rm -f /tmp/unload.run /tmp/unload.rules
	release_hook_keys
	cleanup_std
}
trap cleanup EXIT

topo_cgs || exit $ksft_fail
topo_no_ipv6 "$client" "$gateway" "$server"
set_family 4
path_up || exit $ret
hold_hook_keys || { fail "could not hold the hook keys"; exit $ret; }

ip netns exec "$server" socat -u TCP-LISTEN:5001,reuseaddr,fork OPEN:/dev/null &
busywait 5000 listening "$server" 5001 || { fail "TCP sink did not start"; exit $ret; }

echo "$RULES" >/tmp/unload.rules
touch /tmp/unload.run
loads=()
# Each load restarts when it ends, so that it lasts the whole run.
for f in 1 2 3; do
	(
		p=$((10000 * f))
		while [ -e /tmp/unload.run ]; do
			ip netns exec "$client" sfw-pkt -s "$C" -d "$S" udp --sport $p --dport 9 \
				--flows 200 >/dev/null 2>&1
			p=$(((p + 200) % 60000 + 1024))
		done
	) &
	loads+=($!)
done
(
	while [ -e /tmp/unload.run ]; do
		# Bounded, so that the stream ends soon after the cycles do.
		ip netns exec "$client" timeout 5 socat -u /dev/zero "TCP:$S:5001" 2>/dev/null
		sleep 0.1
	done
) &
loads+=($!)
# Namespaces that die with live entries, while sfw is loaded or going.
(
	while [ -e /tmp/unload.run ]; do
		n=unload-$RANDOM
		ip netns add $n && ip -n $n link set lo up &&
			ip netns exec $n sfw-pkt -s 127.0.0.1 -d 127.0.0.1 udp --sport 1000 \
				--dport 7 --flows 50 >/dev/null 2>&1
		ip netns del $n
	done
) &
loads+=($!)

fwd() {
	ip -n "$gateway" -s link show g1 | awk '/TX:/ { getline; print $2; exit }'
}
before=$(fwd)
bad=0
for i in $(seq 1 "$CYCLES"); do
	if ! sfw_load; then
		fail "cycle $i: modprobe"
		bad=1
		break
	fi
	if ! ip netns exec "$gateway" sfwctl ruleset load /tmp/unload.rules; then
		fail "cycle $i: ruleset load"
		bad=1
		break
	fi
	if ! rmmod sfw; then
		fail "cycle $i: rmmod"
		bad=1
		break
	fi
done
after=$(fwd)
rm -f /tmp/unload.run
wait "${loads[@]}"

[ $bad = 0 ] && pass "$CYCLES cycles of load, rule-set load and unload under load"
# The floods must have been there: at least 1000 packets forwarded per cycle.
check_ge "packets forwarded during the cycles" "$((after - before))" $((CYCLES * 1000))
check_eq "the sfw_conn cache is gone" "$(grep -c '^sfw_conn ' /proc/slabinfo)" 0
exit $ret
