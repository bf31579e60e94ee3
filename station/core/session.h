/*
 * session.h - the pure session model.
 *
 * Two halves, both pure (no I/O, no allocation, no logging):
 *
 * 1. The live model (struct session, caller's storage): the one owner of
 *    the session's state (below, "live model").  Thread: one session
 *    object belongs to one thread (the main thread in `station run`).
 *
 * 2. Aggregates (struct session_acc -> struct session_stats): cadence,
 *    contact time, impact peak, VALR, VILR, share in band, L/R symmetry.
 *    The live baseline, the per-minute summaries, the report tables and the
 *    progress report all go through these same functions, so a figure on
 *    paper equals the figure computed again from the stored steps.
 *    Definitions (docs/sessions.md):
 *      cadence      = 60000 / mean(step_ms) over steps that have a step time
 *                     (steps per minute actually taken; robust to a single
 *                     odd step, unlike the mean of per-step cadences)
 *      contact_ms, impact_peak_bw, valr_bw_s, vilr_bw_s, active_peak_bw
 *                   = mean over the steps where the value exists (the impact
 *                     peak is absent in many mid/forefoot strikes: n_impact
 *                     says how many steps had one)
 *      share_in_band = steps with cadence inside the band / steps that had a
 *                     band and a cadence
 *      symmetry index SI = 100 * (L - R) / ((L + R) / 2), % (0 = symmetric,
 *                     + = left larger), for contact time and VALR
 *    Thread: any.
 *
 * Time: t_*_s are sensor time; "relative" times are s since session start.
 */
#ifndef GC_SESSION_H
#define GC_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gait.h"
#include "gc_error.h"
#include "plan.h"

/* Davis et al. 2016: VALR above this marks raised injury risk, BW/s. */
#define SESSION_VALR_RISK_BW_S 66.0

/* A completed step as stored: the analysis step plus session context. */
struct session_step {
    struct gait_step step;
    int phase;            /* index into the plan's phases, -1 outside the plan */
    int8_t in_band;       /* cadence inside the band: 1/0, -1 no band or no cadence */
    int8_t under_ceiling; /* VALR <= ceiling: 1/0, -1 no ceiling or no VALR */
};

/* Targets in force at one moment.  NAN = no such target. */
struct session_targets {
    double cadence_spm;    /* target cadence */
    double cadence_lo_spm; /* band */
    double cadence_hi_spm;
    double valr_ceiling_bw_s; /* loading-rate ceiling */
    enum plan_feedback feedback;
    double feedback_share; /* share of steps that get feedback now, 0..1 */
};

/* ---- aggregates ---------------------------------------------------- */

struct session_acc {
    size_t n, n_left, n_right;
    size_t n_step, n_contact, n_impact, n_valr, n_vilr, n_active;
    size_t n_band, n_in_band, n_ceil, n_under, n_risk;
    size_t n_contact_l, n_contact_r, n_valr_l, n_valr_r;
    double sum_step_ms, sum_contact_ms, sum_impact_bw, sum_valr, sum_vilr, sum_active_bw;
    double sum_contact_l, sum_contact_r, sum_valr_l, sum_valr_r;
    double t_first_s, t_last_s; /* first and last IC */
};

struct session_stats {
    size_t n_steps, n_left, n_right;
    double duration_s;  /* first IC to last IC */
    double cadence_spm; /* 60000 / mean step_ms */
    double contact_ms;
    double impact_peak_bw;
    size_t n_impact; /* steps with an impact peak */
    double valr_bw_s;
    double vilr_bw_s;
    double active_peak_bw;
    double share_in_band;       /* 0..1; NAN when no step had a band */
    double share_under_ceiling; /* 0..1; NAN when no step had a ceiling */
    double share_valr_risk;     /* share of steps with VALR > 66 BW/s; NAN if no VALR */
    double contact_l_ms, contact_r_ms;
    double valr_l_bw_s, valr_r_bw_s;
    double si_contact_pct; /* symmetry index, contact time */
    double si_valr_pct;    /* symmetry index, VALR */
};

