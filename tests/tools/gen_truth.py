#!/usr/bin/env python3
"""Writes test captures with a known class for every packet, and the truth file.

The expected class of each packet comes from this generator's own table of intents (which
registry row or rule a packet was built to hit, per RFC 6890 and the README's class
definitions), never from spoofaudit's code.

Usage: gen_truth.py --out DIR [--packets N] [--seed S]

Writes in DIR:
  eth.pcap       Ethernet (with 802.1Q and QinQ frames), external role, every class
  internal.pcap  Ethernet on an internal interface (collect with --role int0=internal:...)
  sll2.pcap      Linux cooked v2: loopback (ifindex 1) and an Ethernet device (ifindex 2),
                 both directions
  null.pcap      BSD loopback (DLT_NULL)
  nflog.pcap     DLT_NFLOG frames (prefix, hook, indev 3)
  truth.csv      file,iface,class,subclass,packets,bytes
  counts.csv     file,received,decoded_ip,not_ip,malformed
  args.txt       per file, the extra collect options the truth assumes
With --martian: only martian.pcap and martian.csv (see gen_martian).
"""
import argparse
import collections
import os
import random
import struct

HOST4 = bytes([45, 33, 1, 10])
HOST6 = bytes.fromhex("2a0100a0000000000000000000000010")
HOST_MAC = bytes.fromhex("020000000001")
PEER_MAC = bytes.fromhex("020000000002")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ttl=57, ident=0, frag=0, options=b""):
    ihl = 5 + len(options) // 4
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, 4 * ihl + len(payload), ident, frag, ttl,
                      proto, 0, src, dst) + options
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def ipv6(src, dst, nxt, payload, hlim=57):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nxt, hlim, src, dst) + payload


def tcp(sport, dport, flags=0x02):
    return struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, flags, 64240, 0, 0)


def udp(sport, dport, data=b"\0" * 12):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data


def icmp(t, c):
    return struct.pack("!BBHI", t, c, 0, 0) + b"\0" * 8


def eth(payload, ethertype, tags=()):
    hdr = HOST_MAC + PEER_MAC
    for tpid, vid in tags:
        hdr += struct.pack("!HH", tpid, vid)
    return hdr + struct.pack("!H", ethertype) + payload


def a4(*o):
    return bytes(o)


def a6(text):
    import ipaddress
    return ipaddress.IPv6Address(text).packed


class Writer:
    def __init__(self, path, linktype):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
        self.t = 1789948800  # 2026-09-21 00:00:00 UTC

    def write(self, frame, caplen=None):
        caplen = len(frame) if caplen is None else caplen
        self.t += 1
        self.f.write(struct.pack("<IIII", self.t, 0, caplen, len(frame)))
        self.f.write(frame[:caplen])

    def close(self):
        self.f.close()


class Truth:
    def __init__(self):
        self.rows = collections.Counter()
        self.bytes = collections.Counter()
        self.counts = collections.defaultdict(lambda: collections.Counter())

    def add(self, fname, iface, cls, sub, wirelen):
        self.rows[(fname, iface, cls, sub)] += 1
        self.bytes[(fname, iface, cls, sub)] += wirelen
        self.counts[fname]["received"] += 1
        self.counts[fname]["decoded_ip"] += 1

    def other(self, fname, what):
        self.counts[fname]["received"] += 1
        self.counts[fname][what] += 1


def l4(rng, sport=None, dport=None):
    sport = sport if sport is not None else rng.randrange(32768, 61000)
    dport = dport if dport is not None else rng.choice([22, 25, 53, 80, 443, 8080])
    r = rng.random()
    if r < 0.6:
        return 6, tcp(sport, dport)
    if r < 0.9:
        return 17, udp(sport, dport)
    return None, None


def public4(rng):
    return a4(rng.choice([8, 23, 31, 52, 64, 77, 81, 91, 104, 151, 185, 212]),
              rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))


def public6(rng):
    return bytes.fromhex("2a001450") + rng.randbytes(12)


def v4pkt(rng, src, dst, ttl=57):
    proto, payload = l4(rng)
    if proto is None:
        return ipv4(src, dst, 1, icmp(8, 0), ttl=ttl)
    return ipv4(src, dst, proto, payload, ttl=ttl)


