/* course_app.c - programs and the course for the commands (course_app.h). */
#include "course_app.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "datadir.h"
#include "feedback_app.h"
#include "session_recorder.h"

/* Program files are a few kB; anything larger is not one. */
#define PROGRAM_FILE_MAX (64 * 1024)

static const char *const presets[] = {"return-to-run-postpartum", "gait-retraining-8"};

void course_app_preset_names(char *buf, size_t cap)
{
    snprintf(buf, cap, "%s, %s", presets[0], presets[1]);
}

static int read_text(const char *path, char **text, struct gc_diag *diag)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return gc_fail(diag, errno == ENOENT ? GC_ERR_NOT_FOUND : GC_ERR_IO,
                       "cannot read program %s: %s", path, strerror(errno));
    char *buf = malloc(PROGRAM_FILE_MAX + 1);
    if (!buf) {
        fclose(f);
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory reading program %s", path);
    }
    size_t n = fread(buf, 1, PROGRAM_FILE_MAX + 1, f);
    bool err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        return gc_fail(diag, GC_ERR_IO, "cannot read program %s", path);
    }
    if (n > PROGRAM_FILE_MAX) {
        free(buf);
        return gc_fail(diag, GC_ERR_FORMAT,
                       "program %s is larger than %d kB: it is not a program file", path,
                       PROGRAM_FILE_MAX / 1024);
    }
    buf[n] = '\0';
    *text = buf;
    return GC_OK;
}

int course_app_load_program(const char *name, struct program *p, char **text_out,
                            struct gc_diag *diag)
{
    if (text_out)
        *text_out = NULL;
    char path[1024] = "";
    size_t len = strlen(name);
    if (len == 0)
        return gc_fail(diag, GC_ERR_ARG, "no program given: name a preset or a program file");
    if (strchr(name, '/') || (len > 4 && !strcmp(name + len - 4, ".ini"))) {
        snprintf(path, sizeof path, "%s", name);
    } else {
        char cand[3][1024];
        int nc = 0;
        char dir[1024];
        if (datadir_path("programs", dir, sizeof dir) == GC_OK &&
            snprintf(cand[nc], sizeof cand[0], "%s/%s.ini", dir, name) < (int)sizeof cand[0])
            nc++;
        const char *env = getenv("GAITCUE_PROGRAMS");
        if (env && env[0] &&
            snprintf(cand[nc], sizeof cand[0], "%s/%s.ini", env, name) < (int)sizeof cand[0])
            nc++;
        if (snprintf(cand[nc], sizeof cand[0], "%s/programs/%s.ini", GC_DATADIR, name) <
            (int)sizeof cand[0])
            nc++;
        for (int i = 0; i < nc && !path[0]; i++)
            if (access(cand[i], R_OK) == 0)
                memcpy(path, cand[i], sizeof path);
        if (!path[0]) {
            char names[160];
            course_app_preset_names(names, sizeof names);
            return gc_fail(diag, GC_ERR_NOT_FOUND,
                           "unknown program '%.60s': use %s (station program list) or the path "
                           "of a program file",
                           name, names);
        }
    }
    char *text = NULL;
    int rc = read_text(path, &text, diag);
    if (rc)
        return rc;
    struct gc_diag pd;
    rc = program_parse(text, strlen(text), p, &pd);
    if (rc) {
        free(text);
        return gc_fail(diag, rc, "program %s: %s; fix the file and try again", path, pd.msg);
    }
    if (text_out)
        *text_out = text;
    else
        free(text);
    return GC_OK;
}

int64_t course_app_today(char *ymd, size_t cap)
{
    time_t now = time(NULL);
    struct tm tm;
    char buf[16] = "1970-01-01";
    if (localtime_r(&now, &tm))
        strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    if (ymd)
        snprintf(ymd, cap, "%s", buf);
    int64_t d = 0;
    if (course_date_days(buf, &d) != GC_OK)
        d = 0;
    return d;
}

/* A marker the PT set during the session, as a symptom record: "pain N",
 * "symptom leak ...", "symptom heaviness|dragging ...", "symptom
 * bleeding ...". */
