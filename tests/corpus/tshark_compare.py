#!/usr/bin/env python3
"""Compares the decoder (through tools/decode_dump) with tshark on every capture file of
the tcpdump regression corpus: for every frame where tshark decodes an IPv4/IPv6 header,
the outer header's source, destination and protocol must agree, unless the frame is listed
in tshark-exceptions.txt with the reason tshark (or the comparison) is wrong there.

Also fails on any AddressSanitizer/UBSan report on decode_dump's stderr.

usage: tshark_compare.py TOOLS_DIR CORPUS_DIR EXCEPTIONS_FILE [-v]
Exit 0 all agree (or are excused), 1 disagreement or sanitizer report, 77 skipped."""
import concurrent.futures
import os
import re
import subprocess
import sys

EXTHDR_PROTOS = {  # tshark protocol name in frame.protocols -> field with its next header
    "ipv6.hopopts": "ipv6.hopopts.nxt",
    "ipv6.routing": "ipv6.routing.nxt",
    "ipv6.fraghdr": "ipv6.fraghdr.nxt",
    "ipv6.dstopts": "ipv6.dstopts.nxt",
    "ah": "ah.next_header",
}
FIELDS = ["frame.number", "frame.protocols", "ip.src", "ip.dst", "ip.proto",
          "ipv6.src", "ipv6.dst", "ipv6.nxt"] + list(EXTHDR_PROTOS.values())
# Reassembly off: each frame is compared as captured, as the decoder sees it.
TSHARK_OPTS = ["-n", "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
               "-o", "ip.check_checksum:FALSE"]
SANITIZER_RE = re.compile(r"AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer|"
                          r"runtime error:")


def parse_frames(spec):
    if spec == "*":
        return None
    out = set()
    for part in spec.split(","):
        if "-" in part:
            a, b = part.split("-", 1)
            out.update(range(int(a), int(b) + 1))
        else:
            out.add(int(part))
    return out


def load_exceptions(path):
    """Lines 'file frames reason'; frames is N, N,M, N-M or * (every frame of the file)."""
    exc = []
    if not os.path.exists(path):
        return exc
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) < 3:
                sys.exit(f"{path}:{lineno}: need 'file frames reason': {line}")
            try:
                frames = parse_frames(parts[1])
            except ValueError:
                sys.exit(f"{path}:{lineno}: bad frame list '{parts[1]}'")
            exc.append({"file": parts[0], "frames": frames, "reason": parts[2],
                        "where": f"{path}:{lineno}", "used": 0})
    return exc


def excused(exc, fname, frame):
    for e in exc:
        if e["file"] == fname and (e["frames"] is None or frame in e["frames"]):
            e["used"] += 1
            return True
    return False


def first(v):
    return v.split(",")[0] if v else ""


def tshark_expect(cols):
    """Returns (family, src, dst, proto) of the outer IP header tshark decoded, or None."""
    row = dict(zip(FIELDS, cols + [""] * (len(FIELDS) - len(cols))))
    protos = row["frame.protocols"].split(":")
    outer = next((p for p in protos if p in ("ip", "ipv6")), None)
    # A header cut inside its addresses shows a source but no destination: tshark did
    # not decode a whole header there, and neither do we.
    if outer == "ip" and first(row["ip.dst"]):
        return (4, first(row["ip.src"]), first(row["ip.dst"]), first(row["ip.proto"]))
    if outer == "ipv6" and first(row["ipv6.dst"]):
        proto = first(row["ipv6.nxt"])
        # The outer packet's extension headers follow its "ipv6" entry; each one is the
        # n-th of its kind, so its next-header value is the n-th of that field.
        seen = {}
        for p in protos[protos.index("ipv6") + 1:]:
            if p not in EXTHDR_PROTOS:
                break
            vals = row[EXTHDR_PROTOS[p]].split(",") if row[EXTHDR_PROTOS[p]] else []
            idx = seen.get(p, 0)
            seen[p] = idx + 1
            if idx < len(vals):
                proto = vals[idx]
        return (6, first(row["ipv6.src"]), first(row["ipv6.dst"]), proto)
    return None


