#!/bin/bash
# The systemd way of starting the collector: an unprivileged user given CAP_NET_RAW and
# CAP_NET_ADMIN as ambient capabilities (AmbientCapabilities=; here setpriv does the same),
# capturing a0 and NFLOG group 7. Once started, /proc/PID/status (the kernel's account,
# not the collector's) must show no capability in the effective, permitted, inheritable
# and ambient sets, NoNewPrivs 1 and Seccomp 2 (filter mode); the capture still records
# the 5 UDP datagrams the other namespace sends, through both the packet socket and NFLOG,
# and the collector exits 0 on SIGTERM. Then the same for root with --user nobody.
# Root only (exit 77 otherwise).
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}" "${TOOLS:?}"
. "$SRCDIR/tests/integration/netns.sh"
. "$SRCDIR/tests/integration/live_policy.sh"
ns_test_start cam setpriv iptables
id nobody >/dev/null 2>&1 || { echo "SKIP: no user nobody"; exit 77; }
chmod 0755 "$WORK"
live_neigh
ip netns exec "$NS_A" iptables -A INPUT -i a0 -p udp --dport 9999 -j NFLOG --nflog-group 7
NOGROUP=$(id -gn nobody)

# run_case NAME COMMAND...: starts the collector under COMMAND (with $CASE_ARGS), checks
# its status, sends, stops.
run_case() {
	local name=$1 db st pid n i
	shift
	db="$WORK/$name/c.db"
	install -d -o nobody -m 0755 "$WORK/$name"
	ip netns exec "$NS_A" "$@" "$SPOOFAUDIT" collect -q -i a0 --nflog 7 --db "$db" \
		--role a0=external --flush-interval 1 --duration 120 ${CASE_ARGS:-} 2> "$WORK/$name.err" &
	pid=$!
	NS_CLEANUP_HOOK="kill $pid 2>/dev/null"
	# wait for the 2 source rows, reading as nobody: a root reader would create the WAL
	# files as root under a collector that is nobody from the start; read-only, so that
	# a poll before the collector made its file does not create it (netns.sh)
	for i in $(seq 100); do
		n=$(setpriv --reuid=nobody --regid="$NOGROUP" --clear-groups \
			sqlite3 -readonly "$db" "SELECT count(*) FROM sources" 2>/dev/null || echo 0)
		[ "$n" -ge 2 ] && break
		sleep 0.1
	done
	[ "$n" -ge 2 ] || { bad "$name: did not start: $(cat "$WORK/$name.err")"; return; }
	sleep 1
	st=/proc/$pid/status
	echo "$name: $(grep -E '^(Uid|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' $st | tr -s '\t\n' '  ')"
	[ "$(awk '/^Uid:/ {print $2}' $st)" = "$(id -u nobody)" ] && ok "$name: runs as nobody" \
		|| bad "$name: uid $(awk '/^Uid:/ {print $2}' $st)"
	for s in CapEff CapPrm CapInh CapAmb; do
		[ "$(awk -v s="$s:" '$1 == s {print $2}' $st)" = 0000000000000000 ] \
			&& ok "$name: $s empty" || bad "$name: $s $(awk -v s="$s:" '$1 == s {print $2}' $st)"
	done
	[ "$(awk '/^NoNewPrivs:/ {print $2}' $st)" = 1 ] && ok "$name: NoNewPrivs 1" || bad "$name: NoNewPrivs"
	[ "$(awk '/^Seccomp:/ {print $2}' $st)" = 2 ] && ok "$name: Seccomp 2 (filter)" || bad "$name: Seccomp"
	ip netns exec "$NS_B" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5):
    s.sendto(b"x" * 10, ("45.33.1.10", 9999))'
	sleep 2.5
	kill -TERM $pid
	if wait $pid; then ok "$name: exits 0 on SIGTERM"; else bad "$name: exit $?: $(cat "$WORK/$name.err")"; fi
	NS_CLEANUP_HOOK=""
	n=$(sqlite3 "$db" "SELECT coalesce(sum(packets),0) FROM flows WHERE dport=9999 AND iface='a0'")
	[ "$n" -ge 5 ] && ok "$name: the 5 datagrams recorded ($n flow packets)" || bad "$name: $n recorded"
	n=$(sqlite3 "$db" "SELECT coalesce(sum(nflog_received),0) FROM capture_stats")
	[ "$n" = 5 ] && ok "$name: NFLOG received the 5" || bad "$name: NFLOG received $n"
}

run_case ambient setpriv --reuid=nobody --regid="$NOGROUP" --clear-groups \
	--inh-caps=+net_raw,+net_admin --ambient-caps=+net_raw,+net_admin
CASE_ARGS="--user nobody" run_case root-user env
exit $fail
