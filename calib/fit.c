/* fit.c - calibration arithmetic (see fit.h). */
#include "fit.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gc_error.h"

/* Rows of the span design matrix: 3 equilibrium equations per placement. */
#define FIT_MAX_ROWS (3 * FIT_MAX_PLACEMENTS)

void fit_still_limits_default(struct fit_still_limits *lim)
{
    /* An empty deck shows ~2 N of noise per cell and ~4 N on the total
     * (gaitcue-sim's default, in line with real decks at 1 kHz; DESIGN.md
     * quotes 5-35 N of flight noise on running decks), plus a slow baseline
     * drift of a few N over a 2 s window.  A person standing on the deck
     * sways by 10-30 N, a swinging 20 kg mass by more.  8 N std and 15 N
     * drift sit between the two: twice the quiet noise, below a sway. */
    lim->cell_std_n = 8.0;
    lim->total_std_n = 8.0;
    lim->drift_n = 15.0;
}

void fit_span_limits_default(struct fit_span_limits *lim)
{
    /* 5 %: below it a cell's gain is scaled from a force that is mostly
     * noise and the other cells' errors. */
    lim->min_cell_share = 0.05;
    /* The standard 5-point pattern gives a condition number of ~2 (see
     * test_calib_fit); 100 means some combination of gains is 50x less
     * determined than the others, i.e. its error is 50x the noise's. */
    lim->max_condition = 100.0;
    lim->max_gain_rel_err = 0.5;
    /* A well-placed known mass fits to ~0.1 % and ~2 mm; 1 % / 15 mm means
     * a wrong mass, a wrong point or someone touching the deck. */
    lim->max_force_resid = 0.01;
    lim->max_cop_resid_m = 0.015;
}

void fit_imu_limits_default(struct fit_imu_limits *lim)
{
    /* Consumer MEMS accelerometers are within ~2 % in scale after
     * soldering; 5 % off means the wrong range or a moving deck. */
    lim->max_norm_err_g = 0.05;
    lim->max_accel_std_g = 0.02;
    lim->max_gyro_std_dps = 2.0;
}

int fit_window_stats(const struct pkt_sample *s, size_t n, double n_per_count,
                     struct fit_window *out, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    if (!s || !out)
        return gc_fail(diag, GC_ERR_ARG, "no capture to analyse");
    if (n < 16)
        return gc_fail(diag, GC_ERR_ARG,
                       "the capture is too short (%zu samples, at least 16 are needed): give a "
                       "longer --window",
                       n);
    if (!isfinite(n_per_count) || n_per_count == 0.0)
        return gc_fail(diag, GC_ERR_ARG,
                       "the sensor reports no load-cell scale (%g N/count): check its firmware",
                       n_per_count);
    memset(out, 0, sizeof *out);
    out->n = n;
    double g = fabs(n_per_count);
    /* Two passes (mean, then spread) keep the variance exact for large
     * 24-bit offsets, where the one-pass sum of squares loses digits. */
    for (size_t k = 0; k < n; k++) {
        for (unsigned i = 0; i < PKT_CELLS; i++)
            out->mean_counts[i] += s[k].cell[i];
        for (unsigned a = 0; a < PKT_IMU; a++)
            out->imu_mean[a] += s[k].imu[a];
    }
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        out->mean_counts[i] /= (double)n;
    }
    for (unsigned a = 0; a < PKT_IMU; a++)
        out->imu_mean[a] /= (double)n;

    double var[PKT_CELLS] = {0}, var_imu[PKT_IMU] = {0}, var_total = 0.0;
    size_t q = n / 4;
    double first[PKT_CELLS] = {0}, last[PKT_CELLS] = {0};
    for (size_t k = 0; k < n; k++) {
        double tot = 0.0;
        for (unsigned i = 0; i < PKT_CELLS; i++) {
            double d = s[k].cell[i] - out->mean_counts[i];
            var[i] += d * d;
            tot += d;
            if (k < q)
                first[i] += s[k].cell[i];
            else if (k >= n - q)
                last[i] += s[k].cell[i];
        }
        var_total += tot * tot;
        for (unsigned a = 0; a < PKT_IMU; a++) {
            double d = s[k].imu[a] - out->imu_mean[a];
            var_imu[a] += d * d;
        }
    }
    double drift_total = 0.0;
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        out->cell_std_n[i] = sqrt(var[i] / (double)(n - 1)) * g;
        double dr = (last[i] - first[i]) / (double)q;
        out->cell_drift_n[i] = dr * g;
        drift_total += dr;
    }
    out->total_std_n = sqrt(var_total / (double)(n - 1)) * g;
    out->total_drift_n = drift_total * g;
    for (unsigned a = 0; a < PKT_IMU; a++)
        out->imu_std[a] = sqrt(var_imu[a] / (double)(n - 1));
    return GC_OK;
}

