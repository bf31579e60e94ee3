/* report_fixture.h - a stored session built from simulator truth steps,
 * shared by the report and CLI tests. */
#ifndef GC_REPORT_FIXTURE_H
#define GC_REPORT_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Steps of a compressed cadence-retraining session (plan time / 10):
 * gaitcue-sim truth at 164 spm (weigh-in + baseline), 176 spm (training)
 * and 172 spm (retention), concatenated.  GC_FIXTURE_SCALE=1 in the
 * environment makes it full length (16 min; for the documentation).  sim is the gaitcue-sim binary,
 * tmpdir a scratch directory.  Returns a malloc'd array or NULL. */
struct session_step *fixture_sim_steps(const char *sim, const char *tmpdir, double *t_end_s,
                                       size_t *n);

/* Store a session of patient_id from steps with the live session model
 * (phases, targets, in-band tags), plus two markers and one therapist
 * target change.  time_scale 10 (or GC_FIXTURE_SCALE).  Returns the session id or < 0. */
int64_t fixture_store_session(struct store *st, int64_t patient_id, int64_t start_utc,
                              const struct session_step *steps, size_t n,
                              const char *protocol_path);

/* pdftotext -layout output of a PDF (malloc'd), or NULL when pdftotext
 * fails or memory runs out. */
char *fixture_pdf_text(const char *pdf);

#endif
