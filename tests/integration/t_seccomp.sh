#!/bin/bash
# The collector's seccomp filter (src/collect/sandbox.c), tested through its own code:
# tools/sandbox_probe opens an AF_PACKET socket on a0 in a throw-away namespace, sends one
# frame (the kernel's tx counter of a0 in /proc/net/dev moves by one: the oracle that the
# socket can send), calls sandbox_enter() with that socket, then expects EPERM for every
# write and send on it, for dup and bind, for new sockets (NETLINK_ROUTE aside),
# setsockopt and fork, no movement of the tx counter, a thread that still starts, and
# death by SIGSYS for execve and ptrace. Then the collector itself reads a capture file
# under its sandbox (-r) and records every frame of it.
# Root only (exit 77 otherwise).
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}" "${TOOLS:?}"
. "$SRCDIR/tests/integration/netns.sh"
ns_test_start sec

if ip netns exec "$NS_A" "$TOOLS/sandbox_probe" a0 > "$WORK/probe.out" 2>&1; then
	ok "sandbox_probe: every check passed"
else
	bad "sandbox_probe exited $?"
fi
cat "$WORK/probe.out"
n=$(grep -c '^ok: ' "$WORK/probe.out" || true)
s=$(grep -c '^skip: \(ptrace\|fork\)' "$WORK/probe.out" || true)
# 21 checks; an AddressSanitizer build skips the ptrace and fork ones (its leak check at
# exit clones a tracer that ptraces the process, so such builds allow both)
[ $((n + s)) = 21 ] && [ "$s" -le 2 ] && ok "$n probe checks passed, $s skipped, of 21" \
	|| bad "$n probe checks passed, $s skipped, expected 21"

# The collector under its sandbox with -r: 5 frames written by tcpdump's own file format
# (python's struct below is the oracle: 5 records), all counted.
python3 - "$WORK/five.pcap" <<'PY'
import struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(5):
        eth = b"\x02\x00\x00\x00\x00\x01" + b"\x02\x00\x00\x00\x00\x02" + b"\x08\x00"
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, i, 0, 64, 17, 0,
                         bytes([45, 33, 1, 20]), bytes([45, 33, 1, 10]))
        udp = struct.pack("!HHHH", 4000 + i, 53, 8, 0)
        fr = eth + ip + udp
        f.write(struct.pack("<IIII", 1700000000 + i, 0, len(fr), len(fr)) + fr)
PY
if "$SPOOFAUDIT" collect -q -r "$WORK/five.pcap" --db "$WORK/files.db" 2> "$WORK/files.err"; then
	ok "collect -r runs under the sandbox"
else
	bad "collect -r exited $?: $(cat "$WORK/files.err")"
fi
n=$(sqlite3 "$WORK/files.db" "SELECT coalesce(sum(packets), 0) FROM flows" 2>/dev/null || echo err)
[ "$n" = 5 ] && ok "collect -r recorded the 5 frames" || bad "collect -r recorded $n frames"
exit $fail
