#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: 6.12
# DKMS, proven (issue 14). The host ran `dkms add`, `dkms build -k` and
# `dkms install -k` for this kernel from dkms.conf, in dkms trees of its
# own (scripts/vm-suite.sh, ops_stage), and put the installed module in
# /opt/sfw-dkms. Here it goes where dkms installs on Debian
# (updates/dkms), with the suite's own sfw.ko taken away: modprobe must
# load it, and a rule set must pass and drop traffic through it.
#
#   peer (10.0.9.2) p0 --- h0 (10.0.9.1) this namespace: sfw, listeners :5000 :5001
source lib.sh
need modprobe depmod modinfo socat

KREL=$(uname -r)
MODDIR=/lib/modules/$KREL
T=$(mktemp -d)
ls /opt/sfw-dkms/sfw.ko* >/dev/null 2>&1 ||
	{ fail "no /opt/sfw-dkms/sfw.ko: the host's dkms build (vm-suite ops_stage) did not run"; exit $ret; }

cleanup() {
	cleanup_std
	rm -rf $MODDIR/updates/dkms
	mv $T.orig/sfw.ko* $MODDIR/extra/ 2>/dev/null
	rm -rf $T.orig
	depmod -a
}
trap cleanup EXIT

sfw_unload
mkdir -p $T.orig $MODDIR/updates/dkms
mv $MODDIR/extra/sfw.ko* $T.orig/
cp /opt/sfw-dkms/sfw.ko* $MODDIR/updates/dkms/
depmod -a
modprobe sfw
check_eq "modprobe sfw loads dkms's module" $? 0
check_eq "the module is dkms's" "$(modinfo -n sfw | sed 's/\.xz$//')" "$MODDIR/updates/dkms/sfw.ko"
check_eq "built for this kernel" "$(modinfo -F vermagic sfw | cut -d' ' -f1)" "$KREL"

setup_ns peer || exit $ksft_fail
ip link add h0 type veth peer name p0 netns "$peer"
ip addr add 10.0.9.1/24 dev h0
ip link set h0 up
ip -n "$peer" addr add 10.0.9.2/24 dev p0
ip -n "$peer" link set p0 up
for p in 5000 5001; do
	socat -u TCP-LISTEN:$p,reuseaddr,fork OPEN:/dev/null &
	busywait 5000 sh -c "ss -Hltn | grep -q ':$p '"
done
busywait 5000 ip netns exec "$peer" ping -c 1 -W 1 10.0.9.1 >/dev/null
reach() { ip netns exec "$peer" socat -u - TCP:10.0.9.1:$1,connect-timeout=1 </dev/null 2>/dev/null; }
ports() { local p o=; for p in 5000 5001; do reach $p && o+="$p "; done; echo "${o% }"; }

check_eq "no rules: both ports pass" "$(ports)" "5000 5001"
printf 'chain input policy drop\n  ct state established,related accept\n  iif lo accept\n  tcp dport 5000 accept\n' >$T/rules
sfwctl ruleset load $T/rules 2>/dev/null
check_eq "rule set loaded" $? 0
check_eq "through dkms's module: 5000 passes, 5001 is dropped" "$(ports)" 5000
check_ge "the tracker saw the connections" "$(sfw_stat "" new)" 1
exit $ret
