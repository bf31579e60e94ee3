/*
 * gc_fault_proxy - test-only man in the middle between gaitcue-sim and the
 * station, for the fault-injection tests (issue 4).
 *
 *   gaitcue-sim --pty  <== upstream pty ==>  proxy  <== downstream pty ==>  station
 *                                              |                (symlink --link PATH)
 *                                          injects faults device -> host
 *
 * The proxy starts the simulator itself (so it can also "reboot" it), opens
 * its pty, creates its own pty and points the symlink PATH at it (like
 * /dev/serial/by-id/... on a real machine), prints "ready PATH" and serves.
 * Host -> device bytes (commands) pass untouched.  Device -> host bytes get:
 *
 *   --flip P          flip one random bit of a byte, probability P per byte
 *   --ber P           flip every bit independently with probability P, in
 *                     BOTH directions (device -> host and host -> device:
 *                     commands and resend requests are damaged too)
 *   --drop P          drop a byte, probability P per byte
 *   --garbage-every S insert a burst of --garbage-len N random non-zero
 *                     bytes plus a 0x00 between two frames every S seconds
 *   --stall-at T --stall-for D   stop reading and writing for D s at T
 *   --stall-every S --stall-for D   the same every S seconds
 *   --reopen-at T [--reopen-gap G]  close the downstream pty at T, create a
 *                     new one G s later (default 0.5) and move the symlink:
 *                     an unplug / replug; the device keeps streaming and
 *                     what it sends meanwhile is lost
 *   --reboot-at T     kill -9 the simulator at T and start a new one: a
 *                     sensor reboot (its sequence numbers restart)
 *   --bps N           carry at most N bytes/s device -> host (a slow link)
 *
 * --upstream PTY instead of --sim: the device is already running behind PTY
 * (QEMU's USART1, tests/firmware/hal/fw_e2e.py); --reboot-at is then refused.
 *
 * Times T are seconds since the first SAMPLES frame went to the host.
 * The proxy tracks the original frames (COBS + CRC, firmware/proto) and
 * reports at exit (--report FILE, JSON) which SAMPLES blocks it damaged or
 * discarded, by sequence number, so a test can compare them exactly with
 * what the station says it lost, and how many resent blocks (PKT_RESENT)
 * it forwarded intact and damaged, and how many host -> device bits it
 * flipped.  SIGTERM/SIGINT: write the report, stop
 * the simulator, exit 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"
#include "packet.h"

#define MAX_SIM_ARGS 48
/* The host polls its port every 20 ms: 100 ms is ample to read the rest. */
#define UNPLUG_DRAIN_S 0.1
#define MAX_LOST       100000

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

struct opts {
    const char *sim;
    const char *upstream;
    const char *sim_args[MAX_SIM_ARGS];
    int n_sim_args;
    const char *link;
    const char *report;
    uint64_t seed;
    double flip, drop, ber;
    double stall_every;
    double garbage_every;
    int garbage_len;
    double stall_at, stall_for;
    double reopen_at, reopen_gap;
    double reboot_at;
    double bps;
};

struct lost {
    uint32_t boot, seq;
    char why; /* 'd' damaged, 'x' discarded */
};

