/*
 * sim_deck.h - the deck the simulated runner (sim/runner_model.h) stands
 * on, for the gait tests on the runner model (test_gait_sim,
 * test_footprint_sim, test_gait_gaps): cells at x = +-0.3 m, y = +-0.7 m,
 * the nominal scale RUNNER_N_PER_COUNT, zero offsets.
 *
 * Header only (a static function): each test includes it once.
 */
#ifndef GC_SIM_DECK_H
#define GC_SIM_DECK_H

#include <string.h>

#include "deck.h"
#include "runner_model.h"

/* The nominal calibration of that deck into *cal (deck_cal_nominal's
 * result). */
static inline int sim_deck_cal(struct deck_cal *cal)
{
    struct pkt_hello h;
    memset(&h, 0, sizeof h);
    h.cell_n_per_count = (float)RUNNER_N_PER_COUNT;
    const int16_t xs[4] = {-300, 300, -300, 300}, ys[4] = {700, 700, -700, -700};
    for (int i = 0; i < 4; i++) {
        h.cell_x_mm[i] = xs[i];
        h.cell_y_mm[i] = ys[i];
    }
    return deck_cal_nominal(&h, cal);
}

#endif
