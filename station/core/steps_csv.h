/*
 * steps_csv.h - the steps CSV (DESIGN.md section 5): one row per step.
 *
 * Header, in this order, then extra columns:
 *   index,side,t_ic_s,t_to_s,contact_ms,flight_ms,step_ms,cadence_spm,
 *   impact_peak_n,impact_peak_bw,t_impact_s,valr_bw_s,vilr_bw_s,
 *   active_peak_n,active_peak_bw,flags,lr_fallback,walk,after_gap
 * An absent value (NAN) is an empty field; side is L, R or empty.
 *
 * flags: the step's GAIT_STEP_* flags as ';'-separated tokens in this
 * order, empty when none (docs/analysis.md section 5):
 *   walk         GAIT_STEP_WALK         taken in double support
 *   after_gap    GAIT_STEP_AFTER_GAP    first step after a data gap
 *   lr_fallback  GAIT_STEP_LR_FALLBACK  VALR/VILR from the no-impact window
 *   gap_inside   GAIT_STEP_GAP_INSIDE   a short gap inside the contact
 *   gap_loading  GAIT_STEP_GAP_LOADING  ... over the impact window: an empty
 *                                       impact field means "unknown", not
 *                                       "no impact peak"
 * GAIT_STEP_IMPACT has no token: it is "impact_peak_n not empty".
 * lr_fallback,walk,after_gap repeat three flags as 0/1 for older readers.
 *
 * Times (docs/analysis.md "Threshold times"): contact_ms, flight_ms and
 * step_ms are between the plain crossings of the force threshold, the
 * literature's convention; threshold_n (N) states that threshold on every
 * row (the header must come first, DESIGN.md section 5, so the file has no
 * meta lines), t_ic_thr_s/t_to_thr_s are the crossings, and
 * contact_ext_ms, flight_ext_ms, step_ext_ms the same durations between the
 * onset estimates t_ic_s and t_to_s (crossings moved along the tangent).
 *
 * Footprint (footprint.h; empty without a COP): speed_mps (belt speed from
 * this stance's mid-stance COP, m/s), step_length_m and step_width_m (m,
 * from this step and the previous one), strike ("rear", "non-rear").
 *
 * Reads and writes streams the caller opened; never a path (reading a file
 * by path: station/edge/steps_csv_file.h).  Thread: any.
 */
#ifndef GC_STEPS_CSV_H
#define GC_STEPS_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gait.h"
#include "gc_error.h"
#include "session.h"

#define STEPS_CSV_HEADER                                                                           \
    "index,side,t_ic_s,t_to_s,contact_ms,flight_ms,step_ms,cadence_spm,impact_peak_n,"             \
    "impact_peak_bw,t_impact_s,valr_bw_s,vilr_bw_s,active_peak_n,active_peak_bw,flags,"            \
    "lr_fallback,walk,after_gap,threshold_n,t_ic_thr_s,t_to_thr_s,contact_ext_ms,flight_ext_ms,"    \
    "step_ext_ms,speed_mps,step_length_m,step_width_m,strike"

/* Return GC_OK or GC_ERR_IO (the caller names the file; errno is kept).
 * A failed write also sticks to fp (ferror), so a streaming writer may
 * leave the check to its commit (datadir_out_commit tests ferror). */
int steps_csv_write_header(FILE *fp);
int steps_csv_write_row(FILE *fp, const struct gait_step *s);

/* Longest flags text (every token) plus its NUL. */
#define STEPS_CSV_FLAGS_LEN 64

/* The flags column text of a GAIT_STEP_* set into out (cap >= 1; at most
 * STEPS_CSV_FLAGS_LEN needed).  Returns the length written. */
size_t steps_csv_format_flags(uint32_t flags, char *out, size_t cap);
/* Parse a flags field: the tokens above (';'-separated, spaces around a
 * token allowed, unknown tokens ignored so a newer file still reads), or a
 * plain decimal GAIT_STEP_* bit set (the session export's flags column).
 * Empty is no flag.  GC_OK, or GC_ERR_FORMAT for a malformed number. */
int steps_csv_parse_flags(const char *text, uint32_t *flags);

/* Read a steps CSV from fp (columns found by name; the 15 required ones
 * must be present; flags, lr_fallback, walk, after_gap optional (all the
 * flags either gives are set); unknown ones ignored).  *steps is malloc'd
 * (free it), *n rows.  Every row must pass steps_csv_check_step; a line of
 * 4 KB or more is refused (never split into two rows).  name (the file's
 * path) starts every message.  fp stays open.
 * Returns GC_OK or a negative gc_err with its sentence in diag. */
GC_MUST_CHECK int steps_csv_read_stream(FILE *fp, const char *name, struct gait_step **steps,
                                        size_t *n, struct gc_diag *diag);

/* Plausibility of a step read from a file (steps CSV, session import),
 * the rules station analyze applies to its force input carried over to
 * steps: times finite, in [0, STEPS_CSV_MAX_T_S] and in order (t_ic_s not
 * before t_prev_s; NAN = first step), toe-off and impact within
 * STEPS_CSV_MAX_CONTACT_S after the contact, every other value (ms, spm, N,
 * BW, BW/s) within +-STEPS_CSV_MAX_VALUE.  Empty (NAN) values pass.
 * GC_OK, or GC_ERR_FORMAT with one phrase in diag (no file or line). */
#define STEPS_CSV_MAX_T_S       86400.0 /* a day: no session is longer */
#define STEPS_CSV_MAX_CONTACT_S 10.0    /* standing still is not a step */
#define STEPS_CSV_MAX_VALUE     1e6     /* far above any real ms/spm/N/BW/s */
GC_MUST_CHECK int steps_csv_check_step(const struct gait_step *s, double t_prev_s,
                                       struct gc_diag *diag);

/* Read any steps CSV for `station sessions import`: ours, the simulator's
 * truth, or a session export (station report --csv).  '#' and blank lines
 * are skipped, only t_ic_s is required, columns by name, unknown ones
 * ignored.  Besides the columns above it reads the optional
 *   phase          plan phase index, -1 outside the plan (else -1)
 *   in_band        0/1, empty = no band or no cadence (else -1)
 *   under_ceiling  0/1, empty = no ceiling or no VALR (else -1)
 * and both flag spellings (tokens or the export's decimal bit set).  No
 * line of 4 KB or more, every number a number, every row passing
 * steps_csv_check_step.  *rows is malloc'd (free it; NULL when no row), *n
 * rows.  GC_OK, or a negative gc_err with one sentence naming the file
 * (name) and line in diag.  fp stays open.
 *
 * steps_csv_read_stream is the same reader with the stricter header of an
 * analysis file: one reader, so both commands accept the same rows. */
GC_MUST_CHECK int steps_csv_import_stream(FILE *fp, const char *name, struct session_step **rows,
                                          size_t *n, struct gc_diag *diag);

/* steps_csv_import_stream without keeping the rows: checks a file before
 * anything is done with it. */
GC_MUST_CHECK int steps_csv_check_stream(FILE *fp, const char *name, struct gc_diag *diag);

#endif
