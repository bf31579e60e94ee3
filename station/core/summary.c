/* summary.c - JSON summary (see summary.h). */
#include "summary.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "stats.h"
#include "units.h"

double summary_median_cadence(const struct gait_step *steps, size_t n)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return NAN;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(steps[i].cadence_spm))
            v[k++] = steps[i].cadence_spm;
    double m = stats_median_inplace(v, k); /* NAN when no finite cadence */
    free(v);
    return m;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorted finite values of one field (malloc'd; *k of them). */
static double *sorted_field(const struct gait_step *steps, size_t n, size_t off, int strike,
                            size_t *k)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    *k = 0;
    if (!v)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        double x = *(const double *)(const void *)((const char *)&steps[i] + off);
        if (isfinite(x) && (strike < 0 || (int)steps[i].strike == strike))
            v[(*k)++] = x;
    }
    qsort(v, *k, sizeof *v, cmp_d);
    return v;
}

static double sorted_quantile(const double *v, size_t k, double q)
{
    if (!k)
        return NAN;
    double pos = q * (double)(k - 1);
    size_t i = (size_t)pos;
    double fr = pos - (double)i;
    return i + 1 < k ? v[i] + fr * (v[i + 1] - v[i]) : v[i];
}

static int usual_strike(const struct gait_step *steps, size_t n)
{
    size_t rear = 0, other = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(steps[i].speed_mps))
            continue;
        rear += steps[i].strike == GAIT_STRIKE_REAR;
        other += steps[i].strike == GAIT_STRIKE_NONREAR;
    }
    return rear >= other ? GAIT_STRIKE_REAR : GAIT_STRIKE_NONREAR;
}

/* The belt speed's median over the usual strike's steps, its IQR and the
 * 95 % interval of the median (the notch of a box plot, McGill et al.
 * 1978: +-1.58 IQR / sqrt n): the one implementation behind the summary's
 * speed, its confidence, the minutes and the live deck estimate. */
static double belt_speed_stats(const struct gait_step *steps, size_t n, size_t *n_used,
                               double *iqr_mps, double *ci95_mps)
{
    size_t k;
    double *v = sorted_field(steps, n, offsetof(struct gait_step, speed_mps),
                             usual_strike(steps, n), &k);
    double m = v ? sorted_quantile(v, k, 0.5) : NAN;
    double iqr = v ? sorted_quantile(v, k, 0.75) - sorted_quantile(v, k, 0.25) : NAN;
    free(v);
    if (n_used)
        *n_used = v ? k : 0;
    if (iqr_mps)
        *iqr_mps = iqr;
    if (ci95_mps)
        *ci95_mps = v && k ? 1.58 * iqr / sqrt((double)k) : NAN;
    return m;
}

double summary_belt_speed(const struct gait_step *steps, size_t n, size_t *n_used)
{
    return belt_speed_stats(steps, n, n_used, NULL, NULL);
}

double summary_belt_speed_ci(const struct gait_step *steps, size_t n, size_t *n_used,
                             double *ci95_mps)
{
    return belt_speed_stats(steps, n, n_used, NULL, ci95_mps);
}

void summary_recent_footprint(const struct gait_step *steps, size_t n, double belt_mps,
                              double *length_m, double *width_m)
{
    double len[SUMMARY_RECENT_STEPS], wid[SUMMARY_RECENT_STEPS];
    size_t nl = 0, nw = 0;
    size_t a = n > SUMMARY_RECENT_STEPS ? n - SUMMARY_RECENT_STEPS : 0;
    for (size_t i = a; i < n; i++) {
        const struct gait_step *s = &steps[i];
        double l = s->step_length_m;
        if (belt_mps > 0 && isfinite(l))
            l += (belt_mps - s->length_speed_mps) * s->step_ms / 1000.0;
        if (isfinite(l))
            len[nl++] = l;
        if (isfinite(s->step_width_m))
            wid[nw++] = s->step_width_m;
    }
    *length_m = nl ? stats_median_small(len, nl) : NAN;
    *width_m = nw ? stats_median_small(wid, nw) : NAN;
}

