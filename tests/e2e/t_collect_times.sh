#!/bin/bash
# The summary's "time:" line (where a file run's time went: the capture thread's CPU, its
# wait for the writer thread, the writer thread's CPU and writing time) against the kernel's
# own accounting of the process (getrusage of the finished child, wall clock around it):
#   capture CPU + writer CPU <= the process's user + system time (both are its threads)
#   writer CPU <= its writing time (the thread does nothing else but wait)
#   waited <= the run's wall time; at least one batch written
# and -q prints no summary at all. The capture is many short flows, so the writer works.
set -euo pipefail
: "${SPOOFAUDIT:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work/many.pcap" <<'PY'
import struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i in range(120000):
        src = bytes([10 if i % 3 else 127, (i >> 16) & 255, (i >> 8) & 255, i & 255])
        udp = struct.pack("!HHHH", 1024 + i % 50000, 53, 8, 0)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 0, 0, 64, 17, 0, src, bytes([198, 51, 100, 1]))
        fr = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + udp
        f.write(struct.pack("<IIII", 1700000000 + i // 1000, i % 1000, len(fr), len(fr)) + fr)
PY

python3 - "$SPOOFAUDIT" "$work" <<'PY'
import re, resource, subprocess, sys, time
sa, work = sys.argv[1], sys.argv[2]
fails = 0
def check(cond, what):
    global fails
    print(("ok: " if cond else "FAIL: ") + what)
    fails += not cond

t0 = time.monotonic()
p = subprocess.run([sa, "collect", "-r", work + "/many.pcap", "--db", work + "/t.db"],
                   capture_output=True, text=True)
wall = time.monotonic() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = ru.ru_utime + ru.ru_stime
check(p.returncode == 0, "collect -r exits 0 (%d)" % p.returncode)
m = re.search(r"^  time: capture thread ([0-9.]+) s CPU, waited ([0-9.]+) s for the writer; "
              r"writer thread ([0-9.]+) s CPU, ([0-9.]+) s writing ([0-9]+) batch(es)?$",
              p.stderr, re.M)
check(m is not None, "the summary has its time: line")
if m:
    cap, waited, wcpu, wwrite, batches = (float(m.group(i)) for i in range(1, 6))
    print("  %s; process: %.2f s CPU, %.2f s wall" % (m.group(0).strip(), cpu, wall))
    check(batches >= 1, "the writer thread wrote %d batches (>= 1)" % batches)
    check(wcpu > 0 and cap > 0, "both threads' CPU times are measured")
    # two figures rounded to 0.01 each, the kernel's to its tick
    check(cap + wcpu <= cpu + 0.03, "capture + writer CPU %.2f <= process CPU %.2f" % (cap + wcpu, cpu))
    check(wcpu <= wwrite + 0.02, "writer CPU %.2f <= its writing time %.2f" % (wcpu, wwrite))
    check(waited <= wall + 0.01, "waited %.2f <= wall %.2f" % (waited, wall))

q = subprocess.run([sa, "collect", "-q", "-r", work + "/many.pcap", "--db", work + "/q.db"],
                   capture_output=True, text=True)
check(q.returncode == 0 and "time:" not in q.stderr, "-q prints no time: line")
sys.exit(1 if fails else 0)
PY
