/*
 * report_course.c - the course report (PDF): the program's steps, every
 * gate decision with its reason, symptoms and outcome measures over time,
 * cadence and VALR session by session with the retention probes marked
 * (report_course.h).
 */
#include "report_course.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "readiness.h"
#include "report_course_plot.h"
#include "report_doc.h"
#include "usertext.h"

void report_course_free(struct report_course *r)
{
    free(r->sessions);
    free(r->events);
    free(r->symptoms);
    free(r->proms);
    free(r->tests);
    memset(r, 0, sizeof *r);
}

double report_course_practice_cadence(const struct report_course *r)
{
    for (size_t i = r->n_sessions; i-- > 0;)
        if (r->sessions[i].counted && isfinite(r->sessions[i].target_cadence_spm))
            return round(r->sessions[i].target_cadence_spm);
    return NAN;
}

static void step_text(const struct report_course *r, int step, char *buf, size_t cap)
{
    if (step >= (int)r->program.n_steps)
        snprintf(buf, cap, "complete");
    else
        snprintf(buf, cap, "%d", step + 1);
}

/* Readiness before step i, as the gate judges it now (course.h): the tests
 * it asks for, then "passed", "still to pass: ..." or "waived by the PT
 * (REASON)" - an override to the step waives them.  Returns false when the
 * step asks for none (or memory runs out). */
static bool readiness_line(const struct report_course *r, int step, char *buf, size_t cap)
{
    const struct program *pg = &r->program;
    if (step < 0 || step >= (int)pg->n_steps || pg->steps[step].n_requires == 0)
        return false;
    struct course_test *t = calloc(r->n_tests + 1, sizeof *t);
    struct course_override *o = calloc(r->n_events + 1, sizeof *o);
    bool ok = t && o;
    size_t nt = 0, no = 0;
    for (size_t i = 0; ok && i < r->n_tests; i++) {
        enum readiness_test test;
        if (!readiness_test_parse(r->tests[i].test, &test))
            continue;
        t[nt++] = (struct course_test){test, r->tests[i].side, r->tests[i].value,
                                       r->tests[i].pass, r->tests[i].utc};
    }
    static const char by_pt[] = "by the PT: ";
    for (size_t i = 0; ok && i < r->n_events; i++) {
        const struct report_course_event *e = &r->events[i];
        if (e->action != COURSE_OVERRIDE)
            continue;
        o[no].to_step = e->to_step;
        const char *why = e->reason;
        if (!strncmp(why, by_pt, sizeof by_pt - 1))
            why += sizeof by_pt - 1;
        char reason[COURSE_REASON_MAX];
        snprintf(reason, sizeof reason, "%s", why);
        usertext_cut(reason, sizeof o[no].reason - 1); /* never inside a character */
        memcpy(o[no].reason, reason, strlen(reason) + 1);
        no++;
    }
    struct course_readiness_gate g;
    ok = ok && course_readiness_gate(pg, step, t, nt, course_tests_since_utc(r->start_date), o,
                                     no, &g) == GC_OK;
    free(t);
    free(o);
    if (!ok)
        return false;
    char need[COURSE_TESTS_SAY_MAX] = "";
    size_t used = 0;
    for (size_t k = 0; k < pg->steps[step].n_requires && used < sizeof need; k++) {
        char name[40];
        program_test_req_describe(&pg->steps[step].requires[k], name, sizeof name);
        used += (size_t)snprintf(need + used, sizeof need - used, "%s%s", k ? ", " : "", name);
    }
    int n = snprintf(buf, cap, "Readiness before step %d '%s': %s - ", step + 1,
                     pg->steps[step].name, need);
    size_t at = n > 0 && (size_t)n < cap ? (size_t)n : cap - 1;
    if (g.waived)
        snprintf(buf + at, cap - at, "waived by the PT (%s)%s%s.", g.waived_reason,
                 g.n_missing ? "; not passed: " : "", g.n_missing ? g.list : "");
    else if (g.n_missing)
        snprintf(buf + at, cap - at, "still to pass: %s.", g.list);
    else
        snprintf(buf + at, cap - at, "passed.");
    return true;
}

