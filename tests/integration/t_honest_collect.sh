#!/bin/bash
# Issue 15, "honest output in every corner", the items that need namespaces or root:
#  a  collect -i eth9 (no such interface in the namespace) exits 1 without creating the
#     database, and without adding a run or an interface to an existing one; the error
#     lists the interfaces that exist (the oracle: `ip -o link` in that namespace);
#  f  as a normal user (nobody, no capabilities): collect -i a0 says "capturing on a0
#     needs root or CAP_NET_RAW", --nflog says it needs root or CAP_NET_ADMIN, and
#     neither creates the database;
#  c  the end-of-run summary adds up, with pcap and NFLOG both seeing the same packets
#     (-i a0 --nflog) and with NFLOG alone (--nflog): the numbers in the first line's
#     parentheses add up to its packet count, the pcap frames' decode split adds up to
#     the pcap frames, and the NFLOG copies = the rule's kernel counter (iptables -v -x)
#     = the sum of their parts; with NFLOG alone the line says pcap did not run.
# Root only (exit 77 otherwise).
set -euo pipefail
. "${SRCDIR:?}/tests/integration/netns.sh"
ns_test_start hon iptables setpriv sqlite3
X="ip netns exec $NS_A"
chmod 755 "$WORK"

# ---- a: a mistyped interface ----
rc=0
$X "$SPOOFAUDIT" collect -i eth9 --db "$WORK/a.db" --duration 2 > "$WORK/a.out" 2>&1 || rc=$?
sed 's/^/  a: /' "$WORK/a.out"
[ "$rc" = 1 ] && ok "a: -i eth9 exits 1" || bad "a: -i eth9 exits $rc"
[ ! -e "$WORK/a.db" ] && ok "a: no database created" || bad "a: $WORK/a.db was created"
for ifc in $($X ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//'); do
	grep -q "[ ,:]$ifc\(,\|$\)" "$WORK/a.out" && ok "a: the error lists $ifc" ||
		bad "a: the error does not list existing interface $ifc"
done
grep -q "eth9" "$WORK/a.out" && ok "a: the error names eth9" || bad "a: eth9 not named"
# an existing database keeps its runs and interfaces
python3 "$SRCDIR/tests/tools/gen_frames.py" "$WORK/one.pcap" udp:198.51.100.7:4000:45.33.1.10:53:3
"$SPOOFAUDIT" collect -q --db "$WORK/b.db" -r "$WORK/one.pcap"
before=$(sqlite3 "$WORK/b.db" "SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM ifaces), (SELECT count(*) FROM sources)")
rc=0
$X "$SPOOFAUDIT" collect -i eth9 --db "$WORK/b.db" --duration 2 > "$WORK/a2.out" 2>&1 || rc=$?
after=$(sqlite3 "$WORK/b.db" "SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM ifaces), (SELECT count(*) FROM sources)")
[ "$rc" = 1 ] && [ "$before" = "$after" ] && ok "a: existing database unchanged (runs|ifaces|sources $after)" ||
	bad "a: existing database changed: runs|ifaces|sources $before -> $after (exit $rc)"

# ---- f: a normal user ----
mkdir "$WORK/nob"
chown nobody "$WORK/nob"
asnobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --bounding-set=-all)
rc=0
$X "${asnobody[@]}" "$SPOOFAUDIT" collect -i a0 --db "$WORK/nob/f.db" --duration 2 > "$WORK/f.out" 2>&1 || rc=$?
sed 's/^/  f: /' "$WORK/f.out"
[ "$rc" = 1 ] && ok "f: pcap as nobody exits 1" || bad "f: pcap as nobody exits $rc"
grep -q "capturing on a0 needs root or CAP_NET_RAW" "$WORK/f.out" && ok "f: pcap says what it needs" ||
	bad "f: pcap does not say it needs root or CAP_NET_RAW"
rc=0
$X "${asnobody[@]}" "$SPOOFAUDIT" collect --nflog 11 --db "$WORK/nob/f.db" --duration 2 > "$WORK/f2.out" 2>&1 || rc=$?
sed 's/^/  f: /' "$WORK/f2.out"
[ "$rc" = 1 ] && ok "f: NFLOG as nobody exits 1" || bad "f: NFLOG as nobody exits $rc"
grep -q "NFLOG group 11 needs root or CAP_NET_ADMIN" "$WORK/f2.out" && ok "f: NFLOG says what it needs" ||
	bad "f: NFLOG does not say it needs root or CAP_NET_ADMIN"
[ ! -e "$WORK/nob/f.db" ] && ok "f: no database created" || bad "f: $WORK/nob/f.db was created"

# ---- c: the summary adds up ----
# 40 UDP datagrams to the auditor; an INPUT rule logs them to NFLOG group 11 and drops
# them (no ICMP answer; b0 answers no ARP, so a0's own frames are ARP requests at most).
python3 "$SRCDIR/tests/tools/gen_frames.py" "$WORK/udp.pcap" udp:198.51.100.7:4000:45.33.1.10:5300:40
$X iptables -A INPUT -i a0 -p udp --dport 5300 -j NFLOG --nflog-group 11 --nflog-prefix hon
$X iptables -A INPUT -i a0 -p udp --dport 5300 -j DROP
rule_pkts() { $X iptables -L INPUT -v -x -n | awk '/nflog-prefix *hon/ {print $1}'; }
num() { grep -o "$1" "$WORK/$2" | head -1 | grep -o '[0-9]*' | head -1; }

