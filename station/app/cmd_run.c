/*
 * cmd_run.c - `station run`: a live session on a sensor or the simulator.
 *
 *   open the port (or spawn gaitcue-sim on a pty) -> IDENTIFY/HELLO
 *   (2 s, protocol version check) -> optional SET_RATE -> recording
 *   header -> live pipeline (START, threads) -> one line per second ->
 *   summary.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "calfile.h"
#include "calstore.h"
#include "commands.h"
#include "ctlsock.h"
#include "datadir.h"
#include "devlink.h"
#include "gc_error.h"
#include "live.h"
#include "recording.h"
#include "run_options.h"
#include "run_session.h"
#include "runloop.h"
#include "sensor_open.h"
#include "sim_spawn.h"
#include "usertext.h"

#define LOG_PREFIX "run"
#include "log.h"

/* Time the simulator has to print its pty line. */
#define SIM_START_TIMEOUT_MS 5000

/* A recording whose marker file outlived its station was interrupted
 * (crash, kill -9, power loss).  Report it once; the file stays. */
static void report_interrupted(void)
{
    char dir[448];
    if (run_recordings_dir(dir, sizeof dir) < 0)
        return;
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, ".active-", 8) != 0)
            continue;
        long pid = strtol(e->d_name + 8, NULL, 10);
        if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM))
            continue; /* that station is still running */
        char marker[768], path[512] = "";
        snprintf(marker, sizeof marker, "%s/%s", dir, e->d_name);
        FILE *f = fopen(marker, "r");
        if (f) {
            if (fgets(path, sizeof path, f) == NULL)
                path[0] = '\0';
            fclose(f);
            path[strcspn(path, "\n")] = '\0';
        }
        struct rec_summary *s = calloc(1, sizeof *s);
        if (path[0] && s && rec_summarize(path, s) == GC_OK) {
            fprintf(stderr,
                    "station: the previous session was interrupted after %.0f s (%llu frames "
                    "kept); its recording is kept: replay it with 'station replay %s'.\n",
                    (double)(s->t_last_ns - s->t_first_ns) * 1e-9, (unsigned long long)s->frames,
                    path);
        }
        free(s);
        unlink(marker);
    }
    closedir(d);
}

static void marker_path(char *out, size_t cap)
{
    char dir[448];
    if (run_recordings_dir(dir, sizeof dir) < 0) {
        out[0] = '\0';
        return;
    }
    snprintf(out, cap, "%s/.active-%ld", dir, (long)getpid());
}

static void say(const char *msg)
{
    usertext_say(stderr, "station", msg);
}

