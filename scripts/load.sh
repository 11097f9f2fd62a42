#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Load an sfw.ko that is not installed (make load): insmod does not load
# what a module needs, so first modprobe each module modinfo says it
# depends on (nf_defrag_ipv4/6, nf_reject_ipv4/6). Without them insmod
# fails with "Unknown symbol in module". Module parameters pass through.
#
# usage: scripts/load.sh [PATH/sfw.ko] [hashsize=N ...]
set -e
ko=./sfw.ko
case ${1:-} in *.ko) ko=$1; shift ;; esac
deps=$(modinfo -F depends "$ko")
[ -z "$deps" ] || modprobe -a $(echo "$deps" | tr ',' ' ')
exec insmod "$ko" "$@"
