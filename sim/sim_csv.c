/*
 * sim_csv.c - gaitcue-sim's CSV outputs (force samples and truth steps).
 *
 * The force CSV is written at ~1 M rows per few seconds, so numbers are
 * formatted with a small fixed-point formatter instead of printf("%f").
 */
#include "sim_csv.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Append value with `decimals` digits after the point to p; returns the new
 * end.  |v| must stay below 9e12. */
static char *put_fixed(char *p, double v, int decimals)
{
    static const double pow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
    double scaled = round(v * pow10[decimals]);
    if (scaled < 0.0) {
        *p++ = '-';
        scaled = -scaled;
    }
    uint64_t u = (uint64_t)scaled;
    uint64_t div = (uint64_t)pow10[decimals];
    uint64_t ip = u / div, fp = u % div;
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + ip % 10);
        ip /= 10;
    } while (ip);
    while (n)
        *p++ = tmp[--n];
    if (decimals > 0) {
        *p++ = '.';
        for (int d = decimals - 1; d >= 0; d--) {
            p[d] = (char)('0' + fp % 10);
            fp /= 10;
        }
        p += decimals;
    }
    return p;
}

int sim_truth_header(FILE *f)
{
    return fputs(SIM_TRUTH_HEADER "\n", f) < 0 ? -1 : 0;
}

static void opt(FILE *f, double v, int decimals)
{
    fputc(',', f);
    if (!isnan(v))
        fprintf(f, "%.*f", decimals, v);
}

static const char *lr_window_name(enum runner_lr_window w)
{
    switch (w) {
    case RUNNER_LR_IMPACT:
        return "impact";
    case RUNNER_LR_STANCE13:
        return "stance13";
    case RUNNER_LR_NONE:
        break;
    }
    return "";
}

int sim_truth_row(FILE *f, const struct runner_step *st, double t_offset_s, double bw_n)
{
    fprintf(f, "%u,%c,%.6f,%.6f,%.3f", (unsigned)st->index, st->side, st->t_ic_s + t_offset_s,
            st->t_to_s + t_offset_s, st->contact_ms);
    opt(f, st->flight_ms, 3);
    opt(f, st->step_ms, 3);
    opt(f, st->cadence_spm, 3);
    opt(f, st->impact_peak_n, 2);
    opt(f, st->impact_peak_n / bw_n, 4);
    opt(f, st->t_impact_s + t_offset_s, 6);
    opt(f, st->valr_bw_s, 3);
    opt(f, st->vilr_bw_s, 3);
    opt(f, st->active_peak_n, 2);
    opt(f, st->active_peak_n / bw_n, 4);
    int rc = fprintf(f, ",%s,%s,%.4f\n", st->gait == RUNNER_GAIT_RUN ? "run" : "walk",
                     lr_window_name(st->lr_window), st->foot_x_m);
    return rc < 0 ? -1 : 0;
}

int sim_force_header(FILE *f, const struct runner_config *c)
{
    fprintf(f, "# rate_hz=%g\n# mass_kg=%g\n", c->rate_hz, c->mass_kg);
    fprintf(f, "# source=gaitcue-sim profile=%s", runner_profile_name(c->profile));
    if (c->profile != RUNNER_PROFILE_STATIC)
        fprintf(f, " cadence_spm=%g strike=%s", c->cadence_spm,
                c->strike == RUNNER_STRIKE_REAR ? "rear" : "fore");
    if (c->profile == RUNNER_PROFILE_INTERVALS)
        fprintf(f, " walk_cadence_spm=%g intervals=%g,%g,%u", c->walk_cadence_spm,
                c->interval_run_s, c->interval_walk_s, c->interval_reps);
    for (unsigned i = 0; i < c->n_loads; i++)
        fprintf(f, " load=%g@%g,%g", c->loads[i].mass_kg, c->loads[i].x_m, c->loads[i].y_m);
    fprintf(f,
            " seed=%llu gain_error_pct=%g offset_n=%g noise_n=%g drift_n=%g wobble_n=%g"
            " stand_s=%g\n",
            (unsigned long long)c->seed, c->gain_error_pct, c->offset_n, c->noise_n, c->drift_n,
            c->wobble_n, c->stand_s);
    fprintf(f,
            "# cells=fz1 front-left (-%.2f,+%.2f) fz2 front-right (+%.2f,+%.2f)"
            " fz3 rear-left (-%.2f,-%.2f) fz4 rear-right (+%.2f,-%.2f) m\n",
            RUNNER_CELL_X_M, RUNNER_CELL_Y_M, RUNNER_CELL_X_M, RUNNER_CELL_Y_M, RUNNER_CELL_X_M,
            RUNNER_CELL_Y_M, RUNNER_CELL_X_M, RUNNER_CELL_Y_M);
    fprintf(f,
            "# scale=uncalibrated: counts x %g N/count (includes cell gain errors and"
            " offsets)\n",
            RUNNER_N_PER_COUNT);
    return fputs(SIM_FORCE_HEADER "\n", f) < 0 ? -1 : 0;
}

int sim_force_row(FILE *f, const struct runner_sample *s)
{
    char line[512], *p = line;
    double cell[RUNNER_CELLS], fz = 0.0;
    for (int i = 0; i < RUNNER_CELLS; i++) {
        cell[i] = (double)s->counts[i] * RUNNER_N_PER_COUNT;
        fz += cell[i];
    }
    double x, y;
    runner_cop(cell, 1.0, &x, &y);
    x = fmax(-RUNNER_CELL_X_M, fmin(RUNNER_CELL_X_M, x));
    y = fmax(-RUNNER_CELL_Y_M, fmin(RUNNER_CELL_Y_M, y));
    p = put_fixed(p, s->t_s, 6);
    for (int i = 0; i < RUNNER_CELLS; i++) {
        *p++ = ',';
        p = put_fixed(p, cell[i], 4);
    }
    *p++ = ',';
    p = put_fixed(p, fz, 4);
    *p++ = ',';
    p = put_fixed(p, x, 5);
    *p++ = ',';
    p = put_fixed(p, y, 5);
    for (int i = 0; i < 3; i++) {
        *p++ = ',';
        p = put_fixed(p, s->imu_lsb[i] * RUNNER_ACCEL_G_PER_LSB, 6);
    }
    for (int i = 0; i < 3; i++) {
        *p++ = ',';
        p = put_fixed(p, s->imu_lsb[3 + i] * RUNNER_GYRO_DPS_PER_LSB, 4);
    }
    *p++ = '\n';
    return fwrite(line, 1, (size_t)(p - line), f) == (size_t)(p - line) ? 0 : -1;
}
