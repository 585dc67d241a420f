#!/bin/bash
# Issue 14 item 9: CSV formula injection. Text cells from the database that begin with
# = + - @ TAB or CR (an interface named =HYPERLINK("h") by a pcapng if_name, NFLOG
# prefixes) are written as OWASP advises: quoted, with a single quote ' before the text,
# so that a spreadsheet shows text and evaluates nothing. Numbers stay numbers: the
# count columns, and a text cell that is a plain number (a kernel setting "-1") are
# written as they are. The expected cells are written out by hand below.
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
command -v sqlite3 >/dev/null || { echo "skip: sqlite3 CLI missing"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TZ=UTC
. "$SRCDIR/tests/e2e/report_hostile_lib.sh"

# if_name =HYPERLINK("h") (15 bytes, all of which the collector keeps)
hostile_db "$work/c.db" "$(printf '=HYPERLINK("h")' | od -An -tx1 | tr -d ' \n')"
hostile_nflog "$work/c.db" "'+cmd|'' /C calc''!A0'"
hostile_nflog "$work/c.db" "'-2+3'"
hostile_nflog "$work/c.db" "'@SUM(1+1)'"
hostile_nflog "$work/c.db" "char(9) || '=1+1'"
hostile_nflog "$work/c.db" "char(13) || 'cr'"
hostile_nflog "$work/c.db" "'spoof-lo:'"
sqlite3 "$work/c.db" "INSERT INTO kernel_ctx SELECT min(id), 'all', 'rp_filter', '-1' FROM runs;"
for t in interfaces totals nflog kernel; do
	"$SPOOFAUDIT" report --db "$work/c.db" --day 2026-09-21 --utc -f csv --table $t -o "$work/$t.csv"
done

python3 - "$work" <<'PY'
import csv, sys
w = sys.argv[1]
import os
sys.path.insert(0, os.environ["SRCDIR"] + "/tests/tools")
from tcheck import check, done

def raw(name):
    return open(w + "/" + name, newline="").read()
def rows(name):
    with open(w + "/" + name, newline="") as f:
        return list(csv.DictReader(f))

# the raw cells, written out by hand
hyper = '"\'=HYPERLINK(""h"")"'
for t in ("interfaces", "totals"):
    check(("," + hyper + ",") in raw(t + ".csv"), "%s.csv holds the cell %s" % (t, hyper))
    check('=HYPERLINK' not in raw(t + ".csv").replace(hyper, ""), "%s.csv: no other copy of the formula" % t)
    check({r["iface"] for r in rows(t + ".csv")} == {"'=HYPERLINK(\"h\")"}, "%s.csv iface parses as '=HYPERLINK(\"h\")" % t)
nf = raw("nflog.csv")
want = ['"\'+cmd|\' /C calc\'!A0"', '"\'-2+3"', '"\'@SUM(1+1)"', '"\'\t=1+1"', '"\'\rcr"']
for cell in want:
    check(("," + cell + ",") in nf, "nflog.csv holds the cell %r" % cell)
check(",spoof-lo:," in nf, "nflog.csv: an ordinary prefix is written as it is")
prefixes = sorted({r["prefix"] for r in rows("nflog.csv")})
check(prefixes == sorted(["'+cmd|' /C calc'!A0", "'-2+3", "'@SUM(1+1)", "'\t=1+1", "'\rcr", "spoof-lo:"]),
      "nflog prefixes parse as %r" % prefixes)
# numbers stay numbers: the counts, and a text cell that is a plain number
check(all(r["packets"].isdigit() and r["bytes"].isdigit() for r in rows("nflog.csv") + rows("totals.csv")),
      "every packets and bytes cell is a bare number")
check(",all,-1," in raw("kernel.csv"), "kernel value -1 (rp_filter column of scope all) written as a number")
done()
PY
