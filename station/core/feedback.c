/*
 * feedback.c - the feedback policy (see feedback.h, docs/feedback.md).
 *
 * Cadence is measured two ways, for two jobs:
 *   - the big number and the band state use 60000 / median of the last
 *     cadence_steps step times: a missed or split contact moves one step
 *     time, not the median;
 *   - each step in the ticker and in the in-band score uses its stride
 *     cadence, 120000 / (this step + previous step), which cancels the
 *     left/right step-time asymmetry most runners have (a 4 % asymmetry
 *     would otherwise flip every other step out of a +-2.5 % band).
 */
#include "feedback.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gc_error.h"
#include "ranges.h"
#include "stats.h"

#define FEEDBACK_MAX_CADENCE_STEPS 64
/* 4096 steps: a 10 min baseline at 200 steps/min still fits. */
#define FEEDBACK_BASELINE_CAP 4096

static enum feedback_interval interval_at(const struct feedback *fb, unsigned *rep, double *left_s);

struct feedback {
    struct feedback_config cfg;
    double t_start_s, t_now_s, phase_start_s;
    enum feedback_phase phase;
    bool muted;
    bool walk; /* the session says: a walk (feedback_apply_settings) */

    /* cadence window (ring of step times, ms) */
    double step_ms[FEEDBACK_MAX_CADENCE_STEPS];
    unsigned step_n, step_head;
    double prev_step_ms; /* previous final step time, NAN after a step without one */
    double last_ic_s;    /* last initial contact, NAN after a gap */
    double cadence_spm;
    enum feedback_band band;

    /* baseline collection */
    double *base_step_ms, *base_valr;
    unsigned base_step_n, base_valr_n;
    double baseline_spm, baseline_valr;

    /* loading */
    double last_valr, last_impact_bw;
    bool last_hard;
    uint32_t cued_index; /* last step index given a hard-landing cue */
    bool cued_any;

    /* scores */
    uint32_t steps_total, steps_scored, steps_in_band, steps_hard, steps_loaded;
    unsigned good_streak;

    /* interval change detection */
    enum feedback_interval last_interval;
    unsigned last_rep;

    struct feedback_strike ticker[FEEDBACK_TICKER_LEN];
    unsigned ticker_head, ticker_n; /* ring: head = next slot */
};

void feedback_config_default(struct feedback_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->start_phase = FEEDBACK_PHASE_BASELINE;
    cfg->baseline_s = 120.0;
    cfg->baseline_min_steps = 20;
    cfg->target_relative = true;
    cfg->target_cadence_spm = 170.0;
    cfg->target_rel_pct = 7.5;
    cfg->band_pct = 2.5;
    cfg->band_hyst_pct = 0.5;
    cfg->cadence_steps = 8;
    cfg->loading_relative = false;
    cfg->loading_ceiling_bw_s = 66.0;
    cfg->loading_rel_pct = -20.0;
    cfg->impact_ceiling_bw = NAN;
    cfg->mode = FEEDBACK_MODE_CONTINUOUS;
    cfg->fade_start_share = 1.0;
    cfg->fade_end_share = 0.2;
    cfg->fade_duration_s = 600.0;
    cfg->fade_cycle_s = 30.0;
    cfg->metronome = true;
    cfg->good_step_cue = false;
    cfg->good_step_every = 10;
    cfg->interval_run_s = 0.0;
    cfg->interval_walk_s = 0.0;
    cfg->interval_reps = 0;
}

static bool in_range(double x, double lo, double hi)
{
    return isfinite(x) && x >= lo && x <= hi;
}

