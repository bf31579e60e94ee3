#!/usr/bin/env python3
"""bench_live.py - throughput and cost of the live acquisition path (label
bench).  Prints a markdown table for docs/acquisition.md:

  1. frame layer + decode + deck conversion on one core (bench_decode)
  2. live through a pty: gaitcue-sim --speed max -> station run (threads,
     analysis, recording), 1 hour of sensor time
  3. DSP path alone: station replay --speed max of that recording
  4. real time: station CPU use and latency at 1 kHz for 20 s

Asserted: no frame lost, CPU measured, and every figure within its bound
(BOUNDS below; exit 1 when one is past it, after the whole table is
printed).  Each bound says where it comes from: a DESIGN.md goal where one
exists, else a regression bound at 80 % of the lowest figure measured on
the 2-core development VM while other engineers were building
(docs/acquisition.md section 10).  The decode figure of step 1 is bound by
bench_decode itself.
"""
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
import gclive as g  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")

BOUNDS = {
    # The two max-speed runs are judged on CPU time (user + sys of the
    # station and its simulator): their wall time on a shared 2-core
    # machine moved by 40 % with the load of other builds alone.
    # live through a pty at max speed, sensor seconds per CPU second of
    # station + simulator: no goal (real time is 1x); 80 % of the lowest
    # measured, 385x (385-507x)
    "live_x_cpu": 300.0,
    # replay --speed max, sensor seconds per CPU second: the DSP path; 80 %
    # of the lowest measured, 4,905x (4,905-6,688x)
    "replay_x_cpu": 3900.0,
    # recording, MB per hour at 1 kHz: the format's size (99.2 MB/h) + 5 %
    "rec_mb_h": 104.0,
    # CPU of the station process in real time, % of one core: the DESIGN.md
    # goal (live CPU <= 5 % of one core excluding rendering)
    "cpu_pct": 5.0,
    # per-second median of block's last sample -> host read, ms: 2 ms is a
    # tenth of the 20 ms audible-cue budget (DESIGN.md 7), 10x the quiet
    # figure (0.1-0.2 ms)
    "lat_median_ms": 2.0,
}
FAILED = []


def children_cpu_s():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_cpu(args, timeout):
    """g.run (rc 0 required) + CPU seconds of the child and its waited-for
    descendants (the simulator station spawns)."""
    c0 = children_cpu_s()
    p, dt = g.run(args, timeout=timeout, check_rc=0)
    return p, dt, children_cpu_s() - c0


def bound(what, value, limit, le):
    ok = value <= limit if le else value >= limit
    print("bound: %s %.2f (%s %.2f): %s" % (what, value, "<=" if le else ">=", limit,
                                           "met" if ok else "NOT met"))
    if not ok:
        FAILED.append(what)


def cpu_s(pid):
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / CLK_TCK  # utime + stime of the process


def main():
    d = tempfile.mkdtemp(prefix="gc-bench-")
    os.environ["XDG_DATA_HOME"] = os.path.join(d, "xdg")
    rows = []
    # bench_decode judges its own figure (its own ctest): here it is a row
    p, _ = g.run([os.path.join(g.binary_dir(), "tests", "station", "app", "bench_decode")], timeout=120)
    print(p.stdout)
    m = re.search(r"([\d.]+) frames/s, ([\d.]+) MB/s, (\d+)x", p.stdout)
    g.check(m is not None, "bench_decode printed its figure")
    rows.append(("frame layer + SAMPLES decode + deck conversion (1 core)",
                 "%.0f frames/s, %s MB/s, %sx real time" % (float(m.group(1)), m.group(2),
                                                            m.group(3))))

    rec = os.path.join(d, "bench.gcrec")
    p, dt, cpu1 = run_cpu([g.station(), "run", "--sim", "--sim-speed", "max", "--seconds",
                           "3600", "--record", rec, "--quiet"], timeout=300)
    s = g.parse_summary(p.stdout)
    g.check(s["lost"] == 0 and s["ring_drops"] == 0, "no frame lost at max speed")
    rows.append(("live via pty, sim at max speed, 1 h at 1 kHz, recording on",
                 "%.1f s wall: %.0f frames/s, %.0fx real time; CPU (station + simulator) "
                 "%.1f s: %.0fx" % (dt, s["frames"] / dt, 3600 / dt, cpu1, 3600 / cpu1)))
    bound("live via pty, x real time per CPU second", 3600 / cpu1, BOUNDS["live_x_cpu"],
          le=False)
    q, dt2, cpu2 = run_cpu([g.station(), "replay", rec, "--speed", "max", "--quiet"],
                           timeout=300)
    rows.append(("replay --speed max of that recording (reader + DSP + analysis)",
                 "%.1f s wall: %.0f frames/s, %.0fx real time; CPU %.2f s: %.0fx" %
                 (dt2, s["frames"] / dt2, 3600 / dt2, cpu2, 3600 / cpu2)))
    bound("replay --speed max, x real time per CPU second", 3600 / cpu2,
          BOUNDS["replay_x_cpu"], le=False)
    size = os.path.getsize(rec)
    rows.append(("recording size", "%.1f MB per hour at 1 kHz (%.1f kB/s)" %
                 (size / 1e6, size / 3600 / 1e3)))
    bound("recording, MB per hour", size / 1e6, BOUNDS["rec_mb_h"], le=True)

    st = subprocess.Popen([g.station(), "run", "--sim", "--seconds", "20", "--record",
                           os.path.join(d, "rt.gcrec")], stdout=subprocess.PIPE, text=True)
    cpu = 0.0
    t0 = time.monotonic()
    while st.poll() is None:
        try:
            cpu = cpu_s(st.pid)
        except OSError:
            pass
        time.sleep(0.2)
    wall = time.monotonic() - t0
    out = st.stdout.read()
    lats = [float(x) for x in re.findall(r"lat ([\d.]+) ms", out)]
    lats.sort()
    g.check(cpu > 0, "CPU time measured")
    rows.append(("real time, 1 kHz, 20 s (station process, without the simulator)",
                 "CPU %.2f s = %.1f %% of one core" % (cpu, 100 * cpu / wall)))
    bound("live CPU, % of one core", 100 * cpu / wall, BOUNDS["cpu_pct"], le=True)
    g.check(len(lats) > 0, "latency lines printed")
    rows.append(("one-way latency (block's last sample -> host read), per-second medians",
                 "median %.2f ms, max %.2f ms" % (lats[len(lats) // 2], lats[-1])))
    bound("one-way latency, median of per-second medians, ms", lats[len(lats) // 2],
          BOUNDS["lat_median_ms"], le=True)
    print("\n| measurement | result |\n|---|---|")
    for k, v in rows:
        print("| %s | %s |" % (k, v))
    shutil.rmtree(d)
    if FAILED:
        g.fail("past the bound: " + "; ".join(FAILED))


if __name__ == "__main__":
    main()
