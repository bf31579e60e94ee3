/*
 * iwdg.h - independent watchdog (40 kHz LSI, its own clock domain).
 *
 * Once started it cannot be stopped; the main loop calls iwdg_kick() every
 * pass.  A main loop stuck for longer than the timeout resets the MCU and
 * the next boot reports reset_reason 1 and FAULT_WATCHDOG (fault.h).
 * QEMU 7.2 does not model the IWDG (writes are ignored), so watchdog resets
 * are verified on hardware only.
 *
 * Context: main loop.
 */
#ifndef GC_IWDG_H
#define GC_IWDG_H

#include <stdint.h>

/* Timeout in ms (1..4000 with the /32 prescaler used here). */
void iwdg_start(uint32_t timeout_ms);
void iwdg_kick(void);

#endif
