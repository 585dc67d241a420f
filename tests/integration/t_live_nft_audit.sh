#!/bin/bash
# The live audit (collect --policy) on nftables hosts (issue 10, acceptance 3): it reads
# what the kernel really runs and compares it with the intended policy.
#   1. nftables only. Intended: an nft file. Live: the same with `udp dport 5555 drop'
#      added and the blk9999 log rule made to drop as well. The audit names both rule
#      changes (ruleset_differs, with nft's own text of each rule), reports the 5555 flow
#      the live ruleset drops and the intended policy accepts (live_differs), and the
#      9999 flow logged by an NFLOG prefix whose live rule drops it (live_nflog_drop); the
#      seen7777 prefix only logs. The kernel's rule counters say what was really dropped.
#      Then SIGHUP: native syntax can no longer be loaded (sandbox), nft JSON can.
#   2. iptables-nft only. Intended: an iptables-save file equal to the live rules: the
#      audit reads the iptables-nft text and finds it equal.
#   3. Both: the same iptables-nft rules and a native table dropping udp 5555. The live
#      ruleset is nftables' whole ruleset; the intended iptables file is not paired rule by
#      rule (the audit says so, no ruleset_differs), and the 5555 flow is live_differs by
#      its verdict. The kernel's counter on the native rule is the oracle of the drop.
# Root only (exit 77 otherwise).
set -euo pipefail
. "${SRCDIR:?}/tests/integration/live_policy.sh"
ns_test_start lna nft iptables-restore
X="ip netns exec $NS_A"

# send PORT...: 5 UDP datagrams to each port from the other namespace, real sockets
send() {
	ip netns exec "$NS_B" python3 - "$@" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5):
    for p in sys.argv[1:]:
        s.sendto(b"hello", ("45.33.1.10", int(p)))
    time.sleep(0.05)
PY
}

# counter FAMILY TABLE CHAIN PORT: packets the kernel counted on the rule matching dport PORT
counter() {
	$X nft -j list chain "$1" "$2" "$3" | python3 -c '
import json, sys
port = int(sys.argv[1])
for o in json.load(sys.stdin)["nftables"]:
    r = o.get("rule")
    if not r:
        continue
    m = [e for e in r["expr"] if "match" in e and e["match"].get("right") == port]
    c = [e["counter"]["packets"] for e in r["expr"] if "counter" in e]
    if m and c:
        print(c[0]); break
else:
    print(-1)' "$4"
}

nft_rules() {	# $1: 1 for the live version
	cat <<NFT
flush ruleset
table inet guard {
	chain pre {
		type filter hook prerouting priority -300; policy accept;
		iifname "a0" udp dport 9999 counter log prefix "blk9999" group 7$([ "$1" = 1 ] && echo " drop")
		iifname "a0" udp dport 7777 counter log prefix "seen7777" group 7
	}
	chain input {
		type filter hook input priority filter; policy accept;
		iifname "a0" ip saddr 127.0.0.0/8 counter drop
$([ "$1" = 1 ] && echo "		udp dport 5555 counter drop")
	}
}
NFT
}

live_neigh
# ---- 1. nftables only ----
nft_rules 0 > "$WORK/intended.nft"
nft_rules 1 > "$WORK/live.nft"
$X nft -f "$WORK/live.nft"
live_start --policy "$WORK/intended.nft" --nflog 7
send 5555 9999 7777
sleep 2
# SIGHUP with the live ruleset in native syntax as the intended file: the sandboxed
# collector can no longer load native syntax (a private namespace): a clear error, the old
# policy stays. Then the same ruleset as nft's JSON (read without privileges): reloaded,
# 2 changes, and now equal to the live ruleset.
cp "$WORK/live.nft" "$WORK/intended.nft"
kill -HUP "$LIVE_PID"
sleep 1.5
$X nft -j list ruleset > "$WORK/intended.nft"
kill -HUP "$LIVE_PID"
sleep 2
live_stop
cat "$WORK/collect.err"
grep -q 'SIGHUP: policy not reloaded, the old one stays: .*intended.nft: nft native syntax is loaded in a private network namespace, which this process may no longer create' \
	"$WORK/collect.err" && ok "nft only: SIGHUP with native syntax: says why it cannot, keeps the policy" ||
	bad "nft only: SIGHUP with native syntax: no clear error"
grep -q '"message":"reloaded the intended IPv4 policy [^"]*intended.nft: 2 changes"' "$WORK/alerts" &&
	grep -q '"message":"the live IPv4 ruleset equals the intended policy"' "$WORK/alerts" &&
	ok "nft only: SIGHUP with nft JSON: reloaded (2 changes), now equal to the live ruleset" ||
	bad "nft only: no reload line, or not equal after it"
