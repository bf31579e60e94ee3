/*
 * report_record.c - loads what a report shows from the store into plain
 * records (report_record.h), and the small facts read off a record.
 */
#include "report_record.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_doc.h"
#include "store_course.h"
#include "summary.h"

void report_record_free(struct report_record *r)
{
    free(r->phases);
    free(r->steps);
    free(r->changes);
    free(r->markers);
    free(r->symptoms);
    free(r->protocol_text);
    memset(r, 0, sizeof *r);
}

const char *report_symptom_source_name(enum report_symptom_source s)
{
    switch (s) {
    case REPORT_SYM_RECORD:
        return "symptoms command";
    case REPORT_SYM_PROM:
        return "prom command";
    case REPORT_SYM_MARK:
    default:
        return "ctl mark";
    }
}

/* The symptom words of a marker ("leak ...", "heaviness", "dragging",
 * "bleeding"), as course_app reads them for the gate. */
static unsigned marker_flags(const char *text)
{
    static const struct {
        const char *word;
        unsigned flag;
    } words[] = {{"leak", PROGRAM_SYM_LEAK},
                 {"heaviness", PROGRAM_SYM_HEAVINESS},
                 {"dragging", PROGRAM_SYM_HEAVINESS},
                 {"bleeding", PROGRAM_SYM_BLEEDING}};
    unsigned f = 0;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strncmp(text, words[i].word, strlen(words[i].word)))
            f |= words[i].flag;
    return f;
}

/* r->symptoms: the session's pain and symptom markers, then the records
 * the course tables attach to it (course_store_session_records). */
static int load_symptoms(struct course_store *cs, struct report_record *r, struct gc_diag *diag)
{
    struct course_symptom_row *ys = NULL;
    struct course_prom_row *ms = NULL;
    size_t ny = 0, nm = 0;
    int64_t program_id;
    int step;
    int rc = course_store_session_link(cs, r->ss.id, &program_id, &step, diag);
    r->in_program = rc == GC_OK;
    if (rc == GC_ERR_NOT_FOUND)
        rc = GC_OK;
    if (rc == GC_OK)
        rc = course_store_session_records(cs, r->ss.patient_id, r->ss.id, &ys, &ny, &ms, &nm, diag);
    if (rc)
        return rc;
    r->symptoms = calloc(r->n_markers + ny + nm + 1, sizeof *r->symptoms);
    if (!r->symptoms) {
        free(ys);
        free(ms);
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory reading the session's symptoms");
    }
    for (size_t i = 0; i < r->n_markers; i++) {
        const struct store_marker *m = &r->markers[i];
        unsigned f = m->kind == STORE_MARK_SYMPTOM ? marker_flags(m->text) : 0;
        if (!(m->kind == STORE_MARK_PAIN && m->pain >= 0) && m->kind != STORE_MARK_SYMPTOM)
            continue;
        struct report_symptom *y = &r->symptoms[r->n_symptoms++];
        y->source = REPORT_SYM_MARK;
        snprintf(y->by, sizeof y->by, "%s", m->source);
        y->when = COURSE_DURING;
        y->t_rel_s = m->t_s - r->ss.t0_sensor_s;
        y->pain = m->kind == STORE_MARK_PAIN ? m->pain : -1;
        y->flags = f;
        y->lefs = -1;
        snprintf(y->note, sizeof y->note, "%s", m->text);
    }
    for (size_t i = 0; i < ny; i++) {
        struct report_symptom *y = &r->symptoms[r->n_symptoms++];
        y->source = REPORT_SYM_RECORD;
        y->when = ys[i].when;
        y->t_rel_s = NAN;
        y->utc = ys[i].utc;
        y->pain = ys[i].pain;
        y->flags = ys[i].flags;
        y->lefs = -1;
        snprintf(y->site, sizeof y->site, "%s", ys[i].site);
        snprintf(y->note, sizeof y->note, "%s", ys[i].note);
    }
    for (size_t i = 0; i < nm; i++) {
        struct report_symptom *y = &r->symptoms[r->n_symptoms++];
        y->source = REPORT_SYM_PROM;
        y->when = COURSE_AFTER;
        y->t_rel_s = NAN;
        y->utc = ms[i].utc;
        y->pain = ms[i].nprs;
        y->lefs = ms[i].lefs;
    }
    free(ys);
    free(ms);
    return GC_OK;
}

