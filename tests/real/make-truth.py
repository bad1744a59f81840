#!/usr/bin/env python3
"""Write truth.json for one scenario from the guest's "ZDREF-TRUTH" console lines.

usage: make-truth.py CONSOLE_LOG SCENARIO FORMAT [--panic-on-warn] > truth.json

The console lines say what the guest did (which pgmaps exist, which
references were leaked/dropped, which page refcounts were changed, which pgmap
was torn down and by which task).  The expected findings follow from that and
from the 6.1 ... 6.14 ("Era D") rules for MEMORY_DEVICE_FS_DAX pgmaps; nothing
here reads the dump:

* A healthy FS_DAX pgmap holds its initial reference plus one per page
  (percpu_ref_get_many at setup); page refcounts (idle at 1) do not enter the
  expected count.  So delta = (references leaked) - (references dropped), and
  the verdict is "ok" / "leaked" / "missing" for delta = / > / < 0.
* Pages whose refcount the module changed (to 0 or above 1) are the
  suspects, with the refcount the module read back after changing it.
* Not torn down: mode "percpu", switching false.
* Torn down (namespace unbound -> memunmap_pages: percpu_ref_kill, then
  percpu_ref_put_many of the per-page references, then wait_for_completion):
  the ref is ATOMIC|DEAD, expected count T = 0, so the observed count is the
  leaked references: mode "dead", same delta.  The unbinding task waits on
  pgmap->done and is listed as a waiter.
  - delta > 0: the switch to atomic completes (switching false) and the
    unbind blocks for good.
  - delta < 0 with panic_on_warn=1: the WARN in
    percpu_ref_switch_to_atomic_rcu() panics between folding the per-CPU
    counters and confirming the switch: switching true (the switch's own
    reference is still held).  The unbinding task is already waiting: RCU
    cannot finish a grace period before that task schedules, i.e. sleeps in
    wait_for_completion().
"""
import json, re, sys

FORMATS = {"kdump-zlib": "kdump-flattened", "elf": "elf", "kdump": "kdump-compressed"}


def addr(s):
    """%px prints bare hex: normalise to lowercase 0x..."""
    return "%#x" % int(s, 16)


def kv(s):
    return dict(m.groups() for m in re.finditer(r"(\w+)=(\S+)", s))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    panic_on_warn = "--panic-on-warn" in sys.argv
    if len(args) != 3 or args[2] not in FORMATS:
        sys.exit("usage: make-truth.py CONSOLE_LOG SCENARIO kdump-zlib|elf|kdump [--panic-on-warn]")
    log, scenario, fmt = args
    lines = []
    # makedumpfile says so when it does not know the kernel (bookworm's 1.7.2
    # on 6.12): its filtering may then drop kernel data pages, and a tool
    # reading the dump can only say "excluded" for what lived there.
    filter_incomplete = False
    with open(log, "rb") as f:
        text = f.read().decode("utf-8", "replace")
        filter_incomplete = "The makedumpfile operation may be incomplete" in text
        for raw in text.splitlines():
            m = re.search(r"ZDREF-TRUTH (.*)$", raw)
            if m:
                lines.append(m.group(1).strip())
            elif "ZDREF-CAPTURE start" in raw:
                break                      # capture kernel: nothing more about the first one
    release = None
    pgmaps = {}                            # address -> dict
    order = []
    teardown = None
    for l in lines:
        d = kv(l)
        if l.startswith("guest "):
            release = d["release"]
            if d["scenario"] != scenario:
                sys.exit("console is for scenario %s, not %s" % (d["scenario"], scenario))
        elif l.startswith("error") or "err=" in l and d.get("err", "0") != "0":
            sys.exit("guest reported: " + l)
        elif l.startswith("pgmap=") and "typename" in d:
            a = addr(d["pgmap"])
            if a not in pgmaps:
                pgmaps[a] = {"address": a, "type": d["typename"], "start": d["start"].lower(),
                             "end": d["end"].lower(), "delta": 0, "suspects": [], "waiters": [],
                             "torn": False}
                order.append(a)
            if int(d["range"]) != 0:
                sys.exit("multi-range pgmaps are not expected here")
        elif l.startswith("pgmap=") and "action" in d:
            p = pgmaps[addr(d["pgmap"])]
            n = int(d["n"])
            p["delta"] += n if d["action"] == "leak" else -n
        elif l.startswith("page "):
            p = pgmaps[addr(d["pgmap"])]
            p["suspects"].append({"pfn": "%#x" % int(d["pfn"], 16), "refcount": int(d["refcount"])})
        elif l.startswith("teardown "):
            teardown = d
    if release is None or not pgmaps:
        sys.exit("no ZDREF-TRUTH guest/pgmap lines in " + log)
    if teardown:
        pfn = int(teardown["pfn"], 16)
        hit = [p for p in pgmaps.values()
               if int(p["start"], 16) >> 12 <= pfn <= int(p["end"], 16) >> 12]
        if len(hit) != 1:
            sys.exit("teardown pfn %#x matches %d pgmaps" % (pfn, len(hit)))
        hit[0]["torn"] = True
        hit[0]["waiters"].append({"pid": int(teardown["pid"])})
    out = []
    for a in order:
        p = pgmaps[a]
        delta = p["delta"]
        if p["torn"]:
            if delta == 0:
                sys.exit("teardown of a balanced pgmap completes: nothing to dump")
            mode, switching = "dead", (delta < 0 and panic_on_warn)
            if delta < 0 and not panic_on_warn:
                sys.exit("missing refs + teardown without panic_on_warn: state undefined")
        else:
            mode, switching = "percpu", False
        out.append({"address": a, "type": p["type"], "start": p["start"], "end": p["end"],
                    "delta": delta,
                    "verdict": "ok" if delta == 0 else ("leaked" if delta > 0 else "missing"),
                    "mode": mode, "switching": switching,
                    "suspects": p["suspects"], "waiters": p["waiters"]})
    # Debian's 6.1 and 6.12 are both of the 6.1-6.14 era (kernel-model.md §6 D)
    truth = {"release": release, "scenario": scenario, "model": "v6.1",
             "dump": "vmcore", "format": FORMATS[fmt], "pgmaps": out}
    if filter_incomplete:
        truth["filter_incomplete"] = True
    json.dump(truth, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
