#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# BIG TCP through the gateway (issue #12, item 5). With gso_max_size and
# gro_max_size raised to 185000 on every veth, TCP sends IPv6 GSO packets
# over 64 KiB whose payload length is 0 (a jumbogram); veth hands them to
# the gateway whole, so sfw's forward hook parses them. They must be
# judged by their buffer's length, as nf_conntrack does, not INVALID:
# with `ct state invalid drop` a bulk transfer completes and nothing is
# counted INVALID. A positive control shows the packets were big.
#
# IPv4 BIG TCP (tot_len 0, kernel 6.3+) needs gso_ipv4_max_size, which the
# guest's iproute2 (Debian 12's 6.1) cannot set: that half is reported as
# a skip. The parser's unit tests cover both headers.
#
#   client ---- gateway (sfw: ct state invalid drop) ---- server
#   fd00:1::2                                              fd00:2::2 :5000 sink
source lib.sh
need socat

trap cleanup EXIT
gateway_up || exit $ksft_fail
set_family 6

for l in "$client c0" "$gateway g0" "$gateway g1" "$server s0"; do
	set -- $l
	ip -n "$1" link set dev "$2" gso_max_size 185000 gro_max_size 185000 ||
		{ skip_part ipv6 "this kernel cannot raise gso_max_size on veth"; exit $ret; }
done
skip_part ipv4 "iproute2 6.1 cannot set gso_ipv4_max_size (IPv4 BIG TCP)"
# TSO autosizing sends about 1 ms of data per GSO packet, plus a share of
# gso_max_size that shrinks with the RTT (tcp_tso_rtt_log); under TCG the
# RTT is long, so let any RTT below a second earn the full size.
ip netns exec "$client" sysctl -qw net.ipv4.tcp_tso_rtt_log=20 ||
	fail "net.ipv4.tcp_tso_rtt_log"

cat >/tmp/big.rules <<'EOF'
chain forward policy accept
  ct state invalid drop
EOF
ip netns exec "$gateway" sfwctl ruleset load /tmp/big.rules || { fail "ruleset load"; exit $ret; }
path_up || exit $ret

# Positive control: nft counts the forwarded packets over 64 KiB.
ip netns exec "$gateway" nft -f - <<'NFT' || { fail "nft counter"; exit $ret; }
table inet big {
	chain f { type filter hook forward priority 10; meta length gt 65535 counter; }
}
NFT
inv0=$(sfw_stat "$gateway" invalid)
ip netns exec "$server" socat -u TCP6-LISTEN:5000,reuseaddr OPEN:/tmp/big.out,creat,trunc &
busywait 5000 listening "$server" 5000 || fail "sink listens"
if head -c 20000000 /dev/zero | ip netns exec "$client" timeout 60 socat -u - "TCP6:[$S]:5000"; then
	pass "20 MB went through the gateway"
else
	fail "the bulk transfer did not complete"
fi
busywait 5000 test "$(stat -c %s /tmp/big.out 2>/dev/null)" = 20000000
check_eq "the sink got all of it" "$(stat -c %s /tmp/big.out 2>/dev/null)" 20000000
big=$(ip netns exec "$gateway" nft list chain inet big f | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
check_ge "packets over 64 KiB crossed sfw's forward hook" "${big:-missing}" 1
check_eq "nothing INVALID" "$(($(sfw_stat "$gateway" invalid) - inv0))" 0
exit $ret
