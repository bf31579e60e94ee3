/* metronome.c - practice-track clicks and the WAV header (metronome.h). */
#include "metronome.h"

#include <math.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define ATTACK_MS 2.0
/* the click decays to exp(-5) (under 1 %) by its end */
#define DECAY_TAU_SHARE 0.2

int64_t metronome_click_sample(int64_t k, double spm, unsigned rate_hz)
{
    return (int64_t)llround((double)k * 60.0 * (double)rate_hz / spm);
}

static double click_value(double s, unsigned rate_hz)
{
    double t_ms = 1000.0 * s / rate_hz;
    if (t_ms < 0 || t_ms >= METRONOME_CLICK_MS)
        return 0.0;
    double env = t_ms < ATTACK_MS ? 0.5 * (1.0 - cos(M_PI * t_ms / ATTACK_MS)) : 1.0;
    env *= exp(-t_ms / (DECAY_TAU_SHARE * METRONOME_CLICK_MS));
    return METRONOME_LEVEL * env * sin(2.0 * M_PI * METRONOME_CLICK_HZ * t_ms / 1000.0);
}

void metronome_render(double spm, unsigned rate_hz, int64_t first, int16_t *out, size_t n)
{
    memset(out, 0, n * sizeof *out);
    int64_t click_len = (int64_t)ceil(METRONOME_CLICK_MS * rate_hz / 1000.0);
    /* the first click that can still sound at `first` */
    int64_t k = (int64_t)floor((double)(first - click_len) * spm / (60.0 * rate_hz)) - 1;
    if (k < 0)
        k = 0;
    for (;; k++) {
        int64_t s0 = metronome_click_sample(k, spm, rate_hz);
        if (s0 >= first + (int64_t)n)
            break;
        for (int64_t j = 0; j < click_len; j++) {
            int64_t i = s0 + j - first;
            if (i < 0 || i >= (int64_t)n)
                continue;
            out[i] = (int16_t)lrint(32767.0 * click_value((double)j, rate_hz));
        }
    }
}

static void le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16),
    p[3] = (uint8_t)(v >> 24);
}

static void le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}

void metronome_wav_header(uint8_t h[METRONOME_WAV_HEADER], uint32_t n_samples, unsigned rate_hz)
{
    uint32_t data = n_samples * 2u;
    memcpy(h, "RIFF", 4);
    le32(h + 4, 36u + data);
    memcpy(h + 8, "WAVEfmt ", 8);
    le32(h + 16, 16); /* fmt chunk size */
    le16(h + 20, 1);  /* PCM */
    le16(h + 22, 1);  /* mono */
    le32(h + 24, rate_hz);
    le32(h + 28, rate_hz * 2u); /* bytes per second */
    le16(h + 32, 2);            /* block align */
    le16(h + 34, 16);           /* bits per sample */
    memcpy(h + 36, "data", 4);
    le32(h + 40, data);
}
