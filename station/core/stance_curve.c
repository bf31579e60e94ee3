/* stance_curve.c - see stance_curve.h. */
#include "stance_curve.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A step's stance is cut by a hole in the samples when two neighbours
 * are further apart than this many sample periods (one lost sample
 * already counts: the peak could be in it). */
#define GAP_PERIODS 1.5

struct acc {
    size_t n;
    double sum[STANCE_CURVE_POINTS], sum2[STANCE_CURVE_POINTS];
    double sum_contact_s;
    size_t n_paths;
    float *px, *py; /* STANCE_PATHS_MAX x STANCE_PATH_POINTS each */
};

struct stance_curve {
    double period_s;
    int n_groups;
    size_t cap, head, count; /* ring: oldest at (head - count) mod cap */
    struct gait_sample *ring;
    double t_last_s;
    size_t skipped;
    struct acc acc[2][STANCE_GROUPS_MAX]; /* [side L/R][group] */
    float *paths;                         /* every acc's px, py */
};

static int side_ix(enum gait_side s)
{
    return s == GAIT_SIDE_LEFT ? 0 : s == GAIT_SIDE_RIGHT ? 1 : -1;
}

int stance_curve_new(double rate_hz, int n_groups, struct stance_curve **out, struct gc_diag *diag)
{
    *out = NULL;
    if (!(rate_hz > 0 && rate_hz <= 5000) || n_groups < 1 || n_groups > STANCE_GROUPS_MAX)
        return gc_fail(diag, GC_ERR_ARG,
                       "stance curves need a sample rate of 0-5000 Hz and 1-%d groups",
                       STANCE_GROUPS_MAX);
    struct stance_curve *sc = calloc(1, sizeof *sc);
    size_t cap = (size_t)ceil(STANCE_RING_S * rate_hz) + 1;
    size_t per_path = (size_t)STANCE_PATHS_MAX * STANCE_PATH_POINTS;
    size_t n_paths_f = 2u * (size_t)n_groups * 2u * per_path;
    if (sc) {
        sc->ring = malloc(cap * sizeof *sc->ring);
        sc->paths = malloc(n_paths_f * sizeof *sc->paths);
    }
    if (!sc || !sc->ring || !sc->paths) {
        stance_curve_free(sc);
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory for the stance curves");
    }
    sc->period_s = 1.0 / rate_hz;
    sc->n_groups = n_groups;
    sc->cap = cap;
    sc->t_last_s = -INFINITY;
    float *p = sc->paths;
    for (int s = 0; s < 2; s++)
        for (int g = 0; g < n_groups; g++) {
            sc->acc[s][g].px = p;
            sc->acc[s][g].py = p + per_path;
            p += 2 * per_path;
        }
    *out = sc;
    return GC_OK;
}

void stance_curve_free(struct stance_curve *sc)
{
    if (!sc)
        return;
    free(sc->ring);
    free(sc->paths);
    free(sc);
}

int stance_curve_add_samples(struct stance_curve *sc, const struct gait_sample *s, size_t n,
                             struct gc_diag *diag)
{
    if (!sc || (!s && n))
        return gc_fail(diag, GC_ERR_ARG, "no stance curve or samples");
    for (size_t i = 0; i < n; i++) {
        if (!(s[i].t_s > sc->t_last_s))
            return gc_fail(diag, GC_ERR_ARG,
                           "a sample at %.6f s came after one at %.6f s (not in time order)",
                           s[i].t_s, sc->t_last_s);
        sc->t_last_s = s[i].t_s;
        sc->ring[sc->head] = s[i];
        sc->head = (sc->head + 1) % sc->cap;
        if (sc->count < sc->cap)
            sc->count++;
    }
    return GC_OK;
}

/* The k-th oldest sample in the ring. */
static const struct gait_sample *at(const struct stance_curve *sc, size_t k)
{
    return &sc->ring[(sc->head + sc->cap - sc->count + k) % sc->cap];
}

/* Index of the last sample at or before t (the ring is in time order), or
 * SIZE_MAX when t is before the oldest. */
