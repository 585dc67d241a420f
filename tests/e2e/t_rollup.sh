#!/bin/bash
# The hourly rollup (flows_hourly, schema/010_hourly_rollup.sql) that the report's totals
# read. Oracle: sums over the flows rows computed here with plain sqlite3, never with
# spoofaudit's code.
#  1. Collected with 5-minute buckets (every flush writes the rollup), it holds exactly
#     the sums of the flows' counted packets and bytes per hour and key; three flows are
#     then given packets NFLOG logged beyond the counted ones (migration 6).
#  2. The report's totals (and their previous period) for whole days and for periods
#     that start or end inside an hour, with and without -i, are the sums over the flows
#     of [since, until), in JSON and CSV.
#  3. prune at a midnight that is not on the hour in UTC (Asia/Kolkata, +05:30) keeps the
#     rollup exact, splitting an hour.
#  4. An old file (schema version 8, built with sqlite3 from schema/001..008) migrates:
#     its rollup equals the sums over its flows taken before migrating, and the index
#     flows_report_totals is gone.
#  5. A file at schema version 10 (the collected one, taken back to before migration 11)
#     migrates: spoof_hourly equals the sums over its spoofed flows, flows_report_spoof_src
#     is gone, and the day's report is unchanged.
# Every check of a rollup also checks spoof_hourly (schema/011_spoof_rollup.sql), and the
# report's new sources (which read it) are computed over the flows for periods that start
# and end inside an hour. Likewise loopback_hourly (schema/012_loopback_rollup.sql) and the
# loopback inventory that reads it (services and non-local flows, computed over the flows
# in Python). Likewise spoof_src_daily (schema/014_spoof_src_daily.sql), the spoofed
# sources per UTC day with their hours, that new sources read for the history: checked
# against the flows with every rollup, new sources are computed over the flows after the
# prune of 3 (which splits a day), and
#  6. a file at schema version 13 (the collected one, taken back to before migration 14)
#     migrates: spoof_src_daily equals the flows', spoof_hourly_src is gone, and the day's
#     report is unchanged.
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
S=$SPOOFAUDIT
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TZ=UTC
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# Rows where flows_hourly and the sums over flows of the counted packets and bytes
# (coalesce(counted_packets, packets), migration 6), the number of flows and their first
# and last packet (migration 11) differ, both ways.
ORACLE="WITH o AS (SELECT bucket - (bucket % 3600 + 3600) % 3600, class, subclass, iface, dir,
		  family, sum(coalesce(counted_packets, packets)), sum(coalesce(counted_bytes, bytes)),
		  count(*), min(first_usec), max(last_usec) FROM flows GROUP BY 1, 2, 3, 4, 5, 6),
	r AS (SELECT bucket, class, subclass, iface, dir, family, packets, bytes, flows,
		     first_usec, last_usec FROM flows_hourly)
SELECT (SELECT count(*) FROM (SELECT * FROM o EXCEPT SELECT * FROM r)) +
       (SELECT count(*) FROM (SELECT * FROM r EXCEPT SELECT * FROM o)),
       (SELECT count(*) FROM r)"
# The same for spoof_hourly (schema/011_spoof_rollup.sql): the spoofed flows' sums, flows
# rows and first and last packet per hour, source, class, subclass, interface, protocol and
# destination port.
SPOOF_ORACLE="WITH o AS (SELECT bucket - (bucket % 3600 + 3600) % 3600, src, class, subclass, iface,
		  proto, dport, sum(coalesce(counted_packets, packets)),
		  sum(coalesce(counted_bytes, bytes)), count(*), min(first_usec), max(last_usec)
		  FROM flows WHERE class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src',
		  'bogon_src', 'unexpected_src', 'rpf_fail', 'suspect_src') GROUP BY 1, 2, 3, 4, 5, 6, 7),
	r AS (SELECT bucket, src, class, subclass, iface, proto, dport, packets, bytes, flows,
	      first_usec, last_usec FROM spoof_hourly)
SELECT (SELECT count(*) FROM (SELECT * FROM o EXCEPT SELECT * FROM r)) +
       (SELECT count(*) FROM (SELECT * FROM r EXCEPT SELECT * FROM o)),
       (SELECT count(*) FROM r), (SELECT count(*) FROM r WHERE flows > 1)"
# The same for loopback_hourly (schema/012_loopback_rollup.sql): the loopback flows' sums,
# flows rows and first and last packet per hour, interface, protocol, ports, source and
# destination.
LOOP_ORACLE="WITH o AS (SELECT bucket - (bucket % 3600 + 3600) % 3600, iface, proto, sport, dport,
		  src, dst, min(src_bin), min(dst_bin), sum(coalesce(counted_packets, packets)),
		  sum(coalesce(counted_bytes, bytes)), count(*), min(first_usec), max(last_usec)
		  FROM flows WHERE class = 'loopback_flow' GROUP BY 1, 2, 3, 4, 5, 6, 7),
	r AS (SELECT bucket, iface, proto, sport, dport, src, dst, src_bin, dst_bin, packets, bytes,
	      flows, first_usec, last_usec FROM loopback_hourly)
