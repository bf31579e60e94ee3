/* session.c - pure session model: phases on sensor time, baseline, aggregates. */
#include "session.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

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

void session_resolve_targets(const struct plan_phase *ph, const struct session_baseline *b,
                             struct session_targets *out)
{
    out->cadence_spm = NAN;
    out->cadence_lo_spm = NAN;
    out->cadence_hi_spm = NAN;
    out->valr_ceiling_bw_s = NAN;
    out->feedback = ph ? ph->feedback : PLAN_FB_NONE;
    out->feedback_share = 0;
    if (!ph)
        return;
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
        double half = ph->cadence_band_spm > 0 ? ph->cadence_band_spm
                                               : out->cadence_spm * ph->cadence_band_pct / 100.0;
        out->cadence_lo_spm = out->cadence_spm - half;
        out->cadence_hi_spm = out->cadence_spm + half;
    }
    if (ph->valr_ceiling.ref == PLAN_REF_ABSOLUTE)
        out->valr_ceiling_bw_s = ph->valr_ceiling.value;
    else if (ph->valr_ceiling.ref == PLAN_REF_BASELINE_PCT && base_ok && isfinite(b->valr_bw_s))
        out->valr_ceiling_bw_s = b->valr_bw_s * (1.0 + ph->valr_ceiling.value / 100.0);
}

void session_judge_step(const struct session_targets *t, struct session_step *st)
{
    double c = st->step.cadence_spm;
    if (isfinite(t->cadence_lo_spm) && isfinite(c))
        st->in_band = (int8_t)(c >= t->cadence_lo_spm && c <= t->cadence_hi_spm);
    else
        st->in_band = -1;
    double v = st->step.valr_bw_s;
    if (isfinite(t->valr_ceiling_bw_s) && isfinite(v))
        st->under_ceiling = (int8_t)(v <= t->valr_ceiling_bw_s);
    else
        st->under_ceiling = -1;
}

void session_init(struct session *s, const struct plan *p, double t0_s)
{
    memset(s, 0, sizeof *s);
    s->plan = *p;
    s->t0_s = t0_s;
    s->phase = -1;
    s->prev_phase = -1;
    s->t_last_s = t0_s;
    session_acc_init(&s->base_acc);
    s->baseline.cadence_spm = NAN;
    s->baseline.valr_bw_s = NAN;
    s->baseline.contact_ms = NAN;
    session_resolve_targets(NULL, NULL, &s->targets);
    s->prev_targets = s->targets;
}

static void enter_phase(struct session *s, int i)
{
    s->prev_phase = s->phase;
    s->prev_targets = s->targets;
    s->phase = i;
    s->pt_cadence = false;
    s->pt_ceiling = false;
    const struct plan_phase *ph =
        i >= 0 && (size_t)i < s->plan.n_phases ? &s->plan.phases[i] : NULL;
    session_resolve_targets(ph, &s->baseline, &s->targets);
}

int session_update(struct session *s, double t_s, struct session_event *out, size_t cap)
{
    size_t n = 0;
    s->t_last_s = t_s;
    int target = session_phase_at(&s->plan, t_s - s->t0_s, NULL);
    /* each crossing writes up to two events (baseline, phase): stop while
     * there is room for both so nothing is emitted twice */
    while (s->phase < target && n + 2 <= cap) {
        int leaving = s->phase;
        /* baseline figures become known when the baseline phase ends */
        if (leaving >= 0 && (size_t)leaving < s->plan.n_phases &&
            s->plan.phases[leaving].kind == PLAN_KIND_BASELINE) {
            struct session_stats st;
            session_acc_finish(&s->base_acc, &st);
            session_baseline_from_stats(&st, &s->baseline);
            double t_end = s->t0_s + session_phase_start(&s->plan, (size_t)leaving + 1);
            out[n++] = (struct session_event){SESSION_EV_BASELINE, leaving, t_end};
        }
        enter_phase(s, s->phase + 1);
        double t_start = s->t0_s + session_phase_start(&s->plan, (size_t)s->phase);
        if ((size_t)s->phase < s->plan.n_phases)
            out[n++] = (struct session_event){SESSION_EV_PHASE, s->phase, t_start};
        else
            out[n++] = (struct session_event){SESSION_EV_END, s->phase, t_start};
    }
    /* faded feedback: the share falls linearly over the phase */
    if (s->phase >= 0 && (size_t)s->phase < s->plan.n_phases) {
        const struct plan_phase *ph = &s->plan.phases[s->phase];
        if (ph->feedback == PLAN_FB_FADED && ph->duration_s > 0) {
            double x =
                (t_s - s->t0_s - session_phase_start(&s->plan, (size_t)s->phase)) / ph->duration_s;
            x = x < 0 ? 0 : x > 1 ? 1 : x;
            s->targets.feedback_share = ph->fade_from + (ph->fade_to - ph->fade_from) * x;
        }
    }
    return (int)n;
}

void session_add_step(struct session *s, struct session_step *st)
{
    int ph = session_phase_at(&s->plan, st->step.t_ic_s - s->t0_s, NULL);
    st->phase = ph >= 0 && (size_t)ph < s->plan.n_phases ? ph : -1;
    struct session_step judged = *st;
    if (st->phase == s->phase) {
        session_judge_step(&s->targets, &judged);
    } else if (st->phase == s->prev_phase && st->phase >= 0) {
        /* began in the phase that just ended: the targets in force then,
         * therapist changes included */
        session_judge_step(&s->prev_targets, &judged);
    } else {
        /* the step began in an earlier phase than the clock's (a step is
         * complete at toe-off, after its IC): judge it by that phase's plan */
        struct session_targets t;
        session_resolve_targets(st->phase >= 0 ? &s->plan.phases[st->phase] : NULL, &s->baseline,
                                &t);
        session_judge_step(&t, &judged);
    }
    if (st->in_band < 0)
        st->in_band = judged.in_band;
    if (st->under_ceiling < 0)
        st->under_ceiling = judged.under_ceiling;
    if (st->phase >= 0 && s->plan.phases[st->phase].kind == PLAN_KIND_BASELINE)
        session_acc_add(&s->base_acc, st);
}

void session_get_targets(const struct session *s, struct session_targets *out)
{
    *out = s->targets;
}

void session_set_cadence_target(struct session *s, double cadence_spm, double half_band_spm)
{
    s->pt_cadence = true;
    if (!isfinite(cadence_spm)) {
        s->targets.cadence_spm = NAN;
        s->targets.cadence_lo_spm = NAN;
        s->targets.cadence_hi_spm = NAN;
        return;
    }
    double half = half_band_spm;
    if (!(half > 0)) {
        const struct plan_phase *ph =
            s->phase >= 0 && (size_t)s->phase < s->plan.n_phases ? &s->plan.phases[s->phase] : NULL;
        if (ph && ph->cadence_band_spm > 0)
            half = ph->cadence_band_spm;
        else
            half = cadence_spm * (ph ? ph->cadence_band_pct : 3.0) / 100.0;
    }
    s->targets.cadence_spm = cadence_spm;
    s->targets.cadence_lo_spm = cadence_spm - half;
    s->targets.cadence_hi_spm = cadence_spm + half;
}

void session_set_valr_ceiling(struct session *s, double ceiling_bw_s)
{
    s->pt_ceiling = true;
    s->targets.valr_ceiling_bw_s = ceiling_bw_s;
}
