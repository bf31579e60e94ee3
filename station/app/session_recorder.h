/*
 * session_recorder.h - the store-writer thread of `station run`.
 *
 *   DSP thread --live_add_event_consumer ring (lock-free SPSC)--+
 *                 struct live_event: steps, contacts, gaps       |
 *                                                                v
 *   control thread --control ring (lock-free SPSC)-->  writer thread
 *   (main/UI: markers, therapist target changes,       session model (phases,
 *    body weight, clock ticks)                          baseline, in-band tags)
 *                                                       -> store, one transaction
 *                                                          per batch (<= 1 s)
 *
 * Neither producer ever blocks or locks: both rings are the project's
 * lock-free SPSC rings (spsc.h); a full ring drops and counts.  Only the
 * writer thread, which is not real-time, touches SQLite.  It commits every
 * commit_ms (default 250 ms, never more than 1000), so a crash or power
 * loss loses at most the last batch; on the next start
 * session_recorder_recover() marks the session interrupted, keeping
 * everything committed.
 *
 * Lifecycle (control thread):
 *   store_open -> session_recorder_recover -> session_recorder_load_protocol
 *   -> store_session_begin -> session_recorder_new -> live_add_event_consumer(
 *   live, session_recorder_event_ring(rec)) -> session_recorder_start ->
 *   ... live session; control thread calls _tick / _mark / _set_targets ...
 *   -> live_stop -> session_recorder_stop(rec, STORE_COMPLETE) ->
 *   session_recorder_free -> store_close.
 *
 * Thread: _new, _start, _stop, _free, _get_stats, and the control-ring
 * functions (_tick, _mark, _set_targets, _set_body_weight) are called from
 * one control thread.  The event ring has exactly one producer: the live
 * DSP thread (or a test).  Between _start and _stop the store belongs to
 * the writer thread: do not use it elsewhere (open a second store for
 * reads).
 */
#ifndef GC_SESSION_RECORDER_H
#define GC_SESSION_RECORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "plan.h"
#include "session.h"
#include "spsc.h"
#include "store.h"

/* Event ring capacity: 4096 events is > 10 s of running (about 3 events
 * per step at 3 steps/s), far more than a writer batch. */
#define SESSION_RECORDER_RING      4096
#define SESSION_RECORDER_COMMIT_MS 250

struct session_recorder_config {
    struct store *store;     /* opened by the caller; used by the writer thread */
    int64_t session_id;      /* from store_session_begin */
    const struct plan *plan; /* copied; already time-scaled */
    double t0_s;             /* time of the session start on the events' clock (0 for
                                live session time) */
    unsigned commit_ms;      /* 0 = SESSION_RECORDER_COMMIT_MS; at most 1000 */
};

struct session_recorder_stats {
    uint64_t steps; /* steps committed */
    uint64_t markers, target_changes, phases;
    uint64_t commits;
    uint64_t dropped_events;  /* event ring full (writer too slow) */
    uint64_t dropped_control; /* control ring full */
    int last_error;           /* last store error (0 none) */
    int phase;                /* current phase (-1 before, n_phases after) */
};

struct session_recorder;

/* Allocate the rings and the session model.  NULL on bad config. */
struct session_recorder *session_recorder_new(const struct session_recorder_config *cfg);
/* The event ring to give live_add_event_consumer (elements: struct
 * live_event).  Owned by the recorder; valid until session_recorder_free,
 * which must come after the live threads have stopped. */
struct spsc *session_recorder_event_ring(struct session_recorder *rec);
int session_recorder_start(struct session_recorder *rec);

/* Control ring (one control thread).  Return false when the ring was full
 * (counted in dropped_control). t_s is on the events' clock. */
bool session_recorder_tick(struct session_recorder *rec, double t_s);
bool session_recorder_mark(struct session_recorder *rec, const struct store_marker *m);
/* The therapist changed targets: t (everything in force after the change,
 * NAN = none) is stored as a target change and used to tag the steps whose
 * initial contact is at or after t_s (exactly, as long as the change
 * reaches the writer before those steps are committed, i.e. within
 * commit_ms; stamp it with the session time of the latest snapshot). */
bool session_recorder_set_targets(struct session_recorder *rec, double t_s,
                                  const struct session_targets *t, const char *note);
bool session_recorder_set_body_weight(struct session_recorder *rec, double body_weight_n);

/* Stop the writer: drains both rings, commits, and records how the session
 * ended (STORE_COMPLETE for a clean end, even before the protocol's end;
 * STORE_INTERRUPTED if the source failed).  Idempotent. */
int session_recorder_stop(struct session_recorder *rec, enum store_status status);
void session_recorder_free(struct session_recorder *rec);
void session_recorder_get_stats(struct session_recorder *rec, struct session_recorder_stats *st);

/* Mark sessions left running by a dead process as interrupted and tell the
 * user (one line each on out, may be NULL).  Returns how many, or < 0. */
int session_recorder_recover(struct store *st, FILE *out);

/* Open the store for a command (db NULL = default path) and, if recover,
 * run session_recorder_recover reporting to stderr.  Errors are logged
 * with what to do; returns a gc_err. */
int session_recorder_open_store(const char *db, struct store **st, bool recover);

/* Load a protocol by preset name (cadence-retraining, impact-faded,
 * walk-run-intro, or any NAME.ini in $XDG_DATA_HOME/gaitcue/protocols or the
 * installed protocols directory) or by file path.  *text (malloc'd, may be
 * NULL) receives the file as read, for store_session_begin.  On failure a
 * sentence for the user is in msg (with the line number and reason for a
 * malformed file). */
int session_recorder_load_protocol(const char *name_or_path, struct plan *plan, char **text,
                                   char *msg, size_t cap);

#endif
