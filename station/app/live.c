/*
 * live.c - live acquisition pipeline: reader / replay thread, DSP thread,
 * recording writer thread (see live.h for the picture).
 *
 * Determinism rule: the DSP thread reads nothing but the records it pops
 * (no clock, no link state), so the same records give the same steps and
 * the same lines live and in replay.  Host clocks enter only through the
 * records' t_host_ns.
 */
#include "live.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "devlink.h"
#include "gc_error.h"

#define LOG_PREFIX "live"
#include "log.h"

/* Ring sizes.  DSP ring: 2048 records = 20 s of a 1 kHz stream in 10-sample
 * blocks, far more than the DSP ever lags.  Recording ring: 8192 records =
 * 80 s, to ride out a slow disk.  Lines: 256. */
#define RING_DSP   2048u
#define RING_REC   8192u
#define RING_LINES 256u
#define RING_CMDS  64u
/* Free records the reader wants before a read: one 4 kB read can complete
 * ~150 small frames (ACKs) or ~16 sample blocks. */
#define RING_HEADROOM 256u

#define N_PINGS 32
#define N_LAT   256
/* "Link too slow": this many consecutive STATUS intervals in which the
 * device dropped more than LIVE_SLOW_FRACTION of its samples.  A single
 * stall drops in one or two intervals; a link that cannot carry the rate
 * drops in every one. */
#define SLOW_STREAK   3
#define SLOW_FRACTION 0.05

/* ---- seqlock snapshot (all shared words are atomics: TSan-clean) ---- */

#define SNAP_WORDS ((sizeof(struct live_snapshot) + 7u) / 8u)

struct snapbox {
    atomic_uint seq;
    _Atomic uint64_t w[SNAP_WORDS];
};

static void snap_publish(struct snapbox *b, const struct live_snapshot *s)
{
    uint64_t tmp[SNAP_WORDS];
    memset(tmp, 0, sizeof tmp);
    memcpy(tmp, s, sizeof *s);
    unsigned q = atomic_load_explicit(&b->seq, memory_order_relaxed);
    atomic_store_explicit(&b->seq, q + 1u, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    for (size_t i = 0; i < SNAP_WORDS; i++)
        atomic_store_explicit(&b->w[i], tmp[i], memory_order_relaxed);
    atomic_store_explicit(&b->seq, q + 2u, memory_order_release);
}

static void snap_read(const struct snapbox *cb, struct live_snapshot *out)
{
    struct snapbox *b = (struct snapbox *)cb;
    uint64_t tmp[SNAP_WORDS];
    for (;;) {
        unsigned q1 = atomic_load_explicit(&b->seq, memory_order_acquire);
        if (q1 & 1u) {
            sched_yield();
            continue;
        }
        for (size_t i = 0; i < SNAP_WORDS; i++)
            tmp[i] = atomic_load_explicit(&b->w[i], memory_order_relaxed);
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&b->seq, memory_order_relaxed) == q1)
            break;
    }
    memcpy(out, tmp, sizeof *out);
}

/* ---- DSP state ---- */

struct ping_sample {
    double host_us; /* host time at the middle of the round trip */
    double off_us;  /* sensor - host */
    double rtt_us;
};

struct line_msg {
    char text[LIVE_LINE_LEN];
};

struct cmd_msg {
    uint8_t cmd;
    uint32_t arg;
};

struct dsp {
    struct gait *g;
    struct deck_cal cal;
    struct pkt_hello hello;
    struct pkt_seq_tracker seq;
    bool have_block;
    double t_offset_s;  /* session time = sensor time + t_offset_s */
    uint64_t next_t_us; /* sensor time right after the last sample */
    double last_t_session_s;
    int64_t last_block_rx_ns;
    int64_t t0_host_ns; /* host time of the first record */
    int64_t last_host_ns;
    bool have_host;
    struct live_snapshot snap; /* the DSP's working copy, published */
    struct ping_sample pings[N_PINGS];
    int n_pings, i_pings;
    double clk_a_us, clk_b, clk_ref_us; /* offset(host) = a + b (host - ref) */
    bool clk_ok;
    double lat_ms[N_LAT];
    int n_lat;
    double next_tick_s;
    uint64_t samples_at_tick;
    int64_t host_at_tick_ns;
    bool have_tick_ref;
    bool have_status;
    uint32_t last_status_dropped, last_status_total;
    int slow_streak;
    struct gait_sample smp[PKT_MAX_BLOCK];
    struct gait_event ev[64];
    struct pkt_samples blk;
    int64_t silence_start_ns;
    bool ended; /* --seconds reached */
};

struct live {
    struct live_config cfg;
    char port_path[256];
    char record_path[512];
    char source_desc[256];
    uint8_t hello_raw[PKT_HELLO_SIZE];
    bool replay;

    /* source side */
    struct slink *link;
    struct devlink dev;
    struct rec_reader *rd;
    struct rec_link_stats stats;   /* cumulative frame-layer counters */
    struct frame_decoder prev_dec; /* counters of decoders before the last reopen */
    uint64_t prev_bytes, prev_ok, prev_bad, prev_crc, prev_dropped_bytes;
    bool need_start;
    bool silent;
    int64_t silent_since_ns;

    /* rings */
    struct spsc *ring;  /* source -> DSP, struct rec_record */
    struct spsc *rring; /* DSP -> writer, struct rec_record */
    struct spsc *lines; /* DSP -> main, struct line_msg */
    struct spsc *cmds;  /* main -> reader, struct cmd_msg */
    struct spsc *consumers[LIVE_MAX_CONSUMERS];
    int n_consumers;
    struct spsc *status_rings[LIVE_MAX_CONSUMERS]; /* live_add_status_consumer */
    int n_status;
    sem_t wake_dsp;
    sem_t wake_writer;

    struct rec_writer *writer;
    char end_text[512];

    struct dsp dsp;
    struct snapbox snap;

    pthread_t th_src, th_dsp, th_wr;
    bool started, stopped, wr_started;
    atomic_bool stop;     /* control -> source */
    atomic_bool src_done; /* source -> DSP */
    atomic_bool dsp_done; /* DSP -> writer */
    atomic_bool finished;
    char failure[256];
    atomic_bool failed;
};

/* ---- small helpers ---- */

