#!/bin/bash
# Differential test of the nftables evaluator (src/policy/nft_*.c) against the kernel, as
# t_ipt_kernel_diff.sh does for iptables. Rulesets: Debian's examples
# (/usr/share/doc/nftables/examples/*.nft that load into a fresh namespace), the rulesets
# in tests/integration/nft/ (several base chains at different priorities, inet, sets with
# intervals and concatenations, verdict maps, jump/goto/return, ct state, notrack, nat,
# interface wildcards), and seeded random rulesets (seed printed; NFT_KDIFF_SEED and
# NFT_KDIFF_RANDOM override). Each is loaded with nft into namespace A (veth to B), listed
# as JSON, rewritten by nft_kdiff prep so that every rule has one counter where its
# matches end, and loaded again; nft_kdiff run then sends packets aimed at each rule and
# just missing it (plus a fixed set of others), reads the kernel's verdict and every
# rule's counter, and compares both with the evaluator. A verdict disagreement or a
# RULE-DIFF fails. IPv4 only. Root only (exit 77 otherwise).
set -uo pipefail
: "${SRCDIR:?}" "${TOOLS:?}"
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (namespaces, raw sockets)"; exit 77; fi
for c in ip nft iptables-legacy; do
	command -v $c >/dev/null || { echo "SKIP: $c missing"; exit 77; }
done
tool="$TOOLS/nft_kdiff"
WORK=$(mktemp -d)
A="nka$$"; B="nkb$$"
cleanup() { ip netns del "$A" 2>/dev/null; ip netns del "$B" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

# setup IFNAME: fresh namespaces joined by IFNAME <-> b0 (as t_ipt_kernel_diff.sh)
setup() {
	local ifn=$1 bmac i
	ip netns del "$A" 2>/dev/null; ip netns del "$B" 2>/dev/null
	ip netns add "$A" && ip netns add "$B" || return 1
	ip link add "$ifn" netns "$A" type veth peer name b0 netns "$B" || return 1
	ip netns exec "$B" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$A" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n "$B" addr add 45.33.1.20/24 dev b0
	ip -n "$B" link set b0 up
	ip -n "$A" link set lo up
	ip -n "$A" addr add 45.33.1.10/24 dev "$ifn"
	ip -n "$A" link set "$ifn" up
	ip -n "$A" route add default via 45.33.1.20
	ip netns exec "$A" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
		"net.ipv4.conf.$ifn.send_redirects=0" net.ipv4.conf.all.rp_filter=0 \
		"net.ipv4.conf.$ifn.rp_filter=0" net.ipv4.conf.lo.rp_filter=0 \
		net.ipv4.conf.all.route_localnet=0 net.ipv4.conf.all.accept_local=0 \
		net.ipv4.icmp_echo_ignore_all=1
	bmac=$(ip -n "$B" -o link show b0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	for i in $(seq 0 254); do
		[ $i = 10 ] || echo "neigh replace 45.33.1.$i lladdr $bmac dev $ifn nud permanent"
	done | ip -n "$A" -batch -
	ip netns exec "$B" iptables-legacy -P INPUT DROP && ip netns exec "$B" iptables-legacy -P OUTPUT DROP
	A_MAC=$(ip -n "$A" -o link show "$ifn" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
}

nrs=0; fail=0; tp=0; ta=0; tu=0; td=0; tn=0; tra=0; trm=0; trd=0; loaded_ex=0
# run_one NAME FILE: 0 ok, 1 failed, 2 not loadable
run_one() {
	local name=$1 f=$2 ifn out
	setup a0 || { echo "$name: namespace setup failed"; return 1; }
	ip netns exec "$A" nft -f "$f" 2>"$WORK/err" || { echo "$name: not loadable here: $(head -1 "$WORK/err")"; return 2; }
	ip netns exec "$A" nft -j list ruleset >"$WORK/l.json" || return 1
	ifn=$("$tool" ifname "$WORK/l.json") || return 1
	if [ "$ifn" != a0 ]; then
		setup "$ifn" || { echo "$name: namespace setup ($ifn) failed"; return 1; }
		ip netns exec "$A" nft -f "$f" 2>/dev/null || return 2
	fi
	"$tool" prep "$WORK/l.json" "$WORK/p.json" || { echo "$name: prep failed"; return 1; }
	ip netns exec "$A" nft flush ruleset
	ip netns exec "$A" nft -j -f "$WORK/p.json" || { echo "$name: prepared ruleset refused"; return 1; }
	out=$(ip netns exec "$A" "$tool" run --peer-ns "/var/run/netns/$B" --peer-if b0 --if "$ifn" --mac "$A_MAC" 2>&1)
	local rc=$?
	echo "$out" | grep -E '^(DISAGREE|RULE-DIFF|NOT SENT)' | head -20 | sed "s|^|$name: |"
	local s r
	s=$(echo "$out" | sed -n 's/^packets \([0-9]*\) agreed \([0-9]*\) unknown \([0-9]*\) disagreed \([0-9]*\) skipped \([0-9]*\)$/\1 \2 \3 \4 \5/p')
	r=$(echo "$out" | sed -n 's/^per-rule: compared \([0-9]*\) rules, agree \([0-9]*\), maybe \([0-9]*\), differ \([0-9]*\)$/\1 \2 \3 \4/p')
	if [ -z "$s" ] || [ -z "$r" ]; then echo "$name: no result (rc $rc): $(echo "$out" | tail -3)"; return 1; fi
	set -- $s; tp=$((tp + $1)); ta=$((ta + $2)); tu=$((tu + $3)); td=$((td + $4))
	echo "$name: packets $1 agreed $2 unknown $3 disagreed $4 skipped $5; rules $r"
	set -- $r; tn=$((tn + $1)); tra=$((tra + $2)); trm=$((trm + $3)); trd=$((trd + $4))
	nrs=$((nrs + 1))
	return $rc
}

for f in /usr/share/doc/nftables/examples/*.nft "$SRCDIR"/tests/integration/nft/*.nft; do
	[ -f "$f" ] || continue
	run_one "$(basename "$f")" "$f"
	case $? in
	0) ;;
	2) ;;
	*) fail=1 ;;
	esac
done
seed=${NFT_KDIFF_SEED:-$(( $(date +%s) % 100000 ))}
nrand=${NFT_KDIFF_RANDOM:-6}
echo "random rulesets: seed $seed, $nrand rulesets (NFT_KDIFF_SEED=$seed NFT_KDIFF_RANDOM=$nrand to rerun)"
for i in $(seq 1 "$nrand"); do
	"$tool" random $((seed + i)) 25 '"a0"' >"$WORK/r$i.nft"
	run_one "random-$((seed + i))" "$WORK/r$i.nft"
	case $? in
	0) ;;
	2) echo "random-$((seed + i)): the generator wrote a ruleset nft refuses"; fail=1 ;;
	*) fail=1 ;;
	esac
done
echo "total: rulesets $nrs packets $tp agreed $ta unknown $tu disagreed $td"
echo "total per-rule: compared $tn rules, agree $tra, maybe $trm, differ $trd"
[ "$nrs" -gt 0 ] || { echo "no ruleset ran"; exit 1; }
exit $fail
