/* session.c - pure session model: phases on sensor time, baseline, aggregates. */
#include "session.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gc_error.h"
#include "ranges.h"

/* ---- aggregates ---------------------------------------------------- */

void session_acc_init(struct session_acc *a)
{
    memset(a, 0, sizeof *a);
    a->t_first_s = NAN;
    a->t_last_s = NAN;
}

static void add_if(double v, double *sum, size_t *n)
{
    if (isfinite(v)) {
        *sum += v;
        (*n)++;
    }
}

void session_acc_add(struct session_acc *a, const struct session_step *s)
{
    const struct gait_step *g = &s->step;
    a->n++;
    if (isfinite(g->t_ic_s)) {
        if (!(a->t_first_s <= g->t_ic_s))
            a->t_first_s = g->t_ic_s;
        if (!(a->t_last_s >= g->t_ic_s))
            a->t_last_s = g->t_ic_s;
    }
    /* A step time over 2 s is a pause, not a step (the slowest walking
     * cadence we handle is 60 spm): keep it out of the cadence. */
    if (isfinite(g->step_ms) && g->step_ms > 0 && g->step_ms <= 2000.0)
        add_if(g->step_ms, &a->sum_step_ms, &a->n_step);
    add_if(g->contact_ms, &a->sum_contact_ms, &a->n_contact);
    add_if(g->impact_peak_bw, &a->sum_impact_bw, &a->n_impact);
    add_if(g->valr_bw_s, &a->sum_valr, &a->n_valr);
    add_if(g->vilr_bw_s, &a->sum_vilr, &a->n_vilr);
    add_if(g->active_peak_bw, &a->sum_active_bw, &a->n_active);
    if (isfinite(g->valr_bw_s) && g->valr_bw_s > SESSION_VALR_RISK_BW_S)
        a->n_risk++;
    if (g->side == GAIT_SIDE_LEFT) {
        a->n_left++;
        add_if(g->contact_ms, &a->sum_contact_l, &a->n_contact_l);
        add_if(g->valr_bw_s, &a->sum_valr_l, &a->n_valr_l);
    } else if (g->side == GAIT_SIDE_RIGHT) {
        a->n_right++;
        add_if(g->contact_ms, &a->sum_contact_r, &a->n_contact_r);
        add_if(g->valr_bw_s, &a->sum_valr_r, &a->n_valr_r);
    }
    if (s->in_band >= 0) {
        a->n_band++;
        a->n_in_band += s->in_band > 0;
    }
    if (s->under_ceiling >= 0) {
        a->n_ceil++;
        a->n_under += s->under_ceiling > 0;
    }
}

static double mean_of(double sum, size_t n)
{
    return n ? sum / (double)n : NAN;
}

static double si_pct(double l, double r)
{
    if (!isfinite(l) || !isfinite(r) || l + r == 0)
        return NAN;
    return 100.0 * (l - r) / ((l + r) / 2.0);
}

void session_acc_finish(const struct session_acc *a, struct session_stats *o)
{
    memset(o, 0, sizeof *o);
    o->n_steps = a->n;
    o->n_left = a->n_left;
    o->n_right = a->n_right;
    o->duration_s = a->n ? a->t_last_s - a->t_first_s : NAN;
    double step_ms = mean_of(a->sum_step_ms, a->n_step);
    o->cadence_spm = isfinite(step_ms) ? 60000.0 / step_ms : NAN;
    o->contact_ms = mean_of(a->sum_contact_ms, a->n_contact);
    o->impact_peak_bw = mean_of(a->sum_impact_bw, a->n_impact);
    o->n_impact = a->n_impact;
    o->valr_bw_s = mean_of(a->sum_valr, a->n_valr);
    o->vilr_bw_s = mean_of(a->sum_vilr, a->n_vilr);
    o->active_peak_bw = mean_of(a->sum_active_bw, a->n_active);
    o->share_in_band = a->n_band ? (double)a->n_in_band / (double)a->n_band : NAN;
    o->share_under_ceiling = a->n_ceil ? (double)a->n_under / (double)a->n_ceil : NAN;
    o->share_valr_risk = a->n_valr ? (double)a->n_risk / (double)a->n_valr : NAN;
    o->contact_l_ms = mean_of(a->sum_contact_l, a->n_contact_l);
    o->contact_r_ms = mean_of(a->sum_contact_r, a->n_contact_r);
    o->valr_l_bw_s = mean_of(a->sum_valr_l, a->n_valr_l);
    o->valr_r_bw_s = mean_of(a->sum_valr_r, a->n_valr_r);
    o->si_contact_pct = si_pct(o->contact_l_ms, o->contact_r_ms);
    o->si_valr_pct = si_pct(o->valr_l_bw_s, o->valr_r_bw_s);
}

