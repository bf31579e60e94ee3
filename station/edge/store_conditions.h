/*
 * store_conditions.h - the conditions a session ran in and its link
 * health (schema 5; issue 17 item 4, issue 16).
 *
 *   shoe         free text the PT typed (--shoe), "" when not given; the
 *                patient's last shoe is remembered and is the default of
 *                the next session
 *   speed_mps    the treadmill's belt speed as the PT entered it (--speed,
 *                'ctl set speed'), the value in force at the session's end;
 *                NAN when never entered
 *   incline_pct  likewise the incline, %; NAN when never entered
 *   deck_*       the deck's belt-speed estimate (footprint.h): the median of
 *                the steps' estimates of the usual strike since the entered
 *                speed last changed (the whole session when it never did),
 *                its 95 % interval (+-1.58 IQR / sqrt n) and its step count;
 *                NAN / 0 without a centre of pressure
 *   link_*       blocks the station asked the sensor to resend (a block
 *                asked twice counts twice), blocks
 *                recovered by a resend, blocks finally lost (dsp.h struct
 *                dsp_link_health: resend_asked, recovered, lost_blocks:
 *                all three counted from the recorded stream, so a replay
 *                gives the same); -1 when not known (sessions stored
 *                before schema 5)
 *
 * Conditions differ (store_conditions_differ) when the shoe differs
 * (ignoring case and surrounding blanks), the entered speeds differ by
 * more than STORE_SPEED_DIFFER_FRAC, or the inclines by more than
 * STORE_INCLINE_DIFFER_PCT; a value entered in one session and not the
 * other is a difference too.
 *
 * Errors: gc_err codes with one sentence in diag (gc_error.h).
 * Thread: the store's (store.h).
 */
#ifndef GC_STORE_CONDITIONS_H
#define GC_STORE_CONDITIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gc_error.h"
#include "store.h"

#define STORE_SHOE_MAX 96
/* Speeds more than 5 % apart: comparisons of loading figures across
 * speeds are not like with like (issue 17). */
#define STORE_SPEED_DIFFER_FRAC 0.05
/* Inclines more than half a percentage point apart. */
#define STORE_INCLINE_DIFFER_PCT 0.5

struct store_conditions {
    char shoe[STORE_SHOE_MAX];
    double speed_mps;           /* NAN: not entered */
    double incline_pct;         /* NAN: not entered */
    double deck_speed_mps;      /* NAN: no estimate */
    double deck_speed_ci95_mps; /* NAN: no estimate */
    int64_t deck_speed_steps;
    int64_t link_requested, link_recovered, link_lost; /* -1: not known */
};

/* Everything unknown: "", NAN, 0 steps, -1 counts. */
void store_conditions_clear(struct store_conditions *c);

/* Store c for session sid (every field); a non-empty shoe also becomes
 * the patient's last shoe.  GC_ERR_ARG: the shoe is longer than
 * STORE_SHOE_MAX - 1 bytes or holds a control character;
 * GC_ERR_NOT_FOUND: no such session. */
GC_MUST_CHECK int store_conditions_set(struct store *st, int64_t sid,
                                       const struct store_conditions *c, struct gc_diag *diag);
/* The stored conditions of session sid (cleared values for a session
 * stored before schema 5).  GC_ERR_NOT_FOUND: no such session. */
GC_MUST_CHECK int store_conditions_get(struct store *st, int64_t sid, struct store_conditions *out,
                                       struct gc_diag *diag);
/* The patient's last shoe ("" when none).  GC_ERR_NOT_FOUND: no such
 * patient. */
GC_MUST_CHECK int store_patient_last_shoe(struct store *st, int64_t patient_id, char *shoe,
                                          size_t cap, struct gc_diag *diag);

/* Do a and b differ (see above)?  why (may be NULL) gets the differences
 * as a short phrase ("shoe, speed 3.00 -> 3.30 m/s"), "" when none. */
bool store_conditions_differ(const struct store_conditions *a, const struct store_conditions *b,
                             char *why, size_t cap);

#endif
