#!/bin/bash
# rpf_fail agrees with the kernel's own rp_filter=1, packet for packet. The auditing
# namespace has a0 (netns.sh) and a second veth d1, no default route, and routes and policy
# rules such that some sources route back by a0, some by d1, some not at all (blackhole,
# unreachable, prohibit, no route), one through a `from` rule (the reverse lookup's
# `from` is the packet's destination), one through a `to` rule, one through a throw, one
# multipath. rp_filter=1 on a0. One UDP packet per source is injected on a0; the oracle is
# the kernel's IPReversePathFilter counter (/proc/net/netstat) read before and after each
# packet. The live collector (route snapshot over netlink) must call exactly the packets
# the kernel dropped rpf_fail. Two routes change while it runs: it must follow them.
# Root only (exit 77 otherwise).
set -euo pipefail
. "${SRCDIR:?}/tests/integration/netns.sh"
ns_test_start rpf python3 sqlite3

A() { ip -n "$NS_A" "$@"; }
# d1: a second interface (a veth whose peer c1 stays silent in the sender namespace)
A link add d1 type veth peer name c1 netns "$NS_B"
ip -n "$NS_B" link set c1 up
A link set d1 up
A addr add 10.77.0.1/24 dev d1
A route add 23.1.0.0/16 dev d1			# back by the other interface
A route add 23.4.0.0/16 dev a0			# back by a0
A route add blackhole 23.2.0.0/16
A route add unreachable 23.3.0.0/16
A route add 23.5.0.0/16 dev d1			# main says d1, but:
A route add 23.5.0.0/16 dev a0 table 100
A rule add from 45.33.1.10 to 23.5.0.0/16 lookup 100 pref 100	# from = the packet's dst
A route add 23.6.0.0/16 dev a0
A route add throw 23.6.0.0/16 table 101		# throw: back to main (a0)
A rule add to 23.6.0.0/16 lookup 101 pref 110
A route add 23.9.0.0/16 dev a0			# main says a0, but:
A route add 23.9.0.0/16 dev d1 table 101
A rule add to 23.9.0.0/16 lookup 101 pref 111
A route add 23.10.0.0/16 dev a0
A rule add to 23.10.0.0/16 prohibit pref 120
A route add 23.7.0.0/16 nexthop dev a0 nexthop dev d1
A route add 23.8.0.0/16 dev d1			# changed to a0 while the collector runs
A route add 23.11.0.0/16 dev a0			# changed to d1 while the collector runs
ip netns exec "$NS_A" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.a0.rp_filter=1

# sources: a0's own subnet, each route above, no route at all (8.8.8.8, 23.12.0.1), the
# subnet broadcast and the host's own address (both martians the kernel counts elsewhere)
SRCS="45.33.1.20 23.4.0.1 23.1.0.1 23.2.0.1 23.3.0.1 23.5.0.1 23.6.0.1 23.9.0.1 23.10.0.1
      23.7.0.1 8.8.8.8 23.12.0.1 45.33.1.255 45.33.1.10"
LATE="23.8.0.1 23.11.0.1"
n=0
for s in $SRCS $LATE; do
	n=$((n + 1))
	python3 "$SRCDIR/tests/tools/gen_frames.py" "$WORK/$s.pcap" "udp:$s:$((40000 + n)):45.33.1.10:9:1"
done

rpf_counter() {
	ip netns exec "$NS_A" awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) k[i] = $i; h = 1 }
		else for (i = 1; i <= NF; i++) if (k[i] == "IPReversePathFilter") print $i }' /proc/net/netstat
}

DB="$WORK/rpf.db"
ns_collect -i a0 --role a0=external --db "$DB" --flush-interval 1 -q 2> "$WORK/collect.err"
ns_wait_sources "$DB" 1
sleep 0.5
: > "$WORK/kernel"
send() {	# one packet from $1; records "SRC 1" when the kernel's rp_filter dropped it
	local before after
	before=$(rpf_counter)
	ip netns exec "$NS_B" "$TOOLS/inject" -i b0 -m "$A_MAC" "$WORK/$1.pcap" > /dev/null
	sleep 0.2
	after=$(rpf_counter)
	echo "$1 $((after > before ? 1 : 0))" >> "$WORK/kernel"
}
for s in $SRCS; do send "$s"; done
A route replace 23.8.0.0/16 dev a0
A route replace 23.11.0.0/16 dev d1
sleep 2.5	# the collector looks for changes at most once a second
for s in $LATE; do send "$s"; done
sleep 1.5
ns_collect_stop
cat "$WORK/collect.err"

sqlite3 -separator ' ' "$DB" "SELECT src, class, subclass FROM flows WHERE dst = '45.33.1.10'" \
	> "$WORK/flows"
drops=0 passes=0
while read -r s k; do
	row=$(awk -v s="$s" '$1 == s' "$WORK/flows")
	cls=$(echo "$row" | awk '{print $2}')
	if [ -z "$row" ]; then bad "$s: not captured"; continue; fi
	[ "$k" = 1 ] && drops=$((drops + 1)) || passes=$((passes + 1))
	ours=0; [ "$cls" = rpf_fail ] && ours=1
	if [ "$ours" = "$k" ]; then
		ok "$s: kernel rp_filter drop=$k, spoofaudit: $row"
	else
		bad "$s: kernel rp_filter drop=$k, spoofaudit: $row"
	fi
done < "$WORK/kernel"
[ "$drops" -ge 6 ] && [ "$passes" -ge 6 ] && ok "$drops dropped, $passes passed by the kernel" ||
	bad "the kernel dropped $drops and passed $passes: the test did not exercise both"
exit $fail
