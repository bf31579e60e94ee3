/*
 * test_summary - the JSON summary (summary.h) of a hand-made list of steps
 * whose every figure is known: field names and nesting, counts, means per
 * side, symmetry indices, rounding to the stated decimals, NAN -> null,
 * optional "source", and the median cadence helper.
 *
 * Rounding tolerances: a value rounded to d decimals and printed by cJSON
 * is read back by strtod, so it equals the decimal up to one unit in the
 * last place of a double; 1e-9 is far below the smallest rounding step
 * (1e-3) and far above that.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "summary.h"

#define EPS 1e-9

static struct gait_step mk(enum gait_side side, double step_ms, double contact_ms,
                           double flight_ms, double valr, double impact_bw, double active_bw,
                           uint32_t flags)
{
    struct gait_step s;
    memset(&s, 0, sizeof s);
    s.side = side;
    s.step_ms = step_ms;
    s.cadence_spm = isfinite(step_ms) ? 60000.0 / step_ms : NAN;
    s.contact_ms = contact_ms;
    s.flight_ms = flight_ms;
    s.valr_bw_s = valr;
    s.vilr_bw_s = isfinite(valr) ? 1.5 * valr : NAN;
    s.impact_peak_bw = impact_bw;
    s.impact_peak_n = isfinite(impact_bw) ? impact_bw * 700.0 : NAN;
    s.active_peak_bw = active_bw;
    s.active_peak_n = active_bw * 700.0;
    s.flags = flags | (isfinite(impact_bw) ? GAIT_STEP_IMPACT : 0u);
    return s;
}

static double num(const cJSON *o, const char *path)
{
    /* "a.b" -> o["a"]["b"]; NAN when missing or not a number */
    char buf[64];
    snprintf(buf, sizeof buf, "%s", path);
    char *save = NULL;
    const cJSON *it = o;
    for (char *k = strtok_r(buf, ".", &save); k && it; k = strtok_r(NULL, ".", &save))
        it = cJSON_GetObjectItemCaseSensitive(it, k);
    return cJSON_IsNumber(it) ? it->valuedouble : NAN;
}

static int is_null(const cJSON *o, const char *a, const char *b)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b)
        it = cJSON_GetObjectItemCaseSensitive(it, b);
    return cJSON_IsNull(it);
}

static const char *str(const cJSON *o, const char *a, const char *b)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b)
        it = cJSON_GetObjectItemCaseSensitive(it, b);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

