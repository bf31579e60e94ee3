/* test_gait_sim - the live path in-process: runner model -> raw ADC counts
 * -> deck_convert (nominal calibration, as from HELLO) -> gait, compared
 * with the model's true steps.  Also the hard-landing cue timing: every
 * LOADING event of a step with an impact peak comes within 20 ms of the
 * true impact peak (sensor time at which it became known). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "deck.h"
#include "gait.h"
#include "runner_model.h"
#include "sim_deck.h"

#define MAXS 512

struct truth {
    int n;
    struct runner_step s[MAXS];
};

static void run(enum runner_profile prof, enum runner_strike strike, double seconds, uint64_t seed)
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
    struct gait_config gc;
    gait_config_default(&gc, rc.rate_hz);
    struct gait *g = gait_new(&gc);
    gait_set_body_weight(g, runner_body_weight_n(r));

    static struct truth tr;
    static struct gait_step det[MAXS];
    static double t_loading[MAXS];
    int ndet = 0;
    tr.n = 0;
    for (int i = 0; i < MAXS; i++)
        t_loading[i] = NAN;
    size_t n = (size_t)(seconds * rc.rate_hz);
    struct gait_sample blk[32];
    struct gait_event ev[16];
    size_t nb = 0;
    for (size_t i = 0; i < n; i++) {
        sim_deck_next(r, &cal, &blk[nb++]);
        if (nb == 32 || i + 1 == n) {
            int k = gait_process(g, blk, nb, ev, 16);
            CHECK(k >= 0);
            for (int j = 0; j < k; j++) {
                unsigned idx = ev[j].step.index;
                if (ev[j].kind == GAIT_EV_LOADING && idx < MAXS)
                    t_loading[idx] = ev[j].t_s;
                if (ev[j].kind == GAIT_EV_STEP && ndet < MAXS)
                    det[ndet++] = ev[j].step;
            }
            nb = 0;
        }
        struct runner_step st;
        while (tr.n < MAXS && runner_pop_step(r, &st))
            tr.s[tr.n++] = st;
    }
    /* Match each true step (whole contact inside the data) to a detection
     * within 60 ms. */
    int tp = 0, side_ok = 0, imp_ok = 0, late = 0, matched_imp = 0;
    double ic_err[MAXS];
    for (int a = 0; a < tr.n; a++) {
        const struct runner_step *t = &tr.s[a];
        if (t->t_to_s > seconds - 0.5)
            continue;
        for (int b = 0; b < ndet; b++) {
            if (fabs(det[b].t_ic_s - t->t_ic_s) > 0.060)
                continue;
            ic_err[tp++] = fabs(det[b].t_ic_s - t->t_ic_s);
            side_ok += (int)det[b].side == (int)t->side;
            bool has = (det[b].flags & GAIT_STEP_IMPACT) != 0;
            imp_ok += has == t->has_impact;
            if (has && t->has_impact) {
                matched_imp++;
                double lat = t_loading[det[b].index] - t->t_impact_s;
                if (!(lat <= 0.020))
                    late++;
            }
            break;
        }
    }
    int want = 0;
    for (int a = 0; a < tr.n; a++)
        want += tr.s[a].t_to_s <= seconds - 0.5;
    /* Detections well inside the data that match no true step. */
    int fp = 0;
    for (int b = 0; b < ndet; b++) {
        if (det[b].t_to_s > seconds - 0.6)
            continue;
        int hit = 0;
        for (int a = 0; a < tr.n && !hit; a++)
            hit = fabs(det[b].t_ic_s - tr.s[a].t_ic_s) <= 0.060;
        fp += !hit;
    }
    /* median IC error */
    for (int i = 1; i < tp; i++)
        for (int j = i; j > 0 && ic_err[j - 1] > ic_err[j]; j--) {
            double x = ic_err[j];
            ic_err[j] = ic_err[j - 1];
            ic_err[j - 1] = x;
        }
    double med = tp ? ic_err[tp / 2] : NAN;
    printf("%s/%s: %d true steps, %d matched, %d detected; median |IC err| %.3f ms; side %d/%d; "
           "impact %d/%d; LOADING later than 20 ms after the impact peak: %d of %d\n",
           runner_profile_name(prof), strike == RUNNER_STRIKE_REAR ? "rear" : "fore", want, tp,
           ndet, 1e3 * med, side_ok, tp, imp_ok, tp, late, matched_imp);
    CHECK_EQ(tp, want);
    CHECK_EQ(fp, 0);
    CHECK(med <= 1.0 / rc.rate_hz); /* one sample */
    CHECK_EQ(side_ok, tp);
    CHECK_EQ(imp_ok, tp);
    CHECK_EQ(late, 0);
    gait_free(g);
    runner_free(r);
}

int main(void)
{
    run(RUNNER_PROFILE_RUN, RUNNER_STRIKE_REAR, 40.0, 21);
    run(RUNNER_PROFILE_RUN, RUNNER_STRIKE_FORE, 40.0, 22);
    run(RUNNER_PROFILE_WALK, RUNNER_STRIKE_REAR, 40.0, 23);
    return check_exit();
}
