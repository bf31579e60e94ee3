/*
 * feedback_app.h - live biofeedback for `station run`: owns the session's
 * state (session.h, main thread), the feedback policy (audio thread), the
 * runner's display and the control socket.
 *
 *   live DSP thread --[event ring: struct live_event]--+
 *                                                      v
 *   main thread --[command ring: typed settings]--> audio thread period hook:
 *     THE SESSION (one owner): plan clock,            pop settings -> feedback_apply_settings
 *     typed commands from keys, ctl socket,           pop events   -> feedback_on_event -> audio_cue
 *     protocol; judges each step once;                feedback_tick, metronome on/off/cadence
 *     every change -> session_event callback          publish view (triple buffer, lock-free)
 *   main thread <--[view]-- : display_render (session view + policy view),
 *                             ctl replies, metronome to the sensor (callback),
 *                             cue log (played-cue ring)
 *
 * The policy runs on the audio thread because that is where a cue is
 * made: an event popped at the start of a period is heard in that period
 * (arrival -> written = DSP time + at most one 1.33 ms period).  The policy
 * is pure and bounded (no locks, no allocation, no logging), so it is fit
 * for that thread.  With no sound wanted the audio thread still runs on
 * the null sink, paced by the clock.
 *
 * Wiring in run_session.c (all on the main thread unless stated):
 *   feedback_app_config_default(&fc);
 *   feedback_app_config_from_run_options(&fc, &opts);
 *   fc.plan = &plan;
 *   fc.metronome_changed = fn calling live_send_command(lv, CMD_METRONOME, arg);
 *   fc.session_event = fn calling session_recorder_phase / _change;
 *   fc.log_event = fn calling session_recorder_mark;  fc.user = ...;
 *   app = feedback_app_new(&fc, err, sizeof err);           (before live_start)
 *   live_add_event_consumer(lv, feedback_app_event_ring(app));
 *   live_start(lv);
 *   at least every 20 ms, and when live_wait returns with an event:
 *       feedback_app_advance(app, snap.t_session_s), then
 *       feedback_app_judge_step for each step popped from the live pipeline;
 *   every feedback_app_frame_interval_ms(app) ms, and soon after a gait
 *   event, until the session ends:
 *       live_get_snapshot(lv, &snap);
 *       feedback_app_status_from_live(&snap, &st);
 *       if (feedback_app_frame(app, &st)) -> user quit: live_request_stop(lv);
 *   live_stop(lv);  feedback_app_finish(app, stdout);  feedback_app_free(app);
 *
 * Thread: every function on the main thread, except that the event ring's
 * producer is the live DSP thread.
 */
#ifndef GC_FEEDBACK_APP_H
#define GC_FEEDBACK_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "audio.h"
#include "feedback.h"
#include "plan.h"
#include "session.h"

struct live_snapshot;
struct run_options;
struct spsc;

/* What the main thread knows from the live pipeline, once per frame. */
struct feedback_app_status {
    double t_session_s; /* session time of the newest sample, s */
    bool link_ok;
    char link[96];  /* "sensor SN123: 1000 Hz, link ok, 3 resent, 0 lost" */
    /* Lossless link (docs/reliability.md): blocks that came again on
     * request, blocks finally lost, and whether the link keeps losing data
     * (then link_ok is false: the footer turns red). */
    unsigned long long link_recovered, link_lost;
    bool link_losing;
    char calib[96]; /* "calibration: ..." or "" */
    double cadence_spectral_spm; /* the spectral (FFTW) cadence, NAN until known */
    /* The deck's belt-speed estimate (summary_belt_speed_ci over the steps
     * since the entered speed last changed; run_session.c computes it once
     * and the display, 'ctl get status' and the store show that figure):
     * m/s, its 95 % interval, its steps; NAN / 0 until known. */
    double deck_speed_mps, deck_speed_ci95_mps;
    unsigned deck_speed_steps;
    /* Live step length and width (summary_recent_footprint: medians of the
     * last SUMMARY_RECENT_STEPS steps, lengths at the entered speed when
     * there is one; run_session.c, with the deck's estimate), m; NAN or 0
     * = unknown. */
    double step_length_m, step_width_m;
};

