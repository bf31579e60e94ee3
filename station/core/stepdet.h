/*
 * stepdet.h - streaming contact detector with hysteresis on one force
 * signal (already low-passed), with the flight baseline tracked inside.
 *
 *   force
 *     |          ___
 *     |         /   \___/\
 *     |  detect/          \        contact is DETECTED when the force
 *     |------ /------------\---    rises above baseline + detect_n ...
 *     |  time/              \      ... and TIMED where it crossed
 *     |-----x----------------x--   baseline + time_n (linear interpolation
 *     |    /  IC            TO\    between the two samples around it,
 *     |___/                    \__ found by looking back in the history);
 *     +------------------------------> t   it ENDS (toe-off) when the force
 *                                          falls below baseline + time_n.
 *
 * Noise under the edges (deck hum, drift): the look-back for IC stops at
 * the foot of the rising edge (a minimum with STEPDET_FOOT_N of rise before
 * it), and a falling edge
 * that turns up again below the detection level ends the contact at that
 * turn, so a crest of hum under an edge neither moves IC to an earlier
 * crossing nor merges two contacts.
 *
 * A contact can only start after the force has been below baseline +
 * time_n (armed), so a recording that starts mid-stance never yields half a
 * step; the first contact after (re)starting must also have
 * STEPDET_FIRST_FLIGHT_S of flight before it, else it may have begun before the data and is
 * followed without being reported.  The flight baseline (baseline.h) is re-measured at every
 * initial contact from the flight just ended: the median of the samples from toe-off + guard to IC
 * - guard (guard = STEPDET_GUARD_S; filters ring near the edges, and a median ignores what ringing
 * is left). With track_baseline false the baseline stays 0 (signals that are already relative, e.g.
 * one foot's share of the force in double support).
 *
 * Event times: the timing-level crossing, moved towards the baseline by
 * STEPDET_TANGENT_SHARE of the time the tangent at the crossing needs to
 * reach the baseline (back for IC; forward for TO by
 * STEPDET_TANGENT_SHARE_TO; at most STEPDET_MAX_EXTRAP_S).  Why: force leaves zero smoothly, so the
 * crossing of baseline + 20 N comes 0.5-3 ms after the true contact; but the low-pass rounds the
 * toe of the edge as well, so the full tangent overshoots.  On simulated contacts with known onsets
 * (rear- and forefoot running at 150-185 steps/min, walking; docs/analysis.md) the plain crossing
 * is 0.4-1.4 ms late, the full tangent about 1 ms early, half of it within
 * +-0.5 ms.  stepdet_extrapolate() is the same rule for callers with their
 * own signals.
 *
 * Times are sample times (not corrected for any filter delay: the caller
 * subtracts its filter's delay).  Caller's storage, no allocation.
 * Thread: owner's only.
 */
#ifndef GC_STEPDET_H
#define GC_STEPDET_H

#include <stdbool.h>
#include <stdint.h>

#include "baseline.h"

/* History kept for the look-back and the flight mean: 1 s at 2 kHz. */
#define STEPDET_HIST 2048u
/* Samples this close to a toe-off or an initial contact are not flight
 * samples for the baseline (filter ringing, the edges themselves). */
#define STEPDET_GUARD_S 0.010
/* The first contact after (re)starting needs this much flight before its
 * timing-level crossing (sample time, i.e. including the filter delay):
 * with less, the baseline is a guess and the contact may have begun before
 * the data.  Flights of running last 30-150 ms: at worst the first step of
 * a recording is not counted. */
#define STEPDET_FIRST_FLIGHT_S 0.050
/* A falling edge that turns up again below the detection level ends the
 * contact there (see stepdet_push), once the contact is this old. */
#define STEPDET_MIN_ON_S 0.080
/* A crest under the rising edge counts when the force, going back in time,
 * rises this much above the lowest point seen (a foot of the edge);
 * smaller wiggles of a slow toe are part of the edge. */
#define STEPDET_FOOT_N 5.0
/* Longest extrapolation from the timing level towards the baseline. */
#define STEPDET_MAX_EXTRAP_S 0.010
/* Share of the tangent's time to the baseline that event times are moved:
 * IC (rising edge) and TO (falling edge; the end of stance approaches zero
 * like (1 - u)^1.5, where half the tangent leaves TO 2.5-3 ms early on the
 * simulator and the full tangent ~1 ms). */
