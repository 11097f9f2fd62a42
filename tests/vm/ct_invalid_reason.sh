#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: release
# INVALID handled by reason (issue 16): a rule `ct state invalid reason X`
# accepts the INVALID packets of reason X, which reach the server and are
# counted by the rule, while another reason is still dropped; and
# `ct loose` makes one connection liberal: after its first out-of-window
# packet, the next is not INVALID at all, while another connection's is.
# Over IPv4 and IPv6.
#
#   A (fake) -- client ==== gateway (sfw, rules) ==== server -- B (fake)
#                                                     s0: nft ingress counters
#
# A and B do not exist, so nobody answers behind sfw's back: the client
# namespace sends A's packets with sfw-pkt, the server namespace B's. The
# gateway forwards to B's made-up link address (topo_cgs), so a packet
# sfw let through still lands on the server's s0, where an nft netdev
# ingress counter per source port (the "listener") sees it.
source lib.sh
need sfw-pkt sfwctl nft

trap cleanup EXIT
T=$(mktemp -d)

gateway_up || exit $ksft_fail

# Connection 1 (A port 3000): out of window is accepted by rule 1, other
# reasons dropped by rule 3. Connections 2 and 3 (ports 3001, 3002): rule
# 2 loosens the one whose window a packet missed.
cat >"$T/rules" <<'R'
chain forward policy accept
  tcp sport 3000 ct state invalid reason tcp_seq_out_of_window counter accept
  tcp sport 3001-3002 ct state invalid reason tcp_seq_out_of_window ct loose
  ct state invalid counter drop
R
gw sfwctl ruleset load "$T/rules" || { fail "ruleset load"; exit $ret; }

sv nft -f - <<'N' || { fail "nft ingress counters on the server"; exit $ret; }
table netdev sfwt {
	chain in {
		type filter hook ingress device s0 priority 0;
		ip protocol tcp tcp sport 3000 tcp dport 80 counter
		ip protocol tcp tcp sport 3001 tcp dport 80 counter
		ip protocol tcp tcp sport 3002 tcp dport 80 counter
		ip6 nexthdr tcp tcp sport 3000 tcp dport 80 counter
		ip6 nexthdr tcp tcp sport 3001 tcp dport 80 counter
		ip6 nexthdr tcp tcp sport 3002 tcp dport 80 counter
	}
}
N

