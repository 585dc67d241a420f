#!/bin/bash
# The live audit after the privilege drop (collect --policy --user nobody): the collector
# runs as nobody with no capability, the ruleset reader it forked before the drop keeps
# root and nothing else (its only open descriptors are stdio and its socket), and a change
# to the live ruleset made after the drop is still seen (rule added, flows affected).
# SIGHUP re-reads the intended policy (readable by nobody) and reports what changed.
# Root only (exit 77 otherwise).
set -euo pipefail
. "${SRCDIR:?}/tests/integration/live_policy.sh"
ns_test_start lpd iptables-restore
id nobody >/dev/null 2>&1 || { echo "SKIP: no user nobody"; exit 77; }
chmod 0755 "$WORK"

D="$WORK/db"
install -d -o nobody -m 0755 "$D"
live_same_policy ACCEPT ACCEPT '-A INPUT -i lo -j ACCEPT'
chmod 0644 "$WORK/intended.rules"
LIVE_DB="$D/live.db"
live_collect 3 1.5 -q -i a0 -i lo --db "$LIVE_DB" --role a0=external \
	--flush-interval 1 --ruleset-poll 1 --alert json --user nobody --duration 120 \
	--policy "$WORK/intended.rules"
st=/proc/$LIVE_PID/status
grep -E '^(Uid|CapEff|CapPrm)' $st | tr '\n' ' '; echo
uid=$(awk '/^Uid/ {print $2}' $st)
[ "$uid" = "$(id -u nobody)" ] && [ "$(awk '/^CapEff/ {print $2}' $st)" = 0000000000000000 ] \
	&& ok "collector runs as nobody, no capability" || bad "collector uid $uid"
helper=$(pgrep -P "$LIVE_PID" | head -1)
if [ -n "$helper" ]; then
	echo "helper $helper: $(cat /proc/$helper/comm) uid $(awk '/^Uid/ {print $2}' /proc/$helper/status), fds: $(ls /proc/$helper/fd | tr '\n' ' ')"
	[ "$(ls /proc/$helper/fd | wc -l)" -le 4 ] && ok "the helper holds only stdio and its socket" || bad "helper fds"
else
	bad "no ruleset reader process"
fi
# a change after the drop: a rule added live
ip netns exec "$NS_A" iptables -A INPUT -p tcp --dport 2222 -j DROP
sleep 2.5
live_expect ruleset_differs 'rule added in the live ruleset: `-A INPUT -p tcp -m tcp --dport 2222 -j DROP' = 1 "a live change after the drop is read (rule added)" "live change not seen"
# SIGHUP: the intended policy now has the rule too, and one more
ns_filter_rules ACCEPT ACCEPT '-A INPUT -i lo -j ACCEPT' '-A INPUT -p tcp --dport 2222 -j DROP' \
	'-A INPUT -p udp --dport 9 -j DROP' > "$WORK/intended.rules"
kill -HUP $LIVE_PID
sleep 2.5
live_stop
grep -q 'reloaded the intended IPv4 policy .*: 2 changes' "$WORK/alerts" && ok "SIGHUP: reloaded, 2 changes reported" || bad "reload not reported"
n=$(grep -c 'rule added in the reloaded policy' "$WORK/alerts" || true)
[ "$n" = 2 ] && ok "SIGHUP: both added rules named" || bad "reload lines: $n"
live_expect ruleset_differs 'rule missing from the live ruleset: `-A INPUT -p udp -m udp --dport 9 -j DROP' = 1 "after the reload, live compared again: the udp/9 rule is missing live" "no re-compare"
exit $fail
