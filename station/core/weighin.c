/* weighin.c - body weight from quiet standing (see weighin.h). */
#include "weighin.h"

#include <math.h>

static void block_reset(struct weighin *w, double t_s)
{
    w->b_t0_s = t_s;
    w->b_sum = w->b_sum2 = 0.0;
    w->b_n = 0;
}

static void stretch_reset(struct weighin *w)
{
    w->s_sum = w->s_sum2 = w->s_len_s = 0.0;
    w->s_n = 0;
}

void weighin_init(struct weighin *w)
{
    w->t_last_s = NAN;
    block_reset(w, NAN);
    stretch_reset(w);
    w->weight_n = NAN;
    w->weighed_s = 0.0;
}

void weighin_break(struct weighin *w)
{
    block_reset(w, NAN);
    stretch_reset(w);
}

static bool stable(double sum, double sum2, double n)
{
    if (n < 2)
        return false;
    double mean = sum / n;
    double var = sum2 / n - mean * mean;
    return mean >= WEIGHIN_MIN_N && sqrt(var > 0 ? var : 0) <= WEIGHIN_MAX_SD * mean;
}

/* A block is complete: grow the stretch with it if the whole stays
 * stable, else start a new stretch from this block. */
static bool close_block(struct weighin *w, double len_s)
{
    double n = (double)w->b_n;
    if (!stable(w->b_sum, w->b_sum2, n)) {
        stretch_reset(w);
        return false;
    }
    if (!stable(w->s_sum + w->b_sum, w->s_sum2 + w->b_sum2, (double)w->s_n + n))
        stretch_reset(w);
    if (w->s_len_s + len_s > WEIGHIN_MAX_S + 1e-9)
        return false; /* long enough: keep the weight of the first 10 s */
    w->s_sum += w->b_sum;
    w->s_sum2 += w->b_sum2;
    w->s_n += w->b_n;
    w->s_len_s += len_s;
    if (w->s_len_s + 1e-9 < WEIGHIN_MIN_S || w->s_len_s <= w->weighed_s)
        return false;
    /* a longer stable stretch than the one weighed so far: it weighs */
    w->weight_n = w->s_sum / (double)w->s_n;
    w->weighed_s = w->s_len_s;
    return true;
}

bool weighin_push(struct weighin *w, double t_s, double force_n)
{
    if (!isfinite(t_s) || !isfinite(force_n)) {
        weighin_break(w);
        return false;
    }
    /* a jump in time is missing data, not standing: it breaks the stretch */
    if (!isnan(w->t_last_s) && !(t_s - w->t_last_s <= WEIGHIN_BLOCK_S))
        weighin_break(w);
    w->t_last_s = t_s;
    bool changed = false;
    if (isnan(w->b_t0_s))
        block_reset(w, t_s);
    else if (t_s - w->b_t0_s >= WEIGHIN_BLOCK_S) {
        changed = close_block(w, t_s - w->b_t0_s);
        block_reset(w, t_s);
    }
    w->b_sum += force_n;
    w->b_sum2 += force_n * force_n;
    w->b_n++;
    return changed;
}
