#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: 6.1 debug
# Flushes and dumps while traffic flows; and hash flooding: with a 16-bucket
# table, many flows pile onto few chains, and the 64-node cap holds
# (stat "chainlength" counts the refused inserts) instead of chains growing
# without bound.
source lib.sh
need sfw-pkt sfwctl

cleanup() {
	rm -f /tmp/conc.run
	cleanup_std
}
trap cleanup EXIT

gateway_up --ipv4-only || exit $ksft_fail
set_family 4
path_up || exit $ret

touch /tmp/conc.run
(
	while [ -e /tmp/conc.run ]; do
		ip netns exec "$client" sfw-pkt -s "$C" -d "$NOWHERE" udp --sport 40000 --dport 53 --flows 500
	done
) &
ok=1
for i in $(seq 1 30); do
	ip netns exec "$gateway" sfwctl ct list >/dev/null || { ok=0; fail "dump $i failed"; break; }
	ip netns exec "$gateway" sfwctl ct flush >/dev/null || { ok=0; fail "flush $i failed"; break; }
	cat /proc/net/sfw/conntrack >/dev/null
done
rm -f /tmp/conc.run
wait
[ $ok = 1 ] && pass "30 dumps and flushes while 500-flow bursts ran"

# Hash flooding, with the smallest table.
cleanup_all_ns
sfw_unload
sfw_load hashsize=16 || exit $ksft_fail
topo_cgs || exit $ksft_fail
topo_no_ipv6 "$client" "$gateway" "$server"
busywait 5000 ip netns exec "$client" ping -c 1 -W 1 "$S" >/dev/null || { fail "no path"; exit $ret; }
ip netns exec "$gateway" sysctl -qw net.sfw.conntrack_max=100000
ip netns exec "$client" sysctl -qw net.sfw.conntrack_max=100000
sysctl -qw net.core.netdev_max_backlog=100000
# The client's own sfw meets the flood first (LOCAL_OUT): its full chains
# refuse the inserts and the sends fail (EPERM) one flow at a time.
for i in $(seq 0 9); do
	ip netns exec "$client" sfw-pkt -s "$C" -d "$NOWHERE" udp --sport $((1000 + 500 * i)) --dport 53 --flows 500 2>/dev/null
done
sleep 1
count=$(ip netns exec "$client" sysctl -n net.sfw.conntrack_count)
chain=$(sfw_stat "$client" chainlength)
# Every direction of every entry sits in one of 16 chains of at most 64.
if [ "$count" -le $((16 * 64 / 2)) ]; then pass "16 buckets of at most 64 nodes hold $count entries (two nodes each: at most $((16 * 64 / 2)))"; else fail "$count entries in 16 buckets: the chain cap did not hold"; fi
check_ge "refused inserts counted under chainlength" "$chain" 1
exit $ret
