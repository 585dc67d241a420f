#!/bin/bash
# Backscatter live (issue 11): `spoofaudit collect -i a0` in the host's namespace while
# the host really talks to a peer (45.33.1.20: an answered TCP connection, a SYN to a
# closed port answered by RST-ACK, a UDP datagram to a closed port answered by ICMP port
# unreachable), and the peer's namespace injects replies to packets the host never sent:
# SYN-ACKs (the second after the host's kernel answered the first with a RST), a RST-ACK,
# and an ICMP error quoting a SYN from the host's address to a third party. Only the
# injected ones may be class backscatter, each with its subclass; the peer's real replies
# stay normal. The expected counts are the packets this script sent or injected.
# Root only (exit 77 otherwise).
set -euo pipefail
. "${SRCDIR:?}/tests/integration/netns.sh"
ns_test_start lbs python3 sqlite3

# the peer answers for real: ARP on, a default route back, a TCP service on 8080
ip -n "$NS_B" link set b0 arp on
ip -n "$NS_A" route add default via 45.33.1.20
ip -n "$NS_B" route add default via 45.33.1.10
ip netns exec "$NS_B" python3 - <<'PY' &
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("45.33.1.20", 8080)); s.listen(4); s.settimeout(60)
c, _ = s.accept(); c.sendall(c.recv(100).upper()); c.close()
PY
svc=$!

# the backscatter, written from the RFC layouts by the generator's own helpers
python3 - "$WORK/bs.pcap" "$SRCDIR/tests/tools" <<'PY'
import struct, sys
sys.path.insert(0, sys.argv[2])
from gen_spoof import ipv4, tcp, icmp_error, SYN, ACK, RST
H = "45.33.1.10"
def eth(p): return b"\x02" * 6 + bytes.fromhex("020000000020") + b"\x08\x00" + p
quoted = ipv4(H, "93.184.216.99", 6, tcp(H, "93.184.216.99", 41000, 80, SYN), 61, 5)[:28]
frames = [
    ipv4("93.184.216.34", H, 6, tcp("93.184.216.34", H, 80, 40001, SYN | ACK), 50, 1),
    ipv4("93.184.216.35", H, 6, tcp("93.184.216.35", H, 443, 40002, RST | ACK), 50, 2),
    ipv4("80.81.82.83", H, 1, icmp_error(3, 1, quoted), 50, 3),
]
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i, p in enumerate(frames):
        f.write(struct.pack("<IIII", 1, i, len(p) + 14, len(p) + 14) + eth(p))
PY
python3 - "$WORK/again.pcap" "$SRCDIR/tests/tools" <<'PY'
import struct, sys
sys.path.insert(0, sys.argv[2])
from gen_spoof import ipv4, tcp, SYN, ACK
p = ipv4("93.184.216.34", "45.33.1.10", 6, tcp("93.184.216.34", "45.33.1.10", 80, 40001, SYN | ACK), 50, 9)
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    f.write(struct.pack("<IIII", 1, 0, len(p) + 14, len(p) + 14) +
            b"\x02" * 6 + bytes.fromhex("020000000020") + b"\x08\x00" + p)
PY

db="$WORK/bs.db"
ns_collect -q -i a0 --db "$db" --role a0=external --flush-interval 1 --duration 60 \
	--user root --backscatter-warmup 1
ns_wait_sources "$db" 1
sleep 0.5
# the host's first packet starts the 1 s warm-up; nothing below falls in it
ip netns exec "$NS_A" python3 -c '
import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("45.33.1.20", 9))'
sleep 2
ip netns exec "$NS_A" python3 - <<'PY'
import socket, time
c = socket.create_connection(("45.33.1.20", 8080), timeout=5)
c.sendall(b"hello"); assert c.recv(100) == b"HELLO"; c.close()
try:
    socket.create_connection(("45.33.1.20", 8081), timeout=5)
    raise SystemExit("8081 answered")
except ConnectionRefusedError:
    pass
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"q", ("45.33.1.20", 9999))
time.sleep(0.5)
PY
wait "$svc"
ip netns exec "$NS_B" "$TOOLS/inject" -i b0 -m "$A_MAC" "$WORK/bs.pcap"
sleep 0.5	# the host answers the SYN-ACK with a RST; the SYN-ACK comes again
ip netns exec "$NS_B" "$TOOLS/inject" -i b0 -m "$A_MAC" "$WORK/again.pcap"
sleep 2
ns_collect_stop

q() { sqlite3 "$db" "$1"; }
bs() { q "SELECT coalesce(sum(packets), 0) FROM flows WHERE dir = 'in' AND src = '$1'
          AND class = 'backscatter' AND subclass = '$2'"; }
expect() {	# expect WHAT GOT WANT
	if [ "$2" = "$3" ]; then ok "$1: $2"; else bad "$1: got $2, want $3"; fi
}
expect "injected SYN-ACKs (no SYN sent; the second after the host's RST) as syn_ack" \
	"$(bs 93.184.216.34 syn_ack)" 2
expect "injected RST-ACK as rst" "$(bs 93.184.216.35 rst)" 1
expect "injected ICMP error quoting a SYN the host never sent as icmp_error" \
	"$(bs 80.81.82.83 icmp_error)" 1
expect "the host's kernel answered the SYN-ACK with a RST (outgoing, normal)" \
	"$(q "SELECT count(*) > 0 FROM flows WHERE dir = 'out' AND dst = '93.184.216.34'
	      AND proto = 6 AND class = 'normal' AND tcp_flags & 4")" 1
expect "the peer's real replies classed backscatter" \
	"$(q "SELECT coalesce(sum(packets), 0) FROM flows WHERE src = '45.33.1.20'
	      AND class = 'backscatter'")" 0
expect "the peer's real replies seen: SYN-ACK, RST-ACK, ICMP port unreachable" \
	"$(q "SELECT (SELECT count(*) > 0 FROM flows WHERE src = '45.33.1.20' AND dir = 'in'
	              AND proto = 6 AND sport = 8080 AND tcp_flags & 18 = 18) ||
	             (SELECT count(*) > 0 FROM flows WHERE src = '45.33.1.20' AND dir = 'in'
	              AND proto = 6 AND sport = 8081 AND tcp_flags & 4) ||
	             (SELECT count(*) > 0 FROM flows WHERE src = '45.33.1.20' AND dir = 'in'
	              AND proto = 1 AND dport = 3 * 256 + 3)")" 111
expect "evidence packets kept for the backscatter flows" \
	"$(q "SELECT count(*) FROM evidence e JOIN flows f ON f.id = e.flow_id
	      WHERE f.class = 'backscatter'")" 4
[ "$fail" = 0 ] || q "SELECT dir, src, dst, proto, sport, dport, class, subclass, packets, tcp_flags, first_usec FROM flows ORDER BY first_usec"
exit "$fail"