int feedback_config_check(const struct feedback_config *cfg, struct gc_diag *diag)
{
    const char *w = NULL;
    if (cfg->start_phase > FEEDBACK_PHASE_RETENTION)
        w = "unknown start phase";
    else if (!in_range(cfg->baseline_s, 0, 3600))
        w = "baseline_s must be 0..3600";
    else if (!cfg->target_relative &&
             !in_range(cfg->target_cadence_spm, RANGE_CADENCE_MIN_SPM, RANGE_CADENCE_MAX_SPM))
        w = "target cadence must be " RANGE_CADENCE_TEXT;
    else if (cfg->target_relative &&
             !in_range(cfg->target_rel_pct, RANGE_CADENCE_REL_MIN_PCT, RANGE_CADENCE_REL_MAX_PCT))
        w = "relative target must be " RANGE_CADENCE_REL_TEXT;
    else if (!in_range(cfg->band_pct, RANGE_BAND_MIN_PCT, RANGE_BAND_MAX_PCT) ||
             !in_range(cfg->band_hyst_pct, 0, 5))
        w = "band must be " RANGE_BAND_TEXT " (hysteresis 0..5 %)";
    else if (cfg->cadence_steps < 1 || cfg->cadence_steps > FEEDBACK_MAX_CADENCE_STEPS)
        w = "cadence_steps must be 1..64";
    else if (!cfg->loading_relative &&
             !in_range(cfg->loading_ceiling_bw_s, RANGE_VALR_CEILING_MIN_BW_S,
                       RANGE_VALR_CEILING_MAX_BW_S))
        w = "VALR ceiling must be " RANGE_VALR_CEILING_TEXT;
    else if (cfg->loading_relative && !in_range(cfg->loading_rel_pct, -80, 100))
        w = "relative VALR ceiling must be -80..+100 %";
    else if (!isnan(cfg->impact_ceiling_bw) &&
             !in_range(cfg->impact_ceiling_bw, RANGE_IMPACT_CEILING_MIN_BW,
                       RANGE_IMPACT_CEILING_MAX_BW))
        w = "impact ceiling must be " RANGE_IMPACT_CEILING_TEXT;
    else if (cfg->mode > FEEDBACK_MODE_OFF)
        w = "unknown mode";
    else if (!in_range(cfg->fade_start_share, 0, 1) || !in_range(cfg->fade_end_share, 0, 1))
        w = "fade shares must be 0..1";
    else if (!in_range(cfg->fade_duration_s, 0, 36000) || !in_range(cfg->fade_cycle_s, 1, 600))
        w = "fade duration 0..36000 s, cycle 1..600 s";
    else if (cfg->good_step_every < 1)
        w = "good_step_every must be >= 1";
    else if (!in_range(cfg->interval_run_s, 0, 3600) || !in_range(cfg->interval_walk_s, 0, 3600))
        w = "intervals must be 0..3600 s";
    if (w)
        return gc_fail(diag, GC_ERR_ARG, "%s", w);
    gc_diag_clear(diag);
    return GC_OK;
}

struct feedback *feedback_new(const struct feedback_config *cfg)
{
    if (feedback_config_check(cfg, NULL) != GC_OK)
        return NULL;
    struct feedback *fb = calloc(1, sizeof *fb);
    if (!fb)
        return NULL;
    fb->base_step_ms = calloc(FEEDBACK_BASELINE_CAP, sizeof(double));
    fb->base_valr = calloc(FEEDBACK_BASELINE_CAP, sizeof(double));
    if (!fb->base_step_ms || !fb->base_valr) {
        feedback_free(fb);
        return NULL;
    }
    fb->cfg = *cfg;
    fb->baseline_spm = NAN;
    fb->baseline_valr = NAN;
    feedback_start(fb, 0.0);
    return fb;
}

void feedback_free(struct feedback *fb)
{
    if (!fb)
        return;
    free(fb->base_step_ms);
    free(fb->base_valr);
    free(fb);
}

void feedback_start(struct feedback *fb, double t_s)
{
    fb->t_start_s = fb->t_now_s = fb->phase_start_s = t_s;
    fb->phase = fb->cfg.start_phase;
    fb->step_n = fb->step_head = 0;
    fb->prev_step_ms = NAN;
    fb->last_ic_s = NAN;
    fb->cadence_spm = NAN;
    fb->band = FEEDBACK_BAND_UNKNOWN;
    fb->base_step_n = fb->base_valr_n = 0;
    fb->last_valr = fb->last_impact_bw = NAN;
    fb->last_hard = false;
    fb->cued_any = false;
    fb->steps_total = fb->steps_scored = fb->steps_in_band = 0;
    fb->steps_hard = fb->steps_loaded = 0;
    fb->good_streak = 0;
    fb->ticker_head = fb->ticker_n = 0;
    /* the interval program's first segment starts with the session: no cue */
    double left;
    fb->last_interval = interval_at(fb, &fb->last_rep, &left);
}

/* ---- derived quantities ------------------------------------------------ */

