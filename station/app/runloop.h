/*
 * runloop.h - the terminal side of a live or replayed session, shared by
 * `station run` and `station replay`: prints the pipeline's lines, streams
 * the steps CSV as steps complete (into OUT.partial, flushed and synced
 * every second, renamed to OUT at the end), waits for the end (session over,
 * Ctrl-C, simulator gone) and prints the summary.
 *
 * Thread: main thread only.
 */
#ifndef GC_RUNLOOP_H
#define GC_RUNLOOP_H

#include <stdbool.h>
#include <stdio.h>

#include "gc_error.h"
#include "live.h"
#include "run_options.h"
#include "sim_spawn.h"

/* Install SIGINT/SIGTERM/SIGHUP/SIGQUIT handlers that only set a flag
 * (checked by runloop_run): each ends the session cleanly (summary, end
 * marker, stored complete).  SIGPIPE is ignored. */
void runloop_install_signals(void);
/* The signal that ended the session (SIGINT, SIGTERM, ...; the first one
 * when several came), 0 if none. */
int runloop_signal(void);
/* Was it sent by another program (kill), not typed at the terminal (a
 * Ctrl-C comes from the kernel)? */
bool runloop_signal_sent(void);
/* Did the source end the session (the simulator died, no data came for
 * too long)?  Such a session is interrupted, not stopped. */
bool runloop_source_lost(void);

/* What --steps must never replace (datadir.h): the store (--db or the
 * default), the replayed file, the recording (record may be NULL), the
 * calibration, screenshot and protocol files. */
struct datadir_guard;
void runloop_output_guard(const struct run_options *o, const char *record,
                          struct datadir_guard *g);
/* Check every output the user named before anything is opened or
 * created: --steps, the live --record (record; it must not exist yet) and
 * --screenshot, each as runloop_output_guard says, into a folder that
 * exists.  GC_OK, or GC_ERR_ARG with one sentence in diag. */
GC_MUST_CHECK int runloop_check_outputs(const struct run_options *o, const char *record,
                                        struct gc_diag *diag);
/* What a clinic session adds to the loop (feedback, store, protocol):
 * run_session.h.  Every callback runs on the main thread. */
struct runloop_hooks {
    void *user;
    /* Called while the session runs: when the DSP hands over an event or
     * a line, and at the latest after wait_ms (5 ms without it).  Returns
     * 1 to end the session (user quit, protocol complete), else 0. */
    int (*poll)(void *user, struct live *lv);
    /* How long the loop may sleep before poll is due (ms, >= 1); NULL:
     * 5 ms. */
    int (*wait_ms)(void *user);
    /* Called once after the threads stopped, before the summary; code is
     * the exit code so far.  Returns the (possibly worse) exit code. */
    int (*finish)(void *user, struct live *lv, int code, FILE *out);
};

/* Run until the session ends.  lv must be built but not started; it is
 * started, stopped and its lines printed to out.  sim and hooks may be
 * NULL.  Returns the exit code (0 ok, 1 failure with a sentence on
 * stderr). */
int runloop_run(struct live *lv, const struct run_options *o, struct sim_proc *sim, FILE *out,
                const struct runloop_hooks *hooks);

#endif
