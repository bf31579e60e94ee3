/* source.c - raw samples from a serial port or a simulator per capture (source.h). */
#include "source.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "devlink.h"
#include "gc_error.h"
#include "slink.h"

#define LOG_PREFIX "source"
#include "log.h"

/* How long the simulator has to print its pty path, ms. */
#define SIM_START_TIMEOUT_MS 5000
/* Slack beyond the capture's own duration before a silent device is an
 * error, ms. */
#define CAPTURE_SLACK_MS 3000

struct source {
    struct source_opts o;
    char sim_bin[PATH_MAX];
    /* port mode: open for the whole run */
    struct slink *link;
    struct devlink dev;
    bool have_serial;
    char serial[PKT_SERIAL_LEN + 1];
    unsigned captures; /* captures done so far */
};

struct collect {
    struct pkt_sample *buf;
    size_t skip, want, got, skipped;
    struct pkt_seq_tracker seq;
    bool rate_changed;
    uint16_t rate_hz;
};

static int on_frame(void *user, uint8_t type, const uint8_t *p, size_t len, int64_t t_rx_ns,
                    uint32_t bad_before)
{
    (void)t_rx_ns;
    (void)bad_before;
    struct collect *c = user;
    if (type != PKT_SAMPLES)
        return 0;
    struct pkt_samples blk;
    if (pkt_samples_decode(p, len, &blk) != 0)
        return 0;
    pkt_seq_update(&c->seq, blk.seq);
    if (blk.rate_hz != c->rate_hz)
        c->rate_changed = true;
    for (unsigned k = 0; k < blk.n && c->got < c->want; k++) {
        if (c->skipped < c->skip) {
            c->skipped++;
            continue;
        }
        c->buf[c->got++] = blk.s[k];
    }
    return c->got >= c->want;
}

static void find_sim(struct source *s)
{
    const char *env = getenv("GAITCUE_SIM");
    if (s->o.sim_bin) {
        snprintf(s->sim_bin, sizeof s->sim_bin, "%s", s->o.sim_bin);
    } else if (env && env[0]) {
        snprintf(s->sim_bin, sizeof s->sim_bin, "%s", env);
    } else {
        /* Installed side by side: <bindir>/calib and <bindir>/gaitcue-sim. */
        char self[PATH_MAX - 32];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0) {
            snprintf(s->sim_bin, sizeof s->sim_bin, "gaitcue-sim");
            return;
        }
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash)
            slash[1] = '\0';
        snprintf(s->sim_bin, sizeof s->sim_bin, "%sgaitcue-sim", self);
    }
}

int source_open(const struct source_opts *o, struct source **out, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    if (!o || !out)
        return gc_fail(diag, GC_ERR_ARG, "no source options");
    struct source *s = calloc(1, sizeof *s);
    if (!s)
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory opening the sensor");
    s->o = *o;
    if (o->sim) {
        find_sim(s);
        if (access(s->sim_bin, X_OK) != 0) {
            int rc = gc_fail(diag, GC_ERR_NOT_FOUND,
                             "cannot run the simulator %s (%s): build gaitcue-sim, or give its "
                             "path with --sim-bin",
                             s->sim_bin, strerror(errno));
            free(s);
            return rc;
        }
        *out = s;
        return GC_OK;
    }
    if (!o->port) {
        free(s);
        return gc_fail(diag, GC_ERR_ARG,
                       "no sensor given: use --port PATH (see station ports) or --sim");
    }
    struct gc_diag od;
    int rc = slink_open(o->port, NULL, &s->link, &od);
    if (rc != GC_OK) {
        const char *hint = rc == GC_ERR_BUSY   ? "close the program that uses it (a running "
                                                 "station?) and try again"
                           : rc == GC_ERR_PERM ? "add your user to the dialout group"
                                               : "check the cable and the port name";
        gc_fail(diag, rc, "cannot open %s (%s%s%s): %s", o->port, gc_strerror(rc),
                od.msg[0] ? ", " : "", od.msg, hint);
        free(s);
        return rc;
    }
    dev_init(&s->dev, s->link);
    *out = s;
    return GC_OK;
}

void source_close(struct source *s)
{
    if (!s)
        return;
    slink_close(s->link);
    free(s);
}

