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
# ---- Only regular files are opened (O_NONBLOCK: a FIFO never blocks) ----
mkfifo "$T/fifo"
expect fifo-dump 2 'fifo: not a regular file \(fifo\)' -- -s "$VMLINUX" "$T/fifo"
expect fifo-vmlinux 2 'fifo: not a regular file \(fifo\)' -- -s "$T/fifo" "$DUMP"
expect directory-vmlinux 2 'not a regular file \(directory\)' -- -s "$T" "$DUMP"
expect devnull-dump 2 '/dev/null: not a regular file \(character device\)' -- -s "$VMLINUX" /dev/null

# ---- Header fields libkdumpfile 0.5.1 trusts ----
# Each is mutated in a copy of a real dump and must be refused, naming the
# field, before libkdumpfile follows it into a SIGBUS or a heap overflow.
# poke FILE OFFSET FORMAT VALUE: one little-endian field (struct format).
poke() {
	python3 -c 'import struct, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2]))
    f.write(struct.pack("<" + sys.argv[3], int(sys.argv[4], 0)))' "$@"
}
# The kdump-compressed dump, rebuilt if flattened; its layout as variables:
# BS (block size), SUB (sub-header offset), DESC (descriptor table), NDESC,
# ZDESC (a compressed page's descriptor), FSIZE.
eval "$(python3 - "$DUMP" "$T/kd" <<'EOF'
import os, struct, sys
src, out = sys.argv[1:]
with open(src, 'rb') as f, open(out, 'wb') as o:
    if f.read(12) == b'makedumpfile':
        f.seek(4096)
        while True:
            off, size = struct.unpack('>qq', f.read(16))
            if off == -1:
                break
            o.seek(off)
            o.write(f.read(size))
    else:
        f.seek(0)
        o.write(f.read())
d = open(out, 'rb').read()
bs, sub, blocks = struct.unpack_from('<iiI', d, 428)
bm = (1 + sub) * bs
half = blocks * bs // 2
n = sum(bin(b).count('1') for b in d[bm + half:bm + 2 * half])
desc = bm + blocks * bs
z = next(i for i in range(n) if struct.unpack_from('<I', d, desc + 24 * i + 12)[0])
print(f'BS={bs} SUB={bs} DESC={desc} NDESC={n} ZDESC={z} BLOCKS={blocks} FSIZE={len(d)}')
EOF
)"
# kdcase NAME REGEX OFFSET FORMAT VALUE: a copy of the dump with one field set.
kdcase() {
	cp "$T/kd" "$T/mut" && poke "$T/mut" "$3" "$4" "$5" &&
		expect "$1" 2 "$2" -- -s "$VMLINUX" "$T/mut"
}
kdcase kdump-note-size 'kdump sub-header: offset_note [0-9]+ \+ size_note [0-9]+: past the end of the file' \
	$((SUB + 56)) Q $((FSIZE * 4))
kdcase kdump-desc-size "kdump page descriptor $ZDESC \\(pfn 0x[0-9a-f]+\\): size 9000 > block size $BS\$" \
	$((DESC + 24 * ZDESC + 8)) I 9000
kdcase kdump-desc-offset "kdump page descriptor $ZDESC \\(pfn 0x[0-9a-f]+\\): offset [0-9]+ \\+ size [0-9]+: past the end of the file" \
	$((DESC + 24 * ZDESC)) q $((FSIZE + (1 << 30)))
