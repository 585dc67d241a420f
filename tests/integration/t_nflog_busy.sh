#!/bin/bash
# An NFLOG group another process holds fails at start with a message naming the group
# (and the collector that holds it keeps running).
set -euo pipefail
. "${SRCDIR:?}/tests/integration/netns.sh"
ns_test_start nb
ip netns exec "$NS_A" "$SPOOFAUDIT" collect -q --nflog 44 --db "$WORK/a.db" --user root --duration 60 &
pid=$!
NS_CLEANUP_HOOK="kill $pid 2>/dev/null"
ns_wait_sources "$WORK/a.db" 1
set +e
ip netns exec "$NS_A" "$SPOOFAUDIT" collect -q --nflog 45,44 --db "$WORK/b.db" --user root --duration 5 2> "$WORK/err"
rc=$?
set -e
echo "second collector on group 44: exit $rc: $(cat "$WORK/err")"
[ "$rc" -eq 1 ] || { echo "FAIL: exit status $rc"; fail=1; }
grep -q "NFLOG group 44 is already bound by another process" "$WORK/err" || { echo "FAIL: message"; fail=1; }
kill -0 $pid || { echo "FAIL: the first collector died"; fail=1; }
kill -TERM $pid; wait $pid || { echo "FAIL: the first collector did not exit 0"; fail=1; }
NS_CLEANUP_HOOK=
exit $fail
