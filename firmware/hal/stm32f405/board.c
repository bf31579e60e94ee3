/*
 * board.c - boot sequence, fw_hal table and main loop of the STM32F405
 * images (see board.h).
 */
#include "board.h"

#include <stddef.h>
#include <string.h>

#include "iwdg.h"
#include "regs.h"
#include "sampq.h"
#include "timebase.h"
#include "usart.h"

#ifndef GC_FW_VERSION_MAJOR
#define GC_FW_VERSION_MAJOR 0
#define GC_FW_VERSION_MINOR 0
#define GC_FW_VERSION_PATCH 0
#endif

/* Deck geometry (DESIGN.md section 2): cells at x = +-0.30 m, y = +-0.70 m;
 * channel 0..3 = front-left, front-right, rear-left, rear-right. */
#define DECK_HALF_WIDTH_MM  300
#define DECK_HALF_LENGTH_MM 700
/* Nominal load-cell scale and IMU full-scale settings (+-16 g, +-2000 dps). */
#define CELL_N_PER_COUNT 2.5e-4f
#define ACCEL_G_PER_LSB  (1.0f / 2048.0f)
#define GYRO_DPS_PER_LSB (1.0f / 16.4f)

static const struct board_source *volatile g_src; /* read by the SysTick handler */
static struct fw_core g_fw;
static uint32_t g_rate_hz;  /* rate of the current sampling run */
static uint32_t g_expect_k; /* next sample index the main loop expects */

void board_init(struct board_boot *b, const struct board_emulated_clocks *emu)
{
    memset(b, 0, sizeof *b);
    clock_init(&b->clk);
    b->reset_reason = fault_boot_check(&b->fault_resets);
    if (b->reset_reason == FAULT_RESET_WATCHDOG)
        b->boot_faults |= FAULT_WATCHDOG;
    if (b->reset_reason == FAULT_RESET_FAULT)
        b->boot_faults |= FAULT_HARDFAULT;

    uint32_t apb2_hz = b->clk.apb2_hz;
    b->sysclk_hz = b->clk.sysclk_hz;
    b->tim_hz = b->clk.tim_apb1_hz;
    if (emu != NULL) {
        b->sysclk_hz = emu->sysclk_hz;
        b->tim_hz = emu->tim_hz;
        apb2_hz = emu->apb2_hz;
    }
    timebase_init(b->tim_hz);
    b->baud = usart_init(apb2_hz, USART_BAUD);

    SYST_CSR = 0;
    SYST_RVR = b->sysclk_hz / BOARD_TICK_HZ - 1u;
    SYST_CVR = 0;
    /* SysTick priority byte = bits 31:24 of SHPR3: same urgency as sampling. */
    SCB_SHPR3 = (SCB_SHPR3 & 0x00FFFFFFu) | ((uint32_t)PRIO_SAMPLE << 24);
    SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;
}

void board_identity_defaults(struct fw_identity *id, const struct board_boot *b)
{
    static const int16_t x_mm[PKT_CELLS] = {-DECK_HALF_WIDTH_MM, DECK_HALF_WIDTH_MM,
                                            -DECK_HALF_WIDTH_MM, DECK_HALF_WIDTH_MM};
    static const int16_t y_mm[PKT_CELLS] = {DECK_HALF_LENGTH_MM, DECK_HALF_LENGTH_MM,
                                            -DECK_HALF_LENGTH_MM, -DECK_HALF_LENGTH_MM};
    id->fw_major = GC_FW_VERSION_MAJOR;
    id->fw_minor = GC_FW_VERSION_MINOR;
    id->fw_patch = GC_FW_VERSION_PATCH;
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        id->channel_corner[i] = (uint8_t)i; /* CORNER_FRONT_LEFT .. CORNER_REAR_RIGHT */
        id->cell_x_mm[i] = x_mm[i];
        id->cell_y_mm[i] = y_mm[i];
    }
    id->cell_n_per_count = CELL_N_PER_COUNT;
    id->accel_g_per_lsb = ACCEL_G_PER_LSB;
    id->gyro_dps_per_lsb = GYRO_DPS_PER_LSB;
    id->reset_reason = (uint8_t)b->reset_reason;
}

void systick_handler(void)
{
    if (g_src != NULL && g_src->tick != NULL)
        g_src->tick(timebase_now_us());
}

/* ---- fw_hal --------------------------------------------------------- */

static uint64_t hal_now_us(void *ctx)
{
    (void)ctx;
    return timebase_now_us();
}

static size_t hal_tx_write(void *ctx, const uint8_t *buf, size_t n)
{
    (void)ctx;
    return usart_write(buf, n);
}

static int hal_sampling_set(void *ctx, uint32_t rate_hz)
{
    (void)ctx;
    g_src->stop();
    sampq_reset(); /* producer stopped: nothing half-written */
    g_expect_k = 0;
    g_rate_hz = 0;
    if (rate_hz == 0)
        return 0;
    if (g_src->start(rate_hz, timebase_now_us()) != 0)
        return -1;
    g_rate_hz = rate_hz;
    return 0;
}

static const struct fw_hal board_hal = {
    .ctx = NULL,
    .now_us = hal_now_us,
    .tx_write = hal_tx_write,
    .sampling_set = hal_sampling_set,
    .metronome = NULL, /* only the simulator models a runner */
};

/* ---- main loop ------------------------------------------------------ */

static void drain_samples(void)
{
    struct sampq_entry e;
    while (sampq_pop(&e)) {
        if (g_rate_hz == 0)
            continue; /* stale sample of a run that has ended */
        if (e.k != g_expect_k)
            fw_core_count_overrun(&g_fw, e.k - g_expect_k);
        g_expect_k = e.k + 1u;
        /* Jitter-free sensor time: t0 + k * period, in exact integer us
         * arithmetic (no accumulated rounding). */
        uint64_t t_us = g_src->t0_us() + (uint64_t)e.k * 1000000u / g_rate_hz;
        fw_core_sample(&g_fw, &e.s, t_us);
    }
}

/* Sleep until an interrupt, unless work arrived after the last check.
 * With PRIMASK set an interrupt still ends WFI, but is taken only after
 * cpsie, so nothing can slip in between the check and the sleep. */
static void idle(void)
{
    __asm volatile("cpsid i" ::: "memory");
    if (!usart_rx_pending() && sampq_empty())
        __asm volatile("wfi" ::: "memory");
    __asm volatile("cpsie i" ::: "memory");
}

void board_run(const struct board_boot *b, const struct fw_identity *id,
               const struct board_source *src, struct fw_resend_slot *ring, uint32_t ring_slots)
{
    uint8_t rx[64];

    g_src = src;
    fw_core_init(&g_fw, &board_hal, id);
    fw_core_set_resend_ring(&g_fw, ring, ring_slots);
    fw_core_set_faults(&g_fw, b->boot_faults | src->faults());
    iwdg_start(BOARD_WATCHDOG_MS);
    /* A lone delimiter first: if a reset cut a frame short, this ends it, so
     * the host's decoder drops only that frame and not our HELLO with it. */
    static const uint8_t delimiter = 0x00;
    (void)usart_write(&delimiter, 1);
    fw_core_boot(&g_fw);

    for (;;) {
        iwdg_kick();
        size_t n = usart_read(rx, sizeof rx);
        if (n > 0)
            fw_core_rx(&g_fw, rx, n);
        drain_samples();
        fw_core_set_faults(&g_fw, b->boot_faults | src->faults());
        fw_core_poll(&g_fw);
        idle();
    }
}
