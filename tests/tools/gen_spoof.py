#!/usr/bin/env python3
"""Writes a capture of a host's external interface with a truth line for every packet:
a legitimate population mixed with spoofed traffic and backscatter (issue 11).

The kind of each packet is what this generator built it to be, never what spoofaudit
makes of it. Python 3 standard library only; the same --seed gives the same files.

The host: external interface eth0 (45.33.1.10/24 and 2a01:a0::10/64, default route via
45.33.1.1; IPv6 carries a smaller population and backscatter of its own) and
internal interface eth1 (81.2.69.1/24: a routable internal prefix, so that only a reverse
path check, not the bogon table, can tell it does not belong on eth0). Only eth0 is
captured, both directions, plain Ethernet (no direction in the link header: collect with
--host-addr for each, args.txt).

Kinds (truth column `kind`):
  legit                    the population: clients of the host's services from many /24s,
                           each /24 at its own hop count (a realistic spread, initial TTL
                           64/128/255), completed handshakes both ways; connections the
                           host opens (answered, refused by a RST, DNS queries answered
                           by ICMP port unreachable, a traceroute answered by ICMP time
                           exceeded); a connection open before the capture started (its
                           RST after data seen); another whose RST comes in the first
                           minute (before the backscatter warm-up ends). Both directions.
  spoof_random             random routable sources at the attacker's fixed distance (one
                           initial TTL, one hop count), SYNs and UDP to the host
  spoof_flood              a SYN flood to one port from thousands of random sources,
                           TTLs in a narrow band, in a few seconds
  backscatter_synack       SYN-ACKs for SYNs the host never sent (someone forges it)
  backscatter_rst          RST-ACKs for SYNs the host never sent
  backscatter_icmp         ICMP errors quoting packets with the host's source it never sent
  rpf_internal_on_external sources of eth1's prefix arriving on eth0
  spoof_prefix             (--spoof-prefix N) forged sources inside the /24s of legitimate
                           clients, from the forger's fixed distance (TTL 55: initial 64,
                           9 hops), in the capture's last 15 s; the truth's `hops` column
                           of the /24's clients tells whether a hop-count check can see it

Every source address belongs to one kind only, so a flow's source names its kind.

Usage: gen_spoof.py --out DIR [--seed S] [--scale F]
Writes in DIR:
  spoof.pcap     the capture (Ethernet, 45.33.1.10's eth0, both directions)
  truth.csv      frame,kind,dir,src,dst,proto,sport,dport,ttl,init_ttl,hops,note
                 (frame: 1-based, as tshark numbers them; dir: in or out; note: what
                 the packet is within its kind)
  routes.json    `ip -j route show table all` of the host (for --route)
  args.txt       the collect options the capture assumes
"""
import argparse
import ipaddress
import json
import os
import random
import struct

HOST = "45.33.1.10"
HOST6 = "2a01:a0::10"
GATEWAY = "45.33.1.1"
INTERNAL = "81.2.69.0/24"
INTERNAL_HOST = "81.2.69.1"
HOST_MAC = bytes.fromhex("020000000010")
GW_MAC = bytes.fromhex("020000000001")
SERVICES = (22, 80, 443)
WARMUP = 120		# the collector's default backscatter warm-up (seconds)
DURATION = 900		# seconds the capture spans
T0 = 1_700_000_000	# capture start, seconds since the epoch

# IPv4 special-purpose blocks (RFC 6890 and the IANA registry) and the host's own
# prefixes: no random routable source falls in them.
NOT_ROUTABLE = [ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24",
    "192.88.99.0/24", "192.168.0.0/16", "192.175.48.0/24", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/3", "45.33.1.0/24", INTERNAL)]


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ttl, ident):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, ttl, proto,
                      0, ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed)
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:] + payload


def ipv6(src, dst, nxt, payload, hlim):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nxt, hlim,
                       ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed) + payload


