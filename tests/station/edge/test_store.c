/* test_store - the SQLite session store: creation and permissions, schema
 * migrations, refusal of a newer database (bytes untouched), round trips. */
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "gc_error.h"
#include "log.h"
#include "store.h"
#include "store_conditions.h"

static char dir[256];

static int mode_of(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return -1;
    return (int)(sb.st_mode & 0777);
}

static bool exists(const char *path)
{
    return access(path, F_OK) == 0;
}

static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    CHECK_EQ(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_EQ(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void test_create_default_path(void)
{
    char xdg[300], path[400], sub[400];
    snprintf(xdg, sizeof xdg, "%s/xdg", dir);
    setenv("XDG_DATA_HOME", xdg, 1);
    CHECK_EQ(store_default_path(path, sizeof path), GC_OK);
    snprintf(sub, sizeof sub, "%s/gaitcue/gaitcue.db", xdg);
    CHECK(!strcmp(path, sub));
    struct store *st;
    mode_t old = umask(022); /* a usual umask: we must still end at 0600 / 0700 */
    CHECK_EQ(store_open(NULL, &st), GC_OK);
    umask(old);
    CHECK(!strcmp(store_path(st), sub));
    CHECK_EQ(store_schema_version(st), STORE_SCHEMA_VERSION);
    CHECK_EQ(mode_of(sub), 0600);
    snprintf(sub, sizeof sub, "%s/gaitcue", xdg);
    CHECK_EQ(mode_of(sub), 0700);
    /* WAL side files inherit the owner-only mode */
    struct store_patient p = {.code = "P1"};
    CHECK_EQ(store_patient_add(st, &p), GC_OK);
    snprintf(sub, sizeof sub, "%s/gaitcue/gaitcue.db-wal", xdg);
    CHECK(exists(sub));
    CHECK_EQ(mode_of(sub), 0600);
    store_close(st);

    /* a file someone made world-readable is tightened on open */
    snprintf(sub, sizeof sub, "%s/gaitcue/gaitcue.db", xdg);
    chmod(sub, 0644);
    CHECK_EQ(store_open(sub, &st), GC_OK);
    CHECK_EQ(mode_of(sub), 0600);
    store_close(st);
    unsetenv("XDG_DATA_HOME");
}

static void test_migration(void)
{
    char path[400];
    snprintf(path, sizeof path, "%s/old.db", dir);
    struct store *st;
    /* a version-1 database with a patient in it */
    CHECK_EQ(store_open_at(path, 1, &st), GC_OK);
    CHECK_EQ(store_schema_version(st), 1);
    struct store_patient p = {.code = "OLD-1", .name = "Ann Example", .birth_year = 1980};
    CHECK_EQ(store_patient_add(st, &p), GC_OK);
    store_close(st);
    /* version 1 has no minutes table */
    sqlite3 *db;
    sqlite3_open(path, &db);
    CHECK(sqlite3_exec(db, "SELECT * FROM minutes", NULL, NULL, NULL) != SQLITE_OK);
    sqlite3_close(db);

    CHECK_EQ(store_open(path, &st), GC_OK);
    CHECK_EQ(store_schema_version(st), STORE_SCHEMA_VERSION);
    struct store_patient q;
    CHECK_EQ(store_patient_find(st, "OLD-1", &q), GC_OK);
    CHECK(!strcmp(q.name, "Ann Example"));
    CHECK_EQ(q.birth_year, 1980);
    /* the version-2 parts work on the migrated file */
    struct store_session ss = {.patient_id = q.id, .body_weight_n = NAN, .t0_sensor_s = 0};
    CHECK_EQ(store_session_begin(st, &ss, NULL, ""), GC_OK);
    CHECK_EQ(store_session_finish(st, ss.id, STORE_COMPLETE, 0, NAN), GC_OK);
    store_close(st);
    sqlite3_open(path, &db);
    CHECK_EQ(sqlite3_exec(db, "SELECT writer_pid FROM sessions", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void test_refusals(void)
{
    char path[400], side[420];
    snprintf(path, sizeof path, "%s/newer.db", dir);
    struct store *st;
    CHECK_EQ(store_open(path, &st), GC_OK);
    struct store_patient p = {.code = "N1"};
    CHECK_EQ(store_patient_add(st, &p), GC_OK);
    store_close(st);
    /* a future gaitcue wrote schema 99 */
    raw_exec(path, "PRAGMA user_version = 99");
    size_t n0, n1;
    char *before = check_slurp(path, &n0);
    struct stat sb0, sb1;
    stat(path, &sb0);
    CHECK_EQ(store_open(path, &st), GC_ERR_VERSION);
    CHECK(st == NULL);
    char *after = check_slurp(path, &n1);
    stat(path, &sb1);
    CHECK_EQ(n0, n1);
    CHECK(before && after && memcmp(before, after, n0) == 0);
    CHECK_EQ(sb0.st_mtime, sb1.st_mtime);
    snprintf(side, sizeof side, "%s-wal", path);
    CHECK(!exists(side)); /* SQLite never opened it */
    snprintf(side, sizeof side, "%s-journal", path);
    CHECK(!exists(side));
    free(before);
    free(after);

    /* not SQLite at all: refused, untouched */
    snprintf(path, sizeof path, "%s/notes.txt", dir);
    FILE *f = fopen(path, "w");
    fputs("these are my notes, not a database, and they are longer than one hundred bytes so the "
          "header check reads a full header\n",
          f);
    fclose(f);
    before = check_slurp(path, &n0);
    CHECK_EQ(store_open(path, &st), GC_ERR_FORMAT);
    after = check_slurp(path, &n1);
    CHECK_EQ(n0, n1);
    CHECK(memcmp(before, after, n0) == 0);
    free(before);
    free(after);

    /* another program's SQLite file */
    snprintf(path, sizeof path, "%s/other.db", dir);
    raw_exec(path, "CREATE TABLE t(x); PRAGMA user_version = 1;");
    CHECK_EQ(store_open(path, &st), GC_ERR_FORMAT);

    /* a directory we cannot write */
    snprintf(path, sizeof path, "%s/ro", dir);
    mkdir(path, 0500);
    snprintf(path, sizeof path, "%s/ro/x.db", dir);
    if (geteuid() != 0) /* root ignores directory permissions */
        CHECK(store_open(path, &st) < 0);
}

static void test_round_trip(void)
{
    char path[400];
    snprintf(path, sizeof path, "%s/rt.db", dir);
    struct store *st;
    CHECK_EQ(store_open(path, &st), GC_OK);

    struct store_patient p = {.code = "PT-007", .name = "Jo", .birth_year = 1991};
    CHECK_EQ(store_patient_add(st, &p), GC_OK);
    struct store_patient dup = {.code = "PT-007"};
    CHECK_EQ(store_patient_add(st, &dup), GC_ERR_BUSY);
    struct store_patient badc = {.code = "has space"};
    CHECK_EQ(store_patient_add(st, &badc), GC_ERR_ARG);
    struct store_patient q;
    CHECK_EQ(store_patient_find(st, "nobody", &q), GC_ERR_NOT_FOUND);
    struct store_patient p2 = {.code = "PT-008"};
    CHECK_EQ(store_patient_add(st, &p2), GC_OK);
    CHECK_EQ(store_patient_list(st, NULL, NULL), 2);

    const char *text = "[protocol]\nname = rt\n[phase]\nkind = baseline\nduration = 1 min\n"
                       "[phase]\nkind = training\nduration = 2 min\ncadence = 172 spm\n";
    struct plan plan;
    struct gc_diag pe;
    CHECK_EQ(plan_parse(text, strlen(text), &plan, &pe), GC_OK);
    struct store_session ss = {.patient_id = p.id,
                               .start_utc = 1700000000,
                               .therapist = "T. Herapist",
                               .sensor_serial = "SIM-0001",
                               .calib_name = "deck-a.cal",
                               .calib_date = "2024-05-01",
                               .body_weight_n = 686.5,
                               .t0_sensor_s = 12.5,
                               .time_scale = 1};
    CHECK_EQ(store_session_begin(st, &ss, &plan, text), GC_OK);
    CHECK(ss.id > 0);
    struct session_targets tg = {172, 166.84, 177.16, NAN, PLAN_FB_CONTINUOUS, 1.0};
    CHECK_EQ(store_phase_begin(st, ss.id, 1, 60.0, &tg), GC_OK);
    CHECK_EQ(store_phase_begin(st, ss.id, 7, 60.0, &tg), GC_ERR_NOT_FOUND);
    /* a session that never started is discarded with its phases */
    struct store_session never = ss;
    never.patient_id = p2.id; /* one live session per patient */
    CHECK_EQ(store_session_begin(st, &never, &plan, text), GC_OK);
    CHECK_EQ(store_phase_begin(st, never.id, 0, 0.0, &tg), GC_OK);
    CHECK_EQ(store_session_discard(st, never.id), GC_OK);
    struct store_session gone;
    CHECK_EQ(store_session_get(st, never.id, &gone), GC_ERR_NOT_FOUND);

    CHECK_EQ(store_begin(st), GC_OK);
    struct session_step in[130];
    for (int i = 0; i < 130; i++) {
        struct session_step *s = &in[i];
        memset(s, 0, sizeof *s);
        s->step.index = (uint32_t)i;
        s->step.side = i % 2 ? GAIT_SIDE_RIGHT : GAIT_SIDE_LEFT;
        s->step.t_ic_s = 12.5 + i * 0.7 + 1.0 / 3.0; /* not representable in decimal */
        s->step.t_to_s = s->step.t_ic_s + 0.25;
        s->step.contact_ms = 250.125;
        s->step.flight_ms = i == 0 ? NAN : 100;
        s->step.step_ms = i == 0 ? NAN : 700;
        s->step.cadence_spm = i == 0 ? NAN : 60000.0 / 700;
        s->step.impact_peak_n = i % 3 ? NAN : 1100.0;
        s->step.impact_peak_bw = i % 3 ? NAN : 1100.0 / 686.5;
        s->step.t_impact_s = i % 3 ? NAN : s->step.t_ic_s + 0.03;
        s->step.valr_bw_s = 40.0 + i * 0.1;
        s->step.vilr_bw_s = 50.0 + i * 0.1;
        s->step.active_peak_n = 1700;
        s->step.active_peak_bw = 1700 / 686.5;
        s->step.flags = i % 3 ? 0 : GAIT_STEP_IMPACT;
        s->phase = i < 86 ? 0 : 1;
        s->in_band = (int8_t)(i < 86 ? -1 : i % 2);
        s->under_ceiling = -1;
        CHECK_EQ(store_add_step(st, ss.id, s), GC_OK);
    }
    struct store_marker m = {.t_s = 12.5 + 75, .kind = STORE_MARK_PAIN, .pain = 3, .text = "knee"};
    CHECK_EQ(store_add_marker(st, ss.id, &m), GC_OK);
    struct store_marker badm = {.t_s = 1, .kind = STORE_MARK_PAIN, .pain = 11};
    CHECK_EQ(store_add_marker(st, ss.id, &badm), GC_ERR_ARG);
    struct store_target_change tc = {.t_s = 12.5 + 60, .source = STORE_SRC_PROTOCOL, .targets = tg};
    CHECK_EQ(store_add_target_change(st, ss.id, &tc), GC_OK);
    CHECK_EQ(store_commit(st), GC_OK);
    CHECK_EQ(store_session_finish(st, ss.id, STORE_COMPLETE, 1700000200, NAN), GC_OK);
    CHECK_EQ(store_session_discard(st, ss.id), GC_ERR_STATE); /* it has steps: it happened */

    struct store_session got;
    CHECK_EQ(store_session_get(st, ss.id, &got), GC_OK);
    CHECK(!strcmp(got.patient_code, "PT-007"));
    CHECK(!strcmp(got.protocol_name, "rt"));
    CHECK(!strcmp(got.therapist, "T. Herapist"));
    CHECK(!strcmp(got.calib_date, "2024-05-01"));
    CHECK(!strcmp(got.sw_version, GC_VERSION));
    CHECK_EQ(got.status, STORE_COMPLETE);
    CHECK_EQ(got.end_utc, 1700000200);
    CHECK_EQ(got.n_steps, 130);
    CHECK_NEAR(got.body_weight_n, 686.5, 0);
    CHECK_NEAR(got.t0_sensor_s, 12.5, 0);
    char *ptext;
    CHECK_EQ(store_session_protocol(st, ss.id, &ptext), GC_OK);
    CHECK(!strcmp(ptext, text));
    free(ptext);

    struct session_step *out;
    size_t n;
    CHECK_EQ(store_load_steps(st, ss.id, &out, &n), GC_OK);
    CHECK_EQ(n, 130);
    int mismatches = 0;
    for (size_t i = 0; i < n; i++) {
        const struct gait_step *a = &in[i].step, *b = &out[i].step;
        const double *fa = &a->t_ic_s, *fb = &b->t_ic_s;
        /* every double field, bit for bit (NAN stays NAN) */
        for (int k = 0; k < 14; k++)
            if (!(fa[k] == fb[k] || (isnan(fa[k]) && isnan(fb[k]))))
                mismatches++;
        if (a->index != b->index || a->side != b->side || a->flags != b->flags ||
            in[i].phase != out[i].phase || in[i].in_band != out[i].in_band ||
            in[i].under_ceiling != out[i].under_ceiling)
            mismatches++;
    }
    CHECK_EQ(mismatches, 0);
    free(out);

    struct store_phase *ph;
    CHECK_EQ(store_load_phases(st, ss.id, &ph, &n), GC_OK);
    CHECK_EQ(n, 2);
    CHECK(!ph[0].started);
    CHECK(ph[1].started);
    CHECK_NEAR(ph[1].start_s, 60, 0);
    CHECK_NEAR(ph[1].planned_start_s, 60, 0);
    CHECK_NEAR(ph[1].targets.cadence_lo_spm, 166.84, 0);
    CHECK(isnan(ph[1].targets.valr_ceiling_bw_s));
    CHECK_EQ(ph[1].kind, PLAN_KIND_TRAINING);
    free(ph);

    struct store_minute *mi;
    CHECK_EQ(store_load_minutes(st, ss.id, &mi, &n), GC_OK);
    /* steps at 0.333 + 0.7 i s after t0, i < 130: last at 90.6 s -> 2 minutes;
     * minute 0 holds i with 0.333 + 0.7 i < 60 -> i <= 85: 86 steps */
    CHECK_EQ(n, 2);
    CHECK_EQ(mi[0].stats.n_steps, 86);
    CHECK_EQ(mi[1].stats.n_steps, 44);
    CHECK_NEAR(mi[1].stats.cadence_spm, 60000.0 / 700, 1e-9);
    CHECK_NEAR(mi[1].stats.share_in_band, 22.0 / 44.0, 1e-12);
    free(mi);

    /* a second session of the same protocol: latest / previous */
    struct store_session s2 = {.patient_id = p.id, .start_utc = 1700090000, .body_weight_n = NAN};
    snprintf(s2.protocol_name, sizeof s2.protocol_name, "rt");
    CHECK_EQ(store_session_begin(st, &s2, NULL, ""), GC_OK);
    int64_t id;
    CHECK_EQ(store_session_latest(st, p.id, &id), GC_OK);
    CHECK_EQ(id, s2.id);
    CHECK_EQ(store_session_previous(st, s2.id, &id), GC_OK);
    CHECK_EQ(id, ss.id);
    CHECK_EQ(store_session_previous(st, ss.id, &id), GC_ERR_NOT_FOUND);
    /* one live session per patient: s2 runs in this (live) process */
    struct store_session s3 = {.patient_id = p.id, .start_utc = 1700090100, .body_weight_n = NAN};
    CHECK_EQ(store_session_begin(st, &s3, NULL, ""), GC_ERR_BUSY);
    /* an excluded session is kept but never the one compared with */
    CHECK_EQ(store_session_exclude(st, ss.id, "equipment test", 1700095000), GC_OK);
    CHECK_EQ(store_session_previous(st, s2.id, &id), GC_ERR_NOT_FOUND);
    CHECK_EQ(store_session_get(st, ss.id, &got), GC_OK);
    CHECK_EQ(got.excluded_utc, 1700095000);
    CHECK(!strcmp(got.exclude_reason, "equipment test"));
    CHECK_EQ(store_session_exclude(st, s2.id, "running", 1700095000), GC_ERR_NOT_FOUND);
    CHECK_EQ(store_session_exclude(st, ss.id, NULL, 0), GC_OK);
    CHECK_EQ(store_session_previous(st, s2.id, &id), GC_OK);
    CHECK_EQ(id, ss.id);
    CHECK_EQ(store_session_latest(st, p2.id, &id), GC_ERR_NOT_FOUND);
    CHECK_EQ(store_session_list(st, 0, NULL, NULL), 2);
    /* s2 is running and written by this live process: recovery leaves it */
    CHECK_EQ(store_recover(st, NULL, 0), 0);
    CHECK_EQ(store_session_get(st, s2.id, &got), GC_OK);
    CHECK_EQ(got.status, STORE_RUNNING);
    store_close(st);
}

static long long count_rows(const char *path, const char *table)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    char sql[128];
    long long n = -1;
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", table);
    CHECK_EQ(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

/* Schema 5: a schema-4 file keeps every row; its sessions have no
 * conditions (cleared values); conditions and link health round-trip; the
 * last shoe is the patient's; differences are found as documented. */
static void test_conditions(void)
{
    char path[400];
    snprintf(path, sizeof path, "%s/v4.db", dir);
    struct store *st;
    CHECK_EQ(store_open_at(path, 4, &st), GC_OK);
    CHECK_EQ(store_schema_version(st), 4);
    struct store_patient p = {.code = "V4-1", .name = "Old Data"};
    CHECK_EQ(store_patient_add(st, &p), GC_OK);
    const char *text = "[protocol]\nname = v4\n[phase]\nkind = training\nduration = 2 min\n";
    struct plan plan;
    struct gc_diag pe;
    CHECK_EQ(plan_parse(text, strlen(text), &plan, &pe), GC_OK);
    struct store_session ss = {.patient_id = p.id, .body_weight_n = 700, .time_scale = 1};
    CHECK_EQ(store_session_begin(st, &ss, &plan, text), GC_OK);
    struct session_targets tg = {172, 168, 176, NAN, PLAN_FB_CONTINUOUS, 1.0};
    CHECK_EQ(store_phase_begin(st, ss.id, 0, 0.0, &tg), GC_OK);
    CHECK_EQ(store_begin(st), GC_OK);
    for (int i = 0; i < 40; i++) {
        struct session_step s;
        memset(&s, 0, sizeof s);
        gait_step_clear(&s.step);
        s.step.index = (uint32_t)i;
        s.step.t_ic_s = 1.0 + 0.35 * i;
        s.step.cadence_spm = 171.4;
        s.in_band = 1;
        s.under_ceiling = -1;
        CHECK_EQ(store_add_step(st, ss.id, &s), GC_OK);
    }
    struct store_marker m = {.t_s = 5, .kind = STORE_MARK_NOTE, .pain = -1, .text = "ok",
                             .source = "ctl"};
    CHECK_EQ(store_add_marker(st, ss.id, &m), GC_OK);
    struct store_target_change tc = {.t_s = 6, .source = STORE_SRC_THERAPIST, .targets = tg,
                                     .note = "target-cadence=172 (ctl)"};
    CHECK_EQ(store_add_target_change(st, ss.id, &tc), GC_OK);
    CHECK_EQ(store_commit(st), GC_OK);
    CHECK_EQ(store_session_finish(st, ss.id, STORE_COMPLETE, 0, NAN), GC_OK);
    store_close(st);
    static const char *const tables[] = {"patients", "sessions", "phases", "steps",
                                         "target_changes", "markers", "minutes"};
    long long before[7];
    for (int i = 0; i < 7; i++)
        before[i] = count_rows(path, tables[i]);
    CHECK_EQ(before[3], 40);

    CHECK_EQ(store_open(path, &st), GC_OK);
    CHECK_EQ(store_schema_version(st), STORE_SCHEMA_VERSION);
    store_close(st);
    for (int i = 0; i < 7; i++)
        CHECK_MSG(count_rows(path, tables[i]) == before[i], tables[i]);
    CHECK_EQ(store_open(path, &st), GC_OK);
    struct store_session got;
    CHECK_EQ(store_session_get(st, ss.id, &got), GC_OK);
    CHECK_EQ(got.n_steps, 40);
    CHECK(!strcmp(got.protocol_name, "v4"));
    /* schema 6: who stopped it is not known for an older session; stored
     * and read back for a new stop */
    CHECK(!got.stopped_by[0]);
    CHECK_EQ(store_session_set_stopped_by(st, ss.id, "SIGTERM"), GC_OK);
    CHECK_EQ(store_session_get(st, ss.id, &got), GC_OK);
    CHECK(!strcmp(got.stopped_by, "SIGTERM"));
    CHECK_EQ(store_session_set_stopped_by(st, 9999, "SIGTERM"), GC_ERR_NOT_FOUND);
    CHECK(!got.feedback_delivery[0]);
    CHECK(!got.simulated);
    CHECK_EQ(store_session_set_simulated(st, ss.id, true), GC_OK);
    CHECK_EQ(store_session_get(st, ss.id, &got), GC_OK);
    CHECK(got.simulated);
    CHECK_EQ(store_session_set_feedback_delivery(st, ss.id, "display: none (headless); sound: x"),
             GC_OK);
    CHECK_EQ(store_session_get(st, ss.id, &got), GC_OK);
    CHECK(!strcmp(got.feedback_delivery, "display: none (headless); sound: x"));
    struct store_marker *mk;
    size_t nm;
    CHECK_EQ(store_load_markers(st, ss.id, &mk, &nm), GC_OK);
    CHECK_EQ(nm, 1);
    CHECK(nm == 1 && !strcmp(mk[0].source, "ctl"));
    free(mk);

    struct gc_diag d;
    struct store_conditions c;
    CHECK_EQ(store_conditions_get(st, ss.id, &c, &d), GC_OK);
    CHECK(!c.shoe[0]);
    CHECK(isnan(c.speed_mps) && isnan(c.incline_pct) && isnan(c.deck_speed_mps));
    CHECK_EQ(c.link_lost, -1);
    CHECK_EQ(c.link_requested, -1);
    CHECK_EQ(c.n_changes, 0); /* the v4 change row is a target change, no condition */
    char shoe[STORE_SHOE_MAX];
    CHECK_EQ(store_patient_last_shoe(st, p.id, shoe, sizeof shoe, &d), GC_OK);
    CHECK(!shoe[0]);
    CHECK_EQ(store_conditions_get(st, 9999, &c, &d), GC_ERR_NOT_FOUND);
    CHECK(strstr(d.msg, "9999") != NULL);

    /* round trip on a new session */
    struct store_session s2 = {.patient_id = p.id, .body_weight_n = NAN, .time_scale = 1};
    CHECK_EQ(store_session_begin(st, &s2, &plan, text), GC_OK);
    struct store_conditions w;
    store_conditions_clear(&w);
    snprintf(w.shoe, sizeof w.shoe, "Pegasus 40");
    w.speed_mps = 3.2;
    w.deck_speed_mps = 3.174;
    w.deck_speed_ci95_mps = 0.012;
    w.deck_speed_steps = 512;
    w.link_requested = 17;
    w.link_recovered = 16;
    w.link_lost = 1;
    CHECK_EQ(store_conditions_set(st, s2.id, &w, &d), GC_OK);
    CHECK_EQ(store_conditions_get(st, s2.id, &c, &d), GC_OK);
    CHECK(!strcmp(c.shoe, "Pegasus 40"));
    CHECK_EQ(c.speed_mps, 3.2);
    CHECK(isnan(c.incline_pct)); /* not entered stays NULL */
    CHECK_EQ(c.deck_speed_mps, 3.174);
    CHECK_EQ(c.deck_speed_ci95_mps, 0.012);
    CHECK_EQ(c.deck_speed_steps, 512);
    CHECK_EQ(c.link_requested, 17);
    CHECK_EQ(c.link_recovered, 16);
    CHECK_EQ(c.link_lost, 1);
    CHECK_EQ(store_patient_last_shoe(st, p.id, shoe, sizeof shoe, &d), GC_OK);
    CHECK(!strcmp(shoe, "Pegasus 40"));
    /* changes during the session: the change rows hold the timeline (old ->
     * new), the periodic save stores only the estimate and the link totals:
     * the start's speed stays */
    struct store_target_change ch1 = {.t_s = 30, .source = STORE_SRC_THERAPIST, .targets = tg};
    store_conditions_note(ch1.note, sizeof ch1.note, false, 3.2, 3.5, "ctl");
    struct store_target_change ch2 = {.t_s = 40, .source = STORE_SRC_THERAPIST, .targets = tg};
    store_conditions_note(ch2.note, sizeof ch2.note, true, NAN, 2.0, "web");
    struct store_target_change ch3 = {.t_s = 35, .source = STORE_SRC_THERAPIST, .targets = tg,
                                      .note = "target-cadence=172 (ctl)"};
    CHECK_EQ(store_begin(st), GC_OK);
    CHECK_EQ(store_add_target_change(st, s2.id, &ch1), GC_OK);
    CHECK_EQ(store_add_target_change(st, s2.id, &ch2), GC_OK);
    CHECK_EQ(store_add_target_change(st, s2.id, &ch3), GC_OK);
    CHECK_EQ(store_commit(st), GC_OK);
    struct store_conditions live;
    store_conditions_clear(&live);
    live.speed_mps = 9.9; /* not stored by the periodic save */
    live.deck_speed_mps = 3.48;
    live.deck_speed_ci95_mps = 0.02;
    live.deck_speed_steps = 77;
    live.link_requested = 20;
    live.link_recovered = 19;
    live.link_lost = 1;
    CHECK_EQ(store_conditions_set_live(st, s2.id, &live, &d), GC_OK);
    CHECK_EQ(store_conditions_set_live(st, 9999, &live, &d), GC_ERR_NOT_FOUND);
    CHECK_EQ(store_conditions_get(st, s2.id, &c, &d), GC_OK);
    CHECK_EQ(c.speed_mps, 3.2);
    CHECK(!strcmp(c.shoe, "Pegasus 40"));
    CHECK_EQ(c.deck_speed_mps, 3.48);
    CHECK_EQ(c.deck_speed_steps, 77);
    CHECK_EQ(c.link_requested, 20);
    CHECK_EQ(c.n_changes, 2);
    CHECK(c.changes[0].t_rel_s == 30 && !c.changes[0].incline && c.changes[0].from == 3.2 &&
          c.changes[0].to == 3.5 && !strcmp(c.changes[0].source, "ctl"));
    CHECK(c.changes[1].t_rel_s == 40 && c.changes[1].incline && isnan(c.changes[1].from) &&
          c.changes[1].to == 2.0 && !strcmp(c.changes[1].source, "web"));
    double since;
    CHECK_EQ(store_conditions_end_speed(&c, &since), 3.5);
    CHECK_EQ(since, 30);
    CHECK_EQ(store_conditions_end_incline(&c), 2.0);
    /* a session without a shoe leaves the remembered one */
    struct store_conditions none;
    store_conditions_clear(&none);
    CHECK_EQ(store_conditions_set(st, ss.id, &none, &d), GC_OK);
    CHECK_EQ(store_patient_last_shoe(st, p.id, shoe, sizeof shoe, &d), GC_OK);
    CHECK(!strcmp(shoe, "Pegasus 40"));
    /* refusals */
    struct store_conditions bad = w;
    snprintf(bad.shoe, sizeof bad.shoe, "two\nlines");
    CHECK_EQ(store_conditions_set(st, s2.id, &bad, &d), GC_ERR_ARG);
    CHECK(d.msg[0] != 0);
    CHECK_EQ(store_conditions_set(st, 9999, &w, &d), GC_ERR_NOT_FOUND);
    CHECK_EQ(store_patient_last_shoe(st, 9999, shoe, sizeof shoe, &d), GC_ERR_NOT_FOUND);
    CHECK_EQ(store_session_finish(st, s2.id, STORE_COMPLETE, 0, NAN), GC_OK);
    store_close(st);

    /* differences: shoe (case and blanks ignored), speed beyond 5 %, incline */
    struct store_conditions a, b;
    store_conditions_clear(&a);
    store_conditions_clear(&b);
    char why[256];
    CHECK(!store_conditions_differ(&a, &b, why, sizeof why));
    CHECK(!why[0]);
    snprintf(a.shoe, sizeof a.shoe, "Pegasus 40");
    snprintf(b.shoe, sizeof b.shoe, "  pegasus 40 ");
    a.speed_mps = 3.0;
    b.speed_mps = 3.149; /* 4.97 % */
    a.incline_pct = b.incline_pct = 1.0;
    CHECK(!store_conditions_differ(&a, &b, why, sizeof why));
    b.speed_mps = 3.151; /* 5.03 % */
    CHECK(store_conditions_differ(&a, &b, why, sizeof why));
    CHECK(strstr(why, "speed 3.00 -> 3.15 m/s") != NULL);
    CHECK(strstr(why, "shoe") == NULL);
    b.speed_mps = 3.0;
    b.incline_pct = 2.0;
    CHECK(store_conditions_differ(&a, &b, why, sizeof why));
    CHECK(strstr(why, "incline 1.0 -> 2.0 %") != NULL);
    b.incline_pct = NAN; /* entered once, not the other time */
    CHECK(store_conditions_differ(&a, &b, why, sizeof why));
    b.incline_pct = 1.0;
    snprintf(b.shoe, sizeof b.shoe, "Clifton 9");
    CHECK(store_conditions_differ(&a, &b, why, sizeof why));
    CHECK(strstr(why, "shoe Pegasus 40 -> Clifton 9") != NULL);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/gc-store-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_create_default_path();
    test_migration();
    test_refusals();
    test_round_trip();
    test_conditions();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "chmod -R u+w '%s' && rm -rf '%s'", dir, dir);
    if (check_failures == 0 && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_exit();
}