static double target_spm(const struct feedback *fb)
{
    if (!fb->cfg.target_relative)
        return fb->cfg.target_cadence_spm;
    if (!isfinite(fb->baseline_spm))
        return NAN;
    return fb->baseline_spm * (1.0 + fb->cfg.target_rel_pct / 100.0);
}

static double loading_ceiling(const struct feedback *fb)
{
    if (!fb->cfg.loading_relative)
        return fb->cfg.loading_ceiling_bw_s;
    if (!isfinite(fb->baseline_valr))
        return NAN;
    return fb->baseline_valr * (1.0 + fb->cfg.loading_rel_pct / 100.0);
}

/* Plain classification of a cadence against the band (no hysteresis). */
static enum feedback_band classify(const struct feedback *fb, double spm)
{
    double t = target_spm(fb);
    if (!isfinite(t) || !isfinite(spm))
        return FEEDBACK_BAND_UNKNOWN;
    double half = t * fb->cfg.band_pct / 100.0;
    if (spm < t - half)
        return FEEDBACK_BAND_LOW;
    if (spm > t + half)
        return FEEDBACK_BAND_HIGH;
    return FEEDBACK_BAND_IN;
}

/* Band state of the smoothed cadence: enter at the band edge, leave only
 * band_hyst_pct beyond it, so noise on the edge does not flicker. */
static void update_band(struct feedback *fb)
{
    enum feedback_band plain = classify(fb, fb->cadence_spm);
    if (fb->band == FEEDBACK_BAND_IN && plain != FEEDBACK_BAND_IN &&
        plain != FEEDBACK_BAND_UNKNOWN) {
        double t = target_spm(fb);
        double half = t * (fb->cfg.band_pct + fb->cfg.band_hyst_pct) / 100.0;
        if (fabs(fb->cadence_spm - t) <= half)
            return; /* still inside the hysteresis margin */
    }
    fb->band = plain;
}

static double training_s(const struct feedback *fb)
{
    return fb->phase == FEEDBACK_PHASE_TRAINING ? fb->t_now_s - fb->phase_start_s : NAN;
}

double feedback_fade_share(const struct feedback_config *cfg, double tr_s)
{
    if (!(tr_s >= 0))
        tr_s = 0;
    double cycle_start = floor(tr_s / cfg->fade_cycle_s) * cfg->fade_cycle_s;
    double frac = cfg->fade_duration_s > 0 ? fmin(1.0, cycle_start / cfg->fade_duration_s) : 1.0;
    return cfg->fade_start_share + (cfg->fade_end_share - cfg->fade_start_share) * frac;
}

/* Faded mode: is the current moment in the 'on' part of its cycle?  Also
 * gives the seconds to the next switch. */
static bool fade_on(const struct feedback *fb, double *next_s)
{
    double tr = training_s(fb);
    if (!(tr >= 0)) {
        *next_s = NAN;
        return false;
    }
    double cyc = fb->cfg.fade_cycle_s;
    double within = tr - floor(tr / cyc) * cyc;
    double on_len = feedback_fade_share(&fb->cfg, tr) * cyc;
    if (within < on_len) {
        *next_s = on_len - within;
        return true;
    }
    *next_s = cyc - within;
    return false;
}

static enum feedback_interval interval_at(const struct feedback *fb, unsigned *rep, double *left_s)
{
    const struct feedback_config *c = &fb->cfg;
    *rep = 0;
    *left_s = NAN;
    if (c->interval_run_s <= 0 || c->interval_reps == 0)
        return FEEDBACK_INTERVAL_NONE;
    double tr = training_s(fb);
    if (!(tr >= 0))
        return FEEDBACK_INTERVAL_NONE;
    double cycle = c->interval_run_s + c->interval_walk_s;
    double k = floor(tr / cycle);
    if (k >= c->interval_reps) {
        *rep = c->interval_reps;
        return FEEDBACK_INTERVAL_DONE;
    }
    double within = tr - k * cycle;
    *rep = (unsigned)k + 1;
    if (within < c->interval_run_s) {
        *left_s = c->interval_run_s - within;
        return FEEDBACK_INTERVAL_RUN;
    }
    *left_s = cycle - within;
    return FEEDBACK_INTERVAL_WALK;
}

