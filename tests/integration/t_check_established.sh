#!/bin/bash
# `check` credits rule hits packet by packet, as the kernel counts them (issue 9, fault 1).
# Real TCP and UDP conversations run from the other namespace to services in $NS_A through
# a ruleset whose first INPUT rule is `-m conntrack --ctstate RELATED,ESTABLISHED -j
# ACCEPT` (and OUTPUT's `-m state --state RELATED,ESTABLISHED`), followed by --dport
# rules, while `spoofaudit collect -i a0` records them, and tcpdump writes the same
# traffic to a file through one handle (both directions in the kernel's order). Then
# `check --ruleset` on the same ruleset is compared, rule by rule, with the kernel's own
# counters (the oracle, `iptables -L -v -x -n`):
#  - live DB (a handle per direction: a ring may hand over an answer after younger
#    packets; the collector holds their answer order a moment and places them by time,
#    collect/placehold.c), started while the namespace tracked no connection: every
#    packet is placed before or after its connection's answer (flows.pre_reply), so every
#    rule is exact: the definite count is the kernel's, with no maybe;
#  - the file collected with `collect -r`: the collector placed every TCP packet (UDP is
#    unsure for its conntrack timeout after a file's first packet), so the rules of TCP
#    traffic are exact, and each of the others lies within definite .. definite+maybe.
# The ESTABLISHED rules must not be "never hit"; every rule here carries traffic, so
# `--fail-on dead` must not fire. Traffic:
#   tcp/8080  3 connections, 5 request/response rounds each (SYN NEW, the rest ESTABLISHED)
#   udp/5353  3 datagrams before the first answer (all NEW), then 4 answered ones
#   udp/5355  6 datagrams never answered (all NEW: the --dport rule takes every one)
# Root only (exit 77 otherwise).
set -euo pipefail
. "${SRCDIR:?}/tests/integration/live_policy.sh"
ns_test_start chke iptables-restore iptables

cat > "$WORK/rules" <<'EOF'
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp -m conntrack --ctstate ESTABLISHED -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 8080 -j ACCEPT
-A INPUT -p udp -m udp --dport 5353 -j ACCEPT
-A INPUT -p udp -m udp --dport 5355 -j ACCEPT
-A OUTPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
COMMIT
EOF
live_neigh
db="$WORK/chk.db"
ns_collect -q -i a0 --db "$db" --role a0=external --flush-interval 1 --duration 120 --user root
ns_wait_sources "$db" 1
ip netns exec "$NS_A" tcpdump -i a0 -U -w "$WORK/a0.pcap" 2> "$WORK/tcpdump.err" &
tcpd=$!
sleep 1
ip netns exec "$NS_A" iptables-restore < "$WORK/rules"
ip netns exec "$NS_A" python3 - <<'PY' &
import socket, threading
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("0.0.0.0", 8080)); l.listen(8)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", 5353))
q = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); q.bind(("0.0.0.0", 5355))
def tcp():
    for i in range(3):
        c, _ = l.accept()
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            d = c.recv(100)
            if not d: break
            c.sendall(b"r" * 20)
        c.close()
def udp():
    n = 0
    while n < 7:
        d, peer = u.recvfrom(100); n += 1
        if n >= 3: u.sendto(b"a", peer)       # the first two are not answered
def quiet():
    for i in range(6): q.recv(100)
ts = [threading.Thread(target=f) for f in (tcp, udp, quiet)]
for t in ts: t.start()
for t in ts: t.join()
PY
srv=$!
NS_CLEANUP_HOOK="kill $NS_PID $srv 2>/dev/null"
sleep 0.5
ip netns exec "$NS_B" python3 - "$SRCDIR/tests/integration" <<'PY'
import socket, sys, time
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[1])
from kconv import talk
talk("45.33.1.10", 8080, 3, 5)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(5)
for k in range(3):
    u.sendto(b"x", ("45.33.1.10", 5353)); time.sleep(0.05)
u.recv(10)
for k in range(4):
    u.sendto(b"y", ("45.33.1.10", 5353)); u.recv(10)
q = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for k in range(6):
    q.sendto(b"z", ("45.33.1.10", 5355)); time.sleep(0.05)
PY
wait $srv
sleep 1.5
{ ip netns exec "$NS_A" iptables -L INPUT -v -x -n --line-numbers
  ip netns exec "$NS_A" iptables -L OUTPUT -v -x -n --line-numbers; } | tee "$WORK/kernel.txt"
ns_collect_stop
NS_CLEANUP_HOOK=
kill -INT $tcpd; wait $tcpd || true	# tcpdump exits 0 on SIGINT, 130 on some builds
fdb="$WORK/file.db"
"$SPOOFAUDIT" collect -q -r "$WORK/a0.pcap" --db "$fdb" --role a0=external \
	--host-addr 45.33.1.10 2> "$WORK/fcollect.err" || { cat "$WORK/fcollect.err"; bad "collect -r failed"; }
