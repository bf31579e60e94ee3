/*
 * main.c - the emulated sensor unit for QEMU 7.2 -M netduinoplus2.
 *
 * Everything is the real board's code (startup, clock tree attempt, TIM2
 * time base, USART1 rings, watchdog, fault record, main loop, firmware
 * core) except the sample source: a table in SRAM (table.h) played at the
 * requested rate, paced from the SysTick heartbeat.  The pacing computes
 * how many samples are due at t0 + k * period and emits all of them, so a
 * host that deschedules QEMU for a while delays samples but never loses or
 * re-times them.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "frame.h"
#include "sampq.h"
#include "table.h"

/* QEMU 7.2 netduinoplus2 clocks: the machine fixes SYSCLK at 168 MHz
 * (SysTick counts it) and the STM32F2xx timer model counts at 1 GHz
 * before the prescaler, whatever the RCC registers say. */
/* Resend ring of the emulated image: what its 24 KB RAM leaves (see main). */
#define QEMU_RESEND_SLOTS 25u

static const struct board_emulated_clocks qemu_clocks = {
    .sysclk_hz = 168000000u,
    .tim_hz = 1000000000u,
    .apb2_hz = 84000000u,
};

/* At most this many samples per tick while catching up: bounds the time
 * spent in the handler (the sample queue bounds it too). */
#define MAX_SAMPLES_PER_TICK 32u
/* TABLE_FLAG_FAULT_TEST fires this long after START. */
#define FAULT_TEST_DELAY_MS 200u

extern uint8_t _table_start[], _table_size[]; /* qemu.ld */

static struct {
    bool valid;
    uint32_t rate_hz, count, flags, stride, data_crc;
    const uint8_t *data;
} tab;

/* Run state: written by the main loop while `running` is false, read by the
 * SysTick handler. */
static volatile bool running;
static uint32_t run_rate_hz;
static uint32_t next_k;
static uint64_t run_t0_us;
static bool fault_test_armed;

