#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The expiry wheel counts its work in /proc/net/sfw/wheel (issue 15),
# per namespace. An empty namespace's file reads all zeros. Once three
# UDP entries have expired in another namespace (the positive control:
# sfw's "new" counter saw them), its file says: reaped 3; at least 3
# examined, and no run past the budget; each run in the examined
# histogram (which sums to runs, the stat file's wheel_runs); each entry
# in the lag histogram (which sums to 3). No timing is asserted: how late
# the entries went is make bench's to report.
#
#   [ns a: three UDP flows to 127.0.0.1, udp_timeout 1]   [ns b: empty]
source lib.sh
need sfw-pkt
trap cleanup EXIT

# wheel NS KEY: KEY's value in NS's /proc/net/sfw/wheel; a missing file
# or key fails the test (die_missing).
wheel() {
	local out v
	out=$(ip netns exec "$1" cat /proc/net/sfw/wheel) ||
		die_missing "no /proc/net/sfw/wheel in '$1'"
	v=$(awk -v k="$2" '$1 == k { print $2; f = 1 } END { exit !f }' <<<"$out") ||
		die_missing "/proc/net/sfw/wheel has no '$2' (it has: $(awk '{ printf "%s ", $1 }' <<<"$out"))"
	echo "$v"
}

# hist_sum NS KEY: the counts of histogram line KEY ("lo-hi:count ..."),
# summed; an empty histogram (the key alone) is 0.
hist_sum() {
	local out
	out=$(ip netns exec "$1" cat /proc/net/sfw/wheel) ||
		die_missing "no /proc/net/sfw/wheel in '$1'"
	awk -v k="$2" '$1 == k { for (i = 2; i <= NF; i++) { split($i, p, ":"); s += p[2] } f = 1 }
		END { if (!f) exit 1; print s + 0 }' <<<"$out" ||
		die_missing "/proc/net/sfw/wheel has no histogram '$2'"
}

# wheel_runs NS: the stat file's wheel_runs (namespace-wide: row one).
wheel_runs() {
	local out i c=-1
	local -a h v
	out=$(ip netns exec "$1" cat /proc/net/sfw/stat) ||
		die_missing "no /proc/net/sfw/stat in '$1'"
	{
		read -r -a h
		read -r -a v
	} <<<"$out"
	for i in "${!h[@]}"; do [ "${h[i]}" = wheel_runs ] && c=$i; done
	[ $c -ge 0 ] || die_missing "/proc/net/sfw/stat has no column wheel_runs"
	echo $((16#${v[c]}))
}

# The worker has finished its last run: every run is in the histogram.
settled() { [ "$(hist_sum "$a" examined_hist)" = "$(wheel "$a" runs)" ]; }

sfw_load || exit $ksft_fail
setup_ns a b || exit $ksft_fail
ip netns exec "$a" sysctl -qw net.sfw.udp_timeout=1

check_eq "the file is world-readable" "$(ip netns exec "$a" stat -c %a /proc/net/sfw/wheel)" 444
for k in runs examined reaped; do
	check_eq "an empty namespace: $k" "$(wheel "$a" $k)" 0
done
check_eq "an empty namespace: no lag counted" "$(hist_sum "$a" lag_hist_ms)" 0

for p in 4000 4001 4002; do
	ip netns exec "$a" sfw-pkt -s 127.0.0.1 -d 127.0.0.1 udp --sport $p --dport 9 ||
		fail "sfw-pkt from port $p"
done
check_ge "the namespace got the entries (created)" "$(sfw_stat "$a" new)" 3
busywait 10000 bash -c "[ \$(ip netns exec $a sysctl -n net.sfw.conntrack_count) = 0 ]" ||
	fail "the entries did not expire"
busywait 5000 settled || fail "the examined histogram never summed to runs"

check_eq "reaped counts the expired entries" "$(wheel "$a" reaped)" 3
check_ge "each was examined" "$(wheel "$a" examined)" 3
max=$(wheel "$a" examined_max)
check_ge "a run examined some" "$max" 1
check_ge "and none past the budget" "$(wheel "$a" budget)" "$max"
check_eq "each reaped entry is in the lag histogram" "$(hist_sum "$a" lag_hist_ms)" 3
check_eq "runs is the stat file's wheel_runs" "$(wheel "$a" runs)" "$(wheel_runs "$a")"
check_ge "the worker ran" "$(wheel "$a" runs)" 1

# Per namespace: b saw none of it.
check_eq "another namespace counts none of it" "$(wheel "$b" reaped)" 0
exit $ret