static void known_steps(void)
{
    /* Five steps, L R L R L.  Step times 350 (NAN for the first), 360,
     * 340, 350 ms; the second left step is a walking step with the
     * loading-rate fallback (no impact peak). */
    struct gait_step st[5];
    st[0] = mk(GAIT_SIDE_LEFT, NAN, 250.0, 100.0, 60.0, 1.6, 2.5, 0);
    st[1] = mk(GAIT_SIDE_RIGHT, 350.0, 240.0, 110.0, 80.0, 1.8, 2.6, 0);
    st[2] = mk(GAIT_SIDE_LEFT, 360.0, 260.0, NAN, 50.0, NAN, 2.4,
               GAIT_STEP_WALK | GAIT_STEP_LR_FALLBACK);
    st[3] = mk(GAIT_SIDE_RIGHT, 340.0, 244.0, 96.0, 84.0, 1.9, 2.7, 0);
    st[4] = mk(GAIT_SIDE_LEFT, 350.0, 255.0, 95.0, 70.0, 1.7, 2.55, 0);

    struct summary_info info = {
        .input = "run.csv",
        .source = "unit test",
        .rate_hz = 999.87654,   /* -> 999.877 (3 decimals) */
        .duration_s = 12.34449, /* -> 12.344 */
        .body_weight_n = 686.4655,
        .bw_source = "mass",
        .cadence_spectral_spm = 171.004,
        .gaps = 2,
    };
    char *txt = summary_json(st, 5, &info);
    CHECK(txt != NULL);
    if (!txt)
        return;
    cJSON *j = cJSON_Parse(txt);
    CHECK(j != NULL);
    if (!j) {
        free(txt);
        return;
    }
    CHECK(str(j, "input", NULL) && !strcmp(str(j, "input", NULL), "run.csv"));
    CHECK(str(j, "source", NULL) && !strcmp(str(j, "source", NULL), "unit test"));
    CHECK_NEAR(num(j, "rate_hz"), 999.877, EPS);
    CHECK_NEAR(num(j, "duration_s"), 12.344, EPS);
    CHECK_NEAR(num(j, "steps"), 5, 0);
    CHECK_NEAR(num(j, "gaps"), 2, 0);
    CHECK_NEAR(num(j, "walking_steps"), 1, 0);
    CHECK_NEAR(num(j, "loading_rate_fallback_steps"), 1, 0);

    /* Body weight: N to 1 decimal, kg = N / g0 to 2 decimals
     * (686.4655 / 9.80665 = 70.0000 kg). */
    CHECK_NEAR(num(j, "body_weight.n"), 686.5, EPS);
    CHECK_NEAR(num(j, "body_weight.kg"), 70.0, EPS);
    CHECK(str(j, "body_weight", "source") && !strcmp(str(j, "body_weight", "source"), "mass"));

    /* Cadence: per-step cadences 60000/350, /360, /340, /350 = 171.43,
     * 166.67, 176.47, 171.43: median 171.43; the mean step (350 ms) gives
     * 171.43 too; agreement |171.4286 - 171.004| = 0.4246 -> 0.42. */
    CHECK_NEAR(num(j, "cadence_spm.per_step_median"), 171.43, EPS);
    CHECK_NEAR(num(j, "cadence_spm.per_step_mean"), 171.43, EPS);
    CHECK_NEAR(num(j, "cadence_spm.spectral"), 171.0, EPS);
    CHECK_NEAR(num(j, "cadence_spm.agreement"), 0.42, EPS);

    /* All steps: contact mean (250+240+260+244+255)/5 = 249.8; flight over
     * the 4 that have one (100+110+96+95)/4 = 100.25 -> 100.3 (1 decimal,
     * .25 is exact in binary and rounds away from zero); step 350.0;
     * VALR (60+80+50+84+70)/5 = 68.8; VILR 1.5 x = 103.2; impact over the 4
     * with a peak (1.6+1.8+1.9+1.7)/4 = 1.75; active (2.5+2.6+2.4+2.7+2.55)/5
     * = 2.55; impact share 4/5. */
    CHECK_NEAR(num(j, "all.steps"), 5, 0);
    CHECK_NEAR(num(j, "all.contact_ms"), 249.8, EPS);
    CHECK_NEAR(num(j, "all.flight_ms"), 100.3, EPS);
    CHECK_NEAR(num(j, "all.step_ms"), 350.0, EPS);
    CHECK_NEAR(num(j, "all.valr_bw_s"), 68.8, EPS);
    CHECK_NEAR(num(j, "all.vilr_bw_s"), 103.2, EPS);
    CHECK_NEAR(num(j, "all.impact_peak_bw"), 1.75, EPS);
    CHECK_NEAR(num(j, "all.active_peak_bw"), 2.55, EPS);
    CHECK_NEAR(num(j, "all.impact_share"), 0.8, EPS);

    /* Left: contact (250+260+255)/3 = 255.0, step (360+350)/2 = 355.0,
     * VALR 60 -> (60+50+70)/3 = 60.0, active (2.5+2.4+2.55)/3 = 2.48333 ->
     * 2.483, impact share 2/3 -> 0.667.  Right: contact 242.0, step 345.0,
     * VALR 82.0, active 2.65, impact share 1. */
    CHECK_NEAR(num(j, "left.steps"), 3, 0);
    CHECK_NEAR(num(j, "left.contact_ms"), 255.0, EPS);
    CHECK_NEAR(num(j, "left.step_ms"), 355.0, EPS);
    CHECK_NEAR(num(j, "left.valr_bw_s"), 60.0, EPS);
    CHECK_NEAR(num(j, "left.active_peak_bw"), 2.483, EPS);
    CHECK_NEAR(num(j, "left.impact_share"), 0.667, EPS);
    CHECK_NEAR(num(j, "right.steps"), 2, 0);
    CHECK_NEAR(num(j, "right.contact_ms"), 242.0, EPS);
    CHECK_NEAR(num(j, "right.step_ms"), 345.0, EPS);
    CHECK_NEAR(num(j, "right.valr_bw_s"), 82.0, EPS);
    CHECK_NEAR(num(j, "right.active_peak_bw"), 2.65, EPS);
    CHECK_NEAR(num(j, "right.impact_share"), 1.0, EPS);

    /* Symmetry index 100 (L - R) / ((L + R) / 2): contact 100 x 13 / 248.5
     * = 5.2314 -> 5.23; step 100 x 10 / 350 = 2.857 -> 2.86; VALR
     * 100 x -22 / 71 = -30.986 -> -30.99; active 100 x -0.16667 / 2.56667
     * = -6.4935 -> -6.49. */
    CHECK_NEAR(num(j, "symmetry_index_pct.contact"), 5.23, EPS);
    CHECK_NEAR(num(j, "symmetry_index_pct.step"), 2.86, EPS);
    CHECK_NEAR(num(j, "symmetry_index_pct.valr"), -30.99, EPS);
    CHECK_NEAR(num(j, "symmetry_index_pct.active_peak"), -6.49, EPS);
    cJSON_Delete(j);
    free(txt);
}

