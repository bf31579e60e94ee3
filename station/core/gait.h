/*
 * gait.h - the streaming gait analysis pipeline (the measuring instrument).
 *
 * One object takes conditioned deck samples (vertical force and centre of
 * pressure, sensor time) and emits events: a contact has begun, its loading
 * is known, a step is complete.  `station run` (live), `station replay` and
 * `station analyze` all feed this same object, so offline numbers equal live
 * numbers.  Definitions and method: docs/analysis.md and DESIGN.md section 4.
 *
 *   samples --> low-pass (causal, known delay) --> baseline tracker
 *           --> contact hysteresis (detect ~50 N, time at ~20 N)
 *           --> COP-based split in double support (walking)
 *           --> per-step metrics, side (L/R) --> events
 *           --> cadence: per step, and FFTW sliding spectrum
 *
 * Pure core: no I/O, no logging in gait_process.  gait_new allocates and
 * creates the FFTW plans (call it before starting worker threads);
 * gait_process never allocates or locks.
 *
 * Thread: one gait object belongs to one thread (the live DSP thread, or
 * the one thread of `station analyze` and `station replay --speed max`).
 */
#ifndef GC_GAIT_H
#define GC_GAIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One conditioned sample. COP is NAN when the source has none. */
struct gait_sample {
    double t_s;   /* sensor time, s */
    float fz_n;   /* total vertical force, N */
    float copx_m; /* mediolateral COP, m, + towards the runner's right; NAN if unknown */
    float copy_m; /* anteroposterior COP, m, + forward; NAN if unknown */
};

enum gait_side { GAIT_SIDE_UNKNOWN = 0, GAIT_SIDE_LEFT = 'L', GAIT_SIDE_RIGHT = 'R' };

/* Strike pattern (footprint.h): rearfoot, or not (mid/forefoot). */
enum gait_strike { GAIT_STRIKE_UNKNOWN = 0, GAIT_STRIKE_REAR = 1, GAIT_STRIKE_NONREAR = 2 };

/* Step flags. */
#define GAIT_STEP_IMPACT      (1u << 0) /* an impact peak exists (rearfoot-like) */
#define GAIT_STEP_WALK        (1u << 1) /* taken in double support (walking) */
#define GAIT_STEP_AFTER_GAP   (1u << 2) /* first step after a data gap: no step/flight time */
#define GAIT_STEP_LR_FALLBACK (1u << 3) /* VALR/VILR used the no-impact fallback window */
/* A short data gap (GAIT_GAP_SHORT_S) lies inside this contact; its IC and
 * TO were observed, so its timing is valid, but the active peak is absent
 * (the gap could hide the maximum).  docs/analysis.md, "Gaps". */
#define GAIT_STEP_GAP_INSIDE (1u << 4)
/* With GAP_INSIDE: the gap also overlapped the window that decides the
 * impact peak, so impact peak, VALR and VILR are absent and whether there
 * is an impact peak is unknown (not "no impact"). */
#define GAIT_STEP_GAP_LOADING (1u << 5)

/* Data gaps (gait_mark_gap, or a jump in the input times).  A gap of at
 * most GAIT_GAP_SHORT_S of missing data is short: contacts whose edges were
 * observed survive it.  The GAIT_GAP_SETTLE_S of samples after any short
 * gap are not data either (the low-pass restarts there and settles). */
#define GAIT_GAP_SHORT_S  0.050
#define GAIT_GAP_SETTLE_S 0.015

/* One step, as in the steps CSV (DESIGN.md section 5).  Absent values are
 * NAN (exported as empty fields). */
