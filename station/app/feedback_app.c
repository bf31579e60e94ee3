/*
 * feedback_app.c - live biofeedback glue (see feedback_app.h).
 *
 * Threads and what crosses between them, all lock-free:
 *   DSP -> audio     events      spsc of struct live_event (live.h)
 *   main -> audio    commands    spsc of struct fa_cmd (sequence-numbered)
 *   audio -> main    the view    triple buffer (atomic index exchange)
 *   audio -> main    cues issued spsc of struct fa_issued (cue log)
 *   audio -> main    cues played audio_poll_played (cue log)
 *   main -> audio    volume, cue set, mute, alignment: audio_set_* atomics
 */
#define LOG_PREFIX "feedback"
#include "feedback_app.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctlsock.h"
#include "display.h"
#include "gc_error.h"
#include "live.h"
#include "log.h"
#include "ranges.h"
#include "run_options.h"
#include "spsc.h"
#include "summary.h"
#include "usertext.h"
#include "web.h"
#include "web_state.h"

#include "feedback_app_impl.h"

void feedback_app_config_default(struct feedback_app_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    feedback_config_default(&cfg->policy);
    cfg->audio_device = NULL;
    cfg->audio_period_frames = 64;
    cfg->audio_periods = 4;
    /* the audio thread sleeps between 1.33 ms periods; real-time priority
     * keeps a busy machine from making it late (bench_cue_latency) */
    cfg->audio_rt_priority = 20;
    cfg->volume = 0.8;
    cfg->cue_set = AUDIO_CUESET_TONES;
    cfg->width = 1280;
    cfg->height = 720;
    cfg->ctl = true;
    cfg->belt_speed_mps = NAN;
    cfg->incline_pct = NAN;
}

void feedback_app_config_from_run_options(struct feedback_app_config *cfg,
                                          const struct run_options *o)
{
    cfg->audio_device = o->audio_device;
    cfg->audio_required = o->audio_device != NULL;
    cfg->headless = o->headless;
    cfg->screenshot = o->screenshot;
    cfg->patient = o->patient;
    cfg->changes_out = o->quiet ? NULL : stdout;
    cfg->panel_window = o->panel_window;
    cfg->web = o->web;
    cfg->web_addr = o->web_addr[0] ? o->web_addr : NULL;
    cfg->web_port = o->web_port;
    cfg->belt_speed_mps = o->belt_speed_mps > 0 ? o->belt_speed_mps : NAN;
    cfg->incline_pct = o->incline_given ? o->incline_pct : NAN;
}

/* ---- audio thread ----------------------------------------------------------- */

static void publish(struct feedback_app *app)
{
    struct fa_snap *s = &app->snap[app->back];
    s->v = app->hook_view;
    s->seq_applied = app->seq_applied;
    s->ev_seq = app->hook_ev_seq;
    s->ev_rx_ns = app->hook_ev_rx_ns;
    app->back =
        atomic_exchange_explicit(&app->middle, app->back | FA_FRESH, memory_order_acq_rel) & 3u;
}

static void apply(struct feedback_app *app, const struct fa_cmd *c, struct audio *a, int64_t now)
{
    struct feedback *fb = app->fb;
    switch (c->kind) {
    case FA_TICK:
        if (c->a > app->t_tick_s)
            app->t_tick_s = c->a;
        break;
    case FA_SETTINGS:
        /* the phase cue is played by FA_PHASE_CUE (announce), not here */
        (void)feedback_apply_settings(fb, &c->set, fmax(app->t_tick_s, c->a));
        break;
    case FA_IMPACT:
        feedback_set_impact_ceiling(fb, c->a);
        break;
    case FA_MUTE:
        feedback_set_mute(fb, c->a != 0);
        break;
    case FA_METRONOME:
        feedback_set_metronome(fb, c->a != 0);
        break;
    case FA_GOOD_CUE:
        feedback_set_good_step(fb, c->a != 0, (unsigned)c->b);
        break;
    case FA_MARKER_CUE: /* a muted audio thread drops it itself */
        audio_cue(a, AUDIO_CUE_MARKER, now, FA_TAG_NONE);
        break;
    case FA_PHASE_CUE:
        audio_cue(a, AUDIO_CUE_PHASE_CHANGE, now, FA_TAG_NONE);
        break;
    }
    app->seq_applied = c->seq;
}

static void issue(struct feedback_app *app, struct audio *a, unsigned cues,
                  const struct live_event *le, int64_t now)
{
    static const struct {
        unsigned bit;
        enum audio_cue cue;
    } map[] = {{FEEDBACK_CUE_HARD_LANDING, AUDIO_CUE_HARD_LANDING},
               {FEEDBACK_CUE_GOOD_STEP, AUDIO_CUE_GOOD_STEP},
               {FEEDBACK_CUE_PHASE_CHANGE, AUDIO_CUE_PHASE_CHANGE}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (!(cues & map[i].bit))
            continue;
        uint32_t tag = le ? le->ev.step.index : FA_TAG_NONE;
        int64_t t_req = le ? le->t_rx_ns : now;
        if (audio_cue(a, map[i].cue, t_req, tag) != GC_OK)
            continue;
        struct fa_issued is = {.tag = tag,
                               .cue = (uint8_t)map[i].cue,
                               .t_event_s = le ? le->ev.t_s : NAN,
                               .t_event_host_s = le ? le->t_ev_host_s : NAN,
                               .t_rx_ns = t_req,
                               .t_emit_ns = le ? le->t_emit_ns : now,
                               .t_pop_ns = now};
        spsc_push(app->issued, &is);
    }
}