def ip(src, dst, proto, payload, ttl, ident):
    """IPv4, or IPv6 for IPv6 addresses (ttl: the hop limit)."""
    if ":" in src:
        return ipv6(src, dst, proto, payload, ttl)
    return ipv4(src, dst, proto, payload, ttl, ident)


def l4sum(src, dst, proto, seg):
    a, b = ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed
    if len(a) == 16:	# RFC 8200 section 8.1
        pseudo = a + b + struct.pack("!I3xB", len(seg), proto)
    else:
        pseudo = a + b + struct.pack("!BBH", 0, proto, len(seg))
    return csum(pseudo + seg)


def tcp(src, dst, sport, dport, flags, seq=1, ack=0, data=b""):
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0) + data
    c = l4sum(src, dst, 6, seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def udp(src, dst, sport, dport, data):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    c = l4sum(src, dst, 17, seg) or 0xFFFF
    return seg[:6] + struct.pack("!H", c) + seg[8:]


def icmp_error(typ, code, quoted):
    msg = struct.pack("!BBHI", typ, code, 0, 0) + quoted
    return msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]


def icmp6_error(src, dst, typ, code, quoted):
    msg = struct.pack("!BBHI", typ, code, 0, 0) + quoted
    return msg[:2] + struct.pack("!H", l4sum(src, dst, 58, msg)) + msg[4:]


SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10


class Capture:
    """Packets with their truth, sorted by time when written."""

    def __init__(self, rnd):
        self.rnd = rnd
        self.pkts = []		# (time, seq, frame, truth dict)
        self.owner = {}		# source address -> kind
        self.ident = 0

    def claim(self, addr, kind):
        """Reserves addr for kind; False when another kind holds it."""
        if self.owner.get(addr, kind) != kind:
            return False
        self.owner[addr] = kind
        return True

    def add(self, t, kind, note, src, dst, proto, l4, ttl, init_ttl=0, sport=0, dport=0):
        self.ident = (self.ident + 1) & 0xFFFF
        out = src in (HOST, INTERNAL_HOST, HOST6)
        frame = ((GW_MAC + HOST_MAC) if out else (HOST_MAC + GW_MAC))
        frame += b"\x86\xdd" if ":" in src else b"\x08\x00"
        frame += ip(src, dst, proto, l4, ttl, self.ident)
        self.pkts.append((t, len(self.pkts), frame, {
            "kind": kind, "dir": "out" if out else "in", "src": src, "dst": dst,
            "proto": proto, "sport": sport, "dport": dport, "ttl": ttl,
            "init_ttl": init_ttl if not out else 64, "hops": init_ttl - ttl if not out else 0,
            "note": note}))

    def tcp(self, t, kind, note, src, dst, sport, dport, flags, ttl, init_ttl=0, data=b""):
        self.add(t, kind, note, src, dst, 6, tcp(src, dst, sport, dport, flags, data=data),
                 ttl, init_ttl, sport, dport)

    def write(self, out_dir):
        self.pkts.sort(key=lambda p: (p[0], p[1]))
        with open(os.path.join(out_dir, "spoof.pcap"), "wb") as f, \
                open(os.path.join(out_dir, "truth.csv"), "w") as tf:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            tf.write("frame,kind,dir,src,dst,proto,sport,dport,ttl,init_ttl,hops,note\n")
            for n, (t, _, frame, tr) in enumerate(self.pkts, 1):
                sec = T0 + int(t)
                usec = int(round((t - int(t)) * 1e6)) % 1000000
                f.write(struct.pack("<IIII", sec, usec, len(frame), len(frame)) + frame)
                tf.write("%d,%s,%s,%s,%s,%d,%d,%d,%d,%d,%d,%s\n" % (
                    n, tr["kind"], tr["dir"], tr["src"], tr["dst"], tr["proto"], tr["sport"],
                    tr["dport"], tr["ttl"], tr["init_ttl"], tr["hops"], tr["note"]))


def routable(rnd):
    while True:
        a = ipaddress.ip_address(rnd.getrandbits(32))
        if not any(a in n for n in NOT_ROUTABLE):
            return str(a)


