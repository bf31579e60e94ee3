/*
 * baseline.h - flight baseline of the deck force (what the deck reads with
 * both feet in the air), tracked through sensor drift.
 *
 * Real decks read 5-35 N of noise and an offset (+17 N on the Fukuchi
 * treadmill) while nobody touches them, and the offset drifts slowly with
 * temperature.  Contact thresholds are relative to this level.
 *
 *   - Before any flight has been measured the deck is taken as zeroed
 *     (calibrated): the level is min(0, lowest filtered force so far).  A
 *     recording may start mid-stance, so the lowest force of the first
 *     moments says nothing.  If after BASELINE_INIT_S no flight has been
 *     found (an offset above the timing threshold: the force never comes
 *     near 0), the lowest force seen so far is used instead - but only up
 *     to BASELINE_MAX_OFFSET_N: more than that is a runner standing on
 *     the deck, and the calibration's zero stays.
 *   - Each measured flight (the samples between a toe-off and the next
 *     initial contact, minus a guard at both ends; the step detector picks
 *     them) gives its median; the level moves a fraction BASELINE_ALPHA of the
 *     way to it.  The first flight replaces the initial guess outright.
 *   - With no flight (walking, standing) the level holds.
 *
 * Caller's storage, no allocation.  Thread: owner's only.
 */
#ifndef GC_BASELINE_H
#define GC_BASELINE_H

#include <stdbool.h>
#include <stdint.h>

/* Weight of one new flight: a time constant of about 3 flights (~1 s of
 * running), fast against drift (N per minute), slow against one odd flight. */
#define BASELINE_ALPHA 0.3
/* Seconds of data after which an unzeroed deck is assumed (two strides of
 * slow walking contain a flight if there is any). */
#define BASELINE_INIT_S 2.0
/* The largest offset an empty deck is taken to have, N.  Real decks read
 * up to a few tens of N with nobody on them (+17 N on the Fukuchi
 * treadmill); a person standing loads 200 N and more.  A lowest force
 * above this is a runner standing still: weighed (weighin.h), never
 * tracked into the zero (DESIGN.md section 4). */
#define BASELINE_MAX_OFFSET_N 100.0

struct baseline {
    double level_n;   /* current estimate, N */
    double min_n;     /* lowest force seen before the first flight */
    double t0_s;      /* time of the first sample, NAN before it */
    bool from_flight; /* at least one flight measured */
    uint32_t flights; /* flights measured */
};

void baseline_init(struct baseline *b);
/* Every filtered sample while no flight has been measured yet. */
void baseline_observe(struct baseline *b, double t_s, double force_n);
/* Median force of one flight. */
void baseline_flight(struct baseline *b, double level_n);
static inline double baseline_level(const struct baseline *b)
{
    return b->level_n;
}

#endif
