#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: release
# The rule commands of sfwctl against the module, in one namespace:
#   ruleset load / show (its output loads again, to the same rules) / flush;
#   --check changes nothing; a broken file (syntax, semantics, a missing
#   set) loads nothing and names its line; rule add/insert/delete by
#   position, with the running generation moving on; set add/del/list;
#   ruleset show -j and set list -j read with jq, a log prefix in UTF-8
#   and one not (0xff) among them; counters reset; no CAP_NET_ADMIN -> EPERM for every command.
#
#   ns: sfwctl, a dummy device
source lib.sh
shopt -s lastpipe	# `... | json_check`: its FAIL sets ret here, not in a subshell
need sfwctl sfw-nocap jq

trap cleanup EXIT
T=$(mktemp -d)

setup_ns fw || exit $ksft_fail
sfw_load || exit $ksft_fail
x() { ip netns exec "$fw" "$@"; }
# show_rules: `ruleset show` without the comment line and counters.
show_rules() { x sfwctl ruleset show | grep -v '^#' | sed 's/counter packets [0-9]* bytes [0-9]* //'; }
generation() { x sfwctl ruleset show | sed -n 's/^# generation \([0-9]*\);.*/\1/p'; }

cat >$T/good <<'R'
chain input policy drop
  ct state established,related accept
  ct state invalid drop
  iif lo accept
  tcp dport 22 ct state new accept
  ip saddr @trusted icmp type echo-request accept
  ip6 saddr 2001:db8::/32 udp sport 53 udp dport 1024-65535 log prefix "dns" accept
  tcp dport { 80, 443, 8000-8100 } reject
chain forward policy drop
  ct state established,related accept
  iif lan0 oif wan0 accept
  ip daddr @blocked drop
chain output policy accept
  oif eth0 ip daddr 192.0.2.0/24 udp dport 9 reject
set trusted { 10.0.0.0/8, 192.0.2.7 }
set blocked { 198.51.100.1, 2001:db8::1 }
R

out=$(x sfwctl ruleset show)
check_eq "nothing loaded: show says so" "$out" "# no rule set loaded: every packet is accepted"
x sfwctl ruleset load $T/good 2>$T/err
check_eq "load a good file" $? 0
check_eq "load reports the generation" "$(cat $T/err)" "sfwctl: generation 1 loaded"
x sfwctl ruleset show >$T/show
show_rules >$T/norm1
check_eq "show: 3 chains, 11 rules, 2 sets" "$(wc -l <$T/norm1)" 16
check_eq "show: counters on every rule" "$(grep -c 'counter packets' $T/show)" 11
if grep -q 'log prefix "dns"' $T/norm1 && grep -q 'dport { 80, 443, 8000-8100 }' $T/norm1 &&
   grep -q 'set blocked { 2001:db8::1, 198.51.100.1 }' $T/norm1; then
	pass "show: log prefix, port sets and set elements come back"
else
	fail "show lost fields:"; sed 's/^/      /' $T/show
