/* test_course.c - the course replay and its gate (station/core/course.h):
 * advance after N clean sessions, repeat on pain >= threshold or a leak,
 * step back at once on heaviness or bleeding and after step_back_after
 * not-clean sessions in a row, sessions that do not count, symptoms before
 * a session, LEFS drops, PT overrides, dates and weeks. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "course.h"
#include "gc_error.h"
#include "program.h"

static const char prog_text[] =
    "[program]\nname = t\n"
    "[gate]\npain_threshold = 4\nrepeat_on = pain, leak, lefs-drop\n"
    "step_back_on = heaviness, bleeding\nstep_back_after = 2\nlefs_drop = 9\n"
    "[step]\nname = a\nweeks = 1\nprotocol = pa\nadvance_after = 2\n"
    "[step]\nname = b\nweeks = 2\nprotocol = pb\nadvance_after = 2\n"
    "[step]\nname = c\nweeks = 3\nprotocol = pc\nadvance_after = 1\n";

#define MAXN 32
struct course_fixture {
    struct program p;
    struct course_session s[MAXN];
    size_t ns;
    struct course_symptom y[MAXN];
    size_t ny;
    struct course_prom m[MAXN];
    size_t nm;
    struct course_override o[MAXN];
    size_t no;
    struct course_state st;
    struct course_decision tl[2 * MAXN];
    int n;
};

static void fx_init(struct course_fixture *f)
{
    memset(f, 0, sizeof *f);
    CHECK_EQ(program_parse(prog_text, strlen(prog_text), &f->p, NULL), GC_OK);
}

/* A session (id = count + 1) run at the current step, counted or not. */
static int64_t fx_session(struct course_fixture *f, bool counted)
{
    struct course_session *s = &f->s[f->ns++];
    s->session_id = (int64_t)f->ns;
    s->start_utc = 1000 * (int64_t)f->ns;
    s->counted = counted;
    return s->session_id;
}

static void fx_symptom(struct course_fixture *f, int64_t ref, enum course_when w, int pain,
                       unsigned flags)
{
    f->y[f->ny++] = (struct course_symptom){ref, w, pain, flags};
}

static void fx_replay(struct course_fixture *f)
{
    f->n = course_replay(&f->p, f->s, f->ns, f->y, f->ny, f->m, f->nm, f->o, f->no, &f->st, f->tl,
                         2 * MAXN);
    CHECK(f->n >= 0);
}

static void test_clean_course(void)
{
    struct course_fixture f;
    fx_init(&f);
    fx_replay(&f);
    CHECK_EQ(f.n, 0);
    CHECK_EQ(f.st.step, 0);
    CHECK_EQ(f.st.last.action, COURSE_START);
    for (int i = 0; i < 5; i++)
        fx_session(&f, true);
    fx_replay(&f);
    CHECK_EQ(f.n, 5);
    CHECK_EQ(f.tl[0].action, COURSE_CONTINUE);
    CHECK_EQ(f.tl[1].action, COURSE_ADVANCE);
    CHECK_EQ(f.tl[1].to_step, 1);
    CHECK_EQ(f.tl[2].action, COURSE_CONTINUE);
    CHECK_EQ(f.tl[3].action, COURSE_ADVANCE);
    CHECK_EQ(f.tl[4].action, COURSE_COMPLETE);
    CHECK_EQ(f.st.step, 3);
    CHECK_EQ(f.st.sessions_total, 5);
    CHECK(strstr(f.tl[1].reason, "2 clean sessions in a row") != NULL);
    /* a session after the end does not count */
    fx_session(&f, true);
    fx_replay(&f);
    CHECK_EQ(f.tl[5].action, COURSE_NOT_COUNTED);
    CHECK_EQ(f.st.step, 3);
}

