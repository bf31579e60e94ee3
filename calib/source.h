/*
 * source.h - where calib gets its raw samples: a sensor on a serial port,
 * or gaitcue-sim started per capture (its static loads are fixed for the
 * life of the process, so every placement is a fresh simulator with that
 * load and the same seed, i.e. the same sensor with the same errors).
 *
 * A capture identifies the device (HELLO), starts streaming, drops the
 * first settle_s seconds (the deck still rings after the operator stepped
 * off), keeps window_s seconds, and stops streaming.
 *
 * I/O edge of calib: uses station_io's slink and devlink.
 *
 * Errors: source_open and source_capture return GC_OK or a gc_err code
 * (GC_ERR_NOT_FOUND no simulator, GC_ERR_BUSY / GC_ERR_PERM / GC_ERR_IO the
 * port, GC_ERR_TIMEOUT / GC_ERR_CLOSED / GC_ERR_PROTO / GC_ERR_VERSION the
 * device, GC_ERR_STATE a swapped sensor or a changed rate, GC_ERR_NOMEM) and
 * keep the same code and one sentence saying what to do in the
 * `struct gc_diag *diag` they take last (gc_error.h; may be NULL).
 * Thread: main thread only.
 */
#ifndef GC_CALIB_SOURCE_H
#define GC_CALIB_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gc_error.h"
#include "packet.h"

#define SOURCE_MAX_LOADS 8

struct source_load {
    double mass_kg;
    double x_m, y_m;
};

struct source_opts {
    const char *port;            /* serial port path; NULL with sim */
    bool sim;                    /* start gaitcue-sim per capture */
    const char *sim_bin;         /* simulator executable; NULL = $GAITCUE_SIM or next to calib */
    uint64_t seed;               /* simulator --seed */
    double gain_error_pct;       /* simulator --gain-error, % (< 0: the simulator's default) */
    double wobble_n;             /* simulator --wobble, N (0: still) */
    const char *const *sim_args; /* more simulator options, passed as given */
    size_t n_sim_args;
    double settle_s; /* dropped at the start of a capture, s */
    double window_s; /* kept, s */
};

struct source;

/* Open the port or prepare the simulator (found and executable).  GC_OK
 * or an error with its sentence in diag. */
int source_open(const struct source_opts *o, struct source **out, struct gc_diag *diag);
void source_close(struct source *s);

/* Capture one window.  loads: what sits on the deck (simulator only; a real
 * port ignores it: the operator placed the mass).  *samples is allocated
 * (free()), *n set; *hello is the device identity.  A device whose serial
 * differs from the first capture's is refused (the sensor was swapped). */
int source_capture(struct source *s, const struct source_load *loads, size_t n_loads,
                   struct pkt_hello *hello, struct pkt_sample **samples, size_t *n,
                   struct gc_diag *diag);

#endif
