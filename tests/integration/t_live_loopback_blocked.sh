#!/bin/bash
# Violation kind loopback_blocked: a loopback flow the intended policy would drop. The
# intended policy is the classic mistake (:OUTPUT DROP without -A OUTPUT -o lo -j ACCEPT);
# the live kernel has no ruleset, so the loopback service works and the collector sees its
# flows on lo: each service (udp/5353, tcp/8125) is reported once, naming the OUTPUT policy.
# Root only (exit 77 otherwise).
set -euo pipefail
. "${SRCDIR:?}/tests/integration/live_policy.sh"
ns_test_start llb

ns_filter_rules ACCEPT DROP '-A INPUT -i lo -j ACCEPT' '-A INPUT -s 127.0.0.0/8 ! -i lo -j REJECT' \
	'-A OUTPUT -o a0 -j ACCEPT' > "$WORK/intended.rules"
live_start --policy "$WORK/intended.rules" --no-live-ruleset
ip netns exec "$NS_A" python3 - <<'PY'
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 5353))
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(10):
    c.sendto(b"q", ("127.0.0.1", 5353)); d, p = u.recvfrom(100); u.sendto(b"r", p); c.recv(10)
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 8125)); l.listen(5)
for i in range(3):
    s = socket.create_connection(("127.0.0.1", 8125)); a, _ = l.accept()
    s.sendall(b"x"); a.recv(10); a.sendall(b"y"); s.recv(10); s.close(); a.close()
PY
sleep 1.5
live_stop
live_expect loopback_blocked 'lo in udp 127\.0\.0\.1:[0-9]+ -> 127\.0\.0\.1:5353 \(loopback_flow\); intended: DROP by the policy of filter OUTPUT' = 1 "udp/5353: loopback_blocked by the OUTPUT policy" "udp/5353"
live_expect loopback_blocked '-> 127\.0\.0\.1:8125 .*DROP by the policy of filter OUTPUT' = 1 "tcp/8125: loopback_blocked" "tcp/8125"
rows=$(sqlite3 "$LIVE_DB" "SELECT group_concat(dport || ':' || count) FROM violations WHERE kind = 'loopback_blocked'")
echo "stored loopback_blocked (service:occurrences): $rows"
[ -n "$rows" ] && ok "stored" || bad "not stored"
exit $fail
