#!/bin/bash
# The reverse-path check on capture files (collect -r --route): a saved `ip -j route show
# table all` dump, an `ip -j rule show` dump and a --route 'PREFIX dev IF' option give the
# route snapshot; one packet per source arrives on eth0 (--iface-name). The expected class
# of each source is hand-checked from the kernel's fib_validate_source (rp_filter=1):
# a route back by eth0 passes, by another interface is rpf_strict, a blackhole,
# unreachable or missing route is rpf_no_route, a local/broadcast source is not rp_filter's
# (and own_addr_src / bogon_src keep precedence). Then: loose mode fails only the sources
# with no route back; --rpf eth0=off checks nothing; no --route says "not evaluated"; a bad
# --route fails the run naming it.
set -euo pipefail
: "${SPOOFAUDIT:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# source  expected-strict  expected-loose
cat > "$work/expect" <<'EOF'
45.33.1.20 normal normal
23.4.0.1 normal normal
23.1.0.1 rpf_fail/rpf_strict normal
23.2.0.1 rpf_fail/rpf_no_route rpf_fail/rpf_no_route
23.3.0.1 rpf_fail/rpf_no_route rpf_fail/rpf_no_route
23.5.0.1 normal normal
23.9.0.1 rpf_fail/rpf_strict normal
23.7.0.1 normal normal
23.20.0.1 rpf_fail/rpf_strict normal
8.8.8.8 normal normal
45.33.1.255 normal normal
45.33.1.10 own_addr_src/none own_addr_src/none
10.9.9.9 bogon_src/private bogon_src/private
EOF

python3 - "$work" <<'PY'
import struct, sys
out = sys.argv[1]
srcs = [l.split()[0] for l in open(out + "/expect")]
with open(out + "/in.pcap", "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i, s in enumerate(srcs):
        udp = struct.pack("!HHHH", 40000 + i, 53, 8, 0)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, i, 0, 64, 17, 0,
                         bytes(map(int, s.split("."))), bytes((45, 33, 1, 10)))
        fr = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + udp
        f.write(struct.pack("<IIII", 1700000000 + i, 0, len(fr), len(fr)))
        f.write(fr)
PY
# As iproute2 prints them: the default route and 45.33.1/24 by eth0, eth1 and eth2 beside it.
cat > "$work/routes.json" <<'EOF'
[{"dst":"default","gateway":"45.33.1.1","dev":"eth0","flags":[]},
 {"dst":"45.33.1.0/24","dev":"eth0","protocol":"kernel","scope":"link","prefsrc":"45.33.1.10","flags":[]},
 {"dst":"23.1.0.0/16","dev":"eth1","scope":"link","flags":[]},
 {"dst":"23.4.0.0/16","dev":"eth0","scope":"link","flags":[]},
 {"type":"blackhole","dst":"23.2.0.0/16","flags":[]},
 {"type":"unreachable","dst":"23.3.0.0/16","flags":[]},
 {"dst":"23.5.0.0/16","dev":"eth1","scope":"link","flags":[]},
 {"dst":"23.5.0.0/16","dev":"eth0","table":"100","scope":"link","flags":[]},
 {"dst":"23.9.0.0/16","dev":"eth1","table":"101","scope":"link","flags":[]},
 {"dst":"23.7.0.0/16","flags":[],"nexthops":[{"dev":"eth0","weight":1,"flags":[]},{"dev":"eth1","weight":1,"flags":[]}]},
 {"type":"local","dst":"45.33.1.10","dev":"eth0","table":"local","protocol":"kernel","scope":"host","prefsrc":"45.33.1.10","flags":[]},
 {"type":"broadcast","dst":"45.33.1.255","dev":"eth0","table":"local","protocol":"kernel","scope":"link","prefsrc":"45.33.1.10","flags":[]}]
