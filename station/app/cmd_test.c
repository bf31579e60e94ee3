/* cmd_test.c - `station test NAME`: a readiness test measured on the deck
 * (core/readiness.h), stored with the patient's course. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "course_cli.h"
#include "datadir.h"
#include "force_csv_file.h"
#include "gc_error.h"
#include "readiness.h"
#include "sim_spawn.h"
#include "store_course.h"
#include "test_port.h"

#define PROG    "station test"
#define MAX_SIM 32

static void usage(FILE *out)
{
    fprintf(out,
            "usage: station test NAME --patient CODE [--side L|R] [--sim | --port P | --csv FILE]\n"
            "                    [--seconds S] [--json FILE|-] [--form good|poor] [--db PATH]\n"
            "                    [--sim-X V ...]\n\n"
            "A readiness test before running (Goom, Donnelly & Brockwell 2019), measured on\n"
            "the stopped deck.  NAME: balance (single-leg stance: hold time, COP sway; pass\n"
            ">= 10 s), hop (hops in place on one leg: count, contact and flight times, peak\n"
            "force; pass >= 10), jog-on-spot (1 min: cadence, loading, L/R symmetry; pass\n"
            ">= 59 s), calf-raise (single-leg rises counted from the COP; pass >= 20), squat\n"
            "(single-leg squats counted from the force; pass >= 10).  The runner stands\n"
            "still on both feet for the first 2 s (body weight), then does the test.\n\n"
            "  --side L|R   the standing or hopping leg                        [L]\n"
            "  --sim        the simulated runner does the test (gaitcue-sim --profile NAME);\n"
            "               --sim-X V passes --X V to it, e.g. --sim-fail-at 6 (the other\n"
            "               foot down after 6 s), --sim-reps 8, --sim-seed 2\n"
            "  --port P     the deck's sensor (as 'station run --port'): the deck is\n"
            "               recorded for --seconds S (default: balance 32, hop 20,\n"
            "               jog-on-spot 70, calf-raise and squat 45) with the sensor's\n"
            "               calibration, then measured\n"
            "  --csv FILE   the test as a canonical force CSV (t_s, fz or fz1..fz4, copx_m,\n"
            "               copy_m) recorded on the deck\n"
            "  --form F     the PT's judgement of the movement's form (good or poor),\n"
            "               stored with the figures (calf-raise, squat)\n"
            "  --json FILE  also write the result as JSON ('-' = standard output only)\n"
            "  --criteria FILE  the pass criteria from FILE's [readiness] section\n"
            "               (balance_hold_s, hop_count, jog_s, calf_raise_count,\n"
            "               squat_count; a program file serves); default: the patient's\n"
            "               program's [readiness], else the guideline's figures above\n"
            "  --patient    the result is stored with the patient's course ('station\n"
            "               program status' shows the latest per test and side;\n"
            "               the readiness report the history)\n"
            "Exit status: 0 measured (pass or not yet), 1 failure, 2 usage error.\n\n"
            "       station test report CODE --pdf FILE [--db PATH]\n"
            "the readiness report: each test, L/R, criterion, pass, history (PDF).\n");
}

/* Run gaitcue-sim --csv path --profile P --side S ARGS and wait. */
static int run_sim(const char *csv, const char *profile, char side, const char **args, int n,
                   char *msg, size_t cap)
{
    char exe[1024];
    if (!sim_find_executable(exe, sizeof exe)) {
        snprintf(msg, cap, "gaitcue-sim was not found (build it, or set GC_SIM_BIN)");
        return GC_ERR_NOT_FOUND;
    }
    char side_s[2] = {side, 0};
    const char *argv[8 + 2 * MAX_SIM];
    int k = 0;
    argv[k++] = exe;
    argv[k++] = "--csv";
    argv[k++] = csv;
    argv[k++] = "--profile";
    argv[k++] = profile;
    argv[k++] = "--side";
    argv[k++] = side_s;
    for (int i = 0; i < n; i++)
        argv[k++] = args[i];
    argv[k] = NULL;
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(msg, cap, "cannot start gaitcue-sim: %s", strerror(errno));
        return GC_ERR_IO;
    }
    if (pid == 0) {
        execv(exe, (char *const *)argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        snprintf(msg, cap,
                 "the simulator refused the test (its message is above); check the --sim-X "
                 "options");
        return WIFEXITED(st) && WEXITSTATUS(st) == 2 ? GC_ERR_ARG : GC_ERR_IO;
    }
    return GC_OK;
}

