#!/bin/bash
# Truth test: the project's generator writes captures with a known class for every
# packet; `spoofaudit collect -r` must store exactly those packet and byte counts per file,
# interface, class and subclass, and exactly the generator's received/decoded/not-IP/
# malformed counts per source. When ../shared/tools/gen-traffic is present, its capture
# is cross-checked against its own truth file too.
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

python3 "$SRCDIR/tests/tools/gen_truth.py" --out "$work/gen" --packets 20000 --seed 11

: > "$work/got.csv"
while read -r file args; do
	db="$work/$file.db"
	# shellcheck disable=SC2086
	"$SPOOFAUDIT" collect -q --db "$db" -r "$work/gen/$file" $args
	sqlite3 -csv "$db" "SELECT '$file', iface, class, subclass, sum(packets), sum(bytes)
	                    FROM flows GROUP BY iface, class, subclass ORDER BY 2,3,4" >> "$work/got.csv"
	sqlite3 -csv "$db" "SELECT '$file', sum(received), sum(decoded_ip), sum(not_ip), sum(malformed)
	                    FROM capture_stats" >> "$work/got_counts.csv"
done < "$work/gen/args.txt"

compare() {	# compare expected and got CSV (headerless, sorted)
	local what=$1 exp=$2 got=$3
	if diff <(sort "$exp") <(sort "$got") > "$work/diff"; then
		echo "ok: $what: $(wc -l < "$exp") rows equal the truth"
	else
		echo "FAIL: $what differs from the truth (< truth, > stored):"
		cat "$work/diff"
		fail=1
	fi
}
tail -n +2 "$work/gen/truth.csv" > "$work/exp.csv"
tail -n +2 "$work/gen/counts.csv" > "$work/exp_counts.csv"
compare "flows per file/iface/class/subclass" "$work/exp.csv" "$work/got.csv"
compare "per-source counts" "$work/exp_counts.csv" "$work/got_counts.csv"

# A file of DLT_NFLOG frames records which rule prefix logged each packet: the
# generator wrote its spoofed packets with prefix spoof-lo and the others with in-log.
sqlite3 -csv "$work/nflog.pcap.db" "SELECT prefix, sum(packets) FROM flow_nflog GROUP BY 1
                                     ORDER BY 1" > "$work/got_nflog.csv"
awk -F, '$1 == "nflog.pcap" && $3 == "normal" {n = $5}
         $1 == "nflog.pcap" && $3 == "spoof_loopback_src" {s = $5}
         END {print "in-log," n; print "spoof-lo," s}' "$work/gen/truth.csv" > "$work/exp_nflog.csv"
compare "NFLOG prefixes of the nflog file" "$work/exp_nflog.csv" "$work/got_nflog.csv"

# Cross-check with the shared generator (classes mapped to ours by its documented intent).
gt="$SRCDIR/../shared/tools/gen-traffic"
if [ -x "$gt" ]; then
	python3 "$gt" --packets 50000 --seed 5 --flow-len 20 --truth "$work/gt.csv" "$work/gt.pcap"
	"$SPOOFAUDIT" collect -q --db "$work/gt.db" -r "$work/gt.pcap" --iface-name eth0
	awk -F, 'NR > 1 {
		m["normal_v4"]="normal,none"; m["normal_v6"]="normal,none";
		m["vlan_normal_v4"]="normal,none";
		m["spoof_loopback_src_v4"]="spoof_loopback_src,loopback";
		m["spoof_loopback_src_v6"]="spoof_loopback_src,loopback";
		m["vlan_spoof_loopback_v4"]="spoof_loopback_src,loopback";
		m["fragment_spoof_loopback_v4"]="spoof_loopback_src,loopback";
		m["truncated_spoof_loopback_v4"]="spoof_loopback_src,loopback";
		m["mapped_loopback_src_v6"]="spoof_loopback_src,ipv4_mapped_loopback";
		m["loopback_dst_v4"]="loopback_dst,loopback";
		m["private_src_v4"]="bogon_src,private"; m["cgnat_src_v4"]="bogon_src,shared";
		m["linklocal_src_v4"]="bogon_src,link_local"; m["linklocal_src_v6"]="bogon_src,link_local";
		m["docnet_src_v4"]="bogon_src,documentation"; m["ula_src_v6"]="bogon_src,ula";
		if (!($1 in m)) { print "unmapped class " $1 > "/dev/stderr"; exit 1 }
		s[m[$1]] += $2 }
		END { for (k in s) if (s[k] > 0) print k "," s[k] }' "$work/gt.csv" > "$work/gt_exp.csv"
	[ -s "$work/gt_exp.csv" ] || { echo "FAIL: empty gen-traffic truth"; exit 1; }
	sqlite3 -csv "$work/gt.db" "SELECT class, subclass, sum(packets) FROM flows
	                            GROUP BY class, subclass" > "$work/gt_got.csv"
	compare "shared gen-traffic truth" "$work/gt_exp.csv" "$work/gt_got.csv"
else
	echo "note: ../shared/tools/gen-traffic absent; shared cross-check skipped"
fi
exit $fail
