/*
 * feedback_commands.c - the therapist's commands during a session: set,
 * get and mark from the control socket, the web console and the keys
 * (they share these), applied to the session (its one owner, main thread)
 * and the feedback policy (see feedback_app_impl.h).
 */
#define LOG_PREFIX "feedback"
#include "feedback_app_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gc_error.h"
#include "log.h"
#include "ranges.h"
#include "summary.h"

static bool in_range(double x, double lo, double hi)
{
    return isfinite(x) && x >= lo && x <= hi;
}

/* One typed command to the session; reply "ok <what is in force>" or
 * "error <what is accepted>". */
static void session_command(struct feedback_app *app, const struct session_cmd *c,
                            const char *source, char *reply, size_t cap)
{
    struct session_event ev[3];
    int n = 0;
    struct gc_diag why;
    if (session_apply(&app->sess, c, app->t_session_s, source, ev, &n, &why) != GC_OK) {
        snprintf(reply, cap, "error %s", why.msg[0] ? why.msg : "refused");
        return;
    }
    fa_session_changed(app, ev, n);
    snprintf(reply, cap, "ok %s", n > 0 ? ev[n - 1].note : "");
    /* a feedback phase entered by hand without a cadence target (no
     * baseline was measured): say so, and how to give one */
    struct session_view sv;
    session_get_view(&app->sess, &sv);
    if (c->kind == SESSION_CMD_PHASE && sv.phase >= 0 && !sv.ended &&
        (sv.kind == PLAN_KIND_TRAINING || sv.kind == PLAN_KIND_RUN) &&
        !isfinite(sv.targets.cadence_spm)) {
        size_t len = strlen(reply);
        snprintf(reply + len, cap - len,
                 "; no cadence target (%s): set one with 'set target-cadence SPM' or 'set "
                 "baseline SPM'",
                 sv.baseline.valid ? "the plan gives none" : "no baseline was measured");
    }
}

static int kind_parse(const char *w, enum plan_kind *k)
{
    static const enum plan_kind kinds[] = {PLAN_KIND_WEIGH_IN, PLAN_KIND_BASELINE,
                                           PLAN_KIND_TRAINING, PLAN_KIND_RETENTION,
                                           PLAN_KIND_RUN,      PLAN_KIND_WALK};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(w, plan_kind_name(kinds[i]))) {
            *k = kinds[i];
            return GC_OK;
        }
    return GC_ERR_ARG;
}

/* A therapist setting that is no session state (sound, display): logged
 * the same way. */
static void log_change(struct feedback_app *app, const char *text, const char *source)
{
    char t[32];
    fa_clock_mmss(t, sizeof t, app->t_session_s);
    snprintf(app->note, sizeof app->note, "%.12s set %.50s (%.10s)", t, text, source);
    LOG_INFO("t=%.3f s set %s (%s)", app->t_session_s, text, source);
    if (app->cfg.changes_out)
        fprintf(app->cfg.changes_out, "therapist: t=%.1f s set %s (%s)\n", app->t_session_s, text,
                source);
}

/* ---- the therapist's commands (keys and ctl share these) ------------------ */

static bool is_none(const char *w)
{
    return !strcmp(w, "none") || !strcmp(w, "off");
}