static void nothing_known(void)
{
    /* No steps, unknown rate, no spectral cadence, no body weight: every
     * figure is null (never 0, never NaN, which is not JSON), counts are 0,
     * no "source" key. */
    struct summary_info info = {.input = NULL,
                                .source = "",
                                .rate_hz = NAN,
                                .duration_s = 0.0,
                                .body_weight_n = NAN,
                                .bw_source = NULL,
                                .cadence_spectral_spm = NAN,
                                .gaps = 0};
    char *txt = summary_json(NULL, 0, &info);
    CHECK(txt != NULL);
    if (!txt)
        return;
    CHECK(strstr(txt, "nan") == NULL && strstr(txt, "NaN") == NULL);
    CHECK(strstr(txt, "inf") == NULL);
    cJSON *j = cJSON_Parse(txt);
    CHECK(j != NULL);
    if (!j) {
        free(txt);
        return;
    }
    CHECK(cJSON_GetObjectItemCaseSensitive(j, "source") == NULL);
    CHECK(str(j, "input", NULL) && !strcmp(str(j, "input", NULL), ""));
    CHECK(is_null(j, "rate_hz", NULL));
    CHECK_NEAR(num(j, "duration_s"), 0.0, 0);
    CHECK_NEAR(num(j, "steps"), 0, 0);
    CHECK(is_null(j, "body_weight", "n"));
    CHECK(is_null(j, "body_weight", "kg"));
    CHECK(str(j, "body_weight", "source") && !strcmp(str(j, "body_weight", "source"), ""));
    const char *cad[] = {"per_step_median", "per_step_mean", "spectral", "agreement"};
    for (int i = 0; i < 4; i++)
        CHECK_MSG(is_null(j, "cadence_spm", cad[i]), cad[i]);
    const char *side[] = {"all", "left", "right"};
    const char *f[] = {"contact_ms",     "flight_ms",      "step_ms",     "valr_bw_s",
                       "vilr_bw_s",      "impact_peak_bw", "active_peak_bw",
                       "impact_share"};
    for (int s = 0; s < 3; s++) {
        CHECK_NEAR(num(cJSON_GetObjectItemCaseSensitive(j, side[s]), "steps"), 0, 0);
        for (int i = 0; i < 8; i++)
            CHECK_MSG(is_null(j, side[s], f[i]), f[i]);
    }
    const char *si[] = {"contact", "step", "valr", "active_peak"};
    for (int i = 0; i < 4; i++)
        CHECK_MSG(is_null(j, "symmetry_index_pct", si[i]), si[i]);
    cJSON_Delete(j);
    free(txt);
}

