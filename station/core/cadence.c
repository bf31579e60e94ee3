/* cadence.c - FFTW sliding-window step frequency (see cadence.h). */
#include "cadence.h"

#include <fftw3.h>
#include <math.h>
#include <stdlib.h>

/* Rate the force is reduced to before the FFT: the step frequency and its
 * first harmonics are below 15 Hz. */
#define DECIM_RATE_HZ 50.0
#define MIN_PARTIAL_S 3.0

struct cadence {
    double rate_hz, fd_hz;
    unsigned decim, acc_n;
    double acc;
    size_t nw, nfft, hop;
    double *ring; /* nw decimated samples */
    size_t rpos, filled, since;
    double *hann;
    double *in;
    fftw_complex *out;
    fftw_plan plan;
    double fmin, fmax;
    double spm;
    bool any_full;
};

static size_t next_pow2(size_t n)
{
    size_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

struct cadence *cadence_new(double rate_hz, double window_s, double hop_s)
{
    if (!(rate_hz > 0.0) || !(window_s >= 2.0 && window_s <= 60.0) || !(hop_s > 0.0))
        return NULL;
    struct cadence *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->rate_hz = rate_hz;
    c->decim = (unsigned)fmax(1.0, floor(rate_hz / DECIM_RATE_HZ + 0.5));
    c->fd_hz = rate_hz / c->decim;
    c->nw = (size_t)floor(window_s * c->fd_hz + 0.5);
    c->nfft = next_pow2(4 * c->nw);
    c->hop = (size_t)fmax(1.0, floor(hop_s * c->fd_hz + 0.5));
    c->ring = calloc(c->nw, sizeof *c->ring);
    c->hann = malloc(c->nw * sizeof *c->hann);
    c->in = fftw_malloc(c->nfft * sizeof *c->in);
    c->out = fftw_malloc((c->nfft / 2 + 1) * sizeof *c->out);
    if (!c->ring || !c->hann || !c->in || !c->out) {
        cadence_free(c);
        return NULL;
    }
    c->plan = fftw_plan_dft_r2c_1d((int)c->nfft, c->in, c->out, FFTW_ESTIMATE);
    if (!c->plan) {
        cadence_free(c);
        return NULL;
    }
    for (size_t i = 0; i < c->nw; i++)
        c->hann[i] = 0.5 - 0.5 * cos(2.0 * M_PI * (double)i / (double)(c->nw - 1));
    c->fmin = 0.9;
    c->fmax = 4.2;
    c->spm = NAN;
    return c;
}

void cadence_free(struct cadence *c)
{
    if (!c)
        return;
    if (c->plan)
        fftw_destroy_plan(c->plan);
    fftw_free(c->in);
    fftw_free(c->out);
    free(c->ring);
    free(c->hann);
    free(c);
}

void cadence_set_range(struct cadence *c, double fmin_hz, double fmax_hz)
{
    if (fmin_hz > 0.0 && fmax_hz > fmin_hz) {
        c->fmin = fmin_hz;
        c->fmax = fmax_hz;
    }
}

void cadence_reset(struct cadence *c)
{
    c->filled = 0;
    c->rpos = 0;
    c->since = 0;
    c->acc = 0.0;
    c->acc_n = 0;
}

double cadence_spm(const struct cadence *c)
{
    return c->spm;
}

/* Peak of |out|^2 inside [fmin, fmax], refined by a parabola through the
 * log magnitudes of the three bins around it (Gaussian-like main lobe of the
 * Hann window: the log-parabola is nearly exact). */
static double pick_peak(fftw_complex *out, size_t nfft, double fs, double fmin, double fmax)
{
    double df = fs / (double)nfft;
    size_t k0 = (size_t)ceil(fmin / df), k1 = (size_t)floor(fmax / df);
    if (k0 < 1)
        k0 = 1;
    if (k1 > nfft / 2 - 1)
        k1 = nfft / 2 - 1;
    if (k1 <= k0)
        return NAN;
    size_t kb = k0;
    double pb = -1.0;
    for (size_t k = k0; k <= k1; k++) {
        double p = out[k][0] * out[k][0] + out[k][1] * out[k][1];
        if (p > pb) {
            pb = p;
            kb = k;
        }
    }
    if (!(pb > 0.0))
        return NAN;
    double a = out[kb - 1][0] * out[kb - 1][0] + out[kb - 1][1] * out[kb - 1][1];
    double c = out[kb + 1][0] * out[kb + 1][0] + out[kb + 1][1] * out[kb + 1][1];
    double la = log(a + 1e-300), lb = log(pb), lc = log(c + 1e-300);
    double den = la - 2.0 * lb + lc;
    double d = den < 0.0 ? 0.5 * (la - lc) / den : 0.0;
    if (d > 0.5)
        d = 0.5;
    if (d < -0.5)
        d = -0.5;
    return ((double)kb + d) * df;
}

/* Analyse the n most recent decimated samples (n <= nw) with window w
 * (NULL: compute a Hann of length n). */
static double analyse(struct cadence *c, size_t n, const double *w)
{
    double mean = 0.0;
    size_t start = (c->rpos + c->nw - n) % c->nw;
    for (size_t i = 0; i < n; i++)
        mean += c->ring[(start + i) % c->nw];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 0.5 - 0.5 * cos(2.0 * M_PI * (double)i / (double)(n - 1));
        c->in[i] = (c->ring[(start + i) % c->nw] - mean) * wi;
    }
    for (size_t i = n; i < c->nfft; i++)
        c->in[i] = 0.0;
    fftw_execute(c->plan);
    double f = pick_peak(c->out, c->nfft, c->fd_hz, c->fmin, c->fmax);
    return isfinite(f) ? 60.0 * f : NAN;
}

bool cadence_push(struct cadence *c, double x)
{
    c->acc += x;
    if (++c->acc_n < c->decim)
        return false;
    double v = c->acc / c->decim;
    c->acc = 0.0;
    c->acc_n = 0;
    c->ring[c->rpos] = v;
    c->rpos = (c->rpos + 1) % c->nw;
    if (c->filled < c->nw)
        c->filled++;
    c->since++;
    if (c->filled < c->nw || c->since < c->hop)
        return false;
    c->since = 0;
    double spm = analyse(c, c->nw, c->hann);
    if (isfinite(spm)) {
        c->spm = spm;
        c->any_full = true;
    }
    return true;
}

bool cadence_flush(struct cadence *c)
{
    if (c->any_full || (double)c->filled < MIN_PARTIAL_S * c->fd_hz)
        return false;
    double spm = analyse(c, c->filled, NULL);
    if (!isfinite(spm))
        return false;
    c->spm = spm;
    return true;
}

double cadence_estimate(const double *x, size_t n, double rate_hz, double fmin_hz, double fmax_hz)
{
    double win = (double)n / rate_hz;
    if (win < 2.0)
        return NAN;
    if (win > 60.0)
        win = 60.0;
    struct cadence *c = cadence_new(rate_hz, win, 1e9);
    if (!c)
        return NAN;
    cadence_set_range(c, fmin_hz, fmax_hz);
    for (size_t i = 0; i < n; i++)
        cadence_push(c, x[i]);
    double spm = c->filled >= c->nw ? analyse(c, c->nw, c->hann) : analyse(c, c->filled, NULL);
    cadence_free(c);
    return spm;
}
