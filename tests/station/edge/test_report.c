/* test_report - the session report from stored steps: the PDF's phase
 * table (pdftotext) equals the figures recomputed from the database; CSV
 * and JSON exports round-trip; bad output paths fail cleanly. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "gc_error.h"
#include "report.h"
#include "summary.h"
#include "report_fixture.h"
#include "session.h"
#include "steps_csv_file.h"
#include "store.h"
#include "store_course.h"
#include "usertext.h"

/* Load, draw, free: the way station report does it. */
enum rep_kind { REP_PDF, REP_CSV, REP_JSON };
static int rep_out(struct store *st, int64_t sid, const char *path, enum rep_kind kind)
{
    struct gc_diag diag;
    gc_diag_clear(&diag);
    struct report_record r;
    int rc = report_record_load(st, sid, &r, &diag);
    if (rc)
        return rc;
    rc = kind == REP_PDF   ? report_session_pdf(&r, path, store_path(st), &diag)
         : kind == REP_CSV ? report_session_csv(&r, path, store_path(st), &diag)
                           : report_session_json(&r, path, store_path(st), &diag);
    CHECK(rc == GC_OK || (diag.code == rc && diag.msg[0]));
    report_record_free(&r);
    return rc;
}

static char dir[256];

/* The table row in the PDF text that starts with `name` + blanks. */
static bool find_row(const char *text, const char *name, char *row, size_t cap)
{
    size_t nl = strlen(name);
    for (const char *p = text; p && *p;) {
        const char *s = p;
        while (*s == ' ')
            s++;
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len > nl + 1 && !strncmp(s, name, nl) && s[nl] == ' ') {
            snprintf(row, cap, "%.*s", (int)(len - nl), s + nl);
            return true;
        }
        p = e ? e + 1 : NULL;
    }
    return false;
}

/* Expected tokens of a phase-table row after the phase name and time. */
static void expect_row(const struct session_stats *x, const char *target, char *out, size_t cap)
{
    char c[12][80];
    snprintf(c[0], 80, "%zu", x->n_steps);
    session_fmt(c[1], 80, x->cadence_spm, SESSION_DEC_CADENCE);
    snprintf(c[2], 80, "%s", target);
    session_fmt(c[3], 80, isfinite(x->share_in_band) ? x->share_in_band * 100 : NAN,
                SESSION_DEC_SHARE);
    session_fmt(c[4], 80, x->contact_ms, SESSION_DEC_CONTACT);
    char pk[32];
    session_fmt(pk, sizeof pk, x->impact_peak_bw, SESSION_DEC_PEAK_BW);
    if (x->n_impact)
        snprintf(c[5], 80, "%s (%zu)", pk, x->n_impact);
    else
        snprintf(c[5], 80, "-");
    session_fmt(c[6], 80, x->valr_bw_s, SESSION_DEC_RATE);
    session_fmt(c[7], 80, x->vilr_bw_s, SESSION_DEC_RATE);
    session_fmt(c[8], 80, isfinite(x->share_valr_risk) ? x->share_valr_risk * 100 : NAN,
                SESSION_DEC_SHARE);
    session_fmt(c[9], 80, x->si_contact_pct, SESSION_DEC_SI);
    session_fmt(c[10], 80, x->si_valr_pct, SESSION_DEC_SI);
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < 11; i++)
        if (c[i][0])
            n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? " " : "", c[i]);
}

