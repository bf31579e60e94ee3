/*
 * runner_model.h - a simulated runner on an instrumented treadmill deck.
 *
 * Generates, sample by sample, what the sensor unit under the deck would
 * measure while a person runs, walks, alternates walk-run intervals or
 * stands on it (or static test loads sit on it), plus the true steps.  The
 * model, its equations and the literature behind its numbers are documented
 * in docs/simulator.md.
 *
 * Deck geometry (deck coordinates: x mediolateral, m, + towards the runner's
 * right; y anteroposterior, m, + towards the front; origin at the deck
 * centre).  One load cell under each corner, ADC channel = enum pkt_corner:
 *
 *        front (+y)
 *     ch0 FL -------- ch1 FR      x = -/+ RUNNER_CELL_X_M
 *       |    deck      |         y = +/- RUNNER_CELL_Y_M
 *     ch2 RL -------- ch3 RR
 *        rear (-y)
 *
 * Signal chain per cell i (counts as the ADS131M04 reports them):
 *     counts_i = round(F_i / RUNNER_N_PER_COUNT * (1 + gain_err_i)) + offset_i
 * clamped to 24 bit signed, where F_i is the physical force on the cell
 * (runner + noise + baseline drift, N).
 *
 * Pure code: no I/O, no global state; deterministic from cfg->seed (own
 * PRNG).  runner_new allocates; runner_next never allocates.
 * Thread: a runner object belongs to one thread.
 */
#ifndef GC_RUNNER_MODEL_H
#define GC_RUNNER_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RUNNER_CELLS     4
#define RUNNER_IMU       6
#define RUNNER_MAX_LOADS 8

#define RUNNER_CELL_X_M         0.30           /* |x| of the cells, m */
#define RUNNER_CELL_Y_M         0.70           /* |y| of the cells, m */
#define RUNNER_N_PER_COUNT      2.5e-4         /* nominal load-cell scale, N per count */
#define RUNNER_ACCEL_G_PER_LSB  (1.0 / 2048.0) /* +/-16 g range */
#define RUNNER_GYRO_DPS_PER_LSB (1.0 / 16.4)   /* +/-2000 deg/s range */
/* Standard gravity: the station's one definition is GC_G_MPS2 in
 * station/core/units.h; the firmware tree includes no station header, so the
 * simulator keeps this copy, and test_runner_model checks they are equal. */
#define RUNNER_G_MPS2           9.80665

enum runner_profile {
    RUNNER_PROFILE_RUN = 0,
    RUNNER_PROFILE_WALK,
    RUNNER_PROFILE_INTERVALS, /* run / walk intervals, then walking */
    RUNNER_PROFILE_STATIC,    /* static loads, or a person standing still */
    /* readiness tests on the stopped deck (readiness_model.h) */
    RUNNER_PROFILE_BALANCE,
    RUNNER_PROFILE_HOP,
    RUNNER_PROFILE_JOG_SPOT,
    RUNNER_PROFILE_CALF_RAISE,
    RUNNER_PROFILE_SQUAT,
};
/* Is p one of the readiness profiles? */
#define RUNNER_PROFILE_IS_READINESS(p) ((p) >= RUNNER_PROFILE_BALANCE)

enum runner_strike { RUNNER_STRIKE_REAR = 0, RUNNER_STRIKE_FORE };

enum runner_gait { RUNNER_GAIT_RUN = 0, RUNNER_GAIT_WALK };

/* A static test load (profile static). */
struct runner_load {
    double mass_kg;
    double x_m, y_m; /* deck coordinates */
};

struct runner_config {
    enum runner_profile profile;
    double rate_hz;          /* sample rate, Hz (> 0) */
    double mass_kg;          /* body mass, kg */
    double cadence_spm;      /* preferred cadence of the profile's gait (run, walk);
                              * for intervals, the running cadence */
    double walk_cadence_spm; /* walking cadence in intervals */
    double run_speed_mps;    /* belt speed while running, m/s */
    double walk_speed_mps;   /* belt speed while walking, m/s */
    enum runner_strike strike;
    double interval_run_s;  /* intervals: running time per repetition, s */
    double interval_walk_s; /* intervals: walking time per repetition, s */
    unsigned interval_reps; /* intervals: repetitions, then walking */
    double stand_s;         /* quiet standing before the activity starts, s */
    uint64_t seed;
    double gain_error_pct; /* per-cell gain errors drawn uniformly in +/- this, % */
    double offset_n;       /* per-cell offsets drawn uniformly in +/- this, N */
    double noise_n;        /* RMS of the total-force noise on an empty deck, N */
    double drift_n;        /* RMS of the total-force baseline drift, N */
    struct runner_load loads[RUNNER_MAX_LOADS];
    unsigned n_loads; /* static: 0 = the person (mass_kg) stands still */
    double wobble_n;  /* static: amplitude of load movement, N (0 = still) */
    /* readiness profiles (readiness_model.h) */
    char side;        /* 'L' or 'R': stance or hopping leg */
    unsigned reps;    /* repetitions, 0 = the movement's default */
    double fail_at_s; /* > 0: stop early / put the other foot down */
};


