#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# contrib/sfw-boot (what sfw.service runs) on the build host, where no
# module loads: modprobe is a stand-in that logs its arguments, and so is
# sfwctl for everything but `ruleset load --check`, which is the real
# one (it needs no module). What is checked: a good file is checked, then
# loaded after modprobe; a bad file is never loaded, the step fails and
# stderr names the file's error; no file loads the module alone. The VM
# test tests/vm/ops_install.sh runs the same steps against the module.
# TAP on stdout.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
REAL=${SFWCTL:-$TOP/tools/sfwctl}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
fails=0

mkdir -p "$T/bin"
printf '#!/bin/sh\necho "modprobe $*" >>%s/calls\n' "$T" >"$T/bin/modprobe"
cat >"$T/bin/sfwctl" <<STUB
#!/bin/sh
if [ "\$1 \$2 \$3" = "ruleset load --check" ]; then exec "$REAL" "\$@"; fi
echo "sfwctl \$*" >>$T/calls
STUB
chmod +x "$T/bin/modprobe" "$T/bin/sfwctl"
sed "s|@SBINDIR@|$T/bin|" "$TOP/contrib/sfw-boot" >"$T/sfw-boot"

check() {
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1 # got '$2', want '$3'"
		fails=$((fails + 1))
	fi
}

# boot STEP: run sfw-boot STEP; sets rc, calls (one line, ';'-joined), err.
boot() {
	: >"$T/calls"
	PATH=$T/bin:$PATH SFW_RULES=$T/rules.sfw sh "$T/sfw-boot" "$1" 2>"$T/err"
	rc=$?
	calls=$(paste -sd';' "$T/calls")
	err=$(cat "$T/err")
}

printf 'chain input policy drop\n  tcp dport 22 accept\n' >"$T/rules.sfw"
boot start
check "start, good file: exit 0" "$rc" 0
check "start, good file: modprobe, then load" "$calls" "modprobe sfw;sfwctl ruleset load $T/rules.sfw"

boot reload
check "reload, good file: exit 0" "$rc" 0
check "reload, good file: one load" "$calls" "sfwctl ruleset load $T/rules.sfw"

printf 'chain input policy drop\n  tcp dport 22 acept\n' >"$T/rules.sfw"
boot start
check "start, bad file: exit 1" "$rc" 1
check "start, bad file: the module, no load" "$calls" "modprobe sfw"
check "start, bad file: says why, with the file's line" \
	"$(grep -c "rules.sfw refused" <<<"$err")$(grep -c "rules.sfw:2:.*acept" <<<"$err")" 11

boot reload
check "reload, bad file: exit 1" "$rc" 1
check "reload, bad file: nothing loaded" "$calls" ""

rm "$T/rules.sfw"
boot start
check "start, no file: exit 0" "$rc" 0
check "start, no file: the module alone" "$calls" "modprobe sfw"
check "start, no file: says so" "$(grep -c 'every packet is accepted' <<<"$err")" 1

boot bogus
check "unknown step: exit 2" "$rc" 2

# upgrade, and reload when the installed module is another build: a
# scratch /proc and /sys. The stand-ins log forwarding as each step sees
# it; loading the module sets net.sfw.tcp_loose to its default, 1.
P=$T/proc
mkdir -p "$P/sys/net/ipv4" "$P/sys/net/ipv6/conf/all" "$P/sys/net/sfw" "$T/sys/module/sfw"
fwd() { echo "$(cat "$P/sys/net/ipv4/ip_forward")$(cat "$P/sys/net/ipv6/conf/all/forwarding")"; }
cat >"$T/bin/modprobe" <<STUB
#!/bin/sh
echo "modprobe \$* fwd=\$(cat $P/sys/net/ipv4/ip_forward)" >>$T/calls
[ "\$1" = sfw ] && echo 1 >$P/sys/net/sfw/tcp_loose
exit 0
STUB
cat >"$T/bin/sfwctl" <<STUB
#!/bin/sh
if [ "\$1 \$2 \$3" = "ruleset load --check" ]; then exec "$REAL" "\$@"; fi
echo "sfwctl \$* fwd=\$(cat $P/sys/net/ipv4/ip_forward)" >>$T/calls
STUB
printf '#!/bin/sh\necho NEWBUILD\n' >"$T/bin/modinfo"
chmod +x "$T/bin/modprobe" "$T/bin/sfwctl" "$T/bin/modinfo"
printf 'chain input policy drop\n  tcp dport 22 accept\n' >"$T/rules.sfw"
upgrade_boot() {
	echo 1 >"$P/sys/net/ipv4/ip_forward"
	echo 1 >"$P/sys/net/ipv6/conf/all/forwarding"
	echo 0 >"$P/sys/net/sfw/tcp_loose"
	: >"$T/calls"
	PATH=$T/bin:$PATH SFW_RULES=$T/rules.sfw SFW_PROC=$P SFW_SYS=$T/sys SFW_STATE_DIR=$T/run \
		sh "$T/sfw-boot" "$1" 2>"$T/err"
	rc=$?
	calls=$(paste -sd';' "$T/calls")
}
S=$T/run/conntrack
want="sfwctl ct save -o $S fwd=0;modprobe -r sfw fwd=0;modprobe sfw fwd=0;sfwctl ruleset load $T/rules.sfw fwd=0;sfwctl ct restore $S fwd=0"
upgrade_boot upgrade
check "upgrade: exit 0" "$rc" 0
check "upgrade: save, reload the module, rules, restore, all with forwarding paused" "$calls" "$want"
check "upgrade: forwarding back on, both families" "$(fwd)" 11
check "upgrade: the settings come back after the reload" "$(cat "$P/sys/net/sfw/tcp_loose")" 0

echo OLDBUILD >"$T/sys/module/sfw/srcversion"
upgrade_boot reload
check "reload with a new sfw.ko installed: upgrades" "$calls" "$want"
echo NEWBUILD >"$T/sys/module/sfw/srcversion"
upgrade_boot reload
check "reload with the loaded sfw.ko installed: the rule file only" "$calls" \
	"sfwctl ruleset load $T/rules.sfw fwd=1"

# A save that fails changes nothing and resumes forwarding.
cat >"$T/bin/sfwctl" <<STUB
#!/bin/sh
echo "sfwctl \$*" >>$T/calls
[ "\$1 \$2" = "ct save" ] && exit 1
exit 0
STUB
upgrade_boot upgrade
check "upgrade, save fails: exit 1" "$rc" 1
check "upgrade, save fails: the module stays" "$calls" "sfwctl ct save -o $S"
check "upgrade, save fails: forwarding back on" "$(fwd)" 11

# The unit as make install writes it, read by systemd's own parser: any
# complaint (an unknown key, a bad value, a missing ExecStart program).
if command -v systemd-analyze >/dev/null; then
	sed "s|@LIBEXECDIR@|$T|" "$TOP/contrib/sfw.service" >"$T/sfw.service"
	chmod +x "$T/sfw-boot"
	out=$(cd "$T" && systemd-analyze verify --man=no ./sfw.service 2>&1)
	check "systemd-analyze verify sfw.service: no complaint" "$out" ""
	check "the unit's three steps run sfw-boot" \
		"$(grep -c "^Exec\(Start\|Reload\|Stop\)=$T/sfw-boot \(start\|reload\|stop\)$" "$T/sfw.service")" 3
else
	n=$((n + 1))
	echo "ok $n systemd-analyze verify # SKIP no systemd-analyze on this host"
fi

echo "1..$n"
[ $fails -eq 0 ]
