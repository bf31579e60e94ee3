/*
 * fit.h - calibration arithmetic of the sensor unit: zero offsets, span
 * gains, IMU gravity alignment, verification.  Pure code: arrays in, numbers
 * out; no I/O, no logging, no allocation.  Thread: any (reentrant).
 *
 * Errors: every fallible call returns GC_OK or a gc_err code and takes a
 * `struct gc_diag *diag` last (gc_error.h; NULL when only the code is
 * wanted), where it keeps the same code and, on refusal, one sentence for
 * the operator naming the worst figure and what to do.  GC_ERR_ARG: a bad
 * argument or a placement the operator entered wrongly; GC_ERR_STATE: the
 * measurement itself is refused (moving, unconstrained, out of limits).
 *
 * Model of one load cell (ADC channel i), deck.h:
 *
 *     F_i = (counts_i - offset_counts_i) * n_per_count_i              [N]
 *
 * Zero: offset_counts_i = mean counts over a window with the deck empty.
 * The window must be still: a moving load (someone on the deck, the mass
 * still swinging) is refused, see struct fit_still_limits.
 *
 * Span: a known mass m_j placed at a known point (x_j, y_j) on the deck,
 * nobody else on it.  A rigid plate on 4 supports is statically
 * indeterminate: how the weight splits between the 4 cells depends on the
 * stiffness of plate, frame and floor, so no split per cell is assumed.  Only
 * the 3 equilibrium equations of placement j hold, whatever the split:
 *
 *     sum_i F_ij         = W_j              (W_j = m_j * g)   vertical force
 *     sum_i F_ij * x_i   = W_j * x_j                          moment -> COPx
 *     sum_i F_ij * y_i   = W_j * y_j                          moment -> COPy
 *
 * With F_ij = g0 * s_i * d_ij (d_ij the counts above zero, g0 the nominal
 * gain) the unknown relative gains s_i enter linearly: 3 rows per placement,
 * 4 unknowns, solved by least squares (SVD, moment rows divided by a deck
 * length so every row is in newtons).  The solve is refused when a cell
 * carries almost no load in every placement, or when the placements leave a
 * combination of gains undetermined (condition number of the design matrix
 * too large); the message names the cells and what placement to add.
 *
 * Note on offsets: the equilibrium equations only see 3 of the 4 offset
 * combinations (net force and two moments); the fourth, the "twist" of a
 * rectangular deck (+ - - +), leaves force and moments unchanged.  Offsets
 * therefore come from the empty-deck zero, measured directly per cell, not
 * from the span fit.
 */
#ifndef GC_CALIB_FIT_H
#define GC_CALIB_FIT_H

#include <stdbool.h>
#include <stddef.h>

#include "deck.h"
#include "gc_error.h"
#include "packet.h"
#include "units.h" /* GC_G_MPS2: masses in kg -> weights in N */

/* Most placements one span fit takes. */
#define FIT_MAX_PLACEMENTS 32

/* Fewest placements a span fit accepts: 4 unknown gains need 2 placements
 * in principle; 4 give 12 equations for 4 unknowns, so residuals can show
 * a wrong mass or point instead of silently absorbing it. */
#define FIT_MIN_PLACEMENTS 4

/* ---------------------------------------------------------------- */
/* Stillness of a capture window.                                    */

/* Limits a window must stay within to count as "still".  Forces use the
 * nominal gain (the calibrated one is not known yet). */
struct fit_still_limits {
    double cell_std_n;  /* standard deviation of any one cell's force, N */
    double total_std_n; /* standard deviation of the total force, N */
    double drift_n;     /* |mean of last quarter - mean of first quarter| of the
                         * total force, and of any one cell, N */
};

/* Defaults: a treadmill deck with nobody on it shows ~0.5-2 N of noise per
 * cell (ADS131M04 at 1 kHz plus motor and building vibration); a person
 * standing or a 20 kg mass still swinging moves a cell by tens of N.  3 N std
 * and 3 N drift separate the two with margin on both sides. */
