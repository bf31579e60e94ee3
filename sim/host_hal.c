/*
 * host_hal.c - host board port: fw_core on a pseudo-terminal, fed by the
 * runner model.
 *
 * Main loop, one thread (like the MCU's super-loop):
 *
 *   read pty (non-blocking) --> fw_core_rx --> commands, ACK/HELLO
 *   sample clock due?       --> runner_next --> fw_core_sample(t0 + k*T)
 *   fw_core_poll (STATUS)
 *   tx queue (HOST_TXQ_BYTES) --> write pty (non-blocking)
 *   sleep: clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next deadline)
 *
 * Time.  Sensor (device) time is real monotonic time since boot times
 * --speed.  With --speed max it is virtual: idle time advances with the
 * wall clock, and while streaming it is the timestamp of the last sample;
 * samples are then produced as fast as the host reads them (the sampler
 * waits for room in the tx queue instead of dropping, because no real
 * deadline exists).  At a finite speed a full tx queue drops whole frames
 * (counted by the core), and a loop that falls behind by more than
 * LATE_LIMIT_S skips the missed samples and counts them as overruns, as
 * the hardware would.
 *
 * Pty life cycle (Linux): before any open of the slave, reads on the
 * master give EAGAIN; after the last slave fd closes they give EIO (and
 * poll reports POLLHUP) until it is reopened.  EIO starts a grace period
 * (HOST_RECONNECT_GRACE_MS); a reopen within it continues the session, else
 * the simulator exits.  While the host is away the frames go nowhere (as
 * on a UART with nobody listening; what sat unread in the pty is flushed),
 * so a reconnecting host sees the loss as a sequence gap rather than a
 * burst of stale frames.  Bytes sent before the first open (the boot
 * HELLO) stay in the pty buffer until the host reads them.
 */
#include "host_hal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "fw_core.h"
#include "sim_csv.h"

/* Falling further behind than this skips samples (counted as overruns). */
#define LATE_LIMIT_S 0.2
/* Room needed in the tx queue before a sample at --speed max: one SAMPLES
 * frame plus a STATUS and a few ACKs. */
#define MAX_MODE_ROOM 1024u
/* Samples produced per loop turn at --speed max before serving the pty. */
#define MAX_MODE_BATCH 256u
/* Longest sleep while idle or waiting, ms. */
#define IDLE_WAIT_MS 10
/* On exit, keep flushing queued frames for at most this long, ms. */
#define DRAIN_MS 1000u

struct host {
    int fd;
    const struct host_opts *o;
    struct runner *r;
    struct fw_core fw;
    struct fw_hal hal;
    uint8_t txq[HOST_TXQ_BYTES];
    size_t head, len;
    uint64_t boot_ns, last_ns;
    uint64_t virt_us; /* --speed max device clock */
    bool sampling;
    uint32_t rate_hz;
    uint64_t t0_us, k;
    uint64_t sampled_us; /* sensor time sampled since boot (all STARTs) */
    double truth_off_s;  /* sensor time - model time of the current segment */
    bool hup;
    uint64_t hup_since_ns;
    bool truth_failed;
};

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double dev_us_at(const struct host *h, uint64_t ns)
{
    return (double)(ns - h->boot_ns) * h->o->speed / 1000.0;
}

/* ---- fw_hal ---- */

static uint64_t hal_now_us(void *ctx)
{
    struct host *h = ctx;
    if (h->o->speed > 0.0)
        return (uint64_t)dev_us_at(h, mono_ns());
    return h->virt_us;
}

static size_t hal_tx_write(void *ctx, const uint8_t *buf, size_t n)
{
    struct host *h = ctx;
    if (n > HOST_TXQ_BYTES - h->len)
        return 0; /* all or nothing */
    size_t tail = (h->head + h->len) % HOST_TXQ_BYTES;
    size_t first = HOST_TXQ_BYTES - tail < n ? HOST_TXQ_BYTES - tail : n;
    memcpy(h->txq + tail, buf, first);
    memcpy(h->txq, buf + first, n - first);
    h->len += n;
    return n;
}

