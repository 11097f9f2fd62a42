#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: release
# sfw's own source NAT (issue #11), no nft: a LAN masqueraded behind the
# gateway's WAN address, the server having no route back to the LAN, so
# nothing gets through untranslated. Then SNAT to a range of 10 ports
# until it runs out, and masquerade entries ending with their address.
#
#   client (LAN)          gateway (sfw)                 server = router      far
#   10.0.1.2 c0 --- g0 10.0.1.1 | 10.0.2.1 g1 --- s0 10.0.2.2 s1 -mtu 1280- f0 10.0.3.2
#   fd00:1::2               | fd00:2::1          fd00:2::2 fd00:3::1          fd00:3::2
#
# The server routes to "far" over a link of MTU 1280 (far itself has 1500
# and advertises an MSS to match), so a large TCP
# transfer from the client to far needs PMTU discovery: the server's
# "fragmentation needed" / "packet too big" goes to the masquerade
# address and quotes the translated packet; sfw must translate both back
# for the client, and the forward chain (policy drop) must find it
# RELATED.
source lib.sh
need socat

trap cleanup EXIT
gateway_up || exit $ksft_fail
setup_ns far || exit $ksft_fail
ip -n "$server" link add s1 mtu 1280 type veth peer name f0 netns "$far"
ip -n "$server" addr add 10.0.3.1/24 dev s1
ip -n "$server" addr add fd00:3::1/64 dev s1 nodad
ip -n "$far" addr add 10.0.3.2/24 dev f0
ip -n "$far" addr add fd00:3::2/64 dev f0 nodad
ip -n "$server" link set s1 up
ip -n "$far" link set f0 up
ip -n "$far" route add default via 10.0.3.1
ip -n "$far" -6 route add default via fd00:3::1
sv sysctl -qw net.ipv4.ip_forward=1
sv sysctl -qw net.ipv6.conf.all.forwarding=1
# Nothing beyond the gateway knows the LAN: only masquerade gets answers.
sv ip route del default
sv ip -6 route del default
gw ip route add 10.0.3.0/24 via 10.0.2.2
gw ip -6 route add fd00:3::/64 via fd00:2::2

cat >/tmp/masq.rules <<'EOF'
chain forward policy drop
  ct state established,related accept
  ct state invalid drop
  iif g0 oif g1 accept
chain postrouting
  oif g1 masquerade
EOF
gw sfwctl ruleset load /tmp/masq.rules || { fail "sfwctl ruleset load"; exit $ret; }
gw sfwctl ruleset show | grep -qE "oif g1 .*masquerade" &&
	pass "ruleset show prints the masquerade rule" ||
	fail "ruleset show does not print the masquerade rule"

inv0=$(sfw_stat "$gateway" invalid)
for f in 4 6; do
	set_family $f
	if [ $f = 4 ]; then WAN=10.0.2.1 WAN_P=10.0.2.1 FAR=10.0.3.2 FAR_TCP="TCP:10.0.3.2"
	else WAN=fd00:2::1 WAN_P=fd00:0002:0000:0000:0000:0000:0000:0001 FAR=fd00:3::2 FAR_TCP="TCP6:[fd00:3::2]"
	fi

	# Ping: the echo id is translated, the reply un-translated.
	if busywait 5000 cl $PING -c 1 -W 1 "$S" >/dev/null; then
		pass "IPv$f: ping through the masquerading gateway"
	else
		fail "IPv$f: no ping through the masquerading gateway"
	fi
	check_ct "IPv$f: the ping's entry shows the reply to the gateway, as nf_conntrack does" "$gateway" \
		"^$L3 +[0-9]+ $ICMP +[0-9]+ [0-9]+ src=$C_P dst=$S_P type=$ECHO .* src=$S_P dst=$WAN_P type=$ECHOREPLY "

	# TCP: the server sees the gateway's address.
	sv socat -u $SOCAT_TCP_LISTEN:5000,reuseaddr \
		SYSTEM:'cat > /tmp/masq-tcp.out; echo "$SOCAT_PEERADDR" > /tmp/masq-peer.out' &
	busywait 20000 listening "$server" 5000 || fail "IPv$f: server listens"
	echo "masq-$f" | cl socat -u - "$SOCAT_TCP:5000,sourceport=4000$f" ||
		fail "IPv$f: TCP through the masquerading gateway"
	busywait 5000 grep -q "masq-$f" /tmp/masq-tcp.out &&
		pass "IPv$f: TCP data arrived" || fail "IPv$f: TCP data did not arrive"
	busywait 3000 test -s /tmp/masq-peer.out
	check_eq "IPv$f: the server saw the masquerade address" \
		"$(tr -d '[]\n' </tmp/masq-peer.out | sed 's/^::ffff://')" "$WAN_P"
	check_ct "IPv$f: sfw shows the LAN side and the translated reply, port kept" "$gateway" \
		"^$L3 +[0-9]+ tcp +6 [0-9]+ [A-Z_]+ src=$C_P dst=$S_P sport=4000$f dport=5000 .*src=$S_P dst=$WAN_P sport=5000 dport=4000$f .*\[ASSURED\]"
	rm -f /tmp/masq-tcp.out /tmp/masq-peer.out

	# UDP: a query and its answer.
	sv socat -T 5 $SOCAT_UDP_LISTEN:5353,reuseaddr SYSTEM:'echo answer' &
	busywait 20000 udp_listening "$server" 5353
	got=$(echo query | cl socat -T 3 - "$SOCAT_UDP:5353,sourceport=41053")
	check_eq "IPv$f: UDP answered through the masquerading gateway" "$got" answer

	# PMTU: 200 KB with DF to far, across the 1280-byte link.
	ip netns exec "$far" socat -u $SOCAT_TCP_LISTEN:510$f,reuseaddr OPEN:/tmp/masq-far.out,creat,trunc &
	busywait 20000 listening "$far" 510$f || fail "IPv$f: far listens"
	rel0=$(sfw_stat "$gateway" related)
	head -c 200000 /dev/zero | cl timeout 20 socat -u - "$FAR_TCP:510$f" ||
		fail "IPv$f: the large transfer to far failed"
	busywait 30000 test "$(stat -c %s /tmp/masq-far.out 2>/dev/null)" = 200000 &&
		pass "IPv$f: 200000 bytes crossed the 1280-byte link (PMTU discovery through masquerade)" ||
		fail "IPv$f: far got $(stat -c %s /tmp/masq-far.out 2>/dev/null) of 200000 bytes"
	rel=$(($(sfw_stat "$gateway" related) - rel0))
	[ "$rel" -ge 1 ] && pass "IPv$f: the server's ICMP error was RELATED ($rel)" ||
		fail "IPv$f: no ICMP error was RELATED"
	cl ip -$f route get "$FAR" | grep -q "mtu 1280" &&
		pass "IPv$f: the client learnt the path MTU 1280" ||
		fail "IPv$f: the client did not learn the path MTU: $(cl ip -$f route get "$FAR" | head -1)"
	rm -f /tmp/masq-far.out
