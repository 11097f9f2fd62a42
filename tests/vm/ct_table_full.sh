#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Table full. With net.sfw.conntrack_max=64 in the gateway, 200 new UDP
# flows arrive while an established TCP connection is open:
#   - the table never holds more than 64 entries;
#   - every flood packet either made an entry or was dropped (new + drop
#     grow by exactly 200), and drops happened;
#   - the kernel log says "sfw: table full, dropping packet";
#   - the assured TCP connection keeps its entry and keeps passing.
source lib.sh
need socat sfw-pkt

cleanup() {
	exec 5>&- 2>/dev/null
	cleanup_std
	rm -f /tmp/full.fifo
}
trap cleanup EXIT

gateway_up --ipv4-only || exit $ksft_fail
set_family 4
path_up || exit $ret
ip netns exec "$gateway" sysctl -qw net.sfw.conntrack_max=64 || fail "set conntrack_max"

# The TCP connection, held open through a fifo.
ip netns exec "$server" socat -u TCP-LISTEN:5000,reuseaddr OPEN:/tmp/full.out,creat,trunc &
busywait 5000 listening "$server" 5000 || fail "server did not listen"
rm -f /tmp/full.fifo
mkfifo /tmp/full.fifo
ip netns exec "$client" socat -u PIPE:/tmp/full.fifo TCP:$S:5000 &
exec 5>/tmp/full.fifo
echo before >&5
busywait 3000 grep -q before /tmp/full.out || fail "TCP data before the flood"
check_ct "TCP connection is ESTABLISHED [ASSURED]" "$gateway" "ESTABLISHED .*dport=5000 .*\[ASSURED\]"

new0=$(sfw_stat "$gateway" new)
drop0=$(sfw_stat "$gateway" drop)
ip netns exec "$client" sfw-pkt -s "$C" -d "$NOWHERE" udp --sport 20000 --dport 53 --flows 200 ||
	fail "sfw-pkt flood"
sleep 0.5
count=$(ip netns exec "$gateway" sysctl -n net.sfw.conntrack_count)
new=$(($(sfw_stat "$gateway" new) - new0))
drop=$(($(sfw_stat "$gateway" drop) - drop0))
if [ "$count" -le 64 ]; then pass "entries stay within the limit ($count <= 64)"; else fail "entries $count > 64"; fi
check_eq "every flood packet made an entry or was dropped (new $new + drop $drop)" "$((new + drop))" 200
check_ge "packets were dropped" "$drop" 1
check_ge "early drop evicted or the table was full" "$(( $(sfw_stat "$gateway" early_drop) + drop ))" 136
check_eq "the log says so" "$(dmesg | grep -c 'sfw: table full, dropping packet' | awk '{print ($1 > 0)}')" 1

echo after >&5
busywait 3000 grep -q after /tmp/full.out && pass "TCP data after the flood" || fail "TCP data after the flood did not pass"
check_ct "the assured TCP entry survived" "$gateway" "ESTABLISHED .*dport=5000 .*\[ASSURED\]"
exit $ret
