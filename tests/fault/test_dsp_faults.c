/*
 * test_dsp_faults.c - blocks with a valid CRC but impossible contents
 * (issue 13 item 14): one block with a sensor time near 2^64 us used to
 * jump session time to 18446744073709 s and end a session with --seconds at
 * once; a block at 1 Hz did the same.  The DSP object now leaves such a
 * block out (counted in link.bad_blocks), the hole is an ordinary gap, and
 * the session goes on to its real end.  A sensor clock that really jumps
 * (two blocks agree on the new time) restarts the timeline instead.
 *
 * Stream: dsp_stream.h (synthetic runner, 1 kHz, 10-sample blocks, host
 * time = sensor time).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp_stream.h"
#include "check.h"
#include "dsp.h"
#include "gc_error.h"

#define N_BLOCKS 3000u /* 30 s */

enum fault { F_NONE, F_HUGE_TIME, F_RATE_1HZ, F_TIME_ZERO, F_CLOCK_JUMP };

struct result {
    struct dsp_state st;
    int steps, gap_events;
    int lines_with_huge; /* lines with an impossible session time */
    int not_analysed;    /* notices saying a block was not analysed */
    double max_event_t_s;
    uint32_t blocks_fed_before_end;
    bool ended;
};

static enum fault fault_at(const enum fault *plan, uint32_t k)
{
    switch (k) {
    case 500:
        return plan[0];
    case 800:
        return plan[1];
    case 1100:
        return plan[2];
    default:
        return F_NONE;
    }
}

static void run(const enum fault plan[3], bool clock_jump_at_1500, double seconds,
                struct result *res)
{
    memset(res, 0, sizeof *res);
    struct dsp_config cfg;
    memset(&cfg, 0, sizeof cfg);
    stream_hello(&cfg.hello);
    CHECK(deck_cal_nominal(&cfg.hello, &cfg.cal) == 0);
    cfg.mass_kg = 70.0;
    cfg.seconds = seconds;
    int err = 0;
    struct dsp *d = dsp_new(&cfg, &err);
    struct dsp_out *out = malloc(DSP_OUT_MAX * sizeof *out);
    CHECK(d != NULL && out != NULL);
    if (d == NULL || out == NULL)
        return;
    uint8_t p[PKT_SAMPLES_HEADER + PKT_MAX_BLOCK * PKT_SAMPLE_BYTES];
    for (uint32_t k = 0; k < N_BLOCKS && !dsp_ended(d); k++) {
        double t_run = k * 0.010;
        int64_t host_ns = (int64_t)llround((t_run + 0.010) * 1e9) + 1000000000LL;
        uint64_t t_us = 2000000u + (uint64_t)k * 10000u;
        uint16_t rate = STREAM_RATE_HZ;
        switch (fault_at(plan, k)) {
        case F_HUGE_TIME:
            t_us = UINT64_MAX - 4000u; /* the "18446744073709.0 s" of the report */
            break;
        case F_RATE_1HZ:
            rate = 1;
            break;
        case F_TIME_ZERO:
            t_us = 0;
            break;
        default:
            break;
        }
        if (clock_jump_at_1500 && k >= 1500)
            t_us += 1000000000u; /* +1000 s, and it stays */
        size_t len = stream_block(k, t_us, t_run, rate, p, sizeof p);
        CHECK(len > 0);
        struct dsp_record rec = {DSP_REC_FRAME, PKT_SAMPLES, 0, host_ns, p, len};
        int n = dsp_feed(d, &rec, out, DSP_OUT_MAX);
        CHECK(n >= 0);
        res->blocks_fed_before_end = k + 1;
        for (int i = 0; i < n; i++) {
            /* Every line starts "t=<session time> s": none may be beyond
             * the session's real length, none may show the 2^64 us time. */
            double t_line = NAN;
            if (out[i].kind == DSP_OUT_LINE &&
                (strstr(out[i].line, "18446744") || sscanf(out[i].line, "t=%lf", &t_line) != 1 ||
                 !(t_line <= 30.0)))
                res->lines_with_huge++;
            if (out[i].kind == DSP_OUT_LINE && strstr(out[i].line, "was not analysed"))
                res->not_analysed++;
            if (out[i].kind != DSP_OUT_EVENT)
                continue;
            res->max_event_t_s = fmax(res->max_event_t_s, out[i].ev.t_s);
            if (out[i].ev.kind == GAIT_EV_STEP)
                res->steps++;
            if (out[i].ev.kind == GAIT_EV_GAP)
                res->gap_events++;
        }
    }
    res->ended = dsp_ended(d);
    int n = dsp_finish(d, out, DSP_OUT_MAX);
    for (int i = 0; i < n; i++)
        if (out[i].kind == DSP_OUT_EVENT && out[i].ev.kind == GAIT_EV_STEP)
            res->steps++;
    dsp_get_state(d, &res->st);
    dsp_free(d);
    free(out);
}

