/*
 * calstore.h - calibration files on disk: read one, write one that never
 * replaces another, and the history of files per sensor.
 *
 * The format and its parser are the pure core's (calfile.h); this is the
 * edge that opens paths and makes folders.  The history lives in the data
 * folder (datadir.h) and follows its policy: folders 0700, files 0600,
 * whatever the umask.
 *
 *   <data folder>/calibration/            calstore_dir()
 *       <serial>/cal-20240502T103107Z.ini  one file per calibration, named
 *       <serial>/cal-20240502T103107Z-02.ini   from cf->created (UTC);
 *                                              "-NN" for the same second
 *
 * Names sort in time order, so the newest file is the greatest name.  A
 * file is written under a temporary name, fsync'd and then hard-linked to
 * its final name: link() refuses to replace, so a calibration is never
 * overwritten and the final name only ever holds a whole file.
 *
 * Errors: GC_OK; GC_ERR_IO / GC_ERR_PERM (open, read, write, folders),
 * GC_ERR_NOT_FOUND (no such file, no file for the serial, no data folder),
 * GC_ERR_NOMEM, and the parser's codes (calfile.h).  Every call takes a
 * `struct gc_diag *diag` last (gc_error.h; NULL when only the code is
 * wanted) and returns the code it stores there; on failure diag->msg is one
 * sentence naming the file or folder and, where the edge knows it, what to
 * do.  calfile_load passes on the parser's warning on success (code GC_OK,
 * msg not empty: a file of another sensor used on the override), which the
 * caller must show.  The writers are GC_MUST_CHECK: a dropped result is a
 * calibration the operator believes saved.  Nothing is logged.
 * Thread: any; no shared state.
 */
#ifndef GC_CALSTORE_H
#define GC_CALSTORE_H

#include <stddef.h>

#include "calfile.h"
#include "gc_error.h"

/* The history's folder inside the data folder. */
#define CALSTORE_DIR_NAME "calibration"

/* The history folder (<data folder>/calibration) into buf, from the data
 * folder's one lookup (datadir_path).  GC_ERR_NOT_FOUND when neither an
 * absolute XDG_DATA_HOME nor HOME is set, GC_ERR_ARG when it does not
 * fit; diag says which. */
GC_MUST_CHECK int calstore_dir(char *buf, size_t cap, struct gc_diag *diag);

/* Read (at most CALFILE_MAX_BYTES) and parse a file (calfile_parse_buffer).
 * diag->msg names the file.  GC_ERR_NOT_FOUND when it does not exist.  On
 * GC_OK diag may hold the parser's warning (see above). */
int calfile_load(const char *path, const char *expected_serial, unsigned flags,
                 struct calfile *out, struct gc_diag *diag);

/* Write cf to path, 0600, refusing to replace an existing file (see above).
 * The folder must exist (an --out FILE names the user's folder: it is not
 * created).  GC_ERR_IO (file exists, folder missing, disk full) or
 * GC_ERR_NOMEM, with the sentence in diag. */
GC_MUST_CHECK int calfile_write_new(const struct calfile *cf, const char *path,
                                    struct gc_diag *diag);

/* Save cf as a new dated file in the history under dir (calstore_dir, or a
 * test's folder): dir and dir/<serial> are created 0700 (tightened to 0700
 * when ours and looser).  The chosen path goes to path_out (may be NULL).
 * GC_ERR_ARG (a serial that cannot name a folder, a path too long),
 * GC_ERR_PERM / GC_ERR_IO (folders, writing), with the sentence in diag. */
GC_MUST_CHECK int calfile_save_new(const char *dir, const struct calfile *cf, char *path_out,
                                   size_t path_cap, struct gc_diag *diag);

/* Path of the newest calibration file of serial in the history under dir.
 * GC_ERR_NOT_FOUND when there is none, GC_ERR_ARG for a serial that cannot
 * name a folder (calfile_serial_is_safe) or a path that does not fit in
 * path_cap; diag says which.  A caller with a fallback (the nominal scale)
 * passes NULL. */
int calfile_find_newest(const char *dir, const char *serial, char *path_out, size_t path_cap,
                        struct gc_diag *diag);

#endif
