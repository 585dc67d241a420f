#!/bin/bash
# Golden-content test of `spoofaudit report`: captures with a known class for every packet
# (tests/tools/gen_truth.py and gen_report_truth.py) are collected, and the JSON, CSV and
# text reports of the day must hold exactly the generators' totals per class, subclass and
# interface, the previous day's totals, the top spoofed sources and new sources the truth
# implies, the hourly timeline and the loopback services. JSON is parsed with python3's
# json, CSV with its csv module; the text report's totals table is parsed by columns.
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TZ=UTC

collect_all() {	# collect_all GENDIR DB
	local file args
	while read -r file args; do
		# shellcheck disable=SC2086
		"$SPOOFAUDIT" collect -q --db "$2" -r "$1/$file" $args
	done < "$1/args.txt"
}

# 1. gen_truth.py: every class, five link types, one day (2026-09-21 UTC).
python3 "$SRCDIR/tests/tools/gen_truth.py" --out "$work/g1" --packets 20000 --seed 11
collect_all "$work/g1" "$work/g1.db"
"$SPOOFAUDIT" report --db "$work/g1.db" --day 2026-09-21 --utc -f json -o "$work/g1.json"
"$SPOOFAUDIT" report --db "$work/g1.db" --day 2026-09-21 --utc -f csv --table totals -o "$work/g1.csv"
"$SPOOFAUDIT" report --db "$work/g1.db" --day 2026-09-21 --utc --ascii > "$work/g1.txt"
# Local time: the same day in a zone 5 h west holds no packet before 05:00 UTC... so with
# --day in America/Bogota (UTC-5, no DST) the totals must still cover every packet that
# falls in [05:00Z, next 05:00Z): all of them but the first five hours.
TZ=America/Bogota "$SPOOFAUDIT" report --db "$work/g1.db" --day 2026-09-21 -f json -o "$work/g1_local.json"

# 2. gen_report_truth.py: two days, known sources.
python3 "$SRCDIR/tests/tools/gen_report_truth.py" --out "$work/g2"
collect_all "$work/g2" "$work/g2.db"
"$SPOOFAUDIT" report --db "$work/g2.db" --day 2026-09-22 --utc -f json -o "$work/g2.json"
"$SPOOFAUDIT" report --db "$work/g2.db" --day 2026-09-22 --utc -f csv --table top_sources > "$work/g2_top.csv"
"$SPOOFAUDIT" report --db "$work/g2.db" --day 2026-09-22 --utc -f csv --table new_sources > "$work/g2_new.csv"
"$SPOOFAUDIT" report --db "$work/g2.db" --day 2026-09-22 --utc --top 3 --ascii > "$work/g2.txt"
# Two databases merged: one host each.
cp "$work/g2.db" "$work/g2b.db"
"$SPOOFAUDIT" report --db "$work/g2.db" --db "$work/g2b.db" --day 2026-09-22 --utc -f json -o "$work/g2m.json"
"$SPOOFAUDIT" report --db "$work/g2.db" --db "$work/g2b.db" --day 2026-09-22 --utc --ascii > "$work/g2m.txt"
# -i: only the loopback interface.
"$SPOOFAUDIT" report --db "$work/g2.db" --day 2026-09-22 --utc -i lo0 -f json -o "$work/g2lo.json"

# NFLOG and kernel context, which capture files cannot carry: added by hand to a copy as
# a live run with an NFLOG source would have recorded them. The rule "spoof-lo:" logged
# the 127.0.0.1 flows (not 127.5.6.7); uid 105 owned the tcp/5432 loopback flows.
cp "$work/g2.db" "$work/g2n.db"
sqlite3 "$work/g2n.db" "
  INSERT INTO sources(run_id, kind, name) SELECT min(id), 'nflog', 'nflog:5' FROM runs;
  INSERT INTO kernel_ctx SELECT min(id), 'all', 'route_localnet', '0' FROM runs;
  INSERT INTO kernel_ctx SELECT min(id), 'all', 'rp_filter', '0' FROM runs;
  INSERT INTO flow_nflog(flow_id, prefix, grp, hook, packets, bytes)
    SELECT id, 'spoof-lo:', 5, 0, packets, bytes FROM flows WHERE src = '127.0.0.1' AND iface = 'edge';
  INSERT INTO flow_nflog(flow_id, prefix, grp, hook, packets, bytes, uid)
    SELECT id, 'lo-in:', 5, 1, packets, bytes, 105 FROM flows WHERE class = 'loopback_flow' AND dport = 5432;"
