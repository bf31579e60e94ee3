/* store_course.c - programs, symptoms, PROMs, overrides in the store
 * (store_course.h). */
#include "store_course.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_sql.h"

/* Its own connection to the store's file, as a struct store so that
 * store_sql's helpers (sq_prepare, sq_step_done, sq_grow, ...) serve it. */
struct course_store {
    struct store conn;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS course_programs("
    " id INTEGER PRIMARY KEY, patient_id INTEGER NOT NULL REFERENCES patients(id),"
    " name TEXT NOT NULL, text TEXT NOT NULL, start_date TEXT NOT NULL,"
    " started_utc INTEGER NOT NULL, therapist TEXT NOT NULL DEFAULT '',"
    " stopped_utc INTEGER, stop_reason TEXT);"
    "CREATE UNIQUE INDEX IF NOT EXISTS course_one_active ON course_programs(patient_id)"
    " WHERE stopped_utc IS NULL;"
    "CREATE TABLE IF NOT EXISTS course_sessions("
    " session_id INTEGER PRIMARY KEY REFERENCES sessions(id),"
    " program_id INTEGER NOT NULL REFERENCES course_programs(id), step INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS course_symptoms("
    " id INTEGER PRIMARY KEY, patient_id INTEGER NOT NULL REFERENCES patients(id),"
    " utc INTEGER NOT NULL, ref_session_id INTEGER NOT NULL, phase TEXT NOT NULL,"
    " pain INTEGER, site TEXT NOT NULL DEFAULT '', flags INTEGER NOT NULL DEFAULT 0,"
    " note TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE IF NOT EXISTS course_proms("
    " id INTEGER PRIMARY KEY, patient_id INTEGER NOT NULL REFERENCES patients(id),"
    " utc INTEGER NOT NULL, ref_session_id INTEGER NOT NULL, lefs INTEGER, nprs INTEGER);"
    "CREATE TABLE IF NOT EXISTS course_overrides("
    " id INTEGER PRIMARY KEY, program_id INTEGER NOT NULL REFERENCES course_programs(id),"
    " utc INTEGER NOT NULL, ref_session_id INTEGER NOT NULL, to_step INTEGER NOT NULL,"
    " reason TEXT NOT NULL, therapist TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE IF NOT EXISTS course_tests("
    " id INTEGER PRIMARY KEY, patient_id INTEGER NOT NULL REFERENCES patients(id),"
    " utc INTEGER NOT NULL, test TEXT NOT NULL, side TEXT NOT NULL, pass INTEGER NOT NULL,"
    " summary TEXT NOT NULL, json TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS course_audit("
    " id INTEGER PRIMARY KEY, utc INTEGER NOT NULL, patient_id INTEGER NOT NULL,"
    " action TEXT NOT NULL, detail TEXT NOT NULL);";

/* A SQLite failure as a gc_err (store_sql's mapping; logged once there)
 * with the sentence in diag. */
static int fail_sql(struct course_store *cs, struct gc_diag *diag, int rc, const char *what)
{
    int code = cs && cs->conn.db ? sq_err(&cs->conn, rc, what) : GC_ERR_IO;
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        code = GC_ERR_BUSY; /* the one-active-program index */
    return gc_fail(diag, code, "the session store could not %s (%s)", what,
                   cs && cs->conn.db ? sqlite3_errmsg(cs->conn.db) : sqlite3_errstr(rc));
}

int course_store_open(struct store *st, struct course_store **out, struct gc_diag *diag)
{
    *out = NULL;
    struct course_store *cs = calloc(1, sizeof *cs);
    if (!cs)
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory opening the course tables");
    snprintf(cs->conn.path, sizeof cs->conn.path, "%s", store_path(st));
    int rc = sqlite3_open_v2(cs->conn.path, &cs->conn.db, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_busy_timeout(cs->conn.db, STORE_BUSY_MS);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(cs->conn.db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(cs->conn.db, schema, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        int code = fail_sql(cs, diag, rc, "hold the course tables");
        course_store_close(cs);
        return code;
    }
    *out = cs;
    return GC_OK;
}

void course_store_close(struct course_store *cs)
{
    if (!cs)
        return;
    sqlite3_close(cs->conn.db);
    free(cs);
}

/* ---- helpers ---------------------------------------------------------- */

/* sq_prepare with the sentence in diag. */
static int prep(struct course_store *cs, const char *sql, sqlite3_stmt **s, struct gc_diag *diag)
{
    int rc = sq_prepare(&cs->conn, sql, s);
    return rc == GC_OK
               ? GC_OK
               : gc_fail(diag, rc, "the session store could not read the course tables (%s)",
                         sqlite3_errmsg(cs->conn.db));
}

static int int_or(sqlite3_stmt *s, int i, int dflt)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? dflt : sqlite3_column_int(s, i);
}

static void bind_opt_int(sqlite3_stmt *s, int i, int v)
{
    if (v < 0)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_int(s, i, v);
}

/* Run a write statement (sq_step_done: finalized there), the sentence in
 * diag. */
static int run(struct course_store *cs, sqlite3_stmt *s, const char *what, struct gc_diag *diag)
{
    int rc = sq_step_done(&cs->conn, s, what);
    return rc == GC_OK ? GC_OK
                       : gc_fail(diag, rc, "the session store could not %s (%s)", what,
                                 sqlite3_errmsg(cs->conn.db));
}

static int audit(struct course_store *cs, int64_t patient_id, int64_t utc, const char *action,
                 const char *detail, struct gc_diag *diag)
{
    sqlite3_stmt *s;
    int rc = prep(cs, "INSERT INTO course_audit(utc, patient_id, action, detail) VALUES(?,?,?,?)",
                  &s, diag);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, utc);
    sqlite3_bind_int64(s, 2, patient_id);
    sqlite3_bind_text(s, 3, action, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, detail, -1, SQLITE_TRANSIENT);
    return run(cs, s, "write the audit trail", diag);
}

static int begin(struct course_store *cs, struct gc_diag *diag)
{
    int rc = sq_exec(&cs->conn, "BEGIN IMMEDIATE");
    return rc == GC_OK ? GC_OK
                       : gc_fail(diag, rc, "the session store could not begin a change (%s)",
                                 sqlite3_errmsg(cs->conn.db));
}

static int end(struct course_store *cs, int rc, struct gc_diag *diag)
{
    if (rc != GC_OK) {
        sqlite3_exec(cs->conn.db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    int src = sq_exec(&cs->conn, "COMMIT");
    if (src != GC_OK) {
        sqlite3_exec(cs->conn.db, "ROLLBACK", NULL, NULL, NULL);
        return gc_fail(diag, src, "the session store could not save the change (%s)",
                       sqlite3_errmsg(cs->conn.db));
    }
    return GC_OK;
}

int course_store_add_audit(struct course_store *cs, int64_t patient_id, int64_t utc,
                           const char *action, const char *detail, struct gc_diag *diag)
{
    int rc = begin(cs, diag);
    if (rc)
        return rc;
    return end(cs, audit(cs, patient_id, utc, action, detail, diag), diag);
}

/* ---- programs --------------------------------------------------------- */

void course_program_row_free(struct course_program_row *r)
{
    if (r) {
        free(r->text);
        r->text = NULL;
    }
}

void course_program_rows_free(struct course_program_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        course_program_row_free(&rows[i]);
    free(rows);
}

int course_store_program_start(struct course_store *cs, struct course_program_row *r,
                               struct gc_diag *diag)
{
    int rc = begin(cs, diag);
    if (rc)
        return rc;
    sqlite3_stmt *s;
    rc = prep(cs,
              "INSERT INTO course_programs(patient_id, name, text, start_date, started_utc, "
              "therapist) VALUES(?,?,?,?,?,?)",
              &s, diag);
    if (rc == GC_OK) {
        sqlite3_bind_int64(s, 1, r->patient_id);
        sqlite3_bind_text(s, 2, r->name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, r->text ? r->text : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 4, r->start_date, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 5, r->started_utc);
        sqlite3_bind_text(s, 6, r->therapist, -1, SQLITE_TRANSIENT);
        rc = run(cs, s, "start the program", diag);
        if (rc == GC_ERR_BUSY)
            rc = gc_fail(diag, GC_ERR_BUSY, "the patient already has an active program");
    }
    if (rc == GC_OK) {
        r->id = sqlite3_last_insert_rowid(cs->conn.db);
        char d[240];
        snprintf(d, sizeof d, "program %s (#%lld) started, first day %s%s%s", r->name,
                 (long long)r->id, r->start_date, r->therapist[0] ? ", by " : "", r->therapist);
        rc = audit(cs, r->patient_id, r->started_utc, "program-start", d, diag);
    }
    return end(cs, rc, diag);
}

static void read_program(sqlite3_stmt *s, struct course_program_row *r)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(s, 0);
    r->patient_id = sqlite3_column_int64(s, 1);
    sq_col_user_text(s, 2, r->name, sizeof r->name);
    const unsigned char *t = sqlite3_column_text(s, 3);
    r->text = strdup(t ? (const char *)t : "");
    sq_col_user_text(s, 4, r->start_date, sizeof r->start_date);
    r->started_utc = sqlite3_column_int64(s, 5);
    sq_col_user_text(s, 6, r->therapist, sizeof r->therapist);
    r->stopped_utc = sqlite3_column_type(s, 7) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, 7);
    sq_col_user_text(s, 8, r->stop_reason, sizeof r->stop_reason);
}

#define PROGRAM_COLS                                                                               \
    "SELECT id, patient_id, name, text, start_date, started_utc, therapist, stopped_utc, "         \
    "stop_reason FROM course_programs "

int course_store_program_active(struct course_store *cs, int64_t patient_id,
                                struct course_program_row *out, struct gc_diag *diag)
{
    sqlite3_stmt *s;
    int rc = prep(cs, PROGRAM_COLS "WHERE patient_id = ? AND stopped_utc IS NULL", &s, diag);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, patient_id);
    int src = sqlite3_step(s);
    if (src == SQLITE_ROW) {
        read_program(s, out);
        rc = out->text ? GC_OK : gc_fail(diag, GC_ERR_NOMEM, "out of memory reading a program");
    } else if (src == SQLITE_DONE) {
        rc = gc_fail(diag, GC_ERR_NOT_FOUND, "the patient has no active program");
    } else {
        rc = fail_sql(cs, diag, src, "read the programs");
    }
    sqlite3_finalize(s);
    return rc;
}

int course_store_programs(struct course_store *cs, int64_t patient_id,
                          struct course_program_row **out, size_t *n, struct gc_diag *diag)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = prep(cs, PROGRAM_COLS "WHERE patient_id = ? ORDER BY id", &s, diag);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, patient_id);
    size_t cap = 0;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        struct course_program_row *r = sq_grow((void **)out, n, &cap, sizeof **out);
        if (!r) {
            rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory reading the programs");
            break;
        }
        read_program(s, r);
    }
    if (rc == GC_OK && src != SQLITE_DONE)
        rc = fail_sql(cs, diag, src, "read the programs");
    sqlite3_finalize(s);
    if (rc) {
        course_program_rows_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int course_store_program_stop(struct course_store *cs, int64_t program_id, const char *reason,
                              const char *therapist, int64_t now_utc, struct gc_diag *diag)
{
    int rc = begin(cs, diag);
    if (rc)
        return rc;
    sqlite3_stmt *s;
    rc = prep(cs,
              "UPDATE course_programs SET stopped_utc = ?, stop_reason = ? WHERE id = ? AND "
              "stopped_utc IS NULL",
              &s, diag);
    if (rc == GC_OK) {
        sqlite3_bind_int64(s, 1, now_utc);
        sqlite3_bind_text(s, 2, reason, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 3, program_id);
        rc = run(cs, s, "stop the program", diag);
    }
    if (rc == GC_OK && sqlite3_changes(cs->conn.db) != 1)
        rc = gc_fail(diag, GC_ERR_NOT_FOUND, "that program is not active");
    int64_t patient_id = 0;
    if (rc == GC_OK &&
        prep(cs, "SELECT patient_id FROM course_programs WHERE id = ?", &s, diag) == GC_OK) {
        sqlite3_bind_int64(s, 1, program_id);
        if (sqlite3_step(s) == SQLITE_ROW)
            patient_id = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
    }
    if (rc == GC_OK) {
        char d[240];
        snprintf(d, sizeof d, "program #%lld stopped%s%s: %s", (long long)program_id,
                 therapist && therapist[0] ? " by " : "", therapist ? therapist : "", reason);
        rc = audit(cs, patient_id, now_utc, "program-stop", d, diag);
    }
    return end(cs, rc, diag);
}

/* ---- sessions --------------------------------------------------------- */

int course_store_link_session(struct course_store *cs, int64_t program_id, int64_t session_id,
                              int step, struct gc_diag *diag)
{
    sqlite3_stmt *s;
    int rc = prep(cs, "INSERT INTO course_sessions(session_id, program_id, step) VALUES(?,?,?)", &s,
                  diag);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, session_id);
    sqlite3_bind_int64(s, 2, program_id);
    sqlite3_bind_int(s, 3, step);
    return run(cs, s, "link the session to the program", diag);
}

