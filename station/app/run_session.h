/*
 * run_session.h - what turns a live stream into a clinic session in
 * `station run`: the runner's feedback (display, audio, control socket:
 * feedback_app.h), the protocol's phases driving targets and feedback mode
 * (plan.h, session.h), and the session store writer (session_recorder.h).
 *
 *   live DSP thread --events--> feedback ring (audio thread: cues)
 *                          \--> step ring     (main thread: the session's
 *                                              owner judges each step once)
 *   main thread, every ~5 ms: the session's clock, judged steps and every
 *   session event -> the recorder's ring (writer thread: SQLite); frames
 *
 * Without --patient nothing is stored (the raw recording still is); without
 * --protocol a plan is generated (a 2 min baseline, then +7.5 % until
 * stopped, or --target-cadence from the start).
 *
 * Thread: main thread only (the rings' producer is the live DSP thread).
 */
#ifndef GC_RUN_SESSION_H
#define GC_RUN_SESSION_H

#include <stddef.h>
#include <stdio.h>

#include "gc_error.h"
#include "live.h"
#include "packet.h"
#include "run_options.h"
#include "runloop.h"

struct run_session;

/* What the station knows about the sensor and its calibration. */
struct run_session_source {
    const struct pkt_hello *hello;
    const char *calib_desc; /* "SIM-0001, 2026-11-21 by J. Smith (3 days old)" or "" */
    const char *calib_name; /* file name of the calibration, "" = nominal */
    const char *calib_date; /* ISO date, "" = none */
    const char *record_path;/* raw recording, "" = none */
};

/* Before the sensor is opened: the options fit together, the protocol
 * loads, the patient exists.  GC_OK, or an error with one sentence for
 * the user in diag (GC_ERR_ARG: the options contradict each other). */
GC_MUST_CHECK int run_session_check(const struct run_options *o, struct gc_diag *diag);

/* After run_session_check: open the store and the protocol, create the
 * feedback app and register its event rings with lv (which must not be
 * started yet).
 * GC_OK with *out, or a gc_err (*out NULL) with one sentence for the user
 * in diag. */
GC_MUST_CHECK int run_session_new(const struct run_options *o, struct live *lv,
                                  const struct run_session_source *src, struct run_session **out,
                                  struct gc_diag *diag);
/* Hooks for runloop_run (user = the run_session). */
void run_session_hooks(struct run_session *rs, struct runloop_hooks *hooks);
void run_session_free(struct run_session *rs);

#endif
