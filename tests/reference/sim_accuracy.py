#!/usr/bin/env python3
"""Accuracy of `station analyze` against gaitcue-sim ground truth.

For each scenario: gaitcue-sim writes a canonical CSV and the true steps;
`station analyze` measures the CSV; steps_compare matches the steps.
Asserted (issue 5, "Done when"):
  step F1 = 1.0, median |IC error| <= 1 sample, side 100 %,
  impact peak present exactly where the model has one (agreement 100 %).
The model's default noise and drift (4 N, 10 N) apply unless a scenario
says otherwise; "-noisy" scenarios double the noise and triple the drift:
F1, side and impact are asserted there too, the IC median is reported.
Steps whose contact is cut by the start or end of the recording are
excluded (1 s margin at the end: the truth lists a contact only once its
force has returned to zero).

usage: sim_accuracy.py BIN_DIR [--quick] [--only A,B] [--noise N] [--json OUT]
Standard library only (the comparison is steps_compare.py).
"""
import json
import math
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from steps_compare import compare, load  # noqa: E402

# name, seconds, extra gaitcue-sim arguments
SCENARIOS = [
    ("run-rear-170", 60, ["--profile", "run", "--strike", "rear", "--cadence", "170", "--seed", "1"]),
    ("run-fore-170", 60, ["--profile", "run", "--strike", "fore", "--cadence", "170", "--seed", "2"]),
    ("run-rear-150", 60, ["--profile", "run", "--strike", "rear", "--cadence", "150", "--seed", "3"]),
    ("run-fore-185", 60, ["--profile", "run", "--strike", "fore", "--cadence", "185", "--seed", "4"]),
    # twice the default noise, three times the default drift
    ("run-rear-160-noisy", 60, ["--profile", "run", "--strike", "rear", "--cadence", "160",
                                "--seed", "5", "--noise", "8", "--drift", "30"]),
    ("run-fore-178-noisy", 60, ["--profile", "run", "--strike", "fore", "--cadence", "178",
                                "--seed", "6", "--noise", "8", "--drift", "30"]),
    ("walk-110", 60, ["--profile", "walk", "--cadence", "110", "--seed", "7"]),
    ("walk-80", 60, ["--profile", "walk", "--cadence", "80", "--seed", "10"]),
    ("walk-95-noisy", 60, ["--profile", "walk", "--cadence", "95", "--seed", "8", "--noise", "8",
                           "--drift", "30"]),
    ("intervals", 120, ["--profile", "intervals", "--intervals", "20,25,2", "--seed", "9"]),
]

RATE_HZ = 1000.0


def run_one(bindir, tmp, name, seconds, extra):
    csv = os.path.join(tmp, name + ".csv")
    truth = os.path.join(tmp, name + "_truth.csv")
    steps = os.path.join(tmp, name + "_steps.csv")
    subprocess.run([os.path.join(bindir, "gaitcue-sim"), "--csv", csv, "--truth", truth,
                    "--seconds", str(seconds)] + extra, check=True)
    subprocess.run([os.path.join(bindir, "station"), "analyze", csv, "--steps", steps,
                    "--quiet"], check=True)
    r = compare(load(steps), load(truth), 0.060, t_min=0.0, t_max=seconds - 1.0)
    return r


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    bindir = args[0]
    quick = "--quick" in args
    out_json = args[args.index("--json") + 1] if "--json" in args else None
    only = args[args.index("--only") + 1].split(",") if "--only" in args else None
    if "--noise" in args:  # stress run: every scenario with this noise (docs)
        nz = args[args.index("--noise") + 1]
        for _, _, extra in SCENARIOS:
            if "--noise" in extra:
                extra[extra.index("--noise") + 1] = nz
            else:
                extra += ["--noise", nz]
    failures = []
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, seconds, extra in SCENARIOS:
            if quick and name not in ("run-rear-170", "walk-110"):
                continue
            if only and name not in only:
                continue
            r = run_one(bindir, tmp, name, seconds, extra)
            results[name] = r
            print("%-20s steps %4d F1 %.4f  IC |err| median %.3f ms (max %.2f)  side %.4f  "
                  "impact agree %.4f (model %.2f, found %.2f)  active %.2f%%  VALR %.1f%%  "
                  "contact %.1f ms  cadence %.2f/%.2f" % (
                      name, r["ref_steps"], r["f1"], r["ic_err_median_ms"], r["ic_err_max_ms"],
                      r["side_agree"], r["impact_agree"], r["impact_ref_share"],
                      r["impact_det_share"], 100 * r["active_rel_err_median"],
                      100 * r["valr_rel_err_median"], r["contact_err_median_ms"],
                      r["cadence_det_spm"], r["cadence_ref_spm"]))
            # Tolerances (issue 5): exact step count, IC within one sample at
            # 1 kHz (median), every side right, impact presence as modelled.
            if r["f1"] != 1.0:
                failures.append("%s: step F1 %.4f != 1" % (name, r["f1"]))
            # IC within one sample at the simulator's default noise and
            # drift (4 N, 10 N); the "-noisy" stress runs (8 N, 30 N) are
            # measured and reported (docs/analysis.md), their IC median not
            # asserted: walking IC there is ~1.2 ms (COP noise).
            if not name.endswith("-noisy") and not (r["ic_err_median_ms"] <= 1000.0 / RATE_HZ):
                failures.append("%s: median IC error %.3f ms > 1 sample" %
                                (name, r["ic_err_median_ms"]))
            if r["side_agree"] != 1.0:
                failures.append("%s: side agreement %.4f != 1" % (name, r["side_agree"]))
            if not math.isnan(r["impact_agree"]) and r["impact_agree"] != 1.0:
                failures.append("%s: impact presence agreement %.4f != 1" %
                                (name, r["impact_agree"]))
    if out_json:
        with open(out_json, "w") as fh:
            json.dump(results, fh, indent=1)
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
