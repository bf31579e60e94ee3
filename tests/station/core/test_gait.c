/* test_gait - the streaming pipeline on synthetic running with known
 * answers: events, timing, sides, loading, body weight, cadence, gaps,
 * standing, API contracts. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gait.h"
#include "gc_error.h"

#define RATE      1000.0
#define SECONDS   20.0
#define STEP_S    0.35 /* 171.4 steps/min */
#define CONTACT_S 0.24
#define FIRST_IC  0.20
#define BASE_N    17.0
#define MAX_STEPS 128

static unsigned seed = 7u;
static double noise(double amp)
{
    seed = seed * 1103515245u + 12345u;
    return amp * (((seed >> 16) & 0x7fff) / 32767.0 - 0.5) * 2.0;
}

/* One rearfoot contact: impact bump (raised cosine to 1100 N at 25 ms,
 * Gaussian decay) on a half-sine active peak of 1700 N. */
static double contact(double u_s)
{
    if (u_s <= 0.0 || u_s >= CONTACT_S)
        return 0.0;
    double act = 1700.0 * pow(sin(M_PI * u_s / CONTACT_S), 1.5);
    double imp = u_s < 0.025 ? 0.5 * (1.0 - cos(M_PI * u_s / 0.025))
                             : exp(-0.5 * pow((u_s - 0.025) / 0.008, 2.0));
    return act + 900.0 * imp;
}

struct rec {
    int contact, loading, step;
    double t_loading, t_contact;
    struct gait_step final;
};
static struct rec recs[MAX_STEPS];

static void take(const struct gait_event *ev, int k)
{
    for (int i = 0; i < k; i++) {
        const struct gait_event *e = &ev[i];
        if (e->kind == GAIT_EV_GAP)
            continue;
        unsigned idx = e->step.index;
        if (idx >= MAX_STEPS)
            continue;
        struct rec *r = &recs[idx];
        if (e->kind == GAIT_EV_CONTACT) {
            /* A contact dropped before its toe-off (gap, not a step) gives
             * its index to the next one: start the record again. */
            CHECK(r->step == 0); /* order: CONTACT before STEP */
            memset(r, 0, sizeof *r);
            r->contact++;
            r->t_contact = e->t_s;
        } else if (e->kind == GAIT_EV_LOADING) {
            CHECK(r->contact == 1 && r->step == 0);
            r->loading++;
            r->t_loading = e->t_s;
        } else if (e->kind == GAIT_EV_STEP) {
            CHECK(r->contact == 1);
            r->step++;
            r->final = e->step;
        }
    }
}

