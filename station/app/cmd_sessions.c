/* cmd_sessions.c - `station sessions [--patient CODE]` and
 * `station sessions import`: file a steps CSV (e.g. from station analyze)
 * as a session, through the same session model as a live run. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "gc_error.h"
#include "plan.h"
#include "report.h"
#include "session.h"
#include "session_recorder.h"
#include "steps_csv.h"
#include "steps_csv_file.h"
#include "store.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: station sessions [--patient CODE] [--db PATH]\n"
                 "       station sessions import --patient CODE --steps FILE.csv\n"
                 "                       [--protocol NAME|FILE] [--time-scale X]\n"
                 "                       [--therapist NAME] [--body-weight N] [--db PATH]\n"
                 "       station sessions exclude ID --reason TEXT [--db PATH]\n"
                 "       station sessions include ID [--db PATH]\n\n"
                 "Lists stored sessions, oldest first (all patients unless --patient).\n"
                 "Sessions cut short by a crash are marked interrupted here and kept.\n\n"
                 "import files a steps CSV (station analyze --steps, or an exported\n"
                 "report CSV) as a complete session: phases follow the protocol on the\n"
                 "steps' clock from t = 0 (divided by --time-scale), targets and the\n"
                 "share of steps in band are computed as in a live run.\n\n"
                 "exclude keeps a session (and its report) but leaves it out of the\n"
                 "progress report and of comparisons, e.g. a 5-second test run; the\n"
                 "reason and the time are stored and printed.  include undoes it.\n");
}

static void print_session(const struct store_session *s, void *user)
{
    (void)user;
    char date[32] = "-";
    time_t t = (time_t)s->start_utc;
    struct tm tm;
    if (localtime_r(&t, &tm))
        strftime(date, sizeof date, "%Y-%m-%d %H:%M", &tm);
    printf("%-6lld %-12s %-16s %-22s %-11s %7lld%s%s\n", (long long)s->id, s->patient_code, date,
           s->protocol_name[0] ? s->protocol_name : "-", store_status_name(s->status),
           (long long)s->n_steps, s->excluded_utc ? "  excluded: " : "",
           s->excluded_utc ? s->exclude_reason : "");
}

struct args {
    const char *db, *patient, *steps, *protocol, *therapist, *scale, *weight;
};

static int import(struct store *st, const struct args *a)
{
    struct store_patient p;
    int rc = store_patient_find(st, a->patient, &p);
    if (rc == GC_ERR_NOT_FOUND) {
        struct gc_diag d;
        (void)store_patient_missing(st, a->patient, a->db, &d);
        fprintf(stderr, "station: %s\n", d.msg);
        return 1;
    }
    if (rc)
        return 1;
    double scale = 1.0, weight = NAN;
    if (a->scale) {
        char *end;
        scale = strtod(a->scale, &end);
        if (*end || !(scale >= 1.0 && scale <= 1000.0)) {
            fprintf(stderr, "station sessions import: --time-scale must be 1 to 1000.\n");
            return 2;
        }
    }
    if (a->weight) {
        char *end;
        weight = strtod(a->weight, &end);
        if (*end || !(weight > 100 && weight < 3000)) {
            fprintf(stderr, "station sessions import: --body-weight is in newtons (100..3000).\n");
            return 2;
        }
    }
    struct plan plan;
    char *text = NULL;
    if (a->protocol) {
        struct gc_diag pd;
        rc = session_recorder_load_protocol(a->protocol, &plan, &text, &pd);
        if (rc) {
            fprintf(stderr, "station: %s\n", pd.msg);
            return 1;
        }
    } else {
        /* no protocol: one training phase long enough for any file */
        static const char one[] = "[protocol]\nname = imported\n[phase]\nname = session\n"
                                  "kind = run\nduration = 4 hours\n";
        struct gc_diag pd;
        if (plan_parse(one, sizeof one - 1, &plan, &pd) != GC_OK) {
            fprintf(stderr, "station: internal error in the import protocol (%s)\n", pd.msg);
            return 1;
        }
        text = strdup(one);
    }
    plan_scale_time(&plan, scale);
    /* The rules station analyze applies to its input, line by line, with
     * the line named: reversed, negative or absurd times, overlong lines. */
    struct session_step *steps;
    size_t n;
    struct gc_diag sd;
    rc = steps_csv_import(a->steps, &steps, &n, &sd);
    if (rc) {
        free(text);
        if (rc == GC_ERR_NOT_FOUND)
            fprintf(stderr, "station: cannot read %s: no such file.\n", a->steps);
        else
            fprintf(stderr, "station: %s; nothing was stored.\n", sd.msg);
        return 1;
    }
    struct store_session ss;
    memset(&ss, 0, sizeof ss);
    ss.patient_id = p.id;
    ss.body_weight_n = weight;
    ss.time_scale = scale;
    snprintf(ss.therapist, sizeof ss.therapist, "%s", a->therapist ? a->therapist : "");
    snprintf(ss.sensor_identity, sizeof ss.sensor_identity, "imported from %s", a->steps);
    /* everything lands in one transaction: a failed import stores nothing */
    rc = store_begin(st);
    if (rc == GC_OK)
        rc = store_session_begin(st, &ss, &plan, text);
    struct session s;
    session_init(&s, &plan, 0.0);
    struct session_event ev[8];
    for (size_t i = 0; rc == GC_OK && i <= n; i++) {
        /* past the last step: close the phases it reached */
        double t = i < n ? steps[i].step.t_ic_s : (n ? steps[n - 1].step.t_ic_s : 0);
        int k;
        while (rc == GC_OK && (k = session_update(&s, t, ev, 8)) > 0) {
            for (int e = 0; e < k && rc == GC_OK; e++) {
                if (ev[e].kind != SESSION_EV_PHASE)
                    continue;
                struct store_target_change c;
                memset(&c, 0, sizeof c);
                session_get_targets(&s, &c.targets);
                rc = store_phase_begin(st, ss.id, ev[e].phase, ev[e].t_s, &c.targets);
                c.t_s = ev[e].t_s;
                c.source = STORE_SRC_PROTOCOL;
                snprintf(c.note, sizeof c.note, "%s begins", plan.phases[ev[e].phase].name);
                if (rc == GC_OK)
                    rc = store_add_target_change(st, ss.id, &c);
            }
        }
        if (i == n || rc)
            break;
        struct session_step x = steps[i];
        session_add_step(&s, &x);
        rc = store_add_step(st, ss.id, &x);
    }
    if (rc == GC_OK)
        rc = store_session_finish(st, ss.id, STORE_COMPLETE, 0, NAN);
    if (rc == GC_OK)
        rc = store_commit(st);
    else
        store_rollback(st);
    free(steps);
    free(text);
    if (rc) {
        fprintf(stderr, "station: importing %s failed: %s; nothing was stored.\n", a->steps,
                gc_strerror(rc));
        return 1;
    }
    printf("session %lld: %zu steps of %s filed for patient %s\n", (long long)ss.id, n, a->steps,
           a->patient);
    return 0;
}

