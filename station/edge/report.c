/* report.c - session and progress reports (cairo PDF), CSV and JSON exports. */
#define LOG_PREFIX "report"
#include "report.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "datadir.h"
#include "gc_error.h"
#include "log.h"
#include "steps_csv.h"

/* ---- page geometry (PostScript points, A4 portrait) ---------------- */
#define PAGE_W      595.276
#define PAGE_H      841.89
#define MARGIN      40.0
#define CONTENT_W   (PAGE_W - 2 * MARGIN)
#define FOOTER_Y    (PAGE_H - 24.0)
#define BODY_BOTTOM (PAGE_H - 40.0)
#define FONT        "DejaVu Sans"

/* Phase shading by kind (light, prints well in grey too). */
static const double kind_rgb[][3] = {
    {0.93, 0.93, 0.93}, /* weigh-in */
    {0.88, 0.90, 0.95}, /* baseline */
    {0.86, 0.94, 0.87}, /* training */
    {0.98, 0.94, 0.82}, /* retention */
    {0.95, 0.92, 0.97}, /* walk */
    {0.86, 0.94, 0.87}, /* run */
};
static const double rgb_left[3] = {0.12, 0.38, 0.70};
static const double rgb_right[3] = {0.85, 0.45, 0.10};
static const double rgb_risk[3] = {0.80, 0.10, 0.10};
static const double rgb_band[3] = {0.55, 0.80, 0.55};

const char *report_default_method(void)
{
    return "Vertical force = sum of the four deck load cells after calibration, causal low-pass "
           "filtered (its delay removed from event times). A contact is detected 50 N above the "
           "tracked flight baseline; initial contact (IC) and toe-off are timed where the force "
           "crosses baseline + 20 N. In walking (no flight) steps are split by the "
           "mediolateral centre of pressure. Step time = IC to next IC; phase cadence = 60000 / "
           "mean step time. Impact peak = first local maximum before the active peak; many "
           "mid/forefoot strikes have none and it is then reported absent, never invented. "
           "VALR = mean slope between 20 % and 80 % of the impact peak, VILR = the largest "
           "slope in that window, in body weights per second (without an impact peak the same "
           "20-80 % window is taken on the rise to the active peak). Risk line: VALR 66 BW/s "
           "(Davis et al. 2016). Table figures are means over the steps that have the value; "
           "'in band' = share of running steps whose stride cadence (120000 / the sum of the step "
           "and the previous step time, ms) was inside the target band in force at their "
           "contact; 'over 66' = share "
           "of steps with VALR above 66 BW/s; SI = 100 (L - "
           "R) / mean(L, R). Details: docs/analysis.md and docs/sessions.md.";
}

/* ---- loaded session ------------------------------------------------ */

struct rep {
    struct store_session ss;
    struct store_patient pat;
    struct store_phase *phases;
    size_t n_phases;
    struct session_step *steps;
    size_t n_steps;
    struct store_target_change *changes;
    size_t n_changes;
    struct store_marker *markers;
    size_t n_markers;
    char *protocol_text;
    struct plan plan;
    bool have_plan;
    double t_end_rel; /* time axis end, s */
};

static void rep_free(struct rep *r)
{
    free(r->phases);
    free(r->steps);
    free(r->changes);
    free(r->markers);
    free(r->protocol_text);
    memset(r, 0, sizeof *r);
}

static int rep_load(struct store *st, int64_t sid, struct rep *r)
{
    memset(r, 0, sizeof *r);
    int rc = store_session_get(st, sid, &r->ss);
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
    if (rc) {
        rep_free(r);
        return rc;
    }
    struct plan_error perr;
    r->have_plan = r->protocol_text[0] &&
                   plan_parse(r->protocol_text, strlen(r->protocol_text), &r->plan, &perr) == GC_OK;
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
    return GC_OK;
}

static uint64_t phase_mask_kind(const struct rep *r, int k1, int k2)
{
    uint64_t m = 0;
    for (size_t i = 0; i < r->n_phases && i < 64; i++)
        if ((int)r->phases[i].kind == k1 || (int)r->phases[i].kind == k2)
            m |= SESSION_PHASE_BIT(r->phases[i].idx);
    return m;
}

static void key_from_rep(const struct rep *r, struct report_key *k)
{
    session_stats_compute(r->steps, r->n_steps, SESSION_ALL_PHASES, &k->all);
    session_stats_compute(r->steps, r->n_steps, phase_mask_kind(r, PLAN_KIND_BASELINE, -1),
                          &k->baseline);
    session_stats_compute(r->steps, r->n_steps,
                          phase_mask_kind(r, PLAN_KIND_TRAINING, PLAN_KIND_RUN), &k->training);
    session_stats_compute(r->steps, r->n_steps, phase_mask_kind(r, PLAN_KIND_RETENTION, -1),
                          &k->retention);
    k->pain_max = -1;
    for (size_t i = 0; i < r->n_markers; i++)
        if (r->markers[i].kind == STORE_MARK_PAIN && r->markers[i].pain > k->pain_max)
            k->pain_max = r->markers[i].pain;
}

int report_key_figures(struct store *st, int64_t sid, struct report_key *out)
{
    struct rep r;
    int rc = rep_load(st, sid, &r);
    if (rc)
        return rc;
    key_from_rep(&r, out);
    rep_free(&r);
    return GC_OK;
}

/* ---- output files: temp beside the target, then rename ------------- */

/* The data-folder policy (datadir.h): refused over the store, a database,
 * a recording; temporary file 0600 beside the target, fsync, rename,
 * fsync of the folder. */
struct out_file {
    struct datadir_out *d;
    FILE *f;
    char final[4096];
};

static int out_open(struct out_file *o, const char *path, const struct store *st)
{
    memset(o, 0, sizeof *o);
    if (!path || !path[0])
        return GC_ERR_ARG;
    snprintf(o->final, sizeof o->final, "%s", path);
    struct datadir_guard g = {.store = st ? store_path(st) : NULL};
    char msg[PATH_MAX + 256];
    int rc = datadir_out_open(path, DATADIR_OUT_TEMP, &g, &o->d, msg, sizeof msg);
    if (rc) {
        LOG_ERR("%s", msg);
        return rc;
    }
    o->f = datadir_out_file(o->d);
    return GC_OK;
}

static int out_close(struct out_file *o, bool ok)
{
    if (!o->d)
        return GC_ERR_STATE;
    o->f = NULL;
    if (!ok) {
        datadir_out_abort(o->d);
        o->d = NULL;
        return GC_ERR_IO;
    }
    char msg[PATH_MAX + 256];
    int rc = datadir_out_commit(o->d, msg, sizeof msg);
    o->d = NULL;
    if (rc)
        LOG_ERR("%s", msg);
    return rc;
}

static cairo_status_t write_cb(void *closure, const unsigned char *data, unsigned int len)
{
    FILE *f = closure;
    return fwrite(data, 1, len, f) == len ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/* ---- drawing helpers ----------------------------------------------- */

enum align { AL_LEFT, AL_RIGHT, AL_CENTER };

struct doc {
    cairo_surface_t *surf;
    cairo_t *cr;
    int page;
    double y; /* current vertical position */
    char footer[256];
};

static void set_rgb(cairo_t *cr, const double c[3])
{
    cairo_set_source_rgb(cr, c[0], c[1], c[2]);
}

static void font(cairo_t *cr, double size, bool bold)
{
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

static double text_w(cairo_t *cr, const char *s)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    return e.x_advance;
}

static void text_at(cairo_t *cr, double x, double y, enum align al, const char *s)
{
    double w = text_w(cr, s);
    if (al == AL_RIGHT)
        x -= w;
    else if (al == AL_CENTER)
        x -= w / 2;
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, s);
}

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static void
textf(cairo_t *cr, double x, double y, enum align al, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    text_at(cr, x, y, al, buf);
}

/* Shorten s with "..." until it fits width w (in the current font). */
static void fit(cairo_t *cr, char *s, double w)
{
    size_t n = strlen(s);
    if (text_w(cr, s) <= w)
        return;
    while (n > 1) {
        n--;
        /* do not cut a UTF-8 sequence */
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        memcpy(s + n, "...", 4);
        if (text_w(cr, s) <= w)
            return;
    }
}

