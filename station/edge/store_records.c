/*
 * store_records.c - what happens in a session: phases, steps, target
 * changes and markers; stored as they come, loaded in order.
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
#include "usertext.h"

/* ---- phases -------------------------------------------------------- */

int store_phase_add(struct store *st, int64_t sid, int idx, const struct plan_phase *ph,
                    double start_s)
{
    sqlite3_stmt *s;
    int rc = sq_prepare(st,
                     "INSERT INTO phases (session_id, idx, name, kind, planned_start_s, planned_s,"
                     " feedback) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                     &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, sid);
    sqlite3_bind_int(s, 2, idx);
    sq_bind_text(s, 3, ph->name);
    sq_bind_text(s, 4, plan_kind_name(ph->kind));
    sqlite3_bind_double(s, 5, start_s);
    sqlite3_bind_double(s, 6, ph->duration_s);
    sq_bind_text(s, 7, plan_feedback_name(ph->feedback));
    return sq_step_done(st, s, "storing an added phase");
}

int store_phase_begin(struct store *st, int64_t sid, int idx, double start_s,
                      const struct session_targets *t)
{
    sqlite3_stmt *s;
    int rc = sq_prepare(st,
                     "UPDATE phases SET start_s = ?3, feedback = ?4, feedback_share = ?5,"
                     " cadence_spm = ?6, cadence_lo_spm = ?7, cadence_hi_spm = ?8,"
                     " valr_ceiling_bw_s = ?9 WHERE session_id = ?1 AND idx = ?2",
                     &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, sid);
    sqlite3_bind_int(s, 2, idx);
    sq_bind_real(s, 3, start_s);
    sq_bind_text(s, 4, plan_feedback_name(t->feedback));
    sq_bind_real(s, 5, t->feedback_share);
    sq_bind_real(s, 6, t->cadence_spm);
    sq_bind_real(s, 7, t->cadence_lo_spm);
    sq_bind_real(s, 8, t->cadence_hi_spm);
    sq_bind_real(s, 9, t->valr_ceiling_bw_s);
    rc = sq_step_done(st, s, "recording a phase");
    if (rc == GC_OK && sqlite3_changes(st->db) == 0)
        rc = GC_ERR_NOT_FOUND;
    return rc;
}

static enum plan_kind kind_of(const char *t)
{
    for (int k = PLAN_KIND_WEIGH_IN; k <= PLAN_KIND_RUN; k++)
        if (t && !strcmp(t, plan_kind_name((enum plan_kind)k)))
            return (enum plan_kind)k;
    return PLAN_KIND_TRAINING;
}

static enum plan_feedback feedback_of(const char *t)
{
    for (int k = PLAN_FB_NONE; k <= PLAN_FB_FADED; k++)
        if (t && !strcmp(t, plan_feedback_name((enum plan_feedback)k)))
            return (enum plan_feedback)k;
    return PLAN_FB_NONE;
}

int store_load_phases(struct store *st, int64_t sid, struct store_phase **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = sq_prepare(st,
                     "SELECT idx, name, kind, planned_start_s, planned_s, start_s, feedback,"
                     " feedback_share, cadence_spm, cadence_lo_spm, cadence_hi_spm,"
                     " valr_ceiling_bw_s FROM phases WHERE session_id = ?1 ORDER BY idx",
                     &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, sid);
    size_t cap = 0;
    void *buf = NULL;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_phase *p = sq_grow(&buf, n, &cap, sizeof *p);
        if (!p) {
            rc = SQLITE_NOMEM;
            break;
        }
        memset(p, 0, sizeof *p);
        p->idx = sqlite3_column_int(s, 0);
        sq_col_text(s, 1, p->name, sizeof p->name);
        p->kind = kind_of((const char *)sqlite3_column_text(s, 2));
        p->planned_start_s = sqlite3_column_double(s, 3);
        p->planned_s = sqlite3_column_double(s, 4);
        p->start_s = sq_col_real(s, 5);
        p->started = isfinite(p->start_s);
        p->targets.feedback = feedback_of((const char *)sqlite3_column_text(s, 6));
        p->targets.feedback_share = sq_col_real(s, 7);
        p->targets.cadence_spm = sq_col_real(s, 8);
        p->targets.cadence_lo_spm = sq_col_real(s, 9);
        p->targets.cadence_hi_spm = sq_col_real(s, 10);
        p->targets.valr_ceiling_bw_s = sq_col_real(s, 11);
    }
    sqlite3_finalize(s);
    *out = buf;
    if (rc != SQLITE_DONE) {
        free(buf);
        *out = NULL;
        *n = 0;
        return rc == SQLITE_NOMEM ? GC_ERR_NOMEM : sq_err(st, rc, "reading phases");
    }
    return GC_OK;
}

/* ---- steps --------------------------------------------------------- */