kdcase kdump-desc-flags "kdump page descriptor $ZDESC .*flags 0x40" $((DESC + 24 * ZDESC + 12)) I 0x40
# Half the bitmap blocks: libkdumpfile would read the first bitmap as the
# only one and the second as page descriptors.
kdcase kdump-bitmap-short "kdump bitmaps: bitmap_blocks $((BLOCKS / 2)) .*max_mapnr" 436 I $((BLOCKS / 2))
kdcase kdump-mapnr64 'max_mapnr_64 4000000, but the header' $((SUB + 96)) Q 4000000
# Cut inside the descriptor table: truncated, not corrupt.
head -c $((DESC + 12 * NDESC)) "$T/kd" >"$T/mut"
expect kdump-table-truncated 2 'dump truncated: kdump page descriptor table' -- -s "$VMLINUX" "$T/mut"
# makedumpfile out of space (an incomplete dump): the last descriptors never
# written (all zero), header status DUMP_DH_COMPRESSED_INCOMPLETE.  Not
# refused: the audit runs, those pages unreadable.
cp "$T/kd" "$T/mut" &&
	dd if=/dev/zero of="$T/mut" bs=1 count=2400 seek=$((DESC + 24 * (NDESC - 100))) conv=notrunc status=none &&
	poke "$T/mut" 424 I 0x9
timeout 120 "$ZDREF" -s "$VMLINUX" "$T/mut" >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" -le 1 ] && [ ! -s "$T/err" ] && grep -q 'PGMAP .*VERDICT' "$T/out"; then
	ok kdump-incomplete
else
	not_ok kdump-incomplete "exit $rc: $(head -c 600 "$T/err")"
fi
rm -f "$T/mut"

# An ELF core of the same memory, as QEMU writes one (PT_NOTE, PT_LOADs, a
# section header table with .shstrtab at the end): it must audit, and its
# mutations be refused.
eval "$(python3 - "$T/kd" "$T/elf" <<'EOF'
import struct, sys, zlib
src, out = sys.argv[1:]
d = open(src, 'rb').read()
bs, sub, blocks = struct.unpack_from('<iiI', d, 428)
note_off, note_size = struct.unpack_from('<QQ', d, bs + 48)
bm = (1 + sub) * bs
half = blocks * bs // 2
bits = int.from_bytes(d[bm + half:bm + 2 * half], 'little')
desc = bm + blocks * bs
runs, i = [], 0
for pfn in range(half * 8):
    if not bits >> pfn & 1:
        continue
    off, size, flags = struct.unpack_from('<qII', d, desc + 24 * i)
    i += 1
    data = zlib.decompress(d[off:off + size]) if flags == 1 else d[off:off + size]
    if flags not in (0, 1) or len(data) != bs:
        sys.exit('page %#x: flags %#x' % (pfn, flags))
    if runs and runs[-1][0] + len(runs[-1][1]) == pfn:
        runs[-1][1].append(data)
    else:
        runs.append((pfn, [data]))
shstr = b'\0.shstrtab\0'
phnum = 1 + len(runs)
pos = 64 + 2 * 64 + 56 * phnum
ph = [struct.pack('<IIQQQQQQ', 4, 0, pos, 0, 0, note_size, note_size, 0)]
pos += note_size
for pfn, datas in runs:
    n = bs * len(datas)
    ph.append(struct.pack('<IIQQQQQQ', 1, 0, pos, 0, pfn * bs, n, n, 0))
    pos += n
eh = b'\x7fELF\x02\x01\x01' + bytes(9) + struct.pack(
    '<HHIQQQIHHHHHH', 4, 62, 1, 0, 64 + 128, 64, 0, 64, 56, phnum, 64, 2, 1)
sh = bytes(64) + struct.pack('<IIQQQQIIQQ', 1, 3, 0, 0, pos, len(shstr), 0, 0, 1, 0)
with open(out, 'wb') as f:
    f.write(eh + sh + b''.join(ph) + d[note_off:note_off + note_size])
    for pfn, datas in runs:
        f.write(b''.join(datas))
    f.write(shstr)
print(f'ESIZE={pos + len(shstr)} ENOTES={64 + 2 * 64 + 56 * phnum}')
EOF
)"
rm -f "$T/kd"
timeout 120 "$ZDREF" -s "$VMLINUX" "$T/elf" >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" -le 1 ] && [ ! -s "$T/err" ] && grep -q 'PGMAP .*VERDICT' "$T/out"; then
	ok elf-audits
else
	not_ok elf-audits "exit $rc: $(head -c 600 "$T/err")"
