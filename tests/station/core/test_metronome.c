/* test_metronome.c - the practice track's clicks are sample-accurate
 * (station/core/metronome.h): every click starts exactly at
 * round(k x 60 x rate / spm) over 30 minutes, rendering in blocks gives the
 * same samples as in one go, and the WAV header is right. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "metronome.h"

int main(void)
{
    const unsigned rate = METRONOME_RATE_HZ;
    /* click starts over 30 min at a cadence whose period is not a whole
     * number of samples (44100 x 60 / 172 = 15383.72...) */
    const double spm = 172.0;
    CHECK_EQ(metronome_click_sample(0, spm, rate), 0);
    CHECK_EQ(metronome_click_sample(1, spm, rate), 15384);
    CHECK_EQ(metronome_click_sample(172 * 30, spm, rate), (int64_t)rate * 60 * 30);
    /* no drift: the k-th click is within half a sample of k x period */
    for (int64_t k = 0; k < 172 * 30; k++) {
        double exact = (double)k * 60.0 * rate / spm;
        double got = (double)metronome_click_sample(k, spm, rate);
        if (got - exact > 0.5 || exact - got > 0.5)
            CHECK_MSG(0, "click off by more than half a sample");
    }
    /* two minutes rendered in one go and in odd blocks: identical, each
     * click starts at its sample (silence before it, sound right after) */
    size_t n = (size_t)rate * 120;
    int16_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    metronome_render(spm, rate, 0, a, n);
    for (size_t at = 0; at < n; at += 1001)
        metronome_render(spm, rate, (int64_t)at, b + at, n - at < 1001 ? n - at : 1001);
    CHECK(memcmp(a, b, n * sizeof *a) == 0);
    int clicks = 0;
    for (int64_t k = 0; metronome_click_sample(k, spm, rate) < (int64_t)n; k++) {
        int64_t s0 = metronome_click_sample(k, spm, rate);
        CHECK(s0 == 0 || a[s0 - 1] == 0);
        CHECK(a[s0] == 0 && a[s0 + 3] != 0); /* sin starts at 0, then sounds */
        clicks++;
    }
    CHECK_EQ(clicks, 344); /* 172 x 2 */
    int16_t peak = 0;
    for (size_t i = 0; i < n; i++)
        if (a[i] > peak)
            peak = a[i];
    /* the envelope peaks after the 2 ms attack at exp(-2/5) x 0.7 = 0.47 */
    CHECK(peak > 0.45 * 32767 && peak <= (int)(METRONOME_LEVEL * 32767) + 1);
    free(a);
    free(b);
    uint8_t h[METRONOME_WAV_HEADER];
    metronome_wav_header(h, 1000, rate);
    CHECK(memcmp(h, "RIFF", 4) == 0 && memcmp(h + 8, "WAVEfmt ", 8) == 0);
    CHECK(memcmp(h + 36, "data", 4) == 0);
    CHECK_EQ(h[40] | h[41] << 8, 2000);
    CHECK_EQ(h[24] | h[25] << 8 | h[26] << 16, (int)rate);
    return check_exit();
}
