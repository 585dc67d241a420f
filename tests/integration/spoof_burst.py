#!/usr/bin/env python3
"""Writes a pcap of N spoofed frames (Ethernet, IPv4, UDP with a payload of SIZE bytes),
each from its own 127.x.y.z source to 45.33.1.10 (netns.sh's a0): N distinct spoofed
flows of one packet each, every one of them an evidence packet. Usage: OUT N SIZE"""
import struct
import sys

out, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(n):
        src = bytes((127, 1 + (i >> 16) % 250, (i >> 8) & 255, i & 255))
        udp = struct.pack("!HHHH", 40000, 9, 8 + size, 0) + b"e" * size
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i & 0xffff, 0, 64, 17, 0,
                         src, bytes((45, 33, 1, 10)))
        fr = b"\x02\x00\x00\x00\x00\x01" + b"\x02\x00\x00\x00\x00\x02" + b"\x08\x00" + ip + udp
        f.write(struct.pack("<IIII", 1700000000 + i // 1000, (i % 1000) * 1000, len(fr), len(fr)))
        f.write(fr)
