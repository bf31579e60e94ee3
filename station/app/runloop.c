/*
 * runloop.c - terminal view and end-of-session handling (runloop.h).
 */
#include "runloop.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "datadir.h"
#include "gc_error.h"
#include "spsc.h"
#include "steps_csv.h"

#define LOG_PREFIX "run"
#include "log.h"

/* Steps CSV consumer ring: 3 events per step; 16384 events cover minutes
 * of max-speed replay between two 5 ms polls. */
#define STEPS_RING 16384u
#define POLL_MS    5
/* The steps CSV is flushed and synced this often while the session runs:
 * a kill -9 or a power cut loses at most this much of it. */
#define STEPS_SYNC_MS 1000

static volatile sig_atomic_t g_signal;
/* SIGINT sent by another program (kill), not typed at the terminal */
static volatile sig_atomic_t g_signal_sent;
/* the source ended the session: the simulator died, or no data came */
static bool g_source_lost;

static void on_signal(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    if (g_signal)
        return; /* the first signal ended the session; later ones change nothing */
    g_signal_sent = si && si->si_code == SI_USER && si->si_pid != 0;
    g_signal = sig;
}

void runloop_install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* a closed terminal (SIGHUP) or Ctrl-\ (SIGQUIT) ends the session the
     * same clean way: summary, end marker, session stored complete */
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int runloop_signal(void)
{
    return (int)g_signal;
}

bool runloop_signal_sent(void)
{
    return g_signal_sent != 0;
}

