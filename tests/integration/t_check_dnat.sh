#!/bin/bash
# A port forward's later packets (issue 9, DNAT). $NS_A is a router: a0 (45.33.1.10)
# faces the client in $NS_B, a1 (10.77.0.1) a server in a third namespace (10.77.0.2:80),
# forwarding on, and nat PREROUTING forwards tcp/8080 to the server. Conntrack gives every
# packet of such a connection the first packet's binding (nf_nat_inet_fn ->
# nf_nat_packet), so the client's later packets are DNATed too and pass FORWARD, not
# INPUT. Real TCP connections run through it while tcpdump writes a0's traffic to a
# file; `collect -r` records the file and `check --ruleset` on the same ruleset is
# compared, rule by rule, with the kernel's counters (the oracle, `iptables -L -v -x`):
#   nat PREROUTING #1 (the DNAT)           the connections' first packets only
#   filter INPUT #1 (ESTABLISHED), #2      nothing: no packet of these is delivered here
#   filter FORWARD #2 (ESTABLISHED)        the client's later packets
#   filter FORWARD #3 (the server's port)  the client's first packets
# Each must be exact (definite = kernel, no maybe). FORWARD #1 takes the server's
# answers, which a0 shows after the reverse translation, from 45.33.1.10:8080: from the
# outside interface alone they look sent by this host, so it is not compared.
# Root only (exit 77 otherwise).
set -euo pipefail
. "${SRCDIR:?}/tests/integration/live_policy.sh"
ns_test_start chkd iptables-restore iptables tcpdump
NS_C="chkdc$$"
ip netns add "$NS_C"
NS_CLEANUP_HOOK="ip netns del $NS_C 2>/dev/null"
ip link add a1 netns "$NS_A" type veth peer name c0 netns "$NS_C"
ip -n "$NS_A" addr add 10.77.0.1/24 dev a1
ip -n "$NS_A" link set a1 up
ip -n "$NS_C" addr add 10.77.0.2/24 dev c0
ip -n "$NS_C" link set c0 up
ip -n "$NS_C" link set lo up
ip -n "$NS_C" route add default via 10.77.0.1
ip netns exec "$NS_A" sysctl -qw net.ipv4.ip_forward=1
live_neigh

cat > "$WORK/rules" <<'EOF'
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -i a0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.77.0.2:80
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 8080 -j ACCEPT
-A FORWARD -i a1 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -d 10.77.0.2/32 -p tcp -m tcp --dport 80 -j ACCEPT
COMMIT
EOF
ip netns exec "$NS_A" iptables-restore < "$WORK/rules"
ip netns exec "$NS_A" tcpdump -i a0 -U -w "$WORK/a0.pcap" 2> "$WORK/tcpdump.err" &
tcpd=$!
ip netns exec "$NS_C" python3 "$SRCDIR/tests/integration/kconv.py" serve 80 3 &
srv=$!
NS_CLEANUP_HOOK="kill $srv $tcpd 2>/dev/null; ip netns del $NS_C 2>/dev/null"
sleep 1
ip netns exec "$NS_B" python3 "$SRCDIR/tests/integration/kconv.py" talk 45.33.1.10 8080 3 4
wait $srv
sleep 1.5
{ ip netns exec "$NS_A" iptables -t nat -L PREROUTING -v -x -n --line-numbers
  ip netns exec "$NS_A" iptables -L INPUT -v -x -n --line-numbers
  ip netns exec "$NS_A" iptables -L FORWARD -v -x -n --line-numbers; } | tee "$WORK/kernel.txt"
kill -INT $tcpd; wait $tcpd || true	# tcpdump exits 0 on SIGINT, 130 on some builds
NS_CLEANUP_HOOK="ip netns del $NS_C 2>/dev/null"
db="$WORK/file.db"
"$SPOOFAUDIT" collect -q -r "$WORK/a0.pcap" --iface-name a0 --db "$db" --role a0=external \
	--host-addr 45.33.1.10 2> "$WORK/collect.err" || { cat "$WORK/collect.err"; bad "collect -r failed"; }
sqlite3 "$db" "SELECT dir, src, sport, dst, dport, packets, pre_reply, tcp_flags FROM flows
	       WHERE family = 4 ORDER BY first_usec"
"$SPOOFAUDIT" check --ruleset "$WORK/rules" --db "$db" --ip-forward 1 --route-localnet 0 --accept-local 0 \
	--rp-filter 0 --format json > "$WORK/check.json" || bad "check exited $?"
python3 - "$WORK/check.json" "$WORK/kernel.txt" "$SRCDIR/tests/integration" <<'PY' || fail=1
import json, sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[3])
from kconv import counters
doc = json.load(open(sys.argv[1]))
kern = counters(sys.argv[2])
bad = 0
want = {("PREROUTING", 1), ("INPUT", 1), ("INPUT", 2), ("FORWARD", 2), ("FORWARD", 3)}
seen = set()
for r in doc["rules"]:
    key = (r["chain"], r["num"])
    if key not in want:
        continue
    seen.add(key)
    k = kern[key]
    good = r["packets"] == k and r["maybe_packets"] == 0
    bad |= not good
    print("%s: %s #%d: kernel %d, check %d definite + %d maybe: %s" % (
        "ok" if good else "FAIL", key[0], key[1], k, r["packets"], r["maybe_packets"], r["text"]))
if seen != want:
    print("FAIL: rules missing from check's output: %s" % sorted(want - seen)); bad = 1
# the test means something only if the kernel forwarded later packets
if kern[("FORWARD", 2)] < 9 or kern[("FORWARD", 3)] != 3:
    print("FAIL: the kernel did not forward the connections as planned"); bad = 1
sys.exit(bad)
PY
exit $fail
