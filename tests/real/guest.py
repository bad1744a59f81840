#!/usr/bin/env python3
"""Run one zdref test guest under QEMU and take its dump.

  guest.py --kernel VMLINUZ --initrd INITRD --append CMDLINE --mem 256M
           --console LOG --timeout SECONDS
           (--qmp-dump FILE --format kdump-zlib|elf --wait-for REGEX
              [--slow-disk IMG --slow-disk-bps N]
            | --kdump-disk IMG --kdump-out FILE)

QMP mode: boot, wait until REGEX appears on the serial console, then over QMP
`stop` + `dump-guest-memory` (paging=false) and `quit`.
--slow-disk adds IMG as a raw virtio disk that QEMU throttles to N bytes/s
(throttling.bps-total; the bucket holds N/10, so the first request passes at
once and fills it, and the next waits until it has drained): an O_DIRECT read
the guest issues after filling the bucket stays in flight.  QMP `stop` drains
the disk (throttling is lifted while draining) only after the vCPUs are
paused, so the guest kernel still sees that read in flight in the dump.
Kdump mode: boot with a raw virtio disk; the guest's capture kernel writes a
makedumpfile dump to it, prints ZDREF-KDUMP-SIZE=N and powers off; the first N
bytes of the disk are the dump.
Only the Python standard library is used.
"""
import argparse, json, os, re, signal, socket, subprocess, sys, tempfile, time


def die(msg):
    print("guest.py: error: " + msg, file=sys.stderr)
    sys.exit(1)


class QMP:
    def __init__(self, path, timeout):
        end = time.time() + timeout
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.s.connect(path)
                break
            except OSError:
                if time.time() > end:
                    die("cannot connect to QMP socket")
                time.sleep(0.2)
        self.f = self.s.makefile("rwb", buffering=0)
        self.recv()                         # greeting
        self.cmd("qmp_capabilities")

    def recv(self):
        line = self.f.readline()
        if not line:
            die("QMP connection closed")
        return json.loads(line)

    def cmd(self, name, timeout=600, **args):
        self.s.settimeout(timeout)
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.f.write(json.dumps(msg).encode() + b"\n")
        while True:
            r = self.recv()
            if "event" in r:
                continue
            if "error" in r:
                die("QMP %s: %s" % (name, r["error"]))
            return r.get("return")


def console_text(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--append", required=True)
    ap.add_argument("--mem", default="256M")
    ap.add_argument("--smp", default="2")
    ap.add_argument("--console", required=True)
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--qmp-dump")
    ap.add_argument("--format", default="kdump-zlib", choices=["kdump-zlib", "elf"])
    ap.add_argument("--wait-for", default=r"ZDREF-DUMP-NOW")
    ap.add_argument("--slow-disk")
    ap.add_argument("--slow-disk-bps", type=int, default=2048)
    ap.add_argument("--kdump-disk")
    ap.add_argument("--kdump-out")
    a = ap.parse_args()
    if bool(a.qmp_dump) == bool(a.kdump_disk):
        die("give exactly one of --qmp-dump / --kdump-disk")
    if a.slow_disk and a.kdump_disk:
        die("--slow-disk is for --qmp-dump runs")

    tmpd = tempfile.mkdtemp(prefix="zdref-qemu.")
    qmp_path = os.path.join(tmpd, "qmp.sock")
    for p in (a.console,):
        if os.path.exists(p):
            os.unlink(p)
    cmd = ["qemu-system-x86_64", "-machine", "q35", "-accel", os.environ.get("ZDREF_QEMU_ACCEL", "tcg"), "-cpu", "max",
           "-smp", a.smp, "-m", a.mem, "-kernel", a.kernel, "-initrd", a.initrd,
           "-append", a.append, "-device", "vmcoreinfo",
           "-qmp", "unix:%s,server=on,wait=off" % qmp_path,
           "-serial", "file:%s" % a.console, "-display", "none", "-monitor", "none",
           "-nodefaults", "-no-reboot"]
    if a.kdump_disk:
        cmd += ["-drive", "file=%s,format=raw,if=virtio,cache=unsafe" % a.kdump_disk]
    if a.slow_disk:
        cmd += ["-drive", "file=%s,format=raw,if=virtio,cache=unsafe,throttling.bps-total=%d"
                % (a.slow_disk, a.slow_disk_bps)]
    t0 = time.time()
    q = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
    deadline = t0 + a.timeout

    def kill():
        if q.poll() is None:
            q.kill()
            q.wait()

    try:
        if a.qmp_dump:
            pat = re.compile(a.wait_for)
            while True:
                txt = console_text(a.console)
                if pat.search(txt):
                    break
                m = re.search(r"ZDREF-ERROR.*", txt)
                if m:
                    die("guest failed: " + m.group(0))
                if q.poll() is not None:
                    die("QEMU exited (%s) before /%s/" % (q.returncode, a.wait_for))
                if time.time() > deadline:
                    die("timeout (%ds) waiting for /%s/ on the console" % (a.timeout, a.wait_for))
                time.sleep(0.5)
            time.sleep(1)
            qmp = QMP(qmp_path, 30)
            qmp.cmd("stop")
            t1 = time.time()
            args = {"paging": False, "protocol": "file:" + os.path.abspath(a.qmp_dump)}
            if a.format != "elf":
                args["format"] = a.format
            qmp.cmd("dump-guest-memory", timeout=max(60, deadline - time.time()), **args)
            print("guest.py: booted in %.0fs, dump (%s) in %.0fs" % (t1 - t0, a.format, time.time() - t1),
                  file=sys.stderr)
            try:
                qmp.cmd("quit", timeout=10)
            except Exception:
                pass
        else:
            while q.poll() is None:
                if time.time() > deadline:
                    die("timeout (%ds) waiting for the capture kernel to power off" % a.timeout)
                time.sleep(0.5)
            txt = console_text(a.console)
            m = re.search(r"ZDREF-KDUMP-SIZE=(\d+)", txt)
            if not m:
                e = re.search(r"ZDREF-ERROR.*", txt)
                die("no ZDREF-KDUMP-SIZE on the console" + (": " + e.group(0) if e else ""))
            size = int(m.group(1))
            with open(a.kdump_disk, "rb") as fi, open(a.kdump_out, "wb") as fo:
                fo.write(fi.read(size))
            print("guest.py: kdump of %d bytes in %.0fs" % (size, time.time() - t0), file=sys.stderr)
    finally:
        try:
            q.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        kill()
        try:
            os.unlink(qmp_path)
        except OSError:
            pass
        os.rmdir(tmpd)


if __name__ == "__main__":
    main()
