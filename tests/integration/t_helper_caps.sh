#!/bin/bash
# The privileged ruleset reader (collect --policy forks it before the privilege drop) keeps
# only what iptables-save and ip6tables-save need: CAP_NET_ADMIN (nft netlink) and
# CAP_NET_RAW (the legacy tables' raw socket), in its effective, permitted and bounding
# sets, nothing inheritable or ambient beyond them, and NoNewPrivs set; and the programs
# it runs still read the live ruleset (a rule added after the start is seen).
# Expected masks from linux/capability.h: CAP_NET_ADMIN = 12, CAP_NET_RAW = 13, so
# (1 << 12) | (1 << 13) = 0x3000. Root only (exit 77 otherwise).
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}" "${TOOLS:?}"
. "$SRCDIR/tests/integration/netns.sh"
. "$SRCDIR/tests/integration/live_policy.sh"
ns_test_start hcp iptables-restore

printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n' \
	> "$WORK/intended.rules"
ip netns exec "$NS_A" iptables-restore < "$WORK/intended.rules"
live_start --policy "$WORK/intended.rules"
helper=$(pgrep -P "$LIVE_PID" | head -1)
if [ -z "$helper" ]; then
	bad "no ruleset reader process"
	live_stop
	exit 1
fi
st=/proc/$helper/status
echo "helper $helper ($(cat /proc/$helper/comm)):"
grep -E '^(Uid|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs)' "$st"
field() { awk -v k="$1:" '$1 == k {print $2}' "$st"; }
want=0000000000003000
[ "$(field CapEff)" = $want ] && ok "CapEff is NET_ADMIN|NET_RAW" || bad "CapEff $(field CapEff), want $want"
[ "$(field CapPrm)" = $want ] && ok "CapPrm is NET_ADMIN|NET_RAW" || bad "CapPrm $(field CapPrm), want $want"
[ "$(field CapBnd)" = $want ] && ok "CapBnd is NET_ADMIN|NET_RAW" || bad "CapBnd $(field CapBnd), want $want"
for k in CapInh CapAmb; do
	v=$((16#$(field $k)))
	[ $((v & ~0x3000)) = 0 ] && ok "$k within NET_ADMIN|NET_RAW" || bad "$k $(field $k)"
done
[ "$(field NoNewPrivs)" = 1 ] && ok "NoNewPrivs 1" || bad "NoNewPrivs $(field NoNewPrivs)"
# the reduced helper still runs iptables-save: a rule added live is read
ip netns exec "$NS_A" iptables -A INPUT -p tcp --dport 2222 -j DROP
sleep 2.5
live_stop
n=$(live_count ruleset_differs 'rule added in the live ruleset: `-A INPUT -p tcp -m tcp --dport 2222 -j DROP')
[ "$n" = 1 ] && ok "the helper still reads the live ruleset (rule added seen)" || bad "live change not seen: $n"
grep -q 'cannot read the live' "$WORK/alerts" && bad "the helper could not read the live ruleset" || true
exit $fail
