#!/bin/bash
# `check --ruleset` on an nftables ruleset (issue 10 phase 2): data/nft_check.nft, an inet
# table (both families) with a named interval set, a jump to a regular chain, a limit
# (never decided: "maybe"), a reject, a rule the reject shadows (`udp dport 9 counter
# drop` after `udp dport 9 reject`) and a dead rule nothing shadows (`udp dport 7 drop`: no
# earlier rule of its chain takes port 7), and data/nft_check.json, the same ruleset as
# `nft -j list ruleset` printed it (made with `unshare -n sh -c 'nft -f data/nft_check.nft
# && nft -j list ruleset'`). JSON is read without root; the native file needs root (else
# only the JSON part runs). The verdict of every flow asserted below is derived by hand
# from the ruleset (comments); the diff against the ruleset without its ssh rule must show
# exactly the ssh flow newly blocked.
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data="$SRCDIR/tests/e2e/data"

# host 192.0.2.1 / 2001:db8::1 on eth0 (external); gen_frames: proto:src:sport:dst:dport:count
python3 "$SRCDIR/tests/tools/gen_frames.py" "$work/e.pcap" \
	syn:203.0.113.5:40000:192.0.2.1:22:3 udp:198.51.100.9:5353:192.0.2.1:53:5 \
	udp:203.0.113.9:5353:192.0.2.1:53:4 udp:203.0.113.9:5354:192.0.2.1:9:2
python3 "$SRCDIR/tests/tools/gen_families.py" "$work/f.pcap"	# its docstring lists the packets
for p in e f; do
	"$SPOOFAUDIT" collect -q -r "$work/$p.pcap" --iface-name eth0 --role eth0=external \
		--host-addr 192.0.2.1 --host-addr 2001:db8::1 --db "$work/m.db"
done
K=(--rp-filter 0 --route-localnet 0 --accept-local 0)
rc=0
"$SPOOFAUDIT" check --ruleset "$data/nft_check.json" --db "$work/m.db" "${K[@]}" --format json \
	> "$work/json.json" || rc=$?
[ "$rc" = 0 ] || { echo "FAIL: check on the JSON ruleset: exit $rc"; exit 1; }
sides=json
if [ "$(id -u)" = 0 ]; then
	"$SPOOFAUDIT" check --ruleset "$data/nft_check.nft" --db "$work/m.db" "${K[@]}" \
		--format json > "$work/native.json"
	"$SPOOFAUDIT" check --ruleset "$data/nft_check.nft" --db "$work/m.db" "${K[@]}" \
		> "$work/native.txt"
	grep -v 'dport 22' "$data/nft_check.nft" > "$work/nossh.nft"
	rc=0
	"$SPOOFAUDIT" check --ruleset "$work/nossh.nft" --against "$data/nft_check.nft" \
		--db "$work/m.db" "${K[@]}" --format json --fail-on changes > "$work/diff.json" || rc=$?
	[ "$rc" = 3 ] || { echo "FAIL: --fail-on changes: exit $rc, want 3"; exit 1; }
	sides="json native"
else
	echo "note: not root: the native-syntax file is not loaded (JSON only)"
fi
python3 - "$work" $sides <<'PY'
import json, os, sys
w, sides = sys.argv[1], sys.argv[2:]
bad = 0
def check(c, what):
    global bad
    print(("ok: " if c else "FAIL: ") + what)
    bad |= not c