static int load(struct store *st, struct course_store *cs, int64_t sid, struct report_record *r,
                bool with_prev, struct gc_diag *diag)
{
    memset(r, 0, sizeof *r);
    int rc = store_session_get(st, sid, &r->ss);
    if (rc == GC_ERR_NOT_FOUND)
        return gc_fail(diag, rc, "there is no session %lld; 'station sessions' lists them",
                       (long long)sid);
    if (rc == GC_OK)
        rc = store_patient_get(st, r->ss.patient_id, &r->pat);
    if (rc == GC_OK)
        rc = store_load_phases(st, sid, &r->phases, &r->n_phases);
    if (rc == GC_OK)
        rc = store_load_steps(st, sid, &r->steps, &r->n_steps);
    if (rc == GC_OK)
        rc = store_load_target_changes(st, sid, &r->changes, &r->n_changes);
    if (rc == GC_OK)
        rc = store_load_markers(st, sid, &r->markers, &r->n_markers);
    if (rc == GC_OK)
        rc = store_session_protocol(st, sid, &r->protocol_text);
    if (rc == GC_OK)
        rc = store_conditions_get(st, sid, &r->cond, NULL);
    if (rc) {
        report_record_free(r);
        return gc_fail(diag, rc, "cannot read session %lld from the store (%s): %s",
                       (long long)sid, gc_strerror(rc), store_errmsg(st));
    }
    rc = load_symptoms(cs, r, diag);
    if (rc) {
        report_record_free(r);
        return rc;
    }
    /* a stored protocol that no longer reads: the report goes without the plan */
    r->have_plan = r->protocol_text[0] &&
                   plan_parse(r->protocol_text, strlen(r->protocol_text), &r->plan, NULL) == GC_OK;
    double end = 0;
    for (size_t i = 0; i < r->n_steps; i++) {
        double rel = r->steps[i].step.t_ic_s - r->ss.t0_sensor_s;
        if (rel > end)
            end = rel;
    }
    for (size_t i = 0; i < r->n_markers; i++) {
        double rel = r->markers[i].t_s - r->ss.t0_sensor_s;
        if (rel > end)
            end = rel;
    }
    /* where it ended: the stop's time, or a complete plan's planned end
     * (an open last phase has none: as far as it went) */
    if (isfinite(r->ss.stopped_at_s) && r->ss.stopped_at_s > end)
        end = r->ss.stopped_at_s;
    if (r->ss.status == STORE_COMPLETE && r->n_phases) {
        const struct store_phase *last = &r->phases[r->n_phases - 1];
        double planned_end = last->start_s + last->planned_s;
        if (last->started && isfinite(planned_end) && planned_end > end)
            end = planned_end;
    }
    r->t_end_rel = end > 1 ? end : 1;
    if (!with_prev)
        return GC_OK;
    int64_t prev_id;
    rc = store_session_previous(st, sid, &prev_id);
    if (rc == GC_ERR_NOT_FOUND)
        return GC_OK; /* the first of its protocol */
    struct report_record prev;
    if (rc == GC_OK)
        rc = load(st, cs, prev_id, &prev, false, diag);
    if (rc) {
        report_record_free(r);
        return diag && diag->code ? diag->code
                                  : gc_fail(diag, rc, "cannot find the session before %lld: %s",
                                            (long long)sid, store_errmsg(st));
    }
    r->has_prev = true;
    r->prev = prev.ss;
    r->prev_cond = prev.cond;
    report_key_of(&prev, &r->prev_key);
    report_record_free(&prev);
    return GC_OK;
}

