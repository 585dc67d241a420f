#!/bin/bash
# Detection test (issue 11): tests/tools/gen_spoof.py writes a capture with a truth line
# per packet (legitimate population, forged sources, a SYN flood, backscatter, internal
# sources on the external interface); `spoofaudit collect -r` with the host's addresses
# classifies it, and tests/tools/spoof_rates.py scores every kind against the truth.
# Asserted: backscatter 100 % (with its subclass), legitimate packets <= 1 % flagged, no
# reply to the host's own connections flagged, every source's packet count kept. The
# rates of the kinds no class covers yet are printed, not asserted.
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for seed in 3 17; do
	python3 "$SRCDIR/tests/tools/gen_spoof.py" --out "$work/g$seed" --seed "$seed"
	# shellcheck disable=SC2046
	"$SPOOFAUDIT" collect -q --db "$work/s$seed.db" -r "$work/g$seed/spoof.pcap" \
		$(cat "$work/g$seed/args.txt")
	sqlite3 -csv "$work/s$seed.db" "SELECT src, dir, class, subclass, sum(packets) FROM flows
	                               GROUP BY src, dir, class, subclass" > "$work/flows$seed.csv"
	echo "== seed $seed: $(($(wc -l < "$work/g$seed/truth.csv") - 1)) packets"
	python3 "$SRCDIR/tests/tools/spoof_rates.py" "$work/g$seed/truth.csv" \
		"$work/flows$seed.csv" --assert
done
echo "ok: backscatter 100 %, legitimate <= 1 % flagged, on two seeds"
