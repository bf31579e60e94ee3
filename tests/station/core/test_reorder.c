/*
 * test_reorder.c - the reorder window of the lossless link (core/reorder.h):
 * in-order release, holes asked for at once and again after retry, the
 * bounded wait, answers of the device (gone, damaged resend, the tail
 * before STOP), duplicates, restarts, jumps beyond the window, flush.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "reorder.h"

#define MS 1000000LL

static const struct reorder_config CFG = {120 * MS, 12 * MS};

static size_t block(uint32_t seq, uint8_t *p)
{
    memset(p, 0, PKT_SAMPLES_HEADER + 24);
    p[0] = (uint8_t)seq;
    p[1] = (uint8_t)(seq >> 8);
    p[2] = (uint8_t)(seq >> 16);
    p[3] = (uint8_t)(seq >> 24);
    p[PKT_SAMPLES_HEADER] = (uint8_t)(seq * 7u); /* a marker in the data */
    return PKT_SAMPLES_HEADER + 24;
}

static void push(struct reorder *r, uint8_t type, uint32_t seq, int64_t t)
{
    uint8_t p[REORDER_PAYLOAD_MAX];
    size_t n = block(seq, p);
    CHECK_EQ(reorder_push(r, type, p, n, 0, t), 0);
}

/* Pop everything ready at t; returns how many, their seqs in out. */
static int pop_all(struct reorder *r, int64_t t, uint32_t *out, int cap)
{
    int n = 0;
    struct reorder_block b;
    while (reorder_pop(r, t, &b) == 1) {
        CHECK_EQ(b.payload[PKT_SAMPLES_HEADER], (uint8_t)(b.seq * 7u));
        if (n < cap)
            out[n] = b.seq;
        n++;
    }
    return n;
}

static void test_in_order(void)
{
    struct reorder *r = reorder_new(&CFG);
    uint32_t out[8];
    for (uint32_t s = 100; s < 110; s++) {
        push(r, PKT_SAMPLES, s, (int64_t)s * 10 * MS);
        CHECK_EQ(pop_all(r, (int64_t)s * 10 * MS, out, 8), 1);
        CHECK_EQ(out[0], s);
    }
    uint32_t f, c;
    CHECK_EQ(reorder_request(r, 2000 * MS, &f, &c), 0);
    CHECK_EQ(reorder_deadline(r), INT64_MAX);
    struct reorder_stats st;
    reorder_get_stats(r, &st);
    CHECK_EQ(st.blocks_out, 10);
    CHECK_EQ(st.held, 0);
    CHECK_EQ(st.lost, 0);
    reorder_free(r);
}

static void test_hole_recovered(void)
{
    struct reorder *r = reorder_new(&CFG);
    uint32_t out[8], f = 0, c = 0;
    push(r, PKT_SAMPLES, 10, 0);
    CHECK_EQ(pop_all(r, 0, out, 8), 1);
    /* 11 and 12 damaged: 13 arrives at 30 ms and waits */
    push(r, PKT_SAMPLES, 13, 30 * MS);
    CHECK_EQ(pop_all(r, 30 * MS, out, 8), 0);
    CHECK_EQ(reorder_open_holes(r), 2);
    CHECK_EQ(reorder_request(r, 30 * MS, &f, &c), 1);
    CHECK_EQ(f, 11);
    CHECK_EQ(c, 2);
    CHECK_EQ(reorder_request(r, 30 * MS, &f, &c), 0); /* asked: not again before retry */
    CHECK_EQ(reorder_deadline(r), 42 * MS);
    /* the resend of 11 arrives, 12's resend is damaged; the ACK says so */
    push(r, PKT_RESENT, 11, 33 * MS);
    CHECK_EQ(pop_all(r, 33 * MS, out, 8), 1);
    CHECK_EQ(out[0], 11);
    reorder_answer(r, true, 11, 2, 30 * MS, 0, 14, 34 * MS);
    CHECK_EQ(reorder_request(r, 34 * MS, &f, &c), 1); /* asked again at once */
    CHECK_EQ(f, 12);
    CHECK_EQ(c, 1);
    push(r, PKT_RESENT, 12, 37 * MS);
    CHECK_EQ(pop_all(r, 37 * MS, out, 8), 2);
    CHECK_EQ(out[0], 12);
    CHECK_EQ(out[1], 13);
    /* a late duplicate of 12 is dropped */
    push(r, PKT_RESENT, 12, 38 * MS);
    CHECK_EQ(pop_all(r, 38 * MS, out, 8), 0);
    struct reorder_stats st;
    reorder_get_stats(r, &st);
    CHECK_EQ(st.recovered, 2);
    CHECK_EQ(st.resent_rx, 3);
    CHECK_EQ(st.duplicates, 1);
    CHECK_EQ(st.requests, 2);
    CHECK_EQ(st.requested, 3);
    CHECK_EQ(st.lost, 0);
    CHECK_EQ(st.max_wait_ns, 7 * MS); /* 13 waited from 30 to 37 ms */
    /* waits of the 4 blocks: 0, 0, 0 (12 came at 37 ms and left at once), 7 ms */
    CHECK_NEAR(reorder_wait_quantile_ms(r, 0.5), 1.0, 1e-9);
    CHECK_NEAR(reorder_wait_quantile_ms(r, 0.99), 8.0, 1e-9);
    reorder_free(r);
}

