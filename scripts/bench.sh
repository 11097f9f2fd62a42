#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: sfw against nf_conntrack + nftables and against no firewall,
# measured in one boot of the 6.1 test kernel (tests/vm/bench), interleaved.
# Prints, per figure, the median and the spread (min..max) of each
# configuration, the cost each firewall adds over none (delta), and the
# ratios the design is judged by. Nothing here is a pass/fail threshold.
#
# Environment: SFW_BENCH (workloads, default pps,connrate,rules,expiry),
# SFW_BENCH_REPS (5), SFW_BENCH_FLOWS (1000,100000,1000000), SFW_VM_MEM.
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

what=${SFW_BENCH:-pps,connrate,rules,expiry}
echo "bench: $krel, 2 vCPUs under TCG, workloads $what, ${SFW_BENCH_REPS:-5} repetitions" >&2
SFW_VM_MEM=${SFW_VM_MEM:-3072} sfw_run_vm "$krel" "$dir/initramfs.cpio" "$dir" bench 5400 \
	"sfwbench=$what sfwreps=${SFW_BENCH_REPS:-5} sfwflows=${SFW_BENCH_FLOWS:-1000,100000,1000000}"
tr -d '\r' <"$dir/result.txt" >"$dir/bench.raw"
grep -q '^# done' "$dir/bench.raw" || { echo "bench: the VM did not finish; see $dir/console.log" >&2; tail -n 20 "$dir/console.log" >&2; exit 1; }

grep '^#' "$dir/bench.raw" | grep -v '^# done'
awk '
function median(k,   n, i, j, t, a) {
	n = split(vals[k], a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	lo[k] = a[1]; hi[k] = a[n]
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
$1 == "R" { k = $2 SUBSEP $3; vals[k] = vals[k] " " $5; unit[$2] = $6; if (!($2 in seen)) { seen[$2] = 1; order[++nw] = $2 } }
$1 == "M" || $1 == "E" { extra[++ne] = $0 }
END {
	printf "\n%-22s %-30s %-30s %-30s %9s %9s %9s\n", "figure", "none: median [min..max]", "nf", "sfw", "delta nf", "delta sfw", "sfw/nf"
	for (i = 1; i <= nw; i++) {
		w = order[i]
		line = sprintf("%-22s", w)
		for (c = 1; c <= 3; c++) {
			cfg = c == 1 ? "none" : c == 2 ? "nf" : "sfw"
			k = w SUBSEP cfg
			if (k in vals) { m[cfg] = median(k); line = line sprintf(" %-30s", sprintf("%.0f [%.0f..%.0f] %s", m[cfg], lo[k], hi[k], c == 1 ? unit[w] : "")) }
			else { m[cfg] = ""; line = line sprintf(" %-30s", "-") }
		}
		if (m["none"] != "" && m["nf"] != "" && m["sfw"] != "" && unit[w] == "ns/pkt") {
			dn = m["nf"] - m["none"]; ds = m["sfw"] - m["none"]
			line = line sprintf(" %9.0f %9.0f %9.2f", dn, ds, dn > 0 ? ds / dn : 0)
		} else if (m["nf"] != "" && m["sfw"] != "") {
			line = line sprintf(" %9s %9s %9.2f", "", "", m["nf"] ? m["sfw"] / m["nf"] : 0)
		}
		print line
		med[w] = m["sfw"]; mednf[w] = m["nf"]
	}
	print ""
	if (med["pkt_est_1000"] && med["pkt_est_1000000"])
		printf "lookup scaling (sfw): established cost at 1M flows / at 1k flows = %.2f (goal <= 1.3)\n", med["pkt_est_1000000"] / med["pkt_est_1000"]
	if (mednf["pkt_est_1000"] && mednf["pkt_est_1000000"])
		printf "lookup scaling (nf):  established cost at 1M flows / at 1k flows = %.2f\n", mednf["pkt_est_1000000"] / mednf["pkt_est_1000"]
	if (med["rules_new_10"] && med["rules_new_10000"])
		printf "rules scaling (sfw): new-flow cost with 10k rules / with 10 = %.2f (goal <= 2); established: %.2f\n", med["rules_new_10000"] / med["rules_new_10"], med["rules_est_10000"] / med["rules_est_10"]
	if (mednf["rules_new_10"] && mednf["rules_new_10000"])
		printf "rules scaling (nf):  new-flow cost with 10k rules / with 10 = %.2f; established: %.2f\n", mednf["rules_new_10000"] / mednf["rules_new_10"], mednf["rules_est_10000"] / mednf["rules_est_10"]
	for (i = 1; i <= ne; i++) print extra[i]
}' "$dir/bench.raw"
