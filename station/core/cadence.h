/*
 * cadence.h - spectral cadence: the step frequency of the vertical force,
 * from an FFTW spectrum of a sliding window.
 *
 *   force --(block mean, D samples)--> ~50 Hz --> ring of window_s seconds
 *   every hop_s: remove mean, Hann window, zero-pad to >= 4x, |FFT|,
 *   strongest peak inside the search range, parabolic interpolation of
 *   log |X| around it  -->  step frequency (Hz) x 60 = steps/min
 *
 * Why this is robust: one missed or split contact changes a 10 s window
 * very little, unlike a median of step times.  Why a search range: the
 * force also has energy at the stride frequency (half the step frequency,
 * when left and right differ) and at harmonics; the caller narrows the
 * range by gait mode (running 2.0-4.2 Hz, walking 1.2-2.4 Hz, unknown
 * 0.9-4.2 Hz), which excludes both the stride line and the 2nd harmonic.
 *
 * cadence_new allocates and makes the FFTW plan (FFTW_ESTIMATE: fast,
 * deterministic); call it before worker threads start (FFTW's planner is not
 * thread-safe).  cadence_push never allocates.  Thread: owner's only.
 */
#ifndef GC_CADENCE_H
#define GC_CADENCE_H

#include <stdbool.h>
#include <stddef.h>

struct cadence;

/* rate_hz of the pushed samples, window_s 2..60, hop_s > 0.  NULL on bad
 * arguments or allocation failure. */
struct cadence *cadence_new(double rate_hz, double window_s, double hop_s);
void cadence_free(struct cadence *c);

/* Step-frequency search range, Hz (default 0.9..4.2). */
void cadence_set_range(struct cadence *c, double fmin_hz, double fmax_hz);

/* One input sample.  Returns true when a new estimate was made. */
bool cadence_push(struct cadence *c, double x);

/* Forget the window (data gap); the last estimate is kept. */
void cadence_reset(struct cadence *c);

/* End of input: if no full window was ever analysed, estimate from the
 * partial window when it holds at least 3 s.  Returns true if it did. */
bool cadence_flush(struct cadence *c);

/* Latest estimate, steps/min; NAN before the first. */
double cadence_spm(const struct cadence *c);

/* Estimate directly from a buffer (tests, offline): x[0..n-1] at rate_hz,
 * range fmin..fmax Hz.  Returns steps/min or NAN.  Allocates. */
double cadence_estimate(const double *x, size_t n, double rate_hz, double fmin_hz, double fmax_hz);

#endif
