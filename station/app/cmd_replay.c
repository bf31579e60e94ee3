/*
 * cmd_replay.c - `station replay FILE [--speed 1|X|max]`: feed a recording
 * to the same DSP object as `station run` (core/dsp.h): same lines, same
 * steps.
 *
 * At a pace (--speed 1 or X) the records go through live.h's threads, which
 * wait for each record's time.  At --speed max nothing needs a thread: the
 * records are fed in a plain loop on this thread (as `station analyze`
 * does), so no ring sits between the object and the output and nothing can
 * be dropped, however fast the file is read.
 *
 * Thread: main thread.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "dsp.h"
#include "gc_error.h"
#include "live.h"
#include "recording.h"
#include "run_options.h"
#include "runloop.h"
#include "datadir.h"
#include "runloop.h"
#include "steps_csv.h"

/* Look at the stop flag every this many records (~10 s of 1 kHz data, a
 * few ms of work). */
#define STOP_CHECK_EVERY 1024u

static volatile sig_atomic_t g_stop;

static void on_stop_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

/* --speed max: the plain loop.  Output as runloop_run's for a replay: the
 * lines (unless --quiet), the steps CSV, the summary; exit code 1 when the
 * recorded session failed; -1 when the replay could not start (said on
 * stderr). */
static int replay_plain(const struct run_options *o)
{
    struct dsp_config cfg;
    uint8_t hello_raw[PKT_HELLO_SIZE];
    struct gc_diag rd0;
    int rc = live_replay_config(o->replay_file, o->mass_kg, &cfg, hello_raw, &rd0);
    if (rc < 0) {
        fprintf(stderr, "station: %s%s\n", rd0.msg, gc_sentence_end(rd0.msg));
        return -1;
    }
    struct rec_reader *rd = NULL;
    struct rec_record *r = malloc(sizeof *r);
    struct dsp_out *out = malloc(DSP_OUT_MAX * sizeof *out);
    struct dsp *d = dsp_new(&cfg, &rc);
    FILE *csv = NULL;
    struct datadir_out *csv_out = NULL;
    int code = 0;
    if (r == NULL || out == NULL || d == NULL) {
        fprintf(stderr, "station: out of memory.\n");
        code = -1;
        goto done;
    }
    rc = rec_reader_open(o->replay_file, &rd);
    if (rc < 0) {
        fprintf(stderr, "station: cannot read %s (%s).\n", o->replay_file, gc_strerror(rc));
        code = -1;
        goto done;
    }
    fprintf(stdout, "replay %s  sensor %s  %u Hz  pace max\n", o->replay_file, cfg.hello.serial,
            (unsigned)cfg.hello.rate_hz);
    fflush(stdout);
    if (o->steps_csv) {
        /* the same guarded, atomic output as every other command: never
         * over the recording being replayed, the store or another input */
        struct datadir_guard g;
        runloop_output_guard(o, o->replay_file, &g);
        struct gc_diag od;
        if (datadir_out_open(o->steps_csv, DATADIR_OUT_TEMP, &g, &csv_out, &od) != GC_OK) {
            fprintf(stderr, "station: %s\n", od.msg);
            code = 1;
            goto done;
        }
        csv = datadir_out_file(csv_out);
        steps_csv_write_header(csv);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    unsigned k = 0;
    bool more = true;
    while (more) {
        int n;
        if (!dsp_ended(d) && !(++k % STOP_CHECK_EVERY == 0 && g_stop) &&
            rec_reader_next(rd, r) == 1) {
            struct dsp_record v;
            live_record_view(r, &v);
            n = dsp_feed(d, &v, out, DSP_OUT_MAX);
        } else {
            n = dsp_finish(d, out, DSP_OUT_MAX);
            more = false;
        }
        for (int i = 0; i < n; i++) {
            if (out[i].kind == DSP_OUT_LINE && !o->quiet)
                fprintf(stdout, "%s\n", out[i].line);
            else if (out[i].kind == DSP_OUT_EVENT && out[i].ev.kind == GAIT_EV_STEP && csv)
                steps_csv_write_row(csv, &out[i].ev.step);
        }
    }
    struct dsp_state st;
    dsp_get_state(d, &st);
    struct live_snapshot s;
    live_snapshot_from_dsp(&st, &s);
    char sum[512];
    live_format_summary(&s, sum, sizeof sum);
    fprintf(stdout, "%s\n", sum);
    fflush(stdout);
    if (csv_out) {
        csv = NULL;
        struct gc_diag cd;
        int bad = datadir_out_commit(csv_out, &cd);
        csv_out = NULL;
        if (bad != GC_OK) {
            fprintf(stderr, "station: writing %s failed (%s); nothing was written.\n", o->steps_csv,
                    cd.msg);
            code = 1;
        }
    }
    if (dsp_failure(d)[0]) {
        fprintf(stderr, "station: %s.\n", dsp_failure(d));
        code = 1;
    }
done:
    datadir_out_discard(csv_out);
    rec_reader_close(rd);
    dsp_free(d);
    free(out);
    free(r);
    return code;
}

int cmd_replay(int argc, char **argv)
{
    struct run_options o;
    struct gc_diag perr;
    int prc = run_options_parse(RUN_MODE_REPLAY, argc, argv, &o, &perr);
    if (prc == 1)
        return 0;
    if (prc < 0) {
        fprintf(stderr, "station: %s\n", perr.msg);
        return 2;
    }
    /* the outputs as station run checks them (kind of name included),
     * before anything is read */
    struct gc_diag od;
    if (runloop_check_outputs(&o, NULL, &od) != GC_OK) {
        fprintf(stderr, "station: %s\n", od.msg);
        return 2;
    }
    runloop_install_signals();

    int code;
    if (o.speed <= 0) {
        code = replay_plain(&o);
        if (code < 0)
            return 1;
        goto note;
    }
    struct live_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.replay_path = o.replay_file;
    cfg.replay_speed = o.speed;
    cfg.mass_kg = o.mass_kg;
    struct gc_diag ld;
    struct live *lv;
    if (live_new(&cfg, &lv, &ld) != GC_OK) {
        fprintf(stderr, "station: %s%s\n", ld.msg, gc_sentence_end(ld.msg));
        return 1;
    }
    struct live_snapshot s;
    live_get_snapshot(lv, &s);
    fprintf(stdout, "replay %s  sensor %s  %u Hz  pace %gx real time\n", o.replay_file,
            s.hello.serial, (unsigned)s.hello.rate_hz, o.speed);
    fflush(stdout);
    code = runloop_run(lv, &o, NULL, stdout, NULL);
    live_free(lv);
note:;

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