void session_acc_init(struct session_acc *a);
void session_acc_add(struct session_acc *a, const struct session_step *s);
void session_acc_finish(const struct session_acc *a, struct session_stats *out);

/* Phase masks select steps by phase index (bit i = phase i). */
#define SESSION_ALL_PHASES   UINT64_MAX
#define SESSION_PHASE_BIT(i) ((uint64_t)1 << (i))

/* Stats of the steps whose phase is in mask (SESSION_ALL_PHASES takes
 * every step, even those outside the plan). */
void session_stats_compute(const struct session_step *steps, size_t n, uint64_t phase_mask,
                           struct session_stats *out);

/* Stats of the steps with t0 + from_s <= t_ic_s < t0 + to_s. */
void session_stats_window(const struct session_step *steps, size_t n, double t0_s, double from_s,
                          double to_s, struct session_stats *out);

/* Decimal places of each figure in reports and exports.  Tests format
 * with the same function, so a printed figure is compared as text. */
enum {
    SESSION_DEC_CADENCE = 1,
    SESSION_DEC_CONTACT = 0,
    SESSION_DEC_PEAK_BW = 2,
    SESSION_DEC_RATE = 1,  /* VALR, VILR */
    SESSION_DEC_SHARE = 0, /* percent */
    SESSION_DEC_SI = 1,
};

/* v with `decimals` places into buf; "-" when v is NAN.  Returns buf. */
char *session_fmt(char *buf, size_t cap, double v, int decimals);

/* ---- timing -------------------------------------------------------- */

/* Phase active at rel_s seconds after the start (phases are back to
 * back), -1 before 0, (int)n_phases at or after the end.  phase_left_s (may
 * be NULL) receives the time left in that phase. */
int session_phase_at(const struct plan *p, double rel_s, double *phase_left_s);

/* Start of phase i, s after session start. */
double session_phase_start(const struct plan *p, size_t i);

/* ---- live model: the one owner of the session's state ----------------
 *
 * struct session decides everything the runner, the PT and the report see
 * about the session: the phase (from the plan's clock or a PT command), the
 * baseline (cadence, VALR, contact time) and the body weight, the targets
 * and bands, the feedback mode and fading, the run/walk interval, and, for
 * every completed step, whether it was in the band and under the ceiling.
 * Every change - a protocol phase beginning, a key, a control-socket line -
 * is a typed command (struct session_cmd) or a clock advance
 * (session_update); each change is returned as a struct session_event with
 * its session time and source, for the feedback policy to follow, the
 * display to show and the recorder to store.  Nothing else decides any of
 * it: the feedback policy is told (feedback_apply_settings), the report
 * reads the stored steps and events.
 *
 * Steps are judged with the targets in force at their initial contact
 * (a short history of changes is kept, so a step that completes after a
 * change is still judged by what the runner was given during it).
 *
 * "In band": the step's stride cadence, 120000 / (this step time + the
 * previous step time), lies inside [cadence_lo_spm, cadence_hi_spm].  The
 * stride cadence cancels the left/right step-time asymmetry most runners
 * have.  Steps in phases without a cadence band (weigh-in, baseline,
 * retention, walks) are not scored (in_band = -1).
 * "Under the ceiling": VALR <= the VALR ceiling in force (-1: none).
 *
 * Phases without a cadence/loading target in their plan have none: a
 * loading-only phase gives no cadence cue and no metronome.  PT changes
 * hold until the PT changes them again; they apply in the phases that give
 * feedback (training, run) and are kept, not applied, in the others.
 *
 * Pure: no I/O, no allocation, no clock.  Time: t_*_s are sensor time.
 * Thread: one session object belongs to one thread (the main thread of
 * `station run`; the thread of a test or an import).
 */

