/*
 * readiness.h - readiness tests measured on the stopped deck: single-leg
 * balance, hop in place, jog on the spot, single-leg calf raises and
 * squats (return to running: Goom, Donnelly & Brockwell 2019).
 *
 * Input: the whole test as deck samples (t, total force, COP), starting
 * with at least READINESS_STAND_S of quiet standing on both feet (the body
 * weight and the feet's positions come from it).  Method (docs/course.md):
 *
 *   COP is low-passed at READINESS_COP_HZ (2nd-order Butterworth run
 *   forward and backward: no delay); the force is used as sampled.
 *   balance     the other foot's load is estimated from the COP: with the
 *               feet at x0 -/+ d (two-leg COP x0, stance-foot COP xs,
 *               d = |xs - x0|) it carries F (xs - x) / 2d.  The hold is the
 *               longest stretch with it under 20 N and the total over half
 *               the body weight (not stepped off); its edges are the 20 N
 *               crossings found from outside the stretch (sway inside it
 *               cannot end it early).  Sway: COP path length and 95 %
 *               ellipse area (pi chi2(0.95,2) sqrt(det cov)) over the hold.
 *   hop, jog    contacts: force above the flight level + 20 N (flight
 *               level: median of the samples under a quarter of the body
 *               weight), stretches shorter than 30 ms merged; count =
 *               flights between contacts; contact and flight times at 20 N;
 *               peak force in BW; jog: cadence from the median step time,
 *               side from the COP, L/R symmetry of peak and contact.
 *   calf-raise  a rise = the COP moving 35 mm forward of the standing COP
 *               and back under 15 mm (onto the forefoot and down)
 *   squat       a squat = the force dipping 6 % under the body weight and
 *               rising 6 % over it (lowering, then pushing up)
 *
 * Criteria (struct readiness_criteria, editable): balance hold >= 10 s,
 * hop >= 10, calf raises >= 20, squats >= 10, jog >= 59 s (1 min, one
 * step's slack at each end).
 *
 * Pure: arrays in, figures out (readiness_measure allocates its scratch
 * and frees it).  Thread: any.
 */
#ifndef GC_READINESS_H
#define GC_READINESS_H

#include <stdbool.h>
#include <stddef.h>

#include "gait.h"
#include "gc_error.h"

#define READINESS_STAND_S   2.0
#define READINESS_COP_HZ    5.0
#define READINESS_CONTACT_N 20.0

enum readiness_test {
    READINESS_BALANCE = 0,
    READINESS_HOP,
    READINESS_JOG_SPOT,
    READINESS_CALF_RAISE,
    READINESS_SQUAT,
};
#define READINESS_N_TESTS 5

/* "balance", "hop", "jog-on-spot", "calf-raise", "squat" */
const char *readiness_test_name(enum readiness_test t);
/* Also accepts "jog-spot". */
bool readiness_test_parse(const char *name, enum readiness_test *out);

struct readiness_criteria {
    double balance_hold_s; /* >= to pass */
    int hop_count;
    double jog_s;
    int calf_raise_count;
    int squat_count;
};
void readiness_criteria_default(struct readiness_criteria *c);
/* Editable criteria: one key of a [readiness] section (a program file's,
 * or a criteria file's):
 *   balance_hold_s   = 10   ; s, 1-120
 *   hop_count        = 10   ; 1-100
 *   jog_s            = 59   ; s, 10-600
 *   calf_raise_count = 20   ; 1-100
 *   squat_count      = 10   ; 1-100
 * GC_OK, or GC_ERR_ARG with the sentence (naming key and range) in diag. */
GC_MUST_CHECK int readiness_criteria_set(struct readiness_criteria *c, const char *key,
                                         const char *value, struct gc_diag *diag);
/* A criteria file: a [readiness] section (other sections are ignored, so a
 * program file serves too); the keys it does not give keep the guideline's
 * defaults.  GC_OK, or GC_ERR_FORMAT with the line in *err_line (0: not
 * one line) and the reason in diag.  *found: the file had a [readiness]
 * section. */
GC_MUST_CHECK int readiness_criteria_parse(const char *text, struct readiness_criteria *c,
                                           bool *found, int *err_line, struct gc_diag *diag);
/* The test's criterion as text, e.g. "hold >= 10 s". */
void readiness_criterion_describe(enum readiness_test t, const struct readiness_criteria *c,
                                  char *buf, size_t cap);

/* Does the test's judged figure pass under c: the hold in s (balance), the
 * jogging time in s (jog-on-spot), else the count.  NAN: no. */
bool readiness_passes(enum readiness_test t, double value, const struct readiness_criteria *c);

struct readiness_result {
    enum readiness_test test;
    char side; /* 'L' or 'R' (jog: the side asked for, both measured) */
    bool pass;
    double body_weight_n;
    double hold_s;                      /* balance */
    int count;                          /* hops, raises, squats, jog steps */
    double contact_ms;                  /* hop: mean of the full contacts; jog: mean */
    double flight_ms;                   /* hop, jog: mean */
    double peak_bw;                     /* hop, jog: mean peak force, BW */
    double cadence_spm;                 /* jog */
    double jog_s;                       /* jog: steps x median step time */
    int steps_l, steps_r;               /* jog */
    double si_peak_pct, si_contact_pct; /* jog: 100 (L - R) / mean */
    double cop_path_mm;                 /* balance (hold), calf-raise, squat (repetitions) */
    double cop_area_mm2;
    double t_from_s, t_to_s; /* the stretch measured, s from the first sample */
};

/* Measure one test.  n samples (t_s ascending, rate >= 100 Hz).
 * GC_ERR_STATE with a sentence in diag when nobody stands on the deck
 * (under 200 N in the standing part) or the deck was left; GC_ERR_ARG for
 * too short a recording; GC_ERR_NOMEM. */
int readiness_measure(enum readiness_test test, char side, const struct gait_sample *s, size_t n,
                      const struct readiness_criteria *crit, struct readiness_result *out,
                      struct gc_diag *diag);

#endif
