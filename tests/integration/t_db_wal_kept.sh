#!/bin/bash
# A collector that drops privileges keeps its locks on the database: another process that
# opens the database read-write and closes it while the collector runs (sqlite3, or
# `spoofaudit prune` from cron) must not find itself the last connection and delete the
# WAL under the collector, whose later writes would then vanish. (Handing the files to the
# user by descriptor after the connection was open closed those descriptors, and closing
# any descriptor of a file drops every POSIX lock the process holds on it.)
# Oracle: the frames injected before and after the other process's visit, per port,
# read by another process while the collector runs and after it stopped.
set -euo pipefail
. "${SRCDIR:?}/tests/integration/netns.sh"
ns_test_start wk sqlite3
id nobody >/dev/null 2>&1 || { echo "SKIP: no user nobody"; exit 77; }
chmod 755 "$WORK"
mkdir "$WORK/db"
chown nobody: "$WORK/db"
G="$SRCDIR/tests/tools/gen_frames.py"
python3 "$G" "$WORK/a.pcap" udp:45.33.1.20:4000:45.33.1.10:53:3
python3 "$G" "$WORK/b.pcap" udp:45.33.1.20:4000:45.33.1.10:123:4
db="$WORK/db/x.db"
ns_collect -q -i a0 --db "$db" --user nobody --flush-interval 1 --duration 600
ns_wait_sources "$db" 2
send() { ip netns exec "$NS_B" "$TOOLS/inject" -i b0 -m "$A_MAC" "$1" > /dev/null; }
send "$WORK/a.pcap"
sleep 1.5
sqlite3 "$db" "SELECT count(*) FROM flows" > /dev/null	# opens read-write, closes
[ -e "$db-wal" ] && ok "the WAL is still there after another process closed the database" ||
	bad "the WAL was deleted under the running collector"
send "$WORK/b.pcap"
sleep 2.5
# while the collector runs, its later flushes must be visible to others (with the WAL
# deleted they went to a file nobody else could see, and a crash lost them)
mid=$(sqlite3 "$db" "SELECT coalesce(sum(packets), 0) FROM flows WHERE dport = 123")
[ "$mid" = 4 ] && ok "while it runs, another process sees the 4 packets flushed after its visit" ||
	bad "while it runs, another process sees $mid of the 4 packets flushed after its visit"
ns_collect_stop
for want in 53:3 123:4; do
	port=${want%%:*} n=${want##*:}
	got=$(sqlite3 "$db" "SELECT coalesce(sum(packets), 0) FROM flows WHERE dport = $port")
	[ "$got" = "$n" ] && ok "port $port: $got packets stored" || bad "port $port: $got stored, $n sent"
done
exit $fail
