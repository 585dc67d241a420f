#!/bin/bash
# Hop-count learning survives a restart and a prune (issue 11, acceptance 3). One
# generated population (tests/tools/gen_spoof.py --spoof-prefix: forged sources inside
# legitimate clients' /24s, in the capture's last 15 s) is split by time into two files.
# Run 1 collects file 1 only; run 2 collects file 2 into the same database. Asserted, from
# the generator's truth: every forged source of file 2 whose /24's clients all came in
# file 1 and whose hop count differs from theirs by more than the tolerance (1) is
# flagged suspect_src/hop_count by run 2, and by no run over file 2 alone (a fresh
# database: nothing learned); after `spoofaudit prune` has removed every flow, the learned
# table still holds every row it held.
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
S=$SPOOFAUDIT

python3 "$SRCDIR/tests/tools/gen_spoof.py" --out "$work/g" --seed 5 --spoof-prefix 300
# split at 850 s after the first packet: file 1 holds every frame before, file 2 the rest;
# prints the last frame number of file 1
last1=$(python3 - "$work/g/spoof.pcap" "$work/one.pcap" "$work/two.pcap" <<'PY'
import struct, sys
src, one, two = sys.argv[1:]
data = open(src, "rb").read()
hdr, off, n, t0, last1 = data[:24], 24, 0, None, 0
outs = [open(one, "wb"), open(two, "wb")]
for o in outs:
    o.write(hdr)
while off < len(data):
    sec, usec, incl, orig = struct.unpack("<IIII", data[off:off + 16])
    n += 1
    t0 = sec if t0 is None else t0
    first = sec - t0 < 850
    outs[0 if first else 1].write(data[off:off + 16 + incl])
    last1 = n if first else last1
    off += 16 + incl
print(last1)
PY
)
args=$(cat "$work/g/args.txt")
# shellcheck disable=SC2086
"$S" collect -q --db "$work/a.db" -r "$work/one.pcap" $args
learned=$(sqlite3 "$work/a.db" "SELECT count(*) FROM hopcount")
[ "$learned" -gt 100 ] || { echo "FAIL: run 1 learned $learned prefixes"; exit 1; }
# --policy makes the capture thread write itself (no writer thread): the same table
printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n' > "$work/rules"
# shellcheck disable=SC2086
"$S" collect -q --db "$work/p.db" -r "$work/one.pcap" $args --policy "$work/rules"
q='SELECT prefix, hops_lo, hops_hi, proofs FROM hopcount ORDER BY prefix'
[ "$(sqlite3 "$work/p.db" "$q" | md5sum)" = "$(sqlite3 "$work/a.db" "$q" | md5sum)" ] ||
	{ echo "FAIL: the capture thread's own writes learned another table than the writer's"; exit 1; }
# shellcheck disable=SC2086
"$S" collect -q --db "$work/a.db" -r "$work/two.pcap" $args
# shellcheck disable=SC2086
"$S" collect -q --db "$work/b.db" -r "$work/two.pcap" $args

# the oracle: forged sources of file 2 in a /24 whose clients all came in file 1, and
# differ from them by more than one hop
python3 - "$work/g/truth.csv" "$last1" > "$work/expect" <<'PY'
import csv, sys
truth, last1 = sys.argv[1], int(sys.argv[2])
nets, spoof = {}, {}
for r in csv.DictReader(open(truth)):
    if r["dir"] != "in":
        continue
    net = r["src"].rsplit(".", 1)[0]
    if r["kind"] == "legit" and r["note"] == "client":
        nets.setdefault(net, []).append((int(r["frame"]), int(r["hops"])))
    elif r["kind"] == "spoof_prefix":
        spoof[r["src"]] = (int(r["frame"]), int(r["hops"]), net)
for src, (frame, h, net) in sorted(spoof.items()):
    seen = nets.get(net, [])
    if frame > last1 and seen and all(f <= last1 for f, _ in seen) and \
            all(abs(h - x) > 1 for _, x in seen):
        print(src)
PY
n=$(wc -l < "$work/expect")
[ "$n" -ge 20 ] || { echo "FAIL: only $n forged sources to test (generator changed?)"; exit 1; }
flagged() {	# the sources of $2 (file) stored as suspect_src/hop_count in database $1
	sqlite3 "$1" "SELECT DISTINCT src FROM flows WHERE class = 'suspect_src'
	              AND subclass = 'hop_count'" | sort > "$work/got"
	comm -23 <(sort "$2") "$work/got"
}
missed=$(flagged "$work/a.db" "$work/expect" | wc -l)
[ "$missed" = 0 ] || { echo "FAIL: run 2 missed $missed of $n forged sources learned in run 1"; exit 1; }
echo "ok: run 2 flagged all $n forged sources from prefixes only run 1 saw ($learned prefixes learned)"
alone=$(($(wc -l < "$work/expect") - $(flagged "$work/b.db" "$work/expect" | wc -l)))
[ "$alone" = 0 ] || { echo "FAIL: file 2 alone flagged $alone of them: not learned from run 1"; exit 1; }
echo "ok: file 2 on a fresh database flags none of them"

before=$(sqlite3 "$work/a.db" "SELECT count(*), sum(proofs) FROM hopcount")
"$S" prune -q --keep 0 --utc --db "$work/a.db"
[ "$(sqlite3 "$work/a.db" "SELECT count(*) FROM flows")" = 0 ] || { echo "FAIL: prune kept flows"; exit 1; }
after=$(sqlite3 "$work/a.db" "SELECT count(*), sum(proofs) FROM hopcount")
[ "$before" = "$after" ] || { echo "FAIL: hopcount before prune $before, after $after"; exit 1; }
echo "ok: prune removed every flow and kept the learned table ($after)"