fi
# elfcase NAME REGEX OFFSET FORMAT VALUE [OFFSET FORMAT VALUE]: fields set,
# the test run, the fields restored from the original values.
elfcase() {
	local name=$1 re=$2
	local -a saved
	shift 2
	read -r -a saved <<<"$(python3 -c 'import struct, sys
a = sys.argv[2:]
with open(sys.argv[1], "rb") as f:
    for i in range(0, len(a), 3):
        f.seek(int(a[i]))
        v = struct.unpack("<" + a[i + 1], f.read(struct.calcsize(a[i + 1])))[0]
        print(a[i], a[i + 1], v, end=" ")' "$T/elf" "$@")"
	while [ $# -ge 3 ]; do poke "$T/elf" "$1" "$2" "$3"; shift 3; done
	expect "$name" 2 "$re" -- -s "$VMLINUX" "$T/elf"
	set -- "${saved[@]}"
	while [ $# -ge 3 ]; do poke "$T/elf" "$1" "$2" "$3"; shift 3; done
}
# Program header 0 is the PT_NOTE (e_phoff 192); p_filesz at +32.
elfcase elf-note-size 'ELF program header 0 \(PT_NOTE\): p_offset [0-9]+ \+ p_filesz [0-9]+: past the end of the file' \
	$((192 + 32)) Q $((ESIZE * 2))
# e_shnum 0 sends libkdumpfile to section header 0 for the count: here in
# the last page of the file, running past its end.
elfcase elf-shnum-0 "ELF section header 0 \\(e_shoff [0-9]+, e_shnum 0, e_shentsize 64\\): past the end" \
	60 H 0 40 Q $(((ESIZE + 4095) / 4096 * 4096 - 24))
elfcase elf-phentsize-0 'ELF header: e_phentsize 0' 54 H 0
elfcase elf-note-namesz 'ELF program header 0 \(PT_NOTE\): note 0 at byte [0-9]+: n_namesz 100000' "$ENOTES" I 100000
truncate -s $((ESIZE / 2)) "$T/elf"
expect elf-truncated 2 'dump truncated: ELF program header [0-9]+ \(PT_LOAD\)' -- -s "$VMLINUX" "$T/elf"
rm -f "$T/elf"

# A VMCOREINFO whose OSRELEASE line is gone (crash_save_vmcoreinfo_init()
# writes it first): damaged, not absent, and said so, freeing what it took.
cp "$DUMP" "$T/norel" && chmod u+w "$T/norel"
at=$(grep -abo -m1 'OSRELEASE=' "$T/norel" | head -1 | cut -d: -f1)
printf 'OSRELEASX=' | dd of="$T/norel" bs=1 seek="${at:-0}" conv=notrunc status=none
expect vmcoreinfo-no-osrelease 2 'VMCOREINFO has no OSRELEASE line \(damaged\)' -- -s "$VMLINUX" "$T/norel"

# The command line is strict: hex only, no sign, blank or junk, in range;
# a newline in an argument or a path cannot split the one-line error.
expect pfn-signed 2 "not a hex pfn" -- -P -1 -s "$VMLINUX" "$DUMP"
expect pfn-plus 2 "not a hex pfn" -- -P +1 -s "$VMLINUX" "$DUMP"
expect pfn-blank 2 "not a hex pfn" -- -P " 1" -s "$VMLINUX" "$DUMP"
expect pfn-too-big 2 "not a hex pfn" -- -P 10000000000 -s "$VMLINUX" "$DUMP"
expect pgmap-signed 2 "not a hex address" -- -p -1 -s "$VMLINUX" "$DUMP"
expect pgmap-user-half 2 "kernel half" -- -p 1 -s "$VMLINUX" "$DUMP"
expect newline-in-path 2 'x0a' -- -s "$VMLINUX" "$T/no
such"
expect newline-in-arg 2 'x0a' -- -P "1
2" -s "$VMLINUX" "$DUMP"
summary bad-input
