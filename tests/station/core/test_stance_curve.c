/*
 * test_stance_curve.c - stance_curve.h against synthetic stances with a
 * known mean and SD.
 *
 * 1 kHz, alternating stances with 100 ms flights between them:
 *   left  250 ms, F = A sin(pi s), A alternating 1300 / 1500 N (mean 1400,
 *         sample SD 100 sin(pi s) sqrt(n / (n - 1)));
 *   right 200 ms, F = 1800 sin(pi s) N every time (SD 0);
 * s = 0..1 over the stance.  Group 1 has twice the amplitudes.  BW 700 N.
 * COP: left x = -0.10 m, y from +0.20 to -0.20 m over the stance; right
 * x = +0.10 m, y from +0.10 to -0.30 m; NAN in flight.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "stance_curve.h"

#define RATE_HZ 1000.0
#define BW_N    700.0
#define PI      3.14159265358979323846

struct stance {
    double t0, dur, amp;
    enum gait_side side;
    int group;
};

static double force_at(const struct stance *st, size_t n, double t, double *x, double *y)
{
    for (size_t i = 0; i < n; i++) {
        double s = (t - st[i].t0) / st[i].dur;
        if (s >= 0 && s <= 1) {
            bool l = st[i].side == GAIT_SIDE_LEFT;
            *x = l ? -0.10 : 0.10;
            *y = l ? 0.20 - 0.40 * s : 0.10 - 0.40 * s;
            return st[i].amp * sin(PI * s);
        }
    }
    *x = *y = NAN;
    return 0;
}

static struct gait_step step_of(const struct stance *st, uint32_t index)
{
    struct gait_step g;
    gait_step_clear(&g);
    g.index = index;
    g.side = st->side;
    g.t_ic_thr_s = st->t0;
    g.t_to_thr_s = st->t0 + st->dur;
    return g;
}

/* Feeds the samples from t_from to t_to (exclusive) in blocks of 32. */
static void feed(struct stance_curve *sc, const struct stance *st, size_t n, long *k_next,
                 double t_to)
{
    struct gait_sample b[32];
    size_t m = 0;
    for (; *k_next / RATE_HZ < t_to; (*k_next)++) {
        double t = (double)*k_next / RATE_HZ, x, y;
        double f = force_at(st, n, t, &x, &y);
        b[m++] = (struct gait_sample){t, (float)f, (float)x, (float)y};
        if (m == 32) {
            CHECK_EQ(stance_curve_add_samples(sc, b, m, NULL), GC_OK);
            m = 0;
        }
    }
    if (m)
        CHECK_EQ(stance_curve_add_samples(sc, b, m, NULL), GC_OK);
}

