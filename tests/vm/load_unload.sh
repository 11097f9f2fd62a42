#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Load and unload sfw three times, with a namespace alive across the
# cycles: every load creates /proc/net/sfw in both namespaces and every
# unload removes it again.
source lib.sh

cleanup() {
	sfw_unload
	cleanup_all_ns
}
trap cleanup EXIT

setup_ns other || exit $ksft_fail
for i in 1 2 3; do
	if ! sfw_load; then
		fail "cycle $i: modprobe sfw failed"
		break
	fi
	check_eq "cycle $i: module listed" "$(sfw_loaded && echo yes)" yes
	check_eq "cycle $i: /proc/net/sfw/stat in init_net" "$([ -r /proc/net/sfw/stat ] && echo yes)" yes
	check_eq "cycle $i: /proc/net/sfw/stat in $other" \
		"$(ip netns exec "$other" bash -c '[ -r /proc/net/sfw/stat ] && echo yes')" yes
	rmmod sfw || fail "cycle $i: rmmod sfw failed"
	check_eq "cycle $i: module gone" "$(sfw_loaded && echo yes || echo no)" no
	check_eq "cycle $i: /proc/net/sfw gone" "$([ -e /proc/net/sfw ] && echo yes || echo no)" no
	check_eq "cycle $i: /proc/net/sfw gone in $other" \
		"$(ip netns exec "$other" bash -c '[ -e /proc/net/sfw ] && echo yes || echo no')" no
done
exit $ret
