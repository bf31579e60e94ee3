/*
 * datadir.h - where the station keeps patient data, and how it writes it.
 *
 * One policy for every command (docs/sessions.md, "The data folder"):
 *
 *   data folder   $XDG_DATA_HOME/gaitcue (absolute XDG_DATA_HOME only),
 *                 else $HOME/.local/share/gaitcue
 *     gaitcue.db      the store (store.h), with -wal / -shm beside it
 *     recordings/     raw recordings (*.gcrec)
 *     calibration/    calibration files (calstore.h)
 *     protocols/      the clinic's own protocol files
 *     backups/        where `station backup` is told to write, by convention
 *   runtime folder $XDG_RUNTIME_DIR/gaitcue, else /tmp/gaitcue-UID
 *
 *   folders        every folder the station creates is 0700, whatever the
 *                  umask (mkdir, then chmod); folders of the data folder
 *                  found looser are tightened when we own them
 *   files          every file holding patient data is 0600, whatever the
 *                  umask (fchmod after creation)
 *   outputs        written to a temporary file in the target's folder,
 *                  fsync'd, renamed over the target, then the folder is
 *                  fsync'd: a crash leaves the old file or the new one,
 *                  never half of one
 *   never over     an output is refused (one sentence, nothing written)
 *                  when it names the store or its -wal/-shm/-journal file,
 *                  any SQLite database, a recording, a directory, or one of
 *                  the command's own inputs: the same device and inode
 *                  when it exists, else the same path after realpath of
 *                  its folder
 *
 * Thread: any; nothing here keeps state between calls except a struct
 * datadir_out, which belongs to one thread.  Errors: enum gc_err; the
 * functions that take msg put one sentence there (what to do).
 */
#ifndef GC_DATADIR_H
#define GC_DATADIR_H

#include "gc_error.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Names inside the data folder. */
#define DATADIR_STORE_NAME      "gaitcue.db"
#define DATADIR_RECORDINGS_NAME "recordings"
#define DATADIR_BACKUPS_NAME    "backups"
/* Mode of everything that holds patient data. */
#define DATADIR_DIR_MODE  0700
#define DATADIR_FILE_MODE 0600

/* The data folder into buf.  GC_ERR_NOT_FOUND when neither an absolute
 * XDG_DATA_HOME nor HOME is set, GC_ERR_ARG when it does not fit. */
GC_MUST_CHECK int datadir_root(char *buf, size_t cap);
/* root/name (name may hold a '/'), same errors. */
GC_MUST_CHECK int datadir_path(const char *name, char *buf, size_t cap);
/* The runtime folder (control socket): $XDG_RUNTIME_DIR/gaitcue (absolute
 * only), else /tmp/gaitcue-UID. */
GC_MUST_CHECK int datadir_runtime(char *buf, size_t cap);

/* mkdir -p dir.  Folders it creates are DATADIR_DIR_MODE whatever the
 * umask; existing folders are left as they are.  GC_ERR_PERM / GC_ERR_IO
 * (errno kept). */
GC_MUST_CHECK int datadir_mkdirs(const char *dir);
/* datadir_mkdirs of the folder that holds path. */
GC_MUST_CHECK int datadir_mkdirs_for(const char *path);
/* Like datadir_mkdirs, and then make dir itself 0700 if it is ours and
 * looser (for the data folder and its subfolders, never a user's folder). */
GC_MUST_CHECK int datadir_private_dir(const char *dir);
/* Make an existing file of ours exactly DATADIR_FILE_MODE (a looser file is
 * tightened, a read-only one, e.g. an SQLite -shm left 0400, is made
 * writable again).  GC_OK when it does not exist or already is 0600;
 * GC_ERR_PERM when it is not ours, not 0600 and not usable; diag says what
 * to run (a warning, gc_warn, when usable but readable by others). */
GC_MUST_CHECK int datadir_private_file(const char *path, struct gc_diag *diag);