struct proxy {
    struct opts o;
    pid_t sim_pid;
    int sim_out;
    int up;   /* the simulator's pty (slave side, opened by us) */
    int down; /* our pty master */
    char down_name[128];
    bool connected; /* the station has written to the current downstream pty */
    uint64_t rng;
    double t0; /* wall time of the first SAMPLES frame forwarded; <0 before */
    /* current original frame */
    uint8_t cur[FRAME_MAX_WIRE + 8];
    size_t cur_len;
    bool cur_damaged, cur_discarded, next_damaged;
    uint32_t boot;
    /* report */
    uint64_t flipped, dropped, garbage_bursts, garbage_bytes, frames, bytes_up, bytes_down;
    uint64_t stalls, reopens, reboots;
    uint64_t resent_ok, resent_damaged, samples_ok;
    uint64_t bits_flipped_down, bits_flipped_up, bytes_damaged_up;
    double ber_skip_down, ber_skip_up; /* bits left before the next flip */
    double next_stall;
    struct lost *lost;
    size_t n_lost;
    bool stalled;
    double stall_end;
    bool unplugged;
    double close_at, replug_at;
    double next_garbage;
    bool done_stall, done_reopen, done_reboot;
    double tokens;
    double last_refill;
    /* bytes for the host from the current read, written in one call (one
     * write per byte made the proxy itself the bottleneck under load) */
    uint8_t obuf[8192];
    size_t on;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t rnd(struct proxy *p)
{
    /* xorshift64*: deterministic per --seed */
    p->rng ^= p->rng >> 12;
    p->rng ^= p->rng << 25;
    p->rng ^= p->rng >> 27;
    return p->rng * 2685821657736338717ULL;
}

static double rnd01(struct proxy *p)
{
    return (double)(rnd(p) >> 11) * (1.0 / 9007199254740992.0);
}

/* Bits until the next error at a per-bit rate P: geometric. */
static double ber_gap(struct proxy *p)
{
    double u = rnd01(p);
    if (u <= 0.0)
        u = 1e-300;
    return floor(log(u) / log1p(-p->o.ber));
}

/* Flip the bits of b that the per-bit error rate hits; returns flips. */
static int ber_damage(struct proxy *p, uint8_t *b, double *skip)
{
    int flips = 0;
    double bit = *skip;
    while (bit < 8.0) {
        *b ^= (uint8_t)(1u << (unsigned)bit);
        flips++;
        bit += 1.0 + ber_gap(p);
    }
    *skip = bit - 8.0;
    return flips;
}

static void die(const char *msg)
{
    fprintf(stderr, "gc_fault_proxy: %s: %s\n", msg, strerror(errno));
    exit(1);
}

static void set_raw(int fd)
{
    struct termios t;
    if (tcgetattr(fd, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(fd, TCSANOW, &t);
    }
}

static void start_sim(struct proxy *p)
{
    if (p->o.upstream) {
        p->up = open(p->o.upstream, O_RDWR | O_NOCTTY | O_NONBLOCK);
        if (p->up < 0)
            die("open --upstream");
        set_raw(p->up);
        return;
    }
    int pfd[2];
    if (pipe(pfd) < 0)
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(pfd[1], 1);
        close(pfd[0]);
        close(pfd[1]);
        const char *argv[MAX_SIM_ARGS + 3];
        int k = 0;
        argv[k++] = p->o.sim;
        argv[k++] = "--pty";
        for (int i = 0; i < p->o.n_sim_args; i++)
            argv[k++] = p->o.sim_args[i];
        argv[k] = NULL;
        execv(p->o.sim, (char *const *)argv);
        _exit(127);
    }
    close(pfd[1]);
    p->sim_pid = pid;
    p->sim_out = pfd[0];
    char line[256];
    size_t n = 0;
    double deadline = now_s() + 5;
    while (now_s() < deadline) {
        ssize_t k = read(p->sim_out, line + n, 1);
        if (k <= 0)
            break;
        if (line[n] == '\n') {
            line[n] = '\0';
            if (!strncmp(line, "pty: ", 5)) {
                p->up = open(line + 5, O_RDWR | O_NOCTTY | O_NONBLOCK);
                if (p->up < 0)
                    die("open simulator pty");
                set_raw(p->up);
                fcntl(p->sim_out, F_SETFL, O_NONBLOCK);
                return;
            }
            n = 0;
        } else if (n < sizeof line - 2) {
            n++;
        }
    }
    fprintf(stderr, "gc_fault_proxy: the simulator did not start\n");
    exit(1);
}

static void stop_sim(struct proxy *p)
{
    if (p->sim_pid > 0) {
        kill(p->sim_pid, SIGKILL);
        waitpid(p->sim_pid, NULL, 0);
        p->sim_pid = 0;
    }
    if (p->up >= 0)
        close(p->up);
    if (p->sim_out >= 0)
        close(p->sim_out);
    p->up = p->sim_out = -1;
}

static void open_down(struct proxy *p)
{
    p->down = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (p->down < 0 || grantpt(p->down) < 0 || unlockpt(p->down) < 0)
        die("posix_openpt");
    snprintf(p->down_name, sizeof p->down_name, "%s", ptsname(p->down));
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s.tmp", p->o.link);
    unlink(tmp);
    if (symlink(p->down_name, tmp) < 0 || rename(tmp, p->o.link) < 0)
        die("symlink");
    p->connected = false;
}

static void add_lost(struct proxy *p, uint32_t seq, char why)
{
    if (p->n_lost < MAX_LOST)
        p->lost[p->n_lost++] = (struct lost){p->boot, seq, why};
}

/* An original frame ended (its 0x00 seen upstream): account for it. */
static void frame_done(struct proxy *p)
{
    uint8_t raw[FRAME_MAX_RAW + 8];
    long n = frame_cobs_decode(p->cur, p->cur_len, raw, sizeof raw);
    bool crc_ok = n >= 1 + 4 + 4 && frame_crc32(raw, (size_t)n - 4) ==
                                         ((uint32_t)raw[n - 4] | (uint32_t)raw[n - 3] << 8 |
                                          (uint32_t)raw[n - 2] << 16 | (uint32_t)raw[n - 1] << 24);
    bool samples = crc_ok && raw[0] == PKT_SAMPLES;
    if (crc_ok && raw[0] == PKT_RESENT) {
        if (p->cur_discarded || p->cur_damaged)
            p->resent_damaged++;
        else
            p->resent_ok++;
    }
    if (samples && !p->cur_discarded && !p->cur_damaged)
        p->samples_ok++;
    if (p->cur_len > 0)
        p->frames++;
    if (samples) {
        uint32_t seq = (uint32_t)raw[1] | (uint32_t)raw[2] << 8 | (uint32_t)raw[3] << 16 |
                       (uint32_t)raw[4] << 24;
        if (p->cur_discarded)
            add_lost(p, seq, 'x');
        else if (p->cur_damaged)
            add_lost(p, seq, 'd');
        else if (p->t0 < 0 && p->connected)
            p->t0 = now_s();
    }
    p->cur_len = 0;
    p->cur_damaged = p->next_damaged;
    p->next_damaged = false;
    p->cur_discarded = false;
}

static void write_down(struct proxy *p, const uint8_t *b, size_t n)
{
    while (n > 0 && p->down >= 0) {
        ssize_t w = write(p->down, b, n);
        if (w > 0) {
            b += w;
            n -= (size_t)w;
            p->bytes_down += (uint64_t)w;
            continue;
        }
        if (w < 0 && errno == EAGAIN) {
            /* The host is slow to read: wait (the simulator waits for us in
             * turn), so no byte is lost that the report would not name. */
            struct pollfd q = {p->down, POLLOUT, 0};
            if (poll(&q, 1, 100) < 0 && errno != EINTR)
                return;
            if (g_stop)
                return;
            continue;
        }
        /* EIO: the host closed its end; what is left is undeliverable and
         * the frame is counted as discarded. */
        p->cur_discarded = true;
        return;
    }
}

/* One byte from the device.  Decides what reaches the host. */
static void from_device(struct proxy *p, uint8_t c)
{
    p->bytes_up++;
    bool delim = c == 0;
    if (p->cur_len < sizeof p->cur && !delim)
        p->cur[p->cur_len++] = c;
    if (p->unplugged || !p->connected) {
        /* Nobody to deliver to: the whole frame is lost. */
        p->cur_discarded = true;
        if (delim)
            frame_done(p);
        return;
    }
    if (p->cur_discarded) {
        /* The start of this frame went nowhere: drop the rest too, so the
         * host resumes at a frame boundary. */
        if (delim)
            frame_done(p);
        return;
    }
    uint8_t out = c;
    bool emit = true;
    if (p->t0 >= 0 && p->o.drop > 0 && rnd01(p) < p->o.drop) {
        emit = false;
        p->dropped++;
    } else if (p->t0 >= 0 && p->o.flip > 0 && rnd01(p) < p->o.flip) {
        out = (uint8_t)(c ^ (1u << (rnd(p) & 7u)));
        p->flipped++;
    } else if (p->t0 >= 0 && p->o.ber > 0) {
        int f = ber_damage(p, &out, &p->ber_skip_down);
        p->bits_flipped_down += (uint64_t)f;
        p->flipped += f > 0;
    }
    if (out != c || !emit) {
        p->cur_damaged = true;
        if (delim)
            p->next_damaged = true; /* the delimiter is gone: two frames merge */
    }
    if (emit)
        p->obuf[p->on++] = out;
    if (delim) {
        frame_done(p);
        double t = now_s();
        if (p->o.garbage_every > 0 && p->t0 >= 0 && t >= p->next_garbage) {
            uint8_t g[4096];
            int n = p->o.garbage_len > 0 && p->o.garbage_len < 4000 ? p->o.garbage_len : 64;
            for (int i = 0; i < n; i++)
                g[i] = (uint8_t)(1u + rnd(p) % 255u);
            g[n] = 0;
            write_down(p, p->obuf, p->on);
            p->on = 0;
            write_down(p, g, (size_t)n + 1);
            p->garbage_bursts++;
            p->garbage_bytes += (uint64_t)n + 1;
            p->next_garbage = t + p->o.garbage_every;
        }
    }
}

static void write_report(struct proxy *p)
{
    if (p->o.report == NULL)
        return;
    FILE *f = fopen(p->o.report, "w");
    if (f == NULL)
        return;
    fprintf(f,
            "{\"frames\":%llu,\"bytes_up\":%llu,\"bytes_down\":%llu,\"flipped\":%llu,"
            "\"dropped\":%llu,\"garbage_bursts\":%llu,\"garbage_bytes\":%llu,\"stalls\":%llu,"
            "\"reopens\":%llu,\"reboots\":%llu,\"samples_ok\":%llu,\"resent_ok\":%llu,"
            "\"resent_damaged\":%llu,\"bits_flipped_down\":%llu,\"bits_flipped_up\":%llu,"
            "\"bytes_damaged_up\":%llu,\"lost\":[",
            (unsigned long long)p->frames, (unsigned long long)p->bytes_up,
            (unsigned long long)p->bytes_down, (unsigned long long)p->flipped,
            (unsigned long long)p->dropped, (unsigned long long)p->garbage_bursts,
            (unsigned long long)p->garbage_bytes, (unsigned long long)p->stalls,
            (unsigned long long)p->reopens, (unsigned long long)p->reboots,
            (unsigned long long)p->samples_ok, (unsigned long long)p->resent_ok,
            (unsigned long long)p->resent_damaged, (unsigned long long)p->bits_flipped_down,
            (unsigned long long)p->bits_flipped_up, (unsigned long long)p->bytes_damaged_up);
    for (size_t i = 0; i < p->n_lost; i++)
        fprintf(f, "%s[%u,%u,\"%c\"]", i ? "," : "", p->lost[i].boot, p->lost[i].seq,
                p->lost[i].why);
    fprintf(f, "]}\n");
    fclose(f);
}

static void usage(void)
{
    fprintf(stderr, "usage: gc_fault_proxy --sim BIN | --upstream PTY --link PATH [--report FILE]\n"
                    "  [--seed N]\n"
                    "  [--flip P] [--drop P] [--ber P] [--garbage-every S --garbage-len N]\n"
                    "  [--stall-at T | --stall-every S] [--stall-for D]\n"
                    "  [--reopen-at T --reopen-gap G]\n"
                    "  [--reboot-at T] [--bps N] [-- SIM ARGS...]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    static struct proxy px;
    struct proxy *p = &px;
    struct opts *o = &p->o;
    o->seed = 1;
    o->stall_at = o->reopen_at = o->reboot_at = -1;
    o->reopen_gap = 0.5;
    o->garbage_len = 64;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            for (i++; i < argc && o->n_sim_args < MAX_SIM_ARGS - 1; i++)
                o->sim_args[o->n_sim_args++] = argv[i];
            break;
        }
        if (i + 1 >= argc)
            usage();
        const char *v = argv[++i];
        if (!strcmp(a, "--sim"))
            o->sim = v;
        else if (!strcmp(a, "--upstream"))
            o->upstream = v;
        else if (!strcmp(a, "--link"))
            o->link = v;
        else if (!strcmp(a, "--report"))
            o->report = v;
        else if (!strcmp(a, "--seed"))
            o->seed = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--flip"))
            o->flip = atof(v);
        else if (!strcmp(a, "--drop"))
            o->drop = atof(v);
        else if (!strcmp(a, "--ber"))
            o->ber = atof(v);
        else if (!strcmp(a, "--stall-every"))
            o->stall_every = atof(v);
        else if (!strcmp(a, "--garbage-every"))
            o->garbage_every = atof(v);
        else if (!strcmp(a, "--garbage-len"))
            o->garbage_len = atoi(v);
        else if (!strcmp(a, "--stall-at"))
            o->stall_at = atof(v);
        else if (!strcmp(a, "--stall-for"))
            o->stall_for = atof(v);
        else if (!strcmp(a, "--reopen-at"))
            o->reopen_at = atof(v);
        else if (!strcmp(a, "--reopen-gap"))
            o->reopen_gap = atof(v);
        else if (!strcmp(a, "--reboot-at"))
            o->reboot_at = atof(v);
        else if (!strcmp(a, "--bps"))
            o->bps = atof(v);
        else
            usage();
    }
    if ((o->sim == NULL) == (o->upstream == NULL) || o->link == NULL ||
        (o->upstream && o->reboot_at >= 0))
        usage();
    if (o->ber < 0 || o->ber >= 0.5 || o->flip < 0 || o->drop < 0 || o->stall_every < 0)
        usage();
    p->rng = o->seed * 0x9E3779B97F4A7C15ULL + 1;
    if (o->ber > 0) {
        p->ber_skip_down = ber_gap(p);
        p->ber_skip_up = ber_gap(p);
    }
    p->lost = calloc(MAX_LOST, sizeof *p->lost);
    p->t0 = -1;
    p->up = p->down = p->sim_out = -1;
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);
    start_sim(p);
    open_down(p);
    printf("ready %s\n", o->link);
    fflush(stdout);
    p->last_refill = now_s();

    uint8_t buf[4096];
    while (!g_stop) {
        double t = now_s();
        double rel = p->t0 >= 0 ? t - p->t0 : -1;
        /* scheduled faults */
        if (!p->done_stall && o->stall_at >= 0 && rel >= o->stall_at) {
            p->done_stall = true;
            p->stalled = true;
            p->stall_end = t + o->stall_for;
            p->stalls++;
        }
        if (o->stall_every > 0 && rel >= 0 && !p->stalled) {
            if (p->next_stall <= 0)
                p->next_stall = rel + o->stall_every;
            else if (rel >= p->next_stall) {
                p->stalled = true;
                p->stall_end = t + o->stall_for;
                p->stalls++;
                p->next_stall += o->stall_every;
            }
        }
        if (p->stalled && t >= p->stall_end)
            p->stalled = false;
        if (!p->done_reopen && o->reopen_at >= 0 && rel >= o->reopen_at) {
            /* Unplug: from now on nothing more is delivered; the master is
             * closed UNPLUG_DRAIN_S later, once the host has read what was
             * already on its way (closing a pty master discards unread
             * bytes, and the proxy could not tell which frames those were). */
            p->done_reopen = true;
            p->unplugged = true;
            p->close_at = t + UNPLUG_DRAIN_S;
            p->replug_at = t + o->reopen_gap;
            p->reopens++;
        }
        if (p->unplugged && p->down >= 0 && t >= p->close_at) {
            close(p->down);
            p->down = -1;
        }
        if (p->unplugged && p->down < 0 && t >= p->replug_at) {
            open_down(p);
            p->unplugged = false;
        }
        if (!p->done_reboot && o->reboot_at >= 0 && rel >= o->reboot_at) {
            p->done_reboot = true;
            stop_sim(p);
            p->cur_len = 0;
            p->cur_damaged = p->next_damaged = p->cur_discarded = false;
            p->boot++;
            p->reboots++;
            start_sim(p);
        }
        if (o->bps > 0) {
            p->tokens += (t - p->last_refill) * o->bps;
            if (p->tokens > o->bps * 0.05)
                p->tokens = o->bps * 0.05; /* at most 50 ms of burst */
            p->last_refill = t;
        }

        struct pollfd q[2];
        int nq = 0;
        int iu = -1, id = -1;
        bool can_read_up = !p->stalled && (o->bps <= 0 || p->tokens >= 1.0);
        if (can_read_up && p->up >= 0) {
            q[nq] = (struct pollfd){p->up, POLLIN, 0};
            iu = nq++;
        }
        if (p->down >= 0 && !p->stalled && !p->unplugged) {
            q[nq] = (struct pollfd){p->down, POLLIN, 0};
            id = nq++;
        }
        int rc = poll(q, (nfds_t)nq, 5);
        if (rc < 0 && errno != EINTR)
            die("poll");
        if (rc <= 0)
            continue;
        if (id >= 0 && (q[id].revents & POLLIN)) {
            ssize_t n = read(p->down, buf, sizeof buf);
            if (n > 0) {
                p->connected = true;
                if (p->t0 >= 0 && o->ber > 0)
                    for (ssize_t i = 0; i < n; i++) {
                        int f = ber_damage(p, &buf[i], &p->ber_skip_up);
                        p->bits_flipped_up += (uint64_t)f;
                        p->bytes_damaged_up += f > 0;
                    }
                if (p->up >= 0 && write(p->up, buf, (size_t)n) < 0) {
                    /* the simulator is gone (reboot in progress): the host retries */
                }
            }
        }
        if (iu >= 0 && (q[iu].revents & (POLLIN | POLLHUP))) {
            size_t cap = sizeof buf;
            if (o->bps > 0 && (double)cap > p->tokens)
                cap = (size_t)p->tokens;
            ssize_t n = cap ? read(p->up, buf, cap) : 0;
            if (n > 0) {
                if (o->bps > 0)
                    p->tokens -= (double)n;
                for (ssize_t i = 0; i < n; i++)
                    from_device(p, buf[i]);
                write_down(p, p->obuf, p->on);
                p->on = 0;
            }
        }
    }
    write_report(p);
    stop_sim(p);
    if (p->down >= 0)
        close(p->down);
    unlink(o->link);
    return 0;
}
