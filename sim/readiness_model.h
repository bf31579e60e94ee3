/*
 * readiness_model.h - the readiness tests a runner does on the stopped
 * deck (return to running, docs/course.md): single-leg balance, hop in
 * place, jog on the spot, single-leg calf raises and squats, as the loads
 * of one or two feet, plus the truth the station's measurement is scored
 * against.
 *
 * Every movement starts with READY_STAND_S of quiet standing on both feet
 * (feet at x = -/+ READY_FOOT_X_M): the station's body weight.  Then
 * (except jog-on-spot) the weight shifts onto the stance foot (side) over
 * READY_SHIFT_S, the movement runs, the runner stands on the stance foot
 * for READY_SETTLE_S and puts the other foot down over READY_TOUCH_S, and
 * stands on both feet for READY_SETTLE_S more.
 *
 *   balance     hold the single-leg stance for hold_s (default 20 s, or
 *               fail_at_s: the other foot touches down early)
 *   hop         reps hops in place (default 10), 0.5 s each: contact
 *               0.22 s (half sine, mean force = BW over a cycle), flight
 *               0.28 s; fail_at_s stops hopping after that many seconds
 *   jog-spot    alternating feet at 160 steps/min for 60 s (or fail_at_s):
 *               contact 0.30 s, flight 0.075 s
 *   calf-raise  reps rises (default 20), 1.5 s each: COP forward by 7 cm
 *               (onto the forefoot) and back, force +/-8 % BW
 *   squat       reps single-leg squats (default 10), 2.5 s each: force
 *               dips 12 % under BW going down and rises 12 % over it
 *               coming up; COP forward 2 cm at the bottom
 * The stance foot's COP sways (three sines per axis, phases from the
 * seed): 3 mm mediolateral, 4 mm anteroposterior on one leg, a third of
 * that on two.
 *
 * Truth: hold_s is the time the other foot carries under 20 N (the
 * station's contact threshold); hop contact and flight times at 20 N;
 * COP path length and 95 % ellipse area of the noiseless COP over the hold
 * (balance) or the repetitions (calf-raise, squat).
 *
 * Pure code: no I/O, no allocation.  Thread: one model per thread.
 */
#ifndef GC_READINESS_MODEL_H
#define GC_READINESS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define READY_STAND_S  3.0
#define READY_SHIFT_S  0.3
#define READY_TOUCH_S  0.2
#define READY_SETTLE_S 1.0
#define READY_FOOT_X_M 0.10
#define READY_MAX_HOPS 64

enum readiness_movement {
    READY_BALANCE = 0,
    READY_HOP,
    READY_JOG_SPOT,
    READY_CALF_RAISE,
    READY_SQUAT,
};

struct readiness_model_config {
    enum readiness_movement movement;
    char side;        /* 'L' or 'R': the stance (or hopping) leg */
    unsigned reps;    /* hops / rises / squats; 0 = the movement's default */
    double fail_at_s; /* > 0: stop (balance: touch down) this long after the start */
    double bw_n;      /* body weight, N */
    uint64_t seed;
};

struct readiness_model {
    struct readiness_model_config c;
    double t_move;   /* movement starts (after the weight shift) */
    double t_end;    /* movement ends (standing on the stance foot again) */
    double t_touch;  /* the other foot begins to come down */
    double t_done;   /* end of the final two-leg standing */
    unsigned reps;   /* repetitions actually done (hops, rises, squats, jog steps) */
    double period_s; /* of one repetition */
    double phase[6]; /* sway phases */
};

/* The movement's name as used on command lines: balance, hop, jog-spot,
 * calf-raise, squat.  parse returns false for an unknown name. */
const char *readiness_movement_name(enum readiness_movement m);
bool readiness_movement_parse(const char *name, enum readiness_movement *out);

/* NULL when the config is valid, else one sentence (static string). */
const char *readiness_model_config_error(const struct readiness_model_config *c);
void readiness_model_init(struct readiness_model *m, const struct readiness_model_config *c);

/* The feet's vertical loads at time t (s from the start): up to two
 * loads, each a force (N) at a deck point (m).  Returns how many. */
int readiness_model_loads(const struct readiness_model *m, double t, double f_n[2], double x_m[2],
                          double y_m[2]);
/* Time after which nothing changes any more (the runner stands still). */
double readiness_model_duration_s(const struct readiness_model *m);

struct readiness_truth {
    enum readiness_movement movement;
    char side;
    double hold_s;           /* balance: other foot under 20 N, s */
    unsigned count;          /* hops, rises, squats, jog steps */
    double contact_ms;       /* hop: mean contact time of the full contacts (landing to take-off) */
    double flight_ms;        /* hop: mean flight time */
    double peak_bw;          /* hop, jog-spot: mean peak force of the contacts, BW */
    double cadence_spm;      /* jog-spot */
    double cop_path_mm;      /* COP path length over the window */
    double cop_area_mm2;     /* 95 % confidence ellipse area over the window */
    double t_from_s, t_to_s; /* the window the COP figures cover */
};

/* The truth, with the COP figures computed on the noiseless COP sampled
 * at rate_hz (as the station samples it). */
void readiness_model_truth(const struct readiness_model *m, double rate_hz,
                           struct readiness_truth *out);

#endif
