#!/bin/bash
# `cmake --install` installs the binary, spoofaudit(8) and the systemd units with their
# sysusers.d/tmpfiles.d snippets; the man page renders without warnings and names every
# subcommand and every long option their --help lists; `systemd-analyze verify` accepts
# the units inside the installed tree (and rejects a broken copy, so the check can fail);
# systemd-sysusers and systemd-tmpfiles apply the snippets to that tree.
# Skipped (77) without systemd-analyze (Debian package `systemd`).
set -uo pipefail
: "${SPOOFAUDIT:?}" "${BUILDDIR:?}"
command -v systemd-analyze > /dev/null || { echo "skip: systemd-analyze missing (apt-get install systemd)"; exit 77; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

DESTDIR="$root" cmake --install "$BUILDDIR" > "$root.log" 2>&1 || { bad "cmake --install"; cat "$root.log"; }
rm -f "$root.log"
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$BUILDDIR/CMakeCache.txt")
sbin=$(find "$root" -path '*/sbin/spoofaudit' -type f | head -1)
man8=$(find "$root" -name spoofaudit.8 | head -1)
units=$(find "$root" -path '*/systemd/system/*' -name 'spoofaudit*' | sort)
for f in "$sbin" "$man8"; do [ -n "$f" ] && ok "installed ${f#"$root"}" || bad "binary or man page not installed"; done
[ "$(echo "$units" | grep -c .)" -eq 3 ] && ok "installed 3 units: $(echo "$units" | xargs -n1 basename | xargs)" ||
	bad "units: $units"
for d in sysusers.d tmpfiles.d; do
	[ -n "$(find "$root" -path "*/$d/spoofaudit.conf")" ] && ok "installed $d/spoofaudit.conf" || bad "no $d/spoofaudit.conf"
done
grep -q "ExecStart=$prefix/sbin/spoofaudit collect" $units && ok "units run $prefix/sbin/spoofaudit" ||
	bad "units do not name $prefix/sbin/spoofaudit"

# the man page: no groff warnings, every subcommand and long option
warn=$(LC_ALL=C.UTF-8 MANWIDTH=100 man --warnings -l "$man8" 2>&1 > "$root/man.txt")
[ -z "$warn" ] && ok "man page renders without warnings" || bad "man warnings: $warn"
cmds=$("$SPOOFAUDIT" --help | awk '/^Subcommands:/ { on = 1; next } on && !NF { exit } on { print $1 }')
missing=""
for c in $cmds; do
	# one page per subcommand beside spoofaudit(8) (tests/e2e/t_man.sh checks them all)
	page="$(dirname "$man8")/spoofaudit-$c.8"
	[ -f "$page" ] && LC_ALL=C.UTF-8 MANWIDTH=100 man -l "$page" > "$root/man-$c.txt" 2>&1 || missing="$missing $c"
	for o in $("$SPOOFAUDIT" "$c" --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
		grep -qF -- "$o" "$root/man-$c.txt" || missing="$missing $c:$o"
	done
done
[ -z "$missing" ] && ok "man page covers subcommands $(echo $cmds) and all their options" ||
	bad "man page lacks:$missing"

# systemd-analyze verify inside the installed tree (systemd need not run): the tree gets
# the system's own units (targets the ours refer to), and man finds our page through
# MANPATH for the Documentation= check.
mkdir -p "$root/usr/lib/systemd" "$root/etc"
cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/" 2>/dev/null || true
manpath=$(dirname "$(dirname "$man8")")
if MANPATH="$manpath" systemd-analyze verify --root="$root" $units > "$root/verify.log" 2>&1; then
	ok "systemd-analyze verify accepts the units"
else
	bad "systemd-analyze verify:"; cat "$root/verify.log"
fi
svc=$(echo "$units" | grep '/spoofaudit.service$')
sed 's/^ExecStart=/ExecStrat=/; s/^Restart=on-failure/Restart=sometimes/' "$svc" > "$(dirname "$svc")/broken-test.service"
if MANPATH="$manpath" systemd-analyze verify --root="$root" "$(dirname "$svc")/broken-test.service" > "$root/verify2.log" 2>&1; then
	bad "systemd-analyze verify accepted a broken unit: the check cannot fail"
else
	ok "systemd-analyze verify rejects a broken copy"
fi
rm -f "$(dirname "$svc")/broken-test.service"
# the snippets, applied to the tree
systemd-sysusers --root="$root" "$(find "$root" -path '*/sysusers.d/spoofaudit.conf')" > /dev/null 2>&1 &&
	grep -q '^spoofaudit:' "$root/etc/passwd" && ok "sysusers creates the user spoofaudit" || bad "sysusers"
systemd-tmpfiles --root="$root" --create "$(find "$root" -path '*/tmpfiles.d/spoofaudit.conf')" > /dev/null 2>&1
[ -d "$root/var/lib/spoofaudit/reports" ] && [ "$(stat -c %U "$root/var/lib/spoofaudit" 2>/dev/null)" != root ] &&
	ok "tmpfiles creates /var/lib/spoofaudit/reports owned by spoofaudit" || bad "tmpfiles"
exit $fail