static int read_csv(const char *path, struct gait_sample **out, size_t *n, char *msg, size_t cap)
{
    struct gc_diag diag;
    struct force_csv *r;
    int rc = force_csv_open(path, &r, &diag);
    if (rc) {
        snprintf(msg, cap, "%s", diag.msg);
        return rc;
    }
    size_t have = 0, room = 1 << 16;
    struct gait_sample *s = malloc(room * sizeof *s);
    for (;;) {
        if (!s) {
            force_csv_close(r);
            snprintf(msg, cap, "out of memory reading %s", path);
            return GC_ERR_NOMEM;
        }
        if (have == room) {
            room *= 2;
            struct gait_sample *ns = realloc(s, room * sizeof *s);
            if (!ns)
                free(s);
            s = ns;
            continue;
        }
        int got = force_csv_read(r, s + have, room - have, &diag);
        if (got < 0) {
            snprintf(msg, cap, "%s", diag.msg);
            free(s);
            force_csv_close(r);
            return got;
        }
        if (got == 0)
            break;
        have += (size_t)got;
    }
    force_csv_close(r);
    *out = s;
    *n = have;
    return GC_OK;
}

static void fmt(char *buf, size_t cap, const struct readiness_result *r, const char *form)
{
    switch (r->test) {
    case READINESS_BALANCE:
        snprintf(buf, cap, "hold %.1f s, COP path %.0f mm, 95 %% ellipse %.0f mm2", r->hold_s,
                 r->cop_path_mm, r->cop_area_mm2);
        break;
    case READINESS_HOP:
        snprintf(buf, cap, "%d hops, contact %.0f ms, flight %.0f ms, peak %.2f BW", r->count,
                 r->contact_ms, r->flight_ms, r->peak_bw);
        break;
    case READINESS_JOG_SPOT:
        snprintf(buf, cap,
                 "%.0f s, %d steps (L %d / R %d), %.1f steps/min, peak %.2f BW, SI peak %+.1f %%, "
                 "SI contact %+.1f %%",
                 r->jog_s, r->count, r->steps_l, r->steps_r, r->cadence_spm, r->peak_bw,
                 r->si_peak_pct, r->si_contact_pct);
        break;
    case READINESS_CALF_RAISE:
    case READINESS_SQUAT:
        snprintf(buf, cap, "%d %s, COP path %.0f mm, 95 %% ellipse %.0f mm2%s%s", r->count,
                 r->test == READINESS_SQUAT ? "squats" : "raises", r->cop_path_mm, r->cop_area_mm2,
                 form ? ", form " : "", form ? form : "");
        break;
    }
}

static void num(cJSON *o, const char *k, double v)
{
    if (isfinite(v))
        cJSON_AddNumberToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

static char *result_json(const char *patient, const struct readiness_result *r, const char *crit,
                         const char *crit_from, const char *form, const char *summary)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "test", readiness_test_name(r->test));
    char side[2] = {r->side, 0};
    cJSON_AddStringToObject(o, "side", side);
    cJSON_AddBoolToObject(o, "pass", r->pass);
    cJSON_AddStringToObject(o, "criterion", crit);
    cJSON_AddStringToObject(o, "criteria_from", crit_from);
    if (patient)
        cJSON_AddStringToObject(o, "patient", patient);
    num(o, "body_weight_n", r->body_weight_n);
    switch (r->test) {
    case READINESS_BALANCE:
        num(o, "hold_s", r->hold_s);
        break;
    case READINESS_HOP:
        cJSON_AddNumberToObject(o, "count", r->count);
        num(o, "contact_ms", r->contact_ms);
        num(o, "flight_ms", r->flight_ms);
        num(o, "peak_bw", r->peak_bw);
        break;
    case READINESS_JOG_SPOT:
        num(o, "jog_s", r->jog_s);
        cJSON_AddNumberToObject(o, "count", r->count);
        cJSON_AddNumberToObject(o, "steps_l", r->steps_l);
        cJSON_AddNumberToObject(o, "steps_r", r->steps_r);
        num(o, "cadence_spm", r->cadence_spm);
        num(o, "contact_ms", r->contact_ms);
        num(o, "peak_bw", r->peak_bw);
        num(o, "si_peak_pct", r->si_peak_pct);
        num(o, "si_contact_pct", r->si_contact_pct);
        break;
    case READINESS_CALF_RAISE:
    case READINESS_SQUAT:
        cJSON_AddNumberToObject(o, "count", r->count);
        break;
    }
    if (r->test == READINESS_BALANCE || r->test == READINESS_CALF_RAISE ||
        r->test == READINESS_SQUAT) {
        num(o, "cop_path_mm", r->cop_path_mm);
        num(o, "cop_area_mm2", r->cop_area_mm2);
    }
    if (form)
        cJSON_AddStringToObject(o, "form", form);
    num(o, "t_from_s", r->t_from_s);
    num(o, "t_to_s", r->t_to_s);
    cJSON_AddStringToObject(o, "summary", summary);
    char *s = cJSON_Print(o);
    cJSON_Delete(o);
    return s;
}

