/*
 * report_session_plots.c - the session report's two time plots: cadence
 * (per step, mean, target band) and loading (VALR per step, ceiling, the
 * risk line), over the phases' shading and the markers.
 */
#include "report_session_plots.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_doc.h"

/* Phase shading with names along the top, time axis, grid, y label. */
static void plot_frame(struct doc *d, const struct plot *p, const struct report_record *r,
                       const char *ylabel)
{
    cairo_t *cr = d->cr;
    for (size_t i = 0; i < r->n_phases; i++) {
        const struct store_phase *ph = &r->phases[i];
        if (!ph->started)
            continue;
        double a = ph->start_s, b = report_phase_end_rel(r, i);
        if (b <= a)
            continue;
        double xa = rd_px(p, a), xb = rd_px(p, b > p->x1 ? p->x1 : b);
        rd_set_rgb(cr, kind_rgb[ph->kind]);
        cairo_rectangle(cr, xa, p->y, xb - xa, p->h);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
        rd_font(cr, 6, false);
        char name[PLAN_NAME_MAX];
        snprintf(name, sizeof name, "%s", ph->name);
        rd_fit(cr, name, xb - xa - 2);
        if (xb - xa > 14)
            rd_text_at(cr, (xa + xb) / 2, p->y + 7, AL_CENTER, name);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_set_line_width(cr, 0.8);
        cairo_move_to(cr, xa, p->y);
        cairo_line_to(cr, xa, p->y + p->h);
        cairo_stroke(cr);
    }
    /* y grid */
    double ys = rd_nice_step(p->y1 - p->y0, 5);
    rd_y_grid(cr, p, ceil(p->y0 / ys) * ys, ys, 0.75, 1);
    /* x axis in minutes (seconds for short runs) */
    bool minutes = p->x1 - p->x0 > 180;
    double unit = minutes ? 60.0 : 1.0;
    double xs = rd_nice_step((p->x1 - p->x0) / unit, 8) * unit;
    for (double v = ceil(p->x0 / xs) * xs; v <= p->x1 + 1e-9; v += xs) {
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        cairo_move_to(cr, rd_px(p, v), p->y + p->h);
        cairo_line_to(cr, rd_px(p, v), p->y + p->h + 2.5);
        cairo_stroke(cr);
        rd_textf(cr, rd_px(p, v), p->y + p->h + 9, AL_CENTER, "%g", v / unit);
    }
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    rd_textf(cr, p->x + p->w, p->y + p->h + 17, AL_RIGHT, "time since start (%s)",
          minutes ? "min" : "s");
    rd_font(cr, 7, true);
    rd_text_at(cr, p->x - 28, p->y - 4, AL_LEFT, ylabel);
    cairo_set_line_width(cr, 0.6);
    cairo_rectangle(cr, p->x, p->y, p->w, p->h);
    cairo_stroke(cr);
}

/* Markers as dashed verticals with a short label. */
static void plot_markers(struct doc *d, const struct plot *p, const struct report_record *r)
{
    cairo_t *cr = d->cr;
    const double dash[] = {2, 2};
    for (size_t i = 0; i < r->n_markers; i++) {
        const struct store_marker *m = &r->markers[i];
        double x = rd_px(p, m->t_s - r->ss.t0_sensor_s);
        if (x < p->x || x > p->x + p->w)
            continue;
        cairo_set_source_rgb(cr, 0.45, 0.1, 0.45);
        cairo_set_dash(cr, dash, 2, 0);
        cairo_set_line_width(cr, 0.7);
        cairo_move_to(cr, x, p->y + 9);
        cairo_line_to(cr, x, p->y + p->h);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        rd_font(cr, 6, true);
        char lab[24];
        if (m->kind == STORE_MARK_PAIN)
            snprintf(lab, sizeof lab, "P%d", m->pain);
        else
            snprintf(lab, sizeof lab, "M%zu", i + 1);
        rd_text_at(cr, x + 1.5, p->y + p->h - 3 - (double)(i % 3) * 7, AL_LEFT, lab);
    }
}
#define MEAN_STEPS 20

