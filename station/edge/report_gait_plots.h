/*
 * report_gait_plots.h - the session report's "Gait" page (issue 17 item
 * 5; internal to report_session.c): mean +- SD vertical force over % of
 * stance per side with the baseline phase overlaid, the COP butterfly,
 * step length and width per phase, and the L/R symmetry panel.
 *
 * rg_draw_gait_page loads the figures from the session's raw recording
 * (report_gait.h) and draws them on a new page; a recording that is
 * missing or changed gives one sentence on the page in their place (the
 * symmetry panel, drawn from the stored steps, stays).  Thread: the
 * document's.
 */
#ifndef GC_REPORT_GAIT_PLOTS_H
#define GC_REPORT_GAIT_PLOTS_H

#include "report_gait.h"
#include "report_record.h"

struct doc;
/* Starts a new page.  Never fails: what cannot be drawn (a missing or
 * changed recording, no memory) is said in one sentence on the page. */
void rg_draw_gait_page(struct doc *d, const struct report_record *r);
/* The same page from figures already loaded (tests, documentation). */
void rg_draw_gait(struct doc *d, const struct report_record *r, const struct report_gait *g);

/* The symmetry panel's figures from the stored steps (every step with a
 * side): mean per side and SI (report_gait_si). */
enum rg_sym { RG_SYM_CONTACT, RG_SYM_VALR, RG_SYM_VILR, RG_SYM_LENGTH, RG_SYM_IMPACT, RG_SYM_N };
struct rg_sym_row {
    const char *name, *unit;
    int dec;
    double left, right, si_pct;
    size_t n_left, n_right;
};
void rg_symmetry(const struct report_record *r, const struct report_gait *g,
                 struct rg_sym_row rows[RG_SYM_N]);

#endif
