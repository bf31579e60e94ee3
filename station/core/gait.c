/*
 * gait.c - the streaming gait pipeline (API and method: gait.h,
 * docs/analysis.md).
 *
 * Per sample:
 *   fz, fz*copx --lowpass--> y, moment --> copx_f = moment / y
 *   y --> stepdet (baseline, hysteresis)  --ON-->  open a stance
 *   stance: y - baseline appended to its buffer; impact scan -> LOADING
 *   --OFF--> metrics_stance, side -> STEP
 *   y --> cadence (spectrum), bodyweight (whole steps)
 * Walking (double support, the total force never returns to baseline): the
 * open stance is split with the COP, see split_*.
 */
#include "gait.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bodyweight.h"
#include "cadence.h"
#include "deck.h"
#include "gc_error.h"
#include "lowpass.h"
#include "metrics.h"
#include "side.h"
#include "stepdet.h"

#define G_STANDARD 9.80665
/* A contact longer than this is not a step (standing, or an unsplittable
 * double support).  Walking stance at 0.5 m/s is about 1 s. */
#define MAX_CONTACT_S 1.6
/* A step loads the deck with more than this above baseline: rules out a
 * hand on the rail, a shuffle or sway while standing.  (Half the body
 * weight of a 30 kg child.) */
#define MIN_STEP_PEAK_N 150.0
/* Shortest contact that is a step (running at 6 m/s: about 150 ms). */
#define MIN_CONTACT_S 0.080
/* Input time steps larger than this many sample periods are a data gap. */
#define GAP_PERIODS 3.5
/* No step for this long: mode IDLE, and the alternation run is broken. */
#define IDLE_S 2.0
#define EVQ_CAP 256u
#define CAD_HIST 9
#define RING STEPDET_HIST
#define RMASK (RING - 1u)

struct stance {
    bool open;
    struct gait_step step;
    double t_ic_raw;  /* IC in filtered-sample time (before delay correction) */
    double ic_off_s;  /* time from IC to buf[0] */
    float *buf;       /* force above baseline from the first sample after IC */
    size_t n, cap;
    struct metrics_scan_state scan;
    bool loading_sent;
    struct stance_metrics early;
    double sfx, sf;   /* COP evidence */
};

struct gait {
    struct gait_config cfg;
    struct lowpass lp_f, lp_m;
    double delay_s;
    struct stepdet det;
    struct metrics_cfg mc;
    struct side side;
    struct bodyweight bw;
    struct cadence *cad;
    /* recent filtered samples */
    float ry[RING], rx[RING];
    double rt[RING];
    uint64_t n;
    double last_t;
    bool have_last;
    float last_copx;   /* last valid COP x, held while the COP is unknown */
    bool cop_seen;
    struct stance st;
    /* bookkeeping */
    uint32_t next_index;
    double last_ic_s, last_to_s; /* of the last emitted step, corrected; NAN none */
    bool after_gap;
    struct gait_step held; /* first step waiting for its side */
    bool have_held;
    double cad_hist[CAD_HIST];
    unsigned cad_n, cad_pos;
    enum gait_mode mode;
    uint32_t steps, steps_l, steps_r;
    double last_step_t;
    /* events */
    struct gait_event q[EVQ_CAP];
    size_t qhead, qlen;
    uint64_t qdropped;
};

void gait_config_default(struct gait_config *cfg, double rate_hz)
{
    cfg->rate_hz = rate_hz;
    cfg->mass_kg = 0.0;
    /* 50 Hz: the usual cutoff for running GRF; keeps the impact transient
     * (content below ~30 Hz), removes most of the deck noise.  Capped for
     * low sample rates. */
    cfg->lowpass_hz = fmin(50.0, 0.4 * rate_hz);
    cfg->detect_n = 50.0;
    cfg->time_n = 20.0;
    cfg->cadence_window_s = 8.0;
}