static void test_retry_and_bound(void)
{
    struct reorder *r = reorder_new(&CFG);
    uint32_t out[8], f, c;
    push(r, PKT_SAMPLES, 0, 0);
    pop_all(r, 0, out, 8);
    push(r, PKT_SAMPLES, 2, 20 * MS); /* 1 missing, seen at 20 ms */
    int asked = 0;
    for (int64_t t = 20 * MS; t < 140 * MS; t += MS) {
        while (reorder_request(r, t, &f, &c) == 1) {
            CHECK_EQ(f, 1);
            asked++;
        }
        CHECK_EQ(pop_all(r, t, out, 8), 0); /* 2 waits for 1 */
    }
    /* asked at 20, 32, 44, ..., 128 ms: every retry_ns while open */
    CHECK_EQ(asked, 10);
    /* deferred (the reader catching up after being descheduled): kept */
    reorder_defer_giveup(r, true);
    CHECK_EQ(pop_all(r, 140 * MS, out, 8), 0);
    reorder_defer_giveup(r, false);
    /* 120 ms after it was seen the hole is given up: 2 leaves */
    CHECK_EQ(pop_all(r, 140 * MS, out, 8), 1);
    CHECK_EQ(out[0], 2);
    struct reorder_stats st;
    reorder_get_stats(r, &st);
    CHECK_EQ(st.lost, 1);
    CHECK_EQ(st.max_wait_ns, 120 * MS); /* the bound */
    /* the resend arriving after the give-up is a duplicate, not a restart */
    push(r, PKT_RESENT, 1, 150 * MS);
    CHECK_EQ(pop_all(r, 150 * MS, out, 8), 0);
    reorder_get_stats(r, &st);
    CHECK_EQ(st.duplicates, 1);
    CHECK_EQ(st.restarts, 0);
    reorder_free(r);
}

static void test_gone_and_tail(void)
{
    struct reorder *r = reorder_new(&CFG);
    uint32_t out[80], f, c;
    push(r, PKT_SAMPLES, 1000, 0);
    pop_all(r, 0, out, 80);
    /* a stall: 40 blocks refused on the device; 1041 arrives */
    push(r, PKT_SAMPLES, 1041, 500 * MS);
    CHECK_EQ(reorder_request(r, 500 * MS, &f, &c), 1);
    CHECK_EQ(f, 1001);
    CHECK_EQ(c, 40);
    /* the device holds 1017.. only: resends 1017..1040, ACK_GONE */
    for (uint32_t s = 1017; s <= 1040; s++)
        push(r, PKT_RESENT, s, 503 * MS);
    reorder_answer(r, true, 1001, 40, 500 * MS, 1017, 1042, 504 * MS);
    int n = pop_all(r, 504 * MS, out, 80);
    CHECK_EQ(n, 25); /* 1017..1041 at once: no waiting for what will never come */
    CHECK_EQ(out[0], 1017);
    CHECK_EQ(out[24], 1041);
    struct reorder_stats st;
    reorder_get_stats(r, &st);
    CHECK_EQ(st.lost, 16);
    CHECK_EQ(st.lost_gone, 16);
    CHECK_EQ(st.recovered, 24);
    uint32_t nx = 0;
    CHECK(reorder_next_expected(r, &nx));
    CHECK_EQ(nx, 1042);
    /* the tail before STOP: 1042 and 1043 built but damaged; STOP's ACK
     * says next = 1044: they become holes and are asked for */
    reorder_answer(r, false, 0, 0, 0, 1019, 1044, 600 * MS);
    CHECK_EQ(reorder_open_holes(r), 2);
    CHECK_EQ(reorder_request(r, 600 * MS, &f, &c), 1);
    CHECK_EQ(f, 1042);
    CHECK_EQ(c, 2);
    push(r, PKT_RESENT, 1042, 602 * MS);
    push(r, PKT_RESENT, 1043, 602 * MS);
    CHECK_EQ(pop_all(r, 602 * MS, out, 80), 2);
    reorder_free(r);
}

