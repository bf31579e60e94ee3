#!/usr/bin/env python3
"""Nothing overwritten, nothing leaked (issues 12, 13): `station` commands
against the store, recordings and their own inputs, in an isolated
XDG_DATA_HOME with umask 000 (so every mode below comes from the station,
not from the umask).

cases (argv[1]):
  outputs   report/progress/run/analyze/replay refuse to write over the
            store (and -wal/-shm), a recording or their input; exit != 0,
            one sentence, the file unchanged byte for byte; outputs are
            0600 in 0700 folders; recording 0600
  stream    run --steps: rows reach OUT.csv.partial while the run goes on;
            after kill -9 the .partial file holds every step of the live
            lines up to one second before the kill
  signals   SIGHUP and SIGQUIT end a run like SIGTERM: summary printed,
            session stored (stopped by the PT, with its time), exit 0
  store     a -shm left 0400 is repaired; a damaged database gets the
            restore sentence and patient add writes nothing; station
            backup makes a usable copy and refuses the store itself
  names     a name with an escape sequence or over 95 bytes is refused;
            two stations started at once both record (distinct names)
  ctl       37 idle control connections do not lock the owner out
"""
import fcntl
import hashlib
import os
import pty
import re
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import tempfile
import termios
import time

BIN = os.path.join(os.environ["GC_BINARY_DIR"], "bin")
STATION = os.path.join(BIN, "station")
failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures += 1


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class Env:
    def __init__(self):
        os.umask(0)
        self.tmp = tempfile.mkdtemp(prefix="gc-files-")
        self.data = os.path.join(self.tmp, "data")
        self.env = dict(os.environ, HOME=self.tmp, XDG_DATA_HOME=self.data,
                        XDG_RUNTIME_DIR=os.path.join(self.tmp, "run"))
        os.makedirs(self.env["XDG_RUNTIME_DIR"], mode=0o700)
        os.chmod(self.env["XDG_RUNTIME_DIR"], 0o700)
        self.db = os.path.join(self.data, "gaitcue", "gaitcue.db")
        self.recs = os.path.join(self.data, "gaitcue", "recordings")

    def run(self, *args, timeout=90):
        r = subprocess.run([STATION, *args], env=self.env, capture_output=True, text=True,
                           timeout=timeout, cwd=self.tmp)
        return r

    def session(self, *extra, seconds=4):
        return self.run("run", "--sim", "--seconds", str(seconds), "--headless",
                        "--audio-device", "null", "--quiet", *extra)


def refused(r, path, what):
    err = r.stderr.strip().splitlines()
    check(r.returncode != 0, "%s: exit %d (non-zero)" % (what, r.returncode))
    check(len(err) >= 1 and "refusing to write over" in err[-1] and "give the output" in err[-1],
          "%s: one sentence saying what to do: %r" % (what, err[-1] if err else ""))


