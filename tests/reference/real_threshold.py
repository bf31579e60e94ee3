#!/usr/bin/env python3
"""Contact, flight and step times at the force threshold (issue 17, item 3)
against an independent threshold implementation, on every real recording.

`station analyze` reports contact_ms, flight_ms and step_ms between the
plain crossings of baseline + threshold (default 20 N; docs/analysis.md,
"Threshold times").  The independent implementation is reference.py
(numpy + scipy: zero-phase filtfilt, per-flight median baseline
interpolated in time, vectorised crossings) with its tangent shares set to
zero, so its IC and TO are the plain crossings of the same level on a
differently filtered signal.  Steps are matched by initial contact
(60 ms) over the span where both had data.

Asserted: the median |difference| over all matched steps of all files
<= 2 ms (the issue's bound) for contact, flight and step times; the same
per file for the unfiltered 300 Hz recording (Fukuchi, where issue 17
measured the extrapolated toe-off 10.5 ms late); every other file's median
<= 6 ms: a few Alcantara trials carry the upstream filter's pre-ringing
bump of ~20-23 N right before the rise (docs/analysis.md section 8), where
a 20 N crossing is ill-defined by several ms whatever the method (printed
per file).  Every file's threshold column states the level asked for; at
least 99 % of the reference steps are matched.  With --threshold N both
sides use N.

Printed, not asserted: how much longer the onset-based (extrapolated)
contact is than the threshold one (contact_ext_ms - contact_ms), the
difference issue 17 reports on the 300 Hz recording.

usage: real_threshold.py BIN_DIR DATA_DIR [--threshold N]
"""
import glob
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import reference  # noqa: E402
from steps_compare import load, match  # noqa: E402


def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__)
        return 2
    bindir, datadir = args[0], args[1]
    level = float(args[args.index("--threshold") + 1]) if "--threshold" in args else 20.0
    files = sorted(f for f in glob.glob(os.path.join(datadir, "real", "*.csv"))
                   if not f.endswith("_sides.csv"))
    if not files:
        print("SKIP: no real recordings under", os.path.join(datadir, "real"))
        return 77
    # The independent implementation at the plain crossings of the level.
    reference.IC_SHARE = 0.0
    reference.TO_SHARE = 0.0
    reference.TIME_N = level
    failures = []
    worst = {"contact": 0.0, "flight": 0.0, "step": 0.0}
    pooled = {"contact": [], "flight": [], "step": []}
    ext_extra = []
    with tempfile.TemporaryDirectory() as tmp:
        for f in files:
            name = os.path.basename(f)[:-4]
            det_path = os.path.join(tmp, name + "_det.csv")
            ref_path = os.path.join(tmp, name + "_ref.csv")
            cmd = [os.path.join(bindir, "station"), "analyze", f, "--steps", det_path, "--quiet"]
            if "--threshold" in args:
                cmd += ["--threshold", str(level)]
            subprocess.run(cmd, check=True)
            reference.run(f, ref_path)
            d, r = load(det_path), load(ref_path)
            if any(abs(num(x["threshold_n"]) - level) > 1e-9 for x in d):
                failures.append("%s: threshold_n column is not %g" % (name, level))
            t0 = max(num(d[0]["t_ic_s"]), num(r[0]["t_ic_s"])) - 0.030
            t1 = min(num(d[-1]["t_ic_s"]), num(r[-1]["t_ic_s"])) + 0.030
            dd = [x for x in d if t0 <= num(x["t_ic_thr_s"]) <= t1]
            rr = [x for x in r if t0 <= num(x["t_ic_s"]) <= t1]
            # Match on the threshold crossings of both.
            dm = [dict(x, t_ic_s=x["t_ic_thr_s"]) for x in dd]
            pairs = match(dm, rr, 0.060)
            res = {}
            for key in ("contact", "flight", "step"):
                diffs = [abs(num(dd[i][key + "_ms"]) - num(rr[j][key + "_ms"])) for i, j in pairs
                         if num(dd[i][key + "_ms"]) == num(dd[i][key + "_ms"]) and
                         num(rr[j][key + "_ms"]) == num(rr[j][key + "_ms"])]
                pooled[key] += diffs
                res[key] = statistics.median(diffs) if diffs else float("nan")
                bound = 2.0 if name.startswith("fukuchi") else 6.0
                if not res[key] <= bound:
                    failures.append("%s: median |%s time difference| %.2f ms > %g ms (%d pairs)"
                                    % (name, key, res[key], bound, len(diffs)))
                worst[key] = max(worst[key], res[key]) if res[key] == res[key] else worst[key]
            extra = statistics.median([num(x["contact_ext_ms"]) - num(x["contact_ms"])
                                       for x in dd])
            ext_extra.append(extra)
            print("%-24s %3d/%3d matched  median |diff| contact %.2f  flight %.2f  step %.2f ms"
                  "   onset contact longer by %.1f ms" % (
                      name, len(pairs), len(rr), res["contact"], res["flight"], res["step"],
                      extra))
            if len(pairs) < 0.99 * len(rr):
                failures.append("%s: only %d of %d reference steps matched" %
                                (name, len(pairs), len(rr)))
    for key in ("contact", "flight", "step"):
        v = sorted(pooled[key])
        med = statistics.median(v) if v else float("nan")
        print("all files, %s time: %d steps, median |diff| %.2f ms, 90th percentile %.2f ms" % (
            key, len(v), med, v[int(0.9 * (len(v) - 1))] if v else float("nan")))
        if not med <= 2.0:
            failures.append("all files: median |%s time difference| %.2f ms > 2 ms" % (key, med))
    print("threshold %g N, %d files: worst median |diff| contact %.2f, flight %.2f, step %.2f ms;"
          " onset-based contact longer by %.1f-%.1f ms (median per file)" % (
              level, len(files), worst["contact"], worst["flight"], worst["step"],
              min(ext_extra), max(ext_extra)))
    for fl in failures:
        print("FAIL:", fl)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
