/* metrics.c - per-step force metrics (definitions in metrics.h). */
#include "metrics.h"

#include <math.h>
#include <string.h>

/* 70 ms: impact peaks of rearfoot running lie 20-55 ms after IC (real data
 * in data/real: medians 24-50 ms), active peaks of running 90-130 ms, the
 * first hump of walking later still.  25 N: about 3 % of body weight and
 * several times the noise left after the 50 Hz low-pass.  Flatness: 5 N in
 * 5 ms is a slope of 1 kN/s (~1.4 BW/s), 2 % of a typical loading rate;
 * deck noise after the low-pass moves a 5 ms difference by 2-4 N.  Steep:
 * 50 N in 5 ms = 10 kN/s, below every running impact edge and above a
 * walking heel's loading (which has no impact transient to find).  200 N:
 * the toe of every contact is slow; an impact peak is well above it.
 * 13 % of stance: the usual stand-in for the impact time of rearfoot
 * running when there is no impact peak. */
void metrics_cfg_default(struct metrics_cfg *c, double rate_hz)
{
    c->rate_hz = rate_hz;
    c->impact_window_s = 0.070;
    c->impact_dip_n = 25.0;
    c->impact_flat_s = 0.005;
    c->impact_flat_n = 5.0;
    c->impact_steep_n = 50.0;
    c->impact_min_n = 200.0;
    c->fallback_frac = 0.13;
}

static double window_index(const struct metrics_cfg *c, double ic_offset_s)
{
    return (c->impact_window_s - ic_offset_s) * c->rate_hz;
}

void metrics_scan_init(struct metrics_scan_state *s)
{
    s->pos = 0;
    s->im = 0;
    s->maxrise = 0.0;
    s->result = METRICS_UNDECIDED;
}

int metrics_impact_scan(const struct metrics_cfg *c, struct metrics_scan_state *s, const float *f,
                        size_t n, double ic_offset_s, size_t *i_peak)
{
    if (s->result != METRICS_UNDECIDED) {
        *i_peak = s->im;
        return s->result;
    }
    if (n == 0)
        return METRICS_UNDECIDED;
    double iw = window_index(c, ic_offset_s);
    size_t h = (size_t)fmax(1.0, floor(c->impact_flat_s * c->rate_hz + 0.5));
    size_t i = s->pos ? s->pos : 1;
    for (; i < n; i++) {
        if (f[i] > f[s->im]) {
            s->im = i;
        } else if (f[i] <= f[s->im] - c->impact_dip_n) {
            /* A local max; an impact peak only after a steep edge (a
             * walking heel loads too slowly to make a transient). */
            s->pos = i + 1;
            s->result = (double)s->im <= iw && s->maxrise >= c->impact_steep_n ? METRICS_IMPACT
                                                                               : METRICS_NO_IMPACT;
            *i_peak = s->im;
            return s->result;
        }
        if (i >= h) {
            double rise = (double)f[i] - f[i - h];
            if (s->maxrise >= c->impact_steep_n && rise < c->impact_flat_n &&
                f[s->im] >= c->impact_min_n && (double)s->im <= iw) {
                /* The steep edge stopped rising: an impact peak whose dip
                 * may be smaller than the noise. */
                s->pos = i + 1;
                s->result = METRICS_IMPACT;
                *i_peak = s->im;
                return s->result;
            }
            if (rise > s->maxrise)
                s->maxrise = rise;
        }
    }
    s->pos = n;
    /* Still undecided: once the running maximum lies past the window no
     * local max inside the window can be confirmed any more. */
    if ((double)s->im > iw) {
        s->result = METRICS_NO_IMPACT;
        *i_peak = s->im;
    }
    return s->result;
}

static double cross_index(const float *f, size_t i, double level)
{
    if (i == 0)
        return 0.0;
    double a = f[i - 1], b = f[i];
    return b > a ? (double)(i - 1) + (level - a) / (b - a) : (double)i;
}

int metrics_loading(const float *f, size_t n, double rate_hz, double level, double *valr_n_s,
                    double *vilr_n_s)
{
    if (!(level > 0.0) || n == 0)
        return -1;
    double l20 = 0.2 * level, l80 = 0.8 * level;
    size_t i20 = n, i80 = n;
    for (size_t i = 0; i < n; i++) {
        if (i20 == n && f[i] >= l20)
            i20 = i;
        if (f[i] >= l80) {
            i80 = i;
            break;
        }
    }
    if (i80 == n || i20 == n)
        return -1;
    double t20 = cross_index(f, i20, l20), t80 = cross_index(f, i80, l80);
    size_t a = i20 > 0 ? i20 - 1 : 0;
    double vmax = -INFINITY;
    for (size_t i = a; i + 1 <= i80 && i + 1 < n; i++) {
        double s = ((double)f[i + 1] - f[i]) * rate_hz;
        if (s > vmax)
            vmax = s;
    }
    if (t80 - t20 > 1e-9)
        *valr_n_s = (l80 - l20) / (t80 - t20) * rate_hz;
    else
        *valr_n_s = vmax;
    *vilr_n_s = vmax;
    return 0;
}

