/* test_fhir_export - the FHIR export of a stored session, in process: a
 * session with known steps is stored (three phases, left/right, a forefoot
 * phase with no impact peak), exported, and read back:
 *   - round trip: every Observation's value equals the figure computed
 *     again from store_load_steps (session_stats_compute, printed with the
 *     table's decimals); absent figures are absent;
 *   - the file is 0600, the same bytes when made again, and the attached
 *     PDF's /CreationDate is the session's start (UTC);
 *   - the store, and the command's other outputs, are refused.
 * No network, no simulator: synthetic steps with known values. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "fhir_codes.h"
#include "fhir_export.h"
#include "report_record.h"
#include "store.h"

static const char *PROTOCOL = "[protocol]\nname = fhir-test\n"
                              "[phase]\nkind = baseline\nduration = 20 s\n"
                              "[phase]\nkind = training\nduration = 20 s\ncadence = 176 spm\n"
                              "[phase]\nkind = retention\nduration = 20 s\n";

/* 60 s of steps at 2.9 steps/s; phase 2 (retention) lands on the forefoot:
 * no impact peak there.  Values vary step to step so means are not round. */
static int64_t store_fixture(struct store *st, int64_t pid)
{
    struct plan plan;
    struct gc_diag perr;
    CHECK(plan_parse(PROTOCOL, strlen(PROTOCOL), &plan, &perr) == GC_OK);
    struct store_session ss;
    memset(&ss, 0, sizeof ss);
    ss.patient_id = pid;
    ss.start_utc = 1767225600; /* 2026-01-01T00:00:00Z */
    snprintf(ss.protocol_name, sizeof ss.protocol_name, "fhir-test");
    snprintf(ss.therapist, sizeof ss.therapist, "Therapist Name");
    ss.body_weight_n = 608.0;
    ss.t0_sensor_s = 100.0;
    ss.time_scale = 1.0;
    ss.stopped_at_s = NAN;
    if (store_session_begin(st, &ss, &plan, PROTOCOL) != GC_OK)
        return -1;
    struct session_targets none = {NAN, NAN, NAN, NAN, PLAN_FB_NONE, 0};
    struct session_targets band = {176, 170.7, 181.3, NAN, PLAN_FB_CONTINUOUS, 1};
    CHECK(store_begin(st) == GC_OK);
    CHECK(store_phase_begin(st, ss.id, 0, 0.0, &none) == GC_OK);
    CHECK(store_phase_begin(st, ss.id, 1, 20.0, &band) == GC_OK);
    CHECK(store_phase_begin(st, ss.id, 2, 40.0, &none) == GC_OK);
    for (int i = 0; i < 174; i++) {
        struct session_step s;
        memset(&s, 0, sizeof s);
        gait_step_clear(&s.step);
        double t = 0.3 + i * 0.345;
        s.phase = t < 20 ? 0 : t < 40 ? 1 : 2;
        s.step.index = (uint32_t)i;
        s.step.side = i % 2 ? GAIT_SIDE_LEFT : GAIT_SIDE_RIGHT;
        s.step.t_ic_s = 100.0 + t;
        s.step.t_to_s = s.step.t_ic_s + 0.24;
        s.step.contact_ms = 240.0 + (i % 7) * 1.3 + (i % 2) * 4.1;
        s.step.step_ms = i ? 345.0 + (i % 5) * 2.2 - 4.4 : NAN;
        s.step.valr_bw_s = 60.0 + (i % 9) * 1.7 + (i % 2) * 3.3;
        s.step.vilr_bw_s = s.step.valr_bw_s * 1.21;
        s.step.active_peak_bw = 2.4 + (i % 4) * 0.013;
        if (s.phase != 2)
            s.step.impact_peak_bw = 1.5 + (i % 3) * 0.021;
        s.in_band = s.phase == 1 ? (i % 4 != 0) : -1;
        s.under_ceiling = -1;
        if (store_add_step(st, ss.id, &s) != GC_OK)
            return -1;
    }
    /* a pain marker at 0:30 (LOINC 72514-3) and a symptom (text: PDF only) */
    struct store_marker pain = {.t_s = 130.0, .kind = STORE_MARK_PAIN, .pain = 3, .text = "knee"};
    struct store_marker sym = {
        .t_s = 131.0, .kind = STORE_MARK_SYMPTOM, .pain = -1, .text = "pelvic floor heaviness"};
    CHECK(store_add_marker(st, ss.id, &pain) == GC_OK);
    CHECK(store_add_marker(st, ss.id, &sym) == GC_OK);
    CHECK(store_commit(st) == GC_OK);
    CHECK(store_session_finish(st, ss.id, STORE_COMPLETE, ss.start_utc + 61, NAN) == GC_OK);
    return ss.id;
}

static double obs_value(const cJSON *o)
{
    return cJSON_GetNumberValue(
        cJSON_GetObjectItem(cJSON_GetObjectItem(o, "valueQuantity"), "value"));
}

