#!/usr/bin/env python3
"""Writes an Ethernet pcap of hand-specified IPv4 frames for the live policy tests.

Each argument after the output file is one spec, repeated COUNT times:
  udp:SRC:SPORT:DST:DPORT:COUNT        a UDP datagram with a small payload
  syn:SRC:SPORT:DST:DPORT:COUNT        a TCP SYN (sequence number differs per copy)
The destination MAC is a placeholder; tests/tools/inject -m rewrites it."""
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frame(proto, src, sport, dst, dport, seq):
    s = bytes(map(int, src.split(".")))
    d = bytes(map(int, dst.split(".")))
    if proto == 17:
        payload = b"probe"
        l4 = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
        ck = 6
    else:
        l4 = struct.pack("!HHIIBBHHH", sport, dport, 1000 + seq, 0, 5 << 4, 0x02, 64240, 0, 0)
        ck = 16
    ph = s + d + struct.pack("!BBH", 0, proto, len(l4))
    c = csum(ph + l4) or 0xffff
    l4 = l4[:ck] + struct.pack("!H", c) + l4[ck + 2:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), seq & 0xffff, 0, 64, proto, 0, s, d)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\x02\0\0\0\0\x01" + b"\x02\0\0\0\0\x02" + b"\x08\x00" + ip + l4


def main():
    out = sys.argv[1]
    frames = []
    for spec in sys.argv[2:]:
        kind, src, sport, dst, dport, count = spec.split(":")
        for i in range(int(count)):
            frames.append(frame(17 if kind == "udp" else 6, src, int(sport), dst, int(dport), i))
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000, i, len(fr), len(fr)) + fr)


if __name__ == "__main__":
    main()
