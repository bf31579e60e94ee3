/*
 * report.h - the session report for the patient's file (PDF, cairo), its
 * CSV/JSON exports, and the progress report across sessions.
 *
 * Drawn from plain records (report_record.h: loaded from the store by
 * report_record_load / report_progress_load), never from the store
 * itself.  Every figure is computed from the stored steps with session.h's
 * aggregates and printed with session_fmt(), so the report equals a
 * recomputation from the database to the last printed digit.
 *
 * Outputs are written to a temporary file beside the target and renamed
 * into place (datadir.h): a path that is store_path (the clinic's
 * database; may be NULL), another database or a recording is refused; an
 * unwritable path fails with GC_ERR_IO/GC_ERR_PERM before anything is
 * drawn; a failure never leaves half a file.  Errors: a gc_err code, the
 * sentence in diag.
 *
 * Thread: any; the records are read only.
 */
#ifndef GC_REPORT_H
#define GC_REPORT_H

#include "gc_error.h"
#include "report_record.h"

/* The session report: 3-4 A4 pages (the last: the Gait page,
 * report_gait_plots.h). */
GC_MUST_CHECK int report_session_pdf(const struct report_record *r, const char *pdf_path,
                                     const char *store_path, struct gc_diag *diag);

/* Steps CSV (DESIGN.md section 5 columns first, then phase, phase_name,
 * in_band, under_ceiling, stride_cadence_spm (what in_band judges), and the
 * targets the runner was given at the step's initial contact: target_spm,
 * band_lo_spm, band_hi_spm, valr_ceiling_bw_s, feedback); re-importing it
 * gives the same figures. */
GC_MUST_CHECK int report_session_csv(const struct report_record *r, const char *csv_path,
                                     const char *store_path, struct gc_diag *diag);

/* Session summary JSON: session facts, per-phase figures (numbers rounded
 * as printed, plus exact values), target changes, markers, and "gait": the
 * figures of the report's Gait page replayed from the raw recording
 * (report_gait.h: step length and width, the speed lengths used, the
 * deck's belt speed with its 95 % interval, whole and per minute, and
 * rearfoot_share per side, whole and per phase); "available": false with
 * "why" when the recording cannot be used. */
GC_MUST_CHECK int report_session_json(const struct report_record *r, const char *json_path,
                                      const char *store_path, struct gc_diag *diag);

/* Progress report: key figures session by session for one patient; plots
 * by date, one line per protocol; excluded sessions listed, not plotted. */
GC_MUST_CHECK int report_progress_pdf(const struct report_progress *p, const char *pdf_path,
                                      const char *store_path, struct gc_diag *diag);

/* The short measurement-method text printed in the footer when the
 * session stored none. */
const char *report_default_method(void);

#endif
