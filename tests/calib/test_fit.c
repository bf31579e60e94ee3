/*
 * test_fit.c - calibration arithmetic against a synthetic deck with known
 * gains, offsets and a load split that is NOT the textbook bilinear one
 * (a twisted frame), so the fit must rely on equilibrium alone.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "fit.h"
#include "gc_error.h"

#define NOM 2.5e-4
#define NS  2000 /* samples per window: 2 s at 1 kHz */

/* True deck: gains err (counts = F / NOM * (1 + err) + offset). */
static const double g_err[PKT_CELLS] = {0.042, -0.047, 0.018, -0.031};
static const double g_off[PKT_CELLS] = {12000.0, -30000.0, 5000.0, 40000.0};
static struct pkt_sample g_buf[NS];

static uint64_t g_rng = 88172645463325252ull;
static double unif(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return (double)(g_rng >> 11) / 9007199254740992.0;
}
static double gauss(void)
{
    double u = unif() + 1e-300, v = unif();
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static void cal_geometry(struct deck_cal *cal)
{
    memset(cal, 0, sizeof *cal);
    static const double x[4] = {-0.30, 0.30, -0.30, 0.30}, y[4] = {0.70, 0.70, -0.70, -0.70};
    for (unsigned i = 0; i < 4; i++) {
        cal->cell[i].x_m = x[i];
        cal->cell[i].y_m = y[i];
        cal->cell[i].n_per_count = NOM;
    }
}

/* Statically indeterminate split: bilinear plus a self-equilibrated twist
 * (+ - - +) of twist_frac * W that a warped frame would add.  Sum and both
 * moments are those of W at (x, y) whatever twist_frac is. */
static void split(double w, double x, double y, double twist_frac, double f[4])
{
    double u = (x + 0.30) / 0.60, v = (y + 0.70) / 1.40;
    f[0] = w * (1 - u) * v;
    f[1] = w * u * v;
    f[2] = w * (1 - u) * (1 - v);
    f[3] = w * u * (1 - v);
    double t = twist_frac * w;
    f[0] += t;
    f[1] -= t;
    f[2] -= t;
    f[3] += t;
}

/* Fill g_buf: load w at (x,y), per-cell white noise noise_n, optional wobble
 * (sinusoid, N) of the total. */
static void synth(double mass_kg, double x, double y, double noise_n, double wobble_n,
                  double drift_n)
{
    for (size_t k = 0; k < NS; k++) {
        double wob = wobble_n * sin(2 * 3.141592653589793 * 1.3 * (double)k / 1000.0);
        double f[4] = {0, 0, 0, 0};
        if (mass_kg > 0 || wobble_n > 0)
            split(mass_kg * GC_G_MPS2 + wob, x, y, 0.03, f);
        for (unsigned i = 0; i < 4; i++) {
            double fi = f[i] + noise_n * gauss() + drift_n * (double)k / NS;
            g_buf[k].cell[i] = (int32_t)lround(fi / NOM * (1 + g_err[i]) + g_off[i]);
        }
        for (unsigned a = 0; a < PKT_IMU; a++)
            g_buf[k].imu[a] = 0;
    }
}

static void measure(double mass_kg, double x, double y, double out[4])
{
    struct fit_window w;
    synth(mass_kg, x, y, 2.0, 0.0, 0.0);
    CHECK_EQ(fit_window_stats(g_buf, NS, NOM, &w, NULL), GC_OK);
    memcpy(out, w.mean_counts, sizeof w.mean_counts);
}

static void zero(struct deck_cal *cal)
{
    struct fit_window w;
    struct fit_still_limits lim;
    struct gc_diag diag;
    fit_still_limits_default(&lim);
    synth(0, 0, 0, 2.0, 0.0, 0.0);
    CHECK_EQ(fit_window_stats(g_buf, NS, NOM, &w, NULL), GC_OK);
    CHECK_EQ(fit_zero(&w, &lim, cal, &diag), GC_OK);
    /* 2 N per-cell noise averaged over 2000 samples: 0.045 N = 180 counts
     * 1-sigma; 1000 counts is > 5 sigma. */
    for (unsigned i = 0; i < 4; i++)
        CHECK_NEAR(cal->cell[i].offset_counts, g_off[i], 1000.0);
}

static void test_span_recovers_gains(void)
{
    struct deck_cal cal;
    cal_geometry(&cal);
    zero(&cal);
    double px[FIT_STD_POINTS], py[FIT_STD_POINTS];
    fit_std_points(&cal, px, py);
    CHECK_NEAR(px[2], 0.15, 1e-12);
    CHECK_NEAR(py[2], 0.35, 1e-12);
    struct fit_placement pl[FIT_STD_POINTS];
    for (unsigned j = 0; j < FIT_STD_POINTS; j++) {
        pl[j].mass_kg = 20.0;
        pl[j].x_m = px[j];
        pl[j].y_m = py[j];
        measure(20.0, px[j], py[j], pl[j].mean_counts);
    }
    struct fit_span_limits lim;
    fit_span_limits_default(&lim);
    struct fit_span_result res;
    struct gc_diag diag;
    int rc = fit_span(pl, FIT_STD_POINTS, NOM, &lim, &cal, &res, &diag);
    CHECK_EQ(rc, GC_OK);
    if (rc != GC_OK)
        fprintf(stderr, "why: %s\n", diag.msg);
    printf("standard 5-point pattern: condition %.2f, rms force %.3f N, rms COP %.3f mm\n",
           res.condition, res.rms_force_n, 1e3 * res.rms_cop_m);
    /* The default condition limit (100) is justified by this figure. */
    CHECK(res.condition < 20.0);
    for (unsigned i = 0; i < 4; i++) {
        double truth = NOM / (1 + g_err[i]);
        /* Noise 2 N/cell over 2000 samples against ~50-110 N per cell:
         * relative gain error ~1e-3 at worst; 0.1 % is the target. */
        CHECK_NEAR(cal.cell[i].n_per_count / truth, 1.0, 1e-3);
    }

    /* 50 kg at a point no placement used. */
    double vx, vy;
    fit_verify_point(&cal, &vx, &vy);
    for (unsigned j = 0; j < FIT_STD_POINTS; j++)
        CHECK(hypot(vx - px[j], vy - py[j]) > 0.05);
    double counts[4];
    measure(50.0, vx, vy, counts);
    struct fit_verify_result v, u;
    CHECK_EQ(fit_verify(&cal, counts, 50.0, vx, vy, &v, NULL), GC_OK);
    struct deck_cal nominal = cal;
    for (unsigned i = 0; i < 4; i++)
        nominal.cell[i].n_per_count = NOM;
    CHECK_EQ(fit_verify(&nominal, counts, 50.0, vx, vy, &u, NULL), GC_OK);
    struct fit_verify_result refused;
    CHECK_EQ(fit_verify(&cal, counts, 0.0, vx, vy, &refused, &diag), GC_ERR_ARG);
    CHECK_MSG(diag.code == GC_ERR_ARG && strstr(diag.msg, "positive"), diag.msg);
    printf("verify 50 kg at (%.3f, %.3f): calibrated %+.3f %% / %.2f mm, nominal %+.3f %% / "
           "%.2f mm\n",
           vx, vy, v.force_err_pct, 1e3 * v.cop_err_m, u.force_err_pct, 1e3 * u.cop_err_m);
    /* Issue 8 acceptance: 0.3 % and 5 mm. */
    CHECK(fabs(v.force_err_pct) < 0.3);
    CHECK(v.cop_err_m < 0.005);
    /* The synthetic gain errors are large enough that the nominal gains
     * fail the same bound: the test could fail if calibration did nothing. */
    CHECK(fabs(u.force_err_pct) > 0.3 || u.cop_err_m > 0.005);
}

static void test_span_refusals(void)
{
    struct deck_cal cal;
    cal_geometry(&cal);
    zero(&cal);
    struct deck_cal before = cal;
    struct fit_span_limits lim;
    fit_span_limits_default(&lim);
    struct fit_span_result res;
    struct gc_diag diag;
    struct fit_placement pl[6];

    /* Too few placements. */
    for (unsigned j = 0; j < 3; j++) {
        pl[j].mass_kg = 20;
        pl[j].x_m = 0.1 * j - 0.1;
        pl[j].y_m = 0.2 * j - 0.2;
        measure(20, pl[j].x_m, pl[j].y_m, pl[j].mean_counts);
    }
    CHECK_EQ(fit_span(pl, 3, NOM, &lim, &cal, &res, &diag), GC_ERR_ARG);
    CHECK(strstr(diag.msg, "at least 4") != NULL);
    printf("3 placements: %s\n", diag.msg);

    /* A mass of 0 and a negative mass. */
    double px[5], py[5];
    fit_std_points(&cal, px, py);
    for (unsigned j = 0; j < 5; j++) {
        pl[j].mass_kg = 20;
        pl[j].x_m = px[j];
        pl[j].y_m = py[j];
        measure(20, px[j], py[j], pl[j].mean_counts);
    }
    pl[2].mass_kg = 0.0;
    CHECK_EQ(fit_span(pl, 5, NOM, &lim, &cal, &res, &diag), GC_ERR_ARG);
    CHECK(strstr(diag.msg, "placement 3") && strstr(diag.msg, "positive"));
    printf("mass 0: %s\n", diag.msg);
    pl[2].mass_kg = -20.0;
    CHECK_EQ(fit_span(pl, 5, NOM, &lim, &cal, &res, &diag), GC_ERR_ARG);
    CHECK(strstr(diag.msg, "positive") != NULL);
    pl[2].mass_kg = 20.0;

    /* A point outside the cells. */
    pl[1].x_m = 0.5;
    CHECK_EQ(fit_span(pl, 5, NOM, &lim, &cal, &res, &diag), GC_ERR_ARG);
    CHECK(strstr(diag.msg, "outside") != NULL);
    pl[1].x_m = px[1];

    /* A wrong mass entered for one placement (25 kg on the deck, 20 typed). */
    measure(25, px[3], py[3], pl[3].mean_counts);
    CHECK_EQ(fit_span(pl, 5, NOM, &lim, &cal, &res, &diag), GC_ERR_STATE);
    CHECK(strstr(diag.msg, "placement 4") != NULL);
    printf("wrong mass: %s\n", diag.msg);
    measure(20, px[3], py[3], pl[3].mean_counts);

    /* All placements on the right edge: the left cells carry nothing. */
    for (unsigned j = 0; j < 4; j++) {
        pl[j].mass_kg = 20;
        pl[j].x_m = 0.30;
        pl[j].y_m = -0.6 + 0.4 * j;
        measure(20, pl[j].x_m, pl[j].y_m, pl[j].mean_counts);
    }
    /* The twist of the synthetic frame (3 % of W) would load the left cells
     * slightly; a rigid-plate bilinear split gives them exactly nothing.
     * Either way, far below the 5 % needed. */
    CHECK_EQ(fit_span(pl, 4, NOM, &lim, &cal, &res, &diag), GC_ERR_STATE);
    CHECK(strstr(diag.msg, "front-left") && strstr(diag.msg, "rear-left") &&
          strstr(diag.msg, "unconstrained"));
    CHECK_EQ(diag.code, GC_ERR_STATE); /* the code returned is the code kept */
    printf("right edge only: %s\n", diag.msg);

    /* Four masses at one point (every cell loaded, but always in the same
     * proportions): 3 independent equations for 4 gains. */
    for (unsigned j = 0; j < 4; j++) {
        pl[j].mass_kg = 10.0 + 10.0 * j;
        pl[j].x_m = 0.05;
        pl[j].y_m = 0.1;
        measure(pl[j].mass_kg, pl[j].x_m, pl[j].y_m, pl[j].mean_counts);
    }
    CHECK_EQ(fit_span(pl, 4, NOM, &lim, &cal, &res, &diag), GC_ERR_STATE);
    CHECK(strstr(diag.msg, "cannot tell") && strstr(diag.msg, "spread"));
    printf("one point only: %s\n", diag.msg);

    /* Masses along the centre line y = 0 are enough, though: the zero
     * front/rear moment pins front and rear gains of each side together
     * while the varying x separates the sides. */
    for (unsigned j = 0; j < 4; j++) {
        pl[j].mass_kg = 20.0;
        pl[j].x_m = -0.2 + 0.13 * j;
        pl[j].y_m = 0.0;
        measure(pl[j].mass_kg, pl[j].x_m, 0.0, pl[j].mean_counts);
    }
    struct deck_cal line = cal;
    CHECK_EQ(fit_span(pl, 4, NOM, &lim, &line, &res, &diag), GC_OK);
    printf("centre line: condition %.2f\n", res.condition);

    /* Nothing above changed the calibration. */
    CHECK(memcmp(&before, &cal, sizeof cal) == 0);
}

static void test_zero_still(void)
{
    struct deck_cal cal;
    cal_geometry(&cal);
    struct deck_cal before = cal;
    struct fit_still_limits lim;
    fit_still_limits_default(&lim);
    struct fit_window w;
    struct gc_diag diag;

    /* Someone stepping around: 30 N sinusoid on a 10 kg load. */
    synth(10, 0.1, 0.1, 2.0, 30.0, 0.0);
    CHECK_EQ(fit_window_stats(g_buf, NS, NOM, &w, NULL), GC_OK);
    CHECK_EQ(fit_zero(&w, &lim, &cal, &diag), GC_ERR_STATE);
    CHECK(strstr(diag.msg, "moving") != NULL);
    printf("wobble: %s\n", diag.msg);
    /* A slow settle: 20 N per cell over the window (80 N on the total). */
    synth(0, 0, 0, 2.0, 0.0, 20.0);
    CHECK_EQ(fit_window_stats(g_buf, NS, NOM, &w, NULL), GC_OK);
    CHECK_EQ(fit_zero(&w, &lim, &cal, &diag), GC_ERR_STATE);
    printf("drift: %s\n", diag.msg);
    CHECK(memcmp(&before, &cal, sizeof cal) == 0);

    /* Noise at the simulator's default (4 N RMS on the total = 2 N per
     * cell) passes. */
    synth(0, 0, 0, 2.0, 0.0, 0.0);
    CHECK_EQ(fit_window_stats(g_buf, NS, NOM, &w, NULL), GC_OK);
    CHECK_NEAR(w.total_std_n, 4.0, 0.4); /* 2000 samples: std of std ~1.6 % */
    CHECK_EQ(fit_zero(&w, &lim, &cal, &diag), GC_OK);
    CHECK_EQ(fit_window_stats(g_buf, 10, NOM, &w, NULL), GC_ERR_ARG);
    /* Too short a capture says what to do about it. */
    CHECK_EQ(fit_window_stats(g_buf, 10, NOM, &w, &diag), GC_ERR_ARG);
    CHECK_EQ(diag.code, GC_ERR_ARG);
    CHECK_MSG(strstr(diag.msg, "too short") && strstr(diag.msg, "--window"), diag.msg);
}

static void test_imu(void)
{
    struct fit_window w;
    memset(&w, 0, sizeof w);
    const double g_per_lsb = 1.0 / 2048.0, dps_per_lsb = 1.0 / 16.4;
    double a[3] = {0.052, -0.031, 0.997};
    for (unsigned k = 0; k < 3; k++) {
        w.imu_mean[k] = a[k] / g_per_lsb;
        w.imu_std[k] = 2.0;
        w.imu_mean[3 + k] = (0.5 + k) / dps_per_lsb;
        w.imu_std[3 + k] = 3.0;
    }
    struct fit_imu_limits lim;
    fit_imu_limits_default(&lim);
    struct fit_imu_result r;
    struct gc_diag diag;
    CHECK_EQ(fit_imu(&w, g_per_lsb, dps_per_lsb, &lim, &r, &diag), GC_OK);
    double n = sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
    CHECK_NEAR(r.accel_norm_g, n, 1e-12);
    double z[3];
    for (unsigned i = 0; i < 3; i++) {
        z[i] = 0;
        for (unsigned j = 0; j < 3; j++)
            z[i] += r.rot[i][j] * a[j];
    }
    /* Rounding only: the rotation is exact algebra. */
    CHECK_NEAR(z[0], 0.0, 1e-12);
    CHECK_NEAR(z[1], 0.0, 1e-12);
    CHECK_NEAR(z[2], n, 1e-12);
    for (unsigned i = 0; i < 3; i++)
        for (unsigned j = 0; j < 3; j++) {
            double d = 0;
            for (unsigned k = 0; k < 3; k++)
                d += r.rot[i][k] * r.rot[j][k];
            CHECK_NEAR(d, i == j ? 1.0 : 0.0, 1e-12);
        }
    CHECK_NEAR(r.tilt_deg, acos(a[2] / n) * 57.29577951308232, 1e-9);
    CHECK_NEAR(r.gyro_bias_dps[2], 2.5, 1e-12);

    /* Upside down. */
    w.imu_mean[0] = w.imu_mean[1] = 0;
    w.imu_mean[2] = -1.0 / g_per_lsb;
    CHECK_EQ(fit_imu(&w, g_per_lsb, dps_per_lsb, &lim, &r, &diag), GC_OK);
    CHECK_NEAR(r.rot[2][2], -1.0, 1e-12);
    CHECK_NEAR(r.tilt_deg, 180.0, 1e-9);

    /* 1.2 g at rest: wrong range setting. */
    w.imu_mean[2] = 1.2 / g_per_lsb;
    CHECK_EQ(fit_imu(&w, g_per_lsb, dps_per_lsb, &lim, &r, &diag), GC_ERR_STATE);
    CHECK(strstr(diag.msg, "1.200 g") != NULL);
    /* Moving. */
    w.imu_mean[2] = 1.0 / g_per_lsb;
    w.imu_std[1] = 0.05 / g_per_lsb;
    CHECK_EQ(fit_imu(&w, g_per_lsb, dps_per_lsb, &lim, &r, &diag), GC_ERR_STATE);
    CHECK(strstr(diag.msg, "moving") != NULL);
}

int main(void)
{
    test_span_recovers_gains();
    test_span_refusals();
    test_zero_still();
    test_imu();
    return check_exit();
}
