/*
 * store.h - the session store (SQLite).
 *
 * One file holds patients, sessions and everything measured in them:
 * phases, steps, target changes, markers and per-minute summaries.
 *
 *   file       --db PATH, default $XDG_DATA_HOME/gaitcue/gaitcue.db
 *              (~/.local/share/gaitcue/gaitcue.db without XDG_DATA_HOME);
 *              created 0600 in a 0700 directory (patient data: owner only)
 *   journal    WAL, synchronous=FULL: a commit survives a crash or power
 *              loss; readers (station report) never block the writer
 *   schema     PRAGMA user_version, upgraded by ordered migrations on open.
 *              A database from a newer gaitcue is refused before anything
 *              is written (its header is read with plain read(2) first).
 *
 * Times: *_utc are Unix seconds (wall clock); t_*_s are sensor time, s;
 * rel times are s since session start (sensor time - t0_sensor_s).
 *
 * Thread: a struct store is one SQLite connection; use it from one thread
 * at a time (the recorder's writer thread owns it while recording).  Open
 * one store per thread for concurrent use (WAL makes that safe).
 * Errors: enum gc_err; store_open logs the reason (what to do) itself.
 */
#ifndef GC_STORE_H
#define GC_STORE_H

#include "gc_error.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan.h"
#include "session.h"

#define STORE_SCHEMA_VERSION 6
#define STORE_CODE_MAX       32

struct store;

/* Default database path into buf.  GC_ERR_ARG if it does not fit,
 * GC_ERR_NOT_FOUND if neither XDG_DATA_HOME nor HOME is set. */
GC_MUST_CHECK int store_default_path(char *buf, size_t cap);

/* Open (create if missing) and upgrade to STORE_SCHEMA_VERSION.  path NULL
 * = default.  GC_ERR_VERSION: written by a newer gaitcue (file untouched);
 * GC_ERR_FORMAT: not a gaitcue database; GC_ERR_IO/GC_ERR_PERM otherwise. */
GC_MUST_CHECK int store_open(const char *path, struct store **out);

/* Same, but stop upgrading at max_version (tests build old databases). */
GC_MUST_CHECK int store_open_at(const char *path, int max_version, struct store **out);
void store_close(struct store *st);

const char *store_path(const struct store *st);
GC_MUST_CHECK int store_schema_version(struct store *st);
/* SQLite's message for the last failure on this connection. */
const char *store_errmsg(struct store *st);

/* Batches: everything between begin and commit lands at once or not at all. */
GC_MUST_CHECK int store_begin(struct store *st);
GC_MUST_CHECK int store_commit(struct store *st);
int store_rollback(struct store *st);

/* PRAGMA quick_check: GC_OK, or GC_ERR_FORMAT with the logged sentence
 * (restore from the backup, where the backups are).  Call it before
 * writing into a database that may be damaged (patient add).  Reads every
 * page: about 1 s per GB. */
GC_MUST_CHECK int store_check(struct store *st);

/* Copy the whole database, consistently, into out_path with SQLite's
 * online backup API (a running recorder keeps writing meanwhile).  The copy
 * is written to a temporary file, fsync'd and renamed (datadir.h); out_path
 * must not be the store itself, its side files, another database or a
 * recording.  Errors: GC_ERR_ARG (refused), GC_ERR_IO/GC_ERR_PERM,
 * GC_ERR_FORMAT (damaged source); one sentence in diag. */
GC_MUST_CHECK int store_backup(struct store *st, const char *out_path, struct gc_diag *diag);

/* ---- patients ------------------------------------------------------ */

struct store_patient {
    int64_t id;
    char code[STORE_CODE_MAX]; /* clinic code, unique: letters, digits, - _ . */
    char name[96];             /* optional, "" if not given */
    int birth_year;            /* optional, 0 if not given */
    int64_t created_utc;
    int n_sessions; /* filled by find/list */
};

/* Is code a valid clinic code (1..31 chars of [A-Za-z0-9._-])? */
bool store_code_valid(const char *code);
/* GC_ERR_BUSY if the code exists, GC_ERR_ARG if it is not valid or the
 * name is longer than USERTEXT_NAME_MAX bytes or holds a control character
 * (usertext.h).  Names, therapists, notes read back from the store have
 * every control character replaced by '?' (usertext_clean). */
GC_MUST_CHECK int store_patient_add(struct store *st, struct store_patient *p);
GC_MUST_CHECK int store_patient_find(struct store *st, const char *code, struct store_patient *out);
GC_MUST_CHECK int store_patient_get(struct store *st, int64_t id, struct store_patient *out);
/* The one sentence for a patient code the store does not hold (returns
 * GC_ERR_NOT_FOUND, the sentence in diag): the patient whose code differs
 * only in case ("did you mean RUN-0042?": never advise adding a near
 * duplicate), else how to add it (db: the --db the user gave, NULL for the
 * default store). */
