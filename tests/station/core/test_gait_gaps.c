/* test_gait_gaps - short data gaps as the live path makes them: samples in
 * 10 ms blocks (one SAMPLES packet), random blocks lost (about one per
 * second, fixed seed), each resumption marked with gait_mark_gap(t of the
 * next block) exactly as station/app/live.c does.  On synthetic running
 * and on the runner model (gaitcue-sim's model, in-process through the
 * nominal deck calibration):
 *   - every true step whose IC and TO lie in received data (clear of the
 *     gap, the GAIT_GAP_SETTLE_S after it, and the filter delay) is found,
 *     with IC within 1 sample of the same pipeline without gaps and of the
 *     truth at the median;
 *   - no step has a metric computed from a window that overlaps a gap
 *     (flags GAP_INSIDE / GAP_LOADING, NAN values);
 *   - no false step; step and flight time across a gap between observed
 *     contacts equal the gapless ones;
 *   - spectral cadence keeps working.
 * Plus the cases that must still drop a contact: a flight hidden in a
 * gap (no merged step), a gap longer than GAIT_GAP_SHORT_S. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "deck.h"
#include "gait.h"
#include "runner_model.h"
#include "sim_deck.h"

#define MAXSTEPS 1024
#define MAXGAPS  256

struct src {
    size_t n;
    struct gait_sample *s;
    double rate;
    int ntrue;
    double ic[MAXSTEPS], to[MAXSTEPS]; /* true edges */
    double bw_n;
};