done
check_eq "nothing INVALID" "$(($(sfw_stat "$gateway" invalid) - inv0))" 0
gw grep -q "^addr $WAN in_use [1-9]" /proc/net/sfw/nat &&
	pass "/proc/net/sfw/nat counts the masquerade address's ports in use" ||
	fail "/proc/net/sfw/nat: $(gw cat /proc/net/sfw/nat | tr '\n' ';')"

# Masquerade entries end with their address.
set_family 4
n=$(gw grep -c "dst=10.0.2.1 " /proc/net/sfw/conntrack)
[ "$n" -ge 1 ] || fail "no masqueraded IPv4 entry before the address goes"
gw ip addr del 10.0.2.1/24 dev g1
busywait 10000 ct_gone "$gateway" "dst=10.0.2.1 " &&
	pass "the masquerade address went, and its $n entries with it" ||
	fail "masqueraded entries outlived their address"
gw ip addr add 10.0.2.1/24 dev g1

# SNAT to 10 ports: 12 flows, 10 answered; the other two are counted and logged.
gw sfwctl ct flush >/dev/null
cat >/tmp/snat.rules <<'EOF'
chain forward policy drop
  ct state established,related accept
  iif g0 oif g1 accept
chain postrouting
  oif g1 udp dport 5300 snat to 10.0.2.1:20000-20009
EOF
gw sfwctl ruleset load /tmp/snat.rules || fail "sfwctl ruleset load (snat)"
sv socat -T 30 UDP4-RECVFROM:5300,reuseaddr,fork SYSTEM:'echo answer' &
busywait 20000 udp_listening "$server" 5300
logged0=$(dmesg | grep -c "no free port on 10.0.2.1")
ok=0
for p in $(seq 42001 42012); do
	got=$(echo q | cl socat -T 1 - "UDP:10.0.2.2:5300,sourceport=$p")
	[ "$got" = answer ] && ok=$((ok + 1))
done
check_eq "SNAT to 10 ports answers 10 flows of 12" "$ok" 10
gw grep -q "^addr 10.0.2.1 .* exhausted [2-9]" /proc/net/sfw/nat &&
	pass "exhaustion counted per SNAT address" ||
	fail "exhaustion not counted: $(gw cat /proc/net/sfw/nat | tr '\n' ';')"
[ "$(dmesg | grep -c "no free port on 10.0.2.1")" -gt "$logged0" ] &&
	pass "exhaustion logged" || fail "exhaustion not logged"
n=$(gw grep -cE "udp .* dst=10.0.2.1 sport=5300 dport=200(0[0-9]) " /proc/net/sfw/conntrack)
check_eq "every translated flow got a port of the range" "$n" 10
exit $ret
