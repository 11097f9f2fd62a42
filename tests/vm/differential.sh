#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: 6.1
# Differential test: sfw against the kernel's nf_conntrack, side by side in
# the gateway (sfw never touches skb->_nfct, so the two are independent).
#
#   A (fake, 10.0.1.99) -- client ==== gateway (both read here) ==== server -- B (fake, 10.0.2.99)
#
# nf_conntrack: an nftables forward chain with one counting rule per ct
# state; sfw: a forward chain with one rule per ct state (first match wins,
# so each packet counts once). Per packet, the state whose counter moved is
# compared; per connection, nf_conntrack's TCP state (conntrack -L) against
# sfw's (/proc/net/sfw/conntrack) after each step. Then real traffic
# (socat TCP and UDP, ping, an ICMP port unreachable): the per-state deltas.
#
# Crafted packets go one at a time, from A in the client namespace and from
# B in the server namespace (nobody answers behind the trackers' backs).
#
# Each difference must be listed in ALLOW below (mirror of
# tests/vm/differential.md, one line per known difference, keyed by step);
# any other difference fails the test.
source lib.sh
need sfw-pkt sfwctl nft conntrack socat

trap cleanup EXIT
T=$(mktemp -d)

# step -> "nf=VERDICT sfw=VERDICT" (per packet) or "nf=STATE sfw=STATE"
# (per connection, step name ending in /tcp) or the full delta vectors (real
# traffic). Several accepted alternatives are separated by " | " (the kernels
# differ). Keep in step with tests/vm/differential.md.
declare -A ALLOW=(
	# D1: data below the window (already acked, "overly delayed"): nf
	# ignores it and lets it through; sfw marks it INVALID.
	[old-data]="nf=established sfw=invalid"
	# D2: an ack more than MAXACKWINCONST behind ("ack too old"): nf lets it
	# through; sfw marks it INVALID.
	[ack-too-old]="nf=established sfw=invalid"
)

gateway_up --ipv4-only || exit $ksft_fail
modprobe nf_conntrack_netlink 2>/dev/null

STATES="new established related invalid untracked"
gw nft -f - <<'N' || { fail "nft table"; exit $ret; }
table inet difft {
	chain cmp {
		type filter hook forward priority 0; policy accept;
		ct state new counter
		ct state established counter
		ct state related counter
		ct state invalid counter
		ct state untracked counter
	}
}
N
{
	echo "chain forward policy accept"
	for s in $STATES; do echo "  ct state $s accept"; done
} >"$T/rules"
gw sfwctl ruleset load "$T/rules" || { fail "sfwctl ruleset load"; exit $ret; }
# tcp_loose as nf_conntrack's nf_conntrack_tcp_loose (both default 1).
gw sysctl -qw net.sfw.tcp_loose=1
gw sysctl -qw net.netfilter.nf_conntrack_tcp_loose=1

# vec_nf / vec_sfw: "N N N N N", packets per state in $STATES order.
vec_nf() {
	gw nft list chain inet difft cmp | awk -v order="$STATES" '
		/ct state [a-z]+ counter packets/ { for (k = 1; k < NF; k++) if ($k == "packets") c[$3] = $(k + 1) }
		END { n = split(order, o, " "); s = ""; for (i = 1; i <= n; i++) s = s (i > 1 ? " " : "") (c[o[i]] + 0); print s }'
}
vec_sfw() {
	gw sfwctl ruleset show | awk -v order="$STATES" '
		/^chain / { in_f = ($2 == "forward"); next }
		in_f && /ct state [a-z]+ .*counter packets/ { for (k = 1; k < NF; k++) { if ($k == "state") st = $(k + 1); if ($k == "packets") p = $(k + 1) }; c[st] = p }
		END { n = split(order, o, " "); s = ""; for (i = 1; i <= n; i++) s = s (i > 1 ? " " : "") (c[o[i]] + 0); print s }'
}
vsum() { local s=0 x; for x in $1; do s=$((s + x)); done; echo $s; }
# delta BEFORE AFTER: "new=1 established=2 ..." for the states that moved,
# "none" when none did.
delta() {
	local -a b=($1) a=($2) n=($STATES)
	local i out=
	for i in "${!n[@]}"; do
		[ "${a[i]}" != "${b[i]}" ] && out+="${out:+ }${n[i]}=$((a[i] - b[i]))"
	done
	echo "${out:-none}"
}
# verdict BEFORE AFTER: the one state that moved by one, else the delta.
verdict() {
	local d
	d=$(delta "$1" "$2")
	case "$d" in
	*" "*|none) echo "$d" ;;
	*=1) echo "${d%=1}" ;;
	*) echo "$d" ;;
	esac
}