/* Wrapped paragraph; returns the y after the last line. */
static double paragraph(cairo_t *cr, double x, double y, double w, double line_h, const char *s)
{
    char line[1024] = "";
    size_t ll = 0;
    const char *p = s;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ' ')
            e++;
        size_t wl = (size_t)(e - p);
        if (wl == 0)
            break;
        if (wl > 200)
            wl = 200; /* a "word" this long is garbage: cut it */
        char trial[1024];
        size_t tl = 0;
        if (ll + 1 + wl < sizeof trial) {
            memcpy(trial, line, ll);
            tl = ll;
            if (ll)
                trial[tl++] = ' ';
            memcpy(trial + tl, p, wl);
            tl += wl;
            trial[tl] = '\0';
        }
        if (ll && (tl == 0 || text_w(cr, trial) > w)) {
            text_at(cr, x, y, AL_LEFT, line);
            y += line_h;
            memcpy(line, p, wl);
            line[wl] = '\0';
            ll = wl;
        } else {
            memcpy(line, trial, tl + 1);
            ll = tl;
        }
        p = e;
    }
    if (line[0]) {
        text_at(cr, x, y, AL_LEFT, line);
        y += line_h;
    }
    return y;
}

static void draw_footer(struct doc *d)
{
    cairo_t *cr = d->cr;
    cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
    cairo_set_line_width(cr, 0.4);
    cairo_move_to(cr, MARGIN, FOOTER_Y - 9);
    cairo_line_to(cr, PAGE_W - MARGIN, FOOTER_Y - 9);
    cairo_stroke(cr);
    font(cr, 6.5, false);
    text_at(cr, MARGIN, FOOTER_Y, AL_LEFT, d->footer);
    textf(cr, PAGE_W - MARGIN, FOOTER_Y, AL_RIGHT, "page %d", d->page);
}

static void new_page(struct doc *d)
{
    if (d->page > 0) {
        draw_footer(d);
        cairo_show_page(d->cr);
    }
    d->page++;
    d->y = MARGIN;
}

static void ensure_room(struct doc *d, double h)
{
    if (d->y + h > BODY_BOTTOM)
        new_page(d);
}

static void heading(struct doc *d, const char *s)
{
    ensure_room(d, 40);
    cairo_t *cr = d->cr;
    cairo_set_source_rgb(cr, 0.1, 0.2, 0.35);
    font(cr, 10, true);
    text_at(cr, MARGIN, d->y + 10, AL_LEFT, s);
    d->y += 16;
}

/* ---- tables -------------------------------------------------------- */

struct col {
    const char *h1, *h2; /* two header lines */
    double w;
    enum align al;
};

#define ROW_H 12.0

static void table_header(struct doc *d, const struct col *cols, size_t nc)
{
    cairo_t *cr = d->cr;
    double x = MARGIN;
    cairo_set_source_rgb(cr, 0.90, 0.92, 0.95);
    cairo_rectangle(cr, MARGIN, d->y, CONTENT_W, 2 * ROW_H - 2);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    font(cr, 6.8, true);
    for (size_t i = 0; i < nc; i++) {
        double tx = cols[i].al == AL_LEFT    ? x + 3
                    : cols[i].al == AL_RIGHT ? x + cols[i].w - 3
                                             : x + cols[i].w / 2;
        text_at(cr, tx, d->y + 9, cols[i].al, cols[i].h1);
        if (cols[i].h2)
            text_at(cr, tx, d->y + 18, cols[i].al, cols[i].h2);
        x += cols[i].w;
    }
    d->y += 2 * ROW_H - 2;
}

static void table_row(struct doc *d, const struct col *cols, size_t nc, char cells[][128],
                      bool bold, bool shade)
{
    cairo_t *cr = d->cr;
    if (shade) {
        cairo_set_source_rgb(cr, 0.97, 0.97, 0.97);
        cairo_rectangle(cr, MARGIN, d->y, CONTENT_W, ROW_H);
        cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    font(cr, 7.2, bold);
    double x = MARGIN;
    for (size_t i = 0; i < nc; i++) {
        fit(cr, cells[i], cols[i].w - 5);
        double tx = cols[i].al == AL_LEFT    ? x + 3
                    : cols[i].al == AL_RIGHT ? x + cols[i].w - 3
                                             : x + cols[i].w / 2;
        text_at(cr, tx, d->y + 8.8, cols[i].al, cells[i]);
        x += cols[i].w;
    }
    d->y += ROW_H;
    cairo_set_source_rgb(cr, 0.82, 0.82, 0.82);
    cairo_set_line_width(cr, 0.3);
    cairo_move_to(cr, MARGIN, d->y);
    cairo_line_to(cr, MARGIN + CONTENT_W, d->y);
    cairo_stroke(cr);
}

static void fmt_clock(char *buf, size_t cap, double s)
{
    if (isinf(s) && s > 0) {
        snprintf(buf, cap, "open");
        return;
    }
    if (!isfinite(s)) {
        snprintf(buf, cap, "-");
        return;
    }
    long t = lround(s);
    if (t < 0)
        t = 0;
    snprintf(buf, cap, "%ld:%02ld", t / 60, t % 60);
}

static void fmt_date(char *buf, size_t cap, int64_t utc, bool with_time)
{
    if (!utc) {
        snprintf(buf, cap, "-");
        return;
    }
    time_t t = (time_t)utc;
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, cap, with_time ? "%Y-%m-%d %H:%M" : "%Y-%m-%d", &tm);
}

static void fmt_pct(char *buf, size_t cap, double share)
{
    session_fmt(buf, cap, isfinite(share) ? share * 100.0 : NAN, SESSION_DEC_SHARE);
}

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
    fmt_pct(c[5], 128, x->share_in_band);
    session_fmt(c[6], 128, x->contact_ms, SESSION_DEC_CONTACT);
    char pk[32];
    session_fmt(pk, sizeof pk, x->impact_peak_bw, SESSION_DEC_PEAK_BW);
    if (x->n_impact)
        snprintf(c[7], 128, "%s (%zu)", pk, x->n_impact);
    else
        snprintf(c[7], 128, "-");
    session_fmt(c[8], 128, x->valr_bw_s, SESSION_DEC_RATE);
    session_fmt(c[9], 128, x->vilr_bw_s, SESSION_DEC_RATE);
    fmt_pct(c[10], 128, x->share_valr_risk);
    session_fmt(c[11], 128, x->si_contact_pct, SESSION_DEC_SI);
    session_fmt(c[12], 128, x->si_valr_pct, SESSION_DEC_SI);
}

/* The targets in force at session time rel_s: every change (protocol
 * phase or PT) is stored with everything in force after it. */
static const struct session_targets *targets_at(const struct rep *r, double rel_s)
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
static double phase_end_rel(const struct rep *r, size_t i)
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

static void draw_phase_table(struct doc *d, const struct rep *r)
{
    ensure_room(d, 2 * ROW_H * (double)(r->n_phases + 2));
    table_header(d, phase_cols, N_PHASE_COLS);
    char c[N_PHASE_COLS][128];
    size_t row = 0;
    for (size_t i = 0; i < r->n_phases; i++) {
        const struct store_phase *ph = &r->phases[i];
        struct session_stats x;
        session_stats_compute(r->steps, r->n_steps, SESSION_PHASE_BIT(ph->idx), &x);
        if (!ph->started && x.n_steps == 0)
            continue; /* not reached (interrupted or cut short) */
        ensure_room(d, ROW_H);
        snprintf(c[0], 128, "%s", ph->name);
        char a[16], b[16];
        fmt_clock(a, sizeof a, ph->started ? ph->start_s : ph->planned_start_s);
        fmt_clock(b, sizeof b, phase_end_rel(r, i));
        snprintf(c[1], 128, "%s-%s", a, b);
        stats_cells(&x, c);
        /* the target in force when the phase began, and where it ended if
         * the PT changed it during the phase */
        double a0 = ph->started ? ph->start_s : ph->planned_start_s, a1 = phase_end_rel(r, i);
        const struct session_targets *t0 = targets_at(r, a0), *t1 = targets_at(r, a1 - 1e-6);
        double v0 = t0 ? t0->cadence_spm : NAN, v1 = t1 ? t1->cadence_spm : NAN;
        char t[16], u[16];
        session_fmt(t, sizeof t, v0, SESSION_DEC_CADENCE);
        session_fmt(u, sizeof u, v1, SESSION_DEC_CADENCE);
        if (strcmp(t, u) != 0)
            snprintf(c[4], 128, "%s>%s", t, u);
        else
            snprintf(c[4], 128, "%s", t);
        table_row(d, phase_cols, N_PHASE_COLS, c, false, row++ % 2);
    }
    struct session_stats all;
    session_stats_compute(r->steps, r->n_steps, SESSION_ALL_PHASES, &all);
    snprintf(c[0], 128, "All steps");
    char b[16];
    fmt_clock(b, sizeof b, r->t_end_rel);
    snprintf(c[1], 128, "0:00-%s", b);
    stats_cells(&all, c);
    snprintf(c[4], 128, " ");
    table_row(d, phase_cols, N_PHASE_COLS, c, true, false);
    d->y += 4;
}

