/*
 * test_sim_pty.c - gaitcue-sim --pty end to end: spawn the simulator, open
 * the pseudo-terminal it prints with termios, speak the wire protocol
 * (gc_proto encoder/decoder) and check what arrives.
 *
 *   1. --speed max --seconds 3: IDENTIFY -> ACK + HELLO (identity), START ->
 *      3000 samples in 300 blocks, contiguous timestamps (t0 + k x 1000 us),
 *      no sequence gaps, METRONOME acknowledged; the truth file's contacts
 *      lie inside the sampled time and the decoded force is high in them.
 *   2. --speed 1 --seconds 1 (real time): 1000 samples, contiguous.  No
 *      timing is asserted (rule: no timing assertions in tests).
 *   3. Reconnect: close the pty mid-stream, reopen within the 2 s grace,
 *      samples keep coming; close for good -> the simulator exits by itself.
 *   4. A host that stops reading: frames are dropped and counted on the
 *      device (sequence gap, STATUS.dropped_samples, FAULT_TX_OVERFLOW).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "frame.h"
#include "packet.h"

extern char **environ;

#define SIM GC_BINARY_DIR "/bin/gaitcue-sim"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct sim {
    pid_t pid;
    int out; /* child's stdout */
    char pty[256];
};

/* Spawn gaitcue-sim with args and read its "pty: PATH" line. */
static int sim_spawn(struct sim *s, char *const argv[])
{
    int p[2];
    if (pipe(p) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    int rc = posix_spawn(&s->pid, SIM, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    if (rc != 0) {
        close(p[0]);
        return -1;
    }
    s->out = p[0];
    char line[256];
    size_t n = 0;
    double end = now_s() + 10.0;
    while (n < sizeof line - 1 && now_s() < end) {
        struct pollfd pf = {s->out, POLLIN, 0};
        if (poll(&pf, 1, 200) <= 0)
            continue;
        ssize_t r = read(s->out, line + n, 1);
        if (r <= 0)
            break;
        if (line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    if (strncmp(line, "pty: ", 5) != 0) {
        fprintf(stderr, "unexpected first line '%s'\n", line);
        return -1;
    }
    snprintf(s->pty, sizeof s->pty, "%s", line + 5);
    return 0;
}

/* Wait for the child to exit within timeout_s; returns its exit status or
 * -1 (and kills it) on timeout. */
static int sim_wait(struct sim *s, double timeout_s)
{
    double end = now_s() + timeout_s;
    int st;
    while (now_s() < end) {
        pid_t r = waitpid(s->pid, &st, WNOHANG);
        if (r == s->pid) {
            close(s->out);
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, &st, 0);
    close(s->out);
    return -1;
}

static int open_tty(const char *path)
{
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return -1;
    struct termios t;
    if (tcgetattr(fd, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(fd, TCSANOW, &t);
    }
    return fd;
}

static void send_cmd(int fd, uint8_t cmd, uint16_t token, uint32_t arg)
{
    struct pkt_cmd c = {.cmd = cmd, .token = token, .arg = arg, .arg64 = 0};
    uint8_t wire[FRAME_MAX_WIRE];
    size_t n = pkt_cmd_frame(&c, wire, sizeof wire);
    CHECK(n > 0);
    CHECK(write(fd, wire, n) == (ssize_t)n);
}

/* What a session received. */
struct rx {
    struct frame_decoder dec;
    struct pkt_seq_tracker seq;
    int hellos, status;
    struct pkt_status last_status;
    struct pkt_hello hello;
    int acks[8]; /* by command, last status + 100 (0 = none) */
    long samples;
    long blocks;
    long time_breaks; /* t_first_us not where the previous block ended */
    uint64_t t_first_us, t_next_us;
    bool have_t;
    long bad_payloads;
    /* total force per sample (N, nominal scale) for the truth check */
    double *fz;
    long fz_cap;
};

static void rx_init(struct rx *x, long fz_cap)
{
    memset(x, 0, sizeof *x);
    frame_decoder_init(&x->dec);
    pkt_seq_init(&x->seq);
    x->fz_cap = fz_cap;
    x->fz = fz_cap ? calloc((size_t)fz_cap, sizeof *x->fz) : NULL;
}

static void rx_frame(struct rx *x)
{
    const uint8_t *p = x->dec.payload;
    size_t n = x->dec.payload_len;
    switch (x->dec.type) {
    case PKT_HELLO:
        if (pkt_hello_decode(p, n, &x->hello) == 0)
            x->hellos++;
        else
            x->bad_payloads++;
        break;
    case PKT_ACK: {
        struct pkt_ack a;
        if (pkt_ack_decode(p, n, &a) == 0 && a.cmd < 8)
            x->acks[a.cmd] = 100 + a.status;
        else
            x->bad_payloads++;
        break;
    }
    case PKT_STATUS: {
        struct pkt_status st;
        if (pkt_status_decode(p, n, &st) == 0) {
            x->status++;
            x->last_status = st;
        } else
            x->bad_payloads++;
        break;
    }
    case PKT_SAMPLES: {
        static struct pkt_samples b;
        if (pkt_samples_decode(p, n, &b) != 0) {
            x->bad_payloads++;
            break;
        }
        pkt_seq_update(&x->seq, b.seq);
        if (!x->have_t) {
            x->t_first_us = b.t_first_us;
            x->have_t = true;
        } else if (b.t_first_us != x->t_next_us) {
            x->time_breaks++;
        }
        x->t_next_us = b.t_first_us + (uint64_t)b.n * 1000000u / b.rate_hz;
        for (unsigned i = 0; i < b.n; i++) {
            if (x->fz && x->samples < x->fz_cap) {
                double f = 0;
                for (unsigned c = 0; c < PKT_CELLS; c++)
                    f += b.s[i].cell[c] * 2.5e-4;
                x->fz[x->samples] = f;
            }
            x->samples++;
        }
        x->blocks++;
        break;
    }
    default:
        break;
    }
}

/* Read and decode until want samples arrived, the pty closed, or timeout.
 * Returns false on timeout. */
static bool rx_until(struct rx *x, int fd, long want, double timeout_s)
{
    double end = now_s() + timeout_s;
    uint8_t buf[4096];
    while (now_s() < end) {
        if (want > 0 && x->samples >= want)
            return true;
        struct pollfd pf = {fd, POLLIN, 0};
        if (poll(&pf, 1, 100) <= 0)
            continue;
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n <= 0)
            return want <= 0; /* simulator closed the pty */
        for (ssize_t i = 0; i < n; i++)
            if (frame_decoder_push(&x->dec, buf[i]) == FRAME_OK)
                rx_frame(x);
    }
    return want <= 0 ? false : x->samples >= want;
}

static void test_max_speed(void)
{
    char truth[] = "/tmp/gc_sim_truthXXXXXX";
    int tfd = mkstemp(truth);
    CHECK(tfd >= 0);
    close(tfd);
    char *argv[] = {"gaitcue-sim", "--pty",   "--speed", "max",    "--seconds", "3", "--seed",
                    "7",           "--truth", truth,     "--mass", "80",        NULL};
    struct sim s;
    CHECK(sim_spawn(&s, argv) == 0);
    int fd = open_tty(s.pty);
    CHECK(fd >= 0);
    struct rx x;
    rx_init(&x, 4000);
    send_cmd(fd, CMD_IDENTIFY, 1, 0);
    send_cmd(fd, CMD_METRONOME, 2, 18000);
    send_cmd(fd, CMD_START, 3, 0);
    /* 3 s of samples at 1 kHz, then the simulator exits and closes. */
    CHECK(rx_until(&x, fd, 3000, 30.0));
    rx_until(&x, fd, 0, 5.0);
    close(fd);
    CHECK_EQ(sim_wait(&s, 10.0), 0);

    CHECK(x.hellos >= 1);
    CHECK_EQ(x.hello.proto_version, PROTO_VERSION);
    CHECK(strcmp(x.hello.serial, "SIM-00000007") == 0);
    CHECK_EQ(x.hello.rate_hz, 1000);
    CHECK_NEAR(x.hello.cell_n_per_count, 2.5e-4, 2e-11);      /* float: 6e-8 relative */
    CHECK_NEAR(x.hello.accel_g_per_lsb, 1.0 / 2048.0, 1e-12); /* exact in float */
    CHECK_NEAR(x.hello.gyro_dps_per_lsb, 1.0 / 16.4, 1e-8);   /* float: 6e-8 relative */
    CHECK_EQ(x.hello.cell_x_mm[0], -300);
    CHECK_EQ(x.hello.cell_y_mm[3], -700);
    CHECK_EQ(x.acks[CMD_IDENTIFY], 100 + ACK_OK);
    CHECK_EQ(x.acks[CMD_METRONOME], 100 + ACK_OK);
    CHECK_EQ(x.acks[CMD_START], 100 + ACK_OK);
    CHECK_EQ(x.samples, 3000);
    CHECK_EQ(x.blocks, 300);
    CHECK_EQ(x.time_breaks, 0);
    CHECK_EQ(x.seq.gaps, 0);
    CHECK_EQ(x.seq.lost_blocks, 0);
    CHECK_EQ(x.dec.frames_bad, 0);
    CHECK_EQ(x.bad_payloads, 0);
    CHECK(x.status >= 2); /* one STATUS per second of sensor time */
    CHECK_EQ(x.t_next_us - x.t_first_us, 3000000u);

    /* Truth contacts are in sensor time: each lies inside the sampled
     * span, and 40 ms after IC the decoded force is well above flight
     * (an 80 kg runner's force 40 ms into stance is > 1 BW). */
    FILE *f = fopen(truth, "r");
    CHECK(f != NULL);
    char line[1024];
    CHECK(f && fgets(line, sizeof line, f) && strncmp(line, "index,side,t_ic_s,", 18) == 0);
    int steps = 0, loaded = 0;
    while (f && fgets(line, sizeof line, f)) {
        unsigned idx;
        char side;
        double t_ic, t_to;
        if (sscanf(line, "%u,%c,%lf,%lf", &idx, &side, &t_ic, &t_to) != 4)
            continue;
        steps++;
        double rel = t_ic - x.t_first_us / 1e6;
        CHECK(rel > 0.0 && t_to < x.t_next_us / 1e6);
        long k = lround((rel + 0.040) * 1000.0);
        if (k >= 0 && k < x.samples)
            loaded += x.fz[k] > 80.0 * 9.80665;
    }
    if (f)
        fclose(f);
    /* 3 s at 170 spm: 8 contacts complete (the first at 0.1 s). */
    CHECK(steps >= 7 && steps <= 9);
    CHECK_EQ(loaded, steps);
    printf("max speed: %ld samples, %ld blocks, %d STATUS, %d truth steps\n", x.samples, x.blocks,
           x.status, steps);
    free(x.fz);
    unlink(truth);
}

static void test_real_time(void)
{
    char *argv[] = {"gaitcue-sim", "--pty", "--seconds", "1", "--rate", "500", NULL};
    struct sim s;
    CHECK(sim_spawn(&s, argv) == 0);
    int fd = open_tty(s.pty);
    CHECK(fd >= 0);
    struct rx x;
    rx_init(&x, 0);
    send_cmd(fd, CMD_START, 1, 0);
    CHECK(rx_until(&x, fd, 500, 20.0));
    rx_until(&x, fd, 0, 5.0);
    close(fd);
    CHECK_EQ(sim_wait(&s, 10.0), 0);
    CHECK_EQ(x.samples, 500);
    CHECK_EQ(x.time_breaks, 0);
    CHECK_EQ(x.seq.gaps, 0);
    /* --rate 500: the boot HELLO says so (it was queued before we opened
     * the pty and read then). */
    CHECK_EQ(x.hello.rate_hz, 500);
    CHECK_EQ(x.t_next_us - x.t_first_us, 1000000u);
}

static void test_reconnect(void)
{
    char *argv[] = {"gaitcue-sim", "--pty", "--speed", "4", NULL};
    struct sim s;
    CHECK(sim_spawn(&s, argv) == 0);
    int fd = open_tty(s.pty);
    CHECK(fd >= 0);
    struct rx x;
    rx_init(&x, 0);
    send_cmd(fd, CMD_START, 1, 0);
    CHECK(rx_until(&x, fd, 400, 20.0));
    close(fd);
    struct timespec ts = {0, 300000000}; /* 0.3 s, well inside the 2 s grace */
    nanosleep(&ts, NULL);
    fd = open_tty(s.pty);
    CHECK(fd >= 0);
    struct rx y;
    rx_init(&y, 0);
    send_cmd(fd, CMD_IDENTIFY, 2, 0);
    CHECK(rx_until(&y, fd, 400, 20.0));
    CHECK_EQ(y.acks[CMD_IDENTIFY], 100 + ACK_OK);
    CHECK(y.hellos >= 1 && y.hello.streaming);
    CHECK_EQ(y.seq.gaps, 0); /* contiguous again after the reconnect */
    close(fd);
    /* Gone for good: the simulator exits after the grace period (2 s);
     * 10 s is only a hang guard. */
    CHECK_EQ(sim_wait(&s, 10.0), 0);
}

/* A host that does not read: the pty and the device's tx queue fill, the
 * core drops whole frames and says so (sequence gap, STATUS counters,
 * FAULT_TX_OVERFLOW) while sampling goes on. */
static void test_slow_host(void)
{
    char *argv[] = {"gaitcue-sim", "--pty", "--speed", "8", "--seconds", "24", NULL};
    struct sim s;
    CHECK(sim_spawn(&s, argv) == 0);
    int fd = open_tty(s.pty);
    CHECK(fd >= 0);
    struct rx x;
    rx_init(&x, 0);
    send_cmd(fd, CMD_START, 1, 0);
    /* 1 s without reading = 8 s of data (~210 KB) against ~20 KB of pty
     * buffer + 8 KB of tx queue. */
    struct timespec ts = {1, 0};
    nanosleep(&ts, NULL);
    rx_until(&x, fd, 0, 30.0); /* read the rest until the simulator exits */
    close(fd);
    CHECK_EQ(sim_wait(&s, 10.0), 0);
    CHECK(x.seq.gaps >= 1);
    CHECK(x.seq.lost_blocks > 100);
    CHECK(x.status >= 1);
    CHECK(x.last_status.dropped_samples >= 1000);
    CHECK(x.last_status.faults & FAULT_TX_OVERFLOW);
    /* Every sample was taken: received + dropped (the final STATUS may
     * predate the last ~1 s of sampling, hence >=) covers the samples
     * counted by the STATUS. */
    CHECK(x.last_status.samples_total <= 24000u);
    CHECK((uint64_t)x.samples + x.last_status.dropped_samples >= x.last_status.samples_total);
    CHECK_EQ(x.dec.frames_bad, 0);
    printf("slow host: received %ld samples, %u dropped on the device, %llu blocks lost\n",
           x.samples, x.last_status.dropped_samples, (unsigned long long)x.seq.lost_blocks);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    test_max_speed();
    test_real_time();
    test_reconnect();
    test_slow_host();
    return check_exit();
}