"$SPOOFAUDIT" report --db "$work/g2n.db" --day 2026-09-22 --utc -f json -o "$work/g2n.json"

python3 - "$work" "$SRCDIR/reports/report-schema.json" <<'PY'
import collections, csv, json, sys
w, schema_path = sys.argv[1], sys.argv[2]
fails = []
checks = 0

def check(cond, what):
    global checks
    checks += 1
    if not cond:
        fails.append(what)

def key_totals(rows, cols=("iface", "class", "subclass")):
    out = collections.Counter()
    for r in rows:
        out[tuple(r[c] for c in cols)] += int(r["packets"])
    return out

# --- the JSON schema: every required key present with the declared type, recursively
schema = json.load(open(schema_path))
TYPES = {"object": dict, "array": list, "string": str, "integer": int, "boolean": bool,
         "null": type(None), "number": (int, float)}
def validate(doc, sch, path="$"):
    if "$ref" in sch:
        sch = schema["$defs"][sch["$ref"].split("/")[-1]]
    t = sch.get("type")
    if t:
        ts = t if isinstance(t, list) else [t]
        ok = any(isinstance(doc, TYPES[x]) and not (x == "integer" and isinstance(doc, bool)) for x in ts)
        check(ok, "%s: %r is not %s" % (path, doc, t))
        if not ok:
            return
    if "const" in sch:
        check(doc == sch["const"], "%s: %r != const %r" % (path, doc, sch["const"]))
    if isinstance(doc, dict):
        for k in sch.get("required", []):
            check(k in doc, "%s: missing %s" % (path, k))
        for k, v in doc.items():
            if k in sch.get("properties", {}):
                validate(v, sch["properties"][k], path + "." + k)
            elif isinstance(sch.get("additionalProperties"), dict):
                validate(v, sch["additionalProperties"], path + "." + k)
    if isinstance(doc, list) and "items" in sch:
        for i, v in enumerate(doc):
            validate(v, sch["items"], "%s[%d]" % (path, i))

# --- 1. gen_truth: totals per file's interface, class and subclass
exp = collections.Counter()
expb = collections.Counter()
with open(w + "/g1/truth.csv") as f:
    for r in csv.DictReader(f):
        exp[(r["iface"], r["class"], r["subclass"])] += int(r["packets"])
        expb[(r["iface"], r["class"], r["subclass"])] += int(r["bytes"])
j = json.load(open(w + "/g1.json"))
validate(j, schema)
got = key_totals(j["tables"]["totals"])
check(got == exp, "g1 json totals differ: %s" % (set(got.items()) ^ set(exp.items())))
gotb = collections.Counter()
for r in j["tables"]["totals"]:
    gotb[(r["iface"], r["class"], r["subclass"])] += r["bytes"]
check(gotb == expb, "g1 json bytes differ")
cls = collections.Counter()
for (i, c, s), n in exp.items():
    cls[c] += n
check({r["class"]: r["packets"] for r in j["tables"]["totals_class"]} == dict(cls), "g1 totals_class")
ifc = collections.Counter()
for (i, c, s), n in exp.items():
    ifc[i] += n
