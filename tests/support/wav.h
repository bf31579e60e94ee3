/*
 * wav.h - test helpers: read a 16-bit PCM WAV file (as written by ALSA's
 * file plugin) and find click/cue onsets in it.
 */
#ifndef GC_TEST_WAV_H
#define GC_TEST_WAV_H

#include <stddef.h>
#include <stdint.h>

struct wav {
    unsigned rate_hz;
    unsigned channels;
    int16_t *s; /* channel 0 only */
    size_t n;
};

/* 0 on success; the caller frees w->s. */
int wav_read(const char *path, struct wav *w);

/* Onsets: the first sample whose magnitude exceeds thresh after at least
 * quiet_frames samples at or below it.  Writes up to cap frame indices,
 * returns how many were found (may exceed cap). */
size_t wav_onsets(const int16_t *s, size_t n, int thresh, size_t quiet_frames, size_t *out,
                  size_t cap);

#endif
