/*
 * deck.h - from raw load-cell counts to vertical force and centre of
 * pressure (COP) of the treadmill deck.
 *
 * The deck rests on 4 load cells, one per corner, read by one 4-channel ADC.
 * Each ADC channel i has a calibration (zero offset in counts, gain in N per
 * count) and a position in deck coordinates (x mediolateral, + towards the
 * runner's right; y anteroposterior, + towards the front; origin at the deck
 * centre; metres, see firmware/proto/packet.h):
 *
 *     F_i  = (counts_i - offset_counts_i) * n_per_count_i       [N]
 *     Fz   = F_0 + F_1 + F_2 + F_3                             [N]
 *     COPx = sum(F_i * x_m_i) / Fz,  COPy = sum(F_i * y_m_i) / Fz   [m]
 *
 * COP is NAN when Fz is below DECK_COP_MIN_N: with nobody on the deck the
 * ratio is noise divided by noise.
 *
 * The calibration is a plain struct in caller's storage.  It comes from the
 * device's nominal figures (deck_cal_nominal, from the HELLO packet) or from
 * a calibration file written by `calib` (reader elsewhere; it fills this
 * struct).  Pure code: no I/O, no allocation.  Thread: any (reentrant).
 */
#ifndef GC_DECK_H
#define GC_DECK_H

#include <stddef.h>
#include <stdint.h>

#include "gait.h"
#include "packet.h"

/* Below this total force the COP is reported as NAN, N.  A foot on the deck
 * weighs far more; flight noise on real decks stays under ~35 N. */
#define DECK_COP_MIN_N 50.0

#define DECK_CAL_NAME_LEN 64

/* Calibration of one ADC channel (index = ADC channel, not corner). */
struct deck_cell_cal {
    double offset_counts; /* ADC reading with the deck unloaded, counts */
    double n_per_count;   /* gain, N per count (may be negative if wired inverted) */
    double x_m;           /* cell position, deck coordinates, m */
    double y_m;
};

struct deck_cal {
    char serial[PKT_SERIAL_LEN + 1]; /* sensor unit serial it belongs to; "" = any */
    char name[DECK_CAL_NAME_LEN];    /* free text: who/when, e.g. "2024-05-02 PT lab deck 1" */
    struct deck_cell_cal cell[PKT_CELLS];
};

/* Nominal calibration from the device's HELLO: zero offsets, the nominal
 * gain for every cell, positions from cell_x_mm/cell_y_mm; serial copied,
 * name "nominal".  Returns GC_OK, or GC_ERR_ARG on NULL pointers or a zero /
 * non-finite gain. */
int deck_cal_nominal(const struct pkt_hello *hello, struct deck_cal *cal);

/* Per-cell forces (N) of one raw sample. */
void deck_cell_forces(const struct deck_cal *cal, const struct pkt_sample *s,
                      double force_n[PKT_CELLS]);

/* One raw sample -> one conditioned gait sample at sensor time t_s.  COP is
 * NAN when fz < DECK_COP_MIN_N. */
void deck_convert(const struct deck_cal *cal, const struct pkt_sample *s, double t_s,
                  struct gait_sample *out);

/* Convert a SAMPLES block: n = blk->n samples into out (capacity cap >= n),
 * times t_first_us + i / rate_hz, plus t_offset_s (host choice of time
 * origin; 0 keeps sensor time).  Returns the number written, or GC_ERR_ARG
 * when cap is too small or the rate is 0. */
int deck_convert_block(const struct deck_cal *cal, const struct pkt_samples *blk, double t_offset_s,
                       struct gait_sample *out, size_t cap);

/* Sum and COP from per-cell forces already in N (CSV import with fz1..fz4):
 * uses only the positions of cal.  Cell i of the CSV is ADC channel i. */
void deck_from_forces(const struct deck_cal *cal, const double force_n[PKT_CELLS], double t_s,
                      struct gait_sample *out);

#endif
