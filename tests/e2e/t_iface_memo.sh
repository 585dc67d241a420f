#!/bin/bash
# Interface identity of frames from files (the collector resolves it once per source and
# interface index, in a small memo): a Linux cooked v2 capture whose frames name many
# interface indices that share memo slots (1, 9, 17, 25 ... differ by 8), interleaved, a
# few of them loopback by hardware type, read together with a plain Ethernet file. The
# stored packets per interface must equal what the generator below wrote to each.
set -euo pipefail
: "${SPOOFAUDIT:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work" <<'PY'
import random, struct, sys
out = sys.argv[1]
rng = random.Random(5)

def pcap(path, linktype, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i // 100, i % 100, len(fr), len(fr)))
            f.write(fr)

def ipv4_udp(src, dst):
    udp = struct.pack("!HHHH", 40000, 53, 8, 0)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 0, 0, 64, 17, 0, bytes(src), bytes(dst))
    return hdr + udp

counts = {}
frames = []
for i in range(6000):
    ifindex = rng.choice([1, 9, 17, 25, 2, 10, 3, 11, 4, 12, 20, 28, 36])
    loop = ifindex == 4			# ifindex 4 is a loopback device: named "lo"
    name = "lo" if loop else "if%d" % ifindex
    pkt = ipv4_udp([127, 0, 0, 1] if loop else [203, 0, 113, 7], [127, 0, 0, 1] if loop else [198, 51, 100, 1])
    hdr = struct.pack("!HHIHBB8s", 0x0800, 0, ifindex, 772 if loop else 1, 0, 6, b"\x02" * 6 + b"\0\0")
    frames.append(hdr + pkt)
    counts[name] = counts.get(name, 0) + 1
pcap(out + "/many.pcap", 276, frames)		# LINKTYPE_LINUX_SLL2
eth = [b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ipv4_udp([203, 0, 113, 9], [198, 51, 100, 1])
       for _ in range(500)]
pcap(out + "/plain.pcap", 1, eth)
counts["plain.pcap"] = 500
with open(out + "/exp.csv", "w") as f:
    for k in sorted(counts):
        f.write("%s,%d\n" % (k, counts[k]))
PY

"$SPOOFAUDIT" collect -q --db "$work/t.db" -r "$work/many.pcap" -r "$work/plain.pcap"
sqlite3 -csv "$work/t.db" "SELECT iface, sum(packets) FROM flows GROUP BY iface ORDER BY 1" > "$work/got.csv"
if diff "$work/exp.csv" "$work/got.csv" > "$work/diff"; then
	echo "ok: packets per interface equal the generator's ($(wc -l < "$work/exp.csv") interfaces)"
else
	echo "FAIL: packets per interface differ (< written, > stored):"
	cat "$work/diff"
	exit 1
fi