def run_file(tools, path):
    dump = subprocess.run([os.path.join(tools, "decode_dump"), path], capture_output=True,
                          text=True, errors="replace")
    ts = subprocess.run(["tshark", "-r", path, *TSHARK_OPTS, "-T", "fields",
                         "-E", "occurrence=a", "-E", "aggregator=,",
                         *sum((["-e", f] for f in FIELDS), [])],
                        capture_output=True, text=True, errors="replace")
    return dump, ts


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    tools, corpus, excfile = sys.argv[1:4]
    verbose = "-v" in sys.argv[4:]
    exc = load_exceptions(excfile)
    files = sorted(f for f in os.listdir(corpus) if f.endswith((".pcap", ".pcapng")))
    agreed = disagreed = excused_n = skipped = unsupported = unread = 0
    sanitizer_files = []
    failures = []
    ours_only = []		# we decoded an IP header where tshark did not (informational)
    jobs = int(os.environ.get("JOBS", "2"))
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futs = {f: pool.submit(run_file, tools, os.path.join(corpus, f)) for f in files}
        for fname in files:
            dump, ts = futs[fname].result()
            if SANITIZER_RE.search(dump.stderr) or dump.returncode not in (0, 1):
                sanitizer_files.append((fname, dump.returncode, dump.stderr[-2000:]))
            ours = {}
            for line in dump.stdout.splitlines():
                c = line.split("\t")
                if len(c) >= 9:
                    ours[int(c[0])] = c
            for line in ts.stdout.splitlines():
                cols = line.split("\t")
                if not cols[0].isdigit():
                    continue
                frame = int(cols[0])
                exp = tshark_expect(cols)
                o = ours.get(frame)
                if exp is None:
                    skipped += 1		# tshark decoded no IP header here
                    if o is not None and o[1] == "ok":
                        ours_only.append(f"{fname} {frame}: ours {' '.join(o[1:])}")
                    continue
                if o is None:
                    unread += 1		# libpcap stopped before this frame
                    continue
                if o[1] == "unsupported":
                    unsupported += 1	# a link type we do not decode
                    continue
                got = (int(o[2]) if o[2] != "-" else 0, o[3], o[4], o[5])
                want = (exp[0], exp[1], exp[2], exp[3])
                if got == want:
                    agreed += 1
                    continue
                if excused(exc, fname, frame):
                    excused_n += 1
                    continue
                disagreed += 1
                failures.append(f"{fname} {frame}: ours {o[1]} {got[0]} {got[1]} > {got[2]} "
                                f"proto {got[3]} errors {o[8]}; tshark {want[0]} {want[1]} > "
                                f"{want[2]} proto {want[3]}")
    for f in failures[: None if verbose else 60]:
        print("DISAGREE", f)
    if len(failures) > 60 and not verbose:
        print(f"... {len(failures) - 60} more (-v lists all)")
    if verbose:
        for f in ours_only:
            print("OURS-ONLY", f)
    for fname, rc, err in sanitizer_files:
        print(f"SANITIZER/CRASH {fname} (exit {rc}):\n{err}")
    for e in exc:
        if not e["used"]:
            print(f"note: {e['where']}: exception for {e['file']} matched no disagreement")
    print(f"files {len(files)}: agreed {agreed}, disagreed {disagreed}, excused {excused_n}, "
          f"skipped {skipped + unsupported + unread} (tshark no IP {skipped}, "
          f"unsupported link type {unsupported}, unread by libpcap {unread}); "
          f"IP decoded by us only {len(ours_only)}")
    return 1 if failures or sanitizer_files else 0


if __name__ == "__main__":
    sys.exit(main())
