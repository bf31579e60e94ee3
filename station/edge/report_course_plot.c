/* report_course_plot.c - the course pages' small plots and cells
 * (report_course_plot.h). */
#include "report_course_plot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void rc_cell(char cell[128], const char *src)
{
    size_t n = strlen(src);
    if (n < 128) {
        memcpy(cell, src, n + 1);
        return;
    }
    memcpy(cell, src, 124);
    memcpy(cell + 124, "...", 4);
}

void rc_doc_abort(struct doc *d, struct out_file *o)
{
    cairo_destroy(d->cr);
    cairo_surface_finish(d->surf);
    cairo_surface_destroy(d->surf);
    if (rd_out_close(o, false, NULL) != GC_OK)
        return; /* aborted: nothing was written either way */
}

int rc_doc_begin(const struct report_course *r, struct doc *d, struct out_file *o,
                 const char *pdf_path, const char *store_path, struct gc_diag *diag)
{
    if (!r->have_program)
        return gc_fail(diag, GC_ERR_NOT_FOUND, "patient %s has never followed a program",
                       r->pat.code);
    return rd_doc_begin(d, o, pdf_path, store_path, diag);
}

const char *rc_side(char side)
{
    return side == 'L' ? "L" : side == 'R' ? "R" : "-";
}

static void diamond(cairo_t *cr, double x, double y, double r)
{
    cairo_move_to(cr, x, y - r);
    cairo_line_to(cr, x + r, y);
    cairo_line_to(cr, x, y + r);
    cairo_line_to(cr, x - r, y);
    cairo_close_path(cr);
}

void rc_plot_draw(struct doc *d, const struct rc_plot *pl)
{
    const double h = pl->h > 0 ? pl->h : 110;
    rd_ensure_room(d, h + 56);
    rd_heading(d, pl->title);
    cairo_t *cr = d->cr;
    size_t n = pl->n;
    struct plot p = {MARGIN + 30, d->y + 12, CONTENT_W - 36, h, 0.5, (double)n + 0.5, 0, 1};
    if (n == 0) {
        rd_font(cr, 7.5, false);
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
        rd_text_at(cr, MARGIN, d->y + 10, AL_LEFT, "Nothing recorded yet.");
        d->y += 18;
        return;
    }
    double lo = pl->y_min, hi = pl->y_max;
    for (size_t k = 0; k < pl->n_series; k++)
        for (size_t i = 0; i < n; i++)
            if (isfinite(pl->s[k].y[i])) {
                lo = fmin(lo, pl->s[k].y[i]);
                hi = fmax(hi, pl->s[k].y[i]);
            }
    if (isfinite(pl->hline)) {
        lo = fmin(lo, pl->hline);
        hi = fmax(hi, pl->hline);
    }
    if (!(hi > lo)) {
        lo = isfinite(lo) ? lo - 1 : 0;
        hi = lo + 2;
    }
    double step = rd_nice_step(hi - lo, 5);
    p.y0 = floor(lo / step) * step;
    p.y1 = ceil(hi / step) * step;
    if (p.y1 <= p.y0)
        p.y1 = p.y0 + step;
    /* grid and y labels */
    rd_y_grid(cr, &p, p.y0, step, 0.82, 1);
    /* x labels, thinned so they do not overlap */
    double last_x = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double x = rd_px(&p, (double)i + 1);
        if (!pl->xlab || x - last_x < 44)
            continue;
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        rd_text_at(cr, x, p.y + p.h + 9, AL_CENTER, pl->xlab[i]);
        last_x = x;
    }
    rd_font(cr, 7, true);
    rd_text_at(cr, p.x - 28, p.y - 4, AL_LEFT, pl->ylabel);
    cairo_set_line_width(cr, 0.6);
    cairo_rectangle(cr, p.x, p.y, p.w, p.h);
    cairo_stroke(cr);
    /* marked points (retention probes): a dashed vertical line */
    if (pl->mark) {
        const double dash[] = {2.0, 2.0};
        rd_font(cr, 6, false);
        for (size_t i = 0; i < n; i++) {
            if (!pl->mark[i])
                continue;
            double x = rd_px(&p, (double)i + 1);
            cairo_set_source_rgb(cr, 0.55, 0.45, 0.15);
            cairo_set_line_width(cr, 0.5);
            cairo_set_dash(cr, dash, 2, 0);
            cairo_move_to(cr, x, p.y);
            cairo_line_to(cr, x, p.y + p.h);
            cairo_stroke(cr);
            cairo_set_dash(cr, NULL, 0, 0);
        }
    }
    if (isfinite(pl->hline)) {
        rd_set_rgb(cr, rgb_risk);
        cairo_set_line_width(cr, 0.9);
        cairo_move_to(cr, p.x, rd_py(&p, pl->hline));
        cairo_line_to(cr, p.x + p.w, rd_py(&p, pl->hline));
        cairo_stroke(cr);
    }
    for (size_t k = 0; k < pl->n_series; k++) {
        const struct rc_series *s = &pl->s[k];
        rd_set_rgb(cr, s->rgb);
        if (s->line) {
            cairo_set_line_width(cr, 1.1);
            bool pen = false;
            for (size_t i = 0; i < n; i++) {
                if (!isfinite(s->y[i])) {
                    pen = false;
                    continue;
                }
                double x = rd_px(&p, (double)i + 1), y = rd_py(&p, s->y[i]);
                rd_pen_to(cr, &pen, x, y);
            }
            cairo_stroke(cr);
        }
        for (size_t i = 0; i < n; i++) {
            if (!isfinite(s->y[i]))
                continue;
            double x = rd_px(&p, (double)i + 1), y = rd_py(&p, s->y[i]);
            if (s->diamonds) {
                cairo_set_line_width(cr, 1.0);
                diamond(cr, x, y, 3.2);
                cairo_stroke(cr);
            } else {
                rd_dot(cr, x, y, 2.0);
                cairo_fill(cr);
            }
        }
    }
    /* legend */
    double lx = p.x;
    rd_font(cr, 6.5, false);
    for (size_t k = 0; k < pl->n_series; k++) {
        rd_legend_item(cr, lx, p.y + p.h + 19, pl->s[k].rgb, pl->s[k].line, pl->s[k].name);
        lx += 90;
    }
    if (isfinite(pl->hline) && pl->hline_label) {
        rd_legend_item(cr, lx, p.y + p.h + 19, rgb_risk, true, pl->hline_label);
        lx += 110;
    }
    if (pl->mark && pl->mark_label) {
        const double probe_rgb[3] = {0.55, 0.45, 0.15};
        rd_legend_item(cr, lx, p.y + p.h + 19, probe_rgb, true, pl->mark_label);
    }
    d->y = p.y + p.h + 30;
}