/* The treadmill as the PT entered it (--speed/--incline, 'ctl set speed',
 * 'ctl set incline') beside the deck's estimate. */
struct feedback_app_treadmill {
    double speed_mps, incline_pct; /* entered; NAN when not */
    double speed_since_s;          /* session time the entered speed was last set (0) */
    double deck_speed_mps, deck_speed_ci95_mps; /* as in the status; NAN unknown */
    unsigned deck_speed_steps;
    double step_length_m, step_width_m; /* as in the status; NAN unknown */
    /* "ok", "disagrees" (the deck and the entered speed are more than
     * SUMMARY_SPEED_DISAGREE_FRAC apart, with at least
     * SUMMARY_DECK_MIN_STEPS steps), or "unknown" */
    const char *speed_check;
};

struct feedback_app_config {
    struct feedback_config policy;
    const char *audio_device; /* ALSA PCM; "none" = silent; NULL = "default" */
    bool audio_required;      /* fail if the device cannot be opened (else run silent) */
    unsigned audio_period_frames, audio_periods;
    int audio_rt_priority; /* SCHED_FIFO priority to try for the audio thread (default
                              20; refused quietly without the right); 0 = normal */
    double volume;         /* 0..1 */
    enum audio_cue_set cue_set;
    bool align;             /* phase-align the metronome to the runner's steps */
    bool headless;          /* no window */
    const char *screenshot; /* PNG of the last frame at finish; NULL = none */
    int width, height;
    bool fullscreen;
    bool panel_window;    /* the therapist panel in its own window, on the second
                             monitor if there is one (--panel-window) */
    bool software;        /* software renderer (byte-identical screenshots) */
    bool ctl;             /* open the control socket */
    const char *ctl_path; /* NULL = ctlsock_default_path */
    const char *patient;
    /* the therapist's web console (web.h): off unless web is set */
    bool web;
    const char *web_addr; /* numeric address to bind; NULL = 0.0.0.0 */
    unsigned web_port;    /* 0 = any free port (tests) */
    const char *web_token; /* NULL = random (tests may fix one) */
    const char *cue_log_path; /* CSV of every cue; NULL = $GAITCUE_CUE_LOG, or none */
    FILE *changes_out;        /* a line per therapist change/marker (stdout unless --quiet) */
    /* The session's plan (copied; already time-scaled).  NULL: one open
     * training phase without targets.  The app owns the session's state
     * (session.h) on the main thread: protocol phases, keys and the
     * control socket change it only through typed session commands. */
    const struct plan *plan;
    /* main-thread callbacks (may be NULL) */
    void (*metronome_changed)(void *user, uint32_t spm_x100); /* 0 = off: CMD_METRONOME arg */
    /* every change of the session's state (phase, baseline, targets), in order */
    void (*session_event)(void *user, const struct session_event *e);
    /* markers ("pain", "symptom", "note", "event") and settings that are not
     * session state ("set": sound, display) */
    void (*log_event)(void *user, double t_session_s, const char *kind, const char *text,
                      const char *source);
    void *user;
    /* the treadmill as entered at the start (NAN: not entered) */
    double belt_speed_mps, incline_pct;
};

void feedback_app_config_default(struct feedback_app_config *cfg);
/* --target-cadence (absolute target, training from the start; otherwise a
 * 120 s baseline then +7.5 %), --audio-device, --headless, --screenshot,
 * --patient, --quiet (no change lines on stdout), --web, --web-bind, --speed,
 * --incline. */
void feedback_app_config_from_run_options(struct feedback_app_config *cfg,
                                          const struct run_options *o);

struct feedback_app;

/* Start the policy, audio, display, control socket and web console: GC_OK
 * with *out, or a gc_err (*out NULL) with one sentence in diag. */
GC_MUST_CHECK int feedback_app_new(const struct feedback_app_config *cfg, struct feedback_app **out,
                                   struct gc_diag *diag);
/* The ring to register with live_add_event_consumer (elements are
 * struct live_event). */
struct spsc *feedback_app_event_ring(struct feedback_app *app);
/* One UI iteration: ctl socket, keys, display, logs.  Never blocks longer
 * than a vsync.  Returns 1 when the user asked to quit, else 0. */
