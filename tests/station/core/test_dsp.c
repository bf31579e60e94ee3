/*
 * test_dsp.c - the DSP object (core/dsp.h) on a synthetic byte stream:
 * records of SAMPLES payloads of a known runner (dsp_stream.h), 1 kHz,
 * 10-sample blocks, host time = sensor time.
 *
 *   clean 30 s: steps, cadence, no gap;
 *   a sequence gap (5 blocks lost at 10 s): lost_blocks, one gap, the GAP
 *   event where the data resume, no step across it;
 *   a sensor restart at 20 s (sequence and sensor clock back to 0, 0.5 s
 *   of host silence): one restart, one gap, session time continues from the
 *   host clock, steps after it;
 *   determinism: the same records twice give the same outputs byte for
 *   byte; STATUS/LINE once per second of session time; cap checked.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dsp.h"
#include "dsp_stream.h"
#include "gc_error.h"

#define MAX_OUT 20000

struct run {
    struct dsp *d;
    struct dsp_out *buf;     /* DSP_OUT_MAX, one call */
    struct dsp_out *all;     /* every output, in order */
    size_t n_all;
    double last_sample_s;    /* session time after the last feed */
};

static void run_init(struct run *r, double seconds)
{
    struct dsp_config cfg;
    memset(&cfg, 0, sizeof cfg);
    stream_hello(&cfg.hello);
    CHECK(deck_cal_nominal(&cfg.hello, &cfg.cal) == 0);
    cfg.mass_kg = 70.0;
    cfg.seconds = seconds;
    int err = 1;
    r->d = dsp_new(&cfg, &err);
    CHECK(r->d != NULL);
    CHECK_EQ(err, GC_OK);
    r->buf = malloc(DSP_OUT_MAX * sizeof *r->buf);
    r->all = malloc(MAX_OUT * sizeof *r->all);
    r->n_all = 0;
}

static void run_free(struct run *r)
{
    dsp_free(r->d);
    free(r->buf);
    free(r->all);
}

static void keep(struct run *r, int n)
{
    CHECK(n >= 0 && n <= (int)DSP_OUT_MAX);
    for (int i = 0; i < n && r->n_all < MAX_OUT; i++)
        r->all[r->n_all++] = r->buf[i];
}

static void feed_block(struct run *r, uint32_t seq, uint64_t t_us, double t_runner_s,
                       int64_t t_host_ns)
{
    uint8_t p[PKT_SAMPLES_HEADER + PKT_MAX_BLOCK * PKT_SAMPLE_BYTES];
    size_t len = stream_block(seq, t_us, t_runner_s, STREAM_RATE_HZ, p, sizeof p);
    CHECK(len > 0);
    struct dsp_record rec = {DSP_REC_FRAME, PKT_SAMPLES, 0, t_host_ns, p, len};
    keep(r, dsp_feed(r->d, &rec, r->buf, DSP_OUT_MAX));
}

static void finish(struct run *r)
{
    keep(r, dsp_finish(r->d, r->buf, DSP_OUT_MAX));
}

/* The scripted stream: 30 s of runner time; blocks 1000..1004 (10.00 -
 * 10.05 s) lost; at runner time 20.0 s the sensor reboots: 0.5 s of
 * runner time without data, then sequence 0 and sensor time 0 again. */
#define LOST_FROM   1000u
#define LOST_N      5u
#define REBOOT_S    20.0
#define REBOOT_OFF_S 0.5
static void feed_script(struct run *r, bool with_faults)
{
    uint32_t n_blocks = (uint32_t)(30.0 * STREAM_RATE_HZ / STREAM_BLOCK);
    uint32_t reboot_block = (uint32_t)(REBOOT_S * STREAM_RATE_HZ / STREAM_BLOCK);
    uint32_t seq = 0;
    for (uint32_t k = 0; k < n_blocks; k++) {
        double t_run = k * (double)STREAM_BLOCK / STREAM_RATE_HZ;
        /* 10 ms after the block's first sample: when its last one arrived */
        int64_t host_ns = (int64_t)llround((t_run + 0.010) * 1e9) + 1000000000LL;
        uint64_t t_us = (uint64_t)k * STREAM_BLOCK * 1000u + 5000000u; /* booted 5 s before */
        if (with_faults) {
            if (k >= LOST_FROM && k < LOST_FROM + LOST_N) {
                seq++;
                continue;
            }
            if (k >= reboot_block) {
                double after = t_run - REBOOT_S;
                if (after < REBOOT_OFF_S)
                    continue; /* booting: no data */
                uint32_t kk = k - reboot_block - (uint32_t)(REBOOT_OFF_S * 100);
                if (kk == 0)
                    seq = 0;
                t_us = (uint64_t)kk * STREAM_BLOCK * 1000u;
            }
        }
        feed_block(r, seq++, t_us, t_run, host_ns);
    }
    finish(r);
}