/* Do a and b name the same file?  Same device and inode when both exist,
 * else the same absolute path after realpath of the existing folder. */
bool datadir_same_file(const char *a, const char *b);

/* What an output must never replace.  Unused pointers NULL. */
#define DATADIR_MAX_INPUTS 8
struct datadir_guard {
    const char *store;                     /* the store in use (NULL = default path) */
    const char *inputs[DATADIR_MAX_INPUTS]; /* the command's inputs and other outputs */
};

/* Refuse an output path: GC_OK when it may be written, else GC_ERR_ARG
 * with one sentence in diag.  g may be NULL (the default store is still
 * protected, as are databases and recordings by their contents). */
GC_MUST_CHECK int datadir_check_output(const char *path, const struct datadir_guard *g,
                                       struct gc_diag *diag);

/* Refuse an output whose name ends in the extension of another kind of
 * output (.pdf, .csv, .json, .png, .db, .gcrec; any case) than the one it
 * will hold (ext, e.g. ".json"): `--json report.pdf` would replace a
 * report with JSON.  GC_OK otherwise (any other or no extension), else
 * GC_ERR_ARG with one sentence in diag naming option (e.g. "--json"). */
GC_MUST_CHECK int datadir_check_output_kind(const char *path, const char *option, const char *ext,
                                            struct gc_diag *diag);

/* The folder path will be written into exists (an output the user named
 * goes into a folder that exists: a typo is refused, not created).  GC_OK,
 * or GC_ERR_NOT_FOUND with one sentence in diag. */
GC_MUST_CHECK int datadir_check_output_folder(const char *path, struct gc_diag *diag);

/* ---- atomic output ------------------------------------------------- */

enum datadir_out_kind {
    /* hidden temporary ".NAME.XXXXXX" beside the target, removed on abort */
    DATADIR_OUT_TEMP = 0,
    /* visible "NAME.partial", created exclusively: for a file written as it
     * happens (live --steps); a crash leaves NAME.partial with everything
     * flushed so far, and NAME is only ever complete */
    DATADIR_OUT_PARTIAL,
};

struct datadir_out;

/* Check path (datadir_check_output) and open the temporary file 0600 in
 * its folder, which must exist (GC_ERR_NOT_FOUND with a sentence if not:
 * a mistyped folder is refused, not created).  *out NULL on failure; the
 * sentence in diag. */
GC_MUST_CHECK int datadir_out_open(const char *path, enum datadir_out_kind kind,
                                   const struct datadir_guard *g, struct datadir_out **out,
                                   struct gc_diag *diag);
FILE *datadir_out_file(struct datadir_out *o);
/* The temporary file's path (the .partial name for DATADIR_OUT_PARTIAL). */
const char *datadir_out_temp_path(const struct datadir_out *o);
/* Flush to the kernel and to disk (fdatasync): everything written so far
 * survives a kill -9 or a power cut in the temporary file. */
GC_MUST_CHECK int datadir_out_sync(struct datadir_out *o);
/* fflush, fsync, close, rename over the target, fsync the folder, free.
 * On failure the temporary file is removed (a .partial one is kept) and
 * diag says why.  o may be NULL (GC_ERR_ARG). */
GC_MUST_CHECK int datadir_out_commit(struct datadir_out *o, struct gc_diag *diag);
/* Close and remove the temporary file (a .partial one is kept: it holds
 * data of a session that ended badly), free. */
void datadir_out_abort(struct datadir_out *o);

/* Close and remove the temporary file whatever its kind (nothing was
 * written yet that anyone needs), free.  o may be NULL. */
void datadir_out_discard(struct datadir_out *o);

/* Write len bytes to path atomically (datadir_out_open + commit). */
GC_MUST_CHECK int datadir_write_file(const char *path, const void *data, size_t len,
                                     const struct datadir_guard *g, struct gc_diag *diag);

#endif
