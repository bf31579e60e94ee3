/*
 * report_export.c - the session as data: the steps CSV (re-importable,
 * numbers that read back as the same doubles) and the summary JSON
 * (figures rounded as printed).
 */
#include "report.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_doc.h"
#include "report_gait.h"
#include "steps_csv.h"
#include "summary.h"

/* ---- CSV / JSON exports -------------------------------------------- */

static void csv_num(FILE *f, double v, bool last)
{
    /* %.17g: the exported number reads back as the same double */
    if (isfinite(v))
        fprintf(f, "%.17g", v);
    fputc(last ? '\n' : ',', f);
}

static void csv_conditions(FILE *f, const struct store_conditions *c);

int report_session_csv(const struct report_record *rec, const char *csv_path,
                       const char *store_path, struct gc_diag *diag)
{
    const struct report_record r = *rec; /* a shallow copy: read only */
    struct out_file o;
    int rc = rd_out_open(&o, csv_path, store_path, diag);
    if (rc)
        return rc;
    FILE *f = o.f;
    fprintf(f, "# source=gaitcue %s session %lld\n# patient=%s\n# t0_s=%.17g\n", r.ss.sw_version,
            (long long)r.ss.id, r.pat.code, r.ss.t0_sensor_s);
    if (isfinite(r.ss.body_weight_n))
        fprintf(f, "# body_weight_n=%.17g\n", r.ss.body_weight_n);
    csv_conditions(f, &r.cond);
    fprintf(f, "index,side,t_ic_s,t_to_s,contact_ms,flight_ms,step_ms,cadence_spm,impact_peak_n,"
               "impact_peak_bw,t_impact_s,valr_bw_s,vilr_bw_s,active_peak_n,active_peak_bw,"
               "flags,phase,phase_name,in_band,under_ceiling,stride_cadence_spm,target_spm,"
               "band_lo_spm,band_hi_spm,valr_ceiling_bw_s,feedback\n");
    double prev_step_ms = NAN; /* in_band judges the stride cadence (session.h) */
    for (size_t i = 0; i < r.n_steps; i++) {
        const struct session_step *s = &r.steps[i];
        const struct gait_step *g = &s->step;
        fprintf(f, "%u,%s,", g->index,
                g->side == GAIT_SIDE_LEFT    ? "L"
                : g->side == GAIT_SIDE_RIGHT ? "R"
                                             : "");
        csv_num(f, g->t_ic_s, false);
        csv_num(f, g->t_to_s, false);
        csv_num(f, g->contact_ms, false);
        csv_num(f, g->flight_ms, false);
        csv_num(f, g->step_ms, false);
        csv_num(f, g->cadence_spm, false);
        csv_num(f, g->impact_peak_n, false);
        csv_num(f, g->impact_peak_bw, false);
        csv_num(f, g->t_impact_s, false);
        csv_num(f, g->valr_bw_s, false);
        csv_num(f, g->vilr_bw_s, false);
        csv_num(f, g->active_peak_n, false);
        csv_num(f, g->active_peak_bw, false);
        const char *pname = "";
        for (size_t k = 0; k < r.n_phases; k++)
            if (r.phases[k].idx == s->phase)
                pname = r.phases[k].name;
        char flags[STEPS_CSV_FLAGS_LEN];
        steps_csv_format_flags(g->flags, flags, sizeof flags); /* same tokens as the steps CSV */
        fprintf(f, "%s,%d,%s,", flags, s->phase, pname);
        if (s->in_band >= 0)
            fprintf(f, "%d", s->in_band);
        fputc(',', f);
        if (s->under_ceiling >= 0)
            fprintf(f, "%d", s->under_ceiling);
        fputc(',', f);
        double step_ms = (g->flags & GAIT_STEP_AFTER_GAP) ? NAN : g->step_ms;
        csv_num(f, session_stride_cadence(step_ms, prev_step_ms), false);
        prev_step_ms = step_ms > 0 ? step_ms : NAN;
        /* what the runner was given at this step's initial contact */
        const struct session_targets *t = report_targets_at(&r, g->t_ic_s - r.ss.t0_sensor_s);
        csv_num(f, t ? t->cadence_spm : NAN, false);
        csv_num(f, t ? t->cadence_lo_spm : NAN, false);
        csv_num(f, t ? t->cadence_hi_spm : NAN, false);
        csv_num(f, t ? t->valr_ceiling_bw_s : NAN, false);
        fprintf(f, "%s\n", t ? plan_feedback_name(t->feedback) : "");
    }
    return rd_out_close(&o, true, diag);
}

/* JSON number: the value rounded as printed, or null. */
/* The conditions and link health as meta lines (a field not known is
 * left out). */
