/*
 * host_hal.h - the host board port of the firmware: the real firmware core
 * (fw_core) driven by a POSIX main loop that serves a pseudo-terminal and
 * takes its samples from the runner model.  This is gaitcue-sim --pty.
 *
 * Edge code (POSIX I/O).  Thread: the simulator's main thread only; the
 * signal handler only sets *stop.
 */
#ifndef GC_HOST_HAL_H
#define GC_HOST_HAL_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "runner_model.h"

/* A host that closed the pty may reopen it within this time (ms). */
#define HOST_RECONNECT_GRACE_MS 2000u
/* Device transmit queue (bytes): a slow or absent reader fills it, after
 * which the core drops whole frames and counts them (like the UART DMA
 * buffer of the real board). */
#define HOST_TXQ_BYTES 8192u

struct host_opts {
    double speed;     /* sensor time per real time; 0 = as fast as the host reads */
    double seconds;   /* stop after this much sampled sensor time, s; 0 = never */
    uint32_t rate_hz; /* sample rate the board boots with (500..2000) */
    const char *serial;
    FILE *truth; /* truth steps CSV (header already written), or NULL */
    FILE *out;   /* where "pty: PATH" is printed (stdout) */
};

/* Serve until *stop, --seconds of samples, or the host closing the pty for
 * longer than the grace time.  Returns the process exit code (0 ok, 1 on a
 * system error, reported on stderr in one sentence). */
int host_serve(struct runner *r, const struct host_opts *o, volatile sig_atomic_t *stop);

#endif