/* ---- plots --------------------------------------------------------- */

struct plot {
    double x, y, w, h; /* plot area (inside the axes) */
    double x0, x1, y0, y1;
};

static double px(const struct plot *p, double v)
{
    return p->x + (v - p->x0) / (p->x1 - p->x0) * p->w;
}

static double py(const struct plot *p, double v)
{
    return p->y + p->h - (v - p->y0) / (p->y1 - p->y0) * p->h;
}

static double nice_step(double range, int target_ticks)
{
    double raw = range / target_ticks;
    double mag = pow(10.0, floor(log10(raw)));
    double f = raw / mag;
    double n = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    return n * mag;
}

/* Phase shading with names along the top, time axis, grid, y label. */
static void plot_frame(struct doc *d, const struct plot *p, const struct rep *r, const char *ylabel)
{
    cairo_t *cr = d->cr;
    for (size_t i = 0; i < r->n_phases; i++) {
        const struct store_phase *ph = &r->phases[i];
        if (!ph->started)
            continue;
        double a = ph->start_s, b = phase_end_rel(r, i);
        if (b <= a)
            continue;
        double xa = px(p, a), xb = px(p, b > p->x1 ? p->x1 : b);
        set_rgb(cr, kind_rgb[ph->kind]);
        cairo_rectangle(cr, xa, p->y, xb - xa, p->h);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
        font(cr, 6, false);
        char name[PLAN_NAME_MAX];
        snprintf(name, sizeof name, "%s", ph->name);
        fit(cr, name, xb - xa - 2);
        if (xb - xa > 14)
            text_at(cr, (xa + xb) / 2, p->y + 7, AL_CENTER, name);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_set_line_width(cr, 0.8);
        cairo_move_to(cr, xa, p->y);
        cairo_line_to(cr, xa, p->y + p->h);
        cairo_stroke(cr);
    }
    /* y grid */
    double ys = nice_step(p->y1 - p->y0, 5);
    font(cr, 6.5, false);
    cairo_set_line_width(cr, 0.3);
    for (double v = ceil(p->y0 / ys) * ys; v <= p->y1 + 1e-9; v += ys) {
        cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
        cairo_move_to(cr, p->x, py(p, v));
        cairo_line_to(cr, p->x + p->w, py(p, v));
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        textf(cr, p->x - 3, py(p, v) + 2.3, AL_RIGHT, "%g", v);
    }
    /* x axis in minutes (seconds for short runs) */
    bool minutes = p->x1 - p->x0 > 180;
    double unit = minutes ? 60.0 : 1.0;
    double xs = nice_step((p->x1 - p->x0) / unit, 8) * unit;
    for (double v = ceil(p->x0 / xs) * xs; v <= p->x1 + 1e-9; v += xs) {
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        cairo_move_to(cr, px(p, v), p->y + p->h);
        cairo_line_to(cr, px(p, v), p->y + p->h + 2.5);
        cairo_stroke(cr);
        textf(cr, px(p, v), p->y + p->h + 9, AL_CENTER, "%g", v / unit);
    }
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    textf(cr, p->x + p->w, p->y + p->h + 17, AL_RIGHT, "time since start (%s)",
          minutes ? "min" : "s");
    font(cr, 7, true);
    text_at(cr, p->x - 28, p->y - 4, AL_LEFT, ylabel);
    cairo_set_line_width(cr, 0.6);
    cairo_rectangle(cr, p->x, p->y, p->w, p->h);
    cairo_stroke(cr);
}

/* Markers as dashed verticals with a short label. */
static void plot_markers(struct doc *d, const struct plot *p, const struct rep *r)
{
    cairo_t *cr = d->cr;
    const double dash[] = {2, 2};
    for (size_t i = 0; i < r->n_markers; i++) {
        const struct store_marker *m = &r->markers[i];
        double x = px(p, m->t_s - r->ss.t0_sensor_s);
        if (x < p->x || x > p->x + p->w)
            continue;
        cairo_set_source_rgb(cr, 0.45, 0.1, 0.45);
        cairo_set_dash(cr, dash, 2, 0);
        cairo_set_line_width(cr, 0.7);
        cairo_move_to(cr, x, p->y + 9);
        cairo_line_to(cr, x, p->y + p->h);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        font(cr, 6, true);
        char lab[24];
        if (m->kind == STORE_MARK_PAIN)
            snprintf(lab, sizeof lab, "P%d", m->pain);
        else
            snprintf(lab, sizeof lab, "M%zu", i + 1);
        text_at(cr, x + 1.5, p->y + p->h - 3 - (double)(i % 3) * 7, AL_LEFT, lab);
    }
}

static void dot(cairo_t *cr, double x, double y, double rad)
{
    cairo_new_sub_path(cr);
    cairo_arc(cr, x, y, rad, 0, 2 * M_PI);
}

static void legend_item(cairo_t *cr, double x, double y, const double rgb[3], bool line,
                        const char *label)
{
    set_rgb(cr, rgb);
    if (line) {
        cairo_set_line_width(cr, 1.2);
        cairo_move_to(cr, x, y - 2.5);
        cairo_line_to(cr, x + 10, y - 2.5);
        cairo_stroke(cr);
    } else {
        dot(cr, x + 5, y - 2.5, 1.8);
        cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    font(cr, 6.5, false);
    text_at(cr, x + 13, y, AL_LEFT, label);
}

/* The cadence trace averages this many step times: about 7 s of running,
 * smooth enough to read the trend, short enough to show a phase change. */
#define MEAN_STEPS 20

static void draw_cadence_plot(struct doc *d, const struct rep *r)
{
    const double h = 150;
    ensure_room(d, h + 50);
    heading(d, "Cadence over time");
    struct plot p = {MARGIN + 30, d->y + 12, CONTENT_W - 36, h, 0, r->t_end_rel, 0, 0};
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < r->n_steps; i++) {
        double c = r->steps[i].step.cadence_spm;
        if (isfinite(c) && c > 40 && c < 300) {
            lo = fmin(lo, c);
            hi = fmax(hi, c);
        }
    }
    for (size_t i = 0; i < r->n_changes; i++)
        if (isfinite(r->changes[i].targets.cadence_lo_spm)) {
            lo = fmin(lo, r->changes[i].targets.cadence_lo_spm);
            hi = fmax(hi, r->changes[i].targets.cadence_hi_spm);
        }
    if (!isfinite(lo)) {
        lo = 150;
        hi = 190;
    }
    p.y0 = floor((lo - 5) / 10) * 10;
    p.y1 = ceil((hi + 5) / 10) * 10;
    plot_frame(d, &p, r, "steps/min");
    cairo_t *cr = d->cr;
    /* the target band as the runner was given it: from each change (a
     * phase beginning or the PT's) to the next */
    for (size_t i = 0; i < r->n_changes; i++) {
        const struct session_targets *t = &r->changes[i].targets;
        if (!isfinite(t->cadence_lo_spm))
            continue;
        double a = r->changes[i].t_s - r->ss.t0_sensor_s;
        double b = i + 1 < r->n_changes ? r->changes[i + 1].t_s - r->ss.t0_sensor_s : r->t_end_rel;
        if (b <= a)
            continue;
        cairo_set_source_rgba(cr, rgb_band[0], rgb_band[1], rgb_band[2], 0.45);
        cairo_rectangle(cr, px(&p, a), py(&p, t->cadence_hi_spm), px(&p, b) - px(&p, a),
                        py(&p, t->cadence_lo_spm) - py(&p, t->cadence_hi_spm));
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0.15, 0.5, 0.15);
        cairo_set_line_width(cr, 0.8);
        cairo_move_to(cr, px(&p, a), py(&p, t->cadence_spm));
        cairo_line_to(cr, px(&p, b), py(&p, t->cadence_spm));
        cairo_stroke(cr);
    }
    /* per-step cadence, then a running mean of step times over MEAN_STEPS */
    cairo_save(cr);
    cairo_rectangle(cr, p.x, p.y, p.w, p.h);
    cairo_clip(cr);
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct gait_step *g = &r->steps[i].step;
        if (!isfinite(g->cadence_spm))
            continue;
        set_rgb(cr, g->side == GAIT_SIDE_RIGHT ? rgb_right : rgb_left);
        dot(cr, px(&p, g->t_ic_s - r->ss.t0_sensor_s), py(&p, g->cadence_spm), 0.7);
        cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_set_line_width(cr, 1.0);
    bool pen = false;
    for (size_t i = 0; i + MEAN_STEPS <= r->n_steps; i++) {
        double sum = 0;
        size_t n = 0;
        for (size_t k = i; k < i + MEAN_STEPS; k++)
            if (isfinite(r->steps[k].step.step_ms) && r->steps[k].step.step_ms <= 2000) {
                sum += r->steps[k].step.step_ms;
                n++;
            }
        if (n < MEAN_STEPS * 3 / 4) {
            pen = false;
            continue;
        }
        double x = px(&p, r->steps[i + MEAN_STEPS - 1].step.t_ic_s - r->ss.t0_sensor_s);
        double y = py(&p, 60000.0 / (sum / (double)n));
        if (pen)
            cairo_line_to(cr, x, y);
        else
            cairo_move_to(cr, x, y);
        pen = true;
    }
    cairo_stroke(cr);
    cairo_restore(cr);
    plot_markers(d, &p, r);
    double ly = p.y + p.h + 17;
    const double black[3] = {0.1, 0.1, 0.1}, green[3] = {0.15, 0.5, 0.15};
    legend_item(cr, p.x, ly, rgb_left, false, "left step");
    legend_item(cr, p.x + 55, ly, rgb_right, false, "right step");
    legend_item(cr, p.x + 115, ly, black, true, "mean of 20 steps");
    legend_item(cr, p.x + 200, ly, green, true, "target and band");
    d->y = ly + 8;
}

