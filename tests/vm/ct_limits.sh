#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Per-source limits (issue 16 item 1): `ct count over N`.
#
#   client ------------------ gateway ------------------ server
#   10.0.1.2 (A), .3 (B),     forward chain:              :22 listens (fork)
#   .4 (P, raw SYNs)          tcp dport 22 ct state new ct count over 10 reject
#   .5 (Q)                    tcp dport 80 ct state new ct count over 10 drop
#                             tcp dport 23 ct state new ct rate over 2/hour add @blocked reject
#                             set blocked { timeout 3s }  (3s * sfwscale)
#
#   - A opens 10 connections to :22 and holds them; its 11th is refused
#     (reset), and the drop log says source_limit; B, another source, still
#     connects (the positive control: the listener takes connections);
#   - explain says why a packet of B's passes the rule: its count;
#   - four raw SYN senders from P at once (sfw-pkt, both vCPUs busy), 100
#     flows each to :80, get exactly 10 entries admitted: at least 10 shows
#     the flood reached the limit, at most 10 that two CPUs admitting at
#     once never pass it;
#   - ct rate: Q opens 2 connections to :23 (within the burst: the
#     listener takes them); its 3rd within the hour is refused, logged
#     as source_limit, and `add @blocked` puts Q into the set (sfwctl set
#     list shows it; it was not there before; A never met the rule and is
#     not there); B, another source, still connects to :23; Q's element
#     expires by itself after the set's 3 s (30 s on the debug kernel,
#     which runs ten times slower, so that the checks see it first).
source lib.sh
need socat sfw-pkt

T=$(mktemp -d)
trap cleanup EXIT

gateway_up --ipv4-only hashsize=65536 || exit $ksft_fail
TMO=$((3 * SFW_SCALE))	# the set's timeout, seconds
WAIT=$((5000 * SFW_SCALE))	# ms a busywait allows
set_family 4
A=10.0.1.2 B=10.0.1.3 P=10.0.1.4 Q=10.0.1.5
ip -n "$client" addr add $B/24 dev c0
ip -n "$client" addr add $P/24 dev c0
ip -n "$client" addr add $Q/24 dev c0
path_up || exit $ksft_fail

cat >"$T/rules" <<RULES
chain forward policy accept
  tcp dport 22 ct state new ct count over 10 reject
  tcp dport 80 ct state new ct count over 10 drop
  tcp dport 23 ct state new ct rate over 2/hour add @blocked reject
set blocked { timeout ${TMO}s }
RULES
gw sfwctl ruleset load "$T/rules" || fail "load the rule set"
gw sfwctl ruleset show | grep -q "tcp dport 22 ct state new ct count over 10 .*reject" &&
	pass "the rule set shows ct count over 10" ||
	fail "the rule set does not show ct count: $(gw sfwctl ruleset show)"

for port in 22 23; do
	sv socat -u TCP-LISTEN:$port,reuseaddr,fork OPEN:/dev/null &
	busywait $WAIT listening "$server" $port || fail "the server did not listen on $port"
done

# estab SRC: ESTABLISHED entries from SRC to :22 on the gateway.
estab() { ct_lines "$gateway" "ESTABLISHED src=$1 .*dport=22 " | wc -l; }
estab_ge() { [ "$(estab "$1")" -ge "$2" ]; }

# 1. Ten from A, held open.
for i in $(seq 1 10); do
	tcp_open "a$i" "$client" "TCP:$S:22,bind=$A"
done
busywait $((2 * WAIT)) estab_ge $A 10
check_eq "A holds 10 connections to :22" "$(estab $A)" 10

# 2. The 11th from A is refused at once (a reset), and logged as the limit's.
if cl socat -u OPEN:/dev/null "TCP:$S:22,bind=$A,connect-timeout=5" 2>/dev/null; then
	fail "A's 11th connection opened"
else
	pass "A's 11th connection is refused"
fi
check_eq "still 10 from A" "$(estab $A)" 10
out=$(gw sfwctl drops 2>&1)
if grep -qE "$A[:.][0-9]+ -> $S[:.]22 source_limit forward#1" <<<"$out"; then
	pass "the drop log says source_limit, forward rule 1"