static void symptom_words(const struct course_symptom_row *y, char *buf, size_t cap)
{
    unsigned f = y->flags & ~(unsigned)PROGRAM_SYM_PAIN;
    if (!f) {
        snprintf(buf, cap, "-");
        return;
    }
    program_symptoms_describe(f, buf, cap);
}

int report_course_pdf(const struct report_course *r, const char *pdf_path, const char *store_path,
                      struct gc_diag *diag)
{
    const struct program *pg = &r->program;
    struct doc d;
    struct out_file o;
    int rc = rc_doc_begin(r, &d, &o, pdf_path, store_path, diag);
    if (rc)
        return rc;
    rd_patient_title(&d, r->pat.code, r->printed_utc, "Course of care report", "course report");
    char who[200], prog[120], first[40], where[200];
    if (r->pat.name[0])
        snprintf(who, sizeof who, "%s (%s)", r->pat.code, r->pat.name);
    else
        snprintf(who, sizeof who, "%s", r->pat.code);
    snprintf(prog, sizeof prog, "%s (#%lld)", pg->name, (long long)r->program_id);
    snprintf(first, sizeof first, "%s, week %d", r->start_date, r->week);
    bool done = r->state.step >= (int)pg->n_steps;
    if (r->stopped_utc)
        snprintf(where, sizeof where, "stopped: %.150s", r->stop_reason);
    else if (done)
        snprintf(where, sizeof where, "complete: every step done");
    else
        snprintf(where, sizeof where, "step %d/%zu '%s'", r->state.step + 1, pg->n_steps,
                 pg->steps[r->state.step].name);
    const double cw = CONTENT_W / 4;
    rd_info_cell(d.cr, MARGIN, d.y + 7, "Patient", who, cw);
    rd_info_cell(d.cr, MARGIN + cw, d.y + 7, "Program", prog, cw);
    rd_info_cell(d.cr, MARGIN + 2 * cw, d.y + 7, "First day, program week", first, cw);
    rd_info_cell(d.cr, MARGIN + 3 * cw, d.y + 7, "Now", where, cw);
    d.y += 32;
    if (pg->source[0]) {
        rd_font(d.cr, 7.2, false);
        cairo_set_source_rgb(d.cr, 0.25, 0.25, 0.25);
        char src[300];
        snprintf(src, sizeof src, "Source: %s", pg->source);
        d.y = rd_paragraph(d.cr, MARGIN, d.y + 8, CONTENT_W, 9, src) + 2;
    }

