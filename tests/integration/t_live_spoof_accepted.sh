#!/bin/bash
# Violation kind spoof_accepted: the intended policy itself lets spoofed 127/8 traffic in.
# Intended == live: INPUT ACCEPT with only -A INPUT -i lo -j ACCEPT (no spoof rule).
# With route_localnet=0 the kernel's martian check drops the spoofed packets before INPUT,
# so the intended policy (evaluated with the kernel context the collector reads) does not
# accept them: no line. With route_localnet=1 on all and a0 it does: spoof_accepted, with
# the spoofed packet kept as evidence. Root only (exit 77 otherwise).
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}" "${TOOLS:?}"
. "$SRCDIR/tests/integration/netns.sh"
. "$SRCDIR/tests/integration/live_policy.sh"
ns_require_root
command -v iptables-restore >/dev/null || { echo "SKIP: iptables missing"; exit 77; }
WORK=$(mktemp -d)
ns_setup lsa
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n' \
	> "$WORK/intended.rules"
ip netns exec "$NS_A" iptables-restore < "$WORK/intended.rules"
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
live_stop
n=$(live_count spoof_accepted ':5300')
[ "$n" = 0 ] && ok "route_localnet=0: the martian drop stops them, no spoof_accepted" || bad "route_localnet=0: $n lines"
n=$(live_count spoof_accepted '127\.9\.8\.7:4002 -> 45\.33\.1\.10:5301 \(spoof_loopback_src\); intended: ACCEPT by the policy of filter INPUT')
[ "$n" = 1 ] && ok "route_localnet=1: spoof_accepted, intended ACCEPT by the INPUT policy" || bad "route_localnet=1: $n lines"
n=$(live_count ruleset_differs)
[ "$n" = 0 ] && ok "live equals intended: no ruleset_differs" || bad "ruleset_differs: $n"
id=$(sqlite3 "$LIVE_DB" "SELECT id FROM violations WHERE kind = 'spoof_accepted'")
"$SPOOFAUDIT" export --db "$LIVE_DB" --violation "$id" -w "$WORK/v.pcap" -q
np=$(tcpdump -r "$WORK/v.pcap" -nn 2>/dev/null | tee /dev/stderr | grep -c "127.9.8.7.4002 > 45.33.1.10.5301")
[ "$np" -ge 1 ] && ok "evidence exported: the spoofed packet" || bad "evidence: $np"
exit $fail
