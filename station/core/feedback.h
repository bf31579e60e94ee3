/*
 * feedback.h - the feedback policy: what the runner sees and hears.
 *
 * Pure core, virtual time.  The policy is a function of the step events of
 * the gait pipeline (gait.h), the targets, the mode and the time it is told;
 * it never reads a clock, never does I/O and never allocates after
 * feedback_new.  Method and defaults: docs/feedback.md.
 *
 *   gait events --feedback_on_event()--> cues to play now (bit set)
 *   time        --feedback_tick()------> cues to play now (phase changes)
 *   therapist   --feedback_set_*()-----> targets, mode, phase, mute
 *   any moment  --feedback_get_view()--> plain snapshot for display + audio
 *
 * Session phases: BASELINE (no feedback; preferred cadence and loading are
 * collected) -> TRAINING (feedback on) -> RETENTION (no feedback).
 *
 * Cadence target: absolute (steps/min) or relative to the baseline median
 * cadence (+7.5 % by default).  The band is target +- band_pct; the band
 * state has a small hysteresis so it does not flicker on the edge.
 *
 * Modes (training phase only; baseline and retention never give feedback):
 *   CONTINUOUS  metronome always on; hard-landing cue on every step over the
 *               ceiling; optional good-step cue.
 *   BANDWIDTH   metronome only while the cadence is outside the band; no
 *               good-step cue; hard-landing cue (it is itself outside a band).
 *   FADED       like CONTINUOUS but only during the 'on' part of each
 *               fade cycle; the on share falls linearly from
 *               fade_start_share to fade_end_share over fade_duration_s of
 *               training, updated once per cycle (feedback_fade_share()).
 *   OFF         no feedback at all (the display still shows the clock).
 *
 * Times: every t_s argument is sensor time in seconds (the time base of
 * gait events), non-decreasing across calls.
 *
 * In `station run` the policy follows the session's state (session.h,
 * feedback_apply_settings): it owns no baseline, phase clock or targets
 * there; feedback_set_* and the relative/baseline settings serve the
 * policy on its own (unit tests, tools).
 *
 * Thread: one feedback object belongs to one thread (the audio thread in
 * `station run`, where a cue is made); it has no internal locking.
 */
#ifndef GC_FEEDBACK_H
#define GC_FEEDBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gait.h"
#include "gc_error.h"

enum feedback_mode {
    FEEDBACK_MODE_CONTINUOUS = 0,
    FEEDBACK_MODE_BANDWIDTH = 1,
    FEEDBACK_MODE_FADED = 2,
    FEEDBACK_MODE_OFF = 3,
};

enum feedback_phase {
    FEEDBACK_PHASE_BASELINE = 0,
    FEEDBACK_PHASE_TRAINING = 1,
    FEEDBACK_PHASE_RETENTION = 2,
};

/* Cadence relative to the band. */
enum feedback_band {
    FEEDBACK_BAND_UNKNOWN = 0, /* no cadence or no target yet */
    FEEDBACK_BAND_IN = 1,      /* inside target +- band */
    FEEDBACK_BAND_LOW = 2,     /* below the band: step quicker */
    FEEDBACK_BAND_HIGH = 3,    /* above the band: step slower */
    FEEDBACK_BAND_PAUSED = 4,  /* walk interval: cadence feedback paused */
};

enum feedback_interval {
    FEEDBACK_INTERVAL_NONE = 0, /* no walk/run program */
    FEEDBACK_INTERVAL_RUN = 1,
    FEEDBACK_INTERVAL_WALK = 2,
    FEEDBACK_INTERVAL_DONE = 3, /* program finished */
};

/* Cue bits returned by feedback_on_event / feedback_tick. */
#define FEEDBACK_CUE_HARD_LANDING (1u << 0) /* step over the loading ceiling */
#define FEEDBACK_CUE_GOOD_STEP    (1u << 1) /* good_step_every good steps in a row */
#define FEEDBACK_CUE_PHASE_CHANGE (1u << 2) /* session phase or walk/run interval changed */

struct feedback_config {
    enum feedback_phase start_phase; /* usually BASELINE, TRAINING when the target is absolute */
    double baseline_s;               /* auto-end the baseline after this long (s); 0 = manual */
    unsigned baseline_min_steps;     /* steps needed before a baseline counts */

