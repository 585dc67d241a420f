#!/bin/bash
# Live capture in a network namespace: the generator's Ethernet capture is replayed into
# a veth by the project's AF_PACKET injector while `spoofaudit collect -i a0 -i lo` runs
# in the receiving namespace. Per class and subclass, the packets stored as incoming on
# a0 must equal the generator's truth; real loopback UDP and TCP exchanges must appear on
# lo as loopback flows with their service port and packet counts (tcpdump on lo is the
# reference for TCP); and pcap's own received count must cover all.
set -euo pipefail
. "${SRCDIR:?}/tests/integration/netns.sh"
ns_test_start live

python3 "$SRCDIR/tests/tools/gen_truth.py" --out "$WORK/gen" --packets 5000 --seed 3
db="$WORK/live.db"
# --rpf off: the truth is the address classes; the namespace has no default route, so the
# reverse-path check would (rightly) call every routable source rpf_fail (t_rpf_kernel.sh);
# --flood-sources off: the truth's "normal" packets are thousands of random public sources
# at one TTL (57) injected in 0.25 s, which is (rightly) a flood signature (t_spoof_detect.sh)
ns_collect -q -i a0 -i lo --db "$db" --role a0=external --flush-interval 1 --duration 60 --user root \
	--rpf off --flood-sources off
ns_wait_sources "$db" 2
sleep 0.5
ip netns exec "$NS_B" "$TOOLS/inject" -i b0 -m "$A_MAC" -p 20000 "$WORK/gen/eth.pcap" | tee "$WORK/inject.out"
# A real loopback exchange: a local UDP listener on port 5353 that only receives,
# the listener only receives, so exactly 25 datagrams travel 127.0.0.1 -> 127.0.0.1:5353.
ip netns exec "$NS_A" python3 - <<'PY'
import socket
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); r.bind(("127.0.0.1", 5353))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(25):
    s.sendto(b"x" * 10, ("127.0.0.1", 5353)); r.recv(100)
PY
# A real loopback TCP conversation (connect, 10 request/response rounds, close) with
# tcpdump on lo as the reference count of its packets, both directions.
ip netns exec "$NS_A" tcpdump -i lo -nn -U -w "$WORK/lo.pcap" 'tcp port 7777' 2>/dev/null &
tcpd=$!
sleep 1
ip netns exec "$NS_A" python3 - <<'PY'
import socket, threading
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 7777)); srv.listen(1)
def serve():
    c, _ = srv.accept()
    while True:
        d = c.recv(100)
        if not d: break
        c.sendall(d)
    c.close()
t = threading.Thread(target=serve); t.start()
c = socket.create_connection(("127.0.0.1", 7777))
for i in range(10):
    c.sendall(b"ping%d" % i); c.recv(100)
c.close(); t.join()
PY
sleep 1.5
kill $tcpd; wait $tcpd || true
ns_collect_stop

awk -F, 'NR > 1 && $1 == "eth.pcap" {print $3 "," $4 "," $5}' "$WORK/gen/truth.csv" | sort > "$WORK/exp"
sqlite3 -csv "$db" "SELECT class, subclass, sum(packets) FROM flows WHERE iface='a0' AND dir='in'
                    GROUP BY 1,2 ORDER BY 1,2" | sort > "$WORK/got"
if diff "$WORK/exp" "$WORK/got"; then
	echo "ok: a0 incoming per class = truth ($(wc -l < "$WORK/exp") rows)"
else
	echo "FAIL: a0 incoming per class differs from truth (< truth, > stored)"; fail=1
fi
sent=$(awk '/^sent/ {print $2}' "$WORK/inject.out")
in_a0=$(sqlite3 "$db" "SELECT sum(c.received) FROM capture_stats c JOIN sources s ON s.id=c.source_id WHERE s.iface='a0' AND s.name='a0/in'")
drops=$(sqlite3 "$db" "SELECT sum(c.kernel_drops+c.iface_drops) FROM capture_stats c JOIN sources s ON s.id=c.source_id WHERE s.iface='a0' AND s.name='a0/in'")
echo "injected $sent frames; a0 source received $in_a0 (incl. the host's own replies), kernel drops $drops"
if [ "$in_a0" -lt "$sent" ] || [ "$drops" -ne 0 ]; then echo "FAIL: frames missing on a0"; fail=1; fi
lo=$(sqlite3 "$db" "SELECT sum(packets) FROM flows WHERE iface='lo' AND class='loopback_flow'
                    AND proto=17 AND dport=5353 AND src='127.0.0.1'")
echo "loopback UDP to 127.0.0.1:5353: $lo packets stored (25 sent)"
[ "$lo" = 25 ] || { echo "FAIL: loopback flow count"; fail=1; }
tcp_ref=$(tcpdump -r "$WORK/lo.pcap" -nn 2>/dev/null | wc -l)
tcp_got=$(sqlite3 "$db" "SELECT sum(packets) FROM flows WHERE iface='lo' AND class='loopback_flow'
                         AND proto=6 AND (dport=7777 OR sport=7777)")
tcp_svc=$(sqlite3 "$db" "SELECT count(*) FROM flows WHERE iface='lo' AND proto=6 AND dport=7777 AND sport=0")
echo "loopback TCP to 127.0.0.1:7777: $tcp_got packets stored, tcpdump on lo saw $tcp_ref"
[ "$tcp_got" = "$tcp_ref" ] && [ "$tcp_ref" -ge 24 ] || { echo "FAIL: loopback TCP count"; fail=1; }
[ "$tcp_svc" -ge 1 ] || { echo "FAIL: no client->service flow keyed by port 7777 (ephemeral port collapsed)"; fail=1; }
role=$(sqlite3 "$db" "SELECT role || '/' || role_origin FROM ifaces WHERE name='lo'")
[ "$role" = "loopback/kernel" ] || { echo "FAIL: lo role is $role"; fail=1; }
ctx=$(sqlite3 "$db" "SELECT count(*) FROM kernel_ctx WHERE scope IN ('all','a0')")
[ "$ctx" -ge 8 ] || { echo "FAIL: kernel context not recorded ($ctx rows)"; fail=1; }
[ $fail = 0 ] || sqlite3 "$db" "SELECT iface, dir, class, sum(packets) FROM flows GROUP BY 1,2,3" >&2
exit $fail