void report_conditions_text(const struct store_conditions *c, char *buf, size_t cap)
{
    char speed[64], incline[48], deck[128], since[16] = "";
    if (isfinite(c->speed_mps))
        snprintf(speed, sizeof speed, "treadmill %.2f m/s", c->speed_mps);
    else
        snprintf(speed, sizeof speed, "treadmill speed not entered");
    if (isfinite(c->incline_pct))
        snprintf(incline, sizeof incline, ", incline %.1f %%", c->incline_pct);
    else
        snprintf(incline, sizeof incline, ", incline not entered");
    /* the timeline: "; speed 3.40 m/s from 0:25 (ctl)" each */
    char changes[512] = "";
    size_t n = c->n_changes < STORE_COND_CHANGES_MAX ? c->n_changes : STORE_COND_CHANGES_MAX;
    for (size_t i = 0; i < n; i++) {
        const struct store_condition_change *ch = &c->changes[i];
        char t[16];
        rd_fmt_clock(t, sizeof t, ch->t_rel_s);
        size_t k = strlen(changes);
        snprintf(changes + k, sizeof changes - k,
                 ch->incline ? "; incline %.1f %% from %s (%s)" : "; speed %.2f m/s from %s (%s)",
                 ch->to, t, ch->source);
    }
    if (c->n_changes > n) {
        size_t k = strlen(changes);
        snprintf(changes + k, sizeof changes - k, "; %zu more changes", c->n_changes - n);
    }
    double since_s;
    double end_speed = store_conditions_end_speed(c, &since_s);
    if (since_s > 0)
        rd_fmt_clock(since, sizeof since, since_s);
    if (isfinite(c->deck_speed_mps) && c->deck_speed_steps >= SUMMARY_DECK_MIN_STEPS) {
        if (since[0])
            snprintf(deck, sizeof deck,
                     "deck estimate %.2f +- %.2f m/s over the %lld steps since %s",
                     c->deck_speed_mps, c->deck_speed_ci95_mps, (long long)c->deck_speed_steps,
                     since);
        else
            snprintf(deck, sizeof deck, "deck estimate %.2f +- %.2f m/s over %lld steps",
                     c->deck_speed_mps, c->deck_speed_ci95_mps, (long long)c->deck_speed_steps);
    } else
        snprintf(deck, sizeof deck, "no deck estimate");
    bool disagree = isfinite(end_speed) && isfinite(c->deck_speed_mps) &&
                    c->deck_speed_steps >= SUMMARY_DECK_MIN_STEPS &&
                    fabs(c->deck_speed_mps - end_speed) > SUMMARY_SPEED_DISAGREE_FRAC * end_speed;
    snprintf(buf, cap, "Shoe: %s; %s%s%s%s; %s%s", c->shoe[0] ? c->shoe : "not given", speed,
             incline, n ? " at the start" : "", changes, deck,
             disagree ? " - more than 10 % off the entered speed" : "");
}

void report_link_text(const struct store_conditions *c, enum store_status status, char *buf,
                      size_t cap, char *warning, size_t wcap)
{
    if (warning && wcap)
        warning[0] = 0;
    if (c->link_lost < 0) {
        if (status == STORE_RUNNING)
            snprintf(buf, cap, "Link: not saved yet (the session is still running).");
        else if (status == STORE_INTERRUPTED)
            snprintf(buf, cap, "Link: not recorded (the session was interrupted before its "
                               "link health was saved).");
        else
            snprintf(buf, cap, "Link: not recorded (a session stored before gaitcue kept link "
                               "health).");
        return;
    }
    snprintf(buf, cap,
             "Link%s: %lld blocks recovered by a resend, %lld lost (%lld blocks requested again, "
             "repeats counted).",
             status == STORE_RUNNING       ? " so far (the session is still running)"
             : status == STORE_INTERRUPTED ? " to the last save before the interruption"
                                           : "",
             (long long)(c->link_recovered > 0 ? c->link_recovered : 0), (long long)c->link_lost,
             (long long)(c->link_requested > 0 ? c->link_requested : 0));
    if (c->link_lost > 0 && warning && wcap)
        snprintf(warning, wcap,
                 "%lld blocks of sensor data were lost for good: the steps whose stance "
                 "touched a gap have no loading figures; check the sensor's cable.",
                 (long long)c->link_lost);
}

