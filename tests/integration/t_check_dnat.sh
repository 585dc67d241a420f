#!/bin/bash
# A port forward's later packets (issue 9, DNAT). $NS_A is a router: a0 (45.33.1.10)
# faces the client in $NS_B, a1 (10.77.0.1) a server in a third namespace (10.77.0.2:80),
# forwarding on, and nat PREROUTING forwards tcp/8080 to the server. Conntrack gives every
# packet of such a connection the first packet's binding (nf_nat_inet_fn ->
# nf_nat_packet), so the client's later packets are DNATed too and pass FORWARD, not
# INPUT. Real TCP connections run through it while tcpdump writes a0's traffic to a
# file; `collect -r` records the file and `check --ruleset` on the same ruleset is
# compared, rule by rule, with the kernel's counters (the oracle, `iptables -L -v -x`):
#   nat PREROUTING #1 (the DNAT)           the connections' first packets only (the row
#                                          holds three: 1 definite, up to 3 with maybe)
#   filter INPUT #1 (ESTABLISHED), #2      nothing: no packet of these is delivered here
#   filter FORWARD #2 (ESTABLISHED)        the client's later packets
#   filter FORWARD #3 (the server's port)  the client's first packets
# The filter rules must be exact (definite = kernel, no maybe). FORWARD #1 takes the server's
# answers, which a0 shows after the reverse translation, from 45.33.1.10:8080: from the
# outside interface alone they look sent by this host, so it is not compared. The same
# again with the equivalent nftables ruleset (a nat prerouting chain, filter chains; the
# kernel's counters from `nft -j list ruleset`, rules by handle).
# Root only (exit 77 otherwise).
set -euo pipefail
. "${SRCDIR:?}/tests/integration/live_policy.sh"
ns_test_start chkd iptables-restore iptables tcpdump nft
live_router chkdc

cat > "$WORK/rules" <<'EOF'
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -i a0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.77.0.2:80
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 8080 -j ACCEPT
-A FORWARD -i a1 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -d 10.77.0.2/32 -p tcp -m tcp --dport 80 -j ACCEPT
COMMIT
EOF
cat > "$WORK/rules.nft" <<'EOF'
table ip dn {
	chain pre {
		type nat hook prerouting priority -100; policy accept;
		iifname "a0" tcp dport 8080 counter dnat to 10.77.0.2:80
	}
	chain in {
		type filter hook input priority 0; policy drop;
		ct state established,related counter accept
		tcp dport 8080 counter accept
	}
	chain fw {
		type filter hook forward priority 0; policy drop;
		iifname "a1" ct state established,related counter accept
		ct state established,related counter accept
		ip daddr 10.77.0.2 tcp dport 80 counter accept
	}
}
EOF

# conv TAG RULESET: three port-forwarded connections while tcpdump writes a0's traffic;
# the kernel's counters into $WORK/TAG.kern, the file collected and checked against
# RULESET into $WORK/TAG.json
conv() {
	local tag=$1 rs=$2 srv tcpd
	ip netns exec "$NS_A" tcpdump -i a0 -U -w "$WORK/$tag.pcap" 2> "$WORK/tcpdump.err" &
	tcpd=$!
	ip netns exec "$NS_C" python3 "$SRCDIR/tests/integration/kconv.py" serve 80 3 &
	srv=$!
	NS_CLEANUP_HOOK="kill $srv $tcpd 2>/dev/null; ip netns del $NS_C 2>/dev/null"
	sleep 1
	ip netns exec "$NS_B" python3 "$SRCDIR/tests/integration/kconv.py" talk 45.33.1.10 8080 3 4
	wait $srv
	sleep 1.5
	if [ "$tag" = ipt ]; then
		{ ip netns exec "$NS_A" iptables -t nat -L PREROUTING -v -x -n --line-numbers
		  ip netns exec "$NS_A" iptables -L INPUT -v -x -n --line-numbers
		  ip netns exec "$NS_A" iptables -L FORWARD -v -x -n --line-numbers; } > "$WORK/$tag.kern"
	else
		ip netns exec "$NS_A" nft -j list ruleset > "$WORK/$tag.kern"
	fi
	kill -INT $tcpd; wait $tcpd || true	# tcpdump exits 0 on SIGINT, 130 on some builds
	NS_CLEANUP_HOOK="ip netns del $NS_C 2>/dev/null"
	"$SPOOFAUDIT" collect -q -r "$WORK/$tag.pcap" --iface-name a0 --db "$WORK/$tag.db" \
		--role a0=external --host-addr 45.33.1.10 2> "$WORK/collect.err" ||
		{ cat "$WORK/collect.err"; bad "$tag: collect -r failed"; }
	sqlite3 "$WORK/$tag.db" "SELECT dir, src, sport, dst, dport, packets, pre_reply, tcp_flags
		FROM flows WHERE family = 4 ORDER BY first_usec"
	"$SPOOFAUDIT" check --ruleset "$rs" --db "$WORK/$tag.db" --ip-forward 1 --route-localnet 0 \
		--accept-local 0 --rp-filter 0 --format json > "$WORK/$tag.json" ||
		bad "$tag: check exited $?"
}

