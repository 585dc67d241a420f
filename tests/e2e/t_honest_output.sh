#!/bin/bash
# Issue 15, "honest output in every corner", the items a normal user meets without root:
#  g1 check --help shows --against/--against6 in the --ruleset form they belong to, not
#     under --violations;
#  g2 "1 packet", "1 flow": the counts check, collect's summary and export print agree
#     with their nouns;
#  h  report with no --day right after a first collect today (nothing yesterday) says that
#     today has data and names the command that shows it;
#  f  check --against live as a normal user says it needs root and what to do instead,
#     not "iptables-save failed";
#  a  a collect that fails at its start (a --policy file that does not exist, a --user
#     that does not) creates no database (the namespace half, -i eth9, is integration/t_honest_collect).
# The oracle is the capture this script writes: exactly one packet (one flow) stamped now.
set -uo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
. "$(dirname "$0")/expect.sh"
chmod 755 "$work"

# One UDP packet 127.0.0.1 -> 192.0.2.10 on an Ethernet capture, stamped now (gen_frames
# stamps a fixed 2023 date; the report's "today" needs today). Not in the first minutes
# after local midnight, when "now" and the report's "today" could be two days.
case $(date +%H%M) in 000[0-2]) sleep 180 ;; esac
python3 "$SRCDIR/tests/tools/gen_frames.py" "$work/one.pcap" udp:127.0.0.1:40000:192.0.2.10:53:1
python3 - "$work/one.pcap" <<'PY'
import struct, sys, time
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
off, now = 24, int(time.time())
while off + 16 <= len(b):
    incl = struct.unpack_from("<I", b, off + 8)[0]
    struct.pack_into("<II", b, off, now, 0)
    off += 16 + incl
open(p, "wb").write(bytes(b))
PY
"$SPOOFAUDIT" collect -q --bucket 60 --db "$work/t.db" -r "$work/one.pcap" || { echo "FAIL: collect"; exit 1; }
chmod 644 "$work/t.db"
printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n' \
	> "$work/r.rules"
chmod 644 "$work/r.rules"

# g1: the usage block of the --ruleset form (up to the --violations form) names both.
"$SPOOFAUDIT" check --help > "$work/help.txt" 2>&1
form=$(sed -n '/^Usage: spoofaudit check --ruleset/,/spoofaudit check --violations/p' "$work/help.txt" |
	sed '$d')
expect "g1 check --help: --against in the --ruleset form" 0 "against FILE" -- printf '%s\n' "$form"
expect "g1 check --help: --against6 in the --ruleset form" 0 "against6 FILE" -- printf '%s\n' "$form"
viol=$(sed -n '/spoofaudit check --violations/,/^$/p' "$work/help.txt")
expect "g1 check --help: no --against in the --violations form" 1 "" -- grep -q -- --against <<< "$viol"

# g2: one packet, one flow; no "1 packets" / "1 flows" anywhere in check's or export's words.
expect "g2 check header" 0 "^1 flow, 1 packet from " -- "$SPOOFAUDIT" check --db "$work/t.db" --ruleset "$work/r.rules"
cp "$work/out" "$work/check.txt"
expect "g2 check group" 0 ": 1 flow, 1 packet: " -- cat "$work/check.txt"
expect "g2 check example" 0 "e\.g\. .*, 1 packet$" -- cat "$work/check.txt"
expect "g2 check: no '1 <noun>s'" 1 "" -- grep -qE "(^|[^0-9.])1 (packets|flows)" "$work/check.txt"
expect "g2 collect summary" 0 "^collect: 1 packet \(1 IP, 0 not IP, 0 unsupported link type, 0 malformed\)" -- \
	"$SPOOFAUDIT" collect --db "$work/t2.db" -r "$work/one.pcap"
cp "$work/out" "$work/collect.txt"
expect "g2 collect summary: no '1 <noun>s'" 1 "" -- grep -qE "(^|[^0-9.])1 (packets|flows)" "$work/collect.txt"
expect "g2 export" 0 "export: 1 packet \(" -- "$SPOOFAUDIT" export --db "$work/t.db" --day today -w "$work/e.pcap"

# h: the default period is yesterday: empty; today has the packet.
expect "h report names today's command" 0 "spoofaudit report --day today --db $work/t\.db" -- \
	"$SPOOFAUDIT" report --db "$work/t.db"
cp "$work/out" "$work/report.txt"
expect "h report says today has data" 0 "today has data" -- cat "$work/report.txt"
expect "h no note with --day yesterday given" 0 "" -- "$SPOOFAUDIT" report --db "$work/t.db" --day yesterday
cp "$work/out" "$work/report2.txt"
expect "h (no today hint when the day is chosen)" 1 "" -- grep -q "today has data" "$work/report2.txt"

# f: --against live needs root; as a normal user the message says so and what instead.
if [ "$(id -u)" = 0 ]; then
	asuser=(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --bounding-set=-all)
else
	asuser=()
fi
expect "f check --against live as a normal user" 1 "--against live .*needs root" -- \
	"${asuser[@]}" "$SPOOFAUDIT" check --db "$work/t.db" --ruleset "$work/r.rules" --against live
cp "$work/out" "$work/live.txt"
expect "f says what to do instead" 0 "give --against FILE" -- cat "$work/live.txt"
expect "f no bare 'iptables-save failed'" 1 "" -- grep -q "iptables-save failed" "$work/live.txt"

# a: nothing is created by a run that cannot start.
expect "a collect with a missing --policy exits 1" 1 "--policy: .*none\.rules" -- \
	"$SPOOFAUDIT" collect -q --db "$work/new.db" -r "$work/one.pcap" --policy "$work/none.rules"
expect "a no database created" 1 "" -- test -e "$work/new.db"
expect "a collect with an unknown --user exits 1" 1 "--user.*no-such-user-h15" -- \
	"$SPOOFAUDIT" collect -q --db "$work/new2.db" -r "$work/one.pcap" --user no-such-user-h15
expect "a no database created (--user)" 1 "" -- test -e "$work/new2.db"

expect_done
