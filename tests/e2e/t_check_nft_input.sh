#!/bin/bash
# An nftables ruleset given to `check --ruleset` (native syntax as /etc/nftables.conf has
# it, or `nft -j list ruleset` JSON) is read as nftables, never as iptables-save text
# (`rule outside a table`, issue 10): JSON always, native syntax as root (loaded in a
# private namespace), and without root a message saying how to make the JSON. An error
# in native syntax is nft's, at file:line. iptables-save text with an error keeps its own
# message.
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

python3 "$SRCDIR/tests/tools/gen_frames.py" "$work/f.pcap" udp:45.33.1.20:4000:45.33.1.10:53:1
"$SPOOFAUDIT" collect -q -r "$work/f.pcap" --iface-name eth0 --db "$work/t.db"
printf '#!/usr/sbin/nft -f\n\nflush ruleset\n\ntable inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t}\n}\n' > "$work/nftables.conf"
printf '{"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}}]}\n' > "$work/nft.json"
printf '*filter\n:INPUT ACCEPT [0:0]\nbogus\nCOMMIT\n' > "$work/bad.rules"
printf 'table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter;\n\t\tbogus thing\n\t}\n}\n' > "$work/bad.nft"
try() {	# try FILE WANT_REGEX
	local rc=0
	"$SPOOFAUDIT" check --ruleset "$1" --db "$work/t.db" > "$work/out" 2> "$work/err" || rc=$?
	if [ "$rc" = 1 ] && grep -qE -- "$2" "$work/err"; then
		ok "$(basename "$1"): exit 1, $(head -c 90 "$work/err")..."
	else
		bad "$(basename "$1"): exit $rc: $(cat "$work/err")"
	fi
}
read_ok() {	# read_ok FILE: exit 0, the one flow evaluated (policy drop: DROP by it, or
		# no verdict at all for the empty JSON ruleset: ACCEPT, nothing decided)
	local rc=0
	"$SPOOFAUDIT" check --ruleset "$1" --db "$work/t.db" > "$work/out" 2> "$work/err" || rc=$?
	if [ "$rc" = 0 ] && grep -q "^spoofaudit check: $1" "$work/out" &&
	   ! grep -q "outside a table" "$work/out" "$work/err"; then
		ok "$(basename "$1"): read as nftables, exit 0"
	else
		bad "$(basename "$1"): exit $rc: $(cat "$work/err") $(head -5 "$work/out")"
	fi
}
read_ok "$work/nft.json"
try "$work/bad.rules" "^$work/bad.rules:3:1: expected"
if [ "$(id -u)" = 0 ]; then
	read_ok "$work/nftables.conf"
	try "$work/bad.nft" "^$work/bad.nft:4:1: Error"
else
	try "$work/nftables.conf" "needs root; run .nft -j list ruleset"
fi
exit $fail
