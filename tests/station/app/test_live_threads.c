/*
 * test_live_threads.c - the live pipeline's threads in one process (label
 * "threads": CI runs it under ThreadSanitizer).
 *
 *   device thread (fake link end B): answers IDENTIFY/PING/START/STOP and
 *   streams a synthetic runner (half-sine contacts 250 ms, flight 100 ms,
 *   COP alternating left/right -> 171.4 steps/min) as fast as the link
 *   takes it
 *   live (end A): reader -> DSP -> recording writer threads
 *   consumer thread: pops the event ring (what the audio thread does)
 *   snapshot thread: reads the seqlock snapshot continuously
 *   main thread: sends commands (live_send_command)
 *
 * Then the recording is replayed through the same pipeline and the steps
 * must be identical, field by field.
 */
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "devlink.h"
#include "gc_error.h"
#include "live.h"
#include "spsc.h"

#define RATE_HZ       1000u
#define BLOCK         10u
#define SESSION_S     30.0
#define STEP_PERIOD_S 0.35 /* 250 ms contact + 100 ms flight: 171.43 steps/min */
#define CONTACT_S     0.25
#define PEAK_N        1700.0
#define N_PER_COUNT   2.5e-4f
#define MAX_STEPS     512

static uint64_t dev_time_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

struct device {
    struct slink *link;
    atomic_bool quit;
    atomic_uint commands_seen;
    atomic_uint metronome_seen;
};

static void fill_hello(struct pkt_hello *h, bool streaming)
{
    memset(h, 0, sizeof *h);
    h->proto_version = PROTO_VERSION;
    h->fw_minor = 1;
    snprintf(h->serial, sizeof h->serial, "THREADS-1");
    h->rate_hz = RATE_HZ;
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        h->channel_corner[i] = (uint8_t)i;
        h->cell_x_mm[i] = (int16_t)((i & 1) ? 300 : -300);
        h->cell_y_mm[i] = (int16_t)((i & 2) ? -700 : 700);
    }
    h->cell_n_per_count = N_PER_COUNT;
    h->accel_g_per_lsb = 1.0f / 2048;
    h->gyro_dps_per_lsb = 1.0f / 16.4f;
    h->streaming = streaming;
}

/* Force and COP of the synthetic runner at time t. */
static void runner(double t, double *fz, double *copx)
{
    double ph = fmod(t, STEP_PERIOD_S);
    long k = (long)floor(t / STEP_PERIOD_S);
    *copx = (k % 2) ? 0.1 : -0.1;
    *fz = ph < CONTACT_S ? PEAK_N * sin(M_PI * ph / CONTACT_S) : 0.0;
}

static void send_frame(struct device *d, const uint8_t *wire, size_t n)
{
    while (slink_write(d->link, wire, n, 1000) == GC_ERR_TIMEOUT && !atomic_load(&d->quit))
        ;
}

static void *device_main(void *arg)
{
    struct device *d = arg;
    struct frame_decoder dec;
    frame_decoder_init(&dec);
    bool streaming = false;
    uint32_t seq = 0;
    uint64_t t_us = 0;
    uint64_t blocks_total = (uint64_t)((SESSION_S + 2.0) * RATE_HZ / BLOCK);
    static uint8_t wire[FRAME_MAX_WIRE];
    uint8_t buf[512];
    while (!atomic_load(&d->quit)) {
        int n = slink_read(d->link, buf, sizeof buf, streaming ? 0 : 5);
        if (n < 0)
            break;
        for (int i = 0; i < n; i++) {
            if (frame_decoder_push(&dec, buf[i]) != FRAME_OK || dec.type != PKT_CMD)
                continue;
            struct pkt_cmd c;
            if (pkt_cmd_decode(dec.payload, dec.payload_len, &c) < 0)
                continue;
            atomic_fetch_add(&d->commands_seen, 1);
            struct pkt_ack a = {c.cmd, c.token, ACK_OK, dev_time_us(), 0};
            if (c.cmd == CMD_PING)
                a.echo = c.arg64;
            if (c.cmd == CMD_METRONOME)
                atomic_fetch_add(&d->metronome_seen, 1);
            if (c.cmd == CMD_START)
                streaming = true;
            if (c.cmd == CMD_STOP)
                streaming = false;
            send_frame(d, wire, pkt_ack_frame(&a, wire, sizeof wire));
            if (c.cmd == CMD_IDENTIFY) {
                struct pkt_hello h;
                fill_hello(&h, streaming);
                send_frame(d, wire, pkt_hello_frame(&h, wire, sizeof wire));
            }
        }
        if (streaming && seq < blocks_total) {
            struct pkt_samples b;
            memset(&b, 0, sizeof b);
            b.seq = seq++;
            b.t_first_us = t_us;
            b.rate_hz = RATE_HZ;
            b.n = BLOCK;
            for (unsigned i = 0; i < BLOCK; i++) {
                double fz, copx;
                runner((double)(t_us + i * (1000000u / RATE_HZ)) * 1e-6, &fz, &copx);
                double left = 0.5 - copx / 0.6; /* share on the left cells (x = -0.3) */
                for (unsigned c = 0; c < PKT_CELLS; c++) {
                    double share = ((c & 1) ? 1.0 - left : left) * 0.5;
                    b.s[i].cell[c] = (int32_t)lround(fz * share / N_PER_COUNT);
                }
            }
            t_us += BLOCK * (1000000u / RATE_HZ);
            send_frame(d, wire, pkt_samples_frame(&b, wire, sizeof wire));
        }
    }
    return NULL;
}

