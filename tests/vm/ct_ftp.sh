#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: 6.12 debug
# The FTP helper and expectations (issue #11, part 4), with real programs:
# vsftpd on the server, curl and busybox ftpget on the client, through a
# gateway whose forward chain drops all but established/related traffic
# and the control connection to port 21.
#
#   client                 gateway (sfw)                 server
#   10.0.1.2  c0 --- g0 10.0.1.1 | 10.0.2.1 g1 --- s0  10.0.2.2   vsftpd :21
#   fd00:1::2                fd00:1::1 | fd00:2::1      fd00:2::2  vsftpd :21
#
# 1. Control: the same rules less `ct helper set ftp`. The control
#    connection works, the data connections (passive and active) do not.
# 2. With the helper: passive (227 from PASV, 229 from EPSV, busybox
#    ftpget's PASV) and active (PORT, EPRT) transfers arrive whole, over
#    IPv4 and IPv6 (EPSV, EPRT |2|); expect_create and expect_new count
#    one per data connection.
# 3. By hand (socat): a PORT split across two segments makes an
#    expectation, which /proc/net/sfw/expect and sfwctl ct list --expect
#    list while it waits; a PORT naming another address (bounce) makes
#    none but a log line, and an unused expectation goes with its master
#    (and off both lists).
source lib.sh
shopt -s lastpipe	# `... | json_check`: its FAIL sets ret here, not in a subshell
need vsftpd curl ftpget jq

T=$(mktemp -d)
cleanup() {
	cleanup_std
}
trap cleanup EXIT
gateway_up || exit $ksft_fail

# vsftpd: anonymous, read-only, in the foreground, no sandbox (busybox
# init: no seccomp filter wanted, no user switch, no namespaces).
grep -q '^ftp:' /etc/passwd || echo 'ftp:x:65534:65534:ftp:/nonexistent:/bin/false' >>/etc/passwd
grep -q '^ftp:' /etc/group || echo 'ftp:x:65534:' >>/etc/group
mkdir -p "$T/root" "$T/empty"
chmod 755 "$T/root"
# 200 KB a transfer; a tenth on the debug kernel (sfwscale), whose TCG
# speed makes the 20-odd transfers below the bulk of this test there.
head -c "$(scaled 200000)" /dev/urandom >"$T/root/data.bin"
want=$(md5sum <"$T/root/data.bin")
vsftpd_conf() {	# FILE LISTEN-LINES...
	local f=$1
	shift
	{
		printf '%s\n' "$@"
		cat <<CONF
background=NO
anonymous_enable=YES
no_anon_password=YES
anon_root=$T/root
local_enable=NO
write_enable=NO
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
run_as_launching_user=YES
secure_chroot_dir=$T/empty
pasv_enable=YES
pasv_min_port=30000
pasv_max_port=30099
port_enable=YES
connect_from_port_20=NO
xferlog_enable=NO
CONF
	} >"$f"
}
vsftpd_conf "$T/v4.conf" listen=YES listen_ipv6=NO listen_address=10.0.2.2
vsftpd_conf "$T/v6.conf" listen=NO listen_ipv6=YES listen_address6=fd00:2::2
sv vsftpd "$T/v4.conf" >"$T/v4.log" 2>&1 &
sv vsftpd "$T/v6.conf" >"$T/v6.log" 2>&1 &
busywait 20000 listening "$server" 21 || { fail "vsftpd listens: $(cat "$T"/v*.log)"; exit $ret; }
# Both instances: the IPv6 one too.
busywait 20000 bash -c "ip netns exec $server ss -Htln | grep -q 'fd00:2::2\]:21'" ||
	fail "the IPv6 vsftpd listens: $(cat "$T/v6.log")"

# Before any rule: the IPv4 server answers on its control port.
banner() {
	cl socat -T 3 -u TCP:10.0.2.2:21,connect-timeout=3 - 2>/dev/null | head -n 1 | grep -q '^220'
}
busywait 15000 banner || fail "vsftpd answers over IPv4 before any rule: $(cat "$T/v4.log")"

