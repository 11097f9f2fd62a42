#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: install what is missing (scripts/install-deps.sh), build
# the tools, run the userspace unit tests and the fuzz targets' regression
# replay (plus a short fuzz), then the VM suite on every test kernel.
# Every result is a TAP line; the last line is the total, "N passed, N failed, N skipped", and the exit status is 0
# only when nothing failed.
set -u
source "$(dirname "$0")/lib.sh"
mkdir -p "$BUILD"
tap=$BUILD/check.tap
: >"$tap"

emit() { tee -a "$tap"; }

# What the suite needs, as the README promises: a no-op when all is there.
if "$TOP/scripts/install-deps.sh" >"$BUILD/install-deps.log" 2>&1; then
	echo "ok - deps $(tail -n 1 "$BUILD/install-deps.log")" | emit
else
	echo "not ok - deps # scripts/install-deps.sh failed: see build/install-deps.log" | emit
	tail -n 10 "$BUILD/install-deps.log" | sed 's/^/#   /'
fi

if make -s -C "$TOP/tools" >"$BUILD/tools.log" 2>&1; then
	echo "ok - tools/build" | emit
else
	echo "not ok - tools/build # sfwctl does not build: see build/tools.log" | emit
fi

# Unit tests: their own TAP lines, renamed unit/NAME. A build failure
# that printed no result still counts as one failure.
make -s -C "$TOP/tests/unit" check >"$BUILD/unit.log" 2>&1
urc=$?
sed -n -E 's@^(ok|not ok) [0-9]+ (.*)@\1 - unit/\2@p' "$BUILD/unit.log" | emit
grep -E '^#' "$BUILD/unit.log" | head -n 40
if [ $urc -ne 0 ] && ! grep -q '^not ok' "$BUILD/unit.log"; then
	echo "not ok - unit/run # make -C tests/unit check failed:" | emit
	tail -n 20 "$BUILD/unit.log" | sed 's/^/#   /'
fi

# Fuzz targets: replay their corpus and the crash inputs kept in
# tests/fuzz/regress, then fuzz each for FUZZ_CHECK_SECONDS (default 10).
make -s -C "$TOP/tests/fuzz" check >"$BUILD/fuzz.log" 2>&1
frc=$?
sed -n -E 's@^(ok|not ok) [0-9]+ (.*)@\1 - \2@p' "$BUILD/fuzz.log" | emit
if [ $frc -ne 0 ] && ! grep -q '^not ok' "$BUILD/fuzz.log"; then
	echo "not ok - fuzz/run # make -C tests/fuzz check failed:" | emit
	tail -n 20 "$BUILD/fuzz.log" | sed 's/^/#   /'
fi

# vm-suite's own status counts too: a suite that stopped before it could
# print a "not ok" (a shell error, a killed host script) is no pass.
"$TOP/scripts/vm-suite.sh" 2>&1 | tee "$BUILD/vm-suite.out" | emit
vrc=${PIPESTATUS[0]}
if [ "$vrc" -ne 0 ] && ! grep -q '^not ok' "$BUILD/vm-suite.out"; then
	echo "not ok - vm/run # scripts/vm-suite.sh exited $vrc without a failing line:" | emit
	tail -n 10 "$BUILD/vm-suite.out" | sed 's/^/#   /'
fi

passed=$(grep -E '^ok ' "$tap" | grep -vc '# SKIP')
skipped=$(grep -cE '^ok .*# SKIP' "$tap")
failed=$(grep -cE '^not ok ' "$tap")
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
