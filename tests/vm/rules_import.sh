#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: release
# sfwctl ruleset import-nft: an nftables rule set loaded with nft in the
# gateway is read back through libnftnl and printed in sfw's syntax (the
# output checked line by line, and -j read with jq); --load loads it,
# and traffic is judged as nft judged it: LAN->WAN web passes, its
# answers come back, WAN->LAN is dropped, and the rule with `log prefix` logs. `icmpv6 type` and
# `ip6 nexthdr` in the inet table translate too. An untranslatable rule
# (meta mark) is named once by chain, handle and libnftnl's text of the
# expression, the import exits 1 and nothing is loaded; so does a bad
# set used twice (named once), an ip6 nexthdr naming an extension
# header, a missing TABLE, and a namespace with no table at all.
#
#   client                 gateway (nft, then sfw)       server
#   10.0.1.2  c0 --- g0 10.0.1.1     10.0.2.1 g1 --- s0  10.0.2.2
source lib.sh
need nft socat sfwctl jq

trap cleanup EXIT
T=$(mktemp -d)

gateway_up --ipv4-only || exit $ksft_fail

cat >"$T/rules.nft" <<'N'
table inet filter {
	set trusted {
		type ipv4_addr; flags interval
		elements = { 10.0.0.0/8, 192.0.2.7 }
	}
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related counter accept
		ct state invalid drop
		iifname "lo" accept
		tcp dport 22 ct state new accept
		ip saddr @trusted icmp type echo-request accept
		tcp dport { 80, 443, 8000-8080 } accept
		udp sport 1000-2000 reject
		ip6 daddr fd00::/64 meta l4proto udp accept
		icmpv6 type echo-request accept
		ip6 nexthdr tcp accept
	}
	chain forward {
		type filter hook forward priority 0; policy drop;
		ct state established,related accept
		ct state invalid drop
		iifname "g0" oifname "g1" accept
		ip saddr 10.0.2.0/24 ip daddr 10.0.1.2 tcp dport 7 log prefix "imp7" accept
	}
}
N
gw nft -f "$T/rules.nft" || { fail "nft -f"; exit $ksft_fail; }

cat >"$T/expected" <<'E'
chain input policy drop
  ct state established,related accept
  ct state invalid drop
  iif lo accept
  tcp dport 22 ct state new accept
  ip saddr @trusted icmp type echo-request accept
  tcp dport { 80, 443, 8000-8080 } accept
  udp sport 1000-2000 reject
  ip6 daddr fd00::/64 meta l4proto udp accept
  icmpv6 type echo-request accept
  meta nfproto ipv6 meta l4proto tcp accept
chain forward policy drop
  ct state established,related accept
  ct state invalid drop
  iif g0 oif g1 accept
  ip saddr 10.0.2.0/24 ip daddr 10.0.1.2 tcp dport 7 log prefix "imp7" accept
set trusted { 10.0.0.0/8, 192.0.2.7 }
E
gw sfwctl ruleset import-nft >"$T/got" 2>"$T/err"
check_eq "import-nft exit" $? 0
n=0
while IFS= read -r want; do
	n=$((n + 1))
	check_eq "line $n" "$(sed -n "${n}p" "$T/got")" "$want"
