#!/usr/bin/env python3
"""Compare `zdref -j` output with a dump's ground truth, exactly.

usage: check_truth.py [--strict] TRUTH.json ZDREF.json [EXIT_STATUS]

The truth comes from outside zdref: the real guests' console record
(tests/real/make-truth.py) or the fixture generator (tests/fixtures/).
Everything it states is compared: kernel release and model, the set of pgmap
addresses, and per pgmap type, range 0, verdict, percpu_ref mode and
switching, the suspects (pfn, refcount), and where stated delta (null: the
model cannot decide, the verdict must be unknown), expected, the observed
count, unreadable pages and waiters.  The exit status must be 1 when the
truth has findings, else 0.

When the truth says "filter_incomplete" (makedumpfile warned that it does not
support the kernel), a pgmap whose data the filter dropped must be reported
"unknown" with a reason naming the excluded page; every other pgmap must
match exactly.  --strict allows no such pgmap (used where the filter was seen
to keep everything zdref needs: Debian's 6.1).

Prints one line per mismatch and exits 1 if there is any.
"""
import json
import sys


def hexnorm(s):
    return int(str(s), 16)


def suspects(lst):
    return sorted((hexnorm(p["pfn"]), int(p["refcount"])) for p in lst)


def short(v):
    if isinstance(v, list) and len(v) > 8:
        return repr(v[:8])[:-1] + f", ... ({len(v)} in all)]"
    return repr(v)


def main():
    args = sys.argv[1:]
    strict = "--strict" in args
    if strict:
        args.remove("--strict")
    truth = json.load(open(args[0]))
    try:
        out = json.load(open(args[1]))
    except (OSError, ValueError) as e:
        print(f"  MISMATCH zdref output is not JSON: {e}")
        return 1
    errors = []

    def check(what, want, got):
        if want != got:
            errors.append(f"{what}: want {short(want)}, got {short(got)}")

    check("kernel.release", truth["release"], out["kernel"]["release"])
    check("kernel.model", truth["model"], out["kernel"]["model"])
    want = {hexnorm(p["address"]): p for p in truth["pgmaps"]}
    got = {hexnorm(p["address"]): p for p in out["pgmaps"]}
    check("pgmap addresses", sorted(hex(a) for a in want),
          sorted(hex(a) for a in got))
    findings = False
    for addr, t in want.items():
        if t["verdict"] != "ok" or t["suspects"]:
            findings = True
        z = got.get(addr)
        if z is None:
            continue
        name = f"pgmap {t.get('name', '')} {addr:#x}".replace("  ", " ")
        check(f"{name} type", t["type"], z["type"])
        check(f"{name} range", (hexnorm(t["start"]), hexnorm(t["end"])),
              (hexnorm(z["ranges"][0]["start"]),
               hexnorm(z["ranges"][0]["end"])))
        if (not strict and truth.get("filter_incomplete")
                and z["verdict"] == "unknown" and "excluded" in z["reason"]):
            # makedumpfile itself said its filtering may be incomplete for
            # this kernel: data it dropped can only be called excluded.
            print(f"  note: {name}: {z['reason']}")
            findings = True
            continue
        if "delta" in t and t["delta"] is not None:
            check(f"{name} delta", t["delta"], z.get("delta"))
        if t.get("expected") is not None:
            check(f"{name} expected", t["expected"], z.get("expected"))
        check(f"{name} verdict", t["verdict"], z["verdict"])
        ref = z["percpu_ref"] or {}
        check(f"{name} percpu_ref.mode", t["mode"], ref.get("mode"))
        check(f"{name} percpu_ref.switching", t["switching"],
              ref.get("switching"))
        if "observed" in t:
            check(f"{name} percpu_ref.count", t["observed"], ref.get("count"))
        check(f"{name} unreadable", t.get("unreadable", 0), z["unreadable"])
        check(f"{name} suspects", suspects(t["suspects"]),
              suspects(z["suspects"]))
        if "waiters" in t:
            check(f"{name} waiter pids",
                  sorted(w["pid"] for w in t["waiters"]),
                  sorted(w["pid"] for w in z["waiters"]))
    if len(args) > 2:
        findings = truth.get("findings", findings)
        check("exit status", 1 if findings else 0, int(args[2]))
    for e in errors:
        print(f"  MISMATCH {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
