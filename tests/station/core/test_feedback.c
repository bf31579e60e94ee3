/*
 * test_feedback.c - the feedback policy in virtual time.
 *
 * Steps are synthesised with exact step times, so every expected value below
 * is exact arithmetic; tolerances only absorb floating-point rounding unless
 * stated otherwise.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "feedback.h"
#include "gc_error.h"

/* A synthetic runner: CONTACT at IC, LOADING 30 ms later, STEP at toe-off
 * 250 ms later (events in time order, as gait_process emits them). */
struct runner {
    double t_ic_s;
    uint32_t index;
    double valr_bw_s;
    double impact_bw;
    unsigned cues; /* OR of every cue returned */
    unsigned hard_cues, good_cues;
};

static void runner_step(struct runner *r, struct feedback *fb, double step_ms)
{
    struct gait_event ev;
    memset(&ev, 0, sizeof ev);
    double t_ic = r->t_ic_s + step_ms / 1000.0;
    ev.step.index = r->index;
    ev.step.side = (r->index % 2) ? GAIT_SIDE_RIGHT : GAIT_SIDE_LEFT;
    ev.step.t_ic_s = t_ic;
    ev.step.step_ms = r->index ? step_ms : NAN;
    ev.step.cadence_spm = 60000.0 / step_ms;
    ev.step.valr_bw_s = NAN;
    ev.step.impact_peak_bw = NAN;
    ev.kind = GAIT_EV_CONTACT;
    ev.t_s = t_ic + 0.005;
    r->cues |= feedback_tick(fb, ev.t_s);
    r->cues |= feedback_on_event(fb, &ev);
    ev.kind = GAIT_EV_LOADING;
    ev.t_s = t_ic + 0.030;
    ev.step.valr_bw_s = r->valr_bw_s;
    ev.step.impact_peak_bw = r->impact_bw;
    r->cues |= feedback_tick(fb, ev.t_s);
    unsigned c = feedback_on_event(fb, &ev);
    r->hard_cues += (c & FEEDBACK_CUE_HARD_LANDING) != 0;
    r->cues |= c;
    ev.kind = GAIT_EV_STEP;
    ev.t_s = t_ic + 0.250;
    ev.step.t_to_s = t_ic + 0.240;
    r->cues |= feedback_tick(fb, ev.t_s);
    c = feedback_on_event(fb, &ev);
    r->good_cues += (c & FEEDBACK_CUE_GOOD_STEP) != 0;
    r->cues |= c;
    r->t_ic_s = t_ic;
    r->index++;
}

static struct feedback *make(const struct feedback_config *cfg)
{
    struct feedback *fb = feedback_new(cfg);
    CHECK(fb != NULL);
    feedback_start(fb, 0.0);
    return fb;
}

static void base_config(struct feedback_config *cfg)
{
    feedback_config_default(cfg);
    cfg->start_phase = FEEDBACK_PHASE_TRAINING;
    cfg->target_relative = false;
    cfg->target_cadence_spm = 170.0; /* band 165.75 .. 174.25 */
    cfg->band_pct = 2.5;
    cfg->band_hyst_pct = 0.5;
    cfg->cadence_steps = 8;
}

