/*
 * steps_csv.h - the steps CSV (DESIGN.md section 5): one row per step.
 *
 * Header, in this order, then extra columns:
 *   index,side,t_ic_s,t_to_s,contact_ms,flight_ms,step_ms,cadence_spm,
 *   impact_peak_n,impact_peak_bw,t_impact_s,valr_bw_s,vilr_bw_s,
 *   active_peak_n,active_peak_bw,lr_fallback,walk,after_gap
 * An absent value (NAN) is an empty field; side is L, R or empty.  The last
 * three columns are 0/1 flags (GAIT_STEP_LR_FALLBACK, _WALK, _AFTER_GAP);
 * GAIT_STEP_IMPACT is "impact_peak_n not empty".
 *
 * File I/O on streams the caller opened; no device I/O.  Thread: any.
 */
#ifndef GC_STEPS_CSV_H
#define GC_STEPS_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "gait.h"

#define STEPS_CSV_HEADER                                                                           \
    "index,side,t_ic_s,t_to_s,contact_ms,flight_ms,step_ms,cadence_spm,impact_peak_n,"             \
    "impact_peak_bw,t_impact_s,valr_bw_s,vilr_bw_s,active_peak_n,active_peak_bw,lr_fallback,"      \
    "walk,after_gap"

/* Return GC_OK or GC_ERR_IO. */
int steps_csv_write_header(FILE *fp);
int steps_csv_write_row(FILE *fp, const struct gait_step *s);

/* Read a steps CSV (columns found by name; the 15 required ones must be
 * present; unknown ones ignored).  *steps is malloc'd (free it), *n rows.
 * Returns GC_OK or a negative gc_err with a message in err (256 bytes). */
int steps_csv_read(const char *path, struct gait_step **steps, size_t *n, char *err);

#endif