static void period_hook(void *user, struct audio *a, uint64_t frame, int64_t now)
{
    (void)frame;
    struct feedback_app *app = user;
    bool changed = false;
    struct fa_cmd c;
    while (spsc_pop(app->cmds, &c)) {
        apply(app, &c, a, now);
        changed = true;
    }
    struct live_event le;
    while (spsc_pop(app->events, &le)) {
        if (isfinite(le.t_ev_host_s))
            app->host_minus_session_s = le.t_ev_host_s - le.ev.t_s;
        unsigned cues = feedback_on_event(app->fb, &le.ev);
        if (le.ev.kind == GAIT_EV_CONTACT && isfinite(app->host_minus_session_s))
            audio_step(a, (int64_t)((le.ev.step.t_ic_s + app->host_minus_session_s) * 1e9));
        if (cues)
            issue(app, a, cues, &le, now);
        app->hook_ev_seq++;
        app->hook_ev_rx_ns = le.t_rx_ns;
        changed = true;
    }
    double t = app->t_tick_s;
    if (isfinite(app->host_minus_session_s))
        t = fmax(t, now / 1e9 - app->host_minus_session_s);
    unsigned cues = feedback_tick(app->fb, t);
    if (cues)
        issue(app, a, cues, NULL, now);
    /* publish at least every 8 periods (~11 ms): the clocks move (fade
     * windows, intervals) even when no step comes */
    if (changed || cues || (++app->periods & 7u) == 0) {
        feedback_get_view(app->fb, &app->hook_view);
        audio_set_metronome(a, app->hook_view.metronome_on, app->hook_view.metronome_spm);
        publish(app);
    }
}

/* ---- main thread helpers -------------------------------------------------- */

void fa_read_view(struct feedback_app *app)
{
    if (atomic_load_explicit(&app->middle, memory_order_acquire) & FA_FRESH)
        app->front = atomic_exchange_explicit(&app->middle, app->front, memory_order_acq_rel) & 3u;
    app->view = app->snap[app->front].v;
    app->view_ev_seq = app->snap[app->front].ev_seq;
    app->view_ev_rx_ns = app->snap[app->front].ev_rx_ns;
}

uint64_t fa_send(struct feedback_app *app, int kind, double a, double b, double c)
{
    struct fa_cmd cmd = {.kind = kind, .seq = ++app->seq_sent, .a = a, .b = b, .c = c};
    if (!spsc_push(app->cmds, &cmd))
        return 0;
    return cmd.seq;
}

/* Wait (at most ~100 ms) until the audio thread applied seq and the view
 * shows it, so a ctl reply and the next frame reflect the change. */
