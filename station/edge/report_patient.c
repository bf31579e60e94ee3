/*
 * report_patient.c - the patient's one-page summary (PDF): plain
 * language, large type - what we worked on, what changed, what to do until
 * next time, with the cadence to practise outdoors (report_course.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_course.h"
#include "report_course_plot.h"
#include "report_doc.h"

#define BODY_PT 14.0
#define LINE_PT 20.0
#define HEAD_PT 19.0

static void section(struct doc *d, const char *title)
{
    cairo_t *cr = d->cr;
    d->y += 14;
    cairo_set_source_rgb(cr, 0.1, 0.2, 0.35);
    rd_font(cr, HEAD_PT, true);
    rd_text_at(cr, MARGIN, d->y + HEAD_PT, AL_LEFT, title);
    d->y += HEAD_PT + 8;
}

/* One bullet paragraph in large type. */
static void say(struct doc *d, const char *text)
{
    cairo_t *cr = d->cr;
    cairo_set_source_rgb(cr, 0.08, 0.08, 0.08);
    rd_font(cr, BODY_PT, false);
    rd_text_at(cr, MARGIN + 4, d->y + BODY_PT, AL_LEFT, "\xe2\x80\xa2"); /* bullet */
    d->y =
        rd_paragraph(cr, MARGIN + 22, d->y + BODY_PT, CONTENT_W - 22, LINE_PT, text) - BODY_PT + 6;
}

/* The first and the last finite value of one figure over the counted
 * sessions: retention (without the beep) when the session had a probe,
 * else its baseline. */

/* When a patient told something: its time, the session it follows and
 * before / during / after it (enum course_when order). */
struct told {
    int64_t utc;
    int64_t session;
    int when;
};

static bool told_before(const struct told *a, const struct told *b)
{
    if (a->utc != b->utc)
        return a->utc < b->utc;
    if (a->session != b->session)
        return a->session < b->session;
    return a->when < b->when;
}

static bool first_last(const struct report_course *r, enum report_figure what, double *first,
                       double *last)
{
    *first = *last = NAN;
    for (size_t i = 0; i < r->n_sessions; i++) {
        const struct report_course_session *s = &r->sessions[i];
        if (!s->counted)
            continue;
        int dec;
        double b = report_key_value(&s->key.baseline, what, &dec);
        double t = report_key_value(&s->key.retention, what, &dec);
        if (!isfinite(*first) && isfinite(b))
            *first = b;
        double now = isfinite(t) ? t : b;
        if (isfinite(now))
            *last = now;
    }
    return isfinite(*first) && isfinite(*last);
}

int report_patient_pdf(const struct report_course *r, const char *pdf_path, const char *store_path,
                       struct gc_diag *diag)
{
    const struct program *pg = &r->program;
    struct doc d;
    struct out_file o;
    int rc = rc_doc_begin(r, &d, &o, pdf_path, store_path, diag);
    if (rc)
        return rc;
    snprintf(d.footer, sizeof d.footer, "gaitcue %s - patient %s - summary for the patient",
             GC_VERSION, r->pat.code);
    cairo_t *cr = d.cr;
    cairo_set_source_rgb(cr, 0.1, 0.2, 0.35);
    rd_font(cr, 26, true);
    rd_text_at(cr, MARGIN, d.y + 26, AL_LEFT, "Your running programme");
    char sub[200], today[32];
    rd_fmt_date(today, sizeof today, r->printed_utc, false);
    snprintf(sub, sizeof sub, "For %s - %s", r->pat.name[0] ? r->pat.name : r->pat.code, today);
    rd_font(cr, BODY_PT, false);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    rd_text_at(cr, MARGIN, d.y + 50, AL_LEFT, sub);
    d.y += 60;

    char line[400];
    bool done = r->state.step >= (int)pg->n_steps;
    int counted = 0;
    for (size_t i = 0; i < r->n_sessions; i++)
        counted += r->sessions[i].counted;

    section(&d, "What we worked on");
    if (done)
        snprintf(line, sizeof line, "You have finished every step of your programme (%s).",
                 pg->name);
    else
        snprintf(line, sizeof line,
                 "Your programme (%s) has %zu steps. You are now at step %d: %s.", pg->name,
                 pg->n_steps, r->state.step + 1, pg->steps[r->state.step].name);
    say(&d, line);
    snprintf(line, sizeof line,
             "Sessions on the treadmill so far: %zu (%d of them counted towards moving on).",
             r->n_sessions, counted);
    say(&d, line);
    /* what the sessions did, not what the programme planned: a beep only
     * when a session gave a cadence target, the check without it only
     * when one had a retention probe */
    int guided = 0, probed = 0;
    for (size_t i = 0; i < r->n_sessions; i++) {
        guided += isfinite(r->sessions[i].target_cadence_spm);
        probed += r->sessions[i].retention_probe;
    }
    if (guided && probed)
        say(&d, "On the treadmill a beep helped you take quicker, lighter steps. At the end of "
                "a session we checked without the beep how much of it you keep.");
    else if (guided)
        say(&d, "On the treadmill a beep helped you take quicker, lighter steps.");
    else
        say(&d, "Your sessions so far have not yet reached the part where a beep guides your "
                "steps.");

