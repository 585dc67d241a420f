#!/bin/bash
# Symbolic links in place of the database (issue 14, item 1). The DB directory belongs to
# the collector user (as the README prescribes), so that user can replace s.db, s.db-wal
# or s.db-shm by a link to a root-owned file. A root start with --user nobody must then
# exit non-zero with a clear message, and the link's target must stay root-owned and
# untouched (not made an SQLite file, not handed to the user). A real database in the
# same directory is still handed over (owner nobody) and recorded into.
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (--user)"; exit 77; fi
id nobody >/dev/null 2>&1 || { echo "SKIP: no user nobody"; exit 77; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
chmod 755 "$WORK"
fail=0
python3 "$SRCDIR/tests/tools/gen_truth.py" --out "$WORK/gen" --packets 300 --seed 7 >/dev/null
chmod -R a+rX "$WORK/gen"
mkdir "$WORK/db"
chown nobody: "$WORK/db"
uid=$(id -u nobody)

# victim:target — an empty root file (an empty SQLite database to SQLite), a missing one
# (SQLite would create it), and links beside a real database in place of its -wal/-shm.
for vt in s.db:empty s.db:missing s.db-wal:empty s.db-shm:empty; do
	victim=${vt%%:*} target=${vt#*:}
	rm -f "$WORK"/db/* "$WORK"/rootfile*
	if [ "$target" = empty ]; then
		: > "$WORK/rootfile"
		chmod 600 "$WORK/rootfile"
	fi
	[ "$victim" = s.db ] || "$SPOOFAUDIT" collect -q --db "$WORK/db/s.db" -r "$WORK/gen/eth.pcap" \
		--iface-name eth --user root
	# the user plants the link (as the user, in the user's directory)
	su -s /bin/sh nobody -c "ln -sf '$WORK/rootfile' '$WORK/db/$victim'"
	rc=0
	"$SPOOFAUDIT" collect -q --db "$WORK/db/s.db" -r "$WORK/gen/eth.pcap" --iface-name eth \
		--user nobody 2> "$WORK/err" || rc=$?
	if [ "$rc" = 0 ]; then
		echo "FAIL: $victim as a link to a $target file: collect exit 0"; fail=1
	elif ! grep -q 'symbolic link' "$WORK/err"; then
		echo "FAIL: $victim as a link to a $target file: unclear message: $(cat "$WORK/err")"; fail=1
	else
		echo "ok: $victim as a link to a $target file refused: $(head -1 "$WORK/err")"
	fi
	if [ "$target" = missing ]; then
		[ -e "$WORK/rootfile" ] && { echo "FAIL: $victim: the link's target was created (owner $(stat -c %u "$WORK/rootfile"), $(stat -c %s "$WORK/rootfile") bytes)"; fail=1; }
	else
		owner=$(stat -c %u "$WORK/rootfile") size=$(stat -c %s "$WORK/rootfile")
		[ "$owner" = 0 ] || { echo "FAIL: $victim: the link's target now belongs to uid $owner"; fail=1; }
		[ "$size" = 0 ] || { echo "FAIL: $victim: the link's target was written ($size bytes: $(head -c 15 "$WORK/rootfile"))"; fail=1; }
	fi
	for f in "$WORK"/rootfile-*; do
		[ -e "$f" ] && { echo "FAIL: $victim: $f was created beside the target (owner $(stat -c %u "$f"))"; fail=1; }
	done
done

# A real database: handed to nobody through its descriptors, and recorded into.
rm -f "$WORK"/db/*
"$SPOOFAUDIT" collect -q --db "$WORK/db/s.db" -r "$WORK/gen/eth.pcap" --iface-name eth --user nobody
[ "$(stat -c %u "$WORK/db/s.db")" = "$uid" ] && echo "ok: a real database is handed to nobody" ||
	{ echo "FAIL: s.db owner $(stat -c %u "$WORK/db/s.db")"; fail=1; }
n=$(sqlite3 "$WORK/db/s.db" "SELECT count(*) FROM flows")
[ "$n" -gt 0 ] && echo "ok: $n flows recorded" || { echo "FAIL: nothing recorded"; fail=1; }
exit $fail