#define STEPDET_TANGENT_SHARE    0.5
#define STEPDET_TANGENT_SHARE_TO 1.0

/* STEPDET_LOST: a short data gap (stepdet_gap) hid an edge of a contact:
 * the open contact ended, or a new one began, inside the missing data or
 * the samples marked not-data after it.  That contact is not reported (a
 * contact that began in the gap is followed silently to its end). */
enum stepdet_event { STEPDET_NONE = 0, STEPDET_ON = 1, STEPDET_OFF = 2, STEPDET_LOST = 3 };

struct stepdet {
    double detect_n, time_n; /* thresholds above baseline, N */
    double rate_hz;
    bool track_baseline;
    struct baseline base;
    float y[STEPDET_HIST];  /* input history */
    double t[STEPDET_HIST]; /* sample times */
    uint64_t n;             /* samples pushed */
    bool armed, on;
    uint64_t off_idx; /* first sample index after the last toe-off */
    bool have_off;
    bool flight_measured;        /* baseline already updated from this flight */
    double t_on;                 /* time of the current contact's IC */
    /* The plain crossing of baseline + time_n (sample time, no
     * extrapolation) of the event stepdet_push just returned: the
     * literature's threshold time (docs/analysis.md, "Threshold times"). */
    double t_thr_s;
    uint64_t arm_idx;            /* sample index where the detector got armed */
    bool silent;                 /* current contact not reported (began before the data) */
    float scratch[STEPDET_HIST]; /* for the flight median */
    /* Short data gaps (stepdet_gap): samples marked not-data are neither
     * event times nor flight samples; an edge that falls among them is
     * not observed. */
    uint8_t bad[STEPDET_HIST]; /* 1: sample is not data (settling after a gap) */
    uint32_t bad_left;         /* samples still to be marked not-data */
    bool after_bad;            /* the previous sample was not data */
};

/* Returns GC_OK or GC_ERR_ARG (time_n >= detect_n, rate out of 1..100000). */
int stepdet_init(struct stepdet *sd, double detect_n, double time_n, double rate_hz,
                 bool track_baseline);
/* Forget the signal (long data gap): not armed, not in contact; keeps the
 * baseline. */
void stepdet_reset(struct stepdet *sd);

/* Short data gap: samples are missing before the next one pushed, and the
 * next settle_n (at least 1) samples are not data either (the caller's
 * filters settle after the gap).  The detector keeps its state through the
 * gap.  At the first sample that is data again: a contact that was open
 * and is now below the timing level ended in the gap (its toe-off was not
 * observed), and a force above the timing level after a flight began in the
 * gap (its initial contact was not observed): both give STEPDET_LOST.
 * Initial contacts are never timed by a look-back that reaches a not-data
 * sample (also STEPDET_LOST), and not-data samples never enter the flight
 * baseline. */
void stepdet_gap(struct stepdet *sd, uint32_t settle_n);

/* One sample.  Returns STEPDET_ON (t_cross_s = IC time), STEPDET_OFF
 * (t_cross_s = TO time), STEPDET_LOST (see stepdet_gap) or STEPDET_NONE.
 * After ON and OFF, sd->t_thr_s holds the same event's plain crossing of
 * the timing level (no extrapolation). */
int stepdet_push(struct stepdet *sd, double t_s, double y, double *t_cross_s);

/* Force the contact to end now without a toe-off (the caller decided it is
 * not a contact, e.g. standing still): it re-arms only below time level. */
void stepdet_abort(struct stepdet *sd);

/* Extrapolation: from a crossing of `level` (above the zero of the signal)
 * with slope `slope_per_s` (> 0 rising, < 0 falling), STEPDET_TANGENT_SHARE
 * of the time the tangent needs to reach zero, relative to the crossing
 * (negative for rising edges). */
double stepdet_extrapolate(double level, double slope_per_s);

static inline double stepdet_baseline(const struct stepdet *sd)
{
    return sd->track_baseline ? baseline_level(&sd->base) : 0.0;
}

#endif