int fit_window_check_still(const struct fit_window *w, const struct fit_still_limits *lim,
                           struct gc_diag *diag)
{
    gc_diag_clear(diag);
    if (!w || !lim)
        return gc_fail(diag, GC_ERR_ARG, "no capture or no limits to check");
    if (w->total_std_n > lim->total_std_n) {
        return gc_fail(diag, GC_ERR_STATE,
                       "the load is moving (total force varies by %.1f N std, limit %.1f N): keep "
                       "everyone off the deck, let it settle and try again",
                       w->total_std_n, lim->total_std_n);
    }
    if (fabs(w->total_drift_n) > lim->drift_n) {
        return gc_fail(
            diag, GC_ERR_STATE,
            "the reading is drifting (total force changed by %.1f N over the window, limit "
            "%.1f N): wait until the deck has settled and try again",
            w->total_drift_n, lim->drift_n);
    }
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        if (w->cell_std_n[i] > lim->cell_std_n || fabs(w->cell_drift_n[i]) > lim->drift_n) {
            return gc_fail(diag, GC_ERR_STATE,
                           "the load is moving (cell %u varies by %.1f N std and drifts %.1f N, "
                           "limit %.1f N): keep everyone off the deck, let it settle and try again",
                           i, w->cell_std_n[i], w->cell_drift_n[i], lim->cell_std_n);
        }
    }
    return GC_OK;
}

int fit_zero(const struct fit_window *w, const struct fit_still_limits *lim, struct deck_cal *cal,
             struct gc_diag *diag)
{
    gc_diag_clear(diag);
    if (!w || !lim || !cal)
        return gc_fail(diag, GC_ERR_ARG, "no capture, limits or calibration for the zero");
    int rc = fit_window_check_still(w, lim, diag);
    if (rc != GC_OK)
        return rc;
    for (unsigned i = 0; i < PKT_CELLS; i++)
        cal->cell[i].offset_counts = w->mean_counts[i];
    return GC_OK;
}

const char *fit_corner_name(const struct deck_cal *cal, unsigned i)
{
    static const char *const names[] = {"rear-left", "rear-right", "front-left", "front-right"};
    if (!cal || i >= PKT_CELLS)
        return "?";
    unsigned k = (cal->cell[i].y_m > 0 ? 2u : 0u) + (cal->cell[i].x_m > 0 ? 1u : 0u);
    return names[k];
}

static void cell_bounds(const struct deck_cal *cal, double *x0, double *x1, double *y0, double *y1)
{
    *x0 = *x1 = cal->cell[0].x_m;
    *y0 = *y1 = cal->cell[0].y_m;
    for (unsigned i = 1; i < PKT_CELLS; i++) {
        *x0 = fmin(*x0, cal->cell[i].x_m);
        *x1 = fmax(*x1, cal->cell[i].x_m);
        *y0 = fmin(*y0, cal->cell[i].y_m);
        *y1 = fmax(*y1, cal->cell[i].y_m);
    }
}

