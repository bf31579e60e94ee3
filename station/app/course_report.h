/*
 * course_report.h - the course report's record (report_course.h) loaded
 * from the store: the patient's active program (or, when none is active,
 * the latest one) replayed as `station program status` sees it, each of
 * its sessions with its key figures and training target, the symptoms,
 * the outcome measures and the readiness tests.  The pages are then drawn
 * from the record alone.
 *
 * Thread: main thread (the store's connection).
 */
#ifndef GC_COURSE_REPORT_H
#define GC_COURSE_REPORT_H

#include <stdbool.h>

#include "gc_error.h"
#include "fhir_export.h"
#include "report_course.h"
#include "store.h"

/* A patient without any program gives have_program false (the readiness
 * report still has its tests).  Errors: a store error, diag says which. */
GC_MUST_CHECK int course_report_load(struct store *st, const struct store_patient *pat,
                                     struct report_course *r, struct gc_diag *diag);

/* The command: the course report (pdf, may be NULL), the patient's
 * summary (may be NULL) and the course's FHIR bundle (fhir, may be NULL;
 * fo its system and type, fhir_export_course), or (readiness) the
 * readiness report into pdf.  Outputs are checked before the store is
 * opened (not the store, not each other, named .pdf (.json for fhir) if
 * named at all, in a folder that exists).  prog prefixes the messages.
 * Returns the exit code (0, 1, 2 usage). */
int course_report_write(const char *prog, const char *db, const char *code, const char *pdf,
                        const char *summary, const char *fhir, const struct fhir_export_opts *fo,
                        bool readiness);

#endif