void session_stats_compute(const struct session_step *steps, size_t n, uint64_t phase_mask,
                           struct session_stats *out)
{
    struct session_acc a;
    session_acc_init(&a);
    for (size_t i = 0; i < n; i++) {
        int ph = steps[i].phase;
        bool take = phase_mask == SESSION_ALL_PHASES ||
                    (ph >= 0 && ph < 64 && (phase_mask & SESSION_PHASE_BIT(ph)));
        if (take)
            session_acc_add(&a, &steps[i]);
    }
    session_acc_finish(&a, out);
}

void session_stats_window(const struct session_step *steps, size_t n, double t0_s, double from_s,
                          double to_s, struct session_stats *out)
{
    struct session_acc a;
    session_acc_init(&a);
    for (size_t i = 0; i < n; i++) {
        double rel = steps[i].step.t_ic_s - t0_s;
        if (rel >= from_s && rel < to_s)
            session_acc_add(&a, &steps[i]);
    }
    session_acc_finish(&a, out);
}

char *session_fmt(char *buf, size_t cap, double v, int decimals)
{
    if (!isfinite(v))
        snprintf(buf, cap, "-");
    else {
        /* never print "-0.0": a figure that rounds to zero is zero */
        double scale = pow(10.0, decimals);
        if (fabs(v) * scale < 0.5)
            v = 0.0;
        snprintf(buf, cap, "%.*f", decimals, v);
    }
    return buf;
}

/* ---- timing -------------------------------------------------------- */

double session_phase_start(const struct plan *p, size_t i)
{
    double t = 0;
    for (size_t k = 0; k < i && k < p->n_phases; k++)
        t += p->phases[k].duration_s;
    return t;
}

int session_phase_at(const struct plan *p, double rel_s, double *phase_left_s)
{
    if (phase_left_s)
        *phase_left_s = 0;
    if (rel_s < 0)
        return -1;
    double t = 0;
    for (size_t i = 0; i < p->n_phases; i++) {
        double end = t + p->phases[i].duration_s;
        if (rel_s < end) {
            if (phase_left_s)
                *phase_left_s = end - rel_s;
            return (int)i;
        }
        t = end;
    }
    return (int)p->n_phases;
}

/* ---- live model ---------------------------------------------------- */

void session_baseline_from_stats(const struct session_stats *st, struct session_baseline *out)
{
    memset(out, 0, sizeof *out);
    out->n_steps = st->n_steps;
    out->cadence_spm = st->cadence_spm;
    out->valr_bw_s = st->valr_bw_s;
    out->contact_ms = st->contact_ms;
    out->valid = st->n_steps >= SESSION_BASELINE_MIN_STEPS && isfinite(st->cadence_spm);
}

static void targets_none(struct session_targets *t)
{
    t->cadence_spm = NAN;
    t->cadence_lo_spm = NAN;
    t->cadence_hi_spm = NAN;
    t->valr_ceiling_bw_s = NAN;
    t->feedback = PLAN_FB_NONE;
    t->feedback_share = 0;
}

bool session_phase_gives_feedback(const struct plan_phase *ph)
{
    return ph && (ph->kind == PLAN_KIND_TRAINING || ph->kind == PLAN_KIND_RUN);
}

static double band_half_spm(const struct plan_phase *ph, double target_spm)
{
    if (ph && ph->cadence_band_spm > 0)
        return ph->cadence_band_spm;
    double pct = ph && ph->cadence_band_pct > 0 ? ph->cadence_band_pct : 3.0;
    return target_spm * pct / 100.0;
}

