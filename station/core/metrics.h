/*
 * metrics.h - per-step force metrics (DESIGN.md section 4, docs/analysis.md).
 *
 * All functions work on one stance: f[0..n-1] = low-passed vertical force
 * above the flight baseline (N), uniformly sampled at rate_hz, f[0] being
 * the first sample after initial contact (IC).  ic_offset_s = time from IC
 * to f[0] (0 .. 1 sample).  Times returned are relative to IC, seconds.
 *
 * Definitions:
 *   impact peak  the first local maximum after IC that lies within
 *                impact_window_s of IC, comes after a steep edge (a rise of
 *                at least impact_steep_n within impact_flat_s: a transient,
 *                not the slow loading of a walking heel), and is followed
 *                by an active peak:
 *                the force then rises again by at least impact_dip_n above
 *                the valley between them.  A local maximum is found where
 *                the force falls by impact_dip_n after it, or -- since a
 *                dip of a few newtons is lost in deck noise -- where the
 *                steep rising edge stops rising: less
 *                than impact_flat_n within impact_flat_s, at a force above
 *                impact_min_n.  Otherwise absent (never invented:
 *                mid/forefoot strikes rise smoothly to the active peak).
 *   active peak  the maximum after the valley that follows the impact peak;
 *                without an impact peak, the maximum of the stance.
 *   VALR         mean slope between the first crossings of 20 % and 80 % of
 *                the impact peak (interpolated), N/s (callers divide by BW).
 *   VILR         largest sample-to-sample slope from the sample pair that
 *                straddles 20 % to the pair that straddles 80 %, N/s.
 *   fallback     without an impact peak the same 20-80 % window is taken of
 *                the force at 13 % of stance (flag LR_FALLBACK): of the
 *                actual stance at toe-off (final), of the expected stance
 *                (recent contact times) for the early loading event.
 *
 * Streaming: metrics_impact_scan() is called as samples arrive and decides
 * the impact peak as early as possible (at the dip, without waiting for the
 * rise) so the loading cue is not late; metrics_stance() at toe-off applies
 * the full definition and is final.
 *
 * Pure, no allocation.  Thread: any (reentrant).
 */
#ifndef GC_METRICS_H
#define GC_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "gait.h"

struct metrics_cfg {
    double rate_hz;
    double impact_window_s; /* impact peak must lie within this time of IC */
    double impact_dip_n;    /* fall (and rise) that makes a local max a peak */
    double impact_flat_s;   /* interval of the flatness test */
    double impact_flat_n;   /* "stops rising": less than this over impact_flat_s */
    double impact_steep_n;  /* "was steep": at least this over impact_flat_s before */
    double impact_min_n;    /* no impact peak below this force */
    double fallback_frac;   /* no impact: 20-80 % of the force at this share of stance */
};

/* Defaults: window 70 ms, dip 25 N, flat 5 ms / 5 N, steep 50 N, min
 * 200 N, fallback 13 % of stance (docs/analysis.md says why). */
void metrics_cfg_default(struct metrics_cfg *c, double rate_hz);

enum metrics_scan { METRICS_UNDECIDED = 0, METRICS_IMPACT = 1, METRICS_NO_IMPACT = 2 };

/* Incremental scan state (zero it with metrics_scan_init for each stance);
 * each call continues where the last one stopped, so a stance costs O(n). */
struct metrics_scan_state {
    size_t pos;     /* samples already looked at */
    size_t im;      /* index of the running maximum */
    double maxrise; /* largest rise over impact_flat_s so far */
    int result;     /* enum metrics_scan once decided */
};
void metrics_scan_init(struct metrics_scan_state *s);

/* Early decision on the first n samples.  Returns METRICS_IMPACT with
 * *i_peak, METRICS_NO_IMPACT (no local max with the dip inside the window,
 * and the window is over), or METRICS_UNDECIDED (wait for more samples). */
int metrics_impact_scan(const struct metrics_cfg *c, struct metrics_scan_state *s, const float *f,
                        size_t n, double ic_offset_s, size_t *i_peak);

/* Loading rates over 20-80 % of `level` from the start of f.  Returns 0 and
 * sets *valr_n_s, *vilr_n_s; -1 when f never reaches 80 % of level. */
int metrics_loading(const float *f, size_t n, double rate_hz, double level, double *valr_n_s,
                    double *vilr_n_s);

struct stance_metrics {
    bool impact;
    double impact_n, t_impact_s; /* NAN when absent */
    double valr_n_s, vilr_n_s;   /* NAN if it cannot be measured */
    bool lr_fallback;
    double active_n, t_active_s;
    bool gap_loading; /* metrics_stance_gap: impact presence unknown (gap in its window) */
};

/* Full stance at toe-off (final values); contact_s = IC to TO. */
void metrics_stance(const struct metrics_cfg *c, const float *f, size_t n, double ic_offset_s,
                    double contact_s, struct stance_metrics *out);

/* The same on a stance with missing data (a short gap): f[0..n_obs) are
 * data, f[n_obs..n) hold the gap (and not-data samples after it) and are
 * never read.  A result is kept only when the definition above decides it
 * on f[0..n_obs) alone, i.e. equals what the whole stance would give:
 *   - impact peak (value, time) and VALR/VILR: when the scan found the peak
 *     and the rise after its valley inside the prefix;
 *   - "no impact peak": when the scan decided it inside the prefix; the
 *     fallback VALR/VILR then also need the 13 %-of-stance level and the
 *     80 % crossing inside the prefix, else NAN;
 *   - otherwise impact presence is unknown: gap_loading = true, impact,
 *     VALR, VILR NAN (impact = false, lr_fallback = false);
 *   - active peak: always NAN (the gap could hide the maximum).
 * With n_obs >= n this is metrics_stance. */
void metrics_stance_gap(const struct metrics_cfg *c, const float *f, size_t n, size_t n_obs,
                        double ic_offset_s, double contact_s, struct stance_metrics *out);

/* Loading part only, as soon as it can be known: decision of
 * metrics_impact_scan plus metrics_loading; expected_contact_s sizes the
 * fallback window.  Returns the scan result; when decided, *out has
 * impact/valr/vilr/lr_fallback set (active peak NAN). */
int metrics_loading_early(const struct metrics_cfg *c, struct metrics_scan_state *s, const float *f,
                          size_t n, double ic_offset_s, double expected_contact_s,
                          struct stance_metrics *out);

/* Per-side summary of a list of steps. */
struct metrics_side {
    unsigned steps;
    double contact_ms, flight_ms, step_ms; /* means over steps that have them */
    double valr_bw_s, vilr_bw_s;           /* means */
    double impact_share; /* steps with an impact peak / steps whose impact presence is known
                            (not GAIT_STEP_GAP_LOADING) */
    double active_peak_bw, impact_peak_bw; /* means (impact over steps that have one) */
};
struct metrics_summary {
    unsigned steps;
    struct metrics_side all, left, right;
    /* Symmetry index 100 * (L - R) / ((L + R) / 2), %; NAN if a side lacks data. */
    double si_contact_pct, si_step_pct, si_valr_pct, si_active_pct;
};
void metrics_summarize(const struct gait_step *steps, size_t n, struct metrics_summary *out);

/* Symmetry index as above. */
double metrics_symmetry_pct(double left, double right);

#endif