/* Applies one setting; reply gets "ok ..." or "error ...". */
static void do_set(struct feedback_app *app, const char *key, const struct ctl_cmd *c,
                   const char *source, char *reply, size_t cap)
{
    double x = c->num[0];
    const char *w = c->arg[0];
    struct session_cmd sc = {0, NAN, 0};
    if (!strcmp(key, "target-cadence")) {
        sc.kind = SESSION_CMD_CADENCE;
        sc.value = is_none(w) ? NAN : x;
        if (!is_none(w) && !isfinite(x)) {
            snprintf(reply, cap, "error target-cadence must be " RANGE_CADENCE_TEXT " or none");
            return;
        }
    } else if (!strcmp(key, "target-relative")) {
        sc.kind = SESSION_CMD_CADENCE_REL;
        sc.value = x;
    } else if (!strcmp(key, "band")) {
        sc.kind = SESSION_CMD_BAND;
        sc.value = x;
    } else if (!strcmp(key, "loading-ceiling")) {
        sc.kind = SESSION_CMD_VALR_CEILING;
        sc.value = is_none(w) ? NAN : x;
        if (!is_none(w) && !isfinite(x)) {
            snprintf(reply, cap,
                     "error loading-ceiling must be " RANGE_VALR_CEILING_TEXT " or none");
            return;
        }
    } else if (!strcmp(key, "mode")) {
        enum feedback_mode m;
        if (feedback_mode_parse(w, &m) != GC_OK) {
            snprintf(reply, cap, "error mode must be continuous, bandwidth, faded or off");
            return;
        }
        sc.kind = SESSION_CMD_FEEDBACK;
        sc.arg = m == FEEDBACK_MODE_CONTINUOUS  ? PLAN_FB_CONTINUOUS
                 : m == FEEDBACK_MODE_BANDWIDTH ? PLAN_FB_BANDWIDTH
                 : m == FEEDBACK_MODE_FADED     ? PLAN_FB_FADED
                                                : PLAN_FB_NONE;
    } else if (!strcmp(key, "phase")) {
        enum plan_kind k;
        if (kind_parse(w, &k) != GC_OK) {
            snprintf(reply, cap,
                     "error phase must be weigh-in, baseline, training, retention, run or walk");
            return;
        }
        sc.kind = SESSION_CMD_PHASE;
        sc.arg = (int)k;
    } else if (!strcmp(key, "baseline")) {
        sc.kind = SESSION_CMD_BASELINE;
        sc.value = x;
    }
    if (sc.kind) {
        session_command(app, &sc, source, reply, cap);
        return;
    }

    uint64_t seq = 0;
    char text[160];
    text[0] = 0;
    if (!strcmp(key, "speed")) {
        if (!in_range(x, RANGE_BELT_SPEED_MIN_MPS, RANGE_BELT_SPEED_MAX_MPS)) {
            snprintf(reply, cap, "error speed must be the belt speed in m/s, %s",
                     RANGE_BELT_SPEED_TEXT);
            return;
        }
        app->belt_mps = x;
        app->belt_since_s = app->t_session_s; /* the deck's estimate starts again */
        snprintf(text, sizeof text, "speed=%.2f m/s", x);
    } else if (!strcmp(key, "incline")) {
        if (!in_range(x, RANGE_INCLINE_MIN_PCT, RANGE_INCLINE_MAX_PCT)) {
            snprintf(reply, cap, "error incline must be %s", RANGE_INCLINE_TEXT);
            return;
        }
        app->incline_pct = x;
        snprintf(text, sizeof text, "incline=%.1f %%", x);
    } else if (!strcmp(key, "impact-ceiling")) {
        double v = is_none(w) ? NAN : x;
        if (!isnan(v) && !in_range(v, RANGE_IMPACT_CEILING_MIN_BW, RANGE_IMPACT_CEILING_MAX_BW)) {
            snprintf(reply, cap,
                     "error impact-ceiling must be " RANGE_IMPACT_CEILING_TEXT " or off");
            return;
        }
        seq = fa_send(app, FA_IMPACT, v, 0, 0);
        if (isnan(v))
            snprintf(text, sizeof text, "impact-ceiling=off");
        else
            snprintf(text, sizeof text, "impact-ceiling=%.2f", v);
    } else if (!strcmp(key, "metronome")) {
        app->metronome_enabled = !strcmp(w, "on");
        seq = fa_send(app, FA_METRONOME, app->metronome_enabled, 0, 0);
        snprintf(text, sizeof text, "metronome=%.16s", w);
    } else if (!strcmp(key, "mute")) {
        app->muted = !strcmp(w, "on");
        audio_set_mute(app->audio, app->muted);
        seq = fa_send(app, FA_MUTE, app->muted, 0, 0);
        snprintf(text, sizeof text, "mute=%.16s", w);
    } else if (!strcmp(key, "align")) {
        app->align = !strcmp(w, "on");
        audio_set_align(app->audio, app->align);
        snprintf(text, sizeof text, "align=%.16s", w);
    } else if (!strcmp(key, "volume")) {
        if (!in_range(x, 0, 100)) {
            snprintf(reply, cap, "error volume must be 0..100");
            return;
        }
        app->volume = x / 100.0;
        audio_set_volume(app->audio, app->volume);
        snprintf(text, sizeof text, "volume=%.0f", x);
    } else if (!strcmp(key, "cues")) {
        enum audio_cue_set s;
        if (audio_cue_set_parse(w, &s) != GC_OK) {
            snprintf(reply, cap, "error cues must be tones or soft");
            return;
        }
        app->cue_set = s;
        audio_set_cue_set(app->audio, s);
        snprintf(text, sizeof text, "cues=%.16s", w);
    } else if (!strcmp(key, "good-cue")) {
        double every = c->nargs > 1 ? c->num[1] : app->view.good_step_every;
        if (!in_range(every, 1, 1000)) {
            snprintf(reply, cap, "error good-cue EVERY must be 1..1000 steps");
            return;
        }
        seq = fa_send(app, FA_GOOD_CUE, !strcmp(w, "on"), floor(every), 0);
        snprintf(text, sizeof text, "good-cue=%.16s every=%.0f", w, floor(every));
    } else if (!strcmp(key, "intervals")) {
        snprintf(reply, cap,
                 "error run/walk intervals come from the protocol (kind = intervals); use "
                 "'set phase run' or 'set phase walk'");
        return;
    } else {
        snprintf(reply, cap, "error cannot set '%s'", key);
        return;
    }
    if (seq == 0 && (!strcmp(key, "impact-ceiling") || !strcmp(key, "metronome") ||
                     !strcmp(key, "mute") || !strcmp(key, "good-cue"))) {
        snprintf(reply, cap, "error the audio thread is not keeping up; try again");
        return;
    }
    if (seq)
        fa_wait_applied(app, seq);
    log_change(app, text, source);
    if (app->cfg.log_event)
        app->cfg.log_event(app->cfg.user, app->t_session_s, "set", text, source);
    snprintf(reply, cap, "ok %s", text);
}

