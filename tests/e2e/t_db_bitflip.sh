#!/bin/bash
# Damaged databases (issue 14, item 10): copies of a real database get random bytes of
# their data pages (never the 100-byte header) flipped, with fixed seeds, a few at a time
# until the sqlite3 CLI's PRAGMA quick_check (the oracle) reports a problem. report,
# export, check and prune --dry-run must then exit non-zero with a clear message rather
# than print wrong totals with exit 0.
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TZ=UTC
S=$SPOOFAUDIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

python3 "$SRCDIR/tests/tools/gen_truth.py" --out "$work/gen" --packets 3000 --seed 4 >/dev/null
while read -r file args; do
	# shellcheck disable=SC2086
	"$S" collect -q --db "$work/real.db" -r "$work/gen/$file" $args
done < "$work/gen/args.txt"
[ "$(sqlite3 "$work/real.db" 'PRAGMA quick_check')" = ok ] || { echo "FAIL: base DB damaged"; exit 1; }
printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n' \
	> "$work/rules"
day=2026-09-21
"$S" report --db "$work/real.db" --day $day --utc -f json -o "$work/real.json"

# flip DB SEED: flips 8 random bytes past the header per round until quick_check fails
flip() {
	python3 - "$1" "$2" <<'PY'
import random, subprocess, sys
path, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
data = bytearray(open(path, "rb").read())
for rnd in range(200):
    for _ in range(8):
        i = rng.randrange(100, len(data))
        data[i] ^= 1 << rng.randrange(8)
    open(path, "wb").write(data)
    r = subprocess.run(["sqlite3", path, "PRAGMA quick_check"], capture_output=True, text=True)
    if r.returncode != 0 or r.stdout.strip() != "ok":
        print(rnd + 1)
        sys.exit(0)
sys.exit(1)
PY
}
nseeds=20 accepted_before=0
for seed in $(seq 1 $nseeds); do
	db="$work/f$seed.db"
	cp "$work/real.db" "$db"
	rounds=$(flip "$db" "$seed") || { bad "seed $seed: no damage quick_check sees"; continue; }
	for c in "report --day $day --utc -f json -o $work/o.json" "export --day $day -w $work/o.pcapng" \
		 "check --ruleset $work/rules --day $day" "prune --keep 1 --dry-run"; do
		cp "$db" "$work/t.db"
		rc=0
		# shellcheck disable=SC2086
		timeout 60 "$S" $c --db "$work/t.db" > /dev/null 2> "$work/err" || rc=$?
		if [ "$rc" = 0 ]; then
			bad "seed $seed ($rounds rounds): ${c%% *} exit 0 on a damaged database"
		elif [ "$rc" -ge 124 ]; then
			bad "seed $seed: ${c%% *} timed out or crashed (exit $rc)"
		elif ! grep -qiE 'damaged|malformed|not an SQLite|not a spoofaudit|corrupt' "$work/err"; then
			bad "seed $seed: ${c%% *} exit $rc, unclear: $(head -c 300 "$work/err")"
		fi
	done
done
[ $fail = 0 ] && ok "$nseeds damaged copies refused by report, export, check and prune"
msg=$(cp "$work/f1.db" "$work/t.db"; "$S" report --db "$work/t.db" --day $day 2>&1 >/dev/null || true)
echo "e.g.: $msg"
exit $fail
