/*
 * display_layout.c - what the runner's display shows and where (see
 * display.h for the picture, display_draw.h for how it is drawn).
 *
 * Layout works in a 16 x 9 grid of square units u = min(W/16, H/9),
 * centred in the window, so every element scales with the window and the
 * big numbers stay big: at 1280 x 720, u = 80 px and the cadence digits
 * are 2.6 u = 208 px tall, about 6 cm on a 32" screen - readable at 3 m
 * (a 20/40 letter at 3 m is ~9 mm).
 *
 * Everything here draws through the dd_* primitives only (never SDL
 * directly), so the same code describes the frame for the change check.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "display_draw.h"
#include "display_qr.h"

static void clock_str(char *buf, size_t cap, double s)
{
    if (!(s >= 0))
        s = 0;
    long t = (long)floor(s);
    if (t >= 3600)
        snprintf(buf, cap, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
    else
        snprintf(buf, cap, "%ld:%02ld", t / 60, t % 60);
}

struct layout {
    float u, x0, y0;   /* unit and the 16:9 box origin */
    float top, bottom; /* header and footer rows: pinned to the window edges */
};

static float X(const struct layout *L, float gx)
{
    return L->x0 + gx * L->u;
}

static float Y(const struct layout *L, float gy)
{
    return L->y0 + gy * L->u;
}

static int PX(const struct layout *L, float gu)
{
    return (int)lrintf(gu * L->u);
}

/* The phase as the runner reads it: its kind in capitals. */
static const char *phase_label(const struct session_view *sv)
{
    if (sv->phase < 0)
        return "STARTING";
    if (sv->ended)
        return "DONE";
    switch (sv->kind) {
    case PLAN_KIND_WEIGH_IN:
        return "STAND STILL";
    case PLAN_KIND_BASELINE:
        return "BASELINE";
    case PLAN_KIND_TRAINING:
        return "TRAINING";
    case PLAN_KIND_RETENTION:
        return "RETENTION";
    case PLAN_KIND_WALK:
        return "WALK";
    case PLAN_KIND_RUN:
        return "RUN";
    }
    return "";
}

static void draw_header(struct display *d, const struct layout *L, const struct display_model *m)
{
    const struct feedback_view *v = &m->fb;
    const struct session_view *sv = &m->session;
    char buf[96], t[32];
    dd_fill_rect(d, 0, 0, (float)d->w, L->top + L->u * 0.95f, C_PANEL, 255);
    bool interval = sv->intervals > 0 && !sv->ended && sv->phase >= 0;
    if (interval) {
        /* walk-run: RUN 2/4 or WALK 2/4 and the interval clock, counting down */
        clock_str(t, sizeof t, ceil(sv->phase_left_s));
        snprintf(buf, sizeof buf, "%s %d/%d  %s", phase_label(sv), sv->interval, sv->intervals, t);
        dd_text(d, buf, X(L, 0.3f), (L->top + 0.18f * L->u), PX(L, 0.5f), true, AL_LEFT,
             sv->kind == PLAN_KIND_RUN ? C_AMBER : C_BLUE);
    } else {
        if (isfinite(sv->phase_left_s))
            clock_str(t, sizeof t, ceil(sv->phase_left_s)); /* time left in the phase */
        else
            clock_str(t, sizeof t, sv->phase_s); /* an open phase: time in it */
        snprintf(buf, sizeof buf, "%s %s", phase_label(sv), t);
        dd_text(d, buf, X(L, 0.3f), (L->top + 0.18f * L->u), PX(L, 0.5f), true, AL_LEFT, C_TEXT);
    }

    clock_str(t, sizeof t, v->session_s);
    dd_text(d, t, X(L, 15.7f), (L->top + 0.18f * L->u), PX(L, 0.5f), true, AL_RIGHT, C_TEXT);
    float xr = X(L, 13.4f);
    if (v->muted) {
        dd_fill_rect(d, xr - L->u * 1.5f, (L->top + 0.2f * L->u), L->u * 1.5f, L->u * 0.55f, C_RED,
                  255);
        dd_text(d, "MUTED", xr - L->u * 0.75f, (L->top + 0.26f * L->u), PX(L, 0.36f), true, AL_CENTER,
             C_BG);
    } else if (v->metronome_on) {
        snprintf(buf, sizeof buf, "\xe2\x99\xa9 %.0f", v->metronome_spm); /* quarter note */
        dd_text(d, buf, xr, (L->top + 0.22f * L->u), PX(L, 0.42f), false, AL_RIGHT, C_TEXT);
    }
}