/* Collapse runs of blanks and drop the leading "m:ss-m:ss" time token. */
static void normalise_row(const char *row, char *out, size_t cap)
{
    size_t n = 0;
    bool blank = true;
    for (const char *p = row; *p && n + 1 < cap; p++) {
        if (*p == ' ') {
            if (!blank)
                out[n++] = ' ';
            blank = true;
        } else {
            out[n++] = *p;
            blank = false;
        }
    }
    while (n && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
    char *sp = strchr(out, ' '); /* the time column */
    if (sp)
        memmove(out, sp + 1, strlen(sp + 1) + 1);
}

static void check_phase_rows(struct store *st, int64_t sid, const char *text)
{
    struct session_step *steps;
    struct store_phase *ph;
    size_t n, np;
    CHECK_EQ(store_load_steps(st, sid, &steps, &n), GC_OK);
    CHECK_EQ(store_load_phases(st, sid, &ph, &np), GC_OK);
    CHECK(n > 200);
    CHECK_EQ(np, 4);
    int rows = 0;
    for (size_t i = 0; i <= np; i++) {
        struct session_stats x;
        const char *name;
        char target[32] = "";
        if (i < np) {
            session_stats_compute(steps, n, SESSION_PHASE_BIT(ph[i].idx), &x);
            name = ph[i].name;
            session_fmt(target, sizeof target, ph[i].targets.cadence_spm, SESSION_DEC_CADENCE);
            /* a PT change inside the phase shows as "from>to" (the fixture
             * moves the training target to 178 halfway) */
            if (ph[i].kind == PLAN_KIND_TRAINING) {
                size_t len = strlen(target);
                snprintf(target + len, sizeof target - len, ">178.0");
            }
        } else {
            session_stats_compute(steps, n, SESSION_ALL_PHASES, &x);
            name = "All steps";
        }
        char row[512], got[512], want[512];
        /* the phase table sits between its heading and the first plot */
        const char *from = strstr(text, "Figures per phase");
        const char *to = from ? strstr(from, "Cadence over time") : NULL;
        char table[8192] = "";
        if (from && to && (size_t)(to - from) < sizeof table)
            memcpy(table, from, (size_t)(to - from));
        if (!find_row(table, name, row, sizeof row)) {
            fprintf(stderr, "no row '%s' in the report text\n", name);
            CHECK(0);
            continue;
        }
        normalise_row(row, got, sizeof got);
        expect_row(&x, target, want, sizeof want);
        if (strcmp(got, want))
            fprintf(stderr, "row %s:\n  pdf:      '%s'\n  computed: '%s'\n", name, got, want);
        CHECK(!strcmp(got, want));
        rows++;
    }
    CHECK_EQ(rows, 5);
    /* figures with a known answer: the simulator ran 164 / 176 / 172 spm;
     * its truth cadence is within 1 spm of that over a phase (step-time
     * jitter averages out over >= 45 steps) */
    struct session_stats b, t, r;
    session_stats_compute(steps, n, SESSION_PHASE_BIT(1), &b);
    session_stats_compute(steps, n, SESSION_PHASE_BIT(2), &t);
    session_stats_compute(steps, n, SESSION_PHASE_BIT(3), &r);
    CHECK_NEAR(b.cadence_spm, 164, 1.0);
    CHECK_NEAR(t.cadence_spm, 176, 1.0);
    CHECK_NEAR(r.cadence_spm, 172, 1.0);
    /* the training target is +7.5 % of the measured baseline cadence */
    CHECK_NEAR(ph[2].targets.cadence_spm, b.cadence_spm * 1.075, 1e-9);
    free(steps);
    free(ph);
}

static void test_exports(struct store *st, int64_t sid)
{
    char csv[400], json[400];
    snprintf(csv, sizeof csv, "%s/steps.csv", dir);
    snprintf(json, sizeof json, "%s/summary.json", dir);
    CHECK_EQ(rep_out(st, sid, csv, REP_CSV), GC_OK);
    CHECK_EQ(rep_out(st, sid, json, REP_JSON), GC_OK);

    struct session_step *a, *b;
    size_t na, nb;
    CHECK_EQ(store_load_steps(st, sid, &a, &na), GC_OK);
    struct gc_diag err;
    CHECK_EQ(steps_csv_import(csv, &b, &nb, &err), GC_OK);
    CHECK_EQ(na, nb);
    int diff = 0;
    for (size_t i = 0; i < na && i < nb; i++) {
        const double *fa = &a[i].step.t_ic_s, *fb = &b[i].step.t_ic_s;
        for (int k = 0; k < 14; k++)
            if (!(fa[k] == fb[k] || (isnan(fa[k]) && isnan(fb[k]))))
                diff++;
        if (a[i].phase != b[i].phase || a[i].in_band != b[i].in_band ||
            a[i].step.side != b[i].step.side || a[i].step.index != b[i].step.index)
            diff++;
    }
    CHECK_EQ(diff, 0); /* %.17g round-trips every double exactly */
    for (int ph = 0; ph < 4; ph++) {
        struct session_stats x, y;
        session_stats_compute(a, na, SESSION_PHASE_BIT(ph), &x);
        session_stats_compute(b, nb, SESSION_PHASE_BIT(ph), &y);
        CHECK_EQ(x.n_steps, y.n_steps);
        CHECK(x.cadence_spm == y.cadence_spm || (isnan(x.cadence_spm) && isnan(y.cadence_spm)));
        CHECK(x.valr_bw_s == y.valr_bw_s || (isnan(x.valr_bw_s) && isnan(y.valr_bw_s)));
        CHECK(x.share_in_band == y.share_in_band ||
              (isnan(x.share_in_band) && isnan(y.share_in_band)));
    }

    /* JSON: figures as printed */
    FILE *f = fopen(json, "r");
    char *buf = calloc(1, 1 << 20);
    size_t len = f ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    if (f)
        fclose(f);
    CHECK(len > 100);
    cJSON *root = cJSON_Parse(buf);
    CHECK(root != NULL);
    if (root) {
        cJSON *phases = cJSON_GetObjectItem(root, "phases");
        CHECK_EQ(cJSON_GetArraySize(phases), 4);
        cJSON *tr = cJSON_GetArrayItem(phases, 2);
        struct session_stats x;
        session_stats_compute(a, na, SESSION_PHASE_BIT(2), &x);
        char want[32];
        session_fmt(want, sizeof want, x.cadence_spm, SESSION_DEC_CADENCE);
        CHECK_NEAR(cJSON_GetObjectItem(tr, "cadence_spm")->valuedouble, strtod(want, NULL), 0);
        CHECK_EQ(cJSON_GetObjectItem(tr, "steps")->valueint, (int)x.n_steps);
        CHECK(!strcmp(cJSON_GetObjectItem(tr, "name")->valuestring, "training"));
        CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(root, "markers")), 2);
        /* 4 phase starts + 1 therapist change */
        CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(root, "target_changes")), 5);
        CHECK(!strcmp(cJSON_GetObjectItem(root, "status")->valuestring, "complete"));
        cJSON_Delete(root);
    }
    free(buf);
    free(a);
    free(b);
}

