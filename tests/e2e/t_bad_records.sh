#!/bin/bash
# Capture files are as untrusted as packets (issue 14, item 16): a record whose header
# says it captured more than was on the wire or more than the file's snapshot length, or
# whose timestamp is before the epoch, has a microsecond field out of range, or lies
# after year 9999, is counted as malformed (reason bad_link) and never stored. The file is
# made here, record by record, with the expected verdict of each (the oracle is this
# table, not the collector).
set -euo pipefail
: "${SPOOFAUDIT:?}"
command -v sqlite3 > /dev/null || { echo "skip: no sqlite3"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work/bad.pcap" <<'PY'
import struct, sys
SNAP = 1500

def frame(src, dst, payload_len):
    """Ethernet + IPv4 + UDP, addresses as 4-tuples."""
    udp = struct.pack("!HHHH", 40000, 53, 8 + payload_len, 0) + b"x" * payload_len
    tot = 20 + len(udp)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, 1, 0, 64, 17, 0, bytes(src), bytes(dst))
    return b"\x02\x00\x00\x00\x00\x01" + b"\x02\x00\x00\x00\x00\x02" + b"\x08\x00" + ip + udp

good = frame((45, 33, 1, 20), (45, 33, 1, 10), 18)     # 60 bytes, normal
spoof = frame((127, 0, 0, 9), (45, 33, 1, 10), 18)     # 60 bytes, a loopback source
big = frame((127, 0, 0, 7), (45, 33, 1, 10), 1900)     # 1942 bytes
T = 1700000000
# (ts_sec as uint32, ts_usec as uint32, caplen, wirelen, data, verdict)
rows = [
    (T,          5,       len(good),  len(good),  good,  "ok"),
    (T + 1,      0,       len(spoof), 42,         spoof, "bad: caplen > wirelen"),
    # libpcap itself cuts a record longer than the file's snapshot length to it (and skips
    # the rest): what arrives is a consistent 1500-of-1942-byte record
    (T + 2,      0,       len(big),   len(big),   big,   "ok: cut to 1500 by libpcap"),
    (0xFFFFFFFF, 0,       len(spoof), len(spoof), spoof, "bad: ts_sec -1"),
    (T + 3,      1500000, len(spoof), len(spoof), spoof, "bad: ts_usec >= 1e6"),
    (T + 4,      0xFFFFFFF0, len(spoof), len(spoof), spoof, "bad: ts_usec negative"),
    (T + 5,      7,       len(spoof), len(spoof), spoof, "ok"),
]
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, SNAP, 1))
    for sec, usec, cap, wire, data, _ in rows:
        f.write(struct.pack("<IIII", sec, usec, cap, wire) + data[:cap])
PY
# From the table: 3 records are fine (one normal, two spoofed), 4 are not.
want_ok=3 want_bad=4
fail=0
set +e
"$SPOOFAUDIT" collect --db "$work/a.db" -r "$work/bad.pcap" --iface-name eth9 > "$work/out" 2>&1
rc=$?
set -e
sed 's/^/  collect: /' "$work/out"
q() { sqlite3 "$work/a.db" "$1"; }
packets=$(q "SELECT coalesce(sum(packets), 0) FROM flows")
malformed=$(q "SELECT coalesce(sum(malformed), 0) FROM capture_stats")
badlink=$(q "SELECT coalesce(sum(count), 0) FROM decode_errors WHERE reason = 'bad_link'" 2>/dev/null || echo "?")
ev_bad=$(q "SELECT count(*) FROM evidence WHERE caplen > wirelen")
ev=$(q "SELECT count(*) FROM evidence")
insane=$(q "SELECT count(*) FROM flows WHERE first_usec < 0 OR last_usec < 0 OR first_usec > 253402300799999999 OR last_usec > 253402300799999999")
echo "exit $rc; packets in flows $packets (want $want_ok), malformed $malformed (want $want_bad), bad_link $badlink, evidence $ev (bad $ev_bad), insane times $insane"
[ "$rc" -eq 0 ] || { echo "FAIL: exit $rc"; fail=1; }
[ "$packets" -eq "$want_ok" ] || { echo "FAIL: $packets packets in flows, want $want_ok"; fail=1; }
[ "$malformed" -eq "$want_bad" ] || { echo "FAIL: $malformed malformed, want $want_bad"; fail=1; }
[ "$badlink" = "$want_bad" ] || { echo "FAIL: bad_link reason counted $badlink, want $want_bad"; fail=1; }
[ "$ev_bad" -eq 0 ] || { echo "FAIL: evidence stored with caplen > wirelen"; fail=1; }
[ "$ev" -eq 2 ] || { echo "FAIL: $ev evidence rows, want 2 (the good spoofed packets)"; fail=1; }
cut=$(q "SELECT count(*) FROM evidence WHERE caplen = 1500 AND wirelen = 1942")
[ "$cut" -eq 1 ] || { echo "FAIL: the record libpcap cut to the snapshot length is not stored as 1500 of 1942 bytes"; fail=1; }
[ "$insane" -eq 0 ] || { echo "FAIL: a flow has a timestamp outside the epoch..9999"; fail=1; }
exit $fail