static void test_restart_jump_flush(void)
{
    struct reorder *r = reorder_new(&CFG);
    uint32_t out[80], f, c;
    push(r, PKT_SAMPLES, 500, 0);
    push(r, PKT_SAMPLES, 502, 10 * MS); /* hole 501, 502 held */
    CHECK_EQ(pop_all(r, 10 * MS, out, 80), 1);
    /* the device reboots: seq 0 releases 502 (501 given up), then 0 */
    push(r, PKT_SAMPLES, 0, 20 * MS);
    CHECK_EQ(pop_all(r, 20 * MS, out, 80), 2);
    CHECK_EQ(out[0], 502);
    CHECK_EQ(out[1], 0);
    struct reorder_stats st;
    reorder_get_stats(r, &st);
    CHECK_EQ(st.restarts, 1);
    CHECK_EQ(st.lost, 1);
    /* a jump of 200 blocks (a long stall): the window keeps the last
     * REORDER_SLOTS, the older ones are given up without asking */
    push(r, PKT_SAMPLES, 200, 30 * MS);
    CHECK_EQ(reorder_open_holes(r), REORDER_SLOTS - 1);
    CHECK_EQ(reorder_request(r, 30 * MS, &f, &c), 1);
    CHECK_EQ(f, 200 - REORDER_SLOTS + 1);
    CHECK_EQ(c, PKT_RESEND_MAX < REORDER_SLOTS - 1 ? PKT_RESEND_MAX : REORDER_SLOTS - 1);
    /* link lost: flush gives up every hole and releases 200 */
    reorder_flush(r);
    CHECK_EQ(pop_all(r, 31 * MS, out, 80), 1);
    CHECK_EQ(out[0], 200);
    CHECK_EQ(reorder_open_holes(r), 0);
    reorder_get_stats(r, &st);
    CHECK_EQ(st.lost, 1 + 199);
    /* far behind (> REORDER_LATE_SPAN): a restart, not a duplicate */
    push(r, PKT_SAMPLES, 200 - REORDER_LATE_SPAN - 10, 40 * MS);
    CHECK_EQ(pop_all(r, 40 * MS, out, 80), 1);
    reorder_get_stats(r, &st);
    CHECK_EQ(st.restarts, 2);
    reorder_free(r);
}

/* The retry timeout follows the round trip (RFC 6298), never below
 * retry_ns; an old request's answer does not re-ask a hole asked since. */
static void test_adaptive_retry(void)
{
    struct reorder *r = reorder_new(&CFG);
    uint32_t out[4], f, c;
    CHECK_EQ(reorder_retry_ns(r), 12 * MS);
    reorder_rtt_sample(r, 2 * MS); /* fast link: the floor holds */
    CHECK_EQ(reorder_retry_ns(r), 12 * MS);
    for (int i = 0; i < 20; i++)
        reorder_rtt_sample(r, 30 * MS); /* a slow link: about 30 ms + 4 x spread */
    CHECK_EQ(reorder_retry_ns(r), 30 * MS); /* 42.9 ms, capped at hold / 4 */
    push(r, PKT_SAMPLES, 0, 0);
    push(r, PKT_SAMPLES, 2, 10 * MS);
    CHECK_EQ(reorder_request(r, 10 * MS, &f, &c), 1);
    CHECK_EQ(reorder_request(r, 25 * MS, &f, &c), 0); /* not before the timeout */
    int64_t t2 = 10 * MS + reorder_retry_ns(r);
    CHECK_EQ(reorder_request(r, t2, &f, &c), 1);        /* asked again at t2 */
    reorder_answer(r, true, 1, 1, 10 * MS, 0, 3, t2 + MS); /* the first request's ACK */
    CHECK_EQ(reorder_request(r, t2 + MS, &f, &c), 0);    /* the newer one is on its way */
    reorder_answer(r, true, 1, 1, t2, 0, 3, t2 + 2 * MS); /* its own ACK: resend damaged */
    CHECK_EQ(reorder_request(r, t2 + 2 * MS, &f, &c), 1);
    push(r, PKT_RESENT, 1, t2 + 3 * MS);
    CHECK_EQ(pop_all(r, t2 + 3 * MS, out, 4), 3);
    reorder_free(r);
}

static void test_hostile(void)
{
    struct reorder_config bad = {0, 12 * MS};
    CHECK(reorder_new(&bad) == NULL);
    CHECK(reorder_new(NULL) == NULL);
    struct reorder *r = reorder_new(&CFG);
    uint32_t nx;
    CHECK(!reorder_next_expected(r, &nx));
    uint8_t p[REORDER_PAYLOAD_MAX + 1];
    memset(p, 0, sizeof p);
    CHECK_EQ(reorder_push(r, PKT_SAMPLES, p, 3, 0, 0), -1);
    CHECK_EQ(reorder_push(r, PKT_SAMPLES, p, sizeof p, 0, 0), -1);
    CHECK_EQ(reorder_push(r, PKT_STATUS, p, 20, 0, 0), -1);
    /* answers before any block, and answers with nonsense, change nothing */
    reorder_answer(r, true, 5, 64, 0, 0xFFFFFFFFu, 3, 0);
    CHECK_EQ(reorder_open_holes(r), 0);
    push(r, PKT_SAMPLES, 7, 0);
    reorder_answer(r, false, 0, 0, 0, 0, 0x80000000u, 0); /* next far away: ignored */
    CHECK_EQ(reorder_open_holes(r), 0);
    uint32_t out[4];
    CHECK_EQ(pop_all(r, 0, out, 4), 1);
    reorder_free(r);
}

int main(void)
{
    test_in_order();
    test_hole_recovered();
    test_retry_and_bound();
    test_gone_and_tail();
    test_restart_jump_flush();
    test_adaptive_retry();
    test_hostile();
    return check_exit();
}
