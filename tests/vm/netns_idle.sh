#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: release
# Idle namespaces cost nothing (issue #12, item 4). A namespace's expiry
# worker runs only while the namespace holds entries: wheel_runs in
# /proc/net/sfw/stat stays put in an empty namespace, rises once an entry
# is there (the positive control), and stops again once it has expired.
# Then 50 empty namespaces: no worker runs in
# any of them; the wakeups per second and the time to create and delete
# them with sfw loaded are printed (make bench measures 1000, with and
# without sfw).
#
#   [ns: one UDP flow to 127.0.0.1]   [50 x empty ns]
source lib.sh
need sfw-pkt

cleanup() {
	for n in $(ip netns list | awk '/^idle-/ { print $1 }'); do ip netns del "$n"; done
	cleanup_std
}
trap cleanup EXIT

# wheel_runs NS: how often NS's expiry worker ran (namespace-wide: row one).
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

sfw_load || exit $ksft_fail
setup_ns a || exit $ksft_fail
ip netns exec "$a" sysctl -qw net.sfw.udp_timeout=1

r0=$(wheel_runs "$a")
sleep 2
check_eq "an empty namespace's worker did not run in 2 s" "$(($(wheel_runs "$a") - r0))" 0

# r0 is the baseline: on the debug kernel the entry may be gone before
# the next command reads anything.
ip netns exec "$a" sfw-pkt -s 127.0.0.1 -d 127.0.0.1 udp --sport 4000 --dport 9 ||
	fail "sfw-pkt"
check_ge "the namespace got the entry (created)" "$(sfw_stat "$a" new)" 1
busywait 5000 bash -c "[ \$(ip netns exec $a sysctl -n net.sfw.conntrack_count) = 0 ]" ||
	fail "the entry did not expire"
check_ge "the worker ran while it held an entry" "$(($(wheel_runs "$a") - r0))" 2
sleep 0.5
r2=$(wheel_runs "$a")
sleep 2
check_eq "and sleeps again once it is empty" "$(($(wheel_runs "$a") - r2))" 0

# 50 here: under TCG each namespace costs two 'ip netns exec' reads, and
# a thousand take minutes on 6.12. make bench measures a thousand
# (tests/vm/bench), with and without sfw.
N=50
t0=${EPOCHREALTIME/./}
for i in $(seq 1 "$N"); do ip netns add "idle-$i" || { fail "ip netns add idle-$i"; break; }; done
t1=${EPOCHREALTIME/./}
s0=0
for i in $(seq 1 "$N"); do s0=$((s0 + $(wheel_runs "idle-$i"))); done
sleep 5
s1=0
for i in $(seq 1 "$N"); do s1=$((s1 + $(wheel_runs "idle-$i"))); done
check_eq "$N empty namespaces: worker runs in 5 s" "$((s1 - s0))" 0
t2=${EPOCHREALTIME/./}
for i in $(seq 1 "$N"); do ip netns del "idle-$i"; done
# Deletion is asynchronous (cleanup_net): wait until the last is gone.
busywait 60000 bash -c "! ip netns list | grep -q '^idle-'"
t3=${EPOCHREALTIME/./}
echo "# bench: $N empty namespaces: $(((s1 - s0) / 5)) sfw wakeups/s;" \
	"create $(((t1 - t0) / 1000)) ms, delete $(((t3 - t2) / 1000)) ms (sfw loaded)"
exit $ret
