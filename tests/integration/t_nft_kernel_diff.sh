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
# RULE-DIFF fails. Each ruleset runs twice, with IPv4 and with IPv6 packets (the namespace
# set up as t_ipt_kernel_diff.sh's setup6 for the latter); the figures are printed per
# family. Root only (exit 77 otherwise).
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

# setup6 IFNAME: the same for IPv6 (ipt_kdiff6.h): 2001:db8:1::10/64 without a link-local
# address (no redirects, no MLD from fe80::), the peer 2001:db8:1::20 the default gateway,
# its MAC a permanent neighbour, DAD and router solicitations off, MLD reports sent at once
# (and waited for) so that none is counted during the test, forwarding on, echo and ICMPv6
# error rate limit off.
setup6() {
	local ifn=$1 bmac i
	ip netns del "$A" 2>/dev/null; ip netns del "$B" 2>/dev/null
	ip netns add "$A" && ip netns add "$B" || return 1
	ip netns exec "$A" sysctl -qw net.ipv6.conf.default.addr_gen_mode=1 net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.forwarding=1 \
		net.ipv6.conf.default.forwarding=1 net.ipv6.conf.default.accept_ra=0 \
		net.ipv6.conf.default.router_solicitations=0 \
		net.ipv6.conf.default.mldv1_unsolicited_report_interval=1 \
		net.ipv6.conf.default.mldv2_unsolicited_report_interval=1 \
		net.ipv6.icmp.echo_ignore_all=1 net.ipv6.icmp.ratelimit=0 || return 1
	ip netns exec "$B" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip link add "$ifn" netns "$A" type veth peer name b0 netns "$B" || return 1
	ip netns exec "$A" sysctl -qw net.ipv4.conf.all.send_redirects=0
	ip -n "$B" link set b0 up
	ip -n "$A" link set lo up
	ip -n "$A" addr add 2001:db8:1::10/64 dev "$ifn" nodad
	ip -n "$A" link set "$ifn" up
	ip -n "$A" -6 route add default via 2001:db8:1::20 dev "$ifn" || return 1
	bmac=$(ip -n "$B" -o link show b0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	for i in $(seq 1 255); do
		[ $i = 16 ] || printf 'neigh replace 2001:db8:1::%x lladdr %s dev %s nud permanent\n' $i "$bmac" "$ifn"
	done | ip -n "$A" -batch - || return 1
	ip netns exec "$B" iptables-legacy -P INPUT DROP && ip netns exec "$B" iptables-legacy -P OUTPUT DROP
	A_MAC=$(ip -n "$A" -o link show "$ifn" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	sleep 0.2	# the MLD reports of the groups joined at link up
}

nrs=0; fail=0
# run_fam NAME FILE FAM IFNAME: loads FILE into a fresh namespace of family FAM, prepares
# it (one counter per rule) and runs nft_kdiff; 0 ok, 1 failed, 2 not loadable
run_fam() {
	local name=$1 f=$2 fam=$3 ifn=$4 out rc s r
	if [ "$fam" = 6 ]; then setup6 "$ifn"; else setup "$ifn"; fi || { echo "$name: namespace setup failed"; return 1; }
	ip netns exec "$A" nft -f "$f" 2>"$WORK/err" || { echo "$name: not loadable here: $(head -1 "$WORK/err")"; return 2; }
	ip netns exec "$A" nft -j list ruleset >"$WORK/l.json" || return 1
	"$tool" prep "$WORK/l.json" "$WORK/p.json" || { echo "$name: prep failed"; return 1; }
	ip netns exec "$A" nft flush ruleset
	ip netns exec "$A" nft -j -f "$WORK/p.json" || { echo "$name: prepared ruleset refused"; return 1; }
	out=$(ip netns exec "$A" "$tool" run $([ "$fam" = 6 ] && echo -6) --peer-ns "/var/run/netns/$B" \
		--peer-if b0 --if "$ifn" --mac "$A_MAC" 2>&1)
	rc=$?
	echo "$out" | grep -E '^(DISAGREE|RULE-DIFF|NOT SENT)' | head -20 | sed "s|^|$name: |"
	s=$(echo "$out" | sed -n 's/^packets \([0-9]*\) agreed \([0-9]*\) unknown \([0-9]*\) disagreed \([0-9]*\) skipped \([0-9]*\)$/\1 \2 \3 \4 \5/p')
	r=$(echo "$out" | sed -n 's/^per-rule: compared \([0-9]*\) rules, agree \([0-9]*\), maybe \([0-9]*\), differ \([0-9]*\)$/\1 \2 \3 \4/p')
	if [ -z "$s" ] || [ -z "$r" ]; then echo "$name: no result (rc $rc): $(echo "$out" | tail -3)"; return 1; fi
	echo "$name: packets $(echo $s | cut -d' ' -f1) agreed $(echo $s | cut -d' ' -f2) unknown $(echo $s | cut -d' ' -f3) disagreed $(echo $s | cut -d' ' -f4) skipped $(echo $s | cut -d' ' -f5); per-rule compared/agree/maybe/differ $r"
	fam_add "$fam" 1 $s $r
	return $rc
}

# per family: rulesets packets agreed unknown disagreed skipped rules agree maybe differ
declare -A F
for k in 4 6; do F[$k]="0 0 0 0 0 0 0 0 0 0"; done
fam_add() {
	local f=$1 out="" a; shift
	for a in ${F[$f]}; do
		out="$out $((a + ${1:-0}))"; shift
	done
	F[$f]=${out# }
}

# run_one NAME FILE: both families; 0 ok, 1 failed, 2 not loadable
run_one() {
	local name=$1 f=$2 ifn rc4 rc6
	setup a0 || { echo "$name: namespace setup failed"; return 1; }
	ip netns exec "$A" nft -f "$f" 2>"$WORK/err" || { echo "$name: not loadable here: $(head -1 "$WORK/err")"; return 2; }
	ip netns exec "$A" nft -j list ruleset >"$WORK/l.json" || return 1
	ifn=$("$tool" ifname "$WORK/l.json") || return 1
	# the native front end (libnftables in a private namespace) reads what nft loaded
	local nat js
	nat=$("$tool" count "$f" 2>&1); js=$("$tool" count "$WORK/l.json" 2>&1)
	if [ "$nat" != "$js" ]; then echo "$name: native front end read \`$nat', the kernel's JSON \`$js'"; return 1; fi
	run_fam "$name (ipv4)" "$f" 4 "$ifn"; rc4=$?
	run_fam "$name (ipv6)" "$f" 6 "$ifn"; rc6=$?
	[ $rc4 = 2 ] && [ $rc6 = 2 ] && return 2
	[ $rc4 = 1 ] || [ $rc6 = 1 ] && return 1
	return 0
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
# without root the native front end refuses with the way to produce JSON
if command -v setpriv >/dev/null; then
	cp "$SRCDIR/tests/integration/nft/sets.nft" "$WORK/native.nft"; chmod 644 "$WORK/native.nft"; chmod 755 "$WORK"
	msg=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$tool" count "$WORK/native.nft" 2>&1)
	case $msg in
	*"needs root"*"nft -j list ruleset > FILE"*) echo "native syntax without root: refused with the JSON hint" ;;
	*) echo "native syntax without root: unexpected: $msg"; fail=1 ;;
	esac
fi
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
for k in 4 6; do
	set -- ${F[$k]}
	echo "total IPv$k: rulesets $1 packets $2 agreed $3 unknown $4 disagreed $5 skipped $6"
	echo "total IPv$k per-rule: compared $7 rules, agree $8, maybe $9, differ ${10}"
	nrs=$((nrs + $1))
done
[ "$nrs" -gt 0 ] || { echo "no ruleset ran"; exit 1; }
exit $fail
