#!/bin/bash
# An nftables ruleset given to `check --ruleset` (native syntax as /etc/nftables.conf has
# it, or `nft -j list ruleset` JSON) gets file:line:col and a message saying what it is
# and what this version reads, exit 1; never `rule outside a table` alone (issue 10).
# iptables-save text with an error keeps its own message.
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
try() {	# try FILE WANT_REGEX
	local rc=0
	"$SPOOFAUDIT" check --ruleset "$1" --db "$work/t.db" > "$work/out" 2> "$work/err" || rc=$?
	if [ "$rc" = 1 ] && grep -qE -- "$2" "$work/err"; then
		ok "$(basename "$1"): exit 1, $(head -c 90 "$work/err")..."
	else
		bad "$(basename "$1"): exit $rc: $(cat "$work/err")"
	fi
}
try "$work/nftables.conf" "^$work/nftables.conf:3:1: this is an nftables ruleset \(nft's native syntax"
try "$work/nft.json" "^$work/nft.json:1:1: this is an nftables ruleset \(nft's JSON"
try "$work/bad.rules" "^$work/bad.rules:3:1: expected"
exit $fail
