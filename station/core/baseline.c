/* baseline.c - flight baseline tracker (see baseline.h). */
#include "baseline.h"

#include <math.h>

void baseline_init(struct baseline *b)
{
    b->level_n = 0.0;
    b->min_n = INFINITY;
    b->t0_s = NAN;
    b->from_flight = false;
    b->flights = 0;
}

void baseline_observe(struct baseline *b, double t_s, double force_n)
{
    if (b->from_flight)
        return;
    if (isnan(b->t0_s))
        b->t0_s = t_s;
    if (force_n < b->min_n)
        b->min_n = force_n;
    /* An offset of the empty deck is adopted after BASELINE_INIT_S; a
     * loaded deck (someone standing on it) is never the zero. */
    bool empty_offset = b->min_n <= BASELINE_MAX_OFFSET_N;
    b->level_n = t_s - b->t0_s < BASELINE_INIT_S || !empty_offset ? fmin(0.0, b->min_n)
                                                                   : b->min_n;
}

void baseline_flight(struct baseline *b, double level_n)
{
    if (!isfinite(level_n))
        return;
    if (!b->from_flight)
        b->level_n = level_n;
    else
        b->level_n += BASELINE_ALPHA * (level_n - b->level_n);
    b->from_flight = true;
    b->flights++;
}
