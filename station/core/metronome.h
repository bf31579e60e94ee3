/*
 * metronome.h - a practice track: clicks at a cadence, as 16-bit mono PCM
 * and its WAV header, for the patient to play on a phone outdoors
 * (`station metronome`).
 *
 * Click k starts at sample round(k * 60 * rate_hz / spm), computed from k
 * (never accumulated), so click times are sample-accurate over any length:
 * no drift, at most half a sample of rounding per click.  A click is a
 * METRONOME_CLICK_HZ tone of METRONOME_CLICK_MS with a 2 ms raised-cosine
 * attack and an exponential decay, at METRONOME_LEVEL of full scale.
 *
 * Pure: buffers in, buffers out.  Thread: any.
 */
#ifndef GC_METRONOME_H
#define GC_METRONOME_H

#include <stddef.h>
#include <stdint.h>

#define METRONOME_RATE_HZ    44100
#define METRONOME_CLICK_HZ   1500.0
#define METRONOME_CLICK_MS   25.0
#define METRONOME_LEVEL      0.7
#define METRONOME_WAV_HEADER 44

/* Sample index at which click k starts. */
int64_t metronome_click_sample(int64_t k, double spm, unsigned rate_hz);

/* Fill out[0..n) with the track's samples first..first+n (silence between
 * clicks). */
void metronome_render(double spm, unsigned rate_hz, int64_t first, int16_t *out, size_t n);

/* The 44-byte header of a mono 16-bit PCM WAV holding n_samples. */
void metronome_wav_header(uint8_t out[METRONOME_WAV_HEADER], uint32_t n_samples, unsigned rate_hz);

#endif
