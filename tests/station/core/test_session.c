/* test_session - the pure session model: phase clock, baseline, targets,
 * in-band tagging and aggregates on steps with known answers. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "gc_error.h"
#include "plan.h"
#include "session.h"

/* Plan used throughout: 10 s weigh-in, 60 s baseline, 120 s training at
 * +7.5 % (band +/-3 %), 60 s retention. */
static const char *plan_text = "[protocol]\nname = t\n"
                               "[phase]\nkind = weigh-in\nduration = 10 s\n"
                               "[phase]\nkind = baseline\nduration = 60 s\n"
                               "[phase]\nkind = training\nduration = 120 s\n"
                               "cadence = +7.5 %\ncadence_band = 3 %\nloading_ceiling = -10 %\n"
                               "feedback = faded\nfade_from = 100 %\nfade_to = 20 %\n"
                               "[phase]\nkind = retention\nduration = 60 s\n";

static struct session_step mk(uint32_t i, double t_ic, double step_ms, char side, double valr,
                              double impact_bw)
{
    struct session_step s;
    memset(&s, 0, sizeof s);
    s.step.index = i;
    s.step.side = side == 'L' ? GAIT_SIDE_LEFT : GAIT_SIDE_RIGHT;
    s.step.t_ic_s = t_ic;
    s.step.contact_ms = side == 'L' ? 240 : 260;
    s.step.t_to_s = t_ic + s.step.contact_ms / 1000;
    s.step.flight_ms = step_ms - s.step.contact_ms;
    s.step.step_ms = step_ms;
    s.step.cadence_spm = 60000.0 / step_ms;
    s.step.impact_peak_n = impact_bw * 700;
    s.step.impact_peak_bw = impact_bw;
    s.step.t_impact_s = t_ic + 0.03;
    s.step.valr_bw_s = valr;
    s.step.vilr_bw_s = valr * 1.2;
    s.step.active_peak_n = 2.5 * 700;
    s.step.active_peak_bw = 2.5;
    s.phase = -1;
    s.in_band = -1;
    s.under_ceiling = -1;
    return s;
}

static void test_aggregates(void)
{
    /* 40 steps: step time 375 ms (160 spm), L contact 240 / R 260 ms, L VALR
     * 50 / R 60 BW/s, impact peak (1.5 BW) on the left steps only. */
    struct session_step s[40];
    for (int i = 0; i < 40; i++) {
        bool left = i % 2 == 0;
        s[i] = mk((uint32_t)i, i * 0.375, 375, left ? 'L' : 'R', left ? 50 : 60, left ? 1.5 : NAN);
        s[i].phase = i < 20 ? 0 : 1;
    }
    s[0].step.step_ms = NAN; /* the first step has no step time */
    s[0].step.cadence_spm = NAN;
    struct session_stats x;
    session_stats_compute(s, 40, SESSION_ALL_PHASES, &x);
    CHECK_EQ(x.n_steps, 40);
    CHECK_EQ(x.n_left, 20);
    CHECK_EQ(x.n_right, 20);
    CHECK_NEAR(x.cadence_spm, 160.0, 1e-9); /* 60000 / 375 exactly, up to rounding */
    CHECK_NEAR(x.contact_ms, 250.0, 1e-9);  /* mean of 240 and 260 */
    CHECK_NEAR(x.impact_peak_bw, 1.5, 1e-12);
    CHECK_EQ(x.n_impact, 20);
    CHECK_NEAR(x.valr_bw_s, 55.0, 1e-9);
    CHECK_NEAR(x.vilr_bw_s, 66.0, 1e-9);
    CHECK_NEAR(x.contact_l_ms, 240, 1e-9);
    CHECK_NEAR(x.contact_r_ms, 260, 1e-9);
    CHECK_NEAR(x.si_contact_pct, 100.0 * (240 - 260) / 250.0, 1e-9); /* -8 % */
    CHECK_NEAR(x.si_valr_pct, 100.0 * (50 - 60) / 55.0, 1e-9);       /* -18.18 % */
    CHECK_NEAR(x.duration_s, 39 * 0.375, 1e-9);
    CHECK(isnan(x.share_in_band)); /* no step had a band */
    CHECK_NEAR(x.share_valr_risk, 0.0, 0);

    /* phase masks */
    session_stats_compute(s, 40, SESSION_PHASE_BIT(1), &x);
    CHECK_EQ(x.n_steps, 20);
    session_stats_compute(s, 40, 0, &x);
    CHECK_EQ(x.n_steps, 0);
    CHECK(isnan(x.cadence_spm));

    /* a 5 s pause is not a step time: the cadence is unchanged */
    s[10].step.step_ms = 5000;
    session_stats_compute(s, 40, SESSION_ALL_PHASES, &x);
    CHECK_NEAR(x.cadence_spm, 160.0, 1e-9);

    /* windows (per-minute summaries): steps with 0 <= t < 3 s -> 8 steps */
    session_stats_window(s, 40, 0.0, 0.0, 3.0, &x);
    CHECK_EQ(x.n_steps, 8);

    char b[32];
    CHECK(!strcmp(session_fmt(b, sizeof b, 171.449, 1), "171.4"));
    CHECK(!strcmp(session_fmt(b, sizeof b, NAN, 1), "-"));
    CHECK(!strcmp(session_fmt(b, sizeof b, -0.04, 1), "0.0"));
}