# flow -> (verdict, by, chain, handle, line) of its first packet, by hand (nft numbers
# the set handle 3 and the input rules 4..9, udpin's rule 10; the lines are the file's):
want = {
    # ct state established: none of these is answered, so NEW; ssh: `tcp dport 22 accept`
    "eth0 in tcp 203.0.113.5:40000 -> 192.0.2.1:22": ("ACCEPT", "rule", "input", 7, 13),
    # 198.51.100.9 is in @blocked4 (198.51.100.0/24): dropped before the DNS rule
    "eth0 in udp 198.51.100.9:5353 -> 192.0.2.1:53": ("DROP", "rule", "input", 5, 11),
    # `udp dport 9 reject` in udpin, reached by the jump (UDP, not port 53)
    "eth0 in udp 203.0.113.9:5354 -> 192.0.2.1:9": ("REJECT", "rule", "udpin", 10, 18),
    # IPv6 through the same inet table: the IPv4-mapped source, `ip6 saddr ::ffff:0.0.0.0/96`
    "eth0 in udp [::ffff:127.0.0.1]:40000 -> [2001:db8::1]:9": ("DROP", "rule", "input", 6, 12),
    # IPv6 own address as source: no IPv6 martian check; UDP port 9: the jump, reject
    "eth0 in udp [2001:db8::1]:40000 -> [2001:db8::1]:9": ("REJECT", "rule", "udpin", 10, 18),
    # DNS from elsewhere: the limit decides, never known: ACCEPT or (over the limit, the
    # jump's chain does not match port 53, return) the policy's DROP
    "eth0 in udp 203.0.113.9:5353 -> 192.0.2.1:53": ("UNKNOWN", "unknown", None, None, None),
}
for side in sides:
    d = json.load(open(f"{w}/{side}.json"))
    got = {}
    for f in d["findings"]:
        for e in f["examples"]:
            for k in want:
                if e.startswith(k):
                    o = f["outcome"]
                    r = o.get("rule") or {}
                    got[k] = (o["verdict"], o["by"], r.get("chain"), r.get("handle"),
                              r.get("line"), o.get("possible"), f["kind"],
                              o.get("uncertain_rule"))
    for k, v in want.items():
        g = got.get(k)
        line = v[4] if side == "native" else (0 if v[4] is not None else None)
        ok = g is not None and g[:4] == v[:4] and g[4] == line
        check(ok, f"{side}: {k}: {g and g[:5]} (want {v[:4]}, line {line})")
    g = got.get("eth0 in udp 203.0.113.9:5353 -> 192.0.2.1:53")
    check(g is not None and sorted(g[5]) == ["ACCEPT", "DROP"] and g[7] and g[7]["handle"] == 8,
          f"{side}: the limited DNS flow is maybe ACCEPT/DROP, undecided at the limit rule: {g}")
    rules = {r["handle"]: r for r in d["rules"]}
    # the jump takes own-v6 (6) + 0.1.2.3 (1) + port 9 (2) for certain, the DNS flow maybe
    j = rules.get(9, {})
    check((j.get("packets"), j.get("flows"), j.get("maybe_packets")) == (9, 3, 4),
          f"{side}: the jump rule: 9 packets / 3 flows, 4 maybe: {j}")
    dead = sorted(h for h, r in rules.items() if r["never_hit"])
    check(dead == [4, 11, 12],
          f"{side}: never hit: ct state established,related, and udpin's two after the reject: {dead}")
    # 11 `udp dport 9 counter drop`: every packet it matches meets 10 `udp dport 9 reject`
    # first; 12 `udp dport 7 drop` and 4 (first of input) have no earlier rule that does
    sh = {h: r["shadowed_by"] for h, r in rules.items() if "shadowed_by" in r}
    want_sh = {"family": "inet", "table": "filter", "chain": "udpin", "handle": 10,
               "line": 18 if side == "native" else 0}
    check(sh == {11: want_sh}, f"{side}: only handle 11 is shadowed, by handle 10: {sh}")
    check(d["shadowing_analysis"] is True and d["language"] == "nftables",
          f"{side}: JSON says nftables, and that the shadowing analysis was done")
    check("rules6" not in d and d["rules_families"] == "4+6" and d["not_evaluated"] == [],
          f"{side}: one inet ruleset, both families evaluated, its rules listed once")
if "native" in sides:
    d = json.load(open(f"{w}/diff.json"))
    ch = [(f["kind"], f["examples"][0][:46].strip(), f["packets"], f["outcome"]["by"])
          for f in d["findings"] if f["kind"] not in ("spoof", "uncertain", "loopback_breakage")]
    # 203.0.113.5 is a documentation (bogon) source, a spoof class: its hole closes too
    ssh = "eth0 in tcp 203.0.113.5:40000 -> 192.0.2.1:22"
    check(sorted(ch) == [("newly_blocked", ssh, 3, "policy"), ("spoof_hole_closed", ssh, 3, "policy")],
          f"nft vs nft without the ssh rule: only the ssh flow, newly blocked by the policy: {ch}")
    # the rules too: the ssh rule is the one removed (by hand: nossh.nft is the file
    # without it); it decided the 3 IPv4 packets of the ssh flow, and no IPv6 packet
    rc = sorted((c["family"], c["op"], c["table"], c["chain"], c["current"]["text"],
                 c["current"]["line"], c["current"]["packets"], c["proposed"])
                for c in d["rule_changes"])
    check(rc == [(4, "removed", "inet filter", "input", "tcp dport 22 accept", 13, 3, None),
                 (6, "removed", "inet filter", "input", "tcp dport 22 accept", 13, 0, None)],
          f"nft vs nft: the rule diff names the removed ssh rule and its traffic: {rc}")
    t = open(f"{w}/native.txt").read()
    check("DROP by inet filter input handle 5 (line 11)" in t and
          "no shadowing analysis" not in t, "text: rules named by table, chain, handle and line")
    lines = t.splitlines()
    shl = [i for i, x in enumerate(lines) if x.strip().startswith("shadowed:")]
    check(len(shl) == 1 and
          lines[shl[0]].strip() == "shadowed: inet filter udpin handle 10 (line 18) takes all its traffic"
          and "handle 11 (line 19)" in lines[shl[0] - 1],
          f"text: one shadowed: line, under handle 11: {[lines[i] for i in shl]}")
    l12 = [x for x in lines if "handle 12 (line 20)" in x and "0 packets" in x]
    check(len(l12) == 1, f"text: handle 12 listed as never hit, with no shadowed: line: {l12}")
sys.exit(bad)
PY