static void test_band_entry_exit(void)
{
    struct feedback_config cfg;
    base_config(&cfg);
    struct feedback *fb = make(&cfg);
    struct runner r = {.valr_bw_s = 40, .impact_bw = NAN};
    struct feedback_view v;

    for (int i = 0; i < 12; i++)
        runner_step(&r, fb, 375.0); /* 160 steps/min */
    feedback_get_view(fb, &v);
    CHECK_NEAR(v.cadence_spm, 160.0, 1e-9);
    CHECK_EQ(v.band, FEEDBACK_BAND_LOW);
    CHECK(v.metronome_on);
    CHECK_NEAR(v.metronome_spm, 170.0, 1e-12);
    CHECK_NEAR(v.band_lo_spm, 165.75, 1e-9);
    CHECK_NEAR(v.band_hi_spm, 174.25, 1e-9);

    /* Switch to exactly 170: the median of 8 crosses on the 5th new step
     * (4 new: median = mean(352.94, 375) ms -> 164.85 spm, still low). */
    double ms170 = 60000.0 / 170.0;
    for (int i = 0; i < 4; i++)
        runner_step(&r, fb, ms170);
    feedback_get_view(fb, &v);
    CHECK_EQ(v.band, FEEDBACK_BAND_LOW);
    CHECK_NEAR(v.cadence_spm, 60000.0 / (0.5 * (ms170 + 375.0)), 1e-9);
    runner_step(&r, fb, ms170);
    feedback_get_view(fb, &v);
    CHECK_EQ(v.band, FEEDBACK_BAND_IN);
    CHECK_NEAR(v.cadence_spm, 170.0, 1e-9);
    CHECK(v.metronome_on); /* continuous: metronome stays on in the band */

    /* Hysteresis: 174.5 is outside the band (174.25) but within the 0.5 %
     * margin (175.10): still IN.  176 leaves it. */
    for (int i = 0; i < 8; i++)
        runner_step(&r, fb, 60000.0 / 174.5);
    feedback_get_view(fb, &v);
    CHECK_NEAR(v.cadence_spm, 174.5, 1e-9);
    CHECK_EQ(v.band, FEEDBACK_BAND_IN);
    for (int i = 0; i < 8; i++)
        runner_step(&r, fb, 60000.0 / 176.0);
    feedback_get_view(fb, &v);
    CHECK_EQ(v.band, FEEDBACK_BAND_HIGH);
    /* coming back: 174.5 is not inside the band, so it stays HIGH */
    for (int i = 0; i < 8; i++)
        runner_step(&r, fb, 60000.0 / 174.5);
    feedback_get_view(fb, &v);
    CHECK_EQ(v.band, FEEDBACK_BAND_HIGH);

    /* ticker: newest last, sides alternate, shape data present */
    CHECK_EQ(v.ticker_n, FEEDBACK_TICKER_LEN);
    CHECK_EQ(v.ticker[FEEDBACK_TICKER_LEN - 1].index, r.index - 1);
    CHECK(v.ticker[FEEDBACK_TICKER_LEN - 1].final);
    CHECK(v.ticker[FEEDBACK_TICKER_LEN - 1].side == (((r.index - 1) % 2) ? 'R' : 'L'));
    CHECK_EQ(v.ticker[FEEDBACK_TICKER_LEN - 1].band, FEEDBACK_BAND_HIGH);
    feedback_free(fb);
}

static void test_stride_cadence_and_share(void)
{
    struct feedback_config cfg;
    base_config(&cfg);
    struct feedback *fb = make(&cfg);
    struct runner r = {.valr_bw_s = 40, .impact_bw = NAN};
    struct feedback_view v;
    /* A 7 % left/right asymmetry (340/366 ms) around 169.97 steps/min:
     * single steps would read 176.5 and 163.9 (both out of band), strides
     * read 169.97 (in band).  The first step has no step time, the second
     * no previous step: both are scored from their own step time. */
    for (int i = 0; i < 40; i++)
        runner_step(&r, fb, (i % 2) ? 366.0 : 340.0);
    feedback_get_view(fb, &v);
    /* step 0: no step time (unscored); step 1: 366 ms alone -> 163.9 (out);
     * steps 2..39: stride 353 ms -> in band. */
    CHECK_EQ(v.steps_scored, 39);
    CHECK_EQ(v.steps_in_band, 38);
    CHECK_NEAR(v.share_in_band, 38.0 / 39.0, 1e-12);
    CHECK_NEAR(v.ticker[v.ticker_n - 1].cadence_spm, 60000.0 / 353.0, 1e-9);
    CHECK_EQ(v.ticker[v.ticker_n - 1].band, FEEDBACK_BAND_IN);

    /* 10 steps well out of band (150 spm): 38 of 49 */
    for (int i = 0; i < 10; i++)
        runner_step(&r, fb, 400.0);
    feedback_get_view(fb, &v);
    CHECK_EQ(v.steps_scored, 49);
    CHECK_EQ(v.steps_in_band, 38);
    CHECK_EQ(v.steps_total, 50);
    feedback_free(fb);
}

