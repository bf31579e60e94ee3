/*
 * calfile.h - the calibration file of a sensor unit: its format, writer
 * (to a buffer) and parser (from a buffer).  Pure: the files on disk, the
 * history per serial number and the data folder are station/edge/calstore.h.
 *
 * `calib` writes it; `station probe|run --calibration FILE` (or the newest
 * file for the connected sensor, calfile_find_newest in calstore.h) reads
 * it into a struct deck_cal (deck.h).  Format: INI, parsed with libinih; full
 * description and an example in docs/calibration.md.  In short:
 *
 *     ; gaitcue calibration file - written by calib, do not edit
 *     [calibration]
 *     format_version = 1
 *     serial = GCSIM-0001
 *     created = 2024-05-02T10:31:07Z
 *     operator = J. Smith
 *     ...
 *     [cell0] ... [cell3]          offset_counts, n_per_count, x_m, y_m
 *     [zero] [span] [placement1..N] [imu] [verify]   how it was obtained
 *     [end]
 *     crc32 = 1a2b3c4d             CRC-32 of every byte before "[end]"
 *
 * A file is used only when it is whole and meant for this sensor: the
 * reader refuses (and fills nothing the caller uses) a file that is
 * truncated or damaged (no [end] or a checksum mismatch), malformed (missing
 * or unreadable keys), holding impossible values (calfile_check_deck),
 * from a newer format version, or bound to another
 * serial number unless CALFILE_ALLOW_OTHER_SERIAL is given (then it warns).
 *
 * Errors: GC_OK; GC_ERR_FORMAT (truncated, damaged, malformed),
 * GC_ERR_VERSION (newer format), GC_ERR_ARG (bad arguments, or the file
 * belongs to another sensor), GC_ERR_NOMEM.  Every fallible call takes a
 * `struct gc_diag *diag` last (gc_error.h; NULL when only the code is
 * wanted) and returns the code it stores there.  On failure diag->msg is
 * one sentence naming the file and saying what to do.  On success
 * diag->code is GC_OK and diag->msg is "" or a warning the caller must show
 * the user (gc_diag_is_warning: a file of another sensor used on the
 * override); calfile_is_stale warns the same way.  Nothing is logged here.
 * Thread: any; no shared state.
 */
#ifndef GC_CALFILE_H
#define GC_CALFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "deck.h"
#include "gc_error.h"

/* Format this build writes and the newest it reads. */
#define CALFILE_FORMAT_VERSION 1
/* A calibration older than this draws a warning (configurable by callers). */
#define CALFILE_DEFAULT_MAX_AGE_DAYS 180.0
#define CALFILE_MAX_PLACEMENTS       32
#define CALFILE_TEXT_LEN             64
#define CALFILE_PATH_LEN             1024
/* Largest calibration file read: 32 placements take ~8 kB. */
#define CALFILE_MAX_BYTES            65536

/* calfile_load flags. */
#define CALFILE_ALLOW_OTHER_SERIAL (1u << 0) /* use a file for another sensor (warns) */

struct calfile_placement {
    double mass_kg;
    double x_m, y_m;               /* point, deck coordinates, m */
    double mean_counts[PKT_CELLS]; /* raw reading with the mass on */
    double resid_force_n;          /* calibrated fz - m g, N */
    double resid_cop_mm;           /* |calibrated COP - point|, mm */
};

struct calfile {
    int format_version;
    struct deck_cal deck;           /* serial, name, per-cell offset/gain/position */
    char created[CALFILE_TEXT_LEN]; /* ISO 8601 UTC, "2024-05-02T10:31:07Z" */
    time_t created_t;               /* the same as time_t (UTC) */
    char operator_name[CALFILE_TEXT_LEN];
    char tool[CALFILE_TEXT_LEN];     /* "calib 0.1.0" */
    char kind[CALFILE_TEXT_LEN];     /* "full", "zero" (re-zero of a previous file), "imu" */
    char based_on[CALFILE_TEXT_LEN]; /* file name of the calibration it updates, or "" */
    double nominal_n_per_count;      /* the device's nominal gain at calibration time */

    /* zero */
    unsigned zero_samples;
    double zero_std_n;   /* std of the total force over the zero window, N */
    double zero_drift_n; /* drift of the total force over the window, N */

    /* span */
    unsigned n_placements;
    struct calfile_placement placement[CALFILE_MAX_PLACEMENTS];
    double span_condition;
    double span_rms_force_n, span_max_force_pct, span_rms_cop_mm, span_max_cop_mm;

