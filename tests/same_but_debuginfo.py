#!/usr/bin/env python3
"""Two `zdref -j` outputs of one dump, one from DWARF and one from BTF +
kallsyms, must be byte for byte the same once kernel.debuginfo is dropped.

usage: same_but_debuginfo.py DWARF.json BTF.json
Prints the first differing line and exits 1 when they differ.
"""
import difflib
import json
import sys


def without_debuginfo(path, want):
    text = open(path).read()
    doc = json.loads(text)
    got = doc["kernel"].get("debuginfo")
    if got != want:
        sys.exit(f"{path}: kernel.debuginfo is {got!r}, want {want!r}")
    key = f', "debuginfo": "{want}"'
    if text.count(key) != 1:
        sys.exit(f"{path}: kernel.debuginfo not printed once as {key!r}")
    return text.replace(key, "").splitlines()


def main():
    a = without_debuginfo(sys.argv[1], "dwarf")
    b = without_debuginfo(sys.argv[2], "btf")
    if a == b:
        return 0
    diff = list(difflib.unified_diff(a, b, "dwarf", "btf", n=0, lineterm=""))
    print("\n".join(diff[:12]))
    return 1


if __name__ == "__main__":
    sys.exit(main())
