/*
 * store_sessions.c - sessions: begin, finish, the facts stored with them,
 * exclusion, lookups (latest, previous of a protocol, list), and recovery
 * of sessions whose writer died.
 */
#define LOG_PREFIX "store"
#include "store_sql.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include "usertext.h"

/* ---- sessions ------------------------------------------------------ */

static const char *const status_names[] = {"running", "complete", "interrupted", "stopped"};

const char *store_status_name(enum store_status s)
{
    return (unsigned)s < 4 ? status_names[s] : "?";
}

static enum store_status status_of(const char *t)
{
    for (int i = 0; i < 4; i++)
        if (t && !strcmp(t, status_names[i]))
            return (enum store_status)i;
    return STORE_INTERRUPTED;
}

static bool writer_alive(int64_t pid, const char *host);

int store_session_begin(struct store *st, struct store_session *ss, const struct plan *plan,
                        const char *protocol_text)
{
    char host[128] = "";
    gethostname(host, sizeof host - 1);
    int rc = sq_exec(st, "SAVEPOINT begin_session");
    if (rc)
        return rc;
    sqlite3_stmt *s;
    /* One live session per patient: a running session whose writer is
     * alive (this host, its process exists) refuses a second one. */
    rc = sq_prepare(st,
                 "SELECT writer_pid, writer_host FROM sessions WHERE patient_id = ?1 AND "
                 "status = 'running'",
                 &s);
    if (rc)
        goto fail;
    sqlite3_bind_int64(s, 1, ss->patient_id);
    bool live = false;
    while (sqlite3_step(s) == SQLITE_ROW) {
        char writer_host[128];
        sq_col_text(s, 1, writer_host, sizeof writer_host);
        if (writer_alive(sqlite3_column_int64(s, 0), writer_host))
            live = true;
    }
    sqlite3_finalize(s);
    if (live) {
        rc = GC_ERR_BUSY;
        goto fail;
    }
    rc = sq_prepare(st,
                 "INSERT INTO sessions (patient_id, start_utc, updated_utc, status, protocol_name,"
                 " protocol_text, therapist, sensor_serial, sensor_identity, calib_name,"
                 " calib_date, body_weight_n, sw_version, raw_path, raw_sha256, t0_sensor_s,"
                 " time_scale, method, writer_pid, writer_host) VALUES (?1, ?2, ?2, 'running',"
                 " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
                 &s);
    if (rc)
        goto fail;
    if (!ss->start_utc)
        ss->start_utc = (int64_t)time(NULL);
    sqlite3_bind_int64(s, 1, ss->patient_id);
    sqlite3_bind_int64(s, 2, ss->start_utc);
    sq_bind_text(s, 3, plan && !ss->protocol_name[0] ? plan->name : ss->protocol_name);
    sq_bind_text(s, 4, protocol_text);
    sq_bind_text(s, 5, ss->therapist);
    sq_bind_text(s, 6, ss->sensor_serial);
    sq_bind_text(s, 7, ss->sensor_identity);
    sq_bind_text(s, 8, ss->calib_name);
    sq_bind_text(s, 9, ss->calib_date);
    sq_bind_real(s, 10, ss->body_weight_n);
    sq_bind_text(s, 11, ss->sw_version[0] ? ss->sw_version : GC_VERSION);
    sq_bind_text(s, 12, ss->raw_path);
    sq_bind_text(s, 13, ss->raw_sha256);
    sqlite3_bind_double(s, 14, isfinite(ss->t0_sensor_s) ? ss->t0_sensor_s : 0.0);
    sqlite3_bind_double(s, 15, ss->time_scale > 0 ? ss->time_scale : 1.0);
    sq_bind_text(s, 16, ss->method);
    sqlite3_bind_int64(s, 17, (int64_t)getpid());
    sq_bind_text(s, 18, host);
    rc = sq_step_done(st, s, "creating a session");
    if (rc) {
        if (rc == GC_ERR_BUSY)
            LOG_ERR("creating a session: %s", sqlite3_errmsg(st->db));
        goto fail;
    }
    ss->id = sqlite3_last_insert_rowid(st->db);
    ss->status = STORE_RUNNING;
    for (size_t i = 0; plan && i < plan->n_phases; i++) {
        const struct plan_phase *ph = &plan->phases[i];
        rc = sq_prepare(st,
                     "INSERT INTO phases (session_id, idx, name, kind, planned_start_s, planned_s,"
                     " feedback) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                     &s);
        if (rc)
            goto fail;
        sqlite3_bind_int64(s, 1, ss->id);
        sqlite3_bind_int(s, 2, (int)i);
        sq_bind_text(s, 3, ph->name);
        sq_bind_text(s, 4, plan_kind_name(ph->kind));
        sqlite3_bind_double(s, 5, session_phase_start(plan, i));
        sqlite3_bind_double(s, 6, ph->duration_s);
        sq_bind_text(s, 7, plan_feedback_name(ph->feedback));
        rc = sq_step_done(st, s, "storing the phases");
        if (rc)
            goto fail;
    }
    return sq_exec(st, "RELEASE begin_session");
fail:
    sq_exec(st, "ROLLBACK TO begin_session; RELEASE begin_session");
    return rc;
}

int store_session_finish(struct store *st, int64_t id, enum store_status status, int64_t end_utc,
                         double stopped_at_s)
{
    /* a savepoint works inside the caller's batch and alone */
    int rc = sq_exec(st, "SAVEPOINT finish_session");
    if (rc)
        return rc;
    sqlite3_stmt *s;
    rc = sq_prepare(st,
                 "UPDATE sessions SET status = ?2, end_utc = ?3, updated_utc = ?3, "
                 "stopped_at_s = ?4 WHERE id = ?1",
                 &s);
    if (rc == GC_OK) {
        sqlite3_bind_int64(s, 1, id);
        sq_bind_text(s, 2, store_status_name(status));
        sqlite3_bind_int64(s, 3, end_utc ? end_utc : (int64_t)time(NULL));
        sq_bind_real(s, 4, stopped_at_s);
        rc = sq_step_done(st, s, "finishing a session");
    }
    if (rc == GC_OK && sqlite3_changes(st->db) == 0)
        rc = GC_ERR_NOT_FOUND;
    if (rc == GC_OK)
        rc = store_rebuild_minutes(st, id);
    if (rc) {
        sq_exec(st, "ROLLBACK TO finish_session; RELEASE finish_session");
        return rc;
    }
    return sq_exec(st, "RELEASE finish_session");
}

int store_session_touch(struct store *st, int64_t id, int64_t now_utc)
{
    sqlite3_stmt *s;
    int rc = sq_prepare(st, "UPDATE sessions SET updated_utc = ?2 WHERE id = ?1", &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, now_utc);
    return sq_step_done(st, s, "updating a session");
}

/* One UPDATE of session id: ?2 = v, or ?2 = t1 (and ?3 = t2 when given);
 * GC_ERR_NOT_FOUND when no such session. */
static int update_one(struct store *st, const char *sql, int64_t id, double v, const char *t1,
                      const char *t2)
{
    sqlite3_stmt *s;
    int rc = sq_prepare(st, sql, &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    if (t1) {
        sq_bind_text(s, 2, t1);
        if (t2)
            sq_bind_text(s, 3, t2);
    } else
        sq_bind_real(s, 2, v);
    rc = sq_step_done(st, s, "updating a session");
    if (rc == GC_OK && sqlite3_changes(st->db) == 0)
        rc = GC_ERR_NOT_FOUND;
    return rc;
}

int store_session_set_body_weight(struct store *st, int64_t id, double body_weight_n)
{
    return update_one(st, "UPDATE sessions SET body_weight_n = ?2 WHERE id = ?1", id, body_weight_n,
                      NULL, NULL);
}

int store_session_set_raw(struct store *st, int64_t id, const char *path, const char *sha256_hex)
{
    return update_one(st, "UPDATE sessions SET raw_path = ?2, raw_sha256 = ?3 WHERE id = ?1", id, 0,
                      path ? path : "", sha256_hex ? sha256_hex : "");
}

int store_session_set_stopped_by(struct store *st, int64_t id, const char *by)
{
    return update_one(st, "UPDATE sessions SET stopped_by = ?2 WHERE id = ?1", id, 0,
                      by ? by : "", NULL);
}

int store_session_set_simulated(struct store *st, int64_t id, bool simulated)
{
    return update_one(st, "UPDATE sessions SET simulated = ?2 WHERE id = ?1", id,
                      simulated ? 1.0 : 0.0, NULL, NULL);
}

int store_session_set_feedback_delivery(struct store *st, int64_t id, const char *text)
{
    return update_one(st, "UPDATE sessions SET feedback_delivery = ?2 WHERE id = ?1", id, 0,
                      text ? text : "", NULL);
}

/* The columns read_session reads; the last three came with schema 6 (an
 * older store, opened for a migration test, reads ''). */
#define SESSION_COLS_UP_TO(v6_cols)                                                                \
    "s.id, s.patient_id, p.code, s.start_utc, s.end_utc, s.status, s.protocol_name,"               \
    " s.therapist, s.sensor_serial, s.sensor_identity, s.calib_name, s.calib_date,"                \
    " s.body_weight_n, s.sw_version, s.raw_path, s.raw_sha256, s.t0_sensor_s, s.time_scale,"       \
    " s.method, (SELECT COUNT(*) FROM steps x WHERE x.session_id = s.id),"                         \
    " s.stopped_at_s, s.excluded_utc, s.exclude_reason, " v6_cols                                  \
    " FROM sessions s JOIN patients p ON p.id = s.patient_id"
#define SESSION_SELECT(st, tail)                                                                   \
    (store_schema_version(st) >= 6                                                                 \
         ? "SELECT " SESSION_COLS_UP_TO("s.stopped_by, s.feedback_delivery, s.simulated") tail     \
         : "SELECT " SESSION_COLS_UP_TO("'', '', 0") tail)

static void read_session(sqlite3_stmt *s, struct store_session *o)
{
    memset(o, 0, sizeof *o);
    o->id = sqlite3_column_int64(s, 0);
    o->patient_id = sqlite3_column_int64(s, 1);
    sq_col_text(s, 2, o->patient_code, sizeof o->patient_code);
    o->start_utc = sqlite3_column_int64(s, 3);
    o->end_utc = sqlite3_column_int64(s, 4);
    o->status = status_of((const char *)sqlite3_column_text(s, 5));
    sq_col_user_text(s, 6, o->protocol_name, sizeof o->protocol_name);
    sq_col_user_text(s, 7, o->therapist, sizeof o->therapist);
    sq_col_user_text(s, 8, o->sensor_serial, sizeof o->sensor_serial);
    sq_col_user_text(s, 9, o->sensor_identity, sizeof o->sensor_identity);
    sq_col_user_text(s, 10, o->calib_name, sizeof o->calib_name);
    sq_col_user_text(s, 11, o->calib_date, sizeof o->calib_date);
    o->body_weight_n = sq_col_real(s, 12);
    sq_col_text(s, 13, o->sw_version, sizeof o->sw_version);
    sq_col_text(s, 14, o->raw_path, sizeof o->raw_path);
    sq_col_text(s, 15, o->raw_sha256, sizeof o->raw_sha256);
    o->t0_sensor_s = sqlite3_column_double(s, 16);
    o->time_scale = sqlite3_column_double(s, 17);
    sq_col_text(s, 18, o->method, sizeof o->method);
    o->n_steps = sqlite3_column_int64(s, 19);
    o->stopped_at_s = sq_col_real(s, 20);
    o->excluded_utc = sqlite3_column_int64(s, 21);
    sq_col_user_text(s, 22, o->exclude_reason, sizeof o->exclude_reason);
    sq_col_text(s, 23, o->stopped_by, sizeof o->stopped_by);
    sq_col_user_text(s, 24, o->feedback_delivery, sizeof o->feedback_delivery);
    o->simulated = sqlite3_column_int64(s, 25) != 0 ||
                   !strncmp(o->sensor_serial, STORE_SIM_SERIAL_PREFIX,
                            strlen(STORE_SIM_SERIAL_PREFIX));
}

int store_session_discard(struct store *st, int64_t id)
{
    sqlite3_stmt *s;
    int rc = sq_prepare(st,
                        "SELECT (SELECT COUNT(*) FROM steps WHERE session_id = ?1),"
                        " (SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND"
                        "  name = 'course_sessions')",
                        &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    int64_t steps = 1, course = 0;
    if (sqlite3_step(s) == SQLITE_ROW) {
        steps = sqlite3_column_int64(s, 0);
        course = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    if (steps > 0)
        return GC_ERR_STATE;
    /* the program link too, once a program was ever used (its table) */
    char link[96] = "";
    if (course)
        snprintf(link, sizeof link, "DELETE FROM course_sessions WHERE session_id = %lld;",
                 (long long)id);
    char sql[700];
    long long k = (long long)id;
    snprintf(sql, sizeof sql,
             "SAVEPOINT discard_session;"
             "DELETE FROM phases WHERE session_id = %lld;"
             "DELETE FROM target_changes WHERE session_id = %lld;"
             "DELETE FROM markers WHERE session_id = %lld;"
             "DELETE FROM minutes WHERE session_id = %lld;"
             "%s"
             "DELETE FROM sessions WHERE id = %lld;"
             "RELEASE discard_session;",
             k, k, k, k, link, k);
    rc = sq_exec(st, sql);
    if (rc)
        (void)sq_exec(st, "ROLLBACK TO discard_session; RELEASE discard_session;");
    return rc;
}

int store_session_exclude(struct store *st, int64_t id, const char *reason, int64_t now_utc)
{
    sqlite3_stmt *s;
    int rc = sq_prepare(st,
                     "UPDATE sessions SET excluded_utc = ?2, exclude_reason = ?3 WHERE id = ?1 "
                     "AND status != 'running' AND (?2 IS NULL OR excluded_utc IS NULL)",
                     &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    if (reason)
        sqlite3_bind_int64(s, 2, now_utc);
    else
        sqlite3_bind_null(s, 2);
    sq_bind_text(s, 3, reason ? reason : "");
    rc = sq_step_done(st, s, "excluding a session");
    if (rc == GC_OK && sqlite3_changes(st->db) == 0)
        rc = GC_ERR_NOT_FOUND;
    return rc;
}

int store_session_get(struct store *st, int64_t id, struct store_session *out)
{
    sqlite3_stmt *s;
    int rc = sq_prepare(st, SESSION_SELECT(st, " WHERE s.id = ?1"), &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        read_session(s, out);
        rc = GC_OK;
    } else
        rc = rc == SQLITE_DONE ? GC_ERR_NOT_FOUND : sq_err(st, rc, "reading a session");
    sqlite3_finalize(s);
    return rc;
}

static int one_id(struct store *st, const char *sql, int64_t a, int64_t *id)
{
    sqlite3_stmt *s;
    int rc = sq_prepare(st, sql, &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, a);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(s, 0);
        rc = GC_OK;
    } else
        rc = rc == SQLITE_DONE ? GC_ERR_NOT_FOUND : sq_err(st, rc, "finding a session");
    sqlite3_finalize(s);
    return rc;
}

int store_session_latest(struct store *st, int64_t patient_id, int64_t *id)
{
    return one_id(st,
                  "SELECT id FROM sessions WHERE ?1 = 0 OR patient_id = ?1 "
                  "ORDER BY start_utc DESC, id DESC LIMIT 1",
                  patient_id, id);
}

int store_session_previous(struct store *st, int64_t id, int64_t *prev_id)
{
    return one_id(st,
                  "SELECT b.id FROM sessions a JOIN sessions b ON b.patient_id = a.patient_id "
                  "AND b.protocol_name = a.protocol_name AND b.excluded_utc IS NULL "
                  "AND b.status != 'running' "
                  "WHERE a.id = ?1 AND (b.start_utc < a.start_utc OR "
                  "(b.start_utc = a.start_utc AND b.id < a.id)) "
                  "ORDER BY b.start_utc DESC, b.id DESC LIMIT 1",
                  id, prev_id);
}

int store_session_list(struct store *st, int64_t patient_id,
                       void (*fn)(const struct store_session *, void *), void *user)
{
    sqlite3_stmt *s;
    int rc = sq_prepare(st,
                     SESSION_SELECT(st, " WHERE ?1 = 0 OR s.patient_id = ?1 "
                                        "ORDER BY s.start_utc, s.id"),
                     &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, patient_id);
    int n = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_session ss;
        read_session(s, &ss);
        if (fn)
            fn(&ss, user);
        n++;
    }
    rc = rc == SQLITE_DONE ? n : sq_err(st, rc, "listing sessions");
    sqlite3_finalize(s);
    return rc;
}

int store_session_protocol(struct store *st, int64_t id, char **text)
{
    *text = NULL;
    sqlite3_stmt *s;
    int rc = sq_prepare(st, "SELECT protocol_text FROM sessions WHERE id = ?1", &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(s, 0);
        *text = strdup(t ? (const char *)t : "");
        rc = *text ? GC_OK : GC_ERR_NOMEM;
    } else
        rc = rc == SQLITE_DONE ? GC_ERR_NOT_FOUND : sq_err(st, rc, "reading a protocol");
    sqlite3_finalize(s);
    return rc;
}

static bool writer_alive(int64_t pid, const char *host)
{
    char me[128] = "";
    gethostname(me, sizeof me - 1);
    if (pid <= 0 || strcmp(host, me) != 0)
        return false; /* another machine's session on a copied file: it is not running here */
    if (pid > INT_MAX)
        return false;
    return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

int store_recover(struct store *st, int64_t *ids, size_t cap)
{
    sqlite3_stmt *s;
    int rc = sq_prepare(st,
                     "SELECT id, writer_pid, writer_host, COALESCE(updated_utc, start_utc) "
                     "FROM sessions WHERE status = 'running' ORDER BY id",
                     &s);
    if (rc)
        return rc;
    int64_t found[64];
    int64_t when[64];
    size_t n = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < 64) {
        int64_t pid = sqlite3_column_int64(s, 1);
        char host[128];
        sq_col_text(s, 2, host, sizeof host);
        if (writer_alive(pid, host))
            continue;
        found[n] = sqlite3_column_int64(s, 0);
        when[n] = sqlite3_column_int64(s, 3);
        n++;
    }
    sqlite3_finalize(s);
    size_t done = 0;
    for (size_t i = 0; i < n; i++) {
        rc = store_session_finish(st, found[i], STORE_INTERRUPTED, when[i], NAN);
        if (rc)
            return rc;
        LOG_INFO("session %lld was cut short (crash or power loss): marked interrupted",
                 (long long)found[i]);
        if (ids && done < cap)
            ids[done] = found[i];
        done++;
    }
    return (int)done;
}

