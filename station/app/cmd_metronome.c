/* cmd_metronome.c - `station metronome`: a practice track (WAV) at the
 * cadence to practise outdoors (core/metronome.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "course_cli.h"
#include "datadir.h"
#include "gc_error.h"
#include "metronome.h"
#include "ranges.h"

#define PROG        "station metronome"
#define MINUTES_MAX 90
#define BLOCK       8192

static void usage(FILE *out)
{
    fprintf(out,
            "usage: station metronome --cadence SPM --minutes N --out FILE.wav\n\n"
            "Writes a practice track the patient can play on a phone while running\n"
            "outdoors: a click on every step at SPM steps/min (" RANGE_CADENCE_TEXT "),\n"
            "for N minutes (1-%d).  Sample-accurate: click k starts at sample\n"
            "round(k x 60 x %d / SPM), so the track never drifts.  16-bit mono WAV at\n"
            "%d Hz, written atomically (0600); no sound card needed.\n",
            MINUTES_MAX, METRONOME_RATE_HZ, METRONOME_RATE_HZ);
}

int cmd_metronome(int argc, char **argv)
{
    const char *cad_s = NULL, *min_s = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if ((v = course_cli_opt(&i, argc, argv, "--cadence", &missing)))
            cad_s = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--minutes", &missing)))
            min_s = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--out", &missing)))
            out = v;
        else if (missing) {
            fprintf(stderr, PROG ": %s needs a value.\n", argv[i]);
            return 2;
        } else {
            fprintf(stderr, PROG ": unexpected '%s'; see 'station metronome --help'.\n", argv[i]);
            return 2;
        }
    }
    if (!cad_s || !min_s || !out) {
        fprintf(stderr, PROG ": give --cadence SPM, --minutes N and --out FILE.wav.\n");
        return 2;
    }
    char *end;
    double spm = strtod(cad_s, &end);
    if (*end || end == cad_s || !isfinite(spm) || spm < RANGE_CADENCE_MIN_SPM ||
        spm > RANGE_CADENCE_MAX_SPM) {
        fprintf(stderr, PROG ": --cadence must be " RANGE_CADENCE_TEXT ", not '%.20s'.\n", cad_s);
        return 2;
    }
    int minutes;
    if (!course_cli_int(min_s, 1, MINUTES_MAX, &minutes)) {
        fprintf(stderr, PROG ": --minutes must be a whole number from 1 to %d, not '%.20s'.\n",
                MINUTES_MAX, min_s);
        return 2;
    }
    size_t len = strlen(out);
    if (len < 5 || strcmp(out + len - 4, ".wav")) {
        fprintf(stderr, PROG ": --out must name a .wav file.\n");
        return 2;
    }
    struct gc_diag d;
    struct datadir_out *o;
    if (datadir_out_open(out, DATADIR_OUT_TEMP, NULL, &o, &d) != GC_OK) {
        fprintf(stderr, PROG ": %s\n", d.msg);
        return 1;
    }
    FILE *f = datadir_out_file(o);
    uint32_t n = (uint32_t)minutes * 60u * METRONOME_RATE_HZ;
    uint8_t h[METRONOME_WAV_HEADER];
    metronome_wav_header(h, n, METRONOME_RATE_HZ);
    bool ok = fwrite(h, 1, sizeof h, f) == sizeof h;
    int16_t buf[BLOCK];
    uint8_t le[2 * BLOCK];
    for (uint32_t at = 0; ok && at < n; at += BLOCK) {
        size_t k = n - at < BLOCK ? n - at : BLOCK;
        metronome_render(spm, METRONOME_RATE_HZ, at, buf, k);
        for (size_t i = 0; i < k; i++) { /* little-endian on any host */
            le[2 * i] = (uint8_t)((uint16_t)buf[i] & 0xff);
            le[2 * i + 1] = (uint8_t)((uint16_t)buf[i] >> 8);
        }
        ok = fwrite(le, 2, k, f) == k;
    }
    if (!ok) {
        datadir_out_discard(o);
        fprintf(stderr, PROG ": writing %s failed (disk full?); nothing was written.\n", out);
        return 1;
    }
    if (datadir_out_commit(o, &d) != GC_OK) {
        fprintf(stderr, PROG ": %s\n", d.msg);
        return 1;
    }
    int64_t clicks = 0;
    while (metronome_click_sample(clicks, spm, METRONOME_RATE_HZ) < (int64_t)n)
        clicks++;
    printf("%s: %d min at %.1f steps/min, %lld clicks, %d Hz mono\n", out, minutes, spm,
           (long long)clicks, METRONOME_RATE_HZ);
    return 0;
}