TABLE=()
# judge STEP NF SFW: equal, a listed difference, or a failure. Two
# trackers that both saw nothing agree on nothing: "none" on both sides
# fails, but for a connection's state (STEP/tcp), where "none" is no entry.
judge() {
	local step=$1 nf=$2 sfw=$3 got="nf=$2 sfw=$3" alt res
	if [ "$nf" = none ] && [ "$sfw" = none ] && [ "${step%/tcp}" = "$step" ]; then
		res="NEITHER SAW IT"
		fail "$step: neither nf_conntrack nor sfw counted anything"
	elif [ "$nf" = "$sfw" ]; then
		res=same
		[ -n "${ALLOW[$step]:-}" ] && res="same (listed difference not seen)"
		pass "$step: nf=$nf sfw=$sfw"
	else
		res=DIFF
		IFS='|' read -r -a alts <<<"${ALLOW[$step]:-}"
		for alt in "${alts[@]}"; do
			alt=$(echo $alt)
			[ "$alt" = "$got" ] && res=known
		done
		if [ $res = known ]; then
			pass "$step: known difference: expected (nf) $nf, sfw $sfw"
		else
			fail "$step: expected (nf) '$nf', sfw '$sfw'${ALLOW[$step]:+ (listed: ${ALLOW[$step]})}"
		fi
	fi
	TABLE+=("$(printf '%-22s %-28s %-28s %s' "$step" "$nf" "$sfw" "$res")")
}

# pkt STEP NS SFW-PKT-ARGS...: one packet; compare the state each gave it.
pkt() {
	local step=$1 ns=$2 nb sb na sa
	shift 2
	nb=$(vec_nf) sb=$(vec_sfw)
	ip netns exec "$ns" sfw-pkt "$@" || { fail "$step: sfw-pkt $*"; return; }
	busywait 2000 settled1 "$nb" "$sb" ||
		fail "$step: not counted by both trackers within 2 s (nf $nb -> $(vec_nf), sfw $sb -> $(vec_sfw))"
	na=$(vec_nf) sa=$(vec_sfw)
	judge "$step" "$(verdict "$nb" "$na")" "$(verdict "$sb" "$sa")"
}
settled1() {
	[ $(vsum "$(vec_nf)") -gt $(vsum "$1") ] && [ $(vsum "$(vec_sfw)") -gt $(vsum "$2") ]
}

# tcp_state SPORT: nf_conntrack's and sfw's TCP state of A:SPORT -> B:80.
nf_tcp() {
	gw conntrack -L -p tcp --orig-src "$A" --orig-dst "$B" --sport "$1" 2>/dev/null |
		awk 'NR == 1 { print $4; f = 1 } END { if (!f) print "none" }'
}
sfw_tcp() {
	gw cat /proc/net/sfw/conntrack | grep -E -- "^ipv4 .* tcp .* src=$A dst=$B sport=$1 dport=80 " |
		awk 'NR == 1 { print $6; f = 1 } END { if (!f) print "none" }'
}
tcpst() {
	judge "$1/tcp" "$(nf_tcp "$2")" "$(sfw_tcp "$2")"
}

busywait 5000 cl ping -c 1 -W 1 10.0.2.2 >/dev/null || fail "no path from client to server"
A=10.0.1.99 B=10.0.2.99
ta() { pkt "$1" "$client" -s "$A" -d "$B" tcp --sport "$2" --dport 80 "${@:3}"; }
tb() { pkt "$1" "$server" -s "$B" -d "$A" tcp --sport 80 --dport "$2" "${@:3}"; }

# --- one TCP connection A:3000 -> B:80, packet by packet
ta syn 3000 --flags S --seq 1000;                              tcpst syn 3000
tb synack 3000 --flags SA --seq 5000 --ack 1001;               tcpst synack 3000
ta ack 3000 --flags A --seq 1001 --ack 5001;                   tcpst ack 3000
ta data-a 3000 --flags PA --seq 1001 --ack 5001 --len 100;     tcpst data-a 3000
tb data-b 3000 --flags PA --seq 5001 --ack 1101 --len 100;     tcpst data-b 3000
ta oow-data 3000 --flags PA --seq 1500000000 --ack 5101 --len 100; tcpst oow-data 3000
ta ack-too-old 3000 --flags A --seq 1101 --ack $(((5101 - 100000) & 0xffffffff)); tcpst ack-too-old 3000
ta old-data 3000 --flags PA --seq $(((1101 - 200000) & 0xffffffff)) --ack 5101 --len 100; tcpst old-data 3000
tb rst-oow 3000 --flags R --seq 900000000;                     tcpst rst-oow 3000
pkt icmp-err-tracked "$server" -s "$B" -d "$A" icmp --type 3 --code 1 \
	--inner-proto tcp --inner-src "$A" --inner-dst "$B" --inner-sport 3000 --inner-dport 80 --inner-seq 1101