static void csv_conditions(FILE *f, const struct store_conditions *c)
{
    char shoe[STORE_SHOE_MAX];
    snprintf(shoe, sizeof shoe, "%s", c->shoe);
    for (char *p = shoe; *p; p++) /* one line, whatever was typed */
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    if (shoe[0])
        fprintf(f, "# shoe=%s\n", shoe);
    if (isfinite(c->speed_mps))
        fprintf(f, "# speed_mps=%.2f\n", c->speed_mps);
    if (isfinite(c->incline_pct))
        fprintf(f, "# incline_pct=%.1f\n", c->incline_pct);
    /* the start's values above; each change during the session after them:
     * "# condition_change=25.0 speed_mps 3.00 -> 3.40 (ctl)" (from "none"
     * when not entered before) */
    size_t n = c->n_changes < STORE_COND_CHANGES_MAX ? c->n_changes : STORE_COND_CHANGES_MAX;
    for (size_t i = 0; i < n; i++) {
        const struct store_condition_change *ch = &c->changes[i];
        char from[32] = "none";
        if (isfinite(ch->from))
            snprintf(from, sizeof from, "%.*f", ch->incline ? 1 : 2, ch->from);
        fprintf(f, "# condition_change=%.1f %s %s -> %.*f (%s)\n", ch->t_rel_s,
                ch->incline ? "incline_pct" : "speed_mps", from, ch->incline ? 1 : 2, ch->to,
                ch->source);
    }
    if (isfinite(c->deck_speed_mps) && c->deck_speed_steps >= SUMMARY_DECK_MIN_STEPS)
        fprintf(f, "# deck_speed_mps=%.3f\n# deck_speed_ci95_mps=%.3f\n# deck_speed_steps=%lld\n",
                c->deck_speed_mps, c->deck_speed_ci95_mps, (long long)c->deck_speed_steps);
    if (c->link_lost >= 0)
        fprintf(f, "# link_requested=%lld\n# link_recovered=%lld\n# link_lost=%lld\n",
                (long long)c->link_requested, (long long)c->link_recovered,
                (long long)c->link_lost);
}

static void json_fig(cJSON *o, const char *key, double v, int dec)
{
    if (!isfinite(v)) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    char buf[48];
    session_fmt(buf, sizeof buf, v, dec);
    cJSON_AddItemToObject(o, key, cJSON_CreateNumber(strtod(buf, NULL)));
}

static cJSON *json_stats(const struct session_stats *x)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "steps", (double)x->n_steps);
    cJSON_AddNumberToObject(o, "steps_left", (double)x->n_left);
    cJSON_AddNumberToObject(o, "steps_right", (double)x->n_right);
    json_fig(o, "cadence_spm", x->cadence_spm, SESSION_DEC_CADENCE);
    json_fig(o, "contact_ms", x->contact_ms, SESSION_DEC_CONTACT);
    json_fig(o, "impact_peak_bw", x->impact_peak_bw, SESSION_DEC_PEAK_BW);
    cJSON_AddNumberToObject(o, "steps_with_impact_peak", (double)x->n_impact);
    json_fig(o, "valr_bw_s", x->valr_bw_s, SESSION_DEC_RATE);
    json_fig(o, "vilr_bw_s", x->vilr_bw_s, SESSION_DEC_RATE);
    json_fig(o, "in_band_pct", isfinite(x->share_in_band) ? x->share_in_band * 100 : NAN,
             SESSION_DEC_SHARE);
    json_fig(o, "under_ceiling_pct",
             isfinite(x->share_under_ceiling) ? x->share_under_ceiling * 100 : NAN,
             SESSION_DEC_SHARE);
    json_fig(o, "valr_over_66_pct", isfinite(x->share_valr_risk) ? x->share_valr_risk * 100 : NAN,
             SESSION_DEC_SHARE);
    json_fig(o, "contact_left_ms", x->contact_l_ms, SESSION_DEC_CONTACT);
    json_fig(o, "contact_right_ms", x->contact_r_ms, SESSION_DEC_CONTACT);
    json_fig(o, "valr_left_bw_s", x->valr_l_bw_s, SESSION_DEC_RATE);
    json_fig(o, "valr_right_bw_s", x->valr_r_bw_s, SESSION_DEC_RATE);
    json_fig(o, "si_contact_pct", x->si_contact_pct, SESSION_DEC_SI);
    json_fig(o, "si_valr_pct", x->si_valr_pct, SESSION_DEC_SI);
    return o;
}

