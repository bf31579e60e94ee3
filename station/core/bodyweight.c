/* bodyweight.c - body weight from whole steps (see bodyweight.h). */
#include "bodyweight.h"

#include <math.h>

void bodyweight_init(struct bodyweight *b)
{
    b->set_n = NAN;
    b->sum = 0.0;
    b->cnt = 0;
    b->isum = 0.0;
    b->icnt = 0;
    b->open = false;
}

void bodyweight_set(struct bodyweight *b, double bw_n)
{
    b->set_n = bw_n > 0.0 && isfinite(bw_n) ? bw_n : NAN;
}

void bodyweight_ic(struct bodyweight *b, double step_s)
{
    if (b->open && step_s > 0.0 && step_s <= BODYWEIGHT_MAX_STEP_S && b->icnt > 0) {
        b->sum += b->isum;
        b->cnt += b->icnt;
    }
    b->isum = 0.0;
    b->icnt = 0;
    b->open = true;
}

void bodyweight_break(struct bodyweight *b)
{
    b->isum = 0.0;
    b->icnt = 0;
    b->open = false;
}

double bodyweight_n(const struct bodyweight *b)
{
    if (isfinite(b->set_n))
        return b->set_n;
    return b->cnt ? b->sum / (double)b->cnt : NAN;
}

bool bodyweight_is_set(const struct bodyweight *b)
{
    return isfinite(b->set_n);
}
