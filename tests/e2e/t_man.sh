#!/bin/bash
# The manual pages: the seven pages the project ships (spoofaudit(8), one page per
# subcommand, spoofaudit.db(5)) are in src/dist, render in the tree with `man -l` and with
# `groff -man -ww -z` without a single warning, stay within 80 columns at MANWIDTH=80,
# document every long option their subcommand's --help lists, and refer only to pages that
# exist; `cmake --install` into a DESTDIR puts all seven in share/man/man8 and man5.
# A broken copy of a page must produce warnings, so that the check can fail.
# Skipped (77) without man or groff (Debian packages man-db, groff-base).
set -uo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}" "${BUILDDIR:?}"
command -v man > /dev/null && command -v groff > /dev/null ||
	{ echo "skip: man or groff missing (apt-get install man-db groff-base)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
dist="$SRCDIR/src/dist"
# the list the issue asks for (not derived from the tree)
pages8="spoofaudit spoofaudit-collect spoofaudit-check spoofaudit-report spoofaudit-export spoofaudit-prune"
pages5="spoofaudit.db"

# warnings of both renderers: empty or the page is not clean
render_warnings() {
	local f=$1
	groff -man -ww -z "$f" 2>&1
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l -Tutf8 "$f" 2>&1 > /dev/null
}

all=""
for p in $pages8; do all="$all $dist/$p.8"; done
for p in $pages5; do all="$all $dist/$p.5"; done
for f in $all; do
	n=$(basename "$f")
	[ -f "$f" ] || { bad "$n missing from src/dist"; continue; }
	w=$(render_warnings "$f")
	[ -z "$w" ] && ok "$n renders without warnings (groff -ww, man --warnings)" || bad "$n warnings: $w"
	LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$f" 2> /dev/null > "$work/$n.txt"
	width=$(LC_ALL=C.UTF-8 wc -L < "$work/$n.txt")
	[ "$width" -le 80 ] && ok "$n: widest line $width columns at MANWIDTH=80" || bad "$n: a line of $width columns"
	# NAME names the page itself
	name=${n%.*}
	grep -A1 '^NAME' "$work/$n.txt" | grep -qE "^ *$name +- " && ok "$n: NAME is $name" || bad "$n: NAME does not say $name"
done

# the checker itself: a page with an unknown macro and a bad escape must warn
sed '0,/^\.SH DESCRIPTION/s//.SH DESCRIPTION\n.BX unknown\n\\[nosuchglyph]/' "$dist/spoofaudit.8" > "$work/broken.8"
[ -n "$(render_warnings "$work/broken.8")" ] && ok "a broken copy warns (the check can fail)" ||
	bad "a broken page rendered without warnings: the check cannot fail"

# every long option of each subcommand's --help is on its page
for c in collect check report export prune; do
	missing=""
	for o in $("$SPOOFAUDIT" "$c" --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
		grep -qF -- "$o" "$work/spoofaudit-$c.8.txt" || missing="$missing $o"
	done
	[ -z "$missing" ] && ok "spoofaudit-$c(8) documents every option of '$c --help'" ||
		bad "spoofaudit-$c(8) lacks:$missing"
done
# every subcommand of --help has its page, named in spoofaudit(8)'s SEE ALSO
cmds=$("$SPOOFAUDIT" --help | awk '/^Subcommands:/ { on = 1; next } on && !NF { exit } on { print $1 }')
for c in $cmds; do
	[ -f "$dist/spoofaudit-$c.8" ] && grep -q "spoofaudit-$c(8)" "$work/spoofaudit.8.txt" &&
		ok "subcommand $c: page spoofaudit-$c(8), in spoofaudit(8)" || bad "subcommand $c has no page or is not referred to"
done
# cross-references to spoofaudit pages resolve to a shipped page
for f in $all; do
	n=$(basename "$f")
	for ref in $(grep -oE 'spoofaudit[a-z.-]*\([0-9]\)' "$work/$n.txt" | sort -u); do
		p=${ref%(*}; s=${ref#*(}; s=${s%)}
		[ -f "$dist/$p.$s" ] || bad "$n refers to $ref, which does not exist"
	done
done
ok "cross-references checked"

# cmake --install into a DESTDIR
DESTDIR="$work/root" cmake --install "$BUILDDIR" > "$work/install.log" 2>&1 || { bad "cmake --install"; cat "$work/install.log"; }
man8=$(find "$work/root" -type d -path '*/share/man/man8' | head -1)
man5=$(find "$work/root" -type d -path '*/share/man/man5' | head -1)
for p in $pages8; do
	[ -n "$man8" ] && cmp -s "$dist/$p.8" "$man8/$p.8" && ok "installed share/man/man8/$p.8" || bad "$p.8 not installed in share/man/man8"
done
for p in $pages5; do
	[ -n "$man5" ] && cmp -s "$dist/$p.5" "$man5/$p.5" && ok "installed share/man/man5/$p.5" || bad "$p.5 not installed in share/man/man5"
done
n=$(find "$work/root" -path '*/share/man/*' -type f | wc -l)
[ "$n" -eq 7 ] && ok "7 pages installed" || bad "$n pages installed, expected 7"
# and man finds them there by name and section
MANPATH="$(dirname "$man8")" man -w 5 spoofaudit.db > /dev/null 2>&1 &&
	MANPATH="$(dirname "$man8")" man -w 8 spoofaudit-check > /dev/null 2>&1 &&
	ok "man finds spoofaudit.db(5) and spoofaudit-check(8) in the installed tree" || bad "man -w cannot find installed pages"
exit $fail
