#!/bin/bash
# `check` on an IPv6 router whose forwarding is off for all but forced on for one device
# (net.ipv6.conf.a0.force_forwarding=1, Linux 6.17): ip6_forward forwards what comes in
# on a0 and drops what comes in on a1 ("if (!devconf_all->forwarding && (!idev ||
# !idev->cnf.force_forwarding)) goto error", before FORWARD). $NS_A routes between a0
# (2a01:a0::10, the client in $NS_B at 2a01:a0::20) and a1 (2001:db8:b::1, a server in a
# third namespace at 2001:db8:b::2). The client and the server each send three UDP
# datagrams to the other while `spoofaudit collect -i a0 -i a1` records both interfaces.
# Then `check --ruleset6` on the same ip6tables ruleset is compared, rule by rule, with
# the kernel's counters (the oracle, `ip6tables -L -v -x -n`):
#   FORWARD #1 -i a0 -p udp   the client's three: forced on, forwarded
#   FORWARD #2 -i a1 -p udp   nothing: the server's three are dropped before FORWARD
#   OUTPUT  #1 -p udp         nothing: the host sends no UDP itself
# Every rule must be exact (definite = kernel, no maybe). Before force_forwarding was
# read, `check` dropped the client's datagrams too and listed #1 as never hit.
# Root and a kernel with force_forwarding only (exit 77 otherwise).
set -euo pipefail
. "${SRCDIR:?}/tests/integration/live_policy.sh"
ns_test_start chk6 ip6tables-restore ip6tables
if [ ! -e /proc/sys/net/ipv6/conf/all/force_forwarding ]; then
	echo "SKIP: this kernel has no net.ipv6.conf.*.force_forwarding (Linux 6.17 and later)"
	exit 77
fi
NS_C="chk6c$$"
ip netns add "$NS_C"
NS_CLEANUP_HOOK="ip netns del $NS_C 2>/dev/null"
# the client needs neighbour discovery: IPv6 and ARP (NOARP turns off ND too) back on b0
ip -n "$NS_B" link set b0 arp on
ip netns exec "$NS_B" sysctl -qw net.ipv6.conf.b0.disable_ipv6=0
ip -n "$NS_B" addr add 2a01:a0::20/64 dev b0 nodad
ip -n "$NS_B" -6 route add default via 2a01:a0::10
ip link add a1 netns "$NS_A" type veth peer name c0 netns "$NS_C"
ip -n "$NS_A" addr add 2001:db8:b::1/64 dev a1 nodad
ip -n "$NS_A" link set a1 up
ip -n "$NS_C" addr add 2001:db8:b::2/64 dev c0 nodad
ip -n "$NS_C" link set c0 up
ip -n "$NS_C" link set lo up
ip -n "$NS_C" -6 route add default via 2001:db8:b::1
ip netns exec "$NS_A" sysctl -qw net.ipv6.conf.all.forwarding=0
ip netns exec "$NS_A" sysctl -qw net.ipv6.conf.a0.force_forwarding=1

cat > "$WORK/rules6" <<'EOF'
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -i a0 -p udp -j ACCEPT
-A FORWARD -i a1 -p udp -j ACCEPT
-A OUTPUT -p udp
COMMIT
EOF
printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n' \
	> "$WORK/rules4"
ip netns exec "$NS_A" ip6tables-restore < "$WORK/rules6"

db="$WORK/f.db"
ns_collect -q -i a0 -i a1 --db "$db" --role a0=external --role a1=internal:2001:db8:b::/64 \
	--flush-interval 1 --duration 120 --user root
NS_CLEANUP_HOOK="kill $NS_PID 2>/dev/null; ip netns del $NS_C 2>/dev/null"
ns_wait_sources "$db" 2
sleep 1
send() {	# send NS FROM-PORT TO-ADDR: three datagrams
	ip netns exec "$1" python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::", int(sys.argv[1])))
for _ in range(3):
    s.sendto(b"x", (sys.argv[2], 9))' "$2" "$3"
}
send "$NS_B" 40002 2001:db8:b::2
send "$NS_C" 40003 2a01:a0::20
sleep 1.5
{ ip netns exec "$NS_A" ip6tables -L FORWARD -v -x -n --line-numbers
  ip netns exec "$NS_A" ip6tables -L OUTPUT -v -x -n --line-numbers; } > "$WORK/kern"
kill -TERM "$NS_PID"
wait "$NS_PID"
NS_CLEANUP_HOOK="ip netns del $NS_C 2>/dev/null"
cat "$WORK/kern"

# (the source ports are collapsed: dport 9 and the source tell them)
sent=$(sqlite3 "$db" "SELECT coalesce(sum(packets), 0) FROM flows WHERE dir = 'in' AND proto = 17
	AND dport = 9 AND ((iface = 'a0' AND src = '2a01:a0::20')
	                   OR (iface = 'a1' AND src = '2001:db8:b::2'))")
[ "$sent" = 6 ] || bad "the six datagrams were not recorded coming in ($sent)"
recorded=$(sqlite3 "$db" "SELECT scope || '=' || value FROM kernel_ctx
	WHERE key = 'ipv6.force_forwarding' AND scope IN ('a0', 'a1') ORDER BY scope" | paste -sd' ')
[ "$recorded" = "a0=1 a1=0" ] ||
	bad "the collector recorded force_forwarding '$recorded', want a0=1 a1=0"
"$SPOOFAUDIT" check --ruleset "$WORK/rules4" --ruleset6 "$WORK/rules6" --db "$db" \
	--format json > "$WORK/c.json" || bad "check exited $?"
"$SPOOFAUDIT" check --ruleset "$WORK/rules4" --ruleset6 "$WORK/rules6" --db "$db" \
	> "$WORK/c.txt" || bad "check (text) exited $?"
sed -n '/^kernel modelled/p;/^== Rule hits/,$p' "$WORK/c.txt"
grep -q 'IPv6 forwarding off (but a0 forced on)' "$WORK/c.txt" ||
	bad "the kernel line does not name a0's force_forwarding"
python3 - "$WORK" "$SRCDIR/tests/integration" <<'PY' || fail=1
import json, sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[2])
from kconv import counters, exact
w = sys.argv[1]
k = counters(w + "/kern")
doc = json.load(open(w + "/c.json"))
bad = exact("v6", doc["rules6"], k, 3)
if doc["kernel"]["ip6_force_forwarding_devices"] != {"a0": "on"}:
    print("FAIL: devices forced: %s" % doc["kernel"]["ip6_force_forwarding_devices"])
    bad = 1
# meaningful only if the kernel did as planned: a0's datagrams forwarded, a1's not
if k[("FORWARD", 1)] != 3 or k[("FORWARD", 2)] != 0:
    print("FAIL: the kernel did not forward as planned"); bad = 1
sys.exit(bad)
PY
exit $fail
