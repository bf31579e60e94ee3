/* summary.c - JSON summary (see summary.h). */
#include "summary.h"

#include <cjson/cJSON.h>
#include <math.h>
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
    char *txt = cJSON_Print(root);
    cJSON_Delete(root);
    return txt;
}
