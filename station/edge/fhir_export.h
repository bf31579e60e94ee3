/*
 * fhir_export.h - the FHIR R4 bundle of `station report --fhir` and
 * `station progress --fhir` (docs/interop.md), written to a file.
 *
 * Fed from the report's own records (report_record.h), so every figure is
 * the report's: the same stored steps, the same session.h aggregates, the
 * same decimals.  The core (fhir.h) formats; this file gathers the rows
 * (one per phase reached, plus the whole session), renders the session
 * report PDF to attach it, and writes the file.
 *
 * The file is patient data: written atomically, 0600, never over the
 * store, a database, a recording or one of the command's other files
 * (datadir.h; store_path and others name what to protect).
 *
 * Deterministic: the same stored session gives the same bytes.  cairo
 * stamps the PDF with the time it was drawn (/CreationDate); the attached
 * copy carries the session's start instead (same length, so the PDF's
 * offsets hold).
 *
 * Thread: the store's (store.h).  Errors: a gc_err code, the sentence in
 * diag.
 */
#ifndef GC_FHIR_EXPORT_H
#define GC_FHIR_EXPORT_H

#include <stdbool.h>

#include "fhir.h"
#include "gc_error.h"
#include "report_course.h"
#include "report_record.h"
#include "store.h"

struct fhir_export_opts {
    const char *identifier_system; /* the clinic's patient-code system; NULL = default */
    enum fhir_bundle_type type;    /* collection or transaction */
    const char *others[4];         /* the command's other outputs (never overwritten) */
};

/* One session (station report SESSION --fhir), its report PDF attached. */
GC_MUST_CHECK int fhir_export_session(const struct report_record *r,
                                      const struct fhir_export_opts *o, const char *out_path,
                                      const char *store_path, struct gc_diag *diag);

/* Every ended session of a patient that is not excluded from progress
 * (station progress CODE --fhir), figures only (each session's PDF comes
 * with station report --fhir). */
GC_MUST_CHECK int fhir_export_progress(struct store *st, int64_t patient_id,
                                       const struct fhir_export_opts *o, const char *out_path,
                                       struct gc_diag *diag);

/* The course of care (station program report CODE --fhir): the patient's
 * PROMs, symptom reports and readiness tests of r (course_report_load) as
 * Observations (fhir_course_format).  Gate decisions are not exported
 * (docs/interop.md says why). */
GC_MUST_CHECK int fhir_export_course(const struct report_course *r,
                                     const struct fhir_export_opts *o, const char *out_path,
                                     const char *store_path, struct gc_diag *diag);

#endif
