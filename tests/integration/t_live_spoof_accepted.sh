#!/bin/bash
# Violation kind spoof_accepted: the intended policy itself lets spoofed 127/8 traffic in.
# Intended == live: INPUT ACCEPT with only -A INPUT -i lo -j ACCEPT (no spoof rule).
# With route_localnet=0 the kernel's martian check drops the spoofed packets before INPUT,
# so the intended policy (evaluated with the kernel context the collector reads) does not
# accept them: no line. With route_localnet=1 on all and a0 it does: spoof_accepted, with
# the spoofed packet kept as evidence. Root only (exit 77 otherwise).
set -euo pipefail
. "${SRCDIR:?}/tests/integration/live_policy.sh"
ns_test_start lsa iptables-restore

live_same_policy ACCEPT ACCEPT '-A INPUT -i lo -j ACCEPT'
ip netns exec "$NS_A" sysctl -qw net.ipv4.conf.all.route_localnet=0 net.ipv4.conf.a0.route_localnet=0
G="$SRCDIR/tests/tools/gen_frames.py"
python3 "$G" "$WORK/a.pcap" udp:127.9.8.7:4001:45.33.1.10:5300:3
python3 "$G" "$WORK/b.pcap" udp:127.9.8.7:4002:45.33.1.10:5301:3

live_start --policy "$WORK/intended.rules"
ip netns exec "$NS_B" "$TOOLS/inject" -i b0 -m "$A_MAC" "$WORK/a.pcap" > /dev/null
sleep 1.5
ip netns exec "$NS_A" sysctl -qw net.ipv4.conf.all.route_localnet=1 net.ipv4.conf.a0.route_localnet=1
sleep 2.5
ip netns exec "$NS_B" "$TOOLS/inject" -i b0 -m "$A_MAC" "$WORK/b.pcap" > /dev/null
sleep 1.5
# the audit's violations go to the database through the writer thread, as the flows do, so
# that the capture never waits on SQLite (issue 13): the collector runs two threads
threads=$(ls "/proc/$LIVE_PID/task" | wc -l)
[ "$threads" -ge 2 ] && ok "collect --policy runs a writer thread ($threads threads)" ||
	bad "collect --policy: $threads thread(s), no writer thread"
live_stop
live_expect spoof_accepted ':5300' = 0 "route_localnet=0: the martian drop stops them, no spoof_accepted" "route_localnet=0"
live_expect spoof_accepted '127\.9\.8\.7:4002 -> 45\.33\.1\.10:5301 \(spoof_loopback_src\); intended: ACCEPT by the policy of filter INPUT' = 1 "route_localnet=1: spoof_accepted, intended ACCEPT by the INPUT policy" "route_localnet=1"
live_expect ruleset_differs '' = 0 "live equals intended: no ruleset_differs" "ruleset_differs"
id=$(sqlite3 "$LIVE_DB" "SELECT id FROM violations WHERE kind = 'spoof_accepted'")
# the violation names its flow's row, and its evidence links name rows of that same flow:
# the injected packets' 5-tuple (gen_frames above) is the oracle
fl=$(sqlite3 "$LIVE_DB" "SELECT f.src || ':' || f.sport || '>' || f.dst || ':' || f.dport
	FROM violations v JOIN flows f ON f.id = v.flow_id WHERE v.id = $id")
[ "$fl" = "127.9.8.7:4002>45.33.1.10:5301" ] && ok "the violation's flow_id is its flow's row" ||
	bad "violation $id flow row: '$fl'"
ne=$(sqlite3 "$LIVE_DB" "SELECT count(*) FROM violation_evidence ve JOIN flows f ON f.id = ve.flow_id
	WHERE ve.violation_id = $id AND f.src = '127.9.8.7' AND f.sport = 4002 AND f.dport = 5301")
[ "$ne" -ge 1 ] && ok "violation evidence links its flow's row ($ne)" || bad "violation evidence links: $ne"
"$SPOOFAUDIT" export --db "$LIVE_DB" --violation "$id" -w "$WORK/v.pcap" -q
np=$(tcpdump -r "$WORK/v.pcap" -nn 2>/dev/null | tee /dev/stderr | grep -c "127.9.8.7.4002 > 45.33.1.10.5301")
[ "$np" -ge 1 ] && ok "evidence exported: the spoofed packet" || bad "evidence: $np"
exit $fail
