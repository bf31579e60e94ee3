#!/usr/bin/env python3
"""Accuracy of `station analyze` on every real recording in data/real/
against the independent offline reference (reference.py), and the side
labels of fukuchi_rbds0041_t25 against its foot markers.

Steps are compared from the later of the two first ICs to the earlier of
the two last ones (a contact cut by the start or end of the data is a
boundary convention, not a detection).  Asserted per file (DESIGN.md
section 7, issue 5):
  step F1 >= 0.99; median |IC difference| <= 3 ms; cadence within
  0.5 steps/min (60 / slope of a line fitted to the matched ICs against
  step number: every step counts, none dominates);
  active peak within 3 % on every matched step; side >= 98 % against the
  marker-derived labels.

usage: real_accuracy.py BIN_DIR DATA_DIR [--json OUT] [--python PY]
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from steps_compare import compare, load, match  # noqa: E402


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__)
        return 2
    bindir, datadir = args[0], args[1]
    out_json = args[args.index("--json") + 1] if "--json" in args else None
    py = args[args.index("--python") + 1] if "--python" in args else sys.executable
    # The reference runs in this interpreter when it can (one scipy import).
    try:
        import reference  # noqa: F401
        in_process = True
    except ImportError:
        in_process = False
    files = sorted(f for f in glob.glob(os.path.join(datadir, "real", "*.csv"))
                   if not f.endswith("_sides.csv"))
    if in_process:
        import reference  # noqa: F811
    if not files:
        print("no real recordings found under", datadir)
        return 1
    failures, results = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for f in files:
            name = os.path.basename(f)[:-4]
            det = os.path.join(tmp, name + "_det.csv")
            ref = os.path.join(tmp, name + "_ref.csv")
            subprocess.run([os.path.join(bindir, "station"), "analyze", f, "--steps", det,
                            "--quiet"], check=True)
            if in_process:
                reference.run(f, ref)
            else:
                subprocess.run([py, os.path.join(HERE, "reference.py"), f, ref], check=True)
            d, r = load(det), load(ref)
            # Compared where both had data to measure: from the later of the
            # two first ICs to the earlier of the two last ones.  Whether the
            # first contact of a recording has enough flight before it (or
            # the last one its toe-off) is a boundary convention, and two
            # differently filtered signals can fall on either side of it.
            t0 = max(float(d[0]["t_ic_s"]), float(r[0]["t_ic_s"])) - 0.030 if d and r else 0.0
            t1 = min(float(d[-1]["t_ic_s"]), float(r[-1]["t_ic_s"])) + 0.030 if d and r else 1e9
            res = compare(d, r, 0.060, t_min=t0, t_max=t1)
            sides = f[:-4] + "_sides.csv"
            if os.path.exists(sides):
                lab = load(sides)
                pairs = match(d, lab, 0.080)
                ok = sum(1 for i, j in pairs if d[i]["side"] == lab[j]["side"])
                res["side_vs_markers"] = ok / len(lab)
                res["side_labels"] = len(lab)
            results[name] = res
            print("%-24s steps %3d/%3d F1 %.4f  IC |diff| median %.2f ms  cadence %.2f "
                  "(diff %.3f)  active max %.2f%%  impact agree %.2f  VALR median %.1f%%%s" % (
                      name, res["det_steps"], res["ref_steps"], res["f1"],
                      res["ic_err_median_ms"], res["cadence_span_det_spm"],
                      res["cadence_span_err_spm"], 100 * res["active_rel_err_max"],
                      res["impact_agree"], 100 * res["valr_rel_err_median"],
                      ("  side %.4f" % res["side_vs_markers"]) if "side_vs_markers" in res
                      else ""))
            # Tolerances: DESIGN.md section 7 / issue 5.
            if not res["f1"] >= 0.99:
                failures.append("%s: step F1 %.4f < 0.99" % (name, res["f1"]))
            if not res["ic_err_median_ms"] <= 3.0:
                failures.append("%s: median IC difference %.2f ms > 3" %
                                (name, res["ic_err_median_ms"]))
            if not res["cadence_span_err_spm"] <= 0.5:
                failures.append("%s: cadence differs by %.3f steps/min > 0.5" %
                                (name, res["cadence_span_err_spm"]))
            if not res["active_rel_err_max"] <= 0.03:
                failures.append("%s: active peak differs by %.2f %% > 3 %%" %
                                (name, 100 * res["active_rel_err_max"]))
            if "side_vs_markers" in res and not res["side_vs_markers"] >= 0.98:
                failures.append("%s: side agreement with markers %.4f < 0.98" %
                                (name, res["side_vs_markers"]))
    if out_json:
        with open(out_json, "w") as fh:
            json.dump(results, fh, indent=1)
    for fl in failures:
        print("FAIL:", fl)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