for d in "$db" "$fdb"; do
	sqlite3 "$d" "SELECT dir, proto, sport, dport, packets, pre_reply, first_usec, last_usec, tcp_flags
	              FROM flows WHERE family = 4 ORDER BY first_usec"
done

set +e
"$SPOOFAUDIT" check --ruleset "$WORK/rules" --db "$db" --fail-on dead > "$WORK/check.txt"
rc=$?
"$SPOOFAUDIT" check --ruleset "$WORK/rules" --db "$db" --format json > "$WORK/check.json"
"$SPOOFAUDIT" check --ruleset "$WORK/rules" --db "$fdb" --route-localnet 0 --accept-local 0 \
	--rp-filter 0 --format json > "$WORK/fcheck.json"
set -e
cat "$WORK/check.txt"
[ $rc = 0 ] && ok "--fail-on dead: exit 0 (every rule carries traffic)" || bad "--fail-on dead: exit $rc"
awk '/^== Rules never hit, IPv4 ==/ {s=1; next} /^== / {s=0} s' "$WORK/check.txt" > "$WORK/dead.txt"
grep -q "ESTABLISHED" "$WORK/dead.txt" && bad "an ESTABLISHED rule listed as never hit" \
	|| ok "no ESTABLISHED rule listed as never hit"
python3 - "$WORK/check.json" "$WORK/kernel.txt" "$WORK/fcheck.json" "$SRCDIR/tests/integration" <<'PY' || fail=1
import json, sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[4])
from kconv import counters
j = json.load(open(sys.argv[1]))
fj = json.load(open(sys.argv[3]))
kern = counters(sys.argv[2])
bad = 0
for name, doc in (("live", j), ("file", fj)):
    print("%s: packet order %s" % (name, doc["packet_order"]))
    for r in doc["rules"]:
        k = kern[(r["chain"], r["num"])]
        lo, hi = r["packets"], r["packets"] + r["maybe_packets"]
        exact = name == "live" or "-p tcp" in r["text"]
        good = (lo == k == hi if exact else lo <= k <= hi) and k > 0
        bad |= not good
        print("%s: %s %s #%d: kernel %d, check %d definite + %d maybe%s: %s" % (
            "ok" if good else "FAIL", name, r["chain"], r["num"], k, lo, hi - lo,
            " (must be exact)" if exact else "", r["text"]))
        if "ESTABLISHED" in r["text"] and (r["never_hit"] or lo == 0):
            print("FAIL: %s %s #%d: ESTABLISHED rule without a definite hit" % (
                name, r["chain"], r["num"])); bad = 1
if j["packet_order"]["estimated_flows"]:
    print("FAIL: live: %d flows without their packet order" % j["packet_order"]["estimated_flows"]); bad = 1
placed = fj["packet_order"]["placed_flows"]
if placed < 2:
    print("FAIL: file: the TCP flows' packet order was not recorded (%d flows placed)" % placed); bad = 1
# exact where the data says so: the unanswered udp/5355 datagrams are all NEW, the host's
# replies all ESTABLISHED
for chain, num in (("INPUT", 5), ("OUTPUT", 1)):
    r = [x for x in j["rules"] if x["chain"] == chain and x["num"] == num][0]
    if r["maybe_packets"] or r["packets"] != kern[(chain, num)]:
        print("FAIL: %s #%d should be exact: %s" % (chain, num, r)); bad = 1
    else:
        print("ok: %s #%d exact: %d packets" % (chain, num, r["packets"]))
sys.exit(bad)
PY

# Without the ESTABLISHED rule (the --dport rules taking NEW only), the first packets fare
# as before but the connections' later packets are dropped: the diff must say so.
grep -v 'ESTABLISHED' "$WORK/rules" | sed 's/-A INPUT -p \(tcp\|udp\) /&-m conntrack --ctstate NEW /' \
	> "$WORK/nostate.rules"
set +e
"$SPOOFAUDIT" check --ruleset "$WORK/nostate.rules" --against "$WORK/rules" --db "$db" \
	--fail-on changes > "$WORK/diff.txt"
rc=$?
set -e
cat "$WORK/diff.txt"
[ $rc = 3 ] && ok "ESTABLISHED rule removed: --fail-on changes exits 3" || bad "removal: exit $rc"
grep -A2 "^  packets after the answer (ESTABLISHED): " "$WORK/diff.txt" |
	grep -q "before .*ACCEPT by filter INPUT #1 (line 5)" \
	&& ok "the diff names the later packets the ESTABLISHED rule accepted" \
	|| bad "no diff of the later packets"
exit $fail
