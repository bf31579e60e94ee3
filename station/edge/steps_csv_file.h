/*
 * steps_csv_file.h - read or check a steps CSV by path: open the file and
 * hand the stream to the core (steps_csv.h).
 *
 * Thread: any.
 */
#ifndef GC_STEPS_CSV_FILE_H
#define GC_STEPS_CSV_FILE_H

#include <stddef.h>

#include "steps_csv.h"

/* steps_csv_read_stream on the file at path.  GC_ERR_NOT_FOUND (with the
 * reason in diag) when it cannot be opened. */
GC_MUST_CHECK int steps_csv_read(const char *path, struct gait_step **steps, size_t *n,
                                 struct gc_diag *diag);

/* steps_csv_import_stream on the file at path (`station sessions import`).
 * GC_ERR_NOT_FOUND when it does not exist, GC_ERR_IO when it cannot be
 * opened otherwise; diag says why. */
GC_MUST_CHECK int steps_csv_import(const char *path, struct session_step **rows, size_t *n,
                                   struct gc_diag *diag);

/* steps_csv_check_stream on the file at path.  GC_ERR_NOT_FOUND when it
 * does not exist, GC_ERR_IO when it cannot be opened otherwise. */
GC_MUST_CHECK int steps_csv_check_file(const char *path, struct gc_diag *diag);

#endif
