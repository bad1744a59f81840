#!/usr/bin/env python3
"""Check a dump's busy pages and page waiters (truth.json) against crash(8).

usage: check_busy_crash.py VMLINUX VMCORE TRUTH.json

truth.json's "busy" pages and {"on": "page"} waiters come from the guest's
own view (tests/real/make-truth.py: the workload's report and zdref_inject's
peek right before the dump).  This asks crash, independently, for the same
facts in the dump:

* every busy page: `kmem -p PHYS` (crash's own page table walk) gives its
  refcount, mapping and index; gdb expressions over vmemmap give
  page->mapping->host->i_ino and ->i_sb->s_id;
* every page waiter: the task with that pid (walked from init_task.tasks:
  crash 8.0.2's `ps` lists only the idle tasks of these dumps) is
  TASK_INTERRUPTIBLE, is on the page's var wait queue (bit_wait_table[
  hash_ptr(&page->_refcount, 8)] holds a wait_bit_queue_entry whose
  key.flags is &page->_refcount, bit_nr -1, private the task), and its kernel
  stack (`rd -s` from thread.sp) shows the waiting function
  (ext4_break_layouts).

Only for dumps crash can open (Debian's 6.1; crash 8.0.2 cannot open the
6.12 dumps).  Prints one line per mismatch, exits 1 if there is any.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

GOLDEN_RATIO_64 = 0x61C8864680B583EB
MASK = (1 << 64) - 1
WAITER_FUNCS = ("ext4_break_layouts", "xfs_break_dax_layouts", "xfs_wait_dax_page")


def crash(vmlinux, vmcore, cmds, tmp):
    """Run cmds in one session; each command's output goes to its own file."""
    script = os.path.join(tmp, "cmds")
    with open(script, "w") as f:
        for i, c in enumerate(cmds):
            f.write("%s > %s/out.%d\n" % (c, tmp, i))
        f.write("q\n")
    subprocess.run(["crash", "-s", "--no_crashrc", vmlinux, vmcore, "-i", script],
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=600)
    outs = []
    for i in range(len(cmds)):
        try:
            with open(os.path.join(tmp, "out.%d" % i)) as f:
                outs.append(f.read())
        except FileNotFoundError:
            outs.append("")
    return outs


def gdb_val(s):
    m = re.search(r"\$\d+ = (.*)", s)
    return m.group(1).strip() if m else None


