/*
 * store_course.h - the course of care in the session store: programs a
 * patient follows, which sessions belong to them, symptoms, outcome
 * measures (PROMs), the PT's overrides, and an audit trail of every one.
 *
 * Tables (created with CREATE TABLE IF NOT EXISTS when the first course
 * call opens the store, so stores made before keep working):
 *   course_programs   one row per program started; at most one active
 *                     (stopped_utc NULL) per patient, a unique index says so
 *   course_sessions   session id -> program and the step it ran at
 *   course_symptoms   pain 0-10 and site, leak/heaviness/bleeding, note,
 *                     before/during/after and the patient's latest session
 *                     id when recorded (course.h says which session it
 *                     belongs to)
 *   course_proms      LEFS 0-80 and NPRS 0-10
 *   course_overrides  the PT moved the patient to a step, with a reason
 *   course_tests      readiness tests measured on the deck (station test)
 *   course_audit      who did what when: program start/stop, overrides,
 *                     symptoms, PROMs (never updated or deleted)
 *
 * The course never stores a state: course_replay (core/course.h) derives
 * it from these rows.
 *
 * A struct course_store is its own SQLite connection to the store's file
 * (WAL: it and the store's connection may both be open).  Use it from one
 * thread.  Errors: gc_err codes with one sentence in diag.
 */
#ifndef GC_STORE_COURSE_H
#define GC_STORE_COURSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "course.h"
#include "gc_error.h"
#include "program.h"
#include "store.h"

struct course_store;

/* Opens a connection to st's file and creates the course tables if they
 * are missing.  st stays usable. */
GC_MUST_CHECK int course_store_open(struct store *st, struct course_store **out,
                                    struct gc_diag *diag);
void course_store_close(struct course_store *cs);

/* Everything below that writes takes effect at once (one transaction per
 * call, with its audit row). */

struct course_program_row {
    int64_t id;
    int64_t patient_id;
    char name[PROGRAM_NAME_MAX];
    char start_date[16]; /* YYYY-MM-DD */
    int64_t started_utc;
    int64_t stopped_utc; /* 0 = active */
    char stop_reason[160];
    char therapist[96];
    char *text; /* the program file as started (malloc'd; course_program_row_free) */
};
void course_program_row_free(struct course_program_row *r);

/* Start a program; GC_ERR_BUSY if the patient already has an active one. */
GC_MUST_CHECK int course_store_program_start(struct course_store *cs, struct course_program_row *r,
                                             struct gc_diag *diag);
/* The patient's active program; GC_ERR_NOT_FOUND if none. */
GC_MUST_CHECK int course_store_program_active(struct course_store *cs, int64_t patient_id,
                                              struct course_program_row *out, struct gc_diag *diag);
/* The patient's programs, oldest first (malloc'd array; free each row's
 * text and the array with course_program_rows_free). */
GC_MUST_CHECK int course_store_programs(struct course_store *cs, int64_t patient_id,
                                        struct course_program_row **out, size_t *n,
                                        struct gc_diag *diag);
void course_program_rows_free(struct course_program_row *rows, size_t n);
GC_MUST_CHECK int course_store_program_stop(struct course_store *cs, int64_t program_id,
                                            const char *reason, const char *therapist,
                                            int64_t now_utc, struct gc_diag *diag);

/* The session was run as the program's session at step (0-based). */
GC_MUST_CHECK int course_store_link_session(struct course_store *cs, int64_t program_id,
                                            int64_t session_id, int step, struct gc_diag *diag);
struct course_link_row {
    int64_t session_id;
    int step;
};
/* The program's sessions by id (malloc'd). */
GC_MUST_CHECK int course_store_links(struct course_store *cs, int64_t program_id,
                                     struct course_link_row **out, size_t *n, struct gc_diag *diag);

/* The patient's latest session id (0 when there is none). */
GC_MUST_CHECK int course_store_latest_session(struct course_store *cs, int64_t patient_id,
                                              int64_t *session_id, struct gc_diag *diag);

struct course_symptom_row {
    int64_t id;
    int64_t utc;
    int64_t ref_session_id;
    enum course_when when;
    int pain;       /* 0..10, -1 not given */
    char site[64];  /* where the pain is, "" if not given */
    unsigned flags; /* PROGRAM_SYM_LEAK | _HEAVINESS | _BLEEDING */
    char note[160];
};
GC_MUST_CHECK int course_store_add_symptom(struct course_store *cs, int64_t patient_id,
                                           struct course_symptom_row *r, struct gc_diag *diag);
GC_MUST_CHECK int course_store_symptoms(struct course_store *cs, int64_t patient_id,
                                        struct course_symptom_row **out, size_t *n,
                                        struct gc_diag *diag);

struct course_prom_row {
    int64_t id;
    int64_t utc;
    int64_t ref_session_id;
    int lefs; /* 0..80, -1 not given */
    int nprs; /* 0..10, -1 not given */
};
GC_MUST_CHECK int course_store_add_prom(struct course_store *cs, int64_t patient_id,
                                        struct course_prom_row *r, struct gc_diag *diag);
GC_MUST_CHECK int course_store_proms(struct course_store *cs, int64_t patient_id,
                                     struct course_prom_row **out, size_t *n, struct gc_diag *diag);

struct course_override_row {
    int64_t id;
    int64_t utc;
    int64_t ref_session_id;
    int to_step; /* 0-based */
    char reason[160];
    char therapist[96];
};
GC_MUST_CHECK int course_store_add_override(struct course_store *cs, int64_t program_id,
                                            struct course_override_row *r, struct gc_diag *diag);
GC_MUST_CHECK int course_store_overrides(struct course_store *cs, int64_t program_id,
                                         struct course_override_row **out, size_t *n,
                                         struct gc_diag *diag);

/* A readiness test measured on the deck (station test). */
struct course_test_row {
    int64_t id;
    int64_t utc;
    char test[24]; /* balance, hop, jog-on-spot, calf-raise, squat */
    char side;     /* 'L' or 'R' */
    bool pass;
    char summary[200];    /* the figures as printed */
    const char *json;     /* the result as written (add only) */
    char json_text[4096]; /* the result as stored (read back by course_store_tests) */
};
GC_MUST_CHECK int course_store_add_test(struct course_store *cs, int64_t patient_id,
                                        struct course_test_row *r, struct gc_diag *diag);
GC_MUST_CHECK int course_store_tests(struct course_store *cs, int64_t patient_id,
                                     struct course_test_row **out, size_t *n, struct gc_diag *diag);

/* An audit row of its own (e.g. "session-outside-program"): one
 * transaction. */
GC_MUST_CHECK int course_store_add_audit(struct course_store *cs, int64_t patient_id, int64_t utc,
                                         const char *action, const char *detail,
                                         struct gc_diag *diag);

struct course_audit_row {
    int64_t utc;
    char action[32];
    char detail[240];
};
GC_MUST_CHECK int course_store_audit(struct course_store *cs, int64_t patient_id,
                                     struct course_audit_row **out, size_t *n,
                                     struct gc_diag *diag);

#endif