SELECT (SELECT count(*) FROM (SELECT * FROM o EXCEPT SELECT * FROM r)) +
       (SELECT count(*) FROM (SELECT * FROM r EXCEPT SELECT * FROM o)),
       (SELECT count(*) FROM r), (SELECT count(*) FROM r WHERE flows > 1)"
# The same for spoof_src_daily (schema/014_spoof_src_daily.sql): per UTC day, source and
# interface of the flows of the six classes that forge their source, the set of the
# day's hours (bit h: hour h) they had flows in.
SRCDAY_ORACLE="WITH o AS (SELECT bucket - (bucket % 86400 + 86400) % 86400, src, iface,
		  sum(DISTINCT 1 << ((bucket % 86400 + 86400) % 86400 / 3600))
		  FROM flows WHERE class IN ('spoof_loopback_src', 'own_addr_src', 'bogon_src',
		  'unexpected_src', 'rpf_fail', 'suspect_src') GROUP BY 1, 2, 3),
	r AS (SELECT day, src, iface, hours FROM spoof_src_daily)
SELECT (SELECT count(*) FROM (SELECT * FROM o EXCEPT SELECT * FROM r)) +
       (SELECT count(*) FROM (SELECT * FROM r EXCEPT SELECT * FROM o)),
       (SELECT count(*) FROM r), (SELECT count(DISTINCT day) FROM r),
       (SELECT count(*) FROM r WHERE hours & (hours - 1) <> 0)"
rollup_exact() {	# rollup_exact DB WHAT
	local d
	d=$(sqlite3 "$1" "$ORACLE")
	if [ "${d%%|*}" = 0 ] && [ "${d##*|}" -gt 0 ]; then ok "$2: rollup = sums over flows (${d##*|} rows)"
	else bad "$2: rollup differs from the sums over flows in ${d%%|*} rows (of ${d##*|})"; fi
	d=$(sqlite3 "$1" "$SPOOF_ORACLE")
	IFS='|' read -r nd nr nm <<< "$d"
	if [ "$nd" = 0 ] && [ "$nr" -gt 0 ] && [ "$nm" -gt 0 ]; then
		ok "$2: spoof_hourly = sums over the spoofed flows ($nr rows, $nm of several flows)"
	else bad "$2: spoof_hourly differs from the sums over the spoofed flows in $nd rows (of $nr; $nm of several flows)"; fi
	d=$(sqlite3 "$1" "$LOOP_ORACLE")
	IFS='|' read -r nd nr nm <<< "$d"
	if [ "$nd" = 0 ] && [ "$nr" -gt 0 ] && [ "$nm" -gt 0 ]; then
		ok "$2: loopback_hourly = sums over the loopback flows ($nr rows, $nm of several flows)"
	else bad "$2: loopback_hourly differs from the sums over the loopback flows in $nd rows (of $nr; $nm of several flows)"; fi
	d=$(sqlite3 "$1" "$SRCDAY_ORACLE")
	IFS='|' read -r nd nr ndays nm <<< "$d"
	if [ "$nd" = 0 ] && [ "$nr" -gt 0 ] && [ "$nm" -gt 0 ]; then
		ok "$2: spoof_src_daily = the spoofed flows' days, sources and hours ($nr rows, $ndays days, $nm of several hours)"
	else bad "$2: spoof_src_daily differs from the spoofed flows' in $nd rows (of $nr; $ndays days, $nm of several hours)"; fi
}

# 1. two generators' captures, 5-minute buckets
python3 "$SRCDIR/tests/tools/gen_truth.py" --out "$work/g1" --packets 20000 --seed 3 >/dev/null
python3 "$SRCDIR/tests/tools/gen_report_truth.py" --out "$work/g2" >/dev/null
for g in g1 g2; do
	while read -r file args; do
		# shellcheck disable=SC2086
		"$S" collect -q --db "$work/a.db" -r "$work/$g/$file" $args --bucket 300
	done < "$work/$g/args.txt"
done
[ "$(sqlite3 "$work/a.db" 'SELECT count(DISTINCT bucket) > count(DISTINCT bucket / 3600) FROM flows')" = 1 ] ||
	bad "the test needs several buckets per hour"
rollup_exact "$work/a.db" "collected"
# NFLOG logged more than pcap counted on three flows (as store_nflog_add records it,
# migration 6): flows.packets and bytes grow, the counted ones and the rollup do not;
# the report's totals must still be the sums of flows.packets and bytes
sqlite3 "$work/a.db" "UPDATE flows SET counted_packets = coalesce(counted_packets, packets),
	counted_bytes = coalesce(counted_bytes, bytes), nflog_packets = packets + 5,
	nflog_bytes = bytes + 500, packets = packets + 5, bytes = bytes + 500
	WHERE id IN (SELECT id FROM flows WHERE bucket >= $(date -u -d '2026-09-22 06:00' +%s)
		     ORDER BY id LIMIT 3)"