static void one_side_and_median(void)
{
    /* Sides unknown (no COP): the per-side objects are empty, symmetry is
     * null, "all" still has its figures. */
    struct gait_step st[4];
    st[0] = mk(GAIT_SIDE_UNKNOWN, NAN, 250.0, 100.0, NAN, NAN, 2.5, 0);
    st[1] = mk(GAIT_SIDE_UNKNOWN, 300.0, 250.0, 50.0, NAN, NAN, 2.5, 0);
    st[2] = mk(GAIT_SIDE_UNKNOWN, 400.0, 250.0, 150.0, NAN, NAN, 2.5, 0);
    st[3] = mk(GAIT_SIDE_UNKNOWN, 500.0, 250.0, 250.0, NAN, NAN, 2.5, 0);
    /* Median of 200, 150, 120 steps/min = 150 (odd count); of the first
     * two cadences (even count) the mean of both: 175. */
    CHECK_NEAR(summary_median_cadence(st, 4), 150.0, 1e-12);
    CHECK_NEAR(summary_median_cadence(st, 3), 175.0, 1e-12);
    CHECK(isnan(summary_median_cadence(st, 1)));
    CHECK(isnan(summary_median_cadence(st, 0)));

    struct summary_info info = {.input = "x.gcrec",
                                .rate_hz = 1000.0,
                                .duration_s = 2.0,
                                .body_weight_n = 700.0,
                                .bw_source = "estimated from whole steps",
                                .cadence_spectral_spm = NAN};
    char *txt = summary_json(st, 4, &info);
    cJSON *j = txt ? cJSON_Parse(txt) : NULL;
    CHECK(j != NULL);
    if (j) {
        CHECK(cJSON_GetObjectItemCaseSensitive(j, "source") == NULL); /* source NULL */
        CHECK_NEAR(num(j, "left.steps"), 0, 0);
        CHECK_NEAR(num(j, "right.steps"), 0, 0);
        CHECK(is_null(j, "symmetry_index_pct", "contact"));
        CHECK(is_null(j, "all", "valr_bw_s"));   /* no step has one */
        CHECK(is_null(j, "all", "impact_peak_bw"));
        CHECK_NEAR(num(j, "all.impact_share"), 0.0, 0); /* known absent on all 4 */
        CHECK_NEAR(num(j, "all.step_ms"), 400.0, EPS);
        CHECK_NEAR(num(j, "cadence_spm.per_step_median"), 150.0, EPS);
        CHECK_NEAR(num(j, "cadence_spm.per_step_mean"), 150.0, EPS);
        CHECK(is_null(j, "cadence_spm", "agreement")); /* no spectral: no agreement */
        CHECK_NEAR(num(j, "body_weight.kg"), 71.38, EPS); /* 700 / 9.80665 = 71.380 */
        cJSON_Delete(j);
    }
    free(txt);
}

/* summary_belt_speed_ci: the median over the usual strike and its 95 %
 * interval 1.58 IQR / sqrt n (the live session's deck estimate). */
static void belt_speed_ci(void)
{
    struct gait_step st[12];
    for (int i = 0; i < 12; i++) {
        gait_step_clear(&st[i]);
        st[i].strike = i < 9 ? GAIT_STRIKE_REAR : GAIT_STRIKE_NONREAR;
        st[i].speed_mps = i < 9 ? 2.90 + 0.01 * i : 5.0; /* 2.90..2.98; three outliers */
    }
    st[4].speed_mps = NAN; /* not every stance has a COP */
    size_t n;
    double ci;
    double m = summary_belt_speed_ci(st, 12, &n, &ci);
    CHECK_EQ(n, 8); /* the 8 rearfoot steps with a speed: the usual strike */
    /* 2.90 2.91 2.92 2.93 2.95 2.96 2.97 2.98: median 2.94, quartiles at
     * positions 1.75 and 5.25: 2.9175 and 2.9625, IQR 0.045 */
    CHECK_NEAR(m, 2.94, 1e-12);
    CHECK_NEAR(ci, 1.58 * 0.045 / sqrt(8.0), 1e-12);
    CHECK_NEAR(summary_belt_speed(st, 12, NULL), m, 0); /* the same median */
    m = summary_belt_speed_ci(st, 0, &n, &ci);
    CHECK(isnan(m) && isnan(ci));
    CHECK_EQ(n, 0);
}

/* Per minute: steps grouped by the minute of their IC since t0, each
 * minute's summary_belt_speed_ci; an empty minute left out; the summary
 * JSON's speed_per_minute objects and the bare speed_per_minute_mps. */