/* Feedback is given at this moment (mode, phase, fade cycle). */
static bool feedback_active(const struct feedback *fb)
{
    if (fb->phase != FEEDBACK_PHASE_TRAINING || fb->cfg.mode == FEEDBACK_MODE_OFF)
        return false;
    if (fb->cfg.mode == FEEDBACK_MODE_FADED) {
        double next;
        return fade_on(fb, &next);
    }
    return true;
}

static bool walking_interval(const struct feedback *fb)
{
    if (fb->walk)
        return true;
    unsigned rep;
    double left;
    return interval_at(fb, &rep, &left) == FEEDBACK_INTERVAL_WALK;
}

/* ---- ticker --------------------------------------------------------------- */

static struct feedback_strike *ticker_find(struct feedback *fb, uint32_t index)
{
    for (unsigned i = 0; i < fb->ticker_n; i++) {
        unsigned slot = (fb->ticker_head + FEEDBACK_TICKER_LEN - 1 - i) % FEEDBACK_TICKER_LEN;
        if (fb->ticker[slot].index == index)
            return &fb->ticker[slot];
    }
    return NULL;
}

static struct feedback_strike *ticker_get(struct feedback *fb, const struct gait_step *s)
{
    struct feedback_strike *k = ticker_find(fb, s->index);
    if (k)
        return k;
    k = &fb->ticker[fb->ticker_head];
    fb->ticker_head = (fb->ticker_head + 1) % FEEDBACK_TICKER_LEN;
    if (fb->ticker_n < FEEDBACK_TICKER_LEN)
        fb->ticker_n++;
    memset(k, 0, sizeof *k);
    k->index = s->index;
    k->side = '?';
    k->band = FEEDBACK_BAND_UNKNOWN;
    k->cadence_spm = NAN;
    k->valr_bw_s = NAN;
    return k;
}

static char side_char(enum gait_side s)
{
    return s == GAIT_SIDE_LEFT ? 'L' : s == GAIT_SIDE_RIGHT ? 'R' : '?';
}

static double stride_cadence(double step_ms, double prev_ms)
{
    if (!(step_ms > 0))
        return NAN;
    double stride = (prev_ms > 0) ? 0.5 * (step_ms + prev_ms) : step_ms;
    return 60000.0 / stride;
}

static bool is_hard(const struct feedback *fb, const struct gait_step *s)
{
    double ceil_valr = loading_ceiling(fb);
    if (isfinite(s->valr_bw_s) && isfinite(ceil_valr) && s->valr_bw_s > ceil_valr)
        return true;
    double ceil_imp = fb->cfg.impact_ceiling_bw;
    return isfinite(s->impact_peak_bw) && isfinite(ceil_imp) && s->impact_peak_bw > ceil_imp;
}

static unsigned audible(const struct feedback *fb, unsigned cues)
{
    return fb->muted ? 0u : cues;
}

/* ---- events --------------------------------------------------------------- */

static void on_contact(struct feedback *fb, const struct gait_event *ev)
{
    const struct gait_step *s = &ev->step;
    struct feedback_strike *k = ticker_get(fb, s);
    if (!k->final) {
        k->side = side_char(s->side);
        /* provisional: this IC against the last one */
        if (isfinite(fb->last_ic_s) && s->t_ic_s > fb->last_ic_s) {
            k->cadence_spm = stride_cadence((s->t_ic_s - fb->last_ic_s) * 1000.0, fb->prev_step_ms);
            k->band = (uint8_t)classify(fb, k->cadence_spm);
        }
        k->walk = (s->flags & GAIT_STEP_WALK) != 0;
    }
    fb->last_ic_s = s->t_ic_s;
}

static unsigned on_loading(struct feedback *fb, const struct gait_event *ev)
{
    const struct gait_step *s = &ev->step;
    struct feedback_strike *k = ticker_get(fb, s);
    bool hard = is_hard(fb, s);
    k->hard = hard;
    k->valr_bw_s = s->valr_bw_s;
    fb->last_valr = s->valr_bw_s;
    fb->last_impact_bw = s->impact_peak_bw;
    fb->last_hard = hard;
    if (!hard || !feedback_active(fb))
        return 0;
    if (fb->cued_any && fb->cued_index == s->index)
        return 0;
    fb->cued_any = true;
    fb->cued_index = s->index;
    return FEEDBACK_CUE_HARD_LANDING;
}

