/* cmd_progress.c - `station progress CODE --pdf OUT.pdf`. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "datadir.h"
#include "gc_error.h"
#include "report.h"
#include "session_recorder.h"
#include "store.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: station progress CODE --pdf OUT.pdf [--db PATH]\n\n"
                 "Trend report for one patient: the key figures (cadence and loading rate in\n"
                 "baseline, training and retention, share of steps in band, highest pain)\n"
                 "session by session, as a table and plots.  The PDF is written whole or not\n"
                 "at all (owner-only); a path naming the store, a database or a recording is\n"
                 "refused.\n");
}

int cmd_progress(int argc, char **argv)
{
    const char *db = NULL, *pdf = NULL, *code = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if ((!strcmp(a, "--db") || !strcmp(a, "--pdf")) && i + 1 < argc) {
            if (!strcmp(a, "--db"))
                db = argv[++i];
            else
                pdf = argv[++i];
        } else if (!strncmp(a, "--db=", 5))
            db = a + 5;
        else if (!strncmp(a, "--pdf=", 6))
            pdf = a + 6;
        else if (a[0] == '-') {
            fprintf(stderr,
                    "station progress: unknown option or missing value '%s'; see 'station "
                    "progress --help'.\n",
                    a);
            return 2;
        } else if (!code)
            code = a;
        else {
            fprintf(stderr, "station progress: one patient code only.\n");
            return 2;
        }
    }
    if (!code || !pdf) {
        fprintf(stderr, "station progress: give the patient code and --pdf OUT.pdf.\n");
        return 2;
    }
    /* never over the store, a database or a recording: refuse before the
     * store is even opened */
    struct datadir_guard g = {.store = db};
    char msg[1024];
    if (datadir_check_output(pdf, &g, msg, sizeof msg) != GC_OK) {
        fprintf(stderr, "station progress: %s\n", msg);
        return 1;
    }
    struct store *st;
    if (session_recorder_open_store(db, &st, true) != GC_OK)
        return 1;
    struct store_patient p;
    int rc = store_patient_find(st, code, &p);
    if (rc == GC_ERR_NOT_FOUND) {
        fprintf(stderr, "station: no patient %s; 'station patient list' shows them.\n", code);
        store_close(st);
        return 1;
    }
    struct gc_diag diag;
    gc_diag_clear(&diag);
    struct report_progress prog;
    if (rc == GC_OK && (rc = report_progress_load(st, p.id, &prog, &diag)) == GC_OK) {
        rc = report_progress_pdf(&prog, pdf, store_path(st), &diag);
        report_progress_free(&prog);
    }
    store_close(st);
    if (rc) {
        if (diag.code != GC_OK)
            fprintf(stderr, "station progress: %s.\n", diag.msg);
        return 1;
    }
    printf("progress report for %s (%d sessions): %s\n", code, p.n_sessions, pdf);
    return 0;
}
