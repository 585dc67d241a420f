#!/bin/bash
# The classic loopback scenario, end to end. A namespace runs a loopback service (UDP
# 127.0.0.1:5353 and TCP 127.0.0.1:8125, used from inside) and receives spoofed 127/8
# packets injected over the veth, while `spoofaudit collect -i a0 -i lo` records. Then
#   broken: -A INPUT -i lo -j ACCEPT; -A INPUT ! -i lo -s 127.0.0.0/8 -j REJECT;
#           :OUTPUT DROP with no -o lo rule
#   fixed:  the same plus -A OUTPUT -o lo -j ACCEPT
# `check --ruleset broken` must report the loopback breakage naming the services, that the
# spoofed packets never reach a rule (martian drop, route_localnet=0) and that the ruleset
# alone would REJECT them, and the REJECT rule's real hit count 0 with the explanation;
# the kernel, with the broken ruleset loaded, must count 0 on that REJECT rule too.
# `check --ruleset fixed --against broken` must show the breakage gone (newly accepted
# loopback flows) and no spoof hole opened. Root only (exit 77 otherwise).
set -euo pipefail
. "${SRCDIR:?}/tests/integration/netns.sh"
ns_test_start chk iptables-legacy-restore

cat > "$WORK/broken.rules" <<'EOF'
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT DROP [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT ! -i lo -s 127.0.0.0/8 -j REJECT
-A OUTPUT -o a0 -j ACCEPT
COMMIT
EOF
sed 's/^-A OUTPUT -o a0 -j ACCEPT$/-A OUTPUT -o lo -j ACCEPT\n&/' "$WORK/broken.rules" > "$WORK/fixed.rules"

# 40 spoofed UDP packets 127.0.0.1 -> 45.33.1.10:53 and 20 from 127.9.8.7, Ethernet pcap
python3 - "$WORK/spoof.pcap" <<'PY'
import struct, sys
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def pkt(src, dst, sport, dport):
    payload = b"spoof"
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    s = bytes(map(int, src.split("."))); d = bytes(map(int, dst.split(".")))
    ph = s + d + struct.pack("!BBH", 0, 17, len(udp))
    udp = udp[:6] + struct.pack("!H", csum(ph + udp) or 0xffff) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, s, d)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\x02\0\0\0\0\x01" + b"\x02\0\0\0\0\x02" + b"\x08\x00" + ip + udp
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    frames = [pkt("127.0.0.1", "45.33.1.10", 4000, 53)] * 40 + [pkt("127.9.8.7", "45.33.1.10", 4001, 53)] * 20
    for i, fr in enumerate(frames):
        f.write(struct.pack("<IIII", 1700000000, i, len(fr), len(fr)) + fr)
PY

ip netns exec "$NS_A" sysctl -qw net.ipv4.conf.all.route_localnet=0 net.ipv4.conf.a0.route_localnet=0
db="$WORK/chk.db"
ip netns exec "$NS_A" "$SPOOFAUDIT" collect -q -i a0 -i lo --db "$db" --role a0=external \
	--flush-interval 1 --duration 60 &
pid=$!
NS_CLEANUP_HOOK="kill $pid 2>/dev/null"
ns_wait_sources "$db" 2
sleep 0.5
# the loopback services, used from inside (before the broken ruleset is loaded)
ip netns exec "$NS_A" python3 - <<'PY'
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 5353))
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(25):
    c.sendto(b"q" * 10, ("127.0.0.1", 5353)); data, peer = u.recvfrom(100); u.sendto(b"r", peer); c.recv(10)
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 8125)); l.listen(5)
for i in range(3):
    s = socket.create_connection(("127.0.0.1", 8125)); a, _ = l.accept()
    s.sendall(b"x" * 100); a.recv(100); a.sendall(b"y"); s.recv(10); s.close(); a.close()
PY
# the broken ruleset in the kernel, then the spoofed packets
ip netns exec "$NS_A" iptables-legacy-restore < "$WORK/broken.rules"
ip netns exec "$NS_B" "$TOOLS/inject" -i b0 -m "$A_MAC" "$WORK/spoof.pcap" > "$WORK/inject.out"
sleep 1.5
kcount=$(ip netns exec "$NS_A" iptables-legacy -L INPUT -v -x -n | awk '$3 == "REJECT" {print $1}')
martian=$(ip netns exec "$NS_A" iptables-legacy -L INPUT -v -x -n | awk '$3 == "ACCEPT" {print $1}')
kill -TERM $pid
wait $pid || true
NS_CLEANUP_HOOK=
echo "injected: $(cat "$WORK/inject.out" | tr '\n' ' '); kernel REJECT rule counter: $kcount"
[ "$kcount" = 0 ] && ok "kernel: the REJECT rule counted 0 (martian drop before filter INPUT)" \
	|| bad "kernel REJECT counter is $kcount, expected 0"

