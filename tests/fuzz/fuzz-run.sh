#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the libFuzzer targets; called by tests/fuzz/Makefile:
#   fuzz-run.sh MODE BUILD FUZZ_SECONDS FUZZ_CHECK_SECONDS TARGET...
# MODE
#   fuzz     each target FUZZ_SECONDS in turn, libFuzzer's output on stderr
#   check    each target: replay corpus/ and regress/ (-runs=0), then fuzz
#            FUZZ_CHECK_SECONDS; one TAP line per target on stdout
#   regress  the replay only, one TAP line per target
#   campaign each target for its campaign count of executions (below, or
#            FUZZ_RUNS if set), on the scratch corpus; then minimise
#   minimise merge the scratch corpus into corpus/<target>/ (libFuzzer
#            -merge=1: only inputs that add coverage are kept)
# Without clang and libFuzzer, check and regress still replay corpus/ and
# regress/ through a plain driver built by cc (replay_main.c, ASan and
# UBSan), one TAP line per target, and the fuzzing itself is a reported
# skip; fuzz fails.
# stdout carries only the TAP lines; libFuzzer's chatter goes to
# BUILD/<target>.log.  New corpus entries go to a scratch copy under BUILD,
# never into the tree: a crash is written to BUILD/artifacts/<target>/ and
# becomes a regression input when copied into regress/<target>/.
set -u

mode=$1 build=$2 secs=$3 check_secs=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
cd "$here" || exit 1
mkdir -p "$build"

# clang with libFuzzer, or the cc replay and a skip (not a pass) per target.
have_libfuzzer() {
	local probe="$build/probe"

	command -v "${CLANG:-clang}" >/dev/null 2>&1 || return 1
	printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' |
		"${CLANG:-clang}" -fsanitize=fuzzer,address,undefined -x c - -o "$probe" \
		>/dev/null 2>&1
}

# The first line that says what went wrong, without ASan's ==pid== prefix.
crash_line() {
	local line

	line=$(grep -m1 -E 'sfw-fuzz: |ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer|ERROR: libFuzzer' "$1")
	[ -n "$line" ] || line=$(grep -m1 -E 'SUMMARY:|Segmentation|Aborted' "$1")
	[ -n "$line" ] || line="exit status $2, see $1"
	printf '%s' "$line" | sed -e 's/^==[0-9]*== *//' -e 's/^ERROR: //'
}

# All inputs of the corpus and of regress/, once each (-runs=0).
replay() {
	local t=$1 bin=$2 log=$3 dirs=()

	for d in corpus/$t regress/$t; do
		[ -d "$d" ] && dirs+=("$d")
	done
	[ ${#dirs[@]} -gt 0 ] || return 0
	if [ -n "$nolf" ]; then
		"$bin" "${dirs[@]}" >>"$log" 2>&1
	else
		"$bin" -runs=0 -rss_limit_mb=2048 "${dirs[@]}" >>"$log" 2>&1
	fi
}

# Fuzz for $4 seconds on a scratch corpus seeded from the tree's.
run() {
	local t=$1 bin=$2 log=$3 seconds=$4 scratch="$build/corpus/$t" art="$build/artifacts/$t"

	mkdir -p "$scratch" "$art"
	# libFuzzer adds new units to the first directory only.
	"$bin" -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 \
		-timeout=10 -artifact_prefix="$art/" "$scratch" corpus/$t >>"$log" 2>&1
}

# The long campaign: 10^8 executions for the packet parser and the rule
# file parser, 10^7 for the tracker, the matcher and the FTP helper, whose
# inputs each run many packets; 10^6 for the table and the path, whose
# every step checks the whole table (1,500 to 4,500 a second).  The matcher's inputs are capped at 600
# bytes: its speed falls with the packets per input, its coverage does not
# grow past a few of them.
campaign_runs() {
	case $1 in
	packet|rules_parse) echo 100000000 ;;
	table|path) echo 1000000 ;;
	*) echo 10000000 ;;
	esac
}

campaign_max_len() {
	case $1 in
	rules_match) echo "-max_len=600" ;;
	esac
}

