/*
 * report_session.c - the session report (PDF): facts, figures per phase,
 * the time plots, L/R table, the comparison with the previous session of
 * the same protocol, the protocol and its changes, markers, the method.
 */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_doc.h"
#include "report_gait_plots.h"
#include "report_session_plots.h"
#include "units.h"

/* The phase table: one row per phase reached, then the whole session. */
static const struct col phase_cols[] = {
    {"Phase", NULL, 54, AL_LEFT},         {"Time", "m:ss", 48, AL_LEFT},
    {"Steps", NULL, 28, AL_RIGHT},        {"Cadence", "spm", 36, AL_RIGHT},
    {"Target", "spm", 54, AL_RIGHT},      {"In band", "%", 32, AL_RIGHT},
    {"Contact", "ms", 34, AL_RIGHT},      {"Impact peak", "BW (steps)", 54, AL_RIGHT},
    {"VALR", "BW/s", 32, AL_RIGHT},       {"VILR", "BW/s", 32, AL_RIGHT},
    {"Over 66", "% steps", 36, AL_RIGHT}, {"SI cont.", "%", 39, AL_RIGHT},
    {"SI VALR", "%", 36, AL_RIGHT},
};
#define N_PHASE_COLS (sizeof phase_cols / sizeof phase_cols[0])

