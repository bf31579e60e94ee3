/* fhir_export.c - the FHIR bundle of a session or a patient, to a file
 * (fhir_export.h). */
#include "fhir_export.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "datadir.h"
#include "fhir_codes.h"
#include "report.h"

/* One session's rows and strings, owned here so the report record can be
 * freed before the bundle is formatted (progress: one session at a time). */
struct sess_build {
    struct fhir_phase_row *rows;
    size_t n_rows;
    char (*keys)[24];
    char (*names)[PLAN_NAME_MAX];
    struct fhir_extra_obs *extra; /* pain markers */
    char (*extra_keys)[32];
    size_t n_extra;
    char status[200];
    char delivery[160]; /* copied: the record it comes from is freed before the bundle is made */
    char protocol[PLAN_NAME_MAX];
    uint8_t *pdf;
    size_t pdf_len;
    struct fhir_session_rec rec;
};

static void sess_free(struct sess_build *b)
{
    free(b->rows);
    free(b->keys);
    free(b->names);
    free(b->extra);
    free(b->extra_keys);
    free(b->pdf);
    memset(b, 0, sizeof *b);
}

/* cairo writes the time it drew the PDF into /CreationDate
 * (D:YYYYMMDDHHmmSS then Z or +HH'mm): put the session's start (UTC) there,
 * byte for byte the same length, so the attachment is the same every time. */
static void pdf_fix_date(uint8_t *pdf, size_t len, int64_t start_utc)
{
    static const char tag[] = "/CreationDate (D:";
    uint8_t *p = memmem(pdf, len, tag, sizeof tag - 1);
    if (!p)
        return;
    p += sizeof tag - 1;
    size_t left = len - (size_t)(p - pdf);
    if (left < 14)
        return;
    for (int i = 0; i < 14; i++)
        if (p[i] < '0' || p[i] > '9')
            return;
    time_t t = (time_t)start_utc;
    struct tm tm;
    char d[16];
    if (!gmtime_r(&t, &tm) || strftime(d, sizeof d, "%Y%m%d%H%M%S", &tm) != 14)
        return;
    memcpy(p, d, 14);
    /* the local offset cairo added ("+01'00"): UTC's, same length */
    if (left >= 20 && (p[14] == '+' || p[14] == '-') && p[17] == '\'')
        memcpy(p + 14, "+00'00", 6);
}

/* Draw the session report into a private temporary folder beside the
 * output and read it back. */
static int render_pdf(const struct report_record *r, const char *out_path, const char *store_path,
                      struct sess_build *b, struct gc_diag *diag)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(out_path, '/');
    if (slash == out_path)
        snprintf(dir, sizeof dir, "/.gaitcue-fhir-XXXXXX");
    else if (slash)
        snprintf(dir, sizeof dir, "%.*s/.gaitcue-fhir-XXXXXX", (int)(slash - out_path), out_path);
    else
        snprintf(dir, sizeof dir, ".gaitcue-fhir-XXXXXX");
    if (!mkdtemp(dir)) { /* mkdtemp makes it 0700 */
        int e = errno;
        if (e == ENOENT || e == ENOTDIR)
            return gc_fail(diag, GC_ERR_NOT_FOUND,
                           "the folder of %s does not exist; create it or choose a writable path",
                           out_path);
        return gc_fail(diag, e == EACCES ? GC_ERR_PERM : GC_ERR_IO,
                       "cannot make a temporary folder beside %s for the report PDF: %s; "
                       "choose a writable folder",
                       out_path, strerror(e));
    }
    char pdf[PATH_MAX + 16];
    snprintf(pdf, sizeof pdf, "%s/report.pdf", dir);
    int rc = report_session_pdf(r, pdf, store_path, diag);
    if (rc == GC_OK) {
        FILE *f = fopen(pdf, "rb");
        long n = -1;
        if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
            b->pdf = malloc((size_t)n);
            if (!b->pdf)
                rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory reading the report PDF");
            else if (fread(b->pdf, 1, (size_t)n, f) != (size_t)n)
                rc = gc_fail(diag, GC_ERR_IO, "cannot read back the report PDF %s", pdf);
            else
                b->pdf_len = (size_t)n;
        } else
            rc = gc_fail(diag, GC_ERR_IO, "cannot read back the report PDF %s", pdf);
        if (f)
            fclose(f);
    }
    unlink(pdf);
    rmdir(dir);
    if (rc == GC_OK)
        pdf_fix_date(b->pdf, b->pdf_len, r->ss.start_utc);
    return rc;
}