int cmd_run(int argc, char **argv)
{
    struct run_options o;
    struct gc_diag perr;
    int prc = run_options_parse(RUN_MODE_LIVE, argc, argv, &o, &perr);
    if (prc == 1)
        return 0;
    if (prc < 0) {
        fprintf(stderr, "station: %s\n", perr.msg);
        return 2;
    }
    runloop_install_signals();
    /* refuse an output (--steps, --record, --screenshot) that names the
     * store, a recording, an input, an existing recording or a missing
     * folder before anything starts (nothing is stored, no sensor opened) */
    struct gc_diag cd;
    if (runloop_check_outputs(&o, o.record, &cd) != GC_OK) {
        say(cd.msg);
        return 1;
    }
    /* one station at a time: a second one would record a session of its
     * own that 'station ctl' cannot reach */
    char sock[256];
    if (ctlsock_in_use(NULL, getuid(), sock, sizeof sock)) {
        fprintf(stderr,
                "station: another station is already running (control socket %s); stop it "
                "with 'station ctl stop' first.\n",
                sock);
        return 1;
    }
    report_interrupted();
    /* mistakes in the session's options are said before any sensor opens */
    int crc = run_session_check(&o, &cd);
    if (crc != GC_OK) {
        say(cd.msg);
        return crc == GC_ERR_ARG ? 2 : 1;
    }

    struct sim_proc *sim = NULL;
    char port[256];
    if (o.sim) {
        int rc =
            sim_spawn(o.sim_args, o.n_sim_args, SIM_START_TIMEOUT_MS, &sim, port, sizeof port, &cd);
        if (rc < 0) {
            say(cd.msg);
            return 1;
        }
    } else if (o.port) {
        snprintf(port, sizeof port, "%s", o.port);
    } else {
        struct gc_diag ad;
        int rc = sensor_autodetect(port, sizeof port, &ad);
        if (rc < 0) {
            fprintf(stderr, "station: %s\n", ad.msg);
            return 1;
        }
        fprintf(stderr, "station: using the sensor on %s.\n", port);
    }

    struct slink_params lp = {o.link, o.baud, false};
    struct sensor_conn conn;
    struct gc_diag od;
    int rc = sensor_open(port, &lp, o.rate_hz, &conn, &od);
    if (rc < 0) {
        say(od.msg);
        sim_stop(sim);
        return 1;
    }

    /* Calibration: --calibration FILE, else the newest calib made for this
     * sensor, else the nominal scale from its HELLO. */
    struct deck_cal cal;
    bool have_cal = false;
    char cal_path[CALFILE_PATH_LEN] = "", cal_desc[200] = "", cal_date[32] = "";
    char cal_dir[CALFILE_PATH_LEN];
    if (o.calibration)
        snprintf(cal_path, sizeof cal_path, "%s", o.calibration);
    else if (calstore_dir(cal_dir, sizeof cal_dir, NULL) != GC_OK ||
             calfile_find_newest(cal_dir, conn.hello.serial, cal_path, sizeof cal_path, NULL) !=
                 GC_OK)
        cal_path[0] = '\0'; /* none yet: the nominal scale */
    if (cal_path[0]) {
        struct calfile *cf = calloc(1, sizeof *cf);
        struct gc_diag diag;
        if (cf == NULL)
            gc_fail(&diag, GC_ERR_NOMEM, "out of memory loading the calibration");
        if (cf == NULL || calfile_load(cal_path, conn.hello.serial,
                                       o.allow_other_sensor ? CALFILE_ALLOW_OTHER_SERIAL : 0, cf,
                                       &diag) < 0) {
            fprintf(stderr, "station: %s\n", diag.msg);
            free(cf);
            slink_close(conn.link);
            sim_stop(sim);
            return 1;
        }
        if (gc_diag_is_warning(&diag))
            fprintf(stderr, "station: %s\n", diag.msg);
        if (calfile_is_stale(cf, time(NULL), CALFILE_DEFAULT_MAX_AGE_DAYS, &diag))
            fprintf(stderr, "station: %s\n", diag.msg);
        calfile_describe(cf, time(NULL), cal_desc, sizeof cal_desc);
        snprintf(cal_date, sizeof cal_date, "%.10s", cf->created);
        cal = cf->deck;
        have_cal = true;
        free(cf);
    }

    char record[512] = "";
    /* Two stations started in the same second pick the same default name
     * and the second one's exclusive create fails.  Hold a lock on the
     * recordings folder from choosing the name until live_new has created
     * the file, so the other station sees it and takes the next -N. */
    int name_lock = -1;
    if (!o.no_record) {
        char dir[448];
        if (!o.record && run_recordings_dir(dir, sizeof dir) == GC_OK &&
            datadir_private_dir(dir) == GC_OK) {
            name_lock = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (name_lock >= 0)
                flock(name_lock, LOCK_EX);
        }
        if (o.record)
            snprintf(record, sizeof record, "%s", o.record);
        else if (run_default_record_path(record, sizeof record) < 0) {
            fprintf(stderr, "station: no place for the recording (set HOME or XDG_DATA_HOME, or "
                            "pass --record FILE or --no-record).\n");
            if (name_lock >= 0)
                close(name_lock);
            slink_close(conn.link);
            sim_stop(sim);
            return 1;
        }
    }
    char desc[300];
    snprintf(desc, sizeof desc, "%s %s (%s link)", o.sim ? "sim" : "port", port,
             slink_kind_name(slink_get_kind(conn.link)));

    struct live_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.link = conn.link; /* ownership passes to live */
    cfg.port_path = port;
    cfg.link_params = lp;
    /* Reopen ptys the way they were opened the first time. */
    cfg.link_params.kind = slink_get_kind(conn.link);
    cfg.hello_raw = conn.hello_raw;
    cfg.cal = have_cal ? &cal : NULL;
    cfg.mass_kg = o.mass_kg;
    cfg.seconds = o.seconds;
    cfg.record_path = record[0] ? record : NULL;
    cfg.source_desc = desc;
    cfg.send_start = true;
    struct live *lv;
    int lrc = live_new(&cfg, &lv, &cd);
    if (name_lock >= 0)
        close(name_lock); /* releases the lock: the file exists now */
    if (lrc != GC_OK) {
        say(cd.msg);
        sim_stop(sim);
        return 1;
    }

    char marker[800] = "";
    if (record[0]) {
        marker_path(marker, sizeof marker);
        FILE *f = marker[0] ? fopen(marker, "w") : NULL;
        if (f) {
            fprintf(f, "%s\n", record);
            fclose(f);
        } else {
            marker[0] = '\0';
        }
    }
    if (!o.quiet) {
        fprintf(stdout, "sensor %s  firmware %u.%u.%u  protocol %u  %u Hz  on %s\n",
                conn.hello.serial, conn.hello.fw_major, conn.hello.fw_minor, conn.hello.fw_patch,
                conn.hello.proto_version, (unsigned)conn.hello.rate_hz, port);
        fprintf(stdout, "calibration: %s\n",
                have_cal ? cal_desc : "none for this sensor: nominal scale (run calib)");
        fflush(stdout);
    }

    const char *slash = strrchr(cal_path, '/');
    struct run_session_source src = {&conn.hello, cal_desc, have_cal ? (slash ? slash + 1 : cal_path) : "",
                                     cal_date, record};
    struct run_session *rs;
    if (run_session_new(&o, lv, &src, &rs, &cd) != GC_OK) {
        say(cd.msg);
        live_free(lv);
        if (marker[0])
            unlink(marker);
        sim_stop(sim);
        return 1;
    }
    struct runloop_hooks hooks;
    run_session_hooks(rs, &hooks);
    int code = runloop_run(lv, &o, sim, stdout, &hooks);
    run_session_free(rs);
    live_free(lv);
    if (marker[0])
        unlink(marker);
    sim_stop(sim);
    return code;
}
