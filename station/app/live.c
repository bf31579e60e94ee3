/*
 * live.c - live acquisition pipeline: reader / replay thread, DSP thread,
 * recording writer thread (see live.h for the picture).
 *
 * Determinism rule: the DSP thread feeds the core DSP object (core/dsp.h)
 * nothing but the records it pops, and the object reads no clock and no
 * link state, so the same records give the same steps and the same lines
 * live, in replay and in `station analyze`.  Host clocks enter only through
 * the records' t_host_ns.  This file holds only threads, rings, the
 * snapshot and the recording.
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
#include "reorder.h"

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
/* A recording writer that takes no record for this long is stuck (see
 * to_recording). */
#define LIVE_WRITER_STUCK_MS 2000
/* Commands the device must not miss (START, STOP, SET_RATE, METRONOME) are
 * sent again every CMD_RETRY_MS until their ACK arrives, at most
 * CMD_RETRY_MAX times (docs/protocol.md section 8). */
#define CMD_RETRY_MS  100
#define CMD_RETRY_MAX 20
#define CMD_PENDING   8u
/* Resend requests remembered for their ACK (token -> range). */
#define RESEND_PENDING 32u
/* No block for this long while the link is up: ask for the next one (a
 * tail probe; the ACK says whether the device built it, so a damaged last
 * block before the stream pauses is seen and asked for). */
#define TAIL_PROBE_MS 200
/* After STOP: collect the tail for this long, longer while holes are open
 * (at most the window's hold). */
#define STOP_DRAIN_MS 100


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

/* ---- messages between threads ---- */

struct line_msg {
    char text[LIVE_LINE_LEN];
};

struct cmd_msg {
    uint8_t cmd;
    uint32_t arg;
};

/* A command sent that waits for its ACK (reader thread only). */
struct pending_cmd {
    bool used;
    uint8_t cmd;
    uint32_t arg;
    int token;
    int tries;
    int64_t sent_ns;
};

/* A resend request sent, for its ACK (reader thread only). */
struct pending_resend {
    int token; /* 0 = free */
    uint32_t first, count;
    int64_t sent_ns;
};

struct live {
    struct live_config cfg;
    atomic_bool record_failed; /* the recording could not be written (writer thread sets) */
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
    struct reorder *ro; /* the lossless link's window (port sources) */
    struct pending_cmd pend[CMD_PENDING];
    struct pending_resend resends[RESEND_PENDING];
    uint32_t resend_next;
    int64_t last_block_ns; /* a block arrived (or a probe went out) */
    uint64_t bad_at_block;  /* the decoder's frames_bad then */
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
    sem_t wake_main; /* posted by the DSP thread: an event or a line for the main loop */

    struct rec_writer *writer;
    char end_text[512];