static void stats_cells(const struct session_stats *x, char c[][128])
{
    snprintf(c[2], 128, "%zu", x->n_steps);
    session_fmt(c[3], 128, x->cadence_spm, SESSION_DEC_CADENCE);
    rd_fmt_pct(c[5], 128, x->share_in_band);
    session_fmt(c[6], 128, x->contact_ms, SESSION_DEC_CONTACT);
    char pk[32];
    session_fmt(pk, sizeof pk, x->impact_peak_bw, SESSION_DEC_PEAK_BW);
    if (x->n_impact)
        snprintf(c[7], 128, "%s (%zu)", pk, x->n_impact);
    else
        snprintf(c[7], 128, "-");
    session_fmt(c[8], 128, x->valr_bw_s, SESSION_DEC_RATE);
    session_fmt(c[9], 128, x->vilr_bw_s, SESSION_DEC_RATE);
    rd_fmt_pct(c[10], 128, x->share_valr_risk);
    session_fmt(c[11], 128, x->si_contact_pct, SESSION_DEC_SI);
    session_fmt(c[12], 128, x->si_valr_pct, SESSION_DEC_SI);
}
static void draw_phase_table(struct doc *d, const struct report_record *r)
{
    rd_ensure_room(d, 2 * ROW_H * (double)(r->n_phases + 2));
    rd_table_header(d, phase_cols, N_PHASE_COLS);
    char c[N_PHASE_COLS][128];
    size_t row = 0;
    for (size_t i = 0; i < r->n_phases; i++) {
        const struct store_phase *ph = &r->phases[i];
        struct session_stats x;
        session_stats_compute(r->steps, r->n_steps, SESSION_PHASE_BIT(ph->idx), &x);
        if (!ph->started && x.n_steps == 0)
            continue; /* not reached (interrupted or cut short) */
        rd_ensure_room(d, ROW_H);
        snprintf(c[0], 128, "%s", ph->name);
        char a[16], b[16];
        rd_fmt_clock(a, sizeof a, ph->started ? ph->start_s : ph->planned_start_s);
        rd_fmt_clock(b, sizeof b, report_phase_end_rel(r, i));
        snprintf(c[1], 128, "%s-%s", a, b);
        stats_cells(&x, c);
        /* the target in force when the phase began, and where it ended if
         * the PT changed it during the phase */
        double a0 = ph->started ? ph->start_s : ph->planned_start_s, a1 = report_phase_end_rel(r, i);
        const struct session_targets *t0 = report_targets_at(r, a0), *t1 = report_targets_at(r, a1 - 1e-6);
        double v0 = t0 ? t0->cadence_spm : NAN, v1 = t1 ? t1->cadence_spm : NAN;
        char t[16], u[16];
        session_fmt(t, sizeof t, v0, SESSION_DEC_CADENCE);
        session_fmt(u, sizeof u, v1, SESSION_DEC_CADENCE);
        if (strcmp(t, u) != 0)
            snprintf(c[4], 128, "%s>%s", t, u);
        else
            snprintf(c[4], 128, "%s", t);
        rd_table_row(d, phase_cols, N_PHASE_COLS, c, false, row++ % 2);
    }
    struct session_stats all;
    session_stats_compute(r->steps, r->n_steps, SESSION_ALL_PHASES, &all);
    snprintf(c[0], 128, "All steps");
    char b[16];
    rd_fmt_clock(b, sizeof b, r->t_end_rel);
    snprintf(c[1], 128, "0:00-%s", b);
    stats_cells(&all, c);
    snprintf(c[4], 128, " ");
    rd_table_row(d, phase_cols, N_PHASE_COLS, c, true, false);
    d->y += 4;
}
static void session_info(struct doc *d, const struct report_record *r)
{
    cairo_t *cr = d->cr;
    const double cw = CONTENT_W / 3;
    char v[9][256];
    const char *lab[9] = {"Patient",     "Date",   "Therapist",   "Protocol", "Duration",
                          "Body weight", "Sensor", "Calibration", "Software"};
    if (r->pat.name[0])
        snprintf(v[0], 256, "%s (%s)", r->pat.code, r->pat.name);
    else
        snprintf(v[0], 256, "%s", r->pat.code);
    if (r->pat.birth_year > 0) {
        size_t n = strlen(v[0]);
        snprintf(v[0] + n, 256 - n, ", born %d", r->pat.birth_year);
    }
    char a[40], b[40];
    rd_fmt_date(a, sizeof a, r->ss.start_utc, true);
    snprintf(v[1], 256, "%s", a);
    snprintf(v[2], 256, "%s", r->ss.therapist);
    snprintf(v[3], 256, "%s", r->ss.protocol_name);
    rd_fmt_clock(b, sizeof b, r->t_end_rel);
    const char *how = r->ss.status == STORE_STOPPED ? "stopped" : store_status_name(r->ss.status);
    if (r->ss.time_scale > 1.0001)
        snprintf(v[4], 256, "%s, %s, time x%g", b, how, r->ss.time_scale);
    else
        snprintf(v[4], 256, "%s (m:ss), %s", b, how);
    if (isfinite(r->ss.body_weight_n))
        snprintf(v[5], 256, "%.0f N (%.1f kg)", r->ss.body_weight_n, units_n_to_kg(r->ss.body_weight_n));
    else
        snprintf(v[5], 256, "-");
    if (r->ss.sensor_identity[0] && r->ss.sensor_serial[0])
        snprintf(v[6], 256, "%s%s, %s", r->ss.simulated ? "SIMULATOR " : "", r->ss.sensor_serial,
                 r->ss.sensor_identity);
    else
        snprintf(v[6], 256, "%s%s%s", r->ss.simulated ? "SIMULATOR " : "", r->ss.sensor_serial,
                 r->ss.sensor_identity);
    if (r->ss.calib_name[0] || r->ss.calib_date[0])
        snprintf(v[7], 256, "%s%s%s", r->ss.calib_date, r->ss.calib_date[0] ? ", " : "",
                 r->ss.calib_name);
    else
        snprintf(v[7], 256, "nominal (no calibration file)");
    snprintf(v[8], 256, "gaitcue %s", r->ss.sw_version);
    for (int i = 0; i < 9; i++)
        rd_info_cell(cr, MARGIN + (i % 3) * cw, d->y + (i / 3) * 23.0 + 7, lab[i], v[i], cw);
    d->y += 3 * 23.0 + 6;
    /* how feedback reached the runner (schema 6; a session without a
     * display and without sound gave none, whatever its plan said) */
    if (r->ss.feedback_delivery[0]) {
        rd_info_cell(cr, MARGIN, d->y + 7, "Feedback to the runner", r->ss.feedback_delivery,
                     CONTENT_W);
        d->y += 23.0;
    }
}

