#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The debug build (make debug: -DDEBUG) runs its in-kernel self-tests at
# load: each unit prints "sfw: <unit> self-tests: pass", or a FAIL line
# per failed case and the load fails. Then it must unload cleanly.
source lib.sh

ko=/opt/sfw-debug/sfw.ko
# vm-suite.sh always builds it: its absence is a broken harness, not a skip.
[ -f $ko ] || { fail "no debug build of sfw in the guest ($ko)"; exit $ret; }

cleanup() {
	sfw_unload
}
trap cleanup EXIT

modprobe nf_defrag_ipv4 && modprobe nf_defrag_ipv6 || { fail "cannot load nf_defrag"; exit $ret; }
if insmod $ko; then
	pass "the debug build loads"
else
	fail "the debug build refused to load (a self-test failed?)"
fi
for unit in timer_wheel conntrack; do
	check_eq "$unit self-tests pass" "$(dmesg | grep -c "sfw: $unit self-tests: pass")" 1
done
check_eq "no self-test FAIL line" "$(dmesg | grep -c 'self-test.*FAIL')" 0
rmmod sfw || fail "rmmod of the debug build"
exit $ret