static void test_pain_and_leak(void)
{
    struct course_fixture f;
    fx_init(&f);
    int64_t s1 = fx_session(&f, true);
    /* pain 3 is under the threshold: clean */
    fx_symptom(&f, s1, COURSE_AFTER, 3, 0);
    int64_t s2 = fx_session(&f, true);
    /* pain 4 is at the threshold: the step repeats, the clean count restarts */
    fx_symptom(&f, s2, COURSE_DURING, 4, 0);
    fx_replay(&f);
    CHECK_EQ(f.tl[0].action, COURSE_CONTINUE);
    CHECK_EQ(f.tl[0].pain_max, 3);
    CHECK_EQ(f.tl[1].action, COURSE_REPEAT);
    CHECK_EQ(f.tl[1].pain_max, 4);
    CHECK(f.tl[1].symptoms & PROGRAM_SYM_PAIN);
    CHECK(strstr(f.tl[1].reason, "pain 4/10") != NULL);
    CHECK_EQ(f.st.clean_in_row, 0);
    CHECK_EQ(f.st.step, 0);
    /* clean, then a leak: repeat again (clean_in_row back to 0, bad 1) */
    fx_session(&f, true);
    int64_t s4 = fx_session(&f, true);
    fx_symptom(&f, s4, COURSE_AFTER, -1, PROGRAM_SYM_LEAK);
    fx_replay(&f);
    CHECK_EQ(f.tl[2].action, COURSE_CONTINUE);
    CHECK_EQ(f.tl[3].action, COURSE_REPEAT);
    CHECK(strstr(f.tl[3].reason, "leak") != NULL);
    /* a second not-clean session in a row at step 1: already the first
     * step, so it "steps back" to itself */
    int64_t s5 = fx_session(&f, true);
    fx_symptom(&f, s5, COURSE_AFTER, 6, 0);
    fx_replay(&f);
    CHECK_EQ(f.tl[4].action, COURSE_STEP_BACK);
    CHECK_EQ(f.tl[4].to_step, 0);
    CHECK(strstr(f.tl[4].reason, "first step") != NULL);
}

static void test_step_back(void)
{
    struct course_fixture f;
    fx_init(&f);
    fx_session(&f, true);
    fx_session(&f, true); /* advance to b */
    int64_t s3 = fx_session(&f, true);
    fx_symptom(&f, s3, COURSE_AFTER, 5, 0); /* repeat */
    int64_t s4 = fx_session(&f, true);
    fx_symptom(&f, s4, COURSE_AFTER, 4, 0); /* second in a row: back to a */
    fx_replay(&f);
    CHECK_EQ(f.tl[2].action, COURSE_REPEAT);
    CHECK_EQ(f.tl[3].action, COURSE_STEP_BACK);
    CHECK_EQ(f.tl[3].from_step, 1);
    CHECK_EQ(f.tl[3].to_step, 0);
    CHECK_EQ(f.st.step, 0);
    CHECK(strstr(f.tl[3].reason, "2 sessions in a row") != NULL);
    /* two clean: b again; then heaviness: back at once */
    fx_session(&f, true);
    fx_session(&f, true);
    int64_t s7 = fx_session(&f, true);
    fx_symptom(&f, s7, COURSE_DURING, -1, PROGRAM_SYM_HEAVINESS);
    fx_replay(&f);
    CHECK_EQ(f.tl[5].action, COURSE_ADVANCE);
    CHECK_EQ(f.tl[6].action, COURSE_STEP_BACK);
    CHECK(strstr(f.tl[6].reason, "heaviness") != NULL);
    CHECK(strstr(f.tl[6].reason, "at once") != NULL);
    CHECK_EQ(f.st.step, 0);
}

static void test_not_counted_and_before(void)
{
    struct course_fixture f;
    fx_init(&f);
    int64_t s1 = fx_session(&f, true);
    /* recorded after s1 but "before": it belongs to the next session */
    fx_symptom(&f, s1, COURSE_BEFORE, 7, 0);
    fx_session(&f, false); /* interrupted: not counted, not gated */
    int64_t s3 = fx_session(&f, true);
    (void)s3;
    fx_replay(&f);
    CHECK_EQ(f.tl[0].action, COURSE_CONTINUE);
    CHECK_EQ(f.tl[1].action, COURSE_NOT_COUNTED);
    CHECK_EQ(f.tl[1].pain_max, 7); /* shown on the session it belongs to */
    CHECK_EQ(f.tl[2].action, COURSE_ADVANCE);
    CHECK_EQ(f.tl[2].pain_max, -1);
    CHECK_EQ(f.st.sessions_total, 2);
}

static void test_lefs_drop(void)
{
    struct course_fixture f;
    fx_init(&f);
    int64_t s1 = fx_session(&f, true);
    f.m[f.nm++] = (struct course_prom){0, 60};  /* at the start */
    f.m[f.nm++] = (struct course_prom){s1, 52}; /* 8 under the best: not a drop */
    int64_t s2 = fx_session(&f, true);
    f.m[f.nm++] = (struct course_prom){s2, 51}; /* 9 under: a drop */
    fx_replay(&f);
    CHECK_EQ(f.tl[0].action, COURSE_CONTINUE);
    CHECK_EQ(f.tl[1].action, COURSE_REPEAT);
    CHECK(f.tl[1].symptoms & PROGRAM_SYM_LEFS_DROP);
}