    /* the steps and how far the patient got */
    rd_heading(&d, "Program steps");
    static const struct col sc[] = {
        {"Step", NULL, 30, AL_LEFT},           {"Name", NULL, 120, AL_LEFT},
        {"Weeks", NULL, 40, AL_LEFT},          {"Per", "week", 30, AL_RIGHT},
        {"Advance", "after", 40, AL_RIGHT},    {"Protocol", NULL, 120, AL_LEFT},
        {"Sessions", "counted", 42, AL_RIGHT}, {"", NULL, CONTENT_W - 422, AL_LEFT},
    };
    const size_t nsc = sizeof sc / sizeof sc[0];
    rd_table_header(&d, sc, nsc);
    char c[8][128];
    for (size_t i = 0; i < pg->n_steps; i++) {
        const struct program_step *s = &pg->steps[i];
        int counted = 0;
        for (size_t k = 0; k < r->n_sessions; k++)
            counted += r->sessions[k].step == (int)i && r->sessions[k].counted;
        snprintf(c[0], 128, "%zu", i + 1);
        rc_cell(c[1], s->name);
        if (s->week_from == s->week_to)
            snprintf(c[2], 128, "%d", s->week_from);
        else
            snprintf(c[2], 128, "%d-%d", s->week_from, s->week_to);
        snprintf(c[3], 128, "%d", s->sessions_per_week);
        snprintf(c[4], 128, "%d", s->advance_after);
        rc_cell(c[5], s->protocol);
        snprintf(c[6], 128, "%d", counted);
        snprintf(c[7], 128, "%s",
                 (int)i == r->state.step  ? "now"
                 : (int)i < r->state.step ? "done"
                                          : "");
        rd_table_row(&d, sc, nsc, c, (int)i == r->state.step, i % 2);
    }
    char rep[96], back[96], lefs_rule[64] = "", rule[600];
    program_symptoms_describe(pg->gate.repeat_on, rep, sizeof rep);
    program_symptoms_describe(pg->gate.step_back_on, back, sizeof back);
    if (pg->gate.lefs_drop > 0)
        snprintf(lefs_rule, sizeof lefs_rule, " (lefs-drop: LEFS %d points under the best)",
                 pg->gate.lefs_drop);
    snprintf(rule, sizeof rule,
             "Gate: pain counts at %d/10 or more; repeat the step on: %s%s; step back at once on: "
             "%s; step back after %d not-clean sessions in a row.  A session counts when it "
             "ended complete, or was stopped after %.0f %% of its plan, with at least %.0f "
             "scored steps a minute.",
             pg->gate.pain_threshold, rep, lefs_rule, back, pg->gate.step_back_after,
             COURSE_MIN_PLAN_SHARE * 100, COURSE_MIN_STEPS_PER_MIN);
    rd_font(d.cr, 7.2, false);
    cairo_set_source_rgb(d.cr, 0.2, 0.2, 0.2);
    d.y = rd_paragraph(d.cr, MARGIN, d.y + 9, CONTENT_W, 9, rule) + 4;
    /* each step's readiness requirement, as the gate judges it now (a
     * waiver is a clinical decision: it is on the paper with its reason) */
    for (size_t i = 0; i < pg->n_steps; i++) {
        char line[COURSE_TESTS_SAY_MAX + 400];
        if (readiness_line(r, (int)i, line, sizeof line))
            d.y = rd_paragraph(d.cr, MARGIN, d.y + 9, CONTENT_W, 9, line) + 4;
    }

    /* every decision with its reason */
    rd_heading(&d, "Timeline: every gate decision and why");
    static const struct col tc[] = {
        {"Date", NULL, 86, AL_LEFT}, /* wide enough for a bold date and time */
        {"Session", NULL, 34, AL_LEFT},
        {"Step", NULL, 44, AL_LEFT},
        {"Decision", NULL, 50, AL_LEFT},
        {"Reason", NULL, CONTENT_W - 214, AL_LEFT},
    };
    const size_t ntc = sizeof tc / sizeof tc[0];
    rd_table_header(&d, tc, ntc);
    for (size_t i = 0; i < r->n_events; i++) {
        const struct report_course_event *e = &r->events[i];
        rd_ensure_room(&d, ROW_H * 2);
        rd_fmt_date(c[0], 128, e->utc, true);
        if (e->session_id)
            snprintf(c[1], 128, "#%lld", (long long)e->session_id);
        else
            snprintf(c[1], 128, "PT");
        char a[16], b[16];
        step_text(r, e->from_step, a, sizeof a);
        step_text(r, e->to_step, b, sizeof b);
        snprintf(c[2], 128, "%s -> %s", a, b);
        snprintf(c[3], 128, "%s", course_action_name(e->action));
        rc_cell(c[4], e->reason);
        bool moved = e->action == COURSE_ADVANCE || e->action == COURSE_STEP_BACK ||
                     e->action == COURSE_OVERRIDE || e->action == COURSE_COMPLETE ||
                     e->action == COURSE_REPEAT;
        rd_table_row(&d, tc, ntc, c, moved, i % 2);
    }
    if (r->n_events == 0) {
        rd_font(d.cr, 7.5, false);
        rd_text_at(d.cr, MARGIN, d.y + 10, AL_LEFT, "No program session yet.");
        d.y += 16;
    }
    d.y += 6;

