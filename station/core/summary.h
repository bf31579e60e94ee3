/*
 * summary.h - JSON summary of an analysed recording (station analyze
 * --summary): step count, cadence per step and spectral, contact time,
 * loading rates, impact-peak share, body weight, per-side figures and
 * symmetry indices.  Built with cJSON.  Pure (returns a string).
 * Thread: any.
 */
#ifndef GC_SUMMARY_H
#define GC_SUMMARY_H

#include <stddef.h>

#include "gait.h"

struct summary_info {
    const char *input;  /* file name as given */
    const char *source; /* source= comment, may be NULL or "" */
    double rate_hz;
    double duration_s;           /* of the input */
    double body_weight_n;        /* BW used for the BW-normalised figures */
    const char *bw_source;       /* "mass", "file mass_kg", "estimated from whole steps" */
    double cadence_spectral_spm; /* NAN if none */
    unsigned gaps;
};

/* Median of the finite per-step cadences, NAN if none. */
double summary_median_cadence(const struct gait_step *steps, size_t n);

/* malloc'd JSON text (free()), NULL on allocation failure. */
char *summary_json(const struct gait_step *steps, size_t n, const struct summary_info *info);

#endif
