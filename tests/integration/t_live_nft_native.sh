#!/bin/bash
# A host whose firewall is (also) native nftables (issue 10, "Live"): the live ruleset
# reader lists native tables with libnftables beside iptables-save's text.
#   native only (an inet table with rules, iptables empty): `check --against live`
#     evaluates nftables' ruleset and names it in its first lines (never an empty
#     iptables ruleset); the live audit (collect --policy) reads the same nftables
#     ruleset, says that its rules are not paired with the intended iptables policy's
#     (only verdicts are compared) and raises no ruleset_differs;
#   native beside iptables rules: `check --against live` evaluates nftables' whole
#     ruleset, which holds iptables-nft's table too, names both in its first lines and
#     in JSON "live", and warns of nothing.
# t_live_nft_host.sh checks the verdicts against the kernel's counters.
# The oracle is the ruleset the test loads with nft itself.
set -euo pipefail
. "${SRCDIR:?}/tests/integration/live_policy.sh"
ns_test_start lnf iptables-restore nft
X="ip netns exec $NS_A"
$X nft -f - <<'NFT'
table inet guard {
	chain input {
		type filter hook input priority filter; policy accept;
		iifname "a0" ip saddr 127.0.0.0/8 drop
		tcp dport 23 drop
	}
}
NFT
python3 "$SRCDIR/tests/tools/gen_frames.py" "$WORK/f.pcap" udp:45.33.1.20:4000:45.33.1.10:53:2
"$SPOOFAUDIT" collect -q -r "$WORK/f.pcap" --iface-name a0 --db "$WORK/t.db"
ns_filter_rules ACCEPT ACCEPT '-A INPUT -p udp --dport 53 -j ACCEPT' > "$WORK/new.rules"

$X "$SPOOFAUDIT" check --ruleset "$WORK/new.rules" --against live --db "$WORK/t.db" \
	> "$WORK/c1.txt" 2> "$WORK/c1.err"
head -5 "$WORK/c1.txt"
head -5 "$WORK/c1.txt" | grep -q '^live IPv4 ruleset: nftables: inet guard (2 rules)$' &&
	ok "native only: check --against live evaluates inet guard (2 rules) and names it" ||
	bad "native only: not named: $(cat "$WORK/c1.err")"

LIVE_DB="$WORK/live.db"
ns_filter_rules ACCEPT ACCEPT > "$WORK/intended.rules"
live_start --policy "$WORK/intended.rules"
sleep 2
live_stop
grep -q '"message":"read the live IPv4 ruleset (2 rules; nftables: inet guard (2 rules))"' \
	"$WORK/alerts" && ok "native only: the live audit reads nftables' ruleset (inet guard, 2 rules)" ||
	bad "native only: no such line in the alerts"
grep -q 'the live IPv4 ruleset is nftables and the intended policy iptables: their rules are not paired' \
	"$WORK/alerts" && ok "native only: iptables intent against nftables: verdicts compared, rules not paired" ||
	bad "native only: no 'not paired' line"
live_expect ruleset_differs '' = 0 "native only: no ruleset_differs against an empty ruleset" "ruleset_differs"

$X iptables -A INPUT -p tcp --dport 22 -j ACCEPT
$X "$SPOOFAUDIT" check --ruleset "$WORK/new.rules" --against live --db "$WORK/t.db" > "$WORK/c2.txt"
$X "$SPOOFAUDIT" check --ruleset "$WORK/new.rules" --against live --db "$WORK/t.db" \
	--format json > "$WORK/c2.json"
head -5 "$WORK/c2.txt"
head -5 "$WORK/c2.txt" | grep -q '^live IPv4 ruleset: nftables: inet guard (2 rules), ip filter (1 rule, iptables-nft)$' &&
	ok "beside iptables: the first lines name both tables" || bad "beside iptables: not named"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if not d["warnings"] and "inet guard (2 rules)" in d["live"]["ipv4"] and
         "ip filter (1 rule, iptables-nft)" in d["live"]["ipv4"] else 1)' "$WORK/c2.json" &&
	ok "beside iptables: JSON live names both, no warning" || bad "beside iptables: JSON live"
exit $fail
