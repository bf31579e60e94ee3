/* test_readiness.c - the readiness tests measured on the simulated deck
 * against the runner model's truth (station/core/readiness.h,
 * sim/readiness_model.h).
 *
 * The samples are what `gaitcue-sim --csv` writes and `station test --sim`
 * reads: cell counts x the nominal scale (5 % gain errors, 10 N offsets,
 * 4 N noise, uncalibrated), summed, COP from the four cells.  Three seeds
 * per case.  Tolerances: balance hold 0.2 s (issue 14); hop contact and
 * flight 3 ms (the 20 N crossings, interpolated, on a 4 N noise with
 * offsets removed at the flight level); peak 5 % (gain errors up to 5 %);
 * COP path and 95 % ellipse 15 % (the cells' gain errors scale the COP by
 * a few %, the residual noise after the 5 Hz filter adds path).
 * GC_CLEAN=1 turns the deck's errors and noise off: the method's own error
 * (hold within 0.03 s, path and area within 1 %, docs/course.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gc_error.h"
#include "readiness.h"
#include "readiness_model.h"
#include "runner_model.h"

struct take {
    struct gait_sample *s;
    size_t n;
    struct readiness_truth truth;
};

static void simulate(enum runner_profile profile, char side, unsigned reps, double fail_at,
                     uint64_t seed, struct take *tk)
{
    struct runner_config c;
    runner_config_default(&c, profile);
    c.side = side;
    c.reps = reps;
    c.fail_at_s = fail_at;
    c.seed = seed;
    if (getenv("GC_CLEAN"))
        c.gain_error_pct = c.offset_n = c.noise_n = c.drift_n = 0;
    struct runner *r = runner_new(&c);
    CHECK(r != NULL);
    if (!r)
        return;
    double dur = ceil(readiness_model_duration_s(runner_readiness(r)));
    tk->n = (size_t)(dur * c.rate_hz);
    tk->s = calloc(tk->n, sizeof *tk->s);
    for (size_t k = 0; k < tk->n; k++) {
        struct runner_sample rs;
        runner_next(r, &rs);
        double cell[RUNNER_CELLS], f = 0, x, y;
        for (int i = 0; i < RUNNER_CELLS; i++) {
            cell[i] = rs.counts[i] * RUNNER_N_PER_COUNT;
            f += cell[i];
        }
        bool ok = runner_cop(cell, 50.0, &x, &y);
        tk->s[k] = (struct gait_sample){rs.t_s, (float)f, ok ? (float)x : NAN, ok ? (float)y : NAN};
    }
    readiness_model_truth(runner_readiness(r), c.rate_hz, &tk->truth);
    runner_free(r);
}

static void measure(enum readiness_test t, char side, struct take *tk, struct readiness_result *res)
{
    struct readiness_criteria crit;
    readiness_criteria_default(&crit);
    struct gc_diag d;
    gc_diag_clear(&d);
    int rc = readiness_measure(t, side, tk->s, tk->n, &crit, res, &d);
    CHECK_MSG(rc == GC_OK, d.msg);
}

static void rel(double got, double want, double tol, const char *what)
{
    char m[160];
    snprintf(m, sizeof m, "%s: measured %.2f, truth %.2f (tolerance %.0f %%)", what, got, want,
             tol * 100);
    CHECK_MSG(fabs(got - want) <= tol * fabs(want), m);
}

static void test_balance(uint64_t seed)
{
    struct take tk = {0};
    struct readiness_result r;
    simulate(RUNNER_PROFILE_BALANCE, 'R', 0, 0, seed, &tk);
    measure(READINESS_BALANCE, 'R', &tk, &r);
    printf("balance seed %llu: hold %.3f s (truth %.3f), path %.1f mm (%.1f), area %.1f mm2 "
           "(%.1f)\n",
           (unsigned long long)seed, r.hold_s, tk.truth.hold_s, r.cop_path_mm, tk.truth.cop_path_mm,
           r.cop_area_mm2, tk.truth.cop_area_mm2);
    CHECK_NEAR(r.hold_s, tk.truth.hold_s, 0.2);
    CHECK(r.pass);
    CHECK_EQ(r.side, 'R');
    rel(r.cop_path_mm, tk.truth.cop_path_mm, 0.15, "balance COP path");
    rel(r.cop_area_mm2, tk.truth.cop_area_mm2, 0.15, "balance 95 % ellipse");
    free(tk.s);
    /* the other foot down after 6 s: fail */
    simulate(RUNNER_PROFILE_BALANCE, 'L', 0, 6.0, seed, &tk);
    measure(READINESS_BALANCE, 'L', &tk, &r);
    printf("balance fail-at 6 seed %llu: hold %.3f s (truth %.3f)\n", (unsigned long long)seed,
           r.hold_s, tk.truth.hold_s);
    CHECK_NEAR(r.hold_s, tk.truth.hold_s, 0.2);
    CHECK(!r.pass);
    CHECK_EQ(r.side, 'L');
    free(tk.s);
    /* 10.3 s passes, 9.7 s fails: the criterion's edge */
    simulate(RUNNER_PROFILE_BALANCE, 'R', 0, 10.3, seed, &tk);
    measure(READINESS_BALANCE, 'R', &tk, &r);
    CHECK(r.pass);
    free(tk.s);
    simulate(RUNNER_PROFILE_BALANCE, 'R', 0, 9.7, seed, &tk);
    measure(READINESS_BALANCE, 'R', &tk, &r);
    CHECK(!r.pass);
    free(tk.s);
}

