#!/bin/bash
# The crash extension in real crash sessions on real 6.1 dumps:
#   - `zdref -a -j` in crash matches the guest's ground truth (busy pages
#     and their holders, waiters included) and the standalone's JSON exactly;
#   - errors (an address that is not a pgmap, a bad number, a bad option)
#     print one line and the next command still works;
#   - `zdref` twice, `extend -u` then `extend` again, `help zdref`.
#
# usage: test-ext.sh ZDREF_SO ZDREF DUMPDIR...   (DUMPDIR: vmcore, vmlinux, truth.json)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../testlib.sh"
SO=$(realpath "$1") ZDREF=$2
shift 2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

for dir in "$@"; do
	name="$(basename "$(dirname "$dir")")/$(basename "$dir")"
	pfn=$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["pgmaps"][0]; print(hex(int(p["start"],16)>>12))' "$dir/truth.json")
	cat >"$T/cmds" <<-CMDS
	extend $SO
	zdref -a -j > $T/crash.json
	zdref > $T/summary1.txt
	zdref -p 1234
	echo MARK-after-bad-pgmap
	zdref -p zz
	zdref -P $pfn > $T/pfn.txt
	zdref -x
	zdref > $T/summary2.txt
	extend -u $SO
	zdref
	extend $SO
	zdref > $T/summary3.txt
	help zdref > $T/help.txt
	q
	CMDS
	timeout 600 crash -s --no_crashrc "$dir/vmlinux" "$dir/vmcore" -i "$T/cmds" >"$T/out" 2>&1
	rc=$?
	"$ZDREF" -a -j -s "$dir/vmlinux" "$dir/vmcore" >"$T/standalone.json" 2>/dev/null

	if [ "$rc" -ne 0 ]; then
		not_ok "$name: crash session" "exit $rc: $(tail -5 "$T/out")"
		continue
	fi
	if python3 "$here/../check_truth.py" "$dir/truth.json" "$T/crash.json" >"$T/why"; then
		ok "$name: crash zdref -j matches the guest's truth"
	else
		not_ok "$name: crash zdref -j matches the guest's truth" "$(cat "$T/why")"
	fi
	if python3 "$here/compare_json.py" "$T/crash.json" "$T/standalone.json" >"$T/why"; then
		ok "$name: crash and standalone agree"
	else
		not_ok "$name: crash and standalone agree" "$(cat "$T/why")"
	fi
	# One line per error, each the crash way ("zdref: ..."), then life goes on.
	if [ "$(grep -c '^zdref: 0x1234 is not a registered dev_pagemap' "$T/out")" = 1 ] &&
	   [ "$(grep -c '^zdref: -p zz: not a hex value' "$T/out")" = 1 ] &&
	   grep -q '^Usage:' "$T/out" &&
	   cmp -s "$T/summary1.txt" "$T/summary2.txt" && cmp -s "$T/summary1.txt" "$T/summary3.txt" &&
	   grep -q '^zdref: command not found\|^crash: command not found: zdref' "$T/out"; then
		ok "$name: errors are one line, zdref again, extend -u / extend"
	else
		not_ok "$name: errors are one line, zdref again, extend -u / extend" "$(grep -v '^bt:\|^$' "$T/out" | head -20)"
	fi
	if grep -q "^PFN: ${pfn#0x} .*PGMAP:" "$T/pfn.txt" && grep -q '^  zdref - audit ZONE_DEVICE' "$T/help.txt" &&
	   grep -q '^SYNOPSIS' "$T/help.txt"; then
		ok "$name: zdref -P and help zdref"
	else
		not_ok "$name: zdref -P and help zdref" "$(cat "$T/pfn.txt" "$T/help.txt" | head -10)"
	fi
done
# `make install` puts zdref.so where `extend zdref.so` finds it by name
# ($CRASH_EXTENSIONS stands in for /usr/lib/crash/extensions here).
make -s -C "$here/../.." install DESTDIR="$T/dest" PREFIX=/usr >/dev/null
dir=$1
printf 'extend zdref.so\nzdref\nq\n' >"$T/cmds"
# (from a directory without a ./zdref.so, which crash would take first)
(cd "$T" && CRASH_EXTENSIONS="$T/dest/usr/lib/crash/extensions" timeout 600 \
	crash -s --no_crashrc "$dir/vmlinux" "$dir/vmcore" -i "$T/cmds") >"$T/out" 2>&1
if grep -q "^$T/dest/usr/lib/crash/extensions/zdref.so: shared object loaded" "$T/out" &&
   grep -q 'PGMAP .*VERDICT' "$T/out"; then
	ok "make install: extend zdref.so by name"
else
	not_ok "make install: extend zdref.so by name" "$(grep -v '^bt:\|^$' "$T/out" | head -5)"
fi
summary crash-extension
