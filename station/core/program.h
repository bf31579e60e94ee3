/*
 * program.h - programs: the course of care a patient follows over weeks.
 *
 * A program is a small INI file (station/data/programs/NAME.ini), a
 * sequence of steps, each with the session protocol to run (a protocol
 * preset name, plan.h), its planned weeks and sessions per week, and how
 * many clean sessions in a row advance it; one [gate] section says what
 * makes a session not clean and what follows.  Example:
 *
 *   [program]
 *   name = gait-retraining-8
 *   description = Eight sessions over 2-3 weeks, continuous then faded feedback.
 *   source = Crowell & Davis 2011; Willy et al. 2016
 *
 *   [gate]
 *   pain_threshold = 4       ; NPRS 0-10: pain >= this in or around a session
 *   repeat_on = leak         ; symptoms that repeat the step (any of: pain,
 *                            ;   leak, heaviness, bleeding, lefs-drop)
 *   step_back_on = bleeding  ; symptoms that step back at once
 *   step_back_after = 2      ; not-clean sessions in a row at one step: back
 *   lefs_drop = 9            ; LEFS (0-80) this many points under the best
 *                            ;   so far counts as a symptom ("lefs-drop")
 *
 *   [step]                   ; every [step] section is the next step
 *   name = continuous 15 min
 *   weeks = 1                ; planned weeks of the program: "1" or "1-4"
 *   sessions_per_week = 3
 *   protocol = retrain-15-continuous
 *   advance_after = 2        ; clean sessions in a row to move on
 *   requires_tests = balance:L, balance:R, jog-on-spot
 *                            ; readiness tests (station test) whose latest
 *                            ;   result per test and side must be a pass
 *                            ;   before this step's first session; TEST:L
 *                            ;   or TEST:R for the one-sided tests
 *                            ;   (balance, hop, calf-raise, squat), no side
 *                            ;   for jog-on-spot (both sides measured)
 *
 * Pain at or above the threshold counts as "pain" for repeat_on and
 * step_back_on (default: pain repeats).  A malformed file is refused with
 * its line and the reason (in a gc_diag, as protocols are).
 *
 * Pure core: program_parse works on a buffer; the app finds and reads the
 * file.  Thread: any (no shared state).
 */
#ifndef GC_PROGRAM_H
#define GC_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"
#include "readiness.h"

#define PROGRAM_MAX_STEPS 16
#define PROGRAM_NAME_MAX  48
#define PROGRAM_TEXT_MAX  240

/* What can make a session not clean (bit set). */
enum program_symptom {
    PROGRAM_SYM_PAIN = 1u << 0,      /* pain >= pain_threshold (NPRS) */
    PROGRAM_SYM_LEAK = 1u << 1,      /* urinary leakage */
    PROGRAM_SYM_HEAVINESS = 1u << 2, /* pelvic heaviness or dragging */
    PROGRAM_SYM_BLEEDING = 1u << 3,  /* vaginal bleeding */
    PROGRAM_SYM_LEFS_DROP = 1u << 4, /* LEFS fell lefs_drop points below the best so far */
};
#define PROGRAM_SYM_ALL 0x1fu

/* "pain", "leak", ...; NULL for a value that is not one bit. */
const char *program_symptom_name(unsigned bit);
/* "pain, leak" into buf for a set of bits ("none" when 0). */
void program_symptoms_describe(unsigned bits, char *buf, size_t cap);

/* A readiness test a step requires passed (requires_tests). */
#define PROGRAM_MAX_TESTS 12
struct program_test_req {
    enum readiness_test test;
    char side; /* 'L' or 'R'; 0 for jog-on-spot (either side's result) */
};
/* "balance:L", "jog-on-spot" into buf. */
void program_test_req_describe(const struct program_test_req *r, char *buf, size_t cap);

struct program_step {
    char name[PROGRAM_NAME_MAX];
    int week_from, week_to; /* planned weeks of the program, 1-based */
    int sessions_per_week;
    char protocol[PLAN_NAME_MAX]; /* protocol preset name or file */
    int advance_after;            /* clean sessions in a row to move on */
    size_t n_requires;            /* readiness tests to pass before this step */
    struct program_test_req requires[PROGRAM_MAX_TESTS];
};

struct program_gate {
    int pain_threshold;    /* NPRS 0..10; pain >= this is the symptom "pain" */
    unsigned repeat_on;    /* symptoms that repeat the step */
    unsigned step_back_on; /* symptoms that step back at once */
    int step_back_after;   /* not-clean sessions in a row at one step: step back */
    int lefs_drop;         /* LEFS points under the best so far (0 = not used) */
};

struct program {
    char name[PROGRAM_NAME_MAX];
    char description[PROGRAM_TEXT_MAX];
    char source[PROGRAM_TEXT_MAX];
    struct program_gate gate;
    /* [readiness]: the readiness tests' pass criteria for this program's
     * patients (readiness.h keys; the guideline's defaults otherwise) */
    struct readiness_criteria readiness;
    size_t n_steps;
    struct program_step steps[PROGRAM_MAX_STEPS];
};

/* Parse a program from text (len bytes).  GC_OK, or GC_ERR_FORMAT with
 * "line N: why" in diag ("why" alone when not on one line). */
GC_MUST_CHECK int program_parse(const char *text, size_t len, struct program *out,
                                struct gc_diag *diag);

/* Total clean sessions the program needs when nothing goes wrong. */
int program_sessions_planned(const struct program *p);

#endif
