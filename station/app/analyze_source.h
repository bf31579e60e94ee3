/*
 * analyze_source.h - where `station analyze` gets its samples from.
 *
 * An input source is a small table of functions: read the next block of
 * conditioned samples, tell the rate / body mass / progress, close.  The
 * canonical force CSV is one implementation (analyze_csv.c); a recorded
 * session is another (added with the recording format), picked by
 * analyze_source_open from the file's content.
 *
 * Thread: main thread of `station analyze`.
 */
#ifndef GC_ANALYZE_SOURCE_H
#define GC_ANALYZE_SOURCE_H

#include <stddef.h>

#include "gait.h"

#define ANALYZE_ERR_LEN 256

struct analyze_source_ops {
    const char *kind; /* "csv", "session", ... */
    /* Next samples in time order: count > 0, 0 at the end, < 0 gc_err with
     * a message in err. */
    int (*read)(void *ctx, struct gait_sample *out, size_t cap, char *err);
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

/* Open path as the right kind of source.  Returns GC_OK or a gc_err with
 * one sentence in err. */
int analyze_source_open(const char *path, struct analyze_source *src, char *err);

/* The implementations. */
int analyze_csv_open(const char *path, struct analyze_source *src, char *err);

#endif
