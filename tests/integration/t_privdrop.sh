#!/bin/bash
# Privileges: run as root with --user nobody, the collector opens its captures and the
# database, then drops: /proc/PID/status must show uid and gid 65534 (nobody/nogroup)
# and CapEff 0 while it runs, and it must still record (the DB directory belongs to
# nobody). A directory nobody cannot write is refused with a clear message.
set -euo pipefail
. "${SRCDIR:?}/tests/integration/netns.sh"
ns_test_start pd
id nobody >/dev/null 2>&1 || { echo "SKIP: no user nobody"; exit 77; }
chmod 755 "$WORK"
uid=$(id -u nobody) gid=$(id -g nobody)
mkdir "$WORK/db"
chown nobody: "$WORK/db"
python3 "$SRCDIR/tests/tools/gen_truth.py" --out "$WORK/gen" --packets 2000 --seed 2
chmod -R a+rX "$WORK/gen"
ns_collect -q -i a0 -i lo --nflog 33 --db "$WORK/db/x.db" --user nobody --flush-interval 1 --duration 600
ns_wait_sources "$WORK/db/x.db" 4
sleep 0.5
status=$(cat /proc/$NS_PID/status)
echo "$status" | grep -E '^(Uid|Gid|Groups|CapEff|CapPrm|NoNewPrivs)'
ip netns exec "$NS_B" "$TOOLS/inject" -i b0 -m "$A_MAC" "$WORK/gen/eth.pcap" > /dev/null
sleep 1.5
ns_collect_stop
echo "$status" | grep -qE "^Uid:[[:space:]]+$uid[[:space:]]+$uid[[:space:]]+$uid[[:space:]]+$uid$" || { echo "FAIL: uid"; fail=1; }
echo "$status" | grep -qE "^Gid:[[:space:]]+$gid[[:space:]]+$gid[[:space:]]+$gid[[:space:]]+$gid$" || { echo "FAIL: gid"; fail=1; }
echo "$status" | grep -qE "^CapEff:[[:space:]]+0000000000000000$" || { echo "FAIL: CapEff"; fail=1; }
echo "$status" | grep -qE "^CapPrm:[[:space:]]+0000000000000000$" || { echo "FAIL: CapPrm"; fail=1; }
echo "$status" | grep -qE "^NoNewPrivs:[[:space:]]+1$" || { echo "FAIL: NoNewPrivs"; fail=1; }
n=$(sqlite3 "$WORK/db/x.db" "SELECT sum(packets) FROM flows WHERE iface='a0' AND dir='in'")
echo "recorded after the drop: $n packets"
[ "$n" -gt 1900 ] || { echo "FAIL: nothing recorded after dropping privileges"; fail=1; }
# A directory the user cannot write: refused before capturing, naming the directory.
mkdir "$WORK/rootonly"
chmod 755 "$WORK/rootonly"
if ip netns exec "$NS_A" "$SPOOFAUDIT" collect -q -i a0 --db "$WORK/rootonly/y.db" --user nobody \
	--duration 1 2> "$WORK/err"; then
	echo "FAIL: a root-only directory was accepted"; fail=1
else
	grep -q "rootonly" "$WORK/err" && grep -q "writable" "$WORK/err" || { echo "FAIL: unclear message:"; cat "$WORK/err"; fail=1; }
	echo "refused as expected: $(cat "$WORK/err")"
fi
exit $fail