stored=$(sqlite3 "$db" "SELECT sum(packets) FROM flows WHERE class='spoof_loopback_src'")
[ "$stored" = 60 ] && ok "collector stored 60 spoofed packets" || bad "spoofed packets stored: $stored"

set +e
"$SPOOFAUDIT" check --ruleset "$WORK/broken.rules" --db "$db" --fail-on breakage > "$WORK/broken.txt"
rc=$?
set -e
cat "$WORK/broken.txt"
[ $rc = 3 ] && ok "broken: exit 3 with --fail-on breakage" || bad "broken: exit $rc"
grep -q "^== Loopback breakage ==" "$WORK/broken.txt" && ok "breakage reported" || bad "no breakage section"
grep -q "service udp/5353: .*DROP by the policy of filter OUTPUT" "$WORK/broken.txt" \
	&& ok "names service udp/5353" || bad "udp/5353 not named"
grep -q "service tcp/8125: " "$WORK/broken.txt" && ok "names service tcp/8125" || bad "tcp/8125 not named"
grep -q "spoof_loopback_src/loopback: 2 flows, 60 packets: DROP by the kernel's martian check (src-loopback)" \
	"$WORK/broken.txt" && ok "spoofed packets: martian drop" || bad "spoof fate not reported"
grep -q "route_localnet=0" "$WORK/broken.txt" && ok "names route_localnet" || bad "sysctl not named"
grep -q "ruleset alone .*would: REJECT by filter INPUT #2" "$WORK/broken.txt" \
	&& ok "spoofed packets: the ruleset rejects them" || bad "REJECT of spoofed packets not reported"
awk '/^== Rules never hit, IPv4 ==/ {s=1} s' "$WORK/broken.txt" > "$WORK/dead.txt"
grep -q "filter INPUT #2 (line 6) .*0 packets" "$WORK/dead.txt" && \
	grep -q "it would take 60 packets (2 flows) that the kernel's martian check (src-loopback) drops first" "$WORK/dead.txt" \
	&& ok "REJECT rule: real hits 0, explained" || bad "REJECT rule hit count/explanation missing"

"$SPOOFAUDIT" check --ruleset "$WORK/broken.rules" --db "$db" --format json > "$WORK/broken.json"
python3 - "$WORK/broken.json" <<'PY' && ok "JSON agrees" || bad "JSON"
import json, sys
j = json.load(open(sys.argv[1]))
rej = [r for r in j["rules"] if r["num"] == 2 and r["chain"] == "INPUT"][0]
assert rej["packets"] == 0 and rej["martian_dropped_packets"] == 60, rej
br = [f for f in j["findings"] if f["kind"] == "loopback_breakage"]
assert {f["label"] for f in br} >= {"udp/5353", "tcp/8125"}, br
sp = [f for f in j["findings"] if f["kind"] == "spoof"]
assert sp and all(not f["hole"] and f["outcome"]["by"] == "martian" and f["outcome"]["sysctl"] == "route_localnet=0" for f in sp), sp
assert all(f["ruleset_alone"]["verdict"] == "REJECT" for f in sp), sp
assert j["summary"]["breakage"] and not j["summary"]["holes"]
PY

set +e
"$SPOOFAUDIT" check --ruleset "$WORK/fixed.rules" --against "$WORK/broken.rules" --db "$db" \
	--fail-on holes,breakage > "$WORK/fixed.txt"
rc=$?
set -e
cat "$WORK/fixed.txt"
[ $rc = 0 ] && ok "fixed: exit 0 with --fail-on holes,breakage" || bad "fixed: exit $rc"
grep -q "^== Loopback breakage ==" "$WORK/fixed.txt" && bad "breakage still reported" || ok "breakage gone"
grep -q "^== Spoof hole opened ==" "$WORK/fixed.txt" && bad "spoof hole opened" || ok "no spoof hole opened"
grep -q "^== Newly accepted ==" "$WORK/fixed.txt" && grep -q "^  4 flows, 80 packets" "$WORK/fixed.txt" &&
	grep -q "before .*DROP by the policy of filter OUTPUT" "$WORK/fixed.txt" &&
	grep -q "filter OUTPUT #1 (line 7) *80 / 4 *-A OUTPUT -o lo -j ACCEPT" "$WORK/fixed.txt" \
	&& ok "loopback flows newly accepted by -A OUTPUT -o lo -j ACCEPT" || bad "diff does not show the fix"
exit $fail