summary_run() {	# summary_run NAME NSOURCES COLLECT-ARGS...: one run, its summary in NAME.err
	local name=$1 n=$2
	shift 2
	$X iptables -Z INPUT
	$X "$SPOOFAUDIT" collect "$@" --db "$WORK/$name.db" --role a0=external --user root \
		--flush-interval 1 --status-interval 3600 --duration 60 2> "$WORK/$name.err" &
	NS_PID=$!
	NS_CLEANUP_HOOK="kill $NS_PID 2>/dev/null"
	ns_wait_sources "$WORK/$name.db" "$n"
	sleep 0.5
	ip netns exec "$NS_B" "$TOOLS/inject" -i b0 -m "$A_MAC" -p 1000 "$WORK/udp.pcap" > "$WORK/$name.inject"
	sleep 1.5
	ns_collect_stop
	sed "s/^/  $name: /" "$WORK/$name.err"
}

nflog_copies() { sed -n 's/^  NFLOG copies: \([0-9]*\) = .*/\1/p' "$WORK/$1.err"; }
nflog_parts() {	# the numbers after "= " and after each continuation line's "+ "
	{ sed -n 's/^  NFLOG copies: [0-9]* = \([0-9]*\).*/\1/p' "$WORK/$1.err"
	  sed -n 's/^ *+ \([0-9]*\) .*/\1/p' "$WORK/$1.err"; } | paste -sd+ | bc
}

check_adds_up() {	# check_adds_up NAME: the first line's parts add up to its count
	local name=$1 first total parts
	first=$(grep -m1 '^collect: [0-9]* packet' "$WORK/$name.err" || true)
	total=$(sed -n 's/^collect: \([0-9]*\) packets\{0,1\} .*/\1/p' <<< "$first")
	parts=$(sed -n 's/^[^(]*(\([^)]*\)).*/\1/p' <<< "$first" | grep -o '[0-9][0-9]*' | paste -sd+ | bc)
	[ -n "$total" ] && [ -n "$parts" ] && [ "$total" = "$parts" ] &&
		ok "c $name: the first line adds up ($first)" ||
		bad "c $name: the first line does not add up: '$first' (parts ${parts:-none})"
}

summary_run both 3 -i a0 --nflog 11
sent=$(awk '/^sent/ {print $2}' "$WORK/both.inject")
k=$(rule_pkts)
check_adds_up both
[ "$sent" = 40 ] && [ "$k" = 40 ] && ok "c both: 40 sent, the NFLOG rule logged 40" ||
	bad "c both: sent $sent, the rule logged $k (want 40 and 40)"
line=$(grep -m1 '^  pcap frames:' "$WORK/both.err" || true)
frames=$(sed -n 's/.*(\([0-9]*\) captured by pcap.*/\1/p' "$WORK/both.err" | head -1)
split=$(grep -o '[0-9][0-9]*' <<< "$line" | paste -sd+ | bc || true)
[ -n "$frames" ] && [ "$frames" = "$split" ] && [ "$frames" -ge 40 ] &&
	ok "c both: pcap frames $frames = IP + not IP + unsupported + malformed ($line)" ||
	bad "c both: pcap frames ${frames:-?} vs their split '${line:-none}'"
copies=$(nflog_copies both)
cparts=$(nflog_parts both)
dup=$(sed -n 's/^ *+ \([0-9]*\) of packets pcap captured too.*/\1/p' "$WORK/both.err")
[ "${copies:-}" = "$k" ] && [ "$copies" = "$cparts" ] && [ "${dup:-}" = "$k" ] &&
	ok "c both: NFLOG copies $copies = rule counter = their parts; all $dup of packets pcap counted" ||
	bad "c both: NFLOG copies ${copies:-?}, parts ${cparts:-?}, of packets pcap counted ${dup:-?}, rule $k"

summary_run nflog 1 --nflog 11
k=$(rule_pkts)
check_adds_up nflog
total=$(sed -n 's/^collect: \([0-9]*\) packets\{0,1\} .*/\1/p' "$WORK/nflog.err" | head -1)
[ "$k" = 40 ] && [ "${total:-}" = "$k" ] && ok "c nflog: $total packets = the rule's counter" ||
	bad "c nflog: ${total:-?} packets, the rule counted $k (want 40)"
grep -q '^collect: .*pcap did not run' "$WORK/nflog.err" && ok "c nflog: says pcap did not run" ||
	bad "c nflog: does not say pcap did not run"
copies=$(nflog_copies nflog)
cparts=$(nflog_parts nflog)
[ "${copies:-}" = "$k" ] && [ "$copies" = "$cparts" ] && ok "c nflog: NFLOG copies $copies = rule counter = their parts" ||
	bad "c nflog: NFLOG copies ${copies:-?}, parts ${cparts:-?}, rule $k"
exit $fail
