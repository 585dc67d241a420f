#!/usr/bin/env python3
"""Detection and false-positive rates per packet kind, from gen_spoof.py's truth and the
flows spoofaudit stored.

Every source address belongs to one kind in the truth (gen_spoof.py guarantees it), so
the packets a stored flow counts from a source are packets of that source's kind. Only
received packets are scored (the host's own are never spoofed).

Usage: spoof_rates.py TRUTH.csv FLOWS.csv [--assert]
  FLOWS.csv: src,dir,class,subclass,packets (sqlite3 -csv, no header; dir "in" = received)
With --assert: exits 1 unless every backscatter kind, and the internal sources arriving on
the external interface (rpf_fail/rpf_strict: the route back leaves by the internal one),
are 100 % detected with their subclass, the spoofed flood at least 90 % (suspect_src/flood:
the first openings of a window come before the episode is seen), every spoof_prefix
source (gen_spoof.py --spoof-prefix) flagged suspect_src/hop_count exactly when its hop
count departs by more than HOP_TOLERANCE from that of its /24's legitimate clients (their
truth `hops`),
legitimate received packets are at most 1 % flagged, no legitimate reply to the host's
own connections (note host_conn_reply, preexisting_*) is flagged, and the stored packet
count of every source equals the truth's.
"""
import collections
import csv
import sys

# kind: (class, subclass) every packet of it must be stored as
EXPECT = {"backscatter_synack": ("backscatter", "syn_ack"),
          "backscatter_rst": ("backscatter", "rst"),
          "backscatter_icmp": ("backscatter", "icmp_error"),
          "rpf_internal_on_external": ("rpf_fail", "rpf_strict")}
NOT_FLAGGED = ("normal", "loopback_flow")
FLOOD_GOAL = 90.0	# % of the spoofed flood's packets (issue 11)
HOP_TOLERANCE = 1	# the collector's default (--hop-tolerance)


def net24(a):
    return a.rsplit(".", 1)[0] if ":" not in a else None


def hop_expect(truth):
    """spoof_prefix source -> True when a hop-count check must flag it: its /24's
    clients (legit, note client) were all at one hop count, differing by more than
    HOP_TOLERANCE from the forger's."""
    net_hops, spoof = {}, {}
    with open(truth) as f:
        for row in csv.DictReader(f):
            if row["dir"] != "in":
                continue
            if row["kind"] == "legit" and row["note"] == "client":
                net_hops.setdefault(net24(row["src"]), set()).add(int(row["hops"]))
            elif row["kind"] == "spoof_prefix":
                spoof[row["src"]] = int(row["hops"])
    out = {}
    for src, h in spoof.items():
        hs = net_hops.get(net24(src))
        if not hs:
            sys.exit("truth: spoof_prefix source %s outside every client /24" % src)
        out[src] = h < min(hs) - HOP_TOLERANCE or h > max(hs) + HOP_TOLERANCE
    return out


def right_sub(flows, kind_of, kind, cls, sub):
    """Received packets of kind stored as cls/sub."""
    n = 0
    with open(flows) as f:
        for src, d, c, s, k in csv.reader(f):
            if d == "in" and kind_of.get(src) == kind and (c, s) == (cls, sub):
                n += int(k)
    return n


