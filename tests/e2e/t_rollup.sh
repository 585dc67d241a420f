#!/bin/bash
# The hourly rollup (flows_hourly, schema/010_hourly_rollup.sql) that the report's totals
# read. Oracle: sums over the flows rows computed here with plain sqlite3, never with
# spoofaudit's code.
#  1. Collected with 5-minute buckets (every flush writes the rollup), it holds exactly
#     the sums of the flows' counted packets and bytes per hour and key; three flows are
#     then given packets NFLOG logged beyond the counted ones (migration 6).
#  2. The report's totals (and their previous period) for whole days and for periods
#     that start or end inside an hour, with and without -i, are the sums over the flows
#     of [since, until), in JSON and CSV.
#  3. prune at a midnight that is not on the hour in UTC (Asia/Kolkata, +05:30) keeps the
#     rollup exact, splitting an hour.
#  4. An old file (schema version 8, built with sqlite3 from schema/001..008) migrates:
#     its rollup equals the sums over its flows taken before migrating, and the index
#     flows_report_totals is gone.
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
S=$SPOOFAUDIT
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TZ=UTC
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# Rows where flows_hourly and the sums over flows of the counted packets and bytes
# (coalesce(counted_packets, packets), migration 6) differ, both ways.
ORACLE="WITH o AS (SELECT bucket - (bucket % 3600 + 3600) % 3600, class, subclass, iface, dir,
		  family, sum(coalesce(counted_packets, packets)), sum(coalesce(counted_bytes, bytes)),
		  count(*) FROM flows GROUP BY 1, 2, 3, 4, 5, 6),
	r AS (SELECT bucket, class, subclass, iface, dir, family, packets, bytes, flows
	      FROM flows_hourly)
SELECT (SELECT count(*) FROM (SELECT * FROM o EXCEPT SELECT * FROM r)) +
       (SELECT count(*) FROM (SELECT * FROM r EXCEPT SELECT * FROM o)),
       (SELECT count(*) FROM r)"
rollup_exact() {	# rollup_exact DB WHAT
	local d
	d=$(sqlite3 "$1" "$ORACLE")
	if [ "${d%%|*}" = 0 ] && [ "${d##*|}" -gt 0 ]; then ok "$2: rollup = sums over flows (${d##*|} rows)"
	else bad "$2: rollup differs from the sums over flows in ${d%%|*} rows (of ${d##*|})"; fi
}

# 1. two generators' captures, 5-minute buckets
python3 "$SRCDIR/tests/tools/gen_truth.py" --out "$work/g1" --packets 20000 --seed 3 >/dev/null
python3 "$SRCDIR/tests/tools/gen_report_truth.py" --out "$work/g2" >/dev/null
for g in g1 g2; do
	while read -r file args; do
		# shellcheck disable=SC2086
		"$S" collect -q --db "$work/a.db" -r "$work/$g/$file" $args --bucket 300
	done < "$work/$g/args.txt"
done
[ "$(sqlite3 "$work/a.db" 'SELECT count(DISTINCT bucket) > count(DISTINCT bucket / 3600) FROM flows')" = 1 ] ||
	bad "the test needs several buckets per hour"
rollup_exact "$work/a.db" "collected"
# NFLOG logged more than pcap counted on three flows (as store_nflog_add records it,
# migration 6): flows.packets and bytes grow, the counted ones and the rollup do not;
# the report's totals must still be the sums of flows.packets and bytes
sqlite3 "$work/a.db" "UPDATE flows SET counted_packets = coalesce(counted_packets, packets),
	counted_bytes = coalesce(counted_bytes, bytes), nflog_packets = packets + 5,
	nflog_bytes = bytes + 500, packets = packets + 5, bytes = bytes + 500
	WHERE id IN (SELECT id FROM flows WHERE bucket >= $(date -u -d '2026-09-22 06:00' +%s)
		     ORDER BY id LIMIT 3)"
