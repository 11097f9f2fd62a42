#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: release
# Every match and action of the rules, over IPv4 and IPv6, on a gateway:
#   family, iif/oif, saddr/daddr prefix and set, L4 protocol, sport/dport,
#   port range and set, ICMP type, ct state; accept, drop, reject (the
#   client sees a RST / ICMP port unreachable), log (the prefix in the log).
# Each probe is one packet or one exchange; the rule that should take it
# must count it, and the one that must not, must not.
# Then the seed's scenarios with a stateful rule set (policy drop):
#   a DNS query goes out and its answer comes back without a rule for it;
#   an unsolicited packet from port 53 is blocked; a web response comes
#   back without a rule for source port 80; an INVALID packet is dropped.
# And a set changed with `sfwctl set add/del` takes effect at once.
#
#   client                 gateway (sfw, rules)          server
#   10.0.1.2  c0 --- g0 10.0.1.1     10.0.2.1 g1 --- s0  10.0.2.2
#   fd00:1::2                                            fd00:2::2
source lib.sh
need socat sfw-pkt sfwctl

trap cleanup EXIT
T=$(mktemp -d)

gateway_up || exit $ksft_fail
gw sysctl -qw net.sfw.tcp_loose=0
busywait 5000 cl ping -c 1 -W 1 10.0.2.2 >/dev/null || fail "no path client -> server"
cl ping -6 -c 1 -W 1 fd00:2::2 >/dev/null

# count CHAIN N: packets of rule N of the gateway's CHAIN.
count() { rule_count "$gateway" "$@"; }
load() { gw sfwctl ruleset load "$1" 2>/dev/null || fail "load $1"; }

for fam in 4 6; do
	set_family $fam
	if [ $fam = 4 ]; then ip=ip nfp=ipv4 other=ipv6 net=10.0.1.0/24; else ip=ip6 nfp=ipv6 other=ipv4 net=fd00:1::/64; fi
	cat >"$T/match$fam" <<R
chain forward policy accept
  ct state established,related accept
  ct state invalid drop
  $ip saddr $net udp dport 7001 accept
  $ip daddr $S tcp sport 7002 accept
  udp dport 7003-7005 accept
  udp dport { 7006, 7008 } accept
  iif g1 udp dport 7009 accept
  iif g0 oif g1 udp dport 7009 accept
  $ip saddr @clients udp dport 7010 accept
  $ICMP type echo-request accept
  udp dport 7011 log prefix "sfwtest$fam" accept
  meta nfproto $other udp dport 7012 drop
  meta nfproto $nfp udp dport 7012 accept
  tcp dport 81 reject
  udp dport 82 reject
  udp dport 83 drop
  $ip daddr @clients accept
set clients { $C, 192.0.2.1 }
R
	load "$T/match$fam"
	pkt() { cl $PKT -s "$C" -d "$S" "$@"; }
	pkt udp --sport 5000 --dport 7001
	check_eq "IPv$fam: saddr prefix + udp dport" "$(count forward 3)" 1
	pkt tcp --sport 7002 --dport 5000
	check_eq "IPv$fam: daddr + tcp sport" "$(count forward 4)" 1
	pkt udp --sport 5000 --dport 7004
	check_eq "IPv$fam: port range" "$(count forward 5)" 1
	pkt udp --sport 5000 --dport 7008
	pkt udp --sport 5000 --dport 7007
	check_eq "IPv$fam: port set (7008 in, 7007 not)" "$(count forward 6)" 1
	pkt udp --sport 5000 --dport 7009
	check_eq "IPv$fam: iif g1 does not match a packet from g0" "$(count forward 7)" 0
	check_eq "IPv$fam: iif g0 oif g1 matches" "$(count forward 8)" 1
	pkt udp --sport 5000 --dport 7010
	check_eq "IPv$fam: saddr @set" "$(count forward 9)" 1
	cl $PING -c 2 -i 0.2 -W 1 "$S" >/dev/null
	# One echo entry: the first request is NEW, the rest and the replies ESTABLISHED.
	check_eq "IPv$fam: icmp type echo-request (the first; the rest go by ct state)" "$(count forward 10)" 1
	check_ge "IPv$fam: ct state established counted the replies" "$(count forward 1)" 2
	pkt udp --sport 5000 --dport 7011
	check_eq "IPv$fam: log rule counted" "$(count forward 11)" 1
	if busywait 2000 bash -c "dmesg | grep -q 'sfwtest$fam: forward'"; then
		pass "IPv$fam: log prefix in the kernel log ($(dmesg | grep -m1 "sfwtest$fam" | sed 's/^\[[^]]*\] //'))"
	else
		fail "IPv$fam: no 'sfwtest$fam' line in the kernel log"
	fi
	pkt udp --sport 5000 --dport 7012
	check_eq "IPv$fam: a rule of the other family does not match" "$(count forward 12)" 0
	check_eq "IPv$fam: a rule of this family matches" "$(count forward 13)" 1
	before=$(count forward 2)
	# To nobody: the server would answer with an RST, INVALID too, racing the count.
	cl $PKT -s "$C" -d "$NOWHERE" tcp --sport 5000 --dport 5000 --flags A
	check_eq "IPv$fam: ct state invalid (ACK without a connection, tcp_loose=0)" "$(count forward 2)" $((before + 1))

	# reject: the client sees it.
	sv socat $SOCAT_TCP_LISTEN:81,reuseaddr OPEN:/dev/null &
	busywait 3000 listening "$server" 81
	out=$(echo x | cl timeout 5 socat -T 2 - "$SOCAT_TCP:81" 2>&1)
	case "$out" in *"Connection refused"*) pass "IPv$fam: reject tcp: the client gets a RST (connection refused)" ;;
	*) fail "IPv$fam: reject tcp: '$out'" ;; esac
	check_eq "IPv$fam: reject tcp counted" "$(count forward 14)" 1
	# reject udp: with a listener on the port, so that the server's own
	# port unreachable cannot stand in for the one reject sends. Two
	# datagrams, each from a new socket: two NEW packets for the rule.
	udp_listen "$server" 82 "$T/got82" || fail "IPv$fam: no UDP listener on the server's port 82"
	out=$(echo x | cl timeout 5 socat -T 2 - "$SOCAT_UDP:82" 2>&1; echo x | cl timeout 5 socat -T 2 - "$SOCAT_UDP:82" 2>&1)
	case "$out" in *"Connection refused"*) pass "IPv$fam: reject udp: the client gets an ICMP port unreachable" ;;
	*) fail "IPv$fam: reject udp: '$out'" ;; esac
	check_eq "IPv$fam: reject udp counted both datagrams" "$(count forward 15)" 2
	check_eq "IPv$fam: reject udp: the server's listener got nothing" "$(wc -c <"$T/got82")" 0
	# drop: the server sees nothing. The listener is bound first, and the
	# drop rule's count is the proof that the datagram reached the gateway.
	udp_listen "$server" 83 "$T/got83" || fail "IPv$fam: no UDP listener on the server's port 83"
	echo x | cl socat -u - "$SOCAT_UDP:83"
	busywait 2000 test "$(count forward 16)" -ge 1
	check_eq "IPv$fam: drop counted" "$(count forward 16)" 1
	check_eq "IPv$fam: drop: nothing arrived" "$(wc -c <"$T/got83")" 0
	# daddr @set: a packet from the server to the client.
	sv $PKT -s "$S" -d "$C" udp --sport 6000 --dport 6000
	check_eq "IPv$fam: daddr @set" "$(count forward 17)" 1
	kill $(jobs -p) 2>/dev/null
	wait 2>/dev/null

	# The input and output chains: the gateway itself.
	cat >"$T/io$fam" <<R
