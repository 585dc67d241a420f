#!/bin/bash
# Command-line contract of report, export and prune: bad usage exits 2 quoting the bad
# value; a database that cannot be reported on exits 1 with a message that names it and
# says what to do (missing, empty, not SQLite, foreign, newer, older schema); an empty
# database and a day without data give a report that says so (exit 0), never a crash.
set -uo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
. "$(dirname "$0")/expect.sh"

python3 "$SRCDIR/tests/tools/gen_truth.py" --out "$work/gen" --packets 2000 >/dev/null
"$SPOOFAUDIT" collect -q --db "$work/ok.db" -r "$work/gen/eth.pcap" --iface-name eth --host-addr 45.33.1.10
S="$SPOOFAUDIT"
D=(--db "$work/ok.db")

# usage
expect "top help lists report" 0 "report +Report" -- "$S" --help
expect "report help" 0 "--format FMT" -- "$S" report --help
expect "export help" 0 "-w, --write FILE" -- "$S" export --help
expect "prune help" 0 "--keep DAYS" -- "$S" prune --help
expect "bad day" 2 "\`2026-02-30'" -- "$S" report "${D[@]}" --day 2026-02-30
expect "bad day word" 2 "\`tomorrow'" -- "$S" report "${D[@]}" --day tomorrow
expect "bad format" 2 "\`xml'" -- "$S" report "${D[@]}" --format xml
expect "bad table" 2 "unknown table \`frobs'" -- "$S" report "${D[@]}" -f csv --table frobs
expect "table without csv" 2 "\`totals' applies to --format csv" -- "$S" report "${D[@]}" --table totals
expect "bad since" 2 "\`2026-13-01'" -- "$S" report "${D[@]}" --since 2026-13-01
expect "bad time" 2 "\`2026-09-21T25:00'" -- "$S" report "${D[@]}" --since 2026-09-21T25:00
expect "until before since" 2 "is not after" -- "$S" report "${D[@]}" --since 2026-09-21 --until 2026-09-20
expect "until alone" 2 "needs --since" -- "$S" report "${D[@]}" --until 2026-09-21
expect "day and since" 2 "exclude each other" -- "$S" report "${D[@]}" --day today --since 2026-09-21
expect "bad top" 2 "\`0'" -- "$S" report "${D[@]}" --top 0
expect "bad iface" 2 "\`a/b'" -- "$S" report "${D[@]}" -i a/b
expect "stray arg" 2 "unexpected argument \`extra'" -- "$S" report "${D[@]}" extra
expect "export no -w" 2 "-w FILE is required" -- "$S" export "${D[@]}" --day today
expect "export no day" 2 "--day DAY or --since" -- "$S" export "${D[@]}" -w "$work/x.pcap"
expect "export bad class" 2 "\`normal'" -- "$S" export "${D[@]}" --day today --class normal -w "$work/x.pcap"
expect "export bad src" 2 "\`10.0.0.0/40'" -- "$S" export "${D[@]}" --day today --src 10.0.0.0/40 -w "$work/x.pcap"
expect "prune no keep" 2 "--keep DAYS is required" -- "$S" prune "${D[@]}"
expect "prune bad keep" 2 "\`-1'" -- "$S" prune "${D[@]}" --keep -1
expect "prune bad batch" 2 "\`5'" -- "$S" prune "${D[@]}" --keep 3 --batch 5

# databases that cannot be reported on
expect "missing db" 1 "none.db: No such file" -- "$S" report --db "$work/none.db" --day 2026-09-21
: > "$work/zero.db"
expect "zero-byte db" 1 "zero.db: empty file: no spoofaudit data yet" -- "$S" report --db "$work/zero.db" --day 2026-09-21
printf 'SQLite format 3\0junkjunkjunk' > "$work/junk.db"
expect "not sqlite" 1 "junk.db" -- "$S" report --db "$work/junk.db" --day 2026-09-21
printf 'hello, not a database at all, just some text in a file\n%.0s' {1..40} > "$work/text.db"
expect "text file" 1 "text.db: not an SQLite database" -- "$S" report --db "$work/text.db" --day 2026-09-21
sqlite3 "$work/other.db" "CREATE TABLE t(x); INSERT INTO t VALUES(1);"
expect "foreign db" 1 "other.db: an SQLite database, but not a spoofaudit one" -- "$S" report --db "$work/other.db" --day 2026-09-21
expect "foreign db export" 1 "not a spoofaudit one" -- "$S" export --db "$work/other.db" --day 2026-09-21 -w "$work/x.pcap"
expect "foreign db prune" 1 "not a spoofaudit one" -- "$S" prune --db "$work/other.db" --keep 3
cp "$work/ok.db" "$work/newer.db"
sqlite3 "$work/newer.db" "PRAGMA user_version = 999"
expect "newer schema" 1 "newer than this spoofaudit knows" -- "$S" report --db "$work/newer.db" --day 2026-09-21
# an older schema: migration 1 only, as an older spoofaudit left it
sqlite3 "$work/old.db" < "$SRCDIR/schema/001_init.sql"
sqlite3 "$work/old.db" "PRAGMA user_version = 1; INSERT INTO migrations VALUES (1, '001_init.sql', 0);
  INSERT INTO flows VALUES (1, 1789948800, 'eth0', 'in', 4, '127.0.0.1', '45.33.1.10',
    x'00000000000000000000ffff7f000001', x'00000000000000000000ffff2d21010a', 6, 1234, 22,
    'spoof_loopback_src', 'loopback', 7, 420, 1789948800000000, 1789948801000000, 64, 64, 2, 1);"
