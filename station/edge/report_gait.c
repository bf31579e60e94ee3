/* report_gait.c - see report_gait.h. */
#include "report_gait.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "dsp.h"
#include "footprint.h"
#include "packet.h"
#include "recording.h"
#include "sha256_file.h"
#include "stats.h"

#define OMITTED "so the force curves, the COP butterfly and step length and width are omitted"

/* One matched step's footprint figures. */
struct foot {
    int phase;
    int side; /* 0 L, 1 R */
    double length_m, width_m, speed_mps;
    enum gait_strike strike;
};

double report_gait_si(double left, double right)
{
    if (!isfinite(left) || !isfinite(right) || left + right == 0)
        return NAN;
    return 100.0 * (left - right) / ((left + right) / 2.0);
}

void report_gait_free(struct report_gait *g)
{
    if (!g)
        return;
    free(g->phases);
    g->phases = NULL;
    g->n_phases = 0;
    free(g->minutes);
    g->minutes = NULL;
    g->n_minutes = 0;
}

/* The stored step of this index (stored steps are in index order). */
static const struct session_step *stored_step(const struct report_record *r, uint32_t index)
{
    size_t lo = 0, hi = r->n_steps;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->steps[mid].step.index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->n_steps && r->steps[lo].step.index == index ? &r->steps[lo] : NULL;
}

static int group_of(const struct report_record *r, int phase)
{
    if (phase < 0 || (size_t)phase >= r->n_phases)
        return -1;
    switch (r->phases[phase].kind) {
    case PLAN_KIND_BASELINE:
        return REPORT_GAIT_BASELINE;
    case PLAN_KIND_WEIGH_IN:
        return -1;
    default:
        return REPORT_GAIT_REST;
    }
}

/* The dsp configuration from the recording's header, as the live session
 * had it (sensor identity, calibration, mass). */
static int replay_config(const char *path, struct dsp_config *cfg, struct rec_record *rr)
{
    memset(cfg, 0, sizeof *cfg);
    struct rec_reader *rd;
    int rc = rec_reader_open(path, &rd);
    if (rc < 0)
        return rc;
    uint8_t hello[PKT_HELLO_SIZE];
    bool have_hello = false, have_cal = false;
    while (rec_reader_next(rd, rr) == 1) {
        if (rr->kind == REC_HELLO && rr->len == PKT_HELLO_SIZE) {
            memcpy(hello, rr->payload, PKT_HELLO_SIZE);
            have_hello = true;
        } else if (rr->kind == REC_CAL) {
            have_cal = rec_cal_parse((const char *)rr->payload, rr->len, &cfg->cal) == GC_OK;
        } else if (rr->kind == REC_INFO) {
            char v[64];
            if (rec_text_get((const char *)rr->payload, rr->len, "mass_kg", v, sizeof v))
                cfg->mass_kg = atof(v);
        } else {
            break;
        }
    }
    rec_reader_close(rd);
    if (!have_hello || pkt_hello_decode(hello, PKT_HELLO_SIZE, &cfg->hello) < 0 ||
        cfg->hello.rate_hz == 0 || (!have_cal && deck_cal_nominal(&cfg->hello, &cfg->cal) < 0))
        return GC_ERR_FORMAT;
    if (!(cfg->mass_kg > 0))
        cfg->mass_kg = 0;
    return GC_OK;
}

static void mean_sd(const double *v, size_t n, double *mean, double *sd)
{
    double s = 0, s2 = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i];
    *mean = n ? s / (double)n : NAN;
    for (size_t i = 0; i < n; i++)
        s2 += (v[i] - *mean) * (v[i] - *mean);
    *sd = n > 1 ? sqrt(s2 / (double)(n - 1)) : NAN;
}

/* Rearfoot share of the feet of phase p (-1: every phase): [all, L, R]. */
static void rear_share(const struct foot *f, size_t n, int p, double share[3], size_t known[3])
{
    size_t rear[3] = {0, 0, 0};
    known[0] = known[1] = known[2] = 0;
    for (size_t i = 0; i < n; i++) {
        if ((p >= 0 && f[i].phase != p) || f[i].strike == GAIT_STRIKE_UNKNOWN)
            continue;
        bool r = f[i].strike == GAIT_STRIKE_REAR;
        known[REPORT_GAIT_ALL]++;
        rear[REPORT_GAIT_ALL] += r;
        if (f[i].side >= 0) {
            known[1 + f[i].side]++;
            rear[1 + f[i].side] += r;
        }
    }
    for (int k = 0; k < 3; k++)
        share[k] = known[k] ? (double)rear[k] / (double)known[k] : NAN;
}

