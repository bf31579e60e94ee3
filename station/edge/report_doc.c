/*
 * report_doc.c - the report's page furniture: A4 pages with a footer,
 * fonts and text, tables, plot axes, number/date formats, and the output
 * file (temporary file beside the target, renamed into place; datadir.h).
 * Shared by the session, export and progress pages (report_doc.h).
 */
#include "report_doc.h"

#include <cairo-pdf.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "datadir.h"
#include "report.h"
#include "session.h"
#include "usertext.h"

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
/* ---- output files: temp beside the target, then rename ------------- */

int rd_out_open(struct out_file *o, const char *path, const char *store_path,
                struct gc_diag *diag)
{
    memset(o, 0, sizeof *o);
    if (!path || !path[0])
        return gc_fail(diag, GC_ERR_ARG, "no output file was named");
    snprintf(o->final, sizeof o->final, "%s", path);
    struct datadir_guard g = {.store = store_path};
    int rc = datadir_out_open(path, DATADIR_OUT_TEMP, &g, &o->d, diag);
    if (rc)
        return rc;
    o->f = datadir_out_file(o->d);
    return GC_OK;
}

int rd_out_close(struct out_file *o, bool ok, struct gc_diag *diag)
{
    if (!o->d)
        return gc_fail(diag, GC_ERR_STATE, "the output file %s is not open", o->final);
    o->f = NULL;
    if (!ok) {
        datadir_out_abort(o->d);
        o->d = NULL;
        if (diag && diag->code)
            return diag->code; /* the reason is already said */
        return gc_fail(diag, GC_ERR_IO, "writing %s failed; nothing was written", o->final);
    }
    int rc = datadir_out_commit(o->d, diag);
    o->d = NULL;
    return rc;
}

static cairo_status_t write_cb(void *closure, const unsigned char *data, unsigned int len)
{
    FILE *f = closure;
    return fwrite(data, 1, len, f) == len ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}
void rd_set_rgb(cairo_t *cr, const double c[3])
{
    cairo_set_source_rgb(cr, c[0], c[1], c[2]);
}

void rd_font(cairo_t *cr, double size, bool bold)
{
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

/* s when it is valid UTF-8, else a cleaned copy in buf (usertext_clean):
 * cairo refuses a whole PDF for one string that is not UTF-8, and a report
 * must never be lost to one bad byte in a stored note or a device name. */
static const char *utf8_or_clean(const char *s, char *buf, size_t cap)
{
    if (usertext_utf8_ok(s))
        return s;
    snprintf(buf, cap, "%s", s);
    return usertext_clean(buf);
}

double rd_text_w(cairo_t *cr, const char *s)
{
    char buf[1024];
    cairo_text_extents_t e;
    cairo_text_extents(cr, utf8_or_clean(s, buf, sizeof buf), &e);
    return e.x_advance;
}

void rd_text_at(cairo_t *cr, double x, double y, enum align al, const char *text)
{
    char buf[1024];
    const char *s = utf8_or_clean(text, buf, sizeof buf);
    double w = rd_text_w(cr, s);
    if (al == AL_RIGHT)
        x -= w;
    else if (al == AL_CENTER)
        x -= w / 2;
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, s);
}

void rd_textf(cairo_t *cr, double x, double y, enum align al, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    rd_text_at(cr, x, y, al, buf);
}

/* Shorten s with "..." until it fits width w (in the current font). */
void rd_fit(cairo_t *cr, char *s, double w)
{
    size_t n = strlen(s);
    if (rd_text_w(cr, s) <= w)
        return;
    while (n > 1) {
        n--;
        /* do not cut a UTF-8 sequence */
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        memcpy(s + n, "...", 4);
        if (rd_text_w(cr, s) <= w)
            return;
    }
}

/* Wrapped paragraph; returns the y after the last line. */
/* Word-wrap s into width w from y; draws only when draw; returns the y
 * below the last line. */
