# Shared helpers of the live policy audit tests (collect --policy); source after netns.sh.
# The collector runs in $NS_A with --alert json (JSON lines on stdout) into $WORK/alerts.

# live_start ARGS...: starts the collector (-i a0 -i lo, --user root, 1 s ruleset poll and
# flushes) with the extra ARGS and waits until its capture is open.
live_start() {
	LIVE_DB="$WORK/live.db"
	ip netns exec "$NS_A" "$SPOOFAUDIT" collect -q -i a0 -i lo --db "$LIVE_DB" --role a0=external \
		--flush-interval 1 --ruleset-poll 1 --alert json --user root --duration 300 "$@" \
		> "$WORK/alerts" 2> "$WORK/collect.err" &
	LIVE_PID=$!
	NS_CLEANUP_HOOK="kill $LIVE_PID 2>/dev/null; ${LIVE_EXTRA_CLEANUP:-}"
	ns_wait_sources "$LIVE_DB" 3
	sleep 1
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

# live_neigh: static neighbour entries both ways, so that the other namespace can talk to
# the auditor with real sockets (b0 is NOARP: without them its frames carry a MAC that is
# not a0's and the kernel drops them as PACKET_OTHERHOST before netfilter).
live_neigh() {
	local bmac
	bmac=$(ip -n "$NS_B" -o link show b0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	ip -n "$NS_B" neigh replace 45.33.1.10 lladdr "$A_MAC" dev b0
	ip -n "$NS_A" neigh replace 45.33.1.20 lladdr "$bmac" dev a0
}