int store_patient_missing(struct store *st, const char *code, const char *db,
                          struct gc_diag *diag);
/* Calls fn for each patient by code; returns the count or < 0. */
GC_MUST_CHECK int store_patient_list(struct store *st, void (*fn)(const struct store_patient *, void *),
                       void *user);

/* ---- sessions ------------------------------------------------------ */

/* The serial number the simulator (gaitcue-sim) reports: "SIM-" + 8 hex
 * digits.  A session whose sensor_serial starts with it is simulated. */
#define STORE_SIM_SERIAL_PREFIX "SIM-"

/* complete: the plan ran to its end (or to its open last phase, which
 * runs until stopped); stopped: the PT stopped it earlier (stopped_at_s);
 * interrupted: the source failed or the process died. */
enum store_status { STORE_RUNNING = 0, STORE_COMPLETE, STORE_INTERRUPTED, STORE_STOPPED };
const char *store_status_name(enum store_status s);

struct store_session {
    int64_t id;
    int64_t patient_id;
    char patient_code[STORE_CODE_MAX];
    int64_t start_utc, end_utc; /* end 0 while running */
    enum store_status status;
    char protocol_name[PLAN_NAME_MAX];
    char therapist[96];
    char sensor_serial[64];
    char sensor_identity[160];
    char calib_name[128];
    char calib_date[32];
    double body_weight_n; /* NAN unknown */
    char sw_version[32];
    char raw_path[512];
    char raw_sha256[72]; /* hex */
    double t0_sensor_s;  /* sensor time of the session start */
    double time_scale;   /* plan durations were divided by this */
    char method[1024];   /* measurement method in force (report footer) */
    int64_t n_steps;     /* filled by get/list */
    double stopped_at_s; /* session time of the stop (stopped), NAN otherwise */
    char stopped_by[48]; /* who or what stopped it: "the PT (ctl)", "--seconds",
                            "SIGTERM", ... ("" before schema 6, or not stopped) */
    char feedback_delivery[160]; /* how feedback reached the runner: "display: the
                                    runner's screen; sound: default", or why not
                                    ("" before schema 6, or not a live session) */
    bool simulated; /* the simulator was the sensor (--sim, or it said so: a
                       STORE_SIM_SERIAL_PREFIX serial); before schema 6, the
                       serial alone tells */
    int64_t excluded_utc; /* excluded from progress at, 0 = included */
    char exclude_reason[160];
};

/* Create a session (status running) for patient_id with the plan's phases.
 * GC_ERR_BUSY: the patient already has a live session (running, and its
 * writer process on this host is alive). */
/* Create a session (status running) for patient_id with the plan's phases
 * (planned times; targets filled as phases begin).  protocol_text is the
 * file as read (kept so the report can show exactly what ran).  Sets
 * s->id. */
GC_MUST_CHECK int store_session_begin(struct store *st, struct store_session *s, const struct plan *plan,
                        const char *protocol_text);
/* Record how the session ended (stopped_at_s: session time of a stop by
 * the PT, NAN when not known or not stopped). */
GC_MUST_CHECK int store_session_finish(struct store *st, int64_t id, enum store_status status, int64_t end_utc,
                         double stopped_at_s);
/* Remove a session that never started (its setup failed before any data:
 * the audio device, the control socket), with its phases, changes and
 * program link, so it is neither in the record nor in a program's gate.
 * GC_ERR_STATE: it has steps (it happened: keep it). */
GC_MUST_CHECK int store_session_discard(struct store *st, int64_t id);
/* Exclude an ended session from progress (reason NULL: include it again).
 * The session and its steps are kept; the reason and time are stored.  An
 * excluded session keeps its first reason (GC_ERR_NOT_FOUND until it is
 * included again). */
GC_MUST_CHECK int store_session_exclude(struct store *st, int64_t id, const char *reason, int64_t now_utc);
/* The session is alive at now_utc (the recorder calls it with each batch;
 * recovery uses it as the end time of an interrupted session). */
GC_MUST_CHECK int store_session_touch(struct store *st, int64_t id, int64_t now_utc);
GC_MUST_CHECK int store_session_set_body_weight(struct store *st, int64_t id, double body_weight_n);
GC_MUST_CHECK int store_session_set_raw(struct store *st, int64_t id, const char *path, const char *sha256_hex);
/* Who or what stopped a session before its plan's end (run_session.c
 * says which texts). */