int course_store_links(struct course_store *cs, int64_t program_id, struct course_link_row **out,
                       size_t *n, struct gc_diag *diag)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = prep(cs,
                  "SELECT session_id, step FROM course_sessions WHERE program_id = ? ORDER BY "
                  "session_id",
                  &s, diag);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, program_id);
    size_t cap = 0;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        struct course_link_row *r = sq_grow((void **)out, n, &cap, sizeof **out);
        if (!r) {
            rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory reading the program's sessions");
            break;
        }
        r->session_id = sqlite3_column_int64(s, 0);
        r->step = sqlite3_column_int(s, 1);
    }
    if (rc == GC_OK && src != SQLITE_DONE)
        rc = fail_sql(cs, diag, src, "read the program's sessions");
    sqlite3_finalize(s);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int course_store_latest_session(struct course_store *cs, int64_t patient_id, int64_t *session_id,
                                struct gc_diag *diag)
{
    sqlite3_stmt *s;
    int rc = prep(cs, "SELECT coalesce(max(id), 0) FROM sessions WHERE patient_id = ?", &s, diag);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, patient_id);
    int src = sqlite3_step(s);
    if (src == SQLITE_ROW)
        *session_id = sqlite3_column_int64(s, 0);
    else
        rc = fail_sql(cs, diag, src, "read the sessions");
    sqlite3_finalize(s);
    return rc;
}

