/*
 * run_options.c - parsing of `station run` / `station replay` options.
 */
#include "run_options.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "datadir.h"
#include "gc_error.h"
#include "numparse.h"
#include "usertext.h"
#include "ranges.h"
#include "web.h"

static bool parse_double(const char *s, double lo, double hi, double *out)
{
    if (s == NULL || *s == '\0')
        return false;
    double v; /* decimal only (numparse.h): "0x3C" is no time scale */
    if (numparse_double(s, strlen(s), &v) != 0 || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

void run_options_usage(enum run_mode mode, FILE *out)
{
    if (mode == RUN_MODE_LIVE) {
        fprintf(
            out,
            "usage: station run [--sim | --port PATH] [OPTIONS]\n\n"
            "Live session: connect to the sensor (or the built-in simulator), say hello,\n"
            "stream, and print one line per second: cadence (per step and spectral),\n"
            "contacts and steps, left/right, link health (frames, CRC errors, lost\n"
            "packets, latency).  A summary line ends the session.  The raw stream is\n"
            "recorded so it can be replayed with 'station replay'.\n\n"
            "source:\n"
            "  --sim                 run the simulated sensor gaitcue-sim on a pseudo-terminal\n"
            "  --sim-X V             pass --X V to gaitcue-sim (e.g. --sim-cadence 172,\n"
            "                        --sim-profile walk, --sim-speed max, --sim-seed 3)\n"
            "  --port PATH           serial port of the sensor; without --port and --sim the\n"
            "                        sensor is found automatically among the system's\n"
            "                        ports and $GC_EXTRA_PORTS (colon-separated)\n"
            "  --link KIND           auto (default: termios for pseudo-terminals,\n"
            "                        libserialport otherwise), termios or serialport\n"
            "  --baud N              UART baud rate (default 921600; USB ignores it)\n"
            "  --rate HZ             sample rate to set on the sensor (500-2000)\n\n"
            "session:\n"
            "  --seconds N           stop after N seconds of sensor data (default: run until\n"
            "                        the PT stops it: Ctrl-C, Esc/Q in the window, or\n"
            "                        'station ctl stop'; a protocol also ends at its end)\n"
            "  --mass KG             runner's body mass (default: weighed while the runner\n"
            "                        stands still >= 2 s, else estimated from whole steps)\n"
            "  --steps OUT.csv       write every step (steps CSV, DESIGN.md section 5)\n"
            "  --record FILE         recording file (default: a new file under\n"
            "                        $XDG_DATA_HOME/gaitcue/recordings/)\n"
            "  --no-record           do not record the raw stream\n"
            "  --calibration FILE    calibration file (default: the newest calib made for\n"
            "                        this sensor; nominal scale when there is none)\n"
            "  --allow-other-sensor  accept a calibration file made for another sensor\n"
            "  --quiet               print only the summary line (and, with --patient, the\n"
            "                        stored session's; with --web, the console's address);\n"
            "                        warnings and errors still go to stderr\n\n");
    } else {
        fprintf(out, "usage: station replay FILE [--speed 1|X|max] [OPTIONS]\n\n"
                     "Feed a recorded session through the same pipeline as 'station run' and\n"
                     "print the same lines; the steps are identical to the live session's.\n\n"
                     "  --speed S             the playback pace (not a belt speed): 1 = real time\n"
                     "                        (default), X = X times faster, max = as fast as\n"
                     "                        possible\n"
                     "  --steps OUT.csv       write every step (steps CSV)\n"
                     "  --mass KG             override the body mass stored in the recording\n"
                     "  --quiet               print only the summary line\n\n");
    }
    if (mode == RUN_MODE_REPLAY) {
        fprintf(out, "  -h, --help            this help\n");
        return;
    }
    fprintf(out,
            "display and audio feedback:\n"
            "  --headless            no window: terminal lines only (automatic, with a note,\n"
            "                        when there is no display)\n"
            "  --screenshot PATH     save the runner's display as PNG at the end\n"
            "  --panel-window        open the therapist panel as its own window, on the\n"
            "                        second monitor if there is one: the runner's display\n"
            "                        is never covered (Tab then does nothing)\n"
            "  --target-cadence SPM  without --protocol: absolute cadence target, steps/min,\n"
            "                        feedback from the start (default: a 2 min baseline,\n"
            "                        then +7.5 %% over it, until stopped); refused for a\n"
            "                        --patient who follows a program\n"
            "  --audio-device PCM    ALSA device for metronome and cues (default 'default',\n"
            "                        silent with a warning if it cannot be opened; a device\n"
            "                        named here must open; 'null' = none; e.g.\n"
            "                        file:FILE=cues.wav,FORMAT=wav)\n"
            "  keys in the window: Tab opens the therapist panel, which lists them;\n"
            "                        remote control: 'station ctl'\n\n"
            "clinic session (stored; report with 'station report'):\n"
            "  --patient CODE        store the session for this patient ('station patient add');\n"
            "                        without it nothing is stored (the recording still is)\n"
            "                        with a program ('station program') and no --protocol:\n"
            "                        its next session, refused while the step's readiness\n"
            "                        tests (requires_tests) are still to pass\n"
            "  --protocol NAME|FILE  session plan: cadence-retraining, impact-faded,\n"
            "                        walk-run-intro, or an INI file (docs/sessions.md); it\n"
            "                        drives the phases, targets and feedback mode; the PT's\n"
            "                        changes (keys, 'station ctl') are stored with their time\n"
            "  --therapist NAME      therapist, printed on the report\n"
            "  --time-scale X        run the protocol X times faster (demos, tests)\n"
            "  --speed M/S           the treadmill's belt speed as set on its console\n"
            "                        (0.5..8 m/s); stored with the session, checked\n"
            "                        against the deck's own estimate (flagged beyond 10 %%);\n"
            "                        change it live with 'station ctl set speed M/S'\n"
            "  --incline PCT         the treadmill's incline (-15..+30 %%); live:\n"
            "                        'station ctl set incline PCT'\n"
            "  --shoe TEXT           the runner's shoe, stored with the session (default: the\n"
            "                        patient's last shoe); the report and progress mark\n"
            "                        sessions whose shoe, speed or incline differ\n"
            "  --db PATH             session store (default $XDG_DATA_HOME/gaitcue/gaitcue.db)\n\n"
            "therapist's web console (docs/web.md):\n"
            "  --web [ADDR:]PORT     serve the live console to a tablet or phone on the clinic\n"
            "                        network (default off; --web alone: 0.0.0.0:8088); the\n"
            "                        station prints 'web console: http://HOST:PORT/?token=...'\n"
            "                        and every request needs that session's token\n"
            "  --web-bind ADDR       serve the console only on this interface's address\n"
            "                        (e.g. 127.0.0.1 or 192.168.1.20); implies --web\n"
            "  -h, --help            this help\n");
}

#define NEED_VALUE()                                                                               \
    do {                                                                                           \
        if (i + 1 >= argc) {                                                                       \
            snprintf(err, errcap, "%s needs a value; see 'station %s --help'.", a,                 \
                     mode == RUN_MODE_LIVE ? "run" : "replay");                                    \
            return 2;                                                                              \
        }                                                                                          \
        v = argv[++i];                                                                             \
    } while (0)

/* The parser proper: 0 ok, 1 help shown, 2 usage error with its sentence in err. */
static int parse_args(enum run_mode mode, int argc, char **argv, struct run_options *o, char *err,
                      size_t errcap)
{
    memset(o, 0, sizeof *o);
    o->mode = mode;
    o->speed = 1.0;
    o->web_port = WEB_DEFAULT_PORT;
    bool web_flag = false;
    char web_listen_addr[64] = ""; /* the address --web named, if any */
    const char *cmd = mode == RUN_MODE_LIVE ? "run" : "replay";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            run_options_usage(mode, stdout);
            return 1;
        } else if (mode == RUN_MODE_LIVE && !strcmp(a, "--sim")) {
            o->sim = true;
        } else if (mode == RUN_MODE_LIVE && !strncmp(a, "--sim-", 6) && a[6] != '\0') {
            if (o->n_sim_args + 2 > RUN_MAX_SIM_ARGS) {
                snprintf(err, errcap, "too many --sim-X options.");
                return 2;
            }
            /* --sim-X V -> --X V ; --sim-X=V -> --X=V ; a flag without a
             * value is passed alone. */
            char *flag = o->sim_flags[o->n_sim_args];
            snprintf(flag, sizeof o->sim_flags[0], "--%s", a + 6);
            o->sim_args[o->n_sim_args++] = flag;
            if (strchr(a, '=') == NULL && i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
                o->sim_args[o->n_sim_args++] = argv[++i];
        } else if (mode == RUN_MODE_LIVE && !strcmp(a, "--port")) {
            NEED_VALUE();
            o->port = v;
        } else if (mode == RUN_MODE_LIVE && !strcmp(a, "--link")) {
            NEED_VALUE();
            if (!strcmp(v, "auto"))
                o->link = SLINK_AUTO;
            else if (!strcmp(v, "termios"))
                o->link = SLINK_TERMIOS;
            else if (!strcmp(v, "serialport"))
                o->link = SLINK_SERIALPORT;
            else {
                snprintf(err, errcap, "--link must be auto, termios or serialport.");
                return 2;
            }
        } else if (mode == RUN_MODE_LIVE && !strcmp(a, "--baud")) {
            double b;
            NEED_VALUE();
            if (!parse_double(v, 1200, 4000000, &b) || b != floor(b)) {
                snprintf(err, errcap, "--baud must be a whole number of baud, e.g. 921600.");
                return 2;
            }
            o->baud = (int)b;
        } else if (mode == RUN_MODE_LIVE && !strcmp(a, "--rate")) {
            double r;
            NEED_VALUE();
            if (!parse_double(v, 500, 2000, &r) || r != floor(r)) {
                snprintf(err, errcap, "--rate must be a sample rate from 500 to 2000 Hz.");
                return 2;
            }
            o->rate_hz = (unsigned)r;
        } else if (mode == RUN_MODE_LIVE && !strcmp(a, "--seconds")) {
            NEED_VALUE();
            if (!parse_double(v, 0.1, 1e7, &o->seconds)) {
                snprintf(err, errcap, "--seconds must be a positive number of seconds.");
                return 2;
            }
        } else if (mode == RUN_MODE_LIVE && !strcmp(a, "--record")) {
            NEED_VALUE();
            o->record = v;
        } else if (mode == RUN_MODE_LIVE && !strcmp(a, "--no-record")) {
            o->no_record = true;
        } else if (mode == RUN_MODE_REPLAY && !strcmp(a, "--speed")) {
            NEED_VALUE();
            if (!strcmp(v, "max"))
                o->speed = 0;
            else if (!parse_double(v, 0.01, 1e6, &o->speed)) {
                snprintf(err, errcap, "--speed must be 1, a factor such as 10, or max.");
                return 2;
            }
        } else if (!strcmp(a, "--mass")) {
            NEED_VALUE();
            if (!parse_double(v, 10, 400, &o->mass_kg)) {
                snprintf(err, errcap, "--mass must be a body mass in kg (10-400).");
                return 2;
            }
        } else if (!strcmp(a, "--steps")) {
            NEED_VALUE();
            o->steps_csv = v;
        } else if (!strcmp(a, "--quiet")) {
            o->quiet = true;
        } else if (mode == RUN_MODE_LIVE && !strcmp(a, "--headless")) {
            o->headless = true;
        } else if (mode == RUN_MODE_LIVE && !strcmp(a, "--panel-window")) {
            o->panel_window = true;
        } else if (mode == RUN_MODE_LIVE && !strcmp(a, "--screenshot")) {
            NEED_VALUE();
            o->screenshot = v;
        } else if (mode == RUN_MODE_LIVE && !strcmp(a, "--target-cadence")) {
            NEED_VALUE();
            if (!parse_double(v, RANGE_CADENCE_MIN_SPM, RANGE_CADENCE_MAX_SPM,
                              &o->target_cadence_spm)) {
                snprintf(err, errcap, "--target-cadence must be %s.", RANGE_CADENCE_TEXT);
                return 2;
            }
        } else if (mode == RUN_MODE_LIVE && !strcmp(a, "--audio-device")) {
            NEED_VALUE();
            o->audio_device = v;
        } else if (mode == RUN_MODE_LIVE && !strcmp(a, "--patient")) {
            NEED_VALUE();
            o->patient = v;
        } else if (mode == RUN_MODE_LIVE && !strcmp(a, "--protocol")) {
            NEED_VALUE();
            o->protocol = v;
        } else if (mode == RUN_MODE_LIVE && !strcmp(a, "--db")) {
            NEED_VALUE();
            o->db = v;
        } else if (!strcmp(a, "--calibration")) {
            NEED_VALUE();
            o->calibration = v;
        } else if (mode == RUN_MODE_LIVE && !strcmp(a, "--allow-other-sensor")) {
            o->allow_other_sensor = true;
        } else if (mode == RUN_MODE_LIVE && !strcmp(a, "--therapist")) {
            NEED_VALUE();
            if (!usertext_ok(v, USERTEXT_NAME_MAX)) {
                snprintf(err, errcap,
                         "--therapist must be a name of at most %d bytes without control "
                         "characters.",
                         USERTEXT_NAME_MAX);
                return 2;
            }
            o->therapist = v;
        } else if (mode == RUN_MODE_LIVE && !strcmp(a, "--time-scale")) {
            NEED_VALUE();
            if (!parse_double(v, 0.01, 1000, &o->time_scale)) {
                snprintf(err, errcap, "--time-scale must be a factor from 0.01 to 1000.");
                return 2;
            }
        } else if (mode == RUN_MODE_LIVE && !strcmp(a, "--speed")) {
            NEED_VALUE();
            if (!parse_double(v, RANGE_BELT_SPEED_MIN_MPS, RANGE_BELT_SPEED_MAX_MPS,
                              &o->belt_speed_mps)) {
                snprintf(err, errcap,
                         "--speed takes the treadmill's belt speed in m/s (%s), e.g. 3.0.",
                         RANGE_BELT_SPEED_TEXT);
                return 2;
            }
        } else if (mode == RUN_MODE_LIVE && !strcmp(a, "--incline")) {
            NEED_VALUE();
            if (!parse_double(v, RANGE_INCLINE_MIN_PCT, RANGE_INCLINE_MAX_PCT, &o->incline_pct)) {
                snprintf(err, errcap, "--incline takes the treadmill's incline in %% (%s), e.g. 1.",
                         RANGE_INCLINE_TEXT);
                return 2;
            }
            o->incline_given = true;
        } else if (mode == RUN_MODE_LIVE && !strcmp(a, "--shoe")) {
            NEED_VALUE();
            if (!v[0] || !usertext_ok(v, USERTEXT_NAME_MAX)) {
                snprintf(err, errcap,
                         "--shoe must be the shoe's name, 1 to %d bytes without control "
                         "characters.",
                         USERTEXT_NAME_MAX);
                return 2;
            }
            o->shoe = v;
        } else if (mode == RUN_MODE_LIVE && !strcmp(a, "--web")) {
            if (web_flag) {
                snprintf(err, errcap, "--web is given twice; give it once.");
                return 2;
            }
            web_flag = true;
            o->web = true;
            /* the value is optional: --web alone serves on 0.0.0.0:8088 */
            if (i + 1 < argc && argv[i + 1][0] != '-') {
                const char *val = argv[++i];
                struct gc_diag diag;
                gc_diag_clear(&diag);
                char addr[64] = "";
                uint16_t port = 0;
                if (web_parse_listen(val, addr, sizeof addr, &port, &diag) != GC_OK) {
                    snprintf(err, errcap, "--web: %s.", diag.msg);
                    return 2;
                }
                o->web_port = port;
                if (strchr(val, ':'))
                    snprintf(web_listen_addr, sizeof web_listen_addr, "%s", addr);
            }
        } else if (mode == RUN_MODE_LIVE && !strcmp(a, "--web-bind")) {
            NEED_VALUE();
            char addr[64] = "";
            uint16_t port = 0;
            char probe[96];
            struct gc_diag diag;
            gc_diag_clear(&diag);
            snprintf(probe, sizeof probe, strchr(v, ':') ? "[%.80s]:0" : "%.80s:0", v);
            if (web_parse_listen(probe, addr, sizeof addr, &port, &diag) != GC_OK) {
                snprintf(err, errcap,
                         "--web-bind must be a numeric IP address of this machine (e.g. "
                         "127.0.0.1 or 192.168.1.20), not '%.60s'.",
                         v);
                return 2;
            }
            snprintf(o->web_addr, sizeof o->web_addr, "%s", addr);
            o->web = true;
        } else if (mode == RUN_MODE_REPLAY && a[0] != '-' && o->replay_file == NULL) {
            o->replay_file = a;
        } else {
            snprintf(err, errcap, "unknown option '%s'; see 'station %s --help'.", a, cmd);
            return 2;
        }
    }
    if (mode == RUN_MODE_LIVE && o->sim && o->port) {
        snprintf(err, errcap, "use either --sim or --port, not both.");
        return 2;
    }
    if (mode == RUN_MODE_LIVE && o->n_sim_args > 0 && !o->sim) {
        snprintf(err, errcap, "--sim-X options need --sim.");
        return 2;
    }
    if (mode == RUN_MODE_REPLAY && o->replay_file == NULL) {
        snprintf(err, errcap, "give the recording to replay: station replay FILE.");
        return 2;
    }
    if (o->panel_window && o->headless) {
        snprintf(err, errcap, "--panel-window opens a window: leave out --headless.");
        return 2;
    }
    if (web_listen_addr[0]) {
        if (o->web_addr[0] && strcmp(o->web_addr, web_listen_addr) != 0) {
            snprintf(err, errcap, "--web names %s and --web-bind %s: give one address.",
                     web_listen_addr, o->web_addr);
            return 2;
        }
        snprintf(o->web_addr, sizeof o->web_addr, "%s", web_listen_addr);
    }
    return 0;
}

int run_recordings_dir(char *out, size_t cap)
{
    return datadir_path(DATADIR_RECORDINGS_NAME, out, cap);
}

int run_default_record_path(char *out, size_t cap)
{
    char dir[448];
    int rc = run_recordings_dir(dir, sizeof dir);
    if (rc < 0)
        return rc;
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    for (int n = 0; n < 100; n++) {
        int k = n == 0 ? snprintf(out, cap, "%s/session-%s.gcrec", dir, stamp)
                       : snprintf(out, cap, "%s/session-%s-%d.gcrec", dir, stamp, n);
        if (k < 0 || (size_t)k >= cap)
            return GC_ERR_ARG;
        struct stat st;
        if (stat(out, &st) < 0)
            return GC_OK;
    }
    return GC_ERR_BUSY;
}

int run_options_parse(enum run_mode mode, int argc, char **argv, struct run_options *o,
                      struct gc_diag *diag)
{
    char err[GC_DIAG_MSG_MAX + 64] = ""; /* a quoted diag fits; gc_fail cuts */
    gc_diag_clear(diag);
    int rc = parse_args(mode, argc, argv, o, err, sizeof err);
    if (rc == 2)
        return gc_fail(diag, GC_ERR_ARG, "%s", err);
    return rc;
}