void session_resolve_targets(const struct plan_phase *ph, const struct session_baseline *b,
                             struct session_targets *out)
{
    targets_none(out);
    if (!ph)
        return;
    out->feedback = ph->feedback;
    if (ph->feedback == PLAN_FB_CONTINUOUS || ph->feedback == PLAN_FB_BANDWIDTH)
        out->feedback_share = 1.0;
    else if (ph->feedback == PLAN_FB_FADED)
        out->feedback_share = ph->fade_from;
    bool base_ok = b && b->valid;
    if (ph->cadence.ref == PLAN_REF_ABSOLUTE)
        out->cadence_spm = ph->cadence.value;
    else if (ph->cadence.ref == PLAN_REF_BASELINE_PCT && base_ok)
        out->cadence_spm = b->cadence_spm * (1.0 + ph->cadence.value / 100.0);
    if (isfinite(out->cadence_spm)) {
        double half = band_half_spm(ph, out->cadence_spm);
        out->cadence_lo_spm = out->cadence_spm - half;
        out->cadence_hi_spm = out->cadence_spm + half;
    }
    if (ph->valr_ceiling.ref == PLAN_REF_ABSOLUTE)
        out->valr_ceiling_bw_s = ph->valr_ceiling.value;
    else if (ph->valr_ceiling.ref == PLAN_REF_BASELINE_PCT && base_ok && isfinite(b->valr_bw_s))
        out->valr_ceiling_bw_s = b->valr_bw_s * (1.0 + ph->valr_ceiling.value / 100.0);
}

double session_stride_cadence(double step_ms, double prev_step_ms)
{
    if (!(step_ms > 0))
        return NAN;
    double stride = prev_step_ms > 0 ? 0.5 * (step_ms + prev_step_ms) : step_ms;
    return 60000.0 / stride;
}

void session_judge_step(const struct session_targets *t, double stride_cadence_spm,
                        struct session_step *st)
{
    double c = stride_cadence_spm;
    if (isfinite(t->cadence_lo_spm) && isfinite(c) && !(st->step.flags & GAIT_STEP_WALK))
        st->in_band = (int8_t)(c >= t->cadence_lo_spm && c <= t->cadence_hi_spm);
    else
        st->in_band = -1;
    double v = st->step.valr_bw_s;
    if (isfinite(t->valr_ceiling_bw_s) && isfinite(v))
        st->under_ceiling = (int8_t)(v <= t->valr_ceiling_bw_s);
    else
        st->under_ceiling = -1;
}

static const struct plan_phase *current_phase(const struct session *s)
{
    return s->phase >= 0 && (size_t)s->phase < s->plan.n_phases ? &s->plan.phases[s->phase] : NULL;
}

static double phase_fade_s(const struct plan_phase *ph)
{
    return ph && isfinite(ph->duration_s) ? ph->duration_s : SESSION_OPEN_FADE_S;
}

/* The PT's cadence target, from an absolute or a relative setting; NAN
 * when none is set (or a relative one has no baseline yet). */
static double pt_cadence_target(const struct session *s)
{
    if (s->pt_cadence)
        return s->pt_cadence_spm;
    if (s->pt_cadence_rel && s->baseline.valid)
        return s->baseline.cadence_spm * (1.0 + s->pt_cadence_rel_pct / 100.0);
    return NAN;
}

/* The targets in force now: the phase's plan, with the PT's settings over
 * it in phases that give feedback. */
static void resolve_now(struct session *s)
{
    const struct plan_phase *ph = current_phase(s);
    struct session_targets t;
    session_resolve_targets(ph, &s->baseline, &t);
    if (session_phase_gives_feedback(ph)) {
        if (s->pt_feedback) {
            t.feedback = s->pt_feedback_mode;
            t.feedback_share = s->pt_feedback_mode == PLAN_FB_NONE ? 0.0
                               : s->pt_feedback_mode == PLAN_FB_FADED ? ph->fade_from
                                                                       : 1.0;
        }
        double target = t.cadence_spm;
        if (s->pt_cadence || s->pt_cadence_rel)
            target = pt_cadence_target(s);
        if (isfinite(target)) {
            double half = isfinite(s->pt_band_pct) ? target * s->pt_band_pct / 100.0
                                                   : band_half_spm(ph, target);
            t.cadence_spm = target;
            t.cadence_lo_spm = target - half;
            t.cadence_hi_spm = target + half;
        } else {
            t.cadence_spm = t.cadence_lo_spm = t.cadence_hi_spm = NAN;
        }
        if (s->pt_ceiling)
            t.valr_ceiling_bw_s = s->pt_ceiling_bw_s;
    }
    /* a faded phase keeps its place in the fade over a change */
    if (t.feedback == PLAN_FB_FADED && isfinite(s->targets.feedback_share) &&
        s->targets.feedback == PLAN_FB_FADED)
        t.feedback_share = s->targets.feedback_share;
    s->targets = t;
}