/* `station sessions exclude ID --reason TEXT` / `include ID`. */
static int exclude(int argc, char **argv, bool include)
{
    const char *db = NULL, *reason = NULL, *id_s = NULL;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--db") && i + 1 < argc)
            db = argv[++i];
        else if (!strcmp(argv[i], "--reason") && i + 1 < argc && !include)
            reason = argv[++i];
        else if (!id_s && argv[i][0] != '-')
            id_s = argv[i];
        else {
            fprintf(stderr, "station sessions: unexpected '%s'; see 'station sessions --help'.\n",
                    argv[i]);
            return 2;
        }
    }
    char *end = NULL;
    long long id = id_s ? strtoll(id_s, &end, 10) : 0;
    if (!id_s || *end || id <= 0) {
        fprintf(stderr, "station sessions %s: give the session ID ('station sessions' lists "
                        "them).\n",
                include ? "include" : "exclude");
        return 2;
    }
    if (!include && (!reason || !reason[0] || strlen(reason) > 150)) {
        fprintf(stderr, "station sessions exclude: give --reason TEXT (1 to 150 characters), e.g. "
                        "--reason \"equipment test\".\n");
        return 2;
    }
    struct store *st;
    if (session_recorder_open_store(db, &st, true) != GC_OK)
        return 1;
    struct store_session ss;
    if (!include && store_session_get(st, id, &ss) == GC_OK && ss.excluded_utc) {
        fprintf(stderr,
                "station: session %lld is already excluded (%s); 'station sessions include %lld' "
                "first to give another reason.\n",
                id, ss.exclude_reason, id);
        store_close(st);
        return 1;
    }
    int rc = store_session_exclude(st, id, include ? NULL : reason, (int64_t)time(NULL));
    store_close(st);
    if (rc == GC_ERR_NOT_FOUND) {
        fprintf(stderr, "station: no ended session %lld ('station sessions' lists them; a running "
                        "session cannot be excluded).\n",
                id);
        return 1;
    }
    if (rc) {
        fprintf(stderr, "station: could not change session %lld: %s.\n", id, gc_strerror(rc));
        return 1;
    }
    if (include)
        printf("session %lld is included in progress again\n", id);
    else
        printf("session %lld is excluded from progress (kept): %s\n", id, reason);
    return 0;
}

