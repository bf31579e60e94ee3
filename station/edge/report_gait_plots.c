/*
 * report_gait_plots.c - the session report's "Gait" page: force curves,
 * COP butterfly, step length and width per phase, symmetry panel.
 * Figures and their sources: docs/analysis.md, "Report: the Gait page".
 */
#include "report_gait_plots.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_doc.h"

static const double rgb_side[2][3] = {
    {0.12, 0.38, 0.70}, /* rgb_left */
    {0.85, 0.45, 0.10}, /* rgb_right */
};

static const char *group_label(int grp)
{
    return grp == REPORT_GAIT_BASELINE ? "baseline" : "other phases";
}

/* Frame, grid and tick labels of a plot; x and y ticks every xs, ys. */
static void frame(cairo_t *cr, const struct plot *p, double xs, double ys, const char *xlabel,
                  const char *ylabel, double k_x, double k_y)
{
    rd_y_grid(cr, p, ceil(p->y0 / ys) * ys, ys, 0.8, k_y);
    for (double v = ceil(p->x0 / xs) * xs; v <= p->x1 + 1e-9; v += xs) {
        cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
        cairo_move_to(cr, rd_px(p, v), p->y);
        cairo_line_to(cr, rd_px(p, v), p->y + p->h);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        rd_textf(cr, rd_px(p, v), p->y + p->h + 8, AL_CENTER, "%g", fabs(v) < 1e-9 ? 0.0 : v * k_x);
    }
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    rd_text_at(cr, p->x + p->w, p->y + p->h + 16, AL_RIGHT, xlabel);
    rd_font(cr, 7, true);
    rd_text_at(cr, p->x - 24, p->y - 4, AL_LEFT, ylabel);
    cairo_set_line_width(cr, 0.6);
    cairo_rectangle(cr, p->x, p->y, p->w, p->h);
    cairo_stroke(cr);
}

static void curve_path(cairo_t *cr, const struct plot *p, const double *v, const double *add,
                       double sign, bool reverse)
{
    for (int j = 0; j < STANCE_CURVE_POINTS; j++) {
        int k = reverse ? STANCE_CURVE_POINTS - 1 - j : j;
        double y = v[k] + (add ? sign * add[k] : 0);
        if (j == 0 && !reverse)
            cairo_move_to(cr, rd_px(p, k), rd_py(p, y));
        else
            cairo_line_to(cr, rd_px(p, k), rd_py(p, y));
    }
}

/* One side's curves: the other phases' mean with a band of +-1 SD, the
 * baseline's mean dashed with its +-1 SD dotted. */
static void draw_curves(cairo_t *cr, const struct plot *p, const struct report_gait *g, int s)
{
    cairo_save(cr);
    cairo_rectangle(cr, p->x, p->y, p->w, p->h);
    cairo_clip(cr);
    const struct stance_curve_result *rest = &g->curve[s][REPORT_GAIT_REST];
    const struct stance_curve_result *base = &g->curve[s][REPORT_GAIT_BASELINE];
    const double *c = rgb_side[s];
    if (rest->n >= 2) {
        curve_path(cr, p, rest->mean_bw, rest->sd_bw, 1, false);
        curve_path(cr, p, rest->mean_bw, rest->sd_bw, -1, true);
        cairo_close_path(cr);
        cairo_set_source_rgba(cr, c[0], c[1], c[2], 0.22);
        cairo_fill(cr);
    }
    if (rest->n >= 1) {
        rd_set_rgb(cr, c);
        cairo_set_line_width(cr, 1.3);
        curve_path(cr, p, rest->mean_bw, NULL, 0, false);
        cairo_stroke(cr);
    }
    if (base->n >= 1) {
        const double dash[] = {4, 2}, dot[] = {1, 1.5};
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        cairo_set_line_width(cr, 1.0);
        cairo_set_dash(cr, dash, 2, 0);
        curve_path(cr, p, base->mean_bw, NULL, 0, false);
        cairo_stroke(cr);
        if (base->n >= 2) {
            cairo_set_line_width(cr, 0.6);
            cairo_set_dash(cr, dot, 2, 0);
            curve_path(cr, p, base->mean_bw, base->sd_bw, 1, false);
            cairo_stroke(cr);
            curve_path(cr, p, base->mean_bw, base->sd_bw, -1, false);
            cairo_stroke(cr);
        }
        cairo_set_dash(cr, NULL, 0, 0);
    }
    cairo_restore(cr);
}