static void draw_cadence(struct display *d, const struct layout *L, const struct display_model *m)
{
    const struct feedback_view *v = &m->fb;
    char buf[64];
    bool show = v->feedback_on && v->band != FEEDBACK_BAND_PAUSED;
    dd_text(d, "CADENCE  steps/min", X(L, 0.3f), Y(L, 1.15f), PX(L, 0.36f), false, AL_LEFT, C_DIM);

    const struct session_view *sv = &m->session;
    if (sv->phase >= 0 && !sv->ended && sv->kind == PLAN_KIND_WEIGH_IN) {
        dd_text(d, "Stand still on the deck", X(L, 0.3f), Y(L, 2.0f), PX(L, 0.6f), true, AL_LEFT,
             C_TEXT);
        if (isfinite(sv->body_weight_n))
            snprintf(buf, sizeof buf, "weight %.1f kg", sv->body_weight_n / 9.80665);
        else
            snprintf(buf, sizeof buf, "weighing...");
        dd_text(d, buf, X(L, 0.3f), Y(L, 3.0f), PX(L, 0.45f), false, AL_LEFT, C_DIM);
        return;
    }
    if (v->phase == FEEDBACK_PHASE_BASELINE) {
        dd_text(d, "Run as you usually do", X(L, 0.3f), Y(L, 2.0f), PX(L, 0.6f), true, AL_LEFT,
             C_TEXT);
        snprintf(buf, sizeof buf, "baseline: %zu steps", sv->baseline_steps);
        dd_text(d, buf, X(L, 0.3f), Y(L, 3.0f), PX(L, 0.45f), false, AL_LEFT, C_DIM);
        return;
    }
    if (!show) {
        const char *msg = v->band == FEEDBACK_BAND_PAUSED        ? "Walk - cadence paused"
                          : v->phase == FEEDBACK_PHASE_RETENTION ? "No feedback: your rhythm"
                                                                 : "Keep your rhythm";
        dd_text(d, msg, X(L, 0.3f), Y(L, 2.0f), PX(L, 0.6f), true, AL_LEFT, C_DIM);
        return;
    }
    struct rgb c = dd_band_color(v->band);
    if (isfinite(v->cadence_spm))
        snprintf(buf, sizeof buf, "%.0f", v->cadence_spm);
    else
        snprintf(buf, sizeof buf, "--");
    dd_text(d, buf, X(L, 0.2f), Y(L, 1.35f), PX(L, 2.6f), true, AL_LEFT, C_TEXT);

    /* state: shape + word */
    dd_band_shape(d, v->band, X(L, 7.6f), Y(L, 2.55f), L->u * 0.62f);
    const char *word = v->band == FEEDBACK_BAND_IN     ? "IN BAND"
                       : v->band == FEEDBACK_BAND_LOW  ? "QUICKER"
                       : v->band == FEEDBACK_BAND_HIGH ? "SLOWER"
                                                       : "";
    dd_text(d, word, X(L, 7.6f), Y(L, 3.35f), PX(L, 0.48f), true, AL_CENTER, c);

    /* band gauge: target +-8 % */
    if (isfinite(v->target_spm)) {
        float gx = X(L, 0.3f), gw = L->u * 8.4f, gy = Y(L, 4.55f), gh = L->u * 0.42f;
        double lo = v->target_spm * 0.92, hi = v->target_spm * 1.08;
#define GX(spm) (gx + (float)(((spm)-lo) / (hi - lo)) * gw)
        dd_fill_rect(d, gx, gy, gw, gh, C_PANEL, 255);
        dd_fill_rect(d, GX(v->band_lo_spm), gy, GX(v->band_hi_spm) - GX(v->band_lo_spm), gh, C_BAND,
                  255);
        dd_fill_rect(d, GX(v->target_spm) - 2, gy - L->u * 0.08f, 4, gh + L->u * 0.16f, C_TEXT, 255);
        if (isfinite(v->cadence_spm)) {
            double cs = fmin(hi, fmax(lo, v->cadence_spm));
            dd_fill_triangle(d, GX(cs), gy - L->u * 0.22f, L->u * 0.2f, false, c);
        }
        snprintf(buf, sizeof buf, "%.0f", v->band_lo_spm);
        dd_text(d, buf, GX(v->band_lo_spm), gy + gh + L->u * 0.05f, PX(L, 0.3f), false, AL_CENTER,
             C_DIM);
        snprintf(buf, sizeof buf, "%.0f", v->band_hi_spm);
        dd_text(d, buf, GX(v->band_hi_spm), gy + gh + L->u * 0.05f, PX(L, 0.3f), false, AL_CENTER,
             C_DIM);
        snprintf(buf, sizeof buf, "target %.0f", v->target_spm);
        dd_text(d, buf, gx + gw, gy + gh + L->u * 0.05f, PX(L, 0.3f), false, AL_RIGHT, C_DIM);
#undef GX
    }
}

