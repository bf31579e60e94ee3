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
#include "weighin.h"
#include "cadence.h"
#include "deck.h"
#include "footprint.h"
#include "gc_error.h"
#include "lowpass.h"
#include "metrics.h"
#include "side.h"
#include "stats.h"
#include "units.h"
#include "stepdet.h"

/* Flights after a weigh-in over which its zero is followed: the baseline
 * moves 30 % of the way per flight (baseline.h), so after 12 flights
 * (about 2 s of running) a 30 N first guess is within 0.5 N. */
#define WEIGHIN_ZERO_FLIGHTS 12u
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
#define IDLE_S   2.0
#define EVQ_CAP  256u
#define CAD_HIST 9
#define CT_HIST  5
#define RING     STEPDET_HIST
#define RMASK    (RING - 1u)

/* Walking: a new foot's share of the force is detected from the COP
 * leaving the current foot (see split_*).  Not before this long into the
 * current foot's stance: running contacts end sooner, and a foot's own COP
 * path (heel to toe, a little lateral to medial) must not look like a
 * second foot. */
#define MIN_SPLIT_S 0.30
/* Running contacts last up to ~0.35 s; walking stance at the fastest
 * walking cadence (150 steps/min) about 0.48 s. */
#define WALK_MIN_CONTACT_S 0.40
/* Longest time the new foot's share may take from time_n to detect_n. */
#define FREEZE_MAX_S 0.025
/* The new foot's share rises linearly from zero (a heel rolling in), so
 * more of the tangent applies than for the total force's curved toe
 * (stepdet.h): measured on simulated walking at 80-130 steps/min, 0.5
 * leaves IC 0.3-1.5 ms late, 1.0 0.6-1.1 ms early, 0.75 within +-0.5 ms. */
#define SPLIT_TANGENT_SHARE 0.75
/* Time constant of the tracked COP x of the foot in single support. */
#define XA_TAU_S 0.030
/* Foot separation (mediolateral) assumed before one was measured, m:
 * typical step width. */
#define SEP_DEFAULT_M 0.14
#define SEP_MIN_M     0.04
#define SEP_ALPHA     0.3
/* The COP has settled on the new foot when it moves slower than this over
 * SETTLE_S (the weight transfer moves it at 0.5-2 m/s). */
#define SETTLE_V_MPS 0.2
#define SETTLE_S     0.010
/* Double support longer than this is not walking (standing on both feet). */
#define MAX_DS_S 0.6
/* Short gaps (gait.h, docs/analysis.md "Gaps").  A contact with a gap
 * inside is a step only if it lasts at most this many times the median of
 * the recent contacts of the current mode (at least GAP_MIN_HISTORY of
 * them): two running contacts merged over a flight hidden in the gap last
 * more than twice one contact; one contact varies by a few %. */
#define GAP_MERGE_RATIO 1.5
#define GAP_MIN_HISTORY 3u
/* Step length uses the median of this many recent belt speed estimates
 * (~5 s of running) when no speed was entered. */
#define SPEED_HIST 16u

struct stance {
    bool open;
    struct gait_step step;
    double t_ic_raw; /* IC in filtered-sample time (before delay correction) */
    double t_ic_thr_raw; /* its plain threshold crossing, same time base */
    double ic_off_s; /* time from IC to buf[0] */
    float *buf;      /* this foot's force above baseline from the first sample after IC */
    float *bufx, *bufy; /* its COP (m) where this foot alone is loaded, else NAN */
    size_t n, cap;
    struct metrics_scan_state scan;
    bool loading_sent;
    struct stance_metrics early;
    double sfx, sf; /* COP evidence (single support only) */
    bool gapped;    /* a short gap lies inside: buf[n_obs..] holds not-data (NAN) */
    size_t n_obs;   /* samples of data before the first gap */
    bool ghost;     /* followed (walking split) but not a step: an edge was hidden */
};

