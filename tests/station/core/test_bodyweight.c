/*
 * test_bodyweight - body weight from whole steps (bodyweight.h) on
 * generated running of known impulse:
 *   - every step's contact is a half sine whose impulse is exactly
 *     BW x step time, with step times alternating 330 / 370 ms; the
 *     estimate is BW;
 *   - samples before the first initial contact, intervals longer than
 *     BODYWEIGHT_MAX_STEP_S, intervals without a step time and the open
 *     interval at a break never count;
 *   - a weigh-in / mass overrides the estimate, and an invalid one does not.
 * Samples at 1 kHz, forces in N above the flight baseline.
 */
#include <math.h>
#include <stdio.h>

#include "bodyweight.h"
#include "check.h"

#define RATE_HZ 1000.0
#define BW_N    700.0
#define PI      3.14159265358979323846

/* One step of n_step samples: a half sine over n_contact samples (midpoint
 * sampling) scaled so that the sum of the samples is exactly
 * bw x n_step, then flight at zero.  Returns that impulse (sum). */
static double step(struct bodyweight *b, int n_step, int n_contact, double bw_n, double flight_n)
{
    double s = 0.0;
    for (int i = 0; i < n_contact; i++)
        s += sin(PI * (i + 0.5) / n_contact);
    double peak = bw_n * n_step / s, sum = 0.0;
    for (int i = 0; i < n_step; i++) {
        double f = i < n_contact ? peak * sin(PI * (i + 0.5) / n_contact) : flight_n;
        bodyweight_sample(b, f);
        sum += f;
    }
    return sum;
}

static void running(void)
{
    struct bodyweight b;
    bodyweight_init(&b);
    CHECK(isnan(bodyweight_n(&b)));
    CHECK(!bodyweight_is_set(&b));

    /* Before the first IC: someone standing (1000 N for 1 s) - not a whole
     * step, never counted. */
    for (int i = 0; i < 1000; i++)
        bodyweight_sample(&b, 1000.0);
    CHECK(isnan(bodyweight_n(&b)));

    /* First IC: no previous step (NAN): opens the first interval only. */
    bodyweight_ic(&b, NAN);
    double sum = 0.0;
    long cnt = 0;
    for (int k = 0; k < 200; k++) {
        int n_step = (k & 1) ? 370 : 330; /* a limp: 40 ms asymmetry */
        sum += step(&b, n_step, 240, BW_N, 0.0);
        cnt += n_step;
        bodyweight_ic(&b, n_step / RATE_HZ);
        if (k == 0) /* one whole step is enough for an estimate */
            CHECK_NEAR(bodyweight_n(&b), BW_N, 1e-9 * BW_N);
    }
    /* Each step's impulse is BW x step time to rounding (1e-12 relative
     * over 200 sums of a few hundred terms), so the mean is BW. */
    CHECK_NEAR(sum / (double)cnt, BW_N, 1e-9 * BW_N);
    CHECK_NEAR(bodyweight_n(&b), BW_N, 1e-9 * BW_N);
    printf("200 steps of 330/370 ms: %.6f N (truth %.1f N)\n", bodyweight_n(&b), BW_N);

    /* Flight noise of zero mean (+-20 N alternating) leaves it within the
     * noise's residue over a step: at most 20 N / 330 samples = 0.06 N. */
    bodyweight_init(&b);
    bodyweight_ic(&b, NAN);
    for (int k = 0; k < 100; k++) {
        step(&b, 350, 250, BW_N, (k & 1) ? 20.0 : -20.0);
        bodyweight_ic(&b, 0.35);
    }
    CHECK_NEAR(bodyweight_n(&b), BW_N, 0.06);
}