static void test_hop(uint64_t seed)
{
    struct take tk = {0};
    struct readiness_result r;
    simulate(RUNNER_PROFILE_HOP, 'R', 0, 0, seed, &tk);
    measure(READINESS_HOP, 'R', &tk, &r);
    printf("hop seed %llu: %d hops (truth %u), contact %.1f ms (%.1f), flight %.1f ms (%.1f), "
           "peak %.2f BW (%.2f)\n",
           (unsigned long long)seed, r.count, tk.truth.count, r.contact_ms, tk.truth.contact_ms,
           r.flight_ms, tk.truth.flight_ms, r.peak_bw, tk.truth.peak_bw);
    CHECK_EQ(r.count, (int)tk.truth.count);
    CHECK(r.pass);
    CHECK_NEAR(r.contact_ms, tk.truth.contact_ms, 3.0);
    CHECK_NEAR(r.flight_ms, tk.truth.flight_ms, 3.0);
    rel(r.peak_bw, tk.truth.peak_bw, 0.05, "hop peak");
    free(tk.s);
    simulate(RUNNER_PROFILE_HOP, 'L', 12, 3.0, seed, &tk);
    measure(READINESS_HOP, 'L', &tk, &r);
    CHECK_EQ(r.count, (int)tk.truth.count);
    CHECK(tk.truth.count == 5);
    CHECK(!r.pass);
    free(tk.s);
}

static void test_reps(uint64_t seed)
{
    struct take tk = {0};
    struct readiness_result r;
    simulate(RUNNER_PROFILE_CALF_RAISE, 'L', 0, 0, seed, &tk);
    measure(READINESS_CALF_RAISE, 'L', &tk, &r);
    printf("calf-raise seed %llu: %d (truth %u), path %.0f mm (%.0f)\n", (unsigned long long)seed,
           r.count, tk.truth.count, r.cop_path_mm, tk.truth.cop_path_mm);
    CHECK_EQ(r.count, (int)tk.truth.count);
    CHECK(r.pass);
    rel(r.cop_path_mm, tk.truth.cop_path_mm, 0.15, "calf-raise COP path");
    free(tk.s);
    simulate(RUNNER_PROFILE_CALF_RAISE, 'R', 25, 10.0, seed, &tk);
    measure(READINESS_CALF_RAISE, 'R', &tk, &r);
    CHECK_EQ(r.count, (int)tk.truth.count);
    CHECK(!r.pass);
    free(tk.s);
    simulate(RUNNER_PROFILE_SQUAT, 'R', 0, 0, seed, &tk);
    measure(READINESS_SQUAT, 'R', &tk, &r);
    printf("squat seed %llu: %d (truth %u), path %.0f mm (%.0f), area %.0f mm2 (%.0f)\n",
           (unsigned long long)seed, r.count, tk.truth.count, r.cop_path_mm, tk.truth.cop_path_mm,
           r.cop_area_mm2, tk.truth.cop_area_mm2);
    CHECK_EQ(r.count, (int)tk.truth.count);
    CHECK(r.pass);
    rel(r.cop_path_mm, tk.truth.cop_path_mm, 0.15, "squat COP path");
    free(tk.s);
    simulate(RUNNER_PROFILE_SQUAT, 'L', 7, 0, seed, &tk);
    measure(READINESS_SQUAT, 'L', &tk, &r);
    CHECK_EQ(r.count, 7);
    CHECK(!r.pass);
    free(tk.s);
}

static void test_jog(uint64_t seed)
{
    struct take tk = {0};
    struct readiness_result r;
    simulate(RUNNER_PROFILE_JOG_SPOT, 'L', 0, 0, seed, &tk);
    measure(READINESS_JOG_SPOT, 'L', &tk, &r);
    printf("jog seed %llu: %d steps (truth %u) L %d R %d, %.1f spm (%.1f), %.1f s, peak %.2f BW "
           "(%.2f), SI peak %.1f %%\n",
           (unsigned long long)seed, r.count, tk.truth.count, r.steps_l, r.steps_r, r.cadence_spm,
           tk.truth.cadence_spm, r.jog_s, r.peak_bw, tk.truth.peak_bw, r.si_peak_pct);
    /* the jog starts and ends with a flight: every step is counted */
    CHECK_EQ(r.count, (int)tk.truth.count);
    CHECK_NEAR(r.cadence_spm, tk.truth.cadence_spm, 0.5);
    CHECK(abs(r.steps_l - r.steps_r) <= 1);
    CHECK(r.pass);
    rel(r.peak_bw, tk.truth.peak_bw, 0.05, "jog peak");
    CHECK_NEAR(r.si_peak_pct, 0.0, 10.0); /* the model jogs symmetrically; gain errors skew it */
    free(tk.s);
}

static void test_empty_deck(void)
{
    size_t n = 5000;
    struct gait_sample *s = calloc(n, sizeof *s);
    for (size_t i = 0; i < n; i++)
        s[i] = (struct gait_sample){i / 1000.0, (float)(3.0 * sin(i * 0.1)), NAN, NAN};
    struct readiness_criteria crit;
    readiness_criteria_default(&crit);
    struct readiness_result r;
    struct gc_diag d;
    gc_diag_clear(&d);
    CHECK_EQ(readiness_measure(READINESS_BALANCE, 'L', s, n, &crit, &r, &d), GC_ERR_STATE);
    CHECK(strstr(d.msg, "nobody is standing on the deck") != NULL);
    CHECK_EQ(readiness_measure(READINESS_HOP, 'L', s, 1500, &crit, &r, &d), GC_ERR_ARG);
    CHECK(strstr(d.msg, "too short") != NULL);
    free(s);
}

int main(void)
{
    for (uint64_t seed = 1; seed <= 3; seed++) {
        test_balance(seed);
        test_hop(seed);
        test_reps(seed);
    }
    test_jog(1);
    test_empty_deck();
    return check_exit();
}
