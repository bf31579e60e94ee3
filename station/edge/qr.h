/*
 * qr.h - a QR code of a short text (the web console's URL for the
 * therapist panel), through libqrencode.
 *
 * The code is a square of width x width modules, row-major, 1 = dark,
 * without the quiet zone (the drawer leaves 4 light modules around it).
 * Error correction level M (15 % of the code may be damaged or covered).
 *
 * Thread: any (libqrencode is reentrant when built with pthreads, as
 * Debian's is); no shared state here.
 */
#ifndef GC_QR_H
#define GC_QR_H

#include <stddef.h>
#include <stdint.h>

#include "gc_error.h"

#define QR_MAX_WIDTH 57 /* version 10: ~170 bytes at level M, far more than a URL needs */

struct qr_code {
    int width; /* modules per side, 21 (version 1) .. QR_MAX_WIDTH */
    uint8_t dark[QR_MAX_WIDTH * QR_MAX_WIDTH];
};

/* GC_OK, or GC_ERR_ARG (empty, too long for QR_MAX_WIDTH) / GC_ERR_NOMEM
 * with one sentence in diag. */
int qr_encode(const char *text, struct qr_code *out, struct gc_diag *diag);

#endif