/* Index of the phase an Observation covers (-1 whole session, -2 none). */
static int obs_index(const cJSON *o)
{
    const cJSON *ext = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "extension"), 0);
    if (!ext)
        return -2;
    const cJSON *sub;
    int idx = -1;
    cJSON_ArrayForEach(sub, cJSON_GetObjectItem(ext, "extension"))
    {
        if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(sub, "url")), "index"))
            idx = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(sub, "valueInteger"));
    }
    return idx;
}

static double stats_value(const struct session_stats *x, const char *code)
{
    if (!strcmp(code, "steps"))
        return (double)x->n_steps;
    if (!strcmp(code, "cadence"))
        return x->cadence_spm;
    if (!strcmp(code, "contact-time"))
        return x->contact_ms;
    if (!strcmp(code, "impact-peak"))
        return x->n_impact ? x->impact_peak_bw : NAN;
    if (!strcmp(code, "active-peak"))
        return x->active_peak_bw;
    if (!strcmp(code, "valr"))
        return x->valr_bw_s;
    if (!strcmp(code, "vilr"))
        return x->vilr_bw_s;
    if (!strcmp(code, "in-band-share"))
        return isfinite(x->share_in_band) ? 100 * x->share_in_band : NAN;
    if (!strcmp(code, "under-ceiling-share"))
        return isfinite(x->share_under_ceiling) ? 100 * x->share_under_ceiling : NAN;
    if (!strcmp(code, "valr-over-66-share"))
        return isfinite(x->share_valr_risk) ? 100 * x->share_valr_risk : NAN;
    if (!strcmp(code, "si-contact-time"))
        return x->si_contact_pct;
    if (!strcmp(code, "si-valr"))
        return x->si_valr_pct;
    return NAN;
}

static void round_trip(struct store *st, int64_t sid, const char *path)
{
    char *text = check_slurp(path, NULL);
    CHECK(text != NULL);
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    CHECK(j != NULL);
    if (!j) {
        free(text);
        return;
    }
    struct session_step *steps;
    size_t n;
    CHECK(store_load_steps(st, sid, &steps, &n) == GC_OK);
    int seen[4][FHIR_FIG_COUNT];
    memset(seen, 0, sizeof seen);
    int compared = 0, pains = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "entry"))
    {
        const cJSON *o = cJSON_GetObjectItem(e, "resource");
        if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(o, "resourceType")), "Observation"))
            continue;
        const char *code = cJSON_GetStringValue(cJSON_GetObjectItem(
            cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "code"), "coding"), 0),
            "code"));
        int idx = obs_index(o);
        if (idx == -2 && !strcmp(code, "72514-3")) { /* the pain marker: 3 at 0:30 */
            pains++;
            CHECK_NEAR(obs_value(o), 3.0, 1e-9);
            CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(o, "effectiveDateTime")),
                          "2026-01-01T00:00:30.000+00:00"));
            const cJSON *cat = cJSON_GetArrayItem(
                cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "category"), 0),
                                    "coding"),
                0);
            CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(cat, "code")), "survey"));
            continue;
        }
        if (idx == -2) { /* body weight: 608 N / 9.80665 = 62.0 kg */
            CHECK(!strcmp(code, "29463-7"));
            CHECK_NEAR(obs_value(o), 62.0, 1e-9);
            continue;
        }
        struct session_stats x;
        session_stats_compute(steps, n, idx < 0 ? SESSION_ALL_PHASES : SESSION_PHASE_BIT(idx), &x);
        int f;
        for (f = 0; f < FHIR_FIG_COUNT; f++)
            if (!strcmp(fhir_fig_def((enum fhir_fig)f)->code.code, code))
                break;
        CHECK_MSG(f < FHIR_FIG_COUNT, code);
        if (f == FHIR_FIG_COUNT)
            continue;
        seen[idx + 1][f]++;
        char want[64];
        session_fmt(want, sizeof want, stats_value(&x, code),
                    fhir_fig_def((enum fhir_fig)f)->unit.decimals);
        /* the bundle holds the printed text; its double equals strtod of it */
        if (obs_value(o) != strtod(want, NULL)) {
            char msg[160];
            snprintf(msg, sizeof msg, "phase %d %s: bundle %.17g, stored steps give %s", idx, code,
                     obs_value(o), want);
            CHECK_MSG(false, msg);
        }
        compared++;
    }
    /* every figure that exists is there, once; absent ones are not */
    for (int idx = -1; idx < 3; idx++) {
        struct session_stats x;
        session_stats_compute(steps, n, idx < 0 ? SESSION_ALL_PHASES : SESSION_PHASE_BIT(idx), &x);
        for (int f = 0; f < FHIR_FIG_COUNT; f++) {
            const char *code = fhir_fig_def((enum fhir_fig)f)->code.code;
            char msg[80];
            snprintf(msg, sizeof msg, "phase %d %s present iff it exists", idx, code);
            CHECK_MSG(seen[idx + 1][f] == (isfinite(stats_value(&x, code)) ? 1 : 0), msg);
        }
    }
    /* retention (forefoot) has no impact peak; no phase has a ceiling */
    CHECK_EQ(seen[3][FHIR_FIG_IMPACT_PEAK], 0);
    CHECK_EQ(seen[2][FHIR_FIG_IN_BAND], 1);
    CHECK_EQ(seen[0][FHIR_FIG_UNDER_CEILING], 0);
    CHECK(compared >= 40);
    CHECK_EQ(pains, 1); /* one pain marker, the symptom is not an Observation */
    free(steps);
    cJSON_Delete(j);
    free(text);
}