def v6pkt(rng, src, dst):
    proto, payload = l4(rng)
    if proto is None:
        return ipv6(src, dst, 58, icmp(128, 0))
    return ipv6(src, dst, proto, payload)


def v6_exthdrs(rng, src, dst):
    """Hop-by-hop, destination options, routing and a first fragment before UDP."""
    upper = udp(rng.randrange(32768, 61000), 53)
    frag = struct.pack("!BBHI", 17, 0, 0x0001, rng.randrange(1 << 32)) + upper  # M=1, offset 0
    rt = struct.pack("!BBBB", 44, 0, 0, 0) + b"\0" * 4 + frag                  # type 0, 0 left
    dst_opts = struct.pack("!BB", 43, 0) + b"\x01\x04\0\0\0\0" + rt
    hbh = struct.pack("!BB", 60, 0) + b"\x01\x04\0\0\0\0" + dst_opts
    return ipv6(src, dst, 0, hbh)


# Each external-role intent: (class, subclass, builder(rng) -> IP packet, ethertype)
def external_intents():
    r8 = lambda rng: rng.randrange(1, 255)
    I = []
    I.append(("normal", "none", 60, lambda g: v4pkt(g, public4(g), HOST4), 0x0800))
    I.append(("normal", "none", 10, lambda g: v6pkt(g, public6(g), HOST6), 0x86DD))
    I.append(("normal", "none", 3, lambda g: v6_exthdrs(g, public6(g), HOST6), 0x86DD))
    I.append(("normal", "none", 3, lambda g: ipv4(public4(g), HOST4, 6, tcp(40000, 443),
                                                   options=b"\x01\x01\x01\x00"), 0x0800))
    # on-link exceptions: DHCP discover, IPv6 neighbour discovery from link-local
    I.append(("normal", "none", 2, lambda g: ipv4(a4(0, 0, 0, 0), a4(255, 255, 255, 255), 17,
                                                   udp(68, 67)), 0x0800))
    I.append(("normal", "none", 2, lambda g: ipv6(bytes.fromhex("fe80000000000000") + g.randbytes(8),
                                                   a6("ff02::1"), 58, icmp(134, 0), hlim=255), 0x86DD))
    I.append(("spoof_loopback_src", "loopback", 8, lambda g: v4pkt(g, a4(127, 0, 0, 1), HOST4, ttl=g.choice([64, 128])), 0x0800))
    I.append(("spoof_loopback_src", "loopback", 4, lambda g: v4pkt(g, a4(127, g.randrange(256), g.randrange(256), r8(g)), HOST4), 0x0800))
    I.append(("spoof_loopback_src", "loopback", 3, lambda g: v6pkt(g, a6("::1"), HOST6), 0x86DD))
    I.append(("spoof_loopback_src", "ipv4_mapped_loopback", 2, lambda g: v6pkt(g, a6("::ffff:127.0.0.1"), HOST6), 0x86DD))
    # a non-first fragment: no transport header, classified by addresses
    I.append(("spoof_loopback_src", "loopback", 1, lambda g: ipv4(a4(127, 0, 0, 1), HOST4, 17, b"\0" * 48, frag=0x0008), 0x0800))
    I.append(("loopback_dst", "loopback", 3, lambda g: v4pkt(g, public4(g), a4(127, 0, 0, 1)), 0x0800))
    I.append(("loopback_dst", "loopback", 1, lambda g: v6pkt(g, public6(g), a6("::1")), 0x86DD))
    I.append(("own_addr_src", "none", 2, lambda g: v4pkt(g, HOST4, HOST4), 0x0800))
    I.append(("own_addr_src", "none", 1, lambda g: v6pkt(g, HOST6, HOST6), 0x86DD))
    I.append(("bogon_src", "private", 4, lambda g: v4pkt(g, g.choice([a4(10, 1, 2, r8(g)), a4(172, g.randrange(16, 32), 0, r8(g)), a4(192, 168, 1, r8(g))]), HOST4), 0x0800))
    I.append(("bogon_src", "shared", 2, lambda g: v4pkt(g, a4(100, g.randrange(64, 128), 3, r8(g)), HOST4), 0x0800))
    I.append(("bogon_src", "link_local", 2, lambda g: v4pkt(g, a4(169, 254, 9, r8(g)), HOST4), 0x0800))
    I.append(("bogon_src", "link_local", 2, lambda g: v6pkt(g, bytes.fromhex("fe80000000000000") + g.randbytes(8), HOST6), 0x86DD))
    I.append(("bogon_src", "documentation", 2, lambda g: v4pkt(g, g.choice([a4(192, 0, 2, r8(g)), a4(198, 51, 100, r8(g)), a4(203, 0, 113, r8(g))]), HOST4), 0x0800))
    I.append(("bogon_src", "documentation", 1, lambda g: v6pkt(g, bytes.fromhex("20010db8") + g.randbytes(12), HOST6), 0x86DD))
    I.append(("bogon_src", "benchmarking", 1, lambda g: v4pkt(g, a4(198, g.choice([18, 19]), 5, r8(g)), HOST4), 0x0800))
    I.append(("bogon_src", "reserved", 1, lambda g: v4pkt(g, a4(g.randrange(240, 255), 1, 2, 3), HOST4), 0x0800))
    I.append(("bogon_src", "this_network", 1, lambda g: v4pkt(g, a4(0, 1, 2, r8(g)), HOST4), 0x0800))
    I.append(("bogon_src", "multicast", 1, lambda g: v4pkt(g, a4(g.randrange(224, 240), 0, 0, r8(g)), HOST4), 0x0800))
    I.append(("bogon_src", "multicast", 1, lambda g: v6pkt(g, a6("ff05::2"), HOST6), 0x86DD))
    I.append(("bogon_src", "limited_broadcast", 1, lambda g: v4pkt(g, a4(255, 255, 255, 255), HOST4), 0x0800))
    I.append(("bogon_src", "ula", 2, lambda g: v6pkt(g, bytes.fromhex("fd") + g.randbytes(15), HOST6), 0x86DD))
    I.append(("bogon_src", "ipv4_mapped", 1, lambda g: v6pkt(g, a6("::ffff:8.8.8.8"), HOST6), 0x86DD))
    return I