def case_outputs():
    e = Env()
    check(e.run("patient", "add", "F-1").returncode == 0, "patient added")
    r = e.session("--patient", "F-1")
    check(r.returncode == 0, "a stored session (exit %d) %s" % (r.returncode, r.stderr))
    recs = sorted(os.listdir(e.recs))
    rec = os.path.join(e.recs, [x for x in recs if x.endswith(".gcrec")][0])
    # modes, whatever the umask (000 here)
    check(mode(os.path.join(e.data, "gaitcue")) == 0o700, "data folder 0700: %o"
          % mode(os.path.join(e.data, "gaitcue")))
    check(mode(e.recs) == 0o700, "recordings folder 0700: %o" % mode(e.recs))
    check(mode(rec) == 0o600, "recording 0600: %o" % mode(rec))
    check(mode(e.db) == 0o600, "store 0600: %o" % mode(e.db))

    db_sum, rec_sum = sha(e.db), sha(rec)
    wal = e.db + "-wal"
    targets = [("report --pdf STORE", ["report", "latest", "--pdf", e.db]),
               ("report --csv STORE-wal", ["report", "latest", "--csv", wal]),
               ("report --json STORE-shm", ["report", "latest", "--json", e.db + "-shm"]),
               ("report --pdf RECORDING", ["report", "latest", "--pdf", rec]),
               ("report --pdf X --csv X", ["report", "latest", "--pdf", "x.out", "--csv",
                                           "./x.out"]),
               ("progress --pdf STORE", ["progress", "F-1", "--pdf", e.db]),
               ("progress --pdf via a symlink to the store", None),
               ("run --steps STORE", ["run", "--sim", "--seconds", "3", "--headless",
                                      "--audio-device", "null", "--quiet", "--patient", "F-1",
                                      "--steps", e.db]),
               ("replay REC --steps REC", ["replay", rec, "--speed", "max", "--steps", rec]),
               ("analyze REC --steps REC", ["analyze", rec, "--steps", rec]),
               ("analyze --summary STORE", ["analyze", rec, "--steps", "a.csv", "--summary",
                                            e.db])]
    link = os.path.join(e.tmp, "innocent.pdf")
    os.symlink(e.db, link)
    for what, args in targets:
        if args is None:
            args = ["progress", "F-1", "--pdf", link]
        r = e.run(*args)
        refused(r, args[-1], what)
        check(sha(e.db) == db_sum, "%s: store unchanged" % what)
        check(sha(rec) == rec_sum, "%s: recording unchanged" % what)
    # a pipe, a link, a device: never replaced by a plain file (the attacker
    # trial turned /dev/full into a file as root)
    fifo = os.path.join(e.tmp, "pipe.json")
    os.mkfifo(fifo)
    plain = os.path.join(e.tmp, "plain.txt")
    with open(plain, "w") as f:
        f.write("the clinic's note\n")
    link2 = os.path.join(e.tmp, "link.json")
    os.symlink(plain, link2)
    # (no real device here: a regression would replace it on the test machine)
    for what, path in (("report --json PIPE", fifo), ("report --json LINK", link2)):
        r = e.run("report", "latest", "--json", path, timeout=20)
        refused(r, path, what)
        check("is not a regular file" in r.stderr, "%s: says why: %r" % (what, r.stderr.strip()))
    check(stat.S_ISFIFO(os.lstat(fifo).st_mode) and os.path.islink(link2) and
          open(plain).read() == "the clinic's note\n",
          "the pipe, the link and its target are as they were")
    # a backup never replaces a file (a mistyped name would lose it)
    r = e.run("backup", plain)
    check(r.returncode == 1 and "exists; a backup is never written over a file" in r.stderr and
          open(plain).read() == "the clinic's note\n",
          "backup over an existing file refused: %r" % r.stderr.strip())

    # a name that says another kind of output: an earlier report is kept
    pdf = os.path.join(e.tmp, "report.pdf")
    with open(pdf, "wb") as f:
        f.write(b"%PDF-1.4 the clinic's earlier report")
    pdf_sum = sha(pdf)
    for what, args in (("run --steps REPORT.pdf", ["run", "--sim", "--seconds", "3", "--headless",
                                                    "--audio-device", "null", "--quiet",
                                                    "--steps", pdf]),
                       ("replay --steps REPORT.pdf", ["replay", rec, "--speed", "max",
                                                      "--steps", pdf]),
                       ("analyze --steps REPORT.pdf", ["analyze", rec, "--steps", pdf])):
        r = e.run(*args)
        err = r.stderr.strip().splitlines()
        check(r.returncode != 0 and len(err) >= 1 and "the name is that of a PDF report" in err[-1]
              and "give a name ending in .csv" in err[-1],
              "%s refused in one sentence: %r" % (what, err[-1] if err else ""))
        check(sha(pdf) == pdf_sum, "%s: the report is unchanged" % what)
    r = e.run("sessions", "--patient", "F-1")
    n = len(re.findall(r"complete|stopped", r.stdout))
    check(n == 1, "still exactly one session stored (run --steps STORE stored none): %d" % n)
    check("x.out" not in os.listdir(e.tmp), "nothing written for --pdf X --csv X")

    # an input equal to the output, CSV case: the input stays whole
    src = os.path.join(e.tmp, "same.csv")
    r = e.run("analyze", rec, "--steps", src)
    check(r.returncode == 0, "analyze REC --steps same.csv")
    before = sha(src)
    r = e.run("analyze", src, "--steps", src)
    refused(r, src, "analyze same.csv --steps same.csv")
    check(sha(src) == before, "same.csv unchanged")

    # a folder that does not exist is refused, not created (a typo)
    out = os.path.join(e.tmp, "exports", "deep")
    r = e.run("report", "latest", "--pdf", os.path.join(out, "r.pdf"))
    check(r.returncode != 0 and "does not exist" in r.stderr and not os.path.exists(out),
          "report into a missing folder: refused (%s)" % r.stderr.strip()[-120:])
    # outputs that are allowed: whole and 0600, whatever the umask
    os.makedirs(out)
    r = e.run("report", "latest", "--pdf", os.path.join(out, "r.pdf"), "--csv",
              os.path.join(out, "r.csv"), "--json", os.path.join(out, "r.json"))
    check(r.returncode == 0, "report into a folder: %s" % r.stderr.strip())
    for f in ("r.pdf", "r.csv", "r.json"):
        p = os.path.join(out, f)
        check(os.path.exists(p) and mode(p) == 0o600, "%s is 0600" % f)
    left = [f for f in os.listdir(out) if f.startswith(".")]
    check(not left, "no temporary file left: %s" % left)
    r = e.run("analyze", rec, "--steps", os.path.join(out, "a.csv"), "--summary",
              os.path.join(out, "a.json"))
    check(r.returncode == 0 and mode(os.path.join(out, "a.csv")) == 0o600
          and mode(os.path.join(out, "a.json")) == 0o600, "analyze outputs 0600")
    r = e.run("replay", rec, "--speed", "max", "--quiet", "--steps", os.path.join(out, "p.csv"))
    check(r.returncode == 0 and mode(os.path.join(out, "p.csv")) == 0o600,
          "replay --steps output 0600")
    a_rows = open(os.path.join(out, "a.csv")).read().count("\n")
    p_rows = open(os.path.join(out, "p.csv")).read().count("\n")
    check(a_rows == p_rows and a_rows > 5, "replay and analyze wrote the same number of rows "
          "(%d, %d)" % (a_rows, p_rows))


