/*
 * stance_curve.h - time-normalised vertical force curves and centre-of-
 * pressure paths per stance, per side (issue 17 item 5: the report's
 * "Gait" page).
 *
 * Fed the conditioned samples and the completed steps of the DSP stage
 * (dsp_last_samples, GAIT_EV_STEP), in the order the DSP produces them:
 * the samples of a block first, then the steps that block completed.  A
 * step's stance is always in the past of the samples already given (a step
 * is known at toe-off plus the detector's delay), so a ring of the last
 * STANCE_RING_S seconds of samples holds it.
 *
 * Normalisation: the stance runs from the step's threshold crossings
 * t_ic_thr_s to t_to_thr_s (the force threshold of the contact time,
 * gait.h); point k of STANCE_CURVE_POINTS is at
 *     t_k = t_ic_thr_s + (k / (STANCE_CURVE_POINTS - 1)) (t_to_thr_s - t_ic_thr_s)
 * i.e. 0, 1, ..., 100 % of stance, the force linearly interpolated between
 * the two samples around t_k.  Per side and group (the caller's: e.g. 0 the
 * baseline phases, 1 the others) the mean and the sample standard
 * deviation (n - 1) across steps are kept per point; stance_curve_get
 * divides both by the body weight (BW).
 *
 * The force is the deck's total vertical force (raw, not low-passed): in
 * running one foot is on the deck at a time; in walking the double-support
 * ends of a stance also hold the other foot's load (stated on the page).
 *
 * COP paths: the first STANCE_PATHS_MAX steps of each side and group keep
 * their COP path (ML x, AP y in deck coordinates, m) at STANCE_PATH_POINTS
 * points evenly over the stance, NAN where the COP is unknown.
 *
 * A step is not used (stance_curve_add_step returns 0) when its side is
 * unknown, its threshold times are absent, a data gap lies inside its
 * stance (GAIT_STEP_GAP_INSIDE, or two ring samples further apart than 1.5
 * sample periods), or its stance is no longer (or not yet) in the ring.
 *
 * Pure core: stance_curve_new allocates; the other calls never allocate,
 * lock or log.  Thread: one object belongs to one thread.  Units: s, N, m;
 * the results in BW.
 */
#ifndef GC_STANCE_CURVE_H
#define GC_STANCE_CURVE_H

#include <stdbool.h>
#include <stddef.h>

#include "gait.h"
#include "gc_error.h"

#define STANCE_CURVE_POINTS 101 /* 0..100 % of stance in 1 % steps */
#define STANCE_PATH_POINTS  41  /* COP path: every 2.5 % of stance */
#define STANCE_PATHS_MAX    48  /* COP paths kept per side and group */
#define STANCE_GROUPS_MAX   4
/* Samples kept: the longest walking stance (~1 s) plus the detector's
 * delay to the step event (< 0.2 s), with room to spare. */
#define STANCE_RING_S 3.0

struct stance_curve;

/* rate_hz: the sample rate (> 0, <= 5000); n_groups 1..STANCE_GROUPS_MAX.
 * Sets *out (NULL on failure); GC_ERR_ARG or GC_ERR_NOMEM, said in diag. */
GC_MUST_CHECK int stance_curve_new(double rate_hz, int n_groups, struct stance_curve **out,
                                   struct gc_diag *diag);
void stance_curve_free(struct stance_curve *sc);

/* Samples in time order (session or sensor time, the steps' time base).
 * Samples out of time order are refused (GC_ERR_ARG, said in diag; those
 * before it are kept). */
int stance_curve_add_samples(struct stance_curve *sc, const struct gait_sample *s, size_t n,
                             struct gc_diag *diag);

/* A completed step of group g.  Returns 1 when used, 0 when not (see
 * above), GC_ERR_ARG for a bad group or NULL. */
int stance_curve_add_step(struct stance_curve *sc, const struct gait_step *st, int group);

/* Mean and SD curves of one side and group, in body weights. */
struct stance_curve_result {
    size_t n;                            /* steps averaged */
    double mean_bw[STANCE_CURVE_POINTS]; /* NAN when n == 0 */
    double sd_bw[STANCE_CURVE_POINTS];   /* NAN when n < 2 */
    double contact_ms;                   /* mean stance t_to_thr_s - t_ic_thr_s, ms */
};
/* side: GAIT_SIDE_LEFT or _RIGHT; bw_n > 0.  GC_ERR_ARG otherwise (diag). */
int stance_curve_get(const struct stance_curve *sc, enum gait_side side, int group, double bw_n,
                     struct stance_curve_result *out, struct gc_diag *diag);

/* The COP paths of one side and group, oldest first: returns how many
 * (<= STANCE_PATHS_MAX); path i is x[i * STANCE_PATH_POINTS + k],
 * y[...] (m), pointers into the object, valid until it is freed. */
size_t stance_curve_paths(const struct stance_curve *sc, enum gait_side side, int group,
                          const float **x_m, const float **y_m);

/* Steps refused so far (for the page's note). */
size_t stance_curve_skipped(const struct stance_curve *sc);

#endif