static void draw_loading_plot(struct doc *d, const struct rep *r)
{
    const double h = 150;
    ensure_room(d, h + 50);
    heading(d, "Loading rate per step (VALR)");
    struct plot p = {MARGIN + 30, d->y + 12, CONTENT_W - 36, h, 0, r->t_end_rel, 0, 0};
    double hi = SESSION_VALR_RISK_BW_S;
    double vals[2048];
    size_t nv = 0;
    for (size_t i = 0; i < r->n_steps; i++)
        if (isfinite(r->steps[i].step.valr_bw_s)) {
            hi = fmax(hi, r->steps[i].step.valr_bw_s);
            if (nv < sizeof vals / sizeof vals[0])
                vals[nv++] = r->steps[i].step.valr_bw_s;
        }
    for (size_t i = 0; i < r->n_phases; i++)
        if (isfinite(r->phases[i].targets.valr_ceiling_bw_s))
            hi = fmax(hi, r->phases[i].targets.valr_ceiling_bw_s);
    for (size_t i = 0; i < r->n_changes; i++)
        if (isfinite(r->changes[i].targets.valr_ceiling_bw_s))
            hi = fmax(hi, r->changes[i].targets.valr_ceiling_bw_s);
    p.y1 = ceil(hi * 1.1 / 20) * 20;
    plot_frame(d, &p, r, "VALR, BW/s");
    cairo_t *cr = d->cr;
    cairo_save(cr);
    cairo_rectangle(cr, p.x, p.y, p.w, p.h);
    cairo_clip(cr);
    set_rgb(cr, rgb_risk);
    cairo_set_line_width(cr, 0.9);
    cairo_move_to(cr, p.x, py(&p, SESSION_VALR_RISK_BW_S));
    cairo_line_to(cr, p.x + p.w, py(&p, SESSION_VALR_RISK_BW_S));
    cairo_stroke(cr);
    /* ceiling as it was in force: a step function over the target changes */
    const double dash[] = {4, 2};
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_set_line_width(cr, 1.0);
    cairo_set_dash(cr, dash, 2, 0);
    for (size_t i = 0; i < r->n_changes; i++) {
        double c = r->changes[i].targets.valr_ceiling_bw_s;
        if (!isfinite(c))
            continue;
        double a = r->changes[i].t_s - r->ss.t0_sensor_s;
        double b = i + 1 < r->n_changes ? r->changes[i + 1].t_s - r->ss.t0_sensor_s : p.x1;
        cairo_move_to(cr, px(&p, a), py(&p, c));
        cairo_line_to(cr, px(&p, b), py(&p, c));
        cairo_stroke(cr);
    }
    cairo_set_dash(cr, NULL, 0, 0);
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct gait_step *g = &r->steps[i].step;
        if (!isfinite(g->valr_bw_s))
            continue;
        set_rgb(cr, g->side == GAIT_SIDE_RIGHT ? rgb_right : rgb_left);
        dot(cr, px(&p, g->t_ic_s - r->ss.t0_sensor_s), py(&p, g->valr_bw_s), 0.8);
        cairo_fill(cr);
    }
    cairo_restore(cr);
    plot_markers(d, &p, r);
    double ly = p.y + p.h + 17;
    const double grey[3] = {0.2, 0.2, 0.2};
    legend_item(cr, p.x, ly, rgb_left, false, "left step");
    legend_item(cr, p.x + 55, ly, rgb_right, false, "right step");
    legend_item(cr, p.x + 115, ly, grey, true, "ceiling (dashed)");
    legend_item(cr, p.x + 195, ly, rgb_risk, true, "66 BW/s risk line (Davis 2016)");
    d->y = ly + 8;
    (void)vals;
}

/* ---- page sections ------------------------------------------------- */

static void info_cell(cairo_t *cr, double x, double y, const char *label, const char *value,
                      double w)
{
    cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
    font(cr, 6.5, false);
    text_at(cr, x, y, AL_LEFT, label);
    cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
    font(cr, 8.5, false);
    char v[256];
    snprintf(v, sizeof v, "%s", value[0] ? value : "-");
    fit(cr, v, w - 6);
    text_at(cr, x, y + 10, AL_LEFT, v);
}

static void title_block(struct doc *d, const char *title, const char *right)
{
    cairo_t *cr = d->cr;
    cairo_set_source_rgb(cr, 0.1, 0.2, 0.35);
    font(cr, 15, true);
    text_at(cr, MARGIN, d->y + 14, AL_LEFT, title);
    font(cr, 8, false);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    text_at(cr, PAGE_W - MARGIN, d->y + 14, AL_RIGHT, right);
    d->y += 22;
    cairo_set_source_rgb(cr, 0.1, 0.2, 0.35);
    cairo_set_line_width(cr, 1.2);
    cairo_move_to(cr, MARGIN, d->y);
    cairo_line_to(cr, PAGE_W - MARGIN, d->y);
    cairo_stroke(cr);
    d->y += 12;
}

void report_status_text(const struct store_session *ss, char *buf, size_t cap)
{
    char t[16];
    fmt_clock(t, sizeof t, ss->stopped_at_s);
    if (ss->status == STORE_STOPPED && isfinite(ss->stopped_at_s))
        snprintf(buf, cap, "stopped at %s by the PT", t);
    else if (ss->status == STORE_STOPPED)
        snprintf(buf, cap, "stopped by the PT before the plan's end");
    else
        snprintf(buf, cap, "%s", store_status_name(ss->status));
    if (ss->excluded_utc) {
        size_t n = strlen(buf);
        snprintf(buf + n, cap - n, "; excluded from progress: %.80s", ss->exclude_reason);
    }
}