int main(void)
{
    struct gait_config cfg;
    gait_config_default(&cfg, RATE);
    CHECK_NEAR(cfg.lowpass_hz, 50.0, 0.0);
    struct gait_config bad = cfg;
    bad.rate_hz = 10.0;
    CHECK(gait_new(&bad) == NULL);
    bad = cfg;
    bad.time_n = 60.0;
    CHECK(gait_new(&bad) == NULL);

    struct gait *g = gait_new(&cfg);
    CHECK(g != NULL);
    gait_set_body_weight(g, 700.0);
    size_t n = (size_t)(SECONDS * RATE);
    struct gait_sample *s = malloc(n * sizeof *s);
    for (size_t i = 0; i < n; i++) {
        double t = i / RATE;
        long k = (long)floor((t - FIRST_IC) / STEP_S);
        double u = t - FIRST_IC - k * STEP_S;
        double f = k >= 0 ? contact(u) : 0.0;
        s[i].t_s = t;
        s[i].fz_n = (float)(BASE_N + f + noise(8.0));
        s[i].copx_m = f > 50.0 ? (float)(((k & 1) ? 0.06 : -0.06) + noise(0.01)) : NAN;
        s[i].copy_m = NAN;
    }
    /* Blocks of 32 with a cap of 16, as the live DSP thread does. */
    struct gait_event ev[16];
    for (size_t a = 0; a < n; a += 32) {
        int k = gait_process(g, s + a, n - a < 32 ? n - a : 32, ev, 16);
        CHECK(k >= 0 && k <= 16);
        take(ev, k);
    }
    take(ev, gait_flush(g, ev, 16));

    int steps = 0, impacts = 0, sides_ok = 0;
    double max_ic_err = 0.0, max_lat = 0.0, max_contact_err = 0.0;
    for (int i = 0; i < MAX_STEPS && recs[i].step; i++) {
        const struct gait_step *st = &recs[i].final;
        steps++;
        double t_ic = FIRST_IC + i * STEP_S;
        max_ic_err = fmax(max_ic_err, fabs(st->t_ic_s - t_ic));
        /* The onset-based durations (the synthetic truth is the onset);
         * the threshold ones are shorter contacts, longer flights, and are
         * the differences of the threshold crossings, which lie after the
         * onset (IC) and before it (TO). */
        max_contact_err = fmax(max_contact_err, fabs(st->contact_ext_ms - 1000.0 * CONTACT_S));
        CHECK_NEAR(st->contact_ms, 1000.0 * (st->t_to_thr_s - st->t_ic_thr_s), 1e-9);
        CHECK_NEAR(st->contact_ext_ms, 1000.0 * (st->t_to_s - st->t_ic_s), 1e-9);
        CHECK(st->t_ic_thr_s > st->t_ic_s && st->t_ic_thr_s - st->t_ic_s < 0.010);
        CHECK(st->t_to_thr_s < st->t_to_s && st->t_to_s - st->t_to_thr_s <= 0.010);
        CHECK_EQ(st->threshold_n, 20.0);
        CHECK_EQ(recs[i].loading, 1);
        impacts += (st->flags & GAIT_STEP_IMPACT) != 0;
        sides_ok += st->side == ((i & 1) ? GAIT_SIDE_RIGHT : GAIT_SIDE_LEFT);
        if (st->flags & GAIT_STEP_IMPACT)
            max_lat = fmax(max_lat, recs[i].t_loading - st->t_impact_s);
        if (i > 0) {
            CHECK_NEAR(st->step_ms, 1000.0 * STEP_S, 1.0);
            CHECK_NEAR(st->step_ext_ms, 1000.0 * STEP_S, 1.0);
            CHECK_NEAR(st->flight_ext_ms, 1000.0 * (STEP_S - CONTACT_S), 3.0);
            CHECK(st->flight_ms > st->flight_ext_ms && st->flight_ms < st->flight_ext_ms + 20.0);
        }
        CHECK_NEAR(st->active_peak_bw, st->active_peak_n / 700.0, 1e-9);
    }
    /* Contacts at 0.20 + 0.35 k: k = 0..55 end before 20 s (the 57th would
     * end at 20.04 s). */
    CHECK_EQ(steps, 56);
    CHECK_EQ(impacts, steps);
    CHECK_EQ(sides_ok, steps);
    /* IC: the contact's onset; 8 N of noise and the 20 N timing level on a
     * raised-cosine toe: within 1 ms (one sample). */
    CHECK(max_ic_err < 0.001);
    CHECK(max_contact_err < 3.0); /* the (1-u)^1.5 toe-off, see stepdet.h */
    /* The hard-landing cue: LOADING within 20 ms of the impact peak. */
    CHECK(max_lat < 0.020);
    printf("%d steps, max |IC err| %.3f ms, max contact err %.2f ms, max LOADING latency after "
           "the impact peak %.1f ms\n",
           steps, 1e3 * max_ic_err, max_contact_err, 1e3 * max_lat);

    struct gait_status st;
    gait_get_status(g, &st);
    CHECK_EQ(st.steps, 56);
    CHECK_EQ(st.steps_left + st.steps_right, 56);
    CHECK_EQ(st.mode, GAIT_MODE_RUNNING);
    CHECK_NEAR(st.body_weight_n, 700.0, 0.0);
    CHECK_NEAR(st.baseline_n, BASE_N, 2.0); /* median of +-8 N uniform noise */
    CHECK_NEAR(st.cadence_step_spm, 60.0 / STEP_S, 0.2);
    CHECK_NEAR(st.cadence_spectral_spm, 60.0 / STEP_S, 0.3);
    CHECK(st.cadence_agreement < 0.5);
    gait_free(g);

    /* Body weight estimated from whole steps = mean force over them. */
    g = gait_new(&cfg);
    for (size_t a = 0; a < n; a += 512)
        CHECK(gait_process(g, s + a, n - a < 512 ? n - a : 512, ev, 16) >= 0);
    gait_get_status(g, &st);
    double mean_f = 0.0;
    size_t i0 = (size_t)(FIRST_IC * RATE), i1 = (size_t)((FIRST_IC + 56 * STEP_S) * RATE);
    for (size_t i = i0; i < i1; i++)
        mean_f += s[i].fz_n - BASE_N;
    mean_f /= (double)(i1 - i0);
    CHECK_NEAR(st.body_weight_n, mean_f, 0.005 * mean_f); /* baseline error ~2 N of 700 */
    gait_free(g);

    /* Events beyond cap are kept for the next call. */
    memset(recs, 0, sizeof recs);
    g = gait_new(&cfg);
    int total = 0, k;
    k = gait_process(g, s, 4000, ev, 1);
    CHECK_EQ(k, 1);
    take(ev, k);
    total += k;
    while ((k = gait_process(g, s + 4000, 0, ev, 1)) > 0) {
        take(ev, k);
        total += k;
    }
    CHECK_EQ(total, 3 * 11); /* contacts 0..10 end before 4 s, the 12th starts at 4.05 s */

    /* Out of order and non-finite times are refused. */
    CHECK_EQ(gait_process(g, s + 10, 1, ev, 16), GC_ERR_ARG);

    /* A gap: the open contact is dropped, the next step has no step time. */
    memset(recs, 0, sizeof recs);
    size_t cut = (size_t)((FIRST_IC + 12 * STEP_S + 0.1) * RATE); /* mid-contact 12 */
    take(ev, gait_process(g, s + 4000, cut - 4000, ev, 16));
    k = gait_mark_gap(g, s[cut + 2000].t_s, ev, 16);
    CHECK(k >= 1 && ev[k - 1].kind == GAIT_EV_GAP);
    take(ev, k);
    take(ev, gait_process(g, s + cut + 2000, 3000, ev, 16));
    int after = -1;
    for (int i = 0; i < MAX_STEPS; i++)
        if (recs[i].step && after < 0 && (recs[i].final.flags & GAIT_STEP_AFTER_GAP))
            after = i;
    CHECK(after >= 0);
    if (after >= 0) {
        CHECK(isnan(recs[after].final.step_ms));
        CHECK(recs[after].final.t_ic_s > s[cut + 2000].t_s);
    }
    gait_free(g);

    /* Standing still: no steps at all. */
    g = gait_new(&cfg);
    for (size_t i = 0; i < n; i++) {
        s[i].fz_n = (float)(700.0 + 30.0 * sin(2.0 * M_PI * 0.7 * s[i].t_s) + noise(8.0));
        s[i].copx_m = (float)(0.005 * sin(2.0 * M_PI * 0.3 * s[i].t_s));
    }
    int step_events = 0;
    for (size_t a = 0; a < n; a += 256) {
        k = gait_process(g, s + a, n - a < 256 ? n - a : 256, ev, 16);
        for (int j = 0; j < k; j++)
            step_events += ev[j].kind == GAIT_EV_STEP;
    }
    CHECK_EQ(step_events, 0);
    gait_free(g);
    free(s);
    return check_exit();
}
