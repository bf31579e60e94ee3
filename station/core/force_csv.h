/*
 * force_csv.h - reader of the canonical force CSV (DESIGN.md section 5).
 *
 *   # mass_kg=76.8          optional key=value lines, before the header
 *   # rate_hz=1000
 *   t_s,fz_n,copx_m,copy_m  header: t_s and fz_n required, or fz1_n..fz4_n
 *   0.000,12.5,,            (summed) instead of fz_n; copx_m, copy_m
 *   ...                     optional (empty or nan = unknown); other
 *                           columns ignored
 *
 * Streaming: memory does not grow with the file (an hour at 1 kHz is read
 * block by block).  Every problem is reported as one sentence naming the
 * file, line and column ("walk.csv:12: column 'fz_n' (field 2): 'abc' is
 * not a number"), never a silently wrong answer:
 *   - missing t_s / fz_n (or an incomplete fz1_n..fz4_n set), duplicate
 *     columns, a line with too few fields;
 *   - a field that is not a number (text, NaN, inf) in t_s or a force;
 *   - time not strictly increasing; sample rate not uniform (a step more
 *     than FORCE_CSV_RATE_TOL off the nominal period, which is rate_hz
 *     from the comments or else the first step); rate_hz disagreeing with
 *     the time column;
 *   - forces that cannot be newtons: over the whole file |force| never
 *     reaches FORCE_CSV_MIN_PEAK_N (values in body weights or kN), the
 *     force is never positive above it (sign inverted), or one value's
 *     magnitude is above FORCE_CSV_MAX_N (line named); a COP beyond
 *     FORCE_CSV_MAX_COP_M.
 * A UTF-8 byte order mark at the start of the file is accepted (before a
 * '# key=value' line or the header).
 *
 * Parsing of a stream it is handed (no paths, no device I/O): part of the
 * pure core so tests and tools link it alone.  Opening a path ("-" for
 * standard input) is force_csv_open in station/edge/force_csv_file.h.
 *
 * Errors: the fallible calls return a gc_err code (GC_ERR_FORMAT for the
 * file's problems above, GC_ERR_IO a read error, GC_ERR_NOMEM, GC_ERR_ARG)
 * and take a `struct gc_diag *diag` last (gc_error.h; NULL when only the
 * code is wanted), where they keep the same code and the sentence;
 * force_csv_read's counts leave diag cleared (GC_OK, "").  Nothing is
 * logged.  Thread: one reader per thread.
 */
#ifndef GC_FORCE_CSV_H
#define GC_FORCE_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "gait.h"
#include "gc_error.h"

#define FORCE_CSV_RATE_TOL   0.05 /* relative period tolerance */
#define FORCE_CSV_MIN_PEAK_N 10.0 /* a body on a deck weighs more */
/* Above this a value is not a force on a treadmill deck (about 5 tonnes;
 * a runner lands with at most ~5 body weights, some 6 kN). */
#define FORCE_CSV_MAX_N      50000.0
/* COP may be in a lab frame whose origin is metres from the deck (the
 * Fukuchi data: copy_m ~13.5 m); beyond 1 km it is not metres. */
#define FORCE_CSV_MAX_COP_M  1000.0

struct force_csv_info {
    double rate_hz;   /* from rate_hz= or the time column; 0 until known */
    double mass_kg;   /* from mass_kg=, 0 if absent */
    char source[128]; /* from source=, "" if absent */
    bool has_cop;     /* copx_m column present */
    bool has_cells;   /* force from fz1_n..fz4_n */
};

struct force_csv;

/* Read the comments and header from an open stream; name is used in
 * messages.  The stream stays the caller's (force_csv_close leaves it
 * open) unless a closer is set.  *out is allocated (force_csv_close).
 * Returns GC_OK, or a negative gc_err with the sentence in diag (*out
 * NULL). */
int force_csv_open_stream(FILE *fp, const char *name, struct force_csv **out, struct gc_diag *diag);

/* Hand the stream to the reader: force_csv_close calls fn(fp) (e.g. fclose
 * from the edge that opened it).  NULL: the caller keeps the stream. */
typedef int (*force_csv_close_fn)(FILE *fp);
void force_csv_set_closer(struct force_csv *r, force_csv_close_fn fn);

const struct force_csv_info *force_csv_info(const struct force_csv *r);

/* Read up to cap samples.  Returns how many (> 0), 0 at the end of the
 * data (after the end-of-file checks passed), or GC_ERR_FORMAT / GC_ERR_IO
 * with the sentence in diag.  Never allocates. */
int force_csv_read(struct force_csv *r, struct gait_sample *out, size_t cap, struct gc_diag *diag);

/* Bytes consumed so far (progress). */
long long force_csv_bytes(const struct force_csv *r);

void force_csv_close(struct force_csv *r);

/* Fast decimal parser used by the reader (exposed for tests): parses
 * [+-]digits[.digits][e[+-]digits] from s[0..len-1], exactly len chars.
 * Returns 0 and *v, or -1 if the text is not a finite number. */
int force_csv_parse_double(const char *s, size_t len, double *v);

#endif