static double curve_top(const struct report_gait *g)
{
    double top = 1.0;
    for (int s = 0; s < 2; s++)
        for (int grp = 0; grp < REPORT_GAIT_GROUPS; grp++) {
            const struct stance_curve_result *c = &g->curve[s][grp];
            for (int k = 0; c->n && k < STANCE_CURVE_POINTS; k++) {
                double v = c->mean_bw[k] + (isfinite(c->sd_bw[k]) ? c->sd_bw[k] : 0);
                if (isfinite(v) && v > top)
                    top = v;
            }
        }
    return ceil(top * 2.0) / 2.0;
}

/* Peak of a mean curve (BW) and where (% of stance). */
static double curve_peak(const struct stance_curve_result *c, int *at)
{
    double best = -INFINITY;
    *at = -1;
    for (int k = 0; c->n && k < STANCE_CURVE_POINTS; k++)
        if (c->mean_bw[k] > best) {
            best = c->mean_bw[k];
            *at = k;
        }
    return *at >= 0 ? best : NAN;
}

static void draw_force_row(struct doc *d, const struct report_gait *g)
{
    cairo_t *cr = d->cr;
    const double h = 140, gap = 40, w = (CONTENT_W - 30 - gap) / 2;
    rd_ensure_room(d, h + 60);
    rd_font(cr, 8, true);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    rd_text_at(cr, MARGIN, d->y + 8, AL_LEFT,
               "Vertical force over stance, mean \xc2\xb1 SD (body weights; 0 % = initial "
               "contact, 100 % = toe-off)");
    d->y += 14;
    double top = curve_top(g);
    for (int s = 0; s < 2; s++) {
        struct plot p = {MARGIN + 30 + s * (w + gap), d->y + 10, w, h, 0, 100, 0, top};
        frame(cr, &p, 20, top > 2.5 ? 0.5 : 0.25, "% of stance", "BW", 1, 1);
        draw_curves(cr, &p, g, s);
        rd_font(cr, 7.5, true);
        rd_set_rgb(cr, rgb_side[s]);
        rd_text_at(cr, p.x + 4, p.y + 10, AL_LEFT, s ? "Right" : "Left");
        /* per group: steps, mean contact, peak of the mean curve */
        rd_font(cr, 6.0, false);
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        double ty = p.y + p.h + 26;
        for (int grp = REPORT_GAIT_REST; grp >= REPORT_GAIT_BASELINE; grp--) {
            const struct stance_curve_result *c = &g->curve[s][grp];
            int at;
            double pk = curve_peak(c, &at);
            if (c->n)
                rd_textf(cr, p.x, ty, AL_LEFT,
                         "%s: %zu steps, contact %.0f ms, peak %.2f BW at %d %%", group_label(grp),
                         c->n, c->contact_ms, pk, at);
            else
                rd_textf(cr, p.x, ty, AL_LEFT, "%s: no steps", group_label(grp));
            ty += 8;
        }
    }
    d->y += 10 + h + 44;
    const double black[3] = {0.15, 0.15, 0.15};
    rd_legend_item(cr, MARGIN + 30, d->y, rgb_side[0], true,
                   "other phases (training, retention, run, walk): mean, \xc2\xb1 1 SD (band)");
    rd_legend_item(cr, MARGIN + 30 + w + gap, d->y, black, true,
                   "baseline phase of this session: mean (dashed), \xc2\xb1 1 SD (dotted)");
    d->y += 12;
}

/* COP paths of successive stances (the group with the more steps), both
 * sides, equal scales. */
