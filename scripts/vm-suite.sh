#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VM suite: for each test kernel, build sfw.ko against its headers,
# pack an initramfs, boot it under qemu (TCG) and turn what the guest's
# runner wrote on ttyS1 into TAP lines on stdout, named KERNEL/TEST.
#
# Besides the guest's own tests, each kernel gets three host-side checks:
#   build       the module builds with W=1 and sparse (C=1), no warnings;
#   suite-ran   the guest ran to its end (a hung or crashed guest fails
#               here, naming the test it was in);
#   kernel-log  the console shows no WARNING/BUG/KASAN/lockdep/kmemleak.
#
# Environment: SFW_KERNELS (list), SFW_VM_TIMEOUT (s, default 900),
# SFW_TESTS (comma-separated subset).
set -u
source "$(dirname "$0")/lib.sh"

kernels=$(sfw_test_kernels)
if [ -z "$kernels" ]; then
	echo "not ok - vm # no test kernel installed: run scripts/install-deps.sh"
	exit 1
fi

make -s -C "$TOP/tools" >/dev/null || { echo "not ok - vm/tools # sfwctl does not build"; exit 1; }
make -s -C "$TOP/tests/tools" >/dev/null 2>&1 || true

for krel in $kernels; do
	short=${krel%-cloud-amd64}
	dir=$BUILD/$krel
	mkdir -p "$dir"
	if ! sfw_kernel "$krel" >"$dir/kernel.log" 2>&1; then
		echo "not ok - $short/kernel # could not build or find the kernel:"
		tail -n 20 "$dir/kernel.log" | sed 's/^/#   /'
		continue
	fi
	# The debug kernel runs everything several times slower.
	limit=${SFW_VM_TIMEOUT:-1200}
	scale=1
	if [ "$krel" = debug ]; then
		limit=${SFW_VM_TIMEOUT:-2400}
		scale=10
	fi

	if ! sfw_build_module "$krel"; then
		echo "not ok - $short/build # module build failed:"
		grep -E 'error|warning' "$dir/build.log" | head -n 20 | sed 's/^/#   /'
		continue
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
		continue
	fi

	start=$(date +%s)
	sfw_run_vm "$krel" "$dir/initramfs.cpio" "$dir" tests "$limit" \
		"${SFW_TESTS:+sfwtests=$SFW_TESTS} sfwtimeout=$((limit / 3)) sfwscale=$scale"
	rc=$?
	secs=$(($(date +%s) - start))

	tr -d '\r' <"$dir/result.txt" >"$dir/result.tap" 2>/dev/null
	# Each guest TAP line, renamed KERNEL/TEST.
	sed -n -E "s@^(ok|not ok) [0-9]+ (.*)@\1 - $short/\2@p" "$dir/result.tap"

	if grep -q '^# done' "$dir/result.tap"; then
		echo "ok - $short/suite-ran in ${secs}s"
	else
		last=$(sed -n 's/^# running //p' "$dir/result.tap" | tail -n 1)
		done_last=$(grep -cE "^(ok|not ok) [0-9]+ ${last:-NONE}( |$)" "$dir/result.tap")
		if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
			what="guest hung: killed after ${limit}s"
		else
			what="guest stopped early (qemu exit $rc)"
		fi
		if [ -n "$last" ] && [ "$done_last" = 0 ]; then
			echo "not ok - $short/$last # $what in this test"
		fi
		echo "not ok - $short/suite-ran # $what; console tail:"
		tail -n 25 "$dir/console.log" | tr -d '\r' | sed 's/^/#   /'
	fi

	bad=$(tr -d '\r' <"$dir/console.log" | grep -E "$SFW_BAD_LOG" | head -n 5)
	if [ -n "$bad" ]; then
		echo "not ok - $short/kernel-log # $(echo "$bad" | head -n 1)"
		echo "$bad" | sed 's/^/#   /'
	else
		echo "ok - $short/kernel-log clean"
	fi
done