pkt icmp-err-untracked "$server" -s "$B" -d "$A" icmp --type 3 --code 3 \
	--inner-proto udp --inner-src "$A" --inner-dst "$B" --inner-sport 44444 --inner-dport 53
ta rst-in-window 3000 --flags R --seq 1101;                    tcpst rst-in-window 3000

# --- malformed
ta syn-fin 3010 --flags SF
ta no-flags 3011 --flags none
ta bad-csum 3012 --flags S --bad-csum
ta truncated 3013 --flags S --truncate 30
pkt udp-bad-csum "$client" -s "$A" -d "$B" udp --sport 3014 --dport 53 --bad-csum

# --- a close: A:3001 -> B:80, handshake, A closes first, B closes
ta c-syn 3001 --flags S --seq 2000;                            tcpst c-syn 3001
tb c-synack 3001 --flags SA --seq 7000 --ack 2001;             tcpst c-synack 3001
ta c-ack 3001 --flags A --seq 2001 --ack 7001;                 tcpst c-ack 3001
ta c-fin-a 3001 --flags FA --seq 2001 --ack 7001;              tcpst c-fin-a 3001
tb c-ack-b 3001 --flags A --seq 7001 --ack 2002;               tcpst c-ack-b 3001
tb c-fin-b 3001 --flags FA --seq 7001 --ack 2002;              tcpst c-fin-b 3001
ta c-last-ack 3001 --flags A --seq 2002 --ack 7002;            tcpst c-last-ack 3001
ta c-reopen-syn 3001 --flags S --seq 90000;                    tcpst c-reopen-syn 3001

# --- an unanswered SYN, retransmitted, then refused
ta r-syn 3002 --flags S --seq 3000;                            tcpst r-syn 3002
ta r-syn-again 3002 --flags S --seq 3000;                      tcpst r-syn-again 3002
tb r-rst-ack 3002 --flags RA --seq 0 --ack 3001;               tcpst r-rst-ack 3002

# --- a SYN the client itself aborts with a RST
ta a-syn 3003 --flags S --seq 4000;                            tcpst a-syn 3003
ta a-rst 3003 --flags R --seq 4001;                            tcpst a-rst 3003

# --- mid-stream pickup (tcp_loose) by segment class
ta pick-ack 3020 --flags A --seq 100 --ack 200;                tcpst pick-ack 3020
tb pick-ack-reply 3020 --flags A --seq 200 --ack 100;          tcpst pick-ack-reply 3020
ta pick-data 3021 --flags PA --seq 100 --ack 200 --len 10;     tcpst pick-data 3021
ta pick-fin 3022 --flags FA --seq 100 --ack 200;               tcpst pick-fin 3022
ta pick-rst 3023 --flags R --seq 100;                          tcpst pick-rst 3023
ta pick-synack 3024 --flags SA --seq 100 --ack 200;            tcpst pick-synack 3024

# --- UDP and ICMP echo, crafted
pkt udp-req "$client" -s "$A" -d "$B" udp --sport 5353 --dport 53
pkt udp-reply "$server" -s "$B" -d "$A" udp --sport 53 --dport 5353
pkt udp-req-again "$client" -s "$A" -d "$B" udp --sport 5353 --dport 53
pkt icmp-err-udp "$server" -s "$B" -d "$A" icmp --type 3 --code 3 \
	--inner-proto udp --inner-src "$A" --inner-dst "$B" --inner-sport 5353 --inner-dport 53
pkt echo "$client" -s "$A" -d "$B" icmp --type 8 --id 77 --seq 1
pkt echo-reply "$server" -s "$B" -d "$A" icmp --type 0 --id 77 --seq 1
pkt echo-reply-unsolicited "$server" -s "$B" -d "$A" icmp --type 0 --id 78 --seq 1
pkt icmp-err-echo "$server" -s "$B" -d "$A" icmp --type 11 --code 0 \
	--inner-proto icmp --inner-src "$A" --inner-dst "$B" --inner-sport 77 --inner-seq 1

