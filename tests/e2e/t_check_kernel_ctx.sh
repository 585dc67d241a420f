#!/bin/bash
# `check` models the kernel the runs recorded, not the one running `check`: a collector
# records `uname -r` and net.ipv4.conf.*.forwarding in kernel_ctx. Two packets, on an
# external interface of a host at 192.0.2.1:
#   0.1.2.3 -> 192.0.2.1 tcp/22: before Linux 5.3 every 0/8 source was a martian
#     (ipv4_is_zeronet tested the /8) and ip_route_input_slow dropped it before INPUT;
#     since 5.3 only 0.0.0.0 is, and the packet reaches INPUT's --dport 22 rule;
#   93.184.216.34 -> 192.0.2.1 tcp/2222, DNAT'd to 10.9.9.9:22: with forwarding off,
#     ip_route_input_slow (!IN_DEV_FORWARD -> no_route) drops it and FORWARD never sees
#     it; with forwarding on, FORWARD's rule takes it. The switch that counts is the
#     input device's (eth0), where it is set apart from all's.
# Expected hits per (kernel, forwarding), from those kernel facts: INPUT 0 on 4.19 and 1
# on 6.1; FORWARD = forwarding. Every hit must be definite (all settings are recorded).
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

python3 "$SRCDIR/tests/tools/gen_frames.py" "$work/f.pcap" syn:0.1.2.3:1234:192.0.2.1:22:1 \
	syn:93.184.216.34:5000:192.0.2.1:2222:1
"$SPOOFAUDIT" collect -q -r "$work/f.pcap" --iface-name eth0 --role eth0=external \
	--host-addr 192.0.2.1 --db "$work/t.db"
cat > "$work/r.rules" <<'RULES'
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p tcp --dport 2222 -j DNAT --to-destination 10.9.9.9:22
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp --dport 22 -j ACCEPT
-A FORWARD -d 10.9.9.9/32 -p tcp --dport 22 -j ACCEPT
COMMIT
RULES
# A file carries no kernel context: the rows a live run on such a host would have written.
for rel in 4.19.0-27-amd64 6.1.0-28-amd64; do
	for fw in 0 1; do
		rows=""
		for scope in all eth0; do
			rows="$rows,(1,'$scope','rp_filter','0'),(1,'$scope','route_localnet','0'),"
			rows="$rows(1,'$scope','accept_local','0'),(1,'$scope','forwarding','$fw')"
		done
		sqlite3 "$work/t.db" "DELETE FROM kernel_ctx; INSERT INTO kernel_ctx
			VALUES (1,'all','kernel_release','$rel')$rows"
		"$SPOOFAUDIT" check --ruleset "$work/r.rules" --db "$work/t.db" --format json > "$work/o.json"
		"$SPOOFAUDIT" check --ruleset "$work/r.rules" --db "$work/t.db" > "$work/o.txt"
		want_in=$([ "${rel%%.*}" -ge 6 ] && echo 1 || echo 0)
		got=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
h = {r["chain"]: (r["packets"], r["maybe_packets"]) for r in d["rules"]}
print(h["INPUT"][0], h["FORWARD"][0], h["INPUT"][1] + h["FORWARD"][1], d["kernel"]["version"],
      d["kernel"]["ip_forward"])' "$work/o.json")
		want="$want_in $fw 0 ${rel%%-*} $([ "$fw" = 1 ] && echo on || echo off)"
		[ "$got" = "$want" ] && ok "$rel forwarding=$fw: INPUT, FORWARD, maybe, kernel: $got" ||
			bad "$rel forwarding=$fw: got '$got', want '$want'"
		grep -q "^kernel modelled: Linux ${rel%%-*} (recorded by the runs)" "$work/o.txt" &&
			ok "$rel: the text names the recorded kernel" || bad "$rel: text: $(grep kernel "$work/o.txt")"
	done
done
# The input device's own switch set apart from all's (ip_forward): IPv4 forwards what
# comes in on a device whose net.ipv4.conf.IF.forwarding is on (ip_route_input_slow:
# IN_DEV_FORWARD reads the device's conf only), so FORWARD = eth0's; --ip-forward sets
# all and every device, as writing net.ipv4.ip_forward does.
for pair in "1 0" "0 1"; do
	set -- $pair
	rows=""
	for scope in all eth0; do
		rows="$rows,(1,'$scope','rp_filter','0'),(1,'$scope','route_localnet','0'),"
		rows="$rows(1,'$scope','accept_local','0')"
	done
	sqlite3 "$work/t.db" "DELETE FROM kernel_ctx; INSERT INTO kernel_ctx VALUES
		(1,'all','kernel_release','6.1.0-28-amd64'),(1,'all','forwarding','$1'),
		(1,'eth0','forwarding','$2')$rows"
	"$SPOOFAUDIT" check --ruleset "$work/r.rules" --db "$work/t.db" --format json > "$work/o.json"
	got=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
h = {r["chain"]: (r["packets"], r["maybe_packets"]) for r in d["rules"]}
print(h["FORWARD"][0], h["FORWARD"][1], d["kernel"]["ip_forward"],
      d["kernel"]["ip_forward_devices_apart"].get("eth0"))' "$work/o.json")
	want="$2 0 $([ "$1" = 1 ] && echo on || echo off) $([ "$2" = 1 ] && echo on || echo off)"
	[ "$got" = "$want" ] && ok "all=$1 eth0=$2: FORWARD, maybe, all, eth0: $got" ||
		bad "all=$1 eth0=$2: got '$got', want '$want'"
	"$SPOOFAUDIT" check --ruleset "$work/r.rules" --db "$work/t.db" --ip-forward "$1" \
		--format json > "$work/o.json"
	got=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print([r["packets"] for r in d["rules"] if r["chain"] == "FORWARD"][0],
      len(d["kernel"]["ip_forward_devices_apart"]))' "$work/o.json")
	[ "$got" = "$1 0" ] && ok "all=$1 eth0=$2, --ip-forward $1: FORWARD $1, no device apart" ||
		bad "all=$1 eth0=$2, --ip-forward $1: got '$got', want '$1 0'"
done
# No recorded release: the running kernel, and the output says so.
sqlite3 "$work/t.db" "DELETE FROM kernel_ctx WHERE key = 'kernel_release'"
"$SPOOFAUDIT" check --ruleset "$work/r.rules" --db "$work/t.db" > "$work/o.txt"
run=$(uname -r); run=${run%%-*}
grep -q "^kernel modelled: Linux $run (the runs recorded none" "$work/o.txt" &&
	ok "unrecorded: the running kernel, said" || bad "unrecorded: $(grep kernel "$work/o.txt")"
exit $fail
