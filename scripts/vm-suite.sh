#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VM suite: for each test kernel, build sfw.ko against its headers,
# pack an initramfs, boot it under qemu (TCG) and turn what the guest's
# runner wrote on ttyS1 into TAP lines on stdout, named KERNEL/TEST.
#
# Besides the guest's own tests, each kernel gets host-side checks:
#   tools-build tests/tools (sfw-pkt, sfw-nocap, ...) built;
#   kernel      the kernel is installed (or, for debug, built);
#   build       the module builds with W=1 and sparse (C=1), no warnings
#               (build-debug: the same with -DDEBUG);
#   suite-ran   the guest ran to its end. A guest that crashes, or that
#               gives no verdict for a minute past the per-test bound,
#               fails the test it was in and here; a new guest then
#               resumes after that test (up to three guests per kernel);
#   kernel-log  the kernel's console lines show no
#               WARNING/BUG/KASAN/lockdep/kmemleak;
#   TEST        a test of the list that gave no verdict (or too many).
#
# Nothing that was meant to run may go missing quietly. A kernel that is
# not installed, a tests/tools helper that does not build, a name in
# SFW_TESTS that is no test, and a test that ends a kernel's run with no
# verdict (or more than one) are each a "not ok", and the exit status is 0
# only when no line is.
#
# Environment: SFW_KERNELS (list: releases, lines 6.1/6.12, or debug),
# SFW_VM_TIMEOUT (s, default 2400; the debug kernel 3600), SFW_TESTS
# (comma-separated subset), SFW_VM_SCALE (the heaviest tests divide their
# counts by it; debug: 10), SFW_VM_REPEAT (run each test that many times in
# one guest, to hunt rare failures), SFW_ALL_KERNELS=1 (ignore the tests'
# "# kernels:" lines: run each selected test on every kernel named).
set -u
source "$(dirname "$0")/lib.sh"
mkdir -p "$BUILD"
vm_tap=$BUILD/vm.tap
: >"$vm_tap"

# say WORDS...: one TAP line (or "#" comment) on stdout and in vm.tap.
say() {
	printf '%s\n' "$*" | tee -a "$vm_tap"
}

