/* test_deck - counts to force and centre of pressure. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "deck.h"
#include "gc_error.h"

int main(void)
{
    struct pkt_hello h;
    memset(&h, 0, sizeof h);
    strcpy(h.serial, "SIM-0001");
    h.cell_n_per_count = 2.5e-4f;
    const int16_t xs[4] = {-300, 300, -300, 300}, ys[4] = {700, 700, -700, -700};
    for (int i = 0; i < 4; i++) {
        h.cell_x_mm[i] = xs[i];
        h.cell_y_mm[i] = ys[i];
    }
    struct deck_cal cal;
    CHECK_EQ(deck_cal_nominal(&h, &cal), GC_OK);
    CHECK(!strcmp(cal.serial, "SIM-0001"));
    CHECK_NEAR(cal.cell[1].x_m, 0.30, 1e-12);
    CHECK_NEAR(cal.cell[2].y_m, -0.70, 1e-12);

    /* 800 N at (+0.10, -0.20): bilinear shares on the corners. */
    double fx = (0.10 + 0.30) / 0.60, fy = (-0.20 + 0.70) / 1.40;
    double share[4] = {(1 - fx) * fy, fx * fy, (1 - fx) * (1 - fy), fx * (1 - fy)};
    struct pkt_sample s;
    memset(&s, 0, sizeof s);
    for (int i = 0; i < 4; i++)
        s.cell[i] = (int32_t)lround(800.0 * share[i] / 2.5e-4);
    struct gait_sample g;
    deck_convert(&cal, &s, 1.5, &g);
    CHECK_NEAR(g.t_s, 1.5, 0.0);
    CHECK_NEAR(g.fz_n, 800.0, 0.001); /* count rounding: 4 x 1.25e-4 N */
    CHECK_NEAR(g.copx_m, 0.10, 1e-6);
    CHECK_NEAR(g.copy_m, -0.20, 1e-6);

    /* Offsets and per-cell gains. */
    cal.cell[0].offset_counts = 1000.0;
    cal.cell[0].n_per_count = 5e-4;
    s.cell[0] += 1000;
    double f[4];
    deck_cell_forces(&cal, &s, f);
    CHECK_NEAR(f[0], 2.0 * 800.0 * share[0], 0.001);

    /* Empty deck: no COP. */
    memset(&s, 0, sizeof s);
    s.cell[0] = 1000 + 40000; /* 20 N on one cell */
    deck_convert(&cal, &s, 0.0, &g);
    CHECK_NEAR(g.fz_n, 20.0, 1e-3);
    CHECK(isnan(g.copx_m) && isnan(g.copy_m));

    /* Blocks: sensor time from t_first_us and the rate. */
    struct pkt_samples blk;
    memset(&blk, 0, sizeof blk);
    blk.t_first_us = 2000000;
    blk.rate_hz = 1000;
    blk.n = 3;
    struct gait_sample out[3];
    CHECK_EQ(deck_convert_block(&cal, &blk, 0.0, out, 3), 3);
    CHECK_NEAR(out[2].t_s, 2.002, 1e-12);
    CHECK_EQ(deck_convert_block(&cal, &blk, 0.0, out, 2), GC_ERR_ARG);

    h.cell_n_per_count = 0.0f;
    CHECK_EQ(deck_cal_nominal(&h, &cal), GC_ERR_ARG);
    return check_exit();
}