static double wrap(cairo_t *cr, double x, double y, double w, double line_h, const char *s,
                   bool draw)
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
        if (ll && (tl == 0 || rd_text_w(cr, trial) > w)) {
            if (draw)
                rd_text_at(cr, x, y, AL_LEFT, line);
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
        if (draw)
            rd_text_at(cr, x, y, AL_LEFT, line);
        y += line_h;
    }
    return y;
}

double rd_paragraph(cairo_t *cr, double x, double y, double w, double line_h, const char *s)
{
    return wrap(cr, x, y, w, line_h, s, true);
}

void rd_draw_footer(struct doc *d)
{
    cairo_t *cr = d->cr;
    cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
    cairo_set_line_width(cr, 0.4);
    cairo_move_to(cr, MARGIN, FOOTER_Y - 9);
    cairo_line_to(cr, PAGE_W - MARGIN, FOOTER_Y - 9);
    cairo_stroke(cr);
    rd_font(cr, 6.5, false);
    rd_text_at(cr, MARGIN, FOOTER_Y, AL_LEFT, d->footer);
    rd_textf(cr, PAGE_W - MARGIN, FOOTER_Y, AL_RIGHT, "page %d", d->page);
}

void rd_new_page(struct doc *d)
{
    if (d->page > 0) {
        rd_draw_footer(d);
        cairo_show_page(d->cr);
    }
    d->page++;
    d->y = MARGIN;
}

void rd_ensure_room(struct doc *d, double h)
{
    if (d->y + h > BODY_BOTTOM)
        rd_new_page(d);
}

void rd_heading(struct doc *d, const char *s)
{
    rd_ensure_room(d, 40);
    cairo_t *cr = d->cr;
    cairo_set_source_rgb(cr, 0.1, 0.2, 0.35);
    rd_font(cr, 10, true);
    rd_text_at(cr, MARGIN, d->y + 10, AL_LEFT, s);
    d->y += 16;
}
#define ROW_H 12.0
void rd_table_header(struct doc *d, const struct col *cols, size_t nc)
{
    cairo_t *cr = d->cr;
    double x = MARGIN;
    cairo_set_source_rgb(cr, 0.90, 0.92, 0.95);
    cairo_rectangle(cr, MARGIN, d->y, CONTENT_W, 2 * ROW_H - 2);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    rd_font(cr, 6.8, true);
    for (size_t i = 0; i < nc; i++) {
        double tx = cols[i].al == AL_LEFT    ? x + 3
                    : cols[i].al == AL_RIGHT ? x + cols[i].w - 3
                                             : x + cols[i].w / 2;
        rd_text_at(cr, tx, d->y + 9, cols[i].al, cols[i].h1);
        if (cols[i].h2)
            rd_text_at(cr, tx, d->y + 18, cols[i].al, cols[i].h2);
        x += cols[i].w;
    }
    d->y += 2 * ROW_H - 2;
}