bool runloop_source_lost(void)
{
    return g_source_lost;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void runloop_output_guard(const struct run_options *o, const char *record,
                          struct datadir_guard *g)
{
    memset(g, 0, sizeof *g);
    g->store = o->db;
    size_t n = 0;
    const char *in[] = {o->replay_file, record, o->calibration, o->screenshot, o->protocol};
    for (size_t i = 0; i < sizeof in / sizeof in[0] && n < DATADIR_MAX_INPUTS; i++)
        if (in[i] && in[i][0])
            g->inputs[n++] = in[i];
}

/* One output the user named: not over the store, a database, a recording,
 * an input or another output (the guard: every input and output but
 * itself), into a folder that exists; exclusive (a recording, created
 * exclusively and never replaced): not an existing file either. */
static int check_output(const struct run_options *o, const char *path, const char *const *files,
                        size_t n_files, bool exclusive, struct gc_diag *diag)
{
    struct datadir_guard g;
    memset(&g, 0, sizeof g);
    g.store = o->db;
    for (size_t i = 0, n = 0; i < n_files && n < DATADIR_MAX_INPUTS; i++)
        if (files[i] && files[i][0] && files[i] != path)
            g.inputs[n++] = files[i];
    int rc = datadir_check_output(path, &g, diag);
    if (rc == GC_OK)
        rc = datadir_check_output_folder(path, diag);
    struct stat sb;
    if (rc == GC_OK && exclusive && lstat(path, &sb) == 0)
        rc = gc_fail(diag, GC_ERR_ARG, "%s exists; give the output another name.", path);
    return rc;
}

/* Every refused output is the user's mistake: GC_ERR_ARG, the sentence kept. */
static int refused(struct gc_diag *diag)
{
    if (diag)
        diag->code = GC_ERR_ARG;
    return GC_ERR_ARG;
}

int runloop_check_outputs(const struct run_options *o, const char *record, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    /* the live recording: --record (default: a new name the station picks) */
    const char *rec_out = o->mode == RUN_MODE_LIVE && !o->no_record ? record : NULL;
    const char *files[] = {o->replay_file, record,      o->calibration,
                           o->protocol,    o->steps_csv, o->screenshot};
    const size_t n = sizeof files / sizeof files[0];
    /* a name that says another kind of output (--steps report.pdf) would
     * replace that file: refused too */
    if (o->steps_csv && (check_output(o, o->steps_csv, files, n, false, diag) != GC_OK ||
                         datadir_check_output_kind(o->steps_csv, "--steps", ".csv", diag) != GC_OK))
        return refused(diag);
    if (rec_out && (check_output(o, rec_out, files, n, true, diag) != GC_OK ||
                    datadir_check_output_kind(rec_out, "--record", ".gcrec", diag) != GC_OK))
        return refused(diag);
    if (o->mode == RUN_MODE_LIVE && o->screenshot &&
        (check_output(o, o->screenshot, files, n, false, diag) != GC_OK ||
         datadir_check_output_kind(o->screenshot, "--screenshot", ".png", diag) != GC_OK))
        return refused(diag);
    return GC_OK;
}

static void drain_steps(struct spsc *ring, FILE *csv)
{
    struct live_event e;
    while (ring && spsc_pop(ring, &e))
        if (e.ev.kind == GAIT_EV_STEP && csv)
            steps_csv_write_row(csv, &e.ev.step);
}

static void drain_lines(struct live *lv, const struct run_options *o, FILE *out)
{
    char line[LIVE_LINE_LEN];
    bool any = false;
    while (live_next_line(lv, line, sizeof line)) {
        if (!o->quiet) {
            fprintf(out, "%s\n", line);
            any = true;
        }
    }
    if (any)
        fflush(out);
}

int runloop_run(struct live *lv, const struct run_options *o, struct sim_proc *sim, FILE *out,
                const struct runloop_hooks *hooks)
{
    FILE *csv = NULL;
    struct datadir_out *csv_out = NULL;
    struct spsc *steps = NULL;
    int code = 0;
    if (o->steps_csv) {
        /* Streamed into OUT.csv.partial, synced every second, renamed to
         * OUT.csv at the end: OUT.csv is only ever complete, and after a
         * kill -9 the .partial file holds all but the last second. */
        struct datadir_guard g;
        runloop_output_guard(o, live_record_path(lv), &g);
        struct gc_diag od;
        if (datadir_out_open(o->steps_csv, DATADIR_OUT_PARTIAL, &g, &csv_out, &od) != GC_OK) {
            fprintf(stderr, "station: %s\n", od.msg);
            return 1;
        }
        csv = datadir_out_file(csv_out);
        steps_csv_write_header(csv);
        steps = spsc_new(sizeof(struct live_event), STEPS_RING);
        if (steps == NULL || live_add_event_consumer(lv, steps) < 0) {
            fprintf(stderr, "station: out of memory.\n");
            datadir_out_discard(csv_out);
            spsc_free(steps);
            return 1;
        }
        if (datadir_out_sync(csv_out) != GC_OK) {
            fprintf(stderr, "station: cannot write %s; check the disk.\n", o->steps_csv);
            datadir_out_discard(csv_out);
            spsc_free(steps);
            return 1;
        }
    }
    if (live_start(lv) < 0) {
        fprintf(stderr, "station: cannot start the acquisition threads.\n");
        datadir_out_discard(csv_out);
        spsc_free(steps);
        return 1;
    }
    int64_t t_sync = mono_ms();
    /* A session with --seconds that never gets its data (sensor gone for
     * good) still ends: give it twice its length, at least a minute more. */
    int64_t t0 = mono_ms();
    int64_t wall_limit_ms = o->mode == RUN_MODE_LIVE && o->seconds > 0
                                ? (int64_t)(fmax(2 * o->seconds, o->seconds + 60) * 1000)
                                : 0;
    char why[256] = "";
    for (;;) {
        drain_lines(lv, o, out);
        drain_steps(steps, csv);
        if (csv_out && mono_ms() - t_sync >= STEPS_SYNC_MS) {
            t_sync = mono_ms();
            if (datadir_out_sync(csv_out) != GC_OK && !why[0])
                snprintf(why, sizeof why, "writing %s.partial failed (disk full?)",
                         o->steps_csv);
        }
        if (live_finished(lv))
            break;
        if (g_signal)
            break;
        if (hooks && hooks->poll && hooks->poll(hooks->user, lv))
            break;
        if (sim) {
            char how[64];
            sim_drain(sim);
            if (!sim_alive(sim, how, sizeof how)) {
                snprintf(why, sizeof why,
                         "the simulator %s during the session; the session was ended", how);
                g_source_lost = true;
                code = 1;
                break;
            }
        }
        if (wall_limit_ms && mono_ms() - t0 > wall_limit_ms) {
            g_source_lost = true;
            snprintf(why, sizeof why,
                     "the sensor delivered no data for too long; the session was ended after "
                     "%.0f s",
                     (mono_ms() - t0) / 1000.0);
            code = 1;
            break;
        }
        live_wait(lv, hooks && hooks->wait_ms ? hooks->wait_ms(hooks->user) : POLL_MS);
    }
    live_stop(lv);
    drain_lines(lv, o, out);
    drain_steps(steps, csv);
    if (hooks && hooks->finish)
        code = hooks->finish(hooks->user, lv, code, out);

    struct live_snapshot s;
    live_get_snapshot(lv, &s);
    char sum[512];
    live_format_summary(&s, sum, sizeof sum);
    fprintf(out, "%s\n", sum);
    if (live_record_path(lv)[0] && live_record_failed(lv)) {
        fprintf(out, "recording: %s (incomplete: writing it failed, disk full?)\n",
                live_record_path(lv));
        code = 1;
    } else if (live_record_path(lv)[0] && !o->quiet) {
        fprintf(out, "recording: %s\n", live_record_path(lv));
    }
    fflush(out);
    if (steps && spsc_dropped(steps) > 0)
        fprintf(stderr, "station: %llu step events were dropped before reaching %s.\n",
                (unsigned long long)spsc_dropped(steps), o->steps_csv);
    if (csv_out) {
        struct gc_diag cd;
        if (datadir_out_commit(csv_out, &cd) != GC_OK) {
            fprintf(stderr, "station: %s\n", cd.msg);
            code = 1;
        }
    }
    spsc_free(steps);
    if (live_failure(lv)[0]) {
        fprintf(stderr, "station: %s.\n", live_failure(lv));
        code = 1;
    } else if (why[0]) {
        fprintf(stderr, "station: %s.\n", why);
    }
    return code;
}