struct session_baseline {
    bool valid; /* the baseline phase gave at least SESSION_BASELINE_MIN_STEPS */
    size_t n_steps;
    double cadence_spm;
    double valr_bw_s; /* NAN if no step had a VALR */
    double contact_ms;
};

/* Fewer steps than this in the baseline phase leave relative targets
 * unresolved (about 10 s of running: below that the mean moves by more
 * than the +/-3 % band).  The session says so (a BASELINE event with
 * valid = false) and no relative target is invented. */
#define SESSION_BASELINE_MIN_STEPS 30

/* Changes kept for judging late steps. */
#define SESSION_HISTORY 64

/* A faded phase that is open (no planned duration) fades over this long, s. */
#define SESSION_OPEN_FADE_S 600.0

enum session_event_kind {
    SESSION_EV_PHASE = 1,    /* phase `phase` began at t_s */
    SESSION_EV_BASELINE = 2, /* baseline figures are known (or invalid) */
    SESSION_EV_END = 3,      /* the last phase ended: the protocol is complete */
    SESSION_EV_TARGETS = 4,  /* a PT changed targets, band, ceiling or mode */
};

/* One change of the session's state. */
struct session_event {
    enum session_event_kind kind;
    int phase;  /* phase in force after the change */
    double t_s; /* sensor time of the change */
    bool added; /* PHASE: the phase was appended by a PT command (ad hoc) */
    char source[16];                /* "protocol", "keyboard", "ctl", ... */
    struct session_targets targets; /* everything in force after the change */
    char note[96];                  /* e.g. "target-cadence=176.0", "training begins" */
};

/* Typed commands (keys, control socket and plans all use these). */
enum session_cmd_kind {
    /* Accepted values: ranges.h (RANGE_*), the one definition. */
    SESSION_CMD_CADENCE = 1,    /* value: absolute target, steps/min; NAN = none */
    SESSION_CMD_CADENCE_REL,    /* value: % over the baseline cadence */
    SESSION_CMD_BAND,           /* value: band half-width, % of the target */
    SESSION_CMD_VALR_CEILING,   /* value: BW/s; NAN = none */
    SESSION_CMD_FEEDBACK,       /* arg: enum plan_feedback */
    SESSION_CMD_PHASE,          /* arg: enum plan_kind (not intervals) */
    SESSION_CMD_BASELINE,       /* value: baseline cadence set by the PT, steps/min */
};

struct session_cmd {
    enum session_cmd_kind kind;
    double value;
    int arg;
};

/* Everything a screen shows about the session at one moment.  Plain data. */
struct session_view {
    int phase; /* -1 before start, n_phases after the end */
    size_t n_phases;
    char phase_name[PLAN_NAME_MAX];
    enum plan_kind kind;
    double phase_s;      /* time in the phase */
    double phase_left_s; /* INFINITY for an open phase */
    int interval, intervals; /* run/walk n of N (0 when not an interval) */
    bool ended;
    struct session_targets targets;
    double fade_from, fade_to, fade_duration_s; /* the plan's fade (faded mode) */
    struct session_baseline baseline;
    bool baseline_done; /* a baseline phase has ended (baseline.valid says if usable) */
    size_t baseline_steps; /* running steps collected in baseline phases so far */
    double body_weight_n; /* NAN until weighed or estimated */
    size_t steps;         /* every completed step */
    size_t steps_scored;  /* steps judged against a band */
    size_t steps_in_band;
    size_t steps_loaded; /* steps judged against a ceiling */
    size_t steps_over;   /* ... and over it */
    double share_in_band; /* steps_in_band / steps_scored, NAN if none */
    /* The PT's cadence setting (target-cadence or target-relative), which
     * holds over the plan's in every phase that gives feedback:
     * cadence_by_pt says one is set; pending_cadence_spm is the target it
     * will give from the next feedback phase while the current phase gives
     * none (NAN otherwise, or when a relative one has no baseline yet). */
    bool cadence_by_pt;
    double pending_cadence_spm;
};