static void session_info(struct doc *d, const struct rep *r)
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
    fmt_date(a, sizeof a, r->ss.start_utc, true);
    snprintf(v[1], 256, "%s", a);
    snprintf(v[2], 256, "%s", r->ss.therapist);
    snprintf(v[3], 256, "%s", r->ss.protocol_name);
    fmt_clock(b, sizeof b, r->t_end_rel);
    const char *how = r->ss.status == STORE_STOPPED ? "stopped" : store_status_name(r->ss.status);
    if (r->ss.time_scale > 1.0001)
        snprintf(v[4], 256, "%s, %s, time x%g", b, how, r->ss.time_scale);
    else
        snprintf(v[4], 256, "%s (m:ss), %s", b, how);
    if (isfinite(r->ss.body_weight_n))
        snprintf(v[5], 256, "%.0f N (%.1f kg)", r->ss.body_weight_n, r->ss.body_weight_n / 9.80665);
    else
        snprintf(v[5], 256, "-");
    if (r->ss.sensor_identity[0] && r->ss.sensor_serial[0])
        snprintf(v[6], 256, "%s, %s", r->ss.sensor_serial, r->ss.sensor_identity);
    else
        snprintf(v[6], 256, "%s%s", r->ss.sensor_serial, r->ss.sensor_identity);
    if (r->ss.calib_name[0] || r->ss.calib_date[0])
        snprintf(v[7], 256, "%s%s%s", r->ss.calib_date, r->ss.calib_date[0] ? ", " : "",
                 r->ss.calib_name);
    else
        snprintf(v[7], 256, "nominal (no calibration file)");
    snprintf(v[8], 256, "gaitcue %s", r->ss.sw_version);
    for (int i = 0; i < 9; i++)
        info_cell(cr, MARGIN + (i % 3) * cw, d->y + (i / 3) * 23.0 + 7, lab[i], v[i], cw);
    d->y += 3 * 23.0 + 6;
}

static void draw_lr_table(struct doc *d, const struct rep *r)
{
    static const struct col cols[] = {
        {"Phase", NULL, 95, AL_LEFT},      {"Steps", "L / R", 60, AL_RIGHT},
        {"Contact L", "ms", 60, AL_RIGHT}, {"Contact R", "ms", 60, AL_RIGHT},
        {"SI contact", "%", 60, AL_RIGHT}, {"VALR L", "BW/s", 60, AL_RIGHT},
        {"VALR R", "BW/s", 60, AL_RIGHT},  {"SI VALR", "%", 60, AL_RIGHT},
    };
    const size_t nc = sizeof cols / sizeof cols[0];
    heading(d, "Left vs right");
    ensure_room(d, ROW_H * (double)(r->n_phases + 3));
    table_header(d, cols, nc);
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
        table_row(d, cols, nc, c, i == r->n_phases, row++ % 2);
    }
    d->y += 6;
}