void fit_still_limits_default(struct fit_still_limits *lim);

/* Statistics of a window of raw samples. */
struct fit_window {
    size_t n;                       /* samples */
    double mean_counts[PKT_CELLS];  /* per-cell mean, counts */
    double cell_std_n[PKT_CELLS];   /* per-cell std, N (nominal gain) */
    double cell_drift_n[PKT_CELLS]; /* per-cell last-quarter minus first-quarter mean, N */
    double total_std_n;             /* std of the sum of the cells, N */
    double total_drift_n;           /* drift of the sum, N (signed) */
    double imu_mean[PKT_IMU];       /* mean raw IMU, LSB */
    double imu_std[PKT_IMU];        /* std raw IMU, LSB */
};

/* Mean, spread and drift of n >= 16 samples.  n_per_count is the nominal
 * gain used to express spreads in N.  Returns GC_OK or GC_ERR_ARG (fewer
 * than 16 samples: diag asks for a longer --window; no gain). */
int fit_window_stats(const struct pkt_sample *s, size_t n, double n_per_count,
                     struct fit_window *out, struct gc_diag *diag);

/* GC_OK when w is within lim; otherwise GC_ERR_STATE and a sentence in
 * diag naming the worst figure and what to do. */
int fit_window_check_still(const struct fit_window *w, const struct fit_still_limits *lim,
                           struct gc_diag *diag);

/* ---------------------------------------------------------------- */
/* Zero.                                                             */

/* Offsets from a still, empty-deck window: copies w->mean_counts into
 * cal->cell[i].offset_counts after the stillness check.  Returns GC_OK, or
 * GC_ERR_STATE (moving; diag says how much, cal untouched). */
int fit_zero(const struct fit_window *w, const struct fit_still_limits *lim, struct deck_cal *cal,
             struct gc_diag *diag);

/* ---------------------------------------------------------------- */
/* Span.                                                             */

/* One placement: what the operator put where, and what the cells read. */
struct fit_placement {
    double mass_kg;                /* > 0 */
    double x_m, y_m;               /* point, deck coordinates, m */
    double mean_counts[PKT_CELLS]; /* mean raw counts with the mass on, counts */
};

/* Refusal limits of a span fit. */
struct fit_span_limits {
    double min_cell_share;   /* a cell must carry at least this fraction of W
                              * in at least one placement (0.05) */
    double max_condition;    /* largest condition number of the scaled design
                              * matrix accepted (100) */
    double max_gain_rel_err; /* |s_i - 1| larger than this is refused as a
                              * wiring/mass mistake (0.5 = 50 %) */
    double max_force_resid;  /* largest per-placement force residual, fraction
                              * of W (0.01 = 1 %) */
    double max_cop_resid_m;  /* largest per-placement COP residual, m (0.015) */
};
void fit_span_limits_default(struct fit_span_limits *lim);

/* Per-placement fit residuals (calibrated reading minus the known value). */
struct fit_residual {
    double force_n;   /* fz - W, N */
    double force_rel; /* (fz - W) / W */
    double copx_m;    /* COPx - x_j, m */
    double copy_m;
    double cop_m; /* hypot of the two, m */
};

struct fit_span_result {
    size_t n;                      /* placements used */
    double n_per_count[PKT_CELLS]; /* fitted gains, N/count */
    double gain_rel[PKT_CELLS];    /* n_per_count / nominal - 1 */
    double condition;              /* sigma_max / sigma_min of the scaled design matrix */
    double max_share[PKT_CELLS];   /* largest share of W each cell carried */
    struct fit_residual resid[FIT_MAX_PLACEMENTS];
    double rms_force_n, max_abs_force_rel, rms_cop_m, max_cop_m;
};

