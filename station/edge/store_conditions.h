/*
 * store_conditions.h - the conditions a session ran in and its link
 * health (schema 5; issue 17 item 4, issue 16).
 *
 *   shoe         free text the PT typed (--shoe), "" when not given; the
 *                patient's last shoe is remembered and is the default of
 *                the next session
 *   speed_mps    the treadmill's belt speed as the PT entered it at the
 *                session's start (--speed): the conditions the baseline was
 *                measured under; NAN when not entered at the start
 *   incline_pct  likewise the incline at the start, %; NAN when not entered
 *   changes      the timeline: each 'ctl set speed|incline' during the
 *                session with its time and the value before and after, read
 *                from the session's change rows (target_changes, note
 *                "speed 3.00 -> 3.40 m/s (ctl)", store_conditions_note)
 *   deck_*       the deck's belt-speed estimate (footprint.h): the median of
 *                the steps' estimates of the usual strike since the entered
 *                speed last changed (the whole session when it never did),
 *                its 95 % interval (+-1.58 IQR / sqrt n) and its step count;
 *                NAN / 0 without a centre of pressure.  Stored every few
 *                seconds while the session runs and at its end, so an
 *                interrupted session keeps the last one known
 *   link_*       blocks the station asked the sensor to resend (a block
 *                asked twice counts twice), blocks
 *                recovered by a resend, blocks finally lost (dsp.h struct
 *                dsp_link_health: resend_asked, recovered, lost_blocks:
 *                all three counted from the recorded stream, so a replay
 *                gives the same); stored with the deck's estimate; -1 when
 *                not known (a session stored before schema 5, or one that
 *                ended or is still running before the first save)
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

/* The change rows' timeline is kept up to this many changes
 * (n_changes counts them all). */
#define STORE_COND_CHANGES_MAX 16

struct store_condition_change {
    double t_rel_s;  /* session time of the change, s */
    bool incline;    /* false: the speed (m/s); true: the incline (%) */
    double from, to; /* from: NAN when not entered before */
    char source[16]; /* "ctl", "web", ... */
};

struct store_conditions {
    char shoe[STORE_SHOE_MAX];
    double speed_mps;           /* at the start; NAN: not entered */
    double incline_pct;         /* at the start; NAN: not entered */
    double deck_speed_mps;      /* NAN: no estimate */
    double deck_speed_ci95_mps; /* NAN: no estimate */
    int64_t deck_speed_steps;
    int64_t link_requested, link_recovered, link_lost; /* -1: not known */
    /* read by store_conditions_get only (store_conditions_set ignores it) */
    size_t n_changes;
    struct store_condition_change changes[STORE_COND_CHANGES_MAX];
};

/* Everything unknown: "", NAN, 0 steps, -1 counts. */
void store_conditions_clear(struct store_conditions *c);

/* Store c for session sid (every field but the timeline: the start's
 * conditions, the session's start); a non-empty shoe also becomes
 * the patient's last shoe.  GC_ERR_ARG: the shoe is longer than
 * STORE_SHOE_MAX - 1 bytes or holds a control character;
 * GC_ERR_NOT_FOUND: no such session. */
GC_MUST_CHECK int store_conditions_set(struct store *st, int64_t sid,
                                       const struct store_conditions *c, struct gc_diag *diag);
/* Store only c's deck estimate and link totals for session sid (the
 * running session's periodic save and its end; the start's conditions
 * stay).  GC_ERR_NOT_FOUND: no such session. */
GC_MUST_CHECK int store_conditions_set_live(struct store *st, int64_t sid,
                                            const struct store_conditions *c,
                                            struct gc_diag *diag);
/* The stored conditions of session sid with the timeline of its changes
 * (cleared values for a session stored before schema 5).
 * GC_ERR_NOT_FOUND: no such session. */
GC_MUST_CHECK int store_conditions_get(struct store *st, int64_t sid, struct store_conditions *out,
                                       struct gc_diag *diag);
/* The patient's last shoe ("" when none).  GC_ERR_NOT_FOUND: no such
 * patient. */
GC_MUST_CHECK int store_patient_last_shoe(struct store *st, int64_t patient_id, char *shoe,
                                          size_t cap, struct gc_diag *diag);

/* The change row's note for a change of the speed (incline false, m/s)
 * or incline (%) from `from` (NAN: not entered) to `to`, made by source:
 * "speed 3.00 -> 3.40 m/s (ctl)", "incline not entered -> 1.0 % (web)".
 * store_conditions_get reads these notes back (and only these). */
void store_conditions_note(char *buf, size_t cap, bool incline, double from, double to,
                           const char *source);
/* Parse such a note into ch (t_rel_s left 0); false when the note is no
 * speed or incline change. */
bool store_conditions_parse_note(const char *note, struct store_condition_change *ch);
/* The entered speed in force at the end (the last change's, else the
 * start's; NAN none) and the session time it was entered (0: at the
 * start).  The deck's estimate is taken over the steps since then. */
double store_conditions_end_speed(const struct store_conditions *c, double *since_s);
/* The entered speed in force at session time t_rel_s (the start's, then
 * each change from its time on; NAN: none entered by then). */
double store_conditions_speed_at(const struct store_conditions *c, double t_rel_s);
/* How many times the entered speed changed during the session. */
size_t store_conditions_speed_changes(const struct store_conditions *c);
/* Likewise the incline in force at the end. */
double store_conditions_end_incline(const struct store_conditions *c);

/* Do a and b differ (see above)?  The start's conditions are compared
 * (the baseline's), not those after a change during a session.  why (may
 * be NULL) gets the differences as a short phrase ("shoe, speed 3.00 -> 3.30 m/s"), "" when none. */
bool store_conditions_differ(const struct store_conditions *a, const struct store_conditions *b,
                             char *why, size_t cap);

#endif
