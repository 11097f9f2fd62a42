#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: release
# The hooks count packets. sfw is loaded after the namespaces exist, so
# this also shows that namespaces alive at load time are hooked.
#
#   client ---- gateway ---- server
#   10.0.1.2    10.0.1.1     10.0.2.2
#               10.0.2.1
#
# Forwarded traffic (ping, a TCP exchange through socat) raises FORWARD
# in the gateway and leaves LOCAL_IN alone; traffic to the gateway itself
# raises LOCAL_IN and LOCAL_OUT. IPv6 is off, so that neighbour discovery
# cannot add to the counters.
source lib.sh
need socat ss

cleanup() {
	cleanup_all_ns
	sfw_unload
}
trap cleanup EXIT

topo_cgs || exit $ksft_fail
topo_no_ipv6 "$client" "$gateway" "$server"
sfw_load || exit $ksft_fail

# Warm up ARP so the counters below see only the traffic we send.
ip netns exec "$client" ping -c 1 -W 2 10.0.2.2 >/dev/null ||
	{ fail "no path from client to server"; exit $ret; }

declare -A before after
read_all() {
	local -n into=$1
	local c
	for c in pre_routing local_in forward local_out post_routing; do
		into[$c]=$(sfw_stat "$gateway" $c)
	done
}

read_all before
ip netns exec "$client" ping -c 3 -i 0.2 -W 2 10.0.2.2 >/dev/null || fail "ping through the gateway"
tcp_listen "$server" 5000 || fail "socat server did not start"
echo hello-through-sfw | ip netns exec "$client" socat -u - TCP:10.0.2.2:5000 ||
	fail "TCP through the gateway"
busywait 3000 grep -q hello-through-sfw /tmp/socat-5000.out || fail "server did not receive the data"
read_all after

fwd=$((after[forward] - before[forward]))
lin=$((after[local_in] - before[local_in]))
pre=$((after[pre_routing] - before[pre_routing]))
post=$((after[post_routing] - before[post_routing]))
# 3 echo requests + 3 replies + a TCP exchange of at least 6 segments
check_ge "FORWARD rose for forwarded traffic" "$fwd" 12
check_eq "LOCAL_IN unchanged by forwarded traffic" "$lin" 0
check_ge "PRE_ROUTING saw every forwarded packet" "$pre" "$fwd"
check_ge "POST_ROUTING saw every forwarded packet" "$post" "$fwd"

read_all before
ip netns exec "$client" ping -c 3 -i 0.2 -W 2 10.0.1.1 >/dev/null || fail "ping the gateway"
read_all after
check_ge "LOCAL_IN rose for traffic to the gateway" "$((after[local_in] - before[local_in]))" 3
check_ge "LOCAL_OUT rose for the gateway's replies" "$((after[local_out] - before[local_out]))" 3
check_eq "FORWARD unchanged by traffic to the gateway" "$((after[forward] - before[forward]))" 0
exit $ret
