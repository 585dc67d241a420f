#!/bin/bash
# Differential test of the iptables evaluator against the kernel. For each IPv4 ruleset of
# ../shared/corpus/rulesets that iptables-legacy-restore loads into a fresh namespace, the
# fixed ones of tests/integration/ipt/*.rules, and
# for seeded random rulesets (seed printed; KDIFF_SEED and KDIFF_RANDOM override), the
# helper tests/tools/ipt_kdiff sends one packet aimed at each rule, one that just misses
# it, and spoofed 127/8 and loopback packets through the namespace (an Ethernet frame on
# the peer's veth for incoming/forwarded paths, a raw socket for output/loopback), reads
# the kernel's verdict from the rule counters, InDelivers and the interface's TX count,
# and compares it with the plain and the compiled evaluator: known verdicts must agree,
# and for UNKNOWN the kernel's verdict must be in the possible set. It also sends the
# kernel-path packets of issue 9 (limited and directed broadcast, multicast, 0/8 sources,
# invalid TCP flag combinations, unsolicited SYN-ACK/RST-ACK/FIN-ACK, DNAT port forwards,
# ICMP errors quoting a flow the host opened: RELATED), conntrack flushed before each one,
# and compares every rule's counter delta with the hits the evaluator predicted: "agree"
# (equal to the definite hits, none maybe), "maybe" (between definite and definite+maybe),
# "differ". Prints per ruleset and in total packets, agreed / unknown (kernel in set) /
# disagreed verdicts and "per-rule: compared N rules, agree A, maybe M, differ D"; a
# verdict disagreement or a per-rule difference (printed as RULE-DIFF) fails. Every
# packet is compared rule by rule; KDIFF_STRICT_RULES=0 leaves out locally sent packets
# with a spoofed source where mangle has MARK rules (and the packet after each), which
# once looked "counted twice, partly late" in mangle OUTPUT: a 127/8 source the MARK
# re-route refuses (ip_route_me_harder -> __mkroute_output: EINVAL) was read as not sent
# and its hits went to the next packet; the evaluator now drops it (reroute-src-loopback).
# IPv6 rulesets (corpus, and KDIFF_RANDOM6 random ones, default 8) go through
# ip6tables-legacy-restore into a namespace set up by setup6, with the IPv6 kernel-path
# packets (multicast groups joined or not, ip6_rcv_core's drops, ::/link-local/v4-mapped
# sources, NDP and ICMPv6 conntrack states); the figures are printed per family.
# Root only (exit 77 otherwise).
set -uo pipefail
: "${SRCDIR:?}" "${TOOLS:?}"
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (namespaces, raw sockets)"; exit 77; fi
for c in ip iptables-legacy iptables-legacy-restore iptables-legacy-save; do
	command -v $c >/dev/null || { echo "SKIP: $c missing"; exit 77; }
done
HAVE6=1
for c in ip6tables-legacy-restore ip6tables-legacy-save; do
	command -v $c >/dev/null || HAVE6=