/* x with `decimals` decimals (and a sign if plus), or "none" */
static void fmt_num(char *buf, size_t cap, int decimals, bool plus, double x)
{
    if (!isfinite(x))
        snprintf(buf, cap, "none");
    else if (plus)
        snprintf(buf, cap, "%+.*f", decimals, x);
    else
        snprintf(buf, cap, "%.*f", decimals, x);
}

static void do_get(struct feedback_app *app, const char *key, char *reply, size_t cap)
{
    const struct feedback_view *v = &app->view;
    struct session_view sv;
    session_get_view(&app->sess, &sv);
    const struct session_targets *t = &sv.targets;
    double band_pct = isfinite(t->cadence_spm) && t->cadence_spm > 0
                          ? 100.0 * (t->cadence_hi_spm - t->cadence_lo_spm) / 2.0 / t->cadence_spm
                          : NAN;
    const char *mode = t->feedback == PLAN_FB_NONE ? "off" : plan_feedback_name(t->feedback);
    char a[48], b[32], c[32], d[32], e[32], f[32], g[32], h[32];
    struct feedback_app_treadmill tr;
    feedback_app_get_treadmill(app, &tr);
    if (!strcmp(key, "status")) {
        char tm[400], sp[32], inc[32], dk[32], ci[32], sl[32], sw[32];
        fmt_num(sp, sizeof sp, 2, false, tr.speed_mps);
        fmt_num(inc, sizeof inc, 1, false, tr.incline_pct);
        fmt_num(dk, sizeof dk, 2, false, tr.deck_speed_mps);
        fmt_num(ci, sizeof ci, 2, false, tr.deck_speed_ci95_mps);
        fmt_num(sl, sizeof sl, 3, false, tr.step_length_m);
        fmt_num(sw, sizeof sw, 3, false, tr.step_width_m);
        snprintf(tm, sizeof tm,
                 " speed=%s incline=%s deck-speed=%s deck-speed-ci95=%s "
                 "deck-speed-steps=%u speed-check=%s step-length=%s step-width=%s",
                 sp, inc, dk, ci, tr.deck_speed_steps, tr.speed_check, sl, sw);
        fmt_num(a, sizeof a, 1, false, t->cadence_spm);
        fmt_num(b, sizeof b, 1, false, v->cadence_spm);
        fmt_num(c, sizeof c, 3, false, sv.share_in_band);
        fmt_num(d, sizeof d, 1, false, v->last_valr_bw_s);
        fmt_num(e, sizeof e, 1, false, t->valr_ceiling_bw_s);
        fmt_num(f, sizeof f, 1, false, sv.baseline.valid ? sv.baseline.cadence_spm : NAN);
        fmt_num(g, sizeof g, 1, false, band_pct);
        fmt_num(h, sizeof h, 1, false, sv.body_weight_n);
        char ivl[24] = "";
        if (sv.intervals > 0)
            snprintf(ivl, sizeof ivl, " interval=%d/%d", sv.interval, sv.intervals);
        snprintf(reply, cap,
                 "ok t=%.1f patient=%s phase=%s%s phase-name=\"%.40s\" mode=%s feedback=%s "
                 "target-cadence=%s band=%s cadence=%s state=%s in-band=%s steps=%zu "
                 "scored=%zu valr=%s loading-ceiling=%s baseline=%s body-weight=%s "
                 "metronome=%s:%.1f mute=%s store=%s recording=%s link=%s link-resent=%llu "
                 "link-lost=%llu%s",
                 app->t_session_s, app->patient[0] ? app->patient : "none",
                 sv.phase < 0 ? "starting" : sv.ended ? "ended" : plan_kind_name(sv.kind), ivl,
                 sv.phase_name, mode, v->feedback_on ? "on" : "off", a, g, b,
                 feedback_band_name(v->band), c, sv.steps, sv.steps_scored, d, e, f, h,
                 v->metronome_on ? "on" : "off", v->metronome_spm, v->muted ? "on" : "off",
                 app->store_failed ? "failing" : "ok", app->record_failed ? "failing" : "ok",
                 app->status.link_losing ? "losing" : app->status.link_ok ? "ok" : "down",
                 app->status.link_recovered, app->status.link_lost, tm);
        return;
    }
    if (!strcmp(key, "target-cadence")) {
        fmt_num(a, sizeof a, 1, false, t->cadence_spm);
        if (!isfinite(t->cadence_spm) && isfinite(sv.pending_cadence_spm)) {
            /* set by the PT in a phase without feedback: say it is kept */
            snprintf(reply, cap, "ok target-cadence=none next-feedback-phase=%.1f",
                     sv.pending_cadence_spm);
            return;
        }
    }
    else if (!strcmp(key, "target-relative")) /* the target over the baseline, % */
        fmt_num(a, sizeof a, 1, true,
                sv.baseline.valid && sv.baseline.cadence_spm > 0
                    ? 100.0 * (t->cadence_spm / sv.baseline.cadence_spm - 1.0)
                    : NAN);
    else if (!strcmp(key, "band"))
        fmt_num(a, sizeof a, 1, false, band_pct);
    else if (!strcmp(key, "loading-ceiling"))
        fmt_num(a, sizeof a, 1, false, t->valr_ceiling_bw_s);
    else if (!strcmp(key, "impact-ceiling"))
        fmt_num(a, sizeof a, 2, false, v->impact_ceiling_bw);
    else if (!strcmp(key, "mode"))
        snprintf(a, sizeof a, "%s", mode);
    else if (!strcmp(key, "metronome"))
        snprintf(a, sizeof a, "%s", app->metronome_enabled ? "on" : "off");
    else if (!strcmp(key, "mute"))
        snprintf(a, sizeof a, "%s", app->muted ? "on" : "off");
    else if (!strcmp(key, "align"))
        snprintf(a, sizeof a, "%s", app->align ? "on" : "off");
    else if (!strcmp(key, "volume"))
        snprintf(a, sizeof a, "%.0f", app->volume * 100);
    else if (!strcmp(key, "cues"))
        snprintf(a, sizeof a, "%s", audio_cue_set_name(app->cue_set));
    else if (!strcmp(key, "good-cue"))
        snprintf(a, sizeof a, "%s:%u", v->good_step_cue ? "on" : "off", v->good_step_every);
    else if (!strcmp(key, "phase"))
        snprintf(a, sizeof a, "%s",
                 sv.phase < 0 ? "starting" : sv.ended ? "ended" : plan_kind_name(sv.kind));
    else if (!strcmp(key, "baseline"))
        fmt_num(a, sizeof a, 1, false, sv.baseline.valid ? sv.baseline.cadence_spm : NAN);
    else if (!strcmp(key, "body-weight"))
        fmt_num(a, sizeof a, 1, false, sv.body_weight_n);
    else if (!strcmp(key, "speed"))
        fmt_num(a, sizeof a, 2, false, tr.speed_mps);
    else if (!strcmp(key, "incline"))
        fmt_num(a, sizeof a, 1, false, tr.incline_pct);
    else if (!strcmp(key, "deck-speed")) {
        fmt_num(b, sizeof b, 2, false, tr.deck_speed_mps);
        fmt_num(c, sizeof c, 2, false, tr.deck_speed_ci95_mps);
        snprintf(reply, cap, "ok deck-speed=%s deck-speed-ci95=%s deck-speed-steps=%u "
                 "speed-check=%s", b, c, tr.deck_speed_steps, tr.speed_check);
        return;
    }
    else {
        snprintf(reply, cap, "error cannot get '%s'", key);
        return;
    }
    snprintf(reply, cap, "ok %s=%s", key, a);
}

