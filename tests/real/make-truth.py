#!/usr/bin/env python3
"""Write truth.json for one scenario from the guest's "ZDREF-TRUTH" console lines.

usage: make-truth.py CONSOLE_LOG SCENARIO FORMAT [--panic-on-warn] > truth.json

The console lines say what the guest did (which pgmaps exist, which
references were leaked/dropped, which page refcounts were changed, which pgmap
was torn down and by which task, which pages a real fsdax workload holds and
what the kernel itself says about them right before the dump).  The expected
findings follow from that and from the 6.1 ... 6.14 ("Era D") rules for
MEMORY_DEVICE_FS_DAX pgmaps; nothing here reads the dump:

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
  The waiter is {"pid": N, "on": "done"}.
* Busy pages (scenarios busy, busy_leak, truncate_hang: ext4 -o dax on
  pmem0, guest/dax-workload.c).  A DAX fault maps the pmem pfn without a page
  reference (fs/dax.c dax_insert_entry -> dax_associate_entry sets only
  page->mapping/index; vmf_insert_mixed does no get_page), so a written page
  stays at refcount 1.  GUP takes page references: vmsplice (fs/splice.c
  iter_to_pipe -> iov_iter_get_pages2: FOLL_GET, +1 per pipe_buffer, held
  while the pipe is unread), an O_DIRECT read from a block device into the
  mapping (block/bio.c __bio_iov_iter_get_pages: iov_iter_get_pages2, FOLL_GET,
  on 6.1; iov_iter_extract_pages -> pin_user_pages_fast, FOLL_PIN, +1024
  (GUP_PIN_COUNTING_BIAS) on 6.12, held by the bio until it completes).  GUP's
  own pgmap reference (get_dev_pagemap in follow_page_pte / gup_fast) is put
  at the end of the GUP call, and page references never touch the pgmap's
  percpu_ref in this era, so busy pages leave delta unchanged and are not
  suspects.  Each page the workload reports holding ("hold" lines: pfn, file
  index, inode from fstat) is listed in the pgmap's "busy" list with the
  values zdref_inject's peek read from the kernel just before the dump:
  refcount (page_ref_count), inode (page->mapping->host->i_ino), index
  (page->index), device (the superblock's s_id).  The peek must agree with
  the workload (mapping is the file's, same inode and index, refcount above
  1), or there is no truth.  Every pgmap gets a "busy" list, empty where
  nothing is held.
* A truncate of a mapped file with a busy page (truncate_hang): ext4_setattr
  -> ext4_break_layouts -> dax_layout_busy_page (which only looks when the
  mapping is mmapped: mapping_mapped) returns the first page with refcount >
  1, and the task sleeps TASK_INTERRUPTIBLE in ___wait_var_event(
  &page->_refcount, ... == 1).  The guest saw it in state S with a stable
  wchan, and peek found it on that page's var wait queue (key.flags ==
  &page->_refcount, bit_nr -1); it is a waiter {"pid": N, "on": "page",
  "pfn": "0x..."} of the pgmap holding the page.  The pgmap stays alive and
  balanced: "ok".

* "task pid=P ... last_arrival=N pcount=C now=T" (zdref_inject's task op,
  run after the task was seen blocked): the waiter with pid P gets
  "last_ran_ns": N, the kernel's own sched_info.last_arrival.
* The console's "[  T] ZDREF-DUMP-NOW" stamp becomes "dump_after_ns": every
  newer rq->clock in the dump comes from after it.
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
    dump_now_ns = None                     # the console's ZDREF-DUMP-NOW stamp
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
            elif "ZDREF-DUMP-NOW" in raw:
                t = re.match(r"\[\s*(\d+)\.(\d{6})\]", raw)
                if t:
                    dump_now_ns = int(t.group(1)) * 10**9 + int(t.group(2)) * 1000
            elif "ZDREF-CAPTURE start" in raw:
                break                      # capture kernel: nothing more about the first one
    release = None
    names = {}                             # first pfn -> namespace name (sysfs)
    pgmaps = {}                            # address -> dict
    order = []
    teardown = None
    holds = {}                             # pfn -> the workload's "hold" line
    peeks = {}                             # pfn -> the last "peek" line
    kwaiters = {}                          # pfn -> pids on the page's var wait queue
    pagewaits = []                         # "blocked ... on=page" lines
    tasks = {}                             # pid -> zdref_inject's "task" line
    for l in lines:
        d = kv(l)
        if l.startswith("guest "):
            release = d["release"]
            # the namespaces by the first pfn sysfs gives their resource
            for k in ("A", "B"):
                if "ns" + k in d and "pfn" + k in d:
                    names[int(d["pfn" + k], 16)] = d["ns" + k]
            if d["scenario"] != scenario:
                sys.exit("console is for scenario %s, not %s" % (d["scenario"], scenario))
        elif l.startswith("error") or "err=" in l and d.get("err", "0") != "0":
            sys.exit("guest reported: " + l)
        elif l.startswith("pgmap=") and "typename" in d:
            a = addr(d["pgmap"])
            if a not in pgmaps:
                pgmaps[a] = {"address": a, "type": d["typename"], "start": d["start"].lower(),
                             "end": d["end"].lower(), "delta": 0, "suspects": [], "waiters": [],
                             "busy": [], "torn": False}
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
        elif l.startswith("hold "):
            pfn = int(d["pfn"], 16)
            if pfn in holds:
                sys.exit("page %#x held twice by the workload" % pfn)
            holds[pfn] = d
        elif l.startswith("peek "):
            peeks[int(d["pfn"], 16)] = d
            kwaiters[int(d["pfn"], 16)] = []
        elif l.startswith("waiter "):
            kwaiters.setdefault(int(d["pfn"], 16), []).append(int(d["pid"]))
        elif l.startswith("blocked ") and d.get("on") == "page":
            pagewaits.append(d)
        elif l.startswith("task "):
            tasks[int(d["pid"])] = d
    if release is None or not pgmaps:
        sys.exit("no ZDREF-TRUTH guest/pgmap lines in " + log)

    def owner(pfn, what):
        hit = [p for p in pgmaps.values()
               if int(p["start"], 16) >> 12 <= pfn <= int(p["end"], 16) >> 12]
        if len(hit) != 1:
            sys.exit("%s pfn %#x matches %d pgmaps" % (what, pfn, len(hit)))
        return hit[0]

    if teardown:
        p = owner(int(teardown["pfn"], 16), "teardown")
        p["torn"] = True
        p["waiters"].append({"pid": int(teardown["pid"]), "on": "done"})
    for pfn in sorted(holds):
        h, k = holds[pfn], peeks.get(pfn)
        if k is None:
            sys.exit("held page %#x was not peeked before the dump" % pfn)
        p = owner(pfn, "held page")
        if addr(k["pgmap"]) != p["address"]:
            sys.exit("peek of %#x: pgmap %s, but the page lies in %s" % (pfn, k["pgmap"], p["address"]))
        if k["mapping"] != "file" or int(k["inode"]) != int(h["inode"]) or int(k["index"]) != int(h["index"]):
            sys.exit("peek of %#x (mapping %s inode %s index %s) disagrees with the workload "
                     "(inode %s index %s)" % (pfn, k["mapping"], k["inode"], k["index"], h["inode"], h["index"]))
        if int(k["refcount"]) <= 1:
            sys.exit("held page %#x (%s) has refcount %s at the dump: not held" % (pfn, h["how"], k["refcount"]))
        p["busy"].append({"pfn": "%#x" % pfn, "refcount": int(k["refcount"]), "inode": int(k["inode"]),
                          "index": int(k["index"]), "device": k["device"]})
    for w in pagewaits:
        pfn, pid = int(w["pfn"], 16), int(w["pid"])
        if pfn not in holds:
            sys.exit("task %d waits on page %#x, which the workload does not hold" % (pid, pfn))
        if w["state"] != "S" or pid not in kwaiters.get(pfn, []):
            sys.exit("task %d (state %s) is not on the wait queue of page %#x (kernel: %s)"
                     % (pid, w["state"], pfn, kwaiters.get(pfn)))
        owner(pfn, "waited-on page")["waiters"].append({"pid": pid, "on": "page", "pfn": "%#x" % pfn})
    # When each blocked task was last switched in: the kernel's own
    # sched_info.last_arrival, read by zdref_inject after the task was seen
    # blocked (it cannot change while the task sleeps).
    for p in pgmaps.values():
        for w in p["waiters"]:
            k = tasks.get(w["pid"])
            if k is not None:
                if int(k["pcount"]) == 0:
                    sys.exit("task %d: sched_info.pcount 0, no last_arrival" % w["pid"])
                w["last_ran_ns"] = int(k["last_arrival"])
    extra = {pfn: pids for pfn, pids in kwaiters.items() if set(pids) - {int(w["pid"]) for w in pagewaits}}
    if extra:
        sys.exit("the kernel shows page waiters the guest did not report: %s" % extra)
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
                    "suspects": p["suspects"], "waiters": p["waiters"], "busy": p["busy"]})
        if int(p["start"], 16) >> 12 in names:
            out[-1]["device"] = names[int(p["start"], 16) >> 12]
    # Triage: every percpu_ref WARNING the guest's console shows (before a
    # capture kernel's), about the pgmap whose torn teardown went below zero
    # (the only percpu_ref the guest breaks), and every blocked task.
    first_boot = text.split("ZDREF-CAPTURE start")[0]
    triage = []
    for raw in first_boot.splitlines():
        if "percpu ref (" in raw and "after switching to atomic" in raw:
            torn = [p for p in out if p["mode"] == "dead" and p["delta"] < 0]
            if len(torn) != 1:
                sys.exit("a percpu_ref WARNING, but %d pgmaps torn down below zero" % len(torn))
            triage.append({"kind": "warning", "pgmap": torn[0]["address"]})
    for p in out:
        for w in p["waiters"]:
            triage.append({"kind": "hang", "pgmap": p["address"], "pid": w["pid"]})
    # Debian's 6.1 and 6.12 are both of the 6.1-6.14 era (kernel-model.md §6 D)
    truth = {"release": release, "scenario": scenario, "model": "v6.1",
             "dump": "vmcore", "format": FORMATS[fmt], "pgmaps": out,
             "triage": triage}
    if dump_now_ns is not None:
        # the guest's last word before the host dumps it: every rq->clock
        # the dump holds that is newer comes from after it
        truth["dump_after_ns"] = dump_now_ns
    if filter_incomplete:
        truth["filter_incomplete"] = True
    json.dump(truth, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
