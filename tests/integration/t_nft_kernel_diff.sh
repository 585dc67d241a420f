#!/bin/bash
# Differential test of the nftables evaluator (src/policy/nft_*.c) against the kernel, as
# t_ipt_kernel_diff.sh does for iptables. Rulesets: Debian's examples
# (/usr/share/doc/nftables/examples/*.nft that load into a fresh namespace), the rulesets
# in tests/integration/nft/ (several base chains at different priorities, inet, sets with
# intervals and concatenations, verdict maps, jump/goto/return, ct state, notrack, nat,
# interface wildcards; iptables-nft tables beside native ones), and seeded random rulesets (seed printed; NFT_KDIFF_SEED and
# NFT_KDIFF_RANDOM override). Each is loaded with nft into namespace A (veth to B), listed
# as JSON, rewritten by nft_kdiff prep so that every rule has one counter where its
# matches end, and loaded again; nft_kdiff run then sends packets aimed at each rule and
# just missing it (plus a fixed set of others), reads the kernel's verdict and every
# rule's counter, and compares both with the evaluator. A verdict disagreement or a
# RULE-DIFF fails. Every packet is also evaluated by the plain walk beside the compiled
# fast path (every chain indexed): any difference in result or hook calls is a DISAGREE. Each ruleset runs twice, with IPv4 and with IPv6 packets (the namespace
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

. "$SRCDIR/tests/integration/kdiff_ns.sh"

nrs=0; fail=0
# run_fam NAME FILE FAM IFNAME: loads FILE into a fresh namespace of family FAM, prepares
# it (one counter per rule) and runs nft_kdiff; 0 ok, 1 failed, 2 not loadable
# A file X.nft with X.ipt (IPv4) or X.ip6t (IPv6) beside it: that iptables-save text is
# loaded first with iptables-nft, whose tables then run beside the native ones. Its rules
# carry the counter iptables-nft gives every rule (after the matches), the native file
# writes one per rule: no prep, since nft cannot load iptables-nft's xt expressions back.
run_fam() {
	local name=$1 f=$2 fam=$3 ifn=$4 out rc s r ipt
	ipt=${f%.nft}.$([ "$fam" = 6 ] && echo ip6t || echo ipt)
	if [ "$fam" = 6 ]; then setup6 "$ifn"; else setup "$ifn" 0; fi || { echo "$name: namespace setup failed"; return 1; }
	if [ -f "$ipt" ]; then
		ip netns exec "$A" "$([ "$fam" = 6 ] && echo ip6tables-nft-restore || echo iptables-nft-restore)" <"$ipt" ||
			{ echo "$name: $ipt refused by iptables-nft"; return 1; }
	fi
	ip netns exec "$A" nft -f "$f" 2>"$WORK/err" || { echo "$name: not loadable here: $(head -1 "$WORK/err")"; return 2; }
	ip netns exec "$A" nft -j list ruleset >"$WORK/l.json" || return 1
	if [ ! -f "$ipt" ]; then
		"$tool" prep "$WORK/l.json" "$WORK/p.json" || { echo "$name: prep failed"; return 1; }
		ip netns exec "$A" nft flush ruleset
		ip netns exec "$A" nft -j -f "$WORK/p.json" || { echo "$name: prepared ruleset refused"; return 1; }
	fi
	out=$(ip netns exec "$A" "$tool" run $([ "$fam" = 6 ] && echo -6) --peer-ns "/var/run/netns/$B" \
		--peer-if b0 --if "$ifn" --mac "$A_MAC" 2>&1)
	rc=$?
	echo "$out" | grep -E '^(DISAGREE|RULE-DIFF|NOT SENT)' | head -20 | sed "s|^|$name: |"
	s=$(echo "$out" | sed -n 's/^packets \([0-9]*\) agreed \([0-9]*\) unknown \([0-9]*\) disagreed \([0-9]*\) skipped \([0-9]*\)$/\1 \2 \3 \4 \5/p')
	r=$(echo "$out" | sed -n 's/^per-rule: compared \([0-9]*\) rules, agree \([0-9]*\), maybe \([0-9]*\), differ \([0-9]*\)$/\1 \2 \3 \4/p')
	if [ -z "$s" ] || [ -z "$r" ]; then echo "$name: no result (rc $rc): $(echo "$out" | tail -3)"; return 1; fi
	# every packet also went through the plain walk, which must agree with the compiled one
	# (every chain indexed) on results and hook calls: a difference is a DISAGREE above
	echo "$out" | grep -q '^compiled vs plain: [1-9][0-9]* packets evaluated by both$' ||
		{ echo "$name: the compiled and plain walks were not compared"; return 1; }
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
	setup a0 0 || { echo "$name: namespace setup failed"; return 1; }
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