def pick(rng, intents):
    return rng.choices(intents, [i[2] for i in intents])[0]


def gen_eth(out, n, rng, truth):
    fname = "eth.pcap"
    w = Writer(os.path.join(out, fname), 1)
    intents = external_intents()
    for i in range(n):
        r = rng.random()
        if r < 0.02:  # ARP request: not IP
            w.write(eth(struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + PEER_MAC + a4(10, 0, 0, 1) + bytes(6) + a4(10, 0, 0, 2), 0x0806))
            truth.other(fname, "not_ip")
            continue
        if r < 0.03:  # cut inside the IPv4 header: no usable network header
            f = eth(v4pkt(rng, public4(rng), HOST4), 0x0800)
            w.write(f, caplen=14 + rng.randrange(1, 19))
            truth.other(fname, "malformed")
            continue
        cls, sub, _, build, et = pick(rng, intents)
        pkt = build(rng)
        tags = ()
        r2 = rng.random()
        if r2 < 0.05:
            tags = ((0x8100, 100),)
        elif r2 < 0.07:
            tags = ((0x88A8, 10), (0x8100, 200))
        f = eth(pkt, et, tags)
        caplen = None
        if rng.random() < 0.03 and len(pkt) > 44:  # cut inside the transport header
            caplen = len(f) - len(pkt) + (40 if et == 0x86DD else 20) + 3
            if caplen >= len(f):
                caplen = None
        w.write(f, caplen)
        truth.add(fname, "eth", cls, sub, len(f))
    w.close()
    return ["--iface-name", "eth", "--host-addr", "45.33.1.10", "--host-addr", "2a01:a0::10"]


