/* lowpass.c - 2nd-order Butterworth biquad (see lowpass.h). */
#include "lowpass.h"

#include <math.h>

#include "gc_error.h"

int lowpass_init(struct lowpass *lp, double cutoff_hz, double rate_hz)
{
    if (!lp || !(rate_hz > 0.0) || !(cutoff_hz > 0.0) || !(cutoff_hz < 0.45 * rate_hz))
        return GC_ERR_ARG;
    /* Pre-warped analogue cutoff for the bilinear transform s = 2 fs (z-1)/(z+1);
     * with K = tan(pi fc / fs) the fs factors cancel. */
    double k = tan(M_PI * cutoff_hz / rate_hz);
    double q = M_SQRT1_2; /* Butterworth */
    double norm = 1.0 / (1.0 + k / q + k * k);
    lp->b0 = k * k * norm;
    lp->b1 = 2.0 * lp->b0;
    lp->b2 = lp->b0;
    lp->a1 = 2.0 * (k * k - 1.0) * norm;
    lp->a2 = (1.0 - k / q + k * k) * norm;
    double sb = lp->b0 + lp->b1 + lp->b2;
    double sa = 1.0 + lp->a1 + lp->a2;
    double tau = (lp->b1 + 2.0 * lp->b2) / sb - (lp->a1 + 2.0 * lp->a2) / sa;
    lp->delay_s = tau / rate_hz;
    lowpass_reset(lp);
    return GC_OK;
}

void lowpass_reset(struct lowpass *lp)
{
    lp->z1 = lp->z2 = 0.0;
    lp->primed = false;
}

double lowpass_delay_s(const struct lowpass *lp)
{
    return lp->delay_s;
}