def routable6(rnd):
    """A global unicast address in 2a00::/12 (RIPE NCC's block: no special-purpose row)."""
    return str(ipaddress.ip_address((0x2a0 << 116) | rnd.getrandbits(116)))


def fresh(cap, kind, v6=False):
    """A routable address no other kind uses."""
    while True:
        a = routable6(cap.rnd) if v6 else routable(cap.rnd)
        if cap.claim(a, kind):
            return a


def hop_count(rnd):
    """Hops to a /24: most Internet paths are 10-25 hops (a bell around 16)."""
    return max(6, min(30, int(round(rnd.gauss(16, 4)))))


def init_ttl(rnd):
    r = rnd.random()
    return 64 if r < 0.70 else 128 if r < 0.95 else 255


def legit_clients(cap, conns):
    """Clients of the host's services: a few per /24, each /24 at its own distance."""
    rnd = cap.rnd
    n = 0
    cap.client_nets = []
    while n < conns:
        net = fresh(cap, "legit").rsplit(".", 1)[0]
        hops, ittl = hop_count(rnd), init_ttl(rnd)
        cap.client_nets.append(net)
        for _ in range(rnd.randint(1, 6)):
            src = "%s.%d" % (net, rnd.randint(1, 254))
            if not cap.claim(src, "legit"):
                continue
            t = rnd.uniform(1, DURATION - 20)
            sp, dp, ttl = rnd.randint(32768, 60999), rnd.choice(SERVICES), ittl - hops
            k, note = "legit", "client"
            cap.tcp(t, k, note, src, HOST, sp, dp, SYN, ttl, ittl)
            cap.tcp(t + 0.020, k, note, HOST, src, dp, sp, SYN | ACK, 64)
            cap.tcp(t + 0.040, k, note, src, HOST, sp, dp, ACK, ttl, ittl)
            cap.tcp(t + 0.041, k, note, src, HOST, sp, dp, PSH | ACK, ttl, ittl, b"GET / HTTP/1.1\r\n")
            cap.tcp(t + 0.060, k, note, HOST, src, dp, sp, PSH | ACK, 64, data=b"HTTP/1.1 200 OK\r\n")
            cap.tcp(t + 0.080, k, note, src, HOST, sp, dp, FIN | ACK, ttl, ittl)
            cap.tcp(t + 0.081, k, note, HOST, src, dp, sp, FIN | ACK, 64)
            cap.tcp(t + 0.100, k, note, src, HOST, sp, dp, ACK, ttl, ittl)
            n += 1


def host_opens(cap, n):
    """Connections and queries the host itself makes, and the replies they draw."""
    rnd = cap.rnd
    for i in range(n):
        dst = fresh(cap, "legit")
        hops, ittl = hop_count(rnd), init_ttl(rnd)
        ttl = ittl - hops
        t = 0.5 if i == 0 else rnd.uniform(1, DURATION - 20)	# the first packet at 0.5 s
        sp = rnd.randint(32768, 60999)
        k = "legit"
        kind = i % 4
        if kind == 0:		# an answered connection
            cap.tcp(t, k, "host_conn", HOST, dst, sp, 443, SYN, 64)
            cap.tcp(t + 0.03, k, "host_conn_reply", dst, HOST, 443, sp, SYN | ACK, ttl, ittl)
            cap.tcp(t + 0.031, k, "host_conn", HOST, dst, sp, 443, ACK, 64)
            cap.tcp(t + 0.06, k, "host_conn_reply", dst, HOST, 443, sp, PSH | ACK, ttl, ittl, b"x" * 40)
            cap.tcp(t + 0.07, k, "host_conn", HOST, dst, sp, 443, RST | ACK, 64)
        elif kind == 1:		# a refused connection: RST-ACK answers the SYN
            cap.tcp(t, k, "host_conn", HOST, dst, sp, 8080, SYN, 64)
            cap.tcp(t + 0.03, k, "host_conn_reply", dst, HOST, 8080, sp, RST | ACK, ttl, ittl)
        elif kind == 2:		# a DNS query answered by port unreachable
            q = udp(HOST, dst, sp, 53, b"\x12\x34\x01\x00\x00\x01" + b"\0" * 6)
            quoted = ipv4(HOST, dst, 17, q, 64, 7)
            cap.add(t, k, "host_conn", HOST, dst, 17, q, 64, 0, sp, 53)
            cap.add(t + 0.03, k, "host_conn_reply", dst, HOST, 1, icmp_error(3, 3, quoted[:28]),
                    ttl, ittl)
        else:			# a traceroute probe answered by time exceeded from a router
            router = fresh(cap, "legit")
            q = udp(HOST, dst, sp, 33434 + i % 30, b"\0" * 24)
            quoted = ipv4(HOST, dst, 17, q, 1, 9)
            cap.add(t, k, "host_conn", HOST, dst, 17, q, 1, 0, sp, 33434 + i % 30)
            cap.add(t + 0.01, k, "host_conn_reply", router, HOST, 1,
                    icmp_error(11, 0, quoted[:28]), 64 - 3, 64)