struct gait {
    struct gait_config cfg;
    struct lowpass lp_f, lp_m, lp_my; /* force, force x COPx, force x COPy */
    double delay_s;
    double period_s;
    struct stepdet det;
    struct metrics_cfg mc;
    struct side side;
    struct bodyweight bw;
    struct weighin wi; /* a runner standing still is weighed */
    /* The weigh-in reads force above the zero in force while standing
     * (the calibration's zero, which the deck's slow drift moves); the
     * first flight after it measures the true zero, and the weight is
     * corrected to it once. */
    double wi_zero_n;       /* zero level the weigh-in was read against */
    uint32_t wi_flights;    /* flights measured when it was read */
    bool wi_zero_corrected; /* later flights have fixed the zero */
    bool bw_from_mass; /* --mass / gait_set_body_weight: the weigh-in does not override */
    struct cadence *cad;
    /* recent filtered samples */
    float ry[RING], rx[RING], rcy[RING]; /* force, COPx, COPy (filtered) */
    double rt[RING];
    uint8_t rbad[RING]; /* 1: not data (settling after a short gap) */
    uint32_t bad_left;  /* samples still to be marked not-data */
    bool gap_pending;   /* gait_mark_gap: decide the gap at the next sample */
    uint64_t n;
    double last_t;
    bool have_last;
    float last_copx; /* last valid COP x, held while the COP is unknown */
    float last_copy; /* likewise y */
    /* footprint (footprint.h): recent per-step belt speeds, and the last
     * step's landing place and ML position */
    double speed_hist[SPEED_HIST];
    unsigned speed_n, speed_pos;
    uint32_t speed_rear, speed_nonrear; /* steps with a speed, by strike */
    double prev_y_ic, prev_x_mean;
    bool cop_seen;
    /* stances: st[cur] is the latest foot; in double support st[cur ^ 1]
     * is the previous foot, still loaded */
    struct stance st[2];
    int cur;
    bool ds;
    double xa; /* COP x of the current foot in single support */
    bool xa_valid, xa_frozen;
    double frozen_t;  /* when xa was frozen */
    double sep_m;     /* learned foot separation */
    double xb_est;    /* where the new foot is assumed, double support */
    double split_t;   /* raw time of the split */
    uint64_t split_k; /* sample index of the split */
    /* bookkeeping */
    uint32_t next_index;
    double open_ic_s, open_ic_prev; /* IC of the latest opened stance, corrected */
    double last_to_s;               /* TO of the latest closed step, corrected */
    /* the same at the threshold crossings */
    double open_ic_thr_s, open_ic_thr_prev, last_to_thr_s;
    bool after_gap;
    struct gait_step held; /* first step waiting for its side */
    bool have_held;
    double cad_hist[CAD_HIST];
    unsigned cad_n, cad_pos;
    double ct_run[CT_HIST], ct_walk[CT_HIST]; /* recent contact times, s */
    unsigned ct_run_n, ct_walk_n, ct_run_pos, ct_walk_pos;
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
    cfg->time_n = GAIT_THRESHOLD_DEFAULT_N;
    cfg->cadence_window_s = 8.0;
    cfg->belt_speed_mps = 0.0; /* unknown: the deck estimates it */
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

void gait_step_clear(struct gait_step *s)
{
    memset(s, 0, sizeof *s);
    s->side = GAIT_SIDE_UNKNOWN;
    s->t_ic_s = s->t_to_s = NAN;
    s->contact_ms = s->flight_ms = s->step_ms = s->cadence_spm = NAN;
    s->t_ic_thr_s = s->t_to_thr_s = NAN;
    s->contact_ext_ms = s->flight_ext_ms = s->step_ext_ms = NAN;
    s->threshold_n = NAN;
    s->speed_mps = s->step_length_m = s->step_width_m = s->length_speed_mps = NAN;
    s->strike = GAIT_STRIKE_UNKNOWN;
    s->impact_peak_n = s->impact_peak_bw = s->t_impact_s = NAN;
    s->valr_bw_s = s->vilr_bw_s = NAN;
    s->active_peak_n = s->active_peak_bw = NAN;
}

struct gait *gait_new(const struct gait_config *cfg)
{
    if (!cfg || !(cfg->rate_hz >= 50.0 && cfg->rate_hz <= 20000.0) || !(cfg->mass_kg >= 0.0) ||
        !(cfg->time_n >= GAIT_THRESHOLD_MIN_N && cfg->time_n <= GAIT_THRESHOLD_MAX_N) ||
        !(cfg->detect_n > cfg->time_n) ||
        !(cfg->belt_speed_mps == 0.0 || (cfg->belt_speed_mps >= FOOTPRINT_SPEED_MIN_MPS &&
                                         cfg->belt_speed_mps <= FOOTPRINT_SPEED_MAX_MPS)) ||
        !(cfg->cadence_window_s >= 2.0 && cfg->cadence_window_s <= 60.0))
        return NULL;
    struct gait *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->cfg = *cfg;
    g->period_s = 1.0 / cfg->rate_hz;
    if (lowpass_init(&g->lp_f, cfg->lowpass_hz, cfg->rate_hz) != GC_OK ||
        lowpass_init(&g->lp_m, cfg->lowpass_hz, cfg->rate_hz) != GC_OK ||
        lowpass_init(&g->lp_my, cfg->lowpass_hz, cfg->rate_hz) != GC_OK ||
        stepdet_init(&g->det, cfg->detect_n, cfg->time_n, cfg->rate_hz, true) != GC_OK) {
        free(g);
        return NULL;
    }
    g->delay_s = lowpass_delay_s(&g->lp_f);
    metrics_cfg_default(&g->mc, cfg->rate_hz);
    side_init(&g->side);
    bodyweight_init(&g->bw);
    weighin_init(&g->wi);
    if (cfg->mass_kg > 0.0) {
        bodyweight_set(&g->bw, units_kg_to_n(cfg->mass_kg));
        g->bw_from_mass = true;
    }
    for (int i = 0; i < 2; i++) {
        g->st[i].cap = (size_t)ceil(MAX_CONTACT_S * cfg->rate_hz) + 2;
        g->st[i].buf = malloc(g->st[i].cap * sizeof *g->st[i].buf);
        g->st[i].bufx = malloc(g->st[i].cap * sizeof *g->st[i].bufx);
        g->st[i].bufy = malloc(g->st[i].cap * sizeof *g->st[i].bufy);
    }
    g->cad = cadence_new(cfg->rate_hz, cfg->cadence_window_s, 1.0);
    if (!g->st[0].buf || !g->st[1].buf || !g->st[0].bufx || !g->st[1].bufx || !g->st[0].bufy ||
        !g->st[1].bufy || !g->cad) {
        gait_free(g);
        return NULL;
    }
    g->sep_m = SEP_DEFAULT_M;
    g->open_ic_s = g->open_ic_prev = g->last_to_s = NAN;
    g->open_ic_thr_s = g->open_ic_thr_prev = g->last_to_thr_s = NAN;
    g->prev_y_ic = g->prev_x_mean = NAN;
    g->last_step_t = NAN;
    g->mode = GAIT_MODE_IDLE;
    return g;
}

void gait_free(struct gait *g)
{
    if (!g)
        return;
    cadence_free(g->cad);
    for (int i = 0; i < 2; i++) {
        free(g->st[i].buf);
        free(g->st[i].bufx);
        free(g->st[i].bufy);
    }
    free(g);
}

void gait_set_body_weight(struct gait *g, double body_weight_n)
{
    bodyweight_set(&g->bw, body_weight_n);
    g->bw_from_mass = true;
}

int gait_set_belt_speed(struct gait *g, double belt_speed_mps)
{
    if (!(belt_speed_mps == 0.0 || (belt_speed_mps >= FOOTPRINT_SPEED_MIN_MPS &&
                                    belt_speed_mps <= FOOTPRINT_SPEED_MAX_MPS)))
        return GC_ERR_ARG;
    g->cfg.belt_speed_mps = belt_speed_mps;
    return GC_OK;
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

static void set_mode(struct gait *g, enum gait_mode m)
{
    if (g->mode == m)
        return;
    g->mode = m;
    switch (m) {
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

/* Index of the first ring sample after raw time t (bounded by the ring). */
static uint64_t ring_after(const struct gait *g, double t)
{
    uint64_t j = g->n;
    uint64_t lim = g->n > RING - 1 ? g->n - (RING - 1) : 0;
    while (j > lim && g->rt[(j - 1) & RMASK] > t)
        j--;
    return j;
}

/* Open a stance whose IC is at raw time t_cross (t_thr: its plain
 * threshold crossing); its buffer receives the
 * samples already seen after t_cross, from f_of(i) (this foot's force).
 * A ghost (its IC hidden by a gap) is followed but gets no index, no event
 * and never becomes a step. */
static struct stance *stance_open(struct gait *g, int slot, double t_cross, double t_thr,
                                  double t_now, bool in_ds, bool ghost)
{
    struct stance *st = &g->st[slot];
    st->open = true;
    st->n = 0;
    st->t_ic_raw = t_cross;
    st->t_ic_thr_raw = t_thr;
    st->loading_sent = false;
    st->sfx = st->sf = 0.0;
    st->gapped = false;
    st->n_obs = 0;
    st->ghost = ghost;
    metrics_scan_init(&st->scan);
    uint64_t j = ring_after(g, t_cross);
    st->ic_off_s = (j < g->n ? g->rt[j & RMASK] : t_now) - t_cross;
    struct gait_step *s = &st->step;
    gait_step_clear(s);
    s->threshold_n = g->cfg.time_n;
    if (ghost) {
        g->after_gap = true;
        return st;
    }
    s->index = g->next_index++;
    s->t_ic_s = t_cross - g->delay_s;
    s->t_ic_thr_s = t_thr - g->delay_s;
    bool adjacent = !g->after_gap && isfinite(g->open_ic_s) &&
                    s->t_ic_s - g->open_ic_s <= BODYWEIGHT_MAX_STEP_S;
    if (!adjacent)
        side_break(&g->side);
    if (adjacent) {
        s->step_ext_ms = (s->t_ic_s - g->open_ic_s) * 1000.0;
        s->step_ms = (s->t_ic_thr_s - g->open_ic_thr_s) * 1000.0;
        s->cadence_spm = 60000.0 / s->step_ms;
        if (!in_ds && isfinite(g->last_to_s) && g->last_to_s <= s->t_ic_s) {
            s->flight_ext_ms = (s->t_ic_s - g->last_to_s) * 1000.0;
            s->flight_ms = (s->t_ic_thr_s - g->last_to_thr_s) * 1000.0;
        }
    }
    g->open_ic_prev = g->open_ic_s;
    g->open_ic_s = s->t_ic_s;
    g->open_ic_thr_prev = g->open_ic_thr_s;
    g->open_ic_thr_s = s->t_ic_thr_s;
    if (g->after_gap)
        s->flags |= GAIT_STEP_AFTER_GAP;
    bodyweight_ic(&g->bw, adjacent ? s->step_ext_ms / 1000.0 : NAN);
    s->side = g->cop_seen ? side_expect(&g->side) : GAIT_SIDE_UNKNOWN;
    ev_push(g, GAIT_EV_CONTACT, t_now, s);
    return st;
}

/* Median of a contact-time history (n <= CT_HIST), on the DSP thread. */
static double median_small(const double *h, unsigned n)
{
    double v[CT_HIST];
    memcpy(v, h, n * sizeof *v);
    return stats_median_small(v, n);
}

/* Contact time expected for the stance being measured: median of the last
 * contacts of the same kind (running / walking), else a typical value. */
static double expected_contact_s(const struct gait *g, const struct stance *st)
{
    bool walk = (st->step.flags & GAIT_STEP_WALK) != 0;
    const double *h = walk ? g->ct_walk : g->ct_run;
    unsigned n = walk ? g->ct_walk_n : g->ct_run_n;
    if (n == 0)
        return walk ? 0.65 : 0.25;
    return median_small(h, n);
}

static void stance_push(struct gait *g, struct stance *st, double f, float x, float y, bool alone,
                        double t_now)
{
    if (st->n < st->cap) {
        st->bufx[st->n] = alone ? x : NAN;
        st->bufy[st->n] = alone ? y : NAN;
        st->buf[st->n++] = (float)f;
    }
    if (st->ghost)
        return;
    if (alone && isfinite(x) && f > 0.0) {
        st->sfx += f * x;
        st->sf += f;
    }
    /* The early loading decision is made for every contact (whether it is a
     * walking step is known at toe-off; walking steps report no loading).
     * After a gap it was made (as unknown, if need be) in stance_gap. */
    if (!st->loading_sent && !st->gapped &&
        metrics_loading_early(&g->mc, &st->scan, st->buf, st->n, st->ic_off_s,
                              expected_contact_s(g, st), &st->early) != METRICS_UNDECIDED) {
        st->loading_sent = true;
        struct gait_step *s = &st->step;
        fill_loading(s, &st->early, s->t_ic_s, bodyweight_n(&g->bw));
        ev_push(g, GAIT_EV_LOADING, t_now, s);
    }
}

/* Not a step after all (the latest opened stance only). */
static void stance_discard(struct gait *g, struct stance *st)
{
    if (!st->open)
        return;
    st->open = false;
    if (st->ghost) {
        st->ghost = false;
        return;
    }
    if (st->step.index + 1 == g->next_index) {
        g->next_index--;
        g->open_ic_s = g->open_ic_prev;
        g->open_ic_thr_s = g->open_ic_thr_prev;
    }
}

/* A contact with a short gap inside: plausible as one contact?  (Its IC and
 * TO were observed; a flight hidden in the gap would have merged two.) */
static bool gapped_plausible(const struct gait *g, double contact_s)
{
    const double *h;
    unsigned n;
    if (g->mode == GAIT_MODE_RUNNING) {
        h = g->ct_run;
        n = g->ct_run_n;
    } else if (g->mode == GAIT_MODE_WALKING) {
        h = g->ct_walk;
        n = g->ct_walk_n;
    } else {
        return false;
    }
    return n >= GAP_MIN_HISTORY && contact_s <= GAP_MERGE_RATIO * median_small(h, n);
}

/* Largest force in a gapped stance's data (not-data samples are NAN). */
static double observed_max(const struct stance *st)
{
    double mx = -INFINITY;
    for (size_t i = 0; i < st->n; i++)
        if (st->buf[i] > mx)
            mx = st->buf[i];
    return mx;
}

/* Belt speed, strike, step length and width of a closing stance from its
 * COP (footprint.h), against the previous step's. */
static void footprint_step(struct gait *g, struct stance *st, double contact_s)
{
    struct gait_step *s = &st->step;
    double tmp[SPEED_HIST];
    memcpy(tmp, g->speed_hist, sizeof tmp);
    double v_recent = stats_median_small(tmp, g->speed_n); /* NAN when none */
    double v_given = g->cfg.belt_speed_mps > 0.0 ? g->cfg.belt_speed_mps : NAN;
    struct footprint_in in = {
        .copx_m = st->bufx,
        .copy_m = st->bufy,
        .n = st->n,
        .ic_off_s = st->ic_off_s,
        .period_s = g->period_s,
        .contact_s = contact_s,
        .impact = (s->flags & GAIT_STEP_IMPACT) != 0,
        .force_n = st->buf,
        .belt_given_mps = g->cfg.belt_speed_mps,
    };
    struct footprint_out fo;
    if (footprint_stance(&in, isfinite(v_given) ? v_given : v_recent, &fo) != GC_OK)
        return;
    s->strike = fo.strike == FOOTPRINT_STRIKE_REAR      ? GAIT_STRIKE_REAR
                : fo.strike == FOOTPRINT_STRIKE_NONREAR ? GAIT_STRIKE_NONREAR
                                                        : GAIT_STRIKE_UNKNOWN;
    /* Walking: the stance shares the COP with the other foot most of the
     * time (no mid-stance window of its own): no speed from it. */
    if (!(s->flags & GAIT_STEP_WALK) && isfinite(fo.speed_mps)) {
        s->speed_mps = fo.speed_mps;
    }
    /* The running estimate follows the runner's usual strike: its roll-over
     * correction is the one that fits; a step read the other way (a shoulder
     * that hid the impact peak) would pull the median (footprint.h). */
    bool rear = s->strike == GAIT_STRIKE_REAR;
    if (isfinite(s->speed_mps))
        rear ? g->speed_rear++ : g->speed_nonrear++;
    bool usual = rear ? g->speed_rear >= g->speed_nonrear : g->speed_nonrear >= g->speed_rear;
    if (isfinite(s->speed_mps) && usual) {
        g->speed_hist[g->speed_pos] = fo.speed_mps;
        g->speed_pos = (g->speed_pos + 1) % SPEED_HIST;
        if (g->speed_n < SPEED_HIST)
            g->speed_n++;
        if (!isfinite(v_recent)) {
            memcpy(tmp, g->speed_hist, sizeof tmp);
            v_recent = stats_median_small(tmp, g->speed_n);
        }
    }
    double v = isfinite(v_given) ? v_given : v_recent;
    bool adjacent = isfinite(s->step_ms);
    if (adjacent && isfinite(v) && isfinite(fo.y_ic_m) && isfinite(g->prev_y_ic)) {
        s->step_length_m = v * s->step_ms / 1000.0 + (fo.y_ic_m - g->prev_y_ic);
        s->length_speed_mps = v;
    }
    if (adjacent && isfinite(fo.x_mean_m) && isfinite(g->prev_x_mean))
        s->step_width_m = fabs(fo.x_mean_m - g->prev_x_mean);
    g->prev_y_ic = fo.y_ic_m;
    g->prev_x_mean = fo.x_mean_m;
}

static void stance_close(struct gait *g, struct stance *st, double t_to_raw, double t_to_thr,
                         double t_now)
{
    st->open = false;
    if (st->ghost) {
        st->ghost = false;
        return;
    }
    double contact_s = t_to_raw - st->t_ic_raw;
    struct stance_metrics m;
    bool gapped = st->gapped;
    if (gapped)
        metrics_stance_gap(&g->mc, st->buf, st->n, st->n_obs, st->ic_off_s, contact_s, &m);
    else
        metrics_stance(&g->mc, st->buf, st->n, st->ic_off_s, contact_s, &m);
    double peak = gapped ? observed_max(st) : m.active_n;
    if (contact_s < MIN_CONTACT_S || !(peak >= MIN_STEP_PEAK_N) ||
        (gapped && !gapped_plausible(g, contact_s))) {
        /* A bump or a touch, not a step: its index is reused.  With a gap
         * inside it may have been a step (or two): no step time across it. */
        st->open = true;
        stance_discard(g, st);
        if (gapped)
            g->after_gap = true;
        return;
    }
    double bw = bodyweight_n(&g->bw);
    struct gait_step *s = &st->step;
    if (gapped) {
        s->flags |= GAIT_STEP_GAP_INSIDE;
        if (m.gap_loading)
            s->flags |= GAIT_STEP_GAP_LOADING;
    }
    /* Walking: a stance longer than any run's.  (Beginning in double
     * support is not enough: the first running step after walking does.) */
    if (contact_s > WALK_MIN_CONTACT_S)
        s->flags |= GAIT_STEP_WALK;
    s->t_to_s = t_to_raw - g->delay_s;
    s->t_to_thr_s = t_to_thr - g->delay_s;
    s->contact_ext_ms = contact_s * 1000.0;
    s->contact_ms = (s->t_to_thr_s - s->t_ic_thr_s) * 1000.0;
    if (s->flags & GAIT_STEP_WALK) {
        m.impact = m.lr_fallback = false;
        m.valr_n_s = m.vilr_n_s = NAN;
        s->flags &= ~GAIT_STEP_GAP_LOADING; /* walking steps have no loading anyway */
    }
    fill_loading(s, &m, s->t_ic_s, bw);
    s->active_peak_n = m.active_n;
    s->active_peak_bw = bw_div(m.active_n, bw);
    if (s->flags & GAIT_STEP_WALK) {
        g->ct_walk[g->ct_walk_pos] = contact_s;
        g->ct_walk_pos = (g->ct_walk_pos + 1) % CT_HIST;
        if (g->ct_walk_n < CT_HIST)
            g->ct_walk_n++;
    } else {
        g->ct_run[g->ct_run_pos] = contact_s;
        g->ct_run_pos = (g->ct_run_pos + 1) % CT_HIST;
        if (g->ct_run_n < CT_HIST)
            g->ct_run_n++;
    }
    footprint_step(g, st, contact_s);
    double c = st->sf > 0.0 ? st->sfx / st->sf : NAN;
    enum gait_side prev = GAIT_SIDE_UNKNOWN;
    s->side = g->cop_seen ? side_decide(&g->side, c, &prev) : GAIT_SIDE_UNKNOWN;
    set_mode(g, (s->flags & GAIT_STEP_WALK) ? GAIT_MODE_WALKING : GAIT_MODE_RUNNING);
    g->last_to_s = s->t_to_s;
    g->last_to_thr_s = s->t_to_thr_s;
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

static void discard_all(struct gait *g)
{
    /* Previous foot first so the index bookkeeping unwinds in order. */
    stance_discard(g, &g->st[g->cur]);
    stance_discard(g, &g->st[g->cur ^ 1]);
    g->st[0].open = g->st[1].open = false;
    g->ds = false;
    g->xa_valid = g->xa_frozen = false;
}

/* Long gap: everything open is dropped, everything restarts. */
static void do_gap(struct gait *g, double t_resume, bool emit)
{
    discard_all(g);
    flush_held(g, g->last_t);
    stepdet_reset(&g->det);
    lowpass_reset(&g->lp_f);
    lowpass_reset(&g->lp_m);
    lowpass_reset(&g->lp_my);
    cadence_reset(g->cad);
    bodyweight_break(&g->bw);
    weighin_break(&g->wi);
    side_break(&g->side);
    g->after_gap = true;
    g->have_last = false;
    g->gap_pending = false;
    g->bad_left = 0;
    if (emit)
        ev_push(g, GAIT_EV_GAP, t_resume, NULL);
}

/* An open stance goes through a short gap: its data end here for the
 * metrics (n_obs); m missing samples keep the buffer's time axis.  An
 * early loading decision that was not made before the gap can no longer
 * be made: LOADING is sent now with the loading unknown. */
static void stance_gap(struct gait *g, struct stance *st, size_t m, double t_now)
{
    if (!st->open || st->ghost)
        return;
    if (!st->gapped) {
        st->gapped = true;
        st->n_obs = st->n;
    }
    for (size_t i = 0; i < m && st->n < st->cap; i++)
        st->buf[st->n++] = NAN;
    if (!st->loading_sent) {
        st->loading_sent = true;
        struct gait_step *s = &st->step;
        struct stance_metrics u;
        memset(&u, 0, sizeof u);
        u.impact_n = u.t_impact_s = u.valr_n_s = u.vilr_n_s = NAN;
        fill_loading(s, &u, s->t_ic_s, bodyweight_n(&g->bw));
        s->flags |= GAIT_STEP_GAP_INSIDE | GAIT_STEP_GAP_LOADING;
        ev_push(g, GAIT_EV_LOADING, t_now, s);
    }
}

/* Short gap before the sample at t_next (m samples missing).  Nothing is
 * interpolated: the filters restart at t_next, the next settle samples are
 * marked not-data (stepdet_gap, rbad), open contacts continue with the gap
 * in their buffers, and stepdet reports a contact whose edge was hidden. */
static void short_gap(struct gait *g, double t_next, size_t m)
{
    uint32_t settle = (uint32_t)ceil(GAIT_GAP_SETTLE_S * g->cfg.rate_hz);
    if (settle < 1)
        settle = 1;
    /* Spectral cadence: the window keeps its time axis with the last
     * filtered value held over the missing samples (an 8 s spectrum does
     * not see 50 ms of it; dropping them would shift every later sample). */
    double yl = g->n ? g->ry[(g->n - 1) & RMASK] : 0.0;
    for (size_t i = 0; i < m; i++)
        cadence_push(g->cad, yl);
    lowpass_reset(&g->lp_f);
    lowpass_reset(&g->lp_m);
    lowpass_reset(&g->lp_my);
    stepdet_gap(&g->det, settle);
    g->bad_left = settle;
    /* Body weight needs whole steps of data; a weigh-in, unbroken data. */
    bodyweight_break(&g->bw);
    weighin_break(&g->wi);
    if (g->ds) {
        /* Double support (walking): the split between the feet needs the
         * COP throughout; both feet are followed as ghosts (the latest
         * first, so their indices are given back in order). */
        for (int i = 0; i < 2; i++) {
            struct stance *st = &g->st[i ? g->cur ^ 1 : g->cur];
            if (!st->open)
                continue;
            stance_discard(g, st);
            st->open = st->ghost = true;
        }
        g->after_gap = true;
    } else {
        stance_gap(g, &g->st[g->cur], m, t_next);
    }
    g->xa_frozen = false;
}

/* The sample at t_next follows a gap (marked or seen in the input times). */
static void handle_gap(struct gait *g, double t_next, bool emit)
{
    double dt = t_next - g->last_t;
    double missing_s = dt - g->period_s;
    if (missing_s > GAIT_GAP_SHORT_S + 0.5 * g->period_s) {
        do_gap(g, t_next, emit);
        return;
    }
    long m = lround(dt / g->period_s) - 1;
    if (emit)
        ev_push(g, GAIT_EV_GAP, t_next, NULL);
    short_gap(g, t_next, m > 0 ? (size_t)m : 0);
}

/* A contact's edge was hidden by a short gap (stepdet): what is open is
 * dropped (indices given back) and the next step spans no gap. */
static void lost_contact(struct gait *g)
{
    discard_all(g);
    flush_held(g, g->last_t);
    g->after_gap = true;
}

/* ---- walking: splitting one contact of the total force into feet ----
 *
 *   COP x   xB ..................______      In single support the COP sits
 *                               /            on the foot (xa, tracked).  When
 *                              /             the other foot lands, the COP
 *   xa ______________________ /              moves towards it: the new foot
 *                  IC_B ^    ^ TO_A          carries  F_B = Fz |x - xa| / sep
 *                                            (lever rule on the line between
 * the feet).  IC_B: F_B crosses time_n (tangent onset, like stepdet).  When
 * the COP has settled on the new foot, its position xB is known exactly and
 * the old foot's share F_A = Fz (xB - x) / (xB - xa) gives TO_A. */

/* Force above baseline at ring index i. */
static double ring_f(const struct gait *g, uint64_t i)
{
    return g->ry[i & RMASK] - stepdet_baseline(&g->det);
}

static void split_start(struct gait *g, uint64_t k, double t_now)
{
    struct stance *a = &g->st[g->cur];
    double tn = g->cfg.time_n, sep = g->sep_m;
    /* Look back for the crossing of time_n by the new foot's share. */
    uint64_t lim = g->n > RING - 2 ? g->n - (RING - 2) : 0;
    uint64_t i = k;
    /* Signed towards the new foot: |x - xa| would rectify the COP noise
     * into a positive share and time the contact early. */
    double dir = g->rx[k & RMASK] >= g->xa ? 1.0 : -1.0;
    double fb1 = ring_f(g, k) * dir * (g->rx[k & RMASK] - g->xa) / sep, fb0 = fb1;
    bool hidden = false;
    while (i > lim && g->rt[(i - 1) & RMASK] > a->t_ic_raw) {
        if (g->rbad[(i - 1) & RMASK]) {
            /* The new foot's share rose inside a short gap: IC hidden. */
            hidden = true;
            break;
        }
        float x0 = g->rx[(i - 1) & RMASK];
        fb0 = isfinite(x0) ? ring_f(g, i - 1) * dir * (x0 - g->xa) / sep : 0.0;
        if (fb0 <= tn)
            break;
        fb1 = fb0;
        i--;
    }
    /* crossing between i-1 (<= tn) and i (> tn) */
    double t0 = g->rt[(i - 1) & RMASK], t1 = g->rt[i & RMASK];
    double fr = fb1 > fb0 ? (tn - fb0) / (fb1 - fb0) : 0.0;
    double tc = t0 + fr * (t1 - t0);
    if (hidden)
        tc = t1;
    double tc_thr = tc;
    if (!hidden && t1 > t0)
        tc += SPLIT_TANGENT_SHARE / STEPDET_TANGENT_SHARE *
              stepdet_extrapolate(tn, (fb1 - fb0) / (t1 - t0));
    g->xb_est = g->xa + dir * sep;
    g->ds = true;
    g->split_t = tc;
    g->split_k = k;
    /* The old foot's buffer got the whole force since tc: take the new
     * foot's share back out. */
    uint64_t j = ring_after(g, tc);
    size_t m = (size_t)(g->n - j);
    if (m > a->n)
        m = a->n;
    for (size_t q = 0; q < m; q++) {
        uint64_t r = j + q;
        float x = g->rx[r & RMASK];
        double w = isfinite(x) ? fabs(x - g->xa) / sep : 0.0;
        if (w > 1.0)
            w = 1.0;
        a->buf[a->n - m + q] -= (float)(ring_f(g, r) * w);
    }
    g->cur ^= 1;
    struct stance *b = stance_open(g, g->cur, tc, tc_thr, t_now, true, hidden);
    for (uint64_t r = j; r < g->n; r++) {
        float x = g->rx[r & RMASK];
        double w = isfinite(x) ? fabs(x - g->xa) / sep : 0.0;
        if (w > 1.0)
            w = 1.0;
        stance_push(g, b, ring_f(g, r) * w, x, NAN, false, t_now);
    }
    set_mode(g, GAIT_MODE_WALKING);
}

/* The COP has settled on the new foot: time the old foot's toe-off. */
static void split_finish(struct gait *g, double t_now)
{
    struct stance *a = &g->st[g->cur ^ 1];
    uint64_t k = g->n - 1;
    double xb = g->rx[k & RMASK];
    double span = xb - g->xa;
    double tn = g->cfg.time_n;
    if (fabs(span) >= SEP_MIN_M)
        g->sep_m += SEP_ALPHA * (fabs(span) - g->sep_m);
    else
        span = span >= 0.0 ? SEP_MIN_M : -SEP_MIN_M;
    /* Last sample where the old foot still carried time_n, searching back
     * to the split. */
    uint64_t i = k;
    double fa1 = 0.0, fa0 = 0.0;
    while (i > g->split_k - 1 && i > 0) {
        float x = g->rx[i & RMASK];
        fa0 = isfinite(x) ? ring_f(g, i) * (xb - x) / span : 0.0;
        if (fa0 >= tn)
            break;
        fa1 = fa0;
        i--;
    }
    double t0 = g->rt[i & RMASK], t1 = g->rt[(i + 1) & RMASK];
    double fr = fa0 > fa1 ? (fa0 - tn) / (fa0 - fa1) : 0.0;
    double to = t0 + fr * (t1 - t0);
    double to_thr = to;
    if (t1 > t0)
        to += stepdet_extrapolate(tn, (fa1 - fa0) / (t1 - t0));
    if (to < g->split_t)
        to = g->split_t;
    if (to_thr < g->split_t)
        to_thr = g->split_t;
    g->ds = false;
    g->xa = xb;
    g->xa_valid = true;
    g->xa_frozen = false;
    stance_close(g, a, to, to_thr, t_now);
}

static void contact_sample(struct gait *g, uint64_t k, double t, double f, float x, float y)
{
    struct stance *cur = &g->st[g->cur];
    if (!g->ds) {
        bool split = false;
        if (isfinite(x) && g->cop_seen) {
            if (!g->xa_valid) {
                g->xa = x;
                g->xa_valid = true;
            }
            double fb = f * fabs(x - g->xa) / g->sep_m;
            if (g->xa_frozen && t - g->frozen_t > FREEZE_MAX_S) {
                /* A landing loads the new foot from time_n to detect_n in a
                 * few ms; a slow drift of the foot's own COP does not:
                 * re-anchor on the foot. */
                g->xa = x;
                g->xa_frozen = false;
                fb = 0.0;
            }
            if (t - cur->t_ic_raw >= MIN_SPLIT_S && fb >= g->cfg.time_n) {
                if (!g->xa_frozen)
                    g->frozen_t = t;
                g->xa_frozen = true;
                split = fb > g->cfg.detect_n;
            } else {
                g->xa_frozen = false;
                g->xa += (x - g->xa) * fmin(1.0, g->period_s / XA_TAU_S);
            }
        }
        stance_push(g, cur, f, x, y, !g->xa_frozen, t);
        if (split)
            split_start(g, k, t);
        return;
    }
    /* Double support: share the force between the feet. */
    struct stance *a = &g->st[g->cur ^ 1];
    double sep = fabs(g->xb_est - g->xa);
    double w = isfinite(x) ? fabs(x - g->xa) / sep : 1.0;
    if (w > 1.0)
        w = 1.0;
    stance_push(g, a, f * (1.0 - w), x, NAN, false, t);
    stance_push(g, cur, f * w, x, NAN, false, t);
    uint64_t d = (uint64_t)ceil(SETTLE_S * g->cfg.rate_hz);
    if (isfinite(x) && k >= g->split_k + d) {
        float xo = g->rx[(k - d) & RMASK];
        bool moved = fabs(x - g->xa) >= 0.5 * fmin(sep, g->sep_m);
        if (moved && isfinite(xo) && fabs(x - xo) <= SETTLE_V_MPS * SETTLE_S)
            split_finish(g, t);
    }
}

static void one_sample(struct gait *g, const struct gait_sample *in)
{
    double t = in->t_s;
    double fz = isfinite(in->fz_n) ? in->fz_n : (g->n ? g->ry[(g->n - 1) & RMASK] : 0.0);
    float cx = in->copx_m, cy = in->copy_m;
    bool cy_seen = isfinite(cy);
    if (isfinite(cx)) {
        g->last_copx = cx;
        g->cop_seen = true;
    } else if (g->cop_seen) {
        cx = g->last_copx;
    } else {
        cx = 0.0f;
    }
    if (cy_seen)
        g->last_copy = cy;
    else
        cy = g->cop_seen ? g->last_copy : 0.0f;
    double y = lowpass_step(&g->lp_f, fz);
    double mx = lowpass_step(&g->lp_m, fz * (double)cx);
    double my = lowpass_step(&g->lp_my, fz * (double)cy);
    float xf = (g->cop_seen && y >= DECK_COP_MIN_N) ? (float)(mx / y) : NAN;
    float yf = (g->cop_seen && isfinite(in->copy_m) && y >= DECK_COP_MIN_N) ? (float)(my / y) : NAN;
    uint64_t k = g->n++;
    bool bad = g->bad_left > 0;
    if (bad)
        g->bad_left--;
    g->ry[k & RMASK] = (float)y;
    g->rx[k & RMASK] = xf;
    g->rcy[k & RMASK] = yf;
    g->rt[k & RMASK] = t;
    g->rbad[k & RMASK] = bad;
    g->last_t = t;
    g->have_last = true;
    cadence_push(g->cad, y);

    double tc = 0.0;
    int ev = stepdet_push(&g->det, t, y, &tc);
    double base = stepdet_baseline(&g->det);
    bodyweight_sample(&g->bw, y - base);
    if (bad) {
        weighin_break(&g->wi);
    } else if (weighin_push(&g->wi, t, y - base) && !g->bw_from_mass) {
        g->wi_zero_n = base;
        g->wi_flights = g->det.base.flights;
        g->wi_zero_corrected = false;
        bodyweight_set(&g->bw, weighin_weight_n(&g->wi));
    }
    if (ev == STEPDET_ON && !g->bw_from_mass && isfinite(weighin_weight_n(&g->wi)) &&
        !g->wi_zero_corrected && g->det.base.flights > g->wi_flights) {
        /* the flights after the weigh-in measure the empty deck: follow
         * the zero they settle to (the first one still holds the tail of
         * stepping off) for WEIGHIN_ZERO_FLIGHTS flights, then hold */
        bodyweight_set(&g->bw, weighin_weight_n(&g->wi) + g->wi_zero_n - base);
        g->wi_zero_corrected = g->det.base.flights - g->wi_flights >= WEIGHIN_ZERO_FLIGHTS;
    }
    if (ev == STEPDET_ON) {
        g->ds = false;
        g->xa_valid = g->xa_frozen = false;
        struct stance *st = stance_open(g, g->cur, tc, g->det.t_thr_s, t, false, false);
        /* Samples between the onset and now. */
        for (uint64_t i = ring_after(g, tc); i < g->n; i++)
            stance_push(g, st, ring_f(g, i), g->rx[i & RMASK], g->rcy[i & RMASK], true, t);
    } else if (ev == STEPDET_OFF) {
        /* Both feet leave (a flight): the previous foot too, if still on. */
        if (g->ds) {
            g->ds = false;
            stance_close(g, &g->st[g->cur ^ 1], tc, g->det.t_thr_s, t);
        }
        if (g->st[g->cur].open)
            stance_close(g, &g->st[g->cur], tc, g->det.t_thr_s, t);
        g->xa_valid = g->xa_frozen = false;
    } else if (ev == STEPDET_LOST) {
        lost_contact(g);
    } else if (g->st[g->cur].open) {
        if (bad) {
            /* Not data: kept out of every stance's metrics and COP. */
            stance_push(g, &g->st[g->cur], NAN, NAN, NAN, false, t);
            if (g->ds)
                stance_push(g, &g->st[g->cur ^ 1], NAN, NAN, NAN, false, t);
        } else {
            contact_sample(g, k, t, y - base, xf, yf);
        }
        struct stance *cur = &g->st[g->cur];
        if (t - cur->t_ic_raw > MAX_CONTACT_S || cur->n >= cur->cap ||
            (g->ds && t - g->split_t > MAX_DS_S)) {
            /* Standing still (or a double support that never resolves). */
            discard_all(g);
            stepdet_abort(&g->det);
            set_mode(g, GAIT_MODE_STANDING);
            side_break(&g->side);
            bodyweight_break(&g->bw);
            g->open_ic_s = g->open_ic_thr_s = NAN;
        }
    }
    if (g->mode != GAIT_MODE_STANDING && g->mode != GAIT_MODE_IDLE && isfinite(g->last_step_t) &&
        t - g->last_step_t > IDLE_S && !g->st[g->cur].open)
        set_mode(g, GAIT_MODE_IDLE);
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
        if (g->have_last && (g->gap_pending || t - g->last_t > GAP_PERIODS * period))
            handle_gap(g, t, !g->gap_pending);
        g->gap_pending = false;
        one_sample(g, &in[i]);
    }
    return ev_pop(g, out, cap);
}

int gait_mark_gap(struct gait *g, double t_resume_s, struct gait_event *out, size_t cap)
{
    if (!g || (cap && !out))
        return GC_ERR_ARG;
    if (g->have_last &&
        t_resume_s - g->last_t - g->period_s <= GAIT_GAP_SHORT_S + 0.5 * g->period_s) {
        /* Possibly short: decided by the time of the next sample. */
        if (!g->gap_pending)
            ev_push(g, GAIT_EV_GAP, t_resume_s, NULL);
        g->gap_pending = true;
    } else {
        do_gap(g, t_resume_s, true);
    }
    return ev_pop(g, out, cap);
}

int gait_flush(struct gait *g, struct gait_event *out, size_t cap)
{
    if (!g || (cap && !out))
        return GC_ERR_ARG;
    /* An open contact has no toe-off: it is not a complete step. */
    discard_all(g);
    flush_held(g, g->last_t);
    cadence_flush(g->cad);
    return ev_pop(g, out, cap);
}

void gait_get_status(const struct gait *g, struct gait_status *st)
{
    memset(st, 0, sizeof *st);
    st->mode = g->mode;
    st->in_contact = g->st[g->cur].open;
    st->body_weight_n = bodyweight_n(&g->bw);
    st->bw_source = g->bw_from_mass                            ? GAIT_BW_MASS
                    : isfinite(weighin_weight_n(&g->wi))        ? GAIT_BW_WEIGH_IN
                    : isfinite(st->body_weight_n)               ? GAIT_BW_ESTIMATE
                                                                : GAIT_BW_NONE;
    st->baseline_n = stepdet_baseline(&g->det);
    double tmp[CAD_HIST];
    memcpy(tmp, g->cad_hist, sizeof tmp);
    st->cadence_step_spm = stats_median_inplace(tmp, g->cad_n); /* NAN when none */
    st->cadence_spectral_spm = cadence_spm(g->cad);
    st->cadence_agreement = fabs(st->cadence_step_spm - st->cadence_spectral_spm);
    st->steps = g->steps;
    st->steps_left = g->steps_l;
    st->steps_right = g->steps_r;
    st->t_last_s = g->last_t;
}
