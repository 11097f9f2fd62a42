#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: release
# The demo's scenario (tests/vm/gateway.inc), with each claim the demo
# makes checked, so that `make demo` cannot silently rot:
#   LAN -> WAN: busybox wget from busybox httpd, a DNS-like UDP exchange
#   (socat), ping; all pass and their first packets are counted by
#   `iif g0 oif g1 accept`, the rest by `ct state established,related`;
#   WAN -> LAN: an unsolicited connection times out, reaches nothing and
#   leaves no tracked connection; the input chain counts nothing.
#
#   LAN: client            gateway (sfw + GW_RULES)           WAN: server
#   10.0.1.2  c0 --- g0 10.0.1.1        10.0.2.1 g1 --- s0  10.0.2.2
source lib.sh
source gateway.inc
need socat sfwctl busybox timeout

trap cleanup EXIT
T=$(mktemp -d)

gw_setup "$T" || { fail "gateway setup"; exit $ksft_fail; }
check_eq "rules loaded (chains with policy drop)" "$(gw sfwctl ruleset show | grep -c '^chain .* policy drop')" 2

out=$(gw_web 2>&1)
check_eq "LAN wget from WAN httpd" "$out" "hello from the WAN web server"
out=$(gw_dns 2>&1)
check_eq "DNS-like UDP exchange" "$out" "www.example.lan A 10.0.2.2"
gw_ping >/dev/null 2>&1
check_eq "ping LAN -> WAN (exit)" $? 0

est=$(gw_count forward 1)
new=$(gw_count forward 3)
# NEW: the web SYN, the DNS query, the first echo request (one ICMP id).
check_ge "forward 'iif g0 oif g1 accept' counted the first packets" "$new" 3
# web >= 4 more segments each way, dns 1 answer, ping 3 replies + 2 requests.
check_ge "forward 'ct state established,related accept' counted the rest" "$est" 10
check_ct "web connection tracked" "$gateway" 'tcp .* src=10\.0\.1\.2 dst=10\.0\.2\.2 .* dport=80 '
check_ct "DNS exchange tracked" "$gateway" 'udp .* src=10\.0\.1\.2 dst=10\.0\.2\.2 .* dport=53 '
check_ct "ping tracked" "$gateway" 'icmp .* src=10\.0\.1\.2 dst=10\.0\.2\.2 '
# Masqueraded: the server answered the gateway's WAN address.
check_ct "web connection masqueraded" "$gateway" \
	'tcp .* src=10\.0\.1\.2 dst=10\.0\.2\.2 .* dport=80 .* src=10\.0\.2\.2 dst=10\.0\.2\.1 sport=80 '
check_ct "ping masqueraded" "$gateway" 'icmp .* src=10\.0\.1\.2 dst=10\.0\.2\.2 .* src=10\.0\.2\.2 dst=10\.0\.2\.1 '

before=$new
pol=$(gw_policy forward)
gw_intrude >/dev/null 2>&1
rc=$?
# Killed by timeout: coreutils says 124, busybox 143 (SIGTERM).
case $rc in 124|143) pass "WAN -> LAN wget timed out ($rc)" ;; *) fail "WAN -> LAN wget: exit $rc, expected a timeout (124 or 143)" ;; esac
check_eq "LAN listener received" "$(gw_lan_bytes)" 0
check_ge "forward policy dropped the WAN -> LAN SYNs" "$(gw_policy forward)" $((pol + 1))
check_eq "forward 'iif g0 oif g1 accept' did not take WAN->LAN" "$(gw_count forward 3)" "$before"
if ct_has "$gateway" 'src=10\.0\.2\.2 dst=10\.0\.1\.2 .*dport=8080 '; then
	fail "WAN -> LAN connection is tracked"
else
	pass "WAN -> LAN connection not tracked"
fi
for n in 1 2 3 4 5; do
	check_eq "input rule $n counted nothing" "$(gw_count input $n)" 0
done
exit $ret