static void push_cadence(struct feedback *fb, double step_ms)
{
    unsigned cap = fb->cfg.cadence_steps;
    fb->step_ms[fb->step_head] = step_ms;
    fb->step_head = (fb->step_head + 1) % cap;
    if (fb->step_n < cap)
        fb->step_n++;
    double tmp[FEEDBACK_MAX_CADENCE_STEPS];
    memcpy(tmp, fb->step_ms, fb->step_n * sizeof tmp[0]);
    fb->cadence_spm = fb->step_n >= cap ? 60000.0 / stats_median_small(tmp, fb->step_n) : NAN;
    update_band(fb);
}

static unsigned on_step(struct feedback *fb, const struct gait_event *ev)
{
    const struct gait_step *s = &ev->step;
    unsigned cues = 0;
    struct feedback_strike *k = ticker_get(fb, s);
    bool walk = (s->flags & GAIT_STEP_WALK) != 0;
    bool gap = (s->flags & GAIT_STEP_AFTER_GAP) != 0;
    double step_ms = gap ? NAN : s->step_ms;
    bool hard = is_hard(fb, s);

    fb->steps_total++;
    k->final = true;
    k->side = side_char(s->side);
    k->walk = walk;
    k->hard = hard;
    k->valr_bw_s = s->valr_bw_s;
    k->cadence_spm = stride_cadence(step_ms, fb->prev_step_ms);
    k->band = (uint8_t)classify(fb, k->cadence_spm);
    if (walking_interval(fb))
        k->band = FEEDBACK_BAND_PAUSED;
    if (isnan(fb->last_ic_s) || s->t_ic_s > fb->last_ic_s)
        fb->last_ic_s = s->t_ic_s; /* a STEP without its CONTACT event */
    fb->prev_step_ms = step_ms > 0 ? step_ms : NAN;
    if (step_ms > 0)
        push_cadence(fb, step_ms);

    if (fb->phase == FEEDBACK_PHASE_BASELINE && !walk) {
        if (step_ms > 0 && fb->base_step_n < FEEDBACK_BASELINE_CAP)
            fb->base_step_ms[fb->base_step_n++] = step_ms;
        if (isfinite(s->valr_bw_s) && fb->base_valr_n < FEEDBACK_BASELINE_CAP)
            fb->base_valr[fb->base_valr_n++] = s->valr_bw_s;
    }

    if (fb->phase == FEEDBACK_PHASE_TRAINING && !walk && !walking_interval(fb)) {
        if (isfinite(s->valr_bw_s) || isfinite(s->impact_peak_bw)) {
            fb->steps_loaded++;
            if (hard)
                fb->steps_hard++;
        }
        if (k->band != FEEDBACK_BAND_UNKNOWN) {
            fb->steps_scored++;
            if (k->band == FEEDBACK_BAND_IN)
                fb->steps_in_band++;
        }
        bool good = k->band == FEEDBACK_BAND_IN && !hard;
        fb->good_streak = good ? fb->good_streak + 1 : 0;
        if (fb->cfg.good_step_cue && fb->cfg.mode != FEEDBACK_MODE_BANDWIDTH &&
            feedback_active(fb) && fb->good_streak >= fb->cfg.good_step_every) {
            cues |= FEEDBACK_CUE_GOOD_STEP;
            fb->good_streak = 0;
        }
    }
    return cues;
}

unsigned feedback_on_event(struct feedback *fb, const struct gait_event *ev)
{
    if (ev->t_s > fb->t_now_s)
        fb->t_now_s = ev->t_s;
    switch (ev->kind) {
    case GAIT_EV_CONTACT:
        on_contact(fb, ev);
        return 0;
    case GAIT_EV_LOADING:
        return audible(fb, on_loading(fb, ev));
    case GAIT_EV_STEP:
        return audible(fb, on_step(fb, ev));
    case GAIT_EV_GAP:
        /* A contact may have been lost in the gap, so the next contact's
         * provisional interval (from last_ic_s) is unknown.  The previous
         * step time stays: the analysis keeps step_ms across a short gap
         * only when both contacts were observed, and gives NAN otherwise
         * (gait.h), which stride_cadence turns into "unknown". */
        fb->last_ic_s = NAN;
        return 0;
    }
    return 0;
}

/* ---- time and phases ------------------------------------------------------ */

