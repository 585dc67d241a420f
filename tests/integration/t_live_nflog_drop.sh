#!/bin/bash
# Violation kind live_nflog_drop: an NFLOG rule whose prefix names a drop logs a flow the
# intended policy accepts. Intended: INPUT ACCEPT (everything). Live, in raw PREROUTING:
#   NFLOG --nflog-prefix blk9999 followed by a DROP with the same matches (udp dport 9999):
#     the live ruleset says the prefix drops;
#   NFLOG --nflog-prefix "drop:8888" (udp dport 8888), the DROP in filter INPUT: the prefix
#     convention says so;
#   NFLOG --nflog-prefix seen7777 followed by nothing that drops: not a drop prefix.
# Ordinary UDP from the other namespace to 9999, 8888 and 7777; the collector reads NFLOG
# group 7 beside pcap. Root only (exit 77 otherwise).
set -euo pipefail
. "${SRCDIR:?}/tests/integration/live_policy.sh"
ns_test_start lnf iptables-restore

ns_filter_rules ACCEPT ACCEPT > "$WORK/intended.rules"
cat > "$WORK/live.rules" <<'R'
*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -i a0 -p udp --dport 9999 -j NFLOG --nflog-group 7 --nflog-prefix blk9999
-A PREROUTING -i a0 -p udp --dport 9999 -j DROP
-A PREROUTING -i a0 -p udp --dport 8888 -j NFLOG --nflog-group 7 --nflog-prefix "drop:8888"
-A PREROUTING -i a0 -p udp --dport 7777 -j NFLOG --nflog-group 7 --nflog-prefix seen7777
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p udp --dport 8888 -j DROP
COMMIT
R
ip netns exec "$NS_A" iptables-restore < "$WORK/live.rules"
live_neigh
live_start --policy "$WORK/intended.rules" --nflog 7
ip netns exec "$NS_B" python3 - <<'PY'
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5):
    for p in (9999, 8888, 7777):
        s.sendto(b"hello", ("45.33.1.10", p))
    time.sleep(0.05)
PY
sleep 2
live_stop
live_expect live_nflog_drop 'a0 in udp 45\.33\.1\.20:[0-9]+ -> 45\.33\.1\.10:9999 .*intended: ACCEPT.*prefix `blk9999.*raw PREROUTING #1 logs with it and #2 \(DROP\)' = 1 "blk9999: the live NFLOG rule followed by a DROP: live_nflog_drop" "blk9999"
live_expect live_nflog_drop 'prefix `drop:8888.*convention' = 1 "drop:8888: by the prefix convention: live_nflog_drop" "drop:8888"
live_expect live_nflog_drop 'seen7777' = 0 "seen7777: a logging-only prefix is no violation" "seen7777"
sqlite3 "$LIVE_DB" "SELECT kind, count, evidence FROM violations WHERE kind = 'live_nflog_drop'"
exit $fail