static void draw_lr_table(struct doc *d, const struct report_record *r)
{
    static const struct col cols[] = {
        {"Phase", NULL, 95, AL_LEFT},      {"Steps", "L / R", 60, AL_RIGHT},
        {"Contact L", "ms", 60, AL_RIGHT}, {"Contact R", "ms", 60, AL_RIGHT},
        {"SI contact", "%", 60, AL_RIGHT}, {"VALR L", "BW/s", 60, AL_RIGHT},
        {"VALR R", "BW/s", 60, AL_RIGHT},  {"SI VALR", "%", 60, AL_RIGHT},
    };
    const size_t nc = sizeof cols / sizeof cols[0];
    rd_heading(d, "Left vs right");
    rd_ensure_room(d, ROW_H * (double)(r->n_phases + 3));
    rd_table_header(d, cols, nc);
    char c[8][128];
    size_t row = 0;
    for (size_t i = 0; i <= r->n_phases; i++) {
        struct session_stats x;
        if (i < r->n_phases) {
            session_stats_compute(r->steps, r->n_steps, SESSION_PHASE_BIT(r->phases[i].idx), &x);
            if (x.n_steps == 0)
                continue;
            snprintf(c[0], 128, "%s", r->phases[i].name);
        } else {
            session_stats_compute(r->steps, r->n_steps, SESSION_ALL_PHASES, &x);
            snprintf(c[0], 128, "All steps");
        }
        snprintf(c[1], 128, "%zu / %zu", x.n_left, x.n_right);
        session_fmt(c[2], 128, x.contact_l_ms, SESSION_DEC_CONTACT);
        session_fmt(c[3], 128, x.contact_r_ms, SESSION_DEC_CONTACT);
        session_fmt(c[4], 128, x.si_contact_pct, SESSION_DEC_SI);
        session_fmt(c[5], 128, x.valr_l_bw_s, SESSION_DEC_RATE);
        session_fmt(c[6], 128, x.valr_r_bw_s, SESSION_DEC_RATE);
        session_fmt(c[7], 128, x.si_valr_pct, SESSION_DEC_SI);
        rd_table_row(d, cols, nc, c, i == r->n_phases, row++ % 2);
    }
    d->y += 6;
}