static void draw_butterfly(struct doc *d, const struct report_gait *g, double x, double w, double h)
{
    cairo_t *cr = d->cr;
    int grp = g->n_paths[0][REPORT_GAIT_REST] + g->n_paths[1][REPORT_GAIT_REST] > 0
                  ? REPORT_GAIT_REST
                  : REPORT_GAIT_BASELINE;
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i < g->n_paths[s][grp] * STANCE_PATH_POINTS; i++) {
            float px = g->path_x_m[s][grp][i], py = g->path_y_m[s][grp][i];
            if (isnan(px) || isnan(py))
                continue;
            x0 = fmin(x0, px);
            x1 = fmax(x1, px);
            y0 = fmin(y0, py);
            y1 = fmax(y1, py);
        }
    rd_font(cr, 8, true);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    rd_text_at(cr, x - 30, d->y + 8, AL_LEFT, "Centre of pressure during stance (\"butterfly\")");
    struct plot p = {x, d->y + 24, w, h, 0, 1, 0, 1};
    if (!isfinite(x0)) {
        rd_font(cr, 7, false);
        rd_text_at(cr, x, p.y + 20, AL_LEFT, "No centre of pressure in this recording.");
        return;
    }
    /* equal scales: the wider of the two spans sets cm per point */
    double cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    double span = fmax((x1 - x0) / w, (y1 - y0) / h) * 1.15;
    if (!(span > 0))
        span = 0.001;
    p.x0 = cx - span * w / 2;
    p.x1 = cx + span * w / 2;
    p.y0 = cy - span * h / 2;
    p.y1 = cy + span * h / 2;
    double step = rd_nice_step((p.x1 - p.x0) * 100, 5) / 100;
    frame(cr, &p, step, step, "mediolateral COP (cm, + right)", "AP (cm)", 100, 100);
    cairo_save(cr);
    cairo_rectangle(cr, p.x, p.y, p.w, p.h);
    cairo_clip(cr);
    cairo_set_line_width(cr, 0.5);
    for (int s = 0; s < 2; s++) {
        const double *c = rgb_side[s];
        cairo_set_source_rgba(cr, c[0], c[1], c[2], 0.55);
        for (size_t i = 0; i < g->n_paths[s][grp]; i++) {
            const float *px = &g->path_x_m[s][grp][i * STANCE_PATH_POINTS];
            const float *py = &g->path_y_m[s][grp][i * STANCE_PATH_POINTS];
            bool pen = false;
            for (int k = 0; k < STANCE_PATH_POINTS; k++) {
                if (isnan(px[k]) || isnan(py[k])) {
                    pen = false;
                    continue;
                }
                rd_pen_to(cr, &pen, rd_px(&p, px[k]), rd_py(&p, py[k]));
            }
            cairo_stroke(cr);
            /* initial contact */
            if (!isnan(px[0]) && !isnan(py[0])) {
                rd_dot(cr, rd_px(&p, px[0]), rd_py(&p, py[0]), 1.0);
                cairo_fill(cr);
            }
        }
    }
    cairo_restore(cr);
    rd_font(cr, 6.3, false);
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    rd_textf(cr, x, p.y + p.h + 26, AL_LEFT,
             "the first %zu left and %zu right stances of the %s; dot = initial contact",
             g->n_paths[0][grp], g->n_paths[1][grp],
             grp == REPORT_GAIT_BASELINE ? "baseline" : "phases after the weigh-in and baseline");
}

/* "98/100": the rearfoot share of the left and right steps, %. */
static void rear_cell(char *buf, size_t cap, const double share[3])
{
    char l[8] = "-", r[8] = "-";
    if (isfinite(share[REPORT_GAIT_LEFT]))
        snprintf(l, sizeof l, "%.0f", 100 * share[REPORT_GAIT_LEFT]);
    if (isfinite(share[REPORT_GAIT_RIGHT]))
        snprintf(r, sizeof r, "%.0f", 100 * share[REPORT_GAIT_RIGHT]);
    snprintf(buf, cap, "%s/%s", l, r);
}

/* Step length, width, belt speed and strike per phase, to the right of
 * the butterfly. */
