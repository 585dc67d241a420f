#!/bin/bash
# Command-line contract: --help and --version exit 0 and print what they should; bad usage
# exits 2 and quotes the bad value; a runtime failure (unreadable file, foreign database)
# exits 1 with the file named.
set -uo pipefail
: "${SPOOFAUDIT:?}"
. "$(dirname "$0")/expect.sh"

expect "top help" 0 "collect +Capture" -- "$SPOOFAUDIT" --help
expect "version" 0 "^spoofaudit [0-9]+\.[0-9]+\.[0-9]+$" -- "$SPOOFAUDIT" --version
expect "no args" 2 "Usage:" -- "$SPOOFAUDIT"
expect "unknown subcommand" 2 "unknown subcommand \`frobnicate'" -- "$SPOOFAUDIT" frobnicate
expect "collect help" 0 "--role IFACE=ROLE" -- "$SPOOFAUDIT" collect --help
expect "bad duration" 2 "\`-5'" -- "$SPOOFAUDIT" collect --duration -5
expect "bad count" 2 "\`12x'" -- "$SPOOFAUDIT" collect --count 12x
expect "bad snaplen" 2 "\`10'" -- "$SPOOFAUDIT" collect -s 10
expect "bad role" 2 "\`eth0=dmz'" -- "$SPOOFAUDIT" collect --role eth0=dmz
expect "bad role prefix" 2 "\`eth0=internal:10.0.0.0/33'" -- "$SPOOFAUDIT" collect --role eth0=internal:10.0.0.0/33
expect "prefixes on external" 2 "\`eth0=external:10.0.0.0/8'" -- "$SPOOFAUDIT" collect --role eth0=external:10.0.0.0/8
expect "bad host-addr" 2 "\`10.0.0.0/8'" -- "$SPOOFAUDIT" collect --host-addr 10.0.0.0/8
expect "bad bucket" 2 "\`0'" -- "$SPOOFAUDIT" collect --bucket 0
expect "bad filter" 2 "bad filter \`tcp port'" -- "$SPOOFAUDIT" collect -f "tcp port"
expect "unknown option" 2 "unrecognized option" -- "$SPOOFAUDIT" collect --frobnicate
expect "stray argument" 2 "unexpected argument \`extra'" -- "$SPOOFAUDIT" collect -r x.pcap extra
expect "missing file" 1 "$work/none.pcap" -- "$SPOOFAUDIT" collect -q --db "$work/a.db" -r "$work/none.pcap"
printf 'not a capture at all\n' > "$work/junk.pcap"
expect "junk file" 1 "junk.pcap" -- "$SPOOFAUDIT" collect -q --db "$work/b.db" -r "$work/junk.pcap"
printf 'SQLite format 3\0junkjunkjunk' > "$work/foreign.db"
sqlite3 "$work/other.db" "CREATE TABLE t(x); INSERT INTO t VALUES(1);"
python3 "${SRCDIR:?}/tests/tools/gen_truth.py" --out "$work/gen" --packets 200 >/dev/null
expect "foreign sqlite db" 1 "other.db" -- "$SPOOFAUDIT" collect -q --db "$work/other.db" -r "$work/gen/eth.pcap"
expect "not a database" 1 "foreign.db" -- "$SPOOFAUDIT" collect -q --db "$work/foreign.db" -r "$work/gen/eth.pcap"
expect "file run ok" 0 "packets" -- "$SPOOFAUDIT" collect --db "$work/ok.db" -r "$work/gen/eth.pcap"
# A file name that carries terminal escapes is quoted escaped in the error (issue 14, 8):
# the message names it with \x1b and \x07, and no raw ESC or BEL reaches the terminal.
esc_name="$work/x"$'\e]0;pwned\a\e[2J'".pcap"
expect "escaped file name" 1 'x\\x1b\]0;pwned\\x07\\x1b\[2J\.pcap' -- \
	"$SPOOFAUDIT" collect -q --db "$work/c.db" -r "$esc_name"
if grep -q $'[\e\a]' "$work/out"; then
	failn=$((failn + 1)); echo "FAIL: a raw ESC or BEL reached the terminal"
else
	pass=$((pass + 1))
fi
expect_done
