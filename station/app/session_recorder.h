/*
 * session_recorder.h - the store-writer thread of `station run`.
 *
 *   main thread (the session's owner, feedback_app.h) --ring (lock-free
 *   SPSC)--> writer thread --> store, one transaction per batch (<= 1 s)
 *     judged steps, phase begins, target changes (with source), markers,
 *     body weight, clock ticks - in the order they happened
 *
 * The recorder decides nothing: every step arrives judged (phase, in band,
 * under the ceiling) by the one session model, every change as it was
 * applied.  The producer never blocks or locks: a full ring drops and
 * counts, and a session with dropped records is never stored as complete.
 * Only the writer thread, which is not real-time, touches SQLite.  It
 * commits every commit_ms (default 250 ms, never more than 1000), so a
 * crash or power loss loses at most the last batch; on the next start
 * session_recorder_recover() marks the session interrupted, keeping
 * everything committed.  A failed commit is kept in memory and retried.
 *
 * Lifecycle (control thread):
 *   store_open -> session_recorder_recover -> session_recorder_load_protocol
 *   -> store_session_begin -> session_recorder_new -> session_recorder_start
 *   -> ... _step / _phase / _change / _mark / _set_body_weight / _tick ...
 *   -> session_recorder_stop(rec, status, t) -> session_recorder_free ->
 *   store_close.
 *
 * Thread: every function from one control thread.  Between _start and
 * _stop the store belongs to the writer thread: do not use it elsewhere
 * (open a second store for reads).
 */
#ifndef GC_SESSION_RECORDER_H
#define GC_SESSION_RECORDER_H

#include "gc_error.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "plan.h"
#include "session.h"
#include "spsc.h"
#include "store.h"

/* Ring capacity: 4096 records is > 10 s of running steps, far more than
 * a writer batch. */
#define SESSION_RECORDER_RING      4096
#define SESSION_RECORDER_COMMIT_MS 250

struct session_recorder_config {
    struct store *store; /* opened by the caller; used by the writer thread */
    int64_t session_id;  /* from store_session_begin */
    unsigned commit_ms;  /* 0 = SESSION_RECORDER_COMMIT_MS; at most 1000 */
};

struct session_recorder_stats {
    uint64_t steps; /* steps committed */
    uint64_t markers, target_changes, phases;
    uint64_t commits;
    uint64_t dropped_events;  /* records that found no memory in the writer */
    uint64_t dropped_control; /* ring full (writer too slow) */
    int last_error;           /* error of the last commit (0 ok) */
    int phase;                /* last phase recorded (-1 before) */
};

struct session_recorder;

/* Allocate the ring.  NULL on bad config. */
struct session_recorder *session_recorder_new(const struct session_recorder_config *cfg);
GC_MUST_CHECK int session_recorder_start(struct session_recorder *rec);

/* Records, in the order they happened.  Each returns false when the ring
 * was full (counted in dropped_control).  Times are session time, s. */
bool session_recorder_tick(struct session_recorder *rec, double t_s);
bool session_recorder_step(struct session_recorder *rec, const struct session_step *s);
/* Phase idx began at t_s with targets t; added: the ad hoc phase a PT
 * command appended to the plan (NULL for a planned phase). */
bool session_recorder_phase(struct session_recorder *rec, int idx, double t_s,
                            const struct session_targets *t, const struct plan_phase *added);
/* What is in force after a change (t: everything, NAN = none), why. */
bool session_recorder_change(struct session_recorder *rec, double t_s, enum store_source source,
                             const struct session_targets *t, const char *note);
bool session_recorder_mark(struct session_recorder *rec, const struct store_marker *m);
bool session_recorder_set_body_weight(struct session_recorder *rec, double body_weight_n);
/* The running session's deck estimate and link totals (only those fields
 * of c: store_conditions_set_live), stored with the next commit; the
 * latest one sent wins.  Sent every few seconds, so an interrupted
 * session keeps what was known. */
struct store_conditions;
bool session_recorder_live(struct session_recorder *rec, double t_s,
                           const struct store_conditions *c);

/* Stop the writer: drains the ring, commits, and records how the session
 * ended (status; t_stop_s = session time of the stop, NAN unknown).  A
 * session that lost records is stored as interrupted, never complete.
 * Returns GC_OK or the error of the last commit.  Idempotent. */
GC_MUST_CHECK int session_recorder_stop(struct session_recorder *rec, enum store_status status,
                          double t_stop_s);
void session_recorder_free(struct session_recorder *rec);
void session_recorder_get_stats(struct session_recorder *rec, struct session_recorder_stats *st);

/* Mark sessions left running by a dead process as interrupted and tell the
 * user (one line each on out, may be NULL).  Returns how many, or < 0. */
int session_recorder_recover(struct store *st, FILE *out);

/* May the store be opened?  GC_OK for db NULL (the default store, created
 * on first use) or a path that exists; GC_ERR_NOT_FOUND with one sentence
 * in diag when db names nothing: a mistyped --db is refused, never
 * created (only 'station patient add' creates a store the user named). */
int session_recorder_store_exists(const char *db, struct gc_diag *diag);

/* Open the store for a command (db NULL = default path, created if
 * missing; a db that does not exist is refused as
 * session_recorder_store_exists says) and, if recover, run
 * session_recorder_recover reporting to stderr.  Errors are printed to
 * stderr with what to do; returns a gc_err. */
int session_recorder_open_store(const char *db, struct store **st, bool recover);
/* The same, but creates a store (and its folders) at a db that does not
 * exist yet: for the commands that create things (patient add). */
int session_recorder_create_store(const char *db, struct store **st, bool recover);

/* Load a protocol by preset name (cadence-retraining, impact-faded,
 * walk-run-intro, or any NAME.ini in $XDG_DATA_HOME/gaitcue/protocols or the
 * installed protocols directory) or by file path.  *text (malloc'd, may be
 * NULL) receives the file as read, for store_session_begin.  On failure a
 * sentence for the user is in diag (with the line number and reason for a
 * malformed file). */
GC_MUST_CHECK int session_recorder_load_protocol(const char *name_or_path, struct plan *plan,
                                                 char **text, struct gc_diag *diag);

#endif
