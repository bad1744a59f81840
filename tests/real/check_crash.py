#!/usr/bin/env python3
"""Check zdref's numbers against crash(8)'s own view of the same dump.

usage: check_crash.py VMLINUX VMCORE ZDREF.json

For every pgmap zdref reports, crash is asked (one session) for the
dev_pagemap's type and range, the percpu_ref's raw fields and per-CPU
counters, and `kmem -p` lists every page.  The refcount histogram, the
suspect pages (pfn, page address, refcount), the raw percpu_ref fields and
the true count recomputed here from crash's numbers must equal zdref's.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

BIAS = 1 << 63
MASK = (1 << 64) - 1


def run_crash(vmlinux, vmcore, cmds):
    with tempfile.NamedTemporaryFile("w", suffix=".crash", delete=False) as f:
        f.write("\n".join(cmds + ["q"]) + "\n")
        name = f.name
    try:
        out = subprocess.run(
            ["crash", "-s", "--no_crashrc", vmlinux, vmcore, "-i", name],
            stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=600)
    finally:
        os.unlink(name)
    return out.stdout


def main():
    vmlinux, vmcore, zjson = sys.argv[1:4]
    rep = json.load(open(zjson))
    pgmaps = rep["pgmaps"]
    # Only gdb `p` commands: crash's own output and gdb's may interleave
    # out of order on a pipe, but gdb numbers its values $1, $2, ...
    cmds = ["p nr_cpu_ids", "p/x __cpu_possible_mask.bits[0]"]
    for pg in pgmaps:
        a = pg["address"]
        cmds += [
            f"p ((struct dev_pagemap *){a})->type",
            f"p ((struct dev_pagemap *){a})->nr_range",
            f"p/x ((struct dev_pagemap *){a})->range.start",
            f"p/x ((struct dev_pagemap *){a})->range.end",
            f"p/x ((struct dev_pagemap *){a})->ref.percpu_count_ptr",
            f"p/x ((struct dev_pagemap *){a})->ref.data->count.counter",
        ]
        for cpu in range(8):
            cmds.append(
                f"p/x *(unsigned long *)((((struct dev_pagemap *){a})->ref.percpu_count_ptr & ~3UL) + __per_cpu_offset[{cpu}])")
    cmds.append("kmem -p")
    out = run_crash(vmlinux, vmcore, cmds)

    values = {int(n): v for n, v in re.findall(r"\$(\d+) = (\S+)", out)}
    per_pgmap = 6 + 8
    if len(values) != 2 + per_pgmap * len(pgmaps):
        print(f"  MISMATCH crash answered {len(values)} of "
              f"{2 + per_pgmap * len(pgmaps)} questions")
        return 1
    ncpus = int(values[1])
    possible = int(values[2], 16)
    pages = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 6 and re.fullmatch(r"[0-9a-f]{16}", f[0]):
            pages[int(f[1], 16) >> 12] = (int(f[0], 16), int(f[4]))

    errors = []

    def check(what, want, got):
        if want != got:
            errors.append(f"{what}: crash says {want!r}, zdref {got!r}")

    for i, pg in enumerate(pgmaps):
        name = f"pgmap {pg['address']}"
        vals = [values[3 + i * per_pgmap + k] for k in range(per_pgmap)]
        typ = vals[0].rstrip(",")
        nr_range = int(vals[1])
        start, end, pcp, count = (int(v, 0) & MASK for v in vals[2:6])
        percpu = [int(v, 0) & MASK for v in vals[6:6 + 8]]
        check(f"{name} type", typ, pg["type"])
        check(f"{name} nr_range", nr_range, len(pg["ranges"]))
        check(f"{name} range", (start, end),
              (int(pg["ranges"][0]["start"], 16), int(pg["ranges"][0]["end"], 16)))
        ref = pg["percpu_ref"]
        check(f"{name} percpu_count_ptr", pcp, int(ref["percpu_count_ptr"], 16))
        check(f"{name} count", count, int(ref["raw_count"], 16))
        if pcp & 3 == 0:
            total = count
            for cpu in range(ncpus):
                if possible >> cpu & 1:
                    total += percpu[cpu]
            total = (total - BIAS) & MASK
            total = total - (1 << 64) if total >= BIAS else total
            check(f"{name} true count", total, ref["count"])
        hist = {"negative": 0, "0": 0, "1": 0, "2+": 0}
        odd = []
        first, last = start >> 12, (end + 1) >> 12
        missing = 0
        for pfn in range(first, last):
            if pfn not in pages:
                missing += 1
                continue
            addr, cnt = pages[pfn]
            key = "negative" if cnt < 0 else "2+" if cnt >= 2 else str(cnt)
            hist[key] += 1
            if cnt != 1:
                odd.append((pfn, addr, cnt))
        check(f"{name} pages missing from kmem -p", 0, missing)
        check(f"{name} refcount histogram", hist, pg["refcounts"])
        check(f"{name} suspects", sorted(odd),
              sorted((int(s["pfn"], 16), int(s["page"], 16), s["refcount"])
                     for s in pg["suspects"]))
    for e in errors:
        print(f"  MISMATCH {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
