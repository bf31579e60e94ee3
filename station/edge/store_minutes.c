/*
 * store_minutes.c - per-minute summaries of a session's steps, rebuilt
 * from the steps (after a session or a recovery).
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

/* ---- per-minute summaries ------------------------------------------ */

int store_rebuild_minutes(struct store *st, int64_t sid)
{
    struct store_session ss;
    int rc = store_session_get(st, sid, &ss);
    if (rc)
        return rc;
    struct session_step *steps;
    size_t n;
    rc = store_load_steps(st, sid, &steps, &n);
    if (rc)
        return rc;
    sqlite3_stmt *s;
    rc = sq_prepare(st, "DELETE FROM minutes WHERE session_id = ?1", &s);
    if (rc)
        goto out;
    sqlite3_bind_int64(s, 1, sid);
    rc = sq_step_done(st, s, "rebuilding minutes");
    if (rc)
        goto out;
    double last = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (steps[i].step.t_ic_s > last)
            last = steps[i].step.t_ic_s;
    int minutes = n ? (int)floor((last - ss.t0_sensor_s) / 60.0) + 1 : 0;
    for (int m = 0; m < minutes; m++) {
        struct session_stats x;
        session_stats_window(steps, n, ss.t0_sensor_s, m * 60.0, (m + 1) * 60.0, &x);
        if (x.n_steps == 0)
            continue;
        rc = sq_prepare(st,
                     "INSERT INTO minutes (session_id, minute, n_steps, cadence_spm, contact_ms,"
                     " impact_peak_bw, valr_bw_s, vilr_bw_s, share_in_band,"
                     " share_under_ceiling, si_contact_pct, si_valr_pct) VALUES (?1, ?2, ?3, ?4,"
                     " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                     &s);
        if (rc)
            goto out;
        sqlite3_bind_int64(s, 1, sid);
        sqlite3_bind_int(s, 2, m);
        sqlite3_bind_int64(s, 3, (int64_t)x.n_steps);
        sq_bind_real(s, 4, x.cadence_spm);
        sq_bind_real(s, 5, x.contact_ms);
        sq_bind_real(s, 6, x.impact_peak_bw);
        sq_bind_real(s, 7, x.valr_bw_s);
        sq_bind_real(s, 8, x.vilr_bw_s);
        sq_bind_real(s, 9, x.share_in_band);
        sq_bind_real(s, 10, x.share_under_ceiling);
        sq_bind_real(s, 11, x.si_contact_pct);
        sq_bind_real(s, 12, x.si_valr_pct);
        rc = sq_step_done(st, s, "storing a minute summary");
        if (rc)
            goto out;
    }
out:
    free(steps);
    return rc;
}

int store_load_minutes(struct store *st, int64_t sid, struct store_minute **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = sq_prepare(st,
                     "SELECT minute, n_steps, cadence_spm, contact_ms, impact_peak_bw, valr_bw_s,"
                     " vilr_bw_s, share_in_band, share_under_ceiling, si_contact_pct, si_valr_pct"
                     " FROM minutes WHERE session_id = ?1 ORDER BY minute",
                     &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, sid);
    size_t cap = 0;
    void *buf = NULL;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_minute *m = sq_grow(&buf, n, &cap, sizeof *m);
        if (!m) {
            rc = SQLITE_NOMEM;
            break;
        }
        memset(m, 0, sizeof *m);
        m->minute = sqlite3_column_int(s, 0);
        struct session_stats *x = &m->stats;
        x->n_steps = (size_t)sqlite3_column_int64(s, 1);
        x->cadence_spm = sq_col_real(s, 2);
        x->contact_ms = sq_col_real(s, 3);
        x->impact_peak_bw = sq_col_real(s, 4);
        x->valr_bw_s = sq_col_real(s, 5);
        x->vilr_bw_s = sq_col_real(s, 6);
        x->share_in_band = sq_col_real(s, 7);
        x->share_under_ceiling = sq_col_real(s, 8);
        x->si_contact_pct = sq_col_real(s, 9);
        x->si_valr_pct = sq_col_real(s, 10);
    }
    sqlite3_finalize(s);
    *out = buf;
    if (rc != SQLITE_DONE) {
        free(buf);
        *out = NULL;
        *n = 0;
        return rc == SQLITE_NOMEM ? GC_ERR_NOMEM : sq_err(st, rc, "reading minutes");
    }
    return GC_OK;
}

