/*
 * report_course_plot.h - what the course pages share (internal to
 * station/edge/report_{course,readiness,patient}.c): a small plot of up to
 * four series over points in order, a table cell copied with "..." when
 * cut, and the course's wording.
 *
 * Units: points (report_doc.h).  Thread: any.
 */
#ifndef GC_REPORT_COURSE_PLOT_H
#define GC_REPORT_COURSE_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "report_course.h"
#include "report_doc.h"

struct rc_series {
    const double *y; /* n values, NAN = none */
    const char *name;
    double rgb[3];
    bool diamonds; /* hollow diamonds instead of dots */
    bool line;     /* join the points */
};

struct rc_plot {
    const char *title, *ylabel;
    size_t n;               /* points, drawn at equal spacing in order */
    const char (*xlab)[40]; /* n labels under the axis (thinned when crowded) */
    const bool *mark;       /* n: draw a dashed line and mark_label at the point */
    const char *mark_label;
    const struct rc_series *s;
    size_t n_series;
    double y_min, y_max; /* the axis holds at least this range */
    double hline;        /* NAN none */
    const char *hline_label;
    double h; /* plot height, points */
};
void rc_plot_draw(struct doc *d, const struct rc_plot *p);

/* src into a table cell, cut with "..." to fit 128 bytes. */
void rc_cell(char cell[128], const char *src);
/* Drop a document begun with rd_doc_begin: nothing is left behind. */
void rc_doc_abort(struct doc *d, struct out_file *o);
/* rd_doc_begin for a report of r's course: GC_ERR_NOT_FOUND (nothing
 * opened) when the patient never followed a program. */
int rc_doc_begin(const struct report_course *r, struct doc *d, struct out_file *o,
                 const char *pdf_path, const char *store_path, struct gc_diag *diag);
/* "L" / "R" / "-" */
const char *rc_side(char side);

#endif
