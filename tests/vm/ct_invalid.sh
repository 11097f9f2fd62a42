#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Crafted packets are INVALID in the gateway, each counted under its reason
# in /proc/net/sfw/invalid, and change nothing; over IPv4 and IPv6.
#
#   A (fake, client side) -- client ==== gateway (read here) ==== server -- B (fake)
#
# A and B do not exist, so nobody answers behind sfw's back: the client
# namespace sends A's packets and the server namespace B's, with sfw-pkt.
# A handshake between them makes an ESTABLISHED entry to aim at.
source lib.sh
need sfw-pkt

trap cleanup EXIT

gateway_up || exit $ksft_fail

# expect_invalid WHAT REASON NS SFW-PKT-ARGS...: one packet, one count.
expect_invalid() {
	local what=$1 reason=$2 ns=$3 before after
	shift 3
	before=$(invalid "$gateway" "$reason")
	ip netns exec "$ns" $PKT "$@" || { fail "IPv$f: $what: sfw-pkt $*"; return; }
	busywait 2000 test "$(invalid "$gateway" "$reason")" != "$before"
	after=$(invalid "$gateway" "$reason")
	check_eq "IPv$f: $what is INVALID ($reason)" "$((after - before))" 1
}

for f in 4 6; do
	set_family $f
	if [ $f = 4 ]; then A=10.0.1.99 B=10.0.2.99; else A=fd00:1::99 B=fd00:2::99; fi
	# The gateway knows A's and B's made-up link addresses (topo_cgs).
	path_up || continue

	expect_invalid "SYN+FIN" bad_tcp_flags "$client" -s "$A" -d "$B" tcp --sport 1 --dport 2 --flags SF
	expect_invalid "no flags" bad_tcp_flags "$client" -s "$A" -d "$B" tcp --sport 1 --dport 2 --flags none
	expect_invalid "truncated TCP header" truncated_l4 "$client" -s "$A" -d "$B" tcp --sport 1 --dport 2 \
		--truncate $([ $f = 4 ] && echo 30 || echo 50)
	expect_invalid "data offset 2" bad_tcp_doff "$client" -s "$A" -d "$B" tcp --sport 1 --dport 2 --doff 2
	expect_invalid "bad TCP checksum" bad_checksum "$client" -s "$A" -d "$B" tcp --sport 1 --dport 2 --bad-csum
	expect_invalid "bad UDP checksum" bad_checksum "$client" -s "$A" -d "$B" udp --sport 1 --dport 2 --bad-csum
	expect_invalid "ICMP error for no connection" icmp_error_no_match "$server" -s "$B" -d "$A" \
		icmp --type $([ $f = 4 ] && echo 3 --code 3 || echo 1 --code 4) \
		--inner-proto udp --inner-src "$A" --inner-dst "$B" --inner-sport 44444 --inner-dport 53
	check_eq "IPv$f: no entry from invalid packets" "$(ct_lines "$gateway" "sport=(1|2) " | wc -l)" 0

	# A handshake A -> B, then aim at the ESTABLISHED entry.
	ip netns exec "$client" $PKT -s "$A" -d "$B" tcp --sport 3000 --dport 80 --flags S --seq 1000
	ip netns exec "$server" $PKT -s "$B" -d "$A" tcp --sport 80 --dport 3000 --flags SA --seq 5000 --ack 1001
	ip netns exec "$client" $PKT -s "$A" -d "$B" tcp --sport 3000 --dport 80 --flags A --seq 1001 --ack 5001
	check_ct "IPv$f: crafted handshake is ESTABLISHED" "$gateway" "^$L3 .* ESTABLISHED .*sport=3000 dport=80 "

	expect_invalid "RST out of window" tcp_rst_out_of_window "$server" -s "$B" -d "$A" \
		tcp --sport 80 --dport 3000 --flags R --seq 900000000
	expect_invalid "data far out of window" tcp_seq_out_of_window "$client" -s "$A" -d "$B" \
		tcp --sport 3000 --dport 80 --flags A --seq 1500000000 --ack 5001 --len 100
	check_ct "IPv$f: still ESTABLISHED after them" "$gateway" "^$L3 .* ESTABLISHED .*sport=3000 dport=80 "

	# An RST in window closes it.
	ip netns exec "$server" $PKT -s "$B" -d "$A" tcp --sport 80 --dport 3000 --flags R --seq 5001
	check_ct "IPv$f: RST in window closes it" "$gateway" "^$L3 .* CLOSE .*sport=3000 dport=80 "
done
exit $ret
