/*
 * store_sql.h - what the store's files share (internal to
 * station/edge/store*.c; not a public interface): the connection struct
 * and the SQL helpers.
 *
 * Errors: the helpers turn SQLite's result codes into gc_err codes and log
 * the reason once (a failure repeated by a retrying writer is not logged
 * again); a damaged file is said with where the backups are.
 * Thread: the store's (store.h): one thread at a time per connection.
 */
#ifndef GC_STORE_SQL_H
#define GC_STORE_SQL_H

#include <limits.h>
#include <sqlite3.h>
#include <stddef.h>

#include "gc_error.h"
#include "store.h"

/* PRAGMA application_id of a gaitcue database: "gcue" in ASCII. */
#define STORE_APP_ID 0x67637565
/* How long a writer waits for another connection's write lock, ms.  The
 * recorder commits small batches, so a report reader never waits long. */
#define STORE_BUSY_MS 5000

struct store {
    sqlite3 *db;
    sqlite3_stmt *ins_step; /* hot path: kept prepared */
    char path[PATH_MAX];
    int last_logged_rc; /* the same failure again (a retried commit) is not logged again */
};

/* SQLite result rc of `what` -> gc_err, logged once. */
int sq_err(struct store *st, int rc, const char *what);
/* Run SQL without rows. */
int sq_exec(struct store *st, const char *sql);
int sq_prepare(struct store *st, const char *sql, sqlite3_stmt **s);
/* Step a statement that returns no rows, then finalize it. */
int sq_step_done(struct store *st, sqlite3_stmt *s, const char *what);
int sq_user_version(struct store *st, int *v);
/* The one sentence for a damaged database: where the backups are. */
void sq_log_corrupt(const char *path);

/* NAN and infinities are stored as NULL, and read back as NAN. */
void sq_bind_real(sqlite3_stmt *s, int i, double v);
void sq_bind_text(sqlite3_stmt *s, int i, const char *t);
double sq_col_real(sqlite3_stmt *s, int i);
/* A count or optional number: negative is stored as NULL, NULL read back
 * as -1. */
void sq_bind_count(sqlite3_stmt *s, int i, int64_t v);
int64_t sq_col_count(sqlite3_stmt *s, int i);
void sq_col_text(sqlite3_stmt *s, int i, char *dst, size_t cap);
/* Text people typed: control characters replaced (usertext_clean). */
void sq_col_user_text(sqlite3_stmt *s, int i, char *dst, size_t cap);

/* Grow *buf by one element of size sz; the new element, or NULL. */
void *sq_grow(void **buf, size_t *n, size_t *cap, size_t sz);

/* Upgrade the schema to max_version in one transaction (store_schema.c). */
int sq_migrate(struct store *st, int max_version);

#endif
