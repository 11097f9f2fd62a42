#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: 6.12
# make install, proven (issue 14). The host ran `make install DESTDIR=`
# into /opt/sfw-stage (scripts/vm-suite.sh, ops_stage; the guest has no
# compiler). Here:
#   - the staged tree holds the module, sfwctl, the man page, the bash
#     completion, sfw-boot and sfw.service, and nothing else;
#   - with the suite's own sfw.ko taken away, `modprobe sfw` fails; after
#     the staged tree is copied into / and depmod runs, it loads the
#     installed module and, with it, the dependencies it names;
#   - sfw.service's steps (sfw-boot start/reload/stop, as systemd runs
#     them) load the module and /etc/sfw/rules.sfw, replace the rules,
#     keep them when the file is bad (and say why), and unload;
#   - sfw-boot upgrade reloads the module keeping a connection and the
#     settings (ct save / ct restore).
#
#   peer (10.0.9.2) p0 --- h0 (10.0.9.1) this namespace: sfw, listeners :5000 :5001
source lib.sh
need modprobe depmod modinfo socat

STAGE=/opt/sfw-stage
KREL=$(uname -r)
MODDIR=/lib/modules/$KREL
BOOT=/usr/local/lib/sfw/sfw-boot
T=$(mktemp -d)

[ -d $STAGE ] || { fail "no $STAGE: the host's make install DESTDIR= (vm-suite ops_stage) did not run"; exit $ret; }

cleanup() {
	rm -f /etc/sfw/rules.sfw
	cleanup_std
	# The suite's module back in place, the installed one out.
	rm -f $MODDIR/extra/sfw.ko*
	mv $T.orig/sfw.ko* $MODDIR/extra/ 2>/dev/null
	rm -rf $T.orig /usr/local/sbin/sfwctl /usr/local/lib/sfw /usr/local/lib/systemd \
		/usr/local/share/man/man8/sfwctl.8 /usr/local/share/bash-completion
	depmod -a
}
trap cleanup EXIT

# The staged tree: exactly what make install puts there.
got=$(cd $STAGE && find . -type f | sed 's/\.ko\.xz$/.ko/' | sort | tr '\n' ' ')
want="./lib/modules/$KREL/extra/sfw.ko ./usr/local/lib/sfw/sfw-boot ./usr/local/lib/systemd/system/sfw.service ./usr/local/sbin/sfwctl ./usr/local/share/bash-completion/completions/sfwctl ./usr/local/share/man/man8/sfwctl.8 "
check_eq "DESTDIR holds the install, module included" "$got" "$want"
check_eq "the unit runs the installed sfw-boot" \
	"$(grep -c "^Exec\(Start\|Reload\|Stop\)=/usr/local/lib/sfw/sfw-boot " $STAGE/usr/local/lib/systemd/system/sfw.service)" 3

# Control: without the suite's sfw.ko, modprobe finds nothing.
sfw_unload
mkdir -p $T.orig
mv $MODDIR/extra/sfw.ko* $T.orig/
depmod -a
modprobe sfw 2>/dev/null
check_eq "control: no module installed, modprobe sfw fails" $? 1

# unload_with_users MOD: rmmod MOD after every module using it.
unload_with_users() {
	local u
	grep -q "^$1 " /proc/modules || return 0
	for u in $(awk -v m="$1" '$1 == m { gsub(",", " ", $4); print $4 }' /proc/modules); do
		[ "$u" = - ] || unload_with_users "$u"
	done
	rmmod "$1" 2>/dev/null
}
cp -a $STAGE/. /
depmod -a
deps=$(modinfo -F depends sfw | tr ',' ' ')
for m in $deps; do unload_with_users "$m"; done
modprobe sfw
check_eq "after the install, modprobe sfw" $? 0
check_eq "modprobe took the installed module" "$(modinfo -n sfw | sed 's/\.xz$//')" "$MODDIR/extra/sfw.ko"
for m in $deps; do
	check_eq "modprobe loaded dependency $m" "$(grep -c "^$m " /proc/modules)" 1
done
sfw_unload