campaign() {
	local t=$1 bin=$2 log=$3 scratch="$build/corpus/$t" art="$build/artifacts/$t"
	local runs=${FUZZ_RUNS:-$(campaign_runs "$t")}

	mkdir -p "$scratch" "$art"
	echo "# fuzz/$t: campaign of $runs executions, log $log" >&2
	# shellcheck disable=SC2046
	# It runs for hours in the background, niced: a unit that waits 10 s
	# for a CPU is not slow. FUZZ_TIMEOUT bounds a real hang.
	"$bin" -runs="$runs" -print_final_stats=1 -rss_limit_mb=2048 -timeout="${FUZZ_TIMEOUT:-300}" \
		$(campaign_max_len "$t") -artifact_prefix="$art/" "$scratch" corpus/$t >>"$log" 2>&1
}

minimise() {
	local t=$1 bin=$2 log=$3 scratch="$build/corpus/$t" out="$build/merged/$t"

	rm -rf "$out"
	mkdir -p "$out"
	"$bin" -merge=1 -rss_limit_mb=2048 "$out" corpus/$t "$scratch" >>"$log" 2>&1 || return 1
	rm -rf "corpus/$t"
	mv "$out" "corpus/$t"
	echo "# fuzz/$t: corpus/$t now holds $(find "corpus/$t" -type f | wc -l) inputs" >&2
}

n=0
rc=0
nolf=
have_libfuzzer || nolf=1
if [ -n "$nolf" ] && [ "$mode" != check ] && [ "$mode" != regress ]; then
	echo "fuzz-run: no clang with libFuzzer: run scripts/install-deps.sh" >&2
	exit 1
fi
for t in "$@"; do
	n=$((n + 1))
	log="$build/$t.log"
	: >"$log"
	if [ -n "$nolf" ]; then
		bin="$build/replay_$t"
		what=build-replay
	else
		bin="$build/fuzz_$t"
		what=build
	fi
	if ! make -s --no-print-directory "$what-$t" >>"$log" 2>&1; then
		echo "not ok $n fuzz/$t # build failed, see $log"
		rc=1
		continue
	fi

	case $mode in
	fuzz)
		# Interactive: libFuzzer's progress on stderr, summary in the log.
		echo "# fuzz/$t: ${secs}s, scratch corpus $build/corpus/$t" >&2
		run "$t" "$bin" /dev/stderr "$secs"
		st=$?
		if [ $st -ne 0 ]; then
			echo "# fuzz/$t: crashed (exit $st); input in $build/artifacts/$t/" >&2
			rc=1
		fi
		continue
		;;
	campaign|minimise)
		log="$build/$t.$mode.log"
		"$mode" "$t" "$bin" "$log"
		st=$?
		if [ $st -ne 0 ]; then
			echo "# fuzz/$t: $mode failed (exit $st), see $log; crash input in $build/artifacts/$t/" >&2
			rc=1
		else
			grep -E '^stat::(number_of_executed_units|average_exec_per_sec)|DONE|MERGE-OUTER: [0-9]+ new' "$log" | sed "s|^|# fuzz/$t: |" >&2
		fi
		continue
		;;
	esac

	replay "$t" "$bin" "$log"
	st=$?
	if [ $st -ne 0 ]; then
		echo "not ok $n fuzz/$t # crash: $(crash_line "$log" $st) (replaying corpus/regress)"
		rc=1
		continue
	fi
	cnt=$(find corpus/$t regress/$t -type f 2>/dev/null | wc -l)
	if [ -n "$nolf" ]; then
		echo "ok $n fuzz/$t-replay $cnt inputs replayed by the cc driver"
		if [ "$mode" != regress ]; then
			n=$((n + 1))
			echo "ok $n fuzz/$t # SKIP clang with libFuzzer not installed: no fuzzing"
		fi
		continue
	fi
	if [ "$mode" = regress ]; then
		echo "ok $n fuzz/$t # regress: $cnt inputs replayed"
		continue
	fi
	run "$t" "$bin" "$log" "$check_secs"
	st=$?
	if [ $st -ne 0 ]; then
		echo "not ok $n fuzz/$t # crash: $(crash_line "$log" $st)"
		echo "# fuzz/$t: input in $build/artifacts/$t/, log $log" >&2
		rc=1
		continue
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n1 | cut -d' ' -f2)
	echo "ok $n fuzz/$t # ${execs:-0} execs, cov ${cov:-0}"
done
exit $rc