    /* symptoms and outcome measures over time */
    size_t np = r->n_symptoms + r->n_proms;
    double *pain = calloc(np + 1, sizeof *pain), *lefs = calloc(np + 1, sizeof *lefs);
    char(*xl)[40] = calloc(np + 1, sizeof *xl);
    if (!pain || !lefs || !xl) {
        free(pain);
        free(lefs);
        free(xl);
        rc_doc_abort(&d, &o);
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory drawing the course report");
    }
    /* merge symptoms and PROMs by time (both are in id order, i.e. time) */
    size_t iy = 0, im = 0, k = 0;
    while (iy < r->n_symptoms || im < r->n_proms) {
        bool take_y =
            im >= r->n_proms || (iy < r->n_symptoms && r->symptoms[iy].utc <= r->proms[im].utc);
        int64_t utc;
        if (take_y) {
            pain[k] = r->symptoms[iy].pain >= 0 ? r->symptoms[iy].pain : NAN;
            lefs[k] = NAN;
            utc = r->symptoms[iy++].utc;
        } else {
            pain[k] = r->proms[im].nprs >= 0 ? r->proms[im].nprs : NAN;
            lefs[k] = r->proms[im].lefs >= 0 ? r->proms[im].lefs : NAN;
            utc = r->proms[im++].utc;
        }
        rd_fmt_date(xl[k], sizeof xl[k], utc, false);
        k++;
    }
    const struct rc_series ps[] = {{pain, "pain 0-10 (NPRS)", {0.45, 0.20, 0.60}, false, true}};
    struct rc_plot pp = {.title = "Pain over time (symptom records and PROM NPRS)",
                         .ylabel = "NPRS",
                         .n = np,
                         .xlab = (const char(*)[40])xl,
                         .s = ps,
                         .n_series = 1,
                         .y_min = 0,
                         .y_max = 10,
                         .hline = pg->gate.pain_threshold,
                         .hline_label = "the program's pain threshold",
                         .h = 80};
    rc_plot_draw(&d, &pp);
    /* LEFS over the PROMs only */
    size_t nl = 0;
    for (size_t i = 0; i < np; i++)
        if (isfinite(lefs[i])) {
            lefs[nl] = lefs[i];
            memcpy(xl[nl], xl[i], sizeof xl[0]);
            nl++;
        }
    const struct rc_series ls[] = {
        {lefs, "LEFS 0-80 (higher is better)", {0.12, 0.38, 0.70}, false, true}};
    struct rc_plot lp = {.title = "Lower Extremity Functional Scale (LEFS) over time",
                         .ylabel = "LEFS",
                         .n = nl,
                         .xlab = (const char(*)[40])xl,
                         .s = ls,
                         .n_series = 1,
                         .y_min = 0,
                         .y_max = 80,
                         .hline = NAN,
                         .h = 70};
    rc_plot_draw(&d, &lp);
    free(pain);
    free(lefs);
    free(xl);