def preexisting(cap):
    """Connections open before the capture: one seen with data before its RST, one idle
    whose RST comes before the warm-up ends."""
    rnd = cap.rnd
    for note, t_data, t_rst in (("preexisting_active", 30.0, 400.0), ("preexisting_idle", None, 60.0)):
        peer = fresh(cap, "legit")
        hops, ittl = hop_count(rnd), init_ttl(rnd)
        ttl, sp = ittl - hops, rnd.randint(32768, 60999)
        if t_data is not None:
            cap.tcp(t_data, "legit", note, peer, HOST, 22, sp, PSH | ACK, ttl, ittl, b"y" * 48)
            cap.tcp(t_data + 0.01, "legit", note, HOST, peer, sp, 22, ACK, 64)
        cap.tcp(t_rst, "legit", note + "_rst", peer, HOST, 22, sp, RST | ACK, ttl, ittl)


def spoof_random(cap, n):
    """A forger at a fixed distance: initial TTL 64, 9 hops, random routable sources."""
    rnd = cap.rnd
    for _ in range(n):
        src = fresh(cap, "spoof_random")
        t = rnd.uniform(1, DURATION - 5)
        if rnd.random() < 0.5:
            cap.tcp(t, "spoof_random", "syn", src, HOST, rnd.randint(1024, 65535),
                    rnd.choice(SERVICES), SYN, 55, 64)
        else:
            sp = rnd.randint(1024, 65535)
            cap.add(t, "spoof_random", "udp", src, HOST, 17,
                    udp(src, HOST, sp, 53, b"\0" * 17), 55, 64, sp, 53)


def spoof_flood(cap, n):
    """A SYN flood on port 80 from n random sources in 5 s, TTL 51-53 (one tool, one
    place: initial TTL 64, 11-13 hops)."""
    rnd = cap.rnd
    start = rnd.uniform(300, DURATION - 100)
    for _ in range(n):
        src = fresh(cap, "spoof_flood")
        ttl = rnd.choice((51, 52, 53))
        cap.tcp(start + rnd.uniform(0, 5), "spoof_flood", "syn", src, HOST,
                rnd.randint(1024, 65535), 80, SYN, ttl, 64)