static void test_mean_sd(void)
{
    enum { N_PAIRS = 20 };
    struct stance st[4 * N_PAIRS];
    size_t n = 0;
    double t = 0.1;
    for (int g = 0; g < 2; g++)
        for (int i = 0; i < N_PAIRS; i++) {
            double k = g ? 2.0 : 1.0;
            st[n++] = (struct stance){t, 0.250, k * (i % 2 ? 1500 : 1300), GAIT_SIDE_LEFT, g};
            t += 0.350;
            st[n++] = (struct stance){t, 0.200, k * 1800, GAIT_SIDE_RIGHT, g};
            t += 0.300;
        }
    struct stance_curve *sc;
    CHECK_EQ(stance_curve_new(RATE_HZ, 2, &sc, NULL), GC_OK);
    if (!sc)
        return;
    long k = 0;
    for (size_t i = 0; i < n; i++) {
        /* the step becomes known 60 ms after its toe-off (the detector's
         * delay), as in the DSP */
        feed(sc, st, n, &k, st[i].t0 + st[i].dur + 0.060);
        struct gait_step g = step_of(&st[i], (uint32_t)i);
        CHECK_EQ(stance_curve_add_step(sc, &g, st[i].group), 1);
    }
    CHECK_EQ(stance_curve_skipped(sc), 0);

    struct stance_curve_result l, r, l1;
    CHECK_EQ(stance_curve_get(sc, GAIT_SIDE_LEFT, 0, BW_N, &l, NULL), GC_OK);
    CHECK_EQ(stance_curve_get(sc, GAIT_SIDE_RIGHT, 0, BW_N, &r, NULL), GC_OK);
    CHECK_EQ(stance_curve_get(sc, GAIT_SIDE_LEFT, 1, BW_N, &l1, NULL), GC_OK);
    /* side split: each side has its own steps, neither the other's */
    CHECK_EQ(l.n, N_PAIRS);
    CHECK_EQ(r.n, N_PAIRS);
    CHECK_EQ(l1.n, N_PAIRS);
    /* contact times: 250 and 200 ms, exact to rounding */
    CHECK_NEAR(l.contact_ms, 250.0, 1e-6);
    CHECK_NEAR(r.contact_ms, 200.0, 1e-6);
    /* Linear interpolation of a sine sampled every 1 ms over a 200 ms
     * half-period errs by at most A (pi / 200)^2 / 8 = 0.06 N (0.0001 BW
     * at 1800 N); float samples add 1e-4 N.  Tolerance 0.001 BW. */
    const double tol = 0.001;
    double sd_factor = sqrt((double)N_PAIRS / (N_PAIRS - 1));
    for (int p = 0; p < STANCE_CURVE_POINTS; p++) {
        double s = sin(PI * p / 100.0);
        CHECK_NEAR(l.mean_bw[p], 1400.0 * s / BW_N, tol);
        CHECK_NEAR(l.sd_bw[p], 100.0 * s * sd_factor / BW_N, tol);
        CHECK_NEAR(r.mean_bw[p], 1800.0 * s / BW_N, tol);
        CHECK_NEAR(r.sd_bw[p], 0.0, tol);
        CHECK_NEAR(l1.mean_bw[p], 2800.0 * s / BW_N, tol);
    }
    /* normalisation: the peak at 50 % of stance whatever the duration */
    int pk_l = 0, pk_r = 0;
    for (int p = 1; p < STANCE_CURVE_POINTS; p++) {
        if (l.mean_bw[p] > l.mean_bw[pk_l])
            pk_l = p;
        if (r.mean_bw[p] > r.mean_bw[pk_r])
            pk_r = p;
    }
    CHECK_EQ(pk_l, 50);
    CHECK_EQ(pk_r, 50);

    /* COP paths: the first STANCE_PATHS_MAX of each side and group */
    const float *x, *y;
    size_t np = stance_curve_paths(sc, GAIT_SIDE_RIGHT, 0, &x, &y);
    CHECK_EQ(np, N_PAIRS);
    for (int i = 0; i < STANCE_PATH_POINTS; i++) {
        double s = (double)i / (STANCE_PATH_POINTS - 1);
        /* float COP: 1e-6 m; at the ends the flight neighbour has no
         * COP and the stance sample stands for it: one sample of travel,
         * 0.40 m / 200 ms x 1 ms = 2 mm */
        CHECK_NEAR(x[i], 0.10, 1e-6);
        CHECK_NEAR(y[i], 0.10 - 0.40 * s, 0.0025);
    }
    np = stance_curve_paths(sc, GAIT_SIDE_LEFT, 1, &x, &y);
    CHECK_EQ(np, N_PAIRS);
    CHECK_NEAR(x[STANCE_PATH_POINTS + 10], -0.10, 1e-6);
    CHECK_NEAR(y[STANCE_PATH_POINTS + 20], 0.0, 1e-5); /* mid-stance of the second */
    stance_curve_free(sc);
}

