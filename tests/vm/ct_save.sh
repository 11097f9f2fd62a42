#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: debug
# Save and restore the table (issue #17, item 4). A masqueraded TCP stream
# (socat, about 20 s) crosses the gateway while the module is upgraded in
# place: forwarding paused, sfwctl ct save, rmmod, modprobe, the rule set
# loaded again, sfwctl ct restore, forwarding back. Not one byte may be
# lost and the stream may not be reset. The gateway checks TCP windows
# strictly and picks nothing up mid-stream (tcp_loose 0), and the server
# has no route to the LAN: the stream lives on only if the restored
# entry's window data and its masquerade binding are right.
# Then 1000 files made from the save by random damage (100 on the debug
# kernel) are each restored or refused whole; none oopses, and what the
# table holds afterwards saves again without a fault.
#
#   client ---- gateway (sfw, masquerade on g1) ---- server
#   10.0.1.2    10.0.1.1 / 10.0.2.1                  10.0.2.2 :5000
source lib.sh
need sfwctl socat

LINES=200	# one every 0.1 s: about 20 s
RULES='chain forward policy drop
  ct state established,related accept
  ct state invalid drop
  iif g0 oif g1 tcp dport 5000 accept
  iif g0 oif g1 udp dport 53 accept
  iif g0 oif g1 icmp type echo-request accept
chain postrouting
  oif g1 masquerade
'
cleanup() {
	gw sysctl -qw net.ipv4.ip_forward=1 2>/dev/null
	release_hook_keys
	cleanup_std
}
trap cleanup EXIT
T=$(mktemp -d)

gateway_up --ipv4-only || exit $ksft_fail
set_family 4
path_up || exit $ret
# The upgrade unloads sfw with packets flowing: keep the hook keys on.
hold_hook_keys || { fail "could not hold the hook keys"; exit $ret; }
# Only masquerade gets answers: the server cannot reach the LAN.
sv ip route del default
sv ip route add 10.0.2.0/24 dev s0 2>/dev/null

strict() {
	gw sysctl -qw net.sfw.tcp_loose=0 net.sfw.tcp_be_liberal=0 || return 1
	echo "$RULES" | gw sfwctl ruleset load - >/dev/null
}
strict || { fail "could not load the rule set"; exit $ret; }

sv socat -u TCP-LISTEN:5000,reuseaddr OPEN:"$T/recv",creat,trunc &
busywait 5000 listening "$server" 5000 || { fail "the server did not listen"; exit $ret; }
for i in $(seq 1 $LINES); do printf 'line %06d\n' "$i"; done >"$T/want"
(
	while read -r l; do echo "$l"; sleep 0.1; done <"$T/want" |
		cl socat -u - TCP:10.0.2.2:5000 2>"$T/client.err"
	echo $? >"$T/client.rc"
) &
stream=$!
# Some UDP and ICMP entries to save too.
cl socat -u - UDP:10.0.2.2:53 <<<"q" 2>/dev/null
cl ping -c 1 -W 1 10.0.2.2 >/dev/null

busywait 5000 test -s "$T/recv" || { fail "the stream did not start"; exit $ret; }
sleep 3
check_ct "the stream is tracked, masqueraded" "$gateway" \
	'tcp .* ESTABLISHED src=10\.0\.1\.2 dst=10\.0\.2\.2 sport=[0-9]+ dport=5000 .*src=10\.0\.2\.2 dst=10\.0\.2\.1 '

# The upgrade, as sfw-boot upgrade does it.
gw sysctl -qw net.ipv4.ip_forward=0
gw sfwctl ct save -o "$T/state" 2>"$T/save.err" || fail "ct save: $(cat "$T/save.err")"
grep -qE '^tcp .* dport=5000 .* state=ESTABLISHED .*win-orig=[0-9]+,[0-9]+,[0-9]+,[0-9]+,[0-9]+ .* masq=g1' "$T/state" &&
	pass "the save holds the stream with its windows and masquerade device" ||
	{ fail "the save lacks the stream:"; sed 's/^/      /' "$T/state"; }
grep -qE '^udp .* dport=53 ' "$T/state" && grep -qE '^icmp .* type=8 ' "$T/state" &&
	pass "the save holds the UDP and ICMP entries" || fail "UDP or ICMP entry not saved"
sfw_unload || fail "rmmod sfw"
sfw_load || fail "modprobe sfw"
strict || fail "could not load the rule set again"
# Positive control: a fresh module knows nothing of the stream.
n=$(ct_count "$gateway")
check_eq "the reloaded table is empty" "$n" 0
gw sfwctl ct restore "$T/state" 2>"$T/restore.err"
grep -q 'connections restored, 0 tracked already, 0 refused' "$T/restore.err" &&
	pass "ct restore: $(cat "$T/restore.err")" ||
	fail "ct restore: $(cat "$T/restore.err")"
