#!/bin/bash
# Benchmark zdref on one dump against what a user does today and against
# the floor, in one run, and print the ratios:
#   crash:      crash start-up + `kmem -p` (walks and prints every page)
#   plainread:  the same struct-page bytes zdref scans, read with
#               libkdumpfile alone (tests/bench/plainread.c)
#   zdref:      the whole standalone run, and its audit phase (--stats)
#   in crash:   the zdref extension against kmem -p in one crash session
# Peak RSS of zdref on this dump and on a small one shows memory does not
# grow with the number of pages.
#
# usage: tests/bench/bench.sh DUMP VMLINUX [SMALL_DUMP SMALL_VMLINUX]
# Best of 3 runs for zdref and plainread; crash runs once (it takes long).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 2 ] || { echo "usage: $0 DUMP VMLINUX [SMALL_DUMP SMALL_VMLINUX]" >&2; exit 2; }
DUMP=$1 VMLINUX=$2
CACHE="${ZDREF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zdref}/bench"
mkdir -p "$CACHE"
make -s zdref
cc -O2 -Wall -o "$CACHE/plainread" tests/bench/plainread.c $(pkg-config --cflags --libs libkdumpfile)

# One plain (not flattened) file for all three tools.
if [ "$(head -c 12 "$DUMP")" = makedumpfile ]; then
	plain="$CACHE/$(realpath "$DUMP" | sha1sum | cut -c1-16).plain"
	[ -s "$plain" ] && [ "$plain" -nt "$DUMP" ] || makedumpfile -R "$plain" <"$DUMP" >/dev/null
	DUMP=$plain
fi

secs() { python3 -c 'import sys; print(f"{float(sys.argv[1]):.3f}")' "$1"; }
wall() {	# wall seconds of a command, output discarded
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1 || true
	t1=$(date +%s.%N)
	python3 -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]))' "$t0" "$t1"
}
best() { python3 -c 'import sys; print(min(float(x) for x in sys.argv[1:]))' "$@"; }
peak_kb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

# zdref: the whole run, and the audit phase from --stats.
runs=() audits=()
for i in 1 2 3; do
	runs+=("$(wall ./zdref -s "$VMLINUX" "$DUMP")")
	audits+=("$(./zdref --stats -s "$VMLINUX" "$DUMP" 2>&1 >/dev/null | sed -n 's/.* audit=\([0-9.]*\) .*/\1/p')")
done
z_all=$(best "${runs[@]}")
z_audit=$(best "${audits[@]}")
stats=$(./zdref --stats -s "$VMLINUX" "$DUMP" 2>&1 >/dev/null | grep zdref-stats)
pages=$(sed -n 's/.* pages=\([0-9]*\) .*/\1/p' <<<"$stats")

# plainread over exactly the struct pages zdref walked.
ranges=$(./zdref -j -s "$VMLINUX" "$DUMP" | python3 -c '
import json, sys
r = json.load(sys.stdin)
size = r["kernel"]["struct_page_size"]
for pg in r["pgmaps"]:
    for rg in pg["ranges"]:
        n = int(rg["pfn_end"], 16) - int(rg["pfn_first"], 16)
        print(rg["first_page"], n * size)')
p_runs=()
for i in 1 2 3; do
	# shellcheck disable=SC2086
	p_runs+=("$("$CACHE/plainread" "$DUMP" $ranges | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')")
done
p_read=$(best "${p_runs[@]}")

# crash: start-up alone, and start-up + kmem -p.
printf 'q\n' >"$CACHE/crash-q"
printf 'kmem -p\nq\n' >"$CACHE/crash-kmem"
c_start=$(wall crash -s --no_crashrc "$VMLINUX" "$DUMP" -i "$CACHE/crash-q")
c_kmem=$(wall crash -s --no_crashrc "$VMLINUX" "$DUMP" -i "$CACHE/crash-kmem")

# The extension, in one crash session: zdref against kmem -p, timestamped
# by shell escapes between the commands (best of two rounds each).
make -s zdref.so
{
	echo "extend $PWD/zdref.so"
	for i in 1 2; do
		echo '!date +T%s.%N'; echo 'kmem -p > /dev/null'
		echo '!date +T%s.%N'; echo 'zdref > /dev/null'
		echo '!date +T%s.%N'
	done
	echo q
} >"$CACHE/crash-ext"
ts=$(crash -s --no_crashrc "$VMLINUX" "$DUMP" -i "$CACHE/crash-ext" 2>/dev/null | sed -n 's/^T//p' | tr '\n' ' ')
read -r e_kmem e_zdref <<<"$(python3 -c '
import sys
t = [float(x) for x in sys.argv[1:]]
print(min(t[1] - t[0], t[4] - t[3]), min(t[2] - t[1], t[5] - t[4]))' $ts)"

z_peak=$(peak_kb ./zdref -s "$VMLINUX" "$DUMP")
ratio() { python3 -c 'import sys; a, b = map(float, sys.argv[1:]); print(f"{a / b:.2f}")' "$1" "$2"; }

echo "dump: $DUMP ($(du -h "$DUMP" | cut -f1)), device pages scanned: $pages"
echo "$stats"
printf '%-44s %9s s\n' "crash start-up" "$(secs "$c_start")"
printf '%-44s %9s s\n' "crash start-up + kmem -p" "$(secs "$c_kmem")"
printf '%-44s %9s s\n' "zdref, whole run (best of 3)" "$(secs "$z_all")"
printf '%-44s %9s s\n' "zdref audit phase: page scan + model" "$(secs "$z_audit")"
printf '%-44s %9s s\n' "plain libkdumpfile read of the same memmap" "$(secs "$p_read")"
printf '%-44s %9s s\n' "in crash: kmem -p (best of 2)" "$(secs "$e_kmem")"
printf '%-44s %9s s\n' "in crash: zdref extension (best of 2)" "$(secs "$e_zdref")"
echo "ratio crash (start-up + kmem -p) / zdref whole run: $(ratio "$c_kmem" "$z_all")x  (target >= 10)"
echo "ratio in crash: kmem -p / zdref:                    $(ratio "$e_kmem" "$e_zdref")x  (target >= 2)"
echo "ratio zdref audit phase / plain read:               $(ratio "$z_audit" "$p_read")x  (target <= 1.3)"
echo "zdref peak RSS on this dump: $z_peak KiB"
if [ $# -ge 4 ]; then
	s_peak=$(peak_kb ./zdref -s "$4" "$3")
	s_pages=$(./zdref --stats -s "$4" "$3" 2>&1 >/dev/null | sed -n 's/.* pages=\([0-9]*\) .*/\1/p')
	echo "zdref peak RSS on $3 ($s_pages device pages): $s_peak KiB"
fi