    rd_heading(&d, "Symptom records");
    static const struct col yc[] = {
        {"Date", NULL, 70, AL_LEFT},
        {"When", NULL, 34, AL_LEFT},
        {"Session", NULL, 36, AL_LEFT},
        {"Pain", NULL, 26, AL_RIGHT},
        {"Site", NULL, 70, AL_LEFT},
        {"Symptoms", NULL, 90, AL_LEFT},
        {"Note", NULL, CONTENT_W - 326, AL_LEFT},
    };
    const size_t nyc = sizeof yc / sizeof yc[0];
    rd_table_header(&d, yc, nyc);
    size_t n_outside = 0;
    for (size_t i = 0; i < r->n_symptoms; i++) {
        const struct course_symptom_row *y = &r->symptoms[i];
        rd_ensure_room(&d, ROW_H);
        rd_fmt_date(c[0], 128, y->utc, true);
        snprintf(c[1], 128, "%s", course_when_name(y->when));
        bool in_program = y->when == COURSE_BEFORE || y->ref_session_id == 0;
        for (size_t j = 0; j < r->n_sessions && !in_program; j++)
            in_program = r->sessions[j].ss.id == y->ref_session_id;
        n_outside += !in_program;
        if (y->ref_session_id)
            snprintf(c[2], 128, "#%lld%s", (long long)y->ref_session_id, in_program ? "" : " out");
        else
            snprintf(c[2], 128, "-");
        if (y->pain >= 0)
            snprintf(c[3], 128, "%d", y->pain);
        else
            snprintf(c[3], 128, "-");
        rc_cell(c[4], y->site[0] ? y->site : "-");
        symptom_words(y, c[5], 128);
        rc_cell(c[6], y->note[0] ? y->note : "");
        rd_table_row(&d, yc, nyc, c, false, i % 2);
    }
    if (r->n_symptoms == 0) {
        rd_font(d.cr, 7.5, false);
        rd_text_at(d.cr, MARGIN, d.y + 10, AL_LEFT, "None recorded.");
        d.y += 16;
    }
    if (n_outside) {
        rd_ensure_room(&d, 16);
        rd_font(d.cr, 7.5, false);
        rd_text_at(d.cr, MARGIN, d.y + 10, AL_LEFT,
                   "\"out\": about a session run outside the program: the gate did not read "
                   "it; a red flag there is for the PT to act on (station program override).");
        d.y += 16;
    }
    d.y += 4;
    rd_heading(&d, "Outcome measures (PROMs)");
    static const struct col mc[] = {
        {"Date", NULL, 70, AL_LEFT},
        {"After session", NULL, 60, AL_LEFT},
        {"LEFS", "0-80", 40, AL_RIGHT},
        {"NPRS", "0-10", CONTENT_W - 170, AL_LEFT},
    };
    rd_table_header(&d, mc, 4);
    for (size_t i = 0; i < r->n_proms; i++) {
        const struct course_prom_row *m = &r->proms[i];
        rd_ensure_room(&d, ROW_H);
        rd_fmt_date(c[0], 128, m->utc, true);
        if (m->ref_session_id)
            snprintf(c[1], 128, "#%lld", (long long)m->ref_session_id);
        else
            snprintf(c[1], 128, "before the first");
        if (m->lefs >= 0)
            snprintf(c[2], 128, "%d", m->lefs);
        else
            snprintf(c[2], 128, "-");
        if (m->nprs >= 0)
            snprintf(c[3], 128, "%d", m->nprs);
        else
            snprintf(c[3], 128, "-");
        rd_table_row(&d, mc, 4, c, false, i % 2);
    }
    if (r->n_proms == 0) {
        rd_font(d.cr, 7.5, false);
        rd_text_at(d.cr, MARGIN, d.y + 10, AL_LEFT, "None recorded.");
        d.y += 16;
    }
    d.y += 4;

