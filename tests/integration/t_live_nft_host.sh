#!/bin/bash
# `check --against live` on the three kinds of live firewall (issue 10, acceptance 3),
# the kernel's rule counters as the oracle. In one namespace, in turn:
#   nft:  a native nftables table (inet guard: tcp dport 23 drop), iptables empty;
#   ipt:  iptables-nft rules only (-A INPUT -p udp --dport 53 -m comment --comment dns -j
#         DROP: nft lists the comment as an xt match, which always holds);
#   both: the two at once (both drop, each its own traffic).
# Each time the collector records live traffic on a0 (3 SYNs to port 23, 2 datagrams to
# port 53, 1 to port 123) while the kernel counts what each rule dropped; then
# `check --ruleset ACCEPT-ALL --against live` must name what it read ("live IPv4
# ruleset: nftables: ..." or "iptables-nft ..."), and the flows it says the live ruleset
# drops (newly accepted by the proposed ruleset) must add up, rule by rule, to the
# kernel's counter of that rule; the port-123 flow, which no rule drops, must not change.
set -euo pipefail
. "${SRCDIR:?}/tests/integration/netns.sh"
ns_test_start lnh nft iptables iptables-save
X="ip netns exec $NS_A"
python3 "$SRCDIR/tests/tools/gen_frames.py" "$WORK/f.pcap" syn:45.33.1.20:4001:45.33.1.10:23:3 \
	udp:45.33.1.20:4000:45.33.1.10:53:2 udp:45.33.1.20:4002:45.33.1.10:123:1
ns_filter_rules ACCEPT ACCEPT > "$WORK/accept.rules"

nft_guard() {
	$X nft -f - <<'NFT'
table inet guard {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 23 counter drop
	}
}
NFT
}

for kind in nft ipt both; do
	echo "== $kind"
	$X nft flush ruleset
	case $kind in
	nft) nft_guard ;;
	ipt) $X iptables -A INPUT -p udp --dport 53 -m comment --comment dns -j DROP ;;
	both) nft_guard; $X iptables -A INPUT -p udp --dport 53 -m comment --comment dns -j DROP ;;
	esac
	db="$WORK/$kind.db"
	ns_record "$WORK/f.pcap" "$db"
	$X nft -j list ruleset > "$WORK/$kind.kernel.json"
	$X "$SPOOFAUDIT" check --ruleset "$WORK/accept.rules" --against live --db "$db" \
		> "$WORK/$kind.txt"
	$X "$SPOOFAUDIT" check --ruleset "$WORK/accept.rules" --against live --db "$db" \
		--format json > "$WORK/$kind.json"
	grep '^live IPv4 ruleset' "$WORK/$kind.txt" || true
	case $kind in
	nft) want='^live IPv4 ruleset: nftables: inet guard \(1 rule\)$' ;;
	ipt) want='^live IPv4 ruleset: iptables-nft \(iptables-save\)$' ;;
	both) want='^live IPv4 ruleset: nftables: .*inet guard \(1 rule\).*ip filter \(1 rule, iptables-nft\)|^live IPv4 ruleset: nftables: .*ip filter \(1 rule, iptables-nft\).*inet guard \(1 rule\)' ;;
	esac
	grep -Eq "$want" "$WORK/$kind.txt" && ok "$kind: check names the live ruleset" ||
		bad "$kind: the live ruleset is not named as expected"
	if python3 - "$WORK/$kind.kernel.json" "$WORK/$kind.json" "$kind" <<'PY'
import json, sys
kern = json.load(open(sys.argv[1]))["nftables"]
chk = json.load(open(sys.argv[2]))
kind = sys.argv[3]
# the kernel: packets each rule dropped, by (family, table, chain, handle) and, for
# iptables-nft's rules, by (table, chain, position) as iptables numbers them
by_handle, by_num, pos = {}, {}, {}
for o in kern:
    r = o.get("rule")
    if not r or not any("drop" in e for e in r["expr"]):
        continue
    n = sum(e["counter"]["packets"] for e in r["expr"] if "counter" in e)
    by_handle[(r["family"], r["table"], r["chain"], r["handle"])] = n
    k = (r["table"], r["chain"])
    pos[k] = pos.get(k, 0) + 1
    if r["family"] == "ip":
        by_num[(r["table"], r["chain"], pos[k])] = n
got = {}
for f in chk["findings"]:
    if f["kind"] != "newly_accepted":
        if f["kind"].startswith("newly") and any(":123 " in e for e in f.get("examples", [])):
            print("the port-123 flow changed:", f)
            sys.exit(1)
        continue
    r = f["before"].get("rule") or {}
    key = (r["family"], r["table"], r["chain"], r["handle"]) if "handle" in r else \
          (r["table"], r["chain"], r["num"])
    got[key] = got.get(key, 0) + f["packets"]
# every rule check names drops what the kernel counted on it, and together they drop
# all the kernel dropped (each kernel rule once: by_handle holds every one)
ok = bool(got)
for k, n in got.items():
    kn = by_handle.get(k, by_num.get(k))
    if kn != n:
        print("check says rule %s dropped %d packets, the kernel counted %s" % (k, n, kn))
        ok = False
if sum(got.values()) != sum(by_handle.values()):
    print("check's live drops total %d packets, the kernel's %d" % (sum(got.values()), sum(by_handle.values())))
    ok = False
want = {k: n for k, n in by_handle.items() if n}
print("kernel drops per rule:", {str(k): n for k, n in want.items()})
print("check's live drops per rule:", {str(k): n for k, n in got.items()})
sys.exit(0 if ok else 1)
PY
	then ok "$kind: the live drops check reports equal the kernel's counters, rule by rule"
	else bad "$kind: check's live verdicts differ from the kernel's counters"; cat "$WORK/$kind.txt"
	fi
done
exit $fail