expect "older schema refused" 1 "schema version 1 is older.*--migrate" -- "$S" report --db "$work/old.db" --day 2026-09-21 --utc
expect "older schema unchanged" 0 "^1$" -- sqlite3 "$work/old.db" "PRAGMA user_version"
expect "older schema migrated" 0 "spoof_loopback_src +7" -- "$S" report --db "$work/old.db" --day 2026-09-21 --utc --migrate
expect "migrated version" 0 "^([2-9]|[1-9][0-9])$" -- sqlite3 "$work/old.db" "PRAGMA user_version"

# empty spoofaudit database and a day without data: a report that says so
"$S" prune --db "$work/ok.db" --keep 3 --dry-run > /dev/null	# (read-only)
"$S" collect -q --db "$work/empty.db" -r "$work/gen/null.pcap" --count 1 --iface-name lo0 >/dev/null 2>&1
sqlite3 "$work/empty.db" "DELETE FROM flows; DELETE FROM flows_hourly; DELETE FROM runs;"
expect "empty spoofaudit db" 0 "holds no flows yet" -- "$S" report --db "$work/empty.db" --day 2026-09-21 --utc
expect "empty db json" 0 "\"packets\": 0" -- "$S" report --db "$work/empty.db" --day 2026-09-21 --utc -f json
# (the text report wraps this paragraph at 80 columns: joined again before the match)
expect "no-data day" 0 "No flows were recorded in this period; the database holds flows from 2026-09-21" -- \
	bash -c '"$0" "$@" | tr -s "\n " "  "' "$S" report "${D[@]}" --day 2026-09-25 --utc
expect "no-data day stderr" 0 "note: no flows recorded in this period" -- "$S" report "${D[@]}" --day 2026-09-25 --utc -f json -o "$work/nd.json"
expect "no-data day html" 0 "No flows were recorded" -- "$S" report "${D[@]}" --day 2026-09-25 --utc -f html
expect "no-data export" 0 "0 packets .*no evidence packet matched" -- "$S" export "${D[@]}" --day 2026-09-25 --utc -w "$work/nd.pcap"
expect "empty pcap readable" 0 "reading from file" -- tcpdump -r "$work/nd.pcap"
expect "report writes -o {day}" 0 "" -- "$S" report "${D[@]}" --day 2026-09-21 --utc -o "$work/r-{day}.txt"
expect "-o file exists" 0 "Totals by class" -- cat "$work/r-2026-09-21.txt"
expect "text report" 0 "Totals" -- "$S" report "${D[@]}" --day 2026-09-21 --utc

# -o: an existing file is refused unless --force; the mode follows the umask; a FIFO is
# written through, not replaced
echo old > "$work/exists.txt"
expect "-o existing refused" 1 "exists.*--force" -- "$S" report "${D[@]}" --day 2026-09-21 --utc -o "$work/exists.txt"
expect "existing report untouched" 0 "^old$" -- cat "$work/exists.txt"
expect "-o --force replaces" 0 "" -- "$S" report "${D[@]}" --day 2026-09-21 --utc --force -o "$work/exists.txt"
expect "--force wrote the report" 0 "Totals by class" -- cat "$work/exists.txt"
for um in 022 077 027; do
	want=$(printf '%o' $((8#666 & ~8#$um)))
	expect "-o mode under umask $um" 0 "^$want$" -- bash -c "umask $um && rm -f '$work/m.txt' &&
		'$S' report --db '$work/ok.db' --day 2026-09-21 --utc -o '$work/m.txt' && stat -c %a '$work/m.txt'"
done
mkfifo "$work/fifo"
timeout 20 cat "$work/fifo" > "$work/fifo.out" &
reader=$!
expect "-o FIFO" 0 "" -- timeout 20 "$S" report "${D[@]}" --day 2026-09-21 --utc -o "$work/fifo"
wait $reader
expect "-o FIFO is still a FIFO" 0 "" -- test -p "$work/fifo"
expect "-o FIFO carried the report" 0 "Totals by class" -- cat "$work/fifo.out"
expect_done