static void remember(struct session *s, double t_s)
{
    struct session_regime *r = &s->hist[s->hist_head];
    r->t_s = t_s;
    r->phase = current_phase(s) ? s->phase : -1;
    r->targets = s->targets;
    s->hist_head = (s->hist_head + 1) % SESSION_HISTORY;
    if (s->hist_n < SESSION_HISTORY)
        s->hist_n++;
}

void session_init(struct session *s, const struct plan *p, double t0_s)
{
    memset(s, 0, sizeof *s);
    s->plan = *p;
    s->t0_s = t0_s;
    s->phase = -1;
    s->phase_start_s = t0_s;
    s->t_last_s = t0_s;
    session_acc_init(&s->base_acc);
    session_acc_init(&s->acc);
    s->baseline.cadence_spm = NAN;
    s->baseline.valr_bw_s = NAN;
    s->baseline.contact_ms = NAN;
    s->body_weight_n = NAN;
    s->pt_cadence_spm = s->pt_cadence_rel_pct = s->pt_band_pct = s->pt_ceiling_bw_s = NAN;
    s->prev_step_ms = NAN;
    targets_none(&s->targets);
    remember(s, -INFINITY);
}

static void event(struct session_event *e, enum session_event_kind kind, const struct session *s,
                  double t_s, const char *source, const char *note)
{
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->phase = s->phase;
    e->t_s = t_s;
    snprintf(e->source, sizeof e->source, "%s", source);
    e->targets = s->targets;
    snprintf(e->note, sizeof e->note, "%s", note);
}

/* The baseline phase ends: fix the baseline figures. */
static void end_baseline(struct session *s, double t_s, struct session_event *out,
                         const char *source)
{
    struct session_stats st;
    session_acc_finish(&s->base_acc, &st);
    session_baseline_from_stats(&st, &s->baseline);
    s->baseline_done = true;
    char note[96];
    if (s->baseline.valid)
        snprintf(note, sizeof note, "baseline %.1f steps/min from %zu steps", s->baseline.cadence_spm,
                 s->baseline.n_steps);
    else
        snprintf(note, sizeof note,
                 "baseline: too few steps (%zu of %d) for relative targets; none set",
                 s->baseline.n_steps, SESSION_BASELINE_MIN_STEPS);
    event(out, SESSION_EV_BASELINE, s, t_s, source, note);
}

/* Leave the current phase and enter phase i at t_s.  Writes the baseline
 * event (when a baseline phase ends) and the phase/end event; returns how
 * many. */
static int enter_phase(struct session *s, int i, double t_s, const char *source,
                       struct session_event *out)
{
    int n = 0;
    const struct plan_phase *leaving = current_phase(s);
    if (leaving && leaving->kind == PLAN_KIND_BASELINE)
        end_baseline(s, t_s, &out[n++], source);
    s->phase = i;
    s->phase_start_s = t_s;
    s->targets.feedback = PLAN_FB_NONE; /* a new phase starts its own fade */
    resolve_now(s);
    const struct plan_phase *ph = current_phase(s);
    remember(s, t_s);
    char note[96];
    if (ph) {
        if (session_phase_gives_feedback(ph) && (s->pt_cadence || s->pt_cadence_rel) &&
            isfinite(s->targets.cadence_spm))
            /* the plan's cadence does not apply: say whose target this is */
            snprintf(note, sizeof note, "%.40s begins; the PT's target %.1f holds", ph->name,
                     s->targets.cadence_spm);
        else
            snprintf(note, sizeof note, "%.40s begins", ph->name);
        event(&out[n++], SESSION_EV_PHASE, s, t_s, source, note);
    } else {
        event(&out[n++], SESSION_EV_END, s, t_s, source, "protocol complete");
    }
    return n;
}

