/*
 * report_readiness.c - the readiness report (PDF): the latest result of
 * each readiness test on each side against its criterion, then every test
 * in the order it was done (report_course.h).
 */
#include <stdio.h>
#include <string.h>

#include "report_course.h"
#include "report_course_plot.h"
#include "report_doc.h"

static const char *const test_order[] = {"balance", "hop", "jog-on-spot", "calf-raise", "squat"};
#define N_TESTS (sizeof test_order / sizeof test_order[0])

/* The latest stored result of test on side, NULL if none. */
static const struct report_course_test *latest(const struct report_course *r, const char *test,
                                               char side)
{
    const struct report_course_test *t = NULL;
    for (size_t i = 0; i < r->n_tests; i++)
        if (!strcmp(r->tests[i].test, test) && (side == 0 || r->tests[i].side == side))
            t = &r->tests[i];
    return t;
}

static void verdict(char cell[128], const struct report_course_test *t)
{
    if (!t)
        snprintf(cell, 128, "not done");
    else
        snprintf(cell, 128, "%s: %.80s", t->pass ? "PASS" : "not yet", t->result);
}

int report_readiness_pdf(const struct report_course *r, const char *pdf_path,
                         const char *store_path, struct gc_diag *diag)
{
    struct doc d;
    struct out_file o;
    int rc = rd_doc_begin(&d, &o, pdf_path, store_path, diag);
    if (rc)
        return rc;
    rd_patient_title(&d, r->pat.code, r->printed_utc, "Readiness to run: load tests on the deck",
                     "readiness report");
    char who[200], prog[120], count[32];
    if (r->pat.name[0])
        snprintf(who, sizeof who, "%s (%s)", r->pat.code, r->pat.name);
    else
        snprintf(who, sizeof who, "%s", r->pat.code);
    if (r->have_program)
        snprintf(prog, sizeof prog, "%s", r->program.name);
    else
        snprintf(prog, sizeof prog, "none");
    snprintf(count, sizeof count, "%zu", r->n_tests);
    const double cw = CONTENT_W / 3;
    rd_info_cell(d.cr, MARGIN, d.y + 7, "Patient", who, cw);
    rd_info_cell(d.cr, MARGIN + cw, d.y + 7, "Program", prog, cw);
    rd_info_cell(d.cr, MARGIN + 2 * cw, d.y + 7, "Tests recorded", count, cw);
    d.y += 32;
    rd_font(d.cr, 7.2, false);
    cairo_set_source_rgb(d.cr, 0.2, 0.2, 0.2);
    d.y = rd_paragraph(d.cr, MARGIN, d.y + 8, CONTENT_W, 9,
                       "Criteria after Goom, Donnelly & Brockwell 2019 (returning to running "
                       "postnatal): single-leg balance 10 s each side, single-leg hops in place "
                       "10 each side, jog on the spot 1 min, single-leg calf raises 20, "
                       "single-leg squats 10 each side with good form.  Measured on the stopped "
                       "deck from the force and the centre of pressure (docs/course.md).") +
          4;

    rd_heading(&d, "Latest result of each test, left and right");
    static const struct col lc[] = {
        {"Test", NULL, 70, AL_LEFT},
        {"Criterion", NULL, 100, AL_LEFT},
        {"Left", NULL, 172, AL_LEFT},
        {"Right", NULL, CONTENT_W - 342, AL_LEFT},
    };
    rd_table_header(&d, lc, 4);
    char c[7][128];
    for (size_t i = 0; i < N_TESTS; i++) {
        const struct report_course_test *any = latest(r, test_order[i], 0);
        snprintf(c[0], 128, "%s", test_order[i]);
        rc_cell(c[1], any ? any->criterion : "-");
        /* jogging on the spot measures both legs at once */
        bool both = !strcmp(test_order[i], "jog-on-spot");
        verdict(c[2], latest(r, test_order[i], both ? 0 : 'L'));
        verdict(c[3], latest(r, test_order[i], both ? 0 : 'R'));
        rd_table_row(&d, lc, 4, c, false, i % 2);
    }
    d.y += 6;

    rd_heading(&d, "Every test, in the order done (history)");
    static const struct col hc[] = {
        {"Date", NULL, 76, AL_LEFT},
        {"Test", NULL, 52, AL_LEFT},
        {"Side", NULL, 24, AL_LEFT},
        {"Criterion", NULL, 80, AL_LEFT},
        {"Result", NULL, 84, AL_LEFT},
        {"Pass", NULL, 34, AL_LEFT},
        {"Figures", NULL, CONTENT_W - 350, AL_LEFT},
    };
    const size_t nhc = sizeof hc / sizeof hc[0];
    rd_table_header(&d, hc, nhc);
    for (size_t i = 0; i < r->n_tests; i++) {
        const struct report_course_test *t = &r->tests[i];
        rd_ensure_room(&d, ROW_H * 2);
        rd_fmt_date(c[0], 128, t->utc, true);
        rc_cell(c[1], t->test);
        snprintf(c[2], 128, "%s", rc_side(t->side));
        rc_cell(c[3], t->criterion);
        rc_cell(c[4], t->result);
        snprintf(c[5], 128, "%s", t->pass ? "PASS" : "not yet");
        rc_cell(c[6], t->summary);
        rd_table_row(&d, hc, nhc, c, false, i % 2);
    }
    if (r->n_tests == 0) {
        rd_font(d.cr, 7.5, false);
        rd_text_at(d.cr, MARGIN, d.y + 10, AL_LEFT,
                   "No readiness test recorded yet ('station test NAME --patient CODE').");
        d.y += 16;
    }
    return rd_doc_end(&d, &o, diag);
}