static void fix_baseline(struct feedback *fb)
{
    if (fb->base_step_n >= fb->cfg.baseline_min_steps && fb->base_step_n > 0)
        fb->baseline_spm = 60000.0 / stats_median_inplace(fb->base_step_ms, fb->base_step_n);
    if (fb->base_valr_n >= fb->cfg.baseline_min_steps && fb->base_valr_n > 0)
        fb->baseline_valr = stats_median_inplace(fb->base_valr, fb->base_valr_n);
}

unsigned feedback_set_phase(struct feedback *fb, enum feedback_phase phase, double t_s)
{
    if (t_s > fb->t_now_s)
        fb->t_now_s = t_s;
    if (phase > FEEDBACK_PHASE_RETENTION || phase == fb->phase)
        return 0;
    if (fb->phase == FEEDBACK_PHASE_BASELINE)
        fix_baseline(fb);
    if (phase == FEEDBACK_PHASE_BASELINE)
        fb->base_step_n = fb->base_valr_n = 0;
    fb->phase = phase;
    fb->phase_start_s = fb->t_now_s;
    fb->good_streak = 0;
    fb->last_interval = FEEDBACK_INTERVAL_NONE;
    fb->last_rep = 0;
    update_band(fb);
    unsigned rep;
    double left;
    fb->last_interval = interval_at(fb, &rep, &left);
    fb->last_rep = rep;
    return audible(fb, FEEDBACK_CUE_PHASE_CHANGE);
}

unsigned feedback_tick(struct feedback *fb, double t_s)
{
    unsigned cues = 0;
    if (t_s > fb->t_now_s)
        fb->t_now_s = t_s;
    if (fb->phase == FEEDBACK_PHASE_BASELINE && fb->cfg.baseline_s > 0 &&
        fb->t_now_s - fb->phase_start_s >= fb->cfg.baseline_s &&
        fb->base_step_n >= fb->cfg.baseline_min_steps)
        cues |= feedback_set_phase(fb, FEEDBACK_PHASE_TRAINING, fb->t_now_s);
    unsigned rep;
    double left;
    enum feedback_interval iv = interval_at(fb, &rep, &left);
    if (iv != fb->last_interval || rep != fb->last_rep) {
        if (fb->last_interval != FEEDBACK_INTERVAL_NONE || iv != FEEDBACK_INTERVAL_NONE)
            cues |= audible(fb, FEEDBACK_CUE_PHASE_CHANGE);
        fb->last_interval = iv;
        fb->last_rep = rep;
    }
    return cues;
}

void feedback_get_view(const struct feedback *fb, struct feedback_view *v)
{
    const struct feedback_config *c = &fb->cfg;
    memset(v, 0, sizeof *v);
    v->t_s = fb->t_now_s;
    v->session_s = fb->t_now_s - fb->t_start_s;
    v->phase = fb->phase;
    v->phase_s = fb->t_now_s - fb->phase_start_s;
    v->mode = c->mode;
    v->feedback_on = feedback_active(fb);
    v->muted = fb->muted;

    v->target_relative = c->target_relative;
    v->target_rel_pct = c->target_rel_pct;
    v->target_spm = target_spm(fb);
    v->band_pct = c->band_pct;
    v->band_lo_spm = v->target_spm * (1.0 - c->band_pct / 100.0);
    v->band_hi_spm = v->target_spm * (1.0 + c->band_pct / 100.0);
    v->cadence_spm = fb->cadence_spm;
    v->baseline_spm = fb->baseline_spm;
    v->baseline_valr_bw_s = fb->baseline_valr;
    v->baseline_steps = fb->phase == FEEDBACK_PHASE_BASELINE ? fb->base_step_n : 0;

    v->interval = interval_at(fb, &v->interval_rep, &v->interval_left_s);
    v->interval_reps = c->interval_reps;
    v->interval_run_s = c->interval_run_s;
    v->interval_walk_s = c->interval_walk_s;
    bool walk = walking_interval(fb);
    v->band = walk ? FEEDBACK_BAND_PAUSED : fb->band;

    bool cadence_fb = v->feedback_on && !walk && isfinite(v->target_spm);
    v->metronome_spm = isfinite(v->target_spm) ? v->target_spm : 0.0;
    v->metronome_on = c->metronome && !fb->muted && cadence_fb &&
                      (c->mode != FEEDBACK_MODE_BANDWIDTH || fb->band != FEEDBACK_BAND_IN);

    v->loading_ceiling_bw_s = loading_ceiling(fb);
    v->impact_ceiling_bw = c->impact_ceiling_bw;
    v->last_valr_bw_s = fb->last_valr;
    v->last_impact_bw = fb->last_impact_bw;
    v->last_hard = fb->last_hard;

    v->steps_total = fb->steps_total;
    v->steps_scored = fb->steps_scored;
    v->steps_in_band = fb->steps_in_band;
    v->steps_hard = fb->steps_hard;
    v->steps_loaded = fb->steps_loaded;
    v->share_in_band =
        fb->steps_scored ? (double)fb->steps_in_band / (double)fb->steps_scored : NAN;

    v->fade_start_share = c->fade_start_share;
    v->fade_end_share = c->fade_end_share;
    v->fade_duration_s = c->fade_duration_s;
    v->fade_cycle_s = c->fade_cycle_s;
    v->fade_share_now = 1.0;
    v->fade_next_s = NAN;
    if (c->mode == FEEDBACK_MODE_FADED && fb->phase == FEEDBACK_PHASE_TRAINING) {
        v->fade_share_now = feedback_fade_share(c, training_s(fb));
        fade_on(fb, &v->fade_next_s);
    }
    v->good_step_cue = c->good_step_cue;
    v->good_step_every = c->good_step_every;

    v->ticker_n = fb->ticker_n;
    for (unsigned i = 0; i < fb->ticker_n; i++) {
        unsigned slot =
            (fb->ticker_head + FEEDBACK_TICKER_LEN - fb->ticker_n + i) % FEEDBACK_TICKER_LEN;
        v->ticker[i] = fb->ticker[slot];
    }
}

