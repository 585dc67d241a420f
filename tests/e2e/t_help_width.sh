#!/bin/bash
# Issue 15, acceptance 4: no --help line is wider than 80 columns (wc -L), for
# `spoofaudit --help` and every subcommand's --help. The subcommands are the ones the
# top-level help lists (so a new one is checked too) and the five the issue names.
set -uo pipefail
: "${SPOOFAUDIT:?}"
. "$(dirname "$0")/expect.sh"

max=80	# the issue's number
"$SPOOFAUDIT" --help > "$work/top.txt" 2>&1 || { echo "FAIL: spoofaudit --help"; exit 1; }
cmds=$( (sed -n '/^Subcommands:/,/^$/p' "$work/top.txt" | awk 'NR > 1 && NF { print $1 }';
	printf '%s\n' collect check report export prune) | sort -u)
check_width() {	# NAME FILE
	local w
	w=$(wc -L < "$2")
	if [ "$w" -le "$max" ]; then
		pass=$((pass + 1))
	else
		failn=$((failn + 1))
		echo "FAIL: $1: $w columns (at most $max):"
		awk -v m="$max" 'length($0) > m { print "    " $0 }' "$2"
	fi
}
check_width "spoofaudit --help" "$work/top.txt"
for c in $cmds; do
	if ! "$SPOOFAUDIT" "$c" --help > "$work/$c.txt" 2>&1; then
		failn=$((failn + 1))
		echo "FAIL: spoofaudit $c --help exits non-zero"
		continue
	fi
	[ -s "$work/$c.txt" ] || { failn=$((failn + 1)); echo "FAIL: $c --help is empty"; continue; }
	check_width "spoofaudit $c --help" "$work/$c.txt"
done
expect_done
