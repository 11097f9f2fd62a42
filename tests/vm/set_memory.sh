#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels: 6.1 debug
# Address sets and memory (issue #12, item 3): what a namespace's sets
# hold is charged to the memory cgroup of whoever loaded them, and all of
# a namespace's sets together are bounded by net.sfw.set_elements_max,
# which a namespace owned by a user namespace cannot raise.
#
#   [ns a: root's, set_elements_max=1000]     the cap at load and at SET_ADD
#
#   /sys/fs/cgroup/sfw-sets-N  (memory.max 64M)
#   +-- unshare -Urn: sfwctl set add, 65536 elements at a time, until it stops
#
# In the cgroup, the loop must stop with ENOMEM (or a memcg kill) once the
# limit is lowered under what more elements need, and with the cap when
# the limit is back at 64M: never an OOM of the whole guest. The cgroup's
# memory.current must have grown by what the elements take: that is what
# fails if the kernel allocates them unaccounted.
source lib.sh
need sfwctl unshare sysctl

T=/tmp/set_memory.$$
CG=
mounted=
cleanup() {
	# Killed or not, nothing may stay in the cgroup before it goes.
	if [ -n "$CG" ] && [ -d "$CG" ]; then
		xargs -r kill -9 <"$CG/cgroup.procs" 2>/dev/null
		busywait 5000 rmdir "$CG" 2>/dev/null
	fi
	[ -n "$mounted" ] && umount /sys/fs/cgroup
	cleanup_all_ns
	sfw_unload
	rm -rf "$T"
}
trap cleanup EXIT
mkdir -p "$T"

sfw_load || exit $ksft_fail
setup_ns a || exit $ksft_fail

# --- The cap, where root may set it: at load and at SET_ADD. ---
check_eq "set_elements_max defaults to 1M" "$(ip netns exec "$a" sysctl -n net.sfw.set_elements_max)" 1048576
ip netns exec "$a" sysctl -qw net.sfw.set_elements_max=1000 || fail "setting set_elements_max in a root-made namespace"
check_eq "sfwctl config get shows it" "$(ip netns exec "$a" sfwctl config get set_elements_max)" \
	"set_elements_max = 1000"

# elems FROM COUNT: COUNT addresses 10.x.y.z from index FROM, one a line
# (a rule file's line holds at most 4096 characters; sfwctl set add takes
# them as words).
elems() {
	local i
	for ((i = $1; i < $1 + $2; i++)); do
		echo "10.$((i >> 16 & 255)).$((i >> 8 & 255)).$((i & 255))"
	done
}
# In a rule file, a set's elements are separated by commas.
set_of() { echo "set $1 {"; elems "$2" "$3" | sed '$!s/$/,/'; echo "}"; }
{
	set_of one 0 600
	set_of two 600 401
	echo "chain input policy accept"
	echo "  ip saddr @one drop"
} >"$T/over"
out=$(ip netns exec "$a" sfwctl ruleset load "$T/over" 2>&1) && fail "a load of 1001 elements over a cap of 1000 was accepted"
case $out in
*"set_elements_max (1000)"*"No space left on device"*) pass "load over the cap refused: $out" ;;
*) fail "load over the cap: unexpected message: '$out'" ;;
esac
check_eq "and nothing was loaded" "$(ip netns exec "$a" sfwctl ruleset show 2>&1 | head -1)" \
	"# no rule set loaded: every packet is accepted"

{
	set_of one 0 600
	echo "set two { }"
	echo "chain input policy accept"
	echo "  ip saddr @one drop"
} >"$T/under"
ip netns exec "$a" sfwctl ruleset load "$T/under" || fail "a load of 600 elements under a cap of 1000"
ip netns exec "$a" sfwctl set add two $(elems 600 400) || fail "set add up to the cap exactly"
out=$(ip netns exec "$a" sfwctl set add two 192.0.2.1 2>&1) && fail "set add past the cap was accepted"
case $out in
*"set @two"*"set_elements_max (1000)"*"No space left on device"*) pass "set add past the cap refused: $out" ;;
*) fail "set add past the cap: unexpected message: '$out'" ;;
esac
# Elements already there cost nothing; removing always works, and makes room.
ip netns exec "$a" sfwctl set add one 10.0.0.5 || fail "re-adding an element at the cap"
ip netns exec "$a" sfwctl set del one 10.0.0.5 10.0.0.6 || fail "set del at the cap"
ip netns exec "$a" sfwctl set add two 192.0.2.1 192.0.2.2 || fail "set add into the room a del made"
n=$(ip netns exec "$a" sfwctl set list | grep -o '10\.[0-9.]*\|192\.0\.2\.[0-9]*' | wc -l)
check_eq "the sets hold the cap's worth" "$n" 1000