def backscatter(cap, n):
    """Replies to packets someone else sent with the host's address, after the warm-up."""
    rnd = cap.rnd
    for i in range(n):
        peer = fresh(cap, "backscatter")
        hops, ittl = hop_count(rnd), init_ttl(rnd)
        ttl = ittl - hops
        t = rnd.uniform(WARMUP + 60, DURATION - 5)
        hp = rnd.randint(1024, 65535)
        which = i % 3
        if which == 0:
            cap.tcp(t, "backscatter_synack", "syn_ack", peer, HOST, 80, hp, SYN | ACK, ttl, ittl)
            peer_kind = "backscatter_synack"
        elif which == 1:
            cap.tcp(t, "backscatter_rst", "rst", peer, HOST, 443, hp, RST | ACK, ttl, ittl)
            peer_kind = "backscatter_rst"
        else:		# a router on the way to a victim: unreachable, quoting a forged SYN
            victim = routable(rnd)
            quoted = ipv4(HOST, victim, 6, tcp(HOST, victim, hp, 80, SYN), 60, 3)
            cap.add(t, "backscatter_icmp", "icmp_error", peer, HOST, 1,
                    icmp_error(3, 1, quoted[:28]), ttl, ittl)
            peer_kind = "backscatter_icmp"
        cap.owner[peer] = peer_kind


