/*
 * figure_points.c - draws docs/img/calib-points.png: the deck seen from
 * above with the 4 load cells, the 5 marked placement points of the guided
 * calibration and the verification point, from the same functions calib
 * uses (fit_std_points, fit_verify_point), so picture and tool agree.
 *
 *   calib-figure OUT.png        (target calib_figure, not built by default)
 */
#include <cairo.h>
#include <stdio.h>
#include <string.h>

#include "fit.h"

#define W_PX  820
#define H_PX  760
#define SCALE 420.0 /* px per m */

static double px(double x_m)
{
    return 250.0 + x_m * SCALE; /* deck on the left, legend on the right */
}
static double py(double y_m)
{
    return H_PX / 2.0 + 20.0 - y_m * SCALE; /* +y (front) up */
}

static void text_at(cairo_t *cr, double x, double y, const char *s, double size, int center)
{
    cairo_set_font_size(cr, size);
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    cairo_move_to(cr, center ? x - e.width / 2 - e.x_bearing : x, y - e.height / 2 - e.y_bearing);
    cairo_show_text(cr, s);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: calib-figure OUT.png\n");
        return 2;
    }
    struct deck_cal cal;
    memset(&cal, 0, sizeof cal);
    static const double cx[4] = {-0.30, 0.30, -0.30, 0.30}, cy[4] = {0.70, 0.70, -0.70, -0.70};
    for (unsigned i = 0; i < 4; i++) {
        cal.cell[i].x_m = cx[i];
        cal.cell[i].y_m = cy[i];
    }
    cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, W_PX, H_PX);
    cairo_t *cr = cairo_create(sf);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);

    /* Deck plate (a little larger than the cell rectangle). */
    cairo_set_source_rgb(cr, 0.90, 0.92, 0.95);
    cairo_rectangle(cr, px(-0.36), py(0.78), 0.72 * SCALE, 1.56 * SCALE);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.35);
    cairo_set_line_width(cr, 2);
    cairo_stroke(cr);
    /* Grid lines through the centre. */
    cairo_set_source_rgb(cr, 0.75, 0.77, 0.8);
    cairo_set_line_width(cr, 1);
    double dash[] = {6, 4};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, px(0), py(0.78));
    cairo_line_to(cr, px(0), py(-0.78));
    cairo_move_to(cr, px(-0.36), py(0));
    cairo_line_to(cr, px(0.36), py(0));
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);

    /* Load cells. */
    for (unsigned i = 0; i < 4; i++) {
        double x = px(cal.cell[i].x_m), y = py(cal.cell[i].y_m);
        cairo_set_source_rgb(cr, 0.15, 0.35, 0.65);
        cairo_rectangle(cr, x - 14, y - 14, 28, 28);
        cairo_fill(cr);
        char lab[48];
        snprintf(lab, sizeof lab, "ch%u %s", i, fit_corner_name(&cal, i));
        cairo_set_source_rgb(cr, 0.1, 0.2, 0.45);
        text_at(cr, x + (cal.cell[i].x_m > 0 ? -30 : 30), y + (cal.cell[i].y_m > 0 ? 32 : -32), lab,
                14, 1);
    }

    /* Marked points 1..5. */
    double mx[FIT_STD_POINTS], my[FIT_STD_POINTS];
    fit_std_points(&cal, mx, my);
    for (unsigned k = 0; k < FIT_STD_POINTS; k++) {
        double x = px(mx[k]), y = py(my[k]);
        cairo_set_source_rgb(cr, 0.85, 0.45, 0.1);
        cairo_arc(cr, x, y, 17, 0, 6.2832);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 1, 1, 1);
        char lab[8];
        snprintf(lab, sizeof lab, "%u", k + 1);
        text_at(cr, x, y, lab, 18, 1);
        cairo_set_source_rgb(cr, 0.4, 0.2, 0.0);
        snprintf(lab, sizeof lab, "%s", "");
        char coord[40];
        snprintf(coord, sizeof coord, "(%+.2f, %+.2f)", mx[k], my[k]);
        text_at(cr, x, y + 30, coord, 12, 1);
    }
    /* Verification point. */
    double vx, vy;
    fit_verify_point(&cal, &vx, &vy);
    cairo_set_source_rgb(cr, 0.1, 0.55, 0.25);
    cairo_set_line_width(cr, 3);
    cairo_move_to(cr, px(vx) - 12, py(vy) - 12);
    cairo_line_to(cr, px(vx) + 12, py(vy) + 12);
    cairo_move_to(cr, px(vx) + 12, py(vy) - 12);
    cairo_line_to(cr, px(vx) - 12, py(vy) + 12);
    cairo_stroke(cr);
    char coord[48];
    snprintf(coord, sizeof coord, "V (%+.2f, %+.2f)", vx, vy);
    text_at(cr, px(vx) + 18, py(vy), coord, 12, 0);

    /* Axes, title, legend. */
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    text_at(cr, W_PX / 2.0, 22, "gaitcue deck seen from above: calibration points", 17, 1);
    text_at(cr, px(0), 48, "front (+y)", 13, 1);
    text_at(cr, px(0), H_PX - 18, "rear (-y)", 13, 1);
    const double lx = 470;
    double ly = 160;
    static const char *const legend[] = {
        "Deck coordinates in metres:",
        "  x + towards the runner's right,",
        "  y + towards the front,",
        "  origin at the deck centre.",
        "",
        "Squares: load cells (ADC channel,",
        "  corner), at x = +/-0.30, y = +/-0.70.",
        "",
        "1-5: marked placement points of the",
        "  guided calib span: the centre and",
        "  half way from it to each cell.",
        "",
        "V: verification point of calib verify",
        "  (not used by span).",
    };
    for (unsigned k = 0; k < sizeof legend / sizeof legend[0]; k++, ly += 22) {
        if (k >= 8 && k <= 10)
            cairo_set_source_rgb(cr, 0.65, 0.3, 0.0);
        else if (k >= 12)
            cairo_set_source_rgb(cr, 0.1, 0.5, 0.2);
        else if (k >= 5 && k <= 6)
            cairo_set_source_rgb(cr, 0.1, 0.2, 0.45);
        else
            cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        text_at(cr, lx, ly, legend[k], 14, 0);
    }

    cairo_destroy(cr);
    cairo_status_t st = cairo_surface_write_to_png(sf, argv[1]);
    cairo_surface_destroy(sf);
    if (st != CAIRO_STATUS_SUCCESS) {
        fprintf(stderr, "calib-figure: cannot write %s: %s\n", argv[1], cairo_status_to_string(st));
        return 1;
    }
    return 0;
}