struct gait_step {
    uint32_t index; /* 0-based, in order of initial contact */
    enum gait_side side;
    double t_ic_s; /* initial contact (onset estimate: the timing-level crossing moved
                    * back along the edge's tangent), sensor time, s, filter delay removed */
    double t_to_s; /* toe-off (onset estimate, likewise moved forward), s */
    /* Durations at the force threshold (the literature's convention: the
     * plain crossings of baseline + gait_config.time_n, t_ic_thr_s and
     * t_to_thr_s below; docs/analysis.md "Threshold times"). */
    double contact_ms;    /* t_to_thr_s - t_ic_thr_s */
    double flight_ms;     /* previous t_to_thr_s to this t_ic_thr_s; NAN in walking or after a gap */
    double step_ms;       /* previous t_ic_thr_s to this one; NAN for the first */
    double cadence_spm;   /* 60000 / step_ms */
    double impact_peak_n; /* NAN when absent */
    double impact_peak_bw;
    double t_impact_s;
    double valr_bw_s; /* mean slope 20-80 % of impact peak (or fallback), BW/s */
    double vilr_bw_s; /* max slope in the same window, BW/s */
    double active_peak_n;
    double active_peak_bw;
    uint32_t flags; /* GAIT_STEP_* */
    /* Threshold crossings (sensor time, s, filter delay removed) and the
     * same durations between the onset estimates t_ic_s and t_to_s
     * (extrapolated, ms; NAN where the threshold ones are). */
    double t_ic_thr_s, t_to_thr_s;
    double contact_ext_ms, flight_ext_ms, step_ext_ms;
    double threshold_n; /* the force threshold of the times above (gait_config.time_n), N */
    /* From the centre of pressure (footprint.h; NAN without a COP): */
    double speed_mps;     /* belt speed estimated from this stance's mid-stance COP, m/s */
    double step_length_m; /* belt speed x step time + change of the COP at contact from the
                           * previous step (speed: gait_config.belt_speed_mps if given, else
                           * the median of the recent estimates), m */
    double step_width_m;  /* |mean ML COP of this stance - of the previous one|, m */
    double length_speed_mps; /* the belt speed step_length_m used, m/s (with another speed v:
                              * step_length_m + (v - this) x step_ms / 1000) */
    enum gait_strike strike;
};

/* A step with nothing known: every value NAN, side unknown, no flag. */
void gait_step_clear(struct gait_step *s);

enum gait_event_kind {
    GAIT_EV_CONTACT = 1, /* initial contact detected; step has index, side guess, t_ic_s */
    GAIT_EV_LOADING = 2, /* impact peak / loading rate known (early in stance) */
    GAIT_EV_STEP = 3,    /* toe-off: the step is complete, every field final */
    GAIT_EV_GAP = 4,     /* a data gap was marked; t_s = where data resumed */
};

struct gait_event {
    enum gait_event_kind kind;
    double t_s;            /* sensor time at which the event became known */
    struct gait_step step; /* partial for CONTACT/LOADING, final for STEP */
};

enum gait_mode { GAIT_MODE_IDLE = 0, GAIT_MODE_STANDING, GAIT_MODE_WALKING, GAIT_MODE_RUNNING };

struct gait_config {
    double rate_hz;          /* sample rate of the input, Hz */
    double mass_kg;          /* body mass, kg; 0 = estimate from the data */
    double lowpass_hz;       /* causal low-pass cutoff for detection and metrics */
    double detect_n;         /* contact is detected when force exceeds baseline + this */
    double time_n;           /* IC and TO are timed where force crosses baseline + this:
                              * the threshold of contact, flight and step times, N
                              * (GAIT_THRESHOLD_MIN_N..MAX_N, below detect_n) */
    double cadence_window_s; /* length of the spectral cadence window */
    double belt_speed_mps;   /* the treadmill's speed as entered by the PT, m/s; 0 = unknown
                              * (step length then uses the deck's estimate) */
};

/* Accepted force thresholds (time_n), N: the default 20 N is the usual
 * level of running studies; 10-40 N covers the levels in use and stays
 * above the noise of a deck (5-35 N) and below detect_n (50 N). */
