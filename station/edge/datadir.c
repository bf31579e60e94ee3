/* datadir.c - the data folder, private modes, guarded atomic outputs (datadir.h). */
#define LOG_PREFIX "datadir"
#include "datadir.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "gc_error.h"
#include "log.h"

/* ---- where ---------------------------------------------------------- */

int datadir_root(char *buf, size_t cap)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    int n;
    /* the XDG spec ignores a relative XDG_DATA_HOME */
    if (xdg && xdg[0] == '/')
        n = snprintf(buf, cap, "%s/gaitcue", xdg);
    else {
        const char *home = getenv("HOME");
        if (!home || !home[0])
            return GC_ERR_NOT_FOUND;
        n = snprintf(buf, cap, "%s/.local/share/gaitcue", home);
    }
    return n < 0 || (size_t)n >= cap ? GC_ERR_ARG : GC_OK;
}

int datadir_path(const char *name, char *buf, size_t cap)
{
    char root[PATH_MAX];
    int rc = datadir_root(root, sizeof root);
    if (rc)
        return rc;
    int n = snprintf(buf, cap, "%s/%s", root, name);
    return n < 0 || (size_t)n >= cap ? GC_ERR_ARG : GC_OK;
}

int datadir_runtime(char *buf, size_t cap)
{
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    int n = xdg && xdg[0] == '/' ? snprintf(buf, cap, "%s/gaitcue", xdg)
                                 : snprintf(buf, cap, "/tmp/gaitcue-%ld", (long)getuid());
    return n < 0 || (size_t)n >= cap ? GC_ERR_ARG : GC_OK;
}

/* ---- folders and modes ---------------------------------------------- */

static int err_of(int e)
{
    return e == EACCES || e == EPERM || e == EROFS ? GC_ERR_PERM : GC_ERR_IO;
}

/* mkdir one folder 0700.  mkdir's mode is masked by the umask (a umask of
 * 0277 would give 0500, unusable), so set it again on what we made. */
static int mkdir_private(const char *dir)
{
    if (mkdir(dir, DATADIR_DIR_MODE) == 0) {
        if (chmod(dir, DATADIR_DIR_MODE) != 0)
            return err_of(errno);
        return GC_OK;
    }
    if (errno != EEXIST)
        return err_of(errno);
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        errno = ENOTDIR;
        return GC_ERR_IO;
    }
    return GC_OK;
}

int datadir_mkdirs(const char *dir)
{
    char tmp[PATH_MAX];
    int n = snprintf(tmp, sizeof tmp, "%s", dir);
    if (n <= 0 || (size_t)n >= sizeof tmp) {
        errno = ENAMETOOLONG;
        return GC_ERR_ARG;
    }
    while (n > 1 && tmp[n - 1] == '/')
        tmp[--n] = '\0';
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir_private(tmp);
        *p = '/';
        if (rc)
            return rc;
    }
    return mkdir_private(tmp);
}

int datadir_mkdirs_for(const char *path)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return GC_OK; /* the current folder */
    if (slash == dir)
        return GC_OK; /* "/" */
    *slash = '\0';
    return datadir_mkdirs(dir);
}

int datadir_private_dir(const char *dir)
{
    int rc = datadir_mkdirs(dir);
    if (rc)
        return rc;
    struct stat sb;
    if (stat(dir, &sb) == 0 && sb.st_uid == getuid() && (sb.st_mode & 077)) {
        LOG_WARN("%s was open to other users; making it owner-only (0700).", dir);
        if (chmod(dir, DATADIR_DIR_MODE) != 0)
            LOG_WARN("cannot chmod %s: %s", dir, strerror(errno));
    }
    return GC_OK;
}

