/*
 * lowpass.h - causal 2nd-order Butterworth low-pass (one biquad), with its
 * group delay stated so event times can be corrected.
 *
 * Design: analogue prototype H(s) = wc^2 / (s^2 + sqrt(2) wc s + wc^2),
 * bilinear transform with the cutoff pre-warped, so the -3 dB point is
 * exactly cutoff_hz.  Unity gain at DC.  Direct form II transposed.
 *
 * Group delay: for a slowly varying input (and exactly for a ramp, after the
 * start transient) the output lags the input by the group delay at DC,
 *
 *     tau(0) = sum(k b_k)/sum(b_k) - sum(k a_k)/sum(a_k)   samples,
 *
 * which for this design is close to sqrt(2) / (2 pi cutoff_hz) seconds
 * (4.5 ms at 50 Hz).  lowpass_delay_s() returns the exact value of the
 * digital filter.  Event times measured on the output are corrected by
 * subtracting it.
 *
 * Caller's storage, no allocation.  Thread: one filter per thread.
 */
#ifndef GC_LOWPASS_H
#define GC_LOWPASS_H

#include <stdbool.h>

struct lowpass {
    double b0, b1, b2, a1, a2; /* a0 = 1 */
    double z1, z2;             /* state */
    double delay_s;            /* group delay at DC, s */
    bool primed;               /* state set from the first sample */
};

/* cutoff_hz must be in (0, 0.45 * rate_hz).  Returns GC_OK or GC_ERR_ARG. */
int lowpass_init(struct lowpass *lp, double cutoff_hz, double rate_hz);

/* Next call to lowpass_step starts from steady state at that sample's value
 * (no start transient).  Use after a data gap. */
void lowpass_reset(struct lowpass *lp);

static inline double lowpass_step(struct lowpass *lp, double x)
{
    if (!lp->primed) {
        /* Steady state for constant input x: y = x. */
        lp->z1 = x - lp->b0 * x;
        lp->z2 = lp->b2 * x - lp->a2 * x;
        lp->primed = true;
    }
    double y = lp->b0 * x + lp->z1;
    lp->z1 = lp->b1 * x - lp->a1 * y + lp->z2;
    lp->z2 = lp->b2 * x - lp->a2 * y;
    return y;
}

/* Group delay at DC, s. */
double lowpass_delay_s(const struct lowpass *lp);

#endif
