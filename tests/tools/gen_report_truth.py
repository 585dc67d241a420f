#!/usr/bin/env python3
"""Writes captures over two days with a known report for the second: the report tests'
generator.

Every packet's class comes from this file's table of intents (which address it was
built with, per the README's class definitions), never from spoofaudit's code; the
expected report (totals, previous day, top sources, new sources, hourly timeline,
loopback services) is tallied here as the packets are written.

Usage: gen_report_truth.py --out DIR [--seed S]

Writes in DIR:
  edge.pcap   Ethernet, interface "edge" (external), days D-1 and D
  lo.pcap     BSD loopback (DLT_NULL), interface "lo0", day D
  truth.json  the expected report of day D (UTC)
  args.txt    per file, the collect options the truth assumes
"""
import argparse
import collections
import json
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_truth import a4, eth, ipv4, tcp, udp  # noqa: E402

DAY = 1790035200          # 2026-09-22 00:00:00 UTC: the reported day D
PREV = DAY - 86400        # D-1
HOST4 = a4(45, 33, 1, 10)

# Spoofed sources: (address, class, subclass, packets on D-1, packets on D, ttl)
SPOOFERS = [
    ((127, 0, 0, 1), "spoof_loopback_src", "loopback", 100, 500, 64),
    ((10, 1, 2, 3), "bogon_src", "private", 0, 300, 51),
    ((192, 0, 2, 7), "bogon_src", "documentation", 50, 200, 51),
    ((100, 64, 1, 1), "bogon_src", "shared", 0, 150, 240),
    ((127, 5, 6, 7), "spoof_loopback_src", "loopback", 0, 120, 64),
    ((169, 254, 3, 3), "bogon_src", "link_local", 30, 90, 51),
    ((45, 33, 1, 10), "own_addr_src", "none", 0, 60, 64),
]
NORMAL = {PREV: 800, DAY: 1000}
LOOPBACK_DST = {PREV: 0, DAY: 40}           # from 8.8.4.4 to 127.0.0.1
LO_SERVICES = [("tcp", 5432, 300), ("udp", 8125, 200), ("tcp", 6379, 100)]


class Pcap:
    def __init__(self, path, linktype):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
        self.recs = []

    def add(self, t, frame):
        self.recs.append((t, frame))

    def close(self):
        for t, frame in sorted(self.recs, key=lambda r: r[0]):
            self.f.write(struct.pack("<IIII", int(t), int((t % 1) * 1e6), len(frame), len(frame)))
            self.f.write(frame)
        self.f.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=3)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rng = random.Random(a.seed)
    edge = Pcap(os.path.join(a.out, "edge.pcap"), 1)
    lo = Pcap(os.path.join(a.out, "lo.pcap"), 0)
    totals = {DAY: collections.Counter(), PREV: collections.Counter()}
    tbytes = {DAY: collections.Counter(), PREV: collections.Counter()}
    hourly = collections.defaultdict(lambda: [0] * 24)
    src_packets = collections.Counter()
    src_seen_prev = set()

    def when(day):
        return day + rng.randrange(0, 86400 * 1000) / 1000.0

    def emit(day, key, frame, t=None):
        t = when(day) if t is None else t
        edge.add(t, frame)
        totals[day][key] += 1
        tbytes[day][key] += len(frame)
        return t

    for addr, cls, sub, nprev, nday, ttl in SPOOFERS:
        for day, n in ((PREV, nprev), (DAY, nday)):
            for _ in range(n):
                pkt = ipv4(a4(*addr), HOST4, 6, tcp(rng.randrange(1024, 65535), rng.choice([22, 80, 443])), ttl=ttl)
                t = emit(day, ("edge", cls, sub), eth(pkt, 0x0800))
                if day == DAY:
                    hourly[cls][int((t - DAY) // 3600)] += 1
                    src_packets[".".join(map(str, addr))] += 1
                elif n:
                    src_seen_prev.add(".".join(map(str, addr)))
    for day in (PREV, DAY):
        for _ in range(LOOPBACK_DST[day]):
            pkt = ipv4(a4(8, 8, 4, 4), a4(127, 0, 0, 1), 17, udp(rng.randrange(1024, 65535), 53), ttl=50)
            t = emit(day, ("edge", "loopback_dst", "loopback"), eth(pkt, 0x0800))
            if day == DAY:  # a spoofed class, but the forged field is the destination:
                # 8.8.4.4 is the sender's real address, not a spoofed source (issue 15)
                hourly["loopback_dst"][int((t - DAY) // 3600)] += 1
        for _ in range(NORMAL[day]):
            src = a4(rng.choice([8, 23, 31, 52, 64, 77]), rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))
            pkt = ipv4(src, HOST4, 6, tcp(rng.randrange(1024, 65535), 443))
            emit(day, ("edge", "normal", "none"), eth(pkt, 0x0800))
    lo_truth = []
    for proto, port, n in LO_SERVICES:
        nbytes = 0
        for _ in range(n):
            l4 = tcp(rng.randrange(32768, 61000), port) if proto == "tcp" else udp(rng.randrange(32768, 61000), port)
            pkt = ipv4(a4(127, 0, 0, 1), a4(127, 0, 0, 1), 6 if proto == "tcp" else 17, l4, ttl=64)
            frame = struct.pack("<I", 2) + pkt
            lo.add(when(DAY), frame)
            totals[DAY][("lo0", "loopback_flow", "none")] += 1
            tbytes[DAY][("lo0", "loopback_flow", "none")] += len(frame)
            nbytes += len(frame)
        lo_truth.append({"proto": proto, "port": port, "packets": n, "bytes": nbytes})
    edge.close()
    lo.close()

    def rows(day):
        return [{"iface": k[0], "class": k[1], "subclass": k[2], "packets": totals[day][k],
                 "bytes": tbytes[day][k]} for k in sorted(totals[day])]

    top = sorted(src_packets.items(), key=lambda kv: (-kv[1], kv[0]))
    truth = {
        "day": "2026-09-22",
        "totals": rows(DAY),
        "prev_totals": rows(PREV),
        "top_sources": [[k, v] for k, v in top],
        "new_sources": sorted(k for k in src_packets if k not in src_seen_prev),
        # the classes of the spoofed packets each destination received on the day
        "destination_classes": {
            ".".join(map(str, HOST4)): sorted({c for a, c, s, p, n, t in SPOOFERS if n}),
            "127.0.0.1": ["loopback_dst"] if LOOPBACK_DST[DAY] else []},
        "hourly": {k: v for k, v in hourly.items()},
        "loopback_services": lo_truth,
    }
    with open(os.path.join(a.out, "truth.json"), "w") as f:
        json.dump(truth, f, indent=1, sort_keys=True)
    with open(os.path.join(a.out, "args.txt"), "w") as f:
        f.write("edge.pcap --iface-name edge --host-addr 45.33.1.10\n")
        f.write("lo.pcap --iface-name lo0\n")


if __name__ == "__main__":
    main()
