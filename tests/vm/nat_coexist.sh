#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's NAT beside sfw (issue #11): nft masquerades the LAN and
# DNATs a WAN port to a LAN server, while sfw runs the README's forward
# rules (policy drop). TCP, UDP and ping work both ways, sfw tracks each
# connection in both directions, and nothing is counted INVALID.
#
#   client (LAN)              gateway                          server (WAN)
#   10.0.1.2 c0 --- g0 10.0.1.1 | nft: oif g1 masquerade       s0 10.0.2.2
#   fd00:1::2                   |      iif g1 tcp 8080 -> C:80      fd00:2::2
#   TCP :80 listener            | sfw: forward policy drop     TCP, UDP echo
#
# sfw judges at FORWARD, between nf_nat's DNAT and SNAT, so it sees the
# LAN address of a masqueraded flow and the LAN server of a DNATed one.
source lib.sh
need socat nft

trap cleanup EXIT
gateway_up || exit $ksft_fail

gw nft -f - <<'NFT' || { fail "nft nat table"; exit $ret; }
table inet nat {
	chain pre {
		type nat hook prerouting priority dstnat;
		iifname "g1" tcp dport 8080 ip daddr 10.0.2.1 dnat ip to 10.0.1.2:80
		iifname "g1" tcp dport 8080 ip6 daddr fd00:2::1 dnat ip6 to [fd00:1::2]:80
	}
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "g1" masquerade
	}
}
NFT
cat >/tmp/nat.rules <<'EOF'
chain forward policy drop
  ct state established,related accept
  ct state invalid drop
  iif g0 oif g1 accept
  iif g1 oif g0 tcp dport 80 ct state new accept
EOF
gw sfwctl ruleset load /tmp/nat.rules || { fail "sfwctl ruleset load"; exit $ret; }

bad0=$(invalid "$gateway" tcp_bad_transition)
notsyn0=$(invalid "$gateway" tcp_not_syn)
inv0=$(sfw_stat "$gateway" invalid)

for f in 4 6; do
	set_family $f
	if [ $f = 4 ]; then WAN_GW=10.0.2.1 WAN_GW_P=10.0.2.1 DNAT="TCP:10.0.2.1:8080"
	else WAN_GW=fd00:2::1 WAN_GW_P=fd00:0002:0000:0000:0000:0000:0000:0001 DNAT="TCP6:[fd00:2::1]:8080"
	fi
	path_up || continue
	pass "IPv$f: ping through the masquerading gateway"

	# TCP, masqueraded: the server sees the gateway's address.
	ip netns exec "$server" socat -u $SOCAT_TCP_LISTEN:5000,reuseaddr \
		SYSTEM:'cat > /tmp/nat-tcp.out; echo "$SOCAT_PEERADDR" > /tmp/nat-peer.out' &
	busywait 20000 listening "$server" 5000 || fail "IPv$f: server listens"
	echo "masq-$f" | ip netns exec "$client" socat -u - "$SOCAT_TCP:5000" ||
		fail "IPv$f: TCP through the masquerading gateway"
	busywait 5000 grep -q "masq-$f" /tmp/nat-tcp.out &&
		pass "IPv$f: TCP data arrived" || fail "IPv$f: TCP data did not arrive"
	busywait 3000 test -s /tmp/nat-peer.out
	peer=$(tr -d '[]\n' </tmp/nat-peer.out)
	check_eq "IPv$f: the server saw the masquerade address" "$peer" "$WAN_GW_P"
	check_ct "IPv$f: sfw tracked the TCP connection with its LAN address, both ways" "$gateway" \
		"^$L3 +[0-9]+ tcp +6 [0-9]+ (TIME_WAIT|CLOSE|LAST_ACK|FIN_WAIT|CLOSE_WAIT|ESTABLISHED) src=$C_P dst=$S_P sport=[0-9]+ dport=5000 .*src=$S_P dst=$C_P sport=5000 .*\[ASSURED\]"
	rm -f /tmp/nat-tcp.out /tmp/nat-peer.out

	# UDP, masqueraded: a query and its answer.
	ip netns exec "$server" socat -T 5 $SOCAT_UDP_LISTEN:5353,reuseaddr SYSTEM:'echo answer' &
	busywait 20000 bash -c "ip netns exec $server ss -Hlun | grep -q ':5353 '"
	got=$(echo query | ip netns exec "$client" socat -T 3 - "$SOCAT_UDP:5353,sourceport=41053")
	check_eq "IPv$f: UDP query answered through the masquerading gateway" "$got" answer
	check_ct "IPv$f: sfw tracked the UDP flow, replied" "$gateway" \
		"^$L3 +[0-9]+ udp +17 [0-9]+ src=$C_P dst=$S_P sport=41053 dport=5353 packets=1 bytes=[0-9]+ src=$S_P dst=$C_P sport=5353 dport=41053 packets=1 "

	# DNAT: the WAN reaches the LAN server through the gateway's port 8080.
	ip netns exec "$client" socat -u $SOCAT_TCP_LISTEN:80,reuseaddr OPEN:/tmp/socat-80.out,creat,trunc &
	busywait 20000 listening "$client" 80 || fail "IPv$f: LAN server listens"
	echo "dnat-$f" | ip netns exec "$server" socat -u - "$DNAT" ||
		fail "IPv$f: TCP to the DNATed port"
	busywait 5000 grep -q "dnat-$f" /tmp/socat-80.out &&
		pass "IPv$f: DNATed data arrived at the LAN server" ||
		fail "IPv$f: DNATed data did not arrive"
	check_ct "IPv$f: sfw tracked the DNATed connection to the LAN server, both ways" "$gateway" \
		"^$L3 +[0-9]+ tcp +6 [0-9]+ [A-Z_]+ src=$S_P dst=$C_P sport=[0-9]+ dport=80 .*src=$C_P dst=$S_P sport=80 .*\[ASSURED\]"
	rm -f /tmp/socat-80.out
done

check_eq "no tcp_bad_transition" "$(($(invalid "$gateway" tcp_bad_transition) - bad0))" 0
check_eq "no tcp_not_syn" "$(($(invalid "$gateway" tcp_not_syn) - notsyn0))" 0
check_eq "nothing INVALID" "$(($(sfw_stat "$gateway" invalid) - inv0))" 0
exit $ret