int session_update(struct session *s, double t_s, struct session_event *out, size_t cap)
{
    size_t n = 0;
    if (t_s > s->t_last_s)
        s->t_last_s = t_s;
    /* each crossing writes up to two events (baseline, phase): stop while
     * there is room for both so nothing is emitted twice */
    while (n + 2 <= cap && s->phase < (int)s->plan.n_phases) {
        double start;
        if (s->phase < 0) {
            if (t_s < s->t0_s)
                break;
            start = s->t0_s;
        } else {
            start = s->phase_start_s + s->plan.phases[s->phase].duration_s;
            if (!(t_s >= start))
                break;
        }
        n += (size_t)enter_phase(s, s->phase + 1, start, "protocol", out + n);
    }
    /* faded feedback: the share falls linearly over the phase */
    const struct plan_phase *ph = current_phase(s);
    if (ph && s->targets.feedback == PLAN_FB_FADED) {
        double x = (t_s - s->phase_start_s) / phase_fade_s(ph);
        x = x < 0 ? 0 : x > 1 ? 1 : x;
        s->targets.feedback_share = ph->fade_from + (ph->fade_to - ph->fade_from) * x;
    }
    return (int)n;
}

static bool in_range(double x, double lo, double hi)
{
    return isfinite(x) && x >= lo && x <= hi;
}

/* PT asks for a phase of `kind` now: the next planned phase of that kind
 * (the phases between are skipped), or an open ad hoc phase appended to
 * the plan, with the settings of the last planned phase of that kind. */
static int goto_kind(struct session *s, enum plan_kind kind, double t_s, const char *source,
                     struct session_event *out, struct gc_diag *diag)
{
    int from = s->phase < 0 ? 0 : s->phase + 1;
    for (int i = from; i < (int)s->plan.n_phases; i++)
        if (s->plan.phases[i].kind == kind)
            return enter_phase(s, i, t_s, source, out);
    if (s->plan.n_phases >= PLAN_MAX_PHASES) {
        return gc_fail(diag, GC_ERR_ARG, "the session has too many phases for another");
    }
    struct plan_phase ph;
    memset(&ph, 0, sizeof ph);
    for (size_t i = 0; i < s->plan.n_phases; i++)
        if (s->plan.phases[i].kind == kind)
            ph = s->plan.phases[i];
    ph.kind = kind;
    ph.duration_s = PLAN_OPEN_S;
    ph.interval = ph.intervals = 0;
    if (session_phase_gives_feedback(&ph) && ph.feedback == PLAN_FB_NONE)
        ph.feedback = PLAN_FB_CONTINUOUS;
    snprintf(ph.name, sizeof ph.name, "%s (PT)", plan_kind_name(kind));
    int i = (int)s->plan.n_phases;
    s->plan.phases[s->plan.n_phases++] = ph;
    int n = enter_phase(s, i, t_s, source, out);
    out[n - 1].added = true;
    return n;
}

