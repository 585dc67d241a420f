#!/bin/bash
# Corpus test for the iptables parser: every ruleset under ../shared/corpus/rulesets/ must
# parse, or fail with file:line on a line that iptables-restore --test also rejects; and the
# canonical print of every parsed file must be accepted by iptables-restore --test. When
# the original loads into a fresh namespace, the canonical print is loaded too and the two
# iptables-save outputs must be identical (a semantic round trip through the kernel).
#
# The kernel oracle runs in a fresh network namespace per file, with the nft variant
# (Debian's default iptables) and the legacy one; a file counts as accepted by iptables
# when either variant accepts it. Without root the oracle part is skipped with a message.
# Env: TOOLS (dir with ipt_tool), SRCDIR. Exit 77 = skipped.
set -u

corpus="${SRCDIR:-.}/../shared/corpus/rulesets"
tool="${TOOLS:-}/ipt_tool"
if [ ! -d "$corpus" ]; then
	echo "SKIP: $corpus absent (no ../shared corpus in this checkout)"
	exit 77
fi
if [ ! -x "$tool" ]; then
	echo "FAIL: $tool not built"
	exit 1
fi

oracle=1
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null || ! command -v iptables-restore >/dev/null; then
	echo "NOTE: not root or no iptables/iproute2: kernel oracle part skipped"
	oracle=0
fi

tmp=$(mktemp -d)
ns="ipt_corpus_$$"
cleanup() {
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# restore_test FAMILY VARIANT FILE: iptables-restore --test in a fresh namespace.
# Prints the error text; returns its status.
restore_test() {
	local bin
	if [ "$1" = 6 ]; then bin=ip6tables-$2-restore; else bin=iptables-$2-restore; fi
	ip netns del "$ns" 2>/dev/null
	ip netns add "$ns" || return 99
	ip netns exec "$ns" "$bin" --test < "$3" 2>&1
}

# accepted FAMILY FILE: 0 when the nft or the legacy variant accepts it; sets $which.
accepted() {
	which=""
	restore_test "$1" nft "$2" > "$tmp/err.nft" && which="nft"
	restore_test "$1" legacy "$2" > "$tmp/err.legacy" && which="$which${which:+,}legacy"
	[ -n "$which" ]
}

# saved FAMILY FILE: load into a fresh namespace (legacy) and print iptables-save without
# counters and comments.
saved() {
	local fam=$1 file=$2 p=iptables
	[ "$fam" = 6 ] && p=ip6tables
	ip netns del "$ns" 2>/dev/null
	ip netns add "$ns" || return 1
	ip netns exec "$ns" $p-legacy-restore < "$file" 2>/dev/null || return 1
	ip netns exec "$ns" $p-legacy-save | grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]//g'
}

parsed=0 rejected_both=0 rejected_only_us=0 rt_ok=0 rt_fail=0 orig_rejected=0 same=0 differ=0
failures=0
while IFS= read -r -d '' f; do
	case "$(basename "$f")" in LICENSE|COPYING|README*) continue ;; esac
	rel=${f#"$corpus"/}
	if "$tool" parse "$f" > "$tmp/canon" 2> "$tmp/perr"; then
		parsed=$((parsed + 1))
		fam=$("$tool" family "$f")
		[ $oracle = 1 ] || { echo "parsed      $rel"; continue; }
		orig="rejected"
		accepted "$fam" "$f" && orig="accepted($which)"
		if accepted "$fam" "$tmp/canon"; then
			rt_ok=$((rt_ok + 1))
			echo "parsed      $rel (IPv$fam): original $orig, canonical accepted ($which)"
		elif [ "$orig" = rejected ]; then
			orig_rejected=$((orig_rejected + 1))
			echo "parsed      $rel (IPv$fam): neither the original nor the canonical form loads: $(head -1 "$tmp/err.nft")"
		else
			rt_fail=$((rt_fail + 1))
			failures=$((failures + 1))
			echo "FAIL        $rel: canonical print rejected: $(head -1 "$tmp/err.nft")"
			continue
		fi
		if saved "$fam" "$f" > "$tmp/a" && saved "$fam" "$tmp/canon" > "$tmp/b"; then
			if cmp -s "$tmp/a" "$tmp/b"; then
				same=$((same + 1))
			else
				differ=$((differ + 1))
				failures=$((failures + 1))
				echo "FAIL        $rel: kernel holds a different ruleset after the round trip"
				diff "$tmp/a" "$tmp/b" | head -5
			fi
		fi
	else
		msg=$(head -1 "$tmp/perr")
		# file:line:col: message
		line=$(printf '%s' "${msg#"$f":}" | cut -d: -f1)
		if [ $oracle = 0 ]; then
			echo "rejected    $rel: $msg"
			continue
		fi
		# family by content: IPv4 addresses win, then IPv6 addresses or ICMPv6
		fam=4
		if ! grep -qE -- '-[sd] !? ?[0-9]+\.[0-9]+' "$f" &&
		   grep -qE -- '(-[sd] !? ?[0-9a-fA-F]*:|icmp6|icmpv6|ipv6-icmp)' "$f"; then
			fam=6
		fi
		if accepted "$fam" "$f"; then
			rejected_only_us=$((rejected_only_us + 1))
			failures=$((failures + 1))
			echo "FAIL        $rel: we reject ($msg) but iptables-restore accepts ($which)"
			continue
		fi
		# iptables reports "Error occurred at line: N" or "line N failed"
		kline=$(grep -hoE 'line:? [0-9]+' "$tmp/err.nft" "$tmp/err.legacy" | head -1 | grep -oE '[0-9]+')
		if [ -n "$kline" ] && [ "$kline" != "$line" ]; then
			rejected_only_us=$((rejected_only_us + 1))
			failures=$((failures + 1))
			echo "FAIL        $rel: we reject line $line, iptables rejects line $kline"
			continue
		fi
		rejected_both=$((rejected_both + 1))
		echo "rejected    $rel: $msg (iptables-restore too, line ${kline:-?}: $(head -1 "$tmp/err.nft"))"
	fi
done < <(find "$corpus" -type f -print0 | sort -z)

echo "summary: parsed=$parsed rejected-by-both=$rejected_both rejected-only-by-us=$rejected_only_us" \
     "round-trip-ok=$rt_ok round-trip-failed=$rt_fail original-not-loadable=$orig_rejected" \
     "kernel-identical=$same kernel-different=$differ"
[ $failures = 0 ]
