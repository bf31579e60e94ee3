"""gcstation.py - what the station's end-to-end scripts share.

The binaries of the build under test (GC_BINARY_DIR, set by ctest), a
private environment per test (its own data folder, HOME and runtime folder,
no display unless asked), running `station` and `station ctl`, reading
`ctl get status`, and checks that print one line each and collect the
failures.  The scripts stay readable top to bottom; only this plumbing is
shared.
"""
import os
import subprocess
import sys
import tempfile
import time

BIN = os.path.join(os.environ.get("GC_BINARY_DIR", "build"), "bin")
SRC = os.environ.get("GC_SOURCE_DIR",
                     os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
STATION = os.path.join(BIN, "station")
SIM = os.path.join(BIN, "gaitcue-sim")
PROXY = os.path.join(BIN, "gc_fault_proxy")

failures = []
STARTED = []  # stations a test started (Popen): main kills them whatever happened


def check(cond, what):
    """Prints 'ok' or 'FAIL' and the check; a failure is kept for exit_code."""
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)
    return cond


def exit_code():
    """0 when every check passed, else 1 after listing the failures."""
    if failures:
        print("%d check(s) failed:" % len(failures))
        for f in failures:
            print("  " + f)
        return 1
    print("all checks passed")
    return 0


def main(cases, default, prefix):
    """Runs the case named by the first argument (default when none) in a
    new temporary folder (prefix), kills every process in STARTED still
    running, also after an exception, and exits with exit_code()."""
    case = sys.argv[1] if len(sys.argv) > 1 else default
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        try:
            cases[case](tmp)
        finally:
            for p in STARTED:  # an exception must not leave a station running
                if p.poll() is None:
                    p.kill()
                    p.wait()
    sys.exit(exit_code())


def env_for(tmp, runtime_dir=True, video=None):
    """The environment of a test's station: data folder and HOME in tmp.

    runtime_dir: True gives the station its own control-socket folder in
    tmp; False keeps the one ctest gave the test (one per test).  video: an
    SDL video driver to force, or None for no display at all.
    """
    env = dict(os.environ)
    env.update(XDG_DATA_HOME=os.path.join(tmp, "data"), HOME=tmp)
    if runtime_dir or "XDG_RUNTIME_DIR" not in env:
        env["XDG_RUNTIME_DIR"] = os.path.join(tmp, "rt")
    os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
    for k in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"):
        env.pop(k, None)
    if video:
        env["SDL_VIDEODRIVER"] = video
    return env


def run(env, *args, timeout=60, cwd=None):
    """station ARGS to the end: (exit status, stdout, stderr)."""
    p = subprocess.run([STATION, *args], env=env, capture_output=True, text=True,
                       timeout=timeout, cwd=cwd)
    return p.returncode, p.stdout, p.stderr


def start_web(env, *args):
    """station ARGS started in the background (kept in STARTED), its output
    read until the line 'web console: URL' (30 s at most): (the process,
    URL or None, the lines read)."""
    p = subprocess.Popen([STATION, *args], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    STARTED.append(p)
    url, lines = None, []
    end = time.monotonic() + 30
    while time.monotonic() < end:
        line = p.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("web console: "):
            url = line.split(": ", 1)[1].strip()
            break
    return p, url, lines


def ctl(env, *args):
    """station ctl ARGS: (exit status, the reply and any message, stripped)."""
    rc, out, err = run(env, "ctl", *args, timeout=10)
    return rc, (out + err).strip()


def status(env):
    """ctl get status as a dict of its key=value fields ({} when no station)."""
    _, out = ctl(env, "get", "status")
    return dict(tok.split("=", 1) for tok in out.split() if "=" in tok)


def wait_for(pred, limit_s, step_s=0.1):
    """Polls pred() until it returns something true; that value, or None."""
    end = time.monotonic() + limit_s
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step_s)
    return None


def wait_session_time(env, t_s, limit_s=120):
    """Waits until the session clock (ctl get status t=) reaches t_s; the
    clock then, or None."""
    def reached():
        st = status(env)
        return float(st["t"]) if "t" in st and float(st["t"]) >= t_s else None
    return wait_for(reached, limit_s)


def pdf_text(path):
    """The text of a PDF, page layout kept (pdftotext -layout)."""
    return subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True,
                          text=True, timeout=60).stdout
