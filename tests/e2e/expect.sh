# Shared by the e2e command-line scripts (sourced, not run): a scratch directory $work
# removed on exit, and expect NAME WANT_RC PATTERN -- cmd..., which runs cmd and counts a
# pass when it exits WANT_RC and its output (stdout and stderr) matches the extended
# regular expression PATTERN (an empty PATTERN matches anything). expect_done prints the
# tally and returns non-zero if anything failed.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 failn=0

expect() {	# expect NAME WANT_RC PATTERN -- cmd...
	local name=$1 want=$2 pat=$3
	shift 4
	"$@" > "$work/out" 2>&1
	local rc=$?
	if [ "$rc" -eq "$want" ] && { [ -z "$pat" ] || grep -qE -- "$pat" "$work/out"; }; then
		pass=$((pass + 1))
	else
		failn=$((failn + 1))
		echo "FAIL: $name: exit $rc (want $want), output:"; sed 's/^/    /' "$work/out" | head -40
	fi
}

expect_done() {
	echo "$pass passed, $failn failed"
	[ "$failn" -eq 0 ]
}