static void json_targets(cJSON *o, const struct session_targets *t)
{
    json_fig(o, "cadence_target_spm", t->cadence_spm, SESSION_DEC_CADENCE);
    json_fig(o, "cadence_lo_spm", t->cadence_lo_spm, SESSION_DEC_CADENCE);
    json_fig(o, "cadence_hi_spm", t->cadence_hi_spm, SESSION_DEC_CADENCE);
    json_fig(o, "valr_ceiling_bw_s", t->valr_ceiling_bw_s, SESSION_DEC_RATE);
    cJSON_AddStringToObject(o, "feedback", plan_feedback_name(t->feedback));
}

static void json_rear(cJSON *o, const double share[3])
{
    cJSON *rs = cJSON_AddObjectToObject(o, "rearfoot_share");
    if (!rs)
        return;
    json_fig(rs, "all", share[REPORT_GAIT_ALL], 3);
    json_fig(rs, "left", share[REPORT_GAIT_LEFT], 3);
    json_fig(rs, "right", share[REPORT_GAIT_RIGHT], 3);
}

/* The Gait page's figures (report_gait.h), replayed from the recording. */
static int json_gait(cJSON *root, const struct report_record *r, struct gc_diag *diag)
{
    struct report_gait *g = calloc(1, sizeof *g); /* ~70 kB: not on the stack */
    if (!g)
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory for the gait figures");
    int rc = report_gait_load(r, g, diag);
    cJSON *o = rc == GC_OK ? cJSON_AddObjectToObject(root, "gait") : NULL;
    if (o) {
        cJSON_AddBoolToObject(o, "available", g->available);
        cJSON_AddStringToObject(o, g->available ? "note" : "why", g->why);
    }
    if (o && g->available) {
        cJSON_AddStringToObject(o, "step_length_speed",
                                isfinite(g->length_speed_mps) ? "entered" : "deck");
        json_fig(o, "step_length_speed_mps", g->length_speed_mps, 2);
        cJSON_AddNumberToObject(o, "step_length_speed_changes", (double)g->length_speed_changes);
        json_fig(o, "speed_mps", g->speed_mps, 3);
        json_fig(o, "speed_ci95_mps", g->speed_ci95_mps, 3);
        cJSON_AddNumberToObject(o, "speed_steps", (double)g->speed_steps);
        cJSON *pm = cJSON_AddArrayToObject(o, "speed_per_minute");
        for (size_t i = 0; pm && i < g->n_minutes; i++) {
            cJSON *m = cJSON_CreateObject();
            cJSON_AddNumberToObject(m, "minute", (double)g->minutes[i].minute);
            json_fig(m, "speed_mps", g->minutes[i].speed_mps, 3);
            json_fig(m, "ci95_mps", g->minutes[i].ci95_mps, 3);
            cJSON_AddNumberToObject(m, "steps", (double)g->minutes[i].steps);
            cJSON_AddItemToArray(pm, m);
        }
        json_fig(o, "step_length_left_m", g->length_side_m[0], 3);
        json_fig(o, "step_length_right_m", g->length_side_m[1], 3);
        json_rear(o, g->rearfoot_share);
        cJSON *ph = cJSON_AddArrayToObject(o, "phases");
        for (size_t i = 0; ph && i < g->n_phases && i < r->n_phases; i++) {
            const struct report_gait_phase *p = &g->phases[i];
            cJSON *m = cJSON_CreateObject();
            cJSON_AddStringToObject(m, "name", r->phases[i].name);
            cJSON_AddNumberToObject(m, "steps_length", (double)p->n_length);
            json_fig(m, "step_length_m", p->length_m, 3);
            json_fig(m, "step_length_sd_m", p->length_sd_m, 3);
            json_fig(m, "step_width_m", p->width_m, 3);
            json_fig(m, "step_width_sd_m", p->width_sd_m, 3);
            json_fig(m, "speed_mps", p->speed_mps, 3);
            json_rear(m, p->rearfoot_share);
            cJSON_AddItemToArray(ph, m);
        }
    }
    report_gait_free(g);
    free(g);
    return rc;
}

