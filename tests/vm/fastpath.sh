#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The fast path (issue 15 item 1): `flowtable ft { devices = { g0, g1 } }`
# and `ct state established flow add @ft`, through a masquerading gateway.
#
#   client 10.0.1.2 c0 --- g0 | gateway (sfw, masquerade on g1) | g1 --- s0 10.0.2.2 server
#          fd00:1::2                                                      fd00:2::2
#
# Per family (IPv4, IPv6):
#   - a held TCP stream: its lines arrive in order; the fastpath counter
#     rises by at least one packet a line while the flow add rule's own
#     counter stands still (the packets skipped the rules), and the entry
#     keeps counting (acct) and keeps its established timeout;
#   - UDP queries from one socket: each answered, the later ones by the
#     fast path;
#   - PMTU: g1's MTU drops to 1280; a 200 KB upload with DF still gets
#     through, the client learns the path MTU (the fast path left the
#     too-big packets to the stack, which sent the ICMP error), and the
#     fast path carried the rest.
# IPv4 only:
#   - a reload whose rules refuse the stream stops it at once: a line
#     sent then does not arrive, the fast path forwards nothing, and the
#     forward policy counts the dropped packets (the positive control that
#     they reached the gateway); the original rules back, the line
#     arrives, by the fast path again;
#   - FIN: closing the stream leaves its entry in TIME_WAIT (the slow
#     path saw both FINs); RST: a connection closed with SO_LINGER 0
#     leaves its entry in CLOSE;
#   - a flowtable naming a missing device refuses the load with a message
#     naming it, and the running rules stay (generation unchanged);
#   - a flowtable device deleted under traffic unhooks cleanly.
source lib.sh
need socat

T=$(mktemp -d)
trap cleanup EXIT
gateway_up || exit $ksft_fail
gw sysctl -qw net.sfw.acct=1
LINES=$(scaled 40)

cat >"$T/fp.rules" <<'EOF'
flowtable ft { devices = { g0, g1 } }
chain forward policy drop
  ct state established flow add @ft
  ct state related accept
  ct state invalid drop
  iif g0 oif g1 accept
chain postrouting
  oif g1 masquerade
EOF
cat >"$T/refuse.rules" <<'EOF'
flowtable ft { devices = { g0, g1 } }
chain forward policy drop
  iif g0 oif g1 udp dport 9 accept
chain postrouting
  oif g1 masquerade
EOF
gw sfwctl ruleset load "$T/fp.rules" || { fail "sfwctl ruleset load"; exit $ret; }
gw sfwctl ruleset show | grep -q "flowtable ft" &&
	pass "ruleset show prints the flowtable" || fail "ruleset show: no flowtable"

# has_lines FILE N: FILE has N lines or more (busywait re-reads it each time).
has_lines() { [ "$(cat "$1" 2>/dev/null | wc -l)" -ge "$2" ]; }

# Every server starts before the first held connection (tcp_open): a
# background command started later would hold its pipe open.
for f in 4 6; do
	set_family $f
	sv socat -u $SOCAT_TCP_LISTEN:500$f,reuseaddr OPEN:"$T/tcp$f.out",creat,trunc &
	sv socat -T 60 $SOCAT_UDP_LISTEN:535$f,reuseaddr,fork SYSTEM:'echo answer' &
	sv socat -u $SOCAT_TCP_LISTEN:510$f,reuseaddr OPEN:"$T/big$f.out",creat,trunc &
done
sv socat -u TCP-LISTEN:5200,reuseaddr OPEN:"$T/rst.out",creat,trunc &
for p in 5004 5006 5104 5106 5200; do
	busywait 20000 listening "$server" $p || fail "the server listens on $p"
done
busywait 20000 udp_listening "$server" 5354 || fail "the server listens on UDP 5354"
busywait 20000 udp_listening "$server" 5356 || fail "the server listens on UDP 5356"

