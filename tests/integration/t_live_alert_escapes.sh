#!/bin/bash
# The live audit's violation lines quote rules of the intended policy; a comment there may
# hold ESC and BEL (`\e]0;pwned\a` would set the terminal's title) and a Latin-1 byte. On
# stderr (--alert stderr) those bytes must come out escaped (no raw 0x1b/0x07), and as JSON
# lines (--alert json) every line must parse with the rule text in it (invalid UTF-8
# repaired, the field not dropped). The intended policy has a commented rule the live
# ruleset lacks, so ruleset_differs names it. Root only (exit 77 otherwise).
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}" "${TOOLS:?}"
. "$SRCDIR/tests/integration/netns.sh"
ns_test_start lae iptables-restore

printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n' \
	> "$WORK/live.rules"
printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -p tcp --dport 7 -m comment --comment "x\033]0;pwned\007\033[2J lat\351n" -j DROP\nCOMMIT\n' \
	> "$WORK/intended.rules"
ip netns exec "$NS_A" iptables-restore < "$WORK/live.rules"
for mode in stderr json; do
	ip netns exec "$NS_A" "$SPOOFAUDIT" collect -q -i a0 -i lo --db "$WORK/$mode.db" \
		--role a0=external --flush-interval 1 --ruleset-poll 1 --alert $mode --user root \
		--duration 4 --policy "$WORK/intended.rules" > "$WORK/$mode.out" 2> "$WORK/$mode.err" || true
done
grep -a 'ruleset_differs' "$WORK/stderr.err" | head -3
grep -qa 'ruleset_differs.*dport 7' "$WORK/stderr.err" && ok "stderr: the commented rule is named" \
	|| bad "stderr: no ruleset_differs line for the rule"
if LC_ALL=C grep -q $'[\x1b\x07]' "$WORK/stderr.err"; then
	bad "raw ESC/BEL on stderr"
else
	ok "no raw ESC/BEL byte on stderr"
fi
grep -qaF 'x\x1b]0;pwned\x07\x1b[2J lat\xe9n' "$WORK/stderr.err" && ok "stderr: the comment is shown escaped" \
	|| bad "stderr: escaped comment missing"
python3 - "$WORK/json.out" <<'PY' || fail=1
import json, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    if o["kind"] == "ruleset_differs" and "dport 7" in o.get("message", ""):
        n += 1
        ok = "\x1b]0;pwned\x07" in o["message"] and "lat\ufffdn" in o["message"] and "lat\ufffdn" in o.get("intended", "")
        print(("ok" if ok else "FAIL") + ": json ruleset_differs line: message and intended kept, repaired")
        if not ok:
            print(repr(o)); sys.exit(1)
if n == 0:
    print("FAIL: no json ruleset_differs line for the rule"); sys.exit(1)
PY
exit $fail
