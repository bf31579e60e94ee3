/*
 * cmd_replay.c - `station replay FILE [--speed 1|X|max]`: feed a recording
 * through the same pipeline as `station run` (live.h): same DSP thread,
 * same lines, same steps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "gc_error.h"
#include "live.h"
#include "recording.h"
#include "run_options.h"
#include "runloop.h"

int cmd_replay(int argc, char **argv)
{
    struct run_options o;
    char err[256];
    int prc = run_options_parse(RUN_MODE_REPLAY, argc, argv, &o, err, sizeof err);
    if (prc == 1)
        return 0;
    if (prc == 2) {
        fprintf(stderr, "station: %s\n", err);
        return 2;
    }
    runloop_install_signals();

    struct live_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.replay_path = o.replay_file;
    cfg.replay_speed = o.speed;
    cfg.mass_kg = o.mass_kg;
    char msg[512];
    int lerr = 0;
    struct live *lv = live_new(&cfg, &lerr, msg, sizeof msg);
    if (lv == NULL) {
        fprintf(stderr, "station: %s.\n", msg);
        return 1;
    }
    struct live_snapshot s;
    live_get_snapshot(lv, &s);
    fprintf(stdout, "replay %s  sensor %s  %u Hz  speed %s\n", o.replay_file, s.hello.serial,
            (unsigned)s.hello.rate_hz, o.speed > 0 ? (o.speed == 1.0 ? "1" : "x") : "max");
    fflush(stdout);
    int code = runloop_run(lv, &o, NULL, stdout, NULL);
    live_free(lv);

    struct rec_summary *sum = calloc(1, sizeof *sum);
    if (sum && rec_summarize(o.replay_file, sum) == GC_OK && !sum->has_end)
        fprintf(stdout, "note: the recording has no end marker: the session was interrupted%s.\n",
                sum->truncated ? " and its last, incomplete record was skipped" : "");
    if (sum && sum->damaged_records > 0)
        fprintf(stdout,
                "warning: %llu damaged records skipped (%.2f s of data); the rest was replayed, "
                "the skipped span is a data gap.\n",
                (unsigned long long)sum->damaged_records, sum->damaged_s);
    if (sum && sum->notes[0])
        fprintf(stdout, "warning: %s.\n", sum->notes);
    free(sum);
    return code;
}