bool fa_wait_applied(struct feedback_app *app, uint64_t seq)
{
    if (!seq)
        return false;
    for (int i = 0; i < 500; i++) {
        if (atomic_load_explicit(&app->middle, memory_order_acquire) & FA_FRESH)
            app->front =
                atomic_exchange_explicit(&app->middle, app->front, memory_order_acq_rel) & 3u;
        if (app->snap[app->front].seq_applied >= seq) {
            app->view = app->snap[app->front].v;
            return true;
        }
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
    return false;
}

/* ---- the session: the one owner of phase, targets, baseline, scores ------- */

enum feedback_mode fa_policy_mode(enum plan_feedback f)
{
    switch (f) {
    case PLAN_FB_CONTINUOUS:
        return FEEDBACK_MODE_CONTINUOUS;
    case PLAN_FB_BANDWIDTH:
        return FEEDBACK_MODE_BANDWIDTH;
    case PLAN_FB_FADED:
        return FEEDBACK_MODE_FADED;
    case PLAN_FB_NONE:
        break;
    }
    return FEEDBACK_MODE_OFF;
}

/* What the policy must do now, from the session's state alone. */
static void settings_of(const struct session *sess, struct feedback_settings *fs)
{
    struct session_view v;
    session_get_view(sess, &v);
    memset(fs, 0, sizeof *fs);
    bool in_plan = v.phase >= 0 && !v.ended;
    bool feedback_phase = in_plan && (v.kind == PLAN_KIND_TRAINING || v.kind == PLAN_KIND_RUN);
    if (in_plan && (v.kind == PLAN_KIND_WEIGH_IN || v.kind == PLAN_KIND_BASELINE))
        fs->phase = FEEDBACK_PHASE_BASELINE;
    else if (feedback_phase && v.targets.feedback != PLAN_FB_NONE)
        fs->phase = FEEDBACK_PHASE_TRAINING;
    else
        fs->phase = FEEDBACK_PHASE_RETENTION;
    fs->walk = in_plan && v.kind == PLAN_KIND_WALK;
    fs->mode = feedback_phase ? fa_policy_mode(v.targets.feedback) : FEEDBACK_MODE_OFF;
    fs->target_spm = v.targets.cadence_spm;
    fs->band_pct = isfinite(v.targets.cadence_spm) && v.targets.cadence_spm > 0
                       ? 100.0 * (v.targets.cadence_hi_spm - v.targets.cadence_lo_spm) / 2.0 /
                             v.targets.cadence_spm
                       : NAN;
    fs->loading_ceiling_bw_s = v.targets.valr_ceiling_bw_s;
    fs->fade_start_share = v.fade_from;
    fs->fade_end_share = v.fade_to;
    fs->fade_duration_s = v.fade_duration_s;
}

/* Tell the policy (audio thread) what the session now says.  A full
 * command ring is retried at the next frame, never ignored. */
static uint64_t push_settings(struct feedback_app *app)
{
    struct fa_cmd cmd;
    memset(&cmd, 0, sizeof cmd);
    cmd.kind = FA_SETTINGS;
    cmd.a = app->t_session_s;
    settings_of(&app->sess, &cmd.set);
    cmd.seq = app->seq_sent + 1;
    if (!spsc_push(app->cmds, &cmd)) {
        app->settings_pending = true;
        return 0;
    }
    app->seq_sent = cmd.seq;
    app->settings_pending = false;
    return cmd.seq;
}

static void build_model(struct feedback_app *app, struct display_model *m);
static void publish_web(struct feedback_app *app);

void fa_clock_mmss(char *buf, size_t cap, double s)
{
    long t = s > 0 ? (long)s : 0;
    snprintf(buf, cap, "%ld:%02ld", t / 60, t % 60);
}

/* The session changed: the policy follows, the runner hears a phase
 * change, the PT sees the note, and the owner's listener (recorder,
 * terminal) gets every event. */
void fa_session_changed(struct feedback_app *app, const struct session_event *ev, int n)
{
    if (n <= 0)
        return;
    /* changes are rare (phases, the PT): wait (<= 100 ms) until the audio
     * thread follows, so the next frame and reply show what is in force */
    uint64_t seq = push_settings(app);
    if (seq)
        fa_wait_applied(app, seq);
    session_get_view(&app->sess, &app->sview);
    for (int i = 0; i < n; i++) {
        const struct session_event *e = &ev[i];
        char t[32];
        fa_clock_mmss(t, sizeof t, e->t_s);
        if (e->kind == SESSION_EV_PHASE || e->kind == SESSION_EV_END) {
            if (app->phases_seen++ > 0) { /* the start is no change: no sound */
                snprintf(app->note, sizeof app->note, "%.12s %.70s", t, e->note);
                fa_send(app, FA_PHASE_CUE, 0, 0, 0);
            }
        } else if (e->kind == SESSION_EV_BASELINE) {
            snprintf(app->note, sizeof app->note, "%.12s %.70s", t, e->note);
        } else {
            snprintf(app->note, sizeof app->note, "%.12s set %.50s (%.10s)", t, e->note,
                     e->source);
            LOG_INFO("t=%.3f s set %s (%s)", e->t_s, e->note, e->source);
            if (app->cfg.changes_out)
                fprintf(app->cfg.changes_out, "therapist: t=%.1f s set %s (%s)\n", e->t_s,
                        e->note, e->source);
        }
        if (app->cfg.session_event)
            app->cfg.session_event(app->cfg.user, e);
    }
}

void feedback_app_advance(struct feedback_app *app, double t_session_s)
{
    if (t_session_s > app->t_session_s)
        app->t_session_s = t_session_s;
    struct session_event ev[8];
    int n;
    while ((n = session_update(&app->sess, app->t_session_s, ev, 8)) > 0)
        fa_session_changed(app, ev, n);
    if (app->settings_pending)
        push_settings(app);
    session_get_view(&app->sess, &app->sview);
    /* A new gait event reaches the web console at once (this runs every
     * ~5 ms), not at the next frame (50 ms headless): the same model the
     * display renders, built now. */
    if (app->web && app->have_model) {
        fa_read_view(app);
        if (app->view_ev_seq != app->web_ev_seq) {
            build_model(app, &app->model);
            publish_web(app);
        }
    }
}

void feedback_app_judge_step(struct feedback_app *app, struct session_step *st,
                             double t_known_s)
{
    if (t_known_s > app->t_session_s)
        feedback_app_advance(app, t_known_s);
    session_add_step(&app->sess, st);
}

void feedback_app_set_body_weight(struct feedback_app *app, double body_weight_n)
{
    session_set_body_weight(&app->sess, body_weight_n);
}

void feedback_app_set_failures(struct feedback_app *app, bool store_failed, bool record_failed)
{
    app->store_failed = store_failed;
    app->record_failed = record_failed;
    if (store_failed && record_failed)
        snprintf(app->alert, sizeof app->alert,
                 "NOT SAVED: the session store and the recording cannot be written (disk full?)");
    else if (store_failed)
        snprintf(app->alert, sizeof app->alert,
                 "NOT SAVED: the session store cannot be written (disk full?)");
    else if (record_failed)
        snprintf(app->alert, sizeof app->alert,
                 "The recording cannot be written (disk full?)");
    else
        app->alert[0] = '\0';
}

void feedback_app_get_session(const struct feedback_app *app, struct session_view *v)
{
    session_get_view(&app->sess, v);
}

/* ---- cue log ---------------------------------------------------------------- */

static void drain_cue_log(struct feedback_app *app)
{
    struct fa_issued is;
    while (spsc_pop(app->issued, &is)) {
        if (app->n_pending == FA_PENDING) { /* never played (muted): forget the oldest */
            memmove(app->pending, app->pending + 1, (FA_PENDING - 1) * sizeof is);
            app->n_pending--;
        }
        app->pending[app->n_pending++] = is;
    }
    struct audio_played pl[32];
    size_t n;
    while ((n = audio_poll_played(app->audio, pl, 32)) > 0) {
        for (size_t i = 0; i < n; i++) {
            unsigned k = 0;
            while (k < app->n_pending &&
                   !(app->pending[k].tag == pl[i].tag && app->pending[k].cue == pl[i].cue &&
                     app->pending[k].t_rx_ns == pl[i].t_req_ns))
                k++;
            if (k == app->n_pending)
                continue; /* a marker cue: not from the policy */
            const struct fa_issued *p = &app->pending[k];
            if (app->cue_log)
                fprintf(app->cue_log, "%s,%ld,%.6f,%lld,%lld,%lld,%lld,%lld,%lld,%llu\n",
                        audio_cue_name((enum audio_cue)p->cue),
                        p->tag == FA_TAG_NONE ? -1L : (long)p->tag, p->t_event_s,
                        isfinite(p->t_event_host_s) ? (long long)(p->t_event_host_s * 1e9) : -1LL,
                        (long long)p->t_rx_ns, (long long)p->t_emit_ns, (long long)p->t_pop_ns,
                        (long long)pl[i].t_write_ns, (long long)pl[i].t_heard_ns,
                        (unsigned long long)pl[i].frame);
            memmove(app->pending + k, app->pending + k + 1,
                    (app->n_pending - k - 1) * sizeof app->pending[0]);
            app->n_pending--;
        }
    }
    if (app->cue_log)
        fflush(app->cue_log);
}

/* ---- lifecycle ---------------------------------------------------------------- */

int feedback_app_new(const struct feedback_app_config *cfg, struct feedback_app **out,
                     struct gc_diag *diag)
{
    *out = NULL;
    gc_diag_clear(diag);
    struct gc_diag why;
    if (feedback_config_check(&cfg->policy, &why) != GC_OK)
        return gc_fail(diag, GC_ERR_ARG, "invalid feedback settings: %s", why.msg);
    struct feedback_app *app = calloc(1, sizeof *app);
    if (!app)
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory");
    app->cfg = *cfg;
    snprintf(app->audio_device, sizeof app->audio_device, "%s",
             cfg->audio_device ? cfg->audio_device : "default");
    snprintf(app->screenshot, sizeof app->screenshot, "%s", cfg->screenshot ? cfg->screenshot : "");
    snprintf(app->patient, sizeof app->patient, "%s", cfg->patient ? cfg->patient : "");
    app->host_minus_session_s = NAN;
    app->metronome_enabled = cfg->policy.metronome;
    app->volume = cfg->volume;
    app->belt_mps = cfg->belt_speed_mps > 0 ? cfg->belt_speed_mps : NAN;
    app->incline_pct = cfg->incline_pct;
    app->cue_set = cfg->cue_set;
    app->align = cfg->align;
    /* The policy follows the session (feedback_apply_settings): no
     * baseline timer and no targets of its own. */
    struct feedback_config policy = cfg->policy;
    policy.baseline_s = 0;
    policy.start_phase = FEEDBACK_PHASE_BASELINE;
    app->fb = feedback_new(&policy);
    if (cfg->plan) {
        session_init(&app->sess, cfg->plan, 0.0);
    } else {
        /* no plan: one open phase of training without targets */
        struct plan plan;
        memset(&plan, 0, sizeof plan);
        snprintf(plan.name, sizeof plan.name, "free-run");
        plan.n_phases = 1;
        snprintf(plan.phases[0].name, sizeof plan.phases[0].name, "training");
        plan.phases[0].kind = PLAN_KIND_TRAINING;
        plan.phases[0].duration_s = PLAN_OPEN_S;
        plan.phases[0].feedback = PLAN_FB_CONTINUOUS;
        session_init(&app->sess, &plan, 0.0);
    }
    session_get_view(&app->sess, &app->sview);
    app->events = spsc_new(sizeof(struct live_event), FA_EVENT_RING);
    app->cmds = spsc_new(sizeof(struct fa_cmd), FA_CMD_RING);
    app->issued = spsc_new(sizeof(struct fa_issued), FA_ISSUED_RING);
    if (!app->fb || !app->events || !app->cmds || !app->issued) {
        feedback_app_free(app);
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory");
    }
    feedback_start(app->fb, 0.0);
    /* the view is valid before the audio thread's first period */
    for (int i = 0; i < 3; i++)
        feedback_get_view(app->fb, &app->snap[i].v);
    app->back = 0;
    atomic_init(&app->middle, 1u);
    app->front = 2;
    app->view = app->snap[2].v;

    const char *log_path = cfg->cue_log_path ? cfg->cue_log_path : getenv("GAITCUE_CUE_LOG");
    if (log_path && *log_path) {
        app->cue_log = fopen(log_path, "w");
        if (!app->cue_log) {
            feedback_app_free(app);
            return gc_fail(diag, GC_ERR_IO, "cannot write the cue log %s", log_path);
        }
    }

    struct audio_config ac;
    audio_config_default(&ac);
    ac.device = app->audio_device;
    ac.period_frames = cfg->audio_period_frames;
    ac.periods = cfg->audio_periods;
    ac.rt_priority = cfg->audio_rt_priority;
    ac.volume = cfg->volume;
    ac.cue_set = cfg->cue_set;
    ac.align = cfg->align;
    ac.hook = period_hook;
    ac.hook_user = app;
    bool silent = !strcmp(app->audio_device, "none");
    if (silent)
        ac.sink = &audio_sink_null;
    struct gc_diag aerr;
    int arc = audio_new(&ac, &app->audio, &aerr);
    if (arc != GC_OK && !cfg->audio_required && !silent) {
        LOG_WARN("%s; running without sound", aerr.msg);
        snprintf(app->audio_device, sizeof app->audio_device, "none");
        ac.sink = &audio_sink_null;
        arc = audio_new(&ac, &app->audio, &aerr);
    }
    if (arc != GC_OK) {
        feedback_app_free(app);
        return gc_fail(diag, arc, "%s", aerr.msg);
    }
    if (app->cue_log) {
        struct audio_stats st;
        audio_get_stats(app->audio, &st);
        fprintf(app->cue_log,
                "# gaitcue cue log: device=%s rate_hz=%u period_frames=%u buffer_frames=%u\n"
                "cue,step,t_event_s,t_event_host_ns,t_rx_ns,t_emit_ns,t_pop_ns,t_write_ns,"
                "t_heard_ns,frame\n",
                app->audio_device, st.rate_hz, st.period_frames, st.buffer_frames);
    }

    struct display_config dc;
    display_config_default(&dc);
    dc.backend = cfg->headless ? DISPLAY_NULL : DISPLAY_WINDOW;
    dc.width = cfg->width;
    dc.height = cfg->height;
    dc.fullscreen = cfg->fullscreen;
    dc.software = cfg->software;
    struct gc_diag derr;
    int drc = display_new(&dc, &app->disp, &derr);
    if (drc != GC_OK) {
        feedback_app_free(app);
        return gc_fail(diag, drc, "%s", derr.msg);
    }
    if (cfg->panel_window && cfg->headless) {
        LOG_WARN("no display: the therapist panel's window (--panel-window) is not opened");
    } else if (cfg->panel_window) {
        display_config_default(&dc);
        dc.backend = DISPLAY_WINDOW;
        dc.panel_only = true;
        dc.screen = 1; /* the second monitor; the first when there is one */
        dc.width = 800;
        dc.height = 760;
        dc.software = cfg->software;
        dc.title = "gaitcue - therapist panel";
        /* the keys and Tab still work on the runner's window */
        if (display_new(&dc, &app->panel_disp, &derr) != GC_OK)
            LOG_WARN("%s; the therapist panel stays on the runner's window (Tab)", derr.msg);
    }
    if (cfg->ctl) {
        struct ctlsock_config cc = {.path = cfg->ctl_path, .uid = (uid_t)-1};
        struct gc_diag cerr;
        if (ctlsock_new(&cc, &app->ctl, &cerr) != GC_OK)
            app->ctl = NULL;
        /* Another station serving the socket (started in the same moment as
         * this one, past station run's own check): two sessions must never
         * record at once.  Otherwise the session matters more than remote
         * control: run without the socket (keys still work) and say why
         * station ctl cannot reach it. */
        char sock[256];
        if (!app->ctl && ctlsock_in_use(cfg->ctl_path, getuid(), sock, sizeof sock)) {
            feedback_app_free(app);
            return gc_fail(diag, GC_ERR_BUSY,
                           "another station is already running (control socket %s); stop it "
                           "with 'station ctl stop' first",
                           sock);
        }
        if (!app->ctl)
            LOG_WARN("%s; 'station ctl' will not reach this session (the keyboard still works)",
                     cerr.msg);
    }
    if (cfg->web) {
        struct web_config wc;
        web_config_default(&wc);
        if (cfg->web_addr)
            wc.addr = cfg->web_addr;
        wc.port = (uint16_t)cfg->web_port;
        wc.token = cfg->web_token;
        struct gc_diag wd;
        gc_diag_clear(&wd);
        app->web = web_new(&wc, &wd);
        if (!app->web) {
            /* asked for explicitly: the PT would look for a console that is not there */
            feedback_app_free(app);
            return gc_fail(diag, wd.code ? wd.code : GC_ERR_IO, "%s", wd.msg);
        }
        web_url(app->web, app->web_url, sizeof app->web_url);
        printf("web console: %s\n", app->web_url);
        fflush(stdout);
    }
    *out = app;
    return GC_OK;
}

struct spsc *feedback_app_event_ring(struct feedback_app *app)
{
    return app->events;
}

int feedback_app_frame_interval_ms(const struct feedback_app *app)
{
    (void)app;
    return FEEDBACK_APP_FRAME_IDLE_MS;
}

static void build_model(struct feedback_app *app, struct display_model *m)
{
    memset(m, 0, sizeof *m);
    m->fb = app->view;
    session_get_view(&app->sess, &m->session);
    /* with its own window the panel never covers the runner's display */
    m->panel = app->panel && !app->panel_disp;
    snprintf(m->web_url, sizeof m->web_url, "%s", app->web_url);
    m->link_ok = app->status.link_ok;
    snprintf(m->link, sizeof m->link, "%s", app->status.link);
    snprintf(m->calib, sizeof m->calib, "%s", app->status.calib);
    /* the treadmill in the panel: the entered speed beside the deck's */
    struct feedback_app_treadmill tr;
    feedback_app_get_treadmill(app, &tr);
    if (isfinite(tr.speed_mps) || isfinite(tr.deck_speed_mps)) {
        char e[40] = "Belt speed not entered", inc[24] = "", dk[32] = "";
        m->treadmill_warn = !strcmp(tr.speed_check, "disagrees");
        if (isfinite(tr.speed_mps))
            snprintf(e, sizeof e, "%s %.2f m/s", m->treadmill_warn ? "CHECK SPEED: belt" : "Belt",
                     tr.speed_mps);
        if (isfinite(tr.deck_speed_mps))
            snprintf(dk, sizeof dk, "%sdeck %.2f", m->treadmill_warn ? ", " : " (",
                     tr.deck_speed_mps);
        if (isfinite(tr.incline_pct))
            snprintf(inc, sizeof inc, ", incline %.1f %%", tr.incline_pct);
        snprintf(m->treadmill, sizeof m->treadmill, "%s%s%s%s", e, dk,
                 dk[0] && !m->treadmill_warn ? ")" : "", inc);
    }
    if (isfinite(tr.step_length_m) || isfinite(tr.step_width_m)) {
        char l[24] = "-", w[24] = "-";
        if (isfinite(tr.step_length_m))
            snprintf(l, sizeof l, "%.2f m", tr.step_length_m);
        if (isfinite(tr.step_width_m))
            snprintf(w, sizeof w, "%.1f cm", 100 * tr.step_width_m);
        snprintf(m->footprint, sizeof m->footprint, "Step length %s, width %s (last %d steps)", l,
                 w, SUMMARY_RECENT_STEPS);
    }
    snprintf(m->patient, sizeof m->patient, "%s", app->patient);
    snprintf(m->note, sizeof m->note, "%s", app->note);
    snprintf(m->alert, sizeof m->alert, "%s", app->alert);
    m->volume = app->volume;
    snprintf(m->cue_set, sizeof m->cue_set, "%s", audio_cue_set_name(app->cue_set));
    m->align = app->align;
    struct audio_stats st;
    audio_get_stats(app->audio, &st);
    m->audio_latency_ms = st.latency_ms > 0 ? st.latency_ms : NAN;
    snprintf(m->audio_device, sizeof m->audio_device, "%.60s", app->audio_device);
}

/* The web console reads what the display just rendered (the same model),
 * plus the spectral cadence and, for the latency benchmark, when the
 * newest event in it arrived (mapped from CLOCK_MONOTONIC to the wall
 * clock the browser shares). */
static void publish_web(struct feedback_app *app)
{
    struct web_state_extra x = {.t_session_s = app->t_session_s,
                                .cadence_spectral_spm = app->status.cadence_spectral_spm > 0
                                                            ? app->status.cadence_spectral_spm
                                                            : NAN,
                                .ev_seq = app->view_ev_seq,
                                .ev_rx_wall_ms = NAN,
                                .markers = (const char(*)[WEB_MARKER_TEXT])app->marks,
                                .n_markers = app->n_marks};
    struct feedback_app_treadmill tr;
    feedback_app_get_treadmill(app, &tr);
    x.speed_mps = tr.speed_mps;
    x.incline_pct = tr.incline_pct;
    x.deck_speed_mps = tr.deck_speed_mps;
    x.deck_speed_ci95_mps = tr.deck_speed_ci95_mps;
    x.deck_speed_steps = tr.deck_speed_steps;
    x.speed_check = tr.speed_check;
    if (app->view_ev_rx_ns > 0) {
        struct timespec mono, wall;
        clock_gettime(CLOCK_MONOTONIC, &mono);
        clock_gettime(CLOCK_REALTIME, &wall);
        double mono_ms = mono.tv_sec * 1e3 + mono.tv_nsec / 1e6;
        double wall_ms = wall.tv_sec * 1e3 + wall.tv_nsec / 1e6;
        x.ev_rx_wall_ms = wall_ms - (mono_ms - app->view_ev_rx_ns / 1e6);
    }
    char json[WEB_STATE_MAX];
    app->web_ev_seq = app->view_ev_seq;
    if (web_state_json(&app->model, &x, json, sizeof json) < 0 || web_publish(app->web, json) < 0)
        LOG_WARN("the live state does not fit the web console's %d bytes", WEB_STATE_MAX);
}

void feedback_app_delivery(const struct feedback_app *app, char *buf, size_t cap)
{
    const char *asked = app->cfg.audio_device ? app->cfg.audio_device : "default";
    char sound[200];
    if (!strcmp(app->audio_device, "none") && strcmp(asked, "none") != 0)
        snprintf(sound, sizeof sound, "none (no sound device could be opened: cues not heard)");
    else if (!strcmp(app->audio_device, "none"))
        snprintf(sound, sizeof sound, "none (--audio-device none)");
    else if (!strcmp(app->audio_device, "null"))
        snprintf(sound, sizeof sound, "none (--audio-device null: cues discarded)");
    else {
        snprintf(sound, sizeof sound, "%s", app->audio_device);
        usertext_clean(usertext_cut(sound, 120)); /* a device name is the user's text */
    }
    snprintf(buf, cap, "display: %s; sound: %s",
             app->cfg.headless ? "none (headless)" : "the runner's screen", sound);
}

bool feedback_delivery_reached(const char *text)
{
    return !(!strncmp(text, "display: none", 13) && strstr(text, "; sound: none") != NULL);
}

const char *feedback_app_quit_by(const struct feedback_app *app)
{
    return app->quit ? app->quit_by : "";
}

int feedback_app_frame(struct feedback_app *app, const struct feedback_app_status *st)
{
    if (st) {
        app->status = *st;
        if (st->t_session_s > app->t_session_s || app->phases_seen == 0) {
            feedback_app_advance(app, st->t_session_s);
            fa_send(app, FA_TICK, st->t_session_s, 0, 0);
        }
    }
    fa_read_view(app);
    if (app->ctl)
        ctlsock_poll(app->ctl, 0, fa_ctl_handler, app);
    web_poll(app->web, fa_web_handler, app);
    struct display_input in[16];
    int n = display_poll(app->disp, in, 16);
    for (int i = 0; i < n; i++)
        fa_handle_action(app, &in[i]);
    drain_cue_log(app);

    /* the simulated runner hears the metronome too (closed loop) */
    uint32_t met = app->view.metronome_on ? (uint32_t)lrint(app->view.metronome_spm * 100) : 0;
    if (!app->metronome_sent_valid || met != app->metronome_sent) {
        app->metronome_sent = met;
        app->metronome_sent_valid = true;
        if (app->cfg.metronome_changed)
            app->cfg.metronome_changed(app->cfg.user, met);
    }

    build_model(app, &app->model);
    app->have_model = true;
    display_render(app->disp, &app->model);
    if (app->panel_disp) {
        static struct display_model pm; /* main thread only; too large for the stack */
        pm = app->model;
        pm.panel = true;
        display_render(app->panel_disp, &pm);
    }
    if (app->web)
        publish_web(app);
    return app->quit ? 1 : 0;
}

void feedback_app_get_treadmill(const struct feedback_app *app, struct feedback_app_treadmill *t)
{
    t->speed_mps = app->belt_mps;
    t->incline_pct = app->incline_pct;
    t->speed_since_s = app->belt_since_s;
    t->deck_speed_steps = app->status.deck_speed_steps;
    /* no estimate (nor check) over fewer than SUMMARY_DECK_MIN_STEPS steps */
    bool deck = t->deck_speed_steps >= SUMMARY_DECK_MIN_STEPS &&
                isfinite(app->status.deck_speed_mps);
    t->deck_speed_mps = deck ? app->status.deck_speed_mps : NAN;
    t->deck_speed_ci95_mps = deck ? app->status.deck_speed_ci95_mps : NAN;
    t->step_length_m = app->status.step_length_m > 0 ? app->status.step_length_m : NAN;
    t->step_width_m = app->status.step_width_m > 0 ? app->status.step_width_m : NAN;
    if (!deck || !isfinite(t->speed_mps))
        t->speed_check = "unknown";
    else if (fabs(t->deck_speed_mps - t->speed_mps) > SUMMARY_SPEED_DISAGREE_FRAC * t->speed_mps)
        t->speed_check = "disagrees";
    else
        t->speed_check = "ok";
}

void feedback_app_status_from_live(const struct live_snapshot *s, struct feedback_app_status *st)
{
    static const char *const states[] = {"connecting", "streaming", "silent", "lost", "ended"};
    memset(st, 0, sizeof *st);
    st->deck_speed_mps = st->deck_speed_ci95_mps = NAN;
    st->step_length_m = st->step_width_m = NAN;
    st->t_session_s = s->t_session_s;
    st->cadence_spectral_spm = s->gait.cadence_spectral_spm;
    st->link_ok = s->link_state == LIVE_LINK_STREAMING;
    const char *state =
        (unsigned)s->link_state < sizeof states / sizeof states[0] ? states[s->link_state] : "?";
    st->link_recovered = s->link.recovered;
    st->link_lost = s->link.lost_blocks;
    st->link_losing = s->link.losing;
    if (s->link.losing) {
        st->link_ok = false; /* a link that keeps losing data: red, said in words */
        state = "LOSING DATA";
    }
    if (isfinite(s->link.rate_hz) && s->link.rate_hz > 0)
        snprintf(st->link, sizeof st->link,
                 "sensor %.20s: %.0f Hz, link %s, %llu resent, %llu lost",
                 s->hello.serial[0] ? s->hello.serial : "?", s->link.rate_hz, state,
                 (unsigned long long)s->link.recovered, (unsigned long long)s->link.lost_blocks);
    else
        snprintf(st->link, sizeof st->link, "sensor %.20s: link %s",
                 s->hello.serial[0] ? s->hello.serial : "?", state);
}

const char *feedback_app_web_url(const struct feedback_app *app)
{
    return app->web_url;
}

void feedback_app_get_view(struct feedback_app *app, struct feedback_view *v)
{
    fa_read_view(app);
    *v = app->view;
}

void feedback_app_get_audio_stats(const struct feedback_app *app, struct audio_stats *st)
{
    audio_get_stats(app->audio, st);
}

int feedback_app_finish(struct feedback_app *app, FILE *out)
{
    fa_read_view(app);
    drain_cue_log(app);
    int rc = GC_OK;
    if (app->screenshot[0]) {
        if (!app->have_model)
            build_model(app, &app->model);
        else
            build_model(app, &app->model);
        struct display *d = app->disp;
        struct display *off = NULL;
        if (app->cfg.headless) {
            struct display_config dc;
            display_config_default(&dc);
            dc.backend = DISPLAY_OFFSCREEN;
            dc.width = app->cfg.width;
            dc.height = app->cfg.height;
            struct gc_diag derr;
            if (display_new(&dc, &off, &derr) != GC_OK)
                LOG_ERR("no screenshot: %s", derr.msg);
            d = off;
        }
        if (d) {
            display_render(d, &app->model);
            rc = display_screenshot(d, app->screenshot);
            if (rc != GC_OK)
                LOG_ERR("cannot write the screenshot %s", app->screenshot);
        } else {
            rc = GC_ERR_UNSUPPORTED;
        }
        display_free(off);
    }
    if (out) {
        const struct feedback_view *v = &app->view;
        struct session_view sv;
        session_get_view(&app->sess, &sv);
        struct audio_stats st;
        audio_get_stats(app->audio, &st);
        char band[64];
        if (sv.steps_scored > 0 && isfinite(sv.share_in_band))
            snprintf(band, sizeof band, "%.0f %% of %zu scored steps in band",
                     100 * sv.share_in_band, sv.steps_scored);
        else
            snprintf(band, sizeof band, "no steps scored against a cadence band");
        char metro[32];
        if (v->metronome_spm > 0)
            snprintf(metro, sizeof metro, "metronome %.1f", v->metronome_spm);
        else
            snprintf(metro, sizeof metro, "metronome off");
        char audio[200];
        if (!strcmp(app->audio_device, "none"))
            snprintf(audio, sizeof audio, "audio: none (no sound device; cues not heard)");
        else
            snprintf(audio, sizeof audio,
                     "audio %.64s latency %.1f ms (max %.1f), %llu cues, %llu xruns",
                     app->audio_device, st.latency_mean_ms, st.latency_max_ms,
                     (unsigned long long)st.cues, (unsigned long long)st.xruns);
        fprintf(out, "feedback: %zu steps, %s, %zu hard landings; %s; %s\n", sv.steps, band,
                sv.steps_over, metro, audio);
    }
    return rc;
}

void feedback_app_free(struct feedback_app *app)
{
    if (!app)
        return;
    web_free(app->web); /* its threads end first: none of them reads the app */
    audio_free(app->audio); /* joins the thread that runs the policy */
    display_free(app->panel_disp);
    display_free(app->disp);
    ctlsock_free(app->ctl);
    if (app->cue_log)
        fclose(app->cue_log);
    feedback_free(app->fb);
    spsc_free(app->events);
    spsc_free(app->cmds);
    spsc_free(app->issued);
    free(app);
}
