#!/bin/bash
# `spoofaudit export`: the evidence packets of a day read back with tcpdump (and tshark
# for pcapng interface names) with the packet count of the evidence rows, and every
# packet byte-identical (time, lengths, data) to the row it came from. Classic pcap holds
# one link type, so mixed evidence needs pcapng or -i; --class and --src filter. An
# existing file is refused unless --force, the file's mode is at most 0640 within the
# umask, a row whose lengths lie is named and fails the export, and SIGTERM mid-export
# leaves no temporary file.
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TZ=UTC
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

python3 "$SRCDIR/tests/tools/gen_truth.py" --out "$work/gen" --packets 6000 --seed 5 >/dev/null
while read -r file args; do
	# shellcheck disable=SC2086
	"$SPOOFAUDIT" collect -q --db "$work/e.db" -r "$work/gen/$file" $args
done < "$work/gen/args.txt"
db="$work/e.db"
day="2026-09-21"
lo=1789948800000000; hi=$((lo + 86400000000))

# rows: the evidence of the day as "ts caplen wirelen hexdata", in capture order
rows() {	# rows WHERE-clause-on-f-and-e
	sqlite3 -separator ' ' "$db" "SELECT e.ts_usec, e.caplen, e.wirelen, e.linktype, f.iface, hex(e.data)
		FROM evidence e JOIN flows f ON f.id = e.flow_id
		WHERE e.ts_usec >= $lo AND e.ts_usec < $hi AND ($1) ORDER BY e.ts_usec, e.id"
}
# dump: the same from a capture file, parsed here (pcap or pcapng)
dump() {
	python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
out = []
if d[:4] == b"\x0a\x0d\x0d\x0a":
    bo = "<" if d[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
    ifs, off = [], 0
    while off < len(d):
        bt, bl = struct.unpack(bo + "II", d[off:off + 8])
        body = d[off + 8:off + bl - 4]
        if struct.unpack(bo + "I", d[off + bl - 4:off + bl])[0] != bl:
            sys.exit("pcapng: trailing length mismatch")
        if bt == 1:
            lt = struct.unpack(bo + "H", body[:2])[0]
            name, o = "", 8
            while o + 4 <= len(body):
                code, ln = struct.unpack(bo + "HH", body[o:o + 4])
                if code == 0:
                    break
                if code == 2:
                    name = body[o + 4:o + 4 + ln].decode()
                o += 4 + ((ln + 3) & ~3)
            ifs.append((lt, name))
        elif bt == 6:
            iid, th, tl, cl, ol = struct.unpack(bo + "IIIII", body[:20])
            lt, name = ifs[iid]
            out.append("%d %d %d %d %s %s" % ((th << 32) | tl, cl, ol, lt, name, body[20:20 + cl].hex().upper()))
        off += bl
else:
    magic, _, _, _, _, _, lt = struct.unpack("<IHHiIII", d[:24])
    assert magic == 0xA1B2C3D4, hex(magic)
    off = 24
    while off < len(d):
        s, us, cl, ol = struct.unpack("<IIII", d[off:off + 16])
        out.append("%d %d %d %d - %s" % (s * 1000000 + us, cl, ol, lt, d[off + 16:off + 16 + cl].hex().upper()))
        off += 16 + cl
print("\n".join(out))
PY
}
same() {	# same WHAT EXPECTED GOT [ignore iface column for classic pcap]
	if diff <(echo "$2") <(echo "$3") > "$work/diff"; then
		ok "$1: $(echo "$2" | grep -c . || true) packets byte-identical"
	else
		bad "$1 differs from the evidence rows"; head -5 "$work/diff"
	fi
}

# 1. classic pcap of one interface (one link type)
"$SPOOFAUDIT" export --db "$db" --day $day -i eth -w "$work/eth.pcap"
exp=$(rows "f.iface = 'eth'" | awk '{ $5 = "-"; print }')
n=$(echo "$exp" | grep -c .)
[ "$n" -gt 100 ] || bad "too few evidence rows ($n) for a meaningful test"
got=$(dump "$work/eth.pcap")
same "pcap -i eth" "$exp" "$got"
tc=$(tcpdump -nr "$work/eth.pcap" 2>/dev/null | wc -l)
[ "$tc" -eq "$n" ] && ok "tcpdump reads $tc packets" || bad "tcpdump read $tc packets, want $n"
capb=$(echo "$exp" | awk '{ s += $2 } END { print s }')
tsb=$(tshark -r "$work/eth.pcap" -T fields -e frame.cap_len 2>/dev/null | awk '{ s += $1 } END { print s }')
[ "$tsb" = "$capb" ] && ok "tshark: $tsb captured bytes" || bad "tshark bytes $tsb, want $capb"

# 2. mixed link types: classic pcap refused, pcapng carries them with interface names
if "$SPOOFAUDIT" export --db "$db" --day $day -w "$work/mixed.pcap" 2> "$work/err"; then
	bad "mixed link types written as classic pcap"
else
	grep -q "link types and classic pcap holds one" "$work/err" && ok "mixed pcap refused with advice" ||
		bad "mixed pcap message: $(cat "$work/err")"
fi
[ ! -e "$work/mixed.pcap" ] && ok "no partial file left" || bad "partial file left"
"$SPOOFAUDIT" export --db "$db" --day $day -w "$work/all.pcapng" 2> "$work/err"
grep -q "link types in one pcapng file" "$work/err" && ok "mixed pcapng note" || bad "no mixed-pcapng note"
exp=$(rows "1")
n=$(echo "$exp" | grep -c .)
same "pcapng all" "$exp" "$(dump "$work/all.pcapng")"
[ "$(echo "$exp" | awk '{ print $4 }' | sort -u | wc -l)" -ge 3 ] && ok "pcapng holds 3+ link types" ||
	bad "expected several link types"
# libpcap 1.10 (tcpdump) reads a pcapng only while its interfaces share one link type;
# tshark reads it whole, and tcpdump reads each interface's export.
tc=$(tshark -r "$work/all.pcapng" 2>/dev/null | wc -l)
[ "$tc" -eq "$n" ] && ok "tshark reads the mixed pcapng: $tc packets" || bad "tshark read $tc of $n"
for ifc in $(echo "$exp" | awk '{ print $5 }' | sort -u); do
	"$SPOOFAUDIT" export -q --db "$db" --day $day -i "$ifc" -w "$work/if-$ifc.pcapng"
	exp1=$(rows "f.iface = '$ifc'")
	same "pcapng -i $ifc" "$exp1" "$(dump "$work/if-$ifc.pcapng")"
	tc=$(tcpdump -nr "$work/if-$ifc.pcapng" 2>/dev/null | wc -l)
	[ "$tc" -eq "$(echo "$exp1" | grep -c .)" ] && ok "tcpdump reads -i $ifc pcapng: $tc packets" ||
		bad "tcpdump read $tc packets of -i $ifc"
done
names=$(tshark -r "$work/all.pcapng" -T fields -e frame.interface_name 2>/dev/null | sort | uniq -c | awk '{ print $2 "=" $1 }' | sort)
expn=$(echo "$exp" | awk '{ print $5 }' | sort | uniq -c | awk '{ print $2 "=" $1 }' | sort)
[ "$names" = "$expn" ] && ok "tshark interface names: $(echo $names)" || bad "interface names: $names vs $expn"

# 3. filters: --class, --src, standard output
"$SPOOFAUDIT" export --db "$db" --day $day --class bogon_src --class loopback_dst -w "$work/c.pcapng"
same "--class bogon_src,loopback_dst" "$(rows "f.class IN ('bogon_src', 'loopback_dst')")" "$(dump "$work/c.pcapng")"
"$SPOOFAUDIT" export --db "$db" --day $day --src 127.0.0.0/8 --pcapng -w "$work/s.out"
same "--src 127.0.0.0/8" "$(rows "f.family = 4 AND f.src LIKE '127.%'")" "$(dump "$work/s.out")"
"$SPOOFAUDIT" export --db "$db" --day $day --src ::1 -w "$work/s6.pcapng"
same "--src ::1" "$(rows "f.src = '::1'")" "$(dump "$work/s6.pcapng")"
tc=$("$SPOOFAUDIT" export -q --db "$db" --day $day -i int0 -w - | tcpdump -nr - 2>/dev/null | wc -l)
n=$(rows "f.iface = 'int0'" | grep -c .)
[ "$tc" -eq "$n" ] && ok "-w - to tcpdump: $tc packets" || bad "-w - gave $tc packets, want $n"

# 4. an existing file is refused unless --force; the mode is 0640 within the umask
echo old > "$work/keep.pcap"
if "$SPOOFAUDIT" export -q --db "$db" --day $day -i eth -w "$work/keep.pcap" 2> "$work/err"; then
	bad "export replaced an existing file without --force"
else
	grep -q -- "--force" "$work/err" && ok "existing -w file refused, --force advised" ||
		bad "refusal message: $(cat "$work/err")"
fi
[ "$(cat "$work/keep.pcap")" = old ] && ok "existing file untouched" || bad "existing file changed"
"$SPOOFAUDIT" export -q --force --db "$db" --day $day -i eth -w "$work/keep.pcap"
same "--force replaces" "$(rows "f.iface = 'eth'" | awk '{ $5 = "-"; print }')" "$(dump "$work/keep.pcap")"
for um in 022 077 027 002; do
	rm -f "$work/m.pcap"
	(umask $um; "$SPOOFAUDIT" export -q --db "$db" --day $day -i eth -w "$work/m.pcap")
	want=$(printf '%o' $((8#640 & ~8#$um)))
	got=$(stat -c %a "$work/m.pcap")
	[ "$got" = "$want" ] && ok "umask $um: export mode $got" || bad "umask $um: export mode $got, want $want"
done

# 5. a row whose stored lengths lie (caplen > wirelen) is skipped, named, and fails the export
cp "$db" "$work/t.db"
id=$(sqlite3 "$work/t.db" "SELECT e.id FROM evidence e JOIN flows f ON f.id = e.flow_id
	WHERE f.iface = 'eth' AND e.ts_usec >= $lo AND e.ts_usec < $hi ORDER BY e.ts_usec, e.id LIMIT 1")
sqlite3 "$work/t.db" "UPDATE evidence SET wirelen = caplen - 1 WHERE id = $id"
rc=0
"$SPOOFAUDIT" export -q --db "$work/t.db" --day $day -i eth -w "$work/t.pcap" 2> "$work/err" || rc=$?
[ "$rc" -eq 1 ] && ok "a skipped row fails the export (exit $rc)" || bad "skipped row: exit $rc, want 1"
grep -q "evidence row $id: .*skipped" "$work/err" && ok "skipped row $id named" ||
	bad "skipped row $id not named: $(cat "$work/err")"
grep -q "1 evidence row skipped" "$work/err" && ok "skipped rows counted" || bad "no count: $(cat "$work/err")"
n=$(rows "f.iface = 'eth'" | grep -c .)
got=$(dump "$work/t.pcap" | grep -c .)
[ "$got" -eq $((n - 1)) ] && ok "the other $got packets written" || bad "$got packets written, want $((n - 1))"

# 6. SIGTERM in the middle of an export: no temporary file left, no output, exit non-zero
cp "$db" "$work/big.db"
sqlite3 "$work/big.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)
	INSERT INTO evidence (flow_id, ts_usec, linktype, wirelen, caplen, data)
	SELECT e.flow_id, e.ts_usec, e.linktype, e.wirelen, e.caplen, e.data FROM evidence e, n"
"$SPOOFAUDIT" export -q --db "$work/big.db" --day $day -w "$work/big.pcapng" &
pid=$!
for _ in $(seq 1 20000); do
	compgen -G "$work/big.pcapng.*" > /dev/null && break
	sleep 0.001
done
kill -STOP $pid 2>/dev/null || true	# checked below: the temporary file must be there now
if compgen -G "$work/big.pcapng.*" > /dev/null && [ ! -e "$work/big.pcapng" ]; then
	ok "export stopped while writing $(stat -c %s "$work"/big.pcapng.* | head -1) bytes"
else
	bad "the export was not caught while writing (make big.db bigger)"
fi
kill -TERM $pid
kill -CONT $pid
rc=0
wait $pid || rc=$?
[ "$rc" -ne 0 ] && ok "SIGTERM: exit $rc" || bad "SIGTERM: exit 0"
left=$(compgen -G "$work/big.pcapng*" || true)
[ -z "$left" ] && ok "SIGTERM: no temporary file left" || bad "SIGTERM left: $left"
exit $fail
