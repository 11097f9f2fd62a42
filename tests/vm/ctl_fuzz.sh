#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Malformed requests to every command of the sfw family (sfw-nlfuzz),
# the rule and set commands included: each must be refused, and the
# kernel log must stay clean (the runner fails the test on any
# WARNING/BUG/KASAN). Then random messages, rules, sets and transactions.
# Run in a namespace with a few entries, so that dumps, gets and deletes
# have something to walk.
#
#   fuzz namespace: sfw-nlfuzz, sfw-pkt to a dummy device
source lib.sh
need sfw-nlfuzz sfw-pkt sfwctl

cleanup() {
	cleanup_all_ns
	sfw_unload
}
trap cleanup EXIT

setup_ns fz || exit $ksft_fail
sfw_load || exit $ksft_fail
ip -n "$fz" link add d0 type dummy
ip -n "$fz" addr add 10.9.0.1/24 dev d0
ip -n "$fz" link set d0 up
ip netns exec "$fz" sfw-pkt -s 10.9.0.1 -d 10.9.0.2 udp --sport 1000 --dport 53 --flows 50

out=$(ip netns exec "$fz" sfw-nlfuzz -n "${SFW_FUZZ_COUNT:-3000}" -s "$RANDOM" 2>&1)
rc=$?
echo "$out" | sed 's/^/    /'
check_eq "every malformed request refused, every message answered" $rc 0
# The module still works afterwards (without whatever rule set the random
# transactions left, which may drop the probe).
ip netns exec "$fz" sfwctl ruleset flush || fail "ruleset flush after the fuzzing"
ip netns exec "$fz" sfw-pkt -s 10.9.0.1 -d 10.9.0.2 udp --sport 3000 --dport 53
check_ct "tracking still works after the fuzzing" "$fz" "sport=3000 dport=53 "
exit $ret