static uint32_t rd_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t rd_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static int32_t rd_i24(const uint8_t *p)
{
    return pkt_sign_extend24((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16);
}

static void table_load(void)
{
    const uint8_t *h = _table_start;
    uint32_t region = (uint32_t)(uintptr_t)_table_size;
    memset(&tab, 0, sizeof tab);
    if (rd_u32(h) != TABLE_MAGIC || rd_u16(h + 4) != TABLE_VERSION ||
        rd_u16(h + 6) != TABLE_HEADER_BYTES || frame_crc32(h, 28) != rd_u32(h + 28))
        return;
    uint32_t rate = rd_u32(h + 8), count = rd_u32(h + 12), flags = rd_u32(h + 16);
    uint32_t stride = rd_u32(h + 20);
    uint32_t want_stride = (flags & TABLE_FLAG_IMU) ? TABLE_STRIDE_IMU : TABLE_STRIDE_CELLS;
    if (rate == 0 || rate > 100000u || count == 0 || stride != want_stride)
        return;
    if (count > (region - TABLE_HEADER_BYTES) / stride)
        return;
    if (frame_crc32(h + TABLE_HEADER_BYTES, (size_t)count * stride) != rd_u32(h + 24))
        return;
    tab.rate_hz = rate;
    tab.count = count;
    tab.flags = flags;
    tab.stride = stride;
    tab.data_crc = rd_u32(h + 24);
    tab.data = h + TABLE_HEADER_BYTES;
    tab.valid = true;
}

/* a + (b - a) * num / den, in 64-bit so 24-bit counts cannot overflow. */
static int32_t lerp(int32_t a, int32_t b, uint32_t num, uint32_t den)
{
    return (int32_t)((int64_t)a + ((int64_t)b - a) * (int64_t)num / (int64_t)den);
}

/* Sample k of the run; false past the end of a non-looping table. */
static bool table_sample(uint32_t k, struct pkt_sample *s)
{
    uint64_t pos = (uint64_t)k * tab.rate_hz; /* table position x run_rate_hz */
    uint64_t idx = pos / run_rate_hz;
    uint32_t frac = (uint32_t)(pos % run_rate_hz);
    bool loop = (tab.flags & TABLE_FLAG_LOOP) != 0;
    if (!loop && idx >= tab.count)
        return false;
    uint32_t i0 = (uint32_t)(idx % tab.count);
    uint32_t i1 = i0 + 1u < tab.count ? i0 + 1u : (loop ? 0u : i0);
    const uint8_t *a = tab.data + (size_t)i0 * tab.stride;
    const uint8_t *b = tab.data + (size_t)i1 * tab.stride;
    for (unsigned c = 0; c < PKT_CELLS; c++)
        s->cell[c] = lerp(rd_i24(a + 3 * c), rd_i24(b + 3 * c), frac, run_rate_hz);
    for (unsigned c = 0; c < PKT_IMU; c++) {
        if (tab.flags & TABLE_FLAG_IMU) {
            const uint8_t *pa = a + TABLE_STRIDE_CELLS + 2 * c;
            const uint8_t *pb = b + TABLE_STRIDE_CELLS + 2 * c;
            s->imu[c] = (int16_t)lerp((int16_t)rd_u16(pa), (int16_t)rd_u16(pb), frac, run_rate_hz);
        } else {
            s->imu[c] = 0;
        }
    }
    return true;
}

static int src_start(uint32_t rate_hz, uint64_t now_us)
{
    if (!tab.valid)
        return -1;
    running = false;
    run_rate_hz = rate_hz;
    run_t0_us = now_us;
    next_k = 0;
    __asm volatile("" ::: "memory");
    running = true;
    return 0;
}

static void src_stop(void)
{
    running = false;
}

static uint64_t src_t0_us(void)
{
    return run_t0_us;
}

static uint32_t src_faults(void)
{
    if (!tab.valid)
        return FAULT_ADC_ABSENT | FAULT_IMU_ABSENT;
    return (tab.flags & TABLE_FLAG_IMU) ? 0u : FAULT_IMU_ABSENT;
}

static void src_tick(uint64_t now_us)
{
    if (!running)
        return;
    if (fault_test_armed && now_us - run_t0_us >= FAULT_TEST_DELAY_MS * 1000u)
        __builtin_trap(); /* UDF: UsageFault, escalated to HardFault */
    for (unsigned n = 0; n < MAX_SAMPLES_PER_TICK; n++) {
        uint64_t due_us = run_t0_us + (uint64_t)next_k * 1000000u / run_rate_hz;
        if (due_us > now_us || sampq_full())
            return; /* not yet due, or the main loop is behind: retry next tick */
        struct sampq_entry e;
        e.k = next_k;
        if (!table_sample(next_k, &e.s)) {
            running = false; /* end of a non-looping table: pause */
            return;
        }
        sampq_push(&e);
        next_k++;
    }
}

static const struct board_source table_source = {
    .start = src_start,
    .stop = src_stop,
    .t0_us = src_t0_us,
    .faults = src_faults,
    .tick = src_tick,
};

static void hex32(char *out, uint32_t v)
{
    static const char digits[] = "0123456789ABCDEF";
    for (int i = 7; i >= 0; i--) {
        out[i] = digits[v & 0xFu];
        v >>= 4;
    }
}

int main(void)
{
    struct board_boot boot;
    struct fw_identity id;

    board_init(&boot, &qemu_clocks);
    table_load();
    fault_test_armed =
        tab.valid && (tab.flags & TABLE_FLAG_FAULT_TEST) && boot.reset_reason != FAULT_RESET_FAULT;

    memset(&id, 0, sizeof id);
    board_identity_defaults(&id, &boot);
    /* Serial: "QEMU-" + CRC of the table data, so the host can tell which
     * recording it is being fed; "QEMU-NOTABLE" without one. */
    memcpy(id.serial, "QEMU-", 5);
    if (tab.valid)
        hex32(id.serial + 5, tab.data_crc);
    else
        memcpy(id.serial + 5, "NOTABLE", 7);

    /* The emulated image has 24 KB of RAM (qemu.ld): 25 blocks (6.4 KB),
     * 250 ms at 1 kHz, 125 ms at 2 kHz. */
    static struct fw_resend_slot ring[QEMU_RESEND_SLOTS];
    board_run(&boot, &id, &table_source, ring, QEMU_RESEND_SLOTS);
}
