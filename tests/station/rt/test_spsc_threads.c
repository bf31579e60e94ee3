/*
 * test_spsc_threads.c - the SPSC ring across two threads (label "threads":
 * CI runs it under ThreadSanitizer too).
 *
 * 1. Lossless: the producer retries when full; the consumer must see every
 *    sequence number exactly once, in order, with an intact payload.
 * 2. Lossy: the producer never retries (the live reader's behaviour); the
 *    consumer must see a strictly increasing subsequence, and
 *    received + dropped must equal produced exactly.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "spsc.h"

#define N_ITEMS 500000u

struct item {
    uint64_t seq;
    uint64_t payload[6]; /* payload[i] = seq * (i + 1): detects torn copies */
};

struct ctx {
    struct spsc *r;
    int lossy;
    uint64_t refused_data;   /* pushes of data items the ring refused */
    uint64_t refused_marker; /* refusals of the end marker (retried) */
};

static void *producer(void *arg)
{
    struct ctx *c = arg;
    for (uint64_t i = 0; i < N_ITEMS; i++) {
        struct item x;
        x.seq = i;
        for (int k = 0; k < 6; k++)
            x.payload[k] = i * (uint64_t)(k + 1);
        if (c->lossy) {
            if (!spsc_push(c->r, &x))
                c->refused_data++;
            if ((i & 1023u) == 0)
                sched_yield();
        } else {
            while (!spsc_push(c->r, &x)) {
                c->refused_marker++; /* counted as drops by the ring, too */
                sched_yield();
            }
        }
    }
    /* end marker: always delivered */
    struct item end;
    memset(&end, 0xff, sizeof end);
    while (!spsc_push(c->r, &end)) {
        c->refused_marker++;
        sched_yield();
    }
    return NULL;
}

static void run(int lossy)
{
    struct ctx c = {spsc_new(sizeof(struct item), 256), lossy, 0, 0};
    CHECK(c.r != NULL);
    pthread_t th;
    CHECK(pthread_create(&th, NULL, producer, &c) == 0);
    uint64_t got = 0, expect = 0, torn = 0, out_of_order = 0;
    int64_t last = -1;
    for (;;) {
        struct item x;
        if (!spsc_pop(c.r, &x)) {
            sched_yield();
            continue;
        }
        if (x.seq == UINT64_MAX)
            break;
        for (int k = 0; k < 6; k++)
            if (x.payload[k] != x.seq * (uint64_t)(k + 1))
                torn++;
        if (lossy) {
            if ((int64_t)x.seq <= last)
                out_of_order++;
        } else if (x.seq != expect) {
            out_of_order++;
        }
        last = (int64_t)x.seq;
        expect = x.seq + 1;
        got++;
    }
    pthread_join(th, NULL);
    CHECK_EQ(torn, 0);
    CHECK_EQ(out_of_order, 0);
    /* Every refusal is counted by the ring: exact accounting. */
    CHECK_EQ(spsc_dropped(c.r), c.refused_data + c.refused_marker);
    CHECK_EQ(got + c.refused_data, N_ITEMS);
    if (!lossy)
        CHECK_EQ(got, N_ITEMS);
    spsc_free(c.r);
}

int main(void)
{
    run(0);
    run(1);
    return check_exit();
}
