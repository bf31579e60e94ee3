/* footprint.c - belt speed, landing place and strike from one stance's COP
 * (see footprint.h). */
#include "footprint.h"

#include <math.h>

#include "gc_error.h"

const char *footprint_strike_name(enum footprint_strike s)
{
    return s == FOOTPRINT_STRIKE_REAR ? "rear" : s == FOOTPRINT_STRIKE_NONREAR ? "non-rear" : "";
}

/* Least-squares slope of COPy against time over the mid-stance window;
 * NAN with fewer than FOOTPRINT_MIN_SAMPLES known samples. */
static double midstance_slope(const struct footprint_in *in)
{
    double t_lo = FOOTPRINT_WIN_LO * in->contact_s, t_hi = FOOTPRINT_WIN_HI * in->contact_s;
    double st = 0, sy = 0, stt = 0, sty = 0;
    size_t k = 0;
    for (size_t i = 0; i < in->n; i++) {
        double t = in->ic_off_s + (double)i * in->period_s;
        if (t < t_lo)
            continue;
        if (t > t_hi)
            break;
        double y = in->copy_m[i];
        if (!isfinite(y))
            continue;
        st += t;
        sy += y;
        stt += t * t;
        sty += t * y;
        k++;
    }
    if (k < FOOTPRINT_MIN_SAMPLES)
        return NAN;
    double den = (double)k * stt - st * st;
    return den > 0.0 ? ((double)k * sty - st * sy) / den : NAN;
}

bool footprint_shoulder(const float *f, size_t n, double ic_off_s, double period_s)
{
    if (!f || !(period_s > 0.0))
        return false;
    size_t h = (size_t)fmax(1.0, floor(FOOTPRINT_RISE_S / period_s + 0.5));
    /* up to the force's maximum (the active peak): the fall after it and
     * toe-off are no shoulder */
    size_t top = 0;
    for (size_t i = 1; i < n; i++)
        if (isfinite(f[i]) && (!isfinite(f[top]) || f[i] > f[top]))
            top = i;
    double most = 0.0, least = INFINITY;
    bool stalled = false;
    for (size_t i = 0; i + h <= top; i++) {
        if (!isfinite(f[i]) || !isfinite(f[i + h]))
            continue;
        double rise = (double)f[i + h] - (double)f[i];
        double t = ic_off_s + (double)(i + h) * period_s;
        if (!stalled) {
            if (t > FOOTPRINT_SHOULDER_S)
                return false;
            most = fmax(most, rise);
            if (most >= FOOTPRINT_STEEP_N && rise <= FOOTPRINT_STALL_FRAC * most) {
                stalled = true;
                least = rise;
            }
            continue;
        }
        least = fmin(least, rise);
        if (rise >= least + FOOTPRINT_RERISE_FRAC * most)
            return true;
    }
    return false;
}

int footprint_stance(const struct footprint_in *in, double belt_mps, struct footprint_out *out)
{
    if (!in || !out || (in->n && (!in->copx_m || !in->copy_m)))
        return GC_ERR_ARG;
    bool heel = in->impact ||
                (in->force_n && footprint_shoulder(in->force_n, in->n, in->ic_off_s, in->period_s));
    out->strike = heel ? FOOTPRINT_STRIKE_REAR : FOOTPRINT_STRIKE_UNKNOWN;
    out->speed_mps = out->y_ic_m = out->x_mean_m = out->travel_m = NAN;
    if (!(in->contact_s > 0.0) || !(in->period_s > 0.0))
        return GC_OK;
    double sx = 0;
    size_t nx = 0, first = in->n;
    for (size_t i = 0; i < in->n; i++) {
        if (isfinite(in->copx_m[i])) {
            sx += in->copx_m[i];
            nx++;
        }
        if (first == in->n && isfinite(in->copy_m[i]))
            first = i;
    }
    if (nx)
        out->x_mean_m = sx / (double)nx;
    if (first == in->n)
        return GC_OK; /* no COP: strike from the force alone */

    /* Strike from the COP needs an independent speed: with the speed
     * estimated from the COP itself, the travel in the foot's frame is
     * the roll-over assumed (footprint.h). */
    double v_given = in->belt_given_mps > 0.0 ? in->belt_given_mps : NAN;
    if (FOOTPRINT_COP_STRIKE && out->strike != FOOTPRINT_STRIKE_REAR && isfinite(v_given)) {
        double t0 = in->ic_off_s + (double)first * in->period_s;
        double y0 = in->copy_m[first], most = 0.0;
        for (size_t i = first; i < in->n; i++) {
            double t = in->ic_off_s + (double)i * in->period_s;
            if (t > FOOTPRINT_TRAVEL_UNTIL * in->contact_s)
                break;
            if (isfinite(in->copy_m[i]))
                most = fmax(most, in->copy_m[i] + v_given * (t - t0) - y0);
        }
        out->travel_m = most;
        if (most >= FOOTPRINT_REAR_TRAVEL_M)
            out->strike = FOOTPRINT_STRIKE_REAR;
    }
    if (out->strike == FOOTPRINT_STRIKE_UNKNOWN)
        out->strike = FOOTPRINT_STRIKE_NONREAR;

    double slope = midstance_slope(in);
    double roll = out->strike == FOOTPRINT_STRIKE_REAR ? FOOTPRINT_ROLL_REAR_M
                                                       : FOOTPRINT_ROLL_NONREAR_M;
    double v = -slope + roll / in->contact_s;
    if (isfinite(v) && v >= FOOTPRINT_SPEED_MIN_MPS && v <= FOOTPRINT_SPEED_MAX_MPS)
        out->speed_mps = v;

    /* Where the foot landed: the first known COP, moved back along the
     * belt to the initial contact (the foot rode backwards since). */
    double v_follow = isfinite(v_given) ? v_given : belt_mps;
    if (isfinite(v_follow) && v_follow > 0.0)
        out->y_ic_m = in->copy_m[first] + v_follow * (in->ic_off_s + (double)first * in->period_s);
    return GC_OK;
}
