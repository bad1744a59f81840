#!/usr/bin/env python3
"""The crash extension and the standalone must agree: same pgmaps, counts,
verdicts and suspects for the same dump.

usage: compare_json.py CRASH.json STANDALONE.json
"""
import json
import sys

# Everything both front ends compute from the dump; not symbol names, which
# crash may resolve from module symbol tables the standalone does not load.
PGMAP_KEYS = ["type", "ranges", "pages", "units", "vmemmap_shift", "altmap",
              "ops", "owner", "expected", "delta", "expected_parts", "verdict",
              "reason", "refcounts", "busy", "unreadable", "excluded",
              "registry_mismatch", "suspects_total", "suspects", "busy_pages",
              "waiters"]
REF_KEYS = ["mode", "count", "switching", "exited", "bias_in_count", "address",
            "percpu_count_ptr", "raw_count", "cpus", "release"]


def main():
    a = json.load(open(sys.argv[1]))
    b = json.load(open(sys.argv[2]))
    errors = []
    # kernel.debuginfo names the standalone's type source (dwarf, btf);
    # crash reads its own vmlinux and names none.
    ka = {k: v for k, v in a["kernel"].items() if k != "debuginfo"}
    kb = {k: v for k, v in b["kernel"].items() if k != "debuginfo"}
    if ka != kb:
        errors.append(f"kernel: {ka} vs {kb}")
    if a.get("source") != b.get("source"):
        errors.append(f"source: {a.get('source')} vs {b.get('source')}")
    pa = {p["address"]: p for p in a["pgmaps"]}
    pb = {p["address"]: p for p in b["pgmaps"]}
    if sorted(pa) != sorted(pb):
        errors.append(f"pgmaps: {sorted(pa)} vs {sorted(pb)}")
    for addr in sorted(set(pa) & set(pb)):
        for k in PGMAP_KEYS:
            if pa[addr].get(k) != pb[addr].get(k):
                errors.append(f"{addr} {k}: {pa[addr].get(k)!r} vs {pb[addr].get(k)!r}")
        ra, rb = pa[addr]["percpu_ref"] or {}, pb[addr]["percpu_ref"] or {}
        for k in REF_KEYS:
            if ra.get(k) != rb.get(k):
                errors.append(f"{addr} percpu_ref.{k}: {ra.get(k)!r} vs {rb.get(k)!r}")
    for e in errors:
        print(f"  MISMATCH crash vs standalone: {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