static int count_kind(const struct run *r, enum dsp_out_kind k, int ev)
{
    int n = 0;
    for (size_t i = 0; i < r->n_all; i++)
        if (r->all[i].kind == k && (ev == 0 || (int)r->all[i].ev.kind == ev))
            n++;
    return n;
}

static void test_clean(void)
{
    struct run r;
    run_init(&r, 0);
    feed_script(&r, false);
    struct dsp_state st;
    dsp_get_state(r.d, &st);
    /* 30 s / 0.35 s = 85.7 contacts; the first needs a flight before it
     * and the last may be cut by the end: 84..86 steps. */
    int steps = count_kind(&r, DSP_OUT_EVENT, GAIT_EV_STEP);
    CHECK(steps >= 84 && steps <= 86);
    CHECK_EQ(st.gait.steps, steps);
    CHECK_EQ(st.link.gaps, 0);
    CHECK_EQ(st.link.lost_blocks, 0);
    CHECK_EQ(st.link.restarts, 0);
    CHECK_EQ(st.link.bad_blocks, 0);
    CHECK_EQ(st.link.blocks, 3000);
    CHECK_EQ(st.link.samples, 30000);
    CHECK_EQ(count_kind(&r, DSP_OUT_EVENT, GAIT_EV_GAP), 0);
    /* Session time starts at the first sample: last sample 29.999 s. */
    CHECK_NEAR(st.t_session_s, 29.999, 1e-9);
    /* Per-step cadence: exact period in the signal, 0.1 step/min covers the
     * 1 ms sampling of IC. */
    CHECK_NEAR(st.gait.cadence_step_spm, STREAM_SPM, 0.1);
    /* One status and one per-second line for each second 1..29 of session
     * time (the tick is at the first sample past each whole second). */
    CHECK_EQ(count_kind(&r, DSP_OUT_STATUS, 0), 29);
    CHECK_EQ(count_kind(&r, DSP_OUT_LINE, 0), 29);
    CHECK_EQ(st.link_state, DSP_LINK_ENDED);
    run_free(&r);
}