/* Steps that must not be used, and bad calls. */
static void test_refusals(void)
{
    struct stance st[3] = {
        {0.10, 0.25, 1400, GAIT_SIDE_LEFT, 0},
        {0.45, 0.20, 1800, GAIT_SIDE_RIGHT, 0},
        {0.95, 0.25, 1400, GAIT_SIDE_LEFT, 0},
    };
    struct stance_curve *sc;
    CHECK_EQ(stance_curve_new(RATE_HZ, 1, &sc, NULL), GC_OK);
    if (!sc)
        return;
    long k = 0;
    feed(sc, st, 3, &k, 0.70);
    struct gait_step g = step_of(&st[0], 0);
    g.side = GAIT_SIDE_UNKNOWN;
    CHECK_EQ(stance_curve_add_step(sc, &g, 0), 0); /* side unknown */
    g = step_of(&st[0], 0);
    g.flags |= GAIT_STEP_GAP_INSIDE;
    CHECK_EQ(stance_curve_add_step(sc, &g, 0), 0); /* gap inside */
    g = step_of(&st[2], 2);
    CHECK_EQ(stance_curve_add_step(sc, &g, 0), 0); /* not yet in the ring */
    g = step_of(&st[1], 1);
    g.t_to_thr_s = NAN;
    CHECK_EQ(stance_curve_add_step(sc, &g, 0), 0);          /* no toe-off */
    CHECK_EQ(stance_curve_add_step(sc, &g, 1), GC_ERR_ARG); /* no group 1 */
    /* a hole of 5 samples inside the third stance */
    struct gait_sample b[800];
    size_t m = 0;
    for (long j = k; j < 1400; j++)
        if (j < 1000 || j > 1005) {
            double x, y, t = (double)j / RATE_HZ;
            double f = force_at(st, 3, t, &x, &y);
            b[m++] = (struct gait_sample){t, (float)f, (float)x, (float)y};
        }
    CHECK_EQ(stance_curve_add_samples(sc, b, m, NULL), GC_OK);
    g = step_of(&st[2], 2);
    CHECK_EQ(stance_curve_add_step(sc, &g, 0), 0);
    CHECK_EQ(stance_curve_skipped(sc), 5);
    /* samples out of time order */
    struct gc_diag dg;
    struct gait_sample old = {0.5, 0, NAN, NAN};
    CHECK_EQ(stance_curve_add_samples(sc, &old, 1, &dg), GC_ERR_ARG);
    CHECK(strstr(dg.msg, "not in time order") != NULL);
    /* more than STANCE_RING_S of samples later the first stance is gone */
    k = 1400;
    feed(sc, st, 3, &k, 0.10 + STANCE_RING_S + 1.0);
    g = step_of(&st[0], 0);
    CHECK_EQ(stance_curve_add_step(sc, &g, 0), 0);
    CHECK_EQ(stance_curve_skipped(sc), 6);
    struct stance_curve_result res;
    CHECK_EQ(stance_curve_get(sc, GAIT_SIDE_LEFT, 0, BW_N, &res, NULL), GC_OK);
    CHECK_EQ(res.n, 0);
    CHECK(isnan(res.mean_bw[50]) && isnan(res.sd_bw[50]) && isnan(res.contact_ms));
    CHECK_EQ(stance_curve_get(sc, GAIT_SIDE_UNKNOWN, 0, BW_N, &res, NULL), GC_ERR_ARG);
    CHECK_EQ(stance_curve_get(sc, GAIT_SIDE_LEFT, 0, 0.0, &res, NULL), GC_ERR_ARG);
    stance_curve_free(sc);
    struct stance_curve *bad;
    CHECK_EQ(stance_curve_new(0.0, 1, &bad, &dg), GC_ERR_ARG);
    CHECK(bad == NULL);
    CHECK_EQ(stance_curve_new(500.0, STANCE_GROUPS_MAX + 1, &bad, NULL), GC_ERR_ARG);
}

int main(void)
{
    test_mean_sd();
    test_refusals();
    return check_exit();
}
