#!/bin/bash
# The crash extension on damaged kernel data, each damage class in one
# crash session that must survive everything asked of it.  A real 6.1 ELF
# dump (page_refs: two FS_DAX pgmaps) is copied with structures changed at
# their physical addresses (tamper.py; addresses from crash's own vtop):
#   percpu   pgmap A's percpu_count_ptr misaligned, pgmap B's ref->data
#            pointing at the ref itself
#   shape    A's vmemmap_shift 30 (no architecture's order), B's type -1
#   range    A's range end 2^52 bytes on (a range no kernel could map),
#            B's nr_range 0x7fffffff
#   registry pgmap_array.xa_head zeroed: an empty registry that the memmap
#            contradicts
# In each session: zdref, zdref -j, zdref -p on both, zdref -P, zdref -l,
# then crash's own `sys` and a marker.  Wanted: crash exits 0, the marker
# and sys print, the damaged pgmaps are "unknown" with a reason (never a
# firm verdict), the registry one is one "zdref: " line, and the
# standalone says the same of the same file.
#
# usage: test-ext-damaged.sh ZDREF_SO ZDREF DUMPDIR   (page_refs of 6.1)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../testlib.sh"
SO=$(realpath "$1") ZDREF=$2 DIR=$3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

crash_run() { # DUMP CMDFILE OUT
	timeout 600 crash -s --no_crashrc "$DIR/vmlinux" "$1" -i "$2" >"$3" 2>&1
}