static int sess_build(const struct report_record *r, struct sess_build *b, struct gc_diag *diag)
{
    memset(b, 0, sizeof *b);
    size_t cap = r->n_phases + 1;
    b->rows = calloc(cap, sizeof *b->rows);
    b->keys = calloc(cap, sizeof *b->keys);
    b->names = calloc(cap, sizeof *b->names);
    if (!b->rows || !b->keys || !b->names) {
        sess_free(b);
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory building the FHIR bundle");
    }
    double t0 = (double)r->ss.start_utc;
    /* one row per phase reached (as the report's phase table), then every
     * step; the period is the phase's time in the report */
    for (size_t i = 0; i < r->n_phases; i++) {
        const struct store_phase *ph = &r->phases[i];
        struct fhir_phase_row *row = &b->rows[b->n_rows];
        session_stats_compute(r->steps, r->n_steps, SESSION_PHASE_BIT(ph->idx), &row->stats);
        if (!ph->started && row->stats.n_steps == 0)
            continue;
        snprintf(b->keys[b->n_rows], sizeof b->keys[0], "phase-%d", ph->idx);
        snprintf(b->names[b->n_rows], sizeof b->names[0], "%s", ph->name);
        row->key = b->keys[b->n_rows];
        row->name = b->names[b->n_rows];
        row->kind = plan_kind_name(ph->kind);
        row->index = ph->idx;
        row->from_utc = t0 + (ph->started ? ph->start_s : ph->planned_start_s);
        row->to_utc = t0 + report_phase_end_rel(r, i);
        b->n_rows++;
    }
    struct fhir_phase_row *all = &b->rows[b->n_rows];
    session_stats_compute(r->steps, r->n_steps, SESSION_ALL_PHASES, &all->stats);
    snprintf(b->keys[b->n_rows], sizeof b->keys[0], "session");
    snprintf(b->names[b->n_rows], sizeof b->names[0], "whole session");
    all->key = b->keys[b->n_rows];
    all->name = b->names[b->n_rows];
    all->kind = "session";
    all->index = -1;
    all->from_utc = t0;
    all->to_utc = r->ss.end_utc ? (double)r->ss.end_utc : t0 + r->t_end_rel;
    b->n_rows++;

    /* pain markers (0-10, said by the runner during the session): LOINC
     * 72514-3, one Observation each at its time; symptoms and notes are
     * text and stay in the PDF */
    b->extra = calloc(r->n_markers ? r->n_markers : 1, sizeof *b->extra);
    b->extra_keys = calloc(r->n_markers ? r->n_markers : 1, sizeof *b->extra_keys);
    if (!b->extra || !b->extra_keys) {
        sess_free(b);
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory building the FHIR bundle");
    }
    for (size_t i = 0; i < r->n_markers; i++) {
        const struct store_marker *m = &r->markers[i];
        if (m->kind != STORE_MARK_PAIN || m->pain < 0)
            continue;
        snprintf(b->extra_keys[b->n_extra], sizeof b->extra_keys[0], "pain-%zu", i);
        b->extra[b->n_extra] = (struct fhir_extra_obs){
            .key = b->extra_keys[b->n_extra],
            .system = fhir_code_pain.system,
            .code = fhir_code_pain.code,
            .display = fhir_code_pain.display,
            .value = m->pain,
            .ucum = fhir_unit_pain.ucum,
            .unit = fhir_unit_pain.text,
            .decimals = fhir_unit_pain.decimals,
            .at_utc = t0 + (m->t_s - r->ss.t0_sensor_s),
            .category = "survey",
        };
        b->n_extra++;
    }

    report_status_text(&r->ss, b->status, sizeof b->status);
    snprintf(b->delivery, sizeof b->delivery, "%s", r->ss.feedback_delivery);
    snprintf(b->protocol, sizeof b->protocol, "%s", r->ss.protocol_name);
    b->rec = (struct fhir_session_rec){
        .session_id = r->ss.id,
        .start_utc = t0,
        .end_utc = r->ss.end_utc ? (double)r->ss.end_utc : NAN,
        .ended = r->ss.status != STORE_RUNNING,
        .status_text = b->status,
        .delivery = b->delivery,
        .simulated = r->ss.simulated,
        .protocol = b->protocol,
        .body_weight_n = r->ss.body_weight_n,
        .rows = b->rows,
        .n_rows = b->n_rows,
        .extra = b->extra,
        .n_extra = b->n_extra,
    };
    return GC_OK;
}

