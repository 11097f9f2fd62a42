#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: release
# net.sfw.*: nf_conntrack's names and defaults, per namespace; values out
# of range are refused with EINVAL and change nothing; read-only ones
# stay read-only.
source lib.sh

cleanup() {
	cleanup_all_ns
	sfw_unload
}
trap cleanup EXIT

sfw_load || exit $ksft_fail
setup_ns a b || exit $ksft_fail

get() { ip netns exec "$1" sysctl -n "net.sfw.$2" 2>&1; }

# The defaults users know from net.netfilter.nf_conntrack_*.
while read -r name want; do
	check_eq "default $name" "$(get "$a" "$name")" "$want"
done <<'EOT'
tcp_timeout_syn_sent 120
tcp_timeout_syn_recv 60
tcp_timeout_established 432000
tcp_timeout_fin_wait 120
tcp_timeout_close_wait 60
tcp_timeout_last_ack 30
tcp_timeout_time_wait 120
tcp_timeout_close 10
tcp_timeout_max_retrans 300
tcp_timeout_unacknowledged 300
udp_timeout 30
udp_timeout_stream 120
icmp_timeout 30
icmpv6_timeout 30
generic_timeout 600
tcp_loose 1
tcp_be_liberal 0
tcp_max_retrans 3
checksum 1
acct 1
conntrack_count 0
drop_log_size 256
conntrack_reserve 5
adaptive_start 0
adaptive_end 0
EOT
check_eq "conntrack_max defaults to the bucket count" "$(get "$a" conntrack_max)" "$(get "$a" conntrack_buckets)"

# Bad values: refused with EINVAL, the old value kept.
for bad in "udp_timeout 0" "udp_timeout -5" "udp_timeout abc" "udp_timeout 99999999999" \
	   "tcp_timeout_established 1728001" "tcp_loose 2" "checksum -1" "tcp_max_retrans 256" \
	   "conntrack_max -1" "drop_log_size 65537" "drop_log_size -1" \
	   "conntrack_reserve 51" "conntrack_reserve -1" \
	   "adaptive_start 201" "adaptive_end 201" "adaptive_end -1"; do
	set -- $bad
	old=$(get "$a" "$1")
	if out=$(ip netns exec "$a" sh -c "echo $2 > /proc/sys/net/sfw/$1" 2>&1); then
		fail "$1=$2 was accepted"
	else
		case "$out" in
		*"Invalid argument"*) pass "$1=$2 refused with EINVAL" ;;
		*) fail "$1=$2 refused, but not with EINVAL: $out" ;;
		esac
	fi
	check_eq "$1 unchanged after $2" "$(get "$a" "$1")" "$old"
done

# adaptive_start and adaptive_end, set one at a time: both nonzero needs
# start < end, each checked against the other's value at the time.
# write NAME VALUE: the write's error, or "ok".
write() {
	ip netns exec "$a" sh -c "echo $2 > /proc/sys/net/sfw/$1" 2>&1 && echo ok
}
check_eq "adaptive_end 80 while start is 0" "$(write adaptive_end 80)" ok
case $(write adaptive_start 80) in
*"Invalid argument"*) pass "adaptive_start 80 = end refused with EINVAL" ;;
*) fail "adaptive_start 80 with end 80 not refused with EINVAL" ;;
esac
check_eq "adaptive_start unchanged" "$(get "$a" adaptive_start)" 0
check_eq "adaptive_start 60 below end" "$(write adaptive_start 60)" ok
case $(write adaptive_end 50) in
*"Invalid argument"*) pass "adaptive_end 50 below start refused with EINVAL" ;;
*) fail "adaptive_end 50 with start 60 not refused with EINVAL" ;;
esac
check_eq "adaptive_end unchanged" "$(get "$a" adaptive_end)" 80
check_eq "adaptive_end 0 turns it off" "$(write adaptive_end 0)" ok
check_eq "adaptive_start 150 while end is 0" "$(write adaptive_start 150)" ok
if out=$(ip netns exec "$a" sfwctl config set adaptive_end 120 2>&1); then
	fail "sfwctl config set adaptive_end 120 with start 150 was accepted"
else
	pass "sfwctl config set refuses end below start: $out"
fi
check_eq "adaptive_end unchanged after sfwctl" "$(get "$a" adaptive_end)" 0
check_eq "sfwctl sets end above start" \
	"$(ip netns exec "$a" sfwctl config set adaptive_end 200 >/dev/null 2>&1 && get "$a" adaptive_end)" 200
check_eq "b keeps its own adaptive_start" "$(get "$b" adaptive_start)" 0

# Read-only ones.
for ro in conntrack_count conntrack_buckets; do
	if ip netns exec "$a" sh -c "echo 5 > /proc/sys/net/sfw/$ro" 2>/dev/null; then
		fail "$ro is writable"
	else
		pass "$ro is read-only"
	fi
done

# Good values take, in their own namespace only.
ip netns exec "$a" sysctl -qw net.sfw.udp_timeout=45 net.sfw.tcp_loose=0 net.sfw.conntrack_max=100 ||
	fail "setting good values"
check_eq "udp_timeout set in a" "$(get "$a" udp_timeout)" 45
check_eq "tcp_loose set in a" "$(get "$a" tcp_loose)" 0
check_eq "conntrack_max set in a" "$(get "$a" conntrack_max)" 100
check_eq "b keeps its own udp_timeout" "$(get "$b" udp_timeout)" 30
ip netns exec "$a" sysctl -qw net.sfw.drop_log_size=65536 || fail "setting drop_log_size 65536"
check_eq "drop_log_size set in a" "$(get "$a" drop_log_size)" 65536
check_eq "b keeps its own drop_log_size" "$(get "$b" drop_log_size)" 256
check_eq "b keeps its own conntrack_max" "$(get "$b" conntrack_max)" "$(get "$b" conntrack_buckets)"
exit $ret