/* Per phase length, width, speed and strike; per side length. */
static int phase_figures(struct report_gait *g, const struct foot *f, size_t n)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return GC_ERR_NOMEM;
    for (size_t p = 0; p < g->n_phases; p++) {
        struct report_gait_phase *ph = &g->phases[p];
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (f[i].phase == (int)p && isfinite(f[i].length_m))
                v[m++] = f[i].length_m;
        ph->n_length = m;
        mean_sd(v, m, &ph->length_m, &ph->length_sd_m);
        m = 0;
        for (size_t i = 0; i < n; i++)
            if (f[i].phase == (int)p && isfinite(f[i].width_m))
                v[m++] = f[i].width_m;
        ph->n_width = m;
        mean_sd(v, m, &ph->width_m, &ph->width_sd_m);
        m = 0;
        for (size_t i = 0; i < n; i++)
            if (f[i].phase == (int)p && isfinite(f[i].speed_mps))
                v[m++] = f[i].speed_mps;
        ph->speed_mps = stats_median_inplace(v, m);
        rear_share(f, n, (int)p, ph->rearfoot_share, ph->n_strike);
    }
    rear_share(f, n, -1, g->rearfoot_share, g->n_strike);
    for (int s = 0; s < 2; s++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (f[i].side == s && isfinite(f[i].length_m))
                v[m++] = f[i].length_m;
        double sd;
        mean_sd(v, m, &g->length_side_m[s], &sd);
    }
    free(v);
    return GC_OK;
}

struct replay {
    const struct report_record *r;
    struct report_gait *g;
    struct stance_curve *sc;
    struct foot *feet;
    size_t n_feet, cap_feet;
    struct gait_step *steps; /* every replayed step, for the belt speed */
    size_t n_steps, cap_steps;
    int rc;
};

static void keep_step(struct replay *rp, const struct gait_step *st)
{
    if (rp->n_steps == rp->cap_steps) {
        size_t nc = rp->cap_steps ? 2 * rp->cap_steps : 1024;
        struct gait_step *ns = realloc(rp->steps, nc * sizeof *ns);
        if (!ns) {
            rp->rc = GC_ERR_NOMEM;
            return;
        }
        rp->steps = ns;
        rp->cap_steps = nc;
    }
    rp->steps[rp->n_steps++] = *st;
}

/* The deck's belt speed of the whole session and per minute since its
 * start (summary.h). */
static int speed_figures(struct report_gait *g, const struct replay *rp, double t0_s)
{
    g->speed_mps =
        summary_belt_speed_ci(rp->steps, rp->n_steps, &g->speed_steps, &g->speed_ci95_mps);
    size_t nm = summary_speed_minutes(rp->steps, rp->n_steps, t0_s, NULL, 0);
    if (!nm)
        return GC_OK;
    g->minutes = malloc(nm * sizeof *g->minutes);
    if (!g->minutes)
        return GC_ERR_NOMEM;
    g->n_minutes = summary_speed_minutes(rp->steps, rp->n_steps, t0_s, g->minutes, nm);
    return GC_OK;
}

static void on_step(struct replay *rp, const struct gait_step *st)
{
    rp->g->steps_replayed++;
    keep_step(rp, st);
    const struct session_step *ss = stored_step(rp->r, st->index);
    if (!ss || !(fabs(ss->step.t_ic_s - st->t_ic_s) <= REPORT_GAIT_MATCH_S) ||
        ss->step.side != st->side)
        return;
    rp->g->steps_matched++;
    if (st->flags & GAIT_STEP_WALK)
        rp->g->steps_walk++;
    int grp = group_of(rp->r, ss->phase);
    if (grp < 0)
        return;
    if (stance_curve_add_step(rp->sc, st, grp) == 0)
        rp->g->steps_skipped++;
    if (rp->n_feet == rp->cap_feet) {
        size_t nc = rp->cap_feet ? 2 * rp->cap_feet : 1024;
        struct foot *nf = realloc(rp->feet, nc * sizeof *nf);
        if (!nf) {
            rp->rc = GC_ERR_NOMEM;
            return;
        }
        rp->feet = nf;
        rp->cap_feet = nc;
    }
    rp->feet[rp->n_feet++] = (struct foot){
        .phase = ss->phase,
        .side = st->side == GAIT_SIDE_LEFT    ? 0
                : st->side == GAIT_SIDE_RIGHT ? 1
                                              : -1,
        .length_m = st->step_length_m,
        .width_m = st->step_width_m,
        .speed_mps = st->speed_mps,
        .strike = st->strike,
    };
}

