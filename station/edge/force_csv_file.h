/*
 * force_csv_file.h - open a canonical force CSV by path and hand the stream
 * to the core's reader (force_csv.h).
 *
 * Thread: one reader per thread (as force_csv.h).
 */
#ifndef GC_FORCE_CSV_FILE_H
#define GC_FORCE_CSV_FILE_H

#include "force_csv.h"
#include "gc_error.h"

/* Open a file ("-" = standard input) and read the comments and header
 * (force_csv_open_stream).  force_csv_close closes the file (not standard
 * input).  Returns GC_OK, or GC_ERR_NOT_FOUND / GC_ERR_PERM / GC_ERR_IO
 * when it cannot be opened ("cannot open walk.csv: No such file or
 * directory"), or the reader's error, with the sentence in diag (last
 * argument, gc_error.h; may be NULL). */
int force_csv_open(const char *path, struct force_csv **out, struct gc_diag *diag);

#endif
