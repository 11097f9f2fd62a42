#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what building and testing sfw needs, from Debian's archive.
# Idempotent: when every package is already present it changes nothing
# and does not touch the network.
#
# Test kernels: the 6.1 cloud line (linux-image-cloud-amd64) and the
# newest 6.12 cloud kernel the archive carries, each with its headers.
set -eu

PKGS=(
	gcc make sparse pkg-config libmnl-dev libnftnl-dev libjansson-dev jq
	clang libclang-rt-14-dev llvm
	qemu-system-x86 busybox-static kmod cpio xz-utils
	iproute2 nftables conntrack socat bash procps vsftpd curl
	perl python3 gnuplot-nox linux-source-6.1
	flex bison bc libelf-dev libssl-dev xz-utils
	linux-image-cloud-amd64 linux-headers-cloud-amd64
	python3-prometheus-client dkms
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done

have_612() {
	ls /boot/vmlinuz-6.12.*-cloud-amd64 >/dev/null 2>&1 &&
		ls -d /usr/src/linux-headers-6.12.*-cloud-amd64 >/dev/null 2>&1
}

if [ ${#missing[@]} -eq 0 ] && have_612; then
	echo "install-deps: everything is present"
	exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q

if ! have_612; then
	# Newest 6.12 cloud image whose headers the archive also carries.
	v=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+.*-cloud-amd64$' |
		sed -n 's/^linux-image-\(6\.12\.[^ ]*-cloud-amd64\) .*/\1/p' |
		while read -r k; do
			apt-cache show "linux-headers-$k" >/dev/null 2>&1 && echo "$k"
		done | sort -V | tail -n 1)
	if [ -z "$v" ]; then
		echo "install-deps: no 6.12 cloud kernel with headers in the archive" >&2
		exit 1
	fi
	missing+=("linux-image-$v" "linux-headers-$v")
fi

echo "install-deps: installing ${missing[*]}"
apt-get install -y -q --no-install-recommends "${missing[@]}"
