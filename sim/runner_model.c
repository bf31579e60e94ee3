/*
 * runner_model.c - simulated runner on an instrumented treadmill deck.
 *
 * Method and sources: docs/simulator.md.  In short, every contact is one
 * foot's vertical force curve (a shape function scaled so that its impulse
 * balances body weight over the step), placed on the deck at a foot
 * position that rides backwards with the belt while the centre of pressure
 * rolls forwards along the foot.  The four cell forces follow from rigid
 * plate statics.  Noise, drift, gain errors and offsets are added at the
 * cells; the IMU sees gravity, mount tilt, biases and deck vibration.
 */
#include "runner_model.h"
#include "readiness_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* ---- constants of the model (values and sources in docs/simulator.md) ---- */

/* Running: contact time = RUN_DUTY x step time (at the preferred cadence).
 * 0.68 gives 237 ms at 172 spm; contact time falls with cadence. */
#define RUN_DUTY_REAR 0.66
#define RUN_DUTY_FORE 0.69
#define RUN_DUTY_CV   0.02
/* Active shape sin(pi w)^P_ACT with w = u^K_WARP: peak at 45 % of stance. */
#define P_ACT     1.5
#define PEAK_FRAC 0.45
/* Impact transient (rearfoot): total force at the impact peak, in BW. */
#define IMPACT_BW       1.65
#define IMPACT_BW_SD    0.10
#define IMPACT_T_S      0.028
#define IMPACT_T_SD     0.0025
#define IMPACT_DECAY_S  0.008
#define IMPACT_DECAY_CV 0.10
/* Higher cadence -> lower impact (Heiderscheit 2011; Willy 2016). */
#define IMPACT_CADENCE_EXP 1.5
/* Step-to-step amplitude variability of the impulse (fraction). */
#define AMP_CV 0.02
/* Walking: stance = WALK_STANCE x step time (60 % of the stride, i.e.
 * about 20 % of the cycle in double support). */
#define WALK_STANCE    1.20
#define WALK_STANCE_CV 0.02
#define WALK_B         0.35 /* depth of the mid-stance valley (sin 3 pi u term) */
#define WALK_B_SD      0.03
#define WALK_C         0.03 /* first/second hump asymmetry (sin 2 pi u term) */
#define WALK_C_SD      0.02
/* Cadence control loop: fraction of the error closed per step. */
#define CAD_ALPHA_PREF  0.30
#define CAD_ALPHA_METRO 0.10
#define CAD_NOISE       0.001 /* per-step random walk, fraction of cadence */
#define CAD_METRO_RANGE 0.20  /* metronome followed only within +/- 20 % */
#define IC_JITTER       0.012 /* IC timing jitter, fraction of the step time */
#define TRUNC_SD        2.5   /* every random step parameter is truncated here */
/* Foot placement: half step width (m) and wander of the runner on the deck. */
#define RUN_HALF_WIDTH_M  0.06
#define WALK_HALF_WIDTH_M 0.08
#define HALF_WIDTH_SD_M   0.015
#define HALF_WIDTH_MIN_M  0.035
#define FOOT_ML_SHIFT_M   0.005 /* COP lateral -> medial within the foot */
#define WANDER_X_SD_M     0.008
#define WANDER_X_MAX_M    0.02
#define WANDER_X_TAU_S    5.0
#define WANDER_Y_SD_M     0.04
#define WANDER_Y_MAX_M    0.12
#define WANDER_Y_TAU_S    8.0
/* COP progression along the foot during stance (m). */
#define PROG_REAR_M 0.15
#define PROG_FORE_M 0.04
#define PROG_WALK_M 0.25
/* Intervals: cadence/speed ramps last 2 x RAMP_HALF_S around a change. */
#define RAMP_HALF_S 2.0
/* First contact this long after the activity starts (empty deck before). */
#define FIRST_IC_DELAY_S 0.10
/* Standing: weight handed over to the first steps over this time. */
#define STAND_HANDOVER_S   0.30
#define SWAY_X_SD_M        0.004
#define SWAY_Y_SD_M        0.006
#define SWAY_TAU_S         1.0
#define SWAY_F_SD          0.004 /* force fluctuation while standing, fraction of BW */
#define SWAY_F_TAU_S       0.5
#define STAND_HALF_WIDTH_M 0.10
/* Noise: share of the noise RMS that is white (rest: belt/motor hum). */
#define NOISE_WHITE_SHARE 0.8
#define HUM_AMP_SHARE     0.85
#define ROLLER_DIAMETER_M 0.06
#define DRIFT_TAU_S       20.0
/* Deck ringing at each contact (force and vertical acceleration). */
#define RING_HZ         35.0
#define RING_TAU_S      0.020
#define RING_BW_PER_BWS (0.015 / 80.0) /* ringing amplitude, BW per BW/s of VALR */
#define VIB_G_PER_BWS   0.004          /* deck vibration, g per BW/s of VALR */
#define VIB_WALK_G      0.03
#define VIB_HZ          38.0
#define VIB_HZ_SD       3.0
#define VIB_TAU_S       0.025
#define GYRO_ROLL_DPS   1.5
#define GYRO_PITCH_DPS  0.5
#define GYRO_HZ         12.0
#define GYRO_TAU_S      0.05
#define BELT_HUM_G      0.01
/* IMU errors. */
#define TILT_SD_RAD      (0.5 * M_PI / 180.0)
#define ACC_BIAS_SD_G    0.01
#define GYRO_BIAS_SD_DPS 0.3
#define ACC_NOISE_G      0.002
#define GYRO_NOISE_DPS   0.05
/* Truth is computed on this grid (s). */
#define TRUTH_DT_S    1e-4
#define MAX_CONTACT_S 1.6
#define TRUTH_N       ((size_t)(MAX_CONTACT_S / TRUTH_DT_S) + 4u)
#define MAX_PLANS     8
#define STEP_QUEUE    64