static void ev_push(struct gait *g, enum gait_event_kind kind, double t_s,
                    const struct gait_step *s)
{
    if (g->qlen == EVQ_CAP) {
        /* Full: the oldest event is dropped (counted), never block. */
        g->qhead = (g->qhead + 1) % EVQ_CAP;
        g->qlen--;
        g->qdropped++;
    }
    struct gait_event *e = &g->q[(g->qhead + g->qlen) % EVQ_CAP];
    e->kind = kind;
    e->t_s = t_s;
    if (s)
        e->step = *s;
    else
        memset(&e->step, 0, sizeof e->step);
    g->qlen++;
}

static int ev_pop(struct gait *g, struct gait_event *out, size_t cap)
{
    size_t k = 0;
    while (k < cap && g->qlen) {
        out[k++] = g->q[g->qhead];
        g->qhead = (g->qhead + 1) % EVQ_CAP;
        g->qlen--;
    }
    return (int)k;
}

static void step_clear(struct gait_step *s)
{
    memset(s, 0, sizeof *s);
    s->side = GAIT_SIDE_UNKNOWN;
    s->t_ic_s = s->t_to_s = NAN;
    s->contact_ms = s->flight_ms = s->step_ms = s->cadence_spm = NAN;
    s->impact_peak_n = s->impact_peak_bw = s->t_impact_s = NAN;
    s->valr_bw_s = s->vilr_bw_s = NAN;
    s->active_peak_n = s->active_peak_bw = NAN;
}

struct gait *gait_new(const struct gait_config *cfg)
{
    if (!cfg || !(cfg->rate_hz >= 50.0 && cfg->rate_hz <= 20000.0) || !(cfg->mass_kg >= 0.0) ||
        !(cfg->time_n > 0.0) || !(cfg->detect_n > cfg->time_n) ||
        !(cfg->cadence_window_s >= 2.0 && cfg->cadence_window_s <= 60.0))
        return NULL;
    struct gait *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->cfg = *cfg;
    if (lowpass_init(&g->lp_f, cfg->lowpass_hz, cfg->rate_hz) != GC_OK ||
        lowpass_init(&g->lp_m, cfg->lowpass_hz, cfg->rate_hz) != GC_OK ||
        stepdet_init(&g->det, cfg->detect_n, cfg->time_n, cfg->rate_hz, true) != GC_OK) {
        free(g);
        return NULL;
    }
    g->delay_s = lowpass_delay_s(&g->lp_f);
    metrics_cfg_default(&g->mc, cfg->rate_hz);
    side_init(&g->side);
    bodyweight_init(&g->bw);
    if (cfg->mass_kg > 0.0)
        bodyweight_set(&g->bw, cfg->mass_kg * G_STANDARD);
    g->st.cap = (size_t)ceil(MAX_CONTACT_S * cfg->rate_hz) + 2;
    g->st.buf = malloc(g->st.cap * sizeof *g->st.buf);
    g->cad = cadence_new(cfg->rate_hz, cfg->cadence_window_s, 1.0);
    if (!g->st.buf || !g->cad) {
        gait_free(g);
        return NULL;
    }
    g->last_ic_s = g->last_to_s = NAN;
    g->last_step_t = NAN;
    g->after_gap = false;
    g->mode = GAIT_MODE_IDLE;
    return g;
}

void gait_free(struct gait *g)
{
    if (!g)
        return;
    cadence_free(g->cad);
    free(g->st.buf);
    free(g);
}

void gait_set_body_weight(struct gait *g, double body_weight_n)
{
    bodyweight_set(&g->bw, body_weight_n);
}

static double bw_div(double v, double bw)
{
    return isfinite(bw) && bw > 0.0 ? v / bw : NAN;
}

