#!/usr/bin/env python3
"""Compare two steps CSVs (detected vs truth or reference) step by step.

Steps are matched one-to-one by initial contact: each truth step takes the
nearest unmatched detected step whose IC lies within --tol-ms (default 60 ms,
a quarter of the shortest step time of interest, so neighbours cannot be
confused).  Prints a JSON object with the figures; used by the accuracy tests
and by docs/analysis.md.  Standard library only.
"""
import csv
import json
import math
import statistics
import sys


def num(v):
    try:
        return float(v) if v not in ("", None) else math.nan
    except ValueError:
        return math.nan


def load(path):
    with open(path, newline="") as fh:
        rows = [r for r in csv.reader(fh) if r and not r[0].startswith("#")]
    hdr = rows[0]
    out = []
    for r in rows[1:]:
        d = dict(zip(hdr, r))
        out.append(d)
    return out


def match(det, ref, tol_s):
    """Greedy nearest matching in time order: list of (i_det, i_ref)."""
    td = [num(d["t_ic_s"]) for d in det]
    tr = [num(r["t_ic_s"]) for r in ref]
    pairs = []
    used = set()
    j0 = 0
    for i, t in enumerate(tr):
        best, bj = tol_s, None
        while j0 < len(td) and td[j0] < t - tol_s:
            j0 += 1
        j = j0
        while j < len(td) and td[j] <= t + tol_s:
            if j not in used and abs(td[j] - t) <= best:
                best, bj = abs(td[j] - t), j
            j += 1
        if bj is not None:
            used.add(bj)
            pairs.append((bj, i))
    return pairs


def compare(det, ref, tol_s=0.060, t_min=-math.inf, t_max=math.inf):
    ref = [r for r in ref if t_min <= num(r["t_ic_s"]) <= t_max]
    det = [d for d in det if t_min - tol_s <= num(d["t_ic_s"]) <= t_max + tol_s]
    pairs = match(det, ref, tol_s)
    tp = len(pairs)
    matched = set(i for i, _ in pairs)
    # Unmatched detections just outside the window are not false positives.
    fp = sum(1 for i, d in enumerate(det)
             if i not in matched and t_min <= num(d["t_ic_s"]) <= t_max)
    fn = len(ref) - tp
    f1 = 2 * tp / (2 * tp + fp + fn) if (tp + fp + fn) else 1.0
    ic = [num(det[i]["t_ic_s"]) - num(ref[j]["t_ic_s"]) for i, j in pairs]
    to = [num(det[i]["t_to_s"]) - num(ref[j]["t_to_s"]) for i, j in pairs
          if "t_to_s" in ref[j] and not math.isnan(num(ref[j]["t_to_s"]))]
    res = {
        "ref_steps": len(ref), "det_steps": len(det), "tp": tp, "fp": fp, "fn": fn,
        "f1": f1,
        "ic_err_median_ms": 1e3 * statistics.median([abs(e) for e in ic]) if ic else math.nan,
        "ic_bias_ms": 1e3 * statistics.median(ic) if ic else math.nan,
        "ic_err_max_ms": 1e3 * max(abs(e) for e in ic) if ic else math.nan,
        "to_err_median_ms": 1e3 * statistics.median([abs(e) for e in to]) if to else math.nan,
    }
    sides = [(det[i].get("side", ""), ref[j].get("side", "")) for i, j in pairs
             if ref[j].get("side", "") in ("L", "R")]
    res["side_n"] = len(sides)
    res["side_agree"] = (sum(1 for a, b in sides if a == b) / len(sides)) if sides else math.nan
    both = [(det[i], ref[j]) for i, j in pairs]
    imp = [(not math.isnan(num(d.get("impact_peak_n"))),
            not math.isnan(num(r.get("impact_peak_n")))) for d, r in both]
    res["impact_agree"] = (sum(1 for a, b in imp if a == b) / len(imp)) if imp else math.nan
    res["impact_ref_share"] = (sum(1 for a, b in imp if b) / len(imp)) if imp else math.nan
    res["impact_det_share"] = (sum(1 for a, b in imp if a) / len(imp)) if imp else math.nan

    def rel(key):
        v = [abs(num(d[key]) / num(r[key]) - 1.0) for d, r in both
             if key in r and num(r[key]) > 0 and not math.isnan(num(d.get(key)))]
        return statistics.median(v) if v else math.nan

    def rel_max(key):
        v = [abs(num(d[key]) / num(r[key]) - 1.0) for d, r in both
             if key in r and num(r[key]) > 0 and not math.isnan(num(d.get(key)))]
        return max(v) if v else math.nan

    res["active_rel_err_median"] = rel("active_peak_n")
    res["active_rel_err_max"] = rel_max("active_peak_n")
    res["impact_rel_err_median"] = rel("impact_peak_n")
    res["valr_rel_err_median"] = rel("valr_bw_s")
    res["contact_err_median_ms"] = statistics.median(
        [abs(num(d["contact_ms"]) - num(r["contact_ms"])) for d, r in both
         if not math.isnan(num(r.get("contact_ms")))]) if both else math.nan
    cd = [num(d["cadence_spm"]) for d in det if not math.isnan(num(d["cadence_spm"]))]
    cr = [num(r["cadence_spm"]) for r in ref if not math.isnan(num(r["cadence_spm"]))]
    res["cadence_det_spm"] = statistics.median(cd) if cd else math.nan
    res["cadence_ref_spm"] = statistics.median(cr) if cr else math.nan
    res["cadence_err_spm"] = abs(res["cadence_det_spm"] - res["cadence_ref_spm"])
    # Cadence over the recording: 60 / slope of a straight line fitted to
    # the matched ICs against their step number (every step counts, none
    # dominates; a missed step would show as a break, but F1 covers that).
    if len(pairs) >= 3:
        def fit(ts):
            n = len(ts)
            xm = (n - 1) / 2.0
            ym = sum(ts) / n
            sxy = sum((k - xm) * (y - ym) for k, y in enumerate(ts))
            sxx = sum((k - xm) ** 2 for k in range(n))
            return 60.0 / (sxy / sxx)
        res["cadence_span_det_spm"] = fit([num(det[i]["t_ic_s"]) for i, _ in pairs])
        res["cadence_span_ref_spm"] = fit([num(ref[j]["t_ic_s"]) for _, j in pairs])
        res["cadence_span_err_spm"] = abs(res["cadence_span_det_spm"] - res["cadence_span_ref_spm"])
    else:
        res["cadence_span_err_spm"] = math.nan
    return res


def main():
    import argparse
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("detected")
    ap.add_argument("reference")
    ap.add_argument("--tol-ms", type=float, default=60.0)
    a = ap.parse_args()
    r = compare(load(a.detected), load(a.reference), a.tol_ms / 1e3)
    json.dump(r, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