static bool marker_symptom(const struct store_marker *m, int64_t sid, struct course_symptom *out)
{
    memset(out, 0, sizeof *out);
    out->ref_session_id = sid;
    out->when = COURSE_DURING;
    out->pain = -1;
    if (m->kind == STORE_MARK_PAIN) {
        out->pain = m->pain;
        return m->pain >= 0;
    }
    if (m->kind != STORE_MARK_SYMPTOM)
        return false;
    static const struct {
        const char *word;
        unsigned flag;
    } words[] = {{"leak", PROGRAM_SYM_LEAK},
                 {"heaviness", PROGRAM_SYM_HEAVINESS},
                 {"dragging", PROGRAM_SYM_HEAVINESS},
                 {"bleeding", PROGRAM_SYM_BLEEDING}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strncmp(m->text, words[i].word, strlen(words[i].word)))
            out->flags |= words[i].flag;
    return out->flags != 0;
}

/* A target a runner can get feedback on: a cadence band or a loading
 * ceiling, with a feedback mode on. */
static bool gives_target(const struct session_targets *t)
{
    return t->feedback != PLAN_FB_NONE &&
           (isfinite(t->cadence_spm) || isfinite(t->valr_ceiling_bw_s));
}

/* Was feedback given in the feedback phases the session reached?  A phase
 * is a feedback phase when it is training or run with a feedback mode at
 * its start or after a change within it; it gave feedback when a target
 * was in force at some time in it (its start, or a change by the protocol
 * or the PT before the next phase began). */
static void feedback_facts(struct store *st, const struct store_session *ss,
                           const struct store_phase *ph, size_t n_ph,
                           struct course_session_facts *f)
{
    struct store_target_change *ch = NULL;
    size_t n_ch = 0;
    if (store_load_target_changes(st, ss->id, &ch, &n_ch) != GC_OK) {
        ch = NULL;
        n_ch = 0;
    }
    for (size_t k = 0; k < n_ch; k++)
        if (strstr(ch[k].note, "baseline: too few steps"))
            f->baseline_no_target = true;
    for (size_t i = 0; i < n_ph; i++) {
        if (!ph[i].started || (ph[i].kind != PLAN_KIND_TRAINING && ph[i].kind != PLAN_KIND_RUN))
            continue;
        double start = ph[i].start_s, end = INFINITY;
        for (size_t k = 0; k < n_ph; k++)
            if (k != i && ph[k].started && ph[k].idx > ph[i].idx && ph[k].start_s >= start &&
                ph[k].start_s < end)
                end = ph[k].start_s;
        bool fb = ph[i].targets.feedback != PLAN_FB_NONE, given = gives_target(&ph[i].targets);
        for (size_t k = 0; k < n_ch; k++) {
            double rel = ch[k].t_s - ss->t0_sensor_s;
            if (rel < start - 1e-6 || rel >= end)
                continue;
            fb = fb || ch[k].targets.feedback != PLAN_FB_NONE;
            given = given || gives_target(&ch[k].targets);
        }
        if (!fb)
            continue; /* a run without feedback by plan: not judged */
        f->n_feedback_phases++;
        if (given)
            f->n_feedback_given++;
        else if (!f->no_target_phase[0])
            snprintf(f->no_target_phase, sizeof f->no_target_phase, "%.47s", ph[i].name);
    }
    free(ch);
}

/* The facts course_session_counts judges, from the stored session. */
static bool session_counts(struct store *st, const struct store_session *ss, char *why, size_t cap)
{
    struct course_session_facts f;
    memset(&f, 0, sizeof f);
    f.end = ss->status == STORE_COMPLETE  ? COURSE_END_COMPLETE
            : ss->status == STORE_STOPPED ? COURSE_END_STOPPED
                                          : COURSE_END_OTHER;
    f.excluded = ss->excluded_utc != 0;
    f.n_steps = (long)ss->n_steps;
    double scale = ss->time_scale > 0 ? ss->time_scale : 1.0;
    /* planned: where the last planned phase ends (the store keeps the
     * plan's times as run, i.e. divided by the time scale) */
    double planned = 0;
    struct store_phase *ph = NULL;
    size_t n_ph = 0;
    if (store_load_phases(st, ss->id, &ph, &n_ph) == GC_OK)
        for (size_t i = 0; i < n_ph; i++)
            planned = fmax(planned, ph[i].planned_start_s + ph[i].planned_s);
    feedback_facts(st, ss, ph, n_ph, &f);
    free(ph);
    double clock_s = isfinite(ss->stopped_at_s)    ? ss->stopped_at_s
                     : ss->end_utc > ss->start_utc ? (double)(ss->end_utc - ss->start_utc)
                                                   : 0;
    if (f.end == COURSE_END_COMPLETE && isfinite(planned) && planned > 0)
        clock_s = fmin(clock_s > 0 ? clock_s : planned, planned);
    f.planned_s = planned * scale;
    f.clock_s = clock_s;
    f.ran_s = f.end == COURSE_END_COMPLETE ? f.planned_s : clock_s * scale;
    f.time_scale = scale;
    f.simulated = ss->simulated;
    f.not_delivered = !feedback_delivery_reached(ss->feedback_delivery);
    return course_session_counts(&f, why, cap);
}

