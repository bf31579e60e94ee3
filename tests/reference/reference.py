#!/usr/bin/env python3
"""Independent offline reference for the gait analysis (numpy + scipy only).

Reads a canonical force CSV and writes a steps CSV (DESIGN.md section 5) for
running recordings, computed the careful offline way -- with the whole
signal at hand, no streaming, no causal filter:

  * zero-phase low-pass: 2nd-order Butterworth at 50 Hz run forwards and
    backwards (scipy.signal.filtfilt), so no delay to correct;
  * flight baseline: the median of each flight's interior (contacts found
    first on a robust global level), linearly interpolated in time between
    flights, so drift is followed;
  * contacts: force above baseline + 50 N; IC/TO where it crosses
    baseline + 20 N (linear interpolation), moved along the tangent at the
    crossing towards the baseline: half of it for IC, all of it for TO (the
    definition in docs/analysis.md);
  * steps: contacts of 80 ms or more reaching 150 N; the first one needs
    50 ms of flight in the data before its IC (else it may have begun
    before the data);
  * impact peak: first local maximum within 70 ms of IC after a steep edge
    (>= 50 N per 5 ms), found as the first sample where the force falls by
    25 N from its running maximum or where the 5 ms rise drops below 5 N,
    and followed by a rise of 25 N from the valley after it; active peak:
    maximum after that valley (or of the whole stance);
  * VALR/VILR over 20-80 % of the impact peak, or of the force at 13 % of
    stance without one.

It shares definitions with the C pipeline (docs/analysis.md), not code: it
is a separate implementation on a differently filtered signal, which is what
the agreement tests measure.  Walking (double support) is outside its scope.

usage: reference.py INPUT.csv OUTPUT_steps.csv [--mass KG]
"""
import argparse
import math
import sys

import numpy as np
from scipy.signal import butter, filtfilt

G = 9.80665
DETECT_N = 50.0
TIME_N = 20.0
MIN_CONTACT_S = 0.080
MIN_PEAK_N = 150.0
IMPACT_WINDOW_S = 0.070
DIP_N = 25.0
FLAT_S = 0.005
FLAT_N = 5.0
STEEP_N = 50.0
IMPACT_MIN_N = 200.0
FALLBACK_FRAC = 0.13
IC_SHARE = 0.5
TO_SHARE = 1.0
MAX_EXTRAP_S = 0.010
GUARD_S = 0.010
FOOT_N = 5.0
FIRST_FLIGHT_S = 0.050


def read_csv(path):
    """(meta, t, fz): comments, header, then only the columns needed, read by
    numpy's C parser (an hour at 1 kHz fits in memory this way)."""
    meta = {}
    skip = 0
    with open(path) as fh:
        for line in fh:
            skip += 1
            if line.startswith("#"):
                body = line[1:].strip()
                if "=" in body:
                    k, v = body.split("=", 1)
                    meta[k.strip()] = v.strip()
                continue
            header = [h.strip() for h in line.strip().split(",")]
            break
    if "fz_n" in header:
        cols = [header.index("t_s"), header.index("fz_n")]
    else:
        cols = [header.index("t_s")] + [header.index("fz%d_n" % i) for i in range(1, 5)]
    a = np.loadtxt(path, delimiter=",", skiprows=skip, usecols=cols, ndmin=2)
    fz = a[:, 1] if a.shape[1] == 2 else a[:, 1:].sum(axis=1)
    return meta, a[:, 0], fz


def crossings(y, level, rising):
    if rising:
        return np.nonzero((y[:-1] <= level[:-1]) & (y[1:] > level[1:]))[0]
    return np.nonzero((y[:-1] >= level[:-1]) & (y[1:] < level[1:]))[0]


def baseline_track(y, t, rate):
    """Median of each flight interior, interpolated in time."""
    lo = np.percentile(y, 2.0)
    guess = np.full_like(y, lo)
    for it in range(3):
        # flight: below the timing level (first pass: the detection level
        # above the 2nd percentile, to find the flights at all)
        on = y > guess + (DETECT_N if it == 0 else TIME_N)
        # flights: runs of not-on, interior only
        centres, levels = [], []
        g = int(math.ceil(GUARD_S * rate))
        off = np.concatenate(([0], (~on).astype(np.int8), [0]))
        edges = np.flatnonzero(np.diff(off))
        runs = zip(edges[0::2], edges[1::2])  # [start, end) of each flight
        for a, b in runs:
            a2, b2 = a + g, b - g
            if b2 - a2 >= 3:
                seg = y[a2:b2]
                seg = seg[seg < np.median(seg) + DETECT_N]
                centres.append(0.5 * (t[a2] + t[b2 - 1]))
                levels.append(np.median(seg))
        if not centres:
            break
        guess = np.interp(t, centres, levels)
    return guess


