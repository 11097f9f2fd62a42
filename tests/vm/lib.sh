# SPDX-License-Identifier: GPL-2.0
# Helpers for the VM tests, after tools/testing/selftests/net/lib.sh.
# Source it from a test; the test sets its trap and calls these.

ksft_pass=0
ksft_fail=1
ksft_skip=4

ret=0		# a test exits with $ret: set by check_* on failure

# The debug kernel (KASAN, lockdep) runs ten times slower: the host passes
# sfwscale=10 and the heaviest tests divide their counts by it.
SFW_SCALE=$(sed -n 's/.*sfwscale=\([0-9]*\).*/\1/p' /proc/cmdline)
SFW_SCALE=${SFW_SCALE:-1}
scaled() {
	local n=$(($1 / SFW_SCALE))
	echo $((n > 0 ? n : 1))
}
NS_LIST=()

# setup_ns A B ...: create namespaces with unique names and store each
# name in the variable of that name; lo is brought up in each.
setup_ns() {
	local var ns
	for var in "$@"; do
		ns="$var-$RANDOM$RANDOM"
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
		NS_LIST+=("$ns")
		eval "$var=$ns"
	done
}

cleanup_all_ns() {
	local ns
	for ns in "${NS_LIST[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	NS_LIST=()
}

# cleanup_std: what every test leaves behind goes: its namespaces, the
# module, and the scratch directory $T if it made one. It is the default
# cleanup (trap cleanup EXIT); a test that starts more defines its own
# cleanup, which ends by calling this.
cleanup_std() {
	cleanup_all_ns
	sfw_unload
	[ -z "${T:-}" ] || rm -rf "$T"
}
cleanup() { cleanup_std; }

# busywait TIMEOUT_MS CMD...: run CMD until it succeeds or time is up.
busywait() {
	local timeout_ms=$1 start now
	shift
	start=${EPOCHREALTIME/./}
	while true; do
		"$@" && return 0
		now=${EPOCHREALTIME/./}
		[ $(((now - start) / 1000)) -ge "$timeout_ms" ] && return 1
		sleep 0.1
	done
}

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; ret=$ksft_fail; }
skip() { echo "SKIP: $*"; exit $ksft_skip; }

# check_eq WHAT GOT EXPECTED
check_eq() {
	if [ "$2" = "$3" ]; then pass "$1 ($2)"; else fail "$1: got '$2', expected '$3'"; fi
}

# json_check WHAT FILTER [jq options]: stdin is JSON (jq -s: a line each)
# and FILTER gives true on it, read by a real parser (jq), not grep.
# A test that pipes into it sets `shopt -s lastpipe`, so that a failure
# sets its ret and exit status, not a subshell's.
json_check() {
	local what=$1 filter=$2 in out
	shift 2
	in=$(cat)
	if out=$(jq -e "$@" "$filter" <<<"$in" 2>&1) && [ "$out" = true ]; then
		pass "$what"
	else
		fail "$what: jq '$filter' gave '${out:0:300}' on: ${in:0:600}"
	fi
}

# check_ge WHAT GOT MIN
check_ge() {
	if [ "$2" -ge "$3" ] 2>/dev/null; then pass "$1 ($2 >= $3)"; else fail "$1: got '$2', expected >= $3"; fi
}

# skip_part WHAT WHY: one check of the test cannot run here (WHAT is a
# short name, WHY the reason), while the rest of the test goes on.
# guest-run reports it as a TAP skip of its own, TEST/WHAT, counted in
# the total: a check that cannot run is never hidden in a pass.
skip_part() {
	echo "SKIP PART: $1: $2"
}

# need TOOL...: every tool a test uses is one the initramfs carries
# (scripts/lib.sh copies the guest tools and tests/tools/*), so a missing
# one is a broken harness: the test fails, it does not skip.
need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || {
			fail "$t is not in the guest (scripts/lib.sh puts it there: did it build?)"
			exit $ksft_fail
		}
	done
}

sfw_load() {
	modprobe sfw "$@"
}

sfw_unload() {
	if grep -q '^sfw ' /proc/modules; then
		rmmod sfw
	fi
}

sfw_loaded() {
	grep -q '^sfw ' /proc/modules
}