static void draw_protocol(struct doc *d, const struct report_record *r)
{
    cairo_t *cr = d->cr;
    rd_heading(d, "Protocol and target changes");
    rd_font(cr, 7.2, false);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    char line[600];
    if (r->have_plan) {
        char scaled[120] = "";
        if (r->ss.time_scale > 1.0001)
            snprintf(scaled, sizeof scaled,
                     " Run with compressed time: the durations below (as planned) were divided "
                     "by %g.",
                     r->ss.time_scale);
        snprintf(line, sizeof line, "%s%s%s%s", r->plan.name, r->plan.description[0] ? ": " : "",
                 r->plan.description, scaled);
        d->y = rd_paragraph(cr, MARGIN, d->y + 8, CONTENT_W, 9.5, line);
        for (size_t i = 0; i < r->plan.n_phases; i++) {
            rd_ensure_room(d, 10);
            const struct plan_phase *ph = &r->plan.phases[i];
            char desc[300], dur[16];
            plan_describe_phase(ph, desc, sizeof desc);
            rd_fmt_clock(dur, sizeof dur, ph->duration_s);
            rd_font(cr, 7.2, false);
            cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
            snprintf(line, sizeof line, "%zu. %s (%s, %s): %s", i + 1, ph->name,
                     plan_kind_name(ph->kind), dur, desc);
            rd_fit(cr, line, CONTENT_W - 10);
            rd_text_at(cr, MARGIN + 6, d->y + 8, AL_LEFT, line);
            d->y += 9.5;
        }
    } else {
        rd_text_at(cr, MARGIN, d->y + 8, AL_LEFT,
                r->ss.protocol_name[0] ? r->ss.protocol_name : "no protocol stored");
        d->y += 9.5;
    }
    d->y += 4;
    static const struct col cols[] = {
        {"Time", "m:ss", 38, AL_LEFT},
        {"By", NULL, 50, AL_LEFT},
        {"Cadence target", "spm (band)", 112, AL_LEFT},
        {"VALR ceiling", "BW/s", 58, AL_RIGHT},
        {"Feedback", NULL, 62, AL_LEFT},
        {"Note", NULL, CONTENT_W - 320, AL_LEFT},
    };
    const size_t nc = sizeof cols / sizeof cols[0];
    rd_ensure_room(d, 3 * ROW_H);
    rd_table_header(d, cols, nc);
    char c[6][128];
    if (r->n_changes == 0) {
        for (size_t k = 0; k < nc; k++)
            snprintf(c[k], 128, k == 5 ? "no target changes recorded" : "-");
        rd_table_row(d, cols, nc, c, false, false);
    }
    for (size_t i = 0; i < r->n_changes; i++) {
        rd_ensure_room(d, ROW_H);
        const struct store_target_change *tc = &r->changes[i];
        const struct session_targets *t = &tc->targets;
        rd_fmt_clock(c[0], 128, tc->t_s - r->ss.t0_sensor_s);
        snprintf(c[1], 128, "%s", tc->source == STORE_SRC_THERAPIST ? "therapist" : "protocol");
        if (isfinite(t->cadence_spm)) {
            char a[16], lo[16], hi[16];
            snprintf(c[2], 128, "%s (%s-%s)",
                     session_fmt(a, sizeof a, t->cadence_spm, SESSION_DEC_CADENCE),
                     session_fmt(lo, sizeof lo, t->cadence_lo_spm, SESSION_DEC_CADENCE),
                     session_fmt(hi, sizeof hi, t->cadence_hi_spm, SESSION_DEC_CADENCE));
        } else
            snprintf(c[2], 128, "-");
        session_fmt(c[3], 128, t->valr_ceiling_bw_s, SESSION_DEC_RATE);
        if (t->feedback == PLAN_FB_FADED && isfinite(t->feedback_share))
            snprintf(c[4], 128, "faded %.0f %%", t->feedback_share * 100);
        else
            snprintf(c[4], 128, "%s", plan_feedback_name(t->feedback));
        snprintf(c[5], 128, "%s", tc->note[0] ? tc->note : "-");
        rd_table_row(d, cols, nc, c, false, i % 2);
    }
    d->y += 6;
}