static void draw_phase_lengths(struct doc *d, const struct report_record *r,
                               const struct report_gait *g, double x, double w)
{
    cairo_t *cr = d->cr;
    rd_font(cr, 8, true);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    rd_text_at(cr, x, d->y + 8, AL_LEFT, "Step length and width per phase");
    /* right edges of the number columns */
    const double c_n = x + 0.27 * w, c_len = x + 0.47 * w, c_wid = x + 0.655 * w,
                 c_v = x + 0.82 * w, c_rear = x + w;
    double y = d->y + 24;
    rd_font(cr, 6.0, true);
    rd_text_at(cr, x, y, AL_LEFT, "phase");
    rd_text_at(cr, c_n, y, AL_RIGHT, "steps");
    rd_text_at(cr, c_len, y, AL_RIGHT, "length (m)");
    rd_text_at(cr, c_wid, y, AL_RIGHT, "width (cm)");
    rd_text_at(cr, c_v, y, AL_RIGHT, "belt (m/s)");
    rd_text_at(cr, c_rear, y, AL_RIGHT, "rear L/R %");
    y += 3;
    cairo_set_line_width(cr, 0.4);
    cairo_move_to(cr, x, y);
    cairo_line_to(cr, x + w, y);
    cairo_stroke(cr);
    y += 9;
    rd_font(cr, 6.0, false);
    char rear[24];
    for (size_t i = 0; i < g->n_phases && i < r->n_phases; i++) {
        const struct report_gait_phase *ph = &g->phases[i];
        if (!r->phases[i].started || r->phases[i].kind == PLAN_KIND_WEIGH_IN)
            continue;
        char name[PLAN_NAME_MAX], len[40], wid[40], spd[24];
        snprintf(name, sizeof name, "%s", r->phases[i].name);
        rd_fit(cr, name, c_n - x - 22);
        snprintf(len, sizeof len, isfinite(ph->length_m) ? "%.2f \xc2\xb1 %.2f" : "-", ph->length_m,
                 isfinite(ph->length_sd_m) ? ph->length_sd_m : 0.0);
        snprintf(wid, sizeof wid, isfinite(ph->width_m) ? "%.1f \xc2\xb1 %.1f" : "-",
                 100 * ph->width_m, isfinite(ph->width_sd_m) ? 100 * ph->width_sd_m : 0.0);
        snprintf(spd, sizeof spd, isfinite(ph->speed_mps) ? "%.2f" : "-", ph->speed_mps);
        rear_cell(rear, sizeof rear, ph->rearfoot_share);
        rd_text_at(cr, x, y, AL_LEFT, name);
        rd_textf(cr, c_n, y, AL_RIGHT, "%zu", ph->n_length);
        rd_text_at(cr, c_len, y, AL_RIGHT, len);
        rd_text_at(cr, c_wid, y, AL_RIGHT, wid);
        rd_text_at(cr, c_v, y, AL_RIGHT, spd);
        rd_text_at(cr, c_rear, y, AL_RIGHT, rear);
        y += 10;
    }
    rear_cell(rear, sizeof rear, g->rearfoot_share);
    rd_font(cr, 6.0, true);
    rd_text_at(cr, x, y, AL_LEFT, "every phase");
    if (isfinite(g->speed_mps))
        rd_textf(cr, c_v, y, AL_RIGHT, "%.2f", g->speed_mps);
    rd_text_at(cr, c_rear, y, AL_RIGHT, rear);
    y += 4;
    char speed[160];
    if (isfinite(g->length_speed_mps) && g->length_speed_changes)
        snprintf(speed, sizeof speed,
                 "the treadmill speed entered, in force at each step's contact (changed %zu "
                 "time%s during the session; %.2f m/s at its end)",
                 g->length_speed_changes, g->length_speed_changes == 1 ? "" : "s",
                 g->length_speed_mps);
    else if (isfinite(g->length_speed_mps))
        snprintf(speed, sizeof speed, "the treadmill speed entered for this session, %.2f m/s",
                 g->length_speed_mps);
    else
        snprintf(speed, sizeof speed,
                 "the deck's estimate (no treadmill speed was entered for this session)");
    char ci[80] = "";
    if (isfinite(g->speed_ci95_mps))
        snprintf(ci, sizeof ci, " %.3f \xc2\xb1 %.3f m/s, 95 %% interval over %zu steps",
                 g->speed_mps, g->speed_ci95_mps, g->speed_steps);
    char note[900];
    snprintf(note, sizeof note,
             "Mean \xc2\xb1 SD per phase.  Length = belt speed x step time + the change of the "
             "COP at contact between successive steps; speed used: %s.  Width = |mean ML COP "
             "of a stance - of the previous one|.  Belt: the deck's estimate from the mid-stance "
             "COP (median of the phase's steps; every phase%s; footprint.h).  Rear: the share "
             "of rearfoot landings (an impact peak or shoulder in the force) of the left / right "
             "steps.",
             speed, ci);
    rd_font(cr, 6.0, false);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    y = rd_paragraph(cr, x, y + 8, w, 7.5, note);
    (void)y;
}

