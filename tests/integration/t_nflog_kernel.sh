#!/bin/bash
# NFLOG and pcap together, checked against the kernel's own counters, under the three
# martian settings (route_localnet=0; route_localnet=1; route_localnet=1 + accept_local=1).
# The auditing namespace has the issue's rules:
#   raw PREROUTING  ! -i lo -s 127.0.0.0/8 -j NFLOG --nflog-group 10 --nflog-prefix spoof-lo
#   filter INPUT    -i lo -j ACCEPT
#                   ! -i lo -j NFLOG --nflog-group 11 --nflog-prefix input
#                   ! -i lo -s 127.0.0.0/8 -j REJECT
# The generator's martian.pcap (127/8 sources whole, VLAN-tagged or cut short, plus
# ordinary traffic) is replayed into the veth while `collect -i a0 --nflog 10,11` runs.
# Checked per setting:
#   - pcap: spoof_loopback_src packets stored = the generator's count of all 127/8 frames;
#     all frames stored once, though NFLOG logged many of them too;
#   - each NFLOG prefix's logged count in the DB = its rule's counter (iptables -v -x);
#   - the raw rule logged exactly the whole 127/8 frames (VLAN and short frames die first);
#   - in_martian_src delta (/proc/net/stat/rt_cache) = the spoofed packets the kernel
#     dropped as martians: all whole ones, then only 127.0.0.1 (an address the host holds),
#     then none; and the INPUT rule saw the complement.
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}" "${TOOLS:?}"
. "$SRCDIR/tests/integration/netns.sh"
ns_require_root
command -v iptables >/dev/null || { echo "SKIP: iptables missing"; exit 77; }
WORK=$(mktemp -d)
fail=0
python3 "$SRCDIR/tests/tools/gen_truth.py" --out "$WORK/gen" --martian --packets 6000 --seed 9
truth() { awk -F, -v k="$1" '$1 == k {print $2}' "$WORK/gen/martian.csv"; }
whole=$(( $(truth spoof_127001) + $(truth spoof_other) ))
all_spoof=$(awk -F, '$1 ~ /^spoof_/ {s += $2} END {print s}' "$WORK/gen/martian.csv")
normal=$(truth normal)
frames=$(awk -F, 'NR > 1 {s += $2} END {print s}' "$WORK/gen/martian.csv")