for f in 4 6; do
	set_family $f
	[ $f = 4 ] && WAN=10.0.2.1 || WAN=fd00:0002:0000:0000:0000:0000:0000:0001
	path_up || continue

	# A held TCP stream.
	tcp_open s$f "$client" "$SOCAT_TCP:500$f,sourceport=4100$f"
	tcp_send s$f first
	busywait 10000 has_lines "$T/tcp$f.out" 1 ||
		fail "IPv$f: the stream's first line did not arrive"
	# Both directions are offloaded by their first established packet.
	fp0=$(sfw_stat "$gateway" fastpath)
	r0=$(rule_count "$gateway" forward 1)
	for i in $(seq 1 "$LINES"); do
		tcp_send s$f "line $i"
		busywait 5000 has_lines "$T/tcp$f.out" $((i + 1)) || break
	done
	check_eq "IPv$f: every line arrived, in order" \
		"$(sed -n '2,$p' "$T/tcp$f.out" | tr '\n' ' ')" \
		"$(for i in $(seq 1 "$LINES"); do echo -n "line $i "; done)"
	fp=$(($(sfw_stat "$gateway" fastpath) - fp0))
	r=$(($(rule_count "$gateway" forward 1) - r0))
	check_ge "IPv$f: the fast path forwarded the stream's packets" "$fp" "$LINES"
	[ "$r" -le 2 ] && pass "IPv$f: the flow add rule saw $r of them (they skipped the rules)" ||
		fail "IPv$f: the flow add rule still judged $r packets"
	ct=$(ct_lines "$gateway" "^$L3 .* tcp .* ESTABLISHED src=$C_P dst=$S_P sport=4100$f dport=500$f ")
	pk=$(sed -n 's/.* dport=500[46] packets=\([0-9]*\) .*/\1/p' <<<"$ct")
	to=$(awk '{ print $5 }' <<<"$ct")
	check_ge "IPv$f: the entry counted the offloaded packets (acct)" "${pk:-0}" "$LINES"
	check_ge "IPv$f: the entry kept its established timeout" "${to:-0}" 400000

	# UDP from one socket: the later exchanges take the fast path.
	fp0=$(sfw_stat "$gateway" fastpath)
	ok=0
	for i in 1 2 3 4 5 6; do
		got=$(echo "q$i" | cl socat -T 2 - "$SOCAT_UDP:535$f,sourceport=4200$f")
		[ "$got" = answer ] && ok=$((ok + 1))
	done
	check_eq "IPv$f: UDP answered 6 times of 6" "$ok" 6
	check_ge "IPv$f: the fast path forwarded UDP" "$(($(sfw_stat "$gateway" fastpath) - fp0))" 4

	# PMTU: the output device's MTU falls below what the client sends.
	gw ip link set g1 mtu 1280
	fp0=$(sfw_stat "$gateway" fastpath)
	head -c 200000 /dev/zero | cl timeout 30 socat -u - "$SOCAT_TCP:510$f" ||
		fail "IPv$f: the large upload failed"
	busywait 30000 test "$(stat -c %s "$T/big$f.out" 2>/dev/null)" = 200000 &&
		pass "IPv$f: 200000 bytes crossed g1's 1280-byte MTU" ||
		fail "IPv$f: the server got $(stat -c %s "$T/big$f.out" 2>/dev/null) of 200000 bytes"
	cl ip -$f route get "$S" | grep -q "mtu 1280" &&
		pass "IPv$f: the client learnt the path MTU 1280 from the gateway" ||
		fail "IPv$f: the client did not learn the path MTU: $(cl ip -$f route get "$S" | head -1)"
	check_ge "IPv$f: the fast path carried the upload after PMTU" \
		"$(($(sfw_stat "$gateway" fastpath) - fp0))" 10
	gw ip link set g1 mtu 1500

	[ $f = 6 ] && tcp_close s$f
done
check_ge "flows went on the fast path (offload)" "$(sfw_stat "$gateway" offload)" 4
check_eq "nothing INVALID" "$(sfw_stat "$gateway" invalid)" 0

