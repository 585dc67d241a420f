#!/bin/bash
# The migration case of issue 10 at the evaluator level: a 5 000-rule iptables ruleset
# (tests/tools/check_bench's "chains": conntrack first, a 2 000-address blocklist chain,
# 50 per-network chains of addresses, ports, port ranges, multiport, interfaces, REJECT)
# and its translation by iptables-restore-translate (iptables' own translator, the oracle
# of what the same policy is in nftables), loaded by the nftables front end (native
# syntax: libnftables in a private namespace), must give the same verdict, and the same
# set of possible verdicts, for each of 20 000 generated flows (all four paths, TCP, UDP,
# ICMP, new and established); and the nftables evaluator's compiled fast path must give
# the same results as its plain walk on each of them. Root only (exit 77 otherwise).
set -euo pipefail
: "${TOOLS:?}"
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (the nft front end loads native syntax in a namespace)"; exit 77; fi
command -v iptables-restore-translate > /dev/null || { echo "SKIP: iptables-restore-translate missing"; exit 77; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$TOOLS/check_bench" --ruleset chains > "$WORK/chains.rules"
iptables-restore-translate -f "$WORK/chains.rules" > "$WORK/chains.nft"
rules=$(grep -c '^add rule' "$WORK/chains.nft")
echo "translated: $rules rules"
[ "$rules" -ge 4900 ] || { echo "FAIL: the translation has $rules rules"; exit 1; }
"$TOOLS/check_bench" 1 20000 --nft "$WORK/chains.nft" | tee "$WORK/out"
grep -q ' 0 verdicts differ from iptables on the original' "$WORK/out" ||
	{ echo "FAIL: verdicts differ"; exit 1; }
# the compiled nft path (timed above) against the plain walk, result by result
grep -q ' over 20000 flows; 0 results differ from the compiled path' "$WORK/out" ||
	{ echo "FAIL: the compiled and the plain nft walk differ"; exit 1; }
echo "PASS: 20 000 flows, the same verdict from the iptables ruleset and its nftables translation"
