/* deck.c - raw counts to force and centre of pressure (see deck.h). */
#include "deck.h"

#include <math.h>
#include <string.h>

#include "gc_error.h"

int deck_cal_nominal(const struct pkt_hello *hello, struct deck_cal *cal)
{
    if (!hello || !cal)
        return GC_ERR_ARG;
    double g = (double)hello->cell_n_per_count;
    if (!isfinite(g) || g == 0.0)
        return GC_ERR_ARG;
    memset(cal, 0, sizeof *cal);
    memcpy(cal->serial, hello->serial, PKT_SERIAL_LEN);
    cal->serial[PKT_SERIAL_LEN] = '\0';
    strcpy(cal->name, "nominal");
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        cal->cell[i].offset_counts = 0.0;
        cal->cell[i].n_per_count = g;
        cal->cell[i].x_m = hello->cell_x_mm[i] * 1e-3;
        cal->cell[i].y_m = hello->cell_y_mm[i] * 1e-3;
    }
    return GC_OK;
}

void deck_cell_forces(const struct deck_cal *cal, const struct pkt_sample *s,
                      double force_n[PKT_CELLS])
{
    for (unsigned i = 0; i < PKT_CELLS; i++)
        force_n[i] = ((double)s->cell[i] - cal->cell[i].offset_counts) * cal->cell[i].n_per_count;
}

void deck_from_forces(const struct deck_cal *cal, const double force_n[PKT_CELLS], double t_s,
                      struct gait_sample *out)
{
    double fz = 0.0, mx = 0.0, my = 0.0;
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        fz += force_n[i];
        mx += force_n[i] * cal->cell[i].x_m;
        my += force_n[i] * cal->cell[i].y_m;
    }
    out->t_s = t_s;
    out->fz_n = (float)fz;
    if (fz >= DECK_COP_MIN_N) {
        out->copx_m = (float)(mx / fz);
        out->copy_m = (float)(my / fz);
    } else {
        out->copx_m = NAN;
        out->copy_m = NAN;
    }
}

void deck_convert(const struct deck_cal *cal, const struct pkt_sample *s, double t_s,
                  struct gait_sample *out)
{
    double f[PKT_CELLS];
    deck_cell_forces(cal, s, f);
    deck_from_forces(cal, f, t_s, out);
}

int deck_convert_block(const struct deck_cal *cal, const struct pkt_samples *blk, double t_offset_s,
                       struct gait_sample *out, size_t cap)
{
    if (!cal || !blk || !out || blk->rate_hz == 0 || blk->n > PKT_MAX_BLOCK || cap < blk->n)
        return GC_ERR_ARG;
    double t0 = (double)blk->t_first_us * 1e-6 + t_offset_s;
    double dt = 1.0 / blk->rate_hz;
    for (unsigned i = 0; i < blk->n; i++)
        deck_convert(cal, &blk->s[i], t0 + i * dt, &out[i]);
    return (int)blk->n;
}
