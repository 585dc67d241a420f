#!/bin/bash
# The README's worked examples, run as written, with their output excerpts checked
# (tests/tools/readme_examples.py: every `$ ` line of an example block is run; every other
# line must be in what the commands printed). Nothing here restates a command or an
# excerpt: both come from README.md, so the README cannot drift from what the code does.
#
# In network namespaces (tests/integration/netns.sh): the auditing host has a0
# (45.33.1.10, default route via the sender, so a0 is `external`) and lo.
#   1. suspect-*: the README's NFLOG rule and `collect -i a0 -i lo --nflog 5` run while the
#      sender injects 40 UDP packets from 127.0.0.1 and 20 from 127.9.8.7 to 45.33.1.10:53
#      and a local client asks a UDP service on 127.0.0.1:5353 25 times (25 answers);
#      Ctrl-C (SIGINT) ends the collector. Then the README's report of today.
#   2. daily-*: in a private mount namespace with a tmpfs on /var/lib, a capture of
#      yesterday (40 from 127.0.0.1, 12 from 10.1.2.3, 5 from the host's own 45.33.1.10,
#      30 from 93.184.216.34, all to 45.33.1.10 on eth0) is stored in
#      /var/lib/spoofaudit/spoofaudit.db; the README's `report --day yesterday` runs, then
#      the ExecStart= lines of the built spoofaudit-report.service (what the timer starts)
#      and the README's listing of the reports directory.
#   3. check-*: the README's new.rules and current.rules (taken from the README's blocks)
#      checked against example 1's database; its new.nft (nftables) against new.rules.
# Independent of the README, the database must hold what was sent (the generator's
# counts), so an excerpt that matched a wrong output would still be caught.
# The checker's own control: each excerpt with one digit changed must NOT be found.
# Root only (exit 77 otherwise).
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}" "${TOOLS:?}" "${BUILDDIR:?}"
. "$SRCDIR/tests/integration/netns.sh"
ns_require_root
command -v iptables >/dev/null || { echo "SKIP: iptables missing"; exit 77; }
command -v unshare >/dev/null || { echo "SKIP: unshare (util-linux) missing"; exit 77; }
WORK=$(mktemp -d)
chmod 755 "$WORK"
readme="$SRCDIR/README.md"
ex() { python3 "$SRCDIR/tests/tools/readme_examples.py" "$readme" "$@"; }
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
# `spoofaudit` in the README's commands is the binary under test
mkdir -p "$WORK/bin" "$WORK/host"
ln -s "$SPOOFAUDIT" "$WORK/bin/spoofaudit"
export PATH="$WORK/bin:$PATH"
# the collector gives its files to the user spoofaudit when that user exists
if id spoofaudit > /dev/null 2>&1; then chown spoofaudit: "$WORK/host"; fi

check_excerpt() {	# check_excerpt NAME OUTPUT
	sed 's/^/    | /' "$2"
	if ex check "$1" "$2"; then
		ok "README example $1: excerpt found in the output"
	else
		bad "README example $1: excerpt not found in the output above"
	fi
	if ex check --mutate "$1" "$2" > /dev/null; then
		bad "README example $1: an excerpt with a digit changed was found too (the check cannot fail)"
	fi
}
run_block() {	# run_block NAME: the example's commands as one script in the namespace, in host/
	ex cmds "$1" > "$WORK/$1.sh"
	(cd "$WORK/host" && ip netns exec "$NS_A" bash "$WORK/$1.sh") > "$WORK/$1.out" 2>&1 ||
		echo "(the block's last command exited $?)" >> "$WORK/$1.out"
}

ex list > "$WORK/examples"
for n in suspect-collect suspect-report daily-report daily-files check-new check-nft; do
	grep -qx "$n" "$WORK/examples" || bad "README has no example $n"
done
[ $fail = 0 ] || exit 1

ns_setup rdm
ip -n "$NS_A" route add default via 45.33.1.20
ip netns exec "$NS_A" sysctl -qw net.ipv4.conf.all.route_localnet=0 net.ipv4.conf.a0.route_localnet=0
python3 "$SRCDIR/tests/tools/gen_frames.py" "$WORK/spoof.pcap" \
	udp:127.0.0.1:4000:45.33.1.10:53:40 udp:127.9.8.7:4001:45.33.1.10:53:20

# --- 1. a host suspected of receiving spoofed packets
mapfile -t cmds < <(ex cmds suspect-collect)
n=${#cmds[@]}
[ "$n" -ge 1 ] && [[ "${cmds[$((n - 1))]}" == "spoofaudit collect "* ]] ||
	{ bad "suspect-collect must end with the collect command"; exit 1; }
out="$WORK/suspect-collect.out"
: > "$out"
for ((i = 0; i < n - 1; i++)); do
	(cd "$WORK/host" && ip netns exec "$NS_A" bash -c "${cmds[$i]}") >> "$out" 2>&1 || bad "command failed: ${cmds[$i]}"
done
(cd "$WORK/host" && exec ip netns exec "$NS_A" bash -c "exec ${cmds[$((n - 1))]}") >> "$out" 2>&1 &
pid=$!
NS_CLEANUP_HOOK="kill $pid 2>/dev/null"
db="$WORK/host/$(echo "${cmds[$((n - 1))]}" | sed -n 's/.*--db \([^ ]*\).*/\1/p')"
ns_wait_sources "$db" 2
sleep 0.5
ip netns exec "$NS_A" python3 - <<'PY'
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 5353))
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(25):
    c.sendto(b"q" * 10, ("127.0.0.1", 5353)); data, peer = u.recvfrom(100); u.sendto(b"r", peer); c.recv(10)
