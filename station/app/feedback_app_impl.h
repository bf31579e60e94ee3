/*
 * feedback_app_impl.h - what the files of the live feedback glue share
 * (private to feedback_app.c and feedback_commands.c; the interface is
 * feedback_app.h).
 *
 *   feedback_app.c       configuration, the audio thread's period hook,
 *                        the session (its one owner), the frame, the cue
 *                        log, lifecycle
 *   feedback_commands.c  the therapist's commands: ctl socket, web console
 *                        and keys share them (set, get, mark)
 *
 * Thread: everything here runs on the main thread, except where the struct
 * says the audio thread owns it once it runs.
 */
#ifndef GC_FEEDBACK_APP_IMPL_H
#define GC_FEEDBACK_APP_IMPL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "audio.h"
#include "ctlsock.h"
#include "display.h"
#include "feedback.h"
#include "feedback_app.h"
#include "plan.h"
#include "session.h"
#include "spsc.h"
#include "web.h"
#include "web_state.h"

#define FA_EVENT_RING  1024
#define FA_CMD_RING    64
#define FA_ISSUED_RING 256
#define FA_PENDING     64
#define FA_TAG_NONE    0xffffffffu

enum fa_cmd_kind {
    FA_TICK = 1,
    FA_SETTINGS, /* the session's settings changed (struct feedback_settings) */
    FA_IMPACT,
    FA_MUTE,
    FA_METRONOME,
    FA_GOOD_CUE,
    FA_MARKER_CUE,
    FA_PHASE_CUE,
};

struct fa_cmd {
    int kind;
    uint64_t seq;
    double a, b, c;
    struct feedback_settings set; /* FA_SETTINGS */
};

/* A cue the policy asked for (joined with the played record for the log). */
struct fa_issued {
    uint32_t tag;
    uint8_t cue;
    double t_event_s;      /* session time the event became known */
    double t_event_host_s; /* same, mapped to host time; NAN if unmapped */
    int64_t t_rx_ns, t_emit_ns, t_pop_ns;
};

struct fa_snap {
    struct feedback_view v;
    uint64_t seq_applied;
    uint64_t ev_seq;  /* events the view includes */
    int64_t ev_rx_ns; /* serial arrival of the newest (CLOCK_MONOTONIC), 0 = none */
};

struct feedback_app {
    struct feedback_app_config cfg;
    char audio_device[128];
    char screenshot[1024];
    char patient[64];

    /* owned by the audio thread once it runs */
    struct feedback *fb;
    struct feedback_view hook_view;
    double host_minus_session_s; /* NAN until an event carries a mapping */
    double t_tick_s;
    uint64_t seq_applied;
    unsigned periods;
    uint64_t hook_ev_seq;
    int64_t hook_ev_rx_ns;

    /* rings */
    struct spsc *events, *cmds, *issued;
    uint64_t seq_sent;

    /* view: triple buffer */
    struct fa_snap snap[3];
    atomic_uint middle; /* slot index | FA_FRESH */
    unsigned back;      /* producer's slot (audio thread) */
    unsigned front;     /* consumer's slot (main thread) */

    /* main thread */
    struct audio *audio;
    struct display *disp;
    struct ctlsock *ctl;
    struct display *panel_disp; /* --panel-window: the therapist panel's own window */
    struct web *web;
    char web_url[160];
    uint64_t view_ev_seq;
    int64_t view_ev_rx_ns;
    uint64_t web_ev_seq; /* view_ev_seq of the last state published */
    char marks[WEB_MARKERS][WEB_MARKER_TEXT]; /* the session's last markers, oldest first */
    unsigned n_marks;
    struct feedback_view view;
    struct display_model model;
    bool have_model;
    bool panel, quit, metronome_enabled, muted, align;
    char quit_by[16]; /* who asked to quit: "key", "ctl", "web" */
    double volume;
    enum audio_cue_set cue_set;
    uint32_t metronome_sent;
    bool metronome_sent_valid;
    double t_session_s;
    char note[96];
    FILE *cue_log;
    struct fa_issued pending[FA_PENDING];
    unsigned n_pending;
    struct feedback_app_status status;

    /* the session's state: its one owner (main thread) */
    struct session sess;
    struct session_view sview;
    unsigned phases_seen;
    bool settings_pending; /* the policy has not been told the latest settings */

    /* what could not be saved: shown on the display and in ctl status */
    bool store_failed, record_failed;
    char alert[120];

    /* the treadmill as the PT entered it (NAN: not entered) */
    double belt_mps, incline_pct, belt_since_s;
};

#define FA_FRESH 4u

/* ---- defined in feedback_app.c, used by the commands ---------------- */

/* "m:ss" of a session time (s). */
void fa_clock_mmss(char *buf, size_t cap, double s);
/* The policy's mode for a plan phase's feedback. */
enum feedback_mode fa_policy_mode(enum plan_feedback f);
/* Take the audio thread's newest view, if one was published. */
void fa_read_view(struct feedback_app *app);
/* Queue a command for the audio thread (struct fa_cmd kind and values);
 * returns its sequence number. */
uint64_t fa_send(struct feedback_app *app, int kind, double a, double b, double c);
/* The session changed (its events): the policy follows, the runner hears a
 * phase change, the PT sees the note, and the owner's listener (recorder,
 * terminal) gets every event. */
void fa_session_changed(struct feedback_app *app, const struct session_event *ev, int n);
/* Wait (bounded) until the audio thread applied command seq. */
bool fa_wait_applied(struct feedback_app *app, uint64_t seq);

/* ---- defined in feedback_commands.c, used by the frame ---------------- */

/* A ctl socket / web console command: reply "ok ..." or "error ...". */
void fa_ctl_handler(void *user, const struct ctl_cmd *c, char *reply, size_t cap);
void fa_web_handler(void *user, const struct ctl_cmd *c, char *reply, size_t cap);
/* A key or click on the display. */
void fa_handle_action(struct feedback_app *app, const struct display_input *in);

#endif