static void fallback_loading(const struct metrics_cfg *c, const float *f, size_t n,
                             double ic_offset_s, double contact_s, struct stance_metrics *out)
{
    double iw = (c->fallback_frac * contact_s - ic_offset_s) * c->rate_hz;
    size_t i = iw <= 0.0 ? 0 : (size_t)floor(iw);
    double level;
    if (i + 1 < n) {
        double fr = iw - (double)i;
        if (fr < 0.0)
            fr = 0.0;
        level = f[i] + fr * ((double)f[i + 1] - f[i]);
    } else {
        level = f[n - 1];
    }
    out->lr_fallback = true;
    if (metrics_loading(f, n, c->rate_hz, level, &out->valr_n_s, &out->vilr_n_s) < 0)
        out->valr_n_s = out->vilr_n_s = NAN;
}

int metrics_loading_early(const struct metrics_cfg *c, struct metrics_scan_state *s, const float *f,
                          size_t n, double ic_offset_s, double expected_contact_s,
                          struct stance_metrics *out)
{
    size_t ip = 0;
    int r = metrics_impact_scan(c, s, f, n, ic_offset_s, &ip);
    if (r == METRICS_UNDECIDED)
        return r;
    out->active_n = out->t_active_s = NAN;
    if (r == METRICS_IMPACT) {
        out->impact = true;
        out->impact_n = f[ip];
        out->t_impact_s = ic_offset_s + (double)ip / c->rate_hz;
        out->lr_fallback = false;
        if (metrics_loading(f, ip + 1, c->rate_hz, f[ip], &out->valr_n_s, &out->vilr_n_s) < 0)
            out->valr_n_s = out->vilr_n_s = NAN;
    } else {
        out->impact = false;
        out->impact_n = out->t_impact_s = NAN;
        fallback_loading(c, f, n, ic_offset_s, expected_contact_s, out);
    }
    return r;
}

void metrics_stance(const struct metrics_cfg *c, const float *f, size_t n, double ic_offset_s,
                    double contact_s, struct stance_metrics *out)
{
    out->impact = false;
    out->impact_n = out->t_impact_s = NAN;
    out->valr_n_s = out->vilr_n_s = NAN;
    out->lr_fallback = false;
    out->active_n = out->t_active_s = NAN;
    out->gap_loading = false;
    if (n == 0)
        return;
    size_t ip = 0, from = 0;
    struct metrics_scan_state st;
    metrics_scan_init(&st);
    if (metrics_impact_scan(c, &st, f, n, ic_offset_s, &ip) == METRICS_IMPACT) {
        /* Valley: the running minimum after the peak, confirmed by a rise of
         * impact_dip_n above it.  No rise: the peak was the active peak. */
        double vmin = f[ip];
        size_t iv = ip;
        for (size_t i = ip + 1; i < n; i++) {
            if (f[i] < vmin) {
                vmin = f[i];
                iv = i;
            } else if (f[i] >= vmin + c->impact_dip_n) {
                out->impact = true;
                from = iv;
                break;
            }
        }
    }
    size_t ia = from;
    for (size_t i = from; i < n; i++)
        if (f[i] > f[ia])
            ia = i;
    out->active_n = f[ia];
    out->t_active_s = ic_offset_s + (double)ia / c->rate_hz;
    if (out->impact) {
        out->impact_n = f[ip];
        out->t_impact_s = ic_offset_s + (double)ip / c->rate_hz;
        if (metrics_loading(f, ip + 1, c->rate_hz, f[ip], &out->valr_n_s, &out->vilr_n_s) < 0)
            out->valr_n_s = out->vilr_n_s = NAN;
    } else {
        fallback_loading(c, f, n, ic_offset_s, contact_s, out);
    }
}