/* datadir's sentences end with a period; the commands add their own. */
static int trim_period(struct gc_diag *diag, int rc)
{
    if (!diag)
        return rc;
    size_t n = strlen(diag->msg);
    while (n && (diag->msg[n - 1] == '.' || diag->msg[n - 1] == '\n'))
        diag->msg[--n] = '\0';
    return rc;
}

/* Format with fmt (the sizing call first, then into a buffer of that
 * size) and write the file with the command's output checks. */
typedef int (*bundle_fmt)(const void *rec, char *buf, size_t cap, size_t *len,
                          struct gc_diag *diag);

static int fmt_sessions(const void *rec, char *buf, size_t cap, size_t *len, struct gc_diag *diag)
{
    return fhir_bundle_format(rec, buf, cap, len, diag);
}

static int fmt_course(const void *rec, char *buf, size_t cap, size_t *len, struct gc_diag *diag)
{
    return fhir_course_format(rec, buf, cap, len, diag);
}

static int write_formatted(bundle_fmt fmt, const void *rec, const struct fhir_export_opts *o,
                           const char *out_path, const char *store_path, struct gc_diag *diag)
{
    size_t need = 0;
    struct gc_diag sizing;
    int rc = fmt(rec, NULL, 0, &need, &sizing);
    if (need == 0) /* refused before formatting: the sentence says why */
        return gc_fail(diag, rc, "%s", sizing.msg);
    char *buf = malloc(need + 1);
    if (!buf)
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory for a FHIR bundle of %zu bytes", need);
    rc = fmt(rec, buf, need + 1, &need, diag);
    if (rc == GC_OK) {
        struct datadir_guard g = {.store = store_path};
        for (size_t i = 0; i < sizeof o->others / sizeof o->others[0]; i++)
            g.inputs[i] = o->others[i];
        rc = trim_period(diag, datadir_write_file(out_path, buf, need, &g, diag));
    }
    free(buf);
    return rc;
}

static int write_bundle(const struct fhir_bundle_rec *fb, const struct fhir_export_opts *o,
                        const char *out_path, const char *store_path, struct gc_diag *diag)
{
    return write_formatted(fmt_sessions, fb, o, out_path, store_path, diag);
}

static const char *system_of(const struct fhir_export_opts *o)
{
    return o->identifier_system ? o->identifier_system : FHIR_DEFAULT_PATIENT_SYSTEM;
}

int fhir_export_session(const struct report_record *r, const struct fhir_export_opts *o,
                        const char *out_path, const char *store_path, struct gc_diag *diag)
{
    struct gc_diag why;
    if (fhir_system_check(system_of(o), &why) != GC_OK)
        return gc_fail(diag, GC_ERR_ARG, "--fhir-system '%.80s' is not usable: %s", system_of(o),
                       why.msg);
    /* refuse a bad path before drawing anything */
    struct datadir_guard g = {.store = store_path};
    for (size_t i = 0; i < sizeof o->others / sizeof o->others[0]; i++)
        g.inputs[i] = o->others[i];
    int rc = datadir_check_output(out_path, &g, diag);
    if (rc)
        return trim_period(diag, rc);
    struct sess_build b;
    rc = sess_build(r, &b, diag);
    if (rc)
        return rc;
    rc = render_pdf(r, out_path, store_path, &b, diag);
    if (rc == GC_OK) {
        b.rec.pdf = b.pdf;
        b.rec.pdf_len = b.pdf_len;
        struct fhir_bundle_rec fb = {r->pat.code, system_of(o), o->type, &b.rec, 1};
        rc = write_bundle(&fb, o, out_path, store_path, diag);
    }
    sess_free(&b);
    return rc;
}