static void test_bandwidth_mode(void)
{
    struct feedback_config cfg;
    base_config(&cfg);
    cfg.mode = FEEDBACK_MODE_BANDWIDTH;
    cfg.good_step_cue = true;
    cfg.good_step_every = 2;
    struct feedback *fb = make(&cfg);
    struct runner r = {.valr_bw_s = 40, .impact_bw = NAN};
    struct feedback_view v;

    /* No cadence yet: outside the band as far as we know -> metronome on. */
    feedback_get_view(fb, &v);
    CHECK_EQ(v.band, FEEDBACK_BAND_UNKNOWN);
    CHECK(v.metronome_on);
    for (int i = 0; i < 20; i++)
        runner_step(&r, fb, 60000.0 / 170.0);
    feedback_get_view(fb, &v);
    CHECK_EQ(v.band, FEEDBACK_BAND_IN);
    CHECK(!v.metronome_on); /* silence inside the band */
    CHECK(v.feedback_on);
    CHECK_EQ(r.good_cues, 0); /* no good-step cue in bandwidth mode */
    CHECK_EQ(r.cues, 0);

    /* A hard landing is outside its own band: cued even in bandwidth mode. */
    r.valr_bw_s = 90.0;
    runner_step(&r, fb, 60000.0 / 170.0);
    CHECK_EQ(r.hard_cues, 1);
    r.valr_bw_s = 40.0;

    for (int i = 0; i < 10; i++)
        runner_step(&r, fb, 60000.0 / 160.0);
    feedback_get_view(fb, &v);
    CHECK_EQ(v.band, FEEDBACK_BAND_LOW);
    CHECK(v.metronome_on);
    CHECK_NEAR(v.metronome_spm, 170.0, 1e-12);

    /* muted: no metronome and no cues, band still shown */
    feedback_set_mute(fb, true);
    r.valr_bw_s = 90.0;
    runner_step(&r, fb, 60000.0 / 160.0);
    feedback_get_view(fb, &v);
    CHECK(!v.metronome_on);
    CHECK_EQ(r.hard_cues, 1);
    CHECK_EQ(v.band, FEEDBACK_BAND_LOW);
    feedback_free(fb);
}

static void test_continuous_good_step(void)
{
    struct feedback_config cfg;
    base_config(&cfg);
    cfg.good_step_cue = true;
    cfg.good_step_every = 10;
    struct feedback *fb = make(&cfg);
    struct runner r = {.valr_bw_s = 40, .impact_bw = NAN};
    /* 41 steps at 170: step 0 has no cadence, steps 1..40 are good: a cue
     * after each 10 in a row -> 4 cues. */
    for (int i = 0; i < 41; i++)
        runner_step(&r, fb, 60000.0 / 170.0);
    CHECK_EQ(r.good_cues, 4);
    /* a hard landing breaks the streak */
    r.valr_bw_s = 70.0;
    runner_step(&r, fb, 60000.0 / 170.0);
    r.valr_bw_s = 40.0;
    for (int i = 0; i < 9; i++)
        runner_step(&r, fb, 60000.0 / 170.0);
    CHECK_EQ(r.good_cues, 4);
    runner_step(&r, fb, 60000.0 / 170.0);
    CHECK_EQ(r.good_cues, 5);
    CHECK_EQ(r.hard_cues, 1);
    feedback_free(fb);
}

static void test_loading(void)
{
    struct feedback_config cfg;
    base_config(&cfg);
    cfg.loading_ceiling_bw_s = 66.0;
    cfg.impact_ceiling_bw = 2.0;
    struct feedback *fb = make(&cfg);
    struct runner r = {.valr_bw_s = 65.9, .impact_bw = 1.5};
    struct feedback_view v;
    runner_step(&r, fb, 350.0);
    CHECK_EQ(r.hard_cues, 0);
    r.valr_bw_s = 66.1;
    runner_step(&r, fb, 350.0);
    CHECK_EQ(r.hard_cues, 1);
    feedback_get_view(fb, &v);
    CHECK(v.last_hard);
    CHECK_NEAR(v.last_valr_bw_s, 66.1, 1e-12);
    CHECK(v.ticker[v.ticker_n - 1].hard);
    /* impact peak over its ceiling with a low VALR is also hard */
    r.valr_bw_s = 30.0;
    r.impact_bw = 2.2;
    runner_step(&r, fb, 350.0);
    CHECK_EQ(r.hard_cues, 2);
    /* no impact peak (mid/forefoot) and no VALR: never hard */
    r.valr_bw_s = NAN;
    r.impact_bw = NAN;
    runner_step(&r, fb, 350.0);
    CHECK_EQ(r.hard_cues, 2);
    feedback_get_view(fb, &v);
    CHECK_EQ(v.steps_hard, 2);
    CHECK_EQ(v.steps_loaded, 3);
    CHECK_EQ(feedback_set_loading_ceiling(fb, 1.0), GC_ERR_ARG);
    CHECK_EQ(feedback_set_loading_ceiling(fb, 80.0), GC_OK);
    r.valr_bw_s = 70.0;
    runner_step(&r, fb, 350.0);
    CHECK_EQ(r.hard_cues, 2);
    feedback_free(fb);
}