[ "$(sqlite3 "$work/a.db" "SELECT count(*) FROM flows WHERE packets > counted_packets")" = 3 ] ||
	bad "the NFLOG excess rows were not made"
# ... and on two spoofed flows of new sources, in whole hours and in a part of one
sqlite3 "$work/a.db" "UPDATE flows SET counted_packets = coalesce(counted_packets, packets),
	counted_bytes = coalesce(counted_bytes, bytes), nflog_packets = packets + 7,
	nflog_bytes = bytes + 700, packets = packets + 7, bytes = bytes + 700
	WHERE id IN (SELECT min(id) FROM flows WHERE src IN ('10.1.2.3', '100.64.1.1')
		     AND bucket >= $(date -u -d '2026-09-22 10:30' +%s) GROUP BY src)"
[ "$(sqlite3 "$work/a.db" "SELECT count(*) FROM flows WHERE packets > counted_packets AND class <> 'normal'")" -ge 2 ] ||
	bad "the spoofed NFLOG excess rows were not made"
rollup_exact "$work/a.db" "with NFLOG's excess"

# 2. totals of a period: report (JSON, CSV) vs sqlite3 over flows
totals_check() {	# totals_check SINCE UNTIL [-i IFACE]
	local since=$1 until=$2 s u len filter="" what="totals $1 .. $2${3:+ $3 $4}"
	shift 2
	s=$(date -u -d "${since/T/ }" +%s)
	u=$(date -u -d "${until/T/ }" +%s)
	len=$((u - s))
	[ $# -eq 2 ] && filter="AND iface = '$2'"
	sqlite3 -separator , "$work/a.db" "
		SELECT class, subclass, iface, sum(packets * (bucket >= $s)), sum(bytes * (bucket >= $s)),
		       sum(bucket >= $s), sum(packets * (bucket < $s)), sum(bytes * (bucket < $s)),
		       sum(bucket < $s)
		FROM flows WHERE bucket >= $((s - len)) AND bucket < $u $filter
		GROUP BY 1, 2, 3 ORDER BY 1, 2, 3" > "$work/want.csv"
	"$S" report --db "$work/a.db" --since "$since" --until "$until" --utc "$@" -f json --force -o "$work/r.json"
	python3 - "$work/r.json" > "$work/got.csv" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["tables"]["totals"]:
    print(",".join(str(r[k] if r[k] is not None else 0) for k in
                   ("class", "subclass", "iface", "packets", "bytes", "flows",
                    "prev_packets", "prev_bytes", "prev_flows")))
PY
	if [ -s "$work/want.csv" ] && diff -u "$work/want.csv" <(sort "$work/got.csv") > "$work/diff"; then
		ok "$what: JSON = sums over flows ($(wc -l < "$work/want.csv") rows)"
	else
		bad "$what: JSON differs from the sums over flows"; cat "$work/diff"
	fi
	"$S" report --db "$work/a.db" --since "$since" --until "$until" --utc "$@" -f csv --table totals --force \
		-o "$work/r.csv"
	if diff -u <(cut -d, -f1-6 "$work/want.csv") \
		<(python3 -c 'import csv, sys
for r in list(csv.DictReader(open(sys.argv[1]))):
    print(",".join(r[k] for k in ("class", "subclass", "iface", "packets", "bytes", "flows")))' \
		"$work/r.csv" | sort) > "$work/diff"; then
		ok "$what: CSV = sums over flows"
	else
		bad "$what: CSV differs"; cat "$work/diff"
	fi
}
# 0.0.0.0 is its own subclass in the verdict (this_network_zero): two bogon flows become
# 0.0.0.0 sources of subclass this_network, one in a whole hour and one in a part of an
# hour of the periods below, and both rollups are recomputed here with plain SQL
sqlite3 "$work/a.db" "UPDATE flows SET src = '0.0.0.0', subclass = 'this_network'
	WHERE id IN (SELECT min(id) FROM flows WHERE class = 'bogon_src' AND family = 4
		     AND bucket >= $(date -u -d '2026-09-22 10:15' +%s) AND bucket < $(date -u -d '2026-09-22 10:45' +%s)
		     UNION ALL SELECT min(id) FROM flows WHERE class = 'bogon_src' AND family = 4
		     AND bucket = $(date -u -d '2026-09-22 12:00' +%s));
	UPDATE flows SET subclass = 'this_network'
	WHERE id = (SELECT min(id) FROM flows WHERE class = 'bogon_src' AND family = 4 AND src <> '0.0.0.0'
		    AND bucket = $(date -u -d '2026-09-22 12:00' +%s));
	UPDATE flows SET dst = '192.0.2.10', dst_bin = x'00000000000000000000ffffc000020a'
	WHERE id IN (SELECT min(id) FROM flows WHERE class = 'loopback_flow' AND family = 4
		     AND bucket >= $(date -u -d '2026-09-22 10:15' +%s) AND bucket < $(date -u -d '2026-09-22 10:45' +%s)
		     UNION ALL SELECT min(id) FROM flows WHERE class = 'loopback_flow' AND family = 4
		     AND bucket = $(date -u -d '2026-09-22 12:00' +%s));
	UPDATE flows SET src = '127.0.0.9', src_bin = x'00000000000000000000ffff7f000009'
	WHERE id IN (SELECT max(id) FROM flows WHERE class = 'loopback_flow' AND family = 4
		     AND bucket >= $(date -u -d '2026-09-22 06:00' +%s) GROUP BY proto, dport);
	UPDATE flows SET counted_packets = coalesce(counted_packets, packets),
	       counted_bytes = coalesce(counted_bytes, bytes), nflog_packets = packets + 3,
	       nflog_bytes = bytes + 300, packets = packets + 3, bytes = bytes + 300
	WHERE id = (SELECT max(id) FROM flows WHERE class = 'loopback_flow'
		    AND bucket < $(date -u -d '2026-09-22 18:00' +%s));
	UPDATE flows SET class = 'unexpected_src', subclass = 'none'
	WHERE id IN (SELECT min(id) FROM flows WHERE src IN ('100.64.1.1', '10.1.2.3')
		     AND bucket >= $(date -u -d '2026-09-22 12:00' +%s) GROUP BY src);
	DELETE FROM flows_hourly;
	INSERT INTO flows_hourly SELECT bucket - bucket % 3600, class, subclass, iface, dir, family,
		sum(coalesce(counted_packets, packets)), sum(coalesce(counted_bytes, bytes)), count(*),
		min(first_usec), max(last_usec) FROM flows GROUP BY 1, 2, 3, 4, 5, 6;
	DELETE FROM spoof_hourly;
	INSERT INTO spoof_hourly SELECT bucket - bucket % 3600, src, class, subclass, iface, proto, dport,
		sum(coalesce(counted_packets, packets)), sum(coalesce(counted_bytes, bytes)), count(*),
		min(first_usec), max(last_usec) FROM flows WHERE class IN ('spoof_loopback_src',
		'loopback_dst', 'own_addr_src', 'bogon_src', 'unexpected_src', 'rpf_fail', 'suspect_src')
		GROUP BY 1, 2, 3, 4, 5, 6, 7;
	DELETE FROM loopback_hourly;
	INSERT INTO loopback_hourly SELECT bucket - bucket % 3600, iface, proto, sport, dport, src, dst,
		min(src_bin), min(dst_bin), sum(coalesce(counted_packets, packets)),
		sum(coalesce(counted_bytes, bytes)), count(*), min(first_usec), max(last_usec)
		FROM flows WHERE class = 'loopback_flow' GROUP BY 1, 2, 3, 4, 5, 6, 7;
	DELETE FROM spoof_src_daily;
	INSERT INTO spoof_src_daily SELECT bucket - bucket % 86400, src, iface,
		sum(DISTINCT 1 << (bucket % 86400 / 3600)) FROM flows WHERE class IN ('spoof_loopback_src',
		'own_addr_src', 'bogon_src', 'unexpected_src', 'rpf_fail', 'suspect_src') GROUP BY 1, 2, 3;"
[ "$(sqlite3 "$work/a.db" "SELECT count(DISTINCT src) FROM flows WHERE class = 'unexpected_src'
	AND src IN ('100.64.1.1', '10.1.2.3')")" = 2 ] || bad "the new sources of two classes were not made"
[ "$(sqlite3 "$work/a.db" "SELECT count(*) FROM flows WHERE src = '0.0.0.0'
	AND bucket >= $(date -u -d 2026-09-22 +%s)")" = 2 ] || bad "the 0.0.0.0 flows were not made"
# (two new sources, 100.64.1.1 and 10.1.2.3, are also unexpected_src in a whole hour: a
# new source's classes are listed in their sort order, as over the flows)
# new sources and the verdict's spoofed packets per class, subclass, family and interface,
# computed over the flows here (packets = flows.packets, NFLOG's excess included)
spoof_check() {	# spoof_check SINCE UNTIL [-i IFACE]; the database: $SPOOF_DB (a.db)
	local since=$1 until=$2 s u filter="" what="${SPOOF_WHAT:-}$1 .. $2${3:+ $3 $4}" db=${SPOOF_DB:-$work/a.db}
	s=$(date -u -d "${1/T/ }" +%s)
	u=$(date -u -d "${2/T/ }" +%s)
	shift 2
	[ $# -eq 2 ] && filter="AND iface = '$2'"
	local sp="class IN ('spoof_loopback_src', 'own_addr_src', 'bogon_src', 'unexpected_src',
		  'rpf_fail', 'suspect_src') $filter"
	sqlite3 -separator , "$db" "
		SELECT src, sum(packets), sum(bytes), count(*),
		       (SELECT group_concat(class, '+') FROM (SELECT DISTINCT class FROM flows g
			WHERE g.src = f.src AND $sp AND bucket >= $s AND bucket < $u ORDER BY class))
		FROM flows f
		WHERE $sp AND bucket >= $s AND bucket < $u AND src NOT IN
		      (SELECT src FROM flows WHERE $sp AND bucket >= $((s - 7 * 86400)) AND bucket < $s)
		GROUP BY src ORDER BY 1" > "$work/want_new.csv"
	"$S" report --db "$db" --since "$since" --until "$until" --utc "$@" -f json --force \
		--top 1000 -o "$work/r.json"
	python3 -c 'import json, sys
for r in sorted(json.load(open(sys.argv[1]))["tables"]["new_sources"], key=lambda r: r["addr"]):
    print("%s,%d,%d,%d,%s" % (r["addr"], r["packets"], r["bytes"], r["flows"],
			      r["classes"].replace(",", "+")))' "$work/r.json" > "$work/got_new.csv"
	# verdict_classes.sql as the report runs it vs its figures over the flows
	local hs=$(( s + (3600 - s % 3600) % 3600 )) hu=$(( u - u % 3600 ))
	sqlite3 "$db" "SELECT class, CASE WHEN subclass = 'this_network' AND src = '0.0.0.0'
		THEN 'this_network_zero' ELSE subclass END AS sub, family, iface, sum(packets) FROM flows
		WHERE class IN ('loopback_dst', 'spoof_loopback_src', 'own_addr_src', 'bogon_src',
		'unexpected_src', 'rpf_fail', 'suspect_src') $filter AND bucket >= $s AND bucket < $u
		GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4" > "$work/want_vc.txt"
	{ echo ".parameter init"
	  for p in ":since $s" ":until $u" ":hour_since $hs" ":hour_until $hu" ":ifaces '${2:+,$2,}'"; do
		echo ".parameter set $p"; done
	  cat "$SRCDIR/reports/verdict_classes.sql"; } | sqlite3 "$db" > "$work/got_vc.txt"
	if { [ -s "$work/want_vc.txt" ] || [ "${2:-}" = lo0 ]; } && diff -u "$work/want_vc.txt" "$work/got_vc.txt" > "$work/diff"; then
		ok "$what: verdict_classes.sql = flows' ($(wc -l < "$work/want_vc.txt") rows)"
	else
		bad "$what: verdict_classes.sql differs"; cat "$work/diff"
	fi
	# timeline.sql likewise (hour 0 starts at since, which may be inside an hour)
	sqlite3 "$db" "SELECT class, (bucket - $s) / 3600 AS hour, sum(packets) FROM flows
		WHERE class IN ('loopback_dst', 'spoof_loopback_src', 'own_addr_src', 'bogon_src',
		'unexpected_src', 'rpf_fail', 'suspect_src') $filter AND bucket >= $s AND bucket < $u
		GROUP BY 1, 2 ORDER BY 1, 2" > "$work/want_tl.txt"
	{ echo ".parameter init"
	  for p in ":since $s" ":until $u" ":hour_since $hs" ":hour_until $hu" ":ifaces '${2:+,$2,}'"; do
		echo ".parameter set $p"; done
	  cat "$SRCDIR/reports/timeline.sql"; } | sqlite3 "$db" | sort -t'|' -k1,1 -k2,2n > "$work/got_tl.txt"
	if { [ -s "$work/want_tl.txt" ] || [ "${2:-}" = lo0 ]; } && diff -u "$work/want_tl.txt" "$work/got_tl.txt" > "$work/diff"; then
		ok "$what: timeline.sql = flows' ($(wc -l < "$work/want_tl.txt") rows)"
	else
		bad "$what: timeline.sql differs"; cat "$work/diff"
	fi
	if { [ -s "$work/want_new.csv" ] || [ "${2:-}" = lo0 ]; } && diff -u "$work/want_new.csv" "$work/got_new.csv" > "$work/diff"; then
		ok "$what: new sources = flows' ($(wc -l < "$work/want_new.csv"))"
	else
		bad "$what: new sources differ"; cat "$work/diff" "$work/want_new.csv" "$work/got_new.csv"
	fi
}
# (the day's new sources first appear between 00:00 and 00:15: a history that ends at
# 00:10 holds two of them, in the part of an hour that only flows have)
# the loopback inventory (loopback_services.sql, loopback_nonlocal.sql read loopback_hourly)
# vs the same computed here in Python over the flows rows of the period (packets =
# flows.packets, NFLOG's excess included; lists compared as sets)
loop_check() {	# loop_check SINCE UNTIL STRICT [-i IFACE]; STRICT 1: the period must
		# hold a service of several peers and a non-local flow
	local since=$1 until=$2 strict=$3 what="loopback $1 .. $2${4:+ $4 $5}"
	shift 3
	"$S" report --db "$work/a.db" --since "$since" --until "$until" --utc "$@" -f json --force \
		--top 1000 -o "$work/r.json"
	if python3 - "$work/a.db" "$work/r.json" "$since" "$until" "${2:-}" "$strict" <<'PY'; then
import datetime, ipaddress, json, sqlite3, sys
db, rj, since, until, iface, strict = sys.argv[1:]
ts = lambda t: int(datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M").replace(tzinfo=datetime.timezone.utc).timestamp())
rows = sqlite3.connect(db).execute(
    "SELECT proto, sport, dport, src, dst, packets, bytes FROM flows WHERE class = 'loopback_flow'"
    " AND bucket >= ? AND bucket < ? AND (? = '' OR iface = ?)", (ts(since), ts(until), iface, iface)).fetchall()
svc, nonlocal_ = {}, {}
def lo(a):
    a = ipaddress.ip_address(a)
    a = a.ipv4_mapped or a if a.version == 6 else a
    return a.version == 4 and a in ipaddress.ip_network("127.0.0.0/8")
for proto, sport, dport, src, dst, p, b in rows:
    port = dport if sport == 0 else sport if dport == 0 else min(sport, dport)
    to = True if proto in (1, 58) else False if dport == 0 else True if sport == 0 else dport <= sport
    server, peer = (dst, src) if to else (src, dst)
    w = svc.setdefault((proto, port), [0, 0, 0, set(), set()])
    w[0] += p; w[1] += b; w[2] += 1; w[3].add(server); w[4].add(peer)
    if not ((lo(src) and lo(dst)) or (src == dst == "::1")):
        w = nonlocal_.setdefault((src, dst), [0, 0, 0])
        w[0] += p; w[1] += b; w[2] += 1
want = {k: (v[0], v[1], v[2], len(v[4]), sorted(v[3]), sorted(v[4])) for k, v in svc.items()}
t = json.load(open(rj))["tables"]
got = {(r["proto"], r["port"]): (r["packets"], r["bytes"], r["flows"], r["peers"],
       sorted(r["servers"].split(",")), sorted(r["peer_addrs"].split(","))) for r in t["loopback_services"]}
wantn = {k: tuple(v) for k, v in nonlocal_.items()}
gotn = {(r["src"], r["dst"]): (r["packets"], r["bytes"], r["flows"]) for r in t["loopback_nonlocal"]}
several = sum(len(v[4]) > 1 for v in want.values())
print("services %d (%d with several peers), non-local %d" % (len(want), several, len(wantn)))
if want != got:
    print("services: want", sorted(want.items()), "got", sorted(got.items()))
if wantn != gotn:
    print("non-local: want", wantn, "got", gotn)
sys.exit(want != got or wantn != gotn or not want or (strict == "1" and (not several or not wantn)))
PY
		ok "$what: services and non-local flows = flows'"
	else
		bad "$what: services or non-local flows differ from the flows'"
	fi
}
loop_check 2026-09-22T00:00 2026-09-23T00:00 1
loop_check 2026-09-22T10:10 2026-09-22T12:50 1
loop_check 2026-09-21T22:05 2026-09-22T19:55 1 -i lo0
loop_check 2026-09-20T23:50 2026-09-21T01:10 0 -i lo
spoof_check 2026-09-22T00:00 2026-09-23T00:00
spoof_check 2026-09-22T00:10 2026-09-22T10:50
spoof_check 2026-09-21T22:05 2026-09-22T01:55
spoof_check 2026-09-22T06:00 2026-09-22T10:50
spoof_check 2026-09-22T00:10 2026-09-22T19:43 -i edge
spoof_check 2026-09-22T00:10 2026-09-22T19:43 -i lo0
totals_check 2026-09-22T00:00 2026-09-23T00:00
totals_check 2026-09-22T05:17 2026-09-22T19:43
totals_check 2026-09-22T10:10 2026-09-22T10:50
totals_check 2026-09-22T10:30 2026-09-22T11:20
totals_check 2026-09-21T22:05 2026-09-22T01:55
totals_check 2026-09-22T05:17 2026-09-22T19:43 -i edge
# the whole day's text report shows the same totals as the day's JSON
"$S" report --db "$work/a.db" --day 2026-09-22 --utc -f json -o "$work/day.json"
want=$(sqlite3 "$work/a.db" "SELECT sum(packets) FROM flows WHERE bucket >= $(date -u -d 2026-09-22 +%s)
			      AND bucket < $(date -u -d 2026-09-23 +%s)")
got=$(python3 -c 'import json, sys; print(sum(r["packets"] for r in json.load(open(sys.argv[1]))["tables"]["totals"]))' "$work/day.json")
[ "$got" = "$want" ] && ok "day total: $got packets" || bad "day total: $got packets, flows say $want"

# 3. prune at 2026-09-22 00:00 +05:30 = 2026-09-21 18:30 UTC
cp "$work/a.db" "$work/p.db"
keep=$(( ($(TZ=Asia/Kolkata date -d "today 00:00" +%s) - $(TZ=Asia/Kolkata date -d "2026-09-22 00:00" +%s)) / 86400 ))
cut=$(date -u -d "2026-09-21 18:30" +%s)
TZ=Asia/Kolkata "$S" prune --db "$work/p.db" --keep "$keep" > /dev/null
[ "$(sqlite3 "$work/p.db" "SELECT min(bucket) FROM flows")" -ge "$cut" ] || bad "prune kept flows before $cut"
split=$(sqlite3 "$work/p.db" "SELECT count(*) FROM flows WHERE bucket >= $((cut - 1800)) AND bucket < $((cut + 1800))")
[ "$split" -gt 0 ] || bad "no kept flows in the split hour: the test proves nothing"
[ "$(sqlite3 "$work/p.db" "SELECT count(*) FROM flows_hourly WHERE bucket < $((cut - 1800))")" = 0 ] ||
	bad "prune left rollup rows of pruned hours"
rollup_exact "$work/p.db" "pruned at 18:30 UTC ($split flows kept in the split hour)"
# new sources whose week of history holds the split day (2026-09-21: kept from 18:30) and
# the split hour, over the flows prune kept
[ "$(sqlite3 "$work/p.db" "SELECT count(DISTINCT src) FROM flows WHERE bucket >= $cut AND bucket < $(date -u -d 2026-09-22 +%s)
	AND class IN ('spoof_loopback_src', 'own_addr_src', 'bogon_src', 'unexpected_src', 'rpf_fail', 'suspect_src')")" -gt 0 ] ||
	bad "no spoofed sources kept in the split day: the test proves nothing"
SPOOF_DB=$work/p.db SPOOF_WHAT="pruned: " spoof_check 2026-09-22T00:00 2026-09-23T00:00
SPOOF_DB=$work/p.db SPOOF_WHAT="pruned: " spoof_check 2026-09-21T19:10 2026-09-22T10:50
SPOOF_DB=$work/p.db SPOOF_WHAT="pruned: " spoof_check 2026-09-22T00:10 2026-09-22T19:43 -i edge
# ... and prune at 2026-09-23 00:00 +04:00 = 2026-09-22 20:00 UTC: on the hour, inside a
# day with spoofed sources in its hours before the cutoff (spoof_src_daily's row of such
# a source loses those hours, or goes; no hour is split, so only the day is recomputed)
cp "$work/a.db" "$work/p2.db"
cut2=$(date -u -d "2026-09-22 20:00" +%s)
[ "$(sqlite3 "$work/p2.db" "SELECT count(*) FROM spoof_src_daily WHERE day = $(date -u -d 2026-09-22 +%s)
	AND hours & ((1 << 20) - 1) <> 0")" -gt 0 ] || bad "no sources of 2026-09-22 before 20:00: the test proves nothing"
keep2=$(( ($(TZ=Asia/Dubai date -d "today 00:00" +%s) - $(TZ=Asia/Dubai date -d "2026-09-23 00:00" +%s)) / 86400 ))
TZ=Asia/Dubai "$S" prune --db "$work/p2.db" --keep "$keep2" > /dev/null
[ "$(sqlite3 "$work/p2.db" "SELECT min(bucket) FROM flows")" = "$cut2" ] || bad "prune at 20:00 UTC: flows left from $(sqlite3 "$work/p2.db" "SELECT min(bucket) FROM flows")"
rollup_exact "$work/p2.db" "pruned at 2026-09-22 20:00 UTC"
SPOOF_DB=$work/p2.db SPOOF_WHAT="pruned on the hour: " spoof_check 2026-09-22T20:05 2026-09-23T00:00
SPOOF_DB=$work/p2.db SPOOF_WHAT="pruned on the hour: " spoof_check 2026-09-22T20:10 2026-09-22T23:00 -i edge

# 4. an old file at schema version 8 with these flows, migrated
for f in "$SRCDIR"/schema/00[1-8]_*.sql; do sqlite3 "$work/old.db" < "$f"; done
cols=$(sqlite3 "$work/old.db" "SELECT group_concat(name) FROM pragma_table_info('flows')")	# version 8's
sqlite3 "$work/old.db" "PRAGMA user_version = 8;
	ATTACH '$work/a.db' AS a;
	INSERT INTO migrations SELECT * FROM a.migrations WHERE version <= 8;
	INSERT INTO runs SELECT * FROM a.runs;
	INSERT INTO flows($cols) SELECT $cols FROM a.flows;"
sqlite3 "$work/old.db" "SELECT bucket - (bucket % 3600 + 3600) % 3600, class, subclass, iface, dir, family,
	sum(coalesce(counted_packets, packets)), sum(coalesce(counted_bytes, bytes)), count(*)
	FROM flows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6" > "$work/old_sums.txt"
[ "$(sqlite3 "$work/old.db" "SELECT count(*) FROM sqlite_master WHERE name = 'flows_report_totals'")" = 1 ] ||
	bad "the version-8 file lacks flows_report_totals"
"$S" report --db "$work/old.db" --day 2026-09-22 --utc --migrate > /dev/null
sqlite3 "$work/old.db" "SELECT bucket, class, subclass, iface, dir, family, packets, bytes, flows
	FROM flows_hourly ORDER BY 1, 2, 3, 4, 5, 6" > "$work/old_rollup.txt"
if [ -s "$work/old_sums.txt" ] && cmp -s "$work/old_sums.txt" "$work/old_rollup.txt"; then
	ok "migrated: rollup = sums over flows taken before ($(wc -l < "$work/old_sums.txt") rows)"
else
	bad "migrated: rollup differs from the sums taken before migrating"
fi
rollup_exact "$work/old.db" "migrated from version 8"
[ "$(sqlite3 "$work/old.db" "SELECT count(*) FROM sqlite_master WHERE name = 'flows_report_totals'")" = 0 ] &&
	ok "migrated: flows_report_totals dropped" || bad "migrated: flows_report_totals still there"
"$S" report --db "$work/old.db" --day 2026-09-22 --utc -f json -o "$work/old.json"
python3 - "$work/day.json" "$work/old.json" <<'PY' && ok "migrated: the day's report equals the collected file's" || bad "migrated: report differs"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for j in (a, b):
    j.pop("generated")
    for h in j["hosts"]:
        h.pop("path"); h.pop("name")
    for t in j["tables"].values():
        for r in t:
            r.pop("host", None)
diff = [t for t in ("totals", "totals_class", "top_sources", "top_ports", "new_sources") if a["tables"][t] != b["tables"][t]]
print(diff)
sys.exit(bool(diff))
PY

# same_day_report JSON WHAT: JSON, the day's report of a migrated copy, equals the
# collected file's (day.json) but for what names the file.
same_day_report() {
	python3 - "$work/day.json" "$1" <<'PY' && ok "$2: the day's report is unchanged" || bad "$2: report differs"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for j in (a, b):
    j.pop("generated")
    for h in j["hosts"]:
        h.pop("path"); h.pop("name")
    for t in j["tables"].values():
        for r in t:
            r.pop("host", None)
    j["verdict"].pop("next_steps")	# commands that name the file
diff = [k for k in a if a[k] != b[k]]
print(diff)
sys.exit(bool(diff))
PY
}

# 5. version 10: the collected file as migration 10 left it
cp "$work/a.db" "$work/v10.db"
spoof_src=$(python3 -c 'import re, sys
print(re.search(r"CREATE INDEX flows_report_spoof_src.*?;", open(sys.argv[1]).read(), re.S).group(0))' \
	"$SRCDIR/schema/003_report_indexes.sql")
hourly10=$(python3 -c 'import re, sys
print(re.search(r"CREATE TABLE flows_hourly \(.*?\) WITHOUT ROWID;", open(sys.argv[1]).read(), re.S).group(0))' \
	"$SRCDIR/schema/010_hourly_rollup.sql")
sqlite3 "$work/v10.db" "DROP TABLE spoof_hourly; DROP TABLE loopback_hourly; DROP TABLE spoof_src_daily; $spoof_src
	ALTER TABLE flows DROP COLUMN pre_reply;
	DELETE FROM migrations WHERE version >= 11;
	ALTER TABLE flows_hourly RENAME TO h11; $hourly10
	INSERT INTO flows_hourly SELECT bucket, class, subclass, iface, dir, family, packets, bytes, flows
	FROM h11; DROP TABLE h11; PRAGMA user_version = 10;"
"$S" report --db "$work/v10.db" --day 2026-09-22 --utc -f json -o /dev/null 2>/dev/null &&
	bad "a version-10 file was read without --migrate" || true
"$S" report --db "$work/v10.db" --day 2026-09-22 --utc --migrate -f json -o "$work/v10.json"
rollup_exact "$work/v10.db" "migrated from version 10"
[ "$(sqlite3 "$work/v10.db" "SELECT count(*) FROM sqlite_master WHERE name = 'flows_report_spoof_src'")" = 0 ] &&
	ok "migrated: flows_report_spoof_src dropped" || bad "migrated: flows_report_spoof_src still there"
same_day_report "$work/v10.json" "migrated from 10"

# 6. version 13: the collected file as migration 13 left it (spoof_hourly_src, no
# spoof_src_daily)
cp "$work/a.db" "$work/v13.db"
src_idx=$(python3 -c 'import re, sys
print(re.search(r"CREATE INDEX spoof_hourly_src.*?;", open(sys.argv[1]).read(), re.S).group(0))' \
	"$SRCDIR/schema/011_spoof_rollup.sql")
sqlite3 "$work/v13.db" "DROP TABLE spoof_src_daily; $src_idx
	DELETE FROM migrations WHERE version >= 14; PRAGMA user_version = 13;"
"$S" report --db "$work/v13.db" --day 2026-09-22 --utc -f json -o /dev/null 2>/dev/null &&
	bad "a version-13 file was read without --migrate" || true
"$S" report --db "$work/v13.db" --day 2026-09-22 --utc --migrate -f json -o "$work/v13.json"
rollup_exact "$work/v13.db" "migrated from version 13"
[ "$(sqlite3 "$work/v13.db" "SELECT count(*) FROM sqlite_master WHERE name = 'spoof_hourly_src'")" = 0 ] &&
	ok "migrated: spoof_hourly_src dropped" || bad "migrated: spoof_hourly_src still there"
SPOOF_DB=$work/v13.db SPOOF_WHAT="migrated from 13: " spoof_check 2026-09-21T22:05 2026-09-22T01:55
same_day_report "$work/v13.json" "migrated from 13"
exit $fail
