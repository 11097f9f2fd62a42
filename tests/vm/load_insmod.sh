#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make load` (scripts/load.sh, in the guest as sfw-load) loads an sfw.ko
# that is not installed, on a machine where nothing it needs is loaded
# yet (issue #12, item 6). The control: a plain insmod of the same file
# fails there with "Unknown symbol", which is what a newcomer met.
source lib.sh
need sfw-load modinfo

trap cleanup EXIT

ko=/tmp/sfw.ko
cp "$(modinfo -n sfw)" "$ko" || { fail "no sfw.ko to copy"; exit $ret; }
deps=$(modinfo -F depends "$ko" | tr ',' ' ')

# unload_with_users MOD: rmmod MOD after every module /proc/modules says
# uses it (nf_nat, nf_conntrack, nft_* that earlier tests loaded).
unload_with_users() {
	local u
	grep -q "^$1 " /proc/modules || return 0
	for u in $(awk -v m="$1" '$1 == m { gsub(",", " ", $4); print $4 }' /proc/modules); do
		[ "$u" = - ] || unload_with_users "$u"
	done
	rmmod "$1" 2>/dev/null
}

# Unload sfw's dependencies, and whatever an earlier test stacked on them.
sfw_unload
for m in $deps; do
	unload_with_users "$m"
done
left=$(for m in $deps; do grep -q "^$m " /proc/modules && echo "$m"; done)
if [ -z "$deps" ]; then
	# The debug kernel has nf_defrag and nf_reject built in.
	skip_part control "sfw.ko depends on no module here: this kernel has them built in"
elif [ -n "$left" ]; then
	skip_part control "still in use, cannot unload: $left"
else
	if out=$(insmod "$ko" 2>&1); then
		fail "plain insmod worked with its dependencies unloaded: the control proves nothing"
		rmmod sfw
	else
		pass "the control: plain insmod fails ($out)"
	fi
fi

if out=$(sfw-load "$ko" 2>&1); then
	pass "sfw-load loaded it"
else
	fail "sfw-load: $out"
fi
sfw_loaded && pass "sfw is loaded" || fail "sfw is not loaded"
exit $ret