/* How long --port records by default: 2 s standing, then the test with
 * room to spare (balance 30 s, hops 15 s, jog 65 s, 20 raises or 10
 * squats at a slow pace). */
static double test_seconds(enum readiness_test t)
{
    switch (t) {
    case READINESS_BALANCE:
        return 32;
    case READINESS_HOP:
        return 20;
    case READINESS_JOG_SPOT:
        return 70;
    case READINESS_CALF_RAISE:
    case READINESS_SQUAT:
        return 45;
    }
    return 45;
}

/* --criteria FILE: its [readiness] section.  0, or 1 with the message
 * printed. */
static int load_criteria(const char *path, struct readiness_criteria *c, char *from, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, PROG ": cannot read --criteria %s: %s.\n", path, strerror(errno));
        return 1;
    }
    char text[16384];
    size_t n = fread(text, 1, sizeof text - 1, f);
    bool big = n == sizeof text - 1 && fgetc(f) != EOF;
    fclose(f);
    text[n] = '\0';
    if (big || memchr(text, '\0', n)) {
        fprintf(stderr, PROG ": --criteria %s is not a criteria file (binary or over 16 kB).\n",
                path);
        return 1;
    }
    bool found = false;
    int line = 0;
    struct gc_diag cd;
    if (readiness_criteria_parse(text, c, &found, &line, &cd) != GC_OK) {
        fprintf(stderr, PROG ": --criteria %s, line %d: %s; fix the file and try again.\n", path,
                line, cd.msg);
        return 1;
    }
    if (!found) {
        fprintf(stderr,
                PROG ": --criteria %s has no [readiness] section (keys balance_hold_s, "
                     "hop_count, jog_s, calf_raise_count, squat_count).\n",
                path);
        return 1;
    }
    snprintf(from, cap, "file %.140s", path);
    return 0;
}

/* The patient's active program's [readiness] criteria (its defaults are
 * the guideline's); the guideline's when there is no program. */
static void program_criteria(struct store *st, int64_t patient_id, struct readiness_criteria *c,
                             char *from, size_t cap)
{
    readiness_criteria_default(c);
    struct course_store *cs;
    struct gc_diag d;
    gc_diag_clear(&d);
    if (course_store_open(st, &cs, &d) != GC_OK)
        return;
    struct course_program_row row;
    if (course_store_program_active(cs, patient_id, &row, &d) == GC_OK) {
        struct program p;
        /* a stored program that no longer reads: the guideline's criteria */
        if (row.text && program_parse(row.text, strlen(row.text), &p, NULL) == GC_OK) {
            *c = p.readiness;
            snprintf(from, cap, "program %s", p.name);
        }
        course_program_row_free(&row);
    }
    course_store_close(cs);
}

