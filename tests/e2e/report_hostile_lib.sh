# Sourced by the t_report_*.sh tests of hostile database text (issue 14): writes a small
# pcapng whose Interface Description Block carries a chosen if_name, collects it with
# `spoofaudit collect -r` into a fresh database, and offers sqlite3 helpers to tamper
# with that database afterwards, as an attacker who controls a capture file, an NFLOG
# prefix, a host name or a ruleset comment could. Not a test itself (no t_ prefix).
#
# hostile_pcapng OUT IFNAME_HEX   IFNAME_HEX: the if_name option's bytes, in hex.
# The capture holds, on 2026-09-21 between 10:00 and 10:05 UTC: 5 UDP packets from
# 127.0.0.1 (spoof_loopback_src), 3 from 10.1.2.3 (bogon_src on an external interface)
# and 4 from 9.9.9.9 (normal); all to the host address 45.33.1.10, UDP port 53.
hostile_pcapng() {
	python3 - "$1" "$2" <<'PY'
import struct, sys
out, name = sys.argv[1], bytes.fromhex(sys.argv[2])

def block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)

def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def frame(src, dst, sport, dport):
    udp = struct.pack("!HHHH", sport, dport, 8 + 12, 0) + b"x" * 12
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 57, 17, 0,
                     bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\x02\0\0\0\0\x01" + b"\x02\0\0\0\0\x02" + b"\x08\x00" + ip + udp

shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
opt = struct.pack("<HH", 2, len(name)) + name + b"\0" * (-len(name) % 4) + struct.pack("<HH", 0, 0)
idb = block(1, struct.pack("<HHI", 1, 0, 65535) + opt)
t0 = 1789984800 * 1000000	# 2026-09-21T10:00:00Z
pkts = [((127, 0, 0, 1), 5), ((10, 1, 2, 3), 3), ((9, 9, 9, 9), 4)]
epbs, k = b"", 0
for src, n in pkts:
    for i in range(n):
        f = frame(src, (45, 33, 1, 10), 40000 + i, 53)
        ts = t0 + k * 20 * 1000000
        k += 1
        epbs += block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xffffffff, len(f), len(f)) + f)
open(out, "wb").write(shb + idb + epbs)
PY
}

# hostile_db DB IFNAME_HEX: a database collected from hostile_pcapng's capture.
hostile_db() {
	hostile_pcapng "$1.pcapng" "$2"
	"$SPOOFAUDIT" collect -q --db "$1" -r "$1.pcapng" --host-addr 45.33.1.10 >/dev/null
}

# hostile_nflog DB PREFIX_SQL: an NFLOG source and a flow_nflog row with the given prefix
# (an SQL expression) for every spoofed flow, as a live run with NFLOG would record them.
hostile_nflog() {
	sqlite3 "$1" "
	  INSERT INTO sources(run_id, kind, name) SELECT min(id), 'nflog', 'nflog:5' FROM runs;
	  INSERT INTO flow_nflog(flow_id, prefix, grp, hook, packets, bytes)
	    SELECT id, $2, 5, 0, packets, bytes FROM flows WHERE class <> 'normal';"
}

# hostile_violation DB INTENDED_SQL: a live policy violation whose intended-policy text
# (the rule and its comment) is the given SQL expression.
hostile_violation() {
	sqlite3 "$1" "
	  INSERT INTO violations(run_id, sig, kind, strength, first_usec, last_usec, count, lines,
	                         flow, iface, class, intended, live, evidence, message)
	    SELECT min(id), 'sig1', 'spoof_accepted', 'strong', 1789984800000000,
	           1789984900000000, 5, 1, 'udp 127.0.0.1 -> 45.33.1.10:53', 'eth', 'spoof_loopback_src',
	           $2, 'ACCEPT (policy)', 'none', 'spoofed flow accepted' FROM runs;"
}
