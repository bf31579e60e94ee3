/* course_report.c - load the course report's record (course_report.h). */
#include "course_report.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "course_app.h"
#include "store_course.h"

/* The criterion and the main figure from a stored test's JSON. */
static void test_from_json(const struct course_test_row *row, struct report_course_test *t)
{
    t->id = row->id;
    t->utc = row->utc;
    t->value = NAN;
    snprintf(t->test, sizeof t->test, "%s", row->test);
    t->side = row->side;
    t->pass = row->pass;
    snprintf(t->summary, sizeof t->summary, "%s", row->summary);
    snprintf(t->criterion, sizeof t->criterion, "-");
    snprintf(t->result, sizeof t->result, "-");
    cJSON *o = cJSON_Parse(row->json_text);
    if (!o)
        return;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "criterion");
    if (cJSON_IsString(c))
        snprintf(t->criterion, sizeof t->criterion, "%s", c->valuestring);
    const cJSON *hold = cJSON_GetObjectItemCaseSensitive(o, "hold_s");
    const cJSON *count = cJSON_GetObjectItemCaseSensitive(o, "count");
    const cJSON *jog = cJSON_GetObjectItemCaseSensitive(o, "jog_s");
    const cJSON *form = cJSON_GetObjectItemCaseSensitive(o, "form");
    int n = cJSON_IsNumber(count) ? count->valueint : 0;
    const char *unit = !strcmp(row->test, "hop")          ? "hops"
                       : !strcmp(row->test, "calf-raise") ? "raises"
                       : !strcmp(row->test, "squat")      ? "squats"
                                                          : "";
    if (cJSON_IsNumber(hold))
        t->value = hold->valuedouble;
    else if (cJSON_IsNumber(jog))
        t->value = jog->valuedouble;
    else if (cJSON_IsNumber(count))
        t->value = count->valuedouble;
    if (cJSON_IsNumber(hold))
        snprintf(t->result, sizeof t->result, "hold %.1f s", hold->valuedouble);
    else if (cJSON_IsNumber(jog))
        snprintf(t->result, sizeof t->result, "%.0f s, %d steps", jog->valuedouble, n);
    else if (cJSON_IsNumber(count))
        snprintf(t->result, sizeof t->result, "%d %s%s%s", n, unit,
                 cJSON_IsString(form) ? ", form " : "",
                 cJSON_IsString(form) ? form->valuestring : "");
    cJSON_Delete(o);
}

/* The training target a session was given: its first training or run
 * phase's target as resolved when the phase began. */
static double session_target(struct store *st, int64_t sid)
{
    struct store_phase *ph = NULL;
    size_t n = 0;
    double v = NAN;
    if (store_load_phases(st, sid, &ph, &n) != GC_OK)
        return NAN;
    for (size_t i = 0; i < n && !isfinite(v); i++)
        if ((ph[i].kind == PLAN_KIND_TRAINING || ph[i].kind == PLAN_KIND_RUN) && ph[i].started &&
            isfinite(ph[i].targets.cadence_spm))
            v = ph[i].targets.cadence_spm;
    free(ph);
    return v;
}

static int load_view(struct store *st, struct course_store *cs, int64_t patient_id,
                     struct course_view *v, struct gc_diag *diag)
{
    int64_t today = course_app_today(NULL, 0);
    int rc = course_app_view(st, cs, patient_id, 0, today, v, diag);
    if (rc != GC_ERR_NOT_FOUND)
        return rc;
    /* no active program: the latest one */
    struct course_program_row *rows = NULL;
    size_t n = 0;
    gc_diag_clear(diag);
    rc = course_store_programs(cs, patient_id, &rows, &n, diag);
    if (rc)
        return rc;
    int64_t last = n ? rows[n - 1].id : 0;
    course_program_rows_free(rows, n);
    if (!last)
        return GC_ERR_NOT_FOUND;
    return course_app_view(st, cs, patient_id, last, today, v, diag);
}

int course_report_load(struct store *st, const struct store_patient *pat, struct report_course *r,
                       struct gc_diag *diag)
{
    memset(r, 0, sizeof *r);
    r->pat = *pat;
    r->printed_utc = (int64_t)time(NULL);
    struct course_store *cs;
    int rc = course_store_open(st, &cs, diag);
    if (rc)
        return rc;
    struct course_test_row *tests = NULL;
    size_t n_tests = 0;
    rc = course_store_tests(cs, pat->id, &tests, &n_tests, diag);
    if (!rc && n_tests) {
        r->tests = calloc(n_tests, sizeof *r->tests);
        if (!r->tests)
            rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory reading the tests");
        for (size_t i = 0; !rc && i < n_tests; i++)
            test_from_json(&tests[i], &r->tests[r->n_tests++]);
    }
    free(tests);
    struct course_view v;
    int vrc = rc ? rc : load_view(st, cs, pat->id, &v, diag);
    course_store_close(cs);
    if (vrc == GC_ERR_NOT_FOUND) {
        gc_diag_clear(diag);
        return GC_OK; /* no program: the readiness report still has its tests */
    }
    if (vrc) {
        report_course_free(r);
        return vrc;
    }
    r->have_program = true;
    r->program = v.program;
    r->program_id = v.row.id;
    snprintf(r->start_date, sizeof r->start_date, "%s", v.row.start_date);
    r->started_utc = v.row.started_utc;
    r->stopped_utc = v.row.stopped_utc;
    snprintf(r->stop_reason, sizeof r->stop_reason, "%s", v.row.stop_reason);
    snprintf(r->therapist, sizeof r->therapist, "%s", v.row.therapist);
    r->week = v.week;
    r->state = v.state;
    r->symptoms = v.symptoms;
    r->n_symptoms = v.n_symptoms;
    v.symptoms = NULL;
    r->proms = v.proms;
    r->n_proms = v.n_proms;
    v.proms = NULL;
    r->sessions = calloc(v.n_sessions + 1, sizeof *r->sessions);
    r->events = calloc(v.n_timeline + 1, sizeof *r->events);
    if (!r->sessions || !r->events) {
        rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory reading the course");
        goto out;
    }
    for (size_t i = 0; i < v.n_sessions; i++) {
        struct report_course_session *s = &r->sessions[r->n_sessions];
        if (store_session_get(st, v.sessions[i].s.session_id, &s->ss) != GC_OK)
            continue;
        rc = report_key_figures(st, s->ss.id, &s->key, diag);
        if (rc)
            goto out;
        s->step = v.sessions[i].s.step;
        s->counted = v.sessions[i].s.counted;
        s->retention_probe = s->key.retention.n_steps > 0;
        s->target_cadence_spm = session_target(st, s->ss.id);
        r->n_sessions++;
    }
    size_t si = 0, oi = 0;
    for (size_t i = 0; i < v.n_timeline; i++) {
        const struct course_decision *d = &v.timeline[i];
        struct report_course_event *e = &r->events[r->n_events++];
        e->session_id = d->session_id;
        e->action = d->action;
        e->from_step = d->from_step;
        e->to_step = d->to_step;
        e->pain_max = d->pain_max;
        snprintf(e->reason, sizeof e->reason, "%s", d->reason);
        if (d->action == COURSE_OVERRIDE)
            e->utc = oi < v.n_overrides ? v.overrides[oi++].utc : 0;
        else
            e->utc = si < v.n_sessions ? v.sessions[si++].s.start_utc : 0;
    }
out:
    course_app_view_free(&v);
    if (rc)
        report_course_free(r);
    return rc;
}