    /* cadence and VALR session by session */
    size_t ns = r->n_sessions;
    double *v = calloc(6 * (ns + 1), sizeof *v);
    bool *probe = calloc(ns + 1, sizeof *probe);
    char(*sl)[40] = calloc(ns + 1, sizeof *sl);
    if (!v || !probe || !sl) {
        free(v);
        free(probe);
        free(sl);
        rc_doc_abort(&d, &o);
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory drawing the course report");
    }
    for (size_t i = 0; i < ns; i++) {
        const struct report_course_session *s = &r->sessions[i];
        v[0 * ns + i] = s->key.baseline.cadence_spm;
        v[1 * ns + i] = s->key.training.cadence_spm;
        v[2 * ns + i] = s->key.retention.cadence_spm;
        v[3 * ns + i] = s->key.baseline.valr_bw_s;
        v[4 * ns + i] = s->key.training.valr_bw_s;
        v[5 * ns + i] = s->key.retention.valr_bw_s;
        probe[i] = s->retention_probe;
        char date[32];
        rd_fmt_date(date, sizeof date, s->ss.start_utc, false);
        snprintf(sl[i], sizeof sl[i], "#%lld %.30s", (long long)s->ss.id, date);
    }
    const struct rc_series cs[] = {
        {v, "baseline", {0.45, 0.45, 0.45}, false, true},
        {v + ns, "training", {0.15, 0.50, 0.15}, false, true},
        {v + 2 * ns, "retention probe", {0.12, 0.38, 0.70}, true, true},
    };
    struct rc_plot cp = {.title = "Cadence by session (date under each)",
                         .ylabel = "steps/min",
                         .n = ns,
                         .xlab = (const char(*)[40])sl,
                         .mark = probe,
                         .mark_label = "session with a retention probe",
                         .s = cs,
                         .n_series = 3,
                         .y_min = INFINITY,
                         .y_max = -INFINITY,
                         .hline = NAN};
    rc_plot_draw(&d, &cp);
    const struct rc_series vs[] = {
        {v + 3 * ns, "baseline", {0.45, 0.45, 0.45}, false, true},
        {v + 4 * ns, "training", {0.15, 0.50, 0.15}, false, true},
        {v + 5 * ns, "retention probe", {0.12, 0.38, 0.70}, true, true},
    };
    struct rc_plot vp = cp;
    vp.title = "Loading rate (VALR) by session";
    vp.ylabel = "BW/s";
    vp.s = vs;
    vp.hline = SESSION_VALR_RISK_BW_S;
    vp.hline_label = "66 BW/s risk line";
    rc_plot_draw(&d, &vp);

    rd_heading(&d, "Program sessions");
    static const struct col ssc[] = {
        {"Session", NULL, 36, AL_LEFT},       {"Date", NULL, 70, AL_LEFT},
        {"Step", NULL, 24, AL_RIGHT},         {"Protocol", NULL, 88, AL_LEFT},
        {"Status", NULL, 44, AL_LEFT},        {"Counted", NULL, 36, AL_LEFT},
        {"Steps", NULL, 30, AL_RIGHT},        {"Cadence", "base", 32, AL_RIGHT},
        {"Cadence", "retent.", 34, AL_RIGHT}, {"VALR", "base", 30, AL_RIGHT},
        {"VALR", "retent.", 30, AL_RIGHT},    {"Pain", "max", CONTENT_W - 454, AL_RIGHT},
    };
    const size_t nss = sizeof ssc / sizeof ssc[0];
    rd_table_header(&d, ssc, nss);
    char c12[12][128];
    for (size_t i = 0; i < ns; i++) {
        const struct report_course_session *s = &r->sessions[i];
        rd_ensure_room(&d, ROW_H);
        snprintf(c12[0], 128, "#%lld", (long long)s->ss.id);
        rd_fmt_date(c12[1], 128, s->ss.start_utc, true);
        snprintf(c12[2], 128, "%d", s->step + 1);
        rc_cell(c12[3], s->ss.protocol_name);
        snprintf(c12[4], 128, "%s",
                 s->ss.excluded_utc ? "excluded" : store_status_name(s->ss.status));
        snprintf(c12[5], 128, "%s", s->counted ? "yes" : "no");
        snprintf(c12[6], 128, "%zu", s->key.all.n_steps);
        session_fmt(c12[7], 128, s->key.baseline.cadence_spm, SESSION_DEC_CADENCE);
        session_fmt(c12[8], 128, s->key.retention.cadence_spm, SESSION_DEC_CADENCE);
        session_fmt(c12[9], 128, s->key.baseline.valr_bw_s, SESSION_DEC_RATE);
        session_fmt(c12[10], 128, s->key.retention.valr_bw_s, SESSION_DEC_RATE);
        if (s->key.pain_max >= 0)
            snprintf(c12[11], 128, "%d", s->key.pain_max);
        else
            snprintf(c12[11], 128, "-");
        rd_table_row(&d, ssc, nss, c12, false, i % 2);
    }
    free(v);
    free(probe);
    free(sl);
    rd_draw_method(&d, NULL);
    return rd_doc_end(&d, &o, diag);
}