bool course_app_red_flag(const struct program *p, int pain, unsigned flags)
{
    unsigned rules = p->gate.repeat_on | p->gate.step_back_on;
    if (pain >= 0 && pain >= p->gate.pain_threshold && (rules & PROGRAM_SYM_PAIN))
        return true;
    return (flags & rules & ~(unsigned)PROGRAM_SYM_PAIN) != 0;
}

/* The red flags reported about sessions that ran outside the program
 * while it was active (after it started): v->outside. */
static int find_outside(struct store *st, struct course_view *v,
                        const struct course_link_row *links, size_t n_links, struct gc_diag *diag)
{
    size_t n = v->n_symptoms + v->n_proms;
    v->outside = calloc(n + 1, sizeof *v->outside);
    if (!v->outside)
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory reading the course");
    for (size_t i = 0; i < n; i++) {
        bool prom = i >= v->n_symptoms;
        const struct course_symptom_row *y = prom ? NULL : &v->symptoms[i];
        const struct course_prom_row *m = prom ? &v->proms[i - v->n_symptoms] : NULL;
        int64_t ref = prom ? m->ref_session_id : y->ref_session_id;
        int pain = prom ? m->nprs : y->pain;
        unsigned flags = prom ? 0 : y->flags;
        if (ref == 0 || (!prom && y->when == COURSE_BEFORE) ||
            !course_app_red_flag(&v->program, pain, flags))
            continue;
        bool linked = false;
        for (size_t k = 0; k < n_links && !linked; k++)
            linked = links[k].session_id == ref;
        struct store_session ss;
        if (linked || store_session_get(st, ref, &ss) != GC_OK ||
            ss.start_utc < v->row.started_utc ||
            (v->row.stopped_utc && ss.start_utc > v->row.stopped_utc))
            continue;
        struct course_outside_flag *o = &v->outside[v->n_outside++];
        o->session_id = ref;
        o->utc = prom ? m->utc : y->utc;
        o->when = prom ? COURSE_AFTER : y->when;
        o->prom = prom;
        o->pain = pain;
        o->flags = flags;
        snprintf(o->site, sizeof o->site, "%s", prom ? "" : y->site);
    }
    return GC_OK;
}

/* The patient's readiness tests as the gate judges them: the figure the
 * criterion reads, from the stored JSON (NAN when it is not there). */
static int load_tests(struct course_store *cs, int64_t patient_id, struct course_test **out,
                      size_t *n_out, struct gc_diag *diag)
{
    struct course_test_row *rows = NULL;
    size_t n = 0;
    *out = NULL;
    *n_out = 0;
    int rc = course_store_tests(cs, patient_id, &rows, &n, diag);
    if (rc)
        return rc;
    struct course_test *t = calloc(n + 1, sizeof *t);
    if (!t) {
        free(rows);
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory reading the readiness tests");
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        enum readiness_test test;
        if (!readiness_test_parse(rows[i].test, &test))
            continue; /* a test this build does not know */
        t[k].test = test;
        t[k].side = rows[i].side;
        t[k].pass = rows[i].pass;
        t[k].utc = rows[i].utc;
        t[k].value = NAN;
        const char *key = test == READINESS_BALANCE    ? "hold_s"
                          : test == READINESS_JOG_SPOT ? "jog_s"
                                                       : "count";
        cJSON *o = cJSON_Parse(rows[i].json_text);
        const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
        if (cJSON_IsNumber(v))
            t[k].value = v->valuedouble;
        cJSON_Delete(o);
        k++;
    }
    free(rows);
    *out = t;
    *n_out = k;
    return GC_OK;
}