# The tests the guest must run, from tests/vm/*.sh as guest-run finds them.
all_tests=$(cd "$TOP/tests/vm" && for t in *.sh; do [ "$t" = lib.sh ] || echo "${t%.sh}"; done)
tests=$all_tests
if [ -n "${SFW_TESTS:-}" ]; then
	tests=
	unknown=
	for t in ${SFW_TESTS//,/ }; do
		if grep -qx -- "$t" <<<"$all_tests"; then
			tests+="$t"$'\n'
		else
			unknown+=" $t"
		fi
	done
	if [ -n "$unknown" ]; then
		say "not ok - vm/tests # SFW_TESTS names no such test:$unknown (see tests/vm/*.sh)"
		exit 1
	fi
	tests=$(printf '%s' "$tests" | awk '!seen[$0]++')
	if [ -z "$tests" ]; then
		say "not ok - vm/tests # SFW_TESTS='$SFW_TESTS' names no test"
		exit 1
	fi
fi
only=$(echo $tests | tr ' ' ,)
repeat=${SFW_VM_REPEAT:-1}
ntests=$(grep -c . <<<"$tests")

kernels=$(sfw_test_kernels)
if [ -z "$kernels" ]; then
	say "not ok - vm # no test kernel: SFW_KERNELS is empty"
	exit 1
fi

make -s -C "$TOP/tools" >/dev/null || { say "not ok - vm/tools # sfwctl does not build"; exit 1; }
# The guest's helpers (sfw-pkt, sfw-nocap, ...) are the project's own: if
# they do not build, each kernel fails for it, and the tests that need
# them fail in the guest rather than skip.
tools_ok=
make -s -C "$TOP/tests/tools" >"$BUILD/tests-tools.log" 2>&1 && tools_ok=1

# verdicts SHORT DIR: every test of the list ended with exactly $repeat
# verdicts on this kernel (its guest lines and the host's "hung in this
# test" lines, in DIR/verdicts.tap); each that did not is a "not ok".
verdicts() {
	local short=$1 dir=$2 t c ran=0 re
	declare -A got
	# A release like 6.12.117+deb12 holds regex characters: quote them.
	re=$(sed 's/[][\.*^$+?(){}|]/\\&/g' <<<"$short")
	for t in $tests; do
		got[$t]=$(grep -cE "^(ok|not ok) - $re/$t( |\$)" "$dir/verdicts.tap")
		[ "${got[$t]}" -eq 0 ] || ran=$((ran + 1))
	done
	if [ $ran -eq 0 ]; then
		say "not ok - $short/tests # none of the $ntests tests gave a verdict"
		return
	fi
	for t in $tests; do
		c=${got[$t]}
		if [ "$c" -eq 0 ]; then
			say "not ok - $short/$t # no verdict: the guest never ran it"
		elif [ "$c" -ne "$repeat" ]; then
			say "not ok - $short/$t # $c verdicts, expected $repeat"
		fi
	done
	say "# $short: $ran of $ntests tests gave a verdict," \
		"$(grep -cE "^ok - $re/[^/ ]+ # SKIP" "$dir/verdicts.tap") of them skips;" \
		"$(grep -cE "^ok - $re/[^/ ]+/[^ ]+ # SKIP" "$dir/verdicts.tap") checks skipped inside tests"
}

# ops_wanted KREL: ops_install or ops_dkms is selected and its "# kernels:"
# line (as guest-run reads it) names KREL, so ops_stage's host-side
# install and DKMS build are worth their minutes.
ops_wanted() {
	local here t where w
	[ "$1" = debug ] && here=debug || here=$(cut -d. -f1,2 <<<"$1")
	for t in ops_install ops_dkms; do
		grep -qx "$t" <<<"$tests" || continue
		[ -n "${SFW_ALL_KERNELS:-}" ] && return 0
		where=$(sed -n 's/^# kernels: //p' "$TOP/tests/vm/$t.sh" | head -n 1)
		[ -z "$where" ] && return 0
		for w in $where; do
			[ "$w" = "$here" ] && return 0
			[ "$w" = release ] && [ "$here" != debug ] && return 0
		done
	done
	return 1
}

# ops_stage KREL DIR: what tests/vm/ops_install.sh and ops_dkms.sh
# install in the guest, made here (the guest has no compiler), and
# appended to DIR/initramfs.cpio as a second archive: `make install
# DESTDIR=` of a copy of the tree under /opt/sfw-stage, and the module
# `dkms add/build/install` made from dkms.conf under /opt/sfw-dkms. dkms
# works in private trees (--dkmstree, --sourcetree, --installtree,
# --no-depmod, a signing key of its own), and nothing may change
# outside DIR: install-staged fails for a file newer than the start in
# /lib/modules/KREL, PREFIX, /etc/systemd, /etc/sfw or /var/lib/dkms.
ops_stage() {
	local krel=$1 dir=$2 src=$2/ops-src root=$2/ops-root ver new
	local d="--dkmstree $2/dkms/tree --sourcetree $2/dkms/src --installtree $2/dkms/inst --no-depmod"
	rm -rf "$src" "$root" "$dir/dkms"
	mkdir -p "$src" "$root/opt/sfw-dkms" "$dir/dkms/tree" "$dir/dkms/inst/$krel"
	touch "$dir/ops-mark"
	(cd "$TOP" && cp -a Makefile Kbuild dkms.conf src include tools contrib "$src/") &&
		make -s -C "$src" clean >/dev/null 2>&1
	if make -C "$src" KREL="$krel" KDIR="$SFW_KDIR" DESTDIR="$root/opt/sfw-stage" install \
		>"$dir/install.log" 2>&1; then
		echo "ok - $short/install make install DESTDIR= staged"
	else
		echo "not ok - $short/install # make install DESTDIR= failed (install.log):"
		tail -n 10 "$dir/install.log" | sed 's/^/#   /'
	fi
	ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$TOP/dkms.conf")
	mkdir -p "$dir/dkms/src/sfw-$ver"
	(cd "$src" && cp -a dkms.conf Kbuild src include "$dir/dkms/src/sfw-$ver/")
	if ! command -v dkms >/dev/null; then
		echo "not ok - $short/dkms # no dkms: run scripts/install-deps.sh"
	elif mok_signing_key=$dir/dkms/mok.key mok_certificate=$dir/dkms/mok.pub \
		sh -c "dkms add $d sfw/$ver && dkms build $d sfw/$ver -k $krel &&
			dkms install $d sfw/$ver -k $krel" >"$dir/dkms.log" 2>&1 &&
		cp "$dir/dkms/inst/$krel"/*/*/sfw.ko* "$root/opt/sfw-dkms/"; then
		echo "ok - $short/dkms dkms add, build, install sfw/$ver for $krel"
	else
		echo "not ok - $short/dkms # dkms failed (dkms.log):"
		tail -n 10 "$dir/dkms.log" | sed 's/^/#   /'
	fi
	new=$(find "${SFW_MODULES:-/lib/modules}/$krel" /usr/local /etc/systemd /etc/sfw \
		/var/lib/dkms -newer "$dir/ops-mark" 2>/dev/null | head -n 5)
	if [ -n "$new" ]; then
		echo "not ok - $short/install-staged # written outside DESTDIR and dkms's trees:"
		echo "$new" | sed 's/^/#   /'
	else
		echo "ok - $short/install-staged nothing written outside DESTDIR and dkms's trees"
	fi
	(cd "$root" && find . | cpio -o -H newc --quiet) >>"$dir/initramfs.cpio"
}

# run_kernel KREL: the build, the guest runs and the host-side checks of
# one kernel, as TAP lines on stdout.
run_kernel() {
	local krel=$1 short=${1%-cloud-amd64} dir=$BUILD/$1
	local limit scale warns per_test start after run left vm seen wedged since now rc
	local last done_last what secs bad
	if [ -n "$tools_ok" ]; then
		echo "ok - $short/tools-build tests/tools built"
	else
		echo "not ok - $short/tools-build # tests/tools does not build (build/tests-tools.log):"
		grep -E 'error|warning' "$BUILD/tests-tools.log" | head -n 10 | sed 's/^/#   /'
	fi
	if ! sfw_kernel "$krel" >"$dir/kernel.log" 2>&1; then
		echo "not ok - $short/kernel # could not build or find the kernel:"
		tail -n 20 "$dir/kernel.log" | sed 's/^/#   /'
		return
	fi
	# The debug kernel runs everything several times slower.
	limit=${SFW_VM_TIMEOUT:-2400}
	scale=1
	if [ "$krel" = debug ]; then
		limit=${SFW_VM_TIMEOUT:-3600}
		scale=10
	fi

	scale=${SFW_VM_SCALE:-$scale}
	# On the debug kernel, tests marked "# kernels: release" are reported
	# skips (guest-run); SFW_DEBUG_ALL=1 runs them there too.
	debug_tier=
	[ "$krel" = debug ] && [ -z "${SFW_DEBUG_ALL:-}" ] && debug_tier=1

	if ! sfw_build_module "$krel"; then
		echo "not ok - $short/build # module build failed:"
		grep -E 'error|warning' "$dir/build.log" | head -n 20 | sed 's/^/#   /'
		return
	fi
	warns=$(grep -E 'warning:|error:' "$dir/build.log")
	if [ -n "$warns" ]; then
		echo "not ok - $short/build # W=1 C=1 findings:"
		echo "$warns" | head -n 20 | sed 's/^/#   /'
	else
		echo "ok - $short/build W=1 C=1 clean"
	fi
	# The debug flavour, for the self-tests at load (tests/vm/selftests.sh).
	rm -f "$dir/mod-debug/sfw.ko"
	if ! sfw_build_module "$krel" debug || grep -qE 'warning:|error:' "$dir/build-debug.log"; then
		echo "not ok - $short/build-debug # make debug failed or warned:"
		grep -E 'error|warning' "$dir/build-debug.log" | head -n 20 | sed 's/^/#   /'
	else
		echo "ok - $short/build-debug W=1 C=1 clean"
	fi

	if ! sfw_build_initramfs "$krel" "$dir/initramfs.cpio"; then
		echo "not ok - $short/initramfs # could not pack the initramfs"
		return
	fi
	if ops_wanted "$krel"; then
		ops_stage "$krel" "$dir"
	fi

	# One guest runs the whole suite. A guest that hangs or crashes fails
	# the test it was in, and a fresh guest resumes after that test, so
	# one wedged kernel costs one test, not the rest of the suite.
	per_test=$((limit / 3))
	start=$(date +%s)
	after=
	run=1
	: >"$dir/result.tap"
	: >"$dir/consoles.log"
	while :; do
		left=$((limit - ($(date +%s) - start)))
		[ $left -gt 60 ] || left=60
		sfw_run_vm "$krel" "$dir/initramfs.cpio" "$dir" tests "$left" \
			"${SFW_TESTS:+sfwtests=$only} ${after:+sfwafter=$after} sfwtimeout=$per_test sfwscale=$scale sfwrepeat=$repeat${SFW_ALL_KERNELS:+ sfwanywhere=1} softlockup_panic=1${debug_tier:+ sfwdebug=1}" &
		vm=$!
		# The guest's runner bounds each test itself; a guest that
		# outlives that bound by a minute has a wedged kernel.
		seen=0
		wedged=
		since=$(date +%s)
		while kill -0 $vm 2>/dev/null; do
			sleep 5
			now=$(grep -c . "$dir/result.txt" 2>/dev/null)
			if [ "${now:-0}" != $seen ]; then
				seen=${now:-0}
				since=$(date +%s)
			elif [ -z "$wedged" ] && [ $(($(date +%s) - since)) -gt $((per_test + 60)) ]; then
				pkill -TERM -P $vm timeout 2>/dev/null || kill $vm 2>/dev/null
				wedged=$((per_test + 60))
			fi
		done
		wait $vm
		rc=$?
		tr -d '\r' <"$dir/console.log" >>"$dir/consoles.log" 2>/dev/null
		tr -d '\r' <"$dir/result.txt" >"$dir/result-$run.tap" 2>/dev/null
		cat "$dir/result-$run.tap" >>"$dir/result.tap"
		# Each guest TAP line, renamed KERNEL/TEST.
		sed -n -E "s@^(ok|not ok) [0-9]+ (.*)@\1 - $short/\2@p" "$dir/result-$run.tap"
		grep -q '^# done' "$dir/result-$run.tap" && break

		last=$(sed -n 's/^# running //p' "$dir/result-$run.tap" | tail -n 1)
		done_last=$(grep -cE "^(ok|not ok) [0-9]+ ${last:-NONE}( |$)" "$dir/result-$run.tap")
		if [ -n "$wedged" ]; then
			what="guest hung: no verdict for ${wedged}s, killed"
		elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
			what="guest hung: killed after ${left}s"
		else
			what="guest stopped early (qemu exit $rc)"
		fi
		if [ -n "$last" ] && [ "$done_last" = 0 ]; then
			echo "not ok - $short/$last # $what in this test; console tail:"
		else
			echo "not ok - $short/guest-run-$run # $what between tests; console tail:"
		fi
		tail -n 25 "$dir/console.log" | tr -d '\r' | sed 's/^/#   /'
		cp "$dir/console.log" "$dir/console-$run.log"
		# Resume after the test that died, while time and patience last.
		if [ -z "$last" ] || [ "$last" = kmemleak ] || [ $run -ge 3 ] ||
		   [ $(($(date +%s) - start)) -ge $limit ]; then
			break
		fi
		after=$last
		run=$((run + 1))
	done
	secs=$(($(date +%s) - start))
	if [ $run -eq 1 ] && grep -q '^# done' "$dir/result.tap"; then
		echo "ok - $short/suite-ran in ${secs}s"
	elif grep -q '^# done' "$dir/result-$run.tap"; then
		echo "not ok - $short/suite-ran # in ${secs}s, in $run guests: a guest died (above)"
	else
		echo "not ok - $short/suite-ran # gave up after ${secs}s and $run guests"
	fi

	# The kernel's lines, not the tests' output that guest-run copies to
	# the console indented by four spaces (a test may well print "KASAN").
	bad=$(grep -v '^    ' "$dir/consoles.log" | grep -E "$SFW_BAD_LOG" | head -n 5)
	if [ -n "$bad" ]; then
		echo "not ok - $short/kernel-log # $(echo "$bad" | head -n 1)"
		echo "$bad" | sed 's/^/#   /'
	else
		echo "ok - $short/kernel-log clean"
	fi

	# A test's host half, tests/vm/TEST.host: a check the guest has no
	# tool for (a Prometheus parser), run here over the consoles' log
	# after TEST passed in the guest. Its verdict is TEST/host.
	for t in $tests; do
		[ -x "$TOP/tests/vm/$t.host" ] || continue
		grep -qE "^ok [0-9]+ $t\$" "$dir/result.tap" || continue
		if out=$("$TOP/tests/vm/$t.host" "$dir/consoles.log" 2>&1); then
			echo "ok - $short/$t/host $(tail -n 1 <<<"$out")"
		else
			echo "not ok - $short/$t/host # $(tail -n 1 <<<"$out")"
			grep -E '^FAIL|Error|Traceback' <<<"$out" | head -n 20 | sed 's/^/#   /'
		fi
	done
}

for krel in $kernels; do
	case $krel in
	missing:*)
		k=${krel#missing:}
		say "not ok - ${k%-cloud-amd64}/kernel # no ${k} cloud kernel with its headers" \
			"in ${SFW_BOOT:-/boot} and ${SFW_MODULES:-/lib/modules}: run scripts/install-deps.sh"
		continue
		;;
	esac
	dir=$BUILD/$krel
	mkdir -p "$dir"
	run_kernel "$krel" | tee "$dir/verdicts.tap" | tee -a "$vm_tap"
	verdicts "${krel%-cloud-amd64}" "$dir"
done
! grep -q '^not ok' "$vm_tap"