static void test_live_model(void)
{
    struct plan p;
    struct gc_diag e;
    CHECK_EQ(plan_parse(plan_text, strlen(plan_text), &p, &e), GC_OK);
    CHECK_EQ(session_phase_at(&p, -1, NULL), -1);
    double left;
    CHECK_EQ(session_phase_at(&p, 0, &left), 0);
    CHECK_NEAR(left, 10, 1e-12);
    CHECK_EQ(session_phase_at(&p, 69.5, &left), 1);
    CHECK_NEAR(left, 0.5, 1e-12);
    CHECK_EQ(session_phase_at(&p, 70, NULL), 2);
    CHECK_EQ(session_phase_at(&p, 250, NULL), 4);

    struct session s;
    const double t0 = 1000.0; /* sensor time of the start */
    session_init(&s, &p, t0);
    struct session_event ev[8];
    int n = session_update(&s, t0, ev, 8);
    CHECK_EQ(n, 1);
    CHECK_EQ(ev[0].kind, SESSION_EV_PHASE);
    CHECK_EQ(ev[0].phase, 0);

    /* baseline: steps at 375 ms (160 spm), VALR alternating 50/60 */
    uint32_t idx = 0;
    double t = t0 + 10.0;
    while (t < t0 + 70.0) {
        n = session_update(&s, t + 0.3, ev, 8);
        CHECK(n >= 0);
        bool is_left = idx % 2 == 0;
        struct session_step st = mk(idx++, t, 375, is_left ? 'L' : 'R', is_left ? 50 : 60, 1.5);
        session_add_step(&s, &st);
        CHECK_EQ(st.phase, 1);
        CHECK_EQ(st.in_band, -1); /* no target in the baseline */
        t += 0.375;
    }
    CHECK(!s.baseline.valid); /* known only when the phase ends */
    /* crossing into training: baseline event then phase event */
    n = session_update(&s, t0 + 70.0, ev, 8);
    CHECK_EQ(n, 2);
    CHECK_EQ(ev[0].kind, SESSION_EV_BASELINE);
    CHECK_NEAR(ev[0].t_s, t0 + 70.0, 1e-9);
    CHECK_EQ(ev[1].kind, SESSION_EV_PHASE);
    CHECK_EQ(ev[1].phase, 2);
    CHECK(s.baseline.valid);
    CHECK_EQ(s.baseline.n_steps, 160);
    CHECK_NEAR(s.baseline.cadence_spm, 160.0, 1e-9);
    CHECK_NEAR(s.baseline.valr_bw_s, 55.0, 1e-9);
    struct session_targets tg;
    session_get_targets(&s, &tg);
    /* 160 * 1.075 = 172, band +/- 3 % of 172 = 5.16 */
    CHECK_NEAR(tg.cadence_spm, 172.0, 1e-9);
    CHECK_NEAR(tg.cadence_lo_spm, 166.84, 1e-9);
    CHECK_NEAR(tg.cadence_hi_spm, 177.16, 1e-9);
    CHECK_NEAR(tg.valr_ceiling_bw_s, 49.5, 1e-9); /* 55 - 10 % */
    CHECK_EQ(tg.feedback, PLAN_FB_FADED);
    CHECK_NEAR(tg.feedback_share, 1.0, 1e-12);
    /* halfway through the training the faded share is 60 % */
    session_update(&s, t0 + 130.0, ev, 8);
    session_get_targets(&s, &tg);
    CHECK_NEAR(tg.feedback_share, 0.6, 1e-12);

    /* in band by the stride cadence (this and the previous step): two
     * steps at 170 spm after the 160 spm baseline steps: the first's
     * stride is 165 spm (out), the second's 170 (in); VALR 45 under the
     * ceiling, 55 over */
    struct session_step a0 = mk(idx++, t0 + 129.6, 60000.0 / 170, 'R', 55, NAN);
    struct session_step a = mk(idx++, t0 + 130.0, 60000.0 / 170, 'L', 45, NAN);
    struct session_step b = mk(idx++, t0 + 130.4, 375, 'R', 55, NAN);
    session_add_step(&s, &a0);
    session_add_step(&s, &a);
    session_add_step(&s, &b);
    CHECK_EQ(a.phase, 2);
    CHECK_EQ(a0.in_band, 0);
    CHECK_EQ(a.in_band, 1);
    CHECK_EQ(b.in_band, 0); /* stride 60000 / 363 = 165.2 */
    CHECK_EQ(a.under_ceiling, 1);
    CHECK_EQ(b.under_ceiling, 0);
    /* a walking step is never scored against the running band */
    struct session_step c = mk(idx++, t0 + 131.0, 60000.0 / 172, 'L', 45, NAN);
    c.step.flags |= GAIT_STEP_WALK;
    session_add_step(&s, &c);
    CHECK_EQ(c.in_band, -1);

    /* the PT moves the target */
    CHECK_EQ(session_set_cadence_target(&s, 165.0, 0, NULL), GC_OK);
    session_get_targets(&s, &tg);
    CHECK_NEAR(tg.cadence_lo_spm, 165.0 - 165.0 * 0.03, 1e-9);
    struct session_step d0 = mk(idx++, t0 + 131.7, 60000.0 / 162, 'R', 45, NAN);
    struct session_step d = mk(idx++, t0 + 132.0, 60000.0 / 162, 'L', 45, NAN);
    session_add_step(&s, &d0);
    session_add_step(&s, &d);
    CHECK_EQ(d.in_band, 1); /* 162 spm is inside 165 +/- 4.95, outside the plan's 172 +/- 5.16 */
    /* a step whose contact came before the change completes after it: it
     * is judged by what the runner was given then (172 +/- 5.16) */
    {
        struct session s2 = s; /* same history, judge a late step */
        s2.prev_step_ms = 60000.0 / 162;
        struct session_step l2 = mk(999, 0, 60000.0 / 162, 'R', 45, NAN);
        l2.step.t_ic_s = t0 + 129.0; /* before the change: the plan's band */
        session_add_step(&s2, &l2);
        CHECK_EQ(l2.in_band, 0);
    }

    /* retention: no targets, no feedback (the PT's target is held, not
     * applied) */
    n = session_update(&s, t0 + 195.0, ev, 8);
    CHECK_EQ(n, 1);
    CHECK_EQ(ev[0].phase, 3);
    session_get_targets(&s, &tg);
    CHECK(isnan(tg.cadence_spm));
    CHECK_EQ(tg.feedback, PLAN_FB_NONE);
    struct session_view sv;
    session_get_view(&s, &sv);
    CHECK(sv.steps_scored >= 4);
    CHECK_NEAR(sv.share_in_band, (double)sv.steps_in_band / (double)sv.steps_scored, 1e-12);
    /* end of the protocol */
    n = session_update(&s, t0 + 300.0, ev, 8);
    CHECK_EQ(n, 1);
    CHECK_EQ(ev[0].kind, SESSION_EV_END);

    /* a baseline with too few steps leaves relative targets unresolved */
    session_init(&s, &p, 0);
    session_update(&s, 0, ev, 8);
    session_update(&s, 11, ev, 8);
    for (int i = 0; i < SESSION_BASELINE_MIN_STEPS - 1; i++) {
        struct session_step x = mk((uint32_t)i, 11 + i * 0.4, 400, 'L', 50, NAN);
        session_add_step(&s, &x);
    }
    /* a jump over several phases with room for one crossing per call */
    n = session_update(&s, 200, ev, 2);
    CHECK_EQ(n, 2);
    CHECK_EQ(ev[0].kind, SESSION_EV_BASELINE);
    CHECK_EQ(ev[1].kind, SESSION_EV_PHASE);
    CHECK_EQ(ev[1].phase, 2);
    CHECK(!s.baseline.valid);
    n = session_update(&s, 200, ev, 2);
    CHECK_EQ(n, 1);
    CHECK_EQ(ev[0].phase, 3);
    n = session_update(&s, 260, ev, 2);
    CHECK_EQ(n, 1);
    CHECK_EQ(ev[0].kind, SESSION_EV_END);
    session_init(&s, &p, 0);
    session_update(&s, 75, ev, 8); /* in training, baseline without steps */
    session_get_targets(&s, &tg);
    CHECK(isnan(tg.cadence_spm));
}