static int hal_sampling_set(void *ctx, uint32_t rate_hz)
{
    struct host *h = ctx;
    if (rate_hz == 0) {
        h->sampling = false;
        return 0;
    }
    if (rate_hz < FW_RATE_MIN_HZ || rate_hz > FW_RATE_MAX_HZ)
        return -1;
    h->rate_hz = rate_hz;
    h->t0_us = hal_now_us(h);
    h->k = 0;
    runner_set_rate(h->r, (double)rate_hz);
    h->sampling = true;
    return 0;
}

static void hal_metronome(void *ctx, uint32_t spm_x100)
{
    struct host *h = ctx;
    runner_set_metronome(h->r, spm_x100 / 100.0);
}

/* ---- pty ---- */

static int open_pty(char *name, size_t cap)
{
    int fd = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return -1;
    struct termios t;
    if (grantpt(fd) != 0 || unlockpt(fd) != 0 || ptsname_r(fd, name, cap) != 0 ||
        tcgetattr(fd, &t) != 0) {
        close(fd);
        return -1;
    }
    /* Raw: no CR/LF translation, no echo, no signals; binary frames pass
     * untouched in both directions. */
    cfmakeraw(&t);
    if (tcsetattr(fd, TCSANOW, &t) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Read what the host sent.  Returns -1 on an unexpected error. */
static int service_rx(struct host *h, uint64_t now)
{
    uint8_t buf[512];
    for (;;) {
        ssize_t n = read(h->fd, buf, sizeof buf);
        if (n > 0) {
            h->hup = false;
            fw_core_rx(&h->fw, buf, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (h->hup)
                fprintf(stderr, "gaitcue-sim: host reopened the pty; continuing.\n");
            h->hup = false; /* slave open, or never opened yet */
            return 0;
        }
        if (n == 0 || errno == EIO) {
            if (!h->hup) {
                h->hup = true;
                h->hup_since_ns = now;
                tcflush(h->fd, TCOFLUSH);
            }
            return 0;
        }
        fprintf(stderr, "gaitcue-sim: reading the pty failed (%s); exiting.\n", strerror(errno));
        return -1;
    }
}

/* Write queued frames to the pty without blocking.  While the host is
 * away the bytes go nowhere, like a UART with nobody listening. */
static int flush_tx(struct host *h)
{
    if (h->hup) {
        h->head = (h->head + h->len) % HOST_TXQ_BYTES;
        h->len = 0;
        return 0;
    }
    while (h->len > 0) {
        size_t chunk = HOST_TXQ_BYTES - h->head < h->len ? HOST_TXQ_BYTES - h->head : h->len;
        ssize_t n = write(h->fd, h->txq + h->head, chunk);
        if (n > 0) {
            h->head = (h->head + (size_t)n) % HOST_TXQ_BYTES;
            h->len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EIO))
            return 0; /* pty full or no host: keep the bytes, the queue bounds them */
        fprintf(stderr, "gaitcue-sim: writing the pty failed (%s); exiting.\n", strerror(errno));
        return -1;
    }
    return 0;
}

/* ---- sampling ---- */

static void write_truth(struct host *h)
{
    struct runner_step st;
    while (runner_pop_step(h->r, &st)) {
        if (h->o->truth && !h->truth_failed &&
            sim_truth_row(h->o->truth, &st, h->truth_off_s, runner_body_weight_n(h->r)) != 0) {
            fprintf(stderr, "gaitcue-sim: writing the truth file failed; it is incomplete.\n");
            h->truth_failed = true;
        }
    }
}

static void take_sample(struct host *h)
{
    struct runner_sample rs;
    runner_next(h->r, &rs);
    struct pkt_sample ps;
    for (unsigned i = 0; i < PKT_CELLS; i++)
        ps.cell[i] = rs.counts[i];
    for (unsigned i = 0; i < PKT_IMU; i++)
        ps.imu[i] = rs.imu_lsb[i];
    /* Jitter-free sensor time: t0 + k * period. */
    uint64_t t_us = h->t0_us + (h->k * 1000000ull) / h->rate_hz;
    h->truth_off_s = (double)t_us / 1e6 - rs.t_s;
    fw_core_sample(&h->fw, &ps, t_us);
    h->k++;
    h->sampled_us += 1000000ull / h->rate_hz;
    if (h->o->speed <= 0.0)
        h->virt_us = t_us;
}

static bool seconds_done(const struct host *h)
{
    return h->o->seconds > 0.0 && (double)h->sampled_us >= h->o->seconds * 1e6;
}

/* Real time at which sample k of the current run is due. */
static uint64_t deadline_ns(const struct host *h, uint64_t k)
{
    double dev_us = (double)h->t0_us + (double)k * 1e6 / h->rate_hz;
    return h->boot_ns + (uint64_t)(dev_us * 1000.0 / h->o->speed);
}

static void produce_paced(struct host *h, uint64_t now)
{
    double dev = dev_us_at(h, now);
    if (dev < (double)h->t0_us)
        return;
    uint64_t due = (uint64_t)((dev - (double)h->t0_us) * h->rate_hz / 1e6) + 1;
    uint64_t late_limit = (uint64_t)(LATE_LIMIT_S * h->rate_hz);
    if (due > h->k + late_limit) {
        /* Stalled (e.g. the process was stopped): the sampler missed these
         * deadlines.  Keep the model in step with sensor time, send nothing. */
        uint64_t skip = due - h->k - 1;
        struct runner_sample rs;
        for (uint64_t i = 0; i < skip; i++)
            runner_next(h->r, &rs);
        h->k += skip;
        h->sampled_us += skip * (1000000ull / h->rate_hz);
        fw_core_count_overrun(&h->fw, (uint32_t)(skip > UINT32_MAX ? UINT32_MAX : skip));
    }
    while (h->sampling && h->k < due && !seconds_done(h))
        take_sample(h);
}

static void produce_max(struct host *h)
{
    for (unsigned i = 0; i < MAX_MODE_BATCH && h->sampling && !seconds_done(h); i++) {
        if (HOST_TXQ_BYTES - h->len < MAX_MODE_ROOM)
            break;
        take_sample(h);
    }
}

static void wait_next(struct host *h, uint64_t now)
{
    if (h->hup) {
        struct timespec ts = {0, IDLE_WAIT_MS * 1000000L};
        nanosleep(&ts, NULL);
        return;
    }
    if (h->sampling && h->o->speed > 0.0) {
        uint64_t dl = deadline_ns(h, h->k);
        uint64_t cap = now + (uint64_t)IDLE_WAIT_MS * 1000000ull;
        if (dl > cap)
            dl = cap;
        struct timespec ts = {(time_t)(dl / 1000000000ull), (long)(dl % 1000000000ull)};
        /* EINTR (a signal) returns early: the loop then sees the stop flag. */
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        return;
    }
    if (h->sampling && HOST_TXQ_BYTES - h->len >= MAX_MODE_ROOM)
        return; /* --speed max with room: keep producing */
    struct pollfd p = {h->fd, POLLIN, 0};
    if (h->len > 0)
        p.events |= POLLOUT;
    poll(&p, 1, IDLE_WAIT_MS);
}

static void drain(struct host *h)
{
    uint64_t end = mono_ns() + (uint64_t)DRAIN_MS * 1000000ull;
    while (h->len > 0 && !h->hup && mono_ns() < end) {
        if (flush_tx(h) != 0)
            return;
        if (h->len > 0) {
            struct pollfd p = {h->fd, POLLOUT, 0};
            poll(&p, 1, IDLE_WAIT_MS);
            uint8_t buf[256];
            ssize_t n = read(h->fd, buf, sizeof buf);
            if (n < 0 && errno == EIO)
                h->hup = true;
        }
    }
    /* Give the host a moment to read what is in the pty buffer before the
     * master closes (closing discards unread bytes). */
    struct timespec ts = {0, 100 * 1000000L};
    if (!h->hup)
        nanosleep(&ts, NULL);
}

int host_serve(struct runner *r, const struct host_opts *o, volatile sig_atomic_t *stop)
{
    struct host *h = calloc(1, sizeof *h);
    if (!h) {
        fprintf(stderr, "gaitcue-sim: out of memory.\n");
        return 1;
    }
    h->o = o;
    h->r = r;
    char name[128];
    h->fd = open_pty(name, sizeof name);
    if (h->fd < 0) {
        fprintf(stderr, "gaitcue-sim: cannot create a pseudo-terminal (%s); check /dev/ptmx.\n",
                strerror(errno));
        free(h);
        return 1;
    }
    h->hal.ctx = h;
    h->hal.now_us = hal_now_us;
    h->hal.tx_write = hal_tx_write;
    h->hal.sampling_set = hal_sampling_set;
    h->hal.metronome = hal_metronome;

    struct fw_identity id;
    memset(&id, 0, sizeof id);
    snprintf(id.serial, sizeof id.serial, "%s", o->serial);
    id.fw_major = 0;
    id.fw_minor = 1;
    id.fw_patch = 0;
    static const int16_t xs[PKT_CELLS] = {-300, 300, -300, 300};
    static const int16_t ys[PKT_CELLS] = {700, 700, -700, -700};
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        id.channel_corner[i] = (uint8_t)i; /* channel i = enum pkt_corner i */
        id.cell_x_mm[i] = xs[i];
        id.cell_y_mm[i] = ys[i];
    }
    id.cell_n_per_count = (float)RUNNER_N_PER_COUNT;
    id.accel_g_per_lsb = (float)RUNNER_ACCEL_G_PER_LSB;
    id.gyro_dps_per_lsb = (float)RUNNER_GYRO_DPS_PER_LSB;
    id.reset_reason = 0;

    h->boot_ns = mono_ns();
    h->last_ns = h->boot_ns;
    fw_core_init(&h->fw, &h->hal, &id);
    /* The simulator keeps the real board's ring: 250 ms at 2 kHz. */
    static struct fw_resend_slot ring[FW_RESEND_SLOTS_FULL];
    fw_core_set_resend_ring(&h->fw, ring, FW_RESEND_SLOTS_FULL);
    /* The board's configured rate goes in through the command interface
     * (the core has no other setter); its ACK is discarded before HELLO. */
    {
        struct pkt_cmd c = {.cmd = CMD_SET_RATE, .token = 0, .arg = o->rate_hz};
        uint8_t wire[FRAME_MAX_WIRE];
        size_t n = pkt_cmd_frame(&c, wire, sizeof wire);
        fw_core_rx(&h->fw, wire, n);
        h->head = h->len = 0;
    }
    fw_core_boot(&h->fw);

    fprintf(o->out, "pty: %s\n", name);
    fflush(o->out);

    int rc = 0;
    while (!*stop) {
        uint64_t now = mono_ns();
        if (o->speed <= 0.0 && !h->sampling)
            h->virt_us += (now - h->last_ns) / 1000u;
        h->last_ns = now;
        if (service_rx(h, now) != 0) {
            rc = 1;
            break;
        }
        if (h->hup && now - h->hup_since_ns > (uint64_t)HOST_RECONNECT_GRACE_MS * 1000000ull) {
            fprintf(stderr, "gaitcue-sim: the host closed the pty; exiting.\n");
            break;
        }
        if (h->sampling) {
            if (o->speed > 0.0)
                produce_paced(h, now);
            else
                produce_max(h);
        }
        fw_core_poll(&h->fw);
        if (flush_tx(h) != 0) {
            rc = 1;
            break;
        }
        write_truth(h);
        if (seconds_done(h)) {
            /* The partial block and a final STATUS are not forced out: like
             * the hardware, the stream simply ends after N seconds. */
            break;
        }
        wait_next(h, now);
    }
    write_truth(h);
    drain(h);
    close(h->fd);
    free(h);
    return rc;
}