int feedback_app_frame(struct feedback_app *app, const struct feedback_app_status *st);
/* How feedback reaches the runner, for the record: "display: the runner's
 * screen; sound: default", "display: none (--headless); sound: none (no
 * sound device could be opened: cues not heard)", ... */
void feedback_app_delivery(const struct feedback_app *app, char *buf, size_t cap);
/* Could feedback reach the runner, by such a stored text?  false only
 * for no display and no sound ("display: none ...; sound: none ...");
 * "" (not known: a session stored before schema 6) counts as reached. */
bool feedback_delivery_reached(const char *text);
/* Who asked to quit: "key" (Esc/Q in the window), "ctl" (station ctl
 * stop); "" when nobody did. */
const char *feedback_app_quit_by(const struct feedback_app *app);
/* How often to call feedback_app_frame when nothing happens (ms): the
 * clock's second, keys, ctl and web commands are seen within this.  A
 * gait event (a step, a contact, a loading peak) calls for a frame at once
 * (FEEDBACK_APP_FRAME_AFTER_EVENT_MS later, once the audio thread has
 * taken it in), so the display still reflects a step within one 60 Hz
 * frame while the main thread no longer lays the picture out 60 times a
 * second (issue 17 item 6). */
#define FEEDBACK_APP_FRAME_IDLE_MS        100
#define FEEDBACK_APP_FRAME_AFTER_EVENT_MS 3
int feedback_app_frame_interval_ms(const struct feedback_app *app);
void feedback_app_status_from_live(const struct live_snapshot *s, struct feedback_app_status *st);
/* Apply one control line ("set mode faded", "set phase training",
 * "mark pain 3") exactly as if it came from the control socket; source
 * names who asked ("protocol", "key").  reply gets "ok ..." or "error ...".
 * Returns GC_OK, GC_ERR_FORMAT (malformed line) or GC_ERR_ARG (refused). */
int feedback_app_command(struct feedback_app *app, const char *line, const char *source,
                         char *reply, size_t cap);
/* Advance the session's clock to t_session_s (protocol phases begin and
 * end; session_event is called for each change).  feedback_app_frame does
 * it too; call it before judging steps that were popped later. */
void feedback_app_advance(struct feedback_app *app, double t_session_s);
/* Judge one completed step (phase, in band, under the ceiling) with what
 * was in force at its initial contact, and count it.  The one place a
 * step is judged: the recorder stores the result.  t_known_s is the
 * session time at which the step became known (its gait_event's t_s): the
 * clock is advanced to it first, so a phase that began before the step is
 * always in the history, however far the status snapshot lags the events
 * (it is published every 2 ms of host time: 0.2 s of sensor time with a
 * simulator at --speed max, which put baseline steps into training). */
void feedback_app_judge_step(struct feedback_app *app, struct session_step *st,
                             double t_known_s);
/* Body weight (weigh-in or estimate), N. */
void feedback_app_set_body_weight(struct feedback_app *app, double body_weight_n);
/* Saving failed (the session store's commits, the raw recording): shown
 * at once on the runner's display (red line), in 'ctl get status'
 * (store=failing, recording=failing); false, false clears it. */
void feedback_app_set_failures(struct feedback_app *app, bool store_failed, bool record_failed);
/* The web console's URL with its token ("" without --web). */
const char *feedback_app_web_url(const struct feedback_app *app);
/* The treadmill's entered speed and incline and the deck's estimate. */
void feedback_app_get_treadmill(const struct feedback_app *app, struct feedback_app_treadmill *t);
/* The session's state now (what the display and the ctl replies show). */
void feedback_app_get_session(const struct feedback_app *app, struct session_view *v);
/* Latest view of the policy (as the display shows it). */
void feedback_app_get_view(struct feedback_app *app, struct feedback_view *v);
void feedback_app_get_audio_stats(const struct feedback_app *app, struct audio_stats *st);
/* Screenshot (if asked) and a one-line summary to out (may be NULL).
 * Returns GC_OK or the screenshot's error. */
int feedback_app_finish(struct feedback_app *app, FILE *out);
void feedback_app_free(struct feedback_app *app);

#endif
