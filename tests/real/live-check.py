#!/usr/bin/env python3
"""Check one `zdref -k` run of a live-tier guest against the guest's own truth.

usage: live-check.py CONSOLE_LOG NAME OUTDIR

The guest (guest/live-init) prints, for each audit NAME,
  ZDREF-LIVE-AUDIT name=NAME args=...        before zdref starts
  ZDREF-LIVE-DATA name=NAME stream=out|err B64   zdref's stdout / stderr
  ZDREF-LIVE-RESULT name=NAME rc=R seconds=S
This writes OUTDIR/NAME.json (stdout), NAME.err, NAME.truth.json and checks:

* audits of pgmaps (every NAME but "lockdown" and "notroot"): the truth is make-truth.py's,
  built from the ZDREF-TRUTH lines printed *before* the audit started (the
  module's show/leak/drop/pageinc lines, the workload's hold lines and the
  kernel's peek of each held page), with "source": "live".  A pfn device
  ("ZDREF-TRUTH pfndev ... data_pages=N", from its sysfs resource and size)
  makes every one of its N data pages unreadable: with mode=pmem its struct
  pages are on the device, and /proc/kcore maps System RAM only.
  tests/check_truth.py compares zdref's JSON with that truth exactly
  (verdicts, deltas, suspects, busy pages, unreadable, exit status).  Also:
  JSON "source" is "live", kernel.debuginfo is "btf" (the guest has no
  vmlinux), a pgmap with unreadable pages has a reason naming
  /proc/kcore, stderr holds only zdref's "types and symbols" note, and
  after the guest set kptr_restrict=2 (and saw /proc/kallsyms without
  addresses) that note does not name /proc/kallsyms; nor does it speak of
  a dump.
* "lockdown": the guest saw lockdown [confidentiality] and could not read
  /proc/kcore itself; zdref must exit 2, print nothing on stdout and exactly
  one line on stderr, which names lockdown.  "notroot": the same for zdref
  run as nobody (uid 65534), where the guest's own read as nobody failed;
  the line names root.

Prints "seconds=S rc=R" on the first line, then one line per mismatch; exit
status 1 on any mismatch.  Nothing here looks at zdref to build the truth.
"""
import base64, json, os, re, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def kv(s):
    return dict(m.groups() for m in re.finditer(r"(\w+)=(\S+)", s))


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: live-check.py CONSOLE_LOG NAME OUTDIR")
    log, name, outdir = sys.argv[1:]
    with open(log, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    lines = text.splitlines(keepends=True)
    marker = "ZDREF-LIVE-AUDIT name=%s " % name
    start = next((i for i, l in enumerate(lines) if marker in l), None)
    if start is None:
        print("seconds=- rc=-")
        print("  MISMATCH no audit %s on the console" % name)
        return 1
    data = {"out": [], "err": []}
    result = None
    truths = []
    for l in lines[start:]:
        m = re.search(r"ZDREF-LIVE-DATA name=(\S+) stream=(out|err) (\S*)\s*$", l)
        if m and m.group(1) == name:
            data[m.group(2)].append(m.group(3))
            continue
        m = re.search(r"ZDREF-LIVE-RESULT (.*)$", l)
        if m and kv(m.group(1)).get("name") == name:
            result = kv(m.group(1))
            break
    for l in lines[:start]:
        m = re.search(r"ZDREF-TRUTH (.*)$", l)
        if m:
            truths.append(m.group(1).strip())
    if result is None:
        print("seconds=- rc=-")
        print("  MISMATCH audit %s has no ZDREF-LIVE-RESULT (zdref hung or the guest died)" % name)
        return 1
    out = base64.b64decode("".join(data["out"]))
    err = base64.b64decode("".join(data["err"]))
    rc = int(result["rc"])
    os.makedirs(outdir, exist_ok=True)
    jpath = os.path.join(outdir, name + ".json")
    tpath = os.path.join(outdir, name + ".truth.json")
    with open(jpath, "wb") as f:
        f.write(out)
    with open(os.path.join(outdir, name + ".err"), "wb") as f:
        f.write(err)
    print("seconds=%s rc=%d" % (result["seconds"], rc))
    errors = []
    err_lines = err.decode("utf-8", "replace").splitlines()

    if name in ("lockdown", "notroot"):
        # zdref cannot open /proc/kcore, and neither could the guest itself
        facts = {}
        for t in truths:
            if t.split(" ", 1)[0] in ("guest", "lockdown", "kcore", "user"):
                facts.update({k: v for k, v in kv(t).items()})
        if name == "lockdown":
            truth = {"release": facts.get("release"), "scenario": facts.get("scenario"),
                     "lockdown": facts.get("state"), "kcore_readable": facts.get("readable")}
            if "[confidentiality]" not in (facts.get("state") or ""):
                errors.append("the guest is not in lockdown confidentiality: %s" % facts.get("state"))
            word = "lockdown"
        else:
            truth = {"release": facts.get("release"), "scenario": facts.get("scenario"),
                     "uid": facts.get("uid"), "kcore_readable": facts.get("kcore_readable")}
            if facts.get("uid") in (None, "0"):
                errors.append("the guest did not run zdref as a user other than root: uid %s" % facts.get("uid"))
            word = "root"
        with open(tpath, "w") as f:
            json.dump(truth, f, indent=2)
            f.write("\n")
        if not (truth["kcore_readable"] or "").startswith("no"):
            errors.append("the guest itself could read /proc/kcore: %s" % truth["kcore_readable"])
        if rc != 2:
            errors.append("exit status: want 2, got %d" % rc)
        if out:
            errors.append("stdout: want nothing, got %r" % out[:200])
        if len(err_lines) != 1:
            errors.append("stderr: want exactly one line, got %d: %r" % (len(err_lines), err_lines[:5]))
        elif word not in err_lines[0]:
            errors.append("stderr does not name %s: %r" % (word, err_lines[0]))
    else:
        with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as tf:
            tf.write("".join(lines[:start]))
            prefix = tf.name
        try:
            scen = next((kv(t)["scenario"] for t in truths if t.startswith("guest ")), None)
            if scen is None:
                print("  MISMATCH no ZDREF-TRUTH guest line before audit %s" % name)
                return 1
            mt = subprocess.run([sys.executable, os.path.join(HERE, "make-truth.py"), prefix, scen, "elf"],
                                capture_output=True, text=True)
        finally:
            os.unlink(prefix)
        if mt.returncode != 0:
            print("  MISMATCH no truth: make-truth.py: %s" % mt.stderr.strip())
            return 1
        truth = json.loads(mt.stdout)
        truth["dump"] = "/proc/kcore"
        truth["format"] = "live"
        truth["source"] = "live"
        for t in truths:
            if not t.startswith("pfndev "):
                continue
            d = kv(t)
            first, n = int(d["resource"], 16) >> 12, int(d["data_pages"])
            hit = [p for p in truth["pgmaps"]
                   if int(p["start"], 16) >> 12 <= first and first + n - 1 <= int(p["end"], 16) >> 12]
            if len(hit) != 1 or n <= 0:
                print("  MISMATCH pfn device %s (pfn %#x, %d pages) is in %d pgmaps of the truth"
                      % (d["dev"], first, n, len(hit)))
                return 1
            hit[0]["unreadable"] = n
            hit[0]["pfndev"] = {"dev": d["dev"], "mode": d["mode"], "first_pfn": "%#x" % first, "pages": n}
        with open(tpath, "w") as f:
            json.dump(truth, f, indent=2)
            f.write("\n")
        ct = subprocess.run([sys.executable, os.path.join(HERE, "..", "check_truth.py"), tpath, jpath, str(rc)],
                            capture_output=True, text=True)
        errors += [l.strip() for l in (ct.stdout + ct.stderr).splitlines() if l.strip()]
        if ct.returncode != 0 and not errors:
            errors.append("check_truth.py failed (status %d)" % ct.returncode)
        try:
            z = json.loads(out)
        except ValueError:
            z = None
        if z is None:
            errors.append("zdref printed no JSON (exit %d); stderr: %r" % (rc, err_lines[:5]))
        else:
            if z.get("source") != "live":
                errors.append("source: want 'live', got %r" % z.get("source"))
            if z.get("kernel", {}).get("debuginfo") != "btf":
                errors.append("kernel.debuginfo: want 'btf' (no vmlinux in the guest), got %r"
                              % z.get("kernel", {}).get("debuginfo"))
            for p in z.get("pgmaps", []):
                if p.get("unreadable") and "/proc/kcore" not in (p.get("reason") or ""):
                    errors.append("pgmap %s: %d unreadable pages, but the reason does not name /proc/kcore: %r"
                                  % (p["address"], p["unreadable"], p.get("reason")))
        # zdref's stderr: its "types and symbols" note, nothing else
        notes = [l for l in err_lines if l.startswith("zdref: types and symbols: ")]
        extra = [l for l in err_lines if l not in notes]
        if extra:
            errors.append("stderr: unexpected lines %r" % extra[:5])
        # live wording: the running kernel, not a dump
        if any("dump" in l for l in notes):
            errors.append("stderr note of a live run speaks of a dump: %r" % notes)
        kptr = [kv(t) for t in truths if t.startswith("kptr_restrict=")]
        if kptr and kptr[-1]["kptr_restrict"] != "0":
            # the guest saw /proc/kallsyms without addresses: symbols must
            # come from somewhere else (kcore memory)
            if not kptr[-1]["kallsyms_first"].startswith("0000000000000000,"):
                errors.append("kptr_restrict=%s, but the guest still saw addresses in /proc/kallsyms: %s"
                              % (kptr[-1]["kptr_restrict"], kptr[-1]["kallsyms_first"]))
            if any("/proc/kallsyms" in l for l in notes):
                errors.append("kptr_restrict=%s hides /proc/kallsyms' addresses, yet zdref says it used it: %r"
                              % (kptr[-1]["kptr_restrict"], notes))
    for e in errors:
        print("  " + e if e.startswith("MISMATCH") else "  MISMATCH " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
