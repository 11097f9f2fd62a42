#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Thousands of live entries are freed when their namespace goes and when
# the module goes: the sfw_conn slab (a 160-byte object) empties, and the
# kernel log stays clean (slab "objects remaining" reports would show up
# there and fail the run).
source lib.sh
need sfw-pkt

cleanup() {
	cleanup_all_ns
	sfw_unload
}
trap cleanup EXIT

slab() {	# slab FIELD: active_objs (2) or objsize (4) of sfw_conn
	awk -v f="$1" '$1 == "sfw_conn" { print $f; found = 1 } END { if (!found) print 0 }' /proc/slabinfo
}

topo_cgs || exit $ksft_fail
topo_no_ipv6 "$client" "$gateway" "$server"
sfw_load || exit $ksft_fail
set_family 4
busywait 5000 ip netns exec "$client" ping -c 1 -W 1 "$S" >/dev/null || { fail "no path"; exit $ret; }

check_eq "sfw_conn objects are 160 bytes" "$(slab 4)" 160
ip netns exec "$client" sfw-pkt -s "$C" -d "$NOWHERE" udp --sport 10000 --dport 53 --flows 3000
busywait 3000 test "$(ip netns exec "$gateway" sysctl -n net.sfw.conntrack_count)" -ge 3000
check_ge "gateway holds the flows" "$(ip netns exec "$gateway" sysctl -n net.sfw.conntrack_count)" 3000
check_ge "the client's own sfw tracked them too" "$(ip netns exec "$client" sysctl -n net.sfw.conntrack_count)" 3000
check_ge "sfw_conn slab holds them" "$(slab 2)" 6000

# The gateway goes with its 3000 entries.
ip netns del "$gateway"
busywait 5000 test "$(slab 2)" -lt 4000
active=$(slab 2)
if [ "$active" -lt 4000 ]; then pass "namespace exit freed its entries ($active left)"; else fail "namespace exit: $active objects left"; fi

# The module goes with the client's 3000.
rmmod sfw || fail "rmmod sfw"
check_eq "the sfw_conn cache is gone" "$(grep -c '^sfw_conn ' /proc/slabinfo)" 0
exit $ret
