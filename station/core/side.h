/*
 * side.h - left or right foot, from the mediolateral centre of pressure
 * made robust with the alternation of steps.
 *
 * Evidence per step: c = force-weighted mean COP x over its stance
 * (single-support part in walking).  Midline m and half separation h are
 * smoothed over consecutive pairs of steps (one left, one right: their mean
 * is the midline whatever the order), z = (c - m) / h.
 *
 * A plain sign test fails on narrow-gait runners (about one step in ten on
 * real data), so the decision uses the phase of the alternation: the steps
 * of a run are numbered k = 0, 1, 2, ... (restarting after a gap), and
 *
 *     E = exponential mean over steps of (-1)^k * clamp(z, -2, 2)
 *
 * says whether even steps are right (E > 0) or left.  One weak or wrong z
 * does not flip E; a real phase break (a missed step) is accepted when two
 * steps in a row contradict the phase with |z| > SIDE_STRONG_Z.
 *
 * The first step of a file with lab coordinates (no usable midline yet) is
 * decided at the next step: side_decide reports it through *prev_side.
 * Without COP the side is unknown.  Pure, caller's storage.  Thread: owner's.
 */
#ifndef GC_SIDE_H
#define GC_SIDE_H

#include <stdbool.h>
#include <stdint.h>

#include "gait.h"

#define SIDE_ALPHA      0.3 /* weight of one step in E (time constant ~3 steps) */
#define SIDE_MID_ALPHA  0.2 /* weight of one pair in the midline */
#define SIDE_STRONG_Z   1.2 /* |z| counted as strong evidence */
#define SIDE_MIN_HALF_M 0.005
/* Deck coordinates have their origin at the deck centre: a COP within this
 * distance of 0 lets the first step use 0 as the midline. */
#define SIDE_DECK_PRIOR_M 0.30

struct side {
    double mid_m, half_m; /* NAN until known */
    double prev_c;
    bool have_prev; /* the previous step is adjacent and had a COP */
    double evid;
    uint32_t k;          /* index of the next step within the run */
    int contra;          /* consecutive strong contradictions */
    enum gait_side last; /* side of the previous step of the run */
    bool pending;        /* previous step undecided (no midline yet) */
};

void side_init(struct side *s);
/* The run of alternating steps is broken (gap, or a long pause). */
void side_break(struct side *s);
/* Expected side of the next step, before its COP is known (CONTACT event). */
enum gait_side side_expect(const struct side *s);
/* Decide one step from its mean COP x (NAN if none).  If the previous step
 * was left undecided, *prev_side receives its side now (else UNKNOWN). */
enum gait_side side_decide(struct side *s, double copx_m, enum gait_side *prev_side);

#endif
