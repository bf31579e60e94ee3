/*
 * report_course.h - the course of care on paper: the course report (the
 * program's timeline with every gate decision and its reason, symptoms and
 * outcome measures over time, cadence and VALR by date with the retention
 * probes marked), the readiness report (each test, L/R, criterion, pass,
 * history) and the one-page summary for the patient (plain language, large
 * type: what we worked on, what changed, what to do until next time).
 *
 * Drawn from a plain record (struct report_course), never from the store:
 * the app loads it (course_report.h: the course replayed as `program
 * status` sees it, each session's key figures from report_key_figures) and
 * the pages read only the record.  Times: *_utc Unix seconds.
 *
 * Outputs as report.h's: written to a temporary file beside the target and
 * renamed into place; store_path (may be NULL) and other databases or
 * recordings are refused; a failure never leaves half a file.  Errors: a
 * gc_err code, the sentence in diag.
 *
 * Ownership: the record owns its arrays (report_course_free).
 * Thread: any; the record is read only.
 */
#ifndef GC_REPORT_COURSE_H
#define GC_REPORT_COURSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "course.h"
#include "gc_error.h"
#include "program.h"
#include "report_record.h"
#include "store.h"
#include "store_course.h"

/* One program session with its key figures. */
struct report_course_session {
    struct store_session ss;
    struct report_key key;     /* baseline / training / retention figures */
    int step;                  /* 0-based, the step it ran at */
    bool counted;              /* course_session_counts */
    bool retention_probe;      /* it has steps in a no-feedback retention phase */
    double target_cadence_spm; /* the training target it was given, NAN none */
};

/* One gate decision (a session's or an override's). */
struct report_course_event {
    int64_t utc;        /* the session's start or the override's time */
    int64_t session_id; /* 0 for an override */
    enum course_action action;
    int from_step, to_step; /* 0-based; n_steps = complete */
    int pain_max;           /* -1 none */
    char reason[COURSE_REASON_MAX];
};

/* A readiness test as stored, with the figures read from its JSON. */
struct report_course_test {
    int64_t id; /* the stored row's */
    int64_t utc;
    char test[24]; /* balance, hop, jog-on-spot, calf-raise, squat */
    char side;     /* 'L' or 'R' */
    bool pass;
    char criterion[64]; /* e.g. "hold >= 10 s" */
    char result[96];    /* the main figure, e.g. "hold 12.3 s", "10 hops" */
    char summary[200];  /* every figure as printed */
    double value;       /* the figure the criterion judges, as stored (balance hold_s,
                         * jog-on-spot jog_s, else count); NAN none */
};

struct report_course {
    struct store_patient pat;
    bool have_program; /* false: the patient has no program (readiness only) */
    struct program program;
    int64_t program_id;
    char start_date[16];
    int64_t started_utc, stopped_utc; /* stopped 0 = active */
    char stop_reason[160];
    char therapist[96];
    int week;                  /* program week today */
    struct course_state state; /* step n_steps = complete */
    int64_t printed_utc;       /* when the record was loaded */

    struct report_course_session *sessions;
    size_t n_sessions;
    struct report_course_event *events;
    size_t n_events;
    struct course_symptom_row *symptoms;
    size_t n_symptoms;
    struct course_prom_row *proms;
    size_t n_proms;
    struct report_course_test *tests;
    size_t n_tests;
};
void report_course_free(struct report_course *r);

/* The cadence the patient is to practise outdoors: the training target of
 * the latest counted program session that had one (rounded to 1 spm), NAN
 * when none. */
double report_course_practice_cadence(const struct report_course *r);

/* The course report: 2-4 A4 pages.  Needs have_program. */
GC_MUST_CHECK int report_course_pdf(const struct report_course *r, const char *pdf_path,
                                    const char *store_path, struct gc_diag *diag);
/* The readiness report: every test, the latest per test and side. */
GC_MUST_CHECK int report_readiness_pdf(const struct report_course *r, const char *pdf_path,
                                       const char *store_path, struct gc_diag *diag);
/* The patient's one-page summary.  Needs have_program. */
GC_MUST_CHECK int report_patient_pdf(const struct report_course *r, const char *pdf_path,
                                     const char *store_path, struct gc_diag *diag);

#endif
