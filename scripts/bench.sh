#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: sfw against nf_conntrack + nftables and against no firewall,
# with nft's own better forms as anchors (a verdict map for the rule-set
# sizes, a flowtable for established flows and TCP bulk throughput, which
# sfw's fast path, sfw+fp, is set against),
# measured in one boot of the 6.1 test kernel (tests/vm/bench), the
# configurations interleaved and each repetition's runs back to back.
# Prints, per figure, the median and the spread (min..max) of each
# configuration, the cost each firewall adds over none (delta, taken
# inside each repetition), and the ratios the design is judged by, each
# with a bootstrap 95% interval over the repetitions; a goal is met or
# missed only when its whole interval says so.
#
# Writes bench/results.json (every repetition, the pairs, the intervals),
# bench/report.md and its charts (scripts/bench-report.py).
#
# QUICK=1 runs a reduced set (3 repetitions; 100k flows; 10 and 10,000
# rules; TCP with 64 MiB a run; 200k entries expiring; no connection
# rate, NAT or namespaces) in under ten minutes; the last line gives the
# wall time.
# Environment: SFW_BENCH (workloads, default pps,connrate,rules,tcp,expiry,netns,nat),
# SFW_BENCH_REPS (5), SFW_BENCH_FLOWS (1000,100000,1000000),
# SFW_BENCH_RULES (10,100,1000,10000), SFW_BENCH_TCP_MB (256, per run),
# SFW_BENCH_EXPIRY (1000000 entries), SFW_VM_MEM.
set -u
source "$(dirname "$0")/lib.sh"

"$TOP/scripts/install-deps.sh" >/dev/null || exit 1
krel=$(SFW_KERNELS= sfw_test_kernels | head -n 1)
dir=$BUILD/$krel
mkdir -p "$dir"
sfw_kernel "$krel" || exit 1
make -s -C "$TOP/tools" || exit 1
make -s -C "$TOP/tests/tools" || exit 1
sfw_build_module "$krel" || { cat "$dir/build.log"; exit 1; }
sfw_build_initramfs "$krel" "$dir/initramfs.cpio" || exit 1

if [ -n "${QUICK:-}" ] && [ "${QUICK:-0}" != 0 ]; then
	: "${SFW_BENCH:=pps,rules,tcp,expiry}" "${SFW_BENCH_REPS:=3}"
	: "${SFW_BENCH_FLOWS:=100000}" "${SFW_BENCH_RULES:=10,10000}"
	: "${SFW_BENCH_TCP_MB:=64}" "${SFW_BENCH_EXPIRY:=200000}"
fi
what=${SFW_BENCH:-pps,connrate,rules,tcp,expiry,netns,nat}
echo "bench: $krel, 2 vCPUs under TCG, workloads $what, ${SFW_BENCH_REPS:-5} repetitions" >&2
# The TSC clocksource: under TCG each HPET read (pktgen reads the clock
# per packet) is an MMIO exit under qemu's global lock.
SFW_VM_MEM=${SFW_VM_MEM:-3072} sfw_run_vm "$krel" "$dir/initramfs.cpio" "$dir" bench 5400 \
	"clocksource=tsc tsc=reliable sfwbench=$what sfwreps=${SFW_BENCH_REPS:-5} sfwflows=${SFW_BENCH_FLOWS:-1000,100000,1000000} sfwrules=${SFW_BENCH_RULES:-10,100,1000,10000} sfwtcpmb=${SFW_BENCH_TCP_MB:-256} sfwexpiry=${SFW_BENCH_EXPIRY:-1000000}"
tr -d '\r' <"$dir/result.txt" >"$dir/bench.raw"
grep -q '^# done' "$dir/bench.raw" || { echo "bench: the VM did not finish; see $dir/console.log" >&2; tail -n 20 "$dir/console.log" >&2; exit 1; }

out=$TOP/bench
mkdir -p "$out"
cp "$dir/bench.raw" "$out/bench.raw"
machine="$(nproc) host CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
python3 "$TOP/scripts/bench-report.py" "$out/bench.raw" "$out" --machine "$machine" --kernel "$krel" || exit 1
echo "bench: report in bench/report.md, every repetition in bench/results.json" >&2
echo "bench: wall time $((SECONDS / 60)) min $((SECONDS % 60)) s" >&2
