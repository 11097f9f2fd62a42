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

echo "1..8"
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
