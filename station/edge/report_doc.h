/*
 * report_doc.h - page furniture shared by the report's pages (internal to
 * station/edge/report_*.c; not a public interface).
 *
 * Units: PostScript points (1/72 in), A4 portrait; y grows down the page.
 * Ownership: a struct doc owns its cairo surface and context between
 * rd_doc_begin and rd_doc_end; struct out_file owns the temporary file.
 * Thread: any; one document per thread.
 */
#ifndef GC_REPORT_DOC_H
#define GC_REPORT_DOC_H

#include <cairo.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gc_error.h"

/* ---- page geometry (points, A4 portrait) ---------------------------- */
#define PAGE_W      595.276
#define PAGE_H      841.89
#define MARGIN      40.0
#define CONTENT_W   (PAGE_W - 2 * MARGIN)
#define FOOTER_Y    (PAGE_H - 24.0)
#define BODY_BOTTOM (PAGE_H - 40.0)
#define FONT        "DejaVu Sans"
#define ROW_H       12.0 /* table row */

/* Phase shading by kind (light, prints well in grey too). */
static const double kind_rgb[][3] = {
    {0.93, 0.93, 0.93}, /* weigh-in */
    {0.88, 0.90, 0.95}, /* baseline */
    {0.86, 0.94, 0.87}, /* training */
    {0.98, 0.94, 0.82}, /* retention */
    {0.95, 0.92, 0.97}, /* walk */
    {0.86, 0.94, 0.87}, /* run */
};
static const double rgb_left[3] = {0.12, 0.38, 0.70};
static const double rgb_right[3] = {0.85, 0.45, 0.10};
static const double rgb_risk[3] = {0.80, 0.10, 0.10};
static const double rgb_band[3] = {0.55, 0.80, 0.55};

enum align { AL_LEFT, AL_RIGHT, AL_CENTER };

struct doc {
    cairo_surface_t *surf;
    cairo_t *cr;
    int page;
    double y; /* current vertical position */
    char footer[256];
};

/* A table column: two header lines, width, alignment. */
struct col {
    const char *h1, *h2;
    double w;
    enum align al;
};

/* A plot area (inside the axes) and the data ranges it maps. */
struct plot {
    double x, y, w, h;
    double x0, x1, y0, y1;
};

/* The data-folder policy (datadir.h): refused over the store, a database,
 * a recording; temporary file 0600 beside the target, fsync, rename,
 * fsync of the folder. */
struct datadir_out;
struct out_file {
    struct datadir_out *d;
    FILE *f;
    char final[4096];
};

/* Output files.  store_path (may be NULL) is refused as a target. */
GC_MUST_CHECK int rd_out_open(struct out_file *o, const char *path, const char *store_path,
                              struct gc_diag *diag);
/* ok false: abort (nothing is left behind).  Returns the failure's code. */
GC_MUST_CHECK int rd_out_close(struct out_file *o, bool ok, struct gc_diag *diag);

/* A PDF document on an output file; begin draws nothing but page 1. */
GC_MUST_CHECK int rd_doc_begin(struct doc *d, struct out_file *o, const char *path,
                               const char *store_path, struct gc_diag *diag);
GC_MUST_CHECK int rd_doc_end(struct doc *d, struct out_file *o, struct gc_diag *diag);
void rd_new_page(struct doc *d);
void rd_ensure_room(struct doc *d, double h);
void rd_draw_footer(struct doc *d);

/* Text. */
void rd_set_rgb(cairo_t *cr, const double c[3]);
void rd_font(cairo_t *cr, double size, bool bold);
double rd_text_w(cairo_t *cr, const char *s);
void rd_text_at(cairo_t *cr, double x, double y, enum align al, const char *s);
void rd_textf(cairo_t *cr, double x, double y, enum align al, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Shorten s with "..." until it fits width w (current font). */
void rd_fit(cairo_t *cr, char *s, double w);
/* Word-wrapped paragraph; returns the y below it. */
double rd_paragraph(cairo_t *cr, double x, double y, double w, double line_h, const char *s);
void rd_heading(struct doc *d, const char *s);
void rd_info_cell(cairo_t *cr, double x, double y, const char *label, const char *value,
                  double w);
void rd_title_block(struct doc *d, const char *title, const char *right);
/* A patient's report: the footer "gaitcue VERSION - patient CODE - KIND"
 * and the title block with "Patient CODE, printed DATE" (printed_utc, s). */
void rd_patient_title(struct doc *d, const char *code, int64_t printed_utc, const char *title,
                      const char *kind);
/* The measurement-method box; NULL or "" prints report_default_method(). */
void rd_draw_method(struct doc *d, const char *method);

/* Tables.  A row whose last column is left-aligned (a note) wraps that
 * cell onto more lines rather than cutting it; other cells are cut with
 * "..." to their column. */
void rd_table_header(struct doc *d, const struct col *cols, size_t nc);
void rd_table_row(struct doc *d, const struct col *cols, size_t nc, char cells[][128], bool bold,
                  bool shade);

/* Formats: m:ss ("open" for +inf, "-" if unknown); local date; percent of
 * a share with session.h's decimals. */
void rd_fmt_clock(char *buf, size_t cap, double s);
void rd_fmt_date(char *buf, size_t cap, int64_t utc, bool with_time);
void rd_fmt_pct(char *buf, size_t cap, double share);

/* Plots: data to page coordinates, tick step, markers, legend. */
double rd_px(const struct plot *p, double v);
double rd_py(const struct plot *p, double v);
double rd_nice_step(double range, int target_ticks);
/* Horizontal grid lines (grey level grey) at y = from, from + step, ... up
 * to the plot's top, each labelled at its left with "%g" of y x k (0 for
 * |y| < 1e-9); sets the 6.5 pt label font and 0.3 pt lines first. */
void rd_y_grid(cairo_t *cr, const struct plot *p, double from, double step, double grey, double k);
void rd_dot(cairo_t *cr, double x, double y, double rad);
/* A polyline's next point (x, y): a line to it when *pen is down, else a
 * move there; the pen is down after. */
void rd_pen_to(cairo_t *cr, bool *pen, double x, double y);
void rd_legend_item(cairo_t *cr, double x, double y, const double rgb[3], bool line,
                    const char *label);

#endif