static void test_faded_schedule(void)
{
    struct feedback_config cfg;
    base_config(&cfg);
    cfg.mode = FEEDBACK_MODE_FADED;
    cfg.fade_start_share = 1.0;
    cfg.fade_end_share = 0.2;
    cfg.fade_duration_s = 600.0;
    cfg.fade_cycle_s = 30.0;
    struct feedback *fb = make(&cfg);

    /* the documented schedule, per 30 s cycle i: 1 - 0.8 * min(1, 30 i / 600) */
    CHECK_NEAR(feedback_fade_share(&cfg, 0.0), 1.0, 1e-12);
    CHECK_NEAR(feedback_fade_share(&cfg, 29.9), 1.0, 1e-12);
    CHECK_NEAR(feedback_fade_share(&cfg, 300.0), 0.6, 1e-12);
    CHECK_NEAR(feedback_fade_share(&cfg, 329.0), 0.6, 1e-12);
    CHECK_NEAR(feedback_fade_share(&cfg, 600.0), 0.2, 1e-12);
    CHECK_NEAR(feedback_fade_share(&cfg, 5000.0), 0.2, 1e-12);

    /* Integrate feedback_on and metronome_on over 20 min at 10 ms.  Expected
     * share: (sum_{i<20} (1 - 0.04 i) + 20 * 0.2) / 40 = 16.4 / 40 = 0.41.
     * Sampling at 10 ms in 30 s cycles quantises each on-window to 10 ms:
     * at most 1 sample in 3000 per cycle, so 1e-3 is the tolerance. */
    const double dt = 0.01;
    long on = 0, met = 0, n = 0;
    for (long k = 0; k < 120000; k++) {
        double t = k * dt;
        feedback_tick(fb, t);
        struct feedback_view v;
        feedback_get_view(fb, &v);
        on += v.feedback_on;
        met += v.metronome_on;
        n++;
        if (k == 30000) { /* t = 300 s: cycle 10, share 0.6, on for 18 s */
            CHECK_NEAR(v.fade_share_now, 0.6, 1e-12);
            CHECK(v.feedback_on);
            CHECK_NEAR(v.fade_next_s, 18.0, 1e-6);
        }
        if (k == 31900) { /* t = 319 s: 19 s into the cycle -> off, 11 s to go */
            CHECK(!v.feedback_on);
            CHECK(!v.metronome_on);
            CHECK_NEAR(v.fade_next_s, 11.0, 1e-6);
        }
    }
    CHECK_NEAR((double)on / (double)n, 0.41, 1e-3);
    CHECK_EQ(met, on); /* continuous-style metronome while on */

    /* a hard landing in an off window is not cued; in an on window it is */
    struct runner r = {.t_ic_s = 1200.0 + 20.0, .valr_bw_s = 90.0, .impact_bw = NAN};
    runner_step(&r, fb, 350.0); /* t = 1220.35: 20.35 s into a cycle, share 0.2 -> off */
    CHECK_EQ(r.hard_cues, 0);
    r.t_ic_s = 1230.0 + 1.0;
    runner_step(&r, fb, 350.0); /* 1.35 s into the next cycle -> on */
    CHECK_EQ(r.hard_cues, 1);
    feedback_free(fb);
}