static void intervals_that_do_not_count(void)
{
    struct bodyweight b;
    bodyweight_init(&b);
    bodyweight_ic(&b, NAN);
    for (int k = 0; k < 10; k++) {
        step(&b, 350, 250, BW_N, 0.0);
        bodyweight_ic(&b, 0.35);
    }
    CHECK_NEAR(bodyweight_n(&b), BW_N, 1e-9 * BW_N);

    /* A pause: 3 s of standing at 1.5 BW between two ICs.  The interval is
     * longer than BODYWEIGHT_MAX_STEP_S and is dropped. */
    for (int i = 0; i < 3000; i++)
        bodyweight_sample(&b, 1.5 * BW_N);
    bodyweight_ic(&b, 3.0);
    CHECK_NEAR(bodyweight_n(&b), BW_N, 1e-9 * BW_N);
    /* Exactly at the limit it still counts: a 2 s "step" at 2 BW moves it. */
    struct bodyweight c = b;
    for (int i = 0; i < 2000; i++)
        bodyweight_sample(&c, 2.0 * BW_N);
    bodyweight_ic(&c, BODYWEIGHT_MAX_STEP_S);
    CHECK(bodyweight_n(&c) > BW_N + 1.0);

    /* An interval whose step time is unknown (after a gap: NAN, or <= 0). */
    for (int i = 0; i < 350; i++)
        bodyweight_sample(&b, 3.0 * BW_N);
    bodyweight_ic(&b, NAN);
    for (int i = 0; i < 350; i++)
        bodyweight_sample(&b, 3.0 * BW_N);
    bodyweight_ic(&b, 0.0);
    for (int i = 0; i < 350; i++)
        bodyweight_sample(&b, 3.0 * BW_N);
    bodyweight_ic(&b, -0.35);
    CHECK_NEAR(bodyweight_n(&b), BW_N, 1e-9 * BW_N);

    /* A break (data gap) drops the open interval and the samples until the
     * next IC; the IC after a break only opens a new interval. */
    for (int i = 0; i < 200; i++)
        bodyweight_sample(&b, 3.0 * BW_N);
    bodyweight_break(&b);
    for (int i = 0; i < 150; i++)
        bodyweight_sample(&b, 3.0 * BW_N);
    bodyweight_ic(&b, 0.35);
    CHECK_NEAR(bodyweight_n(&b), BW_N, 1e-9 * BW_N);
    /* ... and whole steps after it count again. */
    step(&b, 350, 250, 2.0 * BW_N, 0.0);
    bodyweight_ic(&b, 0.35);
    /* 10 steps of 350 samples at BW, one at 2 BW: (10 + 2) / 11 BW. */
    CHECK_NEAR(bodyweight_n(&b), BW_N * 12.0 / 11.0, 1e-9 * BW_N);

    /* Two ICs at the same sample (no samples between): nothing counts. */
    bodyweight_ic(&b, 0.001);
    CHECK_NEAR(bodyweight_n(&b), BW_N * 12.0 / 11.0, 1e-9 * BW_N);
}

static void set_value_overrides(void)
{
    struct bodyweight b;
    bodyweight_init(&b);
    bodyweight_ic(&b, NAN);
    step(&b, 350, 250, BW_N, 0.0);
    bodyweight_ic(&b, 0.35);
    bodyweight_set(&b, 65.0 * 9.80665); /* a mass of 65 kg */
    CHECK(bodyweight_is_set(&b));
    CHECK(bodyweight_n(&b) == 65.0 * 9.80665);
    /* Steps keep accumulating underneath but the set value wins. */
    step(&b, 350, 250, 2.0 * BW_N, 0.0);
    bodyweight_ic(&b, 0.35);
    CHECK(bodyweight_n(&b) == 65.0 * 9.80665);
    /* Invalid values clear it: the estimate (BW and 2 BW: 1.5 BW) again. */
    double bad[] = {0.0, -700.0, NAN, INFINITY};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bodyweight_set(&b, 65.0 * 9.80665);
        bodyweight_set(&b, bad[i]);
        CHECK(!bodyweight_is_set(&b));
        CHECK_NEAR(bodyweight_n(&b), 1.5 * BW_N, 1e-9 * BW_N);
    }
}

int main(void)
{
    running();
    intervals_that_do_not_count();
    set_value_overrides();
    return check_exit();
}