/* ---- the session's settings ------------------------------------------------ */

static bool in_01(double x)
{
    return isfinite(x) && x >= 0 && x <= 1;
}

unsigned feedback_apply_settings(struct feedback *fb, const struct feedback_settings *s,
                                 double t_s)
{
    struct feedback_config *c = &fb->cfg;
    c->baseline_s = 0; /* the session ends baselines, not a timer */
    c->target_relative = false;
    c->target_cadence_spm =
        in_range(s->target_spm, RANGE_CADENCE_MIN_SPM, RANGE_CADENCE_MAX_SPM) ? s->target_spm : NAN;
    if (in_range(s->band_pct, 0.1, 50))
        c->band_pct = s->band_pct;
    c->loading_relative = false;
    c->loading_ceiling_bw_s =
        in_range(s->loading_ceiling_bw_s, 1, 1000) ? s->loading_ceiling_bw_s : NAN;
    c->mode = s->mode <= FEEDBACK_MODE_OFF ? s->mode : FEEDBACK_MODE_OFF;
    if (in_01(s->fade_start_share) && in_01(s->fade_end_share) &&
        in_range(s->fade_duration_s, 0, 36000)) {
        c->fade_start_share = s->fade_start_share;
        c->fade_end_share = s->fade_end_share;
        c->fade_duration_s = s->fade_duration_s;
    }
    c->interval_run_s = c->interval_walk_s = 0;
    c->interval_reps = 0;
    fb->walk = s->walk;
    fb->band = FEEDBACK_BAND_UNKNOWN; /* new band: classify afresh */
    update_band(fb);
    unsigned cues = feedback_set_phase(fb, s->phase, t_s);
    if (s->walk || cues) {
        /* a new phase or a walk starts its own fade and good-step streak */
        fb->phase_start_s = fb->t_now_s;
        fb->good_streak = 0;
    }
    return cues;
}

/* ---- therapist controls ----------------------------------------------------- */

int feedback_set_target_abs(struct feedback *fb, double spm)
{
    if (!in_range(spm, RANGE_CADENCE_MIN_SPM, RANGE_CADENCE_MAX_SPM))
        return GC_ERR_ARG;
    fb->cfg.target_relative = false;
    fb->cfg.target_cadence_spm = spm;
    fb->band = FEEDBACK_BAND_UNKNOWN; /* new band: classify afresh */
    update_band(fb);
    return GC_OK;
}

int feedback_set_target_rel(struct feedback *fb, double pct)
{
    if (!in_range(pct, RANGE_CADENCE_REL_MIN_PCT, RANGE_CADENCE_REL_MAX_PCT))
        return GC_ERR_ARG;
    fb->cfg.target_relative = true;
    fb->cfg.target_rel_pct = pct;
    fb->band = FEEDBACK_BAND_UNKNOWN;
    update_band(fb);
    return GC_OK;
}

