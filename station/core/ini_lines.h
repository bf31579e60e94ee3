/*
 * ini_lines.h - what the protocol (plan.c) and program (program.c) parsers
 * share around libinih: a reader that hands inih one line of a buffer at a
 * time, counting lines and section headers (inih tells its handler neither,
 * and calls it per key, not per section), the first failure with its line,
 * and the check of a printable name.
 *
 * A parser embeds struct ini_lines, calls ini_lines_run with its own
 * handler, and turns the outcome into a gc_diag with ini_lines_result.
 * No I/O.  Thread: any (state is the caller's).
 */
#ifndef GC_INI_LINES_H
#define GC_INI_LINES_H

#include <ini.h>
#include <stdbool.h>
#include <stddef.h>

#include "gc_error.h"

struct ini_lines {
    const char *text; /* the buffer (len bytes, need not end in NUL) */
    size_t len, pos;
    int line;                          /* line last handed to inih, 1-based */
    int section_seq;                   /* number of section headers seen */
    int header_line;                   /* line of the last section header */
    bool failed;                       /* a failure is recorded: the parse stops */
    int fail_line;                     /* its line, 0 when not on one line */
    char reason[GC_DIAG_MSG_MAX - 16]; /* its phrase */
};

/* Start over on text (len bytes). */
void ini_lines_init(struct ini_lines *il, const char *text, size_t len);

/* Record a failure on line (0: not on one line); only the first counts. */
void ini_lines_fail(struct ini_lines *il, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Feed the buffer to inih line by line, calling handler(user, ...) per key;
 * a line longer than inih's buffer fails ("line is longer than ..."), inih's
 * own syntax error fails on its line, inih's allocation failure fails with
 * line 0.  Does nothing when a failure is already recorded. */
void ini_lines_run(struct ini_lines *il, ini_handler handler, void *user);

/* GC_OK (diag cleared), or GC_ERR_FORMAT with "line N: reason" (or the
 * reason alone when not on one line) in diag. */
int ini_lines_result(const struct ini_lines *il, struct gc_diag *diag);

/* Copy v into dst when it is 1 to cap-1 printable characters; else false
 * and dst untouched. */
bool ini_printable_name(char *dst, size_t cap, const char *v);

#endif
