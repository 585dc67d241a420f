#!/bin/bash
# The report's kernel-context notes speak per family and per class (issue 9, fault 8):
# route_localnet drops only the IPv4 127/8 packets (in_martian_src / in_martian_dst); IPv6
# input drops ::1 (either end) before PREROUTING, and an IPv4-mapped loopback source
# (::ffff:127.0.0.1) is no martian to IPv6; accept_local=0 drops the IPv4 own-address
# sources only; the zero-net note follows the recorded kernel (all of 0/8 before Linux
# 5.3, only 0.0.0.0 since, ipv4_is_zeronet). The oracle is the packet list written here.
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TZ=UTC
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# (source, destination, copies): UDP to port 9, on one external interface of 192.0.2.1 / 2001:db8::1
python3 "$SRCDIR/tests/tools/gen_families.py" "$work/k.pcap"
"$SPOOFAUDIT" collect -q -r "$work/k.pcap" --iface-name eth0 --role eth0=external \
	--host-addr 192.0.2.1 --host-addr 2001:db8::1 --db "$work/k.db"
day=$(date -u -d @1790000000 +%F)
for rel in 4.19.0-27-amd64 6.1.0-28-amd64; do
	sqlite3 "$work/k.db" "DELETE FROM kernel_ctx; INSERT INTO kernel_ctx SELECT (SELECT min(id) FROM runs), 'all', k, v
		FROM (SELECT 'route_localnet' k, '0' v UNION ALL SELECT 'rp_filter', '0'
		UNION ALL SELECT 'accept_local', '0' UNION ALL SELECT 'log_martians', '0'
		UNION ALL SELECT 'kernel_release', '$rel')"
	"$SPOOFAUDIT" report --db "$work/k.db" --day "$day" -f json --force -o "$work/k.json"
	python3 - "$work/k.json" "$rel" <<'PY' || fail=1
import json, sys
j = json.load(open(sys.argv[1]))
rel = sys.argv[2]
notes = " ".join(n["text"] for n in j["notes"] if n["section"] == "kernel")
want = ["the 3 IPv4 packets with a 127/8 source", "the 7 with a 127/8 destination",
        "drops the 2 packets with a ::1 source and the 8 with a ::1 destination before PREROUTING",
        "the 4 with an IPv4-mapped loopback source", "dropped the 5 IPv4 packets carrying the host's own address",
        "the 6 IPv6 ones passed", "3 packets have a 0/8 source",
        ("all of 0/8 on the recorded Linux " if rel.startswith("4.") else "only 0.0.0.0 on the recorded Linux ") + rel]
bad = 0
for w in want:
    if w in notes:
        print("ok: %s: %s" % (rel, w))
    else:
        print("FAIL: %s: not in the kernel notes: %s" % (rel, w)); bad = 1
# the verdict: 0.0.0.0 is a martian on every kernel, 0.1.2.3 only before Linux 5.3
v = [c for c in j["verdict"]["classes"] if c["class"] == "bogon_src"][0]
want = (3, 0) if rel.startswith("4.") else (2, 1)
got = (v["dropped_by_kernel"], v["passed_kernel"])
print(("ok: " if got == want else "FAIL: ") + "%s: bogon_src dropped by the kernel, passed: %s (want %s)" % (rel, got, want))
bad |= got != want
if bad:
    print(notes)
sys.exit(bad)
PY
done
exit $fail
