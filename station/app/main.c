/* station - the gaitcue host program: dispatch to subcommands. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "log.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"run", cmd_run, "live session on a sensor (--port PATH) or the simulator (--sim)"},
    {"probe", cmd_probe, "check a sensor: identity, sample rate, link errors (JSON)"},
    {"ports", cmd_ports, "list serial ports and mark gaitcue sensors"},
    {"replay", cmd_replay, "feed a recorded session through the live pipeline"},
    {"analyze", cmd_analyze, "measure every step of a force CSV or recording"},
    {"ctl", cmd_ctl, "change targets or mark events in a running station"},
    {"patient", cmd_patient, "add, list or show patients"},
    {"sessions", cmd_sessions, "list stored sessions"},
    {"report", cmd_report, "session report for the patient's file (PDF, CSV, JSON)"},
    {"progress", cmd_progress, "trend report across a patient's sessions (PDF)"},
    {"backup", cmd_backup, "consistent copy of the session store (SQLite online backup)"},
    {"program", cmd_program, "course of care: start a program, its status and gate, reports, stop it"},
    {"symptoms", cmd_symptoms, "record pain and pelvic-floor symptoms around a session"},
    {"prom", cmd_prom, "record outcome measures (LEFS, NPRS)"},
    {"test", cmd_test, "readiness test on the deck: balance, hop, jog-on-spot, calf-raise, squat; report"},
    {"metronome", cmd_metronome, "practice track for outdoors: clicks at a cadence (WAV)"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: station COMMAND [OPTIONS]   (station COMMAND --help for details)\n\n"
                 "gaitcue treadmill gait-retraining station, version %s\n\ncommands:\n",
            GC_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n  --version  print the version\n  --help     this list\n");
    fprintf(out, "\nquick start: station run --sim   (simulated sensor, no hardware needed)\n");
}

int main(int argc, char **argv)
{
    log_set_program("station");
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("station %s\n", GC_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "station: unknown command '%s'; run 'station --help' for the list.\n",
            argv[1]);
    return 2;
}
