/* test_metrics - impact peak, active peak, loading rates on known shapes. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "metrics.h"

#define RATE 1000.0
#define N    1000

static float f[N];

/* Rearfoot-like stance: linear rise at `s` N/s to the impact peak P at
 * t_p, straight down by `dip` N over 10 ms, then a half-sine up to the
 * active peak A and down to zero at `len` seconds. */
static size_t rear(double s, double p, double dip, double a, double len)
{
    double tp = p / s;
    size_t n = (size_t)(len * RATE);
    if (n > N)
        n = N;
    for (size_t i = 0; i < n; i++) {
        double t = (i + 1) / RATE; /* f[0] is 1 ms after IC */
        double v;
        if (t <= tp)
            v = s * t;
        else if (t <= tp + 0.010)
            v = p - dip * (t - tp) / 0.010;
        else {
            double u = (t - tp - 0.010) / (len - tp - 0.010);
            double lo = p - dip;
            v = u < 0.5 ? lo + (a - lo) * sin(M_PI * u) : a * sin(M_PI * u);
        }
        f[i] = (float)v;
    }
    return n;
}

int main(void)
{
    struct metrics_cfg c;
    metrics_cfg_default(&c, RATE);
    struct stance_metrics m;

    /* Rearfoot with a clear impact: 60 kN/s up to 1200 N (20 ms), 150 N
     * dip, active 1800 N.  VALR = VILR = the ramp slope exactly (a straight
     * edge; 20 % and 80 % of 1200 N both lie on it). */
    size_t n = rear(60000.0, 1200.0, 150.0, 1800.0, 0.25);
    metrics_stance(&c, f, n, 0.001, 0.25, &m);
    CHECK(m.impact);
    CHECK_NEAR(m.impact_n, 1200.0, 1e-3);
    CHECK_NEAR(m.t_impact_s, 0.020, 1e-9);
    CHECK_NEAR(m.valr_n_s, 60000.0, 1.0);  /* float storage: 1e-7 relative */
    CHECK_NEAR(m.vilr_n_s, 60000.0, 10.0); /* sample-pair slopes of float data */
    CHECK(!m.lr_fallback);
    CHECK_NEAR(m.active_n, 1800.0, 1.0);

    /* Early decision: the impact is known at the dip, 25 N below the peak:
     * 25 N / (150 N / 10 ms) = 1.7 ms after it. */
    struct metrics_scan_state st;
    metrics_scan_init(&st);
    int r = METRICS_UNDECIDED;
    size_t k;
    struct stance_metrics e;
    for (k = 1; k <= n && r == METRICS_UNDECIDED; k++)
        r = metrics_loading_early(&c, &st, f, k, 0.001, 0.25, &e);
    CHECK_EQ(r, METRICS_IMPACT);
    CHECK((double)(k - 1) / RATE - 0.020 <= 0.003); /* decided <= 3 ms after the peak */
    CHECK_NEAR(e.valr_n_s, m.valr_n_s, 1e-6);

    /* Shoulder: the same edge with a 2 N dip (lost in noise on a real
     * deck): found by the flatness rule. */
    n = rear(60000.0, 1200.0, 2.0, 1800.0, 0.25);
    metrics_stance(&c, f, n, 0.001, 0.25, &m);
    CHECK(m.impact);
    CHECK_NEAR(m.impact_n, 1200.0, 1e-3);

    /* Forefoot: smooth half-sine, no impact peak; fallback window = 20-80 %
     * of the force at 13 % of stance.  For A sin(pi t / T) the crossing of
     * q * L is t = T asin(q L / A) / pi: VALR known in closed form. */
    double A = 1800.0, T = 0.25;
    n = (size_t)(T * RATE);
    for (size_t i = 0; i < n; i++)
        f[i] = (float)(A * sin(M_PI * (i + 1) / RATE / T));
    metrics_stance(&c, f, n, 0.001, T, &m);
    CHECK(!m.impact);
    CHECK(isnan(m.impact_n));
    CHECK(m.lr_fallback);
    CHECK_NEAR(m.active_n, A, 0.5); /* peak sample within 0.5 ms of the top */
    double L = A * sin(M_PI * 0.13);
    double t20 = T * asin(0.2 * L / A) / M_PI, t80 = T * asin(0.8 * L / A) / M_PI;
    double valr = 0.6 * L / (t80 - t20);
    /* Linear interpolation of a sine between 1 ms samples: chord error on
     * the crossing times below 0.2 %. */
    CHECK_NEAR(m.valr_n_s, valr, 0.002 * valr);
    /* VILR: steepest sample pair in the window = the first, slope at t20. */
    double vilr = A * M_PI / T * cos(M_PI * t20 / T);
    CHECK_NEAR(m.vilr_n_s, vilr, 0.01 * vilr);
    printf("forefoot fallback: VALR %.0f N/s (closed form %.0f), VILR %.0f (%.0f)\n", m.valr_n_s,
           valr, m.vilr_n_s, vilr);

    /* Slow rise (a walking heel, 8 kN/s) with a local max in the window:
     * no impact (not a transient). */
    n = rear(8000.0, 400.0, 60.0, 800.0, 0.6);
    metrics_stance(&c, f, n, 0.001, 0.6, &m);
    CHECK(!m.impact);

    /* Downhill-like: the impact is the highest point; the active hump after
     * the valley is lower and is the active peak. */
    n = rear(100000.0, 2200.0, 500.0, 1900.0, 0.22); /* peak on a sample: 22 ms */
    metrics_stance(&c, f, n, 0.001, 0.22, &m);
    CHECK(m.impact);
    CHECK_NEAR(m.impact_n, 2200.0, 1e-3);
    CHECK_NEAR(m.active_n, 1900.0, 1.0);

    /* An impact-like max after the window (70 ms): not an impact. */
    n = rear(12000.0, 1000.0, 100.0, 1600.0, 0.30); /* peak at 83 ms */
    metrics_stance(&c, f, n, 0.001, 0.30, &m);
    CHECK(!m.impact);

    /* Loading with nothing to measure. */
    double v1, v2;
    CHECK_EQ(metrics_loading(f, 0, RATE, 100.0, &v1, &v2), -1);
    CHECK_EQ(metrics_loading(f, 5, RATE, 1e9, &v1, &v2), -1);

    /* Symmetry index and summaries. */
    CHECK_NEAR(metrics_symmetry_pct(110.0, 90.0), 20.0, 1e-12);
    CHECK(isnan(metrics_symmetry_pct(NAN, 90.0)));
    struct gait_step s[4];
    memset(s, 0, sizeof s);
    for (int i = 0; i < 4; i++) {
        s[i].side = (i & 1) ? GAIT_SIDE_RIGHT : GAIT_SIDE_LEFT;
        s[i].contact_ms = (i & 1) ? 200.0 : 220.0;
        s[i].flight_ms = s[i].step_ms = NAN;
        s[i].valr_bw_s = s[i].vilr_bw_s = NAN;
        s[i].active_peak_bw = 2.5;
        s[i].impact_peak_bw = (i == 0) ? 1.6 : NAN;
        s[i].flags = (i == 0) ? GAIT_STEP_IMPACT : 0;
    }
    struct metrics_summary ms;
    metrics_summarize(s, 4, &ms);
    CHECK_EQ(ms.left.steps, 2);
    CHECK_NEAR(ms.all.contact_ms, 210.0, 1e-12);
    CHECK_NEAR(ms.si_contact_pct, 100.0 * 20.0 / 210.0, 1e-9);
    CHECK_NEAR(ms.all.impact_share, 0.25, 1e-12);
    CHECK_NEAR(ms.left.impact_peak_bw, 1.6, 1e-12);
    CHECK(isnan(ms.right.impact_peak_bw));
    return check_exit();
}