static void test_relative_target_from_baseline(void)
{
    struct feedback_config cfg;
    feedback_config_default(&cfg);
    cfg.start_phase = FEEDBACK_PHASE_BASELINE;
    cfg.baseline_s = 120.0;
    cfg.target_relative = true;
    cfg.target_rel_pct = 7.5;
    cfg.loading_relative = true;
    cfg.loading_rel_pct = -20.0;
    struct feedback *fb = make(&cfg);
    struct runner r = {.valr_bw_s = 50.0, .impact_bw = NAN};
    struct feedback_view v;

    /* 160 steps/min for 130 s, VALR cycling 40/50/60: balanced counts, so
     * the median is 50 whatever the number of baseline steps */
    unsigned phase_cues = 0;
    while (r.t_ic_s < 130.0) {
        r.valr_bw_s = 40.0 + 10.0 * (r.index % 3);
        r.cues = 0;
        runner_step(&r, fb, 375.0);
        if (r.cues & FEEDBACK_CUE_PHASE_CHANGE)
            phase_cues++;
        if (r.t_ic_s < 119.0) {
            feedback_get_view(fb, &v);
            CHECK(v.phase == FEEDBACK_PHASE_BASELINE);
            CHECK(!v.metronome_on);
            CHECK(!v.feedback_on);
            CHECK(isnan(v.target_spm));
        }
    }
    CHECK_EQ(phase_cues, 1);
    feedback_get_view(fb, &v);
    CHECK(v.phase == FEEDBACK_PHASE_TRAINING);
    CHECK_NEAR(v.baseline_spm, 160.0, 1e-9);
    CHECK_NEAR(v.target_spm, 172.0, 1e-9);
    CHECK_NEAR(v.baseline_valr_bw_s, 50.0, 1e-9);
    CHECK_NEAR(v.loading_ceiling_bw_s, 40.0, 1e-9);
    CHECK_EQ(v.band, FEEDBACK_BAND_LOW);
    CHECK(v.metronome_on);
    CHECK_NEAR(v.metronome_spm, 172.0, 1e-9);
    /* baseline steps were not scored */
    CHECK(v.steps_scored < 30);

    /* the therapist moves the relative target to +5 %: 168 */
    CHECK_EQ(feedback_set_target_rel(fb, 5.0), GC_OK);
    feedback_get_view(fb, &v);
    CHECK_NEAR(v.target_spm, 168.0, 1e-9);
    CHECK_EQ(feedback_set_target_rel(fb, 50.0), GC_ERR_ARG);
    CHECK_EQ(feedback_set_target_abs(fb, 300.0), GC_ERR_ARG);

    /* retention: no feedback */
    CHECK(feedback_set_phase(fb, FEEDBACK_PHASE_RETENTION, r.t_ic_s) & FEEDBACK_CUE_PHASE_CHANGE);
    feedback_get_view(fb, &v);
    CHECK(!v.feedback_on);
    CHECK(!v.metronome_on);
    feedback_free(fb);
}

static void test_baseline_waits_for_steps(void)
{
    struct feedback_config cfg;
    feedback_config_default(&cfg);
    cfg.baseline_s = 10.0;
    cfg.baseline_min_steps = 20;
    struct feedback *fb = make(&cfg);
    /* nobody on the deck: the baseline does not end at 10 s */
    CHECK_EQ(feedback_tick(fb, 15.0), 0);
    struct feedback_view v;
    feedback_get_view(fb, &v);
    CHECK(v.phase == FEEDBACK_PHASE_BASELINE);
    feedback_free(fb);
}

static void test_intervals(void)
{
    struct feedback_config cfg;
    base_config(&cfg);
    cfg.interval_run_s = 60.0;
    cfg.interval_walk_s = 120.0;
    cfg.interval_reps = 2;
    struct feedback *fb = make(&cfg);
    struct feedback_view v;
    CHECK_EQ(feedback_tick(fb, 30.0), 0);
    feedback_get_view(fb, &v);
    CHECK_EQ(v.interval, FEEDBACK_INTERVAL_RUN);
    CHECK_EQ(v.interval_rep, 1);
    CHECK_NEAR(v.interval_left_s, 30.0, 1e-9);
    CHECK(v.metronome_on);
    CHECK(feedback_tick(fb, 60.5) & FEEDBACK_CUE_PHASE_CHANGE);
    feedback_get_view(fb, &v);
    CHECK_EQ(v.interval, FEEDBACK_INTERVAL_WALK);
    CHECK_NEAR(v.interval_left_s, 119.5, 1e-9);
    CHECK_EQ(v.band, FEEDBACK_BAND_PAUSED);
    CHECK(!v.metronome_on); /* cadence feedback paused while walking */
    CHECK_EQ(feedback_tick(fb, 100.0), 0);
    CHECK(feedback_tick(fb, 181.0) & FEEDBACK_CUE_PHASE_CHANGE);
    feedback_get_view(fb, &v);
    CHECK_EQ(v.interval, FEEDBACK_INTERVAL_RUN);
    CHECK_EQ(v.interval_rep, 2);
    CHECK(feedback_tick(fb, 400.0) & FEEDBACK_CUE_PHASE_CHANGE);
    feedback_get_view(fb, &v);
    CHECK_EQ(v.interval, FEEDBACK_INTERVAL_DONE);
    feedback_free(fb);
}

