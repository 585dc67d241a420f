# Shared harness for the integration tests (source it): two network namespaces joined
# by a veth pair, lo up in both. The auditing namespace ($NS_A, interface a0) holds
# 45.33.1.10/24 and 2a01:a0::10/64 (the generators' host addresses); the sender
# ($NS_B, interface b0) has IPv6 and ARP off so it sends nothing of its own.
# Tests call ns_test_start TAG [COMMAND...] (or ns_require_root, then ns_setup); cleanup
# runs on exit. ok/bad print a check's result; bad sets fail=1 (the test's exit status).

ns_require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: needs root (network namespaces, veth, AF_PACKET)"
		exit 77
	fi
	command -v ip >/dev/null || { echo "SKIP: iproute2 missing"; exit 77; }
}

# ns_test_start TAG [COMMAND...]: the common start of a test: root and each COMMAND
# present (else skip, exit 77), WORK a fresh directory, the namespaces up, fail=0.
# SPOOFAUDIT and TOOLS (and SRCDIR, to source this) must be set, as ctest sets them.
ns_test_start() {
	local tag=$1 c
	shift
	: "${SPOOFAUDIT:?}" "${TOOLS:?}"
	ns_require_root
	for c in "$@"; do
		command -v "$c" >/dev/null || { echo "SKIP: $c missing"; exit 77; }
	done
	WORK=$(mktemp -d)
	ns_setup "$tag"
	fail=0
}

ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

ns_setup() {
	local tag=${1:-sa}
	NS_A="${tag}a$$"
	NS_B="${tag}b$$"
	ip netns add "$NS_A"
	ip netns add "$NS_B"
	trap ns_cleanup EXIT
	ip link add a0 netns "$NS_A" type veth peer name b0 netns "$NS_B"
	ip -n "$NS_B" link set b0 up
	ip netns exec "$NS_B" sysctl -qw net.ipv6.conf.b0.disable_ipv6=1
	# b0 answers no ARP either: every frame a0 receives is one the injector sent
	ip -n "$NS_B" link set b0 arp off
	ip netns exec "$NS_A" sysctl -qw net.ipv6.conf.a0.accept_dad=0
	ip -n "$NS_A" link set lo up
	ip -n "$NS_B" link set lo up
	ip -n "$NS_A" addr add 45.33.1.10/24 dev a0
	ip -n "$NS_A" addr add 2a01:a0::10/64 dev a0 nodad
	ip -n "$NS_B" addr add 45.33.1.20/24 dev b0
	ip -n "$NS_A" link set a0 up
	A_MAC=$(ip -n "$NS_A" -o link show a0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	export NS_A NS_B A_MAC
}

ns_cleanup() {
	local rc=$? ns
	set +e
	if [ -n "${NS_CLEANUP_HOOK:-}" ]; then eval "$NS_CLEANUP_HOOK"; fi
	for ns in "${NS_A:-}" "${NS_B:-}"; do
		# a test may have deleted its namespaces already
		if [ -n "$ns" ] && [ -e "/run/netns/$ns" ]; then ip netns del "$ns"; fi
	done
	if [ -n "${WORK:-}" ] && [ "$rc" != 0 ] && [ -n "${SPOOFAUDIT_KEEP_WORK:-}" ]; then
		echo "kept for inspection (SPOOFAUDIT_KEEP_WORK): $WORK" >&2
	elif [ -n "${WORK:-}" ]; then
		rm -rf "$WORK"
	fi
	exit $rc
}

# Waits until the collector writing DB has N capture sources open: polls the DB for its
# source rows, up to 30 s. Read-only: a plain sqlite3 creates an empty DB file when there
# is none yet, and a collector that starts after that refuses the file it did not create
# ("File exists"); that race made t_live_noreply, t_check_established and
# t_honest_collect fail now and then on a loaded machine.
ns_wait_sources() {
	local db=$1 n=$2 i
	for i in $(seq 300); do
		[ "$(sqlite3 -readonly "$db" "SELECT count(*) FROM sources" 2>/dev/null || echo 0)" -ge "$n" ] &&
			return 0
		sleep 0.1
	done
	echo "collector did not start: $n capture sources not in $db after 30 s" >&2
	return 1
}

# ns_collect ARGS...: starts `spoofaudit collect ARGS` in $NS_A in the background, its pid
# in NS_PID, killed on exit. Its output goes where the call's does: redirect the call.
ns_collect() {
	ip netns exec "$NS_A" "$SPOOFAUDIT" collect "$@" &
	NS_PID=$!
	NS_CLEANUP_HOOK="kill $NS_PID 2>/dev/null"
}

# ns_collect_stop: SIGTERM to the collector ns_collect started; it must exit 0 (under
# set -e a failure ends the test).
ns_collect_stop() {
	kill -TERM "$NS_PID"
	wait "$NS_PID"
	NS_CLEANUP_HOOK=
}

# ns_record PCAP DB: records a0 into DB (collect -i a0, 1 s flushes, as root) while PCAP
# is injected onto b0 from $NS_B at 100 frames/s, then stops the collector.
ns_record() {
	ns_collect -q -i a0 --db "$2" --flush-interval 1 --user root --duration 60 > /dev/null
	ns_wait_sources "$2" 2
	ip netns exec "$NS_B" "$TOOLS/inject" -i b0 -m "$A_MAC" -p 100 "$1" > /dev/null
	sleep 0.5
	ns_collect_stop
}

# ns_filter_rules INPUT OUTPUT [RULE...]: prints an iptables-restore filter table with
# those INPUT and OUTPUT policies, FORWARD DROP and the RULEs (one line each).
ns_filter_rules() {
	printf '*filter\n:INPUT %s [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT %s [0:0]\n' "$1" "$2"
	shift 2
	if [ $# -gt 0 ]; then printf '%s\n' "$@"; fi
	printf 'COMMIT\n'
}