done <"$T/expected"
# import-nft -j, read with jq: the same rule set, each rule's text the line above.
gw sfwctl ruleset import-nft -j >"$T/got.json" 2>/dev/null
json_check "import-nft -j: chains, a rule's fields, the set" \
	"([.chains[] | [.name, .policy, (.rules | length)]] == [[\"input\", \"drop\", 10], [\"forward\", \"drop\", 4]])
	 and .chains[1].rules[3].log == {prefix: \"imp7\"} and .chains[1].rules[3].dport == [[7, 7]]
	 and .chains[1].rules[3].saddr == \"10.0.2.0/24\" and .chains[0].rules[2].iif == \"lo\"
	 and .sets == [{name: \"trusted\", elements: [\"10.0.0.0/8\", \"192.0.2.7\"]}]" <"$T/got.json"
check_eq "import-nft -j: each rule's text, the text output's line" \
	"$(jq -r '.chains[].rules[].text' "$T/got.json")" "$(grep '^  ' "$T/expected" | sed 's/^  //')"
check_eq "line count" "$(wc -l <"$T/got")" "$(wc -l <"$T/expected")"
gw sfwctl ruleset import-nft filter >"$T/got_t" 2>&1
check_eq "import-nft filter (one table) is the same" "$(cmp -s "$T/got" "$T/got_t" && echo same)" same

# Load it; nft's own rules go, so that only sfw judges.
gw nft flush ruleset
gw nft -f "$T/rules.nft"
gw sfwctl ruleset import-nft --load 2>"$T/err"
check_eq "import-nft --load exit" $? 0
gw nft flush ruleset
check_eq "loaded rule set equals the printed one" \
	"$(gw sfwctl ruleset show | grep -v '^#' | sed 's/ counter packets [0-9]* bytes [0-9]*//')" \
	"$(sed '$d' "$T/expected"; echo 'chain output policy accept'; tail -n 1 "$T/expected")"

# Traffic, as nft would judge it.
tcp_listen "$server" 5000 || fail "no listener on the server's port 5000"
echo "lan to wan" | cl socat -T 3 -u - TCP:10.0.2.2:5000
busywait 3000 grep -q "lan to wan" /tmp/socat-5000.out
check_eq "LAN -> WAN TCP passed" "$(cat /tmp/socat-5000.out)" "lan to wan"
rm -f /tmp/socat-5000.out
# The negative check's controls: the listener is up, and the forward
# policy judged the SYN (so it reached the gateway and went no further).
tcp_listen "$client" 5001 || fail "WAN -> LAN: no listener on the client's port 5001"
pol0=$(policy_count "$gateway" forward)
echo "wan to lan" | sv timeout 4 socat -u - TCP:10.0.1.2:5001,connect-timeout=3 2>/dev/null
check_ge "WAN -> LAN TCP: the forward policy judged the SYN" "$(( $(policy_count "$gateway" forward) - pol0 ))" 1
check_eq "WAN -> LAN TCP dropped (listener got)" "$(cat /tmp/socat-5001.out 2>/dev/null | wc -c)" 0
tcp_listen "$client" 7 || fail "no listener on the client's port 7"
logged0=$(dmesg | grep -c "imp7:")
echo "allowed in" | sv socat -T 3 -u - TCP:10.0.1.2:7
busywait 3000 grep -q "allowed in" /tmp/socat-7.out
check_eq "WAN -> LAN tcp dport 7 accepted" "$(cat /tmp/socat-7.out)" "allowed in"
check_ge "tcp dport 7 logged with nft's prefix" "$(( $(dmesg | grep -c "imp7:") - logged0 ))" 1
check_ge "forward 'iif g0 oif g1 accept' counted" "$(rule_count "$gateway" forward 3)" 1
check_ge "forward 'tcp dport 7' counted" "$(rule_count "$gateway" forward 4)" 1

# Untranslatable: named by chain and handle, nothing loads.
gw nft -f "$T/rules.nft"
gw nft add rule inet filter forward meta mark 3 accept
h=$(gw nft -a list chain inet filter forward | sed -n 's/.*meta mark .* # handle \([0-9]*\)/\1/p')
gen=$(gw sfwctl ruleset show | sed -n "1s/# generation \([0-9]*\).*/\1/p")
gw sfwctl ruleset import-nft --load >"$T/out" 2>"$T/err"
check_eq "untranslatable: exit" $? 1
if grep -q "chain forward handle $h: \[ meta load mark => reg 1 \]: meta mark" "$T/err"; then
	pass "untranslatable rule named with libnftnl's text (handle $h)"
else
	fail "untranslatable rule not named (handle '$h'): $(head -n 2 "$T/err")"
fi
check_eq "untranslatable: reported once" "$(grep -c "handle $h:" "$T/err")" 1
check_eq "untranslatable: nothing printed" "$(wc -c <"$T/out")" 0
check_eq "untranslatable: nothing loaded (generation)" "$(gw sfwctl ruleset show | sed -n "1s/# generation \([0-9]*\).*/\1/p")" "$gen"

# A set sfw cannot hold (a range that is no prefix), used twice: one
# report. An ip6 nexthdr naming an extension header (44, fragment):
# sfw's l4proto is the protocol after them, so it is refused.
gw nft flush ruleset
gw nft -f - <<'N'
table inet bad {
	set r { type ipv4_addr; flags interval; elements = { 10.0.0.1-10.0.0.5 } }
	chain c_in {
		type filter hook input priority 0;
		ip saddr @r accept
		ip daddr @r drop
		ip6 nexthdr 44 drop
	}
}
N
gw sfwctl ruleset import-nft >"$T/out" 2>"$T/err"
check_eq "bad set, nexthdr 44: exit" $? 1
check_eq "bad set: reported once" "$(grep -c "set r: 1 of its ranges is not a prefix" "$T/err")" 1
check_eq "ip6 nexthdr 44: reported" "$(grep -c "ip6 nexthdr 44 is an extension header" "$T/err")" 1
check_eq "reports: two things, then the summary" "$(wc -l <"$T/err")" 3

# A TABLE that is not there, then no table at all: errors, not an empty rule set.
gw sfwctl ruleset import-nft nosuch >"$T/out" 2>"$T/err"
check_eq "missing table: exit" $? 1
check_eq "missing table: says so" "$(cat "$T/err")" "sfwctl: import-nft: no nftables table 'nosuch' (nft list tables)"
check_eq "missing table: nothing printed" "$(wc -c <"$T/out")" 0
gw nft flush ruleset
gw sfwctl ruleset import-nft >"$T/out" 2>"$T/err"
check_eq "no tables: exit" $? 1
check_eq "no tables: says so" "$(cat "$T/err")" \
	"sfwctl: import-nft: no nftables tables in this namespace: nothing to translate"
exit $ret
