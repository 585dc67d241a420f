#!/bin/bash
# Lost writes are failures (issue 14, item 12): while another process holds the
# database's write lock, 5000 spoofed packets of 1442 bytes arrive, one flow each, so
# 5000 evidence packets (7 MB) outgrow the collector's 4 MiB evidence buffer and some
# cannot be kept. Every packet is still counted in flows once the lock is gone, but the
# run must exit 1 and print how many evidence packets were NOT RECORDED; evidence rows
# stored + evidence not recorded = 5000 (the generator's count).
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}" "${TOOLS:?}"
. "$SRCDIR/tests/integration/netns.sh"
ns_require_root
WORK=$(mktemp -d)
ns_setup le
fail=0
n=5000
python3 "$SRCDIR/tests/integration/spoof_burst.py" "$WORK/burst.pcap" $n 1400
db="$WORK/lock.db"
ip netns exec "$NS_A" "$SPOOFAUDIT" collect -i a0 --db "$db" --role a0=external --user root \
	--flush-interval 1 --status-interval 60 --duration 600 2> "$WORK/err" &
pid=$!
NS_CLEANUP_HOOK="kill $pid 2>/dev/null"
ns_wait_sources "$db" 2
python3 - "$db" <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
c.execute("BEGIN EXCLUSIVE")
time.sleep(10)
c.execute("ROLLBACK")
PY
locker=$!
sleep 0.5
ip netns exec "$NS_B" "$TOOLS/inject" -i b0 -m "$A_MAC" -p 1000 "$WORK/burst.pcap" > "$WORK/inject.out"
wait $locker
sleep 2.5
kill -TERM $pid
set +e
wait $pid
rc=$?
set -e
NS_CLEANUP_HOOK=
sent=$(awk '/^sent/ {print $2}' "$WORK/inject.out")
spoofed=$(sqlite3 "$db" "SELECT coalesce(sum(packets), 0) FROM flows WHERE class LIKE 'spoof%'")
ev=$(sqlite3 "$db" "SELECT count(*) FROM evidence")
lost_ev=$(sed -n 's/.*NOT RECORDED: [0-9]* packets, \([0-9]*\) evidence.*/\1/p' "$WORK/err" | tail -1)
echo "sent $sent; exit $rc; spoofed packets in flows $spoofed; evidence stored $ev, not recorded ${lost_ev:-none}"
grep -E "cannot write|NOT RECORDED" "$WORK/err" | sed 's/^/  stderr: /'
[ "$sent" -eq "$n" ] || { echo "FAIL: the injector sent $sent of $n"; fail=1; }
[ "$spoofed" -eq "$n" ] || { echo "FAIL: $spoofed of $n packets in flows (the lock should cost no packet)"; fail=1; }
[ -n "$lost_ev" ] && [ "$lost_ev" -gt 0 ] || { echo "FAIL: no evidence packet reported NOT RECORDED (the test needs some lost)"; fail=1; }
[ "$((ev + ${lost_ev:-0}))" -eq "$n" ] || { echo "FAIL: stored $ev + not recorded ${lost_ev:-0} != $n"; fail=1; }
[ "$rc" -eq 1 ] || { echo "FAIL: evidence was lost but the run exited $rc, not 1"; fail=1; }
exit $fail