PY
ip netns exec "$NS_B" "$TOOLS/inject" -i b0 -m "$A_MAC" "$WORK/spoof.pcap" > "$WORK/inject.out"
sleep 2
kill -INT $pid
wait $pid || bad "collect exited $?"
NS_CLEANUP_HOOK=
q() { sqlite3 "$db" "$1"; }
[ "$(q "SELECT sum(packets) FROM flows WHERE iface='a0' AND class='spoof_loopback_src'")" = 60 ] &&
	[ "$(q "SELECT sum(packets) FROM flows WHERE src='127.0.0.1' AND iface='a0'")" = 40 ] &&
	ok "database: the 60 spoofed packets sent (40 from 127.0.0.1)" || bad "database does not hold the 60 spoofed packets"
[ "$(q "SELECT sum(packets) FROM flows WHERE class='loopback_flow' AND ((sport=5353 AND dport=0) OR (sport=0 AND dport=5353))")" = 50 ] &&
	ok "database: the 50 loopback packets of udp/5353" || bad "loopback udp/5353 not 50 packets"
[ "$(q "SELECT sum(packets) FROM flow_nflog WHERE prefix='spoof-lo'")" = 60 ] &&
	ok "database: NFLOG prefix spoof-lo logged the 60" || bad "NFLOG prefix spoof-lo did not log 60"
check_excerpt suspect-collect "$out"
run_block suspect-report
check_excerpt suspect-report "$WORK/suspect-report.out"

# --- 3. validating a new ruleset (on example 1's database)
for f in new.rules current.rules; do
	ex file "$f" > "$WORK/host/$f" || bad "README has no file block $f"
done
run_block check-new
check_excerpt check-new "$WORK/check-new.out"
# the same ruleset written for nftables (README's new.nft) against new.rules: no change
ex file new.nft > "$WORK/host/new.nft" || bad "README has no file block new.nft"
run_block check-nft
check_excerpt check-nft "$WORK/check-nft.out"

# --- 2. the daily report, in a private mount namespace: /var/lib is a tmpfs there
python3 "$SRCDIR/tests/tools/gen_frames.py" "$WORK/day.pcap" \
	udp:127.0.0.1:4000:45.33.1.10:53:40 udp:10.1.2.3:4002:45.33.1.10:53:12 \
	udp:45.33.1.10:4003:45.33.1.10:53:5 udp:93.184.216.34:4004:45.33.1.10:53:30
python3 - "$WORK/day.pcap" <<'PY'
import struct, sys, time
# restamp every packet to yesterday 12:00 local time
t = time.localtime(time.time() - 86400)
noon = int(time.mktime((t.tm_year, t.tm_mon, t.tm_mday, 12, 0, 0, 0, 0, -1)))
b = bytearray(open(sys.argv[1], "rb").read())
off = 24
while off < len(b):
    incl = struct.unpack_from("<I", b, off + 8)[0]
    struct.pack_into("<I", b, off, noon)
    off += 16 + incl
open(sys.argv[1], "wb").write(b)
PY
unit="$BUILDDIR/src/dist/spoofaudit-report.service"
{ echo "set -e"; sed -n 's/^ExecStart=[^ ]*spoofaudit /spoofaudit /p' "$unit"; } > "$WORK/unit-cmds"
[ "$(wc -l < "$WORK/unit-cmds")" -ge 4 ] || bad "no ExecStart= lines in $unit"
ex cmds daily-report > "$WORK/daily-report.cmds"
ex cmds daily-files > "$WORK/daily-files.cmds"
cat > "$WORK/daily.sh" <<'SH'
set -u
W=$1
mount -t tmpfs -o mode=755 tmpfs /var/lib
mkdir -p /var/lib/spoofaudit
spoofaudit collect -q -r "$W/day.pcap" --iface-name eth0 --host-addr 45.33.1.10 \
	--db /var/lib/spoofaudit/spoofaudit.db || echo "setup collect failed" >&2
run() {	# run SCRIPT OUT
	bash "$1" > "$2" 2>&1
	echo "(exit status $?)" >> "$2"
}
run "$W/daily-report.cmds" "$W/daily-report.out"
# what spoofaudit-report.timer starts: the unit's ExecStart= lines, in order
mkdir -p /var/lib/spoofaudit/reports
run "$W/unit-cmds" "$W/unit.out"
cp /var/lib/spoofaudit/reports/*.txt "$W/unit-report.txt" 2>/dev/null
run "$W/daily-files.cmds" "$W/daily-files.out"
SH
(cd "$WORK/host" && unshare -m --propagation private bash "$WORK/daily.sh" "$WORK") || bad "daily scenario"
grep -qx "(exit status 0)" "$WORK/unit.out" && ok "the report service's ExecStart= lines ran" ||
	{ bad "a unit ExecStart= line failed:"; cat "$WORK/unit.out"; }
check_excerpt daily-report "$WORK/daily-report.out"
check_excerpt daily-files "$WORK/daily-files.out"
# the timer's text report says what the README's command printed
if [ -f "$WORK/unit-report.txt" ]; then
	check_excerpt daily-report "$WORK/unit-report.txt"
else
	bad "the report service wrote no text report"
fi
exit $fail
