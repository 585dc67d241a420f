#!/bin/bash
# --max-db-size (issue 14): a run whose data outgrows the cap stops writing with one
# clear message, keeps counting, reports what it could not record as NOT RECORDED and
# exits 1; the database file and its write-ahead log stay under the cap. The same file
# without the cap makes a database larger than the cap (else the test proves nothing),
# and every packet then lands in flows (the generator's truth says how many).
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
command -v sqlite3 > /dev/null || { echo "skip: no sqlite3"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
python3 "$SRCDIR/tests/tools/gen_truth.py" --out "$work/gen" --packets 40000 --seed 6 > /dev/null
want=$(awk -F, '$1 == "eth.pcap" {s += $5} END {print s}' "$work/gen/truth.csv")
cap=$((2 * 1024 * 1024))

"$SPOOFAUDIT" collect -q --db "$work/free.db" -r "$work/gen/eth.pcap"
free_size=$(stat -c %s "$work/free.db")
free_pk=$(sqlite3 "$work/free.db" "SELECT sum(packets) FROM flows")
echo "no cap: $free_size bytes, $free_pk of $want packets in flows"
[ "$free_pk" = "$want" ] || { echo "FAIL: the uncapped run lost packets"; fail=1; }
[ "$free_size" -gt "$cap" ] || { echo "FAIL: the uncapped database ($free_size) is not over the cap; the test proves nothing"; fail=1; }

set +e
"$SPOOFAUDIT" collect --db "$work/cap.db" -r "$work/gen/eth.pcap" --max-db-size 2M 2> "$work/err"
rc=$?
set -e
sed 's/^/  stderr: /' "$work/err" | grep -v '^  stderr:   ' | head -8
size=$(( $(stat -c %s "$work/cap.db") + $(stat -c %s "$work/cap.db-wal" 2>/dev/null || echo 0) ))
stored=$(sqlite3 "$work/cap.db" "SELECT coalesce(sum(packets), 0) FROM flows")
lost=$(sed -n 's/.*NOT RECORDED: \([0-9]*\) packets.*/\1/p' "$work/err" | tail -1)
echo "cap 2M: exit $rc, database + WAL $size bytes, $stored packets stored, NOT RECORDED ${lost:-none}"
[ "$rc" -eq 1 ] || { echo "FAIL: exit $rc, want 1"; fail=1; }
[ "$size" -le "$cap" ] || { echo "FAIL: the database ($size bytes) is over the cap ($cap)"; fail=1; }
[ "$(grep -c 'reached its size limit' "$work/err")" -eq 1 ] || { echo "FAIL: the stop is not said exactly once"; fail=1; }
[ -n "$lost" ] && [ "$lost" -gt 0 ] || { echo "FAIL: no NOT RECORDED count"; fail=1; }
# every packet is either stored or counted as not recorded
[ "$((stored + ${lost:-0}))" -eq "$want" ] || { echo "FAIL: stored $stored + not recorded ${lost:-0} != $want"; fail=1; }

set +e
"$SPOOFAUDIT" collect --db "$work/x.db" -r "$work/gen/eth.pcap" --max-db-size 12Q > "$work/bad" 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "\`12Q'" "$work/bad" || { echo "FAIL: a bad size is not bad usage: exit $rc"; cat "$work/bad"; fail=1; }
exit $fail