static void test_impossible_blocks(void)
{
    struct result clean, bad;
    const enum fault none[3] = {F_NONE, F_NONE, F_NONE};
    const enum fault faults[3] = {F_HUGE_TIME, F_RATE_1HZ, F_TIME_ZERO};
    run(none, false, 25.0, &clean);
    run(faults, false, 25.0, &bad);

    /* The session ends where the clean one does: at the block reaching
     * 25 s of session time (block 2500, last sample 25.009 s). */
    CHECK(clean.ended);
    CHECK(bad.ended);
    CHECK_EQ(bad.blocks_fed_before_end, 2501);
    CHECK_EQ(clean.blocks_fed_before_end, 2501);
    CHECK_NEAR(bad.st.t_session_s, 25.009, 1e-9);
    CHECK(bad.max_event_t_s <= 25.01);
    CHECK_EQ(bad.lines_with_huge, 0);
    CHECK_EQ(bad.not_analysed, 3); /* each one said */
    CHECK_EQ(clean.not_analysed, 0);

    /* Each impossible block is counted, not analysed, and leaves one
     * 10-ms hole: a gap marked at the next block; no restart. */
    CHECK_EQ(bad.st.link.bad_blocks, 3);
    CHECK_EQ(bad.st.link.restarts, 0);
    CHECK_EQ(bad.st.link.gaps, 3);
    CHECK_EQ(bad.gap_events, 3);
    CHECK_EQ(bad.st.link.lost_blocks, 3);
    CHECK_EQ(bad.st.link.samples, clean.st.link.samples - 3 * STREAM_BLOCK);
    CHECK_EQ(clean.st.link.bad_blocks, 0);
    /* A 10 ms hole can cost the contact it falls in (at most one step
     * each), nothing more. */
    CHECK(bad.steps >= clean.steps - 3 && bad.steps <= clean.steps);
    CHECK(clean.steps >= 69); /* 25 s at 0.35 s a step */
}

static void test_real_clock_jump(void)
{
    /* Sensor time jumps by 1000 s at block 1500 and stays there: the first
     * block is left out, the second agrees with it, so the timeline
     * restarts from the host clock (session time stays continuous). */
    struct result r;
    const enum fault none[3] = {F_NONE, F_NONE, F_NONE};
    run(none, true, 0.0, &r);
    CHECK(!r.ended);
    CHECK_EQ(r.st.link.bad_blocks, 1);
    CHECK_EQ(r.st.link.restarts, 1);
    CHECK_EQ(r.st.link.gaps, 1);
    CHECK_EQ(r.st.link.blocks, N_BLOCKS - 1);
    /* Restart: data resume 20 ms (host) - 10 ms (block) = 10 ms after the
     * last sample at 14.999 s, i.e. 1 ms before runner time, to the end. */
    CHECK_NEAR(r.st.t_session_s, 29.998, 1e-6);
    CHECK(r.max_event_t_s < 30.0);
}

int main(void)
{
    test_impossible_blocks();
    test_real_clock_jump();
    return check_exit();
}