/* Bytes that are not UTF-8 already in the store (a database written
 * before input was checked, a device name cut inside a character) never
 * cost a report: the PDF is drawn and the JSON is valid UTF-8 (the
 * attacker trial: one 0xff in a note made PDF, JSON and FHIR fail for good). */
static void test_bad_bytes(struct store *st, int64_t sid)
{
    struct store_marker m = {.t_s = 30, .kind = STORE_MARK_NOTE, .pain = -1,
                             .text = "bad \xff\xfe note", .source = "web"};
    CHECK_EQ(store_add_marker(st, sid, &m), GC_OK);
    CHECK_EQ(store_session_set_feedback_delivery(st, sid, "display: none; sound: caf\xc3"),
             GC_OK);
    char pdf[400], json[400];
    snprintf(pdf, sizeof pdf, "%s/bad-bytes.pdf", dir);
    snprintf(json, sizeof json, "%s/bad-bytes.json", dir);
    CHECK_EQ(rep_out(st, sid, pdf, REP_PDF), GC_OK);
    char *text = fixture_pdf_text(pdf);
    CHECK(text && strstr(text, "bad ?? note") != NULL);
    free(text);
    CHECK_EQ(rep_out(st, sid, json, REP_JSON), GC_OK);
    FILE *f = fopen(json, "rb");
    char *buf = calloc(1, 1 << 20);
    size_t n = f && buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    if (f)
        fclose(f);
    CHECK(n > 0 && usertext_utf8_ok(buf));
    cJSON *j = n ? cJSON_Parse(buf) : NULL;
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "feedback_delivery");
    CHECK(cJSON_IsString(d) && !strcmp(d->valuestring, "display: none; sound: caf"));
    cJSON_Delete(j);
    free(buf);
}

/* The report's red line says how a stopped session ended, whole and once
 * (the attacker trial: "... by SIGTERM (the system or another program, n
 * before the end of its plan ..." and "... before the plan's end before
 * the end of its plan"). */