load() {	# HELPER-STATEMENT
	cat >"$T/ftp.rules" <<RULES
chain forward policy drop
  ct state established,related accept
  iif g0 oif g1 tcp dport 21 $1 accept
RULES
	gw sfwctl ruleset load "$T/ftp.rules" || fail "sfwctl ruleset load: $(cat "$T/ftp.rules")"
}

# fetch NAME CMD...: run a client (bounded), compare what it got.
fetch() {
	local name=$1
	shift
	rm -f "$T/out"
	ip netns exec "$client" timeout 20 "$@" >"$T/client.log" 2>&1
	[ -s "$T/out" ] && [ "$(md5sum <"$T/out")" = "$want" ]
}

# transfers "NAME@@CMD"...: each client run brings the file whole; n
# counts the runs.
transfers() {
	local c name cmd
	for c in "$@"; do
		name=${c%%@@*}
		cmd=${c##*@@}
		n=$((n + 1))
		if fetch "$name" $cmd; then
			pass "$name: the file arrived whole"
		else
			fail "$name: transfer failed: $(tail -n 3 "$T/client.log")"
		fi
	done
}

CURL="curl -s -S --connect-timeout 4 --max-time 10 -o $T/out"
url4=ftp://10.0.2.2/data.bin
url6="ftp://[fd00:2::2]/data.bin"

# 1. Without the helper: the control connection passes, data does not.
# A control that must fail for the right reason: its control connection
# was made (an assured entry to port 21 more), and the forward policy
# dropped what came after (the data connection's SYNs).
control_blocked() {	# NAME CURL-ARGS...
	local name=$1 ctl0 pol0
	shift
	ctl0=$(gw grep -c 'dport=21 .*ASSURED' /proc/net/sfw/conntrack)
	pol0=$(policy_count "$gateway" forward)
	if fetch "$name" "$@"; then
		fail "$name: the transfer went through without the helper"
	elif [ "$(gw grep -c 'dport=21 .*ASSURED' /proc/net/sfw/conntrack)" -le "$ctl0" ]; then
		fail "$name: no control connection was made: $(cat "$T/client.log")"
	elif [ "$(policy_count "$gateway" forward)" -le "$pol0" ]; then
		fail "$name: the forward policy dropped nothing: $(cat "$T/client.log")"
	else
		pass "$name: control connection made, data connection dropped"
	fi
}
load ""
control_blocked "control: passive (PASV) without the helper" $CURL --disable-epsv "$url4"
control_blocked "control: active (PORT) without the helper" $CURL -P - --disable-eprt "$url4"
cr0=$(sfw_stat "$gateway" expect_create)
check_eq "control: no expectation without the helper" "$cr0" 0

# 2. With the helper.
load "ct helper set ftp"
gw sfwctl ruleset show | grep -qE "tcp dport 21 .*ct helper set ftp accept" &&
	pass "ruleset show prints ct helper set ftp" ||
	fail "ruleset show: $(gw sfwctl ruleset show)"
new0=$(sfw_stat "$gateway" expect_new)
n=0
transfers \
	"IPv4 passive, EPSV (229)@@$CURL $url4" \
	"IPv4 passive, PASV (227)@@$CURL --disable-epsv $url4" \
	"IPv4 passive, busybox ftpget (227)@@ftpget -u anonymous -p x 10.0.2.2 $T/out data.bin" \
	"IPv4 active, EPRT |1|@@$CURL -P - $url4" \
	"IPv4 active, PORT@@$CURL -P - --disable-eprt $url4" \
	"IPv6 passive, EPSV (229)@@$CURL -g $url6" \
	"IPv6 active, EPRT |2|@@$CURL -g -P - $url6"
check_ge "expect_create counts the announcements" "$(sfw_stat "$gateway" expect_create)" $n
check_ge "expect_new counts the data connections" "$(($(sfw_stat "$gateway" expect_new) - new0))" $n
check_ge "expect_delete counts them going" "$(sfw_stat "$gateway" expect_delete)" $n

# 3. By hand, on one control connection: a PORT split over two segments
# (a second apart, so Nagle cannot merge them) is still seen whole; a
# PORT naming another address (an FTP bounce) makes no expectation and
# logs a line.
ctl_session() {	# FIRST-PART SECOND-PART
	{
		printf 'USER anonymous\r\nPASS x\r\n%s' "$1"
		sleep 1
		printf '%s' "$2"
		sleep 1
		printf 'QUIT\r\n'
	} | cl timeout 10 socat -T 5 - TCP:10.0.2.2:21 >"$T/session.log" 2>&1
}
cr1=$(sfw_stat "$gateway" expect_create)
ctl_session "PORT 10,0,1,2," $'200,2\r\n'
check_eq "a PORT split across segments makes an expectation" \
	"$(($(sfw_stat "$gateway" expect_create) - cr1))" 1
# It waits for the server's connection from 10.0.2.2 (any port) to
# 10.0.1.2:51202, listed as nf_conntrack lists one in
# /proc/net/nf_conntrack_expect: seconds left, then the tuple, the helper.
exp_re="^[0-9]+ l3proto = 2 proto=6 src=10.0.2.2 dst=10.0.1.2 sport=0 dport=51202 ftp$"
check_expect() {	# WHAT MATCHING LINES CMD...: CMD's output has LINES lines, MATCHING of them exp_re
	local what=$1 want=$2 lines=$3 out
	shift 3
	out=$(gw "$@" 2>/dev/null)
	if [ "$(grep -cE "$exp_re" <<<"$out")" = "$want" ] && [ "$(grep -c . <<<"$out")" = "$lines" ]; then
		pass "$what ($lines line(s))"
	else
		fail "$what: got '$out', expected $lines line(s), $want matching '$exp_re'"
	fi
}
check_expect "/proc/net/sfw/expect lists the waiting expectation" 1 1 cat /proc/net/sfw/expect
check_expect "sfwctl ct list --expect lists it as /proc does" 1 1 sfwctl ct list --expect
check_expect "sfwctl ct list --expect --dport 51202: the filter matches it" 1 1 \
	sfwctl ct list --expect --dport 51202
check_expect "sfwctl ct list --expect --dport 51203: the filter does not" 0 0 \
	sfwctl ct list --expect --dport 51203
left=$(gw cut -d ' ' -f 1 /proc/net/sfw/expect)
[ "${left:-0}" -gt 280 ] 2>/dev/null && [ "$left" -le 300 ] &&
	pass "the expectation's seconds left count down from 300 ($left)" ||
	fail "the expectation's seconds left: got '$left', expected 281..300"
gw sfwctl ct list --expect -j 2>/dev/null | json_check "sfwctl ct list --expect -j: the expectation, its master's tuple" \
	"length >= 1 and any(.[]; .helper == \"ftp\" and .l3 == \"ipv4\" and .l4 == \"tcp\"
	 and .timeout > 0 and .timeout <= 300
	 and .tuple == {src: \"10.0.2.2\", dst: \"10.0.1.2\", sport: 0, dport: 51202}
	 and (.master | .src == \"10.0.1.2\" and .dst == \"10.0.2.2\" and .dport == 21
	      and (.sport | type) == \"number\"))"
cr1=$(sfw_stat "$gateway" expect_create)
ctl_session $'PORT 10,0,1,99,200,3\r\n' ""
check_eq "a PORT naming another address (bounce) makes none" \
	"$(($(sfw_stat "$gateway" expect_create) - cr1))" 0
dmesg | grep -q "ftp: refused an address other than the peer's 10.0.1.2 (bounce)" &&
	pass "the refused bounce is logged" ||
	fail "no log line for the refused bounce: $(dmesg | tail -n 3)"
# The split PORT's expectation, never used, dies with its master.
del0=$(sfw_stat "$gateway" expect_delete)
gw sfwctl ct flush >/dev/null
check_eq "an expectation goes with its master (ct flush)" \
	"$(($(sfw_stat "$gateway" expect_delete) - del0))" 1
check_expect "after ct flush, /proc/net/sfw/expect is empty" 0 0 cat /proc/net/sfw/expect
check_expect "after ct flush, sfwctl ct list --expect is empty" 0 0 sfwctl ct list --expect
check_eq "net.sfw.expect_max" "$(gw sysctl -n net.sfw.expect_max)" 4096

# 4. Behind sfw's masquerade. Passive mode: the data connection is the
# client's own, RELATED and translated like the control connection.
# Active mode: the client's PORT and EPRT name its inside address; sfw
# rewrites them to the gateway's (vsftpd refuses a PORT naming another
# address than the control connection's) and translates the server's data
# connection back to the client. The server has no route back to the
# LAN, so nothing untranslated gets through.
sv ip route del default
sv ip -6 route del default
cat >"$T/ftp-masq.rules" <<RULES
chain forward policy drop
  ct state established,related accept
  iif g0 oif g1 tcp dport 21 ct helper set ftp accept
chain postrouting
  oif g1 masquerade
RULES
gw sfwctl ruleset load "$T/ftp-masq.rules" || fail "sfwctl ruleset load (masquerade)"
new0=$(sfw_stat "$gateway" expect_new)
transfers \
	"masquerade: IPv4 passive, EPSV (229)@@$CURL $url4" \
	"masquerade: IPv4 passive, PASV (227)@@$CURL --disable-epsv $url4" \
	"masquerade: IPv4 passive, busybox ftpget (227)@@ftpget -u anonymous -p x 10.0.2.2 $T/out data.bin" \
	"masquerade: IPv4 active, PORT@@$CURL -P - --disable-eprt $url4" \
	"masquerade: IPv4 active, EPRT |1|@@$CURL -P - $url4" \
	"masquerade: IPv6 passive, EPSV (229)@@$CURL -g $url6" \
	"masquerade: IPv6 active, EPRT |2|@@$CURL -g -P - $url6"
check_ge "masquerade: each data connection was expected" \
	"$(($(sfw_stat "$gateway" expect_new) - new0))" 7
check_ct "masquerade: the data connection's reply goes to the gateway" "$gateway" \
	"tcp .* src=10.0.1.2 dst=10.0.2.2 sport=[0-9]+ dport=30[0-9]{3} .* src=10.0.2.2 dst=10.0.2.1 "
check_ct "masquerade: the active data connection came to the gateway and went to the client" \
	"$gateway" "tcp .* src=10.0.2.2 dst=10.0.2.1 sport=[0-9]+ dport=[0-9]+ .* src=10.0.1.2 dst=10.0.2.2 "

# SNAT to a longer address (10.0.2.100, a second one on g1): a rewritten
# PORT grows by two bytes and moves the rest of the stream. The session
# goes on (sequence numbers and acknowledgements corrected both ways), the
# transfers work, and a second PORT after the first is rewritten too.
gw ip addr add 10.0.2.100/24 dev g1
cat >"$T/ftp-snat.rules" <<RULES
chain forward policy drop
  ct state established,related accept
  iif g0 oif g1 tcp dport 21 ct helper set ftp accept
chain postrouting
  oif g1 ip saddr 10.0.1.0/24 snat to 10.0.2.100
RULES
gw sfwctl ruleset load "$T/ftp-snat.rules" || fail "sfwctl ruleset load (snat)"
transfers \
	"snat, longer address: IPv4 active, PORT@@$CURL -P - --disable-eprt $url4" \
	"snat, longer address: IPv4 active, EPRT |1|@@$CURL -P - $url4"
ctl_long() {
	{
		printf 'USER anonymous\r\nPASS x\r\n'
		sleep 1
		printf 'PORT 10,0,1,2,200,7\r\n'
		sleep 1
		printf 'PORT 10,0,1,2,200,8\r\n'
		sleep 1
		printf 'NOOP\r\nQUIT\r\n'
	} | cl timeout 10 socat -T 5 - TCP:10.0.2.2:21 >"$T/session.log" 2>&1
}
ctl_long
grep -c '^200 PORT command successful' "$T/session.log" | grep -qx 2 &&
	pass "snat: both PORTs were rewritten to the SNAT address (vsftpd took them)" ||
	fail "snat: vsftpd did not take the rewritten PORTs: $(tr '\r\n' '  ' <"$T/session.log")"
grep -q '^221' "$T/session.log" &&
	pass "snat: the control session goes on after the rewrites (QUIT answered)" ||
	fail "snat: the session broke after the rewrite: $(tr '\r\n' '  ' <"$T/session.log")"

# A rewritten PORT lost between the gateway and the server: the client
# sends it again, and the gateway rewrites the retransmission as it did
# the first (its parser does not read bytes twice). The server's nftables
# drops the first transmission of each PORT (numgen: every other one).
# The debug kernel is built without nft's numgen: a counted skip there.
if sv nft -f - <<'NFT'
table inet lossy {
	chain in {
		type filter hook input priority 0;
		tcp dport 21 @ih,0,32 0x504f5254 numgen inc mod 2 0 counter drop
	}
}
NFT
then
	ctl_long
	lost=$(sv nft list chain inet lossy in | grep -o 'packets [0-9]*' | cut -d ' ' -f 2)
	check_eq "snat, lossy: the server dropped each PORT's first transmission" "$lost" 2
	grep -c '^200 PORT command successful' "$T/session.log" | grep -qx 2 &&
		pass "snat, lossy: both retransmitted PORTs were rewritten (vsftpd took them)" ||
		fail "snat, lossy: vsftpd did not take the retransmitted PORTs: $(tr '\r\n' '  ' <"$T/session.log")"
	grep -q '^221' "$T/session.log" &&
		pass "snat, lossy: the session goes on (QUIT answered)" ||
		fail "snat, lossy: the session broke: $(tr '\r\n' '  ' <"$T/session.log")"
	sv nft delete table inet lossy
else
	skip_part "lossy-port" "this kernel's nftables has no numgen to drop each first PORT"
fi

# The second PORT's expectation waits at the SNAT address (ct list shows
# where the server will come, nat=), the first one's was replaced.
gw sfwctl ct list --expect | grep -q "src=10.0.2.2 dst=10.0.1.2 sport=0 dport=51208 ftp nat=10.0.2.100:51208$" &&
	pass "snat: ct list --expect shows the expectation and its outside address" ||
	fail "snat: ct list --expect: $(gw sfwctl ct list --expect)"
gw ip addr del 10.0.2.100/24 dev g1

# 5. The server behind sfw's DNAT: the client connects to the gateway's
# LAN address, and the server's 227 (its own address) and 229 are
# rewritten to that address, where the client's data connection is
# translated to the server.
cat >"$T/ftp-dnat.rules" <<RULES
chain prerouting
  iif g0 tcp dport 21 dnat to 10.0.2.2
chain forward policy drop
  ct state established,related accept
  iif g0 oif g1 tcp dport 21 ct helper set ftp accept
chain postrouting
  oif g1 masquerade
RULES
gw sfwctl ruleset load "$T/ftp-dnat.rules" || fail "sfwctl ruleset load (dnat)"
new0=$(sfw_stat "$gateway" expect_new)
transfers \
	"dnat: IPv4 passive, PASV (227)@@$CURL --disable-epsv ftp://10.0.1.1/data.bin" \
	"dnat: IPv4 passive, EPSV (229)@@$CURL ftp://10.0.1.1/data.bin" \
	"dnat: IPv4 passive, busybox ftpget (227)@@ftpget -u anonymous -p x 10.0.1.1 $T/out data.bin"
check_ge "dnat: each data connection was expected" \
	"$(($(sfw_stat "$gateway" expect_new) - new0))" 3
check_ct "dnat: the data connection went to the gateway and on to the server" "$gateway" \
	"tcp .* src=10.0.1.2 dst=10.0.1.1 sport=[0-9]+ dport=30[0-9]{3} .* src=10.0.2.2 dst=10.0.2.1 sport=30[0-9]{3} "
exit $ret