void metrics_stance_gap(const struct metrics_cfg *c, const float *f, size_t n, size_t n_obs,
                        double ic_offset_s, double contact_s, struct stance_metrics *out)
{
    if (n_obs >= n) {
        metrics_stance(c, f, n, ic_offset_s, contact_s, out);
        return;
    }
    out->impact = false;
    out->impact_n = out->t_impact_s = NAN;
    out->valr_n_s = out->vilr_n_s = NAN;
    out->lr_fallback = false;
    out->active_n = out->t_active_s = NAN;
    out->gap_loading = true;
    if (n_obs < 2)
        return;
    /* The scan is incremental: what it decides on the prefix it would
     * decide on the whole stance. */
    size_t ip = 0;
    struct metrics_scan_state st;
    metrics_scan_init(&st);
    int r = metrics_impact_scan(c, &st, f, n_obs, ic_offset_s, &ip);
    if (r == METRICS_IMPACT) {
        double vmin = f[ip];
        for (size_t i = ip + 1; i < n_obs; i++) {
            if (f[i] < vmin) {
                vmin = f[i];
            } else if (f[i] >= vmin + c->impact_dip_n) {
                out->impact = true;
                break;
            }
        }
        if (!out->impact)
            return; /* the rise that confirms it may lie in the gap */
        out->gap_loading = false;
        out->impact_n = f[ip];
        out->t_impact_s = ic_offset_s + (double)ip / c->rate_hz;
        if (metrics_loading(f, ip + 1, c->rate_hz, f[ip], &out->valr_n_s, &out->vilr_n_s) < 0)
            out->valr_n_s = out->vilr_n_s = NAN;
        return;
    }
    if (r != METRICS_NO_IMPACT)
        return;
    out->gap_loading = false;
    out->lr_fallback = true;
    /* Fallback level at fallback_frac of stance: both samples around it
     * must be data, and so must the 80 % crossing (first crossings are the
     * same on the prefix as on the whole stance). */
    double iw = (c->fallback_frac * contact_s - ic_offset_s) * c->rate_hz;
    size_t i = iw <= 0.0 ? 0 : (size_t)floor(iw);
    if (i + 1 >= n_obs)
        return;
    double fr = iw - (double)i;
    if (fr < 0.0)
        fr = 0.0;
    double level = f[i] + fr * ((double)f[i + 1] - f[i]);
    if (metrics_loading(f, n_obs, c->rate_hz, level, &out->valr_n_s, &out->vilr_n_s) < 0)
        out->valr_n_s = out->vilr_n_s = NAN;
}

double metrics_symmetry_pct(double left, double right)
{
    double m = 0.5 * (left + right);
    if (!isfinite(left) || !isfinite(right) || m == 0.0)
        return NAN;
    return 100.0 * (left - right) / m;
}

struct acc {
    double sum[8];
    unsigned cnt[8];
    unsigned steps, impacts, impact_known;
};
enum { A_CONTACT, A_FLIGHT, A_STEP, A_VALR, A_VILR, A_ACTIVE, A_IMPACT, A_N };

static void acc_add(struct acc *a, int k, double v)
{
    if (isfinite(v)) {
        a->sum[k] += v;
        a->cnt[k]++;
    }
}

static double acc_mean(const struct acc *a, int k)
{
    return a->cnt[k] ? a->sum[k] / a->cnt[k] : NAN;
}

static void acc_step(struct acc *a, const struct gait_step *s)
{
    a->steps++;
    if (s->flags & GAIT_STEP_IMPACT)
        a->impacts++;
    if (!(s->flags & GAIT_STEP_GAP_LOADING))
        a->impact_known++;
    acc_add(a, A_CONTACT, s->contact_ms);
    acc_add(a, A_FLIGHT, s->flight_ms);
    acc_add(a, A_STEP, s->step_ms);
    acc_add(a, A_VALR, s->valr_bw_s);
    acc_add(a, A_VILR, s->vilr_bw_s);
    acc_add(a, A_ACTIVE, s->active_peak_bw);
    acc_add(a, A_IMPACT, s->impact_peak_bw);
}

static void acc_out(const struct acc *a, struct metrics_side *o)
{
    o->steps = a->steps;
    o->contact_ms = acc_mean(a, A_CONTACT);
    o->flight_ms = acc_mean(a, A_FLIGHT);
    o->step_ms = acc_mean(a, A_STEP);
    o->valr_bw_s = acc_mean(a, A_VALR);
    o->vilr_bw_s = acc_mean(a, A_VILR);
    o->active_peak_bw = acc_mean(a, A_ACTIVE);
    o->impact_peak_bw = acc_mean(a, A_IMPACT);
    o->impact_share = a->impact_known ? (double)a->impacts / a->impact_known : NAN;
}

void metrics_summarize(const struct gait_step *steps, size_t n, struct metrics_summary *out)
{
    struct acc all, l, r;
    memset(&all, 0, sizeof all);
    memset(&l, 0, sizeof l);
    memset(&r, 0, sizeof r);
    for (size_t i = 0; i < n; i++) {
        acc_step(&all, &steps[i]);
        if (steps[i].side == GAIT_SIDE_LEFT)
            acc_step(&l, &steps[i]);
        else if (steps[i].side == GAIT_SIDE_RIGHT)
            acc_step(&r, &steps[i]);
    }
    out->steps = (unsigned)n;
    acc_out(&all, &out->all);
    acc_out(&l, &out->left);
    acc_out(&r, &out->right);
    out->si_contact_pct = metrics_symmetry_pct(out->left.contact_ms, out->right.contact_ms);
    out->si_step_pct = metrics_symmetry_pct(out->left.step_ms, out->right.step_ms);
    out->si_valr_pct = metrics_symmetry_pct(out->left.valr_bw_s, out->right.valr_bw_s);
    out->si_active_pct = metrics_symmetry_pct(out->left.active_peak_bw, out->right.active_peak_bw);
}