def loading(f, rate, level):
    if not level > 0:
        return math.nan, math.nan
    l20, l80 = 0.2 * level, 0.8 * level
    a = np.nonzero(f >= l20)[0]
    b = np.nonzero(f >= l80)[0]
    if len(a) == 0 or len(b) == 0:
        return math.nan, math.nan
    i20, i80 = a[0], b[0]

    def cross(i, lv):
        if i == 0:
            return 0.0
        return (i - 1) + (lv - f[i - 1]) / (f[i] - f[i - 1])
    t20, t80 = cross(i20, l20), cross(i80, l80)
    lo = max(i20 - 1, 0)
    slopes = np.diff(f[lo:i80 + 1]) * rate
    vilr = float(slopes.max()) if len(slopes) else math.nan
    valr = (l80 - l20) / (t80 - t20) * rate if t80 > t20 else vilr
    return valr, vilr


def stance_metrics(f, rate, ic_off, contact_s):
    """f: force above baseline from the first sample after IC."""
    n = len(f)
    h = max(1, int(round(FLAT_S * rate)))
    iw = (IMPACT_WINDOW_S - ic_off) * rate
    rise = np.full(n, np.nan)
    rise[h:] = f[h:] - f[:-h]
    runmax_idx = np.zeros(n, dtype=int)
    for i in range(1, n):
        runmax_idx[i] = i if f[i] > f[runmax_idx[i - 1]] else runmax_idx[i - 1]
    maxrise_before = np.concatenate(([0.0], np.fmax.accumulate(np.nan_to_num(rise, nan=0.0))[:-1]))
    cand = None
    for i in range(1, n):
        im = runmax_idx[i]
        if f[i] <= f[im] - DIP_N:
            if im <= iw and maxrise_before[i] >= STEEP_N:
                cand = im
            break
        if i >= h and maxrise_before[i] >= STEEP_N and rise[i] < FLAT_N and \
                f[im] >= IMPACT_MIN_N and im <= iw:
            cand = im
            break
        if im > iw:
            break
    impact = False
    start = 0
    if cand is not None:
        vmin, iv = f[cand], cand
        for i in range(cand + 1, n):
            if f[i] < vmin:
                vmin, iv = f[i], i
            elif f[i] >= vmin + DIP_N:
                impact, start = True, iv
                break
    ia = start + int(np.argmax(f[start:]))
    res = {"active_n": float(f[ia]), "impact": impact}
    if impact:
        res["impact_n"] = float(f[cand])
        res["t_impact_rel"] = ic_off + cand / rate
        res["valr"], res["vilr"] = loading(f[:cand + 1], rate, f[cand])
    else:
        x = (FALLBACK_FRAC * contact_s - ic_off) * rate
        i = int(max(0, math.floor(x)))
        lv = f[i] + (x - i) * (f[i + 1] - f[i]) if i + 1 < n else f[-1]
        res["valr"], res["vilr"] = loading(f, rate, lv)
    return res