#define GAIT_THRESHOLD_DEFAULT_N 20.0
#define GAIT_THRESHOLD_MIN_N     10.0
#define GAIT_THRESHOLD_MAX_N     40.0

/* Sensible defaults for a sample rate: see docs/analysis.md for each value
 * and why. */
void gait_config_default(struct gait_config *cfg, double rate_hz);

/* Where the body weight comes from (DESIGN.md section 4): the patient's
 * mass, a weigh-in (>= 2 s standing still, weighin.h), or the mean force
 * over whole steps (bodyweight.h). */
enum gait_bw_source { GAIT_BW_NONE = 0, GAIT_BW_MASS, GAIT_BW_WEIGH_IN, GAIT_BW_ESTIMATE };

struct gait_status {
    enum gait_mode mode;
    bool in_contact;
    double body_weight_n;        /* from --mass, a weigh-in or estimated; NAN until known */
    enum gait_bw_source bw_source;
    double baseline_n;           /* current flight baseline estimate, N */
    double cadence_step_spm;     /* median of recent per-step cadences; NAN until known */
    double cadence_spectral_spm; /* FFTW estimate; NAN until one window is filled */
    double cadence_agreement;    /* |step - spectral| in steps/min; NAN if either missing */
    uint32_t steps;              /* completed steps */
    uint32_t steps_left, steps_right;
    double t_last_s; /* time of the last sample processed */
};

struct gait;

/* Returns NULL on invalid config or allocation failure. */
struct gait *gait_new(const struct gait_config *cfg);
void gait_free(struct gait *g);

/* Body weight from the patient's mass (or a weigh-in made elsewhere), in
 * N: overrides the estimate and the deck's own weigh-in.  Call between
 * process calls.  Without it, a runner standing still >= 2 s is weighed
 * (weighin.h) and that weight is used from then on. */
void gait_set_body_weight(struct gait *g, double body_weight_n);
/* The treadmill's entered speed from now on (m/s; 0 = the deck's
 * estimate; else FOOTPRINT_SPEED_MIN_MPS..MAX_MPS): a change the PT made
 * during the session, applied where it was made.  GC_ERR_ARG: out of
 * range (nothing changes). */
int gait_set_belt_speed(struct gait *g, double belt_speed_mps);

/* Feed n samples in time order.  Writes up to cap events to out and returns
 * how many (>= 0).  Events beyond cap are kept and returned by the next call
 * (a cap of 16 is always enough for one block of 32 samples).  Never
 * allocates. Returns < 0 (GC_ERR_ARG) on samples out of time order. */
int gait_process(struct gait *g, const struct gait_sample *in, size_t n, struct gait_event *out,
                 size_t cap);

/* Data are missing from the last sample up to t_resume_s (link loss,
 * sensor reboot).  Emits GAIT_EV_GAP.  Missing data are never
 * interpolated into any step.
 * Long gap (more than GAIT_GAP_SHORT_S missing): ends any open contact
 * without emitting it as a step; no step, flight time or cadence spans the
 * gap (the next step has GAIT_STEP_AFTER_GAP).
 * Short gap: decided when the next sample arrives (its time, not
 * t_resume_s, gives the length).  A contact whose IC and TO crossings both
 * lie in data (not in the gap or the GAIT_GAP_SETTLE_S after it) is still a
 * step, flagged GAIT_STEP_GAP_INSIDE, with every metric whose window
 * overlaps the gap NAN; a contact with a hidden IC or TO is dropped as for a
 * long gap.  Step and flight times between two observed contacts stay
 * valid.  docs/analysis.md, "Gaps". */
int gait_mark_gap(struct gait *g, double t_resume_s, struct gait_event *out, size_t cap);

/* End of input: complete what can be completed (offline analysis). */
int gait_flush(struct gait *g, struct gait_event *out, size_t cap);

void gait_get_status(const struct gait *g, struct gait_status *st);

#endif