static double side_mean(const struct report_record *r, enum gait_side side, size_t *n,
                        double (*get)(const struct gait_step *))
{
    double s = 0;
    *n = 0;
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct gait_step *g = &r->steps[i].step;
        double v = get(g);
        if (g->side == side && isfinite(v)) {
            s += v;
            (*n)++;
        }
    }
    return *n ? s / (double)*n : NAN;
}
static double get_contact(const struct gait_step *g)
{
    return g->contact_ms;
}
static double get_valr(const struct gait_step *g)
{
    return g->valr_bw_s;
}
static double get_vilr(const struct gait_step *g)
{
    return g->vilr_bw_s;
}
static double get_impact(const struct gait_step *g)
{
    return g->impact_peak_bw;
}

void rg_symmetry(const struct report_record *r, const struct report_gait *g,
                 struct rg_sym_row rows[RG_SYM_N])
{
    static const struct {
        const char *name, *unit;
        int dec;
        double (*get)(const struct gait_step *);
    } def[RG_SYM_N] = {
        [RG_SYM_CONTACT] = {"contact time", "ms", 0, get_contact},
        [RG_SYM_VALR] = {"loading rate, average (VALR)", "BW/s", 1, get_valr},
        [RG_SYM_VILR] = {"loading rate, peak (VILR)", "BW/s", 1, get_vilr},
        [RG_SYM_LENGTH] = {"step length", "m", 2, NULL},
        [RG_SYM_IMPACT] = {"impact peak", "BW", 2, get_impact},
    };
    for (int i = 0; i < RG_SYM_N; i++) {
        struct rg_sym_row *x = &rows[i];
        x->name = def[i].name;
        x->unit = def[i].unit;
        x->dec = def[i].dec;
        if (def[i].get) {
            x->left = side_mean(r, GAIT_SIDE_LEFT, &x->n_left, def[i].get);
            x->right = side_mean(r, GAIT_SIDE_RIGHT, &x->n_right, def[i].get);
        } else {
            x->left = g && g->available ? g->length_side_m[0] : NAN;
            x->right = g && g->available ? g->length_side_m[1] : NAN;
            x->n_left = x->n_right = 0;
        }
        x->si_pct = report_gait_si(x->left, x->right);
    }
}

/* One row per measure: L, R, SI and a bar from 0 (+-20 % across). */
static void draw_symmetry(struct doc *d, const struct report_record *r, const struct report_gait *g)
{
    cairo_t *cr = d->cr;
    struct rg_sym_row rows[RG_SYM_N];
    rg_symmetry(r, g, rows);
    rd_ensure_room(d, 20 + 13.0 * (RG_SYM_N + 1) + 40);
    rd_font(cr, 8, true);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    rd_text_at(cr, MARGIN, d->y + 8, AL_LEFT, "Left / right symmetry");
    double y = d->y + 24;
    const double c_l = MARGIN + 215, c_r = MARGIN + 270, c_si = MARGIN + 320;
    const double bx = MARGIN + 345, bw = CONTENT_W - 345, mid = bx + bw / 2, lim = 20.0;
    rd_font(cr, 6.5, true);
    rd_text_at(cr, MARGIN, y, AL_LEFT, "every step of the session");
    rd_text_at(cr, c_l, y, AL_RIGHT, "left");
    rd_text_at(cr, c_r, y, AL_RIGHT, "right");
    rd_text_at(cr, c_si, y, AL_RIGHT, "SI (%)");
    rd_text_at(cr, bx, y, AL_LEFT, "-20 % (right larger)");
    rd_text_at(cr, bx + bw, y, AL_RIGHT, "+20 % (left larger)");
    y += 4;
    double y_top = y;
    for (int i = 0; i < RG_SYM_N; i++) {
        const struct rg_sym_row *x = &rows[i];
        y += 13;
        rd_font(cr, 7, false);
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        rd_textf(cr, MARGIN, y, AL_LEFT, "%s (%s)", x->name, x->unit);
        char a[32], b[32], s[32];
        snprintf(a, sizeof a, isfinite(x->left) ? "%.*f" : "-", x->dec, x->left);
        snprintf(b, sizeof b, isfinite(x->right) ? "%.*f" : "-", x->dec, x->right);
        snprintf(s, sizeof s, isfinite(x->si_pct) ? "%+.1f" : "-", x->si_pct);
        rd_text_at(cr, c_l, y, AL_RIGHT, a);
        rd_text_at(cr, c_r, y, AL_RIGHT, b);
        rd_font(cr, 7, true);
        rd_text_at(cr, c_si, y, AL_RIGHT, s);
        if (isfinite(x->si_pct)) {
            double v = fmax(-lim, fmin(lim, x->si_pct));
            double xe = mid + v / lim * bw / 2;
            rd_set_rgb(cr, x->si_pct >= 0 ? rgb_side[0] : rgb_side[1]);
            cairo_rectangle(cr, fmin(mid, xe), y - 6, fabs(xe - mid), 7);
            cairo_fill(cr);
            if (fabs(x->si_pct) > lim) /* off the scale: an arrow head */
                rd_text_at(cr, xe + (v > 0 ? 2 : -2), y, v > 0 ? AL_LEFT : AL_RIGHT,
                           v > 0 ? ">" : "<");
        }
    }
    /* scale: 5 % ticks, the middle line */
    cairo_set_line_width(cr, 0.3);
    for (int t = -20; t <= 20; t += 5) {
        double xt = mid + t / lim * bw / 2;
        cairo_set_source_rgb(cr, t ? 0.75 : 0.2, t ? 0.75 : 0.2, t ? 0.75 : 0.2);
        cairo_move_to(cr, xt, y_top + 2);
        cairo_line_to(cr, xt, y + 3);
        cairo_stroke(cr);
    }
    y += 10;
    rd_font(cr, 6.0, false);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    y = rd_paragraph(cr, MARGIN, y, CONTENT_W, 7.5,
                     "Symmetry index SI = 100 (L - R) / ((L + R) / 2) %, on the means of each "
                     "side (Robinson, Herzog and Nigg 1987, J Manipulative Physiol Ther "
                     "10:172); 0 = symmetric, positive = the left value is larger.  Contact "
                     "time at the force threshold of the steps; step length is the step ending "
                     "on that side's contact (from the recording).");
    d->y = y + 4;
}

