#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Replay every input of tests/fuzz/corpus/<target>/ and
# tests/fuzz/regressions/<target>/ through the fuzz targets built with gcc
# and -fsanitize=address,undefined (tests/fuzz/replay_main.c as main(): no
# clang, no libFuzzer).  Part of `make check`.
#
#   tests/fuzz/replay.sh [TARGET...]
#
# An input passes when its target returns normally: no sanitizer report, no
# leak (LeakSanitizer runs at exit), no abort, within FUZZ_REPLAY_TIMEOUT
# seconds (default 10).  A corpus directory is replayed in one process, and
# file by file only when that fails, to name the inputs; regressions are
# replayed one by one (a hang costs its own time limit, not the batch's).
# Last line: "fuzz-replay: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."

ALL="fuzz_flattened fuzz_walkers fuzz_sections fuzz_kallsyms fuzz_btf fuzz_args fuzz_dumpcheck fuzz_printk fuzz_names"
TARGETS=${*:-$ALL}
FUZZ=tests/fuzz
BIN=$FUZZ/out/replay
LIMIT=${FUZZ_REPLAY_TIMEOUT:-10}
passed=0 failed=0

if ! ${MAKE:-make} -s -f $FUZZ/fuzz.mk FLAVOR=replay \
	$(for t in $TARGETS; do echo "$BIN/$t"; done) >/dev/null; then
	echo "not ok - building the fuzz targets (replay) failed"
	echo "fuzz-replay: 0 passed, 1 failed"
	exit 1
fi
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
export TMPDIR=$SCRATCH
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

files_in() {
	find "$1" -maxdepth 1 -type f ! -name '.*' ! -name '*.md' 2>/dev/null | sort
}

# The first line that says what went wrong, for the summary.
why() {
	grep -m1 -E '^==[0-9]+==ERROR|runtime error|^SUMMARY|fuzz_[a-z]+: |replay: ' "$1" |
		cut -c1-200
}

for t in $TARGETS; do
	for dir in "$FUZZ/corpus/$t" "$FUZZ/regressions/$t"; do
		mapfile -t files < <(files_in "$dir")
		[ ${#files[@]} -eq 0 ] && continue
		if [ "$dir" = "$FUZZ/corpus/$t" ] &&
			timeout $((10 * LIMIT)) "$BIN/$t" "${files[@]}" >"$SCRATCH/log" 2>&1; then
			passed=$((passed + ${#files[@]}))
			continue
		fi
		for f in "${files[@]}"; do
			timeout "$LIMIT" "$BIN/$t" "$f" >"$SCRATCH/log" 2>&1
			rc=$?
			if [ $rc -eq 0 ]; then
				passed=$((passed + 1))
				continue
			fi
			failed=$((failed + 1))
			[ $rc -eq 124 ] && reason="more than ${LIMIT}s" || reason="exit $rc: $(why "$SCRATCH/log")"
			echo "not ok - $t $f: $reason"
		done
	done
done
echo "fuzz-replay: $passed passed, $failed failed"
[ $failed -eq 0 ]
