#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: release
# sfwctl explain agrees with real packets, for each rule of the demo rule
# set (tests/vm/gateway.inc) and for each chain's policy: explain names
# the chain, the deciding rule (or the policy) and the verdict, and the
# real packet, sent next, raises exactly that rule's (or policy's)
# counter. Explain itself counts nothing and creates no connection; it
# shows the tracked connection of a tuple when there is one.
#
#   LAN: client            gateway (sfw + GW_RULES)           WAN: server
#   10.0.1.2  c0 --- g0 10.0.1.1        10.0.2.1 g1 --- s0  10.0.2.2
source lib.sh
source gateway.inc
need socat sfwctl busybox timeout jq sfw-pkt

trap cleanup EXIT
T=$(mktemp -d)

gw_setup "$T" || { fail "gateway setup"; exit $ksft_fail; }

# counter CHAIN N|policy: packets rule N of CHAIN (or its policy) counted.
counter() {
	local n
	if [ "$2" = policy ]; then
		policy_count "$gateway" "$1"
		return
	fi
	n=$(gw_count "$1" "$2")
	[ -n "$n" ] || die_missing "no counter for $1 rule $2 (no rule set loaded?)"
	echo "$n"
}

# explains WHAT CHAIN VERDICT RULE|policy ARGS...: explain's answer.
explains() {
	local what=$1 chain=$2 verdict=$3 rule=$4 out got
	shift 4
	out=$(gw sfwctl -j explain "$@" 2>&1) || { fail "$what: sfwctl explain $*: $out"; return 1; }
	got=$(jq -r '[.chain, .verdict, (.rule // "policy" | tostring)] | join(" ")' <<<"$out" 2>&1)
	check_eq "$what: explain says" "$got" "$chain $verdict $rule"
	# The steps end at the deciding rule, which alone matched.
	if [ "$rule" != policy ]; then
		check_eq "$what: the last step is the rule that matched" \
			"$(jq -r '.steps[-1] | "\(.rule) \(.matched)"' <<<"$out")" "$rule true"
	fi
	check_eq "$what: no step before it matched" \
		"$(jq '[.steps[:-1][] | select(.matched)] | length' <<<"$out")" 0
}

# agrees WHAT CHAIN RULE|policy CMD...: CMD's real packet raises that counter.
agrees() {
	local what=$1 chain=$2 rule=$3 before
	shift 3
	before=$(counter "$chain" "$rule")
	"$@" >/dev/null 2>&1
	busywait 3000 test "$(counter "$chain" "$rule")" -gt "$before"
	check_ge "$what: the real packet raised $chain $rule" "$(($(counter "$chain" "$rule") - before))" 1
}

syn() { ip netns exec "$1" sfw-pkt -s "$2" -d "$3" tcp --sport "$4" --dport "$5" --flags S --seq 1000; }

# Nothing counted, nothing created: the whole counter listing and the
# table stay as they are across explains of a new tuple.
gw sfwctl ruleset show >"$T/counters0"
ct0=$(ct_count "$gateway")
gw sfwctl explain -p tcp -s 10.0.1.2 -d 10.0.2.2 --sport 40999 --dport 80 >"$T/text" 2>&1 ||
	fail "explain (text): $(cat "$T/text")"
gw sfwctl explain -p tcp -s 10.0.1.2 -d 10.0.1.1 --sport 40999 --dport 22 >/dev/null 2>&1
gw sfwctl ruleset show >"$T/counters1"
check_eq "explain counts nothing" "$(diff "$T/counters0" "$T/counters1" | wc -l)" 0
check_eq "explain creates no connection" "$(ct_count "$gateway")" "$ct0"
check_eq "text: the verdict line" "$(grep '^verdict:' "$T/text")" "verdict: accept (forward rule 3)"
check_eq "text: the deciding rule and its text" "$(grep -c 'forward rule 3: iif g0 oif g1 accept .*matched' "$T/text")" 1
check_eq "text: no connection yet" "$(grep '^connection:' "$T/text")" "connection: none tracked"

# input, rule by rule.
explains "ssh to the gateway" input accept 4 -p tcp -s 10.0.1.2 -d 10.0.1.1 --sport 40022 --dport 22
agrees "ssh to the gateway" input 4 syn "$client" 10.0.1.2 10.0.1.1 40022 22
explains "ping the gateway" input accept 5 -p icmp -s 10.0.1.2 -d 10.0.1.1 --type 8 --code 0 --id 7
agrees "ping the gateway" input 5 cl ping -c 1 -W 2 10.0.1.1
explains "the gateway to itself" input accept 3 -p tcp -s 10.0.1.1 -d 10.0.1.1 --sport 40033 --dport 9
agrees "the gateway to itself" input 3 syn "$gateway" 10.0.1.1 10.0.1.1 40033 9
explains "telnet to the gateway" input drop policy -p tcp -s 10.0.1.2 -d 10.0.1.1 --sport 40023 --dport 23
agrees "telnet to the gateway" input policy syn "$client" 10.0.1.2 10.0.1.1 40023 23
explains "an established packet" input accept 1 -p tcp -s 10.0.1.2 -d 10.0.1.1 --sport 40023 --dport 23 \
	--state established
