#!/usr/bin/env python3
"""Writes an Ethernet pcap of UDP packets (port 9) with spoofed sources and destinations of
both families, for an external interface of a host at 192.0.2.1 and 2001:db8::1. The
packet list below is the truth the tests count against:
  127.0.0.1 -> host x3, 192.0.2.77 -> 127.0.0.1 x7, ::1 -> host x2, 2001:db8::77 -> ::1 x8,
  ::ffff:127.0.0.1 -> host x4, own IPv4 address as source x5, own IPv6 x6, 0.1.2.3 -> host x1,
  0.0.0.0 -> host x2.
Usage: gen_families.py OUT.pcap   (timestamps from 1790000000, one second apart)"""
import ipaddress, struct, sys
pkts = [("127.0.0.1", "192.0.2.1", 3), ("192.0.2.77", "127.0.0.1", 7),
        ("::1", "2001:db8::1", 2), ("2001:db8::77", "::1", 8), ("::ffff:127.0.0.1", "2001:db8::1", 4),
        ("192.0.2.1", "192.0.2.1", 5), ("2001:db8::1", "2001:db8::1", 6), ("0.1.2.3", "192.0.2.1", 1),
        ("0.0.0.0", "192.0.2.1", 2)]
out = open(sys.argv[1], "wb")
out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
t = 1790000000
for src, dst, n in pkts:
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    udp = struct.pack("!HHHH", 40000, 9, 12, 0) + b"spam"
    if s.version == 4:
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, s.packed, d.packed)
        eth = b"\x08\x00"
    else:
        ip = struct.pack("!IHBB16s16s", 6 << 28, len(udp), 17, 64, s.packed, d.packed)
        eth = b"\x86\xdd"
    for i in range(n):
        f = b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02" + eth + ip + udp
        t += 1
        out.write(struct.pack("<IIII", t, 0, len(f), len(f)) + f)