check_ct "the stream's entry is back, masqueraded" "$gateway" \
	'tcp .* ESTABLISHED src=10\.0\.1\.2 dst=10\.0\.2\.2 sport=[0-9]+ dport=5000 .*src=10\.0\.2\.2 dst=10\.0\.2\.1 .*ASSURED'
inv0=$(sfw_stat "$gateway" invalid)
est0=$(rule_count "$gateway" forward 1)
gw sysctl -qw net.ipv4.ip_forward=1

busywait 60000 test -e "$T/client.rc" || fail "the stream did not end within 60 s"
wait $stream
check_eq "the client's socat ended without error ($(cat "$T/client.err"))" 0 "$(cat "$T/client.rc" 2>/dev/null)"
busywait 5000 cmp -s "$T/want" "$T/recv"
if cmp -s "$T/want" "$T/recv"; then
	pass "all $LINES lines arrived, in order"
else
	fail "the server got $(wc -l <"$T/recv") of $LINES lines; first difference: $(cmp "$T/want" "$T/recv" 2>&1)"
fi
est1=$(rule_count "$gateway" forward 1)
check_ge "the stream's packets passed as established after the restore" "$est1" $((est0 + 10))
check_eq "no packet INVALID after the restore" "$inv0" "$(sfw_stat "$gateway" invalid)"

# A restore refuses a file whole and says where.
head -n 2 "$T/state" >"$T/bad"
echo "tcp src=10.0.1.2 dst=10.0.2.2 sport=1 dport=2 state=WAITING" >>"$T/bad"
out=$(gw sfwctl ct restore "$T/bad" 2>&1)
rc=$?
[ $rc = 1 ] && grep -q "$T/bad:3:.*no such TCP state: 'WAITING'; nothing restored" <<<"$out" &&
	pass "a bad line refuses the file whole, naming line and column" ||
	fail "bad file: exit $rc: $out"

# Random damage: each file is restored or refused whole, never an oops.
gw sfwctl ct flush 2>/dev/null
FILES=$(scaled 1000)
[ "$FILES" -lt 100 ] && FILES=100
mkdir "$T/fz"
awk -v n="$FILES" -v dir="$T/fz" -v seed="$RANDOM" '
	BEGIN { srand(seed) }
	{ line[NR] = $0 }
	function pick(a, k) { return a[int(rand() * k) + 1] }
	END {
		split("0 1 -1 65535 65536 4294967295 4294967296 18446744073709551616 x , ,, - :: 1.2.3.4 fd00::1 ESTABLISHED NONE seen_reply,assured liberal 15 31 32 14 g1 lan0 abcdefghijklmnopq", vals, " ")
		nv = 27
		for (f = 1; f <= n; f++) {
			out = dir "/" f
			for (i = 1; i <= NR; i++) {
				l = line[i]
				if (i > 2 && rand() < 0.5) {
					nw = split(l, w, " ")
					m = int(rand() * 6)
					k = int(rand() * nw) + 1
					if (m == 0) { sub(/=.*/, "=" pick(vals, nv), w[k]) }
					else if (m == 1) { w[k] = "" }
					else if (m == 2) { w[k] = w[k] " " w[int(rand() * nw) + 1] }
					else if (m == 3) { w[k] = substr(w[k], 1, int(rand() * length(w[k]))) }
					else if (m == 4) { w[1] = pick(vals, nv) }
					else { w[k] = w[k] sprintf("%c", 33 + int(rand() * 90)) }
					l = w[1]; for (j = 2; j <= nw; j++) l = l " " w[j]
				}
				if (i == 2 && rand() < 0.02) l = "sfw-conntrack " int(rand() * 3)
				print l > out
			}
			close(out)
		}
	}' "$T/state"
# One shell in the gateway for all of them: an `ip netns exec` each costs more than the restore.
gw bash -c 'for f in "$1"/fz/*; do
	sfwctl ct restore "$f" >/dev/null 2>"$1/err"
	rc=$?
	echo $rc
	[ $rc -le 1 ] || echo "      $f: $(cat "$1/err")" >&2
done' - "$T" >"$T/rcs"
restored=$(grep -cx 0 "$T/rcs") refused=$(grep -cx 1 "$T/rcs")
bad=$((FILES - restored - refused))
check_eq "every damaged file restored (exit 0) or refused (exit 1)" "$bad" 0
check_ge "some damaged files were refused" "$refused" 1
check_ge "some damaged files were still valid and restored" "$restored" 1
echo "# $FILES files: $restored restored, $refused refused"
# Whatever went in is a connection sfw could have made: it saves again,
# every entry, without a fault.
gw sfwctl ct save -o "$T/again" 2>"$T/save.err" || fail "ct save after the damage"
n=$(ct_count "$gateway")
saved=$(grep -cvE '^(#|sfw-conntrack )' "$T/again")
check_eq "every entry restored from damaged files saves again ($(cat "$T/save.err"))" "$saved" "$n"
! grep -q inconsistent "$T/save.err" && pass "no entry the save called inconsistent" ||
	fail "$(cat "$T/save.err")"
exit $ret