static void draw_loading(struct display *d, const struct layout *L, const struct display_model *m)
{
    const struct feedback_view *v = &m->fb;
    char buf[64];
    float x = X(L, 9.6f);
    dd_text(d, "LOADING  VALR BW/s", x, Y(L, 1.15f), PX(L, 0.36f), false, AL_LEFT, C_DIM);
    if (!v->feedback_on || v->phase != FEEDBACK_PHASE_TRAINING)
        return;
    bool known = isfinite(v->last_valr_bw_s);
    struct rgb c = !known ? C_GREY : v->last_hard ? C_RED : C_GREEN;
    snprintf(buf, sizeof buf, known ? "%.0f" : "--", v->last_valr_bw_s);
    dd_text(d, buf, x, Y(L, 1.6f), PX(L, 1.5f), true, AL_LEFT, C_TEXT);
    float sx = X(L, 14.2f), sy = Y(L, 2.4f), r = L->u * 0.55f;
    if (known && v->last_hard)
        dd_fill_square(d, sx, sy, r, c);
    else if (known)
        dd_fill_circle(d, sx, sy, r, c);
    dd_text(d,
         !known         ? ""
         : v->last_hard ? "HARD"
                        : "SOFT",
         sx, Y(L, 3.1f), PX(L, 0.48f), true, AL_CENTER, c);

    double ceil_v = v->loading_ceiling_bw_s;
    if (isfinite(ceil_v)) {
        float gx = x, gw = L->u * 6.0f, gy = Y(L, 4.55f), gh = L->u * 0.42f;
        double hi = ceil_v * 1.5;
        dd_fill_rect(d, gx, gy, gw, gh, C_PANEL, 255);
        if (known) {
            double f = fmin(1.0, fmax(0.0, v->last_valr_bw_s / hi));
            dd_fill_rect(d, gx, gy, gw * (float)f, gh, c, 255);
        }
        float cx = gx + gw * (float)(ceil_v / hi);
        dd_fill_rect(d, cx - 2, gy - L->u * 0.08f, 4, gh + L->u * 0.16f, C_RED, 255);
        snprintf(buf, sizeof buf, "ceiling %.0f", ceil_v);
        dd_text(d, buf, cx, gy + gh + L->u * 0.05f, PX(L, 0.3f), false, AL_CENTER, C_DIM);
    }
}

