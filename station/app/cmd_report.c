/* cmd_report.c - `station report SESSION|latest --pdf OUT.pdf [--csv] [--json] [--fhir]`. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
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
    fprintf(out, "usage: station report SESSION|latest [--patient CODE] [--pdf OUT.pdf]\n"
                 "                      [--csv OUT.csv] [--json OUT.json] [--fhir OUT.json\n"
                 "                      [--fhir-transaction] [--fhir-system URI]] [--db PATH]\n\n"
                 "Session report for the patient's file.  SESSION is a number from\n"
                 "'station sessions'; 'latest' is the newest session (of --patient CODE if\n"
                 "given).  At least one output:\n"
                 "  --pdf OUT.pdf    3-4 printable A4 pages: session facts, a table per phase,\n"
                 "                   cadence and loading-rate plots, target changes, markers\n"
                 "                   and reported symptoms,\n"
                 "                   comparison with the previous session, measurement method,\n"
                 "                   the Gait page (force curves, COP, length and width)\n"
                 "  --csv OUT.csv    every step (steps-CSV columns + phase, in_band)\n"
                 "  --json OUT.json  the figures per phase, target changes, markers, the pain\n"
                 "                   and symptoms reported for the session (\"symptoms\": live\n"
                 "                   marks, 'station symptoms' and 'station prom' records;\n"
                 "                   \"pain_max\"), and the\n"
                 "                   Gait page's (step length and width, belt speed per\n"
                 "                   minute, rearfoot share) replayed from the recording\n"
                 "  --fhir OUT.json  for the clinic's electronic record: a FHIR R4 Bundle\n"
                 "                   (collection) with the patient's code, a DiagnosticReport\n"
                 "                   with this PDF report attached, and one Observation per\n"
                 "                   figure and phase and per pain marker (docs/interop.md)\n"
                 "  --fhir-transaction  a transaction Bundle instead, to post to a FHIR server\n"
                 "                   as it is (the patient found by identifier, never changed)\n"
                 "  --fhir-system URI  the system of the patient's code in the clinic's record\n"
                 "                   (e.g. urn:oid:1.2.3.4; default " FHIR_DEFAULT_PATIENT_SYSTEM ")\n"
                 "Outputs are written whole or not at all, readable by the owner only; an\n"
                 "output that names the store, a database, a recording or another output is\n"
                 "refused.\n");
}

int cmd_report(int argc, char **argv)
{
    const char *db = NULL, *pdf = NULL, *csv = NULL, *json = NULL, *code = NULL, *which = NULL;
    const char *fhir = NULL, *fhir_system = NULL;
    bool fhir_tx = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--fhir-transaction")) {
            fhir_tx = true;
            continue;
        }
        const char *names[] = {"--db", "--pdf", "--csv", "--json", "--patient", "--fhir",
                               "--fhir-system"};
        const char **dsts[] = {&db, &pdf, &csv, &json, &code, &fhir, &fhir_system};
        for (int k = 0; k < 7 && !dst; k++) {
            size_t n = strlen(names[k]);
            if (!strcmp(a, names[k])) {
                if (i + 1 >= argc) {
                    fprintf(stderr, "station report: %s needs a value.\n", a);
                    return 2;
                }
                dst = dsts[k];
                *dst = argv[++i];
            } else if (!strncmp(a, names[k], n) && a[n] == '=') {
                dst = dsts[k];
                *dst = a + n + 1;
            }
        }
        if (dst)
            continue;
        if (a[0] == '-') {
            fprintf(stderr, "station report: unknown option '%s'; see 'station report --help'.\n",
                    a);
            return 2;
        }
        if (which) {
            fprintf(stderr, "station report: one session at a time.\n");
            return 2;
        }
        which = a;
    }
    if (!which) {
        fprintf(stderr, "station report: give a session number or 'latest'.\n");
        return 2;
    }
    if (!pdf && !csv && !json && !fhir) {
        fprintf(stderr, "station report: give at least one of --pdf, --csv, --json, --fhir.\n");
        return 2;
    }
    if ((fhir_tx || fhir_system) && !fhir) {
        fprintf(stderr, "station report: %s shapes the FHIR bundle; add --fhir OUT.json.\n",
                fhir_tx ? "--fhir-transaction" : "--fhir-system");
        return 2;
    }
    struct gc_diag why;
    if (fhir_system && fhir_system_check(fhir_system, &why) != GC_OK) {
        fprintf(stderr,
                "station report: --fhir-system '%s' is not usable: %s; give an absolute URI "
                "such as urn:oid:1.2.3.4 or https://clinic.example/patients.\n",
                fhir_system, why.msg);
        return 2;
    }
    int64_t sid = 0;
    if (strcmp(which, "latest") != 0) {
        char *end;
        long long v = strtoll(which[0] == '#' ? which + 1 : which, &end, 10);
        if (*end || v <= 0) {
            fprintf(stderr,
                    "station report: '%s' is not a session number; 'station sessions' "
                    "lists them.\n",
                    which);
            return 2;
        }
        sid = v;
    }
    /* No output may replace the store, a recording, or another output of
     * this command, nor carry the name of another kind of file (--json
     * report.pdf): refuse before the store is even opened. */
    const char *outs[] = {pdf, csv, json, fhir};
    static const char *const opts[] = {"--pdf", "--csv", "--json", "--fhir"};
    static const char *const exts[] = {".pdf", ".csv", ".json", ".json"};
    for (int k = 0; k < 4; k++) {
        if (!outs[k])
            continue;
        struct datadir_guard g = {.store = db};
        for (int j = 0, n = 0; j < 4; j++)
            if (j != k && outs[j])
                g.inputs[n++] = outs[j];
        struct gc_diag d;
        if (datadir_check_output(outs[k], &g, &d) != GC_OK) {
            fprintf(stderr, "station report: %s\n", d.msg);
            return 1;
        }
        if (datadir_check_output_kind(outs[k], opts[k], exts[k], &d) != GC_OK) {
            fprintf(stderr, "station report: %s\n", d.msg);
            return 2;
        }
    }
    struct store *st;
    if (session_recorder_open_store(db, &st, true) != GC_OK)
        return 1;
    int rc = GC_OK;
    if (!sid) {
        int64_t pid = 0;
        if (code) {
            struct store_patient p;
            rc = store_patient_find(st, code, &p);
            if (rc == GC_ERR_NOT_FOUND) {
                struct gc_diag d;
                (void)store_patient_missing(st, code, db, &d);
                fprintf(stderr, "station report: %s\n", d.msg);
            }
            pid = p.id;
        }
        if (rc == GC_OK) {
            rc = store_session_latest(st, pid, &sid);
            if (rc == GC_ERR_NOT_FOUND)
                fprintf(stderr, "station report: no sessions stored%s%s yet.\n",
                        code ? " for patient " : "", code ? code : "");
        }
    }
    struct gc_diag diag;
    gc_diag_clear(&diag);
    struct report_record rec;
    bool loaded = false;
    if (rc == GC_OK) {
        rc = report_record_load(st, sid, &rec, &diag);
        loaded = rc == GC_OK;
    }
    const char *stp = store_path(st);
    if (rc == GC_OK && pdf && (rc = report_session_pdf(&rec, pdf, stp, &diag)) == GC_OK)
        printf("session %lld report: %s\n", (long long)sid, pdf);
    if (rc == GC_OK && csv && (rc = report_session_csv(&rec, csv, stp, &diag)) == GC_OK)
        printf("session %lld steps: %s\n", (long long)sid, csv);
    if (rc == GC_OK && json && (rc = report_session_json(&rec, json, stp, &diag)) == GC_OK)
        printf("session %lld summary: %s\n", (long long)sid, json);
    if (rc == GC_OK && fhir) {
        struct fhir_export_opts fo = {.identifier_system = fhir_system,
                                      .type = fhir_tx ? FHIR_BUNDLE_TRANSACTION
                                                      : FHIR_BUNDLE_COLLECTION,
                                      .others = {pdf, csv, json}};
        if ((rc = fhir_export_session(&rec, &fo, fhir, stp, &diag)) == GC_OK)
            printf("session %lld FHIR bundle (%s): %s\n", (long long)sid,
                   fhir_tx ? "transaction" : "collection", fhir);
    }
    if (rc != GC_OK && diag.code != GC_OK)
        fprintf(stderr, "station report: %s%s\n", diag.msg, gc_sentence_end(diag.msg));
    if (loaded)
        report_record_free(&rec);
    store_close(st);
    return rc == GC_OK ? 0 : 1;
}
