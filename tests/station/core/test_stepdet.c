/* test_stepdet - contact hysteresis, timing, baseline on synthetic force. */
#include <math.h>
#include <stdio.h>

#include "check.h"
#include "gc_error.h"
#include "stepdet.h"

#define RATE 1000.0

/* Trapezoid contact: baseline b, linear rise at s N/s from t0 to plateau P,
 * plateau, linear fall at the same slope. */
static double trap(double t, double t0, double b, double s, double p, double len)
{
    double u = t - t0;
    if (u <= 0.0 || u >= len)
        return b;
    double r = p / s;
    if (u < r)
        return b + s * u;
    if (u > len - r)
        return b + s * (len - u);
    return b + p;
}

int main(void)
{
    struct stepdet sd;
    CHECK_EQ(stepdet_init(&sd, 20.0, 50.0, RATE, true), GC_ERR_ARG);
    CHECK_EQ(stepdet_init(&sd, 50.0, 20.0, RATE, true), GC_OK);

    /* Running-like train: offset +17 N (the Fukuchi deck), rise 50 kN/s,
     * 1500 N plateau, 250 ms contacts every 350 ms. */
    double slope = 50000.0, base = 17.0;
    int ons = 0, offs = 0;
    double max_ic_err = 0.0, max_to_err = 0.0;
    for (int i = 0; i < (int)(3.0 * RATE); i++) {
        double t = i / RATE;
        double t0 = 0.1 + 0.35 * floor((t - 0.1) / 0.35);
        double y = trap(t, t0, base, slope, 1500.0, 0.25);
        double tc;
        int e = stepdet_push(&sd, t, y, &tc);
        if (e == STEPDET_ON) {
            ons++;
            /* Linear edge: crossing of 20 N at t0 + 20/s, moved back by
             * STEPDET_TANGENT_SHARE * 20/s.  Only exact once the baseline
             * is right (from the second contact; the first one is timed
             * against min(0, lowest force) = 0, 17 N too low). */
            double want = t0 + (1.0 - STEPDET_TANGENT_SHARE) * 20.0 / slope;
            if (ons > 1 && fabs(tc - want) > max_ic_err)
                max_ic_err = fabs(tc - want);
        } else if (e == STEPDET_OFF) {
            offs++;
            double want = t0 + 0.25 - (1.0 - STEPDET_TANGENT_SHARE_TO) * 20.0 / slope;
            if (ons > 1 && fabs(tc - want) > max_to_err)
                max_to_err = fabs(tc - want);
        }
    }
    CHECK_EQ(ons, 9);         /* contacts at 0.10, 0.45, ... 2.90 s */
    CHECK_EQ(offs, 8);        /* the last one ends at 3.15 s, after the data */
    CHECK(max_ic_err < 1e-9); /* linear interpolation on a linear edge: exact */
    CHECK(max_to_err < 1e-9);
    CHECK_NEAR(stepdet_baseline(&sd), base, 1e-6); /* median of a flat flight */

    /* Noise in flight below the detection level never starts a contact;
     * drift of the baseline is followed. */
    stepdet_init(&sd, 50.0, 20.0, RATE, true);
    ons = 0;
    unsigned seed = 12345u;
    double drift_end = 0.0;
    for (int i = 0; i < (int)(20.0 * RATE); i++) {
        double t = i / RATE;
        double drift = 40.0 * t / 20.0; /* 2 N/s, 40 N in total */
        seed = seed * 1103515245u + 12345u;
        double noise = 25.0 * (((seed >> 16) & 0x7fff) / 32767.0 - 0.5); /* +-12.5 N */
        double t0 = 0.1 + 0.35 * floor((t - 0.1) / 0.35);
        double y = trap(t, t0, drift, slope, 1500.0, 0.25) + noise;
        double tc;
        if (stepdet_push(&sd, t, y, &tc) == STEPDET_ON)
            ons++;
        drift_end = drift;
    }
    CHECK_EQ(ons, 57); /* (20 - 0.1) / 0.35 = 56.9 -> contacts at 0.1 .. 19.7 s */
    /* Baseline lags the drift by about 1/alpha flights: 2 N/s * ~1 s, plus
     * the median of uniform noise. */
    CHECK_NEAR(stepdet_baseline(&sd), drift_end, 4.0);

    /* A recording that starts mid-stance yields no contact until a flight
     * has been seen (armed only below the timing level). */
    stepdet_init(&sd, 50.0, 20.0, RATE, true);
    ons = offs = 0;
    for (int i = 0; i < 400; i++) {
        double t = i / RATE;
        double y = trap(t, -0.1, 0.0, slope, 1500.0, 0.25); /* contact already on */
        double tc;
        int e = stepdet_push(&sd, t, y, &tc);
        ons += e == STEPDET_ON;
        offs += e == STEPDET_OFF;
    }
    CHECK_EQ(ons, 0);
    CHECK_EQ(offs, 0);

    /* Hum under the toe-off: the falling edge turns up at 35 N (below the
     * detection level, above the timing level) and rises into the next
     * contact without a flight below 20 N: the contacts are not merged. */
    stepdet_init(&sd, 50.0, 20.0, RATE, true);
    ons = offs = 0;
    for (int i = 0; i < 1000; i++) {
        double t = i / RATE;
        double y;
        if (t < 0.1)
            y = 0.0;
        else if (t < 0.35)
            y = trap(t, 0.1, 0.0, slope, 1500.0, 0.25 + 35.0 / slope);
        else
            y = 35.0 + 30000.0 * (t - 0.35) * (t > 0.36 ? 1.0 : 0.0) -
                (t <= 0.36 ? 500.0 * (t - 0.35) : 0.0);
        if (y > 1500.0)
            y = 1500.0;
        double tc;
        int e = stepdet_push(&sd, t, y, &tc);
        ons += e == STEPDET_ON;
        offs += e == STEPDET_OFF;
    }
    CHECK_EQ(ons, 2);
    CHECK_EQ(offs, 1);

    /* Extrapolation limits. */
    CHECK_NEAR(stepdet_extrapolate(20.0, 1.0), -STEPDET_MAX_EXTRAP_S, 1e-12);
    CHECK_NEAR(stepdet_extrapolate(20.0, -10000.0), STEPDET_TANGENT_SHARE_TO * 0.002, 1e-12);
    CHECK_NEAR(stepdet_extrapolate(20.0, 0.0), 0.0, 0.0);
    return check_exit();
}
