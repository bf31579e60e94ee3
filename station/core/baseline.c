/* baseline.c - flight baseline tracker (see baseline.h). */
#include "baseline.h"

#include <math.h>

void baseline_init(struct baseline *b)
{
    b->level_n = NAN;
    b->from_flight = false;
    b->flights = 0;
}

void baseline_observe(struct baseline *b, double force_n)
{
    if (b->from_flight)
        return;
    if (isnan(b->level_n) || force_n < b->level_n)
        b->level_n = force_n;
}

void baseline_flight(struct baseline *b, double mean_n)
{
    if (!isfinite(mean_n))
        return;
    if (!b->from_flight)
        b->level_n = mean_n;
    else
        b->level_n += BASELINE_ALPHA * (mean_n - b->level_n);
    b->from_flight = true;
    b->flights++;
}
