/* readiness_model.c - readiness movements on the stopped deck
 * (readiness_model.h). */
#include "readiness_model.h"

#include <math.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Hop: contact and flight (s); one cycle = contact + flight. */
#define HOP_TC_S 0.22
#define HOP_TF_S 0.28
/* Jog on the spot: 160 steps/min, contact 0.30 s. */
#define JOG_STEP_S        0.375
#define JOG_TC_S          0.30
#define JOG_DEFAULT_S     60.0
#define JOG_START_S       0.05 /* both feet unload into the first flight */
#define CALF_PERIOD_S     1.5
#define CALF_COP_Y_M      0.07
#define CALF_FORCE        0.08
#define SQUAT_PERIOD_S    2.5
#define SQUAT_FORCE       0.12
#define SQUAT_COP_Y_M     0.02
#define BALANCE_DEFAULT_S 20.0
/* Sway amplitude (m) per sine on one leg; a third on two. */
#define SWAY_X_M  0.0015
#define SWAY_Y_M  0.0020
#define CONTACT_N 20.0 /* the station's contact threshold */
/* chi-square(0.95, 2 degrees of freedom): the 95 % ellipse's scale */
#define CHI2_95_2 5.991

static const char *const names[] = {"balance", "hop", "jog-spot", "calf-raise", "squat"};

const char *readiness_movement_name(enum readiness_movement m)
{
    return (unsigned)m < 5 ? names[m] : "?";
}

bool readiness_movement_parse(const char *name, enum readiness_movement *out)
{
    for (int i = 0; i < 5; i++)
        if (!strcmp(name, names[i])) {
            *out = (enum readiness_movement)i;
            return true;
        }
    return false;
}

const char *readiness_model_config_error(const struct readiness_model_config *c)
{
    if (c->side != 'L' && c->side != 'R')
        return "The side must be L or R.";
    if (c->reps > READY_MAX_HOPS)
        return "The repetitions must be from 1 to 64.";
    if (!(c->fail_at_s >= 0.0 && c->fail_at_s <= 600.0))
        return "The failure time must be from 0 to 600 s.";
    if (!(c->bw_n > 100.0))
        return "The body weight must be above 100 N.";
    return NULL;
}

static uint64_t mix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void readiness_model_init(struct readiness_model *m, const struct readiness_model_config *c)
{
    memset(m, 0, sizeof *m);
    m->c = *c;
    uint64_t s = c->seed ^ 0x5eadbeefull;
    for (int i = 0; i < 6; i++)
        m->phase[i] = 2.0 * M_PI * (double)(mix(&s) >> 11) / 9007199254740992.0;
    double fail = c->fail_at_s;
    switch (c->movement) {
    case READY_BALANCE:
        m->t_move = READY_STAND_S + READY_SHIFT_S;
        m->t_end = m->t_move + (fail > 0 ? fail : BALANCE_DEFAULT_S);
        m->t_touch = m->t_end; /* the hold ends with the touch-down */
        break;
    case READY_HOP: {
        unsigned n = c->reps ? c->reps : 10;
        m->period_s = HOP_TC_S + HOP_TF_S;
        /* push-off contact, then n flights each followed by a landing */
        if (fail > 0) {
            double room = fail - HOP_TC_S;
            unsigned k = room > 0 ? (unsigned)floor(room / m->period_s) : 0;
            if (k < n)
                n = k;
        }
        m->reps = n;
        m->t_move = READY_STAND_S + READY_SHIFT_S + 0.2;
        m->t_end = m->t_move + (n ? HOP_TC_S + n * m->period_s : 0.0);
        m->t_touch = m->t_end + READY_SETTLE_S;
        break;
    }
    case READY_JOG_SPOT: {
        double dur = fail > 0 ? fail : JOG_DEFAULT_S;
        m->period_s = JOG_STEP_S;
        m->t_move = READY_STAND_S + JOG_START_S;
        m->reps = (unsigned)ceil(dur / JOG_STEP_S); /* at least dur of jogging */
        m->t_end = m->t_move + (JOG_STEP_S - JOG_TC_S) + m->reps * JOG_STEP_S;
        m->t_touch = m->t_end;
        break;
    }
    case READY_CALF_RAISE:
    case READY_SQUAT: {
        unsigned n = c->reps ? c->reps : (c->movement == READY_CALF_RAISE ? 20 : 10);
        m->period_s = c->movement == READY_CALF_RAISE ? CALF_PERIOD_S : SQUAT_PERIOD_S;
        if (fail > 0) {
            unsigned k = (unsigned)floor(fail / m->period_s);
            if (k < n)
                n = k;
        }
        m->reps = n;
        m->t_move = READY_STAND_S + READY_SHIFT_S + 0.5;
        m->t_end = m->t_move + n * m->period_s;
        m->t_touch = m->t_end + READY_SETTLE_S;
        break;
    }
    }
    m->t_done = m->t_touch + READY_TOUCH_S + READY_SETTLE_S;
}

double readiness_model_duration_s(const struct readiness_model *m)
{
    return m->t_done;
}

