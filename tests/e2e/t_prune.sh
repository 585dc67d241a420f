#!/bin/bash
# `spoofaudit prune`: on 12 days x 20 000 generated flows, --keep 9 removes exactly the
# rows before the cutoff (as --dry-run announced), in many short transactions while a
# collector writes to the same database, leaves no orphan evidence, gives the pages back
# (incremental vacuum; --vacuum for a file without it), and leaves the kept days' JSON
# reports unchanged: whole for days whose 7-day history is kept, and the day's own
# totals, timeline and top lists for the oldest kept day.
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}" "${TOOLS:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TZ=UTC
S=$SPOOFAUDIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

db="$work/p.db"
"$TOOLS/report_bench_gen" "$db" 12 20000 "$(date -u -d yesterday +%F)" 7
keep=9
today=$(date -u +%F)
cut=$(date -u -d "$today - $keep days" +%s)
days=("$(date -u -d "$today - $keep days" +%F)" "$(date -u -d "$today - 2 days" +%F)" "$(date -u -d "$today - 1 day" +%F)")
for d in "${days[@]}"; do "$S" report --db "$db" --day "$d" --utc -f json -o "$work/before-$d.json"; done
want_flows=$(sqlite3 "$db" "SELECT count(*) FROM flows WHERE bucket < $cut")
want_ev=$(sqlite3 "$db" "SELECT count(*) FROM evidence e JOIN flows f ON f.id = e.flow_id WHERE f.bucket < $cut")
[ "$want_flows" -ge 50000 ] || bad "generator wrote too few old flows ($want_flows)"
[ "$(sqlite3 "$db" 'PRAGMA auto_vacuum')" = 2 ] && ok "new database has incremental auto-vacuum" ||
	bad "auto_vacuum is $(sqlite3 "$db" 'PRAGMA auto_vacuum')"

"$S" prune --db "$db" --keep $keep --utc --dry-run > "$work/dry"
grep -qE "^  flows +$want_flows$" "$work/dry" && ok "dry run announces $want_flows flows" || { bad "dry run:"; cat "$work/dry"; }
grep -qE "^  evidence +$want_ev$" "$work/dry" && ok "dry run announces $want_ev evidence rows" || bad "dry run evidence"
[ "$(sqlite3 "$db" "SELECT count(*) FROM flows WHERE bucket < $cut")" = "$want_flows" ] && ok "dry run changed nothing" ||
	bad "dry run deleted rows"

# prune with small transactions while a collector writes into the same database
python3 "$SRCDIR/tests/tools/gen_truth.py" --out "$work/gen" --packets 4000 >/dev/null
# its packets carry 2026-09-21 times: move them to the start of today (UTC), inside the
# kept window (a collector importing data older than the cutoff while prune runs would see
# it go) and outside the days whose reports are compared (the last hour was yesterday's
# from midnight to 01:00, and changed yesterday's report)
python3 - "$work/gen/eth.pcap" "$(date -u -d "$today" +%s)" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
off, shift = 24, int(sys.argv[2]) - 1789948800
while off < len(d):
    s, us, cl, ol = struct.unpack_from("<IIII", d, off)
    struct.pack_into("<I", d, off, s + shift)
    off += 16 + cl
open(sys.argv[1], "wb").write(d)
PY
size0=$(stat -c %s "$db")
"$S" prune --db "$db" --keep $keep --utc --batch 500 > "$work/out" & pid=$!
"$S" collect -q --db "$db" -r "$work/gen/eth.pcap" --iface-name eth --host-addr 45.33.1.10 && crc=0 || crc=$?
wait $pid && prc=0 || prc=$?
[ $prc -eq 0 ] && ok "prune exit 0" || bad "prune exit $prc"
[ $crc -eq 0 ] && ok "a collector wrote meanwhile (exit 0)" || bad "collector exit $crc during prune"
cat "$work/out"
grep -qE "^  flows +$want_flows$" "$work/out" && ok "reported $want_flows flows removed" || bad "flows removed"
grep -qE "^  evidence +$want_ev$" "$work/out" && ok "reported $want_ev evidence rows removed" || bad "evidence removed"
ntx=$(sed -n 's/^  in \([0-9]*\) transactions.*/\1/p' "$work/out")
[ "${ntx:-0}" -gt $((want_flows / 500)) ] && ok "$ntx transactions of at most 500 rows" || bad "transactions: $ntx"
[ "$(sqlite3 "$db" "SELECT count(*) FROM flows WHERE bucket < $cut")" = 0 ] && ok "no flow before the cutoff" || bad "old flows left"
[ "$(sqlite3 "$db" "SELECT count(*) FROM evidence WHERE flow_id NOT IN (SELECT id FROM flows)")" = 0 ] &&
	ok "no orphan evidence" || bad "orphan evidence"
[ "$(sqlite3 "$db" "SELECT count(*) FROM capture_stats WHERE end_usec <= ${cut}000000")" = 0 ] &&
	ok "no statistics before the cutoff" || bad "old statistics left"
[ "$(sqlite3 "$db" "SELECT count(*) FROM runs WHERE ended_usec < ${cut}000000")" = 0 ] && ok "old runs gone" || bad "old runs left"
[ "$(sqlite3 "$db" 'PRAGMA freelist_count')" = 0 ] && [ "$(stat -c %s "$db")" -lt "$size0" ] &&
	ok "space given back: $size0 -> $(stat -c %s "$db") bytes" || bad "space not reclaimed"
[ "$(sqlite3 "$db" "SELECT count(*) FROM flows WHERE iface = 'eth'")" -gt 0 ] && ok "collector's flows stored" ||
	bad "collector's flows missing"

for d in "${days[@]}"; do "$S" report --db "$db" --day "$d" --utc -f json -o "$work/after-$d.json"; done
python3 - "$work" "${days[@]}" <<'PY'
import json, sys
w, partial, full = sys.argv[1], sys.argv[2], sys.argv[3:]
def load(x, day):
    j = json.load(open("%s/%s-%s.json" % (w, x, day)))
    j.pop("generated")
    for h in j["hosts"]:
        h.pop("first_data")	# what the database holds: where its data starts, its runs
        h.pop("runs_total")
        h.pop("last_data")
    return j
bad = 0
for day in full:
    a, b = load("before", day), load("after", day)
    print(("ok: report of %s unchanged" if a == b else "FAIL: report of %s changed") % day)
    if a != b:
        print("  differs:", [(k, str(a[k])[:200], str(b[k])[:200]) for k in a if a[k] != b[k]])
    bad |= a != b
a, b = load("before", partial), load("after", partial)
def own(j):
    t = {k: [{c: v for c, v in r.items() if not c.startswith("prev_") and c != "change"} for r in j["tables"][k]]
         for k in ("totals_class", "totals", "totals_iface", "top_sources", "top_destinations", "top_ports", "ttl",
                   "loopback_services", "sources", "runs")}
    return t, j["timeline"], j["summary"]
same = own(a) == own(b)
for x, y, what in zip(own(a), own(b), ("tables", "timeline", "summary")):
    if x != y:
        print("  differs:", what, [k for k in x if x[k] != y[k]] if what == "tables" else "")
print(("ok: " if same else "FAIL: ") + "oldest kept day %s: own totals, timeline and top lists unchanged" % partial)
cov = b["hosts"][0]["previous_period_covered"] is False and any("no data from the start of the previous" in n["text"] for n in b["notes"])
print(("ok: " if cov else "FAIL: ") + "its comparison with the pruned day says so")
sys.exit(1 if bad or not same or not cov else 0)
PY
[ $? -eq 0 ] || fail=1

# a database without incremental auto-vacuum (as older versions created): pages stay
# free unless --vacuum
cp "$db" "$work/old.db"
sqlite3 "$work/old.db" "PRAGMA auto_vacuum = NONE; VACUUM;"
"$S" prune --db "$work/old.db" --keep 3 --utc > "$work/out2"
grep -q "free pages kept for new data" "$work/out2" && ok "no auto-vacuum: says the pages stay" || { bad "old-file message"; cat "$work/out2"; }
"$S" prune --db "$work/old.db" --keep 0 --utc --vacuum > "$work/out3"
grep -q "(VACUUM)" "$work/out3" && [ "$(sqlite3 "$work/old.db" 'PRAGMA freelist_count')" = 0 ] &&
	ok "--vacuum gives them back" || { bad "--vacuum"; cat "$work/out3"; }
exit $fail