int course_app_readiness(struct course_store *cs, int64_t patient_id, const struct course_view *v,
                         int step, struct course_readiness_gate *out, struct gc_diag *diag)
{
    struct course_test *tests = NULL;
    size_t n_tests = 0;
    int rc = load_tests(cs, patient_id, &tests, &n_tests, diag);
    struct course_override *ovr = rc ? NULL : calloc(v->n_overrides + 1, sizeof *ovr);
    if (!rc && !ovr)
        rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory reading the overrides");
    for (size_t i = 0; !rc && i < v->n_overrides; i++) {
        ovr[i].ref_session_id = v->overrides[i].ref_session_id;
        ovr[i].to_step = v->overrides[i].to_step;
        snprintf(ovr[i].reason, sizeof ovr[i].reason, "%s", v->overrides[i].reason);
    }
    if (!rc &&
        course_readiness_gate(&v->program, step, tests, n_tests,
                              course_tests_since_utc(v->row.start_date), ovr, v->n_overrides,
                              out) != GC_OK)
        rc = gc_fail(diag, GC_ERR_ARG, "cannot judge the readiness tests");
    free(ovr);
    free(tests);
    return rc;
}

void course_app_view_free(struct course_view *v)
{
    course_program_row_free(&v->row);
    free(v->sessions);
    free(v->timeline);
    free(v->symptoms);
    free(v->proms);
    free(v->overrides);
    free(v->outside);
    memset(v, 0, sizeof *v);
}

int course_app_view(struct store *st, struct course_store *cs, int64_t patient_id,
                    int64_t program_id, int64_t today_days, struct course_view *v,
                    struct gc_diag *diag)
{
    memset(v, 0, sizeof *v);
    int rc;
    if (program_id == 0) {
        rc = course_store_program_active(cs, patient_id, &v->row, diag);
    } else {
        struct course_program_row *rows;
        size_t n;
        rc = course_store_programs(cs, patient_id, &rows, &n, diag);
        if (rc == GC_OK) {
            rc = gc_fail(diag, GC_ERR_NOT_FOUND, "no program #%lld for this patient",
                         (long long)program_id);
            for (size_t i = 0; i < n; i++)
                if (rows[i].id == program_id) {
                    v->row = rows[i];
                    rows[i].text = NULL;
                    rc = GC_OK;
                    gc_diag_clear(diag);
                }
            course_program_rows_free(rows, n);
        }
    }
    if (rc)
        return rc;
    struct gc_diag pe;
    if (program_parse(v->row.text, strlen(v->row.text), &v->program, &pe) != GC_OK) {
        rc = gc_fail(diag, GC_ERR_FORMAT, "the stored program %s no longer reads (%s)", v->row.name,
                     pe.msg);
        goto fail;
    }
    int64_t start_days;
    v->week = course_date_days(v->row.start_date, &start_days) == GC_OK
                  ? course_week(start_days, today_days)
                  : 0;

