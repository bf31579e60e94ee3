/*
 * footprint.h - what the deck's centre of pressure says about one stance
 * (issue 17): belt speed, where the foot landed, its mediolateral place,
 * and the strike pattern.  Step length and width come from two successive
 * stances (gait.c).  Method, figures and limits: docs/analysis.md section 3,
 * "Belt speed, step length and width, strike".
 *
 * Belt speed.  While the foot is flat on the belt it rides backwards at
 * belt speed; the COP moves with it, but it also keeps rolling forwards
 * within the foot (heel to toe), so the anteroposterior COP moves backwards
 * a little slower than the belt.  Per stance: the least-squares slope of
 * COPy over FOOTPRINT_WIN_LO..HI of the contact (foot flat, before
 * heel-off),
 * plus the in-foot roll-over speed taken as the stance's whole roll-over
 * (FOOTPRINT_ROLL_REAR_M or _NONREAR_M) over its contact time:
 *     v = -dCOPy/dt + roll_m / contact_s
 * Without the correction the slope alone reads about a quarter low on the
 * real 2.5 m/s recording (1.82 m/s over 25-75 % of stance;
 * docs/analysis.md).
 *
 * Strike pattern: rearfoot when the force has an impact peak (a heel's
 * transient) or an impact shoulder (footprint_shoulder: the transient's
 * steep rise stalls within FOOTPRINT_SHOULDER_S of contact and the force
 * then rises again, without the dip that makes a peak), else non-rearfoot.
 * A fore/midfoot landing's force rises like a half-sine: its rate of rise
 * only falls from its first maximum to the active peak.  On the simulator
 * the impact peak alone missed 2.6 % of rearfoot landings at 180 steps/min
 * (the transient merged into the rise; docs/analysis.md).  The deck's COP measure (a landing in the
 * rear third of a ~25 cm foot, strike index < 1/3: Cavanagh and Lafortune
 * 1980, J Biomech 13:397, i.e. the COP followed in the foot's frame, COPy +
 * v t, travels forward FOOTPRINT_REAR_TRAVEL_M or more) needs a belt speed
 * known independently of the COP, and is computed (travel_m) but does not
 * decide yet (FOOTPRINT_COP_STRIKE).
 *
 * Pure core: arrays the caller owns; no allocation.  Thread: any.
 */
#ifndef GC_FOOTPRINT_H
#define GC_FOOTPRINT_H

#include <stdbool.h>
#include <stddef.h>

/* The mid-stance window, fractions of the contact time. */
#define FOOTPRINT_WIN_LO 0.25
#define FOOTPRINT_WIN_HI 0.55
/* Fewest COP samples in the window for a speed. */
#define FOOTPRINT_MIN_SAMPLES 5
/* In-foot roll-over of the COP over a whole stance, m: heel to forefoot
 * for a rearfoot landing, a few cm for a fore/midfoot one (the simulator's
 * model, docs/simulator.md; on the real 2.5 m/s recording the rearfoot
 * value leaves the speed 4.6 % low). */
#define FOOTPRINT_ROLL_REAR_M    0.15
#define FOOTPRINT_ROLL_NONREAR_M 0.04
/* Forward travel in the foot's frame that makes a landing rearfoot,
 * followed up to this share of the contact (the COP of the last fifth,
 * toe-off under 50 N of force, is the least certain). */
#define FOOTPRINT_REAR_TRAVEL_M 0.08
#define FOOTPRINT_TRAVEL_UNTIL  0.80
/* The impact shoulder (footprint_shoulder): the rise over
 * FOOTPRINT_RISE_S, steep (>= FOOTPRINT_STEEP_N) then down to at most
 * FOOTPRINT_STALL_FRAC of its maximum within FOOTPRINT_SHOULDER_S of the
 * contact, then up again by FOOTPRINT_RERISE_FRAC of that maximum before
 * the force's maximum.  Simulator, 180 steps/min: rearfoot shoulders stall
 * to 4-13 % of the rise and rise again by 35-45 %; fore/midfoot landings
 * never stall below 60 % before the window's end. */
#define FOOTPRINT_RISE_S      0.005
#define FOOTPRINT_STEEP_N     50.0
#define FOOTPRINT_SHOULDER_S  0.070
#define FOOTPRINT_STALL_FRAC  0.35
#define FOOTPRINT_RERISE_FRAC 0.25
/* Whether the COP travel decides the strike at all (with an entered
 * speed).  Off: on the simulator it read 81 of 87 forefoot landings as
 * rearfoot (docs/analysis.md); travel_m is still reported. */
#define FOOTPRINT_COP_STRIKE 0
/* Belt speeds accepted as an estimate (slower or faster is not running or
 * walking on a treadmill: a bad COP). */
#define FOOTPRINT_SPEED_MIN_MPS 0.3
#define FOOTPRINT_SPEED_MAX_MPS 8.0

enum footprint_strike { FOOTPRINT_STRIKE_UNKNOWN = 0, FOOTPRINT_STRIKE_REAR, FOOTPRINT_STRIKE_NONREAR };

/* One stance: n samples of this foot's COP (deck coordinates, m; NAN where
 * unknown or shared with the other foot), sample i at ic_off_s + i *
 * period_s after the initial contact; the contact lasts contact_s. */
struct footprint_in {
    const float *copx_m, *copy_m;
    size_t n;
    double ic_off_s, period_s, contact_s;
    bool impact;            /* the force has an impact peak */
    const float *force_n;   /* this foot's low-passed force above baseline, n samples at
                             * the COP's times (NAN = not data); NULL = not known */
    double belt_given_mps;  /* the treadmill's speed as entered; 0 = unknown */
};

struct footprint_out {
    enum footprint_strike strike;
    double speed_mps; /* this stance's belt speed estimate; NAN if the COP does not tell */
    double y_ic_m;    /* AP COP at the initial contact (first known COP moved back with
                       * the belt to IC), m; NAN if unknown */
    double x_mean_m;  /* mean ML COP over the stance, m; NAN if unknown */
    double travel_m;  /* forward COP travel in the foot's frame (needs a belt speed), m */
};

/* Fills out (every value NAN / unknown when the COP is absent).  belt_mps:
 * the speed used to follow the foot (entered, else the running estimate;
 * 0 or NAN = none yet).  Returns 0, or GC_ERR_ARG for a NULL argument. */
int footprint_stance(const struct footprint_in *in, double belt_mps, struct footprint_out *out);

const char *footprint_strike_name(enum footprint_strike s); /* "rear", "non-rear", "" */

/* Whether force f (n samples period_s apart, f[0] ic_off_s after the
 * initial contact; NAN = not data) has an impact shoulder (above). */
bool footprint_shoulder(const float *f, size_t n, double ic_off_s, double period_s);

#endif
