/*
 * qr.c - QR code through libqrencode (see qr.h).
 */
#include "qr.h"

#include <errno.h>
#include <qrencode.h>
#include <string.h>

int qr_encode(const char *text, struct qr_code *out, struct gc_diag *diag)
{
    memset(out, 0, sizeof *out);
    if (!text || !*text)
        return gc_fail(diag, GC_ERR_ARG, "nothing to put in a QR code");
    /* 8-bit mode: a URL keeps its case (the alphanumeric mode would not) */
    QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (!q)
        return gc_fail(diag, errno == ENOMEM ? GC_ERR_NOMEM : GC_ERR_ARG,
                       "cannot make a QR code of %zu bytes (%s)", strlen(text), strerror(errno));
    if (q->width > QR_MAX_WIDTH) {
        int w = q->width;
        QRcode_free(q);
        return gc_fail(diag, GC_ERR_ARG, "the QR code would be %d modules wide (at most %d)", w,
                       QR_MAX_WIDTH);
    }
    out->width = q->width;
    /* libqrencode: bit 0 of each byte is the module's colour (1 = dark) */
    for (int i = 0; i < q->width * q->width; i++)
        out->dark[i] = q->data[i] & 1u;
    QRcode_free(q);
    return GC_OK;
}
