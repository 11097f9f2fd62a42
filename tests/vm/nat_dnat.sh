#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: debug
# sfw's own DNAT and load balancing (issue #11), no nft. The WAN reaches
# three backends on the LAN through the gateway's WAN address.
#
#   backends (LAN)                gateway (sfw)                 WAN client
#   10.0.1.50-52 :8080  c0 --- g0 10.0.1.1 | 10.0.2.1 g1 --- s0 10.0.2.2
#   10.0.1.60-61 udp :53          fd00:1::1 | fd00:2::1          fd00:2::2
#   fd00:1::50-52 :8080
#
#   :80  lb hash over the three   :81  lb rr sticky over the three
#   :82  lb rr over the three     udp :53 lb rr over .60 and .61
#
# Checks: 300 connections spread (each backend 20%..47%), a flow keeps
# its backend for its life, sticky keeps a client's flows on one backend,
# removing a backend by reload ends its connections only, two UDP
# queries sent at once from one socket (glibc's A and AAAA) are both
# answered, and IPv6 the same way.
source lib.sh
need socat

trap cleanup EXIT
gateway_up || exit $ksft_fail
for b in 50 51 52 60 61; do
	cl ip addr add 10.0.1.$b/24 dev c0
done
for b in 50 51 52; do
	cl ip addr add fd00:1::$b/64 dev c0 nodad
done

cat >/tmp/dnat.rules <<'EOF'
chain forward policy drop
  ct state established,related accept
  ct state invalid drop
  iif g1 oif g0 tcp dport 8080 ct state new accept
  iif g1 oif g0 udp dport 53 ct state new accept
chain prerouting
  iif g1 tcp dport 80 dnat to { 10.0.1.50:8080, 10.0.1.51:8080, 10.0.1.52:8080 } lb hash
  iif g1 tcp dport 81 dnat to { 10.0.1.50:8080, 10.0.1.51:8080, 10.0.1.52:8080 } lb rr sticky timeout 60
  iif g1 tcp dport 82 dnat to { 10.0.1.50:8080, 10.0.1.51:8080, 10.0.1.52:8080 } lb rr
  iif g1 udp dport 53 dnat to { 10.0.1.60, 10.0.1.61 } lb rr
  iif g1 tcp dport 80 dnat to { [fd00:1::50]:8080, [fd00:1::51]:8080, [fd00:1::52]:8080 } lb hash
EOF
gw sfwctl ruleset load /tmp/dnat.rules || { fail "sfwctl ruleset load"; exit $ret; }

# Each backend answers with its own name, and counts the bytes it got.
for b in 50 51 52; do
	cl socat TCP4-LISTEN:8080,bind=10.0.1.$b,reuseaddr,fork \
		SYSTEM:"echo b$b; cat >>/tmp/dnat-b$b.bytes" &
	cl socat TCP6-LISTEN:8080,bind=[fd00:1::$b],reuseaddr,fork SYSTEM:"echo v6-b$b; cat >/dev/null" &
done
for b in 60 61; do
	cl socat UDP4-RECVFROM:53,bind=10.0.1.$b,reuseaddr,fork SYSTEM:"read q; echo \$q-b$b" &
done
busywait 20000 bash -c "[ \$(ip netns exec $client ss -Hltn | grep -c ':8080 ') -ge 6 ]" ||
	fail "the backends listen"
busywait 20000 bash -c "[ \$(ip netns exec $client ss -Hlun | grep -c ':53 ') -ge 2 ]" ||
	fail "the UDP backends listen"

# ask PORT [ADDR]: one connection; prints the backend's name.
ask() { sv socat -T 3 - "TCP:${2:-10.0.2.1}:$1" </dev/null 2>/dev/null; }

# 300 connections under lb hash, from ports the client picks. The debug
# kernel (sfwscale) makes 30: enough to see each backend used, too few
# for the 20%..47% bounds, which 6.1 and 6.12 check.
conns=$(scaled 300)
declare -A seen=()
for i in $(seq "$conns"); do
	b=$(ask 80)
	seen[${b:-none}]=$((${seen[${b:-none}]:-0} + 1))
done
check_eq "lb hash: every connection answered" "${seen[none]:-0}" 0
for b in b50 b51 b52; do
	n=${seen[$b]:-0}
	if [ "$conns" -lt 300 ]; then
		[ "$n" -ge 1 ] && pass "lb hash: $b got $n of $conns" ||
			fail "lb hash: $b got none of $conns (${!seen[*]}: ${seen[*]})"
	elif [ "$n" -ge 60 ] && [ "$n" -le 141 ]; then
		pass "lb hash: $b got $n of 300 (20%..47%)"
	else
		fail "lb hash: $b got $n of 300, outside 20%..47% (${!seen[*]}: ${seen[*]})"
	fi
done
[ "$conns" -lt 300 ] && skip_part "lb-hash-spread" "$conns connections on this kernel: the 20%..47% bounds need 300"
check_ct "ct list shows the WAN side and the backend's reply, as nf_conntrack does" "$gateway" \
	"^ipv4 +2 tcp +6 [0-9]+ [A-Z_]+ src=10.0.2.2 dst=10.0.2.1 sport=[0-9]+ dport=80 .*src=10.0.1.5[012] dst=10.0.2.2 sport=8080 "