int store_add_step(struct store *st, int64_t sid, const struct session_step *ss)
{
    int rc;
    if (!st->ins_step) {
        rc = sq_prepare(st,
                     "INSERT OR REPLACE INTO steps (session_id, idx, side, t_ic_s, t_to_s,"
                     " contact_ms, flight_ms, step_ms, cadence_spm, impact_peak_n,"
                     " impact_peak_bw, t_impact_s, valr_bw_s, vilr_bw_s, active_peak_n,"
                     " active_peak_bw, flags, phase, in_band, under_ceiling) VALUES (?1, ?2,"
                     " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
                     " ?19, ?20)",
                     &st->ins_step);
        if (rc)
            return rc;
    }
    sqlite3_stmt *s = st->ins_step;
    const struct gait_step *g = &ss->step;
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, sid);
    sqlite3_bind_int64(s, 2, g->index);
    if (g->side == GAIT_SIDE_LEFT)
        sq_bind_text(s, 3, "L");
    else if (g->side == GAIT_SIDE_RIGHT)
        sq_bind_text(s, 3, "R");
    else
        sqlite3_bind_null(s, 3);
    sq_bind_real(s, 4, g->t_ic_s);
    sq_bind_real(s, 5, g->t_to_s);
    sq_bind_real(s, 6, g->contact_ms);
    sq_bind_real(s, 7, g->flight_ms);
    sq_bind_real(s, 8, g->step_ms);
    sq_bind_real(s, 9, g->cadence_spm);
    sq_bind_real(s, 10, g->impact_peak_n);
    sq_bind_real(s, 11, g->impact_peak_bw);
    sq_bind_real(s, 12, g->t_impact_s);
    sq_bind_real(s, 13, g->valr_bw_s);
    sq_bind_real(s, 14, g->vilr_bw_s);
    sq_bind_real(s, 15, g->active_peak_n);
    sq_bind_real(s, 16, g->active_peak_bw);
    sqlite3_bind_int64(s, 17, g->flags);
    sqlite3_bind_int(s, 18, ss->phase);
    sqlite3_bind_int(s, 19, ss->in_band);
    sqlite3_bind_int(s, 20, ss->under_ceiling);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? GC_OK : sq_err(st, rc, "storing a step");
}

int store_load_steps(struct store *st, int64_t sid, struct session_step **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = sq_prepare(st,
                     "SELECT idx, side, t_ic_s, t_to_s, contact_ms, flight_ms, step_ms,"
                     " cadence_spm, impact_peak_n, impact_peak_bw, t_impact_s, valr_bw_s,"
                     " vilr_bw_s, active_peak_n, active_peak_bw, flags, phase, in_band,"
                     " under_ceiling FROM steps WHERE session_id = ?1 ORDER BY idx",
                     &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, sid);
    size_t cap = 0;
    void *buf = NULL;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct session_step *x = sq_grow(&buf, n, &cap, sizeof *x);
        if (!x) {
            rc = SQLITE_NOMEM;
            break;
        }
        memset(x, 0, sizeof *x);
        struct gait_step *g = &x->step;
        g->index = (uint32_t)sqlite3_column_int64(s, 0);
        const unsigned char *side = sqlite3_column_text(s, 1);
        g->side = side && side[0] == 'L'   ? GAIT_SIDE_LEFT
                  : side && side[0] == 'R' ? GAIT_SIDE_RIGHT
                                           : GAIT_SIDE_UNKNOWN;
        g->t_ic_s = sq_col_real(s, 2);
        g->t_to_s = sq_col_real(s, 3);
        g->contact_ms = sq_col_real(s, 4);
        g->flight_ms = sq_col_real(s, 5);
        g->step_ms = sq_col_real(s, 6);
        g->cadence_spm = sq_col_real(s, 7);
        g->impact_peak_n = sq_col_real(s, 8);
        g->impact_peak_bw = sq_col_real(s, 9);
        g->t_impact_s = sq_col_real(s, 10);
        g->valr_bw_s = sq_col_real(s, 11);
        g->vilr_bw_s = sq_col_real(s, 12);
        g->active_peak_n = sq_col_real(s, 13);
        g->active_peak_bw = sq_col_real(s, 14);
        g->flags = (uint32_t)sqlite3_column_int64(s, 15);
        x->phase = sqlite3_column_int(s, 16);
        x->in_band = (int8_t)sqlite3_column_int(s, 17);
        x->under_ceiling = (int8_t)sqlite3_column_int(s, 18);
    }
    sqlite3_finalize(s);
    *out = buf;
    if (rc != SQLITE_DONE) {
        free(buf);
        *out = NULL;
        *n = 0;
        return rc == SQLITE_NOMEM ? GC_ERR_NOMEM : sq_err(st, rc, "reading steps");
    }
    return GC_OK;
}

/* ---- target changes ------------------------------------------------ */

