/*
 * dsp_stream.h - a synthetic sensor stream for the DSP object's tests
 * (test_dsp, test_dsp_faults, test_analyze_rec_threads): SAMPLES payloads of
 * a known runner, as the reader thread would record them.
 *
 * Runner: half-sine contacts of 250 ms and 1700 N peak, 100 ms of flight
 * (step period 0.35 s: 171.43 steps/min), COP alternating x = -0.1 / +0.1 m
 * (left / right).  1 kHz, 10-sample blocks.  Cells at x = +-0.3 m,
 * y = +-0.7 m, nominal scale STREAM_N_PER_COUNT, zero offsets.
 *
 * Header only (static functions): each test includes it once.
 */
#ifndef GC_DSP_STREAM_H
#define GC_DSP_STREAM_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dsp.h"
#include "packet.h"

#define STREAM_RATE_HZ     1000u
#define STREAM_BLOCK       10u
#define STREAM_PERIOD_S    0.35
#define STREAM_CONTACT_S   0.25
#define STREAM_PEAK_N      1700.0
#define STREAM_N_PER_COUNT 2.5e-4f
#define STREAM_SPM         (60.0 / STREAM_PERIOD_S)

static void stream_hello(struct pkt_hello *h)
{
    memset(h, 0, sizeof *h);
    h->proto_version = PROTO_VERSION;
    h->fw_minor = 1;
    snprintf(h->serial, sizeof h->serial, "DSP-TEST-1");
    h->rate_hz = STREAM_RATE_HZ;
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        h->channel_corner[i] = (uint8_t)i;
        h->cell_x_mm[i] = (int16_t)((i & 1) ? 300 : -300);
        h->cell_y_mm[i] = (int16_t)((i & 2) ? -700 : 700);
    }
    h->cell_n_per_count = STREAM_N_PER_COUNT;
    h->accel_g_per_lsb = 1.0f / 2048;
    h->gyro_dps_per_lsb = 1.0f / 16.4f;
    h->streaming = true;
}

/* Force and COP x of the runner at runner time t (s). */
static void stream_runner(double t, double *fz, double *copx)
{
    double ph = fmod(t, STREAM_PERIOD_S);
    long k = (long)floor(t / STREAM_PERIOD_S);
    *copx = (k % 2) ? 0.1 : -0.1;
    *fz = ph < STREAM_CONTACT_S ? STREAM_PEAK_N * sin(M_PI * ph / STREAM_CONTACT_S) : 0.0;
}

/* One SAMPLES payload: block seq, sensor time of its first sample, runner
 * time of its first sample (the runner goes on through a sensor reboot),
 * rate.  Returns the payload length (0 on error). */
static size_t stream_block(uint32_t seq, uint64_t t_first_us, double t_runner_s, uint16_t rate_hz,
                           uint8_t *out, size_t cap)
{
    struct pkt_samples b;
    memset(&b, 0, sizeof b);
    b.seq = seq;
    b.t_first_us = t_first_us;
    b.rate_hz = rate_hz;
    b.n = STREAM_BLOCK;
    for (unsigned i = 0; i < STREAM_BLOCK; i++) {
        double fz, x;
        stream_runner(t_runner_s + i / (double)STREAM_RATE_HZ, &fz, &x);
        /* Lever rule across the deck: the right cells (x = +0.3 m) carry
         * (0.5 + x / 0.6) of the force, front and rear alike. */
        double right = fz * (0.5 + x / 0.6), left = fz - right;
        for (unsigned c = 0; c < PKT_CELLS; c++) {
            double f = 0.5 * ((c & 1) ? right : left);
            b.s[i].cell[c] = (int32_t)lround(f / STREAM_N_PER_COUNT);
        }
    }
    return pkt_samples_encode(&b, out, cap);
}

#endif
