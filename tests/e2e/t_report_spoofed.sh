#!/bin/bash
# The report's tables of spoofed flows (top sources, top destinations, top ports, TTL
# ranges), which src/report/report_spoofed.c sums from one read of the period's spoofed
# flows. Oracle: each table computed here with plain sqlite3 GROUP BY queries over the
# flows rows, never with spoofaudit's code, and compared row by row, in order:
#   top sources       the spoofed classes but loopback_dst, per source, packets
#                     descending then the address; packets, bytes, flows, first and last
#                     packet (to the second), classes and interfaces (byte order);
#   top destinations  likewise per destination, loopback_dst included;
#   top ports         per protocol and port, packets descending then protocol then port;
#                     packets, bytes, flows, distinct sources, classes;
#   TTL ranges        per class and (min, max), class then packets descending then min,
#                     max; the six largest of each class, with their share of its packets.
# For whole days, for a period that starts and ends inside an hour, with -i, with --top 1000
# and --top 3 (so that ties in packets are cut by the second key), in JSON.
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
S=$SPOOFAUDIT
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TZ=UTC
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

python3 "$SRCDIR/tests/tools/gen_truth.py" --out "$work/g1" --packets 20000 --seed 3 >/dev/null
python3 "$SRCDIR/tests/tools/gen_report_truth.py" --out "$work/g2" >/dev/null
for g in g1 g2; do
	while read -r file args; do
		# shellcheck disable=SC2086
		"$S" collect -q --db "$work/a.db" -r "$work/$g/$file" $args --bucket 300
	done < "$work/$g/args.txt"