gw sfwctl ct list -p tcp --dport 80 | grep -q "dst=10.0.2.1 " &&
	pass "sfwctl ct list filters by the address the client used" ||
	fail "sfwctl ct list --dport 80 does not find the DNATed connections"

# A flow keeps its backend: one upload through lb rr lands whole on one.
# 300 KB on the release kernels; the debug kernel moves a tenth (sfwscale).
bytes=$(scaled 300000)
rm -f /tmp/dnat-b5?.bytes
# Both ways, reading the backend's greeting: socat -u closed with it
# unread, which sends an RST, and the backend lost what it had not yet
# read (CI saw 122800 and 287872 bytes). Half-close, wait for the backend.
head -c "$bytes" /dev/zero | sv timeout 120 socat -t 60 - TCP:10.0.2.1:82 >/dev/null ||
	fail "upload through lb rr"
busywait 20000 bash -c "cat /tmp/dnat-b5?.bytes 2>/dev/null | wc -c | grep -qx $bytes"
sizes=$(stat -c %s /tmp/dnat-b5?.bytes 2>/dev/null | sort -n | tr '\n' ' ')
check_eq "lb rr: one flow's $bytes bytes went to one backend" "$sizes" "$bytes "

# Sticky: ten connections from one client, one backend.
first=$(ask 81)
same=1
for i in $(seq 9); do [ "$(ask 81)" = "$first" ] && same=$((same + 1)); done
check_eq "sticky: 10 of 10 connections to $first" "$same" 10

# Removing a backend ends its connections only.
gw sfwctl ct flush >/dev/null
for i in 1 2 3; do
	sv bash -c "sleep 60 | socat - TCP:10.0.2.1:82 >/dev/null 2>&1" &
done
busywait 20000 bash -c "[ \$(ip netns exec $gateway grep -c 'ESTABLISHED src=10.0.2.2 dst=10.0.2.1 sport=[0-9]* dport=82 ' /proc/net/sfw/conntrack) = 3 ]" ||
	fail "three long connections through lb rr"
for b in 50 51 52; do
	ct_has "$gateway" "dport=82 .*src=10.0.1.$b " || fail "lb rr: no connection on backend $b"
done
sed 's/, 10.0.1.52:8080 } lb rr$/ } lb rr/' /tmp/dnat.rules >/tmp/dnat2.rules
grep -q "10.0.1.52:8080 } lb rr$" /tmp/dnat2.rules && fail "the edit left backend 52 in"
gw sfwctl monitor >/tmp/dnat-events.out 2>&1 &
mon=$!
sleep 0.5
gw sfwctl ruleset load /tmp/dnat2.rules || fail "reload without backend 52"
busywait 10000 ct_gone "$gateway" "dport=82 .*src=10.0.1.52 " &&
	pass "the removed backend's connection ended" ||
	fail "the removed backend's connection survived"
busywait 10000 grep -q "DESTROY.*dport=82 .*src=10.0.1.52 .*reason=backend_gone" /tmp/dnat-events.out &&
	pass "its [DESTROY] event says reason=backend_gone" ||
	fail "no [DESTROY] event with reason=backend_gone: $(grep DESTROY /tmp/dnat-events.out | head -3)"
kill $mon 2>/dev/null
grep -qE "DESTROY.*src=10.0.1.5[01] " /tmp/dnat-events.out &&
	fail "other backends' connections were destroyed too"
for b in 50 51; do
	ct_has "$gateway" "ESTABLISHED .*dport=82 .*src=10.0.1.$b " &&
		pass "backend $b's connection is untouched" ||
		fail "backend $b's connection ended too"
done

# Two queries at once from one socket: both answered.
got=$(sv timeout 4 bash -c 'exec 3<>/dev/udp/10.0.2.1/53; printf "A\n" >&3; printf "AAAA\n" >&3; timeout 3 cat <&3')
n=$(grep -cE '^(A|AAAA)-b6[01]$' <<<"$got")
check_eq "two UDP queries sent at once from one socket: both answered" "$n" 2
backends=$(sed -n 's/.*-\(b6[01]\)$/\1/p' <<<"$got" | sort -u | wc -l)
check_eq "both queries of one flow went to one backend" "$backends" 1

# IPv6: lb hash, 30 connections, all answered, spread.
declare -A seen6=()
n6=$(scaled 30); [ "$n6" -ge 10 ] || n6=10
for i in $(seq "$n6"); do
	b=$(ask 80 "[fd00:2::1]")
	seen6[${b:-none}]=1
done
[ -z "${seen6[none]:-}" ] && pass "IPv6 lb hash: all answered" || fail "IPv6 lb hash: some unanswered"
[ "${#seen6[@]}" -ge 2 ] && pass "IPv6 lb hash: ${#seen6[@]} backends used" ||
	fail "IPv6 lb hash: one backend only (${!seen6[*]})"
check_ct "IPv6: the entry shows the gateway's address and the backend's reply" "$gateway" \
	"^ipv6 +10 tcp +6 [0-9]+ [A-Z_]+ src=fd00:0002:0000:0000:0000:0000:0000:0002 dst=fd00:0002:0000:0000:0000:0000:0000:0001 sport=[0-9]+ dport=80 .*src=fd00:0001:0000:0000:0000:0000:0000:005[012] dst=fd00:0002:0000:0000:0000:0000:0000:0002 sport=8080 "
exit $ret
