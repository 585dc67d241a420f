#!/bin/bash
# nftables ingress chains (a netdev table's and an inet table's, on a0; one on lo that
# a0's packets never see), the kernel's rule counters as the oracle. Frames are injected
# onto a0 from the other namespace while `spoofaudit collect -i a0` records them (pcap
# sees them before ingress); then `check --ruleset` of the same file must credit every
# rule with the packets the kernel counted on it: what ingress drops never reaches
# prerouting or input, what it accepts goes on, and a loopback source is dropped there
# before the kernel's martian check. The file is native syntax: nft 1.0.6 lists no
# ingress device in JSON, so the devices come from the file's text. Root only.
set -euo pipefail
. "${SRCDIR:?}/tests/integration/netns.sh"
ns_test_start nig nft
X="ip netns exec $NS_A"
cat > "$WORK/ingress.nft" <<'NFT'
table netdev nd {
	chain ing {
		type filter hook ingress device "a0" priority 0; policy accept;
		ip saddr 127.0.0.0/8 counter drop
		udp dport 7 counter drop
		tcp dport 22 counter accept
		ip saddr 198.51.100.0/24 counter
	}
	chain lo_ing {
		type filter hook ingress device "lo" priority 0; policy accept;
		udp dport 53 counter drop
	}
}
table inet filter {
	chain ing {
		type filter hook ingress device "a0" priority -10; policy accept;
		tcp dport 23 counter drop
		udp dport 8 counter
	}
	chain pre {
		type filter hook prerouting priority -300; policy accept;
		udp dport 7 counter accept
		tcp dport 22 counter
		udp dport 53 counter
	}
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 23 counter accept
		tcp dport 22 counter accept
		ip saddr 127.0.0.0/8 counter drop
	}
}
NFT
$X nft -f "$WORK/ingress.nft"
python3 "$SRCDIR/tests/tools/gen_frames.py" "$WORK/f.pcap" \
	udp:127.0.0.1:4000:45.33.1.10:9:3 syn:45.33.1.20:4001:45.33.1.10:23:2 \
	udp:45.33.1.20:4002:45.33.1.10:7:2 syn:45.33.1.20:4003:45.33.1.10:22:3 \
	udp:45.33.1.20:4004:45.33.1.10:8:1 udp:198.51.100.7:4005:45.33.1.10:53:2
db="$WORK/t.db"
ns_record "$WORK/f.pcap" "$db"
$X nft -j list ruleset > "$WORK/kernel.json"
$X "$SPOOFAUDIT" check --ruleset "$WORK/ingress.nft" --db "$db" --format json > "$WORK/check.json"
python3 - "$WORK/kernel.json" "$WORK/check.json" <<'PY'
import json, sys
kern = json.load(open(sys.argv[1]))["nftables"]
chk = json.load(open(sys.argv[2]))
k = {}
for o in kern:
    r = o.get("rule")
    if r:
        k[(r["family"], r["table"], r["chain"], r["handle"])] = \
            sum(e["counter"]["packets"] for e in r["expr"] if "counter" in e)
got = {(r["family"], r["table"], r["chain"], r["handle"]): (r["packets"], r["maybe_packets"])
       for r in chk["rules"]}
bad = 0
for key, n in sorted(k.items()):
    g = got.get(key)
    same = g is not None and g == (n, 0)
    print(("ok: " if same else "FAIL: ") + "%s %s %s handle %d: kernel %d, check %s" % (key + (n, g)))
    bad |= not same
# the oracle must have seen the ingress drops, or the test proves nothing
need = [("netdev", "nd", "ing", 3), ("inet", "filter", "ing", 4)]
if not all(k.get(x, 0) > 0 for x in need):
    print("FAIL: the kernel counted no ingress drop: the frames did not arrive"); bad = 1
sys.exit(bad)
PY
echo "ok: every rule's packets, ingress chains included, equal the kernel's counters"