# --- Read-only in a user namespace's own network namespace. ---
unshare -Urn true || { fail "unshare -Urn does not work here"; exit $ret; }
if unshare -Urn sh -c 'sysctl -w net.sfw.set_elements_max=16777216' >"$T/ro" 2>&1; then
	fail "unshare -Urn: set_elements_max is writable"
else
	pass "unshare -Urn: sysctl -w net.sfw.set_elements_max refused ($(tr '\n' ' ' <"$T/ro"))"
fi
out=$(unshare -Urn sfwctl config set set_elements_max 16777216 2>&1) &&
	fail "unshare -Urn: sfwctl config set set_elements_max succeeded"
case $out in
*"read-only"*) pass "sfwctl says why: $out" ;;
*) fail "sfwctl config set set_elements_max in a user namespace: unexpected message: '$out'" ;;
esac
check_eq "its value there is the default" "$(unshare -Urn sysctl -n net.sfw.set_elements_max)" 1048576

# --- A user namespace in a 64 MiB memory cgroup. ---
# The debug kernel (tinyconfig and a fragment) has no cgroups at all.
grep -qw cgroup2 /proc/filesystems || { skip_part memcg "this kernel has no cgroup2"; exit $ret; }
if ! grep -q ' /sys/fs/cgroup cgroup2 ' /proc/mounts; then
	mount -t cgroup2 none /sys/fs/cgroup || { fail "mounting cgroup2"; exit $ret; }
	mounted=1
fi
grep -qw memory /sys/fs/cgroup/cgroup.controllers || { skip_part memcg "no memory controller"; exit $ret; }
echo +memory >/sys/fs/cgroup/cgroup.subtree_control || { fail "enabling the memory controller"; exit $ret; }
CG=/sys/fs/cgroup/sfw-sets-$$
mkdir "$CG" || { fail "mkdir $CG"; exit $ret; }
echo 64M >"$CG/memory.max"
[ -e "$CG/memory.swap.max" ] && echo 0 >"$CG/memory.swap.max"
oom_before=$(dmesg | grep -c 'Out of memory')

# What the user namespace runs: a rule set of 16 empty sets, then 65536
# elements into one set after another (a set's SET_ADDs copy that set
# only), reporting on fd 3, which the runner reads: "added I" per set,
# "stopped I RC MESSAGE" when a SET_ADD fails. Steps: "fill:A-B" fills
# sets A..B-1 (65536 words to one sfwctl: busybox xargs would start one
# per 20 KiB), "refill:A-B" the same 4096 at a time (so that the
# processes stay small where memory is short: what fills the cgroup there
# must be what the kernel holds), "one" adds one element more, "del:A-B"
# empties sets, "wait:NAME" waits for the runner to create $T/NAME. The
# elements come from files the runner wrote.
for i in $(seq 0 15); do
	printf "10.$i.%s\n" {0..255}.{0..255} >"$T/e$i.0"
	for ((k = 0; k < 16; k++)); do
		for ((j = k * 16; j < k * 16 + 16; j++)); do
			printf "10.$i.$j.%s\n" {0..255}
		done >"$T/c$i.$k"
	done
done
cat >"$T/fill" <<'EOF'
#!/bin/bash
T=$1; shift
fill() {	# FIRST END FILES: sets FIRST..END-1; 1 when a SET_ADD failed
	local i f out rc
	for ((i = $1; i < $2; i++)); do
		for f in "$T/$3$i".*; do
			out=$(sfwctl set add s$i $(cat "$f") 2>&1); rc=$?
			if [ $rc -ne 0 ]; then
				echo "stopped $i $rc $out" >&3
				return 1
			fi
		done
		echo "added $i" >&3
	done
}
ip link set lo up
{ echo "chain input policy accept"; for i in $(seq 0 15); do echo "set s$i { }"; done; } |
	sfwctl ruleset load - || { echo "stopped - 1 load failed" >&3; exit 1; }