def gen_internal(out, n, rng, truth):
    fname = "internal.pcap"
    w = Writer(os.path.join(out, fname), 1)
    for i in range(n):
        r = rng.random()
        if r < 0.5:
            pkt, cls, sub = v4pkt(rng, a4(10, 1, rng.randrange(256), rng.randrange(1, 255)), HOST4), "normal", "none"
        elif r < 0.6:
            pkt, cls, sub = v6pkt(rng, bytes.fromhex("fd0000010000") + rng.randbytes(10), HOST6), "normal", "none"
        elif r < 0.75:
            pkt, cls, sub = v4pkt(rng, a4(192, 168, 7, rng.randrange(1, 255)), HOST4), "bogon_src", "private"
        elif r < 0.9:
            pkt, cls, sub = v4pkt(rng, public4(rng), HOST4), "unexpected_src", "none"
        else:
            pkt, cls, sub = v4pkt(rng, a4(127, 0, 0, 1), HOST4), "spoof_loopback_src", "loopback"
        et = 0x86DD if pkt[0] >> 4 == 6 else 0x0800
        f = eth(pkt, et)
        w.write(f)
        truth.add(fname, "int0", cls, sub, len(f))
    w.close()
    return ["--iface-name", "int0", "--role", "int0=internal:10.1.0.0/16,fd00:1::/48"]


def sll2(pkt, proto, ifindex, hatype, pkttype):
    # protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1) halen(1) addr(8), all big-endian
    return struct.pack("!HHIHBB8s", proto, 0, ifindex, hatype, pkttype, 6, PEER_MAC + b"\0\0") + pkt


def gen_sll2(out, n, rng, truth):
    fname = "sll2.pcap"
    w = Writer(os.path.join(out, fname), 276)
    for i in range(n):
        r = rng.random()
        if r < 0.4:  # loopback service traffic
            port = rng.choice([5432, 6379, 631, 53])
            pkt = ipv4(a4(127, 0, 0, 1), a4(127, 0, 0, 1), 6, tcp(rng.randrange(32768, 61000), port))
            w.write(sll2(pkt, 0x0800, 1, 772, 0))
            truth.add(fname, "lo", "loopback_flow", "none", 20 + len(pkt))
        elif r < 0.5:
            pkt = ipv6(a6("::1"), a6("::1"), 17, udp(rng.randrange(32768, 61000), 53))
            w.write(sll2(pkt, 0x86DD, 1, 772, 0))
            truth.add(fname, "lo", "loopback_flow", "none", 20 + len(pkt))
        elif r < 0.75:  # incoming on if2
            pkt = v4pkt(rng, public4(rng), HOST4)
            w.write(sll2(pkt, 0x0800, 2, 1, 0))
            truth.add(fname, "if2", "normal", "none", 20 + len(pkt))
        elif r < 0.85:  # spoofed incoming on if2
            pkt = v4pkt(rng, a4(127, 0, 0, 1), HOST4)
            w.write(sll2(pkt, 0x0800, 2, 1, 0))
            truth.add(fname, "if2", "spoof_loopback_src", "loopback", 20 + len(pkt))
        else:  # outgoing on if2 (even with an odd source, egress is not a spoof class)
            src = HOST4 if rng.random() < 0.7 else a4(10, 9, 9, 9)
            pkt = v4pkt(rng, src, public4(rng))
            w.write(sll2(pkt, 0x0800, 2, 1, 4))
            truth.add(fname, "if2", "normal", "none", 20 + len(pkt))
    w.close()
    return []


def gen_null(out, n, rng, truth):
    fname = "null.pcap"
    w = Writer(os.path.join(out, fname), 0)
    for i in range(n):
        if rng.random() < 0.7:
            pkt = ipv4(a4(127, 0, 0, 1), a4(127, 0, 0, 1), 17, udp(rng.randrange(32768, 61000), 8125))
            f = struct.pack("<I", 2) + pkt
        else:
            pkt = ipv6(a6("::1"), a6("::1"), 6, tcp(rng.randrange(32768, 61000), 8080))
            f = struct.pack("<I", 30) + pkt
        w.write(f)
        truth.add(fname, "lo0", "loopback_flow", "none", len(f))
    w.close()
    return ["--iface-name", "lo0"]


def tlv(t, v):
    ln = 4 + len(v)
    return struct.pack("<HH", ln, t) + v + b"\0" * ((4 - ln % 4) % 4)