int feedback_set_band(struct feedback *fb, double pct)
{
    if (!in_range(pct, RANGE_BAND_MIN_PCT, RANGE_BAND_MAX_PCT))
        return GC_ERR_ARG;
    fb->cfg.band_pct = pct;
    fb->band = FEEDBACK_BAND_UNKNOWN;
    update_band(fb);
    return GC_OK;
}

int feedback_set_loading_ceiling(struct feedback *fb, double bw_s)
{
    if (!in_range(bw_s, RANGE_VALR_CEILING_MIN_BW_S, RANGE_VALR_CEILING_MAX_BW_S))
        return GC_ERR_ARG;
    fb->cfg.loading_relative = false;
    fb->cfg.loading_ceiling_bw_s = bw_s;
    return GC_OK;
}

int feedback_set_impact_ceiling(struct feedback *fb, double bw)
{
    if (!isnan(bw) && !in_range(bw, RANGE_IMPACT_CEILING_MIN_BW, RANGE_IMPACT_CEILING_MAX_BW))
        return GC_ERR_ARG;
    fb->cfg.impact_ceiling_bw = bw;
    return GC_OK;
}

int feedback_set_mode(struct feedback *fb, enum feedback_mode mode)
{
    if (mode > FEEDBACK_MODE_OFF)
        return GC_ERR_ARG;
    fb->cfg.mode = mode;
    return GC_OK;
}

void feedback_set_mute(struct feedback *fb, bool muted)
{
    fb->muted = muted;
}

void feedback_set_metronome(struct feedback *fb, bool on)
{
    fb->cfg.metronome = on;
}

int feedback_set_good_step(struct feedback *fb, bool on, unsigned every)
{
    if (every < 1 || every > 1000)
        return GC_ERR_ARG;
    fb->cfg.good_step_cue = on;
    fb->cfg.good_step_every = every;
    fb->good_streak = 0;
    return GC_OK;
}

int feedback_set_intervals(struct feedback *fb, double run_s, double walk_s, unsigned reps)
{
    if (!in_range(run_s, 0, 3600) || !in_range(walk_s, 0, 3600) || reps > 100)
        return GC_ERR_ARG;
    fb->cfg.interval_run_s = run_s;
    fb->cfg.interval_walk_s = walk_s;
    fb->cfg.interval_reps = reps;
    return GC_OK;
}

int feedback_set_baseline(struct feedback *fb, double spm)
{
    if (!in_range(spm, RANGE_CADENCE_MIN_SPM, RANGE_CADENCE_MAX_SPM))
        return GC_ERR_ARG;
    fb->baseline_spm = spm;
    fb->band = FEEDBACK_BAND_UNKNOWN;
    update_band(fb);
    return GC_OK;
}

/* ---- names ---------------------------------------------------------------- */

static const char *const mode_names[] = {"continuous", "bandwidth", "faded", "off"};
static const char *const phase_names[] = {"baseline", "training", "retention"};

const char *feedback_mode_name(enum feedback_mode mode)
{
    return mode <= FEEDBACK_MODE_OFF ? mode_names[mode] : "?";
}

const char *feedback_phase_name(enum feedback_phase phase)
{
    return phase <= FEEDBACK_PHASE_RETENTION ? phase_names[phase] : "?";
}

const char *feedback_band_name(enum feedback_band band)
{
    static const char *const names[] = {"unknown", "in", "low", "high", "paused"};
    return band <= FEEDBACK_BAND_PAUSED ? names[band] : "?";
}

int feedback_mode_parse(const char *s, enum feedback_mode *out)
{
    for (unsigned i = 0; i <= FEEDBACK_MODE_OFF; i++)
        if (!strcmp(s, mode_names[i])) {
            *out = (enum feedback_mode)i;
            return GC_OK;
        }
    return GC_ERR_ARG;
}

int feedback_phase_parse(const char *s, enum feedback_phase *out)
{
    for (unsigned i = 0; i <= FEEDBACK_PHASE_RETENTION; i++)
        if (!strcmp(s, phase_names[i])) {
            *out = (enum feedback_phase)i;
            return GC_OK;
        }
    return GC_ERR_ARG;
}
