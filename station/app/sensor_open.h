/*
 * sensor_open.h - open a port and identify the gaitcue sensor on it, with
 * one clear sentence for every way that can fail (issue 2, "Bad input"):
 * missing or busy port, no hello within 2 s, protocol version mismatch,
 * link too slow for the sample rate.  Also autodetection for `station run`
 * without --port and the hello probe of `station ports`.
 *
 * Thread: main thread only.
 */
#ifndef GC_SENSOR_OPEN_H
#define GC_SENSOR_OPEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gc_error.h"
#include "packet.h"
#include "slink.h"

/* Samples per SAMPLES block of the firmware (FW_BLOCK_SAMPLES). */
#define SENSOR_BLOCK_SAMPLES 10u
/* A UART must have this much headroom over the stream's bit rate. */
#define SENSOR_BAUD_HEADROOM 0.9
/* Hello timeout when scanning many ports (autodetect, station ports). */
#define SENSOR_SCAN_TIMEOUT_MS 700

struct sensor_conn {
    struct slink *link; /* open, identified, not streaming; caller owns */
    struct pkt_hello hello;
    uint8_t hello_raw[PKT_HELLO_SIZE];
};

/* Open port, say hello (DEV_HELLO_TIMEOUT_MS), check the protocol version,
 * stop a stream left running, set rate_hz if non-zero, and check that the
 * link can carry the rate.  GC_OK, or an error with the sentence in diag. */
GC_MUST_CHECK int sensor_open(const char *port, const struct slink_params *lp, unsigned rate_hz,
                              struct sensor_conn *c, struct gc_diag *diag);

/* Quick check: does a gaitcue sensor answer hello on port? */
bool sensor_answers(const char *port, int timeout_ms, struct pkt_hello *hello);

/* Find the one sensor among the system's ports (plus $GC_EXTRA_PORTS,
 * colon-separated).  GC_OK with port filled; GC_ERR_NOT_FOUND (none) or
 * GC_ERR_BUSY (several) with the sentence in diag. */
GC_MUST_CHECK int sensor_autodetect(char *port, size_t cap, struct gc_diag *diag);

/* Split $GC_EXTRA_PORTS into out[0..max); returns the count.  The strings
 * live in storage (cap bytes). */
size_t sensor_extra_ports(const char **out, size_t max, char *storage, size_t cap);

#endif
