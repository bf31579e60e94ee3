/* readiness.c - readiness tests measured on the deck (readiness.h). */
#include "readiness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "gc_error.h"
#include "lowpass.h"
#include "stats.h"

/* Nobody weighs under this: the deck is empty (an empty deck reads at most
 * a few tens of N, docs/sessions.md). */
#define PERSON_MIN_N 200.0
/* The standing part used for the body weight starts this late (stepping
 * on settles). */
#define STAND_FROM_S 0.3
/* Contacts and flights shorter than this are noise, merged. */
#define MIN_PHASE_S 0.030
/* balance: coarse stretch (other foot under this), refined at 20 N
 * within this much outside it */
#define BALANCE_COARSE_N    100.0
#define BALANCE_REFINE_S    0.5
#define BALANCE_MIN_SHIFT_M 0.03
#define CALF_UP_M           0.035
#define CALF_DOWN_M         0.015
#define SQUAT_DIP           0.06
#define CHI2_95_2           5.991

static const char *const names[] = {"balance", "hop", "jog-on-spot", "calf-raise", "squat"};

const char *readiness_test_name(enum readiness_test t)
{
    return (unsigned)t < READINESS_N_TESTS ? names[t] : "?";
}

bool readiness_test_parse(const char *name, enum readiness_test *out)
{
    for (int i = 0; i < READINESS_N_TESTS; i++)
        if (!strcmp(name, names[i])) {
            *out = (enum readiness_test)i;
            return true;
        }
    if (!strcmp(name, "jog-spot")) {
        *out = READINESS_JOG_SPOT;
        return true;
    }
    return false;
}

void readiness_criteria_default(struct readiness_criteria *c)
{
    /* Goom, Donnelly & Brockwell 2019: balance 10 s, hop in place 10,
     * jog on the spot 1 min, single-leg squat 10, calf raise 20 */
    c->balance_hold_s = 10.0;
    c->hop_count = 10;
    c->jog_s = 59.0;
    c->calf_raise_count = 20;
    c->squat_count = 10;
}

