#!/bin/bash
# A period that only NFLOG saw (collect --nflog without -i) is no sample of the traffic:
# the report must not give a spoofed share of "all" packets, must not say "None." for the
# spoofed packets pcap saw that no rule logged (pcap did not run), and must not say there
# was no loopback traffic (loopback was not captured). The NFLOG-only database is a real
# collect -r database whose sources are then marked NFLOG, as an NFLOG-only run records
# them; the same database unmarked is the control (issue 15).
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

python3 "$SRCDIR/tests/tools/gen_truth.py" --out "$work/g" --packets 400 --seed 3 >/dev/null
read -r file args < <(grep '^eth.pcap' "$work/g/args.txt")
# shellcheck disable=SC2086
"$SPOOFAUDIT" collect -q --db "$work/pcap.db" -r "$work/g/$file" $args
cp "$work/pcap.db" "$work/nflog.db"
sqlite3 "$work/nflog.db" "UPDATE sources SET kind = 'nflog', name = 'nflog:5'"
day=$(sqlite3 "$work/pcap.db" "SELECT date(min(bucket), 'unixepoch') FROM flows")
for d in pcap nflog; do
	"$SPOOFAUDIT" report --db "$work/$d.db" --day "$day" --utc > "$work/$d.txt"
	"$SPOOFAUDIT" report --db "$work/$d.db" --day "$day" --utc -f json -o "$work/$d.json"
done
section() { awk -v t="$2" '$0 == t {p = 1; next} p && /^$/ {exit} p' "$1"; }

grep -q '^Packets: [0-9]*, of them spoofed [0-9]* ([0-9.]*%)' "$work/pcap.txt" &&
	ok "control: pcap's header gives the spoofed share" || bad "control header"
grep -q '^Packets logged by NFLOG rules (pcap did not run): [0-9]*, of them spoofed [0-9]*$' \
	"$work/nflog.txt" && ok "NFLOG only: the header says what the packets are" ||
	bad "NFLOG only header: $(grep '^Packets' "$work/nflog.txt")"
grep -q '^Packets.*%' "$work/nflog.txt" && bad "NFLOG only: a share of all traffic is given" ||
	ok "NFLOG only: no share of all traffic"
section "$work/pcap.txt" "Spoofed packets pcap saw that no NFLOG rule logged" | grep -q 'pcap did not run' &&
	bad "control: says pcap did not run" || ok "control: the unlogged table does not say pcap did not run"
section "$work/nflog.txt" "Spoofed packets pcap saw that no NFLOG rule logged" | tr '\n' ' ' |
	grep -q 'pcap did not run' && ok "NFLOG only: the unlogged table says pcap did not run" ||
	bad "NFLOG only unlogged: $(section "$work/nflog.txt" "Spoofed packets pcap saw that no NFLOG rule logged")"
section "$work/nflog.txt" "Services reached over loopback" | tr '\n' ' ' |
	grep -q 'loopback was not captured' && ok "NFLOG only: loopback said not captured" ||
	bad "NFLOG only loopback: $(section "$work/nflog.txt" "Services reached over loopback")"
python3 - "$work/pcap.json" "$work/nflog.json" <<'PY' && ok "JSON summary.pcap_ran true / false" || bad "JSON pcap_ran"
import json, sys
a, b = (json.load(open(p))["summary"]["pcap_ran"] for p in sys.argv[1:3])
sys.exit(0 if a is True and b is False else 1)
PY
exit $fail
