#!/bin/bash
# The whole collector over every capture of tcpdump's regression suite (830 files, many
# deliberately malformed): each run must end with exit 0, or exit 1 with an error that
# names the file (libpcap cannot read it); never a signal, never a sanitizer report (run
# under the ASan+UBSan build by .ci/run). Prints how many files were read or refused
# and what the collector counted: packets, IP, unsupported link types, malformed.
set -uo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
corpus="$SRCDIR/../shared/corpus/pcap-tcpdump"
if [ ! -d "$corpus" ]; then
	echo "SKIP: $corpus absent (a user's clone has no ../shared)"
	exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
read_ok=0 refused=0 bad=0
for f in "$corpus"/*.pcap "$corpus"/*.pcapng; do
	[ -f "$f" ] || continue
	db="$work/one.db"
	rm -f "$db" "$db-wal" "$db-shm"
	"$SPOOFAUDIT" collect -q --db "$db" -r "$f" > "$work/out" 2> "$work/err"
	rc=$?
	if grep -qE 'Sanitizer|runtime error:|LeakSanitizer' "$work/err"; then
		echo "FAIL: sanitizer report on $f:"; head -30 "$work/err"; bad=$((bad + 1)); continue
	fi
	case $rc in
	0)	read_ok=$((read_ok + 1))
		sqlite3 -csv "$db" "SELECT sum(received), sum(decoded_ip), sum(unsupported), sum(malformed)
		                    FROM capture_stats" >> "$work/stats" ;;
	1)	if grep -qF "$(basename "$f")" "$work/err"; then
			refused=$((refused + 1))
		else
			echo "FAIL: exit 1 without naming the file: $f"; cat "$work/err"; bad=$((bad + 1))
		fi ;;
	*)	echo "FAIL: exit $rc on $f"; tail -5 "$work/err"; bad=$((bad + 1)) ;;
	esac
done
awk -F, '{r += $1; ip += $2; u += $3; m += $4} END {
	printf "packets %d: IP %d, unsupported link type %d, malformed %d\n", r, ip, u, m }' "$work/stats"
echo "files read $read_ok, refused by libpcap with a clear error $refused, failures $bad"
echo "$((read_ok + refused)) passed, $bad failed"
[ "$bad" -eq 0 ]
