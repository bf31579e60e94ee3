/*
 * display_qr.c - the QR code on the therapist panel (see display_qr.h).
 */
#include "display_qr.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "qr.h"

#define QR_QUIET 4 /* light modules around the code (ISO/IEC 18004) */

static struct {
    char text[256];
    struct qr_code code;
    int rc;
} last; /* main thread only */

int display_qr_draw(struct display *d, const char *text, float x, float y, float size)
{
    if (strcmp(last.text, text) != 0 || !last.text[0]) {
        snprintf(last.text, sizeof last.text, "%s", text);
        last.rc = qr_encode(text, &last.code, NULL);
    }
    if (last.rc != GC_OK)
        return last.rc;
    int n = last.code.width + 2 * QR_QUIET;
    /* whole pixels per module: a scanner needs sharp, equal modules */
    float mod = floorf(size / (float)n);
    if (mod < 1)
        mod = 1;
    float side = mod * (float)n;
    float ox = floorf(x + (size - side) / 2), oy = floorf(y + (size - side) / 2);
    dd_fill_rect(d, ox, oy, side, side, (struct rgb){0xff, 0xff, 0xff}, 255);
    for (int r = 0; r < last.code.width; r++) {
        /* one rectangle per run of dark modules in a row */
        int c = 0;
        while (c < last.code.width) {
            if (!last.code.dark[r * last.code.width + c]) {
                c++;
                continue;
            }
            int c0 = c;
            while (c < last.code.width && last.code.dark[r * last.code.width + c])
                c++;
            dd_fill_rect(d, ox + (float)(QR_QUIET + c0) * mod, oy + (float)(QR_QUIET + r) * mod,
                         (float)(c - c0) * mod, mod, C_BG, 255);
        }
    }
    return GC_OK;
}
