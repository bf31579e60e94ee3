/*
 * test_baseline - the flight baseline (baseline.h) on generated decks of
 * known answer:
 *   - a zeroed deck, an empty deck with an offset (adopted after
 *     BASELINE_INIT_S, not before), a negative offset (at once);
 *   - a runner standing on the deck (600 N for 10 s) never becomes the
 *     zero, nor does any lowest force above BASELINE_MAX_OFFSET_N;
 *   - the first flight replaces the guess outright; later flights follow a
 *     drifting offset as an exponential average (BASELINE_ALPHA);
 *   - a flight without a finite median is ignored.
 * Samples at 1 kHz, forces in N.
 */
#include <math.h>
#include <stdio.h>

#include "baseline.h"
#include "check.h"

#define RATE_HZ 1000.0

/* Deterministic noise, uniform in [-1, 1]. */
static unsigned seed = 4242u;
static double noise(void)
{
    seed = seed * 1103515245u + 12345u;
    return ((seed >> 16) & 0x7fff) / 16383.5 - 1.0;
}

/* Feed `seconds` of force f(t) from t0; returns the time after the last. */
static double feed(struct baseline *b, double t0_s, double seconds, double level_n, double sway_n)
{
    long n = lround(seconds * RATE_HZ);
    for (long i = 0; i < n; i++)
        baseline_observe(b, t0_s + i / RATE_HZ, level_n + sway_n * noise());
    return t0_s + n / RATE_HZ;
}

static void zeroed_and_offsets(void)
{
    struct baseline b;
    baseline_init(&b);
    CHECK(baseline_level(&b) == 0.0); /* a zeroed (calibrated) deck until told otherwise */
    CHECK_EQ(b.flights, 0);

    /* Empty deck reading +17 N (the Fukuchi treadmill) with +-5 N noise:
     * before BASELINE_INIT_S the lowest force says nothing (a recording may
     * start mid-stance), so the level stays at min(0, lowest) = 0. */
    double t = feed(&b, 0.0, BASELINE_INIT_S - 0.1, 17.0, 5.0);
    CHECK(baseline_level(&b) == 0.0);
    /* After it, the lowest force seen is the offset: 17 - 5 at the least
     * (uniform noise reaches within 0.01 N of its edge in 2000 draws). */
    t = feed(&b, t, 0.5, 17.0, 5.0);
    CHECK_NEAR(baseline_level(&b), 12.0, 0.05);
    CHECK(baseline_level(&b) >= 12.0); /* never below the lowest force */

    /* A negative offset is taken at once: min(0, lowest). */
    baseline_init(&b);
    baseline_observe(&b, 0.0, -12.5);
    CHECK(baseline_level(&b) == -12.5);
    baseline_observe(&b, 0.001, -3.0);
    CHECK(baseline_level(&b) == -12.5);

    /* The limit itself: an empty deck at exactly BASELINE_MAX_OFFSET_N is
     * adopted, one newton more is a person and is not. */
    baseline_init(&b);
    feed(&b, 0.0, BASELINE_INIT_S + 0.5, BASELINE_MAX_OFFSET_N, 0.0);
    CHECK(baseline_level(&b) == BASELINE_MAX_OFFSET_N);
    baseline_init(&b);
    feed(&b, 0.0, BASELINE_INIT_S + 0.5, BASELINE_MAX_OFFSET_N + 1.0, 0.0);
    CHECK(baseline_level(&b) == 0.0);
    (void)t;
}