[ "$(sqlite3 "$work/a.db" "SELECT count(*) FROM flows WHERE packets > counted_packets")" = 3 ] ||
	bad "the NFLOG excess rows were not made"
rollup_exact "$work/a.db" "with NFLOG's excess"

# 2. totals of a period: report (JSON, CSV) vs sqlite3 over flows
totals_check() {	# totals_check SINCE UNTIL [-i IFACE]
	local since=$1 until=$2 s u len filter="" what="totals $1 .. $2${3:+ $3 $4}"
	shift 2
	s=$(date -u -d "${since/T/ }" +%s)
	u=$(date -u -d "${until/T/ }" +%s)
	len=$((u - s))
	[ $# -eq 2 ] && filter="AND iface = '$2'"
	sqlite3 -separator , "$work/a.db" "
		SELECT class, subclass, iface, sum(packets * (bucket >= $s)), sum(bytes * (bucket >= $s)),
		       sum(bucket >= $s), sum(packets * (bucket < $s)), sum(bytes * (bucket < $s)),
		       sum(bucket < $s)
		FROM flows WHERE bucket >= $((s - len)) AND bucket < $u $filter
		GROUP BY 1, 2, 3 ORDER BY 1, 2, 3" > "$work/want.csv"
	"$S" report --db "$work/a.db" --since "$since" --until "$until" --utc "$@" -f json --force -o "$work/r.json"
	python3 - "$work/r.json" > "$work/got.csv" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["tables"]["totals"]:
    print(",".join(str(r[k] if r[k] is not None else 0) for k in
                   ("class", "subclass", "iface", "packets", "bytes", "flows",
                    "prev_packets", "prev_bytes", "prev_flows")))
PY
	if [ -s "$work/want.csv" ] && diff -u "$work/want.csv" <(sort "$work/got.csv") > "$work/diff"; then
		ok "$what: JSON = sums over flows ($(wc -l < "$work/want.csv") rows)"
	else
		bad "$what: JSON differs from the sums over flows"; cat "$work/diff"
	fi
	"$S" report --db "$work/a.db" --since "$since" --until "$until" --utc "$@" -f csv --table totals --force \
		-o "$work/r.csv"
	if diff -u <(cut -d, -f1-6 "$work/want.csv") \
		<(python3 -c 'import csv, sys
for r in list(csv.DictReader(open(sys.argv[1]))):
    print(",".join(r[k] for k in ("class", "subclass", "iface", "packets", "bytes", "flows")))' \
		"$work/r.csv" | sort) > "$work/diff"; then
		ok "$what: CSV = sums over flows"
	else
		bad "$what: CSV differs"; cat "$work/diff"
	fi
}
totals_check 2026-09-22T00:00 2026-09-23T00:00
totals_check 2026-09-22T05:17 2026-09-22T19:43
totals_check 2026-09-22T10:10 2026-09-22T10:50
totals_check 2026-09-22T10:30 2026-09-22T11:20
totals_check 2026-09-21T22:05 2026-09-22T01:55
totals_check 2026-09-22T05:17 2026-09-22T19:43 -i edge
# the whole day's text report shows the same totals as the day's JSON
"$S" report --db "$work/a.db" --day 2026-09-22 --utc -f json -o "$work/day.json"
want=$(sqlite3 "$work/a.db" "SELECT sum(packets) FROM flows WHERE bucket >= $(date -u -d 2026-09-22 +%s)
			      AND bucket < $(date -u -d 2026-09-23 +%s)")
got=$(python3 -c 'import json, sys; print(sum(r["packets"] for r in json.load(open(sys.argv[1]))["tables"]["totals"]))' "$work/day.json")
[ "$got" = "$want" ] && ok "day total: $got packets" || bad "day total: $got packets, flows say $want"

# 3. prune at 2026-09-22 00:00 +05:30 = 2026-09-21 18:30 UTC
cp "$work/a.db" "$work/p.db"
keep=$(( ($(TZ=Asia/Kolkata date -d "today 00:00" +%s) - $(TZ=Asia/Kolkata date -d "2026-09-22 00:00" +%s)) / 86400 ))
cut=$(date -u -d "2026-09-21 18:30" +%s)
TZ=Asia/Kolkata "$S" prune --db "$work/p.db" --keep "$keep" > /dev/null
[ "$(sqlite3 "$work/p.db" "SELECT min(bucket) FROM flows")" -ge "$cut" ] || bad "prune kept flows before $cut"
split=$(sqlite3 "$work/p.db" "SELECT count(*) FROM flows WHERE bucket >= $((cut - 1800)) AND bucket < $((cut + 1800))")
[ "$split" -gt 0 ] || bad "no kept flows in the split hour: the test proves nothing"
[ "$(sqlite3 "$work/p.db" "SELECT count(*) FROM flows_hourly WHERE bucket < $((cut - 1800))")" = 0 ] ||
	bad "prune left rollup rows of pruned hours"
rollup_exact "$work/p.db" "pruned at 18:30 UTC ($split flows kept in the split hour)"

# 4. an old file at schema version 8 with these flows, migrated
for f in "$SRCDIR"/schema/00[1-8]_*.sql; do sqlite3 "$work/old.db" < "$f"; done
cols=$(sqlite3 "$work/old.db" "SELECT group_concat(name) FROM pragma_table_info('flows')")	# version 8's
sqlite3 "$work/old.db" "PRAGMA user_version = 8;
	ATTACH '$work/a.db' AS a;
	INSERT INTO migrations SELECT * FROM a.migrations WHERE version <= 8;
	INSERT INTO runs SELECT * FROM a.runs;
	INSERT INTO flows($cols) SELECT $cols FROM a.flows;"
sqlite3 "$work/old.db" "SELECT bucket - (bucket % 3600 + 3600) % 3600, class, subclass, iface, dir, family,
	sum(coalesce(counted_packets, packets)), sum(coalesce(counted_bytes, bytes)), count(*)
	FROM flows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6" > "$work/old_sums.txt"
[ "$(sqlite3 "$work/old.db" "SELECT count(*) FROM sqlite_master WHERE name = 'flows_report_totals'")" = 1 ] ||
	bad "the version-8 file lacks flows_report_totals"
"$S" report --db "$work/old.db" --day 2026-09-22 --utc --migrate > /dev/null
sqlite3 "$work/old.db" "SELECT bucket, class, subclass, iface, dir, family, packets, bytes, flows
	FROM flows_hourly ORDER BY 1, 2, 3, 4, 5, 6" > "$work/old_rollup.txt"
if [ -s "$work/old_sums.txt" ] && cmp -s "$work/old_sums.txt" "$work/old_rollup.txt"; then
	ok "migrated: rollup = sums over flows taken before ($(wc -l < "$work/old_sums.txt") rows)"
else
	bad "migrated: rollup differs from the sums taken before migrating"
fi
[ "$(sqlite3 "$work/old.db" "SELECT count(*) FROM sqlite_master WHERE name = 'flows_report_totals'")" = 0 ] &&
	ok "migrated: flows_report_totals dropped" || bad "migrated: flows_report_totals still there"
"$S" report --db "$work/old.db" --day 2026-09-22 --utc -f json -o "$work/old.json"
python3 - "$work/day.json" "$work/old.json" <<'PY' && ok "migrated: the day's report equals the collected file's" || bad "migrated: report differs"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for j in (a, b):
    j.pop("generated")
    for h in j["hosts"]:
        h.pop("path"); h.pop("name")
    for t in j["tables"].values():
        for r in t:
            r.pop("host", None)
diff = [t for t in ("totals", "totals_class", "top_sources", "top_ports", "new_sources") if a["tables"][t] != b["tables"][t]]
print(diff)
sys.exit(bool(diff))
PY
exit $fail