static void speed_minutes(void)
{
    struct gait_step st[9];
    const double t[9] = {10, 30, 69.9, 70, 100, 129.9, 250, 260, 270};
    const double v[9] = {2.9, 3.0, 3.1, 3.3, NAN, 3.5, 2.0, 2.2, 2.1};
    for (int i = 0; i < 9; i++) {
        gait_step_clear(&st[i]);
        st[i].t_ic_s = t[i];
        st[i].speed_mps = v[i];
        st[i].strike = GAIT_STRIKE_REAR;
        st[i].side = i % 2 ? GAIT_SIDE_RIGHT : GAIT_SIDE_LEFT;
    }
    struct summary_minute m[4];
    CHECK_EQ(summary_speed_minutes(st, 9, 10.0, NULL, 0), 3);
    CHECK_EQ(summary_speed_minutes(st, 9, 10.0, m, 4), 3);
    /* minute 0: 10, 30, 69.9 s -> 2.9 3.0 3.1: median 3.0, IQR 0.1 */
    CHECK_EQ(m[0].minute, 0);
    CHECK_EQ(m[0].steps, 3);
    CHECK_NEAR(m[0].speed_mps, 3.0, 1e-12);
    CHECK_NEAR(m[0].ci95_mps, 1.58 * 0.1 / sqrt(3.0), 1e-12);
    /* minute 1: 70 and 129.9 s with a speed (100 s has none) */
    CHECK_EQ(m[1].minute, 1);
    CHECK_EQ(m[1].steps, 2);
    CHECK_NEAR(m[1].speed_mps, 3.4, 1e-12);
    /* minutes 2 and 3 had no step; minute 4: 250..270 s */
    CHECK_EQ(m[2].minute, 4);
    CHECK_NEAR(m[2].speed_mps, 2.1, 1e-12);
    /* cap smaller than the minutes: the first ones, the count of all */
    CHECK_EQ(summary_speed_minutes(st, 9, 10.0, m, 1), 3);
    CHECK_EQ(summary_speed_minutes(st, 0, 0.0, m, 4), 0);
    /* a minute whose steps have no speed: NAN, 0 steps */
    st[6].speed_mps = st[7].speed_mps = st[8].speed_mps = NAN;
    CHECK_EQ(summary_speed_minutes(st, 9, 10.0, m, 4), 3);
    CHECK(isnan(m[2].speed_mps) && isnan(m[2].ci95_mps));
    CHECK_EQ(m[2].steps, 0);

    struct summary_info info = {.input = "x.csv", .rate_hz = 1000, .duration_s = 300};
    char *txt = summary_json(st, 9, &info);
    cJSON *root = txt ? cJSON_Parse(txt) : NULL;
    CHECK(root != NULL);
    const cJSON *pm = cJSON_GetObjectItemCaseSensitive(root, "speed_per_minute");
    CHECK(cJSON_GetArraySize(pm) == 3);
    const cJSON *m1 = cJSON_GetArrayItem(pm, 1);
    CHECK_NEAR(num(m1, "minute"), 1, 0);
    CHECK_NEAR(num(m1, "speed_mps"), 3.4, 1e-9);
    CHECK_NEAR(num(m1, "ci95_mps"), round(1000 * 1.58 * 0.1 / sqrt(2.0)) / 1000, 1e-9);
    CHECK_NEAR(num(m1, "steps"), 2, 0);
    CHECK(is_null(cJSON_GetArrayItem(pm, 2), "speed_mps", NULL));
    const cJSON *bare = cJSON_GetObjectItemCaseSensitive(root, "speed_per_minute_mps");
    CHECK(cJSON_GetArraySize(bare) == 3);
    CHECK_NEAR(cJSON_GetArrayItem(bare, 0)->valuedouble, 3.0, 1e-9);
    cJSON_Delete(root);
    free(txt);
}

/* The live step length and width: medians of the last 20 steps, the
 * lengths moved to an entered speed. */
static void recent_footprint(void)
{
    struct gait_step st[30];
    for (int i = 0; i < 30; i++) {
        gait_step_clear(&st[i]);
        st[i].step_ms = 350;
        st[i].length_speed_mps = 2.9;
        /* the first 10 (not among the last 20) far off */
        st[i].step_length_m = i < 10 ? 5.0 : 1.0 + 0.001 * i;
        st[i].step_width_m = i < 10 ? 1.0 : 0.10 + 0.001 * (i % 3);
    }
    st[29].step_length_m = NAN; /* the newest step has none yet */
    double len, wid;
    summary_recent_footprint(st, 30, 0.0, &len, &wid);
    /* lengths of steps 10..28: 1.010..1.028, median 1.019 */
    CHECK_NEAR(len, 1.019, 1e-12);
    CHECK_NEAR(wid, 0.101, 1e-12);
    /* at 3.2 m/s entered: + (3.2 - 2.9) x 0.35 s */
    summary_recent_footprint(st, 30, 3.2, &len, &wid);
    CHECK_NEAR(len, 1.019 + 0.3 * 0.35, 1e-12);
    summary_recent_footprint(st, 30, NAN, &len, &wid);
    CHECK_NEAR(len, 1.019, 1e-12);
    summary_recent_footprint(st, 0, 3.0, &len, &wid);
    CHECK(isnan(len) && isnan(wid));
}

int main(void)
{
    belt_speed_ci();
    recent_footprint();
    speed_minutes();
    known_steps();
    nothing_known();
    one_side_and_median();
    return check_exit();
}
