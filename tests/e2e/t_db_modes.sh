#!/bin/bash
# File modes (issue 14, item 15): under a permissive umask (022) the database collect
# creates is 0640, not 0644, since it holds raw packets (export writes 0640 too); under
# a stricter umask (077) it is 0600. (tests/unit/test_store.c row 17 checks the -wal and
# -shm of an open database, which SQLite removes when the collector closes it.)
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
S=$SPOOFAUDIT
fail=0
python3 "$SRCDIR/tests/tools/gen_truth.py" --out "$work/gen" --packets 300 --seed 6 >/dev/null
for u in 022:640 077:600 002:640; do
	mask=${u%%:*} want=${u#*:}
	db="$work/m$mask.db"
	(umask "$mask"; "$S" collect -q --db "$db" -r "$work/gen/eth.pcap" --iface-name eth)
	for f in "$db" "$db-wal" "$db-shm"; do
		[ -e "$f" ] || continue
		got=$(stat -c %a "$f")
		if [ "$got" = "$want" ]; then
			echo "ok: umask $mask: $(basename "$f") is $got"
		else
			echo "FAIL: umask $mask: $(basename "$f") is $got, want $want"; fail=1
		fi
	done
	[ "$(sqlite3 "$db" 'SELECT count(*) > 0 FROM flows')" = 1 ] || { echo "FAIL: nothing recorded"; fail=1; }
done
exit $fail
