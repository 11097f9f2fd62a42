#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# NFQUEUE ahead of sfw (issue #11): an nft forward chain at priority -10
# queues every forwarded packet to a userspace acceptor (sfw-nfq), which
# reinjects it; sfw's forward hook then runs on the reinjected packet, in
# process context. sfw's verdicts must be what they are without the
# queue: the allowed TCP and UDP flows work and are tracked both ways,
# the blocked port is dropped by its rule, and nothing is INVALID. The
# debug kernel watches the reinjection path (preemptible context).
#
#   client ---- gateway (nft queue -> sfw-nfq -> sfw forward) ---- server
#   10.0.1.2                                                        10.0.2.2
source lib.sh
need socat nft sfw-nfq

cleanup() {
	[ -n "${nfq:-}" ] && kill "$nfq" 2>/dev/null
	cleanup_std
}
trap cleanup EXIT
gateway_up --ipv4-only || exit $ksft_fail
set_family 4

cat >/tmp/nfq.rules <<'EOF'
chain forward policy drop
  ct state established,related accept
  ct state invalid drop
  tcp dport 5001 drop
  iif g0 oif g1 accept
EOF
gw sfwctl ruleset load /tmp/nfq.rules || { fail "sfwctl ruleset load"; exit $ret; }

rm -f /tmp/nfq.count
# Not through gw(): $! must be sfw-nfq itself (ip netns exec execs it).
ip netns exec "$gateway" sfw-nfq 0 /tmp/nfq.count &
nfq=$!
gw nft -f - <<'NFT' || { fail "nft queue chain"; exit $ret; }
table inet q {
	chain f { type filter hook forward priority -10; queue num 0; }
}
NFT

inv0=$(sfw_stat "$gateway" invalid)
fwd0=$(sfw_stat "$gateway" forward)

# Allowed: TCP, UDP with its answer, ping.
path_up && pass "ping through the queue"
tcp_listen "$server" 5000 || fail "server listens on 5000"
echo through-the-queue | ip netns exec "$client" socat -u - "TCP:$S:5000" || fail "TCP connect"
busywait 5000 grep -q through-the-queue /tmp/socat-5000.out &&
	pass "TCP data arrived through the queue" || fail "TCP data did not arrive"
check_ct "the TCP connection is tracked both ways and assured" "$gateway" \
	"^ipv4 +2 tcp +6 [0-9]+ [A-Z_]+ src=$C dst=$S sport=[0-9]+ dport=5000 .*src=$S dst=$C sport=5000 .*\[ASSURED\]"
ip netns exec "$server" socat -T 5 UDP-RECVFROM:5353,reuseaddr SYSTEM:'echo answer' &
busywait 3000 bash -c "ip netns exec $server ss -Hlun | grep -q ':5353 '"
got=$(echo query | ip netns exec "$client" socat -T 3 - "UDP:$S:5353,sourceport=41053")
check_eq "UDP query answered through the queue" "$got" answer

# Blocked: the listener is up (positive control), the rule drops the SYN.
drops0=$(rule_count "$gateway" forward 3)
ip netns exec "$server" socat -u TCP-LISTEN:5001,reuseaddr OPEN:/tmp/nfq-5001.out,creat &
busywait 5000 listening "$server" 5001 || fail "server listens on 5001"
echo must-not-arrive | ip netns exec "$client" timeout 3 socat -u - "TCP:$S:5001,connect-timeout=2" 2>/dev/null &&
	fail "TCP to the blocked port connected"
drops1=$(rule_count "$gateway" forward 3)
check_ge "the drop rule counted the blocked SYNs" "$((drops1 - drops0))" 1
check_eq "the blocked listener got nothing" "$(cat /tmp/nfq-5001.out 2>/dev/null)" ""

check_eq "nothing INVALID" "$(($(sfw_stat "$gateway" invalid) - inv0))" 0
kill "$nfq"
wait "$nfq"
nfq=
check_ge "sfw-nfq reinjected the packets" "$(cat /tmp/nfq.count 2>/dev/null || echo 0)" 10
check_ge "sfw's forward hook saw them" "$(($(sfw_stat "$gateway" forward) - fwd0))" 10
exit $ret
