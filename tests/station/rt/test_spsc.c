/*
 * test_spsc.c - single-thread behaviour of the SPSC ring: order, wrap
 * around, full ring drops and counts, zero-copy API, argument checks.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "spsc.h"

struct item {
    uint32_t seq;
    char tag[12];
};

int main(void)
{
    /* invalid arguments */
    CHECK(spsc_new(0, 8) == NULL);
    CHECK(spsc_new(4, 0) == NULL);
    CHECK(spsc_new(4, 1) == NULL);
    CHECK(spsc_new(4, 12) == NULL); /* not a power of two */

    struct spsc *r = spsc_new(sizeof(struct item), 8);
    CHECK(r != NULL);
    CHECK_EQ(spsc_capacity(r), 8);
    CHECK_EQ(spsc_elem_size(r), sizeof(struct item));
    CHECK_EQ(spsc_count(r), 0);
    struct item it;
    CHECK(!spsc_pop(r, &it));
    CHECK(spsc_peek(r) == NULL);

    /* fill exactly to capacity, then one more is refused and counted */
    for (uint32_t i = 0; i < 8; i++) {
        struct item x = {i, "x"};
        CHECK(spsc_push(r, &x));
    }
    CHECK_EQ(spsc_count(r), 8);
    struct item extra = {99, "drop"};
    CHECK(!spsc_push(r, &extra));
    CHECK(!spsc_push(r, &extra));
    CHECK_EQ(spsc_dropped(r), 2);
    CHECK(spsc_push_slot(r) == NULL);

    /* FIFO order; the refused items never appear */
    for (uint32_t i = 0; i < 8; i++) {
        CHECK(spsc_pop(r, &it));
        CHECK_EQ(it.seq, i);
    }
    CHECK(!spsc_pop(r, &it));

    /* many laps around the ring: indices wrap, order and content hold */
    uint32_t next_in = 0, next_out = 0;
    for (int lap = 0; lap < 1000; lap++) {
        int burst = 1 + lap % 8;
        for (int k = 0; k < burst; k++) {
            struct item x = {next_in, ""};
            snprintf(x.tag, sizeof x.tag, "%u", (unsigned)next_in);
            CHECK(spsc_push(r, &x));
            next_in++;
        }
        for (int k = 0; k < burst; k++) {
            CHECK(spsc_pop(r, &it));
            CHECK_EQ(it.seq, next_out);
            char want[12];
            snprintf(want, sizeof want, "%u", (unsigned)next_out);
            CHECK(strcmp(it.tag, want) == 0);
            next_out++;
        }
    }
    CHECK_EQ(spsc_dropped(r), 2);

    /* zero-copy: slot, publish, peek, release */
    struct item *s = spsc_push_slot(r);
    CHECK(s != NULL);
    s->seq = 4242;
    CHECK(spsc_peek(r) == NULL); /* not visible before publish */
    spsc_publish(r);
    const struct item *p = spsc_peek(r);
    CHECK(p != NULL && p->seq == 4242);
    CHECK_EQ(spsc_count(r), 1);
    spsc_release(r);
    CHECK_EQ(spsc_count(r), 0);
    spsc_count_drop(r);
    CHECK_EQ(spsc_dropped(r), 3);
    spsc_free(r);
    spsc_free(NULL);
    return check_exit();
}
