#!/bin/bash
# Every test tier after the unit tests (which `make check` runs first):
#   fixtures  generated dumps of every kernel era 4.5-6.19 (tests/fixtures/)
#             against the generator's truth
#   sample  zdref on the dumps in samples/vmcores/ against their truth files
#   real    Debian 6.1 and 6.12 kernels booted under QEMU with injected faults
#           and busy DAX workloads (tests/real/), dumped and audited from DWARF
#           and from BTF + kallsyms, and audited live (zdref -k in the guest),
#           checked against the guests' ground truth, against
#           crash's own view (6.1), the crash extension in real crash sessions
#           (6.1), and bad input on real dumps
# Downloads and dumps are cached in ${ZDREF_CACHE:-~/.cache/zdref}.
# ZDREF_TIERS="fixtures sample real" picks tiers.  Last line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/testlib.sh
export ZDREF_CACHE="${ZDREF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zdref}"
TIERS="${ZDREF_TIERS:-fixtures sample real}"
ZDREF=./zdref
ZDREF_ASAN=build/zdref-asan
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# check_dump NAME DIR/WITH/{vmcore,vmlinux,truth.json} [--strict]: `zdref -a -j`
# (busy_pages listed, so that check_truth.py compares every busy page)
check_dump() {
	local name=$1 dir=$2 strict=${3:-} rc
	"$ZDREF" -a -j -s "$dir/vmlinux" "$dir/vmcore" >"$T/out.json" 2>"$T/err"
	rc=$?
	if [ "$rc" -ge 2 ]; then
		not_ok "$name" "zdref exit $rc: $(cat "$T/err")"
	elif python3 tests/check_truth.py $strict "$dir/truth.json" "$T/out.json" "$rc" >"$T/why"; then
		ok "$name"
	else
		not_ok "$name" "$(cat "$T/why")"
	fi
}

# check_btf NAME DIR: no debug package: types from the dump's BTF, symbols
# from its kallsyms; the JSON must equal the DWARF run's but for
# kernel.debuginfo (the DWARF run is check_dump's $T/out.json).
check_btf() {
	local name="$1 (BTF + kallsyms)" dir=$2 rc
	cp "$T/out.json" "$T/dwarf.json"
	"$ZDREF" -a -j --debuginfo=btf "$dir/vmcore" >"$T/btf.json" 2>"$T/err"
	rc=$?
	if [ "$rc" -ge 2 ]; then
		not_ok "$name" "zdref exit $rc: $(cat "$T/err")"
	elif python3 tests/same_but_debuginfo.py "$T/dwarf.json" "$T/btf.json" >"$T/why" 2>&1; then
		ok "$name"
	else
		not_ok "$name" "$(cat "$T/why")"
	fi
}

# check_log NAME DIR SCENARIO: `zdref --log` (DWARF and BTF) holds every
# line of the guest's own console that the ring still has, in order, with
# the same timestamps; the WARNING dump's two WARNING lines by name.
check_log() {
	local name=$1 dir=$2 scen=$3 m a ex
	for m in dwarf btf; do
		if [ "$m" = dwarf ]; then a=(-s "$dir/vmlinux"); else a=(--debuginfo=btf); fi
		ex=()
		[ "$scen" = warn_panic ] &&
			ex=(--expect 'percpu ref (dev_pagemap_percpu_release) <= 0 (0) after switching to atomic'
			    --expect 'at lib/percpu-refcount.c:197 percpu_ref_switch_to_atomic_rcu')
		if "$ZDREF" --log "${a[@]}" "$dir/vmcore" >"$T/log" 2>"$T/err" &&
		   python3 tests/real/check_log.py "${ex[@]}" "$dir/console.log" "$T/log" >"$T/why" 2>&1; then
			ok "$name log ($m)"
		else
			not_ok "$name log ($m)" "$(cat "$T/err" "$T/why" | head -20)"
		fi
	done
}

tier_fixtures() {
	if tests/fixtures/run.sh "$ZDREF" >"$T/fixtures" 2>&1; then
		ok "era fixtures ($(tail -1 "$T/fixtures"))"
	else
		not_ok "era fixtures" "$(grep -A8 '^FAIL' "$T/fixtures" | head -40)"
	fi
}