# arrived SPORT: packets from A's port SPORT to B's port 80 (this family)
# that reached the server's s0. A counter that is not there fails.
arrived() {
	local l3 n
	l3=$([ $f = 4 ] && echo "ip protocol tcp" || echo "ip6 nexthdr tcp")
	n=$(sv nft list chain netdev sfwt in | awk -v p="$l3 tcp sport $1 tcp dport 80 " '
		index($0, p) { for (k = 1; k < NF; k++) if ($k == "packets") print $(k + 1) }')
	[ -n "$n" ] || die_missing "no nft counter for sport $1 on the server"
	echo "$n"
}

# handshake SPORT: A:SPORT -> B:80 made ESTABLISHED in the gateway.
handshake() {
	cl $PKT -s "$A" -d "$B" tcp --sport "$1" --dport 80 --flags S --seq 1000
	sv $PKT -s "$B" -d "$A" tcp --sport 80 --dport "$1" --flags SA --seq 5000 --ack 1001
	cl $PKT -s "$A" -d "$B" tcp --sport "$1" --dport 80 --flags A --seq 1001 --ack 5001
	check_ct "IPv$f: crafted handshake from port $1 is ESTABLISHED" "$gateway" \
		"^$L3 .* ESTABLISHED .*sport=$1 dport=80 "
}

# oow SPORT SEQ: data from A:SPORT far out of its window.
oow() {
	cl $PKT -s "$A" -d "$B" tcp --sport "$1" --dport 80 --flags A --seq "$2" --ack 5001 --len 100
}

for f in 4 6; do
	set_family $f
	if [ $f = 4 ]; then A=10.0.1.99 B=10.0.2.99; else A=fd00:1::99 B=fd00:2::99; fi
	path_up || continue

	# 1. A reason rule accepts its reason; another reason is still dropped.
	handshake 3000
	n_oow=$(invalid "$gateway" tcp_seq_out_of_window)
	n_old=$(invalid "$gateway" tcp_ack_too_old)
	r1=$(rule_count "$gateway" forward 1)
	r3=$(rule_count "$gateway" forward 3)
	got=$(arrived 3000)

	oow 3000 1500000000
	busywait 2000 test "$(arrived 3000)" != "$got"
	check_eq "IPv$f: out of window is INVALID (tcp_seq_out_of_window)" \
		"$(($(invalid "$gateway" tcp_seq_out_of_window) - n_oow))" 1
	check_eq "IPv$f: the reason rule counted it" "$(($(rule_count "$gateway" forward 1) - r1))" 1
	check_eq "IPv$f: it reached the server" "$(($(arrived 3000) - got))" 1

	# Acking 100000 bytes behind what B sent: tcp_ack_too_old, rule 3.
	got=$(arrived 3000)
	cl $PKT -s "$A" -d "$B" tcp --sport 3000 --dport 80 --flags A --seq 1001 \
		--ack $(( (5001 - 100000) & 0xffffffff ))
	busywait 2000 test "$(invalid "$gateway" tcp_ack_too_old)" != "$n_old"
	check_eq "IPv$f: an old ack is INVALID (tcp_ack_too_old)" \
		"$(($(invalid "$gateway" tcp_ack_too_old) - n_old))" 1
	check_eq "IPv$f: ct state invalid drop counted it" "$(($(rule_count "$gateway" forward 3) - r3))" 1
	check_eq "IPv$f: the reason rule did not" "$(($(rule_count "$gateway" forward 1) - r1))" 1
	# The ingress counter saw the first packet (above): it listens.
	check_eq "IPv$f: the old ack did not reach the server" "$(($(arrived 3000) - got))" 0

	# 2. ct loose: connection 2 turns liberal on its first miss, 3 does not.
	handshake 3001
	handshake 3002
	n_oow=$(invalid "$gateway" tcp_seq_out_of_window)
	r2=$(rule_count "$gateway" forward 2)
	got=$(arrived 3001)
	oow 3001 1500000000
	busywait 2000 test "$(arrived 3001)" != "$got"
	check_eq "IPv$f: port 3001's first miss is INVALID" \
		"$(($(invalid "$gateway" tcp_seq_out_of_window) - n_oow))" 1
	check_eq "IPv$f: ct loose took it" "$(($(rule_count "$gateway" forward 2) - r2))" 1

	n_oow=$(invalid "$gateway" tcp_seq_out_of_window)
	oow 3001 3000000000
	busywait 2000 test "$(arrived 3001)" != "$((got + 1))"
	check_eq "IPv$f: port 3001's next miss reached the server" "$(($(arrived 3001) - got))" 2
	check_eq "IPv$f: and was not INVALID" \
		"$(($(invalid "$gateway" tcp_seq_out_of_window) - n_oow))" 0
	check_eq "IPv$f: nor met ct loose again" "$(($(rule_count "$gateway" forward 2) - r2))" 1

	# The positive control: the same miss on connection 3 still counts.
	oow 3002 1500000000
	busywait 2000 test "$(invalid "$gateway" tcp_seq_out_of_window)" != "$n_oow"
	check_eq "IPv$f: port 3002's miss is still INVALID" \
		"$(($(invalid "$gateway" tcp_seq_out_of_window) - n_oow))" 1
	check_ct "IPv$f: port 3001 is still ESTABLISHED" "$gateway" \
		"^$L3 .* ESTABLISHED .*sport=3001 dport=80 "
done
exit $ret
