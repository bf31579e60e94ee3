#!/usr/bin/env python3
"""bench_live.py - throughput and cost of the live acquisition path (label
bench).  Prints a markdown table for docs/acquisition.md:

  1. frame layer + decode + deck conversion on one core (bench_decode)
  2. live through a pty: gaitcue-sim --speed max -> station run (threads,
     analysis, recording), 1 hour of sensor time
  3. DSP path alone: station replay --speed max of that recording
  4. real time: station CPU use and latency at 1 kHz for 20 s

Only sanity checks are asserted (no frame lost, CPU measured); the figures
are reported, not bounded.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gclive as g  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid):
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / CLK_TCK  # utime + stime of the process


def main():
    d = tempfile.mkdtemp(prefix="gc-bench-")
    os.environ["XDG_DATA_HOME"] = os.path.join(d, "xdg")
    rows = []
    p, _ = g.run([os.path.join(g.binary_dir(), "tests", "live", "bench_decode")], timeout=120)
    if p.returncode != 0:
        p, _ = g.run([os.path.join(g.binary_dir(), "bench_decode")], timeout=120, check_rc=0)
    print(p.stdout)
    m = re.search(r"([\d.]+) frames/s, ([\d.]+) MB/s, (\d+)x", p.stdout)
    rows.append(("frame layer + SAMPLES decode + deck conversion (1 core)",
                 "%.0f frames/s, %s MB/s, %sx real time" % (float(m.group(1)), m.group(2),
                                                            m.group(3))))

    rec = os.path.join(d, "bench.gcrec")
    p, dt = g.run([g.station(), "run", "--sim", "--sim-speed", "max", "--seconds", "3600",
                   "--record", rec, "--quiet"], timeout=300, check_rc=0)
    s = g.parse_summary(p.stdout)
    g.check(s["lost"] == 0 and s["ring_drops"] == 0, "no frame lost at max speed")
    rows.append(("live via pty, sim at max speed, 1 h at 1 kHz, recording on",
                 "%.1f s wall: %.0f frames/s, %.0fx real time" % (dt, s["frames"] / dt,
                                                                   3600 / dt)))
    q, dt2 = g.run([g.station(), "replay", rec, "--speed", "max", "--quiet"], timeout=300,
                   check_rc=0)
    rows.append(("replay --speed max of that recording (reader + DSP + analysis)",
                 "%.1f s wall: %.0f frames/s, %.0fx real time" % (dt2, s["frames"] / dt2,
                                                                   3600 / dt2)))
    size = os.path.getsize(rec)
    rows.append(("recording size", "%.1f MB per hour at 1 kHz (%.1f kB/s)" %
                 (size / 1e6, size / 3600 / 1e3)))

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
    if lats:
        rows.append(("one-way latency (block's last sample -> host read), per-second medians",
                     "median %.2f ms, max %.2f ms" % (lats[len(lats) // 2], lats[-1])))
    print("\n| measurement | result |\n|---|---|")
    for k, v in rows:
        print("| %s | %s |" % (k, v))
    shutil.rmtree(d)


if __name__ == "__main__":
    main()