static void on_outputs(struct replay *rp, const struct dsp_out *o, int n)
{
    for (int i = 0; i < n; i++)
        if (o[i].kind == DSP_OUT_EVENT && o[i].ev.kind == GAIT_EV_STEP)
            on_step(rp, &o[i].ev.step);
}

/* An entered speed the step lengths can use. */
static bool belt_usable(double v)
{
    return isfinite(v) && v >= FOOTPRINT_SPEED_MIN_MPS && v <= FOOTPRINT_SPEED_MAX_MPS;
}

/* Replays path; GC_OK, GC_ERR_NOMEM, or a reading error (why filled). */
static int replay(const struct report_record *r, struct report_gait *g, const char *path)
{
    struct replay rp = {.r = r, .g = g, .rc = GC_OK};
    struct rec_record *rr = malloc(sizeof *rr);
    struct dsp_out *out = malloc(DSP_OUT_MAX * sizeof *out);
    struct dsp *d = NULL;
    struct rec_reader *rd = NULL;
    struct dsp_config cfg;
    int rc = rr && out ? replay_config(path, &cfg, rr) : GC_ERR_NOMEM;
    /* step lengths at the entered treadmill speed when there is one: the
     * start's, then each change the PT made from where it was made (the
     * deck's estimate while none was entered) */
    double entered = store_conditions_end_speed(&r->cond, NULL);
    if (belt_usable(entered))
        g->length_speed_mps = entered;
    g->length_speed_changes = store_conditions_speed_changes(&r->cond);
    double belt_now = store_conditions_speed_at(&r->cond, -INFINITY);
    cfg.belt_speed_mps = belt_usable(belt_now) ? belt_now : 0.0;
    if (rc == GC_OK) {
        int err = GC_OK;
        d = dsp_new(&cfg, &err);
        rc = d ? GC_OK : err;
    }
    if (rc == GC_OK)
        rc = stance_curve_new(cfg.hello.rate_hz, REPORT_GAIT_GROUPS, &rp.sc, NULL);
    if (rc == GC_OK)
        rc = rec_reader_open(path, &rd);
    while (rc == GC_OK && rp.rc == GC_OK && !dsp_ended(d) && rec_reader_next(rd, rr) == 1) {
        struct dsp_record v = {.kind = rr->kind,
                               .aux = rr->aux,
                               .extra = rr->extra,
                               .t_host_ns = rr->t_host_ns,
                               .payload = rr->payload,
                               .len = rr->len};
        /* a speed the PT entered applies from the record after it was
         * entered (a 10 ms block at most later) */
        double belt = store_conditions_speed_at(&r->cond, dsp_session_time(d));
        if (!belt_usable(belt))
            belt = 0.0;
        if (belt != belt_now && dsp_set_belt_speed(d, belt) == GC_OK)
            belt_now = belt;
        int n = dsp_feed(d, &v, out, DSP_OUT_MAX);
        /* the block's samples first: the steps it completed lie before them */
        const struct gait_sample *smp;
        size_t ns = dsp_last_samples(d, &smp);
        if (ns && stance_curve_add_samples(rp.sc, smp, ns, NULL) < 0)
            rc = GC_ERR_FORMAT;
        if (n > 0)
            on_outputs(&rp, out, n);
    }
    if (rc == GC_OK && rp.rc == GC_OK) {
        int n = dsp_finish(d, out, DSP_OUT_MAX);
        if (n > 0)
            on_outputs(&rp, out, n);
    }
    if (rc == GC_OK)
        rc = rp.rc;
    if (rc == GC_OK) {
        struct dsp_state st;
        dsp_get_state(d, &st);
        g->body_weight_n = r->ss.body_weight_n;
        g->bw_source = "the session's";
        if (!(g->body_weight_n > 0)) {
            g->body_weight_n = st.gait.body_weight_n;
            g->bw_source = "estimated in the replay";
        }
        if (!(g->body_weight_n > 0)) {
            snprintf(g->why, sizeof g->why,
                     "The body weight of this session is not known, " OMITTED ".");
            rc = GC_ERR_STATE;
        }
    }
    for (int s = 0; rc == GC_OK && s < 2; s++)
        for (int grp = 0; grp < REPORT_GAIT_GROUPS; grp++) {
            enum gait_side side = s ? GAIT_SIDE_RIGHT : GAIT_SIDE_LEFT;
            rc = stance_curve_get(rp.sc, side, grp, g->body_weight_n, &g->curve[s][grp], NULL);
            const float *x, *y;
            size_t np = stance_curve_paths(rp.sc, side, grp, &x, &y);
            g->n_paths[s][grp] = np;
            memcpy(g->path_x_m[s][grp], x, np * STANCE_PATH_POINTS * sizeof *x);
            memcpy(g->path_y_m[s][grp], y, np * STANCE_PATH_POINTS * sizeof *y);
        }
    if (rc == GC_OK)
        rc = phase_figures(g, rp.feet, rp.n_feet);
    if (rc == GC_OK)
        rc = speed_figures(g, &rp, r->ss.t0_sensor_s);
    if (rc < 0 && rc != GC_ERR_NOMEM && !g->why[0])
        snprintf(g->why, sizeof g->why,
                 "The raw recording of this session (%.500s) could not be replayed (%s), " OMITTED
                 ".",
                 path, gc_strerror(rc));
    rec_reader_close(rd);
    stance_curve_free(rp.sc);
    dsp_free(d);
    free(rp.feet);
    free(rp.steps);
    free(out);
    free(rr);
    return rc;
}