static void draw_ticker(struct display *d, const struct layout *L, const struct display_model *m)
{
    const struct feedback_view *v = &m->fb;
    bool live = v->feedback_on && v->phase == FEEDBACK_PHASE_TRAINING;
    float row[2] = {Y(L, 6.05f), Y(L, 6.95f)};
    dd_text(d, "L", X(L, 0.3f), row[0] - L->u * 0.3f, PX(L, 0.45f), true, AL_LEFT, C_TEXT);
    dd_text(d, "R", X(L, 0.3f), row[1] - L->u * 0.3f, PX(L, 0.45f), true, AL_LEFT, C_TEXT);
    float x0 = X(L, 1.1f), dx = L->u * 0.5f, r = L->u * 0.19f;
    for (unsigned i = 0; i < v->ticker_n; i++) {
        const struct feedback_strike *k = &v->ticker[i];
        float cx = x0 + dx * (float)i;
        float cy = k->side == 'R' ? row[1] : k->side == 'L' ? row[0] : 0.5f * (row[0] + row[1]);
        enum feedback_band b = live ? (enum feedback_band)k->band : FEEDBACK_BAND_UNKNOWN;
        if (live && k->hard) {
            dd_fill_square(d, cx, cy, r * 1.15f, C_RED); /* hard landing: a red square */
            dd_band_shape(d, b, cx, cy, r * 0.6f);
        } else {
            dd_band_shape(d, b, cx, cy, r);
        }
    }
    /* share of steps in band: the session's score, the one the report prints */
    char buf[32];
    dd_text(d, "IN BAND", X(L, 15.7f), Y(L, 5.55f), PX(L, 0.36f), false, AL_RIGHT, C_DIM);
    if (isfinite(m->session.share_in_band))
        snprintf(buf, sizeof buf, "%.0f %%", 100.0 * m->session.share_in_band);
    else
        snprintf(buf, sizeof buf, "--");
    dd_text(d, buf, X(L, 15.7f), Y(L, 6.0f), PX(L, 1.0f), true, AL_RIGHT, C_TEXT);
}

static void draw_footer(struct display *d, const struct layout *L, const struct display_model *m)
{
    char buf[200];
    snprintf(buf, sizeof buf, "%s%s%s", m->link, m->calib[0] ? "   " : "", m->calib);
    float y = L->bottom - L->u * 0.65f;
    const char *keys = "Tab: therapist panel   F11: full screen";
    int px = PX(L, 0.3f);
    /* the status never runs under the key hint: it is shortened to the
     * room left of it (the whole line is in the terminal and the report) */
    float room = X(L, 15.7f) - (float)dd_text_width(d, keys, px, false) - L->u * 0.4f - X(L, 0.7f);
    dd_fit_width(d, buf, px, false, room);
    dd_fill_circle(d, X(L, 0.45f), y + L->u * 0.17f, L->u * 0.11f, m->link_ok ? C_GREEN : C_RED);
    dd_text(d, buf, X(L, 0.7f), y, px, false, AL_LEFT, m->link_ok ? C_DIM : C_RED);
    dd_text(d, keys, X(L, 15.7f), y, px, false, AL_RIGHT, C_DIM);
    if (m->alert[0]) {
        /* data is being lost: a red bar above the footer, never hidden */
        float ay = y - L->u * 0.62f;
        dd_fill_rect(d, 0, ay - L->u * 0.08f, (float)d->w, L->u * 0.52f, C_RED, 255);
        char a[128];
        snprintf(a, sizeof a, "%s", m->alert);
        dd_fit_width(d, a, PX(L, 0.34f), true, (float)d->w - L->u * 0.6f);
        dd_text(d, a, X(L, 0.3f), ay, PX(L, 0.34f), true, AL_LEFT, C_BG);
    }
}

/* The web console's QR code in the panel's top right corner: lines above
 * its bottom edge are shortened by its width (set by draw_panel). */
static struct {
    float bottom, cut;
} panel_qr;

/* One line of the therapist panel, shortened to fit (b is changed). */
static void panel_line(struct display *d, char *b, float x, float y, int px, bool bold,
                       struct rgb c, float maxw)
{
    if (y < panel_qr.bottom)
        maxw -= panel_qr.cut;
    dd_fit_width(d, b, px, bold, maxw);
    dd_text(d, b, x, y, px, bold, AL_LEFT, c);
}