int fit_placement_check(const struct deck_cal *cal, double mass_kg, double x_m, double y_m,
                        struct gc_diag *diag)
{
    gc_diag_clear(diag);
    if (!cal)
        return gc_fail(diag, GC_ERR_ARG, "no cell positions to check the placement against");
    if (!isfinite(mass_kg) || mass_kg <= 0.0) {
        return gc_fail(diag, GC_ERR_ARG,
                       "the mass must be a positive number of kilograms (got %g): give the mass of "
                       "the calibration weight",
                       mass_kg);
    }
    double x0, x1, y0, y1;
    cell_bounds(cal, &x0, &x1, &y0, &y1);
    if (!isfinite(x_m) || !isfinite(y_m) || x_m < x0 || x_m > x1 || y_m < y0 || y_m > y1) {
        return gc_fail(
            diag, GC_ERR_ARG,
            "point (%g, %g) m is outside the load cells (x %.3f..%.3f m, y %.3f..%.3f m): "
            "place the mass between the cells",
            x_m, y_m, x0, x1, y0, y1);
    }
    return GC_OK;
}

/*
 * One-sided Jacobi SVD of the m x n matrix a (row-major, m >= n, n <= 4):
 * on return a holds U * diag(sigma) column-wise orthogonal, sigma the column
 * norms, v the n x n right singular vectors (columns).  Small, exact to
 * rounding, and needs no pivoting logic: the right tool for 4 unknowns.
 */
static void jacobi_svd(double *a, size_t m, size_t n, double sigma[PKT_CELLS],
                       double v[PKT_CELLS][PKT_CELLS])
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            v[i][j] = (i == j) ? 1.0 : 0.0;
    for (int sweep = 0; sweep < 60; sweep++) {
        double off = 0.0;
        for (size_t p = 0; p + 1 < n; p++) {
            for (size_t q = p + 1; q < n; q++) {
                double alpha = 0.0, beta = 0.0, gamma = 0.0;
                for (size_t k = 0; k < m; k++) {
                    alpha += a[k * n + p] * a[k * n + p];
                    beta += a[k * n + q] * a[k * n + q];
                    gamma += a[k * n + p] * a[k * n + q];
                }
                if (alpha == 0.0 || beta == 0.0)
                    continue;
                double c_pq = fabs(gamma) / sqrt(alpha * beta);
                off = fmax(off, c_pq);
                if (c_pq < 1e-15)
                    continue;
                double zeta = (beta - alpha) / (2.0 * gamma);
                double t = copysign(1.0, zeta) / (fabs(zeta) + sqrt(1.0 + zeta * zeta));
                double c = 1.0 / sqrt(1.0 + t * t);
                double s = c * t;
                for (size_t k = 0; k < m; k++) {
                    double t1 = a[k * n + p], t2 = a[k * n + q];
                    a[k * n + p] = c * t1 - s * t2;
                    a[k * n + q] = s * t1 + c * t2;
                }
                for (size_t k = 0; k < n; k++) {
                    double t1 = v[k][p], t2 = v[k][q];
                    v[k][p] = c * t1 - s * t2;
                    v[k][q] = s * t1 + c * t2;
                }
            }
        }
        if (off < 1e-15)
            break;
    }
    for (size_t j = 0; j < n; j++) {
        double s2 = 0.0;
        for (size_t k = 0; k < m; k++)
            s2 += a[k * n + j] * a[k * n + j];
        sigma[j] = sqrt(s2);
    }
}

/* Readings of counts under cal: total force and COP (NAN when fz <= 0). */
static void reading(const struct deck_cal *cal, const double counts[PKT_CELLS], double *fz,
                    double *cx, double *cy)
{
    double f = 0.0, mx = 0.0, my = 0.0;
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        double fi = (counts[i] - cal->cell[i].offset_counts) * cal->cell[i].n_per_count;
        f += fi;
        mx += fi * cal->cell[i].x_m;
        my += fi * cal->cell[i].y_m;
    }
    *fz = f;
    *cx = f > 0.0 ? mx / f : NAN;
    *cy = f > 0.0 ? my / f : NAN;
}

/* "front-left and rear-right" style list of the cells whose flag is set. */
static void cell_list(const struct deck_cal *cal, const bool flag[PKT_CELLS], char *buf, size_t cap)
{
    size_t len = 0;
    unsigned count = 0, total = 0;
    for (unsigned i = 0; i < PKT_CELLS; i++)
        total += flag[i];
    buf[0] = '\0';
    for (unsigned i = 0; i < PKT_CELLS && len < cap; i++) {
        if (!flag[i])
            continue;
        count++;
        const char *sep = count == 1 ? "" : (count == total ? " and " : ", ");
        int w = snprintf(buf + len, cap - len, "%s%s (cell %u)", sep, fit_corner_name(cal, i), i);
        if (w < 0)
            break;
        len += (size_t)w;
    }
}

