/*
 * report_record.h - what a report shows, as plain data: one session with
 * everything stored about it (and the previous session's key figures for
 * the comparison), or one patient's sessions with their key figures.
 *
 * The loaders are the report's only contact with the store; the pages
 * (report.h) are drawn from these records alone.  Times as in store.h:
 * *_utc Unix seconds, t_*_s sensor time (s), "rel" s since session start.
 *
 * Ownership: a loaded record owns its arrays; free it with the matching
 * *_free.  Thread: the loaders use the store's connection (store.h's
 * rule: one thread at a time); the records themselves are plain data.
 */
#ifndef GC_REPORT_RECORD_H
#define GC_REPORT_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gc_error.h"
#include "plan.h"
#include "session.h"
#include "course.h"
#include "store.h"
#include "store_conditions.h"

/* Key figures of one session (progress report, previous-session
 * comparison): stats over the phases of each kind. */
struct report_key {
    struct session_stats all;       /* every step */
    struct session_stats baseline;  /* baseline phases */
    struct session_stats training;  /* training and run phases */
    struct session_stats retention; /* retention phases */
    int pain_max;                   /* highest pain reported for the session, -1 none:
                                       report_symptom records of every source */
};

/* What the patient reported for the session, from every source: a live
 * marker (`station ctl mark pain N` / `symptom WORD`, the keys, the web
 * console), a `station symptoms` record or a `station prom` NPRS
 * attached to it (store_course.h's course_store_session_records: the
 * gate's rule of which session a record belongs to). */
enum report_symptom_source {
    REPORT_SYM_MARK = 0, /* a marker set during the session */
    REPORT_SYM_RECORD,   /* station symptoms */
    REPORT_SYM_PROM,     /* station prom (its NPRS) */
};
/* "ctl mark", "symptoms command", "prom command" */
const char *report_symptom_source_name(enum report_symptom_source s);

struct report_symptom {
    enum report_symptom_source source;
    char by[16];           /* a marker's maker ("ctl", "keys", "web"; "" unknown) */
    enum course_when when; /* a marker: during */
    double t_rel_s;        /* a marker's time, s since session start; NAN for records */
    int64_t utc;           /* a record's time (Unix s); 0 for markers */
    int pain;              /* NPRS 0..10, -1 none */
    unsigned flags;        /* PROGRAM_SYM_LEAK | _HEAVINESS | _BLEEDING */
    int lefs;              /* a PROM's LEFS 0..80, -1 none */
    char site[64];
    char note[160];
};

struct report_record {
    struct store_session ss;
    struct store_patient pat;
    struct store_phase *phases;
    size_t n_phases;
    struct session_step *steps;
    size_t n_steps;
    struct store_target_change *changes;
    size_t n_changes;
    struct store_marker *markers;
    size_t n_markers;
    /* pain and symptoms reported for the session: its pain and symptom
     * markers and the records attached to it, markers first, then records
     * oldest first */
    struct report_symptom *symptoms;
    size_t n_symptoms;
    bool in_program; /* run as a program's session (store_course.h) */
    char *protocol_text;
    struct plan plan;
    bool have_plan;
    double t_end_rel; /* time axis end, s since session start */
    /* the previous session of the same protocol (excluded ones skipped) */
    bool has_prev;
    struct store_session prev;
    struct report_key prev_key;
    /* the session's conditions and link health (store_conditions.h), and
     * the previous session's conditions */
    struct store_conditions cond, prev_cond;
};

/* Loads session sid.  GC_ERR_NOT_FOUND (with "there is no session N"),
 * or a store error; diag says which. */
GC_MUST_CHECK int report_record_load(struct store *st, int64_t sid, struct report_record *r,
                                     struct gc_diag *diag);
void report_record_free(struct report_record *r);

/* Key figures of a loaded record, or of a stored session. */
void report_key_of(const struct report_record *r, struct report_key *k);
GC_MUST_CHECK int report_key_figures(struct store *st, int64_t sid, struct report_key *out,
                                     struct gc_diag *diag);

/* One patient's sessions, oldest first, each with its key figures. */
struct report_progress_row {
    struct store_session ss;
    struct report_key key;
    struct store_conditions cond;
};
struct report_progress {
    struct store_patient pat;
    struct report_progress_row *rows;
    size_t n;
};
GC_MUST_CHECK int report_progress_load(struct store *st, int64_t patient_id,
                                       struct report_progress *p, struct gc_diag *diag);
void report_progress_free(struct report_progress *p);

/* The targets in force at rel_s (every change is stored with everything
 * in force after it); NULL before the first. */
const struct session_targets *report_targets_at(const struct report_record *r, double rel_s);
/* Where phase i ended, s since session start. */
double report_phase_end_rel(const struct report_record *r, size_t i);

/* How the session ended, for people: "complete", "stopped at 4:12 by the
 * PT (ctl)", "stopped at 4:12 by SIGTERM (the system or another program,
 * not the PT)", "stopped at 0:20 by --seconds, before the plan's end",
 * "interrupted", with "; excluded from progress: REASON" if so. */
void report_status_text(const struct store_session *ss, char *buf, size_t cap);

/* The session's conditions for people: "Shoe: Pegasus 40; treadmill 3.00
 * m/s, incline 1.0 %; deck estimate 2.98 +- 0.01 m/s over 412 steps";
 * with changes during the session "...; treadmill 3.00 m/s, incline 1.0 %
 * at the start; speed 3.40 m/s from 0:25 (ctl); deck estimate 3.39 +-
 * 0.01 m/s over the 85 steps since 0:25" (the estimate is taken over the
 * steps since the last entered speed and compared with it). */
void report_conditions_text(const struct store_conditions *c, char *buf, size_t cap);
/* The link-health line: "Link: 12 blocks recovered by a resend, 0 lost
 * (14 blocks requested again, repeats counted)." - for a running session
 * "so far", for an interrupted one "to the last save" - or why it is not
 * known (the session is still running / was interrupted before link health
 * was saved / was stored before gaitcue kept link health); status: the
 * session's.  warning (may be NULL) gets a sentence when blocks were
 * finally lost ("" otherwise). */
void report_link_text(const struct store_conditions *c, enum store_status status, char *buf,
                      size_t cap, char *warning, size_t wcap);

/* One key figure of a stats block and its printed decimals. */
enum report_figure {
    REPORT_FIG_CADENCE,
    REPORT_FIG_CONTACT,
    REPORT_FIG_VALR,
    REPORT_FIG_VILR,
    REPORT_FIG_IN_BAND_PCT,
    REPORT_FIG_IMPACT_PEAK,
};
double report_key_value(const struct session_stats *x, enum report_figure what, int *dec);

#endif
