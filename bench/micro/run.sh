#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run est_path REPS times over each flow count, the four variants
# interleaved (plain and atomic locks, strides 160 and 192), so that a
# drift of the host's speed hits all four alike. Prints each variant's
# median established ns/packet and the two paired differences, each as
# the median over the repetitions of (variant - base) within one
# repetition: "lock" is what the one locked instruction costs, "line"
# what 64-byte alignment changes.
set -eu
B=${1:?build dir}
REPS=${REPS:-9}
FLOWS=${FLOWS:-1000 100000 1000000}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ns() { "$@" | sed -n 's/.*est_ns=\([0-9.]*\).*/\1/p'; }
printf '%-8s %10s %10s %10s %10s %12s %12s\n' flows plain160 atomic160 plain192 atomic192 "lock(ns)" "line(ns)"
for f in $FLOWS; do
	rm -f /tmp/est_path.$$.*
	for ((r = 0; r < REPS; r++)); do
		p=$(ns "$B/est_path" "$f" 160); a=$(ns "$B/est_path_xlock" "$f" 160)
		p2=$(ns "$B/est_path" "$f" 192); a2=$(ns "$B/est_path_xlock" "$f" 192)
		echo "$p" >>/tmp/est_path.$$.p; echo "$a" >>/tmp/est_path.$$.a
		echo "$p2" >>/tmp/est_path.$$.p2; echo "$a2" >>/tmp/est_path.$$.a2
		awk "BEGIN { print $a - $p }" >>/tmp/est_path.$$.lock
		awk "BEGIN { print $a2 - $a }" >>/tmp/est_path.$$.line
	done
	printf '%-8s %10.1f %10.1f %10.1f %10.1f %12.1f %12.1f\n' "$f" \
		"$(median </tmp/est_path.$$.p)" "$(median </tmp/est_path.$$.a)" \
		"$(median </tmp/est_path.$$.p2)" "$(median </tmp/est_path.$$.a2)" \
		"$(median </tmp/est_path.$$.lock)" "$(median </tmp/est_path.$$.line)"
done
rm -f /tmp/est_path.$$.*
