/*
 * plan.h - session protocols: the plan a PT picks before the run.
 *
 * A protocol is a small INI file (parsed with libinih) listing phases in
 * order.  Example (station/data/protocols/cadence-retraining.ini):
 *
 *   [protocol]
 *   name = cadence-retraining
 *   description = Baseline, then +7.5 % cadence with feedback, then retention.
 *
 *   [phase]                     ; every [phase] section is the next phase
 *   name = baseline
 *   kind = baseline             ; weigh-in | baseline | training | retention
 *                               ; | walk | run | intervals
 *   duration = 3 min            ; "90 s", "3 min", "1:30", or "open": runs
 *                               ; until the PT stops it (last phase only)
 *
 *   [phase]
 *   kind = training
 *   duration = 10 min
 *   feedback = continuous       ; none | continuous | bandwidth | faded
 *   cadence = +7.5 %            ; relative to baseline, or "172 spm"
 *   cadence_band = 3 %          ; half-width: "% of target" or "4 spm"
 *   loading_ceiling = -10 %     ; VALR ceiling: relative to baseline or "60 BW/s"
 *   fade_from = 100 %           ; faded: share of steps given feedback at
 *   fade_to = 25 %              ;   the start and the end of the phase
 *
 *   [phase]                     ; walk-run intervals expand into phases
 *   kind = intervals            ;   run 1/4, walk 1/4, run 2/4, ...; its
 *                               ;   targets and feedback apply to the runs
 *   run = 1 min
 *   walk = 4 min
 *   repeat = 4
 *
 * A malformed file is refused with the line number and the reason.  Lines
 * may be indented (leading blanks are ignored; there are no continuation
 * lines).  Comments start with ';' or '#'.
 *
 * Pure core: plan_parse works on a buffer; plan_load
 * (station/edge/plan_file.h) reads a file.
 * Thread: any (no shared state).
 */
#ifndef GC_PLAN_H
#define GC_PLAN_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#include "gc_error.h"

#define PLAN_MAX_PHASES 48
#define PLAN_NAME_MAX   48
#define PLAN_DESC_MAX   240

enum plan_kind {
    PLAN_KIND_WEIGH_IN = 0, /* standing still on the deck: body weight */
    PLAN_KIND_BASELINE,     /* no feedback: preferred cadence and loading */
    PLAN_KIND_TRAINING,     /* feedback on, targets apply */
    PLAN_KIND_RETENTION,    /* no feedback: did it stick? */
    PLAN_KIND_WALK,         /* walking interval */
    PLAN_KIND_RUN,          /* running interval */
};

enum plan_feedback {
    PLAN_FB_NONE = 0,
    PLAN_FB_CONTINUOUS, /* every step */
    PLAN_FB_BANDWIDTH,  /* only when outside the band */
    PLAN_FB_FADED,      /* share of steps with feedback falls over the phase */
};

enum plan_ref {
    PLAN_REF_NONE = 0,     /* no target */
    PLAN_REF_ABSOLUTE,     /* value in the quantity's unit (spm, BW/s) */
    PLAN_REF_BASELINE_PCT, /* value = change from the baseline figure, % */
};

struct plan_target {
    enum plan_ref ref;
    double value; /* spm or BW/s (absolute), or % change from baseline */
};

/* duration_s of an open phase (`duration = open`): it lasts until the PT
 * stops the session.  Only the last phase may be open. */
#define PLAN_OPEN_S INFINITY

struct plan_phase {
    char name[PLAN_NAME_MAX];
    enum plan_kind kind;
    double duration_s;
    enum plan_feedback feedback;
    struct plan_target cadence;      /* cadence target */
    double cadence_band_pct;         /* band half-width, % of target (0 if given in spm) */
    double cadence_band_spm;         /* band half-width, spm (0 if given in %) */
    struct plan_target valr_ceiling; /* loading-rate ceiling */
    double fade_from;                /* faded: feedback share at phase start, 0..1 */
    double fade_to;                  /* faded: feedback share at phase end, 0..1 */
    int interval;                    /* walk-run: 1-based repeat number, 0 otherwise */
    int intervals;                   /* walk-run: number of repeats, 0 otherwise */
};

struct plan {
    char name[PLAN_NAME_MAX];
    char description[PLAN_DESC_MAX];
    size_t n_phases;
    struct plan_phase phases[PLAN_MAX_PHASES];
};

/* Parse a protocol from text (len bytes, need not be NUL-terminated).
 * Returns GC_OK, or GC_ERR_FORMAT with "line N: why" in diag ("why" alone
 * when the problem is not on one line: no phases, a phase order); the
 * caller puts the file's name in front (gc_diag_prefix). */
GC_MUST_CHECK int plan_parse(const char *text, size_t len, struct plan *out, struct gc_diag *diag);

/* Total planned duration, s (INFINITY when the last phase is open). */
double plan_total_s(const struct plan *p);

/* Divide every duration by factor (> 0): compressed time for tests and
 * demos (`--time-scale 10` runs a 3 min baseline in 18 s). */
void plan_scale_time(struct plan *p, double factor);

/* Index of the first phase of that kind, or -1. */
int plan_find_kind(const struct plan *p, enum plan_kind kind);

/* Short names used in files, the store and reports ("weigh-in", "faded"). */
const char *plan_kind_name(enum plan_kind k);
const char *plan_feedback_name(enum plan_feedback f);

/* Human description of a phase's targets, e.g. "cadence +7.5 % of baseline
 * (band +/-3 %), VALR ceiling 60 BW/s, feedback faded 100->25 %". */
void plan_describe_phase(const struct plan_phase *ph, char *buf, size_t cap);

#endif
