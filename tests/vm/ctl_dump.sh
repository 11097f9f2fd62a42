#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: debug
# A dump of 50,000 connections while others come and go: every lasting
# entry is shown exactly once, and the dump takes many messages.
#
#   client ---- gateway (50,000 UDP entries; sfwctl ct list) ---- server
#   a churn loop adds and deletes 2,000 other flows meanwhile
source lib.sh
need sfw-pkt sfwctl

N=${SFW_DUMP_N:-$(scaled 50000)}
cleanup() {
	rm -f /tmp/churn.run
	cleanup_std
}
trap cleanup EXIT

topo_cgs || exit $ksft_fail
topo_no_ipv6 "$client" "$gateway" "$server"
# 50,000 entries need more than the 4096 buckets a 1 GiB guest gets by default:
# at 64 nodes a chain refuses inserts (stat chainlength), as nf_conntrack does.
sfw_load hashsize=65536 || exit $ksft_fail
set_family 4
gw sfwctl config set conntrack_max 200000
gw sfwctl config set udp_timeout 1200
# The client's own sfw tracks what it sends: its table must hold them too,
# or its LOCAL_OUT drops the rest as "table full" (sendto: EPERM).
ip netns exec "$client" sfwctl config set conntrack_max 200000
ip netns exec "$client" sfwctl config set udp_timeout 1200
busywait 5000 ip netns exec "$client" ping -c 1 -W 1 "$S" >/dev/null || fail "no path client -> server"

# sfw-pkt sends faster than the veth backlog drains (1000 packets by
# default): make room, or the flood loses packets before the gateway.
sysctl -qw net.core.netdev_max_backlog=200000
start=${EPOCHREALTIME/./}
ip netns exec "$client" sfw-pkt -s "$C" -d "$S" udp --sport 10000 --dport 7000 --flows "$N"
echo "    $N flows sent in $(((${EPOCHREALTIME/./} - start) / 1000)) ms"
count7000() { [ "$(gw sfwctl ct list --dport 7000 2>/dev/null | wc -l)" = "$N" ]; }
busywait 20000 count7000 || fail "the $N entries: $(gw sfwctl ct list --dport 7000 2>/dev/null | wc -l)"

# Churn: other flows come and go while we dump.
touch /tmp/churn.run
(
	while [ -e /tmp/churn.run ]; do
		ip netns exec "$client" sfw-pkt -s "$C" -d "$S" udp --sport 1000 --dport 7001 --flows 2000
		ip netns exec "$gateway" sfwctl ct delete -p udp --dport 7001 2>/dev/null
	done
) &
churn=$!
sleep 1

for i in 1 2 3; do
	start=${EPOCHREALTIME/./}
	SFWCTL_VERBOSE=1 gw sfwctl ct list >/tmp/dump.out 2>/tmp/dump.err
	rc=$?
	ms=$(((${EPOCHREALTIME/./} - start) / 1000))
	check_eq "dump $i while churning: exit status" $rc 0
	echo "    dump $i: $ms ms; $(tr '\n' ' ' </tmp/dump.err)"
	check_eq "dump $i: every lasting entry once" "$(grep -c 'dport=7000 ' /tmp/dump.out)" "$N"
	check_eq "dump $i: no line twice" "$(awk '{ print $4, $5, $6, $7 }' /tmp/dump.out | sort | uniq -d | wc -l)" 0
	churned=$(grep -c 'dport=7001 ' /tmp/dump.out)
	echo "    dump $i: $churned churning entries seen"
done
msgs=$(grep -o 'in [0-9]* datagrams' /tmp/dump.err | cut -d' ' -f2)
check_ge "the dump took many datagrams" "${msgs:-0}" 10
rm -f /tmp/churn.run
wait $churn

# A filtered dump, and a flush of the lot.
check_eq "filtered dump --sport 10000..: one entry" "$(gw sfwctl ct list --sport 10000 2>/dev/null | wc -l)" 1
start=${EPOCHREALTIME/./}
out=$(gw sfwctl ct flush 2>&1)
echo "    flush: $out in $(((${EPOCHREALTIME/./} - start) / 1000)) ms"
check_ge "flush deleted them all" "$(echo "$out" | grep -o '[0-9]*')" "$N"
check_eq "table empty" "$(ct_count "$gateway")" 0
exit $ret