int report_session_json(const struct report_record *rec, const char *json_path,
                        const char *store_path, struct gc_diag *diag)
{
    const struct report_record r = *rec; /* a shallow copy: read only */
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "session", (double)r.ss.id);
    cJSON_AddStringToObject(root, "patient", r.pat.code);
    cJSON_AddStringToObject(root, "status", store_status_name(r.ss.status));
    char how[200];
    report_status_text(&r.ss, how, sizeof how);
    cJSON_AddStringToObject(root, "status_text", how);
    cJSON_AddStringToObject(root, "stopped_by", r.ss.stopped_by);
    cJSON_AddStringToObject(root, "feedback_delivery", r.ss.feedback_delivery);
    cJSON_AddBoolToObject(root, "simulated", r.ss.simulated);
    json_fig(root, "stopped_at_s", r.ss.stopped_at_s, 1);
    if (r.ss.excluded_utc)
        cJSON_AddStringToObject(root, "excluded_reason", r.ss.exclude_reason);
    char date[40];
    time_t t = (time_t)r.ss.start_utc;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    cJSON_AddStringToObject(root, "start_utc", date);
    cJSON_AddStringToObject(root, "protocol", r.ss.protocol_name);
    cJSON_AddStringToObject(root, "therapist", r.ss.therapist);
    cJSON_AddStringToObject(root, "sensor_serial", r.ss.sensor_serial);
    cJSON_AddStringToObject(root, "calibration", r.ss.calib_name);
    cJSON_AddStringToObject(root, "calibration_date", r.ss.calib_date);
    json_fig(root, "body_weight_n", r.ss.body_weight_n, 1);
    cJSON_AddStringToObject(root, "software_version", r.ss.sw_version);
    cJSON_AddNumberToObject(root, "time_scale", r.ss.time_scale);
    /* conditions (null: not entered / not known) and link health */
    cJSON *cond = cJSON_AddObjectToObject(root, "conditions");
    if (cond) {
        if (r.cond.shoe[0])
            cJSON_AddStringToObject(cond, "shoe", r.cond.shoe);
        else
            cJSON_AddNullToObject(cond, "shoe");
        json_fig(cond, "speed_mps", r.cond.speed_mps, 2);
        json_fig(cond, "incline_pct", r.cond.incline_pct, 1);
        /* the changes during the session (speed_mps/incline_pct: at the start) */
        cJSON *chs = cJSON_AddArrayToObject(cond, "changes");
        size_t nch = r.cond.n_changes < STORE_COND_CHANGES_MAX ? r.cond.n_changes
                                                               : STORE_COND_CHANGES_MAX;
        for (size_t i = 0; chs && i < nch; i++) {
            const struct store_condition_change *x = &r.cond.changes[i];
            cJSON *o = cJSON_CreateObject();
            if (!o)
                break;
            json_fig(o, "t_s", x->t_rel_s, 1);
            cJSON_AddStringToObject(o, "what", x->incline ? "incline_pct" : "speed_mps");
            json_fig(o, "from", x->from, x->incline ? 1 : 2);
            json_fig(o, "to", x->to, x->incline ? 1 : 2);
            cJSON_AddStringToObject(o, "source", x->source);
            cJSON_AddItemToArray(chs, o);
        }
        double since_s;
        double end_speed = store_conditions_end_speed(&r.cond, &since_s);
        bool deck = isfinite(r.cond.deck_speed_mps) &&
                    r.cond.deck_speed_steps >= SUMMARY_DECK_MIN_STEPS;
        json_fig(cond, "deck_speed_mps", deck ? r.cond.deck_speed_mps : NAN, 3);
        json_fig(cond, "deck_speed_ci95_mps", deck ? r.cond.deck_speed_ci95_mps : NAN, 3);
        cJSON_AddNumberToObject(cond, "deck_speed_steps", (double)r.cond.deck_speed_steps);
        /* the estimate is over the steps since the last entered speed */
        json_fig(cond, "deck_speed_since_s", since_s, 1);
        if (isfinite(end_speed) && deck)
            cJSON_AddBoolToObject(cond, "speed_disagrees",
                                  fabs(r.cond.deck_speed_mps - end_speed) >
                                      SUMMARY_SPEED_DISAGREE_FRAC * end_speed);
        else
            cJSON_AddNullToObject(cond, "speed_disagrees");
        if (r.has_prev) {
            char why[400];
            bool differ = store_conditions_differ(&r.prev_cond, &r.cond, why, sizeof why);
            cJSON_AddBoolToObject(cond, "differ_from_previous", differ);
            cJSON_AddStringToObject(cond, "differences", why);
        }
    }
    cJSON *link = cJSON_AddObjectToObject(root, "link");
    if (link) {
        if (r.cond.link_lost >= 0) {
            cJSON_AddNumberToObject(link, "requested", (double)r.cond.link_requested);
            cJSON_AddNumberToObject(link, "recovered", (double)r.cond.link_recovered);
            cJSON_AddNumberToObject(link, "lost", (double)r.cond.link_lost);
        } else {
            cJSON_AddNullToObject(link, "requested");
            cJSON_AddNullToObject(link, "recovered");
            cJSON_AddNullToObject(link, "lost");
        }
    }
    cJSON *phases = cJSON_AddArrayToObject(root, "phases");
    for (size_t i = 0; i < r.n_phases; i++) {
        const struct store_phase *ph = &r.phases[i];
        struct session_stats x;
        session_stats_compute(r.steps, r.n_steps, SESSION_PHASE_BIT(ph->idx), &x);
        cJSON *o = json_stats(&x);
        cJSON_AddStringToObject(o, "name", ph->name);
        cJSON_AddStringToObject(o, "kind", plan_kind_name(ph->kind));
        cJSON_AddBoolToObject(o, "reached", ph->started);
        json_fig(o, "start_s", ph->start_s, 1);
        json_fig(o, "planned_s", ph->planned_s, 1);
        json_targets(o, &ph->targets);
        cJSON_AddItemToArray(phases, o);
    }
    struct session_stats all;
    session_stats_compute(r.steps, r.n_steps, SESSION_ALL_PHASES, &all);
    cJSON_AddItemToObject(root, "whole_session", json_stats(&all));
    cJSON *ch = cJSON_AddArrayToObject(root, "target_changes");
    for (size_t i = 0; i < r.n_changes; i++) {
        cJSON *o = cJSON_CreateObject();
        json_fig(o, "t_s", r.changes[i].t_s - r.ss.t0_sensor_s, 1);
        cJSON_AddStringToObject(
            o, "source", r.changes[i].source == STORE_SRC_THERAPIST ? "therapist" : "protocol");
        json_targets(o, &r.changes[i].targets);
        cJSON_AddStringToObject(o, "note", r.changes[i].note);
        cJSON_AddItemToArray(ch, o);
    }
    cJSON *mk = cJSON_AddArrayToObject(root, "markers");
    for (size_t i = 0; i < r.n_markers; i++) {
        cJSON *o = cJSON_CreateObject();
        json_fig(o, "t_s", r.markers[i].t_s - r.ss.t0_sensor_s, 1);
        cJSON_AddStringToObject(o, "kind", store_marker_kind_name(r.markers[i].kind));
        if (r.markers[i].pain >= 0)
            cJSON_AddNumberToObject(o, "pain", r.markers[i].pain);
        cJSON_AddStringToObject(o, "text", r.markers[i].text);
        if (r.markers[i].source[0])
            cJSON_AddStringToObject(o, "source", r.markers[i].source);
        cJSON_AddItemToArray(mk, o);
    }
    /* pain and symptoms reported for the session, every source: live
     * markers ("ctl mark"), 'station symptoms' and 'station prom' records
     * attached to it (report_record.h) */
    cJSON *sy = cJSON_AddArrayToObject(root, "symptoms");
    for (size_t i = 0; i < r.n_symptoms; i++) {
        const struct report_symptom *y = &r.symptoms[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "source", report_symptom_source_name(y->source));
        if (y->by[0])
            cJSON_AddStringToObject(o, "by", y->by);
        cJSON_AddStringToObject(o, "when", course_when_name(y->when));
        if (isfinite(y->t_rel_s))
            json_fig(o, "t_s", y->t_rel_s, 1);
        if (y->utc > 0)
            cJSON_AddNumberToObject(o, "utc", (double)y->utc);
        if (y->pain >= 0)
            cJSON_AddNumberToObject(o, "pain", y->pain);
        if (y->site[0])
            cJSON_AddStringToObject(o, "site", y->site);
        cJSON *fl = cJSON_AddArrayToObject(o, "flags");
        for (unsigned b = 1; b <= PROGRAM_SYM_ALL; b <<= 1)
            if (y->flags & b)
                cJSON_AddItemToArray(fl, cJSON_CreateString(program_symptom_name(b)));
        if (y->lefs >= 0)
            cJSON_AddNumberToObject(o, "lefs", y->lefs);
        if (y->note[0])
            cJSON_AddStringToObject(o, "note", y->note);
        cJSON_AddItemToArray(sy, o);
    }
    struct report_key key;
    report_key_of(&r, &key);
    if (key.pain_max >= 0)
        cJSON_AddNumberToObject(root, "pain_max", key.pain_max);
    else
        cJSON_AddNullToObject(root, "pain_max");
    cJSON_AddBoolToObject(root, "program_session", r.in_program);
    int grc = json_gait(root, &r, diag);
    if (grc != GC_OK) {
        cJSON_Delete(root);
        return grc;
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory formatting the session summary");
    struct out_file o;
    int rc = rd_out_open(&o, json_path, store_path, diag);
    if (rc == GC_OK) {
        fputs(text, o.f);
        fputc('\n', o.f);
        rc = rd_out_close(&o, true, diag);
    }
    free(text);
    return rc;
}