static void do_mark(struct feedback_app *app, const struct ctl_cmd *c, const char *source,
                    char *reply, size_t cap)
{
    char text[CTLSOCK_LINE_MAX + 16];
    if (!strcmp(c->key, "pain")) {
        if (!in_range(c->num[0], 0, 10) || c->num[0] != floor(c->num[0])) {
            snprintf(reply, cap, "error pain must be a whole number 0..10");
            return;
        }
        snprintf(text, sizeof text, "%.0f", c->num[0]);
    } else {
        snprintf(text, sizeof text, "%s", c->nargs ? c->arg[0] : "");
    }
    fa_send(app, FA_MARKER_CUE, 0, 0, 0);
    char t[32];
    fa_clock_mmss(t, sizeof t, app->t_session_s);
    snprintf(app->note, sizeof app->note, "%.12s mark %.12s %.40s (%.10s)", t, c->key, text,
             source);
    if (app->n_marks == WEB_MARKERS) { /* the page lists the newest; the store keeps all */
        memmove(app->marks[0], app->marks[1], (WEB_MARKERS - 1) * sizeof app->marks[0]);
        app->n_marks--;
    }
    snprintf(app->marks[app->n_marks++], sizeof app->marks[0], "%s", app->note);
    LOG_INFO("t=%.3f s mark %s %s (%s)", app->t_session_s, c->key, text, source);
    if (app->cfg.changes_out)
        fprintf(app->cfg.changes_out, "therapist: t=%.1f s mark %s %s (%s)\n", app->t_session_s,
                c->key, text, source);
    if (app->cfg.log_event)
        app->cfg.log_event(app->cfg.user, app->t_session_s, c->key, text, source);
    snprintf(reply, cap, "ok marked %s t=%.1f", c->key, app->t_session_s);
}

