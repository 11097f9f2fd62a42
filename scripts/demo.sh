#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: build sfw for the first test kernel, boot it in qemu as a
# client-gateway-server topology, send traffic and print what sfw saw.
set -u
source "$(dirname "$0")/lib.sh"

"$TOP/scripts/install-deps.sh" >/dev/null || exit 1
krel=$(sfw_test_kernels | head -n 1)
[ -n "$krel" ] || { echo "demo: no test kernel installed" >&2; exit 1; }
dir=$BUILD/$krel
mkdir -p "$dir"
echo "demo: building sfw for $krel"
sfw_kernel "$krel" || exit 1
make -s -C "$TOP/tools" || exit 1
sfw_build_module "$krel" || { cat "$dir/build.log"; exit 1; }
sfw_build_initramfs "$krel" "$dir/initramfs.cpio" || exit 1
echo "demo: booting the gateway VM (qemu, TCG)"
sfw_run_vm "$krel" "$dir/initramfs.cpio" "$dir" demo 300 quiet
tr -d '\r' <"$dir/result.txt" | grep -v '^# done'
grep -q '^# done' "$dir/result.txt" || { echo "demo: the VM did not finish; see $dir/console.log" >&2; exit 1; }