martian_src() {	# sum of in_martian_src over CPUs (hex columns; header names them)
	local col sum=0 v
	col=$(head -1 /proc/net/stat/rt_cache | tr -s ' ' '\n' | grep -n '^in_martian_src$' | cut -d: -f1)
	for v in $(tail -n +2 /proc/net/stat/rt_cache | awk -v c="$col" '{print $c}'); do
		sum=$((sum + 16#$v))
	done
	echo "$sum"
}
rule_pkts() {	# rule_pkts TABLE CHAIN PREFIX: packets counted by the NFLOG rule with PREFIX
	ip netns exec "$NS_A" iptables -t "$1" -L "$2" -v -x -n |
		awk -v p="$3" '$0 ~ "nflog-prefix " p {print $1}'
}
check() {	# check NAME GOT WANT
	if [ "$2" = "$3" ]; then echo "  ok: $1 = $2"; else echo "  FAIL: $1 = $2, expected $3"; fail=1; fi
}

run_setting() {	# run_setting NAME ROUTE_LOCALNET ACCEPT_LOCAL WANT_MARTIAN WANT_INPUT_SPOOF
	local name=$1 rl=$2 al=$3 want_martian=$4 want_input_spoof=$5
	echo "== $name (route_localnet=$rl accept_local=$al)"
	ns_setup nfk
	local X="ip netns exec $NS_A"
	for scope in all a0; do
		$X sysctl -qw net.ipv4.conf.$scope.route_localnet=$rl net.ipv4.conf.$scope.accept_local=$al \
			net.ipv4.conf.$scope.rp_filter=0
	done
	$X iptables -t raw -A PREROUTING ! -i lo -s 127.0.0.0/8 -j NFLOG --nflog-group 10 --nflog-prefix spoof-lo
	$X iptables -A INPUT -i lo -j ACCEPT
	$X iptables -A INPUT ! -i lo -j NFLOG --nflog-group 11 --nflog-prefix input
	$X iptables -A INPUT ! -i lo -s 127.0.0.0/8 -j REJECT
	local db="$WORK/$name.db"
	$X "$SPOOFAUDIT" collect -q -i a0 --nflog 10,11 --db "$db" --role a0=external \
		--flush-interval 1 --duration 120 --user root &
	local pid=$!
	NS_CLEANUP_HOOK="kill $pid 2>/dev/null"
	ns_wait_sources "$db" 4
	sleep 0.5
	local m0; m0=$(martian_src)
	ip netns exec "$NS_B" "$TOOLS/inject" -i b0 -m "$A_MAC" -p 20000 "$WORK/gen/martian.pcap" > "$WORK/inject.out"
	sleep 1.5
	local m1; m1=$(martian_src)
	kill -TERM $pid
	wait $pid
	NS_CLEANUP_HOOK=
	local q="sqlite3 $db"
	check "frames injected" "$(awk '/^sent/ {print $2}' "$WORK/inject.out")" "$frames"
	check "pcap: spoof_loopback_src packets on a0" \
		"$($q "SELECT sum(packets) FROM flows WHERE iface='a0' AND dir='in' AND class='spoof_loopback_src'")" "$all_spoof"
	check "pcap: every frame stored once (NFLOG adds none)" \
		"$($q "SELECT sum(packets) FROM flows WHERE iface='a0' AND dir='in'")" "$frames"
	local raw_db raw_k in_db in_k in_spoof
	raw_db=$($q "SELECT coalesce(sum(packets),0) FROM flow_nflog WHERE prefix='spoof-lo'")
	raw_k=$(rule_pkts raw PREROUTING spoof-lo)
	in_db=$($q "SELECT coalesce(sum(packets),0) FROM flow_nflog WHERE prefix='input'")
	in_k=$(rule_pkts filter INPUT input)
	in_spoof=$($q "SELECT coalesce(sum(n.packets),0) FROM flow_nflog n JOIN flows f ON f.id=n.flow_id
	               WHERE n.prefix='input' AND f.class='spoof_loopback_src'")
	check "raw PREROUTING NFLOG: logged in DB = rule counter" "$raw_db" "$raw_k"
	check "raw PREROUTING NFLOG: rule counter = whole 127/8 frames (truth)" "$raw_k" "$whole"
	check "filter INPUT NFLOG: logged in DB = rule counter" "$in_db" "$in_k"
	check "filter INPUT NFLOG: spoofed packets it saw" "$in_spoof" "$want_input_spoof"
	check "filter INPUT NFLOG: ordinary packets it saw" "$((in_db - in_spoof))" "$normal"
	check "in_martian_src delta" "$((m1 - m0))" "$want_martian"
	# The run recorded the counter at its start and end (a window around m0..m1), and where
	# the kernel dropped every spoofed packet the report's verdict quotes that growth.
	local kdelta
	kdelta=$($q "SELECT at_end - at_start FROM kernel_counters WHERE name='in_martian_src'")
	if [ -n "$kdelta" ] && [ "$kdelta" -ge "$((m1 - m0))" ]; then
		echo "  ok: recorded in_martian_src growth $kdelta >= the test's own $((m1 - m0))"
	else
		echo "  FAIL: recorded in_martian_src growth '$kdelta' < the test's own $((m1 - m0))"; fail=1
	fi
	if [ "$want_input_spoof" = 0 ] && [ "$want_martian" -gt 0 ]; then
		if ! "$SPOOFAUDIT" report --db "$db" --day today > "$WORK/report.txt" 2>&1; then
			echo "  FAIL: report exited non-zero"; fail=1
		elif grep -q "in_martian_src rose by $kdelta while the capture ran" "$WORK/report.txt"; then
			echo "  ok: the report's verdict quotes the counter's growth ($kdelta)"
		else
			echo "  FAIL: the report does not quote in_martian_src rose by $kdelta"; fail=1
			grep -n "in_martian" "$WORK/report.txt" | head -5
		fi
	fi
	check "NFLOG sequence gaps + ENOBUFS" \
		"$($q "SELECT sum(nflog_seq_gaps + nflog_enobufs) FROM capture_stats")" 0
	ns_cleanup_now
}

ns_cleanup_now() { ip netns del "$NS_A"; ip netns del "$NS_B"; }

run_setting rl0 0 0 "$whole" 0
run_setting rl1 1 0 "$(truth spoof_127001)" "$(truth spoof_other)"
run_setting rl1al1 1 1 0 "$whole"
exit $fail
