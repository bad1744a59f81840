#!/usr/bin/env python3
"""Compare `zdref -a -j` output with a dump's ground truth, exactly.

usage: check_truth.py [--strict] TRUTH.json ZDREF.json [EXIT_STATUS]

The truth comes from outside zdref: the real guests' console record
(tests/real/make-truth.py) or the fixture generator (tests/fixtures/).
Everything it states is compared: kernel release and model, the set of pgmap
addresses, and per pgmap:

* type, range 0, verdict, percpu_ref mode and switching, the suspects (pfn,
  refcount), unreadable pages (absent: 0), the observed count where stated;
* delta, always, and expected where the truth has the key: both exactly, null
  included (null: the model cannot decide; the verdict is then unknown and
  zdref must print null too, never a number);
* busy: the truth's list of legitimately busy pages (absent: none) against
  zdref's busy_pages (printed with -a).  The pfn sets must be equal, and every
  key a truth entry states must equal zdref's entry flattened: its top-level
  pfn, refcount, mapcount, pincount and the keys of its holder object (kind,
  inode, index, device, owner, ...).  Without busy_pages in the output (zdref
  run without -a) only the number of busy pages is compared;
* waiters: (pid, on, pfn) of every task the truth says is blocked (absent:
  none): on "done" for pgmap->done (the default when "on" is not given), on
  "page" with the pfn for a wait_var_event() on a page.

* last_ran_ns of every waiter the truth gives it for (the kernel's own
  sched_info.last_arrival, read in the guest after the task was seen
  blocked), exactly;
* clock_ns (the newest rq->clock) within 120 s after the truth's
  dump_after_ns (the guest's last console line before the dump), and each
  hang entry's off_cpu_ns equal to clock_ns - last_ran_ns;

* devres, where the truth names the device: the device whose devres
  holds the pgmap's devm_memremap_pages() node must be that device, bound
  to nd_pmem (the real guests' only pgmap driver), or null for a pgmap
  whose unbind is under way (mode "dead");

* triage, where the truth states it: (kind, pgmap, pid) of every entry, a
  percpu_ref WARNING of the console matched to its pgmap and every blocked
  task; an empty list on a dump with neither.

The exit status must be 1 when the truth has findings, else 0.

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


def waiters(lst):
    out = []
    for w in lst:
        on = w.get("on", "done")
        pfn = hexnorm(w["pfn"]) if w.get("pfn") is not None else None
        out.append((int(w["pid"]), on, pfn))
    return sorted(out, key=lambda t: (t[0], t[1], -1 if t[2] is None else t[2]))


def flat(entry):
    """zdref's busy page as one flat dict: top-level keys plus its holder's."""
    f = {k: v for k, v in entry.items() if k != "holder"}
    holder = entry.get("holder")
    if isinstance(holder, dict):
        for k, v in holder.items():
            f.setdefault(k, v)
    return f


def same(want, got):
    """Equal, with "0x..." strings and numbers compared as numbers."""
    if want == got:
        return True
    try:
        w = hexnorm(want) if isinstance(want, str) and want.startswith("0x") else want
        g = hexnorm(got) if isinstance(got, str) and got.startswith("0x") else got
    except ValueError:
        return False
    return (isinstance(w, int) and isinstance(g, int)
            and not isinstance(w, bool) and not isinstance(g, bool) and w == g)


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
        # null included: an unknown verdict has neither, in both
        check(f"{name} delta", t.get("delta"), z.get("delta"))
        if "expected" in t:
            check(f"{name} expected", t["expected"], z.get("expected"))
        check(f"{name} verdict", t["verdict"], z["verdict"])
        ref = z["percpu_ref"] or {}
        check(f"{name} percpu_ref.mode", t["mode"], ref.get("mode"))
        check(f"{name} percpu_ref.switching", t["switching"],
              ref.get("switching"))
        if "observed" in t:
            check(f"{name} percpu_ref.count", t["observed"], ref.get("count"))
        check(f"{name} unreadable", t.get("unreadable", 0), z["unreadable"])
        if "device" in t:
            # the name its users know (the guest's sysfs namespace); where
            # makedumpfile's filter is incomplete the resources may be gone,
            # and zdref must then say why instead of naming anything
            if (not strict and truth.get("filter_incomplete")
                    and z.get("device") is None
                    and "unreadable" in (z.get("device_why") or "")):
                print(f"  note: {name}: device: {z['device_why']}")
            else:
                check(f"{name} device", t["device"], z.get("device"))
            # the same device through its devres: the node of
            # devm_memremap_pages(); a pgmap whose unbind is under way is
            # in no list (devres_release_all() unlinks first)
            if t.get("mode") == "dead":
                check(f"{name} devres (unbinding)", None, z.get("devres"))
            elif (not strict and truth.get("filter_incomplete")
                    and z.get("devres") is None
                    and "unreadable" in (z.get("devres_why") or "")):
                print(f"  note: {name}: devres: {z['devres_why']}")
            else:
                check(f"{name} devres", t["device"], z.get("devres"))
                check(f"{name} devres_driver", "nd_pmem", z.get("devres_driver"))
        check(f"{name} suspects", suspects(t["suspects"]),
              suspects(z["suspects"]))
        tbusy = t.get("busy") or []
        if "busy_pages" in z:
            zb = {}
            for e in z["busy_pages"]:
                zb[hexnorm(e["pfn"])] = flat(e)
            tb = {hexnorm(e["pfn"]): e for e in tbusy}
            check(f"{name} busy pfns", sorted(hex(p) for p in tb),
                  sorted(hex(p) for p in zb))
            for pfn in sorted(set(tb) & set(zb)):
                for k, v in tb[pfn].items():
                    if not same(v, zb[pfn].get(k)):
                        errors.append(f"{name} busy {pfn:#x} {k}: want "
                                      f"{v!r}, got {zb[pfn].get(k)!r}")
        else:
            check(f"{name} busy (no busy_pages: run zdref with -a)",
                  len(tbusy), z.get("busy"))
        check(f"{name} waiters (pid, on, pfn)",
              waiters(t.get("waiters") or []),
              waiters(z.get("waiters") or []))
        zw = {int(w["pid"]): w for w in z.get("waiters") or []}
        for w in t.get("waiters") or []:
            if "last_ran_ns" in w and int(w["pid"]) in zw:
                check(f"{name} waiter {w['pid']} last_ran_ns", w["last_ran_ns"],
                      zw[int(w["pid"])].get("last_ran_ns"))
    if "triage" in truth:
        # (kind, pgmap, pid) of every entry: a WARNING matched to its
        # pgmap, each blocked task; none on a healthy dump.
        def entries(lst):
            return sorted((e["kind"], hexnorm(e["pgmap"]) if e.get("pgmap") else 0,
                           e.get("pid", 0)) for e in lst)
        check("triage (kind, pgmap, pid)", entries(truth["triage"]),
              entries(out.get("triage", [])))
    if "dump_after_ns" in truth:
        # the newest rq->clock: after the guest's last console line, and
        # not long after (the host dumps within seconds of it)
        c, lo = out.get("clock_ns"), truth["dump_after_ns"]
        if not isinstance(c, int) or not lo <= c <= lo + 120 * 10**9:
            errors.append(f"clock_ns: want within [{lo}, {lo} + 120 s], got {c!r}")
        for e in out.get("triage", []):
            if e["kind"] == "hang":
                want = (c - e["last_ran_ns"]) if isinstance(c, int) and \
                    isinstance(e.get("last_ran_ns"), int) and c >= e["last_ran_ns"] else None
                check(f"triage pid {e['pid']} off_cpu_ns", want, e.get("off_cpu_ns"))
    if len(args) > 2:
        findings = truth.get("findings", findings)
        check("exit status", 1 if findings else 0, int(args[2]))
    for e in errors:
        print(f"  MISMATCH {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
