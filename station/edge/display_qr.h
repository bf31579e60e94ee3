/*
 * display_qr.h - the web console's address as a QR code on the therapist
 * panel (private to station/edge display_*.c).
 *
 * Drawn with the display's primitives, so it takes part in "render only
 * on change" like any other element: dark modules in the background
 * colour on a white square with the 4-module quiet zone readers need.
 * The code of the last text is kept (one entry), so a frame costs the
 * rectangles only.
 *
 * Thread: main thread only (the display's thread; the one-entry cache is
 * that thread's).
 */
#ifndef GC_DISPLAY_QR_H
#define GC_DISPLAY_QR_H

#include "display_draw.h"
#include "gc_error.h"

/* The QR code of text in the square (x, y, size) pixels, quiet zone
 * included, modules on whole pixels (the code is centred in the square).
 * Returns GC_OK, or the encoder's error (nothing drawn). */
int display_qr_draw(struct display *d, const char *text, float x, float y, float size);

#endif
