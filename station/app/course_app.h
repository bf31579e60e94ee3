/*
 * course_app.h - the course of care as the commands see it: find a
 * program file, gather a patient's course from the store and replay it
 * (core/course.h), pick the next program session for `station run`.
 *
 * Program files: a name is looked up as NAME.ini in the data folder's
 * programs/ ($XDG_DATA_HOME/gaitcue/programs), in $GAITCUE_PROGRAMS, then
 * among the presets (station/data/programs); a value with a '/' or ending
 * in .ini is a path.
 *
 * Thread: main thread (uses the store's connection).
 */
#ifndef GC_COURSE_APP_H
#define GC_COURSE_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "course.h"
#include "gc_error.h"
#include "program.h"
#include "store.h"
#include "store_course.h"

/* Read and parse a program by name or path; *text (malloc'd, may be NULL)
 * receives the file as read.  The sentence in diag names the file, the
 * line and what to do. */
int course_app_load_program(const char *name_or_path, struct program *p, char **text,
                            struct gc_diag *diag);
/* The preset names, "a, b" into buf. */
void course_app_preset_names(char *buf, size_t cap);

/* One program session with what the store knows of it. */
struct course_view_session {
    struct course_session s;
    char status[16]; /* complete, stopped, interrupted, running, excluded */
    char protocol[PLAN_NAME_MAX];
};

/* A red flag reported about a session run outside the program while it
 * was active (course_app_red_flag): not gated, shown to the PT. */
struct course_outside_flag {
    int64_t session_id;
    int64_t utc;           /* when it was recorded */
    enum course_when when; /* during or after */
    bool prom;             /* the NPRS of 'station prom' */
    int pain;              /* -1 none */
    unsigned flags;        /* PROGRAM_SYM_* */
    char site[64];
};

struct course_view {
    struct course_program_row row; /* the program as started (row.text owned) */
    struct program program;
    struct course_state state;
    int week; /* week of the program today (1-based) */
    struct course_view_session *sessions;
    size_t n_sessions;
    struct course_decision *timeline; /* one decision per session and override */
    size_t n_timeline;
    struct course_symptom_row *symptoms; /* the patient's symptom records */
    size_t n_symptoms;
    struct course_prom_row *proms;
    size_t n_proms;
    struct course_override_row *overrides;
    size_t n_overrides;
    struct course_outside_flag *outside; /* red flags after sessions outside it */
    size_t n_outside;
    /* the current step's requires_tests judged against the patient's
     * readiness tests (course_readiness_gate) */
    struct course_readiness_gate ready;
};

/* Would the program's gate act on this report if it were about one of the
 * program's sessions: pain at or above its threshold where pain is in its
 * rules, or a symptom in repeat_on or step_back_on. */
bool course_app_red_flag(const struct program *p, int pain, unsigned flags);

/* The course of program_id (0 = the patient's active program: then
 * GC_ERR_NOT_FOUND when there is none).  today_days: course_date_days of
 * today (the week is counted from the program's first day). */
int course_app_view(struct store *st, struct course_store *cs, int64_t patient_id,
                    int64_t program_id, int64_t today_days, struct course_view *v,
                    struct gc_diag *diag);
void course_app_view_free(struct course_view *v);
/* Step (0-based) of v's program judged against the patient's readiness
 * tests and v's overrides (course_readiness_gate): what course_app_view
 * puts in v->ready for the current step. */
int course_app_readiness(struct course_store *cs, int64_t patient_id, const struct course_view *v,
                         int step, struct course_readiness_gate *out, struct gc_diag *diag);

/* Today in local time as days since 1970-01-01 and as YYYY-MM-DD. */
int64_t course_app_today(char *ymd, size_t cap);

/* What `station run --patient CODE` without --protocol runs next. */
struct course_next {
    int64_t program_id;
    char program[PROGRAM_NAME_MAX]; /* its name */
    int step;                       /* 0-based */
    char protocol[PLAN_NAME_MAX];   /* the step's protocol */
    char say[320];                  /* one line for the PT at start */
};
/* GC_ERR_NOT_FOUND: no active program (run the default session);
 * GC_ERR_STATE: the program is complete, or the step's readiness tests
 * are not all passed and not waived (diag says which, in one sentence). */
int course_app_next(struct store *st, int64_t patient_id, struct course_next *next,
                    struct gc_diag *diag);
/* The same for a patient code in the store at db (NULL = default):
 * opens and closes the store itself (before the session's own store). */
int course_app_next_for(const char *db, const char *code, struct course_next *next,
                        struct gc_diag *diag);
/* A session with --protocol for a patient whose program is active runs
 * outside the program: say[] gets the line for the PT at start, and the
 * course's audit trail records it.  GC_ERR_NOT_FOUND: no active program
 * (nothing said or recorded). */
int course_app_note_outside(struct store *st, int64_t patient_id, int64_t session_id,
                            const char *protocol, char *say, size_t cap, struct gc_diag *diag);
/* Link the session (just begun in the store) to the program. */
int course_app_link(struct store *st, const struct course_next *next, int64_t session_id,
                    struct gc_diag *diag);

#endif
