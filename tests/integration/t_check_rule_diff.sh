#!/bin/bash
# `check --against`: a diff of rules, not only of verdicts (issue 9, fault 11). The current
# ruleset has `-A INPUT -s 127.0.0.0/8 ! -i lo -j REJECT`; the proposed one drops it (and
# turns the INPUT policy to DROP, keeping the udp/9 ACCEPT). Spoofed 127.9.8.7 -> udp/9
# packets are sent to the host and recorded by the collector, twice:
#   route_localnet=1 (rp_filter=0, so only an address the host holds would be refused):
#     the REJECT rule takes them (kernel counter = sent); check must name the removed rule
#     with that count, and say nothing stops them now: ACCEPT by the udp/9 rule. Oracle:
#     the proposed ruleset loaded in the kernel, the same packets sent again: its udp/9
#     rule counts every one.
#   route_localnet=0: the kernel's martian check drops them before INPUT (every INPUT
#     counter and the policy's stay 0, under both rulesets); check must still name the
#     removed rule as the ruleset's own defence against them and say the protection now
#     rests on the kernel alone, as long as route_localnet=0.
set -euo pipefail
. "${SRCDIR:?}/tests/integration/netns.sh"
ns_test_start crd iptables-restore
N=4
python3 "$SRCDIR/tests/tools/gen_frames.py" "$WORK/s.pcap" udp:127.9.8.7:4001:45.33.1.10:9:$N
ns_filter_rules ACCEPT ACCEPT '-A INPUT -s 127.0.0.0/8 ! -i lo -j REJECT' \
	'-A INPUT -p udp --dport 9 -j ACCEPT' > "$WORK/cur.rules"
ns_filter_rules DROP ACCEPT '-A INPUT -p udp --dport 9 -j ACCEPT' \
	'-A INPUT -p tcp --dport 22 -j ACCEPT' > "$WORK/new.rules"
X="ip netns exec $NS_A"
$X sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.a0.rp_filter=0 \
	net.ipv4.conf.all.accept_local=0 net.ipv4.conf.a0.accept_local=0
# INPUT's counters: "policy rule1 rule2" packets
counters() { $X iptables -L INPUT -v -x -n | awk 'NR == 1 {p = $5} NR > 2 {r = r " " $1} END {print p r}'; }
send() { ip netns exec "$NS_B" "$TOOLS/inject" -i b0 -m "$A_MAC" "$WORK/s.pcap" > /dev/null; sleep 0.5; }

for rl in 1 0; do
	$X sysctl -qw net.ipv4.conf.all.route_localnet=$rl net.ipv4.conf.a0.route_localnet=$rl
	$X iptables-restore < "$WORK/cur.rules"
	db="$WORK/rl$rl.db"
	ns_collect -q -i a0 --db "$db" --user root --duration 600
	ns_wait_sources "$db" 2
	send
	sleep 1
	ns_collect_stop
	cur=$(counters)
	$X iptables-restore < "$WORK/new.rules"
	send
	new=$(counters)
	echo "route_localnet=$rl: kernel INPUT counters (policy, rules): current '$cur', proposed '$new'"
	"$SPOOFAUDIT" check --ruleset "$WORK/new.rules" --against "$WORK/cur.rules" --db "$db" \
		--format json > "$WORK/c$rl.json"
	"$SPOOFAUDIT" check --ruleset "$WORK/new.rules" --against "$WORK/cur.rules" --db "$db" \
		> "$WORK/c$rl.txt"
	sed -n '/^== Rule changes/,/^$/p' "$WORK/c$rl.txt"
	python3 - "$WORK/c$rl.json" "$rl" "$N" "$cur" "$new" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
rl, n = int(sys.argv[2]), int(sys.argv[3])
cur = [int(x) for x in sys.argv[4].split()]     # policy, REJECT, udp/9
new = [int(x) for x in sys.argv[5].split()]     # policy, udp/9, tcp/22
bad = 0
def check(c, what):
    global bad
    print(("ok: " if c else "FAIL: ") + "route_localnet=%d: %s" % (rl, what))
    bad |= not c
# the kernel is the oracle: what it did under each ruleset
if rl:
    check(cur[1] == n and new[1] == n, "kernel: REJECT took %d, then the proposed udp/9 ACCEPT %d" % (cur[1], new[1]))
else:
    check(sum(cur) == 0 and sum(new) == 0, "kernel: nothing reached INPUT under either ruleset")
rm = [c for c in d["rule_changes"] if c["op"] == "removed"]
check(len(rm) == 1 and "127.0.0.0/8" in rm[0]["current"]["text"], "the removed rule is named")
if not rm:
    sys.exit(1)
r = rm[0]
check(r["current"]["packets"] == cur[1], "its current packets %d = the kernel's REJECT counter %d"
      % (r["current"]["packets"], cur[1]))
s = r["spoofed_stopped"]
check(s["packets"] == n, "the ruleset's own defence against the %d spoofed packets: %d" % (n, s["packets"]))
now = s["now"]
if rl:
    ok = len(now) == 1 and now[0]["hole"] and now[0]["packets"] == n and \
        now[0]["outcome"]["verdict"] == "ACCEPT" and new[1] == n
    check(ok, "now: a hole, ACCEPT (kernel: the proposed udp/9 rule counted %d): %s" % (new[1], now))
else:
    ok = len(now) == 1 and not now[0]["hole"] and now[0]["packets"] == n and \
        now[0]["outcome"]["by"] == "martian" and now[0]["outcome"].get("sysctl") == "route_localnet=0"
    check(ok and s["kernel_first_packets"] == n, "now: only the kernel's martian check, route_localnet=0: %s" % now)
pol = [c for c in d["rule_changes"] if c["op"] == "policy"]
check(len(pol) == 1 and pol[0]["policy"] == {"current": "ACCEPT", "proposed": "DROP"}, "the policy change is listed")
add = [c for c in d["rule_changes"] if c["op"] == "added"]
check(len(add) == 1 and "--dport 22" in add[0]["proposed"]["text"] and add[0]["proposed"]["packets"] == new[2],
      "the added tcp/22 rule, with the kernel's count %d" % new[2])
sys.exit(bad)
PY
	$X iptables-restore < "$WORK/cur.rules"	# zeroes the counters
done
exit $fail
