#!/bin/bash
# Spoof accepted live (collect --policy, violation kind live_reply). The intended policy
# rejects 127/8 from outside; the live kernel has no spoof rule, route_localnet=1 on all and
# a0. Spoofed 127/8 UDP and TCP SYNs to open ports (a UDP echo service, a TCP listener) are
# injected over the veth. Their replies go to 127/8, so they leave over lo, not a0: the
# collector must match them there and report live_reply with the reply as evidence, and
# `export --violation ID` must write the request and the reply.
#   case A: sources other than 127.0.0.1 (route_localnet=1 alone lets them in); 127.0.0.1
#           itself is still a martian (accept_local=0): no reply, no live_reply.
#   case B: accept_local=1 as well: 127.0.0.1 gets replies too.
# Root only (exit 77 otherwise).
set -euo pipefail
. "${SRCDIR:?}/tests/integration/live_policy.sh"
ns_test_start lsr iptables-restore

ns_filter_rules ACCEPT ACCEPT '-A INPUT -i lo -j ACCEPT' '-A INPUT -s 127.0.0.0/8 ! -i lo -j REJECT' \
	> "$WORK/intended.rules"
grep -v -- "-j REJECT" "$WORK/intended.rules" > "$WORK/live.rules"
ip netns exec "$NS_A" iptables-restore < "$WORK/live.rules"
ip netns exec "$NS_A" sysctl -qw net.ipv4.conf.all.route_localnet=1 net.ipv4.conf.a0.route_localnet=1 \
	net.ipv4.conf.all.accept_local=0 net.ipv4.conf.a0.accept_local=0 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.a0.rp_filter=0

# the services: UDP echo on 5300 and 5301, TCP listeners on 8080 and 8081
live_service <<'PY'
import socket, select
us = []
for p in (5300, 5301):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", p)); us.append(u)
ts = []
for p in (8080, 8081):
    t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("0.0.0.0", p)); t.listen(64); ts.append(t)
while True:
    r, _, _ = select.select(us, [], [], 120)
    if not r: break
    for u in r:
        d, peer = u.recvfrom(2000); u.sendto(b"echo:" + d, peer)
PY

G="$SRCDIR/tests/tools/gen_frames.py"
python3 "$G" "$WORK/a.pcap" udp:127.9.8.7:4001:45.33.1.10:5300:5 syn:127.9.8.8:4002:45.33.1.10:8080:3 \
	udp:127.0.0.1:4003:45.33.1.10:5300:5
python3 "$G" "$WORK/b.pcap" udp:127.0.0.1:4004:45.33.1.10:5301:5 syn:127.0.0.1:4005:45.33.1.10:8081:3

live_start --policy "$WORK/intended.rules"
echo "case A: route_localnet=1, accept_local=0"
ip netns exec "$NS_B" "$TOOLS/inject" -i b0 -m "$A_MAC" "$WORK/a.pcap"
sleep 2
echo "case B: accept_local=1 as well"
ip netns exec "$NS_A" sysctl -qw net.ipv4.conf.all.accept_local=1 net.ipv4.conf.a0.accept_local=1
sleep 2.5	# the collector re-reads the kernel context with the ruleset (every second)
ip netns exec "$NS_B" "$TOOLS/inject" -i b0 -m "$A_MAC" "$WORK/b.pcap"
sleep 2
live_stop

live_expect live_reply '127\.9\.8\.7:4001 -> 45\.33\.1\.10:5300.*host replied udp [0-9.]+:5300 -> 127\.9\.8\.7:4001 on lo' = 1 "A: UDP 127.9.8.7 -> :5300 answered over lo: live_reply" "A: UDP live_reply lines"
live_expect live_reply '127\.9\.8\.8:4002 -> 45\.33\.1\.10:8080.*host replied tcp 45\.33\.1\.10:8080 -> 127\.9\.8\.8:4002 .*on lo' = 1 "A: TCP SYN 127.9.8.8 -> :8080 answered (SYN-ACK) over lo: live_reply" "A: TCP live_reply lines"
live_expect live_reply '127\.0\.0\.1:4003' = 0 "A: 127.0.0.1 itself is a martian without accept_local: no reply, no live_reply" "A: 127.0.0.1 reported"
live_expect live_reply '127\.0\.0\.1:4004 -> 45\.33\.1\.10:5301.*on lo' = 1 "B: UDP 127.0.0.1 -> :5301 answered with accept_local=1: live_reply" "B: UDP lines"
live_expect live_reply '127\.0\.0\.1:4005 -> 45\.33\.1\.10:8081.*on lo' = 1 "B: TCP 127.0.0.1 -> :8081 answered with accept_local=1: live_reply" "B: TCP lines"
live_expect live_reply 'intended: REJECT by filter INPUT #2' = 4 "every live_reply names the intended REJECT rule" "lines naming the intended rule"

db="$LIVE_DB"
sqlite3 "$db" "SELECT id, kind, count, lines, flow, evidence FROM violations WHERE kind = 'live_reply' ORDER BY id"
for id in $(sqlite3 "$db" "SELECT id FROM violations WHERE kind = 'live_reply' ORDER BY id"); do
	"$SPOOFAUDIT" export --db "$db" --violation "$id" -w "$WORK/v$id.pcap" -q
	np=$(tcpdump -r "$WORK/v$id.pcap" -nn 2>/dev/null | tee "$WORK/v$id.txt" | wc -l)
	sed 's/^/    /' "$WORK/v$id.txt"
	lo=$(grep -Ec "(45.33.1.10|127.0.0.1).(5300|5301|8080|8081) > 127\." "$WORK/v$id.txt" || true)
	req=$(grep -c "127\..* > 45.33.1.10" "$WORK/v$id.txt" || true)
	[ "$np" -ge 2 ] && [ "$lo" -ge 1 ] && [ "$req" -ge 1 ] \
		&& ok "violation $id exported: $np packets (the spoofed request and the reply to 127/8)" \
		|| bad "violation $id exported $np packets ($req requests, $lo replies)"
done
exit $fail