struct session_regime {
    double t_s;
    int phase;
    struct session_targets targets;
};

struct session {
    struct plan plan; /* may grow: a PT command can append an open ad hoc phase */
    double t0_s;      /* sensor time of the session start */
    int phase;        /* current phase, -1 before start, n_phases after end */
    double phase_start_s;
    struct session_targets targets; /* in force now */
    struct session_acc base_acc;
    struct session_baseline baseline;
    bool baseline_done;
    double body_weight_n;
    /* PT settings, held until changed (NAN / false: follow the plan) */
    double pt_cadence_spm, pt_cadence_rel_pct, pt_band_pct, pt_ceiling_bw_s;
    bool pt_cadence, pt_cadence_rel, pt_ceiling, pt_feedback;
    enum plan_feedback pt_feedback_mode;
    /* what was in force when (for steps that complete after a change) */
    struct session_regime hist[SESSION_HISTORY];
    unsigned hist_n, hist_head;
    double prev_step_ms; /* for the stride cadence */
    struct session_acc acc; /* every judged step */
    double t_last_s;
};

/* Start following plan (copied) at sensor time t0_s. */
void session_init(struct session *s, const struct plan *p, double t0_s);

/* Advance to sensor time t_s; writes phase/baseline/end events and returns
 * how many (>= 0).  Give cap >= 2; crossings that do not fit are reported
 * by the next call. */
int session_update(struct session *s, double t_s, struct session_event *out, size_t cap);

/* Apply one command at sensor time t_s (source: who asked).  On success
 * returns GC_OK and writes the events it caused (at most 3: baseline,
 * phase/targets) to out[0..*n_out).  On a refused value returns GC_ERR_ARG
 * and diag says what is accepted ("band must be ..."). */
GC_MUST_CHECK int session_apply(struct session *s, const struct session_cmd *c, double t_s,
                                const char *source, struct session_event out[3], int *n_out,
                                struct gc_diag *diag);

/* Judge a completed step (phase, in_band, under_ceiling by what was in
 * force at its initial contact), learn the baseline from it and count it. */
void session_add_step(struct session *s, struct session_step *st);

/* Body weight from the weigh-in (or the estimate), N. */
void session_set_body_weight(struct session *s, double body_weight_n);

void session_get_targets(const struct session *s, struct session_targets *out);
void session_get_view(const struct session *s, struct session_view *out);

/* True when the phase gives feedback (training, run): targets apply. */
bool session_phase_gives_feedback(const struct plan_phase *ph);

/* Shorthands for tests and imports: a PT change through session_apply
 * (source "therapist"); its code and diag. */
GC_MUST_CHECK int session_set_cadence_target(struct session *s, double cadence_spm,
                                             double half_band_spm, struct gc_diag *diag);
GC_MUST_CHECK int session_set_valr_ceiling(struct session *s, double ceiling_bw_s,
                                           struct gc_diag *diag);

/* Targets a phase asks for, given the baseline (NAN fields when relative
 * and the baseline is not valid).  Used live and by reports. */
void session_resolve_targets(const struct plan_phase *ph, const struct session_baseline *b,
                             struct session_targets *out);

/* Baseline figures from stats (valid if n_steps >= SESSION_BASELINE_MIN_STEPS). */
void session_baseline_from_stats(const struct session_stats *st, struct session_baseline *out);

/* Stride cadence of a step from its step time and the previous one's
 * (steps/min; NAN when this step has no step time). */
double session_stride_cadence(double step_ms, double prev_step_ms);

/* Decide in_band / under_ceiling of one step against targets, with the
 * step's stride cadence (see above). */
void session_judge_step(const struct session_targets *t, double stride_cadence_spm,
                        struct session_step *st);

#endif
