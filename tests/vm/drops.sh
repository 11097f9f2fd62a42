#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: release
# The drop log (net.sfw.drop_log_size, sfwctl drops) says why a packet
# was dropped in the gateway:
#   - a connection a rule blocks: the rule's chain, position and text,
#     the hook, the devices, the tuple and the tracker's verdict (NEW);
#   - a crafted INVALID packet (SYN+FIN): the rule that drops INVALID
#     packets and the INVALID reason (bad_tcp_flags);
#   - a new flow when the table is full (conntrack_max 1, held by an
#     assured connection nothing may evict): table_full;
#   - `sfwctl drops -f`, started first, prints them as they happen;
#     -j gives the same as JSON (read by jq);
#   - drop_log_size=0 turns it off: packets are still dropped and the
#     rule counts them, but nothing is logged; set again, it logs again.
#
#   client                 gateway (sfw, rules, log)     server
#   10.0.1.2  c0 --- g0 10.0.1.1     10.0.2.1 g1 --- s0  10.0.2.2
#   A 10.0.1.99 (made up)                                B 10.0.2.99 (made up)
source lib.sh
need sfw-pkt sfwctl jq
shopt -s lastpipe	# `... | json_check`: its FAIL sets ret here, not in a subshell

cleanup() {
	[ -n "${follow_pid:-}" ] && kill "$follow_pid" 2>/dev/null
	cleanup_std
}
trap cleanup EXIT
T=$(mktemp -d)

gateway_up --ipv4-only || exit $ksft_fail
set_family 4
path_up || exit $ret
A=10.0.1.99 B=10.0.2.99

check_eq "drop_log_size defaults to 256" "$(gw sysctl -n net.sfw.drop_log_size)" 256

# drops_has WHAT FILE-OR-- REGEX: a line of the log (or FILE) matches REGEX.
drops_has() {
	local what=$1 file=$2 re=$3 out
	if [ "$file" = - ]; then out=$(gw sfwctl drops 2>&1); else out=$(cat "$file"); fi
	if grep -qE -- "$re" <<<"$out"; then
		pass "$what"
	else
		fail "$what: no line matches '$re' in:"
		sed 's/^/      /' <<<"$out"
	fi
}

gw sfwctl drops -f >"$T/follow" 2>"$T/follow.err" &
follow_pid=$!
busywait 5000 grep -q following "$T/follow.err" || fail "drops -f did not start: $(cat "$T/follow.err")"

cat >"$T/rules" <<'R'
chain forward policy accept
  ct state invalid drop
  tcp dport 22 drop
R
gw sfwctl ruleset load "$T/rules" 2>/dev/null || fail "load the rule set"

# 1. A connection a rule blocks.
cl $PKT -s "$C" -d "$S" tcp --sport 40000 --dport 22 --flags S || fail "sfw-pkt SYN"
check_eq "the rule dropped the SYN (its counter)" "$(rule_count "$gateway" forward 2)" 1
drops_has "the log names the rule and its text" - \
	'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3} forward in=g0 out=g1 tcp 10\.0\.1\.2:40000 -> 10\.0\.2\.2:22 rule forward#2 "tcp dport 22 drop" state=NEW$'

# 2. A crafted INVALID packet.
cl $PKT -s "$C" -d "$S" tcp --sport 1 --dport 2 --flags SF || fail "sfw-pkt SYN+FIN"
check_eq "the INVALID rule dropped it (its counter)" "$(rule_count "$gateway" forward 1)" 1
drops_has "the log names the INVALID reason" - \
	' tcp 10\.0\.1\.2:1 -> 10\.0\.2\.2:2 rule forward#1 "ct state invalid drop" invalid=bad_tcp_flags state=INVALID$'

# 3. Table full: one assured connection (A -> B, crafted) fills conntrack_max 1.
# The ping's entry goes first: early drop could evict it for the new flow.
gw sfwctl ct flush >/dev/null 2>&1 || fail "ct flush"
cl $PKT -s "$A" -d "$B" tcp --sport 3000 --dport 80 --flags S --seq 1000
sv $PKT -s "$B" -d "$A" tcp --sport 80 --dport 3000 --flags SA --seq 5000 --ack 1001
cl $PKT -s "$A" -d "$B" tcp --sport 3000 --dport 80 --flags A --seq 1001 --ack 5001
check_ct "the crafted connection is ESTABLISHED [ASSURED]" "$gateway" \
	"ESTABLISHED .*sport=3000 dport=80 .*\[ASSURED\]"
gw sysctl -qw net.sfw.conntrack_max=1 || fail "set conntrack_max 1"
drop0=$(sfw_stat "$gateway" drop)
cl $PKT -s "$C" -d "$NOWHERE" udp --sport 20000 --dport 53 || fail "sfw-pkt UDP"
check_eq "the tracker dropped the new flow (stat drop)" "$(($(sfw_stat "$gateway" drop) - drop0))" 1
drops_has "the log says table full" - \
	' forward in=g0 out=g1 udp 10\.0\.1\.2:20000 -> 10\.0\.2\.99:53 table_full state=NEW$'
gw sysctl -qw net.sfw.conntrack_max=1000 || fail "set conntrack_max 1000"

# 4. The follower printed them as they happened, and -j says the same.
busywait 3000 grep -q table_full "$T/follow"
drops_has "drops -f printed the rule's drop as it happened" "$T/follow" \
	' tcp 10\.0\.1\.2:40000 -> 10\.0\.2\.2:22 rule forward#2 "tcp dport 22 drop" state=NEW$'
drops_has "drops -f printed the INVALID drop" "$T/follow" ' invalid=bad_tcp_flags '
drops_has "drops -f printed the table-full drop" "$T/follow" ' table_full '
gw sfwctl drops -j | json_check "drops -j: the rule's drop as JSON" \
	'map(select(.reason == "rule" and .chain == "forward" and .rule == 2 and
		    .rule_text == "tcp dport 22 drop" and .hook == "forward" and
		    .iif == "g0" and .oif == "g1" and .l4 == "tcp" and
		    .tuple.src == "10.0.1.2" and .tuple.sport == 40000 and
		    .tuple.dport == 22 and .ct_state == "NEW" and .conn == false)) | length == 1' -s

# 5. drop_log_size=0: still dropped and counted, not logged.
gw sysctl -qw net.sfw.drop_log_size=0 || fail "set drop_log_size 0"
check_eq "drop_log_size=0 empties the log" "$(gw sfwctl drops | wc -l)" 0
cl $PKT -s "$C" -d "$S" tcp --sport 40001 --dport 22 --flags S || fail "sfw-pkt SYN"
check_eq "with the log off the rule still drops and counts" "$(rule_count "$gateway" forward 2)" 2
check_eq "with the log off nothing is logged" "$(gw sfwctl drops | wc -l)" 0
gw sysctl -qw net.sfw.drop_log_size=16 || fail "set drop_log_size 16"
cl $PKT -s "$C" -d "$S" tcp --sport 40002 --dport 22 --flags S || fail "sfw-pkt SYN"
drops_has "set again, it logs again" - ':40002 -> 10\.0\.2\.2:22 rule forward#2 '
busywait 3000 grep -q ':40002 ' "$T/follow"
drops_has "drops -f is still following" "$T/follow" ':40002 -> '
if grep -q ':40001 ' "$T/follow"; then
	fail "drops -f printed a drop made while the log was off"
else
	pass "drops -f printed nothing while the log was off"
fi
exit $ret
