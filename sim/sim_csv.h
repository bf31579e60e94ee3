/*
 * sim_csv.h - gaitcue-sim's file outputs: the canonical force CSV (DESIGN.md
 * section 5) and the truth steps CSV (same header as the station's steps
 * export, plus three trailing columns).
 *
 * Edge code (stdio).  Thread: the simulator's main thread only.
 */
#ifndef GC_SIM_CSV_H
#define GC_SIM_CSV_H

#include <stdio.h>

#include "runner_model.h"

/* Header of the truth steps CSV, without the newline. */
#define SIM_TRUTH_HEADER                                                                           \
    "index,side,t_ic_s,t_to_s,contact_ms,flight_ms,step_ms,cadence_spm,impact_peak_n,"             \
    "impact_peak_bw,t_impact_s,valr_bw_s,vilr_bw_s,active_peak_n,active_peak_bw,gait,"             \
    "lr_window,foot_x_m"

/* Header of the force CSV, without the newline. */
#define SIM_FORCE_HEADER                                                                           \
    "t_s,fz1_n,fz2_n,fz3_n,fz4_n,fz_n,copx_m,copy_m,acc_x_g,acc_y_g,acc_z_g,gyro_x_dps,"           \
    "gyro_y_dps,gyro_z_dps"

/* Write the truth header line.  Returns 0 or -1 on a write error. */
int sim_truth_header(FILE *f);
/* One step; t_offset_s is added to every time (model -> sensor time);
 * bw_n converts to body weights.  Absent values are empty fields. */
int sim_truth_row(FILE *f, const struct runner_step *st, double t_offset_s, double bw_n);

/* Comment lines and header of the force CSV for this configuration. */
int sim_force_header(FILE *f, const struct runner_config *cfg);
/* One sample as the station would read it with the nominal scale (see
 * docs/simulator.md): fzN_n = counts x RUNNER_N_PER_COUNT, fz_n the sum,
 * COP from those four values (clamped to the cell rectangle), IMU from
 * the raw LSB x nominal scale. */
int sim_force_row(FILE *f, const struct runner_sample *s);

#endif