# The unit's steps, against traffic from a peer namespace to this one.
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
reach() { ip netns exec "$peer" socat -u - TCP:10.0.9.1:$1,connect-timeout=1 </dev/null 2>/dev/null; }
# ports: which of 5000 and 5001 the peer reaches.
ports() { local p o=; for p in 5000 5001; do reach $p && o+="$p "; done; echo "${o% }"; }
generation() { sfwctl ruleset show | sed -n 's/^# generation \([0-9]*\);.*/\1/p'; }
rules_for() {
	printf 'chain input policy drop\n  ct state established,related accept\n  iif lo accept\n  tcp dport %s accept\n' "$1" >"$2"
}
busywait 5000 ip netns exec "$peer" ping -c 1 -W 1 10.0.9.1 >/dev/null

mkdir -p /etc/sfw
rules_for 5000 /etc/sfw/rules.sfw
$BOOT start 2>$T/log
check_eq "sfw-boot start" $? 0
check_eq "start: module loaded" "$(sfw_loaded && echo yes)" yes
check_eq "start: rules.sfw loaded (generation 1)" "$(generation)" 1
check_eq "start: only 5000 passes" "$(ports)" 5000

rules_for 5001 /etc/sfw/rules.sfw
$BOOT reload 2>$T/log
check_eq "sfw-boot reload" $? 0
check_eq "reload: generation 2" "$(generation)" 2
check_eq "reload: only 5001 passes" "$(ports)" 5001

# upgrade (what reload does when a new sfw.ko is installed): a held
# connection and a setting live through the module's reload.
sysctl -qw net.sfw.udp_timeout=77
fwd=$(cat /proc/sys/net/ipv4/ip_forward)
tcp_open up "$peer" TCP:10.0.9.1:5001
tcp_send up "before"
held() { grep -qE 'ESTABLISHED .*dport=5001 ' /proc/net/sfw/conntrack; }
busywait 5000 held || fail "upgrade: no entry for the held connection"
$BOOT upgrade 2>$T/log
check_eq "sfw-boot upgrade ($(tr '\n' ' ' <$T/log))" $? 0
check_eq "upgrade: the module is a fresh one (generation 1)" "$(generation)" 1
check_eq "upgrade: the table was restored, nothing refused" \
	"$(grep -cE '[1-9][0-9]* connections restored, 0 tracked already, 0 refused' $T/log)" 1
check_eq "upgrade: no setting refused (read-only ones are not saved)" \
	"$(grep -c 'not taken' $T/log)" 0
check_eq "upgrade: its entry is in the new module's table" "$(held && echo yes)" yes
check_eq "upgrade: the setting came back" "$(sysctl -n net.sfw.udp_timeout)" 77
check_eq "upgrade: forwarding as it was" "$(cat /proc/sys/net/ipv4/ip_forward)" "$fwd"
tcp_send up "after"
tcp_close up
check_eq "upgrade: only 5001 passes" "$(ports)" 5001

echo "chain input policy drop
  tcp dport 5000 acept" >/etc/sfw/rules.sfw
$BOOT reload 2>$T/log
check_eq "reload of a bad file fails" $? 1
check_eq "bad file: it says why" "$(grep -c 'rules.sfw refused' $T/log)" 1
check_eq "bad file: the line's error is shown" "$(grep -c 'rules.sfw:2' $T/log)" 1
check_eq "bad file: generation stays 1 (the upgraded module's first)" "$(generation)" 1
check_eq "bad file: only 5001 passes still" "$(ports)" 5001

$BOOT stop 2>$T/log
check_eq "sfw-boot stop" $? 0
check_eq "stop: module unloaded" "$(sfw_loaded && echo yes || echo no)" no

# A bad file at boot: the module comes, no rules do (every packet
# accepted), the unit fails and the journal says why.
$BOOT start 2>$T/log
check_eq "start with a bad file fails" $? 1
check_eq "bad file at boot: the module is loaded" "$(sfw_loaded && echo yes)" yes
check_eq "bad file at boot: no rule set" "$(sfwctl ruleset show)" \
	"# no rule set loaded: every packet is accepted"
check_eq "bad file at boot: everything passes" "$(ports)" "5000 5001"
check_eq "bad file at boot: it says why" "$(grep -c 'rules.sfw refused' $T/log)" 1
$BOOT stop 2>/dev/null
check_eq "stop again: unloaded" "$(sfw_loaded && echo yes || echo no)" no
exit $ret
