/*
 * ranges.h - the accepted ranges of the therapist's settings: cadence
 * target and baseline, relative target, band, loading (VALR) and impact
 * ceilings.  One definition for every place that checks or names them:
 * the session model (session.c), the feedback policy (feedback.c), the
 * control commands (feedback_app.c), `station run --target-cadence`
 * (run_options.c) and `station ctl --help` (cmd_ctl.c).
 *
 * The bounds are plain decimal literals so RANGE_STR turns them into the
 * text of a message at compile time: messages stay static strings, and
 * the number a user reads is the number the code checks.
 *
 *   RANGE_*_TEXT   "LO..HI unit" for messages; no '%' conversions, so pass
 *                  it as a "%s" argument, never inside a format string.
 *
 * Bounds are inclusive.  Constants only: any thread.
 */
#ifndef GC_RANGES_H
#define GC_RANGES_H

/* Cadence target and the baseline cadence a PT may set, steps/min. */
#define RANGE_CADENCE_MIN_SPM 60
#define RANGE_CADENCE_MAX_SPM 240
/* Cadence target relative to the baseline, % (negative = slower). */
#define RANGE_CADENCE_REL_MIN_PCT -20
#define RANGE_CADENCE_REL_MAX_PCT 30
/* Band half-width around the cadence target, % of the target. */
#define RANGE_BAND_MIN_PCT 0.5
#define RANGE_BAND_MAX_PCT 20
/* Loading-rate (VALR) ceiling, body weights per second. */
#define RANGE_VALR_CEILING_MIN_BW_S 5
#define RANGE_VALR_CEILING_MAX_BW_S 500
/* Impact peak ceiling, body weights. */
#define RANGE_IMPACT_CEILING_MIN_BW 0.5
#define RANGE_IMPACT_CEILING_MAX_BW 10

/* Treadmill belt speed and incline as a PT enters them (station analyze
 * --speed/--incline): walking at 0.5 m/s to sprinting at 8 m/s; -15..+30 %
 * covers clinical treadmills' decline and incline. */
#define RANGE_BELT_SPEED_MIN_MPS 0.5
#define RANGE_BELT_SPEED_MAX_MPS 8
#define RANGE_INCLINE_MIN_PCT    -15
#define RANGE_INCLINE_MAX_PCT    30

/* The literal text of a macro's value: RANGE_STR(RANGE_BAND_MIN_PCT) is "0.5". */
#define RANGE_STR_(x) #x
#define RANGE_STR(x)  RANGE_STR_(x)

#define RANGE_CADENCE_TEXT                                                                         \
    RANGE_STR(RANGE_CADENCE_MIN_SPM) ".." RANGE_STR(RANGE_CADENCE_MAX_SPM) " steps/min"
#define RANGE_CADENCE_REL_TEXT                                                                     \
    RANGE_STR(RANGE_CADENCE_REL_MIN_PCT) "..+" RANGE_STR(RANGE_CADENCE_REL_MAX_PCT) " %"
#define RANGE_BAND_TEXT RANGE_STR(RANGE_BAND_MIN_PCT) ".." RANGE_STR(RANGE_BAND_MAX_PCT) " %"
#define RANGE_VALR_CEILING_TEXT                                                                    \
    RANGE_STR(RANGE_VALR_CEILING_MIN_BW_S) ".." RANGE_STR(RANGE_VALR_CEILING_MAX_BW_S) " BW/s"
#define RANGE_IMPACT_CEILING_TEXT                                                                  \
    RANGE_STR(RANGE_IMPACT_CEILING_MIN_BW) ".." RANGE_STR(RANGE_IMPACT_CEILING_MAX_BW) " BW"
#define RANGE_BELT_SPEED_TEXT                                                                      \
    RANGE_STR(RANGE_BELT_SPEED_MIN_MPS) ".." RANGE_STR(RANGE_BELT_SPEED_MAX_MPS) " m/s"
#define RANGE_INCLINE_TEXT                                                                         \
    RANGE_STR(RANGE_INCLINE_MIN_PCT) "..+" RANGE_STR(RANGE_INCLINE_MAX_PCT) " %"

#endif
