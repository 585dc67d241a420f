#!/bin/bash
# Issue 14 item 11: a killed run is visible in the report. Three `collect -r` runs of one
# capture; then, with the sqlite3 CLI, run 2 loses its end and every capture_stats row
# (killed before it wrote any: losses unknown), run 3 loses only its end (killed or still
# running after writing statistics). The text, JSON and HTML reports must name runs 2 and
# 3 as "unfinished (killed or still running)" with their start (read from the database
# by sqlite3), say that run 2's capture statistics are missing and where run 3's end, and
# not claim that nothing was lost; the JSON field unfinished_runs lists exactly those two.
# The report of the untampered database says nothing about unfinished runs.
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
command -v sqlite3 >/dev/null || { echo "skip: sqlite3 CLI missing"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TZ=UTC
. "$SRCDIR/tests/e2e/report_hostile_lib.sh"

hostile_pcapng "$work/c.pcapng" "$(printf 'eth0' | od -An -tx1 | tr -d ' \n')"
for i in 1 2 3; do
	"$SPOOFAUDIT" collect -q --db "$work/clean.db" -r "$work/c.pcapng" --host-addr 45.33.1.10 >/dev/null
done
cp "$work/clean.db" "$work/killed.db"
sqlite3 "$work/killed.db" "
  UPDATE runs SET ended_usec = NULL WHERE id IN (2, 3);
  DELETE FROM capture_stats WHERE source_id IN (SELECT id FROM sources WHERE run_id = 2);"
sqlite3 -separator ' ' "$work/killed.db" \
	"SELECT id, started_usec, (SELECT max(c.end_usec) FROM capture_stats c JOIN sources s ON s.id = c.source_id WHERE s.run_id = runs.id), host FROM runs ORDER BY id" > "$work/runs.txt"

for db in clean killed; do
	"$SPOOFAUDIT" report --db "$work/$db.db" --day 2026-09-21 --utc > "$work/$db.txt"
	"$SPOOFAUDIT" report --db "$work/$db.db" --day 2026-09-21 --utc -f json -o "$work/$db.json"
	"$SPOOFAUDIT" report --db "$work/$db.db" --day 2026-09-21 --utc -f html -o "$work/$db.html"
done

python3 - "$work" "$SRCDIR/reports/report-schema.json" <<'PY'
import datetime, html, json, re, sys
w, schema = sys.argv[1], json.load(open(sys.argv[2]))
import os
sys.path.insert(0, os.environ["SRCDIR"] + "/tests/tools")
from tcheck import check, done

def utc(us, fmt):
    return datetime.datetime.fromtimestamp(int(us) // 1000000, datetime.timezone.utc).strftime(fmt)

runs = {}
for line in open(w + "/runs.txt"):
    rid, started, last, host = line.split(" ", 3)
    runs[int(rid)] = (started, last, host.strip())
check(sorted(runs) == [1, 2, 3] and runs[2][1] == "" and runs[3][1] != "", "the database was tampered as meant")
host = runs[1][2]

def sentences(text):
    return re.sub(r"\s+", " ", text)

for db in ("killed", "clean"):
    txt = sentences(open(w + "/%s.txt" % db).read())
    htm = sentences(html.unescape(re.sub(r"<[^>]+>", " ", open(w + "/%s.html" % db).read())))
    j = json.load(open(w + "/%s.json" % db))
    notes = sentences(" ".join(n["text"] for n in j["notes"]))
    check("unfinished_runs" in schema["properties"] and "unfinished_runs" in schema["required"],
          "the schema documents unfinished_runs")
    if db == "clean":
        for name, t in (("text", txt), ("html", htm), ("json notes", notes)):
            check("unfinished" not in t.lower(), "clean %s says nothing about unfinished runs" % name)
        check(j.get("unfinished_runs") == [], "clean json: unfinished_runs is []")
        check("No drops, overruns, sequence gaps or write failures were recorded" in txt,
              "clean text: nothing lost (the control for the killed database)")
        continue
    for name, t in (("text", txt), ("html", htm), ("json notes", notes)):
        for rid in (2, 3):
            start = utc(runs[rid][0], "%Y-%m-%d %H:%M")
            check(re.search(r"Run %d \(started %s\) is unfinished \(killed or still running\)"
                            % (rid, re.escape(start)), t) is not None,
                  "%s names run %d, started %s, as unfinished" % (name, rid, start))
        check("Run 1 " not in t, "%s does not name the finished run 1" % name)
        check(re.search(r"Run 2 [^.]*capture statistics are missing[^.]*losses[^.]* unknown", t) is not None,
              "%s: run 2's capture statistics are missing, its losses unknown" % name)
        end3 = utc(runs[3][1], "%Y-%m-%d %H:%M")
        check(re.search(r"Run 3 [^.]*capture statistics end at %s" % re.escape(end3), t) is not None,
              "%s: run 3's statistics end at %s" % (name, end3))
        m = re.search(r"No drops, overruns, sequence gaps or write failures were recorded[^.]*\.", t)
        check(m is None or "unknown" in m.group(0), "%s does not claim nothing was lost: %s" % (name, m and m.group(0)))
    u = j.get("unfinished_runs")
    want = [{"host": host, "run": 2, "started": utc(runs[2][0], "%Y-%m-%dT%H:%M:%SZ"), "last_stats": None,
             "capture_stats_missing": True},
            {"host": host, "run": 3, "started": utc(runs[3][0], "%Y-%m-%dT%H:%M:%SZ"),
             "last_stats": utc(runs[3][1], "%Y-%m-%dT%H:%M:%SZ"), "capture_stats_missing": False}]
    check(u == want, "json unfinished_runs %s == %s" % (u, want))
done()
PY