chain input policy accept
  $ICMP type echo-request accept
chain output policy accept
  $ICMP type echo-reply accept
R
	load "$T/io$fam"
	cl $PING -c 2 -i 0.2 -W 1 "$GW" >/dev/null
	check_eq "IPv$fam: input chain: the pings" "$(count input 1)" 2
	check_eq "IPv$fam: output chain: the replies" "$(count output 1)" 2
done

# The seed: a stateful gateway in few rules.
cat >"$T/seed" <<R
chain forward policy drop
  ct state established,related accept
  ct state invalid drop
  iif g0 oif g1 udp dport 53 accept
  iif g0 oif g1 tcp dport 80 accept
R
load "$T/seed"
for fam in 4 6; do
	set_family $fam
	sv socat -T 5 $SOCAT_UDP_LISTEN:53,reuseaddr SYSTEM:'echo answer' &
	busywait 5000 udp_listening "$server" 53 || fail "IPv$fam seed: no DNS listener"
	got=$(echo query | cl socat -T 3 - "$SOCAT_UDP:53,sourceport=41053")
	check_eq "IPv$fam seed: a DNS query goes out and its answer comes back" "$got" answer
	wait 2>/dev/null
	# The client listens, and the forward policy's count shows the packet
	# reached the gateway and was judged there: only then does an empty
	# file mean "blocked".
	udp_listen "$client" 42000 "$T/unsolicited$fam" || fail "IPv$fam seed: no listener on the client"
	pol0=$(policy_count "$gateway" forward)
	sv $PKT -s "$S" -d "$C" udp --sport 53 --dport 42000
	busywait 2000 test "$(policy_count "$gateway" forward)" -gt "$pol0"
	check_eq "IPv$fam seed: the forward policy dropped it" "$(( $(policy_count "$gateway" forward) - pol0 ))" 1
	check_eq "IPv$fam seed: an unsolicited packet from port 53 is blocked" "$(wc -c <"$T/unsolicited$fam")" 0
	kill $(jobs -p) 2>/dev/null
	wait 2>/dev/null
	sv socat $SOCAT_TCP_LISTEN:80,reuseaddr SYSTEM:'echo page' &
	busywait 3000 listening "$server" 80
	got=$(echo GET | cl socat -T 3 - "$SOCAT_TCP:80")
	check_eq "IPv$fam seed: a web response comes back with no rule for source port 80" "$got" page
	wait 2>/dev/null
	before=$(count forward 2)
	cl $PKT -s "$C" -d "$S" tcp --sport 5555 --dport 80 --flags A
	check_eq "IPv$fam seed: an INVALID packet is dropped by 'ct state invalid drop'" "$(count forward 2)" $((before + 1))
done

# A set changed at run time takes effect at once.
cat >"$T/ban" <<R
chain forward policy accept
  ip saddr @banned drop
  ip6 saddr @banned drop
set banned { 192.0.2.1 }
R
load "$T/ban"
for fam in 4 6; do
	set_family $fam
	cl $PING -c 1 -W 1 "$S" >/dev/null
	check_eq "IPv$fam set: not banned, the ping passes" $? 0
	gw sfwctl set add banned "$C"
	cl $PING -c 1 -W 1 "$S" >/dev/null
	check_eq "IPv$fam set: banned at once, the next ping is dropped" $? 1
	gw sfwctl set del banned "$C"
	cl $PING -c 1 -W 1 "$S" >/dev/null
	check_eq "IPv$fam set: unbanned at once, the next ping passes" $? 0
done
exit $ret