def analyse(t, fz, rate, bw):
    b, a = butter(2, 50.0 / (rate / 2.0))
    y = filtfilt(b, a, fz)
    base = baseline_track(y, t, rate)
    rel = y - base
    dt = 1.0 / rate
    below_idx = np.flatnonzero(rel < TIME_N)
    on_idx = np.flatnonzero(rel > DETECT_N)
    steps = []
    k = 0
    n = len(y)
    while k < n:
        # next detection after a sample below the timing level
        p = np.searchsorted(below_idx, k)
        if p == len(below_idx):
            break
        k0 = below_idx[p]
        q = np.searchsorted(on_idx, k0)
        if q == len(on_idx):
            break
        kd = on_idx[q]
        # IC: last crossing of TIME_N before kd on the rising edge, which
        # ends (going back) at a minimum with FOOT_N of rise before it
        j = kd - 1
        jmin = j
        while j > 0 and rel[j] > TIME_N:
            if rel[j] < rel[jmin]:
                jmin = j
            elif rel[j] > rel[jmin] + FOOT_N:
                break
            j -= 1
        if rel[j] > TIME_N:
            t_ic = t[jmin]
        else:
            fr = (TIME_N - rel[j]) / (rel[j + 1] - rel[j])
            tc = t[j] + fr * dt
            s = (rel[j + 1] - rel[j]) / dt
            t_ic = tc - min(IC_SHARE * TIME_N / s, MAX_EXTRAP_S)
        # TO: first fall below TIME_N after kd (or a turn below DETECT_N)
        m = kd + 1
        t_to = None
        while m < n:
            if rel[m] < TIME_N:
                fr = (rel[m - 1] - TIME_N) / (rel[m - 1] - rel[m])
                tc = t[m - 1] + fr * dt
                s = (rel[m] - rel[m - 1]) / dt
                t_to = tc + min(TO_SHARE * TIME_N / -s, MAX_EXTRAP_S)
                break
            if rel[m] > rel[m - 1] and rel[m - 1] <= rel[m - 2] and \
                    rel[m - 1] < DETECT_N and t[m - 1] - t_ic >= MIN_CONTACT_S:
                t_to = t[m - 1]
                break
            m += 1
        if t_to is None:
            break
        k = m
        i0 = int(np.searchsorted(t, t_ic, side="right"))
        i1 = int(np.searchsorted(t, t_to, side="right"))
        f = rel[i0:i1]
        contact = t_to - t_ic
        if contact < MIN_CONTACT_S or len(f) == 0 or f.max() < MIN_PEAK_N:
            continue
        if not steps and below_idx.size and t_ic - t[below_idx[0]] < FIRST_FLIGHT_S:
            continue  # too little flight seen before it: may have begun before the data
        sm = stance_metrics(f, rate, t[i0] - t_ic, contact)
        steps.append({"t_ic_s": t_ic, "t_to_s": t_to, "contact_ms": 1e3 * contact, **sm})
    out = []
    for i, s in enumerate(steps):
        row = {"index": i, "side": "", "t_ic_s": s["t_ic_s"], "t_to_s": s["t_to_s"],
               "contact_ms": s["contact_ms"]}
        if i > 0:
            st = s["t_ic_s"] - steps[i - 1]["t_ic_s"]
            row["step_ms"] = 1e3 * st
            row["cadence_spm"] = 60.0 / st
            row["flight_ms"] = 1e3 * (s["t_ic_s"] - steps[i - 1]["t_to_s"])
        row["impact_peak_n"] = s.get("impact_n", math.nan)
        row["impact_peak_bw"] = row["impact_peak_n"] / bw
        row["t_impact_s"] = s["t_ic_s"] + s["t_impact_rel"] if s["impact"] else math.nan
        row["valr_bw_s"] = s["valr"] / bw
        row["vilr_bw_s"] = s["vilr"] / bw
        row["active_peak_n"] = s["active_n"]
        row["active_peak_bw"] = s["active_n"] / bw
        out.append(row)
    return out


COLS = ["index", "side", "t_ic_s", "t_to_s", "contact_ms", "flight_ms", "step_ms", "cadence_spm",
        "impact_peak_n", "impact_peak_bw", "t_impact_s", "valr_bw_s", "vilr_bw_s",
        "active_peak_n", "active_peak_bw"]


def write(path, rows):
    with open(path, "w") as fh:
        fh.write(",".join(COLS) + "\n")
        for r in rows:
            vals = []
            for c in COLS:
                v = r.get(c, math.nan)
                if isinstance(v, str):
                    vals.append(v)
                elif isinstance(v, int):
                    vals.append(str(v))
                elif v is None or (isinstance(v, float) and math.isnan(v)):
                    vals.append("")
                else:
                    vals.append("%.6f" % v)
            fh.write(",".join(vals) + "\n")


def run(input_path, output_path, mass=0.0):
    meta, t, fz = read_csv(input_path)
    rate = float(meta.get("rate_hz", 0)) or 1.0 / np.median(np.diff(t))
    mass = mass or float(meta.get("mass_kg", 0) or 0)
    rows = analyse(t, fz, rate, 1.0)
    if mass > 0:
        bw = mass * G
    else:
        # mean force above baseline over whole steps (first to last IC)
        b, aa = butter(2, 50.0 / (rate / 2.0))
        y = filtfilt(b, aa, fz)
        base = baseline_track(y, t, rate)
        i0 = np.searchsorted(t, rows[0]["t_ic_s"])
        i1 = np.searchsorted(t, rows[-1]["t_ic_s"])
        bw = float(np.mean((y - base)[i0:i1]))
    for r in rows:
        for k in ("impact_peak_bw", "valr_bw_s", "vilr_bw_s", "active_peak_bw"):
            r[k] = r[k] / bw
    write(output_path, rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--mass", type=float, default=0.0)
    a = ap.parse_args()
    run(a.input, a.output, a.mass)
    return 0


if __name__ == "__main__":
    sys.exit(main())
