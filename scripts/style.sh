#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make style: checkpatch.pl over src/, include/ and tools/. checkpatch is
# not in the headers packages, so it is taken (with the data files it
# reads) from Debian's linux-source-6.1 tarball and cached under build/.
set -u
source "$(dirname "$0")/lib.sh"

cp_dir=$BUILD/checkpatch
if [ ! -x "$cp_dir/scripts/checkpatch.pl" ]; then
	tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)
	[ -n "$tarball" ] || { echo "style: linux-source-6.1 is not installed: run scripts/install-deps.sh" >&2; exit 1; }
	mkdir -p "$cp_dir"
	tar -xf "$tarball" -C "$cp_dir" --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch || exit 1
fi

cd "$TOP" || exit 1
# src/stand/ is userspace: it defines the kernel's own macros (__maybe_unused).
files=$(git ls-files -co --exclude-standard -- 'src/*.[ch]' ':!src/stand/*' 'src/selftest/*.c' 'include/*.h' 'tools/*.[ch]' 'tests/tools/*.c')
# Out-of-tree: no kernel tree to check against, and the file-level
# checks that only make sense inside the kernel (MAINTAINERS) are off.
"$cp_dir/scripts/checkpatch.pl" --no-tree --terse --show-types --max-line-length=100 \
	--ignore FILE_PATH_CHANGES,LINUX_VERSION_CODE \
	-f $files
