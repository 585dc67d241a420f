#!/bin/bash
# A full disk under a live collector (issue 14, item 2): the database lives on a 3 MiB
# tmpfs (a private mount namespace) that fills at once, and spoofed traffic keeps coming
# (16000 packets of 1442 bytes at 2000/s, one flow each, each an evidence packet). The
# collector must not retry a failing flush per packet: over the traffic it may use at
# most half of one CPU (from /proc/PID/stat, against the wall clock) and must take in at
# least half of the packets sent (a collector that retries per packet falls behind and the
# kernel drops the rest), it must say once
# that it cannot write, SIGTERM must end it within 5 s, and it must exit 1 with the
# NOT RECORDED counts.
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}" "${TOOLS:?}"
. "$SRCDIR/tests/integration/netns.sh"
ns_require_root
WORK=$(mktemp -d)
ns_setup fd
fail=0
python3 "$SRCDIR/tests/integration/spoof_burst.py" "$WORK/burst.pcap" 16000 1400
mkdir -p "$WORK/small"
# unshare -m and ip netns exec both exec: $! is the collector itself
unshare -m bash -c "mount -t tmpfs -o size=3m tmpfs '$WORK/small' && exec ip netns exec '$NS_A' \
	'$SPOOFAUDIT' collect -i a0 --db '$WORK/small/full.db' --role a0=external --user root \
	--flush-interval 1 --status-interval 600 --duration 600" 2> "$WORK/err" &
pid=$!
NS_CLEANUP_HOOK="kill -KILL $pid 2>/dev/null"
sleep 2
kill -0 $pid || { echo "FAIL: the collector did not start"; cat "$WORK/err"; exit 1; }
ticks() { awk '{print $14 + $15}' /proc/$pid/stat; }
hz=$(getconf CLK_TCK)
ip netns exec "$NS_B" "$TOOLS/inject" -i b0 -m "$A_MAC" -p 2000 -n 2000 "$WORK/burst.pcap" > /dev/null
t0=$(ticks); w0=$(date +%s.%N)
ip netns exec "$NS_B" "$TOOLS/inject" -i b0 -m "$A_MAC" -p 2000 "$WORK/burst.pcap" > "$WORK/inject.out"
t1=$(ticks); w1=$(date +%s.%N)
cpu=$(awk -v t="$((t1 - t0))" -v hz="$hz" -v a="$w0" -v b="$w1" 'BEGIN {printf "%.0f", 100 * t / hz / (b - a)}')
kill -TERM $pid
s0=$(date +%s.%N)
for i in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
if kill -0 $pid 2>/dev/null; then
	took=never
	kill -KILL $pid
	wait $pid || true
	rc=killed
else
	took=$(awk -v a="$s0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
	set +e
	wait $pid
	rc=$?
	set -e
fi
NS_CLEANUP_HOOK=
echo "CPU over the traffic: ${cpu}% of one core; SIGTERM to exit: ${took} s; exit $rc"
sed 's/^/  stderr: /' "$WORK/err" | grep -v '^  stderr:   ' | head -8
sent=$((2000 + $(awk '/^sent/ {print $2}' "$WORK/inject.out")))
got=$(sed -n 's/^collect: \([0-9]*\) packets (.*/\1/p' "$WORK/err" | tail -1)
echo "sent $sent, the collector took in ${got:-none}"
# 2000/s is nothing for a collector that does not retry the failing flush per packet;
# one that does falls behind and the kernel drops what it cannot take
[ -n "$got" ] && [ "$got" -ge $((sent / 2)) ] || { echo "FAIL: the collector fell behind (kernel drops)"; fail=1; }
[ "$cpu" -lt 50 ] || { echo "FAIL: ${cpu}% CPU: a failing flush is retried too often"; fail=1; }
[ "$took" != never ] || { echo "FAIL: SIGTERM did not end the run within 5 s"; fail=1; }
[ "$rc" = 1 ] || { echo "FAIL: exit $rc, want 1"; fail=1; }
[ "$(grep -c 'cannot write to the database' "$WORK/err")" -eq 1 ] || { echo "FAIL: the failure is not reported exactly once"; fail=1; }
grep -q "NOT RECORDED: [1-9]" "$WORK/err" || { echo "FAIL: no NOT RECORDED count"; fail=1; }
exit $fail