static void sway(const struct readiness_model *m, double t, double scale, double *dx, double *dy)
{
    static const double fx[3] = {0.37, 0.91, 1.73}, fy[3] = {0.29, 0.71, 1.31};
    *dx = *dy = 0.0;
    for (int i = 0; i < 3; i++) {
        *dx += SWAY_X_M * scale * sin(2.0 * M_PI * fx[i] * t + m->phase[i]);
        *dy += SWAY_Y_M * scale * sin(2.0 * M_PI * fy[i] * t + m->phase[3 + i]);
    }
}

/* Share of the weight on the stance foot: 0.5 on two feet, 1 on one. */
static double stance_share(const struct readiness_model *m, double t)
{
    double t_shift = READY_STAND_S;
    if (t < t_shift)
        return 0.5;
    if (t < t_shift + READY_SHIFT_S)
        return 0.5 + 0.5 * (t - t_shift) / READY_SHIFT_S;
    if (t < m->t_touch)
        return 1.0;
    if (t < m->t_touch + READY_TOUCH_S)
        return 1.0 - 0.5 * (t - m->t_touch) / READY_TOUCH_S;
    return 0.5;
}

/* Vertical force of the stance foot during the movement, N (one leg). */
static double move_force(const struct readiness_model *m, double t, double *cop_y)
{
    double bw = m->c.bw_n, u;
    *cop_y = 0.0;
    if (t < m->t_move || t >= m->t_end)
        return bw;
    double s = t - m->t_move;
    switch (m->c.movement) {
    case READY_HOP: {
        double p = bw * M_PI / 2.0 * m->period_s / HOP_TC_S;
        if (s < HOP_TC_S) { /* push-off from standing */
            u = s / HOP_TC_S;
            return u < 0.5 ? bw + (p - bw) * sin(M_PI * u) : p * sin(M_PI * u);
        }
        s -= HOP_TC_S;
        unsigned k = (unsigned)floor(s / m->period_s);
        double in = s - k * m->period_s;
        if (in < HOP_TF_S)
            return 0.0; /* flight k+1 */
        u = (in - HOP_TF_S) / HOP_TC_S;
        bool last = k + 1 == m->reps;
        if (last && u >= 0.5)
            return bw + (p - bw) * sin(M_PI * u); /* lands into standing */
        return p * sin(M_PI * u);
    }
    case READY_CALF_RAISE:
        u = fmod(s, m->period_s) / m->period_s;
        *cop_y = CALF_COP_Y_M * 0.5 * (1.0 - cos(2.0 * M_PI * u));
        return bw * (1.0 + CALF_FORCE * sin(2.0 * M_PI * u));
    case READY_SQUAT:
        u = fmod(s, m->period_s) / m->period_s;
        *cop_y = SQUAT_COP_Y_M * 0.5 * (1.0 - cos(2.0 * M_PI * u));
        return bw * (1.0 - SQUAT_FORCE * sin(2.0 * M_PI * u));
    case READY_BALANCE:
    case READY_JOG_SPOT:
        break;
    }
    return bw;
}

static int jog_loads(const struct readiness_model *m, double t, double f[2], double x[2],
                     double y[2])
{
    double bw = m->c.bw_n, dx, dy;
    sway(m, t, 1.0, &dx, &dy);
    double flight = JOG_STEP_S - JOG_TC_S;
    if (t < READY_STAND_S || t >= m->t_end + 0.1) {
        sway(m, t, 1.0 / 3.0, &dx, &dy);
        f[0] = f[1] = 0.5 * bw;
        x[0] = -READY_FOOT_X_M + dx, x[1] = READY_FOOT_X_M + dx;
        y[0] = y[1] = dy;
        return 2;
    }
    if (t < m->t_move) { /* both feet unload into the first flight */
        double w = 1.0 - (t - READY_STAND_S) / JOG_START_S;
        f[0] = f[1] = 0.5 * bw * w;
        x[0] = -READY_FOOT_X_M, x[1] = READY_FOOT_X_M;
        y[0] = y[1] = 0.0;
        return 2;
    }
    if (t >= m->t_end) { /* both feet load again */
        double w = (t - m->t_end) / 0.1;
        f[0] = f[1] = 0.5 * bw * w;
        x[0] = -READY_FOOT_X_M, x[1] = READY_FOOT_X_M;
        y[0] = y[1] = 0.0;
        return 2;
    }
    double s = t - m->t_move - flight;
    if (s < 0)
        return 0;
    unsigned k = (unsigned)floor(s / JOG_STEP_S);
    double in = s - k * JOG_STEP_S;
    if (in >= JOG_TC_S)
        return 0;
    /* the first step is on the stance side, then alternating */
    bool stance_side = k % 2 == 0;
    double xs = (m->c.side == 'L' ? -1.0 : 1.0) * READY_FOOT_X_M;
    double p = bw * M_PI / 2.0 * JOG_STEP_S / JOG_TC_S;
    f[0] = p * sin(M_PI * in / JOG_TC_S);
    x[0] = (stance_side ? xs : -xs) + dx;
    y[0] = dy;
    return 1;
}