void rg_draw_gait(struct doc *d, const struct report_record *r, const struct report_gait *g)
{
    rd_new_page(d);
    rd_heading(d, "Gait: force curves, centre of pressure, symmetry");
    cairo_t *cr = d->cr;
    char line[1200];
    if (g->available) {
        rd_font(cr, 7, false);
        cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
        snprintf(line, sizeof line,
                 "From the session's raw recording, replayed through the station's analysis "
                 "(%s): %zu steps, %zu matched with the stored steps, %zu not usable "
                 "for a curve (gap or edge of the data).  Body weight %.0f N (%s).  %s",
                 g->sha_checked ? "SHA-256 checked" : "no checksum to check it against",
                 g->steps_replayed, g->steps_matched, g->steps_skipped, g->body_weight_n,
                 g->bw_source, g->why);
        d->y = rd_paragraph(cr, MARGIN, d->y + 4, CONTENT_W, 9, line) + 4;
        if (g->steps_walk) {
            snprintf(line, sizeof line,
                     "%zu of the steps were walking: the deck measures both feet together, so "
                     "the first and last part of those stances (double support) include the "
                     "other foot's load.",
                     g->steps_walk);
            d->y = rd_paragraph(cr, MARGIN, d->y, CONTENT_W, 9, line) + 4;
        }
        draw_force_row(d, g);
        const double h = 170, w = (CONTENT_W - 30 - 40) / 2;
        rd_ensure_room(d, h + 60);
        double y0 = d->y;
        draw_butterfly(d, g, MARGIN + 30, w, h);
        d->y = y0;
        draw_phase_lengths(d, r, g, MARGIN + 30 + w + 40, w);
        d->y = y0 + 24 + h + 36;
    } else {
        rd_font(cr, 8, true);
        cairo_set_source_rgb(cr, 0.55, 0.25, 0.05);
        d->y = rd_paragraph(cr, MARGIN, d->y + 6, CONTENT_W, 10, g->why) + 8;
    }
    draw_symmetry(d, r, g);
}

void rg_draw_gait_page(struct doc *d, const struct report_record *r)
{
    struct report_gait *g = calloc(1, sizeof *g); /* ~70 kB: not on the stack */
    struct gc_diag diag;
    if (g && report_gait_load(r, g, &diag) == GC_OK) {
        rg_draw_gait(d, r, g);
    } else {
        /* out of memory: the page says so, the rest of the report stands */
        struct report_gait none = {.available = false};
        snprintf(none.why, sizeof none.why,
                 "The gait figures could not be computed (out of memory), so the force curves, "
                 "the COP butterfly and step length and width are omitted.");
        rg_draw_gait(d, r, &none);
    }
    if (g)
        report_gait_free(g);
    free(g);
}