"$ZDREF" -j -s "$DIR/vmlinux" "$DIR/vmcore" >"$T/good.json" 2>/dev/null
read -r A B PFN < <(python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["pgmaps"]
print(p[0]["address"], p[1]["address"], hex(int(p[0]["ranges"][0]["start"], 16) >> 12))' "$T/good.json")
printf 'p/x &pgmap_array.xa_head\nq\n' >"$T/q1"
crash_run "$DIR/vmcore" "$T/q1" "$T/a1"
XA=$(grep -o '= 0x[0-9a-f]*' "$T/a1" | tail -1 | cut -c3-)
printf 'vtop %s\nvtop %s\nvtop %s\nstruct dev_pagemap -o\nq\n' "$A" "$B" "$XA" >"$T/q2"
crash_run "$DIR/vmcore" "$T/q2" "$T/a2"
phys() { awk -v v="${1#0x}" '$1 == v && NF == 2 { print $2; exit }' "$T/a2"; }
off() { sed -n "s/^ *\[\([0-9]*\)\] .* $1;\$/\1/p" "$T/a2" | head -1; }
PA=$(phys "$A") PB=$(phys "$B") PX=$(phys "$XA")
O_REF=$(off ref) O_TYPE=$(off type) O_SHIFT=$(off vmemmap_shift) O_NR=$(off nr_range)
O_RANGE=$(off range)
if [ -z "$PA" ] || [ -z "$PB" ] || [ -z "$PX" ] || [ -z "$O_REF" ] || [ -z "$O_RANGE" ]; then
	not_ok "damaged dumps: crash could not place the structures" "$(grep -v '^bt:\|^$' "$T/a2" | head -20)"
	summary crash-damaged
	exit
fi
at() { printf '%x' $((0x$1 + $2)); } # PHYS OFFSET
le64() { python3 -c 'import struct,sys; print(struct.pack("<Q", int(sys.argv[1], 0) & (2**64 - 1)).hex())' "$1"; }
le32() { python3 -c 'import struct,sys; print(struct.pack("<I", int(sys.argv[1], 0) & (2**32 - 1)).hex())' "$1"; }
pcp=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pgmaps"][0]["percpu_ref"]["percpu_count_ptr"])' "$T/good.json")
end=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pgmaps"][0]["ranges"][0]["start"])' "$T/good.json")

declare -A PATCH
PATCH[percpu]="$(at "$PA" "$O_REF")=$(le64 $((pcp + 4))) $(at "$PB" $((O_REF + 8)))=$(le64 $((0x${B#0x} + O_REF)))"
PATCH[shape]="$(at "$PA" "$O_SHIFT")=$(le64 30) $(at "$PB" "$O_TYPE")=$(le32 -1)"
PATCH[range]="$(at "$PA" $((O_RANGE + 8)))=$(le64 $((end + (1 << 52)))) $(at "$PB" "$O_NR")=$(le32 0x7fffffff)"
PATCH[registry]="$PX=$(le64 0)"

for kind in percpu shape range registry; do
	# shellcheck disable=SC2086
	if ! python3 "$here/tamper.py" "$DIR/vmcore" "$T/$kind.core" ${PATCH[$kind]} 2>"$T/err"; then
		not_ok "damaged ($kind): tamper" "$(cat "$T/err")"
		continue
	fi
	cat >"$T/cmds" <<-CMDS
	extend $SO
	zdref > $T/$kind.txt
	zdref -j > $T/$kind.json
	zdref -p $A
	zdref -p $B
	zdref -P $PFN
	zdref -l > $T/$kind.log
	sys
	echo MARK-END
	q
	CMDS
	crash_run "$T/$kind.core" "$T/cmds" "$T/$kind.out"
	rc=$?
	"$ZDREF" -j -s "$DIR/vmlinux" "$T/$kind.core" >"$T/$kind.sa.json" 2>"$T/$kind.sa.err"
	src=$?
	if [ "$rc" -ne 0 ] || ! grep -q 'MARK-END' "$T/$kind.out" || ! grep -q 'RELEASE: 6\.1' "$T/$kind.out"; then
		not_ok "damaged ($kind): the crash session survives" "exit $rc: $(grep -v '^bt:\|^$' "$T/$kind.out" | tail -8)"
		continue
	fi
	ok "damaged ($kind): the crash session survives zdref, -j, -p, -P, -l"
	if [ "$kind" = registry ]; then
		# the memmap names pgmaps the empty registry lacks: one line, no report
		if [ "$(grep -c '^zdref: .*registry' "$T/$kind.out")" -ge 1 ] && ! grep -q '"pgmaps"' "$T/$kind.json" &&
		   [ "$src" -eq 2 ] && [ "$(wc -l <"$T/$kind.sa.err")" -le 2 ] && grep -q 'registry' "$T/$kind.sa.err"; then
			ok "damaged ($kind): one line in crash and exit 2 standalone, no verdict"
		else
			not_ok "damaged ($kind): one line in crash and exit 2 standalone, no verdict" \
				"$(grep '^zdref' "$T/$kind.out" | head -5; cat "$T/$kind.sa.err")"
		fi
		continue
	fi
	if python3 - "$T/$kind.json" "$T/$kind.sa.json" "$A" "$B" >"$T/why" 2>&1 <<-'PY'
	import json, sys
	c, s = (json.load(open(p)) for p in sys.argv[1:3])
	bad = []
	for who in sys.argv[3:5]:
	    for name, rep in (("crash", c), ("standalone", s)):
	        p = [p for p in rep["pgmaps"] if p["address"] == who]
	        if len(p) != 1:
	            bad.append("%s: pgmap %s listed %d times" % (name, who, len(p)))
	        elif p[0]["verdict"] != "unknown" or p[0]["delta"] is not None or not p[0].get("reason"):
	            bad.append("%s: pgmap %s: verdict %s delta %r reason %r" % (
	                name, who, p[0]["verdict"], p[0]["delta"], p[0].get("reason")))
	print("\n".join(bad))
	sys.exit(1 if bad else 0)
	PY
	then
		ok "damaged ($kind): both pgmaps unknown with a reason, in crash and standalone"
	else
		not_ok "damaged ($kind): both pgmaps unknown with a reason, in crash and standalone" "$(cat "$T/why")"
	fi
done
summary crash-damaged
