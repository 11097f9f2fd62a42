# SPDX-License-Identifier: GPL-2.0
# Shared by the host-side scripts: test kernels, module and initramfs builds,
# one qemu run. Source it; it defines functions and sets nothing global
# besides TOP and BUILD.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}

# The test kernels, one a line: for each of the lines 6.1 and 6.12 the
# newest installed cloud kernel whose headers are installed too, then
# "debug", the kernel built from source with KASAN, lockdep and kmemleak
# (scripts/build-debug-kernel.sh). An expected line that has no such
# kernel prints "missing:LINE", so that the caller fails it by name: a
# kernel that is not there is a test that did not run, never a pass.
#
# SFW_KERNELS overrides (space-separated): each word is a release
# (6.1.0-57-cloud-amd64, as `ls /boot` shows), a line (6.1, 6.12) or
# "debug". SFW_BOOT and SFW_MODULES (default /boot and /lib/modules) are
# where kernels are looked for.
sfw_test_kernels() {
	local want=${SFW_KERNELS:-6.1 6.12 debug} w k
	for w in $want; do
		case $w in
		debug)
			echo debug
			;;
		[0-9]*.[0-9]*-*)
			if sfw_kernel_installed "$w"; then echo "$w"; else echo "missing:$w"; fi
			;;
		*)
			k=$(ls "${SFW_BOOT:-/boot}" 2>/dev/null |
				sed -n "s/^vmlinuz-\(${w//./\\.}\.[0-9].*-cloud-amd64\)$/\1/p" |
				while read -r k; do
					sfw_kernel_installed "$k" && echo "$k"
				done | sort -V | tail -n 1)
			echo "${k:-missing:$w}"
			;;
		esac
	done
}

# sfw_kernel_installed KREL: its image and its headers are there.
sfw_kernel_installed() {
	[ -f "${SFW_BOOT:-/boot}/vmlinuz-$1" ] &&
		[ -f "${SFW_MODULES:-/lib/modules}/$1/build/Makefile" ]
}

