# SPDX-License-Identifier: GPL-2.0
#
#   make            build sfw.ko against KDIR, and tools/sfwctl
#   make debug      the module with -DDEBUG: self-tests at load, pr_debug
#   make tools      tools/sfwctl
#   make check      unit tests, fuzz regressions, then the VM suite on every test kernel
#   make fuzz       each libFuzzer target for FUZZ_SECONDS (default 60)
#   make demo       boot the demo gateway in qemu and show what sfw sees
#   make bench      benchmarks: ratios against no firewall and nf_conntrack, one boot
#   make style      checkpatch.pl over src/, include/ and tools/
#   make install    module, sfwctl, its man page and bash completion, sfw.service
#                   (DESTDIR=/stage puts everything under /stage: module too)
#   make load       load the module built here, with the modules it needs first
#
# W=1 and C=1 pass through to Kbuild.

KREL ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KREL)/build
PREFIX ?= /usr/local
DESTDIR ?=
SBINDIR ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/lib/sfw
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions

.PHONY: all module debug tools check unit fuzz vm demo bench bench-micro style install load clean kdir

all: module tools

kdir:
	@test -f "$(KDIR)/Makefile" || { echo "make: no kernel headers at $(KDIR): apt-get install linux-headers-$$(uname -r), or set KDIR=/path/to/kernel/build" >&2; exit 1; }

module: kdir
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" modules

debug: kdir
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" SFW_DEBUG=y modules

tools:
	$(MAKE) -C tools

unit:
	$(MAKE) -C tests/unit check

# Each fuzz target for FUZZ_SECONDS (default 60).
fuzz:
	$(MAKE) -C tests/fuzz fuzz

check:
	scripts/check.sh

vm:
	scripts/vm-suite.sh

demo:
	scripts/demo.sh

bench:
	QUICK=$(QUICK) scripts/bench.sh

# The filter pass timed on this machine's own CPU (bench/micro/).
bench-micro:
	$(MAKE) -C bench/micro run

style:
	scripts/style.sh

# Everything under DESTDIR when it is set, the module as well
# (INSTALL_MOD_PATH): a package stages it there, and its post-install
# step runs depmod; without DESTDIR depmod runs here. The unit and
# sfw-boot learn where sfwctl and sfw-boot went.
install: module tools
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" INSTALL_MOD_PATH="$(DESTDIR)" INSTALL_MOD_DIR=extra \
		DEPMOD=true modules_install
	test -n "$(DESTDIR)" || depmod -a $(KREL)
	install -D -m 0755 tools/sfwctl "$(DESTDIR)$(SBINDIR)/sfwctl"
	install -D -m 0644 tools/sfwctl.8 "$(DESTDIR)$(MANDIR)/man8/sfwctl.8"
	install -D -m 0644 contrib/sfwctl.bash-completion "$(DESTDIR)$(COMPLETIONDIR)/sfwctl"
	install -d "$(DESTDIR)$(LIBEXECDIR)" "$(DESTDIR)$(UNITDIR)" "$(DESTDIR)/etc/sfw"
	sed 's|@SBINDIR@|$(SBINDIR)|g' contrib/sfw-boot >"$(DESTDIR)$(LIBEXECDIR)/sfw-boot"
	chmod 0755 "$(DESTDIR)$(LIBEXECDIR)/sfw-boot"
	sed 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' contrib/sfw.service >"$(DESTDIR)$(UNITDIR)/sfw.service"
	chmod 0644 "$(DESTDIR)$(UNITDIR)/sfw.service"

# insmod does not load dependencies: scripts/load.sh modprobes the ones
# modinfo names first, so nobody meets "unknown symbol".
load: module
	scripts/load.sh ./sfw.ko

clean:
	-test -f "$(KDIR)/Makefile" && $(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean
	$(MAKE) -C tools clean
	-$(MAKE) -C tests/unit clean
	rm -rf build