def main():
    vmlinux, vmcore, tpath = sys.argv[1:4]
    truth = json.load(open(tpath))
    busy = [(p, b) for p in truth["pgmaps"] for b in p.get("busy", [])]
    waits = [(p, w) for p in truth["pgmaps"] for w in p.get("waiters", []) if w.get("on") == "page"]
    if not busy and not waits:
        print("  nothing busy in %s" % tpath)
        return 0
    errors = []
    tmp = tempfile.mkdtemp(prefix="zdref-crash.")
    try:
        cmds = ["p/x &((struct page *)0)->_refcount",
                "p/x &((struct wait_bit_queue_entry *)0)->wq_entry",
                "p sizeof(bit_wait_table)/sizeof(bit_wait_table[0])",
                "p/x &bit_wait_table",
                "p sizeof(bit_wait_table[0])",
                "p/x &((struct wait_queue_head *)0)->head",
                "list task_struct.tasks -s task_struct.pid,__state -h init_task"]
        for _, b in busy:
            pfn = int(b["pfn"], 16)
            pg = "((struct page *)vmemmap_base)[%#x]" % pfn
            cmds += ["kmem -p %x" % (pfn << 12),
                     "p %s.mapping->host->i_ino" % pg,
                     "p %s.mapping->host->i_sb->s_id" % pg]
        outs = crash(vmlinux, vmcore, cmds, tmp)
        try:
            off_ref = int(gdb_val(outs[0]), 16)
            off_wq = int(gdb_val(outs[1]), 16)
            table = int(gdb_val(outs[2]))
            table_addr = int(gdb_val(outs[3]).split()[-1], 16)
            wqh_size = int(gdb_val(outs[4]))
            off_head = int(gdb_val(outs[5]), 16)
        except (TypeError, ValueError):
            print("  MISMATCH crash could not answer the layout questions: %r" % outs[:6])
            return 1
        bits = table.bit_length() - 1
        tasks = {}
        for addr, pid, state in re.findall(r"^([0-9a-f]{16})\n\s+pid = (\d+),\n\s+__state = (\d+),",
                                           outs[6], re.M):
            tasks[int(pid)] = (int(addr, 16), int(state))
        pages = {}
        for i, (pm, b) in enumerate(busy):
            kmem, ino, sid = outs[7 + 3 * i: 10 + 3 * i]
            pfn = int(b["pfn"], 16)
            name = "pgmap %s busy %s" % (pm["address"], b["pfn"])
            rows = [l.split() for l in kmem.splitlines() if re.match(r"[0-9a-f]{16} ", l)]
            if len(rows) != 1 or int(rows[0][1], 16) != pfn << 12:
                errors.append("%s: kmem -p says %r" % (name, kmem.strip()))
                continue
            page, _, mapping, index, cnt = rows[0][:5]
            pages[pfn] = int(page, 16)
            for what, want, got in (("refcount", b["refcount"], int(cnt)),
                                    ("index", b["index"], int(index, 16)),
                                    ("inode", b["inode"], int(gdb_val(ino) or -1)),
                                    ("device", b["device"],
                                     (gdb_val(sid) or "").strip('"').split("\\000")[0])):
                if want != got:
                    errors.append("%s %s: truth %r, crash %r" % (name, what, want, got))
            if int(mapping, 16) == 0:
                errors.append("%s: crash shows no mapping" % name)
        # second session: the waiters' wait queues and stacks
        cmds, plan = [], []
        for pm, w in waits:
            pid, pfn = int(w["pid"]), int(w["pfn"], 16)
            name = "pgmap %s waiter %d on %s" % (pm["address"], pid, w["pfn"])
            if pid not in tasks:
                errors.append("%s: no task with that pid in init_task.tasks" % name)
                continue
            task, state = tasks[pid]
            if state != 1:
                errors.append("%s: __state %d, not TASK_INTERRUPTIBLE" % (name, state))
            if pfn not in pages:
                errors.append("%s: the page is not a busy page crash could read" % name)
                continue
            var = pages[pfn] + off_ref
            idx = ((var * GOLDEN_RATIO_64) & MASK) >> (64 - bits)
            plan.append((name, task, var))
            head = table_addr + idx * wqh_size + off_head
            cmds += ["list wait_queue_entry.entry -s wait_queue_entry.private -H %#x" % head,
                     "p/x ((struct task_struct *)%#x)->thread.sp" % task]
        if cmds:
            outs = crash(vmlinux, vmcore, cmds, tmp)
            stack_cmds = []
            for i, (name, task, var) in enumerate(plan):
                lst = outs[2 * i]
                found = False
                for ent, priv in re.findall(r"^([0-9a-f]{16})\n\s+private = (0x[0-9a-f]+),", lst, re.M):
                    if int(priv, 16) == task:
                        found = int(ent, 16) - off_wq   # list prints the wait_queue_entry
                if not found:
                    errors.append("%s: task %#x not on the page's var wait queue:\n%s" % (name, task, lst))
                    stack_cmds.append(None)
                    continue
                stack_cmds.append((found, int(gdb_val(outs[2 * i + 1]), 16)))
            cmds = []
            for s in stack_cmds:
                if s:
                    cmds += ["p/x ((struct wait_bit_queue_entry *)%#x)->key.flags" % s[0],
                             "p ((struct wait_bit_queue_entry *)%#x)->key.bit_nr" % s[0],
                             "rd -s %#x 96" % s[1]]
            outs = crash(vmlinux, vmcore, cmds, tmp) if cmds else []
            j = 0
            for (name, task, var), s in zip(plan, stack_cmds):
                if not s:
                    continue
                flags, bit, stack = outs[j: j + 3]
                j += 3
                if int(gdb_val(flags) or "0", 16) != var or gdb_val(bit) != "-1":
                    errors.append("%s: wait entry key is %s/%s, not &page->_refcount %#x/-1"
                                  % (name, gdb_val(flags), gdb_val(bit), var))
                if not any(f in stack for f in WAITER_FUNCS):
                    errors.append("%s: none of %s on its stack" % (name, WAITER_FUNCS))
    finally:
        shutil.rmtree(tmp)
    for e in errors:
        print("  MISMATCH %s" % e)
    if not errors:
        print("  crash agrees: %d busy pages, %d page waiters" % (len(busy), len(waits)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
