#!/usr/bin/env python3
"""Check zdref's sched clock figures of a dump against crash(8).

usage: check_clock_crash.py VMLINUX VMCORE ZDREF.json

zdref reports "clock_ns", the newest rq->clock of all CPUs (the dump's
"now" in sched_clock time), and for each blocked task "last_ran_ns", its
task_struct.sched_info.last_arrival.  crash reads both its own way: `runq
-t` prints every CPU's runqueue timestamp (rq->clock), and gdb prints the
task's sched_info.  Both must agree exactly, and every hang entry's
off_cpu_ns must be the difference.  Only for dumps crash can open (Debian's
6.1).  Prints one line per mismatch, exits 1 if there is any.
"""
import json
import re
import shutil
import sys
import tempfile

from check_busy_crash import crash  # one session, one output file a command


def main():
    vmlinux, vmcore, zpath = sys.argv[1:4]
    z = json.load(open(zpath))
    tasks = sorted({int(w["task"], 16) for p in z["pgmaps"] for w in p.get("waiters", [])})
    cmds = ["runq -t"] + ["p ((struct task_struct *)%#x)->sched_info.last_arrival" % t
                          for t in tasks]
    tmp = tempfile.mkdtemp(prefix="zdref-clock.")
    try:
        outs = crash(vmlinux, vmcore, cmds, tmp)
    finally:
        shutil.rmtree(tmp)
    errors = []
    clocks = [int(c) for c in re.findall(r"^\s*CPU \d+: (\d+)", outs[0], re.M)]
    if not clocks:
        errors.append("crash runq -t gave no clocks: %r" % outs[0][:200])
    elif z.get("clock_ns") != max(clocks):
        errors.append("clock_ns: crash's newest runq -t clock %d, zdref %r"
                      % (max(clocks), z.get("clock_ns")))
    arrival = {}
    for t, o in zip(tasks, outs[1:]):
        m = re.search(r"\$\d+ = (\d+)", o)
        if not m:
            errors.append("task %#x: crash printed no last_arrival: %r" % (t, o.strip()))
            continue
        arrival[t] = int(m.group(1))
    for p in z["pgmaps"]:
        for w in p.get("waiters", []):
            t = int(w["task"], 16)
            if t in arrival and w.get("last_ran_ns") != arrival[t]:
                errors.append("pid %d: crash last_arrival %d, zdref %r"
                              % (w["pid"], arrival[t], w.get("last_ran_ns")))
    for e in z.get("triage", []):
        if e["kind"] == "hang" and clocks:
            want = [max(clocks) - a for p in z["pgmaps"] for w in p.get("waiters", [])
                    if w["pid"] == e["pid"] for a in [arrival.get(int(w["task"], 16))]
                    if a is not None]
            if want and e.get("off_cpu_ns") != want[0]:
                errors.append("triage pid %d off_cpu_ns: crash gives %d, zdref %r"
                              % (e["pid"], want[0], e.get("off_cpu_ns")))
    for e in errors:
        print("  MISMATCH " + e)
    if not errors:
        print("  clock %d, %d waiter(s) agree" % (max(clocks), len(arrival)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