/* One therapist command from any source ("ctl", "protocol"). */
static void dispatch(struct feedback_app *app, const struct ctl_cmd *c, const char *source,
                     char *reply, size_t cap)
{
    fa_read_view(app);
    switch (c->verb) {
    case CTL_SET:
        do_set(app, c->key, c, source, reply, cap);
        break;
    case CTL_GET:
        do_get(app, c->key, reply, cap);
        break;
    case CTL_MARK:
        do_mark(app, c, source, reply, cap);
        break;
    case CTL_STOP:
        app->quit = true;
        snprintf(app->quit_by, sizeof app->quit_by, "%s", source);
        snprintf(reply, cap, "ok stopping the session at t=%.1f", app->t_session_s);
        break;
    case CTL_HELP:
        snprintf(reply, cap,
                 "ok commands: set KEY VALUE | get status|KEY | mark pain N|symptom TEXT|"
                 "note TEXT|event | stop; keys: target-cadence (or none) target-relative band "
                 "loading-ceiling (or none) impact-ceiling mode metronome mute align volume "
                 "cues good-cue phase (weigh-in|baseline|training|retention|run|walk) "
                 "baseline speed (m/s) incline (%%); get also: body-weight deck-speed");
        break;
    }
}

void fa_ctl_handler(void *user, const struct ctl_cmd *c, char *reply, size_t cap)
{
    dispatch(user, c, "ctl", reply, cap);
}

/* The web console's commands: the control socket's path, source "web". */
void fa_web_handler(void *user, const struct ctl_cmd *c, char *reply, size_t cap)
{
    dispatch(user, c, "web", reply, cap);
}

