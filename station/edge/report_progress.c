/*
 * report_progress.c - the progress report (PDF): one patient's sessions,
 * key figures session by session, and cadence and VALR by date, one line
 * per protocol; excluded sessions listed, not plotted.
 */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "report_doc.h"

/* ---- progress report ------------------------------------------------ */

/* Sessions a progress plot shows: this protocol's, not excluded. */
static bool prog_takes(const struct report_progress_row *pr, const char *protocol)
{
    return !pr->ss.excluded_utc && !strcmp(pr->ss.protocol_name, protocol);
}

/* The session before row i of the same protocol that the plots show
 * (the one its figures are compared with), or -1. */
static long prog_prev(const struct report_progress *l, size_t i)
{
    for (size_t k = i; k-- > 0;)
        if (prog_takes(&l->rows[k], l->rows[i].ss.protocol_name))
            return (long)k;
    return -1;
}

/* Do row i's conditions (shoe, speed > 5 %, incline) differ from those of
 * the session before it of the same protocol?  why gets what differs. */
static bool prog_differs(const struct report_progress *l, size_t i, char *why, size_t cap)
{
    long k = prog_prev(l, i);
    if (why && cap)
        why[0] = 0;
    return k >= 0 && store_conditions_differ(&l->rows[k].cond, &l->rows[i].cond, why, cap);
}

/* Days since the first plotted session. */
static double prog_day(const struct report_progress *l, size_t i, int64_t first_utc)
{
    return (double)(l->rows[i].ss.start_utc - first_utc) / 86400.0;
}

/* One figure by date for one protocol: baseline, training and retention
 * values of each session at its date. */
static void prog_plot(struct doc *d, const struct report_progress *l, const char *title,
                      const char *ylabel, enum report_figure what, double risk, const char *protocol)
{
    const double h = 120;
    rd_ensure_room(d, h + 50);
    rd_heading(d, title);
    cairo_t *cr = d->cr;
    int64_t first = 0, last = 0;
    for (size_t i = 0; i < l->n; i++)
        if (prog_takes(&l->rows[i], protocol)) {
            if (!first || l->rows[i].ss.start_utc < first)
                first = l->rows[i].ss.start_utc;
            if (l->rows[i].ss.start_utc > last)
                last = l->rows[i].ss.start_utc;
        }
    double span = fmax((double)(last - first) / 86400.0, 1.0);
    struct plot p = {MARGIN + 30, d->y + 12, CONTENT_W - 36, h, -0.05 * span, 1.05 * span, 0, 0};
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < l->n; i++) {
        if (!prog_takes(&l->rows[i], protocol))
            continue;
        const struct session_stats *s3[3] = {&l->rows[i].key.baseline, &l->rows[i].key.training,
                                             &l->rows[i].key.retention};
        for (int k = 0; k < 3; k++) {
            int dec;
            double v = report_key_value(s3[k], what, &dec);
            if (isfinite(v)) {
                lo = fmin(lo, v);
                hi = fmax(hi, v);
            }
        }
    }
    if (isfinite(risk))
        hi = fmax(hi, risk), lo = fmin(lo, risk);
    if (!isfinite(lo)) {
        lo = 0;
        hi = 1;
    }
    double pad = fmax((hi - lo) * 0.15, 2);
    p.y0 = floor((lo - pad) / 5) * 5;
    p.y1 = ceil((hi + pad) / 5) * 5;
    double ys = rd_nice_step(p.y1 - p.y0, 5);
    rd_y_grid(cr, &p, ceil(p.y0 / ys) * ys, ys, 0.8, 1);
    double last_label_x = -INFINITY;
    for (size_t i = 0; i < l->n; i++) {
        if (!prog_takes(&l->rows[i], protocol))
            continue;
        double x = rd_px(&p, prog_day(l, i, first));
        if (x - last_label_x < 48)
            continue; /* labels would overlap: the table has every date */
        char date[32];
        rd_fmt_date(date, sizeof date, l->rows[i].ss.start_utc, false);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        rd_text_at(cr, x, p.y + p.h + 9, AL_CENTER, date);
        last_label_x = x;
    }
    rd_font(cr, 7, true);
    rd_text_at(cr, p.x - 28, p.y - 4, AL_LEFT, ylabel);
    cairo_set_line_width(cr, 0.6);
    cairo_rectangle(cr, p.x, p.y, p.w, p.h);
    cairo_stroke(cr);
    if (isfinite(risk)) {
        rd_set_rgb(cr, rgb_risk);
        cairo_set_line_width(cr, 0.9);
        cairo_move_to(cr, p.x, rd_py(&p, risk));
        cairo_line_to(cr, p.x + p.w, rd_py(&p, risk));
        cairo_stroke(cr);
    }
    const double colors[3][3] = {{0.45, 0.45, 0.45}, {0.15, 0.5, 0.15}, {0.12, 0.38, 0.70}};
    const char *names[3] = {"baseline", "training", "retention"};
    for (int k = 0; k < 3; k++) {
        rd_set_rgb(cr, colors[k]);
        cairo_set_line_width(cr, 1.2);
        bool pen = false;
        for (size_t i = 0; i < l->n; i++) {
            if (!prog_takes(&l->rows[i], protocol))
                continue;
            const struct report_key *key = &l->rows[i].key;
            const struct session_stats *s = k == 0   ? &key->baseline
                                            : k == 1 ? &key->training
                                                     : &key->retention;
            int dec;
            double v = report_key_value(s, what, &dec);
            if (!isfinite(v)) {
                pen = false;
                continue;
            }
            double x = rd_px(&p, prog_day(l, i, first)), y = rd_py(&p, v);
            rd_pen_to(cr, &pen, x, y);
        }
        cairo_stroke(cr);
        for (size_t i = 0; i < l->n; i++) {
            if (!prog_takes(&l->rows[i], protocol))
                continue;
            const struct report_key *key = &l->rows[i].key;
            const struct session_stats *s = k == 0   ? &key->baseline
                                            : k == 1 ? &key->training
                                                     : &key->retention;
            int dec;
            double v = report_key_value(s, what, &dec);
            if (isfinite(v)) {
                rd_dot(cr, rd_px(&p, prog_day(l, i, first)), rd_py(&p, v), 2.0);
                cairo_fill(cr);
            }
        }
        rd_legend_item(cr, p.x + 70.0 * k, p.y + p.h + 19, colors[k], true, names[k]);
    }
    if (isfinite(risk))
        rd_legend_item(cr, p.x + 210, p.y + p.h + 19, rgb_risk, true, "66 BW/s risk line");
    d->y = p.y + p.h + 28;
}

