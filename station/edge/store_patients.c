/*
 * store_patients.c - patients: the clinic's code, an optional name and
 * birth year.
 */
#define LOG_PREFIX "store"
#include "store_sql.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include <ctype.h>
#include "usertext.h"

/* ---- patients ------------------------------------------------------ */

bool store_code_valid(const char *code)
{
    size_t n = code ? strlen(code) : 0;
    if (n == 0 || n >= STORE_CODE_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = code[i];
        if (!isalnum((unsigned char)c) && c != '-' && c != '_' && c != '.')
            return false;
    }
    return true;
}

int store_patient_add(struct store *st, struct store_patient *p)
{
    if (!store_code_valid(p->code) || !usertext_ok(p->name, USERTEXT_NAME_MAX))
        return GC_ERR_ARG;
    sqlite3_stmt *s;
    int rc = sq_prepare(st,
                     "INSERT INTO patients (code, name, birth_year, created_utc) "
                     "VALUES (?1, ?2, ?3, ?4)",
                     &s);
    if (rc)
        return rc;
    if (!p->created_utc)
        p->created_utc = (int64_t)time(NULL);
    sq_bind_text(s, 1, p->code);
    sq_bind_text(s, 2, p->name);
    if (p->birth_year > 0)
        sqlite3_bind_int(s, 3, p->birth_year);
    else
        sqlite3_bind_null(s, 3);
    sqlite3_bind_int64(s, 4, p->created_utc);
    rc = sq_step_done(st, s, "adding a patient");
    if (rc == GC_OK)
        p->id = sqlite3_last_insert_rowid(st->db);
    return rc;
}

#define PATIENT_COLS                                                                               \
    "p.id, p.code, p.name, p.birth_year, p.created_utc, "                                          \
    "(SELECT COUNT(*) FROM sessions s WHERE s.patient_id = p.id)"

static void read_patient(sqlite3_stmt *s, struct store_patient *p)
{
    memset(p, 0, sizeof *p);
    p->id = sqlite3_column_int64(s, 0);
    sq_col_text(s, 1, p->code, sizeof p->code);
    sq_col_user_text(s, 2, p->name, sizeof p->name);
    p->birth_year = sqlite3_column_int(s, 3);
    p->created_utc = sqlite3_column_int64(s, 4);
    p->n_sessions = sqlite3_column_int(s, 5);
}

static int patient_query(struct store *st, const char *where, const char *text, int64_t id,
                         struct store_patient *out)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT " PATIENT_COLS " FROM patients p WHERE %s", where);
    sqlite3_stmt *s;
    int rc = sq_prepare(st, sql, &s);
    if (rc)
        return rc;
    if (text)
        sq_bind_text(s, 1, text);
    else
        sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        read_patient(s, out);
        rc = GC_OK;
    } else if (rc == SQLITE_DONE)
        rc = GC_ERR_NOT_FOUND;
    else
        rc = sq_err(st, rc, "finding a patient");
    sqlite3_finalize(s);
    return rc;
}

int store_patient_find(struct store *st, const char *code, struct store_patient *out)
{
    return patient_query(st, "p.code = ?1", code ? code : "", 0, out);
}

int store_patient_get(struct store *st, int64_t id, struct store_patient *out)
{
    return patient_query(st, "p.id = ?1", NULL, id, out);
}

int store_patient_list(struct store *st, void (*fn)(const struct store_patient *, void *),
                       void *user)
{
    sqlite3_stmt *s;
    int rc = sq_prepare(st, "SELECT " PATIENT_COLS " FROM patients p ORDER BY p.code", &s);
    if (rc)
        return rc;
    int n = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_patient p;
        read_patient(s, &p);
        if (fn)
            fn(&p, user);
        n++;
    }
    rc = rc == SQLITE_DONE ? n : sq_err(st, rc, "listing patients");
    sqlite3_finalize(s);
    return rc;
}


struct case_match {
    const char *code;
    char found[STORE_CODE_MAX];
};

static void find_other_case(const struct store_patient *p, void *user)
{
    struct case_match *m = user;
    if (!m->found[0] && !strcasecmp(p->code, m->code))
        snprintf(m->found, sizeof m->found, "%s", p->code);
}

int store_patient_missing(struct store *st, const char *code, const char *db,
                          struct gc_diag *diag)
{
    struct case_match m = {code, ""};
    if (store_patient_list(st, find_other_case, &m) >= 0 && m.found[0])
        return gc_fail(diag, GC_ERR_NOT_FOUND, "no patient '%s'; did you mean %s?", code, m.found);
    if (db)
        return gc_fail(diag, GC_ERR_NOT_FOUND,
                       "no patient '%s' in the store %s; add it with 'station patient add %s "
                       "--db %s' ('station patient list --db %s' lists them).",
                       code, db, code, db, db);
    return gc_fail(diag, GC_ERR_NOT_FOUND,
                   "no patient '%s' in the store; add it with 'station patient add %s' "
                   "('station patient list' lists them).",
                   code, code);
}