check({r["iface"]: r["packets"] for r in j["tables"]["totals_iface"]} == dict(ifc), "g1 totals_iface")
spoof = {"spoof_loopback_src", "loopback_dst", "own_addr_src", "bogon_src", "unexpected_src"}
check(j["summary"]["packets"] == sum(exp.values()), "g1 summary packets")
check(j["summary"]["spoofed_packets"] == sum(n for (i, c, s), n in exp.items() if c in spoof), "g1 summary spoofed")
check(sum(sum(v) for v in j["timeline"]["classes"].values()) == j["summary"]["spoofed_packets"], "g1 timeline sum")
ttl = collections.Counter()
for r in j["tables"]["ttl"]:
    ttl[r["class"]] += r["packets"]
for c in spoof:
    check(ttl[c] <= cls[c], "g1 ttl rows of %s exceed the class" % c)
with open(w + "/g1.csv", newline="") as f:
    rows = list(csv.DictReader(f))
check(key_totals(rows) == exp, "g1 csv totals differ")
check(list(rows[0].keys())[:4] == ["host", "class", "subclass", "iface"], "g1 csv header")
# text: the "Totals by class, subclass and interface" table, parsed by columns
txt = open(w + "/g1.txt").read().split("\n")
i = txt.index("Totals by class, subclass and interface") + 2
tt = collections.Counter()
while txt[i].startswith("  ") and not txt[i].startswith("  *"):
    f_ = txt[i].split()
    tt[(f_[2], f_[0], f_[1])] += int(f_[3])
    i += 1
check(tt == exp, "g1 text totals differ: %s" % (set(tt.items()) ^ set(exp.items())))
check(all(len(l) <= 80 for l in txt), "g1 text wider than 80 columns")
# local time: America/Bogota's 2026-09-21 is [05:00Z, next day 05:00Z)
jl = json.load(open(w + "/g1_local.json"))
check(jl["period"]["since"] == "2026-09-21T00:00:00-05:00", "local period start %s" % jl["period"]["since"])
check(jl["summary"]["packets"] < j["summary"]["packets"], "local day holds fewer packets")

# --- 2. gen_report_truth: previous day, top and new sources, hours, loopback
t = json.load(open(w + "/g2/truth.json"))
j = json.load(open(w + "/g2.json"))
validate(j, schema)
check(key_totals(j["tables"]["totals"]) == key_totals(t["totals"]), "g2 totals")
prev = collections.Counter()
for r in j["tables"]["totals"]:
    if r["prev_packets"]:
        prev[(r["iface"], r["class"], r["subclass"])] += r["prev_packets"]
check(prev == key_totals(t["prev_totals"]), "g2 previous-day totals: %s vs %s" % (prev, key_totals(t["prev_totals"])))
top = [[r["addr"], r["packets"]] for r in j["tables"]["top_sources"]]
check(top == t["top_sources"][:10], "g2 top sources %s != %s" % (top, t["top_sources"][:10]))
with open(w + "/g2_top.csv", newline="") as f:
    top_csv = [[r["addr"], int(r["packets"])] for r in csv.DictReader(f)]
check(top_csv == t["top_sources"][:10], "g2 csv top sources")
with open(w + "/g2_new.csv", newline="") as f:
    new_csv = sorted(r["addr"] for r in csv.DictReader(f))
check(new_csv == t["new_sources"], "g2 new sources %s != %s" % (new_csv, t["new_sources"]))
check(sorted(r["addr"] for r in j["tables"]["new_sources"]) == t["new_sources"], "g2 json new sources")
for c, hours in t["hourly"].items():
    check(j["timeline"]["classes"][c] == hours, "g2 hourly %s" % c)
lo = {(r["proto_name"], r["port"]): r for r in j["tables"]["loopback_services"]}
for s in t["loopback_services"]:
    r = lo.get((s["proto"], s["port"]))
    check(r is not None and r["packets"] == s["packets"] and r["bytes"] == s["bytes"],
          "g2 loopback service %s" % s)