static void fill_loading(struct gait_step *s, const struct stance_metrics *m, double t_ic,
                         double bw)
{
    s->flags &= ~(GAIT_STEP_IMPACT | GAIT_STEP_LR_FALLBACK);
    if (m->impact) {
        s->flags |= GAIT_STEP_IMPACT;
        s->impact_peak_n = m->impact_n;
        s->t_impact_s = t_ic + m->t_impact_s;
    } else {
        s->impact_peak_n = s->t_impact_s = NAN;
    }
    if (m->lr_fallback)
        s->flags |= GAIT_STEP_LR_FALLBACK;
    s->impact_peak_bw = bw_div(s->impact_peak_n, bw);
    s->valr_bw_s = bw_div(m->valr_n_s, bw);
    s->vilr_bw_s = bw_div(m->vilr_n_s, bw);
}

static void update_mode_range(struct gait *g)
{
    switch (g->mode) {
    case GAIT_MODE_RUNNING:
        cadence_set_range(g->cad, 2.0, 4.2);
        break;
    case GAIT_MODE_WALKING:
        cadence_set_range(g->cad, 1.2, 2.4);
        break;
    default:
        cadence_set_range(g->cad, 0.9, 4.2);
        break;
    }
}

static void emit_step(struct gait *g, struct gait_step *s, double t_now)
{
    g->steps++;
    if (s->side == GAIT_SIDE_LEFT)
        g->steps_l++;
    else if (s->side == GAIT_SIDE_RIGHT)
        g->steps_r++;
    if (isfinite(s->cadence_spm)) {
        g->cad_hist[g->cad_pos] = s->cadence_spm;
        g->cad_pos = (g->cad_pos + 1) % CAD_HIST;
        if (g->cad_n < CAD_HIST)
            g->cad_n++;
    }
    ev_push(g, GAIT_EV_STEP, t_now, s);
}

static void stance_open(struct gait *g, double t_cross, double t_now)
{
    struct stance *st = &g->st;
    double base = stepdet_baseline(&g->det);
    st->open = true;
    st->n = 0;
    st->t_ic_raw = t_cross;
    st->loading_sent = false;
    st->sfx = st->sf = 0.0;
    metrics_scan_init(&st->scan);
    /* Samples already seen after the crossing (the look-back). */
    uint64_t j = g->n;
    uint64_t lim = g->n > RING - 1 ? g->n - (RING - 1) : 0;
    while (j > lim && g->rt[(j - 1) & RMASK] > t_cross)
        j--;
    st->ic_off_s = g->rt[j & RMASK] - t_cross;
    for (uint64_t i = j; i < g->n && st->n < st->cap; i++) {
        double f = g->ry[i & RMASK] - base;
        st->buf[st->n++] = (float)f;
        float x = g->rx[i & RMASK];
        if (isfinite(x) && f > 0.0) {
            st->sfx += f * x;
            st->sf += f;
        }
    }
    struct gait_step *s = &st->step;
    step_clear(s);
    s->index = g->next_index;
    s->t_ic_s = t_cross - g->delay_s;
    bool adjacent = !g->after_gap && isfinite(g->last_ic_s) &&
                    s->t_ic_s - g->last_ic_s <= BODYWEIGHT_MAX_STEP_S;
    if (!adjacent)
        side_break(&g->side);
    if (adjacent) {
        s->step_ms = (s->t_ic_s - g->last_ic_s) * 1000.0;
        s->cadence_spm = 60000.0 / s->step_ms;
        if (isfinite(g->last_to_s) && g->last_to_s <= s->t_ic_s)
            s->flight_ms = (s->t_ic_s - g->last_to_s) * 1000.0;
    }
    if (g->after_gap)
        s->flags |= GAIT_STEP_AFTER_GAP;
    bodyweight_ic(&g->bw, adjacent ? s->step_ms / 1000.0 : NAN);
    s->side = g->cop_seen ? side_expect(&g->side) : GAIT_SIDE_UNKNOWN;
    ev_push(g, GAIT_EV_CONTACT, t_now, s);
}