ip netns exec "$NS_A" iptables-restore < "$WORK/rules"
conv ipt "$WORK/rules"
cat "$WORK/ipt.kern"
# iptables' tables out of the way (their rules, and the DROP policies)
printf '*nat\nCOMMIT\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\nCOMMIT\n' |
	ip netns exec "$NS_A" iptables-restore
ip netns exec "$NS_A" nft -f "$WORK/rules.nft"
conv nft "$WORK/rules.nft"
python3 - "$WORK" "$SRCDIR/tests/integration" <<'PY' || fail=1
import json, sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[2])
from kconv import counters
w = sys.argv[1]
bad = 0
# iptables: by chain and number; FORWARD #1 (the answers) is not compared
kern = counters(w + "/ipt.kern")
# nftables: by chain and handle; the rule on iifname "a1" (the answers) is not compared
nk, skip = {}, set()
for o in json.load(open(w + "/nft.kern"))["nftables"]:
    r = o.get("rule")
    if not r or r["table"] != "dn":
        continue
    nk[(r["chain"], r["handle"])] = [x["counter"]["packets"] for x in r["expr"] if "counter" in x][0]
    if '"a1"' in json.dumps(r["expr"]):
        skip.add((r["chain"], r["handle"]))
for tag, key_of, k, want in (
        ("ipt", lambda r: (r["chain"], r["num"]), kern,
         {("PREROUTING", 1), ("INPUT", 1), ("INPUT", 2), ("FORWARD", 2), ("FORWARD", 3)}),
        ("nft", lambda r: (r["chain"], r["handle"]), nk, set(nk) - skip)):
    seen = set()
    for r in json.load(open("%s/%s.json" % (w, tag)))["rules"]:
        key = key_of(r)
        if key not in want:
            continue
        seen.add(key)
        # the nat rule counts each connection's first packet: the row of three
        # connections (the client port collapsed) gives 1 for certain and 2 maybe
        nat = key[0] in ("PREROUTING", "pre")
        lo, hi = r["packets"], r["packets"] + r["maybe_packets"]
        good = lo <= k[key] <= hi and lo >= 1 if nat else lo == k[key] == hi
        bad |= not good
        print("%s: %s %s %s: kernel %d, check %d definite + %d maybe%s: %s" % (
            "ok" if good else "FAIL", tag, key[0], key[1], k[key], lo, hi - lo,
            "" if nat else " (must be exact)", r["text"]))
    if seen != want or len(want) != 5:
        print("FAIL: %s: rules compared %s, want %s" % (tag, sorted(seen), sorted(want)))
        bad = 1
# the test means something only if the kernel forwarded later packets
if kern[("FORWARD", 2)] < 9 or kern[("FORWARD", 3)] != 3:
    print("FAIL: the kernel did not forward the connections as planned"); bad = 1
sys.exit(bad)
PY
exit $fail
