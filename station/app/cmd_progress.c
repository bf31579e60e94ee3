/* cmd_progress.c - `station progress CODE --pdf OUT.pdf [--fhir OUT.json]`. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "datadir.h"
#include "fhir_codes.h"
#include "fhir_export.h"
#include "gc_error.h"
#include "report.h"
#include "session_recorder.h"
#include "store.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: station progress CODE [--pdf OUT.pdf] [--fhir OUT.json\n"
                 "                        [--fhir-transaction] [--fhir-system URI]] [--db PATH]\n\n"
                 "Trend report for one patient: the key figures (cadence and loading rate in\n"
                 "baseline, training and retention, share of steps in band, highest pain\n"
                 "reported: live marks, 'station symptoms' and 'station prom' records)\n"
                 "session by session, as a table and plots.  The PDF is written whole or not\n"
                 "at all (owner-only); a path naming the store, a database or a recording is\n"
                 "refused.  At least one output:\n"
                 "  --pdf OUT.pdf    the trend report\n"
                 "  --fhir OUT.json  for the clinic's electronic record: a FHIR R4 Bundle\n"
                 "                   (collection) with the patient's code and, for every ended\n"
                 "                   session not excluded, a DiagnosticReport and one\n"
                 "                   Observation per figure, phase and pain marker\n"
                 "                   (docs/interop.md; each session's PDF comes with\n"
                 "                   'station report N --fhir')\n"
                 "  --fhir-transaction  a transaction Bundle instead, to post to a FHIR server\n"
                 "  --fhir-system URI  the system of the patient's code in the clinic's record\n"
                 "                   (default " FHIR_DEFAULT_PATIENT_SYSTEM ")\n");
}

int cmd_progress(int argc, char **argv)
{
    const char *db = NULL, *pdf = NULL, *code = NULL, *fhir = NULL, *fhir_system = NULL;
    bool fhir_tx = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if ((!strcmp(a, "--db") || !strcmp(a, "--pdf") || !strcmp(a, "--fhir") ||
                    !strcmp(a, "--fhir-system")) &&
                   i + 1 < argc) {
            if (!strcmp(a, "--db"))
                db = argv[++i];
            else if (!strcmp(a, "--pdf"))
                pdf = argv[++i];
            else if (!strcmp(a, "--fhir"))
                fhir = argv[++i];
            else
                fhir_system = argv[++i];
        } else if (!strncmp(a, "--db=", 5))
            db = a + 5;
        else if (!strncmp(a, "--pdf=", 6))
            pdf = a + 6;
        else if (!strncmp(a, "--fhir=", 7))
            fhir = a + 7;
        else if (!strncmp(a, "--fhir-system=", 14))
            fhir_system = a + 14;
        else if (!strcmp(a, "--fhir-transaction"))
            fhir_tx = true;
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
    if (!code || (!pdf && !fhir)) {
        fprintf(stderr,
                "station progress: give the patient code and --pdf OUT.pdf or --fhir OUT.json.\n");
        return 2;
    }
    if ((fhir_tx || fhir_system) && !fhir) {
        fprintf(stderr, "station progress: %s shapes the FHIR bundle; add --fhir OUT.json.\n",
                fhir_tx ? "--fhir-transaction" : "--fhir-system");
        return 2;
    }
    struct gc_diag why;
    if (fhir_system && fhir_system_check(fhir_system, &why) != GC_OK) {
        fprintf(stderr,
                "station progress: --fhir-system '%s' is not usable: %s; give an absolute URI "
                "such as urn:oid:1.2.3.4 or https://clinic.example/patients.\n",
                fhir_system, why.msg);
        return 2;
    }
    /* never over the store, a database, a recording or the other output,
     * nor named like another kind of file: refuse before the store is
     * even opened */
    const char *outs[] = {pdf, fhir};
    for (int k = 0; k < 2; k++) {
        if (!outs[k])
            continue;
        struct datadir_guard g = {.store = db, .inputs = {outs[1 - k]}};
        struct gc_diag d;
        if (datadir_check_output(outs[k], &g, &d) != GC_OK) {
            fprintf(stderr, "station progress: %s\n", d.msg);
            return 1;
        }
        /* --fhir progress.pdf would replace a report with JSON */
        if (datadir_check_output_kind(outs[k], k ? "--fhir" : "--pdf", k ? ".json" : ".pdf", &d) !=
            GC_OK) {
            fprintf(stderr, "station progress: %s\n", d.msg);
            return 2;
        }
    }
    struct store *st;
    if (session_recorder_open_store(db, &st, true) != GC_OK)
        return 1;
    struct store_patient p;
    int rc = store_patient_find(st, code, &p);
    if (rc == GC_ERR_NOT_FOUND) {
        struct gc_diag d;
        (void)store_patient_missing(st, code, db, &d);
        fprintf(stderr, "station progress: %s\n", d.msg);
        store_close(st);
        return 1;
    }
    struct gc_diag diag;
    gc_diag_clear(&diag);
    struct report_progress prog;
    if (rc == GC_OK && pdf && (rc = report_progress_load(st, p.id, &prog, &diag)) == GC_OK) {
        rc = report_progress_pdf(&prog, pdf, store_path(st), &diag);
        report_progress_free(&prog);
        if (rc == GC_OK)
            printf("progress report for %s (%d session%s): %s\n", code, p.n_sessions,
                   p.n_sessions == 1 ? "" : "s", pdf);
    }
    if (rc == GC_OK && fhir) {
        struct fhir_export_opts fo = {.identifier_system = fhir_system,
                                      .type = fhir_tx ? FHIR_BUNDLE_TRANSACTION
                                                      : FHIR_BUNDLE_COLLECTION,
                                      .others = {pdf}};
        if ((rc = fhir_export_progress(st, p.id, &fo, fhir, &diag)) == GC_OK)
            printf("FHIR bundle for %s (%s): %s\n", code,
                   fhir_tx ? "transaction" : "collection", fhir);
    }
    store_close(st);
    if (rc) {
        if (diag.code != GC_OK)
            fprintf(stderr, "station progress: %s%s\n", diag.msg, gc_sentence_end(diag.msg));
        return 1;
    }
    return 0;
}