int datadir_private_file(const char *path, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    struct stat sb;
    if (lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return GC_OK;
    mode_t mode = sb.st_mode & 07777;
    if (mode == DATADIR_FILE_MODE)
        return GC_OK;
    if (sb.st_uid == getuid() && chmod(path, DATADIR_FILE_MODE) == 0) {
        LOG_WARN("%s had mode %04o; made it owner read/write only (0600).", path,
                 (unsigned)mode);
        return GC_OK;
    }
    /* not ours: fine as long as we can use it and others cannot read it */
    bool usable = access(path, R_OK | W_OK) == 0;
    if (usable && !(mode & 077))
        return GC_OK;
    /* usable but readable by others: a warning the caller shows */
    if (usable)
        return gc_warn(diag,
                       "%s has mode %04o and belongs to user %ld, so this station cannot fix it; "
                       "as that user (or root) run 'chmod 600 %s' while no station runs.",
                       path, (unsigned)mode, (long)sb.st_uid, path);
    return gc_fail(diag, GC_ERR_PERM,
                   "%s has mode %04o and belongs to user %ld, so this station cannot fix it; as "
                   "that user (or root) run 'chmod 600 %s' while no station runs.",
                   path, (unsigned)mode, (long)sb.st_uid, path);
}

/* ---- same file ------------------------------------------------------ */

/* Absolute, symlink-free form of path: realpath of the file when it
 * exists, else realpath of its folder + its last name. */
static bool canonical(const char *path, char *out, size_t cap)
{
    char buf[PATH_MAX];
    if (realpath(path, buf)) {
        snprintf(out, cap, "%s", buf);
        return true;
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    const char *base = path;
    if (slash) {
        base = path + (slash - dir) + 1;
        if (slash == dir)
            snprintf(dir, sizeof dir, "/");
        else
            *slash = '\0';
    } else {
        snprintf(dir, sizeof dir, ".");
    }
    if (!realpath(dir, buf))
        return false;
    int n = snprintf(out, cap, "%s/%s", strcmp(buf, "/") ? buf : "", base);
    return n > 0 && (size_t)n < cap;
}

bool datadir_same_file(const char *a, const char *b)
{
    if (!a || !b || !a[0] || !b[0])
        return false;
    struct stat sa, sb;
    bool ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
    if (ea && eb)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (ea != eb)
        return false;
    char ca[PATH_MAX], cb[PATH_MAX];
    if (!canonical(a, ca, sizeof ca) || !canonical(b, cb, sizeof cb))
        return !strcmp(a, b);
    return !strcmp(ca, cb);
}

/* ---- guard ---------------------------------------------------------- */

static const char *const store_sides[] = {"", "-wal", "-shm", "-journal"};

/* Is path the store db or one of its side files? */
static bool is_store_file(const char *path, const char *db)
{
    if (!db || !db[0])
        return false;
    char side[PATH_MAX + 16];
    for (size_t i = 0; i < sizeof store_sides / sizeof store_sides[0]; i++) {
        snprintf(side, sizeof side, "%s%s", db, store_sides[i]);
        if (datadir_same_file(path, side))
            return true;
    }
    return false;
}

enum content { CONTENT_OTHER, CONTENT_SQLITE, CONTENT_WAL, CONTENT_RECORDING };

/* What an existing file holds, from its first bytes: never write over a
 * database or a recording whatever it is called. */
static enum content sniff(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return CONTENT_OTHER;
    unsigned char h[16];
    ssize_t n = read(fd, h, sizeof h);
    close(fd);
    if (n >= 16 && !memcmp(h, "SQLite format 3", 16))
        return CONTENT_SQLITE;
    /* WAL header magic, big-endian 0x377f0682 or 0x377f0683 */
    if (n >= 4 && h[0] == 0x37 && h[1] == 0x7f && h[2] == 0x06 && (h[3] & 0xfe) == 0x82)
        return CONTENT_WAL;
    static const unsigned char rec_magic[8] = {'G', 'C', 'R', 'E', 'C', '\r', '\n', 0x1a};
    if (n >= 8 && !memcmp(h, rec_magic, sizeof rec_magic))
        return CONTENT_RECORDING;
    return CONTENT_OTHER;
}

/* NAME-shm / NAME-wal / NAME-journal beside an SQLite file NAME. */
static bool is_side_of_database(const char *path)
{
    size_t n = strlen(path);
    for (size_t i = 1; i < sizeof store_sides / sizeof store_sides[0]; i++) {
        size_t k = strlen(store_sides[i]);
        if (n > k && !strcmp(path + n - k, store_sides[i])) {
            char db[PATH_MAX];
            snprintf(db, sizeof db, "%.*s", (int)(n - k), path);
            if (sniff(db) == CONTENT_SQLITE)
                return true;
        }
    }
    return false;
}

int datadir_check_output(const char *path, const struct datadir_guard *g, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    if (!path || !path[0]) {
        return gc_fail(diag, GC_ERR_ARG, "the output file name is empty; give a file name.");
    }
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        return gc_fail(diag, GC_ERR_ARG, "%s is a folder; give a file name inside it.", path);
    }
    /* An output is written whole into a new file and renamed over the old
     * one: over a device (/dev/full, /dev/stdout), a pipe or a link that
     * would replace the device or the link with a plain file and report
     * success (the attacker trial turned /dev/full into a file as root).
     * Before anything reads it: opening a pipe to look inside would block. */
    if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        return gc_fail(diag, GC_ERR_ARG,
                       "%s is not a regular file (%s); refusing to write over it: give the "
                       "output a file name.",
                       path,
                       S_ISLNK(sb.st_mode)                            ? "a symbolic link"
                       : S_ISFIFO(sb.st_mode)                         ? "a pipe"
                       : S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode) ? "a device"
                                                                      : "a socket");
    }
    char def[PATH_MAX];
    const char *db = g && g->store && g->store[0] ? g->store : NULL;
    if (is_store_file(path, db) ||
        (datadir_path(DATADIR_STORE_NAME, def, sizeof def) == GC_OK && is_store_file(path, def))) {
        return gc_fail(
            diag, GC_ERR_ARG,
            "%s is the session store (or one of its files); refusing to write over it: give "
            "the output another name.",
            path);
    }
    for (size_t i = 0; g && i < DATADIR_MAX_INPUTS; i++)
        if (g->inputs[i] && datadir_same_file(path, g->inputs[i])) {
            return gc_fail(
                diag, GC_ERR_ARG,
                "%s is also an input or another output of this command; refusing to write "
                "over it: give the output another name.",
                path);
        }
    switch (sniff(path)) {
    case CONTENT_SQLITE:
    case CONTENT_WAL:
        return gc_fail(diag, GC_ERR_ARG,
                       "%s is a database; refusing to write over it: give the output another name.",
                       path);
    case CONTENT_RECORDING:
        return gc_fail(
            diag, GC_ERR_ARG,
            "%s is a session recording; refusing to write over it: give the output another "
            "name.",
            path);
    case CONTENT_OTHER:
        break;
    }
    if (is_side_of_database(path)) {
        return gc_fail(
            diag, GC_ERR_ARG,
            "%s belongs to a database beside it; refusing to write over it: give the output "
            "another name.",
            path);
    }
    return GC_OK;
}