/* ---- PRNG: xoshiro256** seeded by splitmix64, one stream per purpose ---- */

struct rng {
    uint64_t s[4];
    bool have_spare;
    double spare;
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void rng_seed(struct rng *g, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ull);
    for (int i = 0; i < 4; i++)
        g->s[i] = splitmix64(&x);
    g->have_spare = false;
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_u64(struct rng *g)
{
    uint64_t *s = g->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in (0, 1). */
static double rng_unif(struct rng *g)
{
    return ((double)(rng_u64(g) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

/* Standard normal (Box-Muller, polar form avoided for a fixed draw count). */
static double rng_norm(struct rng *g)
{
    if (g->have_spare) {
        g->have_spare = false;
        return g->spare;
    }
    double u1 = rng_unif(g), u2 = rng_unif(g);
    double rad = sqrt(-2.0 * log(u1));
    g->spare = rad * sin(2.0 * M_PI * u2);
    g->have_spare = true;
    return rad * cos(2.0 * M_PI * u2);
}

/* Standard normal truncated to +/- TRUNC_SD (by rejection). */
static double rng_tnorm(struct rng *g)
{
    for (;;) {
        double z = rng_norm(g);
        if (fabs(z) <= TRUNC_SD)
            return z;
    }
}

/* ---- the model ---- */

struct plan {
    uint32_t index;
    int side; /* -1 left, +1 right */
    enum runner_gait gait;
    double t_ic, tc;
    double a_act;               /* running: active amplitude, N */
    double a_imp, t_imp, s_imp; /* running: impact component, N, s, s (a_imp 0 = none) */
    double a_walk, b_walk, c_walk;
    double x_foot, y_land, v_belt, prog_m;
    double vib_g, vib_hz, ring_n;
    bool truth_done;
    struct runner_step truth;
};

struct ou {
    double x, a, b; /* x <- a x + b N(0,1) */
};

struct runner {
    struct runner_config cfg;
    double bw_n;
    double run_spm, walk_spm;
    double act_integral; /* integral of the active shape over u in [0, 1] */
    double k_warp;
    /* sampling */
    double rate_hz, t_base, t_last;
    uint64_t k;
    bool started;
    /* streams */
    struct rng body;   /* step plans */
    struct rng sample; /* per-sample noise */
    /* cell errors */
    double gain_err[RUNNER_CELLS];
    int32_t offset_counts[RUNNER_CELLS];
    /* IMU errors */
    double tilt_x, tilt_y, acc_bias[3], gyro_bias[3];
    /* per-sample processes */
    struct ou drift[RUNNER_CELLS];
    struct ou sway_x, sway_y, sway_f;
    double hum_phase;
    double wobble_phase;
    /* stepping */
    bool stepping;
    double next_ic, nominal_ic;
    double cadence; /* intent, spm (0 before the first step) */
    double metronome_spm;
    int next_side;
    uint32_t next_index;
    double prev_ic, prev_to;
    double wander_x, wander_y, wander_t;
    struct plan plans[MAX_PLANS];
    unsigned n_plans;
    struct runner_step queue[STEP_QUEUE];
    unsigned q_head, q_len;
    double *truth_buf; /* TRUTH_N */
    struct readiness_model ready; /* readiness profiles only */
};

const char *runner_profile_name(enum runner_profile p)
{
    switch (p) {
    case RUNNER_PROFILE_RUN:
        return "run";
    case RUNNER_PROFILE_WALK:
        return "walk";
    case RUNNER_PROFILE_INTERVALS:
        return "intervals";
    case RUNNER_PROFILE_STATIC:
        return "static";
    case RUNNER_PROFILE_BALANCE:
    case RUNNER_PROFILE_HOP:
    case RUNNER_PROFILE_JOG_SPOT:
    case RUNNER_PROFILE_CALF_RAISE:
    case RUNNER_PROFILE_SQUAT:
        return readiness_movement_name(
            (enum readiness_movement)(p - RUNNER_PROFILE_BALANCE));
    }
    return "?";
}

void runner_config_default(struct runner_config *cfg, enum runner_profile profile)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->profile = profile;
    cfg->rate_hz = 1000.0;
    cfg->mass_kg = 70.0;
    cfg->cadence_spm = profile == RUNNER_PROFILE_WALK ? 110.0 : 170.0;
    cfg->walk_cadence_spm = 110.0;
    cfg->run_speed_mps = 2.9;
    cfg->walk_speed_mps = 1.3;
    cfg->strike = RUNNER_STRIKE_REAR;
    cfg->interval_run_s = 60.0;
    cfg->interval_walk_s = 240.0;
    cfg->interval_reps = 4;
    cfg->stand_s = 0.0;
    cfg->seed = 1;
    cfg->gain_error_pct = 5.0;
    cfg->offset_n = 10.0;
    cfg->noise_n = 4.0;
    /* A running deck drifts (belt friction heats the frame, the motor
     * vibrates); a stopped deck under a static load only shows load-cell
     * creep, far below 1 N over a calibration (docs/simulator.md). */
    cfg->drift_n = profile == RUNNER_PROFILE_STATIC ? 1.0 : 10.0;
    cfg->n_loads = 0;
    cfg->wobble_n = 0.0;
    cfg->side = 'L';
    if (RUNNER_PROFILE_IS_READINESS(profile))
        cfg->drift_n = 1.0; /* the belt is stopped, as for static */
}

const char *runner_config_error(const struct runner_config *c)
{
    if (!(c->rate_hz >= 100.0 && c->rate_hz <= 10000.0))
        return "The sample rate must be between 100 and 10000 Hz.";
    if (!(c->mass_kg >= 20.0 && c->mass_kg <= 250.0))
        return "The body mass must be between 20 and 250 kg.";
    if (c->profile == RUNNER_PROFILE_WALK) {
        if (!(c->cadence_spm >= 60.0 && c->cadence_spm <= 150.0))
            return "A walking cadence must be between 60 and 150 steps/min.";
    } else if (c->profile != RUNNER_PROFILE_STATIC) {
        if (!(c->cadence_spm >= 120.0 && c->cadence_spm <= 220.0))
            return "A running cadence must be between 120 and 220 steps/min.";
    }
    if (c->profile == RUNNER_PROFILE_INTERVALS) {
        if (!(c->walk_cadence_spm >= 60.0 && c->walk_cadence_spm <= 150.0))
            return "The walking cadence must be between 60 and 150 steps/min.";
        if (!(c->interval_run_s >= 2 * RAMP_HALF_S && c->interval_walk_s >= 2 * RAMP_HALF_S))
            return "Each run and walk interval must last at least 4 s.";
        if (c->interval_reps < 1 || c->interval_reps > 1000)
            return "The number of interval repetitions must be between 1 and 1000.";
    }
    if (!(c->run_speed_mps >= 0.5 && c->run_speed_mps <= 8.0) ||
        !(c->walk_speed_mps >= 0.2 && c->walk_speed_mps <= 3.0))
        return "Belt speeds must be 0.5-8 m/s running and 0.2-3 m/s walking.";
    if (!(c->stand_s >= 0.0 && c->stand_s <= 36000.0))
        return "The standing time must be between 0 and 36000 s.";
    if (!(c->gain_error_pct >= 0.0 && c->gain_error_pct <= 50.0))
        return "The gain error must be between 0 and 50 %.";
    if (!(c->offset_n >= 0.0 && c->offset_n <= 1000.0))
        return "The cell offset must be between 0 and 1000 N.";
    if (!(c->noise_n >= 0.0 && c->noise_n <= 500.0))
        return "The noise must be between 0 and 500 N RMS.";
    if (!(c->drift_n >= 0.0 && c->drift_n <= 500.0))
        return "The drift must be between 0 and 500 N RMS.";
    if (!(c->wobble_n >= 0.0 && c->wobble_n <= 1000.0))
        return "The wobble must be between 0 and 1000 N.";
    if (c->n_loads > RUNNER_MAX_LOADS)
        return "At most 8 static loads can be placed.";
    for (unsigned i = 0; i < c->n_loads; i++) {
        const struct runner_load *l = &c->loads[i];
        if (!(l->mass_kg > 0.0 && l->mass_kg <= 500.0))
            return "A load's mass must be above 0 and at most 500 kg.";
        if (!(fabs(l->x_m) <= 1.0 && fabs(l->y_m) <= 1.5))
            return "A load must sit on the deck (|x| <= 1 m, |y| <= 1.5 m).";
    }
    if (c->n_loads > 0 && c->profile != RUNNER_PROFILE_STATIC)
        return "Static loads need --profile static.";
    return NULL;
}

void runner_split_load(double f_n, double x_m, double y_m, double cell_n[RUNNER_CELLS])
{
    double a = (x_m + RUNNER_CELL_X_M) / (2.0 * RUNNER_CELL_X_M); /* 0 left .. 1 right */
    double b = (y_m + RUNNER_CELL_Y_M) / (2.0 * RUNNER_CELL_Y_M); /* 0 rear .. 1 front */
    cell_n[0] = f_n * (1.0 - a) * b;                              /* front left */
    cell_n[1] = f_n * a * b;                                      /* front right */
    cell_n[2] = f_n * (1.0 - a) * (1.0 - b);                      /* rear left */
    cell_n[3] = f_n * a * (1.0 - b);                              /* rear right */
}

bool runner_cop(const double c[RUNNER_CELLS], double min_total_n, double *x_m, double *y_m)
{
    double f = c[0] + c[1] + c[2] + c[3];
    if (!(fabs(f) >= min_total_n) || f == 0.0) {
        *x_m = 0.0;
        *y_m = 0.0;
        return false;
    }
    *x_m = RUNNER_CELL_X_M * ((c[1] + c[3]) - (c[0] + c[2])) / f;
    *y_m = RUNNER_CELL_Y_M * ((c[0] + c[1]) - (c[2] + c[3])) / f;
    return true;
}

static void ou_init(struct ou *o, double sd, double tau_s, double dt_s, double x0)
{
    o->a = exp(-dt_s / tau_s);
    o->b = sd * sqrt(1.0 - o->a * o->a);
    o->x = x0;
}

static double ou_step(struct ou *o, struct rng *g)
{
    o->x = o->a * o->x + o->b * rng_norm(g);
    return o->x;
}

static double active_shape(double k_warp, double u)
{
    if (u <= 0.0 || u >= 1.0)
        return 0.0;
    return pow(sin(M_PI * pow(u, k_warp)), P_ACT);
}

/* ---- schedule: which gait, preferred cadence and belt speed at time t ---- */

static enum runner_gait gait_raw(const struct runner *r, double tr)
{
    const struct runner_config *c = &r->cfg;
    switch (c->profile) {
    case RUNNER_PROFILE_WALK:
        return RUNNER_GAIT_WALK;
    case RUNNER_PROFILE_INTERVALS: {
        double p = c->interval_run_s + c->interval_walk_s;
        if (tr < 0.0)
            return RUNNER_GAIT_RUN;
        if (tr >= p * c->interval_reps)
            return RUNNER_GAIT_WALK;
        return fmod(tr, p) < c->interval_run_s ? RUNNER_GAIT_RUN : RUNNER_GAIT_WALK;
    }
    default:
        return RUNNER_GAIT_RUN;
    }
}

static double blend(double a, double b, double w)
{
    return a + (b - a) * (1.0 - cos(M_PI * w)) * 0.5;
}

/* Gait at time t (switches at the interval boundary), and the preferred
 * cadence and belt speed (cosine ramps of 2 x RAMP_HALF_S centred on each
 * boundary). */
static void schedule(const struct runner *r, double t, enum runner_gait *gait, double *pref_spm,
                     double *speed_mps)
{
    const struct runner_config *c = &r->cfg;
    double tr = t - c->stand_s;
    enum runner_gait gt = gait_raw(r, tr);
    *gait = gt;
    *pref_spm = gt == RUNNER_GAIT_RUN ? r->run_spm : r->walk_spm;
    *speed_mps = gt == RUNNER_GAIT_RUN ? c->run_speed_mps : c->walk_speed_mps;
    if (c->profile != RUNNER_PROFILE_INTERVALS || tr < 0.0)
        return;
    double p = c->interval_run_s + c->interval_walk_s;
    double i = floor(tr / p);
    double cand[3] = {i * p, i * p + c->interval_run_s, (i + 1.0) * p};
    for (int j = 0; j < 3; j++) {
        double b = cand[j];
        if (b <= 0.0 || b >= p * c->interval_reps + 0.5 * p)
            continue;
        if (fabs(tr - b) >= RAMP_HALF_S)
            continue;
        enum runner_gait before = gait_raw(r, b - 1e-6), after = gait_raw(r, b + 1e-6);
        if (before == after)
            continue;
        double w = (tr - (b - RAMP_HALF_S)) / (2.0 * RAMP_HALF_S);
        double cb = before == RUNNER_GAIT_RUN ? r->run_spm : r->walk_spm;
        double ca = after == RUNNER_GAIT_RUN ? r->run_spm : r->walk_spm;
        double vb = before == RUNNER_GAIT_RUN ? c->run_speed_mps : c->walk_speed_mps;
        double va = after == RUNNER_GAIT_RUN ? c->run_speed_mps : c->walk_speed_mps;
        *pref_spm = blend(cb, ca, w);
        *speed_mps = blend(vb, va, w);
        return;
    }
}

/* ---- one contact ---- */

static double plan_force(const struct runner *r, const struct plan *p, double t)
{
    double s = t - p->t_ic;
    if (s <= 0.0 || s >= p->tc)
        return 0.0;
    double u = s / p->tc;
    if (p->gait == RUNNER_GAIT_WALK)
        return p->a_walk *
               (sin(M_PI * u) + p->b_walk * sin(3.0 * M_PI * u) + p->c_walk * sin(2.0 * M_PI * u));
    double f = p->a_act * active_shape(r->k_warp, u);
    if (p->a_imp > 0.0) {
        if (s < p->t_imp)
            f += p->a_imp * 0.5 * (1.0 - cos(M_PI * s / p->t_imp));
        else {
            double d = (s - p->t_imp) / p->s_imp;
            f += p->a_imp * exp(-0.5 * d * d);
        }
    }
    return f;
}

static void plan_cop(const struct plan *p, double t, double *x, double *y)
{
    double s = t - p->t_ic;
    double u = s / p->tc;
    if (u < 0.0)
        u = 0.0;
    if (u > 1.0)
        u = 1.0;
    *x = p->x_foot + p->side * FOOT_ML_SHIFT_M * (1.0 - 2.0 * u);
    *y = p->y_land - p->v_belt * u * p->tc + p->prog_m * u;
}

/* Linear-interpolated time (s from IC) where buf first reaches level,
 * searching indices [0, last]. */
static double first_crossing(const double *buf, size_t last, double level, size_t *idx)
{
    for (size_t i = 1; i <= last; i++) {
        if (buf[i] >= level) {
            double f0 = buf[i - 1], f1 = buf[i];
            double frac = f1 > f0 ? (level - f0) / (f1 - f0) : 0.0;
            *idx = i - 1;
            return ((double)(i - 1) + frac) * TRUTH_DT_S;
        }
    }
    *idx = last;
    return (double)last * TRUTH_DT_S;
}

/* 20-80 % loading rates of the rising edge up to index top, for peak level
 * f_ref: mean slope and max slope, BW/s. */
static void loading_rates(const struct runner *r, const double *buf, size_t top, double f_ref,
                          double *valr, double *vilr)
{
    size_t i20, i80;
    double t20 = first_crossing(buf, top, 0.2 * f_ref, &i20);
    double t80 = first_crossing(buf, top, 0.8 * f_ref, &i80);
    *valr = t80 > t20 ? 0.6 * f_ref / (t80 - t20) / r->bw_n : NAN;
    double m = 0.0;
    for (size_t i = i20; i <= i80 && i + 1 <= top; i++) {
        double sl = (buf[i + 1] - buf[i]) / TRUTH_DT_S;
        if (sl > m)
            m = sl;
    }
    *vilr = m / r->bw_n;
}

static void plan_truth(struct runner *r, struct plan *p)
{
    struct runner_step *st = &p->truth;
    size_t n = (size_t)(p->tc / TRUTH_DT_S) + 1;
    if (n > TRUTH_N - 1)
        n = TRUTH_N - 1;
    double *buf = r->truth_buf;
    size_t imax = 0;
    for (size_t i = 0; i < n; i++) {
        buf[i] = plan_force(r, p, p->t_ic + (double)i * TRUTH_DT_S);
        if (buf[i] > buf[imax])
            imax = i;
    }
    buf[n] = 0.0;
    memset(st, 0, sizeof *st);
    st->index = p->index;
    st->side = p->side < 0 ? 'L' : 'R';
    st->gait = p->gait;
    st->t_ic_s = p->t_ic;
    st->t_to_s = p->t_ic + p->tc;
    st->contact_ms = p->tc * 1000.0;
    st->step_ms = r->prev_ic > -1e8 ? (p->t_ic - r->prev_ic) * 1000.0 : NAN;
    st->cadence_spm = st->step_ms > 0.0 ? 60000.0 / st->step_ms : NAN;
    st->flight_ms = (p->gait == RUNNER_GAIT_RUN && r->prev_to > -1e8 && p->t_ic > r->prev_to)
                        ? (p->t_ic - r->prev_to) * 1000.0
                        : NAN;
    st->active_peak_n = buf[imax];
    st->foot_x_m = p->x_foot;
    st->foot_y_m = p->y_land;
    st->belt_mps = p->v_belt;
    st->prog_m = p->prog_m;
    st->has_impact = false;
    st->impact_peak_n = NAN;
    st->t_impact_s = NAN;
    st->valr_bw_s = NAN;
    st->vilr_bw_s = NAN;
    st->lr_window = RUNNER_LR_NONE;
    if (p->gait == RUNNER_GAIT_WALK)
        return;
    /* Impact peak: first local maximum before the active (global) peak. */
    for (size_t i = 1; i < imax; i++) {
        if (buf[i] > buf[i - 1] && buf[i] >= buf[i + 1]) {
            st->has_impact = true;
            st->impact_peak_n = buf[i];
            st->t_impact_s = p->t_ic + (double)i * TRUTH_DT_S;
            st->lr_window = RUNNER_LR_IMPACT;
            loading_rates(r, buf, i, buf[i], &st->valr_bw_s, &st->vilr_bw_s);
            return;
        }
    }
    /* Fallback: the force at 13 % of stance stands in for the impact peak. */
    size_t i13 = (size_t)(0.13 * p->tc / TRUTH_DT_S);
    if (i13 >= 2 && i13 < n) {
        st->lr_window = RUNNER_LR_STANCE13;
        loading_rates(r, buf, i13, buf[i13], &st->valr_bw_s, &st->vilr_bw_s);
    }
}

static void update_wander(struct runner *r, double t)
{
    double dt = t - r->wander_t;
    if (dt <= 0.0)
        return;
    r->wander_t = t;
    double ax = exp(-dt / WANDER_X_TAU_S), ay = exp(-dt / WANDER_Y_TAU_S);
    r->wander_x = ax * r->wander_x + WANDER_X_SD_M * sqrt(1.0 - ax * ax) * rng_norm(&r->body);
    r->wander_y = ay * r->wander_y + WANDER_Y_SD_M * sqrt(1.0 - ay * ay) * rng_norm(&r->body);
    if (r->wander_x > WANDER_X_MAX_M)
        r->wander_x = WANDER_X_MAX_M;
    if (r->wander_x < -WANDER_X_MAX_M)
        r->wander_x = -WANDER_X_MAX_M;
    if (r->wander_y > WANDER_Y_MAX_M)
        r->wander_y = WANDER_Y_MAX_M;
    if (r->wander_y < -WANDER_Y_MAX_M)
        r->wander_y = -WANDER_Y_MAX_M;
}

static void plan_next(struct runner *r)
{
    const struct runner_config *c = &r->cfg;
    struct rng *g = &r->body;
    double t_ic = r->next_ic;
    enum runner_gait gait;
    double pref, speed;
    schedule(r, t_ic, &gait, &pref, &speed);
    double gait_pref = gait == RUNNER_GAIT_RUN ? r->run_spm : r->walk_spm;

    /* Cadence intent: first-order approach to the target plus a small
     * random walk.  The metronome is the target when it is close enough to
     * what this gait prefers. */
    double target = pref, alpha = CAD_ALPHA_PREF;
    if (r->metronome_spm > 0.0 && fabs(r->metronome_spm / gait_pref - 1.0) <= CAD_METRO_RANGE) {
        target = r->metronome_spm;
        alpha = CAD_ALPHA_METRO;
    }
    if (r->cadence <= 0.0)
        r->cadence = pref;
    else
        r->cadence += alpha * (target - r->cadence) + CAD_NOISE * pref * rng_tnorm(g);
    double cad = r->cadence;
    double ratio = cad / pref;

    r->nominal_ic += 60.0 / cad;
    double t_next = r->nominal_ic + IC_JITTER * (60.0 / cad) * rng_tnorm(g);
    double step_s = t_next - t_ic;
    r->next_ic = t_next;

    update_wander(r, t_ic);

    struct plan *p = &r->plans[r->n_plans++];
    memset(p, 0, sizeof *p);
    p->index = r->next_index++;
    p->side = r->next_side;
    r->next_side = -r->next_side;
    p->gait = gait;
    p->t_ic = t_ic;
    p->v_belt = speed;
    double amp = 1.0 + AMP_CV * rng_tnorm(g);
    double impulse = r->bw_n * step_s * amp; /* N s, balances weight over the step */
    double half_w;
    if (gait == RUNNER_GAIT_RUN) {
        double duty = c->strike == RUNNER_STRIKE_REAR ? RUN_DUTY_REAR : RUN_DUTY_FORE;
        p->tc = step_s * duty * sqrt(ratio) * (1.0 + RUN_DUTY_CV * rng_tnorm(g));
        double imp_bw = (IMPACT_BW + IMPACT_BW_SD * rng_tnorm(g)) * pow(ratio, -IMPACT_CADENCE_EXP);
        p->t_imp = IMPACT_T_S + IMPACT_T_SD * rng_tnorm(g);
        p->s_imp = IMPACT_DECAY_S * (1.0 + IMPACT_DECAY_CV * rng_tnorm(g));
        double imp_impulse_per_n = p->t_imp * 0.5 + p->s_imp * sqrt(M_PI / 2.0);
        if (c->strike == RUNNER_STRIKE_REAR) {
            /* Solve impact and active amplitudes together: the total force
             * at t_imp is the drawn impact level; impulse balances weight. */
            double a_imp = 0.9 * r->bw_n, a_act = 0.0;
            for (int it = 0; it < 6; it++) {
                a_act = (impulse - a_imp * imp_impulse_per_n) / (p->tc * r->act_integral);
                a_imp = imp_bw * r->bw_n - a_act * active_shape(r->k_warp, p->t_imp / p->tc);
                if (a_imp < 0.5 * r->bw_n)
                    a_imp = 0.5 * r->bw_n;
            }
            p->a_imp = a_imp;
            p->a_act = a_act;
            p->prog_m = PROG_REAR_M;
        } else {
            p->a_imp = 0.0;
            p->a_act = impulse / (p->tc * r->act_integral);
            p->prog_m = PROG_FORE_M;
        }
        half_w = RUN_HALF_WIDTH_M;
    } else {
        p->tc = step_s * WALK_STANCE * (1.0 + WALK_STANCE_CV * rng_tnorm(g));
        p->b_walk = WALK_B + WALK_B_SD * rng_tnorm(g);
        p->c_walk = WALK_C + WALK_C_SD * rng_tnorm(g);
        double integ = 2.0 / M_PI + 2.0 * p->b_walk / (3.0 * M_PI);
        p->a_walk = impulse / (p->tc * integ);
        p->prog_m = PROG_WALK_M;
        half_w = WALK_HALF_WIDTH_M;
        /* keep the draws per step the same for both gaits */
        (void)rng_tnorm(g);
    }
    if (p->tc > MAX_CONTACT_S - 0.01)
        p->tc = MAX_CONTACT_S - 0.01;
    double hw = half_w + HALF_WIDTH_SD_M * rng_tnorm(g);
    if (hw < HALF_WIDTH_MIN_M)
        hw = HALF_WIDTH_MIN_M;
    p->x_foot = r->wander_x + p->side * hw;
    p->y_land = r->wander_y + 0.5 * (speed * p->tc - p->prog_m);
    p->vib_hz = VIB_HZ + VIB_HZ_SD * rng_tnorm(g);

    plan_truth(r, p);
    /* A rearfoot transient is by definition a distinct local maximum: in the
     * rare draw where the active rise swallows it, shorten its decay. */
    for (int it = 0; it < 8 && p->a_imp > 0.0 && !p->truth.has_impact; it++) {
        p->s_imp *= 0.8;
        double imp_impulse = p->a_imp * (p->t_imp * 0.5 + p->s_imp * sqrt(M_PI / 2.0));
        p->a_act = (impulse - imp_impulse) / (p->tc * r->act_integral);
        plan_truth(r, p);
    }
    double lr = isnan(p->truth.valr_bw_s) ? 0.0 : p->truth.valr_bw_s;
    p->vib_g = gait == RUNNER_GAIT_RUN ? VIB_G_PER_BWS * lr : VIB_WALK_G;
    p->ring_n = RING_BW_PER_BWS * lr * r->bw_n;
    r->prev_ic = p->t_ic;
    r->prev_to = p->t_ic + p->tc;
}

/* ---- lifecycle ---- */

static double integrate_active(double k_warp)
{
    /* Simpson's rule; the shape is smooth except for a u^0.3 edge at 0. */
    const int n = 20000;
    double h = 1.0 / n, s = 0.0;
    for (int i = 0; i <= n; i++) {
        double w = (i == 0 || i == n) ? 1.0 : (i % 2 ? 4.0 : 2.0);
        s += w * active_shape(k_warp, i * h);
    }
    return s * h / 3.0;
}

static void set_rate_internal(struct runner *r, double rate_hz)
{
    double dt = 1.0 / rate_hz;
    r->rate_hz = rate_hz;
    for (int i = 0; i < RUNNER_CELLS; i++) {
        double x = r->drift[i].x;
        ou_init(&r->drift[i], r->cfg.drift_n / 2.0, DRIFT_TAU_S, dt, x);
    }
    ou_init(&r->sway_x, SWAY_X_SD_M, SWAY_TAU_S, dt, r->sway_x.x);
    ou_init(&r->sway_y, SWAY_Y_SD_M, SWAY_TAU_S * 1.5, dt, r->sway_y.x);
    ou_init(&r->sway_f, SWAY_F_SD, SWAY_F_TAU_S, dt, r->sway_f.x);
}

struct runner *runner_new(const struct runner_config *cfg)
{
    if (!cfg || runner_config_error(cfg))
        return NULL;
    struct runner *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->truth_buf = calloc(TRUTH_N + 1, sizeof *r->truth_buf);
    if (!r->truth_buf) {
        free(r);
        return NULL;
    }
    r->cfg = *cfg;
    r->bw_n = cfg->mass_kg * RUNNER_G_MPS2;
    r->run_spm = cfg->cadence_spm;
    r->walk_spm = cfg->profile == RUNNER_PROFILE_WALK ? cfg->cadence_spm : cfg->walk_cadence_spm;
    r->k_warp = log(0.5) / log(PEAK_FRAC);
    r->act_integral = integrate_active(r->k_warp);
    rng_seed(&r->body, cfg->seed, 1);
    rng_seed(&r->sample, cfg->seed, 2);
    struct rng dev; /* the deck's fixed errors */
    rng_seed(&dev, cfg->seed, 3);
    for (int i = 0; i < RUNNER_CELLS; i++) {
        r->gain_err[i] = cfg->gain_error_pct / 100.0 * (2.0 * rng_unif(&dev) - 1.0);
        r->offset_counts[i] =
            (int32_t)lround(cfg->offset_n * (2.0 * rng_unif(&dev) - 1.0) / RUNNER_N_PER_COUNT);
    }
    r->tilt_x = TILT_SD_RAD * rng_tnorm(&dev);
    r->tilt_y = TILT_SD_RAD * rng_tnorm(&dev);
    for (int i = 0; i < 3; i++) {
        r->acc_bias[i] = ACC_BIAS_SD_G * rng_tnorm(&dev);
        r->gyro_bias[i] = GYRO_BIAS_SD_DPS * rng_tnorm(&dev);
    }
    for (int i = 0; i < RUNNER_CELLS; i++)
        r->drift[i].x = cfg->drift_n / 2.0 * rng_norm(&dev);
    r->hum_phase = 2.0 * M_PI * rng_unif(&dev);
    r->wobble_phase = 2.0 * M_PI * rng_unif(&dev);
    r->next_side = rng_unif(&r->body) < 0.5 ? -1 : 1;
    set_rate_internal(r, cfg->rate_hz);
    r->stepping = cfg->profile != RUNNER_PROFILE_STATIC && !RUNNER_PROFILE_IS_READINESS(cfg->profile);
    if (RUNNER_PROFILE_IS_READINESS(cfg->profile)) {
        struct readiness_model_config rc = {
            (enum readiness_movement)(cfg->profile - RUNNER_PROFILE_BALANCE), cfg->side,
            cfg->reps, cfg->fail_at_s, r->bw_n, cfg->seed};
        if (readiness_model_config_error(&rc)) {
            runner_free(r);
            return NULL;
        }
        readiness_model_init(&r->ready, &rc);
    }
    /* After standing, the weight is handed over (faded out) before the
     * first contact so that contacts never overlap the standing load. */
    r->next_ic = cfg->stand_s + (cfg->stand_s > 0.0 ? STAND_HANDOVER_S : FIRST_IC_DELAY_S);
    r->nominal_ic = r->next_ic;
    r->prev_ic = -1e9;
    r->prev_to = -1e9;
    r->wander_t = 0.0;
    return r;
}

const struct readiness_model *runner_readiness(const struct runner *r)
{
    return RUNNER_PROFILE_IS_READINESS(r->cfg.profile) ? &r->ready : NULL;
}

void runner_free(struct runner *r)
{
    if (!r)
        return;
    free(r->truth_buf);
    free(r);
}

void runner_set_rate(struct runner *r, double rate_hz)
{
    if (!(rate_hz >= 100.0 && rate_hz <= 10000.0))
        return;
    if (r->started)
        r->t_base = r->t_last + 1.0 / rate_hz;
    r->k = 0;
    set_rate_internal(r, rate_hz);
}

void runner_set_metronome(struct runner *r, double spm)
{
    r->metronome_spm = spm > 0.0 ? spm : 0.0;
}

double runner_cadence_intent_spm(const struct runner *r)
{
    return r->cadence;
}

double runner_body_weight_n(const struct runner *r)
{
    return r->bw_n;
}

void runner_cell_errors(const struct runner *r, double gain_err[RUNNER_CELLS],
                        int32_t offset_counts[RUNNER_CELLS])
{
    for (int i = 0; i < RUNNER_CELLS; i++) {
        gain_err[i] = r->gain_err[i];
        offset_counts[i] = r->offset_counts[i];
    }
}

void runner_imu_errors(const struct runner *r, double tilt_rad[2], double acc_bias_g[3],
                       double gyro_bias_dps[3])
{
    tilt_rad[0] = r->tilt_x;
    tilt_rad[1] = r->tilt_y;
    for (int i = 0; i < 3; i++) {
        acc_bias_g[i] = r->acc_bias[i];
        gyro_bias_dps[i] = r->gyro_bias[i];
    }
}

static void queue_push(struct runner *r, const struct runner_step *st)
{
    if (r->q_len == STEP_QUEUE) { /* caller does not pop: keep the newest */
        r->q_head = (r->q_head + 1) % STEP_QUEUE;
        r->q_len--;
    }
    r->queue[(r->q_head + r->q_len) % STEP_QUEUE] = *st;
    r->q_len++;
}

bool runner_pop_step(struct runner *r, struct runner_step *out)
{
    if (r->q_len == 0)
        return false;
    *out = r->queue[r->q_head];
    r->q_head = (r->q_head + 1) % STEP_QUEUE;
    r->q_len--;
    return true;
}

/* Queue the truth of contacts whose toe-off has passed, in index order
 * (a contact is held back while an earlier one is still in stance). */
static void emit_completed(struct runner *r, double t)
{
    for (;;) {
        struct plan *first = NULL;
        for (unsigned i = 0; i < r->n_plans; i++) {
            struct plan *p = &r->plans[i];
            if (!p->truth_done && (!first || p->index < first->index))
                first = p;
        }
        if (!first || t < first->t_ic + first->tc)
            return;
        queue_push(r, &first->truth);
        first->truth_done = true;
    }
}

static void add_split(double cell[RUNNER_CELLS], double f, double x, double y)
{
    double c[RUNNER_CELLS];
    runner_split_load(f, x, y, c);
    for (int i = 0; i < RUNNER_CELLS; i++)
        cell[i] += c[i];
}

static double damped(double s, double hz, double tau)
{
    if (s <= 0.0 || s > 8.0 * tau)
        return 0.0;
    return exp(-s / tau) * sin(2.0 * M_PI * hz * s);
}

static int32_t clamp24(double v)
{
    if (v > 8388607.0)
        return 8388607;
    if (v < -8388608.0)
        return -8388608;
    return (int32_t)lround(v);
}

static int16_t clamp16(double v)
{
    if (v > 32767.0)
        return 32767;
    if (v < -32768.0)
        return -32768;
    return (int16_t)lround(v);
}

void runner_next(struct runner *r, struct runner_sample *o)
{
    const struct runner_config *c = &r->cfg;
    double t = r->t_base + (double)r->k / r->rate_hz;
    r->k++;
    r->t_last = t;
    r->started = true;
    memset(o, 0, sizeof *o);
    o->t_s = t;

    /* Plan contacts slightly ahead, retire finished ones. */
    while (r->stepping && r->next_ic <= t + 0.05 && r->n_plans < MAX_PLANS)
        plan_next(r);
    emit_completed(r, t);
    for (unsigned i = 0; i < r->n_plans;) {
        struct plan *p = &r->plans[i];
        if (p->truth_done && t > p->t_ic + p->tc + 0.3) {
            r->plans[i] = r->plans[--r->n_plans];
            continue;
        }
        i++;
    }

    /* Noiseless force on the cells. */
    double *cell = o->cell_clean_n;
    double ring[RUNNER_CELLS] = {0};
    double acc[3] = {0}, gyr[3] = {0};
    for (unsigned i = 0; i < r->n_plans; i++) {
        const struct plan *p = &r->plans[i];
        double x, y, s = t - p->t_ic;
        plan_cop(p, t, &x, &y);
        double f = plan_force(r, p, t);
        if (f != 0.0)
            add_split(cell, f, x, y);
        if (s > 0.0 && p->ring_n > 0.0)
            add_split(ring, p->ring_n * damped(s, RING_HZ, RING_TAU_S), x, y);
        double v = damped(s, p->vib_hz, VIB_TAU_S);
        acc[2] += p->vib_g * v;
        acc[1] += 0.3 * p->vib_g * damped(s, 0.65 * p->vib_hz, VIB_TAU_S);
        acc[0] += 0.1 * p->side * p->vib_g * damped(s, 1.2 * p->vib_hz, VIB_TAU_S);
        double gv = damped(s, GYRO_HZ, GYRO_TAU_S);
        double scale = p->gait == RUNNER_GAIT_RUN ? p->vib_g / 0.3 : 0.2;
        gyr[1] += p->side * GYRO_ROLL_DPS * scale * gv;
        gyr[0] += GYRO_PITCH_DPS * scale * (p->y_land / 0.3) * gv;
    }
    /* Standing person (static without loads, or before the activity). */
    double sx = ou_step(&r->sway_x, &r->sample), sy = ou_step(&r->sway_y, &r->sample);
    double sf = ou_step(&r->sway_f, &r->sample);
    bool static_person = c->profile == RUNNER_PROFILE_STATIC && c->n_loads == 0;
    double stand_w = 0.0;
    if (static_person)
        stand_w = 1.0;
    else if (c->stand_s > 0.0 && t < c->stand_s)
        stand_w = 1.0;
    else if (c->stand_s > 0.0 && t < c->stand_s + STAND_HANDOVER_S)
        stand_w = 0.5 * (1.0 + cos(M_PI * (t - c->stand_s) / STAND_HANDOVER_S));
    if (stand_w > 0.0) {
        double f = r->bw_n * (1.0 + sf) * stand_w;
        add_split(cell, 0.5 * f, -STAND_HALF_WIDTH_M + sx, sy);
        add_split(cell, 0.5 * f, STAND_HALF_WIDTH_M + sx, sy);
    }
    /* Static loads, optionally wobbling (force and position). */
    if (c->profile == RUNNER_PROFILE_STATIC && c->n_loads > 0) {
        double total = 0.0;
        for (unsigned j = 0; j < c->n_loads; j++)
            total += c->loads[j].mass_kg;
        double wf = c->wobble_n * sin(2.0 * M_PI * 1.3 * t + r->wobble_phase);
        double wx = c->wobble_n > 0.0 ? 0.01 * sin(2.0 * M_PI * 0.7 * t) : 0.0;
        for (unsigned j = 0; j < c->n_loads; j++) {
            const struct runner_load *l = &c->loads[j];
            double f = l->mass_kg * RUNNER_G_MPS2 + wf * l->mass_kg / total;
            add_split(cell, f, l->x_m + wx, l->y_m);
        }
    }
    if (RUNNER_PROFILE_IS_READINESS(c->profile)) {
        double f[2], x[2], y[2];
        int n = readiness_model_loads(&r->ready, t, f, x, y);
        for (int j = 0; j < n; j++)
            if (f[j] != 0.0)
                add_split(cell, f[j], x[j], y[j]);
    }
    o->fz_clean_n = cell[0] + cell[1] + cell[2] + cell[3];
    runner_cop(cell, 1.0, &o->copx_clean_m, &o->copy_clean_m);

    /* Measured cell forces: + white noise + belt hum + drift + ringing.
     * The same number of random draws every sample, whatever the levels. */
    bool belt = c->profile != RUNNER_PROFILE_STATIC && !RUNNER_PROFILE_IS_READINESS(c->profile) &&
                t >= c->stand_s;
    double white_share = belt ? NOISE_WHITE_SHARE : 1.0;
    double sd_cell = c->noise_n * white_share / 2.0;
    double hum = 0.0;
    enum runner_gait g_now;
    double pref_now, v_now;
    schedule(r, t, &g_now, &pref_now, &v_now);
    if (belt) {
        double roller_hz = v_now / (M_PI * ROLLER_DIAMETER_M);
        hum = c->noise_n * HUM_AMP_SHARE / 4.0 * sin(2.0 * M_PI * roller_hz * t + r->hum_phase);
    }
    for (int i = 0; i < RUNNER_CELLS; i++) {
        double n = sd_cell * rng_norm(&r->sample);
        double d = ou_step(&r->drift[i], &r->sample);
        o->cell_n[i] = cell[i] + n + hum + d + ring[i];
        o->counts[i] = clamp24(o->cell_n[i] / RUNNER_N_PER_COUNT * (1.0 + r->gain_err[i]) +
                               (double)r->offset_counts[i]);
    }

    /* IMU: gravity through the mount tilt, biases, vibration, noise. */
    o->acc_g[0] = sin(r->tilt_x) + r->acc_bias[0] + acc[0];
    o->acc_g[1] = sin(r->tilt_y) + r->acc_bias[1] + acc[1];
    o->acc_g[2] = cos(r->tilt_x) * cos(r->tilt_y) + r->acc_bias[2] + acc[2];
    if (belt)
        o->acc_g[2] += BELT_HUM_G * sin(2.0 * M_PI * v_now / (M_PI * ROLLER_DIAMETER_M) * t);
    for (int i = 0; i < 3; i++) {
        o->acc_g[i] += ACC_NOISE_G * rng_norm(&r->sample);
        o->gyro_dps[i] = r->gyro_bias[i] + gyr[i] + GYRO_NOISE_DPS * rng_norm(&r->sample);
        o->imu_lsb[i] = clamp16(o->acc_g[i] / RUNNER_ACCEL_G_PER_LSB);
        o->imu_lsb[3 + i] = clamp16(o->gyro_dps[i] / RUNNER_GYRO_DPS_PER_LSB);
    }
}
