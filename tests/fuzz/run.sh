#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the libFuzzer targets (clang) and fuzz each one, time-boxed:
#
#   tests/fuzz/run.sh [SECONDS_PER_TARGET [TARGET...]]     (default 60, all)
#
# Each target starts from tests/fuzz/corpus/<target>/ and
# tests/fuzz/regressions/<target>/ (read only) and keeps what it finds in
# tests/fuzz/out/work/<target>/ (reused by the next run); crashes, leaks,
# timeouts and out-of-memory inputs go to tests/fuzz/out/artifacts/<target>/,
# the fuzzer's log to tests/fuzz/out/logs/<target>.log.  One line per
# target: executions, executions per second, new inputs, and what went
# wrong.  Exit status 1 when any target found something.
#
# Environment: FUZZ_TIMEOUT (seconds one input may take, default 10),
# FUZZ_RSS_MB (default 2048), FUZZ_ARGS (more libFuzzer options),
# CLANG (default clang), FUZZ_KEEP_GOING=1 (after a finding, start the
# target again for the rest of its time: the executions add up and every
# finding is listed; without it a target stops at its first finding).
set -uo pipefail
cd "$(dirname "$0")/../.."

SECONDS_PER_TARGET=${1:-60}
shift || true
ALL="fuzz_flattened fuzz_walkers fuzz_sections fuzz_kallsyms fuzz_btf fuzz_args fuzz_dumpcheck fuzz_printk fuzz_names"
TARGETS=${*:-$ALL}
FUZZ=tests/fuzz
OUT=$FUZZ/out
BIN=$OUT/libfuzzer

case $SECONDS_PER_TARGET in
'' | *[!0-9]*)
	echo "usage: tests/fuzz/run.sh [SECONDS_PER_TARGET [TARGET...]]" >&2
	exit 2
	;;
esac

if ! ${MAKE:-make} -s -f $FUZZ/fuzz.mk FLAVOR=libfuzzer FUZZ_CC="${CLANG:-clang}" \
	$(for t in $TARGETS; do echo "$BIN/$t"; done); then
	echo "fuzz: building the libFuzzer targets failed (clang and libclang-rt-14-dev installed?)" >&2
	exit 2
fi

# The flattened target rebuilds every input in a temporary file.
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
export TMPDIR=$SCRATCH
SYMBOLIZER=$(command -v llvm-symbolizer || command -v llvm-symbolizer-14 || true)
[ -n "$SYMBOLIZER" ] && export ASAN_SYMBOLIZER_PATH=$SYMBOLIZER

max_len() {
	case $1 in
	fuzz_args) echo 4096 ;;
	*) echo 65536 ;;
	esac
}

stat_of() { # KEY LOG
	sed -n "s/^stat::$1: *//p" "$2" | tail -1
}

found_any=0
for t in $TARGETS; do
	work=$OUT/work/$t art=$OUT/artifacts/$t log=$OUT/logs/$t.log
	mkdir -p "$work" "$art" "$OUT/logs" "$FUZZ/regressions/$t"
	before=$(ls "$art" | sort)
	dict=()
	[ -f "$FUZZ/$t.dict" ] && dict=(-dict="$FUZZ/$t.dict")
	execs=0 speed_sum=0 units=0 runs=0 rcs=0 why=
	: >"$log"
	end=$((SECONDS + SECONDS_PER_TARGET))
	while :; do
		left=$((end - SECONDS))
		[ $runs -gt 0 ] && [ $left -lt 5 ] && break
		[ $left -lt 1 ] && left=1
		"$BIN/$t" -max_total_time="$left" \
			-timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
			-max_len="$(max_len "$t")" -close_fd_mask=3 -print_final_stats=1 \
			-artifact_prefix="$art/" "${dict[@]}" ${FUZZ_ARGS:-} \
			"$work" "$FUZZ/corpus/$t" "$FUZZ/regressions/$t" >"$log.run" 2>&1
		rc=$?
		cat "$log.run" >>"$log"
		runs=$((runs + 1))
		n=$(stat_of number_of_executed_units "$log.run")
		[ -z "$n" ] && n=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$log.run" | tail -1)
		execs=$((execs + ${n:-0}))
		units=$((units + $(stat_of new_units_added "$log.run" | grep . || echo 0)))
		if [ $rc -ne 0 ]; then
			rcs=$((rcs + 1))
			[ -z "$why" ] && why=$(grep -m1 -E '^==[0-9]+==ERROR|^SUMMARY|runtime error|ALARM|out-of-memory|fuzz_[a-z]+: ' "$log.run" | cut -c1-160)
			[ "${FUZZ_KEEP_GOING:-0}" = 1 ] || break
		else
			break
		fi
	done
	rm -f "$log.run"
	elapsed=$((SECONDS_PER_TARGET - (end - SECONDS)))
	[ $elapsed -lt 1 ] && elapsed=1
	new=$(comm -13 <(echo "$before") <(ls "$art" | sort) | grep -v '^$' || true)
	what=none
	if [ -n "$new" ] || [ $rcs -ne 0 ]; then
		found_any=1
		what=$(echo $new | sed 's/ /, /g')
		[ -z "$what" ] && what="exit status $rc (see $log)"
		what="$what; first: $why"
	fi
	printf '%-15s %12s execs %8s exec/s %6s new inputs %3s runs  findings: %s\n' \
		"$t" "$execs" "$((execs / elapsed))" "$units" "$runs" "$what"
done
exit $found_any
