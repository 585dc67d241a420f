#!/bin/bash
# Rulesets carry bytes an attacker may choose: a comment (-m comment) and a user chain name
# with ESC and BEL (`\e]0;pwned\a` sets a terminal's title, `\e[2J` clears it) and a
# comment with a Latin-1 byte (not UTF-8). `check`'s text output must hold no raw ESC or
# BEL byte (they are written escaped, \x1b), and `check --format json` must list every rule
# of the ruleset (the oracle: its count of -A lines), the Latin-1 byte repaired to U+FFFD,
# never a silently shorter "rules" array with exit 0.
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

python3 "$SRCDIR/tests/tools/gen_truth.py" --out "$work/gen" --packets 300 --seed 3 > /dev/null
read -r file args < "$work/gen/args.txt"
# shellcheck disable=SC2086
"$SPOOFAUDIT" collect -q --db "$work/t.db" -r "$work/gen/$file" $args
printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:X\033]0;pwned\007 - [0:0]\n-A INPUT -m comment --comment "c\033]0;pwned\007\033[2J" -j ACCEPT\n-A INPUT -m comment --comment "lat\351n" -j DROP\n-A INPUT -j X\033]0;pwned\007\nCOMMIT\n' \
	> "$work/r.rules"
nrules=$(grep -c '^-A ' "$work/r.rules")

rc=0
"$SPOOFAUDIT" check --ruleset "$work/r.rules" --db "$work/t.db" > "$work/out.txt" 2> "$work/err.txt" || rc=$?
[ $rc = 0 ] && ok "check text: exit 0" || bad "check text: exit $rc: $(cat "$work/err.txt")"
if LC_ALL=C grep -q $'[\x1b\x07]' "$work/out.txt" "$work/err.txt"; then
	bad "raw ESC/BEL in check's text output"
else
	ok "no raw ESC/BEL byte in check's text output"
fi
grep -qF -- '--comment "c\x1b]0;pwned\x07\x1b[2J"' "$work/out.txt" && ok "the comment is shown escaped" \
	|| bad "escaped comment missing"
grep -qF -- '-j X\x1b]0;pwned\x07' "$work/out.txt" && ok "the chain name is shown escaped" \
	|| bad "escaped chain name missing"
grep -qF -- 'lat\xe9n' "$work/out.txt" && ok "the Latin-1 byte is shown escaped" || bad "Latin-1 byte not escaped"

rc=0
"$SPOOFAUDIT" check --ruleset "$work/r.rules" --db "$work/t.db" --format json > "$work/out.json" \
	2> "$work/err.txt" || rc=$?
[ $rc = 0 ] && ok "check json: exit 0" || bad "check json: exit $rc: $(cat "$work/err.txt")"
python3 - "$work/out.json" "$nrules" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
want = int(sys.argv[2])
texts = [r["text"] for r in d["rules"]]
bad = 0
if len(texts) != want:
    print("FAIL: json has %d rules, the ruleset %d" % (len(texts), want)); bad = 1
else:
    print("ok: json lists all %d rules" % want)
if any('--comment "lat\ufffdn"' in t for t in texts):
    print("ok: the Latin-1 byte is repaired to U+FFFD")
else:
    print("FAIL: no repaired Latin-1 comment in", texts); bad = 1
if any("\x1b]0;pwned\x07" in t for t in texts):
    print("ok: the ESC/BEL comment is kept (JSON escapes it)")
else:
    print("FAIL: ESC/BEL comment lost"); bad = 1
sys.exit(bad)
PY
exit $fail