/* Identify, stream, collect, stop on an open devlink. */
static int capture_on(struct source *s, struct devlink *dev, struct pkt_hello *hello,
                      struct pkt_sample **samples, size_t *n, struct gc_diag *diag)
{
    int peer = -1;
    int rc = dev_identify(dev, DEV_HELLO_TIMEOUT_MS, hello, NULL, &peer);
    if (rc == GC_ERR_VERSION)
        return gc_fail(diag, rc, "the sensor speaks protocol version %d, this calib speaks %u: %s",
                       peer, PROTO_VERSION,
                       peer >= 1 && peer < (int)PROTO_VERSION
                           ? "flash the current sensor firmware (docs/firmware.md, Build)"
                           : "update gaitcue so they match");
    if (rc != GC_OK)
        return gc_fail(diag, rc,
                       "the sensor did not identify itself (%s): check that it is powered and "
                       "that this is its port",
                       gc_strerror(rc));
    if (s->have_serial && strcmp(s->serial, hello->serial) != 0) {
        return gc_fail(diag, GC_ERR_STATE,
                       "the sensor changed from %s to %s during calibration: reconnect sensor %s "
                       "and start again",
                       s->serial, hello->serial, s->serial);
    }
    if (!s->have_serial) {
        snprintf(s->serial, sizeof s->serial, "%s", hello->serial);
        s->have_serial = true;
    }
    if (hello->rate_hz == 0 || hello->cell_n_per_count == 0.0f) {
        return gc_fail(diag, GC_ERR_PROTO,
                       "the sensor reports a sample rate of 0 or no load-cell scale");
    }
    struct collect c;
    memset(&c, 0, sizeof c);
    /* A simulator starts its model at time 0 for every capture and draws the
     * same noise and drift for the same seed.  Captures taken at the same
     * model time would share them exactly, and errors would cancel that a
     * real session does not cancel.  So capture k of a run is taken where
     * it would be in one continuous session: after k earlier captures. */
    double start_s = s->o.settle_s;
    if (s->o.sim)
        start_s += (double)s->captures * (s->o.settle_s + s->o.window_s);
    c.skip = (size_t)lround(start_s * hello->rate_hz);
    c.want = (size_t)lround(s->o.window_s * hello->rate_hz);
    c.rate_hz = hello->rate_hz;
    pkt_seq_init(&c.seq);
    if (c.want < 16) {
        return gc_fail(diag, GC_ERR_ARG,
                       "the capture window is too short: give --window of at least 0.1 s");
    }
    c.buf = malloc(c.want * sizeof *c.buf);
    if (!c.buf)
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory for a capture of %zu samples", c.want);
    dev->on_frame = on_frame;
    dev->user = &c;
    struct pkt_ack ack;
    rc = dev_command(dev, CMD_START, 0, 0, DEV_ACK_TIMEOUT_MS, &ack);
    if (rc == GC_OK && ack.status != ACK_OK)
        rc = GC_ERR_PROTO;
    if (rc != GC_OK) {
        gc_fail(diag, rc, "the sensor did not start streaming (%s): power-cycle it and retry",
                gc_strerror(rc));
    } else {
        int budget_ms = (int)(1000.0 * (start_s + s->o.window_s)) + CAPTURE_SLACK_MS;
        int64_t deadline = dev_now_ns() + (int64_t)budget_ms * 1000000;
        while (c.got < c.want) {
            int64_t left = (deadline - dev_now_ns()) / 1000000;
            if (left <= 0) {
                rc = GC_ERR_TIMEOUT;
                break;
            }
            int prc = dev_pump(dev, (int)left, 0, -1, NULL, NULL);
            if (prc < 0) {
                rc = prc;
                break;
            }
        }
        if (rc != GC_OK)
            gc_fail(diag, rc,
                    "the sensor stopped sending samples (%s; %zu of %zu received): check the "
                    "connection and retry",
                    gc_strerror(rc), c.got, c.want);
        dev->on_frame = NULL;
        struct pkt_ack stop_ack;
        (void)dev_command(dev, CMD_STOP, 0, 0, DEV_ACK_TIMEOUT_MS, &stop_ack);
    }
    dev->on_frame = NULL;
    dev->user = NULL;
    if (rc == GC_OK && c.seq.lost_blocks > 0)
        LOG_WARN("%llu sample blocks were lost during the capture; the average uses the rest",
                 (unsigned long long)c.seq.lost_blocks);
    if (rc == GC_OK && c.rate_changed)
        rc = gc_fail(diag, GC_ERR_STATE, "the sample rate changed during the capture: retry");
    if (rc != GC_OK) {
        free(c.buf);
        return rc;
    }
    *samples = c.buf;
    *n = c.got;
    s->captures++;
    return GC_OK;
}