int cmd_test(int argc, char **argv)
{
    const char *name = NULL, *patient = NULL, *side_s = NULL, *csv = NULL, *json = NULL,
               *form = NULL, *db = NULL, *port = NULL, *criteria = NULL, *seconds_s = NULL;
    bool sim = false;
    if (argc >= 2 && !strcmp(argv[1], "report"))
        return cmd_test_report(argc - 1, argv + 1);
    const char *sim_args[2 * MAX_SIM];
    char sim_flags[MAX_SIM][64];
    int n_sim = 0;
    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--sim")) {
            sim = true;
        } else if (!strncmp(argv[i], "--sim-", 6)) {
            const char *eq = strchr(argv[i], '=');
            size_t len = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
            if (n_sim == MAX_SIM || len - 4 >= sizeof sim_flags[0] || len <= 6) {
                fprintf(stderr, PROG ": too many or too long --sim-X options.\n");
                return 2;
            }
            if (!eq && i + 1 >= argc) {
                fprintf(stderr, PROG ": %s needs a value.\n", argv[i]);
                return 2;
            }
            snprintf(sim_flags[n_sim], sizeof sim_flags[0], "--%.*s", (int)(len - 6), argv[i] + 6);
            if (!strcmp(sim_flags[n_sim], "--profile") || !strcmp(sim_flags[n_sim], "--side") ||
                !strcmp(sim_flags[n_sim], "--csv")) {
                fprintf(stderr,
                        PROG ": %s is set by the test itself (NAME, --side); drop --sim-%s.\n",
                        sim_flags[n_sim], sim_flags[n_sim] + 2);
                return 2;
            }
            sim_args[2 * n_sim] = sim_flags[n_sim];
            sim_args[2 * n_sim + 1] = eq ? eq + 1 : argv[++i];
            n_sim++;
        } else if ((v = course_cli_opt(&i, argc, argv, "--patient", &missing)))
            patient = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--side", &missing)))
            side_s = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--csv", &missing)))
            csv = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--json", &missing)))
            json = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--form", &missing)))
            form = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--db", &missing)))
            db = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--port", &missing)))
            port = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--criteria", &missing)))
            criteria = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--seconds", &missing)))
            seconds_s = v;
        else if (missing) {
            fprintf(stderr, PROG ": %s needs a value.\n", argv[i]);
            return 2;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, PROG ": unknown option '%s'; see 'station test --help'.\n", argv[i]);
            return 2;
        } else if (!name)
            name = argv[i];
        else {
            fprintf(stderr, PROG ": unexpected '%s'; give one test name.\n", argv[i]);
            return 2;
        }
    }
    if (!name) {
        usage(stderr);
        return 2;
    }
    enum readiness_test test;
    if (!readiness_test_parse(name, &test)) {
        fprintf(stderr,
                PROG ": unknown test '%.40s'; use balance, hop, jog-on-spot, calf-raise or "
                     "squat.\n",
                name);
        return 2;
    }
    char side = 'L';
    if (side_s && (strcmp(side_s, "L") && strcmp(side_s, "R"))) {
        fprintf(stderr, PROG ": --side must be L or R, not '%.10s'.\n", side_s);
        return 2;
    }
    if (side_s)
        side = side_s[0];
    if (form && strcmp(form, "good") && strcmp(form, "poor")) {
        fprintf(stderr, PROG ": --form is the PT's judgement: good or poor, not '%.20s'.\n", form);
        return 2;
    }
    if (form && test != READINESS_CALF_RAISE && test != READINESS_SQUAT) {
        fprintf(stderr, PROG ": --form is judged for calf-raise and squat.\n");
        return 2;
    }
    if ((int)sim + (csv != NULL) + (port != NULL) != 1) {
        fprintf(stderr, PROG ": give one of --sim (the simulated runner), --port P (the deck's "
                             "sensor) or --csv FILE (the test recorded on the deck).\n");
        return 2;
    }
    double seconds = test_seconds(test);
    if (seconds_s) {
        char *end;
        seconds = strtod(seconds_s, &end);
        if (*end || !(seconds >= 5 && seconds <= 600)) {
            fprintf(stderr,
                    PROG ": --seconds must be the test's length from 5 to 600 s, not "
                         "'%.20s'.\n",
                    seconds_s);
            return 2;
        }
        if (!port) {
            fprintf(stderr, PROG ": --seconds is for --port (how long the deck is recorded).\n");
            return 2;
        }
    }
    if (n_sim && !sim) {
        fprintf(stderr, PROG ": --sim-X options need --sim.\n");
        return 2;
    }
    struct readiness_criteria crit;
    char crit_from[160] = "the guideline (Goom et al. 2019)";
    if (criteria && load_criteria(criteria, &crit, crit_from, sizeof crit_from))
        return 1;
    if (!patient)
        fprintf(stderr, PROG ": warning: no --patient, so the result is not stored.\n");

    struct store *st = NULL;
    struct store_patient pt;
    if (patient) { /* a wrong patient is said before the test is done */
        int ec = course_cli_patient(PROG, db, patient, &st, &pt);
        if (ec)
            return ec;
        if (!criteria)
            program_criteria(st, pt.id, &crit, crit_from, sizeof crit_from);
    } else if (!criteria) {
        readiness_criteria_default(&crit);
    }
    char msg[600];
    int code = 0;
    struct gait_sample *samples = NULL;
    size_t n = 0;
    char tmpdir[] = "/tmp/gaitcue-test-XXXXXX";
    char tmpcsv[sizeof tmpdir + 16] = "", tmprec[sizeof tmpdir + 16] = "";
    if (sim) {
        if (!mkdtemp(tmpdir)) {
            fprintf(stderr, PROG ": cannot make a temporary folder: %s.\n", strerror(errno));
            code = 1;
            goto out;
        }
        snprintf(tmpcsv, sizeof tmpcsv, "%s/test.csv", tmpdir);
        const char *profile = test == READINESS_JOG_SPOT ? "jog-spot" : readiness_test_name(test);
        int rc = run_sim(tmpcsv, profile, side, sim_args, 2 * n_sim, msg, sizeof msg);
        if (rc) {
            fprintf(stderr, PROG ": %s.\n", msg);
            code = rc == GC_ERR_ARG ? 2 : 1;
            goto out;
        }
        csv = tmpcsv;
    }
    if (port) {
        if (!mkdtemp(tmpdir)) {
            fprintf(stderr, PROG ": cannot make a temporary folder: %s.\n", strerror(errno));
            code = 1;
            goto out;
        }
        snprintf(tmprec, sizeof tmprec, "%s/test.gcrec", tmpdir);
        if (!(json && !strcmp(json, "-")))
            printf("recording the deck on %s for %g s: the runner stands still on both feet "
                   "for 2 s, then does the test\n",
                   port, seconds);
        fflush(stdout);
        struct gc_diag pd;
        int rc = test_port_record(port, seconds, tmprec, &pd);
        if (rc == GC_OK)
            rc = test_port_samples(tmprec, &samples, &n, &pd);
        if (rc != GC_OK) {
            fprintf(stderr, PROG ": %s%s\n", pd.msg, gc_sentence_end(pd.msg));
            code = rc == GC_ERR_ARG ? 2 : 1;
            goto out;
        }
    } else if (read_csv(csv, &samples, &n, msg, sizeof msg) != GC_OK) {
        fprintf(stderr, PROG ": %s\n", msg);
        code = 1;
        goto out;
    }
    struct readiness_result r;
    struct gc_diag diag;
    gc_diag_clear(&diag);
    if (readiness_measure(test, side, samples, n, &crit, &r, &diag) != GC_OK) {
        fprintf(stderr, PROG ": %s%s\n", diag.msg, gc_sentence_end(diag.msg));
        code = 1;
        goto out;
    }
    if (test != READINESS_JOG_SPOT && test != READINESS_BALANCE)
        r.side = side; /* balance measures the side; the others are on the leg asked for */
    if (test == READINESS_BALANCE && r.hold_s > 0 && r.side != side)
        fprintf(stderr, PROG ": note: the runner stood on %c, not on --side %c.\n", r.side, side);
    char summary[200], crit_s[64];
    fmt(summary, sizeof summary, &r, form);
    readiness_criterion_describe(test, &crit, crit_s, sizeof crit_s);
    char *js = result_json(patient, &r, crit_s, crit_from, form, summary);
    if (!js) {
        code = 1;
        goto out;
    }
    if (!json || strcmp(json, "-") != 0)
        printf("%s %c: %s (%s%s%s): %s\n", readiness_test_name(test), r.side,
               r.pass ? "pass" : "not yet", crit_s,
               strncmp(crit_from, "the guideline", 13) ? ", from " : "",
               strncmp(crit_from, "the guideline", 13) ? crit_from : "", summary);
    if (json && !strcmp(json, "-")) {
        printf("%s\n", js);
    } else if (json) {
        struct datadir_guard g = {.store = db, .inputs = {csv}};
        struct gc_diag wd;
        if (datadir_write_file(json, js, strlen(js), &g, &wd) != GC_OK) {
            fprintf(stderr, PROG ": %s\n", wd.msg);
            code = 1;
        }
    }
    if (st) {
        struct course_store *cs;
        struct course_test_row row;
        memset(&row, 0, sizeof row);
        row.utc = (int64_t)time(NULL);
        snprintf(row.test, sizeof row.test, "%s", readiness_test_name(test));
        row.side = r.side;
        row.pass = r.pass;
        snprintf(row.summary, sizeof row.summary, "%s", summary);
        row.json = js;
        if (course_store_open(st, &cs, &diag) != GC_OK ||
            course_store_add_test(cs, pt.id, &row, &diag) != GC_OK) {
            fprintf(stderr, PROG ": the result was not stored: %s%s\n", diag.msg,
                    gc_sentence_end(diag.msg));
            code = 1;
        }
        course_store_close(cs);
    }
    cJSON_free(js);
out:
    free(samples);
    if (tmpcsv[0])
        unlink(tmpcsv);
    if (tmprec[0])
        unlink(tmprec);
    if (tmpcsv[0] || tmprec[0])
        rmdir(tmpdir);
    if (st)
        store_close(st);
    return code;
}