int fhir_export_progress(struct store *st, int64_t patient_id, const struct fhir_export_opts *o,
                         const char *out_path, struct gc_diag *diag)
{
    struct gc_diag why;
    if (fhir_system_check(system_of(o), &why) != GC_OK)
        return gc_fail(diag, GC_ERR_ARG, "--fhir-system '%.80s' is not usable: %s", system_of(o),
                       why.msg);
    struct report_progress p;
    int rc = report_progress_load(st, patient_id, &p, diag);
    if (rc)
        return rc;
    struct sess_build *bs = calloc(p.n ? p.n : 1, sizeof *bs);
    struct fhir_session_rec *recs = calloc(p.n ? p.n : 1, sizeof *recs);
    size_t n = 0;
    if (!bs || !recs)
        rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory building the FHIR bundle");
    for (size_t i = 0; rc == GC_OK && i < p.n; i++) {
        const struct store_session *ss = &p.rows[i].ss;
        /* what the progress report plots: ended sessions not excluded */
        if (ss->excluded_utc || ss->status == STORE_RUNNING)
            continue;
        struct report_record r;
        rc = report_record_load(st, ss->id, &r, diag);
        if (rc)
            break;
        rc = sess_build(&r, &bs[n], diag);
        report_record_free(&r);
        if (rc == GC_OK) {
            recs[n] = bs[n].rec;
            n++;
        }
    }
    if (rc == GC_OK) {
        struct fhir_bundle_rec fb = {p.pat.code, system_of(o), o->type, recs, n};
        rc = write_bundle(&fb, o, out_path, store_path(st), diag);
    }
    for (size_t i = 0; bs && i < n; i++)
        sess_free(&bs[i]);
    free(bs);
    free(recs);
    report_progress_free(&p);
    return rc;
}

int fhir_export_course(const struct report_course *r, const struct fhir_export_opts *o,
                       const char *out_path, const char *store_path, struct gc_diag *diag)
{
    /* the system is checked by the formatter (the command checks it first) */
    struct fhir_prom_rec *proms = calloc(r->n_proms + 1, sizeof *proms);
    struct fhir_symptom_rec *syms = calloc(r->n_symptoms + 1, sizeof *syms);
    struct fhir_test_rec *tests = calloc(r->n_tests + 1, sizeof *tests);
    int rc = GC_OK;
    if (!proms || !syms || !tests)
        rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory building the FHIR bundle");
    for (size_t i = 0; rc == GC_OK && i < r->n_proms; i++) {
        const struct course_prom_row *p = &r->proms[i];
        proms[i] = (struct fhir_prom_rec){p->id, (double)p->utc, p->lefs, p->nprs};
    }
    for (size_t i = 0; rc == GC_OK && i < r->n_symptoms; i++) {
        const struct course_symptom_row *s = &r->symptoms[i];
        syms[i] = (struct fhir_symptom_rec){
            .id = s->id,
            .utc = (double)s->utc,
            .when = course_when_name(s->when),
            .pain = s->pain,
            .site = s->site,
            .leak = (s->flags & PROGRAM_SYM_LEAK) != 0,
            .heaviness = (s->flags & PROGRAM_SYM_HEAVINESS) != 0,
            .bleeding = (s->flags & PROGRAM_SYM_BLEEDING) != 0,
            .note = s->note,
        };
    }
    for (size_t i = 0; rc == GC_OK && i < r->n_tests; i++) {
        const struct report_course_test *t = &r->tests[i];
        tests[i] = (struct fhir_test_rec){
            .id = t->id,
            .utc = (double)t->utc,
            .test = t->test,
            .side = t->side,
            .pass = t->pass,
            .criterion = strcmp(t->criterion, "-") ? t->criterion : NULL,
            .value = t->value,
            .summary = t->summary,
        };
    }
    if (rc == GC_OK) {
        struct fhir_course_rec cr = {
            .patient_code = r->pat.code,
            .identifier_system = system_of(o),
            .type = o->type,
            .proms = proms,
            .n_proms = r->n_proms,
            .symptoms = syms,
            .n_symptoms = r->n_symptoms,
            .tests = tests,
            .n_tests = r->n_tests,
        };
        rc = write_formatted(fmt_course, &cr, o, out_path, store_path, diag);
    }
    free(proms);
    free(syms);
    free(tests);
    return rc;
}