static void test_config_and_names(void)
{
    struct feedback_config cfg;
    feedback_config_default(&cfg);
    struct gc_diag why;
    CHECK_EQ(feedback_config_check(&cfg, &why), GC_OK);
    cfg.band_pct = 0.0;
    CHECK_EQ(feedback_config_check(&cfg, &why), GC_ERR_ARG);
    CHECK(why.code == GC_ERR_ARG && why.msg[0] != '\0');
    CHECK(feedback_new(&cfg) == NULL);
    enum feedback_mode m;
    CHECK_EQ(feedback_mode_parse("faded", &m), GC_OK);
    CHECK_EQ(m, FEEDBACK_MODE_FADED);
    CHECK_EQ(feedback_mode_parse("fade", &m), GC_ERR_ARG);
    CHECK(!strcmp(feedback_mode_name(FEEDBACK_MODE_BANDWIDTH), "bandwidth"));
    enum feedback_phase p;
    CHECK_EQ(feedback_phase_parse("retention", &p), GC_OK);
    CHECK_EQ(p, FEEDBACK_PHASE_RETENTION);
}

/* The session's settings are followed exactly: no cadence target means no
 * metronome and no band (a loading-only phase); the plan's fade reaches
 * the policy; a walk pauses the cadence feedback. */
static void test_follows_settings(void)
{
    struct feedback_config cfg;
    base_config(&cfg);
    struct feedback *fb = make(&cfg);
    struct feedback_settings s = {
        .phase = FEEDBACK_PHASE_TRAINING,
        .mode = FEEDBACK_MODE_FADED,
        .target_spm = NAN,
        .band_pct = NAN,
        .loading_ceiling_bw_s = 52.0,
        .fade_start_share = 1.0,
        .fade_end_share = 0.25,
        .fade_duration_s = 300.0,
    };
    feedback_apply_settings(fb, &s, 10.0);
    struct feedback_view v;
    feedback_tick(fb, 10.5);
    feedback_get_view(fb, &v);
    CHECK(isnan(v.target_spm));
    CHECK(!v.metronome_on); /* no cadence target: no metronome */
    CHECK_EQ(v.band, FEEDBACK_BAND_UNKNOWN);
    CHECK_NEAR(v.loading_ceiling_bw_s, 52.0, 0);
    CHECK_NEAR(v.fade_start_share, 1.0, 0);
    CHECK_NEAR(v.fade_end_share, 0.25, 0);
    CHECK_NEAR(v.fade_duration_s, 300.0, 0);
    /* halfway through the phase's 300 s: the share is the plan's, 62.5 % */
    feedback_tick(fb, 10.0 + 150.0);
    feedback_get_view(fb, &v);
    CHECK_NEAR(v.fade_share_now, 1.0 - 0.75 * 150.0 / 300.0, 1e-12);
    /* a hard landing (VALR 60 > 52) is cued in an on window */
    struct runner r = {.t_ic_s = 10.0 + 150.0 + 30.5, .valr_bw_s = 60.0, .impact_bw = NAN};
    feedback_tick(fb, r.t_ic_s - 0.1);
    runner_step(&r, fb, 350.0);
    CHECK_EQ(r.hard_cues, 1);
    /* a walk: cadence feedback paused even with a target */
    s.mode = FEEDBACK_MODE_CONTINUOUS;
    s.target_spm = 170.0;
    s.band_pct = 3.0;
    s.walk = true;
    feedback_apply_settings(fb, &s, 200.0);
    feedback_tick(fb, 200.5);
    feedback_get_view(fb, &v);
    CHECK_EQ(v.band, FEEDBACK_BAND_PAUSED);
    CHECK(!v.metronome_on);
    /* a run with the target: the metronome plays it */
    s.walk = false;
    feedback_apply_settings(fb, &s, 201.0);
    feedback_tick(fb, 201.5);
    feedback_get_view(fb, &v);
    CHECK(v.metronome_on);
    CHECK_NEAR(v.metronome_spm, 170.0, 0);
    feedback_free(fb);
}

int main(void)
{
    test_follows_settings();
    test_band_entry_exit();
    test_stride_cadence_and_share();
    test_bandwidth_mode();
    test_continuous_good_step();
    test_loading();
    test_faded_schedule();
    test_relative_target_from_baseline();
    test_baseline_waits_for_steps();
    test_intervals();
    test_config_and_names();
    return check_exit();
}