for step in "$@"; do
	case $step in
	wait:*) while [ ! -e "$T/${step#wait:}" ]; do sleep 0.1; done ;;
	fill:*) f=${step#fill:}; fill "${f%-*}" "${f#*-}" e || exit 0 ;;
	refill:*) f=${step#refill:}; fill "${f%-*}" "${f#*-}" c || exit 0 ;;
	one) out=$(sfwctl set add s0 192.0.2.1 2>&1); echo "stopped one $? $out" >&3 ;;
	del:*)
		f=${step#del:}
		for ((i = ${f%-*}; i < ${f#*-}; i++)); do
			(sfwctl set del s$i $(cat "$T/e$i.0")) >&3 2>&1
		done
		echo deleted >&3 ;;
	esac
done
echo "stopped - 0 every step done" >&3
EOF
chmod +x "$T/fill"

# in_cg STEP...: the fill script in a new user and network namespace in
# the cgroup, in the background; its reports go to $T/status.
in_cg() {
	: >"$T/status"
	bash -c 'echo $$ >"$1/cgroup.procs" && shift && exec unshare -Urn "$@"' \
		-- "$CG" "$T/fill" "$T" "$@" 3>>"$T/status" &
}
stopped() { grep '^stopped' "$T/status"; }

# The cap's worth, charged to the cgroup, stopped by the cap; then six
# sets emptied, the limit lowered to 8 MiB over what the cgroup holds
# (refilling them takes about 16 MiB of the kernel's, the processes a
# few), and refilled: the kernel must say ENOMEM (or the memcg kill a
# process of its own), not go on.
# The debug kernel is ten times slower: it fills 8 sets, not the cap's 16.
nsets=16
[ "$SFW_SCALE" -gt 1 ] && nsets=8
base=$(cat "$CG/memory.current")
t0=${EPOCHREALTIME/./}
in_cg fill:0-$nsets one del:$((nsets - 6))-$nsets wait:go refill:$((nsets - 6))-$nsets
busywait $((90000 * SFW_SCALE)) grep -q '^deleted' "$T/status" || fail "filling $nsets sets did not finish in time"
t1=${EPOCHREALTIME/./}
echo "# $nsets sets of 65536 filled in $(((t1 - t0) / 1000)) ms"
check_eq "$nsets sets of 65536 filled in the user namespace" "$(grep -c '^added' "$T/status")" $nsets
st=$(stopped)
case $nsets:$st in
"16:stopped one 1 "*"set_elements_max (1048576)"*"No space left on device"*)
	pass "the cap stopped it at 1048576 elements: $st" ;;
8:"stopped one 0 "*) skip_part cap-1M "the debug kernel fills 8 sets of 65536, not 16" ;;
*) fail "at 64M it did not stop with the cap: '$st'" ;;
esac
grown=$(($(cat "$CG/memory.current") - base))
# What is left, of 24 bytes an element before the hash tables.
check_ge "the cgroup paid for the elements (memory.current grew, bytes)" "$grown" $(((nsets - 6) * 65536 * 24))
echo $(($(cat "$CG/memory.current") + 8 * 1024 * 1024)) >"$CG/memory.max"
: >"$T/status"
touch "$T/go"
wait $!
rc=$?
st=$(stopped)
echo "# refill stopped after $(((${EPOCHREALTIME/./} - t1) / 1000)) ms"
case "$rc:$st" in
*"Cannot allocate memory"*) pass "a lowered memory.max stopped it with ENOMEM: $st" ;;
137:*|*"stopped "*" 12[3-5] "*|*"stopped "*" 137 "*)
	pass "a lowered memory.max stopped it: the memcg killed a process of its own (rc $rc, '$st')" ;;
*) fail "a lowered memory.max did not stop it with ENOMEM: rc $rc, '$st'" ;;
esac

check_eq "no OOM of the whole guest" "$(dmesg | grep -c 'Out of memory')" "$oom_before"
exit $ret
