/*
 * test_sampq.c - the board's ISR -> main loop sample queue (pure C11, so it
 * runs on the host): FIFO order, full refusal, reset, wrap-around of the
 * free-running indices.
 */
#include "check.h"
#include "sampq.h"

static struct sampq_entry entry(uint32_t k)
{
    struct sampq_entry e = {0};
    e.k = k;
    e.s.cell[0] = (int32_t)k * 3;
    e.s.imu[5] = (int16_t)(k & 0x7FFF);
    return e;
}

int main(void)
{
    struct sampq_entry e;
    sampq_reset();
    CHECK(sampq_empty());
    CHECK(!sampq_pop(&e));

    for (uint32_t k = 0; k < SAMPQ_LEN; k++) {
        struct sampq_entry in = entry(k);
        CHECK(sampq_push(&in));
    }
    CHECK(sampq_full());
    struct sampq_entry extra = entry(999);
    CHECK(!sampq_push(&extra)); /* full: refused, nothing overwritten */
    for (uint32_t k = 0; k < SAMPQ_LEN; k++) {
        CHECK(sampq_pop(&e));
        CHECK_EQ(e.k, k);
        CHECK_EQ(e.s.cell[0], (int32_t)k * 3);
    }
    CHECK(sampq_empty());

    /* Many laps of the ring in small batches: order survives the wrap. */
    uint32_t next_in = 0, next_out = 0;
    for (int lap = 0; lap < 1000; lap++) {
        for (int i = 0; i < 7; i++) {
            struct sampq_entry in = entry(next_in++);
            CHECK(sampq_push(&in));
        }
        for (int i = 0; i < 7; i++) {
            CHECK(sampq_pop(&e));
            CHECK_EQ(e.k, next_out);
            CHECK_EQ(e.s.imu[5], (int16_t)(next_out & 0x7FFF));
            next_out++;
        }
    }

    struct sampq_entry in = entry(1);
    CHECK(sampq_push(&in));
    sampq_reset();
    CHECK(sampq_empty());
    return check_exit();
}