static void test_override(void)
{
    struct course_fixture f;
    fx_init(&f);
    int64_t s1 = fx_session(&f, true);
    /* the PT moves the patient on after one session */
    f.o[f.no] = (struct course_override){s1, 2, ""};
    snprintf(f.o[f.no].reason, sizeof f.o[0].reason, "ran 20 min outdoors without symptoms");
    f.no++;
    fx_replay(&f);
    CHECK_EQ(f.n, 2);
    CHECK_EQ(f.tl[1].action, COURSE_OVERRIDE);
    CHECK_EQ(f.tl[1].from_step, 0);
    CHECK_EQ(f.tl[1].to_step, 2);
    CHECK(strstr(f.tl[1].reason, "by the PT: ran 20 min") != NULL);
    CHECK_EQ(f.st.step, 2);
    CHECK_EQ(f.st.last.action, COURSE_OVERRIDE);
    /* the next session is judged at the new step (advance_after 1): done */
    fx_session(&f, true);
    fx_replay(&f);
    CHECK_EQ(f.tl[2].action, COURSE_COMPLETE);
    CHECK_EQ(f.tl[2].from_step, 2);
}

static void test_dates(void)
{
    int64_t d;
    CHECK_EQ(course_date_days("1970-01-01", &d), GC_OK);
    CHECK_EQ(d, 0);
    CHECK_EQ(course_date_days("2000-03-01", &d), GC_OK);
    CHECK_EQ(d, 11017);
    CHECK_EQ(course_date_days("2024-02-29", &d), GC_OK);
    CHECK_EQ(course_date_days("2023-02-29", &d), GC_ERR_ARG);
    CHECK_EQ(course_date_days("2026-13-01", &d), GC_ERR_ARG);
    CHECK_EQ(course_date_days("2026-1-01", &d), GC_ERR_ARG);
    CHECK_EQ(course_date_days("2026-01-01x", &d), GC_ERR_ARG);
    CHECK_EQ(course_week(100, 99), 0);
    CHECK_EQ(course_week(100, 100), 1);
    CHECK_EQ(course_week(100, 106), 1);
    CHECK_EQ(course_week(100, 107), 2);
    enum course_when w;
    CHECK_EQ(course_when_parse("after", &w), GC_OK);
    CHECK_EQ(w, COURSE_AFTER);
    CHECK_EQ(course_when_parse("later", &w), GC_ERR_ARG);
}

/* The facts of a session without feedback phases (the dose rules). */
static struct course_session_facts facts(enum course_end end, bool excluded, double planned_s,
                                         double ran_s, double clock_s, long n_steps)
{
    struct course_session_facts f;
    memset(&f, 0, sizeof f);
    f.end = end;
    f.excluded = excluded;
    f.planned_s = planned_s;
    f.ran_s = ran_s;
    f.clock_s = clock_s;
    f.n_steps = n_steps;
    return f;
}

/* When a session counts (the clinic trial: a session stopped after 6 s
 * or one with no scored steps counted as clean). */