/* Start the simulator with these loads; returns its pid and the pty path. */
static int sim_spawn(struct source *s, const struct source_load *loads, size_t n_loads,
                     pid_t *pid_out, int *pipe_out, char *pty, size_t pty_cap, struct gc_diag *diag)
{
    char args[64][64]; /* indexed like argv: at most 33 fixed + 16 extra */
    char *argv[64];
    int argc = 0;
    argv[argc++] = s->sim_bin;
#define ARG(...)                                                                                   \
    do {                                                                                           \
        snprintf(args[argc], sizeof args[argc], __VA_ARGS__);                                      \
        argv[argc] = args[argc];                                                                   \
        argc++;                                                                                    \
    } while (0)
    ARG("--profile");
    ARG("static");
    for (size_t i = 0; i < n_loads && i < SOURCE_MAX_LOADS; i++) {
        ARG("--load");
        ARG("%.6g@%.6g,%.6g", loads[i].mass_kg, loads[i].x_m, loads[i].y_m);
    }
    if (n_loads == 0) {
        /* Without any load gaitcue-sim's static profile is a person
         * standing still; a 1 mg load (1e-5 N, far below the noise) is the
         * empty deck its options can express. */
        ARG("--load");
        ARG("1e-06@0,0");
    }
    ARG("--seed");
    ARG("%llu", (unsigned long long)s->o.seed);
    if (s->o.gain_error_pct >= 0.0) {
        ARG("--gain-error");
        ARG("%.6g", s->o.gain_error_pct);
    }
    if (s->o.wobble_n > 0.0) {
        ARG("--wobble");
        ARG("%.6g", s->o.wobble_n);
    }
    for (size_t i = 0; i < s->o.n_sim_args && argc < 56; i++)
        argv[argc++] = (char *)s->o.sim_args[i];
    /* As fast as calib reads: nothing is dropped, the model's time is the
     * same, and a capture takes a fraction of its sensor time. */
    ARG("--speed");
    ARG("max");
    ARG("--pty");
#undef ARG
    argv[argc] = NULL;

    int fds[2];
    if (pipe(fds) != 0) {
        return gc_fail(diag, GC_ERR_IO, "cannot start the simulator (pipe: %s)", strerror(errno));
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return gc_fail(diag, GC_ERR_IO, "cannot start the simulator (fork: %s)", strerror(errno));
    }
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv);
        fprintf(stderr, "calib: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    *pid_out = pid;
    *pipe_out = fds[0];

    /* Read its stdout until "pty: PATH". */
    char line[512];
    size_t len = 0;
    int64_t deadline = dev_now_ns() + (int64_t)SIM_START_TIMEOUT_MS * 1000000;
    for (;;) {
        int64_t left = (deadline - dev_now_ns()) / 1000000;
        struct pollfd pfd = {fds[0], POLLIN, 0};
        int pr = left > 0 ? poll(&pfd, 1, (int)left) : 0;
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0) {
            return gc_fail(diag, GC_ERR_TIMEOUT, "the simulator did not offer a pty within %d ms",
                           SIM_START_TIMEOUT_MS);
        }
        ssize_t r = read(fds[0], line + len, sizeof line - 1 - len);
        if (r <= 0) {
            return gc_fail(diag, GC_ERR_CLOSED,
                           "the simulator exited before offering a pty (its message is above)");
        }
        len += (size_t)r;
        line[len] = '\0';
        char *p = strstr(line, "pty: ");
        char *nl = p ? strchr(p, '\n') : NULL;
        if (nl) {
            *nl = '\0';
            snprintf(pty, pty_cap, "%s", p + 5);
            return GC_OK;
        }
        if (len >= sizeof line - 1) {
            /* Keep the tail: the marker may straddle the boundary. */
            memmove(line, line + len / 2, len - len / 2 + 1);
            len -= len / 2;
        }
    }
}

static void sim_stop(pid_t pid, int pipe_fd)
{
    if (pid > 0) {
        kill(pid, SIGTERM);
        int status;
        for (int i = 0; i < 100; i++) {
            pid_t w = waitpid(pid, &status, WNOHANG);
            if (w == pid || (w < 0 && errno != EINTR))
                break;
            struct timespec ts = {0, 20 * 1000000L};
            nanosleep(&ts, NULL);
            if (i == 99) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
            }
        }
    }
    if (pipe_fd >= 0)
        close(pipe_fd);
}

int source_capture(struct source *s, const struct source_load *loads, size_t n_loads,
                   struct pkt_hello *hello, struct pkt_sample **samples, size_t *n,
                   struct gc_diag *diag)
{
    gc_diag_clear(diag);
    if (!s || !hello || !samples || !n)
        return gc_fail(diag, GC_ERR_ARG, "no source or no room for the capture");
    if (!s->o.sim)
        return capture_on(s, &s->dev, hello, samples, n, diag);

    pid_t pid = -1;
    int pipe_fd = -1;
    char pty[256];
    int rc = sim_spawn(s, loads, n_loads, &pid, &pipe_fd, pty, sizeof pty, diag);
    if (rc == GC_OK) {
        struct slink *link = NULL;
        rc = slink_open(pty, NULL, &link, NULL);
        if (rc != GC_OK) {
            gc_fail(diag, rc, "cannot open the simulator's pty %s (%s): run calib again", pty,
                    gc_strerror(rc));
        } else {
            struct devlink dev;
            dev_init(&dev, link);
            rc = capture_on(s, &dev, hello, samples, n, diag);
            slink_close(link);
        }
    }
    sim_stop(pid, pipe_fd);
    return rc;
}