static void test_end_line(struct store *st, int64_t sid)
{
    static const struct {
        const char *by, *want;
    } cases[] = {
        {"SIGTERM", "Session stopped at 0:42 by SIGTERM (the system or another program, not the "
                    "PT), before the end of its plan: figures cover the session up to then."},
        {"--seconds", "Session stopped at 0:42 by --seconds, before the plan's end: figures "
                      "cover the session up to then."},
        {"", "Session stopped at 0:42 before the plan's end: figures cover the session up to "
             "then."},
    };
    CHECK_EQ(store_session_finish(st, sid, STORE_STOPPED, 0, 42.0), GC_OK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK_EQ(store_session_set_stopped_by(st, sid, cases[i].by), GC_OK);
        char pdf[400], cmd[600];
        snprintf(pdf, sizeof pdf, "%s/end-line.pdf", dir);
        CHECK_EQ(rep_out(st, sid, pdf, REP_PDF), GC_OK);
        snprintf(cmd, sizeof cmd, "pdftotext '%s' - | tr -s ' \\n' '  ' | grep -qF \"%s\"", pdf,
                 cases[i].want);
        CHECK_MSG(system(cmd) == 0, cases[i].want);
    }
}

static void test_bad_outputs(struct store *st, int64_t sid)
{
    CHECK(rep_out(st, sid, "/nonexistent-dir/r.pdf", REP_PDF) < 0);
    CHECK(access("/nonexistent-dir/r.pdf", F_OK) != 0);
    CHECK(rep_out(st, sid, "/nonexistent-dir/r.csv", REP_CSV) < 0);
    CHECK(rep_out(st, sid, dir, REP_PDF) < 0); /* a directory */
    CHECK_EQ(rep_out(st, 9999, "/tmp/never.pdf", REP_PDF), GC_ERR_NOT_FOUND);
    CHECK(access("/tmp/never.pdf", F_OK) != 0);
    /* an existing report is replaced only by a complete new one */
    char pdf[400];
    snprintf(pdf, sizeof pdf, "%s/keep.pdf", dir);
    FILE *f = fopen(pdf, "w");
    fputs("old", f);
    fclose(f);
    CHECK_EQ(rep_out(st, 9999, pdf, REP_PDF), GC_ERR_NOT_FOUND);
    struct stat sb;
    CHECK(stat(pdf, &sb) == 0 && sb.st_size == 3);
    /* no temporary files left behind */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls '%s' | grep -c XXXX\\|\\.pdf\\. >/dev/null", dir);
    CHECK(system(cmd) != 0);
}

/* The conditions and link lines: what is not known is said, a loss
 * brings its warning sentence, a disagreeing deck is said. */