static int64_t now_ns(void)
{
    return dev_now_ns();
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static void sem_wait_ms(sem_t *s, int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += (long)ms * 1000000L;
    while (ts.tv_nsec >= 1000000000L) {
        ts.tv_nsec -= 1000000000L;
        ts.tv_sec++;
    }
    while (sem_timedwait(s, &ts) < 0 && errno == EINTR)
        ;
}

static void wake(sem_t *s)
{
    int v = 0;
    /* Bound the count: one pending wake-up is enough. */
    if (sem_getvalue(s, &v) == 0 && v > 0)
        return;
    sem_post(s);
}

/* Source side: push one record to the DSP ring (drops and counts when full). */
static struct rec_record *src_slot(struct live *lv)
{
    struct rec_record *r = spsc_push_slot(lv->ring);
    if (r == NULL) {
        spsc_count_drop(lv->ring);
        lv->stats.ring_dropped++;
    }
    return r;
}

static void src_publish(struct live *lv)
{
    spsc_publish(lv->ring);
}

static void push_link_event(struct live *lv, uint8_t ev, uint32_t extra, const uint8_t *payload,
                            size_t len)
{
    struct rec_record *r = src_slot(lv);
    if (r == NULL)
        return;
    r->kind = REC_LINK;
    r->aux = ev;
    r->extra = extra;
    r->t_host_ns = now_ns();
    r->len = (uint16_t)(len > REC_MAX_PAYLOAD ? REC_MAX_PAYLOAD : len);
    if (r->len)
        memcpy(r->payload, payload, r->len);
    src_publish(lv);
}

static void update_stats(struct live *lv)
{
    const struct frame_decoder *dec = &lv->dev.dec;
    lv->stats.bytes = lv->prev_bytes + dec->bytes_total;
    lv->stats.frames_ok = lv->prev_ok + dec->frames_ok;
    lv->stats.frames_bad = lv->prev_bad + dec->frames_bad;
    lv->stats.crc_errors = lv->prev_crc + dec->crc_errors;
    lv->stats.bytes_dropped = lv->prev_dropped_bytes + dec->bytes_dropped;
}

static void push_stats(struct live *lv)
{
    update_stats(lv);
    uint8_t p[REC_LINK_STATS_SIZE];
    rec_link_stats_encode(&lv->stats, p);
    push_link_event(lv, REC_LINK_STATS, 0, p, sizeof p);
}

/* ---- reader thread (port) ---- */

static int reader_on_frame(void *user, uint8_t type, const uint8_t *payload, size_t len,
                           int64_t t_rx_ns, uint32_t bad_before)
{
    struct live *lv = user;
    if (lv->silent) {
        int64_t ms = (t_rx_ns - lv->silent_since_ns) / 1000000;
        push_link_event(lv, REC_LINK_RESUMED, (uint32_t)(ms > 0 ? ms : 0), NULL, 0);
        lv->silent = false;
    }
    if (type == PKT_HELLO && len == PKT_HELLO_SIZE && payload[PKT_HELLO_SIZE - 1] == 0)
        lv->need_start = true; /* a HELLO saying "not streaming": the sensor rebooted */
    struct rec_record *r = src_slot(lv);
    if (r == NULL)
        return 0;
    r->kind = REC_FRAME;
    r->aux = type;
    r->extra = bad_before;
    r->t_host_ns = t_rx_ns;
    r->len = (uint16_t)(len > REC_MAX_PAYLOAD ? REC_MAX_PAYLOAD : len);
    memcpy(r->payload, payload, r->len);
    src_publish(lv);
    /* Wake the DSP thread now: a frame left waiting for its 20 ms poll
     * delays the hard-landing cue by that much (docs/feedback.md). */
    wake(&lv->wake_dsp);
    return 0;
}

static void reader_on_tx(void *user, const uint8_t *cmd, size_t len, int64_t t_ns)
{
    struct live *lv = user;
    struct rec_record *r = src_slot(lv);
    if (r == NULL)
        return;
    r->kind = REC_TX;
    r->aux = PKT_CMD;
    r->extra = 0;
    r->t_host_ns = t_ns;
    r->len = (uint16_t)len;
    memcpy(r->payload, cmd, len);
    src_publish(lv);
}

static void reader_close_link(struct live *lv)
{
    if (lv->link == NULL)
        return;
    update_stats(lv);
    lv->prev_bytes = lv->stats.bytes;
    lv->prev_ok = lv->stats.frames_ok;
    lv->prev_bad = lv->stats.frames_bad;
    lv->prev_crc = lv->stats.crc_errors;
    lv->prev_dropped_bytes = lv->stats.bytes_dropped;
    slink_close(lv->link);
    lv->link = NULL;
    dev_init(&lv->dev, NULL);
    lv->dev.on_frame = reader_on_frame;
    lv->dev.on_tx = reader_on_tx;
    lv->dev.user = lv;
}

static bool reader_reopen(struct live *lv)
{
    struct slink *l = NULL;
    if (slink_open(lv->port_path, &lv->cfg.link_params, &l) < 0)
        return false;
    lv->link = l;
    dev_init(&lv->dev, l);
    lv->dev.on_frame = reader_on_frame;
    lv->dev.on_tx = reader_on_tx;
    lv->dev.user = lv;
    struct pkt_hello h;
    uint8_t raw[PKT_HELLO_SIZE];
    int ver = 0;
    int rc = dev_identify(&lv->dev, 1000, &h, raw, &ver);
    wake(&lv->wake_dsp);
    if (rc < 0) {
        reader_close_link(lv);
        return false;
    }
    if (strcmp(h.serial, lv->dsp.hello.serial) != 0)
        LOG_WARN("a different sensor (serial %s) answered on %s", h.serial, lv->port_path);
    push_link_event(lv, REC_LINK_RECONNECT, 0, raw, sizeof raw);
    if (!h.streaming)
        dev_send(&lv->dev, CMD_START, 0, 0);
    lv->need_start = false;
    lv->silent = false;
    lv->dev.last_rx_ns = now_ns();
    return true;
}

static void *reader_main(void *arg)
{
    struct live *lv = arg;
    int64_t next_ping = now_ns();
    int64_t next_stats = now_ns() + 1000000000LL;
    int64_t next_reopen = 0;
    int64_t next_identify = 0;
    int64_t t_start = now_ns();
    int pings_fast = 5; /* quick pings first: the clock mapping needs a few */

    lv->dev.last_rx_ns = now_ns();
    if (lv->cfg.send_start && lv->link)
        dev_send(&lv->dev, CMD_START, 0, 0);
    wake(&lv->wake_dsp);

    while (!atomic_load_explicit(&lv->stop, memory_order_acquire)) {
        int64_t t = now_ns();
        if (lv->link == NULL) {
            if (lv->port_path[0] == '\0') {
                sleep_ms(LIVE_POLL_MS);
                continue;
            }
            if (t >= next_reopen) {
                next_reopen = t + (int64_t)LIVE_REOPEN_MS * 1000000;
                if (reader_reopen(lv)) {
                    next_ping = now_ns();
                    pings_fast = 3;
                }
            } else {
                sleep_ms(LIVE_POLL_MS);
            }
            continue;
        }

        struct cmd_msg cm;
        while (spsc_pop(lv->cmds, &cm))
            dev_send(&lv->dev, cm.cmd, cm.arg, 0);
        if (lv->need_start) {
            lv->need_start = false;
            dev_send(&lv->dev, CMD_START, 0, 0);
        }
        if (t >= next_ping) {
            dev_send(&lv->dev, CMD_PING, 0, 0);
            next_ping = t + (pings_fast > 0 ? 200000000LL : (int64_t)LIVE_PING_MS * 1000000);
            if (pings_fast > 0)
                pings_fast--;
        }
        if (t >= next_stats) {
            push_stats(lv);
            next_stats = t + 1000000000LL;
        }

        if (spsc_capacity(lv->ring) - spsc_count(lv->ring) < RING_HEADROOM) {
            /* Flow control, not blocking: the DSP is behind (only ever seen
             * with a source faster than real time, e.g. the simulator at
             * --speed max).  Leave the bytes in the OS/device buffers for
             * a moment instead of reading them into a ring that would have
             * to drop them. */
            wake(&lv->wake_dsp);
            sleep_ms(1);
            continue;
        }
        int rc = dev_pump(&lv->dev, LIVE_POLL_MS, 0, -1, NULL, NULL);
        wake(&lv->wake_dsp);
        t = now_ns();
        if (rc < 0) {
            LOG_INFO("link lost: %s", gc_strerror(rc));
            push_stats(lv);
            push_link_event(lv, REC_LINK_LOST, (uint32_t)(-rc), NULL, 0);
            reader_close_link(lv);
            lv->silent = false;
            next_reopen = t + (int64_t)LIVE_REOPEN_MS * 1000000;
            wake(&lv->wake_dsp);
            continue;
        }
        int64_t quiet_ms = (t - lv->dev.last_rx_ns) / 1000000;
        if (!lv->silent && quiet_ms >= LIVE_SILENCE_MS && t - t_start > 500000000LL) {
            lv->silent = true;
            lv->silent_since_ns = lv->dev.last_rx_ns;
            push_link_event(lv, REC_LINK_SILENCE, (uint32_t)quiet_ms, NULL, 0);
            wake(&lv->wake_dsp);
            next_identify = t;
        }
        if (lv->silent && t >= next_identify) {
            /* Ask who is there: a rebooted sensor answers HELLO (not
             * streaming) and gets a START; a stalled one answers later. */
            dev_send(&lv->dev, CMD_IDENTIFY, 0, 0);
            next_identify = t + (int64_t)DEV_IDENTIFY_RETRY_MS * 1000000;
        }
    }
    if (lv->link) {
        dev_send(&lv->dev, CMD_STOP, 0, 0);
        /* Collect what is still in flight (the partial block before the
         * STOP's ACK) so the recording ends cleanly. */
        dev_drain(&lv->dev, 100);
        push_stats(lv);
        reader_close_link(lv);
    }
    atomic_store_explicit(&lv->src_done, true, memory_order_release);
    wake(&lv->wake_dsp);
    return NULL;
}

/* ---- replay thread ---- */

static void *replay_main(void *arg)
{
    struct live *lv = arg;
    struct rec_record *r;
    static _Thread_local struct rec_record tmp;
    int64_t wall0 = now_ns();
    int64_t rec0 = 0;
    bool have0 = false;
    double speed = lv->cfg.replay_speed;
    while (!atomic_load_explicit(&lv->stop, memory_order_acquire)) {
        int got = rec_reader_next(lv->rd, &tmp);
        if (got != 1)
            break;
        if (tmp.kind != REC_FRAME && tmp.kind != REC_LINK && tmp.kind != REC_TX)
            continue;
        if (!have0) {
            rec0 = tmp.t_host_ns;
            have0 = true;
        }
        if (speed > 0) {
            int64_t due = wall0 + (int64_t)((double)(tmp.t_host_ns - rec0) / speed);
            int64_t wait = due - now_ns();
            if (wait > 0) {
                wake(&lv->wake_dsp);
                struct timespec ts = {wait / 1000000000LL, wait % 1000000000LL};
                nanosleep(&ts, NULL);
            }
        }
        /* Replay never drops: it waits for the DSP instead. */
        while ((r = spsc_push_slot(lv->ring)) == NULL) {
            wake(&lv->wake_dsp);
            if (atomic_load_explicit(&lv->stop, memory_order_acquire))
                goto out;
            sleep_ms(1);
        }
        memcpy(r, &tmp, offsetof(struct rec_record, payload) + tmp.len);
        spsc_publish(lv->ring);
        if ((spsc_count(lv->ring) & 63u) == 0)
            wake(&lv->wake_dsp);
    }
out:
    atomic_store_explicit(&lv->src_done, true, memory_order_release);
    wake(&lv->wake_dsp);
    return NULL;
}

/* ---- DSP ---- */

static void dsp_line(struct live *lv, const char *text)
{
    struct line_msg *m = spsc_push_slot(lv->lines);
    if (m == NULL) {
        spsc_count_drop(lv->lines);
        return;
    }
    snprintf(m->text, sizeof m->text, "%s", text);
    spsc_publish(lv->lines);
}

static double median(double *v, int n)
{
    if (n <= 0)
        return NAN;
    /* insertion sort: n <= N_LAT and this runs once a second */
    for (int i = 1; i < n; i++) {
        double x = v[i];
        int j = i - 1;
        while (j >= 0 && v[j] > x) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = x;
    }
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static const char *state_name(enum live_link_state s)
{
    switch (s) {
    case LIVE_LINK_CONNECTING:
        return "connecting";
    case LIVE_LINK_STREAMING:
        return "ok";
    case LIVE_LINK_SILENT:
        return "SILENT";
    case LIVE_LINK_LOST:
        return "LOST";
    case LIVE_LINK_ENDED:
        return "ended";
    }
    return "?";
}

static void fmt_spm(char *buf, size_t cap, double v)
{
    if (isfinite(v))
        snprintf(buf, cap, "%5.1f", v);
    else
        snprintf(buf, cap, "  -- ");
}

static void dsp_tick_line(struct live *lv)
{
    const struct live_snapshot *s = &lv->dsp.snap;
    char c1[16], c2[16], lat[24], rate[24];
    fmt_spm(c1, sizeof c1, s->gait.cadence_step_spm);
    fmt_spm(c2, sizeof c2, s->gait.cadence_spectral_spm);
    if (isfinite(s->link.latency_ms))
        snprintf(lat, sizeof lat, "%.1f ms", s->link.latency_ms);
    else
        snprintf(lat, sizeof lat, "--");
    if (s->link.rate_hz > 0)
        snprintf(rate, sizeof rate, "%.0f Hz", s->link.rate_hz);
    else
        snprintf(rate, sizeof rate, "-- Hz");
    char line[LIVE_LINE_LEN];
    snprintf(line, sizeof line,
             "t=%4.0f s  cadence %s spm (spectral %s)  contacts %" PRIu32 "  steps %" PRIu32
             "  L/R %" PRIu32 "/%" PRIu32 "  link %s  frames %" PRIu64 "  crc %" PRIu64
             "  lost %" PRIu64 "  gaps %" PRIu64 "  rate %s  lat %s",
             floor(s->t_session_s), c1, c2, s->contacts, s->gait.steps, s->gait.steps_left,
             s->gait.steps_right, state_name(s->link_state), s->link.frames, s->link.crc_errors,
             s->link.lost_blocks, s->link.gaps, rate, lat);
    dsp_line(lv, line);
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
dsp_notice(struct live *lv, const char *fmt, ...)
{
    char msg[LIVE_LINE_LEN - 32];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char line[LIVE_LINE_LEN];
    snprintf(line, sizeof line, "t=%6.1f s  -- %s", lv->dsp.snap.t_session_s, msg);
    dsp_line(lv, line);
}

static void dsp_emit(struct live *lv, const struct gait_event *ev, int n, int64_t t_rx_ns)
{
    struct dsp *d = &lv->dsp;
    int64_t t_emit = now_ns();
    for (int i = 0; i < n; i++) {
        const struct gait_event *e = &ev[i];
        if (e->kind == GAIT_EV_CONTACT)
            d->snap.contacts++;
        if (e->kind == GAIT_EV_STEP) {
            d->snap.last_steps[d->snap.n_steps % LIVE_LAST_STEPS] = e->step;
            d->snap.n_steps++;
        }
        struct live_event le;
        le.ev = *e;
        le.t_rx_ns = t_rx_ns;
        le.t_emit_ns = t_emit;
        le.t_ev_host_s = NAN;
        if (d->clk_ok) {
            double sensor_us = (e->t_s - d->t_offset_s) * 1e6;
            double off = d->clk_a_us + d->clk_b * (sensor_us - d->clk_a_us - d->clk_ref_us);
            le.t_ev_host_s = (sensor_us - off) * 1e-6;
        }
        for (int k = 0; k < lv->n_consumers; k++)
            spsc_push(lv->consumers[k], &le);
    }
}

static void dsp_gap(struct live *lv, double t_resume_s, int64_t t_rx_ns)
{
    struct dsp *d = &lv->dsp;
    int n = gait_mark_gap(d->g, t_resume_s, d->ev, sizeof d->ev / sizeof d->ev[0]);
    if (n > 0)
        dsp_emit(lv, d->ev, n, t_rx_ns);
    d->snap.link.gaps++;
}

static void clock_fit(struct dsp *d)
{
    double rmin = INFINITY;
    for (int i = 0; i < d->n_pings; i++)
        rmin = fmin(rmin, d->pings[i].rtt_us);
    /* Only round trips close to the fastest carry a good offset: a slow
     * one spent its extra time on an unknown leg. */
    double lim = rmin + fmax(200.0, 0.5 * rmin);
    double sx = 0, sy = 0, sxx = 0, sxy = 0, x0 = NAN;
    double tmin = INFINITY, tmax = -INFINITY;
    int n = 0;
    for (int i = 0; i < d->n_pings; i++) {
        const struct ping_sample *p = &d->pings[i];
        if (p->rtt_us > lim)
            continue;
        if (!isfinite(x0))
            x0 = p->host_us;
        double x = p->host_us - x0;
        sx += x;
        sy += p->off_us;
        sxx += x * x;
        sxy += x * p->off_us;
        tmin = fmin(tmin, p->host_us);
        tmax = fmax(tmax, p->host_us);
        n++;
    }
    if (n == 0)
        return;
    double mx = sx / n, my = sy / n;
    double varx = sxx / n - mx * mx;
    d->snap.link.rtt_min_ms = rmin * 1e-3;
    if (n >= 3 && tmax - tmin >= 5e6 && varx > 0) {
        double b = (sxy / n - mx * my) / varx;
        d->clk_b = b;
        d->clk_ref_us = x0 + mx;
        d->clk_a_us = my;
        d->snap.link.clock_drift_ppm = b * 1e6;
    } else {
        d->clk_b = 0;
        d->clk_ref_us = x0 + mx;
        d->clk_a_us = my;
        d->snap.link.clock_drift_ppm = NAN;
    }
    d->clk_ok = true;
    /* offset at the newest ping */
    double last = d->pings[(d->i_pings + N_PINGS - 1) % N_PINGS].host_us;
    d->snap.link.clock_offset_ms = (d->clk_a_us + d->clk_b * (last - d->clk_ref_us)) * 1e-3;
}

static void dsp_ack(struct live *lv, const struct rec_record *r)
{
    struct dsp *d = &lv->dsp;
    struct pkt_ack a;
    if (pkt_ack_decode(r->payload, r->len, &a) < 0 || a.cmd != CMD_PING || a.echo == 0)
        return;
    double rx_us = (double)r->t_host_ns * 1e-3;
    double tx_us = (double)a.echo;
    double rtt = rx_us - tx_us;
    if (rtt < 0 || rtt > 5e6)
        return; /* an echo from before a reconnect, or garbage */
    d->snap.link.rtt_ms = rtt * 1e-3;
    struct ping_sample *p = &d->pings[d->i_pings];
    p->host_us = tx_us + 0.5 * rtt;
    p->off_us = (double)a.t_device_us - p->host_us;
    p->rtt_us = rtt;
    d->i_pings = (d->i_pings + 1) % N_PINGS;
    if (d->n_pings < N_PINGS)
        d->n_pings++;
    clock_fit(d);
}

static void dsp_status(struct live *lv, const struct rec_record *r)
{
    struct dsp *d = &lv->dsp;
    struct pkt_status st;
    if (pkt_status_decode(r->payload, r->len, &st) < 0)
        return;
    d->snap.link.dev_dropped_samples = st.dropped_samples;
    d->snap.link.dev_overruns = st.overruns;
    d->snap.link.dev_faults = st.faults;
    if (d->have_status && st.samples_total >= d->last_status_total) {
        uint32_t taken = st.samples_total - d->last_status_total;
        uint32_t dropped = st.dropped_samples - d->last_status_dropped;
        if (taken > 0 && (double)dropped > SLOW_FRACTION * (double)taken)
            d->slow_streak++;
        else
            d->slow_streak = 0;
        if (d->slow_streak >= SLOW_STREAK && !atomic_load(&lv->failed)) {
            double need = dev_stream_bytes_per_s(d->hello.rate_hz, 10);
            snprintf(lv->failure, sizeof lv->failure,
                     "the link is too slow for %u Hz: the sensor dropped %.0f %% of its samples "
                     "for %d s (the stream needs about %.0f kB/s); use a faster link or lower "
                     "the rate with --rate",
                     (unsigned)d->hello.rate_hz, 100.0 * dropped / taken, SLOW_STREAK,
                     need / 1000.0);
            atomic_store(&lv->failed, true);
            atomic_store(&lv->finished, true);
            dsp_notice(lv, "%s", lv->failure);
        }
    }
    d->have_status = true;
    d->last_status_total = st.samples_total;
    d->last_status_dropped = st.dropped_samples;
}

static void dsp_samples(struct live *lv, const struct rec_record *r)
{
    struct dsp *d = &lv->dsp;
    struct pkt_samples *b = &d->blk;
    if (pkt_samples_decode(r->payload, r->len, b) < 0 || b->rate_hz == 0)
        return;
    double period_us = 1e6 / b->rate_hz;
    uint64_t end_us = b->t_first_us + (uint64_t)llround(b->n * period_us);
    long q = pkt_seq_update(&d->seq, b->seq);
    double t_first_s = (double)b->t_first_us * 1e-6;
    if (!d->have_block) {
        d->t_offset_s = -t_first_s; /* the session starts at the first sample */
        d->have_block = true;
    } else if (q < 0 || b->t_first_us + (uint64_t)(0.5 * period_us) < d->next_t_us) {
        /* Sensor reboot: its clock restarted.  Continue the session
         * timeline from the host clock: the gap lasted as long as the host
         * saw nothing, less this block's own duration. */
        double host_gap_s = (double)(r->t_host_ns - d->last_block_rx_ns) * 1e-9;
        double gap_s = host_gap_s - b->n * period_us * 1e-6;
        if (gap_s < period_us * 1e-6)
            gap_s = period_us * 1e-6;
        d->t_offset_s = d->last_t_session_s + gap_s - t_first_s;
        d->snap.link.restarts++;
        d->n_pings = d->i_pings = 0; /* the sensor clock changed: remap */
        d->clk_ok = false;
        d->have_status = false;
        dsp_gap(lv, t_first_s + d->t_offset_s, r->t_host_ns);
        dsp_notice(lv, "sensor restarted (sequence %" PRIu32 "); gap of %.2f s marked", b->seq,
                   gap_s);
    } else if (q > 0 || b->t_first_us > d->next_t_us + (uint64_t)(0.5 * period_us)) {
        /* Blocks or samples missing: a gap, never interpolated. */
        if (q > 0)
            d->snap.link.lost_blocks += (uint64_t)q;
        double gap_us = b->t_first_us > d->next_t_us ? (double)(b->t_first_us - d->next_t_us) : 0.0;
        d->snap.link.lost_samples += (uint64_t)llround(gap_us / period_us);
        dsp_gap(lv, t_first_s + d->t_offset_s, r->t_host_ns);
        if (gap_us >= 100e3 || d->snap.link_state != LIVE_LINK_STREAMING)
            dsp_notice(lv, "%.2f s of data lost (%ld blocks); gap marked", gap_us * 1e-6, q);
    }
    d->next_t_us = end_us;
    d->last_block_rx_ns = r->t_host_ns;

    int n = deck_convert_block(&d->cal, b, d->t_offset_s, d->smp, PKT_MAX_BLOCK);
    if (n <= 0)
        return;
    int ne = gait_process(d->g, d->smp, (size_t)n, d->ev, sizeof d->ev / sizeof d->ev[0]);
    if (ne > 0)
        dsp_emit(lv, d->ev, ne, r->t_host_ns);
    const struct gait_sample *last = &d->smp[n - 1];
    d->last_t_session_s = last->t_s;
    d->snap.t_session_s = last->t_s;
    d->snap.fz_n = last->fz_n;
    d->snap.copx_m = last->copx_m;
    d->snap.copy_m = last->copy_m;
    d->snap.link.blocks++;
    d->snap.link.samples += (uint64_t)n;
    if (d->snap.link_state != LIVE_LINK_STREAMING) {
        d->snap.link_state = LIVE_LINK_STREAMING;
        d->snap.link.silent_s = 0;
    }

    /* one-way latency: arrival - host time of the block's last sample */
    if (d->clk_ok && d->n_lat < N_LAT) {
        double sensor_us = (double)(end_us - (uint64_t)llround(period_us));
        double off = d->clk_a_us + d->clk_b * (sensor_us - d->clk_a_us - d->clk_ref_us);
        double lat = ((double)r->t_host_ns * 1e-3 - (sensor_us - off)) * 1e-3;
        /* A negative latency means the mapping does not hold (a sensor
         * clock running faster than real time, e.g. the simulator at
         * --speed max): report none rather than nonsense. */
        if (lat >= -1.0)
            d->lat_ms[d->n_lat++] = lat;
    }
}

static void dsp_tick_check(struct live *lv, int64_t t_host_ns)
{
    struct dsp *d = &lv->dsp;
    if (!d->have_block || d->snap.t_session_s < d->next_tick_s)
        return;
    if (d->have_tick_ref && t_host_ns > d->host_at_tick_ns)
        d->snap.link.rate_hz = (double)(d->snap.link.samples - d->samples_at_tick) /
                               ((double)(t_host_ns - d->host_at_tick_ns) * 1e-9);
    d->samples_at_tick = d->snap.link.samples;
    d->host_at_tick_ns = t_host_ns;
    d->have_tick_ref = true;
    d->snap.link.latency_ms = d->n_lat > 0 ? median(d->lat_ms, d->n_lat) : NAN;
    d->n_lat = 0;
    gait_get_status(d->g, &d->snap.gait);
    for (int k = 0; k < lv->n_status; k++)
        spsc_push(lv->status_rings[k], &d->snap.gait);
    dsp_tick_line(lv);
    d->next_tick_s = floor(d->snap.t_session_s) + 1.0;
}

static void dsp_link(struct live *lv, const struct rec_record *r)
{
    struct dsp *d = &lv->dsp;
    switch (r->aux) {
    case REC_LINK_SILENCE:
        d->snap.link.silences++;
        d->snap.link_state = LIVE_LINK_SILENT;
        d->silence_start_ns = r->t_host_ns - (int64_t)r->extra * 1000000;
        dsp_notice(lv, "link silent for %.1f s; waiting for the sensor", r->extra * 1e-3);
        break;
    case REC_LINK_LOST:
        if (d->snap.link_state != LIVE_LINK_SILENT)
            d->silence_start_ns = r->t_host_ns;
        d->snap.link_state = LIVE_LINK_LOST;
        dsp_notice(lv, "link lost (%s); reconnecting", gc_strerror(-(int)r->extra));
        break;
    case REC_LINK_RECONNECT: {
        d->snap.link.reconnects++;
        struct pkt_hello h;
        if (r->len == PKT_HELLO_SIZE && pkt_hello_decode(r->payload, r->len, &h) == 0) {
            if (strcmp(h.serial, d->hello.serial) != 0)
                dsp_notice(lv, "a different sensor (serial %s) is now connected", h.serial);
            dsp_notice(lv, "reconnected to sensor %s after %.1f s", h.serial,
                       (double)(r->t_host_ns - d->silence_start_ns) * 1e-9);
        }
        break;
    }
    case REC_LINK_RESUMED:
        dsp_notice(lv, "data flowing again after %.1f s of silence", r->extra * 1e-3);
        break;
    case REC_LINK_STATS: {
        struct rec_link_stats s;
        if (rec_link_stats_decode(r->payload, r->len, &s) == 0) {
            d->snap.link.bytes = s.bytes;
            d->snap.link.ring_dropped = s.ring_dropped;
        }
        break;
    }
    default:
        break;
    }
    if (d->snap.link_state == LIVE_LINK_SILENT || d->snap.link_state == LIVE_LINK_LOST)
        d->snap.link.silent_s = (double)(r->t_host_ns - d->silence_start_ns) * 1e-9;
}

static void dsp_record(struct live *lv, const struct rec_record *r)
{
    struct dsp *d = &lv->dsp;
    if (!d->have_host) {
        d->t0_host_ns = r->t_host_ns;
        d->have_host = true;
    }
    d->last_host_ns = r->t_host_ns;
    d->snap.t_host_s = (double)(r->t_host_ns - d->t0_host_ns) * 1e-9;
    switch (r->kind) {
    case REC_FRAME:
        d->snap.link.frames++;
        d->snap.link.bad_frames += r->extra;
        switch (r->aux) {
        case PKT_SAMPLES:
            dsp_samples(lv, r);
            break;
        case PKT_STATUS:
            dsp_status(lv, r);
            break;
        case PKT_ACK:
            dsp_ack(lv, r);
            break;
        case PKT_HELLO:
            break;
        default:
            break;
        }
        break;
    case REC_LINK:
        dsp_link(lv, r);
        if (r->aux == REC_LINK_STATS) {
            struct rec_link_stats s;
            if (rec_link_stats_decode(r->payload, r->len, &s) == 0)
                d->snap.link.crc_errors = s.crc_errors;
        }
        break;
    default:
        break;
    }
    dsp_tick_check(lv, r->t_host_ns);
    if (lv->cfg.seconds > 0 && d->snap.t_session_s >= lv->cfg.seconds) {
        d->ended = true;
        atomic_store(&lv->finished, true);
    }
}

static void dsp_to_recording(struct live *lv, const struct rec_record *r)
{
    if (lv->rring == NULL)
        return;
    struct rec_record *w = spsc_push_slot(lv->rring);
    if (w == NULL) {
        spsc_count_drop(lv->rring);
        lv->dsp.snap.link.rec_dropped++;
        return;
    }
    memcpy(w, r, offsetof(struct rec_record, payload) + r->len);
    spsc_publish(lv->rring);
}

static void *dsp_main(void *arg)
{
    struct live *lv = arg;
    struct dsp *d = &lv->dsp;
    int64_t last_pub = 0;
    for (;;) {
        const struct rec_record *r = spsc_peek(lv->ring);
        if (r == NULL) {
            if (atomic_load_explicit(&lv->src_done, memory_order_acquire) &&
                spsc_count(lv->ring) == 0)
                break;
            snap_publish(&lv->snap, &d->snap);
            wake(&lv->wake_writer);
            sem_wait_ms(&lv->wake_dsp, 20);
            continue;
        }
        if (d->ended) {
            /* The session reached --seconds: what still arrives is neither
             * analysed nor recorded, so a replay ends at the same record. */
            spsc_release(lv->ring);
            continue;
        }
        dsp_to_recording(lv, r);
        dsp_record(lv, r);
        spsc_release(lv->ring);
        d->snap.version++;
        /* Publish at most every 2 ms of host time and on every step. */
        int64_t t = now_ns();
        if (t - last_pub > 2000000) {
            gait_get_status(d->g, &d->snap.gait);
            snap_publish(&lv->snap, &d->snap);
            last_pub = t;
        }
    }
    int n = gait_flush(d->g, d->ev, sizeof d->ev / sizeof d->ev[0]);
    if (n > 0)
        dsp_emit(lv, d->ev, n, d->last_host_ns);
    gait_get_status(d->g, &d->snap.gait);
    d->snap.link_state = LIVE_LINK_ENDED;
    d->snap.finished = true;
    d->snap.version++;
    snprintf(lv->end_text, sizeof lv->end_text,
             "duration_s=%.3f\nsteps=%" PRIu32 "\nframes=%" PRIu64 "\ncrc_errors=%" PRIu64
             "\nlost_blocks=%" PRIu64 "\ngaps=%" PRIu64 "\nreconnects=%" PRIu64 "\n",
             d->snap.t_session_s, d->snap.gait.steps, d->snap.link.frames, d->snap.link.crc_errors,
             d->snap.link.lost_blocks, d->snap.link.gaps, d->snap.link.reconnects);
    snap_publish(&lv->snap, &d->snap);
    atomic_store(&lv->finished, true);
    atomic_store_explicit(&lv->dsp_done, true, memory_order_release);
    wake(&lv->wake_writer);
    return NULL;
}

/* ---- recording writer thread ---- */

static void *writer_main(void *arg)
{
    struct live *lv = arg;
    int64_t next_flush = now_ns() + 200000000LL;
    int64_t next_sync = now_ns() + 1000000000LL;
    bool io_failed = false;
    for (;;) {
        const struct rec_record *r;
        while ((r = spsc_peek(lv->rring)) != NULL) {
            if (!io_failed && rec_writer_append(lv->writer, r) < 0) {
                io_failed = true;
                LOG_ERR("the recording %s cannot be written any more (disk full?); the session "
                        "goes on without it",
                        lv->record_path);
            }
            spsc_release(lv->rring);
        }
        int64_t t = now_ns();
        /* kill -9 loses at most what is in this buffer: < 0.2 s.  Power
         * loss: at most the last second (fdatasync). */
        if (t >= next_flush && !io_failed) {
            bool sync = t >= next_sync;
            if (rec_writer_flush(lv->writer, sync) < 0)
                io_failed = true;
            next_flush = t + 200000000LL;
            if (sync)
                next_sync = t + 1000000000LL;
        }
        if (atomic_load_explicit(&lv->dsp_done, memory_order_acquire) && spsc_count(lv->rring) == 0)
            break;
        sem_wait_ms(&lv->wake_writer, 50);
    }
    if (!io_failed) {
        static _Thread_local struct rec_record end;
        end.kind = REC_END;
        end.aux = 0;
        end.extra = 0;
        end.t_host_ns = lv->dsp.last_host_ns;
        end.len = (uint16_t)strlen(lv->end_text);
        memcpy(end.payload, lv->end_text, end.len);
        rec_writer_append(lv->writer, &end);
    }
    rec_writer_close(lv->writer);
    /* lv->writer is cleared by live_stop after the join: the control
     * thread reads it concurrently until then. */
    return NULL;
}

/* ---- setup ---- */

static int write_header(struct live *lv)
{
    static _Thread_local struct rec_record r;
    time_t now = time(NULL);
    struct tm tm;
    char when[64];
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    memset(&r, 0, sizeof r);
    r.kind = REC_INFO;
    r.t_host_ns = now_ns();
    int k = snprintf((char *)r.payload, REC_MAX_PAYLOAD,
                     "station_version=%s\ncreated_utc=%s\nsource=%s\nmass_kg=%.3f\n", GC_VERSION,
                     when, lv->source_desc, lv->cfg.mass_kg);
    r.len = (uint16_t)(k > 0 ? k : 0);
    int rc = rec_writer_append(lv->writer, &r);
    r.kind = REC_HELLO;
    r.len = PKT_HELLO_SIZE;
    memcpy(r.payload, lv->hello_raw, PKT_HELLO_SIZE);
    if (rc == GC_OK)
        rc = rec_writer_append(lv->writer, &r);
    r.kind = REC_CAL;
    r.len = (uint16_t)rec_cal_format(&lv->dsp.cal, (char *)r.payload, REC_MAX_PAYLOAD);
    if (rc == GC_OK)
        rc = rec_writer_append(lv->writer, &r);
    if (rc == GC_OK)
        rc = rec_writer_flush(lv->writer, true);
    return rc;
}

/* Replay: identity, calibration and mass come from the file's header. */
static int read_replay_header(struct live *lv, char *errmsg, size_t errcap)
{
    static _Thread_local struct rec_record r;
    int rc = rec_reader_open(lv->cfg.replay_path, &lv->rd);
    if (rc < 0) {
        snprintf(errmsg, errcap,
                 rc == GC_ERR_NOT_FOUND ? "there is no recording at %s; check the path"
                 : rc == GC_ERR_VERSION
                     ? "%s was recorded by a newer station; update this station to replay it"
                     : "%s is not a gaitcue recording; pass a file from the recordings folder",
                 lv->cfg.replay_path);
        return rc;
    }
    bool hello = false, cal = false;
    /* Header records come first; stop at the first stream record, then
     * reopen so the replay thread sees the stream from the start. */
    while (rec_reader_next(lv->rd, &r) == 1) {
        if (r.kind == REC_HELLO && r.len == PKT_HELLO_SIZE) {
            memcpy(lv->hello_raw, r.payload, PKT_HELLO_SIZE);
            hello = true;
        } else if (r.kind == REC_CAL) {
            cal = rec_cal_parse((const char *)r.payload, r.len, &lv->dsp.cal) == GC_OK;
        } else if (r.kind == REC_INFO) {
            char v[64];
            if (lv->cfg.mass_kg <= 0 &&
                rec_text_get((const char *)r.payload, r.len, "mass_kg", v, sizeof v))
                lv->cfg.mass_kg = atof(v);
            snprintf(lv->source_desc, sizeof lv->source_desc, "replay %s", lv->cfg.replay_path);
        } else {
            break;
        }
    }
    rec_reader_close(lv->rd);
    lv->rd = NULL;
    if (!hello) {
        snprintf(errmsg, errcap, "%s has no sensor identity in its header; it cannot be replayed",
                 lv->cfg.replay_path);
        return GC_ERR_FORMAT;
    }
    if (!cal) {
        struct pkt_hello h;
        if (pkt_hello_decode(lv->hello_raw, PKT_HELLO_SIZE, &h) < 0 ||
            deck_cal_nominal(&h, &lv->dsp.cal) < 0) {
            snprintf(errmsg, errcap, "%s has an unreadable header", lv->cfg.replay_path);
            return GC_ERR_FORMAT;
        }
    }
    return rec_reader_open(lv->cfg.replay_path, &lv->rd);
}

struct live *live_new(const struct live_config *cfg, int *err, char *errmsg, size_t errcap)
{
    int dummy;
    if (err == NULL)
        err = &dummy;
    *err = GC_OK;
    if (errmsg && errcap)
        errmsg[0] = '\0';
    char msgbuf[256];
    if (errmsg == NULL || errcap == 0) {
        errmsg = msgbuf;
        errcap = sizeof msgbuf;
    }
    struct live *lv = calloc(1, sizeof *lv);
    if (lv == NULL) {
        slink_close(cfg->link);
        *err = GC_ERR_NOMEM;
        snprintf(errmsg, errcap, "out of memory");
        return NULL;
    }
    lv->cfg = *cfg;
    lv->link = cfg->link;
    lv->replay = cfg->replay_path != NULL;
    snprintf(lv->port_path, sizeof lv->port_path, "%s", cfg->port_path ? cfg->port_path : "");
    snprintf(lv->source_desc, sizeof lv->source_desc, "%s",
             cfg->source_desc ? cfg->source_desc : (cfg->port_path ? cfg->port_path : "?"));
    sem_init(&lv->wake_dsp, 0, 0);
    sem_init(&lv->wake_writer, 0, 0);
    atomic_init(&lv->stop, false);
    atomic_init(&lv->src_done, false);
    atomic_init(&lv->dsp_done, false);
    atomic_init(&lv->finished, false);
    atomic_init(&lv->failed, false);
    dev_init(&lv->dev, lv->link);
    lv->dev.on_frame = reader_on_frame;
    lv->dev.on_tx = reader_on_tx;
    lv->dev.user = lv;
    lv->cfg.port_path = NULL; /* copies kept above */
    lv->cfg.record_path = NULL;
    lv->cfg.replay_path = cfg->replay_path;

    int rc = GC_OK;
    if (lv->replay) {
        rc = read_replay_header(lv, errmsg, errcap);
        if (rc < 0)
            goto fail;
    } else {
        if (cfg->hello_raw == NULL) {
            rc = GC_ERR_ARG;
            snprintf(errmsg, errcap, "internal error: no sensor identity");
            goto fail;
        }
        memcpy(lv->hello_raw, cfg->hello_raw, PKT_HELLO_SIZE);
    }
    struct dsp *d = &lv->dsp;
    if (pkt_hello_decode(lv->hello_raw, PKT_HELLO_SIZE, &d->hello) < 0 || d->hello.rate_hz == 0) {
        rc = GC_ERR_FORMAT;
        snprintf(errmsg, errcap, "the sensor's identity is unreadable");
        goto fail;
    }
    if (!lv->replay) {
        if (cfg->cal)
            d->cal = *cfg->cal;
        else if (deck_cal_nominal(&d->hello, &d->cal) < 0) {
            rc = GC_ERR_FORMAT;
            snprintf(errmsg, errcap, "the sensor reports an unusable load-cell scale");
            goto fail;
        }
    }
    struct gait_config gc;
    gait_config_default(&gc, d->hello.rate_hz);
    gc.mass_kg = lv->cfg.mass_kg > 0 ? lv->cfg.mass_kg : 0;
    d->g = gait_new(&gc);
    if (d->g == NULL) {
        rc = GC_ERR_NOMEM;
        snprintf(errmsg, errcap, "the analysis could not be set up for %u Hz",
                 (unsigned)d->hello.rate_hz);
        goto fail;
    }
    if (lv->cfg.mass_kg > 0)
        gait_set_body_weight(d->g, lv->cfg.mass_kg * 9.80665);
    pkt_seq_init(&d->seq);
    d->next_tick_s = 1.0;
    d->snap.hello = d->hello;
    d->snap.link_state = LIVE_LINK_CONNECTING;
    d->snap.link.latency_ms = NAN;
    d->snap.link.rtt_ms = NAN;
    d->snap.link.rtt_min_ms = NAN;
    d->snap.link.clock_offset_ms = NAN;
    d->snap.link.clock_drift_ppm = NAN;
    d->snap.fz_n = NAN;
    d->snap.copx_m = d->snap.copy_m = NAN;
    gait_get_status(d->g, &d->snap.gait);
    snap_publish(&lv->snap, &d->snap);

    lv->ring = spsc_new(sizeof(struct rec_record), RING_DSP);
    lv->lines = spsc_new(sizeof(struct line_msg), RING_LINES);
    lv->cmds = spsc_new(sizeof(struct cmd_msg), RING_CMDS);
    if (!lv->ring || !lv->lines || !lv->cmds) {
        rc = GC_ERR_NOMEM;
        snprintf(errmsg, errcap, "out of memory");
        goto fail;
    }
    if (cfg->record_path && cfg->record_path[0]) {
        snprintf(lv->record_path, sizeof lv->record_path, "%s", cfg->record_path);
        lv->rring = spsc_new(sizeof(struct rec_record), RING_REC);
        if (lv->rring == NULL) {
            rc = GC_ERR_NOMEM;
            snprintf(errmsg, errcap, "out of memory");
            goto fail;
        }
        rc = rec_writer_open(lv->record_path, &lv->writer);
        if (rc == GC_OK)
            rc = write_header(lv);
        if (rc < 0) {
            snprintf(errmsg, errcap,
                     "cannot write the recording %s; check that the folder is writable or pass "
                     "--record FILE",
                     lv->record_path);
            goto fail;
        }
    }
    return lv;
fail:
    *err = rc;
    if (lv->writer) {
        /* Nothing was recorded: do not leave a header-only file behind. */
        rec_writer_close(lv->writer);
        lv->writer = NULL;
        unlink(lv->record_path);
    }
    live_free(lv);
    return NULL;
}

int live_add_event_consumer(struct live *lv, struct spsc *ring)
{
    if (lv == NULL || ring == NULL || spsc_elem_size(ring) != sizeof(struct live_event))
        return GC_ERR_ARG;
    if (lv->started)
        return GC_ERR_STATE;
    if (lv->n_consumers >= LIVE_MAX_CONSUMERS)
        return GC_ERR_BUSY;
    lv->consumers[lv->n_consumers++] = ring;
    return GC_OK;
}

int live_add_status_consumer(struct live *lv, struct spsc *ring)
{
    if (lv == NULL || ring == NULL || spsc_elem_size(ring) != sizeof(struct gait_status))
        return GC_ERR_ARG;
    if (lv->started)
        return GC_ERR_STATE;
    if (lv->n_status >= LIVE_MAX_CONSUMERS)
        return GC_ERR_BUSY;
    lv->status_rings[lv->n_status++] = ring;
    return GC_OK;
}

int live_start(struct live *lv)
{
    if (lv->started)
        return GC_ERR_STATE;
    if (lv->writer) {
        if (pthread_create(&lv->th_wr, NULL, writer_main, lv) != 0)
            return GC_ERR_NOMEM;
        lv->wr_started = true;
    }
    if (pthread_create(&lv->th_dsp, NULL, dsp_main, lv) != 0) {
        atomic_store(&lv->dsp_done, true);
        if (lv->wr_started)
            pthread_join(lv->th_wr, NULL);
        lv->wr_started = false;
        lv->writer = NULL;
        return GC_ERR_NOMEM;
    }
    if (pthread_create(&lv->th_src, NULL, lv->replay ? replay_main : reader_main, lv) != 0) {
        atomic_store(&lv->src_done, true);
        pthread_join(lv->th_dsp, NULL);
        if (lv->wr_started)
            pthread_join(lv->th_wr, NULL);
        lv->wr_started = false;
        lv->writer = NULL;
        return GC_ERR_NOMEM;
    }
    lv->started = true;
    return GC_OK;
}

void live_request_stop(struct live *lv)
{
    atomic_store_explicit(&lv->stop, true, memory_order_release);
}

bool live_finished(const struct live *lv)
{
    return atomic_load(&((struct live *)lv)->finished);
}

int live_stop(struct live *lv)
{
    if (lv == NULL || !lv->started || lv->stopped)
        return GC_OK;
    live_request_stop(lv);
    pthread_join(lv->th_src, NULL);
    pthread_join(lv->th_dsp, NULL);
    if (lv->wr_started) {
        pthread_join(lv->th_wr, NULL);
        lv->writer = NULL; /* closed by the writer thread */
    }
    lv->stopped = true;
    return GC_OK;
}

void live_free(struct live *lv)
{
    if (lv == NULL)
        return;
    live_stop(lv);
    if (lv->writer) {
        /* never started: close what the header wrote */
        rec_writer_close(lv->writer);
        lv->writer = NULL;
    }
    slink_close(lv->link);
    rec_reader_close(lv->rd);
    gait_free(lv->dsp.g);
    spsc_free(lv->ring);
    spsc_free(lv->rring);
    spsc_free(lv->lines);
    spsc_free(lv->cmds);
    sem_destroy(&lv->wake_dsp);
    sem_destroy(&lv->wake_writer);
    free(lv);
}

void live_get_snapshot(const struct live *lv, struct live_snapshot *out)
{
    snap_read(&lv->snap, out);
}

int live_send_command(struct live *lv, uint8_t cmd, uint32_t arg)
{
    if (lv->replay)
        return GC_ERR_STATE;
    struct cmd_msg m = {cmd, arg};
    return spsc_push(lv->cmds, &m) ? GC_OK : GC_ERR_BUSY;
}

bool live_next_line(struct live *lv, char *buf, size_t cap)
{
    const struct line_msg *m = spsc_peek(lv->lines);
    if (m == NULL)
        return false;
    snprintf(buf, cap, "%s", m->text);
    spsc_release(lv->lines);
    return true;
}

void live_format_summary(const struct live_snapshot *s, char *buf, size_t cap)
{
    char c1[16], c2[16];
    fmt_spm(c1, sizeof c1, s->gait.cadence_step_spm);
    fmt_spm(c2, sizeof c2, s->gait.cadence_spectral_spm);
    snprintf(buf, cap,
             "summary: %.1f s  steps %" PRIu32 " (L %" PRIu32 " / R %" PRIu32 ")  contacts %" PRIu32
             "  cadence %s spm (spectral %s)  frames %" PRIu64 "  crc errors %" PRIu64
             "  bad frames %" PRIu64 "  lost blocks %" PRIu64 "  gaps %" PRIu64
             "  restarts %" PRIu64 "  reconnects %" PRIu64 "  silences %" PRIu64
             "  device dropped %" PRIu32 "  ring drops %" PRIu64,
             s->t_session_s, s->gait.steps, s->gait.steps_left, s->gait.steps_right, s->contacts,
             c1, c2, s->link.frames, s->link.crc_errors, s->link.bad_frames, s->link.lost_blocks,
             s->link.gaps, s->link.restarts, s->link.reconnects, s->link.silences,
             s->link.dev_dropped_samples, s->link.ring_dropped + s->link.rec_dropped);
}

const char *live_record_path(const struct live *lv)
{
    return lv->record_path;
}

const char *live_failure(const struct live *lv)
{
    return atomic_load(&((struct live *)lv)->failed) ? lv->failure : "";
}
