/*
 * sim_deck.h - the deck the simulated runner (sim/runner_model.h) stands
 * on, for the gait tests on the runner model (test_gait_sim,
 * test_footprint_sim, test_gait_gaps): cells at x = +-0.3 m, y = +-0.7 m,
 * the nominal scale RUNNER_N_PER_COUNT, zero offsets.
 *
 * Header only (static functions): each test includes it once.
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

/* The runner's next sample as the station sees it: its cell counts
 * through calibration cal into *out. */
static inline void sim_deck_next(struct runner *r, const struct deck_cal *cal,
                                 struct gait_sample *out)
{
    struct runner_sample rs;
    runner_next(r, &rs);
    struct pkt_sample ps;
    memset(&ps, 0, sizeof ps);
    for (int c = 0; c < 4; c++)
        ps.cell[c] = rs.counts[c];
    deck_convert(cal, &ps, rs.t_s, out);
}

#endif