static void draw_markers(struct doc *d, const struct report_record *r)
{
    static const struct col cols[] = {
        {"Mark", NULL, 35, AL_LEFT},    {"Time", "m:ss", 45, AL_LEFT},
        {"Phase", NULL, 80, AL_LEFT},   {"Kind", NULL, 50, AL_LEFT},
        {"Pain", "0-10", 35, AL_RIGHT}, {"By", NULL, 45, AL_LEFT},
        {"Note", NULL, CONTENT_W - 290, AL_LEFT},
    };
    rd_heading(d, "Markers and reported symptoms (pain, symptoms, notes)");
    rd_ensure_room(d, 3 * ROW_H);
    rd_table_header(d, cols, 7);
    char c[7][128];
    size_t n_records = 0;
    for (size_t i = 0; i < r->n_symptoms; i++)
        n_records += r->symptoms[i].source != REPORT_SYM_MARK;
    if (r->n_markers == 0 && n_records == 0) {
        for (int k = 0; k < 7; k++)
            snprintf(c[k], 128, k == 6 ? "no markers or symptoms recorded" : "-");
        rd_table_row(d, cols, 7, c, false, false);
    }
    for (size_t i = 0; i < r->n_markers; i++) {
        rd_ensure_room(d, ROW_H);
        const struct store_marker *m = &r->markers[i];
        if (m->kind == STORE_MARK_PAIN)
            snprintf(c[0], 128, "P%d", m->pain);
        else
            snprintf(c[0], 128, "M%zu", i + 1);
        double rel = m->t_s - r->ss.t0_sensor_s;
        rd_fmt_clock(c[1], 128, rel);
        const char *pname = "-";
        for (size_t k = 0; k < r->n_phases; k++)
            if (r->phases[k].started && r->phases[k].start_s <= rel)
                pname = r->phases[k].name;
        snprintf(c[2], 128, "%s", pname);
        snprintf(c[3], 128, "%s", store_marker_kind_name(m->kind));
        if (m->pain >= 0)
            snprintf(c[4], 128, "%d", m->pain);
        else
            snprintf(c[4], 128, "-");
        snprintf(c[5], 128, "%s", m->source[0] ? m->source : "-");
        /* a pain mark's text is its score, already in the pain column */
        char score[16];
        snprintf(score, sizeof score, "%d", m->pain);
        bool just_score = m->kind == STORE_MARK_PAIN && !strcmp(m->text, score);
        snprintf(c[6], 128, "%.127s", m->text[0] && !just_score ? m->text : "-");
        rd_table_row(d, cols, 7, c, false, i % 2);
    }
    /* what the patient reported with 'station symptoms' and 'station
     * prom' for this session: Time says before/during/after */
    size_t k = 0;
    for (size_t i = 0; i < r->n_symptoms; i++) {
        const struct report_symptom *y = &r->symptoms[i];
        if (y->source == REPORT_SYM_MARK)
            continue;
        rd_ensure_room(d, ROW_H);
        snprintf(c[0], 128, "S%zu", ++k);
        snprintf(c[1], 128, "%s", course_when_name(y->when));
        snprintf(c[2], 128, "-");
        snprintf(c[3], 128, "%s", y->source == REPORT_SYM_PROM ? "PROM" : "symptoms");
        if (y->pain >= 0)
            snprintf(c[4], 128, "%d", y->pain);
        else
            snprintf(c[4], 128, "-");
        snprintf(c[5], 128, "%s", y->source == REPORT_SYM_PROM ? "prom" : "symptoms");
        char flags[80] = "", what[256];
        if (y->flags)
            program_symptoms_describe(y->flags, flags, sizeof flags);
        if (y->source == REPORT_SYM_PROM && y->lefs >= 0)
            snprintf(what, sizeof what, "NPRS; LEFS %d/80", y->lefs);
        else if (y->source == REPORT_SYM_PROM)
            snprintf(what, sizeof what, "NPRS");
        else
            snprintf(what, sizeof what, "%s%.40s%s%.60s%s%.60s", y->site[0] ? "at " : "", y->site,
                     y->site[0] && (flags[0] || y->note[0]) ? "; " : "", flags,
                     flags[0] && y->note[0] ? "; " : "", y->note);
        snprintf(c[6], 128, "%.127s", what[0] ? what : "-");
        rd_table_row(d, cols, 7, c, false, (r->n_markers + k) % 2);
    }
    d->y += 6;
}

/* Rows of the key-figure comparison: label, getter. */
struct key_row {
    const char *label;
    const struct session_stats *(*pick)(const struct report_key *);
    enum report_figure what;
};

static const struct session_stats *k_base(const struct report_key *k)
{
    return &k->baseline;
}
static const struct session_stats *k_train(const struct report_key *k)
{
    return &k->training;
}
static const struct session_stats *k_ret(const struct report_key *k)
{
    return &k->retention;
}

static const struct key_row key_rows[] = {
    {"Cadence, baseline (spm)", k_base, REPORT_FIG_CADENCE},
    {"Cadence, training (spm)", k_train, REPORT_FIG_CADENCE},
    {"Cadence, retention (spm)", k_ret, REPORT_FIG_CADENCE},
    {"Contact time, training (ms)", k_train, REPORT_FIG_CONTACT},
    {"VALR, baseline (BW/s)", k_base, REPORT_FIG_VALR},
    {"VALR, training (BW/s)", k_train, REPORT_FIG_VALR},
    {"VALR, retention (BW/s)", k_ret, REPORT_FIG_VALR},
    {"VILR, training (BW/s)", k_train, REPORT_FIG_VILR},
    {"Steps in band, training (%)", k_train, REPORT_FIG_IN_BAND_PCT},
};