grep -o '"message":"read the live IPv4 ruleset[^"]*"' "$WORK/alerts" | head -2
grep -q '"message":"read the live IPv4 ruleset (4 rules; nftables: inet guard (4 rules))"' \
	"$WORK/alerts" && ok "nft only: the audit reads nftables' live ruleset, named" ||
	bad "nft only: no 'read the live IPv4 ruleset (4 rules; nftables: inet guard (4 rules))'"
live_expect ruleset_differs ': IPv4 inet guard input: rule added in the live ruleset: `udp dport 5555 counter drop' \
	= 1 "nft only: the added rule, with nft's text of it" "nft only: added rule"
live_expect ruleset_differs ': IPv4 inet guard pre: rule changed: intended `iifname "a0" udp dport 9999 counter log prefix "blk9999" group 7., live ruleset `iifname "a0" udp dport 9999 counter log prefix "blk9999" group 7 drop' \
	= 1 "nft only: the changed log rule, both texts" "nft only: changed rule"
live_expect ruleset_differs ': IPv4 ' = 2 "nft only: no other IPv4 rule difference" "nft only: IPv4 differences"
k5555=$(counter inet guard input 5555)
k9999=$(counter inet guard pre 9999)
k7777=$(counter inet guard pre 7777)
echo "kernel counters: udp 5555 drop $k5555, blk9999 log+drop $k9999, seen7777 log $k7777"
[ "$k5555" = 5 ] && [ "$k9999" = 5 ] && [ "$k7777" = 5 ] ||
	bad "the kernel did not see the 5 packets of each flow: $k5555 $k9999 $k7777"
live_expect live_differs 'a0 in udp 45\.33\.1\.20:[0-9]+ -> 45\.33\.1\.10:5555.*intended: ACCEPT.*live: DROP by inet guard input handle [0-9]+' \
	-ge 1 "nft only: the 5555 flow the kernel dropped ($k5555 packets) is live_differs" "nft only: 5555"
live_expect live_nflog_drop 'a0 in udp 45\.33\.1\.20:[0-9]+ -> 45\.33\.1\.10:9999 .*prefix `blk9999.*inet guard pre handle [0-9]+ logs with it and drops' \
	= 1 "nft only: blk9999, logged by a rule that drops ($k9999 packets): live_nflog_drop" "nft only: blk9999"
live_expect live_nflog_drop 'seen7777' = 0 "nft only: seen7777 only logs: no violation" "nft only: seen7777"
live_expect ruleset_differs ': IPv6 inet guard input: rule added' = 1 \
	"nft only: the inet table's added rule is an IPv6 difference too" "nft only: IPv6"

# ---- 2. iptables-nft only ----
$X nft flush ruleset
live_same_policy ACCEPT ACCEPT '-A INPUT -p udp -m udp --dport 5555 -j ACCEPT'
rm -f "$LIVE_DB"
live_start --policy "$WORK/intended.rules"
sleep 1
live_stop
grep -q '"message":"read the live IPv4 ruleset (1 rule; iptables-nft (iptables-save))"' "$WORK/alerts" &&
	ok "iptables-nft only: the audit reads iptables-save's text" || bad "iptables-nft only: not read"
grep -q '"message":"the live IPv4 ruleset equals the intended policy"' "$WORK/alerts" &&
	ok "iptables-nft only: equal to the intended policy" || bad "iptables-nft only: not equal"
live_expect ruleset_differs '' = 0 "iptables-nft only: no ruleset_differs" "iptables-nft only"

# ---- 3. both ----
$X nft -f - <<'NFT'
table inet guard {
	chain input {
		type filter hook input priority filter - 1; policy accept;
		udp dport 5555 counter drop
	}
}
NFT
rm -f "$LIVE_DB"
live_start --policy "$WORK/intended.rules"
send 5555
sleep 2
live_stop
grep -q '"message":"read the live IPv4 ruleset (2 rules; nftables: ip filter (1 rule, iptables-nft), inet guard (1 rule))"' \
	"$WORK/alerts" && ok "both: the live ruleset is nftables' whole ruleset, both tables named" ||
	bad "both: tables not named"
grep -q 'the live IPv4 ruleset is nftables and the intended policy iptables: their rules are not paired' \
	"$WORK/alerts" && ok "both: says the rules are not paired across languages" || bad "both: no such line"
live_expect ruleset_differs '' = 0 "both: no rule is called missing across languages" "both: ruleset_differs"
k=$(counter inet guard input 5555)
echo "kernel counter: udp 5555 drop $k"
[ "$k" = 5 ] || bad "both: the kernel's counter is $k, not 5"
live_expect live_differs 'a0 in udp 45\.33\.1\.20:[0-9]+ -> 45\.33\.1\.10:5555.*intended: ACCEPT by filter INPUT #1.*live: DROP by inet guard input handle [0-9]+' \
	-ge 1 "both: the 5555 flow the kernel dropped ($k packets) is live_differs" "both: 5555"
exit $fail