/* ---- symptoms and PROMs ---------------------------------------------- */

int course_store_add_symptom(struct course_store *cs, int64_t patient_id,
                             struct course_symptom_row *r, struct gc_diag *diag)
{
    int rc = begin(cs, diag);
    if (rc)
        return rc;
    sqlite3_stmt *s;
    rc = prep(cs,
              "INSERT INTO course_symptoms(patient_id, utc, ref_session_id, phase, pain, site, "
              "flags, note) VALUES(?,?,?,?,?,?,?,?)",
              &s, diag);
    if (rc == GC_OK) {
        sqlite3_bind_int64(s, 1, patient_id);
        sqlite3_bind_int64(s, 2, r->utc);
        sqlite3_bind_int64(s, 3, r->ref_session_id);
        sqlite3_bind_text(s, 4, course_when_name(r->when), -1, SQLITE_STATIC);
        bind_opt_int(s, 5, r->pain);
        sqlite3_bind_text(s, 6, r->site, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(s, 7, (int)r->flags);
        sqlite3_bind_text(s, 8, r->note, -1, SQLITE_TRANSIENT);
        rc = run(cs, s, "record the symptoms", diag);
    }
    if (rc == GC_OK) {
        r->id = sqlite3_last_insert_rowid(cs->conn.db);
        char flags[80], pain[48] = "";
        program_symptoms_describe(r->flags, flags, sizeof flags);
        if (r->pain >= 0)
            snprintf(pain, sizeof pain, "pain %d/10%s%.24s, ", r->pain, r->site[0] ? " " : "",
                     r->site);
        char d[240];
        snprintf(d, sizeof d, "%s session %lld: %ssymptoms %s", course_when_name(r->when),
                 (long long)r->ref_session_id, pain, flags);
        rc = audit(cs, patient_id, r->utc, "symptoms", d, diag);
    }
    return end(cs, rc, diag);
}

int course_store_symptoms(struct course_store *cs, int64_t patient_id,
                          struct course_symptom_row **out, size_t *n, struct gc_diag *diag)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = prep(cs,
                  "SELECT id, utc, ref_session_id, phase, pain, site, flags, note FROM "
                  "course_symptoms WHERE patient_id = ? ORDER BY id",
                  &s, diag);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, patient_id);
    size_t cap = 0;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        struct course_symptom_row *r = sq_grow((void **)out, n, &cap, sizeof **out);
        if (!r) {
            rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory reading symptoms");
            break;
        }
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(s, 0);
        r->utc = sqlite3_column_int64(s, 1);
        r->ref_session_id = sqlite3_column_int64(s, 2);
        const unsigned char *w = sqlite3_column_text(s, 3);
        if (!w || course_when_parse((const char *)w, &r->when) != GC_OK)
            r->when = COURSE_AFTER;
        r->pain = int_or(s, 4, -1);
        sq_col_user_text(s, 5, r->site, sizeof r->site);
        r->flags = (unsigned)sqlite3_column_int(s, 6) & PROGRAM_SYM_ALL;
        sq_col_user_text(s, 7, r->note, sizeof r->note);
    }
    if (rc == GC_OK && src != SQLITE_DONE)
        rc = fail_sql(cs, diag, src, "read symptoms");
    sqlite3_finalize(s);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int course_store_add_prom(struct course_store *cs, int64_t patient_id, struct course_prom_row *r,
                          struct gc_diag *diag)
{
    int rc = begin(cs, diag);
    if (rc)
        return rc;
    sqlite3_stmt *s;
    rc = prep(cs,
              "INSERT INTO course_proms(patient_id, utc, ref_session_id, lefs, nprs) "
              "VALUES(?,?,?,?,?)",
              &s, diag);
    if (rc == GC_OK) {
        sqlite3_bind_int64(s, 1, patient_id);
        sqlite3_bind_int64(s, 2, r->utc);
        sqlite3_bind_int64(s, 3, r->ref_session_id);
        bind_opt_int(s, 4, r->lefs);
        bind_opt_int(s, 5, r->nprs);
        rc = run(cs, s, "record the outcome measures", diag);
    }
    if (rc == GC_OK) {
        r->id = sqlite3_last_insert_rowid(cs->conn.db);
        char d[240], l[16] = "-", p[16] = "-";
        if (r->lefs >= 0)
            snprintf(l, sizeof l, "%d/80", r->lefs);
        if (r->nprs >= 0)
            snprintf(p, sizeof p, "%d/10", r->nprs);
        snprintf(d, sizeof d, "after session %lld: LEFS %s, NPRS %s", (long long)r->ref_session_id,
                 l, p);
        rc = audit(cs, patient_id, r->utc, "prom", d, diag);
    }
    return end(cs, rc, diag);
}