LIVE = re.compile(r"t=\s*(\d+) s .* steps (\d+)")


def case_stream():
    e = Env()
    out = os.path.join(e.tmp, "live.csv")
    p = subprocess.Popen([STATION, "run", "--sim", "--headless", "--audio-device", "null",
                          "--seconds", "60", "--steps", out], env=e.env, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True, bufsize=1, cwd=e.tmp)
    live = []
    t_end = time.monotonic() + 40
    while time.monotonic() < t_end:
        line = p.stdout.readline()
        if not line:
            break
        m = LIVE.match(line)
        if m:
            live.append((int(m.group(1)), int(m.group(2))))
            if live[-1][0] >= 8:
                break
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    check(len(live) >= 8, "live lines before the kill: %d" % len(live))
    check(not os.path.exists(out), "OUT.csv does not exist after kill -9 (only complete files "
          "get the name)")
    part = out + ".partial"
    check(os.path.exists(part), "OUT.csv.partial kept")
    if not os.path.exists(part) or len(live) < 2:
        return
    rows = [l for l in open(part).read().splitlines() if l and l[0].isdigit()]
    n_prev = live[-2][1]
    n_last = live[-1][1]
    print("live: t=%d s steps %d (one second earlier %d); rows in .partial: %d"
          % (live[-1][0], n_last, n_prev, len(rows)))
    # synced at least every second: at most the last second (~3 steps at
    # 170 steps/min) missing; never more steps than completed by the kill
    check(len(rows) >= n_prev, "partial holds >= the steps of one second before the kill "
          "(%d >= %d)" % (len(rows), n_prev))
    check(len(rows) <= n_last + 4, "partial holds no more than completed (%d <= %d)"
          % (len(rows), n_last + 4))
    check(mode(part) == 0o600, "partial 0600: %o" % mode(part))
    # a new run does not silently overwrite what the interrupted one left
    r = e.session("--steps", out, seconds=2)
    check(r.returncode != 0 and ".partial exists" in r.stderr, "stale .partial: one sentence "
          "(%s)" % r.stderr.strip()[-160:])
    os.unlink(part)
    r = e.session("--steps", out, seconds=3)
    check(r.returncode == 0 and os.path.exists(out) and not os.path.exists(part),
          "clean run: OUT.csv complete, no .partial")


