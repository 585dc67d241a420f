#!/bin/bash
# No false alarms (collect --policy): the live ruleset equals the intended one (a default
# DROP INPUT with lo, spoof, conntrack and service rules), and for a minute the other
# namespace uses the auditor's services (TCP 8080, UDP 5300), knocks at a closed and
# dropped port (TCP 9000), while loopback UDP and TCP traffic runs inside. There must be
# zero violation lines and zero violation rows. Root only (exit 77 otherwise).
# LIVE_CLEAN_SECONDS shortens the minute for a quick run.
set -euo pipefail
. "${SRCDIR:?}/tests/integration/live_policy.sh"
ns_test_start lcl iptables-restore
secs=${LIVE_CLEAN_SECONDS:-60}

ns_filter_rules DROP ACCEPT '-A INPUT -i lo -j ACCEPT' '-A INPUT -s 127.0.0.0/8 ! -i lo -j DROP' \
	'-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT' '-A INPUT -p tcp -m tcp --dport 8080 -j ACCEPT' \
	'-A INPUT -p udp -m udp --dport 5300 -j ACCEPT' '-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT' \
	> "$WORK/intended.rules"
ip netns exec "$NS_A" iptables-restore < "$WORK/intended.rules"
live_neigh
live_service "$secs" <<'PY'
import socket, select, sys, time
end = time.time() + int(sys.argv[1]) + 20
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", 5300))
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("0.0.0.0", 8080)); t.listen(64)
conns = []
while time.time() < end:
    r, _, _ = select.select([u, t] + conns, [], [], 0.5)
    for s in r:
        if s is u:
            d, p = u.recvfrom(2000); u.sendto(d, p)
        elif s is t:
            c, _ = t.accept(); conns.append(c)
        else:
            d = s.recv(2000)
            if d: s.sendall(d)
            else: conns.remove(s); s.close()
PY
live_start --policy "$WORK/intended.rules"
traffic() {	# $1: namespace, $2: address, $3: seconds, $4: also knock at 9000
	ip netns exec "$1" python3 - "$2" "$3" "$4" <<'PY'
import socket, sys, time
host, end, knock = sys.argv[1], time.time() + int(sys.argv[2]), sys.argv[3] == "1"
n = [0, 0, 0]
while time.time() < end:
    s = socket.create_connection((host, 8080), timeout=2)
    for i in range(3):
        s.sendall(b"x" * 100); s.recv(200)
    s.close(); n[0] += 1
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(2)
    u.sendto(b"ping", (host, 5300)); u.recv(100); u.close(); n[1] += 1
    if knock and n[0] % 20 == 1:
        try:
            socket.create_connection((host, 9000), timeout=0.3)
        except OSError:
            n[2] += 1
    time.sleep(0.05)
print("%s: %d TCP connections to 8080, %d UDP exchanges with 5300, %d knocks at 9000" % (host, n[0], n[1], n[2]))
PY
}
traffic "$NS_B" 45.33.1.10 "$secs" 1 &
t1=$!
traffic "$NS_A" 127.0.0.1 "$secs" 0
wait $t1
sleep 2
live_stop
n=$(grep -vc '"kind":"info"' "$WORK/alerts" || true)
rows=$(sqlite3 "$LIVE_DB" "SELECT count(*) FROM violations")
flows=$(sqlite3 "$LIVE_DB" "SELECT count(*) || ' flows, ' || sum(packets) || ' packets' FROM flows")
echo "recorded: $flows in ${secs}s"
[ "$n" = 0 ] && ok "zero violation lines" || bad "$n violation lines"
[ "$rows" = 0 ] && ok "zero violation rows" || bad "$rows violation rows"
grep -q "equals the intended policy" "$WORK/alerts" && ok "the collector found live == intended" || bad "live == intended not said"
exit $fail
