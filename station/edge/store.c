/*
 * store.c - opening the store: its file (header check, owner-only modes,
 * WAL), transactions, integrity check and online backup.
 */
#define LOG_PREFIX "store"
#include "store_sql.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "datadir.h"
#include "gc_error.h"
#include "log.h"
#include "usertext.h"

/* ---- opening ------------------------------------------------------- */

int store_default_path(char *buf, size_t cap)
{
    return datadir_path(DATADIR_STORE_NAME, buf, cap);
}

/* The folder of the database: the data folder itself is made (private,
 * 0700).  A folder the user chose with --db must exist: a mistyped path
 * would otherwise start a second, empty patient list in a new folder
 * (GC_ERR_NOT_FOUND, said to the user). */
static int make_parent_dirs(const char *path)
{
    char def[PATH_MAX], root[PATH_MAX];
    if (store_default_path(def, sizeof def) == GC_OK && !strcmp(def, path) &&
        datadir_root(root, sizeof root) == GC_OK)
        return datadir_private_dir(root);
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        return GC_OK; /* the current folder */
    if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        LOG_ERR("the folder %s does not exist: create it first, or check the --db path.", dir);
        return GC_ERR_NOT_FOUND;
    }
    return GC_OK;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Look at an existing file's header without SQLite (which might write a
 * journal or -shm file): is it ours, and how new is it? */
static int check_header(const char *path, bool *exists)
{
    *exists = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return GC_OK;
        LOG_ERR("cannot open the database %s: %s; check the path and its permissions.", path,
                strerror(errno));
        return errno == EACCES ? GC_ERR_PERM : GC_ERR_IO;
    }
    *exists = true;
    unsigned char h[100];
    ssize_t n = read(fd, h, sizeof h);
    close(fd);
    if (n == 0)
        return GC_OK; /* empty file: SQLite makes it a database */
    if (n < (ssize_t)sizeof h || memcmp(h, "SQLite format 3", 16) != 0) {
        LOG_ERR("%s is not a gaitcue database (not SQLite); give another --db path.", path);
        return GC_ERR_FORMAT;
    }
    uint32_t version = be32(h + 60), app = be32(h + 68);
    if (app != STORE_APP_ID && !(app == 0 && version == 0)) {
        LOG_ERR("%s is an SQLite file of another program, not a gaitcue database; give another "
                "--db path.",
                path);
        return GC_ERR_FORMAT;
    }
    if (version > STORE_SCHEMA_VERSION) {
        LOG_ERR("%s was written by a newer gaitcue (schema %u; this station knows up to %d): "
                "update gaitcue to open it. The database was not changed.",
                path, version, STORE_SCHEMA_VERSION);
        return GC_ERR_VERSION;
    }
    return GC_OK;
}

/* Patient data: the owner only, and writable by the owner.  Fix a file
 * someone loosened, and a side file (-shm, -wal) left read-only by a time
 * the database was read-only: SQLite cannot use a 0400 -shm and every
 * later open fails until it is fixed. */
static int tighten(const char *path)
{
    struct gc_diag d;
    int rc = datadir_private_file(path, &d);
    if (rc)
        LOG_ERR("%s", d.msg);
    else if (gc_diag_is_warning(&d))
        LOG_WARN("%s", d.msg);
    return rc;
}

/* The database itself: take away what others may do, but never make a
 * file the owner set read-only writable behind their back. */
static int tighten_main(const char *db)
{
    struct stat sb;
    if (stat(db, &sb) != 0)
        return GC_OK;
    if ((sb.st_mode & 077) && sb.st_uid == getuid()) {
        LOG_WARN("%s was open to other users; making it owner-only.", db);
        if (chmod(db, sb.st_mode & 0700) != 0)
            LOG_WARN("cannot chmod %s: %s", db, strerror(errno));
    }
    if (access(db, R_OK | W_OK) != 0) {
        LOG_ERR("the database %s is not writable (mode %04o); run 'chmod 600 %s' as its owner "
                "while no station runs, or give another --db.",
                db, (unsigned)(sb.st_mode & 07777), db);
        return GC_ERR_PERM;
    }
    return GC_OK;
}

