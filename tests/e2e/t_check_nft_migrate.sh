#!/bin/bash
# Issue 10 acceptance 2, the migration case: an iptables ruleset and the nftables ruleset
# `iptables-restore-translate` makes of it, checked on the same recorded traffic, give the
# same verdict for every flow: `check --ruleset NFT --against IPTABLES` finds no verdict
# change. Oracles: the translation is iptables' own (not this tool's), the iptables
# evaluator is the other side, and each flow's verdict under the nft ruleset is derived by
# hand below. A negative control (the translation without its ssh rule) must show the ssh
# flow newly blocked, so an empty diff is not a diff that cannot see anything.
# Native nft syntax is loaded in a private network namespace: root only (exit 77 else).
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
if [ "$(id -u)" != 0 ]; then
	echo "skip: reading nft's native syntax needs root (a private network namespace)"
	exit 77
fi
command -v iptables-restore-translate > /dev/null || {
	echo "skip: iptables-restore-translate not installed (Debian package iptables)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A stateful host firewall: loopback accepted, loopback sources from elsewhere dropped,
# established accepted, invalid dropped, ssh, ping, DNS from 10/8, log, reject TCP.
cat > "$work/host.rules" <<'RULES'
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -s 127.0.0.0/8 ! -i lo -j DROP
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -m conntrack --ctstate INVALID -j DROP
-A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT
-A INPUT -p icmp --icmp-type echo-request -j ACCEPT
-A INPUT -s 10.0.0.0/8 -p udp --dport 53 -j ACCEPT
-A INPUT -j LOG --log-prefix "in-drop: "
-A INPUT -p tcp -j REJECT --reject-with tcp-reset
COMMIT
RULES
iptables-restore-translate -f "$work/host.rules" > "$work/host.nft"
grep -q '^add rule ip filter INPUT tcp dport 22' "$work/host.nft"
grep -v 'dport 22' "$work/host.nft" > "$work/nossh.nft"	# the negative control

# Traffic on eth0 (external) and lo, host 45.33.1.10 (gen_frames.py: proto:src:sport:dst:dport:count).
python3 "$SRCDIR/tests/tools/gen_frames.py" "$work/e.pcap" \
	syn:203.0.113.5:40000:45.33.1.10:22:3 syn:203.0.113.5:40001:45.33.1.10:80:2 \
	udp:10.1.2.3:5353:45.33.1.10:53:4 udp:198.51.100.9:5353:45.33.1.10:53:5 \
	udp:127.0.0.1:5353:45.33.1.10:53:6
python3 "$SRCDIR/tests/tools/gen_frames.py" "$work/l.pcap" \
	udp:127.0.0.1:6000:127.0.0.1:53:7 syn:127.0.0.1:6001:127.0.0.1:8080:2
"$SPOOFAUDIT" collect -q -r "$work/e.pcap" --iface-name eth0 --role eth0=external \
	--host-addr 45.33.1.10 --db "$work/m.db"
"$SPOOFAUDIT" collect -q -r "$work/l.pcap" --iface-name lo --role lo=loopback \
	--host-addr 45.33.1.10 --db "$work/m.db"
K=(--rp-filter 0 --route-localnet 0 --accept-local 0 --format json)
"$SPOOFAUDIT" check --ruleset "$work/host.nft" --db "$work/m.db" "${K[@]}" > "$work/nft.json"
"$SPOOFAUDIT" check --ruleset "$work/host.nft" --against "$work/host.rules" --db "$work/m.db" \
	"${K[@]}" > "$work/diff.json"
"$SPOOFAUDIT" check --ruleset "$work/nossh.nft" --against "$work/host.rules" --db "$work/m.db" \
	"${K[@]}" > "$work/neg.json" || [ $? = 3 ]
"$SPOOFAUDIT" check --ruleset "$work/host.nft" --against "$work/host.rules" --db "$work/m.db" \
	--rp-filter 0 --route-localnet 0 --accept-local 0 > "$work/diff.txt"

python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
nft, diff, neg = (json.load(open(f"{w}/{n}.json")) for n in ("nft", "diff", "neg"))
bad = 0
def check(c, what):
    global bad
    print(("ok: " if c else "FAIL: ") + what)
    bad |= not c
def where(o):
    r = o.get("rule") or o.get("policy") or {}
    return (o["verdict"], o["by"], r.get("chain"), r.get("line"))
# By hand, the translation's lines (line 1 is the comment): 6 iifname lo accept,
# 7 lo source not on lo drop, 10 ssh new accept, 12 10/8 dns accept, 13 log, 14 tcp reject.
want = {  # example flow -> (verdict, by, chain, line) of its first packet
    "eth0 in tcp 203.0.113.5:40000 -> 45.33.1.10:22": ("ACCEPT", "rule", "INPUT", 10),
    "eth0 in tcp 203.0.113.5:40001 -> 45.33.1.10:80": ("REJECT", "rule", "INPUT", 14),
    "eth0 in udp 10.1.2.3:5353 -> 45.33.1.10:53": ("ACCEPT", "rule", "INPUT", 12),
    "eth0 in udp 198.51.100.9:5353 -> 45.33.1.10:53": ("DROP", "policy", "INPUT", None),
    # 127.0.0.1 from eth0: the kernel's martian check first; the ruleset alone: line 7
    "eth0 in udp 127.0.0.1:5353 -> 45.33.1.10:53": ("DROP", "martian", None, None),
}
seen = {}
for f in nft["findings"]:
    for e in f["examples"]:
        for k in want:
            if e.startswith(k):
                seen[k] = (where(f["outcome"]), f.get("ruleset_alone"))
for k, v in want.items():
    check(k in seen and seen[k][0] == v, f"nft verdict of {k}: {seen.get(k, ('none',))[0]} (want {v})")
alone = seen.get("eth0 in udp 127.0.0.1:5353 -> 45.33.1.10:53", (None, None))[1]
check(alone is not None and where(alone) == ("DROP", "rule", "INPUT", 7),
      f"the ruleset alone drops the lo-sourced flow from eth0 at line 7: {alone}")
rules = {r["line"]: r for r in nft["rules"]}
check(rules.get(6, {}).get("packets") == 9 and rules[6].get("flows") == 2,
      f"iifname lo accept (line 6) takes the 9 loopback packets, 2 flows: {rules.get(6)}")
check(rules.get(13, {}).get("packets") == 7,
      f"the log rule (line 13) sees the 5 + 2 packets that reach it: {rules.get(13)}")
check(nft["language"] == "nftables", "JSON says the ruleset is nftables")
changes = [(f["kind"], f["label"], f["packets"]) for f in diff["findings"] if f["kind"] != "spoof"
           and f["kind"] != "uncertain" and f["kind"] != "loopback_breakage"]
check(changes == [], f"iptables -> its nft translation: no verdict changes: {changes}")
negc = [(f["kind"], f["examples"][0][:48], f["packets"]) for f in neg["findings"]
        if f["kind"] == "newly_blocked"]
check(len(negc) == 1 and "203.0.113.5:40000 -> 45.33.1.10:22" in negc[0][1] and negc[0][2] == 3,
      f"negative control (no ssh rule): the ssh flow, 3 packets, newly blocked: {negc}")
sys.exit(bad)
PY
grep -q 'not listed: one side is an iptables ruleset and the other an nftables one' "$work/diff.txt"
echo "ok: the text diff says rules are not paired across iptables and nftables"