static void standing_runner_is_never_the_zero(void)
{
    /* A runner stands still on the deck from the first sample: 600 N with
     * 0.4 % sway (+-2.4 N) for 10 s, no flight.  The level must stay the
     * calibration's zero at every sample, not only at the end. */
    struct baseline b;
    baseline_init(&b);
    long n = lround(10.0 * RATE_HZ), moved = 0;
    for (long i = 0; i < n; i++) {
        baseline_observe(&b, i / RATE_HZ, 600.0 + 2.4 * noise());
        moved += baseline_level(&b) != 0.0;
    }
    CHECK_EQ(moved, 0);
    CHECK(b.min_n > BASELINE_MAX_OFFSET_N); /* the fixture is what it claims */

    /* Then the runner starts running: the first flight measures the empty
     * deck (+15 N) and replaces the level outright. */
    baseline_flight(&b, 15.0);
    CHECK(baseline_level(&b) == 15.0);
    CHECK_EQ(b.flights, 1);
    CHECK(b.from_flight);
    /* Once flights are measured, a standing runner again changes nothing:
     * observe is ignored and no flight means the level holds. */
    feed(&b, 10.0, 10.0, 600.0, 2.4);
    CHECK(baseline_level(&b) == 15.0);

    /* The same with an empty deck first: its offset (17 N) is adopted after
     * 2 s, and the runner stepping on for 10 s leaves it there. */
    baseline_init(&b);
    double t = feed(&b, 0.0, 3.0, 17.0, 0.0);
    CHECK(baseline_level(&b) == 17.0);
    feed(&b, t, 10.0, 600.0, 2.4);
    CHECK(baseline_level(&b) == 17.0);
}

static void flights_follow_drift(void)
{
    /* Running at 170 steps/min: a flight every 0.353 s.  The empty deck's
     * offset drifts from 17 N at 10 N per minute (temperature; faster than
     * real decks) and each flight's median carries +-1 N of noise. */
    struct baseline b;
    baseline_init(&b);
    const double step_s = 60.0 / 170.0, drift_n_s = 10.0 / 60.0;
    double worst = 0.0, last_err = 0.0;
    int flights = 0;
    for (double t = 0.0; t < 120.0; t += step_s) {
        double truth = 17.0 + drift_n_s * t;
        double med = truth + noise();
        baseline_flight(&b, med);
        flights++;
        if (flights == 1)
            CHECK(baseline_level(&b) == med); /* the first flight replaces the guess */
        if (t > 10.0) {                        /* after ~30 flights: settled */
            double err = baseline_level(&b) - truth;
            if (fabs(err) > worst)
                worst = fabs(err);
            last_err = err;
        }
    }
    CHECK_EQ(b.flights, flights);
    /* An exponential average with weight a lags a ramp of r per flight by
     * r (1 - a) / a = 0.0588 N x 2.33 = 0.137 N; the +-1 N noise passes
     * with sd 0.577 x sqrt(a / (2 - a)) = 0.24 N, so 4 sd + lag < 1.2 N. */
    printf("drift 10 N/min: worst |level - offset| %.3f N after 10 s, last %.3f N\n", worst,
           last_err);
    CHECK(worst <= 1.2);
    /* The lag's sign: a rising offset is followed from below on average. */
    double sum = 0.0;
    int k = 0;
    baseline_init(&b);
    for (double t = 0.0; t < 120.0; t += step_s) {
        baseline_flight(&b, 17.0 + drift_n_s * t);
        if (t > 10.0) {
            sum += 17.0 + drift_n_s * t - baseline_level(&b);
            k++;
        }
    }
    /* Noise-free: the lag is exactly r (1 - a) / a once settled
     * ((1 - a)^30 < 3e-5 of the start-up error remains). */
    double r = drift_n_s * step_s;
    CHECK_NEAR(sum / k, r * (1.0 - BASELINE_ALPHA) / BASELINE_ALPHA, 1e-3);

    /* One step of the average, exactly: level += a (median - level). */
    baseline_init(&b);
    baseline_flight(&b, 10.0);
    baseline_flight(&b, 20.0);
    CHECK_NEAR(baseline_level(&b), 10.0 + BASELINE_ALPHA * 10.0, 1e-12);

    /* A flight without a median (NAN, inf) is no flight. */
    baseline_flight(&b, NAN);
    baseline_flight(&b, INFINITY);
    CHECK_NEAR(baseline_level(&b), 10.0 + BASELINE_ALPHA * 10.0, 1e-12);
    CHECK_EQ(b.flights, 2);

    /* Walking or standing after running (no flights): the level holds. */
    double held = baseline_level(&b);
    feed(&b, 200.0, 5.0, 650.0, 100.0);
    CHECK(baseline_level(&b) == held);
}

int main(void)
{
    zeroed_and_offsets();
    standing_runner_is_never_the_zero();
    flights_follow_drift();
    return check_exit();
}
