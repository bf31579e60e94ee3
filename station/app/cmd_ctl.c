/*
 * cmd_ctl.c - `station ctl`: change targets or mark events in a running
 * station through its control socket (ctlsock.h).
 *
 *   station ctl set target-cadence 172
 *   station ctl get status
 *   station ctl mark symptom "left knee"
 *
 * The words after `ctl` become one protocol line (arguments with spaces
 * are quoted), which is checked locally first so a typo gets its reason
 * without a running station.  Exit 0 on "ok", 1 on "error" or no station,
 * 2 on a usage error.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "ctlsock.h"
#include "gc_error.h"
#include "ranges.h"
#include "usertext.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: station ctl [--socket PATH] set KEY VALUE... | get status|KEY | mark KIND "
                 "[VALUE] | stop | help\n"
                 "\n"
                 "Talks to the running station (station run) through its control socket,\n"
                 "by default $XDG_RUNTIME_DIR/gaitcue/station.sock (or /tmp/gaitcue-UID/).\n"
                 "\n"
                 "Targets, band, ceiling and mode hold until changed again; they apply in\n"
                 "the phases that give feedback (training, run) and are kept in the others.\n"
                 "Every change is stored with its time and shown in the report.\n"
                 "\n"
                 "  set target-cadence SPM|none absolute cadence target, %s\n"
                 "  set target-relative PCT     target relative to the baseline, %s\n"
                 "  set band PCT                band half-width, %s\n"
                 "  set loading-ceiling BW_S|none  VALR ceiling, %s\n"
                 "  set impact-ceiling BW|off   impact peak ceiling, %s\n"
                 "  set mode continuous|bandwidth|faded|off\n"
                 "  set metronome on|off        set mute on|off        set align on|off\n"
                 "  set volume 0..100           set cues tones|soft\n"
                 "  set good-cue on|off [EVERY] set baseline SPM\n"
                 "  set phase weigh-in|baseline|training|retention|run|walk\n"
                 "                              ends the current phase now: the protocol's next\n"
                 "                              phase of that kind begins (or an open one is added)\n"
                 "  set speed M/S               the treadmill's belt speed as set on its\n"
                 "                              console, %s; the deck's\n"
                 "                              estimate starts again from here\n"
                 "  set incline PCT             the treadmill's incline, %s\n"
                 "  get status | get KEY        (also get body-weight, get deck-speed: the\n"
                 "                              deck's belt-speed estimate and speed-check=\n"
                 "                              ok|disagrees (beyond 10 %%)|unknown)\n"
                 "  mark pain 0..10 | mark symptom TEXT | mark note TEXT | mark event [TEXT]\n"
                 "  stop                        end the session, as Esc or Ctrl-C would\n"
                 "\n"
                 "Prints the station's reply; exit status 0 when it says ok.\n",
            RANGE_CADENCE_TEXT, RANGE_CADENCE_REL_TEXT, RANGE_BAND_TEXT, RANGE_VALR_CEILING_TEXT,
            RANGE_IMPACT_CEILING_TEXT, RANGE_BELT_SPEED_TEXT, RANGE_INCLINE_TEXT);
}

/* Appends one word to line, quoted if it has a space or quote. */
static int append(char *line, size_t cap, const char *w)
{
    size_t n = strlen(line);
    bool quote = !*w || strpbrk(w, " \t\"\\") != NULL;
    if (n && n + 1 < cap)
        line[n++] = ' ';
    if (quote && n + 1 < cap)
        line[n++] = '"';
    for (; *w && n + 2 < cap; w++) {
        if (quote && (*w == '"' || *w == '\\'))
            line[n++] = '\\';
        line[n++] = *w;
    }
    if (quote && n + 1 < cap)
        line[n++] = '"';
    line[n] = 0;
    return n + 2 < cap ? 0 : -1;
}

int cmd_ctl(int argc, char **argv)
{
    const char *path = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--socket") && i + 1 < argc) {
            path = argv[++i];
            continue;
        }
        fprintf(stderr, "station: ctl: unknown option '%s'; see 'station ctl --help'.\n", argv[i]);
        return 2;
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    char line[CTLSOCK_LINE_MAX + 1] = "";
    for (; i < argc; i++)
        if (append(line, sizeof line, argv[i]) != 0) {
            fprintf(stderr, "station: ctl: command too long (max %d bytes).\n", CTLSOCK_LINE_MAX);
            return 2;
        }
    struct ctl_cmd cmd;
    struct gc_diag why;
    if (ctlsock_parse(line, &cmd, &why) != GC_OK) {
        fprintf(stderr, "station: ctl: %s; see 'station ctl --help'.\n", why.msg);
        return 2;
    }
    if (ctlsock_check_values(&cmd, &why) != GC_OK) {
        fprintf(stderr, "station: ctl: %s\n", why.msg);
        return 2;
    }
    char def[512];
    if (!path) {
        if (ctlsock_default_path(def, sizeof def, getuid()) != GC_OK) {
            fprintf(stderr, "station: ctl: socket path too long; pass --socket PATH.\n");
            return 2;
        }
        path = def;
    }
    char reply[1024];
    struct gc_diag rd;
    int rc = ctlsock_request(path, getuid(), line, reply, sizeof reply, 3000, &rd);
    if (rc != GC_OK) {
        fprintf(stderr, "station: ctl: %s\n", rd.msg);
        return 1;
    }
    if (ctlsock_reply_parse(reply, &rd) == GC_OK) {
        printf("%s\n", reply);
        return 0;
    }
    /* the station's refusal (its state, not the words given): a sentence */
    usertext_say(stderr, "station: ctl", rd.msg);
    return 1;
}