int cmd_sessions(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "exclude") || !strcmp(argv[1], "include")))
        return exclude(argc, argv, !strcmp(argv[1], "include"));
    struct args a;
    memset(&a, 0, sizeof a);
    bool do_import = false;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
            usage(stdout);
            return 0;
        }
        const char *names[] = {"--db",        "--patient",    "--steps",      "--protocol",
                               "--therapist", "--time-scale", "--body-weight"};
        const char **dsts[] = {&a.db,        &a.patient, &a.steps, &a.protocol,
                               &a.therapist, &a.scale,   &a.weight};
        bool done = false;
        for (int k = 0; k < 7 && !done; k++) {
            size_t n = strlen(names[k]);
            if (!strcmp(s, names[k])) {
                if (i + 1 >= argc) {
                    fprintf(stderr, "station sessions: %s needs a value.\n", s);
                    return 2;
                }
                *dsts[k] = argv[++i];
                done = true;
            } else if (!strncmp(s, names[k], n) && s[n] == '=') {
                *dsts[k] = s + n + 1;
                done = true;
            }
        }
        if (done)
            continue;
        if (!strcmp(s, "import") && !do_import) {
            do_import = true;
            continue;
        }
        fprintf(stderr, "station sessions: unexpected '%s'; see 'station sessions --help'.\n", s);
        return 2;
    }
    if (do_import && (!a.patient || !a.steps)) {
        fprintf(stderr, "station sessions import: give --patient CODE and --steps FILE.csv.\n");
        return 2;
    }
    if (!do_import && (a.steps || a.protocol || a.therapist || a.scale || a.weight)) {
        fprintf(stderr, "station sessions: --steps, --protocol, ... belong to 'station sessions "
                        "import'.\n");
        return 2;
    }
    struct store *st;
    if (session_recorder_open_store(a.db, &st, true) != GC_OK)
        return 1;
    int ret = 0;
    if (do_import) {
        ret = import(st, &a);
    } else {
        int64_t pid = 0;
        if (a.patient) {
            struct store_patient p;
            int rc = store_patient_find(st, a.patient, &p);
            if (rc) {
                if (rc == GC_ERR_NOT_FOUND) {
                    struct gc_diag d;
                    (void)store_patient_missing(st, a.patient, a.db, &d);
                    fprintf(stderr, "station: %s\n", d.msg);
                }
                store_close(st);
                return 1;
            }
            pid = p.id;
        }
        printf("%-6s %-12s %-16s %-22s %-11s %7s\n", "ID", "PATIENT", "START", "PROTOCOL", "STATUS",
               "STEPS");
        int n = store_session_list(st, pid, print_session, NULL);
        if (n < 0)
            ret = 1;
        else if (n == 0)
            printf("(no sessions stored yet)\n");
    }
    store_close(st);
    return ret;
}
