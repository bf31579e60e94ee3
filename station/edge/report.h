/*
 * report.h - the session report for the patient's file (PDF, cairo), its
 * CSV/JSON exports, and the progress report across sessions.
 *
 * Every figure is computed from the stored steps with session.h's
 * aggregates and printed with session_fmt(), so the report equals a
 * recomputation from the database to the last printed digit.
 *
 * Outputs are written to a temporary file beside the target and renamed
 * into place: an unwritable path fails with GC_ERR_IO/GC_ERR_PERM before
 * anything is drawn, and a failure never leaves half a file.
 *
 * Thread: any thread that may use the store (see store.h).  Errors are
 * logged with what to do.
 */
#ifndef GC_REPORT_H
#define GC_REPORT_H

#include <stdint.h>

#include "session.h"
#include "store.h"

/* The session report: 2-3 A4 pages. */
int report_session_pdf(struct store *st, int64_t sid, const char *pdf_path);

/* Steps CSV (DESIGN.md section 5 columns first, then phase, phase_name,
 * in_band, under_ceiling, stride_cadence_spm (what in_band judges), and the
 * targets the runner was given at the step's initial contact: target_spm,
 * band_lo_spm, band_hi_spm,
 * valr_ceiling_bw_s, feedback); re-importing it gives the same figures. */
int report_session_csv(struct store *st, int64_t sid, const char *csv_path);

/* Session summary JSON: session facts, per-phase figures (numbers rounded
 * as printed, plus exact values), target changes, markers. */
int report_session_json(struct store *st, int64_t sid, const char *json_path);

/* How the session ended, for people: "complete", "stopped at 4:12 by the
 * PT", "interrupted", with "; excluded from progress: REASON" if so. */
void report_status_text(const struct store_session *ss, char *buf, size_t cap);

/* Progress report: key figures session by session for one patient; plots
 * by date, one line per protocol; excluded sessions listed, not plotted. */
int report_progress_pdf(struct store *st, int64_t patient_id, const char *pdf_path);

/* Key figures of one session (progress report, previous-session
 * comparison): stats over the phases of each kind. */
struct report_key {
    struct session_stats all;       /* every step */
    struct session_stats baseline;  /* baseline phases */
    struct session_stats training;  /* training and run phases */
    struct session_stats retention; /* retention phases */
    int pain_max;                   /* highest pain marker, -1 none */
};
int report_key_figures(struct store *st, int64_t sid, struct report_key *out);

/* The short measurement-method text printed in the footer when the
 * session stored none. */
const char *report_default_method(void);

#endif