static void test_condition_lines(void)
{
    struct store_conditions c;
    store_conditions_clear(&c);
    char line[400], warn[240];
    report_link_text(&c, STORE_COMPLETE, line, sizeof line, warn, sizeof warn);
    CHECK(strstr(line, "not recorded (a session stored before gaitcue kept link health)") != NULL);
    CHECK(!warn[0]);
    /* the reason by the session's status */
    report_link_text(&c, STORE_INTERRUPTED, line, sizeof line, warn, sizeof warn);
    CHECK(!strcmp(line, "Link: not recorded (the session was interrupted before its link health "
                        "was saved)."));
    report_link_text(&c, STORE_RUNNING, line, sizeof line, warn, sizeof warn);
    CHECK(!strcmp(line, "Link: not saved yet (the session is still running)."));
    report_conditions_text(&c, line, sizeof line);
    CHECK(!strcmp(line, "Shoe: not given; treadmill speed not entered, incline not entered; "
                        "no deck estimate"));
    c.link_requested = 40;
    c.link_recovered = 37;
    c.link_lost = 0;
    report_link_text(&c, STORE_COMPLETE, line, sizeof line, warn, sizeof warn);
    CHECK(!strcmp(line, "Link: 37 blocks recovered by a resend, 0 lost (40 blocks requested "
                        "again, repeats counted)."));
    CHECK(!warn[0]);
    c.link_lost = 3;
    report_link_text(&c, STORE_COMPLETE, line, sizeof line, warn, sizeof warn);
    CHECK(strstr(warn, "3 blocks of sensor data were lost for good") == warn);
    snprintf(c.shoe, sizeof c.shoe, "Clifton 9");
    c.speed_mps = 3.0;
    c.deck_speed_mps = 3.31; /* 10.3 % off */
    c.deck_speed_ci95_mps = 0.02;
    c.deck_speed_steps = 300;
    report_conditions_text(&c, line, sizeof line);
    CHECK(strstr(line, "Shoe: Clifton 9; treadmill 3.00 m/s, incline not entered; deck "
                       "estimate 3.31 +- 0.02 m/s over 300 steps - more than 10 % off") == line);
    c.deck_speed_mps = 3.29; /* 9.7 % */
    report_conditions_text(&c, line, sizeof line);
    CHECK(strstr(line, "off the entered") == NULL);
    /* fewer than SUMMARY_DECK_MIN_STEPS steps: no estimate, no check */
    c.deck_speed_mps = 2.91;
    c.deck_speed_steps = SUMMARY_DECK_MIN_STEPS - 1;
    report_conditions_text(&c, line, sizeof line);
    CHECK(strstr(line, "; no deck estimate") != NULL && !strstr(line, "off the entered"));
    /* the link so far / to the last save */
    c.link_lost = 0;
    report_link_text(&c, STORE_INTERRUPTED, line, sizeof line, warn, sizeof warn);
    CHECK(strstr(line, "Link to the last save before the interruption: 37 blocks") == line);
    report_link_text(&c, STORE_RUNNING, line, sizeof line, warn, sizeof warn);
    CHECK(strstr(line, "Link so far (the session is still running): 37 blocks") == line);

    /* a speed changed during the session: the start's values, the
     * timeline, the estimate since the change, checked against the speed
     * in force (3.40; the deck's 3.39 agrees with it, not with 3.00) */
    struct store_condition_change ch;
    char note[128];
    store_conditions_note(note, sizeof note, false, 3.0, 3.4, "ctl");
    CHECK(!strcmp(note, "speed 3.00 -> 3.40 m/s (ctl)"));
    CHECK(store_conditions_parse_note(note, &ch) && !ch.incline && ch.from == 3.0 &&
          ch.to == 3.4 && !strcmp(ch.source, "ctl"));
    store_conditions_note(note, sizeof note, true, NAN, 0.5, "web");
    CHECK(!strcmp(note, "incline not entered -> 0.5 % (web)"));
    CHECK(store_conditions_parse_note(note, &ch) && ch.incline && isnan(ch.from) &&
          ch.to == 0.5 && !strcmp(ch.source, "web"));
    CHECK(!store_conditions_parse_note("speed=3.40 m/s (ctl)", &ch));
    CHECK(!store_conditions_parse_note("speed 3.00 -> 3.40 m/s (ctl) and more", &ch));
    c.incline_pct = 1.0;
    c.deck_speed_mps = 3.39;
    c.deck_speed_ci95_mps = 0.01;
    c.deck_speed_steps = 85;
    c.n_changes = 1;
    c.changes[0] = (struct store_condition_change){25.0, false, 3.0, 3.4, "ctl"};
    report_conditions_text(&c, line, sizeof line);
    CHECK(!strcmp(line, "Shoe: Clifton 9; treadmill 3.00 m/s, incline 1.0 % at the start; speed "
                        "3.40 m/s from 0:25 (ctl); deck estimate 3.39 +- 0.01 m/s over the 85 "
                        "steps since 0:25"));
    c.deck_speed_mps = 3.0; /* 11.8 % below 3.40 */
    report_conditions_text(&c, line, sizeof line);
    CHECK(strstr(line, " - more than 10 % off the entered speed") != NULL);
    double since;
    CHECK(store_conditions_end_speed(&c, &since) == 3.4 && since == 25.0);
    CHECK(store_conditions_end_incline(&c) == 1.0);
}

/* What the patient reports with 'station symptoms' and 'station prom' is
 * in the session's record (the clinic trial: pain 4 after a session drove
 * the gate but no report showed it): which session a record belongs to,
 * its source, and pain_max over every source. */