struct consumer {
    struct spsc *ring;
    atomic_bool quit;
    struct gait_step steps[MAX_STEPS];
    int n_steps;
    int gaps;
};

static void *consumer_main(void *arg)
{
    struct consumer *c = arg;
    struct live_event e;
    for (;;) {
        bool got = spsc_pop(c->ring, &e);
        if (!got) {
            if (atomic_load(&c->quit) && spsc_count(c->ring) == 0)
                break;
            sched_yield();
            continue;
        }
        if (e.ev.kind == GAIT_EV_STEP && c->n_steps < MAX_STEPS)
            c->steps[c->n_steps++] = e.ev.step;
        if (e.ev.kind == GAIT_EV_GAP)
            c->gaps++;
    }
    return NULL;
}

struct watcher {
    struct live *lv;
    atomic_bool quit;
    long reads, bad;
};

static void *watcher_main(void *arg)
{
    struct watcher *w = arg;
    uint64_t last_version = 0;
    double last_t = -1;
    uint32_t last_steps = 0;
    while (!atomic_load(&w->quit)) {
        struct live_snapshot s;
        live_get_snapshot(w->lv, &s);
        w->reads++;
        /* a torn copy would break these monotonic fields */
        if (s.version < last_version || s.t_session_s < last_t || s.n_steps < last_steps)
            w->bad++;
        last_version = s.version;
        last_t = s.t_session_s;
        last_steps = s.n_steps;
    }
    return NULL;
}

/* Bit-for-bit equal doubles (NAN equals NAN: an absent value stays absent). */
static bool eqd(double x, double y)
{
    return (isnan(x) && isnan(y)) || x == y;
}

static bool same_step(const struct gait_step *x, const struct gait_step *y)
{
    return x->index == y->index && x->side == y->side && x->flags == y->flags &&
           eqd(x->t_ic_s, y->t_ic_s) && eqd(x->t_to_s, y->t_to_s) &&
           eqd(x->contact_ms, y->contact_ms) && eqd(x->flight_ms, y->flight_ms) &&
           eqd(x->step_ms, y->step_ms) && eqd(x->cadence_spm, y->cadence_spm) &&
           eqd(x->impact_peak_n, y->impact_peak_n) && eqd(x->valr_bw_s, y->valr_bw_s) &&
           eqd(x->vilr_bw_s, y->vilr_bw_s) && eqd(x->active_peak_n, y->active_peak_n) &&
           eqd(x->active_peak_bw, y->active_peak_bw);
}

static void wait_finished(struct live *lv)
{
    for (int i = 0; i < 60000 && !live_finished(lv); i++)
        usleep(1000);
    CHECK(live_finished(lv));
}