int report_gait_load(const struct report_record *r, struct report_gait *out, struct gc_diag *diag)
{
    memset(out, 0, sizeof *out);
    out->body_weight_n = NAN;
    out->length_side_m[0] = out->length_side_m[1] = NAN;
    out->length_speed_mps = out->speed_mps = out->speed_ci95_mps = NAN;
    for (int k = 0; k < 3; k++)
        out->rearfoot_share[k] = NAN;
    if (r->n_phases) {
        out->phases = calloc(r->n_phases, sizeof *out->phases);
        if (!out->phases)
            return gc_fail(diag, GC_ERR_NOMEM, "out of memory for the gait figures");
        out->n_phases = r->n_phases;
    }
    const char *path = r->ss.raw_path;
    struct stat sb;
    char hex[65];
    if (!path[0]) {
        snprintf(out->why, sizeof out->why,
                 "This session was stored without a raw recording (steps imported, or recorded "
                 "with --no-record), " OMITTED ".");
        return GC_OK;
    }
    if (stat(path, &sb) != 0) {
        snprintf(out->why, sizeof out->why,
                 "The raw recording of this session (%.500s) is missing, " OMITTED ".", path);
        return GC_OK;
    }
    if (sha256_file_hex(path, hex) != GC_OK) {
        snprintf(out->why, sizeof out->why,
                 "The raw recording of this session (%.500s) cannot be read, " OMITTED ".", path);
        return GC_OK;
    }
    bool unchecked = !r->ss.raw_sha256[0];
    if (!unchecked && strcasecmp(hex, r->ss.raw_sha256) != 0) {
        snprintf(out->why, sizeof out->why,
                 "The raw recording at %.500s differs from the one stored with this session (its "
                 "SHA-256 does not match), " OMITTED ".",
                 path);
        return GC_OK;
    }
    int rc = replay(r, out, path);
    if (rc == GC_ERR_NOMEM)
        return gc_fail(diag, rc, "out of memory while replaying %s", path);
    if (rc < 0)
        return GC_OK; /* why says it */
    out->available = true;
    out->sha_checked = !unchecked;
    if (unchecked)
        snprintf(out->why, sizeof out->why,
                 "No checksum was stored with this session (it did not end normally): the "
                 "recording at %s was used unchecked.",
                 path);
    return GC_OK;
}