def gen_nflog(out, n, rng, truth):
    fname = "nflog.pcap"
    w = Writer(os.path.join(out, fname), 239)
    for i in range(n):
        spoof = rng.random() < 0.5
        src = a4(127, 0, 0, 1) if spoof else public4(rng)
        pkt = v4pkt(rng, src, HOST4)
        prefix = b"spoof-lo\0" if spoof else b"in-log\0"
        f = struct.pack("!BBH", 2, 0, 5)
        f += tlv(1, struct.pack("!HBB", 0x0800, 0, 0))          # NFULA_PACKET_HDR: hook PRE_ROUTING
        f += tlv(10, prefix)                                    # NFULA_PREFIX
        f += tlv(4, struct.pack("!I", 3))                       # NFULA_IFINDEX_INDEV
        f += tlv(9, pkt)                                        # NFULA_PAYLOAD
        w.write(f)
        truth.add(fname, "if3", "spoof_loopback_src" if spoof else "normal",
                  "loopback" if spoof else "none", len(f))
    w.close()
    return []


def gen_martian(out, n, rng):
    """IPv4 frames for the kernel-counter tests: ordinary traffic, and 127/8 sources
    (127.0.0.1 and other 127.x) sent whole, VLAN-tagged (a VLAN the host lacks) or cut
    short (the frame is shorter than its IP total length); the kernel drops the last two
    before routing. Writes martian.pcap and martian.csv (kind,packets)."""
    w = Writer(os.path.join(out, "martian.pcap"), 1)
    counts = collections.Counter()
    for i in range(n):
        r = rng.random()
        port = rng.choice([7, 9, 13, 37])          # closed ports: nothing answers
        if r < 0.5:
            pkt, kind = ipv4(public4(rng), HOST4, 17, udp(rng.randrange(32768, 61000), port)), "normal"
        else:
            src = a4(127, 0, 0, 1) if rng.random() < 0.6 else a4(127, rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))
            kind = "spoof_127001" if src == a4(127, 0, 0, 1) else "spoof_other"
            pkt = ipv4(src, HOST4, 17, udp(rng.randrange(32768, 61000), port), ttl=rng.choice([64, 128]))
            r2 = rng.random()
            if r2 < 0.05:
                w.write(eth(pkt, 0x0800, ((0x8100, 100),)))
                counts[kind + "_vlan"] += 1
                continue
            if r2 < 0.08:
                f = eth(pkt, 0x0800)
                w.write(f, caplen=len(f) - 6)
                counts[kind + "_truncated"] += 1
                continue
        w.write(eth(pkt, 0x0800))
        counts[kind] += 1
    w.close()
    with open(os.path.join(out, "martian.csv"), "w") as t:
        t.write("kind,packets\n")
        for k in sorted(counts):
            t.write("%s,%d\n" % (k, counts[k]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--packets", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--martian", action="store_true",
                    help="write only martian.pcap and martian.csv (kernel-counter tests)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rng = random.Random(a.seed)
    if a.martian:
        gen_martian(a.out, a.packets, rng)
        return
    truth = Truth()
    args = {}
    args["eth.pcap"] = gen_eth(a.out, a.packets, rng, truth)
    args["internal.pcap"] = gen_internal(a.out, a.packets // 4, rng, truth)
    args["sll2.pcap"] = gen_sll2(a.out, a.packets // 4, rng, truth)
    args["null.pcap"] = gen_null(a.out, a.packets // 10, rng, truth)
    args["nflog.pcap"] = gen_nflog(a.out, a.packets // 10, rng, truth)
    with open(os.path.join(a.out, "truth.csv"), "w") as t:
        t.write("file,iface,class,subclass,packets,bytes\n")
        for k in sorted(truth.rows):
            t.write("%s,%s,%s,%s,%d,%d\n" % (k + (truth.rows[k], truth.bytes[k])))
    with open(os.path.join(a.out, "counts.csv"), "w") as t:
        t.write("file,received,decoded_ip,not_ip,malformed\n")
        for f in sorted(truth.counts):
            c = truth.counts[f]
            t.write("%s,%d,%d,%d,%d\n" % (f, c["received"], c["decoded_ip"], c["not_ip"], c["malformed"]))
    with open(os.path.join(a.out, "args.txt"), "w") as t:
        for f in sorted(args):
            t.write("%s %s\n" % (f, " ".join(args[f])))


if __name__ == "__main__":
    main()