static int run_session(struct live *lv, struct consumer *c, struct live_snapshot *end,
                       struct device *dev)
{
    c->ring = spsc_new(sizeof(struct live_event), 4096);
    atomic_init(&c->quit, false);
    c->n_steps = c->gaps = 0;
    CHECK_EQ(live_add_event_consumer(lv, c->ring), GC_OK);
    struct watcher w = {lv, false, 0, 0};
    atomic_init(&w.quit, false);
    pthread_t tc, tw;
    pthread_create(&tc, NULL, consumer_main, c);
    pthread_create(&tw, NULL, watcher_main, &w);
    /* the feedback side tells the sensor a metronome plays (queued; the
     * reader thread sends it) */
    CHECK_EQ(live_send_command(lv, CMD_METRONOME, 17143), dev ? GC_OK : GC_ERR_STATE);
    CHECK_EQ(live_start(lv), GC_OK);
    CHECK_EQ(live_add_event_consumer(lv, c->ring), GC_ERR_STATE); /* too late */
    wait_finished(lv);
    live_stop(lv);
    atomic_store(&c->quit, true);
    atomic_store(&w.quit, true);
    pthread_join(tc, NULL);
    pthread_join(tw, NULL);
    live_get_snapshot(lv, end);
    CHECK(w.reads > 0);
    CHECK_EQ(w.bad, 0);
    CHECK_EQ(spsc_dropped(c->ring), 0);
    spsc_free(c->ring);
    return 0;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN); /* the device writes after the station closed its end */
    char dir[] = "/tmp/gc-live-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char rec[256];
    snprintf(rec, sizeof rec, "%s/t.gcrec", dir);

    struct slink *a, *b;
    CHECK_EQ(slink_fake_pair(&a, &b), GC_OK);
    static struct device dev;
    dev.link = b;
    atomic_init(&dev.quit, false);
    atomic_init(&dev.commands_seen, 0);
    atomic_init(&dev.metronome_seen, 0);
    pthread_t td;
    pthread_create(&td, NULL, device_main, &dev);

    struct devlink d;
    dev_init(&d, a);
    struct pkt_hello hello;
    uint8_t raw[PKT_HELLO_SIZE];
    int ver = 0;
    CHECK_EQ(dev_identify(&d, 2000, &hello, raw, &ver), GC_OK);
    CHECK(!strcmp(hello.serial, "THREADS-1"));

    struct live_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.link = a;
    cfg.hello_raw = raw;
    cfg.seconds = SESSION_S;
    cfg.record_path = rec;
    cfg.source_desc = "fake pair";
    cfg.send_start = true;
    struct gc_diag ld;
    struct live *lv;
    CHECK_EQ(live_new(&cfg, &lv, &ld), GC_OK);
    CHECK_MSG(lv != NULL, ld.msg);
    static struct consumer live_c, rep_c;
    struct live_snapshot live_end, rep_end;
    run_session(lv, &live_c, &live_end, &dev);
    live_free(lv);
    atomic_store(&dev.quit, true);
    pthread_join(td, NULL);
    slink_close(b);

    CHECK(atomic_load(&dev.metronome_seen) == 1);
    CHECK(live_end.t_session_s >= SESSION_S);
    CHECK_EQ(live_end.link.lost_blocks, 0);
    CHECK_EQ(live_end.link.bad_frames, 0);
    CHECK_EQ(live_end.link.ring_dropped + live_end.link.rec_dropped, 0);
    CHECK_EQ(live_c.gaps, 0);
    /* 30 s at one step per 0.35 s: 85.7 contacts; the first has no step
     * time and the flush may complete the last one */
    CHECK(live_c.n_steps >= 84 && live_c.n_steps <= 87);
    CHECK_EQ((long long)live_end.n_steps, live_c.n_steps);
    /* the synthetic runner's cadence is exact: 60 / 0.35 = 171.43 steps/min;
     * IC timing resolution is one sample (1 ms of 350 ms = 0.3 %, 0.5 spm) */
    CHECK_NEAR(live_end.gait.cadence_step_spm, 60.0 / STEP_PERIOD_S, 0.6);
    CHECK(live_end.link.frames > 3000);

    /* replay the recording through the same pipeline */
    memset(&cfg, 0, sizeof cfg);
    cfg.replay_path = rec;
    cfg.replay_speed = 0;
    CHECK_EQ(live_new(&cfg, &lv, &ld), GC_OK);
    CHECK_MSG(lv != NULL, ld.msg);
    run_session(lv, &rep_c, &rep_end, NULL);
    live_free(lv);
    CHECK_EQ(rep_c.n_steps, live_c.n_steps);
    int same = rep_c.n_steps == live_c.n_steps;
    for (int i = 0; same && i < live_c.n_steps; i++)
        same = same_step(&live_c.steps[i], &rep_c.steps[i]);
    CHECK_MSG(same, "replayed steps differ from the live steps");
    CHECK_EQ(rep_end.link.frames, live_end.link.frames);

    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
    return check_exit();
}