static void test_session_counts(void)
{
    char why[COURSE_REASON_MAX];
    /* 18 min plan, complete, 2900 steps in 18 min: counts */
    struct course_session_facts f = facts(COURSE_END_COMPLETE, false, 1080, 1080, 1080, 2900);
    CHECK(course_session_counts(&f, why, sizeof why));
    CHECK_EQ(why[0], '\0');
    /* stopped by the PT after 6 s: not counted, and the sentence says so */
    f = facts(COURSE_END_STOPPED, false, 1080, 6, 6, 16);
    CHECK(!course_session_counts(&f, why, sizeof why));
    CHECK(strstr(why, "not counted: stopped after 0:06 of 18:00 planned") != NULL);
    /* stopped at 74 % and at 75 % of the plan (the rule's edge) */
    f = facts(COURSE_END_STOPPED, false, 1000, 740, 740, 2000);
    CHECK(!course_session_counts(&f, why, sizeof why));
    f.ran_s = f.clock_s = 750;
    CHECK(course_session_counts(&f, why, sizeof why));
    /* complete with no scored steps (nobody on the belt): not counted */
    f = facts(COURSE_END_COMPLETE, false, 1080, 1080, 1080, 0);
    CHECK(!course_session_counts(&f, why, sizeof why));
    CHECK(strstr(why, "0 scored steps") != NULL);
    /* 30 a minute: 18 min needs 540; 539 is not enough */
    f.n_steps = 539;
    CHECK(!course_session_counts(&f, why, sizeof why));
    f.n_steps = 540;
    CHECK(course_session_counts(&f, why, sizeof why));
    /* compressed time (x1000) on the simulator: 1.08 s of clock needs 1 step */
    f = facts(COURSE_END_COMPLETE, false, 1080, 1080, 1.08, 1);
    f.time_scale = 1000;
    f.simulated = true;
    CHECK(course_session_counts(&f, why, sizeof why));
    f.n_steps = 0;
    CHECK(!course_session_counts(&f, why, sizeof why));
    /* compressed on a real sensor (the clinic trial: x60, 20 s, counted as
     * clean): never, whatever it holds */
    f = facts(COURSE_END_COMPLETE, false, 1200, 1200, 20, 53);
    f.time_scale = 60;
    CHECK(!course_session_counts(&f, why, sizeof why));
    CHECK(strstr(why, "not counted: run compressed x60 (--time-scale) on a real sensor: the "
                      "runner ran 0:20, not the plan's 20:00") != NULL);
    f.time_scale = 1; /* the same session at real time would count */
    CHECK(course_session_counts(&f, why, sizeof why));
    /* a scale a hair over 1, or a slowed plan, gives the dose: counts (the
     * attacker trial: x1.0001 "ran 30:15, not the plan's 30:15") */
    f = facts(COURSE_END_COMPLETE, false, 1815, 1815, 1814.8, 1000);
    f.time_scale = 1.0001;
    CHECK(course_session_counts(&f, why, sizeof why));
    f = facts(COURSE_END_COMPLETE, false, 1815, 1815, 3630, 2000);
    f.time_scale = 0.5;
    CHECK(course_session_counts(&f, why, sizeof why));
    /* no display and no sound on a real sensor: no feedback reached the
     * runner (the clinic trial: "feedback continuous" and counted) */
    f.n_feedback_phases = f.n_feedback_given = 1;
    f.not_delivered = true;
    CHECK(!course_session_counts(&f, why, sizeof why));
    CHECK(strstr(why, "not counted: no feedback reached the runner (the station had no display "
                      "and no sound)") != NULL);
    f.simulated = true; /* a test or demonstration on the simulator */
    CHECK(course_session_counts(&f, why, sizeof why));
    f.simulated = false;
    f.n_feedback_phases = f.n_feedback_given = 0; /* a walk: no feedback to reach anyone */
    CHECK(course_session_counts(&f, why, sizeof why));
    /* excluded, interrupted: never */
    f = facts(COURSE_END_COMPLETE, true, 1080, 1080, 1080, 2900);
    CHECK(!course_session_counts(&f, why, sizeof why));
    f.excluded = false;
    f.end = COURSE_END_OTHER;
    CHECK(!course_session_counts(&f, why, sizeof why));
    /* open-ended plan stopped by the PT: only the steps rule */
    f = facts(COURSE_END_STOPPED, false, INFINITY, 600, 600, 1500);
    CHECK(course_session_counts(&f, why, sizeof why));

    /* the replay says the session's own sentence */
    struct course_fixture fx;
    fx_init(&fx);
    fx_session(&fx, false);
    snprintf(fx.s[fx.ns - 1].why_not, sizeof fx.s[0].why_not, "not counted: stopped after 0:06");
    fx_replay(&fx);
    CHECK_EQ(fx.st.last.action, COURSE_NOT_COUNTED);
    CHECK(strstr(fx.st.last.reason, "stopped after 0:06") != NULL);
    CHECK_EQ(fx.st.clean_in_row, 0);
}

/* A session counts only when its feedback phases gave feedback (the
 * clinic trial: at --time-scale 30 the baseline had 16 of 30 steps, set no
 * relative target, the training ran without one and the session counted). */