explains "an invalid packet" input drop 2 -p tcp -s 10.0.1.2 -d 10.0.1.1 --sport 40023 --dport 23 \
	--state invalid

# forward, rule by rule, and the NAT chain.
explains "LAN to WAN" forward accept 3 -p tcp -s 10.0.1.2 -d 10.0.2.2 --sport 40080 --dport 80
explains "LAN to WAN, masqueraded" postrouting masquerade 1 -p tcp -s 10.0.1.2 -d 10.0.2.2 \
	--sport 40080 --dport 80 --chain postrouting
before_masq=$(counter postrouting 1)
agrees "LAN to WAN" forward 3 syn "$client" 10.0.1.2 10.0.2.2 40080 80
check_ge "LAN to WAN: and raised postrouting 1" "$(($(counter postrouting 1) - before_masq))" 1
explains "WAN to LAN" forward drop policy -p tcp -s 10.0.2.2 -d 10.0.1.2 --sport 40081 --dport 8080
agrees "WAN to LAN" forward policy syn "$server" 10.0.2.2 10.0.1.2 40081 8080
explains "a reply" forward accept 1 -p tcp -s 10.0.2.2 -d 10.0.1.2 --sport 80 --dport 40090 \
	--state established
web90() { printf 'GET / HTTP/1.0\r\n\r\n' | cl socat -T 5 - TCP:10.0.2.2:80,sourceport=40090; }
agrees "a reply" forward 1 web90
explains "an invalid forward" forward drop 2 -p tcp -s 10.0.1.2 -d 10.0.2.2 --sport 40082 --dport 80 \
	--state invalid
agrees "an invalid forward" forward 2 ip netns exec "$client" sfw-pkt -s 10.0.1.2 -d 10.0.2.2 \
	tcp --sport 40082 --dport 80 --flags SF
explains "given devices" forward drop policy -p tcp -s 10.0.1.2 -d 10.0.2.2 --sport 40080 --dport 80 \
	--iif g1 --oif g0
# The index: UDP to port 53 skips rule 4 (tcp dport 22), which it cannot match.
explains "what the index skips" input drop policy -p udp -s 10.0.1.2 -d 10.0.1.1 --sport 40053 --dport 53
check_eq "the index skipped input rule 4" "$(gw sfwctl -j explain -p udp -s 10.0.1.2 -d 10.0.1.1 \
	--sport 40053 --dport 53 | jq -r '[.steps[].rule | tostring] | join(",")')" "1,2,3,5"

# The tracked connection of a tuple: web90's, in TIME_WAIT now.
out=$(gw sfwctl -j explain -p tcp -s 10.0.1.2 -d 10.0.2.2 --sport 40090 --dport 80 --state established)
check_eq "a tracked connection is shown" \
	"$(jq -r '.connection | "\(.l4) \(.orig.sport) \(.orig.dport)"' <<<"$out" 2>&1)" "tcp 40090 80"

# --reason: a reason rule matches the reason it names, and fails on
# "reason" for another (or for none).
printf 'chain forward policy accept\n  ct state invalid reason tcp_seq_out_of_window accept\n  ct state invalid drop\n' >"$T/reason"
gw sfwctl ruleset load "$T/reason" 2>/dev/null || fail "load the reason rules"
explains "out of window" forward accept 1 -p tcp -s 10.0.1.2 -d 10.0.2.2 --sport 40100 --dport 80 \
	--state invalid --reason tcp_seq_out_of_window
explains "an old ack" forward drop 2 -p tcp -s 10.0.1.2 -d 10.0.2.2 --sport 40100 --dport 80 \
	--state invalid --reason tcp_ack_too_old
check_eq "an old ack: rule 1 failed on its reason" "$(gw sfwctl -j explain -p tcp -s 10.0.1.2 \
	-d 10.0.2.2 --sport 40100 --dport 80 --state invalid --reason tcp_ack_too_old |
	jq -r '.steps[0].failed')" reason
out=$(gw sfwctl explain -p tcp -s 10.0.1.2 -d 10.0.2.2 --sport 1 --dport 2 --reason tcp_ack_too_old 2>&1)
check_eq "--reason without --state invalid: exit 2" "$?" 2

# Errors: no rule set; a bad state; an incomplete tuple.
gw sfwctl ruleset flush
if out=$(gw sfwctl explain -p tcp -s 10.0.1.2 -d 10.0.2.2 --sport 1 --dport 2 2>&1); then
	fail "explain without a rule set succeeded: $out"
else
	check_eq "explain without a rule set" "$out" \
		"sfwctl: explain: no rule set loaded: every packet is accepted (No such file or directory)"
fi
out=$(gw sfwctl explain -p tcp -s 10.0.1.2 -d 10.0.2.2 --sport 1 --dport 2 --state bogus 2>&1)
check_eq "explain --state bogus: exit 2" "$?" 2
out=$(gw sfwctl explain -p tcp -s 10.0.1.2 2>&1)
check_eq "explain with half a tuple: exit 2" "$?" 2
exit $ret