int session_apply(struct session *s, const struct session_cmd *c, double t_s, const char *source,
                  struct session_event out[3], int *n_out, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    *n_out = 0;
    if (t_s > s->t_last_s)
        s->t_last_s = t_s;
    char note[96];
    switch (c->kind) {
    case SESSION_CMD_CADENCE:
        if (!isnan(c->value) && !in_range(c->value, RANGE_CADENCE_MIN_SPM, RANGE_CADENCE_MAX_SPM)) {
            return gc_fail(diag, GC_ERR_ARG, "%s", "target-cadence must be " RANGE_CADENCE_TEXT);
        }
        s->pt_cadence = !isnan(c->value);
        s->pt_cadence_spm = c->value;
        s->pt_cadence_rel = false;
        if (isnan(c->value))
            snprintf(note, sizeof note, "target-cadence=none");
        else
            snprintf(note, sizeof note, "target-cadence=%.1f", c->value);
        break;
    case SESSION_CMD_CADENCE_REL:
        if (!in_range(c->value, RANGE_CADENCE_REL_MIN_PCT, RANGE_CADENCE_REL_MAX_PCT)) {
            return gc_fail(diag, GC_ERR_ARG, "%s",
                           "target-relative must be " RANGE_CADENCE_REL_TEXT);
        }
        if (!s->baseline.valid) {
            return gc_fail(
                diag, GC_ERR_ARG,
                "no baseline cadence yet: run a baseline phase, set baseline, or give an "
                "absolute target-cadence");
        }
        s->pt_cadence_rel = true;
        s->pt_cadence_rel_pct = c->value;
        s->pt_cadence = false;
        snprintf(note, sizeof note, "target-relative=%+.1f (%.1f)", c->value,
                 s->baseline.cadence_spm * (1.0 + c->value / 100.0));
        break;
    case SESSION_CMD_BAND:
        if (!in_range(c->value, RANGE_BAND_MIN_PCT, RANGE_BAND_MAX_PCT)) {
            return gc_fail(diag, GC_ERR_ARG, "%s", "band must be " RANGE_BAND_TEXT);
        }
        s->pt_band_pct = c->value;
        snprintf(note, sizeof note, "band=%.1f", c->value);
        break;
    case SESSION_CMD_VALR_CEILING:
        if (!isnan(c->value) &&
            !in_range(c->value, RANGE_VALR_CEILING_MIN_BW_S, RANGE_VALR_CEILING_MAX_BW_S)) {
            return gc_fail(diag, GC_ERR_ARG, "%s",
                           "loading-ceiling must be " RANGE_VALR_CEILING_TEXT);
        }
        s->pt_ceiling = true;
        s->pt_ceiling_bw_s = c->value;
        if (isnan(c->value))
            snprintf(note, sizeof note, "loading-ceiling=none");
        else
            snprintf(note, sizeof note, "loading-ceiling=%.1f", c->value);
        break;
    case SESSION_CMD_FEEDBACK:
        if (c->arg < PLAN_FB_NONE || c->arg > PLAN_FB_FADED) {
            return gc_fail(diag, GC_ERR_ARG, "mode must be continuous, bandwidth, faded or off");
        }
        s->pt_feedback = true;
        s->pt_feedback_mode = (enum plan_feedback)c->arg;
        snprintf(note, sizeof note, "mode=%s",
                 c->arg == PLAN_FB_NONE ? "off" : plan_feedback_name((enum plan_feedback)c->arg));
        break;
    case SESSION_CMD_BASELINE:
        if (!in_range(c->value, RANGE_CADENCE_MIN_SPM, RANGE_CADENCE_MAX_SPM)) {
            return gc_fail(diag, GC_ERR_ARG, "%s", "baseline must be " RANGE_CADENCE_TEXT);
        }
        s->baseline.valid = true;
        s->baseline.cadence_spm = c->value;
        s->baseline_done = true;
        snprintf(note, sizeof note, "baseline=%.1f (set by the PT)", c->value);
        break;
    case SESSION_CMD_PHASE: {
        if (c->arg < PLAN_KIND_WEIGH_IN || c->arg > PLAN_KIND_RUN) {
            return gc_fail(diag, GC_ERR_ARG,
                           "phase must be weigh-in, baseline, training, retention, run or walk");
        }
        if (s->phase >= (int)s->plan.n_phases) {
            return gc_fail(diag, GC_ERR_ARG, "the protocol has ended");
        }
        int n = goto_kind(s, (enum plan_kind)c->arg, t_s, source, out, diag);
        if (n < 0)
            return GC_ERR_ARG;
        *n_out = n;
        return GC_OK;
    }
    default:
        return gc_fail(diag, GC_ERR_ARG, "unknown command");
    }
    resolve_now(s);
    remember(s, t_s);
    const struct plan_phase *ph = current_phase(s);
    if (!session_phase_gives_feedback(ph) && c->kind != SESSION_CMD_BASELINE) {
        size_t len = strlen(note);
        snprintf(note + len, sizeof note - len, " (from the next feedback phase)");
    }
    event(&out[0], SESSION_EV_TARGETS, s, t_s, source, note);
    *n_out = 1;
    return GC_OK;
}

/* What was in force at time t_s. */
static const struct session_regime *regime_at(const struct session *s, double t_s)
{
    const struct session_regime *best = NULL;
    for (unsigned k = 0; k < s->hist_n; k++) {
        unsigned i = (s->hist_head + SESSION_HISTORY - 1 - k) % SESSION_HISTORY;
        best = &s->hist[i];
        if (s->hist[i].t_s <= t_s)
            return best;
    }
    return best; /* older than the history: the oldest kept */
}