tier_sample() {
	local truth base rel kd
	for truth in samples/vmcores/*.truth.json; do
		base=${truth%.truth.json}
		rel=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["release"])' "$truth")
		if ! kd=$(tests/real/fetch-kernel.sh "$rel"); then
			not_ok "sample $(basename "$base")" "cannot fetch the vmlinux of $rel"
			continue
		fi
		mkdir -p "$T/sample"
		ln -sf "$PWD/$base.kdump" "$T/sample/vmcore"
		ln -sf "$kd/vmlinux" "$T/sample/vmlinux"
		cp "$truth" "$T/sample/truth.json"
		check_dump "sample $(basename "$base")" "$T/sample"
		check_btf "sample $(basename "$base")" "$T/sample"
	done
}

tier_real() {
	local fam krel dir scen
	for fam in 61 612; do
		if ! krel=$(. tests/real/lib.sh && resolve_krel "$fam") ||
		   ! tests/real/run-scenarios.sh "$krel" >"$T/scen.log" 2>&1; then
			not_ok "real $fam: make dumps" "$(tail -20 "$T/scen.log")"
			continue
		fi
		for dir in "$ZDREF_CACHE/dumps/$krel"/*/; do
			[ -f "$dir/truth.json" ] || continue
			scen=$(basename "$dir")
			# Bookworm's makedumpfile (1.7.2) warns on both kernels that it
			# does not know them; on 6.1 its -d 31 filter was seen to keep
			# every page zdref reads, on 6.12 it drops slab pages.
			check_dump "real $krel $scen" "$dir" "$([ "$fam" = 61 ] && echo --strict)"
			check_btf "real $krel $scen" "$dir"
			check_log "real $krel $scen" "$dir" "$scen"
			# crash 8.0.2 reads the 6.1 dumps only (real-dumps.md).
			# crash's own view of the busy pages and the page waiter (6.1).
			case "$fam/$scen" in 61/busy | 61/busy_leak | 61/truncate_hang)
				if python3 tests/real/check_busy_crash.py "$dir/vmlinux" "$dir/vmcore" "$dir/truth.json" >"$T/why" 2>&1; then
					ok "crash agrees $krel $scen (busy pages, waiters)"
				else
					not_ok "crash agrees $krel $scen (busy pages, waiters)" "$(cat "$T/why")"
				fi ;;
			esac
			# crash's own rq clocks and sched_info of the blocked tasks (6.1).
			case "$fam/$scen" in 61/hung_teardown | 61/truncate_hang | 61/warn_panic)
				if python3 tests/real/check_clock_crash.py "$dir/vmlinux" "$dir/vmcore" "$T/out.json" >"$T/why" 2>&1; then
					ok "crash agrees $krel $scen (rq clock, last_arrival)"
				else
					not_ok "crash agrees $krel $scen (rq clock, last_arrival)" "$(cat "$T/why")"
				fi ;;
			esac
			if [ "$fam" = 61 ] && { [ "$scen" = leak_missing ] || [ "$scen" = page_refs ]; }; then
				if python3 tests/real/check_crash.py "$dir/vmlinux" "$dir/vmcore" "$T/out.json" >"$T/why" 2>&1; then
					ok "crash agrees $krel $scen"
				else
					not_ok "crash agrees $krel $scen" "$(cat "$T/why")"
				fi
			fi
		done
		# zdref -k inside the guest: no vmlinux there, BTF + kallsyms of
		# the running kernel; healthy, faults, busy, 5-level, map=dev,
		# lockdown, not root, kptr_restrict (tests/real/run-live.sh).
		if ZDREF_BIN="$PWD/$ZDREF" tests/real/run-live.sh "$krel" >"$T/live" 2>&1; then
			ok "live $krel ($(tail -1 "$T/live"))"
		else
			not_ok "live $krel" "$(grep -A6 '^FAIL' "$T/live" | head -40; tail -3 "$T/live")"
		fi
		if [ "$fam" = 61 ]; then
			DUMP61="$ZDREF_CACHE/dumps/$krel/kdump_filtered"
			# The crash extension in real crash sessions (crash 8.0.2 reads 6.1 only).
			if tests/crash/test-ext.sh zdref.so "$ZDREF" "$ZDREF_CACHE/dumps/$krel"/*/ >"$T/crash" 2>&1; then
				ok "crash extension on $krel ($(tail -1 "$T/crash"))"
			else
				not_ok "crash extension on $krel" "$(grep -A4 FAIL "$T/crash")"
			fi
			# ... and on damaged copies of a real dump, one session per class
			if tests/crash/test-ext-damaged.sh zdref.so "$ZDREF" "$ZDREF_CACHE/dumps/$krel/page_refs" >"$T/damaged" 2>&1; then
				ok "crash extension on damaged $krel dumps ($(tail -1 "$T/damaged"))"
			else
				not_ok "crash extension on damaged $krel dumps" "$(grep -A6 FAIL "$T/damaged")"
			fi
		else
			OTHER_VMLINUX="$ZDREF_CACHE/kernels/$krel/vmlinux"
		fi
	done
	if [ -n "${DUMP61:-}" ] && [ -n "${OTHER_VMLINUX:-}" ]; then
		if tests/cli/bad-input.sh "$ZDREF_ASAN" "$DUMP61/vmcore" "$DUMP61/vmlinux" "$OTHER_VMLINUX" >"$T/bad" 2>&1; then
			ok "bad input ($(tail -1 "$T/bad"))"
		else
			not_ok "bad input" "$(grep -A3 FAIL "$T/bad")"
		fi
	fi
}

for tier in $TIERS; do
	echo "== tier $tier"
	"tier_$tier"
done
summary all