void rd_table_row(struct doc *d, const struct col *cols, size_t nc, char cells[][128],
                  bool bold, bool shade)
{
    cairo_t *cr = d->cr;
    rd_font(cr, 7.2, bold);
    /* a left-aligned last column (a note) wraps instead of being cut */
    const double wrap_line_h = 8.4;
    const struct col *last = nc ? &cols[nc - 1] : NULL;
    bool wraps = last && last->al == AL_LEFT && rd_text_w(cr, cells[nc - 1]) > last->w - 5;
    double h = ROW_H;
    if (wraps)
        h = ROW_H - wrap_line_h +
            wrap(cr, 0, 0, last->w - 5, wrap_line_h, cells[nc - 1], false);
    if (d->y + h > BODY_BOTTOM)
        rd_new_page(d);
    if (shade) {
        cairo_set_source_rgb(cr, 0.97, 0.97, 0.97);
        cairo_rectangle(cr, MARGIN, d->y, CONTENT_W, h);
        cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    rd_font(cr, 7.2, bold);
    double x = MARGIN;
    for (size_t i = 0; i < nc; i++) {
        if (wraps && i == nc - 1) {
            wrap(cr, x + 3, d->y + 8.8, cols[i].w - 5, wrap_line_h, cells[i], true);
            break;
        }
        rd_fit(cr, cells[i], cols[i].w - 5);
        double tx = cols[i].al == AL_LEFT    ? x + 3
                    : cols[i].al == AL_RIGHT ? x + cols[i].w - 3
                                             : x + cols[i].w / 2;
        rd_text_at(cr, tx, d->y + 8.8, cols[i].al, cells[i]);
        x += cols[i].w;
    }
    d->y += h;
    cairo_set_source_rgb(cr, 0.82, 0.82, 0.82);
    cairo_set_line_width(cr, 0.3);
    cairo_move_to(cr, MARGIN, d->y);
    cairo_line_to(cr, MARGIN + CONTENT_W, d->y);
    cairo_stroke(cr);
}

void rd_fmt_clock(char *buf, size_t cap, double s)
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

void rd_fmt_date(char *buf, size_t cap, int64_t utc, bool with_time)
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

void rd_fmt_pct(char *buf, size_t cap, double share)
{
    session_fmt(buf, cap, isfinite(share) ? share * 100.0 : NAN, SESSION_DEC_SHARE);
}
double rd_px(const struct plot *p, double v)
{
    return p->x + (v - p->x0) / (p->x1 - p->x0) * p->w;
}

double rd_py(const struct plot *p, double v)
{
    return p->y + p->h - (v - p->y0) / (p->y1 - p->y0) * p->h;
}

double rd_nice_step(double range, int target_ticks)
{
    double raw = range / target_ticks;
    double mag = pow(10.0, floor(log10(raw)));
    double f = raw / mag;
    double n = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    return n * mag;
}

void rd_y_grid(cairo_t *cr, const struct plot *p, double from, double step, double grey, double k)
{
    rd_font(cr, 6.5, false);
    cairo_set_line_width(cr, 0.3);
    for (double v = from; v <= p->y1 + 1e-9; v += step) {
        cairo_set_source_rgb(cr, grey, grey, grey);
        cairo_move_to(cr, p->x, rd_py(p, v));
        cairo_line_to(cr, p->x + p->w, rd_py(p, v));
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        rd_textf(cr, p->x - 3, rd_py(p, v) + 2.3, AL_RIGHT, "%g", fabs(v) < 1e-9 ? 0.0 : v * k);
    }
}
void rd_dot(cairo_t *cr, double x, double y, double rad)
{
    cairo_new_sub_path(cr);
    cairo_arc(cr, x, y, rad, 0, 2 * M_PI);
}

void rd_pen_to(cairo_t *cr, bool *pen, double x, double y)
{
    if (*pen)
        cairo_line_to(cr, x, y);
    else
        cairo_move_to(cr, x, y);
    *pen = true;
}

void rd_legend_item(cairo_t *cr, double x, double y, const double rgb[3], bool line,
                        const char *label)
{
    rd_set_rgb(cr, rgb);
    if (line) {
        cairo_set_line_width(cr, 1.2);
        cairo_move_to(cr, x, y - 2.5);
        cairo_line_to(cr, x + 10, y - 2.5);
        cairo_stroke(cr);
    } else {
        rd_dot(cr, x + 5, y - 2.5, 1.8);
        cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    rd_font(cr, 6.5, false);
    rd_text_at(cr, x + 13, y, AL_LEFT, label);
}
void rd_info_cell(cairo_t *cr, double x, double y, const char *label, const char *value,
                      double w)
{
    cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
    rd_font(cr, 6.5, false);
    rd_text_at(cr, x, y, AL_LEFT, label);
    cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
    rd_font(cr, 8.5, false);
    char v[256];
    snprintf(v, sizeof v, "%s", value[0] ? value : "-");
    rd_fit(cr, v, w - 6);
    rd_text_at(cr, x, y + 10, AL_LEFT, v);
}

void rd_title_block(struct doc *d, const char *title, const char *right)
{
    cairo_t *cr = d->cr;
    cairo_set_source_rgb(cr, 0.1, 0.2, 0.35);
    rd_font(cr, 15, true);
    rd_text_at(cr, MARGIN, d->y + 14, AL_LEFT, title);
    rd_font(cr, 8, false);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    rd_text_at(cr, PAGE_W - MARGIN, d->y + 14, AL_RIGHT, right);
    d->y += 22;
    cairo_set_source_rgb(cr, 0.1, 0.2, 0.35);
    cairo_set_line_width(cr, 1.2);
    cairo_move_to(cr, MARGIN, d->y);
    cairo_line_to(cr, PAGE_W - MARGIN, d->y);
    cairo_stroke(cr);
    d->y += 12;
}

void rd_patient_title(struct doc *d, const char *code, int64_t printed_utc, const char *title,
                      const char *kind)
{
    snprintf(d->footer, sizeof d->footer, "gaitcue %s - patient %s - %s", GC_VERSION, code, kind);
    char right[96], today[32];
    rd_fmt_date(today, sizeof today, printed_utc, false);
    snprintf(right, sizeof right, "Patient %s, printed %s", code, today);
    rd_title_block(d, title, right);
}
void rd_draw_method(struct doc *d, const char *method)
{
    cairo_t *cr = d->cr;
    const char *m = method && method[0] ? method : report_default_method();
    rd_font(cr, 6.3, false);
    /* measure: draw off-page first would need a recording surface; count
     * lines by a dry run at the same width instead */
    double need = 8.0 * (rd_text_w(cr, m) / (CONTENT_W - 12) + 2) + 14;
    rd_ensure_room(d, need);
    double top = d->y + 2;
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    rd_font(cr, 6.8, true);
    rd_text_at(cr, MARGIN + 6, top + 10, AL_LEFT, "Measurement method");
    rd_font(cr, 6.3, false);
    double end = rd_paragraph(cr, MARGIN + 6, top + 19, CONTENT_W - 12, 8.0, m);
    cairo_set_line_width(cr, 0.5);
    cairo_rectangle(cr, MARGIN, top, CONTENT_W, end - top);
    cairo_stroke(cr);
    d->y = end + 4;
}

/* ---- document lifecycle --------------------------------------------- */

int rd_doc_begin(struct doc *d, struct out_file *o, const char *path, const char *store_path,
                 struct gc_diag *diag)
{
    memset(d, 0, sizeof *d);
    int rc = rd_out_open(o, path, store_path, diag);
    if (rc)
        return rc;
    d->surf = cairo_pdf_surface_create_for_stream(write_cb, o->f, PAGE_W, PAGE_H);
    cairo_pdf_surface_set_metadata(d->surf, CAIRO_PDF_METADATA_CREATOR, "gaitcue " GC_VERSION);
    d->cr = cairo_create(d->surf);
    if (cairo_status(d->cr) != CAIRO_STATUS_SUCCESS) {
        cairo_destroy(d->cr);
        cairo_surface_destroy(d->surf);
        gc_fail(diag, GC_ERR_NOMEM, "cannot start drawing the PDF: out of memory");
        return rd_out_close(o, false, diag);
    }
    rd_new_page(d);
    return GC_OK;
}

int rd_doc_end(struct doc *d, struct out_file *o, struct gc_diag *diag)
{
    rd_draw_footer(d);
    cairo_show_page(d->cr);
    cairo_status_t cs = cairo_status(d->cr);
    cairo_destroy(d->cr);
    cairo_surface_finish(d->surf);
    if (cs == CAIRO_STATUS_SUCCESS)
        cs = cairo_surface_status(d->surf);
    cairo_surface_destroy(d->surf);
    if (cs != CAIRO_STATUS_SUCCESS)
        gc_fail(diag, GC_ERR_IO, "drawing the PDF %s failed (%s); nothing was written", o->final,
                cairo_status_to_string(cs));
    return rd_out_close(o, cs == CAIRO_STATUS_SUCCESS, diag);
}
