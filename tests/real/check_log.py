#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check zdref --log against the guest's serial console.

usage: check_log.py [--expect TEXT]... CONSOLE ZDREF_LOG

The guest boots with console=ttyS0, so every printk record the console
printed is in CONSOLE as "[    3.146571] text", the form zdref --log prints
(kernel/printk/printk.c record_print_text()).  Lines without that prefix
are the guest's userspace writing to the serial port, not printk: ignored.

The console may hold several boots (kdump: the crashed kernel, then the
capture kernel, its clock starting again at 0): a "Linux version" line
whose timestamp goes backwards starts a new boot, and the boot checked
is the one the dump's log matches best.  The ring holds only the newest
records, and the console may go on after the dump was taken, so the
check covers the console lines of that boot from zdref's first record to
its last (by timestamp).  Each of them must appear in zdref's output, in
the same order; zdref may print more (records the console's loglevel
held back).  Both sides are compared with trailing blanks and carriage
returns stripped, and with the console's bytes outside printable ASCII
escaped as \\xNN the way zdref escapes them.

--expect TEXT: a console line of the window contains TEXT, and every such
line is in zdref's output, identical.

Exit 0 when every line is found, 1 otherwise (the missing lines listed),
2 on bad input.
"""
import re
import sys

PREFIX = re.compile(rb"^\[ *(\d+)\.(\d{6})\] ")


def escape(raw):
    out = []
    for c in raw:
        if 0x20 <= c < 0x7F or c == 0x09:
            out.append(chr(c))
        else:
            out.append("\\x%02x" % c)
    return "".join(out)


def kernel_lines(path):
    """(timestamp in microseconds, text) of every printk line of a file."""
    with open(path, "rb") as f:
        data = f.read()
    lines = []
    for raw in data.split(b"\n"):
        raw = raw.rstrip(b"\r").rstrip()
        m = PREFIX.match(raw)
        if not m:
            continue
        ts = int(m.group(1)) * 1000000 + int(m.group(2))
        lines.append((ts, escape(raw)))
    return lines


def check_boot(boot, log):
    """The boot's lines in the ring's window, and those zdref lacks."""
    first_ts, last_ts = log[0][0], log[-1][0]
    # At the oldest timestamp start at zdref's first line (older lines of
    # that instant are gone from the ring).
    start = next((i for i, l in enumerate(boot) if l == log[0]), None)
    if start is None:
        start = next((i for i, l in enumerate(boot) if l[0] > first_ts),
                     len(boot))
    window = [l for l in boot[start:] if l[0] <= last_ts]
    missing = []
    j = 0
    for line in window:
        k = j
        while k < len(log) and log[k][1] != line[1]:
            k += 1
        if k == len(log):
            missing.append(line[1])
        else:
            j = k + 1
    return window, missing


def main(argv):
    expect = []
    args = []
    it = iter(argv[1:])
    for a in it:
        if a == "--expect":
            try:
                expect.append(next(it))
            except StopIteration:
                print(__doc__, file=sys.stderr)
                return 2
        else:
            args.append(a)
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        console = kernel_lines(args[0])
        log = kernel_lines(args[1])
    except OSError as e:
        print("check_log: %s" % e, file=sys.stderr)
        return 2
    if not log:
        print("check_log: %s has no kernel log lines" % args[1])
        return 1
    first_ts, last_ts = log[0][0], log[-1][0]
    boots = [[]]
    for line in console:
        # Not any step back: records of different CPUs may be out of
        # order by a few microseconds (local_clock() is per CPU).
        if boots[-1] and line[0] < boots[-1][-1][0] and \
                " Linux version " in line[1]:
            boots.append([])
        boots[-1].append(line)
    best = None
    for n, boot in enumerate(boots):
        window, missing = check_boot(boot, log)
        key = (len(window) - len(missing), -len(missing))
        if best is None or key > best[0]:
            best = (key, n, window, missing)
    _, boot_nr, window, missing = best
    texts = set(l[1] for l in log)
    ctexts = set(l[1] for l in window)
    absent = []
    for e in expect:
        hits = [t for t in ctexts if e in t]
        if not hits or not all(t in texts for t in hits):
            absent.append(e)
    fmt = lambda us: "%d.%06d" % (us // 1000000, us % 1000000)
    print("check_log: %d console lines in the ring's window [%s, %s]%s, "
          "%d found in order among zdref's %d; %d console lines outside it "
          "(older than the ring, after the dump, or another boot)"
          % (len(window), fmt(first_ts), fmt(last_ts),
             " of boot %d of %d" % (boot_nr + 1, len(boots))
             if len(boots) > 1 else "",
             len(window) - len(missing), len(log),
             len(console) - len(window)))
    for m in missing[:20]:
        print("  missing: %s" % m)
    if len(missing) > 20:
        print("  ... and %d more" % (len(missing) - 20))
    for e in absent:
        print("  expected line not identical in both: %s" % e)
    if not window:
        print("  no console line in the window")
        return 1
    return 1 if missing or absent else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
