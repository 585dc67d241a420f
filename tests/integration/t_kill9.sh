#!/bin/bash
# Crash safety: the collector is killed with SIGKILL at three random points while a
# capture is replayed into the veth; tcpdump, capturing the same interface, is the
# reference for what arrived before each kill. After each kill: PRAGMA integrity_check
# is ok, the next run appends to the same database, and the packets lost (arrived before
# the kill, not in the database) are at most what one flush interval holds at the replay
# rate. The figures are printed.
set -euo pipefail
. "${SRCDIR:?}/tests/integration/netns.sh"
ns_test_start k9 tcpdump
rate=5000 flush=1 n=25000
python3 "$SRCDIR/tests/tools/gen_truth.py" --out "$WORK/gen" --martian --packets $n --seed 21
db="$WORK/k9.db"
stored() { sqlite3 "$db" "SELECT coalesce(sum(packets),0) FROM flows WHERE iface='a0' AND dir='in'"; }

ip netns exec "$NS_A" tcpdump -i a0 -Q in -nn -w "$WORK/ref.pcap" -U 2>/dev/null &
tcpd=$!
NS_CLEANUP_HOOK="kill $tcpd 2>/dev/null"
sleep 1
bound=$((rate * flush * 3 / 2 + 200))	# one flush interval at the replay rate, with slack
for i in 1 2 3; do
	before=$(stored 2>/dev/null || echo 0)
	ip netns exec "$NS_A" "$SPOOFAUDIT" collect -q -i a0 --db "$db" --flush-interval $flush \
		--user root --duration 600 &
	pid=$!
	ns_wait_sources "$db" $((2 * i))
	t0=$(date +%s.%N)
	ip netns exec "$NS_B" "$TOOLS/inject" -i b0 -m "$A_MAC" -p $rate "$WORK/gen/martian.pcap" > /dev/null &
	inj=$!
	delay=$(awk -v s="$RANDOM" 'BEGIN {srand(s); printf "%.2f", 0.8 + rand() * 3.0}')
	sleep "$delay"
	tk=$(date +%s.%N)
	kill -9 $pid
	wait $pid 2>/dev/null || true
	wait $inj
	sleep 0.3
	ic=$(sqlite3 "$db" "PRAGMA integrity_check")
	after=$(stored)
	ref=$(tcpdump -r "$WORK/ref.pcap" -nn -tt 2>/dev/null |
	      awk -v a="$t0" -v b="$tk" '$1 >= a && $1 < b' | wc -l)
	lost=$((ref - (after - before)))
	echo "kill $i after ${delay}s: arrived before the kill $ref, stored $((after - before)), lost $lost (bound $bound), integrity_check $ic"
	[ "$ic" = ok ] || { echo "FAIL: integrity_check"; fail=1; }
	[ "$lost" -le "$bound" ] || { echo "FAIL: lost more than one flush interval"; fail=1; }
	[ "$lost" -ge -50 ] || { echo "FAIL: stored more than arrived (reference capture incomplete?)"; fail=1; }
done
# A clean run appends to the same database.
runs_before=$(sqlite3 "$db" "SELECT count(*) FROM runs")
before=$(stored)
ip netns exec "$NS_A" "$SPOOFAUDIT" collect -q -i a0 --db "$db" --flush-interval $flush --user root --duration 600 &
pid=$!
ns_wait_sources "$db" 8
ip netns exec "$NS_B" "$TOOLS/inject" -i b0 -m "$A_MAC" -p 20000 -n 2000 "$WORK/gen/martian.pcap" > /dev/null
sleep 1
kill -TERM $pid
wait $pid
after=$(stored)
runs_after=$(sqlite3 "$db" "SELECT count(*) FROM runs")
echo "restart: runs $runs_before -> $runs_after, packets $before -> $after (+2000 sent)"
[ "$runs_after" -eq $((runs_before + 1)) ] || { echo "FAIL: restart did not append a run"; fail=1; }
[ "$((after - before))" -eq 2000 ] || { echo "FAIL: restart did not store all 2000"; fail=1; }
[ "$(sqlite3 "$db" "PRAGMA integrity_check")" = ok ] || fail=1
kill $tcpd 2>/dev/null; NS_CLEANUP_HOOK=
exit $fail
