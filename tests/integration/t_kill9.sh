#!/bin/bash
# Crash safety: the collector is killed with SIGKILL at three random points while a
# capture is replayed into the veth; tcpdump, capturing the same interface, is the
# reference for what arrived before each kill. After each kill: PRAGMA integrity_check
# is ok; the database holds exactly the packets its last committed flush had counted
# (its statistics rows, committed with the flows); what is lost (arrived before the kill,
# not in the database) is what arrived since, and a flush was committed within three
# flush intervals of the kill (a liveness bound: the figures, printed, are typically one
# interval plus the write); the next run appends to the same database.
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
	# what the collector had counted at its last committed flush: the statistics rows
	# of this run go in the same transaction as the flows (one per source and flush)
	read -r counted t_last < <(sqlite3 -separator ' ' "$db" "SELECT coalesce(sum(c.decoded_ip),0),
		coalesce(max(c.end_usec),0) FROM capture_stats c JOIN sources s ON s.id = c.source_id
		WHERE s.run_id = (SELECT max(id) FROM runs) AND s.name = 'a0/in'")
	ref=$(tcpdump -r "$WORK/ref.pcap" -nn -tt 2>/dev/null |
	      awk -v a="$t0" -v b="$tk" '$1 >= a && $1 < b' | wc -l)
	lost=$((ref - (after - before)))
	gap=$(awk -v k="$tk" -v t="$t_last" 'BEGIN {printf "%.2f", t ? k - t / 1e6 : 0}')
	if [ "$t_last" -eq 0 ]; then when="no flush committed"
	else when="the last committed flush ${gap}s before the kill counted $counted"; fi
	echo "kill $i after ${delay}s: arrived before the kill $ref, stored $((after - before))" \
	     "($when), lost $lost, integrity_check $ic"
	[ "$ic" = ok ] || { echo "FAIL: integrity_check"; fail=1; }
	# nothing half-written and nothing lost that was counted by a committed flush
	[ "$((after - before))" -eq "$counted" ] ||
		{ echo "FAIL: stored $((after - before)) packets, the committed flushes counted $counted"; fail=1; }
	[ "$lost" -ge -50 ] || { echo "FAIL: stored more than arrived (reference capture incomplete?)"; fail=1; }
	# what is lost is what arrived since the last committed flush: flushes are committed
	# every --flush-interval (this bound is liveness, with room for a loaded machine)
	if [ "$t_last" -eq 0 ]; then
		late=$(awk -v d="$delay" -v f=$flush 'BEGIN {print (d > 3 * f)}')
		gap=$delay
	else
		late=$(awk -v g="$gap" -v f=$flush 'BEGIN {print (g > 3 * f)}')
	fi
	if [ "$late" = 1 ]; then
		echo "FAIL: no flush committed in the last ${gap}s before the kill (--flush-interval $flush)"
		fail=1
	fi
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
