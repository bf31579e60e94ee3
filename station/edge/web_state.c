/*
 * web_state.c - the console's state JSON (see web_state.h).
 */
#include "web_state.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "gc_error.h"

struct out {
    char *buf;
    size_t cap, n;
    bool overflow;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
    if (o->overflow)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(o->buf + o->n, o->cap - o->n, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= o->cap - o->n) {
        o->overflow = true;
        return;
    }
    o->n += (size_t)k;
}

/* "key":number or "key":null */
static void num(struct out *o, const char *key, double x, int decimals)
{
    if (isfinite(x))
        put(o, "\"%s\":%.*f,", key, decimals, x);
    else
        put(o, "\"%s\":null,", key);
}

/* "text", with JSON escapes (control characters as \u00XX). */
static void quoted(struct out *o, const char *s)
{
    put(o, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            put(o, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            put(o, "\\u%04x", *p);
        else
            put(o, "%c", *p);
    }
    put(o, "\",");
}

/* "key":"text", */
static void str(struct out *o, const char *key, const char *s)
{
    put(o, "\"%s\":", key);
    quoted(o, s);
}

static void boolean(struct out *o, const char *key, bool b)
{
    put(o, "\"%s\":%s,", key, b ? "true" : "false");
}

int web_state_json(const struct display_model *m, const struct web_state_extra *x, char *buf,
                   size_t cap)
{
    if (cap < 2)
        return GC_ERR_ARG;
    struct out o = {buf, cap, 0, false};
    const struct feedback_view *v = &m->fb;
    const struct session_view *s = &m->session;
    const struct session_targets *t = &s->targets;
    const char *phase = s->phase < 0 ? "starting" : s->ended ? "ended" : plan_kind_name(s->kind);
    double band_pct = isfinite(t->cadence_spm) && t->cadence_spm > 0
                          ? 100.0 * (t->cadence_hi_spm - t->cadence_lo_spm) / 2.0 / t->cadence_spm
                          : NAN;
    put(&o, "{");
    num(&o, "t", x->t_session_s, 2);
    str(&o, "phase", phase);
    str(&o, "phase_name", s->phase_name);
    num(&o, "phase_s", s->phase_s, 1);
    num(&o, "phase_left_s", isinf(s->phase_left_s) ? NAN : s->phase_left_s, 1);
    put(&o, "\"interval\":%d,\"intervals\":%d,", s->interval, s->intervals);
    boolean(&o, "ended", s->ended);
    num(&o, "cadence", v->cadence_spm, 1);
    num(&o, "cadence_spectral", x->cadence_spectral_spm, 1);
    num(&o, "target", t->cadence_spm, 1);
    num(&o, "band_lo", isfinite(t->cadence_spm) ? t->cadence_lo_spm : NAN, 1);
    num(&o, "band_hi", isfinite(t->cadence_spm) ? t->cadence_hi_spm : NAN, 1);
    num(&o, "band_pct", band_pct, 1);
    str(&o, "state", feedback_band_name(v->band));
    num(&o, "share_in_band", s->share_in_band, 3);
    put(&o, "\"steps\":%zu,\"scored\":%zu,\"over\":%zu,", s->steps, s->steps_scored, s->steps_over);
    num(&o, "valr", v->last_valr_bw_s, 1);
    num(&o, "ceiling", t->valr_ceiling_bw_s, 1);
    num(&o, "impact", v->last_impact_bw, 2);
    boolean(&o, "hard", v->last_hard);
    str(&o, "mode", t->feedback == PLAN_FB_NONE ? "off" : plan_feedback_name(t->feedback));
    boolean(&o, "feedback_on", v->feedback_on);
    boolean(&o, "fading", t->feedback == PLAN_FB_FADED);
    num(&o, "fade_share", v->fade_share_now, 3);
    num(&o, "fade_next_s", v->fade_next_s, 1);
    boolean(&o, "metronome_on", v->metronome_on);
    num(&o, "metronome_spm", v->metronome_spm, 1);
    boolean(&o, "muted", v->muted);
    num(&o, "baseline", s->baseline.valid ? s->baseline.cadence_spm : NAN, 1);
    boolean(&o, "link_ok", m->link_ok);
    str(&o, "link", m->link);
    str(&o, "calib", m->calib);
    /* the speed check is a warning too: the page shows the panel's red
     * line when nothing graver (not saved, ...) is alerted */
    str(&o, "alert", m->alert[0] ? m->alert : m->treadmill_warn ? m->treadmill : "");
    num(&o, "speed", x->speed_mps, 2);
    num(&o, "incline", x->incline_pct, 1);
    num(&o, "deck_speed", x->deck_speed_mps, 2);
    num(&o, "deck_speed_ci95", x->deck_speed_ci95_mps, 2);
    put(&o, "\"deck_speed_steps\":%u,", x->deck_speed_steps);
    str(&o, "speed_check", x->speed_check ? x->speed_check : "unknown");
    str(&o, "treadmill", m->treadmill);
    boolean(&o, "treadmill_warn", m->treadmill_warn);
    str(&o, "note", m->note);
    str(&o, "patient", m->patient);
    put(&o, "\"ticker\":[");
    for (unsigned i = 0; i < v->ticker_n && i < FEEDBACK_TICKER_LEN; i++) {
        const struct feedback_strike *k = &v->ticker[i];
        char side[2] = {k->side == 'L' || k->side == 'R' ? k->side : '?', 0};
        put(&o, "{\"i\":%u,", k->index);
        str(&o, "side", side);
        str(&o, "band", feedback_band_name((enum feedback_band)k->band));
        boolean(&o, "hard", k->hard);
        num(&o, "spm", k->cadence_spm, 1);
        num(&o, "valr", k->valr_bw_s, 1);
        o.n--; /* the last comma */
        put(&o, "},");
    }
    if (v->ticker_n > 0)
        o.n--;
    put(&o, "],\"markers\":[");
    for (unsigned i = 0; i < x->n_markers && x->markers; i++)
        quoted(&o, x->markers[i]);
    if (x->n_markers > 0 && x->markers)
        o.n--;
    put(&o, "],\"ev_seq\":%llu,", (unsigned long long)x->ev_seq);
    num(&o, "ev_rx_wall_ms", x->ev_rx_wall_ms, 3);
    o.n--;
    put(&o, "}");
    if (o.overflow)
        return GC_ERR_ARG;
    return (int)o.n;
}
