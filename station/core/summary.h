/*
 * summary.h - JSON summary of an analysed recording (station analyze
 * --summary): step count, cadence per step and spectral, contact time,
 * loading rates, impact-peak share, body weight, per-side figures and
 * symmetry indices; belt speed (with its confidence, per minute, and the
 * entered speed with a disagreement flag), step length and width, rearfoot
 * share (issue 17).  Built with cJSON.  Pure (returns a string).
 * Thread: any.
 */
#ifndef GC_SUMMARY_H
#define GC_SUMMARY_H

#include <stddef.h>

#include "gait.h"

struct summary_info {
    const char *input;  /* file name as given */
    const char *source; /* source= comment, may be NULL or "" */
    double rate_hz;
    double duration_s;           /* of the input */
    double body_weight_n;        /* BW used for the BW-normalised figures */
    const char *bw_source;       /* "mass", "file mass_kg", "estimated from whole steps" */
    double cadence_spectral_spm; /* NAN if none */
    unsigned gaps;
    double belt_given_mps; /* the treadmill's speed as entered (--speed); 0 = not given */
    bool incline_given;
    double incline_pct; /* the treadmill's incline as entered (--incline), % */
};

/* The deck's belt speed and the entered one disagree when they differ by
 * more than this share of the entered speed: twice the 5 % the estimate
 * reaches on the real recording (docs/analysis.md). */
#define SUMMARY_SPEED_DISAGREE_FRAC 0.10
/* The live deck estimate (the station's terminal, panel, web page, ctl,
 * store and report) is shown, and compared with the entered speed, only
 * once it is taken over at least this many steps (about 7 s of running at
 * 170 steps/min): over fewer, one odd step moves the median and its
 * interval is meaningless. */
#define SUMMARY_DECK_MIN_STEPS 20

/* Belt speed of a session from its steps' estimates (footprint.h): the
 * median over the steps of the runner's usual strike (the one most steps
 * have), NAN when none.  *n_used (may be NULL) the steps it is taken over. */
double summary_belt_speed(const struct gait_step *steps, size_t n, size_t *n_used);

/* The same median with its 95 % interval (the notch of a box plot,
 * McGill et al. 1978: +-1.58 IQR / sqrt n; the summary JSON's
 * speed_confidence.ci95_mps), NAN when none; *n_used may be NULL.  The
 * live session's deck estimate (station run) is this over its steps. */
double summary_belt_speed_ci(const struct gait_step *steps, size_t n, size_t *n_used,
                             double *ci95_mps);

/* Belt speed per minute: the steps (in time order) grouped by the minute
 * floor((t_ic_s - t0_s) / 60) of their initial contact, each group's
 * summary_belt_speed_ci (speed_mps and ci95_mps NAN, steps 0, when none of
 * its steps has a speed).  Minutes without a step are left out.  Writes
 * at most cap minutes to out (out may be NULL with cap 0) and returns how
 * many there are. */
struct summary_minute {
    unsigned minute; /* 0 = the first minute after t0_s */
    double speed_mps, ci95_mps;
    size_t steps; /* the steps the median is taken over */
};
size_t summary_speed_minutes(const struct gait_step *steps, size_t n, double t0_s,
                             struct summary_minute *out, size_t cap);

/* The live step length and width (the therapist panel, 'ctl get
 * status'): medians over the last SUMMARY_RECENT_STEPS steps (about 7 s
 * of running at 170 steps/min) of those that have one, NAN when none.
 * belt_mps > 0: the lengths at that speed (the entered one) instead of
 * the one each step used (gait_step.length_speed_mps); 0 or NAN: as the
 * steps have them. */
#define SUMMARY_RECENT_STEPS 20
void summary_recent_footprint(const struct gait_step *steps, size_t n, double belt_mps,
                              double *length_m, double *width_m);

/* Median of the finite per-step cadences, NAN if none. */
double summary_median_cadence(const struct gait_step *steps, size_t n);

/* malloc'd JSON text (free()), NULL on allocation failure. */
char *summary_json(const struct gait_step *steps, size_t n, const struct summary_info *info);

#endif
