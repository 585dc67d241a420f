#!/bin/bash
# A locked or full database is reported, never silently dropped.
# 1. Locked: while a replay runs, another process holds the database's write lock for
#    longer than the busy timeout. The collector keeps capturing, reports the failed
#    writes, retries, and once the lock is gone stores every packet: stored = truth,
#    and capture_stats records the busy retries and write failures.
# 2. Full: the database lives on a tmpfs too small for the run (a private mount
#    namespace); the collector exits 1 with a message that says the disk is full and how
#    many packets were not recorded.
set -euo pipefail
. "${SRCDIR:?}/tests/integration/netns.sh"
ns_test_start lk
python3 "$SRCDIR/tests/tools/gen_truth.py" --out "$WORK/gen" --packets 4000 --seed 5
want=$(awk -F, '$1 == "eth.pcap" {s += $5} END {print s}' "$WORK/gen/truth.csv")
db="$WORK/lock.db"
ns_collect -i a0 --db "$db" --role a0=external --user root \
	--flush-interval 1 --status-interval 60 --duration 600 2> "$WORK/err"
ns_wait_sources "$db" 2
python3 - "$db" <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
c.execute("BEGIN EXCLUSIVE")
time.sleep(8)
c.execute("ROLLBACK")
PY
locker=$!
sleep 0.5
ip netns exec "$NS_B" "$TOOLS/inject" -i b0 -m "$A_MAC" -p 1000 "$WORK/gen/eth.pcap" > /dev/null
wait $locker
sleep 2.5
ns_collect_stop
got=$(sqlite3 "$db" "SELECT sum(packets) FROM flows WHERE iface='a0' AND dir='in'")
fails=$(sqlite3 "$db" "SELECT sum(db_write_failures) FROM capture_stats")
busy=$(sqlite3 "$db" "SELECT sum(db_busy_retries) FROM capture_stats")
echo "locked for 8 s: stored $got of $want packets; write failures $fails, busy retries $busy"
grep -E "cannot write to the database|work again" "$WORK/err" | sed 's/^/  stderr: /'
[ "$got" = "$want" ] || { echo "FAIL: packets lost while the DB was locked"; fail=1; }
[ "$fails" -gt 0 ] && [ "$busy" -gt 0 ] || { echo "FAIL: the lock left no trace in capture_stats"; fail=1; }
grep -q "cannot write to the database" "$WORK/err" || { echo "FAIL: the lock was not reported"; fail=1; }

# Full disk, in a private mount namespace so nothing leaks. 2 MiB: the schema (its
# migrations, each committed to the write-ahead log, take 1.5 MiB with 16 KiB pages)
# must fit, the capture must not.
python3 "$SRCDIR/tests/tools/gen_truth.py" --out "$WORK/big" --packets 40000 --seed 6 >/dev/null
set +e
unshare -m bash -c "mount -t tmpfs -o size=2m tmpfs '$WORK/small' 2>/dev/null || { mkdir -p '$WORK/small' && mount -t tmpfs -o size=2m tmpfs '$WORK/small'; } &&
	'$SPOOFAUDIT' collect -q --db '$WORK/small/full.db' -r '$WORK/big/eth.pcap' --max-flows 1000" 2> "$WORK/full.err"
rc=$?
set -e
echo "full disk: exit $rc"; sed 's/^/  stderr: /' "$WORK/full.err" | head -5
[ "$rc" -eq 1 ] || { echo "FAIL: a full disk did not exit 1"; fail=1; }
grep -qiE "full" "$WORK/full.err" || { echo "FAIL: the message does not say the disk is full"; fail=1; }
grep -q "NOT RECORDED\|not recorded" "$WORK/full.err" || { echo "FAIL: unrecorded packets not reported"; fail=1; }
exit $fail
