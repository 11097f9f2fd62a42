#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A bad module parameter fails the load with one clear "sfw:" line in the
# kernel log and leaves nothing behind; a good one loads.
source lib.sh

cleanup() {
	sfw_unload
}
trap cleanup EXIT

for bad in 1000 8 33554432; do
	if modprobe sfw hashsize=$bad 2>/dev/null; then
		fail "hashsize=$bad was accepted"
		rmmod sfw
		continue
	fi
	check_eq "hashsize=$bad: module not loaded" "$(sfw_loaded && echo yes || echo no)" no
	line=$(dmesg | grep -c "sfw: hashsize=$bad is invalid")
	check_eq "hashsize=$bad: one clear line in the log" "$line" 1
	check_eq "hashsize=$bad: no /proc/net/sfw" "$([ -e /proc/net/sfw ] && echo yes || echo no)" no
done

if modprobe sfw hashsize=1024; then
	pass "hashsize=1024 loads"
	rmmod sfw
else
	fail "hashsize=1024 was refused"
fi
exit $ret