check(any(n["section"] == "nflog" and "No NFLOG source ran" in n["text"] for n in j["notes"]), "nflog note")
check(j["tables"]["top_sources"][0]["first_seen"].startswith("2026-09-22T"), "first_seen ISO")
txt = open(w + "/g2.txt").read()
top3 = txt.split("Top spoofed sources\n")[1].split("\n")[1:4]
check([l.split()[0] for l in top3] == [a for a, n in t["top_sources"][:3]], "g2 text top 3: %s" % top3)
check([int(l.split()[2]) for l in top3] == [n for a, n in t["top_sources"][:3]], "g2 text top 3 counts")
# Every class of a destination is spelled out in the text (wrapped under its column,
# never "bogon_src+2" or cut with "~"): join each row's continuation lines.
block = txt.split("Top destinations of spoofed packets\n")[1].split("\n\n")[0].split("\n")[1:]
rows = {}
for l in block:
    if l[2] != " ":
        cur = l.split()[0]
        rows[cur] = l[37:].split()[0]
    else:
        rows[cur] += l.strip()
for addr, classes in t["destination_classes"].items():
    got = sorted(c for c in rows.get(addr, "").split(",") if c)
    check(got == classes, "g2 text destination %s classes %s != %s" % (addr, got, classes))
check("~" not in "\n".join(block) and "+2" not in "\n".join(block), "g2 text classes cut: %s" % block)
# merged: two hosts, every row twice
m = json.load(open(w + "/g2m.json"))
validate(m, schema)
check(len(m["hosts"]) == 2, "merged hosts")
check(m["summary"]["packets"] == 2 * j["summary"]["packets"], "merged packets")
mt = open(w + "/g2m.txt").read().split("\n")
check(all(len(l) <= 80 for l in mt), "merged text wider than 80 columns")
# -i lo0
jl = json.load(open(w + "/g2lo.json"))
check(jl["summary"]["packets"] == sum(s["packets"] for s in t["loopback_services"]), "-i lo0 packets")
check(jl["summary"]["spoofed_packets"] == 0, "-i lo0 spoofed")
check(jl["period"]["interfaces"] == ["lo0"], "-i lo0 listed")

# NFLOG per prefix, spoofed packets no rule logged, uid of a loopback service, kernel notes
j = json.load(open(w + "/g2n.json"))
validate(j, schema)
lo1 = dict(t["top_sources"])["127.0.0.1"]
spoof_total = sum(r["packets"] for r in t["totals"] if r["class"] not in ("normal", "loopback_flow"))
nf = {(r["prefix"], r["hook_name"], r["class"]): r["packets"] for r in j["tables"]["nflog"]}
check(nf.get(("spoof-lo:", "PREROUTING", "spoof_loopback_src")) == lo1, "nflog prefix spoof-lo: %s" % nf)
check(sum(r["packets"] for r in j["tables"]["nflog_unlogged"]) == spoof_total - lo1, "nflog_unlogged packets")
check(j["hosts"][0]["nflog_sources"] == 1, "nflog source counted")
check(not any("No NFLOG source ran" in n["text"] for n in j["notes"]), "no 'no NFLOG' note when one ran")
uid = {(r["proto_name"], r["port"]): r["uids"] for r in j["tables"]["loopback_services"]}
check(uid.get(("tcp", 5432)) == "105" and uid.get(("udp", 8125)) is None, "loopback uid %s" % uid)
# (the generator's loopback sources are all IPv4: 127.0.0.1 and 127.5.6.7)
lo_src = sum(r["packets"] for r in t["totals"] if r["class"] == "spoof_loopback_src")
check(any(n["section"] == "kernel" and n["text"].startswith("route_localnet=0") and (" %d IPv4 packets with a 127/8 source" % lo_src) in n["text"]
          for n in j["notes"]), "route_localnet=0 note with the truth's %d packets" % lo_src)
check(any(n["section"] == "kernel" and n["text"].startswith("rp_filter=0") for n in j["notes"]), "rp_filter note")

for f_ in fails:
    print("FAIL:", f_)
print("%d checks, %d failed" % (checks, len(fails)))
sys.exit(1 if fails else 0)
PY