# die_missing WHAT: a counter a test reads does not exist. That is a
# failure, never a 0: a "delta is 0" check on a counter that is not there
# would pass whatever sfw did. The helpers below run inside $( ), where
# neither exit nor ret reaches the test, so this prints the FAIL line and
# ends the test itself with SIGTERM (its EXIT trap still cleans up);
# guest-run also fails any test that printed a FAIL line.
die_missing() {
	echo "FAIL: $*" >&2
	kill -TERM $$
	exit $ksft_fail
}

# sfw_stat NS COLUMN: a /proc/net/sfw/stat column summed over CPUs, in
# decimal. NS "" is the runner's own namespace. A missing file or column
# fails the test (die_missing).
sfw_stat() {
	local ns=$1 col=$2 i c=-1 s=0 out
	local -a h v
	out=$(${ns:+ip netns exec "$ns"} cat /proc/net/sfw/stat) ||
		die_missing "no /proc/net/sfw/stat in namespace '${ns:-init}'"
	{
		read -r -a h
		for i in "${!h[@]}"; do [ "${h[i]}" = "$col" ] && c=$i; done
		[ $c -ge 0 ] || die_missing "/proc/net/sfw/stat has no column '$col' (it has: ${h[*]})"
		while read -r -a v; do s=$((s + 16#${v[c]})); done
	} <<<"$out"
	echo $s
}

# topo_cgs: client -- gateway -- server, each a namespace, joined by veth
# pairs created straight into them. The gateway forwards IPv4 and IPv6.
#
#   client                 gateway                 server
#   10.0.1.2/24  c0 --- g0 10.0.1.1   10.0.2.1 g1 --- s0  10.0.2.2/24
#   fd00:1::2/64           fd00:1::1  fd00:2::1            fd00:2::2/64
topo_cgs() {
	setup_ns client gateway server || return 1
	ip -n "$client" link add c0 type veth peer name g0 netns "$gateway" || return 1
	ip -n "$server" link add s0 type veth peer name g1 netns "$gateway" || return 1

	ip -n "$client" addr add 10.0.1.2/24 dev c0
	ip -n "$client" addr add fd00:1::2/64 dev c0 nodad
	ip -n "$gateway" addr add 10.0.1.1/24 dev g0
	ip -n "$gateway" addr add fd00:1::1/64 dev g0 nodad
	ip -n "$gateway" addr add 10.0.2.1/24 dev g1
	ip -n "$gateway" addr add fd00:2::1/64 dev g1 nodad
	ip -n "$server" addr add 10.0.2.2/24 dev s0
	ip -n "$server" addr add fd00:2::2/64 dev s0 nodad

	ip -n "$client" link set c0 up
	ip -n "$gateway" link set g0 up
	ip -n "$gateway" link set g1 up
	ip -n "$server" link set s0 up

	ip -n "$client" route add default via 10.0.1.1
	ip -n "$client" -6 route add default via fd00:1::1
	ip -n "$server" route add default via 10.0.2.1
	ip -n "$server" -6 route add default via fd00:2::1
	ip netns exec "$gateway" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$gateway" sysctl -qw net.ipv6.conf.all.forwarding=1

	# NOWHERE (x.99 on either side) has a made-up link address on the
	# gateway: else, seconds after a packet to it, the failed neighbour
	# lookup sends the sender a host unreachable, which sfw counts (RELATED
	# or icmp_error_no_match) in whatever check is running by then.
	ip -n "$gateway" neigh replace 10.0.1.99 lladdr 02:00:00:00:01:99 dev g0 nud permanent
	ip -n "$gateway" neigh replace fd00:1::99 lladdr 02:00:00:00:01:99 dev g0 nud permanent
	ip -n "$gateway" neigh replace 10.0.2.99 lladdr 02:00:00:00:02:99 dev g1 nud permanent
	ip -n "$gateway" neigh replace fd00:2::99 lladdr 02:00:00:00:02:99 dev g1 nud permanent
}

# gw/cl/sv CMD...: CMD in the gateway, client or server of topo_cgs.
gw() { ip netns exec "$gateway" "$@"; }
cl() { ip netns exec "$client" "$@"; }
sv() { ip netns exec "$server" "$@"; }

# gateway_up [--ipv4-only] [PARAM=VALUE...] (module parameters): topo_cgs with sfw loaded after it (the
# gateway, and the client and server too, run it). --ipv4-only turns
# IPv6 off in all three (topo_no_ipv6), so that neighbour discovery
# cannot add to the counters a test reads.
gateway_up() {
	topo_cgs || return 1
	if [ "${1:-}" = --ipv4-only ]; then
		topo_no_ipv6 "$client" "$gateway" "$server"
		shift
	fi
	sfw_load "$@"
}

# hold_hook_keys: an accept-all nft base chain on each hook point of the
# initial namespace, so that sfw coming and going never flips the nf_hooks
# static keys. Patching kernel text live under qemu TCG with traffic
# flowing can trap or park both vCPUs (VM-NOTES); tests that load and
# unload under traffic hold the keys on. release_hook_keys undoes it.
hold_hook_keys() {
	nft -f - <<'NFT'
table inet sfw_keys {
	chain p { type filter hook prerouting priority 0; }
	chain i { type filter hook input priority 0; }
	chain f { type filter hook forward priority 0; }
	chain o { type filter hook output priority 0; }
	chain q { type filter hook postrouting priority 0; }
}
NFT
}

release_hook_keys() {
	nft delete table inet sfw_keys 2>/dev/null
}

# path_up: the client reaches the server in the family set_family chose
# (busywait on a ping); if not, a FAIL line, and false.
path_up() {
	busywait 5000 cl $PING -c 1 -W 1 "$S" >/dev/null && return 0
	fail "IPv$fam: no path from client to server"
	return 1
}

# topo_no_ipv6 NS...: turn IPv6 off, so that neighbour discovery cannot
# add packets to counters a test reads.
topo_no_ipv6() {
	local ns
	for ns in "$@"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	done
}

# listening NS PORT: a TCP socket listens on PORT in NS.
listening() {
	ip netns exec "$1" ss -Hltn | grep -q ":$2 "
}

# udp_listening NS PORT: a UDP socket is bound to PORT in NS.
udp_listening() {
	ip netns exec "$1" ss -Hlun | grep -q ":$2 "
}

# udp_listen NS PORT FILE: a socat that writes every datagram to PORT
# (of the family set_family chose) into FILE, for checks that nothing
# arrived; waits until it is bound and FILE exists, so that an empty FILE
# means "nothing came", never "nobody listened".
udp_listen() {
	local ns=$1 port=$2 file=$3
	ip netns exec "$ns" socat -u "$SOCAT_UDP_RECV:$port,reuseaddr" OPEN:"$file",creat,trunc &
	busywait 5000 udp_listening "$ns" "$port" && busywait 2000 test -e "$file"
}

# rule_count NS CHAIN N: the packet counter of rule N of CHAIN in `sfwctl
# ruleset show` in NS. A rule that is not there fails the test.
rule_count() {
	local n
	n=$(ip netns exec "$1" sfwctl ruleset show | awk -v c="$2" -v n="$3" '
		/^chain / { in_c = ($2 == c); i = 0; next }
		in_c && /counter packets/ { if (++i == n) { for (k = 1; k < NF; k++) if ($k == "packets") print $(k + 1); exit } }')
	[ -n "$n" ] || die_missing "no rule $3 in chain $2 of the rule set in '$1'"
	echo "$n"
}

# policy_count NS CHAIN: the packets CHAIN's policy judged in NS, from the
# first line of `sfwctl ruleset show`. No such line fails the test.
policy_count() {
	local n
	n=$(ip netns exec "$1" sfwctl ruleset show |
		sed -n "1s/^# generation [0-9]*; packets and bytes the policies judged:.* $2 \([0-9]*\) [0-9]*.*/\1/p")
	[ -n "$n" ] || die_missing "no policy counter for chain $2 in '$1' (no rule set loaded?)"
	echo "$n"
}

# tcp_listen NS PORT [ADDR]: a socat server that echoes one connection's
# data into /tmp/socat-PORT.out; waits until it listens.
tcp_listen() {
	local ns=$1 port=$2
	ip netns exec "$ns" socat -u TCP-LISTEN:"$port",reuseaddr OPEN:/tmp/socat-"$port".out,creat,trunc &
	busywait 5000 listening "$ns" "$port"
}

# Addresses of topo_cgs by family, and as /proc/net/sfw/conntrack prints
# them (IPv6 in full, as nf_conntrack's %pI6 does). set_family 4|6.
set_family() {
	fam=$1
	if [ "$fam" = 4 ]; then
		C=10.0.1.2 S=10.0.2.2 GW=10.0.1.1 NOWHERE=10.0.2.99
		C_P=$C S_P=$S NOWHERE_P=$NOWHERE
		PKT="sfw-pkt" SOCAT_TCP="TCP:$S" SOCAT_UDP="UDP:$S"
		SOCAT_TCP_LISTEN=TCP-LISTEN SOCAT_UDP_LISTEN=UDP-RECVFROM SOCAT_UDP_RECV=UDP4-RECV
		PING="ping -4"
		L3=ipv4 ICMP=icmp ECHO=8 ECHOREPLY=0
	else
		C=fd00:1::2 S=fd00:2::2 GW=fd00:1::1 NOWHERE=fd00:2::99
		C_P=fd00:0001:0000:0000:0000:0000:0000:0002
		S_P=fd00:0002:0000:0000:0000:0000:0000:0002
		NOWHERE_P=fd00:0002:0000:0000:0000:0000:0000:0099
		PKT="sfw-pkt -6" SOCAT_TCP="TCP6:[$S]" SOCAT_UDP="UDP6:[$S]"
		SOCAT_TCP_LISTEN=TCP6-LISTEN SOCAT_UDP_LISTEN=UDP6-RECVFROM SOCAT_UDP_RECV=UDP6-RECV
		PING="ping -6"
		L3=ipv6 ICMP=icmpv6 ECHO=128 ECHOREPLY=129
	fi
}

# ct_lines NS REGEX: the conntrack lines of NS that match REGEX (grep -E).
ct_lines() {
	ip netns exec "$1" cat /proc/net/sfw/conntrack | grep -E -- "$2"
}

# ct_has NS REGEX: some entry of NS matches.
ct_has() {
	ct_lines "$1" "$2" >/dev/null
}

# ct_gone NS REGEX: NS's table can be read and no entry matches.
ct_gone() {
	local t
	t=$(ip netns exec "$1" cat /proc/net/sfw/conntrack) || return 1
	! grep -qE -- "$2" <<<"$t"
}

# ct_count NS: confirmed entries shown.
ct_count() {
	ip netns exec "$1" cat /proc/net/sfw/conntrack | wc -l
}

# invalid NS REASON: packets counted INVALID for REASON in NS. A missing
# file or reason fails the test (die_missing).
invalid() {
	local out n
	out=$(ip netns exec "$1" cat /proc/net/sfw/invalid) ||
		die_missing "no /proc/net/sfw/invalid in namespace '$1'"
	n=$(awk -v r="$2" '$1 == r { print $2 }' <<<"$out")
	[ -n "$n" ] || die_missing "/proc/net/sfw/invalid has no reason '$2'"
	echo "$n"
}

# check_ct WHAT NS REGEX [TIMEOUT_MS]: an entry matching REGEX shows up.
check_ct() {
	if busywait "${4:-3000}" ct_has "$2" "$3"; then
		pass "$1"
	else
		fail "$1: no entry matches '$3'; the table:"
		ip netns exec "$2" cat /proc/net/sfw/conntrack | sed 's/^/      /'
	fi
}

# tcp_open ID NS SOCAT-ADDRESS: a TCP connection from NS (e.g.
# TCP:10.0.2.2:5000 or TCP6:[fd00:2::2]:5000) held open until tcp_close ID;
# tcp_send ID LINE writes on it. Unlike a timed "(echo; sleep) | socat",
# nothing here races a slow kernel: a connection closes when the test says.
declare -A TCP_HOLD_FD TCP_HOLD_PID
tcp_open() {
	local id=$1 fd
	rm -f "/tmp/tcp_hold.$id"
	mkfifo "/tmp/tcp_hold.$id"
	# The reader must not hold the other connections' write ends, or their
	# readers never see EOF: close them in its subshell. (A long-lived
	# background command a test starts while holding one has the same
	# effect: start those first.)
	(
		for fd in "${TCP_HOLD_FD[@]}"; do
			exec {fd}>&-
		done
		exec ip netns exec "$2" socat -u PIPE:"/tmp/tcp_hold.$id" "$3"
	) &
	TCP_HOLD_PID[$id]=$!
	exec {fd}>"/tmp/tcp_hold.$id"
	TCP_HOLD_FD[$id]=$fd
}

tcp_send() {
	echo "$2" >&"${TCP_HOLD_FD[$1]}"
}

tcp_close() {
	local id=$1 fd=${TCP_HOLD_FD[$1]}
	exec {fd}>&-
	unset "TCP_HOLD_FD[$id]"
	wait "${TCP_HOLD_PID[$id]}"
	rm -f "/tmp/tcp_hold.$id"
}