def main():
    truth, flows = sys.argv[1], sys.argv[2]
    check = "--assert" in sys.argv[3:]
    kind_of, notes, per_src = {}, collections.Counter(), collections.Counter()
    total, fam_total, fam_flag = collections.Counter(), collections.Counter(), collections.Counter()
    with open(truth) as f:
        for row in csv.DictReader(f):
            if row["dir"] != "in":
                continue
            if kind_of.setdefault(row["src"], row["kind"]) != row["kind"]:
                sys.exit("truth: source %s has two kinds" % row["src"])
            total[row["kind"]] += 1
            fam_total[(row["kind"], 6 if ":" in row["src"] else 4)] += 1
            per_src[row["src"]] += 1
            notes[(row["src"], row["note"])] += 1
    flagged, right, stored = collections.Counter(), collections.Counter(), collections.Counter()
    by_class = collections.defaultdict(collections.Counter)
    with open(flows) as f:
        for src, d, cls, sub, n in csv.reader(f):
            if d != "in":
                continue
            n = int(n)
            kind = kind_of.get(src, "unknown")
            stored[src] += n
            by_class[kind][cls + ("/" + sub if sub and sub != "none" else "")] += n
            if cls not in NOT_FLAGGED:
                flagged[kind] += n
                fam_flag[(kind, 6 if ":" in src else 4)] += n
            if EXPECT.get(kind) == (cls, sub):
                right[kind] += n
    bad = []
    print("%-26s %8s %8s %8s  %s" % ("kind", "packets", "flagged", "rate", "classes stored"))
    for kind in sorted(total):
        rate = 100.0 * flagged[kind] / total[kind]
        print("%-26s %8d %8d %7.2f%%  %s" % (kind, total[kind], flagged[kind], rate,
              ", ".join("%s %d" % kv for kv in sorted(by_class[kind].items()))))
        if kind in EXPECT and right[kind] != total[kind]:
            bad.append("%s: %d of %d detected as %s/%s" % (
                kind, right[kind], total[kind], *EXPECT[kind]))
    print("by family: " + "; ".join("%s IPv%d %d/%d" % (k, f, fam_flag[(k, f)], n)
                                    for (k, f), n in sorted(fam_total.items())))
    if "unknown" in by_class:
        bad.append("stored sources the truth does not know: %s" % dict(by_class["unknown"]))
    legit_fp = 100.0 * flagged["legit"] / max(1, total["legit"])
    print("legitimate received packets flagged: %.3f%% (goal <= 1%%)" % legit_fp)
    if legit_fp > 1.0:
        bad.append("legit false positives %.3f%% > 1%%" % legit_fp)
    lost = [s for s in per_src if stored[s] != per_src[s]]
    if lost:
        bad.append("%d sources stored with other packet counts than the truth, e.g. %s" % (
            len(lost), lost[:3]))
    if total["spoof_flood"]:
        got = 100.0 * right_sub(flows, kind_of, "spoof_flood", "suspect_src", "flood") / total["spoof_flood"]
        print("spoofed flood packets flagged suspect_src/flood: %.2f%% (goal >= %.0f%%)" % (got, FLOOD_GOAL))
        if got < FLOOD_GOAL:
            bad.append("flood detection %.2f%% < %.0f%%" % (got, FLOOD_GOAL))
    if total["spoof_prefix"]:
        exp = hop_expect(truth)
        hop = collections.Counter()
        with open(flows) as f:
            for src, d, cls, sub, n in csv.reader(f):
                if d == "in" and src in exp and (cls, sub) == ("suspect_src", "hop_count"):
                    hop[src] += int(n)
        wrong = [s for s in exp if (hop[s] == per_src[s]) != exp[s] or (hop[s] and not exp[s])]
        det = sum(per_src[s] for s in exp if exp[s])
        print("spoof_prefix: %d of %d packets detectable by hop count (tolerance %d), %d flagged"
              " hop_count; sources judged otherwise than the truth says: %d" % (
                  det, total["spoof_prefix"], HOP_TOLERANCE, sum(hop.values()), len(wrong)))
        if wrong:
            bad.append("hop_count: %d spoof_prefix sources judged wrongly, e.g. %s" % (
                len(wrong), wrong[:3]))
    replies = {s for (s, note) in notes if note.startswith(("host_conn_reply", "preexisting"))}
    with open(flows) as f:
        hit = sorted({src for src, d, cls, _, _ in csv.reader(f)
                      if d == "in" and src in replies and cls not in NOT_FLAGGED})
    print("replies to the host's own connections flagged: %d sources" % len(hit))
    if hit:
        bad.append("replies to the host's own connections flagged: %s" % hit[:5])
    for b in bad:
        print("FAIL: " + b)
    if check and bad:
        sys.exit(1)


if __name__ == "__main__":
    main()