int report_record_load(struct store *st, int64_t sid, struct report_record *r,
                       struct gc_diag *diag)
{
    memset(r, 0, sizeof *r);
    struct course_store *cs;
    int rc = course_store_open(st, &cs, diag);
    if (rc)
        return rc;
    rc = load(st, cs, sid, r, true, diag);
    course_store_close(cs);
    return rc;
}

static uint64_t phase_mask_kind(const struct report_record *r, int k1, int k2)
{
    uint64_t m = 0;
    for (size_t i = 0; i < r->n_phases && i < 64; i++)
        if ((int)r->phases[i].kind == k1 || (int)r->phases[i].kind == k2)
            m |= SESSION_PHASE_BIT(r->phases[i].idx);
    return m;
}

void report_key_of(const struct report_record *r, struct report_key *k)
{
    session_stats_compute(r->steps, r->n_steps, SESSION_ALL_PHASES, &k->all);
    session_stats_compute(r->steps, r->n_steps, phase_mask_kind(r, PLAN_KIND_BASELINE, -1),
                          &k->baseline);
    session_stats_compute(r->steps, r->n_steps,
                          phase_mask_kind(r, PLAN_KIND_TRAINING, PLAN_KIND_RUN), &k->training);
    session_stats_compute(r->steps, r->n_steps, phase_mask_kind(r, PLAN_KIND_RETENTION, -1),
                          &k->retention);
    k->pain_max = -1;
    for (size_t i = 0; i < r->n_symptoms; i++)
        if (r->symptoms[i].pain > k->pain_max)
            k->pain_max = r->symptoms[i].pain;
}

static int key_figures(struct store *st, struct course_store *cs, int64_t sid,
                       struct report_key *out, struct gc_diag *diag)
{
    struct report_record r;
    int rc = load(st, cs, sid, &r, false, diag);
    if (rc)
        return rc;
    report_key_of(&r, out);
    report_record_free(&r);
    return GC_OK;
}

int report_key_figures(struct store *st, int64_t sid, struct report_key *out, struct gc_diag *diag)
{
    struct course_store *cs;
    int rc = course_store_open(st, &cs, diag);
    if (rc)
        return rc;
    rc = key_figures(st, cs, sid, out, diag);
    course_store_close(cs);
    return rc;
}
/* The targets in force at session time rel_s: every change (protocol
 * phase or PT) is stored with everything in force after it. */
const struct session_targets *report_targets_at(const struct report_record *r, double rel_s)
{
    const struct session_targets *t = NULL;
    for (size_t i = 0; i < r->n_changes; i++)
        if (r->changes[i].t_s - r->ss.t0_sensor_s <= rel_s + 1e-9)
            t = &r->changes[i].targets;
    return t;
}

/* A phase ends where the next phase that began after it began (the PT
 * may have skipped some, or added one at the end), else at its planned
 * end or the session's end, whichever came first. */