static void draw_protocol(struct doc *d, const struct rep *r)
{
    cairo_t *cr = d->cr;
    heading(d, "Protocol and target changes");
    font(cr, 7.2, false);
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
        d->y = paragraph(cr, MARGIN, d->y + 8, CONTENT_W, 9.5, line);
        for (size_t i = 0; i < r->plan.n_phases; i++) {
            ensure_room(d, 10);
            const struct plan_phase *ph = &r->plan.phases[i];
            char desc[300], dur[16];
            plan_describe_phase(ph, desc, sizeof desc);
            fmt_clock(dur, sizeof dur, ph->duration_s);
            font(cr, 7.2, false);
            cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
            snprintf(line, sizeof line, "%zu. %s (%s, %s): %s", i + 1, ph->name,
                     plan_kind_name(ph->kind), dur, desc);
            fit(cr, line, CONTENT_W - 10);
            text_at(cr, MARGIN + 6, d->y + 8, AL_LEFT, line);
            d->y += 9.5;
        }
    } else {
        text_at(cr, MARGIN, d->y + 8, AL_LEFT,
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
    ensure_room(d, 3 * ROW_H);
    table_header(d, cols, nc);
    char c[6][128];
    if (r->n_changes == 0) {
        for (size_t k = 0; k < nc; k++)
            snprintf(c[k], 128, k == 5 ? "no target changes recorded" : "-");
        table_row(d, cols, nc, c, false, false);
    }
    for (size_t i = 0; i < r->n_changes; i++) {
        ensure_room(d, ROW_H);
        const struct store_target_change *tc = &r->changes[i];
        const struct session_targets *t = &tc->targets;
        fmt_clock(c[0], 128, tc->t_s - r->ss.t0_sensor_s);
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
        table_row(d, cols, nc, c, false, i % 2);
    }
    d->y += 6;
}

static void draw_markers(struct doc *d, const struct rep *r)
{
    static const struct col cols[] = {
        {"Mark", NULL, 35, AL_LEFT},    {"Time", "m:ss", 45, AL_LEFT},
        {"Phase", NULL, 80, AL_LEFT},   {"Kind", NULL, 50, AL_LEFT},
        {"Pain", "0-10", 35, AL_RIGHT}, {"Note", NULL, CONTENT_W - 245, AL_LEFT},
    };
    heading(d, "Markers (pain, symptoms, notes)");
    ensure_room(d, 3 * ROW_H);
    table_header(d, cols, 6);
    char c[6][128];
    if (r->n_markers == 0) {
        for (int k = 0; k < 6; k++)
            snprintf(c[k], 128, k == 5 ? "no markers recorded" : "-");
        table_row(d, cols, 6, c, false, false);
    }
    for (size_t i = 0; i < r->n_markers; i++) {
        ensure_room(d, ROW_H);
        const struct store_marker *m = &r->markers[i];
        if (m->kind == STORE_MARK_PAIN)
            snprintf(c[0], 128, "P%d", m->pain);
        else
            snprintf(c[0], 128, "M%zu", i + 1);
        double rel = m->t_s - r->ss.t0_sensor_s;
        fmt_clock(c[1], 128, rel);
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
        snprintf(c[5], 128, "%.127s", m->text[0] ? m->text : "-");
        table_row(d, cols, 6, c, false, i % 2);
    }
    d->y += 6;
}

/* Rows of the key-figure comparison: label, getter. */
struct key_row {
    const char *label;
    const struct session_stats *(*pick)(const struct report_key *);
    int what; /* 0 cadence, 1 contact, 2 valr, 3 vilr, 4 in band %, 5 impact */
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
    {"Cadence, baseline (spm)", k_base, 0},      {"Cadence, training (spm)", k_train, 0},
    {"Cadence, retention (spm)", k_ret, 0},      {"Contact time, training (ms)", k_train, 1},
    {"VALR, baseline (BW/s)", k_base, 2},        {"VALR, training (BW/s)", k_train, 2},
    {"VALR, retention (BW/s)", k_ret, 2},        {"VILR, training (BW/s)", k_train, 3},
    {"Steps in band, training (%)", k_train, 4},
};

static double key_value(const struct session_stats *x, int what, int *dec)
{
    switch (what) {
    case 0:
        *dec = SESSION_DEC_CADENCE;
        return x->cadence_spm;
    case 1:
        *dec = SESSION_DEC_CONTACT;
        return x->contact_ms;
    case 2:
        *dec = SESSION_DEC_RATE;
        return x->valr_bw_s;
    case 3:
        *dec = SESSION_DEC_RATE;
        return x->vilr_bw_s;
    case 4:
        *dec = SESSION_DEC_SHARE;
        return isfinite(x->share_in_band) ? x->share_in_band * 100.0 : NAN;
    default:
        *dec = SESSION_DEC_PEAK_BW;
        return x->impact_peak_bw;
    }
}

static void draw_comparison(struct doc *d, struct store *st, const struct rep *r)
{
    heading(d, "Comparison with the previous session of the same protocol");
    int64_t prev_id;
    struct report_key now, prev;
    key_from_rep(r, &now);
    int rc = store_session_previous(st, r->ss.id, &prev_id);
    cairo_t *cr = d->cr;
    if (rc != GC_OK || report_key_figures(st, prev_id, &prev) != GC_OK) {
        font(cr, 7.5, false);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        char none[200];
        snprintf(none, sizeof none,
                 "None: no earlier session of protocol %.48s for this patient (sessions of other "
                 "protocols are not compared; excluded sessions are skipped).",
                 r->ss.protocol_name);
        text_at(cr, MARGIN, d->y + 8, AL_LEFT, none);
        d->y += 16;
        return;
    }
    struct store_session ps;
    char prev_h[64], date[32] = "?";
    if (store_session_get(st, prev_id, &ps) == GC_OK)
        fmt_date(date, sizeof date, ps.start_utc, false);
    snprintf(prev_h, sizeof prev_h, "#%lld %s", (long long)prev_id, date);
    struct col cols[] = {
        {"Figure", NULL, 170, AL_LEFT},
        {"This session", NULL, 90, AL_RIGHT},
        {"Previous", prev_h, 110, AL_RIGHT},
        {"Change", NULL, CONTENT_W - 370, AL_RIGHT},
    };
    ensure_room(d, ROW_H * 12);
    table_header(d, cols, 4);
    char c[4][128];
    size_t nrows = sizeof key_rows / sizeof key_rows[0];
    for (size_t i = 0; i < nrows; i++) {
        int dec;
        double a = key_value(key_rows[i].pick(&now), key_rows[i].what, &dec);
        double b = key_value(key_rows[i].pick(&prev), key_rows[i].what, &dec);
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
        table_row(d, cols, 4, c, false, i % 2);
    }
    snprintf(c[0], 128, "Highest pain (0-10)");
    snprintf(c[1], 128, now.pain_max >= 0 ? "%d" : "-", now.pain_max);
    snprintf(c[2], 128, prev.pain_max >= 0 ? "%d" : "-", prev.pain_max);
    snprintf(c[3], 128, " ");
    table_row(d, cols, 4, c, false, nrows % 2);
    d->y += 6;
}

static void draw_method(struct doc *d, const struct rep *r)
{
    cairo_t *cr = d->cr;
    const char *m = r && r->ss.method[0] ? r->ss.method : report_default_method();
    font(cr, 6.3, false);
    /* measure: draw off-page first would need a recording surface; count
     * lines by a dry run at the same width instead */
    double need = 8.0 * (text_w(cr, m) / (CONTENT_W - 12) + 2) + 14;
    ensure_room(d, need);
    double top = d->y + 2;
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    font(cr, 6.8, true);
    text_at(cr, MARGIN + 6, top + 10, AL_LEFT, "Measurement method");
    font(cr, 6.3, false);
    double end = paragraph(cr, MARGIN + 6, top + 19, CONTENT_W - 12, 8.0, m);
    cairo_set_line_width(cr, 0.5);
    cairo_rectangle(cr, MARGIN, top, CONTENT_W, end - top);
    cairo_stroke(cr);
    d->y = end + 4;
}

/* ---- document lifecycle --------------------------------------------- */

static int doc_begin(struct doc *d, struct out_file *o, const char *path, const struct store *st)
{
    memset(d, 0, sizeof *d);
    int rc = out_open(o, path, st);
    if (rc)
        return rc;
    d->surf = cairo_pdf_surface_create_for_stream(write_cb, o->f, PAGE_W, PAGE_H);
    cairo_pdf_surface_set_metadata(d->surf, CAIRO_PDF_METADATA_CREATOR, "gaitcue " GC_VERSION);
    d->cr = cairo_create(d->surf);
    if (cairo_status(d->cr) != CAIRO_STATUS_SUCCESS) {
        cairo_destroy(d->cr);
        cairo_surface_destroy(d->surf);
        out_close(o, false);
        return GC_ERR_NOMEM;
    }
    new_page(d);
    return GC_OK;
}

static int doc_end(struct doc *d, struct out_file *o)
{
    draw_footer(d);
    cairo_show_page(d->cr);
    cairo_status_t cs = cairo_status(d->cr);
    cairo_destroy(d->cr);
    cairo_surface_finish(d->surf);
    if (cs == CAIRO_STATUS_SUCCESS)
        cs = cairo_surface_status(d->surf);
    cairo_surface_destroy(d->surf);
    if (cs != CAIRO_STATUS_SUCCESS)
        LOG_ERR("drawing the PDF failed: %s", cairo_status_to_string(cs));
    return out_close(o, cs == CAIRO_STATUS_SUCCESS);
}

int report_session_pdf(struct store *st, int64_t sid, const char *pdf_path)
{
    struct rep r;
    int rc = rep_load(st, sid, &r);
    if (rc) {
        if (rc == GC_ERR_NOT_FOUND)
            LOG_ERR("there is no session %lld; 'station sessions' lists them.", (long long)sid);
        return rc;
    }
    struct doc d;
    struct out_file o;
    rc = doc_begin(&d, &o, pdf_path, st);
    if (rc) {
        rep_free(&r);
        return rc;
    }
    snprintf(d.footer, sizeof d.footer, "gaitcue %s - patient %s - session #%lld - %s",
             r.ss.sw_version, r.pat.code, (long long)r.ss.id, store_status_name(r.ss.status));
    char right[96], date[40];
    fmt_date(date, sizeof date, r.ss.start_utc, false);
    snprintf(right, sizeof right, "Session #%lld, %s", (long long)r.ss.id, date);
    title_block(&d, "Gait retraining session report", right);
    session_info(&d, &r);
    /* how it ended, in a sentence of its own (the info cell is short) */
    char line[300] = "";
    if (r.ss.status == STORE_INTERRUPTED)
        snprintf(line, sizeof line, "Session interrupted (crash, power loss, lost sensor or a "
                                    "failed save): figures cover the data stored up to then.");
    else if (r.ss.status == STORE_RUNNING)
        snprintf(line, sizeof line, "Session still running: figures cover the data stored so far.");
    else if (r.ss.status == STORE_STOPPED) {
        char how[96];
        report_status_text(&r.ss, how, sizeof how);
        snprintf(line, sizeof line,
                 "Session %.60s before the end of its plan: figures cover the session up to then.",
                 how);
        char *semi = strchr(line, ';'); /* the exclusion has its own line */
        if (semi)
            snprintf(semi, sizeof line - (size_t)(semi - line),
                     " before the end of its plan: figures cover the session up to then.");
    }
    if (line[0]) {
        cairo_set_source_rgb(d.cr, 0.7, 0.1, 0.1);
        font(d.cr, 7.5, true);
        text_at(d.cr, MARGIN, d.y + 6, AL_LEFT, line);
        d.y += 12;
    }
    if (r.ss.excluded_utc) {
        char when[32];
        fmt_date(when, sizeof when, r.ss.excluded_utc, false);
        snprintf(line, sizeof line, "Excluded from the progress report on %s: %.150s", when,
                 r.ss.exclude_reason);
        cairo_set_source_rgb(d.cr, 0.45, 0.3, 0.05);
        font(d.cr, 7.5, true);
        fit(d.cr, line, CONTENT_W);
        text_at(d.cr, MARGIN, d.y + 6, AL_LEFT, line);
        d.y += 12;
    }
    heading(&d, "Figures per phase");
    draw_phase_table(&d, &r);
    draw_cadence_plot(&d, &r);
    draw_loading_plot(&d, &r);
    new_page(&d);
    draw_lr_table(&d, &r);
    draw_comparison(&d, st, &r);
    draw_protocol(&d, &r);
    draw_markers(&d, &r);
    draw_method(&d, &r);
    rc = doc_end(&d, &o);
    rep_free(&r);
    return rc;
}

/* ---- CSV / JSON exports -------------------------------------------- */

static void csv_num(FILE *f, double v, bool last)
{
    /* %.17g: the exported number reads back as the same double */
    if (isfinite(v))
        fprintf(f, "%.17g", v);
    fputc(last ? '\n' : ',', f);
}

int report_session_csv(struct store *st, int64_t sid, const char *csv_path)
{
    struct rep r;
    int rc = rep_load(st, sid, &r);
    if (rc)
        return rc;
    struct out_file o;
    rc = out_open(&o, csv_path, st);
    if (rc) {
        rep_free(&r);
        return rc;
    }
    FILE *f = o.f;
    fprintf(f, "# source=gaitcue %s session %lld\n# patient=%s\n# t0_s=%.17g\n", r.ss.sw_version,
            (long long)r.ss.id, r.pat.code, r.ss.t0_sensor_s);
    if (isfinite(r.ss.body_weight_n))
        fprintf(f, "# body_weight_n=%.17g\n", r.ss.body_weight_n);
    fprintf(f, "index,side,t_ic_s,t_to_s,contact_ms,flight_ms,step_ms,cadence_spm,impact_peak_n,"
               "impact_peak_bw,t_impact_s,valr_bw_s,vilr_bw_s,active_peak_n,active_peak_bw,"
               "flags,phase,phase_name,in_band,under_ceiling,stride_cadence_spm,target_spm,"
               "band_lo_spm,band_hi_spm,valr_ceiling_bw_s,feedback\n");
    double prev_step_ms = NAN; /* in_band judges the stride cadence (session.h) */
    for (size_t i = 0; i < r.n_steps; i++) {
        const struct session_step *s = &r.steps[i];
        const struct gait_step *g = &s->step;
        fprintf(f, "%u,%s,", g->index,
                g->side == GAIT_SIDE_LEFT    ? "L"
                : g->side == GAIT_SIDE_RIGHT ? "R"
                                             : "");
        csv_num(f, g->t_ic_s, false);
        csv_num(f, g->t_to_s, false);
        csv_num(f, g->contact_ms, false);
        csv_num(f, g->flight_ms, false);
        csv_num(f, g->step_ms, false);
        csv_num(f, g->cadence_spm, false);
        csv_num(f, g->impact_peak_n, false);
        csv_num(f, g->impact_peak_bw, false);
        csv_num(f, g->t_impact_s, false);
        csv_num(f, g->valr_bw_s, false);
        csv_num(f, g->vilr_bw_s, false);
        csv_num(f, g->active_peak_n, false);
        csv_num(f, g->active_peak_bw, false);
        const char *pname = "";
        for (size_t k = 0; k < r.n_phases; k++)
            if (r.phases[k].idx == s->phase)
                pname = r.phases[k].name;
        char flags[STEPS_CSV_FLAGS_LEN];
        steps_csv_format_flags(g->flags, flags, sizeof flags); /* same tokens as the steps CSV */
        fprintf(f, "%s,%d,%s,", flags, s->phase, pname);
        if (s->in_band >= 0)
            fprintf(f, "%d", s->in_band);
        fputc(',', f);
        if (s->under_ceiling >= 0)
            fprintf(f, "%d", s->under_ceiling);
        fputc(',', f);
        double step_ms = (g->flags & GAIT_STEP_AFTER_GAP) ? NAN : g->step_ms;
        csv_num(f, session_stride_cadence(step_ms, prev_step_ms), false);
        prev_step_ms = step_ms > 0 ? step_ms : NAN;
        /* what the runner was given at this step's initial contact */
        const struct session_targets *t = targets_at(&r, g->t_ic_s - r.ss.t0_sensor_s);
        csv_num(f, t ? t->cadence_spm : NAN, false);
        csv_num(f, t ? t->cadence_lo_spm : NAN, false);
        csv_num(f, t ? t->cadence_hi_spm : NAN, false);
        csv_num(f, t ? t->valr_ceiling_bw_s : NAN, false);
        fprintf(f, "%s\n", t ? plan_feedback_name(t->feedback) : "");
    }
    rc = out_close(&o, true);
    rep_free(&r);
    return rc;
}

/* JSON number: the value rounded as printed, or null. */
static void json_fig(cJSON *o, const char *key, double v, int dec)
{
    if (!isfinite(v)) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    char buf[48];
    session_fmt(buf, sizeof buf, v, dec);
    cJSON_AddItemToObject(o, key, cJSON_CreateNumber(strtod(buf, NULL)));
}

static cJSON *json_stats(const struct session_stats *x)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "steps", (double)x->n_steps);
    cJSON_AddNumberToObject(o, "steps_left", (double)x->n_left);
    cJSON_AddNumberToObject(o, "steps_right", (double)x->n_right);
    json_fig(o, "cadence_spm", x->cadence_spm, SESSION_DEC_CADENCE);
    json_fig(o, "contact_ms", x->contact_ms, SESSION_DEC_CONTACT);
    json_fig(o, "impact_peak_bw", x->impact_peak_bw, SESSION_DEC_PEAK_BW);
    cJSON_AddNumberToObject(o, "steps_with_impact_peak", (double)x->n_impact);
    json_fig(o, "valr_bw_s", x->valr_bw_s, SESSION_DEC_RATE);
    json_fig(o, "vilr_bw_s", x->vilr_bw_s, SESSION_DEC_RATE);
    json_fig(o, "in_band_pct", isfinite(x->share_in_band) ? x->share_in_band * 100 : NAN,
             SESSION_DEC_SHARE);
    json_fig(o, "under_ceiling_pct",
             isfinite(x->share_under_ceiling) ? x->share_under_ceiling * 100 : NAN,
             SESSION_DEC_SHARE);
    json_fig(o, "valr_over_66_pct", isfinite(x->share_valr_risk) ? x->share_valr_risk * 100 : NAN,
             SESSION_DEC_SHARE);
    json_fig(o, "contact_left_ms", x->contact_l_ms, SESSION_DEC_CONTACT);
    json_fig(o, "contact_right_ms", x->contact_r_ms, SESSION_DEC_CONTACT);
    json_fig(o, "valr_left_bw_s", x->valr_l_bw_s, SESSION_DEC_RATE);
    json_fig(o, "valr_right_bw_s", x->valr_r_bw_s, SESSION_DEC_RATE);
    json_fig(o, "si_contact_pct", x->si_contact_pct, SESSION_DEC_SI);
    json_fig(o, "si_valr_pct", x->si_valr_pct, SESSION_DEC_SI);
    return o;
}

