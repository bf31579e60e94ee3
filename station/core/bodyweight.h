/*
 * bodyweight.h - body weight (BW) in N: from a weigh-in or the patient's
 * mass when given, otherwise the mean vertical force over whole steps.
 *
 * Over one whole step (initial contact to the next initial contact) the
 * vertical impulse of the deck equals body weight x step time when the
 * runner neither climbs nor sinks on average, so the mean force above the
 * flight baseline over many whole steps is BW (walking or running alike).
 * Only intervals between consecutive steps of one run count (none across a
 * gap, none longer than BODYWEIGHT_MAX_STEP_S).
 *
 * Caller's storage, no allocation.  Thread: owner's only.
 */
#ifndef GC_BODYWEIGHT_H
#define GC_BODYWEIGHT_H

#include <stdbool.h>
#include <stdint.h>

#define BODYWEIGHT_MAX_STEP_S 2.0

struct bodyweight {
    double set_n; /* weigh-in / mass, NAN if none */
    double sum;   /* completed whole steps */
    uint64_t cnt;
    double isum; /* current interval */
    uint64_t icnt;
    bool open; /* an interval is running (since the last IC) */
};

void bodyweight_init(struct bodyweight *b);
void bodyweight_set(struct bodyweight *b, double bw_n);
/* Every sample: force above baseline, N. */
static inline void bodyweight_sample(struct bodyweight *b, double f_n)
{
    if (b->open) {
        b->isum += f_n;
        b->icnt++;
    }
}
/* Initial contact of a step; step_s = time since the previous step's IC
 * (<= 0 or NAN when there is none). */
void bodyweight_ic(struct bodyweight *b, double step_s);
/* Data gap or pause: drop the open interval. */
void bodyweight_break(struct bodyweight *b);
/* Current body weight, N: set value, or the estimate, or NAN. */
double bodyweight_n(const struct bodyweight *b);
/* True when the value comes from a weigh-in / mass. */
bool bodyweight_is_set(const struct bodyweight *b);

#endif