def case_signals():
    e = Env()
    check(e.run("patient", "add", "S-1").returncode == 0, "patient added")
    # "ctrl-c": the PT's Ctrl-C typed at the station's terminal (a pty:
    # the kernel sends SIGINT); the others are sent by another program
    for sig in (signal.SIGHUP, signal.SIGQUIT, signal.SIGTERM, signal.SIGINT, "ctrl-c"):
        tty = pty.openpty() if sig == "ctrl-c" else None

        def own_terminal():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        p = subprocess.Popen([STATION, "run", "--sim", "--headless", "--audio-device", "null",
                              "--seconds", "60", "--patient", "S-1"], env=e.env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, bufsize=1, cwd=e.tmp,
                             stdin=tty[1] if tty else None,
                             preexec_fn=own_terminal if tty else None)
        t_end = time.monotonic() + 30
        while time.monotonic() < t_end:
            line = p.stdout.readline()
            m = LIVE.match(line) if line else None
            if not line or (m and int(m.group(1)) >= 3):
                break
        if tty:
            os.write(tty[0], b"\x03")  # ^C on the station's own terminal
        else:
            os.kill(p.pid, sig)
        try:
            out, err = p.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        if tty:
            os.close(tty[0])
            os.close(tty[1])
        name = sig if tty else signal.Signals(sig).name
        check(p.returncode == 0, "%s: exit %d" % (name, p.returncode))
        check("summary:" in out, "%s: summary printed" % name)
        # a signal before the plan's end stops the session, stated with its
        # time and who sent it: Ctrl-C typed at the terminal is the PT; a
        # signal sent by another program (a shutdown, a closed terminal, a
        # kill -INT) is not
        by = "the PT \\(Ctrl-C\\)" if tty else \
            name + r" \(the system or another program, not the PT\)"
        check(re.search(r"session \d+ stored: .*stopped at 0:0\d by " + by, out) is not None,
              "%s: session stored, stopped by %s" % (name, by))
    r = e.run("sessions", "--patient", "S-1")
    check(r.stdout.count("stopped") == 5 and "interrupted" not in r.stdout,
          "five sessions stored as stopped, none interrupted")
    # each recording has its end marker (replay prints no interruption note)
    for f in sorted(os.listdir(e.recs)):
        if f.endswith(".gcrec"):
            r = e.run("replay", os.path.join(e.recs, f), "--speed", "max", "--quiet")
            check(r.returncode == 0 and "no end marker" not in r.stdout,
                  "%s has its end marker" % f)


def case_store():
    e = Env()
    check(e.run("patient", "add", "D-1", "--name", "Ann").returncode == 0, "patient added")
    # read-only for a while: the -shm made meanwhile keeps 0400
    r = e.run("patient", "list")
    os.chmod(e.db, 0o400)
    con = sqlite3.connect("file:%s?mode=ro" % e.db, uri=True)
    con.execute("SELECT COUNT(*) FROM patients").fetchall()
    shm = e.db + "-shm"
    if not os.path.exists(shm):
        open(shm, "wb").close()
    os.chmod(shm, 0o400)
    con.close()
    if os.path.exists(shm):
        os.chmod(shm, 0o400)
    os.chmod(e.db, 0o600)
    r = e.run("patient", "add", "D-2")
    check(r.returncode == 0, "store usable after a read-only -shm: %s" % r.stderr.strip())
    check(not os.path.exists(shm) or mode(shm) == 0o600, "-shm repaired to 0600")

    # backup: a usable copy, 0600; never over the store
    bk = os.path.join(e.data, "gaitcue", "backups", "b1.db")
    r = e.run("backup", bk)
    check(r.returncode == 0 and os.path.exists(bk), "station backup: %s" % r.stderr.strip())
    check(os.path.exists(bk) and mode(bk) == 0o600, "backup 0600")
    r = e.run("patient", "list", "--db", bk)
    check("D-1" in r.stdout and "D-2" in r.stdout, "backup holds both patients")
    before = sha(e.db)
    r = e.run("backup", e.db)
    refused(r, e.db, "backup over the store")
    r = e.run("backup", "--db", bk, bk)
    refused(r, bk, "backup --db X X")
    check(sha(e.db) == before, "store unchanged by refused backups")
    r = e.run("backup", "--help")
    check(r.returncode == 0 and "usage: station backup" in r.stdout, "backup --help")

    # damage the store: keep the header, overwrite the pages after the first
    with open(e.db, "r+b") as f:
        f.seek(4096)
        f.write(b"\xa5" * 8192)
    before = sha(e.db)
    r = e.run("patient", "add", "D-3")
    err = r.stderr.strip()
    check(r.returncode != 0, "patient add on a damaged store fails")
    check("damaged" in err and "backup" in err and "backups" in err,
          "the sentence says restore from the backup and where: %r" % err[-300:])
    check(sha(e.db) == before, "patient add wrote nothing into the damaged store")
    r = e.run("backup", os.path.join(e.tmp, "b2.db"))
    check(r.returncode != 0 and not os.path.exists(os.path.join(e.tmp, "b2.db")),
          "no backup of a damaged store")


