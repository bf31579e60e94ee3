/*
 * report_gait.h - the figures of the session report's "Gait" page that the
 * store does not hold (issue 17 item 5): time-normalised vertical force
 * curves per side, the centre-of-pressure paths of successive stances, and
 * step length, width and belt speed per phase.
 *
 * The store keeps steps, not force traces, so report_gait_load replays the
 * session's raw recording (store_session.raw_path) through the DSP stage
 * (dsp.h, single-threaded, as `station analyze` does) and feeds its samples
 * and steps to stance_curve.h.  The recording is first checked against the
 * SHA-256 stored with the session: a missing, changed or unreadable
 * recording is not an error of the report - the result says so in one
 * sentence (why) and has available false, and the page prints that
 * sentence in place of these figures.
 *
 * Replayed steps are tied to the stored ones by step index (the replay of
 * the same recording gives the live session's steps; a step whose IC
 * differs by more than REPORT_GAIT_MATCH_S from the stored one is not
 * used): that gives each its phase.  Step lengths follow the treadmill
 * speed the PT entered when the session has one (length_speed_mps), so
 * they can differ from the live session's (which used the deck's
 * estimate); the steps, their times and strikes do not change with it.
 * Curve groups: REPORT_GAIT_BASELINE (baseline phases) and
 * REPORT_GAIT_REST (training, retention, run and walk
 * phases); weigh-in and steps outside the plan are left out.
 *
 * Ownership: the caller owns *out; report_gait_free releases its arrays.
 * Thread: any (no shared state); the replay runs on the calling thread and
 * takes about 0.4 s for a 16-minute session recorded at 1 kHz (measured:
 * `station report --pdf` of a full-length simulated cadence-retraining
 * session, RelWithDebInfo, one core of the build machine).
 */
#ifndef GC_REPORT_GAIT_H
#define GC_REPORT_GAIT_H

#include <stdbool.h>
#include <stddef.h>

#include "gc_error.h"
#include "report_record.h"
#include "stance_curve.h"
#include "summary.h"

#define REPORT_GAIT_BASELINE 0
#define REPORT_GAIT_REST     1
#define REPORT_GAIT_GROUPS   2
#define REPORT_GAIT_MATCH_S  0.001
#define REPORT_GAIT_WHY_LEN  800

/* Rearfoot share of the steps with a strike (gait_step.strike): [0] both
 * sides, [1] left, [2] right; NAN where no step has one. */
#define REPORT_GAIT_ALL   0
#define REPORT_GAIT_LEFT  1
#define REPORT_GAIT_RIGHT 2

/* Step length and width of one phase (replayed steps of that phase). */
struct report_gait_phase {
    size_t n_length, n_width;
    double length_m, length_sd_m; /* mean, SD (n - 1); NAN if none / < 2 */
    double width_m, width_sd_m;
    double speed_mps; /* median of the steps' belt speed estimates; NAN if none */
    double rearfoot_share[3];
    size_t n_strike[3];
};

struct report_gait {
    bool available;                /* the figures below were drawn from the recording */
    bool sha_checked; /* available: the recording's SHA-256 matched the stored one
                         (false: none was stored, the session did not end normally) */
    char why[REPORT_GAIT_WHY_LEN]; /* not available: the one sentence saying why;
                                      available: a note or "" */
    double body_weight_n;          /* the BW the curves are divided by */
    const char *bw_source;         /* "the session's" or "estimated in the replay" */
    /* [side 0 = L, 1 = R][group] */
    struct stance_curve_result curve[2][REPORT_GAIT_GROUPS];
    size_t n_paths[2][REPORT_GAIT_GROUPS];
    float path_x_m[2][REPORT_GAIT_GROUPS][STANCE_PATHS_MAX * STANCE_PATH_POINTS];
    float path_y_m[2][REPORT_GAIT_GROUPS][STANCE_PATHS_MAX * STANCE_PATH_POINTS];
    struct report_gait_phase *phases; /* one per r->phases, same order */
    size_t n_phases;
    double length_side_m[2]; /* mean step length ending on each side (L, R), every phase */
    /* The speed step lengths use: the treadmill's speed entered for the
     * session when there is one, else the deck's running estimate
     * (gait.h).  length_speed_mps: the entered speed in force at the end
     * (NAN: none entered, the deck's); each step's length uses the one in
     * force at its contact (the replay applies every change where it was
     * made: length_speed_changes of them). */
    double length_speed_mps;
    size_t length_speed_changes;
    /* every phase's steps (weigh-in and steps outside the plan left out) */
    double rearfoot_share[3];
    size_t n_strike[3];
    /* The deck's belt speed over every replayed step, its 95 % interval
     * and per minute since the session start (summary.h; malloc'd). */
    double speed_mps, speed_ci95_mps;
    size_t speed_steps;
    struct summary_minute *minutes;
    size_t n_minutes;
    size_t steps_replayed, steps_matched, steps_skipped;
    size_t steps_walk; /* matched steps taken walking (GAIT_STEP_WALK) */
};

/* Fills *out from r's recording.  GC_OK also when the recording cannot be
 * used (out->available false, out->why); GC_ERR_NOMEM otherwise (diag). */
GC_MUST_CHECK int report_gait_load(const struct report_record *r, struct report_gait *out,
                                   struct gc_diag *diag);
void report_gait_free(struct report_gait *g);

/* The symmetry index of the page: 100 (L - R) / ((L + R) / 2) %
 * (Robinson, Herzog and Nigg 1987); NAN when either is not finite or
 * L + R is 0. */
double report_gait_si(double left, double right);

#endif
