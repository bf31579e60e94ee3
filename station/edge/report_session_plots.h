/*
 * report_session_plots.h - the session report's time plots (internal to
 * report_session.c).  Drawn at the document's current y, which they move
 * below themselves.  Thread: the document's.
 */
#ifndef GC_REPORT_SESSION_PLOTS_H
#define GC_REPORT_SESSION_PLOTS_H

#include "report_record.h"

struct doc;
void rs_draw_cadence_plot(struct doc *d, const struct report_record *r);
void rs_draw_loading_plot(struct doc *d, const struct report_record *r);

#endif
