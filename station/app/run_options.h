/*
 * run_options.h - command-line options of `station run` and `station
 * replay`, parsed in one place so every feature (acquisition, display,
 * audio, store, protocol) reads the same struct.
 *
 * The display, audio, store and protocol options are used by
 * run_session.c.  The strings point into argv (not owned).
 *
 * Thread: main thread only.
 */
#ifndef GC_RUN_OPTIONS_H
#define GC_RUN_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "gc_error.h"
#include "slink.h"

#define RUN_MAX_SIM_ARGS 64

enum run_mode { RUN_MODE_LIVE = 0, RUN_MODE_REPLAY = 1 };

struct run_options {
    enum run_mode mode;
    /* source (live) */
    bool sim;                               /* --sim: spawn gaitcue-sim on a pty */
    const char *port;                       /* --port PATH; NULL = --sim or autodetect */
    enum slink_kind link;                   /* --link auto|termios|serialport */
    int baud;                               /* --baud N (0 = default 921600) */
    unsigned rate_hz;                       /* --rate HZ: device sample rate (0 = the device's) */
    const char *sim_args[RUN_MAX_SIM_ARGS]; /* "--X", "V" pairs from --sim-X V */
    int n_sim_args;
    char sim_flags[RUN_MAX_SIM_ARGS][80]; /* storage of the rewritten "--X" */
    /* source (replay) */
    const char *replay_file; /* positional FILE */
    double speed;            /* --speed 1|X|max: 0 = max */
    /* session */
    double seconds;        /* --seconds N: stop after N s of session time; 0 = until Ctrl-C */
    double mass_kg;        /* --mass KG: 0 = from weigh-in / estimate */
    const char *steps_csv; /* --steps OUT.csv */
    const char *record;    /* --record FILE; NULL = default path */
    bool no_record;        /* --no-record */
    bool quiet;            /* --quiet: no per-second lines, summary only */
    /* display / feedback / store (run_session.c) */
    bool headless;             /* --headless: no window, terminal lines only */
    bool panel_window;         /* --panel-window: the therapist panel in its own window */
    const char *screenshot;    /* --screenshot PATH: PNG of the display at the end */
    double target_cadence_spm; /* --target-cadence SPM (0 = from protocol / baseline) */
    const char *audio_device;  /* --audio-device PCM (ALSA name; "null" for none) */
    const char *patient;       /* --patient CODE */
    const char *protocol;      /* --protocol NAME|FILE */
    const char *db;            /* --db PATH (session store) */
    const char *calibration;   /* --calibration FILE (default: newest for the sensor) */
    bool allow_other_sensor;   /* --allow-other-sensor: use another sensor's calibration */
    const char *therapist;     /* --therapist NAME (stored with the session) */
    double time_scale;         /* --time-scale X: protocol durations divided by X (0 = 1) */
    /* the session's conditions (store_conditions.h; issue 17) */
    double belt_speed_mps; /* --speed M/S (live): the treadmill's belt speed; 0 = not entered */
    bool incline_given;    /* --incline PCT was given */
    double incline_pct;    /* --incline PCT: the treadmill's incline, % */
    const char *shoe;      /* --shoe TEXT; NULL = the patient's last shoe */
    /* the therapist's web console (docs/web.md) */
    bool web;          /* --web [ADDR:]PORT or --web-bind ADDR */
    char web_addr[64]; /* numeric address; "" = 0.0.0.0 */
    unsigned web_port; /* default 8088; 0 = any free port */
};

/* Parse argv[1..argc) (argv[0] is the subcommand).  Returns 0 ok, 1 when
 * --help was given (usage printed to stdout), GC_ERR_ARG on a usage error
 * (one sentence in diag). */
GC_MUST_CHECK int run_options_parse(enum run_mode mode, int argc, char **argv,
                                    struct run_options *o, struct gc_diag *diag);
void run_options_usage(enum run_mode mode, FILE *out);

/* Default recording path: $XDG_DATA_HOME/gaitcue/recordings/
 * session-YYYYMMDD-HHMMSS[-N].gcrec (fallback ~/.local/share/...). */
int run_default_record_path(char *out, size_t cap);
/* The recordings directory: the data folder's recordings/ (datadir.h). */
int run_recordings_dir(char *out, size_t cap);

#endif
