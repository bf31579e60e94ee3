/* cmd_course_report.c - the course's paper: `station program report CODE
 * --pdf FILE [--summary FILE]` (the course report and the patient's
 * one-page summary) and `station test report CODE --pdf FILE` (the
 * readiness report).  Loaded by course_report_load, drawn by
 * report_course.h. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "course_cli.h"
#include "course_report.h"
#include "datadir.h"
#include "report_course.h"

/* Every output checked before the store is opened: not the store, not the
 * other output, not named like another kind of file, in a folder that
 * exists. */
static int check_outputs(const char *prog, const char *db, const char *const outs[3],
                         const char *const opts[3], const char *const exts[3])
{
    for (int k = 0; k < 3; k++) {
        if (!outs[k])
            continue;
        struct datadir_guard g = {.store = db};
        for (int j = 0, n = 0; j < 3; j++)
            if (j != k && outs[j])
                g.inputs[n++] = outs[j];
        struct gc_diag d;
        if (datadir_check_output(outs[k], &g, &d) != GC_OK) {
            fprintf(stderr, "%s: %s\n", prog, d.msg);
            return 1;
        }
        if (datadir_check_output_kind(outs[k], opts[k], exts[k], &d) != GC_OK) {
            fprintf(stderr, "%s: %s\n", prog, d.msg);
            return 2;
        }
        if (datadir_check_output_folder(outs[k], &d) != GC_OK) {
            fprintf(stderr, "%s: %s\n", prog, d.msg);
            return 1;
        }
    }
    return 0;
}

int course_report_write(const char *prog, const char *db, const char *code, const char *pdf,
                        const char *summary, const char *fhir, const struct fhir_export_opts *fo,
                        bool readiness)
{
    const char *outs[3] = {pdf, summary, fhir};
    static const char *const opts[3] = {"--pdf", "--summary", "--fhir"};
    static const char *const exts[3] = {".pdf", ".pdf", ".json"};
    int code_rc = check_outputs(prog, db, outs, opts, exts);
    if (code_rc)
        return code_rc;
    struct store *st = NULL;
    struct store_patient pt;
    code_rc = course_cli_patient(prog, db, code, &st, &pt);
    if (code_rc)
        return code_rc;
    struct gc_diag diag;
    gc_diag_clear(&diag);
    struct report_course rec;
    if (course_report_load(st, &pt, &rec, &diag) != GC_OK) {
        fprintf(stderr, "%s: %s%s\n", prog, diag.msg, gc_sentence_end(diag.msg));
        store_close(st);
        return 1;
    }
    if (!readiness && !rec.have_program) {
        fprintf(stderr,
                "%s: patient %s has never followed a program; start one with 'station program "
                "start %s NAME'.\n",
                prog, pt.code, pt.code);
        report_course_free(&rec);
        store_close(st);
        return 1;
    }
    const char *stp = store_path(st);
    int rc = GC_OK;
    if (readiness) {
        rc = report_readiness_pdf(&rec, pdf, stp, &diag);
        if (rc == GC_OK)
            printf("patient %s: readiness report %s (%zu tests)\n", pt.code, pdf, rec.n_tests);
    } else {
        if (pdf && (rc = report_course_pdf(&rec, pdf, stp, &diag)) == GC_OK)
            printf("patient %s: course report %s (%zu sessions, %zu decisions)\n", pt.code, pdf,
                   rec.n_sessions, rec.n_events);
        if (rc == GC_OK && summary && (rc = report_patient_pdf(&rec, summary, stp, &diag)) == GC_OK)
            printf("patient %s: summary for the patient %s\n", pt.code, summary);
        if (rc == GC_OK && fhir) {
            struct fhir_export_opts o = *fo;
            o.others[0] = pdf;
            o.others[1] = summary;
            if ((rc = fhir_export_course(&rec, &o, fhir, stp, &diag)) == GC_OK)
                printf("patient %s: FHIR %s bundle %s (PROMs %zu, symptom reports %zu, readiness "
                       "tests %zu)\n",
                       pt.code, o.type == FHIR_BUNDLE_TRANSACTION ? "transaction" : "collection",
                       fhir, rec.n_proms, rec.n_symptoms, rec.n_tests);
        }
    }
    if (rc != GC_OK)
        fprintf(stderr, "%s: %s%s\n", prog, diag.msg, gc_sentence_end(diag.msg));
    report_course_free(&rec);
    store_close(st);
    return rc == GC_OK ? 0 : 1;
}

static void test_report_usage(FILE *out)
{
    fprintf(out, "usage: station test report CODE --pdf FILE [--db PATH]\n\n"
                 "The readiness report of the patient: the latest result of each test on each\n"
                 "side against its criterion, then every test in the order done (date, side,\n"
                 "criterion, result, pass, figures).  The file is written whole or not at\n"
                 "all; the store, another database or a recording is never written over.\n");
}

int cmd_test_report(int argc, char **argv)
{
    const char *db = NULL, *pdf = NULL, *code = NULL;
    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            test_report_usage(stdout);
            return 0;
        } else if ((v = course_cli_opt(&i, argc, argv, "--db", &missing)))
            db = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--pdf", &missing)))
            pdf = v;
        else if (missing) {
            fprintf(stderr, "station test report: %s needs a value.\n", argv[i]);
            return 2;
        } else if (argv[i][0] == '-') {
            fprintf(stderr,
                    "station test report: unknown option '%s'; see 'station test report "
                    "--help'.\n",
                    argv[i]);
            return 2;
        } else if (!code)
            code = argv[i];
        else {
            fprintf(stderr, "station test report: unexpected '%s'; give one patient code.\n",
                    argv[i]);
            return 2;
        }
    }
    if (!code || !pdf) {
        fprintf(stderr, "station test report: give the patient and the file: station test report "
                        "CODE --pdf FILE.\n");
        return 2;
    }
    return course_report_write("station test report", db, code, pdf, NULL, NULL, NULL, true);
}