    bool target_relative;      /* true: target = baseline * (1 + target_rel_pct/100) */
    double target_cadence_spm; /* absolute target, steps/min */
    double target_rel_pct;     /* relative target, % over baseline (+5..+10 typical) */
    double band_pct;           /* band half-width, % of target */
    double band_hyst_pct;      /* extra % outside the band before leaving it */
    unsigned cadence_steps;    /* cadence = 60000 / median of the last N step times */

    bool loading_relative;       /* true: ceiling = baseline median VALR * (1 + rel/100) */
    double loading_ceiling_bw_s; /* absolute VALR ceiling, BW/s */
    double loading_rel_pct;      /* relative ceiling, % of baseline VALR (e.g. -20) */
    double impact_ceiling_bw;    /* impact peak ceiling, BW; NAN = not used */

    enum feedback_mode mode;
    double fade_start_share; /* 0..1 */
    double fade_end_share;   /* 0..1 */
    double fade_duration_s;  /* training time over which the share falls */
    double fade_cycle_s;     /* feedback on for share * cycle at the start of each cycle */

    bool metronome;           /* metronome part of the feedback at all */
    bool good_step_cue;       /* play the good-step cue */
    unsigned good_step_every; /* ... after this many good steps in a row */

    double interval_run_s; /* walk/run program: 0 = none */
    double interval_walk_s;
    unsigned interval_reps;
};

/* Defaults (docs/feedback.md): relative +7.5 %, band +-2.5 %, VALR ceiling
 * 66 BW/s (Davis 2016), continuous mode, faded 100 % -> 20 % over 10 min in
 * 30 s cycles, metronome on, good-step cue off, baseline 120 s. */
void feedback_config_default(struct feedback_config *cfg);

#define FEEDBACK_TICKER_LEN 24

/* One step in the strike ticker. */
struct feedback_strike {
    uint32_t index;
    char side;          /* 'L', 'R' or '?' */
    uint8_t band;       /* enum feedback_band of this step's stride cadence */
    bool hard;          /* over the loading ceiling */
    bool final;         /* STEP event seen (side and values final) */
    bool walk;          /* taken in double support */
    double cadence_spm; /* stride cadence of this step, NAN if unknown */
    double valr_bw_s;   /* NAN if unknown */
};

/* Everything the runner's display, the audio and the therapist panel need
 * at one moment.  Plain data: copy freely between threads. */
struct feedback_view {
    double t_s;       /* sensor time of the last update */
    double session_s; /* since feedback_start */
    enum feedback_phase phase;
    double phase_s; /* time in the current phase */
    enum feedback_mode mode;

    bool feedback_on;  /* feedback is being given at this moment */
    bool muted;        /* therapist muted the audio */
    bool metronome_on; /* the metronome should sound now */
    double metronome_spm;

    /* cadence */
    bool target_relative;
    double target_rel_pct;
    double target_spm; /* NAN until a relative target has its baseline */
    double band_pct;
    double band_lo_spm, band_hi_spm;
    double cadence_spm; /* NAN until cadence_steps steps */
    enum feedback_band band;
    double baseline_spm; /* NAN until known */
    double baseline_valr_bw_s;
    uint32_t baseline_steps; /* steps collected in the baseline so far */

    /* loading */
    double loading_ceiling_bw_s; /* NAN if relative and no baseline yet */
    double impact_ceiling_bw;    /* NAN if not used */
    double last_valr_bw_s;       /* last step's VALR, NAN if none */
    double last_impact_bw;       /* last step's impact peak, NAN if absent */
    bool last_hard;

    /* scores (training phase only) */
    uint32_t steps_total;  /* every completed step of the session */
    uint32_t steps_scored; /* training running steps with a cadence */
    uint32_t steps_in_band;
    uint32_t steps_hard;
    uint32_t steps_loaded; /* training steps with a loading value */
    double share_in_band;  /* steps_in_band / steps_scored, NAN if none */

    /* faded schedule */
    double fade_share_now; /* on share of the current cycle (1 unless FADED) */
    double fade_start_share, fade_end_share, fade_duration_s, fade_cycle_s;
    double fade_next_s; /* seconds until the next on/off switch, NAN if none */

    /* walk/run interval clock */
    enum feedback_interval interval;
    unsigned interval_rep; /* 1-based */
    unsigned interval_reps;
    double interval_left_s;
    double interval_run_s, interval_walk_s;

