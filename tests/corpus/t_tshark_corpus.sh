#!/bin/bash
# Compares the packet decoder with tshark on the tcpdump regression captures (outer IP
# source, destination, protocol per frame); fails on a disagreement not excused in
# tshark-exceptions.txt, or on any sanitizer report from decode_dump.
# Env: TOOLS (dir with decode_dump), SRCDIR. Exit 77 = skipped.
set -u
here=$(cd "$(dirname "$0")" && pwd)
srcdir=${SRCDIR:-$here/../..}
corpus=$srcdir/../shared/corpus/pcap-tcpdump

if [ ! -d "$corpus" ]; then
	echo "SKIP: corpus folder $corpus is absent (it lives in ../shared, outside the repo)"
	exit 77
fi
if [ -z "${TOOLS:-}" ] || [ ! -x "$TOOLS/decode_dump" ]; then
	echo "SKIP: decode_dump not built (set TOOLS to the build's tools directory)"
	exit 77
fi
if ! command -v tshark >/dev/null 2>&1; then
	echo "SKIP: tshark is not installed"
	exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP: python3 is not installed"
	exit 77
fi
# An ASan build must not stop at the first leak-free exit; any report fails the test.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
exec python3 "$here/tshark_compare.py" "$TOOLS" "$corpus" "$here/tshark-exceptions.txt" "$@"