int course_store_proms(struct course_store *cs, int64_t patient_id, struct course_prom_row **out,
                       size_t *n, struct gc_diag *diag)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = prep(cs,
                  "SELECT id, utc, ref_session_id, lefs, nprs FROM course_proms WHERE "
                  "patient_id = ? ORDER BY id",
                  &s, diag);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, patient_id);
    size_t cap = 0;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        struct course_prom_row *r = sq_grow((void **)out, n, &cap, sizeof **out);
        if (!r) {
            rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory reading outcome measures");
            break;
        }
        r->id = sqlite3_column_int64(s, 0);
        r->utc = sqlite3_column_int64(s, 1);
        r->ref_session_id = sqlite3_column_int64(s, 2);
        r->lefs = int_or(s, 3, -1);
        r->nprs = int_or(s, 4, -1);
    }
    if (rc == GC_OK && src != SQLITE_DONE)
        rc = fail_sql(cs, diag, src, "read outcome measures");
    sqlite3_finalize(s);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

/* ---- overrides and the audit trail ------------------------------------ */

int course_store_add_override(struct course_store *cs, int64_t program_id,
                              struct course_override_row *r, struct gc_diag *diag)
{
    int rc = begin(cs, diag);
    if (rc)
        return rc;
    sqlite3_stmt *s;
    int64_t patient_id = 0;
    rc = prep(cs, "SELECT patient_id FROM course_programs WHERE id = ?", &s, diag);
    if (rc == GC_OK) {
        sqlite3_bind_int64(s, 1, program_id);
        if (sqlite3_step(s) == SQLITE_ROW)
            patient_id = sqlite3_column_int64(s, 0);
        else
            rc = gc_fail(diag, GC_ERR_NOT_FOUND, "no program #%lld", (long long)program_id);
        sqlite3_finalize(s);
    }
    if (rc == GC_OK)
        rc = prep(cs,
                  "INSERT INTO course_overrides(program_id, utc, ref_session_id, to_step, "
                  "reason, therapist) VALUES(?,?,?,?,?,?)",
                  &s, diag);
    if (rc == GC_OK) {
        sqlite3_bind_int64(s, 1, program_id);
        sqlite3_bind_int64(s, 2, r->utc);
        sqlite3_bind_int64(s, 3, r->ref_session_id);
        sqlite3_bind_int(s, 4, r->to_step);
        sqlite3_bind_text(s, 5, r->reason, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 6, r->therapist, -1, SQLITE_TRANSIENT);
        rc = run(cs, s, "record the override", diag);
    }
    if (rc == GC_OK) {
        r->id = sqlite3_last_insert_rowid(cs->conn.db);
        char d[240];
        snprintf(d, sizeof d, "program #%lld: to step %d%s%.60s: %.120s", (long long)program_id,
                 r->to_step + 1, r->therapist[0] ? " by " : "", r->therapist, r->reason);
        rc = audit(cs, patient_id, r->utc, "override", d, diag);
    }
    return end(cs, rc, diag);
}