done
tool="$TOOLS/ipt_kdiff"
corpus="${KDIFF_CORPUS:-$SRCDIR/../shared/corpus/rulesets}"	# KDIFF_CORPUS: another corpus folder
WORK=$(mktemp -d)
A="kda$$"; B="kdb$$"
cleanup() { ip netns del "$A" 2>/dev/null; ip netns del "$B" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

. "$SRCDIR/tests/integration/kdiff_ns.sh"

total_a=0; total_u=0; total_d=0; fail=0; nrs=0
total_p=0; tr_n=0; tr_a=0; tr_m=0; tr_d=0; tr_nc=0
# per family: rulesets packets agreed unknown disagreed rules agree maybe differ notcompared
declare -A F
for k in 4 6; do F[$k]="0 0 0 0 0 0 0 0 0 0"; done
# fam_add FAM N...: adds the numbers to F[FAM]
fam_add() {
	local f=$1 i=0 out="" a; shift
	for a in ${F[$f]}; do
		out="$out $((a + ${1:-0}))"; shift
	done
	F[$f]=${out# }
}
# run_one NAME FILE
run_one() {
	local name=$1 file=$2 ifn fam out restore
	set -- $("$tool" ifname "$file" 2>/dev/null) || { echo "SKIP $name: does not parse"; return; }
	[ $# -eq 2 ] || { echo "SKIP $name: does not parse"; return; }
	ifn=$1; fam=$2
	if [ "$fam" = 6 ]; then
		[ -n "$HAVE6" ] || { echo "SKIP $name: IPv6 (ip6tables-legacy missing)"; return; }
		setup6 "$ifn" || { echo "FAIL $name: namespace setup (IPv6)"; fail=1; return; }
		restore=ip6tables-legacy-restore
	else
		setup "$ifn" || { echo "FAIL $name: namespace setup"; fail=1; return; }
		restore=iptables-legacy-restore
	fi
	if ! ip netns exec "$A" $restore < "$file" 2> "$WORK/err"; then
		echo "SKIP $name: $restore refuses it: $(head -c 200 "$WORK/err")"
		return
	fi
	out=$(ip netns exec "$A" "$tool" run --peer-ns "/run/netns/$B" --peer-if b0 --mac "$A_MAC" \
		--if "$ifn" "$file" 2>&1)
	rc=$?
	echo "$out" | grep -v '^ok ' | sed "s|^$file|$name|"
	[ $rc = 77 ] && return
	set -- $(echo "$out" | sed -n 's/.*: packets \([0-9]*\) agreed \([0-9]*\) unknown \([0-9]*\) disagreed \([0-9]*\).*/\1 \2 \3 \4/p')
	if [ $# -ne 4 ]; then echo "FAIL $name: no result (rc $rc)"; fail=1; return; fi
	total_p=$((total_p + $1)); total_a=$((total_a + $2)); total_u=$((total_u + $3))
	total_d=$((total_d + $4)); nrs=$((nrs + 1))
	fam_add "$fam" 1 "$@"
	set -- $(echo "$out" | sed -n 's/.*: per-rule: compared \([0-9]*\) rules, agree \([0-9]*\), maybe \([0-9]*\), differ \([0-9]*\)$/\1 \2 \3 \4/p')
	if [ $# -ne 4 ]; then echo "FAIL $name: no per-rule result (rc $rc)"; fail=1; return; fi
	tr_n=$((tr_n + $1)); tr_a=$((tr_a + $2)); tr_m=$((tr_m + $3)); tr_d=$((tr_d + $4))
	nc=$(echo "$out" | sed -n 's/.*: per-rule: \([0-9]*\) packets not compared.*/\1/p')
	tr_nc=$((tr_nc + nc))
	fam_add "$fam" 0 0 0 0 0 "$@" "$nc"
	[ $rc = 0 ] || fail=1
}

if [ -d "$corpus" ]; then
	while IFS= read -r f; do
		case "$f" in */LICENSE|*/COPYING) continue;; esac
		run_one "${f#$corpus/}" "$f"
	done < <(find "$corpus" -type f | sort)
else
	echo "NOTE: $corpus absent: corpus part skipped"
fi
# fixed rulesets of paths the corpus and the random ones rarely take (nat OUTPUT re-routes)
for f in "$SRCDIR"/tests/integration/ipt/*.rules; do
	[ -f "$f" ] && run_one "fixed/${f##*/}" "$f"
done
seed=${KDIFF_SEED:-$(date +%s)}
n=${KDIFF_RANDOM:-12}
n6=${KDIFF_RANDOM6:-8}
echo "random rulesets: seed $seed, $n IPv4 and $n6 IPv6 rulesets (KDIFF_SEED=$seed to repeat)"
for i in $(seq 1 "$n"); do
	"$tool" random $((seed + i)) 40 > "$WORK/random.rules"
	run_one "random-$((seed + i))" "$WORK/random.rules"
done
for i in $(seq 1 "$n6"); do
	"$tool" random6 $((seed + i)) 40 > "$WORK/random6.rules"
	run_one "random6-$((seed + i))" "$WORK/random6.rules"
done
for k in 4 6; do
	set -- ${F[$k]}
	echo "IPv$k over $1 rulesets: packets $2 agreed $3 unknown(kernel in set) $4 disagreed $5;" \
		"per-rule: compared $6 rules, agree $7, maybe $8, differ $9; ${10} packets not compared"
done
echo "TOTAL over $nrs rulesets: packets $total_p agreed $total_a unknown(kernel in set) $total_u disagreed $total_d"
echo "TOTAL per-rule: compared $tr_n rules, agree $tr_a, maybe $tr_m, differ $tr_d; $tr_nc packets not compared rule by rule (KDIFF_STRICT_RULES=${KDIFF_STRICT_RULES:-1})"
exit $fail
