#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Limits a user namespace cannot lift (issue #12, item 2). The table is
# shared by every namespace; a namespace's conntrack_max and timeouts
# bound its share. In a namespace owned by a new user namespace
# (unshare -Urn, what any unprivileged user may do) they are read-only,
# through the sysctl and through sfwctl; in a namespace root made (ip
# netns add) they stay writable (the positive control). A userns
# namespace that floods new UDP flows to its own loopback stays within
# its conntrack_max, and new connections elsewhere still work.
#
#   [unshare -Urn: flood to 127.0.0.1]      client ---- gateway ---- server
source lib.sh
need sfw-pkt sfwctl socat unshare

trap cleanup EXIT
gateway_up --ipv4-only || exit $ksft_fail
set_family 4
unshare -Urn true || { fail "unshare -Urn does not work here"; exit $ret; }

# Positive control: root's own namespace may change them.
ip netns exec "$gateway" sysctl -qw net.sfw.conntrack_max=5000 &&
	pass "conntrack_max writable in a namespace root made" ||
	fail "conntrack_max not writable in a namespace root made"
ip netns exec "$gateway" sfwctl config set udp_timeout 31 &&
	pass "sfwctl config set works there" || fail "sfwctl config set fails there"

# A user namespace's own network namespace may not.
for kv in conntrack_max=0 udp_timeout=1728000 tcp_timeout_established=1728000; do
	k=${kv%=*} v=${kv#*=}
	if unshare -Urn sh -c "sysctl -w net.sfw.$kv" >/tmp/userns.out 2>&1; then
		fail "unshare -Urn: sysctl -w net.sfw.$kv succeeded"
	else
		pass "unshare -Urn: sysctl -w net.sfw.$kv refused ($(tr '\n' ' ' </tmp/userns.out))"
	fi
	err=$(unshare -Urn sfwctl config set "$k" "$v" 2>&1) &&
		fail "unshare -Urn: sfwctl config set $kv succeeded"
	case $err in
	*"read-only in a namespace owned by a user namespace"*) pass "sfwctl says why: $err" ;;
	*) fail "sfwctl config set $kv: unexpected message: '$err'" ;;
	esac
done
max=$(unshare -Urn sysctl -n net.sfw.conntrack_max)
check_ge "conntrack_max in the user namespace keeps its default" "$max" 1

# A flood there stays within its own limit. Once the namespace is full,
# a new flow whose neighbourhood holds nothing to evict is dropped (the
# sender gets EPERM, "table full" in the log): sfw-pkt stops at the first
# such error, so the flood goes in batches and a batch may end early.
batches=$((max * 2 / 256))
unshare -Urn sh -c "ip link set lo up || exit 1
	i=0
	while [ \$i -lt $batches ]; do
		sfw-pkt -s 127.0.0.1 -d 127.0.0.1 udp --sport \$((1024 + i * 256)) --dport 9 \
			--flows 256 >/dev/null 2>&1
		i=\$((i + 1))
	done
	sysctl -n net.sfw.conntrack_count" >/tmp/userns.count 2>/tmp/userns.err ||
	fail "flood in the user namespace: $(cat /tmp/userns.err)"
n=$(cat /tmp/userns.count)
check_ge "the flood filled its namespace's share" "${n:-0}" $((max / 2))
if [ "${n:-0}" -le "$max" ] 2>/dev/null; then
	pass "and no more ($n <= $max)"
else
	fail "the flood holds $n entries, over its conntrack_max $max"
fi

# New connections elsewhere still work.
tcp_listen "$server" 5000 || fail "server listens"
echo after-the-flood | ip netns exec "$client" socat -u - "TCP:$S:5000" || fail "TCP after the flood"
busywait 5000 grep -q after-the-flood /tmp/socat-5000.out &&
	pass "a new connection through the gateway after the flood" ||
	fail "no new connection through the gateway after the flood"
exit $ret