    /* IMU (imu_present false: no IMU calibration; identity and zero bias) */
    bool imu_present;
    double imu_rot[3][3];        /* deck = rot * sensor; maps gravity onto +z */
    double imu_gyro_bias_dps[3]; /* subtract from gyro readings */
    double imu_tilt_deg;
    double imu_accel_norm_g;

    /* verification at calibration time (verify_present false: none) */
    bool verify_present;
    double verify_mass_kg, verify_x_m, verify_y_m;
    double verify_force_err_pct, verify_cop_err_mm;
    double verify_nominal_force_err_pct, verify_nominal_cop_err_mm;
};

/* A cleared calfile: format version current, identity IMU, no placements. */
void calfile_init(struct calfile *cf);

/* Serialise to text (NUL-terminated, into buf of cap bytes).  Returns the
 * length, or GC_ERR_ARG when cap is too small (16 kB always suffices). */
int calfile_format(const struct calfile *cf, char *buf, size_t cap);

/* Parse text (NUL-terminated).  expected_serial: the connected sensor's
 * serial, or NULL/"" to accept any (an offline tool).  On failure *out is
 * cleared to calfile_init defaults, so nothing of a refused file can be used
 * by mistake. */
/* Plausibility limits (docs/calibration.md, "Plausibility limits"): a
 * checksum-valid file is refused when a value is outside them. */
#define CALFILE_GAIN_MIN_N_PER_COUNT 1e-7 /* 2^23 counts = 0.8 N full scale */
#define CALFILE_GAIN_MAX_N_PER_COUNT 1.0  /* 2^23 counts = 8.4 MN full scale */
#define CALFILE_GAIN_MAX_REL_ERR     0.5  /* calib's own refusal limit (fit.c) */
#define CALFILE_MAX_OFFSET_COUNTS    8388608.0 /* 2^23: the signed 24-bit ADC range */
#define CALFILE_MAX_POS_M            5.0  /* a treadmill deck is < 1 m x 2 m */
#define CALFILE_MIN_SPAN_M           0.1  /* the corners of the smallest deck */
/* Check a deck calibration against those limits: every gain positive,
 * within the absolute range and (nominal_n_per_count > 0) within
 * CALFILE_GAIN_MAX_REL_ERR of the nominal (without one, of the cells'
 * mean); offsets within the ADC range; positions finite, on a deck and
 * spanning at least CALFILE_MIN_SPAN_M each way.  GC_OK (diag cleared), or GC_ERR_FORMAT
 * with diag->msg a phrase naming the cell and value ("cell 2 gain 3 N/count
 * outside 1e-07 to 1e+00"), for a caller to put in its own sentence. */
int calfile_check_deck(const struct deck_cal *cal, double nominal_n_per_count,
                       struct gc_diag *diag);

int calfile_parse(const char *text, const char *expected_serial, unsigned flags,
                  struct calfile *out, struct gc_diag *diag);

/* Parse the len bytes of a file's contents (no NUL needed).  name (the
 * file's path) is named in diag->msg.  Refuses more than CALFILE_MAX_BYTES
 * and binary data (a NUL byte) with GC_ERR_FORMAT, else as calfile_parse. */
int calfile_parse_buffer(const char *buf, size_t len, const char *name, const char *expected_serial,
                         unsigned flags, struct calfile *out, struct gc_diag *diag);

/* Can serial name a folder of the history?  Not empty, not "." or "..",
 * no '/' and no control character. */
bool calfile_serial_is_safe(const char *serial);

/* Age of the calibration at now, days. */
double calfile_age_days(const struct calfile *cf, time_t now);

/* Is the calibration older than max_age_days, or dated more than a day in
 * the future (a wrong clock)?  When it is: true, and diag holds a warning
 * for the user (code GC_OK, msg saying how old, or to check the clock, and
 * to run calib; gc_warn).  When not: false and diag cleared.  Not a failure: the
 * caller shows the warning and goes on. */
bool calfile_is_stale(const struct calfile *cf, time_t now, double max_age_days,
                      struct gc_diag *diag);

/* One line naming the calibration in use, for the live view and the
 * report: "GCSIM-0001, 2024-05-02 by J. Smith (12 days old)". */
void calfile_describe(const struct calfile *cf, time_t now, char *buf, size_t cap);

#endif