static int tighten_sides(const char *db)
{
    static const char *const sides[] = {"-wal", "-shm", "-journal"};
    char p[PATH_MAX + 16];
    for (size_t i = 0; i < sizeof sides / sizeof sides[0]; i++) {
        snprintf(p, sizeof p, "%s%s", db, sides[i]);
        int rc = tighten(p);
        if (rc)
            return rc;
    }
    return GC_OK;
}


int store_open_at(const char *path, int max_version, struct store **out)
{
    *out = NULL;
    if (max_version < 1 || max_version > STORE_SCHEMA_VERSION)
        return GC_ERR_ARG;
    struct store *st = calloc(1, sizeof *st);
    if (!st)
        return GC_ERR_NOMEM;
    int rc;
    if (path && path[0])
        snprintf(st->path, sizeof st->path, "%s", path);
    else if ((rc = store_default_path(st->path, sizeof st->path)) != GC_OK) {
        LOG_ERR("no place for the database: set HOME or XDG_DATA_HOME, or give --db PATH.");
        free(st);
        return rc;
    }
    bool exists;
    rc = check_header(st->path, &exists);
    if (rc) {
        free(st);
        return rc;
    }
    if (!exists) {
        rc = make_parent_dirs(st->path);
        if (rc) {
            if (rc != GC_ERR_NOT_FOUND)
                LOG_ERR("cannot create the directory for %s: %s; give --db a writable path.",
                        st->path, strerror(errno));
            free(st);
            return rc;
        }
        /* create it 0600 ourselves: SQLite would use 0644 & ~umask */
        int fd = open(st->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, DATADIR_FILE_MODE);
        if (fd < 0 && errno != EEXIST) {
            int e = errno;
            LOG_ERR("cannot create the database %s: %s; give --db a writable path.", st->path,
                    strerror(e));
            free(st);
            return e == EACCES ? GC_ERR_PERM : GC_ERR_IO;
        }
        if (fd >= 0) {
            /* the umask may have taken the owner's write bit */
            if (fchmod(fd, DATADIR_FILE_MODE) != 0)
                LOG_WARN("cannot chmod %s: %s", st->path, strerror(errno));
            close(fd);
        }
    }
    rc = tighten_main(st->path);
    if (rc == GC_OK)
        rc = tighten_sides(st->path);
    if (rc) {
        free(st);
        return rc;
    }
    rc = sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        LOG_ERR("cannot open the database %s: %s", st->path,
                st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
        sqlite3_close(st->db);
        free(st);
        return GC_ERR_IO;
    }
    sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
    int v = 0;
    rc = sq_user_version(st, &v);
    if (rc == GC_OK && v > STORE_SCHEMA_VERSION) {
        LOG_ERR("%s was written by a newer gaitcue (schema %d; this station knows up to %d): "
                "update gaitcue to open it. The database was not changed.",
                st->path, v, STORE_SCHEMA_VERSION);
        rc = GC_ERR_VERSION;
    }
    if (rc == GC_OK) {
        /* WAL: readers do not block the recorder; FULL: a commit is on
         * disk when it returns, so a power cut loses at most one batch */
        rc = sq_exec(st, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                      "PRAGMA foreign_keys = ON;");
    }
    if (rc == GC_OK)
        rc = sq_migrate(st, max_version);
    if (rc) {
        store_close(st);
        return rc;
    }
    /* SQLite made -wal and -shm with the database's mode & ~umask */
    tighten_main(st->path);
    tighten_sides(st->path);
    *out = st;
    return GC_OK;
}

int store_open(const char *path, struct store **out)
{
    return store_open_at(path, STORE_SCHEMA_VERSION, out);
}

void store_close(struct store *st)
{
    if (!st)
        return;
    sqlite3_finalize(st->ins_step);
    sqlite3_close(st->db);
    free(st);
}

const char *store_path(const struct store *st)
{
    return st->path;
}