static void json_targets(cJSON *o, const struct session_targets *t)
{
    json_fig(o, "cadence_target_spm", t->cadence_spm, SESSION_DEC_CADENCE);
    json_fig(o, "cadence_lo_spm", t->cadence_lo_spm, SESSION_DEC_CADENCE);
    json_fig(o, "cadence_hi_spm", t->cadence_hi_spm, SESSION_DEC_CADENCE);
    json_fig(o, "valr_ceiling_bw_s", t->valr_ceiling_bw_s, SESSION_DEC_RATE);
    cJSON_AddStringToObject(o, "feedback", plan_feedback_name(t->feedback));
}

int report_session_json(struct store *st, int64_t sid, const char *json_path)
{
    struct rep r;
    int rc = rep_load(st, sid, &r);
    if (rc)
        return rc;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "session", (double)r.ss.id);
    cJSON_AddStringToObject(root, "patient", r.pat.code);
    cJSON_AddStringToObject(root, "status", store_status_name(r.ss.status));
    char how[200];
    report_status_text(&r.ss, how, sizeof how);
    cJSON_AddStringToObject(root, "status_text", how);
    json_fig(root, "stopped_at_s", r.ss.stopped_at_s, 1);
    if (r.ss.excluded_utc)
        cJSON_AddStringToObject(root, "excluded_reason", r.ss.exclude_reason);
    char date[40];
    time_t t = (time_t)r.ss.start_utc;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    cJSON_AddStringToObject(root, "start_utc", date);
    cJSON_AddStringToObject(root, "protocol", r.ss.protocol_name);
    cJSON_AddStringToObject(root, "therapist", r.ss.therapist);
    cJSON_AddStringToObject(root, "sensor_serial", r.ss.sensor_serial);
    cJSON_AddStringToObject(root, "calibration", r.ss.calib_name);
    cJSON_AddStringToObject(root, "calibration_date", r.ss.calib_date);
    json_fig(root, "body_weight_n", r.ss.body_weight_n, 1);
    cJSON_AddStringToObject(root, "software_version", r.ss.sw_version);
    cJSON_AddNumberToObject(root, "time_scale", r.ss.time_scale);
    cJSON *phases = cJSON_AddArrayToObject(root, "phases");
    for (size_t i = 0; i < r.n_phases; i++) {
        const struct store_phase *ph = &r.phases[i];
        struct session_stats x;
        session_stats_compute(r.steps, r.n_steps, SESSION_PHASE_BIT(ph->idx), &x);
        cJSON *o = json_stats(&x);
        cJSON_AddStringToObject(o, "name", ph->name);
        cJSON_AddStringToObject(o, "kind", plan_kind_name(ph->kind));
        cJSON_AddBoolToObject(o, "reached", ph->started);
        json_fig(o, "start_s", ph->start_s, 1);
        json_fig(o, "planned_s", ph->planned_s, 1);
        json_targets(o, &ph->targets);
        cJSON_AddItemToArray(phases, o);
    }
    struct session_stats all;
    session_stats_compute(r.steps, r.n_steps, SESSION_ALL_PHASES, &all);
    cJSON_AddItemToObject(root, "whole_session", json_stats(&all));
    cJSON *ch = cJSON_AddArrayToObject(root, "target_changes");
    for (size_t i = 0; i < r.n_changes; i++) {
        cJSON *o = cJSON_CreateObject();
        json_fig(o, "t_s", r.changes[i].t_s - r.ss.t0_sensor_s, 1);
        cJSON_AddStringToObject(
            o, "source", r.changes[i].source == STORE_SRC_THERAPIST ? "therapist" : "protocol");
        json_targets(o, &r.changes[i].targets);
        cJSON_AddStringToObject(o, "note", r.changes[i].note);
        cJSON_AddItemToArray(ch, o);
    }
    cJSON *mk = cJSON_AddArrayToObject(root, "markers");
    for (size_t i = 0; i < r.n_markers; i++) {
        cJSON *o = cJSON_CreateObject();
        json_fig(o, "t_s", r.markers[i].t_s - r.ss.t0_sensor_s, 1);
        cJSON_AddStringToObject(o, "kind", store_marker_kind_name(r.markers[i].kind));
        if (r.markers[i].pain >= 0)
            cJSON_AddNumberToObject(o, "pain", r.markers[i].pain);
        cJSON_AddStringToObject(o, "text", r.markers[i].text);
        cJSON_AddItemToArray(mk, o);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    rep_free(&r);
    if (!text)
        return GC_ERR_NOMEM;
    struct out_file o;
    rc = out_open(&o, json_path, st);
    if (rc == GC_OK) {
        fputs(text, o.f);
        fputc('\n', o.f);
        rc = out_close(&o, true);
    }
    free(text);
    return rc;
}