EOF
cat > "$work/rules.json" <<'EOF'
[{"priority":0,"src":"all","table":"local"},
 {"priority":100,"src":"45.33.1.10","dst":"23.5.0.0","dstlen":16,"table":"100"},
 {"priority":111,"src":"all","dst":"23.9.0.0","dstlen":16,"table":"101"},
 {"priority":32766,"src":"all","table":"main"},
 {"priority":32767,"src":"all","table":"default"}]
EOF
fail=0
run() {		# run NAME ARGS...: collects in.pcap, prints "src class/subclass" per flow
	local name=$1
	shift
	rm -f "$work/$name.db"*
	"$SPOOFAUDIT" collect -r "$work/in.pcap" --iface-name eth0 --host-addr 45.33.1.10 --db "$work/$name.db" "$@" \
		2> "$work/$name.err"
	sqlite3 -separator ' ' "$work/$name.db" "SELECT src, class || '/' || subclass FROM flows" |
		sed 's|/none$|/none|; s| normal/none$| normal|' > "$work/$name.got"
}
compare() {	# compare NAME COLUMN
	local s want got
	while read -r s a b; do
		want=$([ "$2" = 2 ] && echo "$a" || echo "$b")
		got=$(awk -v s="$s" '$1 == s {print $2}' "$work/$1.got")
		if [ "$got" = "$want" ]; then echo "ok: $1: $s $got"
		else echo "FAIL: $1: $s: got '$got', want '$want'"; fail=1; fi
	done < "$work/expect"
}
R=(--route "$work/routes.json" --route "$work/rules.json" --route "23.20.0.0/16 dev eth2")
run strict "${R[@]}"
compare strict 2
grep -q "reverse-path check (rpf_fail): 13 routes, 7 rules from --route" "$work/strict.err" &&
	echo "ok: summary names the snapshot" || { echo "FAIL: summary"; cat "$work/strict.err"; fail=1; }
# the report's verdict lists the class and says what rp_filter=1 on eth0 would do
"$SPOOFAUDIT" report --db "$work/strict.db" --day 2023-11-14 > "$work/report.txt"
if grep -Eq '^  rpf_fail +5 ' "$work/report.txt" &&
   grep -q 'sysctl -w net.ipv4.conf.eth0.rp_filter=1' "$work/report.txt"; then
	echo "ok: the report's verdict lists rpf_fail (5) and the rp_filter=1 step for eth0"
else
	echo "FAIL: report verdict"; sed -n '/== Verdict/,/== Host/p' "$work/report.txt"; fail=1
fi
run loose "${R[@]}" --rpf loose
compare loose 3
run off "${R[@]}" --rpf eth0=off
n=$(grep -c rpf_fail "$work/off.got" || true)
[ "$n" = 0 ] && echo "ok: --rpf eth0=off: no rpf_fail" || { echo "FAIL: --rpf eth0=off: $n"; fail=1; }
run none
n=$(grep -c rpf_fail "$work/none.got" || true)
if [ "$n" = 0 ] && grep -q "reverse-path check (rpf_fail): not evaluated: no route snapshot for files" "$work/none.err"; then
	echo "ok: without --route the summary says the check was not evaluated"
else
	echo "FAIL: without --route: $n rpf_fail"; cat "$work/none.err"; fail=1
fi
echo '[{"dst":"bogus"}]' > "$work/bad.json"
if "$SPOOFAUDIT" collect -q -r "$work/in.pcap" --db "$work/bad.db" --route "$work/bad.json" 2> "$work/bad.err"; then
	echo "FAIL: a bad --route dump was accepted"; fail=1
elif grep -q -- "--route $work/bad.json: entry 1: bad \"dst\" bogus" "$work/bad.err"; then
	echo "ok: a bad --route dump fails the run, naming it"
else
	echo "FAIL: bad --route message"; cat "$work/bad.err"; fail=1
fi
"$SPOOFAUDIT" collect -q -r "$work/in.pcap" --db "$work/bad2.db" --rpf sideways 2> "$work/bad2.err" &&
	{ echo "FAIL: --rpf sideways accepted"; fail=1; } || echo "ok: --rpf sideways refused"
exit $fail