static void test_gap_and_restart(void)
{
    struct run r;
    run_init(&r, 0);
    feed_script(&r, true);
    struct dsp_state st;
    dsp_get_state(r.d, &st);
    CHECK_EQ(st.link.lost_blocks, LOST_N);
    CHECK_EQ(st.link.lost_samples, LOST_N * STREAM_BLOCK);
    CHECK_EQ(st.link.restarts, 1);
    CHECK_EQ(st.link.gaps, 2);
    CHECK_EQ(st.link.bad_blocks, 0);
    CHECK_EQ(count_kind(&r, DSP_OUT_EVENT, GAIT_EV_GAP), 2);

    /* The GAP events: where the data resumed, in session time.  Sequence
     * gap: the first block after the loss starts at 10.05 s.  Restart: the
     * timeline continues from the host clock; the host saw nothing from
     * the block ending at 20.0 s to the block ending at 20.51 s, less the
     * block's own 10 ms: 0.5 s, so data resume at 19.999 + 0.5 s. */
    double gap_t[2] = {NAN, NAN};
    int k = 0;
    for (size_t i = 0; i < r.n_all; i++)
        if (r.all[i].kind == DSP_OUT_EVENT && r.all[i].ev.kind == GAIT_EV_GAP && k < 2)
            gap_t[k++] = r.all[i].ev.t_s;
    CHECK_NEAR(gap_t[0], 10.05, 1e-9);
    CHECK_NEAR(gap_t[1], 19.999 + 0.5, 1e-6);
    /* After the restart session time = runner time - 1 ms (the restart
     * places the first sample 0.5 s after the last one before, which was
     * at runner time 19.999 s, not 20.0 s): the last sample at 29.998 s. */
    CHECK_NEAR(st.t_session_s, 29.998, 1e-6);

    /* Notices: the restart is said (the 50 ms loss is not: under 0.1 s
     * while streaming). */
    int restarted = 0, lost = 0;
    for (size_t i = 0; i < r.n_all; i++) {
        if (r.all[i].kind != DSP_OUT_LINE)
            continue;
        if (strstr(r.all[i].line, "sensor restarted (sequence 0); gap of 0.50 s marked"))
            restarted++;
        if (strstr(r.all[i].line, "of data lost"))
            lost++;
    }
    CHECK_EQ(restarted, 1);
    CHECK_EQ(lost, 0);

    /* No step spans a gap; steps go on after the restart; event times
     * never go back. */
    int after_restart = 0;
    double t_prev = -1;
    for (size_t i = 0; i < r.n_all; i++) {
        if (r.all[i].kind != DSP_OUT_EVENT)
            continue;
        const struct gait_event *e = &r.all[i].ev;
        CHECK(e->t_s >= t_prev - 0.35); /* CONTACT/LOADING carry earlier IC times */
        if (e->kind != GAIT_EV_STEP)
            continue;
        t_prev = e->t_s;
        for (int g = 0; g < 2; g++)
            CHECK(!(e->step.t_ic_s < gap_t[g] && e->step.t_to_s > gap_t[g] - 0.06));
        if (e->step.t_ic_s > gap_t[1])
            after_restart++;
    }
    /* 9.5 s of data after the restart at 0.35 s a step: 26..27 contacts,
     * the first one needs a flight before it. */
    CHECK(after_restart >= 25 && after_restart <= 27);
    run_free(&r);
}

static void test_deterministic(void)
{
    struct run a, b;
    run_init(&a, 0);
    run_init(&b, 0);
    feed_script(&a, true);
    feed_script(&b, true);
    CHECK_EQ(a.n_all, b.n_all);
    int same = a.n_all == b.n_all;
    for (size_t i = 0; same && i < a.n_all; i++) {
        const struct dsp_out *x = &a.all[i], *y = &b.all[i];
        same = x->kind == y->kind && x->t_rx_ns == y->t_rx_ns;
        if (same && x->kind == DSP_OUT_EVENT)
            same = memcmp(&x->ev.step, &y->ev.step, sizeof x->ev.step) == 0 &&
                   x->ev.t_s == y->ev.t_s;
        if (same && x->kind == DSP_OUT_LINE)
            same = strcmp(x->line, y->line) == 0;
    }
    CHECK(same);
    run_free(&a);
    run_free(&b);
}

static void test_seconds_and_args(void)
{
    struct run r;
    run_init(&r, 12.0);
    feed_script(&r, false);
    struct dsp_state st;
    dsp_get_state(r.d, &st);
    CHECK(dsp_ended(r.d));
    /* Ends at the first block reaching 12 s: its last sample 12.009 s. */
    CHECK_NEAR(st.t_session_s, 12.009, 1e-9);
    CHECK_EQ(st.link.blocks, 1201);
    /* A buffer smaller than DSP_OUT_MAX is refused, not overrun. */
    uint8_t p[8] = {0};
    struct dsp_record rec = {DSP_REC_FRAME, PKT_SAMPLES, 0, 0, p, sizeof p};
    CHECK_EQ(dsp_feed(r.d, &rec, r.buf, DSP_OUT_MAX - 1), GC_ERR_ARG);
    run_free(&r);

    struct dsp_config cfg;
    memset(&cfg, 0, sizeof cfg);
    int err = 0;
    CHECK(dsp_new(&cfg, &err) == NULL); /* rate 0 */
    CHECK_EQ(err, GC_ERR_ARG);
}

int main(void)
{
    test_clean();
    test_gap_and_restart();
    test_deterministic();
    test_seconds_and_args();
    return check_exit();
}
