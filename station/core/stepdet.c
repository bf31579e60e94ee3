/* stepdet.c - contact hysteresis and flight baseline (see stepdet.h). */
#include "stepdet.h"

#include <math.h>
#include <string.h>

#include "gc_error.h"
#include "stats.h"

#define MASK (STEPDET_HIST - 1u)

int stepdet_init(struct stepdet *sd, double detect_n, double time_n, double rate_hz,
                 bool track_baseline)
{
    if (!sd || !(time_n < detect_n) || !(rate_hz >= 1.0 && rate_hz <= 100000.0))
        return GC_ERR_ARG;
    memset(sd, 0, sizeof *sd);
    sd->detect_n = detect_n;
    sd->time_n = time_n;
    sd->rate_hz = rate_hz;
    sd->track_baseline = track_baseline;
    baseline_init(&sd->base);
    return GC_OK;
}

void stepdet_reset(struct stepdet *sd)
{
    sd->armed = false;
    sd->on = false;
    sd->have_off = false;
    sd->bad_left = 0;
    sd->after_bad = false;
}

void stepdet_gap(struct stepdet *sd, uint32_t settle_n)
{
    sd->bad_left = settle_n > 0 ? settle_n : 1;
}

void stepdet_abort(struct stepdet *sd)
{
    sd->on = false;
    sd->armed = false;
    sd->have_off = false;
}

/* Median of the flight that ends at sample index `end` (exclusive): robust
 * to the ringing and pre-ringing of upstream filters near the edges. */
static void update_baseline(struct stepdet *sd, uint64_t end)
{
    uint64_t guard = (uint64_t)ceil(STEPDET_GUARD_S * sd->rate_hz);
    if (!sd->have_off) {
        /* First contact: the flight is what came since the force first
         * went below the timing level. */
        sd->off_idx = sd->arm_idx;
    }
    if (end < sd->off_idx + 2 * guard)
        return;
    uint64_t a = sd->off_idx + guard, b = end - guard;
    if (sd->n - a > STEPDET_HIST - 1)
        a = sd->n - (STEPDET_HIST - 1);
    if (b <= a || b - a < 3)
        return;
    size_t m = 0;
    for (uint64_t i = a; i < b; i++)
        if (!sd->bad[i & MASK])
            sd->scratch[m++] = sd->y[i & MASK];
    if (m < 3)
        return;
    /* k = m / 2: the upper middle value of an even count, as ever. */
    baseline_flight(&sd->base, stats_select_f(sd->scratch, m, m / 2));
}

double stepdet_extrapolate(double level, double slope_per_s)
{
    if (!(level > 0.0) || slope_per_s == 0.0 || !isfinite(slope_per_s))
        return 0.0;
    double share = slope_per_s > 0.0 ? STEPDET_TANGENT_SHARE : STEPDET_TANGENT_SHARE_TO;
    double dt = -share * level / slope_per_s;
    if (dt > STEPDET_MAX_EXTRAP_S)
        dt = STEPDET_MAX_EXTRAP_S;
    if (dt < -STEPDET_MAX_EXTRAP_S)
        dt = -STEPDET_MAX_EXTRAP_S;
    return dt;
}

/* Last sample index j < k with y[j] <= level, searching back at most the
 * history; returns the interpolated crossing time between j and j+1 and
 * the slope there (*slope, per s).  *hidden is set when the search reaches
 * a sample that is not data (a short gap): the crossing was not observed. */
static double look_back(const struct stepdet *sd, uint64_t k, double level, uint64_t *j_out,
                        double *slope, bool *hidden)
{
    *slope = 0.0;
    *hidden = false;
    uint64_t lim = k > STEPDET_HIST - 2 ? k - (STEPDET_HIST - 2) : 0;
    uint64_t j = k, jmin = k;
    double ymin = sd->y[k & MASK];
    while (j > lim) {
        j--;
        if (sd->bad[j & MASK]) {
            *hidden = true;
            *j_out = j + 1;
            return sd->t[(j + 1) & MASK];
        }
        double y0 = sd->y[j & MASK], y1 = sd->y[(j + 1) & MASK];
        if (y0 <= level) {
            double fr = y1 > y0 ? (level - y0) / (y1 - y0) : 0.0;
            double t0 = sd->t[j & MASK], t1 = sd->t[(j + 1) & MASK];
            if (t1 > t0)
                *slope = (y1 - y0) / (t1 - t0);
            *j_out = j + 1;
            return t0 + fr * (t1 - t0);
        }
        if (y0 < ymin) {
            ymin = y0;
            jmin = j;
        } else if (y0 > ymin + STEPDET_FOOT_N) {
            /* The edge's foot lies above the level (a hum or drift crest
             * under it): the contact starts at the foot, not at an earlier
             * crossing on the other side of the crest. */
            *j_out = jmin;
            return sd->t[jmin & MASK];
        }
    }
    *j_out = lim;
    return sd->t[lim & MASK];
}