    bool good_step_cue;
    unsigned good_step_every;

    struct feedback_strike ticker[FEEDBACK_TICKER_LEN]; /* oldest first */
    unsigned ticker_n;
};

struct feedback;

/* Returns NULL on an invalid config (see feedback_config_check) or
 * allocation failure. */
struct feedback *feedback_new(const struct feedback_config *cfg);
void feedback_free(struct feedback *fb);

/* GC_OK, or GC_ERR_ARG with a short reason in diag ("band must be ..."). */
GC_MUST_CHECK int feedback_config_check(const struct feedback_config *cfg, struct gc_diag *diag);

/* Session starts at sensor time t_s (phase = cfg.start_phase). */
void feedback_start(struct feedback *fb, double t_s);

/* One gait event.  Returns the cue bits to play now (0 if none).  Never
 * allocates. */
unsigned feedback_on_event(struct feedback *fb, const struct gait_event *ev);

/* Advance to time t_s (call at least every block).  Returns cue bits (phase
 * or interval changes, automatic end of the baseline). */
unsigned feedback_tick(struct feedback *fb, double t_s);

void feedback_get_view(const struct feedback *fb, struct feedback_view *v);

/* On share of the faded schedule after training_s seconds of training
 * (the documented schedule; pure function of the config). */
double feedback_fade_share(const struct feedback_config *cfg, double training_s);

/* What the session (session.h, the one owner of the session's state)
 * decides and the policy follows.  `station run` drives the policy only
 * through this: the policy then has no baseline, phase clock or targets
 * of its own. */
struct feedback_settings {
    enum feedback_phase phase;   /* BASELINE (weigh-in, baseline), TRAINING, RETENTION */
    bool walk;                   /* a walk: cadence feedback paused, walk steps not scored */
    enum feedback_mode mode;     /* OFF when the phase gives no feedback */
    double target_spm;           /* NAN: no cadence target (no band, no metronome) */
    double band_pct;             /* half-width, % of the target */
    double loading_ceiling_bw_s; /* NAN: no loading ceiling (no hard-landing cue) */
    double fade_start_share, fade_end_share, fade_duration_s; /* faded mode */
};

/* Follow the session's settings from time t_s.  Returns the cue bits of
 * a phase change (the caller may play its own phase cue instead). */
unsigned feedback_apply_settings(struct feedback *fb, const struct feedback_settings *s,
                                 double t_s);

/* Therapist controls.  Each returns GC_OK or GC_ERR_ARG (value out of the
 * accepted range of ranges.h: cadence, relative target, band, VALR
 * ceiling, impact ceiling).  Changes take effect at once; the caller logs
 * them. */
int feedback_set_target_abs(struct feedback *fb, double spm);
int feedback_set_target_rel(struct feedback *fb, double pct);
int feedback_set_band(struct feedback *fb, double pct);
int feedback_set_loading_ceiling(struct feedback *fb, double bw_s);
int feedback_set_impact_ceiling(struct feedback *fb, double bw); /* NAN = off */
int feedback_set_mode(struct feedback *fb, enum feedback_mode mode);
void feedback_set_mute(struct feedback *fb, bool muted);
void feedback_set_metronome(struct feedback *fb, bool on);
int feedback_set_good_step(struct feedback *fb, bool on, unsigned every);
int feedback_set_intervals(struct feedback *fb, double run_s, double walk_s, unsigned reps);
/* Override the baseline cadence (steps/min) without a baseline phase. */
int feedback_set_baseline(struct feedback *fb, double spm);
/* Change phase at time t_s.  Leaving BASELINE fixes the baseline from the
 * steps collected (if at least baseline_min_steps).  Returns the cue bits
 * (PHASE_CHANGE when the phase changed). */
unsigned feedback_set_phase(struct feedback *fb, enum feedback_phase phase, double t_s);

const char *feedback_mode_name(enum feedback_mode mode);
const char *feedback_phase_name(enum feedback_phase phase);
const char *feedback_band_name(enum feedback_band band);
/* Parse a mode/phase name; returns GC_OK or GC_ERR_ARG. */
int feedback_mode_parse(const char *s, enum feedback_mode *out);
int feedback_phase_parse(const char *s, enum feedback_phase *out);

#endif