/* Commands: phases on demand, targets held across phases, walks never
 * scored, a loading-only phase has no cadence target. */
static const char *walk_run_text = "[protocol]\nname = wr\n"
                                   "[phase]\nkind = weigh-in\nduration = 10 s\n"
                                   "[phase]\nkind = intervals\nrun = 60 s\nwalk = 120 s\n"
                                   "repeat = 2\nfeedback = bandwidth\ncadence = 170 spm\n"
                                   "cadence_band = 4 spm\n";

static const char *loading_text = "[protocol]\nname = lo\n"
                                  "[phase]\nkind = baseline\nduration = 60 s\n"
                                  "[phase]\nkind = training\nduration = 60 s\nfeedback = faded\n"
                                  "loading_ceiling = -20 %\nfade_from = 100 %\nfade_to = 20 %\n"
                                  "[phase]\nkind = retention\nduration = open\n";

static void test_commands(void)
{
    struct plan p;
    struct gc_diag e;
    CHECK_EQ(plan_parse(walk_run_text, strlen(walk_run_text), &p, &e), GC_OK);
    CHECK_EQ(p.n_phases, 5);
    struct session s;
    session_init(&s, &p, 0);
    struct session_event ev[8];
    struct session_view v;
    session_update(&s, 11, ev, 8); /* run 1/2 */
    session_get_view(&s, &v);
    CHECK_EQ(v.kind, PLAN_KIND_RUN);
    CHECK_EQ(v.interval, 1);
    CHECK_EQ(v.intervals, 2);
    CHECK_NEAR(v.targets.cadence_lo_spm, 166, 1e-9);
    /* the PT raises the target during run 1: it holds for run 2 too */
    struct session_cmd c = {SESSION_CMD_CADENCE, 176, 0};
    int n;
    struct gc_diag why;
    CHECK_EQ(session_apply(&s, &c, 20, "ctl", ev, &n, &why), GC_OK);
    CHECK_EQ(n, 1);
    CHECK_EQ(ev[0].kind, SESSION_EV_TARGETS);
    CHECK(!strcmp(ev[0].source, "ctl"));
    CHECK_NEAR(ev[0].targets.cadence_spm, 176, 1e-9);
    CHECK_NEAR(ev[0].targets.cadence_lo_spm, 172, 1e-9); /* the phase's 4 spm band */
    /* walk 1/2: no band, nothing scored */
    session_update(&s, 75, ev, 8);
    session_get_view(&s, &v);
    CHECK_EQ(v.kind, PLAN_KIND_WALK);
    CHECK(isnan(v.targets.cadence_spm));
    struct session_step w = mk(0, 80, 60000.0 / 176, 'L', 30, NAN);
    session_add_step(&s, &w);
    CHECK_EQ(w.in_band, -1);
    /* run 2/2 by the clock: the PT's 176 */
    session_update(&s, 191, ev, 8);
    session_get_view(&s, &v);
    CHECK_EQ(v.kind, PLAN_KIND_RUN);
    CHECK_EQ(v.interval, 2);
    CHECK_NEAR(v.targets.cadence_spm, 176, 1e-9);
    /* `set phase walk` ends the run now: walk 2/2 begins */
    struct session_cmd ph = {SESSION_CMD_PHASE, NAN, PLAN_KIND_WALK};
    CHECK_EQ(session_apply(&s, &ph, 200, "keyboard", ev, &n, &why), GC_OK);
    CHECK_EQ(n, 1);
    CHECK_EQ(ev[0].kind, SESSION_EV_PHASE);
    CHECK_EQ(ev[0].phase, 4);
    CHECK(!ev[0].added);
    /* its clock starts at the command: it ends 120 s later */
    session_update(&s, 319, ev, 8);
    session_get_view(&s, &v);
    CHECK_EQ(v.phase, 4);
    CHECK_NEAR(v.phase_left_s, 1, 1e-9);
    /* `set phase run` with no run left: an open ad hoc run is added */
    struct session_cmd pr = {SESSION_CMD_PHASE, NAN, PLAN_KIND_RUN};
    CHECK_EQ(session_apply(&s, &pr, 300, "ctl", ev, &n, &why), GC_OK);
    CHECK_EQ(ev[n - 1].phase, 5);
    CHECK(ev[n - 1].added);
    session_get_view(&s, &v);
    CHECK(isinf(v.phase_left_s));
    CHECK_NEAR(v.targets.cadence_spm, 176, 1e-9);
    CHECK_EQ(v.targets.feedback, PLAN_FB_BANDWIDTH);
    /* refused values say what is accepted */
    struct session_cmd bad = {SESSION_CMD_CADENCE, 300, 0};
    CHECK_EQ(session_apply(&s, &bad, 301, "ctl", ev, &n, &why), GC_ERR_ARG);
    CHECK(strstr(why.msg, "60..240"));
    struct session_cmd rel = {SESSION_CMD_CADENCE_REL, 5, 0};
    CHECK_EQ(session_apply(&s, &rel, 301, "ctl", ev, &n, &why), GC_ERR_ARG);
    CHECK(strstr(why.msg, "no baseline"));

    /* a loading-only faded phase: no cadence target at all, the plan's
     * fade, and a ceiling from the baseline */
    CHECK_EQ(plan_parse(loading_text, strlen(loading_text), &p, &e), GC_OK);
    session_init(&s, &p, 0);
    session_update(&s, 0, ev, 8);
    for (int i = 0; i < 100; i++) {
        struct session_step x = mk((uint32_t)i, 1 + i * 0.35, 350, i % 2 ? 'R' : 'L', 80, NAN);
        session_add_step(&s, &x);
    }
    session_update(&s, 61, ev, 8);
    session_get_view(&s, &v);
    CHECK_EQ(v.kind, PLAN_KIND_TRAINING);
    CHECK(isnan(v.targets.cadence_spm));
    CHECK_NEAR(v.targets.valr_ceiling_bw_s, 64, 1e-9); /* 80 - 20 % */
    CHECK_NEAR(v.fade_from, 1.0, 1e-12);
    CHECK_NEAR(v.fade_to, 0.2, 1e-12);
    CHECK_NEAR(v.fade_duration_s, 60, 1e-12);
    session_update(&s, 90, ev, 8);
    session_get_targets(&s, &v.targets);
    CHECK_NEAR(v.targets.feedback_share, 0.6, 1e-9);
    /* the open last phase never ends */
    session_update(&s, 1e6, ev, 8);
    session_get_view(&s, &v);
    CHECK_EQ(v.kind, PLAN_KIND_RETENTION);
    CHECK(!v.ended);
}

int main(void)
{
    test_aggregates();
    test_live_model();
    test_commands();
    return check_exit();
}