int store_schema_version(struct store *st)
{
    int v = -1;
    int rc = sq_user_version(st, &v);
    return rc ? rc : v;
}

int store_begin(struct store *st)
{
    return sq_exec(st, "BEGIN IMMEDIATE");
}

int store_commit(struct store *st)
{
    int rc = sq_exec(st, "COMMIT");
    if (rc == GC_OK)
        st->last_logged_rc = SQLITE_OK; /* a failure after a success is news */
    return rc;
}

int store_rollback(struct store *st)
{
    /* SQLite may have rolled back already (a full disk, an I/O error) */
    if (sqlite3_get_autocommit(st->db))
        return GC_OK;
    return sq_exec(st, "ROLLBACK");
}

int store_check(struct store *st)
{
    sqlite3_stmt *s;
    int rc = sq_prepare(st, "PRAGMA quick_check(1)", &s);
    if (rc)
        return rc;
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        rc = sq_err(st, rc, "checking the database");
        sqlite3_finalize(s);
        return rc;
    }
    const unsigned char *t = sqlite3_column_text(s, 0);
    bool ok = t && !strcmp((const char *)t, "ok");
    if (!ok) {
        LOG_ERR("checking the database: %s", t ? (const char *)t : "no answer");
        sq_log_corrupt(st->path);
    }
    sqlite3_finalize(s);
    return ok ? GC_OK : GC_ERR_FORMAT;
}

/* Pages copied per sqlite3_backup_step: small steps let the recorder
 * commit between them (it waits at most STORE_BUSY_MS for a lock). */
#define STORE_BACKUP_PAGES 256

int store_backup(struct store *st, const char *out_path, struct gc_diag *diag)
{
    struct datadir_guard g = {.store = st->path};
    int rc = datadir_check_output(out_path, &g, diag);
    if (rc)
        return rc;
    /* copy into a private temporary file beside the target, then rename:
     * a half backup never has the backup's name */
    struct datadir_out *o;
    rc = datadir_out_open(out_path, DATADIR_OUT_TEMP, &g, &o, diag);
    if (rc)
        return rc;
    char tmp[PATH_MAX + 256];
    snprintf(tmp, sizeof tmp, "%s", datadir_out_temp_path(o));
    sqlite3 *dst = NULL;
    int src = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    sqlite3_backup *b = src == SQLITE_OK ? sqlite3_backup_init(dst, "main", st->db, "main") : NULL;
    if (!b) {
        gc_fail(diag, GC_ERR_IO, "cannot start the backup into %s: %s; choose a writable path.",
                out_path, dst ? sqlite3_errmsg(dst) : sqlite3_errstr(src));
        sqlite3_close(dst);
        datadir_out_abort(o);
        return GC_ERR_IO;
    }
    do {
        src = sqlite3_backup_step(b, STORE_BACKUP_PAGES);
        if (src == SQLITE_BUSY || src == SQLITE_LOCKED)
            sqlite3_sleep(20);
    } while (src == SQLITE_OK || src == SQLITE_BUSY || src == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    int frc = src == SQLITE_DONE ? sqlite3_errcode(dst) : src;
    /* the copy is a complete database file in rollback-journal mode: a
     * single file the clinic can move anywhere */
    if (frc == SQLITE_OK)
        frc = sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
    sqlite3_close(dst);
    if (frc != SQLITE_OK) {
        int code = frc == SQLITE_FULL ? GC_ERR_IO : GC_ERR_FORMAT;
        if ((frc & 0xff) == SQLITE_CORRUPT || (frc & 0xff) == SQLITE_NOTADB)
            gc_fail(diag, code,
                    "the database %s is damaged, so it cannot be backed up; restore it from an "
                    "earlier backup.",
                    st->path);
        else
            gc_fail(diag, code, "the backup into %s failed: %s; check the disk and try again.",
                    out_path, sqlite3_errstr(frc));
        datadir_out_abort(o);
        return code;
    }
    return datadir_out_commit(o, diag);
}