def case_names():
    e = Env()
    r = e.run("patient", "add", "N-1", "--name", "Evil\x1b]0;pwned\x07\x1b[2J")
    check(r.returncode == 2 and "control characters" in r.stderr, "escape sequence refused")
    r = e.run("patient", "add", "N-2", "--name", "x" * 100000)
    check(r.returncode == 2 and "95 bytes" in r.stderr, "100,000-character name refused")
    r = e.run("patient", "add", "N-3", "--name", "y" * 95)
    check(r.returncode == 0, "95-byte name accepted")
    # a name stored by an older station is cleaned on output
    if os.path.exists(e.db):
        con = sqlite3.connect(e.db)
        con.execute("UPDATE patients SET name = ? WHERE code = 'N-3'", ("Bad\x1b[31mRed\x07",))
        con.commit()
        con.close()
    r = e.run("patient", "show", "N-3")
    check(r.returncode == 0 and "\x1b" not in r.stdout and "\x07" not in r.stdout
          and "Bad?[31mRed?" in r.stdout, "control characters shown as '?'")
    r = e.run("patient", "list")
    check("\x1b" not in r.stdout, "list: no escape reaches the terminal")

    # stations started in the same second into one data folder: all
    # record, distinct names (each its own runtime folder: one control
    # socket admits one station, a second on it is refused)
    args = [STATION, "run", "--sim", "--seconds", "2", "--headless", "--audio-device", "null",
            "--quiet"]
    envs = []
    for k in range(3):
        rt = os.path.join(e.tmp, "run-%d" % k)
        os.makedirs(rt, mode=0o700)
        envs.append(dict(e.env, XDG_RUNTIME_DIR=rt))
    ps = [subprocess.Popen(args, env=envs[k], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, cwd=e.tmp) for k in range(3)]
    outs = [p.communicate(timeout=60) for p in ps]
    codes = [p.returncode for p in ps]
    check(codes == [0, 0, 0], "three stations at once all succeed: %s %s"
          % (codes, [o[1].strip()[-200:] for o in outs]))
    recs = [f for f in os.listdir(e.recs) if f.endswith(".gcrec")]
    check(len(recs) == 3, "three distinct recordings: %s" % recs)


def case_ctl():
    e = Env()
    p = subprocess.Popen([STATION, "run", "--sim", "--headless", "--audio-device", "null",
                          "--seconds", "40"], env=e.env, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True, bufsize=1, cwd=e.tmp)
    try:
        sock = os.path.join(e.env["XDG_RUNTIME_DIR"], "gaitcue", "station.sock")
        t_end = time.monotonic() + 20
        while not os.path.exists(sock) and time.monotonic() < t_end:
            time.sleep(0.1)
        check(os.path.exists(sock), "control socket up")
        idle = []
        for _ in range(37):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(sock)
            idle.append(s)
        time.sleep(0.3)
        t0 = time.monotonic()
        r = e.run("ctl", "get", "status", timeout=20)
        dt = time.monotonic() - t0
        check(r.returncode == 0 and r.stdout.startswith("ok"), "ctl answered with 37 idle "
              "connections open: %r %r" % (r.stdout.strip()[:60], r.stderr.strip()))
        check(dt < 3.0, "answered in %.2f s (< 3 s)" % dt)
        # the evicted idle ones were told and closed
        closed = 0
        for s in idle:
            s.settimeout(0.2)
            try:
                d = s.recv(200)
                if not d or b"closed" in d:
                    closed += 1
            except OSError:
                pass
        check(closed >= 29, "idle connections closed to make room: %d of 37" % closed)
        for s in idle:
            s.close()
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            p.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()


CASES = {"outputs": case_outputs, "stream": case_stream, "signals": case_signals,
         "store": case_store, "names": case_names, "ctl": case_ctl}

if __name__ == "__main__":
    CASES[sys.argv[1]]()
    print("%d failure(s)" % failures)
    sys.exit(1 if failures else 0)