# sfw_kernel KID: what a test kernel is made of. Sets SFW_KDIR (the tree
# to build modules against), SFW_KIMAGE (what qemu boots), SFW_KREL (its
# uname -r) and SFW_KMODS (where its modules and modules.builtin are).
# For "debug" this builds the debug kernel, or reuses the cached one.
sfw_kernel() {
	local kid=$1 tree
	if [ "$kid" = debug ]; then
		# Its status, not tail's: a failed build is no kernel.
		tree=$("$TOP/scripts/build-debug-kernel.sh") || return 1
		tree=${tree##*$'\n'}
		[ -f "$tree/arch/x86/boot/bzImage" ] || return 1
		SFW_KDIR=$tree
		SFW_KIMAGE=$tree/arch/x86/boot/bzImage
		SFW_KREL=$(make -s -C "$tree" kernelrelease)
		SFW_KMODS=$tree/modroot/lib/modules/$SFW_KREL
	else
		sfw_kernel_installed "$kid" || {
			echo "no image or headers for $kid in ${SFW_BOOT:-/boot}, ${SFW_MODULES:-/lib/modules}" >&2
			return 1
		}
		SFW_KDIR=${SFW_MODULES:-/lib/modules}/$kid/build
		SFW_KIMAGE=${SFW_BOOT:-/boot}/vmlinuz-$kid
		SFW_KREL=$kid
		SFW_KMODS=${SFW_MODULES:-/lib/modules}/$kid
	fi
}

# sfw_build_module KID [debug]: builds sfw.ko in $BUILD/KID/mod (or
# mod-debug, with -DDEBUG) against SFW_KDIR (see sfw_kernel) from a copy
# of the sources, so that kernels and flavours never share object files.
# The compiler's and sparse's output goes to $BUILD/KID/build.log
# (build-debug.log).
sfw_build_module() {
	local krel=$1 debug=${2:-} dir=$BUILD/$1/mod${2:+-debug}
	mkdir -p "$dir"
	cp -a "$TOP/Kbuild" "$dir/"
	rm -rf "$dir/src" "$dir/include"
	cp -a "$TOP/src" "$TOP/include" "$dir/"
	# Only sources: objects of an in-tree build for another kernel would
	# be taken as up to date.
	find "$dir/src" "$dir/include" \( -name '*.o' -o -name '.*.cmd' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name '*.ko' \) -delete
	make -C "$SFW_KDIR" M="$dir" W=1 C=1 \
		${debug:+SFW_DEBUG=y} modules >"$BUILD/$krel/build${debug:+-debug}.log" 2>&1
}

# The guest's userspace: host binaries with their shared libraries.
SFW_GUEST_BINS="bash ip ss nft conntrack socat kmod vsftpd curl jq"

# sfw_copy_bin ROOT PATH DEST: the binary and every library ldd names.
sfw_copy_bin() {
	local root=$1 path=$2 dest=$3 lib
	install -D -m 0755 "$(readlink -f "$path")" "$root$dest"
	for lib in $(ldd "$path" 2>/dev/null | grep -o '/[^ ]*'); do
		[ -e "$root$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
	done
}

# sfw_build_initramfs KID OUT: busybox, the guest tools, the kernel's
# netfilter/veth modules, sfw.ko, sfwctl and tests/vm (after sfw_kernel).
sfw_build_initramfs() {
	local kid=$1 out=$2 root=$BUILD/$1/root krel=$SFW_KREL kmods=/lib/modules/$SFW_KREL m p
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,var,root,lib/modules/"$krel"}
	ln -s ../run "$root/var/run"
	install -m 0755 /bin/busybox "$root/bin/busybox"
	for m in $(/bin/busybox --list); do
		[ -e "$root/bin/$m" ] || ln -s busybox "$root/bin/$m"
	done
	for m in $SFW_GUEST_BINS; do
		p=$(command -v "$m") || { echo "initramfs: $m not found" >&2; return 1; }
		sfw_copy_bin "$root" "$p" "/usr/bin/$m"
	done
	ln -sf ../usr/bin/bash "$root/bin/bash"
	for m in modprobe insmod rmmod lsmod depmod modinfo; do
		ln -sf ../usr/bin/kmod "$root/sbin/$m"
	done
	cp /etc/protocols /etc/services "$root/etc/"
	echo 'root:x:0:0:root:/root:/bin/bash' >"$root/etc/passwd"
	echo 'root:x:0:' >"$root/etc/group"

	# Kernel modules: networking, their library and crypto dependencies,
	# veth and dummy (the debug kernel has them built in), then sfw itself
	# under extra/.
	(cd "$SFW_KMODS" && cp -a modules.builtin modules.order "$root$kmods/" &&
		cp -a modules.builtin.modinfo "$root$kmods/" 2>/dev/null;
		for m in kernel/net kernel/lib kernel/crypto; do
			[ -d "$m" ] && cp -a --parents "$m" "$root$kmods/"
		done; true)
	mkdir -p "$root$kmods/kernel/drivers/net"
	cp -a "$SFW_KMODS"/kernel/drivers/net/veth.ko* "$SFW_KMODS"/kernel/drivers/net/dummy.ko* \
		"$root$kmods/kernel/drivers/net/" 2>/dev/null
	install -D -m 0644 "$BUILD/$kid/mod/sfw.ko" "$root$kmods/extra/sfw.ko"
	depmod -b "$root" "$krel"
	# The debug build (self-tests at load) stays outside depmod's sight.
	[ -f "$BUILD/$kid/mod-debug/sfw.ko" ] &&
		install -D -m 0644 "$BUILD/$kid/mod-debug/sfw.ko" "$root/opt/sfw-debug/sfw.ko"

	sfw_copy_bin "$root" "$TOP/tools/sfwctl" /usr/sbin/sfwctl
	# make load's script, as the guest's sfw-load (tests/vm/load_insmod.sh).
	install -m 0755 "$TOP/scripts/load.sh" "$root/usr/sbin/sfw-load"
	for m in "$TOP"/tests/tools/*; do
		[ -x "$m" ] && [ -f "$m" ] && sfw_copy_bin "$root" "$m" "/usr/bin/${m##*/}"
	done
	mkdir -p "$root/tests"
	cp -a "$TOP/tests/vm" "$root/tests/vm"
	install -m 0755 "$TOP/tests/vm/init" "$root/init"

	(cd "$root" && find . | cpio -o -H newc --quiet) >"$out"
}

# sfw_run_vm KID INITRD DIR MODE TIMEOUT [extra kernel args]: one bounded
# qemu run of SFW_KIMAGE (see sfw_kernel). ttyS0 (the console) goes to DIR/console.log; ttyS1, written
# only by the guest's runner, to DIR/result.txt. Returns timeout's status.
sfw_run_vm() {
	local krel=$1 initrd=$2 dir=$3 mode=$4 limit=$5 extra=${6:-}
	local kernel=${SFW_VMLINUZ:-$SFW_KIMAGE} mem=${SFW_VM_MEM:-1024}
	# KASAN's shadow takes an eighth of memory, and its checks time.
	[ "$krel" = debug ] && mem=${SFW_VM_MEM:-2048}
	rm -f "$dir/console.log" "$dir/result.txt"
	timeout --foreground -k 10 "$limit" qemu-system-x86_64 \
		-accel ${SFW_QEMU_ACCEL:-tcg,thread=multi} -cpu max -smp 2 -m "$mem" \
		-kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 panic_on_warn=1 panic=-1 oops=panic slab_nomerge sfwmode=$mode $extra" \
		-display none -nodefaults -no-reboot \
		-serial "file:$dir/console.log" -serial "file:$dir/result.txt" \
		</dev/null
}

# What in a kernel log fails a run.
SFW_BAD_LOG='WARNING:|BUG:|Oops|KASAN|UBSAN|possible .*deadlock|possible recursive locking|unreferenced object|kmemleak:.*new suspected|sfw:.*self-test.*FAIL|Kernel panic|general protection fault'
