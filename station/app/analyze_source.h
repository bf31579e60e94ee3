/*
 * analyze_source.h - where `station analyze` gets its samples from.
 *
 * Two kinds of input, told apart by content (analyze_detect), not by name:
 *
 * - the canonical force CSV: a sample source, a small table of functions
 *   (read the next block of conditioned samples, tell the rate / body mass
 *   / progress, close; analyze_csv.c) that cmd_analyze.c feeds to a gait
 *   pipeline of its own;
 * - a raw session recording (docs/acquisition.md section 7): its samples
 *   only become conditioned samples through the DSP stage (core/dsp.h:
 *   sequence tracking, gaps, sensor restarts, deck calibration from the
 *   header), so analyze_rec.c feeds its records to that object in a plain
 *   single-threaded loop, as the live DSP thread does, and the steps come
 *   out exactly as the live session produced them.
 *
 * Both end in a struct analyze_result that one writer turns into the steps
 * CSV and the summary JSON.
 *
 * Thread: main thread of `station analyze`.
 */
#ifndef GC_ANALYZE_SOURCE_H
#define GC_ANALYZE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "gait.h"
#include "gc_error.h"

struct analyze_source_ops {
    const char *kind; /* "csv", "session", ... */
    /* Next samples in time order: count > 0, 0 at the end, < 0 gc_err with
     * its sentence in diag. */
    int (*read)(void *ctx, struct gait_sample *out, size_t cap, struct gc_diag *diag);
    /* Sample rate, Hz: valid after the first successful read. */
    double (*rate_hz)(void *ctx);
    /* Body mass from the input, kg; 0 when unknown. */
    double (*mass_kg)(void *ctx);
    /* Free text describing the recording ("" when none). */
    const char *(*source)(void *ctx);
    /* Fraction read, 0..1; < 0 when unknown (a pipe). */
    double (*progress)(void *ctx);
    void (*close)(void *ctx);
};

struct analyze_source {
    const struct analyze_source_ops *ops;
    void *ctx;
};

enum analyze_kind { ANALYZE_KIND_CSV = 1, ANALYZE_KIND_RECORDING = 2 };

/* What path holds, by content: a file starting with the recording magic
 * ("GCREC\r\n\x1a") is a recording; other text is taken as a CSV (its
 * reader then names what is wrong); '-' and pipes are read as CSV.
 * Returns the kind, or a gc_err with one sentence in diag: missing, a
 * directory, empty, binary but not a recording, a recording cut inside its
 * 16-byte file header. */
GC_MUST_CHECK int analyze_detect(const char *path, struct gc_diag *diag);

/* Open a CSV path as a sample source.  Returns GC_OK or a gc_err with one
 * sentence in diag. */
GC_MUST_CHECK int analyze_source_open(const char *path, struct analyze_source *src,
                                      struct gc_diag *diag);

/* The implementations. */
GC_MUST_CHECK int analyze_csv_open(const char *path, struct analyze_source *src,
                                   struct gc_diag *diag);

/* Everything the outputs need, whatever the input.  Owns steps (free with
 * analyze_result_free). */
struct analyze_result {
    struct gait_step *steps;
    size_t n_steps, cap_steps;
    double rate_hz;              /* input sample rate, Hz */
    double duration_s;           /* first to last sample, s */
    double body_weight_n;        /* BW the steps were normalised with; NAN if unknown */
    const char *bw_source;       /* static text */
    double cadence_spectral_spm; /* median of the sliding estimates; NAN if none */
    unsigned gaps;               /* GAIT_EV_GAP events */
    char source[256];            /* free text describing the input ("" when none) */
};

/* Append one step (the list grows).  GC_OK or GC_ERR_NOMEM. */
int analyze_result_add_step(struct analyze_result *r, const struct gait_step *s);
void analyze_result_free(struct analyze_result *r);

/* Analyse a recording: feed its records to the DSP object (core/dsp.h) on
 * the calling thread, starting no thread; no event can be lost (mass_kg > 0
 * overrides the recording's own mass).  A truncated or corrupt tail is
 * analysed up to the last good record and reported once on stderr.
 * Returns GC_OK, or a gc_err with one sentence in diag. */
GC_MUST_CHECK int analyze_rec_run(const char *path, double mass_kg, bool show_progress,
                                  struct analyze_result *res, struct gc_diag *diag);

/* Progress bar on stderr (cmd_analyze.c): frac 0..1, redrawn at most every
 * 0.2 s; *shown becomes true once drawn.  analyze_progress_end ends the
 * line if one was drawn. */
void analyze_progress(double frac, bool *shown);
void analyze_progress_end(bool *shown);

/* The bar appears only for inputs long enough to keep the user waiting. */
#define ANALYZE_PROGRESS_AFTER_S 0.5

#endif