int store_add_target_change(struct store *st, int64_t sid, const struct store_target_change *c)
{
    sqlite3_stmt *s;
    int rc = sq_prepare(st,
                     "INSERT INTO target_changes (session_id, t_s, source, feedback,"
                     " feedback_share, cadence_spm, cadence_lo_spm, cadence_hi_spm,"
                     " valr_ceiling_bw_s, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                     &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, sid);
    sqlite3_bind_double(s, 2, c->t_s);
    sq_bind_text(s, 3, c->source == STORE_SRC_THERAPIST ? "therapist" : "protocol");
    sq_bind_text(s, 4, plan_feedback_name(c->targets.feedback));
    sq_bind_real(s, 5, c->targets.feedback_share);
    sq_bind_real(s, 6, c->targets.cadence_spm);
    sq_bind_real(s, 7, c->targets.cadence_lo_spm);
    sq_bind_real(s, 8, c->targets.cadence_hi_spm);
    sq_bind_real(s, 9, c->targets.valr_ceiling_bw_s);
    sq_bind_text(s, 10, c->note);
    return sq_step_done(st, s, "storing a target change");
}

int store_load_target_changes(struct store *st, int64_t sid, struct store_target_change **out,
                              size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = sq_prepare(st,
                     "SELECT t_s, source, feedback, feedback_share, cadence_spm, cadence_lo_spm,"
                     " cadence_hi_spm, valr_ceiling_bw_s, note FROM target_changes"
                     " WHERE session_id = ?1 ORDER BY t_s, id",
                     &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, sid);
    size_t cap = 0;
    void *buf = NULL;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_target_change *c = sq_grow(&buf, n, &cap, sizeof *c);
        if (!c) {
            rc = SQLITE_NOMEM;
            break;
        }
        memset(c, 0, sizeof *c);
        c->t_s = sqlite3_column_double(s, 0);
        const unsigned char *src = sqlite3_column_text(s, 1);
        c->source = src && !strcmp((const char *)src, "therapist") ? STORE_SRC_THERAPIST
                                                                   : STORE_SRC_PROTOCOL;
        c->targets.feedback = feedback_of((const char *)sqlite3_column_text(s, 2));
        c->targets.feedback_share = sq_col_real(s, 3);
        c->targets.cadence_spm = sq_col_real(s, 4);
        c->targets.cadence_lo_spm = sq_col_real(s, 5);
        c->targets.cadence_hi_spm = sq_col_real(s, 6);
        c->targets.valr_ceiling_bw_s = sq_col_real(s, 7);
        sq_col_user_text(s, 8, c->note, sizeof c->note);
    }
    sqlite3_finalize(s);
    *out = buf;
    if (rc != SQLITE_DONE) {
        free(buf);
        *out = NULL;
        *n = 0;
        return rc == SQLITE_NOMEM ? GC_ERR_NOMEM : sq_err(st, rc, "reading target changes");
    }
    return GC_OK;
}

/* ---- markers ------------------------------------------------------- */

static const char *const marker_names[] = {"pain", "symptom", "note"};

const char *store_marker_kind_name(enum store_marker_kind k)
{
    return (unsigned)k < 3 ? marker_names[k] : "?";
}

int store_add_marker(struct store *st, int64_t sid, const struct store_marker *m)
{
    if ((unsigned)m->kind > STORE_MARK_NOTE ||
        (m->kind == STORE_MARK_PAIN && (m->pain < 0 || m->pain > 10)))
        return GC_ERR_ARG;
    sqlite3_stmt *s;
    int rc = sq_prepare(st,
                     "INSERT INTO markers (session_id, t_s, kind, pain, text, source) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                     &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, sid);
    sqlite3_bind_double(s, 2, m->t_s);
    sq_bind_text(s, 3, store_marker_kind_name(m->kind));
    if (m->kind == STORE_MARK_PAIN)
        sqlite3_bind_int(s, 4, m->pain);
    else
        sqlite3_bind_null(s, 4);
    sq_bind_text(s, 5, m->text);
    sq_bind_text(s, 6, m->source);
    return sq_step_done(st, s, "storing a marker");
}

int store_load_markers(struct store *st, int64_t sid, struct store_marker **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = sq_prepare(st,
                     "SELECT t_s, kind, pain, text, source FROM markers WHERE session_id = ?1 "
                     "ORDER BY t_s, id",
                     &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, sid);
    size_t cap = 0;
    void *buf = NULL;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_marker *m = sq_grow(&buf, n, &cap, sizeof *m);
        if (!m) {
            rc = SQLITE_NOMEM;
            break;
        }
        memset(m, 0, sizeof *m);
        m->t_s = sqlite3_column_double(s, 0);
        const char *k = (const char *)sqlite3_column_text(s, 1);
        m->kind = STORE_MARK_NOTE;
        for (int i = 0; i < 3; i++)
            if (k && !strcmp(k, marker_names[i]))
                m->kind = (enum store_marker_kind)i;
        m->pain = (int)sq_col_count(s, 2);
        sq_col_user_text(s, 3, m->text, sizeof m->text);
        sq_col_user_text(s, 4, m->source, sizeof m->source);
    }
    sqlite3_finalize(s);
    *out = buf;
    if (rc != SQLITE_DONE) {
        free(buf);
        *out = NULL;
        *n = 0;
        return rc == SQLITE_NOMEM ? GC_ERR_NOMEM : sq_err(st, rc, "reading markers");
    }
    return GC_OK;
}