/* Fit gains.  cal supplies cell positions and offsets (from fit_zero) and
 * the nominal gain nominal_n_per_count (from HELLO).  On success the gains
 * are written into cal and out holds residuals; on refusal returns GC_ERR_ARG
 * (bad placement: count, mass <= 0 or not finite, point outside the cells)
 * or GC_ERR_STATE (unconstrained cell, ill-conditioned, residuals or gains
 * out of limits), with the sentence (naming the placement or the cells) in
 * diag, and leaves cal untouched (out may be partly filled for
 * diagnostics). */
int fit_span(const struct fit_placement *p, size_t n, double nominal_n_per_count,
             const struct fit_span_limits *lim, struct deck_cal *cal, struct fit_span_result *out,
             struct gc_diag *diag);

/* Check one placement on its own (mass > 0 and finite, point inside the
 * rectangle hull of the cells of cal).  GC_OK or GC_ERR_ARG with the
 * sentence in diag. */
int fit_placement_check(const struct deck_cal *cal, double mass_kg, double x_m, double y_m,
                        struct gc_diag *diag);

/* ---------------------------------------------------------------- */
/* IMU.                                                              */

struct fit_imu_limits {
    double max_norm_err_g;   /* | |a| - 1 g | above this is refused (0.05 g) */
    double max_accel_std_g;  /* std of any accel axis (0.02 g) */
    double max_gyro_std_dps; /* std of any gyro axis (2 deg/s) */
};
void fit_imu_limits_default(struct fit_imu_limits *lim);

struct fit_imu_result {
    double accel_mean_g[3];  /* mean accel, g */
    double accel_norm_g;     /* its length, g */
    double rot[3][3];        /* rotation: deck_vector = rot * sensor_vector maps the
                              * measured gravity direction onto +z */
    double tilt_deg;         /* angle between sensor z and gravity, deg */
    double gyro_bias_dps[3]; /* mean gyro at rest, deg/s (subtract from readings) */
};

/* From a still window (w->imu_mean/imu_std) and the HELLO scales.  GC_OK, or
 * GC_ERR_STATE (moving, or |a| far from 1 g) or GC_ERR_ARG (no IMU scale)
 * with the sentence in diag. */
int fit_imu(const struct fit_window *w, double accel_g_per_lsb, double gyro_dps_per_lsb,
            const struct fit_imu_limits *lim, struct fit_imu_result *out, struct gc_diag *diag);

/* ---------------------------------------------------------------- */
/* Verify.                                                           */

struct fit_verify_result {
    double fz_n, copx_m, copy_m;   /* reading */
    double force_err_n;            /* fz - W */
    double force_err_pct;          /* 100 (fz - W) / W */
    double copx_err_m, copy_err_m; /* reading minus the known point */
    double cop_err_m;              /* hypot */
};

/* Reading of mean counts under cal, compared with mass_kg at (x_m, y_m).
 * GC_OK or GC_ERR_ARG (mass <= 0, NULL) with the sentence in diag. */
int fit_verify(const struct deck_cal *cal, const double mean_counts[PKT_CELLS], double mass_kg,
               double x_m, double y_m, struct fit_verify_result *out, struct gc_diag *diag);

/* ---------------------------------------------------------------- */
/* Placement points.                                                 */

/* Standard marked points, numbered 1..FIT_STD_POINTS for the guided mode
 * and docs/calibration.md: the centre and the middle of each quadrant (half
 * way from the centre to each cell), scaled to the cell positions of cal.
 * Point 0 of the array is marked point 1.  The verification point
 * (fit_verify_point) is none of these. */
#define FIT_STD_POINTS 5
void fit_std_points(const struct deck_cal *cal, double x_m[FIT_STD_POINTS],
                    double y_m[FIT_STD_POINTS]);
/* A point not used by the span (x = 0.4 half-width, y = -0.3 half-length). */
void fit_verify_point(const struct deck_cal *cal, double *x_m, double *y_m);

/* Human name of ADC channel i's corner from its position ("front-left"). */
const char *fit_corner_name(const struct deck_cal *cal, unsigned i);

#endif
