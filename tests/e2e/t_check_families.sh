#!/bin/bash
# `check` with only an IPv4 ruleset never hides the IPv6 flows in its totals (issue 9,
# fault 8): the first lines say how many IPv6 flows and packets were NOT evaluated, and
# JSON lists them under not_evaluated. With --ruleset6 both families are evaluated in one
# run and the IPv4-mapped loopback source (::ffff:127.0.0.1, which IPv6 input does not
# drop) is a hole of an accept-all ruleset. Oracle: the packet list of gen_families.py
# (IPv6: ::1 -> host x2, 2001:db8::77 -> ::1 x8, ::ffff:127.0.0.1 -> host x4, own x6).
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

python3 "$SRCDIR/tests/tools/gen_families.py" "$work/f.pcap"
"$SPOOFAUDIT" collect -q -r "$work/f.pcap" --iface-name eth0 --role eth0=external \
	--host-addr 192.0.2.1 --host-addr 2001:db8::1 --db "$work/f.db"
printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n' > "$work/acc.rules"

"$SPOOFAUDIT" check --ruleset "$work/acc.rules" --db "$work/f.db" > "$work/v4.txt"
"$SPOOFAUDIT" check --ruleset "$work/acc.rules" --db "$work/f.db" --format json > "$work/v4.json"
head -3 "$work/v4.txt" | grep -q '^NOT EVALUATED: the 4 IPv6 flows (20 packets): no IPv6 ruleset' &&
	ok "text: the 4 IPv6 flows, 20 packets, not evaluated, in the first lines" ||
	bad "text: no NOT EVALUATED line: $(head -3 "$work/v4.txt")"
grep -q 'ffff:127' "$work/v4.txt" && bad "text: an unevaluated IPv6 flow is shown as evaluated" ||
	ok "text: no IPv6 flow among the findings"
"$SPOOFAUDIT" check --ruleset "$work/acc.rules" --ruleset6 "$work/acc.rules" --db "$work/f.db" \
	--format json > "$work/both.json"
"$SPOOFAUDIT" check --ruleset "$work/acc.rules" --ruleset6 "$work/acc.rules" --db "$work/f.db" \
	> "$work/both.txt"
grep -q '^NOT EVALUATED' "$work/both.txt" && bad "both: NOT EVALUATED with --ruleset6" ||
	ok "both: every flow evaluated"
python3 - "$work/v4.json" "$work/both.json" <<'PY' || fail=1
import json, sys
v4, both = (json.load(open(f)) for f in sys.argv[1:3])
bad = 0
def check(c, what):
    global bad
    print(("ok: " if c else "FAIL: ") + what)
    bad |= not c
ne = v4.get("not_evaluated")
check(ne == [{"family": 6, "flows": 4, "packets": 20, "why": "no IPv6 ruleset (--ruleset6)"}],
      "json: not_evaluated lists the IPv6 flows: %s" % ne)
check(both.get("not_evaluated") == [], "json --ruleset6: not_evaluated is empty")
holes = [f for f in both["findings"] if "ipv4_mapped_loopback" in json.dumps(f)]
check(len(holes) == 1 and holes[0].get("packets") == 4,
      "json --ruleset6: the ::ffff:127.0.0.1 flow (4 packets) is a finding: %s" % holes)
sys.exit(bad)
PY
exit $fail
