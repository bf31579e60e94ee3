/*
 * test_port.h - a readiness test from a real sensor (`station test NAME
 * --port P`): the deck is recorded by `station run --port P --seconds S
 * --record FILE` (the same opening, identity check, calibration and raw
 * recording as a session), then the recording's conditioned samples - the
 * DSP stage's, exactly as a session analyses them (core/dsp.h's
 * dsp_last_samples) - are what readiness_measure reads.
 *
 * Thread: main thread only (starts a child process and waits for it).
 */
#ifndef GC_TEST_PORT_H
#define GC_TEST_PORT_H

#include <stddef.h>

#include "gait.h"
#include "gc_error.h"

/* Record seconds of the deck on port into rec_path (must not exist) with
 * the station's own `run`.  GC_OK, or an error with the child's last
 * message in diag. */
GC_MUST_CHECK int test_port_record(const char *port, double seconds, const char *rec_path,
                                   struct gc_diag *diag);

/* The conditioned samples of a recording (malloc'd *out, *n of them). */
GC_MUST_CHECK int test_port_samples(const char *rec_path, struct gait_sample **out, size_t *n,
                                    struct gc_diag *diag);

#endif
