/*
 * board.h - what the STM32F405 images share: boot sequence, the fw_hal table
 * handed to the firmware core, and the main loop.
 *
 *   board_init():  clock tree -> reset cause / fault record -> TIM2 time
 *                  base -> USART1 -> SysTick heartbeat (BOARD_TICK_HZ)
 *   board_run():   watchdog on, HELLO, then forever:
 *                    kick watchdog; rx bytes -> fw_core_rx;
 *                    queued samples -> fw_core_sample(t0 + k * period);
 *                    source faults -> fw_core_set_faults; fw_core_poll;
 *                    sleep until the next interrupt
 *
 * A board supplies a sample source: the ADS131M04 + ICM-42688-P on the real
 * board (DRDY interrupt reads a frame and queues it), or a table in RAM on
 * QEMU (paced from the SysTick heartbeat).  Sources push into sampq from
 * interrupt context; the main loop is the only caller of fw_core_*.
 *
 * Context: board_init/board_run from main(); board_tick hooks run in the
 * SysTick handler.
 */
#ifndef GC_BOARD_H
#define GC_BOARD_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "fault.h"
#include "fw_core.h"

/* SysTick heartbeat: wakes the main loop (watchdog, STATUS) and paces the
 * emulated sample source, which emits every sample due at each tick (1-2 at
 * 1-2 kHz; blocks go out every 10 samples anyway).  Faster ticks cost
 * emulator CPU for nothing: 2 kHz idles QEMU at 14 % of a core, 1 kHz at 7 %. */
#define BOARD_TICK_HZ 1000u
/* Watchdog timeout.  The main loop passes every heartbeat (1 ms); the
 * longest legitimate stall is a sensor reset at boot (< 20 ms).  200 ms
 * survives the LSI tolerance (see iwdg.c) with a wide margin. */
#define BOARD_WATCHDOG_MS 200u

struct board_source {
    /* Begin sampling at rate_hz (sample 0 due now).  0 or -1 when the rate
     * or the sensor cannot do it (the START is then refused). */
    int (*start)(uint32_t rate_hz, uint64_t now_us);
    void (*stop)(void);
    /* Time of sample 0 of the current run, valid once sample 0 was queued. */
    uint64_t (*t0_us)(void);
    /* FAULT_* bits the source sees right now (sticky where the bit says so). */
    uint32_t (*faults)(void);
    /* Optional: called from the SysTick handler with the current time. */
    void (*tick)(uint64_t now_us);
};

/* On silicon the clocks come from the clock tree; an emulator that ignores
 * the RCC states its fixed clocks here instead. */
struct board_emulated_clocks {
    uint32_t sysclk_hz; /* SysTick / core clock */
    uint32_t tim_hz;    /* TIM2 input clock */
    uint32_t apb2_hz;   /* USART1 clock (baud rate is meaningless on a pty) */
};

struct board_boot {
    struct clock_info clk;      /* what the clock tree achieved */
    uint32_t sysclk_hz, tim_hz; /* clocks in use (emulated or clk) */
    uint32_t baud;              /* actual USART1 baud rate */
    enum fault_reset_reason reset_reason;
    uint32_t fault_resets; /* fault resets since power-on */
    uint32_t boot_faults;  /* FAULT_WATCHDOG / FAULT_HARDFAULT */
};

/* emu: NULL on the real board. */
void board_init(struct board_boot *b, const struct board_emulated_clocks *emu);

/* Fill the deck geometry and scales common to every build. */
void board_identity_defaults(struct fw_identity *id, const struct board_boot *b);

/* Never returns. */
/* ring[0..ring_slots) is the image's resend ring (static storage sized
 * from its RAM budget, docs/firmware.md). */
void board_run(const struct board_boot *b, const struct fw_identity *id,
               const struct board_source *src, struct fw_resend_slot *ring,
               uint32_t ring_slots) __attribute__((noreturn));

/* SysTick handler (vector table). */
void systick_handler(void);

#endif