int datadir_check_output_kind(const char *path, const char *option, const char *ext,
                              struct gc_diag *diag)
{
    gc_diag_clear(diag);
    static const struct {
        const char *ext, *what;
    } kinds[] = {{".pdf", "a PDF report"},  {".csv", "a CSV table"},
                 {".json", "a JSON file"},  {".png", "a PNG image"},
                 {".db", "a database"},     {".gcrec", "a session recording"}};
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot || strchr(dot, '/') || !strcasecmp(dot, ext))
        return GC_OK;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcasecmp(dot, kinds[i].ext)) {
            return gc_fail(diag, GC_ERR_ARG,
                           "%s %s: the name is that of %s, but %s writes a %s file; give a name "
                           "ending in %s.",
                           option, path, kinds[i].what, option, ext + 1, ext);
        }
    return GC_OK;
}

/* ---- atomic output -------------------------------------------------- */

struct datadir_out {
    FILE *f;
    enum datadir_out_kind kind;
    char final[PATH_MAX];
    char tmp[PATH_MAX + 256]; /* folder + "/." + name (<= 200) + ".XXXXXX" */
};

/* The folder of path ("." for a bare name) into dir. */
static void folder_of(const char *path, char *dir, size_t cap)
{
    snprintf(dir, cap, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, cap, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
}

int datadir_check_output_folder(const char *path, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    char parent[PATH_MAX];
    folder_of(path, parent, sizeof parent);
    struct stat pst;
    if (stat(parent, &pst) != 0 || !S_ISDIR(pst.st_mode)) {
        return gc_fail(diag, GC_ERR_NOT_FOUND,
                       "the folder %s does not exist; create it or choose a writable path.",
                       parent);
    }
    return GC_OK;
}

static int fsync_folder(const char *path)
{
    char dir[PATH_MAX];
    folder_of(path, dir, sizeof dir);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return GC_ERR_IO;
    /* some file systems refuse fsync on a folder (EINVAL): the rename is
     * then as durable as they make it */
    int rc = fsync(fd) == 0 || errno == EINVAL ? GC_OK : GC_ERR_IO;
    close(fd);
    return rc;
}

int datadir_out_open(const char *path, enum datadir_out_kind kind, const struct datadir_guard *g,
                     struct datadir_out **out, struct gc_diag *diag)
{
    *out = NULL;
    int rc = datadir_check_output(path, g, diag);
    if (rc)
        return rc;
    if (strlen(path) >= PATH_MAX) {
        return gc_fail(diag, GC_ERR_ARG, "the output path is too long; give a shorter one.");
    }
    struct datadir_out *o = calloc(1, sizeof *o);
    if (!o)
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory");
    o->kind = kind;
    snprintf(o->final, sizeof o->final, "%s", path);
    /* an output the user named goes into a folder that exists: a typo in
     * the folder is refused, not created (callers writing into the data
     * folder make it first with datadir_mkdirs_for) */
    rc = datadir_check_output_folder(path, diag);
    if (rc != GC_OK) {
        free(o);
        return rc;
    }
    int fd;
    if (kind == DATADIR_OUT_PARTIAL) {
        snprintf(o->tmp, sizeof o->tmp, "%s.partial", path);
        fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, DATADIR_FILE_MODE);
        if (fd < 0 && errno == EEXIST) {
            gc_fail(diag, GC_ERR_BUSY,
                    "%s exists (left by an earlier run that did not end cleanly); move it away "
                    "or delete it, then start again.",
                    o->tmp);
            free(o);
            return GC_ERR_BUSY;
        }
    } else {
        char dir[PATH_MAX];
        folder_of(path, dir, sizeof dir);
        const char *slash = strrchr(path, '/');
        const char *base = slash ? slash + 1 : path;
        snprintf(o->tmp, sizeof o->tmp, "%s/.%.200s.XXXXXX", dir, base);
        fd = mkstemp(o->tmp);
    }
    if (fd < 0) {
        int e = errno;
        free(o);
        return gc_fail(diag, err_of(e), "cannot write %s (%s); choose a writable path.", path,
                       strerror(e));
    }
    /* creation modes are masked by the umask; patient data is 0600 */
    if (fchmod(fd, DATADIR_FILE_MODE) != 0 || !(o->f = fdopen(fd, "wb"))) {
        int e = errno;
        close(fd);
        unlink(o->tmp);
        free(o);
        return gc_fail(diag, err_of(e), "cannot write %s (%s); choose a writable path.", path,
                       strerror(e));
    }
    *out = o;
    return GC_OK;
}

