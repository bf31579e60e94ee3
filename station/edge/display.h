/*
 * display.h - the runner's display (SDL2 + SDL2_ttf), readable at 2-3 m.
 *
 * Renders one struct display_model (plain data: the feedback policy's view
 * plus status lines) per frame.  The DSP thread never calls in here: the
 * app copies the latest model and calls display_render from the main
 * thread at the display rate.  Layout and colours: docs/feedback.md.
 *
 *   +-----------------------------------------------------------------+
 *   | TRAINING 04:12          RUN 1/4  0:42             metro  12:34  |
 *   | CADENCE steps/min                 | LOADING VALR BW/s           |
 *   |   168     (shape) QUICKER         |   58   (shape) SOFT         |
 *   | [====|band|====]  band gauge      | [=======|ceiling]           |
 *   | L  o o ^ o o ...   strike ticker                      IN BAND   |
 *   | R  o ^ o o o ...                                        78 %    |
 *   | link / calibration line                  Tab: therapist panel   |
 *   +-----------------------------------------------------------------+
 *
 * In/out of band is shown by colour AND shape: a circle in the band, a
 * triangle pointing up (step quicker) below it, pointing down above it;
 * a hard landing is a square.  The ticker has one row per side.
 *
 * Backends: a window (resizable, F11 full screen), an offscreen software
 * surface (no video driver needed; used for --headless --screenshot and
 * the screenshot tests), and a null twin that draws nothing.
 *
 * Thread: every function on the main thread (SDL's rule).
 */
#ifndef GC_DISPLAY_H
#define GC_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>

#include "feedback.h"
#include "gc_error.h"
#include "session.h"

struct display_model {
    struct feedback_view fb;     /* the policy: cadence now, band state, ticker, cues */
    struct session_view session; /* the session: phase, targets, baseline, scores */
    bool panel;              /* therapist panel shown */
    bool link_ok;            /* sensor data flowing */
    char link[96];           /* e.g. "sensor: simulator, 1000 Hz, link ok" */
    char calib[96];          /* e.g. "calibration: factory (2024-05-01)" */
    char patient[64];        /* shown in the panel; may be empty */
    char note[96];           /* last therapist change/marker, shown in the panel */
    char alert[120];         /* what is not being saved: a red line for the PT; "" none */
    /* the treadmill as entered and the deck's estimate, shown in the panel
     * ("Belt 3.00 m/s (deck 2.98), incline 1.0 %"); "" none;
     * treadmill_warn: they disagree (red) */
    char treadmill[96];
    bool treadmill_warn;
    /* live step length and width, the panel's line after the treadmill's
     * ("Step length 1.02 m, width 11.5 cm (last 20 steps)"); "" none */
    char footprint[96];
    double volume;           /* 0..1 */
    char cue_set[16];
    bool align;              /* metronome phase-aligned to steps */
    double audio_latency_ms; /* NAN if unknown */
    char audio_device[64];
    char web_url[160]; /* the web console's address: a QR code in the panel; "" none */
};

enum display_backend {
    DISPLAY_WINDOW = 0,
    DISPLAY_OFFSCREEN = 1,
    DISPLAY_NULL = 2,
};

struct display_config {
    enum display_backend backend;
    int width, height; /* initial size, pixels */
    bool fullscreen;
    bool software; /* force the software renderer (byte-identical output) */
    bool vsync;    /* window: present on vertical sync */
    const char *title;
    const char *font_dir; /* NULL: search the usual Debian/Fedora/Arch paths */
    bool panel_only; /* the therapist panel alone, filling the window (--panel-window) */
    int screen;      /* window: the monitor to open on, 0 = the first (SDL's display index) */
};

void display_config_default(struct display_config *cfg);

/* Therapist keys (documented on screen, in the panel). */
enum display_action {
    DISPLAY_ACT_QUIT = 1,     /* Esc, Q, window closed */
    DISPLAY_ACT_TARGET_UP,    /* Up: cadence target +1 steps/min (relative target: +0.5 %) */
    DISPLAY_ACT_TARGET_DOWN,  /* Down */
    DISPLAY_ACT_BAND_UP,      /* Right: band +0.5 % */
    DISPLAY_ACT_BAND_DOWN,    /* Left */
    DISPLAY_ACT_CEILING_UP,   /* Page Up: VALR ceiling +2 BW/s */
    DISPLAY_ACT_CEILING_DOWN, /* Page Down */
    DISPLAY_ACT_MODE_NEXT,    /* F: continuous -> bandwidth -> faded -> off */
    DISPLAY_ACT_MUTE,         /* M: mute / unmute */
    DISPLAY_ACT_METRONOME,    /* K: metronome on / off */
    DISPLAY_ACT_BASELINE,     /* B: start the baseline, or end it (-> training) */
    DISPLAY_ACT_RETENTION,    /* R: retention check on / off */
    DISPLAY_ACT_MARKER,       /* Space: event marker */
    DISPLAY_ACT_PAIN,         /* 0-9: pain score marker (value) */
    DISPLAY_ACT_PANEL,        /* Tab or H: therapist panel */
};

struct display_input {
    enum display_action action;
    int value;
};

struct display;

/* GC_OK with *out, or a gc_err (*out NULL) with one sentence in diag (what
 * failed, what to do). */
GC_MUST_CHECK int display_new(const struct display_config *cfg, struct display **out,
                              struct gc_diag *diag);
void display_free(struct display *d);

/* Draw the model and present it.  Remembers it as the last frame. */
int display_render(struct display *d, const struct display_model *m);
/* Handle window events (resize, F11 full screen) and return up to cap
 * therapist actions.  Never blocks. */
int display_poll(struct display *d, struct display_input *out, size_t cap);
/* PNG of the last frame (redrawn from the last model).  GC_ERR_UNSUPPORTED
 * for the null backend. */
int display_screenshot(struct display *d, const char *png_path);
void display_size(const struct display *d, int *w, int *h);
/* Resize (window or offscreen surface). */
int display_resize(struct display *d, int w, int h);
unsigned long display_frames(const struct display *d); /* display_render calls */
/* Frames actually drawn and presented: display_render skips a frame whose
 * picture equals the one on screen (and redraws after a resize or expose). */
unsigned long display_frames_drawn(const struct display *d);
const char *display_key_help(void); /* the key list shown in the panel */

#endif
