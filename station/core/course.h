/*
 * course.h - where a patient stands in a program, and why: the gate.
 *
 * The course is derived, never stored as a state: from the program
 * (program.h), the program's sessions in the order they ran, the symptoms
 * and outcome measures recorded around them and the PT's overrides,
 * course_replay computes the current step and every decision with its
 * reason.  Recording a late symptom or an override and replaying gives the
 * one answer every command (status, run, reports) reads.
 *
 * The gate, per counted session, in this order:
 *   1. a symptom in step_back_on               -> step-back (one step)
 *   2. a symptom in repeat_on (pain >= threshold is "pain"):
 *      the step_back_after-th such session in a row -> step-back,
 *      else                                      -> repeat (the clean
 *                                                   count starts again)
 *   3. clean: the advance_after-th clean session in a row -> advance
 *      (past the last step: complete), else      -> continue
 * A session that neither ended complete nor was stopped (interrupted,
 * excluded, still running) is not counted.  A step-back from the first
 * step stays there.  Symptoms outside both rule lists are shown, not gated.
 *
 * Which session a record belongs to: every record carries the id of the
 * patient's latest session when it was made (ref_session_id, 0 = none).
 * "during" and "after" records belong to that session; "before" records to
 * the first program session after it.  An override acts after the sessions
 * up to its ref_session_id and before any later one.
 *
 * Pure core: arrays in, state and timeline out.  Thread: any.
 */
#ifndef GC_COURSE_H
#define GC_COURSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "program.h"

#define COURSE_REASON_MAX 320

enum course_when { COURSE_BEFORE = 0, COURSE_DURING, COURSE_AFTER };
const char *course_when_name(enum course_when w);
/* "before" / "during" / "after" -> 0, or GC_ERR_ARG. */
int course_when_parse(const char *s, enum course_when *out);

/* A program session as stored. */
struct course_session {
    int64_t session_id;
    int64_t start_utc;
    int step;                            /* step it ran at, 0-based (as linked when it began) */
    bool counted;                        /* course_session_counts said yes */
    char why_not[COURSE_REASON_MAX / 2]; /* its sentence when not ("" = the general one) */
};

/* When a program session counts for the gate (a dose of the step was
 * given and measured):
 *   - it was not excluded, and ended complete (its whole plan ran) or was
 *     stopped (by the PT, --seconds or a signal: the dose is what ran)
 *     after at least COURSE_MIN_PLAN_SHARE of its planned time (an interrupted or still running session never counts);
 *   - and it has scored steps: at least COURSE_MIN_STEPS_PER_MIN a minute
 *     of the time it ran, and at least one (a quarter of a slow walk's
 *     cadence: a runner who was on the belt makes far more);
 *   - and feedback was given: every feedback phase it reached (training or
 *     run with a feedback mode) had a target in force at some time - a
 *     cadence band or a loading ceiling.  A relative target needs the
 *     baseline: when the baseline had too few steps it set none, and the
 *     training ran without feedback ("no feedback: the baseline set no
 *     target").  A plan without feedback phases (a walk, a retention
 *     probe) is not judged by this rule.
 * A session whose station had neither a display nor sound gave no
 * feedback, whatever its plan said: on a real sensor it does not count when
 * it reached a feedback phase (the report says "Feedback to the runner").
 * A session run compressed (--time-scale above 1) on a real sensor does
 * not count when the runner's own time was under COURSE_MIN_PLAN_SHARE of
 * the plan's: the plan's minutes ran as seconds, not the dose (with the
 * simulator it counts, so a whole course can be tested in minutes).
 * A session that does not count neither advances nor repeats: the patient
 * does the step's session again. */
#define COURSE_MIN_PLAN_SHARE    0.75
#define COURSE_MIN_STEPS_PER_MIN 30.0

enum course_end { COURSE_END_COMPLETE = 0, COURSE_END_STOPPED, COURSE_END_OTHER };

struct course_session_facts {
    enum course_end end;
    bool excluded;
    double planned_s;         /* planned duration in plan time, s (inf/NAN: open-ended) */
    double ran_s;             /* plan time run, s (planned_s for a complete session) */
    double clock_s;           /* session clock run, s (ran_s / the session's time scale) */
    long n_steps;             /* scored steps stored */
    int n_feedback_phases;    /* feedback phases reached (0: the rule does not apply) */
    int n_feedback_given;     /* of them, those with a target in force at some time */
    char no_target_phase[48]; /* the first reached feedback phase without one ("" none) */
    bool baseline_no_target;  /* the baseline set no relative target (too few steps) */
    double time_scale;        /* --time-scale of the session (1: real time; 0 read as 1) */
    bool simulated;           /* the simulator was the sensor (a test or demonstration) */
    bool not_delivered;       /* no display and no sound: no feedback reached the runner */
};
/* True when the session counts; otherwise why (one sentence, starting
 * "not counted: ") into why. */
bool course_session_counts(const struct course_session_facts *f, char *why, size_t cap);

/* A symptom record (station symptoms, a ctl mark in the session, or the
 * NPRS of an outcome measure). */
struct course_symptom {
    int64_t ref_session_id;
    enum course_when when;
    int pain;       /* NPRS 0..10, -1 not given */
    unsigned flags; /* PROGRAM_SYM_LEAK | _HEAVINESS | _BLEEDING */
};