FILE *datadir_out_file(struct datadir_out *o)
{
    return o ? o->f : NULL;
}

const char *datadir_out_temp_path(const struct datadir_out *o)
{
    return o ? o->tmp : "";
}

int datadir_out_sync(struct datadir_out *o)
{
    if (!o || !o->f)
        return GC_ERR_ARG;
    if (fflush(o->f) != 0 || fdatasync(fileno(o->f)) != 0)
        return GC_ERR_IO;
    return GC_OK;
}

int datadir_out_commit(struct datadir_out *o, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    if (!o)
        return gc_fail(diag, GC_ERR_ARG, "no output file is open");
    bool bad = ferror(o->f) != 0;
    if (fflush(o->f) != 0 || fsync(fileno(o->f)) != 0)
        bad = true;
    int e = errno;
    if (fclose(o->f) != 0)
        bad = true;
    o->f = NULL;
    int rc = GC_OK;
    if (bad) {
        rc = gc_fail(
            diag, GC_ERR_IO, "writing %s failed (%s; disk full?); %s", o->final, strerror(e),
            o->kind == DATADIR_OUT_PARTIAL ? "what was written is kept in the .partial file."
                                           : "nothing was written.");
    } else if (rename(o->tmp, o->final) != 0) {
        e = errno;
        rc = gc_fail(diag, err_of(e), "cannot write %s (%s); choose a writable path.", o->final,
                     strerror(e));
    } else if (fsync_folder(o->final) != GC_OK) {
        rc = gc_fail(diag, GC_ERR_IO, "%s was written but its folder could not be synced (%s).",
                     o->final, strerror(errno));
    }
    /* after a successful rename tmp no longer exists; a .partial file
     * that could not become the target keeps what was written */
    if (rc && o->kind == DATADIR_OUT_TEMP)
        unlink(o->tmp);
    free(o);
    return rc;
}

void datadir_out_abort(struct datadir_out *o)
{
    if (!o)
        return;
    if (o->f)
        fclose(o->f);
    if (o->kind == DATADIR_OUT_TEMP)
        unlink(o->tmp);
    free(o);
}

void datadir_out_discard(struct datadir_out *o)
{
    if (!o)
        return;
    if (o->f)
        fclose(o->f);
    unlink(o->tmp);
    free(o);
}

int datadir_write_file(const char *path, const void *data, size_t len,
                       const struct datadir_guard *g, struct gc_diag *diag)
{
    struct datadir_out *o;
    int rc = datadir_out_open(path, DATADIR_OUT_TEMP, g, &o, diag);
    if (rc)
        return rc;
    if (len && fwrite(data, 1, len, o->f) != len) {
        datadir_out_abort(o);
        return gc_fail(diag, GC_ERR_IO, "writing %s failed (disk full?); nothing was written.",
                       path);
    }
    return datadir_out_commit(o, diag);
}