struct run_out {
    int n;
    struct gait_step st[MAXSTEPS];
    double spectral_spm;
    /* not-data spans in sample time: [a, b) = missing + settle */
    int ngaps;
    double ga[MAXGAPS], gb[MAXGAPS];
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static double urand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

static void take(struct run_out *o, const struct gait_event *ev, int k)
{
    for (int i = 0; i < k; i++)
        if (ev[i].kind == GAIT_EV_STEP && o->n < MAXSTEPS)
            o->st[o->n++] = ev[i].step;
}

/* Feed src in blocks of 10 ms; lose each block with probability p_lose
 * (none in the first 0.5 s), or the blocks listed in force_lost (sample
 * index of their first sample, -1 terminated). */
static void feed(const struct src *sr, double p_lose, const long *force_lost, struct run_out *o)
{
    memset(o, 0, sizeof *o);
    struct gait_config gc;
    gait_config_default(&gc, sr->rate);
    struct gait *g = gait_new(&gc);
    CHECK(g != NULL);
    if (!g)
        return;
    gait_set_body_weight(g, sr->bw_n);
    size_t blk = (size_t)lround(0.010 * sr->rate);
    struct gait_event ev[16];
    bool lost_prev = false;
    double settle = ceil(GAIT_GAP_SETTLE_S * sr->rate) / sr->rate;
    for (size_t a = 0; a < sr->n; a += blk) {
        size_t m = sr->n - a < blk ? sr->n - a : blk;
        bool lose = false;
        if (force_lost) {
            for (const long *f = force_lost; *f >= 0; f++)
                lose |= (size_t)*f == a;
        } else {
            lose = sr->s[a].t_s >= 0.5 && urand() < p_lose;
        }
        if (lose) {
            if (!lost_prev && o->ngaps < MAXGAPS)
                o->ga[o->ngaps++] = sr->s[a].t_s;
            lost_prev = true;
            continue;
        }
        if (lost_prev) {
            /* live.c: blocks missing by sequence number -> gait_mark_gap(t
             * of the first sample of the block that arrived) */
            int k = gait_mark_gap(g, sr->s[a].t_s, ev, 16);
            CHECK(k >= 1);
            take(o, ev, k);
            o->gb[o->ngaps - 1] = sr->s[a].t_s + settle;
            lost_prev = false;
        }
        int k = gait_process(g, sr->s + a, m, ev, 16);
        CHECK(k >= 0);
        take(o, ev, k);
    }
    if (lost_prev)
        o->gb[o->ngaps - 1] = INFINITY;
    take(o, ev, gait_flush(g, ev, 16));
    struct gait_status stt;
    gait_get_status(g, &stt);
    o->spectral_spm = stt.cadence_spectral_spm;
    gait_free(g);
}

/* Does [t0, t1] (sample time) touch a not-data span? */
static bool hits_gap(const struct run_out *o, double t0, double t1)
{
    for (int i = 0; i < o->ngaps; i++)
        if (t0 < o->gb[i] && t1 >= o->ga[i])
            return true;
    return false;
}

static const struct gait_step *find(const struct run_out *o, double t_ic, double tol)
{
    for (int i = 0; i < o->n; i++)
        if (fabs(o->st[i].t_ic_s - t_ic) <= tol)
            return &o->st[i];
    return NULL;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Margins around a true edge within which data must have arrived for it to
 * be observed: the filtered crossing of 20 N comes delay (4.5 ms) + 0.4-1.5
 * ms after the edge and is interpolated between two samples; the contact is
 * detected at 50 N, 2-8 ms after IC on these models (forefoot slowest).
 * 2 ms before: the sample pair straddling the crossing. */
#define IC_BEFORE_S 0.002
#define IC_AFTER_S  0.016
#define TO_BEFORE_S 0.002
#define TO_AFTER_S  0.010

struct tally {
    int want, found, hidden, hidden_dropped, false_steps, gap_inside, gap_loading, bad_metric;
};

static void check_run(const char *name, const struct src *sr, bool running, double min_share)
{
    static struct run_out ref, gp;
    rng = 0x1234567ull;
    feed(sr, 0.0, NULL, &ref);
    feed(sr, 0.01, NULL, &gp); /* 1 of 100 blocks of 10 ms: one per second */
    double period = 1.0 / sr->rate, delay_guess = 0.0045;
    double tol_match = 0.030;
    struct tally ty;
    memset(&ty, 0, sizeof ty);
    static double ic_err[MAXSTEPS], ic_err_ref[MAXSTEPS];
    int nerr = 0, nref = 0;
    double max_ref_diff = 0.0, max_step_diff = 0.0;
    int step_cmp = 0;
    for (int a = 0; a < sr->ntrue; a++) {
        double ic = sr->ic[a], to = sr->to[a];
        /* the detector needs 3 contacts of history before it trusts a
         * contact with a gap inside; and whole contacts only */
        if (ic < 2.0 || to > sr->s[sr->n - 1].t_s - 0.3)
            continue;
        bool seen = !hits_gap(&gp, ic - IC_BEFORE_S, ic + IC_AFTER_S) &&
                    !hits_gap(&gp, to - TO_BEFORE_S, to + TO_AFTER_S);
        const struct gait_step *d = find(&gp, ic, tol_match);
        const struct gait_step *r = find(&ref, ic, tol_match);
        if (!seen) {
            ty.hidden++;
            ty.hidden_dropped += d == NULL;
            continue;
        }
        ty.want++;
        if (!d) {
            printf("  %s: missed true step IC %.4f TO %.4f\n", name, ic, to);
            continue;
        }
        ty.found++;
        ic_err[nerr++] = fabs(d->t_ic_s - ic);
        if (r) {
            ic_err_ref[nref++] = fabs(r->t_ic_s - ic);
            max_ref_diff = fmax(max_ref_diff, fabs(d->t_ic_s - r->t_ic_s));
            max_ref_diff = fmax(max_ref_diff, fabs(d->t_to_s - r->t_to_s));
            if (!(d->flags & GAIT_STEP_AFTER_GAP) && isfinite(r->step_ms)) {
                /* both ICs observed: the step time across any gap is the
                 * gapless one */
                CHECK(isfinite(d->step_ms));
                max_step_diff = fmax(max_step_diff, fabs(d->step_ms - r->step_ms));
                step_cmp++;
            }
        }
    }
    /* Every detected step: a true one, and no metric from a gap. */
    for (int i = 0; i < gp.n; i++) {
        const struct gait_step *d = &gp.st[i];
        bool hit = false;
        for (int a = 0; a < sr->ntrue && !hit; a++)
            hit = fabs(d->t_ic_s - sr->ic[a]) <= tol_match && fabs(d->t_to_s - sr->to[a]) <= 0.02;
        if (!hit) {
            printf("  %s: false step IC %.4f TO %.4f contact %.1f ms flags %#x\n", name, d->t_ic_s,
                   d->t_to_s, d->contact_ms, d->flags);
            ty.false_steps++;
        }
        /* The stance's samples in sample time (filtered samples lag by the
         * delay): from the first sample after the IC crossing, which is at
         * least delay after IC (IC is moved back from the crossing, by the
         * tangent), to the TO crossing, which is at least delay - 10 ms
         * after TO (moved forward by the tangent, at most
         * STEPDET_MAX_EXTRAP_S).  So the check covers the stance except
         * possibly its last 10 ms (force below ~100 N there). */
        double s0 = d->t_ic_s + delay_guess + period, s1 = d->t_to_s + delay_guess - 0.010;
        bool inside = hits_gap(&gp, s0, s1);
        bool flagged = (d->flags & GAIT_STEP_GAP_INSIDE) != 0;
        ty.gap_inside += flagged;
        ty.gap_loading += (d->flags & GAIT_STEP_GAP_LOADING) != 0;
        int bad = 0;
        if (inside && !flagged)
            bad++;
        if (inside && isfinite(d->active_peak_n))
            bad++;
        /* impact peak and its 20-80 % window: data from IC to the peak and
         * the rise after its valley (at least the dip's 5 ms, here checked
         * up to 30 ms after the peak only when the value exists) */
        if (isfinite(d->impact_peak_n) && hits_gap(&gp, s0, d->t_impact_s + delay_guess + period))
            bad++;
        if (isfinite(d->valr_bw_s)) {
            double end =
                isfinite(d->t_impact_s) ? d->t_impact_s : d->t_ic_s + 0.13 * d->contact_ms * 1e-3;
            if (hits_gap(&gp, s0, end + delay_guess + period))
                bad++;
        }
        if ((d->flags & GAIT_STEP_GAP_LOADING) &&
            (isfinite(d->impact_peak_n) || isfinite(d->valr_bw_s) || (d->flags & GAIT_STEP_IMPACT)))
            bad++;
        if (bad) {
            printf("  %s: step IC %.4f TO %.4f flags %#x impact %.0f valr %.1f active %.0f: metric "
                   "from a gap\n",
                   name, d->t_ic_s, d->t_to_s, d->flags, d->impact_peak_n, d->valr_bw_s,
                   d->active_peak_n);
            for (int q = 0; q < gp.ngaps; q++)
                if (gp.gb[q] > s0 - 0.1 && gp.ga[q] < s1 + 0.1)
                    printf("    not data %.4f - %.4f\n", gp.ga[q], gp.gb[q]);
        }
        ty.bad_metric += bad > 0;
    }
    qsort(ic_err, (size_t)nerr, sizeof ic_err[0], cmp_d);
    double med = nerr ? ic_err[nerr / 2] : NAN, mx = nerr ? ic_err[nerr - 1] : NAN;
    int over = 0, over_ref = 0;
    for (int i = 0; i < nerr; i++)
        over += ic_err[i] > period;
    for (int i = 0; i < nref; i++)
        over_ref += ic_err_ref[i] > period;
    printf("%s: %d true steps, %d gaps; gapless %d steps, with gaps %d steps (%.1f %%); "
           "edges received: %d, found %d; an edge near a gap: %d (%d dropped); "
           "gap_inside %d, gap_loading %d; false %d; metric from a gap %d; "
           "|IC - truth| median %.3f ms, max %.3f ms, %d over 1 sample (gapless: %d); "
           "max |IC,TO - gapless| %.3f ms; max |step_ms - gapless| %.3f ms over %d steps; "
           "spectral %.2f / gapless %.2f spm\n",
           name, sr->ntrue, gp.ngaps, ref.n, gp.n, 100.0 * gp.n / (ref.n ? ref.n : 1), ty.want,
           ty.found, ty.hidden, ty.hidden_dropped, ty.gap_inside, ty.gap_loading, ty.false_steps,
           ty.bad_metric, 1e3 * med, 1e3 * mx, over, over_ref, 1e3 * max_ref_diff, max_step_diff,
           step_cmp, gp.spectral_spm, ref.spectral_spm);
    CHECK(gp.ngaps >= 40);
    CHECK_EQ(ty.false_steps, 0);
    CHECK_EQ(ty.bad_metric, 0);
    if (running) {
        CHECK_EQ(ty.found, ty.want);
        CHECK(ty.want > 0);
        CHECK(med <= period); /* one sample at the median, as without gaps */
        /* vs the truth: the pipeline's own error (docs/analysis.md section
         * 6: max 1-2 ms on the model, with or without gaps) plus at most the
         * one sample allowed against the gapless run */
        double mx_ref = 0.0;
        for (int i = 0; i < nref; i++)
            mx_ref = fmax(mx_ref, ic_err_ref[i]);
        CHECK(mx <= mx_ref + period);
        /* Steps far from a gap are the gapless steps; after a gap the
         * filter has settled to < 5 N (GAIT_GAP_SETTLE_S): one sample. */
        CHECK(max_ref_diff <= period + 1e-9);
        CHECK(max_step_diff <= 1e3 * period + 1e-6);
        CHECK(step_cmp > 0);
        CHECK(ty.gap_inside > 0);
    }
    CHECK(gp.n >= min_share * ref.n);
    /* The spectrum holds the last value over 10 ms per second: < 0.5 spm. */
    CHECK_NEAR(gp.spectral_spm, ref.spectral_spm, 0.5);
}

/* ---- sources ---- */

static void src_runner(struct src *sr, enum runner_profile prof, enum runner_strike strike,
                       double seconds, uint64_t seed)
{
    struct runner_config rc;
    runner_config_default(&rc, prof);
    rc.strike = strike;
    rc.seed = seed;
    struct runner *r = runner_new(&rc);
    CHECK(r != NULL);
    if (!r)
        return;
    struct deck_cal cal;
    CHECK_EQ(sim_deck_cal(&cal), 0);
    sr->rate = rc.rate_hz;
    sr->bw_n = runner_body_weight_n(r);
    sr->n = (size_t)(seconds * rc.rate_hz);
    sr->s = malloc(sr->n * sizeof *sr->s);
    sr->ntrue = 0;
    for (size_t i = 0; i < sr->n; i++) {
        sim_deck_next(r, &cal, &sr->s[i]);
        struct runner_step st;
        while (runner_pop_step(r, &st))
            if (sr->ntrue < MAXSTEPS) {
                sr->ic[sr->ntrue] = st.t_ic_s;
                sr->to[sr->ntrue] = st.t_to_s;
                sr->ntrue++;
            }
    }
    runner_free(r);
}

static unsigned nseed = 7u;
static double noise(double amp)
{
    nseed = nseed * 1103515245u + 12345u;
    return amp * (((nseed >> 16) & 0x7fff) / 32767.0 - 0.5) * 2.0;
}

/* Synthetic rearfoot running as in test_gait: impact bump on a half-sine
 * active peak, contact_s long, every step_s; +17 N offset, 8 N noise. */
static double contact_force(double u, double contact_s)
{
    if (u <= 0.0 || u >= contact_s)
        return 0.0;
    double act = 1700.0 * pow(sin(M_PI * u / contact_s), 1.5);
    double imp =
        u < 0.025 ? 0.5 * (1.0 - cos(M_PI * u / 0.025)) : exp(-0.5 * pow((u - 0.025) / 0.008, 2.0));
    return act + 900.0 * imp;
}

static void src_synth(struct src *sr, double seconds, double step_s, double contact_s)
{
    const double first = 0.20;
    sr->rate = 1000.0;
    sr->bw_n = 700.0;
    sr->n = (size_t)(seconds * sr->rate);
    sr->s = malloc(sr->n * sizeof *sr->s);
    sr->ntrue = 0;
    for (size_t i = 0; i < sr->n; i++) {
        double t = (double)i / sr->rate;
        long k = (long)floor((t - first) / step_s);
        double f = k >= 0 ? contact_force(t - first - (double)k * step_s, contact_s) : 0.0;
        sr->s[i].t_s = t;
        sr->s[i].fz_n = (float)(17.0 + f + noise(8.0));
        sr->s[i].copx_m = f > 50.0 ? (float)(((k & 1) ? 0.06 : -0.06) + noise(0.01)) : NAN;
        sr->s[i].copy_m = NAN;
    }
    for (long k = 0; first + (double)k * step_s + contact_s < seconds && sr->ntrue < MAXSTEPS;
         k++) {
        sr->ic[sr->ntrue] = first + (double)k * step_s;
        sr->to[sr->ntrue] = sr->ic[sr->ntrue] + contact_s;
        sr->ntrue++;
    }
}

/* A flight shorter than the not-data span: both contacts lose an edge;
 * they must not come out as one merged step. */
static void hidden_flight(void)
{
    struct src sr;
    /* 30 ms flights: contact 0.30 s every 0.33 s */
    src_synth(&sr, 12.0, 0.33, 0.30);
    static struct run_out o;
    /* lose 3 blocks (30 ms) around the flight after the contact starting
     * at 0.20 + 20 * 0.33 = 6.80 s: TO at 7.10 s, next IC 7.13 s */
    long lost[] = {7090, 7100, 7110, 7120, -1};
    feed(&sr, 0.0, lost, &o);
    int merged = 0, around = 0;
    for (int i = 0; i < o.n; i++) {
        merged += o.st[i].contact_ms > 400.0;
        around += fabs(o.st[i].t_ic_s - 6.80) < 0.01 || fabs(o.st[i].t_ic_s - 7.13) < 0.01;
    }
    const struct gait_step *next = find(&o, 7.46, 0.005);
    printf("hidden flight: %d steps, merged %d, steps with an edge in the gap %d, next step "
           "after_gap %d\n",
           o.n, merged, around, next ? (next->flags & GAIT_STEP_AFTER_GAP) != 0 : -1);
    CHECK_EQ(merged, 0);
    CHECK_EQ(around, 0);
    CHECK(next != NULL && (next->flags & GAIT_STEP_AFTER_GAP) && isnan(next->step_ms));
    /* 35 true contacts of 12 s, minus the first (no flight before the data
     * is needed... it has 0.2 s) and the last cut by the end, minus 2 */
    CHECK(o.n >= sr.ntrue - 3);
    free(sr.s);
}

/* A gap inside a contact that leaves both edges observed, exact values;
 * and the same place with a gap just longer than GAIT_GAP_SHORT_S. */
static void one_gap(void)
{
    struct src sr;
    src_synth(&sr, 8.0, 0.35, 0.24);
    static struct run_out ref, o, lng;
    feed(&sr, 0.0, NULL, &ref);
    /* contact 12: IC 0.20 + 12 * 0.35 = 4.40 s, TO 4.64 s.  Lose 4.50-4.51
     * (mid-stance, after the impact and its valley). */
    long mid[] = {4500, -1};
    feed(&sr, 0.0, mid, &o);
    const struct gait_step *a = find(&o, 4.40, 0.003), *r = find(&ref, 4.40, 0.003);
    CHECK(a != NULL && r != NULL);
    if (a && r) {
        printf("one gap mid-stance: flags %#x IC %+.3f TO %+.3f ms vs gapless; impact %.1f / "
               "%.1f N, valr %.2f / %.2f, active %.0f\n",
               a->flags, 1e3 * (a->t_ic_s - r->t_ic_s), 1e3 * (a->t_to_s - r->t_to_s),
               a->impact_peak_n, r->impact_peak_n, a->valr_bw_s, r->valr_bw_s, a->active_peak_n);
        CHECK(a->flags & GAIT_STEP_GAP_INSIDE);
        CHECK(!(a->flags & GAIT_STEP_GAP_LOADING));
        CHECK(!(a->flags & GAIT_STEP_AFTER_GAP));
        /* the samples before the gap are the same samples: exact */
        CHECK_NEAR(a->t_ic_s, r->t_ic_s, 1e-12);
        CHECK_NEAR(a->impact_peak_n, r->impact_peak_n, 1e-9);
        CHECK_NEAR(a->valr_bw_s, r->valr_bw_s, 1e-9);
        CHECK(a->flags & GAIT_STEP_IMPACT);
        CHECK(isnan(a->active_peak_n) && isnan(a->active_peak_bw));
        /* TO after the settled filter: within a sample */
        CHECK_NEAR(a->t_to_s, r->t_to_s, 1e-3);
        CHECK_NEAR(a->step_ms, r->step_ms, 1e-6);
        CHECK_NEAR(a->flight_ms, r->flight_ms, 1e-6);
    }
    /* Lose 4.41-4.42: inside the loading window (impact at ~25 ms). */
    long early[] = {4410, -1};
    feed(&sr, 0.0, early, &o);
    a = find(&o, 4.40, 0.003);
    CHECK(a != NULL);
    if (a) {
        printf("one gap in the loading window: flags %#x impact %.1f valr %.2f active %.0f\n",
               a->flags, a->impact_peak_n, a->valr_bw_s, a->active_peak_n);
        CHECK(a->flags & GAIT_STEP_GAP_INSIDE);
        CHECK(a->flags & GAIT_STEP_GAP_LOADING);
        CHECK(!(a->flags & GAIT_STEP_IMPACT));
        CHECK(isnan(a->impact_peak_n) && isnan(a->valr_bw_s) && isnan(a->vilr_bw_s));
        CHECK_NEAR(a->contact_ms, r->contact_ms, 1.0);
    }
    /* 60 ms (6 blocks) from 4.48: longer than GAIT_GAP_SHORT_S: dropped,
     * and the next step has no step time. */
    long lg[] = {4480, 4490, 4500, 4510, 4520, 4530, -1};
    feed(&sr, 0.0, lg, &lng);
    a = find(&lng, 4.40, 0.003);
    const struct gait_step *nx = find(&lng, 4.75, 0.003);
    CHECK(a == NULL);
    CHECK(nx != NULL && (nx->flags & GAIT_STEP_AFTER_GAP) && isnan(nx->step_ms));
    /* 50 ms (5 blocks) is short: kept */
    long sh[] = {4480, 4490, 4500, 4510, 4520, -1};
    feed(&sr, 0.0, sh, &o);
    a = find(&o, 4.40, 0.003);
    CHECK(a != NULL && (a->flags & GAIT_STEP_GAP_INSIDE));
    free(sr.s);
}

int main(void)
{
    one_gap();
    hidden_flight();

    struct src sr;
    src_synth(&sr, 60.0, 0.35, 0.24);
    check_run("synthetic rear 171", &sr, true, 0.80);
    free(sr.s);
    src_runner(&sr, RUNNER_PROFILE_RUN, RUNNER_STRIKE_REAR, 60.0, 31);
    check_run("model run rear", &sr, true, 0.80);
    free(sr.s);
    src_runner(&sr, RUNNER_PROFILE_RUN, RUNNER_STRIKE_FORE, 60.0, 32);
    check_run("model run fore", &sr, true, 0.80);
    free(sr.s);
    /* Walking: the COP split is not gap-tolerant in double support; only
     * no false steps and no metric from a gap are asserted, the share is
     * reported. */
    src_runner(&sr, RUNNER_PROFILE_WALK, RUNNER_STRIKE_REAR, 60.0, 33);
    check_run("model walk", &sr, false, 0.0);
    free(sr.s);
    return check_exit();
}
