#!/bin/bash
# The classic loopback scenario, live (collect --policy; violation kinds ruleset_differs
# and live_differs). Intended: the classic INPUT pair, :OUTPUT DROP and
# -A OUTPUT -o lo -j ACCEPT. A loopback service (python3, UDP 5353 and TCP 8125) is used
# while no ruleset is loaded; then the live kernel gets the intended ruleset without the
# -o lo rule. The collector (polling the live ruleset every second) must say the live
# ruleset differs from the intended one, name the missing rule, and report the loopback
# flows the intended policy allows and the live one drops (udp/5353, tcp/8125). A second
# collector, started with the broken ruleset already loaded, must say the same at start
# from the recorded flows, and must find the loopback service unusable (EPERM).
# Root only (exit 77 otherwise).
set -euo pipefail
. "${SRCDIR:?}/tests/integration/live_policy.sh"
ns_test_start llo iptables-restore

ns_filter_rules ACCEPT DROP '-A INPUT -i lo -j ACCEPT' '-A INPUT -s 127.0.0.0/8 ! -i lo -j REJECT' \
	'-A OUTPUT -o lo -j ACCEPT' '-A OUTPUT -o a0 -j ACCEPT' > "$WORK/intended.rules"
grep -v -- "-A OUTPUT -o lo" "$WORK/intended.rules" > "$WORK/broken.rules"

use_service() {
	ip netns exec "$NS_A" python3 - <<'PY'
import socket
try:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 5353))
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); c.settimeout(1)
    for i in range(10):
        c.sendto(b"q", ("127.0.0.1", 5353)); d, p = u.recvfrom(100); u.sendto(b"r", p); c.recv(10)
    l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("127.0.0.1", 8125)); l.listen(5)
    for i in range(3):
        s = socket.create_connection(("127.0.0.1", 8125), timeout=1); a, _ = l.accept()
        s.sendall(b"x" * 50); a.recv(100); a.sendall(b"y"); s.recv(10); s.close(); a.close()
    print("loopback service: works")
except OSError as e:
    print("loopback service: fails (%s)" % e)
PY
}

echo "== run 1: no ruleset, the service used, then the broken ruleset loaded"
live_start --policy "$WORK/intended.rules"
use_service
sleep 1.5
ip netns exec "$NS_A" iptables-restore < "$WORK/broken.rules"
sleep 3
use_service | tee "$WORK/svc2"
live_stop
grep -q "fails" "$WORK/svc2" && ok "the live ruleset breaks the loopback service" || bad "service still works"
live_expect ruleset_differs 'filter OUTPUT: rule missing from the live ruleset: `-A OUTPUT -o lo -j ACCEPT' -ge 1 "live differs from intended: names the missing rule -A OUTPUT -o lo -j ACCEPT" "missing rule not named"
live_expect live_differs 'recorded flows .* that the intended policy accepts and the live ruleset blocks.*service udp/5353.*live: DROP by the policy of filter OUTPUT.*missing from the live ruleset: filter OUTPUT #1 \(line 7\) `-A OUTPUT -o lo -j ACCEPT' -ge 1 "the loopback flows the intended allows and live drops: udp/5353, missing rule named" "live_differs udp/5353"
live_expect live_differs 'service tcp/8125' -ge 1 "... and tcp/8125" "tcp/8125 not reported"
rows=$(sqlite3 "$LIVE_DB" "SELECT count(*) FROM violations WHERE kind = 'live_differs'")
[ "$rows" -ge 1 ] && ok "stored: $rows live_differs rows" || bad "no live_differs row"

echo "== run 2: started with the broken ruleset loaded, same database"
mv "$WORK/alerts" "$WORK/alerts.1"
live_start --policy "$WORK/intended.rules"
use_service
sleep 1
live_stop
live_expect ruleset_differs '`-A OUTPUT -o lo -j ACCEPT' -ge 1 "at start: the missing rule named" "at start: missing rule not named"
live_expect live_differs 'service udp/5353' -ge 1 "at start: recorded loopback flows reported" "at start: no live_differs"
echo "== check --violations and the report's policy section"
set +e
"$SPOOFAUDIT" check --violations --db "$LIVE_DB" --fail-on violations > "$WORK/check.txt"
rc=$?
set -e
cat "$WORK/check.txt"
[ $rc = 3 ] && ok "check --violations --fail-on violations: exit 3" || bad "check exit $rc"
grep -q "^#[0-9]* live_differs: " "$WORK/check.txt" && ok "check lists live_differs" || bad "check: no live_differs"
"$SPOOFAUDIT" report --db "$LIVE_DB" --day today --format json > "$WORK/report.json"
python3 - "$WORK/report.json" <<'PY' && ok "report: policy table with ruleset_differs and live_differs" || bad "report policy table"
import json, sys
r = json.load(open(sys.argv[1]))
kinds = {row["kind"] for row in r["tables"]["policy"]}
print("report policy table:", sorted(kinds), len(r["tables"]["policy"]), "rows")
sys.exit(0 if {"ruleset_differs", "live_differs"} <= kinds else 1)
PY
"$SPOOFAUDIT" report --db "$LIVE_DB" --day today | sed -n '/^== Policy/,$p'
exit $fail