int course_store_overrides(struct course_store *cs, int64_t program_id,
                           struct course_override_row **out, size_t *n, struct gc_diag *diag)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = prep(cs,
                  "SELECT id, utc, ref_session_id, to_step, reason, therapist FROM "
                  "course_overrides WHERE program_id = ? ORDER BY id",
                  &s, diag);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, program_id);
    size_t cap = 0;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        struct course_override_row *r = sq_grow((void **)out, n, &cap, sizeof **out);
        if (!r) {
            rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory reading overrides");
            break;
        }
        r->id = sqlite3_column_int64(s, 0);
        r->utc = sqlite3_column_int64(s, 1);
        r->ref_session_id = sqlite3_column_int64(s, 2);
        r->to_step = sqlite3_column_int(s, 3);
        sq_col_user_text(s, 4, r->reason, sizeof r->reason);
        sq_col_user_text(s, 5, r->therapist, sizeof r->therapist);
    }
    if (rc == GC_OK && src != SQLITE_DONE)
        rc = fail_sql(cs, diag, src, "read overrides");
    sqlite3_finalize(s);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int course_store_audit(struct course_store *cs, int64_t patient_id, struct course_audit_row **out,
                       size_t *n, struct gc_diag *diag)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc =
        prep(cs, "SELECT utc, action, detail FROM course_audit WHERE patient_id = ? ORDER BY id",
             &s, diag);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, patient_id);
    size_t cap = 0;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        struct course_audit_row *r = sq_grow((void **)out, n, &cap, sizeof **out);
        if (!r) {
            rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory reading the audit trail");
            break;
        }
        r->utc = sqlite3_column_int64(s, 0);
        sq_col_user_text(s, 1, r->action, sizeof r->action);
        sq_col_user_text(s, 2, r->detail, sizeof r->detail);
    }
    if (rc == GC_OK && src != SQLITE_DONE)
        rc = fail_sql(cs, diag, src, "read the audit trail");
    sqlite3_finalize(s);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

