#!/bin/bash
# Issue 14 item 8: no byte an attacker chose can move the cursor of the terminal that
# shows a text report. A pcapng if_name, an NFLOG prefix, runs.host and a command line
# carry ESC, BEL, OSC/CSI sequences (ESC ] 0;pwned BEL sets the window title, ESC [ 2 J
# clears the screen), DEL, a C1 CSI (U+009B) and a raw 0x9b byte. The text report (one
# database, and two, where host names head groups and notes) must be valid UTF-8 with no
# C0 control but the newline, no DEL and no C1 control, show the escaped bytes as "\x1b"
# text, and stay within 100 columns. The HTML report of the same database must carry no
# such byte either, and HTML-escape "<" from the database.
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
command -v sqlite3 >/dev/null || { echo "skip: sqlite3 CLI missing"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TZ=UTC
. "$SRCDIR/tests/e2e/report_hostile_lib.sh"

# if_name "e" ESC "]0;pw" BEL ESC "[2J" (12 bytes)
hostile_db "$work/t.db" 651b5d303b7077071b5b324a
sqlite3 "$work/t.db" "
  UPDATE runs SET host = 'h' || CAST(X'1b5d303b70776e6564071b5b324a' AS TEXT) || 'x',
                  cmdline = 'collect ' || CAST(X'1b5b3f31303439681b5b324a7f' AS TEXT) || ' -r f';"
hostile_nflog "$work/t.db" "'<z>' || CAST(X'1b5b33316d07c29b9b7f' AS TEXT) || 'p:'"
cp "$work/t.db" "$work/t2.db"

"$SPOOFAUDIT" report --db "$work/t.db" --day 2026-09-21 --utc > "$work/one.txt"
"$SPOOFAUDIT" report --db "$work/t.db" --db "$work/t2.db" --day 2026-09-21 --utc > "$work/two.txt"
"$SPOOFAUDIT" report --db "$work/t.db" --day 2026-09-21 --utc --ascii > "$work/ascii.txt"
"$SPOOFAUDIT" report --db "$work/t.db" --day 2026-09-21 --utc -f html -o "$work/r.html"

python3 - "$work" <<'PY'
import sys
w = sys.argv[1]
import os
sys.path.insert(0, os.environ["SRCDIR"] + "/tests/tools")
from tcheck import check, done

def controls(text, allowed="\n"):
    return sorted({"U+%04X" % ord(c) for c in text
                   if (ord(c) < 0x20 and c not in allowed) or 0x7f <= ord(c) <= 0x9f})

def utf8(name, raw):
    try:
        text = raw.decode("utf-8")
        check(True, "%s is valid UTF-8" % name)
    except UnicodeDecodeError as e:
        check(False, "%s is valid UTF-8 (%s)" % (name, e))
        text = raw.decode("utf-8", "backslashreplace")
    return text

for name in ("one.txt", "two.txt", "ascii.txt"):
    raw = open(w + "/" + name, "rb").read()
    text = utf8(name, raw)
    check(not controls(text), "%s: no C0 (but newline), DEL or C1 control: %s" % (name, controls(text)))
    check(all(len(l) <= 100 for l in text.split("\n")), "%s: lines within 100 columns" % name)
    # the escaped bytes are shown as text where the names were
    check("h\\x1b]0;pwned\\x07\\x1b[2Jx" in text, "%s: the host name shown escaped" % name)
    check("\\x1b[31m\\x07\\xc2\\x9b" in text, "%s: the NFLOG prefix shown escaped" % name)
    check("e\\x1b]0;pw" in text, "%s: the interface name shown escaped" % name)
two = open(w + "/two.txt", "rb").read().decode("utf-8", "backslashreplace")
check(" [h\\x1b]0;pwned\\x07\\x1b[2Jx]" in two, "two databases: the host group line escaped")

html = utf8("r.html", open(w + "/r.html", "rb").read())
check(not controls(html, "\n\t"), "html: no C0 (but newline and tab), DEL or C1 control: %s" % controls(html, "\n\t"))
check("<z>" not in html and "&lt;z&gt;" in html, "html: '<' from the database is escaped")
done()
PY