/* A number with nothing after it, in [lo, hi]; whole when whole. */
static bool crit_number(const char *v, double lo, double hi, bool whole, double *out)
{
    char *end;
    double x = strtod(v, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    if (end == v || *end || !isfinite(x) || x < lo || x > hi || (whole && x != floor(x)))
        return false;
    *out = x;
    return true;
}

int readiness_criteria_set(struct readiness_criteria *c, const char *key, const char *value,
                           struct gc_diag *diag)
{
    gc_diag_clear(diag);
    static const struct {
        const char *key;
        double lo, hi;
        bool whole;
        const char *unit;
    } keys[] = {{"balance_hold_s", 1, 120, false, "seconds"},
                {"hop_count", 1, 100, true, "hops"},
                {"jog_s", 10, 600, false, "seconds"},
                {"calf_raise_count", 1, 100, true, "raises"},
                {"squat_count", 1, 100, true, "squats"}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (strcmp(key, keys[i].key))
            continue;
        double x;
        if (!crit_number(value, keys[i].lo, keys[i].hi, keys[i].whole, &x)) {
            return gc_fail(diag, GC_ERR_ARG, "%s must be %s from %g to %g %s, not '%.40s'", key,
                           keys[i].whole ? "a whole number" : "a number", keys[i].lo, keys[i].hi,
                           keys[i].unit, value);
        }
        switch (i) {
        case 0:
            c->balance_hold_s = x;
            break;
        case 1:
            c->hop_count = (int)x;
            break;
        case 2:
            c->jog_s = x;
            break;
        case 3:
            c->calf_raise_count = (int)x;
            break;
        default:
            c->squat_count = (int)x;
            break;
        }
        return GC_OK;
    }
    return gc_fail(diag, GC_ERR_ARG,
                   "unknown key '%.40s' in [readiness] (known: balance_hold_s, hop_count, jog_s, "
                   "calf_raise_count, squat_count)",
                   key);
}

struct crit_parse {
    struct readiness_criteria *c;
    bool found, failed;
    unsigned seen;
    struct gc_diag *diag;
};

static int crit_handler(void *user, const char *section, const char *name, const char *value)
{
    struct crit_parse *cp = user;
    if (strcmp(section, "readiness"))
        return 1;
    cp->found = true;
    if (!name) /* a section header alone (libinih with INI_CALL_HANDLER_ON_NEW_SECTION) */
        return 1;
    static const char *const keys[] = {"balance_hold_s", "hop_count", "jog_s", "calf_raise_count",
                                       "squat_count"};
    for (unsigned i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcmp(name, keys[i])) {
            if (cp->seen & (1u << i)) {
                gc_fail(cp->diag, GC_ERR_FORMAT, "'%s' is given twice in [readiness]", name);
                cp->failed = true;
                return 0;
            }
            cp->seen |= 1u << i;
        }
    if (readiness_criteria_set(cp->c, name, value, cp->diag) != GC_OK) {
        cp->failed = true;
        return 0;
    }
    return 1;
}

int readiness_criteria_parse(const char *text, struct readiness_criteria *c, bool *found,
                             int *err_line, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    readiness_criteria_default(c);
    struct crit_parse cp = {c, false, false, 0, diag};
    *err_line = 0;
    int rc = ini_parse_string(text, crit_handler, &cp);
    if (found)
        *found = cp.found;
    if (rc != 0) {
        *err_line = rc > 0 ? rc : 0;
        if (!cp.failed)
            gc_fail(diag, GC_ERR_FORMAT, "%s",
                    rc > 0 ? "expected '[section]' or 'key = value'"
                           : "out of memory while parsing");
        readiness_criteria_default(c);
        diag->code = GC_ERR_FORMAT;
        return GC_ERR_FORMAT;
    }
    return GC_OK;
}

void readiness_criterion_describe(enum readiness_test t, const struct readiness_criteria *c,
                                  char *buf, size_t cap)
{
    switch (t) {
    case READINESS_BALANCE:
        snprintf(buf, cap, "hold >= %g s", c->balance_hold_s);
        return;
    case READINESS_HOP:
        snprintf(buf, cap, ">= %d hops", c->hop_count);
        return;
    case READINESS_JOG_SPOT:
        snprintf(buf, cap, ">= %g s of jogging", c->jog_s);
        return;
    case READINESS_CALF_RAISE:
        snprintf(buf, cap, ">= %d raises", c->calf_raise_count);
        return;
    case READINESS_SQUAT:
        snprintf(buf, cap, ">= %d squats", c->squat_count);
        return;
    }
    snprintf(buf, cap, "?");
}

bool readiness_passes(enum readiness_test t, double value, const struct readiness_criteria *c)
{
    if (!isfinite(value))
        return false;
    switch (t) {
    case READINESS_BALANCE:
        return value >= c->balance_hold_s;
    case READINESS_HOP:
        return value >= c->hop_count;
    case READINESS_JOG_SPOT:
        return value >= c->jog_s;
    case READINESS_CALF_RAISE:
        return value >= c->calf_raise_count;
    case READINESS_SQUAT:
        return value >= c->squat_count;
    }
    return false;
}

/* Zero-phase low-pass in place (forward, then backward). */
static void filtfilt(double *x, size_t n, double cutoff_hz, double rate_hz)
{
    struct lowpass lp;
    if (n < 2 || lowpass_init(&lp, cutoff_hz, rate_hz) != GC_OK)
        return;
    for (size_t i = 0; i < n; i++)
        x[i] = lowpass_step(&lp, x[i]);
    lowpass_reset(&lp);
    for (size_t i = n; i-- > 0;)
        x[i] = lowpass_step(&lp, x[i]);
}

/* Median of a[i] over i in [from, to) (copied: a is kept). */
static double median_range(const double *a, size_t from, size_t to, double *scratch)
{
    size_t m = 0;
    for (size_t i = from; i < to; i++)
        if (isfinite(a[i]))
            scratch[m++] = a[i];
    return m ? stats_median_inplace(scratch, m) : NAN;
}

static void cop_figures(const double *x, const double *y, size_t a, size_t b, double *path_mm,
                        double *area_mm2)
{
    double path = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    size_t n = 0;
    for (size_t i = a; i < b; i++) {
        double xi = 1000.0 * x[i], yi = 1000.0 * y[i];
        if (i > a)
            path += hypot(xi - 1000.0 * x[i - 1], yi - 1000.0 * y[i - 1]);
        sx += xi, sy += yi, sxx += xi * xi, syy += yi * yi, sxy += xi * yi;
        n++;
    }
    *path_mm = path;
    *area_mm2 = 0;
    if (n > 2) {
        double dn = (double)n;
        double vx = (sxx - sx * sx / dn) / (dn - 1), vy = (syy - sy * sy / dn) / (dn - 1);
        double c = (sxy - sx * sy / dn) / (dn - 1);
        double det = vx * vy - c * c;
        *area_mm2 = det > 0 ? M_PI * CHI2_95_2 * sqrt(det) : 0;
    }
}

struct work {
    const struct gait_sample *s;
    size_t n;
    double rate_hz, t0;
    double *f, *x, *y, *scratch;
    size_t stand_from, stand_to; /* the two-leg standing part */
    double bw_raw, x0, y0;
};

static size_t index_at(const struct work *w, double t_rel)
{
    size_t i = 0;
    while (i < w->n && w->s[i].t_s - w->t0 < t_rel)
        i++;
    return i;
}

/* ---- balance --------------------------------------------------------- */

static void balance(struct work *w, struct readiness_result *r)
{
    size_t a0 = w->stand_to;
    double dmax = 0;
    for (size_t i = a0; i < w->n; i++)
        if (fabs(w->x[i] - w->x0) > dmax)
            dmax = fabs(w->x[i] - w->x0);
    if (dmax < BALANCE_MIN_SHIFT_M)
        return; /* the weight never went onto one foot: hold 0 */
    size_t m = 0;
    for (size_t i = a0; i < w->n; i++)
        if (fabs(w->x[i] - w->x0) > 0.5 * dmax)
            w->scratch[m++] = w->x[i];
    double xs = stats_median_inplace(w->scratch, m);
    double d = fabs(xs - w->x0), sg = xs > w->x0 ? 1.0 : -1.0;
    r->side = xs > w->x0 ? 'R' : 'L';
    /* other foot's load, N, per sample (in scratch) */
    double *lo = w->scratch;
    for (size_t i = 0; i < w->n; i++)
        lo[i] = w->f[i] * (xs - w->x[i]) * sg / (2.0 * d);
    size_t best_a = 0, best_b = 0, ra = 0;
    bool in = false;
    for (size_t i = a0; i <= w->n; i++) {
        bool ok = i < w->n && lo[i] < BALANCE_COARSE_N && w->f[i] > 0.5 * w->bw_raw;
        if (ok && !in)
            ra = i, in = true;
        else if (!ok && in) {
            in = false;
            if (i - ra > best_b - best_a)
                best_a = ra, best_b = i;
        }
    }
    if (best_b <= best_a)
        return;
    size_t k = (size_t)(BALANCE_REFINE_S * w->rate_hz);
    size_t from = best_a, to = best_b - 1;
    /* the first sample under 20 N coming in from outside the stretch */
    for (size_t i = best_a > k ? best_a - k : 0; i < best_b; i++)
        if (lo[i] < READINESS_CONTACT_N && w->f[i] > 0.5 * w->bw_raw) {
            from = i;
            break;
        }
    for (size_t j = best_b + k < w->n ? best_b + k : w->n - 1; j > from; j--)
        if (lo[j] < READINESS_CONTACT_N && w->f[j] > 0.5 * w->bw_raw) {
            to = j;
            break;
        }
    if (to <= from)
        return;
    r->hold_s = w->s[to].t_s - w->s[from].t_s + 1.0 / w->rate_hz;
    r->t_from_s = w->s[from].t_s - w->t0;
    r->t_to_s = w->s[to].t_s - w->t0;
    cop_figures(w->x, w->y, from, to + 1, &r->cop_path_mm, &r->cop_area_mm2);
}

/* ---- contacts (hop, jog) --------------------------------------------- */

struct phase {
    double on_s, off_s; /* contact: force above the threshold */
    double peak_n;
    double x_m; /* median COP x over the contact's middle third */
};

/* Time the force crosses thr between samples i-1 and i (linear). */
static double cross_t(const struct work *w, size_t i, double thr)
{
    double f0 = w->s[i - 1].fz_n, f1 = w->s[i].fz_n;
    double u = f1 != f0 ? (thr - f0) / (f1 - f0) : 0.5;
    if (u < 0)
        u = 0;
    if (u > 1)
        u = 1;
    return w->s[i - 1].t_s + u * (w->s[i].t_s - w->s[i - 1].t_s);
}

/* Contacts after the standing part; returns how many (the first is the
 * standing one, the last may end in standing).  *level: flight level. */
static size_t contacts(struct work *w, struct phase *ph, size_t cap, double *level)
{
    size_t m = 0;
    for (size_t i = w->stand_to; i < w->n; i++)
        if (w->s[i].fz_n < 0.25 * w->bw_raw)
            w->scratch[m++] = w->s[i].fz_n;
    if (m == 0)
        return 0;
    *level = stats_median_inplace(w->scratch, m);
    double thr = *level + READINESS_CONTACT_N;
    size_t np = 0;
    bool on = true;
    ph[0].on_s = w->s[w->stand_from].t_s;
    ph[0].peak_n = 0;
    size_t c_from = w->stand_from;
    for (size_t i = w->stand_to; i < w->n && np < cap; i++) {
        double f = w->s[i].fz_n;
        if (on && f < thr) {
            on = false;
            ph[np].off_s = cross_t(w, i, thr);
            /* side: the COP over the contact's middle third */
            size_t len = i - c_from;
            ph[np].x_m = len >= 3 ? median_range(w->x, c_from + len / 3, c_from + 2 * len / 3 + 1,
                                                 w->scratch + w->n)
                                  : NAN;
            np++;
        } else if (!on && f >= thr) {
            double t_on = cross_t(w, i, thr);
            if (np > 0 && t_on - ph[np - 1].off_s < MIN_PHASE_S) {
                np--; /* a flicker under the threshold: one contact */
            } else {
                ph[np].on_s = t_on;
                ph[np].peak_n = 0;
                c_from = i;
            }
            on = true;
        }
        if (on && f - *level > ph[np].peak_n)
            ph[np].peak_n = f - *level;
    }
    if (on && np < cap) {
        ph[np].off_s = w->s[w->n - 1].t_s;
        ph[np].x_m = NAN;
        np++;
    }
    /* contacts shorter than MIN_PHASE_S are spikes in a flight */
    size_t k = 0;
    for (size_t i = 0; i < np; i++)
        if (ph[i].off_s - ph[i].on_s >= MIN_PHASE_S || i == 0 || i + 1 == np)
            ph[k++] = ph[i];
    return k;
}

static void hop_or_jog(struct work *w, struct readiness_result *r, bool jog)
{
    size_t cap = (size_t)(w->s[w->n - 1].t_s - w->t0) * 8 + 16;
    struct phase *ph = calloc(cap, sizeof *ph);
    if (!ph)
        return;
    double level = 0;
    size_t np = contacts(w, ph, cap, &level);
    double bw = w->bw_raw - level;
    r->body_weight_n = bw;
    if (np < 2) {
        free(ph);
        return;
    }
    /* flights lie between contact i and i+1 */
    size_t flights = np - 1;
    double sum_f = 0, sum_c = 0, sum_p = 0;
    size_t n_c = 0;
    for (size_t i = 0; i + 1 < np; i++)
        sum_f += ph[i + 1].on_s - ph[i].off_s;
    for (size_t i = 1; i + 1 < np; i++) { /* contacts between two flights */
        sum_c += ph[i].off_s - ph[i].on_s;
        n_c++;
    }
    for (size_t i = 1; i < np; i++)
        sum_p += ph[i].peak_n;
    r->flight_ms = 1000.0 * sum_f / (double)flights;
    r->contact_ms = n_c ? 1000.0 * sum_c / (double)n_c : NAN;
    r->peak_bw = sum_p / (double)(np - 1) / bw;
    r->t_from_s = ph[0].off_s - w->t0;
    r->t_to_s = ph[np - 1].on_s - w->t0;
    if (!jog) {
        r->count = (int)flights;
        free(ph);
        return;
    }
    /* jog: the steps are the contacts between two flights */
    r->count = (int)n_c;
    double pk[2] = {0, 0}, ct[2] = {0, 0};
    int ns[2] = {0, 0};
    size_t m = 0;
    double *dt = malloc((np + 1) * sizeof *dt);
    for (size_t i = 1; i + 1 < np; i++) {
        int side = isfinite(ph[i].x_m) && ph[i].x_m > w->x0 ? 1 : 0;
        ns[side]++;
        pk[side] += ph[i].peak_n / bw;
        ct[side] += 1000.0 * (ph[i].off_s - ph[i].on_s);
        if (dt && i > 1)
            dt[m++] = ph[i].on_s - ph[i - 1].on_s;
    }
    r->steps_l = ns[0], r->steps_r = ns[1];
    double step_s = dt && m ? stats_median_inplace(dt, m) : NAN;
    free(dt);
    r->cadence_spm = 60.0 / step_s;
    r->jog_s = n_c * step_s;
    r->contact_ms = n_c ? 1000.0 * sum_c / (double)n_c : NAN;
    if (ns[0] && ns[1]) {
        double pl = pk[0] / ns[0], pr = pk[1] / ns[1], cl = ct[0] / ns[0], cr = ct[1] / ns[1];
        r->si_peak_pct = 100.0 * (pl - pr) / (0.5 * (pl + pr));
        r->si_contact_pct = 100.0 * (cl - cr) / (0.5 * (cl + cr));
    }
    free(ph);
}

/* ---- calf raise, squat ------------------------------------------------ */

static void repetitions(struct work *w, struct readiness_result *r, bool calf)
{
    double *sig = calf ? w->y : w->f;
    double hi = calf ? w->y0 + CALF_UP_M : w->bw_raw * (1.0 + SQUAT_DIP);
    double lo = calf ? w->y0 + CALF_DOWN_M : w->bw_raw * (1.0 - SQUAT_DIP);
    /* calf: up over hi, then back under lo = one raise.
     * squat: under lo (lowering), then over hi (pushing up) = one squat. */
    int count = 0;
    bool armed = false;
    double first = NAN, last = NAN;
    double *marks = w->scratch; /* start marks of the repetitions */
    for (size_t i = w->stand_to; i < w->n; i++) {
        double v = sig[i];
        if (w->f[i] < 0.5 * w->bw_raw)
            break; /* stepped off */
        if (calf) {
            if (!armed && v > hi) {
                armed = true;
                marks[count] = w->s[i].t_s;
            } else if (armed && v < lo) {
                armed = false;
                count++;
            }
        } else {
            if (!armed && v < lo) {
                armed = true;
                marks[count] = w->s[i].t_s;
            } else if (armed && v > hi) {
                armed = false;
                count++;
            }
        }
    }
    r->count = count;
    if (count == 0)
        return;
    first = marks[0];
    last = marks[count - 1];
    /* the repetition's period, and where its mark sits in it: calf, the
     * COP passes half its rise a quarter into the raise; squat, the force
     * passes 6 % under BW 1/12 into the squat (readiness.h) */
    double period = count > 1 ? (last - first) / (count - 1) : calf ? 1.5 : 2.5;
    double lead = calf ? 0.25 : 1.0 / 12.0;
    double a = first - lead * period, b = last + (1.0 - lead) * period;
    size_t ia = index_at(w, a - w->t0), ib = index_at(w, b - w->t0);
    r->t_from_s = a - w->t0;
    r->t_to_s = b - w->t0;
    if (ib > ia + 2)
        cop_figures(w->x, w->y, ia, ib, &r->cop_path_mm, &r->cop_area_mm2);
}

int readiness_measure(enum readiness_test test, char side, const struct gait_sample *s, size_t n,
                      const struct readiness_criteria *crit, struct readiness_result *out,
                      struct gc_diag *diag)
{
    memset(out, 0, sizeof *out);
    out->test = test;
    out->side = side;
    out->contact_ms = out->flight_ms = out->peak_bw = out->cadence_spm = NAN;
    out->si_peak_pct = out->si_contact_pct = NAN;
    if (n < 2 || !(s[n - 1].t_s - s[0].t_s > READINESS_STAND_S + 1.0))
        return gc_fail(diag, GC_ERR_ARG,
                       "the recording is too short for a test: it needs %.0f s of standing on both "
                       "feet first, then the test",
                       READINESS_STAND_S);
    struct work w;
    memset(&w, 0, sizeof w);
    w.s = s;
    w.n = n;
    w.t0 = s[0].t_s;
    w.rate_hz = (double)(n - 1) / (s[n - 1].t_s - s[0].t_s);
    w.f = malloc(n * sizeof *w.f);
    w.x = malloc(n * sizeof *w.x);
    w.y = malloc(n * sizeof *w.y);
    w.scratch = malloc(2 * n * sizeof *w.scratch);
    if (!w.f || !w.x || !w.y || !w.scratch) {
        free(w.f), free(w.x), free(w.y), free(w.scratch);
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory measuring the test");
    }
    double px = 0, py = 0;
    for (size_t i = 0; i < n; i++) {
        w.f[i] = s[i].fz_n;
        /* COP is unknown in flight: hold the last value (only the jog's
         * side and no sway figure use COP around flights) */
        if (isfinite(s[i].copx_m))
            px = s[i].copx_m;
        if (isfinite(s[i].copy_m))
            py = s[i].copy_m;
        w.x[i] = px;
        w.y[i] = py;
    }
    filtfilt(w.x, n, READINESS_COP_HZ, w.rate_hz);
    filtfilt(w.y, n, READINESS_COP_HZ, w.rate_hz);
    if (test == READINESS_SQUAT)
        filtfilt(w.f, n, READINESS_COP_HZ, w.rate_hz);
    w.stand_from = index_at(&w, STAND_FROM_S);
    w.stand_to = index_at(&w, READINESS_STAND_S);
    w.bw_raw = median_range(w.f, w.stand_from, w.stand_to, w.scratch);
    w.x0 = median_range(w.x, w.stand_from, w.stand_to, w.scratch);
    w.y0 = median_range(w.y, w.stand_from, w.stand_to, w.scratch);
    int rc = GC_OK;
    if (!(w.bw_raw >= PERSON_MIN_N)) {
        rc = gc_fail(diag, GC_ERR_STATE,
                     "nobody is standing on the deck (%.0f N in the first %.0f s): the runner "
                     "stands on both feet, still, when the test starts, then does the test",
                     isfinite(w.bw_raw) ? w.bw_raw : 0.0, READINESS_STAND_S);
        goto out;
    }
    out->body_weight_n = w.bw_raw;
    switch (test) {
    case READINESS_BALANCE:
        balance(&w, out);
        out->pass = out->hold_s >= crit->balance_hold_s;
        break;
    case READINESS_HOP:
        hop_or_jog(&w, out, false);
        out->pass = out->count >= crit->hop_count;
        break;
    case READINESS_JOG_SPOT:
        hop_or_jog(&w, out, true);
        out->pass = out->jog_s >= crit->jog_s;
        break;
    case READINESS_CALF_RAISE:
    case READINESS_SQUAT:
        repetitions(&w, out, test == READINESS_CALF_RAISE);
        out->pass =
            out->count >= (test == READINESS_SQUAT ? crit->squat_count : crit->calf_raise_count);
        break;
    }
out:
    free(w.f), free(w.x), free(w.y), free(w.scratch);
    return rc;
}