double report_phase_end_rel(const struct report_record *r, size_t i)
{
    double start = r->phases[i].start_s, next = INFINITY;
    for (size_t k = 0; k < r->n_phases; k++)
        if (k != i && r->phases[k].started && r->phases[k].start_s >= start &&
            r->phases[k].idx > r->phases[i].idx && r->phases[k].start_s < next)
            next = r->phases[k].start_s;
    if (isfinite(next))
        return next;
    double planned = start + r->phases[i].planned_s;
    return planned < r->t_end_rel ? planned : r->t_end_rel;
}
void report_status_text(const struct store_session *ss, char *buf, size_t cap)
{
    char t[16];
    rd_fmt_clock(t, sizeof t, ss->stopped_at_s);
    char at[24] = "";
    if (isfinite(ss->stopped_at_s))
        snprintf(at, sizeof at, " at %s", t);
    if (ss->status == STORE_STOPPED && !strcmp(ss->stopped_by, "--seconds"))
        snprintf(buf, cap, "stopped%s by --seconds, before the plan's end", at);
    else if (ss->status == STORE_STOPPED && !strncmp(ss->stopped_by, "SIG", 3))
        snprintf(buf, cap, "stopped%s by %s (the system or another program, not the PT)", at,
                 ss->stopped_by);
    else if (ss->status == STORE_STOPPED && ss->stopped_by[0])
        snprintf(buf, cap, "stopped%s by %s", at, ss->stopped_by);
    else if (ss->status == STORE_STOPPED) /* before schema 6: who is not known */
        snprintf(buf, cap, "stopped%s before the plan's end", at);
    else if (ss->status == STORE_COMPLETE && !strncmp(ss->stopped_by, "SIG", 3))
        snprintf(buf, cap, "complete (its open last phase ended by %s: the system or another "
                 "program, not the PT)", ss->stopped_by);
    else
        snprintf(buf, cap, "%s", store_status_name(ss->status));
    if (ss->excluded_utc) {
        size_t n = strlen(buf);
        snprintf(buf + n, cap - n, "; excluded from progress: %.80s", ss->exclude_reason);
    }
}
double report_key_value(const struct session_stats *x, enum report_figure what, int *dec)
{
    switch (what) {
    case REPORT_FIG_CADENCE:
        *dec = SESSION_DEC_CADENCE;
        return x->cadence_spm;
    case REPORT_FIG_CONTACT:
        *dec = SESSION_DEC_CONTACT;
        return x->contact_ms;
    case REPORT_FIG_VALR:
        *dec = SESSION_DEC_RATE;
        return x->valr_bw_s;
    case REPORT_FIG_VILR:
        *dec = SESSION_DEC_RATE;
        return x->vilr_bw_s;
    case REPORT_FIG_IN_BAND_PCT:
        *dec = SESSION_DEC_SHARE;
        return isfinite(x->share_in_band) ? x->share_in_band * 100.0 : NAN;
    case REPORT_FIG_IMPACT_PEAK:
    default:
        *dec = SESSION_DEC_PEAK_BW;
        return x->impact_peak_bw;
    }
}

/* ---- one patient's sessions ------------------------------------------ */

struct collect {
    struct report_progress *p;
    size_t cap;
    bool nomem;
};

static void collect_row(const struct store_session *ss, void *user)
{
    struct collect *c = user;
    if (c->nomem)
        return;
    if (c->p->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 16;
        struct report_progress_row *rows = realloc(c->p->rows, nc * sizeof *rows);
        if (!rows) {
            c->nomem = true;
            return;
        }
        c->p->rows = rows;
        c->cap = nc;
    }
    memset(&c->p->rows[c->p->n], 0, sizeof c->p->rows[0]);
    c->p->rows[c->p->n++].ss = *ss;
}

int report_progress_load(struct store *st, int64_t patient_id, struct report_progress *p,
                         struct gc_diag *diag)
{
    memset(p, 0, sizeof *p);
    int rc = store_patient_get(st, patient_id, &p->pat);
    if (rc == GC_ERR_NOT_FOUND)
        return gc_fail(diag, rc, "there is no patient with id %lld; 'station patient list' "
                                 "shows them", (long long)patient_id);
    if (rc)
        return gc_fail(diag, rc, "cannot read the patient from the store: %s", store_errmsg(st));
    struct collect c = {.p = p};
    rc = store_session_list(st, patient_id, collect_row, &c);
    if (rc >= 0 && c.nomem)
        rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory listing the patient's sessions");
    else if (rc < 0)
        gc_fail(diag, rc, "cannot list the patient's sessions: %s", store_errmsg(st));
    struct course_store *cs = NULL;
    if (rc >= 0)
        rc = course_store_open(st, &cs, diag);
    for (size_t i = 0; rc >= 0 && i < p->n; i++) {
        rc = key_figures(st, cs, p->rows[i].ss.id, &p->rows[i].key, diag);
        if (rc >= 0)
            rc = store_conditions_get(st, p->rows[i].ss.id, &p->rows[i].cond, diag);
    }
    course_store_close(cs);
    if (rc < 0) {
        report_progress_free(p);
        return rc;
    }
    return GC_OK;
}

void report_progress_free(struct report_progress *p)
{
    free(p->rows);
    p->rows = NULL;
    p->n = 0;
}
