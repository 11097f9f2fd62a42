#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: 6.1 debug
# A SYN flood at ten times conntrack_max through the gateway while ten TCP
# streams run: no assured stream loses a byte to sfw, the table stays
# within its limit, the counters add up, the kernel log stays clean.
# On the debug kernel (sfwscale 10) the table is 100 and the flood 1000
# SYNs, with four streams: the checks are the same, the cost a fifth.
#
#   client (flood + 10 streams) ---- gateway (sfw, conntrack_max 500) ---- server
source lib.sh
need socat sfw-pkt

MAX=$(scaled 500)
[ "$MAX" -lt 100 ] && MAX=100
STREAMS=10
[ "$SFW_SCALE" -gt 1 ] && STREAMS=4
FLOOD=$((10 * MAX))
cleanup() {
	rm -f /tmp/flood.run
	cleanup_std
}
trap cleanup EXIT

gateway_up --ipv4-only || exit $ksft_fail
set_family 4
path_up || exit $ret
ip netns exec "$gateway" sysctl -qw net.sfw.conntrack_max=$MAX
# The client tracks its own 5000 SYNs too: at its default limit (4096 in
# a 1 GiB guest) an early drop that finds no victim in its 8 buckets
# refuses one with EPERM, and the flood stops short. It is not under test.
ip netns exec "$client" sysctl -qw net.sfw.conntrack_max=20000
sysctl -qw net.core.netdev_max_backlog=100000

# Ten streams, each a socat pair writing a counter line every 50 ms.
for i in $(seq 1 $STREAMS); do
	ip netns exec "$server" socat -u TCP-LISTEN:$((6000 + i)),reuseaddr OPEN:/tmp/stream$i.out,creat,trunc &
done
for i in $(seq 1 $STREAMS); do
	busywait 5000 listening "$server" $((6000 + i)) || fail "stream $i: no listener"
	ip netns exec "$client" bash -c "for n in \$(seq 1 100000); do echo \$n; sleep 0.05; done | socat -u - TCP:$S:$((6000 + i))" &
done
assured() { ip netns exec "$gateway" grep -c 'ESTABLISHED.*dport=60[01][0-9] .*ASSURED' /proc/net/sfw/conntrack; }
busywait 30000 bash -c "[ \$($(declare -f assured); gateway=$gateway assured) -ge $STREAMS ]" ||
	fail "the streams did not all become ESTABLISHED [ASSURED]: $(assured); $(ip netns exec "$gateway" grep 'dport=60[01][0-9] ' /proc/net/sfw/conntrack)"

drop0=$(sfw_stat "$gateway" drop)
early0=$(sfw_stat "$gateway" early_drop)
new0=$(sfw_stat "$gateway" new)
# The flood: SYNs from FLOOD (fake) sources, in bursts, ten times the table.
for burst in 1 2 3 4 5; do
	ip netns exec "$client" sfw-pkt -s 10.0.1.$((100 + burst)) -d "$NOWHERE" tcp --flags S \
		--sport 20000 --dport 80 --flows $((FLOOD / 5)) || fail "flood burst $burst"
done
sleep 1
count=$(ip netns exec "$gateway" sysctl -n net.sfw.conntrack_count)
new=$(($(sfw_stat "$gateway" new) - new0))
drop=$(($(sfw_stat "$gateway" drop) - drop0))
if [ "$count" -le $MAX ]; then pass "the table stays within $MAX ($count)"; else fail "table holds $count > $MAX"; fi
check_eq "every SYN made an entry or was dropped (new $new + drop $drop)" "$((new + drop))" $FLOOD
# Once the table is full, each new SYN evicts an unassured one or is dropped.
check_ge "the full table evicted or refused the rest (early_drop + drop)" \
	"$(($(sfw_stat "$gateway" early_drop) - early0 + drop))" $((FLOOD - MAX))

# The streams carried on: each is still there and still growing.
sleep 1
for i in $(seq 1 $STREAMS); do
	a=$(tail -n 1 /tmp/stream$i.out)
	busywait 3000 bash -c "[ \"\$(tail -n 1 /tmp/stream$i.out)\" -gt ${a:-0} ]" ||
		fail "stream $i stopped at ${a:-nothing}"
	# No gap: line n is n.
	gaps=$(awk '$1 != NR { print NR; exit }' /tmp/stream$i.out)
	[ -z "$gaps" ] || fail "stream $i lost data at line $gaps"
done
[ $ret = 0 ] && pass "all $STREAMS streams intact and flowing through the flood"
check_eq "no assured entry evicted" "$(assured)" $STREAMS
[ "$(assured)" = $STREAMS ] || ip netns exec "$gateway" grep 'dport=60[01][0-9] ' /proc/net/sfw/conntrack
exit $ret
