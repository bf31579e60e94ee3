/* report_fixture.c - see report_fixture.h. */
#include "report_fixture.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_error.h"
#include "plan.h"
#include "report.h"
#include "session.h"
#include "steps_csv_file.h"

/* A store call of the fixture failed: stop and say which code. */
#define TRY(call)                                                                                  \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        if (rc_ != GC_OK)                                                                          \
            return rc_;                                                                            \
    } while (0)


struct seg {
    double t_from_s, seconds, cadence_spm;
    int seed;
};

/* Time compression of the fixture: 10 for tests (a 97.5 s session), 1
 * for the documentation's full-length example (GC_FIXTURE_SCALE=1). */
static double fixture_scale(void)
{
    const char *e = getenv("GC_FIXTURE_SCALE");
    double s = e ? strtod(e, NULL) : 10.0;
    return s >= 1.0 && s <= 10.0 ? s : 10.0;
}

struct session_step *fixture_sim_steps(const char *sim, const char *tmpdir, double *t_end_s,
                                       size_t *n)
{
    const double k = 10.0 / fixture_scale();
    /* plan / 10: weigh-in 1.5 s, baseline 18 s, training 60 s, retention 18 s */
    const struct seg segs[] = {
        {1.5, 18.0, 164, 11},
        {19.5, 60.0, 176, 12},
        {79.5, 18.0, 172, 13},
    };
    struct session_step *all = NULL;
    size_t total = 0;
    for (size_t j = 0; j < sizeof segs / sizeof segs[0]; j++) {
        char cmd[2048], truth[600];
        snprintf(truth, sizeof truth, "%s/truth%zu.csv", tmpdir, j);
        snprintf(cmd, sizeof cmd,
                 "'%s' --csv '%s/samples.csv' --truth '%s' --seconds %g --cadence %g --seed %d "
                 "--rate 500 --mass 70",
                 sim, tmpdir, truth, segs[j].seconds * k, segs[j].cadence_spm, segs[j].seed);
        if (system(cmd) != 0) {
            fprintf(stderr, "fixture: '%s' failed\n", cmd);
            free(all);
            return NULL;
        }
        struct session_step *s;
        size_t m;
        struct gc_diag err;
        if (steps_csv_import(truth, &s, &m, &err) != GC_OK) {
            fprintf(stderr, "fixture: %s\n", err.msg);
            free(all);
            return NULL;
        }
        struct session_step *grown = realloc(all, (total + m) * sizeof *all);
        if (!grown) {
            free(s);
            free(all);
            return NULL;
        }
        all = grown;
        for (size_t i = 0; i < m; i++) {
            struct session_step x = s[i];
            struct gait_step *g = &x.step;
            double dt = segs[j].t_from_s * k;
            g->index = (uint32_t)(total + i);
            g->t_ic_s += dt;
            g->t_to_s += dt;
            if (isfinite(g->t_impact_s))
                g->t_impact_s += dt;
            /* drop the steps the segment's stop cut short */
            if (g->t_ic_s >= (segs[j].t_from_s + segs[j].seconds) * k)
                continue;
            x.phase = -1;
            x.in_band = -1;
            x.under_ceiling = -1;
            all[total++] = x;
        }
        free(s);
    }
    for (size_t i = 0; i < total; i++)
        all[i].step.index = (uint32_t)i;
    *n = total;
    *t_end_s = 97.5 * k;
    return all;
}

int64_t fixture_store_session(struct store *st, int64_t patient_id, int64_t start_utc,
                              const struct session_step *steps, size_t n, const char *protocol_path)
{
    FILE *f = fopen(protocol_path, "r");
    if (!f)
        return GC_ERR_NOT_FOUND;
    char text[8192];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    struct plan plan;
    struct gc_diag pe;
    if (plan_parse(text, len, &plan, &pe) != GC_OK)
        return GC_ERR_FORMAT;
    const double scale = fixture_scale(), k = 10.0 / scale;
    plan_scale_time(&plan, scale);
    struct store_session ss = {.patient_id = patient_id,
                               .start_utc = start_utc,
                               .therapist = "M. Keller, PT",
                               .sensor_serial = "SIM-00000B",
                               .sensor_identity = "gaitcue-sim fw 0.1.0",
                               .calib_name = "deck-a.cal",
                               .calib_date = "2024-11-04",
                               .body_weight_n = 70 * 9.80665,
                               .t0_sensor_s = 0,
                               .time_scale = scale};
    int rc = store_session_begin(st, &ss, &plan, text);
    if (rc)
        return rc;
    struct session s;
    session_init(&s, &plan, 0);
    struct session_event ev[8];
    bool changed = false;
    TRY(store_begin(st));
    for (size_t i = 0; i <= n; i++) {
        double t = i < n ? steps[i].step.t_to_s : 97.5 * k;
        int ne = session_update(&s, t, ev, 8);
        for (int e = 0; e < ne; e++) {
            if (ev[e].kind != SESSION_EV_PHASE)
                continue;
            struct session_targets tg;
            session_get_targets(&s, &tg);
            TRY(store_phase_begin(st, ss.id, ev[e].phase, ev[e].t_s, &tg));
            struct store_target_change c = {
                .t_s = ev[e].t_s, .source = STORE_SRC_PROTOCOL, .targets = tg};
            snprintf(c.note, sizeof c.note, "%s begins", plan.phases[ev[e].phase].name);
            TRY(store_add_target_change(st, ss.id, &c));
        }
        if (i == n)
            break;
        if (!changed && t > 50.0 * k) {
            /* the PT nudges the target up a little mid-training */
            changed = true;
            TRY(session_set_cadence_target(&s, 178.0, 0, NULL));
            struct store_target_change c = {.t_s = t, .source = STORE_SRC_THERAPIST};
            session_get_targets(&s, &c.targets);
            snprintf(c.note, sizeof c.note, "runner comfortable, target up");
            TRY(store_add_target_change(st, ss.id, &c));
        }
        struct session_step x = steps[i];
        session_add_step(&s, &x);
        TRY(store_add_step(st, ss.id, &x));
    }
    struct store_marker m1 = {
        .t_s = 30.0 * k, .kind = STORE_MARK_PAIN, .pain = 2, .text = "left knee, lateral"};
    struct store_marker m2 = {
        .t_s = 64.0 * k, .kind = STORE_MARK_SYMPTOM, .pain = -1, .text = "calf tightness"};
    TRY(store_add_marker(st, ss.id, &m1));
    TRY(store_add_marker(st, ss.id, &m2));
    TRY(store_commit(st));
    rc = store_session_finish(st, ss.id, STORE_COMPLETE, start_utc + (int64_t)(100 * k), NAN);
    return rc ? rc : ss.id;
}

char *fixture_pdf_text(const char *pdf)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "pdftotext -layout '%s' -", pdf);
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
        }
    }
    if (pclose(p) != 0 || !buf) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}