    section(&d, "What changed");
    double a, b;
    int n_changes = 0;
    if (first_last(r, REPORT_FIG_CADENCE, &a, &b)) {
        snprintf(line, sizeof line,
                 "Steps per minute (cadence): %.0f at the start, %.0f in your last session.", a, b);
        say(&d, line);
        n_changes++;
    }
    if (first_last(r, REPORT_FIG_VALR, &a, &b)) {
        snprintf(line, sizeof line,
                 "How hard your feet land (loading rate): %.0f at the start, %.0f last time. "
                 "Lower is gentler on your body.",
                 a, b);
        say(&d, line);
        n_changes++;
    }
    /* pain as told: symptom records and the PROMs' NPRS, in the order they
     * were told (times are whole seconds: within one second, the session
     * they follow, then before / during / after it, decides) */
    int pain0 = -1, pain1 = -1;
    struct told t0 = {0}, t1 = {0};
    for (size_t i = 0; i < r->n_symptoms + r->n_proms; i++) {
        bool sym = i < r->n_symptoms;
        int p = sym ? r->symptoms[i].pain : r->proms[i - r->n_symptoms].nprs;
        struct told t;
        if (sym)
            t = (struct told){r->symptoms[i].utc, r->symptoms[i].ref_session_id,
                              (int)r->symptoms[i].when};
        else
            t = (struct told){r->proms[i - r->n_symptoms].utc,
                              r->proms[i - r->n_symptoms].ref_session_id, (int)COURSE_AFTER};
        if (p < 0)
            continue;
        if (pain0 < 0 || told_before(&t, &t0))
            pain0 = p, t0 = t;
        if (pain1 < 0 || !told_before(&t, &t1))
            pain1 = p, t1 = t;
    }
    if (pain0 >= 0) {
        snprintf(line, sizeof line,
                 "Pain: %d out of 10 the first time you told us, %d out of 10 "
                 "the last time.",
                 pain0, pain1);
        say(&d, line);
        n_changes++;
    }
    int lefs0 = -1, lefs1 = -1;
    for (size_t i = 0; i < r->n_proms; i++)
        if (r->proms[i].lefs >= 0) {
            if (lefs0 < 0)
                lefs0 = r->proms[i].lefs;
            lefs1 = r->proms[i].lefs;
        }
    if (lefs0 >= 0) {
        snprintf(line, sizeof line,
                 "Your leg function score (LEFS): %d at the start, %d now, out of 80. Higher is "
                 "better.",
                 lefs0, lefs1);
        say(&d, line);
        n_changes++;
    }
    if (!n_changes)
        say(&d, "Not enough sessions yet to compare.");

    section(&d, "What to do until next time");
    if (done)
        say(&d, "Keep running as we agreed. Come back for your check-up.");
    else {
        const struct program_step *s = &pg->steps[r->state.step];
        snprintf(line, sizeof line, "Next: %s, %d times a week.", s->name, s->sessions_per_week);
        say(&d, line);
    }
    double spm = report_course_practice_cadence(r);
    if (isfinite(spm)) {
        snprintf(line, sizeof line,
                 "When you run outdoors, aim for %.0f steps per minute. Play your practice track "
                 "(a click at each step) on your phone and match your steps to it.",
                 spm);
        say(&d, line);
    } else if (!done) {
        say(&d, "There is no step rhythm to practise outdoors yet: your physiotherapist sets "
                "one once a session has counted with a beep to guide you.");
    }
    unsigned stop = pg->gate.repeat_on | pg->gate.step_back_on;
    char signs[200] = "";
    size_t len = 0;
    snprintf(signs, sizeof signs, "pain of %d out of 10 or more", pg->gate.pain_threshold);
    len = strlen(signs);
    if (stop & PROGRAM_SYM_LEAK)
        len += (size_t)snprintf(signs + len, sizeof signs - len, ", leaking urine");
    if (stop & PROGRAM_SYM_HEAVINESS && len < sizeof signs)
        len += (size_t)snprintf(signs + len, sizeof signs - len,
                                ", heaviness or dragging in the pelvis");
    if (stop & PROGRAM_SYM_BLEEDING && len < sizeof signs)
        snprintf(signs + len, sizeof signs - len, ", bleeding");
    snprintf(line, sizeof line, "Slow down or stop, and tell your physiotherapist, if you have %s.",
             signs);
    say(&d, line);
    return rd_doc_end(&d, &o, diag);
}
