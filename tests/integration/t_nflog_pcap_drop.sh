#!/bin/bash
# Count once, whoever saw it (issue 13): pcap is made to drop (a 1 MiB ring, the
# generator's spoofing mix replayed at the injector's top speed, and the collector
# stopped with SIGSTOP for the first half second of it, a stalled reader: on a fast
# machine the ring alone did not overflow) while a raw-PREROUTING NFLOG rule logs every
# whole 127/8-source frame, which the kernel keeps in a 256 MiB netlink buffer meanwhile.
# A packet any source delivered must be counted once: the DB's spoof_loopback_src
# packets on a0 must be at least the rule's kernel counter (iptables -v -x), even for the
# packets pcap lost, and must not exceed what the kernel received of them (pcap's
# received + dropped bound the frames). Before migration 6 NFLOG only "noted" packets a
# pcap handle covers, so every packet pcap dropped was lost from the count. Prints pcap's
# received/dropped, the rule counter and the DB's counted / NFLOG-only split.
set -euo pipefail
. "${SRCDIR:?}/tests/integration/netns.sh"
ns_test_start nd iptables sqlite3
python3 "$SRCDIR/tests/tools/gen_truth.py" --out "$WORK/gen" --martian --packets 50000 --seed 11
loops=4	# the injector replays the file 4 times
ip netns exec "$NS_A" iptables -P OUTPUT DROP		# the host sends nothing
ip netns exec "$NS_A" sysctl -qw net.ipv6.conf.a0.disable_ipv6=1
ip netns exec "$NS_A" iptables -t raw -A PREROUTING -i a0 -s 127.0.0.0/8 \
	-j NFLOG --nflog-group 21 --nflog-prefix spoof-lo
db="$WORK/nd.db"
ns_collect -q -i a0 --nflog 21 --buffer 1 --nflog-rcvbuf 256 --db "$db" --flush-interval 1 \
	--user root --duration 600
ns_wait_sources "$db" 2
kill -STOP "$NS_PID"
NS_CLEANUP_HOOK="kill -CONT $NS_PID 2>/dev/null; kill $NS_PID 2>/dev/null"
ip netns exec "$NS_B" "$TOOLS/inject" -i b0 -m "$A_MAC" -l $loops "$WORK/gen/martian.pcap" \
	> "$WORK/inject.out" &
inj=$!
sleep 0.5
kill -CONT "$NS_PID"
wait $inj
sent=$(awk '/^sent/ {print $2}' "$WORK/inject.out")
last=-1; still=0
for _ in $(seq 90); do	# until the collector caught up (a sanitizer build is slow)
	sleep 1
	now=$(sqlite3 -cmd ".timeout 10000" "$db" "SELECT coalesce(sum(received + kernel_drops + iface_drops), 0)
		FROM capture_stats WHERE source_id = (SELECT id FROM sources WHERE name='a0/in')")
	[ "$now" -ge "$sent" ] && break
	if [ "$now" -eq "$last" ]; then still=$((still + 1)); [ "$still" -ge 3 ] && break; else still=0; fi
	last=$now
done
sleep 1
ns_collect_stop
q() { sqlite3 "$db" "$1"; }
src="(SELECT id FROM sources WHERE name='a0/in')"
drops=$(q "SELECT sum(kernel_drops + iface_drops) FROM capture_stats WHERE source_id=$src")
received=$(q "SELECT sum(received) FROM capture_stats WHERE source_id=$src")
enobufs=$(q "SELECT coalesce(sum(nflog_enobufs + nflog_seq_gaps), 0) FROM capture_stats")
rule=$(ip netns exec "$NS_A" iptables -t raw -v -x -n -L PREROUTING | awk '/spoof-lo/ {print $1}')
read -r stored counted logged <<<"$(q "SELECT sum(packets), sum(coalesce(counted_packets, packets)),
	sum(nflog_packets) FROM flows WHERE iface='a0' AND class='spoof_loopback_src'" | tr '|' ' ')"
whole=$(awk -F, '$1 == "spoof_127001" || $1 == "spoof_other" {s += $2} END {print s * '$loops'}' "$WORK/gen/martian.csv")
all=$(awk -F, '$1 ~ /^spoof_/ {s += $2} END {print s * '$loops'}' "$WORK/gen/martian.csv")	# with VLAN, cut short
short=$(q "SELECT count(*), coalesce(sum(n.p - f.packets), 0) FROM flows f
	JOIN (SELECT flow_id, max(packets) AS p FROM flow_nflog GROUP BY flow_id) n ON n.flow_id = f.id
	WHERE f.packets < n.p" | tr '|' ' ')
echo "injector: sent $sent frames; pcap received $received, dropped $drops; NFLOG losses reported $enobufs"
echo "raw NFLOG rule counter $rule (whole 127/8 frames sent: $whole)"
echo "DB spoof_loopback_src on a0: $stored packets = pcap counted $counted, NFLOG's busiest rule $logged;" \
	"$((stored - counted)) counted from NFLOG alone (pcap missed them)"
if [ "$drops" -eq 0 ]; then
	echo "SKIP: pcap dropped nothing at this rate; the test cannot show the NFLOG-only count"
	exit 77
fi
[ "$enobufs" -eq 0 ] || bad "NFLOG itself lost $enobufs: the comparison below is not clean"
[ "$rule" -eq "$whole" ] || bad "the rule logged $rule, not the $whole whole 127/8 frames"
read -r nshort lost <<<"$short"
[ "$nshort" -eq 0 ] && ok "every flow counts at least what NFLOG logged of it" \
	|| bad "$nshort flows count fewer packets than NFLOG logged of them ($lost packets lost)"
[ "$stored" -ge "$rule" ] && ok "the DB counts $stored spoofed packets >= the $rule the kernel logged" \
	|| bad "the DB counts $stored spoofed packets, fewer than the $rule the kernel logged"
[ "$stored" -le "$all" ] && ok "nothing counted twice ($stored <= $all 127/8 frames sent)" \
	|| bad "the DB counts $stored, more than the $all 127/8 frames sent: counted twice"
day=$(q "SELECT date(min(bucket), 'unixepoch') FROM flows")
"$SPOOFAUDIT" report --db "$db" --day "$day" --utc > "$WORK/report.txt"
only=$(q "SELECT sum(packets - counted_packets) FROM flows WHERE packets > counted_packets")
tr -s ' \n' '  ' < "$WORK/report.txt" | grep -q "$only packets in [0-9]* flows are counted from NFLOG's copies alone" \
	&& ok "the report says $only packets were counted from NFLOG alone" \
	|| { bad "the report does not say the $only NFLOG-only packets"; grep -i nflog "$WORK/report.txt"; }
exit $fail