size_t summary_speed_minutes(const struct gait_step *steps, size_t n, double t0_s,
                             struct summary_minute *out, size_t cap)
{
    size_t count = 0, a = 0;
    while (a < n) {
        size_t b = a;
        double m0 = floor((steps[a].t_ic_s - t0_s) / 60.0);
        while (b < n && floor((steps[b].t_ic_s - t0_s) / 60.0) == m0)
            b++;
        if (count < cap && out) {
            struct summary_minute *m = &out[count];
            m->minute = m0 > 0 ? (unsigned)m0 : 0;
            m->speed_mps = belt_speed_stats(steps + a, b - a, &m->steps, NULL, &m->ci95_mps);
        }
        count++;
        a = b;
    }
    return count;
}

static double field_median(const struct gait_step *steps, size_t n, size_t off)
{
    size_t k;
    double *v = sorted_field(steps, n, off, -1, &k);
    double m = v ? sorted_quantile(v, k, 0.5) : NAN;
    free(v);
    return m;
}

/* Share of steps with a strike that are rearfoot, of one side (0 = all). */
static double rear_share(const struct gait_step *steps, size_t n, enum gait_side side)
{
    size_t rear = 0, known = 0;
    for (size_t i = 0; i < n; i++) {
        if (steps[i].strike == GAIT_STRIKE_UNKNOWN || (side && steps[i].side != side))
            continue;
        known++;
        rear += steps[i].strike == GAIT_STRIKE_REAR;
    }
    return known ? (double)rear / (double)known : NAN;
}

/* Numbers rounded for reading; NAN becomes null. */
static void num(cJSON *o, const char *key, double v, int decimals)
{
    if (!isfinite(v)) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    double s = pow(10.0, decimals);
    cJSON_AddNumberToObject(o, key, round(v * s) / s);
}

static cJSON *side_obj(const struct metrics_side *m)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "steps", m->steps);
    num(o, "contact_ms", m->contact_ms, 1);
    num(o, "flight_ms", m->flight_ms, 1);
    num(o, "step_ms", m->step_ms, 1);
    num(o, "valr_bw_s", m->valr_bw_s, 2);
    num(o, "vilr_bw_s", m->vilr_bw_s, 2);
    num(o, "impact_peak_bw", m->impact_peak_bw, 3);
    num(o, "active_peak_bw", m->active_peak_bw, 3);
    num(o, "impact_share", m->impact_share, 3);
    return o;
}