else
	fail "no source_limit drop of A's in the log:"; sed 's/^/      /' <<<"$out"
fi

# 3. B is another source: it connects (the listener takes connections).
if cl socat -u OPEN:/dev/null "TCP:$S:22,bind=$B,connect-timeout=5"; then
	pass "B, another source, connects while A is over"
else
	fail "B could not connect"
fi
out=$(gw sfwctl explain -p tcp -s $B -d $S --sport 40000 --dport 22 2>&1)
if grep -q "ct count" <<<"$out"; then
	pass "explain: B's packet fails rule 1 on its ct count"
else
	fail "explain does not name ct count:"; sed 's/^/      /' <<<"$out"
fi
out=$(gw sfwctl explain -p tcp -s $A -d $S --sport 40000 --dport 22 2>&1)
if grep -qE "reject" <<<"$out"; then
	pass "explain: A's new packet is rejected"
else
	fail "explain: A's packet is not rejected:"; sed 's/^/      /' <<<"$out"
fi
for i in $(seq 1 10); do
	tcp_close "a$i"
done

# 4. Parallel SYNs from P: exactly 10 admitted.
p_entries() { ct_lines "$gateway" "src=$P .*dport=80 " | wc -l; }
drop0=$(sfw_stat "$gateway" drop)
pids=()
for k in 0 1 2 3; do
	cl sfw-pkt -s $P -d "$NOWHERE" tcp --flags S --sport $((20000 + k * 1000)) --dport 80 \
		--flows 100 &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "sfw-pkt $p"; done
check_eq "four parallel SYN senders from P: 10 entries admitted" "$(p_entries)" 10
out=$(gw sfwctl drops 2>&1)
check_ge "P's other SYNs were dropped by the limit" \
	"$(grep -cE "$P[:.][0-9]+ -> $NOWHERE[:.]80 source_limit forward#2" <<<"$out")" 1

# 5. ct rate, add @blocked, and the set's timeout.
in_set() { gw sfwctl set list blocked | grep -qE "(\{|,) *$1( |,|\}|$)"; }
out=$(gw sfwctl set list blocked 2>&1)
if grep -qE "timeout ${TMO}s? " <<<"$out" && ! in_set $Q; then
	pass "set blocked: timeout ${TMO}s, and Q is not in it yet"
else
	fail "set blocked before: $out"
fi
for i in 1 2; do
	if cl socat -u OPEN:/dev/null "TCP:$S:23,bind=$Q,connect-timeout=5"; then
		pass "Q's connection $i to :23 opens (within the rate)"
	else
		fail "Q's connection $i to :23 did not open"
	fi
done
if cl socat -u OPEN:/dev/null "TCP:$S:23,bind=$Q,connect-timeout=5" 2>/dev/null; then
	fail "Q's 3rd connection to :23 in an hour opened"
else
	pass "Q's 3rd connection to :23 in an hour is refused (ct rate over 2/hour)"
fi
# At once: the element lives only ${TMO}s.
if busywait $WAIT in_set $Q; then
	pass "add @blocked put Q into the set"
else
	fail "Q is not in @blocked: $(gw sfwctl set list blocked 2>&1)"
fi
out=$(gw sfwctl drops 2>&1)
if grep -qE "$Q[:.][0-9]+ -> $S[:.]23 source_limit forward#3" <<<"$out"; then
	pass "the drop log says source_limit, forward rule 3"
else
	fail "no source_limit drop of Q's in the log:"; sed 's/^/      /' <<<"$out"
fi
if cl socat -u OPEN:/dev/null "TCP:$S:23,bind=$B,connect-timeout=5"; then
	pass "B, another source, connects to :23 meanwhile"
else
	fail "B could not connect to :23"
fi
in_set $A && fail "A is in @blocked too" || pass "A, which never met that rule, is not in @blocked"
if busywait $((2 * WAIT + TMO * 1000)) eval '! in_set $Q'; then
	pass "Q's element expired by itself"
else
	fail "Q is still in @blocked: $(gw sfwctl set list blocked 2>&1)"
fi
exit $ret
