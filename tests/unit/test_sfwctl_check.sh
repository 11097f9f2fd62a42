#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sfwctl ruleset load --check, run on the build host: it must parse, build
# and compile a rule file without the module (this host cannot load one,
# so any netlink use would fail), print nothing for a good file, and stop
# early on input past its caps (a line of 4096 characters, a file of
# 64 MiB) instead of reading it all. TAP on stdout.

SFWCTL=${SFWCTL:-$(cd "$(dirname "$0")/../../tools" && pwd)/sfwctl}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
fails=0

echo "1..14"
# check NAME GOT WANT: one TAP line, the real value beside the expected one.
check()
{
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1 # got '$2', want '$3'"
		fails=$((fails + 1))
	fi
}

# Run sfwctl with its memory bounded (256 MiB), so that a reader with no
# cap fails here instead of taking the machine's memory.
run()
{
	(ulimit -v 262144; timeout 10 "$SFWCTL" "$@")
}

printf 'set lan { 10.0.0.0/8 }\nchain input policy drop\n  ip saddr @lan tcp dport 22 accept\n' >"$T/good"
out=$(run ruleset load --check "$T/good" 2>&1); rc=$?
check "--check good file: exit 0" $rc 0
check "--check good file: prints nothing" "$out" ""

printf 'chain input policy drop\n  tcp dport 5-4 accept\n' >"$T/bad"
out=$(run ruleset load --check "$T/bad" 2>&1); rc=$?
check "--check bad file: exit 1" $rc 1
check "--check bad file: file:line:col message" "$out" "$T/bad:2:13: port range is backwards '5-4'"

# Issue 16: INVALID by reason, and ct loose; an unknown reason is refused at its word.
printf 'chain forward policy drop\n  ct state invalid reason { tcp_seq_out_of_window, tcp_ack_too_old } log accept\n  ct state invalid reason tcp_seq_out_of_window ct loose\n' >"$T/reason"
out=$(run ruleset load --check "$T/reason" 2>&1); rc=$?
check "--check reason and ct loose: exit 0" "$rc $out" "0 "
printf 'chain forward policy drop\n  ct state invalid reason tcp_seq_out_of_windo accept\n' >"$T/badreason"
out=$(run ruleset load --check "$T/badreason" 2>&1); rc=$?
check "--check unknown reason: exit 1" $rc 1
check "--check unknown reason: file:line:col and the word" "$out" \
	"$T/badreason:2:27: unknown invalid reason (see /proc/net/sfw/invalid) 'tcp_seq_out_of_windo'"
printf 'chain forward\n  reason bad_checksum accept\n' >"$T/nostate"
out=$(run ruleset load --check "$T/nostate" 2>&1); rc=$?
check "--check reason without ct state invalid" "$rc $out" \
	"1 $T/nostate:2:3: reason needs ct state invalid, and no other state; at 'reason'"

# Issue 15: a flowtable in nft's syntax, and flow add; flow add in input is refused at its word.
printf 'flowtable ft {\n  hook ingress priority 0; devices = { lan0, wan0 };\n}\nchain forward policy drop\n  ct state established flow add @ft\n' >"$T/ft"
out=$(run ruleset load --check "$T/ft" 2>&1); rc=$?
check "--check flowtable and flow add: exit 0" "$rc $out" "0 "
printf 'flowtable ft { devices = lan0 }\nchain input\n  flow add @ft\n' >"$T/ftin"
out=$(run ruleset load --check "$T/ftin" 2>&1); rc=$?
check "--check flow add in input" "$rc $out" \
	"1 $T/ftin:3:3: flow add is valid in chain forward only; at 'flow'"

out=$(run ruleset load --check /dev/zero 2>&1); rc=$?
check "--check /dev/zero: exit 1" $rc 1
check "--check /dev/zero: line cap" "$out" "sfwctl: /dev/zero:1: line longer than 4096 characters"

out=$({ printf 'chain input\n'; head -c 5000 /dev/zero | tr '\0' '#'; echo; } |
      run ruleset load --check - 2>&1); rc=$?
check "--check 5000-character line on stdin" "$rc $out" \
	"1 sfwctl: <stdin>:2: line longer than 4096 characters"

out=$(yes '# a comment, over and over' | run ruleset load --check - 2>&1); rc=$?
check "--check endless pipe: file cap" "$rc $out" "1 sfwctl: <stdin>: larger than 64 MiB"

exit $((fails != 0))
