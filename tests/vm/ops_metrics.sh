#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: release
# sfwctl stats -o prometheus (issue 14): after traffic through a gateway
# with a rule set (rule hits, policy drops, INVALID packets), the metrics
# are captured together with what they must equal: `sfwctl stats -j`,
# /proc/net/sfw/stat and /invalid, `config get conntrack_max` and
# `ruleset show`. The guest has no Prometheus parser, so the capture goes
# to the console between PROM-BEGIN and PROM-END (with its md5), and
# tests/vm/ops_metrics.host checks it on the host with python3's
# prometheus_client parser: names, HELP/TYPE, labels and every value
# (scripts/vm-suite.sh runs it after the guest, as ops_metrics/host).
# Here: the exit status, the families' presence, and a quiet capture
# (two reads that agree, so that no counter moved in between).
#
#   client                 gateway (sfw, rules)     server
#   10.0.1.2/24  c0 --- g0 10.0.1.1   10.0.2.1 g1 --- s0  10.0.2.2/24
source lib.sh
need sfwctl socat sfw-pkt md5sum

trap cleanup EXIT
T=$(mktemp -d)

gateway_up --ipv4-only || exit $ksft_fail
cat >$T/rules <<'R'
chain forward policy drop
  ct state established,related accept
  ct state invalid drop
  tcp dport 5000 accept
  udp dport 9 drop
R
gw sfwctl ruleset load $T/rules || { fail "rule set refused"; exit $ret; }
path_up() { busywait 5000 cl ping -4 -c 1 -W 1 10.0.1.1 >/dev/null; }
path_up || { fail "no path to the gateway"; exit $ret; }

# A TCP exchange (rule 3), a datagram rule 4 drops, one the policy drops,
# and two INVALID packets (SYN+FIN: bad_tcp_flags).
tcp_listen "$server" 5000 || { fail "no listener"; exit $ret; }
echo hello | cl socat -u - TCP:10.0.2.2:5000
cl socat -u - UDP:10.0.2.2:9 <<<"to rule 4"
cl socat -u - UDP:10.0.2.2:7 <<<"to the policy"
cl sfw-pkt -c 2 -s 10.0.1.2 -d 10.0.2.2 tcp --sport 1 --dport 2 --flags SF

# Quiet: no packet may move a counter while the capture is taken.
for ns in "$client" "$gateway" "$server"; do
	for dev in $(ip -n "$ns" -o link show | awk -F': ' '{ print $2 }' | cut -d@ -f1); do
		[ "$dev" = lo ] || ip -n "$ns" link set "$dev" down
	done
done

capture() {
	echo "--- prometheus"
	gw sfwctl stats -o prometheus || echo "--- exit $?"
	echo "--- stats-json"
	gw sfwctl stats -j
	# Without wheel_max_us and wheel_runs: the expiry worker moves them
	# while entries are left, and netlink does not carry them.
	echo "--- proc-stat"
	gw cat /proc/net/sfw/stat | awk '
		NR == 1 { for (i = 1; i <= NF; i++) skip[i] = ($i ~ /^wheel_/) }
		{ o = ""; for (i = 1; i <= NF; i++) if (!skip[i]) o = o (o == "" ? "" : " ") $i; print o }'
	echo "--- proc-invalid"
	gw cat /proc/net/sfw/invalid
	echo "--- conntrack_max"
	gw sfwctl config get conntrack_max
	echo "--- ruleset"
	gw sfwctl ruleset show
}
# An entry may expire between two reads: take it again until two agree.
for try in 1 2 3 4 5; do
	capture >$T/a 2>&1
	capture >$T/b 2>&1
	cmp -s $T/a $T/b && break
done
check_eq "two captures agree (nothing moved in between)" "$(cmp -s $T/a $T/b && echo same)" same

gw sfwctl stats -o prometheus >$T/prom
check_eq "stats -o prometheus exits 0" $? 0
for f in nf_conntrack_entries nf_conntrack_entries_limit nf_conntrack_stat_found \
	nf_conntrack_invalid rule_packets policy_packets; do
	check_eq "# TYPE line for sfw_node_$f" "$(grep -c "^# TYPE sfw_node_$f " $T/prom)" 1
done
check_eq "rule 3's counter has its labels" \
	"$(grep -c '^sfw_node_rule_packets{chain="forward",position="3"} [1-9]' $T/prom)" 1

echo "PROM-BEGIN"
sed 's/^/PROM|/' $T/a
echo "PROM-END $(md5sum <$T/a | cut -d' ' -f1)"
exit $ret