int feedback_app_command(struct feedback_app *app, const char *line, const char *source,
                         char *reply, size_t cap)
{
    struct ctl_cmd c;
    struct gc_diag why;
    if (ctlsock_parse(line, &c, &why) != GC_OK) {
        snprintf(reply, cap, "error %s", why.msg);
        return GC_ERR_FORMAT;
    }
    reply[0] = '\0';
    dispatch(app, &c, source, reply, cap);
    return ctlsock_reply_parse(reply, NULL) == GC_OK ? GC_OK : GC_ERR_ARG;
}


static void key_set(struct feedback_app *app, const char *key, double x, const char *word)
{
    struct ctl_cmd c;
    memset(&c, 0, sizeof c);
    c.verb = CTL_SET;
    snprintf(c.key, sizeof c.key, "%s", key);
    c.nargs = 1;
    c.num[0] = x;
    c.num[1] = c.num[2] = NAN;
    snprintf(c.arg[0], sizeof c.arg[0], "%s", word ? word : "");
    char reply[256];
    do_set(app, key, &c, "keyboard", reply, sizeof reply);
    if (ctlsock_reply_parse(reply, NULL) != GC_OK)
        snprintf(app->note, sizeof app->note, "%.90s", reply);
}

void fa_handle_action(struct feedback_app *app, const struct display_input *in)
{
    struct session_view sv;
    session_get_view(&app->sess, &sv);
    const struct session_targets *t = &sv.targets;
    char reply[256];
    struct ctl_cmd c;
    memset(&c, 0, sizeof c);
    switch (in->action) {
    case DISPLAY_ACT_QUIT:
        app->quit = true;
        snprintf(app->quit_by, sizeof app->quit_by, "key");
        break;
    case DISPLAY_ACT_TARGET_UP:
    case DISPLAY_ACT_TARGET_DOWN: {
        double s = in->action == DISPLAY_ACT_TARGET_UP ? 1 : -1;
        /* no target yet: start from the runner's own cadence */
        double from = isfinite(t->cadence_spm) ? t->cadence_spm : app->view.cadence_spm;
        key_set(app, "target-cadence", isfinite(from) ? floor(from + 0.5) + s : NAN, NULL);
        break;
    }
    case DISPLAY_ACT_BAND_UP:
    case DISPLAY_ACT_BAND_DOWN:
    {
        double pct = isfinite(t->cadence_spm) && t->cadence_spm > 0
                         ? 100.0 * (t->cadence_hi_spm - t->cadence_lo_spm) / 2.0 / t->cadence_spm
                         : 3.0;
        key_set(app, "band", pct + (in->action == DISPLAY_ACT_BAND_UP ? 0.5 : -0.5), NULL);
    }
        break;
    case DISPLAY_ACT_CEILING_UP:
    case DISPLAY_ACT_CEILING_DOWN:
        key_set(app, "loading-ceiling",
                (isfinite(t->valr_ceiling_bw_s) ? t->valr_ceiling_bw_s : SESSION_VALR_RISK_BW_S) +
                    (in->action == DISPLAY_ACT_CEILING_UP ? 2 : -2),
                NULL);
        break;
    case DISPLAY_ACT_MODE_NEXT:
        key_set(app, "mode", NAN,
                feedback_mode_name((enum feedback_mode)((fa_policy_mode(t->feedback) + 1) % 4)));
        break;
    case DISPLAY_ACT_MUTE:
        key_set(app, "mute", NAN, app->muted ? "off" : "on");
        break;
    case DISPLAY_ACT_METRONOME:
        key_set(app, "metronome", NAN, app->metronome_enabled ? "off" : "on");
        break;
    case DISPLAY_ACT_BASELINE:
        key_set(app, "phase", NAN, sv.kind == PLAN_KIND_BASELINE ? "training" : "baseline");
        break;
    case DISPLAY_ACT_RETENTION:
        key_set(app, "phase", NAN, sv.kind == PLAN_KIND_RETENTION ? "training" : "retention");
        break;
    case DISPLAY_ACT_MARKER:
        c.verb = CTL_MARK;
        snprintf(c.key, sizeof c.key, "event");
        do_mark(app, &c, "keyboard", reply, sizeof reply);
        break;
    case DISPLAY_ACT_PAIN:
        c.verb = CTL_MARK;
        snprintf(c.key, sizeof c.key, "pain");
        c.nargs = 1;
        c.num[0] = in->value;
        do_mark(app, &c, "keyboard", reply, sizeof reply);
        break;
    case DISPLAY_ACT_PANEL:
        app->panel = !app->panel;
        break;
    }
}
