#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: release
# Adaptive timeouts (net.sfw.adaptive_start, adaptive_end): as the table
# fills, every timeout is scaled by (end - count) / (end - start).
#
#   client ---- gateway (conntrack_max 100, adaptive 20..100 %) ---- server
#     3 TCP connections to the server, ESTABLISHED and held open,
#     then 80 SYNs to NOWHERE through the gateway: half-open entries,
#     the k-th made with count = c0 + k + 1 in the table
#
# tcp_timeout_syn_sent is 70 s, so that an entry made with it is filed
# more than a lap of the wheel (64 s) ahead and examined 6 s after: that
# examination scales it for the table as it is then.
#   - made:     the last SYN's timeout is 70 * (100 - count) / 80, the
#               first's 70 (count below start)           (/proc, ±3 s)
#   - examined: the first SYN's timeout falls from ~64 to ~15 within 15 s
#   - the last SYNs expire first; no ESTABLISHED entry goes, and the
#     connections keep passing
#   - control, adaptive off: new SYNs keep 70 s, made and examined.
source lib.sh
need socat sfw-pkt

T=$(mktemp -d)
trap cleanup EXIT	# its socats go with the namespaces: nothing to wait for

# A large hash table: early drop never finds a victim by chance.
gateway_up --ipv4-only hashsize=1048576 || exit $ksft_fail
set_family 4
gw sysctl -qw net.sfw.conntrack_max=100 net.sfw.tcp_timeout_syn_sent=70 \
	net.sfw.adaptive_end=100 net.sfw.adaptive_start=20 || fail "set the table's limits"

count() { gw sysctl -n net.sfw.conntrack_count; }
# count_ge N: the table holds N entries or more (for busywait).
count_ge() { [ "$(count)" -ge "$1" ]; }
# arrived WORD N: N lines with WORD reached the server.
arrived() { [ "$(grep -c "$1" "$T/srv.out")" -eq "$2" ]; }
# established N: N ESTABLISHED, assured entries for the connections.
established() { [ "$(ct_lines "$gateway" 'ESTABLISHED .*dport=5000 .*ASSURED' | wc -l)" -eq "$1" ]; }
# left SPORT: the seconds the half-open entry from SPORT has left.
left() { ct_lines "$gateway" "SYN_SENT src=$C dst=$NOWHERE sport=$1 " | awk '{ print $5 }'; }
# in_range WHAT VALUE LO HI
in_range() {
	if [ -n "$2" ] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then
		pass "$1 ($2 in $3..$4)"
	else
		fail "$1: got '$2', want $3..$4"
	fi
}
# expect COUNT: syn_sent's timeout for an entry made with COUNT entries.
expect() { echo $((70 * (100 - $1) / 80)); }

# No ping to prove the path (its entry would expire halfway and change the
# count): the connections do.
sv socat -u TCP-LISTEN:5000,reuseaddr,fork OPEN:"$T/srv.out",creat,append &
busywait 5000 listening "$server" 5000 || fail "server did not listen"
for i in 1 2 3; do
	tcp_open "c$i" "$client" "TCP:$S:5000"
	tcp_send "c$i" "hello $i"
done
busywait 5000 arrived hello 3 && pass "3 connections through the gateway" ||
	fail "the connections did not pass"
busywait 3000 established 3 || fail "3 ESTABLISHED entries"

# 1. Adaptive on: 80 SYNs fill the table to count c0 + 80.
c0=$(count)
n=80
reaped0=$(sfw_stat "$gateway" reaped)
cl sfw-pkt -s "$C" -d "$NOWHERE" tcp --flags S --sport 20000 --dport 80 --flows $n ||
	fail "sfw-pkt flood"
busywait 10000 count_ge $((c0 + n))
check_eq "every SYN made an entry" "$(count)" $((c0 + n))
e_last=$(expect $((c0 + n)))
e_mid=$(expect $((c0 + n / 2)))
in_range "made: the last SYN's timeout is scaled" "$(left $((20000 + n - 1)))" $((e_last - 3)) "$e_last"
in_range "made: a middle SYN's timeout is scaled" "$(left $((20000 + n / 2 - 1)))" $((e_mid - 3)) "$e_mid"
in_range "made: the first SYN's (count below start) is not" "$(left 20000)" 66 70

# The wheel examines the first SYN ~6 s after it was made: what it has
# left becomes syn_sent's timeout scaled for the table now (count c0 + n,
# or a little less if a last SYN already went).
first_short() { local l; l=$(left 20000); [ -n "$l" ] && [ "$l" -le $((e_last + 2)) ]; }
if busywait 15000 first_short; then
	pass "examined: the first SYN's timeout fell to $(left 20000) (<= $((e_last + 2)))"
else
	fail "examined: the first SYN's timeout is $(left 20000), not <= $((e_last + 2))"
fi

# The last SYNs go first; the ESTABLISHED entries stay.
last_gone() { ct_gone "$gateway" "sport=$((20000 + n - 1)) "; }
busywait $(((e_last + 5) * 1000)) last_gone && pass "the last, shortest half-open entry expired" ||
	fail "the last half-open entry did not expire within $((e_last + 5)) s"
check_ge "the wheel reaped them" "$(($(sfw_stat "$gateway" reaped) - reaped0))" 1
if ct_has "$gateway" "sport=$((20000 + n / 2 - 1)) "; then
	pass "a longer half-open entry is still there"
else
	fail "the middle half-open entry went before its scaled timeout"
fi
check_eq "no ESTABLISHED entry went" "$(ct_lines "$gateway" 'ESTABLISHED .*dport=5000 .*ASSURED' | wc -l)" 3
est=$(ct_lines "$gateway" 'ESTABLISHED .*dport=5000' | awk '{ print $5 }' | sort -n | head -n 1)
check_ge "ESTABLISHED entries keep hours (scaled 5 days)" "${est:-0}" 3600
for i in 1 2 3; do tcp_send "c$i" "again $i"; done
busywait 5000 arrived again 3 && pass "the connections keep passing" ||
	fail "the connections stopped passing"

# 2. Control: adaptive off. New SYNs keep 70 s, made and examined.
gw sysctl -qw net.sfw.adaptive_start=0 || fail "adaptive_start=0"
cl sfw-pkt -s "$C" -d "$NOWHERE" tcp --flags S --sport 30000 --dport 80 --flows 10 ||
	fail "sfw-pkt"
busywait 3000 ct_has "$gateway" "sport=30009 "
in_range "control: a SYN made in a full table keeps 70 s" \
	"$(ct_lines "$gateway" "sport=30009 " | awk '{ print $5 }')" 66 70
sleep 10
in_range "control: examined after 6 s, it keeps its time" \
	"$(ct_lines "$gateway" "sport=30000 " | awk '{ print $5 }')" 55 64
exit $ret