static void draw_panel(struct display *d, const struct layout *L, const struct display_model *m)
{
    const struct feedback_view *v = &m->fb;
    float x = X(L, 8.3f), y = Y(L, 1.05f), w = L->u * 7.5f, h = L->u * 7.15f;
    dd_fill_rect_blend(d, x, y, w, h, C_PANEL, 245);
    dd_fill_rect(d, x, y, 4, h, C_AMBER, 255);
    int px = PX(L, 0.27f);
    float lh = px * 1.3f, tx = x + L->u * 0.3f, ty = y + L->u * 0.2f;
    char b[160], t1[32];
    float maxw = w - L->u * 0.5f; /* every line is shortened to the panel */
    panel_qr.bottom = panel_qr.cut = 0;
    if (m->web_url[0]) {
        /* 1.8 u: 3 px modules for a 45-module code at 1280 x 720 */
        float qs = L->u * 1.8f, qx = x + w - qs - L->u * 0.15f, qy = y + L->u * 0.15f;
        if (display_qr_draw(d, m->web_url, qx, qy, qs) == GC_OK) {
            panel_qr.bottom = qy + qs;
            panel_qr.cut = qs + L->u * 0.1f;
        }
    }

    snprintf(b, sizeof b, "THERAPIST%s%s", m->patient[0] ? "  -  " : "", m->patient);
    dd_text(d, b, tx, ty, PX(L, 0.34f), true, AL_LEFT, C_AMBER);
    ty += lh * 1.4f;
    /* every figure here is the session's (the report prints the same) */
    const struct session_view *sv = &m->session;
    const struct session_targets *tg = &sv->targets;
    /* With every optional line shown the lines close up so that the key
     * table still ends inside the panel: 8 lines always, up to 5 more. */
    int lines = 8 + (tg->feedback == PLAN_FB_FADED) + (sv->intervals > 0) + (m->treadmill[0] != 0) +
                (m->footprint[0] != 0) + (m->note[0] != 0);
    int key_rows = 1;
    for (const char *k = display_key_help(); *k; k++)
        key_rows += *k == '\n';
    float key_h = (float)((key_rows + 1) / 2) * (float)PX(L, 0.24f) * 1.3f;
    float room = y + h - L->u * 0.15f - key_h - ty;
    lh = fminf(lh, room / ((float)lines + 0.4f));
    snprintf(b, sizeof b, "Phase %d/%zu %.30s", sv->phase + 1, sv->n_phases, sv->phase_name);
    panel_line(d, b, tx, ty, px, true, C_TEXT, maxw);
    ty += lh;
    if (isfinite(tg->cadence_spm))
        snprintf(b, sizeof b, "Cadence target %.1f  (band %.1f - %.1f)", tg->cadence_spm,
                 tg->cadence_lo_spm, tg->cadence_hi_spm);
    else
        snprintf(b, sizeof b, "No cadence target in this phase");
    panel_line(d, b, tx, ty, px, false, C_TEXT, maxw);
    ty += lh;
    char base[48], wt[40];
    if (sv->baseline.valid)
        snprintf(base, sizeof base, "Baseline %.1f steps/min", sv->baseline.cadence_spm);
    else
        snprintf(base, sizeof base, "%s", sv->baseline_done ? "Baseline too short" : "No baseline yet");
    if (isfinite(sv->body_weight_n))
        snprintf(wt, sizeof wt, "body weight %.0f N", sv->body_weight_n);
    else
        snprintf(wt, sizeof wt, "body weight pending");
    snprintf(b, sizeof b, "%s   %s", base, wt);
    panel_line(d, b, tx, ty, px, false, C_TEXT, maxw);
    ty += lh;
    char imp[40] = "";
    if (isfinite(v->impact_ceiling_bw))
        snprintf(imp, sizeof imp, ", impact %.1f BW", v->impact_ceiling_bw);
    if (isfinite(tg->valr_ceiling_bw_s))
        snprintf(b, sizeof b, "Loading ceiling VALR %.0f BW/s%s", tg->valr_ceiling_bw_s, imp);
    else
        snprintf(b, sizeof b, "No loading ceiling%s", imp);
    panel_line(d, b, tx, ty, px, false, C_TEXT, maxw);
    ty += lh;
    snprintf(b, sizeof b, "Mode %s   feedback %s",
             tg->feedback == PLAN_FB_NONE ? "off" : plan_feedback_name(tg->feedback),
             v->feedback_on ? "ON now" : "off now");
    panel_line(d, b, tx, ty, px, true, C_TEXT, maxw);
    ty += lh;
    if (tg->feedback == PLAN_FB_FADED) {
        clock_str(t1, sizeof t1, v->fade_duration_s);
        char next[32] = "";
        if (isfinite(v->fade_next_s))
            snprintf(next, sizeof next, ", switch in %.0f s", ceil(v->fade_next_s));
        snprintf(b, sizeof b, "Fading %.0f %% now -> %.0f %% at %s%s", 100 * v->fade_share_now,
                 100 * v->fade_end_share, t1, next);
        panel_line(d, b, tx, ty, px, false, C_TEXT, maxw);
        ty += lh;
    }
    snprintf(b, sizeof b, "Metronome %s %.1f%s   vol %.0f %%  cues %s%s",
             v->metronome_on ? "on" : "off", v->metronome_spm, m->align ? " aligned" : "",
             100 * m->volume, m->cue_set, v->muted ? "  MUTED" : "");
    panel_line(d, b, tx, ty, px, false, C_TEXT, maxw);
    ty += lh;
    if (isfinite(m->audio_latency_ms))
        snprintf(b, sizeof b, "Audio %s, output latency %.1f ms", m->audio_device,
                 m->audio_latency_ms);
    else
        snprintf(b, sizeof b, "Audio %s", m->audio_device[0] ? m->audio_device : "off");
    panel_line(d, b, tx, ty, px, false, C_DIM, maxw);
    ty += lh;
    if (sv->intervals > 0) {
        snprintf(b, sizeof b, "Interval %d of %d (%s)", sv->interval, sv->intervals,
                 sv->kind == PLAN_KIND_RUN ? "run" : "walk");
        panel_line(d, b, tx, ty, px, false, C_TEXT, maxw);
        ty += lh;
    }
    char inb[32], hard[32];
    if (isfinite(sv->share_in_band))
        snprintf(inb, sizeof inb, "%.0f %%", 100 * sv->share_in_band);
    else
        snprintf(inb, sizeof inb, "-");
    if (sv->steps_loaded)
        snprintf(hard, sizeof hard, "%.0f %%", 100.0 * (double)sv->steps_over / (double)sv->steps_loaded);
    else
        snprintf(hard, sizeof hard, "-");
    snprintf(b, sizeof b, "Steps %zu  in band %s of %zu  hard %s", sv->steps, inb,
             sv->steps_scored, hard);
    panel_line(d, b, tx, ty, px, false, C_TEXT, maxw);
    ty += lh;
    if (m->treadmill[0]) {
        snprintf(b, sizeof b, "%s", m->treadmill);
        panel_line(d, b, tx, ty, px, m->treadmill_warn,
                   m->treadmill_warn ? C_RED : C_TEXT, maxw);
        ty += lh;
    }
    if (m->footprint[0]) {
        snprintf(b, sizeof b, "%s", m->footprint);
        panel_line(d, b, tx, ty, px, false, C_TEXT, maxw);
        ty += lh;
    }
    if (m->note[0]) {
        snprintf(b, sizeof b, "%s", m->note);
        panel_line(d, b, tx, ty, px, false, C_AMBER, maxw);
        ty += lh;
    }
    ty += lh * 0.4f;
    dd_key_table(d, display_key_help(), tx, ty, w / 2 - L->u * 0.1f, L->u * 1.5f, PX(L, 0.24f));
}

void display_layout_draw(struct display *d, const struct display_model *m)
{
    struct layout L;
    if (d->cfg.panel_only) {
        /* --panel-window: the panel alone, as large as its window allows,
         * so the runner's display is never covered */
        L.u = fminf(d->w / 7.9f, d->h / 7.55f);
        L.x0 = (d->w - 7.5f * L.u) / 2 - 8.3f * L.u;
        L.y0 = (d->h - 7.15f * L.u) / 2 - 1.05f * L.u;
        L.top = 0;
        L.bottom = (float)d->h;
        dd_clear(d, C_BG);
        draw_panel(d, &L, m);
        return;
    }
    L.u = fminf(d->w / 16.0f, d->h / 9.0f);
    L.x0 = (d->w - 16 * L.u) / 2;
    L.y0 = (d->h - 9 * L.u) / 2;
    L.top = 0;
    L.bottom = (float)d->h;
    dd_clear(d, C_BG);
    draw_header(d, &L, m);
    draw_cadence(d, &L, m);
    draw_loading(d, &L, m);
    draw_ticker(d, &L, m);
    draw_footer(d, &L, m);
    if (m->panel)
        draw_panel(d, &L, m);
}