static void draw_comparison(struct doc *d, const struct report_record *r)
{
    rd_heading(d, "Comparison with the previous session of the same protocol");
    struct report_key now;
    report_key_of(r, &now);
    const struct report_key *prev = &r->prev_key;
    cairo_t *cr = d->cr;
    if (!r->has_prev) {
        rd_font(cr, 7.5, false);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        char none[200];
        snprintf(none, sizeof none,
                 "None: no earlier session of protocol %.48s for this patient (sessions of other "
                 "protocols are not compared; excluded sessions are skipped).",
                 r->ss.protocol_name);
        rd_text_at(cr, MARGIN, d->y + 8, AL_LEFT, none);
        d->y += 16;
        return;
    }
    char why[400];
    if (store_conditions_differ(&r->prev_cond, &r->cond, why, sizeof why)) {
        char line[480];
        snprintf(line, sizeof line, "Conditions differ from the previous session (%s): compare "
                 "with care.", why);
        cairo_set_source_rgb(cr, 0.45, 0.3, 0.05);
        rd_font(cr, 7.5, true);
        d->y = rd_paragraph(cr, MARGIN, d->y + 8, CONTENT_W, 9.5, line) - 3.5; /* wrapped */
    }
    char prev_h[64], date[32];
    rd_fmt_date(date, sizeof date, r->prev.start_utc, false);
    snprintf(prev_h, sizeof prev_h, "#%lld %s", (long long)r->prev.id, date);
    struct col cols[] = {
        {"Figure", NULL, 170, AL_LEFT},
        {"This session", NULL, 90, AL_RIGHT},
        {"Previous", prev_h, 110, AL_RIGHT},
        {"Change", NULL, CONTENT_W - 370, AL_RIGHT},
    };
    rd_ensure_room(d, ROW_H * 12);
    rd_table_header(d, cols, 4);
    char c[4][128];
    size_t nrows = sizeof key_rows / sizeof key_rows[0];
    for (size_t i = 0; i < nrows; i++) {
        int dec;
        double a = report_key_value(key_rows[i].pick(&now), key_rows[i].what, &dec);
        double b = report_key_value(key_rows[i].pick(prev), key_rows[i].what, &dec);
        snprintf(c[0], 128, "%s", key_rows[i].label);
        session_fmt(c[1], 128, a, dec);
        session_fmt(c[2], 128, b, dec);
        if (isfinite(a) && isfinite(b)) {
            char diff[32];
            session_fmt(diff, sizeof diff, a - b, dec);
            snprintf(c[3], 128, "%s%s", a - b > 0 && strcmp(diff, "0") && diff[0] != '0' ? "+" : "",
                     diff);
        } else
            snprintf(c[3], 128, "-");
        rd_table_row(d, cols, 4, c, false, i % 2);
    }
    snprintf(c[0], 128, "Highest pain (0-10)");
    snprintf(c[1], 128, now.pain_max >= 0 ? "%d" : "-", now.pain_max);
    snprintf(c[2], 128, prev->pain_max >= 0 ? "%d" : "-", prev->pain_max);
    snprintf(c[3], 128, " ");
    rd_table_row(d, cols, 4, c, false, nrows % 2);
    d->y += 6;
}
/* The conditions (shoe, treadmill, deck estimate) and the link's health,
 * with a red sentence when data were lost. */