static void test_session_symptoms(struct store *st, int64_t patient_id, int64_t prev, int64_t sid)
{
    struct report_key k0, k;
    CHECK_EQ(report_key_figures(st, sid, &k0, NULL), GC_OK);
    struct course_store *cs;
    CHECK_EQ(course_store_open(st, &cs, NULL), GC_OK);
    /* before, after the previous session: the next session's (neither is
     * a program session: the patient's next session) */
    struct course_symptom_row y = {
        .utc = 1731400000, .ref_session_id = prev, .when = COURSE_BEFORE, .pain = 7};
    snprintf(y.site, sizeof y.site, "left knee");
    CHECK_EQ(course_store_add_symptom(cs, patient_id, &y, NULL), GC_OK);
    /* after the previous session: its own */
    y = (struct course_symptom_row){
        .utc = 1731400001, .ref_session_id = prev, .when = COURSE_AFTER, .pain = 9};
    CHECK_EQ(course_store_add_symptom(cs, patient_id, &y, NULL), GC_OK);
    /* a leak during this session, no pain */
    y = (struct course_symptom_row){.utc = 1731400002,
                                    .ref_session_id = sid,
                                    .when = COURSE_DURING,
                                    .pain = -1,
                                    .flags = PROGRAM_SYM_LEAK};
    CHECK_EQ(course_store_add_symptom(cs, patient_id, &y, NULL), GC_OK);
    struct course_prom_row m = {.utc = 1731400003, .ref_session_id = sid, .lefs = 60, .nprs = 2};
    CHECK_EQ(course_store_add_prom(cs, patient_id, &m, NULL), GC_OK);
    course_store_close(cs);

    struct report_record r;
    CHECK_EQ(report_record_load(st, sid, &r, NULL), GC_OK);
    size_t marks = 0, recs = 0, proms = 0;
    for (size_t i = 0; i < r.n_symptoms; i++) {
        const struct report_symptom *s = &r.symptoms[i];
        marks += s->source == REPORT_SYM_MARK;
        if (s->source == REPORT_SYM_RECORD) {
            recs++;
            CHECK(s->pain == 7 || s->flags == PROGRAM_SYM_LEAK);
            CHECK(s->pain != 7 || (s->when == COURSE_BEFORE && !strcmp(s->site, "left knee")));
        }
        if (s->source == REPORT_SYM_PROM) {
            proms++;
            CHECK_EQ(s->pain, 2);
            CHECK_EQ(s->lefs, 60);
        }
    }
    CHECK_EQ(recs, 2); /* the before record and the leak, not the other session's */
    CHECK_EQ(proms, 1);
    /* the live marks: every pain or symptom marker of the session, once */
    size_t want_marks = 0;
    for (size_t i = 0; i < r.n_markers; i++)
        want_marks += (r.markers[i].kind == STORE_MARK_PAIN && r.markers[i].pain >= 0) ||
                      r.markers[i].kind == STORE_MARK_SYMPTOM;
    CHECK_EQ(marks, want_marks);
    CHECK(!r.in_program);
    report_key_of(&r, &k);
    CHECK_EQ(k.pain_max, k0.pain_max > 7 ? k0.pain_max : 7);
    CHECK(!strcmp(report_symptom_source_name(REPORT_SYM_RECORD), "symptoms command"));
    report_record_free(&r);
    /* the previous session: its after record (9), not the before one */
    CHECK_EQ(report_key_figures(st, prev, &k, NULL), GC_OK);
    CHECK_EQ(k.pain_max, 9);
    /* the progress rows read the same */
    struct report_progress pg;
    CHECK_EQ(report_progress_load(st, patient_id, &pg, NULL), GC_OK);
    for (size_t i = 0; i < pg.n; i++)
        if (pg.rows[i].ss.id == prev)
            CHECK_EQ(pg.rows[i].key.pain_max, 9);
    report_progress_free(&pg);
}

