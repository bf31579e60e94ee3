/*
 * weighin.h - body weight from a runner standing still on the deck.
 *
 * The deck's zero comes from the empty deck (the calibration's zero, or
 * flights: baseline.h); a runner standing still is weighed, never taken
 * as the zero.  Standing is recognised from the force alone: WEIGHIN_MIN_S
 * of force above WEIGHIN_MIN_N whose standard deviation stays within
 * WEIGHIN_MAX_SD of its mean (quiet standing sways the vertical force by
 * well under 1 % of body weight; walking and running move it by 100 % and
 * more).  The weight is the mean force of the whole stable stretch, and is
 * refined while the runner keeps standing (up to WEIGHIN_MAX_S).
 *
 *   force (above the zero)
 *     |   ______________________            stable: sd <= 1.5 % of mean
 *     |  /    <- >= 2 s stable ->\__/\_/\   -> body weight = its mean
 *     |_/                                    running: never stable
 *     +----------------------------------> t
 *
 * Stability is judged on blocks of WEIGHIN_BLOCK_S: a stretch is a run of
 * consecutive blocks whose pooled mean and sd pass, so the memory is
 * fixed and one sample costs a few additions.
 *
 * Caller's storage, no allocation.  Thread: owner's only.  Units: N, s.
 */
#ifndef GC_WEIGHIN_H
#define GC_WEIGHIN_H

#include <stdbool.h>
#include <stdint.h>

#define WEIGHIN_MIN_S   2.0   /* shortest stable stretch that weighs */
#define WEIGHIN_MAX_S   10.0  /* longest stretch averaged */
#define WEIGHIN_MIN_N   200.0 /* less than this is no person standing (about 20 kg) */
#define WEIGHIN_MAX_SD  0.015 /* sd / mean of a stable stretch */
#define WEIGHIN_BLOCK_S 0.1

struct weighin {
    /* the block being filled */
    double b_t0_s, b_sum, b_sum2;
    uint32_t b_n;
    /* the current stretch of stable blocks */
    double s_sum, s_sum2, s_len_s;
    uint64_t s_n;
    double t_last_s; /* previous sample: a jump in time breaks the stretch */
    /* the result */
    double weight_n; /* NAN until weighed */
    double weighed_s; /* length of the stretch it came from */
};

void weighin_init(struct weighin *w);
/* One sample: time and force above the deck's zero, N.  Returns true
 * when the weight changed (a first weighing, or a longer stretch). */
bool weighin_push(struct weighin *w, double t_s, double force_n);
/* A data gap: the current block and stretch end (a jump of more than
 * WEIGHIN_BLOCK_S between two samples does the same by itself). */
void weighin_break(struct weighin *w);
/* Body weight, N, or NAN when nobody has stood still long enough. */
static inline double weighin_weight_n(const struct weighin *w)
{
    return w->weight_n;
}

#endif