GC_MUST_CHECK int store_session_set_stopped_by(struct store *st, int64_t id, const char *by);
/* The simulator was the sensor of session id (a test or demonstration). */
GC_MUST_CHECK int store_session_set_simulated(struct store *st, int64_t id, bool simulated);
/* How feedback reached the runner (feedback_app_delivery's text). */
GC_MUST_CHECK int store_session_set_feedback_delivery(struct store *st, int64_t id,
                                                      const char *text);
GC_MUST_CHECK int store_session_get(struct store *st, int64_t id, struct store_session *out);
/* Latest session (highest start, then id) of a patient (0 = any patient). */
GC_MUST_CHECK int store_session_latest(struct store *st, int64_t patient_id, int64_t *id);
/* The same patient's session of the same protocol before id (ended, not
 * excluded); GC_ERR_NOT_FOUND if none. */
GC_MUST_CHECK int store_session_previous(struct store *st, int64_t id, int64_t *prev_id);
/* Calls fn per session, oldest first (patient_id 0 = all); returns count. */
GC_MUST_CHECK int store_session_list(struct store *st, int64_t patient_id,
                       void (*fn)(const struct store_session *, void *), void *user);
/* The protocol file text as stored (malloc'd; caller frees). */
GC_MUST_CHECK int store_session_protocol(struct store *st, int64_t id, char **text);

/* Recovery: sessions left 'running' by a process that is gone (crash,
 * kill -9, power loss) become 'interrupted', their end time is the last
 * committed step and their per-minute summaries are rebuilt.  Writes up to
 * cap ids to ids (may be NULL) and returns how many were recovered. */
GC_MUST_CHECK int store_recover(struct store *st, int64_t *ids, size_t cap);

/* ---- phases -------------------------------------------------------- */

struct store_phase {
    int idx;
    char name[PLAN_NAME_MAX];
    enum plan_kind kind;
    double planned_start_s; /* rel */
    double planned_s;
    bool started;
    double start_s;                 /* rel, NAN if not reached */
    struct session_targets targets; /* as resolved when the phase began */
};

/* An ad hoc phase (appended by a PT command) at index idx, from start_s. */
GC_MUST_CHECK int store_phase_add(struct store *st, int64_t sid, int idx, const struct plan_phase *ph,
                    double start_s);
/* The phase idx began at rel time start_s with these targets. */
GC_MUST_CHECK int store_phase_begin(struct store *st, int64_t sid, int idx, double start_s,
                      const struct session_targets *t);
GC_MUST_CHECK int store_load_phases(struct store *st, int64_t sid, struct store_phase **out, size_t *n);

/* ---- steps --------------------------------------------------------- */

GC_MUST_CHECK int store_add_step(struct store *st, int64_t sid, const struct session_step *s);
/* All steps of a session by index (malloc'd; caller frees). */
GC_MUST_CHECK int store_load_steps(struct store *st, int64_t sid, struct session_step **out, size_t *n);

/* ---- target changes and markers ------------------------------------ */

enum store_source { STORE_SRC_PROTOCOL = 0, STORE_SRC_THERAPIST };

struct store_target_change {
    double t_s; /* sensor time */
    enum store_source source;
    struct session_targets targets; /* everything in force after the change */
    char note[128];
};
GC_MUST_CHECK int store_add_target_change(struct store *st, int64_t sid, const struct store_target_change *c);
GC_MUST_CHECK int store_load_target_changes(struct store *st, int64_t sid, struct store_target_change **out,
                              size_t *n);

enum store_marker_kind { STORE_MARK_PAIN = 0, STORE_MARK_SYMPTOM, STORE_MARK_NOTE };
const char *store_marker_kind_name(enum store_marker_kind k);

struct store_marker {
    double t_s; /* sensor time */
    enum store_marker_kind kind;
    int pain; /* 0..10 for pain, -1 otherwise */
    char text[160];
    char source[16]; /* who made it: "keys", "ctl", "web", ...; "" if not stored */
};
GC_MUST_CHECK int store_add_marker(struct store *st, int64_t sid, const struct store_marker *m);
GC_MUST_CHECK int store_load_markers(struct store *st, int64_t sid, struct store_marker **out, size_t *n);

/* ---- per-minute summaries ------------------------------------------ */

struct store_minute {
    int minute; /* 0 = first minute after t0 */
    struct session_stats stats;
};
/* Recompute a session's per-minute summaries from its stored steps. */
GC_MUST_CHECK int store_rebuild_minutes(struct store *st, int64_t sid);
GC_MUST_CHECK int store_load_minutes(struct store *st, int64_t sid, struct store_minute **out, size_t *n);

#endif
