#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the debug test kernel: Debian's linux-source-6.1, tinyconfig plus
# the fragments in tests/vm/config/ (KASAN, lockdep with PROVE_RCU,
# kmemleak, UBSAN, list and object debugging; netfilter, veth, pktgen
# built in). The tree is cached under build/debug-kernel-HASH, HASH
# covering the fragments, this script and the tarball, so a second run
# reuses it. Prints the tree's path on the last line.
#
# Every option a fragment asks for is checked after olddefconfig: one
# that Kconfig dropped (a missing dependency) fails the build loudly.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)
[ -n "$tarball" ] || { echo "build-debug-kernel: linux-source-6.1 is not installed" >&2; exit 1; }

frags=("$TOP"/tests/vm/config/*.config)
hash=$( (cat "${frags[@]}" "$0"; ls -l "$tarball") | sha256sum | cut -c1-12)
tree=$BUILD/debug-kernel-$hash
if [ -f "$tree/.sfw-done" ]; then
	echo "$tree"
	exit 0
fi

rm -rf "$tree" "$BUILD"/debug-kernel-*
mkdir -p "$tree"
echo "build-debug-kernel: extracting $tarball" >&2
tar -xf "$tarball" -C "$tree" --strip-components=1
cd "$tree"
make -s ARCH=x86_64 tinyconfig >&2
ARCH=x86_64 scripts/kconfig/merge_config.sh -m .config "${frags[@]}" >&2
make -s ARCH=x86_64 olddefconfig >&2

missing=0
for f in "${frags[@]}"; do
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qx "$line" .config || { echo "build-debug-kernel: $line did not stick" >&2; missing=1; }
			;;
		esac
	done <"$f"
done
[ $missing = 0 ] || exit 1

echo "build-debug-kernel: building $(make -s kernelrelease) with -j$(nproc)" >&2
make -s ARCH=x86_64 -j"$(nproc)" bzImage modules >&2
# modules.builtin and friends, for depmod and modprobe in the guest.
make -s ARCH=x86_64 INSTALL_MOD_PATH="$tree/modroot" modules_install >&2
touch .sfw-done
echo "$tree"