static size_t find_le(const struct stance_curve *sc, double t)
{
    if (sc->count == 0 || at(sc, 0)->t_s > t)
        return SIZE_MAX;
    size_t lo = 0, hi = sc->count - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        if (at(sc, mid)->t_s <= t)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

static double lerp(double a, double b, double w)
{
    return a + (b - a) * w;
}

/* At the ends of a stance one neighbour is unloaded (COP unknown): the
 * known one stands for both; NAN only where neither is known. */
static double lerp_cop(double a, double b, double w)
{
    return isnan(a) ? b : isnan(b) ? a : lerp(a, b, w);
}

int stance_curve_add_step(struct stance_curve *sc, const struct gait_step *st, int group)
{
    if (!sc || !st || group < 0 || group >= sc->n_groups)
        return GC_ERR_ARG;
    int si = side_ix(st->side);
    double t0 = st->t_ic_thr_s, t1 = st->t_to_thr_s;
    size_t k0 = isfinite(t0) ? find_le(sc, t0) : SIZE_MAX;
    /* the stance must lie inside the ring, with one sample after its end */
    if (si < 0 || !isfinite(t1) || !(t1 > t0) || (st->flags & GAIT_STEP_GAP_INSIDE) ||
        k0 == SIZE_MAX || !(sc->t_last_s > t1)) {
        sc->skipped++;
        return 0;
    }
    for (size_t k = k0; k + 1 < sc->count && at(sc, k)->t_s <= t1; k++)
        if (at(sc, k + 1)->t_s - at(sc, k)->t_s > GAP_PERIODS * sc->period_s) {
            sc->skipped++;
            return 0;
        }
    struct acc *a = &sc->acc[si][group];
    size_t k = k0;
    for (int p = 0; p < STANCE_CURVE_POINTS; p++) {
        double t = t0 + (t1 - t0) * p / (STANCE_CURVE_POINTS - 1);
        while (k + 1 < sc->count && at(sc, k + 1)->t_s <= t)
            k++;
        const struct gait_sample *s0 = at(sc, k), *s1 = at(sc, k + 1);
        double f = lerp(s0->fz_n, s1->fz_n, (t - s0->t_s) / (s1->t_s - s0->t_s));
        a->sum[p] += f;
        a->sum2[p] += f * f;
    }
    bool keep_path = a->n_paths < STANCE_PATHS_MAX;
    float *px = a->px + a->n_paths * STANCE_PATH_POINTS;
    float *py = a->py + a->n_paths * STANCE_PATH_POINTS;
    k = k0;
    for (int p = 0; keep_path && p < STANCE_PATH_POINTS; p++) {
        double t = t0 + (t1 - t0) * p / (STANCE_PATH_POINTS - 1);
        while (k + 1 < sc->count && at(sc, k + 1)->t_s <= t)
            k++;
        const struct gait_sample *s0 = at(sc, k), *s1 = at(sc, k + 1);
        double w = (t - s0->t_s) / (s1->t_s - s0->t_s);
        px[p] = (float)lerp_cop(s0->copx_m, s1->copx_m, w);
        py[p] = (float)lerp_cop(s0->copy_m, s1->copy_m, w);
    }
    a->n++;
    a->sum_contact_s += t1 - t0;
    if (keep_path)
        a->n_paths++;
    return 1;
}

int stance_curve_get(const struct stance_curve *sc, enum gait_side side, int group, double bw_n,
                     struct stance_curve_result *out, struct gc_diag *diag)
{
    int si = side_ix(side);
    if (!sc || !out || si < 0 || group < 0 || group >= sc->n_groups || !(bw_n > 0))
        return gc_fail(diag, GC_ERR_ARG, "stance curves need a side, a group and a body weight");
    const struct acc *a = &sc->acc[si][group];
    out->n = a->n;
    out->contact_ms = a->n ? 1e3 * a->sum_contact_s / (double)a->n : NAN;
    for (int p = 0; p < STANCE_CURVE_POINTS; p++) {
        double n = (double)a->n;
        double mean = a->n ? a->sum[p] / n : NAN;
        out->mean_bw[p] = mean / bw_n;
        if (a->n < 2) {
            out->sd_bw[p] = NAN;
            continue;
        }
        /* sum of squares about the mean; rounding can take it a hair
         * below zero where every step has the same value */
        double ss = a->sum2[p] - n * mean * mean;
        out->sd_bw[p] = sqrt(ss > 0 ? ss / (n - 1) : 0) / bw_n;
    }
    return GC_OK;
}

size_t stance_curve_paths(const struct stance_curve *sc, enum gait_side side, int group,
                          const float **x_m, const float **y_m)
{
    int si = side_ix(side);
    if (!sc || si < 0 || group < 0 || group >= sc->n_groups) {
        *x_m = *y_m = NULL;
        return 0;
    }
    *x_m = sc->acc[si][group].px;
    *y_m = sc->acc[si][group].py;
    return sc->acc[si][group].n_paths;
}

size_t stance_curve_skipped(const struct stance_curve *sc)
{
    return sc ? sc->skipped : 0;
}