def ipv6_part(cap, n):
    """IPv6: clients of the host, connections it opens (answered, refused, a query answered
    by ICMPv6 port unreachable), and backscatter (SYN-ACK, RST-ACK, ICMPv6 destination
    unreachable quoting a SYN from the host's address it never sent)."""
    rnd = cap.rnd
    for i in range(n):
        peer = fresh(cap, "legit", True)
        hops, ittl = hop_count(rnd), init_ttl(rnd)
        hl = ittl - hops
        t = rnd.uniform(1, DURATION - 20)
        sp, k = rnd.randint(32768, 60999), "legit"
        if i % 4 == 0:		# a client of the host
            dp = rnd.choice(SERVICES)
            cap.tcp(t, k, "client", peer, HOST6, sp, dp, SYN, hl, ittl)
            cap.tcp(t + 0.02, k, "client", HOST6, peer, dp, sp, SYN | ACK, 64)
            cap.tcp(t + 0.04, k, "client", peer, HOST6, sp, dp, ACK, hl, ittl)
            cap.tcp(t + 0.06, k, "client", peer, HOST6, sp, dp, RST | ACK, hl, ittl)
        elif i % 4 == 1:	# the host's answered connection
            cap.tcp(t, k, "host_conn", HOST6, peer, sp, 443, SYN, 64)
            cap.tcp(t + 0.03, k, "host_conn_reply", peer, HOST6, 443, sp, SYN | ACK, hl, ittl)
            cap.tcp(t + 0.031, k, "host_conn", HOST6, peer, sp, 443, ACK, 64)
        elif i % 4 == 2:	# refused
            cap.tcp(t, k, "host_conn", HOST6, peer, sp, 8443, SYN, 64)
            cap.tcp(t + 0.03, k, "host_conn_reply", peer, HOST6, 8443, sp, RST | ACK, hl, ittl)
        else:			# a query answered by port unreachable
            q = udp(HOST6, peer, sp, 53, b"\x12\x34\x01\x00" + b"\0" * 8)
            cap.add(t, k, "host_conn", HOST6, peer, 17, q, 64, 0, sp, 53)
            quoted = ipv6(HOST6, peer, 17, q, 64)
            cap.add(t + 0.03, k, "host_conn_reply", peer, HOST6, 58,
                    icmp6_error(peer, HOST6, 1, 4, quoted), hl, ittl)
    for i in range(max(3, n // 4)):
        peer = fresh(cap, "backscatter", True)
        hops, ittl = hop_count(rnd), init_ttl(rnd)
        hl, hp = ittl - hops, rnd.randint(1024, 65535)
        t = rnd.uniform(WARMUP + 60, DURATION - 5)
        if i % 3 == 0:
            cap.tcp(t, "backscatter_synack", "syn_ack", peer, HOST6, 443, hp, SYN | ACK, hl, ittl)
            cap.owner[peer] = "backscatter_synack"
        elif i % 3 == 1:
            cap.tcp(t, "backscatter_rst", "rst", peer, HOST6, 80, hp, RST | ACK, hl, ittl)
            cap.owner[peer] = "backscatter_rst"
        else:
            victim = routable6(rnd)
            quoted = ipv6(HOST6, victim, 6, tcp(HOST6, victim, hp, 80, SYN), 60)
            cap.add(t, "backscatter_icmp", "icmp_error", peer, HOST6, 58,
                    icmp6_error(peer, HOST6, 1, 3, quoted), hl, ittl)
            cap.owner[peer] = "backscatter_icmp"


def spoof_prefix(cap, n):
    """Forged sources in legitimate clients' /24s, TTL 55, after every client's visit
    (clients start before DURATION - 20 and finish within 0.1 s)."""
    rnd = random.Random(cap.rnd.random())	# its own stream: the other kinds do not move
    for _ in range(n):
        net = rnd.choice(cap.client_nets)
        src = "%s.%d" % (net, rnd.randint(1, 254))
        if not cap.claim(src, "spoof_prefix"):
            continue
        t = rnd.uniform(DURATION - 15, DURATION - 1)
        cap.tcp(t, "spoof_prefix", "syn", src, HOST, rnd.randint(1024, 65535),
                rnd.choice(SERVICES), SYN, 55, 64)


def rpf_internal(cap, n):
    """Sources of the internal prefix (eth1) arriving on the external interface."""
    rnd = cap.rnd
    net = ipaddress.ip_network(INTERNAL)
    for _ in range(n):
        src = str(net[rnd.randint(2, net.num_addresses - 2)])
        cap.owner[src] = "rpf_internal_on_external"
        t = rnd.uniform(1, DURATION - 5)
        cap.tcp(t, "rpf_internal_on_external", "syn", src, HOST, rnd.randint(1024, 65535),
                rnd.choice(SERVICES), SYN, 60, 64)


def routes():
    """`ip -j route show table all` of the host: main and local tables."""
    r = [
        {"dst": "default", "gateway": GATEWAY, "dev": "eth0", "protocol": "static", "flags": []},
        {"dst": "45.33.1.0/24", "dev": "eth0", "protocol": "kernel", "scope": "link",
         "prefsrc": HOST, "flags": []},
        {"dst": INTERNAL, "dev": "eth1", "protocol": "kernel", "scope": "link",
         "prefsrc": INTERNAL_HOST, "flags": []},
    ]
    for addr, dev, net in ((HOST, "eth0", "45.33.1"), (INTERNAL_HOST, "eth1", "81.2.69")):
        r.append({"type": "local", "dst": addr, "table": "local", "dev": dev,
                  "protocol": "kernel", "scope": "host", "prefsrc": addr, "flags": []})
        r.append({"type": "broadcast", "dst": net + ".255", "table": "local", "dev": dev,
                  "protocol": "kernel", "scope": "link", "prefsrc": addr, "flags": []})
    r.append({"type": "local", "dst": "127.0.0.0/8", "table": "local", "dev": "lo",
              "protocol": "kernel", "scope": "host", "prefsrc": "127.0.0.1", "flags": []})
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies every count")
    ap.add_argument("--spoof-prefix", type=int, default=0,
                    help="forged packets from legitimate clients' /24s (kind spoof_prefix)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    cap = Capture(random.Random(a.seed))
    s = lambda n: max(1, int(n * a.scale))
    cap.claim(HOST, "legit")
    host_opens(cap, s(200))
    preexisting(cap)
    legit_clients(cap, s(1500))
    spoof_random(cap, s(400))
    spoof_flood(cap, s(4000))
    backscatter(cap, s(300))
    rpf_internal(cap, s(60))
    ipv6_part(cap, s(200))
    if a.spoof_prefix:
        spoof_prefix(cap, a.spoof_prefix)
    cap.write(a.out)
    with open(os.path.join(a.out, "routes.json"), "w") as f:
        json.dump(routes(), f, indent=1)
        f.write("\n")
    with open(os.path.join(a.out, "args.txt"), "w") as f:
        f.write("--iface-name eth0 --host-addr %s --host-addr %s --host-addr %s\n" %
                (HOST, INTERNAL_HOST, HOST6))


if __name__ == "__main__":
    main()
