#!/bin/bash
# Bad input gets one line on stderr and exit status 2: never a crash, a
# hang, or a sanitizer report.  Run with the ASan/UBSan build of zdref.
#
# usage: bad-input.sh ZDREF VMCORE VMLINUX OTHER_VMLINUX
#   VMCORE/VMLINUX: a good pair; OTHER_VMLINUX: a vmlinux of another kernel.
set -uo pipefail
. "$(dirname "$0")/../testlib.sh"

ZDREF=$1 DUMP=$2 VMLINUX=$3 OTHER=$4
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# expect NAME STATUS REGEX -- zdref args...: status and the one stderr line.
expect() {
	local name=$1 want=$2 re=$3 rc lines
	shift 4
	timeout 120 "$ZDREF" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	lines=$(wc -l <"$T/err")
	if [ "$rc" -ne "$want" ]; then
		not_ok "$name" "exit $rc, want $want: $(head -c 600 "$T/err")"
	elif [ "$want" -eq 0 ] && [ "$lines" -ne 0 ]; then
		not_ok "$name" "want no stderr, got: $(head -c 600 "$T/err")"
	elif [ "$want" -eq 0 ]; then
		ok "$name"
	elif [ "$lines" -ne 1 ]; then
		not_ok "$name" "want one stderr line, got $lines: $(head -c 600 "$T/err")"
	elif ! grep -qE "$re" "$T/err"; then
		not_ok "$name" "stderr does not match /$re/: $(head -c 600 "$T/err")"
	else
		ok "$name"
	fi
}

: >"$T/empty"
head -c 3000000 "$DUMP" >"$T/truncated"
printf 'makedumpfile\0\0\0\0' >"$T/flat-header-only"
cp "$DUMP" "$T/corrupt" && chmod u+w "$T/corrupt"
# Scribble over a stretch in the middle of the dump (page data / headers).
size=$(stat -c %s "$T/corrupt")
dd if=/dev/urandom of="$T/corrupt" bs=4096 count=64 seek=$((size / 8192)) conv=notrunc status=none

expect no-args 2 'no VMCORE' --
expect two-dumps 2 'more than one' -- "$DUMP" "$DUMP"
expect bad-option 2 'invalid option|unrecognized' -- -Z "$DUMP"
# No /proc/kcore here (CONFIG_PROC_KCORE unset on this project's machines):
# one line naming it.  Where there is one, -k is covered by the live tier.
if [ ! -e /proc/kcore ]; then
	expect live-no-kcore 2 'CONFIG_PROC_KCORE' -- -k
fi
expect live-with-dump 2 'no VMCORE' -- -k "$DUMP"
expect debuginfo-bad 2 'want auto, dwarf or btf' -- --debuginfo=stabs "$DUMP"
expect debuginfo-both 2 'exclude each other' -- --debuginfo=btf -s "$VMLINUX" "$DUMP"
expect missing-file 2 'No such file' -- -s "$VMLINUX" "$T/nonexistent"
expect empty-file 2 'not a kernel dump' -- -s "$VMLINUX" "$T/empty"
expect not-a-dump 2 'not a kernel dump' -- -s "$VMLINUX" /etc/passwd
expect directory 2 'zdref: ' -- -s "$VMLINUX" "$T"
expect truncated-dump 2 'truncated' -- -s "$VMLINUX" "$T/truncated"
expect flattened-header-only 2 'flattened' -- -s "$VMLINUX" "$T/flat-header-only"
expect wrong-vmlinux 2 'does not match' -- -s "$OTHER" "$DUMP"
expect vmlinux-not-elf 2 'not an ELF' -- -s /etc/passwd "$DUMP"
expect vmlinux-no-dwarf 2 'DWARF' -- -s /bin/true "$DUMP"
expect vmlinux-missing 2 'No such file|cannot open' -- -s "$T/nonexistent" "$DUMP"
expect vmlinux-not-found 2 'looked|vmlinux' -- --debuginfo=dwarf "$DUMP"
# With no -s, a dump whose vmlinux is nowhere still has its own BTF and
# kallsyms (6.1+): the audit runs, saying on stderr where types came from.
ZDREF_VMLINUX_DIR=$T timeout 120 "$ZDREF" --debuginfo=auto "$DUMP" >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" -le 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q '^zdref: types and symbols: BTF of the dump' "$T/err" &&
   grep -q 'PGMAP .*VERDICT' "$T/out"; then
	ok no-vmlinux-uses-btf
else
	not_ok no-vmlinux-uses-btf "exit $rc: $(head -c 600 "$T/err")"
fi
expect pgmap-not-hex 2 'not a hex address' -- -p xyz -s "$VMLINUX" "$DUMP"
expect pgmap-not-registered 2 'not a registered dev_pagemap' -- -p ffffffff81000000 -s "$VMLINUX" "$DUMP"
expect help 0 '^$' -- --help
expect version 0 '^$' -- --version

# A corrupt dump: any verdict or one error line, but no crash or hang.
timeout 120 "$ZDREF" -s "$VMLINUX" "$T/corrupt" >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" -le 2 ] && [ "$(wc -l <"$T/err")" -le 1 ] && ! grep -q Sanitizer "$T/err"; then
	ok corrupt-dump
else
	not_ok corrupt-dump "exit $rc: $(head -c 600 "$T/err")"
fi
summary bad-input
