/*
 * store_sql.c - the store's SQL helpers: SQLite result codes to gc_err
 * (said once, with what to do for a damaged file), statements, binding
 * and reading columns.
 */
#define LOG_PREFIX "store"
#include "store_sql.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "datadir.h"
#include "usertext.h"

const char *store_errmsg(struct store *st)
{
    return st && st->db ? sqlite3_errmsg(st->db) : "no database";
}

/* The one sentence for a damaged database: where the backups are and
 * what to do with one. */
void sq_log_corrupt(const char *path)
{
    char backups[PATH_MAX];
    if (datadir_path(DATADIR_BACKUPS_NAME, backups, sizeof backups) != GC_OK)
        snprintf(backups, sizeof backups, "the folder you gave 'station backup'");
    LOG_ERR("the database %s is damaged; nothing more was written to it. Restore it from your "
            "newest backup (made by 'station backup', kept by convention in %s/): with no "
            "station running, move %s (and its -wal, -shm files) aside and copy the backup to "
            "%s.",
            path, backups, path, path);
}

int sq_err(struct store *st, int rc, const char *what)
{
    if (rc == SQLITE_CONSTRAINT)
        return GC_ERR_BUSY;
    if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB) {
        LOG_ERR("%s: %s", what, sqlite3_errmsg(st->db));
        sq_log_corrupt(st->path);
        return GC_ERR_FORMAT;
    }
    /* a writer retrying on a full disk fails the same way every 250 ms:
     * say it once, and again only when the failure changes */
    if (rc != st->last_logged_rc)
        LOG_ERR("%s: %s", what, sqlite3_errmsg(st->db));
    st->last_logged_rc = rc;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        return GC_ERR_BUSY;
    if (rc == SQLITE_READONLY || rc == SQLITE_PERM || rc == SQLITE_CANTOPEN)
        return GC_ERR_PERM;
    if (rc == SQLITE_NOMEM)
        return GC_ERR_NOMEM;
    return GC_ERR_IO;
}

int sq_exec(struct store *st, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        if (rc != st->last_logged_rc)
            LOG_ERR("%s", msg ? msg : sqlite3_errstr(rc));
        st->last_logged_rc = rc;
        sqlite3_free(msg);
        if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB) {
            sq_log_corrupt(st->path);
            return GC_ERR_FORMAT;
        }
        if ((rc & 0xff) == SQLITE_READONLY || (rc & 0xff) == SQLITE_CANTOPEN ||
            (rc & 0xff) == SQLITE_PERM)
            return GC_ERR_PERM;
        return rc == SQLITE_BUSY ? GC_ERR_BUSY : GC_ERR_IO;
    }
    return GC_OK;
}

int sq_prepare(struct store *st, const char *sql, sqlite3_stmt **s)
{
    int rc = sqlite3_prepare_v2(st->db, sql, -1, s, NULL);
    if (rc != SQLITE_OK)
        return sq_err(st, rc, "prepare");
    return GC_OK;
}

void sq_bind_real(sqlite3_stmt *s, int i, double v)
{
    if (isfinite(v))
        sqlite3_bind_double(s, i, v);
    else
        sqlite3_bind_null(s, i);
}

void sq_bind_text(sqlite3_stmt *s, int i, const char *t)
{
    sqlite3_bind_text(s, i, t ? t : "", -1, SQLITE_TRANSIENT);
}

double sq_col_real(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

void sq_bind_count(sqlite3_stmt *s, int i, int64_t v)
{
    if (v < 0)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_int64(s, i, v);
}

int64_t sq_col_count(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, i);
}

void sq_col_text(sqlite3_stmt *s, int i, char *dst, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

/* Text people typed (names, notes): whatever an older station stored, no
 * control character leaves the store (terminal escapes, PDF). */
void sq_col_user_text(sqlite3_stmt *s, int i, char *dst, size_t cap)
{
    sq_col_text(s, i, dst, cap);
    usertext_clean(dst);
}

/* Run a statement that returns no rows, then finalize it. */
int sq_step_done(struct store *st, sqlite3_stmt *s, const char *what)
{
    int rc = sqlite3_step(s);
    int ret = rc == SQLITE_DONE ? GC_OK : sq_err(st, rc, what);
    sqlite3_finalize(s);
    return ret;
}

int sq_user_version(struct store *st, int *v)
{
    sqlite3_stmt *s;
    int rc = sq_prepare(st, "PRAGMA user_version", &s);
    if (rc)
        return rc;
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        rc = sq_err(st, rc, "reading the schema version");
        sqlite3_finalize(s);
        return rc;
    }
    *v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return GC_OK;
}
/* Grow *buf by one element of size sz; returns the new element or NULL. */
void *sq_grow(void **buf, size_t *n, size_t *cap, size_t sz)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        void *p = realloc(*buf, nc * sz);
        if (!p)
            return NULL;
        *buf = p;
        *cap = nc;
    }
    return (char *)*buf + (*n)++ * sz;
}

