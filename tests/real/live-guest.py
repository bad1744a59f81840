#!/usr/bin/env python3
"""Boot one live-tier guest under QEMU until it says it is done.

  live-guest.py --kernel VMLINUZ --initrd INITRD --append CMDLINE --mem 256M
                --console LOG --timeout SECONDS [--slow-disk IMG --slow-disk-bps N]

The same machine as guest.py (q35, -cpu max, TCG unless ZDREF_QEMU_ACCEL,
-smp 2, serial console to LOG, --slow-disk a throttled raw virtio disk), but
no dump: the guest (guest/live-init) runs zdref -k itself and prints what the
host needs on the console; once "ZDREF-LIVE-DONE" appears QEMU is killed.
Fails on "ZDREF-ERROR", on QEMU exiting first, and on the timeout.
Only the Python standard library is used.
"""
import argparse, os, re, subprocess, sys, time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--append", required=True)
    ap.add_argument("--mem", default="256M")
    ap.add_argument("--smp", default="2")
    ap.add_argument("--console", required=True)
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--slow-disk")
    ap.add_argument("--slow-disk-bps", type=int, default=2048)
    a = ap.parse_args()

    if os.path.exists(a.console):
        os.unlink(a.console)
    cmd = ["qemu-system-x86_64", "-machine", "q35", "-accel", os.environ.get("ZDREF_QEMU_ACCEL", "tcg"),
           "-cpu", "max", "-smp", a.smp, "-m", a.mem, "-kernel", a.kernel, "-initrd", a.initrd,
           "-append", a.append, "-serial", "file:%s" % a.console, "-display", "none",
           "-monitor", "none", "-nodefaults", "-no-reboot"]
    if a.slow_disk:
        cmd += ["-drive", "file=%s,format=raw,if=virtio,cache=unsafe,throttling.bps-total=%d"
                % (a.slow_disk, a.slow_disk_bps)]
    t0 = time.time()
    q = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
    err = None
    try:
        while True:
            try:
                with open(a.console, "rb") as f:
                    txt = f.read().decode("utf-8", "replace")
            except FileNotFoundError:
                txt = ""
            if "ZDREF-LIVE-DONE" in txt:
                break
            m = re.search(r"ZDREF-ERROR.*", txt)
            if m:
                err = "guest failed: " + m.group(0)
                break
            if q.poll() is not None:
                err = "QEMU exited (%s) before ZDREF-LIVE-DONE" % q.returncode
                break
            if time.time() > t0 + a.timeout:
                err = "timeout (%ds) waiting for ZDREF-LIVE-DONE" % a.timeout
                break
            time.sleep(0.5)
    finally:
        if q.poll() is None:
            q.kill()
        q.wait()
    if err:
        print("live-guest.py: error: " + err, file=sys.stderr)
        return 1
    print("live-guest.py: guest done in %.0fs" % (time.time() - t0), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