static void stance_sample(struct gait *g, double f, float x, double t_now)
{
    struct stance *st = &g->st;
    if (st->n < st->cap)
        st->buf[st->n++] = (float)f;
    if (isfinite(x) && f > 0.0) {
        st->sfx += f * x;
        st->sf += f;
    }
    if (!st->loading_sent &&
        metrics_loading_early(&g->mc, &st->scan, st->buf, st->n, st->ic_off_s, &st->early) !=
            METRICS_UNDECIDED) {
        st->loading_sent = true;
        struct gait_step *s = &st->step;
        fill_loading(s, &st->early, s->t_ic_s, bodyweight_n(&g->bw));
        ev_push(g, GAIT_EV_LOADING, t_now, s);
    }
}

static void stance_discard(struct gait *g)
{
    g->st.open = false;
}

static void stance_close(struct gait *g, double t_cross, double t_now)
{
    struct stance *st = &g->st;
    st->open = false;
    double contact_s = t_cross - st->t_ic_raw;
    struct stance_metrics m;
    metrics_stance(&g->mc, st->buf, st->n, st->ic_off_s, &m);
    if (contact_s < MIN_CONTACT_S || !(m.active_n >= MIN_STEP_PEAK_N))
        return; /* not a step: a bump, a touch; the index is reused */
    double bw = bodyweight_n(&g->bw);
    struct gait_step *s = &st->step;
    s->t_to_s = t_cross - g->delay_s;
    s->contact_ms = contact_s * 1000.0;
    fill_loading(s, &m, s->t_ic_s, bw);
    s->active_peak_n = m.active_n;
    s->active_peak_bw = bw_div(m.active_n, bw);
    double c = st->sf > 0.0 ? st->sfx / st->sf : NAN;
    enum gait_side prev = GAIT_SIDE_UNKNOWN;
    s->side = g->cop_seen ? side_decide(&g->side, c, &prev) : GAIT_SIDE_UNKNOWN;
    g->mode = GAIT_MODE_RUNNING;
    update_mode_range(g);
    g->next_index++;
    g->last_ic_s = s->t_ic_s;
    g->last_to_s = s->t_to_s;
    g->after_gap = false;
    g->last_step_t = t_now;
    if (g->have_held) {
        g->held.side = prev;
        g->have_held = false;
        emit_step(g, &g->held, t_now);
    }
    if (g->cop_seen && s->side == GAIT_SIDE_UNKNOWN && isfinite(c) && g->side.pending) {
        g->held = *s;
        g->have_held = true;
        return;
    }
    emit_step(g, s, t_now);
}

static void flush_held(struct gait *g, double t_now)
{
    if (g->have_held) {
        g->have_held = false;
        emit_step(g, &g->held, t_now);
    }
}

static void do_gap(struct gait *g, double t_resume)
{
    if (g->st.open)
        stance_discard(g);
    flush_held(g, g->last_t);
    stepdet_reset(&g->det);
    lowpass_reset(&g->lp_f);
    lowpass_reset(&g->lp_m);
    cadence_reset(g->cad);
    bodyweight_break(&g->bw);
    side_break(&g->side);
    g->after_gap = true;
    g->have_last = false;
    ev_push(g, GAIT_EV_GAP, t_resume, NULL);
}