char *summary_json(const struct gait_step *steps, size_t n, const struct summary_info *info)
{
    struct metrics_summary ms;
    metrics_summarize(steps, n, &ms);
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return NULL;
    cJSON_AddStringToObject(root, "input", info->input ? info->input : "");
    if (info->source && info->source[0])
        cJSON_AddStringToObject(root, "source", info->source);
    num(root, "rate_hz", info->rate_hz, 3);
    num(root, "duration_s", info->duration_s, 3);
    cJSON_AddNumberToObject(root, "steps", (double)n);
    cJSON_AddNumberToObject(root, "gaps", info->gaps);
    /* The force threshold of contact, flight and step times (gait.h). */
    num(root, "threshold_n", n ? steps[0].threshold_n : NAN, 1);
    cJSON *bw = cJSON_AddObjectToObject(root, "body_weight");
    if (bw) {
        num(bw, "n", info->body_weight_n, 1);
        num(bw, "kg", units_n_to_kg(info->body_weight_n), 2);
        cJSON_AddStringToObject(bw, "source", info->bw_source ? info->bw_source : "");
    }
    cJSON *cad = cJSON_AddObjectToObject(root, "cadence_spm");
    if (cad) {
        double med = summary_median_cadence(steps, n);
        num(cad, "per_step_median", med, 2);
        num(cad, "per_step_mean", 60000.0 / ms.all.step_ms, 2);
        num(cad, "spectral", info->cadence_spectral_spm, 2);
        num(cad, "agreement", fabs(med - info->cadence_spectral_spm), 2);
    }
    unsigned walk = 0, lrf = 0;
    for (size_t i = 0; i < n; i++) {
        walk += (steps[i].flags & GAIT_STEP_WALK) != 0;
        lrf += (steps[i].flags & GAIT_STEP_LR_FALLBACK) != 0;
    }
    cJSON_AddNumberToObject(root, "walking_steps", walk);
    cJSON_AddNumberToObject(root, "loading_rate_fallback_steps", lrf);
    cJSON_AddItemToObject(root, "all", side_obj(&ms.all));
    cJSON_AddItemToObject(root, "left", side_obj(&ms.left));
    cJSON_AddItemToObject(root, "right", side_obj(&ms.right));
    cJSON *si = cJSON_AddObjectToObject(root, "symmetry_index_pct");
    if (si) {
        num(si, "contact", ms.si_contact_pct, 2);
        num(si, "step", ms.si_step_pct, 2);
        num(si, "valr", ms.si_valr_pct, 2);
        num(si, "active_peak", ms.si_active_pct, 2);
    }
    /* Footprint (issue 17; docs/analysis.md section 3). */
    size_t n_speed;
    double speed = summary_belt_speed(steps, n, &n_speed);
    num(root, "speed_mps", speed, 3);
    num(root, "step_length_m", field_median(steps, n, offsetof(struct gait_step, step_length_m)),
        3);
    num(root, "step_width_m", field_median(steps, n, offsetof(struct gait_step, step_width_m)), 3);
    cJSON *rs = cJSON_AddObjectToObject(root, "rearfoot_share");
    if (rs) {
        num(rs, "all", rear_share(steps, n, GAIT_SIDE_UNKNOWN), 3);
        num(rs, "left", rear_share(steps, n, GAIT_SIDE_LEFT), 3);
        num(rs, "right", rear_share(steps, n, GAIT_SIDE_RIGHT), 3);
    }
    cJSON *sc = cJSON_AddObjectToObject(root, "speed_confidence");
    if (sc) {
        double iqr, ci95;
        belt_speed_stats(steps, n, NULL, &iqr, &ci95);
        cJSON_AddNumberToObject(sc, "steps", (double)n_speed);
        num(sc, "iqr_mps", iqr, 3);
        num(sc, "ci95_mps", ci95, 3);
    }
    /* per minute since the first step: the bare medians (kept for
     * readers of the first format) and each with its interval */
    size_t n_min = n ? summary_speed_minutes(steps, n, steps[0].t_ic_s, NULL, 0) : 0;
    struct summary_minute *mins = malloc((n_min ? n_min : 1) * sizeof *mins);
    if (mins)
        summary_speed_minutes(steps, n, n ? steps[0].t_ic_s : 0.0, mins, n_min);
    cJSON *pm = cJSON_AddArrayToObject(root, "speed_per_minute_mps");
    for (size_t i = 0; pm && mins && i < n_min; i++)
        cJSON_AddItemToArray(pm, isfinite(mins[i].speed_mps)
                                     ? cJSON_CreateNumber(round(mins[i].speed_mps * 1000) / 1000)
                                     : cJSON_CreateNull());
    cJSON *pmc = cJSON_AddArrayToObject(root, "speed_per_minute");
    for (size_t i = 0; pmc && mins && i < n_min; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "minute", (double)mins[i].minute);
        num(o, "speed_mps", mins[i].speed_mps, 3);
        num(o, "ci95_mps", mins[i].ci95_mps, 3);
        cJSON_AddNumberToObject(o, "steps", (double)mins[i].steps);
        cJSON_AddItemToArray(pmc, o);
    }
    free(mins);
    cJSON *tm = cJSON_AddObjectToObject(root, "treadmill");
    if (tm) {
        bool given = info->belt_given_mps > 0.0;
        num(tm, "speed_mps", given ? info->belt_given_mps : NAN, 3);
        num(tm, "incline_pct", info->incline_given ? info->incline_pct : NAN, 1);
        if (given && isfinite(speed))
            cJSON_AddBoolToObject(tm, "speed_disagrees",
                                  fabs(speed - info->belt_given_mps) >
                                      SUMMARY_SPEED_DISAGREE_FRAC * info->belt_given_mps);
        else
            cJSON_AddNullToObject(tm, "speed_disagrees");
    }
    char *txt = cJSON_Print(root);
    cJSON_Delete(root);
    return txt;
}
