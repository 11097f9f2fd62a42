#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Namespaces created after sfw is loaded are hooked too, for IPv4 and
# IPv6, and each namespace counts only its own packets.
#
#   client ---- gateway ---- server      (created after modprobe sfw)
#   fd00:1::2   fd00:1::1    fd00:2::2
#               fd00:2::1
source lib.sh

trap cleanup EXIT

sfw_load || exit $ksft_fail
topo_cgs || exit $ksft_fail

check_eq "client namespace has /proc/net/sfw/stat" \
	"$(ip netns exec "$client" bash -c '[ -r /proc/net/sfw/stat ] && echo yes')" yes

busywait 5000 ip netns exec "$client" ping -6 -c 1 -W 1 fd00:2::2 >/dev/null ||
	{ fail "no IPv6 path from client to server"; exit $ret; }

# sfw_stat fails the test on a namespace without sfw's counters, so the
# server's "FORWARD stays 0" below cannot pass for a namespace sfw never
# hooked; its LOCAL_IN rising proves sfw sees the server's own packets.
fwd0=$(sfw_stat "$gateway" forward)
srv0=$(sfw_stat "$server" forward)
srvin0=$(sfw_stat "$server" local_in)
ip netns exec "$client" ping -6 -c 3 -i 0.2 -W 2 fd00:2::2 >/dev/null || fail "ping6 through the gateway"
ip netns exec "$client" ping -c 3 -i 0.2 -W 2 10.0.2.2 >/dev/null || fail "ping through the gateway"
fwd=$(( $(sfw_stat "$gateway" forward) - fwd0 ))
check_ge "gateway FORWARD counts IPv6 and IPv4 packets" "$fwd" 12
check_ge "server LOCAL_IN counts the 6 echo requests (sfw hooked there)" \
	"$(( $(sfw_stat "$server" local_in) - srvin0 ))" 6
check_eq "server FORWARD stays 0 (its own namespace)" "$(( $(sfw_stat "$server" forward) - srv0 ))" 0
exit $ret