int report_progress_pdf(const struct report_progress *prog, const char *pdf_path,
                        const char *store_path, struct gc_diag *diag)
{
    const struct report_progress l = *prog; /* a shallow copy: read only */
    const struct store_patient pat = prog->pat;
    struct doc d;
    struct out_file o;
    int rc = rd_doc_begin(&d, &o, pdf_path, store_path, diag);
    if (rc)
        return rc;
    rd_patient_title(&d, pat.code, (int64_t)time(NULL), "Gait retraining progress report",
                     "progress report");
    char who[200];
    if (pat.name[0])
        snprintf(who, sizeof who, "%s (%s)", pat.code, pat.name);
    else
        snprintf(who, sizeof who, "%s", pat.code);
    char born[32] = "-";
    if (pat.birth_year > 0)
        snprintf(born, sizeof born, "%d", pat.birth_year);
    char count[32];
    snprintf(count, sizeof count, "%zu", l.n);
    const double cw = CONTENT_W / 3;
    rd_info_cell(d.cr, MARGIN, d.y + 7, "Patient", who, cw);
    rd_info_cell(d.cr, MARGIN + cw, d.y + 7, "Born", born, cw);
    rd_info_cell(d.cr, MARGIN + 2 * cw, d.y + 7, "Sessions", count, cw);
    d.y += 30;
    rd_heading(&d, "Key figures session by session");
    static const struct col cols[] = {
        {"Session", NULL, 38, AL_LEFT},
        {"Date", NULL, 50, AL_LEFT},
        {"Protocol", NULL, 78, AL_LEFT},
        {"Status", NULL, 45, AL_LEFT},
        {"Steps", NULL, 30, AL_RIGHT},
        {"Cadence", "base", 34, AL_RIGHT},
        {"Cadence", "train", 34, AL_RIGHT},
        {"Cadence", "retent.", 34, AL_RIGHT},
        {"VALR", "base", 30, AL_RIGHT},
        {"VALR", "train", 30, AL_RIGHT},
        {"VALR", "retent.", 32, AL_RIGHT},
        {"In band", "train %", 36, AL_RIGHT},
        {"Pain", "max", CONTENT_W - 471, AL_RIGHT},
    };
    const size_t nc = sizeof cols / sizeof cols[0];
    rd_table_header(&d, cols, nc);
    char c[13][128];
    for (size_t i = 0; i < l.n; i++) {
        rd_ensure_room(&d, ROW_H);
        const struct report_progress_row *pr = &l.rows[i];
        /* '*': its conditions differ from the previous session's (below) */
        snprintf(c[0], 128, "#%lld%s", (long long)pr->ss.id,
                 prog_differs(&l, i, NULL, 0) ? "*" : "");
        rd_fmt_date(c[1], 128, pr->ss.start_utc, false);
        snprintf(c[2], 128, "%s", pr->ss.protocol_name);
        snprintf(c[3], 128, "%s",
                 pr->ss.excluded_utc ? "excluded" : store_status_name(pr->ss.status));
        snprintf(c[4], 128, "%zu", pr->key.all.n_steps);
        session_fmt(c[5], 128, pr->key.baseline.cadence_spm, SESSION_DEC_CADENCE);
        session_fmt(c[6], 128, pr->key.training.cadence_spm, SESSION_DEC_CADENCE);
        session_fmt(c[7], 128, pr->key.retention.cadence_spm, SESSION_DEC_CADENCE);
        session_fmt(c[8], 128, pr->key.baseline.valr_bw_s, SESSION_DEC_RATE);
        session_fmt(c[9], 128, pr->key.training.valr_bw_s, SESSION_DEC_RATE);
        session_fmt(c[10], 128, pr->key.retention.valr_bw_s, SESSION_DEC_RATE);
        rd_fmt_pct(c[11], 128, pr->key.training.share_in_band);
        if (pr->key.pain_max >= 0)
            snprintf(c[12], 128, "%d", pr->key.pain_max);
        else
            snprintf(c[12], 128, "-");
        rd_table_row(&d, cols, nc, c, false, i % 2);
    }
    if (l.n == 0) {
        rd_font(d.cr, 7.5, false);
        rd_text_at(d.cr, MARGIN, d.y + 10, AL_LEFT, "No sessions stored for this patient yet.");
        d.y += 16;
    }
    for (size_t i = 0; i < l.n; i++) {
        char why[400], line[560];
        if (!prog_differs(&l, i, why, sizeof why))
            continue;
        snprintf(line, sizeof line,
                 "* Session #%lld ran in other conditions than #%lld (%s): compare with care.",
                 (long long)l.rows[i].ss.id, (long long)l.rows[prog_prev(&l, i)].ss.id, why);
        rd_ensure_room(&d, 22);
        rd_font(d.cr, 7.2, false);
        cairo_set_source_rgb(d.cr, 0.45, 0.3, 0.05);
        d.y = rd_paragraph(d.cr, MARGIN, d.y + 9, CONTENT_W, 9, line) - 8; /* wrapped, not cut */
    }
    for (size_t i = 0; i < l.n; i++) {
        if (!l.rows[i].ss.excluded_utc)
            continue;
        char line[300], when[32];
        rd_fmt_date(when, sizeof when, l.rows[i].ss.excluded_utc, false);
        snprintf(line, sizeof line, "Session #%lld is excluded from the plots (%s): %.160s",
                 (long long)l.rows[i].ss.id, when, l.rows[i].ss.exclude_reason);
        rd_ensure_room(&d, 12);
        rd_font(d.cr, 7.2, false);
        cairo_set_source_rgb(d.cr, 0.2, 0.2, 0.2);
        rd_text_at(d.cr, MARGIN, d.y + 9, AL_LEFT, line);
        d.y += 10;
    }
    d.y += 8;
    /* by date, one protocol at a time: sessions of different protocols
     * measure different things and are never joined by a line */
    for (size_t i = 0; i < l.n; i++) {
        const char *proto = l.rows[i].ss.protocol_name;
        bool seen = l.rows[i].ss.excluded_utc != 0;
        for (size_t k = 0; k < i && !seen; k++)
            seen = !l.rows[k].ss.excluded_utc && !strcmp(l.rows[k].ss.protocol_name, proto);
        if (seen)
            continue;
        char t1[120], t2[120];
        snprintf(t1, sizeof t1, "Cadence by date: %.60s", proto);
        snprintf(t2, sizeof t2, "Loading rate (VALR) by date: %.60s", proto);
        prog_plot(&d, &l, t1, "steps/min", REPORT_FIG_CADENCE, NAN, proto);
        prog_plot(&d, &l, t2, "BW/s", REPORT_FIG_VALR, SESSION_VALR_RISK_BW_S, proto);
    }
    rd_draw_method(&d, NULL);
    return rd_doc_end(&d, &o, diag);
}