    struct course_link_row *links = NULL;
    size_t n_links = 0;
    rc = course_store_links(cs, v->row.id, &links, &n_links, diag);
    if (rc)
        goto fail;
    rc = course_store_symptoms(cs, patient_id, &v->symptoms, &v->n_symptoms, diag);
    if (!rc)
        rc = course_store_proms(cs, patient_id, &v->proms, &v->n_proms, diag);
    if (!rc)
        rc = course_store_overrides(cs, v->row.id, &v->overrides, &v->n_overrides, diag);
    /* replay inputs: symptoms from the records, the in-session markers and
     * the NPRS of the outcome measures */
    size_t cap_sym = v->n_symptoms + v->n_proms + 1;
    struct course_symptom *sym = NULL;
    struct course_prom *prom = calloc(v->n_proms + 1, sizeof *prom);
    struct course_override *ovr = calloc(v->n_overrides + 1, sizeof *ovr);
    size_t n_sym = 0;
    v->sessions = calloc(n_links + 1, sizeof *v->sessions);
    struct course_session *sessions = calloc(n_links + 1, sizeof *sessions);
    if (!rc && (!prom || !ovr || !v->sessions || !sessions))
        rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory reading the course");
    if (!rc)
        sym = malloc(cap_sym * sizeof *sym);
    if (!rc && !sym)
        rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory reading the course");
    for (size_t i = 0; !rc && i < v->n_symptoms; i++) {
        const struct course_symptom_row *r = &v->symptoms[i];
        sym[n_sym++] = (struct course_symptom){r->ref_session_id, r->when, r->pain, r->flags};
    }
    for (size_t i = 0; !rc && i < v->n_proms; i++) {
        prom[i] = (struct course_prom){v->proms[i].ref_session_id, v->proms[i].lefs};
        if (v->proms[i].nprs >= 0)
            sym[n_sym++] = (struct course_symptom){v->proms[i].ref_session_id, COURSE_AFTER,
                                                   v->proms[i].nprs, 0};
    }
    for (size_t i = 0; !rc && i < v->n_overrides; i++) {
        ovr[i].ref_session_id = v->overrides[i].ref_session_id;
        ovr[i].to_step = v->overrides[i].to_step;
        snprintf(ovr[i].reason, sizeof ovr[i].reason, "%s", v->overrides[i].reason);
    }
    for (size_t i = 0; !rc && i < n_links; i++) {
        struct course_view_session *vs = &v->sessions[v->n_sessions];
        struct store_session ss;
        if (store_session_get(st, links[i].session_id, &ss) != GC_OK)
            continue; /* a session the store no longer has */
        vs->s.session_id = ss.id;
        vs->s.start_utc = ss.start_utc;
        vs->s.step = links[i].step;
        vs->s.counted = session_counts(st, &ss, vs->s.why_not, sizeof vs->s.why_not);
        snprintf(vs->status, sizeof vs->status, "%s",
                 ss.excluded_utc ? "excluded" : store_status_name(ss.status));
        snprintf(vs->protocol, sizeof vs->protocol, "%s", ss.protocol_name);
        sessions[v->n_sessions++] = vs->s;
        struct store_marker *marks = NULL;
        size_t n_marks = 0;
        if (store_load_markers(st, ss.id, &marks, &n_marks) != GC_OK)
            continue; /* markers unreadable: the records still count */
        for (size_t k = 0; k < n_marks; k++) {
            struct course_symptom y;
            if (!marker_symptom(&marks[k], ss.id, &y))
                continue;
            if (n_sym == cap_sym) {
                struct course_symptom *ns = realloc(sym, (cap_sym * 2) * sizeof *sym);
                if (!ns) {
                    rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory reading the course");
                    break;
                }
                sym = ns;
                cap_sym *= 2;
            }
            sym[n_sym++] = y;
        }
        free(marks);
    }
    if (!rc)
        rc = find_outside(st, v, links, n_links, diag);
    free(links);
    if (!rc) {
        size_t cap = v->n_sessions + v->n_overrides + 1;
        v->timeline = calloc(cap, sizeof *v->timeline);
        int n = v->timeline
                    ? course_replay(&v->program, sessions, v->n_sessions, sym, n_sym, prom,
                                    v->n_proms, ovr, v->n_overrides, &v->state, v->timeline, cap)
                    : GC_ERR_NOMEM;
        if (n < 0)
            rc = gc_fail(diag, n, "cannot replay the course");
        else
            v->n_timeline = (size_t)n;
    }
    if (!rc)
        rc = course_app_readiness(cs, patient_id, v, v->state.step, &v->ready, diag);
    free(sym);
    free(prom);
    free(ovr);
    free(sessions);
    if (rc)
        goto fail;
    return GC_OK;
fail:
    course_app_view_free(v);
    return rc;
}

/* The next session; gate_tests: refuse it while the step's readiness
 * tests are still to pass. */