int fit_span(const struct fit_placement *p, size_t n, double nominal_n_per_count,
             const struct fit_span_limits *lim, struct deck_cal *cal, struct fit_span_result *out,
             struct gc_diag *diag)
{
    gc_diag_clear(diag);
    if (!p || !lim || !cal || !out)
        return gc_fail(diag, GC_ERR_ARG, "no placements, limits or calibration to fit");
    if (!isfinite(nominal_n_per_count) || nominal_n_per_count == 0.0)
        return gc_fail(diag, GC_ERR_ARG,
                       "the sensor reports no load-cell scale (%g N/count): check its firmware",
                       nominal_n_per_count);
    memset(out, 0, sizeof *out);
    if (n < FIT_MIN_PLACEMENTS) {
        return gc_fail(
            diag, GC_ERR_ARG,
            "%zu placement%s given, at least %d are needed: add placements of the known mass "
            "at marked points spread over the deck (see docs/calibration.md)",
            n, n == 1 ? "" : "s", FIT_MIN_PLACEMENTS);
    }
    if (n > FIT_MAX_PLACEMENTS) {
        return gc_fail(diag, GC_ERR_ARG, "%zu placements given, at most %d are supported", n,
                       FIT_MAX_PLACEMENTS);
    }
    for (size_t j = 0; j < n; j++) {
        int rc = fit_placement_check(cal, p[j].mass_kg, p[j].x_m, p[j].y_m, diag);
        if (rc != GC_OK) {
            gc_diag_prefix(diag, "placement %zu", j + 1);
            return rc;
        }
        for (unsigned i = 0; i < PKT_CELLS; i++) {
            if (!isfinite(p[j].mean_counts[i])) {
                return gc_fail(diag, GC_ERR_ARG, "placement %zu: cell %u has no valid reading",
                               j + 1, i);
            }
        }
    }
    out->n = n;

