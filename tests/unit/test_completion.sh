#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# contrib/sfwctl.bash-completion, sourced into this shell: COMP_WORDS and
# COMP_CWORD set as bash sets them, _sfwctl called, COMPREPLY checked.
# The lists it must offer come from the built sfwctl itself (`sfwctl
# help`, and each command's -h), so that a command or option added to
# tools/ and not to the completion fails here. TAP on stdout.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
SFWCTL=${SFWCTL:-$TOP/tools/sfwctl}
source "$TOP/contrib/sfwctl.bash-completion" || { echo "not ok 1 source"; exit 1; }
n=0
fails=0

# offers NAME WANT WORD...: completing the last WORD offers every word of WANT.
offers() {
	local name=$1 want=$2 w missing=
	shift 2
	COMP_WORDS=(sfwctl "$@")
	COMP_CWORD=$#
	COMP_LINE="sfwctl $*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_sfwctl
	for w in $want; do
		[[ " ${COMPREPLY[*]} " == *" $w "* ]] || missing+=" $w"
	done
	n=$((n + 1))
	if [ -z "$missing" ] && [ -n "$want" ]; then
		echo "ok $n $name"
	else
		echo "not ok $n $name # missing:${missing:- (nothing wanted)}; got: ${COMPREPLY[*]}"
		fails=$((fails + 1))
	fi
}

help=$("$SFWCTL" help) || { echo "not ok 1 sfwctl help # no sfwctl at $SFWCTL"; exit 1; }
# "  NAME   help": a command; "  NAME SUB   help": a subcommand of NAME.
cmds=$(sed -n 's/^  \([a-z-]*\)  .*/\1/p' <<<"$help")
offers "every command of sfwctl help" "$cmds" ""
offers "global options" "-h -j -V --help --version" -
for c in $cmds; do
	subs=$(sed -n "s/^  $c \\([a-z-]*\\) .*/\\1/p" <<<"$help")
	[ -n "$subs" ] || continue
	offers "$c: its subcommands" "$subs" "$c" ""
	for s in $subs; do
		# Each long option its -h names, and -j where a usage line of
		# this subcommand ("sfwctl set add|del ...") names it.
		h=$("$SFWCTL" $c $s -h 2>&1)
		opts=$({
			grep -oE -- '--[a-z][a-z-]*' <<<"$h"
			grep -E "sfwctl $c ([a-z-]+\|)*$s(\||\s|$)" <<<"$h" | grep -oE -- '\[-j\]' | tr -d '[]'
		} | sort -u)
		[ -z "$opts" ] || offers "$c $s: the options its -h names" "$opts" "$c" "$s" -
	done
done
opts=$("$SFWCTL" stats -h 2>&1 | grep -oE -- '--[a-z][a-z-]*|-[jo]' | sort -u)
offers "stats: the options its -h names" "$opts" stats -
offers "stats -o: its format" prometheus stats -o ""
offers "-j before the command" "list get delete flush" -j ct ""
offers "ct list -p: protocols" "tcp udp icmp icmpv6" ct list -p ""
offers "ct list --state: TCP states" "ESTABLISHED SYN_SENT TIME_WAIT" ct list --state ""
offers "rule add: chains" "input forward output prerouting postrouting" rule add ""
offers "partial word" "stats" st
echo "1..$n"
[ $fails -eq 0 ]
