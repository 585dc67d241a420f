#!/bin/bash
# Foreign databases (issue 14, item 6): a real database changed with the sqlite3 CLI so
# that `runs' or `violations' is a recursive view with INSTEAD OF triggers, `evidence' a
# view on randomblob(), or a DELETE trigger rewrites meta. Every command that reads a database
# (report, check, export, prune) must refuse each one fast (within 5 s; a command still
# running after 20 s is stopped and counts as a failure), exit non-zero, and name the
# foreign object; the file must be left as it was (no trigger ran).
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TZ=UTC
S=$SPOOFAUDIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

python3 "$SRCDIR/tests/tools/gen_truth.py" --out "$work/gen" --packets 600 --seed 3 >/dev/null
"$S" collect -q --db "$work/real.db" -r "$work/gen/eth.pcap" --iface-name eth
printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n' \
	> "$work/rules"
day=2026-09-21
# violations as an endless view (every column of the table, from a recursive CTE) with a
# DELETE trigger that rewrites meta: readers only read it, so before the schema check
# report, check --violations and prune --dry-run ran until killed
vcols=$(sqlite3 "$work/real.db" "SELECT group_concat(name, ', ') FROM pragma_table_info('violations')")
vvals=$(sqlite3 "$work/real.db" "SELECT group_concat(CASE WHEN type LIKE 'INT%' THEN 'x'
	ELSE '''v''' END, ', ') FROM pragma_table_info('violations')")

# name|object the message must name|SQL that makes the database hostile
cases=(
"recursive-runs|view \`runs'|PRAGMA foreign_keys=OFF; DROP TABLE runs;
 CREATE VIEW runs(id, host, version, cmdline, started_usec, ended_usec, bucket_seconds) AS
 WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)
 SELECT x, 'h', 'v', '', 0, NULL, 60 FROM c;
 CREATE TRIGGER runs_ins INSTEAD OF INSERT ON runs BEGIN SELECT 1; END;
 CREATE TRIGGER runs_upd INSTEAD OF UPDATE ON runs BEGIN SELECT 1; END;
 CREATE TRIGGER runs_del INSTEAD OF DELETE ON runs BEGIN SELECT 1; END;"
"random-evidence|view \`evidence'|PRAGMA foreign_keys=OFF; DROP TABLE evidence;
 CREATE VIEW evidence(id, flow_id, ts_usec, linktype, wirelen, caplen, data) AS
 WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)
 SELECT x, (SELECT min(id) FROM flows), 1789948800000000 + x, 1, 65535, 65535,
 randomblob(65535) FROM c;"
"recursive-violations|view \`violations'|PRAGMA foreign_keys=OFF; DROP TABLE violations;
 CREATE VIEW violations($vcols) AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)
 SELECT $vvals FROM c;
 CREATE TRIGGER v_del INSTEAD OF DELETE ON violations BEGIN UPDATE meta SET value = 'rewritten'; END;"
"meta-trigger|trigger \`meta_rw'|CREATE TRIGGER meta_rw AFTER DELETE ON flows
 BEGIN UPDATE meta SET value = 'rewritten'; END;"
)
# command name|arguments after --db FILE
cmds=(
"report|--day $day --utc -f json -o $work/out.json"
"check|--ruleset $work/rules --day $day"
"check-violations|--violations"
"export|--day $day -w $work/out.pcapng"
"prune-dry|--keep 1 --dry-run"
"prune|--keep 1"
)
for c in "${cases[@]}"; do
	name=${c%%|*}; rest=${c#*|}; obj=${rest%%|*}; sql=${rest#*|}
	db="$work/$name.db"
	cp "$work/real.db" "$db"
	sqlite3 "$db" "$sql"
	sum=$(sqlite3 "$db" "SELECT group_concat(key || '=' || value) FROM meta")
	for k in "${cmds[@]}"; do
		cname=${k%%|*}; args=${k#*|}
		cmd=${cname%%-*}
		t0=$(date +%s%N)
		rc=0
		# shellcheck disable=SC2086
		timeout 20 "$S" "$cmd" --db "$db" $args > "$work/stdout" 2> "$work/err" || rc=$?
		ms=$(( ($(date +%s%N) - t0) / 1000000 ))
		if [ "$rc" = 0 ]; then
			bad "$name: $cname accepted the database"
		elif [ "$rc" = 124 ]; then
			bad "$name: $cname still running after 20 s"
		elif ! grep -qF "$obj" "$work/err" || ! grep -q "not a spoofaudit one" "$work/err"; then
			bad "$name: $cname: exit $rc without naming $obj: $(head -c 300 "$work/err")"
		elif [ "$ms" -gt 5000 ]; then
			bad "$name: $cname took $ms ms to refuse"
		else
			ok "$name: $cname refused in $ms ms: $(head -1 "$work/err")"
		fi
	done
	[ "$(sqlite3 "$db" "SELECT group_concat(key || '=' || value) FROM meta")" = "$sum" ] &&
		ok "$name: meta unchanged" || bad "$name: meta was rewritten"
done
# The untouched copy is still read by every command (the refusals are not blanket ones).
for k in "${cmds[@]}"; do
	cname=${k%%|*}; args=${k#*|}; cmd=${cname%%-*}
	cp "$work/real.db" "$work/ok.db"
	# shellcheck disable=SC2086
	if "$S" "$cmd" --db "$work/ok.db" $args > /dev/null 2> "$work/err"; then
		ok "real database: $cname reads it"
	else
		bad "real database: $cname failed: $(head -c 300 "$work/err")"
	fi
done
exit $fail
