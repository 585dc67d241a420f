# Shared helpers of the live policy audit tests (collect --policy); sourcing this file
# sources netns.sh too. The collector runs in $NS_A with --alert json (JSON lines on
# stdout) into $WORK/alerts.
. "${SRCDIR:?}/tests/integration/netns.sh"

# live_collect NSOURCES SETTLE ARGS...: starts `collect ARGS` (which name --db "$LIVE_DB")
# with stdout in $WORK/alerts and stderr in $WORK/collect.err, LIVE_PID its pid, killed on
# exit (with LIVE_EXTRA_CLEANUP); waits until NSOURCES capture sources are open, then SETTLE s.
live_collect() {
	local nsrc=$1 settle=$2
	shift 2
	ns_collect "$@" > "$WORK/alerts" 2> "$WORK/collect.err"
	LIVE_PID=$NS_PID
	NS_CLEANUP_HOOK="kill $LIVE_PID 2>/dev/null; ${LIVE_EXTRA_CLEANUP:-}"
	ns_wait_sources "$LIVE_DB" "$nsrc" || {
		echo "collector pid $LIVE_PID $(kill -0 "$LIVE_PID" 2>/dev/null && echo 'still running' ||
			echo exited), its stderr:"
		cat "$WORK/collect.err"
		return 1
	}
	sleep "$settle"
}

# live_start ARGS...: starts the collector (-i a0 -i lo, --user root, 1 s ruleset poll and
# flushes) with the extra ARGS and waits until its capture is open.
live_start() {
	LIVE_DB="$WORK/live.db"
	live_collect 3 1 -q -i a0 -i lo --db "$LIVE_DB" --role a0=external \
		--flush-interval 1 --ruleset-poll 1 --alert json --user root --duration 300 "$@"
}

# live_service ARGS... <<'PY': runs the python3 program given on stdin in $NS_A in the
# background with ARGS (a service the test uses), killed on exit; gives it 0.5 s to listen.
live_service() {
	ip netns exec "$NS_A" python3 - "$@" <&0 &
	LIVE_EXTRA_CLEANUP="kill $! 2>/dev/null"
	sleep 0.5
}

# live_stop: SIGTERM, wait, print every violation line it emitted (and its stderr).
live_stop() {
	kill -TERM "$LIVE_PID" 2>/dev/null || true
	wait "$LIVE_PID" || { echo "collector exited $?:"; cat "$WORK/collect.err"; }
	NS_CLEANUP_HOOK="${LIVE_EXTRA_CLEANUP:-}"
	echo "---- violation lines ($(grep -vc '"kind":"info"' "$WORK/alerts" || true)) ----"
	python3 - "$WORK/alerts" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    tag = "info" if o["kind"] == "info" else "VIOLATION %s%s" % (o["kind"], " (weak)" if o.get("strength") == "weak" else "")
    rep = " [repeated %d in %ds, %d in total]" % (o["repeated"], o["window_s"], o["total"]) if o.get("repeated") else ""
    print("%s: %s%s" % (tag, o["message"], rep))
PY
	echo "----"
}

# live_wait_flow WHERE: waits (up to 10 s) until the collector has stored a flow row
# matching the SQL condition WHERE, so it has processed those packets (a sleep alone
# races the collector's ring timeout and flush on a loaded machine); 1 (and bad) if not.
live_wait_flow() {
	local i n
	for i in $(seq 1 50); do
		n=$(sqlite3 "$LIVE_DB" "SELECT count(*) FROM flows WHERE $1" 2>/dev/null) || n=0
		[ "${n:-0}" -gt 0 ] && return 0
		sleep 0.2
	done
	bad "no flow row WHERE $1 after 10 s"
	return 1
}

# live_count KIND [GREP]: violation lines of KIND (whose message matches GREP).
live_count() {
	python3 - "$WORK/alerts" "$1" "${2:-}" <<'PY'
import json, re, sys
n = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["kind"] == sys.argv[2] and re.search(sys.argv[3], o["message"]):
        n += 1
print(n)
PY
}

# live_expect KIND PATTERN OP WANT OK BAD: the number of KIND lines whose message matches
# PATTERN (live_count) compared with WANT by the test operator OP (= or -ge): ok OK, or
# bad "BAD: N lines".
live_expect() {
	local n
	n=$(live_count "$1" "$2")
	if [ "$n" "$3" "$4" ]; then ok "$5"; else bad "$6: $n lines"; fi
}

# live_same_policy INPUT OUTPUT [RULE...]: the intended policy (ns_filter_rules) in
# $WORK/intended.rules, and loaded as the live ruleset of $NS_A too.
live_same_policy() {
	ns_filter_rules "$@" > "$WORK/intended.rules"
	ip netns exec "$NS_A" iptables-restore < "$WORK/intended.rules"
}

# live_neigh: static neighbour entries both ways, so that the other namespace can talk to
# the auditor with real sockets (b0 is NOARP: without them its frames carry a MAC that is
# not a0's and the kernel drops them as PACKET_OTHERHOST before netfilter).
live_neigh() {
	local bmac
	bmac=$(ip -n "$NS_B" -o link show b0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	ip -n "$NS_B" neigh replace 45.33.1.10 lladdr "$A_MAC" dev b0
	ip -n "$NS_A" neigh replace 45.33.1.20 lladdr "$bmac" dev a0
}

# live_router TAG: makes $NS_A a router: a1 (10.77.0.1/24) to a third namespace NS_C
# (set here, 10.77.0.2, default route back through a1), forwarding on, the neighbours of
# live_neigh; NS_CLEANUP_HOOK deletes NS_C.
live_router() {
	NS_C="$1$$"
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
}