static void test_session_feedback(void)
{
    char why[COURSE_REASON_MAX];
    /* complete, enough steps, one training phase with a target: counts */
    struct course_session_facts f = facts(COURSE_END_COMPLETE, false, 1080, 1080, 1080, 2900);
    f.n_feedback_phases = 1;
    f.n_feedback_given = 1;
    CHECK(course_session_counts(&f, why, sizeof why));
    /* the baseline set no target: the training gave none */
    f.n_feedback_given = 0;
    f.baseline_no_target = true;
    snprintf(f.no_target_phase, sizeof f.no_target_phase, "training");
    CHECK(!course_session_counts(&f, why, sizeof why));
    CHECK(strstr(why, "not counted: no feedback: the baseline set no target") != NULL);
    CHECK(strstr(why, "'training'") != NULL);
    /* the sentence fits the replay's why_not */
    CHECK(strlen(why) < sizeof((struct course_session *)0)->why_not);
    /* four run intervals, one without a target: not counted either */
    f.n_feedback_phases = 4;
    f.n_feedback_given = 3;
    f.baseline_no_target = false;
    snprintf(f.no_target_phase, sizeof f.no_target_phase, "run 3");
    CHECK(!course_session_counts(&f, why, sizeof why));
    CHECK(strstr(why, "no feedback: 'run 3' had no cadence or loading target") != NULL);
    f.n_feedback_given = 4;
    CHECK(course_session_counts(&f, why, sizeof why));
    /* no feedback phase at all (a walk, a retention probe): not judged */
    f.n_feedback_phases = 0;
    f.n_feedback_given = 0;
    CHECK(course_session_counts(&f, why, sizeof why));
    /* the earlier rules still come first */
    f = facts(COURSE_END_STOPPED, false, 1080, 6, 6, 16);
    f.n_feedback_phases = 1;
    CHECK(!course_session_counts(&f, why, sizeof why));
    CHECK(strstr(why, "stopped after 0:06") != NULL);

    /* the replay: the no-feedback session neither advances nor repeats */
    struct course_fixture fx;
    fx_init(&fx);
    fx_session(&fx, true);
    fx_session(&fx, false);
    snprintf(fx.s[1].why_not, sizeof fx.s[0].why_not,
             "not counted: no feedback: the baseline set no target");
    fx_replay(&fx);
    CHECK_EQ(fx.st.last.action, COURSE_NOT_COUNTED);
    CHECK(strstr(fx.st.last.reason, "no feedback: the baseline set no target") != NULL);
    CHECK_EQ(fx.st.clean_in_row, 1);
    CHECK_EQ(fx.st.step, 0);
    CHECK_EQ(fx.st.sessions_total, 1);
}

/* requires_tests: the latest result per test and side must pass under the
 * program's criteria; an override to the step waives it. */