static void one_sample(struct gait *g, const struct gait_sample *in)
{
    double t = in->t_s;
    double fz = isfinite(in->fz_n) ? in->fz_n : (g->n ? g->ry[(g->n - 1) & RMASK] : 0.0);
    float cx = in->copx_m;
    if (isfinite(cx)) {
        g->last_copx = cx;
        g->cop_seen = true;
    } else if (g->cop_seen) {
        cx = g->last_copx;
    } else {
        cx = 0.0f;
    }
    double y = lowpass_step(&g->lp_f, fz);
    double mx = lowpass_step(&g->lp_m, fz * (double)cx);
    float xf = (g->cop_seen && y >= DECK_COP_MIN_N) ? (float)(mx / y) : NAN;
    uint64_t k = g->n++;
    g->ry[k & RMASK] = (float)y;
    g->rx[k & RMASK] = xf;
    g->rt[k & RMASK] = t;
    g->last_t = t;
    g->have_last = true;
    cadence_push(g->cad, y);

    double tc = 0.0;
    int ev = stepdet_push(&g->det, t, y, &tc);
    double base = stepdet_baseline(&g->det);
    bodyweight_sample(&g->bw, y - base);
    if (ev == STEPDET_ON) {
        stance_open(g, tc, t);
    } else if (ev == STEPDET_OFF) {
        if (g->st.open)
            stance_close(g, tc, t);
    } else if (g->st.open) {
        stance_sample(g, y - base, xf, t);
        if (t - g->st.t_ic_raw > MAX_CONTACT_S || g->st.n >= g->st.cap) {
            /* Standing still (or an unsplittable double support). */
            stance_discard(g);
            stepdet_abort(&g->det);
            g->mode = GAIT_MODE_STANDING;
            side_break(&g->side);
            bodyweight_break(&g->bw);
            g->last_ic_s = NAN;
        }
    }
    if (g->mode != GAIT_MODE_STANDING && g->mode != GAIT_MODE_IDLE && isfinite(g->last_step_t) &&
        t - g->last_step_t > IDLE_S && !g->st.open) {
        g->mode = GAIT_MODE_IDLE;
        update_mode_range(g);
    }
}

int gait_process(struct gait *g, const struct gait_sample *in, size_t n, struct gait_event *out,
                 size_t cap)
{
    if (!g || (n && !in) || (cap && !out))
        return GC_ERR_ARG;
    double period = 1.0 / g->cfg.rate_hz;
    for (size_t i = 0; i < n; i++) {
        double t = in[i].t_s;
        if (!isfinite(t) || (g->have_last && !(t > g->last_t)))
            return GC_ERR_ARG;
        if (g->have_last && t - g->last_t > GAP_PERIODS * period)
            do_gap(g, t);
        one_sample(g, &in[i]);
    }
    return ev_pop(g, out, cap);
}

int gait_mark_gap(struct gait *g, double t_resume_s, struct gait_event *out, size_t cap)
{
    if (!g || (cap && !out))
        return GC_ERR_ARG;
    do_gap(g, t_resume_s);
    return ev_pop(g, out, cap);
}

int gait_flush(struct gait *g, struct gait_event *out, size_t cap)
{
    if (!g || (cap && !out))
        return GC_ERR_ARG;
    /* An open contact has no toe-off: it is not a complete step. */
    if (g->st.open)
        stance_discard(g);
    flush_held(g, g->last_t);
    cadence_flush(g->cad);
    return ev_pop(g, out, cap);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void gait_get_status(const struct gait *g, struct gait_status *st)
{
    memset(st, 0, sizeof *st);
    st->mode = g->mode;
    st->in_contact = g->st.open;
    st->body_weight_n = bodyweight_n(&g->bw);
    st->baseline_n = stepdet_baseline(&g->det);
    double tmp[CAD_HIST];
    memcpy(tmp, g->cad_hist, sizeof tmp);
    if (g->cad_n) {
        qsort(tmp, g->cad_n, sizeof tmp[0], cmp_double);
        st->cadence_step_spm = (g->cad_n & 1u)
                                   ? tmp[g->cad_n / 2]
                                   : 0.5 * (tmp[g->cad_n / 2 - 1] + tmp[g->cad_n / 2]);
    } else {
        st->cadence_step_spm = NAN;
    }
    st->cadence_spectral_spm = cadence_spm(g->cad);
    st->cadence_agreement = fabs(st->cadence_step_spm - st->cadence_spectral_spm);
    st->steps = g->steps;
    st->steps_left = g->steps_l;
    st->steps_right = g->steps_r;
    st->t_last_s = g->last_t;
}
