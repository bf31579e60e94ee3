/* test_lowpass - DC gain, -3 dB point and the stated group delay. */
#include <math.h>
#include <stdio.h>

#include "check.h"
#include "gc_error.h"
#include "lowpass.h"

/* Amplitude of a settled sine of frequency f through the filter. */
static double sine_gain(double fc, double rate, double f)
{
    struct lowpass lp;
    lowpass_init(&lp, fc, rate);
    double peak = 0.0;
    int n = (int)(rate * 4.0);
    for (int i = 0; i < n; i++) {
        double y = lowpass_step(&lp, sin(2.0 * M_PI * f * i / rate));
        if (i > n / 2 && fabs(y) > peak)
            peak = fabs(y);
    }
    return peak;
}

int main(void)
{
    struct lowpass lp;
    CHECK_EQ(lowpass_init(&lp, 0.0, 1000.0), GC_ERR_ARG);
    CHECK_EQ(lowpass_init(&lp, 460.0, 1000.0), GC_ERR_ARG);
    CHECK_EQ(lowpass_init(&lp, 50.0, 1000.0), GC_OK);

    /* Unity DC gain and no start transient (primed on the first sample). */
    double y = 0.0;
    for (int i = 0; i < 10; i++)
        y = lowpass_step(&lp, 17.0);
    CHECK_NEAR(y, 17.0, 1e-9); /* exact up to rounding */

    /* -3 dB at the cutoff (bilinear transform with pre-warping: exact);
     * the peak of a sampled sine is within 0.2 % of its amplitude at 1 kHz
     * (sampling phase), hence the tolerance. */
    CHECK_NEAR(sine_gain(50.0, 1000.0, 50.0), M_SQRT1_2, 0.002);
    CHECK_NEAR(sine_gain(50.0, 300.0, 50.0), M_SQRT1_2, 0.01); /* 6 samples per period */
    /* Passband: 10 Hz within 0.1 % of unity (Butterworth: maximally flat). */
    CHECK_NEAR(sine_gain(50.0, 1000.0, 10.0), 1.0, 0.002);

    /* Group delay: a ramp comes out delayed by exactly the stated delay
     * once the start transient is over. */
    double rates[] = {300.0, 500.0, 1000.0, 2000.0};
    for (int r = 0; r < 4; r++) {
        double rate = rates[r];
        lowpass_init(&lp, 50.0, rate);
        double d = lowpass_delay_s(&lp);
        /* Analogue prototype: sqrt(2) / (2 pi fc) = 4.50 ms; the bilinear
         * transform shortens it as the cutoff nears Nyquist (-9 % at
         * 300 Hz, -3 % at 500 Hz, -0.8 % at 1 kHz). */
        double analog = M_SQRT2 / (2.0 * M_PI * 50.0);
        CHECK_NEAR(d, analog, (rate < 400.0 ? 0.10 : 0.04) * analog);
        lowpass_reset(&lp);
        int n = (int)(rate * 1.0);
        double slope = 1000.0; /* N/s */
        double out = 0.0;
        for (int i = 0; i < n; i++)
            out = lowpass_step(&lp, slope * i / rate);
        double t_last = (n - 1) / rate;
        double measured = t_last - out / slope;
        CHECK_NEAR(measured, d, 1e-9); /* steady-state ramp lag = tau(0), exact */
        printf("rate %6.0f Hz: stated delay %.4f ms, measured on a ramp %.4f ms\n", rate, 1e3 * d,
               1e3 * measured);
    }
    return check_exit();
}