fi
x sfwctl ruleset load $T/show 2>/dev/null
check_eq "show's output loads again" $? 0
show_rules >$T/norm2
check_eq "and gives the same rules" "$(diff $T/norm1 $T/norm2 && echo same)" same
check_eq "generation moved to 2" "$(generation)" 2
x sfwctl ruleset show -j | json_check "show -j: chains, policies, rules, sets and the generation" \
	".generation == 2 and ([.chains[] | [.name, .policy, (.rules | length)]]
	 == [[\"input\", \"drop\", 7], [\"forward\", \"drop\", 3], [\"output\", \"accept\", 1]])
	 and all(.chains[]; (.policy_packets | type) == \"number\" and (.policy_bytes | type) == \"number\")
	 and all(.chains[].rules[]; (.packets | type) == \"number\" and (.bytes | type) == \"number\"
		 and (.text | type) == \"string\" and (.line | not))
	 and ([.sets[] | .name] | sort) == [\"blocked\", \"trusted\"]
	 and (.sets[] | select(.name == \"trusted\") | .elements | sort) == [\"10.0.0.0/8\", \"192.0.2.7\"]"
x sfwctl ruleset show -j | json_check "show -j: each rule's fields and text" \
	".chains[0].rules as \$r
	 | \$r[0].ct_state == [\"established\", \"related\"] and \$r[0].action == \"accept\"
	 and \$r[2].iif == \"lo\" and \$r[4].saddr_set == \"trusted\" and \$r[4].l4proto == \"icmp\"
	 and \$r[4].icmp_type == 8
	 and \$r[5].family == \"ip6\" and \$r[5].saddr == \"2001:db8::/32\" and \$r[5].sport == [[53, 53]]
	 and \$r[5].dport == [[1024, 65535]] and \$r[5].log == {prefix: \"dns\"}
	 and \$r[6].dport == [[80, 80], [443, 443], [8000, 8100]] and \$r[6].action == \"reject\"
	 and \$r[6].text == \"tcp dport { 80, 443, 8000-8100 } reject\"
	 and .chains[1].rules[2].daddr_set == \"blocked\" and .chains[1].rules[1].oif == \"wan0\""
# Log prefixes: UTF-8 comes back as it is; a byte that is not UTF-8
# (0xff) is read as Latin-1 (U+00FF), and the output still parses.
printf 'chain input policy accept\n  log prefix "caf\xc3\xa9" accept\n  log prefix "a\xffb" accept\n' >$T/prefix
x sfwctl ruleset load $T/prefix 2>/dev/null
x sfwctl ruleset show -j | json_check "show -j: log prefix UTF-8 kept, 0xff read as U+00FF" \
	".chains[0].rules | .[0].log.prefix == \"caf\u00e9\" and .[1].log.prefix == \"a\u00ffb\"
	 and .[0].text == \"log prefix \\\"caf\u00e9\\\" accept\""
x sfwctl ruleset load $T/show 2>/dev/null
check_eq "the rules again (generation 4)" "$(generation)" 4

# Broken files: nothing changes, the error names the place.
printf 'chain input policy drop\n  tcp dport 22 acept\n' >$T/bad1
out=$(x sfwctl ruleset load $T/bad1 2>&1); rc=$?
check_eq "syntax error: exit 1" $rc 1
# Each message: file:line:col of the offending word, and the word.
check_eq "syntax error names file:line:col and the word" "$out" "$T/bad1:2:16: unknown word 'acept'"
printf 'chain input policy drop\n  accept\n  ip saddr @nosuch accept\n' >$T/bad2
out=$(x sfwctl ruleset load $T/bad2 2>&1); rc=$?
check_eq "missing set: exit 1" $rc 1
check_eq "missing set names file:line:col and the set" "$out" "$T/bad2:3:12: unknown set '@nosuch'"
printf 'chain input policy drop\n  udp sport 1-2 accept\n  tcp dport 5-4 accept\n' >$T/bad3
out=$(x sfwctl ruleset load $T/bad3 2>&1); rc=$?
check_eq "backwards range: exit 1" $rc 1
check_eq "backwards range names file:line:col and the range" "$out" "$T/bad3:3:13: port range is backwards '5-4'"
check_eq "broken files changed nothing (generation)" "$(generation)" 4
show_rules >$T/norm3
check_eq "broken files changed nothing (rules)" "$(diff $T/norm1 $T/norm3 && echo same)" same
out=$(printf 'chain input policy accept\n' | x sfwctl ruleset load --check - 2>&1); rc=$?
check_eq "--check: exit 0" $rc 0
check_eq "--check changed nothing" "$(generation)" 4
x sfwctl ruleset load --check --recheck $T/good 2>/dev/null
check_eq "--check with --recheck: usage error" $? 2

# Single rules, by position.
x sfwctl rule add input tcp dport 2222 accept
check_eq "rule add" $? 0
check_eq "rule add: last in input" "$(show_rules | sed -n '/^chain input/,/^chain forward/p' | sed -n 9p)" "  tcp dport 2222 accept"
x sfwctl rule insert input udp dport 7 drop
check_eq "rule insert: first in input" "$(show_rules | sed -n 2p)" "  udp dport 7 drop"
x sfwctl rule insert input pos 3 tcp dport 3 accept
check_eq "rule insert pos 3: third" "$(show_rules | sed -n 4p)" "  tcp dport 3 accept"
x sfwctl rule add input pos 1 tcp dport 4 accept
check_eq "rule add pos 1: second" "$(show_rules | sed -n 3p)" "  tcp dport 4 accept"
x sfwctl rule delete input 1
check_eq "rule delete 1" "$(show_rules | sed -n 2p)" "  tcp dport 4 accept"
x sfwctl rule add output ip saddr @trusted accept
check_eq "rule add with a set" $? 0
# A rule on the command line has no file: the kernel's messages name the
# chain and position, the parser's the column.
out=$(x sfwctl rule add output ip saddr @nosuch accept 2>&1)
check_eq "rule add with a missing set: refused" "$?" 1
check_eq "... names the rule and the set" "$out" "sfwctl: rule add: output rule 3: no set @nosuch (Invalid argument)"
out=$(x sfwctl rule delete forward 99 2>&1)
check_eq "rule delete of no such rule: exit 1" $? 1
check_eq "... names the chain and the position" "$out" \
	"sfwctl: rule delete: forward has no rule 99 (it has 3) (No such file or directory)"
out=$(x sfwctl rule add input tcp dport 22 acept 2>&1)
check_eq "rule add with a syntax error: exit 1" $? 1
check_eq "... names the column and the word" "$out" "sfwctl: rule add: column 14: unknown word 'acept'"
check_eq "each change is a new generation" "$(generation)" 10

# Sets (listed in the kernel's order: by address bytes).
x sfwctl set add trusted 203.0.113.0/24, 2001:db8:1::/48
check_eq "set add" $? 0
check_eq "set list trusted" "$(x sfwctl set list trusted | tr -d '\n ')" "settrusted{10.0.0.0/8,2001:db8:1::/48,192.0.2.7,203.0.113.0/24}"
x sfwctl set del trusted 10.0.0.0/8 192.0.2.7
check_eq "set del" "$(x sfwctl set list trusted | tr -d '\n ')" "settrusted{2001:db8:1::/48,203.0.113.0/24}"
out=$(x sfwctl set add nosuch 10.1.1.1 2>&1)
check_eq "set add to no such set: exit 1" $? 1
check_eq "... names the set" "$out" "sfwctl: set add: no set @nosuch in the running rule set (No such file or directory)"
x sfwctl set add trusted 10.1.1.300 2>/dev/null
check_eq "set add of a bad address: usage error" $? 2
check_eq "set list: both sets" "$(x sfwctl set list | grep -c '^set ')" 2
x sfwctl set list -j | json_check "set list -j: both sets, their elements" \
	"([.sets[] | .name] | sort) == [\"blocked\", \"trusted\"]
	 and (.sets[] | select(.name == \"trusted\") | .elements) == [\"2001:db8:1::/48\", \"203.0.113.0/24\"]"
x sfwctl set list trusted -j | json_check "set list NAME -j: that set only" \
	"[.sets[] | .name] == [\"trusted\"] and (.sets[0].elements | length) == 2"

# A big set spans messages both ways.
{
	echo "chain input policy accept"
	echo "  ip saddr @big drop"
	printf 'set big {\n'
	for i in $(seq 0 99); do for j in $(seq 0 99); do printf '  10.%d.%d.0/24,\n' $i $j; done; done
	printf '  10.200.0.1\n}\n'
} >$T/big
x sfwctl ruleset load $T/big 2>/dev/null
check_eq "load a set of 10001 elements" $? 0
check_eq "list gives 10001 back" "$(x sfwctl set list big | grep -c '10\.')" 10001

# Counters and flush.
x ip link add d0 type dummy
x ip addr add 10.250.0.1/24 dev d0
x ip link set d0 up
x ping -c 3 -i 0.2 -W 1 10.250.0.1 >/dev/null
pk() { x sfwctl ruleset show | sed -n 's/^# generation [0-9]*; packets and bytes the policies judged: input \([0-9]*\) .*/\1/p'; }
check_ge "input policy counted the pings" "$(pk)" 3
x sfwctl counters reset
check_eq "counters reset" "$(pk)" 0
x sfwctl ruleset flush
check_eq "flush" "$(x sfwctl ruleset show)" "# no rule set loaded: every packet is accepted"

# No CAP_NET_ADMIN: every command refused.
x sfwctl ruleset load $T/good 2>/dev/null
gen=$(generation)
for cmd in "ruleset show" "ruleset flush" "ruleset load $T/good" "rule add input accept" \
	   "rule delete input 1" "set add trusted 10.1.1.1" "set list" "counters reset"; do
	out=$(x sfw-nocap sfwctl $cmd 2>&1)
	case "$out" in *"Operation not permitted"*) pass "no CAP_NET_ADMIN: '$cmd' refused" ;;
	*) fail "no CAP_NET_ADMIN: '$cmd' gave '$out'" ;; esac
done
check_eq "and nothing changed" "$(generation)" "$gen"

sfwctl ruleset bogus 2>/dev/null
check_eq "unknown subcommand exits 2" $? 2

# A large rule set: its per-CPU counters (16 bytes a rule) are far past
# what alloc_percpu() serves (32 KiB); 10,001 rules once hit its WARN.
{
	echo "chain forward policy accept"
	for ((i = 1; i <= 10000; i++)); do echo "  udp dport $((10000 + i)) drop"; done
	echo "  tcp dport 5000 accept"
} >$T/big
x sfwctl ruleset load $T/big >/dev/null 2>$T/err
check_eq "10,001 rules load" "$? $(cat $T/err)" "0 sfwctl: generation $(generation) loaded"
check_eq "and all of them show" "$(x sfwctl ruleset show | grep -c ' dport ')" 10001
exit $ret