static void test_readiness_gate(void)
{
    static const char text[] = "[program]\nname = r\n[readiness]\nbalance_hold_s = 12\n"
                               "[step]\nname = walk\nweeks = 1\nprotocol = pa\n"
                               "[step]\nname = run\nweeks = 2\nprotocol = pb\n"
                               "requires_tests = balance:L, balance:R, hop:L, jog-on-spot\n";
    struct program p;
    CHECK_EQ(program_parse(text, strlen(text), &p, NULL), GC_OK);
    struct course_readiness_gate g;
    struct course_test t[16];
    size_t n = 0;
    /* the first step requires nothing */
    CHECK_EQ(course_readiness_gate(&p, 0, NULL, 0, 0, NULL, 0, &g), GC_OK);
    CHECK(!g.required && !g.blocked);
    /* nothing measured: all four still to pass, in the file's order */
    CHECK_EQ(course_readiness_gate(&p, 1, NULL, 0, 0, NULL, 0, &g), GC_OK);
    CHECK(g.required && g.blocked && !g.waived);
    CHECK_EQ(g.n_required, 4);
    CHECK_EQ(g.n_missing, 4);
    CHECK(!strcmp(g.list, "balance:L (no result), balance:R (no result), hop:L (no result), "
                          "jog-on-spot (no result)"));
    /* balance L 11 s: a pass under the guideline's 10 s, not yet under the
     * program's 12 s (the criteria in force), whatever it was judged then */
    t[n++] = (struct course_test){READINESS_BALANCE, 'L', 11.0, true, 1700000000};
    t[n++] = (struct course_test){READINESS_BALANCE, 'R', 20.0, true, 1700000000};
    t[n++] = (struct course_test){READINESS_HOP, 'L', 10, true, 1700000000};
    t[n++] = (struct course_test){READINESS_JOG_SPOT, 'R', 60.0, true, 1700000000}; /* either side */
    CHECK_EQ(course_readiness_gate(&p, 1, t, n, 0, NULL, 0, &g), GC_OK);
    CHECK(g.blocked);
    CHECK_EQ(g.n_missing, 1);
    CHECK_EQ(g.missing[0].test, READINESS_BALANCE);
    CHECK_EQ(g.missing[0].side, 'L');
    CHECK(!strcmp(g.list, "balance:L (not yet)"));
    CHECK(!strcmp(g.missing_why[0], "not yet: 11.0 s (needs hold >= 12 s)"));
    /* a later pass on L clears it */
    t[n++] = (struct course_test){READINESS_BALANCE, 'L', 12.0, true, 1700000000};
    CHECK_EQ(course_readiness_gate(&p, 1, t, n, 0, NULL, 0, &g), GC_OK);
    CHECK(g.required && !g.blocked);
    CHECK_EQ(g.n_missing, 0);
    CHECK(!strcmp(g.list, ""));
    /* the latest counts: a later failed hop L blocks again */
    t[n++] = (struct course_test){READINESS_HOP, 'L', 7, false, 1700000000};
    CHECK_EQ(course_readiness_gate(&p, 1, t, n, 0, NULL, 0, &g), GC_OK);
    CHECK(g.blocked);
    CHECK_EQ(g.n_missing, 1);
    CHECK(!strcmp(g.missing_why[0], "not yet: 7 (needs >= 10 hops)"));
    /* a hop on R does not stand for L */
    t[n++] = (struct course_test){READINESS_HOP, 'R', 12, true, 1700000000};
    CHECK_EQ(course_readiness_gate(&p, 1, t, n, 0, NULL, 0, &g), GC_OK);
    CHECK(g.blocked);
    /* no figure stored: the pass as judged when measured */
    t[n++] = (struct course_test){READINESS_HOP, 'L', NAN, true, 1700000000};
    CHECK_EQ(course_readiness_gate(&p, 1, t, n, 0, NULL, 0, &g), GC_OK);
    CHECK(!g.blocked);
    t[n++] = (struct course_test){READINESS_HOP, 'L', NAN, false, 1700000000};
    CHECK_EQ(course_readiness_gate(&p, 1, t, n, 0, NULL, 0, &g), GC_OK);
    CHECK(g.blocked);
    CHECK(!strcmp(g.missing_why[0], "not yet (needs >= 10 hops)"));
    /* an override to another step does not waive; one to this step does,
     * and the missing tests are still listed */
    struct course_override o[2] = {{0, 0, "back to the walk"}, {0, 1, "cleared by the PT"}};
    CHECK_EQ(course_readiness_gate(&p, 1, t, n, 0, o, 1, &g), GC_OK);
    CHECK(g.blocked && !g.waived);
    CHECK_EQ(course_readiness_gate(&p, 1, t, n, 0, o, 2, &g), GC_OK);
    CHECK(!g.blocked && g.waived);
    CHECK_EQ(g.n_missing, 1);
    CHECK(!strcmp(g.waived_reason, "cleared by the PT"));
    /* out of range (a complete program) and bad arguments */
    CHECK_EQ(course_readiness_gate(&p, 2, t, n, 0, NULL, 0, &g), GC_OK);
    CHECK(!g.required && !g.blocked);
    /* results from before the program began do not count: since the day
     * before its first day (UTC), every one of the above did */
    CHECK_EQ(course_tests_since_utc("2023-11-15"), (19676 - 1) * 86400LL);
    CHECK_EQ(course_tests_since_utc("not a date"), 0);
    CHECK_EQ(course_readiness_gate(&p, 1, t, n, course_tests_since_utc("2023-11-15"), NULL, 0, &g),
             GC_OK);
    CHECK(g.blocked && g.n_missing == 1); /* taken 2023-11-14 22:13 UTC: counts */
    CHECK_EQ(course_readiness_gate(&p, 1, t, n, course_tests_since_utc("2024-03-01"), NULL, 0, &g),
             GC_OK);
    CHECK(g.blocked && g.n_missing == 4);
    CHECK(!strcmp(g.list, "balance:L (no result since the program began), balance:R (no result "
                          "since the program began), hop:L (no result since the program began), "
                          "jog-on-spot (no result since the program began)"));
    CHECK_EQ(course_readiness_gate(&p, 1, NULL, 3, 0, NULL, 0, &g), GC_ERR_ARG);
    CHECK_EQ(course_readiness_gate(NULL, 1, t, n, 0, NULL, 0, &g), GC_ERR_ARG);
}

int main(void)
{
    test_readiness_gate();
    test_session_counts();
    test_session_feedback();
    test_clean_course();
    test_pain_and_leak();
    test_step_back();
    test_not_counted_and_before();
    test_lefs_drop();
    test_override();
    test_dates();
    return check_exit();
}
