#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: release
# Headroom for the gateway itself (net.sfw.conntrack_reserve). The
# gateway holds 100 entries, 20 of them for its own connections:
#
#   client ---- gateway (conntrack_max 100, reserve 20) ---- server
#     |  SYN flood through it, to NOWHERE   (forwarded: 80 entries at most)
#     `- ssh-like TCP to the gateway's own address, :2222 held open from
#        before the flood, :2223 opened after it (LOCAL_IN: the reserve)
#
#   - the flood fills the forwarded share and no more: drops, and the log
#     says the forwarded share filled;
#   - a new connection to the gateway still opens, is tracked, and the
#     "reserve" counter rose; the one from before keeps passing;
#   - control: with reserve 0 the flood fills the whole table, and a new
#     connection to the gateway fails (its listener is up, the drop
#     counter rose, the log says so).
# A large hash table (hashsize) keeps early drop from finding a victim
# in a 100-entry table by chance, so each outcome is the limit's alone.
source lib.sh
need socat sfw-pkt

T=$(mktemp -d)
trap cleanup EXIT	# its socats go with the namespaces: nothing to wait for

gateway_up --ipv4-only hashsize=1048576 || exit $ksft_fail
set_family 4
# No ping to prove the path: its entry would expire halfway and change
# the counts. The connection to the gateway and the flood's entries on it
# prove what this test needs.
gw sysctl -qw net.sfw.conntrack_max=100 net.sfw.conntrack_reserve=20 ||
	fail "set conntrack_max and conntrack_reserve"

count() { gw sysctl -n net.sfw.conntrack_count; }
# count_ge N: the table holds N entries or more (for busywait).
count_ge() { [ "$(count)" -ge "$1" ]; }
# got PORT FILE: the line PORT was sent arrived in FILE.
got() { grep -q "$1" "$2"; }

# The gateway's listeners, started before any held connection (tcp_open:
# a later background command would hold its pipe open).
for port in 2222 2223 2224; do
	gw socat -u TCP-LISTEN:$port,reuseaddr,bind=$GW OPEN:"$T/$port.out",creat,trunc &
	busywait 5000 listening "$gateway" $port || fail "gateway did not listen on $port"
done

# The admin's connection from before the flood.
tcp_open old "$client" "TCP:$GW:2222"
tcp_send old before
busywait 3000 got before "$T/2222.out" && pass "to the gateway before the flood" ||
	fail "no data to the gateway before the flood"
check_ct "that connection is tracked on the gateway" "$gateway" "ESTABLISHED .*dport=2222 .*\[ASSURED\]"

# 1. The flood: 200 SYNs through the gateway, each a new forwarded flow.
drop0=$(sfw_stat "$gateway" drop)
res0=$(sfw_stat "$gateway" reserve)
cl sfw-pkt -s "$C" -d "$NOWHERE" tcp --flags S --sport 20000 --dport 80 --flows 200 ||
	fail "sfw-pkt flood"
busywait 10000 count_ge 80
n=$(count)
check_eq "the flood filled the forwarded share, no more (entries)" "$n" 80
check_ge "flood packets were dropped" "$(($(sfw_stat "$gateway" drop) - drop0))" 100
check_eq "the reserve was not used by the flood" "$(($(sfw_stat "$gateway" reserve) - res0))" 0
check_eq "the log says the forwarded share filled" \
	"$(dmesg | grep -c 'sfw: table full, dropping packet (forwarded share: 20% is held for the gateway)' |
	   awk '{print ($1 > 0)}')" 1

# 2. A new connection to the gateway's own address still opens.
tcp_open new "$client" "TCP:$GW:2223"
tcp_send new after
busywait 5000 got after "$T/2223.out" && pass "a new connection to the gateway opens in a full table" ||
	fail "a new connection to the gateway did not open"
check_ct "it is tracked" "$gateway" "ESTABLISHED .*dport=2223 .*\[ASSURED\]"
check_ge "the reserve counter rose" "$(($(sfw_stat "$gateway" reserve) - res0))" 1
check_ge "entries went past the forwarded share" "$(count)" 81
tcp_send old after
busywait 3000 got after "$T/2222.out" && pass "the connection from before keeps passing" ||
	fail "the connection from before stopped passing"
tcp_close new

# 3. Control: no reserve. The flood fills the whole table; the gateway's
# own new connection then has no room.
gw sysctl -qw net.sfw.conntrack_reserve=0 || fail "set conntrack_reserve=0"
# The log is rate-limited (net_ratelimit: 10 lines per 5 s) and the first
# flood used the burst: wait for a fresh window, so its line shows.
sleep 6
cl sfw-pkt -s "$C" -d "$NOWHERE" tcp --flags S --sport 30000 --dport 80 --flows 200 ||
	fail "sfw-pkt flood"
busywait 10000 count_ge 100
check_eq "without a reserve the flood fills the whole table" "$(count)" 100
listening "$gateway" 2224 && pass "control: the gateway listens on 2224" ||
	fail "control: the gateway does not listen on 2224"
drop0=$(sfw_stat "$gateway" drop)
if cl socat -u OPEN:/dev/null "TCP:$GW:2224,connect-timeout=3" 2>/dev/null; then
	fail "control: a connection to the gateway opened in a full table without a reserve"
else
	pass "control: without a reserve the gateway's own connection gets no entry"
fi
check_ge "control: its SYNs were dropped by the tracker" "$(($(sfw_stat "$gateway" drop) - drop0))" 1
check_eq "control: the log says the table is full, with no share named" \
	"$(dmesg | grep -c 'sfw: table full, dropping packet$' | awk '{print ($1 > 0)}')" 1
if ct_gone "$gateway" "dport=2224 "; then
	pass "control: the refused connection has no entry"
else
	fail "control: the refused connection has an entry"
fi
exit $ret
