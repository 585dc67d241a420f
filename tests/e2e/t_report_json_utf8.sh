#!/bin/bash
# Issue 14 item 5: invalid UTF-8 in database text never empties the JSON report. A pcapng
# whose 16-byte if_name ("wan-" and six "é") is cut mid-character by the collector, a
# runs.host, an NFLOG prefix and a ruleset comment (a violation's intended-policy text)
# holding invalid bytes: the JSON report exits 0, holds every table the schema
# (reports/report-schema.json) requires, the same rows and notes as the report of a clean
# database made from the same packets, and U+FFFD exactly where the bad bytes were (the
# oracle is python3's UTF-8 decoder, one U+FFFD per byte it rejects).
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
command -v sqlite3 >/dev/null || { echo "skip: sqlite3 CLI missing"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TZ=UTC
. "$SRCDIR/tests/e2e/report_hostile_lib.sh"
mkdir "$work/bad" "$work/good"

# hostile: if_name of 16 bytes (the collector keeps 15, ending in half an "é"); host
# "gw-" 0xff "-x"; NFLOG prefix "spoof" + the overlong 0xc0 0xaf; a rule comment with
# a euro sign cut after two bytes (0xe2 0x82) and a lone continuation byte 0x80.
hostile_db "$work/bad/r.db" "$(printf 'wan-éééééé' | od -An -tx1 | tr -d ' \n')"
sqlite3 "$work/bad/r.db" "UPDATE runs SET host = 'gw-' || CAST(X'ff' AS TEXT) || '-x';"
hostile_nflog "$work/bad/r.db" "'spoof' || CAST(X'c0af' AS TEXT) || ':'"
hostile_violation "$work/bad/r.db" "'DROP -m comment --comment \"cost ' || CAST(X'e282' AS TEXT) || '5 ' || CAST(X'80' AS TEXT) || '\"'"
# clean: the same packets and rows with valid text
hostile_db "$work/good/r.db" "$(printf 'wan0' | od -An -tx1 | tr -d ' \n')"
sqlite3 "$work/good/r.db" "UPDATE runs SET host = 'gw';"
hostile_nflog "$work/good/r.db" "'spoof:'"
hostile_violation "$work/good/r.db" "'DROP -m comment --comment \"cost 5\"'"

rc=0
"$SPOOFAUDIT" report --db "$work/bad/r.db" --day 2026-09-21 --utc -f json -o "$work/bad.json" || rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL: report of the hostile database exited $rc"; exit 1; }
"$SPOOFAUDIT" report --db "$work/good/r.db" --day 2026-09-21 --utc -f json -o "$work/good.json"

python3 - "$work" "$SRCDIR/reports/report-schema.json" <<'PY'
import codecs, json, sys
w, schema = sys.argv[1], json.load(open(sys.argv[2]))
import os
sys.path.insert(0, os.environ["SRCDIR"] + "/tests/tools")
from tcheck import check, done

def per_byte(e):	# one U+FFFD per rejected byte
    return ("\ufffd" * (e.end - e.start), e.end)
codecs.register_error("per_byte", per_byte)
def fix(b):
    return b.decode("utf-8", "per_byte")

bad, good = json.load(open(w + "/bad.json")), json.load(open(w + "/good.json"))
want_tables = sorted(schema["properties"]["tables"]["required"])
check(len(want_tables) == 19, "the schema requires 19 tables")
check(sorted(bad["tables"]) == want_tables, "hostile report has every table: missing %s" %
      sorted(set(want_tables) - set(bad["tables"])))
check(sorted(good["tables"]) == want_tables, "clean report has every table")
for t in want_tables:
    nb, ng = len(bad["tables"].get(t, [])), len(good["tables"].get(t, []))
    check(nb == ng, "table %s: %d rows, clean %d" % (t, nb, ng))
check(len(bad["notes"]) == len(good["notes"]), "notes: %d, clean %d" % (len(bad["notes"]), len(good["notes"])))
check(len(good["tables"]["nflog"]) >= 2 and len(good["tables"]["policy"]) == 1,
      "the clean report shows the NFLOG rows and the violation (the comparison means something)")

iface = fix("wan-éééééé".encode()[:15])
host = fix(b"gw-\xff-x")
prefix = fix(b"spoof\xc0\xaf:")
comment = fix(b'DROP -m comment --comment "cost \xe2\x825 \x80"')
check(iface == "wan-ééééé\ufffd" and host == "gw-\ufffd-x" and prefix == "spoof\ufffd\ufffd:"
      and comment.count("\ufffd") == 3, "the oracle replaces the bad bytes")
def T(name):
    return bad["tables"].get(name, [])
check([r["iface"] for r in T("interfaces")] == [iface], "interfaces: %r" %
      [r.get("iface") for r in T("interfaces")])
check({r["iface"] for r in T("totals")} == {iface}, "totals iface")
check([r["iface"] for r in T("totals_iface")] == [iface], "totals_iface iface")
check(iface in [r["iface"] for r in T("sources")], "sources iface")
check((bad["hosts"] or [{}])[0].get("name") == host, "hosts[0].name %r" % (bad["hosts"] or [{}])[0].get("name"))
check({r["run_host"] for r in T("runs")} == {host}, "runs run_host")
check({r["host"] for t in want_tables for r in T(t)} == {host}, "every row's host")
check({r["prefix"] for r in T("nflog")} == {prefix}, "nflog prefix %r" %
      {r["prefix"] for r in T("nflog")})
check([r["intended"] for r in T("policy")] == [comment], "policy intended %r" %
      [r["intended"] for r in T("policy")])
# every other value equals the clean report's once the replaced text is mapped back
gmap = {iface: "wan0", host: "gw", prefix: "spoof:", comment: 'DROP -m comment --comment "cost 5"'}
def norm(v):
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items() if k not in ("started", "ended", "last_stats")}
    if isinstance(v, list):
        return [norm(x) for x in v]
    return gmap.get(v, v).replace("/bad/", "/good/") if isinstance(v, str) else v
check(norm(bad["tables"]) == norm(good["tables"]), "tables equal the clean report's but for the text")
done()
PY