static void check_pdf_date(const char *path)
{
    char *text = check_slurp(path, NULL);
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    CHECK(j != NULL);
    if (!j) {
        free(text);
        return;
    }
    const cJSON *dr =
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "entry"), 1), "resource");
    const char *b64 = cJSON_GetStringValue(cJSON_GetObjectItem(
        cJSON_GetArrayItem(cJSON_GetObjectItem(dr, "presentedForm"), 0), "data"));
    CHECK(b64 != NULL && !strncmp(b64, "JVBER", 5)); /* "%PDF" */
    /* decode and find the creation date: the session's start, 2026-01-01 00:00:00 UTC */
    size_t len = b64 ? strlen(b64) : 0;
    unsigned char *pdf = malloc(len);
    size_t o = 0;
    unsigned v = 0;
    int bits = 0;
    for (size_t i = 0; i < len && b64[i] != '='; i++) {
        const char *tab = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        v = (v << 6) | (unsigned)(strchr(tab, b64[i]) - tab);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            pdf[o++] = (unsigned char)(v >> bits);
        }
    }
    const char tag[] = "/CreationDate (D:20260101000000";
    int found = 0;
    for (size_t i = 0; i + sizeof tag - 1 <= o; i++)
        found += !memcmp(pdf + i, tag, sizeof tag - 1);
    CHECK_MSG(found == 1, "the attached PDF's creation date is the session's start");
    free(pdf);
    cJSON_Delete(j);
    free(text);
}

int main(void)
{
    char tmp[] = "/tmp/gc-fhir-export-XXXXXX";
    CHECK(mkdtemp(tmp) != NULL);
    char db[256], out[256], out2[256], other[256];
    snprintf(db, sizeof db, "%s/gaitcue.db", tmp);
    snprintf(out, sizeof out, "%s/bundle.json", tmp);
    snprintf(out2, sizeof out2, "%s/bundle2.json", tmp);
    snprintf(other, sizeof other, "%s/summary.json", tmp);
    struct store *st;
    CHECK(store_open(db, &st) == GC_OK);
    struct store_patient p;
    memset(&p, 0, sizeof p);
    snprintf(p.code, sizeof p.code, "RUN-7");
    snprintf(p.name, sizeof p.name, "Patient Name");
    CHECK(store_patient_add(st, &p) == GC_OK);
    int64_t sid = store_fixture(st, p.id);
    CHECK(sid > 0);

    struct gc_diag diag;
    struct report_record r;
    CHECK(report_record_load(st, sid, &r, &diag) == GC_OK);
    struct fhir_export_opts o = {.type = FHIR_BUNDLE_COLLECTION, .others = {other}};
    int rc = fhir_export_session(&r, &o, out, store_path(st), &diag);
    CHECK_MSG(rc == GC_OK, diag.msg);
    struct stat sb;
    CHECK(stat(out, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    round_trip(st, sid, out);
    check_pdf_date(out);
    size_t n1 = 0, n2 = 0;
    char *a = check_slurp(out, &n1);
    CHECK(a && !strstr(a, "Patient Name") && !strstr(a, "Therapist Name") &&
          !strstr(a, "pelvic floor"));
    sleep(1); /* cairo's clock moves on: the attachment must not */
    CHECK(fhir_export_session(&r, &o, out2, store_path(st), &diag) == GC_OK);
    char *b = check_slurp(out2, &n2);
    CHECK_MSG(a && b && n1 == n2 && !memcmp(a, b, n1), "the same session, the same bytes");
    free(a);
    free(b);

    /* refused: the store, another output, a bad system; nothing written */
    CHECK(fhir_export_session(&r, &o, db, store_path(st), &diag) == GC_ERR_ARG);
    CHECK(strstr(diag.msg, "store") != NULL);
    CHECK(fhir_export_session(&r, &o, other, store_path(st), &diag) == GC_ERR_ARG);
    CHECK(access(other, F_OK) != 0);
    o.identifier_system = "not a uri";
    CHECK(fhir_export_session(&r, &o, out, store_path(st), &diag) == GC_ERR_ARG);
    o.identifier_system = NULL;

    /* progress: the same Observations for the session */
    char prog[256];
    snprintf(prog, sizeof prog, "%s/progress.json", tmp);
    CHECK(fhir_export_progress(st, p.id, &o, prog, &diag) == GC_OK);
    round_trip(st, sid, prog);
    report_record_free(&r);
    store_close(st);

    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    CHECK(system(cmd) == 0);
    return check_exit();
}
