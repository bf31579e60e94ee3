/* side.c - left/right from COP with alternation (see side.h). */
#include "side.h"

#include <math.h>

void side_init(struct side *s)
{
    s->mid_m = NAN;
    s->half_m = NAN;
    s->prev_c = NAN;
    s->have_prev = false;
    s->evid = 0.0;
    s->k = 0;
    s->contra = 0;
    s->last = GAIT_SIDE_UNKNOWN;
    s->pending = false;
}

void side_break(struct side *s)
{
    s->have_prev = false;
    s->evid = 0.0;
    s->k = 0;
    s->contra = 0;
    s->last = GAIT_SIDE_UNKNOWN;
    s->pending = false;
}

static enum gait_side opposite(enum gait_side x)
{
    return x == GAIT_SIDE_LEFT ? GAIT_SIDE_RIGHT
                               : (x == GAIT_SIDE_RIGHT ? GAIT_SIDE_LEFT : GAIT_SIDE_UNKNOWN);
}

enum gait_side side_expect(const struct side *s)
{
    return opposite(s->last);
}

static enum gait_side from_evid(const struct side *s, uint32_t k)
{
    double e = (k & 1u) ? -s->evid : s->evid;
    if (e > 0.0)
        return GAIT_SIDE_RIGHT;
    if (e < 0.0)
        return GAIT_SIDE_LEFT;
    return GAIT_SIDE_UNKNOWN;
}

enum gait_side side_decide(struct side *s, double c, enum gait_side *prev_side)
{
    *prev_side = GAIT_SIDE_UNKNOWN;
    uint32_t k = s->k++;
    if (!isfinite(c)) {
        s->have_prev = false;
        enum gait_side r = opposite(s->last);
        s->last = r;
        return r;
    }
    if (s->have_prev) {
        double pm = 0.5 * (c + s->prev_c), ph = 0.5 * fabs(c - s->prev_c);
        if (ph < SIDE_MIN_HALF_M)
            ph = SIDE_MIN_HALF_M;
        if (isnan(s->mid_m)) {
            s->mid_m = pm;
            s->half_m = ph;
        } else {
            s->mid_m += SIDE_MID_ALPHA * (pm - s->mid_m);
            s->half_m += SIDE_MID_ALPHA * (ph - s->half_m);
        }
    } else if (isnan(s->mid_m) && fabs(c) < SIDE_DECK_PRIOR_M) {
        s->mid_m = 0.0;
        s->half_m = 0.05;
    }
    double prev_c = s->prev_c;
    s->prev_c = c;
    s->have_prev = true;
    if (isnan(s->mid_m)) {
        /* First step in lab coordinates: decided with the next one. */
        s->pending = true;
        s->last = GAIT_SIDE_UNKNOWN;
        return GAIT_SIDE_UNKNOWN;
    }
    double z = (c - s->mid_m) / fmax(s->half_m, SIDE_MIN_HALF_M);
    if (z > 2.0)
        z = 2.0;
    if (z < -2.0)
        z = -2.0;
    double sgn = (k & 1u) ? -1.0 : 1.0;
    enum gait_side before = from_evid(s, k);
    s->evid = (1.0 - SIDE_ALPHA) * s->evid + SIDE_ALPHA * sgn * z;
    enum gait_side r = from_evid(s, k);
    enum gait_side copside = z > 0.0 ? GAIT_SIDE_RIGHT : GAIT_SIDE_LEFT;
    if (before != GAIT_SIDE_UNKNOWN && fabs(z) > SIDE_STRONG_Z && copside != r) {
        if (++s->contra >= 2) {
            /* Two strong contradictions in a row: the phase broke (a step
             * was missed).  Restart the evidence from this step. */
            s->evid = sgn * z;
            s->contra = 0;
            r = copside;
        }
    } else {
        s->contra = 0;
    }
    if (s->pending) {
        s->pending = false;
        (void)prev_c;
        *prev_side = opposite(r);
    }
    s->last = r;
    return r;
}