/* ---- progress report ------------------------------------------------ */

struct prog_row {
    struct store_session ss;
    struct report_key key;
};

struct prog_list {
    struct prog_row *rows;
    size_t n, cap;
    bool nomem;
};

static void prog_collect(const struct store_session *ss, void *user)
{
    struct prog_list *l = user;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 16;
        struct prog_row *p = realloc(l->rows, nc * sizeof *p);
        if (!p) {
            l->nomem = true;
            return;
        }
        l->rows = p;
        l->cap = nc;
    }
    l->rows[l->n++].ss = *ss;
}

/* Sessions a progress plot shows: this protocol's, not excluded. */
static bool prog_takes(const struct prog_row *pr, const char *protocol)
{
    return !pr->ss.excluded_utc && !strcmp(pr->ss.protocol_name, protocol);
}

/* Days since the first plotted session. */
static double prog_day(const struct prog_list *l, size_t i, int64_t first_utc)
{
    return (double)(l->rows[i].ss.start_utc - first_utc) / 86400.0;
}

/* One figure by date for one protocol: baseline, training and retention
 * values of each session at its date. */
static void prog_plot(struct doc *d, const struct prog_list *l, const char *title,
                      const char *ylabel, int what, double risk, const char *protocol)
{
    const double h = 120;
    ensure_room(d, h + 50);
    heading(d, title);
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
            double v = key_value(s3[k], what, &dec);
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
    double ys = nice_step(p.y1 - p.y0, 5);
    font(cr, 6.5, false);
    cairo_set_line_width(cr, 0.3);
    for (double v = ceil(p.y0 / ys) * ys; v <= p.y1 + 1e-9; v += ys) {
        cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
        cairo_move_to(cr, p.x, py(&p, v));
        cairo_line_to(cr, p.x + p.w, py(&p, v));
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        textf(cr, p.x - 3, py(&p, v) + 2.3, AL_RIGHT, "%g", v);
    }
    double last_label_x = -INFINITY;
    for (size_t i = 0; i < l->n; i++) {
        if (!prog_takes(&l->rows[i], protocol))
            continue;
        double x = px(&p, prog_day(l, i, first));
        if (x - last_label_x < 48)
            continue; /* labels would overlap: the table has every date */
        char date[32];
        fmt_date(date, sizeof date, l->rows[i].ss.start_utc, false);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        text_at(cr, x, p.y + p.h + 9, AL_CENTER, date);
        last_label_x = x;
    }
    font(cr, 7, true);
    text_at(cr, p.x - 28, p.y - 4, AL_LEFT, ylabel);
    cairo_set_line_width(cr, 0.6);
    cairo_rectangle(cr, p.x, p.y, p.w, p.h);
    cairo_stroke(cr);
    if (isfinite(risk)) {
        set_rgb(cr, rgb_risk);
        cairo_set_line_width(cr, 0.9);
        cairo_move_to(cr, p.x, py(&p, risk));
        cairo_line_to(cr, p.x + p.w, py(&p, risk));
        cairo_stroke(cr);
    }
    const double colors[3][3] = {{0.45, 0.45, 0.45}, {0.15, 0.5, 0.15}, {0.12, 0.38, 0.70}};
    const char *names[3] = {"baseline", "training", "retention"};
    for (int k = 0; k < 3; k++) {
        set_rgb(cr, colors[k]);
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
            double v = key_value(s, what, &dec);
            if (!isfinite(v)) {
                pen = false;
                continue;
            }
            double x = px(&p, prog_day(l, i, first)), y = py(&p, v);
            if (pen)
                cairo_line_to(cr, x, y);
            else
                cairo_move_to(cr, x, y);
            pen = true;
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
            double v = key_value(s, what, &dec);
            if (isfinite(v)) {
                dot(cr, px(&p, prog_day(l, i, first)), py(&p, v), 2.0);
                cairo_fill(cr);
            }
        }
        legend_item(cr, p.x + 70.0 * k, p.y + p.h + 19, colors[k], true, names[k]);
    }
    if (isfinite(risk))
        legend_item(cr, p.x + 210, p.y + p.h + 19, rgb_risk, true, "66 BW/s risk line");
    d->y = p.y + p.h + 28;
}

int report_progress_pdf(struct store *st, int64_t patient_id, const char *pdf_path)
{
    struct store_patient pat;
    int rc = store_patient_get(st, patient_id, &pat);
    if (rc)
        return rc;
    struct prog_list l = {0};
    rc = store_session_list(st, patient_id, prog_collect, &l);
    if (rc < 0 || l.nomem) {
        free(l.rows);
        return rc < 0 ? rc : GC_ERR_NOMEM;
    }
    for (size_t i = 0; i < l.n; i++) {
        rc = report_key_figures(st, l.rows[i].ss.id, &l.rows[i].key);
        if (rc) {
            free(l.rows);
            return rc;
        }
    }
    struct doc d;
    struct out_file o;
    rc = doc_begin(&d, &o, pdf_path, st);
    if (rc) {
        free(l.rows);
        return rc;
    }
    snprintf(d.footer, sizeof d.footer, "gaitcue %s - patient %s - progress report", GC_VERSION,
             pat.code);
    char right[96], today[32];
    fmt_date(today, sizeof today, (int64_t)time(NULL), false);
    snprintf(right, sizeof right, "Patient %s, printed %s", pat.code, today);
    title_block(&d, "Gait retraining progress report", right);
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
    info_cell(d.cr, MARGIN, d.y + 7, "Patient", who, cw);
    info_cell(d.cr, MARGIN + cw, d.y + 7, "Born", born, cw);
    info_cell(d.cr, MARGIN + 2 * cw, d.y + 7, "Sessions", count, cw);
    d.y += 30;
    heading(&d, "Key figures session by session");
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
    table_header(&d, cols, nc);
    char c[13][128];
    for (size_t i = 0; i < l.n; i++) {
        ensure_room(&d, ROW_H);
        const struct prog_row *pr = &l.rows[i];
        snprintf(c[0], 128, "#%lld", (long long)pr->ss.id);
        fmt_date(c[1], 128, pr->ss.start_utc, false);
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
        fmt_pct(c[11], 128, pr->key.training.share_in_band);
        if (pr->key.pain_max >= 0)
            snprintf(c[12], 128, "%d", pr->key.pain_max);
        else
            snprintf(c[12], 128, "-");
        table_row(&d, cols, nc, c, false, i % 2);
    }
    if (l.n == 0) {
        font(d.cr, 7.5, false);
        text_at(d.cr, MARGIN, d.y + 10, AL_LEFT, "No sessions stored for this patient yet.");
        d.y += 16;
    }
    for (size_t i = 0; i < l.n; i++) {
        if (!l.rows[i].ss.excluded_utc)
            continue;
        char line[300], when[32];
        fmt_date(when, sizeof when, l.rows[i].ss.excluded_utc, false);
        snprintf(line, sizeof line, "Session #%lld is excluded from the plots (%s): %.160s",
                 (long long)l.rows[i].ss.id, when, l.rows[i].ss.exclude_reason);
        ensure_room(&d, 12);
        font(d.cr, 7.2, false);
        cairo_set_source_rgb(d.cr, 0.2, 0.2, 0.2);
        text_at(d.cr, MARGIN, d.y + 9, AL_LEFT, line);
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
        prog_plot(&d, &l, t1, "steps/min", 0, NAN, proto);
        prog_plot(&d, &l, t2, "BW/s", 2, SESSION_VALR_RISK_BW_S, proto);
    }
    draw_method(&d, NULL);
    rc = doc_end(&d, &o);
    free(l.rows);
    return rc;
}
