#!/bin/bash
# `check` reads a large period's flows on several connections at once (one per CPU, each
# on a range of row ids, all on one snapshot: store_flows_split()). Whatever the number of
# readers, the flows read are every row of the period exactly once: the totals equal
# sqlite3's own count and sum over the table (the oracle), and the text and JSON outputs
# are the same with 1, 2, 3 and 4 readers (SPOOFAUDIT_CHECK_READERS forces the split
# however few the rows).
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

python3 "$SRCDIR/tests/tools/gen_truth.py" --out "$work/g" --packets 6000 --seed 5 > /dev/null
"$SPOOFAUDIT" collect -q -r "$work/g/eth.pcap" --db "$work/f.db"
"$SPOOFAUDIT" collect -q -r "$work/g/sll2.pcap" --db "$work/f.db"
printf '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -s 10.0.0.0/8 -j ACCEPT\nCOMMIT\n' > "$work/r.rules"
printf '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -s fc00::/7 -j ACCEPT\nCOMMIT\n' > "$work/r6.rules"
read -r rows pk < <(sqlite3 -separator ' ' "$work/f.db" "SELECT count(*), sum(packets) FROM flows")
[ "$rows" -ge 200 ] || bad "only $rows flow rows: too few to split"
for n in 1 2 3 4; do
	SPOOFAUDIT_CHECK_READERS=$n "$SPOOFAUDIT" check --ruleset "$work/r.rules" \
		--ruleset6 "$work/r6.rules" --db "$work/f.db" > "$work/t$n.txt" || bad "$n readers: exit $?"
	SPOOFAUDIT_CHECK_READERS=$n "$SPOOFAUDIT" check --ruleset "$work/r.rules" \
		--ruleset6 "$work/r6.rules" --db "$work/f.db" --format json > "$work/j$n.json" ||
		bad "$n readers: JSON exit $?"
	grep -q "^$rows flows, $pk packets from" "$work/t$n.txt" &&
		ok "$n readers: $rows flows, $pk packets, as sqlite3 counts them" ||
		bad "$n readers: $(grep -m1 'flows,' "$work/t$n.txt")"
done
for n in 2 3 4; do
	cmp -s "$work/t1.txt" "$work/t$n.txt" && ok "text: $n readers = 1 reader" ||
		{ bad "text: $n readers differ from 1"; diff "$work/t1.txt" "$work/t$n.txt" | head; }
	python3 - "$work/j1.json" "$work/j$n.json" <<'PY' && ok "JSON: $n readers = 1 reader" || bad "JSON: $n readers differ"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
for d in (a, b):
    d.pop("generated", None)
sys.exit(0 if a == b else 1)
PY
done
exit $fail