done
db=$work/a.db
SP="'spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src', 'unexpected_src', 'rpf_fail', 'suspect_src'"
# preconditions: what the comparison needs to mean something
pre=$(sqlite3 "$db" "SELECT
	(SELECT count(*) FROM (SELECT src FROM flows WHERE class IN ($SP) GROUP BY src
				HAVING count(DISTINCT iface) > 1)),
	(SELECT count(*) FROM (SELECT dst FROM flows WHERE class IN ($SP) GROUP BY dst
				HAVING count(DISTINCT class) > 1)),
	(SELECT count(*) FROM flows WHERE class = 'loopback_dst'),
	(SELECT count(*) FROM flows WHERE class IN ($SP) AND ttl_min <> ttl_max)")
IFS='|' read -r multi_src multi_dst lbd ranges <<< "$pre"
if [ "$multi_src" -gt 0 ] && [ "$multi_dst" -gt 0 ] && [ "$lbd" -gt 0 ] && [ "$ranges" -gt 0 ]; then
	ok "the data holds sources of several interfaces ($multi_src), destinations of several classes ($multi_dst), loopback_dst flows ($lbd) and TTL ranges ($ranges)"
else
	bad "the data lacks what the test needs: $pre"
fi

# want SINCE UNTIL FILTER LIMIT: the four tables over the flows, one line per row
want() {
	local s=$1 u=$2 f=$3 n=$4 w
	w="class IN ($SP) AND bucket >= $s AND bucket < $u $f"
	# (the lists: group_concat over rows sorted in a subquery, joined per group)
	sqlite3 -separator '|' "$db" "
	CREATE TEMP TABLE b AS SELECT * FROM flows WHERE $w;
	CREATE TEMP TABLE ls AS SELECT k, v, group_concat(x) AS l FROM
		(SELECT DISTINCT 'sc' AS k, src AS v, class AS x FROM b WHERE class <> 'loopback_dst'
		 UNION SELECT DISTINCT 'si', src, iface FROM b WHERE class <> 'loopback_dst'
		 UNION SELECT DISTINCT 'dc', dst, class FROM b
		 UNION SELECT DISTINCT 'di', dst, iface FROM b
		 UNION SELECT DISTINCT 'pc', proto || '/' || dport, class FROM b
		 ORDER BY 1, 2, 3)
		GROUP BY k, v;
	SELECT 'src', src, sum(packets), sum(bytes), count(*),
	       strftime('%Y-%m-%dT%H:%M:%SZ', min(first_usec) / 1000000, 'unixepoch'),
	       strftime('%Y-%m-%dT%H:%M:%SZ', max(last_usec) / 1000000, 'unixepoch'),
	       (SELECT l FROM ls WHERE k = 'sc' AND v = src), (SELECT l FROM ls WHERE k = 'si' AND v = src)
	FROM b WHERE class <> 'loopback_dst'
	GROUP BY src ORDER BY sum(packets) DESC, src LIMIT $n;
	SELECT 'dst', dst, sum(packets), sum(bytes), count(*),
	       strftime('%Y-%m-%dT%H:%M:%SZ', min(first_usec) / 1000000, 'unixepoch'),
	       strftime('%Y-%m-%dT%H:%M:%SZ', max(last_usec) / 1000000, 'unixepoch'),
	       (SELECT l FROM ls WHERE k = 'dc' AND v = dst), (SELECT l FROM ls WHERE k = 'di' AND v = dst)
	FROM b GROUP BY dst ORDER BY sum(packets) DESC, dst LIMIT $n;
	SELECT 'port', proto, dport, sum(packets), sum(bytes), count(*), count(DISTINCT src),
	       (SELECT l FROM ls WHERE k = 'pc' AND v = proto || '/' || dport)
	FROM b GROUP BY proto, dport ORDER BY sum(packets) DESC, proto, dport LIMIT $n;
	SELECT 'ttl', class, ttl_min, ttl_max, sum(packets), count(*)
	FROM b GROUP BY class, ttl_min, ttl_max
	ORDER BY class, sum(packets) DESC, ttl_min, ttl_max;" |
	python3 -c '
import sys
n = int(sys.argv[1]); rows = [l.rstrip("\n").split("|") for l in sys.stdin]
tot, seen = {}, {}
for v in rows:
    if v[0] == "ttl":
        tot[v[1]] = tot.get(v[1], 0) + int(v[4])
for v in rows:	# the TTL table shows the six largest ranges of each class, with their share
    if v[0] == "ttl":
        seen[v[1]] = seen.get(v[1], 0) + 1
        if seen[v[1]] > 6:
            continue
        v.append("%.1f%%" % (100.0 * int(v[4]) / tot[v[1]]))
    print("|".join(v))' "$n"
}
# got JSON: the same lines from the report's tables
got() {
	python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["tables"]
for k, tab in (("src", "top_sources"), ("dst", "top_destinations")):
    for r in t[tab]:
        print("|".join(str(x) for x in (k, r["addr"], r["packets"], r["bytes"], r["flows"],
              r["first_seen"], r["last_seen"], r["classes"], r["ifaces"])))
for r in t["top_ports"]:
    print("|".join(str(x) for x in ("port", r["proto"], r["port"], r["packets"], r["bytes"],
          r["flows"], r["sources"], r["classes"])))
for r in t["ttl"]:
    print("|".join(str(x) for x in ("ttl", r["class"], r["ttl_min"], r["ttl_max"], r["packets"],
          r["flows"], r["share"])))' "$1"
}
check() {	# check SINCE UNTIL TOP [-i IFACE]
	local since=$1 until=$2 top=$3 s u f="" what="$1 .. $2 --top $3${4:+ $4 $5}"
	s=$(date -u -d "${since/T/ }" +%s)
	u=$(date -u -d "${until/T/ }" +%s)
	shift 3
	[ $# -eq 2 ] && f="AND iface = '$2'"
	want "$s" "$u" "$f" "$top" > "$work/want.txt"
	"$S" report --db "$db" --since "$since" --until "$until" --utc "$@" --top "$top" -f json \
		--force -o "$work/r.json"
	got "$work/r.json" > "$work/got.txt"
	if [ -s "$work/want.txt" ] && diff -u "$work/want.txt" "$work/got.txt" > "$work/diff"; then
		ok "$what: the four tables = flows' ($(cut -d'|' -f1 "$work/want.txt" | sort | uniq -c | xargs))"
	else
		bad "$what: the tables differ"; head -40 "$work/diff"
	fi
}
check 2026-09-21 2026-09-22 1000
check 2026-09-21 2026-09-23 1000
check 2026-09-21 2026-09-23 3
check 2026-09-21T05:40 2026-09-22T00:10 1000
check 2026-09-21 2026-09-23 1000 -i eth
check 2026-09-21 2026-09-23 2 -i edge
check 2026-09-22 2026-09-23 1000
exit $fail
