/*
 * diag_text.h - reading a parse failure's message ("line N: why") in the
 * tests of the text formats (test_plan, test_program).
 *
 * Header only (static functions): each test includes it once.
 */
#ifndef GC_DIAG_TEXT_H
#define GC_DIAG_TEXT_H

#include <stdio.h>
#include <string.h>

#include "gc_error.h"

/* The line a parse failure names ("line N: why"), 0 when none. */
static int diag_line(const struct gc_diag *d)
{
    int line = 0;
    return sscanf(d->msg, "line %d: ", &line) == 1 ? line : 0;
}

/* The failure's reason, after "line N: ". */
static const char *diag_reason(const struct gc_diag *d)
{
    const char *r = d->msg;
    if (diag_line(d) > 0 && strstr(r, ": "))
        r = strstr(r, ": ") + 2;
    return r;
}

#endif