static void draw_conditions(struct doc *d, const struct report_record *r)
{
    char line[1024], warn[240];
    /* wrapped, never cut: a conditions line with changes is long */
    report_conditions_text(&r->cond, line, sizeof line);
    cairo_set_source_rgb(d->cr, 0.2, 0.2, 0.2);
    rd_font(d->cr, 7.5, false);
    d->y = rd_paragraph(d->cr, MARGIN, d->y + 6, CONTENT_W, 9.5, line) - 4.5;
    report_link_text(&r->cond, r->ss.status, line, sizeof line, warn, sizeof warn);
    d->y = rd_paragraph(d->cr, MARGIN, d->y + 6, CONTENT_W, 9.5, line) - 4.5;
    if (warn[0]) {
        cairo_set_source_rgb(d->cr, 0.7, 0.1, 0.1);
        rd_font(d->cr, 7.5, true);
        d->y = rd_paragraph(d->cr, MARGIN, d->y + 6, CONTENT_W, 9.5, warn) - 3.5;
    }
}

int report_session_pdf(const struct report_record *rec, const char *pdf_path,
                       const char *store_path, struct gc_diag *diag)
{
    const struct report_record r = *rec; /* a shallow copy: read only */
    struct doc d;
    struct out_file o;
    int rc = rd_doc_begin(&d, &o, pdf_path, store_path, diag);
    if (rc)
        return rc;
    snprintf(d.footer, sizeof d.footer, "gaitcue %s - patient %s - session #%lld - %s",
             r.ss.sw_version, r.pat.code, (long long)r.ss.id, store_status_name(r.ss.status));
    char right[96], date[40];
    rd_fmt_date(date, sizeof date, r.ss.start_utc, false);
    snprintf(right, sizeof right, "Session #%lld, %s", (long long)r.ss.id, date);
    rd_title_block(&d, "Gait retraining session report", right);
    session_info(&d, &r);
    /* how it ended, in a sentence of its own (the info cell is short) */
    char line[300] = "";
    if (r.ss.status == STORE_INTERRUPTED)
        snprintf(line, sizeof line, "Session interrupted (crash, power loss, lost sensor or a "
                                    "failed save): figures cover the data stored up to then.");
    else if (r.ss.status == STORE_RUNNING)
        snprintf(line, sizeof line, "Session still running: figures cover the data stored so far.");
    else if (r.ss.status == STORE_STOPPED) {
        struct store_session how_ss = r.ss;
        how_ss.excluded_utc = 0; /* the exclusion has its own line */
        char how[200];
        report_status_text(&how_ss, how, sizeof how);
        bool said = strstr(how, "before the plan's end") != NULL;
        snprintf(line, sizeof line, "Session %s%s: figures cover the session up to then.", how,
                 said ? "" : ", before the end of its plan");
    }
    if (line[0]) {
        cairo_set_source_rgb(d.cr, 0.7, 0.1, 0.1);
        rd_font(d.cr, 7.5, true);
        d.y = rd_paragraph(d.cr, MARGIN, d.y + 6, CONTENT_W, 9, line) - 3;
    }
    if (r.ss.excluded_utc) {
        char when[32];
        rd_fmt_date(when, sizeof when, r.ss.excluded_utc, false);
        snprintf(line, sizeof line, "Excluded from the progress report on %s: %.150s", when,
                 r.ss.exclude_reason);
        cairo_set_source_rgb(d.cr, 0.45, 0.3, 0.05);
        rd_font(d.cr, 7.5, true);
        rd_fit(d.cr, line, CONTENT_W);
        rd_text_at(d.cr, MARGIN, d.y + 6, AL_LEFT, line);
        d.y += 12;
    }
    draw_conditions(&d, &r);
    rd_heading(&d, "Figures per phase");
    draw_phase_table(&d, &r);
    rs_draw_cadence_plot(&d, &r);
    rs_draw_loading_plot(&d, &r);
    rd_new_page(&d);
    draw_lr_table(&d, &r);
    draw_comparison(&d, &r);
    draw_protocol(&d, &r);
    draw_markers(&d, &r);
    rd_draw_method(&d, r.ss.method);
    rg_draw_gait_page(&d, &r);
    return rd_doc_end(&d, &o, diag);
}