static int next_session(struct store *st, int64_t patient_id, bool gate_tests,
                        struct course_next *next, struct gc_diag *diag)
{
    memset(next, 0, sizeof *next);
    struct course_store *cs;
    int rc = course_store_open(st, &cs, diag);
    if (rc)
        return rc;
    struct course_view v;
    rc = course_app_view(st, cs, patient_id, 0, course_app_today(NULL, 0), &v, diag);
    course_store_close(cs);
    if (rc)
        return rc;
    if (v.state.step >= (int)v.program.n_steps) {
        rc = gc_fail(diag, GC_ERR_STATE,
                     "the patient's program %s is complete: stop it with 'station program stop' "
                     "(or give --protocol for a single session)",
                     v.program.name);
        course_app_view_free(&v);
        return rc;
    }
    const struct program_step *step = &v.program.steps[v.state.step];
    if (gate_tests && v.ready.blocked) {
        struct store_patient pt;
        char code[64] = "CODE";
        if (store_patient_get(st, patient_id, &pt) == GC_OK)
            snprintf(code, sizeof code, "%s", pt.code);
        rc = gc_fail(diag, GC_ERR_STATE,
                     "step %d '%s' of program %s needs the readiness tests passed first, still "
                     "to pass: %s ('station test NAME --patient %s [--side L|R]'; the PT can "
                     "waive them with 'station program override %s --to-step %d --reason TEXT')",
                     v.state.step + 1, step->name, v.program.name, v.ready.list, code, code,
                     v.state.step + 1);
        course_app_view_free(&v);
        return rc;
    }
    next->program_id = v.row.id;
    snprintf(next->program, sizeof next->program, "%s", v.program.name);
    next->step = v.state.step;
    snprintf(next->protocol, sizeof next->protocol, "%s", step->protocol);
    snprintf(next->say, sizeof next->say,
             "program %s, step %d/%zu '%s' (program week %d), session %zu of the program (%d "
             "clean of %d in a row to advance): protocol %s",
             v.program.name, v.state.step + 1, v.program.n_steps, step->name, v.week,
             v.n_sessions + 1, v.state.clean_in_row, step->advance_after, step->protocol);
    course_app_view_free(&v);
    return GC_OK;
}

int course_app_next(struct store *st, int64_t patient_id, struct course_next *next,
                    struct gc_diag *diag)
{
    return next_session(st, patient_id, true, next, diag);
}

int course_app_note_outside(struct store *st, int64_t patient_id, int64_t session_id,
                            const char *protocol, char *say, size_t cap, struct gc_diag *diag)
{
    struct course_next next;
    int rc = next_session(st, patient_id, false, &next, diag);
    if (rc == GC_ERR_STATE) /* complete, not stopped: the session is outside it too */
        return GC_ERR_NOT_FOUND;
    if (rc)
        return rc;
    snprintf(say, cap,
             "outside the program: the patient follows %s (next: step %d, protocol %s); this "
             "session runs protocol %s and does not count for the program's gate",
             next.program, next.step + 1, next.protocol, protocol);
    char detail[240];
    snprintf(detail, sizeof detail,
             "session %lld ran protocol %.60s outside program %.40s (#%lld, step %d); not "
             "counted for its gate",
             (long long)session_id, protocol, next.program, (long long)next.program_id,
             next.step + 1);
    struct course_store *cs;
    rc = course_store_open(st, &cs, diag);
    if (rc)
        return rc;
    rc = course_store_add_audit(cs, patient_id, (int64_t)time(NULL), "session-outside-program",
                                detail, diag);
    course_store_close(cs);
    return rc;
}

int course_app_link(struct store *st, const struct course_next *next, int64_t session_id,
                    struct gc_diag *diag)
{
    struct course_store *cs;
    int rc = course_store_open(st, &cs, diag);
    if (rc)
        return rc;
    rc = course_store_link_session(cs, next->program_id, session_id, next->step, diag);
    course_store_close(cs);
    return rc;
}

int course_app_next_for(const char *db, const char *code, struct course_next *next,
                        struct gc_diag *diag)
{
    struct store *st;
    if (session_recorder_open_store(db, &st, false) != GC_OK)
        return gc_fail(diag, GC_ERR_IO, "cannot open the session store; see the message above");
    struct store_patient p;
    int rc = store_patient_find(st, code, &p);
    if (rc == GC_OK)
        rc = course_app_next(st, p.id, next, diag);
    else {
        (void)store_patient_missing(st, code, NULL, diag);
        rc = diag->code = GC_ERR_ARG;
    }
    store_close(st);
    return rc;
}