int stepdet_push(struct stepdet *sd, double t_s, double y, double *t_cross_s)
{
    uint64_t k = sd->n;
    sd->y[k & MASK] = (float)y;
    sd->t[k & MASK] = t_s;
    sd->n++;
    if (sd->bad_left > 0) {
        /* Not data (settling after a short gap): no event, no baseline. */
        sd->bad[k & MASK] = 1;
        sd->bad_left--;
        sd->after_bad = true;
        return STEPDET_NONE;
    }
    sd->bad[k & MASK] = 0;
    if (sd->track_baseline && !sd->base.from_flight)
        baseline_observe(&sd->base, t_s, y);
    double base = stepdet_baseline(sd);
    if (sd->after_bad) {
        /* First sample of data after a short gap: was an edge hidden? */
        sd->after_bad = false;
        bool above = y - base >= sd->time_n;
        if (sd->on && !above) {
            /* The toe-off lies in the gap: the contact ends unobserved. */
            sd->on = false;
            sd->armed = true;
            sd->off_idx = k;
            sd->have_off = true;
            sd->flight_measured = false;
            return sd->silent ? STEPDET_NONE : STEPDET_LOST;
        }
        if (!sd->on && above && sd->armed) {
            /* The initial contact lies in the gap: follow it silently. */
            sd->on = true;
            sd->silent = true;
            sd->t_on = t_s;
            return STEPDET_LOST;
        }
    }
    if (!sd->on) {
        if (y - base < sd->time_n) {
            if (!sd->armed)
                sd->arm_idx = k;
            sd->armed = true;
            return STEPDET_NONE;
        }
        if (!sd->armed || y - base <= sd->detect_n)
            return STEPDET_NONE;
        if (sd->track_baseline && !sd->flight_measured) {
            /* Re-measure the baseline on the flight that just ended, then
             * time the contact against the new level. */
            uint64_t j;
            double sl;
            bool hid;
            (void)look_back(sd, k, base + sd->time_n, &j, &sl, &hid);
            update_baseline(sd, j);
            sd->flight_measured = true;
            base = stepdet_baseline(sd);
            if (y - base <= sd->detect_n)
                return STEPDET_NONE;
        }
        uint64_t j;
        double sl;
        bool hid;
        *t_cross_s = look_back(sd, k, base + sd->time_n, &j, &sl, &hid);
        sd->t_thr_s = *t_cross_s;
        *t_cross_s += stepdet_extrapolate(sd->time_n, sl);
        sd->on = true;
        sd->t_on = *t_cross_s;
        if (hid) {
            /* The rising edge reaches back into a short gap. */
            sd->silent = true;
            return STEPDET_LOST;
        }
        /* A first contact with less than a guard of flight before it may
         * have begun before the data: follow it silently. */
        sd->silent =
            !sd->have_off && *t_cross_s - sd->t[sd->arm_idx & MASK] < STEPDET_FIRST_FLIGHT_S;
        return sd->silent ? STEPDET_NONE : STEPDET_ON;
    }
    double level = base + sd->time_n;
    double yp = k > 0 ? sd->y[(k - 1) & MASK] : y;
    double tp = k > 0 ? sd->t[(k - 1) & MASK] : t_s;
    double ypp = k > 1 ? sd->y[(k - 2) & MASK] : yp;
    if (y >= level) {
        /* The falling edge turned up again below the detection level
         * without reaching the timing level (a crest of hum or drift under
         * the toe-off): the foot left at that turn.  Without this, two
         * contacts separated by a short flight on a noisy deck would merge. */
        bool seen = !(k > 0 && sd->bad[(k - 1) & MASK]) && !(k > 1 && sd->bad[(k - 2) & MASK]);
        if (seen && y > yp && yp <= ypp && yp - base < sd->detect_n &&
            tp - sd->t_on >= STEPDET_MIN_ON_S) {
            *t_cross_s = tp;
            sd->t_thr_s = tp;
            sd->on = false;
            sd->armed = true;
            sd->off_idx = k - 1;
            sd->have_off = true;
            sd->flight_measured = false;
            return sd->silent ? STEPDET_NONE : STEPDET_OFF;
        }
        return STEPDET_NONE;
    }
    double fr = yp > y ? (yp - level) / (yp - y) : 1.0;
    if (fr < 0.0)
        fr = 0.0;
    *t_cross_s = tp + fr * (t_s - tp);
    sd->t_thr_s = *t_cross_s;
    if (t_s > tp)
        *t_cross_s += stepdet_extrapolate(sd->time_n, (y - yp) / (t_s - tp));
    sd->on = false;
    sd->armed = true;
    sd->off_idx = k;
    sd->have_off = true;
    sd->flight_measured = false;
    return sd->silent ? STEPDET_NONE : STEPDET_OFF;
}