    /* DSP thread: the deterministic stage (core/dsp.h) and what the thread
     * adds around it (snapshot version, recording-ring drops). */
    struct dsp_config dcfg; /* read-only once live_new returns */
    struct dsp *dsp;
    struct dsp_out *outs; /* DSP_OUT_MAX, allocated in live_new */
    uint64_t version;
    uint64_t rec_dropped;
    bool writer_stuck; /* the writer took no record for LIVE_WRITER_STUCK_MS */
    int64_t last_host_ns; /* host time of the last record fed (the REC_END's) */
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

/* Source side: a slot in the DSP ring for one record.  What was received is
 * never dropped here: a full ring (the DSP 20 s behind, only ever seen with
 * a source faster than real time) makes the reader wait for the DSP, and
 * the bytes wait in the OS and device buffers meanwhile.  Only a stop asked
 * for while waiting drops the record (and counts it). */
static struct rec_record *src_slot(struct live *lv)
{
    struct rec_record *r;
    while ((r = spsc_push_slot(lv->ring)) == NULL) {
        if (atomic_load_explicit(&lv->stop, memory_order_acquire)) {
            spsc_count_drop(lv->ring);
            lv->stats.ring_dropped++;
            return NULL;
        }
        wake(&lv->wake_dsp);
        sleep_ms(1);
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
    if (lv->ro) {
        struct reorder_stats rs;
        reorder_get_stats(lv->ro, &rs);
        lv->stats.resent_rx = rs.resent_rx;
        lv->stats.duplicates = rs.duplicates;
        lv->stats.window_lost = rs.lost;
        lv->stats.max_wait_us = (uint64_t)(rs.max_wait_ns / 1000);
        lv->stats.p99_wait_us = (uint64_t)(reorder_wait_quantile_ms(lv->ro, 0.99) * 1000.0);
    }
}

static void push_stats(struct live *lv)
{
    update_stats(lv);
    uint8_t p[REC_LINK_STATS_SIZE];
    rec_link_stats_encode(&lv->stats, p);
    push_link_event(lv, REC_LINK_STATS, 0, p, sizeof p);
}

/* ---- reader thread (port) ---- */

/* One frame record to the DSP ring (and so to the recording). */
static void push_frame(struct live *lv, uint8_t type, const uint8_t *payload, size_t len,
                       int64_t t_ns, uint32_t bad_before)
{
    struct rec_record *r = src_slot(lv);
    if (r == NULL)
        return;
    r->kind = REC_FRAME;
    r->aux = type;
    r->extra = bad_before;
    r->t_host_ns = t_ns;
    r->len = (uint16_t)(len > REC_MAX_PAYLOAD ? REC_MAX_PAYLOAD : len);
    memcpy(r->payload, payload, r->len);
    src_publish(lv);
}

/* Blocks the reorder window lets go at t_ns, in sequence order, stamped
 * with the time they leave (what the DSP sees live is what replay sees). */
static void release_blocks(struct live *lv, int64_t t_ns)
{
    struct reorder_block b;
    bool any = false;
    while (reorder_pop(lv->ro, t_ns, &b) == 1) {
        push_frame(lv, b.type, b.payload, b.len, t_ns, b.bad_before);
        any = true;
    }
    /* Wake the DSP thread now: a frame left waiting for its 20 ms poll
     * delays the hard-landing cue by that much (docs/feedback.md). */
    if (any)
        wake(&lv->wake_dsp);
}

/* Send a command the device must not miss; it is repeated until its ACK. */
static void send_reliable(struct live *lv, uint8_t cmd, uint32_t arg)
{
    int token = dev_send(&lv->dev, cmd, arg, 0);
    for (unsigned i = 0; i < CMD_PENDING; i++) {
        struct pending_cmd *p = &lv->pend[i];
        if (p->used && p->cmd == cmd && cmd != CMD_METRONOME)
            p->used = false; /* the newer one replaces it */
    }
    for (unsigned i = 0; i < CMD_PENDING; i++) {
        struct pending_cmd *p = &lv->pend[i];
        if (!p->used || i == CMD_PENDING - 1) {
            *p = (struct pending_cmd){true, cmd, arg, token, 1, now_ns()};
            return;
        }
    }
}

static void retry_commands(struct live *lv, int64_t t)
{
    for (unsigned i = 0; i < CMD_PENDING; i++) {
        struct pending_cmd *p = &lv->pend[i];
        if (!p->used || t - p->sent_ns < (int64_t)CMD_RETRY_MS * 1000000)
            continue;
        if (p->tries >= CMD_RETRY_MAX) {
            LOG_WARN("command %u was not acknowledged after %d tries", p->cmd, p->tries);
            p->used = false;
            continue;
        }
        p->token = dev_send(&lv->dev, p->cmd, p->arg, 0);
        p->tries++;
        p->sent_ns = t;
    }
}

/* Resend requests due now go out; blocks whose wait is over go on. */
static void service_window(struct live *lv, int64_t t)
{
    if (lv->ro == NULL)
        return;
    uint32_t first, count;
    while (lv->link && reorder_request(lv->ro, t, &first, &count) == 1) {
        int token = dev_send(&lv->dev, CMD_RESEND, first, count);
        if (token <= 0)
            break;
        struct pending_resend *q = &lv->resends[lv->resend_next++ % RESEND_PENDING];
        *q = (struct pending_resend){token, first, count, t};
    }
    release_blocks(lv, t);
}

/* A tail probe: a bad frame came after the last block, and no block for
 * TAIL_PROBE_MS since (a device that merely paused, or went silent, is not
 * probed: nothing was damaged). */
static void probe_tail(struct live *lv, int64_t t)
{
    uint32_t next;
    if (lv->ro == NULL || lv->link == NULL || lv->dev.dec.frames_bad == lv->bad_at_block ||
        t - lv->last_block_ns < (int64_t)TAIL_PROBE_MS * 1000000 ||
        !reorder_next_expected(lv->ro, &next))
        return;
    lv->last_block_ns = t;
    lv->bad_at_block = lv->dev.dec.frames_bad;
    int token = dev_send(&lv->dev, CMD_RESEND, next, 1);
    if (token > 0)
        lv->resends[lv->resend_next++ % RESEND_PENDING] =
            (struct pending_resend){token, next, 1, t};
}

static void on_ack(struct live *lv, const uint8_t *payload, size_t len, int64_t t)
{
    struct pkt_ack a;
    if (pkt_ack_decode(payload, len, &a) < 0)
        return;
    for (unsigned i = 0; i < CMD_PENDING; i++)
        if (lv->pend[i].used && lv->pend[i].token == a.token && lv->pend[i].cmd == a.cmd)
            lv->pend[i].used = false;
    if (lv->ro == NULL || (a.cmd != CMD_RESEND && a.cmd != CMD_STOP))
        return;
    uint32_t oldest = (uint32_t)a.echo, next = (uint32_t)(a.echo >> 32);
    if (a.cmd == CMD_STOP) {
        reorder_answer(lv->ro, false, 0, 0, 0, oldest, next, t);
        return;
    }
    for (unsigned i = 0; i < RESEND_PENDING; i++) {
        struct pending_resend *q = &lv->resends[i];
        if (q->token != 0 && q->token == a.token) {
            reorder_rtt_sample(lv->ro, t - q->sent_ns);
            reorder_answer(lv->ro, true, q->first, q->count, q->sent_ns, oldest, next, t);
            q->token = 0;
            return;
        }
    }
    reorder_answer(lv->ro, false, 0, 0, 0, oldest, next, t);
}

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
    if (lv->ro && (type == PKT_SAMPLES || type == PKT_RESENT) &&
        reorder_push(lv->ro, type, payload, len, bad_before, t_rx_ns) == 0) {
        lv->last_block_ns = t_rx_ns;
        lv->bad_at_block = lv->dev.dec.frames_bad;
        /* In sequence order through the window; holes are asked for at
         * once, before the next read. */
        service_window(lv, t_rx_ns);
        return 0;
    }
    if (type == PKT_ACK)
        on_ack(lv, payload, len, t_rx_ns);
    push_frame(lv, type, payload, len, t_rx_ns, bad_before);
    if (lv->ro)
        service_window(lv, t_rx_ns); /* an ACK can end a wait or ask again */
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
    /* Tokens start again on the next link: forget what waited for ACKs. */
    memset(lv->pend, 0, sizeof lv->pend);
    memset(lv->resends, 0, sizeof lv->resends);
    dev_init(&lv->dev, NULL);
    lv->dev.on_frame = reader_on_frame;
    lv->dev.on_tx = reader_on_tx;
    lv->dev.user = lv;
}

static bool reader_reopen(struct live *lv)
{
    struct slink *l = NULL;
    if (slink_open(lv->port_path, &lv->cfg.link_params, &l, NULL) < 0)
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
    if (strcmp(h.serial, lv->dcfg.hello.serial) != 0)
        LOG_WARN("a different sensor (serial %s) answered on %s", h.serial, lv->port_path);
    push_link_event(lv, REC_LINK_RECONNECT, 0, raw, sizeof raw);
    if (!h.streaming)
        send_reliable(lv, CMD_START, 0);
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
        send_reliable(lv, CMD_START, 0);
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
            send_reliable(lv, cm.cmd, cm.arg);
        if (lv->need_start) {
            lv->need_start = false;
            send_reliable(lv, CMD_START, 0);
        }
        retry_commands(lv, t);
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
        int wait_ms = LIVE_POLL_MS;
        if (lv->ro) {
            /* Wake up for the window's next retry or give-up. */
            int64_t due = reorder_deadline(lv->ro);
            if (due != INT64_MAX) {
                int64_t ms = (due - t + 999999) / 1000000;
                wait_ms = ms < 1 ? 1 : ms < LIVE_POLL_MS ? (int)ms : LIVE_POLL_MS;
            }
        }
        /* Holes are given up only once the link has been read dry: after
         * the thread was descheduled, a resend may already sit in the OS
         * buffer behind the bytes of the first read. */
        if (lv->ro)
            reorder_defer_giveup(lv->ro, true);
        int rc = dev_pump(&lv->dev, wait_ms, 0, -1, NULL, NULL);
        for (int k = 0; rc >= 0 && k < 64 &&
                        spsc_capacity(lv->ring) - spsc_count(lv->ring) >= RING_HEADROOM;
             k++) {
            int64_t before = lv->dev.last_rx_ns;
            rc = dev_pump(&lv->dev, 0, 0, -1, NULL, NULL);
            if (lv->dev.last_rx_ns == before)
                break; /* nothing more queued */
        }
        if (lv->ro)
            reorder_defer_giveup(lv->ro, false);
        wake(&lv->wake_dsp);
        t = now_ns();
        if (rc >= 0) {
            service_window(lv, t);
            probe_tail(lv, t);
        }
        if (rc < 0) {
            LOG_INFO("link lost: %s", gc_strerror(rc));
            if (lv->ro) {
                /* Nothing more can come for the holes: what waits goes on. */
                reorder_flush(lv->ro);
                release_blocks(lv, t);
            }
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
        send_reliable(lv, CMD_STOP, 0);
        /* Collect what is still in flight (the partial block before the
         * STOP's ACK, blocks asked for again, the tail the ACK names) so
         * the recording ends cleanly: STOP_DRAIN_MS, and while holes are
         * open at most the window's hold more. */
        int64_t t_end = now_ns() + (int64_t)STOP_DRAIN_MS * 1000000;
        int64_t t_max = t_end + (int64_t)REORDER_HOLD_MS_DEFAULT * 1000000;
        for (;;) {
            int64_t t = now_ns();
            bool open = lv->ro && reorder_open_holes(lv->ro) > 0;
            bool stop_pending = false;
            for (unsigned i = 0; i < CMD_PENDING; i++)
                stop_pending |= lv->pend[i].used && lv->pend[i].cmd == CMD_STOP;
            if (t >= t_max || (t >= t_end && !open && !stop_pending))
                break;
            if (dev_pump(&lv->dev, 5, 0, -1, NULL, NULL) < 0)
                break;
            t = now_ns();
            service_window(lv, t);
            retry_commands(lv, t);
            probe_tail(lv, t);
        }
        if (lv->ro) {
            reorder_flush(lv->ro);
            release_blocks(lv, now_ns());
        }
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
            /* Sleep in slices of LIVE_POLL_MS so that a stop request
             * (Ctrl-C) is seen within one slice even in a long recorded
             * gap (a silence, an unplugged cable). */
            int64_t wait;
            bool woke = false;
            while ((wait = due - now_ns()) > 0) {
                if (!woke)
                    wake(&lv->wake_dsp);
                woke = true;
                if (atomic_load_explicit(&lv->stop, memory_order_acquire))
                    goto out;
                int64_t slice = (int64_t)LIVE_POLL_MS * 1000000;
                if (wait > slice)
                    wait = slice;
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

/* ---- DSP thread: rings around the core object ---- */

/* The DSP object reads records by the recording format's numbers. */
_Static_assert((int)REC_FRAME == (int)DSP_REC_FRAME && (int)REC_LINK == (int)DSP_REC_LINK &&
                   (int)REC_TX == (int)DSP_REC_TX,
               "record kinds");
_Static_assert((int)REC_LINK_SILENCE == (int)DSP_LINK_EV_SILENCE &&
                   (int)REC_LINK_LOST == (int)DSP_LINK_EV_LOST &&
                   (int)REC_LINK_RECONNECT == (int)DSP_LINK_EV_RECONNECT &&
                   (int)REC_LINK_RESUMED == (int)DSP_LINK_EV_RESUMED &&
                   (int)REC_LINK_STATS == (int)DSP_LINK_EV_STATS &&
                   REC_LINK_STATS_SIZE == DSP_LINK_STATS_SIZE,
               "link events");

void live_record_view(const struct rec_record *r, struct dsp_record *v)
{
    v->kind = r->kind;
    v->aux = r->aux;
    v->extra = r->extra;
    v->t_host_ns = r->t_host_ns;
    v->payload = r->payload;
    v->len = r->len;
}

void live_snapshot_from_dsp(const struct dsp_state *st, struct live_snapshot *s)
{
    memset(s, 0, sizeof *s);
    s->t_session_s = st->t_session_s;
    s->t_host_s = st->t_host_s;
    s->link_state = st->link_state;
    s->finished = st->link_state == DSP_LINK_ENDED;
    s->gait = st->gait;
    s->contacts = st->contacts;
    s->fz_n = st->fz_n;
    s->copx_m = st->copx_m;
    s->copy_m = st->copy_m;
    s->link = st->link;
    s->n_steps = st->n_steps;
    memcpy(s->last_steps, st->last_steps, sizeof s->last_steps);
    s->hello = st->hello;
}

static void fill_snapshot(struct live *lv, struct live_snapshot *s)
{
    struct dsp_state st;
    dsp_get_state(lv->dsp, &st);
    live_snapshot_from_dsp(&st, s);
    s->version = lv->version;
    s->link.rec_dropped = lv->rec_dropped;
}

static void publish(struct live *lv)
{
    struct live_snapshot s;
    fill_snapshot(lv, &s);
    snap_publish(&lv->snap, &s);
}

/* Hand the DSP object's outputs to their consumers' rings; never waits (a
 * full ring drops and counts: the consumers' rings hold minutes of steps). */
static void dispatch(struct live *lv, int n)
{
    int64_t t_emit = now_ns();
    bool for_main = false;
    for (int i = 0; i < n; i++) {
        const struct dsp_out *o = &lv->outs[i];
        switch (o->kind) {
        case DSP_OUT_EVENT: {
            struct live_event le;
            le.ev = o->ev;
            le.t_rx_ns = o->t_rx_ns;
            le.t_emit_ns = t_emit;
            le.t_ev_host_s = o->t_ev_host_s;
            for (int k = 0; k < lv->n_consumers; k++)
                spsc_push(lv->consumers[k], &le);
            for_main = true;
            break;
        }
        case DSP_OUT_STATUS:
            for (int k = 0; k < lv->n_status; k++)
                spsc_push(lv->status_rings[k], &o->status);
            break;
        case DSP_OUT_LINE: {
            struct line_msg *m = spsc_push_slot(lv->lines);
            if (m == NULL) {
                spsc_count_drop(lv->lines);
                break;
            }
            snprintf(m->text, sizeof m->text, "%s", o->line);
            spsc_publish(lv->lines);
            for_main = true;
            break;
        }
        }
    }
    if (for_main)
        wake(&lv->wake_main);
}

/* The DSP's copy of a record for the recording.  A full ring (80 s of a
 * real-time stream not yet written) makes the DSP wait for the writer, so
 * a source faster than real time (the simulator at --speed max, a disk slow
 * to fdatasync) costs time, not records.  A writer that takes no record for
 * LIVE_WRITER_STUCK_MS is stuck in the kernel (a hung disk): from then on
 * records are dropped and counted, without waiting, until it takes one
 * again, so the cues never stop for the disk. */
static void to_recording(struct live *lv, const struct rec_record *r)
{
    if (lv->rring == NULL)
        return;
    struct rec_record *w;
    int64_t wait_from = 0;
    while ((w = spsc_push_slot(lv->rring)) == NULL) {
        int64_t t = now_ns();
        if (wait_from == 0)
            wait_from = t;
        if (lv->writer_stuck || t - wait_from > (int64_t)LIVE_WRITER_STUCK_MS * 1000000) {
            lv->writer_stuck = true;
            spsc_count_drop(lv->rring);
            lv->rec_dropped++;
            return;
        }
        wake(&lv->wake_writer);
        sleep_ms(1);
    }
    lv->writer_stuck = false;
    memcpy(w, r, offsetof(struct rec_record, payload) + r->len);
    spsc_publish(lv->rring);
}

static void *dsp_thread_main(void *arg)
{
    struct live *lv = arg;
    int64_t last_pub = 0;
    for (;;) {
        const struct rec_record *r = spsc_peek(lv->ring);
        if (r == NULL) {
            if (atomic_load_explicit(&lv->src_done, memory_order_acquire) &&
                spsc_count(lv->ring) == 0)
                break;
            publish(lv);
            wake(&lv->wake_writer);
            sem_wait_ms(&lv->wake_dsp, 20);
            continue;
        }
        if (dsp_ended(lv->dsp)) {
            /* The session reached --seconds: what still arrives is neither
             * analysed nor recorded, so a replay ends at the same record. */
            spsc_release(lv->ring);
            continue;
        }
        to_recording(lv, r);
        struct dsp_record v;
        live_record_view(r, &v);
        lv->last_host_ns = r->t_host_ns;
        int n = dsp_feed(lv->dsp, &v, lv->outs, DSP_OUT_MAX);
        spsc_release(lv->ring);
        if (n > 0)
            dispatch(lv, n);
        if (dsp_failure(lv->dsp)[0] && !atomic_load(&lv->failed)) {
            snprintf(lv->failure, sizeof lv->failure, "%s", dsp_failure(lv->dsp));
            atomic_store(&lv->failed, true);
            atomic_store(&lv->finished, true);
        }
        if (dsp_ended(lv->dsp))
            atomic_store(&lv->finished, true);
        lv->version++;
        /* Publish at most every 2 ms of host time. */
        int64_t t = now_ns();
        if (t - last_pub > 2000000) {
            publish(lv);
            last_pub = t;
        }
    }
    int n = dsp_finish(lv->dsp, lv->outs, DSP_OUT_MAX);
    if (n > 0)
        dispatch(lv, n);
    lv->version++;
    struct live_snapshot s;
    fill_snapshot(lv, &s);
    snprintf(lv->end_text, sizeof lv->end_text,
             "duration_s=%.3f\nsteps=%" PRIu32 "\nframes=%" PRIu64 "\ncrc_errors=%" PRIu64
             "\nlost_blocks=%" PRIu64 "\ngaps=%" PRIu64 "\nreconnects=%" PRIu64 "\n",
             s.t_session_s, s.gait.steps, s.link.frames, s.link.crc_errors, s.link.lost_blocks,
             s.link.gaps, s.link.reconnects);
    snap_publish(&lv->snap, &s);
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
                atomic_store(&lv->record_failed, true);
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
            if (rec_writer_flush(lv->writer, sync) < 0) {
                io_failed = true;
                atomic_store(&lv->record_failed, true);
                LOG_ERR("the recording %s cannot be written any more (disk full?); the session "
                        "goes on without it",
                        lv->record_path);
            }
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
        end.t_host_ns = lv->last_host_ns;
        end.len = (uint16_t)strlen(lv->end_text);
        memcpy(end.payload, lv->end_text, end.len);
        if (rec_writer_append(lv->writer, &end) < 0)
            io_failed = true;
    }
    if (rec_writer_close(lv->writer) < 0 || io_failed)
        atomic_store(&lv->record_failed, true);
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
    r.len = (uint16_t)rec_cal_format(&lv->dcfg.cal, (char *)r.payload, REC_MAX_PAYLOAD);
    if (rc == GC_OK)
        rc = rec_writer_append(lv->writer, &r);
    if (rc == GC_OK)
        rc = rec_writer_flush(lv->writer, true);
    return rc;
}

int live_replay_config(const char *path, double mass_kg, struct dsp_config *out,
                       uint8_t hello_raw[PKT_HELLO_SIZE], struct gc_diag *diag)
{
    gc_diag_clear(diag);
    static _Thread_local struct rec_record r;
    memset(out, 0, sizeof *out);
    out->mass_kg = mass_kg > 0 ? mass_kg : 0;
    struct rec_reader *rd = NULL;
    int rc = rec_reader_open(path, &rd);
    if (rc < 0) {
        gc_fail(diag, rc,
                rc == GC_ERR_NOT_FOUND ? "there is no recording at %s; check the path"
                : rc == GC_ERR_VERSION
                    ? "%s was recorded by a newer station; update this station to replay it"
                    : "%s is not a gaitcue recording; pass a file from the recordings folder",
                path);
        return rc;
    }
    bool hello = false, cal = false;
    /* Header records come first; stop at the first stream record. */
    while (rec_reader_next(rd, &r) == 1) {
        if (r.kind == REC_HELLO && r.len == PKT_HELLO_SIZE) {
            memcpy(hello_raw, r.payload, PKT_HELLO_SIZE);
            hello = true;
        } else if (r.kind == REC_CAL) {
            cal = rec_cal_parse((const char *)r.payload, r.len, &out->cal) == GC_OK;
        } else if (r.kind == REC_INFO) {
            char v[64];
            if (mass_kg <= 0 && rec_text_get((const char *)r.payload, r.len, "mass_kg", v, sizeof v))
                out->mass_kg = atof(v);
        } else {
            break;
        }
    }
    rec_reader_close(rd);
    if (!hello) {
        return gc_fail(diag, GC_ERR_FORMAT,
                       "%s has no sensor identity in its header; it cannot be replayed", path);
    }
    if (pkt_hello_decode(hello_raw, PKT_HELLO_SIZE, &out->hello) < 0 ||
        out->hello.rate_hz == 0 || (!cal && deck_cal_nominal(&out->hello, &out->cal) < 0)) {
        return gc_fail(diag, GC_ERR_FORMAT, "%s has an unreadable header", path);
    }
    return GC_OK;
}

int live_new(const struct live_config *cfg, struct live **out, struct gc_diag *diag)
{
    *out = NULL;
    gc_diag_clear(diag);
    struct live *lv = calloc(1, sizeof *lv);
    if (lv == NULL) {
        slink_close(cfg->link);
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory");
    }
    lv->cfg = *cfg;
    lv->link = cfg->link;
    lv->replay = cfg->replay_path != NULL;
    snprintf(lv->port_path, sizeof lv->port_path, "%s", cfg->port_path ? cfg->port_path : "");
    snprintf(lv->source_desc, sizeof lv->source_desc, "%s",
             cfg->source_desc ? cfg->source_desc : (cfg->port_path ? cfg->port_path : "?"));
    sem_init(&lv->wake_dsp, 0, 0);
    sem_init(&lv->wake_writer, 0, 0);
    sem_init(&lv->wake_main, 0, 0);
    atomic_init(&lv->stop, false);
    atomic_init(&lv->record_failed, false);
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
        rc = live_replay_config(cfg->replay_path, cfg->mass_kg, &lv->dcfg, lv->hello_raw, diag);
        if (rc == GC_OK) {
            rc = rec_reader_open(cfg->replay_path, &lv->rd);
            if (rc < 0)
                gc_fail(diag, rc, "cannot read %s (%s)", cfg->replay_path, gc_strerror(rc));
        }
        if (rc < 0)
            goto fail;
        lv->cfg.mass_kg = lv->dcfg.mass_kg;
        snprintf(lv->source_desc, sizeof lv->source_desc, "replay %s", cfg->replay_path);
    } else {
        if (cfg->hello_raw == NULL) {
            rc = gc_fail(diag, GC_ERR_ARG, "internal error: no sensor identity");
            goto fail;
        }
        memcpy(lv->hello_raw, cfg->hello_raw, PKT_HELLO_SIZE);
        if (pkt_hello_decode(lv->hello_raw, PKT_HELLO_SIZE, &lv->dcfg.hello) < 0 ||
            lv->dcfg.hello.rate_hz == 0) {
            rc = gc_fail(diag, GC_ERR_FORMAT, "the sensor's identity is unreadable");
            goto fail;
        }
        if (cfg->cal)
            lv->dcfg.cal = *cfg->cal;
        else if (deck_cal_nominal(&lv->dcfg.hello, &lv->dcfg.cal) < 0) {
            rc = gc_fail(diag, GC_ERR_FORMAT, "the sensor reports an unusable load-cell scale");
            goto fail;
        }
        lv->dcfg.mass_kg = cfg->mass_kg > 0 ? cfg->mass_kg : 0;
        struct reorder_config win = {(int64_t)REORDER_HOLD_MS_DEFAULT * 1000000,
                                     (int64_t)REORDER_RETRY_MS_DEFAULT * 1000000};
        lv->ro = reorder_new(&win);
        if (lv->ro == NULL) {
            rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory");
            goto fail;
        }
    }
    lv->dcfg.seconds = cfg->seconds > 0 ? cfg->seconds : 0;
    lv->dsp = dsp_new(&lv->dcfg, &rc);
    lv->outs = malloc(DSP_OUT_MAX * sizeof *lv->outs);
    if (lv->dsp == NULL || lv->outs == NULL) {
        rc = gc_fail(diag, rc < 0 ? rc : GC_ERR_NOMEM, "the analysis could not be set up for %u Hz",
                     (unsigned)lv->dcfg.hello.rate_hz);
        goto fail;
    }
    publish(lv);

    lv->ring = spsc_new(sizeof(struct rec_record), RING_DSP);
    lv->lines = spsc_new(sizeof(struct line_msg), RING_LINES);
    lv->cmds = spsc_new(sizeof(struct cmd_msg), RING_CMDS);
    if (!lv->ring || !lv->lines || !lv->cmds) {
        rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory");
        goto fail;
    }
    if (cfg->record_path && cfg->record_path[0]) {
        snprintf(lv->record_path, sizeof lv->record_path, "%s", cfg->record_path);
        lv->rring = spsc_new(sizeof(struct rec_record), RING_REC);
        if (lv->rring == NULL) {
            rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory");
            goto fail;
        }
        rc = rec_writer_open(lv->record_path, &lv->writer);
        if (rc == GC_OK)
            rc = write_header(lv);
        if (rc < 0) {
            gc_fail(diag, rc,
                    "cannot write the recording %s; check that the folder is writable or pass "
                    "--record FILE",
                    lv->record_path);
            goto fail;
        }
    }
    *out = lv;
    return GC_OK;
fail:
    if (lv->writer) {
        /* Nothing was recorded: do not leave a header-only file behind. */
        if (rec_writer_close(lv->writer) < 0)
            LOG_WARN("closing the unused recording %s failed; removing it", lv->record_path);
        lv->writer = NULL;
        unlink(lv->record_path);
    }
    live_free(lv);
    return rc;
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
    if (pthread_create(&lv->th_dsp, NULL, dsp_thread_main, lv) != 0) {
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

void live_wait(struct live *lv, int timeout_ms)
{
    if (timeout_ms > 0)
        sem_wait_ms(&lv->wake_main, timeout_ms);
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
        if (rec_writer_close(lv->writer) < 0)
            LOG_WARN("the recording %s could not be closed cleanly", lv->record_path);
        lv->writer = NULL;
    }
    slink_close(lv->link);
    rec_reader_close(lv->rd);
    reorder_free(lv->ro);
    dsp_free(lv->dsp);
    free(lv->outs);
    spsc_free(lv->ring);
    spsc_free(lv->rring);
    spsc_free(lv->lines);
    spsc_free(lv->cmds);
    sem_destroy(&lv->wake_dsp);
    sem_destroy(&lv->wake_writer);
    sem_destroy(&lv->wake_main);
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

static void fmt_spm(char *buf, size_t cap, double v)
{
    if (isfinite(v))
        snprintf(buf, cap, "%5.1f", v);
    else
        snprintf(buf, cap, "  -- ");
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
             "  device dropped %" PRIu32 "  ring drops %" PRIu64 "  resend requests %" PRIu64
             "  recovered %" PRIu64 "  resent received %" PRIu64 "  longest wait %.1f ms"
             "  wait p99 %.0f ms",
             s->t_session_s, s->gait.steps, s->gait.steps_left, s->gait.steps_right, s->contacts,
             c1, c2, s->link.frames, s->link.crc_errors, s->link.bad_frames, s->link.lost_blocks,
             s->link.gaps, s->link.restarts, s->link.reconnects, s->link.silences,
             s->link.dev_dropped_samples, s->link.ring_dropped + s->link.rec_dropped,
             s->link.resend_requests, s->link.recovered, s->link.resent_rx, s->link.max_wait_ms,
             s->link.p99_wait_ms);
    /* Said only when it happened: sessions without it keep their summary. */
    size_t k = strlen(buf);
    if (s->link.bad_blocks > 0 && k < cap)
        snprintf(buf + k, cap - k, "  impossible blocks %" PRIu64, s->link.bad_blocks);
}

const char *live_record_path(const struct live *lv)
{
    return lv->record_path;
}

bool live_record_failed(const struct live *lv)
{
    return atomic_load(&lv->record_failed);
}

const char *live_failure(const struct live *lv)
{
    return atomic_load(&((struct live *)lv)->failed) ? lv->failure : "";
}