# A reload that refuses the stream stops it within one packet.
set_family 4
gen0=$(gw sfwctl ruleset show | sed -n 's/^# generation \([0-9]*\);.*/\1/p')
gw sfwctl ruleset load "$T/refuse.rules" || fail "sfwctl ruleset load (refuse)"
fp0=$(sfw_stat "$gateway" fastpath)
p0=$(policy_count "$gateway" forward)
tcp_send s4 "after the reload"
busywait 3000 test "$(policy_count "$gateway" forward)" -gt "$p0" &&
	pass "the refused stream's packet reached the gateway's forward policy" ||
	fail "no packet of the stream reached the forward policy"
sleep 1
check_eq "the fast path forwarded nothing after the reload" \
	"$(($(sfw_stat "$gateway" fastpath) - fp0))" 0
grep -q "after the reload" "$T/tcp4.out" &&
	fail "a line crossed the gateway after a reload that refuses it" ||
	pass "no line crossed after the reload"
gw sfwctl ruleset load "$T/fp.rules" || fail "sfwctl ruleset load (back)"
busywait 30000 grep -q "after the reload" "$T/tcp4.out" &&
	pass "the original rules back: the held line arrived (retransmitted)" ||
	fail "the held line never arrived after the rules came back"
fp0=$(sfw_stat "$gateway" fastpath)
tcp_send s4 "back on the fast path"
busywait 5000 grep -q "back on the fast path" "$T/tcp4.out" ||
	fail "the last line did not arrive"
check_ge "the stream is on the fast path again" "$(($(sfw_stat "$gateway" fastpath) - fp0))" 1

# FIN: both go the slow way; the entry ends in TIME_WAIT.
tcp_close s4
busywait 10000 ct_has "$gateway" "tcp .* TIME_WAIT src=$C dst=$S sport=41004 dport=5004 " &&
	pass "FIN: the stream's entry is in TIME_WAIT" ||
	fail "FIN: $(ct_lines "$gateway" "sport=41004 dport=5004" || echo no entry)"

# RST: SO_LINGER 0 closes with a reset, which the slow path sees.
off0=$(sfw_stat "$gateway" offload)
tcp_open r "$client" "TCP:$S:5200,sourceport=41300,linger=0"
tcp_send r one
busywait 10000 grep -q one "$T/rst.out" || fail "RST: the first line did not arrive"
tcp_send r two
busywait 10000 grep -q two "$T/rst.out" || fail "RST: the second line did not arrive"
check_ge "RST: the connection was offloaded" "$(($(sfw_stat "$gateway" offload) - off0))" 1
tcp_close r
busywait 10000 ct_has "$gateway" "tcp .* CLOSE src=$C dst=$S sport=41300 dport=5200 " &&
	pass "RST: the entry is in CLOSE" ||
	fail "RST: $(ct_lines "$gateway" "sport=41300 dport=5200" || echo no entry)"

# A flowtable with a device that does not exist: refused, nothing changes.
gen1=$(gw sfwctl ruleset show | sed -n 's/^# generation \([0-9]*\);.*/\1/p')
sed 's/g0, g1/g0, nosuch0/' "$T/fp.rules" >"$T/bad.rules"
if out=$(gw sfwctl ruleset load "$T/bad.rules" 2>&1); then
	fail "a flowtable with a missing device loaded"
else
	grep -q "nosuch0" <<<"$out" && pass "a missing device is refused by name: $out" ||
		fail "the refusal does not name the device: $out"
fi
check_eq "the running rules stayed" \
	"$(gw sfwctl ruleset show | sed -n 's/^# generation \([0-9]*\);.*/\1/p')" "$gen1"
[ "$gen1" -gt "$gen0" ] || fail "the generation did not move with the reloads ($gen0, $gen1)"

# A flowtable device goes under traffic.
cl ping -c 200 -i 0.01 -W 1 "$S" >/dev/null 2>&1 &
sleep 0.5
gw ip link del g0
wait
pass "the flowtable device went under traffic"
exit $ret