/* One sample.  All fields are filled by runner_next. */
struct runner_sample {
    double t_s;                        /* model time, s (k / rate from start) */
    double cell_n[RUNNER_CELLS];       /* physical force on each cell incl. noise and
                                        * drift, N */
    double cell_clean_n[RUNNER_CELLS]; /* noiseless force on each cell, N */
    double fz_clean_n;                 /* noiseless total vertical force, N */
    double copx_clean_m, copy_clean_m; /* noiseless COP, m (0 when fz_clean_n < 1 N) */
    int32_t counts[RUNNER_CELLS];      /* ADC counts (gain, offset, 24-bit clamp) */
    int16_t imu_lsb[RUNNER_IMU];       /* ax ay az gx gy gz, raw LSB */
    double acc_g[3];                   /* IMU acceleration, g (before quantisation) */
    double gyro_dps[3];                /* IMU angular rate, deg/s */
};

/* How the truth VALR/VILR window was chosen. */
enum runner_lr_window {
    RUNNER_LR_NONE = 0, /* not computed (walking) */
    RUNNER_LR_IMPACT,   /* 20-80 % of the impact peak */
    RUNNER_LR_STANCE13, /* no impact peak: 20-80 % of the force at 13 % of stance */
};

/* The truth about one contact (one foot's force; noiseless).  NAN marks an
 * absent value.  Times are model time in seconds. */
struct runner_step {
    uint32_t index; /* 0-based, in order of initial contact */
    char side;      /* 'L' or 'R' */
    enum runner_gait gait;
    double t_ic_s, t_to_s;
    double contact_ms;
    double flight_ms;   /* previous TO to this IC; NAN when walking, first step, overlap */
    double step_ms;     /* previous IC to this IC; NAN for the first step */
    double cadence_spm; /* 60000 / step_ms */
    bool has_impact;
    double impact_peak_n, t_impact_s; /* NAN when absent */
    double valr_bw_s, vilr_bw_s;      /* NAN when walking */
    enum runner_lr_window lr_window;
    double active_peak_n;
    double foot_x_m; /* mediolateral foot position at IC, m */
    double foot_y_m; /* anteroposterior COP at IC (where the foot lands), m */
    double belt_mps; /* belt speed during this contact, m/s */
    double prog_m;   /* forward travel of the COP within the foot over the stance, m */
};

struct runner;

/* Defaults for a profile (documented in docs/simulator.md): 1000 Hz, 70 kg,
 * 170 spm running / 110 spm walking, rearfoot, 2.9 m/s / 1.3 m/s, intervals
 * 60 s run / 240 s walk x 4, seed 1, gain error 5 %, offset 10 N, noise 4 N,
 * drift 10 N. */
void runner_config_default(struct runner_config *cfg, enum runner_profile profile);

/* NULL when cfg is valid, else one sentence saying what is wrong (static
 * string). */
const char *runner_config_error(const struct runner_config *cfg);

/* Returns NULL on an invalid config or allocation failure. */
struct runner *runner_new(const struct runner_config *cfg);
void runner_free(struct runner *r);

/* Produce the next sample (time t = k / rate).  Never allocates. */
void runner_next(struct runner *r, struct runner_sample *out);

/* Change the sample rate from the next sample on (model time continues). */
void runner_set_rate(struct runner *r, double rate_hz);

/* Pop the next completed contact (its toe-off is at or before the last
 * sample produced).  Returns false when none is ready. */
bool runner_pop_step(struct runner *r, struct runner_step *out);

/* Metronome heard by the runner, steps/min; 0 = off.  The runner's cadence
 * approaches it over ~20-40 steps when it is within +/-20 % of the current
 * gait's preferred cadence (else it is ignored). */
void runner_set_metronome(struct runner *r, double spm);

/* The cadence the runner currently intends, steps/min (0 when not stepping). */
double runner_cadence_intent_spm(const struct runner *r);

/* Body weight, N (mass_kg * g). */
double runner_body_weight_n(const struct runner *r);

/* The per-cell gain errors (fraction, e.g. 0.031) and offsets (counts)
 * drawn from the seed. */
void runner_cell_errors(const struct runner *r, double gain_err[RUNNER_CELLS],
                        int32_t offset_counts[RUNNER_CELLS]);

/* The deck IMU's mounting tilt (rad, about x and y) and biases (g, deg/s)
 * drawn from the seed. */
void runner_imu_errors(const struct runner *r, double tilt_rad[2], double acc_bias_g[3],
                       double gyro_bias_dps[3]);

/* Bilinear statics: force f_n at (x_m, y_m) on a rigid plate on the four
 * corner cells -> force on each cell (channel order).  Loads outside the
 * cell rectangle give negative (tension) shares. */
void runner_split_load(double f_n, double x_m, double y_m, double cell_n[RUNNER_CELLS]);

/* COP from the four cell forces; returns false (and 0,0) when the total is
 * below min_total_n in magnitude. */
bool runner_cop(const double cell_n[RUNNER_CELLS], double min_total_n, double *x_m, double *y_m);

const char *runner_profile_name(enum runner_profile p);

struct readiness_model;
/* The readiness model of a readiness profile (for its truth), else NULL. */
const struct readiness_model *runner_readiness(const struct runner *r);

#endif