    /* Which cells does any placement load?  Share of W a cell carries, at
     * the nominal gain (a 5 % gain error barely moves a 5 % threshold). */
    bool weak[PKT_CELLS] = {false};
    bool any_weak = false;
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        double best = 0.0;
        for (size_t j = 0; j < n; j++) {
            double w = p[j].mass_kg * GC_G_MPS2;
            double f = (p[j].mean_counts[i] - cal->cell[i].offset_counts) * nominal_n_per_count;
            best = fmax(best, f / w);
        }
        out->max_share[i] = best;
        weak[i] = best < lim->min_cell_share;
        any_weak |= weak[i];
    }
    if (any_weak) {
        char cells[160];
        cell_list(cal, weak, cells, sizeof cells);
        unsigned worst = 0;
        for (unsigned i = 1; i < PKT_CELLS; i++)
            if (out->max_share[i] < out->max_share[worst])
                worst = i;
        return gc_fail(
            diag, GC_ERR_STATE,
            "the placements leave %s unconstrained (largest share of the mass it carried: "
            "%.0f %%, need %.0f %%): add a placement nearer the %s corner",
            cells, 100.0 * out->max_share[worst], 100.0 * lim->min_cell_share,
            fit_corner_name(cal, worst));
    }

    /* Moment rows are divided by the mean lever arm of the cells so that
     * every row is in newtons and the three equations weigh alike. */
    double lx = 0.0, ly = 0.0;
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        lx += fabs(cal->cell[i].x_m) / PKT_CELLS;
        ly += fabs(cal->cell[i].y_m) / PKT_CELLS;
    }
    if (!(lx > 0.0) || !(ly > 0.0)) {
        return gc_fail(diag, GC_ERR_ARG,
                       "the cell positions do not span a plate (mean lever arms %g, %g m)", lx, ly);
    }
    static const unsigned nc = PKT_CELLS;
    double a[FIT_MAX_ROWS * PKT_CELLS], b[FIT_MAX_ROWS];
    size_t m = 3 * n;
    for (size_t j = 0; j < n; j++) {
        double w = p[j].mass_kg * GC_G_MPS2;
        for (unsigned i = 0; i < nc; i++) {
            double f = (p[j].mean_counts[i] - cal->cell[i].offset_counts) * nominal_n_per_count;
            a[(3 * j + 0) * nc + i] = f;
            a[(3 * j + 1) * nc + i] = f * cal->cell[i].x_m / lx;
            a[(3 * j + 2) * nc + i] = f * cal->cell[i].y_m / ly;
        }
        b[3 * j + 0] = w;
        b[3 * j + 1] = w * p[j].x_m / lx;
        b[3 * j + 2] = w * p[j].y_m / ly;
    }
    double sigma[PKT_CELLS], v[PKT_CELLS][PKT_CELLS];
    jacobi_svd(a, m, nc, sigma, v);
    unsigned jmax = 0, jmin = 0;
    for (unsigned j = 1; j < nc; j++) {
        if (sigma[j] > sigma[jmax])
            jmax = j;
        if (sigma[j] < sigma[jmin])
            jmin = j;
    }
    out->condition = sigma[jmin] > 0.0 ? sigma[jmax] / sigma[jmin] : INFINITY;
    if (!(out->condition <= lim->max_condition)) {
        /* The weakest right singular vector is the gain combination the
         * placements cannot see; its large components name the cells. */
        bool in[PKT_CELLS];
        unsigned big = 0;
        for (unsigned i = 0; i < nc; i++) {
            in[i] = fabs(v[i][jmin]) > 0.35;
            if (fabs(v[i][jmin]) > fabs(v[big][jmin]))
                big = i;
        }
        double spread = 0.0;
        for (size_t j = 0; j < n; j++)
            for (size_t k = j + 1; k < n; k++)
                spread = fmax(spread, hypot(p[j].x_m - p[k].x_m, p[j].y_m - p[k].y_m));
        if (spread < 0.2 * hypot(lx, ly)) {
            return gc_fail(
                diag, GC_ERR_STATE,
                "the placements are all within %.0f mm of each other, which cannot tell the "
                "4 gains apart (condition number %.3g, limit %.3g): spread them over the "
                "deck, e.g. marked points 1-5 of docs/calibration.md",
                1e3 * spread, out->condition, lim->max_condition);
        }
        char cells[160];
        cell_list(cal, in, cells, sizeof cells);
        return gc_fail(
            diag, GC_ERR_STATE,
            "the placements cannot tell the gains of %s apart (condition number %.3g, "
            "limit %.3g): add a placement nearer the %s corner, away from the other points",
            cells, out->condition, lim->max_condition, fit_corner_name(cal, big));
    }
    /* x = V diag(1/sigma^2) (A V)^T b, with a now holding A V column-wise. */
    double s[PKT_CELLS] = {0};
    for (unsigned j = 0; j < nc; j++) {
        double ub = 0.0;
        for (size_t k = 0; k < m; k++)
            ub += a[k * nc + j] * b[k];
        double coef = ub / (sigma[j] * sigma[j]);
        for (unsigned i = 0; i < nc; i++)
            s[i] += v[i][j] * coef;
    }
    struct deck_cal trial = *cal;
    for (unsigned i = 0; i < nc; i++) {
        out->n_per_count[i] = nominal_n_per_count * s[i];
        out->gain_rel[i] = s[i] - 1.0;
        trial.cell[i].n_per_count = out->n_per_count[i];
    }

    double sum_f2 = 0.0, sum_c2 = 0.0;
    size_t worst_f = 0, worst_c = 0;
    for (size_t j = 0; j < n; j++) {
        double w = p[j].mass_kg * GC_G_MPS2;
        double fz, cx, cy;
        reading(&trial, p[j].mean_counts, &fz, &cx, &cy);
        struct fit_residual *r = &out->resid[j];
        r->force_n = fz - w;
        r->force_rel = r->force_n / w;
        r->copx_m = cx - p[j].x_m;
        r->copy_m = cy - p[j].y_m;
        r->cop_m = hypot(r->copx_m, r->copy_m);
        sum_f2 += r->force_n * r->force_n;
        sum_c2 += r->cop_m * r->cop_m;
        if (fabs(r->force_rel) > fabs(out->resid[worst_f].force_rel))
            worst_f = j;
        if (!(r->cop_m <= out->resid[worst_c].cop_m))
            worst_c = j;
    }
    out->rms_force_n = sqrt(sum_f2 / (double)n);
    out->rms_cop_m = sqrt(sum_c2 / (double)n);
    out->max_abs_force_rel = fabs(out->resid[worst_f].force_rel);
    out->max_cop_m = out->resid[worst_c].cop_m;

    for (unsigned i = 0; i < nc; i++) {
        if (!(fabs(out->gain_rel[i]) <= lim->max_gain_rel_err)) {
            return gc_fail(
                diag, GC_ERR_STATE,
                "the fitted gain of %s (cell %u) is %+.0f %% off nominal (limit %.0f %%): "
                "check the cell's wiring and the masses and points entered",
                fit_corner_name(cal, i), i, 100.0 * out->gain_rel[i],
                100.0 * lim->max_gain_rel_err);
        }
    }
    if (!(out->max_abs_force_rel <= lim->max_force_resid)) {
        return gc_fail(
            diag, GC_ERR_STATE,
            "placement %zu does not fit the others (force off by %+.2f %%, limit %.2f %%): "
            "check its mass and point, make sure nobody touches the deck, and repeat it",
            worst_f + 1, 100.0 * out->resid[worst_f].force_rel, 100.0 * lim->max_force_resid);
    }
    if (!(out->max_cop_m <= lim->max_cop_resid_m)) {
        return gc_fail(
            diag, GC_ERR_STATE,
            "placement %zu does not fit the others (centre of pressure off by %.1f mm, limit "
            "%.1f mm): check its point and repeat it",
            worst_c + 1, 1e3 * out->max_cop_m, 1e3 * lim->max_cop_resid_m);
    }
    for (unsigned i = 0; i < nc; i++)
        cal->cell[i].n_per_count = out->n_per_count[i];
    return GC_OK;
}