/* ---- readiness tests -------------------------------------------------- */

int course_store_add_test(struct course_store *cs, int64_t patient_id, struct course_test_row *r,
                          struct gc_diag *diag)
{
    int rc = begin(cs, diag);
    if (rc)
        return rc;
    sqlite3_stmt *s;
    rc = prep(cs,
              "INSERT INTO course_tests(patient_id, utc, test, side, pass, summary, json) "
              "VALUES(?,?,?,?,?,?,?)",
              &s, diag);
    if (rc == GC_OK) {
        char side[2] = {r->side, 0};
        sqlite3_bind_int64(s, 1, patient_id);
        sqlite3_bind_int64(s, 2, r->utc);
        sqlite3_bind_text(s, 3, r->test, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 4, side, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(s, 5, r->pass ? 1 : 0);
        sqlite3_bind_text(s, 6, r->summary, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 7, r->json ? r->json : "{}", -1, SQLITE_TRANSIENT);
        rc = run(cs, s, "record the test", diag);
    }
    if (rc == GC_OK) {
        r->id = sqlite3_last_insert_rowid(cs->conn.db);
        char d[240];
        snprintf(d, sizeof d, "%s %c: %s, %.160s", r->test, r->side, r->pass ? "pass" : "not yet",
                 r->summary);
        rc = audit(cs, patient_id, r->utc, "test", d, diag);
    }
    return end(cs, rc, diag);
}

int course_store_tests(struct course_store *cs, int64_t patient_id, struct course_test_row **out,
                       size_t *n, struct gc_diag *diag)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = prep(cs,
                  "SELECT id, utc, test, side, pass, summary, json FROM course_tests WHERE "
                  "patient_id = ? ORDER BY id",
                  &s, diag);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, patient_id);
    size_t cap = 0;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        struct course_test_row *r = sq_grow((void **)out, n, &cap, sizeof **out);
        if (!r) {
            rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory reading the tests");
            break;
        }
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(s, 0);
        r->utc = sqlite3_column_int64(s, 1);
        sq_col_user_text(s, 2, r->test, sizeof r->test);
        char side[4];
        sq_col_user_text(s, 3, side, sizeof side);
        r->side = side[0];
        r->pass = sqlite3_column_int(s, 4) != 0;
        sq_col_user_text(s, 5, r->summary, sizeof r->summary);
        const unsigned char *j = sqlite3_column_text(s, 6);
        snprintf(r->json_text, sizeof r->json_text, "%s", j ? (const char *)j : "");
    }
    if (rc == GC_OK && src != SQLITE_DONE)
        rc = fail_sql(cs, diag, src, "read the tests");
    sqlite3_finalize(s);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}