# --- real traffic: compare the per-state deltas over each exchange
settled() {
	local n s
	n=$(vec_nf) s=$(vec_sfw)
	[ "$(vsum "$n")" = "$(vsum "$s")" ] || return 1
	sleep 0.3
	[ "$n" = "$(vec_nf)" ] && [ "$s" = "$(vec_sfw)" ]
}
exchange() {
	local step=$1 nb sb
	shift
	nb=$(vec_nf) sb=$(vec_sfw)
	"$@"
	busywait 5000 settled ||
		fail "$step: the counters did not settle within 5 s (nf $(vec_nf), sfw $(vec_sfw))"
	judge "$step" "$(delta "$nb" "$(vec_nf)")" "$(delta "$sb" "$(vec_sfw)")"
}
real_tcp() {
	sv socat -u TCP-LISTEN:5000,reuseaddr OPEN:"$T/tcp.out",creat,trunc &
	busywait 5000 listening "$server" 5000
	echo hello | cl socat -u - TCP:10.0.2.2:5000
	wait $!
}
real_udp() {
	sv socat UDP-RECVFROM:6000 SYSTEM:"echo pong" &
	busywait 5000 udp_listening "$server" 6000 || fail "real-udp: no listener"
	echo ping | cl timeout 3 socat -t 1 - UDP:10.0.2.2:6000 >"$T/udp.out"
	wait $!
}
real_refused() { cl socat -u - TCP:10.0.2.2:5999 </dev/null 2>/dev/null; sleep 0.3; }
real_ping() { cl ping -c 3 -i 0.2 -W 1 10.0.2.2 >/dev/null; }
real_unreach() { echo x | cl socat -u - UDP:10.0.2.2:6001; sleep 0.3; }
exchange real-tcp real_tcp
check_eq "real-tcp: server got the data" "$(cat "$T/tcp.out")" hello
exchange real-udp real_udp
check_eq "real-udp: client got the reply" "$(cat "$T/udp.out")" pong
exchange real-tcp-refused real_refused
exchange real-ping real_ping
exchange real-port-unreach real_unreach

# --- NAT leg: the same masqueraded traffic through nf_nat (sfw only
# tracking), then through sfw's own masquerade (no nft NAT): each tracker
# shows the same tuples (the reply to the gateway's address, the port
# kept) and the same states, once TCP and UDP exchanges are over.
# norm: "proto [STATE] src= dst= sport= dport= src= dst= sport= dport=".
norm() {
	awk '{ out = ""; st = ""; p = ""
	       for (i = 1; i <= NF; i++) {
		       if ($i == "tcp" || $i == "udp") p = $i
		       else if ($i ~ /^[A-Z_]+$/ && out == "") st = $i " "
		       else if ($i ~ /^(src|dst|sport|dport)=/) out = out (out == "" ? "" : " ") $i
	       }
	       print p " " st out }' | sort
}
nat_traffic() {
	sv socat -u TCP-LISTEN:5100,reuseaddr OPEN:/dev/null &
	busywait 5000 listening "$server" 5100
	echo hi | cl socat -u - TCP:10.0.2.2:5100,sourceport=42100,reuseaddr ||
		fail "nat-$1: TCP through the masquerade"
	sv socat -T 2 UDP-RECVFROM:5101,reuseaddr SYSTEM:"echo pong" &
	busywait 3000 udp_listening "$server" 5101
	check_eq "nat-$1: UDP through the masquerade" \
		"$(echo ping | cl timeout 3 socat -t 1 - UDP:10.0.2.2:5101,sourceport=42101)" pong
	sleep 1
}
gw nft -f - <<'N' || fail "nft nat table"
table ip diffnat {
	chain post { type nat hook postrouting priority srcnat; oifname "g1" masquerade; }
}
N
gw conntrack -F 2>/dev/null
nat_traffic nf
nf_nat_ct=$(gw conntrack -L 2>/dev/null | grep -E "dport=510[01] " | norm)
gw nft delete table ip diffnat
gw conntrack -F 2>/dev/null
gw sfwctl ct flush >/dev/null
{ cat "$T/rules"; printf 'chain postrouting\n  oif g1 masquerade\n'; } >"$T/rules-nat"
gw sfwctl ruleset load "$T/rules-nat" >/dev/null || fail "nat-sfw: ruleset load"
nat_traffic sfw
sfw_nat_ct=$(gw cat /proc/net/sfw/conntrack | grep -E "dport=510[01] " | norm)
grep -q "tcp TIME_WAIT src=10.0.1.2 dst=10.0.2.2 sport=42100 dport=5100 src=10.0.2.2 dst=10.0.2.1 sport=5100 dport=42100" <<<"$nf_nat_ct" ||
	fail "nat: nf_nat's entries are not what the leg expects: $nf_nat_ct"
check_eq "nat: sfw's masquerade gives nf_nat's tuples and states" "$sfw_nat_ct" "$nf_nat_ct"

echo "# step                   expected (nf_conntrack)      actual (sfw)                 verdict"
printf '#   %s\n' "${TABLE[@]}"
exit $ret
