/* wav.c - see wav.h.  Chunk-walking RIFF reader; a data chunk whose size
 * field was never fixed up (stream cut short) is read to the end of file. */
#include "wav.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

int wav_read(const char *path, struct wav *w)
{
    memset(w, 0, sizeof *w);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)size);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size || size < 12 ||
        memcmp(buf, "RIFF", 4) || memcmp(buf + 8, "WAVE", 4)) {
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    size_t pos = 12;
    unsigned bits = 0;
    int rc = -1;
    while (pos + 8 <= (size_t)size) {
        uint32_t len = le32(buf + pos + 4);
        const unsigned char *body = buf + pos + 8;
        if (!memcmp(buf + pos, "fmt ", 4) && len >= 16) {
            w->channels = le16(body + 2);
            w->rate_hz = le32(body + 4);
            bits = le16(body + 14);
        } else if (!memcmp(buf + pos, "data", 4) && bits == 16 && w->channels > 0) {
            size_t avail = (size_t)size - (pos + 8);
            if (len > avail)
                len = (uint32_t)avail;
            size_t frames = len / (2u * w->channels);
            w->s = malloc(frames * sizeof *w->s + 1);
            for (size_t i = 0; i < frames; i++)
                w->s[i] = (int16_t)le16(body + 2 * w->channels * i);
            w->n = frames;
            rc = 0;
            break;
        }
        pos += 8 + len + (len & 1);
    }
    free(buf);
    return rc;
}

size_t wav_onsets(const int16_t *s, size_t n, int thresh, size_t quiet_frames, size_t *out,
                  size_t cap)
{
    size_t found = 0, quiet = quiet_frames;
    for (size_t i = 0; i < n; i++) {
        int v = s[i] < 0 ? -s[i] : s[i];
        if (v > thresh) {
            if (quiet >= quiet_frames) {
                if (found < cap)
                    out[found] = i;
                found++;
            }
            quiet = 0;
        } else {
            quiet++;
        }
    }
    return found;
}
