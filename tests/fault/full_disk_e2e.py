#!/usr/bin/env python3
"""fault: a full disk during `station run` is said at once and never called
complete (issue 13, item 4).

The disk fills after ~10 s: the station runs under RLIMIT_FSIZE = 300 KiB
(every file it writes stops growing there, as on a full file system; the
SIGXFSZ signal is ignored, so writes fail with EFBIG like ENOSPC).  The
recording (~28 KB/s) and the store's write-ahead log both hit it.

Must hold:
  - `station ctl get status` says store=failing / recording=failing while
    the session goes on, and the terminal says it (one sentence each);
  - the end line and `station sessions` never say complete; exit status 1;
  - what was saved before stays readable: `station report` of the session
    works and holds steps; the recording replays up to where it stopped.
"""
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time

BIN = os.path.join(os.environ.get("GC_BINARY_DIR", "build"), "bin")
STATION = os.path.join(BIN, "station")
LIMIT = 300 * 1024
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def limit_files():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def main():
    with tempfile.TemporaryDirectory(prefix="gc-full-") as tmp:
        env = dict(os.environ, XDG_DATA_HOME=os.path.join(tmp, "d"), HOME=tmp)
        env.setdefault("XDG_RUNTIME_DIR", os.path.join(tmp, "rt"))
        os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
        subprocess.run([STATION, "patient", "add", "FULL-1"], env=env, check=True,
                       capture_output=True)
        p = subprocess.Popen([STATION, "run", "--sim", "--patient", "FULL-1", "--headless",
                              "--audio-device", "null", "--seconds", "25"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=limit_files)
        seen = {}
        t_end = time.monotonic() + 60
        while time.monotonic() < t_end and p.poll() is None:
            st = subprocess.run([STATION, "ctl", "get", "status"], env=env, capture_output=True,
                                text=True).stdout
            for key in ("store", "recording"):
                m = re.search(key + r"=(\w+)", st)
                if m and m.group(1) == "failing" and key not in seen:
                    t = re.search(r"t=([\d.]+)", st)
                    seen[key] = float(t.group(1)) if t else -1
            time.sleep(0.25)
        out, err = p.communicate(timeout=60)
        print("\n".join(l for l in out.splitlines() if not l.startswith("t=")))
        print(err[-2000:])
        check("store" in seen, "ctl status said store=failing during the session (at %s s)"
              % seen.get("store"))
        check("recording" in seen, "ctl status said recording=failing (at %s s)"
              % seen.get("recording"))
        check("the session store cannot be written" in err, "the terminal said so at once")
        check(err.count("disk I/O error") <= 2, "a retried commit is not logged every 250 ms "
              "(%d lines)" % err.count("disk I/O error"))
        check(p.returncode == 1, "exit status 1 (got %d)" % p.returncode)
        check("complete" not in " ".join(l for l in out.splitlines() if "stored" in l),
              "the end line does not call it complete")
        check("incomplete: writing it failed" in out, "the recording line says incomplete")
        r = subprocess.run([STATION, "sessions", "--patient", "FULL-1"], env=env,
                           capture_output=True, text=True)
        print(r.stdout)
        check(" complete " not in r.stdout and "interrupted" in r.stdout,
              "stored as interrupted, never complete")
        steps = re.search(r"interrupted\s+(\d+)", r.stdout)
        check(steps and int(steps.group(1)) > 10, "the steps saved before the disk filled are kept")
        r = subprocess.run([STATION, "report", "latest", "--pdf", os.path.join(tmp, "r.pdf")],
                           env=env, capture_output=True, text=True)
        check(r.returncode == 0 and os.path.getsize(os.path.join(tmp, "r.pdf")) > 1000,
              "the session is reportable (%s)" % r.stderr.strip()[-200:])
        rec = re.search(r"recording: (\S+)", out)
        if rec:
            r = subprocess.run([STATION, "replay", rec.group(1), "--speed", "max", "--quiet"],
                               env=env, capture_output=True, text=True)
            m = re.search(r"steps (\d+)", r.stdout)
            check(m and int(m.group(1)) > 10, "the recording replays up to where it stopped "
                  "(%s)" % r.stdout.strip()[-160:])
    print("%d failed" % len(failures) if failures else "all ok")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