void session_add_step(struct session *s, struct session_step *st)
{
    const struct session_regime *r = regime_at(s, st->step.t_ic_s);
    bool gap = (st->step.flags & GAIT_STEP_AFTER_GAP) != 0;
    double step_ms = gap ? NAN : st->step.step_ms;
    double stride = session_stride_cadence(step_ms, s->prev_step_ms);
    s->prev_step_ms = step_ms > 0 ? step_ms : NAN;
    st->phase = r ? r->phase : -1;
    session_judge_step(r ? &r->targets : &s->targets, stride, st);
    session_acc_add(&s->acc, st);
    if (st->phase >= 0 && s->plan.phases[st->phase].kind == PLAN_KIND_BASELINE &&
        !(st->step.flags & GAIT_STEP_WALK))
        session_acc_add(&s->base_acc, st);
}

void session_set_body_weight(struct session *s, double body_weight_n)
{
    s->body_weight_n = body_weight_n;
}

void session_get_targets(const struct session *s, struct session_targets *out)
{
    *out = s->targets;
}

void session_get_view(const struct session *s, struct session_view *v)
{
    memset(v, 0, sizeof *v);
    const struct plan_phase *ph = current_phase(s);
    v->phase = s->phase;
    v->n_phases = s->plan.n_phases;
    v->ended = s->phase >= (int)s->plan.n_phases;
    if (ph) {
        snprintf(v->phase_name, sizeof v->phase_name, "%s", ph->name);
        v->kind = ph->kind;
        v->interval = ph->interval;
        v->intervals = ph->intervals;
        v->fade_from = ph->fade_from;
        v->fade_to = ph->fade_to;
        v->fade_duration_s = phase_fade_s(ph);
        v->phase_s = fmax(0.0, s->t_last_s - s->phase_start_s);
        v->phase_left_s = isfinite(ph->duration_s) ? fmax(0.0, ph->duration_s - v->phase_s)
                                                   : INFINITY;
    } else {
        snprintf(v->phase_name, sizeof v->phase_name, "%s", v->ended ? "ended" : "starting");
    }
    v->targets = s->targets;
    v->baseline = s->baseline;
    v->baseline_done = s->baseline_done;
    v->baseline_steps = s->base_acc.n;
    v->body_weight_n = s->body_weight_n;
    v->steps = s->acc.n;
    v->steps_scored = s->acc.n_band;
    v->steps_in_band = s->acc.n_in_band;
    v->steps_loaded = s->acc.n_ceil;
    v->steps_over = s->acc.n_ceil - s->acc.n_under;
    v->share_in_band = s->acc.n_band ? (double)s->acc.n_in_band / (double)s->acc.n_band : NAN;
    v->cadence_by_pt = s->pt_cadence || s->pt_cadence_rel;
    v->pending_cadence_spm = v->cadence_by_pt && !session_phase_gives_feedback(ph) && !v->ended
                                 ? pt_cadence_target(s)
                                 : NAN;
}

static int apply_quiet(struct session *s, const struct session_cmd *c, struct gc_diag *diag)
{
    struct session_event ev[3];
    int n;
    return session_apply(s, c, s->t_last_s, "therapist", ev, &n, diag);
}

int session_set_cadence_target(struct session *s, double cadence_spm, double half_band_spm,
                               struct gc_diag *diag)
{
    struct session_cmd c = {SESSION_CMD_CADENCE, cadence_spm, 0};
    int rc = apply_quiet(s, &c, diag);
    if (rc == GC_OK && half_band_spm > 0 && isfinite(cadence_spm)) {
        struct session_cmd b = {SESSION_CMD_BAND, 100.0 * half_band_spm / cadence_spm, 0};
        rc = apply_quiet(s, &b, diag);
    }
    return rc;
}

int session_set_valr_ceiling(struct session *s, double ceiling_bw_s, struct gc_diag *diag)
{
    struct session_cmd c = {SESSION_CMD_VALR_CEILING, ceiling_bw_s, 0};
    return apply_quiet(s, &c, diag);
}