int fit_imu(const struct fit_window *w, double accel_g_per_lsb, double gyro_dps_per_lsb,
            const struct fit_imu_limits *lim, struct fit_imu_result *out, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    if (!w || !lim || !out)
        return gc_fail(diag, GC_ERR_ARG, "no capture, limits or result for the IMU fit");
    if (!isfinite(accel_g_per_lsb) || accel_g_per_lsb <= 0.0 || !isfinite(gyro_dps_per_lsb) ||
        gyro_dps_per_lsb <= 0.0)
        return gc_fail(diag, GC_ERR_ARG,
                       "the sensor reports no IMU scale (%g g/LSB, %g deg/s/LSB): check its "
                       "firmware",
                       accel_g_per_lsb, gyro_dps_per_lsb);
    memset(out, 0, sizeof *out);
    double norm2 = 0.0;
    for (unsigned k = 0; k < 3; k++) {
        out->accel_mean_g[k] = w->imu_mean[k] * accel_g_per_lsb;
        out->gyro_bias_dps[k] = w->imu_mean[3 + k] * gyro_dps_per_lsb;
        norm2 += out->accel_mean_g[k] * out->accel_mean_g[k];
        double sa = w->imu_std[k] * accel_g_per_lsb, sg = w->imu_std[3 + k] * gyro_dps_per_lsb;
        if (sa > lim->max_accel_std_g || sg > lim->max_gyro_std_dps) {
            return gc_fail(
                diag, GC_ERR_STATE,
                "the deck is moving (IMU axis %u varies by %.3f g / %.2f deg/s std, limits "
                "%.3f g / %.2f deg/s): stop the belt, keep off the deck and try again",
                k, sa, sg, lim->max_accel_std_g, lim->max_gyro_std_dps);
        }
    }
    out->accel_norm_g = sqrt(norm2);
    if (!(fabs(out->accel_norm_g - 1.0) <= lim->max_norm_err_g)) {
        return gc_fail(
            diag, GC_ERR_STATE,
            "the accelerometer reads %.3f g at rest, not 1 g (limit +/- %.2f g): check the "
            "IMU range setting and that the deck is still",
            out->accel_norm_g, lim->max_norm_err_g);
    }
    /* Smallest rotation taking the unit gravity vector u onto z (Rodrigues):
     * axis u x z, cos = u . z.  R = I + [k]x + [k]x^2 (1 - c) / s^2. */
    double u[3];
    for (unsigned k = 0; k < 3; k++)
        u[k] = out->accel_mean_g[k] / out->accel_norm_g;
    double kx = u[1], ky = -u[0]; /* u x (0,0,1) = (uy, -ux, 0) */
    double c = u[2];
    double s2 = kx * kx + ky * ky;
    out->tilt_deg = atan2(sqrt(s2), c) * (180.0 / 3.14159265358979323846);
    double r[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    if (s2 < 1e-24) {
        if (c < 0.0) { /* upside down: half turn about x */
            r[1][1] = -1.0;
            r[2][2] = -1.0;
        }
    } else {
        double kk[3][3] = {{0, 0, ky}, {0, 0, -kx}, {-ky, kx, 0}};
        double f = (1.0 - c) / s2;
        for (unsigned i = 0; i < 3; i++)
            for (unsigned j = 0; j < 3; j++) {
                double k2 = 0.0;
                for (unsigned l = 0; l < 3; l++)
                    k2 += kk[i][l] * kk[l][j];
                r[i][j] += kk[i][j] + f * k2;
            }
    }
    memcpy(out->rot, r, sizeof r);
    return GC_OK;
}

int fit_verify(const struct deck_cal *cal, const double mean_counts[PKT_CELLS], double mass_kg,
               double x_m, double y_m, struct fit_verify_result *out, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    if (!cal || !mean_counts || !out)
        return gc_fail(diag, GC_ERR_ARG, "no calibration, reading or result to verify");
    if (!isfinite(mass_kg) || mass_kg <= 0.0)
        return gc_fail(diag, GC_ERR_ARG,
                       "the mass must be a positive number of kilograms (got %g): give the mass "
                       "of the calibration weight",
                       mass_kg);
    double w = mass_kg * GC_G_MPS2;
    reading(cal, mean_counts, &out->fz_n, &out->copx_m, &out->copy_m);
    out->force_err_n = out->fz_n - w;
    out->force_err_pct = 100.0 * out->force_err_n / w;
    out->copx_err_m = out->copx_m - x_m;
    out->copy_err_m = out->copy_m - y_m;
    out->cop_err_m = hypot(out->copx_err_m, out->copy_err_m);
    return GC_OK;
}

static void half_spans(const struct deck_cal *cal, double *cx, double *cy, double *hx, double *hy)
{
    double x0, x1, y0, y1;
    cell_bounds(cal, &x0, &x1, &y0, &y1);
    *cx = 0.5 * (x0 + x1);
    *cy = 0.5 * (y0 + y1);
    *hx = 0.5 * (x1 - x0);
    *hy = 0.5 * (y1 - y0);
}

void fit_std_points(const struct deck_cal *cal, double x_m[FIT_STD_POINTS],
                    double y_m[FIT_STD_POINTS])
{
    /* 1 centre; 2 front-left, 3 front-right, 4 rear-left, 5 rear-right
     * quadrant middles (half way from the centre to each cell). */
    static const double fx[FIT_STD_POINTS] = {0.0, -0.5, 0.5, -0.5, 0.5};
    static const double fy[FIT_STD_POINTS] = {0.0, 0.5, 0.5, -0.5, -0.5};
    double cx, cy, hx, hy;
    half_spans(cal, &cx, &cy, &hx, &hy);
    for (unsigned k = 0; k < FIT_STD_POINTS; k++) {
        x_m[k] = cx + fx[k] * hx;
        y_m[k] = cy + fy[k] * hy;
    }
}

void fit_verify_point(const struct deck_cal *cal, double *x_m, double *y_m)
{
    double cx, cy, hx, hy;
    half_spans(cal, &cx, &cy, &hx, &hy);
    *x_m = cx + 0.4 * hx;
    *y_m = cy - 0.3 * hy;
}