void rs_draw_cadence_plot(struct doc *d, const struct report_record *r)
{
    const double h = 150;
    rd_ensure_room(d, h + 50);
    rd_heading(d, "Cadence over time");
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
        cairo_rectangle(cr, rd_px(&p, a), rd_py(&p, t->cadence_hi_spm), rd_px(&p, b) - rd_px(&p, a),
                        rd_py(&p, t->cadence_lo_spm) - rd_py(&p, t->cadence_hi_spm));
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0.15, 0.5, 0.15);
        cairo_set_line_width(cr, 0.8);
        cairo_move_to(cr, rd_px(&p, a), rd_py(&p, t->cadence_spm));
        cairo_line_to(cr, rd_px(&p, b), rd_py(&p, t->cadence_spm));
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
        rd_set_rgb(cr, g->side == GAIT_SIDE_RIGHT ? rgb_right : rgb_left);
        rd_dot(cr, rd_px(&p, g->t_ic_s - r->ss.t0_sensor_s), rd_py(&p, g->cadence_spm), 0.7);
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
        double x = rd_px(&p, r->steps[i + MEAN_STEPS - 1].step.t_ic_s - r->ss.t0_sensor_s);
        double y = rd_py(&p, 60000.0 / (sum / (double)n));
        rd_pen_to(cr, &pen, x, y);
    }
    cairo_stroke(cr);
    cairo_restore(cr);
    plot_markers(d, &p, r);
    double ly = p.y + p.h + 17;
    const double black[3] = {0.1, 0.1, 0.1}, green[3] = {0.15, 0.5, 0.15};
    rd_legend_item(cr, p.x, ly, rgb_left, false, "left step");
    rd_legend_item(cr, p.x + 55, ly, rgb_right, false, "right step");
    rd_legend_item(cr, p.x + 115, ly, black, true, "mean of 20 steps");
    rd_legend_item(cr, p.x + 200, ly, green, true, "target and band");
    d->y = ly + 8;
}

void rs_draw_loading_plot(struct doc *d, const struct report_record *r)
{
    const double h = 150;
    rd_ensure_room(d, h + 50);
    rd_heading(d, "Loading rate per step (VALR)");
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
    rd_set_rgb(cr, rgb_risk);
    cairo_set_line_width(cr, 0.9);
    cairo_move_to(cr, p.x, rd_py(&p, SESSION_VALR_RISK_BW_S));
    cairo_line_to(cr, p.x + p.w, rd_py(&p, SESSION_VALR_RISK_BW_S));
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
        cairo_move_to(cr, rd_px(&p, a), rd_py(&p, c));
        cairo_line_to(cr, rd_px(&p, b), rd_py(&p, c));
        cairo_stroke(cr);
    }
    cairo_set_dash(cr, NULL, 0, 0);
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct gait_step *g = &r->steps[i].step;
        if (!isfinite(g->valr_bw_s))
            continue;
        rd_set_rgb(cr, g->side == GAIT_SIDE_RIGHT ? rgb_right : rgb_left);
        rd_dot(cr, rd_px(&p, g->t_ic_s - r->ss.t0_sensor_s), rd_py(&p, g->valr_bw_s), 0.8);
        cairo_fill(cr);
    }
    cairo_restore(cr);
    plot_markers(d, &p, r);
    double ly = p.y + p.h + 17;
    const double grey[3] = {0.2, 0.2, 0.2};
    rd_legend_item(cr, p.x, ly, rgb_left, false, "left step");
    rd_legend_item(cr, p.x + 55, ly, rgb_right, false, "right step");
    rd_legend_item(cr, p.x + 115, ly, grey, true, "ceiling (dashed)");
    rd_legend_item(cr, p.x + 195, ly, rgb_risk, true, "66 BW/s risk line (Davis 2016)");
    d->y = ly + 8;
    (void)vals;
}