int main(int argc, char **argv)
{
    test_condition_lines();
    const char *sim = argc > 1 ? argv[1] : GC_BINARY_DIR "/bin/gaitcue-sim";
    snprintf(dir, sizeof dir, "/tmp/gc-report-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    double t_end;
    size_t n;
    struct session_step *steps = fixture_sim_steps(sim, dir, &t_end, &n);
    CHECK(steps != NULL);
    if (!steps)
        return check_exit();
    char db[400], proto[400], pdf[400];
    snprintf(db, sizeof db, "%s/r.db", dir);
    snprintf(proto, sizeof proto, "%s/cadence-retraining.ini", GC_PROTOCOL_DIR);
    struct store *st;
    CHECK_EQ(store_open(db, &st), GC_OK);
    struct store_patient p = {.code = "RUN-0042", .name = "Test Runner", .birth_year = 1987};
    CHECK_EQ(store_patient_add(st, &p), GC_OK);
    /* a previous session (the same steps, one week earlier) for the comparison */
    int64_t prev = fixture_store_session(st, p.id, 1731400000 - 7 * 86400, steps, n / 2, proto);
    int64_t sid = fixture_store_session(st, p.id, 1731400000, steps, n, proto);
    CHECK(prev > 0 && sid > 0);

    snprintf(pdf, sizeof pdf, "%s/report.pdf", dir);
    CHECK_EQ(rep_out(st, sid, pdf, REP_PDF), GC_OK);
    char *text = fixture_pdf_text(pdf);
    CHECK(text != NULL);
    if (text) {
        check_phase_rows(st, sid, text);
        CHECK(strstr(text, "RUN-0042") != NULL);
        CHECK(strstr(text, "M. Keller, PT") != NULL);
        CHECK(strstr(text, "SIM-00000B") != NULL);
        CHECK(strstr(text, "2024-11-04") != NULL); /* calibration date */
        CHECK(strstr(text, "gaitcue " GC_VERSION) != NULL);
        CHECK(strstr(text, "runner comfortable, target up") != NULL);
        CHECK(strstr(text, "calf tightness") != NULL);
        CHECK(strstr(text, "Comparison with the previous session") != NULL);
        CHECK(strstr(text, "Measurement method") != NULL);
        CHECK(strstr(text, "Davis") != NULL);
        /* the fixture's steps came without a recording: the Gait page
         * says so and keeps the symmetry panel */
        CHECK(strstr(text, "stored without a raw recording") != NULL);
        CHECK(strstr(text, "Left / right symmetry") != NULL);
        if (check_failures)
            fputs(text, stderr);
        free(text);
    }
    char cmd[700];
    /* 2-3 pages of figures and notes, then the Gait page */
    snprintf(cmd, sizeof cmd, "pdfinfo '%s' | grep -q '^Pages: *[34]$'", pdf);
    CHECK_MSG(system(cmd) == 0, "the report has 3 or 4 pages");
    snprintf(cmd, sizeof cmd, "pdfinfo '%s' | grep -q 'Page size: *595.* x 841.*A4'", pdf);
    CHECK_MSG(system(cmd) == 0, "A4 pages");

    test_exports(st, sid);
    test_bad_outputs(st, sid);

    snprintf(pdf, sizeof pdf, "%s/progress.pdf", dir);
    struct report_progress prog;
    CHECK_EQ(report_progress_load(st, p.id, &prog, NULL), GC_OK);
    CHECK_EQ(report_progress_pdf(&prog, pdf, store_path(st), NULL), GC_OK);
    report_progress_free(&prog);
    text = fixture_pdf_text(pdf);
    CHECK(text != NULL);
    if (text) {
        struct report_key k;
        CHECK_EQ(report_key_figures(st, sid, &k, NULL), GC_OK);
        char want[32], row[512];
        snprintf(want, sizeof want, "#%lld", (long long)sid);
        CHECK(find_row(text, want, row, sizeof row));
        session_fmt(want, sizeof want, k.training.cadence_spm, SESSION_DEC_CADENCE);
        CHECK(strstr(row, want) != NULL);
        session_fmt(want, sizeof want, k.baseline.valr_bw_s, SESSION_DEC_RATE);
        CHECK(strstr(row, want) != NULL);
        free(text);
    }
    test_session_symptoms(st, p.id, prev, sid);
    test_bad_bytes(st, sid);
    test_end_line(st, sid);
    if (getenv("GC_KEEP_REPORT")) {
        snprintf(cmd, sizeof cmd, "cp '%s/report.pdf' '%s/progress.pdf' '%s'", dir, dir,
                 getenv("GC_KEEP_REPORT"));
        if (system(cmd) != 0)
            fprintf(stderr, "could not keep the reports\n");
    }
    store_close(st);
    free(steps);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (check_failures == 0 && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_exit();
}