/* An outcome measure (LEFS 0..80, -1 not given); its NPRS comes as a
 * course_symptom "after". */
struct course_prom {
    int64_t ref_session_id;
    int lefs;
};

struct course_override {
    int64_t ref_session_id;
    int to_step; /* 0-based; n_steps = mark the program complete */
    char reason[160];
};

enum course_action {
    COURSE_START = 0,   /* no session yet */
    COURSE_CONTINUE,    /* clean, not yet enough in a row */
    COURSE_ADVANCE,     /* enough clean sessions in a row: next step */
    COURSE_REPEAT,      /* a symptom: the step again, clean count restarts */
    COURSE_STEP_BACK,   /* a symptom rule: one step back */
    COURSE_NOT_COUNTED, /* interrupted, excluded or running */
    COURSE_OVERRIDE,    /* the PT moved the patient, with a reason */
    COURSE_COMPLETE,    /* the last step advanced */
};
/* "start", "continue", "advance", "repeat", "step-back", "not-counted",
 * "override", "complete" */
const char *course_action_name(enum course_action a);

struct course_decision {
    enum course_action action;
    int64_t session_id; /* the session decided on (0 for an override) */
    int from_step, to_step;
    int pain_max;      /* highest pain that counted for the session, -1 none */
    unsigned symptoms; /* symptoms attached (PROGRAM_SYM_*) */
    char reason[COURSE_REASON_MAX];
};

struct course_state {
    int step;             /* 0-based; n_steps when the program is complete */
    int clean_in_row;     /* clean sessions in a row at this step */
    int bad_in_row;       /* not-clean sessions in a row at this step */
    int sessions_at_step; /* counted sessions since the step began */
    int sessions_total;   /* counted program sessions */
    struct course_decision last;
};

/* Replay the course.  sessions, symptoms, proms and overrides are each in
 * the order they were recorded (ascending ids).  timeline (may be NULL)
 * receives up to cap decisions, one per session and override, in order;
 * returns how many there were (may exceed cap), or GC_ERR_ARG. */
int course_replay(const struct program *p, const struct course_session *sessions, size_t n_sessions,
                  const struct course_symptom *symptoms, size_t n_symptoms,
                  const struct course_prom *proms, size_t n_proms,
                  const struct course_override *overrides, size_t n_overrides,
                  struct course_state *state, struct course_decision *timeline, size_t cap);

/* Readiness before a step (a step's requires_tests, program.h).
 *
 * Each required test's latest result - per test and side; for jog-on-spot,
 * the latest on either side - must be a pass under the criteria in force
 * (the program's [readiness], as the program was started): the stored
 * figure is judged again with readiness_passes, so a result measured under
 * other criteria (a --criteria file) counts as the program's criteria say.
 * A result without its figure counts as it was judged when measured.
 * An override to the step (station program override --to-step N, with a
 * reason, audited) waives the requirement for the program: the PT has
 * judged the patient ready.  Only results taken since the program began
 * count (since_utc: its first day, 00:00 UTC): a test from an earlier
 * course says nothing about readiness now ("no result since the program
 * began").  Pure: the app reads the store. */
struct course_test {
    enum readiness_test test;
    char side;    /* 'L' or 'R' */
    double value; /* the judged figure: hold s, jogging s, or the count; NAN: unknown */
    bool pass;    /* as judged when measured (used when value is NAN) */
    int64_t utc;  /* when it was taken (Unix s) */
};

#define COURSE_TESTS_SAY_MAX 400

struct course_readiness_gate {
    bool required; /* the step has requires_tests */
    bool waived;   /* an override to the step waived them */
    char waived_reason[160];
    bool blocked; /* required, not all passed and not waived */
    size_t n_required;
    size_t n_missing; /* required tests whose latest result is not a pass */
    struct program_test_req missing[PROGRAM_MAX_TESTS];
    char missing_why[PROGRAM_MAX_TESTS]
                    [128];           /* "no result", "not yet: 6.0 s (needs hold >= 10 s)" */
    char list[COURSE_TESTS_SAY_MAX]; /* "balance:R (not yet), hop:L (no result)" */
};

/* The earliest time a readiness result counts for a program whose first
 * day is start_date ("YYYY-MM-DD"): 00:00 UTC of the day before it (a day
 * of slack, so no time zone drops a test taken on the first day, nor the
 * usual assessment on its eve); 0 (every result) when the date is not one. */
int64_t course_tests_since_utc(const char *start_date);

/* Judge step (0-based) of p against the tests (oldest first) taken from
 * since_utc on (0: all) and the overrides (in order).  A step out of range
 * or without requires_tests is not required.  GC_OK, or GC_ERR_ARG for bad
 * arguments. */
int course_readiness_gate(const struct program *p, int step, const struct course_test *tests,
                          size_t n_tests, int64_t since_utc,
                          const struct course_override *overrides, size_t n_overrides,
                          struct course_readiness_gate *out);

/* Days since 1970-01-01 of a "YYYY-MM-DD" date (a real calendar date), or
 * GC_ERR_ARG. */
int course_date_days(const char *date, int64_t *days);
/* Week of the program on day `today` for a program begun on day `start`:
 * 1 in the first seven days; 0 before the start. */
int course_week(int64_t start_days, int64_t today_days);

#endif