int readiness_model_loads(const struct readiness_model *m, double t, double f[2], double x[2],
                          double y[2])
{
    if (m->c.movement == READY_JOG_SPOT)
        return jog_loads(m, t, f, x, y);
    double xs = (m->c.side == 'L' ? -1.0 : 1.0) * READY_FOOT_X_M;
    double share = stance_share(m, t);
    double dx, dy, cy;
    sway(m, t, share > 0.99 ? 1.0 : 1.0 / 3.0, &dx, &dy);
    double fs = move_force(m, t, &cy);
    int n = 0;
    /* the stance foot carries its share of the weight, and all of the
     * movement's force changes */
    f[n] = fs - (1.0 - share) * m->c.bw_n;
    x[n] = xs + dx;
    y[n] = dy + cy;
    n++;
    if (share < 1.0) {
        f[n] = (1.0 - share) * m->c.bw_n;
        x[n] = -xs + dx;
        y[n] = dy;
        n++;
    }
    return n;
}

/* ---- truth ----------------------------------------------------------- */

static void cop_at(const struct readiness_model *m, double t, double *cx, double *cy, double *fz)
{
    double f[2], x[2], y[2];
    int n = readiness_model_loads(m, t, f, x, y);
    double sf = 0, sx = 0, sy = 0;
    for (int i = 0; i < n; i++) {
        sf += f[i];
        sx += f[i] * x[i];
        sy += f[i] * y[i];
    }
    *fz = sf;
    *cx = sf > 1.0 ? sx / sf : 0.0;
    *cy = sf > 1.0 ? sy / sf : 0.0;
}

/* COP path (mm) and 95 % ellipse area (mm^2) over [a, b) at rate_hz. */
static void cop_figures(const struct readiness_model *m, double a, double b, double rate_hz,
                        double *path_mm, double *area_mm2)
{
    double px = 0, py = 0, path = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    long n = 0;
    for (long k = (long)ceil(a * rate_hz); (double)k / rate_hz < b; k++) {
        double x, y, f;
        cop_at(m, (double)k / rate_hz, &x, &y, &f);
        x *= 1000.0, y *= 1000.0;
        if (n > 0)
            path += hypot(x - px, y - py);
        px = x, py = y;
        sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y;
        n++;
    }
    *path_mm = path;
    *area_mm2 = 0.0;
    if (n > 2) {
        double vx = (sxx - sx * sx / n) / (n - 1), vy = (syy - sy * sy / n) / (n - 1);
        double cxy = (sxy - sx * sy / n) / (n - 1);
        double det = vx * vy - cxy * cxy;
        *area_mm2 = det > 0 ? M_PI * CHI2_95_2 * sqrt(det) : 0.0;
    }
}

void readiness_model_truth(const struct readiness_model *m, double rate_hz,
                           struct readiness_truth *o)
{
    memset(o, 0, sizeof *o);
    o->movement = m->c.movement;
    o->side = m->c.side;
    double bw = m->c.bw_n;
    switch (m->c.movement) {
    case READY_BALANCE: {
        /* the other foot carries (1 - share) BW: under 20 N from the end
         * of the shift ramp minus that much, until the touch ramp passes it */
        double w = CONTACT_N / (0.5 * bw); /* fraction of the ramp left */
        double from = READY_STAND_S + READY_SHIFT_S * (1.0 - w);
        double to = m->t_touch + READY_TOUCH_S * w;
        o->hold_s = to - from;
        o->t_from_s = from, o->t_to_s = to;
        break;
    }
    case READY_HOP: {
        o->count = m->reps;
        double p = bw * M_PI / 2.0 * m->period_s / HOP_TC_S;
        /* a half sine crosses 20 N at asin(20/p)/pi of its length from
         * each end: contact and flight at 20 N */
        double edge = asin(CONTACT_N / p) / M_PI * HOP_TC_S;
        o->contact_ms = 1000.0 * (HOP_TC_S - 2.0 * edge);
        o->flight_ms = 1000.0 * (HOP_TF_S + 2.0 * edge);
        o->peak_bw = p / bw;
        o->t_from_s = m->t_move, o->t_to_s = m->t_end;
        break;
    }
    case READY_JOG_SPOT: {
        o->count = m->reps;
        o->cadence_spm = 60.0 / JOG_STEP_S;
        o->peak_bw = M_PI / 2.0 * JOG_STEP_S / JOG_TC_S;
        o->t_from_s = m->t_move, o->t_to_s = m->t_end;
        break;
    }
    case READY_CALF_RAISE:
    case READY_SQUAT:
        o->count = m->reps;
        o->t_from_s = m->t_move, o->t_to_s = m->t_end;
        break;
    }
    /* sway figures where one foot stays on the deck throughout */
    bool one_foot = m->c.movement == READY_BALANCE || m->c.movement == READY_CALF_RAISE ||
                    m->c.movement == READY_SQUAT;
    if (one_foot && o->t_to_s > o->t_from_s)
        cop_figures(m, o->t_from_s, o->t_to_s, rate_hz, &o->cop_path_mm, &o->cop_area_mm2);
}
